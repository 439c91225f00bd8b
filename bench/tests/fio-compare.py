#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""fio-compare.py JSON KIND CASES: check a bench/fio/fio-compare document;
prints "OK valid JSON" then one "OK ..." or "BAD ..." line per check
(tests/tap.sh's verdicts turns them into TAP).

KIND: engine (iommufd vs type1 per map mode, IOPS and clat p50), kernel
(io_uring rows; io_uring-hipri vs io_uring when the hipri row is there),
icount (engine, instructions per I/O, each run with the engine's
wait_stats).  CASES: rw:qd:jobs,... as run.

Checks: a comparison per case, mode and metric; every pair's order is
lib/abba.py's order(seed, pair), the runs ran in that order and the
orders alternate; the blocks are the runs' figures; ratio, CI and verdict
are what summarize() gives for those blocks, and the ratio is the
geometric mean of the pair ratios.
"""
import json
import math
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "lib"))
import abba  # noqa: E402

KEYS = {"iops": "iops", "clat_p50": "clat_p50_us", "insns_per_io": "insns_per_io"}


def say(good, what):
    print(("OK " if good else "BAD ") + what)


def expected(kind, doc, cases):
    """(case, a, b, rows of a, rows of b, metrics) that must be compared."""
    rows = {(r["backend"], r["mapmode"], r["rw"], r["qd"], r["jobs"]): r for r in doc["results"]}
    want = []
    for c in cases:
        rw, qd, nj = c.split(":")
        k = (rw, int(qd), int(nj))
        if kind == "kernel":
            if ("kernel", "io_uring-hipri") + k in rows:
                want.append((f"{rw}-qd{qd}-j{nj}-kernel", "io_uring-hipri", "io_uring",
                             rows[("kernel", "io_uring-hipri") + k],
                             rows.get(("kernel", "io_uring") + k), ("iops", "clat_p50")))
            continue
        for mm in ("static", "perio"):
            want.append((f"{rw}-qd{qd}-j{nj}-{mm}", "iommufd", "type1",
                         rows.get(("iommufd", mm) + k), rows.get(("type1", mm) + k),
                         ("insns_per_io",) if kind == "icount" else ("iops", "clat_p50")))
    return want


def check_order(c, ra, rb):
    """The pairs' orders follow the rule, alternate, and are how they ran."""
    ok, why = True, []
    for blk in c["blocks"]:
        p = blk["pair"]
        want = abba.order(c["seed"], p)
        xa = [r for r in ra["runs"] if r["pair"] == p and r["seed"] == c["seed"]]
        xb = [r for r in rb["runs"] if r["pair"] == p and r["seed"] == c["seed"]]
        if blk["order"] != want or len(xa) != 1 or len(xb) != 1:
            ok = False
            why.append(f"pair {p}: order {blk['order']}, rule {want}, runs {len(xa)}/{len(xb)}")
            continue
        ran = "ab" if xa[0]["seq"] < xb[0]["seq"] else "ba"
        if ran != want or xa[0]["order"] != want:
            ok = False
            why.append(f"pair {p}: ran {ran}, rule {want}")
    seq = [b["order"] for b in sorted(c["blocks"], key=lambda b: b["pair"])]
    if any(x == y for x, y in zip(seq, seq[1:])):
        ok = False
        why.append("orders do not alternate: " + " ".join(seq))
    return ok, "; ".join(why) or " ".join(seq)


def check_summary(c, ra, rb, key):
    """Blocks are the runs' figures; the summary is summarize() of them."""
    ok, why = True, []
    for blk in c["blocks"]:
        fa = [r[key] for r in ra["runs"] if r["pair"] == blk["pair"] and r["seed"] == c["seed"]]
        fb = [r[key] for r in rb["runs"] if r["pair"] == blk["pair"] and r["seed"] == c["seed"]]
        if fa != [blk["a"]] or fb != [blk["b"]]:
            ok = False
            why.append(f"pair {blk['pair']}: blocks {blk['a']}/{blk['b']}, runs {fa}/{fb}")
    a, b = [x["a"] for x in c["blocks"]], [x["b"] for x in c["blocks"]]
    s = abba.summarize(a, b, c["better"], c["seed"])
    for k, v in s.items():
        if c.get(k) != v:
            ok = False
            why.append(f"{k} {c.get(k)}, recomputed {v}")
    logs = [math.log(x / y) for x, y in zip(a, b) if x and y and x > 0 and y > 0]
    gm = math.exp(sum(logs) / len(logs)) if logs else None
    if gm is None or c["ratio"] is None or abs(c["ratio"] - gm) > 1e-9 * gm:
        ok = False
        why.append(f"ratio {c['ratio']}, geometric mean of pairs {gm}")
    return ok, "; ".join(why) or f"ratio {c['ratio']:.3f} {c['verdict']}"


def main():
    path, kind, cases = sys.argv[1], sys.argv[2], sys.argv[3].split(",")
    try:
        doc = json.load(open(path))
        doc["results"], doc["comparisons"]
    except (OSError, ValueError, KeyError) as e:
        print(f"BAD not a fio-compare document: {e}")
        return 0
    print("OK valid JSON")
    want = expected(kind, doc, cases)
    if kind == "kernel":
        say(all(r["mapmode"] in ("io_uring", "io_uring-hipri") for r in doc["results"])
            and doc["results"], "kernel rows are io_uring or io_uring-hipri")
    seeds = set()
    for case, a, b, ra, rb, metrics in want:
        for m in metrics:
            cs = [c for c in doc["comparisons"] if c["case"] == case and c["metric"] == m]
            good = len(cs) == 1 and ra is not None and rb is not None and \
                cs[0]["a"] == a and cs[0]["b"] == b and cs[0]["blocks"]
            say(good, f"{case} {m}: one comparison {a}/{b}")
            if not good:
                continue
            c = cs[0]
            seeds.add(c["seed"])
            units = {"iops": "IOPS", "clat_p50": "us", "insns_per_io": "insns"}
            say(c["unit"] == units[m] and c["k"] == len(c["blocks"]) == ra["n"] == rb["n"],
                f"{case} {m}: unit {c['unit']}, k {c['k']} = runs per side")
            if m == metrics[0]:
                good, why = check_order(c, ra, rb)
                say(good, f"{case}: ABBA order as run: {why}")
            good, why = check_summary(c, ra, rb, KEYS[m])
            say(good, f"{case} {m}: summary recomputed: {why}")
    if kind == "icount":
        rs = [r for x in doc["results"] for r in x["runs"]]
        say(doc.get("clock") == "icount" and rs and
            all(isinstance(r.get(k), int) for r in rs for k in ("cpu_insns", "wait_insns",
                                                                 "empty_polls")),
            "icount: every run has its CPU time and the engine's wait_stats")
    if want:
        say(len(seeds) == len({w[0] for w in want}), f"a seed per comparison ({len(seeds)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
