# SPDX-License-Identifier: GPL-2.0
"""mkreport's parser of fio.json and fio-kernel.json (bench/fio/fio-compare):
records per run set, the IOPS, kernel reference and traced-pass tables,
the IOPS and IOTLB-sync plots."""
from rlib import num, is_num, fmt_value, fmt_g
from mk_common import Table, need, record, one, ratio_record, stats_of, ratio_s, \
    not_interleaved_note
from mk_benches import PLATFORM

METRICS = (("iops", "iops", "IOPS", "higher"), ("clat_p50", "clat_p50_us", "us", "lower"),
           ("clat_p99", "clat_p99_us", "us", "lower"))


def name(r):
    return f"{r['rw']}-qd{r['qd']}-j{r['jobs']}-{r['mapmode']}"


def _rows(docs, sec, notes):
    """[(result, good runs, path)] and the traced passes of all documents."""
    rows, traced = [], []
    for doc, path in docs:
        need(doc, "results", path, "list")
        if doc.get("platform"):
            sec.platform = sec.platform or doc["platform"]
        for i, r in enumerate(doc["results"]):
            where = f"{path}: results[{i}]"
            for k in ("backend", "mapmode", "rw", "qd", "jobs"):
                need(r, k, where)
            allruns = need(r, "runs", where, "list")
            runs = [x for x in allruns if isinstance(x, dict) and not x.get("error")]
            if len(runs) < len(allruns):
                errs = sorted({str(x.get("error")) for x in allruns
                               if isinstance(x, dict) and x.get("error")})
                notes.append(f"- {r['backend']} {name(r)}: {len(allruns) - len(runs)} of "
                             f"{len(allruns)} runs failed (fio error {', '.join(errs)}); left out")
            rows.append((r, runs, path))
        traced += [t for t in doc.get("traced") or [] if isinstance(t, dict)]
    return rows, traced


def _records(rows, traced, sec, notes):
    cell = {}
    for r, runs, path in rows:
        if not runs:
            notes.append(f"- {name(r)} {r['backend']}: every run failed in {path}; left out")
            continue
        for metric, key, unit, better in METRICS:
            s = stats_of([x.get(key) for x in runs])
            sec.records.append(record("fio", name(r), r["backend"], metric, unit, better, s))
            cell[(name(r), r["backend"], metric)] = s
    for t in traced:
        for metric, unit in (("maps_per_io", "per I/O"), ("unmaps_per_io", "per I/O"),
                             ("iotlb_syncs_per_io", "per I/O"),
                             ("map_mean", t.get("unit") or "us"),
                             ("unmap_mean", t.get("unit") or "us")):
            if metric.endswith("_mean") and _setup_only(t):
                continue
            if is_num(t.get(metric)):
                sec.records.append(record("fio", name(t), t["backend"], metric, unit, "lower",
                                          one(t[metric], 1)))
    return cell


def _setup_only(t):
    """A static-mode pass maps its buffers once at setup: its map and unmap
    latencies are the setup's, not a per-I/O figure."""
    return t.get("mapmode") == "static"


def _iops(s):
    return f"{fmt_g(s['median'])} [{fmt_g(s['min'])}..{fmt_g(s['max'])}]" if s else "-"


def _tables(groups, cell, sec):
    t = Table(["case", "N", "iommufd IOPS", "clat p99", "type1 IOPS", "clat p99", "ratio"])
    kt = Table(["case", "N", "IOPS", "clat p50", "clat p99"])
    for rw, qd, nj, mm in groups:
        case = f"{rw}-qd{qd}-j{nj}-{mm}"
        if mm.startswith("io_uring"):      # io_uring and io_uring-hipri (polled)
            s = cell.get((case, "kernel", "iops"))
            if s:
                kt.add(case, s["n"], _iops(s),
                       fmt_value(cell[(case, "kernel", "clat_p50")]["median"], "us"),
                       fmt_value(cell[(case, "kernel", "clat_p99")]["median"], "us"))
            continue
        a, b = cell.get((case, "iommufd", "iops")), cell.get((case, "type1", "iops"))
        if not a and not b:
            continue
        rr = ratio_record("fio", case, "iops", "higher", a, b)
        if rr:
            sec.records.append(rr)
        pa, pb = cell.get((case, "iommufd", "clat_p99")), cell.get((case, "type1", "clat_p99"))
        t.add(case, "/".join(str(x["n"]) for x in (a, b) if x), _iops(a),
              fmt_value(pa["median"], "us") if pa else "-", _iops(b),
              fmt_value(pb["median"], "us") if pb else "-",
              ratio_s(a and a["median"], b and b["median"]))
    if t.rows:
        sec.lines += t.md() + ["", not_interleaved_note(sec)]
    if kt.rows:
        sec.lines += ["", "Kernel nvme driver reference (io_uring: interrupt-driven, and "
                      "io_uring-hipri: polled):", ""] + kt.md()


