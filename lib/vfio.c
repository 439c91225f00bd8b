// SPDX-License-Identifier: GPL-2.0
/*
 * VFIO PCI device with an iommufd, type1 or compat DMA backend (see vfio.h).
 * Built against the testbed kernel's installed uAPI headers.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/iommufd.h>
#include <linux/vfio.h>

#include "sysinfo.h"
#include "vfio.h"

#define SYSFS_PCI "/sys/bus/pci/devices"

/* Record "failed to <what>: <strerror(-err)>" and return err. */
static int fail(struct vdev *d, int err, const char *fmt, ...)
{
	char what[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(d->err, sizeof(d->err), "failed to %s: %s", what, strerror(-err));
	return err;
}

/* Record a message that needs no errno text. */
static int failmsg(struct vdev *d, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d->err, sizeof(d->err), fmt, ap);
	va_end(ap);
	return err;
}

static const char *const backend_names[VDEV_NR] = { "iommufd", "type1", "compat" };

const char *vdev_backend_name(enum vdev_backend b)
{
	return (unsigned int)b < VDEV_NR ? backend_names[b] : "?";
}

int vdev_backend_parse(const char *s, enum vdev_backend *b)
{
	int i;

	for (i = 0; i < VDEV_NR; i++) {
		if (!strcmp(s, backend_names[i])) {
			*b = i;
			return 0;
		}
	}
	return -EINVAL;
}

/*
 * 1 if @fd is an iommufd: IOMMU_OPTION (a read, no side effect) works on
 * iommufd's files only; VFIO's container refuses it.
 */
static int is_iommufd(int fd)
{
	struct iommu_option opt = {
		.size = sizeof(opt),
		.option_id = IOMMU_OPTION_RLIMIT_MODE,
		.op = IOMMU_OPTION_OP_GET,
	};

	return ioctl(fd, IOMMU_OPTION, &opt) == 0;
}

static const char no_type1[] = "/dev/vfio/vfio is iommufd's (IOMMUFD_VFIO_CONTAINER): "
	"no VFIO type1 in this kernel, use the compat backend";

/* /dev/vfio/vfio open, or -errno. */
static int open_vfio_node(void)
{
	int fd = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int vdev_backend_present(enum vdev_backend b, char *err, size_t errlen)
{
	int fd, iommufd;

	if (b == VDEV_IOMMUFD || b == VDEV_COMPAT) {
		if (!access("/dev/iommu", F_OK))
			return 1;
		snprintf(err, errlen, "no /dev/iommu: kernel without IOMMUFD (the %s backend)",
			 vdev_backend_name(b));
		return 0;
	}
	fd = open_vfio_node();
	if (fd < 0) {
		snprintf(err, errlen, "cannot open /dev/vfio/vfio: %s "
			 "(kernel without VFIO_CONTAINER?)", strerror(-fd));
		return 0;
	}
	iommufd = is_iommufd(fd);
	close(fd);
	if (iommufd) {
		snprintf(err, errlen, "%s", no_type1);
		return 0;
	}
	return 1;
}

/* Check that @bdf exists and is bound to vfio-pci; fill d->bdf. */
static int check_device(struct vdev *d, const char *bdf)
{
	int ret = sys_pci_bdf(bdf, d->bdf, sizeof(d->bdf), d->err, sizeof(d->err));

	return ret ? ret : sys_pci_vfio_check(d->bdf, d->err, sizeof(d->err));
}

static int open_iommufd(struct vdev *d)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
	struct vfio_device_attach_iommufd_pt attach = { .argsz = sizeof(attach) };
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct dirent *de;
	DIR *dp;

	/* The cdev is /dev/vfio/devices/vfioN, N from sysfs vfio-dev/. */
	snprintf(dir, sizeof(dir), SYSFS_PCI "/%s/vfio-dev", d->bdf);
	dp = opendir(dir);
	if (!dp)
		return failmsg(d, -ENODEV, "%s has no vfio cdev (kernel without VFIO_DEVICE_CDEV?)",
			       d->bdf);
	path[0] = '\0';
	while ((de = readdir(dp)))
		if (!strncmp(de->d_name, "vfio", 4))
			snprintf(path, sizeof(path), "/dev/vfio/devices/%s", de->d_name);
	closedir(dp);
	if (!path[0])
		return failmsg(d, -ENODEV, "%s has no vfio cdev", d->bdf);

	d->iommufd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
	if (d->iommufd < 0)
		return fail(d, -errno, "open /dev/iommu");
	d->device_fd = open(path, O_RDWR | O_CLOEXEC);
	if (d->device_fd < 0)
		return fail(d, -errno, "open %s", path);

	bind.iommufd = d->iommufd;
	if (ioctl(d->device_fd, VFIO_DEVICE_BIND_IOMMUFD, &bind))
		return fail(d, -errno, "bind %s to iommufd", d->bdf);
	d->dev_id = bind.out_devid;

	if (ioctl(d->iommufd, IOMMU_IOAS_ALLOC, &alloc))
		return fail(d, -errno, "allocate an IOAS");
	d->ioas_id = alloc.out_ioas_id;

	attach.pt_id = d->ioas_id;
	if (ioctl(d->device_fd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach))
		return fail(d, -errno, "attach %s to IOAS %u", d->bdf, d->ioas_id);
	d->hwpt_id = attach.pt_id;
	d->attached = 1;
	return 0;
}

