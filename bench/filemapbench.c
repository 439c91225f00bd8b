// SPDX-License-Identifier: GPL-2.0
/*
 * filemapbench: IOMMU_IOAS_MAP_FILE of a memfd against IOMMU_IOAS_MAP of
 * anonymous memory of the same size, each followed by IOMMU_IOAS_UNMAP, on
 * an IOAS with a domain of the iommufd selftest mock attached, so that
 * every map pins the pages and maps them into the domain and every unmap
 * undoes both.  The memory is populated before and stays so: what differs
 * is how iommufd gets the pages (memfd_pin_folios() on the file against
 * pin_user_pages_fast() on the mm) and the pages' shape (shmem folios
 * against anonymous pages, both 4 KiB here).
 *
 * Interleaved blocks (lib/abba.h): per size, K pairs of one block per
 * source in an order the seed alternates; a block is N map+unmap cycles
 * after W unmeasured ones, its figure the median of each operation.  The
 * ratio file/anonymous of the map and of the unmap, with its bootstrap 95%
 * CI over the pairs, and per source the samples' median, p99, min and CV.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "abba.h"
#include "benchstat.h"
#include "cli.h"
#include "json.h"
#include "mockiopf.h"

#define MAX_CASES 8
#define MAX_SIZE_MIB 1024L
#define MAX_PAIRS 1000L
#define MAX_CYCLES 100000L
#define IOVA ((__u64)MOCK_APERTURE_START)	/* inside the mock domain's aperture */
#define MIB (1UL << 20)

enum source { SRC_FILE, SRC_ANON, NR_SRC };	/* A and B of the comparison */
static const char *const src_names[NR_SRC] = { "map_file", "anonymous" };
enum op { OP_MAP, OP_UNMAP, NR_OPS };
static const char *const op_names[NR_OPS] = { "map", "unmap" };

static const char usage_text[] =
"usage: filemapbench [-h] [-j] [-k K] [-n N] [-w W] [-s LIST] [--seed S]\n"
"                    [--platform NAME]\n"
"\n"
"IOMMU_IOAS_MAP_FILE of a memfd against IOMMU_IOAS_MAP of anonymous memory\n"
"of the same size (each then unmapped), on an IOAS with a domain of the\n"
"iommufd selftest mock: interleaved blocks, the ratio file/anonymous of the\n"
"map and of the unmap with a 95% CI, and per source median, p99, min, CV.\n"
"Needs root, /dev/iommu, CONFIG_IOMMUFD_TEST and a kernel with\n"
"IOMMU_IOAS_MAP_FILE (6.13 on), and no active IOMMU driver on 6.12.\n"
"\n"
"  -h, --help           this help\n"
"  -j, --json           one JSON document instead of the table\n"
"  -k, --pairs K        block pairs per size (default 10)\n"
"  -n, --count N        measured map+unmap cycles per block (default 20)\n"
"  -w, --warmup W       cycles before those, not measured (default 2)\n"
"  -s, --sizes LIST     sizes in MiB, a comma-separated list, each 1..1024\n"
"                       (default 1,16,64)\n"
"      --seed S         the order of the pairs (default 1)\n"
"      --platform NAME  the platform for the environment block\n"
"\n"
"examples:\n"
"  filemapbench                   # 1, 16 and 64 MiB, 10 pairs of 20\n"
"  filemapbench -s 1 -k 4 -n 5    # a quick look\n"
"  filemapbench -j > filemap.json\n";

static const struct option long_opts[] = {
	CLI_BENCH_LONG_OPTS,
	{ "pairs", required_argument, NULL, 'k' },
	{ "sizes", required_argument, NULL, 's' },
	{ "seed", required_argument, NULL, 'S' },
	{},
};

static struct {
	struct cli_bench b;	/* -j, -n, -w, --platform */
	long k, seed;
	long size[MAX_CASES];
	int nsize;
} opt = {
	.b = { .n = 20, .warm = 2, .max = MAX_CYCLES },
	.k = 10, .seed = 1, .size = { 1, 16, 64 }, .nsize = 3,
};

/* The memory of one size, both ways. */
struct mem {
	size_t len;
	void *anon;
	int memfd;
};

struct result {
	long size_mib;
	struct bstat op[NR_SRC][NR_OPS];	/* us per operation, every sample */
	double *fig[NR_SRC][NR_OPS];		/* per pair: the block's median */
	struct abba ratio[NR_OPS];		/* map_file / anonymous, per pair */
};

