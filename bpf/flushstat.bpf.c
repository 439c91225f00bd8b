// SPDX-License-Identifier: GPL-2.0
/*
 * flushstat: IOTLB range syncs and whole-domain flushes, counted here per
 * process x backend x IOAS/container x operation x domain, with a log2
 * histogram of the flushed range per backend.
 *
 * A flush is attributed to the iommufd / VFIO type1 operation its thread
 * is in: the series' *_start events (or, in the fallback, the ioctl
 * syscall) open the operation, its end event closes it.  Flushes outside
 * one are "other" (attach/detach, container close, kernel DMA API).
 *
 * Flush sources, one picked by user space: iommu:iotlb_sync +
 * iommu:flush_iotlb_all (the series), intel_iommu:cache_tag_flush_range /
 * _all, or the IOTLB descriptors of intel_iommu:qi_submit.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

#include "flushstat.h"
#include "bits.bpf.h"
#include "series.bpf.h"

#define MAX_ENTRIES	10240
#define MAX_OBJECTS	1024

/* intel_iommu's cache tags: local CO-RE flavours, only what is read */
enum cache_tag_type___fs {
	CACHE_TAG_IOTLB___fs = 0,
	CACHE_TAG_DEVTLB___fs = 1,
	CACHE_TAG_NESTING_IOTLB___fs = 2,
	CACHE_TAG_NESTING_DEVTLB___fs = 3,
};

struct cache_tag___fs {
	enum cache_tag_type___fs type;
	__u16 domain_id;
} __attribute__((preserve_access_index));

const volatile struct fs_ioctl ioctls[MAX_IOCTLS] = {};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_ENTRIES);
	__type(key, struct fs_key);
	__type(value, struct fs_val);
} counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FS_NR_BACKENDS);
	__type(key, __u32);
	__type(value, struct fs_hist);
} ranges SEC(".maps");

/* tid -> the operation the thread is in */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_ENTRIES);
	__type(key, __u32);
	__type(value, struct fs_thread);
} threads SEC(".maps");

/* struct vfio_iommu (or container file) -> container number, from 1 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, MAX_OBJECTS);
	__type(key, __u64);
	__type(value, __u32);
} containers SEC(".maps");

/* struct iommu_domain -> domain number, from 1 (tracepoint mode) */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, MAX_OBJECTS);
	__type(key, __u64);
	__type(value, __u32);
} domains SEC(".maps");

__u32 nr_containers = 0;
__u64 dropped = 0;	/* flushes and operations not counted: counts was full */
__u32 nr_domains = 0;

static struct fs_val zero_val;

static __always_inline struct fs_val *row(struct fs_key *key)
{
	struct fs_val *v;

	v = bpf_map_lookup_elem(&counts, key);
	if (v)
		return v;
	bpf_map_update_elem(&counts, key, &zero_val, BPF_NOEXIST);
	v = bpf_map_lookup_elem(&counts, key);
	if (v)
		bpf_get_current_comm(v->comm, sizeof(v->comm));
	else
		__sync_fetch_and_add(&dropped, 1);
	return v;
}

/* One flush of domain @dom: a range of @bytes, everything, or nothing. */
static __always_inline int account(__u32 dom, __u64 bytes, enum fs_flush kind)
{
	__u32 tid = cur_tid();
	struct fs_key key = {};
	struct fs_thread *t;
	struct fs_hist *h;
	struct fs_val *v;
	__u32 slot;

	if (pid_filtered())
		return 0;
	key.tgid = bpf_get_current_pid_tgid() >> 32;
	key.dom = dom;
	t = bpf_map_lookup_elem(&threads, &tid);
	if (t) {
		key.backend = t->backend;
		key.op = t->op;
		key.id = t->id;
	} else {
		key.backend = FS_OTHER;
		key.op = FS_OP_NONE;
	}
	v = row(&key);
	if (!v)
		return 0;
	if (kind == FS_FLUSH_ALL) {
		__sync_fetch_and_add(&v->flush_all, 1);
		return 0;
	}
	if (kind == FS_FLUSH_EMPTY) {
		__sync_fetch_and_add(&v->empty_syncs, 1);
		return 0;
	}
	__sync_fetch_and_add(&v->syncs, 1);
	__sync_fetch_and_add(&v->range_bytes, bytes);
	slot = key.backend;
	h = bpf_map_lookup_elem(&ranges, &slot);
	if (h) {
		slot = log2_64(bytes);
		if (slot < RANGE_SLOTS)
			__sync_fetch_and_add(&h->slots[slot], 1);
	}
	return 0;
}

static __always_inline int op_begin(__u8 backend, __u8 op, __u32 id)
{
	struct fs_thread t = {};
	__u32 tid;

	if (pid_filtered())
		return 0;
	tid = cur_tid();
	t.backend = backend;
	t.op = op;
	t.id = id;
	bpf_map_update_elem(&threads, &tid, &t, BPF_ANY);
	return 0;
}

