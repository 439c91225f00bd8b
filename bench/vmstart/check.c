// SPDX-License-Identifier: GPL-2.0
/*
 * What vmstart checks before it starts anything, in the order its README
 * gives: root, the run directory, QEMU (there, new enough for iommufd),
 * /dev/iommu, the device (on vfio-pci, in a group, with a cdev), memory,
 * hugetlbfs.  Each failure is one "vmstart: ..." line and exit 1.  Also
 * the FOLL_PIN count that must come back after each start.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sysinfo.h"
#include "vmstart.h"

#define SYSFS_PCI	"/sys/bus/pci/devices"

/* Pages pinned with FOLL_PIN now (acquired - released), -1 if unknown. */
long long pinned_now(void)
{
	char line[128];
	long long acq = -1, rel = -1;
	int fd = open("/proc/sys/vm/stat_refresh", O_WRONLY | O_CLOEXEC);
	FILE *f;

	/* Fold the per-CPU deltas into the totals first. */
	if (fd >= 0) {
		if (write(fd, "1", 1) < 0) {
			/* the counters are only less exact */
		}
		close(fd);
	}
	f = fopen("/proc/vmstat", "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "nr_foll_pin_acquired ", 21))
			acq = strtoll(line + 21, NULL, 10);
		else if (!strncmp(line, "nr_foll_pin_released ", 21))
			rel = strtoll(line + 21, NULL, 10);
	}
	fclose(f);
	return acq < 0 || rel < 0 ? -1 : acq - rel;
}

/* The one PCI device bound to vfio-pci into host.bdf; "" and a message if not one. */
void find_device(char *err, size_t errlen)
{
	int ret = sys_pci_vfio_find(host.bdf, sizeof(host.bdf), err, errlen);

	if (ret == -EEXIST)
		snprintf(err + strlen(err), errlen - strlen(err), " with -d");
	else if (ret)
		snprintf(err, errlen, "no PCI device is bound to vfio-pci (-d BDF)");
	if (ret)
		host.bdf[0] = 0;
}

