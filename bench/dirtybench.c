// SPDX-License-Identifier: GPL-2.0
/*
 * dirtybench: what one dirty bitmap read costs, the step a VMM repeats for
 * every HWPT or container in each round of a live migration, against the
 * IOVA span read and the share of it that is dirty.
 *
 * iommufd (-b iommufd): the iommufd selftest mock, a dirty tracking HWPT
 * over a buffer mapped with the IOAS's huge pages off (7.3's mock: PAGE_SIZE
 * PTEs of a generic_pt table; 6.12's: 2 KiB entries of an xarray); before
 * each read the given share of its pages is marked dirty
 * (IOMMU_TEST_OP_DIRTY, evenly spread, not timed), then
 * IOMMU_HWPT_GET_DIRTY_BITMAP is timed: the walk of the mock's table, the
 * bitmap written to user space, the IOTLB flush of what was cleared.
 * type1 (-b type1): a device's container, VFIO_IOMMU_DIRTY_PAGES; an
 * IOMMU-backed device cannot say what it wrote, so type1 reports every
 * mapped page dirty in every read: the share is always 100%.
 *
 * Each read is timed in user space (CLOCK_MONOTONIC), the ioctl alone.
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
#include "mockdirty.h"
#include "sysinfo.h"
#include "vfio.h"

#define MAX_CASES 8
/* the mock's aperture above MOCKDIRTY_IOVA; type1 is bounded by MemAvailable */
#define MAX_SPAN_MIB 1024L
#define MAX_READS 1000000L
#define PGSIZE 4096ULL
#define TYPE1_IOVA (1ULL << 32)

static const char usage_text[] =
"usage: dirtybench [-h] [-j] [-b iommufd|type1] [-d BDF] [-n N] [-w W] [-s LIST]\n"
"                  [-D LIST] [--platform NAME]\n"
"\n"
"The latency of a dirty bitmap read against the IOVA span read and the\n"
"share of it that is dirty: median, p99, min, CV per read and the IOVA\n"
"walked per second of read.  iommufd: IOMMU_HWPT_GET_DIRTY_BITMAP on the\n"
"iommufd selftest mock (CONFIG_IOMMUFD_TEST; no active IOMMU driver on\n"
"6.12: testbed/run -i none); type1: VFIO_IOMMU_DIRTY_PAGES on a device's\n"
"container, where every mapped page is dirty in every read.  Needs root.\n"
"\n"
"  -h, --help           this help\n"
"  -j, --json           one JSON document instead of the table\n"
"  -b, --backend NAME   iommufd (the selftest mock, the default; also\n"
"                       'mock') or type1\n"
"  -d, --device BDF     type1: the vfio-pci device (default 0000:00:03.0)\n"
"  -n, --count N        measured reads per case (default 200)\n"
"  -w, --warmup W       reads before those, not measured (default 10)\n"
"  -s, --span LIST      IOVA spans in MiB, a comma-separated list, each\n"
"                       1..1024 (default 1,16,256)\n"
"  -D, --dirty LIST     iommufd: percent of the pages dirty before each read,\n"
"                       each 0..100 (default 0,10,100)\n"
"      --platform NAME  the platform for the environment block (default:\n"
"                       detected, e.g. \"QEMU TCG\")\n"
"\n"
"examples:\n"
"  dirtybench                          # iommufd: 3 spans x 3 shares\n"
"  dirtybench -s 64 -D 25 -n 50        # one case, a quick look\n"
"  dirtybench -b type1 -s 16,256 -j    # a device's type1 container, JSON\n";

static const struct option long_opts[] = {
	CLI_BENCH_LONG_OPTS,
	{ "backend", required_argument, NULL, 'b' },
	{ "device", required_argument, NULL, 'd' },
	{ "span", required_argument, NULL, 's' },
	{ "dirty", required_argument, NULL, 'D' },
	{},
};

