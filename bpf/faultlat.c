// SPDX-License-Identifier: GPL-2.0
/*
 * faultlat: I/O page request round trips stage by stage (report -> queued
 * -> read by user space -> responded -> response delivered, and total) as
 * log2 histograms per iommufd device and PASID, with the outstanding and
 * the auto-responded (lost) faults, and the events reported to a guest's
 * vIOMMU, from report to the VMM's read of its vEVENTQ, with the drops
 * (faultlat-vq.c; see faultlat.md).
 *
 * Tracepoint mode runs tp_btf programs on the series' iommu:iopf_* and
 * iommufd:iommufd_fault_* events; without them it falls back to read() and
 * write() on iommufd fault fds, and says which columns it cannot fill.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/types.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpftool.h"
#include "cli.h"
#include "faultlat-vq.h"
#include "faultlat.h"
#include "faultlat.skel.h"
#include "hist.h"
#include "json.h"
#include "probe.h"
#include "seen.h"
#include "tracefs.h"
#include "util.h"

#define MAX_KEYS 4096		/* max_entries of hists */
#define MAX_INFLIGHT 16384

enum mode {
	MODE_TP,	/* the series' fault events, tp_btf */
	MODE_SYSCALLS,	/* read/write of fault fds */
	MODE_PRQ,	/* intel_iommu:prq_report alone: a count */
};

static const char *const mode_names[] = { "tracepoint", "syscalls", "prq_report" };
static const char *const stage_names[] = { "queue", "read", "respond", "deliver", "total" };
static const char *const stage_labels[] = {
	"report->queued", "queued->read", "read->responded", "responded->deliv.", "total",
};
static const char *const path_names[] = { "iommufd", "other_handler", "no_handler", "user" };

static struct bpftool_opts opts = {
	.interval = 99999999,
	.count = 99999999,
};
static bool all_hists;		/* -A */

static const char usage_text[] =
"usage: faultlat [-h] [-v] [-j] [-T] [-N|-m] [-A] [-F] [-p PID] [-c DIR]\n"
"                [-i INTERVAL]\n"
"                [interval [count]]\n"
"\n"
"I/O page request (IOPF/PRQ) round trips through iommufd, stage by stage:\n"
"reported (iommu:iopf_report) -> queued for user space -> read from the\n"
"fault fd -> responded -> response delivered to the IOMMU driver, and the\n"
"total, as log2 histograms per iommufd device (dev_id) and PASID; faults\n"
"outstanding (reported, not answered) at each report; faults the kernel\n"
"answered itself because the device left the HWPT or the fds were closed\n"
"(lost).  Events reported to a guest's vIOMMU (kernels with vEVENTQs):\n"
"report -> read of the vEVENTQ per vIOMMU and vEVENTQ, with the events\n"
"dropped because the queue was full.  p50/p90/p99 are estimated from the\n"
"log2 buckets.\n"
"\n"
"  -h, --help          this help\n"
"  -v, --verbose       libbpf debug output, probing details\n"
"  -j, --json          one JSON document per interval (JSON lines)\n"
"  -T, --timestamp     print the time before each report\n"
"  -N, --nanoseconds   nanosecond buckets (default microseconds)\n"
"  -m, --milliseconds  millisecond buckets\n"
"  -A, --all           a histogram for every stage (default: the total)\n"
"  -F, --fallback      use the read/write syscall tracepoints even if the\n"
"                      series' fault events exist\n"
"  -p, --pid PID       only faults read (and answered) by process PID\n"
"  -c, --cgroup DIR    only faults read by tasks in this cgroup (v2)\n"
"  -i, --interval SEC  report every SEC seconds (then: [count])\n"
"\n"
"Without an interval, one report when interrupted (Ctrl-C, SIGTERM).\n"
"\n"
"examples:\n"
"  faultlat                 # round trips until Ctrl-C\n"
"  faultlat 1 10            # ten 1-second reports\n"
"  faultlat -i 5 -T -A      # every 5 s, with time, every stage's histogram\n"
"  faultlat -p $(pidof qemu-system-x86_64)   # the faults one VMM handles\n"
"  faultlat -j -i 1 > f.json   # JSON lines, one document per second\n";

static const struct option long_opts[] = {
	BPFTOOL_LONG_OPTS,
	BPFTOOL_LONG_INTERVAL,
	BPFTOOL_LONG_UNITS,
	{ "all", no_argument, NULL, 'A' },
	{},
};

