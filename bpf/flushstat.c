// SPDX-License-Identifier: GPL-2.0
/*
 * flushstat: IOTLB flushes per interval by process, backend, IOAS/container
 * and domain; range sizes; flushes per unmap; and flush-storm alerts
 * (see flushstat.md).
 *
 * Flushes come from the series' iommu:iotlb_sync / iommu:flush_iotlb_all,
 * else from intel_iommu:cache_tag_flush_* or qi_submit; operations from
 * the series' iommufd/vfio_iommu_type1 events, else from the ioctl
 * syscall.  What runs is probed and printed.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>

#include <linux/types.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpftool.h"
#include "cli.h"
#include "dmaioctl.h"
#include "flushstat-user.h"
#include "flushstat.skel.h"
#include "hist.h"
#include "probe.h"
#include "util.h"

static const char *const source_events[] = {
	"iommu:iotlb_sync, iommu:flush_iotlb_all",
	"intel_iommu:cache_tag_flush_{range,all}",
	"intel_iommu:qi_submit (IOTLB descriptors)",
	"none",
};
static struct bpftool_opts opts = {
	.interval = 1,
	.count = LONG_MAX,
};

static struct env {
	int source;		/* -1: auto */
	struct storm_params storm;	/* one K both to begin and to end */
	struct view view;	/* -R, -r; -j and -T from opts */
} env = {
	.source = -1,
	.storm = STORM_PARAMS_DEFAULT,
	.view = { .rows = 20 },
};

static const char usage_text[] =
"usage: flushstat [-h] [-v] [-j] [-T] [-R] [-F] [-p PID] [-c DIR] [-r ROWS]\n"
"                 [--source iotlb_sync|cache_tag|qi_submit]\n"
"                 [--storm-rate N] [--storm-range BYTES] [--storm-intervals K]\n"
"                 [-i INTERVAL] [interval [count]]\n"
"\n"
"IOTLB flushes per interval by process and IOAS (iommufd) or container\n"
"(VFIO type1) and by IOMMU domain: range syncs per second, whole-domain\n"
"flushes, syncs per unmap, mean flushed range; flush-storm alerts.\n"
"\n"
"  -h, --help            this help\n"
"  -v, --verbose         libbpf debug output, probing details\n"
"  -j, --json            JSON lines: one document per interval, one per alert\n"
"  -T, --timestamp       print the time before each report\n"
"  -R, --ranges          print the range-size histograms (always in JSON)\n"
"  -F, --fallback        ioctl syscalls and the intel_iommu events even if\n"
"                        the series' events exist\n"
"  -p, --pid PID         only this process\n"
"  -c, --cgroup DIR      only tasks in this cgroup (v2), e.g. a VM's scope\n"
"  -r, --rows ROWS       at most ROWS processes and domains (default 20)\n"
"      --source NAME     flush source: iotlb_sync (the series), cache_tag or\n"
"                        qi_submit (intel_iommu); default: the first present\n"
"      --storm-rate N    storm: at least N range syncs/s (default 1000)...\n"
"      --storm-range B   ...of at most B bytes on average (default 65536)...\n"
"      --storm-intervals K  ...for K intervals in a row (default 3); it ends\n"
"                        after K intervals without (default 3)\n"
"  -i, --interval SEC    report every SEC seconds (default 1; then [count])\n"
"\n"
"examples:\n"
"  flushstat                     # every second until Ctrl-C\n"
"  flushstat 5 12                # twelve 5-second reports\n"
"  flushstat -T -R               # with time and range histograms\n"
"  flushstat -p 1234 -j > f.json # one process, JSON lines\n"
"  flushstat --storm-rate 20000 --storm-intervals 5\n"
"  flushstat -F                  # the fallback, for comparison\n";

enum {
	OPT_SOURCE = 256,
	OPT_STORM_RATE,
	OPT_STORM_RANGE,
	OPT_STORM_INTERVALS,
};

