# SPDX-License-Identifier: GPL-2.0
"""mkreport's parser of the instruction-count documents bench/run's icount
suite writes: mapbench-icount.json (mapbench in a testbed/run --icount
boot, where a guest nanosecond is one guest instruction) and
fio-icount.json (fio-compare -I: guest instructions per I/O).  The table
puts each backend's instructions per operation beside the wall-time ratio
of the same case from the mapbench and fio sections."""
from rlib import InputError, is_num, fmt_g
from mk_common import Table, need, record
from mk_compare import parse_comparisons, ratio_ci_s, verdict_s

MAP_OPS = ("map", "unmap", "map+unmap")


def _mapbench(doc, path, sec):
    if doc.get("tool") != "mapbench":
        raise InputError(f"{path}: not a mapbench document")
    env = need(doc, "env", "mapbench-icount", "dict")
    sec.platform, sec.env = env.get("platform"), env
    for i, c in enumerate(need(doc, "cases", "mapbench-icount", "list")):
        res = need(c, "results", f"{path}: cases[{i}]", "dict")
        for be, r in res.items():
            for op in MAP_OPS:
                s = need(r, op, f"{path}: cases[{i}].results.{be}", "dict")
                sec.records.append(record("mapbench-icount", c["id"], be, op, "insns",
                                          "lower", s))


def _fio(doc, path, sec):
    if doc.get("clock") != "icount":
        raise InputError(f"{path}: not an instruction-count run (clock is "
                         f"{doc.get('clock')!r}; fio-compare -I writes \"icount\")")
    for i, r in enumerate(need(doc, "results", path, "list")):
        case = f"{r['rw']}-qd{r['qd']}-j{r['jobs']}-{r['mapmode']}"
        v = [x.get("insns_per_io") for x in r.get("runs", []) if is_num(x.get("insns_per_io"))]
        s = {"n": len(v), "median": r.get("insns_per_io_median"),
             "min": min(v) if v else None, "max": max(v) if v else None}
        sec.records.append(record("fio-icount", case, r["backend"], "insns_per_io", "insns",
                                  "lower", s))


def parse_icount(files, sec):
    """@files: [(doc, path, name)] of mapbench-icount.json/fio-icount.json;
    returns the disagreement messages of their comparisons."""
    bad = []
    for doc, path, name in files:
        bench = name[:-len(".json")]
        bad += parse_comparisons(bench, doc, path, sec)
        (_mapbench if bench == "mapbench-icount" else _fio)(doc, path, sec)
    return bad


def _wall(secs, bench, case, metric):
    """The wall-time comparison of the same case: mapbench's same op,
    fio's median completion latency."""
    src, m = ("mapbench", metric) if bench == "mapbench-icount" else ("fio", "ratio clat_p50")
    for r in getattr(secs.get(src), "comparisons", []):
        if r["case"] == case and r["metric"] == m:
            return r
    return None


def icount_lines(sec, secs):
    """The table, made once every section is parsed (for the wall-time
    column)."""
    per = {(r["bench"], r["case"], r["backend"], r["metric"]): r for r in sec.records}
    t = Table(["bench", "case", "op", "iommufd insns", "type1 insns",
               "iommufd / type1 [95% CI]", "verdict", "wall time: iommufd / type1 [95% CI]"])
    for c in sec.comparisons:
        op = c["metric"][len("ratio "):]
        a = per.get((c["bench"], c["case"], "iommufd", op), {})
        b = per.get((c["bench"], c["case"], "type1", op), {})
        w = _wall(secs, c["bench"], c["case"], c["metric"])
        t.add(c["bench"][:-len("-icount")], c["case"], op, fmt_g(a.get("median")),
              fmt_g(b.get("median")), ratio_ci_s(c), verdict_s(c),
              f"{ratio_ci_s(w)} ({w['metric'][6:]})" if w else "-")
    return (["Guest instructions per operation: a boot with QEMU `-icount shift=0,sleep=off`, "
             "where a guest nanosecond is one guest instruction (medians of the calls; fio: "
             "CPU time less the engine's empty completion polls, per I/O). A cost model of "
             "the CPU path that host load cannot move: emulated device time is free, so it "
             "is not a latency. The last column is the wall-time ratio of the same case from "
             "this report's mapbench and fio sections.", ""] + t.md())
