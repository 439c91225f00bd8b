// SPDX-License-Identifier: GPL-2.0
/*
 * PASID attach, replace and detach, and faults on a PASID, on the iommufd
 * selftest mock: the pasid field of the iommufd_device_* events and of the
 * fault events, with the IDs and errors each call must report.  A PASID
 * attach needs a PASID-capable device (MOCK_FLAGS_DEVICE_PASID), a HWPT
 * allocated with IOMMU_HWPT_ALLOC_PASID, and the device's RID on a
 * PASID-compatible domain first: what the upstream selftests set up.
 *
 * The mock and the uAPI have PASID attach from 6.15 on: built against
 * older headers (6.12) the one test says SKIP.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mock_harness.h"

#define BAD_ID 0xfff0
#define ATTACH "iommufd_device_attach"
#define HWPT_ALLOC "iommufd_hwpt_alloc"
#define REPLACE "iommufd_device_replace"
#define DETACH "iommufd_device_detach"

#ifdef test_cmd_pasid_attach

FIXTURE(pasid_events)
{
	int fd;
	__u32 ioas_id, stdev_id, hwpt_id, idev_id;
	/*
	 * A PASID-compatible paging HWPT, a nest parent, two nested on it
	 * (the RID moves to the first: hwpt_id, its automatic HWPT, is gone)
	 */
	__u32 s2_id, parent_id, nested[2];
	char *trace;
	struct enabled_events ev;
};

FIXTURE_SETUP(pasid_events)
{
	struct iommu_hwpt_selftest data = { .iotlb = IOMMU_TEST_IOTLB_DEFAULT };
	int i;

	mock_open(_metadata, ATTACH, &self->fd, &self->ioas_id);
	mock_device(_metadata, self->fd, self->ioas_id, MOCK_FLAGS_DEVICE_PASID,
		    &self->stdev_id, &self->hwpt_id, &self->idev_id);
	test_cmd_hwpt_alloc(self->idev_id, self->ioas_id, IOMMU_HWPT_ALLOC_PASID,
			    &self->s2_id);
	test_cmd_hwpt_alloc(self->idev_id, self->ioas_id, IOMMU_HWPT_ALLOC_NEST_PARENT,
			    &self->parent_id);
	for (i = 0; i < 2; i++)
		test_cmd_hwpt_alloc_nested(self->idev_id, self->parent_id,
					   IOMMU_HWPT_ALLOC_PASID, &self->nested[i],
					   IOMMU_HWPT_DATA_SELFTEST, &data, sizeof(data));
	/* PASIDs only beside a PASID-compatible domain on the RID */
	test_cmd_mock_domain_replace(self->stdev_id, self->s2_id);
}

/*
 * In the test process, also after a failed ASSERT (this harness has no
 * setjmp(), see mock_harness.h): a PASID left attached holds a reference
 * on the device, and the fd's release would WARN.  Detaching a PASID that
 * is not attached does nothing.
 */
FIXTURE_TEARDOWN(pasid_events)
{
	static const __u32 used[] = { 1, 2, 100, 200, 300, 1024, 2048 };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(used); i++)
		_test_cmd_pasid_detach(self->fd, self->stdev_id, used[i]);
	events_disable(_metadata, &self->ev);
}

/* Exactly one record of @ev, none of the other two device events. */
#define ASSERT_ONLY(ev)                                                        \
	do {                                                                   \
		ASSERT_COUNT(ATTACH, !strcmp(ev, ATTACH));                     \
		ASSERT_COUNT(REPLACE, !strcmp(ev, REPLACE));                   \
		ASSERT_COUNT(DETACH, !strcmp(ev, DETACH));                     \
	} while (0)

#define ASSERT_DEV_EVENT(ev, pasid, pt, ret)                                   \
	do {                                                                   \
		ASSERT_ONLY(ev);                                               \
		ASSERT_FIELD(ev, 0, "dev_id", self->idev_id);                  \
		ASSERT_FIELD(ev, 0, "pasid", pasid);                           \
		ASSERT_FIELD(ev, 0, "pt_id", pt);                              \
		ASSERT_FIELD(ev, 0, "ret", ret);                               \
	} while (0)

/* One fault on @pasid of the mock device, left for the fault queue. */
static int trigger_iopf(int fd, __u32 dev_id, __u32 pasid)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_TRIGGER_IOPF,
		.trigger_iopf = {
			.dev_id = dev_id,
			.pasid = pasid,
			.grpid = 0x3,
			.perm = IOMMU_PGFAULT_PERM_READ | IOMMU_PGFAULT_PERM_WRITE,
			.addr = 0x200000,
		},
	};

	return ioctl(fd, IOMMU_TEST_CMD, &cmd);
}

/*
 * Each call on a PASID, one record with that PASID: pt_id the HWPT
 * attached (on success) or asked for (on failure), and the error.  A
 * detach of a PASID with nothing attached changes nothing and says
 * nothing.
 */
