// SPDX-License-Identifier: GPL-2.0
/*
 * The emulated-device access path on the iommufd selftest mock: an access
 * attached to an IOAS, replaced onto another and destroyed while attached
 * (no detach record: the destroy record ends it); page pins and CPU copies
 * through it, each with its _start and end record on success and on error;
 * its unpins, on demand and from the unmap callback inside an IOAS unmap.
 * The internal access of a vIOMMU hardware queue (mainline): attached,
 * pinning the queue's page, unpinned and detached before it is destroyed.
 * Then IOMMU_IOAS_CHANGE_PROCESS (6.13 and later): the IOASes locked, the
 * areas looked at and the pinned pages whose accounting moves to a child
 * process, and its refusal of a mapping that is not file-backed.
 *
 * The IOAS has no domain, so a pin through the access pins the user pages
 * itself.  The access's ID is not returned by the mock: the attach record
 * names it, and the destroy record of the access must name the same ID.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/capability.h>

#include "mock_harness.h"

#define SZ_4K 0x1000UL
#define IOVA 0x100000UL
#define NPAGES 4
#define BUF_LEN (NPAGES * SZ_4K)
/* An ID no test allocates */
#define BAD_ID 0xfff0

#define ATTACH "iommufd_access_attach"
#define REPLACE "iommufd_access_replace"
#define DETACH "iommufd_access_detach"
#define PIN_ST "iommufd_access_pin_pages_start"
#define PIN "iommufd_access_pin_pages"
#define UNPIN "iommufd_access_unpin_pages"
#define RW_ST "iommufd_access_rw_start"
#define RW "iommufd_access_rw"
#define PAGES_PIN "iommufd_pages_pin"
#define UNMAP_ST "iommufd_ioas_unmap_start"
#define UNMAP "iommufd_ioas_unmap"
#define DESTROY "iommufd_object_destroy"

FIXTURE(access_events)
{
	int fd;
	__u32 ioas_id, ioas2_id;
	void *buf;
	char *trace;
	struct enabled_events ev;
};

FIXTURE_SETUP(access_events)
{
	mock_open(_metadata, ATTACH, &self->fd, &self->ioas_id);
	ASSERT_EQ(0, _test_ioctl_ioas_alloc(self->fd, &self->ioas2_id));
	self->buf = mmap(NULL, BUF_LEN, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	ASSERT_NE(MAP_FAILED, self->buf);
	test_ioctl_ioas_map_fixed(self->buf, BUF_LEN, IOVA);
}

/* In the parent, after the test process has exited (see mock_harness.h). */
FIXTURE_TEARDOWN_PARENT(access_events)
{
	events_disable(_metadata, &self->ev);
}

static int access_pages(int fd, int access_fd, unsigned long iova,
			unsigned long length, void *uptr, __u32 flags,
			__u32 *item)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_ACCESS_PAGES,
		.id = access_fd,
		.access_pages = { .iova = iova, .length = length,
				  .uptr = (uintptr_t)uptr, .flags = flags },
	};
	int ret = ioctl(fd, _IOMMU_TEST_CMD(IOMMU_TEST_OP_ACCESS_PAGES), &cmd);

	if (!ret && item)
		*item = cmd.access_pages.out_access_pages_id;
	return ret;
}

static int access_rw(int fd, int access_fd, unsigned long iova, void *data,
		     unsigned long length, __u32 flags)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_ACCESS_RW,
		.id = access_fd,
		.access_rw = { .iova = iova, .length = length,
			       .uptr = (uintptr_t)data, .flags = flags },
	};

	return ioctl(fd, _IOMMU_TEST_CMD(IOMMU_TEST_OP_ACCESS_RW), &cmd);
}

/*
 * Attach on create, the error of an attach to an ID that is no IOAS,
 * replace onto the second IOAS and to a bad ID, and the destruction of the
 * attached access: its destroy record, no detach record.
 */
