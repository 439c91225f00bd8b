/* SPDX-License-Identifier: GPL-2.0 */
/* maplat: types shared by maplat.bpf.c and maplat.c (fixed width only). */
#ifndef __MAPLAT_H
#define __MAPLAT_H

/* log2 buckets of the latency (lib/hist.h has the bucket contract) */
#define MAX_SLOTS	32
#define TASK_COMM_LEN	16
/* ioctls the fallback mode decodes: IOAS map/unmap/copy, type1 map/unmap */
#define MAX_IOCTLS	5

enum maplat_backend {
	MAPLAT_IOMMUFD,
	MAPLAT_TYPE1,
	MAPLAT_COMPAT,		/* type1's ioctls served by iommufd (tracepoint mode) */
	MAPLAT_NR_BACKENDS,
};

enum maplat_op {
	MAPLAT_MAP,
	MAPLAT_UNMAP,
	MAPLAT_COPY,
	MAPLAT_DIRTY,		/* a dirty bitmap read (tracepoint mode) */
	MAPLAT_MAP_FILE,	/* IOMMU_IOAS_MAP_FILE (tracepoint mode) */
	MAPLAT_PIN,		/* an emulated device's page pin (tracepoint mode) */
	MAPLAT_RW,		/* an emulated device's CPU copy (tracepoint mode) */
	MAPLAT_NR_OPS,
};

struct hist_key {
	/*
	 * -I: the address space.  iommufd, compat: the IOAS id.  type1: the
	 * container, which has no id: the struct vfio_iommu address
	 * (tracepoint mode) or tgid << 32 | fd (fallback); user space
	 * numbers these and never prints them.  0 without -I.
	 */
	__u64 as;
	__u32 pid;		/* tgid with -P, else 0 */
	__u8 backend;		/* enum maplat_backend */
	__u8 op;		/* enum maplat_op */
	__u8 size_log2;		/* floor(log2(length in bytes)) */
	__u8 pad;
};

struct hist {
	__u64 slots[MAX_SLOTS];	/* successful operations by latency */
	__u64 count;		/* successful operations (sum of slots) */
	__u64 errors;		/* operations that returned < 0, not in slots */
	__u64 sum_ns;		/* total latency of the successful ones */
	/* -B, tracepoint mode: what the operations did, summed */
	__u64 pin_batches;	/* GUP batches (iommufd_pages_pin, type1_pin_pages) */
	__u64 pinned_pages;	/* pages those batches pinned */
	__u64 iotlb_syncs;	/* iommu:iotlb_sync */
	/* dirty bitmap reads that succeeded: IOVA walked, IOVA found dirty */
	__u64 span_bytes;
	__u64 dirty_bytes;
	char comm[TASK_COMM_LEN];	/* with -P: the process */
};

/* Fallback: an ioctl command to time and where its length is. */
struct ioctl_desc {
	__u32 cmd;
	__u8 backend;
	__u8 op;
	__u16 len_off;		/* offset of the u64 length in the user struct */
	__u16 id_off;		/* offset of the u32 IOAS id, or IOCTL_ID_FD */
};

/* -I in the fallback: the ioctl's fd names the address space (type1) */
#define IOCTL_ID_FD	0xffff

/* The operation a thread is in (task storage), every mode. */
struct op_state {
	__u64 start_ns;		/* its _start event, or the ioctl's entry */
	__u64 len;		/* fallback */
	__u64 as;		/* -I, fallback: hist_key.as */
	__u64 pin_batches;	/* -B */
	__u64 pinned_pages;
	__u64 iotlb_syncs;
	__u8 backend;
	__u8 op;
	__u8 active;		/* 0 between operations */
	__u8 pad[5];
};

#endif /* __MAPLAT_H */
