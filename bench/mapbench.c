// SPDX-License-Identifier: GPL-2.0
/*
 * mapbench: the DMA-map path of a vfio-pci device through two backends,
 * same device, same run: iommufd (cdev + IOAS), a VFIO type1 container, or
 * compat (the type1 ioctls on iommufd's container); iommufd vs type1 by
 * default.
 *
 *   io  per-I/O pattern: map -> unmap of one small buffer at a fixed IOVA,
 *       N times (what a strict vIOMMU makes a VMM do per guest I/O); also
 *       with T threads, each on its own IOVA range
 *   vm  VM-RAM pattern: one map + one unmap of a large buffer (guest RAM
 *       at VM start/stop), R times, backed by 4 KiB pages, THP or hugetlbfs
 *
 * Every call is timed on its own; the statistics come from the raw
 * samples, which the JSON document keeps.  The backends are compared in
 * interleaved blocks (mapbench/run.c), each ratio with a bootstrap CI
 * over block pairs (lib/abba).  This file: options, cases, main();
 * mapbench/mapbench.h says where the rest is.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "mapbench/mapbench.h"
#include "sysinfo.h"

const char *const backing_names[BK_NR] = { "anon", "thp", "hugetlb" };
const char *const op_names[OP_NR] = { "map", "unmap", "map+unmap" };

struct mb_config mb = {
	.progress = true,
	.be = { VDEV_IOMMUFD, VDEV_TYPE1 },
	.nbe = 2,
	.n_io = -1, .n_vm = -1,
	.iters = -1, .warmup = -1, .repeat = -1, .threads = -1, .blocks = -1,
	.seed = 1,
	.iova_base = 1ULL << 30,
};
struct bcase *cases;
int ncases;
volatile sig_atomic_t mb_stop;
static bool backing_set;

enum { OPT_QUICK = 256, OPT_SEED, OPT_SLOWDOWN };

static const char usage[] =
	"usage: mapbench [-d BDF] [-b A[,B]|both] [-s SIZES] [-S SIZES]\n"
	"                [-B BACKINGS] [-n N] [-w W] [-r R] [-t T] [-k K] [-K KMAX]\n"
	"                [-R RMAX] [-a IOVA]\n"
	"                [--seed S] [--inject-slowdown PCT]\n"
	"                [-j] [-o FILE] [-H HASH] [-q] [--quick] [-h]\n"
	"\n"
	"Map/unmap latency of a vfio-pci device through two DMA backends (iommufd\n"
	"and VFIO type1 by default), interleaved in blocks (ABBA order), each\n"
	"block on a freshly opened device.\n"
	"\n"
	"  -d, --device BDF      PCI device (default: the one bound to vfio-pci)\n"
	"  -b, --backend A[,B]   one backend, or two to compare (RATIO = A/B):\n"
	"                        iommufd, type1, compat (the type1 ioctls served\n"
	"                        by iommufd); both = iommufd,type1 (the default)\n"
	"  -s, --io-sizes LIST   per-I/O buffer sizes (default 4k,64k,2m; 'none')\n"
	"  -S, --vm-sizes LIST   VM-RAM sizes (default 256m,1g; 'none')\n"
	"  -B, --backing LIST    VM-RAM backing: anon,thp,hugetlb (default all)\n"
	"  -n, --iterations N    per-I/O measured rounds per thread, over all\n"
	"                        blocks (default 2000)\n"
	"  -w, --warmup W        per-I/O warm-up rounds of each block (default 50);\n"
	"                        a VM-RAM block does one unmeasured round unless W is 0\n"
	"  -r, --repeat R        VM-RAM measured rounds (default 8): R block pairs of\n"
	"                        one round\n"
	"  -t, --threads T       threads of the multi-threaded per-I/O variant\n"
	"                        (default: online CPUs; 1 = no such variant)\n"
	"  -k, --blocks K        per-I/O block pairs, at most N (default 16, or N if\n"
	"                        smaller); a block runs N/K rounds per thread\n"
	"  -K, --max-blocks KMAX two-stage K for per-I/O cases: after the K pairs,\n"
	"                        the pairs their spread says a 20%% change needs\n"
	"                        (80%% power; the largest over the operations), at\n"
	"                        most KMAX in all, blocks as long as before\n"
	"  -R, --max-repeat RMAX the same for VM-RAM cases (R planned pairs)\n"
	"  -a, --iova ADDR       first IOVA (default 0x40000000); thread i uses\n"
	"                        ADDR + i * (largest per-I/O size, 2 MiB aligned)\n"
	"      --seed S          block order and bootstrap seed (default 1); case i\n"
	"                        uses S + i\n"
	"      --inject-slowdown PCT\n"
	"                        test/evidence option: make every call of A PCT%\n"
	"                        slower (spinning inside the timed region)\n"
	"  -j, --json            the JSON document on stdout instead of the table\n"
	"  -o, --output FILE     also write the JSON document to FILE\n"
	"  -H, --series HASH     series hash for the environment block\n"
	"                        (default: $IOASID_SERIES)\n"
	"  -q, --no-progress     no progress lines on stderr\n"
	"      --quick           tiny configuration for tests: -s 4k,64k,2m -S 8m\n"
	"                        -n 20 -w 2 -r 2 -t 2 -k 4 (explicit options win)\n"
	"  -h, --help            this help\n"
	"\n"
	"Sizes take k/m/g suffixes and are multiples of 4 KiB (hugetlb: 2 MiB).\n"
	"Needs root; without CAP_IPC_LOCK, RLIMIT_MEMLOCK must cover the\n"
	"largest case.  Figures under emulation (QEMU TCG) are for comparing the\n"
	"backends within one run, not hardware numbers.\n";

void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "mapbench: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* 1 TiB bounds every multiplication below. */
static const struct sys_size_rule io_rule = {
	SZ_4K, SZ_4K, 1ULL << 40, "per-I/O", "a multiple of 4 KiB up to 1 TiB"
};
static const struct sys_size_rule vm_rule = {
	SZ_4K, SZ_4K, 1ULL << 40, "VM-RAM", "a multiple of 4 KiB up to 1 TiB"
};

