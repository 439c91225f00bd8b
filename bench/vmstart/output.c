// SPDX-License-Identifier: GPL-2.0
/*
 * vmstart's output: statistics of each case's starts (lib/benchstat), the
 * iommufd/type1 comparisons over the block pairs (lib/abba), the JSON
 * document (lib/json) and the 80-column tables.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include "abba.h"
#include "benchstat.h"
#include "json.h"
#include "vmstart.h"

typedef double (*getter)(const struct run *r);

#define GETTER(f) static double get_##f(const struct run *r) { return (double)r->f; }
GETTER(ready_ms)
GETTER(map_ms)
GETTER(quit_ms)
GETTER(map_calls)
GETTER(map_bytes)
GETTER(map_errors)
GETTER(unmap_calls)
GETTER(unmap_bytes)
GETTER(pin_calls)
GETTER(pinned_pages)
GETTER(iotlb_syncs)
GETTER(attach_at_ms)
GETTER(map_start_at_ms)
GETTER(map_end_at_ms)
GETTER(expected_bytes)
static double get_map_frac(const struct run *r)
{
	return r->ready_ms > 0 ? r->map_ms / r->ready_ms : NAN;
}

/* Statistics of one figure over a case's runs (NANs left out). */
static struct bstat stat_of(const struct vcase *c, getter g)
{
	double v[c->n ? c->n : 1];
	struct bstat st;
	int i, n = 0;

	for (i = 0; i < c->n; i++)
		if (!isnan(g(&c->runs[i])))
			v[n++] = g(&c->runs[i]);
	st = bstat_of(v, n);
	return st;
}

static double median(const struct vcase *c, getter g)
{
	return stat_of(c, g).median;
}

static void json_stats(struct json *j, const char *key, const struct vcase *c, getter g)
{
	struct bstat st = stat_of(c, g);

	if (!st.n) {
		json_null(j, key);
		return;
	}
	json_object_begin(j, key);
	bstat_json(j, &st);
	json_object_end(j);
}

/* A median as an integer when it is one. */
static void json_num(struct json *j, const char *key, double v)
{
	if (isnan(v))
		json_null(j, key);
	else if (v == floor(v) && v >= 0 && v < 1e18)
		json_uint(j, key, (uint64_t)v);
	else
		json_double(j, key, v);
}

static void json_env(struct json *j)
{
	bstat_env_begin(j);
	bstat_host_json(j, cfg.series);
	json_string(j, "device", host.bdf);
	json_string(j, "qemu", host.qemu_version);
	json_string(j, "qemu_path", host.qemu_path);
	json_string(j, "accel", cfg.accel);
	json_string(j, "mode", host.tracing ? "events" : "wall time only");
	json_uint(j, "seed", cfg.seed);
	json_object_end(j);
}

/* ---- comparisons ---- */

/* The timed figures with one value per start: one comparison each. */
static const struct metric {
	const char *name;
	getter get;
	bool events;		/* needs the series' events */
} metrics[] = {
	{ "ready", get_ready_ms, false },
	{ "map", get_map_ms, true },
	{ "quit", get_quit_ms, false },
};
#define NMETRICS (sizeof(metrics) / sizeof(metrics[0]))

/* Case @i's type1 partner of the same size and backing if @i is iommufd's. */
static const struct vcase *partner(const struct vcase *cases, int ncases, int i)
{
	const struct vcase *a = &cases[i], *b = &cases[i + 1];

	if (a->be != BE_IOMMUFD || i + 1 >= ncases || b->be != BE_TYPE1 || b->ram != a->ram ||
	    b->bk != a->bk)
		return NULL;
	return b;
}

/* "512M-anon": the case of a comparison (mkreport's name for both backends). */
static void pair_id(const struct vcase *c, char *buf, size_t len)
{
	snprintf(buf, len, "%" PRIu64 "M-%s", c->ram >> 20, bk_names[c->bk]);
}

/* The pairs that both cases ran. */
static int npairs(const struct vcase *a, const struct vcase *b)
{
	return a->n < b->n ? a->n : b->n;
}

static void summarize(const struct vcase *a, const struct vcase *b, const struct metric *m,
		      struct abba *r)
{
	int k = npairs(a, b), p;
	double va[k ? k : 1], vb[k ? k : 1];

	for (p = 0; p < k; p++) {
		va[p] = m->get(&a->runs[p]);
		vb[p] = m->get(&b->runs[p]);
	}
	abba_summarize(va, vb, k, false, cfg.seed, r);
}