TEST_F(pasid_events, attach_replace_detach)
{
	__u32 pasid = 100;

	enable_event("iommufd", ATTACH);
	enable_event("iommufd", REPLACE);
	enable_event("iommufd", DETACH);
	enable_event("iommufd", HWPT_ALLOC);

	clear_trace();
	test_cmd_pasid_detach(pasid);
	read_trace();
	ASSERT_ONLY("none");

	clear_trace();
	test_cmd_pasid_attach(pasid, self->nested[0]);
	read_trace();
	ASSERT_DEV_EVENT(ATTACH, pasid, self->nested[0], 0);

	/* attach does not overwrite: replace does */
	clear_trace();
	test_err_pasid_attach(EBUSY, pasid, self->nested[1]);
	read_trace();
	ASSERT_DEV_EVENT(ATTACH, pasid, self->nested[1], -EBUSY);

	clear_trace();
	test_cmd_pasid_replace(pasid, self->nested[1]);
	read_trace();
	ASSERT_DEV_EVENT(REPLACE, pasid, self->nested[1], 0);

	/*
	 * An IOAS for a PASID: the automatic HWPT made for it is not
	 * PASID-compatible, so it is aborted (a failed hwpt_alloc record)
	 * and the PASID stays where it was.
	 */
	clear_trace();
	test_err_pasid_replace(EINVAL, pasid, self->ioas_id);
	read_trace();
	ASSERT_DEV_EVENT(REPLACE, pasid, self->ioas_id, -EINVAL);
	ASSERT_COUNT(HWPT_ALLOC, 1);
	ASSERT_FIELD(HWPT_ALLOC, 0, "automatic", 1);
	ASSERT_FIELD(HWPT_ALLOC, 0, "hwpt_id", 0);
	ASSERT_FIELD(HWPT_ALLOC, 0, "dev_id", self->idev_id);
	ASSERT_FIELD(HWPT_ALLOC, 0, "pt_id", self->ioas_id);
	ASSERT_FIELD(HWPT_ALLOC, 0, "ret", -EINVAL);
	ASSERT_EQ(0, test_cmd_pasid_check_hwpt(self->fd, self->stdev_id, pasid,
					       self->nested[1]));

	/* a PASID never attached cannot be replaced */
	clear_trace();
	test_err_pasid_replace(EINVAL, 200, self->s2_id);
	read_trace();
	ASSERT_DEV_EVENT(REPLACE, 200, self->s2_id, -EINVAL);

	clear_trace();
	test_cmd_pasid_detach(pasid);
	read_trace();
	ASSERT_DEV_EVENT(DETACH, pasid, self->nested[1], 0);

	/* the RID's attachment is untouched by all of it */
	clear_trace();
	test_ioctl_destroy(self->stdev_id);
	read_trace();
	ASSERT_DEV_EVENT(DETACH, 0, self->s2_id, 0);
}

/*
 * The refusals, each one record with the error: an ID that does not
 * exist; a HWPT that is not PASID-compatible, on a PASID or (while a
 * PASID is attached) on the RID; and the driver failing a replace (the
 * mock fails any replace on PASID 1024 with -ENOMEM), after which the
 * PASID is still on its old HWPT.
 */
TEST_F(pasid_events, errors)
{
	enable_event("iommufd", ATTACH);
	enable_event("iommufd", REPLACE);
	enable_event("iommufd", DETACH);

	clear_trace();
	test_err_pasid_attach(ENOENT, 300, BAD_ID);
	read_trace();
	ASSERT_DEV_EVENT(ATTACH, 300, BAD_ID, -ENOENT);

	clear_trace();
	test_err_pasid_attach(EINVAL, 300, self->parent_id);
	read_trace();
	ASSERT_DEV_EVENT(ATTACH, 300, self->parent_id, -EINVAL);

	test_cmd_pasid_attach(100, self->nested[0]);
	clear_trace();
	test_err_mock_domain_replace(EINVAL, self->stdev_id, self->parent_id);
	read_trace();
	ASSERT_DEV_EVENT(REPLACE, 0, self->parent_id, -EINVAL);
	test_cmd_pasid_detach(100);

	test_cmd_pasid_attach(1024, self->s2_id);
	clear_trace();
	test_err_pasid_replace(ENOMEM, 1024, self->nested[0]);
	read_trace();
	ASSERT_DEV_EVENT(REPLACE, 1024, self->nested[0], -ENOMEM);
	ASSERT_EQ(0, test_cmd_pasid_check_hwpt(self->fd, self->stdev_id, 1024,
					       self->s2_id));
	clear_trace();
	test_cmd_pasid_detach(1024);
	read_trace();
	ASSERT_DEV_EVENT(DETACH, 1024, self->s2_id, 0);
}

/*
 * Two PASIDs of one device at once, on different HWPTs: each record names
 * its own PASID and HWPT, and detaching one leaves the other attached.
 */
