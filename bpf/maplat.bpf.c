// SPDX-License-Identifier: GPL-2.0
/*
 * maplat: DMA map/unmap/copy latency of iommufd and VFIO type1 as log2
 * histograms, aggregated here, keyed by backend x operation x size class
 * (x process with -P, x IOAS or container with -I).
 *
 * Tracepoint mode: one tp_btf program per operation on the END events of
 * the ioasid-trace series; the latency is now - start_ns, the timestamp
 * the kernel took on entry.  No start map.
 * Fallback mode (kernels without the series): syscalls:sys_{enter,exit}_ioctl
 * (or raw_syscalls) with the ioctl decoded here and a per-thread start map.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

#include "maplat.h"

#define MAX_ENTRIES	10240

/*
 * The series' tracepoint arguments, only the members read here.  Local
 * CO-RE flavours, so this builds against any vmlinux.h (the host's too)
 * and relocates against the running kernel's BTF.
 */
struct iommufd_ioas;
struct vfio_iommu;
struct vfio_dma;
struct iopt_pages;
struct iommu_domain;
struct iommu_iotlb_gather;

struct iommu_ioas_map___mpl {
	__u32 ioas_id;
	__u64 length;
} __attribute__((preserve_access_index));

struct iommu_ioas_unmap___mpl {
	__u32 ioas_id;
	__u64 length;
} __attribute__((preserve_access_index));

struct iommu_ioas_copy___mpl {
	__u32 dst_ioas_id;
	__u64 length;
} __attribute__((preserve_access_index));

struct iommufd_object___mpl {
	unsigned int id;
} __attribute__((preserve_access_index));

struct iommufd_ioas___mpl {
	struct iommufd_object___mpl obj;
} __attribute__((preserve_access_index));

struct vfio_iommu_type1_dma_map___mpl {
	__u64 size;
} __attribute__((preserve_access_index));

const volatile bool targ_ns = false;		/* ns buckets, else us */
const volatile bool targ_per_process = false;	/* -P */
const volatile bool targ_breakdown = false;	/* -B */
const volatile bool targ_per_ioas = false;	/* -I */
const volatile __u32 filter_tgid = 0;		/* -p */
const volatile int filter_backend = -1;		/* --backend, fallback mode */
const volatile long targ_nr_ioctl = 16;		/* raw_syscalls: __NR_ioctl */
const volatile struct ioctl_desc ioctls[MAX_IOCTLS] = {};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_ENTRIES);
	__type(key, struct hist_key);
	__type(value, struct hist);
} hists SEC(".maps");

/* Fallback: the ioctl a thread is in.  -B: the operation a thread is in. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_ENTRIES);
	__type(key, __u32);
	__type(value, struct op_state);
} ops SEC(".maps");

static struct hist zero_hist;

static __always_inline __u64 log2_32(__u32 v)
{
	__u32 shift, r;

	r = (v > 0xFFFF) << 4;
	v >>= r;
	shift = (v > 0xFF) << 3;
	v >>= shift;
	r |= shift;
	shift = (v > 0xF) << 2;
	v >>= shift;
	r |= shift;
	shift = (v > 0x3) << 1;
	v >>= shift;
	r |= shift;
	r |= (v >> 1);
	return r;
}

/* floor(log2(v)), 0 for v == 0: the slot of lib/hist.h */
static __always_inline __u64 log2_64(__u64 v)
{
	__u32 hi = v >> 32;

	return hi ? log2_32(hi) + 32 : log2_32(v);
}

static __always_inline bool pid_filtered(void)
{
	return filter_tgid && (bpf_get_current_pid_tgid() >> 32) != filter_tgid;
}

