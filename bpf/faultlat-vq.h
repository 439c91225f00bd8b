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

struct vq_entry {
	struct fl_vq_key key;
	struct fl_vq_hist h;
	unsigned int ctx;	/* the context's number */
};

struct vq_report {
	struct vq_entry *e;	/* VQ_MAX_KEYS entries */
	int n;
};

/* Drain map @fd into @r, rows sorted by context, vIOMMU, vEVENTQ, type; -errno. */
int vq_read(int fd, struct vq_report *r, unsigned int (*ctx_no)(__u64 ctx));
/*
 * The rows as text: one block per vEVENTQ with its report -> read latency
 * and histogram; @dropped reports or reads the row map had no room for.
 */
void vq_print(const struct vq_report *r, const struct hist_unit *unit, __u64 dropped);
/* "veventq_dropped" and the rows as "veventqs"; both null if not @available. */
void vq_json(struct json *j, const struct vq_report *r, const struct hist_unit *unit,
	     bool available, __u64 dropped);

#endif /* __FAULTLAT_VQ_H */
