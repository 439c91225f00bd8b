// SPDX-License-Identifier: GPL-2.0
/*
 * ioasid-top: live dashboard of DMA-map activity per process, backend
 * and IOAS/container, and of device attachments (see README.md).
 *
 * One BPF object aggregates in the kernel (ioasid-top.bpf.c); once per
 * refresh this reads its maps and diffs with the previous refresh.  Views: ncurses (screen.c), batch text, JSON lines.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpftool.h"
#include "cli.h"
#include "dmaioctl.h"
#include "hist.h"
#include "json.h"
#include "probe.h"
#include "rowidx.h"
#include "seen.h"
#include "storm.h"
#include "tracefs.h"
#include "ioasid-top.h"
#include "ioasid-top.skel.h"
#include "top.h"

#define ARRAY_SIZE(x) (sizeof(x) / sizeof((x)[0]))

enum mode { MODE_TP, MODE_SYSCALLS, MODE_RAW_SYSCALLS };
static const char *const mode_names[] = { "tracepoints", "fallback (syscalls)",
					  "fallback (raw_syscalls)" };
static const char *const mode_json[] = { "tracepoints", "syscalls", "raw_syscalls" };

const struct col_desc cols[NR_COLS] = {
	[COL_PID] = { "PID", "pid", 7, false, false, "process id (tgid)" },
	[COL_COMM] = { "COMM", "comm", 15, true, false, "process name" },
	[COL_BACKEND] = { "BACKEND", "backend", 7, true, false, "iommufd or type1" },
	[COL_IOAS] = { "IOAS", "ioas", 6, false, false,
		       "IOAS id (iommufd), c<N> container (type1), - unknown" },
	[COL_MAP] = { "MAP/s", "map", 8, false, false, "successful maps per second" },
	[COL_UNMAP] = { "UNMAP/s", "unmap", 8, false, false, "successful unmaps per second" },
	[COL_MIB] = { "MiB/s", "mib", 7, false, false, "MiB mapped per second" },
	[COL_MAP_P50] = { "MAPp50", "map-p50", 7, false, false, "map latency p50, us" },
	[COL_MAP_P99] = { "MAPp99", "map-p99", 7, false, false, "map latency p99, us" },
	[COL_UNMAP_P99] = { "UNMp99", "unmap-p99", 7, false, false, "unmap latency p99, us" },
	[COL_FLUSH] = { "FLUSH/s", "flush", 8, false, true, "IOTLB syncs per second" },
	[COL_FLUSH_UNMAP] = { "FL/UNM", "flush-unmap", 6, false, true,
			      "IOTLB syncs per unmap" },
	[COL_FAULT] = { "FAULT/s", "fault", 7, false, true,
			"page faults answered per second" },
	[COL_FAULT_P99] = { "FLTp99", "fault-p99", 7, false, true,
			    "fault round trip p99 (queued -> responded), us" },
	[COL_INVAL] = { "INVAL/s", "inval", 7, false, true, "HWPT invalidations per second" },
};

const char keys_help[] =
"  s, >       sort by the next column      S, <   sort by the previous column\n"
"  r          reverse the sort order\n"
"  f, /       filter: a PID, or a part of COMM (empty: no filter)\n"
"  v, TAB     switch view: processes / devices\n"
"  a          show idle rows too (toggle)\n"
"  c          reset: forget rows, devices, storms\n"
"  + -        refresh delay +1 s / -1 s (1 to 60 s)\n"
"  h, ?       this help                   q      quit\n";

static struct env {
	bool batch, json, once, fallback, verbose;
	long delay, count;
	struct view view;
	struct storm_params storm;
} env = {
	.delay = 2,
	.count = -1,
	.view = { .sort = COL_UNMAP, .delay = 2 },
	.storm = STORM_PARAMS_DEFAULT,
};

static const char usage_text[] =
"usage: ioasid-top [-h] [-v] [-b] [-j] [-1] [-n COUNT] [-d SEC] [-p PID]\n"
"                  [--comm COMM] [-s KEY] [--reverse] [-a] [-D] [-F] [--storm-rate R]\n"
"                  [--storm-range BYTES] [--storm-intervals K] [delay [count]]\n"
"\n"
"Live DMA-map activity per process x backend (iommufd, VFIO type1) x\n"
"IOAS/container: map/unmap rates and latency, IOTLB flushes, faults,\n"
"HWPT invalidations; a device view of attachments; flush-storm alerts.\n"
"Needs root (CAP_BPF and CAP_PERFMON).\n"
"\n"
"  -h, --help           this help\n"
"  -v, --verbose        libbpf debug output, probing details\n"
"  -b, --batch          plain text frames, like top -b\n"
"  -j, --json           one JSON object per refresh (JSON lines)\n"
"  -1, --once           one frame after one delay, then exit (batch)\n"
"  -n, --iterations N   N frames, then exit\n"
"  -d, -i, --delay SEC  refresh every SEC seconds, 1 to 60 (default 2)\n"
"  -p, --pid PID        only this process (a view filter: the screen's\n"
"                       filter key can widen it again)\n"
"      --comm TEXT      only processes whose name contains TEXT\n"
"  -s, --sort KEY       sort column (default unmap), descending:\n"
"                       pid comm backend ioas map unmap mib map-p50 map-p99\n"
"                       unmap-p99 flush flush-unmap fault fault-p99 inval\n"
"      --reverse        ascending\n"
"  -a, --all            show idle rows too\n"
"  -D, --devices        start in the device view (batch: print it too)\n"
"  -F, --fallback       use the ioctl syscall tracepoints even if the\n"
"                       series' events exist\n"
"      --storm-rate R   flush storm: at least R IOTLB syncs/s (default 1000)\n"
"      --storm-range B  ... of mean range at most B bytes (default 65536)\n"
"      --storm-intervals K  ... for K refreshes in a row (default 3); it\n"
"                       ends after K refreshes without\n"
"\n"
"Screen keys:\n"
"%s"
"\n"
"Columns (FLUSH/s to INVAL/s need the series' events; '-' in fallback):\n"
"%s"
"\n"
"examples:\n"
"  ioasid-top                  # the screen, refresh every 2 s\n"
"  ioasid-top -b -n 5 -d 1     # five text frames, one per second\n"
"  ioasid-top -1 -D            # one frame with the device view\n"
"  ioasid-top -j -d 1 > t.json # JSON lines for scripts\n"
"  ioasid-top -s flush --comm qemu  # QEMU processes by IOTLB flush rate\n";

static char *usage_buf;

static const char *usage(void)
{
	char colhelp[2048] = "";
	size_t l = 0;
	int i;

	if (usage_buf)
		return usage_buf;
	for (i = 0; i < NR_COLS; i++)
		l += snprintf(colhelp + l, sizeof(colhelp) - l, "  %-8s %s\n", cols[i].head,
			      cols[i].what);
	if (asprintf(&usage_buf, usage_text, keys_help, colhelp) < 0)
		return usage_text;
	return usage_buf;
}

static const struct option long_opts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "batch", no_argument, NULL, 'b' },
	{ "json", no_argument, NULL, 'j' },
	{ "once", no_argument, NULL, '1' },
	{ "iterations", required_argument, NULL, 'n' },
	{ "delay", required_argument, NULL, 'd' },
	{ "interval", required_argument, NULL, 'i' },
	{ "pid", required_argument, NULL, 'p' },
	{ "comm", required_argument, NULL, 4 },
	{ "sort", required_argument, NULL, 's' },
	{ "reverse", no_argument, NULL, 5 },
	{ "all", no_argument, NULL, 'a' },
	{ "devices", no_argument, NULL, 'D' },
	{ "fallback", no_argument, NULL, 'F' },
	{ "storm-rate", required_argument, NULL, 1 },
	{ "storm-range", required_argument, NULL, 2 },
	{ "storm-intervals", required_argument, NULL, 3 },
	{},
};

static int sort_key(const char *s)
{
	int i;

	for (i = 0; i < NR_COLS; i++)
		if (!strcmp(s, cols[i].sort))
			return i;
	return -1;
}

static int parse_double(const char *s, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	return errno || end == s || *end || !isfinite(*out) ? -1 : 0;
}

/* 0: run; 1: help printed, exit 0; -1: usage error printed, exit 2. */
static int parse_args(int argc, char **argv)
{
	bool have_delay = false;
	char why[128];
	long v;
	int opt;

	opterr = 0;	/* cli_option_error(): "ioasid-top: ...", the synopsis */
	while ((opt = getopt_long(argc, argv, ":hvbj1n:d:i:p:s:aDF", long_opts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			fputs(usage(), stdout);
			return 1;
		case 'v':
			env.verbose = cli_verbose = true;
			break;
		case 'b':
			env.batch = true;
			break;
		case 'j':
			env.json = env.batch = true;
			break;
		case '1':
			env.once = env.batch = true;
			env.count = 1;
			break;
		case 'n':
			if (cli_parse_long(optarg, 1, &env.count)) {
				cli_usage_error(usage(), "invalid iteration count '%s'", optarg);
				return -1;
			}
			break;
		case 'd':
		case 'i':
			if (cli_parse_long(optarg, DELAY_MIN, &env.delay) || env.delay > DELAY_MAX) {
				cli_usage_error(usage(), "invalid delay '%s' (%d to %d seconds)",
						optarg, DELAY_MIN, DELAY_MAX);
				return -1;
			}
			have_delay = true;
			break;
		case 'p':
			if (cli_parse_long(optarg, 1, &v) || v > INT_MAX) {
				cli_usage_error(usage(), "invalid PID '%s'", optarg);
				return -1;
			}
			env.view.pid = v;
			break;
		case 4:
			snprintf(env.view.comm, sizeof(env.view.comm), "%s", optarg);
			break;
		case 's':
			env.view.sort = sort_key(optarg);
			if (env.view.sort < 0) {
				cli_usage_error(usage(), "unknown sort key '%s'", optarg);
				return -1;
			}
			break;
		case 5:
			env.view.reverse = true;
			break;
		case 'a':
			env.view.all = true;
			break;
		case 'D':
			env.view.devices = true;
			break;
		case 'F':
			env.fallback = true;
			break;
		case 1:
		case 2:
			if (parse_double(optarg, opt == 1 ? &env.storm.min_rate :
					 &env.storm.max_range)) {
				cli_usage_error(usage(), "invalid number '%s'", optarg);
				return -1;
			}
			break;
		case 3:
			if (cli_parse_long(optarg, 1, &v) || v > 1000) {
				cli_usage_error(usage(), "invalid storm intervals '%s'", optarg);
				return -1;
			}
			env.storm.sustain = env.storm.quiet = v;
			break;
		default:
			cli_option_error(usage(), opt, argv);
			return -1;
		}
	}
	if (storm_params_check(&env.storm, why, sizeof(why))) {
		cli_usage_error(usage(), "%s", why);
		return -1;
	}
	v = env.count;
	if (cli_interval_count(argc, argv, optind, have_delay, &env.delay, &v, usage()))
		return -1;
	if (env.delay > DELAY_MAX) {
		cli_usage_error(usage(), "invalid delay '%ld' (%d to %d seconds)", env.delay,
				DELAY_MIN, DELAY_MAX);
		return -1;
	}
	if (v != env.count && env.once && v != 1) {
		cli_usage_error(usage(), "-1 and a count of %ld", v);
		return -1;
	}
	env.count = v;
	env.view.delay = env.delay;
	return 0;
}

/* ---- programs and mode ---- */

enum role { ROLE_TP, ROLE_TP_OPT, ROLE_SYSCALLS, ROLE_RAW };

struct prog_desc {
	struct bpf_program *prog;
	const char *tp;
	enum role role;
};

static size_t prog_table(struct ioasid_top_bpf *o, struct prog_desc *t)
{
	const struct prog_desc d[] = {
		/* the map/unmap path: all needed for tracepoint mode */
		{ o->progs.map_start, "iommufd_ioas_map_start", ROLE_TP },
		{ o->progs.unmap_start, "iommufd_ioas_unmap_start", ROLE_TP },
		{ o->progs.copy_start, "iommufd_ioas_copy_start", ROLE_TP },
		{ o->progs.map_end, "iommufd_ioas_map", ROLE_TP },
		{ o->progs.unmap_end, "iommufd_ioas_unmap", ROLE_TP },
		{ o->progs.copy_end, "iommufd_ioas_copy", ROLE_TP },
		{ o->progs.t1_map_start, "vfio_iommu_type1_dma_map_start", ROLE_TP },
		{ o->progs.t1_unmap_start, "vfio_iommu_type1_dma_unmap_start", ROLE_TP },
		{ o->progs.t1_map_end, "vfio_iommu_type1_dma_map", ROLE_TP },
		{ o->progs.t1_unmap_end, "vfio_iommu_type1_dma_unmap", ROLE_TP },
		/* the rest: used when present */
		{ o->progs.pin, "iommufd_pages_pin", ROLE_TP_OPT },
		{ o->progs.unpin, "iommufd_pages_unpin", ROLE_TP_OPT },
		{ o->progs.t1_pin, "vfio_iommu_type1_pin_pages", ROLE_TP_OPT },
		{ o->progs.iotlb_sync, "iotlb_sync", ROLE_TP_OPT },
		{ o->progs.flush_all, "flush_iotlb_all", ROLE_TP_OPT },
		{ o->progs.hwpt_alloc, "iommufd_hwpt_alloc", ROLE_TP_OPT },
		{ o->progs.hwpt_inval, "iommufd_hwpt_invalidate", ROLE_TP_OPT },
		{ o->progs.fault_queue, "iommufd_fault_queue", ROLE_TP_OPT },
		{ o->progs.fault_respond, "iommufd_fault_respond", ROLE_TP_OPT },
		{ o->progs.fault_auto, "iommufd_fault_auto_respond", ROLE_TP_OPT },
		{ o->progs.dev_attach, "iommufd_device_attach", ROLE_TP_OPT },
		{ o->progs.dev_replace, "iommufd_device_replace", ROLE_TP_OPT },
		{ o->progs.dev_detach, "iommufd_device_detach", ROLE_TP_OPT },
		{ o->progs.t1_attach, "vfio_iommu_type1_attach_group", ROLE_TP_OPT },
		{ o->progs.t1_detach, "vfio_iommu_type1_detach_group", ROLE_TP_OPT },
		{ o->progs.sys_enter_ioctl, NULL, ROLE_SYSCALLS },
		{ o->progs.sys_exit_ioctl, NULL, ROLE_SYSCALLS },
		{ o->progs.raw_sys_enter, NULL, ROLE_RAW },
		{ o->progs.raw_sys_exit, NULL, ROLE_RAW },
	};

	memcpy(t, d, sizeof(d));
	return ARRAY_SIZE(d);
}

static int choose_mode(const struct prog_desc *t, size_t n)
{
	bool tp_ok = true;
	size_t i;

	for (i = 0; i < n; i++) {
		if (t[i].role == ROLE_TP && !probe_tp_btf(t[i].tp)) {
			if (env.verbose)
				fprintf(stderr, "ioasid-top: no BTF for tracepoint %s\n", t[i].tp);
			tp_ok = false;
		}
	}
	if (tp_ok && !env.fallback)
		return MODE_TP;
	if (tracefs_event_exists("syscalls", "sys_enter_ioctl") &&
	    tracefs_event_exists("syscalls", "sys_exit_ioctl"))
		return MODE_SYSCALLS;
	if (tracefs_event_exists("raw_syscalls", "sys_enter") &&
	    tracefs_event_exists("raw_syscalls", "sys_exit"))
		return MODE_RAW_SYSCALLS;
	return -1;
}

static char missing_tps[512];

static void select_progs(const struct prog_desc *t, size_t n, int mode)
{
	size_t i, l = 0;
	bool on;

	for (i = 0; i < n; i++) {
		switch (t[i].role) {
		case ROLE_TP:
			on = mode == MODE_TP;
			break;
		case ROLE_TP_OPT:
			on = mode == MODE_TP && probe_tp_btf(t[i].tp);
			if (mode == MODE_TP && !on)
				l += snprintf(missing_tps + l, sizeof(missing_tps) - l, "%s%s",
					      l ? ", " : "", t[i].tp);
			break;
		case ROLE_SYSCALLS:
			on = mode == MODE_SYSCALLS;
			break;
		default:
			on = mode == MODE_RAW_SYSCALLS;
		}
		if (l >= sizeof(missing_tps))
			l = sizeof(missing_tps) - 1;
		bpf_program__set_autoload(t[i].prog, on);
	}
}

static void configure_ioctls(struct ioasid_top_bpf *o)
{
	size_t i;

	_Static_assert(DMAIOCTL_N == TOP_IOCTLS, "TOP_IOCTLS");
	_Static_assert((int)DMAIOCTL_IOMMUFD == (int)TOP_IOMMUFD &&
		       (int)DMAIOCTL_TYPE1 == (int)TOP_TYPE1 && (int)DMAIOCTL_MAP == (int)TOP_MAP &&
		       (int)DMAIOCTL_UNMAP == (int)TOP_UNMAP && (int)DMAIOCTL_COPY == (int)TOP_COPY,
		       "enums");
	for (i = 0; i < TOP_IOCTLS; i++) {
		o->rodata->ioctls[i].cmd = dmaioctls[i].cmd;
		o->rodata->ioctls[i].backend = dmaioctls[i].backend;
		o->rodata->ioctls[i].op = dmaioctls[i].op;
		o->rodata->ioctls[i].len_off = dmaioctls[i].len_off;
		o->rodata->ioctls[i].id_off = dmaioctls[i].id_off < 0 ? TOP_ID_FD :
					      dmaioctls[i].id_off;
	}
	o->rodata->targ_nr_ioctl = SYS_ioctl;
}

/* ---- containers: numbered as seen (as bpf/maplat -I) ---- */

static struct seen containers;
static struct seen contexts;	/* iommufd contexts of the devices */

/* ---- formatting shared by the views ---- */

/* A device attached before ioasid-top started shows only its detach. */
const char *dev_state(const struct dev *d)
{
	if (d->d.attached)
		return "attached";
	return d->d.attaches || d->d.detaches ? "detached" : "failed";
}

const char *backend_name(unsigned int b)
{
	return b == TOP_IOMMUFD ? "iommufd" : b == TOP_TYPE1 ? "type1" : "?";
}

const char *as_str(const struct row *r, char *buf, size_t len)
{
	if (!r->as)
		snprintf(buf, len, "-");
	else if (r->key.backend == TOP_TYPE1)
		snprintf(buf, len, "c%u", r->as);
	else
		snprintf(buf, len, "%u", r->as);
	return buf;
}

static const char *num(double v, char *buf, size_t len)
{
	if (isnan(v))
		snprintf(buf, len, "-");
	else if (v >= 99999.5)
		snprintf(buf, len, "%.0fk", v / 1000);
	else if (v >= 99.95 || v == 0)
		snprintf(buf, len, "%.0f", v);
	else
		snprintf(buf, len, "%.1f", v);
	return buf;
}

const char *cell(const struct row *r, int c, bool fallback, char *buf, size_t len)
{
	switch (c) {
	case COL_PID:
		snprintf(buf, len, "%u", r->key.tgid);
		return buf;
	case COL_COMM:
		snprintf(buf, len, "%s", r->comm);
		return buf;
	case COL_BACKEND:
		return backend_name(r->key.backend);
	case COL_IOAS:
		return as_str(r, buf, len);
	}
	if (fallback && cols[c].tp_only) {
		snprintf(buf, len, "-");
		return buf;
	}
	return num(r->v[c], buf, len);
}

static int cmp_col;
static bool cmp_rev;

static int cmp_rows(const void *a, const void *b)
{
	const struct row *x = *(struct row *const *)a, *y = *(struct row *const *)b;
	int c = 0;

	switch (cmp_col) {
	case COL_PID:
		c = x->key.tgid < y->key.tgid ? -1 : x->key.tgid > y->key.tgid;
		break;
	case COL_COMM:
		c = strcmp(x->comm, y->comm);
		break;
	case COL_BACKEND:
		c = (int)x->key.backend - (int)y->key.backend;
		break;
	case COL_IOAS:
		c = x->as < y->as ? -1 : x->as > y->as;
		break;
	default: {
		/* numbers: largest first, unknown last */
		double p = x->v[cmp_col], q = y->v[cmp_col];

		if (isnan(p) || isnan(q))
			c = isnan(p) - isnan(q);
		else
			c = p > q ? -1 : p < q;
	}
	}
	if (cmp_rev)
		c = -c;
	if (!c)	/* stable: pid, backend, ioas */
		c = x->key.tgid != y->key.tgid ? (x->key.tgid < y->key.tgid ? -1 : 1) :
		    x->key.backend != y->key.backend ? (int)x->key.backend - (int)y->key.backend :
		    (x->as < y->as ? -1 : x->as > y->as);
	return c;
}

void sort_rows(struct frame *f, const struct view *v)
{
	cmp_col = v->sort;
	cmp_rev = v->reverse;
	qsort(f->rows, f->nrows, sizeof(*f->rows), cmp_rows);
}

int parse_filter(const char *s, struct view *v, char *why, size_t len)
{
	long pid;

	while (*s == ' ')
		s++;
	v->pid = 0;
	v->comm[0] = 0;
	if (!*s)
		return 0;
	if (!cli_parse_long(s, 1, &pid) && pid <= INT_MAX) {
		v->pid = pid;
		return 0;
	}
	if (strlen(s) >= TOP_COMM_LEN) {
		snprintf(why, len, "filter too long: a PID or up to 15 characters of COMM");
		return -1;
	}
	snprintf(v->comm, sizeof(v->comm), "%s", s);
	return 0;
}

/* ---- collection ---- */

static struct ioasid_top_bpf *obj;
static int mode;
static int ncpus;
static struct row *rows;
static int nrows, caprows;
static struct storm_table *storms;
static __u64 *other_vals;	/* the other map: one value per CPU */
static uint64_t other_prev[TOP_NR_OTHER];
static double last_t;
static struct frame frame;

static struct rowidx row_index = ROWIDX_INIT(sizeof(struct top_key));

/* The index again, after rows were dropped and others moved into their place. */
static int reindex_rows(void)
{
	int i;

	rowidx_clear(&row_index);
	for (i = 0; i < nrows; i++)
		if (rowidx_add(&row_index, &rows[i].key, i))
			return -ENOMEM;
	return 0;
}

static struct row *find_row(const struct top_key *k)
{
	int i = rowidx_find(&row_index, k);

	if (i >= 0)
		return &rows[i];
	if (nrows == caprows) {
		struct row *nr = realloc(rows, (caprows ? caprows * 2 : 64) * sizeof(*rows));

		if (!nr)
			return NULL;
		rows = nr;
		caprows = caprows ? caprows * 2 : 64;
	}
	if (rowidx_add(&row_index, k, nrows))
		return NULL;
	memset(&rows[nrows], 0, sizeof(rows[0]));
	rows[nrows].key = *k;
	return &rows[nrows++];
}

static void diff_stats(const struct top_stats *a, const struct top_stats *b, struct top_stats *d)
{
	const __u64 *x = (const __u64 *)a, *y = (const __u64 *)b;
	__u64 *o = (__u64 *)d;
	size_t w, n = offsetof(struct top_stats, comm) / sizeof(__u64);

	for (w = 0; w < n; w++)
		o[w] = x[w] >= y[w] ? x[w] - y[w] : x[w];
}

static double pct_us(const __u64 *slots, double p)
{
	return hist_percentile(slots, TOP_SLOTS, p) / 1000.0;
}

static void derive(struct row *r, double secs)
{
	const struct top_stats *d = &r->d;
	int i;

	for (i = 0; i < NR_COLS; i++)
		r->v[i] = NAN;
	r->v[COL_MAP] = d->ops[TOP_MAP] / secs;
	r->v[COL_UNMAP] = d->ops[TOP_UNMAP] / secs;
	r->v[COL_MIB] = d->bytes[TOP_MAP] / secs / (1 << 20);
	r->v[COL_MAP_P50] = pct_us(d->lat[TOP_MAP], 50);
	r->v[COL_MAP_P99] = pct_us(d->lat[TOP_MAP], 99);
	r->v[COL_UNMAP_P99] = pct_us(d->lat[TOP_UNMAP], 99);
	r->v[COL_FLUSH] = d->flushes / secs;
	r->v[COL_FLUSH_UNMAP] = d->ops[TOP_UNMAP] ? (double)d->flushes / d->ops[TOP_UNMAP] : NAN;
	r->v[COL_FAULT] = d->faults / secs;
	r->v[COL_FAULT_P99] = pct_us(d->fault_lat, 99);
	r->v[COL_INVAL] = d->invals / secs;
	r->active = false;
	for (i = 0; i < TOP_NR_OPS; i++)
		r->active |= d->ops[i] || d->errors[i];
	r->active |= d->flushes || d->flush_all || d->faults || d->faults_lost || d->invals ||
		     d->pinned || d->unpinned;
}

static bool row_shown(const struct row *r, const struct view *v)
{
	if (v->pid && r->key.tgid != (__u32)v->pid)
		return false;
	if (v->comm[0] && !strstr(r->comm, v->comm))
		return false;
	return v->all || r->active || r->storm;
}

static void storm_event(const struct row *r, const struct storm *s, bool begin)
{
	struct storm_event *e;

	if (frame.nevents == MAX_STORM_EVENTS)
		return;
	e = &frame.events[frame.nevents++];
	e->begin = begin;
	cli_clock(e->clock, sizeof(e->clock));
	e->key = r->key;
	e->as = r->as;
	memcpy(e->comm, r->comm, sizeof(e->comm));
	e->rate = begin ? s->rate : s->peak_rate;
	e->mean_range = s->mean_range;
	e->intervals = s->intervals;
}

static void on_storm_end(const void *key, const struct storm *s, enum storm_transition t,
			 void *arg)
{
	struct row *r = find_row(key);

	if (r) {
		r->storm = false;
		storm_event(r, s, false);
	}
}

static int read_devs(void)
{
	int fd = bpf_map__fd(obj->maps.devs), n = 0;
	struct top_dev_key k, next;
	static struct dev *devs;
	struct dev *d;
	char path[128];
	struct dirent *de;
	struct top_dev_key gone[64];
	int ngone = 0, i;
	DIR *dir;
	size_t l;
	bool first = true;

	if (!devs && !(devs = calloc(TOP_MAX_DEVS, sizeof(*devs))))
		return -ENOMEM;
	while (n < TOP_MAX_DEVS && !bpf_map_get_next_key(fd, first ? NULL : &k, &next)) {
		first = false;
		k = next;
		d = &devs[n];
		memset(d, 0, sizeof(*d));
		if (bpf_map_lookup_elem(fd, &k, &d->d))
			continue;
		/* detached a minute ago, its process gone: its context is gone too */
		if (!d->d.attached && d->d.tgid && cli_now() * 1e9 - d->d.last_ns > 60e9 &&
		    kill(d->d.tgid, 0) && errno == ESRCH) {
			if (ngone < (int)ARRAY_SIZE(gone))
				gone[ngone++] = k;
			continue;
		}
		d->key = k;
		n++;
		if (k.backend == TOP_TYPE1) {
			d->container = seen_number(&containers, d->d.container);
			/* the group's devices */
			snprintf(path, sizeof(path), "/sys/kernel/iommu_groups/%u/devices", k.id);
			dir = opendir(path);
			l = 0;
			while (dir && (de = readdir(dir)))
				if (de->d_name[0] != '.' && l < sizeof(d->name) - 1)
					l += snprintf(d->name + l, sizeof(d->name) - l, "%s%s",
						      l ? "," : "", de->d_name);
			if (dir)
				closedir(dir);
			if (!l)
				snprintf(d->name, sizeof(d->name), "group %u", k.id);
		} else {
			__u64 hk = (__u64)d->d.tgid << 32 | d->d.pt_id;	/* as the BPF side */
			__u32 ioas;

			snprintf(d->name, sizeof(d->name), "%s", d->d.name[0] ? d->d.name : "?");
			d->ctx = seen_number(&contexts, k.ctx);
			d->ioas = bpf_map_lookup_elem(bpf_map__fd(obj->maps.hwpt_ioas), &hk,
						      &ioas) ? 0 : ioas;
		}
	}
	for (i = 0; i < ngone; i++)
		bpf_map_delete_elem(fd, &gone[i]);
	bpftool_sweep_gone(bpf_map__fd(obj->maps.hwpt_ioas));	/* keyed tgid << 32 | id */
	frame.devs = devs;
	frame.ndevs = n;
	return 0;
}

static int collect(const struct view *v)
{
	int fd = bpf_map__fd(obj->maps.stats), i, n = 0;
	struct top_key k, *dead = NULL;
	const struct storm *st;
	enum storm_transition t;
	double now = cli_now(), secs = now - last_t, mean;
	static struct row **shown;
	static int shown_cap;
	__u64 *vals = other_vals;
	static struct { struct top_key key; struct top_stats val; } *ents;
	struct bpftool_rows ent_rows = {
		.stride = sizeof(*ents), .max = TOP_MAX_KEYS,
		.key_off = offsetof(typeof(*ents), key), .key_size = sizeof(ents->key),
		.val_off = offsetof(typeof(*ents), val), .val_size = sizeof(ents->val),
	};
	__u32 idx;
	int ndead = 0;

	if (secs <= 0)
		secs = 1e-9;
	last_t = now;
	frame.seconds = secs;
	frame.nevents = 0;
	cli_clock(frame.clock, sizeof(frame.clock));
	for (i = 0; i < nrows; i++)
		rows[i].alive = false;
	if (!ents && !(ents = calloc(TOP_MAX_KEYS, sizeof(*ents))))
		return -ENOMEM;
	ent_rows.base = ents;
	n = bpftool_read(fd, &ent_rows);
	if (n < 0)
		return n;
	for (i = 0; i < n; i++) {
		struct row *r = find_row(&ents[i].key);

		k = ents[i].key;
		if (!r)
			return -ENOMEM;
		r->alive = true;
		r->prev = r->cum;
		r->cum = ents[i].val;
		memcpy(r->comm, r->cum.comm, sizeof(r->comm));
		r->comm[TOP_COMM_LEN - 1] = 0;
		if (!r->as)
			r->as = k.backend == TOP_TYPE1 ? seen_number(&containers, k.as) : (unsigned int)k.as;
	}
	frame.map_s = frame.unmap_s = frame.copy_s = frame.mib_s = 0;
	frame.flush_s = frame.fault_s = frame.inval_s = 0;
	for (i = 0; i < nrows; i++) {
		struct row *r = &rows[i];

		if (!r->alive) {	/* deleted (reset) */
			memset(&r->d, 0, sizeof(r->d));
			memset(&r->cum, 0, sizeof(r->cum));
		} else {
			diff_stats(&r->cum, &r->prev, &r->d);
		}
		derive(r, secs);
		frame.map_s += r->v[COL_MAP];
		frame.unmap_s += r->v[COL_UNMAP];
		frame.copy_s += r->d.ops[TOP_COPY] / secs;
		frame.mib_s += r->v[COL_MIB];
		frame.flush_s += r->v[COL_FLUSH];
		frame.fault_s += r->v[COL_FAULT];
		frame.inval_s += r->v[COL_INVAL];
		if (mode == MODE_TP && r->d.flushes) {
			mean = r->d.flush_ranged ? (double)r->d.flush_bytes / r->d.flush_ranged : NAN;
			t = storm_table_step(storms, &r->key, r->v[COL_FLUSH], mean, &st);
			r->storm = st && st->active;
			/* a row still flushing, but below the thresholds, ends here */
			if (t != STORM_NONE)
				storm_event(r, st, t == STORM_BEGIN);
		}
		/* a process gone and quiet: drop its rows from the map too */
		if (r->alive && !r->active && kill(r->key.tgid, 0) && errno == ESRCH) {
			struct top_key *nd = realloc(dead, (ndead + 1) * sizeof(*dead));

			if (nd) {
				dead = nd;
				dead[ndead++] = r->key;
			}
		}
	}
	storm_table_end_interval(storms, on_storm_end, NULL);
	frame.storms = storm_table_active(storms);
	for (i = 0; i < ndead; i++)
		bpf_map_delete_elem(fd, &dead[i]);
	free(dead);
	/* rows that left the map and are idle: forget */
	for (i = 0, n = nrows; i < nrows;) {
		if ((!rows[i].alive || (ndead && !rows[i].active && kill(rows[i].key.tgid, 0) &&
					errno == ESRCH)) && !rows[i].storm) {
			rows[i] = rows[--nrows];
			continue;
		}
		i++;
	}
	if (nrows != n && reindex_rows())	/* rows moved: the index follows */
		return -ENOMEM;

	/* totals of what no row owns */
	frame.other_flush_s = 0;
	idx = TOP_OTHER_FLUSHES;
	if (!bpf_map_lookup_elem(bpf_map__fd(obj->maps.other), &idx, vals)) {
		uint64_t s = 0;

		for (i = 0; i < ncpus; i++)
			s += vals[i];
		frame.other_flush_s = (s - other_prev[idx]) / secs;
		other_prev[idx] = s;
	}
	idx = TOP_OTHER_DROPPED;
	if (!bpf_map_lookup_elem(bpf_map__fd(obj->maps.other), &idx, vals)) {
		frame.dropped = 0;
		for (i = 0; i < ncpus; i++)
			frame.dropped += vals[i];
	}

	if (shown_cap < nrows) {
		struct row **ns = realloc(shown, nrows * sizeof(*shown));

		if (!ns)
			return -ENOMEM;
		shown = ns;
		shown_cap = nrows;
	}
	frame.rows = shown;
	frame.nrows_all = nrows;
	frame_resort(&frame, v);
	return read_devs();
}

void frame_resort(struct frame *f, const struct view *v)
{
	int i;

	f->nrows = 0;
	for (i = 0; i < nrows; i++)
		if (row_shown(&rows[i], v))
			f->rows[f->nrows++] = &rows[i];
	f->delay = v->delay;
	sort_rows(f, v);
}

/* Forget everything: the maps' rows and devices, storms, numbering. */
static void reset_all(void)
{
	int fds[] = { bpf_map__fd(obj->maps.stats), bpf_map__fd(obj->maps.devs) };
	char key[64], next[64];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(fds); i++)
		while (!bpf_map_get_next_key(fds[i], NULL, next))
			if (bpf_map_delete_elem(fds[i], next))
				break;
	(void)key;
	nrows = 0;
	rowidx_clear(&row_index);
	storm_table_free(storms);
	storms = storm_table_new(&env.storm, sizeof(struct top_key));
	containers.n = 0;
	contexts.n = 0;
}

