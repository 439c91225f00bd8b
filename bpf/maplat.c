// SPDX-License-Identifier: GPL-2.0
/*
 * maplat: DMA map/unmap/copy latency of iommufd and VFIO type1, as log2
 * histograms per backend, operation and size class (see maplat.md).
 *
 * Tracepoint mode runs tp_btf programs on the _start and end events of
 * the ioasid-trace series; without them it falls back to the ioctl
 * syscall tracepoints and says so.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/iommufd.h>
#include <linux/types.h>
#include <linux/vfio.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpftool.h"
#include "cli.h"
#include "dmaioctl.h"
#include "hist.h"
#include "json.h"
#include "maplat-user.h"
#include "maplat.skel.h"
#include "probe.h"
#include "seen.h"
#include "util.h"

enum mode {
	MODE_TP,		/* the series' end events, tp_btf */
	MODE_SYSCALLS,		/* syscalls:sys_{enter,exit}_ioctl */
	MODE_RAW_SYSCALLS,	/* raw_syscalls:sys_{enter,exit} */
};

static const char *const mode_names[] = { "tracepoint", "syscalls", "raw_syscalls" };

static struct bpftool_opts opts = {
	.interval = 99999999,
	.count = 99999999,
};

static struct env {
	int backend;		/* -1: every one */
	bool per_process;
	bool per_ioas;
	bool breakdown;
} env = {
	.backend = -1,
};

static const char usage_text[] =
"usage: maplat [-h] [-v] [-j] [-T] [-N|-m] [-P] [-I] [-B] [-F] [-p PID] [-c DIR]\n"
"              [--backend iommufd|type1|compat] [-i INTERVAL] [interval [count]]\n"
"\n"
"DMA map/unmap/copy latency of iommufd and VFIO type1 as log2 histograms,\n"
"per backend, operation and size class (log2 of the length), with count,\n"
"failures, mean and p50/p90/p99 estimated from the log2 buckets.  dirty:\n"
"dirty bitmap reads (live migration), sized by the IOVA span walked, with\n"
"the rate they walk it at and the share found dirty (tracepoint mode, a\n"
"kernel with the series' dirty tracking events).  map_file: IOMMU_IOAS_MAP_FILE\n"
"(tracepoint mode; their unmaps are unmaps).  pin, rw: the page pins and CPU\n"
"copies of emulated devices (mdevs: vfio_pin_pages(), vfio_dma_rw()) through\n"
"iommufd (tracepoint mode, a kernel with the series' access events).  compat:\n"
"type1's ioctls served by iommufd (/dev/vfio/vfio on an IOMMUFD_VFIO_CONTAINER\n"
"kernel, or /dev/iommu), told apart in tracepoint mode; the fallback counts\n"
"them as type1.\n"
"\n"
"  -h, --help          this help\n"
"  -v, --verbose       libbpf debug output, probing details\n"
"  -j, --json          one JSON document per interval (JSON lines)\n"
"  -T, --timestamp     print the time before each report\n"
"  -N, --nanoseconds   nanosecond buckets (default microseconds)\n"
"  -m, --milliseconds  millisecond buckets\n"
"  -P, --per-process   histograms per process (with its name)\n"
"  -I, --per-ioas      histograms per address space: IOAS id, type1\n"
"                      container (numbered 1, 2, ... as they appear)\n"
"  -B, --breakdown     pin batches, pages pinned, IOTLB syncs per operation\n"
"                      (tracepoint mode; costs the pin and sync programs)\n"
"  -F, --fallback      use the ioctl syscall tracepoints even if the\n"
"                      iommufd/vfio_iommu_type1 events exist\n"
"  -p, --pid PID       only this process\n"
"  -c, --cgroup DIR    only tasks in this cgroup (v2), e.g. a VM's scope\n"
"  -b, --backend NAME  only iommufd, type1 or compat\n"
"  -i, --interval SEC  report every SEC seconds (then: [count])\n"
"\n"
"Without an interval, one report when interrupted (Ctrl-C, SIGTERM).\n"
"\n"
"examples:\n"
"  maplat                  # histograms until Ctrl-C\n"
"  maplat 1 10             # ten 1-second reports\n"
"  maplat -i 5 -T          # every 5 s, with a timestamp\n"
"  maplat -N -b iommufd    # iommufd only, nanosecond buckets\n"
"  maplat -P -p 1234       # process 1234, with its name\n"
"  maplat -I -P            # per IOAS / container of each process\n"
"  maplat -j -i 1 > m.json # JSON lines, one document per second\n"
"  maplat -B               # where map/unmap time goes: pins, IOTLB syncs\n";

