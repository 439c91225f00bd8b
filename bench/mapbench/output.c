// SPDX-License-Identifier: GPL-2.0
/*
 * mapbench's output: the JSON document (environment, configuration, per
 * case and backend the statistics of the pooled samples with the samples
 * themselves, and the ABBA comparisons of the block medians) and the
 * table.
 */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "benchstat.h"
#include "json.h"
#include "mapbench.h"
#include "tracefs.h"

static void stats(const struct samples *s, struct bstat *st)
{
	if (bstat_of_u64(st, s->v, s->n))
		die("out of memory");
}

static double median_of(const struct samples *s)
{
	struct bstat st;

	stats(s, &st);
	return st.median;
}

void case_id(const struct bcase *c, char *buf, size_t len)
{
	char sz[32];

	snprintf(buf, len, "%s-%s-%s-t%d", c->pat == PAT_IO ? "io" : "vm",
		 size_str(c->size, sz, sizeof(sz)), backing_names[c->bk], c->threads);
}

/* ---- JSON ---- */

/* --inject-slowdown: the median over calls of stretched / unstretched time. */
static double call_stretch(const struct samples *s)
{
	double *q = malloc((s->n ? s->n : 1) * sizeof(double));
	double m;
	size_t i, n = 0;

	if (!q)
		die("out of memory");
	for (i = 0; i < s->n; i++)
		if (s->raw[i])
			q[n++] = (double)s->v[i] / s->raw[i];
	m = bstat_of(q, n).median;
	free(q);
	return m;
}

static void json_stats(struct json *j, const char *key, const struct samples *s)
{
	struct bstat st;
	size_t i;

	stats(s, &st);
	json_object_begin(j, key);
	bstat_json(j, &st);
	if (s->raw)
		json_double(j, "call_stretch", call_stretch(s));
	json_array_begin(j, "samples");
	for (i = 0; i < s->n; i++)
		json_uint(j, NULL, s->v[i]);
	json_array_end(j);
	json_object_end(j);
}

static void json_config(struct json *j)
{
	int i, be;

	json_object_begin(j, "config");
	json_uint(j, "iterations", mb.iters);
	json_uint(j, "warmup", mb.warmup);
	json_uint(j, "repeat", mb.repeat);
	json_uint(j, "threads", mb.threads);
	json_uint(j, "blocks", mb.blocks);
	json_uint(j, "max_blocks", mb.max_blocks);
	json_uint(j, "max_repeat", mb.max_repeat);
	json_uint(j, "iova", mb.iova_base);
	json_array_begin(j, "backends");
	for (be = 0; be < mb.nbe; be++)
		json_string(j, NULL, vdev_backend_name(mb.be[be]));
	json_array_end(j);
	json_array_begin(j, "io_sizes");
	for (i = 0; i < mb.n_io; i++)
		json_uint(j, NULL, mb.io_sizes[i]);
	json_array_end(j);
	json_array_begin(j, "vm_sizes");
	for (i = 0; i < mb.n_vm; i++)
		json_uint(j, NULL, mb.vm_sizes[i]);
	json_array_end(j);
	json_array_begin(j, "backings");
	for (i = 0; i < BK_NR; i++)
		if (mb.backing_on[i])
			json_string(j, NULL, backing_names[i]);
	json_array_end(j);
	json_object_end(j);
}

/*
 * The pairs of case @c: k_planned (-k or -r), k_max (-K or -R; = planned
 * without a second stage), k_need: what the planned pairs' spread said a
 * 20% change needs (null without a second stage or an estimate).
 */
static void json_case_pairs(struct json *j, const struct bcase *c)
{
	json_int(j, "k_planned", c->k0);
	json_int(j, "k_max", c->kmax);
	if (c->kmax > c->k0 && c->need > 0)
		json_int(j, "k_need", c->need);
	else
		json_null(j, "k_need");
}

