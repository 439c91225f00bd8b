// SPDX-License-Identifier: GPL-2.0
/*
 * flushstat: what an interval's report says, as text or as JSON lines,
 * and the flush-storm alerts (lib/storm decides, this says what a storm
 * was).  Reads struct report only, never the maps.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bpftool.h"
#include "cli.h"
#include "flushstat-user.h"
#include "hist.h"
#include "json.h"

static const char *const attrib_names[] = { "tracepoint", "syscalls", "raw_syscalls", "none" };
const char *const source_names[] = { "iotlb_sync", "cache_tag", "qi_submit", "none" };
static const char *const backend_names[] = { "iommufd", "type1", "other" };
static const char *const id_kinds[] = { "ioas", "container", NULL };

/* ---- text ---- */

static const char *id_str(__u8 backend, __u32 id, char *buf, size_t len)
{
	if (backend == FS_IOMMUFD)
		snprintf(buf, len, "ioas %u", id);
	else if (backend == FS_TYPE1)
		snprintf(buf, len, "ctr %u", id);
	else
		snprintf(buf, len, "-");
	return buf;
}

static const char *dom_str(int src, __u32 dom, char *buf, size_t len)
{
	if (src == FS_SRC_IOTLB_SYNC)
		snprintf(buf, len, "#%u", dom);
	else
		snprintf(buf, len, "did %u", dom - 1);
	return buf;
}

/* The RANGE column: the mean bytes a sync flushed, "-" without syncs. */
static const char *range_str(__u64 range_bytes, __u64 syncs, char *buf, size_t len)
{
	if (syncs)
		return hist_bytes_str((double)range_bytes / syncs, buf, len);
	snprintf(buf, len, "-");
	return buf;
}

static void print_processes(const struct report *r, const struct view *v)
{
	char a[32], b[32], c[32];
	int i;

	printf("%7s %-15s %-7s %-7s %9s %6s %8s %6s %7s\n", "PID", "COMM", "BACKEND", "ID",
	       "SYNCS/s", "FLALL", "UNMAPS", "FL/UNM", "RANGE");
	for (i = 0; i < r->np && i < v->rows; i++) {
		const struct prow *p = &r->p[i];

		if (p->unmaps)
			snprintf(b, sizeof(b), "%.2f", (double)p->unmap_syncs / p->unmaps);
		else
			snprintf(b, sizeof(b), "-");
		printf("%7u %-15s %-7s %-7s %9.0f %6llu %8llu %6s %7s\n", p->tgid, p->comm,
		       backend_names[p->backend], id_str(p->backend, p->id, a, sizeof(a)),
		       p->syncs / r->secs, (unsigned long long)p->flush_all,
		       (unsigned long long)p->unmaps, b,
		       range_str(p->range_bytes, p->syncs, c, sizeof(c)));
	}
	if (r->np > v->rows)
		printf("(%d more)\n", r->np - (int)v->rows);
}

/* The USED BY column into @users (64 bytes): "ioas 2, ctr 1, ..." within 48. */
static void users_str(const struct drow *d, char *users)
{
	char a[32];
	int k;

	users[0] = 0;
	for (k = 0; k < d->nusers; k++) {
		if (d->users[k].backend == FS_OTHER)
			snprintf(a, sizeof(a), "other");
		else
			id_str(d->users[k].backend, d->users[k].id, a, sizeof(a));
		if (strlen(users) + strlen(a) + 6 >= 48) {
			strcat(users, ", ...");
			return;
		}
		if (k)
			strcat(users, ", ");
		strcat(users, a);
	}
	if (d->more_users)
		strcat(users, ", ...");
}

static void print_domains(const struct report *r, const struct view *v)
{
	char b[32], c[32], users[64];
	int i;

	printf("%7s %9s %6s %7s  %s\n", "DOMAIN", "SYNCS/s", "FLALL", "RANGE", "USED BY");
	for (i = 0; i < r->nd && i < v->rows; i++) {
		const struct drow *d = &r->d[i];

		users_str(d, users);
		printf("%7s %9.0f %6llu %7s  %s\n", dom_str(r->src, d->dom, b, sizeof(b)),
		       d->syncs / r->secs, (unsigned long long)d->flush_all,
		       range_str(d->range_bytes, d->syncs, c, sizeof(c)), users);
	}
	if (r->nd > v->rows)
		printf("(%d more)\n", r->nd - (int)v->rows);
}

void print_human(const struct report *r, const struct view *v)
{
	char ts[16];
	int i;

	if (v->timestamp)
		printf("%s\n", cli_clock(ts, sizeof(ts)));
	if (r->dropped)
		printf("%llu events not counted: the kernel's table of %d rows was full\n",
		       (unsigned long long)r->dropped, MAX_KEYS);
	if (!r->np) {
		printf("no IOTLB flushes or unmaps seen\n\n");
		fflush(stdout);
		return;
	}
	print_processes(r, v);
	if (r->nd)
		print_domains(r, v);
	if (v->ranges) {
		for (i = 0; i < FS_NR_BACKENDS; i++) {
			if (!hist_total(r->ranges[i].slots, RANGE_SLOTS))
				continue;
			printf("%s: range of the syncs\n", backend_names[i]);
			hist_print_log2(stdout, r->ranges[i].slots, RANGE_SLOTS, "bytes");
		}
	}
	printf("\n");
	fflush(stdout);
}