/* faultlat's own option (the common ones: lib/bpftool). */
static int own_opt(int opt, const char *arg)
{
	if (opt != 'A')
		return BPFTOOL_OPT_UNKNOWN;
	all_hists = true;
	return 0;
}

/* 0: run; 1: help printed, exit 0; -1: usage error printed, exit 2. */
static int parse_args(int argc, char **argv)
{
	return bpftool_parse(argc, argv, ":hvjTNmAFp:c:i:", long_opts, usage_text, &opts, own_opt);
}

/* ---- probing ---- */

static const char *const tp_events[][2] = {
	{ "iommu", "iopf_report" },
	{ "iommufd", "iommufd_fault_queue" },
	{ "iommufd", "iommufd_fault_read" },
	{ "iommufd", "iommufd_fault_respond" },
	{ "iommufd", "iommufd_fault_auto_respond" },
	{ "iommu", "iopf_response" },
};

static bool has_prq;
/* tracepoint mode: the vEVENTQ events exist (6.15 on, the mainline series) */
static bool has_vq;

static int choose_mode(void)
{
	bool tp_ok = true;
	size_t i;
	int st;

	for (i = 0; i < ARRAY_SIZE(tp_events); i++) {
		/* iommufd's events when its module is absent: left out */
		st = bpftool_tp_state(tp_events[i][1]);
		if (st == PROBE_TP_UNLOADED || st == PROBE_TP_NOT_BUILT)
			continue;
		if (st != PROBE_TP_OK ||
		    !tracefs_event_exists(tp_events[i][0], tp_events[i][1])) {
			if (cli_verbose)
				fprintf(stderr, "faultlat: no tracepoint %s:%s\n", tp_events[i][0],
					tp_events[i][1]);
			tp_ok = false;
		}
	}
	has_prq = probe_tp_btf("prq_report") && tracefs_event_exists("intel_iommu", "prq_report");
	has_vq = bpftool_tp_state("iommufd_veventq_report") == PROBE_TP_OK &&
		 bpftool_tp_state("iommufd_veventq_read") == PROBE_TP_OK;
	if (tp_ok && !opts.fallback)
		return MODE_TP;
	if (tracefs_event_exists("syscalls", "sys_enter_read") &&
	    tracefs_event_exists("syscalls", "sys_exit_read") &&
	    tracefs_event_exists("syscalls", "sys_enter_write"))
		return MODE_SYSCALLS;
	if (has_prq)
		return MODE_PRQ;
	return -1;
}

static void select_progs(struct faultlat_bpf *obj, int mode)
{
	bool filtering = opts.pid || opts.cgroup;
	struct bpf_program *tp[] = {
		obj->progs.iopf_report, obj->progs.fault_queue, obj->progs.fault_read,
		obj->progs.fault_respond, obj->progs.fault_auto_respond,
		obj->progs.iopf_response,
	};
	struct bpf_program *sc[] = {
		obj->progs.sys_enter_read, obj->progs.sys_exit_read, obj->progs.sys_enter_write,
	};
	size_t i;

	_Static_assert(ARRAY_SIZE(tp) == ARRAY_SIZE(tp_events), "tp_events order");
	for (i = 0; i < ARRAY_SIZE(tp); i++)
		bpf_program__set_autoload(tp[i], mode == MODE_TP &&
					  bpftool_tp_state(tp_events[i][1]) == PROBE_TP_OK);
	for (i = 0; i < ARRAY_SIZE(sc); i++)
		bpf_program__set_autoload(sc[i], mode == MODE_SYSCALLS);
	bpf_program__set_autoload(obj->progs.prq_report, has_prq);
	has_vq = has_vq && mode == MODE_TP;
	bpf_program__set_autoload(obj->progs.veventq_report, has_vq);
	bpf_program__set_autoload(obj->progs.veventq_read, has_vq);
	/* -p/-c: which iommufd contexts are ours, for the reports */
	bpf_program__set_autoload(obj->progs.vq_viommu_alloc, has_vq && filtering);
	bpf_program__set_autoload(obj->progs.vq_veventq_alloc, has_vq && filtering);
	bpf_program__set_autoload(obj->progs.vq_ctx_release, has_vq && filtering);
	if (!has_vq) {	/* no kernel memory for what is not traced */
		bpf_map__set_max_entries(obj->maps.vq_hists, 1);
		bpf_map__set_max_entries(obj->maps.vq_inflight, 1);
		bpf_map__set_max_entries(obj->maps.vq_mine, 1);
	}
}

/* ---- reading ---- */

