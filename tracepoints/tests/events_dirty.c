// SPDX-License-Identifier: GPL-2.0
/*
 * Dirty tracking on the iommufd selftest mock: IOMMU_HWPT_SET_DIRTY_TRACKING
 * and IOMMU_HWPT_GET_DIRTY_BITMAP, each path with its record.  The mock marks
 * its PTEs dirty on request (IOMMU_TEST_OP_DIRTY), so the dirty bytes a read
 * reports are known (huge pages off: the IOAS maps in small PTEs), and each
 * read's record must agree with the bitmap the read filled.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mock_harness.h"

/* The mock's IOVA alignment: an enum in 7.3's iommufd_test.h, 6.12 keeps it in
 * iommufd.c (PAGE_SIZE / 2) */
#ifndef MOCK_PAGE_SIZE
#define MOCK_PAGE_SIZE 2048
#endif

#define SET "iommufd_hwpt_set_dirty_tracking"
#define GET_ST "iommufd_hwpt_get_dirty_bitmap_start"
#define GET "iommufd_hwpt_get_dirty_bitmap"
#define BUF_SIZE (256UL * 1024)
/* Bitmap bits per mock page (MOCK_PAGE_SIZE): the IOAS maps PAGE_SIZE PTEs */
#define NBITS (BUF_SIZE / MOCK_PAGE_SIZE)
#define DIRTY_STRIDE 4 /* one PTE of four marked dirty */
#define DIRTY_BYTES (BUF_SIZE / PAGE_SIZE / DIRTY_STRIDE * PAGE_SIZE)

/* iommufd_utils.h leaves PAGE_SIZE to the test file, as iommufd.c sets it */
static __attribute__((constructor)) void page_size_init(void)
{
	PAGE_SIZE = sysconf(_SC_PAGE_SIZE);
}

FIXTURE(dirty_events)
{
	int fd;
	__u32 ioas_id, stdev_id, hwpt_id, idev_id, dirty_hwpt;
	void *buf;
	__u64 bitmap[NBITS / 64 + 1];
	char *trace;
	struct enabled_events ev;
};

FIXTURE_SETUP(dirty_events)
{
	struct iommu_option huge_off = {
		.size = sizeof(huge_off),
		.option_id = IOMMU_OPTION_HUGE_PAGES,
		.op = IOMMU_OPTION_OP_SET,
		.val64 = 0,
	};

	mock_open(_metadata, SET, &self->fd, &self->ioas_id);
	huge_off.object_id = self->ioas_id;
	ASSERT_EQ(0, ioctl(self->fd, IOMMU_OPTION, &huge_off));
	mock_device(_metadata, self->fd, self->ioas_id, 0, &self->stdev_id,
		    &self->hwpt_id, &self->idev_id);
	self->buf = mmap(NULL, BUF_SIZE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->buf);
	test_ioctl_ioas_map_fixed_id(self->ioas_id, self->buf, BUF_SIZE,
				     MOCK_APERTURE_START);
	test_cmd_hwpt_alloc(self->idev_id, self->ioas_id,
			    IOMMU_HWPT_ALLOC_DIRTY_TRACKING, &self->dirty_hwpt);
}

/* In the parent, after the test process has exited (see mock_harness.h). */
FIXTURE_TEARDOWN_PARENT(dirty_events)
{
	events_disable(_metadata, &self->ev);
}

static int set_dirty(int fd, __u32 hwpt_id, __u32 flags)
{
	struct iommu_hwpt_set_dirty_tracking cmd = {
		.size = sizeof(cmd), .flags = flags, .hwpt_id = hwpt_id,
	};

	return ioctl(fd, IOMMU_HWPT_SET_DIRTY_TRACKING, &cmd) ? -errno : 0;
}

static int get_dirty(int fd, __u32 hwpt_id, __u64 iova, __u64 *bitmap,
		     __u32 flags)
{
	struct iommu_hwpt_get_dirty_bitmap cmd = {
		.size = sizeof(cmd),
		.hwpt_id = hwpt_id,
		.flags = flags,
		.iova = iova,
		.length = BUF_SIZE,
		.page_size = MOCK_PAGE_SIZE,
		.data = (uintptr_t)bitmap,
	};

	memset(bitmap, 0, NBITS / 8);	/* the kernel only sets bits */
	return ioctl(fd, IOMMU_HWPT_GET_DIRTY_BITMAP, &cmd) ? -errno : 0;
}

/*
 * One page of DIRTY_STRIDE marked dirty, both of its mock pages: 7.3's mock
 * (generic_pt) dirties the PAGE_SIZE PTE of each, 6.12's its MOCK_PAGE_SIZE
 * entries, DIRTY_BYTES of IOVA either way.
 */
