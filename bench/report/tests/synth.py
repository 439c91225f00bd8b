#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""usage: synth.py OUT_DIR NAME [--seed S] [--runs R] [--k K] [--within SD]
                [--between SD] [--shift PCT] [--date-from N]

Synthetic report directories for the gate's tests: R reports
OUT_DIR/NAME-1 .. NAME-R, each a summary.json with interleaved
comparisons (mapbench io-4K/64K/2M map and unmap, fio iops) whose
per-pair log ratios are drawn from a seeded generator: a true log ratio
per comparison, plus a run effect N(0, between) shared by the run's pairs,
plus N(0, within) per pair.  --shift PCT makes iommufd PCT% slower in
mapbench (as mapbench --inject-slowdown does): ratios times 1 + PCT/100,
env inject_slowdown_pct says so, and raw/mapbench.json records the shift
of each mapbench ratio as mapbench measures it (1 + PCT/100 here)."""
import json
import math
import os
import random
import sys

CASES = [("mapbench", f"io-{s}-anon-t1", m, "lower", base)
         for s, base in (("4K", 1.3), ("64K", 1.1), ("2M", 0.8)) for m in ("map", "unmap")]
CASES.append(("fio", "randread-qd32-j1-perio", "iops", "higher", 0.8))


def record(bench, case, metric, better, logs):
    k = len(logs)
    m = sum(logs) / k
    sd = math.sqrt(sum((x - m) ** 2 for x in logs) / (k - 1))
    return {"bench": bench, "case": case, "backend": "none", "metric": "ratio " + metric,
            "unit": "x", "better": better, "n": k, "median": math.exp(m), "p99": None,
            "cv": sd, "min": None, "max": None, "interleaved": True, "a": "iommufd",
            "b": "type1", "k": k, "sd_log": sd, "block_log_ratios": logs}


def main(argv):
    opts = {"--seed": 1, "--runs": 5, "--k": 8, "--within": 0.05, "--between": 0.02,
            "--shift": 0.0, "--date-from": 1}
    pos, it = [], iter(argv)
    for x in it:
        if x in opts:
            opts[x] = type(opts[x])(next(it))
        else:
            pos.append(x)
    out, name = pos
    rng = random.Random(opts["--seed"])
    shift = math.log(1 + opts["--shift"] / 100)
    for i in range(opts["--runs"]):
        recs = []
        for bench, case, metric, better, base in CASES:
            run = rng.gauss(0, opts["--between"])
            mu = math.log(base) + run + (shift if bench == "mapbench" else 0)
            recs.append(record(bench, case, metric, better,
                               [rng.gauss(mu, opts["--within"]) for _ in range(opts["--k"])]))
        env = {"date": f"2026-11-{opts['--date-from'] + i:02d}", "platform": "qemu-tcg",
               "emulated": True, "commit": f"c{i:03d}", "inject_slowdown_pct":
               opts["--shift"] or None}
        d = os.path.join(out, f"{name}-{i + 1}")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "summary.json"), "w") as f:
            json.dump({"version": 2, "env": env, "records": recs}, f, indent=1)
        if opts["--shift"]:
            cmp = [{"case": c, "metric": m, "injected": {"shift": 1 + opts["--shift"] / 100}}
                   for b, c, m, _, _ in CASES if b == "mapbench"]
            os.makedirs(os.path.join(d, "raw"), exist_ok=True)
            with open(os.path.join(d, "raw", "mapbench.json"), "w") as f:
                json.dump({"tool": "mapbench", "comparisons": cmp}, f)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
