#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# emptygather.py CDEV: IOTLB syncs of an empty gather, on purpose.  When the
# first page of an iommu_map() fails, the core unrolls with an unmap of
# 0 bytes, and iommu_unmap() syncs its gather all the same: empty (start
# ULONG_MAX, end 0).  CDEV (a VFIO device cdev on a real IOMMU) is bound to
# a new /dev/iommu and attached to an IOAS; then a 4 KiB map at a new GiB
# is made to fail at its 1st, 2nd, ... fault point (fail-nth, with
# failslab and fail_page_alloc made to fail sleeping order-0 allocations,
# silently) until one has no such point left; each map that succeeds is
# unmapped.  The failures that hit
# the IOMMU's page-table allocation are the empty syncs.  The debugfs
# settings are restored.  Prints what it did; exit 1 on an unexpected error.
import ctypes
import errno
import fcntl
import mmap
import os
import signal
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../tests"))
from iommufd import ATTACH, ATTACH_FMT, BIND, BIND_FMT, DETACH, DETACH_FMT  # noqa: E402
from iommufd import IOAS_ALLOC, IOAS_ALLOC_FMT, IOAS_MAP, IOAS_MAP_FMT, IOAS_UNMAP, IOAS_UNMAP_FMT, call  # noqa: E402

DBG = "/sys/kernel/debug"
SETTINGS = {"failslab/ignore-gfp-wait": "N", "failslab/verbose": "0",
            "fail_page_alloc/ignore-gfp-wait": "N", "fail_page_alloc/min-order": "0",
            "fail_page_alloc/verbose": "0", "fail_iommufd/verbose": "0"}
MAX_NTH = 400

if len(sys.argv) != 2:
    sys.exit("usage: emptygather.py CDEV")


def setting(name, value=None):
    path = os.path.join(DBG, name)
    if value is None:
        with open(path) as f:
            return f.read().strip()
    with open(path, "w") as f:
        f.write(value)


def sweep(ictx, ioas, va, nth):
    """Map 4 KiB with the nth fault point failing: (errno or 0, whether
    a fault was injected; some are absorbed: a map can succeed with one)."""
    iova = (nth + 1) << 30		# a GiB of its own: new page-table pages
    # FIXED_IOVA | WRITEABLE | READABLE
    arg = struct.pack(IOAS_MAP_FMT, 40, 7, ioas, 0, va, 4096, iova)
    os.pwrite(nthfd, b"%d" % nth, 0)
    try:
        fcntl.ioctl(ictx, IOAS_MAP, arg)
        rc = 0
    except OSError as e:
        rc = e.errno
    left = int(os.pread(nthfd, 32, 0))	# 0: the nth fault point failed
    os.pwrite(nthfd, b"0", 0)
    if rc and left:
        sys.exit("emptygather: map %d failed with no fault injected: %s" % (nth, os.strerror(rc)))
    if rc == 0:
        fcntl.ioctl(ictx, IOAS_UNMAP, struct.pack(IOAS_UNMAP_FMT, 24, ioas, iova, 4096))
    return rc, not left


# SIGTERM (the test's watchdog) ends it through the finally below too
signal.signal(signal.SIGTERM, lambda sig, frame: sys.exit("emptygather: terminated"))
saved = {}
try:
    ictx = os.open("/dev/iommu", os.O_RDWR)
    dev = os.open(sys.argv[1], os.O_RDWR)
    call(dev, BIND, BIND_FMT, 16, 0, ictx, 0)
    ioas = call(ictx, IOAS_ALLOC, IOAS_ALLOC_FMT, 12, 0, 0)[2]
    call(dev, ATTACH, ATTACH_FMT, 12, 0, ioas)
    buf = mmap.mmap(-1, 4096)
    buf[0] = 1
    va = ctypes.addressof(ctypes.c_char.from_buffer(buf))
    for k, v in SETTINGS.items():
        saved[k] = setting(k)
        setting(k, v)
    nthfd = os.open("/proc/thread-self/fail-nth", os.O_RDWR)
    failed, absorbed = {}, 0
    for nth in range(1, MAX_NTH + 1):
        rc, injected = sweep(ictx, ioas, va, nth)
        if not injected:	# past the map's last fault point
            break
        if rc:
            failed[rc] = failed.get(rc, 0) + 1
        else:
            absorbed += 1
    else:
        sys.exit("emptygather: a map still had a fault point %d" % MAX_NTH)
    call(dev, DETACH, DETACH_FMT, 8, 0)
except OSError as e:
    sys.exit("emptygather: %s" % e)
finally:
    for k, v in saved.items():
        try:
            setting(k, v)
        except OSError as e:
            print("emptygather: cannot restore %s: %s" % (k, e), file=sys.stderr)
print("emptygather: %d fault points: %d maps failed (%s), %d succeeded all the same" %
      (nth - 1, sum(failed.values()), ", ".join("%s %d" % (errno.errorcode[e], n) for e, n in failed.items()),
       absorbed), flush=True)