static const struct option long_opts[] = {
	BPFTOOL_LONG_OPTS,
	BPFTOOL_LONG_INTERVAL,
	BPFTOOL_LONG_UNITS,
	{ "per-process", no_argument, NULL, 'P' },
	{ "per-ioas", no_argument, NULL, 'I' },
	{ "breakdown", no_argument, NULL, 'B' },
	{ "backend", required_argument, NULL, 'b' },
	{},
};

/* maplat's own options (the common ones: lib/bpftool). */
static int own_opt(int opt, const char *arg)
{
	enum vdev_backend vb;

	switch (opt) {
	case 'P':
		env.per_process = true;
		return 0;
	case 'I':
		env.per_ioas = true;
		return 0;
	case 'B':
		env.breakdown = true;
		return 0;
	case 'b':
		if (!vdev_backend_parse(arg, &vb)) {
			env.backend = vb;
			return 0;
		}
		cli_usage_error(usage_text, "unknown backend '%s' (iommufd, type1 or compat)", arg);
		return -1;
	}
	return BPFTOOL_OPT_UNKNOWN;
}

/* 0: run; 1: help printed, exit 0; -1: usage error printed, exit 2. */
static int parse_args(int argc, char **argv)
{
	return bpftool_parse(argc, argv, ":hvjTNmPIBFp:c:b:i:", long_opts, usage_text, &opts,
			     own_opt);
}

/* ---- which programs run in which mode ---- */

enum role {
	ROLE_END,	/* tracepoint mode: an end event */
	ROLE_START,	/* tracepoint mode: its _start event */
	ROLE_EXTRA,	/* -B: pin batch, IOTLB sync */
	ROLE_DIRTY,	/* tracepoint mode, if the kernel has them: dirty bitmap reads */
	ROLE_ACCESS,	/* the same for an emulated device's pins and copies */
	ROLE_SYSCALLS,
	ROLE_RAW,
};

struct prog_desc {
	struct bpf_program *prog;
	const char *tp;		/* tracepoint name (tp_btf) */
	int backend;		/* -1: any */
	enum role role;
};