TEST_F(access_events, attach_replace_destroy)
{
	__u32 access_fd, bad_fd;
	long long access_id;

	enable_event("iommufd", ATTACH);
	enable_event("iommufd", REPLACE);
	enable_event("iommufd", DETACH);
	enable_event("iommufd", DESTROY);

	clear_trace();
	test_cmd_create_access(self->ioas_id, &access_fd, 0);
	ASSERT_NE(0, _test_cmd_create_access(self->fd, BAD_ID, &bad_fd, 0));
	read_trace();
	ASSERT_COUNT(ATTACH, 2);
	ASSERT_EQ(0, trace_field(self->trace, ATTACH, 0, "access_id", &access_id));
	ASSERT_NE(0, access_id);
	ASSERT_NE(self->ioas_id, access_id);
	ASSERT_FIELD(ATTACH, 0, "ioas_id", self->ioas_id);
	ASSERT_FIELD(ATTACH, 0, "ret", 0);
	ASSERT_FIELD(ATTACH, 1, "ioas_id", BAD_ID);
	ASSERT_FIELD(ATTACH, 1, "ret", -ENOENT);
	/* the failed create destroys its access, which was never attached */
	ASSERT_COUNT(DETACH, 0);
	ASSERT_COUNT(DESTROY, 1);
	ASSERT_FIELD_STR(DESTROY, 0, "type", "access");

	clear_trace();
	test_cmd_access_replace_ioas(access_fd, self->ioas2_id);
	ASSERT_NE(0, _test_cmd_access_replace_ioas(self->fd, access_fd, BAD_ID));
	read_trace();
	ASSERT_COUNT(REPLACE, 2);
	ASSERT_FIELD(REPLACE, 0, "access_id", access_id);
	ASSERT_FIELD(REPLACE, 0, "ioas_id", self->ioas2_id);
	ASSERT_FIELD(REPLACE, 0, "ret", 0);
	ASSERT_FIELD(REPLACE, 1, "ioas_id", BAD_ID);
	ASSERT_FIELD(REPLACE, 1, "ret", -ENOENT);

	clear_trace();
	test_cmd_destroy_access(access_fd);
	read_trace();
	ASSERT_COUNT(DETACH, 0);
	ASSERT_COUNT(DESTROY, 1);
	ASSERT_FIELD(DESTROY, 0, "id", access_id);
	ASSERT_FIELD_STR(DESTROY, 0, "type", "access");
}

/* The _start and end records of one access call: request, IOAS, result. */
#define ASSERT_ACCESS_CALL(st, end, i, iova, len, flags, ioas, ret)            \
	do {                                                                   \
		ASSERT_FIELD(st, i, "iova", iova);                             \
		ASSERT_FIELD(st, i, "length", len);                            \
		ASSERT_FIELD(st, i, "flags", flags);                           \
		ASSERT_FIELD(end, i, "iova", iova);                            \
		ASSERT_FIELD(end, i, "length", len);                           \
		ASSERT_FIELD(end, i, "flags", flags);                          \
		ASSERT_FIELD(end, i, "ioas_id", ioas);                         \
		ASSERT_FIELD(end, i, "ret", ret);                              \
		ASSERT_LT(trace_record_offset(self->trace, st, i),             \
			  trace_record_offset(self->trace, end, i));           \
	} while (0)

/*
 * Pins: two pages (the IOAS has no domain: one pin batch of two pages), a
 * write pin, a range with nothing mapped (-ENOENT) and a zero length
 * (-EINVAL before any IOAS is looked at: ioas_id 0).  Unpins: one on
 * demand, and one from the unmap callback, between the unmap's records.
 */
