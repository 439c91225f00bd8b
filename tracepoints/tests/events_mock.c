// SPDX-License-Identifier: GPL-2.0
/*
 * Events of the series on the iommufd selftest mock (CONFIG_IOMMUFD_TEST):
 * device attach/replace/detach, IOMMU_HWPT_ALLOC, IOMMU_HWPT_INVALIDATE on
 * a nested HWPT and the I/O page fault round trip through the fault queue.
 * No real hardware offers nesting or page requests in the testbed, the mock
 * does, and it lets each test choose the exact answer: the IDs, entry counts,
 * group IDs and cookies it checks in the records of the trace buffer.
 *
 * Run without an active VT-d driver (testbed/run -i none): on 6.12 it takes
 * the mock device's probe.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mock_harness.h"

/* IDs no test allocates: object IDs are small and allocated from 1 up. */
#define BAD_ID 0xfff0
/* IOMMU_FAULT_PAGE_REQUEST_{PASID_VALID,LAST_PAGE} as the mock reports them */
#define MOCK_IOPF_FLAGS 0x3
#define IOPF_PERM (IOMMU_PGFAULT_PERM_READ | IOMMU_PGFAULT_PERM_WRITE)
#define IOPF_PASID 1U
#define IOPF_NR 4

FIXTURE(mock_events)
{
	int fd;
	int fault_fd;
	__u32 ioas_id;
	/* Filled by setup_mock_dev() */
	__u32 stdev_id, idev_id, hwpt_id;
	/* Filled by setup_iopf() */
	__u32 fault_id, parent_id, iopf_hwpt_id;
	/* The test process's last read of the buffer, freed when it exits */
	char *trace;
	struct enabled_events ev;
};

FIXTURE_SETUP(mock_events)
{
	self->fault_fd = -1;
	mock_open(_metadata, "iommufd_device_attach", &self->fd, &self->ioas_id);
}

/*
 * In the parent, after the test process has exited and its fds have been
 * closed: see the -Wclobbered note above. Only the events are left to undo.
 */
FIXTURE_TEARDOWN_PARENT(mock_events)
{
	events_disable(_metadata, &self->ev);
}

static long long field(FIXTURE_DATA(mock_events) *self, const char *event,
		       int nth, const char *key)
{
	long long v;

	return trace_field(self->trace, event, nth, key, &v) ? -1 : v;
}

/* A mock device attached to an automatic HWPT of the IOAS. */
static void setup_mock_dev(struct __test_metadata *_metadata,
			   FIXTURE_DATA(mock_events) *self)
{
	mock_device(_metadata, self->fd, self->ioas_id, 0, &self->stdev_id,
		    &self->hwpt_id, &self->idev_id);
}

/*
 * The mock device on a nested HWPT that reports its faults to a fault
 * queue: only a nested HWPT takes IOMMU_HWPT_FAULT_ID_VALID on 6.12, a
 * paging one fails it with -EOPNOTSUPP.
 */
static void setup_iopf(struct __test_metadata *_metadata,
		       FIXTURE_DATA(mock_events) *self)
{
	struct iommu_hwpt_selftest data = { .iotlb = IOMMU_TEST_IOTLB_DEFAULT };
	__u32 fault_fd;

	setup_mock_dev(_metadata, self);
	ASSERT_EQ(0, _test_ioctl_fault_alloc(self->fd, &self->fault_id, &fault_fd));
	self->fault_fd = fault_fd;
	test_cmd_hwpt_alloc(self->idev_id, self->ioas_id,
			    IOMMU_HWPT_ALLOC_NEST_PARENT, &self->parent_id);
	test_cmd_hwpt_alloc_iopf(self->idev_id, self->parent_id, self->fault_id,
				 IOMMU_HWPT_FAULT_ID_VALID, &self->iopf_hwpt_id,
				 IOMMU_HWPT_DATA_SELFTEST, &data, sizeof(data));
	test_cmd_mock_domain_replace(self->stdev_id, self->iopf_hwpt_id);
}

static int trigger_iopf(int fd, __u32 dev_id, __u32 grpid, __u64 addr)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_TRIGGER_IOPF,
		.trigger_iopf = {
			.dev_id = dev_id,
			.pasid = IOPF_PASID,
			.grpid = grpid,
			.perm = IOPF_PERM,
			.addr = addr,
		},
	};

	return ioctl(fd, IOMMU_TEST_CMD, &cmd);
}

