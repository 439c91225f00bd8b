# SPDX-License-Identifier: GPL-2.0
"""mkreport's per-bench parsers (but fio's, in mk_fio.py): each turns one
raw document into summary records, report lines and plots."""
import re

from rlib import InputError, num, is_num, fmt_value, fmt_g, fmt_pct
from mk_common import (Table, need, record, one, ratio_record, median_ratio, cvs, ratio_s,
                       p99_s, range_s, size_label, not_interleaved_note)

MAP_OPS = ("map", "unmap", "map+unmap")
# Plot titles name the platform; the parsers do not know it yet.
PLATFORM = "@PLATFORM@"


def _map_row(t, c, op, a, b, ra, unit):
    cells = [c["id"], c.get("phys_runs", "-"), op, a.get("n", b.get("n", "-"))]
    for s in (a, b):
        cells += [fmt_value(num(s.get("median")), unit), range_s(s, unit, fmt_value),
                  p99_s(s, unit, fmt_value), cvs(num(s.get("cv")))]
    t.add(*cells, f"{ra:.2f}" if is_num(ra) else "-")


def _ccdf_plot(cid, res, unit):
    """Per-I/O cases: the fraction of calls slower than x per backend, log
    x and log y, so the tail is as readable as the body."""
    blocks, names, ns = [], [], []
    scale = {"ns": 1e-3, "us": 1.0, "ms": 1e3}.get(unit, 1.0)
    for be in ("iommufd", "type1"):
        smp = sorted(x for x in (res.get(be, {}).get("map+unmap", {}).get("samples")
                                 or []) if is_num(x))
        if not smp:
            continue
        n = len(smp)
        blocks.append("\n".join(f"{x * scale:.6g} {(n - k) / n:.6g}" for k, x in enumerate(smp)))
        names.append(be)
        ns.append(f"{be} N={n}")
    if not blocks:
        return None
    plot = ", ".join(f"DATA index {k} using 1:2 with steps lw 2 title '{be}'"
                     for k, be in enumerate(names))
    body = (f"set title 'mapbench {cid}: map+unmap latency CCDF ({PLATFORM}; "
            f"{', '.join(ns)} calls)'\n"
            "set xlabel 'latency (us, log scale)'\n"
            "set ylabel 'fraction of calls at least this slow (log scale)'\n"
            "set logscale xy\nset yrange [*:1]\nset key top right\nset grid\n"
            f"plot {plot}\n")
    return (f"mapbench-{cid}", f"mapbench {cid}: map+unmap CCDF", body, "\n\n\n".join(blocks) + "\n")


def parse_mapbench(doc, path, sec):
    if doc.get("tool") != "mapbench":
        raise InputError(f"{path}: not a mapbench document (\"tool\" is {doc.get('tool')!r})")
    unit = doc.get("unit", "ns")
    env = need(doc, "env", "mapbench", "dict")
    sec.platform, sec.env = env.get("platform"), env
    t = Table(["case", "runs", "op", "N", "iommufd", "range", "p99", "CV",
               "type1", "range", "p99", "CV", "ratio"])
    for i, c in enumerate(need(doc, "cases", "mapbench", "list")):
        where = f"{path}: cases[{i}]"
        cid = need(c, "id", where)
        res = need(c, "results", where, "dict")
        for be, r in res.items():
            for op in MAP_OPS:
                s = need(r, op, f"{where}.results.{be}", "dict")
                need(s, "median", f"{where}.results.{be}.{op}")
                sec.records.append(record("mapbench", cid, be, op, unit, "lower", s))
        io, t1 = res.get("iommufd", {}), res.get("type1", {})
        for op in MAP_OPS:
            a, b = io.get(op, {}), t1.get(op, {})
            ra = (c.get("ratio") or {}).get(op)
            if is_num(ra):
                sec.records.append(median_ratio("ratio " + op, "mapbench", cid, "lower",
                                                a, b, ra))
            _map_row(t, c, op, a, b, ra, unit)
        if c.get("pattern") == "io":
            p = _ccdf_plot(cid, res, unit)
            if p:
                sec.plots.append(p)
    cfg = doc.get("config", {})
    sec.lines += [
        f"Per-call latency through each backend: median, range (min..max), p99 (from "
        f"N = 100 calls up) and CV over N calls (iterations {cfg.get('iterations', '-')}, "
        f"warm-up {cfg.get('warmup', '-')}, VM-RAM rounds {cfg.get('repeat', '-')}); runs: "
        "physically contiguous runs of the buffers; ratio = iommufd median / type1 median "
        "(below 1: iommufd faster).", ""]
    sec.lines += t.md() + ["", not_interleaved_note(sec)]


