// SPDX-License-Identifier: GPL-2.0
/*
 * ABBA comparisons (abba.h).  Every step follows lib/abba.py operation
 * for operation (same LCG, same summation order, pow() where Python
 * squares with **) so that both give the same figures.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "abba.h"
#include "util.h"

#define Z_975 1.959964
#define Z_80 0.841621

bool abba_a_first(unsigned long seed, int pair)
{
	bool first_ab = (seed & 1) == 0;

	return (pair % 2 == 0) == first_ab;
}

const char *abba_order(unsigned long seed, int pair)
{
	return abba_a_first(seed, pair) ? "ab" : "ba";
}

/* 64-bit LCG with MMIX's constants; the top 31 bits are the draw. */
static uint64_t lcg(uint64_t *state)
{
	*state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
	return *state >> 33;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* t(0.975, df): a table to 30, then the Cornish-Fisher expansion (abba.py). */
static double t_975(int df)
{
	static const double t[] = {
		12.706205, 4.302653, 3.182446, 2.776445, 2.570582, 2.446912, 2.364624,
		2.306004, 2.262157, 2.228139, 2.200985, 2.178813, 2.160369, 2.144787,
		2.131450, 2.119905, 2.109816, 2.100922, 2.093024, 2.085963, 2.079614,
		2.073873, 2.068658, 2.063899, 2.059539, 2.055529, 2.051831, 2.048407,
		2.045230, 2.042272,
	};
	double z = Z_975;

	if (df <= (int)ARRAY_SIZE(t))
		return t[df - 1];
	return z + (pow(z, 3) + z) / (4 * df) +
	       (5 * pow(z, 5) + 16 * pow(z, 3) + 3 * z) / (96 * pow(df, 2));
}

/* The bootstrap tail probability of a 95% CI of @k pairs (expanded percentile). */
static double tail(int k)
{
	double z = sqrt((double)k / (k - 1)) * t_975(k - 1);

	return 0.5 * erfc(z / sqrt(2));
}

/* Expanded percentile 95% CI of the mean of @logs (k >= 2) into *lo, *hi. */
static void bootstrap_ci(const double *logs, int k, unsigned long seed, double *lo, double *hi)
{
	static double means[ABBA_RESAMPLES];	/* 80 KB: not on the stack */
	uint64_t state = seed;
	double mean, ss = 0.0, half;
	int i, j;

	for (i = 0; i < ABBA_RESAMPLES; i++) {
		double s = 0.0;

		for (j = 0; j < k; j++)
			s += logs[lcg(&state) % (uint64_t)k];
		means[i] = s / k;
	}
	qsort(means, ABBA_RESAMPLES, sizeof(means[0]), cmp_double);
	*lo = means[(int)floor(tail(k) * (ABBA_RESAMPLES - 1))];
	*hi = means[(int)ceil((1 - tail(k)) * (ABBA_RESAMPLES - 1))];
	/* Never narrower than the Student-t interval (few pairs: abba.py). */
	mean = 0.0;
	for (i = 0; i < k; i++)
		mean += logs[i];
	mean /= k;
	for (i = 0; i < k; i++)
		ss += pow(logs[i] - mean, 2);
	half = t_975(k - 1) * sqrt(ss / (k - 1)) / sqrt(k);
	if (mean - half < *lo)
		*lo = mean - half;
	if (mean + half > *hi)
		*hi = mean + half;
}

static int k_for_change(double sd_log, double change)
{
	double k;

	if (!isfinite(sd_log))
		return 0;
	k = pow(Z_975 + Z_80, 2) * pow(sd_log, 2) / pow(log(1 + change), 2) + pow(Z_975, 2) / 2;
	k = ceil(k);
	return k < ABBA_MIN_VERDICT ? ABBA_MIN_VERDICT : k > 1e9 ? 1000000000 : (int)k;
}

static bool usable(double x)
{
	return isfinite(x) && x > 0;
}

/* The log ratios of the usable pairs into @logs; their count. */
static int log_ratios(const double *a, const double *b, int n, double *logs)
{
	int i, k = 0;

	for (i = 0; i < n; i++)
		if (usable(a[i]) && usable(b[i]))
			logs[k++] = log(a[i] / b[i]);
	return k;
}

void abba_summarize(const double *a, const double *b, int n, bool higher_better,
		    unsigned long seed, struct abba *r)
{
	double *logs = n > 0 ? malloc(n * sizeof(*logs)) : NULL;
	double mean = 0, ss = 0, lo, hi;
	int i, k;

	*r = (struct abba){ .ratio = NAN, .lo = NAN, .hi = NAN, .sd_log = NAN,
			    .verdict = "no data" };
	k = logs ? log_ratios(a, b, n, logs) : 0;
	r->k = k;
	r->dropped = n - k;
	if (k == 0)
		goto out;
	for (i = 0; i < k; i++)
		mean += logs[i];
	mean /= k;
	r->ratio = exp(mean);
	if (k < 2) {
		r->verdict = "too few blocks";
		goto out;
	}
	for (i = 0; i < k; i++)
		ss += pow(logs[i] - mean, 2);
	r->sd_log = sqrt(ss / (k - 1));
	bootstrap_ci(logs, k, seed, &lo, &hi);
	r->lo = exp(lo);
	r->hi = exp(hi);
	r->k_for_20pct = k_for_change(r->sd_log, 0.20);
	if (k < ABBA_MIN_VERDICT)
		r->verdict = "too few blocks";
	else if (hi < 0)
		r->verdict = higher_better ? "b faster" : "a faster";
	else if (lo > 0)
		r->verdict = higher_better ? "a faster" : "b faster";
	else
		r->verdict = "no difference";
out:
	free(logs);
}

void abba_json(struct json *j, const struct abba *r)
{
	json_double(j, "ratio", r->ratio);
	if (isnan(r->lo)) {
		json_null(j, "ci95");
	} else {
		json_array_begin(j, "ci95");
		json_double(j, NULL, r->lo);
		json_double(j, NULL, r->hi);
		json_array_end(j);
	}
	json_double(j, "sd_log", r->sd_log);
	json_int(j, "k", r->k);
	json_int(j, "dropped", r->dropped);
	if (r->k_for_20pct > 0)
		json_int(j, "k_for_20pct", r->k_for_20pct);
	else
		json_null(j, "k_for_20pct");
	json_string(j, "verdict", r->verdict);
}