/* One comparison object: the blocks (one start each) as they ran, the summary. */
static void json_comparison(struct json *j, const struct vcase *a, const struct vcase *b,
			    const struct metric *m)
{
	struct abba r;
	char id[64];
	int p;

	summarize(a, b, m, &r);
	pair_id(a, id, sizeof(id));
	json_object_begin(j, NULL);
	json_string(j, "case", id);
	json_string(j, "metric", m->name);
	json_string(j, "unit", "ms");
	json_string(j, "better", "lower");
	json_string(j, "a", be_names[a->be]);
	json_string(j, "b", be_names[b->be]);
	json_uint(j, "seed", cfg.seed);
	json_array_begin(j, "blocks");
	for (p = 0; p < npairs(a, b); p++) {
		json_object_begin(j, NULL);
		json_int(j, "pair", p);
		json_string(j, "order", a->runs[p].seq < b->runs[p].seq ? "ab" : "ba");
		json_double(j, "a", m->get(&a->runs[p]));
		json_double(j, "b", m->get(&b->runs[p]));
		json_int(j, "n_a", 1);
		json_int(j, "n_b", 1);
		json_object_end(j);
	}
	json_array_end(j);
	abba_json(j, &r);
	json_object_end(j);
}

static void json_comparisons(struct json *j, const struct vcase *cases, int ncases)
{
	const struct vcase *b;
	unsigned int m;
	int i;

	json_array_begin(j, "comparisons");
	for (i = 0; i < ncases; i++) {
		b = partner(cases, ncases, i);
		for (m = 0; b && m < NMETRICS; m++)
			if (host.tracing || !metrics[m].events)
				json_comparison(j, &cases[i], b, &metrics[m]);
	}
	json_array_end(j);
}

/* ---- the document ---- */

static void json_config(struct json *j)
{
	int i, b;

	json_object_begin(j, "config");
	json_array_begin(j, "backends");
	for (b = 0; b < BE_NR; b++)
		if (cfg.backend_on[b])
			json_string(j, NULL, be_names[b]);
	json_array_end(j);
	json_array_begin(j, "ram_mb");
	for (i = 0; i < cfg.nsizes; i++)
		json_uint(j, NULL, cfg.sizes[i] >> 20);
	json_array_end(j);
	json_array_begin(j, "backings");
	for (b = 0; b < BK_NR; b++)
		if (cfg.backing_on[b])
			json_string(j, NULL, bk_names[b]);
	json_array_end(j);
	json_uint(j, "repeat", cfg.repeat);
	json_string(j, "prealloc", cfg.prealloc < 0 ? "auto" : cfg.prealloc ? "on" : "off");
	json_string(j, "hugetlbfs", host.hugedir);
	json_int(j, "timeout_s", cfg.timeout_s);
	json_int(j, "buffer_kb", cfg.buffer_kb);
	json_int(j, "smp", cfg.smp);
	json_string(j, "boot", cfg.boot_opt ? cfg.boot_opt : "");
	json_array_begin(j, "qemu_args");
	for (i = 0; i < cfg.nextra; i++)
		json_string(j, NULL, cfg.extra[i]);
	json_array_end(j);
	json_object_end(j);
}

/* One start's own figures; seq: its place among all the starts. */
static void json_run(struct json *j, const struct run *r)
{
	json_object_begin(j, NULL);
	json_int(j, "seq", r->seq);
	json_double(j, "ready_ms", r->ready_ms);
	json_double(j, "quit_ms", r->quit_ms);
	if (host.tracing) {
		json_double(j, "map_ms", r->map_ms);
		json_uint(j, "map_calls", r->map_calls);
		json_uint(j, "map_bytes", r->map_bytes);
		json_uint(j, "map_errors", r->map_errors);
		json_uint(j, "unmap_calls", r->unmap_calls);
		json_uint(j, "unmap_bytes", r->unmap_bytes);
		json_uint(j, "pin_calls", r->pin_calls);
		json_uint(j, "pinned_pages", r->pinned_pages);
		json_uint(j, "iotlb_syncs", r->iotlb_syncs);
		json_double(j, "attach_at_ms", r->attach_at_ms);
		json_double(j, "map_start_at_ms", r->map_start_at_ms);
		json_double(j, "map_end_at_ms", r->map_end_at_ms);
	}
	json_uint(j, "expected_bytes", r->expected_bytes);
	json_object_end(j);
}

