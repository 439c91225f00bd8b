// SPDX-License-Identifier: GPL-2.0
/*
 * ioasid-top: a frame as one JSON object a line (-j), through lib/json
 * (named out_json.c: lib/json.c is the writer).
 */
#include <math.h>

#include "bpftool.h"
#include "json.h"
#include "top.h"
#include "util.h"

/* null for a column with no value (NAN) */
static void json_num(struct json *j, const char *k, double v)
{
	if (isnan(v))
		json_null(j, k);
	else
		json_double(j, k, v);
}

static void json_totals(struct json *j, const struct frame *f)
{
	json_object_begin(j, "totals");
	json_double(j, "map_per_s", f->map_s);
	json_double(j, "unmap_per_s", f->unmap_s);
	json_double(j, "copy_per_s", f->copy_s);
	json_double(j, "mib_per_s", f->mib_s);
	json_double(j, "flush_per_s", f->flush_s);
	json_double(j, "flush_outside_per_s", f->other_flush_s);
	json_double(j, "fault_per_s", f->fault_s);
	json_double(j, "inval_per_s", f->inval_s);
	json_double(j, "dirty_read_per_s", f->dirty_s);
	json_double(j, "access_per_s", f->access_s);
	json_uint(j, "rows", f->nrows_all);
	json_uint(j, "storms", f->storms);
	json_uint(j, "dropped", f->dropped);
	json_object_end(j);
}

/* What the series' events add to a row. */
static void json_row_tp(struct json *j, const struct row *r)
{
	const struct top_stats *d = &r->d;

	json_uint(j, "pinned", d->pinned);
	json_uint(j, "unpinned", d->unpinned);
	json_uint(j, "flushes", d->flushes);
	json_uint(j, "flush_all", d->flush_all);
	json_double(j, "flush_per_s", r->v[COL_FLUSH]);
	json_num(j, "flush_per_unmap", r->v[COL_FLUSH_UNMAP]);
	json_num(j, "flush_mean_range", d->flush_ranged ?
		 (double)d->flush_bytes / d->flush_ranged : NAN);
	json_uint(j, "faults", d->faults);
	json_uint(j, "faults_lost", d->faults_lost);
	json_double(j, "fault_per_s", r->v[COL_FAULT]);
	json_num(j, "fault_p99_us", r->v[COL_FAULT_P99]);
	json_uint(j, "invals", d->invals);
	json_double(j, "inval_per_s", r->v[COL_INVAL]);
	json_uint(j, "dirty_reads", d->dirty_reads);
	json_uint(j, "dirty_read_errors", d->dirty_errors);
	json_uint(j, "dirty_span_bytes", d->dirty_span);
	json_uint(j, "dirty_bytes", d->dirty_bytes);
	json_num(j, "dirty_pct", r->v[COL_DIRTY_PCT]);
	json_double(j, "dirty_read_per_s", r->v[COL_DIRTY]);
	json_uint(j, "access_pins", d->acc_pins);
	json_uint(j, "access_pin_bytes", d->acc_pin_bytes);
	json_uint(j, "access_copies", d->acc_rws);
	json_uint(j, "access_copy_bytes", d->acc_rw_bytes);
	json_uint(j, "access_errors", d->acc_errors);
	json_double(j, "access_per_s", r->v[COL_ACCESS]);
	json_bool(j, "storm", r->storm);
}

static void json_row(struct json *j, const struct row *r, bool fallback)
{
	const struct top_stats *d = &r->d;
	char as[16];

	json_object_begin(j, NULL);
	json_uint(j, "pid", r->key.tgid);
	json_string(j, "comm", r->comm);
	json_string(j, "backend", backend_name(r->key.backend));
	if (r->key.backend == TOP_TYPE1)
		json_uint(j, "container", r->as);
	else
		json_uint(j, "ioas", r->as);
	json_string(j, "as", as_str(r, as, sizeof(as)));
	json_uint(j, "maps", d->ops[TOP_MAP]);
	json_uint(j, "unmaps", d->ops[TOP_UNMAP]);
	json_uint(j, "copies", d->ops[TOP_COPY]);
	json_uint(j, "map_errors", d->errors[TOP_MAP]);
	json_uint(j, "unmap_errors", d->errors[TOP_UNMAP]);
	json_uint(j, "bytes_mapped", d->bytes[TOP_MAP]);
	json_double(j, "map_per_s", r->v[COL_MAP]);
	json_double(j, "unmap_per_s", r->v[COL_UNMAP]);
	json_double(j, "mib_per_s", r->v[COL_MIB]);
	json_num(j, "map_p50_us", r->v[COL_MAP_P50]);
	json_num(j, "map_p99_us", r->v[COL_MAP_P99]);
	json_num(j, "unmap_p99_us", r->v[COL_UNMAP_P99]);
	if (!fallback)
		json_row_tp(j, r);
	json_object_end(j);
}

