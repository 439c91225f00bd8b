// SPDX-License-Identifier: GPL-2.0
/*
 * faultlat: vEVENTQ rows.  Each row is one vEVENTQ of a vIOMMU (or, with
 * veventq_id 0, the reports to a vIOMMU that had no vEVENTQ of their
 * type): reports, drops (the queue full, or the event not allocated), the
 * lost-events headers the VMM read, the events it read, and the time from
 * report to read, which is how long a guest waits for what its vIOMMU
 * reported.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpftool.h"
#include "faultlat-vq.h"

static int cmp_vq(const void *a, const void *b)
{
	const struct vq_entry *x = a, *y = b;

	if (x->ctx != y->ctx)
		return x->ctx < y->ctx ? -1 : 1;
	if (x->key.viommu_id != y->key.viommu_id)
		return x->key.viommu_id < y->key.viommu_id ? -1 : 1;
	if (x->key.veventq_id != y->key.veventq_id)
		return x->key.veventq_id < y->key.veventq_id ? -1 : 1;
	return x->key.type < y->key.type ? -1 : x->key.type > y->key.type;
}

int vq_read(int fd, struct vq_report *r, unsigned int (*ctx_no)(__u64 ctx))
{
	const struct bpftool_rows rows = {
		.base = r->e, .stride = sizeof(r->e[0]), .max = VQ_MAX_KEYS,
		.key_off = offsetof(struct vq_entry, key), .key_size = sizeof(r->e[0].key),
		.val_off = offsetof(struct vq_entry, h), .val_size = sizeof(r->e[0].h),
	};
	int n = bpftool_drain(fd, &rows), i;

	r->n = n < 0 ? 0 : n;
	for (i = 0; i < r->n; i++)
		r->e[i].ctx = ctx_no(r->e[i].key.ctx);
	qsort(r->e, r->n, sizeof(r->e[0]), cmp_vq);
	return n < 0 ? n : 0;
}

static void print_one(const struct vq_entry *e, const struct hist_unit *unit)
{
	const struct fl_vq_hist *h = &e->h;

	if (!e->key.veventq_id) {
		printf("\nctx %u viommu_id %u: %llu reported with no vEVENTQ of their type "
		       "(type %u)\n", e->ctx, e->key.viommu_id, (unsigned long long)h->reported,
		       e->key.type);
		return;
	}
	printf("\nctx %u viommu_id %u veventq_id %u, type %u, depth %u\n", e->ctx,
	       e->key.viommu_id, e->key.veventq_id, h->type, h->depth);
	printf("  reported %llu, lost %llu (%llu no memory), most pending %u of %u\n",
	       (unsigned long long)h->reported, (unsigned long long)h->lost,
	       (unsigned long long)h->lost_nomem, h->max_pending, h->depth);
	printf("  read %llu (%llu untimed), lost notices read %llu\n",
	       (unsigned long long)h->read, (unsigned long long)h->untimed,
	       (unsigned long long)h->lost_read);
	printf("  %-18s %8s %9s %9s %9s %9s %s\n", "stage", "count", "mean", "p50", "p90", "p99",
	       unit->name);
	printf("  %-18s %8llu", "report->read", (unsigned long long)h->count);
	if (!h->count) {
		printf(" %9s %9s %9s %9s\n", "-", "-", "-", "-");
		return;
	}
	printf(" %9.1f %9.1f %9.1f %9.1f\n", hist_mean(unit, h->sum_ns, h->count),
	       hist_percentile(h->slots, MAX_SLOTS, 50), hist_percentile(h->slots, MAX_SLOTS, 90),
	       hist_percentile(h->slots, MAX_SLOTS, 99));
	printf("  report->read:\n");
	hist_print_log2(stdout, h->slots, MAX_SLOTS, unit->label);
}

void vq_print(const struct vq_report *r, const struct hist_unit *unit, __u64 dropped)
{
	int i;

	if (!r->n)
		printf("no vEVENTQ reports seen\n");
	for (i = 0; i < r->n; i++)
		print_one(&r->e[i], unit);
	if (dropped)
		printf("vEVENTQ reports or reads not counted (row map full): %llu\n",
		       (unsigned long long)dropped);
}

void vq_json(struct json *j, const struct vq_report *r, const struct hist_unit *unit,
	     bool available, __u64 dropped)
{
	const struct fl_vq_hist *h;
	int i;

	if (!available) {
		json_null(j, "veventq_dropped");
		json_null(j, "veventqs");
		return;
	}
	json_uint(j, "veventq_dropped", dropped);
	json_array_begin(j, "veventqs");
	for (i = 0; i < r->n; i++) {
		h = &r->e[i].h;
		json_object_begin(j, NULL);
		json_uint(j, "ctx", r->e[i].ctx);
		json_uint(j, "viommu_id", r->e[i].key.viommu_id);
		json_uint(j, "veventq_id", r->e[i].key.veventq_id);
		json_uint(j, "type", r->e[i].key.type);
		json_uint(j, "depth", h->depth);
		json_uint(j, "reported", h->reported);
		json_uint(j, "lost", h->lost);
		json_uint(j, "lost_nomem", h->lost_nomem);
		json_uint(j, "lost_read", h->lost_read);
		json_uint(j, "read", h->read);
		json_uint(j, "untimed", h->untimed);
		json_uint(j, "max_pending", h->max_pending);
		hist_json_block(j, "report_to_read", unit, h->slots, MAX_SLOTS, h->count,
				h->sum_ns);
		json_object_end(j);
	}
	json_array_end(j);
}
