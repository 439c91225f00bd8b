// SPDX-License-Identifier: GPL-2.0
/*
 * attachsnoop: attach, replace, detach and HWPT allocation of iommufd, its
 * vIOMMU, vDEVICE and vEVENTQ allocation, the attach, replace and detach
 * of its emulated-device accesses, and group attach/detach of VFIO type1,
 * one ring-buffer record per event.
 *
 * Tracepoint mode: tp_btf programs on the series' events, timed by
 * fentry/fexit on the functions that attach and detach (the events carry
 * no start); VFIO_DEVICE_BIND_IOMMUFD, which has no event, is reported
 * from its function's exit.
 * Fallback mode (kernels without the series): the decoded ioctls at
 * their exit, and close() of an fd that was bound or set to a container.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

#include "attachsnoop.h"
#include "bits.bpf.h"
#include "series.bpf.h"

#define MAX_ENTRIES	10240

const volatile bool targ_fallback = false;	/* close() is an event */
const volatile long targ_nr_close = 3;		/* raw_syscalls: __NR_close */
const volatile struct ioctl_desc ioctls[MAX_IOCTLS] = {};

__u64 dropped = 0;	/* records the ring buffer had no room for */
__u64 untracked = 0;	/* fallback: bound fds the fds table had no room for */

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

/* The decoded ioctl each thread is in. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_ENTRIES);
	__type(key, __u32);
	__type(value, struct ioctl_state);
} inflight SEC(".maps");

/* Fallback: tgid << 32 | fd of fds bound to iommufd or set to a container. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);	/* user space deletes exited processes' */
	__uint(max_entries, MAX_ENTRIES);
	__type(key, __u64);
	__type(value, __u8);
} fds SEC(".maps");

/* A zeroed record with the task, ids unknown; NULL if the buffer is full. */
static __always_inline struct event *new_event(__u8 kind)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct event *e;

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		__sync_fetch_and_add(&dropped, 1);
		return NULL;
	}
	__builtin_memset(e, 0, sizeof(*e));
	e->ts_ns = bpf_ktime_get_ns();
	e->pid = id >> 32;
	e->tid = (__u32)id;
	e->kind = kind;
	e->fd = -1;
	e->dev_id = e->pasid = e->pt_id = e->hwpt_id = e->group_id = ID_NONE;
	e->flags = e->data_type = e->fault_id = ID_NONE;
	e->obj_id = e->viommu_id = e->depth = ID_NONE;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	return e;
}

/* The dentry name of the current task's @fd: "N" for /dev/vfio/N (a group). */
static __always_inline void fd_name(int fd, char *buf)
{
	struct file___s *f = current_file(fd);
	const unsigned char *name;

	if (!f)
		return;
	name = BPF_CORE_READ(f, f_path.dentry, d_name.name);
	bpf_probe_read_kernel_str(buf, FDNAME_LEN, name);
}

/* ---- tracepoint mode ---- */

/* The event's latency: since the entry of the attach function the thread is in. */
static __always_inline struct event *tp_event(__u8 kind, int ret)
{
	__u32 tid = cur_tid();
	struct ioctl_state *st;
	struct event *e;

	if (pid_filtered())
		return NULL;
	e = new_event(kind);
	if (!e)
		return NULL;
	e->ret = ret;
	st = bpf_map_lookup_elem(&inflight, &tid);
	if (st) {
		e->lat_ns = e->ts_ns - st->start_ns;
		e->cmd = st->cmd;
		e->fd = st->fd;
	}
	return e;
}