static __u32 iopf_grpid(int i)
{
	return 0x10 + i;
}

static __u64 iopf_addr(int i)
{
	return 0x100000ULL * (i + 1);
}

/* Read one fault group of one fault and check what the kernel reports. */
static void read_one_fault(struct __test_metadata *_metadata,
			   FIXTURE_DATA(mock_events) *self, int i,
			   struct iommu_hwpt_pgfault *pgf)
{
	ASSERT_EQ((ssize_t)sizeof(*pgf),
		  read(self->fault_fd, pgf, sizeof(*pgf)));
	ASSERT_EQ(self->idev_id, pgf->dev_id);
	ASSERT_EQ(iopf_grpid(i), pgf->grpid);
	ASSERT_EQ(iopf_addr(i), pgf->addr);
	ASSERT_NE(0U, pgf->cookie);
}

/*
 * Attach, replace and detach of a mock device. pt_id is the ID out of the
 * call: the automatic HWPT an IOAS was resolved to, not the IOAS. Detach
 * reports the HWPT the device left. A failed replace reports the ID asked
 * for and the error. An automatic HWPT is reported by iommufd_hwpt_alloc
 * with automatic=1, and by iommufd_object_destroy when its last device
 * leaves it.
 */
TEST_F(mock_events, attach_replace_detach)
{
	__u32 hwpt2, hwpt3;

	enable_event("iommufd", "iommufd_device_attach");
	enable_event("iommufd", "iommufd_device_replace");
	enable_event("iommufd", "iommufd_device_detach");
	enable_event("iommufd", "iommufd_hwpt_alloc");
	enable_event("iommufd", "iommufd_object_destroy");

	clear_trace();
	setup_mock_dev(_metadata, self);
	ASSERT_NE(self->ioas_id, self->hwpt_id);
	read_trace();
	ASSERT_COUNT("iommufd_hwpt_alloc", 1);
	ASSERT_FIELD("iommufd_hwpt_alloc", 0, "hwpt_id", self->hwpt_id);
	ASSERT_FIELD("iommufd_hwpt_alloc", 0, "dev_id", self->idev_id);
	ASSERT_FIELD("iommufd_hwpt_alloc", 0, "pt_id", self->ioas_id);
	ASSERT_FIELD("iommufd_hwpt_alloc", 0, "automatic", 1);
	ASSERT_FIELD("iommufd_hwpt_alloc", 0, "flags", 0);
	ASSERT_FIELD("iommufd_hwpt_alloc", 0, "ret", 0);
	ASSERT_FIELD_STR("iommufd_hwpt_alloc", 0, "type", "paging");
	ASSERT_COUNT("iommufd_device_attach", 1);
	ASSERT_COUNT("iommufd_device_replace", 0);
	ASSERT_COUNT("iommufd_device_detach", 0);
	ASSERT_FIELD("iommufd_device_attach", 0, "dev_id", self->idev_id);
	ASSERT_FIELD("iommufd_device_attach", 0, "pasid", 0);
	ASSERT_FIELD("iommufd_device_attach", 0, "pt_id", self->hwpt_id);
	ASSERT_FIELD("iommufd_device_attach", 0, "ret", 0);

	test_cmd_hwpt_alloc(self->idev_id, self->ioas_id, 0, &hwpt2);
	clear_trace();
	test_cmd_mock_domain_replace(self->stdev_id, hwpt2);
	read_trace();
	/* The automatic HWPT left behind is destroyed, not "detached" */
	ASSERT_COUNT("iommufd_object_destroy", 1);
	ASSERT_FIELD("iommufd_object_destroy", 0, "id", self->hwpt_id);
	ASSERT_FIELD_STR("iommufd_object_destroy", 0, "type", "hwpt_paging");
	ASSERT_FIELD("iommufd_object_destroy", 0, "closing", 0);
	ASSERT_COUNT("iommufd_device_replace", 1);
	ASSERT_COUNT("iommufd_device_attach", 0);
	ASSERT_COUNT("iommufd_device_detach", 0);
	ASSERT_FIELD("iommufd_device_replace", 0, "dev_id", self->idev_id);
	ASSERT_FIELD("iommufd_device_replace", 0, "pasid", 0);
	ASSERT_FIELD("iommufd_device_replace", 0, "pt_id", hwpt2);
	ASSERT_FIELD("iommufd_device_replace", 0, "ret", 0);

	/* Back to the IOAS: a new automatic HWPT, as the call returns it */
	clear_trace();
	ASSERT_EQ(0, _test_cmd_mock_domain_replace(self->fd, self->stdev_id,
						   self->ioas_id, &hwpt3));
	ASSERT_NE(self->ioas_id, hwpt3);
	read_trace();
	ASSERT_COUNT("iommufd_hwpt_alloc", 1);
	ASSERT_FIELD("iommufd_hwpt_alloc", 0, "hwpt_id", hwpt3);
	ASSERT_FIELD("iommufd_hwpt_alloc", 0, "automatic", 1);
	ASSERT_COUNT("iommufd_object_destroy", 0);
	ASSERT_COUNT("iommufd_device_replace", 1);
	ASSERT_FIELD("iommufd_device_replace", 0, "pt_id", hwpt3);
	ASSERT_FIELD("iommufd_device_replace", 0, "ret", 0);

	clear_trace();
	test_err_mock_domain_replace(ENOENT, self->stdev_id, BAD_ID);
	read_trace();
	ASSERT_COUNT("iommufd_device_replace", 1);
	ASSERT_FIELD("iommufd_device_replace", 0, "dev_id", self->idev_id);
	ASSERT_FIELD("iommufd_device_replace", 0, "pt_id", BAD_ID);
	ASSERT_FIELD("iommufd_device_replace", 0, "ret", -ENOENT);

	clear_trace();
	test_ioctl_destroy(self->stdev_id);
	read_trace();
	ASSERT_COUNT("iommufd_device_detach", 1);
	ASSERT_COUNT("iommufd_device_attach", 0);
	ASSERT_COUNT("iommufd_device_replace", 0);
	ASSERT_FIELD("iommufd_device_detach", 0, "dev_id", self->idev_id);
	ASSERT_FIELD("iommufd_device_detach", 0, "pasid", 0);
	ASSERT_FIELD("iommufd_device_detach", 0, "pt_id", hwpt3);
	ASSERT_FIELD("iommufd_device_detach", 0, "ret", 0);
}