struct entry {
	struct fl_key key;
	struct fl_hist h;
	__u64 outstanding;
	__u64 oldest_ns;	/* age of the oldest outstanding group */
};

struct report {
	struct entry *e;
	int n;
	__u64 c[FL_NR_COUNTERS];
	__u64 unqueued;		/* reported, no handler took it yet */
	__u64 outstanding;	/* all */
	__u64 lost;
};

/*
 * iommufd contexts (fallback: fault fds) numbered as seen: device ids are
 * per context, so two VMs' dev_id 1 are two rows, ctx 1 and ctx 2.
 */
static struct seen contexts;

static unsigned int ctx_of(__u64 ctx)
{
	return seen_number(&contexts, ctx);
}

static unsigned int ctx_no(const struct fl_key *k)
{
	return ctx_of(k->ctx);
}

static int cmp_entry(const void *a, const void *b)
{
	const struct fl_key *x = &((const struct entry *)a)->key;
	const struct fl_key *y = &((const struct entry *)b)->key;

	if (x->path != y->path)
		return x->path < y->path ? -1 : 1;
	if (ctx_no(x) != ctx_no(y))
		return ctx_no(x) < ctx_no(y) ? -1 : 1;
	if (x->dev_id != y->dev_id)
		return x->dev_id < y->dev_id ? -1 : 1;
	return x->pasid < y->pasid ? -1 : x->pasid > y->pasid;
}

/* Move every histogram out of the map into r->e; -errno on failure. */
static int drain_hists(int fd, struct report *r)
{
	const struct bpftool_rows rows = {
		.base = r->e, .stride = sizeof(r->e[0]), .max = MAX_KEYS,
		.key_off = offsetof(struct entry, key), .key_size = sizeof(r->e[0].key),
		.val_off = offsetof(struct entry, h), .val_size = sizeof(r->e[0].h),
	};
	int n = bpftool_drain(fd, &rows);

	r->n = n < 0 ? 0 : n;
	return n < 0 ? n : 0;
}

static struct entry *find_or_add(struct report *r, const struct fl_key *k, __u32 fault_id)
{
	int i;

	for (i = 0; i < r->n; i++)
		if (!memcmp(&r->e[i].key, k, sizeof(*k)))
			return &r->e[i];
	if (r->n >= MAX_KEYS)
		return NULL;
	memset(&r->e[r->n], 0, sizeof(r->e[0]));
	r->e[r->n].key = *k;
	r->e[r->n].h.fault_id = fault_id;
	return &r->e[r->n++];
}

static __u64 mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * Outstanding groups: what an in-flight map holds now.  Tracepoint mode:
 * groups no handler has queued yet have no dev_id, they are only counted.
 */
static void count_inflight(int fd, size_t key_size, __u32 path, struct report *r)
{
	char key[32], next[32];
	struct fl_inflight f;
	struct fl_key k = {};
	struct entry *e;
	__u64 now = mono_ns(), start;
	bool first = true;

	while (!bpf_map_get_next_key(fd, first ? NULL : key, next)) {
		first = false;
		memcpy(key, next, key_size);
		if (bpf_map_lookup_elem(fd, key, &f))
			continue;
		r->outstanding++;
		if (path == FL_PATH_IOMMUFD && !f.queue_ns) {
			r->unqueued++;
			continue;
		}
		k.ctx = f.ctx;
		k.dev_id = f.dev_id;
		k.pasid = f.pasid;
		k.path = path;
		e = find_or_add(r, &k, f.fault_id);
		if (!e)
			continue;
		e->outstanding++;
		start = path == FL_PATH_USER ? f.read_ns : f.report_ns;
		if (start && now > start && now - start > e->oldest_ns)
			e->oldest_ns = now - start;
	}
}

static int read_report(struct faultlat_bpf *obj, int mode, struct report *r)
{
	int cfd = bpf_map__fd(obj->maps.counters), err, i;
	__u64 zero = 0;
	__u32 c;

	memset(r->c, 0, sizeof(r->c));
	r->unqueued = r->outstanding = r->lost = 0;
	err = drain_hists(bpf_map__fd(obj->maps.hists), r);
	if (err)
		return err;
	for (c = 0; c < FL_NR_COUNTERS; c++) {
		/* read and reset: a race loses at most an increment or two */
		bpf_map_lookup_elem(cfd, &c, &r->c[c]);
		bpf_map_update_elem(cfd, &c, &zero, BPF_ANY);
	}
	if (mode == MODE_TP)
		count_inflight(bpf_map__fd(obj->maps.inflight), sizeof(struct fl_report_key),
			       FL_PATH_IOMMUFD, r);
	else if (mode == MODE_SYSCALLS)
		count_inflight(bpf_map__fd(obj->maps.cookies), sizeof(struct fl_cookie_key),
			       FL_PATH_USER, r);
	for (i = 0; i < r->n; i++)
		r->lost += r->e[i].h.lost;
	for (i = 0; i < r->n; i++)	/* number new contexts in the map's order */
		ctx_no(&r->e[i].key);
	qsort(r->e, r->n, sizeof(r->e[0]), cmp_entry);
	return 0;
}