def _traced_table(traced, sec):
    tt = Table(["case", "backend", "IOPS", "maps/IO", "unmaps/IO", "IOTLB syncs/IO",
                "map mean", "unmap mean"])
    for x in traced:
        u = x.get("unit") or "us"
        means = (("setup", "setup") if _setup_only(x) else
                 (fmt_value(num(x.get("map_mean")), u), fmt_value(num(x.get("unmap_mean")), u)))
        tt.add(name(x), x["backend"], fmt_g(num(x.get("iops"))),
               *(f"{x[k]:.2f}" if is_num(x.get(k)) else "-"
                 for k in ("maps_per_io", "unmaps_per_io", "iotlb_syncs_per_io")), *means)
    sec.lines += ["", "Traced pass (bpf/maplat -B attached, one run each): DMA maps, "
                  "unmaps and IOTLB syncs per I/O, mean map/unmap latency per I/O. "
                  "\"setup\": static buffers are mapped once when the device opens, "
                  "so those maps are not an I/O figure and are left out.", ""] + tt.md()


BARS = ("set style data histograms\nset style fill solid 0.7 border -1\nset yrange [0:*]\n"
        "set grid ytics\nset xtics rotate by -30\nset key outside right top\n")


def _iops_plot(rows, groups, cell):
    series, cases, ns = [], [], set()
    for r, runs, _ in rows:
        s = f"{r['backend']}/{r['mapmode']}"
        if s not in series and runs:
            series.append(s)
            ns.add(str(len(runs)))
    for rw, qd, nj, mm in groups:
        if f"{rw}-qd{qd}-j{nj}" not in cases:
            cases.append(f"{rw}-qd{qd}-j{nj}")
    if not series or not cases:
        return None
    lines = []
    for c in cases:
        vals = []
        for s in series:
            be, mm = s.split("/")
            st = cell.get((f"{c}-{mm}", be, "iops"))
            vals += ([st["median"], st["min"], st["max"]] if st else ["NaN"] * 3)
        lines.append(" ".join([c] + [f"{v:.6g}" if is_num(v) else "NaN" for v in vals]))
    plot = ", ".join(f"DATA using {2 + 3 * k}:{3 + 3 * k}:{4 + 3 * k}"
                     f"{':xtic(1)' if k == 0 else ''} title '{s}'" for k, s in enumerate(series))
    body = (f"set title 'fio: IOPS median, min..max over runs ({PLATFORM}; "
            f"N={'/'.join(sorted(ns))} runs)'\nset ylabel 'IOPS'\n"
            f"set style histogram errorbars gap 1 lw 1\n{BARS}plot {plot}\n")
    return ("fio-iops", "fio IOPS per backend and map mode", body, "\n".join(lines) + "\n")


def _syncs_plot(traced):
    ts = [x for x in traced if is_num(x.get("iotlb_syncs_per_io"))]
    if not ts:
        return None
    tseries, tcases = [], []
    for x in ts:
        s, c = f"{x['backend']}/{x['mapmode']}", f"{x['rw']}-qd{x['qd']}-j{x['jobs']}"
        tseries += [s] if s not in tseries else []
        tcases += [c] if c not in tcases else []
    val = {(f"{x['backend']}/{x['mapmode']}", f"{x['rw']}-qd{x['qd']}-j{x['jobs']}"):
           x["iotlb_syncs_per_io"] for x in ts}
    lines = [" ".join([c] + [f"{val[(s, c)]:.6g}" if (s, c) in val else "NaN"
                             for s in tseries]) for c in tcases]
    plot = ", ".join(f"DATA using {2 + k}{':xtic(1)' if k == 0 else ''} title '{s}'"
                     for k, s in enumerate(tseries))
    body = (f"set title 'fio traced pass: IOTLB syncs per I/O ({PLATFORM}; N=1 run)'\n"
            "set ylabel 'syncs per I/O'\nset style histogram clustered gap 1\n"
            f"{BARS}plot {plot}\n")
    return ("fio-iotlb-syncs", "fio: IOTLB syncs per I/O", body, "\n".join(lines) + "\n")


def parse_fio(docs, sec):
    """fio.json and fio-kernel.json together: [(doc, path)]."""
    notes = []
    rows, traced = _rows(docs, sec, notes)
    cell = _records(rows, traced, sec, notes)
    sec.lines += ["4 KiB random I/O through the nvme-vfio engine: IOPS median [min..max] of "
                  "N runs, completion latency p99 (fio's, median over runs); ratio = iommufd "
                  "IOPS / type1 IOPS (above 1: iommufd faster).", ""]
    groups = []
    for r, runs, _ in rows:
        g = (r["rw"], r["qd"], r["jobs"], r["mapmode"])
        if g not in groups:
            groups.append(g)
    _tables(groups, cell, sec)
    if traced:
        _traced_table(traced, sec)
    if notes:
        sec.lines += [""] + notes
    sec.plots += [p for p in (_iops_plot(rows, groups, cell), _syncs_plot(traced)) if p]