static struct {
	struct cli_bench b;	/* -j, -n, -w, --platform */
	bool type1, bdf_set, dirty_set;
	const char *bdf;
	long span[MAX_CASES], ratio[MAX_CASES];
	int nspan, nratio;
} opt = {
	.b = { .n = 200, .warm = 10, .max = MAX_READS },
	.bdf = "0000:00:03.0",
	.span = { 1, 16, 256 }, .nspan = 3, .ratio = { 0, 10, 100 }, .nratio = 3,
};

struct result {
	long span_mib, ratio;
	unsigned long long dirty_bytes;	/* per read, as the bitmap says */
	struct bstat read;		/* us per read */
};

static unsigned long long bits_set(const uint64_t *bitmap, size_t words)
{
	unsigned long long n = 0;
	size_t i;

	for (i = 0; i < words; i++)
		n += __builtin_popcountll(bitmap[i]);
	return n;
}

/* @ratio percent of @npages bits, evenly spread (page i if floor moves). */
static void ratio_bitmap(uint64_t *bitmap, size_t npages, long ratio)
{
	size_t i;

	memset(bitmap, 0, (npages + 63) / 64 * 8);
	for (i = 0; i < npages; i++)
		if ((i + 1) * ratio / 100 != i * ratio / 100)
			bitmap[i / 64] |= 1ULL << (i % 64);
}

/* One read of the case's backend; @dev for type1, @md for the mock. */
static int read_once(struct vdev *dev, struct mockdirty *md, size_t len, uint64_t *bitmap,
		     uint64_t *ns)
{
	uint64_t t0 = bstat_now_ns();
	int err;

	err = opt.type1 ? vdev_dirty_read(dev, TYPE1_IOVA, len, PGSIZE, bitmap) :
			  mockdirty_read(md, PGSIZE, bitmap);
	*ns = bstat_now_ns() - t0;
	return err;
}

static int run_reads(struct vdev *dev, struct mockdirty *md, size_t len, long ratio,
		     struct result *res)
{
	size_t npages = len / PGSIZE, words = (npages + 63) / 64;
	uint64_t *mark = calloc(words, 8), *bitmap = calloc(words, 8);
	double *lat = calloc(opt.b.n, sizeof(*lat));
	long i, total = opt.b.warm + opt.b.n;
	__u64 nr = 0, marks = 0;
	uint64_t ns;
	int err = 0;

	if (!mark || !bitmap || !lat) {
		fprintf(stderr, "dirtybench: failed to allocate the bitmaps: %s\n",
			strerror(ENOMEM));
		err = -ENOMEM;
		goto out;
	}
	ratio_bitmap(mark, npages, ratio);
	marks = bits_set(mark, words) * (PGSIZE / MOCKDIRTY_MARK_SIZE);
	for (i = 0; i < total; i++) {
		if (!opt.type1 && (err = mockdirty_mark(md, PGSIZE, mark, &nr))) {
			fprintf(stderr, "dirtybench: IOMMU_TEST_OP_DIRTY: %s\n", strerror(-err));
			goto out;
		}
		if (!opt.type1 && nr != marks) {
			fprintf(stderr, "dirtybench: the mock marked %llu of %llu pages dirty\n",
				(unsigned long long)nr, (unsigned long long)marks);
			err = -EIO;
			goto out;
		}
		memset(bitmap, 0, words * 8);	/* the kernel only sets bits */
		err = read_once(dev, md, len, bitmap, &ns);
		if (err) {
			if (opt.type1)
				fprintf(stderr, "dirtybench: %s\n", dev->err);
			else
				fprintf(stderr, "dirtybench: IOMMU_HWPT_GET_DIRTY_BITMAP: %s\n",
					strerror(-err));
			goto out;
		}
		if (bits_set(bitmap, words) != bits_set(mark, words) && !opt.type1) {
			fprintf(stderr, "dirtybench: a read found %llu dirty pages, %llu were marked\n",
				bits_set(bitmap, words), bits_set(mark, words));
			err = -EIO;
			goto out;
		}
		if (i >= opt.b.warm)
			lat[i - opt.b.warm] = ns / 1000.0;
	}
	res->dirty_bytes = bits_set(bitmap, words) * PGSIZE;
	res->read = bstat_of(lat, opt.b.n);
out:
	free(mark);
	free(bitmap);
	free(lat);
	return err;
}