static const struct option long_opts[] = {
	BPFTOOL_LONG_OPTS,
	BPFTOOL_LONG_INTERVAL,
	{ "ranges", no_argument, NULL, 'R' },
	{ "rows", required_argument, NULL, 'r' },
	{ "source", required_argument, NULL, OPT_SOURCE },
	{ "storm-rate", required_argument, NULL, OPT_STORM_RATE },
	{ "storm-range", required_argument, NULL, OPT_STORM_RANGE },
	{ "storm-intervals", required_argument, NULL, OPT_STORM_INTERVALS },
	{},
};

/* flushstat's own options (the common ones: lib/bpftool). */
static int own_opt(int opt, const char *arg)
{
	long v;
	int i;

	switch (opt) {
	case 'R':
		env.view.ranges = true;
		return 0;
	case 'r':
		if (cli_parse_long(arg, 1, &env.view.rows)) {
			cli_usage_error(usage_text, "invalid row count '%s'", arg);
			return -1;
		}
		return 0;
	case OPT_SOURCE:
		for (i = 0; i < FS_SRC_NONE; i++)
			if (!strcmp(arg, source_names[i]))
				break;
		if (i == FS_SRC_NONE) {
			cli_usage_error(usage_text, "unknown flush source '%s' "
					"(iotlb_sync, cache_tag or qi_submit)", arg);
			return -1;
		}
		env.source = i;
		return 0;
	case OPT_STORM_RATE:
		if (cli_parse_long(arg, 1, &v)) {
			cli_usage_error(usage_text, "invalid storm rate '%s'", arg);
			return -1;
		}
		env.storm.min_rate = v;
		return 0;
	case OPT_STORM_RANGE:
		if (cli_parse_long(arg, 1, &v)) {
			cli_usage_error(usage_text, "invalid storm range '%s'", arg);
			return -1;
		}
		env.storm.max_range = v;
		return 0;
	case OPT_STORM_INTERVALS:
		if (cli_parse_long(arg, 1, &v) || v > UINT_MAX) {
			cli_usage_error(usage_text, "invalid storm interval count '%s'", arg);
			return -1;
		}
		env.storm.sustain = env.storm.quiet = v;
		return 0;
	}
	return BPFTOOL_OPT_UNKNOWN;
}

/* 0: run; 1: help printed, exit 0; -1: usage error printed, exit 2. */
static int parse_args(int argc, char **argv)
{
	int err = bpftool_parse(argc, argv, ":hvjTRFp:c:r:i:", long_opts, usage_text, &opts,
				own_opt);

	env.view.json = opts.json;
	env.view.timestamp = opts.timestamp;
	return err;
}

/* ---- which programs run ---- */

enum role {
	ROLE_OP,	/* attribution: the series' operation events */
	ROLE_SRC,	/* a flush source (.src) */
	ROLE_UNMAP,	/* iommu:unmap */
	ROLE_FREE,	/* fentry: forget a freed domain's number */
	ROLE_SYSCALLS,
	ROLE_RAW,
};

struct prog_desc {
	struct bpf_program *prog;
	const char *tp;		/* tp_btf name */
	enum role role;
	int src;
	bool optional;		/* ROLE_SRC: the source works without it */
};

