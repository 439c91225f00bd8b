# SPDX-License-Identifier: GPL-2.0
"""The iommufd and VFIO cdev ioctls the guest tests drive from Python:

    sys.path.insert(0, TOP + "/tests"); from iommufd import *

call() returns the struct as the kernel wrote it back, fails() the errno
(0 if the ioctl succeeded); ioas_*() are the IOAS calls most tests make,
raising OSError on failure."""
import fcntl
import os
import struct

V = ord(';') << 8
BIND, ATTACH, DETACH = V | (100 + 18), V | (100 + 19), V | (100 + 20)
DESTROY, IOAS_ALLOC, IOAS_MAP, IOAS_UNMAP = V | 0x80, V | 0x81, V | 0x85, V | 0x86
HWPT_ALLOC = V | 0x89
VFIO_UNMAP_DMA = V | (100 + 14)
# struct iommu_destroy: size id
DESTROY_FMT = "=II"
# struct vfio_device_bind_iommufd: argsz flags iommufd out_devid
BIND_FMT = "=IIiI"
# struct iommu_ioas_alloc: size flags out_ioas_id
IOAS_ALLOC_FMT = "=III"
# struct iommu_hwpt_alloc: size flags dev_id pt_id out_hwpt_id __reserved
# data_type data_len data_uptr fault_id __reserved2
HWPT_ALLOC_FMT = "=IIIIIIIIQII"
# struct iommu_ioas_map: size flags ioas_id __reserved user_va length iova;
# struct iommu_ioas_unmap: size ioas_id iova length
IOAS_MAP_FMT, IOAS_UNMAP_FMT = "=IIIIQQQ", "=IIQQ"
# struct vfio_device_attach_iommufd_pt: argsz flags pt_id; detach: argsz flags
ATTACH_FMT, DETACH_FMT = "=III", "=II"
# struct vfio_iommu_type1_dma_unmap: argsz flags iova size
VFIO_DMA_UNMAP_FMT = "=IIQQ"
# IOMMU_IOAS_MAP_FIXED_IOVA | WRITEABLE | READABLE
MAP_FIXED_RW = 7


def call(fd, req, fmt, *v):
    b = bytearray(struct.pack(fmt, *v))
    fcntl.ioctl(fd, req, b, True)
    return struct.unpack(fmt, b)


def fails(fd, req, fmt, *v):
    try:
        call(fd, req, fmt, *v)
    except OSError as e:
        return e.errno
    return 0


def ioas_alloc(fd):
    return call(fd, IOAS_ALLOC, IOAS_ALLOC_FMT, struct.calcsize(IOAS_ALLOC_FMT), 0, 0)[2]


def ioas_map(fd, ioas, va, length, iova):
    """length bytes at user address va, to IOVA iova exactly, read-write"""
    call(fd, IOAS_MAP, IOAS_MAP_FMT, struct.calcsize(IOAS_MAP_FMT), MAP_FIXED_RW, ioas, 0, va, length, iova)


def ioas_unmap(fd, ioas, iova, length):
    call(fd, IOAS_UNMAP, IOAS_UNMAP_FMT, struct.calcsize(IOAS_UNMAP_FMT), ioas, iova, length)


def destroy(fd, obj):
    call(fd, DESTROY, DESTROY_FMT, struct.calcsize(DESTROY_FMT), obj)


def on_null(req, fmt, *v, n=1):
    """The ioctl n times on /dev/null, which refuses it: what the tools'
    syscall fallback sees, on a host without iommufd or VFIO too."""
    fd = os.open("/dev/null", os.O_RDONLY)
    b = struct.pack(fmt, *v)
    for _ in range(n):
        try:
            fcntl.ioctl(fd, req, b)
        except OSError:
            pass
    os.close(fd)
