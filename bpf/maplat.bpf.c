// SPDX-License-Identifier: GPL-2.0
/*
 * maplat: DMA map/unmap/copy latency of iommufd, VFIO type1 and the VFIO
 * compat ioctls served by iommufd as log2 histograms, aggregated here,
 * keyed by backend x operation x size class (x process with -P, x IOAS or
 * container with -I); dirty bitmap reads too, with the IOVA they walked
 * and found dirty, maps of files, and the page pins and CPU copies of
 * emulated devices (tracepoint mode).
 *
 * Tracepoint mode: tp_btf programs on the _start and end events of the
 * ioasid-trace series; the latency is from the _start event to the end
 * event of the same thread (the series fires both in the handler's
 * thread and never nests two timed operations in one).  An IOAS map or
 * unmap whose caller is the VFIO compat layer is the compat backend's.
 * Fallback mode (kernels without the series): syscalls:sys_{enter,exit}_ioctl
 * (or raw_syscalls) with the ioctl decoded here.
 * Both keep the thread's operation in task storage: created once per
 * thread, then a pointer in the task, so no hash update and delete per
 * operation.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

#include "maplat.h"
#include "bits.bpf.h"
#include "series.bpf.h"

#define MAX_ENTRIES	10240

const volatile __u64 targ_unit_ns = 1000;	/* bucket unit: us, ns (-N), ms (-m) */
const volatile bool targ_per_process = false;	/* -P */
const volatile bool targ_breakdown = false;	/* -B */
const volatile bool targ_per_ioas = false;	/* -I */
const volatile int filter_backend = -1;		/* --backend */
const volatile struct ioctl_desc ioctls[MAX_IOCTLS] = {};
__u64 dropped = 0;	/* operations not counted: hists was full */

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_ENTRIES);
	__type(key, struct hist_key);
	__type(value, struct hist);
} hists SEC(".maps");

/* The operation the thread is in (valid while active), every mode. */
DEFINE_CUR_OP(struct op_state)

static struct hist zero_hist;

/*
 * Account one finished operation; @st (may be NULL) carries -B counters,
 * @dirty the IOVA a dirty bitmap read found dirty.
 */
static __always_inline int record(__u8 backend, __u8 op, __u64 len, __u64 as, __u64 delta_ns,
				  int ret, const struct op_state *st, __u64 dirty)
{
	struct hist_key key = {};
	struct hist *h;
	__u64 slot;

	key.backend = backend;
	key.op = op;
	key.size_log2 = log2_64(len);
	if (targ_per_process)
		key.pid = bpf_get_current_pid_tgid() >> 32;
	if (targ_per_ioas)
		key.as = as;

	h = bpf_map_lookup_elem(&hists, &key);
	if (!h) {
		bpf_map_update_elem(&hists, &key, &zero_hist, BPF_NOEXIST);
		h = bpf_map_lookup_elem(&hists, &key);
		if (!h) {
			__sync_fetch_and_add(&dropped, 1);
			return 0;
		}
		if (targ_per_process)
			bpf_get_current_comm(h->comm, sizeof(h->comm));
	}
	if (targ_breakdown && st) {
		__sync_fetch_and_add(&h->pin_batches, st->pin_batches);
		__sync_fetch_and_add(&h->pinned_pages, st->pinned_pages);
		__sync_fetch_and_add(&h->iotlb_syncs, st->iotlb_syncs);
	}
	if (ret < 0) {
		__sync_fetch_and_add(&h->errors, 1);
		return 0;
	}
	slot = log2_slot(delta_ns / targ_unit_ns, MAX_SLOTS);
	__sync_fetch_and_add(&h->slots[slot], 1);
	__sync_fetch_and_add(&h->count, 1);
	__sync_fetch_and_add(&h->sum_ns, delta_ns);
	if (op == MAPLAT_DIRTY) {
		__sync_fetch_and_add(&h->span_bytes, len);
		__sync_fetch_and_add(&h->dirty_bytes, dirty);
	}
	return 0;
}

/* ---- tracepoint mode: _start to end event of the same thread ---- */