/*
 * The container: VFIO's /dev/vfio/vfio for type1; for compat, iommufd's
 * /dev/vfio/vfio if it serves it, else /dev/iommu (the same compat ioctls).
 */
static int open_container(struct vdev *d)
{
	int fd = open_vfio_node();

	if (d->backend == VDEV_TYPE1) {
		if (fd < 0)
			return fail(d, fd, "open /dev/vfio/vfio (kernel without VFIO_CONTAINER?)");
		d->container_fd = fd;
		if (is_iommufd(fd))
			return failmsg(d, -ENODEV, "%s", no_type1);
		return 0;
	}
	if (fd >= 0 && is_iommufd(fd)) {
		d->container_fd = fd;
		return 0;
	}
	if (fd >= 0)
		close(fd);
	d->container_fd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
	if (d->container_fd < 0)
		return fail(d, -errno, "open /dev/iommu (kernel without IOMMUFD?)");
	return 0;
}

static int open_container_group(struct vdev *d)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	char dir[PATH_MAX], grp[32], path[64];
	int version, ret;

	snprintf(dir, sizeof(dir), SYSFS_PCI "/%s", d->bdf);
	if (sys_link_name(dir, "iommu_group", grp, sizeof(grp)))
		return failmsg(d, -ENODEV, "%s has no IOMMU group (no IOMMU enabled?)", d->bdf);
	d->group_id = atoi(grp);

	ret = open_container(d);
	if (ret)
		return ret;
	version = ioctl(d->container_fd, VFIO_GET_API_VERSION);
	if (version != VFIO_API_VERSION)
		return failmsg(d, -EINVAL, "unknown VFIO API version %d", version);
	if (ioctl(d->container_fd, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) <= 0)
		return failmsg(d, -ENOTSUP, "the %s container does not offer type1v2",
			       vdev_backend_name(d->backend));

	snprintf(path, sizeof(path), "/dev/vfio/%d", d->group_id);
	d->group_fd = open(path, O_RDWR | O_CLOEXEC);
	if (d->group_fd < 0)
		return fail(d, -errno, "open %s", path);
	if (ioctl(d->group_fd, VFIO_GROUP_GET_STATUS, &status))
		return fail(d, -errno, "get the status of group %d", d->group_id);
	if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE))
		return failmsg(d, -EBUSY,
			       "group %d is not viable: bind every device in it to vfio-pci",
			       d->group_id);
	if (ioctl(d->group_fd, VFIO_GROUP_SET_CONTAINER, &d->container_fd))
		return fail(d, -errno, "add group %d to a container", d->group_id);
	if (ioctl(d->container_fd, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU))
		return fail(d, -errno, "set the type1v2 IOMMU on the container");
	d->attached = 1;
	if (d->backend == VDEV_COMPAT) {
		/* the IOAS the compat ioctls work on: what iommufd's events name */
		struct iommu_vfio_ioas q = { .size = sizeof(q), .op = IOMMU_VFIO_IOAS_GET };

		if (ioctl(d->container_fd, IOMMU_VFIO_IOAS, &q))
			return fail(d, -errno, "get the compat IOAS of the container");
		d->ioas_id = q.ioas_id;
	}

	d->device_fd = ioctl(d->group_fd, VFIO_GROUP_GET_DEVICE_FD, d->bdf);
	if (d->device_fd < 0)
		return fail(d, -errno, "get the device fd of %s", d->bdf);
	return 0;
}

