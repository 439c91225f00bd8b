/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mapbench's pieces, in the order the data flows:
 *
 *   ../mapbench.c  options, the case list, main()
 *   check.c        checks before anything is pinned, the environment
 *   run.c          buffers, workers, the ABBA blocks of a case, and the
 *                  comparisons of its blocks (lib/abba)
 *   output.c       the JSON document and the table
 */
#ifndef IOASID_BENCH_MAPBENCH_H
#define IOASID_BENCH_MAPBENCH_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "abba.h"
#include "hist.h"
#include "vfio.h"

#define SZ_4K		((uint64_t)4096)
#define SZ_2M		((uint64_t)2 << 20)
#define MAX_SIZES	16
#define MAX_THREADS	64

enum pattern { PAT_IO, PAT_VM };
enum backing { BK_ANON, BK_THP, BK_HUGETLB, BK_NR };
enum op { OP_MAP, OP_UNMAP, OP_BOTH, OP_NR };

extern const char *const backing_names[BK_NR];
extern const char *const op_names[OP_NR];

struct samples {
	uint64_t *v;		/* ns, one per call; block after block */
	uint64_t *raw;		/* --inject-slowdown: each call before its stretch */
	size_t n;
};

struct result {
	bool done;
	struct samples s[OP_NR];
	size_t *blk;		/* block b's samples: [blk[b], blk[b + 1]) */
	double wall_s;		/* measured phases, all threads, all blocks */
};

struct bcase {
	enum pattern pat;
	uint64_t size;
	enum backing bk;
	int threads;
	unsigned long n;	/* measured rounds per thread, all blocks */
	int k;			/* block pairs; a block runs about n0 / k0 rounds */
	/* Two-stage K (-K, -R): k0 planned pairs of n0 rounds, then up to kmax. */
	unsigned long n0;
	int k0, kmax;
	int need;		/* the k0 pairs' estimate of the pairs for 20%; 0: none */
	unsigned long seed;	/* block order and bootstrap: --seed + case index */
	/* The buffers, shared by both backends: what the IOMMU gets to map. */
	uint64_t phys_runs;	/* physically contiguous runs, all threads */
	uint64_t thp_bytes;	/* AnonHugePages behind them */
	struct result r[2];	/* by slot: mb.be[0] (a), mb.be[1] (b) */
	/* Both backends ran: per op, the block medians and their comparison. */
	double *med[2][OP_NR];
	struct abba cmp[OP_NR];	/* a = mb.be[0], b = mb.be[1] */
	/* --inject-slowdown: the same comparison of the unstretched calls. */
	double *med_raw[OP_NR];
	struct abba cmp_raw[OP_NR];
};

struct buf {
	void *map;		/* what munmap() takes */
	size_t maplen;
	void *addr;		/* 2 MiB aligned for THP */
	uint64_t len;
};

/* The options, set once by main(). */
struct mb_config {
	const char *json_path, *series;
	bool json_stdout, progress;
	/* -b: one or two backends, a and b of every ratio (a/b) */
	enum vdev_backend be[2];
	int nbe;
	uint64_t io_sizes[MAX_SIZES], vm_sizes[MAX_SIZES];
	int n_io, n_vm;
	bool backing_on[BK_NR];
	long iters, warmup, repeat, threads;
	long blocks;		/* -k: per-I/O block pairs */
	long max_blocks, max_repeat;	/* -K, -R: two-stage pair counts; 0: off */
	unsigned long seed;
	double slowdown_pct;	/* --inject-slowdown: a's calls this much slower */
	uint64_t iova_base;
	char bdf[64];
};

extern struct mb_config mb;
extern struct bcase *cases;
extern int ncases;
extern volatile sig_atomic_t mb_stop;

static inline const char *size_str(uint64_t b, char *buf, size_t len)
{
	return hist_size_str(b, buf, len);
}

void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* check.c */
bool have_cap_ipc_lock(void);
void precheck(void);
void json_env(struct json *j);

/* run.c */
uint64_t io_stride(void);
int buf_alloc(struct buf *b, uint64_t len, enum backing bk, char *err, size_t errlen);
void buf_free(struct buf *b);
uint64_t phys_runs(void *addr, uint64_t len);
uint64_t thp_bytes(void *addr);
/* Every block pair of @c on @bufs, then its comparisons; 0 or -errno, @err. */
int run_case(struct bcase *c, struct buf *bufs, char *err, size_t errlen);

/* output.c */
void case_id(const struct bcase *c, char *buf, size_t len);
void write_json(FILE *f);
void print_table(FILE *f);

#endif
