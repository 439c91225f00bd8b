// SPDX-License-Identifier: GPL-2.0
/*
 * The emulated-device path of VFIO type1: vfio_pin_pages(),
 * vfio_unpin_pages() and vfio_dma_rw() by the testbed's emulated device
 * (vfio-testbed-emu, testbed/patches), whose device fd pins, unpins and
 * copies on request.  Its group is put in a type1v2 container with two
 * mappings: 4 pages read-write, 1 page read-only.  Each test checks the
 * count, order and fields of the records: pins, a repeated pin (counted,
 * pinned once), unpins with the pages whose last pin went, an unpin from
 * the device's dma_unmap callback inside VFIO_IOMMU_UNMAP_DMA, a pin
 * across two mappings dropped when one of them goes, copies in both
 * directions, and the error paths (an unmapped IOVA, a write pin of a
 * read-only mapping).  A map of a container without an IOMMU domain pins
 * nothing: no map-path pin record.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/vfio.h>

#include "mock_harness.h"

#define SZ_4K 0x1000UL
#define IOVA 0x100000UL		/* 4 pages, read-write */
#define IOVA_RO 0x200000UL	/* 1 page, read-only */
#define IOVA_NONE 0x300000UL	/* not mapped */
#define NPAGES 4
#define EMU "vfio-testbed-emu"
#define SYS "vfio_iommu_type1"
#define PIN_ST "vfio_iommu_type1_ext_pin_pages_start"
#define PIN "vfio_iommu_type1_ext_pin_pages"
#define UNPIN "vfio_iommu_type1_ext_unpin_pages"
#define RW_ST "vfio_iommu_type1_dma_rw_start"
#define RW "vfio_iommu_type1_dma_rw"
#define MAP_PIN "vfio_iommu_type1_pin_pages"
#define UNMAP_ST "vfio_iommu_type1_dma_unmap_start"
#define UNMAP "vfio_iommu_type1_dma_unmap"

/* The emulated device's ioctl (testbed/patches: drivers/vfio/testbed-emu.c). */
#define TESTBED_EMU_OP _IO(VFIO_TYPE, VFIO_BASE + 40)
enum { EMU_PIN = 1, EMU_UNPIN, EMU_READ, EMU_WRITE };
struct testbed_emu_op {
	__u32 argsz;
	__u32 op;
	__aligned_u64 iova;
	__u32 npage;
	__u32 prot;
	__aligned_u64 data;
	__aligned_u64 len;
};
#define PROT_RW 3	/* IOMMU_READ | IOMMU_WRITE */

FIXTURE(type1_access)
{
	int container, group, dev;
	char *buf, *ro;
	char *trace;
	struct enabled_events ev;
};

/* The emulated device's IOMMU group number, or -1. */
static int emu_group(void)
{
	char link[PATH_MAX];
	ssize_t n;

	n = readlink("/sys/bus/platform/devices/" EMU "/iommu_group", link, sizeof(link) - 1);
	if (n <= 0)
		return -1;
	link[n] = 0;
	return atoi(basename(link));
}

static int dma_map(int container, void *vaddr, __u64 iova, __u64 size, __u32 flags)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map), .flags = flags, .vaddr = (__u64)(unsigned long)vaddr,
		.iova = iova, .size = size,
	};

	return ioctl(container, VFIO_IOMMU_MAP_DMA, &map);
}

