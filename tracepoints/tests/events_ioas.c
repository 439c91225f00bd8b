// SPDX-License-Identifier: GPL-2.0
/*
 * The IOAS map and unmap events of the series come from the io_pagetable
 * code, whatever called it, with the entry point in the caller field:
 * IOMMU_IOAS_MAP/UNMAP ("ioctl"), IOMMU_IOAS_MAP_FILE ("map_file", 6.13 and
 * later) and the VFIO type1 compat ioctls on /dev/iommu ("vfio_compat");
 * the unmap of what an IOAS still maps when it is destroyed emits nothing
 * (user space asked for no unmap). Copy keeps its pair in its handler. Each
 * test drives one entry point on the selftest mock and checks the records:
 * count, fields, and that each end record follows its _start in the same
 * task.
 *
 * Run without an active VT-d driver (testbed/run -i none), as events_mock.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/vfio.h>

#include "mock_harness.h"

#define SZ_4K 0x1000UL
#define SZ_32K 0x8000UL
#define SZ_64K 0x10000UL
/* The mock domain maps nothing below its aperture */
#define IOVA ((__u64)MOCK_APERTURE_START)
#define BUF_LEN (4 * SZ_64K)
/* An ID no test allocates */
#define BAD_ID 0xfff0
#define RW (IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE)
/* IOMMU_READ | IOMMU_WRITE | IOMMU_CACHE: a read-write map's prot */
#define PROT_RW 0x7
/* IOPT_ALLOC_IOVA in the _start event's flags */
#define ALLOC_IOVA 0x1

#define MAP_ST "iommufd_ioas_map_start"
#define MAP "iommufd_ioas_map"
#define UNMAP_ST "iommufd_ioas_unmap_start"
#define UNMAP "iommufd_ioas_unmap"

FIXTURE(ioas_events)
{
	int fd;
	__u32 ioas_id, stdev_id, hwpt_id, idev_id;
	void *buf;
	char *trace;
};

