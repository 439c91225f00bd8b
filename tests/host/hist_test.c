// SPDX-License-Identifier: GPL-2.0
/*
 * Prints "name value" lines from lib/hist.c for tests/host/hist.sh to
 * check, then a histogram as text and as one JSON document.
 */
#include <inttypes.h>
#include <stdio.h>

#include "hist.h"

#define N 32

static void pct(const char *name, const __u64 *slots, double p)
{
	printf("%s %.4f\n", name, hist_percentile(slots, N, p));
}

int main(void)
{
	static const uint64_t vals[] = { 0, 1, 2, 3, 4, 7, 8, 4095, 4096, 8191, 8192, UINT64_MAX };
	__u64 one[N] = { [2] = 10 };			/* all in [4, 8) */
	__u64 two[N] = { [0] = 50, [3] = 50 };		/* [0, 2) and [8, 16) */
	__u64 far[N] = { [10] = 1, [20] = 99 };
	__u64 empty[N] = { 0 };
	__u64 lat[N] = { [2] = 950, [3] = 50, [5] = 1 };
	__u64 top[N] = { [30] = 1, [N - 1] = 3 };	/* the top slot: >= 2^31, unbounded */
	unsigned int i, bad = 0;
	uint64_t lo, hi;
	struct json j;
	char buf[32];

	for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++)
		printf("slot_%" PRIu64 " %u\n", vals[i], hist_slot(vals[i]));
	for (i = 0; i < 64; i++) {
		hist_slot_range(i, &lo, &hi);
		if (i < 4 || i == 12 || i == 63)
			printf("range_%u %" PRIu64 "..%" PRIu64 "\n", i, lo, hi);
		/* both ends land in their slot, and slots are contiguous */
		if (hist_slot(lo) != i || hist_slot(hi) != i || (i < 63 && hist_slot(hi + 1) != i + 1))
			bad++;
	}
	printf("range_consistent_bad %u\n", bad);

	printf("total_two %" PRIu64 "\n", hist_total(two, N));
	pct("one_p0", one, 0);
	pct("one_p50", one, 50);
	pct("one_p90", one, 90);
	pct("one_p100", one, 100);
	pct("two_p50", two, 50);
	pct("two_p51", two, 51);
	pct("two_p99", two, 99);
	pct("far_p1", far, 1);
	pct("far_p50", far, 50);
	pct("empty_p50", empty, 50);
	pct("top_p99", top, 99);

	printf("size_4096 %s\n", hist_size_str(4096, buf, sizeof(buf)));
	printf("size_2M %s\n", hist_size_str(2 << 20, buf, sizeof(buf)));
	printf("size_1G %s\n", hist_size_str(1ULL << 30, buf, sizeof(buf)));
	printf("size_1000 %s\n", hist_size_str(1000, buf, sizeof(buf)));
	printf("size_1536 %s\n", hist_size_str(1536, buf, sizeof(buf)));

	printf("--- text\n");
	hist_print_log2(stdout, lat, N, "usecs");
	hist_print_log2(stdout, empty, N, "usecs");	/* prints nothing */
	printf("--- top\n");
	hist_print_log2(stdout, top, N, "nsecs");
	printf("--- json\n");
	json_init(&j, stdout);
	json_object_begin(&j, NULL);
	hist_json(&j, "lat", lat, N);
	hist_json(&j, "empty", empty, N);
	hist_json(&j, "top", top, N);
	json_object_end(&j);
	return 0;
}