static size_t prog_table(struct flushstat_bpf *obj, struct prog_desc *t)
{
/* the series' operation events, a flush source's events, the rest */
#define OP(p, tp)		{ obj->progs.p, tp, ROLE_OP, -1, false }
#define SRC(p, src, opt)	{ obj->progs.p, #p, ROLE_SRC, src, opt }
#define OTHER(p, tp, role)	{ obj->progs.p, tp, role, -1, false }
	const struct prog_desc d[] = {
		OP(iommufd_map_start, "iommufd_ioas_map_start"),
		OP(iommufd_map, "iommufd_ioas_map"),
		OP(iommufd_unmap_start, "iommufd_ioas_unmap_start"),
		OP(iommufd_unmap, "iommufd_ioas_unmap"),
		OP(iommufd_copy_start, "iommufd_ioas_copy_start"),
		OP(iommufd_copy, "iommufd_ioas_copy"),
		OP(type1_map_start, "vfio_iommu_type1_dma_map_start"),
		OP(type1_map, "vfio_iommu_type1_dma_map"),
		OP(type1_unmap_start, "vfio_iommu_type1_dma_unmap_start"),
		OP(type1_unmap, "vfio_iommu_type1_dma_unmap"),
		SRC(iotlb_sync, FS_SRC_IOTLB_SYNC, false),
		SRC(flush_iotlb_all, FS_SRC_IOTLB_SYNC, true),
		SRC(cache_tag_flush_range, FS_SRC_CACHE_TAG, false),
		SRC(cache_tag_flush_all, FS_SRC_CACHE_TAG, true),
		SRC(qi_submit, FS_SRC_QI, false),
		OTHER(iommu_unmap, "unmap", ROLE_UNMAP),
		OTHER(domain_free, "iommu_domain_free", ROLE_FREE),
		OTHER(sys_enter_ioctl, NULL, ROLE_SYSCALLS),
		OTHER(sys_exit_ioctl, NULL, ROLE_SYSCALLS),
		OTHER(raw_sys_enter, NULL, ROLE_RAW),
		OTHER(raw_sys_exit, NULL, ROLE_RAW),
	};
#undef OP
#undef SRC
#undef OTHER


	memcpy(t, d, sizeof(d));
	return ARRAY_SIZE(d);
}

/* Does every mandatory program of source @src have its tracepoint? */
static bool source_ok(const struct prog_desc *t, size_t n, int src)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (t[i].role == ROLE_SRC && t[i].src == src && !t[i].optional &&
		    !bpftool_have_tp(t[i].tp))
			return false;
	return true;
}

/*
 * Operations from the series' *_start events if they have BTF, leaving
 * out a backend whose module is not loaded (the fallback if that leaves
 * none), else from the ioctl syscalls.
 */
static struct bpftool_tps tps;

static int choose_attrib(const struct prog_desc *t, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (t[i].role == ROLE_OP)
			bpftool_tp_tally(&tps, t[i].tp);
	if (bpftool_tp_mode(&tps) && !opts.fallback)
		return ATTR_TP;
	switch (bpftool_ioctl_events()) {
	case BPFTOOL_SYSCALLS:
		return ATTR_SYSCALLS;
	case BPFTOOL_RAW_SYSCALLS:
		return ATTR_RAW_SYSCALLS;
	}
	return ATTR_NONE;
}

/* The flush source, FS_SRC_NONE if there is none, -1 if --source is absent. */
static int choose_source(const struct prog_desc *t, size_t n)
{
	int s;

	if (env.source >= 0)
		return source_ok(t, n, env.source) ? env.source : -1;
	for (s = opts.fallback ? FS_SRC_CACHE_TAG : FS_SRC_IOTLB_SYNC; s < FS_SRC_NONE; s++)
		if (source_ok(t, n, s))
			return s;
	return FS_SRC_NONE;
}

/* Enable what (@attrib, @src, @unmap) needs; names of missing optional ones into @miss. */
static void select_progs(const struct prog_desc *t, size_t n, int attrib, int src, bool unmap,
			 char *miss, size_t len)
{
	size_t i;
	bool on;

	miss[0] = 0;
	for (i = 0; i < n; i++) {
		switch (t[i].role) {
		case ROLE_OP:
			on = attrib == ATTR_TP && bpftool_tp_state(t[i].tp) == PROBE_TP_OK;
			break;
		case ROLE_SRC:
			on = t[i].src == src;
			if (on && t[i].optional && !bpftool_have_tp(t[i].tp)) {
				snprintf(miss + strlen(miss), len - strlen(miss), "%s%s",
					 miss[0] ? ", " : "", t[i].tp);
				on = false;
			}
			break;
		case ROLE_UNMAP:
			on = unmap;
			break;
		case ROLE_FREE:
			on = src == FS_SRC_IOTLB_SYNC && bpftool_have_func(t[i].tp);
			break;
		case ROLE_SYSCALLS:
			on = attrib == ATTR_SYSCALLS;
			break;
		case ROLE_RAW:
			on = attrib == ATTR_RAW_SYSCALLS;
			break;
		default:
			on = false;
		}
		bpf_program__set_autoload(t[i].prog, on);
	}
}

