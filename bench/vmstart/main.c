// SPDX-License-Identifier: GPL-2.0
/*
 * vmstart: how long a VM with a passed-through device takes to start
 * through iommufd and through VFIO type1, and where the time goes.
 *
 * For each backend x guest RAM size x backing, R times (R block pairs:
 * the two backends of a size and backing back to back, in ABBA order),
 * QEMU is started paused (-S) with the device on vfio-pci and a QMP
 * socket; "ready" is the time from exec to QMP answering query-status
 * with "prelaunch".  While QEMU starts, a private tracefs instance,
 * filtered to QEMU's threads, records the series' events:
 * IOMMU_IOAS_MAP / VFIO_IOMMU_MAP_DMA calls (time inside each from its
 * _start record to its end record of the same thread, bytes), pinned
 * pages, IOTLB syncs and the device attach.  Then QEMU quits through QMP (SIGKILL
 * after a timeout) and nothing may stay pinned (/proc/vmstat FOLL_PIN
 * counters).
 *
 * Each pair gives one iommufd/type1 ratio per timed figure (ready, map,
 * quit); the reported ratio is their geometric mean with a bootstrap 95%
 * CI over the pairs (lib/abba).  On a kernel without the series it
 * measures the ready and quit times alone and says so.
 *
 * This file: the options, the cases and the loop over the starts;
 * vmstart.h says where the rest is.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "abba.h"
#include "benchstat.h"
#include "cli.h"
#include "sysinfo.h"
#include "tracefs.h"
#include "vmstart.h"

const char *const be_names[BE_NR] = { "iommufd", "type1" };
const char *const bk_names[BK_NR] = { "anon", "hugetlb" };

struct vs_config cfg = {
	.append = "console=ttyS0",
	.qemu = "qemu-system-x86_64",
	.accel = "tcg",
	.progress = true,
	.pin_check = true,
	.backend_on = { true, true },
	.nsizes = -1,
	.repeat = -1,
	.timeout_s = 120,
	.buffer_kb = 8192,
	.smp = 1,
	.prealloc = -1,
	.seed = 1,
};
struct vs_host host;
volatile sig_atomic_t stop;

static const char usage[] =
	"usage: vmstart [-d BDF] [-b iommufd|type1|both] [-S SIZES] [-B BACKINGS]\n"
	"               [-r R] [--qemu PATH] [--accel tcg|kvm] [--smp N] [--boot K[,I]]\n"
	"               [--append ARGS] [--prealloc on|off|auto] [--hugetlbfs DIR]\n"
	"               [-T SEC] [--buffer-kb KB] [--no-pin-check] [-j] [-o FILE]\n"
	"               [-H HASH] [--seed S] [-q] [-v] [--quick] [--dry-run] [-h]\n"
	"               [-- QEMU-ARGS]\n"
	"\n"
	"VM start time with a passed-through vfio-pci device, iommufd vs VFIO type1:\n"
	"QEMU paused (-S) until QMP answers, and its DMA-map phase from the events;\n"
	"iommufd/type1 ratios over pairs of starts with a bootstrap 95% CI.\n"
	"\n"
	"  -d, --device BDF      PCI device (default: the one bound to vfio-pci)\n"
	"  -b, --backend WHICH   iommufd, type1 or both (default both)\n"
	"  -S, --ram-sizes LIST  guest RAM sizes (default 256m,512m,1g)\n"
	"  -B, --backing LIST    anon (memory-backend-ram), hugetlb (memory-backend-file\n"
	"                        on hugetlbfs, 2 MiB pages) (default anon,hugetlb)\n"
	"  -r, --repeat R        starts per case (default 6): R block pairs, one start\n"
	"                        of each backend, in ABBA order\n"
	"      --qemu PATH       QEMU binary (default qemu-system-x86_64 in PATH)\n"
	"      --accel A         tcg (default) or kvm (adds -cpu host)\n"
	"      --smp N           guest CPUs (default 1)\n"
	"      --boot K[,I]      add -kernel K [-initrd I] -append ARGS (for a guest\n"
	"                        booted from this command line without -S)\n"
	"      --append ARGS     kernel command line with --boot (default console=ttyS0)\n"
	"      --prealloc WHEN   prealloc=on for on, off or auto (default: hugetlb only)\n"
	"      --hugetlbfs DIR   hugetlbfs mount (default: the first 2 MiB one mounted)\n"
	"  -T, --timeout SEC     give up on a QEMU not ready after SEC (default 120)\n"
	"      --buffer-kb KB    trace buffer per CPU (default 8192)\n"
	"      --no-pin-check    do not require the FOLL_PIN count back after each QEMU\n"
	"  -j, --json            the JSON document on stdout instead of the table\n"
	"  -o, --output FILE     also write the JSON document to FILE\n"
	"  -H, --series HASH     series hash for the environment block\n"
	"                        (default: $IOASID_SERIES)\n"
	"      --seed S          which backend starts first in the first pair, and the\n"
	"                        bootstrap's seed (default 1)\n"
	"  -q, --no-progress     no progress lines on stderr\n"
	"  -v, --verbose         each QEMU command line and run's figures on stderr\n"
	"      --quick           tiny configuration for tests: -S 64m -r 2\n"
	"      --dry-run         print the QEMU command lines and exit\n"
	"  -h, --help            this help\n"
	"\n"
	"Arguments after -- are appended to every QEMU command line.  Sizes take m/g\n"
	"suffixes and are multiples of 2 MiB.  QEMU's QMP socket and log go in a\n"
	"directory in $TMPDIR (default /tmp), removed at exit.  Needs root.  Under\n"
	"emulation (QEMU TCG) compare the two backends within one run, not with hardware.\n";


void cleanup(void)
{
	qemu_cleanup();
	trace_cleanup();
}

void die(const char *fmt, ...)
{
	va_list ap;

	cleanup();
	fprintf(stderr, "vmstart: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static const struct sys_size_rule ram_rule = {
	SZ_2M, 16 * SZ_1M, 1ULL << 40, "RAM", "a multiple of 2 MiB from 16m to 1024g"
};

/* "512m", "1g", "1536m": QEMU-independent, for ids and tables. */
static const char *size_id(uint64_t b, char *buf, size_t len)
{
	if (b % (1ULL << 30) == 0)
		snprintf(buf, len, "%" PRIu64 "g", b >> 30);
	else
		snprintf(buf, len, "%" PRIu64 "m", b >> 20);
	return buf;
}

