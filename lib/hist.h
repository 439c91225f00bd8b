/* SPDX-License-Identifier: GPL-2.0 */
/*
 * log2 histograms as the BPF tools fill them in the kernel, read and
 * printed in user space.
 *
 * Slots are __u64, as the BPF maps hold them.
 *
 * The bucket contract (the BPF side computes the slot the same way):
 * slot i holds the values v with floor(log2(v)) == i, i.e. [2^i, 2^(i+1));
 * slot 0 also holds 0, so it covers [0, 2).
 *
 * Percentiles from such a histogram are estimates: the rank is located in
 * its bucket exactly, then placed linearly inside the bucket.  The true
 * value lies somewhere in that bucket, so the error is below a factor of 2.
 */
#ifndef IOASID_LIB_HIST_H
#define IOASID_LIB_HIST_H

#include <stdint.h>
#include <stdio.h>

#include <linux/types.h>

#include "json.h"

/* The slot value @v falls into. */
unsigned int hist_slot(uint64_t v);
/* Smallest and largest value (inclusive) slot @i holds. */
void hist_slot_range(unsigned int i, uint64_t *lo, uint64_t *hi);
/* Sum of the @n slots. */
uint64_t hist_total(const __u64 *slots, unsigned int n);
/*
 * Estimated @p-th percentile (0 <= p <= 100) of the values counted in
 * @slots, in their unit; NAN if the histogram is empty.  The buckets are
 * taken as continuous ranges [2^i, 2^(i+1)) ([0, 2) for slot 0).
 */
double hist_percentile(const __u64 *slots, unsigned int n, double p);

/*
 * The time unit of a latency histogram (the tools' -N and -m; default
 * microseconds): its JSON name, its label over the buckets and how many
 * nanoseconds one is (the BPF side divides by it before the log2).
 */
struct hist_unit {
	const char *name, *label;
	__u64 ns;
};
extern const struct hist_unit hist_ns, hist_us, hist_ms;
/*
 * Print the non-empty range of slots, one line per bucket, 78 columns:
 * "      4 -> 7          : 950      |*****...|".  @unit names the values
 * ("usecs", "nsecs").
 */
void hist_print_log2(FILE *f, const __u64 *slots, unsigned int n, const char *unit);
/*
 * With fewer than 64 slots the last one (n - 1) also holds everything
 * above it (the BPF side's log2_slot() clamps there, e.g. > 4.3 s in 32
 * nanosecond slots): it prints as "lo -> inf", its JSON "hi" is null and
 * a percentile that falls in it is its lower end.
 */
/*
 * Write the non-empty range of slots as an array @key of
 * {"lo": L, "hi": H, "count": C} objects (lo/hi inclusive).
 */
void hist_json(struct json *j, const char *key, const __u64 *slots, unsigned int n);
/* "4K", "2M", "512", "1G": @bytes in binary units, exact powers only. */
const char *hist_size_str(uint64_t bytes, char *buf, size_t len);
/* "4K", "6.5K", "512": @bytes in binary units, a tenth where not whole (means). */
const char *hist_bytes_str(double bytes, char *buf, size_t len);
/* The mean of @count values that sum to @sum_ns, in unit @u. */
double hist_mean(const struct hist_unit *u, uint64_t sum_ns, uint64_t count);
/*
 * "mean" (in @u), "p50", "p90" and "p99" of the @count values, summing to
 * @sum_ns, that the @n @slots (already in @u) hold: nulls if @count is 0.
 */
void hist_json_stats(struct json *j, const struct hist_unit *u, const __u64 *slots,
		     unsigned int n, uint64_t count, uint64_t sum_ns);
/*
 * Object @key of one latency: "count", "sum_ns", the statistics above and
 * "buckets".
 */
void hist_json_block(struct json *j, const char *key, const struct hist_unit *u,
		     const __u64 *slots, unsigned int n, uint64_t count, uint64_t sum_ns);
/* "unit" (@u's name) and "percentiles" (how they are estimated): what the numbers mean. */
void hist_json_unit(struct json *j, const struct hist_unit *u);

#endif
