/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The NVMe driver's insides, shared by nvme.c (the controller: reset,
 * enable, identify, open/close) and nvme-queue.c (DMA memory, queues,
 * commands).  Not for users of nvme.h.
 */
#ifndef IOASID_BENCH_NVME_PRIV_H
#define IOASID_BENCH_NVME_PRIV_H

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "nvme.h"

#define REG_CAP 0x00
#define REG_VS 0x08
#define REG_CC 0x14
#define REG_CSTS 0x1c
#define REG_AQA 0x24
#define REG_ASQ 0x28
#define REG_ACQ 0x30
#define REG_DBS 0x1000

#define CC_EN (1u << 0)
#define CC_SHN_NORMAL (1u << 14)
#define CC_SHN_MASK (3u << 14)
#define CC_IOSQES (6u << 16)	/* 64-byte SQ entries */
#define CC_IOCQES (4u << 20)	/* 16-byte CQ entries */
#define CSTS_RDY (1u << 0)
#define CSTS_CFS (1u << 1)
#define CSTS_SHST_MASK (3u << 2)
#define CSTS_SHST_DONE (2u << 2)

#define ADM_DELETE_SQ 0x00
#define ADM_CREATE_SQ 0x01
#define ADM_DELETE_CQ 0x04
#define ADM_CREATE_CQ 0x05
#define ADM_IDENTIFY 0x06
#define ADM_SET_FEATURES 0x09
#define FEAT_NUM_QUEUES 0x07

#define ADMIN_DEPTH 32
#define NVME_MAX_XFER (1u << 20)	/* one PRP list page covers it */
#define IOVA_BASE 0x100000ULL
#define WANT_IOQ 64			/* I/O queue pairs asked for */

/* Record one line in c->err and return @err. */
static inline int cfail(struct nvme_ctrl *c, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
	return err;
}

/* Copy the lib/vfio error into c->err. */
static inline int vfail(struct nvme_ctrl *c, int err)
{
	snprintf(c->err, sizeof(c->err), "%s", c->dev.err);
	return err;
}

static inline uint32_t rd32(struct nvme_ctrl *c, unsigned int off)
{
	return *(volatile uint32_t *)(c->bar + off);
}

static inline void wr32(struct nvme_ctrl *c, unsigned int off, uint32_t v)
{
	*(volatile uint32_t *)(c->bar + off) = v;
}

static inline uint64_t rd64(struct nvme_ctrl *c, unsigned int off)
{
	return rd32(c, off) | (uint64_t)rd32(c, off + 4) << 32;
}

/* Two 32-bit writes, low half first: devices must accept that. */
static inline void wr64(struct nvme_ctrl *c, unsigned int off, uint64_t v)
{
	wr32(c, off, (uint32_t)v);
	wr32(c, off + 4, (uint32_t)(v >> 32));
}

static inline uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

/*
 * nvme-queue.c, each called with c->lock held; hidden: not part of the
 * fio engine's exported symbols.
 */
#define NVME_PRIV __attribute__((visibility("hidden")))
NVME_PRIV int nvme_dma_alloc_locked(struct nvme_ctrl *c, size_t len, struct nvme_dma *out);
NVME_PRIV void nvme_dma_free_locked(struct nvme_ctrl *c, struct nvme_dma *dma);
NVME_PRIV int nvme_queue_alloc(struct nvme_ctrl *c, struct nvme_queue *q, uint16_t qid,
			       unsigned int depth);
NVME_PRIV void nvme_queue_free(struct nvme_ctrl *c, struct nvme_queue *q);
/* One admin command, waited for; @what names it in c->err. */
NVME_PRIV int nvme_admin(struct nvme_ctrl *c, struct nvme_sqe *sqe, uint32_t *result,
			 const char *what);

#endif /* IOASID_BENCH_NVME_PRIV_H */
