/* SPDX-License-Identifier: GPL-2.0 */
/* ioasid-top: types shared by ioasid-top.bpf.c and the user space (fixed width). */
#ifndef __IOASID_TOP_H
#define __IOASID_TOP_H

#define TOP_SLOTS	32	/* log2 slots (lib/hist.h contract), nanoseconds */
#define TOP_COMM_LEN	16
#define TOP_NAME_LEN	32
#define TOP_IOCTLS	5	/* lib/dmaioctl.h DMAIOCTL_N */
#define TOP_MAX_KEYS	4096
#define TOP_MAX_DEVS	1024
#define TOP_MAX_VIOMMUS	1024

enum top_backend {
	TOP_IOMMUFD,
	TOP_TYPE1,
	TOP_NR_BACKENDS,
};

enum top_op {
	TOP_MAP,
	TOP_UNMAP,
	TOP_COPY,
	TOP_NR_OPS,
};

/*
 * One row: process x backend x address space.  as: iommufd the IOAS id;
 * type1 the container, which has no id: the struct vfio_iommu address
 * (tracepoint mode) or tgid << 32 | fd (fallback), numbered 1, 2, ... by
 * user space as seen and never printed (as bpf/maplat -I does).  as is 0
 * when the operation's address space is not known (a pin outside a map).
 */
struct top_key {
	__u64 as;
	__u32 tgid;
	__u32 backend;
};

/* One row, cumulative since start (atomic adds): user space diffs. */
struct top_stats {
	__u64 ops[TOP_NR_OPS];		/* successful */
	__u64 errors[TOP_NR_OPS];	/* ret < 0 */
	__u64 bytes[TOP_NR_OPS];	/* length of the successful ones */
	__u64 lat[TOP_NR_OPS][TOP_SLOTS];	/* ns, successful */
	__u64 lat_sum[TOP_NR_OPS];	/* ns, successful (Prometheus _sum) */
	__u64 pinned;			/* pages pinned (GUP batches' ret) */
	__u64 unpinned;			/* pages unpinned */
	__u64 flushes;			/* iommu:iotlb_sync */
	__u64 flush_bytes;		/* sum of non-empty gathers' ranges */
	__u64 flush_ranged;		/* iotlb_syncs with a non-empty range */
	__u64 flush_all;		/* iommu:flush_iotlb_all */
	__u64 flush_range[TOP_SLOTS];	/* log2 bytes of the ranges */
	__u64 faults;			/* fault groups answered by user space */
	__u64 fault_lat[TOP_SLOTS];	/* ns, queued -> responded */
	__u64 fault_lat_sum;		/* ns */
	__u64 faults_lost;		/* auto-responded on detach/close */
	__u64 invals;			/* IOMMU_HWPT_INVALIDATE calls */
	__u64 inval_entries;		/* entries the driver handled */
	/* dirty bitmap reads (live migration): iommufd by the HWPT's IOAS */
	__u64 dirty_reads;		/* successful */
	__u64 dirty_span;		/* IOVA bytes they walked */
	__u64 dirty_bytes;		/* IOVA bytes found dirty */
	__u64 dirty_errors;
	/* emulated devices' accesses, by the access's IOAS */
	__u64 acc_pins;			/* iommufd_access_pin_pages, successful */
	__u64 acc_pin_bytes;
	__u64 acc_rws;			/* iommufd_access_rw, successful */
	__u64 acc_rw_bytes;
	__u64 acc_errors;		/* either, ret < 0 */
	char comm[TOP_COMM_LEN];
};

/* Fallback: the ioctls to decode (from lib/dmaioctl.h). */
struct top_ioctl {
	__u32 cmd;
	__u8 backend;
	__u8 op;
	__u16 len_off;
	__u16 id_off;			/* TOP_ID_FD: the fd names the container */
	__u16 pad;
};
#define TOP_ID_FD	0xffff

/*
 * The operation a thread is in (task storage): nested pins and IOTLB syncs
 * are its, counted here and added to the row by the end event (one row
 * lookup per operation instead of one per nested event).
 */