int vdev_open(struct vdev *d, const char *bdf, enum vdev_backend backend)
{
	int ret;

	memset(d, 0, sizeof(*d));
	d->backend = backend;
	d->device_fd = d->iommufd = d->container_fd = d->group_fd = -1;
	d->group_id = -1;

	if ((unsigned int)backend >= VDEV_NR)
		return failmsg(d, -EINVAL, "unknown DMA backend %d", backend);
	ret = check_device(d, bdf);
	if (!ret)
		ret = backend == VDEV_IOMMUFD ? open_iommufd(d) : open_container_group(d);
	if (ret) {
		char err[sizeof(d->err)];

		/* Keep the first error across the cleanup. */
		memcpy(err, d->err, sizeof(err));
		vdev_close(d);
		memcpy(d->err, err, sizeof(err));
	}
	return ret;
}

/*
 * Tear down in reverse order.  Destroying the IOAS or closing the
 * container unmaps and unpins whatever the caller left mapped.
 */
void vdev_close(struct vdev *d)
{
	if (d->backend == VDEV_IOMMUFD) {
		if (d->attached) {
			struct vfio_device_detach_iommufd_pt detach = { .argsz = sizeof(detach) };

			ioctl(d->device_fd, VFIO_DEVICE_DETACH_IOMMUFD_PT, &detach);
		}
		if (d->device_fd >= 0)
			close(d->device_fd);
		if (d->ioas_id) {
			struct iommu_destroy destroy = { .size = sizeof(destroy), .id = d->ioas_id };

			ioctl(d->iommufd, IOMMU_DESTROY, &destroy);
		}
		if (d->iommufd >= 0)
			close(d->iommufd);
	} else {
		if (d->device_fd >= 0)
			close(d->device_fd);
		if (d->attached)
			ioctl(d->group_fd, VFIO_GROUP_UNSET_CONTAINER);
		if (d->group_fd >= 0)
			close(d->group_fd);
		if (d->container_fd >= 0)
			close(d->container_fd);
	}
	d->device_fd = d->iommufd = d->container_fd = d->group_fd = -1;
	d->attached = 0;
	d->ioas_id = 0;
}

int vdev_map(struct vdev *d, void *vaddr, uint64_t iova, uint64_t len)
{
	if (d->backend == VDEV_IOMMUFD) {
		struct iommu_ioas_map map = {
			.size = sizeof(map),
			.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
				 IOMMU_IOAS_MAP_WRITEABLE,
			.ioas_id = d->ioas_id,
			.user_va = (uintptr_t)vaddr,
			.length = len,
			.iova = iova,
		};

		if (ioctl(d->iommufd, IOMMU_IOAS_MAP, &map))
			return fail(d, -errno, "map %#llx bytes at IOVA %#llx",
				    (unsigned long long)len, (unsigned long long)iova);
	} else {
		struct vfio_iommu_type1_dma_map map = {
			.argsz = sizeof(map),
			.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
			.vaddr = (uintptr_t)vaddr,
			.iova = iova,
			.size = len,
		};

		if (ioctl(d->container_fd, VFIO_IOMMU_MAP_DMA, &map))
			return fail(d, -errno, "map %#llx bytes at IOVA %#llx",
				    (unsigned long long)len, (unsigned long long)iova);
	}
	return 0;
}