/* ---- printing ---- */

/* Stages a path's groups go through. */
static bool stage_in(__u32 path, int s)
{
	switch (path) {
	case FL_PATH_IOMMUFD:
		return true;
	case FL_PATH_USER:
		return s == FL_RESPOND;
	default:
		return s == FL_TOTAL;
	}
}

/* Round trips: groups answered (all points seen) in the interval. */
static __u64 answered(const struct entry *e)
{
	return e->key.path == FL_PATH_USER ? e->h.count[FL_RESPOND] : e->h.count[FL_TOTAL];
}

static void print_entry(const struct entry *e)
{
	const struct fl_hist *h = &e->h;
	int s, hs;

	printf("\nctx %u dev_id %u%s%.32s pasid %u, %s", ctx_no(&e->key), e->key.dev_id,
	       h->dev[0] ? " " : "", h->dev, e->key.pasid, path_names[e->key.path]);
	if (h->fault_id)
		printf(", fault_id %u", h->fault_id);
	printf("\n  read %llu, answered %llu (%llu invalid)", (unsigned long long)h->read,
	       (unsigned long long)answered(e), (unsigned long long)h->invalid);
	if (e->key.path != FL_PATH_USER)
		printf(", lost %llu (%llu read)", (unsigned long long)h->lost,
		       (unsigned long long)h->lost_read);
	printf(", outstanding %llu", (unsigned long long)e->outstanding);
	if (e->outstanding)
		printf(" (oldest %.1f ms)", e->oldest_ns / 1e6);
	printf("\n  %-18s %8s %9s %9s %9s %9s %s\n", "stage", "count", "mean", "p50", "p90", "p99",
	       opts.unit->name);
	for (s = 0; s < FL_NR_STAGES; s++) {
		if (!stage_in(e->key.path, s))
			continue;
		printf("  %-18s %8llu", stage_labels[s], (unsigned long long)h->count[s]);
		if (!h->count[s]) {
			printf(" %9s %9s %9s %9s\n", "-", "-", "-", "-");
			continue;
		}
		printf(" %9.1f %9.1f %9.1f %9.1f\n",
		       hist_mean(opts.unit, h->sum_ns[s], h->count[s]),
		       hist_percentile(h->slots[s], MAX_SLOTS, 50),
		       hist_percentile(h->slots[s], MAX_SLOTS, 90),
		       hist_percentile(h->slots[s], MAX_SLOTS, 99));
	}
	hs = e->key.path == FL_PATH_USER ? FL_RESPOND : FL_TOTAL;
	for (s = 0; s < FL_NR_STAGES; s++) {
		if (!stage_in(e->key.path, s) || !h->count[s] || (!all_hists && s != hs))
			continue;
		printf("  %s:\n", stage_labels[s]);
		hist_print_log2(stdout, h->slots[s], MAX_SLOTS, opts.unit->label);
	}
}

static void print_human(const struct report *r, const struct vq_report *vq, int mode)
{
	char ts[16];
	int i;

	if (opts.timestamp)
		printf("\n%s\n", cli_clock(ts, sizeof(ts)));
	printf("\n");
	if (mode == MODE_TP)
		printf("page requests %llu (%llu not last of group)%s",
		       (unsigned long long)r->c[FL_C_REPORTS],
		       (unsigned long long)r->c[FL_C_PARTIAL], has_prq ? ", " : "\n");
	if (has_prq)
		printf("prq_report %llu\n", (unsigned long long)r->c[FL_C_PRQ]);
	if (mode != MODE_PRQ) {
		printf("outstanding %llu", (unsigned long long)r->outstanding);
		if (mode == MODE_TP)
			printf(" (%llu not queued), lost %llu", (unsigned long long)r->unqueued,
			       (unsigned long long)r->lost);
		printf("\n");
	}
	if (r->c[FL_C_UNTRACKED] || r->c[FL_C_DROPPED] || r->c[FL_C_NEGATIVE])
		printf("not timed: %llu begun before tracing, %llu map full, %llu clock\n",
		       (unsigned long long)r->c[FL_C_UNTRACKED],
		       (unsigned long long)r->c[FL_C_DROPPED],
		       (unsigned long long)r->c[FL_C_NEGATIVE]);
	if (!r->n && mode != MODE_PRQ)
		printf("no page request round trips seen\n");
	for (i = 0; i < r->n; i++)
		print_entry(&r->e[i]);
	if (has_vq)
		vq_print(vq, opts.unit, r->c[FL_C_VQ_DROPPED]);
	fflush(stdout);
}

