// SPDX-License-Identifier: GPL-2.0
/* /proc and /sys readers and size arguments (sysinfo.h). */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sysinfo.h"

#define SYSFS_PCI	"/sys/bus/pci/devices"
#define VFIO_PCI_DRV	"/sys/bus/pci/drivers/vfio-pci"

uint64_t sys_meminfo(const char *key)
{
	char line[256];
	unsigned long long v = 0;
	size_t kl = strlen(key);
	FILE *f = fopen("/proc/meminfo", "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, kl) && line[kl] == ':') {
			v = strtoull(line + kl + 1, NULL, 10) << 10;
			break;
		}
	fclose(f);
	return v;
}

long sys_read_long(const char *path)
{
	char buf[64] = "";
	FILE *f = fopen(path, "re");

	if (!f)
		return -1;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	buf[strcspn(buf, "\n")] = 0;
	return buf[0] ? strtol(buf, NULL, 10) : -1;
}

uint64_t sys_size(const char *s)
{
	unsigned long long v;
	char *end;

	if (!isdigit((unsigned char)*s))
		return 0;
	errno = 0;
	v = strtoull(s, &end, s[0] == '0' && (s[1] == 'x' || s[1] == 'X') ? 16 : 10);
	if (errno)
		return 0;
	switch (tolower((unsigned char)*end)) {
	case 'k':
		v = v > (~0ULL >> 10) ? 0 : v << 10, end++;
		break;
	case 'm':
		v = v > (~0ULL >> 20) ? 0 : v << 20, end++;
		break;
	case 'g':
		v = v > (~0ULL >> 30) ? 0 : v << 30, end++;
		break;
	}
	return *end ? 0 : v;
}

int sys_sizes(const char *s, uint64_t *out, int max, const struct sys_size_rule *r,
	      char *err, size_t errlen)
{
	char buf[256], *tok, *save;
	int n = 0;

	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		uint64_t v = sys_size(tok);

		if (n == max) {
			snprintf(err, errlen, "at most %d %s sizes", max, r->what);
			return -1;
		}
		if (!v || v % r->align || v < r->lo || v > r->hi) {
			snprintf(err, errlen, "bad %s size '%s': %s", r->what, tok, r->rule);
			return -1;
		}
		out[n++] = v;
	}
	if (!n)
		snprintf(err, errlen, "empty %s size list", r->what);
	return n ? n : -1;
}

int sys_link_name(const char *dir, const char *link, char *buf, size_t len)
{
	char path[PATH_MAX], target[PATH_MAX];
	const char *base;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, link);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	if (strlen(base) >= len)
		return -ENAMETOOLONG;
	memcpy(buf, base, strlen(base) + 1);
	return 0;
}

int sys_pci_bdf(const char *s, char *bdf, size_t len, char *err, size_t errlen)
{
	unsigned int dom = 0, bus, dev, fn;
	char tail;

	/* Nothing may follow the function (%c); %x skips spaces, so look for them. */
	if (sscanf(s, "%x:%x:%x.%x%c", &dom, &bus, &dev, &fn, &tail) != 4) {
		dom = 0;
		if (sscanf(s, "%x:%x.%x%c", &bus, &dev, &fn, &tail) != 3)
			goto bad;
	}
	if (dom > 0xffff || bus > 0xff || dev > 0x1f || fn > 7 || strchr(s, ' '))
		goto bad;
	snprintf(bdf, len, "%04x:%02x:%02x.%x", dom, bus, dev, fn);
	return 0;
bad:
	snprintf(err, errlen, "'%s' is not a PCI address (expected DDDD:BB:DD.F)", s);
	return -EINVAL;
}

int sys_pci_vfio_check(const char *bdf, char *err, size_t errlen)
{
	char dir[PATH_MAX], drv[64];
	struct stat st;

	snprintf(dir, sizeof(dir), SYSFS_PCI "/%s", bdf);
	if (stat(dir, &st)) {
		snprintf(err, errlen, "no PCI device %s", bdf);
		return -ENODEV;
	}
	if (sys_link_name(dir, "driver", drv, sizeof(drv))) {
		snprintf(err, errlen, "%s is not bound to any driver (bind it to vfio-pci)", bdf);
		return -ENODEV;
	}
	if (strcmp(drv, "vfio-pci")) {
		snprintf(err, errlen, "%s is bound to %s, not vfio-pci", bdf, drv);
		return -EBUSY;
	}
	return 0;
}

int sys_pci_vfio_find(char *bdf, size_t len, char *err, size_t errlen)
{
	char names[160] = "";
	unsigned int dom, bus, dev, fn;
	struct dirent *de;
	int n = 0;
	DIR *dp;

	dp = opendir(VFIO_PCI_DRV);
	if (!dp) {
		snprintf(err, errlen, "no vfio-pci driver (%s: %s; modprobe vfio-pci?)",
			 VFIO_PCI_DRV, strerror(errno));
		return -ENODEV;
	}
	/* Its device links are the entries named like a PCI address. */
	while ((de = readdir(dp))) {
		if (sscanf(de->d_name, "%x:%x:%x.%x", &dom, &bus, &dev, &fn) != 4)
			continue;
		if (!n++)
			snprintf(bdf, len, "%s", de->d_name);
		if (strlen(names) + strlen(de->d_name) + 3 < sizeof(names))
			snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
				 n > 1 ? ", " : "", de->d_name);
	}
	closedir(dp);
	if (!n) {
		snprintf(err, errlen, "no PCI device is bound to vfio-pci");
		return -ENODEV;
	}
	if (n > 1) {
		snprintf(err, errlen, "%d devices are bound to vfio-pci (%s): choose one", n, names);
		return -EEXIST;
	}
	return 0;
}