FIXTURE_SETUP(ioas_events)
{
	mock_open(_metadata, MAP, &self->fd, &self->ioas_id);
	/* A domain on the IOAS, so that a map pins and fills it */
	mock_device(_metadata, self->fd, self->ioas_id, 0, &self->stdev_id,
		    &self->hwpt_id, &self->idev_id);
	self->buf = mmap(NULL, BUF_LEN, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	ASSERT_NE(MAP_FAILED, self->buf);
	ASSERT_EQ(0, tracefs_clear());
	ASSERT_EQ(0, tracefs_event_enable("iommufd", NULL, 1));
}

/* In the parent, after the test process has exited (events_mock.c) */
FIXTURE_TEARDOWN_PARENT(ioas_events)
{
	EXPECT_EQ(0, tracefs_event_enable("iommufd", NULL, 0));
}

/* Events off first: nothing after the operation pollutes the read */
#define stop_read_trace()                                                      \
	do {                                                                   \
		ASSERT_EQ(0, tracefs_event_enable("iommufd", NULL, 0));        \
		free(self->trace);                                             \
		self->trace = tracefs_read();                                  \
		ASSERT_NE(NULL, self->trace);                                  \
	} while (0)

/* @maps map pairs and @unmaps unmap pairs */
#define ASSERT_PAIRS(maps, unmaps)                                             \
	do {                                                                   \
		ASSERT_COUNT(MAP_ST, maps);                                    \
		ASSERT_COUNT(MAP, maps);                                       \
		ASSERT_COUNT(UNMAP_ST, unmaps);                                \
		ASSERT_COUNT(UNMAP, unmaps);                                   \
	} while (0)

static void expect_field(struct __test_metadata *_metadata, const char *trace,
			 const char *event, int nth, const char *key, long long want)
{
	char rec[512] = "";
	long long v = 0;

	trace_record(trace, event, nth, rec, sizeof(rec));
	EXPECT_EQ(0, trace_field(trace, event, nth, key, &v))
		TH_LOG("no %s in %s #%d: %s", key, event, nth, rec);
	EXPECT_EQ(want, v) TH_LOG("%s in %s #%d: %s", key, event, nth, rec);
}

#define EXPECT_FIELD(event, nth, key, want)                                    \
	expect_field(_metadata, self->trace, event, nth, key, (long long)(want))

/*
 * Record @nth of the _start event @st and of its end event @ev: the same
 * task (this one) and caller, the end no earlier than the start.
 */
static void expect_pair(struct __test_metadata *_metadata, const char *trace,
			const char *st, const char *ev, int nth, const char *caller)
{
	char c_st[32] = "", c_ev[32] = "";

	assert_pair(_metadata, trace, st, ev, nth);
	EXPECT_EQ(0, trace_field_str(trace, st, nth, "caller", c_st, sizeof(c_st)));
	EXPECT_EQ(0, trace_field_str(trace, ev, nth, "caller", c_ev, sizeof(c_ev)));
	EXPECT_STREQ(caller, c_st);
	EXPECT_STREQ(caller, c_ev);
}

#define EXPECT_PAIR(st, ev, nth, caller)                                       \
	expect_pair(_metadata, self->trace, st, ev, nth, caller)

/* On the fixture's /dev/iommu */
#define ioas_map(id, va, len, iova_p, flags)                                   \
	_test_ioctl_ioas_map(self->fd, id, va, len, iova_p, flags)
#define ioas_unmap(id, iova, len, done_p)                                      \
	_test_ioctl_ioas_unmap(self->fd, id, iova, len, done_p)

/* A fixed and an allocated IOVA, both unmapped: two pairs each, caller ioctl */
TEST_F(ioas_events, ioctl_map_unmap)
{
	__u64 iova = IOVA, auto_iova = 0;
	uint64_t done = 0;

	ASSERT_EQ(0, ioas_map(self->ioas_id, self->buf, SZ_64K, &iova,
			      RW | IOMMU_IOAS_MAP_FIXED_IOVA));
	ASSERT_EQ(0, ioas_map(self->ioas_id, (char *)self->buf + SZ_64K, SZ_64K,
			      &auto_iova, RW));
	ASSERT_EQ(0, ioas_unmap(self->ioas_id, IOVA, SZ_64K, &done));
	ASSERT_EQ(SZ_64K, done);
	ASSERT_EQ(0, ioas_unmap(self->ioas_id, auto_iova, SZ_64K, &done));
	stop_read_trace();

	ASSERT_PAIRS(2, 2);
	EXPECT_FIELD(MAP_ST, 0, "ioas_id", self->ioas_id);
	EXPECT_FIELD(MAP_ST, 0, "iova", IOVA);
	EXPECT_FIELD(MAP_ST, 0, "length", SZ_64K);
	EXPECT_FIELD(MAP_ST, 0, "prot", PROT_RW);
	EXPECT_FIELD(MAP_ST, 0, "flags", 0);
	EXPECT_FIELD(MAP_ST, 1, "flags", ALLOC_IOVA);
	EXPECT_FIELD(MAP, 0, "iova", IOVA);
	EXPECT_FIELD(MAP, 0, "ret", 0);
	/* The end record has the IOVA the kernel chose, and says it chose */
	EXPECT_FIELD(MAP, 1, "iova", auto_iova);
	EXPECT_FIELD(MAP, 1, "flags", ALLOC_IOVA);
	EXPECT_FIELD(MAP, 0, "flags", 0);
	EXPECT_FIELD(MAP, 1, "length", SZ_64K);
	EXPECT_FIELD(UNMAP, 0, "iova", IOVA);
	EXPECT_FIELD(UNMAP, 0, "length", SZ_64K);
	EXPECT_FIELD(UNMAP, 0, "unmapped", SZ_64K);
	EXPECT_FIELD(UNMAP, 1, "iova", auto_iova);
	EXPECT_FIELD(UNMAP, 1, "ret", 0);
	EXPECT_PAIR(MAP_ST, MAP, 0, "ioctl");
	EXPECT_PAIR(MAP_ST, MAP, 1, "ioctl");
	EXPECT_PAIR(UNMAP_ST, UNMAP, 0, "ioctl");
	EXPECT_PAIR(UNMAP_ST, UNMAP, 1, "ioctl");
}

/*
 * Arguments refused before the io_pagetable emit nothing; an unmap that
 * reaches it and finds nothing succeeds there (the ioctl says -ENOENT),
 * one that would split a mapping fails there with -ENOENT.
 */
TEST_F(ioas_events, refused_empty_and_split)
{
	__u64 iova = IOVA;
	uint64_t done = 0;

	EXPECT_ERRNO(ENOENT, ioas_map(BAD_ID, self->buf, SZ_64K, &iova,
				      RW | IOMMU_IOAS_MAP_FIXED_IOVA));
	EXPECT_ERRNO(EINVAL, ioas_map(self->ioas_id, self->buf, SZ_64K, &iova,
				      IOMMU_IOAS_MAP_FIXED_IOVA));
	EXPECT_ERRNO(ENOENT, ioas_unmap(self->ioas_id, IOVA, SZ_64K, &done));
	iova = IOVA;
	ASSERT_EQ(0, ioas_map(self->ioas_id, self->buf, SZ_64K, &iova,
			      RW | IOMMU_IOAS_MAP_FIXED_IOVA));
	EXPECT_ERRNO(ENOENT, ioas_unmap(self->ioas_id, IOVA, SZ_4K, &done));
	stop_read_trace();

	ASSERT_PAIRS(1, 2);
	EXPECT_FIELD(UNMAP, 0, "ret", 0);
	EXPECT_FIELD(UNMAP, 0, "unmapped", 0);
	EXPECT_FIELD(UNMAP, 1, "length", SZ_4K);
	EXPECT_FIELD(UNMAP, 1, "ret", -ENOENT);
	EXPECT_FIELD(UNMAP, 1, "unmapped", 0);
	EXPECT_PAIR(UNMAP_ST, UNMAP, 1, "ioctl");
}

/*
 * Unmap all: one pair for the whole space (length 0).  An IOAS destroyed
 * with a mapping left: no pair, it is no operation user space asked for.
 */
TEST_F(ioas_events, unmap_all_and_destroy)
{
	__u64 iova = IOVA;
	uint64_t done = 0;
	__u32 ioas2;

	ASSERT_EQ(0, ioas_map(self->ioas_id, self->buf, SZ_64K, &iova,
			      RW | IOMMU_IOAS_MAP_FIXED_IOVA));
	iova = IOVA + 2 * SZ_64K;
	ASSERT_EQ(0, ioas_map(self->ioas_id, (char *)self->buf + SZ_64K, SZ_64K,
			      &iova, RW | IOMMU_IOAS_MAP_FIXED_IOVA));
	ASSERT_EQ(0, ioas_unmap(self->ioas_id, 0, UINT64_MAX, &done));
	ASSERT_EQ(2 * SZ_64K, done);
	ASSERT_EQ(0, _test_ioctl_ioas_alloc(self->fd, &ioas2));
	iova = IOVA;
	ASSERT_EQ(0, ioas_map(ioas2, self->buf, 3 * SZ_64K, &iova,
			      RW | IOMMU_IOAS_MAP_FIXED_IOVA));
	ASSERT_EQ(0, _test_ioctl_destroy(self->fd, ioas2));
	stop_read_trace();

	/* The unmap all, then ioas2's map and nothing for its destruction */
	ASSERT_COUNT(UNMAP_ST, 1);
	ASSERT_COUNT(UNMAP, 1);
	ASSERT_COUNT(MAP, 3);
	EXPECT_FIELD(UNMAP_ST, 0, "iova", 0);
	EXPECT_FIELD(UNMAP_ST, 0, "length", 0);
	EXPECT_FIELD(UNMAP, 0, "length", 0);
	EXPECT_FIELD(UNMAP, 0, "unmapped", 2 * SZ_64K);
	EXPECT_FIELD(UNMAP, 0, "ret", 0);
	EXPECT_PAIR(UNMAP_ST, UNMAP, 0, "ioctl");
	EXPECT_FIELD(MAP, 2, "ioas_id", ioas2);
}

/* VFIO_IOMMU_MAP_DMA and UNMAP_DMA on /dev/iommu: caller vfio_compat */
TEST_F(ioas_events, vfio_compat)
{
	struct iommu_vfio_ioas set = {
		.size = sizeof(set),
		.ioas_id = self->ioas_id,
		.op = IOMMU_VFIO_IOAS_SET,
	};
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)self->buf,
		.iova = IOVA,
		.size = SZ_64K,
	};
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap),
		.iova = IOVA,
		.size = SZ_64K,
	};

	ASSERT_EQ(0, ioctl(self->fd, IOMMU_VFIO_IOAS, &set));
	ASSERT_EQ(0, ioctl(self->fd, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU));
	ASSERT_EQ(0, ioctl(self->fd, VFIO_IOMMU_MAP_DMA, &map));
	ASSERT_EQ(0, ioctl(self->fd, VFIO_IOMMU_UNMAP_DMA, &unmap));
	ASSERT_EQ(SZ_64K, unmap.size);
	ASSERT_EQ(0, ioctl(self->fd, VFIO_IOMMU_MAP_DMA, &map));
	unmap.flags = VFIO_DMA_UNMAP_FLAG_ALL;
	unmap.iova = 0;
	unmap.size = 0;
	ASSERT_EQ(0, ioctl(self->fd, VFIO_IOMMU_UNMAP_DMA, &unmap));
	stop_read_trace();

	ASSERT_PAIRS(2, 2);
	EXPECT_FIELD(MAP, 0, "ioas_id", self->ioas_id);
	EXPECT_FIELD(MAP, 0, "iova", IOVA);
	EXPECT_FIELD(MAP, 0, "length", SZ_64K);
	EXPECT_FIELD(MAP, 0, "ret", 0);
	EXPECT_FIELD(UNMAP, 0, "length", SZ_64K);
	EXPECT_FIELD(UNMAP, 0, "unmapped", SZ_64K);
	EXPECT_FIELD(UNMAP, 1, "length", 0);
	EXPECT_FIELD(UNMAP, 1, "unmapped", SZ_64K);
	EXPECT_PAIR(MAP_ST, MAP, 0, "vfio_compat");
	EXPECT_PAIR(MAP_ST, MAP, 1, "vfio_compat");
	EXPECT_PAIR(UNMAP_ST, UNMAP, 0, "vfio_compat");
	EXPECT_PAIR(UNMAP_ST, UNMAP, 1, "vfio_compat");
}