/* ---- batch text and JSON ---- */

static const char *unavailable_text(void)
{
	return "FLUSH/s FL/UNM FAULT/s FLTp99 INVAL/s, pages pinned, device view, storms";
}

static void print_header(FILE *o, const struct frame *f)
{
	fprintf(o, "ioasid-top - %s  kernel %s  mode %s  refresh %lds  interval %.2fs\n",
		f->clock, f->kernel, f->mode, f->delay, f->seconds);
	fprintf(o, "Total: %.0f map/s  %.0f unmap/s  %.1f MiB/s", f->map_s, f->unmap_s, f->mib_s);
	if (f->fallback)
		fprintf(o, "  rows %d\n", f->nrows_all);
	else
		fprintf(o, "  %.0f flush/s (+%.0f outside)  %.0f fault/s  %.0f inval/s  rows %d  "
			"storms %d\n", f->flush_s, f->other_flush_s, f->fault_s, f->inval_s,
			f->nrows_all, f->storms);
	if (f->fallback)
		fprintf(o, "FALLBACK: no iommufd/vfio_iommu_type1 events in this kernel%s; "
			"unavailable: %s\n", env.fallback ? " (forced by -F)" : "",
			unavailable_text());
	if (f->dropped)
		fprintf(o, "WARNING: %llu updates dropped: no row (more than %d, or no memory)\n",
			(unsigned long long)f->dropped, TOP_MAX_KEYS);
}