/* Account one finished operation; @st (may be NULL) carries -B counters. */
static __always_inline int record(__u8 backend, __u8 op, __u64 len, __u64 as, __u64 delta_ns,
				  int ret, const struct op_state *st)
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
		if (!h)
			return 0;
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
	slot = log2_64(targ_ns ? delta_ns : delta_ns / 1000);
	if (slot >= MAX_SLOTS)
		slot = MAX_SLOTS - 1;
	__sync_fetch_and_add(&h->slots[slot], 1);
	__sync_fetch_and_add(&h->count, 1);
	__sync_fetch_and_add(&h->sum_ns, delta_ns);
	return 0;
}

/* ---- tracepoint mode: end events carry start_ns ---- */

static __always_inline int end_event(__u8 backend, __u8 op, __u64 len, __u64 as, __u64 start_ns,
				     int ret)
{
	struct op_state *st = NULL;
	__u32 tid;
	int err;

	/* the event was enabled while the operation ran: no start */
	if (!start_ns)
		return 0;
	if (pid_filtered())
		return 0;
	if (targ_breakdown) {
		tid = (__u32)bpf_get_current_pid_tgid();
		st = bpf_map_lookup_elem(&ops, &tid);
	}
	err = record(backend, op, len, as, bpf_ktime_get_ns() - start_ns, ret, st);
	if (st)
		bpf_map_delete_elem(&ops, &tid);
	return err;
}

/*
 * -I: the IOAS the handler looked up, or (lookup failed, @ioas NULL) the
 * id user space asked for.
 */
static __always_inline __u64 ioas_id(const struct iommufd_ioas___mpl *ioas, __u32 asked)
{
	if (!targ_per_ioas)
		return 0;
	return ioas ? ioas->obj.id : asked;
}

SEC("tp_btf/iommufd_ioas_map")
int BPF_PROG(iommufd_map, const struct iommufd_ioas___mpl *ioas,
	     const struct iommu_ioas_map___mpl *cmd, __u64 start_ns, int ret)
{
	return end_event(MAPLAT_IOMMUFD, MAPLAT_MAP, cmd->length, ioas_id(ioas, cmd->ioas_id),
			 start_ns, ret);
}

/* cmd->length now holds the bytes unmapped; @length is what was asked */
SEC("tp_btf/iommufd_ioas_unmap")
int BPF_PROG(iommufd_unmap, const struct iommufd_ioas___mpl *ioas,
	     const struct iommu_ioas_unmap___mpl *cmd, __u64 length, __u64 unmapped,
	     __u64 start_ns, int ret)
{
	return end_event(MAPLAT_IOMMUFD, MAPLAT_UNMAP, length, ioas_id(ioas, cmd->ioas_id),
			 start_ns, ret);
}

SEC("tp_btf/iommufd_ioas_copy")
int BPF_PROG(iommufd_copy, const struct iommufd_ioas___mpl *dst_ioas,
	     const struct iommu_ioas_copy___mpl *cmd, __u64 start_ns, int ret)
{
	return end_event(MAPLAT_IOMMUFD, MAPLAT_COPY, cmd->length,
			 ioas_id(dst_ioas, cmd->dst_ioas_id), start_ns, ret);
}

/* -I: a container has no id; its address is numbered by user space */
SEC("tp_btf/vfio_iommu_type1_dma_map")
int BPF_PROG(type1_map, struct vfio_iommu *iommu, const struct vfio_iommu_type1_dma_map___mpl *map,
	     __u64 start_ns, int ret)
{
	return end_event(MAPLAT_TYPE1, MAPLAT_MAP, map->size, (__u64)iommu, start_ns, ret);
}

SEC("tp_btf/vfio_iommu_type1_dma_unmap")
int BPF_PROG(type1_unmap, struct vfio_iommu *iommu, const void *unmap, __u64 size,
	     __u64 unmapped, __u64 start_ns, int ret)
{
	return end_event(MAPLAT_TYPE1, MAPLAT_UNMAP, size, (__u64)iommu, start_ns, ret);
}

/* ---- -B: attribute pin batches and IOTLB syncs to the thread's operation ---- */