/*
 * IOMMU_IOAS_MAP_FILE of a memfd from an offset: the file's record (its
 * inode, the offset, the length) just before the pair, caller map_file
 * (kernels since 6.13).  A file that is no memfd (the iommufd itself) gets
 * its pages set up, so its record, and fails to pin in the map: -EINVAL.
 */
TEST_F(ioas_events, map_file)
{
#ifdef IOMMU_IOAS_MAP_FILE
	const char *mf = "iommufd_ioas_map_file";
	__u64 iova = IOVA;
	uint64_t done = 0;
	int mfd = memfd_create("events_ioas", 0);
	struct stat st, st2;

	ASSERT_LE(0, mfd);
	ASSERT_EQ(0, ftruncate(mfd, SZ_64K));
	ASSERT_EQ(0, fstat(mfd, &st));
	ASSERT_EQ(0, fstat(self->fd, &st2));
	ASSERT_EQ(0, _test_ioctl_ioas_map_file(self->fd, self->ioas_id, mfd, SZ_4K, SZ_32K,
					       &iova, RW | IOMMU_IOAS_MAP_FIXED_IOVA));
	ASSERT_EQ(0, ioas_unmap(self->ioas_id, IOVA, SZ_32K, &done));
	EXPECT_NE(0, _test_ioctl_ioas_map_file(self->fd, self->ioas_id, self->fd, 0, SZ_4K,
					       &iova, RW | IOMMU_IOAS_MAP_FIXED_IOVA));
	close(mfd);
	stop_read_trace();

	ASSERT_COUNT(MAP_ST, 2);
	ASSERT_COUNT(MAP, 2);
	EXPECT_FIELD(MAP, 0, "iova", IOVA);
	EXPECT_FIELD(MAP, 0, "length", SZ_32K);
	EXPECT_FIELD(MAP, 0, "ret", 0);
	EXPECT_PAIR(MAP_ST, MAP, 0, "map_file");
	EXPECT_PAIR(UNMAP_ST, UNMAP, 0, "ioctl");
	EXPECT_FIELD(MAP, 1, "ret", -EINVAL);
	EXPECT_PAIR(MAP_ST, MAP, 1, "map_file");
	if (!tracefs_event_exists("iommufd", mf))
		return;	/* a series from before the event */
	ASSERT_COUNT(mf, 2);
	EXPECT_FIELD(mf, 0, "ioas_id", self->ioas_id);
	EXPECT_FIELD(mf, 0, "ino", st.st_ino);
	EXPECT_FIELD(mf, 0, "offset", SZ_4K);
	EXPECT_FIELD(mf, 0, "length", SZ_32K);
	EXPECT_FIELD(mf, 0, "dmabuf", 0);
	EXPECT_FIELD(mf, 1, "ino", st2.st_ino);
	EXPECT_FIELD(mf, 1, "length", SZ_4K);
	EXPECT_LT(trace_record_offset(self->trace, mf, 0),
		  trace_record_offset(self->trace, MAP_ST, 0));
	EXPECT_LT(trace_record_offset(self->trace, mf, 1),
		  trace_record_offset(self->trace, MAP_ST, 1));
#else
	SKIP(return, "uAPI headers without IOMMU_IOAS_MAP_FILE (before 6.13)");
#endif
}