TEST_F(access_events, pin_unpin)
{
	__u32 access_fd, item, item2;

	test_cmd_create_access(self->ioas_id, &access_fd,
			       MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES);
	enable_event("iommufd", PIN_ST);
	enable_event("iommufd", PIN);
	enable_event("iommufd", UNPIN);
	enable_event("iommufd", PAGES_PIN);
	enable_event("iommufd", UNMAP_ST);
	enable_event("iommufd", UNMAP);

	clear_trace();
	ASSERT_EQ(0, access_pages(self->fd, access_fd, IOVA, 2 * SZ_4K, self->buf,
				  0, &item));
	ASSERT_EQ(0, access_pages(self->fd, access_fd, IOVA + 2 * SZ_4K, SZ_4K,
				  (char *)self->buf + 2 * SZ_4K,
				  MOCK_FLAGS_ACCESS_WRITE, &item2));
	EXPECT_ERRNO(ENOENT, access_pages(self->fd, access_fd, IOVA + BUF_LEN,
					  SZ_4K, NULL, 0, NULL));
	EXPECT_ERRNO(EINVAL, access_pages(self->fd, access_fd, IOVA, 0, NULL, 0,
					  NULL));
	read_trace();
	ASSERT_COUNT(PIN_ST, 4);
	ASSERT_COUNT(PIN, 4);
	ASSERT_ACCESS_CALL(PIN_ST, PIN, 0, IOVA, 2 * SZ_4K, 0, self->ioas_id, 0);
	ASSERT_ACCESS_CALL(PIN_ST, PIN, 1, IOVA + 2 * SZ_4K, SZ_4K, 1,
			   self->ioas_id, 0);
	ASSERT_ACCESS_CALL(PIN_ST, PIN, 2, IOVA + BUF_LEN, SZ_4K, 0,
			   self->ioas_id, -ENOENT);
	ASSERT_ACCESS_CALL(PIN_ST, PIN, 3, IOVA, 0, 0, 0, -EINVAL);
	/* the first pin's pages were pinned inside it */
	ASSERT_LT(trace_record_offset(self->trace, PIN_ST, 0),
		  trace_record_offset(self->trace, PAGES_PIN, 0));
	ASSERT_LT(trace_record_offset(self->trace, PAGES_PIN, 0),
		  trace_record_offset(self->trace, PIN, 0));
	ASSERT_FIELD(PAGES_PIN, 0, "ret", 2);
	ASSERT_COUNT(UNPIN, 0);

	clear_trace();
	test_cmd_destroy_access_pages(access_fd, item);
	read_trace();
	ASSERT_COUNT(UNPIN, 1);
	ASSERT_FIELD(UNPIN, 0, "ioas_id", self->ioas_id);
	ASSERT_FIELD(UNPIN, 0, "iova", IOVA);
	ASSERT_FIELD(UNPIN, 0, "length", 2 * SZ_4K);

	/* the write pin is still held: the unmap calls back to unpin it */
	clear_trace();
	test_ioctl_ioas_unmap(IOVA, BUF_LEN);
	read_trace();
	ASSERT_COUNT(UNMAP_ST, 1);
	ASSERT_COUNT(UNMAP, 1);
	ASSERT_FIELD(UNMAP, 0, "ret", 0);
	ASSERT_COUNT(UNPIN, 1);
	ASSERT_FIELD(UNPIN, 0, "iova", IOVA + 2 * SZ_4K);
	ASSERT_FIELD(UNPIN, 0, "length", SZ_4K);
	ASSERT_LT(trace_record_offset(self->trace, UNMAP_ST, 0),
		  trace_record_offset(self->trace, UNPIN, 0));
	ASSERT_LT(trace_record_offset(self->trace, UNPIN, 0),
		  trace_record_offset(self->trace, UNMAP, 0));
	test_err_destroy_access_pages(ENOENT, access_fd, item2);
	test_cmd_destroy_access(access_fd);
}

/*
 * Copies: a write and a read of 100 bytes at an unaligned IOVA (what the
 * read returns is what the write put there), a copy over an unmapped range
 * (-ENOENT), and a zero length (-EINVAL, ioas_id 0).
 */
TEST_F(access_events, rw)
{
	char out[100], in[100];
	__u32 access_fd;

	memset(out, 0x5a, sizeof(out));
	memset(in, 0, sizeof(in));
	test_cmd_create_access(self->ioas_id, &access_fd, 0);
	enable_event("iommufd", RW_ST);
	enable_event("iommufd", RW);

	clear_trace();
	ASSERT_EQ(0, access_rw(self->fd, access_fd, IOVA + 10, out, sizeof(out),
			       MOCK_ACCESS_RW_WRITE));
	ASSERT_EQ(0, access_rw(self->fd, access_fd, IOVA + 10, in, sizeof(in), 0));
	ASSERT_EQ(0, memcmp(out, in, sizeof(in)));
	EXPECT_ERRNO(ENOENT, access_rw(self->fd, access_fd, IOVA + BUF_LEN, in,
				       sizeof(in), 0));
	EXPECT_ERRNO(EINVAL, access_rw(self->fd, access_fd, IOVA, in, 0, 0));
	read_trace();
	ASSERT_COUNT(RW_ST, 4);
	ASSERT_COUNT(RW, 4);
	ASSERT_ACCESS_CALL(RW_ST, RW, 0, IOVA + 10, sizeof(out), 1, self->ioas_id, 0);
	ASSERT_ACCESS_CALL(RW_ST, RW, 1, IOVA + 10, sizeof(in), 0, self->ioas_id, 0);
	ASSERT_ACCESS_CALL(RW_ST, RW, 2, IOVA + BUF_LEN, sizeof(in), 0,
			   self->ioas_id, -ENOENT);
	ASSERT_ACCESS_CALL(RW_ST, RW, 3, IOVA, 0, 0, 0, -EINVAL);
	test_cmd_destroy_access(access_fd);
}