/* A comma list of sizes into @out; the count, or -1 after a usage error. */
static int parse_sizes(const char *s, uint64_t *out, const struct sys_size_rule *r)
{
	char err[512];
	int n;

	if (!strcmp(s, "none"))
		return 0;
	n = sys_sizes(s, out, MAX_SIZES, r, err, sizeof(err));
	if (n < 0)
		cli_usage_error(usage, "%s", err);
	return n;
}

static void on_signal(int sig)
{
	(void)sig;
	mb_stop = 1;
}


/* A count from @min to @max for option @name into *@out; false after a usage error. */
static bool count_opt(const char *s, long min, long max, long *out, const char *name)
{
	if (cli_parse_long(s, min, out) || *out > max) {
		cli_usage_error(usage, "%s takes a count from %ld to %ld", name, min, max);
		return false;
	}
	return true;
}

/* -b A[,B] or both into mb.be/nbe; false after a usage error. */
static bool parse_backends(const char *arg)
{
	char list[64], *comma;

	if (!strcmp(arg, "both"))
		arg = "iommufd,type1";
	snprintf(list, sizeof(list), "%s", arg);
	comma = strchr(list, ',');
	if (comma)
		*comma++ = '\0';
	if (vdev_backend_parse(list, &mb.be[0]) ||
	    (comma && (vdev_backend_parse(comma, &mb.be[1]) || mb.be[1] == mb.be[0]))) {
		cli_usage_error(usage, "bad backend list '%s': one or two different of iommufd, "
				"type1, compat, or both", arg);
		return false;
	}
	mb.nbe = comma ? 2 : 1;
	return true;
}

