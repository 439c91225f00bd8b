// SPDX-License-Identifier: GPL-2.0
/*
 * The vIOMMU on the iommufd selftest mock: IOMMU_HWPT_INVALIDATE aimed at
 * a vIOMMU (the entries asked for, the entries the driver handled, the
 * error), the allocation of vIOMMU, vDEVICE and vEVENTQ objects, the
 * events the mock reports to a vEVENTQ and their reads (with a drop), and
 * the destruction of vDEVICE and vIOMMU objects.  The mock's
 * vIOMMU invalidates per vDEVICE (virtual ID) and cache entry and stops at
 * the first entry naming a virtual ID it does not know, which makes the
 * count of entries done exact.
 *
 * The vIOMMU and its invalidation exist from 6.14 on, the vEVENTQ from 6.15:
 * built against older headers (6.12) the one test says SKIP.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mock_harness.h"

#define INV_ST "iommufd_hwpt_invalidate_start"
#define INV "iommufd_hwpt_invalidate"
#define DESTROY "iommufd_object_destroy"
#define VIRT_ID 0x99
#define NR_INV 3

#ifdef test_cmd_viommu_invalidate

FIXTURE(viommu_events)
{
	int fd;
	__u32 ioas_id, stdev_id, hwpt_id, idev_id;
	__u32 parent_id, viommu_id, vdev_id;
	char *trace;
	struct enabled_events ev;
};

FIXTURE_SETUP(viommu_events)
{
	mock_open(_metadata, INV, &self->fd, &self->ioas_id);
	mock_device(_metadata, self->fd, self->ioas_id, 0, &self->stdev_id,
		    &self->hwpt_id, &self->idev_id);
	test_cmd_hwpt_alloc(self->idev_id, self->ioas_id, IOMMU_HWPT_ALLOC_NEST_PARENT,
			    &self->parent_id);
	test_cmd_viommu_alloc(self->idev_id, self->parent_id, IOMMU_VIOMMU_TYPE_SELFTEST,
			      NULL, 0, &self->viommu_id);
	test_cmd_vdevice_alloc(self->viommu_id, self->idev_id, VIRT_ID, &self->vdev_id);
}

/* In the parent, after the test process has exited (see mock_harness.h). */
FIXTURE_TEARDOWN_PARENT(viommu_events)
{
	events_disable(_metadata, &self->ev);
}

/* The start record and the end record of one call on the vIOMMU. */
#define ASSERT_INVALIDATE(num, done, ret)                                      \
	do {                                                                   \
		ASSERT_COUNT(INV_ST, 1);                                       \
		ASSERT_COUNT(INV, 1);                                          \
		ASSERT_FIELD(INV_ST, 0, "hwpt_id", self->viommu_id);           \
		ASSERT_FIELD(INV_ST, 0, "entry_num", num);                     \
		ASSERT_FIELD(INV_ST, 0, "data_type",                           \
			     IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST);           \
		ASSERT_FIELD(INV, 0, "hwpt_id", self->viommu_id);              \
		ASSERT_FIELD(INV, 0, "entry_len",                              \
			     sizeof(struct iommu_viommu_invalidate_selftest)); \
		ASSERT_FIELD(INV, 0, "entry_num", num);                        \
		ASSERT_FIELD(INV, 0, "done_num", done);                        \
		ASSERT_FIELD(INV, 0, "ret", ret);                              \
	} while (0)

/*
 * Three entries: all done.  The same three with an unknown virtual ID in
 * the second: one done, -EINVAL.  No entries (a check of the data type):
 * zero asked, zero done, success.
 */
