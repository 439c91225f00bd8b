// SPDX-License-Identifier: GPL-2.0
/*
 * Polled userspace NVMe driver over VFIO (see nvme.h).  Register and
 * queue layouts from the NVMe Base Specification 2.0: CAP/CC/CSTS/AQA/
 * ASQ/ACQ, doorbells at 0x1000 with a 4 << CAP.DSTRD stride, 64-byte SQ
 * and 16-byte CQ entries, PRP1/PRP2 with one PRP list page per command.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

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
static int cfail(struct nvme_ctrl *c, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
	return err;
}

/* Copy the lib/vfio error into c->err. */
static int vfail(struct nvme_ctrl *c, int err)
{
	snprintf(c->err, sizeof(c->err), "%s", c->dev.err);
	return err;
}

static uint32_t rd32(struct nvme_ctrl *c, unsigned int off)
{
	return *(volatile uint32_t *)(c->bar + off);
}

static void wr32(struct nvme_ctrl *c, unsigned int off, uint32_t v)
{
	*(volatile uint32_t *)(c->bar + off) = v;
}

static uint64_t rd64(struct nvme_ctrl *c, unsigned int off)
{
	return rd32(c, off) | (uint64_t)rd32(c, off + 4) << 32;
}

/* Two 32-bit writes, low half first: devices must accept that. */
static void wr64(struct nvme_ctrl *c, unsigned int off, uint64_t v)
{
	wr32(c, off, (uint32_t)v);
	wr32(c, off + 4, (uint32_t)(v >> 32));
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

const char *nvme_mapmode_name(enum nvme_mapmode m)
{
	return m == NVME_MAP_STATIC ? "static" : "perio";
}

int nvme_mapmode_parse(const char *s, enum nvme_mapmode *m)
{
	if (!strcmp(s, "static"))
		*m = NVME_MAP_STATIC;
	else if (!strcmp(s, "perio"))
		*m = NVME_MAP_PERIO;
	else
		return -EINVAL;
	return 0;
}

const char *nvme_status_str(uint16_t status, char *buf, size_t len)
{
	unsigned int sc = status & 0xff, sct = (status >> 8) & 7;
	const char *s = NULL;

	if (sct == 0) {
		switch (sc) {
		case 0x00: s = "Successful Completion"; break;
		case 0x01: s = "Invalid Command Opcode"; break;
		case 0x02: s = "Invalid Field in Command"; break;
		case 0x03: s = "Command ID Conflict"; break;
		case 0x04: s = "Data Transfer Error"; break;
		case 0x05: s = "Aborted due to Power Loss"; break;
		case 0x06: s = "Internal Error"; break;
		case 0x07: s = "Command Abort Requested"; break;
		case 0x08: s = "Aborted due to SQ Deletion"; break;
		case 0x0b: s = "Invalid Namespace or Format"; break;
		case 0x0d: s = "Invalid SGL/PRP Offset"; break;
		case 0x13: s = "Invalid PRP Offset"; break;
		case 0x80: s = "LBA Out of Range"; break;
		case 0x81: s = "Capacity Exceeded"; break;
		case 0x82: s = "Namespace Not Ready"; break;
		}
	} else if (sct == 1) {
		switch (sc) {
		case 0x00: s = "Completion Queue Invalid"; break;
		case 0x01: s = "Invalid Queue Identifier"; break;
		case 0x02: s = "Invalid Queue Size"; break;
		case 0x08: s = "Invalid Interrupt Vector"; break;
		case 0x0c: s = "Invalid Queue Deletion"; break;
		case 0x80: s = "Conflicting Attributes"; break;
		}
	} else if (sct == 2) {
		switch (sc) {
		case 0x80: s = "Write Fault"; break;
		case 0x81: s = "Unrecovered Read Error"; break;
		case 0x82: s = "End-to-end Guard Check Error"; break;
		case 0x85: s = "Compare Failure"; break;
		case 0x86: s = "Access Denied"; break;
		case 0x87: s = "Deallocated or Unwritten Logical Block"; break;
		}
	}
	snprintf(buf, len, "%s (sct %#x, sc %#x%s)", s ? s : "unknown status", sct, sc,
		 status & (1u << 14) ? ", do not retry" : "");
	return buf;
}

/* ---- DMA memory and IOVA space ---- */

/* Reserve @len bytes of IOVA (page multiple); lock held. */
static int iova_alloc(struct nvme_ctrl *c, uint64_t len, uint64_t *iova)
{
	uint64_t at = c->iova_next;

	if (vdev_iova_check(&c->dev, at, len))
		return vfail(c, -ENOSPC);
	c->iova_next = at + len;
	*iova = at;
	return 0;
}

/* The DMA region memory without the bookkeeping; lock held. */
static int dma_alloc_locked(struct nvme_ctrl *c, size_t len, struct nvme_dma *out)
{
	uint64_t iova;
	void *va;
	int ret;

	len = (len + NVME_PAGE - 1) & ~(size_t)(NVME_PAGE - 1);
	if (!len)
		return cfail(c, -EINVAL, "DMA buffer of 0 bytes");
	va = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE,
		  -1, 0);
	if (va == MAP_FAILED)
		return cfail(c, -errno, "failed to allocate %zu bytes of DMA memory: %s", len,
			     strerror(errno));
	ret = iova_alloc(c, len, &iova);
	if (!ret && vdev_map(&c->dev, va, iova, len))
		ret = vfail(c, -EFAULT);
	if (ret) {
		munmap(va, len);
		return ret;
	}
	out->va = va;
	out->iova = iova;
	out->len = len;
	return 0;
}