FIXTURE_SETUP(type1_access)
{
	static const char *const evs[] = { PIN_ST, PIN, UNPIN, RW_ST, RW, MAP_PIN,
					   UNMAP_ST, UNMAP };
	int g = emu_group();
	char path[64];
	size_t i;

	if (g < 0)
		SKIP(return, "no %s device: kernel without the testbed's patch", EMU);
	if (access("/sys/module/vfio_iommu_type1", F_OK))
		SKIP(return, "no vfio_iommu_type1 (iommufd's compat container?)");
	ASSERT_TRUE(tracefs_event_exists(SYS, PIN)) TH_LOG("no %s: kernel without the series?", PIN);
	self->container = open("/dev/vfio/vfio", O_RDWR);
	ASSERT_LE(0, self->container);
	snprintf(path, sizeof(path), "/dev/vfio/%d", g);
	self->group = open(path, O_RDWR);
	ASSERT_LE(0, self->group) TH_LOG("%s: %s", path, strerror(errno));
	ASSERT_EQ(0, ioctl(self->group, VFIO_GROUP_SET_CONTAINER, &self->container));
	ASSERT_EQ(0, ioctl(self->container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU));
	self->dev = ioctl(self->group, VFIO_GROUP_GET_DEVICE_FD, EMU);
	ASSERT_LE(0, self->dev) TH_LOG("device fd: %s", strerror(errno));
	self->buf = mmap(NULL, NPAGES * SZ_4K, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	self->ro = mmap(NULL, SZ_4K, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	ASSERT_NE(MAP_FAILED, self->buf);
	ASSERT_NE(MAP_FAILED, self->ro);
	ASSERT_EQ(0, dma_map(self->container, self->buf, IOVA, NPAGES * SZ_4K,
			     VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE));
	ASSERT_EQ(0, dma_map(self->container, self->ro, IOVA_RO, SZ_4K, VFIO_DMA_MAP_FLAG_READ));
	for (i = 0; i < sizeof(evs) / sizeof(evs[0]); i++)
		enable_event(SYS, evs[i]);
	clear_trace();
}

/*
 * In the parent, after the test process has exited (see mock_harness.h):
 * its exit closed the fds, which dropped the device's pins.
 */
FIXTURE_TEARDOWN_PARENT(type1_access)
{
	events_disable(_metadata, &self->ev);
}

static int emu(int dev, __u32 op, __u64 iova, __u32 npage, __u32 prot, void *data, __u64 len)
{
	struct testbed_emu_op o = {
		.argsz = sizeof(o), .op = op, .iova = iova, .npage = npage, .prot = prot,
		.data = (__u64)(unsigned long)data, .len = len,
	};
	int ret = ioctl(dev, TESTBED_EMU_OP, &o);

	return ret < 0 ? -errno : ret;
}

/*
 * Two pins at IOVA (2 pages, then the first page again), one unpin
 * request that drops both: the first unpin frees the second page only
 * (the first is still pinned by the repeat), the second frees the first.
 */
TEST_F(type1_access, pin_unpin)
{
	EXPECT_EQ(2, emu(self->dev, EMU_PIN, IOVA, 2, PROT_RW, NULL, 0));
	EXPECT_EQ(1, emu(self->dev, EMU_PIN, IOVA, 1, PROT_RW, NULL, 0));
	EXPECT_EQ(0, emu(self->dev, EMU_UNPIN, IOVA, 0, 0, NULL, 0));
	read_trace();
	ASSERT_COUNT(PIN_ST, 2);
	ASSERT_COUNT(PIN, 2);
	ASSERT_PAIR(PIN_ST, PIN, 0);
	ASSERT_PAIR(PIN_ST, PIN, 1);
	ASSERT_FIELD(PIN_ST, 0, "iova", IOVA);
	ASSERT_FIELD(PIN_ST, 0, "npages", 2);
	ASSERT_FIELD(PIN_ST, 0, "prot", PROT_RW);
	ASSERT_FIELD(PIN, 0, "iova", IOVA);
	ASSERT_FIELD(PIN, 0, "npages", 2);
	ASSERT_FIELD(PIN, 0, "prot", PROT_RW);
	ASSERT_FIELD(PIN, 0, "ret", 2);
	ASSERT_FIELD(PIN, 1, "npages", 1);
	ASSERT_FIELD(PIN, 1, "ret", 1);
	ASSERT_COUNT(UNPIN, 2);
	ASSERT_FIELD(UNPIN, 0, "iova", IOVA);
	ASSERT_FIELD(UNPIN, 0, "npages", 2);
	ASSERT_FIELD(UNPIN, 0, "unpinned", 1);
	ASSERT_FIELD(UNPIN, 1, "iova", IOVA);
	ASSERT_FIELD(UNPIN, 1, "npages", 1);
	ASSERT_FIELD(UNPIN, 1, "unpinned", 1);
}

/* An IOVA nothing maps: -EINVAL; a write pin of a read-only mapping: -EPERM. */
TEST_F(type1_access, pin_errors)
{
	EXPECT_EQ(-EINVAL, emu(self->dev, EMU_PIN, IOVA_NONE, 1, PROT_RW, NULL, 0));
	EXPECT_EQ(-EPERM, emu(self->dev, EMU_PIN, IOVA_RO, 1, PROT_RW, NULL, 0));
	read_trace();
	ASSERT_COUNT(PIN_ST, 2);
	ASSERT_COUNT(PIN, 2);
	ASSERT_PAIR(PIN_ST, PIN, 0);
	ASSERT_PAIR(PIN_ST, PIN, 1);
	ASSERT_FIELD(PIN, 0, "iova", IOVA_NONE);
	ASSERT_FIELD(PIN, 0, "ret", -EINVAL);
	ASSERT_FIELD(PIN, 1, "iova", IOVA_RO);
	ASSERT_FIELD(PIN, 1, "ret", -EPERM);
	ASSERT_COUNT(UNPIN, 0);
}

/*
 * A page pinned, then its mapping unmapped: the device's dma_unmap callback
 * unpins it, and that record is between the unmap's _start and end.
 */
TEST_F(type1_access, unmap_callback)
{
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap), .iova = IOVA, .size = NPAGES * SZ_4K,
	};
	long u_st, u_end, unpin;

	EXPECT_EQ(1, emu(self->dev, EMU_PIN, IOVA + SZ_4K, 1, PROT_RW, NULL, 0));
	ASSERT_EQ(0, tracefs_clear());
	ASSERT_EQ(0, ioctl(self->container, VFIO_IOMMU_UNMAP_DMA, &unmap));
	EXPECT_EQ(NPAGES * SZ_4K, unmap.size);
	read_trace();
	ASSERT_COUNT(UNMAP_ST, 1);
	ASSERT_COUNT(UNMAP, 1);
	ASSERT_COUNT(UNPIN, 1);
	ASSERT_FIELD(UNPIN, 0, "iova", IOVA + SZ_4K);
	ASSERT_FIELD(UNPIN, 0, "npages", 1);
	ASSERT_FIELD(UNPIN, 0, "unpinned", 1);
	u_st = trace_record_offset(self->trace, UNMAP_ST, 0);
	unpin = trace_record_offset(self->trace, UNPIN, 0);
	u_end = trace_record_offset(self->trace, UNMAP, 0);
	EXPECT_LT(u_st, unpin);
	EXPECT_LT(unpin, u_end);
}

