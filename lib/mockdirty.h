/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Dirty tracking on the iommufd selftest mock (CONFIG_IOMMUFD_TEST), for the
 * guest programs: a buffer mapped into the mock's IOAS with huge pages off
 * (7.3's mock maps it with PAGE_SIZE PTEs, 6.12's with 2 KiB entries), a paging
 * HWPT allocated with IOMMU_HWPT_ALLOC_DIRTY_TRACKING, its PTEs marked dirty on
 * request (IOMMU_TEST_OP_DIRTY, what a device's writes would do) and its bitmap
 * read (IOMMU_HWPT_GET_DIRTY_BITMAP), as a VMM does in each round of a live
 * migration.  Used by bench/dirtybench.c.
 *
 * Header-only, on top of mockiopf.h (the mock device).  Errors: -errno,
 * with one line for the user in @why.
 */
#ifndef IOASID_LIB_MOCKDIRTY_H
#define IOASID_LIB_MOCKDIRTY_H

#include <stdlib.h>
#include <sys/mman.h>

#include "mockiopf.h"

#define MOCKDIRTY_IOVA (1ULL << 30)
/*
 * The mock's IOVA page (MOCK_PAGE_SIZE; 6.12's IOMMU_TEST_OP_DIRTY indexes
 * its pages by the page_size it is given, so marks are made in this unit).
 */
#define MOCKDIRTY_MARK_SIZE 2048ULL

struct mockdirty {
	struct mockiopf m;
	__u32 hwpt_id;		/* the dirty tracking HWPT */
	void *buf;
	size_t len;
};

static inline void mockdirty_close(struct mockdirty *d)
{
	mockiopf_close(&d->m);
	if (d->buf && d->buf != MAP_FAILED)
		munmap(d->buf, d->len);
	d->buf = NULL;
}

static inline int mockdirty_fail(char *why, size_t len, const char *what, int err)
{
	snprintf(why, len, "failed to %s: %s", what, strerror(-err));
	return err;
}

/* The mock device, @len bytes mapped at MOCKDIRTY_IOVA, tracking on. */
static inline int mockdirty_open(struct mockdirty *d, size_t len, char *why, size_t wlen)
{
	struct iommu_option huge_off = {
		.size = sizeof(huge_off),
		.option_id = IOMMU_OPTION_HUGE_PAGES,
		.op = IOMMU_OPTION_OP_SET,
		.val64 = 0,
	};
	struct iommu_ioas_map map = {
		.size = sizeof(map),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE,
		.length = len,
		.iova = MOCKDIRTY_IOVA,
	};
	struct iommu_hwpt_set_dirty_tracking set = {
		.size = sizeof(set),
		.flags = IOMMU_HWPT_DIRTY_TRACKING_ENABLE,
	};
	int err;

	memset(d, 0, sizeof(*d));
	err = mockiopf_open(&d->m, why, wlen);
	if (err)
		return err;
	d->len = len;
	d->buf = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (d->buf == MAP_FAILED) {
		err = mockdirty_fail(why, wlen, "allocate the buffer", -errno);
		goto fail;
	}
	huge_off.object_id = d->m.ioas_id;
	map.ioas_id = d->m.ioas_id;
	map.user_va = (uintptr_t)d->buf;
	if (ioctl(d->m.fd, IOMMU_OPTION, &huge_off)) {
		err = mockdirty_fail(why, wlen, "turn the IOAS's huge pages off", -errno);
		goto fail;
	}
	if (ioctl(d->m.fd, IOMMU_IOAS_MAP, &map)) {
		err = mockdirty_fail(why, wlen, "map the buffer", -errno);
		goto fail;
	}
	err = mockiopf_hwpt_alloc(&d->m, d->m.ioas_id, IOMMU_HWPT_ALLOC_DIRTY_TRACKING, 0, 0,
				  NULL, 0, &d->hwpt_id);
	if (err) {
		mockdirty_fail(why, wlen, "allocate a dirty tracking HWPT", err);
		goto fail;
	}
	set.hwpt_id = d->hwpt_id;
	if (ioctl(d->m.fd, IOMMU_HWPT_SET_DIRTY_TRACKING, &set)) {
		err = mockdirty_fail(why, wlen, "enable dirty tracking", -errno);
		goto fail;
	}
	return 0;
fail:
	mockdirty_close(d);
	return err;
}

/*
 * Mark the pages whose bits are set in @bitmap (one per @pgsize, a multiple
 * of MOCKDIRTY_MARK_SIZE) dirty; *@nr: the mock pages it marked, @pgsize /
 * MOCKDIRTY_MARK_SIZE per page.
 */
static inline int mockdirty_mark(struct mockdirty *d, __u64 pgsize, const uint64_t *bitmap,
				 __u64 *nr)
{
	__u64 per = pgsize / MOCKDIRTY_MARK_SIZE, npages = d->len / pgsize, i, k;
	uint64_t *fine = calloc((npages * per + 63) / 64, 8);
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_DIRTY,
		.id = d->hwpt_id,
		.dirty = {
			.iova = MOCKDIRTY_IOVA,
			.length = d->len,
			.page_size = MOCKDIRTY_MARK_SIZE,
			.uptr = (uintptr_t)fine,
		},
	};
	int err = 0;

	if (!fine)
		return -ENOMEM;
	for (i = 0; i < npages; i++)
		if (bitmap[i / 64] & (1ULL << (i % 64)))
			for (k = i * per; k < (i + 1) * per; k++)
				fine[k / 64] |= 1ULL << (k % 64);
	if (ioctl(d->m.fd, IOMMU_TEST_CMD, &cmd))
		err = -errno;
	else
		*nr = cmd.dirty.out_nr_dirty;
	free(fine);
	return err;
}

/* Read (and clear) the dirty bits of the whole buffer into @bitmap. */
static inline int mockdirty_read(struct mockdirty *d, __u64 pgsize, uint64_t *bitmap)
{
	struct iommu_hwpt_get_dirty_bitmap get = {
		.size = sizeof(get),
		.hwpt_id = d->hwpt_id,
		.iova = MOCKDIRTY_IOVA,
		.length = d->len,
		.page_size = pgsize,
		.data = (uintptr_t)bitmap,
	};

	return ioctl(d->m.fd, IOMMU_HWPT_GET_DIRTY_BITMAP, &get) ? -errno : 0;
}

#endif