static void print_storm_lines(FILE *o, const struct frame *f)
{
	char sz[16], as[16];
	int i;

	for (i = 0; i < f->nevents; i++) {
		const struct storm_event *e = &f->events[i];
		struct row tmp = { .key = e->key, .as = e->as };

		if (e->begin)
			fprintf(o, "STORM BEGINS %s pid %u %s %s IOAS %s: %.0f flushes/s, mean "
				"range %s, %u intervals\n", e->clock, e->key.tgid, e->comm,
				backend_name(e->key.backend), as_str(&tmp, as, sizeof(as)), e->rate,
				isnan(e->mean_range) ? "-" :
				hist_size_str((uint64_t)e->mean_range, sz, sizeof(sz)), e->intervals);
		else
			fprintf(o, "STORM ENDS %s pid %u %s %s IOAS %s: peak %.0f flushes/s, "
				"%u intervals\n", e->clock, e->key.tgid, e->comm,
				backend_name(e->key.backend), as_str(&tmp, as, sizeof(as)), e->rate,
				e->intervals);
	}
}

static void print_batch(const struct frame *f, const struct view *v)
{
	char buf[32];
	int i, c;

	print_header(stdout, f);
	print_storm_lines(stdout, f);
	putchar('\n');
	printf(" ");
	for (c = 0; c < NR_COLS; c++)
		printf(cols[c].left ? "%-*s " : "%*s ", cols[c].width, cols[c].head);
	printf("\n");
	for (i = 0; i < f->nrows; i++) {
		const struct row *r = f->rows[i];

		putchar(r->storm ? '!' : ' ');
		for (c = 0; c < NR_COLS; c++)
			printf(cols[c].left ? "%-*.*s " : "%*.*s ", cols[c].width,
			       cols[c].width, cell(r, c, f->fallback, buf, sizeof(buf)));
		printf("\n");
	}
	if (!f->nrows)
		printf(" (no DMA map activity in this interval)\n");
	if (v->devices) {
		printf("\n");
		if (f->fallback) {
			printf(" device view: unavailable in fallback mode\n");
		} else {
			printf(" %-24s %-7s %6s %-18s %-8s %6s %6s %6s %7s %-15s %s\n", "DEVICE",
			       "BACKEND", "ID", "ATTACHED TO", "STATE", "ATTACH", "DETACH", "REPL",
			       "PID", "COMM", "LAST CHANGE");
			for (i = 0; i < f->ndevs; i++) {
				const struct dev *d = &f->devs[i];
				char to[32], ago[32];
				double age = (cli_now() * 1e9 - d->d.last_ns) / 1e9;

				if (d->key.backend == TOP_TYPE1)
					snprintf(to, sizeof(to), "container c%u", d->container);
				else if (d->ioas)
					snprintf(to, sizeof(to), "hwpt %u ioas %u", d->d.pt_id,
						 d->ioas);
				else
					snprintf(to, sizeof(to), "hwpt %u", d->d.pt_id);
				snprintf(ago, sizeof(ago), "%.0fs ago", age < 0 ? 0 : age);
				printf(" %-24.24s %-7s %6u %-18s %-8s %6u %6u %6u %7u %-15.15s %s\n",
				       d->name, backend_name(d->key.backend), d->key.id, to,
				       dev_state(d), d->d.attaches, d->d.detaches, d->d.replaces,
				       d->d.tgid, d->d.comm, ago);
			}
			if (!f->ndevs)
				printf(" (no attach or detach seen since start)\n");
		}
	}
	printf("\n");
	fflush(stdout);
}

