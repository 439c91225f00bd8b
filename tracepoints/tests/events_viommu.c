// SPDX-License-Identifier: GPL-2.0
/*
 * The vIOMMU on the iommufd selftest mock: IOMMU_HWPT_INVALIDATE aimed at
 * a vIOMMU (the entries asked for, the entries the driver handled, the
 * error) and the destruction of vDEVICE and vIOMMU objects.  The mock's
 * vIOMMU invalidates per vDEVICE (virtual ID) and cache entry and stops at
 * the first entry naming a virtual ID it does not know, which makes the
 * count of entries done exact.
 *
 * The vIOMMU and its invalidation exist from 6.14 on: built against older
 * headers (6.12) the one test says SKIP.
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
