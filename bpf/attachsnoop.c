// SPDX-License-Identifier: GPL-2.0
/*
 * attachsnoop: one line per iommufd attach / replace / detach / HWPT
 * allocation and VFIO type1 group attach / detach, with ids, result and
 * latency (see attachsnoop.md).
 *
 * Tracepoint mode runs tp_btf programs on the series' events; without
 * them it falls back to the ioctls that cause them, decoded at their exit.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <linux/iommufd.h>
#include <linux/types.h>
#include <linux/vfio.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "attachsnoop.h"
#include "attachsnoop.skel.h"
#include "bpftool.h"
#include "cli.h"
#include "json.h"
#include "probe.h"
#include "tracefs.h"
#include "util.h"

enum mode {
	MODE_TP,		/* the series' events, tp_btf */
	MODE_SYSCALLS,		/* syscalls:sys_{enter,exit}_ioctl, sys_enter_close */
	MODE_RAW_SYSCALLS,	/* raw_syscalls:sys_{enter,exit} */
};

static const char *const mode_names[] = { "tracepoint", "syscalls", "raw_syscalls" };

static struct bpftool_opts opts = { .stream = true };

static int mode;
/* tracepoint mode: no fentry/fexit at all (no latency), or none on bind's function */
static bool no_spans, no_bind;
#define BIND_FUNC "vfio_df_ioctl_bind_iommufd"
/* CLOCK_REALTIME - CLOCK_MONOTONIC, to date the records */
static double wall_offset;

static const char usage_text[] =
"usage: attachsnoop [-h] [-v] [-j] [-T] [-F] [-p PID] [-c DIR]\n"
"\n"
"One line per iommufd device attach, replace, detach and HWPT allocation\n"
"and per VFIO type1 group attach and detach, with the ids, the result\n"
"(0 or the errno name) and the latency in microseconds from the entry of\n"
"the ioctl that caused it (- where no ioctl did, e.g. on close).\n"
"\n"
"  -h, --help        this help\n"
"  -v, --verbose     libbpf debug output, probing details\n"
"  -j, --json        one JSON object per event (JSON lines)\n"
"  -T, --timestamp   a time column (HH:MM:SS.mmm)\n"
"  -F, --fallback    decode the ioctls even if the iommufd and\n"
"                    vfio_iommu_type1 events exist\n"
"  -p, --pid PID     only this process\n"
"  -c, --cgroup DIR  only tasks in this cgroup (v2), e.g. a VM's scope\n"
"\n"
"Runs until Ctrl-C or SIGTERM.\n"
"\n"
"examples:\n"
"  attachsnoop             # every attach/detach on the system\n"
"  attachsnoop -T -p 1234  # process 1234, with the time\n"
"  attachsnoop -j > a.json # JSON lines, one per event\n"
"  attachsnoop -F          # what the ioctls alone show\n";

static const struct option long_opts[] = {
	BPFTOOL_LONG_OPTS,
	{},
};

/* 0: run; 1: help printed, exit 0; -1: usage error printed, exit 2. */
static int parse_args(int argc, char **argv)
{
	return bpftool_parse(argc, argv, ":hvjTFp:c:", long_opts, usage_text, &opts, NULL);
}

/* ---- the ioctls: what starts a latency, what the fallback reports ---- */

struct ioctl_info {
	__u32 cmd;
	const char *name;
	const char *event;	/* the fallback's event name */
	const char *backend;
	bool arg_is_ptr;
	bool track;		/* success: fd now bound / in a container */
	bool untrack;
};