static __always_inline int device_event(__u8 kind, const struct iommufd_device___s *idev,
					__u32 pasid, __u32 pt_id, int ret)
{
	struct event *e;

	if (!idev)	/* never NULL; a module's tracepoint: see series.bpf.h */
		return 0;
	e = tp_event(kind, ret);
	if (!e)
		return 0;
	e->dev_id = BPF_CORE_READ(idev, obj.id);
	e->pasid = pasid;
	e->pt_id = pt_id;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("tp_btf/iommufd_device_attach")
int BPF_PROG(dev_attach, const struct iommufd_device___s *idev, __u32 pasid, __u32 pt_id, int ret)
{
	return device_event(AS_ATTACH, idev, pasid, pt_id, ret);
}

SEC("tp_btf/iommufd_device_replace")
int BPF_PROG(dev_replace, const struct iommufd_device___s *idev, __u32 pasid, __u32 pt_id,
	     int ret)
{
	return device_event(AS_REPLACE, idev, pasid, pt_id, ret);
}

SEC("tp_btf/iommufd_device_detach")
int BPF_PROG(dev_detach, const struct iommufd_device___s *idev, __u32 pasid, __u32 pt_id, int ret)
{
	return device_event(AS_DETACH, idev, pasid, pt_id, ret);
}

/*
 * @hwpt is __nullable: non-NULL iff ret == 0.  @cmd is __nullable too: the
 * kernel copy of IOMMU_HWPT_ALLOC's argument, NULL for an automatic HWPT.
 */
SEC("tp_btf/iommufd_hwpt_alloc")
int BPF_PROG(hwpt_alloc, const struct iommufd_hw_pagetable___s *hwpt, __u32 dev_id, __u32 pt_id,
	     const struct iommu_hwpt_alloc___s *cmd, int ret)
{
	struct event *e;

	e = tp_event(AS_HWPT_ALLOC, ret);
	if (!e)
		return 0;
	if (hwpt)
		e->hwpt_id = BPF_CORE_READ(hwpt, obj.id);
	e->dev_id = dev_id;
	e->pt_id = pt_id;
	e->flags = e->data_type = e->fault_id = 0;
	if (cmd) {
		e->flags = BPF_CORE_READ(cmd, flags);
		e->data_type = BPF_CORE_READ(cmd, data_type);
		if (bpf_core_field_exists(cmd->fault_id))
			e->fault_id = BPF_CORE_READ(cmd, fault_id);
	} else {
		e->automatic = 1;
	}
	bpf_ringbuf_submit(e, 0);
	return 0;
}

/*
 * vIOMMU, vDEVICE and vEVENTQ allocation (6.13 and 6.15 on): the new
 * object's ID (none on failure), the vIOMMU and the command's arguments.
 * @cmd is never NULL (the test is for a module's tracepoint: series.bpf.h).
 */
static __always_inline struct event *obj_event(__u8 kind, __u32 obj_id, int ret)
{
	struct event *e = tp_event(kind, ret);

	if (e)
		e->obj_id = ret ? ID_NONE : obj_id;
	return e;
}

SEC("tp_btf/iommufd_viommu_alloc")
int BPF_PROG(viommu_alloc, void *ictx, const struct iommu_viommu_alloc___s *cmd, int ret)
{
	struct event *e;

	if (!cmd)
		return 0;
	e = obj_event(AS_VIOMMU_ALLOC, BPF_CORE_READ(cmd, out_viommu_id), ret);
	if (!e)
		return 0;
	e->viommu_id = e->obj_id;
	e->dev_id = BPF_CORE_READ(cmd, dev_id);
	e->pt_id = BPF_CORE_READ(cmd, hwpt_id);
	e->data_type = BPF_CORE_READ(cmd, type);
	e->flags = BPF_CORE_READ(cmd, flags);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("tp_btf/iommufd_vdevice_alloc")
int BPF_PROG(vdevice_alloc, void *ictx, const struct iommu_vdevice_alloc___s *cmd, int ret)
{
	struct event *e;

	if (!cmd)
		return 0;
	e = obj_event(AS_VDEVICE_ALLOC, BPF_CORE_READ(cmd, out_vdevice_id), ret);
	if (!e)
		return 0;
	e->viommu_id = BPF_CORE_READ(cmd, viommu_id);
	e->dev_id = BPF_CORE_READ(cmd, dev_id);
	e->virt_id = BPF_CORE_READ(cmd, virt_id);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("tp_btf/iommufd_veventq_alloc")
int BPF_PROG(veventq_alloc, void *ictx, const struct iommu_veventq_alloc___s *cmd, int ret)
{
	struct event *e;

	if (!cmd)
		return 0;
	e = obj_event(AS_VEVENTQ_ALLOC, BPF_CORE_READ(cmd, out_veventq_id), ret);
	if (!e)
		return 0;
	e->viommu_id = BPF_CORE_READ(cmd, viommu_id);
	e->data_type = BPF_CORE_READ(cmd, type);
	e->depth = BPF_CORE_READ(cmd, veventq_depth);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

/*
 * An emulated device's access (an mdev on iommufd, a vIOMMU queue's, the
 * selftest's) attached to, replaced onto or detached from an IOAS: the
 * access and the IOAS (asked for; for detach the one left, ret 0).
 */
static __always_inline int access_event(__u8 kind, const struct iommufd_access___s *access,
					__u32 ioas_id, int ret)
{
	struct event *e;

	if (!access)	/* never NULL; a module's tracepoint: see series.bpf.h */
		return 0;
	e = tp_event(kind, ret);
	if (!e)
		return 0;
	e->obj_id = BPF_CORE_READ(access, obj.id);
	e->pt_id = ioas_id;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("tp_btf/iommufd_access_attach")
int BPF_PROG(access_attach, const struct iommufd_access___s *access, __u32 ioas_id, int ret)
{
	return access_event(AS_ACCESS_ATTACH, access, ioas_id, ret);
}

SEC("tp_btf/iommufd_access_replace")
int BPF_PROG(access_replace, const struct iommufd_access___s *access, __u32 ioas_id, int ret)
{
	return access_event(AS_ACCESS_REPLACE, access, ioas_id, ret);
}

SEC("tp_btf/iommufd_access_detach")
int BPF_PROG(access_detach, const struct iommufd_access___s *access,
	     const struct iommufd_ioas___s *ioas)
{
	if (!ioas)	/* never NULL; a module's tracepoint: see series.bpf.h */
		return 0;
	return access_event(AS_ACCESS_DETACH, access, BPF_CORE_READ(ioas, obj.id), 0);
}

static __always_inline int group_event(__u8 kind, const struct iommu_group___s *group, int ret)
{
	struct event *e;

	if (!group)
		return 0;
	e = tp_event(kind, ret);
	if (!e)
		return 0;
	e->group_id = BPF_CORE_READ(group, id);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("tp_btf/vfio_iommu_type1_attach_group")
int BPF_PROG(group_attach, struct vfio_iommu *iommu, const struct iommu_group___s *group, int ret)
{
	return group_event(AS_ATTACH_GROUP, group, ret);
}

SEC("tp_btf/vfio_iommu_type1_detach_group")
int BPF_PROG(group_detach, struct vfio_iommu *iommu, const struct iommu_group___s *group, int ret)
{
	return group_event(AS_DETACH_GROUP, group, ret);
}

/* ---- spans: a thread's ioctl (fallback) or attach function (tracepoint mode) ---- */

static __always_inline void span_start(int fd, __u32 cmd, __u64 arg, __u32 idx)
{
	struct ioctl_state st = {};
	__u32 tid = cur_tid();

	st.start_ns = bpf_ktime_get_ns();
	st.arg = arg;
	st.cmd = cmd;
	st.fd = fd;
	st.idx = idx;
	bpf_map_update_elem(&inflight, &tid, &st, BPF_ANY);
}

static __always_inline int ioctl_enter(int fd, __u32 cmd, __u64 arg)
{
	int i;

	if (pid_filtered())
		return 0;
	i = IOCTL_INDEX(ioctls, MAX_IOCTLS, cmd);
	if (i >= 0)
		span_start(fd, cmd, arg, i);
	return 0;
}

static __always_inline int ioctl_exit(long ret)
{
	__u32 tid = cur_tid();
	struct ioctl_state *st;
	struct event *e;
	__u64 key;
	__u32 i;
	__u8 one = 1;

	st = bpf_map_lookup_elem(&inflight, &tid);
	if (!st)
		return 0;
	i = st->idx;
	if (i >= MAX_IOCTLS)	/* AS_IOC_NONE */
		goto out;
	key = cur_fd_key(st->fd);
	/* the fallback follows fds; tracepoint mode's functions (fd -1) need not */
	if (st->fd >= 0 && ret == 0 && ioctls[i].track &&
	    bpf_map_update_elem(&fds, &key, &one, BPF_ANY))
		__sync_fetch_and_add(&untracked, 1);
	if (st->fd >= 0 && ret == 0 && ioctls[i].untrack)
		bpf_map_delete_elem(&fds, &key);
	if (!ioctls[i].report)
		goto out;
	e = new_event(AS_IOCTL);
	if (!e)
		goto out;
	e->lat_ns = e->ts_ns - st->start_ns;
	e->cmd = st->cmd;
	e->fd = st->fd;
	e->ret = ret;
	e->argval = st->arg;
	if (ioctls[i].arg_is_ptr)
		e->arg_ok = !bpf_probe_read_user(e->arg, sizeof(e->arg), (void *)st->arg);
	fd_name(st->fd, e->fdname);
	bpf_ringbuf_submit(e, 0);
out:
	bpf_map_delete_elem(&inflight, &tid);
	return 0;
}

/*
 * Tracepoint mode: fentry/fexit on the functions that do the work of an
 * attach, detach or bind, not on the ioctl handlers, so that a map, an
 * unmap or any other ioctl runs no program of this tool.  @idx: the
 * ioctl that calls the function, AS_IOC_NONE where it is not one of ours
 * (type1's group attach: VFIO_SET_IOMMU or VFIO_GROUP_SET_CONTAINER);
 * @arg: its user struct.  The fd is not known here.
 */
static __always_inline int span_enter(__u32 idx, __u64 arg)
{
	if (pid_filtered())
		return 0;
	span_start(-1, idx < MAX_IOCTLS ? ioctls[idx].cmd : 0, arg, idx);
	return 0;
}

/* The end of a span that reports nothing itself (all but bind's). */
static __always_inline int span_end(void)
{
	__u32 tid = cur_tid();

	bpf_map_delete_elem(&inflight, &tid);
	return 0;
}

/*
 * Each fexit is defined before its fentry: the skeleton attaches in this
 * order, so a call in flight at start-up cannot run an entry without its
 * exit and leave a stale start behind.
 */
SEC("fexit/vfio_df_ioctl_bind_iommufd")
int BPF_PROG(bind_out, void *df, void *arg, long ret)
{
	return ioctl_exit(ret);		/* reports the bind, with out_devid */
}

SEC("fentry/vfio_df_ioctl_bind_iommufd")
int BPF_PROG(bind_in, void *df, void *arg)
{
	return span_enter(AS_IOC_BIND, (__u64)arg);
}

/* int fn(struct vfio_device_file *df, struct ... __user *arg): a span only */
#define CDEV_SPAN(name, fn, idx)					\
SEC("fexit/" #fn)							\
int BPF_PROG(name##_out, void *df, void *arg, int ret)			\
{									\
	return span_end();						\
}									\
									\
SEC("fentry/" #fn)							\
int BPF_PROG(name##_in, void *df, void *arg)				\
{									\
	return span_enter(idx, (__u64)arg);				\
}

CDEV_SPAN(attach_pt, vfio_df_ioctl_attach_pt, AS_IOC_ATTACH_PT)
CDEV_SPAN(detach_pt, vfio_df_ioctl_detach_pt, AS_IOC_DETACH_PT)

SEC("fexit/iommufd_hwpt_alloc")
int BPF_PROG(hwpt_ioctl_out, void *ucmd, int ret)
{
	return span_end();
}

SEC("fentry/iommufd_hwpt_alloc")
int BPF_PROG(hwpt_ioctl_in, void *ucmd)
{
	return span_enter(AS_IOC_HWPT_ALLOC, 0);
}

/* a device's first open through a group set to an iommufd (VFIO_GROUP_GET_DEVICE_FD) */
SEC("fexit/vfio_iommufd_compat_attach_ioas")
int BPF_PROG(compat_att_out, void *vdev, void *ictx, int ret)
{
	return span_end();
}

SEC("fentry/vfio_iommufd_compat_attach_ioas")
int BPF_PROG(compat_att_in, void *vdev, void *ictx)
{
	return span_enter(AS_IOC_NONE, 0);
}

SEC("fexit/vfio_iommu_type1_attach_group")
int BPF_PROG(t1_attach_out, void *iommu, void *group, int type, int ret)
{
	return span_end();
}

SEC("fentry/vfio_iommu_type1_attach_group")
int BPF_PROG(t1_attach_in, void *iommu, void *group, int type)
{
	return span_enter(AS_IOC_NONE, 0);
}

/* returns void: no ret to take */
SEC("fexit/vfio_iommu_type1_detach_group")
int BPF_PROG(t1_detach_out, void *iommu, void *group)
{
	return span_end();
}

SEC("fentry/vfio_iommu_type1_detach_group")
int BPF_PROG(t1_detach_in, void *iommu, void *group)
{
	return span_enter(AS_IOC_NONE, 0);
}

/* Fallback: closing a bound device fd or a group fd in a container detaches it. */
static __always_inline int close_enter(int fd)
{
	__u64 key = cur_fd_key(fd);
	struct event *e;

	if (pid_filtered() || !bpf_map_lookup_elem(&fds, &key))
		return 0;
	bpf_map_delete_elem(&fds, &key);
	e = new_event(AS_CLOSE);
	if (!e)
		return 0;
	e->fd = fd;
	fd_name(fd, e->fdname);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_close")
int sys_enter_close(struct trace_event_raw_sys_enter___s *ctx)
{
	return close_enter((int)ctx->args[0]);
}

/* raw_syscalls: in the fallback, close() is an event too */
IOCTL_SYSCALL_PROGS_OTHER(targ_fallback && ctx->id == targ_nr_close ?
			  close_enter((int)ctx->args[0]) : 0)

char LICENSE[] SEC("license") = "GPL";