static void dma_free_locked(struct nvme_ctrl *c, struct nvme_dma *dma)
{
	if (!dma->va)
		return;
	vdev_unmap(&c->dev, dma->iova, dma->len, NULL);
	munmap(dma->va, dma->len);
	memset(dma, 0, sizeof(*dma));
}

int nvme_dma_alloc(struct nvme_ctrl *c, size_t len, struct nvme_dma *out)
{
	int ret, i;

	pthread_mutex_lock(&c->lock);
	for (i = 0; i < NVME_MAX_DMA && c->dma[i].va; i++)
		;
	if (i == NVME_MAX_DMA)
		ret = cfail(c, -ENOSPC, "more than %d DMA regions", NVME_MAX_DMA);
	else
		ret = dma_alloc_locked(c, len, &c->dma[i]);
	if (!ret)
		*out = c->dma[i];
	pthread_mutex_unlock(&c->lock);
	return ret;
}

void nvme_dma_free(struct nvme_ctrl *c, struct nvme_dma *dma)
{
	int i;

	pthread_mutex_lock(&c->lock);
	for (i = 0; i < NVME_MAX_DMA; i++)
		if (dma->va && c->dma[i].va == dma->va)
			dma_free_locked(c, &c->dma[i]);
	memset(dma, 0, sizeof(*dma));
	pthread_mutex_unlock(&c->lock);
}

/* The IOVA of [@buf, @buf + @len) inside a static DMA region. */
static int dma_lookup(struct nvme_ctrl *c, void *buf, size_t len, uint64_t *iova)
{
	uintptr_t p = (uintptr_t)buf;
	int i, ret = -EINVAL;

	pthread_mutex_lock(&c->lock);
	for (i = 0; i < NVME_MAX_DMA; i++) {
		uintptr_t va = (uintptr_t)c->dma[i].va;

		if (va && p >= va && p + len <= va + c->dma[i].len) {
			*iova = c->dma[i].iova + (p - va);
			ret = 0;
			break;
		}
	}
	pthread_mutex_unlock(&c->lock);
	if (ret)
		cfail(c, ret, "buffer %p (+%zu) is not in a DMA region (static map mode)", buf, len);
	return ret;
}

/* ---- queues ---- */

static void queue_free(struct nvme_ctrl *c, struct nvme_queue *q)
{
	dma_free_locked(c, &q->sq_dma);
	dma_free_locked(c, &q->cq_dma);
	dma_free_locked(c, &q->prp_dma);
	free(q->slots);
	q->slots = NULL;
}

