// SPDX-License-Identifier: GPL-2.0
/*
 * ioasid-top: the BPF maps -> the frame.  Once per refresh the stats map
 * is read into rows (each diffed with the last refresh, its columns
 * derived, its storms detected), rows of gone processes are dropped, the
 * totals of what no row owns are read, the devices and vIOMMUs.  The views read
 * the frame (top.h), never this file's state.
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpftool.h"
#include "cli.h"
#include "hist.h"
#include "rowidx.h"
#include "seen.h"
#include "top.h"
#include "util.h"
#include "ioasid-top.skel.h"

static struct ioasid_top_bpf *obj;
static const struct storm_params *storm_params;
static int ncpus;
static struct row *rows;
static int nrows, caprows;
static struct rowidx row_index = ROWIDX_INIT(sizeof(struct top_key));
static struct storm_table *storms;
static __u64 *other_vals;	/* the other map: one value per CPU */
static uint64_t other_prev[TOP_NR_OTHER];
static double last_t;
static struct frame frame;

/* the stats map read at once, the shown rows, the devices: kept across refreshes */
static struct stats_ent { struct top_key key; struct top_stats val; } *ents;
static struct row **shown;
static int shown_cap;
static struct dev *devs;
static struct viommu *viommus;

/* type1 containers and iommufd contexts: numbered as seen (as bpf/maplat -I) */
static struct seen containers;
static struct seen contexts;

/* The index again, after rows were dropped and others moved into their place. */
static int reindex_rows(void)
{
	int i;

	rowidx_clear(&row_index);
	for (i = 0; i < nrows; i++)
		if (rowidx_add(&row_index, &rows[i].key, i))
			return -ENOMEM;
	return 0;
}

static struct row *find_row(const struct top_key *k)
{
	int i = rowidx_find(&row_index, k);

	if (i >= 0)
		return &rows[i];
	if (nrows == caprows) {
		struct row *nr = realloc(rows, (caprows ? caprows * 2 : 64) * sizeof(*rows));

		if (!nr)
			return NULL;
		rows = nr;
		caprows = caprows ? caprows * 2 : 64;
	}
	if (rowidx_add(&row_index, k, nrows))
		return NULL;
	memset(&rows[nrows], 0, sizeof(rows[0]));
	rows[nrows].key = *k;
	return &rows[nrows++];
}

static void diff_stats(const struct top_stats *a, const struct top_stats *b, struct top_stats *d)
{
	const __u64 *x = (const __u64 *)a, *y = (const __u64 *)b;
	__u64 *o = (__u64 *)d;
	size_t w, n = offsetof(struct top_stats, comm) / sizeof(__u64);

	for (w = 0; w < n; w++)
		o[w] = x[w] >= y[w] ? x[w] - y[w] : x[w];
}

static double pct_us(const __u64 *slots, double p)
{
	return hist_percentile(slots, TOP_SLOTS, p) / 1000.0;
}

static void derive(struct row *r, double secs)
{
	const struct top_stats *d = &r->d;
	int i;

	for (i = 0; i < NR_COLS; i++)
		r->v[i] = NAN;
	r->v[COL_MAP] = d->ops[TOP_MAP] / secs;
	r->v[COL_UNMAP] = d->ops[TOP_UNMAP] / secs;
	r->v[COL_MIB] = d->bytes[TOP_MAP] / secs / (1 << 20);
	r->v[COL_MAP_P50] = pct_us(d->lat[TOP_MAP], 50);
	r->v[COL_MAP_P99] = pct_us(d->lat[TOP_MAP], 99);
	r->v[COL_UNMAP_P99] = pct_us(d->lat[TOP_UNMAP], 99);
	r->v[COL_FLUSH] = d->flushes / secs;
	r->v[COL_FLUSH_UNMAP] = d->ops[TOP_UNMAP] ? (double)d->flushes / d->ops[TOP_UNMAP] : NAN;
	r->v[COL_FAULT] = d->faults / secs;
	r->v[COL_FAULT_P99] = pct_us(d->fault_lat, 99);
	r->v[COL_INVAL] = d->invals / secs;
	r->v[COL_DIRTY] = d->dirty_reads / secs;
	r->v[COL_DIRTY_PCT] = d->dirty_span ? 100.0 * d->dirty_bytes / d->dirty_span : NAN;
	r->v[COL_ACCESS] = (d->acc_pins + d->acc_rws) / secs;
	r->active = false;
	for (i = 0; i < TOP_NR_OPS; i++)
		r->active |= d->ops[i] || d->errors[i];
	r->active |= d->flushes || d->flush_all || d->faults || d->faults_lost || d->invals ||
		     d->pinned || d->unpinned || d->dirty_reads || d->dirty_errors ||
		     d->acc_pins || d->acc_rws || d->acc_errors;
}