static void mark_dirty(struct __test_metadata *_metadata, int fd,
		       __u32 hwpt_id, __u64 *bitmap)
{
	unsigned long i, k, per_pte = PAGE_SIZE / MOCK_PAGE_SIZE;
	__u64 nr = 0;

	memset(bitmap, 0, NBITS / 8);
	for (i = 0; i < NBITS; i += per_pte * DIRTY_STRIDE)
		for (k = i; k < i + per_pte; k++)
			bitmap[k / 64] |= 1ULL << (k % 64);
	ASSERT_EQ(0, _test_cmd_mock_domain_set_dirty(fd, hwpt_id, BUF_SIZE,
						     MOCK_APERTURE_START,
						     MOCK_PAGE_SIZE, bitmap, &nr));
	ASSERT_EQ(NBITS / DIRTY_STRIDE, nr);
}

/* The bytes the bitmap a read filled shows dirty */
static long long bitmap_bytes(const __u64 *bitmap)
{
	long long n = 0;
	unsigned int i;

	for (i = 0; i < NBITS / 64; i++)
		n += __builtin_popcountll(bitmap[i]);
	return n * MOCK_PAGE_SIZE;
}

/* One read: its _start and end record, with the request and the result. */
#define ASSERT_READ(flags, iova, dirty, ret)                                   \
	do {                                                                   \
		ASSERT_COUNT(GET_ST, 1);                                       \
		ASSERT_COUNT(GET, 1);                                          \
		ASSERT_FIELD(GET_ST, 0, "hwpt_id", self->dirty_hwpt);          \
		ASSERT_FIELD(GET_ST, 0, "flags", flags);                       \
		ASSERT_FIELD(GET_ST, 0, "iova", iova);                         \
		ASSERT_FIELD(GET_ST, 0, "length", BUF_SIZE);                   \
		ASSERT_FIELD(GET_ST, 0, "page_size", MOCK_PAGE_SIZE);          \
		ASSERT_FIELD(GET, 0, "hwpt_id", self->dirty_hwpt);             \
		ASSERT_FIELD(GET, 0, "flags", flags);                          \
		ASSERT_FIELD(GET, 0, "iova", iova);                            \
		ASSERT_FIELD(GET, 0, "length", BUF_SIZE);                      \
		ASSERT_FIELD(GET, 0, "page_size", MOCK_PAGE_SIZE);             \
		ASSERT_FIELD(GET, 0, "dirty_bytes", dirty);                    \
		ASSERT_FIELD(GET, 0, "ret", ret);                              \
		if (!(ret)) /* the record agrees with the bitmap read */       \
			ASSERT_EQ((long long)(dirty),                          \
				  bitmap_bytes(self->bitmap));                 \
	} while (0)

#define ASSERT_SET(hwpt, enable, ret)                                          \
	do {                                                                   \
		ASSERT_COUNT(SET, 1);                                          \
		ASSERT_FIELD(SET, 0, "hwpt_id", hwpt);                         \
		ASSERT_FIELD(SET, 0, "enable", enable);                        \
		ASSERT_FIELD(SET, 0, "ret", ret);                              \
	} while (0)

/*
 * On and off: one record each.  Flags the kernel does not know
 * (-EOPNOTSUPP), an ID that is not a paging HWPT (the IOAS: -ENOENT) and
 * the mock device's automatic HWPT, allocated without dirty tracking
 * (-EINVAL or -EOPNOTSUPP from the driver): one record each, with the
 * error.
 */
TEST_F(dirty_events, set)
{
	int ret;

	enable_event("iommufd", SET);

	clear_trace();
	ASSERT_EQ(0, set_dirty(self->fd, self->dirty_hwpt,
			       IOMMU_HWPT_DIRTY_TRACKING_ENABLE));
	read_trace();
	ASSERT_SET(self->dirty_hwpt, 1, 0);

	clear_trace();
	ASSERT_EQ(0, set_dirty(self->fd, self->dirty_hwpt, 0));
	read_trace();
	ASSERT_SET(self->dirty_hwpt, 0, 0);

	clear_trace();
	ASSERT_EQ(-EOPNOTSUPP, set_dirty(self->fd, self->dirty_hwpt, 1U << 7));
	read_trace();
	ASSERT_SET(self->dirty_hwpt, 0, -EOPNOTSUPP);

	clear_trace();
	ASSERT_EQ(-ENOENT, set_dirty(self->fd, self->ioas_id,
				     IOMMU_HWPT_DIRTY_TRACKING_ENABLE));
	read_trace();
	ASSERT_SET(self->ioas_id, 1, -ENOENT);

	clear_trace();
	ret = set_dirty(self->fd, self->hwpt_id, IOMMU_HWPT_DIRTY_TRACKING_ENABLE);
	ASSERT_GT(0, ret);
	read_trace();
	ASSERT_SET(self->hwpt_id, 1, ret);
}