static __always_inline int op_begin(__u8 backend, __u8 op)
{
	struct op_state st = {};
	__u32 tid;

	if (pid_filtered())
		return 0;
	tid = (__u32)bpf_get_current_pid_tgid();
	st.backend = backend;
	st.op = op;
	bpf_map_update_elem(&ops, &tid, &st, BPF_ANY);
	return 0;
}

SEC("tp_btf/iommufd_ioas_map_start")
int BPF_PROG(iommufd_map_start)
{
	return op_begin(MAPLAT_IOMMUFD, MAPLAT_MAP);
}

SEC("tp_btf/iommufd_ioas_unmap_start")
int BPF_PROG(iommufd_unmap_start)
{
	return op_begin(MAPLAT_IOMMUFD, MAPLAT_UNMAP);
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

static __always_inline int pinned(int ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct op_state *st;

	st = bpf_map_lookup_elem(&ops, &tid);
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
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct op_state *st;

	st = bpf_map_lookup_elem(&ops, &tid);
	if (st)
		st->iotlb_syncs++;
	return 0;
}

/* ---- fallback mode: the ioctl syscall, decoded ---- */

static __always_inline int ioctl_enter(__u64 fd, __u32 cmd, __u64 arg)
{
	struct op_state st = {};
	__u32 tid, id;
	int i;

	if (pid_filtered())
		return 0;
	for (i = 0; i < MAX_IOCTLS; i++) {
		if (!ioctls[i].cmd || ioctls[i].cmd != cmd)
			continue;
		if (filter_backend >= 0 && ioctls[i].backend != filter_backend)
			return 0;
		st.backend = ioctls[i].backend;
		st.op = ioctls[i].op;
		if (bpf_probe_read_user(&st.len, sizeof(st.len),
					(void *)(arg + ioctls[i].len_off)))
			st.len = 0;
		/* -I: the IOAS id in the user struct; a type1 container is its fd */
		if (targ_per_ioas && ioctls[i].id_off == IOCTL_ID_FD)
			st.as = (bpf_get_current_pid_tgid() & ~0xffffffffULL) | (__u32)fd;
		else if (targ_per_ioas &&
			 !bpf_probe_read_user(&id, sizeof(id), (void *)(arg + ioctls[i].id_off)))
			st.as = id;
		tid = (__u32)bpf_get_current_pid_tgid();
		st.start_ns = bpf_ktime_get_ns();
		bpf_map_update_elem(&ops, &tid, &st, BPF_ANY);
		return 0;
	}
	return 0;
}

static __always_inline int ioctl_exit(long ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct op_state *st;

	st = bpf_map_lookup_elem(&ops, &tid);
	if (!st)
		return 0;
	record(st->backend, st->op, st->len, st->as, bpf_ktime_get_ns() - st->start_ns,
	       ret < 0 ? -1 : 0, NULL);
	bpf_map_delete_elem(&ops, &tid);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_ioctl")
int sys_enter_ioctl(struct trace_event_raw_sys_enter *ctx)
{
	return ioctl_enter(ctx->args[0], (__u32)ctx->args[1], ctx->args[2]);
}

SEC("tracepoint/syscalls/sys_exit_ioctl")
int sys_exit_ioctl(struct trace_event_raw_sys_exit *ctx)
{
	return ioctl_exit(ctx->ret);
}

SEC("tracepoint/raw_syscalls/sys_enter")
int raw_sys_enter(struct trace_event_raw_sys_enter *ctx)
{
	if (ctx->id != targ_nr_ioctl)
		return 0;
	return ioctl_enter(ctx->args[0], (__u32)ctx->args[1], ctx->args[2]);
}

SEC("tracepoint/raw_syscalls/sys_exit")
int raw_sys_exit(struct trace_event_raw_sys_exit *ctx)
{
	if (ctx->id != targ_nr_ioctl)
		return 0;
	return ioctl_exit(ctx->ret);
}

char LICENSE[] SEC("license") = "GPL";
