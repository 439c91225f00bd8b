// SPDX-License-Identifier: GPL-2.0
/*
 * Testbed smoke tests, run in the guest: the pieces every later test and
 * benchmark relies on are there, and a buffer maps and unmaps through
 * both DMA backends on the emulated NVMe.
 *
 * The device is $IOASID_BDF (default 0000:00:03.0).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "../../lib/vfio.h"

#define BUF_LEN (64 * 1024)
#define IOVA 0x100000ULL

static const char *bdf(void)
{
	const char *s = getenv("IOASID_BDF");

	return s && *s ? s : "0000:00:03.0";
}

static int is_chardev(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISCHR(st.st_mode);
}

static void sysfs_link(const char *link, char *buf, size_t len)
{
	char path[PATH_MAX], target[PATH_MAX];
	ssize_t n;
	char *base;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/%s", bdf(), link);
	n = readlink(path, target, sizeof(target) - 1);
	buf[0] = '\0';
	if (n < 0)
		return;
	target[n] = '\0';
	base = strrchr(target, '/');
	snprintf(buf, len, "%.63s", base ? base + 1 : target);
}

TEST(dev_iommu_exists)
{
	ASSERT_TRUE(is_chardev("/dev/iommu"));
}

TEST(nvme_bound_to_vfio_pci)
{
	char drv[64];

	sysfs_link("driver", drv, sizeof(drv));
	ASSERT_STREQ("vfio-pci", drv);
}

TEST(vfio_cdev_exists)
{
	ASSERT_TRUE(is_chardev("/dev/vfio/devices/vfio0"));
}

TEST(vfio_group_node_exists)
{
	char grp[64], path[96];

	sysfs_link("iommu_group", grp, sizeof(grp));
	ASSERT_NE('\0', grp[0]);
	snprintf(path, sizeof(path), "/dev/vfio/%s", grp);
	ASSERT_TRUE(is_chardev(path));
	ASSERT_TRUE(is_chardev("/dev/vfio/vfio"));
}

TEST(btf_vmlinux)
{
	struct stat st;

	ASSERT_EQ(0, stat("/sys/kernel/btf/vmlinux", &st));
	ASSERT_GT(st.st_size, 1024);
}

TEST(tracefs_mounted)
{
	ASSERT_EQ(0, access("/sys/kernel/tracing/trace", R_OK));
	ASSERT_EQ(0, access("/sys/kernel/tracing/events/iommu", R_OK));
}

FIXTURE(dma)
{
	struct vdev dev;
	void *buf;
};

FIXTURE_VARIANT(dma)
{
	enum vdev_backend backend;
};

FIXTURE_VARIANT_ADD(dma, iommufd)
{
	.backend = VDEV_IOMMUFD,
};

FIXTURE_VARIANT_ADD(dma, type1)
{
	.backend = VDEV_TYPE1,
};

FIXTURE_SETUP(dma)
{
	int ret = vdev_open(&self->dev, bdf(), variant->backend);

	if (ret)
		TH_LOG("%s", self->dev.err);
	ASSERT_EQ(0, ret);
	self->buf = mmap(NULL, BUF_LEN, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	ASSERT_NE(MAP_FAILED, self->buf);
}

FIXTURE_TEARDOWN(dma)
{
	vdev_close(&self->dev);
	if (self->buf && self->buf != MAP_FAILED)
		munmap(self->buf, BUF_LEN);
}

TEST_F(dma, map_unmap)
{
	uint64_t done = 0;

	ASSERT_EQ(0, vdev_iova_check(&self->dev, IOVA, BUF_LEN)) TH_LOG("%s", self->dev.err);
	ASSERT_EQ(0, vdev_map(&self->dev, self->buf, IOVA, BUF_LEN)) TH_LOG("%s", self->dev.err);
	/* The same IOVA cannot be mapped twice. */
	ASSERT_EQ(-EEXIST, vdev_map(&self->dev, self->buf, IOVA, BUF_LEN));
	ASSERT_EQ(0, vdev_unmap(&self->dev, IOVA, BUF_LEN, &done)) TH_LOG("%s", self->dev.err);
	ASSERT_EQ((uint64_t)BUF_LEN, done);
}

TEST_F(dma, unmap_nothing)
{
	uint64_t done = 1;
	int ret = vdev_unmap(&self->dev, IOVA, BUF_LEN, &done);

	/* iommufd refuses an empty range; type1 reports zero bytes unmapped. */
	if (variant->backend == VDEV_IOMMUFD) {
		ASSERT_EQ(-ENOENT, ret);
	} else {
		ASSERT_EQ(0, ret);
		ASSERT_EQ((uint64_t)0, done);
	}
}

TEST_F(dma, bad_user_va)
{
	/* Unbacked address: the pin fails and nothing stays mapped. */
	ASSERT_EQ(-EFAULT, vdev_map(&self->dev, (void *)0x1000, IOVA, BUF_LEN));
	ASSERT_EQ(0, vdev_map(&self->dev, self->buf, IOVA, BUF_LEN));
	ASSERT_EQ(0, vdev_unmap(&self->dev, IOVA, BUF_LEN, NULL));
}

TEST(open_errors)
{
	struct vdev d;

	ASSERT_EQ(-EINVAL, vdev_open(&d, "not-a-bdf", VDEV_IOMMUFD));
	ASSERT_EQ(-ENODEV, vdev_open(&d, "0000:00:1e.7", VDEV_IOMMUFD));
	ASSERT_NE(NULL, strstr(d.err, "no PCI device 0000:00:1e.7"));
	/* 00:00.0 is the host bridge: on no driver or not on vfio-pci. */
	ASSERT_NE(0, vdev_open(&d, "0000:00:00.0", VDEV_TYPE1));
	ASSERT_EQ(-1, d.device_fd);
}

TEST_HARNESS_MAIN