def parse_faultbench(doc, path, sec):
    if doc.get("bench") != "faultbench":
        raise InputError(f"{path}: not a faultbench document (\"bench\" is {doc.get('bench')!r})")
    sec.platform = (doc.get("environment") or {}).get("platform")
    unit = doc.get("unit", "us")
    t = Table(["outstanding", "N", "median", "range", "p99", "CV", "faults/s",
               "faults/s per round"])
    per_round = one_figure = False
    for i, c in enumerate(need(doc, "cases", "faultbench", "list")):
        where = f"{path}: cases[{i}]"
        k = need(c, "outstanding", where, "num")
        need(c, "median", where)
        case = f"outstanding-{k}"
        sec.records.append(record("faultbench", case, "iommufd", "round_trip", unit, "lower", c))
        # Per round when faultbench wrote rounds (N and spread), else the
        # one figure over the case's time.
        rounds = c.get("throughput_rounds")
        if isinstance(rounds, dict) and is_num(rounds.get("median")):
            per_round = True
            sec.records.append(record("faultbench", case, "iommufd", "throughput", "faults/s",
                                      "higher", rounds))
        elif is_num(c.get("throughput")):
            one_figure = True
            sec.records.append(record("faultbench", case, "iommufd", "throughput", "faults/s",
                                      "higher", one(c["throughput"], 1)))
        t.add(k, c.get("n", "-"), fmt_value(num(c.get("median")), unit),
              range_s(c, unit, fmt_value), p99_s(c, unit, fmt_value),
              cvs(num(c.get("cv"))), fmt_g(num(c.get("throughput"))),
              f"{rounds.get('n')} rounds: {fmt_g(num(rounds['median']))} "
              f"[{fmt_g(num(rounds.get('min')))}..{fmt_g(num(rounds.get('max')))}]"
              if isinstance(rounds, dict) and is_num(rounds.get("median")) else "-")
    sec.lines += [f"I/O page request round trip on the iommufd selftest mock "
                  f"({doc.get('latency', 'per fault')}).", ""]
    note = "faults/s: all measured faults over the case's time"
    if per_round:
        note += "; per round: the faults in consecutive rounds, median [min..max]"
    if one_figure:
        note += (" (cases without rounds: one figure, no N and no spread)" if per_round else
                 ": one figure per case (this faultbench wrote no per-round throughput), "
                 "so no N and no spread")
    sec.lines += t.md() + ["", note + "."]


def parse_invbench(doc, path, sec):
    if doc.get("bench") != "invbench":
        raise InputError(f"{path}: not an invbench document (\"bench\" is {doc.get('bench')!r})")
    sec.platform = (doc.get("environment") or {}).get("platform")
    unit = doc.get("unit", "us")
    t = Table(["entries", "N", "median", "range", "p99", "CV", "per entry"])
    for i, c in enumerate(need(doc, "cases", "invbench", "list")):
        where = f"{path}: cases[{i}]"
        e = need(c, "entries", where, "num")
        need(c, "median", where)
        case = f"entries-{e}"
        sec.records.append(record("invbench", case, "iommufd", "call", unit, "lower", c))
        pe = c.get("per_entry_ns") or {}
        if is_num(pe.get("median")):
            sec.records.append(record("invbench", case, "iommufd", "per_entry", "ns", "lower", pe))
        t.add(e, c.get("n", "-"), fmt_value(num(c.get("median")), unit),
              range_s(c, unit, fmt_value), p99_s(c, unit, fmt_value),
              cvs(num(c.get("cv"))), fmt_value(num(pe.get("median")), "ns"))
    sec.lines += ["`IOMMU_HWPT_INVALIDATE` per call on the iommufd selftest mock, and per "
                  "entry (median of the per-call quotients).", ""]
    sec.lines += t.md()