/* One map of @len bytes at IOVA from source @s; 0 or -errno. */
static int map_one(const struct mockiopf *m, const struct mem *mem, enum source s)
{
	__u32 flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
		      IOMMU_IOAS_MAP_WRITEABLE;

	if (s == SRC_FILE) {
#ifdef IOMMU_IOAS_MAP_FILE
		struct iommu_ioas_map_file f = {
			.size = sizeof(f), .flags = flags, .ioas_id = m->ioas_id,
			.fd = mem->memfd, .start = 0, .length = mem->len, .iova = IOVA,
		};

		return ioctl(m->fd, IOMMU_IOAS_MAP_FILE, &f) ? -errno : 0;
#else
		return -ENOTTY;	/* built against headers from before 6.13 */
#endif
	}
	struct iommu_ioas_map a = {
		.size = sizeof(a), .flags = flags, .ioas_id = m->ioas_id,
		.user_va = (uintptr_t)mem->anon, .length = mem->len, .iova = IOVA,
	};

	return ioctl(m->fd, IOMMU_IOAS_MAP, &a) ? -errno : 0;
}

static int unmap_one(const struct mockiopf *m, size_t len)
{
	struct iommu_ioas_unmap u = {
		.size = sizeof(u), .ioas_id = m->ioas_id, .iova = IOVA, .length = len,
	};

	return ioctl(m->fd, IOMMU_IOAS_UNMAP, &u) ? -errno : 0;
}

/*
 * One block: W + N cycles of source @s; the N samples of each operation
 * appended at @samples[op] + *@at, the block's medians into @fig[op].
 */
static int run_block(const struct mockiopf *m, const struct mem *mem, enum source s,
		     double *samples[NR_OPS], long at, double fig[NR_OPS])
{
	uint64_t t0, t1, t2;
	long i;
	int op, err;

	for (i = 0; i < opt.b.warm + opt.b.n; i++) {
		t0 = bstat_now_ns();
		err = map_one(m, mem, s);
		t1 = bstat_now_ns();
		if (err) {
			fprintf(stderr, "filemapbench: %s of %zu MiB: %s%s\n", src_names[s],
				mem->len / MIB, strerror(-err), s == SRC_FILE && err == -ENOTTY ?
				" (no IOMMU_IOAS_MAP_FILE: a kernel, or headers, before 6.13)" : "");
			return err;
		}
		err = unmap_one(m, mem->len);
		t2 = bstat_now_ns();
		if (err) {
			fprintf(stderr, "filemapbench: unmap of the %s mapping of %zu MiB: %s\n",
				src_names[s], mem->len / MIB, strerror(-err));
			return err;
		}
		if (i < opt.b.warm)
			continue;
		samples[OP_MAP][at + i - opt.b.warm] = (t1 - t0) / 1000.0;
		samples[OP_UNMAP][at + i - opt.b.warm] = (t2 - t1) / 1000.0;
	}
	for (op = 0; op < NR_OPS; op++)	/* sorts the block's samples in place */
		fig[op] = bstat_of(samples[op] + at, opt.b.n).median;
	return 0;
}

static int mem_fail(const char *what, long mib)
{
	int err = errno;

	fprintf(stderr, "filemapbench: %s for %ld MiB: %s\n", what, mib, strerror(err));
	return -err;
}

/*
 * Both sources written once, so both hold ordinary, up-to-date pages; no
 * transparent huge pages for the anonymous side (shmem's are off unless
 * the system turns them on: the JSON records both settings).
 */
static int mem_init(struct mem *mem, long mib)
{
	void *file;

	mem->len = mib * MIB;
	mem->memfd = memfd_create("filemapbench", MFD_CLOEXEC);
	if (mem->memfd < 0)
		return mem_fail("memfd_create", mib);
	if (ftruncate(mem->memfd, mem->len))
		return mem_fail("ftruncate of the memfd", mib);
	file = mmap(NULL, mem->len, PROT_READ | PROT_WRITE, MAP_SHARED, mem->memfd, 0);
	if (file == MAP_FAILED)
		return mem_fail("mmap of the memfd", mib);
	memset(file, 1, mem->len);
	munmap(file, mem->len);
	mem->anon = mmap(NULL, mem->len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			 -1, 0);
	if (mem->anon == MAP_FAILED)
		return mem_fail("mmap of anonymous memory", mib);
	madvise(mem->anon, mem->len, MADV_NOHUGEPAGE);
	memset(mem->anon, 1, mem->len);
	return 0;
}

static void mem_free(struct mem *mem)
{
	if (mem->anon && mem->anon != MAP_FAILED)
		munmap(mem->anon, mem->len);
	if (mem->memfd >= 0)
		close(mem->memfd);
}

