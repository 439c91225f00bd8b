/* SPDX-License-Identifier: GPL-2.0 */
/*
 * faultlat's vEVENTQ rows (faultlat-vq.c): the events IOMMU drivers report
 * to a guest's vIOMMU, from the report to the VMM's read, per iommufd
 * context, vIOMMU and vEVENTQ, drained from the vq_hists map each interval
 * and printed as text or JSON.  faultlat.c owns the skeleton and numbers
 * the contexts (the same numbers as its page request rows).
 */
#ifndef __FAULTLAT_VQ_H
#define __FAULTLAT_VQ_H

#include <linux/types.h>

#include "faultlat.h"
#include "hist.h"
#include "json.h"

#define VQ_MAX_KEYS 1024	/* max_entries of vq_hists */

struct vq_entry {
	struct fl_vq_key key;
	struct fl_vq_hist h;
	unsigned int ctx;	/* the context's number */
};

struct vq_report {
	struct vq_entry *e;	/* VQ_MAX_KEYS entries */
	int n;
};

/* Drain map @fd into @r, rows sorted by context, vIOMMU, vEVENTQ; -errno. */
int vq_read(int fd, struct vq_report *r, unsigned int (*ctx_no)(__u64 ctx));
/* The rows as text: one block per vEVENTQ, its report -> read latency. */
void vq_print(const struct vq_report *r, const struct hist_unit *unit, bool all_hists);
/* The rows as the JSON array "veventqs" of the interval's object. */
void vq_json(struct json *j, const struct vq_report *r, const struct hist_unit *unit);

#endif /* __FAULTLAT_VQ_H */
