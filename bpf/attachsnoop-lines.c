// SPDX-License-Identifier: GPL-2.0
/*
 * attachsnoop: a record into one line.  Tracepoint-mode records carry
 * their ids; the fallback's carry an ioctl and its argument, so the ids of
 * a later attach, detach or close on the same fd come from what earlier
 * ioctls said about it (the fd table here).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/iommufd.h>
#include <linux/vfio.h>

#include "attachsnoop-user.h"
#include "json.h"
#include "util.h"

const char *const mode_names[] = { "tracepoint", "syscalls", "raw_syscalls" };

#define IOCTL(c, ev, be, ...) { .cmd = c, .name = #c, .event = ev, .backend = be, __VA_ARGS__ }
const struct ioctl_info ioctl_infos[MAX_IOCTLS] = {
	[AS_IOC_BIND] = IOCTL(VFIO_DEVICE_BIND_IOMMUFD, "bind", "iommufd", .arg_is_ptr = true,
			   .track = true),
	[AS_IOC_ATTACH_PT] = IOCTL(VFIO_DEVICE_ATTACH_IOMMUFD_PT, "attach", "iommufd",
				.arg_is_ptr = true),
	[AS_IOC_DETACH_PT] = IOCTL(VFIO_DEVICE_DETACH_IOMMUFD_PT, "detach", "iommufd",
				.arg_is_ptr = true),
	[AS_IOC_HWPT_ALLOC] = IOCTL(IOMMU_HWPT_ALLOC, "hwpt_alloc", "iommufd", .arg_is_ptr = true),
	[AS_IOC_SET_CONTAINER] = IOCTL(VFIO_GROUP_SET_CONTAINER, "set_container", "type1",
				    .arg_is_ptr = true, .track = true),
	[AS_IOC_SET_IOMMU] = IOCTL(VFIO_SET_IOMMU, "set_iommu", "type1", .arg_is_ptr = false),
	[AS_IOC_UNSET_CONTAINER] = IOCTL(VFIO_GROUP_UNSET_CONTAINER, "unset_container", "type1",
				      .untrack = true),
};

static const struct ioctl_info *ioctl_info(__u32 cmd)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ioctl_infos); i++)
		if (ioctl_infos[i].cmd == cmd)
			return &ioctl_infos[i];
	return NULL;
}

/*
 * Fallback: what the ioctls told us about an fd, to name the device of a
 * later attach/detach/close on it and the group of a container.
 */
struct fd_state {
	__u32 pid;
	int fd;
	__u32 dev_id;		/* bound device, ID_NONE */
	__u32 pt_id;		/* attached to, ID_NONE if not attached */
	__u32 group_id;		/* group fd: its group; container fd: the group set to it */
};

#define MAX_FDS 1024
static struct fd_state fdtab[MAX_FDS];
static int nr_fds;

static struct fd_state *fd_state(__u32 pid, int fd, bool create)
{
	struct fd_state *s;
	int i;

	for (i = 0; i < nr_fds; i++)
		if (fdtab[i].pid == pid && fdtab[i].fd == fd)
			return &fdtab[i];
	if (!create)
		return NULL;
	/* full: reuse the oldest slot, ids of long-gone fds matter least */
	s = nr_fds < MAX_FDS ? &fdtab[nr_fds++] : &fdtab[0];
	s->pid = pid;
	s->fd = fd;
	s->dev_id = s->pt_id = s->group_id = ID_NONE;
	return s;
}

static void fd_forget(__u32 pid, int fd)
{
	struct fd_state *s = fd_state(pid, fd, false);

	if (s)
		*s = fdtab[--nr_fds];
}

/* "12" (the /dev/vfio/12 a group fd opens) -> 12, else ID_NONE */
static __u32 group_of_name(const char *name)
{
	char *end;
	unsigned long v;

	if (!name[0] || name[0] < '0' || name[0] > '9')
		return ID_NONE;
	v = strtoul(name, &end, 10);
	return *end || v >= ID_NONE ? ID_NONE : (__u32)v;
}

/* ---- decoding a record into one line ---- */

struct line {
	const char *backend;
	const char *event;
	const char *ioctl;	/* the ioctl it happened in, NULL if none */
	__u32 dev_id, group_id, pasid, pt_id, hwpt_id;
	bool hwpt;		/* hwpt_alloc: flags, data_type, fault_id */
	bool vobj;		/* a vIOMMU, vDEVICE or vEVENTQ allocation */
	bool access;		/* an emulated device's access: access_id, pt_id its IOAS */
	__u32 access_id;
};