/* The event figures of a case: statistics and medians, or null without events. */
static void json_case_events(struct json *j, const struct vcase *c)
{
	static const char *const none[] = {
		"map_ms", "map_calls", "map_frac", "map_bytes", "map_errors", "unmap_calls",
		"unmap_bytes", "pin_calls", "pinned_pages", "iotlb_syncs", "attach_at_ms",
		"map_start_at_ms", "map_end_at_ms"
	};
	unsigned int k;

	if (!host.tracing) {
		for (k = 0; k < sizeof(none) / sizeof(none[0]); k++)
			json_null(j, none[k]);
		return;
	}
	json_stats(j, "map_ms", c, get_map_ms);
	json_stats(j, "map_calls", c, get_map_calls);
	json_num(j, "map_frac", median(c, get_map_frac));
	json_num(j, "map_bytes", median(c, get_map_bytes));
	json_num(j, "map_errors", median(c, get_map_errors));
	json_num(j, "unmap_calls", median(c, get_unmap_calls));
	json_num(j, "unmap_bytes", median(c, get_unmap_bytes));
	json_num(j, "pin_calls", median(c, get_pin_calls));
	json_num(j, "pinned_pages", median(c, get_pinned_pages));
	json_num(j, "iotlb_syncs", median(c, get_iotlb_syncs));
	json_num(j, "attach_at_ms", median(c, get_attach_at_ms));
	json_num(j, "map_start_at_ms", median(c, get_map_start_at_ms));
	json_num(j, "map_end_at_ms", median(c, get_map_end_at_ms));
}

static void json_case(struct json *j, const struct vcase *c)
{
	char id[64];
	int k;

	case_id(c, id, sizeof(id));
	json_object_begin(j, NULL);
	json_string(j, "id", id);
	json_string(j, "backend", be_names[c->be]);
	json_uint(j, "ram_mb", c->ram >> 20);
	json_string(j, "backing", bk_names[c->bk]);
	json_bool(j, "prealloc", case_prealloc(c));
	json_int(j, "n", c->n);
	json_stats(j, "ready_ms", c, get_ready_ms);
	json_stats(j, "quit_ms", c, get_quit_ms);
	json_case_events(j, c);
	json_num(j, "expected_bytes", median(c, get_expected_bytes));
	json_array_begin(j, "runs");
	for (k = 0; k < c->n; k++)
		json_run(j, &c->runs[k]);
	json_array_end(j);
	json_object_end(j);
}

void write_json(FILE *f, const struct vcase *cases, int ncases)
{
	struct json j;
	int i;

	json_init(&j, f);
	json_object_begin(&j, NULL);
	json_string(&j, "tool", "vmstart");
	json_int(&j, "version", 1);
	json_string(&j, "unit", "ms");
	json_env(&j);
	json_config(&j);
	json_array_begin(&j, "cases");
	for (i = 0; i < ncases; i++)
		json_case(&j, &cases[i]);
	json_array_end(&j);
	json_comparisons(&j, cases, ncases);
	json_object_end(&j);
}

/* ms as "3512", "41.2", "0.93" in @buf; "-" for NAN. */
static const char *ms_str(double ms, char *buf, size_t len)
{
	if (isnan(ms))
		snprintf(buf, len, "-");
	else if (ms >= 1000)
		snprintf(buf, len, "%.0f", ms);
	else if (ms >= 10)
		snprintf(buf, len, "%.1f", ms);
	else
		snprintf(buf, len, "%.2f", ms);
	return buf;
}

/* Bytes as "513M" / "1.0G". */
static const char *bytes_str(double b, char *buf, size_t len)
{
	if (isnan(b))
		snprintf(buf, len, "-");
	else if (b >= (double)(1ULL << 30))
		snprintf(buf, len, "%.1fG", b / (1ULL << 30));
	else
		snprintf(buf, len, "%.0fM", b / (1ULL << 20));
	return buf;
}

static void print_header(FILE *f)
{
	char plat[64];
	struct utsname u;

	uname(&u);
	fprintf(f, "# %s, kernel %s, series events %s%s%s\n", bstat_platform(plat, sizeof(plat)),
		u.release, bstat_series_events() ? "yes" : "no", cfg.series ? ", series " : "",
		cfg.series ? cfg.series : "");
	fprintf(f, "# QEMU %.*s -accel %s, device %s; N starts per case\n",
		(int)strcspn(host.qemu_version, " "), host.qemu_version, cfg.accel, host.bdf);
	fprintf(f, "# READY: exec -> QMP answers, paused (-S)%s\n",
		host.tracing ? "; MAP: time inside the map ioctls" :
		"\n# kernel without the series' events: wall time only");
	fprintf(f, "# (ms): the median, MIN and MAX over the N starts%s\n",
		host.tracing ? "; MAP%: of READY;\n# CALLS and BYTES mapped up to READY (medians)" :
		"");
}

