// SPDX-License-Identifier: GPL-2.0
/*
 * attachsnoop: one line per iommufd attach / replace / detach / HWPT,
 * vIOMMU, vDEVICE and vEVENTQ allocation and VFIO type1 group attach /
 * detach, with ids, result and latency (see attachsnoop.md).
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
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <linux/types.h>
#include <linux/vfio.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "attachsnoop-user.h"
#include "attachsnoop.skel.h"
#include "bpftool.h"
#include "cli.h"
#include "json.h"
#include "probe.h"
#include "tracefs.h"
#include "util.h"

static struct bpftool_opts opts = { .stream = true };

static int mode;
/* tracepoint mode: no fentry/fexit at all (no latency), or none on bind's function */
static bool no_spans, no_bind;
/* tracepoint mode: the vIOMMU object events loaded (6.15 on, with the series) */
static bool viommu_on, access_on;
#define BIND_FUNC "vfio_df_ioctl_bind_iommufd"
/* the mode is chosen at load; the options set the rest */
static struct view view;

static const char usage_text[] =
"usage: attachsnoop [-h] [-v] [-j] [-T] [-F] [-p PID] [-c DIR]\n"
"\n"
"One line per iommufd device attach, replace, detach and HWPT allocation,\n"
"vIOMMU, vDEVICE and vEVENTQ allocation (kernels that have them), and\n"
"per VFIO type1 group attach and detach, with the ids, the result\n"
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

static int handle_event(void *ctx, void *data, size_t size)
{
	if (size >= sizeof(struct event))
		print_record(data, ctx);
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
/* The optional groups of programs, each named in the banner */
enum opt {
	OPT_NO,		/* a program the mode needs */
	OPT_VIOMMU,	/* vIOMMU object allocation */
	OPT_ACCESS,	/* emulated-device accesses */
};

struct prog_desc {
	struct bpf_program *prog;
	const char *tp;		/* tp_btf tracepoint, NULL for the others */
	enum mode mode;
	const char *func;	/* tracepoint mode, if it has BTF: fentry/fexit on it */
	enum opt optional;	/* loaded if its event is there; never decides the mode */
};

static size_t prog_table(struct attachsnoop_bpf *obj, struct prog_desc *t)
{
	const struct prog_desc d[] = {
		{ obj->progs.dev_attach, "iommufd_device_attach", MODE_TP, NULL, OPT_NO },
		{ obj->progs.dev_replace, "iommufd_device_replace", MODE_TP, NULL, OPT_NO },
		{ obj->progs.dev_detach, "iommufd_device_detach", MODE_TP, NULL, OPT_NO },
		{ obj->progs.hwpt_alloc, "iommufd_hwpt_alloc", MODE_TP, NULL, OPT_NO },
		{ obj->progs.group_attach, "vfio_iommu_type1_attach_group", MODE_TP, NULL, OPT_NO },
		{ obj->progs.group_detach, "vfio_iommu_type1_detach_group", MODE_TP, NULL, OPT_NO },
		{ obj->progs.viommu_alloc, "iommufd_viommu_alloc", MODE_TP, NULL, OPT_VIOMMU },
		{ obj->progs.vdevice_alloc, "iommufd_vdevice_alloc", MODE_TP, NULL, OPT_VIOMMU },
		{ obj->progs.veventq_alloc, "iommufd_veventq_alloc", MODE_TP, NULL, OPT_VIOMMU },
		{ obj->progs.access_attach, "iommufd_access_attach", MODE_TP, NULL, OPT_ACCESS },
		{ obj->progs.access_replace, "iommufd_access_replace", MODE_TP, NULL, OPT_ACCESS },
		{ obj->progs.access_detach, "iommufd_access_detach", MODE_TP, NULL, OPT_ACCESS },
#define SPAN(in, out, fn)	{ obj->progs.out, NULL, MODE_TP, fn, OPT_NO }, \
				{ obj->progs.in, NULL, MODE_TP, fn, OPT_NO }
		SPAN(bind_in, bind_out, BIND_FUNC),
		SPAN(attach_pt_in, attach_pt_out, "vfio_df_ioctl_attach_pt"),
		SPAN(detach_pt_in, detach_pt_out, "vfio_df_ioctl_detach_pt"),
		SPAN(hwpt_ioctl_in, hwpt_ioctl_out, "iommufd_hwpt_alloc"),
		SPAN(compat_att_in, compat_att_out, "vfio_iommufd_compat_attach_ioas"),
		SPAN(t1_attach_in, t1_attach_out, "vfio_iommu_type1_attach_group"),
		SPAN(t1_detach_in, t1_detach_out, "vfio_iommu_type1_detach_group"),
#undef SPAN
		{ obj->progs.sys_enter_ioctl, NULL, MODE_SYSCALLS, NULL, OPT_NO },
		{ obj->progs.sys_exit_ioctl, NULL, MODE_SYSCALLS, NULL, OPT_NO },
		{ obj->progs.sys_enter_close, NULL, MODE_SYSCALLS, NULL, OPT_NO },
		{ obj->progs.raw_sys_enter, NULL, MODE_RAW_SYSCALLS, NULL, OPT_NO },
		{ obj->progs.raw_sys_exit, NULL, MODE_RAW_SYSCALLS, NULL, OPT_NO },
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
		if (t[i].tp && !t[i].optional)
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
	viommu_on = access_on = false;
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
		if (on && t[i].optional == OPT_ACCESS)
			access_on = true;
		else if (on && t[i].optional == OPT_VIOMMU)
			viommu_on = true;
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
		fprintf(f, "  vIOMMU objects: %s\n", viommu_on ?
			"iommufd_{viommu,vdevice,veventq}_alloc" :
			bpftool_tp_state("iommufd_viommu_alloc") == PROBE_TP_UNLOADED ?
			"unavailable (module iommufd not loaded)" :
			"unavailable (no iommufd_viommu_alloc event)");
		fprintf(f, "  emulated-device accesses: %s\n", access_on ?
			"iommufd_access_{attach,replace,detach}" :
			bpftool_tp_state("iommufd_access_attach") == PROBE_TP_UNLOADED ?
			"unavailable (module iommufd not loaded)" :
			"unavailable (no iommufd_access_attach event)");
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
			"  or contained fd), replace by the kernel, type1 group attach ids,\n"
			"  vIOMMU objects, emulated-device accesses\n");
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
	/* before any record can be printed */
	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	view.wall_offset = (rt.tv_sec - mono.tv_sec) + (rt.tv_nsec - mono.tv_nsec) / 1e9;
	view.mode = mode;
	view.json = opts.json;
	view.timestamp = opts.timestamp;
	rb = ring_buffer__new(bpf_map__fd(obj->maps.events), handle_event, &view, NULL);
	if (!rb) {
		err = -errno;
		fprintf(stderr, "attachsnoop: failed to create ring buffer: %s\n",
			strerror(errno));
		goto cleanup;
	}

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