/*
 * IOMMU_IOAS_COPY: its own pair, no map pair (it maps pages it already
 * has); refused flags emit nothing, a missing destination ends the pair.
 */
TEST_F(ioas_events, copy)
{
	struct iommu_ioas_copy copy = {
		.size = sizeof(copy),
		.flags = RW | IOMMU_IOAS_MAP_FIXED_IOVA,
		.src_ioas_id = self->ioas_id,
		.src_iova = IOVA,
		.dst_iova = IOVA,
		.length = SZ_64K,
	};
	__u64 iova = IOVA;

	ASSERT_EQ(0, ioas_map(self->ioas_id, self->buf, SZ_64K, &iova,
			      RW | IOMMU_IOAS_MAP_FIXED_IOVA));
	ASSERT_EQ(0, _test_ioctl_ioas_alloc(self->fd, &copy.dst_ioas_id));
	ASSERT_EQ(0, tracefs_clear());
	ASSERT_EQ(0, ioctl(self->fd, IOMMU_IOAS_COPY, &copy));
	copy.flags = IOMMU_IOAS_MAP_FIXED_IOVA;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, IOMMU_IOAS_COPY, &copy));
	copy.flags = RW | IOMMU_IOAS_MAP_FIXED_IOVA;
	copy.dst_ioas_id = BAD_ID;
	EXPECT_ERRNO(ENOENT, ioctl(self->fd, IOMMU_IOAS_COPY, &copy));
	stop_read_trace();

	ASSERT_COUNT("iommufd_ioas_copy_start", 2);
	ASSERT_COUNT("iommufd_ioas_copy", 2);
	ASSERT_COUNT(MAP_ST, 0);
	ASSERT_COUNT(MAP, 0);
	EXPECT_FIELD("iommufd_ioas_copy", 0, "ret", 0);
	EXPECT_FIELD("iommufd_ioas_copy", 0, "length", SZ_64K);
	EXPECT_FIELD("iommufd_ioas_copy", 1, "ret", -ENOENT);
	EXPECT_FIELD("iommufd_ioas_copy", 1, "dst_ioas_id", BAD_ID);
}