/* @name as an executable file's path into @out, searching PATH for a bare name; 0 or -1. */
int resolve_qemu(const char *name, char *out, size_t len)
{
	char *path, *dir, *save;
	struct stat st;

	if (strchr(name, '/')) {
		snprintf(out, len, "%s", name);
		return stat(out, &st) || !S_ISREG(st.st_mode) || access(out, X_OK) ? -1 : 0;
	}
	path = strdup(getenv("PATH") && *getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
	for (dir = strtok_r(path, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		snprintf(out, len, "%s/%s", dir, name);
		if (!stat(out, &st) && S_ISREG(st.st_mode) && !access(out, X_OK)) {
			free(path);
			return 0;
		}
	}
	free(path);
	snprintf(out, len, "%s", name);
	return -1;
}

/* The first hugetlbfs mount with 2 MiB pages into host.hugedir; 0 or -1. */
int find_hugetlbfs(void)
{
	char dev[256], dir[4096], type[64], opts[1024];
	bool default_2m = sys_meminfo("Hugepagesize") == SZ_2M;
	FILE *f = fopen("/proc/mounts", "re");

	while (f && fscanf(f, "%255s %4095s %63s %1023s %*d %*d", dev, dir, type, opts) == 4) {
		if (strcmp(type, "hugetlbfs"))
			continue;
		if (strstr(opts, "pagesize=2M") || (!strstr(opts, "pagesize=") && default_2m)) {
			snprintf(host.hugedir, sizeof(host.hugedir), "%s", dir);
			fclose(f);
			return 0;
		}
	}
	if (f)
		fclose(f);
	return -1;
}

/* Root, and QEMU: there, and able to run the backends asked for. */
static void check_qemu(void)
{
	char err[512];
	int maj = 0, min = 0;
	bool iommufd = cfg.backend_on[BE_IOMMUFD];

	if (geteuid())
		die("must run as root: QEMU opens /dev/vfio%s and pins guest RAM, and vmstart "
		    "reads tracefs", iommufd ? " and /dev/iommu" : "");
	/* Before the QEMU and device checks, so that it is checked on any host. */
	make_rundir();
	if (resolve_qemu(cfg.qemu, host.qemu_path, sizeof(host.qemu_path)))
		die("no QEMU at %s (install qemu-system-x86 >= 9.0, e.g. make deps, or --qemu PATH)",
		    host.qemu_path);
	if (probe_qemu(&maj, &min, err, sizeof(err)))
		die("%s", err);
	if (iommufd && (maj < 9 || !qemu_has_object("iommufd")))
		die("QEMU %d.%d at %s %s: the iommufd backend needs QEMU >= 9.0 with -object "
		    "iommufd (-b type1 runs without it)", maj, min, host.qemu_path,
		    maj < 9 ? "is too old" : "has no iommufd object");
	if (iommufd && access("/dev/iommu", F_OK))
		die("no /dev/iommu (kernel without CONFIG_IOMMUFD?); -b type1 runs without it");
}

/* The device: present, on vfio-pci, in an IOMMU group, with a cdev for iommufd. */
static void check_device(void)
{
	char err[512], grp[64], dir[256];

	if (cfg.bdf_opt) {
		if (sys_pci_bdf(cfg.bdf_opt, host.bdf, sizeof(host.bdf), err, sizeof(err)))
			die("%s", err);
	} else {
		find_device(err, sizeof(err));
		if (!host.bdf[0])
			die("%s", err);
	}
	if (sys_pci_vfio_check(host.bdf, err, sizeof(err)))
		die("%s", err);
	snprintf(dir, sizeof(dir), SYSFS_PCI "/%s", host.bdf);
	if (sys_link_name(dir, "iommu_group", grp, sizeof(grp)))
		die("%s has no IOMMU group (IOMMU off? intel_iommu=on)", host.bdf);
	snprintf(dir, sizeof(dir), SYSFS_PCI "/%s/vfio-dev", host.bdf);
	if (cfg.backend_on[BE_IOMMUFD] && access(dir, F_OK))
		die("%s has no VFIO device cdev (%s; CONFIG_VFIO_DEVICE_CDEV?); -b type1 runs "
		    "without it", host.bdf, dir);
}

/* Free 2 MiB hugetlbfs pages for the largest hugetlb case, @peak bytes. */
static void check_hugetlb(uint64_t peak)
{
	long free_huge, nr;
	struct stat st;

	if (cfg.hugetlbfs_opt) {
		if (stat(cfg.hugetlbfs_opt, &st) || !S_ISDIR(st.st_mode))
			die("no directory %s (--hugetlbfs)", cfg.hugetlbfs_opt);
		snprintf(host.hugedir, sizeof(host.hugedir), "%s", cfg.hugetlbfs_opt);
	} else if (find_hugetlbfs()) {
		die("no hugetlbfs with 2 MiB pages mounted: mount -t hugetlbfs -o pagesize=2M "
		    "none /dev/hugepages (or --hugetlbfs DIR, or drop hugetlb from -B)");
	}
	free_huge = sys_read_long(SYS_HUGEDIR_2M "/free_hugepages");
	nr = sys_read_long("/proc/sys/vm/nr_hugepages");
	if (free_huge < 0)
		die("no 2 MiB hugetlb pages in this kernel (%s missing; CONFIG_HUGETLBFS?)",
		    SYS_HUGEDIR_2M);
	if ((uint64_t)free_huge < peak / SZ_2M)
		die("hugetlbfs has %ld free 2 MiB pages, the %" PRIu64 "M hugetlb case needs %"
		    PRIu64 ": echo %" PRIu64 " > /proc/sys/vm/nr_hugepages (or drop hugetlb "
		    "from -B)", free_huge, peak >> 20, peak / SZ_2M,
		    peak / SZ_2M + (nr > free_huge ? nr - free_huge : 0));
}

/* Memory for the largest case of each backing. */
static void check_memory(const struct vcase *cases, int ncases)
{
	uint64_t anon_peak = 0, huge_peak = 0, total, avail;
	int i;

	for (i = 0; i < ncases; i++) {
		if (cases[i].bk == BK_HUGETLB && cases[i].ram > huge_peak)
			huge_peak = cases[i].ram;
		if (cases[i].bk == BK_ANON && cases[i].ram > anon_peak)
			anon_peak = cases[i].ram;
	}
	total = sys_meminfo("MemTotal");
	avail = sys_meminfo("MemAvailable");
	if (total && (anon_peak > total || huge_peak > total))
		die("impossible size: a case needs %" PRIu64 "M of guest RAM, the machine has %" PRIu64
		    "M", (anon_peak > huge_peak ? anon_peak : huge_peak) >> 20, total >> 20);
	/* QEMU itself wants some: leave it 128 MiB on top of the guest RAM. */
	if (avail && anon_peak && anon_peak + (128ULL << 20) > avail)
		die("the %" PRIu64 "M anon case needs %" PRIu64 "M of memory (guest RAM + 128M for "
		    "QEMU) but only %" PRIu64 "M is available; use smaller -S or more memory",
		    anon_peak >> 20, (anon_peak >> 20) + 128, avail >> 20);
	if (huge_peak)
		check_hugetlb(huge_peak);
}

void precheck(const struct vcase *cases, int ncases)
{
	check_qemu();
	check_device();
	check_memory(cases, ncases);
}
