// SPDX-License-Identifier: GPL-2.0
/*
 * Events of the series on the real DMA paths: the testbed's NVMe on
 * vfio-pci behind the emulated VT-d, through an iommufd IOAS, a type1
 * container, and the type1 ioctls served by iommufd (compat: iommufd's
 * events, caller vfio_compat).  Each test runs a workload with a known
 * answer and checks the count and the fields of the records in the trace
 * buffer.  On a kernel without type1 (make kernel COMPAT=1) the type1
 * variant is skipped.
 *
 * The device is $IOASID_BDF (default 0000:00:03.0).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "tracefs.h"
#include "vfio.h"

#define SZ_4K 0x1000UL
#define SZ_64K 0x10000UL
#define SZ_2M 0x200000UL
#define IOVA 0x40000000ULL
#define NMAPS 8
/* Pages of the scattered buffer; more than one type1 gather (512). */
#define SCATTER_PAGES 1024

static const char *bdf(void)
{
	const char *s = getenv("IOASID_BDF");

	return s && *s ? s : "0000:00:03.0";
}

FIXTURE(dma)
{
	struct vdev dev;
	void *buf;
	size_t len;
	char *trace;
};

FIXTURE_VARIANT(dma)
{
	enum vdev_backend backend;
	/* Event names of this backend. */
	const char *sys, *map_start, *map, *unmap_start, *unmap, *len_key;
	const char *caller;	/* iommufd's events: the caller field */
};

/* iommufd's IOAS events: the iommufd and compat variants' */
#define IOAS_EVENTS							\
	.sys = "iommufd",						\
	.map_start = "iommufd_ioas_map_start",				\
	.map = "iommufd_ioas_map",					\
	.unmap_start = "iommufd_ioas_unmap_start",			\
	.unmap = "iommufd_ioas_unmap",					\
	.len_key = "length"

FIXTURE_VARIANT_ADD(dma, iommufd)
{
	.backend = VDEV_IOMMUFD,
	IOAS_EVENTS,
	.caller = "ioctl",
};

FIXTURE_VARIANT_ADD(dma, type1)
{
	.backend = VDEV_TYPE1,
	.sys = "vfio_iommu_type1",
	.map_start = "vfio_iommu_type1_dma_map_start",
	.map = "vfio_iommu_type1_dma_map",
	.unmap_start = "vfio_iommu_type1_dma_unmap_start",
	.unmap = "vfio_iommu_type1_dma_unmap",
	.len_key = "size",
};

FIXTURE_VARIANT_ADD(dma, compat)
{
	.backend = VDEV_COMPAT,
	IOAS_EVENTS,
	.caller = "vfio_compat",
};