int vdev_unmap(struct vdev *d, uint64_t iova, uint64_t len, uint64_t *unmapped)
{
	uint64_t done;

	if (d->backend == VDEV_IOMMUFD) {
		struct iommu_ioas_unmap unmap = {
			.size = sizeof(unmap),
			.ioas_id = d->ioas_id,
			.iova = iova,
			.length = len,
		};

		if (ioctl(d->iommufd, IOMMU_IOAS_UNMAP, &unmap))
			return fail(d, -errno, "unmap %#llx bytes at IOVA %#llx",
				    (unsigned long long)len, (unsigned long long)iova);
		done = unmap.length;
	} else {
		struct vfio_iommu_type1_dma_unmap unmap = {
			.argsz = sizeof(unmap),
			.iova = iova,
			.size = len,
		};

		if (ioctl(d->container_fd, VFIO_IOMMU_UNMAP_DMA, &unmap))
			return fail(d, -errno, "unmap %#llx bytes at IOVA %#llx",
				    (unsigned long long)len, (unsigned long long)iova);
		done = unmap.size;
	}
	if (unmapped)
		*unmapped = done;
	return 0;
}

int vdev_dirty_tracking(struct vdev *d, int on)
{
	int ret;

	if (d->backend == VDEV_IOMMUFD) {
		struct iommu_hwpt_set_dirty_tracking set = {
			.size = sizeof(set),
			.flags = on ? IOMMU_HWPT_DIRTY_TRACKING_ENABLE : 0,
			.hwpt_id = d->hwpt_id,
		};

		ret = ioctl(d->iommufd, IOMMU_HWPT_SET_DIRTY_TRACKING, &set);
	} else {
		struct vfio_iommu_type1_dirty_bitmap dirty = {
			.argsz = sizeof(dirty),
			.flags = on ? VFIO_IOMMU_DIRTY_PAGES_FLAG_START :
				      VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP,
		};

		ret = ioctl(d->container_fd, VFIO_IOMMU_DIRTY_PAGES, &dirty);
	}
	if (ret)
		return fail(d, -errno, "%s dirty tracking on the %s backend",
			    on ? "start" : "stop", vdev_backend_name(d->backend));
	return 0;
}

int vdev_dirty_read(struct vdev *d, uint64_t iova, uint64_t len, uint64_t pgsize,
		    uint64_t *bitmap)
{
	uint64_t bytes = (len / pgsize + 63) / 64 * 8;
	int ret;

	if (d->backend == VDEV_IOMMUFD) {
		struct iommu_hwpt_get_dirty_bitmap get = {
			.size = sizeof(get),
			.hwpt_id = d->hwpt_id,
			.iova = iova,
			.length = len,
			.page_size = pgsize,
			.data = (uintptr_t)bitmap,
		};

		ret = ioctl(d->iommufd, IOMMU_HWPT_GET_DIRTY_BITMAP, &get);
	} else {
		struct {
			struct vfio_iommu_type1_dirty_bitmap hdr;
			struct vfio_iommu_type1_dirty_bitmap_get range;
		} get = {
			.hdr.argsz = sizeof(get),
			.hdr.flags = VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP,
			.range.iova = iova,
			.range.size = len,
			.range.bitmap.pgsize = pgsize,
			.range.bitmap.size = bytes,
			.range.bitmap.data = (__u64 *)bitmap,
		};

		ret = ioctl(d->container_fd, VFIO_IOMMU_DIRTY_PAGES, &get);
	}
	if (ret)
		return fail(d, -errno, "read the dirty bitmap of %#llx bytes at IOVA %#llx",
			    (unsigned long long)len, (unsigned long long)iova);
	return 0;
}

static int range_fits(const uint64_t (*r)[2], unsigned int n, uint64_t iova, uint64_t len)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (len && iova >= r[i][0] && iova + len - 1 <= r[i][1] && iova + len - 1 >= iova)
			return 1;
	return 0;
}