static size_t prog_table(struct maplat_bpf *obj, struct prog_desc *t)
{
	const struct prog_desc d[] = {
		{ obj->progs.iommufd_map, "iommufd_ioas_map", MAPLAT_IOMMUFD, ROLE_END },
		{ obj->progs.iommufd_unmap, "iommufd_ioas_unmap", MAPLAT_IOMMUFD, ROLE_END },
		{ obj->progs.iommufd_copy, "iommufd_ioas_copy", MAPLAT_IOMMUFD, ROLE_END },
		{ obj->progs.type1_map, "vfio_iommu_type1_dma_map", MAPLAT_TYPE1, ROLE_END },
		{ obj->progs.type1_unmap, "vfio_iommu_type1_dma_unmap", MAPLAT_TYPE1, ROLE_END },
		{ obj->progs.iommufd_map_start, "iommufd_ioas_map_start", MAPLAT_IOMMUFD,
		  ROLE_START },
		{ obj->progs.iommufd_unmap_start, "iommufd_ioas_unmap_start", MAPLAT_IOMMUFD,
		  ROLE_START },
		{ obj->progs.iommufd_copy_start, "iommufd_ioas_copy_start", MAPLAT_IOMMUFD,
		  ROLE_START },
		{ obj->progs.type1_map_start, "vfio_iommu_type1_dma_map_start", MAPLAT_TYPE1,
		  ROLE_START },
		{ obj->progs.type1_unmap_start, "vfio_iommu_type1_dma_unmap_start", MAPLAT_TYPE1,
		  ROLE_START },
		{ obj->progs.iommufd_dirty, "iommufd_hwpt_get_dirty_bitmap", MAPLAT_IOMMUFD,
		  ROLE_DIRTY },
		{ obj->progs.iommufd_dirty_start, "iommufd_hwpt_get_dirty_bitmap_start",
		  MAPLAT_IOMMUFD, ROLE_DIRTY },
		{ obj->progs.type1_dirty, "vfio_iommu_type1_dirty_bitmap", MAPLAT_TYPE1, ROLE_DIRTY },
		{ obj->progs.type1_dirty_start, "vfio_iommu_type1_dirty_bitmap_start", MAPLAT_TYPE1,
		  ROLE_DIRTY },
		{ obj->progs.access_pin_start, "iommufd_access_pin_pages_start", MAPLAT_IOMMUFD,
		  ROLE_ACCESS },
		{ obj->progs.access_pin, "iommufd_access_pin_pages", MAPLAT_IOMMUFD, ROLE_ACCESS },
		{ obj->progs.access_rw_start, "iommufd_access_rw_start", MAPLAT_IOMMUFD,
		  ROLE_ACCESS },
		{ obj->progs.access_rw, "iommufd_access_rw", MAPLAT_IOMMUFD, ROLE_ACCESS },
		{ obj->progs.type1_ext_pin_start, "vfio_iommu_type1_ext_pin_pages_start",
		  MAPLAT_TYPE1, ROLE_ACCESS },
		{ obj->progs.type1_ext_pin, "vfio_iommu_type1_ext_pin_pages", MAPLAT_TYPE1,
		  ROLE_ACCESS },
		{ obj->progs.type1_rw_start, "vfio_iommu_type1_dma_rw_start", MAPLAT_TYPE1,
		  ROLE_ACCESS },
		{ obj->progs.type1_rw, "vfio_iommu_type1_dma_rw", MAPLAT_TYPE1, ROLE_ACCESS },
		{ obj->progs.iommufd_pin, "iommufd_pages_pin", MAPLAT_IOMMUFD, ROLE_EXTRA },
		{ obj->progs.type1_pin, "vfio_iommu_type1_pin_pages", MAPLAT_TYPE1, ROLE_EXTRA },
		{ obj->progs.iotlb_sync, "iotlb_sync", -1, ROLE_EXTRA },
		{ obj->progs.sys_enter_ioctl, NULL, -1, ROLE_SYSCALLS },
		{ obj->progs.sys_exit_ioctl, NULL, -1, ROLE_SYSCALLS },
		{ obj->progs.raw_sys_enter, NULL, -1, ROLE_RAW },
		{ obj->progs.raw_sys_exit, NULL, -1, ROLE_RAW },
	};

	memcpy(t, d, sizeof(d));
	return ARRAY_SIZE(d);
}

/* Whether a program of @backend is needed: compat's come from iommufd's events. */
static bool backend_selected(int backend)
{
	return backend < 0 || env.backend < 0 || backend == env.backend ||
	       (backend == MAPLAT_IOMMUFD && env.backend == MAPLAT_COMPAT);
}

/*
 * Pick the mode: the series' _start and end events if every one the
 * selected backends need has BTF, else the ioctl syscall events.  A backend whose
 * module is not loaded (on a kernel with the series) is left out; if that
 * leaves none, the fallback.  -1 if nothing can be traced.
 */
static struct bpftool_tps tps;

static int choose_mode(const struct prog_desc *t, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((t[i].role == ROLE_END || t[i].role == ROLE_START) &&
		    backend_selected(t[i].backend))
			bpftool_tp_tally(&tps, t[i].tp);
	if (bpftool_tp_mode(&tps) && !opts.fallback)
		return MODE_TP;
	switch (bpftool_ioctl_events()) {
	case BPFTOOL_SYSCALLS:
		return MODE_SYSCALLS;
	case BPFTOOL_RAW_SYSCALLS:
		return MODE_RAW_SYSCALLS;
	}
	return -1;
}

/*
 * Per backend: both dirty bitmap read events have BTF, so its pair of
 * programs loads (compat has none of its own); the banner and -j say which
 * backends' reads go untimed.
 */
static bool dirty_ok[MAPLAT_NR_BACKENDS];