static void json_stage(struct json *j, const struct fl_hist *h, int s)
{
	hist_json_block(j, stage_names[s], opts.unit, h->slots[s], MAX_SLOTS, h->count[s],
			h->sum_ns[s]);
}

/* The columns @mode cannot fill. */
static void json_unavailable(struct json *j, int mode)
{
	static const char *const fallback[] = {
		"page_requests", "queue", "read", "deliver", "total", "lost",
	};
	size_t i;

	json_array_begin(j, "unavailable");
	for (i = 0; mode != MODE_TP && i < ARRAY_SIZE(fallback); i++)
		json_string(j, NULL, fallback[i]);
	if (mode == MODE_PRQ) {
		json_string(j, NULL, "respond");
		json_string(j, NULL, "outstanding");
	}
	if (!has_prq)
		json_string(j, NULL, "prq_reports");
	if (!has_vq)
		json_string(j, NULL, "veventqs");
	json_array_end(j);
}

static void print_json(const struct report *r, const struct vq_report *vq, int mode,
		       double seconds)
{
	const struct fl_hist *h;
	struct json j;
	int i, s;

	bpftool_json_begin(&j, mode_names[mode], mode != MODE_TP, seconds);
	hist_json_unit(&j, opts.unit);
	json_unavailable(&j, mode);
	if (mode == MODE_TP) {
		json_uint(&j, "page_requests", r->c[FL_C_REPORTS]);
		json_uint(&j, "partial", r->c[FL_C_PARTIAL]);
	}
	if (has_prq)
		json_uint(&j, "prq_reports", r->c[FL_C_PRQ]);
	else
		json_null(&j, "prq_reports");
	if (mode != MODE_PRQ)
		json_uint(&j, "outstanding", r->outstanding);
	if (mode == MODE_TP) {
		json_uint(&j, "not_queued", r->unqueued);
		json_uint(&j, "lost", r->lost);
	}
	json_uint(&j, "untracked", r->c[FL_C_UNTRACKED]);
	json_uint(&j, "dropped", r->c[FL_C_DROPPED]);
	json_uint(&j, "negative", r->c[FL_C_NEGATIVE]);
	json_array_begin(&j, "devices");
	for (i = 0; i < r->n; i++) {
		h = &r->e[i].h;
		json_object_begin(&j, NULL);
		json_uint(&j, "ctx", ctx_no(&r->e[i].key));
		json_uint(&j, "dev_id", r->e[i].key.dev_id);
		json_uint(&j, "pasid", r->e[i].key.pasid);
		json_string(&j, "path", path_names[r->e[i].key.path]);
		json_string(&j, "device", h->dev);
		json_uint(&j, "fault_id", h->fault_id);
		json_uint(&j, "read", h->read);
		json_uint(&j, "round_trips", answered(&r->e[i]));
		json_uint(&j, "invalid", h->invalid);
		if (r->e[i].key.path != FL_PATH_USER) {
			json_uint(&j, "lost", h->lost);
			json_uint(&j, "lost_read", h->lost_read);
		}
		json_uint(&j, "outstanding", r->e[i].outstanding);
		if (r->e[i].outstanding)
			json_double(&j, "oldest_outstanding_ms", r->e[i].oldest_ns / 1e6);
		else
			json_null(&j, "oldest_outstanding_ms");
		json_object_begin(&j, "stages");
		for (s = 0; s < FL_NR_STAGES; s++)
			if (stage_in(r->e[i].key.path, s))
				json_stage(&j, h, s);
		json_object_end(&j);
		json_object_end(&j);
	}
	json_array_end(&j);
	vq_json(&j, vq, opts.unit, has_vq, r->c[FL_C_VQ_DROPPED]);
	json_object_end(&j);
}

