// SPDX-License-Identifier: GPL-2.0
/*
 * ioasid-top: the frame's vocabulary, shared by the collector and the
 * views: the columns, cell text, which rows a view shows and in which
 * order.  Depends on no other file of ioasid-top.
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "top.h"

const struct col_desc cols[NR_COLS] = {
	[COL_PID] = { "PID", "pid", 7, false, false, "process id (tgid)" },
	[COL_COMM] = { "COMM", "comm", 15, true, false, "process name" },
	[COL_BACKEND] = { "BACKEND", "backend", 7, true, false, "iommufd or type1" },
	[COL_IOAS] = { "IOAS", "ioas", 6, false, false,
		       "IOAS id (iommufd), c<N> container (type1), - unknown" },
	[COL_MAP] = { "MAP/s", "map", 8, false, false, "successful maps per second" },
	[COL_UNMAP] = { "UNMAP/s", "unmap", 8, false, false, "successful unmaps per second" },
	[COL_MIB] = { "MiB/s", "mib", 7, false, false, "MiB mapped per second" },
	[COL_MAP_P50] = { "MAPp50", "map-p50", 7, false, false, "map latency p50, us" },
	[COL_MAP_P99] = { "MAPp99", "map-p99", 7, false, false, "map latency p99, us" },
	[COL_UNMAP_P99] = { "UNMp99", "unmap-p99", 7, false, false, "unmap latency p99, us" },
	[COL_FLUSH] = { "FLUSH/s", "flush", 8, false, true, "IOTLB syncs per second" },
	[COL_FLUSH_UNMAP] = { "FL/UNM", "flush-unmap", 6, false, true,
			      "IOTLB syncs per unmap" },
	[COL_FAULT] = { "FAULT/s", "fault", 7, false, true,
			"page faults answered per second" },
	[COL_FAULT_P99] = { "FLTp99", "fault-p99", 7, false, true,
			    "fault round trip p99 (queued -> responded), us" },
	[COL_INVAL] = { "INVAL/s", "inval", 7, false, true, "HWPT invalidations per second" },
	[COL_DIRTY] = { "DIRTY/s", "dirty", 7, false, true,
			"dirty bitmap reads per second (live migration)" },
	[COL_DIRTY_PCT] = { "DIRTY%", "dirty-pct", 6, false, true,
			    "share of the IOVA those reads walked found dirty" },
	[COL_ACCESS] = { "ACC/s", "access", 7, false, true,
			 "emulated devices' page pins and copies per second" },
};

const char keys_help[] =
"  s, >       sort by the next column      S, <   sort by the previous column\n"
"  r          reverse the sort order\n"
"  f, /       filter: a PID, or a part of COMM (empty: no filter)\n"
"  v, TAB     switch view: processes / devices\n"
"  a          show idle rows too (toggle)\n"
"  c          reset: forget rows, devices, storms\n"
"  + -        refresh delay +1 s / -1 s (1 to 60 s)\n"
"  h, ?       this help                   q      quit\n";

/* The fallback has no series events: these columns and views stay empty. */
const char *unavailable_text(void)
{
	return "FLUSH/s FL/UNM FAULT/s FLTp99 INVAL/s DIRTY/s DIRTY% ACC/s, pages pinned, "
	       "device view, storms";
}

/* A device attached before ioasid-top started shows only its detach. */
const char *dev_state(const struct dev *d)
{
	if (d->d.attached)
		return "attached";
	return d->d.attaches || d->d.detaches ? "detached" : "failed";
}

/* What @d is attached to (or was, last): "container c2", "hwpt 4 ioas 3", "hwpt 4". */
const char *dev_attached_to(const struct dev *d, char *buf, size_t len)
{
	if (d->key.backend == TOP_TYPE1)
		snprintf(buf, len, "container c%u", d->container);
	else if (d->ioas)
		snprintf(buf, len, "hwpt %u ioas %u", d->d.pt_id, d->ioas);
	else
		snprintf(buf, len, "hwpt %u", d->d.pt_id);
	return buf;
}

/* Seconds since @d's last change. */
double dev_age(const struct dev *d)
{
	return (cli_now() * 1e9 - d->d.last_ns) / 1e9;
}

const char *dev_pasid(const struct dev *d, char *buf, size_t len)
{
	if (d->key.pasid)
		snprintf(buf, len, "%u", d->key.pasid);
	else
		snprintf(buf, len, "-");
	return buf;
}

