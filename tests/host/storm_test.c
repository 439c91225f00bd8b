// SPDX-License-Identifier: GPL-2.0
/*
 * Feeds lib/storm.c sequences of intervals and prints the transitions as
 * "name value" lines for tests/host/storm.sh.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "storm.h"

static const struct storm_params P = { 1000, 65536, 3, 2 };

/* One key: rates in, transitions out as a string ("..B..E"). */
static void seq(const char *name, const double *rate, const double *range, int n)
{
	struct storm s = { 0 };
	char out[64];
	int i;

	for (i = 0; i < n; i++) {
		enum storm_transition t = storm_step(&P, &s, rate[i], range ? range[i] : 4096);

		out[i] = t == STORM_BEGIN ? 'B' : t == STORM_END ? 'E' : '.';
	}
	out[n] = 0;
	printf("%s %s\n", name, out);
}

static char ends[64];

static void on_end(const void *key, const struct storm *s, enum storm_transition t, void *arg)
{
	size_t l = strlen(ends);

	snprintf(ends + l, sizeof(ends) - l, "%s%u", l ? "," : "", *(const unsigned int *)key);
}

int main(void)
{
	const double flat[] = { 2000, 2000, 2000, 2000, 0, 0, 0 };
	const double blip[] = { 2000, 2000, 0, 2000, 2000, 0, 2000 };
	const double dip[] = { 2000, 2000, 2000, 500, 2000, 500, 500 };
	const double edge[] = { 1000, 1000, 1000, 999.9, 999.9 };
	const double big_r[] = { 1 << 21, 1 << 21, 1 << 21, 1 << 21 };
	const double four[] = { 5000, 5000, 5000, 5000 };
	const double nan_r[] = { NAN, NAN, NAN, NAN };
	struct storm_params bad = P;
	struct storm_table *t;
	const struct storm *st;
	unsigned int k1 = 1, k2 = 2, i;
	char why[128];
	int tr;

	seq("flat", flat, NULL, 7);
	seq("blip", blip, NULL, 7);
	seq("dip", dip, NULL, 7);
	seq("edge", edge, NULL, 5);
	seq("bulk", four, big_r, 4);
	seq("nanrange", four, nan_r, 4);

	/* a table: key 1 storms and then vanishes, key 2 stays cool */
	t = storm_table_new(&P, sizeof(unsigned int));
	for (i = 0; i < 3; i++) {
		tr = storm_table_step(t, &k1, 3000, 4096, &st);
		storm_table_step(t, &k2, 10, 4096, NULL);
		storm_table_end_interval(t, on_end, NULL);
	}
	printf("table_begin %d active %u peak %.0f\n", tr, storm_table_active(t), st->peak_rate);
	printf("table_cool_key_kept %d\n", storm_table_get(t, &k2) != NULL);
	storm_table_end_interval(t, on_end, NULL);	/* key 1 not seen: cool 1 */
	printf("table_after1 ends '%s' active %u\n", ends, storm_table_active(t));
	storm_table_end_interval(t, on_end, NULL);	/* cool 2: ends */
	printf("table_after2 ends '%s' active %u forgotten %d\n", ends, storm_table_active(t),
	       storm_table_get(t, &k1) == NULL);
	storm_table_free(t);

	/* the caller's data per key; every storm ends when tracing stops */
	t = storm_table_new_data(&P, sizeof(unsigned int), sizeof(double));
	for (i = 0; i < 3; i++) {
		storm_table_step(t, &k1, 3000, 4096, NULL);
		storm_table_step(t, &k2, 2000, 4096, NULL);
		*(double *)storm_table_data(t, &k1) += 3000;
		storm_table_end_interval(t, on_end, NULL);
	}
	printf("data %.0f %.0f none %d\n", *(double *)storm_table_data(t, &k1),
	       *(double *)storm_table_data(t, &k2), storm_table_data(t, &(unsigned int){ 3 }) != NULL);
	ends[0] = 0;
	storm_table_end_all(t, on_end, NULL);
	printf("end_all ends '%s' active %u forgotten %d\n", ends, storm_table_active(t),
	       storm_table_get(t, &k1) == NULL && storm_table_get(t, &k2) == NULL);
	storm_table_free(t);

	{
		const struct storm_params def = STORM_PARAMS_DEFAULT;

		printf("defaults %.0f %.0f %u %u\n", def.min_rate, def.max_range, def.sustain,
		       def.quiet);
		printf("check_ok %d\n", storm_params_check(&def, why, sizeof(why)));
	}
	bad.sustain = 0;
	printf("check_sustain %d %s\n", storm_params_check(&bad, why, sizeof(why)) < 0, why);
	bad = P;
	bad.min_rate = 0;
	printf("check_rate %d %s\n", storm_params_check(&bad, why, sizeof(why)) < 0, why);
	return 0;
}