static void decode_bind(const struct event *e, struct line *l, bool fallback)
{
	const struct vfio_device_bind_iommufd *b = (const void *)e->arg;
	struct fd_state *s;

	if (e->ret || !e->arg_ok)
		return;
	l->dev_id = b->out_devid;
	if (!fallback)
		return;
	s = fd_state(e->pid, e->fd, true);
	s->dev_id = l->dev_id;
	s->pt_id = ID_NONE;
}

static void decode_attach_pt(const struct event *e, struct line *l)
{
	const struct vfio_device_attach_iommufd_pt *a = (const void *)e->arg;
	struct fd_state *s;

	/* on success the kernel wrote back the HWPT it attached */
	if (e->arg_ok)
		l->pt_id = a->pt_id;
	s = fd_state(e->pid, e->fd, false);
	if (!s)
		return;
	l->dev_id = s->dev_id;
	if (s->pt_id != ID_NONE)
		l->event = "replace";	/* vfio replaces when attached */
	if (!e->ret)
		s->pt_id = l->pt_id;
}

static void decode_set_container(const struct event *e, struct line *l)
{
	struct fd_state *s;
	__u32 v;

	l->group_id = group_of_name(e->fdname);
	if (e->ret || !e->arg_ok)
		return;
	s = fd_state(e->pid, e->fd, true);
	s->group_id = l->group_id;
	/* the container fd: SET_IOMMU on it attaches this group */
	memcpy(&v, e->arg, sizeof(v));
	s = fd_state(e->pid, (int)v, true);
	s->group_id = l->group_id;
}

static void decode_ioctl(const struct event *e, struct line *l, bool fallback)
{
	const struct ioctl_info *x = ioctl_info(e->cmd);
	struct fd_state *s;

	if (!x)
		return;
	l->backend = x->backend;
	l->event = x->event;
	switch (e->cmd) {
	case VFIO_DEVICE_BIND_IOMMUFD:
		decode_bind(e, l, fallback);
		break;
	case VFIO_DEVICE_ATTACH_IOMMUFD_PT:
		decode_attach_pt(e, l);
		break;
	case VFIO_DEVICE_DETACH_IOMMUFD_PT:
		s = fd_state(e->pid, e->fd, false);
		if (!s)
			break;
		l->dev_id = s->dev_id;
		l->pt_id = s->pt_id;
		if (!e->ret)
			s->pt_id = ID_NONE;
		break;
	case IOMMU_HWPT_ALLOC: {
		const struct iommu_hwpt_alloc *h = (const void *)e->arg;

		if (!e->arg_ok)
			break;
		l->dev_id = h->dev_id;
		l->pt_id = h->pt_id;
		if (!e->ret)
			l->hwpt_id = h->out_hwpt_id;
		break;
	}
	case VFIO_GROUP_SET_CONTAINER:
		decode_set_container(e, l);
		break;
	case VFIO_SET_IOMMU:
		s = fd_state(e->pid, e->fd, false);
		if (s)
			l->group_id = s->group_id;
		break;
	case VFIO_GROUP_UNSET_CONTAINER:
		l->group_id = group_of_name(e->fdname);
		if (!e->ret)
			fd_forget(e->pid, e->fd);
		break;
	}
}

