// SPDX-License-Identifier: GPL-2.0
/*
 * ioasid-top: DMA-map activity aggregated in the kernel, per process x
 * backend x IOAS/container (a hash of rows updated with atomic adds,
 * cumulative; user space diffs once per refresh), plus per-device attach
 * state.  No
 * ring buffer: nothing is sent per event.
 *
 * Tracepoint mode: tp_btf on the ioasid-trace series.  The *_start events
 * mark the thread as working for a row, with the time: latency is from
 * there to the end event of the same thread, and the pins and IOTLB syncs
 * nested in the ioctl are counted on that row.  The mark, the time and
 * those nested counts live in task storage (created once per thread, then
 * a pointer in the task) and the end event adds the counts to the row:
 * per 4 KiB map/unmap one row lookup each instead of one per event, and
 * no tid hash update + delete per ioctl (README.md OVERHEAD has the
 * figures).  Faults: queued -> responded per iopf_group (a small map, not
 * the map/unmap path).
 * Fallback (no series): the ioctl syscall, decoded (lib/dmaioctl.h).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

#include "bits.bpf.h"
#include "series.bpf.h"
#include "ioasid-top.h"
#include "rows.bpf.h"
#include "devs.bpf.h"

const volatile struct top_ioctl ioctls[TOP_IOCTLS] = {};

/* Fault groups queued for user space: group address -> queue time. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, __u64);
} pending SEC(".maps");

/* ---- tracepoint mode: map, unmap, copy ---- */

SEC("tp_btf/iommufd_ioas_map_start")
int BPF_PROG(map_start, const struct iommufd_ioas___s *ioas)
{
	return begin(TOP_IOMMUFD, TOP_MAP, ioas_obj_id(ioas));
}

SEC("tp_btf/iommufd_ioas_unmap_start")
int BPF_PROG(unmap_start, const struct iommufd_ioas___s *ioas)
{
	return begin(TOP_IOMMUFD, TOP_UNMAP, ioas_obj_id(ioas));
}

SEC("tp_btf/iommufd_ioas_copy_start")
int BPF_PROG(copy_start, const struct iommu_ioas_copy___s *cmd)
{
	if (!cmd)
		return 0;
	return begin(TOP_IOMMUFD, TOP_COPY, cmd->dst_ioas_id);
}

SEC("tp_btf/iommufd_ioas_map")
int BPF_PROG(map_end, const struct iommufd_ioas___s *ioas, int caller, unsigned long iova,
	     unsigned long length, int prot, unsigned int flags, int ret)
{
	return end(TOP_IOMMUFD, TOP_MAP, ioas_obj_id(ioas), length, ret);
}

SEC("tp_btf/iommufd_ioas_unmap")
int BPF_PROG(unmap_end, const struct iommufd_ioas___s *ioas, int caller, unsigned long start,
	     unsigned long last, unsigned long unmapped, int ret)
{
	return end(TOP_IOMMUFD, TOP_UNMAP, ioas_obj_id(ioas), unmapped, ret);
}

/* The copy end event's IOAS is __nullable: the command's id is always there */
SEC("tp_btf/iommufd_ioas_copy")
int BPF_PROG(copy_end, void *dst_ioas, const struct iommu_ioas_copy___s *cmd, int ret)
{
	if (!cmd)
		return 0;
	return end(TOP_IOMMUFD, TOP_COPY, cmd->dst_ioas_id, cmd->length, ret);
}

SEC("tp_btf/vfio_iommu_type1_dma_map_start")
int BPF_PROG(t1_map_start, struct vfio_iommu *iommu)
{
	return begin(TOP_TYPE1, TOP_MAP, (__u64)iommu);
}

SEC("tp_btf/vfio_iommu_type1_dma_unmap_start")
int BPF_PROG(t1_unmap_start, struct vfio_iommu *iommu)
{
	return begin(TOP_TYPE1, TOP_UNMAP, (__u64)iommu);
}

SEC("tp_btf/vfio_iommu_type1_dma_map")
int BPF_PROG(t1_map_end, struct vfio_iommu *iommu,
	     const struct vfio_iommu_type1_dma_map___s *map, int ret)
{
	if (!map)
		return 0;
	return end(TOP_TYPE1, TOP_MAP, (__u64)iommu, map->size, ret);
}

SEC("tp_btf/vfio_iommu_type1_dma_unmap")
int BPF_PROG(t1_unmap_end, struct vfio_iommu *iommu, const void *unmap, __u64 size,
	     __u64 unmapped, int ret)
{
	return end(TOP_TYPE1, TOP_UNMAP, (__u64)iommu, unmapped, ret);
}