/* One option; 0, or the exit status (2: usage error, 0 after -h) plus 1. */
static int parse_opt(int opt, const char *arg, bool *quick)
{
	char err[512], *end;
	long v;

	switch (opt) {
	case 'd':
		snprintf(mb.bdf, sizeof(mb.bdf), "%s", arg);
		return 0;
	case 'b':
		return parse_backends(arg) ? 0 : 3;
	case 's':
		return (mb.n_io = parse_sizes(arg, mb.io_sizes, &io_rule)) < 0 ? 3 : 0;
	case 'S':
		return (mb.n_vm = parse_sizes(arg, mb.vm_sizes, &vm_rule)) < 0 ? 3 : 0;
	case 'B':
		if (cli_parse_names(arg, backing_names, BK_NR, mb.backing_on, err, sizeof(err))) {
			cli_usage_error(usage, "bad backing '%s': anon, thp or hugetlb", err);
			return 3;
		}
		backing_set = true;
		return 0;
	case 'n':
		return count_opt(arg, 1, 10000000, &mb.iters, "-n") ? 0 : 3;
	case 'r':
		return count_opt(arg, 1, 10000000, &mb.repeat, "-r") ? 0 : 3;
	case 'w':
		return count_opt(arg, 0, 10000000, &mb.warmup, "-w") ? 0 : 3;
	case 't':
		return count_opt(arg, 1, MAX_THREADS, &mb.threads, "-t") ? 0 : 3;
	case 'k':
		return count_opt(arg, 1, 100000, &mb.blocks, "-k") ? 0 : 3;
	case 'K':
		return count_opt(arg, 1, 100000, &mb.max_blocks, "-K") ? 0 : 3;
	case 'R':
		return count_opt(arg, 1, 100000, &mb.max_repeat, "-R") ? 0 : 3;
	case OPT_SEED:
		if (!count_opt(arg, 0, 1L << 30, &v, "--seed"))
			return 3;
		mb.seed = v;
		return 0;
	case OPT_SLOWDOWN:
		if (!count_opt(arg, 0, 1000, &v, "--inject-slowdown"))
			return 3;
		mb.slowdown_pct = v;
		return 0;
	case 'a':
		errno = 0;
		mb.iova_base = strtoull(arg, &end, 0);
		if (errno || end == arg || *end || mb.iova_base % SZ_4K) {
			cli_usage_error(usage, "bad IOVA '%s': a 4 KiB aligned address", arg);
			return 3;
		}
		return 0;
	case 'j':
		mb.json_stdout = true;
		return 0;
	case 'o':
		mb.json_path = arg;
		return 0;
	case 'H':
		mb.series = arg;
		return 0;
	case 'q':
		mb.progress = false;
		return 0;
	case OPT_QUICK:
		*quick = true;
		return 0;
	case 'h':
		fputs(usage, stdout);
		return 1;
	default:
		fputs(usage, stderr);
		return 3;
	}
}

static int parse_args(int argc, char **argv, bool *quick)
{
	static const struct option longopts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "backend", required_argument, NULL, 'b' },
		{ "io-sizes", required_argument, NULL, 's' },
		{ "vm-sizes", required_argument, NULL, 'S' },
		{ "backing", required_argument, NULL, 'B' },
		{ "iterations", required_argument, NULL, 'n' },
		{ "warmup", required_argument, NULL, 'w' },
		{ "repeat", required_argument, NULL, 'r' },
		{ "threads", required_argument, NULL, 't' },
		{ "blocks", required_argument, NULL, 'k' },
		{ "max-blocks", required_argument, NULL, 'K' },
		{ "max-repeat", required_argument, NULL, 'R' },
		{ "iova", required_argument, NULL, 'a' },
		{ "seed", required_argument, NULL, OPT_SEED },
		{ "inject-slowdown", required_argument, NULL, OPT_SLOWDOWN },
		{ "json", no_argument, NULL, 'j' },
		{ "output", required_argument, NULL, 'o' },
		{ "series", required_argument, NULL, 'H' },
		{ "no-progress", no_argument, NULL, 'q' },
		{ "quick", no_argument, NULL, OPT_QUICK },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int opt, ret;

	while ((opt = getopt_long(argc, argv, "d:b:s:S:B:n:w:r:t:k:K:R:a:jo:H:qh", longopts, NULL)) != -1)
		if ((ret = parse_opt(opt, optarg, quick)))
			return ret;
	if (optind != argc) {
		cli_usage_error(usage, "unexpected argument '%s'", argv[optind]);
		return 3;
	}
	return 0;
}