TEST_F(viommu_events, invalidate)
{
	struct iommu_viommu_invalidate_selftest inv[NR_INV];
	__u32 num;
	int i;

	for (i = 0; i < NR_INV; i++)
		inv[i] = (struct iommu_viommu_invalidate_selftest){
			.vdev_id = VIRT_ID, .cache_id = i,
		};
	enable_event("iommufd", INV_ST);
	enable_event("iommufd", INV);

	clear_trace();
	num = NR_INV;
	test_cmd_viommu_invalidate(self->viommu_id, inv, sizeof(*inv), &num);
	ASSERT_EQ((__u32)NR_INV, num);
	read_trace();
	ASSERT_INVALIDATE(NR_INV, NR_INV, 0);

	clear_trace();
	inv[1].vdev_id = VIRT_ID + 1;
	num = NR_INV;
	test_err_viommu_invalidate(EINVAL, self->viommu_id, inv,
				   IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST, sizeof(*inv), &num);
	ASSERT_EQ(1U, num);
	read_trace();
	ASSERT_INVALIDATE(NR_INV, 1, -EINVAL);

	clear_trace();
	num = 0;
	test_cmd_viommu_invalidate(self->viommu_id, inv, sizeof(*inv), &num);
	ASSERT_EQ(0U, num);
	read_trace();
	ASSERT_INVALIDATE(0, 0, 0);

	/* no entries but a type the vIOMMU does not take: -EINVAL */
	clear_trace();
	num = 0;
	test_err_viommu_invalidate(EINVAL, self->viommu_id, inv,
				   IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST_INVALID,
				   sizeof(*inv), &num);
	read_trace();
	ASSERT_COUNT(INV, 1);
	ASSERT_FIELD(INV, 0, "data_type", IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST_INVALID);
	ASSERT_FIELD(INV, 0, "done_num", 0);
	ASSERT_FIELD(INV, 0, "ret", -EINVAL);
}

#define VIOMMU_ALLOC "iommufd_viommu_alloc"
#define VDEVICE_ALLOC "iommufd_vdevice_alloc"
#define VEVENTQ_ALLOC "iommufd_veventq_alloc"

/*
 * Allocation records, each with the arguments and the new ID or the error:
 * a second vIOMMU on the parent; a vDEVICE for a device that has one
 * (-EEXIST) and for a vIOMMU ID that is none (the IOAS: -ENOENT); a
 * vEVENTQ, a second one of its type (-EEXIST) and one of depth 0 (-EINVAL).
 */
TEST_F(viommu_events, alloc)
{
	__u32 viommu2 = 0, veventq_id = 0, veventq_fd = 0;

	enable_event("iommufd", VIOMMU_ALLOC);
	enable_event("iommufd", VDEVICE_ALLOC);
	enable_event("iommufd", VEVENTQ_ALLOC);

	clear_trace();
	test_cmd_viommu_alloc(self->idev_id, self->parent_id, IOMMU_VIOMMU_TYPE_SELFTEST,
			      NULL, 0, &viommu2);
	read_trace();
	ASSERT_COUNT(VIOMMU_ALLOC, 1);
	ASSERT_FIELD(VIOMMU_ALLOC, 0, "viommu_id", viommu2);
	ASSERT_FIELD(VIOMMU_ALLOC, 0, "type", IOMMU_VIOMMU_TYPE_SELFTEST);
	ASSERT_FIELD(VIOMMU_ALLOC, 0, "dev_id", self->idev_id);
	ASSERT_FIELD(VIOMMU_ALLOC, 0, "hwpt_id", self->parent_id);
	ASSERT_FIELD(VIOMMU_ALLOC, 0, "ret", 0);

	clear_trace();
	test_err_vdevice_alloc(EEXIST, viommu2, self->idev_id, VIRT_ID + 1, NULL);
	test_err_vdevice_alloc(ENOENT, self->ioas_id, self->idev_id, VIRT_ID + 1, NULL);
	read_trace();
	ASSERT_COUNT(VDEVICE_ALLOC, 2);
	ASSERT_FIELD(VDEVICE_ALLOC, 0, "vdevice_id", 0);
	ASSERT_FIELD(VDEVICE_ALLOC, 0, "viommu_id", viommu2);
	ASSERT_FIELD(VDEVICE_ALLOC, 0, "virt_id", VIRT_ID + 1);
	ASSERT_FIELD(VDEVICE_ALLOC, 0, "ret", -EEXIST);
	ASSERT_FIELD(VDEVICE_ALLOC, 1, "viommu_id", self->ioas_id);
	ASSERT_FIELD(VDEVICE_ALLOC, 1, "ret", -ENOENT);

	clear_trace();
	test_cmd_veventq_alloc(viommu2, IOMMU_VEVENTQ_TYPE_SELFTEST, 2, &veventq_id,
			       &veventq_fd);
	test_err_veventq_alloc(EEXIST, viommu2, IOMMU_VEVENTQ_TYPE_SELFTEST, 2, NULL, NULL);
	test_err_veventq_alloc(EINVAL, viommu2, IOMMU_VEVENTQ_TYPE_SELFTEST, 0, NULL, NULL);
	read_trace();
	ASSERT_COUNT(VEVENTQ_ALLOC, 3);
	ASSERT_FIELD(VEVENTQ_ALLOC, 0, "veventq_id", veventq_id);
	ASSERT_FIELD(VEVENTQ_ALLOC, 0, "viommu_id", viommu2);
	ASSERT_FIELD(VEVENTQ_ALLOC, 0, "depth", 2);
	ASSERT_FIELD(VEVENTQ_ALLOC, 0, "ret", 0);
	ASSERT_FIELD(VEVENTQ_ALLOC, 1, "ret", -EEXIST);
	ASSERT_FIELD(VEVENTQ_ALLOC, 2, "depth", 0);
	ASSERT_FIELD(VEVENTQ_ALLOC, 2, "ret", -EINVAL);
	close(veventq_fd);
}