/*
 * The row of an event outside a map/unmap operation, in the current
 * process: @as 0 is @backend's "-" row (a pin by an access, unpins at close).
 */
static __always_inline struct top_stats *row_of(__u32 backend, __u64 as)
{
	struct top_key k = {};

	if (pid_filtered())
		return NULL;
	make_key(&k, backend, as);
	return row(&k);
}

static __always_inline int pinned(__u32 backend, int ret)
{
	struct top_cur *c = cur_active();
	struct top_stats *s;

	if (ret <= 0)
		return 0;
	if (c) {
		c->p.pinned += ret;
		c->nested = 1;
		return 0;
	}
	s = row_of(backend, 0);
	if (s)
		ADD(s->pinned, ret);
	return 0;
}

SEC("tp_btf/iommufd_pages_pin")
int BPF_PROG(pin, void *pages, __u64 npages, int ret)
{
	return pinned(TOP_IOMMUFD, ret);
}

SEC("tp_btf/vfio_iommu_type1_pin_pages")
int BPF_PROG(t1_pin, void *dma, __u64 iova, __u64 npages, int ret)
{
	return pinned(TOP_TYPE1, ret);
}

static __always_inline int unpinned(__u32 backend, __u64 npages)
{
	struct top_cur *c = cur_active();
	struct top_stats *s;

	if (c) {
		c->p.unpinned += npages;
		c->nested = 1;
		return 0;
	}
	s = row_of(backend, 0);
	if (s)
		ADD(s->unpinned, npages);
	return 0;
}

SEC("tp_btf/iommufd_pages_unpin")
int BPF_PROG(unpin, void *pages, __u64 npages, int ret)
{
	return unpinned(TOP_IOMMUFD, npages);
}

/* type1: pages whose pin was dropped (a run may hold reserved pfns) */
SEC("tp_btf/vfio_iommu_type1_unpin_pages")
int BPF_PROG(t1_unpin, void *dma, __u64 iova, __u64 npages, long unpinned_pages)
{
	return unpinned(TOP_TYPE1, unpinned_pages > 0 ? unpinned_pages : 0);
}

SEC("tp_btf/iotlb_sync")
int BPF_PROG(iotlb_sync, struct iommu_domain *domain, struct iommu_iotlb_gather___s *gather)
{
	struct top_cur *c = cur_active();
	unsigned long start, end;
	struct top_stats *s;
	__u32 slot;

	if (!c) {
		other_add(TOP_OTHER_FLUSHES, 1);
		return 0;
	}
	c->p.flushes++;
	c->nested = 1;
	start = gather->start;		/* tp_btf: a BTF pointer, read directly */
	end = gather->end;
	if (start > end)		/* empty gathers are synced too */
		return 0;
	c->p.flush_ranged++;
	c->p.flush_bytes += end - start + 1;
	slot = log2_slot(end - start + 1, TOP_SLOTS);
	if (!c->p.flush_slot_n || c->p.flush_slot == slot) {
		c->p.flush_slot = slot;
		c->p.flush_slot_n++;
		return 0;
	}
	/* a second size in one operation: straight to the row */
	s = row(&c->key);
	if (s)
		ADD(s->flush_range[slot], 1);
	return 0;
}

SEC("tp_btf/flush_iotlb_all")
int BPF_PROG(flush_all, struct iommu_domain *domain)
{
	struct top_cur *c = cur_active();

	if (!c) {
		other_add(TOP_OTHER_FLUSH_ALL, 1);
		return 0;
	}
	c->p.flush_all++;
	c->nested = 1;
	return 0;
}

/* ---- HWPT: allocation (HWPT -> IOAS), invalidation ---- */

/*
 * IOMMU_HWPT_ALLOC and automatic HWPTs alike: pt_id is the IOAS of a paging
 * HWPT; a nested HWPT's is its parent's (a vIOMMU's: the vIOMMU's parent's).
 */
SEC("tp_btf/iommufd_hwpt_alloc")
int BPF_PROG(hwpt_alloc, const struct iommufd_hw_pagetable___s *hwpt, __u32 dev_id, __u32 pt_id,
	     const struct iommu_hwpt_alloc___s *cmd, int ret)
{
	__u32 pt = pt_id;
	__u64 id;

	/*
	 * @hwpt is __nullable (NULL on failure): the verifier keeps this test.
	 * A series kernel without the annotation lets it drop the test, so the
	 * read goes through the fault-safe CO-RE path all the same.
	 */
	if (ret || !hwpt)
		return 0;
	if (bpf_core_enum_value_exists(enum iommufd_object_type___s, IOMMUFD_OBJ_HWPT_NESTED___s) &&
	    BPF_CORE_READ(hwpt, obj.type) ==
	    bpf_core_enum_value(enum iommufd_object_type___s, IOMMUFD_OBJ_HWPT_NESTED___s))
		pt = ioas_of_hwpt(pt_id);
	id = hwpt_key(BPF_CORE_READ(hwpt, obj.id));
	bpf_map_update_elem(&hwpt_ioas, &id, &pt, BPF_ANY);
	return 0;
}