/* Memory and doorbells of queue @qid with @depth entries; lock held. */
static int queue_alloc(struct nvme_ctrl *c, struct nvme_queue *q, uint16_t qid,
		       unsigned int depth)
{
	int ret;

	memset(q, 0, sizeof(*q));
	q->qid = qid;
	q->depth = depth;
	q->phase = 1;
	q->slots = calloc(depth, sizeof(*q->slots));
	if (!q->slots)
		return cfail(c, -ENOMEM, "out of memory");
	ret = dma_alloc_locked(c, depth * sizeof(struct nvme_sqe), &q->sq_dma);
	if (!ret)
		ret = dma_alloc_locked(c, depth * sizeof(struct nvme_cqe), &q->cq_dma);
	if (!ret)
		ret = dma_alloc_locked(c, (size_t)depth * NVME_PAGE, &q->prp_dma);
	if (!ret && c->mapmode == NVME_MAP_PERIO)
		ret = iova_alloc(c, (uint64_t)depth * (c->max_xfer + NVME_PAGE), &q->perio_iova);
	if (ret) {
		queue_free(c, q);
		return ret;
	}
	q->sq = q->sq_dma.va;
	q->cq = q->cq_dma.va;
	q->sq_db = (volatile uint32_t *)(c->bar + REG_DBS + (2 * qid) * c->dstrd);
	q->cq_db = (volatile uint32_t *)(c->bar + REG_DBS + (2 * qid + 1) * c->dstrd);
	return 0;
}

/* A free command slot (cid) of @q, or -1. */
static int slot_get(struct nvme_queue *q)
{
	unsigned int i, cid;

	if (q->inflight >= (unsigned int)q->depth - 1)
		return -1;
	/* Start after the last tail: slots free in roughly FIFO order. */
	for (i = 0; i < q->depth; i++) {
		cid = (q->sq_tail + i) % q->depth;
		if (!q->slots[cid].busy)
			return cid;
	}
	return -1;
}

/* Copy @sqe (with @cid) to the tail and ring the doorbell. */
static void sq_push(struct nvme_queue *q, struct nvme_sqe *sqe, uint16_t cid)
{
	sqe->cdw0 = (sqe->cdw0 & 0xffff) | (uint32_t)cid << 16;
	memcpy((void *)&q->sq[q->sq_tail], sqe, sizeof(*sqe));
	q->sq_tail = (q->sq_tail + 1) % q->depth;
	q->slots[cid].busy = 1;
	q->inflight++;
	if (!q->defer_db)
		nvme_ring(q);
}