static int run_size(const struct mockiopf *m, long mib, struct result *res)
{
	double *samples[NR_SRC][NR_OPS] = {}, *(*fig)[NR_OPS] = res->fig, f[NR_OPS];
	struct mem mem = { .memfd = -1 };
	int s, op, err = -ENOMEM;
	long j;

	for (s = 0; s < NR_SRC; s++)
		for (op = 0; op < NR_OPS; op++) {
			samples[s][op] = calloc(opt.k * opt.b.n, sizeof(double));
			fig[s][op] = calloc(opt.k, sizeof(double));
			if (!samples[s][op] || !fig[s][op])
				goto out;
		}
	err = mem_init(&mem, mib);
	for (j = 0; !err && j < opt.k; j++) {
		for (s = 0; !err && s < NR_SRC; s++) {
			/* A first in the pairs the seed says, B first in the others */
			enum source src = abba_a_first(opt.seed, j) ? s : NR_SRC - 1 - s;

			err = run_block(m, &mem, src, samples[src], j * opt.b.n, f);
			for (op = 0; !err && op < NR_OPS; op++)
				fig[src][op][j] = f[op];
		}
	}
	if (err)
		goto out;
	res->size_mib = mib;
	for (op = 0; op < NR_OPS; op++) {
		for (s = 0; s < NR_SRC; s++)
			res->op[s][op] = bstat_of(samples[s][op], opt.k * opt.b.n);
		abba_summarize(fig[SRC_FILE][op], fig[SRC_ANON][op], opt.k, false, opt.seed,
			       &res->ratio[op]);
	}
out:
	if (err == -ENOMEM && !mem.len)
		fprintf(stderr, "filemapbench: failed to allocate the samples: %s\n",
			strerror(ENOMEM));
	for (s = 0; s < NR_SRC; s++)
		for (op = 0; op < NR_OPS; op++)
			free(samples[s][op]);
	mem_free(&mem);
	return err;
}

/* The system's THP settings ("[madvise]" of ".../enabled"); null if unreadable. */
static void json_thp(struct json *j)
{
	static const char *const f[][2] = {
		{ "thp_enabled", "/sys/kernel/mm/transparent_hugepage/enabled" },
		{ "thp_shmem_enabled", "/sys/kernel/mm/transparent_hugepage/shmem_enabled" },
	};
	char buf[256];
	size_t i;

	for (i = 0; i < 2; i++) {
		if (bstat_read_line(f[i][1], buf, sizeof(buf))[0])
			json_string(j, f[i][0], buf);
		else
			json_null(j, f[i][0]);
	}
}

/* "comparisons": per size and operation, the pairs' block medians (mkreport redoes the CI). */
static void json_comparisons(struct json *j, const struct result *res, int n)
{
	char id[32];
	int i, op;
	long b;

	json_array_begin(j, "comparisons");
	for (i = 0; i < n; i++)
		for (op = 0; op < NR_OPS; op++) {
			snprintf(id, sizeof(id), "size-%ldM", res[i].size_mib);
			json_object_begin(j, NULL);
			json_string(j, "case", id);
			json_string(j, "metric", op_names[op]);
			json_string(j, "unit", "us");
			json_string(j, "better", "lower");
			json_string(j, "a", src_names[SRC_FILE]);
			json_string(j, "b", src_names[SRC_ANON]);
			json_uint(j, "seed", opt.seed);
			json_array_begin(j, "blocks");
			for (b = 0; b < opt.k; b++) {
				json_object_begin(j, NULL);
				json_int(j, "pair", b);
				json_string(j, "order", abba_order(opt.seed, b));
				json_double(j, "a", res[i].fig[SRC_FILE][op][b]);
				json_double(j, "b", res[i].fig[SRC_ANON][op][b]);
				json_object_end(j);
			}
			json_array_end(j);
			abba_json(j, &res[i].ratio[op]);
			json_object_end(j);
		}
	json_array_end(j);
}

