// SPDX-License-Identifier: GPL-2.0
/*
 * The series' __nullable tracepoint arguments, as the verifier sees them.
 * Per argument two tp_btf programs read one member of the object:
 * <event>__<index>__deref without a NULL test (the verifier must refuse
 * it: on a built-in tracepoint it would otherwise trust the pointer and
 * the read would fault in the kernel) and <event>__<index>__tested with
 * one (it must load, so the refusal is about the test and nothing else).
 * control__*: a read of an argument that is never NULL, without a test,
 * must load: the refusals are about the __nullable names, not about every
 * pointer (as they would be for a tracepoint in a module).  A program on an
 * event the running kernel does not have (the vIOMMU's before 6.15) is
 * skipped.
 * tracepoints/tests/nullable.c loads them one at a time.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "series.bpf.h"

__u32 sink;

#define NULLABLE(event, idx, type, member)				\
SEC("tp_btf/" #event)							\
int event##__##idx##__deref(__u64 *ctx)					\
{									\
	type *p = (type *)ctx[idx];					\
									\
	sink = p->member;						\
	return 0;							\
}									\
									\
SEC("tp_btf/" #event)							\
int event##__##idx##__tested(__u64 *ctx)				\
{									\
	type *p = (type *)ctx[idx];					\
									\
	if (p)								\
		sink = p->member;					\
	return 0;							\
}

NULLABLE(iommufd_ioas_copy, 0, struct iommufd_ioas___s, obj.id)
NULLABLE(iommufd_hwpt_alloc, 0, struct iommufd_hw_pagetable___s, obj.id)
NULLABLE(iommufd_hwpt_alloc, 3, struct iommu_hwpt_alloc___s, flags)
NULLABLE(iommufd_hwpt_invalidate, 0, struct iommufd_hw_pagetable___s, obj.id)
NULLABLE(iommufd_hwpt_set_dirty_tracking, 0, struct iommufd_hwpt_paging___s, common.obj.id)
NULLABLE(iommufd_hwpt_get_dirty_bitmap, 0, struct iommufd_hwpt_paging___s, common.obj.id)
NULLABLE(iommufd_veventq_report, 1, struct iommufd_veventq___s, depth)
NULLABLE(iommufd_veventq_report, 2, struct iommufd_vevent___s, data_len)
NULLABLE(iopf_response, 1, struct iopf_group___s, last_fault.fault.prm.grpid)

/* The IOAS of the map and unmap events is always there */
SEC("tp_btf/iommufd_ioas_map")
int control__iommufd_ioas_map__0(__u64 *ctx)
{
	const struct iommufd_ioas___s *ioas = (void *)ctx[0];

	sink = ioas->obj.id;
	return 0;
}

SEC("tp_btf/iommufd_ioas_unmap")
int control__iommufd_ioas_unmap__0(__u64 *ctx)
{
	const struct iommufd_ioas___s *ioas = (void *)ctx[0];

	sink = ioas->obj.id;
	return 0;
}

/* The vIOMMU an IOMMU driver reports an event for (6.15 on) */
SEC("tp_btf/iommufd_veventq_report")
int control__iommufd_veventq_report__0(__u64 *ctx)
{
	const struct iommufd_viommu___s *viommu = (void *)ctx[0];

	sink = viommu->obj.id;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