static void probe_dirty(int mode)
{
	dirty_ok[MAPLAT_IOMMUFD] = mode == MODE_TP &&
		bpftool_tp_state("iommufd_hwpt_get_dirty_bitmap") == PROBE_TP_OK &&
		bpftool_tp_state("iommufd_hwpt_get_dirty_bitmap_start") == PROBE_TP_OK;
	dirty_ok[MAPLAT_TYPE1] = mode == MODE_TP &&
		bpftool_tp_state("vfio_iommu_type1_dirty_bitmap") == PROBE_TP_OK &&
		bpftool_tp_state("vfio_iommu_type1_dirty_bitmap_start") == PROBE_TP_OK;
}

/* A backend whose dirty reads this run cannot time (its events traced, not those) */
static bool dirty_untimed(int b)
{
	return env.backend != MAPLAT_COMPAT && backend_selected(b) && !dirty_ok[b];
}

/*
 * Emulated devices' pins and copies: a backend's four events (iommufd's
 * access events, type1's vfio_pin_pages()/vfio_dma_rw() events) all have
 * BTF.  Compat has none of its own.
 */
static const char *const access_tps[MAPLAT_NR_BACKENDS][4] = {
	[MAPLAT_IOMMUFD] = { "iommufd_access_pin_pages_start", "iommufd_access_pin_pages",
			     "iommufd_access_rw_start", "iommufd_access_rw" },
	[MAPLAT_TYPE1] = { "vfio_iommu_type1_ext_pin_pages_start",
			   "vfio_iommu_type1_ext_pin_pages", "vfio_iommu_type1_dma_rw_start",
			   "vfio_iommu_type1_dma_rw" },
};
static bool access_ok[MAPLAT_NR_BACKENDS];

static void probe_access(int mode)
{
	int b, i;

	for (b = MAPLAT_IOMMUFD; b <= MAPLAT_TYPE1; b++) {
		access_ok[b] = mode == MODE_TP;
		for (i = 0; i < 4; i++)
			access_ok[b] &= bpftool_tp_state(access_tps[b][i]) == PROBE_TP_OK;
	}
}

/* A backend traced whose emulated devices' accesses are not */
static bool access_untimed(int b)
{
	return env.backend != MAPLAT_COMPAT && backend_selected(b) && !access_ok[b];
}

/* Enable the programs @mode needs; returns how many -B ones are missing. */
static int select_progs(const struct prog_desc *t, size_t n, int mode)
{
	int missing = 0, st;
	bool on;
	size_t i;

	for (i = 0; i < n; i++) {
		switch (t[i].role) {
		case ROLE_END:
		case ROLE_START:
			on = mode == MODE_TP && backend_selected(t[i].backend) &&
			     bpftool_tp_state(t[i].tp) == PROBE_TP_OK;
			break;
		case ROLE_EXTRA:
			on = mode == MODE_TP && env.breakdown && backend_selected(t[i].backend);
			st = on ? bpftool_tp_state(t[i].tp) : PROBE_TP_OK;
			if (st == PROBE_TP_UNLOADED || st == PROBE_TP_NOT_BUILT) {
				on = false;	/* that backend is absent */
			} else if (st != PROBE_TP_OK) {
				fprintf(stderr, "maplat: no tracepoint %s: -B will not count it\n",
					t[i].tp);
				on = false;
				missing++;
			}
			break;
		case ROLE_DIRTY:
			on = env.backend != MAPLAT_COMPAT && backend_selected(t[i].backend) &&
			     dirty_ok[t[i].backend];
			break;
		case ROLE_ACCESS:
			on = env.backend != MAPLAT_COMPAT && backend_selected(t[i].backend) &&
			     access_ok[t[i].backend];
			break;
		case ROLE_SYSCALLS:
			on = mode == MODE_SYSCALLS;
			break;
		case ROLE_RAW:
			on = mode == MODE_RAW_SYSCALLS;
			break;
		default:
			on = false;
		}
		bpf_program__set_autoload(t[i].prog, on);
	}
	return missing;
}