/*
 * A failed attach (IOMMU_TEST_OP_MOCK_DOMAIN on an ID that does not exist)
 * is reported with the ID asked for and the error. The device was bound
 * for it, so dev_id is a real ID, though user space never saw it; the
 * unbind that follows does not detach.
 */
TEST_F(mock_events, attach_fail)
{
	enable_event("iommufd", "iommufd_device_attach");
	enable_event("iommufd", "iommufd_device_detach");

	clear_trace();
	test_err_mock_domain(ENOENT, BAD_ID, NULL, NULL);
	read_trace();
	ASSERT_COUNT("iommufd_device_attach", 1);
	ASSERT_COUNT("iommufd_device_detach", 0);
	ASSERT_LT(0, field(self, "iommufd_device_attach", 0, "dev_id"));
	ASSERT_FIELD("iommufd_device_attach", 0, "pt_id", BAD_ID);
	ASSERT_FIELD("iommufd_device_attach", 0, "ret", -ENOENT);
}

/*
 * IOMMU_HWPT_ALLOC: a nest parent on the IOAS, a nested HWPT on it, one with
 * a fault queue, and one that fails (nested on nested), one record each.
 */
TEST_F(mock_events, hwpt_alloc_nested)
{
	struct iommu_hwpt_selftest data = { .iotlb = IOMMU_TEST_IOTLB_DEFAULT };
	const char *ev = "iommufd_hwpt_alloc";
	__u32 parent, nested, nested_fault, fault_id, fault_fd, unused;

	setup_mock_dev(_metadata, self);
	ASSERT_EQ(0, _test_ioctl_fault_alloc(self->fd, &fault_id, &fault_fd));
	self->fault_fd = fault_fd;
	enable_event("iommufd", ev);

	clear_trace();
	test_cmd_hwpt_alloc(self->idev_id, self->ioas_id,
			    IOMMU_HWPT_ALLOC_NEST_PARENT, &parent);
	test_cmd_hwpt_alloc_nested(self->idev_id, parent, 0, &nested,
				   IOMMU_HWPT_DATA_SELFTEST, &data,
				   sizeof(data));
	test_cmd_hwpt_alloc_iopf(self->idev_id, parent, fault_id,
				 IOMMU_HWPT_FAULT_ID_VALID, &nested_fault,
				 IOMMU_HWPT_DATA_SELFTEST, &data, sizeof(data));
	test_err_hwpt_alloc_nested(EINVAL, self->idev_id, nested, 0, &unused,
				   IOMMU_HWPT_DATA_SELFTEST, &data,
				   sizeof(data));
	read_trace();
	ASSERT_COUNT(ev, 4);

	ASSERT_FIELD(ev, 0, "hwpt_id", parent);
	ASSERT_FIELD_STR(ev, 0, "type", "paging");
	ASSERT_FIELD(ev, 0, "dev_id", self->idev_id);
	ASSERT_FIELD(ev, 0, "pt_id", self->ioas_id);
	ASSERT_FIELD(ev, 0, "flags", IOMMU_HWPT_ALLOC_NEST_PARENT);
	ASSERT_FIELD(ev, 0, "data_type", IOMMU_HWPT_DATA_NONE);
	ASSERT_FIELD(ev, 0, "fault_id", 0);
	ASSERT_FIELD(ev, 0, "automatic", 0);
	ASSERT_FIELD(ev, 0, "ret", 0);

	ASSERT_FIELD(ev, 1, "hwpt_id", nested);
	ASSERT_FIELD_STR(ev, 1, "type", "nested");
	ASSERT_FIELD(ev, 1, "dev_id", self->idev_id);
	ASSERT_FIELD(ev, 1, "pt_id", parent);
	ASSERT_FIELD(ev, 1, "flags", 0);
	ASSERT_FIELD(ev, 1, "data_type", IOMMU_HWPT_DATA_SELFTEST);
	ASSERT_FIELD(ev, 1, "fault_id", 0);
	ASSERT_FIELD(ev, 1, "ret", 0);

	ASSERT_FIELD(ev, 2, "hwpt_id", nested_fault);
	ASSERT_FIELD_STR(ev, 2, "type", "nested");
	ASSERT_FIELD(ev, 2, "pt_id", parent);
	ASSERT_FIELD(ev, 2, "flags", IOMMU_HWPT_FAULT_ID_VALID);
	ASSERT_FIELD(ev, 2, "data_type", IOMMU_HWPT_DATA_SELFTEST);
	ASSERT_FIELD(ev, 2, "fault_id", fault_id);
	ASSERT_FIELD(ev, 2, "ret", 0);

	/* On failure there is no HWPT: hwpt_id 0, type none */
	ASSERT_FIELD(ev, 3, "hwpt_id", 0);
	ASSERT_FIELD_STR(ev, 3, "type", "none");
	ASSERT_FIELD(ev, 3, "dev_id", self->idev_id);
	ASSERT_FIELD(ev, 3, "pt_id", nested);
	ASSERT_FIELD(ev, 3, "data_type", IOMMU_HWPT_DATA_SELFTEST);
	ASSERT_FIELD(ev, 3, "ret", -EINVAL);
}