void case_id(const struct vcase *c, char *buf, size_t len)
{
	char sz[32];

	snprintf(buf, len, "%s-%s-%s", be_names[c->be], size_id(c->ram, sz, sizeof(sz)),
		 bk_names[c->bk]);
}

bool case_prealloc(const struct vcase *c)
{
	return cfg.prealloc < 0 ? c->bk == BK_HUGETLB : cfg.prealloc;
}


/* ---- options ---- */

enum { OPT_QEMU = 256, OPT_ACCEL, OPT_SMP, OPT_BOOT, OPT_APPEND, OPT_PREALLOC, OPT_HUGETLBFS,
       OPT_BUFKB, OPT_NOPIN, OPT_QUICK, OPT_DRY, OPT_SEED };

static const struct option longopts[] = {
	{ "device", required_argument, NULL, 'd' },
	{ "backend", required_argument, NULL, 'b' },
	{ "ram-sizes", required_argument, NULL, 'S' },
	{ "backing", required_argument, NULL, 'B' },
	{ "repeat", required_argument, NULL, 'r' },
	{ "qemu", required_argument, NULL, OPT_QEMU },
	{ "accel", required_argument, NULL, OPT_ACCEL },
	{ "smp", required_argument, NULL, OPT_SMP },
	{ "boot", required_argument, NULL, OPT_BOOT },
	{ "append", required_argument, NULL, OPT_APPEND },
	{ "prealloc", required_argument, NULL, OPT_PREALLOC },
	{ "hugetlbfs", required_argument, NULL, OPT_HUGETLBFS },
	{ "timeout", required_argument, NULL, 'T' },
	{ "buffer-kb", required_argument, NULL, OPT_BUFKB },
	{ "no-pin-check", no_argument, NULL, OPT_NOPIN },
	{ "json", no_argument, NULL, 'j' },
	{ "output", required_argument, NULL, 'o' },
	{ "series", required_argument, NULL, 'H' },
	{ "no-progress", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "quick", no_argument, NULL, OPT_QUICK },
	{ "dry-run", no_argument, NULL, OPT_DRY },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "help", no_argument, NULL, 'h' },
	{ 0 }
};

/* Usage error: the message and the usage on stderr; exit status 2. */
#define BAD(...) (cli_usage_error(usage, __VA_ARGS__), 2)