/*
 * Tracking on, a quarter of the PTEs marked dirty: the read reports them,
 * the next finds them cleared (0 bytes).  Marked again and read with
 * NO_CLEAR twice: both report them.
 */
TEST_F(dirty_events, read)
{
	const __u32 no_clear = IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR;

	ASSERT_EQ(0, set_dirty(self->fd, self->dirty_hwpt,
			       IOMMU_HWPT_DIRTY_TRACKING_ENABLE));
	enable_event("iommufd", GET_ST);
	enable_event("iommufd", GET);

	mark_dirty(_metadata, self->fd, self->dirty_hwpt, self->bitmap);
	clear_trace();
	ASSERT_EQ(0, get_dirty(self->fd, self->dirty_hwpt, MOCK_APERTURE_START,
			       self->bitmap, 0));
	read_trace();
	ASSERT_READ(0, MOCK_APERTURE_START, DIRTY_BYTES, 0);

	clear_trace();
	ASSERT_EQ(0, get_dirty(self->fd, self->dirty_hwpt, MOCK_APERTURE_START,
			       self->bitmap, 0));
	read_trace();
	ASSERT_READ(0, MOCK_APERTURE_START, 0, 0);

	mark_dirty(_metadata, self->fd, self->dirty_hwpt, self->bitmap);
	clear_trace();
	ASSERT_EQ(0, get_dirty(self->fd, self->dirty_hwpt, MOCK_APERTURE_START,
			       self->bitmap, no_clear));
	read_trace();
	ASSERT_READ(no_clear, MOCK_APERTURE_START, DIRTY_BYTES, 0);

	clear_trace();
	ASSERT_EQ(0, get_dirty(self->fd, self->dirty_hwpt, MOCK_APERTURE_START,
			       self->bitmap, no_clear));
	read_trace();
	ASSERT_READ(no_clear, MOCK_APERTURE_START, DIRTY_BYTES, 0);
}

/*
 * Errors, each a _start and an end record with the error and 0 bytes:
 * flags the kernel does not know (before the HWPT is looked up), an IOVA
 * not aligned to page_size (the range check), an ID that is no HWPT.
 */
TEST_F(dirty_events, read_errors)
{
	const __u64 odd = MOCK_APERTURE_START + MOCK_PAGE_SIZE / 2;

	ASSERT_EQ(0, set_dirty(self->fd, self->dirty_hwpt,
			       IOMMU_HWPT_DIRTY_TRACKING_ENABLE));
	mark_dirty(_metadata, self->fd, self->dirty_hwpt, self->bitmap);
	enable_event("iommufd", GET_ST);
	enable_event("iommufd", GET);

	clear_trace();
	ASSERT_EQ(-EOPNOTSUPP, get_dirty(self->fd, self->dirty_hwpt,
					 MOCK_APERTURE_START, self->bitmap,
					 1U << 7));
	read_trace();
	ASSERT_READ(1U << 7, MOCK_APERTURE_START, 0, -EOPNOTSUPP);

	clear_trace();
	ASSERT_EQ(-EINVAL, get_dirty(self->fd, self->dirty_hwpt, odd,
				     self->bitmap, 0));
	read_trace();
	ASSERT_READ(0, odd, 0, -EINVAL);

	clear_trace();
	ASSERT_EQ(-ENOENT, get_dirty(self->fd, self->ioas_id,
				     MOCK_APERTURE_START, self->bitmap, 0));
	read_trace();
	ASSERT_COUNT(GET, 1);
	ASSERT_FIELD(GET, 0, "hwpt_id", self->ioas_id);
	ASSERT_FIELD(GET, 0, "dirty_bytes", 0);
	ASSERT_FIELD(GET, 0, "ret", -ENOENT);

	/* the errors did not read the marked PTEs: they are all still there */
	clear_trace();
	ASSERT_EQ(0, get_dirty(self->fd, self->dirty_hwpt, MOCK_APERTURE_START,
			       self->bitmap, 0));
	read_trace();
	ASSERT_READ(0, MOCK_APERTURE_START, DIRTY_BYTES, 0);
}

TEST_HARNESS_MAIN