/*
 * IOMMU_HWPT_INVALIDATE on a mock nested HWPT: one _start and one end record
 * per ioctl. done_num is what the mock driver handled before it stopped, the
 * count the ioctl hands back. Both records come from this task, the end
 * no earlier than the _start: the latency is the time between them.
 */
TEST_F(mock_events, hwpt_invalidate)
{
	struct iommu_hwpt_selftest data = { .iotlb = IOMMU_TEST_IOTLB_DEFAULT };
	struct iommu_hwpt_invalidate_selftest inv[4] = {};
	const char *st = "iommufd_hwpt_invalidate_start";
	const char *ev = "iommufd_hwpt_invalidate";
	__u32 parent, nested, num;
	unsigned long long t_st, t_ev;
	int p_st, p_ev;
	int err;

	setup_mock_dev(_metadata, self);
	test_cmd_hwpt_alloc(self->idev_id, self->ioas_id,
			    IOMMU_HWPT_ALLOC_NEST_PARENT, &parent);
	test_cmd_hwpt_alloc_nested(self->idev_id, parent, 0, &nested,
				   IOMMU_HWPT_DATA_SELFTEST, &data,
				   sizeof(data));
	enable_event("iommufd", st);
	enable_event("iommufd", ev);

	/* Three valid entries: all done */
	inv[0].iotlb_id = 0;
	inv[1].iotlb_id = 1;
	inv[2].iotlb_id = 2;
	num = 3;
	clear_trace();
	test_cmd_hwpt_invalidate(nested, inv,
				 IOMMU_HWPT_INVALIDATE_DATA_SELFTEST,
				 sizeof(*inv), &num);
	ASSERT_EQ(3U, num);
	read_trace();
	ASSERT_COUNT(st, 1);
	ASSERT_COUNT(ev, 1);
	ASSERT_FIELD(st, 0, "hwpt_id", nested);
	ASSERT_FIELD(st, 0, "data_type", IOMMU_HWPT_INVALIDATE_DATA_SELFTEST);
	ASSERT_FIELD(st, 0, "entry_len", sizeof(*inv));
	ASSERT_FIELD(st, 0, "entry_num", 3);
	ASSERT_FIELD(ev, 0, "hwpt_id", nested);
	ASSERT_FIELD(ev, 0, "data_type", IOMMU_HWPT_INVALIDATE_DATA_SELFTEST);
	ASSERT_FIELD(ev, 0, "entry_len", sizeof(*inv));
	ASSERT_FIELD(ev, 0, "entry_num", 3);
	ASSERT_FIELD(ev, 0, "done_num", 3);
	ASSERT_FIELD(ev, 0, "ret", 0);
	ASSERT_EQ(0, trace_record_time(self->trace, st, 0, &p_st, &t_st));
	ASSERT_EQ(0, trace_record_time(self->trace, ev, 0, &p_ev, &t_ev));
	ASSERT_EQ(getpid(), p_st);
	ASSERT_EQ(getpid(), p_ev);
	ASSERT_LE(t_st, t_ev);
	ASSERT_EQ(-1, field(self, ev, 0, "start_ns"));

	/* Entry 2 of 4 has an iotlb_id out of range: two done, -EINVAL */
	inv[2].iotlb_id = MOCK_NESTED_DOMAIN_IOTLB_ID_MAX + 1;
	inv[3].iotlb_id = 3;
	num = 4;
	clear_trace();
	test_err_hwpt_invalidate(EINVAL, nested, inv,
				 IOMMU_HWPT_INVALIDATE_DATA_SELFTEST,
				 sizeof(*inv), &num);
	ASSERT_EQ(2U, num);
	read_trace();
	ASSERT_COUNT(st, 1);
	ASSERT_COUNT(ev, 1);
	ASSERT_FIELD(st, 0, "entry_num", 4);
	ASSERT_FIELD(ev, 0, "hwpt_id", nested);
	ASSERT_FIELD(ev, 0, "entry_num", 4);
	ASSERT_FIELD(ev, 0, "done_num", 2);
	ASSERT_FIELD(ev, 0, "ret", -EINVAL);

	/* Entry 1 of 3 has an unknown flag: one done, -EOPNOTSUPP */
	inv[1].flags = 0xffffffff;
	inv[2].iotlb_id = 2;
	num = 3;
	clear_trace();
	test_err_hwpt_invalidate(EOPNOTSUPP, nested, inv,
				 IOMMU_HWPT_INVALIDATE_DATA_SELFTEST,
				 sizeof(*inv), &num);
	ASSERT_EQ(1U, num);
	read_trace();
	ASSERT_COUNT(ev, 1);
	ASSERT_FIELD(ev, 0, "entry_num", 3);
	ASSERT_FIELD(ev, 0, "done_num", 1);
	ASSERT_FIELD(ev, 0, "ret", -EOPNOTSUPP);

	/*
	 * Failure before the driver: a paging HWPT is not a nested one
	 * (6.12 fails the lookup, -ENOENT; 7.3 looks up any object and
	 * refuses its type, -EINVAL). The end event is still emitted with
	 * the ioctl's error, hwpt_id as asked, nothing done.
	 */
	inv[0].flags = 0;
	num = 1;
	clear_trace();
	ASSERT_EQ(-1, _test_cmd_hwpt_invalidate(self->fd, parent, inv,
						IOMMU_HWPT_INVALIDATE_DATA_SELFTEST,
						sizeof(*inv), &num));
	err = errno;
	ASSERT_TRUE(err == ENOENT || err == EINVAL) TH_LOG("errno %d", err);
	ASSERT_EQ(0U, num);
	read_trace();
	ASSERT_COUNT(st, 1);
	ASSERT_COUNT(ev, 1);
	ASSERT_FIELD(ev, 0, "hwpt_id", parent);
	ASSERT_FIELD(ev, 0, "entry_num", 1);
	ASSERT_FIELD(ev, 0, "done_num", 0);
	ASSERT_FIELD(ev, 0, "ret", -err);
}