void nvme_ring(struct nvme_queue *q)
{
	if (q->db_tail == q->sq_tail)
		return;
	/* The entries must be visible to the device before the doorbell. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	*q->sq_db = q->sq_tail;
	q->db_tail = q->sq_tail;
}

/* One completion off @q into @out, or 0 if none is there. */
static int cq_pop(struct nvme_ctrl *c, struct nvme_queue *q, struct nvme_cpl *out)
{
	volatile struct nvme_cqe *e = &q->cq[q->cq_head];
	struct nvme_slot *s;
	uint16_t status = e->status;
	uint16_t cid;

	if ((status & 1) != q->phase)
		return 0;
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	cid = e->cid;
	out->status = status >> 1;
	out->result = e->result;
	if (++q->cq_head == q->depth) {
		q->cq_head = 0;
		q->phase ^= 1;
	}
	if (cid >= q->depth || !q->slots[cid].busy) {
		/* A completion we did not ask for: report it, do not crash. */
		out->ctx = NULL;
		out->status = 0x06;	/* Internal Error */
		return 1;
	}
	s = &q->slots[cid];
	if (s->map_len) {
		vdev_unmap(&c->dev, s->map_iova, s->map_len, NULL);
		s->map_len = 0;
	}
	out->ctx = s->ctx;
	s->busy = 0;
	q->inflight--;
	return 1;
}

/* Wait for the completion of the only command in flight on @q. */
static int wait_one(struct nvme_ctrl *c, struct nvme_queue *q, uint32_t *result,
		    const char *what)
{
	uint64_t start = now_ms();
	struct nvme_cpl cpl;
	char sbuf[96];
	int n;

	for (;;) {
		n = cq_pop(c, q, &cpl);
		if (n) {
			*q->cq_db = q->cq_head;
			break;
		}
		if (now_ms() - start > c->timeout_ms)
			return cfail(c, -ETIMEDOUT, "%s: no completion after %u ms (queue %u)", what,
				     c->timeout_ms, q->qid);
		if (rd32(c, REG_CSTS) & CSTS_CFS)
			return cfail(c, -EIO, "%s: controller fatal status (CSTS.CFS)", what);
	}
	if (result)
		*result = cpl.result;
	if (cpl.status)
		return cfail(c, -EIO, "%s failed: %s", what,
			     nvme_status_str(cpl.status, sbuf, sizeof(sbuf)));
	return 0;
}

/* One admin command, synchronous. */
static int admin(struct nvme_ctrl *c, struct nvme_sqe *sqe, uint32_t *result, const char *what)
{
	int cid, ret;

	pthread_mutex_lock(&c->lock);
	cid = slot_get(&c->admin);
	if (cid < 0) {
		ret = cfail(c, -EBUSY, "%s: admin queue full (an earlier command timed out?)", what);
	} else {
		sq_push(&c->admin, sqe, cid);
		ret = wait_one(c, &c->admin, result, what);
	}
	pthread_mutex_unlock(&c->lock);
	return ret;
}

int nvme_qpair_create(struct nvme_ctrl *c, struct nvme_queue *q, unsigned int depth)
{
	struct nvme_sqe sqe;
	uint16_t qid;
	int ret;

	if (depth < 1 || depth + 1 > c->mqes)
		return cfail(c, -EINVAL, "queue depth %u outside 1..%u (CAP.MQES)", depth,
			     c->mqes - 1);
	depth++;	/* a full queue keeps one entry empty */
	pthread_mutex_lock(&c->lock);
	for (qid = 1; qid <= c->max_ioq && qid < 64 && (c->qid_used & (1ULL << qid)); qid++)
		;
	if (qid > c->max_ioq || qid >= 64) {
		pthread_mutex_unlock(&c->lock);
		return cfail(c, -ENOSPC, "no I/O queue left (the controller granted %u)",
			     c->max_ioq);
	}
	ret = queue_alloc(c, q, qid, depth);
	if (!ret)
		c->qid_used |= 1ULL << qid;
	pthread_mutex_unlock(&c->lock);
	if (ret)
		return ret;

	memset(&sqe, 0, sizeof(sqe));
	sqe.cdw0 = ADM_CREATE_CQ;
	sqe.prp1 = q->cq_dma.iova;
	sqe.cdw10 = (uint32_t)(depth - 1) << 16 | qid;
	sqe.cdw11 = 1;			/* physically contiguous, no interrupts */
	ret = admin(c, &sqe, NULL, "create I/O completion queue");
	if (ret)
		goto fail;
	memset(&sqe, 0, sizeof(sqe));
	sqe.cdw0 = ADM_CREATE_SQ;
	sqe.prp1 = q->sq_dma.iova;
	sqe.cdw10 = (uint32_t)(depth - 1) << 16 | qid;
	sqe.cdw11 = (uint32_t)qid << 16 | 1;	/* its CQ, physically contiguous */
	ret = admin(c, &sqe, NULL, "create I/O submission queue");
	if (ret) {
		memset(&sqe, 0, sizeof(sqe));
		sqe.cdw0 = ADM_DELETE_CQ;
		sqe.cdw10 = qid;
		admin(c, &sqe, NULL, "delete I/O completion queue");
		goto fail;
	}
	q->created = 1;
	return 0;
fail:
	pthread_mutex_lock(&c->lock);
	queue_free(c, q);
	c->qid_used &= ~(1ULL << qid);
	pthread_mutex_unlock(&c->lock);
	return ret;
}

int nvme_qpair_delete(struct nvme_ctrl *c, struct nvme_queue *q)
{
	struct nvme_sqe sqe;
	unsigned int i;
	int ret = 0, r;

	if (!q->slots)
		return 0;
	if (q->created && c->enabled) {
		memset(&sqe, 0, sizeof(sqe));
		sqe.cdw0 = ADM_DELETE_SQ;
		sqe.cdw10 = q->qid;
		ret = admin(c, &sqe, NULL, "delete I/O submission queue");
		memset(&sqe, 0, sizeof(sqe));
		sqe.cdw0 = ADM_DELETE_CQ;
		sqe.cdw10 = q->qid;
		r = admin(c, &sqe, NULL, "delete I/O completion queue");
		ret = ret ? ret : r;
	}
	pthread_mutex_lock(&c->lock);
	/* perio mappings of commands that never completed. */
	for (i = 0; i < q->depth; i++)
		if (q->slots[i].map_len)
			vdev_unmap(&c->dev, q->slots[i].map_iova, q->slots[i].map_len, NULL);
	c->qid_used &= ~(1ULL << q->qid);
	queue_free(c, q);
	q->created = 0;
	pthread_mutex_unlock(&c->lock);
	return ret;
}

/* ---- I/O ---- */

int nvme_submit(struct nvme_ctrl *c, struct nvme_queue *q, uint8_t opc, void *buf,
		uint64_t slba, uint32_t nlb, void *ctx)
{
	uint64_t len = (uint64_t)nlb << c->lba_shift, iova = 0, first, rem, next;
	struct nvme_slot *s;
	struct nvme_sqe sqe;
	int cid;

	cid = slot_get(q);
	if (cid < 0)
		return -EBUSY;
	s = &q->slots[cid];
	memset(&sqe, 0, sizeof(sqe));
	sqe.cdw0 = opc;
	sqe.nsid = c->nsid;
	if (opc != NVME_CMD_FLUSH) {
		if (!nlb || nlb > 0x10000 || len > c->max_xfer)
			return cfail(c, -EINVAL, "I/O of %u blocks: 1..%u allowed (max %u bytes)",
				     nlb, c->max_xfer >> c->lba_shift, c->max_xfer);
		if ((uintptr_t)buf & 3)
			return cfail(c, -EINVAL, "buffer %p is not dword-aligned", buf);
		if (c->mapmode == NVME_MAP_STATIC) {
			if (dma_lookup(c, buf, len, &iova))
				return -EINVAL;
		} else {
			uint64_t off = (uintptr_t)buf & (NVME_PAGE - 1);
			uint64_t win = q->perio_iova + (uint64_t)cid * (c->max_xfer + NVME_PAGE);
			uint64_t mlen = (off + len + NVME_PAGE - 1) & ~(uint64_t)(NVME_PAGE - 1);

			if (vdev_map(&c->dev, (char *)buf - off, win, mlen))
				return vfail(c, -EFAULT);
			s->map_iova = win;
			s->map_len = mlen;
			iova = win + off;
		}
		/* PRP1: the first (possibly offset) page; PRP2: the second page or a list. */
		sqe.prp1 = iova;
		first = NVME_PAGE - (iova & (NVME_PAGE - 1));
		if (len > first) {
			rem = len - first;
			next = (iova & ~(uint64_t)(NVME_PAGE - 1)) + NVME_PAGE;
			if (rem <= NVME_PAGE) {
				sqe.prp2 = next;
			} else {
				uint64_t *list = (uint64_t *)((char *)q->prp_dma.va +
							      (size_t)cid * NVME_PAGE);
				unsigned int i, n = (rem + NVME_PAGE - 1) / NVME_PAGE;

				for (i = 0; i < n; i++)
					list[i] = next + (uint64_t)i * NVME_PAGE;
				sqe.prp2 = q->prp_dma.iova + (uint64_t)cid * NVME_PAGE;
			}
		}
		sqe.cdw10 = (uint32_t)slba;
		sqe.cdw11 = (uint32_t)(slba >> 32);
		sqe.cdw12 = nlb - 1;
	}
	s->ctx = ctx;
	sq_push(q, &sqe, cid);
	return 0;
}

int nvme_poll(struct nvme_ctrl *c, struct nvme_queue *q, struct nvme_cpl *out, int max)
{
	int n = 0;

	while (n < max && cq_pop(c, q, &out[n]))
		n++;
	if (n)
		*q->cq_db = q->cq_head;
	return n;
}

int nvme_io(struct nvme_ctrl *c, struct nvme_queue *q, uint8_t opc, void *buf,
	    uint64_t slba, uint32_t nlb)
{
	const char *what = opc == NVME_CMD_READ ? "read" : opc == NVME_CMD_WRITE ? "write" :
			   "flush";
	char msg[64];
	int ret;

	if (q->inflight)
		return cfail(c, -EBUSY, "nvme_io on a queue with commands in flight");
	ret = nvme_submit(c, q, opc, buf, slba, nlb, NULL);
	if (ret)
		return ret == -EBUSY ? cfail(c, ret, "queue %u full", q->qid) : ret;
	snprintf(msg, sizeof(msg), "%s of %u blocks at LBA %llu", what, nlb,
		 (unsigned long long)slba);
	return wait_one(c, q, NULL, msg);
}

/* ---- controller ---- */

/* Wait until (CSTS & @mask) == @want within @ms; -ETIMEDOUT otherwise. */
static int wait_csts(struct nvme_ctrl *c, uint32_t mask, uint32_t want, unsigned int ms)
{
	uint64_t start = now_ms();
	uint32_t csts;

	for (;;) {
		csts = rd32(c, REG_CSTS);
		if (csts == 0xffffffff)
			return -ENODEV;
		if ((csts & mask) == want)
			return 0;
		if (now_ms() - start > ms)
			return -ETIMEDOUT;
		usleep(1000);
	}
}

static int ctrl_disable(struct nvme_ctrl *c)
{
	uint32_t cc = rd32(c, REG_CC);
	int ret;

	c->enabled = 0;
	if (cc & CC_EN)
		wr32(c, REG_CC, cc & ~CC_EN);
	ret = wait_csts(c, CSTS_RDY, 0, c->ready_ms);
	if (ret == -ENODEV)
		return cfail(c, ret, "%s does not respond (CSTS reads all ones)", c->dev.bdf);
	if (ret)
		return cfail(c, ret, "%s did not become not-ready within CAP.TO (%u ms) after CC.EN=0",
			     c->dev.bdf, c->ready_ms);
	return 0;
}

static int ctrl_enable(struct nvme_ctrl *c)
{
	int ret;

	wr32(c, REG_AQA, (uint32_t)(ADMIN_DEPTH - 1) << 16 | (ADMIN_DEPTH - 1));
	wr64(c, REG_ASQ, c->admin.sq_dma.iova);
	wr64(c, REG_ACQ, c->admin.cq_dma.iova);
	/* NVM command set, 4 KiB pages (MPS 0), round robin. */
	wr32(c, REG_CC, CC_IOSQES | CC_IOCQES | CC_EN);
	ret = wait_csts(c, CSTS_RDY | CSTS_CFS, CSTS_RDY, c->ready_ms);
	if (ret == -ETIMEDOUT && (rd32(c, REG_CSTS) & CSTS_CFS))
		return cfail(c, -EIO, "%s reports a fatal status (CSTS.CFS) on enable", c->dev.bdf);
	if (ret == -ENODEV)
		return cfail(c, ret, "%s does not respond (CSTS reads all ones)", c->dev.bdf);
	if (ret)
		return cfail(c, ret, "%s never became ready within CAP.TO (%u ms)", c->dev.bdf,
			     c->ready_ms);
	c->enabled = 1;
	return 0;
}

static void copy_str(char *dst, const volatile uint8_t *src, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		dst[i] = src[i] >= 0x20 && src[i] < 0x7f ? src[i] : ' ';
	while (n && dst[n - 1] == ' ')
		n--;
	dst[n] = '\0';
}

static int identify(struct nvme_ctrl *c, uint32_t nsid)
{
	const uint8_t *id = c->ident.va;
	struct nvme_sqe sqe;
	unsigned int mdts, flbas, nlbaf, fmt;
	uint32_t lbaf;
	int ret;

	memset(&sqe, 0, sizeof(sqe));
	sqe.cdw0 = ADM_IDENTIFY;
	sqe.prp1 = c->ident.iova;
	sqe.cdw10 = 1;			/* CNS 1: controller */
	ret = admin(c, &sqe, NULL, "identify controller");
	if (ret)
		return ret;
	copy_str(c->sn, id + 4, 20);
	copy_str(c->mn, id + 24, 40);
	copy_str(c->fr, id + 64, 8);
	mdts = id[77];
	memcpy(&c->nn, id + 516, 4);
	c->max_xfer = NVME_MAX_XFER;
	/* MDTS is a power of two of CAP.MPSMIN pages; 4 KiB pages here. */
	if (mdts && mdts < 20 && (NVME_PAGE << mdts) < c->max_xfer)
		c->max_xfer = NVME_PAGE << mdts;

	if (nsid == 0 || nsid == 0xffffffff)
		return cfail(c, -EINVAL, "namespace %u is not a valid namespace ID (1..%u)", nsid,
			     c->nn);
	if (nsid > c->nn)
		return cfail(c, -ENOENT, "namespace %u does not exist (%s has %u)", nsid,
			     c->dev.bdf, c->nn);
	memset(c->ident.va, 0, NVME_PAGE);
	memset(&sqe, 0, sizeof(sqe));
	sqe.cdw0 = ADM_IDENTIFY;
	sqe.nsid = nsid;
	sqe.prp1 = c->ident.iova;
	sqe.cdw10 = 0;			/* CNS 0: namespace */
	ret = admin(c, &sqe, NULL, "identify namespace");
	if (ret)
		return ret;
	memcpy(&c->nsze, id, 8);
	if (!c->nsze)
		return cfail(c, -ENOENT, "namespace %u is inactive (Identify reports size 0)", nsid);
	nlbaf = id[25];
	flbas = id[26];
	/* FLBAS bits 3:0 and, beyond 16 formats, bits 6:5 select the format. */
	fmt = (flbas & 0xf) | (nlbaf >= 16 ? ((flbas >> 5) & 3) << 4 : 0);
	memcpy(&lbaf, id + 128 + 4 * fmt, 4);
	c->lba_shift = (lbaf >> 16) & 0xff;
	if (lbaf & 0xffff)
		return cfail(c, -ENOTSUP, "namespace %u has %u bytes of metadata per block: "
			     "not supported", nsid, lbaf & 0xffff);
	if (c->lba_shift < 9 || c->lba_shift > 16)
		return cfail(c, -ENOTSUP, "namespace %u: block size 2^%u not supported", nsid,
			     c->lba_shift);
	c->nsid = nsid;
	return 0;
}

static int set_queues(struct nvme_ctrl *c)
{
	struct nvme_sqe sqe;
	uint32_t res;
	unsigned int nsq, ncq;
	int ret;

	memset(&sqe, 0, sizeof(sqe));
	sqe.cdw0 = ADM_SET_FEATURES;
	sqe.cdw10 = FEAT_NUM_QUEUES;
	sqe.cdw11 = (WANT_IOQ - 1) << 16 | (WANT_IOQ - 1);
	ret = admin(c, &sqe, &res, "set features (number of queues)");
	if (ret)
		return ret;
	nsq = (res & 0xffff) + 1;
	ncq = (res >> 16) + 1;
	c->max_ioq = nsq < ncq ? nsq : ncq;
	if (c->max_ioq > WANT_IOQ)
		c->max_ioq = WANT_IOQ;
	return 0;
}

int nvme_open(struct nvme_ctrl *c, const char *bdf, enum vdev_backend backend,
	      uint32_t nsid, enum nvme_mapmode mapmode)
{
	void *bar;
	int ret;

	memset(c, 0, sizeof(*c));
	pthread_mutex_init(&c->lock, NULL);
	c->mapmode = mapmode;
	c->iova_next = IOVA_BASE;
	c->timeout_ms = 30000;	/* QEMU TCG on a loaded host is slow */
	c->max_xfer = NVME_MAX_XFER;

	if (vdev_open(&c->dev, bdf, backend))
		return vfail(c, -ENODEV);
	c->dev.err[0] = '\0';
	/* A function reset when VFIO offers one; CC.EN=0 below resets the controller anyway. */
	ret = vdev_reset(&c->dev);
	if (ret && ret != -ENOTTY)
		goto fail_vfio;
	ret = vdev_bus_master(&c->dev, 1);
	if (ret)
		goto fail_vfio;
	ret = vdev_bar_mmap(&c->dev, 0, &bar, &c->bar_len);
	if (ret)
		goto fail_vfio;
	c->bar = bar;
	if (c->bar_len < REG_DBS + 8) {
		ret = cfail(c, -ENODEV, "BAR 0 of %s is too small (%zu bytes) for an NVMe controller",
			    c->dev.bdf, c->bar_len);
		goto fail;
	}
	c->cap = rd64(c, REG_CAP);
	if (c->cap == ~0ULL) {
		ret = cfail(c, -ENODEV, "%s does not respond (CAP reads all ones)", c->dev.bdf);
		goto fail;
	}
	c->mqes = (c->cap & 0xffff) + 1;
	c->dstrd = 4u << ((c->cap >> 32) & 0xf);
	c->ready_ms = ((c->cap >> 24) & 0xff) * 500;
	if (!c->ready_ms)
		c->ready_ms = 500;
	if (!((c->cap >> 37) & 1)) {
		ret = cfail(c, -ENOTSUP, "%s does not support the NVM command set", c->dev.bdf);
		goto fail;
	}
	if ((c->cap >> 48) & 0xf) {
		ret = cfail(c, -ENOTSUP, "%s does not support 4 KiB pages (CAP.MPSMIN %u)",
			    c->dev.bdf, (unsigned int)(c->cap >> 48) & 0xf);
		goto fail;
	}
	ret = ctrl_disable(c);
	if (ret)
		goto fail;

	pthread_mutex_lock(&c->lock);
	ret = queue_alloc(c, &c->admin, 0, ADMIN_DEPTH < c->mqes ? ADMIN_DEPTH : c->mqes);
	if (!ret)
		ret = dma_alloc_locked(c, NVME_PAGE, &c->ident);
	pthread_mutex_unlock(&c->lock);
	if (ret)
		goto fail;
	ret = ctrl_enable(c);
	if (!ret)
		ret = identify(c, nsid);
	if (!ret)
		ret = set_queues(c);
	if (ret)
		goto fail;
	return 0;

fail_vfio:
	vfail(c, ret);
fail:
	{
		char err[sizeof(c->err)];

		memcpy(err, c->err, sizeof(err));
		nvme_close(c);
		memcpy(c->err, err, sizeof(err));
	}
	return ret;
}

void nvme_close(struct nvme_ctrl *c)
{
	int i;

	if (c->bar) {
		if (c->enabled) {
			/* Normal shutdown, then disable: the device stops all DMA. */
			wr32(c, REG_CC, (rd32(c, REG_CC) & ~CC_SHN_MASK) | CC_SHN_NORMAL);
			wait_csts(c, CSTS_SHST_MASK, CSTS_SHST_DONE, c->ready_ms);
		}
		if (rd32(c, REG_CC) & CC_EN)
			ctrl_disable(c);
		c->enabled = 0;
		vdev_bus_master(&c->dev, 0);
		munmap((void *)c->bar, c->bar_len);
		c->bar = NULL;
	}
	if (c->dev.device_fd >= 0 && (c->dev.iommufd >= 0 || c->dev.container_fd >= 0)) {
		pthread_mutex_lock(&c->lock);
		queue_free(c, &c->admin);
		dma_free_locked(c, &c->ident);
		for (i = 0; i < NVME_MAX_DMA; i++)
			dma_free_locked(c, &c->dma[i]);
		pthread_mutex_unlock(&c->lock);
	}
	vdev_close(&c->dev);
}
