/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The iommufd selftest mock (CONFIG_IOMMUFD_TEST) as a fault and
 * invalidation source for the guest programs: a mock device on an IOAS, a
 * nest parent HWPT and a nested HWPT on it (with a fault queue when asked,
 * the device moved onto it), I/O page faults triggered with
 * IOMMU_TEST_OP_TRIGGER_IOPF, a fault fd read and answered, and
 * IOMMU_HWPT_INVALIDATE with selftest entries.  Only a nested HWPT takes
 * IOMMU_HWPT_FAULT_ID_VALID on 6.12.
 *
 * Header-only (static inline): the guest programs are built with -I of the
 * kernel tree's selftests (for iommufd_test.h), the BPF tools that link
 * every lib/ .c file are not.  Used by bpf/tests/iopfgen.c, bench/faultbench.c
 * and bench/invbench.c.
 *
 * Errors: -errno, with one line for the user in @why.  Closing the mock
 * (or just exiting) frees every object: the fault fd holds a reference on
 * the iommufd context, so both fds are closed.
 */
#ifndef IOASID_LIB_MOCKIOPF_H
#define IOASID_LIB_MOCKIOPF_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/iommufd.h>
#include <linux/types.h>

/* drivers/iommu/iommufd/iommufd_test.h, through the selftests' -I */
#include "iommu/../../../../drivers/iommu/iommufd/iommufd_test.h"

#define MOCKIOPF_PERM (IOMMU_PGFAULT_PERM_READ | IOMMU_PGFAULT_PERM_WRITE)

struct mockiopf {
	int fd;			/* /dev/iommu */
	int fault_fd;		/* the fault queue's fd, -1 without one */
	__u32 ioas_id;
	__u32 stdev_id;		/* the selftest device object */
	__u32 idev_id;		/* its iommufd device ID (dev_id of the events) */
	__u32 hwpt_id;		/* the automatic HWPT it was first attached to */
	__u32 parent_id;	/* nest parent on the IOAS */
	__u32 nested_id;	/* nested HWPT (fault capable with a fault queue) */
	__u32 fault_id;
};

static inline void mockiopf_close(struct mockiopf *m)
{
	if (m->fault_fd >= 0)
		close(m->fault_fd);
	if (m->fd >= 0)
		close(m->fd);
	m->fault_fd = m->fd = -1;
}

/* Open /dev/iommu, allocate an IOAS and attach a new mock device to it. */
static inline int mockiopf_open(struct mockiopf *m, char *why, size_t len)
{
	struct iommu_ioas_alloc ioas = { .size = sizeof(ioas) };
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_MOCK_DOMAIN,
	};
	int err;

	memset(m, 0, sizeof(*m));
	m->fault_fd = -1;
	m->fd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
	if (m->fd < 0) {
		err = -errno;
		snprintf(why, len, "/dev/iommu: %s%s", strerror(errno),
			 errno == ENOENT ? " (no iommufd: CONFIG_IOMMUFD?)" :
			 errno == EACCES || errno == EPERM ? " (run as root)" : "");
		return err;
	}
	if (ioctl(m->fd, IOMMU_IOAS_ALLOC, &ioas)) {
		err = -errno;
		snprintf(why, len, "failed to allocate an IOAS: %s", strerror(errno));
		goto fail;
	}
	m->ioas_id = ioas.out_ioas_id;
	cmd.id = m->ioas_id;
	if (ioctl(m->fd, IOMMU_TEST_CMD, &cmd)) {
		err = -errno;
		if (errno == ENOTTY)
			snprintf(why, len, "no iommufd selftest mock in this kernel "
				 "(IOMMU_TEST_CMD: %s; needs CONFIG_IOMMUFD_TEST)", strerror(errno));
		else
			snprintf(why, len, "failed to create a mock device: %s (an active "
				 "IOMMU driver such as VT-d takes the mock device on 6.12: boot "
				 "without it)", strerror(errno));
		goto fail;
	}
	m->stdev_id = cmd.mock_domain.out_stdev_id;
	m->hwpt_id = cmd.mock_domain.out_hwpt_id;
	m->idev_id = cmd.mock_domain.out_idev_id;
	return 0;
fail:
	mockiopf_close(m);
	return err;
}

static inline int mockiopf_hwpt_alloc(struct mockiopf *m, __u32 pt_id, __u32 flags,
				      __u32 fault_id, __u32 data_type, void *data,
				      __u32 data_len, __u32 *out)
{
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.dev_id = m->idev_id,
		.pt_id = pt_id,
		.data_type = data_type,
		.data_len = data_len,
		.data_uptr = (uintptr_t)data,
		.fault_id = fault_id,
	};

	if (ioctl(m->fd, IOMMU_HWPT_ALLOC, &cmd))
		return -errno;
	*out = cmd.out_hwpt_id;
	return 0;
}

/*
 * A nest parent on the IOAS and a selftest nested HWPT on it.  With
 * @fault: a fault queue (m->fault_fd, non-blocking) for the nested HWPT,
 * and the mock device moved onto it so its faults reach that queue.
 */