def parse_dirtybench(doc, path, sec):
    if doc.get("bench") != "dirtybench":
        raise InputError(f"{path}: not a dirtybench document (\"bench\" is {doc.get('bench')!r})")
    sec.platform = (doc.get("environment") or {}).get("platform")
    unit = doc.get("unit", "us")
    backend = need(doc, "backend", "dirtybench")
    t = Table(["span", "dirty", "N", "median", "range", "p99", "CV", "per GiB", "GiB/s"])
    for i, c in enumerate(need(doc, "cases", "dirtybench", "list")):
        where = f"{path}: cases[{i}]"
        span = need(c, "span_mib", where, "num")
        if span <= 0:
            raise InputError(f"{where}: span_mib {span} is not positive")
        pct = need(c, "dirty_percent", where, "num")
        med = num(need(c, "median", where))
        case = f"span-{span}M-dirty-{pct}"
        sec.records.append(record("dirtybench", case, backend, "read", unit, "lower", c))
        t.add(f"{span} MiB", f"{pct}%", c.get("n", "-"), fmt_value(med, unit),
              range_s(c, unit, fmt_value), p99_s(c, unit, fmt_value), cvs(num(c.get("cv"))),
              fmt_value(med * 1024 / span, unit) if med is not None else "-",
              fmt_g(num(c.get("gib_per_s"))))
    what = ("`VFIO_IOMMU_DIRTY_PAGES` (GET_BITMAP) on the NVMe's type1 container: "
            "every mapped page is dirty in every read" if backend == "type1" else
            "`IOMMU_HWPT_GET_DIRTY_BITMAP` on the iommufd selftest mock (the walk of its "
            "table, IOAS huge pages off), the share marked dirty before each read")
    sec.lines += [f"A dirty bitmap read, per read, against the IOVA span and its dirty share: "
                  f"{what}. per GiB: the median scaled to 1 GiB of span; GiB/s: the span "
                  f"over the median.", ""]
    sec.lines += t.md()


FILEMAP_SOURCES = ("map_file", "anonymous")


def parse_filemapbench(doc, path, sec):
    """IOMMU_IOAS_MAP_FILE vs IOMMU_IOAS_MAP: a record per size, operation
    and source (backend "iommufd", metric "<op> <source>"), a table of the
    medians; the ratio with its CI is the interleaved comparison."""
    if doc.get("bench") != "filemapbench":
        raise InputError(f"{path}: not a filemapbench document (\"bench\" is "
                         f"{doc.get('bench')!r})")
    sec.platform = (doc.get("environment") or {}).get("platform")
    unit = doc.get("unit", "us")
    t = Table(["size", "op", "N", "map_file", "range", "p99", "CV", "anonymous", "range",
               "p99", "CV"])
    for i, c in enumerate(need(doc, "cases", "filemapbench", "list")):
        where = f"{path}: cases[{i}]"
        size = need(c, "size_mib", where, "num")
        for op in ("map", "unmap"):
            o = need(c, op, where, "dict")
            cells = [f"{size} MiB", op]
            for src in FILEMAP_SOURCES:
                st = need(o, src, f"{where}.{op}", "dict")
                need(st, "median", f"{where}.{op}.{src}")
                sec.records.append(record("filemapbench", f"size-{size}M", "iommufd",
                                          f"{op} {src}", unit, "lower", st))
                if len(cells) == 2:
                    cells.append(st.get("n", "-"))
                cells += [fmt_value(num(st.get("median")), unit), range_s(st, unit, fmt_value),
                          p99_s(st, unit, fmt_value), cvs(num(st.get("cv")))]
            t.add(*cells)
    sec.lines += ["`IOMMU_IOAS_MAP_FILE` of a memfd against `IOMMU_IOAS_MAP` of anonymous "
                  "memory of the same size, each then unmapped, on an IOAS with the iommufd "
                  "selftest mock's domain (every map pins and maps, every unmap undoes "
                  f"both); per operation over every measured cycle ({doc.get('pairs', '-')} "
                  f"block pairs of {doc.get('cycles_per_block', '-')} cycles per size). The "
                  "mock's domain is a software page table: what differs between the sources "
                  "is how iommufd gets the pages, not an IOMMU.", ""]
    sec.lines += t.md()


