# SPDX-License-Identifier: GPL-2.0
"""Shared by bench/report/mkreport, regress and promote: reading JSON with
errors that name the file and the place, the summary.json record schema,
and the number formats of the tables."""
import json
import math
import os

SUMMARY_VERSION = 2
BACKENDS = ("iommufd", "type1", "kernel", "none")
RECORD_KEYS = ("bench", "case", "backend", "metric", "unit", "better",
               "n", "median", "p99", "cv", "min", "max")


class InputError(Exception):
    """A file that cannot be used, with a message that names it."""


def load_json(path, what="JSON"):
    """The document in @path; InputError naming the file (and line/column
    for a syntax error) otherwise."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file")
    except OSError as e:
        raise InputError(f"{path}: cannot read: {e.strerror}")
    except UnicodeDecodeError as e:
        raise InputError(f"{path}: not UTF-8 text (byte {e.start})")
    if not text.strip():
        raise InputError(f"{path}: empty file, expected {what}")
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise InputError(f"{path}:{e.lineno}:{e.colno}: corrupt {what}: {e.msg}")


def is_num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def num(v):
    """A finite number or None (the C writer prints NaN and inf as null)."""
    return float(v) if is_num(v) else None


LOG_RATIO_MAX = 50


def load_summary(d):
    """summary.json of report directory @d, checked; InputError otherwise."""
    if not os.path.isdir(d):
        raise InputError(f"{d}: no such directory")
    path = os.path.join(d, "summary.json")
    if not os.path.exists(path):
        raise InputError(f"{path}: no summary.json in {d} (not a report directory?)")
    doc = load_json(path, "summary.json")
    if not isinstance(doc, dict) or not isinstance(doc.get("records"), list):
        raise InputError(f"{path}: not a report summary (no \"records\" list)")
    if not isinstance(doc.get("env"), dict):
        raise InputError(f"{path}: not a report summary (no \"env\" object)")
    for i, r in enumerate(doc["records"]):
        where = f"{path}: records[{i}]"
        if not isinstance(r, dict):
            raise InputError(f"{where}: not an object")
        for k in ("bench", "case", "backend", "metric", "better"):
            if not isinstance(r.get(k), str):
                raise InputError(f"{where}: \"{k}\" missing or not a string")
        if r["better"] not in ("lower", "higher"):
            raise InputError(f"{where}: \"better\" is {r['better']!r}, not lower or higher")
        for k in ("median", "cv", "n"):
            if r.get(k) is not None and not is_num(r[k]):
                raise InputError(f"{where}: \"{k}\" is not a number")
        # natural logs of per-pair ratios: beyond +-50 (a ratio of 5e21) is
        # no measurement but a corrupt number, and would overflow exp()
        b = r.get("block_log_ratios")
        if b is not None and not (isinstance(b, list) and
                                  all(is_num(x) and abs(x) <= LOG_RATIO_MAX for x in b)):
            raise InputError(f"{where}: \"block_log_ratios\" is not a list of log ratios "
                             f"within +-{LOG_RATIO_MAX}")
    return doc


def record_key(r):
    return (r["bench"], r["case"], r["backend"], r["metric"])


# ---- number formats (the same in report.md and regress) ----

_TIME = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}


def fmt_g(v):
    """Three significant digits (%.3g), whole numbers from 1000 up."""
    if v is None:
        return "-"
    if abs(v) >= 1000:
        return f"{v:.0f}"
    return f"{v:.3g}"


def fmt_value(v, unit):
    """@v in @unit for a table: times scaled like mapbench prints them
    (812ns, 6.69us, 15ms, 1.2s), anything else with three digits."""
    if v is None:
        return "-"
    if unit in _TIME:
        ns = v * _TIME[unit]
        if abs(ns) < 1e3:
            return fmt_g(ns) + "ns"
        if abs(ns) < 1e6:
            return fmt_g(ns / 1e3) + "us"
        if abs(ns) < 1e9:
            return fmt_g(ns / 1e6) + "ms"
        return fmt_g(ns / 1e9) + "s"
    return fmt_g(v)


def fmt_pct(v, sign=False):
    if v is None:
        return "-"
    if math.isinf(v):
        return "+inf" if v > 0 else "-inf"
    return f"{v * 100:+.1f}%" if sign else f"{v * 100:.1f}%"