/*
 * The I/O page fault round trip: IOPF_NR faults, each its own group, are
 * triggered, read from the fault fd in one read() and answered in one
 * write(), in reverse order. Every stage has one record per group; the
 * cookie is 0 when queued (not assigned yet) and the one user space read in
 * the read and respond records. Reading all groups before answering makes
 * the cookies distinct: a cookie is freed by its response and reused.
 */
TEST_F(mock_events, iopf_round_trip)
{
	struct iommu_hwpt_pgfault pgf[IOPF_NR];
	struct iommu_hwpt_page_response resp[IOPF_NR];
	char dev_report[64] = "", dev_resp[64] = "";
	int i, j;

	setup_iopf(_metadata, self);
	enable_event("iommu", "iopf_report");
	enable_event("iommufd", "iommufd_fault_queue");
	enable_event("iommufd", "iommufd_fault_read");
	enable_event("iommufd", "iommufd_fault_respond");
	enable_event("iommufd", "iommufd_fault_auto_respond");
	enable_event("iommu", "iopf_response");

	clear_trace();
	for (i = 0; i < IOPF_NR; i++)
		ASSERT_EQ(0, trigger_iopf(self->fd, self->idev_id,
					  iopf_grpid(i), iopf_addr(i)));
	ASSERT_EQ((ssize_t)sizeof(pgf), read(self->fault_fd, pgf, sizeof(pgf)));
	for (i = 0; i < IOPF_NR; i++) {
		ASSERT_EQ(self->idev_id, pgf[i].dev_id);
		ASSERT_EQ(IOPF_PASID, pgf[i].pasid);
		ASSERT_EQ(iopf_grpid(i), pgf[i].grpid);
		ASSERT_EQ(iopf_addr(i), pgf[i].addr);
		for (j = 0; j < i; j++)
			ASSERT_NE(pgf[j].cookie, pgf[i].cookie);
		resp[IOPF_NR - 1 - i].cookie = pgf[i].cookie;
		resp[IOPF_NR - 1 - i].code = IOMMUFD_PAGE_RESP_SUCCESS;
	}
	ASSERT_EQ((ssize_t)sizeof(resp),
		  write(self->fault_fd, resp, sizeof(resp)));
	read_trace();

	ASSERT_COUNT("iopf_report", IOPF_NR);
	ASSERT_COUNT("iommufd_fault_queue", IOPF_NR);
	ASSERT_COUNT("iommufd_fault_read", IOPF_NR);
	ASSERT_COUNT("iommufd_fault_respond", IOPF_NR);
	ASSERT_COUNT("iopf_response", IOPF_NR);
	ASSERT_COUNT("iommufd_fault_auto_respond", 0);

	for (i = 0; i < IOPF_NR; i++) {
		/* Group i answered by response j = IOPF_NR - 1 - i */
		j = IOPF_NR - 1 - i;

		ASSERT_FIELD("iopf_report", i, "pasid", IOPF_PASID);
		ASSERT_FIELD("iopf_report", i, "grpid", iopf_grpid(i));
		ASSERT_FIELD("iopf_report", i, "addr", iopf_addr(i));
		ASSERT_FIELD("iopf_report", i, "perm", IOPF_PERM);
		ASSERT_FIELD("iopf_report", i, "flags", MOCK_IOPF_FLAGS);
		ASSERT_FIELD("iopf_report", i, "last_page", 1);

		ASSERT_FIELD("iommufd_fault_queue", i, "fault_id", self->fault_id);
		ASSERT_FIELD("iommufd_fault_queue", i, "pasid", IOPF_PASID);
		ASSERT_FIELD("iommufd_fault_queue", i, "grpid", iopf_grpid(i));
		ASSERT_FIELD("iommufd_fault_queue", i, "addr", iopf_addr(i));
		ASSERT_FIELD("iommufd_fault_queue", i, "nr_faults", 1);
		ASSERT_FIELD("iommufd_fault_queue", i, "cookie", 0);

		ASSERT_FIELD("iommufd_fault_read", i, "fault_id", self->fault_id);
		ASSERT_FIELD("iommufd_fault_read", i, "dev_id", self->idev_id);
		ASSERT_FIELD("iommufd_fault_read", i, "pasid", IOPF_PASID);
		ASSERT_FIELD("iommufd_fault_read", i, "grpid", iopf_grpid(i));
		ASSERT_FIELD("iommufd_fault_read", i, "addr", iopf_addr(i));
		ASSERT_FIELD("iommufd_fault_read", i, "nr_faults", 1);
		ASSERT_FIELD("iommufd_fault_read", i, "cookie", pgf[i].cookie);

		ASSERT_FIELD("iommufd_fault_respond", j, "fault_id", self->fault_id);
		ASSERT_FIELD("iommufd_fault_respond", j, "pasid", IOPF_PASID);
		ASSERT_FIELD("iommufd_fault_respond", j, "grpid", iopf_grpid(i));
		ASSERT_FIELD("iommufd_fault_respond", j, "cookie", pgf[i].cookie);
		ASSERT_FIELD_STR("iommufd_fault_respond", j, "code", "success");
		ASSERT_FIELD("iommufd_fault_respond", j, "delivered", 1);

		ASSERT_FIELD("iopf_response", j, "pasid", IOPF_PASID);
		ASSERT_FIELD("iopf_response", j, "grpid", iopf_grpid(i));
		ASSERT_FIELD_STR("iopf_response", j, "code", "success");

		/* The core names the mock device in both of its events */
		ASSERT_EQ(0, trace_field_str(self->trace, "iopf_report", i,
					     "device", dev_report,
					     sizeof(dev_report)));
		ASSERT_EQ(0, trace_field_str(self->trace, "iopf_response", j,
					     "device", dev_resp,
					     sizeof(dev_resp)));
		ASSERT_EQ(0, strncmp(dev_report, "iommufd_mock", 12))
			TH_LOG("device=%s", dev_report);
		ASSERT_STREQ(dev_report, dev_resp);
		/* ... and iommufd's events the same faulting device */
		ASSERT_FIELD_STR("iommufd_fault_queue", i, "device", dev_report);
		ASSERT_FIELD_STR("iommufd_fault_read", i, "device", dev_report);
		ASSERT_FIELD_STR("iommufd_fault_respond", j, "device", dev_report);
	}
}