static void print_banner(int mode)
{
	FILE *f = bpftool_banner(opts.json, "I/O page request round trips");

	switch (mode) {
	case MODE_TP:
		fprintf(f, "mode: tracepoint (iopf_report -> queue -> read -> respond "
			"-> iopf_response)\n");
		bpftool_unloaded_note(f, false);
		break;
	case MODE_SYSCALLS:
		fprintf(f, "mode: fallback, syscalls:sys_{enter,exit}_read, sys_enter_write "
			"(fault fds)\n");
		fprintf(f, "  %s\n", opts.fallback ? "forced by -F" : bpftool_missing_why() ?:
			"this kernel has no iommu:iopf_report/iommufd fault events");
		bpftool_unloaded_note(f, true);
		fprintf(f, "  only read -> responded per cookie; unavailable: page requests,\n"
			"  report->queued, queued->read, responded->delivered, total, lost\n");
		break;
	case MODE_PRQ:
		fprintf(f, "mode: fallback, intel_iommu:prq_report only (a count)\n");
		fprintf(f, "  no fault events and no syscall tracepoints: unavailable: every\n"
			"  stage, outstanding, lost\n");
		break;
	}
	fprintf(f, "prq_report: %s\n", has_prq ? "counted (VT-d page request queue)" :
		"not in this kernel (no intel_iommu:prq_report)");
	fprintf(f, "vEVENTQs: %s\n", has_vq ? "report -> read (iommufd_veventq_report, _read)" :
		mode != MODE_TP ? "unavailable in the fallback" :
		bpftool_tp_state("iommufd_veventq_read") == PROBE_TP_UNLOADED ?
		"unavailable (module iommufd not loaded)" :
		"unavailable (no iommufd_veventq_report/_read events)");
	fflush(f);
}

struct run {
	struct faultlat_bpf *obj;
	struct report r;
	struct vq_report vq;
	int mode;
};

static int report(void *ctx, double seconds)
{
	struct run *run = ctx;
	int err;

	err = read_report(run->obj, run->mode, &run->r);
	if (!err && has_vq)
		err = vq_read(bpf_map__fd(run->obj->maps.vq_hists), &run->vq, ctx_of);
	if (err) {
		fprintf(stderr, "faultlat: failed to read histograms: %s\n", strerror(-err));
		return err;
	}
	if (opts.json)
		print_json(&run->r, &run->vq, run->mode, seconds);
	else
		print_human(&run->r, &run->vq, run->mode);
	return 0;
}

int main(int argc, char **argv)
{
	struct run run = {};
	sigset_t set;
	int err;

	err = bpftool_begin("faultlat", argc, argv, parse_args, &set);
	if (err >= 0)
		return err;

	run.mode = choose_mode();
	if (run.mode < 0) {
		fprintf(stderr, "faultlat: nothing to attach to: this kernel has neither the "
			"iommu/iommufd fault events (BTF), nor syscalls:sys_enter_read/write, "
			"nor intel_iommu:prq_report (tracefs at %s)\n", tracefs_root());
		err = -ENOENT;
		goto cleanup;
	}

	run.obj = faultlat_bpf__open();
	err = bpftool_opened(run.obj);
	if (err)
		goto cleanup;
	select_progs(run.obj, run.mode);
	run.obj->rodata->targ_unit_ns = opts.unit->ns;
	run.obj->rodata->filter_tgid = opts.pid;
	run.obj->rodata->filter_cg = opts.cgroup != NULL;
	err = bpftool_cgroup_map(run.obj->maps.cgroup_map, opts.cgroup);
	if (err)
		goto cleanup;

	err = bpftool_load_attach(run.obj->skeleton);
	if (!err && opts.cgroup)
		err = bpftool_set_cgroup(run.obj->maps.cgroup_map, opts.cgroup);
	if (err)
		goto cleanup;

	/* room for every histogram plus one entry per outstanding key */
	run.r.e = calloc(MAX_KEYS + 1, sizeof(*run.r.e));
	run.vq.e = calloc(VQ_MAX_KEYS, sizeof(*run.vq.e));
	if (!run.r.e || !run.vq.e) {
		err = -ENOMEM;
		fprintf(stderr, "faultlat: failed to allocate histograms: %s\n", strerror(ENOMEM));
		goto cleanup;
	}

	print_banner(run.mode);
	err = bpftool_loop(&set, opts.interval, opts.count, report, &run);

cleanup:
	faultlat_bpf__destroy(run.obj);
	probe_free();
	free(run.r.e);
	free(run.vq.e);
	return err ? 1 : 0;
}
