// SPDX-License-Identifier: GPL-2.0
/*
 * Polled userspace NVMe driver over VFIO (see nvme.h): the controller.
 * Reset, enable and shut down through CAP/CC/CSTS/AQA/ASQ/ACQ (NVMe Base
 * Specification 2.0), identify, ask for I/O queues, open and close.  The
 * DMA memory, queues and commands are nvme-queue.c's; nvme-priv.h holds
 * what the two share.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "nvme-priv.h"

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
	ret = nvme_admin(c, &sqe, NULL, "identify controller");
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
	ret = nvme_admin(c, &sqe, NULL, "identify namespace");
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
	ret = nvme_admin(c, &sqe, &res, "set features (number of queues)");
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
	ret = nvme_queue_alloc(c, &c->admin, 0, ADMIN_DEPTH < c->mqes ? ADMIN_DEPTH : c->mqes);
	if (!ret)
		ret = nvme_dma_alloc_locked(c, NVME_PAGE, &c->ident);
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
		nvme_queue_free(c, &c->admin);
		nvme_dma_free_locked(c, &c->ident);
		for (i = 0; i < NVME_MAX_DMA; i++)
			nvme_dma_free_locked(c, &c->dma[i]);
		pthread_mutex_unlock(&c->lock);
	}
	vdev_close(&c->dev);
}