static void print_json(const struct result *res, int n)
{
	struct json j;
	int i, s, op;

	json_init(&j, stdout);
	json_object_begin(&j, NULL);
	json_string(&j, "bench", "filemapbench");
	bstat_env_json(&j, opt.b.platform);
	json_string(&j, "backend", "iommufd");
	json_string(&j, "source", "selftest mock domain");
	json_thp(&j);
	json_string(&j, "unit", "us");
	json_uint(&j, "pairs", opt.k);
	json_uint(&j, "cycles_per_block", opt.b.n);
	json_uint(&j, "warmup", opt.b.warm);
	json_uint(&j, "seed", opt.seed);
	json_array_begin(&j, "cases");
	for (i = 0; i < n; i++) {
		json_object_begin(&j, NULL);
		json_uint(&j, "size_mib", res[i].size_mib);
		/* every cycle, warm-up included: what the events must count */
		json_uint(&j, "maps_per_source", opt.k * (opt.b.warm + opt.b.n));
		for (op = 0; op < NR_OPS; op++) {
			json_object_begin(&j, op_names[op]);
			for (s = 0; s < NR_SRC; s++) {
				json_object_begin(&j, src_names[s]);
				bstat_json(&j, &res[i].op[s][op]);
				json_object_end(&j);
			}
			json_object_begin(&j, "file_over_anonymous");
			abba_json(&j, &res[i].ratio[op]);
			json_object_end(&j);
			json_object_end(&j);
		}
		json_object_end(&j);
	}
	json_array_end(&j);
	json_comparisons(&j, res, n);
	json_object_end(&j);
}

static void print_table(const struct result *res, int n)
{
	const struct abba *r;
	int i, op;

	bstat_env_print(stdout, opt.b.platform);
	printf("iommufd on the selftest mock's domain; %ld pairs of %ld cycles per size, "
	       "us per operation (median)\n\n", opt.k, opt.b.n);
	printf("%8s %-6s %12s %12s %22s  %s\n", "size MiB", "op", "map_file", "anonymous",
	       "file/anon [95% CI]", "verdict");
	for (i = 0; i < n; i++)
		for (op = 0; op < NR_OPS; op++) {
			r = &res[i].ratio[op];
			printf("%8ld %-6s %12.1f %12.1f %8.3f [%.3f, %.3f]  %s\n", res[i].size_mib,
			       op_names[op], res[i].op[SRC_FILE][op].median,
			       res[i].op[SRC_ANON][op].median, r->ratio, r->lo, r->hi,
			       !strcmp(r->verdict, "a faster") ? "map_file faster" :
			       !strcmp(r->verdict, "b faster") ? "anonymous faster" : r->verdict);
		}
}

static int parse_args(int argc, char **argv)
{
	int o;

	opterr = 0;
	while ((o = getopt_long(argc, argv, ":hjk:n:w:s:", long_opts, NULL)) != -1) {
		switch (cli_bench_opt(o, usage_text, argv, &opt.b)) {
		case 1:
			return 1;
		case -1:
			return -1;
		case 0:
			continue;
		}
		switch (o) {
		case 'k':
			if (cli_bounded_long(usage_text, "pair count", optarg, 1, MAX_PAIRS, &opt.k))
				return -1;
			break;
		case 's':
			opt.nsize = cli_parse_list(optarg, 1, MAX_SIZE_MIB, opt.size, MAX_CASES);
			if (opt.nsize < 0) {
				cli_usage_error(usage_text, "invalid size list '%s' (MiB, each 1..%ld, "
						"at most %d)", optarg, MAX_SIZE_MIB, MAX_CASES);
				return -1;
			}
			break;
		case 'S':
			if (cli_bounded_long(usage_text, "seed", optarg, 0, 1L << 30, &opt.seed))
				return -1;
			break;
		}
	}
	if (optind < argc) {
		cli_usage_error(usage_text, "unexpected argument '%s'", argv[optind]);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct result res[MAX_CASES] = {};
	struct mockiopf m;
	char why[256];
	int i, s, op, err = 0;

	cli_name = "filemapbench";
	err = parse_args(argc, argv);
	if (err)
		return err > 0 ? 0 : 2;
	if (geteuid()) {
		fprintf(stderr, "filemapbench: needs root (the iommufd selftest mock)\n");
		return 1;
	}
	if (mockiopf_open(&m, why, sizeof(why))) {
		fprintf(stderr, "filemapbench: %s\n", why);
		return 1;
	}
	for (i = 0; i < opt.nsize; i++) {
		if (!opt.b.json)
			fprintf(stderr, "filemapbench: %ld MiB, %ld pairs...\n", opt.size[i], opt.k);
		err = run_size(&m, opt.size[i], &res[i]);
		if (err)
			break;
	}
	mockiopf_close(&m);
	if (!err && opt.b.json)
		print_json(res, opt.nsize);
	else if (!err)
		print_table(res, opt.nsize);
	for (i = 0; i < opt.nsize; i++)
		for (s = 0; s < NR_SRC; s++)
			for (op = 0; op < NR_OPS; op++)
				free(res[i].fig[s][op]);
	return err ? 1 : 0;
}
