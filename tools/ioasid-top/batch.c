// SPDX-License-Identifier: GPL-2.0
/* ioasid-top: a frame as plain text, like top -b (-b, -1, not a terminal). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>

#include "hist.h"
#include "top.h"

static void print_header(FILE *o, const struct frame *f)
{
	fprintf(o, "ioasid-top - %s  kernel %s  mode %s  refresh %lds  interval %.2fs\n",
		f->clock, f->kernel, f->mode, f->delay, f->seconds);
	fprintf(o, "Total: %.0f map/s  %.0f unmap/s  %.1f MiB/s", f->map_s, f->unmap_s, f->mib_s);
	if (f->fallback)
		fprintf(o, "  rows %d\n", f->nrows_all);
	else
		fprintf(o, "  %.0f flush/s (+%.0f outside)  %.0f fault/s  %.0f inval/s  "
			"%.0f dirty/s  %.0f acc/s  rows %d  storms %d\n", f->flush_s,
			f->other_flush_s, f->fault_s, f->inval_s, f->dirty_s, f->access_s,
			f->nrows_all, f->storms);
	if (f->fallback)
		fprintf(o, "FALLBACK: no iommufd/vfio_iommu_type1 events in this kernel%s; "
			"unavailable: %s\n", f->forced ? " (forced by -F)" : "",
			unavailable_text());
	if (f->dropped)
		fprintf(o, "WARNING: %llu updates dropped: no row (more than %d, or no memory)\n",
			(unsigned long long)f->dropped, TOP_MAX_KEYS);
}

static void print_storm_lines(FILE *o, const struct frame *f)
{
	char sz[16], as[16];
	int i;

	for (i = 0; i < f->nevents; i++) {
		const struct storm_event *e = &f->events[i];
		struct row tmp = { .key = e->key, .as = e->as };

		if (e->begin)
			fprintf(o, "STORM BEGINS %s pid %u %s %s IOAS %s: %.0f flushes/s, mean "
				"range %s, %u intervals\n", e->clock, e->key.tgid, e->comm,
				backend_name(e->key.backend), as_str(&tmp, as, sizeof(as)), e->rate,
				isnan(e->mean_range) ? "-" :
				hist_size_str((uint64_t)e->mean_range, sz, sizeof(sz)),
				e->intervals);
		else
			fprintf(o, "STORM ENDS %s pid %u %s %s IOAS %s: peak %.0f flushes/s, "
				"%u intervals\n", e->clock, e->key.tgid, e->comm,
				backend_name(e->key.backend), as_str(&tmp, as, sizeof(as)), e->rate,
				e->intervals);
	}
}

static void print_devs(const struct frame *f)
{
	char line[256];
	int i;

	printf("\n");
	if (f->fallback) {
		printf(" device view: unavailable in fallback mode\n");
		return;
	}
	printf("%s\n", dev_head(line, sizeof(line)));
	for (i = 0; i < f->ndevs; i++)
		printf("%s\n", dev_line(&f->devs[i], line, sizeof(line)));
	if (!f->ndevs)
		printf(" (no attach or detach seen since start)\n");
	if (!f->nviommus)
		return;
	printf("\n%s\n", viommu_head(line, sizeof(line)));
	for (i = 0; i < f->nviommus; i++)
		printf("%s\n", viommu_line(&f->viommus[i], line, sizeof(line)));
}

void print_batch(const struct frame *f, const struct view *v)
{
	char buf[32];
	int i, c;

	print_header(stdout, f);
	print_storm_lines(stdout, f);
	putchar('\n');
	printf(" ");
	for (c = 0; c < NR_COLS; c++)
		printf(cols[c].left ? "%-*s " : "%*s ", cols[c].width, cols[c].head);
	printf("\n");
	for (i = 0; i < f->nrows; i++) {
		const struct row *r = f->rows[i];

		putchar(r->storm ? '!' : ' ');
		for (c = 0; c < NR_COLS; c++)
			printf(cols[c].left ? "%-*.*s " : "%*.*s ", cols[c].width,
			       cols[c].width, cell(r, c, f->fallback, buf, sizeof(buf)));
		printf("\n");
	}
	if (!f->nrows)
		printf(" (no DMA map activity in this interval)\n");
	if (v->devices)
		print_devs(f);
	printf("\n");
	fflush(stdout);
}
