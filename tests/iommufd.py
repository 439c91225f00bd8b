# SPDX-License-Identifier: GPL-2.0
"""The iommufd and VFIO cdev ioctls the guest tests drive from Python:

    sys.path.insert(0, TOP + "/tests"); from iommufd import *

call() returns the struct as the kernel wrote it back, fails() the errno
(0 if the ioctl succeeded)."""
import fcntl
import struct

V = ord(';') << 8
BIND, ATTACH, DETACH = V | (100 + 18), V | (100 + 19), V | (100 + 20)
IOAS_ALLOC, IOAS_MAP, IOAS_UNMAP, HWPT_ALLOC = V | 0x81, V | 0x85, V | 0x86, V | 0x89
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
