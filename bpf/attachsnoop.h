/* SPDX-License-Identifier: GPL-2.0 */
/* attachsnoop: types shared by attachsnoop.bpf.c and its user space (fixed width only). */
#ifndef __ATTACHSNOOP_H
#define __ATTACHSNOOP_H

#define TASK_COMM_LEN	16
#define FDNAME_LEN	16
/* bytes of the ioctl's user struct copied at exit (the largest decoded: iommu_hwpt_alloc) */
#define ARG_LEN		48
/* The ioctls decoded, by their index in the ioctls[] table. */
enum as_ioctl {
	AS_IOC_BIND,		/* VFIO_DEVICE_BIND_IOMMUFD */
	AS_IOC_ATTACH_PT,	/* VFIO_DEVICE_ATTACH_IOMMUFD_PT */
	AS_IOC_DETACH_PT,	/* VFIO_DEVICE_DETACH_IOMMUFD_PT */
	AS_IOC_HWPT_ALLOC,	/* IOMMU_HWPT_ALLOC */
	AS_IOC_SET_CONTAINER,	/* VFIO_GROUP_SET_CONTAINER */
	AS_IOC_SET_IOMMU,	/* VFIO_SET_IOMMU */
	AS_IOC_UNSET_CONTAINER,	/* VFIO_GROUP_UNSET_CONTAINER */
	MAX_IOCTLS,
	AS_IOC_NONE = MAX_IOCTLS	/* a span in none of these ioctls */
};
#define ID_NONE		0xffffffffu

enum as_kind {
	/* the series' events (tracepoint mode) */
	AS_ATTACH,		/* iommufd_device_attach */
	AS_REPLACE,		/* iommufd_device_replace */
	AS_DETACH,		/* iommufd_device_detach */
	AS_HWPT_ALLOC,		/* iommufd_hwpt_alloc */
	AS_ATTACH_GROUP,	/* vfio_iommu_type1_attach_group */
	AS_DETACH_GROUP,	/* vfio_iommu_type1_detach_group */
	/* vIOMMU objects (6.15 on; loaded when their events are there) */
	AS_VIOMMU_ALLOC,	/* iommufd_viommu_alloc */
	AS_VDEVICE_ALLOC,	/* iommufd_vdevice_alloc */
	AS_VEVENTQ_ALLOC,	/* iommufd_veventq_alloc */
	/* emulated-device accesses (loaded when their events are there) */
	AS_ACCESS_ATTACH,	/* iommufd_access_attach */
	AS_ACCESS_REPLACE,	/* iommufd_access_replace */
	AS_ACCESS_DETACH,	/* iommufd_access_detach */
	/* one decoded ioctl at its exit (fallback; VFIO_DEVICE_BIND_IOMMUFD in both) */
	AS_IOCTL,
	/* fallback: close() of an fd bound to iommufd or set to a container */
	AS_CLOSE,
};

struct event {
	__u64 ts_ns;		/* bpf_ktime_get_ns() */
	__u64 lat_ns;		/* since the span's entry; 0: not measured */
	__u64 argval;		/* the ioctl's third argument */
	__u64 virt_id;		/* vdevice_alloc: the device's ID in the guest */
	__u32 pid;		/* tgid */
	__u32 tid;
	__u32 cmd;		/* the ioctl the thread was in, 0 if none */
	__s32 fd;		/* its fd (AS_CLOSE: the fd closed) */
	__s32 ret;
	/* tracepoint mode, from the event's arguments; ID_NONE if not known */
	__u32 dev_id;
	__u32 pasid;
	__u32 pt_id;
	__u32 hwpt_id;
	__u32 group_id;
	__u32 flags;		/* iommufd_hwpt_alloc: cmd->flags */
	__u32 data_type;
	__u32 fault_id;
	/*
	 * vIOMMU objects: the new object (ID_NONE on failure), its vIOMMU;
	 * accesses: the access (pt_id: its IOAS)
	 */
	__u32 obj_id;
	__u32 viommu_id;
	__u32 depth;		/* veventq_alloc */
	__u8 kind;		/* enum as_kind */
	__u8 arg_ok;		/* arg[] holds the user struct */
	__u8 automatic;		/* iommufd_hwpt_alloc: an automatic HWPT */
	__u8 pad;
	char comm[TASK_COMM_LEN];
	char fdname[FDNAME_LEN];	/* dentry name of fd (/dev/vfio/N: the group) */
	__u8 arg[ARG_LEN];	/* the user struct at the ioctl's exit */
};

/* An ioctl to follow: its entry starts the latency; with @report, its exit is an event. */
struct ioctl_desc {
	__u32 cmd;
	__u8 report;		/* emit AS_IOCTL at exit (fallback: all; tp mode: bind) */
	__u8 arg_is_ptr;	/* copy ARG_LEN bytes of user memory at arg */
	__u8 track;		/* fallback: on success, remember fd for close() */
	__u8 untrack;		/* fallback: on success, forget fd */
};

/* The ioctl (tracepoint mode: the attach function) a thread is in. */
struct ioctl_state {
	__u64 start_ns;
	__u64 arg;
	__u32 cmd;
	__s32 fd;
	__u32 idx;		/* into ioctls[]; AS_IOC_NONE */
	__u32 pad;
};

#endif /* __ATTACHSNOOP_H */
