/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small polled userspace NVMe driver over VFIO (lib/vfio: iommufd or
 * type1).  One controller, one namespace, admin queue plus I/O queue
 * pairs created on demand; no interrupts.  Data buffers are either in a
 * DMA region mapped once (NVME_MAP_STATIC, nvme_dma_alloc) or any memory
 * mapped before each submission and unmapped on its completion
 * (NVME_MAP_PERIO).  The queues and PRP lists are always mapped once.
 *
 * Functions return 0 (or a count) or a negative errno; on failure c->err
 * holds one line for the caller to print.  An NVMe command that
 * completes with an error returns -EIO and c->err decodes the status.
 * The admin queue and the IOVA allocator are locked; each queue pair
 * must be used by one thread at a time.
 */
#ifndef IOASID_BENCH_NVME_H
#define IOASID_BENCH_NVME_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "vfio.h"

enum nvme_mapmode {
	NVME_MAP_STATIC,
	NVME_MAP_PERIO,
};

#define NVME_PAGE 4096u
#define NVME_MAX_DMA 64		/* static DMA regions per controller */

/* NVM command set opcodes used here. */
#define NVME_CMD_FLUSH 0x00
#define NVME_CMD_WRITE 0x01
#define NVME_CMD_READ 0x02

struct nvme_dma {
	void *va;
	uint64_t iova;
	size_t len;
};

struct nvme_sqe {
	uint32_t cdw0;
	uint32_t nsid;
	uint32_t cdw2, cdw3;
	uint64_t mptr;
	uint64_t prp1, prp2;
	uint32_t cdw10, cdw11, cdw12, cdw13, cdw14, cdw15;
};

struct nvme_cqe {
	uint32_t result;
	uint32_t rsvd;
	uint16_t sqhd, sqid;
	uint16_t cid;
	uint16_t status;	/* bit 0: phase; bits 1..15: status field */
};

/* One submitted command's slot (its cid is the slot index). */
struct nvme_slot {
	void *ctx;		/* the caller's, returned on completion */
	uint64_t map_iova;	/* perio: the mapping to undo, 0 if none */
	uint64_t map_len;
	int busy;
};

struct nvme_queue {
	uint16_t qid;
	uint16_t depth;		/* entries; at most depth - 1 in flight */
	uint16_t sq_tail, cq_head;
	uint8_t phase;
	volatile struct nvme_sqe *sq;
	volatile struct nvme_cqe *cq;
	volatile uint32_t *sq_db, *cq_db;
	struct nvme_dma sq_dma, cq_dma;
	struct nvme_dma prp_dma;	/* one PRP list page per slot */
	struct nvme_slot *slots;
	unsigned int inflight;
	uint64_t perio_iova;	/* perio: a window of max_xfer + page per slot */
	int created;
	int defer_db;		/* nvme_submit leaves the doorbell to nvme_ring */
	uint16_t db_tail;	/* the tail last written to the doorbell */
};

/* One completion handed back by nvme_poll(). */
struct nvme_cpl {
	void *ctx;
	uint16_t status;	/* status field without the phase bit; 0: success */
	uint32_t result;
};

struct nvme_ctrl {
	struct vdev dev;
	enum nvme_mapmode mapmode;
	volatile uint8_t *bar;
	size_t bar_len;
	uint64_t cap;
	uint32_t dstrd;		/* doorbell stride in bytes */
	unsigned int ready_ms;	/* CAP.TO */
	unsigned int timeout_ms;	/* per command */
	uint16_t mqes;		/* max queue entries (1-based) */
	int enabled;

	/* Identify */
	char sn[21], mn[41], fr[9];
	uint32_t nn;
	uint32_t max_xfer;	/* bytes per I/O: min(MDTS, NVME_MAX_XFER) */
	uint32_t nsid;
	uint64_t nsze;		/* namespace size in blocks */
	unsigned int lba_shift;
	uint16_t max_ioq;	/* I/O queue pairs granted by Set Features */

	struct nvme_queue admin;
	struct nvme_dma ident;	/* a 4 KiB buffer for admin commands */
	pthread_mutex_t lock;	/* admin queue, IOVA allocator, dma[], qids */
	uint64_t iova_next;
	struct nvme_dma dma[NVME_MAX_DMA];
	uint64_t qid_used;	/* bitmap of I/O qids in use */
	char err[256];
};

/* "static" / "perio". */
const char *nvme_mapmode_name(enum nvme_mapmode m);
int nvme_mapmode_parse(const char *s, enum nvme_mapmode *m);

/*
 * Open @bdf on @backend, reset it (a previous user killed mid-I/O leaves
 * it enabled), enable it, identify the controller and the active
 * namespace @nsid (>= 1), ask for I/O queues.
 */
int nvme_open(struct nvme_ctrl *c, const char *bdf, enum vdev_backend backend,
	      uint32_t nsid, enum nvme_mapmode mapmode);
/* Shut down (CC.SHN), disable, unmap and free everything.  Safe twice. */
void nvme_close(struct nvme_ctrl *c);

/* Create/delete an I/O SQ/CQ pair for @depth commands in flight (1..MQES-1). */
int nvme_qpair_create(struct nvme_ctrl *c, struct nvme_queue *q, unsigned int depth);
int nvme_qpair_delete(struct nvme_ctrl *c, struct nvme_queue *q);

/* Page-aligned memory of @len bytes mapped for DMA until nvme_dma_free. */
int nvme_dma_alloc(struct nvme_ctrl *c, size_t len, struct nvme_dma *out);
void nvme_dma_free(struct nvme_ctrl *c, struct nvme_dma *dma);

/*
 * Queue a Read/Write (@nlb blocks at @slba, data at @buf) or a Flush
 * (@buf NULL, @nlb 0) on @q and ring the doorbell.  -EBUSY when @q is
 * full, -EINVAL for a buffer the map mode cannot use.
 */
int nvme_submit(struct nvme_ctrl *c, struct nvme_queue *q, uint8_t opc, void *buf,
		uint64_t slba, uint32_t nlb, void *ctx);
/* Write the SQ tail doorbell if commands were queued since the last one. */
void nvme_ring(struct nvme_queue *q);
/* Reap up to @max completions into @out; returns how many (0: none). */
int nvme_poll(struct nvme_ctrl *c, struct nvme_queue *q, struct nvme_cpl *out, int max);
/* Submit one command and wait for it (c->timeout_ms); -EIO on NVMe error. */
int nvme_io(struct nvme_ctrl *c, struct nvme_queue *q, uint8_t opc, void *buf,
	    uint64_t slba, uint32_t nlb);

/* "LBA Out of Range (sct 0x0, sc 0x80)" and the like. */
const char *nvme_status_str(uint16_t status, char *buf, size_t len);

#endif