static __always_inline int op_begin(__u8 backend, __u8 op)
{
	struct op_state *st;

	/* compat shares iommufd's events: --backend is applied here */
	if (filter_backend >= 0 && backend != filter_backend)
		return 0;
	if (pid_filtered())
		return 0;
	st = cur_get(true);
	if (!st)
		return 0;
	st->backend = backend;
	st->op = op;
	if (targ_breakdown) {
		st->pin_batches = 0;
		st->pinned_pages = 0;
		st->iotlb_syncs = 0;
	}
	st->active = 1;
	/* last: the _start program's own cost stays out of the latency */
	st->start_ns = bpf_ktime_get_ns();
	return 0;
}

/*
 * No pid_filtered() here: op_begin() applied the filters, and an end
 * without an active start (filtered, or maplat attached mid-operation)
 * is ignored.
 */
static __always_inline int end_event(__u8 backend, __u8 op, __u64 len, __u64 as, int ret,
				     __u64 dirty)
{
	__u64 now = bpf_ktime_get_ns();
	struct op_state *st = cur_active();

	if (!st)
		return 0;
	st->active = 0;
	if (st->backend != backend || st->op != op)
		return 0;
	return record(backend, op, len, as, now - st->start_ns, ret, st, dirty);
}

/* -I: the IOAS id; without -I every IOAS is 0 */
static __always_inline __u64 ioas_id(const struct iommufd_ioas___s *ioas)
{
	return targ_per_ioas ? ioas_obj_id(ioas) : 0;
}

/* iommufd's IOAS events: the VFIO compat ioctls are the compat backend */
static __always_inline __u8 ioas_backend(int caller)
{
	return iopt_caller_compat(caller) ? MAPLAT_COMPAT : MAPLAT_IOMMUFD;
}

/* IOMMU_IOAS_MAP_FILE is an operation of its own; the unmap cannot tell */
static __always_inline __u8 map_op(int caller)
{
	return iopt_caller_map_file(caller) ? MAPLAT_MAP_FILE : MAPLAT_MAP;
}

/* Every map of an IOAS, whatever its entry point (ioctl, map_file, VFIO compat) */
SEC("tp_btf/iommufd_ioas_map")
int BPF_PROG(iommufd_map, const struct iommufd_ioas___s *ioas, int caller, unsigned long iova,
	     unsigned long length, int prot, unsigned int flags, int ret)
{
	return end_event(ioas_backend(caller), map_op(caller), length, ioas_id(ioas), ret, 0);
}

/* [start, last]; the whole space (unmap all) is sized by what went */
SEC("tp_btf/iommufd_ioas_unmap")
int BPF_PROG(iommufd_unmap, const struct iommufd_ioas___s *ioas, int caller, unsigned long start,
	     unsigned long last, unsigned long unmapped, int ret)
{
	__u64 length = last - start + 1;

	return end_event(ioas_backend(caller), MAPLAT_UNMAP, length ?: unmapped, ioas_id(ioas),
			 ret, 0);
}

SEC("tp_btf/iommufd_ioas_copy")
int BPF_PROG(iommufd_copy, void *dst_ioas, const struct iommu_ioas_copy___s *cmd, int ret)
{
	if (!cmd)	/* never NULL; a module's tracepoint: see series.bpf.h */
		return 0;
	return end_event(MAPLAT_IOMMUFD, MAPLAT_COPY, cmd->length,
			 targ_per_ioas ? cmd->dst_ioas_id : 0, ret, 0);
}

/* -I: a container has no id; its address is numbered by user space */
SEC("tp_btf/vfio_iommu_type1_dma_map")
int BPF_PROG(type1_map, struct vfio_iommu *iommu, const struct vfio_iommu_type1_dma_map___s *map,
	     int ret)
{
	if (!map)
		return 0;
	return end_event(MAPLAT_TYPE1, MAPLAT_MAP, map->size, (__u64)iommu, ret, 0);
}

SEC("tp_btf/vfio_iommu_type1_dma_unmap")
int BPF_PROG(type1_unmap, struct vfio_iommu *iommu, const void *unmap, __u64 size,
	     __u64 unmapped, int ret)
{
	return end_event(MAPLAT_TYPE1, MAPLAT_UNMAP, size, (__u64)iommu, ret, 0);
}

SEC("tp_btf/iommufd_ioas_map_start")
int BPF_PROG(iommufd_map_start, void *ioas, int caller)
{
	return op_begin(ioas_backend(caller), map_op(caller));
}

