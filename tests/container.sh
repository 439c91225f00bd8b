# SPDX-License-Identifier: GPL-2.0
#
# Sourced by the guest suites that use VFIO's container API:
# container_backend prints the backend /dev/vfio/vfio is: type1 (VFIO's
# container), or compat where iommufd serves it (make kernel COMPAT=1,
# IOMMUFD_VFIO_CONTAINER: type1's ioctls on iommufd's compat layer).  The
# test is lib/vfio.c's: IOMMU_OPTION (a read) works on iommufd's files only.

container_backend() {
	python3 - <<'PY'
import fcntl, os, struct
# struct iommu_option: size, option_id (RLIMIT_MODE), op (GET), __reserved,
# object_id, val64; IOMMU_OPTION = _IO(';', 0x87)
opt = bytearray(struct.pack("=IIHHIQ", 24, 0, 1, 0, 0, 0))
try:
    fd = os.open("/dev/vfio/vfio", os.O_RDWR)
except OSError:
    print("none")
    raise SystemExit(0)
try:
    fcntl.ioctl(fd, ord(";") << 8 | 0x87, opt)
    print("compat")
except OSError:
    print("type1")
PY
}

# container_or_bail: C=container_backend, or a TAP "Bail out!" and exit 1
# when there is no VFIO container at all.
container_or_bail() {
	C=$(container_backend)
	case $C in
	type1 | compat) ;;
	*)
		echo "Bail out! no VFIO container: /dev/vfio/vfio cannot be opened (${C:-no answer})"
		exit 1
		;;
	esac
}
