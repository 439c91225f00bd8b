// SPDX-License-Identifier: GPL-2.0
/*
 * faultbench: the I/O page request round trip through iommufd, on the
 * selftest mock (CONFIG_IOMMUFD_TEST): a mock device on a fault-capable
 * nested HWPT, page requests triggered with IOMMU_TEST_OP_TRIGGER_IOPF
 * by one thread, a responder thread that waits on the fault fd (poll),
 * reads the fault records and writes a response per cookie.
 *
 * Per fault: from just before the trigger ioctl to the return of the
 * write() that answered it (the response has then reached the driver's
 * page_response()), measured in user space, CLOCK_MONOTONIC.  For 1 and
 * several faults outstanding at once (the trigger thread keeps that many
 * unanswered); throughput is measured faults over the time from the first
 * measured trigger to the last measured response, and the same per round
 * (the measured faults split into R consecutive rounds) for its spread.
 *
 * The mock has no device and no PRQ hardware: this is the software path
 * (iommu core, iommufd fault queue, fault fd) and nothing below it.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "benchstat.h"
#include "cli.h"
#include "json.h"
#include "mockiopf.h"

#define MAX_CASES 16
#define MAX_OUTSTANDING 64
#define MAX_FAULTS 10000000L

static const char usage_text[] =
"usage: faultbench [-h] [-j] [-n N] [-w W] [-r R] [-o LIST] [--platform NAME]\n"
"\n"
"I/O page request round trip on the iommufd selftest mock: trigger ->\n"
"fault fd read by a responder thread -> response written, per fault, for\n"
"1 and several faults outstanding; median, p99, min, CV and throughput\n"
"(per round: median and range over R rounds).\n"
"Needs root, /dev/iommu and CONFIG_IOMMUFD_TEST, and no active IOMMU\n"
"driver on 6.12 (testbed/run -i none).\n"
"\n"
"  -h, --help           this help\n"
"  -j, --json           one JSON document instead of the table\n"
"  -n, --count N        measured faults per case (default 2000)\n"
"  -w, --warmup W       faults before those, not measured (default 200)\n"
"  -r, --rounds R       throughput rounds: the measured faults in R\n"
"                       consecutive parts, 1..N (default 10, N if smaller)\n"
"  -o, --outstanding L  faults outstanding at once, a comma-separated list,\n"
"                       each 1..64 (default 1,4,16)\n"
"      --platform NAME  the platform for the environment block (default:\n"
"                       detected, e.g. \"QEMU TCG\")\n"
"\n"
"examples:\n"
"  faultbench                    # 1, 4, 16 outstanding, 2000 faults each\n"
"  faultbench -n 200 -w 20 -o 1  # a quick look\n"
"  faultbench -j > fault.json\n";

static const struct option long_opts[] = {
	CLI_BENCH_LONG_OPTS,
	{ "rounds", required_argument, NULL, 'r' },
	{ "outstanding", required_argument, NULL, 'o' },
	{},
};

static struct {
	struct cli_bench b;	/* -j, -n, -w, --platform */
	long rounds;		/* 0 until -r, then min(10, n) */
	long outstanding[MAX_CASES];
	int ncases;
} opt = {
	.b = { .n = 2000, .warm = 200, .max = MAX_FAULTS },
	.outstanding = { 1, 4, 16 }, .ncases = 3,
};

/* One case in flight: the trigger thread and the responder share this. */
struct run {
	struct mockiopf *m;
	long total;			/* warm-up + measured */
	long k;				/* outstanding at most */
	uint64_t *t_trig;		/* per grpid */
	double *lat;			/* per grpid, ns */
	uint64_t t_last;		/* last response written */
	atomic_long answered;
	atomic_bool stop;
	int err;			/* responder's -errno */
	pthread_mutex_t lock;
	pthread_cond_t cond;
};

