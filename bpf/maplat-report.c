// SPDX-License-Identifier: GPL-2.0
/*
 * maplat's reports: the kernel's histograms drained, sorted and printed as
 * text (a log2 histogram each, with count, failures, mean and estimated
 * percentiles) or as one JSON document per interval.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "bpftool.h"
#include "cli.h"
#include "hist.h"
#include "json.h"
#include "maplat-user.h"
#include "seen.h"

static const char *const op_names[] = { "map", "unmap", "copy", "dirty", "map_file", "pin",
					 "rw" };
_Static_assert(sizeof(op_names) / sizeof(op_names[0]) == MAPLAT_NR_OPS, "op_names");

/* -I, type1: containers numbered as seen (the key, an address or tgid << 32 | fd, never shown) */
static struct seen containers;

static int cmp_entry(const void *a, const void *b)
{
	const struct entry *ea = a, *eb = b;
	const struct hist_key *x = &ea->key;
	const struct hist_key *y = &eb->key;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	if (x->backend != y->backend)
		return x->backend - y->backend;
	if (ea->as != eb->as)
		return ea->as < eb->as ? -1 : 1;
	if (x->op != y->op)
		return x->op - y->op;
	return x->size_log2 - y->size_log2;
}

int drain_hists(int fd, struct entry *e, const struct report_view *v)
{
	const struct bpftool_rows rows = {
		.base = e, .stride = sizeof(*e), .max = MAX_KEYS,
		.key_off = offsetof(struct entry, key), .key_size = sizeof(e->key),
		.val_off = offsetof(struct entry, h), .val_size = sizeof(e->h),
	};
	int i, m;

	m = bpftool_drain(fd, &rows);
	if (m < 0)
		return m;
	for (i = 0; i < m; i++)
		e[i].as = e[i].key.backend == MAPLAT_TYPE1 && v->per_ioas ?
			seen_number(&containers, e[i].key.as) : e[i].key.as;
	qsort(e, m, sizeof(*e), cmp_entry);
	return m;
}

static const char *size_class_str(unsigned int c, char *buf, size_t len)
{
	char lo[16], hi[16];

	if (c == 0)
		snprintf(buf, len, "[0, 2)");	/* slot 0 holds 0 too */
	else if (c >= 63)
		snprintf(buf, len, "[8E, 16E)");
	else
		snprintf(buf, len, "[%s, %s)", hist_size_str(1ULL << c, lo, sizeof(lo)),
			 hist_size_str(1ULL << (c + 1), hi, sizeof(hi)));
	return buf;
}

/*
 * Dirty bitmap reads: the IOVA walked, at what rate over the summed read
 * time (a mean), and the share dirty (iommufd: in the IOMMU's IOPTE bytes).
 */
static void print_dirty(const struct hist *h)
{
	double s = h->sum_ns / 1e9;
	char walked[24];

	printf("  IOVA walked %s", hist_size_str(h->span_bytes, walked, sizeof(walked)));
	if (s > 0)
		printf(" at %.2f GiB/s of read time", h->span_bytes / s / (1ULL << 30));
	if (h->span_bytes)
		printf(", %.1f%% dirty", 100.0 * h->dirty_bytes / h->span_bytes);
	printf("\n");
}