#define IOCTL(c, ev, be, ...) { .cmd = c, .name = #c, .event = ev, .backend = be, __VA_ARGS__ }
static const struct ioctl_info ioctl_infos[MAX_IOCTLS] = {
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

static void configure_ioctls(struct attachsnoop_bpf *obj)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ioctl_infos); i++) {
		const struct ioctl_info *x = &ioctl_infos[i];

		obj->rodata->ioctls[i].cmd = x->cmd;
		obj->rodata->ioctls[i].arg_is_ptr = x->arg_is_ptr;
		if (mode == MODE_TP) {
			/* bind has no event of its own: report it from the ioctl */
			obj->rodata->ioctls[i].report = x->cmd == VFIO_DEVICE_BIND_IOMMUFD;
		} else {
			obj->rodata->ioctls[i].report = 1;
			obj->rodata->ioctls[i].track = x->track;
			obj->rodata->ioctls[i].untrack = x->untrack;
		}
	}
	obj->rodata->targ_nr_ioctl = SYS_ioctl;
	obj->rodata->targ_nr_close = SYS_close;
	obj->rodata->targ_fallback = mode != MODE_TP;
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
};

static void decode_bind(const struct event *e, struct line *l)
{
	const struct vfio_device_bind_iommufd *b = (const void *)e->arg;
	struct fd_state *s;

	if (e->ret || !e->arg_ok)
		return;
	l->dev_id = b->out_devid;
	if (mode == MODE_TP)
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

static void decode_ioctl(const struct event *e, struct line *l)
{
	const struct ioctl_info *x = ioctl_info(e->cmd);
	struct fd_state *s;

	if (!x)
		return;
	l->backend = x->backend;
	l->event = x->event;
	switch (e->cmd) {
	case VFIO_DEVICE_BIND_IOMMUFD:
		decode_bind(e, l);
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

static void decode(const struct event *e, struct line *l)
{
	static const char *const names[] = {
		[AS_ATTACH] = "attach", [AS_REPLACE] = "replace", [AS_DETACH] = "detach",
		[AS_HWPT_ALLOC] = "hwpt_alloc", [AS_ATTACH_GROUP] = "attach_group",
		[AS_DETACH_GROUP] = "detach_group",
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
		decode_ioctl(e, l);
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

static void print_human(const struct event *e, const struct line *l)
{
	char ts[32], r[16], lat[16], det[64] = "";
	double w;
	time_t t;
	struct tm tm;

	if (opts.timestamp) {
		w = wall_offset + e->ts_ns / 1e9;
		t = (time_t)w;
		strftime(ts, sizeof(ts), "%H:%M:%S", localtime_r(&t, &tm));
		printf("%s.%03d ", ts, (int)((w - t) * 1000));
	}
	if (l->hwpt)
		detail_add(det, sizeof(det), "hwpt", l->hwpt_id);
	detail_add(det, sizeof(det), "dev", l->dev_id);
	detail_add(det, sizeof(det), "group", l->group_id);
	/* IOMMU_NO_PASID is 0: only a real PASID is worth a column */
	if (l->pasid)
		detail_add(det, sizeof(det), "pasid", l->pasid);
	detail_add(det, sizeof(det), "pt", l->pt_id);
	if (!l->hwpt)
		detail_add(det, sizeof(det), "hwpt", l->hwpt_id);
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

static void print_json(const struct event *e, const struct line *l)
{
	struct json j;
	char r[16];

	json_init(&j, stdout);
	json_object_begin(&j, NULL);
	json_double(&j, "time", wall_offset + e->ts_ns / 1e9);
	json_uint(&j, "ts_ns", e->ts_ns);
	json_string(&j, "mode", mode_names[mode]);
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

static int handle_event(void *ctx, void *data, size_t size)
{
	const struct event *e = data;
	struct line l;

	if (size < sizeof(*e))
		return 0;
	decode(e, &l);
	if (opts.json)
		print_json(e, &l);
	else
		print_human(e, &l);
	return 0;
}

/*
 * Records the kernel could not queue since the last call, said where they
 * are missing in the stream (an "event": "lost" record in JSON).
 */
static void report_lost(const struct attachsnoop_bpf *obj)
{
	static __u64 reported;
	__u64 n = __atomic_load_n(&obj->bss->dropped, __ATOMIC_RELAXED);
	struct json j;

	if (n == reported)
		return;
	if (opts.json) {
		json_init(&j, stdout);
		json_object_begin(&j, NULL);
		json_time(&j, "time");
		json_string(&j, "mode", mode_names[mode]);
		json_string(&j, "event", "lost");
		json_uint(&j, "count", n - reported);
		json_object_end(&j);
	} else {
		printf("LOST %llu events here: the ring buffer was full\n",
		       (unsigned long long)(n - reported));
	}
	fflush(stdout);
	reported = n;
}

/* ---- which programs run in which mode ---- */

#define MAX_PROGS 32
struct prog_desc {
	struct bpf_program *prog;
	const char *tp;		/* tp_btf tracepoint, NULL for the others */
	enum mode mode;
	const char *func;	/* tracepoint mode, if it has BTF: fentry/fexit on it */
};

static size_t prog_table(struct attachsnoop_bpf *obj, struct prog_desc *t)
{
	const struct prog_desc d[] = {
		{ obj->progs.dev_attach, "iommufd_device_attach", MODE_TP, NULL },
		{ obj->progs.dev_replace, "iommufd_device_replace", MODE_TP, NULL },
		{ obj->progs.dev_detach, "iommufd_device_detach", MODE_TP, NULL },
		{ obj->progs.hwpt_alloc, "iommufd_hwpt_alloc", MODE_TP, NULL },
		{ obj->progs.group_attach, "vfio_iommu_type1_attach_group", MODE_TP, NULL },
		{ obj->progs.group_detach, "vfio_iommu_type1_detach_group", MODE_TP, NULL },
#define SPAN(in, out, fn)	{ obj->progs.out, NULL, MODE_TP, fn }, \
				{ obj->progs.in, NULL, MODE_TP, fn }
		SPAN(bind_in, bind_out, BIND_FUNC),
		SPAN(attach_pt_in, attach_pt_out, "vfio_df_ioctl_attach_pt"),
		SPAN(detach_pt_in, detach_pt_out, "vfio_df_ioctl_detach_pt"),
		SPAN(hwpt_ioctl_in, hwpt_ioctl_out, "iommufd_hwpt_alloc"),
		SPAN(compat_att_in, compat_att_out, "vfio_iommufd_compat_attach_ioas"),
		SPAN(t1_attach_in, t1_attach_out, "vfio_iommu_type1_attach_group"),
		SPAN(t1_detach_in, t1_detach_out, "vfio_iommu_type1_detach_group"),
#undef SPAN
		{ obj->progs.sys_enter_ioctl, NULL, MODE_SYSCALLS, NULL },
		{ obj->progs.sys_exit_ioctl, NULL, MODE_SYSCALLS, NULL },
		{ obj->progs.sys_enter_close, NULL, MODE_SYSCALLS, NULL },
		{ obj->progs.raw_sys_enter, NULL, MODE_RAW_SYSCALLS, NULL },
		{ obj->progs.raw_sys_exit, NULL, MODE_RAW_SYSCALLS, NULL },
	};

	_Static_assert(ARRAY_SIZE(d) <= MAX_PROGS, "prog_table: raise MAX_PROGS");
	memcpy(t, d, sizeof(d));
	return ARRAY_SIZE(d);
}

/* The fallback's syscall events: the ioctl's, and close() (raw: one pair for both). */
static int syscall_mode(void)
{
	int ev = bpftool_ioctl_events();

	if (ev == BPFTOOL_SYSCALLS && !tracefs_event_exists("syscalls", "sys_enter_close"))
		ev = tracefs_event_exists("raw_syscalls", "sys_enter") &&
		     tracefs_event_exists("raw_syscalls", "sys_exit") ? BPFTOOL_RAW_SYSCALLS : 0;
	return ev == BPFTOOL_SYSCALLS ? MODE_SYSCALLS :
	       ev == BPFTOOL_RAW_SYSCALLS ? MODE_RAW_SYSCALLS : -1;
}


/*
 * The series' events if all six have BTF (tracepoint mode; fentry/fexit
 * on the attach functions add latency and bind), leaving out a backend whose
 * module is not loaded (the fallback if that leaves none), else the
 * syscall events.  @sys gets the syscall flavour; -1 if nothing can be
 * traced.
 */
static struct bpftool_tps tps;

static int choose_mode(const struct prog_desc *t, size_t n, int *sys)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (t[i].tp)
			bpftool_tp_tally(&tps, t[i].tp);
	*sys = syscall_mode();
	if (bpftool_tp_mode(&tps) && !opts.fallback)
		return MODE_TP;
	return *sys;
}

/*
 * Tracepoint mode: the events, and the attach functions that have BTF for
 * latency and bind (no_spans if none has; a kernel without the VFIO cdev
 * or a module not loaded leaves some out); the fallback: the syscalls of
 * flavour @sys.
 */
static void select_progs(struct attachsnoop_bpf *obj, const struct prog_desc *t, size_t n,
			 int sys, bool spans)
{
	size_t i;
	bool on;

	no_spans = no_bind = true;
	for (i = 0; i < n; i++) {
		if (t[i].mode == MODE_TP)
			on = mode == MODE_TP &&
			     (!t[i].tp || bpftool_tp_state(t[i].tp) == PROBE_TP_OK) &&
			     (!t[i].func || (spans && probe_btf_func(t[i].func)));
		else
			on = mode != MODE_TP && (int)t[i].mode == sys;
		if (on && t[i].func)
			no_spans = false;
		if (on && t[i].func && !strcmp(t[i].func, BIND_FUNC))
			no_bind = false;
		bpf_program__set_autoload(t[i].prog, on);
	}
}

static void print_banner(int sys)
{
	FILE *f = bpftool_banner(opts.json, "iommufd and VFIO type1 attach/detach");

	if (mode == MODE_TP) {
		fprintf(f, "mode: tracepoint (iommufd_device_*, iommufd_hwpt_alloc,\n"
			"  vfio_iommu_type1_*_group)\n");
		bpftool_unloaded_note(f, false);
		if (no_spans)
			fprintf(f, "  no BTF for the iommufd/VFIO attach functions: latency and\n"
				"  bind unavailable\n");
		else
			fprintf(f, "  latency from the entry of the attach function; bind %s\n",
				no_bind ? "unavailable (no VFIO cdev)" : "decoded from its ioctl");
	} else {
		fprintf(f, "mode: fallback, %s\n",
			sys == MODE_SYSCALLS ? "syscalls:sys_{enter,exit}_ioctl, sys_enter_close" :
			"raw_syscalls:sys_{enter,exit}");
		if (opts.fallback || tps.missing)
			fprintf(f, "  %s\n", opts.fallback ? "forced by -F" : bpftool_missing_why() ?:
				"this kernel has no iommufd/vfio_iommu_type1 attach events");
		bpftool_unloaded_note(f, true);
		fprintf(f, "  events are the ioctls (latency: the whole ioctl); unavailable:\n"
			"  pasid, attach/detach without an ioctl (only close() of a bound\n"
			"  or contained fd), replace by the kernel, type1 group attach ids\n");
	}
	if (!opts.json)
		fprintf(f, "%s%-7s %-12s %-7s %-15s %-7s %7s %s\n",
			opts.timestamp ? "TIME         " : "",
			"PID", "COMM", "BACKEND", "EVENT", "RET", "LAT(us)", "DETAIL");
	fflush(f);
}

/*
 * The skeleton opened, its programs chosen, loaded and attached; NULL and
 * *@errp on failure (said once).  A kernel may have BTF for a function but
 * refuse an fentry on it (no BPF trampolines, not traceable): then once
 * more without the fentry/fexit programs, latency and bind unavailable.
 */
static struct attachsnoop_bpf *open_and_load(bool spans, int *sys, int *errp)
{
	struct prog_desc progs[MAX_PROGS];
	struct attachsnoop_bpf *obj = attachsnoop_bpf__open();
	size_t nprogs;
	int err = bpftool_opened(obj);

	if (err)
		goto fail;
	nprogs = prog_table(obj, progs);
	mode = choose_mode(progs, nprogs, sys);
	if (mode < 0) {
		err = bpftool_no_events();
		goto fail;
	}
	select_progs(obj, progs, nprogs, *sys, spans);
	obj->rodata->filter_tgid = opts.pid;
	obj->rodata->filter_cg = opts.cgroup != NULL;
	err = bpftool_cgroup_map(obj->maps.cgroup_map, opts.cgroup);
	if (err)
		goto fail;
	configure_ioctls(obj);
	err = bpf_object__load_skeleton(obj->skeleton);
	if (!err)
		err = bpf_object__attach_skeleton(obj->skeleton);
	if (!err && opts.cgroup) {
		/* said there; not a reason to retry without the fentry/fexit */
		err = bpftool_set_cgroup(obj->maps.cgroup_map, opts.cgroup);
		if (err)
			goto fail;
	}
	if (!err)
		return obj;
	if (spans && !no_spans) {
		if (cli_verbose)
			fprintf(stderr, "attachsnoop: the attach functions' fentry/fexit failed (%s): "
				"without them\n", strerror(-err));
		attachsnoop_bpf__destroy(obj);
		return open_and_load(false, sys, errp);
	}
	fprintf(stderr, "attachsnoop: failed to load or attach BPF programs: %s\n", strerror(-err));
fail:
	attachsnoop_bpf__destroy(obj);
	*errp = err;
	return NULL;
}

/* Events until a signal: 0, or -errno after the message. */
static int poll_loop(struct attachsnoop_bpf *obj, struct ring_buffer *rb, const sigset_t *set)
{
	double last_sweep = 0;
	int err;

	for (;;) {
		err = ring_buffer__poll(rb, 100);
		if (err < 0 && err != -EINTR) {
			fprintf(stderr, "attachsnoop: failed to poll ring buffer: %s\n",
				strerror(-err));
			return err;
		}
		report_lost(obj);
		/* the fallback's fds of exited processes (closed without close()) */
		if (cli_now() - last_sweep >= 1) {
			if (mode != MODE_TP)
				bpftool_sweep_gone(bpf_map__fd(obj->maps.fds));
			bpftool_unloaded_recheck();
			last_sweep = cli_now();
		}
		if (cli_wait(set, 0))
			return 0;
	}
}

int main(int argc, char **argv)
{
	struct attachsnoop_bpf *obj = NULL;
	struct ring_buffer *rb = NULL;
	struct timespec rt, mono;
	sigset_t set;
	int err, sys;

	err = bpftool_begin("attachsnoop", argc, argv, parse_args, &set);
	if (err >= 0)
		return err;

	obj = open_and_load(true, &sys, &err);
	if (!obj)
		goto cleanup;
	rb = ring_buffer__new(bpf_map__fd(obj->maps.events), handle_event, NULL, NULL);
	if (!rb) {
		err = -errno;
		fprintf(stderr, "attachsnoop: failed to create ring buffer: %s\n",
			strerror(errno));
		goto cleanup;
	}

	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	wall_offset = (rt.tv_sec - mono.tv_sec) + (rt.tv_nsec - mono.tv_nsec) / 1e9;

	print_banner(sys);
	err = poll_loop(obj, rb, &set);
	if (err)
		goto cleanup;
	err = ring_buffer__consume(rb);
	err = err < 0 ? err : 0;
	report_lost(obj);
	if (obj->bss->dropped)
		fprintf(stderr, "attachsnoop: %llu events lost (ring buffer full)\n",
			(unsigned long long)obj->bss->dropped);
	if (obj->bss->untracked)
		fprintf(stderr, "attachsnoop: %llu bound fds not followed (table full): their "
			"close() was not reported\n", (unsigned long long)obj->bss->untracked);

cleanup:
	ring_buffer__free(rb);
	attachsnoop_bpf__destroy(obj);
	probe_free();
	return err ? 1 : 0;
}