/*
 * A fault on a device whose domain has no fault handler (the automatic
 * paging HWPT) is answered by the core at once: iopf_report, then
 * iopf_response with code invalid, and nothing reaches iommufd.
 */
TEST_F(mock_events, iopf_no_handler)
{
	setup_mock_dev(_metadata, self);
	enable_event("iommu", "iopf_report");
	enable_event("iommu", "iopf_response");
	enable_event("iommufd", "iommufd_fault_queue");

	clear_trace();
	ASSERT_EQ(0, trigger_iopf(self->fd, self->idev_id, iopf_grpid(0),
				  iopf_addr(0)));
	read_trace();
	ASSERT_COUNT("iopf_report", 1);
	ASSERT_COUNT("iopf_response", 1);
	ASSERT_COUNT("iommufd_fault_queue", 0);
	ASSERT_FIELD("iopf_report", 0, "grpid", iopf_grpid(0));
	ASSERT_FIELD("iopf_response", 0, "pasid", IOPF_PASID);
	ASSERT_FIELD("iopf_response", 0, "grpid", iopf_grpid(0));
	ASSERT_FIELD_STR("iopf_response", 0, "code", "invalid");
}

static void enable_auto_respond_events(struct __test_metadata *_metadata,
				       FIXTURE_DATA(mock_events) *self)
{
	enable_event("iommufd", "iommufd_fault_auto_respond");
	enable_event("iommufd", "iommufd_fault_respond");
	enable_event("iommu", "iopf_response");
}