/* Defaults, or the tiny configuration; explicit options win.  2 on a usage error. */
static int set_defaults(bool quick)
{
	char sz[32];
	int i;

	if (!mb.series && getenv("IOASID_SERIES") && *getenv("IOASID_SERIES"))
		mb.series = getenv("IOASID_SERIES");
	if (mb.n_io < 0) {
		mb.io_sizes[0] = 4096, mb.io_sizes[1] = 64 << 10, mb.io_sizes[2] = 2 << 20;
		mb.n_io = 3;
	}
	if (mb.n_vm < 0) {
		mb.vm_sizes[0] = quick ? 8 << 20 : 256 << 20;
		mb.vm_sizes[1] = 1 << 30;
		mb.n_vm = quick ? 1 : 2;
	}
	if (!backing_set)
		for (i = 0; i < BK_NR; i++)
			mb.backing_on[i] = true;
	if (mb.iters < 0)
		mb.iters = quick ? 20 : 2000;
	if (mb.warmup < 0)
		mb.warmup = quick ? 2 : 50;
	/*
	 * Even pair counts (orders balance), large enough for most rows of a
	 * run to tell 20% from none: in the 2026-12-04 calibration runs the
	 * spread of block log ratios gave k_for_20pct 5-14 for the 1-thread
	 * per-I/O rows, up to 44 with 2 threads and up to 71 for VM-RAM rows
	 * (the report names the rows still short).
	 */
	if (mb.repeat < 0)
		mb.repeat = quick ? 2 : 8;
	if (mb.blocks < 0) {
		mb.blocks = quick ? 4 : 16;
		if (mb.blocks > mb.iters)
			mb.blocks = mb.iters;
	} else if (mb.blocks > mb.iters && mb.n_io) {
		cli_usage_error(usage, "-k %ld blocks need at least as many rounds (-n %ld)",
				mb.blocks, mb.iters);
		return 2;
	}
	/* -K and -R raise the planned pair counts, never lower them */
	if (mb.max_blocks && mb.max_blocks < mb.blocks) {
		cli_usage_error(usage, "-K %ld is below the %ld block pairs planned (-k)",
				mb.max_blocks, mb.blocks);
		return 2;
	}
	if (mb.max_repeat && mb.max_repeat < mb.repeat) {
		cli_usage_error(usage, "-R %ld is below the %ld rounds planned (-r)",
				mb.max_repeat, mb.repeat);
		return 2;
	}
	/* a case may stop at its cap: even, so that ab and ba pairs balance */
	if (mb.max_blocks % 2 || mb.max_repeat % 2) {
		cli_usage_error(usage, "-K and -R take an even number of pairs (ab and ba "
				"orders balance)");
		return 2;
	}
	if (mb.threads < 0) {
		mb.threads = quick ? 2 : sysconf(_SC_NPROCESSORS_ONLN);
		if (mb.threads < 1)
			mb.threads = 1;
		if (mb.threads > MAX_THREADS)
			mb.threads = MAX_THREADS;
	}
	for (i = 0; i < mb.n_vm; i++)
		if (mb.backing_on[BK_HUGETLB] && mb.vm_sizes[i] % SZ_2M) {
			cli_usage_error(usage, "VM-RAM size %s is not a multiple of 2 MiB (hugetlb)",
					size_str(mb.vm_sizes[i], sz, sizeof(sz)));
			return 2;
		}
	if (mb.slowdown_pct > 0 && mb.nbe < 2) {
		cli_usage_error(usage, "--inject-slowdown tests a comparison: it needs two "
				"backends (-b A,B)");
		return 2;
	}
	if (mb.iova_base + (uint64_t)(mb.threads - 1) * io_stride() + (1ULL << 40) < mb.iova_base) {
		cli_usage_error(usage, "IOVA %#" PRIx64 " leaves no room for the cases", mb.iova_base);
		return 2;
	}
	return 0;
}

/* Per-I/O cases run K block pairs of N/K rounds, VM-RAM ones R pairs of one. */
static void add_case(enum pattern pat, uint64_t size, enum backing bk, int nthreads)
{
	struct bcase *c;

	cases = realloc(cases, (ncases + 1) * sizeof(*cases));
	if (!cases)
		die("out of memory");
	c = &cases[ncases];
	memset(c, 0, sizeof(*c));
	c->pat = pat;
	c->size = size;
	c->bk = bk;
	c->threads = nthreads;
	c->n = c->n0 = pat == PAT_IO ? mb.iters : mb.repeat;
	c->k = c->k0 = pat == PAT_IO ? mb.blocks : mb.repeat;
	c->kmax = pat == PAT_IO ? mb.max_blocks : mb.max_repeat;
	if (c->kmax < c->k0 || mb.nbe < 2)
		c->kmax = c->k0;
	c->seed = mb.seed + ncases;
	ncases++;
}

