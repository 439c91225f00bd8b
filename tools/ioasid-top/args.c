// SPDX-License-Identifier: GPL-2.0
/* ioasid-top: the command line (its usage lists the model's columns and keys). */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "top.h"

static const struct options defaults = {
	.delay = 2,
	.count = -1,
	.view = { .sort = COL_UNMAP, .delay = 2 },
	.storm = STORM_PARAMS_DEFAULT,
};

static const char usage_text[] =
"usage: ioasid-top [-h] [-v] [-b] [-j] [-1] [-n COUNT] [-d SEC] [-p PID]\n"
"                  [--comm COMM] [-s KEY] [--reverse] [-a] [-D] [-F] [--storm-rate R]\n"
"                  [--storm-range BYTES] [--storm-intervals K] [--prometheus PATH]\n"
"                  [delay [count]]\n"
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
"                       dirty dirty-pct access\n"
"      --reverse        ascending\n"
"  -a, --all            show idle rows too\n"
"  -D, --devices        start in the device view (batch: print it too)\n"
"  -F, --fallback       use the ioctl syscall tracepoints even if the\n"
"                       series' events exist\n"
"      --storm-rate R   flush storm: at least R IOTLB syncs/s (default 1000)\n"
"      --storm-range B  ... of mean range at most B bytes (default 65536)\n"
"      --storm-intervals K  ... for K refreshes in a row (default 3); it\n"
"                       ends after K refreshes without\n"
"      --prometheus PATH  write the counters and latency histograms since\n"
"                       start to PATH each refresh, in the Prometheus text\n"
"                       format (node_exporter's textfile collector), every\n"
"                       process whatever -p or --comm; no frames on stdout\n"
"                       unless -b or -j; PATH is removed at exit\n"
"\n"
"Screen keys:\n"
"%s"
"\n"
"Columns (FLUSH/s to ACC/s need the series' events; '-' in fallback):\n"
"%s"
"\n"
"examples:\n"
"  ioasid-top                  # the screen, refresh every 2 s\n"
"  ioasid-top -b -n 5 -d 1     # five text frames, one per second\n"
"  ioasid-top -1 -D            # one frame with the device view\n"
"  ioasid-top -j -d 1 > t.json # JSON lines for scripts\n"
"  ioasid-top -s flush --comm qemu  # QEMU processes by IOTLB flush rate\n"
"  ioasid-top -d 15 --prometheus /var/lib/prometheus/node-exporter/ioasid.prom\n";

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

/* the long options without a short one */
enum {
	OPT_STORM_RATE = 1, OPT_STORM_RANGE, OPT_STORM_INTERVALS, OPT_COMM, OPT_REVERSE,
	OPT_PROM,
};

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
	{ "comm", required_argument, NULL, OPT_COMM },
	{ "sort", required_argument, NULL, 's' },
	{ "reverse", no_argument, NULL, OPT_REVERSE },
	{ "all", no_argument, NULL, 'a' },
	{ "devices", no_argument, NULL, 'D' },
	{ "fallback", no_argument, NULL, 'F' },
	{ "storm-rate", required_argument, NULL, OPT_STORM_RATE },
	{ "storm-range", required_argument, NULL, OPT_STORM_RANGE },
	{ "storm-intervals", required_argument, NULL, OPT_STORM_INTERVALS },
	{ "prometheus", required_argument, NULL, OPT_PROM },
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

/* A flag into @o: 0, or 1 if @opt is not one. */
static int flag_opt(struct options *o, int opt)
{
	switch (opt) {
	case 'v':
		cli_verbose = true;
		return 0;
	case 'b':
		o->batch = true;
		return 0;
	case 'j':
		o->json = o->batch = true;
		return 0;
	case '1':
		o->once = o->batch = true;
		o->count = 1;
		return 0;
	case OPT_REVERSE:
		o->view.reverse = true;
		return 0;
	case 'a':
		o->view.all = true;
		return 0;
	case 'D':
		o->view.devices = true;
		return 0;
	case 'F':
		o->fallback = true;
		return 0;
	}
	return 1;
}