struct top_pending {
	__u64 pinned;
	__u64 unpinned;
	__u64 flushes;
	__u64 flush_bytes;
	__u64 flush_ranged;
	__u64 flush_all;
	__u32 flush_slot;		/* the ranges' log2 slot ... */
	__u32 flush_slot_n;		/* ... and how many (one slot kept) */
};

struct top_cur {
	struct top_key key;
	__u64 start_ns;			/* its _start event, or the ioctl's entry */
	__u64 len;			/* fallback only */
	__u32 op;
	__u32 active;			/* 0 between operations */
	__u32 nested;			/* p holds something */
	__u32 pad;
	struct top_pending p;
};

/*
 * Device attach state, keyed by backend and dev_id (iommufd) or group id
 * (type1).  dev_ids are numbered per iommufd context (each /dev/iommu
 * open: two VMs both have a dev_id 1), so ctx is the context's address
 * for iommufd (shown as a number, never as an address), 0 for type1.
 */
struct top_dev_key {
	__u64 ctx;
	__u32 backend;
	__u32 id;
	__u32 pasid;			/* iommufd: the PASID attached (0: the RID) */
	__u32 pad;
};

struct top_dev {
	__u64 last_ns;			/* CLOCK_MONOTONIC of the last change */
	__u64 container;		/* type1: struct vfio_iommu address */
	__u32 tgid;
	__u32 pt_id;			/* iommufd: HWPT attached to (or asked) */
	__u32 attaches;
	__u32 detaches;
	__u32 replaces;
	__u32 failures;
	__u32 attached;			/* 1 if attached now */
	__s32 last_ret;
	char comm[TOP_COMM_LEN];
	char name[TOP_NAME_LEN];	/* iommufd: the device (BDF) */
};

/*
 * A vIOMMU (iommufd, 6.13 on), keyed by its context and id as devices
 * are.  Its vDEVICEs and vEVENTQs are counted while they live; the
 * counters are cumulative.  Kept a minute after its destroy (destroyed_ns)
 * so that a VM's short-lived vIOMMU still reaches a frame.  A context's
 * memory, and so its address, can be reused by another process's
 * /dev/iommu: an alloc that finds a destroyed entry under its key moves it
 * to retired != 0 first.
 */
struct top_viommu_key {
	__u64 ctx;
	__u32 id;
	__u32 retired;			/* 0: the vIOMMU the id names now */
};

struct top_viommu {
	__u64 alloc_ns;			/* CLOCK_MONOTONIC; 0: alloc not seen */
	__u64 destroyed_ns;		/* 0 while it lives */
	__u64 invals;			/* IOMMU_HWPT_INVALIDATE on the vIOMMU, done */
	__u64 inval_entries;		/* entries the driver handled */
	__u64 inval_errors;		/* calls that failed */
	__u64 vevents;			/* events queued for the VMM */
	__u64 vevents_lost;		/* dropped: the vEVENTQ full (or no memory) */
	__u64 vevents_noq;		/* reported with no vEVENTQ of their type */
	__u64 vevent_reads;		/* events the VMM read */
	__u64 lost_reads;		/* lost-events headers it read */
	__u32 tgid;			/* the allocating process */
	__u32 type;			/* enum iommu_viommu_type */
	__u32 dev_id;
	__u32 hwpt_id;			/* the nesting parent */
	__u32 ioas;			/* the parent's IOAS, when its alloc was seen */
	__u32 vdevices;			/* live */
	__u32 veventqs;			/* live */
	__u32 depth;			/* of the vEVENTQ of the last event */
	__u32 pending;			/* events queued there after it */
	__u32 vdevice_allocs;		/* cumulative */
	__u32 veventq_allocs;
	__u32 pad;
	char comm[TOP_COMM_LEN];
};

/* System totals of what no row owns (index into a per-CPU array). */
enum top_other {
	TOP_OTHER_FLUSHES,		/* iotlb_sync outside a map/unmap ioctl */
	TOP_OTHER_FLUSH_ALL,
	TOP_OTHER_DROPPED,		/* rows that did not fit the map */
	TOP_NR_OTHER,
};

#endif /* __IOASID_TOP_H */
