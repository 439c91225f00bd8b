// SPDX-License-Identifier: GPL-2.0
/*
 * mapbench: the DMA-map path of a vfio-pci device through iommufd (cdev +
 * IOAS) and through a VFIO type1 container, same device, same run.
 *
 *   io  per-I/O pattern: map -> unmap of one small buffer at a fixed IOVA,
 *       N times after W warm-up rounds (what a strict vIOMMU makes a VMM
 *       do per guest I/O); also with T threads, each on its own IOVA range
 *   vm  VM-RAM pattern: one map + one unmap of a large buffer (guest RAM
 *       at VM start/stop), R times, backed by 4 KiB pages, THP or hugetlbfs
 *
 * Every call is timed on its own; the statistics come from the raw
 * samples, which the JSON document keeps.  Each (case, backend) opens the
 * device afresh, and the backend order alternates between cases so that
 * neither always runs first.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <linux/capability.h>

#include "benchstat.h"
#include "cli.h"
#include "hist.h"
#include "json.h"
#include "sysinfo.h"
#include "tracefs.h"
#include "vfio.h"

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif
#ifndef MAP_HUGE_2MB
#define MAP_HUGE_2MB (21 << 26)
#endif

#define SZ_4K		((uint64_t)4096)
#define SZ_2M		((uint64_t)2 << 20)
#define MAX_SIZES	16
#define MAX_THREADS	64

enum pattern { PAT_IO, PAT_VM };
enum backing { BK_ANON, BK_THP, BK_HUGETLB, BK_NR };
enum op { OP_MAP, OP_UNMAP, OP_BOTH, OP_NR };

static const char *const backing_names[BK_NR] = { "anon", "thp", "hugetlb" };
static const char *const op_names[OP_NR] = { "map", "unmap", "map+unmap" };

struct samples {
	uint64_t *v;		/* ns, one per call */
	size_t n;
};

struct result {
	bool done;
	struct samples s[OP_NR];
	double wall_s;		/* measured phase, all threads */
};

struct bcase {
	enum pattern pat;
	uint64_t size;
	enum backing bk;
	int threads;
	unsigned long n;	/* measured rounds per thread */
	/* The buffers, shared by both backends: what the IOMMU gets to map. */
	uint64_t phys_runs;	/* physically contiguous runs, all threads */
	uint64_t thp_bytes;	/* AnonHugePages behind them */
	struct result r[2];	/* by enum vdev_backend */
};

/* Options. */
static const char *bdf_opt, *json_path, *series;
static bool json_stdout, progress = true;
static bool run_backend[2] = { true, true };
static uint64_t io_sizes[MAX_SIZES], vm_sizes[MAX_SIZES];
static int n_io = -1, n_vm = -1;
static bool backing_on[BK_NR];
static bool backing_set;
static long iters = -1, warmup = -1, repeat = -1, threads = -1;
static uint64_t iova_base = 1ULL << 30;

static char bdf[64];
static struct bcase *cases;
static int ncases;
static volatile sig_atomic_t stop;
static double t_start;

static const char usage[] =
	"usage: mapbench [-d BDF] [-b iommufd|type1|both] [-s SIZES] [-S SIZES]\n"
	"                [-B BACKINGS] [-n N] [-w W] [-r R] [-t T] [-a IOVA]\n"
	"                [-j] [-o FILE] [-H HASH] [-q] [--quick] [-h]\n"
	"\n"
	"Map/unmap latency of a vfio-pci device through iommufd and VFIO type1.\n"
	"\n"
	"  -d, --device BDF      PCI device (default: the one bound to vfio-pci)\n"
	"  -b, --backend WHICH   iommufd, type1 or both (default both)\n"
	"  -s, --io-sizes LIST   per-I/O buffer sizes (default 4k,64k,2m; 'none')\n"
	"  -S, --vm-sizes LIST   VM-RAM sizes (default 256m,1g; 'none')\n"
	"  -B, --backing LIST    VM-RAM backing: anon,thp,hugetlb (default all)\n"
	"  -n, --iterations N    per-I/O measured rounds per thread (default 1000)\n"
	"  -w, --warmup W        per-I/O warm-up rounds (default 100); the VM-RAM\n"
	"                        pattern does one unmeasured round unless W is 0\n"
	"  -r, --repeat R        VM-RAM measured rounds (default 5)\n"
	"  -t, --threads T       threads of the multi-threaded per-I/O variant\n"
	"                        (default: online CPUs; 1 = no such variant)\n"
	"  -a, --iova ADDR       first IOVA (default 0x40000000); thread i uses\n"
	"                        ADDR + i * (largest per-I/O size, 2 MiB aligned)\n"
	"  -j, --json            the JSON document on stdout instead of the table\n"
	"  -o, --output FILE     also write the JSON document to FILE\n"
	"  -H, --series HASH     series hash for the environment block\n"
	"                        (default: $IOASID_SERIES)\n"
	"  -q, --no-progress     no progress lines on stderr\n"
	"      --quick           tiny configuration for tests: -s 4k,64k,2m -S 8m\n"
	"                        -n 20 -w 2 -r 2 -t 2 (explicit options win)\n"
	"  -h, --help            this help\n"
	"\n"
	"Sizes take k/m/g suffixes and are multiples of 4 KiB (hugetlb: 2 MiB).\n"
	"Needs root; without CAP_IPC_LOCK, RLIMIT_MEMLOCK must cover the\n"
	"largest case.  Figures under emulation (QEMU TCG) are for comparing the\n"
	"two backends within one run, not hardware numbers.\n";

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "mapbench: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static const char *size_str(uint64_t b, char *buf, size_t len)
{
	return hist_size_str(b, buf, len);
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
	stop = 1;
}