/* The one pending group of grpid iopf_grpid(0) was answered by the kernel. */
static void check_auto_respond(struct __test_metadata *_metadata,
			       FIXTURE_DATA(mock_events) *self,
			       __u32 cookie, int delivered)
{
	const char *ev = "iommufd_fault_auto_respond";
	char dev[64] = "";

	ASSERT_COUNT(ev, 1);
	ASSERT_COUNT("iommufd_fault_respond", 0);
	ASSERT_COUNT("iopf_response", 1);
	ASSERT_FIELD(ev, 0, "fault_id", self->fault_id);
	ASSERT_FIELD(ev, 0, "pasid", IOPF_PASID);
	ASSERT_FIELD(ev, 0, "grpid", iopf_grpid(0));
	ASSERT_FIELD(ev, 0, "cookie", cookie);
	ASSERT_EQ(0, trace_field_str(self->trace, "iopf_response", 0, "device",
				     dev, sizeof(dev)));
	ASSERT_FIELD_STR(ev, 0, "device", dev);
	ASSERT_FIELD_STR(ev, 0, "code", "invalid");
	ASSERT_FIELD(ev, 0, "delivered", delivered);
	ASSERT_FIELD("iopf_response", 0, "pasid", IOPF_PASID);
	ASSERT_FIELD("iopf_response", 0, "grpid", iopf_grpid(0));
	ASSERT_FIELD_STR("iopf_response", 0, "code", "invalid");
}

