/* SPDX-License-Identifier: GPL-2.0 */
/*
 * maplat's user space, in two files: maplat.c (options, which programs run
 * in which mode, the report loop) hands the kernel's histogram map to
 * maplat-report.c (drained, sorted, printed as text or JSON), which never
 * touches the skeleton; names go one way, maplat.c to maplat-report.c.
 */
#ifndef __MAPLAT_USER_H
#define __MAPLAT_USER_H

#include <stdbool.h>

#include <linux/types.h>

#include "maplat.h"
#include "vfio.h"

#define MAX_KEYS 10240	/* max_entries of hists */

/* maplat's backends are lib/vfio's, named by vdev_backend_name() */
_Static_assert(MAPLAT_IOMMUFD == (int)VDEV_IOMMUFD && MAPLAT_TYPE1 == (int)VDEV_TYPE1 &&
	       MAPLAT_COMPAT == (int)VDEV_COMPAT && MAPLAT_NR_BACKENDS == (int)VDEV_NR,
	       "maplat's backends in lib/vfio's order");

/* One histogram out of the map. */
struct entry {
	struct hist_key key;
	struct hist h;
	unsigned int as;	/* -I: IOAS id, or the container's number */
};

/* What a report shows, from the options and the mode. */
struct report_view {
	const struct hist_unit *unit;
	const char *mode;	/* JSON "mode" */
	bool fallback;
	bool timestamp;
	bool per_process;
	bool per_ioas;
	bool breakdown;		/* -B in tracepoint mode */
	const char *unavailable[8];	/* JSON "unavailable", NULL-terminated */
};

/* Move every histogram out of the map @fd into @e (sorted); how many, or -errno. */
int drain_hists(int fd, struct entry *e, const struct report_view *v);
void print_human(const struct report_view *v, const struct entry *e, int n, __u64 dropped);
void print_json(const struct report_view *v, const struct entry *e, int n, double seconds,
		__u64 dropped);

#endif /* __MAPLAT_USER_H */