/* ---- environment ---- */

static bool have_cap_ipc_lock(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		return false;
	return data[CAP_IPC_LOCK / 32].effective & (1u << (CAP_IPC_LOCK % 32));
}

static void json_env(struct json *j)
{
	static const char *const systems[] = { "iommu", "iommufd", "vfio_iommu_type1" };
	char buf[256], path[256];
	struct rlimit rl;
	unsigned int i;

	bstat_env_begin(j);
	/* Events on while measuring change the figures: say so. */
	json_object_begin(j, "events_enable");
	for (i = 0; i < sizeof(systems) / sizeof(systems[0]); i++) {
		snprintf(path, sizeof(path), "%s/events/%s/enable",
			 tracefs_root() ? tracefs_root() : "/sys/kernel/tracing", systems[i]);
		bstat_read_line(path, buf, sizeof(buf));
		if (buf[0])
			json_string(j, systems[i], buf);
		else
			json_null(j, systems[i]);
	}
	json_object_end(j);
	bstat_host_json(j, series);
	json_bool(j, "cap_ipc_lock", have_cap_ipc_lock());
	getrlimit(RLIMIT_MEMLOCK, &rl);
	if (rl.rlim_cur == RLIM_INFINITY)
		json_null(j, "rlimit_memlock");
	else
		json_uint(j, "rlimit_memlock", rl.rlim_cur);
	json_string(j, "device", bdf);
	json_object_end(j);
}

/* ---- statistics over raw samples (lib/benchstat) ---- */

static void stats(const struct samples *s, struct bstat *st)
{
	if (bstat_of_u64(st, s->v, s->n))
		die("out of memory");
}

/* ---- memory ---- */

/* Bytes of AnonHugePages in the mapping that starts at @addr. */
static uint64_t thp_bytes(void *addr)
{
	char line[256];
	unsigned long start, end, want = (unsigned long)addr;
	uint64_t v = 0;
	bool in = false;
	FILE *f = fopen("/proc/self/smaps", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		/* Mapping headers start "start-end "; field lines "Name:". */
		if (sscanf(line, "%lx-%lx ", &start, &end) == 2) {
			in = want >= start && want < end;
			continue;
		}
		if (in && !strncmp(line, "AnonHugePages:", 14))
			v += strtoull(line + 14, NULL, 10) << 10;
	}
	fclose(f);
	return v;
}

/*
 * Physically contiguous runs in [@addr, +@len) from /proc/self/pagemap
 * (PFNs need CAP_SYS_ADMIN): how many pieces the IOMMU map is cut into
 * before any huge-page handling.  0 if unknown.
 */
static uint64_t phys_runs(void *addr, uint64_t len)
{
	uint64_t e[512], prev = 0, runs = 0, off, i, n;
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	for (off = 0; off < len; off += n * SZ_4K) {
		n = (len - off) / SZ_4K < 512 ? (len - off) / SZ_4K : 512;
		if (pread(fd, e, n * 8, ((uintptr_t)addr + off) / SZ_4K * 8) != (ssize_t)(n * 8)) {
			runs = 0;
			break;
		}
		for (i = 0; i < n; i++) {
			uint64_t pfn = e[i] & ((1ULL << 55) - 1);

			if (!(e[i] >> 63) || !pfn) {
				close(fd);
				return 0;
			}
			if (!runs || pfn != prev + 1)
				runs++;
			prev = pfn;
		}
	}
	close(fd);
	return runs;
}

struct buf {
	void *map;		/* what munmap() takes */
	size_t maplen;
	void *addr;		/* 2 MiB aligned for THP */
	uint64_t len;
};

static void buf_free(struct buf *b)
{
	if (b->map)
		munmap(b->map, b->maplen);
	memset(b, 0, sizeof(*b));
}