/* --boot K[,I] into cfg; 0 or 2. */
static int parse_boot(const char *s)
{
	const char *comma = strchr(s, ',');

	if (!*s || comma == s || (comma && (!comma[1] || strchr(comma + 1, ','))))
		return BAD("bad --boot '%s': KERNEL or KERNEL,INITRD", s);
	cfg.boot_opt = s;
	snprintf(cfg.boot_kernel, sizeof(cfg.boot_kernel), "%.*s",
		 comma ? (int)(comma - s) : (int)strlen(s), s);
	snprintf(cfg.boot_initrd, sizeof(cfg.boot_initrd), "%s", comma ? comma + 1 : "");
	return 0;
}

/* What is measured: -d -b -S -B -r.  0, 2 (usage error) or -1 (not one of them). */
static int parse_what(int opt, const char *arg)
{
	char err[256];
	bool *be = cfg.backend_on;

	switch (opt) {
	case 'd':
		cfg.bdf_opt = arg;
		return 0;
	case 'b':
		be[BE_IOMMUFD] = !strcmp(arg, "both") || !strcmp(arg, "iommufd");
		be[BE_TYPE1] = !strcmp(arg, "both") || !strcmp(arg, "type1");
		return be[BE_IOMMUFD] || be[BE_TYPE1] ? 0 :
		       BAD("bad backend '%s': iommufd, type1 or both", arg);
	case 'S':
		cfg.nsizes = sys_sizes(arg, cfg.sizes, MAX_SIZES, &ram_rule, err, sizeof(err));
		return cfg.nsizes < 0 ? BAD("%s", err) : 0;
	case 'B':
		if (cli_parse_names(arg, bk_names, BK_NR, cfg.backing_on, err, sizeof(err)))
			return BAD("bad backing '%s': anon or hugetlb", err);
		if (!cfg.backing_on[BK_ANON] && !cfg.backing_on[BK_HUGETLB])
			return BAD("no backing");
		return 0;
	case 'r':
		if (cli_parse_long(arg, 1, &cfg.repeat) || cfg.repeat > 1000)
			return BAD("-r takes a count from 1 to 1000");
		return 0;
	}
	return -1;
}

/* How QEMU runs: --qemu --accel --smp --boot --append --prealloc --hugetlbfs -T. */
static int parse_qemu(int opt, const char *arg)
{
	switch (opt) {
	case OPT_QEMU:
		if (!*arg)
			return BAD("--qemu takes a path");
		cfg.qemu = arg;
		return 0;
	case OPT_ACCEL:
		if (strcmp(arg, "tcg") && strcmp(arg, "kvm"))
			return BAD("bad accelerator '%s': tcg or kvm", arg);
		cfg.accel = arg;
		return 0;
	case OPT_SMP:
		if (cli_parse_long(arg, 1, &cfg.smp) || cfg.smp > 1024)
			return BAD("--smp takes 1 to 1024 CPUs");
		return 0;
	case OPT_BOOT:
		return parse_boot(arg);
	case OPT_APPEND:
		cfg.append = arg;
		return 0;
	case OPT_PREALLOC:
		cfg.prealloc = !strcmp(arg, "on") ? 1 : !strcmp(arg, "off") ? 0 :
			       !strcmp(arg, "auto") ? -1 : -2;
		return cfg.prealloc == -2 ? BAD("bad --prealloc '%s': on, off or auto", arg) : 0;
	case OPT_HUGETLBFS:
		cfg.hugetlbfs_opt = arg;
		return 0;
	case 'T':
		if (cli_parse_long(arg, 1, &cfg.timeout_s) || cfg.timeout_s > 86400)
			return BAD("-T takes seconds from 1 to 86400");
		return 0;
	}
	return -1;
}

/* The rest: tracing, output, modes.  @quick is set by --quick. */
static int parse_rest(int opt, const char *arg, bool *quick)
{
	long v;

	switch (opt) {
	case OPT_SEED:
		if (cli_parse_long(arg, 0, &v) || v > (1L << 30))
			return BAD("--seed takes 0 to 1073741824");
		cfg.seed = v;
		return 0;
	case OPT_BUFKB:
		if (cli_parse_long(arg, 64, &cfg.buffer_kb) || cfg.buffer_kb > (1L << 22))
			return BAD("--buffer-kb takes 64 to 4194304");
		return 0;
	case OPT_NOPIN:
		cfg.pin_check = false;
		return 0;
	case 'j':
		cfg.json_stdout = true;
		return 0;
	case 'o':
		cfg.json_path = arg;
		return 0;
	case 'H':
		cfg.series = arg;
		return 0;
	case 'q':
		cfg.progress = false;
		return 0;
	case 'v':
		cli_verbose = true;
		return 0;
	case OPT_QUICK:
		*quick = true;
		return 0;
	case OPT_DRY:
		cfg.dry_run = true;
		return 0;
	}
	fputs(usage, stderr);
	return 2;
}