VM_UNITS = {"map_bytes": "bytes", "unmap_bytes": "bytes", "expected_bytes": "bytes",
            "pinned_pages": "pages", "iotlb_syncs": "syncs", "map_calls": "calls",
            "unmap_calls": "calls", "pin_calls": "calls", "map_errors": "errors",
            "map_frac": "fraction"}


def _vm_cells(doc, path, sec):
    """vmstart's records: (case order, metric order, cells)."""
    seen, order, cells, metrics = set(), [], {}, []
    for i, c in enumerate(need(doc, "cases", "vmstart", "list")):
        where = f"{path}: cases[{i}]"
        be = need(c, "backend", where)
        case = (f"{c['ram_mb']}M-{c.get('backing', 'anon')}" if "ram_mb" in c
                else str(need(c, "id", where)))
        if (case, be) in seen:
            case += "-" + str(c.get("id", i))
        seen.add((case, be))
        if case not in order:
            order.append(case)
        for k, v in c.items():
            if k in ("id", "backend", "ram_mb", "backing", "n", "runs"):
                continue
            m = re.match(r"(.*)_(ms|us|ns)$", k)
            metric, u = (m.group(1), m.group(2)) if m else (k, VM_UNITS.get(k, "count"))
            if isinstance(v, dict) and "median" in v:
                s = dict(v)
                s.setdefault("n", c.get("n"))
            elif is_num(v):
                s = one(v, c.get("n"))
            else:
                continue
            sec.records.append(record("vmstart", case, be, metric, u, "lower", s))
            cells[(case, be, metric)] = (s, u)
            if metric not in metrics:
                metrics.append(metric)
    return order, metrics, cells


def _vm_plot(order, cells, env, sec):
    lines, ns = [], set()
    for case in order:
        for be in ("iommufd", "type1"):
            rd, mp = cells.get((case, be, "ready")), cells.get((case, be, "map"))
            r = num(rd[0].get("median")) if rd else None
            m = num(mp[0].get("median")) if mp else None
            if r is None or m is None:      # no map time without the events
                continue
            ns.add(str(rd[0].get("n")))
            lines.append(f"{case}/{be} {min(m, r):.6g} {r - min(m, r):.6g}")
    if not lines and order:
        sec.lines += ["", "No map time in vmstart.json (mode: "
                      f"{env.get('mode', 'unknown')}): no start-up breakdown plot."]
    if lines:
        body = ("set title 'VM start: guest RAM map time and the rest of start-up "
                f"(medians; {PLATFORM}; N={'/'.join(sorted(ns))} starts)'\n"
                "set ylabel 'ms'\nset style data histograms\nset style histogram rowstacked\n"
                "set style fill solid 0.7 border -1\nset boxwidth 0.6\nset yrange [0:*]\n"
                "set grid ytics\nset xtics rotate by -30\nset key outside right top\n"
                "plot DATA using 2:xtic(1) title 'DMA map of guest RAM', "
                "'' using 3 title 'rest until ready'\n")
        sec.plots.append(("vmstart-breakdown", "VM start: map vs rest of start-up", body,
                          "\n".join(lines) + "\n"))


