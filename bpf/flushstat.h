/* SPDX-License-Identifier: GPL-2.0 */
/* flushstat: types shared by flushstat.bpf.c and flushstat.c (fixed width only). */
#ifndef __FLUSHSTAT_H
#define __FLUSHSTAT_H

#define TASK_COMM_LEN	16
/* log2 buckets of the flushed range in bytes (lib/hist.h's contract) */
#define RANGE_SLOTS	64
/* ioctls the fallback decodes: IOAS map/unmap/copy, type1 map/unmap */
#define MAX_IOCTLS	5

enum fs_backend {
	FS_IOMMUFD,
	FS_TYPE1,
	FS_OTHER,		/* no iommufd/type1 operation on this thread */
	FS_NR_BACKENDS,
};

enum fs_op {
	FS_OP_NONE,
	FS_OP_MAP,
	FS_OP_UNMAP,
	FS_OP_COPY,
	FS_NR_OPS,
};

/* What one flush event did (account() in flushstat.bpf.c). */
enum fs_flush {
	FS_FLUSH_RANGE,
	FS_FLUSH_ALL,
	FS_FLUSH_EMPTY,		/* a sync of an empty gather (start > end) */
};

/* Where the flushes come from (set by user space, see flushstat.md). */
enum fs_source {
	FS_SRC_IOTLB_SYNC,	/* iommu:iotlb_sync + iommu:flush_iotlb_all (the series) */
	FS_SRC_CACHE_TAG,	/* intel_iommu:cache_tag_flush_range/_all */
	FS_SRC_QI,		/* intel_iommu:qi_submit IOTLB descriptors */
	FS_SRC_NONE,
};

/*
 * One counter row.  dom == 0: the operation counters of (tgid, backend,
 * id, op); dom > 0: the flushes of that domain (tracepoint mode: a small
 * number per struct iommu_domain; VT-d fallback: DID + 1).
 */
struct fs_key {
	__u32 tgid;
	__u32 id;		/* iommufd: IOAS id; type1: container number */
	__u32 dom;
	__u8 backend;		/* enum fs_backend */
	__u8 op;		/* enum fs_op */
	__u8 pad[2];
};

struct fs_val {
	__u64 syncs;		/* range flushes (iotlb_sync) */
	__u64 flush_all;	/* whole-domain flushes */
	__u64 range_bytes;	/* sum of the syncs' end - start + 1 */
	__u64 empty_syncs;	/* iotlb_sync of an empty gather: no range */
	__u64 ops;		/* dom == 0: completed operations of this op */
	__u64 failed;		/* dom == 0: ... of which failed */
	char comm[TASK_COMM_LEN];
};

struct fs_hist {
	__u64 slots[RANGE_SLOTS];
};

/* The operation a thread is in. */
struct fs_thread {
	__u32 id;
	__u8 backend;
	__u8 op;
	__u8 pad[2];
};

/* Fallback: an ioctl command and where its IOAS id is. */
struct fs_ioctl {
	__u32 cmd;
	__u8 backend;
	__u8 op;
	__u16 id_off;		/* iommufd: offset of the u32 ioas_id; type1: unused */
};

#endif /* __FLUSHSTAT_H */