/* The thread's operation is over: count it (@id if it had no start). */
static __always_inline int op_end(__u8 backend, __u8 op, __u32 id, long ret)
{
	__u32 tid = cur_tid();
	struct fs_key key = {};
	struct fs_thread *t;
	struct fs_val *v;

	if (pid_filtered())
		return 0;
	t = bpf_map_lookup_elem(&threads, &tid);
	if (t) {
		backend = t->backend;
		op = t->op;
		id = t->id;
	}
	key.tgid = bpf_get_current_pid_tgid() >> 32;
	key.backend = backend;
	key.op = op;
	key.id = id;
	v = row(&key);
	if (v) {
		__sync_fetch_and_add(&v->ops, 1);
		if (ret < 0)
			__sync_fetch_and_add(&v->failed, 1);
	}
	if (t)
		bpf_map_delete_elem(&threads, &tid);
	return 0;
}

static __always_inline __u32 container_no(void *iommu)
{
	return number(&containers, &nr_containers, (__u64)iommu);
}

/* ---- tracepoint mode: the series' operation events ---- */

SEC("tp_btf/iommufd_ioas_map_start")
int BPF_PROG(iommufd_map_start, const struct iommufd_ioas___s *ioas)
{
	return op_begin(FS_IOMMUFD, FS_OP_MAP, ioas_obj_id(ioas));
}

SEC("tp_btf/iommufd_ioas_map")
int BPF_PROG(iommufd_map, const struct iommufd_ioas___s *ioas, int caller, unsigned long iova,
	     unsigned long length, int prot, unsigned int flags, int ret)
{
	return op_end(FS_IOMMUFD, FS_OP_MAP, ioas_obj_id(ioas), ret);
}

SEC("tp_btf/iommufd_ioas_unmap_start")
int BPF_PROG(iommufd_unmap_start, const struct iommufd_ioas___s *ioas)
{
	return op_begin(FS_IOMMUFD, FS_OP_UNMAP, ioas_obj_id(ioas));
}

SEC("tp_btf/iommufd_ioas_unmap")
int BPF_PROG(iommufd_unmap, const struct iommufd_ioas___s *ioas, int caller, unsigned long start,
	     unsigned long last, unsigned long unmapped, int ret)
{
	return op_end(FS_IOMMUFD, FS_OP_UNMAP, ioas_obj_id(ioas), ret);
}

SEC("tp_btf/iommufd_ioas_copy_start")
int BPF_PROG(iommufd_copy_start, const struct iommu_ioas_copy___s *cmd)
{
	if (!cmd)
		return 0;
	return op_begin(FS_IOMMUFD, FS_OP_COPY, cmd->dst_ioas_id);
}

SEC("tp_btf/iommufd_ioas_copy")
int BPF_PROG(iommufd_copy, struct iommufd_ioas *dst_ioas, const struct iommu_ioas_copy___s *cmd,
	     int ret)
{
	if (!cmd)
		return 0;
	return op_end(FS_IOMMUFD, FS_OP_COPY, cmd->dst_ioas_id, ret);
}

SEC("tp_btf/vfio_iommu_type1_dma_map_start")
int BPF_PROG(type1_map_start, void *iommu)
{
	return op_begin(FS_TYPE1, FS_OP_MAP, container_no(iommu));
}

SEC("tp_btf/vfio_iommu_type1_dma_map")
int BPF_PROG(type1_map, void *iommu, const void *map, int ret)
{
	return op_end(FS_TYPE1, FS_OP_MAP, container_no(iommu), ret);
}

SEC("tp_btf/vfio_iommu_type1_dma_unmap_start")
int BPF_PROG(type1_unmap_start, void *iommu)
{
	return op_begin(FS_TYPE1, FS_OP_UNMAP, container_no(iommu));
}

SEC("tp_btf/vfio_iommu_type1_dma_unmap")
int BPF_PROG(type1_unmap, void *iommu, const void *unmap, __u64 size, __u64 unmapped,
	     int ret)
{
	return op_end(FS_TYPE1, FS_OP_UNMAP, container_no(iommu), ret);
}

/* ---- flush sources ---- */

SEC("tp_btf/iotlb_sync")
int BPF_PROG(iotlb_sync, struct iommu_domain *domain, struct iommu_iotlb_gather___s *gather)
{
	__u32 dom = number(&domains, &nr_domains, (__u64)domain);
	__u64 start = gather->start, end = gather->end;

	/* an empty gather (start ULONG_MAX, end 0) is synced too: no range */
	if (start > end)
		return account(dom, 0, FS_FLUSH_EMPTY);
	return account(dom, end - start + 1, FS_FLUSH_RANGE);
}

SEC("tp_btf/flush_iotlb_all")
int BPF_PROG(flush_iotlb_all, struct iommu_domain *domain)
{
	return account(number(&domains, &nr_domains, (__u64)domain), 0, FS_FLUSH_ALL);
}

/* A freed domain's address may come back: give the next one a new number. */
SEC("fentry/iommu_domain_free")
int BPF_PROG(domain_free, struct iommu_domain *domain)
{
	__u64 ptr = (__u64)domain;

	bpf_map_delete_elem(&domains, &ptr);
	return 0;
}