static void add_cases(void)
{
	int i, b;

	for (i = 0; i < mb.n_io; i++)
		add_case(PAT_IO, mb.io_sizes[i], BK_ANON, 1);
	if (mb.threads > 1)
		for (i = 0; i < mb.n_io; i++)
			add_case(PAT_IO, mb.io_sizes[i], BK_ANON, mb.threads);
	for (i = 0; i < mb.n_vm; i++)
		for (b = 0; b < BK_NR; b++)
			if (mb.backing_on[b])
				add_case(PAT_VM, mb.vm_sizes[i], b, 1);
}

/* Every case on its buffers, which both backends map; 0 or 1 with @err. */
static int run_all(char *err, size_t errlen)
{
	double t_start = cli_now();
	int i, t, ret = 0;

	for (i = 0; i < ncases && !ret; i++) {
		struct bcase *c = &cases[i];
		struct buf bufs[MAX_THREADS] = { 0 };
		char id[64];

		case_id(c, id, sizeof(id));
		if (mb.progress)
			fprintf(stderr, "[%*d/%d %7.1fs] %s: %d block pairs\n", ncases >= 10 ? 2 : 1,
				i + 1, ncases, cli_now() - t_start, id, c->k);
		/* Both backends map the same buffers: same pages, same runs. */
		for (t = 0; t < c->threads && !ret; t++) {
			if (buf_alloc(&bufs[t], c->size, c->bk, err, errlen))
				ret = 1;
			c->phys_runs += phys_runs(bufs[t].addr, c->size);
			if (c->bk != BK_HUGETLB)
				c->thp_bytes += thp_bytes(bufs[t].addr);
		}
		if (!ret && run_case(c, bufs, err, errlen))
			ret = 1;
		if (!ret && mb.progress && c->kmax > c->k0 && c->need)
			fprintf(stderr, "%*s %s: the first %d pairs: %d needed for 20%%; ran %d "
				"(at most %d)\n", ncases >= 10 ? 15 : 14, "", id, c->k0, c->need,
				c->k, c->kmax);
		else if (!ret && mb.progress && c->kmax > c->k0)
			fprintf(stderr, "%*s %s: the first %d pairs give no estimate: ran %d\n",
				ncases >= 10 ? 15 : 14, "", id, c->k0, c->k);
		for (t = 0; t < c->threads; t++)
			buf_free(&bufs[t]);
	}
	if (!ret && mb.progress)
		fprintf(stderr, "done in %.1fs\n", cli_now() - t_start);
	return ret;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	bool quick = false;
	char err[512];
	FILE *jf = NULL;
	int ret, i;

	cli_name = "mapbench";
	ret = parse_args(argc, argv, &quick);
	if (ret)
		return ret - 1;
	if (set_defaults(quick))
		return 2;
	add_cases();
	if (!ncases) {
		cli_usage_error(usage, "no cases: -s none and -S none (or no backing)");
		return 2;
	}

	/* Checks in the order a user would fix them. */
	if (geteuid())
		die("must run as root: it opens /dev/vfio and /dev/iommu and pins memory");
	for (i = 0; i < mb.nbe; i++)
		if (!vdev_backend_present(mb.be[i], err, sizeof(err)))
			die("%s (-b)", err);
	if (!mb.bdf[0] && sys_pci_vfio_find(mb.bdf, sizeof(mb.bdf), err, sizeof(err)))
		die("%s (-d BDF)", err);
	precheck();

	if (mb.json_path) {
		jf = fopen(mb.json_path, "w");
		if (!jf)
			die("cannot write %s: %s", mb.json_path, strerror(errno));
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (run_all(err, sizeof(err))) {
		if (jf) {
			fclose(jf);
			unlink(mb.json_path);
		}
		die("%s", err);
	}
	if (jf) {
		write_json(jf);
		if (fclose(jf))
			die("cannot write %s: %s", mb.json_path, strerror(errno));
	}
	if (mb.json_stdout)
		write_json(stdout);
	else
		print_table(stdout);
	return 0;
}
