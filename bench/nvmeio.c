// SPDX-License-Identifier: GPL-2.0
/*
 * nvmeio: drive the userspace NVMe driver (bench/nvme/) from the shell:
 * identify, read, write with a verifiable pattern, flush, and a loop of
 * I/O to be killed (the next open must reset the controller).  Each run
 * opens, resets, enables, identifies, does its I/O on one queue pair,
 * deletes the queues, shuts the controller down and unmaps everything.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "nvme.h"

static const char usage[] =
	"usage: nvmeio [-d BDF] [-b iommufd|type1|compat] [-m static|perio] [-n NSID] [-o OFF]\n"
	"              CMD ...\n"
	"\n"
	"  identify                   controller and namespace\n"
	"  write SLBA NLB SEED        write NLB blocks of the SEED pattern at SLBA\n"
	"  read SLBA NLB [SEED]       read NLB blocks; with SEED, verify the pattern\n"
	"  flush                      flush the namespace\n"
	"  loop SECONDS               alternate 4 KiB writes and reads (QD 8) for SECONDS\n"
	"\n"
	"  -d BDF     PCI device bound to vfio-pci (default 0000:00:03.0)\n"
	"  -b WHICH   DMA backend: iommufd (default), type1 or compat\n"
	"  -m MODE    static: buffers mapped once (default); perio: map per I/O\n"
	"  -n NSID    namespace (default 1)\n"
	"  -o OFF     the data starts OFF bytes into its page (multiple of 4; PRP1 offset)\n"
	"  -q DEPTH   commands in flight, 1..64 (default 32)\n"
	"  -h         this help\n";

static void die_usage(const char *msg, const char *arg)
{
	fprintf(stderr, "nvmeio: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
	exit(2);
}

static int parse_u64(const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno || end == s || *end || *s == '-' ? -EINVAL : 0;
}

/* The 8-byte word @w of block @lba in the pattern of @seed. */
static uint64_t pattern(uint64_t seed, uint64_t lba, uint64_t w)
{
	uint64_t x = seed * 0x9e3779b97f4a7c15ULL ^ lba * 0xff51afd7ed558ccdULL ^ w;

	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	return x ^ (x >> 29);
}

struct buf {
	struct nvme_dma dma;	/* static mode */
	void *mem;		/* perio mode */
	size_t len;
	char *data;
};

static int buf_get(struct nvme_ctrl *c, struct buf *b, size_t len, size_t off)
{
	memset(b, 0, sizeof(*b));
	b->len = len + off + NVME_PAGE;
	if (c->mapmode == NVME_MAP_STATIC) {
		if (nvme_dma_alloc(c, b->len, &b->dma))
			return -1;
		b->data = (char *)b->dma.va + off;
	} else {
		b->mem = mmap(NULL, b->len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			      -1, 0);
		if (b->mem == MAP_FAILED) {
			snprintf(c->err, sizeof(c->err), "out of memory");
			return -1;
		}
		b->data = (char *)b->mem + off;
	}
	return 0;
}