/* Per cache tag: count the IOTLB tags only (one per IOMMU and DID). */
static __always_inline bool iotlb_tag(struct cache_tag___fs *tag)
{
	enum cache_tag_type___fs type = BPF_CORE_READ(tag, type);

	return type == CACHE_TAG_IOTLB___fs || type == CACHE_TAG_NESTING_IOTLB___fs;
}

SEC("tp_btf/cache_tag_flush_range")
int BPF_PROG(cache_tag_flush_range, struct cache_tag___fs *tag, unsigned long start,
	     unsigned long end)
{
	if (!iotlb_tag(tag))
		return 0;
	/* 7.x has no cache_tag_flush_all event: a flush-all is [0, ~0UL] here */
	if (start == 0 && end == ~0UL)
		return account(BPF_CORE_READ(tag, domain_id) + 1, 0, FS_FLUSH_ALL);
	if (start > end)	/* the sync of an empty gather */
		return account(BPF_CORE_READ(tag, domain_id) + 1, 0, FS_FLUSH_EMPTY);
	return account(BPF_CORE_READ(tag, domain_id) + 1, end - start + 1, FS_FLUSH_RANGE);
}

SEC("tp_btf/cache_tag_flush_all")
int BPF_PROG(cache_tag_flush_all, struct cache_tag___fs *tag)
{
	if (!iotlb_tag(tag))
		return 0;
	return account(BPF_CORE_READ(tag, domain_id) + 1, 0, FS_FLUSH_ALL);
}

/*
 * VT-d invalidation descriptors (spec 6.5.2): type in qw0 bits 3:0 and
 * 11:9; IOTLB (2) and PASID IOTLB (6) carry the DID in 31:16, the
 * granularity in 5:4 (page-selective: 3) and, page-selective, the
 * address mask (log2 of 4 KiB pages) in qw1 bits 5:0.
 */
#define QI_TYPE(qw0)	(((qw0) & 0xf) | (((qw0) >> 5) & 0x70))
#define QI_IOTLB	2
#define QI_PIOTLB	6

SEC("tp_btf/qi_submit")
int BPF_PROG(qi_submit, struct intel_iommu *iommu, __u64 qw0, __u64 qw1)
{
	__u64 type = QI_TYPE(qw0);
	__u32 dom = ((qw0 >> 16) & 0xffff) + 1;

	if (type != QI_IOTLB && type != QI_PIOTLB)
		return 0;
	if (((qw0 >> 4) & 3) != 3)
		return account(dom, 0, FS_FLUSH_ALL);
	return account(dom, 4096ULL << (qw1 & 0x3f), FS_FLUSH_RANGE);
}

/* Unmaps outside an iommufd/type1 operation (the fallback's "other"). */
SEC("tp_btf/unmap")
int BPF_PROG(iommu_unmap, unsigned long iova, size_t size, size_t unmapped)
{
	__u32 tid = cur_tid();
	struct fs_key key = {};
	struct fs_val *v;

	if (pid_filtered() || bpf_map_lookup_elem(&threads, &tid))
		return 0;
	key.tgid = bpf_get_current_pid_tgid() >> 32;
	key.backend = FS_OTHER;
	key.op = FS_OP_UNMAP;
	v = row(&key);
	if (v)
		__sync_fetch_and_add(&v->ops, 1);
	return 0;
}

/* ---- fallback: the ioctl syscall, decoded ---- */

/* The vfio_iommu behind container @fd (its file if that type is unknown). */
static __always_inline __u64 container_of_fd(__u32 fd)
{
	struct file___s *f = current_file(fd);
	struct vfio_container___s *c;
	void *iommu = NULL;

	if (!f)
		return 0;
	if (!bpf_core_type_exists(struct vfio_container___s))
		return (__u64)f;
	c = BPF_CORE_READ(f, private_data);
	if (c)
		iommu = BPF_CORE_READ(c, iommu_data);
	return iommu ? (__u64)iommu : (__u64)f;
}

static __always_inline int ioctl_enter(int fd, __u32 cmd, __u64 arg)
{
	int i = IOCTL_INDEX(ioctls, MAX_IOCTLS, cmd);
	__u32 id = 0;

	if (i < 0 || i >= MAX_IOCTLS)
		return 0;
	if (ioctls[i].backend == FS_TYPE1)
		id = number(&containers, &nr_containers, container_of_fd(fd));
	else if (bpf_probe_read_user(&id, sizeof(id), (void *)(arg + ioctls[i].id_off)))
		id = 0;
	return op_begin(ioctls[i].backend, ioctls[i].op, id);
}

static __always_inline int ioctl_exit(long ret)
{
	__u32 tid = cur_tid();

	if (!bpf_map_lookup_elem(&threads, &tid))
		return 0;
	return op_end(FS_OTHER, FS_OP_NONE, 0, ret);
}

IOCTL_SYSCALL_PROGS()

char LICENSE[] SEC("license") = "GPL";