/* The fallback's decoding table (lib/dmaioctl.h, shared with ioasid-top). */
static void configure_ioctls(struct maplat_bpf *obj)
{
	_Static_assert(DMAIOCTL_N == MAX_IOCTLS, "maplat.h MAX_IOCTLS");
	_Static_assert((int)DMAIOCTL_IOMMUFD == (int)MAPLAT_IOMMUFD &&
		       (int)DMAIOCTL_TYPE1 == (int)MAPLAT_TYPE1 &&
		       (int)DMAIOCTL_MAP == (int)MAPLAT_MAP &&
		       (int)DMAIOCTL_UNMAP == (int)MAPLAT_UNMAP &&
		       (int)DMAIOCTL_COPY == (int)MAPLAT_COPY, "maplat.h enums");
	DMAIOCTL_FILL(obj->rodata->ioctls, IOCTL_ID_FD);
	obj->rodata->targ_nr_ioctl = SYS_ioctl;
}

/*
 * The --backend the mode cannot serve, said once: 0, or 1 after the
 * message.  compat is told apart by the series' iommufd events only; a
 * kernel without type1 (iommufd serving /dev/vfio/vfio) has none to trace,
 * and its fallback would count compat's ioctls as type1's.
 */
static int backend_refused(int mode)
{
	if (env.backend == MAPLAT_COMPAT && mode != MODE_TP) {
		fprintf(stderr, "maplat: --backend compat needs tracepoint mode (%s): the ioctl "
			"fallback cannot tell compat from type1\n",
			opts.fallback ? "not -F" : "iommufd's events of the series");
		return 1;
	}
	if (env.backend == MAPLAT_TYPE1 &&
	    bpftool_tp_state("vfio_iommu_type1_dma_map") == PROBE_TP_NOT_BUILT) {
		fprintf(stderr, "maplat: no VFIO type1 in this kernel: its container API is "
			"iommufd's compat (--backend compat)\n");
		return 1;
	}
	return 0;
}

static void print_banner(int mode, int missing)
{
	FILE *f = bpftool_banner(opts.json, "DMA map/unmap/copy latency (%s)",
				 env.backend >= 0 ? vdev_backend_name(env.backend) :
				 mode == MODE_TP ? "iommufd, type1, compat" : "iommufd, type1");
	int b;

	if (mode == MODE_TP) {
		fprintf(f, "mode: tracepoint (_start to end event)\n");
		bpftool_unloaded_note(f, false);
		if (env.breakdown && missing)
			fprintf(f, "  -B: %d tracepoint(s) missing, their counts stay 0\n", missing);
		for (b = MAPLAT_IOMMUFD; b <= MAPLAT_TYPE1; b++) {
			if (bpftool_tp_state(b == MAPLAT_TYPE1 ? "vfio_iommu_type1_dma_map" :
					     "iommufd_ioas_map") != PROBE_TP_OK)
				continue;
			if (dirty_untimed(b))
				fprintf(f, "  %s dirty bitmap reads not timed: no dirty tracking events\n",
					vdev_backend_name(b));
			if (access_untimed(b))
				fprintf(f, "  %s emulated devices' pins and copies not timed: no %s events\n",
					vdev_backend_name(b), b == MAPLAT_TYPE1 ? "external pin" : "access");
		}
	} else {
		fprintf(f, "mode: fallback, %s\n", bpftool_ioctl_events_name(
				mode == MODE_SYSCALLS ? BPFTOOL_SYSCALLS : BPFTOOL_RAW_SYSCALLS));
		if (opts.fallback || tps.missing)
			fprintf(f, "  %s\n", opts.fallback ? "forced by -F" : bpftool_missing_why() ?:
				"this kernel has no iommufd/vfio_iommu_type1 events");
		bpftool_unloaded_note(f, true);
		fprintf(f, "  latency is the whole ioctl syscall; unavailable: pin batches,\n"
			"  pages pinned, IOTLB syncs (-B), dirty bitmap reads, emulated\n"
			"  devices' pins and copies, IOMMU_IOAS_MAP_FILE\n");
	}
	if (env.per_ioas)
		fprintf(f, "-I: %s per IOAS id, type1 per container numbered as seen%s\n",
			mode == MODE_TP ? "iommufd and compat" : "iommufd",
			mode == MODE_TP ? "" : ",\n  here a process's container fd");
	fflush(f);
}

struct run {
	struct maplat_bpf *obj;
	struct entry *entries;
	struct report_view view;
	int mode;
	__u64 dropped;		/* the kernel's count at the last report */
};

