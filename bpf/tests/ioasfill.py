#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# ioasfill.py N [HOLD]: N IOASes on one /dev/iommu, a 4 KiB map and unmap in each
# (no device: the handlers run all the same), all kept until the end so
# that no IOAS id is reused.  2N operations in 2N (IOAS, op) keys: more
# than a tool's table holds, for the tests of what a full table does.
# Prints "ioasfill: N IOASes, 2N operations", then with HOLD keeps them
# (and lives) HOLD seconds more.  Exit 1 on a failed ioctl.
import ctypes
import mmap
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests"))
from iommufd import ioas_alloc, ioas_map, ioas_unmap  # noqa: E402

if len(sys.argv) not in (2, 3) or not all(a.isdigit() for a in sys.argv[1:]):
    sys.exit("usage: ioasfill.py N [HOLD]")
n = int(sys.argv[1])
hold = int(sys.argv[2]) if len(sys.argv) == 3 else 0
fd = os.open("/dev/iommu", os.O_RDWR)
buf = mmap.mmap(-1, 4096)
va = ctypes.addressof(ctypes.c_char.from_buffer(buf))
try:
    for _ in range(n):
        ioas = ioas_alloc(fd)
        ioas_map(fd, ioas, va, 4096, 1 << 20)
        ioas_unmap(fd, ioas, 1 << 20, 4096)
except OSError as e:
    sys.exit("ioasfill: %s" % e)
print("ioasfill: %d IOASes, %d operations" % (n, 2 * n), flush=True)
time.sleep(hold)