static void storm_event(const struct row *r, const struct storm *s, bool begin)
{
	struct storm_event *e;

	if (frame.nevents == MAX_STORM_EVENTS)
		return;
	e = &frame.events[frame.nevents++];
	e->begin = begin;
	cli_clock(e->clock, sizeof(e->clock));
	e->key = r->key;
	e->as = r->as;
	memcpy(e->comm, r->comm, sizeof(e->comm));
	e->rate = begin ? s->rate : s->peak_rate;
	e->mean_range = s->mean_range;
	e->intervals = s->intervals;
}

static void on_storm_end(const void *key, const struct storm *s, enum storm_transition t,
			 void *arg)
{
	struct row *r = find_row(key);

	if (r) {
		r->storm = false;
		storm_event(r, s, false);
	}
}

/* A device's name, and what it is attached to in the ids the views print. */
static void describe_dev(struct dev *d)
{
	char path[128];
	struct dirent *de;
	DIR *dir;
	size_t l = 0;

	if (d->key.backend == TOP_TYPE1) {
		d->container = seen_number(&containers, d->d.container);
		/* the group's devices */
		snprintf(path, sizeof(path), "/sys/kernel/iommu_groups/%u/devices", d->key.id);
		dir = opendir(path);
		while (dir && (de = readdir(dir)))
			if (de->d_name[0] != '.' && l < sizeof(d->name) - 1)
				l += snprintf(d->name + l, sizeof(d->name) - l, "%s%s",
					      l ? "," : "", de->d_name);
		if (dir)
			closedir(dir);
		if (!l)
			snprintf(d->name, sizeof(d->name), "group %u", d->key.id);
	} else {
		__u64 hk = (__u64)d->d.tgid << 32 | d->d.pt_id;	/* as the BPF side */
		__u32 ioas;

		snprintf(d->name, sizeof(d->name), "%s", d->d.name[0] ? d->d.name : "?");
		d->ctx = seen_number(&contexts, d->key.ctx);
		d->ioas = bpf_map_lookup_elem(bpf_map__fd(obj->maps.hwpt_ioas), &hk,
					      &ioas) ? 0 : ioas;
	}
}

/*
 * The entries of map @fd into @arr (at most @max of @stride bytes: the key
 * first, the value at @voff), but those @gone says have gone, which are
 * deleted from the map after the walk.  The number read.
 */
static int read_entries(int fd, void *arr, size_t stride, size_t ksize, size_t voff, int max,
			bool (*gone)(const void *ent))
{
	char k[32], next[32], dead[64][32];
	int n = 0, ndead = 0, i;
	bool first = true;
	char *e;

	while (n < max && !bpf_map_get_next_key(fd, first ? NULL : k, next)) {
		first = false;
		memcpy(k, next, ksize);
		e = (char *)arr + (size_t)n * stride;
		memset(e, 0, stride);
		if (bpf_map_lookup_elem(fd, k, e + voff))
			continue;
		memcpy(e, k, ksize);
		if (gone(e)) {
			if (ndead < (int)ARRAY_SIZE(dead))
				memcpy(dead[ndead++], k, ksize);
			continue;
		}
		n++;
	}
	for (i = 0; i < ndead; i++)
		bpf_map_delete_elem(fd, dead[i]);
	return n;
}

/*
 * Detached a minute ago and its process gone (its context is gone too);
 * a PASID's attachment detached a minute ago, whatever its process: a
 * guest can use many PASIDs in a VM's lifetime.
 */
static bool dev_gone(const void *ent)
{
	const struct dev *d = ent;

	if (d->d.attached || cli_now() * 1e9 - d->d.last_ns <= 60e9)
		return false;
	if (d->key.pasid)
		return true;
	return d->d.tgid && kill(d->d.tgid, 0) && errno == ESRCH;
}

static int read_devs(void)
{
	int i;

	_Static_assert(sizeof(struct top_dev_key) <= 32, "read_entries' key buffers");
	if (!devs && !(devs = calloc(TOP_MAX_DEVS, sizeof(*devs))))
		return -ENOMEM;
	frame.ndevs = read_entries(bpf_map__fd(obj->maps.devs), devs, sizeof(*devs),
				   sizeof(devs->key), offsetof(struct dev, d), TOP_MAX_DEVS, dev_gone);
	for (i = 0; i < frame.ndevs; i++)
		describe_dev(&devs[i]);
	/* both keyed tgid << 32 | id */
	bpftool_sweep_gone(bpf_map__fd(obj->maps.hwpt_ioas));
	bpftool_sweep_gone(bpf_map__fd(obj->maps.viommu_ctx));
	frame.devs = devs;
	return 0;
}

/* Destroyed a minute ago: shown once at least, whatever the refresh. */
static bool viommu_gone(const void *ent)
{
	const struct viommu *v = ent;

	return v->v.destroyed_ns && cli_now() * 1e9 - v->v.destroyed_ns > 60e9;
}

