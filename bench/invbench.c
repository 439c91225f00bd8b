// SPDX-License-Identifier: GPL-2.0
/*
 * invbench: IOMMU_HWPT_INVALIDATE latency against the number of entries
 * per call, on a nested HWPT of the iommufd selftest mock
 * (IOMMU_HWPT_DATA_SELFTEST nested on a nest parent, entries of type
 * IOMMU_HWPT_INVALIDATE_DATA_SELFTEST, each clearing one of the mock's
 * four IOTLB slots).  Per call: the ioctl, timed in user space
 * (CLOCK_MONOTONIC); per entry: that divided by the entries.
 *
 * The mock's invalidation is a store per entry: what this measures is
 * the iommufd path (ioctl, copying the entries one by one from user space,
 * the driver's loop), not a hardware IOTLB.
 */
#include <errno.h>
#include <getopt.h>
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
#define MAX_ENTRIES (1L << 19)	/* the kernel's bound per call */
#define MAX_CALLS 10000000L

static const char usage_text[] =
"usage: invbench [-h] [-j] [-n N] [-w W] [-e LIST] [--platform NAME]\n"
"\n"
"IOMMU_HWPT_INVALIDATE latency against the entries per call, on a nested\n"
"HWPT of the iommufd selftest mock: median, p99, min, CV per call and per\n"
"entry.  Needs root, /dev/iommu and CONFIG_IOMMUFD_TEST, and no active\n"
"IOMMU driver on 6.12 (testbed/run -i none).\n"
"\n"
"  -h, --help           this help\n"
"  -j, --json           one JSON document instead of the table\n"
"  -n, --count N        measured calls per case (default 2000)\n"
"  -w, --warmup W       calls before those, not measured (default 100)\n"
"  -e, --entries LIST   entries per call, a comma-separated list, each\n"
"                       1..524288 (default 1,8,64,512,4096)\n"
"      --platform NAME  the platform for the environment block (default:\n"
"                       detected, e.g. \"QEMU TCG\")\n"
"\n"
"examples:\n"
"  invbench                      # 1 to 4096 entries, 2000 calls each\n"
"  invbench -e 1,64 -n 200       # a quick look\n"
"  invbench -j > inv.json\n";

static const struct option long_opts[] = {
	CLI_BENCH_LONG_OPTS,
	{ "entries", required_argument, NULL, 'e' },
	{},
};

static struct {
	struct cli_bench b;	/* -j, -n, -w, --platform */
	long entries[MAX_CASES];
	int ncases;
} opt = {
	.b = { .n = 2000, .warm = 100, .max = MAX_CALLS },
	.entries = { 1, 8, 64, 512, 4096 }, .ncases = 5,
};

struct result {
	long entries;
	struct bstat call;	/* us per call */
	struct bstat entry;	/* ns per entry */
};

static int run_case(struct mockiopf *m, long entries, struct result *res)
{
	struct iommu_hwpt_invalidate_selftest *e;
	long total = opt.b.warm + opt.b.n, i;
	double *lat, *per;
	uint64_t t0, t1;
	__u32 num;
	int err = 0;

	e = calloc(entries, sizeof(*e));
	lat = calloc(opt.b.n, sizeof(*lat));
	per = calloc(opt.b.n, sizeof(*per));
	if (!e || !lat || !per) {
		fprintf(stderr, "invbench: failed to allocate %ld entries, %ld samples: %s\n",
			entries, opt.b.n, strerror(ENOMEM));
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < entries; i++)
		e[i].iotlb_id = i % MOCK_NESTED_DOMAIN_IOTLB_NUM;
	for (i = 0; i < total; i++) {
		num = entries;
		t0 = bstat_now_ns();
		err = mockiopf_invalidate(m, e, &num);
		t1 = bstat_now_ns();
		if (err || num != entries) {
			fprintf(stderr, "invbench: IOMMU_HWPT_INVALIDATE of %ld entries: %s, %u "
				"done\n", entries, err ? strerror(-err) : "short", num);
			err = err ?: -EIO;
			goto out;
		}
		if (i >= opt.b.warm) {
			lat[i - opt.b.warm] = (t1 - t0) / 1000.0;
			per[i - opt.b.warm] = (double)(t1 - t0) / entries;
		}
	}
	res->entries = entries;
	res->call = bstat_of(lat, opt.b.n);
	res->entry = bstat_of(per, opt.b.n);
out:
	free(e);
	free(lat);
	free(per);
	return err;
}