#define REPORT "iommufd_veventq_report"
#define READ "iommufd_veventq_read"
#define VEVENT_DEPTH 2

/* Report record @i: the vEVENTQ, the sequence, a drop or not, the fill. */
#define ASSERT_REPORT(i, q, seq, lost, pending)                                  \
	do {                                                                     \
		ASSERT_FIELD(REPORT, i, "viommu_id", self->viommu_id);           \
		ASSERT_FIELD(REPORT, i, "veventq_id", q);                        \
		ASSERT_FIELD(REPORT, i, "type", IOMMU_VEVENTQ_TYPE_SELFTEST);    \
		ASSERT_FIELD(REPORT, i, "data_len",                              \
			     sizeof(struct iommu_viommu_event_selftest));        \
		ASSERT_FIELD(REPORT, i, "sequence", seq);                        \
		ASSERT_FIELD(REPORT, i, "lost", lost);                           \
		ASSERT_FIELD(REPORT, i, "pending", pending);                     \
		ASSERT_FIELD(REPORT, i, "depth", (q) ? VEVENT_DEPTH : 0);        \
		ASSERT_FIELD(REPORT, i, "ret", (q) ? 0 : -EOPNOTSUPP);           \
	} while (0)

#define ASSERT_READ(i, seq, lost, pending)                                       \
	do {                                                                     \
		ASSERT_FIELD(READ, i, "veventq_id", veventq_id);                 \
		ASSERT_FIELD(READ, i, "viommu_id", self->viommu_id);             \
		ASSERT_FIELD(READ, i, "sequence", seq);                          \
		ASSERT_FIELD(READ, i, "lost", lost);                             \
		ASSERT_FIELD(READ, i, "pending", pending);                       \
	} while (0)

/*
 * The mock reports one event per trigger for the vDEVICE of a device
 * attached to a nested HWPT of the vIOMMU.  Without a vEVENTQ:
 * -EOPNOTSUPP, no queue in the record.  A vEVENTQ of depth 2 and
 * three events: two queued (sequence 0 and 1), the third dropped (the
 * lost-events header takes sequence 2).  One read() returns the two events
 * and the header, in that order, one read record each, the fill going down.
 */