/* Per case: N, and the median and spread of the ready and map times. */
static void print_spread(FILE *f, const struct vcase *cases, int ncases)
{
	char r[3][16], m[3][16], by[16], id[64];
	int i;

	fprintf(f, "%-20s %2s %5s %5s %5s %5s %5s %5s %5s %5s %5s\n", "CASE", "N", "READY",
		"MIN", "MAX", "MAP", "MIN", "MAX", "MAP%", "CALLS", "BYTES");
	for (i = 0; i < ncases; i++) {
		const struct vcase *c = &cases[i];
		struct bstat rs = stat_of(c, get_ready_ms), ms = stat_of(c, get_map_ms);

		case_id(c, id, sizeof(id));
		fprintf(f, "%-20s %2d %5s %5s %5s", id, c->n, ms_str(rs.median, r[0], 16),
			ms_str(rs.min, r[1], 16), ms_str(rs.max, r[2], 16));
		if (!host.tracing) {
			fprintf(f, " %5s %5s %5s %5s %5s %5s\n", "-", "-", "-", "-", "-", "-");
			continue;
		}
		fprintf(f, " %5s %5s %5s %4.1f%% %5.0f %5s\n", ms_str(ms.median, m[0], 16),
			ms_str(ms.min, m[1], 16), ms_str(ms.max, m[2], 16),
			median(c, get_map_frac) * 100, median(c, get_map_calls),
			bytes_str(median(c, get_map_bytes), by, sizeof(by)));
	}
}

/* Per case: when each step of the start-up came, medians. */
static void print_timeline(FILE *f, const struct vcase *cases, int ncases)
{
	char t[5][16], id[64];
	int i;

	fprintf(f, "\n# where the time goes, ms after exec (medians): ATTACH device attached,\n"
		"# MAP0 first map entered, MAPEND last map returned, READY QMP answers; PINS\n"
		"# pin batches, PINNED pages, SYNCS IOTLB syncs up to READY; QUIT: quit ->\n"
		"# QEMU reaped (unmap and unpin included)\n");
	fprintf(f, "%-20s %7s %7s %7s %7s %5s %7s %5s %7s\n", "CASE", "ATTACH", "MAP0", "MAPEND",
		"READY", "PINS", "PINNED", "SYNCS", "QUIT");
	for (i = 0; i < ncases; i++) {
		const struct vcase *c = &cases[i];

		case_id(c, id, sizeof(id));
		fprintf(f, "%-20s %7s %7s %7s %7s %5.0f %7.0f %5.0f %7s\n", id,
			ms_str(median(c, get_attach_at_ms), t[0], 16),
			ms_str(median(c, get_map_start_at_ms), t[1], 16),
			ms_str(median(c, get_map_end_at_ms), t[2], 16),
			ms_str(median(c, get_ready_ms), t[3], 16), median(c, get_pin_calls),
			median(c, get_pinned_pages), median(c, get_iotlb_syncs),
			ms_str(median(c, get_quit_ms), t[4], 16));
	}
}

/* A comparison's row: ratio, CI, verdict in the backends' names. */
static void print_comparison(FILE *f, const struct vcase *a, const struct vcase *b,
			     const struct metric *m)
{
	char id[64], ratio[16] = "-", ci[32] = "-", k20[16] = "-";
	const char *v;
	struct abba r;

	summarize(a, b, m, &r);
	pair_id(a, id, sizeof(id));
	if (!isnan(r.ratio))
		snprintf(ratio, sizeof(ratio), "%.2f", r.ratio);
	if (!isnan(r.lo))
		snprintf(ci, sizeof(ci), "[%.2f, %.2f]", r.lo, r.hi);
	if (r.k_for_20pct > 0)
		snprintf(k20, sizeof(k20), "%d", r.k_for_20pct);
	v = !strcmp(r.verdict, "a faster") ? "iommufd faster" :
	    !strcmp(r.verdict, "b faster") ? "type1 faster" : r.verdict;
	fprintf(f, "%-13s %-6s %2d %6s  %-13s %4s  %s\n", id, m->name, r.k, ratio, ci, k20, v);
}

static void print_comparisons(FILE *f, const struct vcase *cases, int ncases)
{
	const struct vcase *b;
	unsigned int m;
	int i;

	fprintf(f, "\n# iommufd / type1 over K pairs of starts (ABBA order, seed %lu): the\n"
		"# geometric mean of the pair ratios, its bootstrap 95%% CI over the pairs;\n"
		"# a backend is faster only when the CI excludes 1; K20: the pairs (-r) a\n"
		"# run needs to see a 20%% change of this ratio\n", cfg.seed);
	fprintf(f, "%-13s %-6s %2s %6s  %-13s %4s  %s\n", "CASE", "METRIC", "K", "RATIO",
		"95% CI", "K20", "VERDICT");
	for (i = 0; i < ncases; i++) {
		b = partner(cases, ncases, i);
		for (m = 0; b && m < NMETRICS; m++)
			if (host.tracing || !metrics[m].events)
				print_comparison(f, &cases[i], b, &metrics[m]);
	}
}

void print_table(FILE *f, const struct vcase *cases, int ncases)
{
	print_header(f);
	print_spread(f, cases, ncases);
	if (host.tracing)
		print_timeline(f, cases, ncases);
	if (cfg.backend_on[BE_IOMMUFD] && cfg.backend_on[BE_TYPE1])
		print_comparisons(f, cases, ncases);
}
