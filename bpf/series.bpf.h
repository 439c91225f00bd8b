/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ioasid-trace series' tracepoint argument types, only the members
 * the tools read, as local CO-RE flavours (___s): they build against any
 * vmlinux.h (the host's too) and relocate against the running kernel's
 * BTF.  A member the running kernel lacks fails the load of the tool's
 * whole skeleton when a program reads it on a reachable path: test
 * optional ones with bpf_core_field_exists() and give every branch one.
 *
 * The verifier trusts a built-in tracepoint's pointer arguments to be
 * valid and drops a program's NULL test of one, so a NULL one faults in
 * the kernel.  The series names the arguments that are NULL on some path
 * __nullable (the destination IOAS of the IOAS copy end event, the HWPT of
 * hwpt_alloc and hwpt_invalidate, the group of iopf_response) and the
 * verifier then keeps the test.  The tools prefer the command's id to
 * those objects, and read one only after a test, with BPF_CORE_READ
 * (fault-safe on a kernel without the annotation).
 *
 * Where iommufd and vfio_iommu_type1 are modules (distribution kernels),
 * their tracepoints live in module BTF, and the verifier (6.13, and
 * 6.12.y stable: btf_ctx_access()) takes every pointer argument of a module's
 * tracepoint to be maybe-NULL: a read through one, BPF_CORE_READ too,
 * without a test fails the load of the whole skeleton.  So every program
 * of an iommufd_* or vfio_iommu_type1_* event tests each pointer argument
 * it reads through, even those never NULL; built in, the verifier knows
 * better and drops the test.  bpf/tests/alltools-modules.sh loads them all
 * on the testbed's modules flavour.
 *
 * No tool takes a kernel type or enum value from vmlinux.h, only the
 * libbpf basics (integer types, BPF uAPI constants): a kernel without the
 * series, IOMMUFD, VFIO or IOMMU_API lacks most of them, and the tools
 * must build on such a host (tests/host/bpf-core-build.sh builds them
 * against a vmlinux.h with no kernel type at all).  A type used only
 * through pointers is declared below; one whose members are read is a
 * flavour (the generic ones are in bits.bpf.h); an enum value is a
 * flavour enumerator read with bpf_core_enum_value() (libbpf drops the
 * ___s of the enum's and the enumerator's names to match them).
 * Include after vmlinux.h.
 */
#ifndef __SERIES_BPF_H
#define __SERIES_BPF_H

/* After vmlinux.h and <bpf/bpf_helpers.h>; the CO-RE macros are used here. */
#include <bpf/bpf_core_read.h>

struct device;
struct iommu_domain;
struct iommu_iotlb_gather;
struct iommufd_ioas;
struct iopt_pages;
struct vfio_iommu;
struct vfio_dma;
struct intel_iommu;

/* ---- the device model: a device's name ---- */

struct kobject___s {
	const char *name;
} __attribute__((preserve_access_index));

struct device___s {
	struct kobject___s kobj;
} __attribute__((preserve_access_index));

/* ---- ioctl arguments (the kernel's copy) ---- */

struct iommu_ioas_copy___s {
	__u32 dst_ioas_id;
	__u64 length;
} __attribute__((preserve_access_index));

struct iommu_hwpt_alloc___s {
	__u32 flags;
	__u32 dev_id;
	__u32 pt_id;
	__u32 data_type;
	__u32 fault_id;		/* not in every kernel: bpf_core_field_exists() */
} __attribute__((preserve_access_index));

struct iommu_hwpt_invalidate___s {
	__u32 hwpt_id;
} __attribute__((preserve_access_index));

struct vfio_iommu_type1_dma_map___s {
	__u64 size;
} __attribute__((preserve_access_index));

struct iommu_hwpt_get_dirty_bitmap___s {
	__u64 length;
} __attribute__((preserve_access_index));

struct vfio_bitmap___s {
	__u64 pgsize;
} __attribute__((preserve_access_index));

struct vfio_iommu_type1_dirty_bitmap_get___s {
	__u64 size;
	struct vfio_bitmap___s bitmap;
} __attribute__((preserve_access_index));

/* ---- iommufd objects: the id user space knows them by ---- */

/* Its value is the kernel's, read with bpf_core_enum_value() */
enum iommufd_object_type___s {
	IOMMUFD_OBJ_HWPT_NESTED___s = 3,	/* 6.12 and 7.3 */
	IOMMUFD_OBJ_VIOMMU___s = 7,		/* 6.13 on (7.3's values) */
	IOMMUFD_OBJ_VDEVICE___s = 8,
	IOMMUFD_OBJ_VEVENTQ___s = 9,		/* 6.15 on */
};

struct iommufd_object___s {
	unsigned int id;
	/* an enum: CO-RE matches a field's enum type by name, never an int */
	enum iommufd_object_type___s type;
} __attribute__((preserve_access_index));

struct iommufd_ioas___s {
	struct iommufd_object___s obj;
} __attribute__((preserve_access_index));

/*
 * The id of the IOAS passed to the IOAS map and unmap events.  It is never
 * NULL: the test is for a module's tracepoint (above).
 */
static __always_inline __u32 ioas_obj_id(const struct iommufd_ioas___s *ioas)
{
	return ioas ? ioas->obj.id : 0;
}

struct iommufd_device___s {
	struct iommufd_object___s obj;
	struct device___s *dev;
	void *ictx;
} __attribute__((preserve_access_index));

struct iommufd_hw_pagetable___s {
	struct iommufd_object___s obj;
} __attribute__((preserve_access_index));

struct iommufd_hwpt_paging___s {
	struct iommufd_hw_pagetable___s common;
	struct iommufd_ioas___s *ioas;
} __attribute__((preserve_access_index));

/* 7.x embeds the object in the eventq it shares with vEVENTQs (common). */
struct iommufd_eventq___s {
	struct iommufd_object___s obj;
	void *ictx;
} __attribute__((preserve_access_index));

/* An emulated device's (or a vIOMMU queue's) access to an IOAS */
struct iommufd_access___s {
	struct iommufd_object___s obj;
} __attribute__((preserve_access_index));

/* vIOMMU objects (6.13 on) and their event queues (6.15 on): not in 6.12. */
struct iommufd_viommu___s {
	struct iommufd_object___s obj;
	void *ictx;
} __attribute__((preserve_access_index));

/* A vDEVICE and a vEVENTQ begin with their object (the vEVENTQ in common). */
struct iommufd_vdevice___s {
	struct iommufd_object___s obj;
	struct iommufd_viommu___s *viommu;
} __attribute__((preserve_access_index));

/* an enum field: CO-RE matches it with an enum of the same name */
enum iommu_veventq_type___s {
	IOMMU_VEVENTQ_TYPE_DEFAULT___s = 0,
};

struct iommufd_veventq___s {
	struct iommufd_eventq___s common;
	struct iommufd_viommu___s *viommu;
	enum iommu_veventq_type___s type;
	unsigned int depth;
	__u32 num_events;
} __attribute__((preserve_access_index));

/* IOMMU_VEVENTQ_FLAG_LOST_EVENTS in flags: the lost-events header */
#define VEVENT_LOST_EVENTS	(1U << 0)

struct iommufd_vevent_header___s {
	__u32 flags;
	__u32 sequence;
} __attribute__((preserve_access_index));

struct iommufd_vevent___s {
	struct iommufd_vevent_header___s header;
	long data_len;
} __attribute__((preserve_access_index));

/* The commands of the vIOMMU, vDEVICE (6.13 on) and vEVENTQ (6.15) alloc events. */
struct iommu_viommu_alloc___s {
	__u32 flags;
	__u32 type;
	__u32 dev_id;
	__u32 hwpt_id;
	__u32 out_viommu_id;
} __attribute__((preserve_access_index));

struct iommu_vdevice_alloc___s {
	__u32 viommu_id;
	__u32 dev_id;
	__u32 out_vdevice_id;
	__u64 virt_id;
} __attribute__((preserve_access_index));

struct iommu_veventq_alloc___s {
	__u32 viommu_id;
	__u32 type;
	__u32 veventq_depth;
	__u32 out_veventq_id;
} __attribute__((preserve_access_index));

struct iommufd_fault___s {
	struct iommufd_object___s obj;		/* 6.x only: use fault_obj_id() */
	void *ictx;				/* 6.x only: use fault_ctx() */
	struct iommufd_eventq___s common;	/* 7.x */
} __attribute__((preserve_access_index));

/*
 * The fault queue's object id, on either layout (0 on a kernel with
 * neither: no unresolved relocation is left on a reachable path, which
 * would fail the whole skeleton's load).
 */
static __always_inline __u32 fault_obj_id(struct iommufd_fault___s *fault)
{
	if (bpf_core_field_exists(fault->common))
		return BPF_CORE_READ(fault, common.obj.id);
	if (bpf_core_field_exists(fault->obj))
		return BPF_CORE_READ(fault, obj.id);
	return 0;
}

/*
 * The iommufd context (a /dev/iommu open) of the fault queue: object ids
 * are numbered per context, so two VMs both have a dev_id 1.  0 if not
 * known.
 */
static __always_inline __u64 fault_ctx(struct iommufd_fault___s *fault)
{
	if (bpf_core_field_exists(fault->common))
		return (__u64)BPF_CORE_READ(fault, common.ictx);
	if (bpf_core_field_exists(fault->ictx))
		return (__u64)BPF_CORE_READ(fault, ictx);
	return 0;
}

/* ---- IOMMU core ---- */

struct iommu_iotlb_gather___s {
	unsigned long start;
	unsigned long end;
} __attribute__((preserve_access_index));

struct iommu_group___s {
	int id;
} __attribute__((preserve_access_index));

/* The HWPT behind an iommufd domain: fault_data up to 6.x, the
 * iommufd_hwpt cookie on 7.x; exactly one exists (bpf_core_field_exists).
 */
struct iommu_domain___s {
	void *fault_data;
	void *iommufd_hwpt;
} __attribute__((preserve_access_index));

struct vfio_container___s {
	void *iommu_data;
} __attribute__((preserve_access_index));

/* ---- the io_pagetable's entry points (the caller of map/unmap events) ---- */

/*
 * CO-RE relocates each enumerator by name, so the local values need not
 * differ: VFIO_COMPAT is 1 on 6.12 and 2 on mainline, MAP_FILE (mainline
 * only) 1; bpf_core_enum_value() gives the running kernel's.
 */
enum iopt_caller___s {
	IOPT_CALLER_VFIO_COMPAT___s = 1,
	IOPT_CALLER_MAP_FILE___s = 1,
};

/*
 * Whether an IOAS map/unmap came through the VFIO compat ioctls (type1's,
 * served by iommufd); false on a kernel without the enumerator.
 */
static __always_inline bool iopt_caller_compat(int caller)
{
	return bpf_core_enum_value_exists(enum iopt_caller___s, IOPT_CALLER_VFIO_COMPAT___s) &&
	       caller == bpf_core_enum_value(enum iopt_caller___s, IOPT_CALLER_VFIO_COMPAT___s);
}

/* Whether an IOAS map came from IOMMU_IOAS_MAP_FILE (6.13 and later). */
static __always_inline bool iopt_caller_map_file(int caller)
{
	return bpf_core_enum_value_exists(enum iopt_caller___s, IOPT_CALLER_MAP_FILE___s) &&
	       caller == bpf_core_enum_value(enum iopt_caller___s, IOPT_CALLER_MAP_FILE___s);
}

/* ---- I/O page faults ---- */

/* The value is 6.12's; bpf_core_enum_value() gives the running kernel's. */
enum iommu_fault_type___s {
	IOMMU_FAULT_PAGE_REQ___s = 1,
};

struct iommu_fault_page_request___s {
	__u32 flags;
	__u32 pasid;
	__u32 grpid;
} __attribute__((preserve_access_index));

struct iommu_fault___s {
	__u32 type;
	struct iommu_fault_page_request___s prm;
} __attribute__((preserve_access_index));

struct iopf_fault___s {
	struct iommu_fault___s fault;
} __attribute__((preserve_access_index));

struct iommu_fault_param___s {
	struct device *dev;
} __attribute__((preserve_access_index));

struct iommu_attach_handle___s {
	struct iommu_domain___s *domain;
} __attribute__((preserve_access_index));

/* iommufd's handle embeds the core's: to_iommufd_handle() is container_of */
struct iommufd_attach_handle___s {
	struct iommu_attach_handle___s handle;
	struct iommufd_device___s *idev;
} __attribute__((preserve_access_index));

struct iopf_group___s {
	struct iopf_fault___s last_fault;
	struct iommu_attach_handle___s *attach_handle;
	struct iommu_fault_param___s *fault_param;
} __attribute__((preserve_access_index));

struct iommu_page_response___s {
	__u32 pasid;
	__u32 grpid;
	__u32 code;
} __attribute__((preserve_access_index));

/*
 * The operation a thread is in, between an operation's _start and end
 * events (or the ioctl syscall's entry and exit): a task-storage map `cur`
 * of @val_t, which has an `active` flag, created once per thread and then
 * a pointer in the task (no hash update and delete per operation);
 * cur_get() and cur_active() (NULL outside an operation) read it.
 */
#define DEFINE_CUR_OP(val_t)							\
struct {									\
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);				\
	__uint(map_flags, BPF_F_NO_PREALLOC);					\
	__type(key, int);							\
	__type(value, val_t);							\
} cur SEC(".maps");								\
										\
static __always_inline val_t *cur_get(bool create)				\
{										\
	return bpf_task_storage_get(&cur, bpf_get_current_task_btf(), 0,	\
				    create ? BPF_LOCAL_STORAGE_GET_F_CREATE : 0);	\
}										\
										\
static __always_inline val_t *cur_active(void)					\
{										\
	val_t *c = cur_get(false);						\
										\
	return c && c->active ? c : NULL;					\
}

#endif /* __SERIES_BPF_H */