SEC("tp_btf/iommufd_ioas_unmap_start")
int BPF_PROG(iommufd_unmap_start, void *ioas, int caller)
{
	return op_begin(ioas_backend(caller), MAPLAT_UNMAP);
}

SEC("tp_btf/iommufd_ioas_copy_start")
int BPF_PROG(iommufd_copy_start)
{
	return op_begin(MAPLAT_IOMMUFD, MAPLAT_COPY);
}

SEC("tp_btf/vfio_iommu_type1_dma_map_start")
int BPF_PROG(type1_map_start)
{
	return op_begin(MAPLAT_TYPE1, MAPLAT_MAP);
}

SEC("tp_btf/vfio_iommu_type1_dma_unmap_start")
int BPF_PROG(type1_unmap_start)
{
	return op_begin(MAPLAT_TYPE1, MAPLAT_UNMAP);
}

/*
 * Dirty bitmap reads (a VMM's live migration rounds).  -I: the HWPT's IOAS
 * (iommufd), the container (type1).  Optional: a kernel whose series has
 * no dirty tracking events leaves them out.
 */
SEC("tp_btf/iommufd_hwpt_get_dirty_bitmap_start")
int BPF_PROG(iommufd_dirty_start)
{
	return op_begin(MAPLAT_IOMMUFD, MAPLAT_DIRTY);
}

SEC("tp_btf/iommufd_hwpt_get_dirty_bitmap")
int BPF_PROG(iommufd_dirty, const struct iommufd_hwpt_paging___s *hwpt_paging,
	     const struct iommu_hwpt_get_dirty_bitmap___s *cmd, unsigned long dirty_bytes, int ret)
{
	__u64 as = 0;

	if (!cmd)	/* never NULL; a module's tracepoint: see series.bpf.h */
		return 0;
	/* NULL on the early error paths (__nullable) */
	if (targ_per_ioas && hwpt_paging)
		as = BPF_CORE_READ(hwpt_paging, ioas, obj.id);
	return end_event(MAPLAT_IOMMUFD, MAPLAT_DIRTY, cmd->length, as, ret, dirty_bytes);
}

SEC("tp_btf/vfio_iommu_type1_dirty_bitmap_start")
int BPF_PROG(type1_dirty_start)
{
	return op_begin(MAPLAT_TYPE1, MAPLAT_DIRTY);
}

SEC("tp_btf/vfio_iommu_type1_dirty_bitmap")
int BPF_PROG(type1_dirty, struct vfio_iommu *iommu,
	     const struct vfio_iommu_type1_dirty_bitmap_get___s *range, unsigned long dirty_pages,
	     int ret)
{
	if (!range)
		return 0;
	return end_event(MAPLAT_TYPE1, MAPLAT_DIRTY, range->size, (__u64)iommu, ret,
			 dirty_pages * range->bitmap.pgsize);
}

/*
 * Emulated devices (an mdev, vfio_pin_pages() and vfio_dma_rw() on iommufd)
 * and a vIOMMU hardware queue's internal access: page pins and CPU copies
 * through an iommufd access.  -I: the IOAS the access is attached to (0
 * when the call failed before it had one).  Optional, as the dirty bitmap
 * reads.
 */
static __always_inline int access_end(__u8 op, __u32 ioas_id, unsigned long length, int ret)
{
	return end_event(MAPLAT_IOMMUFD, op, length, targ_per_ioas ? ioas_id : 0, ret, 0);
}

SEC("tp_btf/iommufd_access_pin_pages_start")
int BPF_PROG(access_pin_start)
{
	return op_begin(MAPLAT_IOMMUFD, MAPLAT_PIN);
}

SEC("tp_btf/iommufd_access_pin_pages")
int BPF_PROG(access_pin, void *access, __u32 ioas_id, unsigned long iova, unsigned long length,
	     unsigned int flags, int ret)
{
	return access_end(MAPLAT_PIN, ioas_id, length, ret);
}

SEC("tp_btf/iommufd_access_rw_start")
int BPF_PROG(access_rw_start)
{
	return op_begin(MAPLAT_IOMMUFD, MAPLAT_RW);
}

SEC("tp_btf/iommufd_access_rw")
int BPF_PROG(access_rw, void *access, __u32 ioas_id, unsigned long iova, unsigned long length,
	     unsigned int flags, int ret)
{
	return access_end(MAPLAT_RW, ioas_id, length, ret);
}

