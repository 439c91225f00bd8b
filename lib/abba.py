# SPDX-License-Identifier: GPL-2.0
"""Interleaved (ABBA) comparisons of two backends: the block order, and the
ratio of A over B with a bootstrap 95% confidence interval over blocks.

A comparison runs K blocks per side; block pair j runs A then B ("ab") or
B then A ("ba"); the first pair's order comes from the seed and the
orders alternate after it (ab, ba, ab, ... or ba, ab, ...), so a drift
within the run hits both sides alike.  Each pair gives one ratio a/b of
the blocks' figures (a median of calls, the IOPS of one run, ...).

The reported ratio is the geometric mean of the pair ratios; its CI is
the expanded percentile bootstrap of the mean log ratio (B resamples of
the K pairs, a fixed-seed generator, so the same blocks always give the
same CI).  A plain percentile bootstrap is too narrow for few pairs (its
spread lacks the K/(K-1) factor and it uses normal, not t, quantiles: in
simulation a 95% CI of 5 pairs excluded a true ratio of 1 in 16% of runs);
the expanded one reads the bootstrap distribution at the tail probability
Phi(-sqrt(K/(K-1)) * t(0.975, K-1)) instead of 0.025, which gives the
t-interval's coverage for normal data and keeps the bootstrap's shape; for
few pairs it is widened to the Student-t interval where that is wider.
"faster" only when the CI excludes 1 and there are at least MIN_VERDICT
pairs.

k_for_20pct: the pairs one run needs for its CI to tell a 20% difference
from none with 80% power (one-sample, two-sided 5%, from the spread of log
ratios measured here, with the small-sample t correction z^2/2):
(z_0.975 + z_0.8)^2 * sd^2 / ln(1.2)^2 + z_0.975^2 / 2, at least
MIN_VERDICT.  Whether the regression gate (bench/report/gate.py) sees a 20%
change across runs depends on the run-to-run drift as well: that is what
bench/report/calibrate measures.

lib/abba.c implements the same for the C benchmarks; tests/host/abba.sh
checks that both give the same figures.  As a program: reads
{"a": [...], "b": [...], "better": "lower"|"higher"} on stdin and prints
the summary object.
"""
import json
import math
import random
import sys

Z_975 = 1.959964
Z_80 = 0.841621
RESAMPLES = 10000
MIN_VERDICT = 5


def order(seed, j):
    """'ab' or 'ba' for block pair @j of a comparison seeded with @seed."""
    first_ab = (seed & 1) == 0
    return "ab" if (j % 2 == 0) == first_ab else "ba"


# t(0.975, df) for df 1..30; beyond, the Cornish-Fisher expansion.
T_975 = (12.706205, 4.302653, 3.182446, 2.776445, 2.570582, 2.446912, 2.364624,
         2.306004, 2.262157, 2.228139, 2.200985, 2.178813, 2.160369, 2.144787,
         2.131450, 2.119905, 2.109816, 2.100922, 2.093024, 2.085963, 2.079614,
         2.073873, 2.068658, 2.063899, 2.059539, 2.055529, 2.051831, 2.048407,
         2.045230, 2.042272)


def t_975(df):
    if df <= len(T_975):
        return T_975[df - 1]
    z = Z_975
    return z + (z ** 3 + z) / (4 * df) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df ** 2)


def tail(k):
    """The bootstrap tail probability of a 95% CI of @k pairs (k >= 2)."""
    z = math.sqrt(k / (k - 1)) * t_975(k - 1)
    return 0.5 * math.erfc(z / math.sqrt(2))


def k_for_change(sd_log, change=0.20):
    if sd_log is None or not math.isfinite(sd_log):
        return None
    k = (Z_975 + Z_80) ** 2 * sd_log ** 2 / math.log(1 + change) ** 2 + Z_975 ** 2 / 2
    return max(MIN_VERDICT, math.ceil(k))


def _lcg(state):
    """The generator both implementations share (64-bit LCG, MMIX's
    constants); returns (next state, uniform integer in [0, 2^31))."""
    state = (state * 6364136223846793005 + 1442695040888963407) & (2**64 - 1)
    return state, state >> 33


def bootstrap_ci(logs, seed=1, resamples=RESAMPLES):
    """Expanded percentile 95% CI of the mean of @logs (2 or more floats)."""
    k = len(logs)
    state = seed & (2**64 - 1)
    means = []
    for _ in range(resamples):
        s = 0.0
        for _ in range(k):
            state, r = _lcg(state)
            s += logs[r % k]
        means.append(s / k)
    means.sort()
    a = tail(k)
    lo = means[int(math.floor(a * (resamples - 1)))]
    hi = means[int(math.ceil((1 - a) * (resamples - 1)))]
    # A bootstrap of few pairs has few distinct resamples and stays near
    # their range (5 pairs: still 8% false "faster"): never narrower than
    # the Student-t interval.
    mean = sum(logs) / k
    half = t_975(k - 1) * math.sqrt(sum((x - mean) ** 2 for x in logs) / (k - 1)) / math.sqrt(k)
    return min(lo, mean - half), max(hi, mean + half)


def summarize(a, b, better="lower", seed=1):
    """The summary object of paired block figures @a and @b (same length):
    ratio, ci95, sd_log, k, k_for_20pct, verdict.  Pairs with a figure that
    is not a positive number are left out (counted in 'dropped')."""
    pairs = [(x, y) for x, y in zip(a, b)
             if isinstance(x, (int, float)) and isinstance(y, (int, float))
             and x > 0 and y > 0 and math.isfinite(x) and math.isfinite(y)]
    logs = [math.log(x / y) for x, y in pairs]
    k = len(logs)
    out = {"k": k, "dropped": len(a) - k, "ratio": None, "ci95": None,
           "sd_log": None, "k_for_20pct": None, "verdict": "no data"}
    if k == 0:
        return out
    mean = sum(logs) / k
    out["ratio"] = math.exp(mean)
    if k < 2:
        out["verdict"] = "too few blocks"
        return out
    sd = math.sqrt(sum((x - mean) ** 2 for x in logs) / (k - 1))
    lo, hi = bootstrap_ci(logs, seed)
    out.update(ci95=[math.exp(lo), math.exp(hi)], sd_log=sd,
               k_for_20pct=k_for_change(sd))
    if k < MIN_VERDICT:
        out["verdict"] = "too few blocks"
    elif hi < 0:
        out["verdict"] = "a faster" if better == "lower" else "b faster"
    elif lo > 0:
        out["verdict"] = "b faster" if better == "lower" else "a faster"
    else:
        out["verdict"] = "no difference"
    return out


def main():
    try:
        doc = json.load(sys.stdin)
        a, b = doc["a"], doc["b"]
        better = doc.get("better", "lower")
        if len(a) != len(b) or better not in ("lower", "higher"):
            raise ValueError("a and b of one length, better lower|higher")
    except (ValueError, KeyError, TypeError) as e:
        print(f"abba.py: bad input: {e}", file=sys.stderr)
        return 2
    print(json.dumps(summarize(a, b, better, doc.get("seed", 1))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
