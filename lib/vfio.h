/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A VFIO PCI device with one of three DMA backends behind one interface:
 * iommufd (vfio cdev + IOAS), VFIO type1 (group + VFIO's container) or
 * compat (group + iommufd as the container: the type1 ioctls served by
 * iommufd's compat layer).  Shared by the testbed tests, the benchmarks
 * and the userspace NVMe driver.
 *
 * Every function returns 0 or a negative errno; on failure d->err holds
 * one line "failed to <verb> <object>: <reason>" for the caller to print.
 */
#ifndef IOASID_LIB_VFIO_H
#define IOASID_LIB_VFIO_H

#include <stddef.h>
#include <stdint.h>

enum vdev_backend {
	VDEV_IOMMUFD,
	VDEV_TYPE1,
	VDEV_COMPAT,
	VDEV_NR
};

struct vdev {
	enum vdev_backend backend;
	char bdf[32];
	int device_fd;
	/* iommufd backend */
	int iommufd;
	uint32_t dev_id;
	uint32_t ioas_id;	/* also compat's: the container's IOAS */
	uint32_t hwpt_id;	/* the HWPT the kernel attached for the IOAS */
	int attached;
	/* type1 and compat backends */
	int container_fd;
	int group_fd;
	int group_id;
	char err[256];
};

const char *vdev_backend_name(enum vdev_backend b);
/* Parse "iommufd", "type1" or "compat"; returns -EINVAL otherwise. */
int vdev_backend_parse(const char *s, enum vdev_backend *b);
/*
 * Whether this kernel has backend @b: 1 yes, 0 no with one line in @err
 * saying why (its device node is missing, or /dev/vfio/vfio is iommufd's
 * and so there is no type1).
 */
int vdev_backend_present(enum vdev_backend b, char *err, size_t errlen);

/*
 * Open the PCI device @bdf ("0000:00:03.0"; "00:03.0" is accepted) bound to
 * vfio-pci, set up an empty DMA address space on @backend and attach it.
 * compat uses /dev/vfio/vfio when iommufd serves it (a kernel with
 * IOMMUFD_VFIO_CONTAINER), /dev/iommu otherwise: the same compat ioctls,
 * but not the same pinned-memory accounting (iommufd's /dev/vfio/vfio
 * charges the mm's pinned_vm as type1 does, /dev/iommu the user's
 * RLIMIT_MEMLOCK).  type1 refuses a /dev/vfio/vfio that iommufd serves.
 */
int vdev_open(struct vdev *d, const char *bdf, enum vdev_backend backend);
/* Undo vdev_open(); unmaps everything still mapped.  Safe to call twice. */
void vdev_close(struct vdev *d);

/* Map @len bytes at @vaddr to @iova, readable and writable by the device. */
int vdev_map(struct vdev *d, void *vaddr, uint64_t iova, uint64_t len);
/* Unmap [@iova, @iova + @len); *@unmapped (optional) gets the bytes done. */
int vdev_unmap(struct vdev *d, uint64_t iova, uint64_t len, uint64_t *unmapped);

/*
 * Dirty tracking of what the device writes: start (@on) or stop it.  type1
 * containers (VFIO_IOMMU_DIRTY_PAGES) always can; iommufd refuses it on
 * the HWPT vdev_open() attached, which the kernel allocated without
 * IOMMU_HWPT_ALLOC_DIRTY_TRACKING (events_vfio checks that refusal's
 * record); compat has none.
 */
int vdev_dirty_tracking(struct vdev *d, int on);
/*
 * Read (and clear) the dirty bits of [@iova, @iova + @len) into @bitmap,
 * one bit per @pgsize page, rounded up to whole 64-bit words.
 */
int vdev_dirty_read(struct vdev *d, uint64_t iova, uint64_t len, uint64_t pgsize,
		    uint64_t *bitmap);

/*
 * The usable IOVA range containing @iova of at least @len bytes: 0 if
 * [iova, iova + len) is inside one range the IOMMU reports, -ERANGE if not.
 */
int vdev_iova_check(struct vdev *d, uint64_t iova, uint64_t len);

/*
 * mmap BAR @index (0..5) read/write into *@addr, its size into *@len.
 * Undo with munmap(*addr, *len) before vdev_close().
 */
int vdev_bar_mmap(struct vdev *d, unsigned int index, void **addr, size_t *len);
/*
 * Reset the function (VFIO_DEVICE_RESET) if VFIO says it can: 0 when
 * reset, -ENOTTY when the device has no reset method (nothing done).
 */
int vdev_reset(struct vdev *d);
/* Enable memory decoding and bus mastering (@on) or bus mastering off. */
int vdev_bus_master(struct vdev *d, int on);

#endif