/* The programs' constants: units, keys, filters, the fallback's ioctls. */
static int configure(struct maplat_bpf *obj, int mode)
{
	obj->rodata->targ_unit_ns = opts.unit->ns;
	obj->rodata->targ_page_shift = bpftool_page_shift();
	obj->rodata->targ_per_process = env.per_process;
	obj->rodata->targ_per_ioas = env.per_ioas;
	obj->rodata->targ_breakdown = env.breakdown && mode == MODE_TP;
	obj->rodata->filter_tgid = opts.pid;
	obj->rodata->filter_cg = opts.cgroup != NULL;
	obj->rodata->filter_backend = env.backend;
	configure_ioctls(obj);
	return bpftool_cgroup_map(obj->maps.cgroup_map, opts.cgroup);
}

/* What the report shows and says it cannot (JSON "unavailable"). */
static void report_view(struct report_view *v, int mode)
{
	int n = 0;

	v->unit = opts.unit;
	v->mode = mode_names[mode];
	v->fallback = mode != MODE_TP;
	v->timestamp = opts.timestamp;
	v->per_process = env.per_process;
	v->per_ioas = env.per_ioas;
	v->breakdown = env.breakdown && mode == MODE_TP;
	if (mode != MODE_TP) {
		v->unavailable[n++] = "pin_batches";
		v->unavailable[n++] = "pinned_pages";
		v->unavailable[n++] = "iotlb_syncs";
		v->unavailable[n++] = "map_file";
	}
	if (dirty_untimed(MAPLAT_IOMMUFD))
		v->unavailable[n++] = "dirty_reads_iommufd";
	if (dirty_untimed(MAPLAT_TYPE1))
		v->unavailable[n++] = "dirty_reads_type1";
	if (access_untimed(MAPLAT_IOMMUFD))
		v->unavailable[n++] = "access_iommufd";
	if (access_untimed(MAPLAT_TYPE1))
		v->unavailable[n++] = "access_type1";
	v->unavailable[n] = NULL;
}

static int report(void *ctx, double seconds)
{
	struct run *r = ctx;
	__u64 dropped;
	int n;

	n = drain_hists(bpf_map__fd(r->obj->maps.hists), r->entries, &r->view);
	if (n < 0) {
		fprintf(stderr, "maplat: failed to read histograms: %s\n", strerror(-n));
		return n;
	}
	dropped = __atomic_load_n(&r->obj->bss->dropped, __ATOMIC_RELAXED);
	if (opts.json)
		print_json(&r->view, r->entries, n, seconds, dropped - r->dropped);
	else
		print_human(&r->view, r->entries, n, dropped - r->dropped);
	r->dropped = dropped;
	return 0;
}

int main(int argc, char **argv)
{
	struct prog_desc progs[32];
	struct run r = {};
	int err, missing;
	sigset_t set;
	size_t nprogs;

	err = bpftool_begin("maplat", argc, argv, parse_args, &set);
	if (err >= 0)
		return err;

	r.obj = maplat_bpf__open();
	err = bpftool_opened(r.obj);
	if (err)
		goto cleanup;

	nprogs = prog_table(r.obj, progs);
	r.mode = choose_mode(progs, nprogs);
	if (r.mode < 0) {
		err = bpftool_no_events();
		goto cleanup;
	}
	err = backend_refused(r.mode);
	if (err)
		goto cleanup;
	probe_dirty(r.mode);
	probe_access(r.mode);
	missing = select_progs(progs, nprogs, r.mode);

	err = configure(r.obj, r.mode);
	if (err)
		goto cleanup;

	err = bpftool_load_attach(r.obj->skeleton);
	if (!err && opts.cgroup)
		err = bpftool_set_cgroup(r.obj->maps.cgroup_map, opts.cgroup);
	if (err)
		goto cleanup;

	r.entries = calloc(MAX_KEYS, sizeof(*r.entries));
	if (!r.entries) {
		err = -ENOMEM;
		fprintf(stderr, "maplat: failed to allocate histograms: %s\n", strerror(ENOMEM));
		goto cleanup;
	}

	report_view(&r.view, r.mode);
	print_banner(r.mode, missing);
	err = bpftool_loop(&set, opts.interval, opts.count, report, &r);

cleanup:
	maplat_bpf__destroy(r.obj);
	probe_free();
	free(r.entries);
	return err ? 1 : 0;
}
