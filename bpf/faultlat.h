/* SPDX-License-Identifier: GPL-2.0 */
/* faultlat: types shared by faultlat.bpf.c and faultlat.c (fixed width only). */
#ifndef __FAULTLAT_H
#define __FAULTLAT_H

/* log2 buckets of the latency (lib/hist.h has the bucket contract) */
#define MAX_SLOTS	32
#define DEV_NAME_LEN	32
/* fault records or responses decoded per read()/write() in the fallback */
#define MAX_BATCH	64
/* "[iommufd-pgfault]": the fault fd's anon inode name */
#define FAULT_FD_NAME_LEN 18

/*
 * Stages of one fault group's round trip; each is the time since the
 * previous point, so for a group seen at every point they add up to
 * FL_TOTAL exactly (in ns, per group, hence in the sums).
 */
enum fl_stage {
	FL_QUEUE,	/* iommu:iopf_report -> iommufd:iommufd_fault_queue */
	FL_READ,	/* -> iommufd_fault_read (user space read it) */
	FL_RESPOND,	/* -> iommufd_fault_respond (user space answered) */
	FL_DELIVER,	/* -> iommu:iopf_response (the driver got the answer) */
	FL_TOTAL,	/* iopf_report -> iopf_response */
	FL_NR_STAGES,
};

/* How a fault group was answered, part of the key. */
enum fl_path {
	FL_PATH_IOMMUFD,	/* through the iommufd fault queue: every stage */
	FL_PATH_OTHER,		/* another handler (SVA, a failed group): total only */
	FL_PATH_NONE,		/* no handler: the core answered at once: total only */
	FL_PATH_USER,		/* fallback: read() -> write() of the fault fd */
	FL_NR_PATHS,
};

/* Global counters (array map), per interval. */
enum fl_counter {
	FL_C_REPORTS,		/* iopf_report, every page request */
	FL_C_PARTIAL,		/* of which not the last of their group (no response) */
	FL_C_PRQ,		/* intel_iommu:prq_report */
	FL_C_UNTRACKED,		/* a later point of a group whose start was not seen */
	FL_C_DROPPED,		/* a group not tracked: in-flight map full */
	FL_C_NEGATIVE,		/* a stage with a negative time (clock): not recorded */
	FL_C_VQ_DROPPED,	/* vEVENTQ reports or reads not counted: vq_hists full */
	FL_NR_COUNTERS,
};

struct fl_key {
	__u64 ctx;		/* iommufd context, 0 unknown */
	__u32 dev_id;		/* iommufd device ID (per context); 0 when not known */
	__u32 pasid;
	__u32 path;		/* enum fl_path */
	__u32 pad;
};

struct fl_hist {
	__u64 slots[FL_NR_STAGES][MAX_SLOTS];
	__u64 count[FL_NR_STAGES];
	__u64 sum_ns[FL_NR_STAGES];
	__u64 read;		/* groups read by user space (answered or lost read) */
	__u64 invalid;		/* answered with a code other than success */
	__u64 lost;		/* answered by the kernel on detach/replace/close */
	__u64 lost_read;	/* of which user space had read (delivered=1) */
	__u32 fault_id;		/* the fault queue (last seen) */
	__u32 pad;
	char dev[DEV_NAME_LEN];	/* the device's name (dev_name()) */
};

/* A page request group in flight: (device, PASID, group ID). */
struct fl_report_key {
	__u64 dev;		/* struct device * */
	__u32 pasid;
	__u32 grpid;
};

/* Fallback: a fault read from a fault fd, until its response. */
struct fl_cookie_key {
	__u64 file;		/* struct file * of the fault fd */
	__u32 cookie;
	__u32 pad;
};

/* Points of one group in flight (ns, bpf_ktime_get_ns(): CLOCK_MONOTONIC). */
struct fl_inflight {
	__u64 report_ns;
	__u64 queue_ns;
	__u64 read_ns;
	__u64 respond_ns;
	__u32 dev_id;
	__u32 pasid;
	__u32 fault_id;
	__u32 code;		/* user space's response code */
	__u64 devp;		/* struct device *, for its name */
	__u64 ctx;		/* as fl_key's */
};

/*
 * vEVENTQs (6.15 on): events an IOMMU driver reports for a guest's vIOMMU,
 * from iommufd_veventq_report to the VMM's iommufd_veventq_read, per
 * (iommufd context, vIOMMU, vEVENTQ); veventq_id 0: reports to a vIOMMU
 * without a vEVENTQ of their type.
 */
#define VQ_MAX_KEYS	1024	/* vq_hists rows */

struct fl_vq_key {
	__u64 ctx;
	__u32 viommu_id;
	__u32 veventq_id;
	__u32 type;		/* keeps apart the types of the veventq_id 0 row */
	__u32 pad;
};

struct fl_vq_hist {
	__u64 slots[MAX_SLOTS];	/* report -> read */
	__u64 count;		/* reads timed */
	__u64 sum_ns;
	__u64 reported;		/* every report, drops and no-queue included */
	__u64 lost;		/* dropped: the queue was full or allocation failed */
	__u64 lost_nomem;	/* of which the allocation */
	__u64 lost_read;	/* lost-events headers read by the VMM */
	__u64 read;		/* events read (headers excluded) */
	__u64 untimed;		/* of which their report was not seen (or -p: not ours yet) */
	__u32 depth;
	__u32 max_pending;	/* the most events queued and unread, seen at a report */
	__u32 type;
	__u32 pad;
};

/* An event reported, not read yet: (struct iommufd_veventq *, sequence). */
struct fl_vq_seq {
	__u64 veventq;
	__u32 sequence;
	__u32 pad;
};

/* Its report: when, and the vEVENTQ's ID (a freed queue's address reused). */
struct fl_vq_sent {
	__u64 ns;
	__u32 veventq_id;
	__u32 pad;
};

#endif /* __FAULTLAT_H */