def parse_vmstart(doc, path, sec):
    if doc.get("tool") != "vmstart":
        raise InputError(f"{path}: not a vmstart document (\"tool\" is {doc.get('tool')!r})")
    env = doc.get("env") or {}
    sec.platform, sec.env = env.get("platform"), env
    unit = doc.get("unit", "ms")
    order, metrics, cells = _vm_cells(doc, path, sec)
    for case in order:
        for m in ("ready", "map"):
            rr = ratio_record("vmstart", case, m, "lower",
                              (cells.get((case, "iommufd", m)) or ({},))[0],
                              (cells.get((case, "type1", m)) or ({},))[0])
            if rr:
                sec.records.append(rr)
    t = Table(["case", "metric", "N", "iommufd", "min..max", "type1", "min..max", "ratio"])
    for case in order:
        for m in metrics:
            a, b = cells.get((case, "iommufd", m)), cells.get((case, "type1", m))
            if not a and not b:
                continue
            u = (a or b)[1]
            sa, sb = (a or ({}, u))[0], (b or ({}, u))[0]
            t.add(case, m, "/".join(str(x.get("n")) for x in (sa, sb) if x),
                  fmt_value(num(sa.get("median")), u), range_s(sa, u, fmt_value),
                  fmt_value(num(sb.get("median")), u), range_s(sb, u, fmt_value),
                  ratio_s(num(sa.get("median")), num(sb.get("median"))))
    sec.lines += ["QEMU start with the NVMe passed through (vfio-pci) via each backend: time "
                  "until ready and time spent mapping guest RAM (median and min..max over N "
                  f"starts, unit {unit}); counts are per start; ratio = iommufd / type1.", ""]
    sec.lines += t.md() + ["", not_interleaved_note(sec)]
    _vm_plot(order, cells, env, sec)


def parse_overhead(doc, path, sec):
    sec.platform = doc.get("platform")
    if sec.platform == "qemu-tcg-icount":
        sec.platform = "qemu-tcg"   # the same platform as the other boots, in icount mode
        _overhead_icount(doc, path, sec)
        return
    t = Table(["backend", "op", "size", "config", "rounds", "mean", "min", "max", "vs base",
               "min/call", "vs base", "noise?"])
    for i, c in enumerate(need(doc, "cases", "overhead", "list")):
        where = f"{path}: cases[{i}]"
        for k in ("backend", "op", "bytes", "config", "median"):
            need(c, k, where)
        size = size_label(int(c["bytes"])) if is_num(c["bytes"]) else str(c["bytes"])
        case, u = f"{size}-{c['config']}", c.get("unit", "us")
        sec.records.append(record("overhead", case, c["backend"], c["op"] + "_mean", u, "lower",
                                  dict(c, n=c.get("n_rounds"), p99=None)))
        if is_num(c.get("median_of_min")):
            sec.records.append(record("overhead", case, c["backend"], c["op"] + "_min_per_call",
                                      u, "lower", one(c["median_of_min"], c.get("n_rounds"))))
        wn = c.get("within_noise")
        t.add(c["backend"], c["op"], size, c["config"], c.get("n_rounds", "-"),
              fmt_value(num(c.get("median")), u), fmt_value(num(c.get("min")), u),
              fmt_value(num(c.get("max")), u), fmt_pct(num(c.get("vs_baseline")), True),
              fmt_value(num(c.get("median_of_min")), u),
              fmt_pct(num(c.get("vs_baseline_min")), True),
              "-" if wn is None else ("noise" if wn else "beyond noise"))
    sec.lines += ["What the series and the tools cost on the map+unmap loop (bench/overhead): "
                  "mean = median of the round means (min, max: their range), min/call = "
                  "median of the rounds' fastest call; baseline: the stock kernel for `off`, "
                  "`off` for the rest; noise: within the baseline rounds' spread.", ""]
    sec.lines += t.md()