static void decode(const struct event *e, struct line *l, bool fallback)
{
	static const char *const names[] = {
		[AS_ATTACH] = "attach", [AS_REPLACE] = "replace", [AS_DETACH] = "detach",
		[AS_HWPT_ALLOC] = "hwpt_alloc", [AS_ATTACH_GROUP] = "attach_group",
		[AS_DETACH_GROUP] = "detach_group", [AS_VIOMMU_ALLOC] = "viommu_alloc",
		[AS_VDEVICE_ALLOC] = "vdevice_alloc", [AS_VEVENTQ_ALLOC] = "veventq_alloc",
		[AS_ACCESS_ATTACH] = "access_attach", [AS_ACCESS_REPLACE] = "access_replace",
		[AS_ACCESS_DETACH] = "access_detach",
	};
	const struct ioctl_info *x = ioctl_info(e->cmd);
	struct fd_state *s;

	memset(l, 0, sizeof(*l));
	l->dev_id = e->dev_id;
	l->group_id = e->group_id;
	l->pasid = e->pasid;
	l->pt_id = e->pt_id;
	l->hwpt_id = e->hwpt_id;
	l->ioctl = e->cmd && x ? x->name : NULL;
	l->event = "?";
	switch (e->kind) {
	case AS_ATTACH_GROUP:
	case AS_DETACH_GROUP:
		l->backend = "type1";
		l->event = names[e->kind];
		break;
	case AS_IOCTL:
		l->backend = "?";
		decode_ioctl(e, l, fallback);
		break;
	case AS_CLOSE:
		/* a group fd still in a container, or a bound device fd */
		l->event = "close";
		l->group_id = group_of_name(e->fdname);
		l->backend = l->group_id != ID_NONE ? "type1" : "iommufd";
		s = fd_state(e->pid, e->fd, false);
		if (s && l->group_id == ID_NONE) {
			l->dev_id = s->dev_id;
			l->pt_id = s->pt_id;	/* none: only unbound */
		}
		fd_forget(e->pid, e->fd);
		break;
	default:
		l->backend = "iommufd";
		l->event = e->kind < ARRAY_SIZE(names) && names[e->kind] ? names[e->kind] : "?";
		l->hwpt = e->kind == AS_HWPT_ALLOC;
		l->vobj = e->kind >= AS_VIOMMU_ALLOC && e->kind <= AS_VEVENTQ_ALLOC;
		l->access = e->kind >= AS_ACCESS_ATTACH && e->kind <= AS_ACCESS_DETACH;
		if (l->access)
			l->access_id = e->obj_id;
		break;
	}
}

/* 0, or the errno's name ("ENOENT"); @buf for unnamed ones */
static const char *ret_str(int ret, char *buf, size_t len)
{
	const char *n;

	if (ret >= 0) {
		snprintf(buf, len, "%d", ret);
		return buf;
	}
	n = strerrorname_np(-ret);
	if (n)
		return n;
	snprintf(buf, len, "%d", ret);
	return buf;
}

static void detail_add(char *buf, size_t len, const char *key, __u32 v)
{
	size_t n = strlen(buf);

	if (v == ID_NONE || n >= len)
		return;
	snprintf(buf + n, len - n, "%s%s=%u", n ? " " : "", key, v);
}

/* The ids of an attach, detach or HWPT allocation. */
static void line_detail(const struct line *l, char *det, size_t len)
{
	if (l->access)
		detail_add(det, len, "access", l->access_id);
	if (l->hwpt)
		detail_add(det, len, "hwpt", l->hwpt_id);
	detail_add(det, len, "dev", l->dev_id);
	detail_add(det, len, "group", l->group_id);
	/* IOMMU_NO_PASID is 0: only a real PASID is worth a column */
	if (l->pasid)
		detail_add(det, len, "pasid", l->pasid);
	detail_add(det, len, "pt", l->pt_id);
	if (!l->hwpt)
		detail_add(det, len, "hwpt", l->hwpt_id);
}

/*
 * A vIOMMU object's allocation: the new object (none on failure), its
 * vIOMMU and what was asked (the nesting parent of a vIOMMU, the guest's
 * ID of a vDEVICE's device, a vEVENTQ's type and depth).
 */
static void vobj_detail(const struct event *e, char *det, size_t len)
{
	static const char *const obj[] = {
		[AS_VIOMMU_ALLOC] = "viommu", [AS_VDEVICE_ALLOC] = "vdevice",
		[AS_VEVENTQ_ALLOC] = "veventq",
	};
	size_t n;

	detail_add(det, len, obj[e->kind], e->obj_id);
	if (e->kind != AS_VIOMMU_ALLOC)
		detail_add(det, len, "viommu", e->viommu_id);
	if (e->kind != AS_VEVENTQ_ALLOC)
		detail_add(det, len, "dev", e->dev_id);
	if (e->kind == AS_VIOMMU_ALLOC)
		detail_add(det, len, "parent", e->pt_id);
	if (e->kind != AS_VDEVICE_ALLOC)
		detail_add(det, len, "type", e->data_type);
	detail_add(det, len, "depth", e->depth);
	n = strlen(det);
	if (e->kind == AS_VDEVICE_ALLOC && n < len)
		snprintf(det + n, len - n, " virt_id=%#llx", (unsigned long long)e->virt_id);
}

