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
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <linux/types.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpftool.h"
#include "cli.h"
#include "dmaioctl.h"
#include "flushstat.h"
#include "flushstat.skel.h"
#include "hist.h"
#include "json.h"
#include "probe.h"
#include "rowidx.h"
#include "storm.h"
#include "util.h"

#define MAX_KEYS 10240		/* max_entries of counts */
#define MAX_USERS 8		/* IOAS/containers listed per domain */

enum attrib {
	ATTR_TP,		/* the series' *_start / end events */
	ATTR_SYSCALLS,		/* syscalls:sys_{enter,exit}_ioctl */
	ATTR_RAW_SYSCALLS,	/* raw_syscalls:sys_{enter,exit} */
	ATTR_NONE,
};

static const char *const attrib_names[] = { "tracepoint", "syscalls", "raw_syscalls", "none" };
static const char *const source_names[] = { "iotlb_sync", "cache_tag", "qi_submit", "none" };
static const char *const source_events[] = {
	"iommu:iotlb_sync, iommu:flush_iotlb_all",
	"intel_iommu:cache_tag_flush_{range,all}",
	"intel_iommu:qi_submit (IOTLB descriptors)",
	"none",
};
static const char *const backend_names[] = { "iommufd", "type1", "other" };
static const char *const id_kinds[] = { "ioas", "container", NULL };

static struct bpftool_opts opts = {
	.interval = 1,
	.count = LONG_MAX,
};

static struct env {
	bool ranges;
	int source;		/* -1: auto */
	long rows;
	struct storm_params storm;	/* one K both to begin and to end */
} env = {
	.source = -1,
	.rows = 20,
	.storm = { .min_rate = 1000, .max_range = 65536, .sustain = 3, .quiet = 3 },
};

