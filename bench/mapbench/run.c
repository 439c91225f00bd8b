// SPDX-License-Identifier: GPL-2.0
/*
 * mapbench's workload: the buffers both backends map, the workers, and
 * the blocks of a case.  A case runs K block pairs; pair j runs one block
 * of each backend (mb.be[]), a first or b first as abba_a_first(seed, j)
 * says, so a drift during the run hits both alike.  Every block opens the
 * device afresh (a new IOAS or container), runs its own warm-up, then its
 * share of the measured rounds; the samples of all blocks are pooled per
 * backend, and each block's median is one figure of the comparison.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "benchstat.h"
#include "mapbench.h"

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif
#ifndef MAP_HUGE_2MB
#define MAP_HUGE_2MB (21 << 26)
#endif

/* Bytes of AnonHugePages in the mapping that starts at @addr. */
uint64_t thp_bytes(void *addr)
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
uint64_t phys_runs(void *addr, uint64_t len)
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


void buf_free(struct buf *b)
{
	if (b->map)
		munmap(b->map, b->maplen);
	memset(b, 0, sizeof(*b));
}

/* Allocate and fault in @len bytes of @bk memory; 0 or a message in @err. */
int buf_alloc(struct buf *b, uint64_t len, enum backing bk, char *err, size_t errlen)
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

/* ---- workers ---- */

struct worker {
	struct vdev *d;
	struct bcase *c;
	uint64_t iova;
	struct buf buf;
	long warmup;		/* unmeasured rounds of this block */
	unsigned long rounds;	/* measured rounds of this block */
	double stretch;		/* > 1: --inject-slowdown on this backend */
	pthread_barrier_t *go;
	uint64_t t0;		/* end of the warm-up */
	uint64_t *s[OP_NR];	/* where this thread's samples go */
	uint64_t *raw[OP_NR];	/* and, when stretched, the unstretched ones */
	size_t n;
	int ret;
	char err[256];
};

uint64_t io_stride(void)
{
	uint64_t m = SZ_2M;
	int i;

	for (i = 0; i < mb.n_io; i++)
		if (mb.io_sizes[i] > m)
			m = mb.io_sizes[i];
	return (m + SZ_2M - 1) & ~(SZ_2M - 1);
}

/*
 * The end of a call that began at @t0 and returned at @t1: @t1, or with
 * --inject-slowdown, spin until the call has taken @stretch times as long,
 * inside the timed region, so the slowdown is real for every statistic.
 */
static uint64_t stretch_call(const struct worker *w, uint64_t t0, uint64_t t1)
{
	uint64_t until;

	if (w->stretch <= 1)
		return t1;
	until = t0 + (uint64_t)llround((t1 - t0) * w->stretch);
	while (t1 < until)
		t1 = bstat_now_ns();
	return t1;
}

/* One map + unmap round; records the samples when @keep. */
static int round_trip(struct worker *w, bool keep)
{
	uint64_t t0, t1, t2, r1, r2, done = 0;
	int ret;

	t0 = bstat_now_ns();
	ret = vdev_map(w->d, w->buf.addr, w->iova, w->c->size);
	r1 = bstat_now_ns();
	t1 = stretch_call(w, t0, r1);
	if (ret)
		return ret;
	ret = vdev_unmap(w->d, w->iova, w->c->size, &done);
	r2 = bstat_now_ns();
	t2 = stretch_call(w, t1, r2);
	if (!ret && done != w->c->size)
		ret = -EIO;
	if (!ret && keep) {
		w->s[OP_MAP][w->n] = t1 - t0;
		w->s[OP_UNMAP][w->n] = t2 - t1;
		w->s[OP_BOTH][w->n] = t2 - t0;
		if (w->raw[OP_MAP]) {
			w->raw[OP_MAP][w->n] = r1 - t0;
			w->raw[OP_UNMAP][w->n] = r2 - t1;
			w->raw[OP_BOTH][w->n] = r1 - t0 + r2 - t1;
		}
		w->n++;
	}
	return ret;
}

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	long i;

	for (i = 0; !w->ret && !mb_stop && i < w->warmup; i++)
		w->ret = round_trip(w, false);
	/* Everyone starts measuring together, also after a failure. */
	if (w->go)
		pthread_barrier_wait(w->go);
	w->t0 = bstat_now_ns();
	for (i = 0; !w->ret && !mb_stop && (unsigned long)i < w->rounds; i++)
		w->ret = round_trip(w, true);
	if (w->ret)
		snprintf(w->err, sizeof(w->err), "%s", w->d->err);
	return NULL;
}