static void buf_put(struct nvme_ctrl *c, struct buf *b)
{
	if (b->dma.va)
		nvme_dma_free(c, &b->dma);
	if (b->mem && b->mem != MAP_FAILED)
		munmap(b->mem, b->len);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Keep @depth 4 KiB I/Os in flight for @secs; print the count. */
static int loop(struct nvme_ctrl *c, struct nvme_queue *q, unsigned int depth, double secs)
{
	unsigned int bs = 4096, nlb = bs >> c->lba_shift, i, inflight = 0;
	/* The upper half of the namespace: the tests keep their data below. */
	uint64_t done = 0, nblocks = c->nsze / nlb / 2, base = nblocks * nlb;
	struct nvme_cpl cpl[64];
	struct buf b;
	double end = now_s() + secs;
	char sbuf[96];
	int n, ret = 0;

	if (depth > 64)
		depth = 64;
	if (buf_get(c, &b, (size_t)depth * bs, 0))
		return -1;
	printf("looping %.0f s at QD %u\n", secs, depth);
	fflush(stdout);
	for (i = 0; i < depth; i++) {
		ret = nvme_submit(c, q, i & 1 ? NVME_CMD_READ : NVME_CMD_WRITE, b.data + i * bs,
				  base + (uint64_t)(i % nblocks) * nlb, nlb, (void *)(uintptr_t)i);
		if (ret)
			goto out;
		inflight++;
	}
	while (inflight) {
		n = nvme_poll(c, q, cpl, 64);
		for (i = 0; i < (unsigned int)n; i++) {
			unsigned int slot = (uintptr_t)cpl[i].ctx;

			inflight--;
			done++;
			if (cpl[i].status) {
				snprintf(c->err, sizeof(c->err), "I/O failed: %s",
					 nvme_status_str(cpl[i].status, sbuf, sizeof(sbuf)));
				ret = -EIO;
				goto out;
			}
			if (now_s() < end) {
				ret = nvme_submit(c, q, done & 1 ? NVME_CMD_READ : NVME_CMD_WRITE,
						  b.data + slot * bs, base + (done % nblocks) * nlb, nlb,
						  cpl[i].ctx);
				if (ret)
					goto out;
				inflight++;
			}
		}
	}
	printf("%llu I/Os\n", (unsigned long long)done);
out:
	buf_put(c, &b);
	return ret;
}

struct args {
	const char *bdf, *cmd;
	enum vdev_backend backend;
	enum nvme_mapmode mode;
	uint64_t nsid, off, depth, slba, nlb, seed;	/* loop: seed is SECONDS */
	int have_seed;
};

/* The command's operands into @a (exits 2 on bad ones). */
static void parse_operands(int argc, char **argv, struct args *a)
{
	if (optind >= argc)
		die_usage("no command (identify, read, write, flush, loop)", NULL);
	a->cmd = argv[optind++];
	if (!strcmp(a->cmd, "read") || !strcmp(a->cmd, "write")) {
		int want = !strcmp(a->cmd, "write") ? 3 : 2;

		if (argc - optind < want || argc - optind > 3)
			die_usage(want == 3 ? "write needs SLBA NLB SEED" : "read needs SLBA NLB [SEED]",
				  NULL);
		if (parse_u64(argv[optind], &a->slba))
			die_usage("bad SLBA", argv[optind]);
		if (parse_u64(argv[optind + 1], &a->nlb) || !a->nlb || a->nlb > 0x10000)
			die_usage("NLB must be 1..65536", argv[optind + 1]);
		if (argc - optind == 3) {
			if (parse_u64(argv[optind + 2], &a->seed))
				die_usage("bad SEED", argv[optind + 2]);
			a->have_seed = 1;
		}
	} else if (!strcmp(a->cmd, "loop")) {
		if (argc - optind != 1 || parse_u64(argv[optind], &a->seed) || !a->seed)
			die_usage("loop needs SECONDS", NULL);
	} else if (strcmp(a->cmd, "identify") && strcmp(a->cmd, "flush")) {
		die_usage("unknown command", a->cmd);
	} else if (argc != optind) {
		die_usage("too many arguments", argv[optind]);
	}
}

/* 0 to go on, 1 after -h (exit 0), 2 on an unknown option; exits 2 on bad values. */
static int parse_args(int argc, char **argv, struct args *a)
{
	int opt;

	while ((opt = getopt(argc, argv, "d:b:m:n:o:q:h")) != -1) {
		switch (opt) {
		case 'd': a->bdf = optarg; break;
		case 'b':
			if (vdev_backend_parse(optarg, &a->backend))
				die_usage("-b must be iommufd, type1 or compat", optarg);
			break;
		case 'm':
			if (nvme_mapmode_parse(optarg, &a->mode))
				die_usage("-m must be static or perio", optarg);
			break;
		case 'n':
			if (parse_u64(optarg, &a->nsid) || a->nsid > 0xffffffffULL)
				die_usage("-n needs a namespace ID", optarg);
			break;
		case 'o':
			if (parse_u64(optarg, &a->off) || a->off % 4 || a->off >= NVME_PAGE)
				die_usage("-o needs a multiple of 4 below 4096", optarg);
			break;
		case 'q':
			if (parse_u64(optarg, &a->depth) || a->depth < 1 || a->depth > 64)
				die_usage("-q needs a depth of 1..64", optarg);
			break;
		case 'h': fputs(usage, stdout); return 1;
		default: fputs(usage, stderr); return 2;
		}
	}
	parse_operands(argc, argv, a);
	return 0;
}

static void print_identity(const struct nvme_ctrl *c, const struct args *a)
{
	printf("bdf %s backend %s mapmode %s\n", c->dev.bdf, vdev_backend_name(a->backend),
	       nvme_mapmode_name(a->mode));
	printf("model '%s' serial '%s' firmware '%s'\n", c->mn, c->sn, c->fr);
	printf("cap %#llx mqes %u dstrd %u timeout_ms %u max_xfer %u io_queues %u\n",
	       (unsigned long long)c->cap, c->mqes, c->dstrd, c->ready_ms, c->max_xfer, c->max_ioq);
	printf("namespace %u of %u: %llu blocks of %u bytes (%llu MiB)\n", c->nsid, c->nn,
	       (unsigned long long)c->nsze, 1u << c->lba_shift,
	       (unsigned long long)((c->nsze << c->lba_shift) >> 20));
}

/* A read's data against the seed's pattern: 0, or -EIO with c->err set. */
static int verify(struct nvme_ctrl *c, const uint64_t *w, size_t len, const struct args *a)
{
	size_t words = ((size_t)1 << c->lba_shift) / 8, first = 0, bad = 0, i;

	for (i = 0; i < len / 8; i++)
		if (w[i] != pattern(a->seed, a->slba + i / words, i % words) && !bad++)
			first = i;
	if (!bad)
		return 0;
	snprintf(c->err, sizeof(c->err),
		 "%zu of %zu words differ from seed %llu (first at LBA %llu byte %zu)",
		 bad, len / 8, (unsigned long long)a->seed,
		 (unsigned long long)(a->slba + first / words), (first % words) * 8);
	return -EIO;
}

/* read or write: a pattern written, or read (and verified with a seed). */
static int read_write(struct nvme_ctrl *c, struct nvme_queue *q, struct buf *b,
		      const struct args *a)
{
	size_t len = a->nlb << c->lba_shift, words = ((size_t)1 << c->lba_shift) / 8, i;
	int wr = !strcmp(a->cmd, "write"), ret;
	uint64_t *w, sum = 0;

	ret = buf_get(c, b, len, a->off);
	if (ret)
		return ret;
	w = (uint64_t *)b->data;
	if (wr)
		for (i = 0; i < len / 8; i++)
			w[i] = pattern(a->seed, a->slba + i / words, i % words);
	else
		memset(b->data, 0xa5, len);
	ret = nvme_io(c, q, wr ? NVME_CMD_WRITE : NVME_CMD_READ, b->data, a->slba,
		      (uint32_t)a->nlb);
	if (!ret && !wr && a->have_seed)
		ret = verify(c, w, len, a);
	if (ret)
		return ret;
	for (i = 0; i < len / 8; i++)
		sum = sum * 31 + w[i];
	printf("%s %llu blocks at LBA %llu: ok%s sum %016llx\n", a->cmd,
	       (unsigned long long)a->nlb, (unsigned long long)a->slba,
	       a->have_seed && !wr ? ", verified," : "", (unsigned long long)sum);
	return 0;
}

int main(int argc, char **argv)
{
	struct args a = { .bdf = "0000:00:03.0", .backend = VDEV_IOMMUFD,
			   .mode = NVME_MAP_STATIC, .nsid = 1, .depth = 32 };
	struct nvme_ctrl c;
	struct nvme_queue q;
	struct buf b = { 0 };
	int ret, qp = 0;

	ret = parse_args(argc, argv, &a);
	if (ret)
		return ret == 1 ? 0 : 2;
	ret = nvme_open(&c, a.bdf, a.backend, (uint32_t)a.nsid, a.mode);
	if (ret) {
		fprintf(stderr, "nvmeio: %s\n", c.err);
		return 1;
	}
	if (!strcmp(a.cmd, "identify")) {
		print_identity(&c, &a);
		goto out;
	}
	ret = nvme_qpair_create(&c, &q, a.depth >= c.mqes ? c.mqes - 1u : (unsigned int)a.depth);
	if (ret)
		goto out;
	qp = 1;
	if (!strcmp(a.cmd, "flush")) {
		ret = nvme_io(&c, &q, NVME_CMD_FLUSH, NULL, 0, 0);
		if (!ret)
			printf("flush ok\n");
	} else if (!strcmp(a.cmd, "loop")) {
		ret = loop(&c, &q, a.depth, (double)a.seed);
	} else {
		ret = read_write(&c, &q, &b, &a);
	}
out:
	if (ret)
		fprintf(stderr, "nvmeio: %s\n", c.err);
	buf_put(&c, &b);
	if (qp && nvme_qpair_delete(&c, &q) && !ret) {
		fprintf(stderr, "nvmeio: %s\n", c.err);
		ret = -EIO;
	}
	nvme_close(&c);
	return ret ? 1 : 0;
}