/* The vIOMMUs: live ones, and destroyed ones for a minute; 0 or -errno. */
static int read_viommus(void)
{
	int i;

	_Static_assert(sizeof(struct top_viommu_key) <= 32, "read_entries' key buffers");
	if (!viommus && !(viommus = calloc(TOP_MAX_VIOMMUS, sizeof(*viommus))))
		return -ENOMEM;
	frame.nviommus = read_entries(bpf_map__fd(obj->maps.viommus), viommus, sizeof(*viommus),
				      sizeof(viommus->key), offsetof(struct viommu, v),
				      TOP_MAX_VIOMMUS, viommu_gone);
	for (i = 0; i < frame.nviommus; i++)
		viommus[i].ctx = seen_number(&contexts, viommus[i].key.ctx);
	frame.viommus = viommus;
	return 0;
}

/* The stats map into the rows: cum now, prev the last refresh's; 0 or -errno. */
static int read_stats(void)
{
	struct bpftool_rows ent_rows = {
		.stride = sizeof(*ents), .max = TOP_MAX_KEYS,
		.key_off = offsetof(typeof(*ents), key), .key_size = sizeof(ents->key),
		.val_off = offsetof(typeof(*ents), val), .val_size = sizeof(ents->val),
	};
	struct top_key k;
	int i, n;

	for (i = 0; i < nrows; i++)
		rows[i].alive = false;
	if (!ents && !(ents = calloc(TOP_MAX_KEYS, sizeof(*ents))))
		return -ENOMEM;
	ent_rows.base = ents;
	n = bpftool_read(bpf_map__fd(obj->maps.stats), &ent_rows);
	if (n < 0)
		return n;
	for (i = 0; i < n; i++) {
		struct row *r = find_row(&ents[i].key);

		k = ents[i].key;
		if (!r)
			return -ENOMEM;
		r->alive = true;
		r->prev = r->cum;
		r->cum = ents[i].val;
		memcpy(r->comm, r->cum.comm, sizeof(r->comm));
		r->comm[TOP_COMM_LEN - 1] = 0;
		if (!r->as)
			r->as = k.backend == TOP_TYPE1 ? seen_number(&containers, k.as) :
				(unsigned int)k.as;
	}
	return 0;
}

/* One row's interval: its columns, its share of the totals, its storm. */
static void update_row(struct row *r, double secs)
{
	const struct storm *st;
	enum storm_transition t;
	double mean;

	if (!r->alive) {	/* deleted (reset) */
		memset(&r->d, 0, sizeof(r->d));
		memset(&r->cum, 0, sizeof(r->cum));
	} else {
		diff_stats(&r->cum, &r->prev, &r->d);
	}
	derive(r, secs);
	frame.map_s += r->v[COL_MAP];
	frame.unmap_s += r->v[COL_UNMAP];
	frame.copy_s += r->d.ops[TOP_COPY] / secs;
	frame.mib_s += r->v[COL_MIB];
	frame.flush_s += r->v[COL_FLUSH];
	frame.fault_s += r->v[COL_FAULT];
	frame.inval_s += r->v[COL_INVAL];
	frame.dirty_s += r->v[COL_DIRTY];
	frame.access_s += r->v[COL_ACCESS];
	if (!frame.fallback && r->d.flushes) {
		mean = r->d.flush_ranged ? (double)r->d.flush_bytes / r->d.flush_ranged : NAN;
		t = storm_table_step(storms, &r->key, r->v[COL_FLUSH], mean, &st);
		r->storm = st && st->active;
		/* a row still flushing, but below the thresholds, ends here */
		if (t != STORM_NONE)
			storm_event(r, st, t == STORM_BEGIN);
	}
}

/* Every row's interval; rows of processes gone and quiet leave the map: how many. */
static int update_rows(double secs)
{
	struct top_key *dead = NULL;
	int i, ndead = 0;

	frame.map_s = frame.unmap_s = frame.copy_s = frame.mib_s = 0;
	frame.flush_s = frame.fault_s = frame.inval_s = frame.dirty_s = frame.access_s = 0;
	for (i = 0; i < nrows; i++) {
		struct row *r = &rows[i];

		update_row(r, secs);
		/* a process gone and quiet: drop its rows from the map too */
		if (r->alive && !r->active && kill(r->key.tgid, 0) && errno == ESRCH) {
			struct top_key *nd = realloc(dead, (ndead + 1) * sizeof(*dead));

			if (nd) {
				dead = nd;
				dead[ndead++] = r->key;
			}
		}
	}
	storm_table_end_interval(storms, on_storm_end, NULL);
	frame.storms = storm_table_active(storms);
	for (i = 0; i < ndead; i++)
		bpf_map_delete_elem(bpf_map__fd(obj->maps.stats), &dead[i]);
	free(dead);
	return ndead;
}