/*
 * The same on a type1 container: vfio_pin_pages() and vfio_dma_rw() of an
 * emulated device, often from the driver's kernel thread.  -I: the
 * container.  A pin's size is npages pages.
 */
SEC("tp_btf/vfio_iommu_type1_ext_pin_pages_start")
int BPF_PROG(type1_ext_pin_start)
{
	return op_begin(MAPLAT_TYPE1, MAPLAT_PIN);
}

SEC("tp_btf/vfio_iommu_type1_ext_pin_pages")
int BPF_PROG(type1_ext_pin, struct vfio_iommu *iommu, __u64 iova, int npages, int prot, int ret)
{
	return end_event(MAPLAT_TYPE1, MAPLAT_PIN, (__u64)npages << targ_page_shift, (__u64)iommu, ret, 0);
}

SEC("tp_btf/vfio_iommu_type1_dma_rw_start")
int BPF_PROG(type1_rw_start)
{
	return op_begin(MAPLAT_TYPE1, MAPLAT_RW);
}

SEC("tp_btf/vfio_iommu_type1_dma_rw")
int BPF_PROG(type1_rw, struct vfio_iommu *iommu, __u64 iova, __u64 count, bool write, int ret)
{
	return end_event(MAPLAT_TYPE1, MAPLAT_RW, count, (__u64)iommu, ret, 0);
}

/* ---- -B: pin batches and IOTLB syncs of the thread's operation ---- */

static __always_inline int pinned(int ret)
{
	struct op_state *st = cur_active();

	if (!st)
		return 0;
	st->pin_batches++;
	if (ret > 0)
		st->pinned_pages += ret;
	return 0;
}

SEC("tp_btf/iommufd_pages_pin")
int BPF_PROG(iommufd_pin, struct iopt_pages *pages, __u64 npages, int ret)
{
	return pinned(ret);
}

SEC("tp_btf/vfio_iommu_type1_pin_pages")
int BPF_PROG(type1_pin, struct vfio_dma *dma, __u64 iova, __u64 npages, int ret)
{
	return pinned(ret);
}

SEC("tp_btf/iotlb_sync")
int BPF_PROG(iotlb_sync, struct iommu_domain *domain, struct iommu_iotlb_gather *gather)
{
	struct op_state *st = cur_active();

	if (st)
		st->iotlb_syncs++;
	return 0;
}

/* ---- fallback mode: the ioctl syscall, decoded ---- */

static __always_inline int ioctl_enter(int fd, __u32 cmd, __u64 arg)
{
	struct op_state *st;
	__u32 id;
	int i;

	if (pid_filtered())
		return 0;
	i = IOCTL_INDEX(ioctls, MAX_IOCTLS, cmd);
	if (i < 0 || i >= MAX_IOCTLS)
		return 0;
	if (filter_backend >= 0 && ioctls[i].backend != filter_backend)
		return 0;
	st = cur_get(true);
	if (!st)
		return 0;
	st->backend = ioctls[i].backend;
	st->op = ioctls[i].op;
	if (bpf_probe_read_user(&st->len, sizeof(st->len), (void *)(arg + ioctls[i].len_off)))
		st->len = 0;
	/* -I: the IOAS id in the user struct; a type1 container is its fd */
	st->as = 0;
	if (targ_per_ioas && ioctls[i].id_off == IOCTL_ID_FD)
		st->as = cur_fd_key(fd);
	else if (targ_per_ioas &&
		 !bpf_probe_read_user(&id, sizeof(id), (void *)(arg + ioctls[i].id_off)))
		st->as = id;
	st->active = 1;
	st->start_ns = bpf_ktime_get_ns();
	return 0;
}

/* Every ioctl's exit: only those ioctl_enter() marked find an active state. */
static __always_inline int ioctl_exit(long ret)
{
	struct op_state *st = cur_active();

	if (!st)
		return 0;
	st->active = 0;
	return record(st->backend, st->op, st->len, st->as, bpf_ktime_get_ns() - st->start_ns,
		      ret < 0 ? -1 : 0, NULL, 0);
}

IOCTL_SYSCALL_PROGS()

char LICENSE[] SEC("license") = "GPL";