/* The fallback's decoding table (lib/dmaioctl.h, shared with maplat and ioasid-top). */
static void configure_ioctls(struct flushstat_bpf *obj)
{
	size_t i;

	_Static_assert(DMAIOCTL_N == MAX_IOCTLS, "flushstat.h MAX_IOCTLS");
	_Static_assert((int)DMAIOCTL_IOMMUFD == (int)FS_IOMMUFD &&
		       (int)DMAIOCTL_TYPE1 == (int)FS_TYPE1, "flushstat.h backends");
	/* flushstat's ops count from FS_OP_NONE: one more than dmaioctl's */
	_Static_assert(FS_OP_MAP - DMAIOCTL_MAP == 1 && FS_OP_UNMAP - DMAIOCTL_UNMAP == 1 &&
		       FS_OP_COPY - DMAIOCTL_COPY == 1, "flushstat.h ops");
	for (i = 0; i < MAX_IOCTLS; i++) {
		obj->rodata->ioctls[i].cmd = dmaioctls[i].cmd;
		obj->rodata->ioctls[i].backend = dmaioctls[i].backend;
		obj->rodata->ioctls[i].op = dmaioctls[i].op + 1;
		/* type1: no IOAS id, the BPF side never reads it */
		obj->rodata->ioctls[i].id_off = dmaioctls[i].id_off < 0 ? 0 : dmaioctls[i].id_off;
	}
	obj->rodata->targ_nr_ioctl = SYS_ioctl;
}

static void print_banner(int attrib, int src, bool unmap, const char *miss)
{
	FILE *f = bpftool_banner(opts.json, "IOTLB flushes (%s)",
				 opts.pid ? "one process" : "all processes");
	char b[32];

	if (src == FS_SRC_NONE)
		fprintf(f, "mode: fallback, no flush source\n");
	else
		fprintf(f, "mode: %s, flushes from %s\n",
			attrib == ATTR_TP && src == FS_SRC_IOTLB_SYNC ? "tracepoint" :
			"fallback", source_events[src]);
	fprintf(f, "  operations from %s\n",
		attrib == ATTR_TP ? "the iommufd/vfio_iommu_type1 events" :
		attrib == ATTR_SYSCALLS ? bpftool_ioctl_events_name(BPFTOOL_SYSCALLS) :
		attrib == ATTR_RAW_SYSCALLS ? bpftool_ioctl_events_name(BPFTOOL_RAW_SYSCALLS) :
		"nowhere: every flush counts as other");
	if (opts.fallback)
		fprintf(f, "  fallback forced by -F\n");
	else if (attrib != ATTR_TP && bpftool_missing_why())
		fprintf(f, "  %s\n", bpftool_missing_why());
	if (attrib != ATTR_NONE)
		bpftool_unloaded_note(f, attrib != ATTR_TP);
	if (src == FS_SRC_NONE)
		fprintf(f, "  no flush source on this kernel: unavailable: SYNCS/s, FLALL,\n"
			"  FL/UNM, RANGE, DOMAIN, storm alerts; UNMAPS only\n");
	else if (src != FS_SRC_IOTLB_SYNC)
		fprintf(f, "  domains are VT-d domain ids (DID), one flush per IOMMU\n");
	if (miss[0])
		fprintf(f, "  no tracepoint %s: its column stays 0\n", miss);
	if (!unmap)
		fprintf(f, "  no iommu:unmap: unmaps outside iommufd/type1 not counted\n");
	if (src != FS_SRC_NONE)
		fprintf(f, "storm: >= %.0f syncs/s of mean range <= %s for %u intervals\n",
			env.storm.min_rate, hist_bytes_str(env.storm.max_range, b, sizeof(b)),
			env.storm.sustain);
	fflush(f);
}