/* An option's value @arg into @o: 0, -1 after a usage error, or 1 if @opt takes none. */
static int value_opt(struct options *o, int opt, const char *arg, bool *have_delay)
{
	long v;

	switch (opt) {
	case 'n':
		if (cli_parse_long(arg, 1, &o->count)) {
			cli_usage_error(usage(), "invalid iteration count '%s'", arg);
			return -1;
		}
		return 0;
	case 'd':
	case 'i':
		if (cli_parse_long(arg, DELAY_MIN, &o->delay) || o->delay > DELAY_MAX) {
			cli_usage_error(usage(), "invalid delay '%s' (%d to %d seconds)", arg,
					DELAY_MIN, DELAY_MAX);
			return -1;
		}
		*have_delay = true;
		return 0;
	case 'p':
		if (cli_parse_long(arg, 1, &v) || v > INT_MAX) {
			cli_usage_error(usage(), "invalid PID '%s'", arg);
			return -1;
		}
		o->view.pid = v;
		return 0;
	case OPT_COMM:
		snprintf(o->view.comm, sizeof(o->view.comm), "%s", arg);
		return 0;
	case OPT_PROM:
		if (!arg[0]) {
			cli_usage_error(usage(), "--prometheus needs a file name");
			return -1;
		}
		o->prom = arg;
		return 0;
	case 's':
		o->view.sort = sort_key(arg);
		if (o->view.sort < 0) {
			cli_usage_error(usage(), "unknown sort key '%s'", arg);
			return -1;
		}
		return 0;
	case OPT_STORM_RATE:
	case OPT_STORM_RANGE:
		if (parse_double(arg, opt == OPT_STORM_RATE ? &o->storm.min_rate :
				 &o->storm.max_range)) {
			cli_usage_error(usage(), "invalid number '%s'", arg);
			return -1;
		}
		return 0;
	case OPT_STORM_INTERVALS:
		if (cli_parse_long(arg, 1, &v) || v > 1000) {
			cli_usage_error(usage(), "invalid storm intervals '%s'", arg);
			return -1;
		}
		o->storm.sustain = o->storm.quiet = v;
		return 0;
	}
	return 1;
}

/* After the options: the storm thresholds, "delay [count]". */
static int check_args(int argc, char **argv, struct options *o, bool have_delay)
{
	char why[128];
	long v;

	if (storm_params_check(&o->storm, why, sizeof(why))) {
		cli_usage_error(usage(), "%s", why);
		return -1;
	}
	v = o->count;
	if (cli_interval_count(argc, argv, optind, have_delay, &o->delay, &v, usage()))
		return -1;
	if (o->delay > DELAY_MAX) {
		cli_usage_error(usage(), "invalid delay '%ld' (%d to %d seconds)", o->delay,
				DELAY_MIN, DELAY_MAX);
		return -1;
	}
	if (o->prom && (o->once || v > 0)) {
		cli_usage_error(usage(), "--prometheus runs until stopped (its file is removed "
				"at exit): not with -1 or a count");
		return -1;
	}
	if (v != o->count && o->once && v != 1) {
		cli_usage_error(usage(), "-1 and a count of %ld", v);
		return -1;
	}
	o->count = v;
	o->view.delay = o->delay;
	return 0;
}

static int parse(int argc, char **argv, struct options *o)
{
	bool have_delay = false;
	int opt, err;

	*o = defaults;
	opterr = 0;	/* cli_option_error(): "ioasid-top: ...", the synopsis */
	while ((opt = getopt_long(argc, argv, ":hvbj1n:d:i:p:s:aDF", long_opts, NULL)) != -1) {
		if (opt == 'h') {
			fputs(usage(), stdout);
			return 1;
		}
		if (!flag_opt(o, opt))
			continue;
		err = value_opt(o, opt, optarg, &have_delay);
		if (err > 0)
			cli_option_error(usage(), opt, argv);
		if (err)
			return -1;
	}
	return check_args(argc, argv, o, have_delay);
}

int parse_args(int argc, char **argv, struct options *o)
{
	int err = parse(argc, argv, o);

	free(usage_buf);	/* only the options need it */
	usage_buf = NULL;
	return err;
}