static void json_num(struct json *j, const char *k, double v)
{
	if (isnan(v))
		json_null(j, k);
	else
		json_double(j, k, v);
}

static void print_json(const struct frame *f)
{
	struct timespec now;
	struct json j;
	char as[16];
	int i;

	clock_gettime(CLOCK_REALTIME, &now);
	json_init(&j, stdout);
	json_object_begin(&j, NULL);
	json_string(&j, "tool", "ioasid-top");
	json_double(&j, "time", now.tv_sec + now.tv_nsec / 1e9);
	json_double(&j, "seconds", f->seconds);
	json_string(&j, "kernel", f->kernel);
	json_string(&j, "mode", mode_json[mode]);
	json_bool(&j, "fallback", f->fallback);
	json_array_begin(&j, "unavailable");
	if (f->fallback) {
		const char *u[] = { "flush_per_s", "flush_per_unmap", "fault_per_s",
				    "fault_p99_us", "inval_per_s", "pinned", "unpinned",
				    "devices", "storms" };

		for (i = 0; i < (int)ARRAY_SIZE(u); i++)
			json_string(&j, NULL, u[i]);
	}
	json_array_end(&j);
	json_object_begin(&j, "totals");
	json_double(&j, "map_per_s", f->map_s);
	json_double(&j, "unmap_per_s", f->unmap_s);
	json_double(&j, "copy_per_s", f->copy_s);
	json_double(&j, "mib_per_s", f->mib_s);
	json_double(&j, "flush_per_s", f->flush_s);
	json_double(&j, "flush_outside_per_s", f->other_flush_s);
	json_double(&j, "fault_per_s", f->fault_s);
	json_double(&j, "inval_per_s", f->inval_s);
	json_uint(&j, "rows", f->nrows_all);
	json_uint(&j, "storms", f->storms);
	json_uint(&j, "dropped", f->dropped);
	json_object_end(&j);
	json_array_begin(&j, "rows");
	for (i = 0; i < f->nrows; i++) {
		const struct row *r = f->rows[i];
		const struct top_stats *d = &r->d;

		json_object_begin(&j, NULL);
		json_uint(&j, "pid", r->key.tgid);
		json_string(&j, "comm", r->comm);
		json_string(&j, "backend", backend_name(r->key.backend));
		if (r->key.backend == TOP_TYPE1)
			json_uint(&j, "container", r->as);
		else
			json_uint(&j, "ioas", r->as);
		json_string(&j, "as", as_str(r, as, sizeof(as)));
		json_uint(&j, "maps", d->ops[TOP_MAP]);
		json_uint(&j, "unmaps", d->ops[TOP_UNMAP]);
		json_uint(&j, "copies", d->ops[TOP_COPY]);
		json_uint(&j, "map_errors", d->errors[TOP_MAP]);
		json_uint(&j, "unmap_errors", d->errors[TOP_UNMAP]);
		json_uint(&j, "bytes_mapped", d->bytes[TOP_MAP]);
		json_double(&j, "map_per_s", r->v[COL_MAP]);
		json_double(&j, "unmap_per_s", r->v[COL_UNMAP]);
		json_double(&j, "mib_per_s", r->v[COL_MIB]);
		json_num(&j, "map_p50_us", r->v[COL_MAP_P50]);
		json_num(&j, "map_p99_us", r->v[COL_MAP_P99]);
		json_num(&j, "unmap_p99_us", r->v[COL_UNMAP_P99]);
		if (!f->fallback) {
			json_uint(&j, "pinned", d->pinned);
			json_uint(&j, "unpinned", d->unpinned);
			json_uint(&j, "flushes", d->flushes);
			json_uint(&j, "flush_all", d->flush_all);
			json_double(&j, "flush_per_s", r->v[COL_FLUSH]);
			json_num(&j, "flush_per_unmap", r->v[COL_FLUSH_UNMAP]);
			json_num(&j, "flush_mean_range", d->flush_ranged ?
				 (double)d->flush_bytes / d->flush_ranged : NAN);
			json_uint(&j, "faults", d->faults);
			json_uint(&j, "faults_lost", d->faults_lost);
			json_double(&j, "fault_per_s", r->v[COL_FAULT]);
			json_num(&j, "fault_p99_us", r->v[COL_FAULT_P99]);
			json_uint(&j, "invals", d->invals);
			json_double(&j, "inval_per_s", r->v[COL_INVAL]);
			json_bool(&j, "storm", r->storm);
		}
		json_object_end(&j);
	}
	json_array_end(&j);
	json_array_begin(&j, "storm_events");
	for (i = 0; i < f->nevents; i++) {
		const struct storm_event *e = &f->events[i];
		struct row tmp = { .key = e->key, .as = e->as };

		json_object_begin(&j, NULL);
		json_string(&j, "event", e->begin ? "begin" : "end");
		json_uint(&j, "pid", e->key.tgid);
		json_string(&j, "comm", e->comm);
		json_string(&j, "backend", backend_name(e->key.backend));
		json_string(&j, "as", as_str(&tmp, as, sizeof(as)));
		json_double(&j, e->begin ? "flush_per_s" : "peak_flush_per_s", e->rate);
		json_num(&j, "mean_range", e->mean_range);
		json_uint(&j, "intervals", e->intervals);
		json_object_end(&j);
	}
	json_array_end(&j);
	if (!f->fallback) {
		json_array_begin(&j, "devices");
		for (i = 0; i < f->ndevs; i++) {
			const struct dev *d = &f->devs[i];

			json_object_begin(&j, NULL);
			json_string(&j, "device", d->name);
			json_string(&j, "backend", backend_name(d->key.backend));
			json_uint(&j, d->key.backend == TOP_TYPE1 ? "group" : "dev_id", d->key.id);
			if (d->key.backend == TOP_TYPE1) {
				json_uint(&j, "container", d->container);
			} else {
				json_uint(&j, "ctx", d->ctx);
				json_uint(&j, "hwpt", d->d.pt_id);
				if (d->ioas)
					json_uint(&j, "ioas", d->ioas);
			}
			json_bool(&j, "attached", d->d.attached);
			json_uint(&j, "attaches", d->d.attaches);
			json_uint(&j, "detaches", d->d.detaches);
			json_uint(&j, "replaces", d->d.replaces);
			json_uint(&j, "failures", d->d.failures);
			json_uint(&j, "pid", d->d.tgid);
			json_string(&j, "comm", d->d.comm);
			json_double(&j, "last_change_ago", (cli_now() * 1e9 - d->d.last_ns) / 1e9);
			json_object_end(&j);
		}
		json_array_end(&j);
	}
	json_object_end(&j);
}