/* A type1 case: a container with @len bytes mapped, tracking on, reads, off. */
static int run_type1(long span_mib, struct result *res)
{
	size_t len = (size_t)span_mib << 20;
	struct vdev dev = {};
	void *buf;
	int err;

	buf = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED) {
		fprintf(stderr, "dirtybench: failed to allocate %ld MiB: %s\n", span_mib,
			strerror(errno));
		return -ENOMEM;
	}
	err = vdev_open(&dev, opt.bdf, VDEV_TYPE1);
	if (!err)
		err = vdev_map(&dev, buf, TYPE1_IOVA, len);
	if (!err)
		err = vdev_dirty_tracking(&dev, 1);
	if (err)
		fprintf(stderr, "dirtybench: %s\n", dev.err);
	else
		err = run_reads(&dev, NULL, len, 100, res);
	if (!err && vdev_dirty_tracking(&dev, 0)) {
		fprintf(stderr, "dirtybench: %s\n", dev.err);
		err = -EIO;
	}
	vdev_close(&dev);
	munmap(buf, len);
	return err;
}

static int run_mock(long span_mib, long ratio, struct result *res)
{
	struct mockdirty md;
	char why[256];
	int err;

	err = mockdirty_open(&md, (size_t)span_mib << 20, why, sizeof(why));
	if (err) {
		fprintf(stderr, "dirtybench: %s\n", why);
		return err;
	}
	err = run_reads(NULL, &md, md.len, ratio, res);
	mockdirty_close(&md);
	return err;
}

/* Options that only one backend takes */
static int check_combination(void)
{
	if (opt.type1 && opt.dirty_set) {
		cli_usage_error(usage_text, "-D is for iommufd: type1 reports every page dirty");
		return -1;
	}
	if (!opt.type1 && opt.bdf_set) {
		cli_usage_error(usage_text, "-d is for type1: iommufd runs on the selftest mock");
		return -1;
	}
	return 0;
}

/* -s, -D: a list; 0, or -1 after the usage message */
static int parse_list_opt(int o, const char *arg)
{
	switch (o) {
	case 's':
		opt.nspan = cli_parse_list(arg, 1, MAX_SPAN_MIB, opt.span, MAX_CASES);
		if (opt.nspan < 0) {
			cli_usage_error(usage_text, "invalid span list '%s' (MiB, each 1..%ld, "
					"at most %d)", arg, MAX_SPAN_MIB, MAX_CASES);
			return -1;
		}
		return 0;
	default:
		opt.nratio = cli_parse_list(arg, 0, 100, opt.ratio, MAX_CASES);
		if (opt.nratio < 0) {
			cli_usage_error(usage_text, "invalid dirty list '%s' (percent, each "
					"0..100, at most %d)", arg, MAX_CASES);
			return -1;
		}
		opt.dirty_set = true;
		return 0;
	}
}

static int parse_args(int argc, char **argv)
{
	int o;

	while ((o = getopt_long(argc, argv, ":hjb:d:n:w:s:D:", long_opts, NULL)) != -1) {
		switch (cli_bench_opt(o, usage_text, argv, &opt.b)) {
		case 1:
			return 1;
		case -1:
			return -1;
		case 0:
			continue;
		}
		switch (o) {
		case 'b':
			if (strcmp(optarg, "iommufd") && strcmp(optarg, "mock") &&
			    strcmp(optarg, "type1")) {
				cli_usage_error(usage_text, "invalid backend '%s' (iommufd or type1)",
						optarg);
				return -1;
			}
			opt.type1 = !strcmp(optarg, "type1");
			break;
		case 'd':
			opt.bdf = optarg;
			opt.bdf_set = true;
			break;
		case 's':
		case 'D':
			if (parse_list_opt(o, optarg))
				return -1;
			break;
		}
	}
	if (optind < argc) {
		cli_usage_error(usage_text, "unexpected argument '%s'", argv[optind]);
		return -1;
	}
	return check_combination();
}