/* Rows that left the map and are idle: forgotten (@ndead: some were deleted). */
static int drop_rows(int ndead)
{
	int i, n = nrows;

	for (i = 0; i < nrows;) {
		if ((!rows[i].alive || (ndead && !rows[i].active && kill(rows[i].key.tgid, 0) &&
					errno == ESRCH)) && !rows[i].storm) {
			rows[i] = rows[--nrows];
			continue;
		}
		i++;
	}
	if (nrows != n && reindex_rows())	/* rows moved: the index follows */
		return -ENOMEM;
	return 0;
}

/* Totals of what no row owns (the other map, per CPU). */
static void read_other(double secs)
{
	__u64 *vals = other_vals;
	__u32 idx;
	int i;

	frame.other_flush_s = 0;
	idx = TOP_OTHER_FLUSHES;
	if (!bpf_map_lookup_elem(bpf_map__fd(obj->maps.other), &idx, vals)) {
		uint64_t s = 0;

		for (i = 0; i < ncpus; i++)
			s += vals[i];
		frame.other_flush_s = (s - other_prev[idx]) / secs;
		other_prev[idx] = s;
		frame.other_flushes = s;
	}
	idx = TOP_OTHER_DROPPED;
	if (!bpf_map_lookup_elem(bpf_map__fd(obj->maps.other), &idx, vals)) {
		frame.dropped = 0;
		for (i = 0; i < ncpus; i++)
			frame.dropped += vals[i];
	}
}

/* The frame's rows: every one, and those @v shows, sorted. */
static int show_rows(const struct view *v)
{
	if (shown_cap < nrows) {
		struct row **ns = realloc(shown, nrows * sizeof(*shown));

		if (!ns)
			return -ENOMEM;
		shown = ns;
		shown_cap = nrows;
	}
	frame.rows = shown;
	frame.all = rows;
	frame.nrows_all = nrows;
	frame_resort(&frame, v);
	return 0;
}

int collect(const struct view *v)
{
	double now = cli_now(), secs = now - last_t;
	int err, ndead;

	if (secs <= 0)
		secs = 1e-9;
	last_t = now;
	frame.seconds = secs;
	frame.nevents = 0;
	cli_clock(frame.clock, sizeof(frame.clock));
	err = read_stats();
	if (err)
		return err;
	ndead = update_rows(secs);
	err = drop_rows(ndead);
	if (err)
		return err;
	read_other(secs);
	err = show_rows(v);
	if (err)
		return err;
	err = read_devs();
	return err ? err : read_viommus();
}

struct frame *collect_init(struct ioasid_top_bpf *o, const struct storm_params *storm)
{
	obj = o;
	storm_params = storm;
	ncpus = libbpf_num_possible_cpus();
	other_vals = calloc(ncpus, sizeof(*other_vals));
	storms = storm_table_new(storm, sizeof(struct top_key));
	if (!other_vals || !storms) {
		fprintf(stderr, "ioasid-top: out of memory (%d CPUs)\n", ncpus);
		return NULL;
	}
	return &frame;
}

void collect_start(void)
{
	last_t = cli_now();
}

/*
 * A vIOMMU's counters start again from zero; what it is (process, type,
 * parent, live vDEVICEs and vEVENTQs) stays, as no event would say it again.
 */
static void reset_viommus(void)
{
	int fd = bpf_map__fd(obj->maps.viommus);
	struct top_viommu_key k, next;
	struct top_viommu v;
	bool first = true;

	while (!bpf_map_get_next_key(fd, first ? NULL : &k, &next)) {
		first = false;
		k = next;
		if (bpf_map_lookup_elem(fd, &k, &v))
			continue;
		memset(&v.invals, 0, offsetof(struct top_viommu, tgid) -
				     offsetof(struct top_viommu, invals));
		v.vdevice_allocs = v.veventq_allocs = 0;
		bpf_map_update_elem(fd, &k, &v, BPF_EXIST);
	}
}

void collect_reset(void)
{
	int fds[] = { bpf_map__fd(obj->maps.stats), bpf_map__fd(obj->maps.devs) };
	char next[64];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(fds); i++)
		while (!bpf_map_get_next_key(fds[i], NULL, next))
			if (bpf_map_delete_elem(fds[i], next))
				break;
	reset_viommus();
	nrows = 0;
	frame.nrows = frame.nrows_all = 0;
	rowidx_clear(&row_index);
	storm_table_free(storms);
	storms = storm_table_new(storm_params, sizeof(struct top_key));
	containers.n = 0;
	contexts.n = 0;
}

void collect_free(void)
{
	storm_table_free(storms);
	free(other_vals);
	free(rows);
	rowidx_free(&row_index);
	free(ents);
	free(shown);
	free(devs);
	free(viommus);
}