/* ---- main ---- */

static volatile int stop;

static void on_signal(int sig)
{
	stop = sig;
}

int main(int argc, char **argv)
{
	struct prog_desc progs[40];
	struct sigaction sa = { .sa_handler = on_signal };
	struct utsname un;
	bool screen = false, not_tty = false;
	sigset_t set;
	size_t nprogs;
	char why[256];
	long done = 0;
	int err;

	cli_name = "ioasid-top";
	err = parse_args(argc, argv);
	if (err)
		return err > 0 ? 0 : 2;
	if (!env.batch) {
		if (!isatty(STDOUT_FILENO) || !isatty(STDIN_FILENO)) {
			/* said once it runs: a failure stays one message */
			not_tty = true;
			env.batch = true;
		} else {
			screen = true;
		}
	}

	libbpf_set_print(cli_libbpf_print);
	err = probe_bpf(why, sizeof(why));
	if (err) {
		fprintf(stderr, "ioasid-top: %s\n", why);
		return 1;
	}
	cli_block_signals(&set);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	obj = ioasid_top_bpf__open();
	if (!obj) {
		err = -errno;
		fprintf(stderr, "ioasid-top: failed to open BPF object: %s\n", strerror(errno));
		goto cleanup;
	}
	nprogs = prog_table(obj, progs);
	mode = choose_mode(progs, nprogs);
	if (mode < 0) {
		fprintf(stderr, "ioasid-top: nothing to attach to: this kernel has neither the "
			"iommufd/vfio_iommu_type1 events (BTF) nor syscalls:sys_enter_ioctl or "
			"raw_syscalls:sys_enter (tracefs at %s)\n", tracefs_root());
		err = -ENOENT;
		goto cleanup;
	}
	select_progs(progs, nprogs, mode);
	configure_ioctls(obj);
	err = ioasid_top_bpf__load(obj);
	if (err) {
		fprintf(stderr, "ioasid-top: failed to load BPF object: %s\n", strerror(-err));
		goto cleanup;
	}
	err = ioasid_top_bpf__attach(obj);
	if (err) {
		fprintf(stderr, "ioasid-top: failed to attach BPF programs: %s\n", strerror(-err));
		goto cleanup;
	}
	ncpus = libbpf_num_possible_cpus();
	other_vals = calloc(ncpus, sizeof(*other_vals));
	storms = storm_table_new(&env.storm, sizeof(struct top_key));
	if (!other_vals || !storms) {
		err = -ENOMEM;
		fprintf(stderr, "ioasid-top: out of memory (%d CPUs)\n", ncpus);
		goto cleanup;
	}
	uname(&un);
	snprintf(frame.kernel, sizeof(frame.kernel), "%s", un.release);
	frame.mode = mode_names[mode];
	frame.fallback = mode != MODE_TP;

	if (screen && screen_init()) {
		fprintf(stderr, "ioasid-top: cannot start the screen (TERM=%s): printing text "
			"frames as with -b\n", getenv("TERM") ? getenv("TERM") : "");
		screen = false;
		env.batch = true;
	}
	/* what runs, on stderr so -j and -b stay parseable */
	if (not_tty)
		fprintf(stderr, "ioasid-top: not a terminal: printing text frames as with -b\n");
	if (!screen) {
		fprintf(stderr, "Tracing DMA map activity, mode %s. Ctrl-C to end.\n",
			mode_names[mode]);
		if (mode != MODE_TP)
			fprintf(stderr, "FALLBACK: no iommufd/vfio_iommu_type1 events%s; "
				"unavailable: %s\n", env.fallback ? " (forced by -F)" : "",
				unavailable_text());
		else if (missing_tps[0])
			fprintf(stderr, "missing tracepoints (their columns stay 0): %s\n",
				missing_tps);
	}
	last_t = cli_now();
	if (screen) {
		/* the first frame at once, empty; then every delay */
		collect(&env.view);
		for (;;) {
			int r = screen_run(&frame, &env.view, &stop);

			if (r == 0 || stop)
				break;
			if (r == 2)
				reset_all();
			err = collect(&env.view);
			if (err)
				break;
		}
		screen_end();
	} else {
		for (;;) {
			bool sig = cli_wait(&set, env.delay) || stop;

			err = collect(&env.view);
			if (err) {
				fprintf(stderr, "ioasid-top: failed to read the maps: %s\n",
					strerror(-err));
				break;
			}
			if (env.json)
				print_json(&frame);
			else
				print_batch(&frame, &env.view);
			if (sig || (env.count > 0 && ++done >= env.count))
				break;
		}
	}

cleanup:
	ioasid_top_bpf__destroy(obj);
	storm_table_free(storms);
	probe_free();
	free(other_vals);
	free(rows);
	rowidx_free(&row_index);
	free(usage_buf);
	return err ? 1 : 0;
}
