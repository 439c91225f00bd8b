// SPDX-License-Identifier: GPL-2.0
/*
 * Prints "name value" lines from lib/benchstat.c for tests/host/benchstat.sh
 * to check against hand-computed values, then the JSON pieces, one
 * document per line after "--- name".
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "benchstat.h"

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

/* name n median p99 min max mean cv, %.10g (nan for NAN) */
static void st(const char *name, struct bstat s)
{
	printf("%s %zu %.10g %.10g %.10g %.10g %.10g %.10g\n", name, s.n, s.median, s.p99,
	       s.min, s.max, s.mean, s.cv);
}

static void vals(const char *name, const double *v, size_t n)
{
	size_t i;

	printf("%s", name);
	for (i = 0; i < n; i++)
		printf(" %g", v[i]);
	printf("\n");
}

int main(int argc, char **argv)
{
	double even[] = { 4, 1, 3, 2 };
	double odd[] = { 10, 50, 20, 40, 30 };
	double one[] = { 7 };
	double same[] = { 5, 5, 5 };
	double zero_mean[] = { -1, 1 };
	double sorted[] = { 1, 2, 3, 4 };
	double none[1] = { 0 };
	uint64_t u[] = { 3, 1, 2 };
	struct bstat_platform plat;
	char buf[256], small[4];
	struct bstat s;
	struct json j;
	uint64_t t0, t1;

	/* percentiles of sorted samples, type 7 */
	printf("pct_0 %.10g\n", bstat_pct(sorted, 4, 0));
	printf("pct_25 %.10g\n", bstat_pct(sorted, 4, 25));
	printf("pct_50 %.10g\n", bstat_pct(sorted, 4, 50));
	printf("pct_99 %.10g\n", bstat_pct(sorted, 4, 99));
	printf("pct_100 %.10g\n", bstat_pct(sorted, 4, 100));
	printf("pct_one_50 %.10g\n", bstat_pct(one, 1, 50));

	st("even", bstat_of(even, LEN(even)));
	vals("even_after", even, LEN(even));
	st("odd", bstat_of(odd, LEN(odd)));
	st("one", bstat_of(one, LEN(one)));
	st("same", bstat_of(same, LEN(same)));
	st("zero_mean", bstat_of(zero_mean, LEN(zero_mean)));
	st("empty", bstat_of(none, 0));

	printf("u64_rc %d\n", bstat_of_u64(&s, u, LEN(u)));
	st("u64", s);
	printf("u64_after %" PRIu64 " %" PRIu64 " %" PRIu64 "\n", u[0], u[1], u[2]);
	printf("u64_empty_rc %d\n", bstat_of_u64(&s, u, 0));
	st("u64_empty", s);

	t0 = bstat_now_ns();
	t1 = bstat_now_ns();
	printf("now_monotonic %d\n", t1 >= t0 && t0 > 0);

	/* argv[1]: a two-line file; argv[2]: an empty one; argv[3]: none */
	if (argc > 3) {
		printf("line [%s]\n", bstat_read_line(argv[1], buf, sizeof(buf)));
		printf("line_small [%s]\n", bstat_read_line(argv[1], small, sizeof(small)));
		printf("line_empty [%s]\n", bstat_read_line(argv[2], buf, sizeof(buf)));
		printf("line_missing [%s]\n", bstat_read_line(argv[3], buf, sizeof(buf)));
	}

	bstat_platform_detect(&plat);
	printf("platform_name %s\n", plat.name);
	printf("platform_sig [%s]\n", plat.sig);
	printf("platform_dmi [%s]\n", plat.dmi);
	printf("platform %s\n", bstat_platform(buf, sizeof(buf)));
	printf("cpu [%s]\n", bstat_cpu(buf, sizeof(buf)));
	printf("cpu_model [%s]\n", bstat_cpu_model(buf, sizeof(buf)));
	printf("series_events %d\n", bstat_series_events());

	printf("--- stats\n");
	json_init(&j, stdout);
	json_object_begin(&j, NULL);
	s = bstat_of(odd, LEN(odd));
	json_object_begin(&j, "odd");
	bstat_json(&j, &s);
	json_object_end(&j);
	s = bstat_of(none, 0);
	json_object_begin(&j, "empty");
	bstat_json(&j, &s);
	json_object_end(&j);
	json_object_end(&j);
	printf("\n--- environment\n");
	json_init(&j, stdout);
	json_object_begin(&j, NULL);
	bstat_env_json(&j, NULL);
	json_object_end(&j);
	printf("\n--- environment_given\n");
	json_init(&j, stdout);
	json_object_begin(&j, NULL);
	bstat_env_json(&j, "lab rack 3");
	json_object_end(&j);
	printf("\n--- env\n");
	json_init(&j, stdout);
	json_object_begin(&j, NULL);
	bstat_env_begin(&j);
	bstat_host_json(&j, "abc123");
	json_object_end(&j);
	json_object_end(&j);
	printf("\n--- env_noseries\n");
	json_init(&j, stdout);
	json_object_begin(&j, NULL);
	bstat_env_begin(&j);
	bstat_host_json(&j, NULL);
	json_object_end(&j);
	json_object_end(&j);
	printf("\n--- print\n");
	bstat_env_print(stdout, "lab rack 3");
	return 0;
}