/*
 * A group read but not answered is answered with "invalid" when the device
 * is detached (the selftest device object destroyed), with the cookie user
 * space read and delivered=1. Closing the fault fd alone answers nothing:
 * the HWPT still holds the fault object, and groups stay pending until the
 * device leaves the HWPT.
 */
TEST_F(mock_events, iopf_auto_respond_detach)
{
	struct iommu_hwpt_pgfault pgf;

	setup_iopf(_metadata, self);
	enable_auto_respond_events(_metadata, self);
	enable_event("iommufd", "iommufd_device_detach");

	clear_trace();
	ASSERT_EQ(0, trigger_iopf(self->fd, self->idev_id, iopf_grpid(0),
				  iopf_addr(0)));
	read_one_fault(_metadata, self, 0, &pgf);
	ASSERT_EQ(0, close(self->fault_fd));
	self->fault_fd = -1;
	read_trace();
	ASSERT_COUNT("iommufd_fault_auto_respond", 0);
	ASSERT_COUNT("iopf_response", 0);

	test_ioctl_destroy(self->stdev_id);
	read_trace();
	check_auto_respond(_metadata, self, pgf.cookie, 1);
	ASSERT_COUNT("iommufd_device_detach", 1);
	ASSERT_FIELD("iommufd_device_detach", 0, "pt_id", self->iopf_hwpt_id);
}

/*
 * A group not read yet is answered when the device is replaced away from
 * the HWPT: cookie 0 (none assigned) and delivered=0.
 */
TEST_F(mock_events, iopf_auto_respond_replace)
{
	setup_iopf(_metadata, self);
	enable_auto_respond_events(_metadata, self);

	clear_trace();
	ASSERT_EQ(0, trigger_iopf(self->fd, self->idev_id, iopf_grpid(0),
				  iopf_addr(0)));
	test_cmd_mock_domain_replace(self->stdev_id, self->parent_id);
	read_trace();
	check_auto_respond(_metadata, self, 0, 0);

	/* The group is gone: moving onto the HWPT and away again answers none */
	clear_trace();
	test_cmd_mock_domain_replace(self->stdev_id, self->iopf_hwpt_id);
	test_cmd_mock_domain_replace(self->stdev_id, self->parent_id);
	read_trace();
	ASSERT_COUNT("iommufd_fault_auto_respond", 0);
}

/*
 * Closing the iommufd detaches the device, which answers the group that was
 * read and not answered. The fault fd holds a reference on the iommufd
 * context: while it is open, closing the iommufd destroys nothing, and the
 * detach happens only when the last of the two is closed.
 */
TEST_F(mock_events, iopf_auto_respond_close)
{
	struct iommu_hwpt_pgfault pgf;

	setup_iopf(_metadata, self);
	enable_auto_respond_events(_metadata, self);

	clear_trace();
	ASSERT_EQ(0, trigger_iopf(self->fd, self->idev_id, iopf_grpid(0),
				  iopf_addr(0)));
	read_one_fault(_metadata, self, 0, &pgf);
	ASSERT_EQ(0, close(self->fd));
	self->fd = -1;
	read_trace();
	ASSERT_COUNT("iommufd_fault_auto_respond", 0);

	ASSERT_EQ(0, close(self->fault_fd));
	self->fault_fd = -1;
	read_trace();
	check_auto_respond(_metadata, self, pgf.cookie, 1);
}

TEST_HARNESS_MAIN