/* IDs are reused: a destroyed HWPT's entry goes (any object's id: a miss is cheap) */
SEC("tp_btf/iommufd_object_destroy")
int BPF_PROG(obj_destroy, void *ictx, const struct iommufd_object___s *obj, bool closing)
{
	__u64 id;

	if (!obj)	/* never NULL; a module's tracepoint: see series.bpf.h */
		return 0;
	id = hwpt_key(BPF_CORE_READ(obj, id));
	bpf_map_delete_elem(&hwpt_ioas, &id);
	viommu_obj_gone(ictx, obj);
	return 0;
}

/*
 * @hwpt is __nullable (lookup failed, or the id names a vIOMMU): the
 * command names it in every case.
 */
SEC("tp_btf/iommufd_hwpt_invalidate")
int BPF_PROG(hwpt_inval, void *hwpt, const struct iommu_hwpt_invalidate___s *cmd,
	     __u32 done_num, int ret)
{
	struct top_key k = {};
	struct top_stats *s;

	if (!cmd || pid_filtered())
		return 0;
	viommu_invalidated(cmd->hwpt_id, done_num, ret);
	make_key(&k, TOP_IOMMUFD, ioas_of_hwpt(cmd->hwpt_id));
	s = row(&k);
	if (!s)
		return 0;
	ADD(s->invals, 1);
	ADD(s->inval_entries, done_num);
	return 0;
}

/* ---- faults: queued for user space -> answered ---- */

SEC("tp_btf/iommufd_fault_queue")
int BPF_PROG(fault_queue, void *fault, struct iopf_group___s *group)
{
	__u64 g = (__u64)group, now = bpf_ktime_get_ns();

	bpf_map_update_elem(&pending, &g, &now, BPF_ANY);
	return 0;
}

/* The IOAS of the fault's HWPT (its domain's fault_data or iommufd_hwpt). */
static __always_inline __u64 fault_ioas(struct iopf_group___s *group)
{
	struct iommufd_hw_pagetable___s *hwpt;
	struct iommu_domain___s *dom;

	if (!group)
		return 0;
	dom = BPF_CORE_READ(group, attach_handle, domain);
	if (bpf_core_field_exists(dom->iommufd_hwpt))
		hwpt = BPF_CORE_READ(dom, iommufd_hwpt);
	else if (bpf_core_field_exists(dom->fault_data))
		hwpt = BPF_CORE_READ(dom, fault_data);
	else
		hwpt = NULL;
	if (!hwpt)
		return 0;
	return ioas_of_hwpt(BPF_CORE_READ(hwpt, obj.id));
}

static __always_inline int fault_done(struct iopf_group___s *group, bool lost)
{
	__u64 g = (__u64)group, *t, ns = 0;
	struct top_key k = {};
	struct top_stats *s;

	t = bpf_map_lookup_elem(&pending, &g);
	if (t)
		ns = bpf_ktime_get_ns() - *t;
	bpf_map_delete_elem(&pending, &g);
	if (pid_filtered())
		return 0;
	make_key(&k, TOP_IOMMUFD, fault_ioas(group));
	s = row(&k);
	if (!s)
		return 0;
	if (lost) {
		ADD(s->faults_lost, 1);
		return 0;
	}
	ADD(s->faults, 1);
	if (t) {
		ADD(s->fault_lat[log2_slot(ns, TOP_SLOTS)], 1);
		ADD(s->fault_lat_sum, ns);
	}
	return 0;
}

SEC("tp_btf/iommufd_fault_respond")
int BPF_PROG(fault_respond, void *fault, struct iopf_group___s *group)
{
	return fault_done(group, false);
}

SEC("tp_btf/iommufd_fault_auto_respond")
int BPF_PROG(fault_auto, void *fault, struct iopf_group___s *group)
{
	return fault_done(group, true);
}

/* ---- dirty bitmap reads, emulated devices' accesses: no _start needed ---- */

static __always_inline void dirty_read(struct top_stats *s, __u64 span, __u64 dirty, int ret)
{
	if (!s)
		return;
	if (ret < 0) {
		ADD(s->dirty_errors, 1);
		return;
	}
	ADD(s->dirty_reads, 1);
	ADD(s->dirty_span, span);
	ADD(s->dirty_bytes, dirty);
}