static void print_human(const struct event *e, const struct line *l, const struct view *v)
{
	char ts[32], r[16], lat[16], det[96] = "";
	double w;
	time_t t;
	struct tm tm;

	if (v->timestamp) {
		w = v->wall_offset + e->ts_ns / 1e9;
		t = (time_t)w;
		strftime(ts, sizeof(ts), "%H:%M:%S", localtime_r(&t, &tm));
		printf("%s.%03d ", ts, (int)((w - t) * 1000));
	}
	if (l->vobj)
		vobj_detail(e, det, sizeof(det));
	else
		line_detail(l, det, sizeof(det));
	if (e->lat_ns)	/* 7 columns: tenths below 10 ms */
		snprintf(lat, sizeof(lat), e->lat_ns < 10000000 ? "%.1f" : "%.0f",
			 e->lat_ns / 1000.0);
	else
		snprintf(lat, sizeof(lat), "-");
	/* an automatic HWPT (iommufd allocated it for an attach to an IOAS) */
	printf("%-7u %-12.12s %-7s %-15s %-7s %7s %s\n", e->pid, e->comm, l->backend,
	       l->hwpt && e->automatic ? "hwpt_auto" : l->event, ret_str(e->ret, r, sizeof(r)),
	       lat, det);
	fflush(stdout);
}

static void json_id(struct json *j, const char *key, __u32 v)
{
	if (v == ID_NONE)
		json_null(j, key);
	else
		json_uint(j, key, v);
}

/* The vIOMMU object's ids: "obj_id" is the new object's (null on failure). */
static void vobj_json(struct json *j, const struct event *e)
{
	json_id(j, "obj_id", e->obj_id);
	json_id(j, "viommu_id", e->viommu_id);
	json_id(j, "type", e->data_type);
	json_id(j, "depth", e->depth);
	if (e->kind == AS_VIOMMU_ALLOC)
		json_id(j, "flags", e->flags);
	if (e->kind == AS_VDEVICE_ALLOC)
		json_uint(j, "virt_id", e->virt_id);
	else
		json_null(j, "virt_id");
}

static void print_json(const struct event *e, const struct line *l, const struct view *v)
{
	struct json j;
	char r[16];

	json_init(&j, stdout);
	json_object_begin(&j, NULL);
	json_double(&j, "time", v->wall_offset + e->ts_ns / 1e9);
	json_uint(&j, "ts_ns", e->ts_ns);
	json_string(&j, "mode", mode_names[v->mode]);
	json_uint(&j, "pid", e->pid);
	json_uint(&j, "tid", e->tid);
	json_string(&j, "comm", e->comm);
	json_string(&j, "backend", l->backend);
	json_string(&j, "event", l->event);
	if (l->ioctl)
		json_string(&j, "ioctl", l->ioctl);
	else
		json_null(&j, "ioctl");
	if (e->fd >= 0)
		json_int(&j, "fd", e->fd);
	else
		json_null(&j, "fd");
	json_id(&j, "dev_id", l->dev_id);
	json_id(&j, "group_id", l->group_id);
	json_id(&j, "pasid", l->pasid);
	json_id(&j, "pt_id", l->pt_id);
	json_id(&j, "hwpt_id", l->hwpt_id);
	if (l->hwpt) {
		json_id(&j, "flags", e->flags);
		json_id(&j, "data_type", e->data_type);
		json_id(&j, "fault_id", e->fault_id);
		json_bool(&j, "automatic", e->automatic);
	}
	if (l->vobj)
		vobj_json(&j, e);
	if (l->access)
		json_id(&j, "access_id", l->access_id);
	json_int(&j, "ret", e->ret);
	if (e->ret < 0)
		json_string(&j, "errno", ret_str(e->ret, r, sizeof(r)));
	else
		json_null(&j, "errno");
	if (e->lat_ns)
		json_double(&j, "latency_us", e->lat_ns / 1000.0);
	else
		json_null(&j, "latency_us");
	json_object_end(&j);
}

void print_record(const struct event *e, const struct view *v)
{
	struct line l;

	decode(e, &l, v->mode != MODE_TP);
	if (v->json)
		print_json(e, &l, v);
	else
		print_human(e, &l, v);
}
