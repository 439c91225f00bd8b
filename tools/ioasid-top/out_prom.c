// SPDX-License-Identifier: GPL-2.0
/*
 * ioasid-top: the frame as a Prometheus text exposition (format 0.0.4),
 * for node_exporter's textfile collector (--prometheus PATH).
 *
 * Every value is cumulative since the tool started, as Prometheus wants
 * counters: a row's struct top_stats is already cumulative in the kernel.
 * A process that exits leaves the file with its row (its series go
 * stale).  In the fallback (no series events) only the map, unmap and
 * copy families are written, the rest being unknown, not 0.  Latencies are histograms in seconds with the kernel's log2
 * buckets as "le" bounds (slot i: [2^i, 2^(i+1)) ns), _sum from the exact
 * nanosecond sums.  The file is written beside PATH and renamed over it,
 * so the collector never reads half a file.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "top.h"

static const char *const op_names[TOP_NR_OPS] = { "map", "unmap", "copy" };

/* A label value: backslash, double quote and newline escaped. */
static void label_value(FILE *o, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fputc('\\', o);
		if (*s == '\n')
			fputs("\\n", o);
		else
			fputc(*s, o);
	}
}

static void family(FILE *o, const char *name, const char *type, const char *help)
{
	fprintf(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* The labels of a row, without the braces. */
static void row_labels(FILE *o, const struct row *r)
{
	fprintf(o, "pid=\"%u\",comm=\"", r->key.tgid);
	label_value(o, r->comm);
	fprintf(o, "\",backend=\"%s\",as=\"%u\"", backend_name(r->key.backend), r->as);
}

/* One histogram of @r: @slots (ns) and @sum_ns; @extra: more labels or "". */
static void histogram(FILE *o, const char *name, const struct row *r, const char *extra,
		      const __u64 *slots, __u64 sum_ns)
{
	__u64 cum = 0;
	unsigned int i;

	/* the last slot is open above (clamped): only +Inf bounds it */
	for (i = 0; i < TOP_SLOTS - 1; i++) {
		cum += slots[i];
		fprintf(o, "%s_bucket{", name);
		row_labels(o, r);
		fprintf(o, "%s,le=\"%.9g\"} %llu\n", extra, (double)(2ULL << i) / 1e9,
			(unsigned long long)cum);
	}
	cum += slots[TOP_SLOTS - 1];
	fprintf(o, "%s_bucket{", name);
	row_labels(o, r);
	fprintf(o, "%s,le=\"+Inf\"} %llu\n", extra, (unsigned long long)cum);
	fprintf(o, "%s_sum{", name);
	row_labels(o, r);
	fprintf(o, "%s} %.9f\n", extra, sum_ns / 1e9);
	fprintf(o, "%s_count{", name);
	row_labels(o, r);
	fprintf(o, "%s} %llu\n", extra, (unsigned long long)cum);
}

/* Per row and operation: the counters of one family. */
static void op_counter(FILE *o, const struct frame *f, const char *name, const char *help,
		       size_t off)
{
	const struct top_stats *s;
	int i, op;

	family(o, name, "counter", help);
	for (i = 0; i < f->nrows_all; i++) {
		s = &f->all[i].cum;
		for (op = 0; op < TOP_NR_OPS; op++) {
			fprintf(o, "%s{", name);
			row_labels(o, &f->all[i]);
			fprintf(o, ",op=\"%s\"} %llu\n", op_names[op],
				(unsigned long long)((const __u64 *)((const char *)s + off))[op]);
		}
	}
}

/* Per row: one counter of one family (@off: the __u64 in struct top_stats). */
static void row_counter(FILE *o, const struct frame *f, const char *name, const char *help,
			size_t off)
{
	int i;

	family(o, name, "counter", help);
	for (i = 0; i < f->nrows_all; i++) {
		fprintf(o, "%s{", name);
		row_labels(o, &f->all[i]);
		fprintf(o, "} %llu\n",
			(unsigned long long)*(const __u64 *)((const char *)&f->all[i].cum + off));
	}
}

#define ROW_COUNTER(o, f, name, field, help) \
	row_counter(o, f, name, help, offsetof(struct top_stats, field))

static void rows_out(FILE *o, const struct frame *f)
{
	char extra[32];
	int i, op;

	op_counter(o, f, "ioasid_dma_ops_total", "DMA map, unmap and copy operations that succeeded.",
		   offsetof(struct top_stats, ops));
	op_counter(o, f, "ioasid_dma_errors_total", "DMA map, unmap and copy operations that failed.",
		   offsetof(struct top_stats, errors));
	op_counter(o, f, "ioasid_dma_bytes_total", "Bytes of the operations that succeeded.",
		   offsetof(struct top_stats, bytes));
	family(o, "ioasid_dma_latency_seconds", "histogram",
	       "Latency of the operations that succeeded (log2 buckets).");
	for (i = 0; i < f->nrows_all; i++)
		for (op = 0; op < TOP_NR_OPS; op++) {
			snprintf(extra, sizeof(extra), ",op=\"%s\"", op_names[op]);
			histogram(o, "ioasid_dma_latency_seconds", &f->all[i], extra,
				  f->all[i].cum.lat[op], f->all[i].cum.lat_sum[op]);
		}
	/* the fallback sees only the ioctls: the rest would be zeros that lie */
	if (f->fallback)
		return;
	ROW_COUNTER(o, f, "ioasid_pinned_pages_total", pinned, "Pages pinned for DMA.");
	ROW_COUNTER(o, f, "ioasid_unpinned_pages_total", unpinned, "Pages unpinned.");
	ROW_COUNTER(o, f, "ioasid_iotlb_syncs_total", flushes,
		    "IOTLB syncs (the driver's iotlb_sync after an unmap), empty gathers included.");
	ROW_COUNTER(o, f, "ioasid_iotlb_sync_bytes_total", flush_bytes,
		    "Bytes the non-empty IOTLB syncs covered.");
	ROW_COUNTER(o, f, "ioasid_iotlb_flush_all_total", flush_all, "Full-domain IOTLB flushes.");
	ROW_COUNTER(o, f, "ioasid_iopf_faults_total", faults,
		    "I/O page fault groups answered by user space.");
	ROW_COUNTER(o, f, "ioasid_iopf_lost_total", faults_lost,
		    "I/O page fault groups answered by the kernel on detach or close.");
	family(o, "ioasid_iopf_latency_seconds", "histogram",
	       "I/O page fault groups, queued to responded (log2 buckets).");
	for (i = 0; i < f->nrows_all; i++)
		histogram(o, "ioasid_iopf_latency_seconds", &f->all[i], "", f->all[i].cum.fault_lat,
			  f->all[i].cum.fault_lat_sum);
	ROW_COUNTER(o, f, "ioasid_hwpt_invalidations_total", invals,
		    "IOMMU_HWPT_INVALIDATE calls.");
	ROW_COUNTER(o, f, "ioasid_hwpt_invalidation_entries_total", inval_entries,
		    "Invalidation entries the driver handled.");
}

/* The labels of a device. */
static void dev_labels(FILE *o, const struct dev *d)
{
	fprintf(o, "pid=\"%u\",comm=\"", d->d.tgid);
	label_value(o, d->d.comm);
	fprintf(o, "\",backend=\"%s\",device=\"", backend_name(d->key.backend));
	label_value(o, d->name);
	fprintf(o, "\",id=\"%u\"", d->key.id);
}

static void devs_out(FILE *o, const struct frame *f)
{
	static const char *const what[] = { "attach", "detach", "replace", "failure" };
	const struct dev *d;
	__u32 v[4];
	int i, k;

	family(o, "ioasid_device_attached", "gauge",
	       "1 while the device is attached (iommufd: id is its dev_id; type1: its group).");
	for (i = 0; i < f->ndevs; i++) {
		fputs("ioasid_device_attached{", o);
		dev_labels(o, &f->devs[i]);
		fprintf(o, "} %u\n", f->devs[i].d.attached ? 1 : 0);
	}
	family(o, "ioasid_device_events_total", "counter",
	       "Attach, detach and replace calls per device, and those that failed.");
	for (i = 0; i < f->ndevs; i++) {
		d = &f->devs[i];
		v[0] = d->d.attaches, v[1] = d->d.detaches, v[2] = d->d.replaces;
		v[3] = d->d.failures;
		for (k = 0; k < 4; k++) {
			fputs("ioasid_device_events_total{", o);
			dev_labels(o, d);
			fprintf(o, ",event=\"%s\"} %u\n", what[k], v[k]);
		}
	}
}

static void tool_out(FILE *o, const struct frame *f)
{
	family(o, "ioasid_top_info", "gauge", "ioasid-top runs: its mode and the kernel.");
	fprintf(o, "ioasid_top_info{mode=\"%s\",kernel=\"", f->mode_id);
	label_value(o, f->kernel);
	fputs("\"} 1\n", o);
	family(o, "ioasid_top_dropped_events_total", "counter",
	       "Events not counted because a map of the tool was full.");
	fprintf(o, "ioasid_top_dropped_events_total %llu\n", (unsigned long long)f->dropped);
	family(o, "ioasid_top_unattributed_iotlb_syncs_total", "counter",
	       "IOTLB syncs outside any map or unmap the tool follows (e.g. kernel DMA).");
	fprintf(o, "ioasid_top_unattributed_iotlb_syncs_total %llu\n",
		(unsigned long long)f->other_flushes);
}

int prom_write(const struct frame *f, const char *path)
{
	char tmp[4096];
	FILE *o;
	int err = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	o = fopen(tmp, "w");
	if (!o)
		return -errno;
	rows_out(o, f);
	if (!f->fallback)
		devs_out(o, f);
	tool_out(o, f);
	if (fflush(o) || ferror(o))
		err = -errno ?: -EIO;
	if (fclose(o) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}

void prom_remove(const char *path)
{
	unlink(path);
}
