# SPDX-License-Identifier: GPL-2.0
"""Interleaved (ABBA) comparisons in a bench document's "comparisons"
list: every summary figure recomputed from the blocks with lib/abba.py
(the same code the benchmarks' summaries follow), the document's own
figures checked against it, records, the report's table and power line."""
import math
import os
import sys

from rlib import InputError, is_num, fmt_g
from mk_common import Table, record, need

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "lib"))
import abba  # noqa: E402

# A stated figure agrees when within rounding to two decimals (what a
# writer printing %.2f gives) or 0.5% of the figure.
AGREE_ABS, AGREE_REL = 0.005, 0.005


def _agrees(stated, mine):
    if stated is None or mine is None:
        return stated is None and mine is None
    return is_num(stated) and abs(stated - mine) <= max(AGREE_ABS, AGREE_REL * abs(mine))


def _blocks(c, where):
    a, b = [], []
    for j, bl in enumerate(need(c, "blocks", where, "list")):
        if not isinstance(bl, dict) or "a" not in bl or "b" not in bl:
            raise InputError(f"{where}.blocks[{j}]: not an object with \"a\" and \"b\"")
        for k in ("a", "b"):
            if bl[k] is not None and not is_num(bl[k]):
                raise InputError(f"{where}.blocks[{j}].{k}: not a number or null")
        a.append(bl["a"])
        b.append(bl["b"])
    return a, b


def disagreements(c, s):
    """What the document states that the blocks do not give."""
    out = []
    if "ratio" in c and not _agrees(c["ratio"], s["ratio"]):
        out.append(f"ratio {c['ratio']} (blocks give {_g(s['ratio'])})")
    ci = c.get("ci95")
    mine = s["ci95"] or [None, None]
    if isinstance(ci, list) and len(ci) == 2 and not all(
            _agrees(x, y) for x, y in zip(ci, mine)):
        out.append(f"ci95 {ci} (blocks give [{_g(mine[0])}, {_g(mine[1])}])")
    if "k" in c and c["k"] != s["k"]:
        out.append(f"k {c['k']} (blocks give {s['k']})")
    return out


def _g(v):
    return "-" if v is None else f"{v:.4g}"


def parse_comparisons(bench, doc, path, sec):
    """Records of @doc's comparisons into sec.comparisons; returns the
    disagreement messages (a document stating figures its blocks do not
    give)."""
    comps = doc.get("comparisons")
    if comps is None:
        return []
    if not isinstance(comps, list):
        raise InputError(f"{path}: comparisons: not a list")
    bad = []
    for i, c in enumerate(comps):
        where = f"{path}: comparisons[{i}]"
        case, metric = str(need(c, "case", where)), str(need(c, "metric", where))
        better = c.get("better", "lower")
        if better not in ("lower", "higher"):
            raise InputError(f"{where}.better: {better!r}, not lower or higher")
        seed = c.get("seed", 1)
        if not isinstance(seed, int) or isinstance(seed, bool):
            raise InputError(f"{where}.seed: not an integer")
        a, b = _blocks(c, where)
        s = abba.summarize(a, b, better, seed)
        logs = [math.log(x / y) for x, y in zip(a, b)
                if is_num(x) and is_num(y) and x > 0 and y > 0]
        r = record(bench, case, "none", "ratio " + metric, "x", better,
                   {"n": s["k"], "median": s["ratio"], "cv": s["sd_log"]})
        ci = s["ci95"] or [None, None]
        r.update(interleaved=True, a=str(c.get("a", "iommufd")), b=str(c.get("b", "type1")),
                 ci_lo=ci[0], ci_hi=ci[1], k=s["k"],
                 dropped=s["dropped"], sd_log=s["sd_log"], k_for_20pct=s["k_for_20pct"],
                 verdict=s["verdict"], seed=seed, block_log_ratios=logs)
        # two-stage K (mapbench -K/-R): the pairs planned and the cap
        for k in ("k_planned", "k_max"):
            if isinstance(c.get(k), int) and not isinstance(c.get(k), bool):
                r[k] = c[k]
        for m in disagreements(c, s):
            bad.append(f"{path}: comparisons[{i}] {case} {metric}: states {m}")
        sec.comparisons.append(r)
    return bad


def ratio_ci_s(r):
    if r["median"] is None:
        return "-"
    if r["ci_lo"] is None:
        return f"{r['median']:.2f}"
    return f"{r['median']:.2f} [{r['ci_lo']:.2f}, {r['ci_hi']:.2f}]"


def verdict_s(r):
    v = r["verdict"]
    return {"a faster": f"{r['a']} faster", "b faster": f"{r['b']} faster"}.get(v, v)


def power_line(comps):
    """K, the pairs a 20% change needs (max over rows), the rows short."""
    ks = [r["k"] for r in comps]
    need_ = [r["k_for_20pct"] for r in comps if r["k_for_20pct"] is not None]
    kk = f"{min(ks)}" if min(ks) == max(ks) else f"{min(ks)}..{max(ks)}"
    if not need_:
        return f"K = {kk} pairs; too few to estimate the pairs a 20% change needs."
    short = [f"{r['case']} {r['metric'][6:]} (K {r['k']} < {r['k_for_20pct']}"
             + (", the cap" if r["k"] == r.get("k_max", 0) > r.get("k_planned", r["k"]) else "")
             + ")"
             for r in comps if r["k_for_20pct"] is not None and r["k"] < r["k_for_20pct"]]
    two = [r for r in comps if r.get("k_max", 0) > r.get("k_planned", r["k"])]
    stage = ""
    if two:
        kinds = sorted({(r["case"].split("-")[0], r.get("k_planned", r["k"]), r["k_max"])
                        for r in two})
        stage = ("two-stage K: after the pairs planned, as many as their spread said a 20% "
                 "change needs, at most a cap (" +
                 "; ".join(f"{p}: {k0} planned, cap {km}" for p, k0, km in kinds) + "); ")
    line = (f"{stage}K = {kk} pairs; for this run's CI to tell a 20% difference from none with "
            f"80% power a row needs {max(need_)} pairs (max over rows; the gate across runs "
            "also depends on run-to-run drift: bench/report/calibrate)")
    return line + (f"; too few pairs in: {', '.join(short)}." if short
                   else "; every row has enough.")


def comparison_lines(sec):
    """The comparisons table of a section, with its power line."""
    comps = sec.comparisons
    if not comps:
        return []
    a, b = comps[0]["a"], comps[0]["b"]
    t = Table(["case", "metric", "K", f"{a} / {b} [95% CI]", "verdict", "sd ln", "K for 20%"])
    for r in comps:
        t.add(r["case"], r["metric"][6:], r["k"], ratio_ci_s(r), verdict_s(r),
              fmt_g(r["sd_log"]), r["k_for_20pct"] if r["k_for_20pct"] is not None else "-")
    return (["", f"Interleaved comparisons ({a} / {b}): K block pairs in ABBA order, the "
             "geometric mean of the pair ratios with a bootstrap 95% CI over pairs; "
             "\"faster\" only when the CI excludes 1.", ""] + t.md() +
            ["", power_line(comps)])
