// SPDX-License-Identifier: GPL-2.0
/* log2 histograms: bucket math, percentile estimates, printing (hist.h). */
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "hist.h"

#define STARS 40

unsigned int hist_slot(uint64_t v)
{
	unsigned int i = 0;

	while (v >>= 1)
		i++;
	return i;
}

void hist_slot_range(unsigned int i, uint64_t *lo, uint64_t *hi)
{
	if (i >= 64) {
		*lo = *hi = UINT64_MAX;
		return;
	}
	*lo = i ? 1ULL << i : 0;
	*hi = i == 63 ? UINT64_MAX : (1ULL << (i + 1)) - 1;
}

uint64_t hist_total(const __u64 *slots, unsigned int n)
{
	uint64_t t = 0;
	unsigned int i;

	for (i = 0; i < n; i++)
		t += slots[i];
	return t;
}

double hist_percentile(const __u64 *slots, unsigned int n, double p)
{
	uint64_t total = hist_total(slots, n), lo, hi;
	double rank, cum = 0;
	unsigned int i;

	if (!total)
		return NAN;
	if (p < 0)
		p = 0;
	if (p > 100)
		p = 100;
	rank = p / 100.0 * (double)total;
	for (i = 0; i < n; i++) {
		if (!slots[i])
			continue;
		if (cum + (double)slots[i] >= rank) {
			hist_slot_range(i, &lo, &hi);
			/* the top slot holds everything above too: a lower bound */
			if (i == n - 1 && n < 64)
				return (double)lo;
			/* the bucket as the continuous range [lo, hi + 1) */
			return (double)lo + (rank - cum) / (double)slots[i] *
					    ((double)hi + 1 - (double)lo);
		}
		cum += (double)slots[i];
	}
	return NAN;	/* not reached: rank <= total */
}

/* First and last non-empty slot; returns 0 if all are empty. */
static int used_range(const __u64 *slots, unsigned int n, unsigned int *first,
		      unsigned int *last)
{
	unsigned int i;
	int any = 0;

	for (i = 0; i < n; i++) {
		if (!slots[i])
			continue;
		if (!any)
			*first = i;
		*last = i;
		any = 1;
	}
	return any;
}

void hist_print_log2(FILE *f, const __u64 *slots, unsigned int n, const char *unit)
{
	unsigned int first = 0, last = 0, i, nstars;
	uint64_t max = 0, lo, hi;
	char bar[STARS + 1];

	if (!used_range(slots, n, &first, &last))
		return;
	for (i = first; i <= last; i++)
		if (slots[i] > max)
			max = slots[i];
	fprintf(f, "%10s %-13s : %-8s %s\n", unit, "", "count", "distribution");
	for (i = first; i <= last; i++) {
		hist_slot_range(i, &lo, &hi);
		nstars = (unsigned int)((slots[i] * STARS + max - 1) / max);
		memset(bar, '*', nstars);
		memset(bar + nstars, ' ', STARS - nstars);
		bar[STARS] = '\0';
		if (i == n - 1 && n < 64)	/* the top slot: everything above too */
			fprintf(f, "%10" PRIu64 " -> %-10s : %-8" PRIu64 " |%s|\n", lo, "inf",
				(uint64_t)slots[i], bar);
		else
			fprintf(f, "%10" PRIu64 " -> %-10" PRIu64 " : %-8" PRIu64 " |%s|\n", lo, hi,
				(uint64_t)slots[i], bar);
	}
}

void hist_json(struct json *j, const char *key, const __u64 *slots, unsigned int n)
{
	unsigned int first = 0, last = 0, i;
	uint64_t lo, hi;

	json_array_begin(j, key);
	if (used_range(slots, n, &first, &last)) {
		for (i = first; i <= last; i++) {
			hist_slot_range(i, &lo, &hi);
			json_object_begin(j, NULL);
			json_uint(j, "lo", lo);
			if (i == n - 1 && n < 64)	/* the top slot: no upper end */
				json_null(j, "hi");
			else
				json_uint(j, "hi", hi);
			json_uint(j, "count", slots[i]);
			json_object_end(j);
		}
	}
	json_array_end(j);
}

const char *hist_size_str(uint64_t bytes, char *buf, size_t len)
{
	static const char units[] = "KMGTPE";
	int u = -1;

	while (bytes && !(bytes & 1023) && u < 5) {
		bytes >>= 10;
		u++;
	}
	if (u < 0)
		snprintf(buf, len, "%" PRIu64, bytes);
	else
		snprintf(buf, len, "%" PRIu64 "%c", bytes, units[u]);
	return buf;
}

const char *hist_bytes_str(double b, char *buf, size_t len)
{
	static const char units[] = "KMGTPE";
	int u = -1;

	while (b >= 1024 && u < 5) {
		b /= 1024;
		u++;
	}
	if (u < 0)
		snprintf(buf, len, "%.0f", b);
	else if (b == (double)(long long)b)
		snprintf(buf, len, "%.0f%c", b, units[u]);
	else
		snprintf(buf, len, "%.1f%c", b, units[u]);
	return buf;
}

double hist_mean(const struct hist_unit *u, uint64_t sum_ns, uint64_t count)
{
	return (double)sum_ns / count / u->ns;
}

void hist_json_block(struct json *j, const char *key, const struct hist_unit *u,
		     const __u64 *slots, unsigned int n, uint64_t count, uint64_t sum_ns)
{
	json_object_begin(j, key);
	json_uint(j, "count", count);
	json_uint(j, "sum_ns", sum_ns);
	hist_json_stats(j, u, slots, n, count, sum_ns);
	hist_json(j, "buckets", slots, n);
	json_object_end(j);
}

void hist_json_stats(struct json *j, const struct hist_unit *u, const __u64 *slots,
		     unsigned int n, uint64_t count, uint64_t sum_ns)
{
	if (!count) {
		json_null(j, "mean");
		json_null(j, "p50");
		json_null(j, "p90");
		json_null(j, "p99");
		return;
	}
	json_double(j, "mean", hist_mean(u, sum_ns, count));
	json_double(j, "p50", hist_percentile(slots, n, 50));
	json_double(j, "p90", hist_percentile(slots, n, 90));
	json_double(j, "p99", hist_percentile(slots, n, 99));
}

void hist_json_unit(struct json *j, const struct hist_unit *u)
{
	json_string(j, "unit", u->name);
	json_string(j, "percentiles", "estimated from log2 buckets, linear within a bucket");
}

const struct hist_unit hist_ns = { "ns", "nsecs", 1 };
const struct hist_unit hist_us = { "us", "usecs", 1000 };
const struct hist_unit hist_ms = { "ms", "msecs", 1000000 };