const char *viommu_type(const struct viommu *v, char *buf, size_t len)
{
	switch (v->v.type) {
	case 0:
		return "default";
	case 1:
		return "smmuv3";
	case 2:
		return "cmdqv";
	case 0xdeadbeef:	/* the iommufd selftest's */
		return "selftest";
	}
	snprintf(buf, len, "%#x", v->v.type);
	return buf;
}

const char *viommu_state(const struct viommu *v)
{
	return v->v.destroyed_ns ? "destroyed" : "live";
}

const char *viommu_pid(const struct viommu *v, char *buf, size_t len)
{
	if (v->v.tgid)
		snprintf(buf, len, "%u", v->v.tgid);
	else
		snprintf(buf, len, "-");
	return buf;
}

/* The device view's lines, for batch and the screen alike. */
#define DEV_FMT " %-24.24s %-7s %6s %5s %-18s %-8s %6s %6s %6s %7s %-15.15s %s"

const char *dev_head(char *buf, size_t len)
{
	snprintf(buf, len, DEV_FMT, "DEVICE", "BACKEND", "ID", "PASID", "ATTACHED TO", "STATE",
		 "ATTACH", "DETACH", "REPL", "PID", "COMM", "LAST CHANGE");
	return buf;
}

const char *dev_line(const struct dev *d, char *buf, size_t len)
{
	char id[12], pasid[12], to[32], at[12], de[12], re[12], pid[12], ago[32];
	double age = dev_age(d);

	snprintf(id, sizeof(id), "%u", d->key.id);
	snprintf(at, sizeof(at), "%u", d->d.attaches);
	snprintf(de, sizeof(de), "%u", d->d.detaches);
	snprintf(re, sizeof(re), "%u", d->d.replaces);
	snprintf(pid, sizeof(pid), "%u", d->d.tgid);
	snprintf(ago, sizeof(ago), "%.0fs ago", age < 0 ? 0 : age);
	snprintf(buf, len, DEV_FMT, d->name, backend_name(d->key.backend), id,
		 dev_pasid(d, pasid, sizeof(pasid)), dev_attached_to(d, to, sizeof(to)),
		 dev_state(d), at, de, re, pid, d->d.comm, ago);
	return buf;
}

#define VIOMMU_FMT " %-7s %-8s %5s %-9s %4s %4s %7s %8s %6s %8s %6s %5s %8s %-9s %-9s %7s %s"

const char *viommu_head(char *buf, size_t len)
{
	snprintf(buf, len, VIOMMU_FMT, "VIOMMU", "TYPE", "DEV", "HWPT/IOAS", "VDEV", "VEVQ",
		 "INVAL", "ENTRIES", "INVERR", "EVENTS", "LOST", "NOQ", "READ", "DEPTH/PND",
		 "STATE", "PID", "COMM");
	return buf;
}

/* Every counter since the alloc (or since ioasid-top started). */
const char *viommu_line(const struct viommu *v, char *buf, size_t len)
{
	char id[24], ty[12], dev[12], par[24], vd[12], vq[12], inv[24], ent[24], ie[24];
	char ev[24], lo[24], nq[24], rd[24], dp[24], pid[12];
	const struct top_viommu *t = &v->v;

	snprintf(id, sizeof(id), "%u:%u", v->ctx, v->key.id);
	snprintf(dev, sizeof(dev), "%u", t->dev_id);
	if (t->ioas)
		snprintf(par, sizeof(par), "%u/%u", t->hwpt_id, t->ioas);
	else
		snprintf(par, sizeof(par), "%u/-", t->hwpt_id);
	snprintf(vd, sizeof(vd), "%u", t->vdevices);
	snprintf(vq, sizeof(vq), "%u", t->veventqs);
	snprintf(inv, sizeof(inv), "%llu", (unsigned long long)t->invals);
	snprintf(ent, sizeof(ent), "%llu", (unsigned long long)t->inval_entries);
	snprintf(ie, sizeof(ie), "%llu", (unsigned long long)t->inval_errors);
	snprintf(ev, sizeof(ev), "%llu", (unsigned long long)t->vevents);
	snprintf(lo, sizeof(lo), "%llu", (unsigned long long)t->vevents_lost);
	snprintf(nq, sizeof(nq), "%llu", (unsigned long long)t->vevents_noq);
	snprintf(rd, sizeof(rd), "%llu", (unsigned long long)t->vevent_reads);
	snprintf(dp, sizeof(dp), "%u/%u", t->depth, t->pending);
	snprintf(buf, len, VIOMMU_FMT, id, viommu_type(v, ty, sizeof(ty)), dev, par, vd, vq, inv,
		 ent, ie, ev, lo, nq, rd, dp, viommu_state(v), viommu_pid(v, pid, sizeof(pid)),
		 t->tgid ? t->comm : "-");
	return buf;
}