static inline int mockiopf_nested(struct mockiopf *m, bool fault, char *why, size_t len)
{
	struct iommu_hwpt_selftest data = { .iotlb = IOMMU_TEST_IOTLB_DEFAULT };
	struct iommu_fault_alloc fa = { .size = sizeof(fa) };
	struct iommu_test_cmd rep = {
		.size = sizeof(rep),
		.op = IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE,
	};
	int err;

	err = mockiopf_hwpt_alloc(m, m->ioas_id, IOMMU_HWPT_ALLOC_NEST_PARENT, 0, 0, NULL, 0,
				  &m->parent_id);
	if (err) {
		snprintf(why, len, "failed to allocate a nest parent HWPT: %s", strerror(-err));
		return err;
	}
	if (fault) {
		if (ioctl(m->fd, IOMMU_FAULT_QUEUE_ALLOC, &fa)) {
			err = -errno;
			snprintf(why, len, "failed to allocate a fault queue: %s",
				 strerror(errno));
			return err;
		}
		m->fault_id = fa.out_fault_id;
		m->fault_fd = fa.out_fault_fd;
		fcntl(m->fault_fd, F_SETFD, FD_CLOEXEC);
	}
	err = mockiopf_hwpt_alloc(m, m->parent_id, fault ? IOMMU_HWPT_FAULT_ID_VALID : 0,
				  m->fault_id, IOMMU_HWPT_DATA_SELFTEST, &data, sizeof(data),
				  &m->nested_id);
	if (err) {
		snprintf(why, len, "failed to allocate a nested mock HWPT: %s", strerror(-err));
		return err;
	}
	if (!fault)
		return 0;
	rep.id = m->stdev_id;
	rep.mock_domain_replace.pt_id = m->nested_id;
	if (ioctl(m->fd, IOMMU_TEST_CMD, &rep)) {
		err = -errno;
		snprintf(why, len, "failed to move the mock device to the fault HWPT: %s",
			 strerror(errno));
		return err;
	}
	return 0;
}

/*
 * One page request (last page of its group) from the mock device.  The
 * report and the queueing happen inside this ioctl; it returns once the
 * group is on the fault queue.
 */
static inline int mockiopf_trigger(const struct mockiopf *m, __u32 pasid, __u32 grpid,
				   __u64 addr)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_TRIGGER_IOPF,
		.trigger_iopf = {
			.dev_id = m->idev_id,
			.pasid = pasid,
			.grpid = grpid,
			.perm = MOCKIOPF_PERM,
			.addr = addr,
		},
	};

	return ioctl(m->fd, IOMMU_TEST_CMD, &cmd) ? -errno : 0;
}

/*
 * Read up to @max fault records into @pgf, waiting up to @timeout_ms
 * (-1: forever) for the first.  Returns how many, 0 on timeout, or -errno.
 */
static inline int mockiopf_read(const struct mockiopf *m, struct iommu_hwpt_pgfault *pgf,
				int max, int timeout_ms)
{
	struct pollfd p = { .fd = m->fault_fd, .events = POLLIN };
	ssize_t n;
	int r;

	for (;;) {
		n = read(m->fault_fd, pgf, max * sizeof(*pgf));
		if (n > 0)
			return n / sizeof(*pgf);
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return -errno;
		/* an empty queue reads 0 bytes: wait for the next group */
		r = poll(&p, 1, timeout_ms);
		if (r < 0 && errno != EINTR)
			return -errno;
		if (r == 0)
			return 0;
	}
}

/* Answer the @n faults read into @pgf with @code; 0 or -errno. */
static inline int mockiopf_respond(const struct mockiopf *m,
				   const struct iommu_hwpt_pgfault *pgf, int n, __u32 code)
{
	struct iommu_hwpt_page_response resp[64];
	int i, k, done = 0;
	ssize_t w;

	while (done < n) {
		k = n - done > 64 ? 64 : n - done;
		for (i = 0; i < k; i++) {
			resp[i].cookie = pgf[done + i].cookie;
			resp[i].code = code;
		}
		w = write(m->fault_fd, resp, k * sizeof(resp[0]));
		if (w < 0)
			return -errno;
		if (w != (ssize_t)(k * sizeof(resp[0])))
			return -EIO;
		done += k;
	}
	return 0;
}

/* IOMMU_HWPT_INVALIDATE of @num selftest entries on the nested HWPT. */
static inline int mockiopf_invalidate(const struct mockiopf *m,
				      const struct iommu_hwpt_invalidate_selftest *e,
				      __u32 *num)
{
	struct iommu_hwpt_invalidate cmd = {
		.size = sizeof(cmd),
		.hwpt_id = m->nested_id,
		.data_uptr = (uintptr_t)e,
		.data_type = IOMMU_HWPT_INVALIDATE_DATA_SELFTEST,
		.entry_len = sizeof(*e),
		.entry_num = *num,
	};
	int err;

	err = ioctl(m->fd, IOMMU_HWPT_INVALIDATE, &cmd) ? -errno : 0;
	*num = cmd.entry_num;
	return err;
}

#endif