static int parse_args(int argc, char **argv)
{
	int o;

	while ((o = getopt_long(argc, argv, ":hjn:w:e:", long_opts, NULL)) != -1) {
		switch (cli_bench_opt(o, usage_text, argv, &opt.b)) {
		case 1:
			return 1;
		case -1:
			return -1;
		case 0:
			continue;
		}
		switch (o) {
		case 'e':
			opt.ncases = cli_parse_list(optarg, 1, MAX_ENTRIES, opt.entries, MAX_CASES);
			if (opt.ncases < 0) {
				cli_usage_error(usage_text, "invalid entries list '%s' (each 1..%ld, "
						"at most %d)", optarg, MAX_ENTRIES, MAX_CASES);
				return -1;
			}
			break;
		}
	}
	if (optind < argc) {
		cli_usage_error(usage_text, "unexpected argument '%s'", argv[optind]);
		return -1;
	}
	return 0;
}

static void print_json(const struct result *res, int n)
{
	struct json j;
	int i;

	json_init(&j, stdout);
	json_object_begin(&j, NULL);
	json_string(&j, "bench", "invbench");
	bstat_env_json(&j, opt.b.platform);
	json_string(&j, "source", "iommufd selftest mock, nested HWPT (IOMMU_HWPT_DATA_SELFTEST)");
	json_string(&j, "latency", "IOMMU_HWPT_INVALIDATE ioctl, per call");
	json_string(&j, "unit", "us");
	json_uint(&j, "warmup", opt.b.warm);
	json_array_begin(&j, "cases");
	for (i = 0; i < n; i++) {
		json_object_begin(&j, NULL);
		json_uint(&j, "entries", res[i].entries);
		bstat_json(&j, &res[i].call);
		json_object_begin(&j, "per_entry_ns");
		bstat_json(&j, &res[i].entry);
		json_object_end(&j);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_object_end(&j);
}

static void print_table(const struct result *res, int n)
{
	int i;

	printf("invbench: IOMMU_HWPT_INVALIDATE, iommufd selftest mock nested HWPT\n");
	bstat_env_print(stdout, opt.b.platform);
	printf("latency per call (us), per entry (ns, median); %ld warm-up calls\n", opt.b.warm);
	printf("%8s %8s %10s %10s %10s %6s %10s\n", "entries", "N", "median", "p99", "min", "CV",
	       "ns/entry");
	for (i = 0; i < n; i++)
		printf("%8ld %8zu %10.1f %10.1f %10.1f %6.2f %10.1f\n", res[i].entries,
		       res[i].call.n, res[i].call.median, res[i].call.p99, res[i].call.min,
		       res[i].call.cv, res[i].entry.median);
}

int main(int argc, char **argv)
{
	struct result res[MAX_CASES];
	struct mockiopf m = { .fd = -1, .fault_fd = -1 };
	char why[256];
	int err = 0, i;

	cli_name = "invbench";
	err = parse_args(argc, argv);
	if (err)
		return err > 0 ? 0 : 2;
	if (geteuid()) {
		fprintf(stderr, "invbench: needs root (the iommufd selftest mock)\n");
		return 1;
	}
	if (mockiopf_open(&m, why, sizeof(why)) || mockiopf_nested(&m, false, why, sizeof(why))) {
		fprintf(stderr, "invbench: %s\n", why);
		mockiopf_close(&m);
		return 1;
	}
	for (i = 0; i < opt.ncases; i++) {
		err = run_case(&m, opt.entries[i], &res[i]);
		if (err)
			break;
	}
	mockiopf_close(&m);
	if (err)
		return 1;
	if (opt.b.json)
		print_json(res, opt.ncases);
	else
		print_table(res, opt.ncases);
	return 0;
}