/* @hwpt_paging is NULL when the read failed before the HWPT was found */
SEC("tp_btf/iommufd_hwpt_get_dirty_bitmap")
int BPF_PROG(dirty_bitmap, const struct iommufd_hwpt_paging___s *hwpt_paging,
	     const struct iommu_hwpt_get_dirty_bitmap___s *cmd, unsigned long dirty_bytes, int ret)
{
	__u64 as = 0;

	if (!cmd)	/* never NULL; a module's tracepoint: see series.bpf.h */
		return 0;
	if (hwpt_paging)
		as = BPF_CORE_READ(hwpt_paging, ioas, obj.id);
	dirty_read(row_of(TOP_IOMMUFD, as), cmd->length, dirty_bytes, ret);
	return 0;
}

SEC("tp_btf/vfio_iommu_type1_dirty_bitmap")
int BPF_PROG(t1_dirty_bitmap, struct vfio_iommu *iommu,
	     const struct vfio_iommu_type1_dirty_bitmap_get___s *range, unsigned long dirty_pages,
	     int ret)
{
	if (!range)
		return 0;
	dirty_read(row_of(TOP_TYPE1, (__u64)iommu), range->size,
		   dirty_pages * range->bitmap.pgsize, ret);
	return 0;
}

/* On the row of the access's IOAS (iommufd) or of the container (type1) */
static __always_inline int access_op(struct top_stats *s, __u64 length, int ret, bool rw)
{
	if (!s)
		return 0;
	if (ret < 0) {
		ADD(s->acc_errors, 1);
	} else if (rw) {
		ADD(s->acc_rws, 1);
		ADD(s->acc_rw_bytes, length);
	} else {
		ADD(s->acc_pins, 1);
		ADD(s->acc_pin_bytes, length);
	}
	return 0;
}

SEC("tp_btf/iommufd_access_pin_pages")
int BPF_PROG(access_pin, void *access, __u32 ioas_id, unsigned long iova, unsigned long length,
	     unsigned int flags, int ret)
{
	return access_op(row_of(TOP_IOMMUFD, ioas_id), length, ret, false);
}

SEC("tp_btf/iommufd_access_rw")
int BPF_PROG(access_rw, void *access, __u32 ioas_id, unsigned long iova, unsigned long length,
	     unsigned int flags, int ret)
{
	return access_op(row_of(TOP_IOMMUFD, ioas_id), length, ret, true);
}

/* type1: vfio_pin_pages() (in pages) and vfio_dma_rw() of an emulated device */
SEC("tp_btf/vfio_iommu_type1_ext_pin_pages")
int BPF_PROG(t1_ext_pin, struct vfio_iommu *iommu, __u64 iova, int npages, int prot, int ret)
{
	return access_op(row_of(TOP_TYPE1, (__u64)iommu), (__u64)npages << targ_page_shift, ret, false);
}

SEC("tp_btf/vfio_iommu_type1_dma_rw")
int BPF_PROG(t1_dma_rw, struct vfio_iommu *iommu, __u64 iova, __u64 count, bool write, int ret)
{
	return access_op(row_of(TOP_TYPE1, (__u64)iommu), count, ret, true);
}

/* ---- fallback: the ioctl syscall, decoded ---- */

static __always_inline int ioctl_enter(int fd, __u32 cmd, __u64 arg)
{
	struct top_cur *c;
	__u32 id = 0;
	int i;

	if (pid_filtered())
		return 0;
	i = IOCTL_INDEX(ioctls, TOP_IOCTLS, cmd);
	if (i < 0 || i >= TOP_IOCTLS)
		return 0;
	c = cur_get(true);
	if (!c)
		return 0;
	if (bpf_probe_read_user(&c->len, sizeof(c->len), (void *)(arg + ioctls[i].len_off)))
		c->len = 0;
	if (ioctls[i].id_off == TOP_ID_FD) {
		make_key(&c->key, ioctls[i].backend, cur_fd_key(fd));
	} else {
		if (bpf_probe_read_user(&id, sizeof(id), (void *)(arg + ioctls[i].id_off)))
			id = 0;
		make_key(&c->key, ioctls[i].backend, id);
	}
	c->op = ioctls[i].op;
	c->start_ns = bpf_ktime_get_ns();
	c->active = 1;
	return 0;
}

static __always_inline int ioctl_exit(long ret)
{
	struct top_cur *c = cur_active();

	if (!c)
		return 0;
	c->active = 0;
	record(&c->key, c->op, c->len, bpf_ktime_get_ns() - c->start_ns, ret < 0 ? -1 : 0);
	return 0;
}

IOCTL_SYSCALL_PROGS()

char LICENSE[] SEC("license") = "GPL";