# Per configuration, what it adds to these operations (map and unmap alone,
# and sizes above 4 KiB, stay in raw/overhead.json and overhead.log).
_ICOUNT_OPS = ("map+unmap", "fault", "invalidate")


def _overhead_icount(doc, path, sec):
    """bench/overhead -I: guest instructions per call, one column per
    operation, a row per configuration, then the goals' verdicts."""
    cols, rows, cells = [], [], {}
    for i, c in enumerate(need(doc, "cases", "overhead", "list")):
        for k in ("backend", "op", "bytes", "config", "min", "n_rounds"):
            need(c, k, f"{path}: cases[{i}]")
        size = size_label(int(c["bytes"])) if is_num(c["bytes"]) and c["bytes"] else ""
        case = f"{size}-{c['config']}" if size else c["config"]
        sec.records.append(record("overhead", case, c["backend"], c["op"] + "_insns", "insns",
                                  "lower", {"n": c["n_rounds"], "median": c["min"],
                                            "min": c["min"],
                                            "max": c["min"] + (c.get("spread") or 0)}))
        if c["op"] not in _ICOUNT_OPS or (is_num(c["bytes"]) and c["bytes"] > 4096):
            continue
        col = " ".join(x for x in (c["backend"], size, c["op"]) if x)
        if col not in cols:
            cols.append(col)
        if c["config"] not in rows:
            rows.append(c["config"])
        cells[(c["config"], col)] = c
    names = {c["config"]: c.get("name", c["config"]) for c in doc["cases"]}
    t = Table(["configuration"] + cols)
    for r in rows:
        t.add(names[r], *(_icount_cell(cells.get((r, col))) for col in cols))
    n = sorted({c["n_rounds"] for c in cells.values()})
    sec.lines += [f"What the series and each tool add per call, in guest instructions "
                  f"(bench/overhead -I; QEMU TCG `-icount shift=0,sleep=off`; per-call minimum, "
                  f"N = {'/'.join(map(str, n))} rounds): the stock kernel's instructions, then "
                  "what a configuration adds to its baseline (the stock kernel for events off, "
                  "events off for the rest), as a share of it; where the rounds' minimums "
                  "differ, how far apart. A cost model of the CPU path, not a latency: emulated device "
                  "time is free. Map and unmap alone and the 2 MiB rows (a fresh buffer per "
                  "round, whose physical layout sets the work) are in `overhead.log`.", ""]
    sec.lines += t.md() + [""] + _goal_lines(doc.get("goals") or [])


def _icount_cell(c):
    if not c:
        return "-"
    sp = f" (rounds {c['spread']} apart)" if c.get("spread") else ""
    if c["config"] == "stock" or not is_num(c.get("added")):
        return f"{fmt_g(num(c['min']))}{sp}"
    return f"{num(c['added']):+.0f} ({fmt_pct(num(c.get('added_ratio')), True)}){sp}"


def _goal_lines(goals):
    out = ["Goals (4 KiB map+unmap and the mock's operations; bench/overhead-report):", ""]
    for g in goals:
        bad = [x for x in g["checks"] if x["holds"] is False]
        unj = [x for x in g["checks"] if x["holds"] is None]
        judged = len(g["checks"]) - len(unj)
        if g["holds"] is None:
            out.append(f"- {g['goal']}: not measured")
            continue
        v = "holds" if not bad else "**fails**"
        more = f"; {len(unj)} not judged (rounds disagree)" if unj else ""
        out.append(f"- {g['goal']}: {v} ({judged - len(bad)} of {judged} hold{more})" +
                   ("".join(f"; {x['subject']} {x['figure']}" for x in bad[:6]) +
                    (f"; {len(bad) - 6} more" if len(bad) > 6 else "") if bad else ""))
    return out
