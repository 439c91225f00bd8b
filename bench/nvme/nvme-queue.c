// SPDX-License-Identifier: GPL-2.0
/*
 * The NVMe driver's DMA memory (an IOVA bump allocator, regions mapped
 * through lib/vfio), its submission/completion queue pairs and commands:
 * PRP1/PRP2 with one PRP list page per command, 64-byte SQ and 16-byte
 * CQ entries, phase-tagged completions, polled.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "nvme-priv.h"

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
int nvme_dma_alloc_locked(struct nvme_ctrl *c, size_t len, struct nvme_dma *out)
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

void nvme_dma_free_locked(struct nvme_ctrl *c, struct nvme_dma *dma)
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
		ret = nvme_dma_alloc_locked(c, len, &c->dma[i]);
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
			nvme_dma_free_locked(c, &c->dma[i]);
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

void nvme_queue_free(struct nvme_ctrl *c, struct nvme_queue *q)
{
	nvme_dma_free_locked(c, &q->sq_dma);
	nvme_dma_free_locked(c, &q->cq_dma);
	nvme_dma_free_locked(c, &q->prp_dma);
	free(q->slots);
	q->slots = NULL;
}

/* Memory and doorbells of queue @qid with @depth entries; lock held. */
int nvme_queue_alloc(struct nvme_ctrl *c, struct nvme_queue *q, uint16_t qid,
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
	ret = nvme_dma_alloc_locked(c, depth * sizeof(struct nvme_sqe), &q->sq_dma);
	if (!ret)
		ret = nvme_dma_alloc_locked(c, depth * sizeof(struct nvme_cqe), &q->cq_dma);
	if (!ret)
		ret = nvme_dma_alloc_locked(c, (size_t)depth * NVME_PAGE, &q->prp_dma);
	if (!ret && c->mapmode == NVME_MAP_PERIO)
		ret = iova_alloc(c, (uint64_t)depth * (c->max_xfer + NVME_PAGE), &q->perio_iova);
	if (ret) {
		nvme_queue_free(c, q);
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
int nvme_admin(struct nvme_ctrl *c, struct nvme_sqe *sqe, uint32_t *result, const char *what)
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
	ret = nvme_queue_alloc(c, q, qid, depth);
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
	ret = nvme_admin(c, &sqe, NULL, "create I/O completion queue");
	if (ret)
		goto fail;
	memset(&sqe, 0, sizeof(sqe));
	sqe.cdw0 = ADM_CREATE_SQ;
	sqe.prp1 = q->sq_dma.iova;
	sqe.cdw10 = (uint32_t)(depth - 1) << 16 | qid;
	sqe.cdw11 = (uint32_t)qid << 16 | 1;	/* its CQ, physically contiguous */
	ret = nvme_admin(c, &sqe, NULL, "create I/O submission queue");
	if (ret) {
		memset(&sqe, 0, sizeof(sqe));
		sqe.cdw0 = ADM_DELETE_CQ;
		sqe.cdw10 = qid;
		nvme_admin(c, &sqe, NULL, "delete I/O completion queue");
		goto fail;
	}
	q->created = 1;
	return 0;
fail:
	pthread_mutex_lock(&c->lock);
	nvme_queue_free(c, q);
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
		ret = nvme_admin(c, &sqe, NULL, "delete I/O submission queue");
		memset(&sqe, 0, sizeof(sqe));
		sqe.cdw0 = ADM_DELETE_CQ;
		sqe.cdw10 = q->qid;
		r = nvme_admin(c, &sqe, NULL, "delete I/O completion queue");
		ret = ret ? ret : r;
	}
	pthread_mutex_lock(&c->lock);
	/* perio mappings of commands that never completed. */
	for (i = 0; i < q->depth; i++)
		if (q->slots[i].map_len)
			vdev_unmap(&c->dev, q->slots[i].map_iova, q->slots[i].map_len, NULL);
	c->qid_used &= ~(1ULL << q->qid);
	nvme_queue_free(c, q);
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