/* The QEMU arguments after "--", the defaults; 0 or 2. */
static int parse_tail(int argc, char **argv, bool quick)
{
	if (optind < argc && !strcmp(argv[optind - 1], "--"))
		for (; optind < argc; optind++) {
			if (cfg.nextra == MAX_EXTRA)
				return BAD("at most %d QEMU arguments after --", MAX_EXTRA);
			cfg.extra[cfg.nextra++] = argv[optind];
		}
	if (optind != argc)
		return BAD("unexpected argument '%s' (QEMU arguments go after --)", argv[optind]);
	if (!cfg.series && getenv("IOASID_SERIES") && *getenv("IOASID_SERIES"))
		cfg.series = getenv("IOASID_SERIES");
	if (cfg.nsizes < 0 && quick) {
		cfg.sizes[0] = 64 * SZ_1M;
		cfg.nsizes = 1;
	} else if (cfg.nsizes < 0) {
		cfg.sizes[0] = 256 * SZ_1M, cfg.sizes[1] = 512 * SZ_1M, cfg.sizes[2] = 1024 * SZ_1M;
		cfg.nsizes = 3;
	}
	if (!cfg.backing_on[BK_ANON] && !cfg.backing_on[BK_HUGETLB])
		cfg.backing_on[BK_ANON] = cfg.backing_on[BK_HUGETLB] = true;
	if (cfg.repeat < 0)
		cfg.repeat = quick ? 2 : 6;
	return 0;
}

/* Every option into cfg: 0, 2 after a usage error, 1 after -h. */
static int parse_args(int argc, char **argv)
{
	bool quick = false;
	int opt, ret;

	while ((opt = getopt_long(argc, argv, "d:b:S:B:r:T:jo:H:qvh", longopts, NULL)) != -1) {
		if (opt == 'h') {
			fputs(usage, stdout);
			return 1;
		}
		ret = parse_what(opt, optarg);
		if (ret < 0)
			ret = parse_qemu(opt, optarg);
		if (ret < 0)
			ret = parse_rest(opt, optarg, &quick);
		if (ret)
			return ret;
	}
	return parse_tail(argc, argv, quick);
}

/* ---- the cases and the starts ---- */

/* Every size x backing x backend asked for, size then backing then backend. */
static struct vcase *make_cases(int *ncases)
{
	struct vcase *cases = calloc(cfg.nsizes * BK_NR * BE_NR, sizeof(*cases));
	int s, b, be, n = 0;

	if (!cases)
		die("out of memory");
	for (s = 0; s < cfg.nsizes; s++)
		for (b = 0; b < BK_NR; b++)
			for (be = 0; be < BE_NR; be++) {
				struct vcase *c = &cases[n];

				if (!cfg.backing_on[b] || !cfg.backend_on[be])
					continue;
				c->be = be;
				c->ram = cfg.sizes[s];
				c->bk = b;
				c->runs = calloc(cfg.repeat, sizeof(*c->runs));
				if (!c->runs)
					die("out of memory");
				n++;
			}
	*ncases = n;
	return cases;
}

/* --dry-run: each case's command line, with placeholders for what is missing. */
static void dry_run(const struct vcase *cases, int ncases)
{
	char base[PATH_MAX], sock[PATH_MAX + 32], err[512], id[64];
	struct argv a = { .n = 0 };
	int i;

	tmp_base(base, sizeof(base));
	snprintf(sock, sizeof(sock), "%s/" RUNDIR_NAME "/" SOCK_NAME,
		 strcmp(base, "/") ? base : "");
	if (resolve_qemu(cfg.qemu, host.qemu_path, sizeof(host.qemu_path)))
		snprintf(host.qemu_path, sizeof(host.qemu_path), "%s", cfg.qemu);
	if (cfg.bdf_opt) {
		if (sys_pci_bdf(cfg.bdf_opt, host.bdf, sizeof(host.bdf), err, sizeof(err)))
			die("%s", err);
	} else {
		find_device(err, sizeof(err));
		if (!host.bdf[0])
			snprintf(host.bdf, sizeof(host.bdf), "0000:00:03.0");
	}
	if (cfg.hugetlbfs_opt)
		snprintf(host.hugedir, sizeof(host.hugedir), "%s", cfg.hugetlbfs_opt);
	else if (find_hugetlbfs())
		snprintf(host.hugedir, sizeof(host.hugedir), "/dev/hugepages");
	for (i = 0; i < ncases; i++) {
		case_id(&cases[i], id, sizeof(id));
		printf("# %s\n", id);
		build_cmd(&cases[i], sock, &a);
		print_cmd(stdout, &a);
		argv_free(&a);
	}
}