static void json_case(struct json *j, const struct bcase *c)
{
	char id[64];
	int k, be;

	case_id(c, id, sizeof(id));
	json_object_begin(j, NULL);
	json_string(j, "id", id);
	json_string(j, "pattern", c->pat == PAT_IO ? "io" : "vm");
	json_uint(j, "bytes", c->size);
	json_string(j, "backing", backing_names[c->bk]);
	json_int(j, "threads", c->threads);
	json_uint(j, "n", c->n);
	json_case_pairs(j, c);
	json_uint(j, "phys_runs", c->phys_runs);
	json_uint(j, "thp_bytes", c->thp_bytes);
	json_object_begin(j, "results");
	for (be = 0; be < 2; be++) {
		const struct result *r = &c->r[be];

		if (!r->done)
			continue;
		json_object_begin(j, vdev_backend_name(mb.be[be]));
		for (k = 0; k < OP_NR; k++)
			json_stats(j, op_names[k], &r->s[k]);
		json_double(j, "wall_s", r->wall_s);
		json_double(j, "ops_per_s", r->wall_s > 0 ? r->s[OP_BOTH].n / r->wall_s : 0);
		json_object_end(j);
	}
	json_object_end(j);
	/* a median / b median of the pooled samples, per operation. */
	json_object_begin(j, "ratio");
	for (k = 0; k < OP_NR; k++) {
		double t = c->r[1].done ? median_of(&c->r[1].s[k]) : 0;

		if (c->r[0].done && t > 0)
			json_double(j, op_names[k], median_of(&c->r[0].s[k]) / t);
		else
			json_null(j, op_names[k]);
	}
	json_object_end(j);
	json_object_end(j);
}

/* One member of "comparisons": case @c, op @k (both backends ran). */
static void json_comparison(struct json *j, const struct bcase *c, int k)
{
	const struct result *ra = &c->r[0], *rb = &c->r[1];
	char id[64];
	int b;

	case_id(c, id, sizeof(id));
	json_object_begin(j, NULL);
	json_string(j, "case", id);
	json_string(j, "metric", op_names[k]);
	json_string(j, "unit", "ns");
	json_string(j, "better", "lower");
	json_string(j, "a", vdev_backend_name(mb.be[0]));
	json_string(j, "b", vdev_backend_name(mb.be[1]));
	json_uint(j, "seed", c->seed);
	json_case_pairs(j, c);
	json_array_begin(j, "blocks");
	for (b = 0; b < c->k; b++) {
		json_object_begin(j, NULL);
		json_int(j, "pair", b);
		json_string(j, "order", abba_order(c->seed, b));
		json_double(j, "a", c->med[0][k][b]);
		json_double(j, "b", c->med[1][k][b]);
		json_uint(j, "n_a", ra->blk[b + 1] - ra->blk[b]);
		json_uint(j, "n_b", rb->blk[b + 1] - rb->blk[b]);
		json_object_end(j);
	}
	json_array_end(j);
	abba_json(j, &c->cmp[k]);
	/*
	 * --inject-slowdown: the ratio of the same calls unstretched, so the
	 * shift the injection made in this figure is known exactly.
	 */
	if (c->med_raw[k]) {
		json_object_begin(j, "injected");
		json_double(j, "ratio_unstretched", c->cmp_raw[k].ratio);
		json_double(j, "shift", c->cmp[k].ratio / c->cmp_raw[k].ratio);
		json_double(j, "call_stretch", call_stretch(&ra->s[k]));
		json_object_end(j);
	}
	json_object_end(j);
}

void write_json(FILE *f)
{
	struct json j;
	int i, k;

	json_init(&j, f);
	json_object_begin(&j, NULL);
	json_string(&j, "tool", "mapbench");
	json_int(&j, "version", 1);
	json_string(&j, "unit", "ns");
	json_env(&j);
	json_config(&j);
	json_array_begin(&j, "cases");
	for (i = 0; i < ncases; i++)
		json_case(&j, &cases[i]);
	json_array_end(&j);
	json_array_begin(&j, "comparisons");
	for (i = 0; i < ncases; i++)
		if (cases[i].r[0].done && cases[i].r[1].done)
			for (k = 0; k < OP_NR; k++)
				json_comparison(&j, &cases[i], k);
	json_array_end(&j);
	json_object_end(&j);
}

/* ---- the table ---- */

/* ns as "123ns", "12.3us", "4.56ms", "1.23s" in @buf. */
static const char *tstr(double ns, char *buf, size_t len)
{
	if (ns < 1e3)
		snprintf(buf, len, "%.0fns", ns);
	else if (ns < 1e6)
		snprintf(buf, len, "%.3gus", ns / 1e3);
	else if (ns < 1e9)
		snprintf(buf, len, "%.3gms", ns / 1e6);
	else
		snprintf(buf, len, "%.3gs", ns / 1e9);
	return buf;
}

static void print_stats_cols(FILE *f, const struct result *r, int k)
{
	char a[16], b[16], c[16];
	struct bstat st;

	if (!r->done) {
		fprintf(f, " %8s %8s %8s %5s", "-", "-", "-", "-");
		return;
	}
	stats(&r->s[k], &st);
	fprintf(f, " %8s %8s %8s %4.0f%%", tstr(st.median, a, sizeof(a)),
		tstr(st.p99, b, sizeof(b)), tstr(st.min, c, sizeof(c)), st.cv * 100);
}