/* ---- JSON ---- */

static void json_unavailable(struct json *j, const struct report *r)
{
	json_array_begin(j, "unavailable");
	if (r->src == FS_SRC_NONE) {
		json_string(j, NULL, "syncs");
		json_string(j, NULL, "flush_all");
		json_string(j, NULL, "range");
		json_string(j, NULL, "storms");
	}
	if (r->src == FS_SRC_CACHE_TAG || r->src == FS_SRC_QI)
		json_string(j, NULL, "domain_ptr");
	if (r->attrib == ATTR_NONE)
		json_string(j, NULL, "attribution");
	json_array_end(j);
}

/* backend, and ioas or container where it has one */
static void json_backend_id(struct json *j, __u8 backend, __u32 id)
{
	json_string(j, "backend", backend_names[backend]);
	if (id_kinds[backend])
		json_uint(j, id_kinds[backend], id);
}

static void json_process(struct json *j, const struct prow *p, double secs)
{
	json_object_begin(j, NULL);
	json_uint(j, "pid", p->tgid);
	json_string(j, "comm", p->comm);
	json_backend_id(j, p->backend, p->id);
	json_uint(j, "syncs", p->syncs);
	json_double(j, "syncs_per_s", p->syncs / secs);
	json_uint(j, "flush_all", p->flush_all);
	json_uint(j, "range_bytes", p->range_bytes);
	json_uint(j, "empty_syncs", p->empty_syncs);
	if (p->syncs)
		json_double(j, "mean_range", (double)p->range_bytes / p->syncs);
	else
		json_null(j, "mean_range");
	json_uint(j, "unmaps", p->unmaps);
	json_uint(j, "unmaps_failed", p->unmaps_failed);
	json_uint(j, "unmap_syncs", p->unmap_syncs);
	if (p->unmaps)
		json_double(j, "syncs_per_unmap", (double)p->unmap_syncs / p->unmaps);
	else
		json_null(j, "syncs_per_unmap");
	json_uint(j, "maps", p->maps);
	json_uint(j, "copies", p->copies);
	json_object_end(j);
}

static void json_domain(struct json *j, const struct drow *d, int src)
{
	int k;

	json_object_begin(j, NULL);
	if (src == FS_SRC_IOTLB_SYNC)
		json_uint(j, "domain", d->dom);
	else
		json_uint(j, "did", d->dom - 1);
	json_uint(j, "syncs", d->syncs);
	json_uint(j, "flush_all", d->flush_all);
	json_uint(j, "range_bytes", d->range_bytes);
	json_uint(j, "empty_syncs", d->empty_syncs);
	json_array_begin(j, "users");
	for (k = 0; k < d->nusers; k++) {
		json_object_begin(j, NULL);
		json_backend_id(j, d->users[k].backend, d->users[k].id);
		json_object_end(j);
	}
	json_array_end(j);
	json_bool(j, "more_users", d->more_users);
	json_object_end(j);
}

void print_json(const struct report *r)
{
	struct json j;
	int i;

	json_init(&j, stdout);
	json_object_begin(&j, NULL);
	json_string(&j, "tool", "flushstat");
	json_string(&j, "type", "interval");
	json_string(&j, "attribution", attrib_names[r->attrib]);
	json_string(&j, "source", source_names[r->src]);
	json_bool(&j, "fallback", r->attrib != ATTR_TP || r->src != FS_SRC_IOTLB_SYNC);
	bpftool_unloaded_json(&j);
	json_time(&j, "time");
	json_double(&j, "seconds", r->secs);
	json_uint(&j, "dropped", r->dropped);
	json_unavailable(&j, r);
	json_array_begin(&j, "processes");
	for (i = 0; i < r->np; i++)
		json_process(&j, &r->p[i], r->secs);
	json_array_end(&j);
	json_array_begin(&j, "domains");
	for (i = 0; i < r->nd; i++)
		json_domain(&j, &r->d[i], r->src);
	json_array_end(&j);
	json_object_begin(&j, "ranges");
	for (i = 0; i < FS_NR_BACKENDS; i++)
		hist_json(&j, backend_names[i], r->ranges[i].slots, RANGE_SLOTS);
	json_object_end(&j);
	json_object_end(&j);
}

/* ---- storms ---- */

struct storm_key {
	__u32 tgid, id, backend;	/* no padding: compared with memcmp */
};