static const char usage_text[] =
"usage: flushstat [-h] [-v] [-j] [-T] [-R] [-F] [-p PID] [-r ROWS]\n"
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
	{ "help", no_argument, NULL, 'h' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "json", no_argument, NULL, 'j' },
	{ "timestamp", no_argument, NULL, 'T' },
	{ "ranges", no_argument, NULL, 'R' },
	{ "fallback", no_argument, NULL, 'F' },
	{ "pid", required_argument, NULL, 'p' },
	{ "rows", required_argument, NULL, 'r' },
	{ "interval", required_argument, NULL, 'i' },
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
		env.ranges = true;
		return 0;
	case 'r':
		if (cli_parse_long(arg, 1, &env.rows)) {
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
	int err = bpftool_parse(argc, argv, ":hvjTRFp:r:i:", long_opts, usage_text, &opts,
				own_opt);

	if (err)
		return err;
	return cli_interval_count(argc, argv, optind, opts.have_interval, &opts.interval,
				  &opts.count, usage_text);
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

static int choose_attrib(const struct prog_desc *t, size_t n)
{
	bool ok = !opts.fallback;
	size_t i;

	for (i = 0; i < n && ok; i++)
		if (t[i].role == ROLE_OP && !bpftool_have_tp(t[i].tp))
			ok = false;
	if (ok)
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
			on = attrib == ATTR_TP;
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

/* ---- reading ---- */

struct entry {
	struct fs_key key;
	struct fs_val v;
};

/* Move every row out of the map into @e; returns how many or -errno. */
static int drain(int fd, struct entry *e)
{
	const struct bpftool_rows rows = {
		.base = e, .stride = sizeof(*e), .max = MAX_KEYS,
		.key_off = offsetof(struct entry, key), .key_size = sizeof(e->key),
		.val_off = offsetof(struct entry, v), .val_size = sizeof(e->v),
	};

	return bpftool_drain(fd, &rows);
}

/* The range histograms since the last call (the map only grows). */
static int read_ranges(int fd, struct fs_hist *delta)
{
	static struct fs_hist prev[FS_NR_BACKENDS];
	struct fs_hist cur;
	__u32 b;
	int s;

	for (b = 0; b < FS_NR_BACKENDS; b++) {
		if (bpf_map_lookup_elem(fd, &b, &cur))
			return -errno;
		for (s = 0; s < RANGE_SLOTS; s++)
			delta[b].slots[s] = cur.slots[s] - prev[b].slots[s];
		prev[b] = cur;
	}
	return 0;
}

/* A process row: (tgid, backend, id), everything summed. */
struct prow {
	__u32 tgid, id;
	__u8 backend;
	char comm[TASK_COMM_LEN];
	__u64 syncs, flush_all, range_bytes, empty_syncs;
	__u64 unmap_syncs, unmaps, unmaps_failed, maps, copies;
};

struct user {
	__u8 backend;
	__u32 id;
};

struct drow {
	__u32 dom;
	__u64 syncs, flush_all, range_bytes, empty_syncs;
	int nusers;
	struct user users[MAX_USERS];
	bool more_users;
};

static int cmp_prow(const void *a, const void *b)
{
	const struct prow *x = a, *y = b;

	if (x->syncs != y->syncs)
		return x->syncs > y->syncs ? -1 : 1;
	if (x->unmaps != y->unmaps)
		return x->unmaps > y->unmaps ? -1 : 1;
	if (x->tgid != y->tgid)
		return x->tgid < y->tgid ? -1 : 1;
	if (x->backend != y->backend)
		return x->backend - y->backend;
	return x->id < y->id ? -1 : x->id > y->id;
}

static int cmp_drow(const void *a, const void *b)
{
	const struct drow *x = a, *y = b;

	if (x->syncs != y->syncs)
		return x->syncs > y->syncs ? -1 : 1;
	return x->dom < y->dom ? -1 : x->dom > y->dom;
}

/* Fold the rows of the map into process and domain rows (sorted). */
static void fold(const struct entry *e, int n, struct prow *p, int *np, struct drow *d, int *nd)
{
	static struct rowidx pidx = ROWIDX_INIT(sizeof(struct fs_key));
	static struct rowidx didx = ROWIDX_INIT(sizeof(__u32));
	int i, j, k;

	*np = *nd = 0;
	rowidx_clear(&pidx);
	rowidx_clear(&didx);
	for (i = 0; i < n; i++) {
		const struct fs_key *key = &e[i].key;
		const struct fs_val *v = &e[i].v;
		struct fs_key pk = { .tgid = key->tgid, .id = key->id, .backend = key->backend };
		struct prow *r = NULL;
		struct drow *q = NULL;

		j = rowidx_find(&pidx, &pk);
		if (j >= 0)
			r = &p[j];
		else if (rowidx_add(&pidx, &pk, *np))
			continue;	/* no memory: the row is left out */
		if (!r) {
			r = &p[(*np)++];
			memset(r, 0, sizeof(*r));
			r->tgid = key->tgid;
			r->backend = key->backend;
			r->id = key->id;
			memcpy(r->comm, v->comm, sizeof(r->comm));
			r->comm[TASK_COMM_LEN - 1] = 0;
		}
		r->syncs += v->syncs;
		r->flush_all += v->flush_all;
		r->range_bytes += v->range_bytes;
		r->empty_syncs += v->empty_syncs;
		/* other: no operation, its unmaps are iommu:unmap calls */
		if (key->op == FS_OP_UNMAP || key->backend == FS_OTHER)
			r->unmap_syncs += v->syncs;
		if (key->op == FS_OP_UNMAP) {
			r->unmaps += v->ops;
			r->unmaps_failed += v->failed;
		} else if (key->op == FS_OP_MAP) {
			r->maps += v->ops;
		} else if (key->op == FS_OP_COPY) {
			r->copies += v->ops;
		}
		if (!key->dom)
			continue;
		j = rowidx_find(&didx, &key->dom);
		if (j >= 0)
			q = &d[j];
		else if (rowidx_add(&didx, &key->dom, *nd))
			continue;
		if (!q) {
			q = &d[(*nd)++];
			memset(q, 0, sizeof(*q));
			q->dom = key->dom;
		}
		q->syncs += v->syncs;
		q->flush_all += v->flush_all;
		q->range_bytes += v->range_bytes;
		q->empty_syncs += v->empty_syncs;
		for (k = 0; k < q->nusers; k++)
			if (q->users[k].backend == key->backend && q->users[k].id == key->id)
				break;
		if (k < q->nusers)
			continue;
		if (q->nusers < MAX_USERS)
			q->users[q->nusers++] = (struct user){ key->backend, key->id };
		else
			q->more_users = true;
	}
	qsort(p, *np, sizeof(*p), cmp_prow);
	qsort(d, *nd, sizeof(*d), cmp_drow);
}

/* ---- printing ---- */

static int g_src;	/* the flush source in use */

static const char *id_str(__u8 backend, __u32 id, char *buf, size_t len)
{
	if (backend == FS_IOMMUFD)
		snprintf(buf, len, "ioas %u", id);
	else if (backend == FS_TYPE1)
		snprintf(buf, len, "ctr %u", id);
	else
		snprintf(buf, len, "-");
	return buf;
}

static const char *dom_str(__u32 dom, char *buf, size_t len)
{
	if (g_src == FS_SRC_IOTLB_SYNC)
		snprintf(buf, len, "#%u", dom);
	else
		snprintf(buf, len, "did %u", dom - 1);
	return buf;
}

/* Events of this interval the kernel could not count: its table was full. */
static __u64 interval_dropped;

static void print_human(const struct prow *p, int np, const struct drow *d, int nd,
			const struct fs_hist *h, double secs)
{
	char ts[16], a[32], b[32], c[32], users[64];
	int i, k;

	if (opts.timestamp)
		printf("%s\n", cli_clock(ts, sizeof(ts)));
	if (interval_dropped)
		printf("%llu events not counted: the kernel's table of %d rows was full\n",
		       (unsigned long long)interval_dropped, MAX_KEYS);
	if (!np) {
		printf("no IOTLB flushes or unmaps seen\n\n");
		fflush(stdout);
		return;
	}
	printf("%7s %-15s %-7s %-7s %9s %6s %8s %6s %7s\n", "PID", "COMM", "BACKEND", "ID",
	       "SYNCS/s", "FLALL", "UNMAPS", "FL/UNM", "RANGE");
	for (i = 0; i < np && i < env.rows; i++) {
		const struct prow *r = &p[i];

		if (r->unmaps)
			snprintf(b, sizeof(b), "%.2f", (double)r->unmap_syncs / r->unmaps);
		else
			snprintf(b, sizeof(b), "-");
		if (r->syncs)
			hist_bytes_str((double)r->range_bytes / r->syncs, c, sizeof(c));
		else
			snprintf(c, sizeof(c), "-");
		printf("%7u %-15s %-7s %-7s %9.0f %6llu %8llu %6s %7s\n", r->tgid, r->comm,
		       backend_names[r->backend], id_str(r->backend, r->id, a, sizeof(a)),
		       r->syncs / secs, (unsigned long long)r->flush_all,
		       (unsigned long long)r->unmaps, b, c);
	}
	if (np > env.rows)
		printf("(%d more)\n", np - (int)env.rows);
	if (nd) {
		printf("%7s %9s %6s %7s  %s\n", "DOMAIN", "SYNCS/s", "FLALL", "RANGE", "USED BY");
		for (i = 0; i < nd && i < env.rows; i++) {
			users[0] = 0;
			for (k = 0; k < d[i].nusers; k++) {
				if (d[i].users[k].backend == FS_OTHER)
					snprintf(a, sizeof(a), "other");
				else
					id_str(d[i].users[k].backend, d[i].users[k].id, a, sizeof(a));
				if (strlen(users) + strlen(a) + 6 >= 48) {
					strcat(users, ", ...");
					break;
				}
				if (k)
					strcat(users, ", ");
				strcat(users, a);
			}
			if (d[i].more_users && k == d[i].nusers)
				strcat(users, ", ...");
			if (d[i].syncs)
				hist_bytes_str((double)d[i].range_bytes / d[i].syncs, c, sizeof(c));
			else
				snprintf(c, sizeof(c), "-");
			printf("%7s %9.0f %6llu %7s  %s\n", dom_str(d[i].dom, b, sizeof(b)),
			       d[i].syncs / secs, (unsigned long long)d[i].flush_all, c, users);
		}
		if (nd > env.rows)
			printf("(%d more)\n", nd - (int)env.rows);
	}
	if (env.ranges) {
		for (i = 0; i < FS_NR_BACKENDS; i++) {
			if (!hist_total(h[i].slots, RANGE_SLOTS))
				continue;
			printf("%s: range of the syncs\n", backend_names[i]);
			hist_print_log2(stdout, h[i].slots, RANGE_SLOTS, "bytes");
		}
	}
	printf("\n");
	fflush(stdout);
}

static void json_unavailable(struct json *j, int attrib)
{
	json_array_begin(j, "unavailable");
	if (g_src == FS_SRC_NONE) {
		json_string(j, NULL, "syncs");
		json_string(j, NULL, "flush_all");
		json_string(j, NULL, "range");
		json_string(j, NULL, "storms");
	}
	if (g_src == FS_SRC_CACHE_TAG || g_src == FS_SRC_QI)
		json_string(j, NULL, "domain_ptr");
	if (attrib == ATTR_NONE)
		json_string(j, NULL, "attribution");
	json_array_end(j);
}

static void print_json(const struct prow *p, int np, const struct drow *d, int nd,
		       const struct fs_hist *h, double secs, int attrib)
{
	struct timespec now;
	struct json j;
	int i, k;

	clock_gettime(CLOCK_REALTIME, &now);
	json_init(&j, stdout);
	json_object_begin(&j, NULL);
	json_string(&j, "tool", "flushstat");
	json_string(&j, "type", "interval");
	json_string(&j, "attribution", attrib_names[attrib]);
	json_string(&j, "source", source_names[g_src]);
	json_bool(&j, "fallback", attrib != ATTR_TP || g_src != FS_SRC_IOTLB_SYNC);
	json_double(&j, "time", now.tv_sec + now.tv_nsec / 1e9);
	json_double(&j, "seconds", secs);
	json_uint(&j, "dropped", interval_dropped);
	json_unavailable(&j, attrib);
	json_array_begin(&j, "processes");
	for (i = 0; i < np; i++) {
		json_object_begin(&j, NULL);
		json_uint(&j, "pid", p[i].tgid);
		json_string(&j, "comm", p[i].comm);
		json_string(&j, "backend", backend_names[p[i].backend]);
		if (id_kinds[p[i].backend])
			json_uint(&j, id_kinds[p[i].backend], p[i].id);
		json_uint(&j, "syncs", p[i].syncs);
		json_double(&j, "syncs_per_s", p[i].syncs / secs);
		json_uint(&j, "flush_all", p[i].flush_all);
		json_uint(&j, "range_bytes", p[i].range_bytes);
		json_uint(&j, "empty_syncs", p[i].empty_syncs);
		if (p[i].syncs)
			json_double(&j, "mean_range", (double)p[i].range_bytes / p[i].syncs);
		else
			json_null(&j, "mean_range");
		json_uint(&j, "unmaps", p[i].unmaps);
		json_uint(&j, "unmaps_failed", p[i].unmaps_failed);
		json_uint(&j, "unmap_syncs", p[i].unmap_syncs);
		if (p[i].unmaps)
			json_double(&j, "syncs_per_unmap", (double)p[i].unmap_syncs / p[i].unmaps);
		else
			json_null(&j, "syncs_per_unmap");
		json_uint(&j, "maps", p[i].maps);
		json_uint(&j, "copies", p[i].copies);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_array_begin(&j, "domains");
	for (i = 0; i < nd; i++) {
		json_object_begin(&j, NULL);
		if (g_src == FS_SRC_IOTLB_SYNC)
			json_uint(&j, "domain", d[i].dom);
		else
			json_uint(&j, "did", d[i].dom - 1);
		json_uint(&j, "syncs", d[i].syncs);
		json_uint(&j, "flush_all", d[i].flush_all);
		json_uint(&j, "range_bytes", d[i].range_bytes);
		json_uint(&j, "empty_syncs", d[i].empty_syncs);
		json_array_begin(&j, "users");
		for (k = 0; k < d[i].nusers; k++) {
			json_object_begin(&j, NULL);
			json_string(&j, "backend", backend_names[d[i].users[k].backend]);
			if (id_kinds[d[i].users[k].backend])
				json_uint(&j, id_kinds[d[i].users[k].backend], d[i].users[k].id);
			json_object_end(&j);
		}
		json_array_end(&j);
		json_bool(&j, "more_users", d[i].more_users);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_object_begin(&j, "ranges");
	for (i = 0; i < FS_NR_BACKENDS; i++)
		hist_json(&j, backend_names[i], h[i].slots, RANGE_SLOTS);
	json_object_end(&j);
	json_object_end(&j);
}

/* ---- storms: lib/storm decides, flushstat says what a storm was ---- */

struct storm_key {
	__u32 tgid, id, backend;	/* no padding: compared with memcmp */
};

/* Per key beyond lib/storm's state, for the alerts. */
struct storm_info {
	char comm[TASK_COMM_LEN];
	__u64 streak_syncs, streak_bytes;	/* over the current run of hot intervals */
	double streak_secs;
	__u64 total_syncs;			/* while active */
	double began;				/* cli_now() */
};

static struct storm_table *storms;

static void storm_record(const struct storm_key *k, const struct storm_info *s,
			 const struct storm *st, bool begin, const char *why)
{
	double rate = s->streak_syncs / s->streak_secs;
	double mean = (double)s->streak_bytes / s->streak_syncs;
	char a[32], b[32], ts[16];
	struct timespec now;
	struct json j;

	if (!opts.json) {
		if (opts.timestamp)
			printf("%s ", cli_clock(ts, sizeof(ts)));
		if (k->backend == FS_OTHER)
			snprintf(a, sizeof(a), "other");
		else
			snprintf(a, sizeof(a), "%s %s %u", backend_names[k->backend],
				 id_kinds[k->backend], k->id);
		/* two lines, to stay within 80 columns */
		if (begin)
			printf("STORM begins: pid %u comm %s backend %s:\n"
			       "  %.0f syncs/s, mean range %s\n", k->tgid, s->comm, a, rate,
			       hist_bytes_str(mean, b, sizeof(b)));
		else
			printf("STORM ends: pid %u comm %s backend %s:\n"
			       "  after %.0f s, %llu syncs%s\n", k->tgid, s->comm, a,
			       cli_now() - s->began, (unsigned long long)s->total_syncs, why);
		fflush(stdout);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &now);
	json_init(&j, stdout);
	json_object_begin(&j, NULL);
	json_string(&j, "tool", "flushstat");
	json_string(&j, "type", begin ? "storm_begin" : "storm_end");
	json_double(&j, "time", now.tv_sec + now.tv_nsec / 1e9);
	json_uint(&j, "pid", k->tgid);
	json_string(&j, "comm", s->comm);
	json_string(&j, "backend", backend_names[k->backend]);
	if (id_kinds[k->backend])
		json_uint(&j, id_kinds[k->backend], k->id);
	if (begin) {
		json_double(&j, "syncs_per_s", rate);
		json_double(&j, "mean_range", mean);
		json_uint(&j, "intervals", st->hot);
	} else {
		json_double(&j, "duration", cli_now() - s->began);
		json_uint(&j, "syncs", s->total_syncs);
		json_bool(&j, "tracing_stopped", why[0] != 0);
	}
	json_object_end(&j);
}

/* The END of a key not seen in the interval, or of every storm at exit. */
static void on_storm_end(const void *key, const struct storm *st, enum storm_transition t,
			 void *arg)
{
	const struct storm_info *s = storm_table_data(storms, key);

	if (s)
		storm_record(key, s, st, false, arg ? " (tracing stopped)" : "");
}

static void storms_update(const struct prow *p, int np, double secs)
{
	enum storm_transition tr;
	const struct storm *st;
	struct storm_info *s;
	int i;

	for (i = 0; i < np; i++) {
		const struct prow *r = &p[i];
		struct storm_key k = { r->tgid, r->id, r->backend };

		tr = storm_table_step(storms, &k, r->syncs / secs,
				      r->syncs ? (double)r->range_bytes / r->syncs : NAN, &st);
		s = storm_table_data(storms, &k);
		if (!st || !s)
			continue;	/* cool, and not a storm yet: not kept */
		memcpy(s->comm, r->comm, sizeof(s->comm));
		if (!st->hot) {
			if (tr == STORM_END)
				storm_record(&k, s, st, false, "");
			continue;
		}
		if (st->hot == 1) {	/* a new run of hot intervals */
			s->streak_syncs = s->streak_bytes = 0;
			s->streak_secs = 0;
		}
		s->streak_syncs += r->syncs;
		s->streak_bytes += r->range_bytes;
		s->streak_secs += secs;
		if (tr == STORM_BEGIN) {
			s->began = cli_now() - s->streak_secs;
			s->total_syncs = s->streak_syncs;
			storm_record(&k, s, st, true, "");
		} else if (st->active) {
			s->total_syncs += r->syncs;
		}
	}
	storm_table_end_interval(storms, on_storm_end, NULL);
}

static void storms_close(void)
{
	static bool stopped = true;

	if (storms)
		storm_table_end_all(storms, on_storm_end, &stopped);
}

static void print_banner(int attrib, bool unmap, const char *miss)
{
	FILE *f = bpftool_banner(opts.json, "IOTLB flushes (%s)",
				 opts.pid ? "one process" : "all processes");
	char b[32];

	if (g_src == FS_SRC_NONE)
		fprintf(f, "mode: fallback, no flush source\n");
	else
		fprintf(f, "mode: %s, flushes from %s\n",
			attrib == ATTR_TP && g_src == FS_SRC_IOTLB_SYNC ? "tracepoint" :
			"fallback", source_events[g_src]);
	fprintf(f, "  operations from %s\n",
		attrib == ATTR_TP ? "the iommufd/vfio_iommu_type1 events" :
		attrib == ATTR_SYSCALLS ? bpftool_ioctl_events_name(BPFTOOL_SYSCALLS) :
		attrib == ATTR_RAW_SYSCALLS ? bpftool_ioctl_events_name(BPFTOOL_RAW_SYSCALLS) :
		"nowhere: every flush counts as other");
	if (opts.fallback)
		fprintf(f, "  fallback forced by -F\n");
	if (g_src == FS_SRC_NONE)
		fprintf(f, "  no flush source on this kernel: unavailable: SYNCS/s, FLALL,\n"
			"  FL/UNM, RANGE, DOMAIN, storm alerts; UNMAPS only\n");
	else if (g_src != FS_SRC_IOTLB_SYNC)
		fprintf(f, "  domains are VT-d domain ids (DID), one flush per IOMMU\n");
	if (miss[0])
		fprintf(f, "  no tracepoint %s: its column stays 0\n", miss);
	if (!unmap)
		fprintf(f, "  no iommu:unmap: unmaps outside iommufd/type1 not counted\n");
	if (g_src != FS_SRC_NONE)
		fprintf(f, "storm: >= %.0f syncs/s of mean range <= %s for %u intervals\n",
			env.storm.min_rate, hist_bytes_str(env.storm.max_range, b, sizeof(b)),
			env.storm.sustain);
	fflush(f);
}

struct run {
	struct flushstat_bpf *obj;
	struct entry *entries;
	struct prow *prows;
	struct drow *drows;
	struct fs_hist ranges[FS_NR_BACKENDS];
	int attrib;
	__u64 dropped;		/* the kernel's count at the last report */
};

static int report(void *ctx, double seconds)
{
	struct run *r = ctx;
	int n, np, nd, err = 0;

	n = drain(bpf_map__fd(r->obj->maps.counts), r->entries);
	if (n < 0 || (err = read_ranges(bpf_map__fd(r->obj->maps.ranges), r->ranges))) {
		err = n < 0 ? n : err;
		fprintf(stderr, "flushstat: failed to read counters: %s\n", strerror(-err));
		return err;
	}
	fold(r->entries, n, r->prows, &np, r->drows, &nd);
	interval_dropped = __atomic_load_n(&r->obj->bss->dropped, __ATOMIC_RELAXED) - r->dropped;
	r->dropped += interval_dropped;
	if (storms)
		storms_update(r->prows, np, seconds);
	if (opts.json)
		print_json(r->prows, np, r->drows, nd, r->ranges, seconds, r->attrib);
	else
		print_human(r->prows, np, r->drows, nd, r->ranges, seconds);
	return 0;
}

int main(int argc, char **argv)
{
	struct prog_desc progs[32];
	struct run r = {};
	char miss[128];
	size_t nprogs;
	sigset_t set;
	bool unmap;
	int err;

	err = bpftool_begin("flushstat", argc, argv, parse_args, &set);
	if (err >= 0)
		return err;

	r.obj = flushstat_bpf__open();
	err = bpftool_opened(r.obj);
	if (err)
		goto cleanup;

	nprogs = prog_table(r.obj, progs);
	g_src = choose_source(progs, nprogs);
	if (g_src < 0) {
		fprintf(stderr, "flushstat: flush source %s: this kernel has no tracepoint %s\n",
			source_names[env.source], source_events[env.source]);
		err = -ENOENT;
		goto cleanup;
	}
	r.attrib = choose_attrib(progs, nprogs);
	unmap = bpftool_have_tp("unmap");
	if (g_src == FS_SRC_NONE && (!unmap || r.attrib == ATTR_NONE)) {
		fprintf(stderr, "flushstat: nothing to attach to: this kernel has no IOTLB flush "
			"events (iommu:iotlb_sync, intel_iommu:cache_tag_flush_range, qi_submit)%s"
			"%s\n", unmap ? "" : " and no iommu:unmap",
			r.attrib == ATTR_NONE ? " and no ioctl syscall events" : "");
		err = -ENOENT;
		goto cleanup;
	}
	select_progs(progs, nprogs, r.attrib, g_src, unmap, miss, sizeof(miss));
	r.obj->rodata->filter_tgid = opts.pid;
	configure_ioctls(r.obj);

	err = bpftool_load_attach(r.obj->skeleton);
	if (err)
		goto cleanup;

	r.entries = calloc(MAX_KEYS, sizeof(*r.entries));
	r.prows = calloc(MAX_KEYS, sizeof(*r.prows));
	r.drows = calloc(MAX_KEYS, sizeof(*r.drows));
	if (!r.entries || !r.prows || !r.drows) {
		err = -ENOMEM;
		fprintf(stderr, "flushstat: failed to allocate rows: %s\n", strerror(ENOMEM));
		goto cleanup;
	}
	read_ranges(bpf_map__fd(r.obj->maps.ranges), r.ranges);
	if (g_src != FS_SRC_NONE &&
	    !(storms = storm_table_new_data(&env.storm, sizeof(struct storm_key),
					    sizeof(struct storm_info)))) {
		err = -ENOMEM;
		fprintf(stderr, "flushstat: failed to allocate the storm table: %s\n",
			strerror(ENOMEM));
		goto cleanup;
	}

	print_banner(r.attrib, unmap, miss);
	err = bpftool_loop(&set, opts.interval, opts.count, report, &r);
	storms_close();

cleanup:
	flushstat_bpf__destroy(r.obj);
	probe_free();
	storm_table_free(storms);
	free(r.entries);
	free(r.prows);
	free(r.drows);
	return err ? 1 : 0;
}