/* Allocate and fault in @len bytes of @bk memory; 0 or a message in @err. */
static int buf_alloc(struct buf *b, uint64_t len, enum backing bk, char *err, size_t errlen)
{
	char sz[32];
	size_t i;

	memset(b, 0, sizeof(*b));
	b->len = len;
	if (bk == BK_HUGETLB) {
		b->maplen = len;
		b->map = mmap(NULL, len, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_HUGE_2MB, -1, 0);
	} else {
		/* Room to align THP buffers to 2 MiB. */
		b->maplen = len + (bk == BK_THP ? SZ_2M : 0);
		b->map = mmap(NULL, b->maplen, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	}
	if (b->map == MAP_FAILED) {
		b->map = NULL;
		snprintf(err, errlen, "cannot allocate %s of %s memory: %s",
			 size_str(len, sz, sizeof(sz)), backing_names[bk], strerror(errno));
		return -1;
	}
	b->addr = b->map;
	if (bk == BK_THP)
		b->addr = (void *)(((uintptr_t)b->map + SZ_2M - 1) & ~(SZ_2M - 1));
	if (bk != BK_HUGETLB &&
	    madvise(b->addr, len, bk == BK_THP ? MADV_HUGEPAGE : MADV_NOHUGEPAGE)) {
		snprintf(err, errlen, "madvise(%s) failed: %s",
			 bk == BK_THP ? "MADV_HUGEPAGE" : "MADV_NOHUGEPAGE", strerror(errno));
		buf_free(b);
		return -1;
	}
	/* Fault everything in now, outside the timed calls. */
	if (madvise(b->addr, len, MADV_POPULATE_WRITE)) {
		if (errno != EINVAL) {
			snprintf(err, errlen, "cannot fault in %s of %s memory: %s",
				 size_str(len, sz, sizeof(sz)), backing_names[bk], strerror(errno));
			buf_free(b);
			return -1;
		}
		for (i = 0; i < len; i += SZ_4K)
			((volatile char *)b->addr)[i] = 1;
	}
	return 0;
}

/* ---- the cases ---- */

struct worker {
	struct vdev *d;
	struct bcase *c;
	int idx;
	uint64_t iova;
	struct buf buf;
	pthread_barrier_t *go;
	uint64_t t0;		/* single thread: end of the warm-up */
	uint64_t *s[OP_NR];	/* this thread's samples */
	size_t n;
	int ret;
	char err[256];
};

static uint64_t io_stride(void)
{
	uint64_t m = SZ_2M;
	int i;

	for (i = 0; i < n_io; i++)
		if (io_sizes[i] > m)
			m = io_sizes[i];
	return (m + SZ_2M - 1) & ~(SZ_2M - 1);
}

/* One map + unmap round; records the samples when @keep. */
static int round_trip(struct worker *w, bool keep)
{
	uint64_t t0, t1, t2, done = 0;
	int ret;

	t0 = bstat_now_ns();
	ret = vdev_map(w->d, w->buf.addr, w->iova, w->c->size);
	t1 = bstat_now_ns();
	if (ret)
		return ret;
	ret = vdev_unmap(w->d, w->iova, w->c->size, &done);
	t2 = bstat_now_ns();
	if (!ret && done != w->c->size)
		ret = -EIO;
	if (!ret && keep) {
		w->s[OP_MAP][w->n] = t1 - t0;
		w->s[OP_UNMAP][w->n] = t2 - t1;
		w->s[OP_BOTH][w->n] = t2 - t0;
		w->n++;
	}
	return ret;
}

static void *io_worker(void *arg)
{
	struct worker *w = arg;
	long i;

	for (i = 0; !w->ret && !stop && i < warmup; i++)
		w->ret = round_trip(w, false);
	/* Everyone starts measuring together, also after a failure. */
	if (w->go)
		pthread_barrier_wait(w->go);
	w->t0 = bstat_now_ns();
	for (i = 0; !w->ret && !stop && (unsigned long)i < w->c->n; i++)
		w->ret = round_trip(w, true);
	if (w->ret)
		snprintf(w->err, sizeof(w->err), "%s", w->d->err);
	return NULL;
}

static int run_case(struct bcase *c, enum vdev_backend be, struct buf *bufs, char *err,
		    size_t errlen)
{
	struct worker w[MAX_THREADS];
	pthread_t tid[MAX_THREADS];
	pthread_barrier_t go;
	struct result *r = &c->r[be];
	struct vdev d;
	uint64_t t0 = 0, t1;
	int i, k, ret = 0, started = 0;

	ret = vdev_open(&d, bdf, be);
	if (ret) {
		snprintf(err, errlen, "%s: %s", vdev_backend_name(be), d.err);
		return ret;
	}
	memset(w, 0, sizeof(w));
	for (i = 0; i < c->threads; i++) {
		w[i].d = &d;
		w[i].c = c;
		w[i].idx = i;
		w[i].iova = iova_base + i * io_stride();
		for (k = 0; k < OP_NR; k++) {
			w[i].s[k] = calloc(c->n, sizeof(uint64_t));
			if (!w[i].s[k]) {
				snprintf(err, errlen, "out of memory");
				ret = -ENOMEM;
				goto out;
			}
		}
		w[i].buf = bufs[i];
	}

	if (c->pat == PAT_VM) {
		/* One unmeasured round first unless -w 0. */
		if (warmup > 0)
			ret = round_trip(&w[0], false);
		t0 = bstat_now_ns();
		for (i = 0; !ret && !stop && (unsigned long)i < c->n; i++)
			ret = round_trip(&w[0], true);
		if (ret)
			snprintf(w[0].err, sizeof(w[0].err), "%s", d.err);
		w[0].ret = ret;
	} else if (c->threads == 1) {
		io_worker(&w[0]);
		t0 = w[0].t0;
	} else {
		pthread_barrier_init(&go, NULL, c->threads + 1);
		for (i = 0; i < c->threads; i++) {
			w[i].go = &go;
			if (pthread_create(&tid[i], NULL, io_worker, &w[i]))
				break;
		}
		started = i;
		if (started < c->threads) {
			/* The barrier needs every party: give up before it. */
			stop = 1;
			snprintf(err, errlen, "cannot start %d threads", c->threads);
			ret = -EAGAIN;
		} else {
			pthread_barrier_wait(&go);
			t0 = bstat_now_ns();
		}
		for (i = 0; i < started; i++)
			pthread_join(tid[i], NULL);
		pthread_barrier_destroy(&go);
		if (ret)
			goto out;
	}
	t1 = bstat_now_ns();
	for (i = 0; i < c->threads; i++)
		if (w[i].ret && !ret) {
			ret = w[i].ret;
			snprintf(err, errlen, "%s: %s%s", vdev_backend_name(be), w[i].err,
				 ret == -ENOMEM ? " (RLIMIT_MEMLOCK or memory?)" : "");
		}
	if (!ret && stop) {
		snprintf(err, errlen, "interrupted");
		ret = -EINTR;
	}
	if (!ret) {
		for (k = 0; k < OP_NR; k++) {
			r->s[k].v = malloc(c->n * c->threads * sizeof(uint64_t));
			if (!r->s[k].v) {
				snprintf(err, errlen, "out of memory");
				ret = -ENOMEM;
				goto out;
			}
			for (i = 0; i < c->threads; i++) {
				memcpy(r->s[k].v + r->s[k].n, w[i].s[k], w[i].n * sizeof(uint64_t));
				r->s[k].n += w[i].n;
			}
		}
		r->wall_s = (t1 - t0) / 1e9;
		r->done = true;
	}
out:
	for (i = 0; i < c->threads; i++)
		for (k = 0; k < OP_NR; k++)
			free(w[i].s[k]);
	/* Closing unmaps and unpins whatever a failure left mapped. */
	vdev_close(&d);
	return ret;
}

/* ---- checks before anything is pinned ---- */

static uint64_t case_span(const struct bcase *c)
{
	return c->pat == PAT_VM ? c->size : (c->threads - 1) * io_stride() + c->size;
}

static void precheck(void)
{
	uint64_t pin_peak = 0, mem_peak = 0, huge_peak = 0, span = 0, avail, total;
	char a[32], b[32], iova_err[512] = "";
	struct rlimit rl;
	long free_huge;
	int i, be;

	for (i = 0; i < ncases; i++) {
		struct bcase *c = &cases[i];
		uint64_t bytes = c->size * c->threads;

		if (bytes > pin_peak)
			pin_peak = bytes;
		if (c->bk == BK_HUGETLB && c->size > huge_peak)
			huge_peak = c->size;
		else if (c->bk != BK_HUGETLB && bytes > mem_peak)
			mem_peak = bytes;
		if (case_span(c) > span)
			span = case_span(c);
	}

	/*
	 * The device first: open each backend once and query its IOVA
	 * ranges; a range problem is reported after the size checks.
	 */
	for (be = 0; be < 2; be++) {
		struct vdev d;

		if (!run_backend[be])
			continue;
		if (vdev_open(&d, bdf, be))
			die("%s: %s", vdev_backend_name(be), d.err);
		if (!iova_err[0] && vdev_iova_check(&d, iova_base, span))
			snprintf(iova_err, sizeof(iova_err),
				 "%s: IOVA range unavailable: %s (the cases need [%#" PRIx64
				 ", +%s); choose another with -a)", vdev_backend_name(be), d.err,
				 iova_base, size_str(span, a, sizeof(a)));
		vdev_close(&d);
	}

	total = sys_meminfo("MemTotal");
	avail = sys_meminfo("MemAvailable");
	if (total && mem_peak > total)
		die("impossible size: a case needs %s of memory, the machine has %s",
		    size_str(mem_peak, a, sizeof(a)), size_str(total & ~((1ULL << 20) - 1), b, sizeof(b)));
	if (total && huge_peak > total)
		die("impossible size: a hugetlb case needs %s, the machine has %s",
		    size_str(huge_peak, a, sizeof(a)), size_str(total & ~((1ULL << 20) - 1), b, sizeof(b)));
	/* Leave 64 MiB to the rest of the system. */
	if (avail && mem_peak + (64ULL << 20) > avail)
		die("a case needs %s of memory but only %s is available (MemAvailable less 64M); "
		    "use smaller sizes or more memory", size_str(mem_peak, a, sizeof(a)),
		    size_str(avail > (64ULL << 20) ? (avail - (64ULL << 20)) & ~((1ULL << 20) - 1) : 0,
			     b, sizeof(b)));
	if (huge_peak) {
		free_huge = sys_read_long(SYS_HUGEDIR_2M "/free_hugepages");
		if (free_huge < 0)
			die("no hugetlbfs 2 MiB pages in this kernel (%s missing; CONFIG_HUGETLBFS?)",
			    SYS_HUGEDIR_2M);
		if ((uint64_t)free_huge < huge_peak / SZ_2M)
			die("hugetlbfs has %ld free 2 MiB pages, the %s hugetlb case needs %" PRIu64
			    ": reserve them (echo %" PRIu64 " > /proc/sys/vm/nr_hugepages) or drop "
			    "hugetlb from -B", free_huge, size_str(huge_peak, a, sizeof(a)),
			    huge_peak / SZ_2M,
			    huge_peak / SZ_2M + sys_read_long("/proc/sys/vm/nr_hugepages") - free_huge);
	}
	/* Both backends account pinned pages to RLIMIT_MEMLOCK unless CAP_IPC_LOCK. */
	if (!have_cap_ipc_lock() && !getrlimit(RLIMIT_MEMLOCK, &rl) &&
	    rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < pin_peak)
		die("RLIMIT_MEMLOCK is %s and the process lacks CAP_IPC_LOCK, but the largest case "
		    "pins %s: raise it (ulimit -l, prlimit --memlock) or keep CAP_IPC_LOCK",
		    size_str(rl.rlim_cur & ~1023ULL, a, sizeof(a)), size_str(pin_peak, b, sizeof(b)));
	if (iova_err[0])
		die("%s", iova_err);
}

/* ---- output ---- */

static void json_stats(struct json *j, const char *key, const struct samples *s)
{
	struct bstat st;
	size_t i;

	stats(s, &st);
	json_object_begin(j, key);
	bstat_json(j, &st);
	json_array_begin(j, "samples");
	for (i = 0; i < s->n; i++)
		json_uint(j, NULL, s->v[i]);
	json_array_end(j);
	json_object_end(j);
}

static double median_of(const struct samples *s)
{
	struct bstat st;

	stats(s, &st);
	return st.median;
}

static void case_id(const struct bcase *c, char *buf, size_t len)
{
	char sz[32];

	snprintf(buf, len, "%s-%s-%s-t%d", c->pat == PAT_IO ? "io" : "vm",
		 size_str(c->size, sz, sizeof(sz)), backing_names[c->bk], c->threads);
}

static void write_json(FILE *f)
{
	struct json j;
	char id[64];
	int i, k, be;

	json_init(&j, f);
	json_object_begin(&j, NULL);
	json_string(&j, "tool", "mapbench");
	json_int(&j, "version", 1);
	json_string(&j, "unit", "ns");
	json_env(&j);
	json_object_begin(&j, "config");
	json_uint(&j, "iterations", iters);
	json_uint(&j, "warmup", warmup);
	json_uint(&j, "repeat", repeat);
	json_uint(&j, "threads", threads);
	json_uint(&j, "iova", iova_base);
	json_array_begin(&j, "backends");
	for (be = 0; be < 2; be++)
		if (run_backend[be])
			json_string(&j, NULL, vdev_backend_name(be));
	json_array_end(&j);
	json_array_begin(&j, "io_sizes");
	for (i = 0; i < n_io; i++)
		json_uint(&j, NULL, io_sizes[i]);
	json_array_end(&j);
	json_array_begin(&j, "vm_sizes");
	for (i = 0; i < n_vm; i++)
		json_uint(&j, NULL, vm_sizes[i]);
	json_array_end(&j);
	json_array_begin(&j, "backings");
	for (i = 0; i < BK_NR; i++)
		if (backing_on[i])
			json_string(&j, NULL, backing_names[i]);
	json_array_end(&j);
	json_object_end(&j);

	json_array_begin(&j, "cases");
	for (i = 0; i < ncases; i++) {
		struct bcase *c = &cases[i];

		case_id(c, id, sizeof(id));
		json_object_begin(&j, NULL);
		json_string(&j, "id", id);
		json_string(&j, "pattern", c->pat == PAT_IO ? "io" : "vm");
		json_uint(&j, "bytes", c->size);
		json_string(&j, "backing", backing_names[c->bk]);
		json_int(&j, "threads", c->threads);
		json_uint(&j, "n", c->n);
		json_uint(&j, "phys_runs", c->phys_runs);
		json_uint(&j, "thp_bytes", c->thp_bytes);
		json_object_begin(&j, "results");
		for (be = 0; be < 2; be++) {
			struct result *r = &c->r[be];

			if (!r->done)
				continue;
			json_object_begin(&j, vdev_backend_name(be));
			for (k = 0; k < OP_NR; k++)
				json_stats(&j, op_names[k], &r->s[k]);
			json_double(&j, "wall_s", r->wall_s);
			json_double(&j, "ops_per_s", r->wall_s > 0 ? r->s[OP_BOTH].n / r->wall_s : 0);
			json_object_end(&j);
		}
		json_object_end(&j);
		/* iommufd median / type1 median, per operation. */
		json_object_begin(&j, "ratio");
		for (k = 0; k < OP_NR; k++) {
			double t = c->r[VDEV_TYPE1].done ? median_of(&c->r[VDEV_TYPE1].s[k]) : 0;

			if (c->r[VDEV_IOMMUFD].done && t > 0)
				json_double(&j, op_names[k],
					    median_of(&c->r[VDEV_IOMMUFD].s[k]) / t);
			else
				json_null(&j, op_names[k]);
		}
		json_object_end(&j);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_object_end(&j);
}

/* ns as "123ns", "12.3us", "4.56ms", "1.23s" in @buf. */
static const char *tstr(double ns, char *buf, size_t len)
{
	if (ns < 1e3)
		snprintf(buf, len, "%.0fns", ns);
	else if (ns < 1e6)
		snprintf(buf, len, "%.3gus", ns / 1e3);
	else if (ns < 1e9)
		snprintf(buf, len, "%.3gms", ns / 1e6);
	else
		snprintf(buf, len, "%.3gs", ns / 1e9);
	return buf;
}

static void print_stats_cols(FILE *f, const struct result *r, int k)
{
	char a[16], b[16], c[16];
	struct bstat st;

	if (!r->done) {
		fprintf(f, " %8s %8s %8s %5s", "-", "-", "-", "-");
		return;
	}
	stats(&r->s[k], &st);
	fprintf(f, " %8s %8s %8s %4.0f%%", tstr(st.median, a, sizeof(a)),
		tstr(st.p99, b, sizeof(b)), tstr(st.min, c, sizeof(c)), st.cv * 100);
}

static void print_env_line(FILE *f)
{
	char plat[64], cpu[128];
	struct utsname u;

	uname(&u);
	bstat_cpu_model(cpu, sizeof(cpu));
	fprintf(f, "# %s, kernel %s, series events %s%s%s, %s (%ld CPUs), device %s\n",
		bstat_platform(plat, sizeof(plat)), u.release,
		tracefs_event_exists("iommufd", "iommufd_ioas_map") == 1 ? "yes" : "no",
		series ? ", series " : "", series ? series : "", cpu,
		sysconf(_SC_NPROCESSORS_ONLN), bdf);
}

static void print_table(FILE *f)
{
	char sz[32];
	int i, k;

	print_env_line(f);
	fprintf(f, "# per call: median, p99, min and CV over N samples (threads x rounds); "
		"RUNS: physically\n# contiguous runs in the buffers; "
		"RATIO = iommufd median / type1 median\n");
	fprintf(f, "%-3s %5s %-7s %3s %5s %6s %-9s | %-8s %8s %8s %5s | %-8s %8s %8s %5s | %6s\n",
		"PAT", "SIZE", "BACKING", "THR", "N", "RUNS", "OP", "iommufd", "p99", "min", "CV",
		"type1", "p99", "min", "CV", "RATIO");
	for (i = 0; i < ncases; i++) {
		struct bcase *c = &cases[i];

		for (k = 0; k < OP_NR; k++) {
			const struct result *ri = &c->r[VDEV_IOMMUFD], *rt = &c->r[VDEV_TYPE1];
			size_t n = ri->done ? ri->s[k].n : rt->done ? rt->s[k].n : 0;

			fprintf(f, "%-3s %5s %-7s %3d %5zu %6" PRIu64 " %-9s |",
				c->pat == PAT_IO ? "io" : "vm", size_str(c->size, sz, sizeof(sz)),
				backing_names[c->bk], c->threads, n, c->phys_runs, op_names[k]);
			print_stats_cols(f, ri, k);
			fprintf(f, " |");
			print_stats_cols(f, rt, k);
			if (ri->done && rt->done && median_of(&rt->s[k]) > 0)
				fprintf(f, " | %6.2f\n", median_of(&ri->s[k]) / median_of(&rt->s[k]));
			else
				fprintf(f, " | %6s\n", "-");
		}
	}
}

/* ---- main ---- */

static void add_case(enum pattern pat, uint64_t size, enum backing bk, int nthreads,
		     unsigned long n)
{
	struct bcase *c;

	cases = realloc(cases, (ncases + 1) * sizeof(*cases));
	if (!cases)
		die("out of memory");
	c = &cases[ncases++];
	memset(c, 0, sizeof(*c));
	c->pat = pat;
	c->size = size;
	c->bk = bk;
	c->threads = nthreads;
	c->n = n;
}

int main(int argc, char **argv)
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
		{ "iova", required_argument, NULL, 'a' },
		{ "json", no_argument, NULL, 'j' },
		{ "output", required_argument, NULL, 'o' },
		{ "series", required_argument, NULL, 'H' },
		{ "no-progress", no_argument, NULL, 'q' },
		{ "quick", no_argument, NULL, 'Q' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct sigaction sa = { .sa_handler = on_signal };
	bool quick = false;
	char err[512], sz[32];
	FILE *jf = NULL;
	int opt, i, b, be, total, step = 0, ret = 0;
	char *end;

	cli_name = "mapbench";
	while ((opt = getopt_long(argc, argv, "d:b:s:S:B:n:w:r:t:a:jo:H:qh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'd':
			bdf_opt = optarg;
			break;
		case 'b':
			if (!strcmp(optarg, "both")) {
				run_backend[0] = run_backend[1] = true;
			} else {
				enum vdev_backend x;

				if (vdev_backend_parse(optarg, &x)) {
					cli_usage_error(usage, "bad backend '%s': iommufd, type1 or both",
							optarg);
					return 2;
				}
				run_backend[0] = run_backend[1] = false;
				run_backend[x] = true;
			}
			break;
		case 's':
			if ((n_io = parse_sizes(optarg, io_sizes, &io_rule)) < 0)
				return 2;
			break;
		case 'S':
			if ((n_vm = parse_sizes(optarg, vm_sizes, &vm_rule)) < 0)
				return 2;
			break;
		case 'B':
			if (cli_parse_names(optarg, backing_names, BK_NR, backing_on, err, sizeof(err))) {
				cli_usage_error(usage, "bad backing '%s': anon, thp or hugetlb", err);
				return 2;
			}
			backing_set = true;
			break;
		case 'n':
		case 'r':
			if (cli_parse_long(optarg, 1, opt == 'n' ? &iters : &repeat) ||
			    (opt == 'n' ? iters : repeat) > 10000000) {
				cli_usage_error(usage, "-%c takes a count from 1 to 10000000", opt);
				return 2;
			}
			break;
		case 'w':
			if (cli_parse_long(optarg, 0, &warmup) || warmup > 10000000) {
				cli_usage_error(usage, "-w takes a count from 0 to 10000000");
				return 2;
			}
			break;
		case 't':
			if (cli_parse_long(optarg, 1, &threads) || threads > MAX_THREADS) {
				cli_usage_error(usage, "-t takes 1 to %d threads", MAX_THREADS);
				return 2;
			}
			break;
		case 'a':
			errno = 0;
			iova_base = strtoull(optarg, &end, 0);
			if (errno || end == optarg || *end || iova_base % SZ_4K) {
				cli_usage_error(usage, "bad IOVA '%s': a 4 KiB aligned address", optarg);
				return 2;
			}
			break;
		case 'j':
			json_stdout = true;
			break;
		case 'o':
			json_path = optarg;
			break;
		case 'H':
			series = optarg;
			break;
		case 'q':
			progress = false;
			break;
		case 'Q':
			quick = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (optind != argc) {
		cli_usage_error(usage, "unexpected argument '%s'", argv[optind]);
		return 2;
	}
	if (!series && getenv("IOASID_SERIES") && *getenv("IOASID_SERIES"))
		series = getenv("IOASID_SERIES");

	/* Defaults, or the tiny configuration; explicit options win. */
	if (n_io < 0) {
		io_sizes[0] = 4096, io_sizes[1] = 64 << 10, io_sizes[2] = 2 << 20;
		n_io = 3;
	}
	if (n_vm < 0) {
		vm_sizes[0] = quick ? 8 << 20 : 256 << 20;
		vm_sizes[1] = 1 << 30;
		n_vm = quick ? 1 : 2;
	}
	if (!backing_set)
		for (i = 0; i < BK_NR; i++)
			backing_on[i] = true;
	if (iters < 0)
		iters = quick ? 20 : 1000;
	if (warmup < 0)
		warmup = quick ? 2 : 100;
	if (repeat < 0)
		repeat = quick ? 2 : 5;
	if (threads < 0) {
		threads = quick ? 2 : sysconf(_SC_NPROCESSORS_ONLN);
		if (threads < 1)
			threads = 1;
		if (threads > MAX_THREADS)
			threads = MAX_THREADS;
	}
	for (i = 0; i < n_vm; i++)
		if (backing_on[BK_HUGETLB] && vm_sizes[i] % SZ_2M) {
			cli_usage_error(usage, "VM-RAM size %s is not a multiple of 2 MiB (hugetlb)",
					size_str(vm_sizes[i], sz, sizeof(sz)));
			return 2;
		}
	if (iova_base + (uint64_t)(threads - 1) * io_stride() + (1ULL << 40) < iova_base) {
		cli_usage_error(usage, "IOVA %#" PRIx64 " leaves no room for the cases", iova_base);
		return 2;
	}

	for (i = 0; i < n_io; i++)
		add_case(PAT_IO, io_sizes[i], BK_ANON, 1, iters);
	if (threads > 1)
		for (i = 0; i < n_io; i++)
			add_case(PAT_IO, io_sizes[i], BK_ANON, threads, iters);
	for (i = 0; i < n_vm; i++)
		for (b = 0; b < BK_NR; b++)
			if (backing_on[b])
				add_case(PAT_VM, vm_sizes[i], b, 1, repeat);
	if (!ncases) {
		cli_usage_error(usage, "no cases: -s none and -S none (or no backing)");
		return 2;
	}

	/* Checks in the order a user would fix them. */
	if (geteuid())
		die("must run as root: it opens /dev/vfio and /dev/iommu and pins memory");
	if (run_backend[VDEV_IOMMUFD] && access("/dev/iommu", F_OK))
		die("no /dev/iommu (kernel without CONFIG_IOMMUFD?); -b type1 runs without it");
	if (bdf_opt) {
		snprintf(bdf, sizeof(bdf), "%s", bdf_opt);
	} else if (sys_pci_vfio_find(bdf, sizeof(bdf), err, sizeof(err))) {
		die("%s (-d BDF)", err);
	}
	precheck();

	if (json_path) {
		jf = fopen(json_path, "w");
		if (!jf)
			die("cannot write %s: %s", json_path, strerror(errno));
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	t_start = cli_now();
	total = 0;
	for (i = 0; i < ncases; i++)
		total += run_backend[0] + run_backend[1];
	for (i = 0; i < ncases && !ret; i++) {
		struct bcase *c = &cases[i];
		struct buf bufs[MAX_THREADS] = { 0 };
		char id[64];
		int o, t;

		case_id(c, id, sizeof(id));
		/* Both backends map the same buffers: same pages, same runs. */
		if (progress && c->pat == PAT_VM)
			fprintf(stderr, "[%*d/%d %7.1fs] %s: allocating\n", total >= 10 ? 2 : 1,
				step + 1, total, cli_now() - t_start, id);
		for (t = 0; t < c->threads && !ret; t++) {
			if (buf_alloc(&bufs[t], c->size, c->bk, err, sizeof(err)))
				ret = 1;
			c->phys_runs += phys_runs(bufs[t].addr, c->size);
			if (c->bk != BK_HUGETLB)
				c->thp_bytes += thp_bytes(bufs[t].addr);
		}
		/* Alternate which backend goes first. */
		for (o = 0; o < 2 && !ret; o++) {
			be = (i + o) % 2;
			if (!run_backend[be])
				continue;
			step++;
			if (progress)
				fprintf(stderr, "[%*d/%d %7.1fs] %s %s\n", total >= 10 ? 2 : 1, step,
					total, cli_now() - t_start, id, vdev_backend_name(be));
			if (run_case(c, be, bufs, err, sizeof(err)))
				ret = 1;
		}
		for (t = 0; t < c->threads; t++)
			buf_free(&bufs[t]);
	}
	if (ret) {
		if (jf) {
			fclose(jf);
			unlink(json_path);
		}
		die("%s", err);
	}
	if (progress)
		fprintf(stderr, "done in %.1fs\n", cli_now() - t_start);
	if (jf) {
		write_json(jf);
		if (fclose(jf))
			die("cannot write %s: %s", json_path, strerror(errno));
	}
	if (json_stdout)
		write_json(stdout);
	else
		print_table(stdout);
	return 0;
}