/* An IOAS's usable IOVA ranges into *ranges (n of them): 0 or -errno; the
 * caller frees *ranges either way. */
static int iommufd_ranges(struct vdev *d, uint64_t (**ranges)[2], unsigned int *n)
{
	struct iommu_ioas_iova_ranges q = { .size = sizeof(q), .ioas_id = d->ioas_id };
	struct iommu_iova_range *r;
	unsigned int i;
	int ret = 0;

	/* First call learns the count (-EMSGSIZE), second fetches. */
	if (ioctl(d->iommufd, IOMMU_IOAS_IOVA_RANGES, &q) && errno != EMSGSIZE)
		return fail(d, -errno, "query the IOVA ranges of IOAS %u", d->ioas_id);
	r = calloc(q.num_iovas ? q.num_iovas : 1, sizeof(*r));
	*ranges = calloc(q.num_iovas ? q.num_iovas : 1, sizeof(**ranges));
	if (!r || !*ranges) {
		free(r);
		return fail(d, -ENOMEM, "query IOVA ranges");
	}
	q.allowed_iovas = (uintptr_t)r;
	if (ioctl(d->iommufd, IOMMU_IOAS_IOVA_RANGES, &q)) {
		ret = fail(d, -errno, "query the IOVA ranges of IOAS %u", d->ioas_id);
	} else {
		*n = q.num_iovas;
		for (i = 0; i < *n; i++) {
			(*ranges)[i][0] = r[i].start;
			(*ranges)[i][1] = r[i].last;
		}
	}
	free(r);
	return ret;
}

/* The type1 container's info with its capability chain (*out, *size; free it). */
static int type1_info(struct vdev *d, struct vfio_iommu_type1_info **out, size_t *size)
{
	struct vfio_iommu_type1_info *info;
	size_t sz = sizeof(*info);
	int ret;

	/* The kernel raises argsz when the capability chain needs room. */
	for (;;) {
		info = calloc(1, sz);
		if (!info)
			return fail(d, -ENOMEM, "query IOVA ranges");
		info->argsz = sz;
		if (ioctl(d->container_fd, VFIO_IOMMU_GET_INFO, info)) {
			ret = fail(d, -errno, "get type1 IOMMU info");
			free(info);
			return ret;
		}
		if (info->argsz <= sz)
			break;
		sz = info->argsz;
		free(info);
	}
	*out = info;
	*size = sz;
	return 0;
}

/* A type1 container's IOVA ranges into *ranges (n of them): 0 or -errno. */
static int type1_ranges(struct vdev *d, uint64_t (**ranges)[2], unsigned int *n)
{
	struct vfio_iommu_type1_info *info = NULL;
	struct vfio_info_cap_header *hdr;
	unsigned int i;
	size_t sz = 0;
	int ret;

	ret = type1_info(d, &info, &sz);
	if (ret || !info)
		return ret ? ret : -EIO;
	for (hdr = NULL; (info->flags & VFIO_IOMMU_INFO_CAPS) && info->cap_offset;) {
		uint32_t off = hdr ? hdr->next : info->cap_offset;
		struct vfio_iommu_type1_info_cap_iova_range *cap;

		if (!off || off + sizeof(*hdr) > sz)
			break;
		hdr = (void *)((char *)info + off);
		if (hdr->id != VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE)
			continue;
		cap = (void *)hdr;
		if (off + sizeof(*cap) + (size_t)cap->nr_iovas * sizeof(cap->iova_ranges[0]) > sz)
			break;	/* a capability that runs past the buffer: none */
		*ranges = calloc(cap->nr_iovas ? cap->nr_iovas : 1, sizeof(**ranges));
		if (!*ranges) {
			free(info);
			return fail(d, -ENOMEM, "query IOVA ranges");
		}
		*n = cap->nr_iovas;
		for (i = 0; i < *n; i++) {
			(*ranges)[i][0] = cap->iova_ranges[i].start;
			(*ranges)[i][1] = cap->iova_ranges[i].end;
		}
		break;
	}
	free(info);
	if (!*ranges)
		return failmsg(d, -ENOTSUP, "the %s container reports no IOVA ranges",
			       vdev_backend_name(d->backend));
	return 0;
}