/* Per key beyond lib/storm's state, for the alerts. */
struct storm_info {
	char comm[TASK_COMM_LEN];
	__u64 streak_syncs, streak_bytes;	/* over the current run of hot intervals */
	double streak_secs;
	__u64 total_syncs;			/* while active */
	double began;				/* cli_now() */
};

static struct storm_table *storms;
static const struct view *storm_view;

/* Two lines, to stay within 80 columns. */
static void storm_text(const struct storm_key *k, const struct storm_info *s, bool begin,
		       const char *why)
{
	double rate = s->streak_syncs / s->streak_secs;
	double mean = (double)s->streak_bytes / s->streak_syncs;
	char a[32], b[32], ts[16];

	if (storm_view->timestamp)
		printf("%s ", cli_clock(ts, sizeof(ts)));
	if (k->backend == FS_OTHER)
		snprintf(a, sizeof(a), "other");
	else
		snprintf(a, sizeof(a), "%s %s %u", backend_names[k->backend],
			 id_kinds[k->backend], k->id);
	if (begin)
		printf("STORM begins: pid %u comm %s backend %s:\n"
		       "  %.0f syncs/s, mean range %s\n", k->tgid, s->comm, a, rate,
		       hist_bytes_str(mean, b, sizeof(b)));
	else
		printf("STORM ends: pid %u comm %s backend %s:\n"
		       "  after %.0f s, %llu syncs%s\n", k->tgid, s->comm, a,
		       cli_now() - s->began, (unsigned long long)s->total_syncs, why);
	fflush(stdout);
}

static void storm_json(const struct storm_key *k, const struct storm_info *s,
		       const struct storm *st, bool begin, const char *why)
{
	struct json j;

	json_init(&j, stdout);
	json_object_begin(&j, NULL);
	json_string(&j, "tool", "flushstat");
	json_string(&j, "type", begin ? "storm_begin" : "storm_end");
	json_time(&j, "time");
	json_uint(&j, "pid", k->tgid);
	json_string(&j, "comm", s->comm);
	json_backend_id(&j, k->backend, k->id);
	if (begin) {
		json_double(&j, "syncs_per_s", s->streak_syncs / s->streak_secs);
		json_double(&j, "mean_range", (double)s->streak_bytes / s->streak_syncs);
		json_uint(&j, "intervals", st->hot);
	} else {
		json_double(&j, "duration", cli_now() - s->began);
		json_uint(&j, "syncs", s->total_syncs);
		json_bool(&j, "tracing_stopped", why[0] != 0);
	}
	json_object_end(&j);
}

static void storm_record(const struct storm_key *k, const struct storm_info *s,
			 const struct storm *st, bool begin, const char *why)
{
	if (storm_view->json)
		storm_json(k, s, st, begin, why);
	else
		storm_text(k, s, begin, why);
}

/* The END of a key not seen in the interval, or of every storm at exit. */
static void on_storm_end(const void *key, const struct storm *st, enum storm_transition t,
			 void *arg)
{
	const struct storm_info *s = storm_table_data(storms, key);

	if (s)
		storm_record(key, s, st, false, arg ? " (tracing stopped)" : "");
}

int storms_init(const struct storm_params *p, const struct view *v)
{
	storms = storm_table_new_data(p, sizeof(struct storm_key), sizeof(struct storm_info));
	storm_view = v;
	return storms ? 0 : -ENOMEM;
}

void storms_update(const struct report *r)
{
	enum storm_transition tr;
	const struct storm *st;
	struct storm_info *s;
	int i;

	if (!storms)
		return;
	for (i = 0; i < r->np; i++) {
		const struct prow *p = &r->p[i];
		struct storm_key k = { p->tgid, p->id, p->backend };

		tr = storm_table_step(storms, &k, p->syncs / r->secs,
				      p->syncs ? (double)p->range_bytes / p->syncs : NAN, &st);
		s = storm_table_data(storms, &k);
		if (!st || !s)
			continue;	/* cool, and not a storm yet: not kept */
		memcpy(s->comm, p->comm, sizeof(s->comm));
		if (!st->hot) {
			if (tr == STORM_END)
				storm_record(&k, s, st, false, "");
			continue;
		}
		if (st->hot == 1) {	/* a new run of hot intervals */
			s->streak_syncs = s->streak_bytes = 0;
			s->streak_secs = 0;
		}
		s->streak_syncs += p->syncs;
		s->streak_bytes += p->range_bytes;
		s->streak_secs += r->secs;
		if (tr == STORM_BEGIN) {
			s->began = cli_now() - s->streak_secs;
			s->total_syncs = s->streak_syncs;
			storm_record(&k, s, st, true, "");
		} else if (st->active) {
			s->total_syncs += p->syncs;
		}
	}
	storm_table_end_interval(storms, on_storm_end, NULL);
}

void storms_close(void)
{
	static bool stopped = true;

	if (storms)
		storm_table_end_all(storms, on_storm_end, &stopped);
}

void storms_free(void)
{
	storm_table_free(storms);
	storms = NULL;
}
