# SPDX-License-Identifier: GPL-2.0
"""A baseline: one or more report directories.  A baseline directory
(results/baseline/, written by bench/report/promote) holds one report per
subdirectory and promoted.json listing them oldest first:
{"keep": 5, "runs": [{"dir", "from", "from_path", "promoted", "date",
"platform", "commit"}]}.  A report directory given directly is one run;
an old single-report baseline (summary.json at its top) too."""
import os

from rlib import InputError, load_json, load_summary, record_key


def index(doc, path):
    out = {}
    for r in doc["records"]:
        key = record_key(r)
        if key in out:
            raise InputError(f"{path}: duplicate record {'/'.join(key)}")
        out[key] = r
    return out


def promoted(d):
    """promoted.json of baseline directory @d, or None."""
    p = os.path.join(d, "promoted.json")
    if not os.path.exists(p):
        return None
    doc = load_json(p, "promoted.json")
    if not isinstance(doc, dict):
        raise InputError(f"{p}: not an object")
    return doc


def run_dirs(d):
    """The report directories that @d stands for, oldest first."""
    if not os.path.isdir(d):
        raise InputError(f"{d}: no such directory")
    if os.path.exists(os.path.join(d, "summary.json")):
        return [d]
    pj = promoted(d)
    if pj and isinstance(pj.get("runs"), list):
        dirs = [os.path.join(d, str(r.get("dir"))) for r in pj["runs"] if isinstance(r, dict)]
    else:
        dirs = sorted(os.path.join(d, x) for x in os.listdir(d)
                      if os.path.exists(os.path.join(d, x, "summary.json")))
    if not dirs:
        raise InputError(f"{os.path.join(d, 'summary.json')}: no summary.json in {d} "
                         "(not a report or baseline directory?)")
    return dirs


def load_runs(paths, single=False):
    """[(path, summary, index)] of every run the arguments stand for."""
    out = []
    for p in paths:
        for d in ([p] if single else run_dirs(p)):
            doc = load_summary(d)
            out.append((d, doc, index(doc, os.path.join(d, "summary.json"))))
    return out