static void print_entry(const struct report_view *v, const struct entry *e)
{
	const struct hist *h = &e->h;
	uint64_t ops = h->count + h->errors;
	char sz[48];

	printf("\n%s %s, size %s", vdev_backend_name(e->key.backend), op_names[e->key.op],
	       size_class_str(e->key.size_log2, sz, sizeof(sz)));
	if (v->per_process)
		printf(", pid %u %.16s", e->key.pid, h->comm);
	if (v->per_ioas && e->key.backend == MAPLAT_TYPE1)
		printf(", container %u", e->as);
	else if (v->per_ioas)
		printf(", IOAS %u", e->as);
	printf("\n  count %llu, failed %llu", (unsigned long long)h->count,
	       (unsigned long long)h->errors);
	if (h->count)
		printf(", mean %.1f %s", hist_mean(v->unit, h->sum_ns, h->count),
		       v->unit->name);
	printf("\n");
	if (v->breakdown && ops)
		printf("  per op: %.1f pin batches, %.1f pages pinned, %.1f IOTLB syncs\n",
		       (double)h->pin_batches / ops, (double)h->pinned_pages / ops,
		       (double)h->iotlb_syncs / ops);
	if (!h->count)
		return;
	if (e->key.op == MAPLAT_DIRTY)
		print_dirty(h);
	printf("  p50 %.1f, p90 %.1f, p99 %.1f %s (estimated from the log2 buckets)\n",
	       hist_percentile(h->slots, MAX_SLOTS, 50), hist_percentile(h->slots, MAX_SLOTS, 90),
	       hist_percentile(h->slots, MAX_SLOTS, 99), v->unit->name);
	hist_print_log2(stdout, h->slots, MAX_SLOTS, v->unit->label);
}

void print_human(const struct report_view *v, const struct entry *e, int n, __u64 dropped)
{
	char ts[16];
	int i;

	if (v->timestamp)
		printf("\n%s\n", cli_clock(ts, sizeof(ts)));
	if (!n && !dropped)
		printf("\nno map, unmap, copy, dirty bitmap read or access seen\n");
	for (i = 0; i < n; i++)
		print_entry(v, &e[i]);
	if (dropped)
		printf("\n%llu operations not counted: the kernel's table of %d histograms was "
		       "full\n(fewer with less -P/-I or a shorter interval)\n",
		       (unsigned long long)dropped, MAX_KEYS);
	fflush(stdout);
}

/* One histogram's JSON object. */
static void json_entry(struct json *j, const struct report_view *v, const struct entry *e)
{
	const struct hist *h = &e->h;
	char sz[48];

	json_object_begin(j, NULL);
	json_string(j, "backend", vdev_backend_name(e->key.backend));
	json_string(j, "op", op_names[e->key.op]);
	json_uint(j, "size_log2", e->key.size_log2);
	json_string(j, "size", size_class_str(e->key.size_log2, sz, sizeof(sz)));
	if (v->per_process) {
		json_uint(j, "pid", e->key.pid);
		json_string(j, "comm", h->comm);
	}
	if (v->per_ioas && e->key.backend == MAPLAT_TYPE1)
		json_uint(j, "container", e->as);
	else if (v->per_ioas)
		json_uint(j, "ioas_id", e->as);
	json_uint(j, "count", h->count);
	json_uint(j, "failed", h->errors);
	hist_json_stats(j, v->unit, h->slots, MAX_SLOTS, h->count, h->sum_ns);
	if (e->key.op == MAPLAT_DIRTY) {
		json_uint(j, "span_bytes", h->span_bytes);
		json_uint(j, "dirty_bytes", h->dirty_bytes);
	}
	if (v->breakdown) {
		json_uint(j, "pin_batches", h->pin_batches);
		json_uint(j, "pinned_pages", h->pinned_pages);
		json_uint(j, "iotlb_syncs", h->iotlb_syncs);
	}
	hist_json(j, "buckets", h->slots, MAX_SLOTS);
	json_object_end(j);
}

void print_json(const struct report_view *v, const struct entry *e, int n, double seconds,
		__u64 dropped)
{
	struct json j;
	int i;

	bpftool_json_begin(&j, v->mode, v->fallback, seconds);
	json_uint(&j, "dropped", dropped);
	hist_json_unit(&j, v->unit);
	json_array_begin(&j, "unavailable");
	for (i = 0; v->unavailable[i]; i++)
		json_string(&j, NULL, v->unavailable[i]);
	json_array_end(&j);
	json_array_begin(&j, "histograms");
	for (i = 0; i < n; i++)
		json_entry(&j, v, &e[i]);
	json_array_end(&j);
	json_object_end(&j);
}

