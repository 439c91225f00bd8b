/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Interleaved (ABBA) comparisons of two backends: the C twin of
 * lib/abba.py, which documents the method; both give the same figures
 * (tests/host/abba.sh).
 *
 * K block pairs; pair j runs A then B or B then A (abba_a_first), the
 * orders alternating after the first, which the seed picks.  Each pair
 * gives one ratio a/b; the reported ratio is their geometric mean with a
 * expanded percentile bootstrap 95% CI (10000 resamples of the pairs drawn by a
 * fixed 64-bit LCG seeded with the seed), and a verdict only when the CI
 * excludes 1 and k >= ABBA_MIN_VERDICT (a bootstrap of fewer pairs spans
 * little more than their range).  Pairs with a figure that is not a positive finite number
 * are dropped.
 */
#ifndef IOASID_LIB_ABBA_H
#define IOASID_LIB_ABBA_H

#include <stdbool.h>

#include "json.h"

#define ABBA_RESAMPLES 10000
#define ABBA_MIN_VERDICT 5

struct abba {
	int k, dropped;		/* pairs used, pairs left out */
	double ratio, lo, hi;	/* NAN when there is no figure */
	double sd_log;		/* sample SD of the log ratios; NAN if k < 2 */
	int k_for_20pct;	/* pairs for this run to see a 20% change; 0: none */
	const char *verdict;	/* "a faster", "b faster", "no difference",
				   "too few blocks", "no data" */
};

/* Does block pair @pair of a comparison seeded with @seed run A first? */
bool abba_a_first(unsigned long seed, int pair);
/* The order of pair @pair as "ab" or "ba". */
const char *abba_order(unsigned long seed, int pair);
/* The summary of @n paired block figures @a and @b (not reentrant). */
void abba_summarize(const double *a, const double *b, int n, bool higher_better,
		    unsigned long seed, struct abba *r);
/*
 * The members ratio, ci95 ([lo, hi]), sd_log, k, dropped, k_for_20pct and
 * verdict into the open object of @j; null for what is missing.
 */
void abba_json(struct json *j, const struct abba *r);

#endif