const char *backend_name(unsigned int b)
{
	return b == TOP_IOMMUFD ? "iommufd" : b == TOP_TYPE1 ? "type1" : "?";
}

const char *as_str(const struct row *r, char *buf, size_t len)
{
	if (!r->as)
		snprintf(buf, len, "-");
	else if (r->key.backend == TOP_TYPE1)
		snprintf(buf, len, "c%u", r->as);
	else
		snprintf(buf, len, "%u", r->as);
	return buf;
}

static const char *num(double v, char *buf, size_t len)
{
	if (isnan(v))
		snprintf(buf, len, "-");
	else if (v >= 99999.5)
		snprintf(buf, len, "%.0fk", v / 1000);
	else if (v >= 99.95 || v == 0)
		snprintf(buf, len, "%.0f", v);
	else
		snprintf(buf, len, "%.1f", v);
	return buf;
}

const char *cell(const struct row *r, int c, bool fallback, char *buf, size_t len)
{
	switch (c) {
	case COL_PID:
		snprintf(buf, len, "%u", r->key.tgid);
		return buf;
	case COL_COMM:
		snprintf(buf, len, "%s", r->comm);
		return buf;
	case COL_BACKEND:
		return backend_name(r->key.backend);
	case COL_IOAS:
		return as_str(r, buf, len);
	}
	if (fallback && cols[c].tp_only) {
		snprintf(buf, len, "-");
		return buf;
	}
	return num(r->v[c], buf, len);
}

static int cmp_col;
static bool cmp_rev;

static int cmp_rows(const void *a, const void *b)
{
	const struct row *x = *(struct row *const *)a, *y = *(struct row *const *)b;
	int c = 0;

	switch (cmp_col) {
	case COL_PID:
		c = x->key.tgid < y->key.tgid ? -1 : x->key.tgid > y->key.tgid;
		break;
	case COL_COMM:
		c = strcmp(x->comm, y->comm);
		break;
	case COL_BACKEND:
		c = (int)x->key.backend - (int)y->key.backend;
		break;
	case COL_IOAS:
		c = x->as < y->as ? -1 : x->as > y->as;
		break;
	default: {
		/* numbers: largest first, unknown last */
		double p = x->v[cmp_col], q = y->v[cmp_col];

		if (isnan(p) || isnan(q))
			c = isnan(p) - isnan(q);
		else
			c = p > q ? -1 : p < q;
	}
	}
	if (cmp_rev)
		c = -c;
	if (!c)	/* stable: pid, backend, ioas */
		c = x->key.tgid != y->key.tgid ? (x->key.tgid < y->key.tgid ? -1 : 1) :
		    x->key.backend != y->key.backend ? (int)x->key.backend - (int)y->key.backend :
		    (x->as < y->as ? -1 : x->as > y->as);
	return c;
}

static void sort_rows(struct frame *f, const struct view *v)
{
	cmp_col = v->sort;
	cmp_rev = v->reverse;
	qsort(f->rows, f->nrows, sizeof(*f->rows), cmp_rows);
}

int parse_filter(const char *s, struct view *v, char *why, size_t len)
{
	long pid;

	while (*s == ' ')
		s++;
	v->pid = 0;
	v->comm[0] = 0;
	if (!*s)
		return 0;
	if (!cli_parse_long(s, 1, &pid) && pid <= INT_MAX) {
		v->pid = pid;
		return 0;
	}
	if (strlen(s) >= TOP_COMM_LEN) {
		snprintf(why, len, "filter too long: a PID or up to 15 characters of COMM");
		return -1;
	}
	snprintf(v->comm, sizeof(v->comm), "%s", s);
	return 0;
}

static bool row_shown(const struct row *r, const struct view *v)
{
	if (v->pid && r->key.tgid != (__u32)v->pid)
		return false;
	if (v->comm[0] && !strstr(r->comm, v->comm))
		return false;
	return v->all || r->active || r->storm;
}

void frame_resort(struct frame *f, const struct view *v)
{
	int i;

	f->nrows = 0;
	for (i = 0; i < f->nrows_all; i++)
		if (row_shown(&f->all[i], v))
			f->rows[f->nrows++] = &f->all[i];
	f->delay = v->delay;
	sort_rows(f, v);
}