TEST_F(pasid_events, two_pasids)
{
	int i;

	enable_event("iommufd", ATTACH);
	enable_event("iommufd", DETACH);

	clear_trace();
	test_cmd_pasid_attach(1, self->nested[0]);
	test_cmd_pasid_attach(2, self->nested[1]);
	test_cmd_pasid_detach(1);
	read_trace();
	/* by PASID, not by position: records of two CPUs may interleave */
	ASSERT_COUNT(ATTACH, 2);
	i = trace_find(self->trace, ATTACH, "pasid", 1);
	ASSERT_LE(0, i);
	ASSERT_FIELD(ATTACH, i, "pt_id", self->nested[0]);
	i = trace_find(self->trace, ATTACH, "pasid", 2);
	ASSERT_LE(0, i);
	ASSERT_FIELD(ATTACH, i, "pt_id", self->nested[1]);
	ASSERT_COUNT(DETACH, 1);
	ASSERT_FIELD(DETACH, 0, "pasid", 1);
	ASSERT_FIELD(DETACH, 0, "pt_id", self->nested[0]);
	ASSERT_EQ(0, test_cmd_pasid_check_hwpt(self->fd, self->stdev_id, 2,
					       self->nested[1]));

	clear_trace();
	test_cmd_pasid_detach(2);
	read_trace();
	ASSERT_COUNT(DETACH, 1);
	ASSERT_FIELD(DETACH, 0, "pasid", 2);
	ASSERT_FIELD(DETACH, 0, "pt_id", self->nested[1]);
}

/*
 * A fault on a PASID-attached HWPT with a fault queue: the core's report
 * and response and the queue's records all carry that PASID.
 */
TEST_F(pasid_events, fault_on_pasid)
{
	struct iommu_hwpt_selftest data = { .iotlb = IOMMU_TEST_IOTLB_DEFAULT };
	__u32 fault_id, fault_fd, iopf_id, pasid = 2048;

	ASSERT_EQ(0, _test_ioctl_fault_alloc(self->fd, &fault_id, &fault_fd));
	test_cmd_hwpt_alloc_iopf(self->idev_id, self->parent_id, fault_id,
				 IOMMU_HWPT_FAULT_ID_VALID | IOMMU_HWPT_ALLOC_PASID,
				 &iopf_id, IOMMU_HWPT_DATA_SELFTEST, &data, sizeof(data));
	test_cmd_pasid_attach(pasid, iopf_id);

	enable_event("iommu", "iopf_report");
	enable_event("iommu", "iopf_response");
	enable_event("iommufd", "iommufd_fault_queue");
	enable_event("iommufd", "iommufd_fault_read");
	enable_event("iommufd", "iommufd_fault_respond");
	clear_trace();
	/* triggers one fault, reads it and answers it with success */
	test_cmd_trigger_iopf_pasid(self->idev_id, pasid, fault_fd);
	read_trace();
	ASSERT_COUNT("iopf_report", 1);
	ASSERT_FIELD("iopf_report", 0, "pasid", pasid);
	ASSERT_COUNT("iommufd_fault_queue", 1);
	ASSERT_FIELD("iommufd_fault_queue", 0, "pasid", pasid);
	ASSERT_FIELD("iommufd_fault_queue", 0, "fault_id", fault_id);
	ASSERT_COUNT("iommufd_fault_read", 1);
	ASSERT_FIELD("iommufd_fault_read", 0, "pasid", pasid);
	ASSERT_FIELD("iommufd_fault_read", 0, "dev_id", self->idev_id);
	ASSERT_COUNT("iommufd_fault_respond", 1);
	ASSERT_FIELD("iommufd_fault_respond", 0, "pasid", pasid);
	ASSERT_FIELD_STR("iommufd_fault_respond", 0, "code", "success");
	/* the core also answers "invalid" when no handler took the fault */
	ASSERT_COUNT("iopf_response", 1);
	ASSERT_FIELD("iopf_response", 0, "pasid", pasid);
	ASSERT_FIELD_STR("iopf_response", 0, "code", "success");

	/*
	 * A fault left unread when the PASID is detached: iommufd answers it
	 * itself, "invalid", undelivered.
	 */
	enable_event("iommufd", "iommufd_fault_auto_respond");
	clear_trace();
	ASSERT_EQ(0, trigger_iopf(self->fd, self->idev_id, pasid));
	test_cmd_pasid_detach(pasid);
	read_trace();
	ASSERT_COUNT("iommufd_fault_queue", 1);
	ASSERT_COUNT("iommufd_fault_read", 0);
	ASSERT_COUNT("iommufd_fault_auto_respond", 1);
	ASSERT_FIELD("iommufd_fault_auto_respond", 0, "pasid", pasid);
	ASSERT_FIELD_STR("iommufd_fault_auto_respond", 0, "code", "invalid");
	ASSERT_FIELD("iommufd_fault_auto_respond", 0, "delivered", 0);
	ASSERT_COUNT("iopf_response", 1);
	ASSERT_FIELD("iopf_response", 0, "pasid", pasid);
	ASSERT_FIELD_STR("iopf_response", 0, "code", "invalid");
	close(fault_fd);
}

#else /* !test_cmd_pasid_attach */

TEST(pasid_events)
{
	SKIP(return, "selftest headers without PASID attach (before 6.15)");
}

#endif

TEST_HARNESS_MAIN