/* @nw workers at once, measuring from one barrier; the start into *t0. */
static int run_threads(struct worker *w, int nw, uint64_t *t0, char *err, size_t errlen)
{
	pthread_t tid[MAX_THREADS];
	pthread_barrier_t go;
	int i, started, ret = 0;

	if (nw == 1) {
		worker_run(&w[0]);
		*t0 = w[0].t0;
		return 0;
	}
	pthread_barrier_init(&go, NULL, nw + 1);
	for (i = 0; i < nw; i++) {
		w[i].go = &go;
		if (pthread_create(&tid[i], NULL, worker_run, &w[i]))
			break;
	}
	started = i;
	if (started < nw) {
		/* The barrier needs every party: give up before it. */
		mb_stop = 1;
		snprintf(err, errlen, "cannot start %d threads", nw);
		ret = -EAGAIN;
	} else {
		pthread_barrier_wait(&go);
		*t0 = bstat_now_ns();
	}
	for (i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	pthread_barrier_destroy(&go);
	return ret;
}

/* ---- blocks ---- */

/*
 * Measured rounds per thread of block @b: n0 / k0, the remainder spread
 * over the planned blocks; a block the second stage adds runs n0 / k0.
 */
static unsigned long block_rounds(const struct bcase *c, int b)
{
	return c->n0 / c->k0 + ((unsigned long)b < c->n0 % c->k0);
}

/*
 * Block @b of backend @be: open the device, warm up, measure, close; the
 * samples go after the blocks before it in c->r[be].
 */
static int run_block(struct bcase *c, int slot, int b, struct buf *bufs,
		     char *err, size_t errlen)
{
	enum vdev_backend be = mb.be[slot];
	struct result *r = &c->r[slot];
	unsigned long rounds = block_rounds(c, b);
	struct worker w[MAX_THREADS];
	uint64_t t0 = 0, t1;
	struct vdev d;
	int i, k, ret;

	ret = vdev_open(&d, mb.bdf, be);
	if (ret) {
		snprintf(err, errlen, "%s: %s", vdev_backend_name(be), d.err);
		return ret;
	}
	memset(w, 0, sizeof(w));
	for (i = 0; i < c->threads; i++) {
		w[i].d = &d;
		w[i].c = c;
		w[i].iova = mb.iova_base + i * io_stride();
		w[i].buf = bufs[i];
		/* VM-RAM: one unmeasured round unless -w 0. */
		w[i].warmup = c->pat == PAT_VM ? mb.warmup > 0 : mb.warmup;
		w[i].rounds = rounds;
		w[i].stretch = slot == 0 ? 1 + mb.slowdown_pct / 100 : 1;
		for (k = 0; k < OP_NR; k++) {
			w[i].s[k] = r->s[k].v + r->blk[b] + i * rounds;
			if (r->s[k].raw)
				w[i].raw[k] = r->s[k].raw + r->blk[b] + i * rounds;
		}
	}
	ret = run_threads(w, c->threads, &t0, err, errlen);
	t1 = bstat_now_ns();
	for (i = 0; i < c->threads && !ret; i++)
		if (w[i].ret) {
			ret = w[i].ret;
			snprintf(err, errlen, "%s: %s%s", vdev_backend_name(be), w[i].err,
				 ret == -ENOMEM ? " (RLIMIT_MEMLOCK or memory?)" : "");
		}
	if (!ret && mb_stop) {
		snprintf(err, errlen, "interrupted");
		ret = -EINTR;
	}
	if (!ret) {
		r->blk[b + 1] = r->blk[b] + rounds * c->threads;
		for (k = 0; k < OP_NR; k++)
			r->s[k].n = r->blk[b + 1];
		r->wall_s += (t1 - t0) / 1e9;
	}
	/* Closing unmaps and unpins whatever a failure left mapped. */
	vdev_close(&d);
	return ret;
}

/* The sample arrays of backend @be for kmax pairs; @stretched: also the unstretched calls. */
static int result_alloc(struct bcase *c, struct result *r, bool stretched)
{
	size_t total = 0;
	int b, k;

	for (b = 0; b < c->kmax; b++)
		total += block_rounds(c, b) * c->threads;
	r->blk = calloc(c->kmax + 1, sizeof(*r->blk));
	for (k = 0; k < OP_NR; k++) {
		r->s[k].v = malloc(total * sizeof(uint64_t));
		if (!r->s[k].v)
			return -ENOMEM;
		if (stretched && !(r->s[k].raw = malloc(total * sizeof(uint64_t))))
			return -ENOMEM;
	}
	return r->blk ? 0 : -ENOMEM;
}

/* The median of block @b's samples of @op (of the unstretched ones: @raw). */
static double block_median(const struct result *r, enum op op, int b, bool raw, double *tmp)
{
	const uint64_t *v = raw ? r->s[op].raw : r->s[op].v;
	size_t i, n = r->blk[b + 1] - r->blk[b];

	for (i = 0; i < n; i++)
		tmp[i] = v[r->blk[b] + i];
	return bstat_of(tmp, n).median;
}

/* Per op: the block medians of both backends and their ABBA summary. */
static int compare(struct bcase *c)
{
	double *tmp = malloc((c->n0 / c->k0 + 1) * c->threads * sizeof(double));
	int be, k, b;

	if (!tmp)
		return -ENOMEM;
	for (k = 0; k < OP_NR; k++) {
		bool raw = c->r[0].s[k].raw;

		for (be = 0; be < 2; be++) {
			c->med[be][k] = malloc(c->k * sizeof(double));
			if (!c->med[be][k])
				goto nomem;
			for (b = 0; b < c->k; b++)
				c->med[be][k][b] = block_median(&c->r[be], k, b, false, tmp);
		}
		abba_summarize(c->med[0][k], c->med[1][k], c->k, false,
			       c->seed, &c->cmp[k]);
		if (!raw)
			continue;
		c->med_raw[k] = malloc(c->k * sizeof(double));
		if (!c->med_raw[k])
			goto nomem;
		for (b = 0; b < c->k; b++)
			c->med_raw[k][b] = block_median(&c->r[0], k, b, true, tmp);
		abba_summarize(c->med_raw[k], c->med[1][k], c->k, false, c->seed,
			       &c->cmp_raw[k]);
	}
	free(tmp);
	return 0;
nomem:
	free(tmp);
	return -ENOMEM;
}

static void free_compare(struct bcase *c)
{
	int k;

	for (k = 0; k < OP_NR; k++) {
		free(c->med[0][k]);
		free(c->med[1][k]);
		free(c->med_raw[k]);
		c->med[0][k] = c->med[1][k] = c->med_raw[k] = NULL;
	}
}

/*
 * The second stage: from the spread of the first k0 pairs, the pairs a
 * 20% change needs (the largest over the operations), even so that the
 * orders balance, within [k0, kmax].  Estimated once (an internal pilot),
 * not re-tested after every pair, which would bias the CI.
 */
static int second_stage(struct bcase *c)
{
	int k, need = 0;

	if (compare(c))
		return -ENOMEM;
	for (k = 0; k < OP_NR; k++)
		if (c->cmp[k].k_for_20pct > need)
			need = c->cmp[k].k_for_20pct;
	free_compare(c);
	c->need = need;
	need += need & 1;
	c->k = need < c->k0 ? c->k0 : need > c->kmax ? c->kmax : need;
	return 0;
}

int run_case(struct bcase *c, struct buf *bufs, char *err, size_t errlen)
{
	int be, j, o, ret = 0;

	err[0] = 0;

	for (be = 0; be < mb.nbe && !ret; be++)
		if (result_alloc(c, &c->r[be], be == 0 && mb.slowdown_pct > 0))
			ret = -ENOMEM;
	for (j = 0; j < c->k && !ret; j++) {
		bool a_first = abba_a_first(c->seed, j);

		for (o = 0; o < 2 && !ret; o++) {
			be = (o == 0) == a_first ? 0 : 1;
			if (be < mb.nbe)
				ret = run_block(c, be, j, bufs, err, errlen);
		}
		if (!ret && j + 1 == c->k0 && c->kmax > c->k0)
			ret = second_stage(c);
	}
	if (ret == -ENOMEM && !err[0])
		snprintf(err, errlen, "out of memory");
	if (ret)
		return ret;
	c->n = c->r[0].blk[c->k] / c->threads;
	for (be = 0; be < 2; be++)
		c->r[be].done = be < mb.nbe;
	if (c->r[0].done && c->r[1].done && compare(c)) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	return 0;
}