/* RATIO [LO-HI] V: the ABBA ratio, its CI, and who is faster. */
static void print_ratio(FILE *f, const struct bcase *c, int k)
{
	const struct abba *a = &c->cmp[k];
	char mark = '?';

	if (!c->r[0].done || !c->r[1].done || isnan(a->ratio)) {
		fprintf(f, " | %-19s\n", "-");
		return;
	}
	if (!strcmp(a->verdict, "a faster"))
		mark = vdev_backend_name(mb.be[0])[0];
	else if (!strcmp(a->verdict, "b faster"))
		mark = vdev_backend_name(mb.be[1])[0];
	else if (!strcmp(a->verdict, "no difference"))
		mark = '=';
	if (isnan(a->lo))
		fprintf(f, " | %5.2f %11s %c\n", a->ratio, "", mark);
	else
		fprintf(f, " | %5.2f [%4.2f-%4.2f] %c\n", a->ratio, a->lo, a->hi, mark);
}

static void print_header(FILE *f)
{
	const char *a = vdev_backend_name(mb.be[0]);
	const char *b = mb.nbe > 1 ? vdev_backend_name(mb.be[1]) : "-";
	char plat[64], cpu[128];
	struct utsname u;

	uname(&u);
	bstat_cpu_model(cpu, sizeof(cpu));
	fprintf(f, "# %s, kernel %s, series events %s%s%s, %s (%ld CPUs), device %s\n",
		bstat_platform(plat, sizeof(plat)), u.release,
		tracefs_event_exists("iommufd", "iommufd_ioas_map") == 1 ? "yes" : "no",
		mb.series ? ", series " : "", mb.series ? mb.series : "", cpu,
		sysconf(_SC_NPROCESSORS_ONLN), mb.bdf);
	fprintf(f, "# per call: median, p99, min and CV over N samples (threads x rounds, all\n"
		"# blocks); RUNS: physically contiguous runs in the buffers; RATIO: %s/%s,\n"
		"# geometric mean over K block pairs (io K=%ld, vm K=R=%ld; ABBA order, seed %lu)\n"
		"# of the ratio of block medians, [bootstrap 95%% CI]; %c/%c: %s/%s faster\n"
		"# (CI excludes 1), =: no difference, ?: too few blocks\n",
		a, b, mb.blocks, mb.repeat, mb.seed, a[0], b[0], a, b);
	if ((mb.max_blocks || mb.max_repeat) && mb.nbe > 1)
		fprintf(f, "# two-stage K: after the planned pairs, as many as their spread says a\n"
			"# 20%% change needs, at most io %ld, vm %ld pairs (K of a case: its\n"
			"# comparison in the JSON)\n",
			mb.max_blocks ? mb.max_blocks : mb.blocks,
			mb.max_repeat ? mb.max_repeat : mb.repeat);
	if (mb.slowdown_pct > 0)
		fprintf(f, "# INJECTED SLOWDOWN: every %s call made %g%% slower (a test of "
			"the comparison)\n", a, mb.slowdown_pct);
}

void print_table(FILE *f)
{
	char sz[32];
	int i, k;

	print_header(f);
	fprintf(f, "%-3s %5s %-7s %3s %5s %6s %-9s | %-8s %8s %8s %5s | %-8s %8s %8s %5s | %s\n",
		"PAT", "SIZE", "BACKING", "THR", "N", "RUNS", "OP", vdev_backend_name(mb.be[0]),
		"p99", "min", "CV", mb.nbe > 1 ? vdev_backend_name(mb.be[1]) : "-", "p99", "min",
		"CV", "RATIO [95% CI]");
	for (i = 0; i < ncases; i++) {
		const struct bcase *c = &cases[i];

		for (k = 0; k < OP_NR; k++) {
			const struct result *ri = &c->r[0], *rt = &c->r[1];
			size_t n = ri->done ? ri->s[k].n : rt->done ? rt->s[k].n : 0;

			fprintf(f, "%-3s %5s %-7s %3d %5zu %6" PRIu64 " %-9s |",
				c->pat == PAT_IO ? "io" : "vm", size_str(c->size, sz, sizeof(sz)),
				backing_names[c->bk], c->threads, n, c->phys_runs, op_names[k]);
			print_stats_cols(f, ri, k);
			fprintf(f, " |");
			print_stats_cols(f, rt, k);
			print_ratio(f, c, k);
		}
	}
}
