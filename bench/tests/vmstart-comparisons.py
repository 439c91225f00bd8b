#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""vmstart-comparisons.py DOC [PROGRESS]: check a vmstart JSON document's
"comparisons" against its own runs and lib/abba.py.

- one comparison per size and backing that both backends ran, for ready
  and quit, and map when the events were there (env.mode "events");
- each: unit ms, better lower, a iommufd, b type1, the env's seed; one
  block per pair of runs (pair j = runs[j] of each backend), n_a = n_b = 1,
  the block figures the runs' own;
- the order of each pair as the rule gives it (lib/abba.py's order(seed,
  j): alternating after the first), and as the starts really ran: the
  runs' seq, and the progress lines on vmstart's stderr (PROGRESS) when
  given;
- ratio, ci95, sd_log, k, dropped, k_for_20pct and verdict as
  `python3 lib/abba.py` computes them from the blocks.

Output for tests/tap.sh's verdicts: "OK valid JSON" (else one BAD line),
then "OK"/"BAD" lines, one per comparison, the disagreements named.
"""
import json
import math
import os
import re
import subprocess
import sys

TOP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
ABBA = os.path.join(TOP, "lib", "abba.py")
sys.path.insert(0, os.path.join(TOP, "lib"))
import abba  # noqa: E402  (only for the order rule; figures come from running it)

SUMMARY = ("ratio", "ci95", "sd_log", "k", "dropped", "k_for_20pct", "verdict")


def same(x, y):
    if isinstance(x, list) and isinstance(y, list):
        return len(x) == len(y) and all(same(a, b) for a, b in zip(x, y))
    if isinstance(x, float) or isinstance(y, float):
        return (isinstance(x, (int, float)) and isinstance(y, (int, float))
                and math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-12))
    return x == y


def abba_py(a, b, better, seed):
    """The summary `python3 lib/abba.py` prints for these blocks."""
    out = subprocess.run([sys.executable, ABBA], input=json.dumps(
        {"a": a, "b": b, "better": better, "seed": seed}), capture_output=True,
        text=True, check=True)
    return json.loads(out.stdout)


def progress_order(path):
    """{(case id, pair): position} from lines "[ 3/8 1.2s] ID, pair P/R"."""
    pos = {}
    if not path:
        return pos
    with open(path) as f:
        for i, line in enumerate(f):
            m = re.match(r"\[\s*\d+/\d+ .*\] (\S+), pair (\d+)/\d+$", line.strip())
            if m:
                pos[(m.group(1), int(m.group(2)) - 1)] = i
    return pos


def expected(doc):
    """{(case, metric): (iommufd case, type1 case)} the document must have."""
    by = {}
    for c in doc["cases"]:
        by.setdefault(("%dM-%s" % (c["ram_mb"], c["backing"])), {})[c["backend"]] = c
    metrics = ["ready", "quit"] + (["map"] if doc["env"].get("mode") == "events" else [])
    return {(k, m): (v["iommufd"], v["type1"]) for k, v in by.items()
            if "iommufd" in v and "type1" in v for m in metrics}


def check_blocks(cmp, ca, cb, seed, pos):
    bad = []
    metric = cmp["metric"] + "_ms"
    k = min(len(ca["runs"]), len(cb["runs"]))
    blocks = cmp.get("blocks") or []
    if len(blocks) != k:
        return ["%d blocks for %d pairs of runs" % (len(blocks), k)]
    for j, bl in enumerate(blocks):
        ra, rb = ca["runs"][j], cb["runs"][j]
        want = abba.order(seed, j)
        ran = "ab" if ra["seq"] < rb["seq"] else "ba"
        if bl.get("pair") != j or bl.get("n_a") != 1 or bl.get("n_b") != 1:
            bad.append("block %d: pair %s, n_a %s, n_b %s" % (j, bl.get("pair"),
                                                                bl.get("n_a"), bl.get("n_b")))
        if bl.get("order") != want or ran != want:
            bad.append("pair %d: order %s, ran %s by seq, the rule says %s"
                       % (j, bl.get("order"), ran, want))
        pa, pb = pos.get((ca["id"], j)), pos.get((cb["id"], j))
        if pos and (pa is None or pb is None or ("ab" if pa < pb else "ba") != want):
            bad.append("pair %d: progress lines show %s first, the rule says %s"
                       % (j, ca["id"] if pa is not None and pb is not None and pa < pb
                          else cb["id"], want))
        if not (same(bl.get("a"), ra.get(metric)) and same(bl.get("b"), rb.get(metric))):
            bad.append("pair %d: blocks %s/%s, runs %s/%s" % (j, bl.get("a"), bl.get("b"),
                                                              ra.get(metric), rb.get(metric)))
    return bad


def check(doc, pos):
    env = doc["env"]
    seed = env["seed"]
    want = expected(doc)
    comps = doc["comparisons"]
    got = {(c["case"], c["metric"]): c for c in comps}
    print("%s comparisons %s" % ("OK" if set(got) == set(want) and len(comps) == len(got)
                                 else "BAD", sorted("%s %s" % k for k in got)))
    for key in sorted(set(want) & set(got)):
        c, (ca, cb) = got[key], want[key]
        bad = []
        fields = (c.get("unit"), c.get("better"), c.get("a"), c.get("b"), c.get("seed"))
        if fields != ("ms", "lower", "iommufd", "type1", seed):
            bad.append("unit/better/a/b/seed %s" % (fields,))
        bad += check_blocks(c, ca, cb, seed, pos)
        s = abba_py([b["a"] for b in c["blocks"]], [b["b"] for b in c["blocks"]],
                    "lower", seed)
        bad += ["%s %s, lib/abba.py %s" % (f, c.get(f), s[f]) for f in SUMMARY
                if not same(c.get(f), s[f])]
        ci = s["ci95"] and "[%.3f, %.3f]" % tuple(s["ci95"])
        print("# %s %s: ratio %s CI %s %s" % (key[0], key[1], s["ratio"] and "%.3f" % s["ratio"],
                                             ci, s["verdict"]))
        print("%s %s %s: fields, blocks in ABBA order, summary as lib/abba.py gives it%s"
              % ("BAD" if bad else "OK", key[0], key[1], ": " + "; ".join(bad) if bad else ""))


def main(argv):
    if len(argv) not in (1, 2):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    try:
        doc = json.load(open(argv[0]))
    except (OSError, ValueError) as e:
        print("BAD invalid JSON: %s" % e)
        return 0
    print("OK valid JSON")
    try:
        check(doc, progress_order(argv[1] if len(argv) > 1 else None))
    except (KeyError, TypeError, ValueError, IndexError, subprocess.CalledProcessError) as e:
        print("BAD vmstart document of the wrong shape: %r" % e)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