#ifdef IOMMU_HW_QUEUE_ALLOC

/*
 * A vIOMMU hardware queue pins its page through an internal access: the
 * attach to the parent's IOAS and the pin on allocation, then on its
 * destruction the unpin and the detach, both before the access's destroy
 * record.  A queue at an IOVA with nothing mapped: attach, the pin's
 * -ENOENT, detach.
 */
TEST_F(access_events, internal_access)
{
	__u32 stdev_id, hwpt_id, idev_id, parent_id, viommu_id, queue_id;
	long long access_id;

	test_ioctl_ioas_unmap(IOVA, BUF_LEN);
	mock_device(_metadata, self->fd, self->ioas_id, 0, &stdev_id, &hwpt_id,
		    &idev_id);
	test_cmd_hwpt_alloc(idev_id, self->ioas_id, IOMMU_HWPT_ALLOC_NEST_PARENT,
			    &parent_id);
	test_cmd_viommu_alloc(idev_id, parent_id, IOMMU_VIOMMU_TYPE_SELFTEST,
			      NULL, 0, &viommu_id);
	test_ioctl_ioas_map_fixed(self->buf, SZ_4K, MOCK_APERTURE_START);
	enable_event("iommufd", ATTACH);
	enable_event("iommufd", DETACH);
	enable_event("iommufd", PIN_ST);
	enable_event("iommufd", PIN);
	enable_event("iommufd", UNPIN);
	enable_event("iommufd", DESTROY);

	clear_trace();
	test_cmd_hw_queue_alloc(viommu_id, IOMMU_HW_QUEUE_TYPE_SELFTEST, 0,
				MOCK_APERTURE_START, SZ_4K, &queue_id);
	read_trace();
	ASSERT_COUNT(ATTACH, 1);
	ASSERT_EQ(0, trace_field(self->trace, ATTACH, 0, "access_id", &access_id));
	ASSERT_FIELD(ATTACH, 0, "ioas_id", self->ioas_id);
	ASSERT_FIELD(ATTACH, 0, "ret", 0);
	ASSERT_COUNT(PIN, 1);
	ASSERT_ACCESS_CALL(PIN_ST, PIN, 0, MOCK_APERTURE_START, SZ_4K, 0,
			   self->ioas_id, 0);
	ASSERT_FIELD(PIN, 0, "access_id", access_id);

	clear_trace();
	test_ioctl_destroy(queue_id);
	read_trace();
	ASSERT_COUNT(UNPIN, 1);
	ASSERT_FIELD(UNPIN, 0, "access_id", access_id);
	ASSERT_FIELD(UNPIN, 0, "iova", MOCK_APERTURE_START);
	ASSERT_COUNT(DETACH, 1);
	ASSERT_FIELD(DETACH, 0, "access_id", access_id);
	ASSERT_FIELD(DETACH, 0, "ioas_id", self->ioas_id);
	ASSERT_GE(trace_find(self->trace, DESTROY, "id", access_id), 0);
	ASSERT_LT(trace_record_offset(self->trace, UNPIN, 0),
		  trace_record_offset(self->trace, DETACH, 0));
	ASSERT_LT(trace_record_offset(self->trace, DETACH, 0),
		  trace_record_offset(self->trace, DESTROY,
			     trace_find(self->trace, DESTROY, "id", access_id)));

	clear_trace();
	EXPECT_ERRNO(ENOENT, _test_cmd_hw_queue_alloc(self->fd, viommu_id,
						      IOMMU_HW_QUEUE_TYPE_SELFTEST,
						      0, MOCK_APERTURE_START + SZ_4K,
						      SZ_4K, NULL));
	read_trace();
	ASSERT_COUNT(ATTACH, 1);
	ASSERT_COUNT(PIN, 1);
	ASSERT_FIELD(PIN, 0, "ret", -ENOENT);
	ASSERT_FIELD(PIN, 0, "ioas_id", self->ioas_id);
	ASSERT_COUNT(UNPIN, 0);
	ASSERT_COUNT(DETACH, 1);
	test_ioctl_ioas_unmap(MOCK_APERTURE_START, SZ_4K);
}