FIXTURE_SETUP(dma)
{
	char why[256];
	int ret;

	if (!vdev_backend_present(variant->backend, why, sizeof(why)))
		SKIP(return, "%s", why);
	ASSERT_TRUE(tracefs_event_exists(variant->sys, variant->map))
		TH_LOG("no %s:%s: kernel without the series?", variant->sys, variant->map);
	ret = vdev_open(&self->dev, bdf(), variant->backend);
	ASSERT_EQ(0, ret) TH_LOG("%s", self->dev.err);
	self->len = NMAPS * SZ_64K;
	self->buf = mmap(NULL, self->len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	ASSERT_NE(MAP_FAILED, self->buf);
	ASSERT_EQ(0, tracefs_clear());
}

FIXTURE_TEARDOWN(dma)
{
	tracefs_event_enable(variant->sys, NULL, 0);
	tracefs_event_enable("iommu", NULL, 0);
	tracefs_write("events/iommu/map/filter", "0");
	tracefs_write("events/iommu/iotlb_sync_map/filter", "0");
	free(self->trace);
	vdev_close(&self->dev);
	if (self->buf && self->buf != MAP_FAILED)
		munmap(self->buf, self->len);
}

static long long field(struct __test_metadata *_metadata, const char *trace, const char *ev,
		       int nth, const char *key)
{
	long long v = 0;

	if (trace_field(trace, ev, nth, key, &v)) {
		TH_LOG("no field %s in record %d of %s", key, nth, ev);
		_metadata->exit_code = KSFT_FAIL;
	}
	return v;
}

#define FIELD(ev, nth, key) field(_metadata, self->trace, ev, nth, key)
#define EXPECT_FIELD(want, ev, nth, key) EXPECT_EQ((long long)(want), FIELD(ev, nth, key))

/* The time of a record in ns (0, and the test fails, if it has none). */
static unsigned long long rec_time(struct __test_metadata *_metadata, const char *trace,
				   const char *ev, int nth)
{
	unsigned long long ts = 0;
	int pid;

	if (trace_record_time(trace, ev, nth, &pid, &ts)) {
		TH_LOG("no time in record %d of %s", nth, ev);
		_metadata->exit_code = KSFT_FAIL;
	}
	return ts;
}

/*
 * The @nth _start and end records are one operation's: both from this
 * (single-threaded) process, the end no earlier than the start.  That is
 * all a consumer needs to take the latency from them.
 */
static void expect_pair(struct __test_metadata *_metadata, const char *trace, const char *st,
			const char *ev, int nth)
{
	unsigned long long t_st = 0, t_ev = 0;
	int p_st = 0, p_ev = 0;

	if (trace_record_time(trace, st, nth, &p_st, &t_st) ||
	    trace_record_time(trace, ev, nth, &p_ev, &t_ev)) {
		TH_LOG("no header in record %d of %s or %s", nth, st, ev);
		_metadata->exit_code = KSFT_FAIL;
		return;
	}
	EXPECT_EQ(getpid(), p_st);
	EXPECT_EQ(getpid(), p_ev);
	EXPECT_LE(t_st, t_ev);
}

#define EXPECT_PAIR(st, ev, nth) expect_pair(_metadata, self->trace, st, ev, nth)

/* iommufd's events: whether the @nth record of @ev came from @caller (NULL: any). */
static bool caller_is(struct __test_metadata *_metadata, const char *trace, const char *ev,
		      int nth, const char *caller)
{
	char got[32] = "";

	if (!caller)
		return true;
	if (trace_field_str(trace, ev, nth, "caller", got, sizeof(got)) || strcmp(got, caller)) {
		TH_LOG("record %d of %s: caller '%s', want %s", nth, ev, got, caller);
		return false;
	}
	return true;
}

#define EXPECT_CALLER(ev, nth) \
	EXPECT_TRUE(caller_is(_metadata, self->trace, ev, nth, variant->caller))

/*
 * type1: the pin batches pinned @pages pages and the unpin records, one per
 * physically contiguous run, gave back as many, all inside the mapped range.
 */
static void expect_pins_balanced(struct __test_metadata *_metadata, const char *trace,
				 long long pages)
{
	const char *pin = "vfio_iommu_type1_pin_pages", *unpin = "vfio_iommu_type1_unpin_pages";
	long long pinned = 0, unpinned = 0, npages = 0, iova;
	int i, n = trace_count(trace, pin), runs = trace_count(trace, unpin);

	for (i = 0; i < n; i++)
		pinned += field(_metadata, trace, pin, i, "ret");
	for (i = 0; i < runs; i++) {
		unpinned += field(_metadata, trace, unpin, i, "unpinned");
		npages += field(_metadata, trace, unpin, i, "npages");
		iova = field(_metadata, trace, unpin, i, "iova");
		EXPECT_LE((long long)IOVA, iova);
		EXPECT_GT((long long)(IOVA + NMAPS * SZ_64K), iova);
	}
	TH_LOG("type1: %d pin batches pinned %lld pages, %d unpin runs gave back %lld",
	       n, pinned, runs, unpinned);
	EXPECT_LE(1, runs);
	EXPECT_EQ(pages, pinned);
	EXPECT_EQ(pages, unpinned);
	EXPECT_EQ(pages, npages);
}

/* NMAPS maps then NMAPS unmaps: one start and one end record each, in order. */
TEST_F(dma, map_unmap_records)
{
	uint64_t done;
	int i;

	ASSERT_EQ(0, tracefs_event_enable(variant->sys, NULL, 1));
	for (i = 0; i < NMAPS; i++)
		ASSERT_EQ(0, vdev_map(&self->dev, (char *)self->buf + i * SZ_64K,
				      IOVA + i * SZ_64K, SZ_64K)) TH_LOG("%s", self->dev.err);
	for (i = 0; i < NMAPS; i++) {
		ASSERT_EQ(0, vdev_unmap(&self->dev, IOVA + i * SZ_64K, SZ_64K, &done));
		ASSERT_EQ((uint64_t)SZ_64K, done);
	}
	ASSERT_EQ(0, tracefs_event_enable(variant->sys, NULL, 0));
	self->trace = tracefs_read();
	ASSERT_NE(NULL, self->trace);

	ASSERT_EQ(NMAPS, trace_count(self->trace, variant->map_start));
	ASSERT_EQ(NMAPS, trace_count(self->trace, variant->map));
	ASSERT_EQ(NMAPS, trace_count(self->trace, variant->unmap_start));
	ASSERT_EQ(NMAPS, trace_count(self->trace, variant->unmap));
	for (i = 0; i < NMAPS; i++) {
		EXPECT_FIELD(IOVA + i * SZ_64K, variant->map_start, i, "iova");
		EXPECT_FIELD(SZ_64K, variant->map_start, i, variant->len_key);
		EXPECT_FIELD(IOVA + i * SZ_64K, variant->map, i, "iova");
		EXPECT_FIELD(SZ_64K, variant->map, i, variant->len_key);
		EXPECT_FIELD(0, variant->map, i, "ret");
		EXPECT_PAIR(variant->map_start, variant->map, i);
		EXPECT_FIELD(IOVA + i * SZ_64K, variant->unmap, i, "iova");
		EXPECT_FIELD(SZ_64K, variant->unmap, i, "unmapped");
		EXPECT_FIELD(0, variant->unmap, i, "ret");
		EXPECT_PAIR(variant->unmap_start, variant->unmap, i);
		if (variant->backend != VDEV_TYPE1) {	/* compat: its container's IOAS */
			EXPECT_FIELD(self->dev.ioas_id, variant->map, i, "ioas_id");
			EXPECT_FIELD(self->dev.ioas_id, variant->unmap, i, "ioas_id");
		}
		EXPECT_CALLER(variant->map_start, i);
		EXPECT_CALLER(variant->map, i);
		EXPECT_CALLER(variant->unmap_start, i);
		EXPECT_CALLER(variant->unmap, i);
	}
	/* Each map ends before the next starts: no record carries another's time. */
	for (i = 1; i < NMAPS; i++)
		EXPECT_LE(rec_time(_metadata, self->trace, variant->map, i - 1),
			  rec_time(_metadata, self->trace, variant->map_start, i));
	if (variant->backend == VDEV_TYPE1)
		expect_pins_balanced(_metadata, self->trace, NMAPS * SZ_64K / SZ_4K);
}

/*
 * The end event alone, enabled without its _start, is enough to count
 * operations by size and result: the unmap record has the length asked
 * for and what went.
 */
TEST_F(dma, unmap_end_alone)
{
	uint64_t done;

	ASSERT_EQ(0, vdev_map(&self->dev, self->buf, IOVA, SZ_64K)) TH_LOG("%s", self->dev.err);
	ASSERT_EQ(0, tracefs_event_enable(variant->sys, variant->unmap, 1));
	ASSERT_EQ(0, vdev_unmap(&self->dev, IOVA, SZ_64K, &done));
	ASSERT_EQ(0, tracefs_event_enable(variant->sys, variant->unmap, 0));
	self->trace = tracefs_read();
	ASSERT_NE(NULL, self->trace);
	ASSERT_EQ(0, trace_count(self->trace, variant->unmap_start));
	ASSERT_EQ(1, trace_count(self->trace, variant->unmap));
	EXPECT_FIELD(SZ_64K, variant->unmap, 0, variant->len_key);
	EXPECT_FIELD(SZ_64K, variant->unmap, 0, "unmapped");
	EXPECT_FIELD(0, variant->unmap, 0, "ret");
}

/* A map of an unbacked user address fails to pin: the end record says so. */
TEST_F(dma, map_efault_record)
{
	ASSERT_EQ(0, tracefs_event_enable(variant->sys, variant->map_start, 1));
	ASSERT_EQ(0, tracefs_event_enable(variant->sys, variant->map, 1));
	ASSERT_EQ(-EFAULT, vdev_map(&self->dev, (void *)SZ_4K, IOVA, SZ_64K));
	self->trace = tracefs_read();
	ASSERT_NE(NULL, self->trace);
	ASSERT_EQ(1, trace_count(self->trace, variant->map_start));
	ASSERT_EQ(1, trace_count(self->trace, variant->map));
	EXPECT_FIELD(-EFAULT, variant->map, 0, "ret");
	EXPECT_FIELD(IOVA, variant->map, 0, "iova");
	EXPECT_CALLER(variant->map, 0);
}

/*
 * A buffer whose consecutive pages are not physically adjacent: take every
 * other page of a populated region and mremap them side by side.
 */
static void *scattered_buffer(size_t pages)
{
	char *src, *dst;
	size_t i;

	src = mmap(NULL, 2 * pages * SZ_4K, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	dst = mmap(NULL, pages * SZ_4K, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (src == MAP_FAILED || dst == MAP_FAILED)
		return NULL;
	madvise(src, 2 * pages * SZ_4K, MADV_NOHUGEPAGE);
	for (i = 0; i < pages; i++)
		if (mremap(src + 2 * i * SZ_4K, SZ_4K, SZ_4K, MREMAP_MAYMOVE | MREMAP_FIXED,
			   dst + i * SZ_4K) == MAP_FAILED)
			return NULL;
	munmap(src, 2 * pages * SZ_4K);
	return dst;
}

/*
 * The number of iotlb_sync records one unmap of one span must produce.
 * The iommu:unmap records give the runs the backend unmapped (type1: one
 * iommu_unmap_fast() per physically contiguous run; iommufd: one
 * iommu_unmap() for the span).  Rules, from the 6.12 and 7.3 code:
 *  - iommufd: iopt unmaps the span with one iommu_unmap(), one sync;
 *  - type1: vfio_unmap_unpin() gathers runs and syncs every 512
 *    (VFIO_IOMMU_TLB_SYNC_MAX) and once at the end if any are pending;
 *  - VT-d on its own page table (6.12): iommu_iotlb_gather_add_page()
 *    syncs first when a run's size differs from the gathered page size.
 *    On the generic page table (7.3) it gathers ranges and does not.
 */
static bool vtd_generic_pt(void)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	char line[256];
	bool found = false;

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, " pt_iommu_vtdss_init") || strstr(line, " pt_iommu_x86_64_init");
	fclose(f);
	return found;
}

static int expected_syncs(const char *trace, enum vdev_backend b)
{
	int runs = trace_count(trace, "unmap"), i, syncs = 0, pending = 0;
	long long size, gathered = 0;
	bool size_sync = !vtd_generic_pt();

	if (b != VDEV_TYPE1)	/* iommufd's io_pagetable: compat too */
		return runs;
	for (i = 0; i < runs; i++) {
		if (trace_field(trace, "unmap", i, "size", &size))
			return -1;
		if (size_sync && gathered && gathered != size)
			syncs++;
		gathered = size;
		if (++pending == 512) {
			syncs++;
			pending = 0;
			gathered = 0;
		}
	}
	return syncs + (pending ? 1 : 0);
}

TEST_F(dma, iotlb_syncs_per_unmap)
{
	size_t len = SCATTER_PAGES * SZ_4K;
	void *buf = scattered_buffer(SCATTER_PAGES);
	int runs, syncs, want;
	uint64_t done;

	ASSERT_NE(NULL, buf);
	ASSERT_EQ(0, vdev_map(&self->dev, buf, IOVA, len)) TH_LOG("%s", self->dev.err);
	ASSERT_EQ(0, tracefs_clear());
	ASSERT_EQ(0, tracefs_event_enable("iommu", "unmap", 1));
	ASSERT_EQ(0, tracefs_event_enable("iommu", "iotlb_sync", 1));
	ASSERT_EQ(0, vdev_unmap(&self->dev, IOVA, len, &done));
	ASSERT_EQ((uint64_t)len, done);
	tracefs_event_enable("iommu", NULL, 0);
	munmap(buf, len);
	self->trace = tracefs_read();
	ASSERT_NE(NULL, self->trace);

	runs = trace_count(self->trace, "unmap");
	syncs = trace_count(self->trace, "iotlb_sync");
	want = expected_syncs(self->trace, variant->backend);
	TH_LOG("%s: one unmap of %zu pages: %d iommu unmap calls, %d iotlb syncs",
	       vdev_backend_name(variant->backend), (size_t)SCATTER_PAGES, runs, syncs);
	if (variant->backend != VDEV_TYPE1) {
		/* One span, one iommu_unmap(), one sync, covering the span. */
		ASSERT_EQ(1, runs);
		ASSERT_EQ(1, syncs);
		EXPECT_FIELD(IOVA, "iotlb_sync", 0, "iova");
	} else {
		/* Scattered pages: (nearly) one run per page, > one gather. */
		ASSERT_LT(512, runs);
		ASSERT_EQ(want, syncs);
	}
}

/*
 * One iotlb_sync_map per iommu_map() (VT-d has the callback, and flushes
 * there in the testbed's caching mode): both backends map a physically
 * scattered buffer run by run, so the iommu:map records and the
 * iotlb_sync_map records pair one to one, with the same ranges.  Both
 * events are filtered to the test's IOVA range: other users of the IOMMU
 * API on the machine (the DMA API) map and sync too.
 */
#define SYNC_MAP_PAGES 64
#define SYNC_MAP_FILTER "iova >= 0x40000000 && iova < 0x40040000"

TEST_F(dma, iotlb_sync_map_per_map)
{
	size_t len = SYNC_MAP_PAGES * SZ_4K;
	void *buf = scattered_buffer(SYNC_MAP_PAGES);
	int maps, syncs, i;
	char type[32];
	uint64_t done;

	ASSERT_NE(NULL, buf);
	ASSERT_EQ(1, tracefs_event_exists("iommu", "iotlb_sync_map"));
	ASSERT_EQ(0, tracefs_write("events/iommu/map/filter", SYNC_MAP_FILTER));
	ASSERT_EQ(0, tracefs_write("events/iommu/iotlb_sync_map/filter", SYNC_MAP_FILTER));
	ASSERT_EQ(0, tracefs_event_enable("iommu", "map", 1));
	ASSERT_EQ(0, tracefs_event_enable("iommu", "iotlb_sync_map", 1));
	ASSERT_EQ(0, vdev_map(&self->dev, buf, IOVA, len)) TH_LOG("%s", self->dev.err);
	tracefs_event_enable("iommu", NULL, 0);
	ASSERT_EQ(0, vdev_unmap(&self->dev, IOVA, len, &done));
	munmap(buf, len);
	self->trace = tracefs_read();
	ASSERT_NE(NULL, self->trace);

	maps = trace_count(self->trace, "map");
	syncs = trace_count(self->trace, "iotlb_sync_map");
	TH_LOG("%s: one map of %d scattered pages: %d iommu_map calls, %d iotlb_sync_map",
	       vdev_backend_name(variant->backend), SYNC_MAP_PAGES, maps, syncs);
	ASSERT_LT(1, maps);
	ASSERT_EQ(maps, syncs);
	for (i = 0; i < maps; i++) {
		EXPECT_EQ(FIELD("map", i, "iova"), FIELD("iotlb_sync_map", i, "iova"));
		EXPECT_EQ(FIELD("map", i, "size"), FIELD("iotlb_sync_map", i, "size"));
		ASSERT_EQ(0, trace_field_str(self->trace, "iotlb_sync_map", i, "type",
					     type, sizeof(type)));
		EXPECT_STREQ("unmanaged", type);
	}
	EXPECT_EQ(IOVA, (unsigned long long)FIELD("iotlb_sync_map", 0, "iova"));
}

/*
 * The automatic HWPT of an attach to an IOAS: one hwpt_alloc record with
 * automatic=1 for the HWPT the attach record names, on that IOAS, and one
 * iommufd_object_destroy of it when the device goes.
 */
static void expect_auto_hwpt(struct __test_metadata *_metadata, const char *trace,
			     long long ioas_id)
{
	long long hwpt = field(_metadata, trace, "iommufd_device_attach", 0, "pt_id");
	int i = trace_find(trace, "iommufd_object_destroy", "id", hwpt);
	char type[32] = "";

	ASSERT_EQ(1, trace_count(trace, "iommufd_hwpt_alloc"));
	EXPECT_EQ(1, field(_metadata, trace, "iommufd_hwpt_alloc", 0, "automatic"));
	EXPECT_EQ(hwpt, field(_metadata, trace, "iommufd_hwpt_alloc", 0, "hwpt_id"));
	EXPECT_EQ(ioas_id, field(_metadata, trace, "iommufd_hwpt_alloc", 0, "pt_id"));
	EXPECT_EQ(field(_metadata, trace, "iommufd_device_attach", 0, "dev_id"),
		  field(_metadata, trace, "iommufd_hwpt_alloc", 0, "dev_id"));
	EXPECT_EQ(0, field(_metadata, trace, "iommufd_hwpt_alloc", 0, "ret"));
	EXPECT_EQ(0, field(_metadata, trace, "iommufd_hwpt_alloc", 0, "flags"));
	ASSERT_LE(0, i) TH_LOG("no iommufd_object_destroy of HWPT %lld", hwpt);
	EXPECT_EQ(0, trace_field_str(trace, "iommufd_object_destroy", i, "type", type,
				     sizeof(type)));
	EXPECT_STREQ("hwpt_paging", type);
}

/*
 * compat: the group on iommufd's container; vfio binds and attaches the
 * device to the compat IOAS through iommufd, as for a cdev.  The type1
 * events (when this kernel has them) stay silent.
 */
static void expect_compat_attach(struct __test_metadata *_metadata, const char *trace, bool t1,
				 long long ioas_id)
{
	ASSERT_EQ(1, trace_count(trace, "iommufd_device_attach"));
	ASSERT_EQ(1, trace_count(trace, "iommufd_device_detach"));
	EXPECT_EQ(0, field(_metadata, trace, "iommufd_device_attach", 0, "ret"));
	EXPECT_EQ(field(_metadata, trace, "iommufd_device_attach", 0, "dev_id"),
		  field(_metadata, trace, "iommufd_device_detach", 0, "dev_id"));
	EXPECT_EQ(field(_metadata, trace, "iommufd_device_attach", 0, "pt_id"),
		  field(_metadata, trace, "iommufd_device_detach", 0, "pt_id"));
	if (t1)
		EXPECT_EQ(0, trace_count(trace, "vfio_iommu_type1_attach_group"));
	expect_auto_hwpt(_metadata, trace, ioas_id);
}

/* Attach and detach of the device are recorded with the right ids. */
TEST_F(dma, attach_detach_records)
{
	uint32_t dev_id = self->dev.dev_id, hwpt = self->dev.hwpt_id, ioas;
	int group = self->dev.group_id;
	/* not on a kernel without type1 (the compat flavour) */
	bool t1 = tracefs_event_exists("vfio_iommu_type1", "vfio_iommu_type1_attach_group") == 1;
	struct vdev d2;

	/* Re-open the device with the events on; the fixture's copy first goes. */
	vdev_close(&self->dev);
	ASSERT_EQ(0, tracefs_event_enable("iommufd", NULL, 1));
	if (t1)
		ASSERT_EQ(0, tracefs_event_enable("vfio_iommu_type1", NULL, 1));
	ASSERT_EQ(0, vdev_open(&d2, bdf(), variant->backend)) TH_LOG("%s", d2.err);
	dev_id = d2.dev_id;
	hwpt = d2.hwpt_id;
	ioas = d2.ioas_id;
	group = d2.group_id;
	vdev_close(&d2);
	tracefs_event_enable("iommufd", NULL, 0);
	if (t1)
		tracefs_event_enable("vfio_iommu_type1", NULL, 0);
	self->trace = tracefs_read();
	ASSERT_NE(NULL, self->trace);

	if (variant->backend == VDEV_IOMMUFD) {
		ASSERT_EQ(1, trace_count(self->trace, "iommufd_device_attach"));
		ASSERT_EQ(1, trace_count(self->trace, "iommufd_device_detach"));
		EXPECT_FIELD(dev_id, "iommufd_device_attach", 0, "dev_id");
		EXPECT_FIELD(hwpt, "iommufd_device_attach", 0, "pt_id");
		EXPECT_FIELD(0, "iommufd_device_attach", 0, "ret");
		EXPECT_FIELD(dev_id, "iommufd_device_detach", 0, "dev_id");
		EXPECT_FIELD(hwpt, "iommufd_device_detach", 0, "pt_id");
		expect_auto_hwpt(_metadata, self->trace, ioas);
		EXPECT_EQ(0, trace_count(self->trace, "vfio_iommu_type1_attach_group"));
	} else if (variant->backend == VDEV_COMPAT) {
		expect_compat_attach(_metadata, self->trace, t1, ioas);
	} else {
		ASSERT_EQ(1, trace_count(self->trace, "vfio_iommu_type1_attach_group"));
		ASSERT_EQ(1, trace_count(self->trace, "vfio_iommu_type1_detach_group"));
		EXPECT_FIELD(group, "vfio_iommu_type1_attach_group", 0, "group_id");
		EXPECT_FIELD(0, "vfio_iommu_type1_attach_group", 0, "ret");
		EXPECT_FIELD(group, "vfio_iommu_type1_detach_group", 0, "group_id");
		EXPECT_EQ(0, trace_count(self->trace, "iommufd_device_attach"));
	}
}

/*
 * Dirty tracking.  type1: started, every page of the NMAPS mappings is
 * reported dirty in each read (an IOMMU-backed device cannot say what it
 * wrote), as the bitmap and the end record's dirty_pages say; a read with a
 * page size type1 does not take or one that cuts a mapping fails in the
 * pair; stopped, a read fails.  iommufd: the HWPT the kernel attached for
 * the IOAS was allocated without dirty tracking (on any IOMMU), so it
 * refuses, which its record says.
 */
#define DIRTY_ST "vfio_iommu_type1_dirty_bitmap_start"
#define DIRTY "vfio_iommu_type1_dirty_bitmap"
#define TRACKING "vfio_iommu_type1_dirty_tracking"
#define DIRTY_PAGES (NMAPS * SZ_64K / SZ_4K)

static void dirty_read(struct __test_metadata *_metadata, struct vdev *d, uint64_t iova,
		       uint64_t len, uint64_t pgsize, int want)
{
	uint64_t bitmap[DIRTY_PAGES / 64] = { 0 };
	unsigned int i;

	ASSERT_EQ(0, tracefs_clear());
	ASSERT_EQ(want, vdev_dirty_read(d, iova, len, pgsize, bitmap)) TH_LOG("%s", d->err);
	for (i = 0; !want && i < DIRTY_PAGES / 64; i++)
		EXPECT_EQ(~0ULL, bitmap[i]) TH_LOG("bitmap word %u", i);
}

#define EXPECT_DIRTY_PAIR(iova, len, pgsize, pages, ret)                       \
	do {                                                                   \
		ASSERT_EQ(1, trace_count(self->trace, DIRTY_ST));              \
		ASSERT_EQ(1, trace_count(self->trace, DIRTY));                 \
		EXPECT_FIELD(iova, DIRTY_ST, 0, "iova");                       \
		EXPECT_FIELD(len, DIRTY_ST, 0, "size");                        \
		EXPECT_FIELD(pgsize, DIRTY_ST, 0, "pgsize");                   \
		EXPECT_FIELD(iova, DIRTY, 0, "iova");                          \
		EXPECT_FIELD(len, DIRTY, 0, "size");                           \
		EXPECT_FIELD(pgsize, DIRTY, 0, "pgsize");                      \
		EXPECT_FIELD(pages, DIRTY, 0, "dirty_pages");                  \
		EXPECT_FIELD(ret, DIRTY, 0, "ret");                            \
		EXPECT_PAIR(DIRTY_ST, DIRTY, 0);                               \
	} while (0)

#define READ_TRACE()                                                           \
	do {                                                                   \
		free(self->trace);                                             \
		self->trace = tracefs_read();                                  \
		ASSERT_NE(NULL, self->trace);                                  \
	} while (0)

TEST_F(dma, dirty_records)
{
	const uint64_t len = NMAPS * SZ_64K;
	int i, ret;

	if (variant->backend == VDEV_COMPAT)
		SKIP(return, "iommufd's type1 compat layer has no dirty tracking");
	for (i = 0; i < NMAPS; i++)
		ASSERT_EQ(0, vdev_map(&self->dev, (char *)self->buf + i * SZ_64K,
				      IOVA + i * SZ_64K, SZ_64K)) TH_LOG("%s", self->dev.err);
	ASSERT_EQ(0, tracefs_event_enable(variant->sys, NULL, 1));
	ASSERT_EQ(0, tracefs_clear());
	ret = vdev_dirty_tracking(&self->dev, 1);
	READ_TRACE();
	if (variant->backend == VDEV_IOMMUFD) {
		const char *set = "iommufd_hwpt_set_dirty_tracking";

		ASSERT_GT(0, ret);
		ASSERT_EQ(1, trace_count(self->trace, set));
		EXPECT_FIELD(self->dev.hwpt_id, set, 0, "hwpt_id");
		EXPECT_FIELD(1, set, 0, "enable");
		EXPECT_FIELD(ret, set, 0, "ret");
		return;
	}
	ASSERT_EQ(0, ret) TH_LOG("%s", self->dev.err);
	ASSERT_EQ(1, trace_count(self->trace, TRACKING));
	EXPECT_FIELD(1, TRACKING, 0, "enable");
	EXPECT_FIELD(0, TRACKING, 0, "ret");

	for (i = 0; i < 2; i++) {	/* every round: all of it */
		dirty_read(_metadata, &self->dev, IOVA, len, SZ_4K, 0);
		READ_TRACE();
		EXPECT_DIRTY_PAIR(IOVA, len, SZ_4K, DIRTY_PAGES, 0);
	}
	dirty_read(_metadata, &self->dev, IOVA, len, SZ_64K, -EINVAL);
	READ_TRACE();
	EXPECT_DIRTY_PAIR(IOVA, len, SZ_64K, 0, -EINVAL);
	dirty_read(_metadata, &self->dev, IOVA + SZ_4K, SZ_64K, SZ_4K, -EINVAL);
	READ_TRACE();
	EXPECT_DIRTY_PAIR(IOVA + SZ_4K, SZ_64K, SZ_4K, 0, -EINVAL);

	ASSERT_EQ(0, tracefs_clear());
	ASSERT_EQ(0, vdev_dirty_tracking(&self->dev, 0)) TH_LOG("%s", self->dev.err);
	READ_TRACE();
	ASSERT_EQ(1, trace_count(self->trace, TRACKING));
	EXPECT_FIELD(0, TRACKING, 0, "enable");
	EXPECT_FIELD(0, TRACKING, 0, "ret");
	dirty_read(_metadata, &self->dev, IOVA, len, SZ_4K, -EINVAL);
	READ_TRACE();
	EXPECT_DIRTY_PAIR(IOVA, len, SZ_4K, 0, -EINVAL);
}

TEST_HARNESS_MAIN
