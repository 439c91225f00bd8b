/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the benchmarks read from /proc and /sys (memory figures, sysfs
 * numbers, the PCI device on vfio-pci) and their size arguments.  Plain
 * libc: no kernel uAPI headers, so vmstart builds with it on any host and
 * lib/vfio.c takes its device checks from here.
 */
#ifndef IOASID_LIB_SYSINFO_H
#define IOASID_LIB_SYSINFO_H

#include <stddef.h>
#include <stdint.h>

#define SYS_HUGEDIR_2M	"/sys/kernel/mm/hugepages/hugepages-2048kB"

/* A "Key:   value kB" line of /proc/meminfo, in bytes (0 if absent). */
uint64_t sys_meminfo(const char *key);
/* The number on the first line of @path, -1 if it is missing or empty. */
long sys_read_long(const char *path);

/*
 * "4096", "0x1000", "64k", "2m", "1g": bytes, or 0 if not a size or if it
 * does not fit 64 bits.  Decimal unless 0x: a leading 0 is not octal.
 */
uint64_t sys_size(const char *s);
/* What a list of sizes may hold, and its words for messages. */
struct sys_size_rule {
	uint64_t align, lo, hi;	/* multiples of align from lo to hi */
	const char *what;	/* "RAM": "bad RAM size '5m': <rule>" */
	const char *rule;	/* "a multiple of 2 MiB from 16m to 1024g" */
};
/*
 * A comma list of at most @max sizes under @r into @out: the count, or -1
 * with one line in @err for the first of: more than @max, a bad item, no
 * item.
 */
int sys_sizes(const char *s, uint64_t *out, int max, const struct sys_size_rule *r,
	      char *err, size_t errlen);

/* The basename of the symlink @dir/@link into @buf; -errno if absent. */
int sys_link_name(const char *dir, const char *link, char *buf, size_t len);
/*
 * "DDDD:BB:DD.F" or "BB:DD.F" as "dddd:bb:dd.f" into @bdf: 0, or -EINVAL
 * with "'S' is not a PCI address (expected DDDD:BB:DD.F)" in @err.
 */
int sys_pci_bdf(const char *s, char *bdf, size_t len, char *err, size_t errlen);
/*
 * Is PCI device @bdf (normalized) there and bound to vfio-pci?  0, or
 * -ENODEV / -EBUSY with one line saying why in @err.
 */
int sys_pci_vfio_check(const char *bdf, char *err, size_t errlen);
/*
 * The one PCI device bound to vfio-pci into @bdf (@len >= 16): 0, -ENODEV
 * if none is (or there is no vfio-pci driver), -EEXIST if several are
 * (@err then names them); @err gets one line saying why.
 */
int sys_pci_vfio_find(char *bdf, size_t len, char *err, size_t errlen);

#endif