/* IOVA walked per second of read time, in GiB/s, from the median. */
static double gib_per_s(const struct result *r)
{
	return r->read.median > 0 ? r->span_mib / 1024.0 / (r->read.median / 1e6) : 0;
}

static const char *source(void)
{
	return opt.type1 ? "VFIO type1 container of a vfio-pci device (VFIO_IOMMU_DIRTY_PAGES)" :
			   "iommufd selftest mock, dirty tracking HWPT, IOAS huge pages off "
			   "(IOMMU_HWPT_GET_DIRTY_BITMAP)";
}

static void print_json(const struct result *res, int n)
{
	struct json j;
	int i;

	json_init(&j, stdout);
	json_object_begin(&j, NULL);
	json_string(&j, "bench", "dirtybench");
	bstat_env_json(&j, opt.b.platform);
	json_string(&j, "backend", opt.type1 ? "type1" : "iommufd");
	json_string(&j, "source", source());
	json_string(&j, "latency", "the dirty bitmap read ioctl, per read");
	json_string(&j, "unit", "us");
	json_uint(&j, "page_size", PGSIZE);
	json_uint(&j, "warmup", opt.b.warm);
	json_array_begin(&j, "cases");
	for (i = 0; i < n; i++) {
		json_object_begin(&j, NULL);
		json_uint(&j, "span_mib", res[i].span_mib);
		json_uint(&j, "dirty_percent", res[i].ratio);
		json_uint(&j, "dirty_bytes", res[i].dirty_bytes);
		bstat_json(&j, &res[i].read);
		json_double(&j, "gib_per_s", gib_per_s(&res[i]));
		json_object_end(&j);
	}
	json_array_end(&j);
	json_object_end(&j);
}

static void print_table(const struct result *res, int n)
{
	int i;

	printf("dirtybench: %s\n", source());
	bstat_env_print(stdout, opt.b.platform);
	printf("latency per read (us); %llu-byte pages; %ld warm-up reads\n", PGSIZE, opt.b.warm);
	printf("%9s %6s %8s %10s %10s %10s %6s %10s\n", "span_MiB", "dirty%", "N", "median",
	       "p99", "min", "CV", "GiB/s");
	for (i = 0; i < n; i++)
		printf("%9ld %6ld %8zu %10.1f %10.1f %10.1f %6.2f %10.2f\n", res[i].span_mib,
		       res[i].ratio, res[i].read.n, res[i].read.median, res[i].read.p99,
		       res[i].read.min, res[i].read.cv, gib_per_s(&res[i]));
}

/* The largest span is pinned: refuse what the machine cannot hold. */
static int memory_check(void)
{
	long max = 0;
	uint64_t avail = sys_meminfo("MemAvailable");
	int i;

	for (i = 0; i < opt.nspan; i++)
		max = opt.span[i] > max ? opt.span[i] : max;
	if (avail && ((uint64_t)max << 20) > avail / 2) {
		fprintf(stderr, "dirtybench: a %ld MiB span needs more than half of the %llu MiB "
			"available\n", max, (unsigned long long)(avail >> 20));
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct result res[MAX_CASES * MAX_CASES];
	int err, i, k, n = 0;

	cli_name = "dirtybench";
	err = parse_args(argc, argv);
	if (err)
		return err > 0 ? 0 : 2;
	if (geteuid()) {
		fprintf(stderr, "dirtybench: needs root (%s)\n",
			opt.type1 ? "VFIO" : "the iommufd selftest mock");
		return 1;
	}
	if (memory_check())
		return 1;
	for (i = 0; i < opt.nspan; i++) {
		for (k = 0; k < (opt.type1 ? 1 : opt.nratio); k++, n++) {
			res[n].span_mib = opt.span[i];
			res[n].ratio = opt.type1 ? 100 : opt.ratio[k];
			err = opt.type1 ? run_type1(opt.span[i], &res[n]) :
					  run_mock(opt.span[i], opt.ratio[k], &res[n]);
			if (err)
				return 1;
		}
	}
	if (opt.b.json)
		print_json(res, n);
	else
		print_table(res, n);
	return 0;
}