static void *responder(void *arg)
{
	struct iommu_hwpt_pgfault pgf[MAX_OUTSTANDING];
	struct run *r = arg;
	uint64_t now;
	int n, i, err;

	while (atomic_load(&r->answered) < r->total && !atomic_load(&r->stop)) {
		n = mockiopf_read(r->m, pgf, MAX_OUTSTANDING, 100);
		if (n < 0) {
			r->err = n;
			break;
		}
		if (!n)
			continue;
		err = mockiopf_respond(r->m, pgf, n, IOMMUFD_PAGE_RESP_SUCCESS);
		now = bstat_now_ns();
		if (err) {
			r->err = err;
			break;
		}
		for (i = 0; i < n; i++) {
			uint32_t g = pgf[i].grpid;

			if (g < r->total)
				r->lat[g] = now - __atomic_load_n(&r->t_trig[g], __ATOMIC_ACQUIRE);
		}
		r->t_last = now;
		pthread_mutex_lock(&r->lock);
		atomic_fetch_add(&r->answered, n);
		pthread_cond_signal(&r->cond);
		pthread_mutex_unlock(&r->lock);
	}
	pthread_mutex_lock(&r->lock);
	atomic_store(&r->stop, true);
	pthread_cond_signal(&r->cond);
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

struct result {
	long k;
	struct bstat s;		/* us */
	double throughput;	/* faults/s */
	struct bstat rounds;	/* faults/s per round */
};

/*
 * Throughput per round: round i holds the measured faults [a, b) and
 * ends at the last response so far (a response is the trigger time plus
 * the latency); its time runs from the previous round's end (the first
 * measured trigger for round 0), so the rounds add up to the whole run
 * with k faults in flight across their borders.  0 or -ENOMEM.
 */
static int round_rates(const struct run *r, uint64_t t_first, struct bstat *s)
{
	double *rate = calloc(opt.rounds, sizeof(*rate));
	uint64_t prev = t_first, end = t_first;
	long i, g;

	if (!rate)
		return -ENOMEM;
	for (i = 0; i < opt.rounds; i++) {
		long a = opt.b.warm + opt.b.n * i / opt.rounds;
		long b = opt.b.warm + opt.b.n * (i + 1) / opt.rounds;

		for (g = a; g < b; g++)
			if (r->t_trig[g] + (uint64_t)r->lat[g] > end)
				end = r->t_trig[g] + (uint64_t)r->lat[g];
		rate[i] = end > prev ? (b - a) / ((end - prev) / 1e9) : 0;
		prev = end;
	}
	*s = bstat_of(rate, opt.rounds);
	free(rate);
	return 0;
}

/* Trigger every fault, keeping at most r->k unanswered: 0 or -errno. */
static int trigger_all(struct run *r, uint64_t *t_first)
{
	long i;
	int err;

	for (i = 0; i < r->total; i++) {
		pthread_mutex_lock(&r->lock);
		while (i - atomic_load(&r->answered) >= r->k && !atomic_load(&r->stop))
			pthread_cond_wait(&r->cond, &r->lock);
		pthread_mutex_unlock(&r->lock);
		if (atomic_load(&r->stop))
			return 0;
		__atomic_store_n(&r->t_trig[i], bstat_now_ns(), __ATOMIC_RELEASE);
		if (i == opt.b.warm)
			*t_first = r->t_trig[i];
		err = mockiopf_trigger(r->m, 1, i, 0x100000ULL);
		if (err) {
			fprintf(stderr, "faultbench: failed to trigger a fault: %s\n",
				strerror(-err));
			return err;
		}
	}
	return 0;
}

/* One case: @k outstanding.  0 or -errno with a message printed. */
static int run_case(struct mockiopf *m, long k, struct result *res)
{
	struct run r = { .m = m, .k = k, .total = opt.b.warm + opt.b.n };
	uint64_t t_first = 0;
	pthread_t th;
	long i;
	int err = 0;

	r.t_trig = calloc(r.total, sizeof(*r.t_trig));
	r.lat = calloc(r.total, sizeof(*r.lat));
	if (!r.t_trig || !r.lat) {
		fprintf(stderr, "faultbench: failed to allocate %ld samples: %s\n", r.total,
			strerror(ENOMEM));
		err = -ENOMEM;
		goto out;
	}
	pthread_mutex_init(&r.lock, NULL);
	pthread_cond_init(&r.cond, NULL);
	err = -pthread_create(&th, NULL, responder, &r);
	if (err) {
		fprintf(stderr, "faultbench: failed to start the responder: %s\n", strerror(-err));
		goto out;
	}
	err = trigger_all(&r, &t_first);
	if (err)
		atomic_store(&r.stop, true);
	pthread_join(th, NULL);
	if (!err && r.err) {
		err = r.err;
		fprintf(stderr, "faultbench: responder failed: %s\n", strerror(-err));
	}
	if (!err && atomic_load(&r.answered) < r.total) {
		err = -ETIMEDOUT;
		fprintf(stderr, "faultbench: %ld of %ld faults answered\n",
			(long)atomic_load(&r.answered), r.total);
	}
	if (!err) {
		err = round_rates(&r, t_first, &res->rounds);
		if (err)
			fprintf(stderr, "faultbench: failed to allocate %ld rounds: %s\n",
				opt.rounds, strerror(-err));
	}
	if (err)
		goto out;
	for (i = opt.b.warm; i < r.total; i++)
		r.lat[i] /= 1000.0;
	res->k = k;
	res->s = bstat_of(r.lat + opt.b.warm, opt.b.n);
	res->throughput = r.t_last > t_first ? opt.b.n / ((r.t_last - t_first) / 1e9) : 0;
out:
	free(r.t_trig);
	free(r.lat);
	return err;
}

static int parse_args(int argc, char **argv)
{
	int o;

	while ((o = getopt_long(argc, argv, ":hjn:w:r:o:", long_opts, NULL)) != -1) {
		switch (cli_bench_opt(o, usage_text, argv, &opt.b)) {
		case 1:
			return 1;
		case -1:
			return -1;
		case 0:
			continue;
		}
		switch (o) {
		case 'r':
			if (cli_bounded_long(usage_text, "rounds", optarg, 1, MAX_FAULTS, &opt.rounds))
				return -1;
			break;
		case 'o':
			opt.ncases = cli_parse_list(optarg, 1, MAX_OUTSTANDING, opt.outstanding,
						MAX_CASES);
			if (opt.ncases < 0) {
				cli_usage_error(usage_text, "invalid outstanding list '%s' (each "
						"1..%d, at most %d)", optarg, MAX_OUTSTANDING,
						MAX_CASES);
				return -1;
			}
			break;
		}
	}
	if (optind < argc) {
		cli_usage_error(usage_text, "unexpected argument '%s'", argv[optind]);
		return -1;
	}
	if (opt.rounds > opt.b.n) {
		cli_usage_error(usage_text, "%ld rounds of %ld faults: at most one round per fault",
				opt.rounds, opt.b.n);
		return -1;
	}
	if (!opt.rounds)
		opt.rounds = opt.b.n < 10 ? opt.b.n : 10;
	return 0;
}

static void print_json(const struct result *res, int n)
{
	struct json j;
	int i;

	json_init(&j, stdout);
	json_object_begin(&j, NULL);
	json_string(&j, "bench", "faultbench");
	bstat_env_json(&j, opt.b.platform);
	json_string(&j, "source", "iommufd selftest mock (IOMMU_TEST_OP_TRIGGER_IOPF)");
	json_string(&j, "latency", "trigger ioctl entry -> response write() returned, per fault");
	json_string(&j, "unit", "us");
	json_uint(&j, "warmup", opt.b.warm);
	json_array_begin(&j, "cases");
	for (i = 0; i < n; i++) {
		json_object_begin(&j, NULL);
		json_uint(&j, "outstanding", res[i].k);
		bstat_json(&j, &res[i].s);
		json_double(&j, "throughput", res[i].throughput);
		json_object_begin(&j, "throughput_rounds");
		bstat_json(&j, &res[i].rounds);
		json_object_end(&j);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_object_end(&j);
}

static void print_table(const struct result *res, int n)
{
	int i;

	printf("faultbench: I/O page request round trip, iommufd selftest mock\n");
	bstat_env_print(stdout, opt.b.platform);
	printf("latency per fault: trigger -> response written (us); %ld warm-up\n", opt.b.warm);
	printf("faults/s: all measured faults, and per round (%ld rounds): median [min..max]\n",
	       opt.rounds);
	printf("%11s %8s %9s %9s %9s %6s %10s %24s\n", "outstanding", "N", "median", "p99", "min",
	       "CV", "faults/s", "per round");
	for (i = 0; i < n; i++)
		printf("%11ld %8zu %9.1f %9.1f %9.1f %6.2f %10.0f %8.0f [%.0f..%.0f]\n", res[i].k,
		       res[i].s.n, res[i].s.median, res[i].s.p99, res[i].s.min, res[i].s.cv,
		       res[i].throughput, res[i].rounds.median, res[i].rounds.min,
		       res[i].rounds.max);
}

int main(int argc, char **argv)
{
	struct result res[MAX_CASES];
	struct mockiopf m = { .fd = -1, .fault_fd = -1 };
	char why[256];
	int err, i;

	cli_name = "faultbench";
	err = parse_args(argc, argv);
	if (err)
		return err > 0 ? 0 : 2;
	if (geteuid()) {
		fprintf(stderr, "faultbench: needs root (the iommufd selftest mock)\n");
		return 1;
	}
	if (mockiopf_open(&m, why, sizeof(why)) || mockiopf_nested(&m, true, why, sizeof(why))) {
		fprintf(stderr, "faultbench: %s\n", why);
		mockiopf_close(&m);
		return 1;
	}
	for (i = 0; i < opt.ncases; i++) {
		err = run_case(&m, opt.outstanding[i], &res[i]);
		if (err)
			break;
	}
	/* closing answers whatever a failed case left pending, frees the rest */
	mockiopf_close(&m);
	if (err)
		return 1;
	if (opt.b.json)
		print_json(res, opt.ncases);
	else
		print_table(res, opt.ncases);
	return 0;
}
