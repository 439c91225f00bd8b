#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The coverage and bias of mapbench's two-stage K (-K/-R), simulated.

The rule as mapbench applies it: k0 planned pairs; from their spread the
pairs a 20% change needs (lib/abba's k_for_20pct, at least 5), rounded up
to even, within [k0, cap]; the final interval covers all pairs.  Here with
Student-t intervals on the mean log ratio (mapbench uses a bootstrap),
20000 runs per setting, fixed seeds.  Output: coverage of the nominal 95%
and how often the second stage ran (normal log ratios), and the bias of
the mean in units of sd (right-skewed log ratios, mean 0)."""
import math
import random
import statistics

Z975, Z80 = 1.959963984540054, 0.8416212335729143
# t 0.975 quantiles: exact for small df, Cornish-Fisher beyond
T975 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776}


def t975(df):
    if df in T975:
        return T975[df]
    z = Z975
    g1 = (z ** 3 + z) / 4
    g2 = (5 * z ** 5 + 16 * z ** 3 + 3 * z) / 96
    g3 = (3 * z ** 7 + 19 * z ** 5 + 17 * z ** 3 - 15 * z) / 384
    return z + g1 / df + g2 / df ** 2 + g3 / df ** 3


def pairs(sd_est, k0, cap):
    k = math.ceil((Z975 + Z80) ** 2 * sd_est ** 2 / math.log(1.2) ** 2 + Z975 ** 2 / 2)
    k = max(5, k)
    k += k % 2
    return min(max(k, k0), cap)


def run(draw, k0, cap, n=20000):
    cover = acted = 0
    means = []
    for _ in range(n):
        x = [draw() for _ in range(k0)]
        k = pairs(statistics.stdev(x), k0, cap)
        acted += k > k0
        x += [draw() for _ in range(k - k0)]
        m = statistics.fmean(x)
        cover += abs(m) <= t975(k - 1) * statistics.stdev(x) / math.sqrt(k)
        means.append(m)
    return cover / n, acted / n, statistics.fmean(means)


def main():
    print("normal log ratios: coverage of the nominal 95%, second stage ran")
    for sd in (0.1, 0.2, 0.3):
        for k0, cap in ((8, 16), (16, 48)):
            rnd = random.Random(1)
            c, a, _ = run(lambda: rnd.gauss(0, sd), k0, cap)
            print(f"  sd {sd} k0 {k0:2d} cap {cap}: {c:.3f}, {a:.0%}")
    print("right-skewed log ratios (exponential - 1): bias of the mean in sd")
    for sd in (0.2, 0.3):
        rnd = random.Random(2)
        _, _, m = run(lambda: (rnd.expovariate(1.0) - 1.0) * sd, 8, 16)
        print(f"  sd {sd} k0  8 cap 16: {m / sd:+.3f}")


if __name__ == "__main__":
    main()
