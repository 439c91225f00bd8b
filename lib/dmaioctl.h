/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The DMA map/unmap/copy ioctls the BPF tools' fallback mode decodes on
 * kernels without the ioasid-trace events (syscalls:sys_enter_ioctl):
 * command number, backend, operation, and where the length and the IOAS
 * id are in the user struct.  From the uAPI headers; shared by maplat and
 * ioasid-top.  The backend and operation numbers are the tools' own
 * enums (iommufd 0, type1 1; map 0, unmap 1, copy 2).
 */
#ifndef IOASID_LIB_DMAIOCTL_H
#define IOASID_LIB_DMAIOCTL_H

#include <stddef.h>

#include <linux/iommufd.h>
#include <linux/vfio.h>

enum { DMAIOCTL_IOMMUFD, DMAIOCTL_TYPE1 };
enum { DMAIOCTL_MAP, DMAIOCTL_UNMAP, DMAIOCTL_COPY };

struct dmaioctl {
	unsigned int cmd;
	unsigned char backend;
	unsigned char op;
	unsigned short len_off;	/* offset of the __u64 length */
	short id_off;		/* offset of the __u32 IOAS id, -1: none (type1) */
	const char *name;
};

#define DMAIOCTL_N 5

static const struct dmaioctl dmaioctls[DMAIOCTL_N] = {
	{ IOMMU_IOAS_MAP, DMAIOCTL_IOMMUFD, DMAIOCTL_MAP,
	  offsetof(struct iommu_ioas_map, length),
	  offsetof(struct iommu_ioas_map, ioas_id), "IOMMU_IOAS_MAP" },
	{ IOMMU_IOAS_UNMAP, DMAIOCTL_IOMMUFD, DMAIOCTL_UNMAP,
	  offsetof(struct iommu_ioas_unmap, length),
	  offsetof(struct iommu_ioas_unmap, ioas_id), "IOMMU_IOAS_UNMAP" },
	{ IOMMU_IOAS_COPY, DMAIOCTL_IOMMUFD, DMAIOCTL_COPY,
	  offsetof(struct iommu_ioas_copy, length),
	  offsetof(struct iommu_ioas_copy, dst_ioas_id), "IOMMU_IOAS_COPY" },
	{ VFIO_IOMMU_MAP_DMA, DMAIOCTL_TYPE1, DMAIOCTL_MAP,
	  offsetof(struct vfio_iommu_type1_dma_map, size), -1, "VFIO_IOMMU_MAP_DMA" },
	{ VFIO_IOMMU_UNMAP_DMA, DMAIOCTL_TYPE1, DMAIOCTL_UNMAP,
	  offsetof(struct vfio_iommu_type1_dma_unmap, size), -1, "VFIO_IOMMU_UNMAP_DMA" },
};

/*
 * Fill a BPF object's rodata table @t of DMAIOCTL_N entries, each with
 * cmd, backend, op, len_off and id_off (a macro: every tool has its own
 * fixed-width struct); @id_fd is id_off where the ioctl's fd, not an IOAS
 * id, names the address space (type1).
 */
#define DMAIOCTL_FILL(t, id_fd)							\
	do {									\
		unsigned int i_;						\
										\
		for (i_ = 0; i_ < DMAIOCTL_N; i_++) {				\
			(t)[i_].cmd = dmaioctls[i_].cmd;			\
			(t)[i_].backend = dmaioctls[i_].backend;		\
			(t)[i_].op = dmaioctls[i_].op;				\
			(t)[i_].len_off = dmaioctls[i_].len_off;		\
			(t)[i_].id_off = dmaioctls[i_].id_off < 0 ? (id_fd) :	\
					 dmaioctls[i_].id_off;			\
		}								\
	} while (0)

#endif