TEST_F(viommu_events, veventq_report_read)
{
	struct iommu_viommu_event_selftest *data;
	struct iommufd_vevent_header *hdr;
	const size_t ev_size = sizeof(*hdr) + sizeof(*data);
	struct iommu_hwpt_selftest nested = { .iotlb = IOMMU_TEST_IOTLB_DEFAULT };
	__u32 veventq_id = 0, veventq_fd = 0, nested_id;
	char buf[4096];
	ssize_t n;

	test_cmd_hwpt_alloc_nested(self->idev_id, self->viommu_id, 0, &nested_id,
				   IOMMU_HWPT_DATA_SELFTEST, &nested, sizeof(nested));
	test_cmd_mock_domain_replace(self->stdev_id, nested_id);
	enable_event("iommufd", REPORT);
	enable_event("iommufd", READ);

	clear_trace();
	EXPECT_ERRNO(EOPNOTSUPP, _test_cmd_trigger_vevents(self->fd, self->idev_id, 1));
	read_trace();
	ASSERT_COUNT(REPORT, 1);
	ASSERT_REPORT(0, 0, 0, 0, 0);

	test_cmd_veventq_alloc(self->viommu_id, IOMMU_VEVENTQ_TYPE_SELFTEST, VEVENT_DEPTH,
			       &veventq_id, &veventq_fd);
	clear_trace();
	test_cmd_trigger_vevents(self->idev_id, VEVENT_DEPTH + 1);
	read_trace();
	ASSERT_COUNT(REPORT, VEVENT_DEPTH + 1);
	ASSERT_REPORT(0, veventq_id, 0, 0, 1);
	ASSERT_REPORT(1, veventq_id, 1, 0, 2);
	ASSERT_REPORT(2, veventq_id, 2, 1, 2);
	ASSERT_COUNT(READ, 0);

	clear_trace();
	n = read(veventq_fd, buf, sizeof(buf));
	ASSERT_EQ((ssize_t)(2 * ev_size + sizeof(*hdr)), n);
	hdr = (void *)(buf + 2 * ev_size);
	ASSERT_EQ((__u32)IOMMU_VEVENTQ_FLAG_LOST_EVENTS, hdr->flags);
	ASSERT_EQ(2U, hdr->sequence);
	read_trace();
	ASSERT_COUNT(READ, 3);
	ASSERT_READ(0, 0, 0, 1);
	ASSERT_READ(1, 1, 0, 0);
	ASSERT_READ(2, 2, 1, 0);
	ASSERT_FIELD(READ, 0, "data_len", sizeof(*data));
	ASSERT_FIELD(READ, 2, "data_len", 0);
	close(veventq_fd);
}

/*
 * A vIOMMU with a vDEVICE cannot go (-EBUSY, no record).  Destroying the
 * vDEVICE, then the vIOMMU: one record each, by type.
 */
TEST_F(viommu_events, destroy)
{
	enable_event("iommufd", DESTROY);

	clear_trace();
	EXPECT_ERRNO(EBUSY, _test_ioctl_destroy(self->fd, self->viommu_id));
	read_trace();
	ASSERT_COUNT(DESTROY, 0);

	clear_trace();
	test_ioctl_destroy(self->vdev_id);
	read_trace();
	ASSERT_COUNT(DESTROY, 1);
	ASSERT_FIELD(DESTROY, 0, "id", self->vdev_id);
	ASSERT_FIELD_STR(DESTROY, 0, "type", "vdevice");
	ASSERT_FIELD(DESTROY, 0, "closing", 0);

	clear_trace();
	test_ioctl_destroy(self->viommu_id);
	read_trace();
	ASSERT_COUNT(DESTROY, 1);
	ASSERT_FIELD(DESTROY, 0, "id", self->viommu_id);
	ASSERT_FIELD_STR(DESTROY, 0, "type", "viommu");
	ASSERT_FIELD(DESTROY, 0, "closing", 0);
}

#else /* !test_cmd_viommu_invalidate */

TEST(viommu_events)
{
	SKIP(return, "selftest headers without vIOMMU invalidation (before 6.14)");
}

#endif

TEST_HARNESS_MAIN