/* The figures of a start on stderr (-v). */
static void print_run(const char *id, const struct run *r)
{
	if (host.tracing)
		fprintf(stderr, "vmstart: %s: ready %.1f ms, map %.1f ms in %" PRIu64 " calls, %"
			PRIu64 " bytes (QEMU's map: %" PRIu64 "), %" PRIu64 " pages pinned in %"
			PRIu64 " batches, %" PRIu64 " IOTLB syncs, quit %.1f ms\n", id, r->ready_ms,
			r->map_ms, r->map_calls, r->map_bytes, r->expected_bytes, r->pinned_pages,
			r->pin_calls, r->iotlb_syncs, r->quit_ms);
	else
		fprintf(stderr, "vmstart: %s: ready %.1f ms, quit %.1f ms\n", id, r->ready_ms,
			r->quit_ms);
}

/* Start @c once more, the @step-th start; on failure, no JSON file and exit 1. */
static void start(struct vcase *c, int step, int total, int pair, double t_start)
{
	struct run *r = &c->runs[c->n];
	char err[1024], id[64];

	case_id(c, id, sizeof(id));
	if (cfg.progress)
		fprintf(stderr, "[%*d/%d %7.1fs] %s, pair %d/%ld\n", total >= 10 ? 2 : 1, step,
			total, cli_now() - t_start, id, pair + 1, cfg.repeat);
	if (run_one(c, r, err, sizeof(err))) {
		if (cfg.json_path)
			unlink(cfg.json_path);
		die("%s", stop ? "interrupted" : err);
	}
	r->seq = step;
	c->n++;
	if (cli_verbose)
		print_run(id, r);
	if (stop) {
		if (cfg.json_path)
			unlink(cfg.json_path);
		die("interrupted");
	}
}

/*
 * R block pairs.  In pair j, every size and backing once, its two backends
 * back to back: iommufd first when abba_a_first(seed, j), so each
 * comparison runs in ABBA order (ab, ba, ab, ... or ba, ab, ...) and a
 * drift over the run weighs on both backends alike.  Each start is a
 * fresh QEMU opening the device.
 */
static void run_all(struct vcase *cases, int ncases)
{
	double t_start = cli_now();
	int total = ncases * cfg.repeat, step = 0, pair, i, k, grp;

	for (pair = 0; pair < cfg.repeat; pair++)
		for (i = 0; i < ncases; i += grp) {
			/* Cases of one size and backing: iommufd's, then type1's. */
			for (grp = 1; i + grp < ncases && cases[i + grp].ram == cases[i].ram &&
			     cases[i + grp].bk == cases[i].bk; grp++)
				;
			for (k = 0; k < grp; k++) {
				int which = abba_a_first(cfg.seed, pair) ? k : grp - 1 - k;

				start(&cases[i + which], ++step, total, pair, t_start);
			}
		}
	if (cfg.progress)
		fprintf(stderr, "done in %.1fs\n", cli_now() - t_start);
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct vcase *cases;
	FILE *jf = NULL;
	int ncases, ret;

	cli_name = "vmstart";
	ret = parse_args(argc, argv);
	if (ret)
		return ret == 1 ? 0 : ret;
	cases = make_cases(&ncases);
	if (cfg.dry_run) {
		dry_run(cases, ncases);
		return 0;
	}
	/* From here on a signal ends the run cleanly: the checks start QEMU too. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	precheck(cases, ncases);
	if (stop)
		die("interrupted");
	host.tracing = bstat_series_events();
	if (!host.tracing)
		fprintf(stderr, "vmstart: no ioasid-trace events in %s (a kernel without the "
			"series?): measuring the ready time only\n", tracefs_root());
	else
		trace_setup();
	if (cfg.json_path && !(jf = fopen(cfg.json_path, "w")))
		die("failed to create %s: %s", cfg.json_path, strerror(errno));

	run_all(cases, ncases);
	cleanup();
	if (jf) {
		write_json(jf, cases, ncases);
		if (fclose(jf))
			die("failed to write %s: %s", cfg.json_path, strerror(errno));
	}
	if (cfg.json_stdout)
		write_json(stdout, cases, ncases);
	else
		print_table(stdout, cases, ncases);
	return 0;
}