/*
 * A pin across two mappings (type1 looks the pages up one by one): the last
 * page of the fixture's and the page of one mapped after it.  Unmapping the
 * second has the device drop the whole pin from its callback.
 */
TEST_F(type1_access, pin_across_mappings)
{
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap), .iova = IOVA + NPAGES * SZ_4K, .size = SZ_4K,
	};
	char *b = mmap(NULL, SZ_4K, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	long u_st, u_end, unpin;

	ASSERT_NE(MAP_FAILED, b);
	ASSERT_EQ(0, dma_map(self->container, b, IOVA + NPAGES * SZ_4K, SZ_4K,
			     VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE));
	EXPECT_EQ(2, emu(self->dev, EMU_PIN, IOVA + (NPAGES - 1) * SZ_4K, 2, PROT_RW, NULL, 0));
	ASSERT_EQ(0, ioctl(self->container, VFIO_IOMMU_UNMAP_DMA, &unmap));
	read_trace();
	/* a container without an IOMMU domain pins at vfio_pin_pages() only */
	ASSERT_COUNT(MAP_PIN, 0);
	ASSERT_COUNT(PIN, 1);
	ASSERT_FIELD(PIN, 0, "ret", 2);
	ASSERT_COUNT(UNPIN, 1);
	ASSERT_FIELD(UNPIN, 0, "iova", IOVA + (NPAGES - 1) * SZ_4K);
	ASSERT_FIELD(UNPIN, 0, "npages", 2);
	ASSERT_FIELD(UNPIN, 0, "unpinned", 2);
	u_st = trace_record_offset(self->trace, UNMAP_ST, 0);
	unpin = trace_record_offset(self->trace, UNPIN, 0);
	u_end = trace_record_offset(self->trace, UNMAP, 0);
	EXPECT_LT(u_st, unpin);
	EXPECT_LT(unpin, u_end);
}

/* 100 bytes written at IOVA + 16 and read back; a read of an unmapped IOVA. */
TEST_F(type1_access, rw)
{
	char out[100], in[100];

	memset(out, 0x5a, sizeof(out));
	memset(in, 0, sizeof(in));
	EXPECT_EQ(0, emu(self->dev, EMU_WRITE, IOVA + 16, 0, 0, out, sizeof(out)));
	EXPECT_EQ(0, memcmp(self->buf + 16, out, sizeof(out)));
	EXPECT_EQ(0, emu(self->dev, EMU_READ, IOVA + 16, 0, 0, in, sizeof(in)));
	EXPECT_EQ(0, memcmp(in, out, sizeof(in)));
	EXPECT_EQ(-EINVAL, emu(self->dev, EMU_READ, IOVA_NONE, 0, 0, in, sizeof(in)));
	read_trace();
	ASSERT_COUNT(RW_ST, 3);
	ASSERT_COUNT(RW, 3);
	ASSERT_PAIR(RW_ST, RW, 0);
	ASSERT_PAIR(RW_ST, RW, 2);
	ASSERT_FIELD(RW, 0, "iova", IOVA + 16);
	ASSERT_FIELD(RW, 0, "count", 100);
	ASSERT_FIELD(RW, 0, "write", 1);
	ASSERT_FIELD(RW, 0, "ret", 0);
	ASSERT_FIELD(RW, 1, "write", 0);
	ASSERT_FIELD(RW, 1, "ret", 0);
	ASSERT_FIELD(RW, 2, "iova", IOVA_NONE);
	ASSERT_FIELD(RW, 2, "ret", -EINVAL);
	ASSERT_COUNT(PIN, 0);
}

TEST_HARNESS_MAIN