int vdev_iova_check(struct vdev *d, uint64_t iova, uint64_t len)
{
	uint64_t (*ranges)[2] = NULL;
	unsigned int n = 0;
	int ret;

	if (d->backend == VDEV_IOMMUFD)
		ret = iommufd_ranges(d, &ranges, &n);
	else
		ret = type1_ranges(d, &ranges, &n);
	if (!ret && !range_fits((const uint64_t (*)[2])ranges, n, iova, len))
		ret = failmsg(d, -ERANGE, "IOVA [%#llx, +%#llx) is outside the usable ranges",
			      (unsigned long long)iova, (unsigned long long)len);
	free(ranges);
	return ret;
}

int vdev_bar_mmap(struct vdev *d, unsigned int index, void **addr, size_t *len)
{
	struct vfio_region_info ri = { .argsz = sizeof(ri), .index = index };
	void *p;

	if (index > VFIO_PCI_BAR5_REGION_INDEX)
		return failmsg(d, -EINVAL, "BAR %u does not exist", index);
	if (ioctl(d->device_fd, VFIO_DEVICE_GET_REGION_INFO, &ri))
		return fail(d, -errno, "get the info of BAR %u of %s", index, d->bdf);
	if (!ri.size)
		return failmsg(d, -ENODEV, "%s has no BAR %u", d->bdf, index);
	if (!(ri.flags & VFIO_REGION_INFO_FLAG_MMAP))
		return failmsg(d, -ENOTSUP, "BAR %u of %s cannot be mmapped", index, d->bdf);
	p = mmap(NULL, ri.size, PROT_READ | PROT_WRITE, MAP_SHARED, d->device_fd, ri.offset);
	if (p == MAP_FAILED)
		return fail(d, -errno, "mmap BAR %u of %s", index, d->bdf);
	*addr = p;
	*len = ri.size;
	return 0;
}

int vdev_reset(struct vdev *d)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };

	if (ioctl(d->device_fd, VFIO_DEVICE_GET_INFO, &info))
		return fail(d, -errno, "get the device info of %s", d->bdf);
	if (!(info.flags & VFIO_DEVICE_FLAGS_RESET))
		return -ENOTTY;
	if (ioctl(d->device_fd, VFIO_DEVICE_RESET))
		return fail(d, -errno, "reset %s", d->bdf);
	return 0;
}

/* The PCI command register, through the config space region. */
#define VDEV_PCI_COMMAND 0x04
#define VDEV_PCI_COMMAND_MEMORY 0x2
#define VDEV_PCI_COMMAND_MASTER 0x4

int vdev_bus_master(struct vdev *d, int on)
{
	struct vfio_region_info ri = { .argsz = sizeof(ri),
				       .index = VFIO_PCI_CONFIG_REGION_INDEX };
	uint16_t cmd;

	if (ioctl(d->device_fd, VFIO_DEVICE_GET_REGION_INFO, &ri))
		return fail(d, -errno, "get the config space info of %s", d->bdf);
	if (pread(d->device_fd, &cmd, sizeof(cmd), ri.offset + VDEV_PCI_COMMAND) != sizeof(cmd))
		return fail(d, errno ? -errno : -EIO, "read the command register of %s", d->bdf);
	if (on)
		cmd |= VDEV_PCI_COMMAND_MEMORY | VDEV_PCI_COMMAND_MASTER;
	else
		cmd &= ~VDEV_PCI_COMMAND_MASTER;
	if (pwrite(d->device_fd, &cmd, sizeof(cmd), ri.offset + VDEV_PCI_COMMAND) != sizeof(cmd))
		return fail(d, errno ? -errno : -EIO, "write the command register of %s", d->bdf);
	return 0;
}