#define DESTROY "iommufd_object_destroy"

static void expect_destroy(struct __test_metadata *_metadata, const char *trace, __u32 id,
			   const char *type, int closing)
{
	int i = trace_find(trace, DESTROY, "id", id);
	unsigned long long ts;
	char got[32] = "";
	long long v = -1;
	int pid = 0;

	ASSERT_LE(0, i) TH_LOG("no %s record of id %u; trace:\n%s", DESTROY, id, trace);
	if (type) {
		EXPECT_EQ(0, trace_field_str(trace, DESTROY, i, "type", got, sizeof(got)));
		EXPECT_STREQ(type, got);
	}
	EXPECT_EQ(0, trace_field(trace, DESTROY, i, "closing", &v));
	EXPECT_EQ(closing, v);
	EXPECT_EQ(0, trace_record_time(trace, DESTROY, i, &pid, &ts));
	EXPECT_EQ(getpid(), pid);
}

/*
 * iommufd_object_destroy: one record per object that goes, whoever drops it
 * (IOMMU_DESTROY, iommufd for an automatic HWPT, the close of the file), and
 * none for a destroy that fails.
 */
TEST_F(ioas_events, object_destroy)
{
	__u32 ioas2, ioas3, ioas4;
	int fd2;

	ASSERT_EQ(0, _test_ioctl_ioas_alloc(self->fd, &ioas2));
	ASSERT_EQ(0, _test_ioctl_destroy(self->fd, ioas2));
	/* refused: no such ID, and an IOAS the mock device's HWPT holds */
	ASSERT_EQ(-1, _test_ioctl_destroy(self->fd, BAD_ID));
	ASSERT_EQ(ENOENT, errno);
	ASSERT_EQ(-1, _test_ioctl_destroy(self->fd, self->ioas_id));
	ASSERT_EQ(EBUSY, errno);
	stop_read_trace();
	ASSERT_COUNT(DESTROY, 1);
	expect_destroy(_metadata, self->trace, ioas2, "ioas", 0);

	/*
	 * The selftest device object: its iommufd device goes with it, and the
	 * automatic HWPT it was attached to goes when that device detaches.
	 */
	ASSERT_EQ(0, tracefs_clear());
	ASSERT_EQ(0, tracefs_event_enable("iommufd", DESTROY, 1));
	ASSERT_EQ(0, _test_ioctl_destroy(self->fd, self->stdev_id));
	stop_read_trace();
	ASSERT_COUNT(DESTROY, 3);
	expect_destroy(_metadata, self->trace, self->stdev_id, NULL, 0);
	expect_destroy(_metadata, self->trace, self->idev_id, "device", 0);
	expect_destroy(_metadata, self->trace, self->hwpt_id, "hwpt_paging", 0);
	self->stdev_id = 0;

	/* What is left when a file is closed: closing=1, ids of that file */
	fd2 = open("/dev/iommu", O_RDWR);
	ASSERT_NE(-1, fd2);
	ASSERT_EQ(0, _test_ioctl_ioas_alloc(fd2, &ioas3));
	ASSERT_EQ(0, _test_ioctl_ioas_alloc(fd2, &ioas4));
	ASSERT_EQ(0, tracefs_clear());
	ASSERT_EQ(0, tracefs_event_enable("iommufd", DESTROY, 1));
	ASSERT_EQ(0, close(fd2));
	stop_read_trace();
	ASSERT_COUNT(DESTROY, 2);
	expect_destroy(_metadata, self->trace, ioas3, "ioas", 1);
	expect_destroy(_metadata, self->trace, ioas4, "ioas", 1);
}

TEST_HARNESS_MAIN
