# SPDX-License-Identifier: GPL-2.0
"""mkreport's building blocks shared by the per-bench parsers: statistics
of a list, summary records, Markdown tables, the report section."""
import math
import re
import statistics

from rlib import InputError, num, is_num

# Below this many samples a p99 is one of the largest two values, not a
# percentile: tables and records give min/median/max instead.
P99_MIN_N = 100


def slug(s):
    return re.sub(r"[^a-z0-9]+", "-", s.lower()).strip("-")


def size_label(b):
    """Bytes as mapbench labels them: 4K, 64K, 2M, 1G (lib/hist)."""
    u = -1
    while b and b % 1024 == 0 and u < 5:
        b //= 1024
        u += 1
    return str(b) if u < 0 else f"{b}{'KMGTPE'[u]}"


def pct7(v, p):
    """Percentile p of sorted v, linear between closest ranks (numpy's
    default, as lib/benchstat computes it)."""
    if not v:
        return None
    pos = p / 100 * (len(v) - 1)
    lo = int(math.floor(pos))
    hi = min(lo + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (pos - lo)


def stats_of(values):
    """n, median, p99, cv, min, max of a list (cv: sample stddev / mean)."""
    v = sorted(x for x in values if is_num(x))
    if not v:
        return {"n": 0, "median": None, "p99": None, "cv": None, "min": None, "max": None}
    m = statistics.mean(v)
    cv = statistics.stdev(v) / m if len(v) > 1 and m else None
    return {"n": len(v), "median": pct7(v, 50), "p99": pct7(v, 99), "cv": cv,
            "min": v[0], "max": v[-1]}


def need(d, key, where, kind=None):
    """d[key], or InputError naming where it is missing."""
    if not isinstance(d, dict) or key not in d:
        raise InputError(f"{where}: no \"{key}\"")
    v = d[key]
    if kind == "list" and not isinstance(v, list):
        raise InputError(f"{where}.{key}: not a list")
    if kind == "dict" and not isinstance(v, dict):
        raise InputError(f"{where}.{key}: not an object")
    if kind == "num" and not is_num(v):
        raise InputError(f"{where}.{key}: not a number")
    return v


def has_p99(s):
    n = s.get("n") if s else None
    return is_num(n) and n >= P99_MIN_N


def record(bench, case, backend, metric, unit, better, s):
    """A summary record from a statistics object s (n, median, p99, cv,
    min, max; missing ones are null; p99 only from 100 samples up)."""
    r = {"bench": bench, "case": case, "backend": backend, "metric": metric,
         "unit": unit, "better": better}
    for k in ("n", "median", "p99", "cv", "min", "max"):
        v = s.get(k)
        r[k] = (int(v) if k == "n" and is_num(v) else num(v))
    if not has_p99(r):
        r["p99"] = None
    return r


def one(value, n=None, cv=None):
    """Statistics of a single derived figure."""
    return {"n": n, "median": value, "cv": cv}


def ratio_record(bench, case, metric, better, a, b):
    """iommufd / type1 of two statistics objects' medians as a record with
    backend "none": n the smaller n, cv the hypot of both CVs (None if
    either is unknown); not interleaved."""
    if not a or not b or not is_num(a.get("median")) or not is_num(b.get("median")) \
            or not b["median"]:
        return None
    return median_ratio("ratio " + metric, bench, case, better, a, b,
                        a["median"] / b["median"])


def median_ratio(metric, bench, case, better, a, b, value):
    cv = math.hypot(a["cv"], b["cv"]) if is_num(a.get("cv")) and is_num(b.get("cv")) else None
    nn = [x["n"] for x in (a, b) if is_num(x.get("n"))]
    r = record(bench, case, "none", metric, "x", better,
               one(value, min(nn) if nn else None, cv))
    r["interleaved"] = False
    return r


class Table:
    def __init__(self, head):
        self.head = head
        self.rows = []

    def add(self, *cells):
        self.rows.append([str(c) for c in cells])

    def md(self):
        out = ["| " + " | ".join(self.head) + " |",
               "|" + "|".join(" --- " for _ in self.head) + "|"]
        out += ["| " + " | ".join(r) + " |" for r in self.rows]
        return out


def cvs(v):
    return "-" if v is None else f"{v * 100:.0f}%"


def ratio_s(a, b):
    return f"{a / b:.2f}" if a is not None and b else "-"


def p99_s(s, unit, fmt):
    """The p99 cell: '-' below P99_MIN_N samples."""
    return fmt(num(s.get("p99")), unit) if has_p99(s) else "-"


def range_s(s, unit, fmt):
    """min..max of a statistics object, '-' when unknown."""
    lo, hi = num(s.get("min")) if s else None, num(s.get("max")) if s else None
    if lo is None or hi is None:
        return "-"
    return f"{fmt(lo, unit)}..{fmt(hi, unit)}"


class Section:
    def __init__(self, title):
        self.title = title
        self.lines = []
        self.plots = []         # (name, title, gnuplot body, data text)
        self.records = []
        self.platform = None    # what the document says
        self.env = None
        self.doc = None
        self.comparisons = []   # summary records of interleaved comparisons


def not_interleaved_note(sec):
    """The line under a table whose ratio column is of medians."""
    if sec.comparisons:
        return ("ratio: of the medians, not interleaved, no CI; quote the interleaved "
                "comparisons below.")
    return ("ratio: of the medians, **not interleaved** (the backends ran one after "
            "the other), no CI: a drift during the run shows as a difference.")