#endif /* IOMMU_HW_QUEUE_ALLOC */

#ifdef IOMMU_IOAS_CHANGE_PROCESS

#define CP_ST "iommufd_ioas_change_process_start"
#define CP "iommufd_ioas_change_process"

static int change_process(int fd)
{
	struct iommu_ioas_change_process cmd = { .size = sizeof(cmd) };

	return ioctl(fd, IOMMU_IOAS_CHANGE_PROCESS, &cmd);
}

/* Without CAP_IPC_LOCK pins are accounted, so there is something to move. */
static int drop_ipc_lock(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		return -1;
	data[CAP_TO_INDEX(CAP_IPC_LOCK)].effective &= ~CAP_TO_MASK(CAP_IPC_LOCK);
	return syscall(SYS_capset, &hdr, data);
}

#define ASSERT_CHANGE_PROCESS(nr_areas, npinned, ret)                          \
	do {                                                                   \
		ASSERT_COUNT(CP_ST, 1);                                        \
		ASSERT_COUNT(CP, 1);                                           \
		ASSERT_FIELD(CP_ST, 0, "nr_ioas", 2);                          \
		ASSERT_FIELD(CP, 0, "nr_ioas", 2);                             \
		ASSERT_FIELD(CP, 0, "nr_areas", nr_areas);                     \
		ASSERT_FIELD(CP, 0, "npinned", npinned);                       \
		ASSERT_FIELD(CP, 0, "ret", ret);                               \
		ASSERT_LT(trace_record_offset(self->trace, CP_ST, 0),                   \
			  trace_record_offset(self->trace, CP, 0));                     \
	} while (0)

/*
 * Two IOASes; the first holds an anonymous mapping: -EINVAL, no area
 * counted.  With a memfd of NPAGES pages mapped in its place, pinned by a
 * mock domain: in this process nothing moves; in a child all NPAGES pages.
 */
TEST_F(access_events, change_process)
{
	__u32 stdev_id, hwpt_id, idev_id;
	__u64 iova = IOVA;
	pid_t child;
	int mfd, status;
	void *mem;

	ASSERT_EQ(0, drop_ipc_lock());
	test_ioctl_ioas_unmap(IOVA, BUF_LEN);
	mock_device(_metadata, self->fd, self->ioas_id, 0, &stdev_id, &hwpt_id,
		    &idev_id);
	test_ioctl_ioas_map_fixed(self->buf, SZ_4K, MOCK_APERTURE_START);
	enable_event("iommufd", CP_ST);
	enable_event("iommufd", CP);

	clear_trace();
	EXPECT_ERRNO(EINVAL, change_process(self->fd));
	read_trace();
	ASSERT_CHANGE_PROCESS(0, 0, -EINVAL);
	test_ioctl_ioas_unmap(MOCK_APERTURE_START, SZ_4K);

	mem = memfd_mmap(BUF_LEN, PROT_READ | PROT_WRITE, MAP_SHARED, &mfd);
	ASSERT_NE(MAP_FAILED, mem);
	iova = MOCK_APERTURE_START;
	ASSERT_EQ(0, _test_ioctl_ioas_map_file(self->fd, self->ioas_id, mfd, 0,
					       BUF_LEN, &iova,
					       IOMMU_IOAS_MAP_FIXED_IOVA |
					       IOMMU_IOAS_MAP_READABLE |
					       IOMMU_IOAS_MAP_WRITEABLE));

	clear_trace();
	ASSERT_EQ(0, change_process(self->fd));
	read_trace();
	ASSERT_CHANGE_PROCESS(1, 0, 0);

	clear_trace();
	child = fork();
	ASSERT_NE(-1, child);
	if (!child)
		_exit(change_process(self->fd) ? 1 : 0);
	ASSERT_EQ(child, waitpid(child, &status, 0));
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	read_trace();
	ASSERT_CHANGE_PROCESS(1, NPAGES, 0);
	ASSERT_EQ(child, trace_line_pid(self->trace + trace_record_offset(self->trace, CP, 0)));

	test_ioctl_ioas_unmap(MOCK_APERTURE_START, BUF_LEN);
	munmap(mem, BUF_LEN);
	close(mfd);
}

#endif /* IOMMU_IOAS_CHANGE_PROCESS */

TEST_HARNESS_MAIN