struct run {
	struct flushstat_bpf *obj;
	struct report r;
	__u64 dropped;		/* the kernel's count at the last report */
};

static int report(void *ctx, double seconds)
{
	struct run *run = ctx;
	struct report *r = &run->r;
	int err;

	err = report_read(r, bpf_map__fd(run->obj->maps.counts),
			  bpf_map__fd(run->obj->maps.ranges));
	if (err)
		return err;
	r->dropped = __atomic_load_n(&run->obj->bss->dropped, __ATOMIC_RELAXED) - run->dropped;
	run->dropped += r->dropped;
	r->secs = seconds;
	storms_update(r);
	if (opts.json)
		print_json(r);
	else
		print_human(r, &env.view);
	return 0;
}

/*
 * The flush source, where operations come from, and the programs they
 * need (missing optional ones named in @miss): 0, or -ENOENT after the
 * message if this kernel has nothing to trace.
 */
static int choose(struct flushstat_bpf *obj, struct report *r, bool *unmap, char *miss,
		  size_t len)
{
	struct prog_desc progs[32];
	size_t nprogs = prog_table(obj, progs);

	r->src = choose_source(progs, nprogs);
	if (r->src < 0) {
		fprintf(stderr, "flushstat: flush source %s: this kernel has no tracepoint %s\n",
			source_names[env.source], source_events[env.source]);
		return -ENOENT;
	}
	r->attrib = choose_attrib(progs, nprogs);
	*unmap = bpftool_have_tp("unmap");
	if (r->src == FS_SRC_NONE && (!*unmap || r->attrib == ATTR_NONE)) {
		fprintf(stderr, "flushstat: nothing to attach to: this kernel has no IOTLB flush "
			"events (iommu:iotlb_sync, intel_iommu:cache_tag_flush_range, qi_submit)%s"
			"%s\n", *unmap ? "" : " and no iommu:unmap",
			r->attrib == ATTR_NONE ? " and no ioctl syscall events" : "");
		return -ENOENT;
	}
	select_progs(progs, nprogs, r->attrib, r->src, *unmap, miss, len);
	return 0;
}

int main(int argc, char **argv)
{
	struct run run = {};
	char miss[128];
	sigset_t set;
	bool unmap;
	int err;

	err = bpftool_begin("flushstat", argc, argv, parse_args, &set);
	if (err >= 0)
		return err;

	run.obj = flushstat_bpf__open();
	err = bpftool_opened(run.obj);
	if (err)
		goto cleanup;
	err = choose(run.obj, &run.r, &unmap, miss, sizeof(miss));
	if (err)
		goto cleanup;
	run.obj->rodata->filter_tgid = opts.pid;
	run.obj->rodata->filter_cg = opts.cgroup != NULL;
	err = bpftool_cgroup_map(run.obj->maps.cgroup_map, opts.cgroup);
	if (err)
		goto cleanup;
	configure_ioctls(run.obj);

	err = bpftool_load_attach(run.obj->skeleton);
	if (!err && opts.cgroup)
		err = bpftool_set_cgroup(run.obj->maps.cgroup_map, opts.cgroup);
	if (err)
		goto cleanup;

	err = report_init(&run.r, bpf_map__fd(run.obj->maps.ranges));
	if (err) {
		fprintf(stderr, "flushstat: failed to allocate rows: %s\n", strerror(ENOMEM));
		goto cleanup;
	}
	if (run.r.src != FS_SRC_NONE && (err = storms_init(&env.storm, &env.view))) {
		fprintf(stderr, "flushstat: failed to allocate the storm table: %s\n",
			strerror(ENOMEM));
		goto cleanup;
	}

	print_banner(run.r.attrib, run.r.src, unmap, miss);
	err = bpftool_loop(&set, opts.interval, opts.count, report, &run);
	storms_close();

cleanup:
	flushstat_bpf__destroy(run.obj);
	probe_free();
	storms_free();
	report_free(&run.r);
	return err ? 1 : 0;
}