static void json_storm_event(struct json *j, const struct storm_event *e)
{
	struct row tmp = { .key = e->key, .as = e->as };
	char as[16];

	json_object_begin(j, NULL);
	json_string(j, "event", e->begin ? "begin" : "end");
	json_uint(j, "pid", e->key.tgid);
	json_string(j, "comm", e->comm);
	json_string(j, "backend", backend_name(e->key.backend));
	json_string(j, "as", as_str(&tmp, as, sizeof(as)));
	json_double(j, e->begin ? "flush_per_s" : "peak_flush_per_s", e->rate);
	json_num(j, "mean_range", e->mean_range);
	json_uint(j, "intervals", e->intervals);
	json_object_end(j);
}

static void json_dev(struct json *j, const struct dev *d)
{
	json_object_begin(j, NULL);
	json_string(j, "device", d->name);
	json_string(j, "backend", backend_name(d->key.backend));
	json_uint(j, d->key.backend == TOP_TYPE1 ? "group" : "dev_id", d->key.id);
	if (d->key.backend == TOP_TYPE1) {
		json_uint(j, "container", d->container);
	} else {
		json_uint(j, "ctx", d->ctx);
		json_uint(j, "pasid", d->key.pasid);
		json_uint(j, "hwpt", d->d.pt_id);
		if (d->ioas)
			json_uint(j, "ioas", d->ioas);
	}
	json_bool(j, "attached", d->d.attached);
	json_uint(j, "attaches", d->d.attaches);
	json_uint(j, "detaches", d->d.detaches);
	json_uint(j, "replaces", d->d.replaces);
	json_uint(j, "failures", d->d.failures);
	json_uint(j, "pid", d->d.tgid);
	json_string(j, "comm", d->d.comm);
	json_double(j, "last_change_ago", dev_age(d));
	json_object_end(j);
}

static void json_viommu(struct json *j, const struct viommu *v)
{
	const struct top_viommu *t = &v->v;
	char ty[16];

	json_object_begin(j, NULL);
	json_uint(j, "ctx", v->ctx);
	json_uint(j, "viommu_id", v->key.id);
	json_uint(j, "type", t->type);
	json_string(j, "type_name", viommu_type(v, ty, sizeof(ty)));
	json_uint(j, "dev_id", t->dev_id);
	json_uint(j, "hwpt", t->hwpt_id);
	if (t->ioas)
		json_uint(j, "ioas", t->ioas);
	json_string(j, "state", viommu_state(v));
	json_uint(j, "vdevices", t->vdevices);
	json_uint(j, "veventqs", t->veventqs);
	json_uint(j, "vdevices_allocated", t->vdevice_allocs);
	json_uint(j, "veventqs_allocated", t->veventq_allocs);
	json_uint(j, "invalidations_done", t->invals);
	json_uint(j, "invalidation_entries", t->inval_entries);
	json_uint(j, "invalidation_errors", t->inval_errors);
	json_uint(j, "vevents", t->vevents);
	json_uint(j, "vevents_lost", t->vevents_lost);
	json_uint(j, "vevents_no_queue", t->vevents_noq);
	json_uint(j, "vevent_reads", t->vevent_reads);
	json_uint(j, "lost_header_reads", t->lost_reads);
	json_uint(j, "depth", t->depth);
	json_uint(j, "pending", t->pending);
	json_uint(j, "pid", t->tgid);
	json_string(j, "comm", t->tgid ? t->comm : "");
	json_object_end(j);
}

/* The fields the fallback cannot fill. */
static void json_unavailable(struct json *j, const struct frame *f)
{
	static const char *const u[] = { "flush_per_s", "flush_per_unmap", "fault_per_s",
					 "fault_p99_us", "inval_per_s", "dirty_read_per_s",
					 "dirty_pct", "access_per_s", "pinned", "unpinned",
					 "devices", "viommus", "storms" };
	size_t i;

	json_array_begin(j, "unavailable");
	if (f->fallback) {
		for (i = 0; i < ARRAY_SIZE(u); i++)
			json_string(j, NULL, u[i]);
	}
	json_array_end(j);
}

void print_json(const struct frame *f)
{
	struct json j;
	int i;

	json_init(&j, stdout);
	json_object_begin(&j, NULL);
	json_string(&j, "tool", "ioasid-top");
	json_time(&j, "time");
	json_double(&j, "seconds", f->seconds);
	json_string(&j, "kernel", f->kernel);
	json_string(&j, "mode", f->mode_id);
	json_bool(&j, "fallback", f->fallback);
	bpftool_unloaded_json(&j);
	json_unavailable(&j, f);
	json_totals(&j, f);
	json_array_begin(&j, "rows");
	for (i = 0; i < f->nrows; i++)
		json_row(&j, f->rows[i], f->fallback);
	json_array_end(&j);
	json_array_begin(&j, "storm_events");
	for (i = 0; i < f->nevents; i++)
		json_storm_event(&j, &f->events[i]);
	json_array_end(&j);
	if (!f->fallback) {
		json_array_begin(&j, "devices");
		for (i = 0; i < f->ndevs; i++)
			json_dev(&j, &f->devs[i]);
		json_array_end(&j);
		json_array_begin(&j, "viommus");
		for (i = 0; i < f->nviommus; i++)
			json_viommu(&j, &f->viommus[i]);
		json_array_end(&j);
	}
	json_object_end(&j);
}
