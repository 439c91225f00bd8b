#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# flushstat-vtd.sh BINDIR [N]: bpf/flushstat in the testbed guest, TAP.
#
#   testbed/run -- bpf/tests/flushstat-vtd.sh build/k/<key>
#   testbed/run -k stock -- bpf/tests/flushstat-stock.sh build/k/<key>
#
# 1. Counts: flushstat -j runs while BINDIR/dmaprobe maps and unmaps 4 KiB
#    N (+10 warm-up) times through iommufd, then through type1, then 2 MiB
#    11 times through both, with the flush event also traced through
#    tracefs; per process the syncs flushstat counted must equal the
#    traced records, and the model holds: one sync per 4 KiB unmap on both
#    backends, one per 2 MiB iommufd unmap (one contiguous span).  Then
#    emptygather.py fails 4 KiB maps with fault injection: those that fail
#    the first page's page-table allocation unroll with an unmap of nothing
#    (iommu:unmap size=0, traced too), whose empty gather is synced (start
#    ULONG_MAX, end 0) and must be counted as such, not as a 2-byte range.
#    The VT-d driver's own event (intel_iommu:cache_tag_flush_range, also
#    traced) witnesses each sync it was called for: iotlb_sync must have
#    one empty record per empty driver flush, and where the core calls the
#    driver for none ("iommu: Do not call drivers for empty gathers", in
#    7.3) there are none to count.
# 2. Storms, default thresholds: a 4 KiB loop of ~6 s per backend raises
#    one "storm_begin" naming its pid, backend and IOAS/container and one
#    "storm_end" after it; a bulk 64 MiB map+unmap (x11) raises none.
# 3. Human output: the STORM lines and the table, 80 columns.
# 4. Patched kernel only: -F (cache_tag source, ioctl attribution) and
#    --source qi_submit give the same syncs per unmap.
# On the stock kernel 1-3 run in the fallback (intel_iommu:cache_tag_*).
# "type1" is the container backend: on a kernel without type1 (make kernel
# COMPAT=1) it is compat, type1's ioctls on iommufd, whose operations
# flushstat attributes to iommufd (by IOAS) from the events and to type1
# from the ioctl syscalls (-F).
# FLUSHSTAT=path overrides build/bpf/flushstat.

set -u
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$top/tests/tap.sh"
. "$top/bpf/tests/lib.sh"
. "$top/tests/container.sh"
[ -n "${IOASID_GUEST:-}" ] || { echo "runs inside the testbed: testbed/run -- $0 BINDIR" >&2; exit 2; }
bin=${1:?usage: flushstat-vtd.sh BINDIR [N]}
n=${2:-300}
fs=${FLUSHSTAT:-$top/build/bpf/flushstat}
probe=$bin/dmaprobe
tr=/sys/kernel/tracing
d=$(mktemp -d)
cleanup() {
	tool_cleanup
	echo 0 >"$tr/events/enable" 2>/dev/null
	rm -rf "$d"
}
trap cleanup EXIT
warm=10

for f in "$fs" "$probe"; do
	[ -x "$f" ] || { echo "not ok 1 $f not built"; echo "1..1"; exit 1; }
done
if [ -d $tr/events/iommu/iotlb_sync ] && [ -d $tr/events/iommufd ]; then
	series=1 source=iotlb_sync attrib=tracepoint ev=iommu/iotlb_sync
else
	series=0 source=cache_tag attrib=syscalls ev=intel_iommu/cache_tag_flush_range
fi
# the container backend, and the name flushstat gives its operations when
# it attributes them from the events (compat's are iommufd's)
container_or_bail
CT=$([ "$C" = type1 ] && echo type1 || echo iommufd)
echo "# $(uname -r), series events: $([ $series = 1 ] && echo yes || echo no), N=$n, container $C"

start_fs() { start_tool "$fs" "$@"; }
stop_fs() { stop_tool; }

# trace_on EVENT / trace_off: the flush event in the trace buffer too
trace_on() {
	echo 0 >$tr/tracing_on
	echo 8192 >$tr/buffer_size_kb
	echo >$tr/trace
	echo 1 >"$tr/events/$1/enable" && echo 1 >$tr/tracing_on
}
trace_off() {
	echo 0 >"$tr/events/$1/enable"
	cat $tr/trace >"$d/$2"
	echo >$tr/trace
}

# run OUT ARGS...: dmaprobe, its pid in $OUT.pid, killed after 600 s
run_probe() {
	local out=$1 p w rc
	shift
	"$probe" "$@" >"$d/$out" 2>&1 &
	p=$!
	echo $p >"$d/$out.pid"
	{ sleep 600; kill "$p"; } 2>/dev/null &
	w=$!
	wait $p
	rc=$?
	kill $w 2>/dev/null
	return $rc
}

# ---- 1: counts against the trace and the model ----
start_fs main -j
ok $? "flushstat -j starts and attaches"
like "$(cat "$d/main.err")" "^mode: $([ $series = 1 ] && echo tracepoint || echo fallback)" \
	"mode: $([ $series = 1 ] && echo tracepoint || echo "fallback, $source")"
trace_on "$ev"
# emptygather's unmaps of nothing, and what the driver flushed for them
witness=(iommu/unmap)
[ "$ev" != intel_iommu/cache_tag_flush_range ] && [ -d $tr/events/intel_iommu/cache_tag_flush_range ] &&
	witness+=(intel_iommu/cache_tag_flush_range)
for e in "${witness[@]}"; do echo 1 >"$tr/events/$e/enable"; done
run_probe p4i -b iommufd -s 4k -n "$n" && run_probe p4t -b "$C" -s 4k -n "$n" &&
	run_probe p2m -b "iommufd,$C" -s 2m -n 1
ok $? "dmaprobe: 4k x $((n + warm)) iommufd, 4k x $((n + warm)) $C, 2m x 11 both"
"$top/bpf/tests/emptygather.py" "/dev/vfio/devices/$(ls /sys/bus/pci/devices/0000:00:03.0/vfio-dev)" \
	>"$d/pe" 2>&1 &
pe=$!
echo $pe >"$d/pe.pid"
{ sleep 600; kill $pe; } 2>/dev/null &
w=$!
wait $pe
ok $? "emptygather.py: $(cat "$d/pe")"
kill $w 2>/dev/null
for e in "${witness[@]}"; do echo 0 >"$tr/events/$e/enable"; done
trace_off "$ev" main.trace
sleep 1.2
stop_fs
is "$?" 0 "SIGTERM: last report and exit 0"

# check_counts JSON TRACE SOURCE ATTRIB: per pid vs trace, and the model
check_counts() {
	python3 - "$d/$1" "$d/$2" "$3" "$4" "$(cat "$d/p4i.pid")" "$(cat "$d/p4t.pid")" \
		"$(cat "$d/p2m.pid")" "$((n + warm))" "$CT" "$(cat "$d/pe.pid")" <<'PY'
import collections, json, re, sys
docs = [json.loads(l) for l in open(sys.argv[1])]
trace, source, attrib = sys.argv[2:5]
p4i, p4t, p2m, n = map(int, sys.argv[5:9])
CT = sys.argv[9]
pe = int(sys.argv[10])
err = []
for doc in docs:
    if doc["type"] != "interval" or doc["source"] != source or doc["attribution"] != attrib:
        err.append("document %s/%s/%s" % (doc["type"], doc["source"], doc["attribution"]))
rows = collections.defaultdict(lambda: collections.Counter())
dom_syncs = proc_syncs = hist_syncs = 0
for doc in docs:
    for p in doc["processes"]:
        k = (p["pid"], p["backend"], p.get("ioas", p.get("container")))
        for f in ("syncs", "unmaps", "unmap_syncs", "range_bytes", "flush_all", "empty_syncs"):
            rows[k][f] += p[f]
        proc_syncs += p["syncs"]
    dom_syncs += sum(x["syncs"] for x in doc["domains"])
    hist_syncs += sum(b["count"] for h in doc["ranges"].values() for b in h)
if not (dom_syncs == proc_syncs == hist_syncs):
    err.append("syncs: processes %d, domains %d, histograms %d" % (proc_syncs, dom_syncs, hist_syncs))
# the trace: records per pid (cache_tag: IOTLB tags only); iotlb_sync's
# gathers split into ranges (their bytes summed) and empty ones
traced, empty, nbytes = collections.Counter(), collections.Counter(), collections.Counter()
unmap0, drv_empty = collections.Counter(), collections.Counter()
for l in open(trace):
    m = re.match(r"\s*\S+-(\d+)\s+\[", l)
    if m and re.search(r" unmap: .* size=0 unmapped_size=0$", l):
        unmap0[int(m.group(1))] += 1
    if not m or not re.search(r" (iotlb_sync|cache_tag_flush_range): ", l):
        continue
    if "cache_tag_flush_range" in l and " type iotlb " not in l:
        continue
    pid = int(m.group(1))
    g = re.search(r"iova=0x([0-9a-f]+) - 0x([0-9a-f]+)|\[0x([0-9a-f]+)-0x([0-9a-f]+)\]", l)
    g = g and [int(x, 16) for x in g.groups() if x is not None]
    if source == "iotlb_sync" and "cache_tag_flush_range" in l:
        # the driver's witness, not the source flushstat reads
        drv_empty[pid] += bool(g and g[0] > g[1])
        continue
    if g and g[0] > g[1]:
        empty[pid] += 1
        continue
    traced[pid] += 1
    if g:
        nbytes[pid] += g[1] - g[0] + 1
for pid in (p4i, p4t, p2m, pe):
    got = sum(v["syncs"] for k, v in rows.items() if k[0] == pid)
    got_e = sum(v["empty_syncs"] for k, v in rows.items() if k[0] == pid)
    got_b = sum(v["range_bytes"] for k, v in rows.items() if k[0] == pid)
    print("# pid %d: flushstat %d syncs (%d bytes), %d empty; trace %d (%d bytes), %d empty" %
          (pid, got, got_b, got_e, traced[pid], nbytes[pid], empty[pid]))
    if got != traced[pid] or got == 0 or got_e != empty[pid]:
        err.append("pid %d: %d syncs, %d empty; %d and %d traced" % (pid, got, got_e, traced[pid], empty[pid]))
    if source == "iotlb_sync" and got_b != nbytes[pid]:
        err.append("pid %d: %d bytes, %d traced" % (pid, got_b, nbytes[pid]))
# the driver's empty flushes: its own event, or the source itself (fallback)
drv = drv_empty[pe] if source == "iotlb_sync" else empty[pe]
print("# emptygather (pid %d): %d unmaps of nothing, %d empty gathers synced, %d flushed by the driver" %
      (pe, unmap0[pe], empty[pe], drv))
if not unmap0[pe]:
    err.append("emptygather (pid %d): no unmap of nothing" % pe)
elif empty[pe] != drv:
    err.append("emptygather (pid %d): the driver flushed %d empty gathers, %d traced" % (pe, drv, empty[pe]))
elif not drv:
    print("# this kernel calls the driver for no empty gather (iommu: Do not call drivers for empty gathers)")
def row(pid, backend):
    r = [(k, v) for k, v in rows.items() if k[0] == pid and k[1] == backend]
    if len(r) != 1 or not r[0][0][2]:
        err.append("pid %d %s: rows %s" % (pid, backend, r))
        return collections.Counter()
    return r[0][1]
for pid, be in ((p4i, "iommufd"), (p4t, CT)):
    r = row(pid, be)
    if not (r["unmaps"] == r["unmap_syncs"] == n and r["range_bytes"] == 4096 * r["syncs"]):
        err.append("pid %d %s: %s, want %d unmaps, one 4K sync each" % (pid, be, dict(r), n))
def one_2m_sync(r):
    return r["unmaps"] == r["unmap_syncs"] == 11 and r["range_bytes"] == 11 * 2 ** 21
if CT == "type1":
    r = row(p2m, "iommufd")
    if not one_2m_sync(r):
        err.append("2m iommufd: %s, want 11 unmaps, one 2M sync each" % dict(r))
    r = row(p2m, "type1")
    if not (r["unmaps"] == 11 and r["unmap_syncs"] >= 11):
        err.append("2m type1: %s, want 11 unmaps, >= 1 sync each" % dict(r))
else:
    # compat is iommufd's io_pagetable too: two IOASes, the same model
    # (rows are keyed by IOAS id: the two contexts' ids differ, 2 and 1)
    rs = [dict(v) for k, v in rows.items() if k[0] == p2m and k[1] == "iommufd" and k[2]]
    if len(rs) != 2 or not all(one_2m_sync(r) for r in rs):
        err.append("2m iommufd and compat: %s, want two IOASes of 11 unmaps, one 2M sync each" % rs)
for e in err:
    print("#   " + e)
sys.exit(1 if err else 0)
PY
}
check_counts main main.trace "$source" "$attrib"
ok $? "per pid: syncs, empty syncs (emptygather's unmaps of nothing) and bytes = the traced records'; one sync per 4K unmap (both), per 2M iommufd$([ "$C" = compat ] && echo " and compat") unmap"

# ---- a full table: what is not counted is said ----
# 5200 IOASes x (map, unmap) = 10400 operation rows in one interval, more
# than the 10240 rows the kernel keeps.
nfill=5200
start_fs fill -j 3600
ok $? "flushstat -j 3600 starts"
strace_bpf fill.strace
"$top/bpf/tests/ioasfill.py" "$nfill" >"$d/fill.out" 2>&1 &
fpid=$!
wait $fpid
ok $? "ioasfill.py: $nfill IOASes, a 4 KiB map and unmap in each"
sed 's/^/# /' "$d/fill.out"
stop_fs
# the report folds the 10240 rows read in batches: not 2 bpf() calls each
calls=$(bpf_calls fill.strace)
[ "$calls" != "?" ] && [ "$calls" -lt 1000 ]
ok $? "reading 10240 rows: $calls bpf() calls (batch reads; fewer than 1000)"
python3 - "$d/fill" "$((2 * nfill))" "$fpid" <<'PY'
import json, sys
docs = [json.loads(l) for l in open(sys.argv[1])]
want, pid = int(sys.argv[2]), int(sys.argv[3])
ivs = [d for d in docs if d["type"] == "interval"]
counted = sum(p["maps"] + p["unmaps"] for d in ivs for p in d["processes"] if p["pid"] == pid)
dropped = sum(d["dropped"] for d in ivs)
print("# %d intervals, %d operations counted, %d events dropped" % (len(ivs), counted, dropped))
# once full, a flush of another process can be dropped too: >=
sys.exit(0 if dropped > 0 and counted < want <= counted + dropped else 1)
PY
ok $? "the table full: the report says how many were dropped (counted + dropped covers the $((2 * nfill)))"

# ---- 2: storms with the default thresholds ----
# a loop long enough for 3 intervals + the 1 s alignment: 6 s, timed by
# dmaprobe itself: a count calibrated on an earlier loop is too short when
# the guest speeds up (under TCG its speed varied 2x with the host's load)
start_fs storm -j
ok $? "flushstat -j (default storm thresholds) starts"
run_probe si -b iommufd -s 4k -t 6 && sleep 4.5 &&
	run_probe st -b "$C" -s 4k -t 6 && sleep 4.5 &&
	run_probe sb -b "iommufd,$C" -s 64m -n 1 && sleep 4.5
ok $? "dmaprobe: 4k loops of 6 s per backend, then 64m map+unmap x 11"
stop_fs
python3 - "$d/storm" "$(cat "$d/si.pid")" "$(cat "$d/st.pid")" "$(cat "$d/sb.pid")" "$CT" <<'PY'
import json, sys
docs = [json.loads(l) for l in open(sys.argv[1])]
si, st, sb = map(int, sys.argv[2:5])
CT = sys.argv[5]
recs = [(i, d) for i, d in enumerate(docs) if d["type"].startswith("storm")]
for i, d in recs:
    print("# %s pid %d %s %s" % (d["type"], d["pid"], d["backend"],
          {k: d[k] for k in ("ioas", "container", "syncs_per_s", "mean_range", "syncs") if k in d}))
err = []
for pid, be, key in ((si, "iommufd", "ioas"), (st, CT, "container" if CT == "type1" else "ioas")):
    b = [i for i, d in recs if d["pid"] == pid and d["type"] == "storm_begin"]
    e = [i for i, d in recs if d["pid"] == pid and d["type"] == "storm_end"]
    if len(b) != 1 or len(e) != 1 or b[0] > e[0]:
        err.append("pid %d: begin at %s, end at %s" % (pid, b, e))
        continue
    d = docs[b[0]]
    if d["backend"] != be or d["comm"] != "dmaprobe" or not d.get(key) or \
       d["syncs_per_s"] < 1000 or d["mean_range"] != 4096:
        err.append("pid %d: %s" % (pid, d))
    if docs[e[0]]["tracing_stopped"]:
        err.append("pid %d: ended only because tracing stopped" % pid)
others = [d for i, d in recs if d["pid"] not in (si, st)]
if others:
    err.append("other storms (the bulk run is %d): %s" % (sb, others))
for e in err:
    print("#   " + e)
# what the detector saw, interval by interval, when it did not fire
if err:
    for d in docs:
        if d["type"] != "interval":
            continue
        ps = ["pid %d %s syncs %d unmaps %d bytes %d" % (p["pid"], p["backend"], p["syncs"], p["unmaps"],
              p["range_bytes"]) for p in d["processes"] if p["pid"] in (si, st)]
        print("#   interval %.2f s, dropped %d: %s" % (d.get("seconds", 0), d.get("dropped", 0),
              "; ".join(ps) or "-"))
sys.exit(1 if err else 0)
PY
ok $? "a storm begins and ends for each 4K loop (pid, backend, id); none for the bulk run"

# ---- 3: human output ----
start_fs human -T --storm-intervals 1 --storm-rate 100
run_probe h -b iommufd -s 4k -n 20000 && sleep 2.5
stop_fs
is "$?" 0 "human output: exit 0"
out=$(cat "$d/human")
hp=$(cat "$d/h.pid")
storm=$(grep -A1 "STORM" <<<"$out")
like "$storm" "^[0-9:]{8} STORM begins: pid $hp comm dmaprobe backend iommufd ioas [0-9]+:$" \
	"STORM begins: pid, comm, backend, IOAS"
like "$(grep -A1 "STORM begins" <<<"$out" | tail -1)" "^  [0-9]+ syncs/s, mean range 4K$" \
	"STORM begins, second line: rate, mean range"
like "$storm" "^[0-9:]{8} STORM ends: pid $hp comm dmaprobe backend iommufd ioas [0-9]+:$" \
	"STORM ends"
like "$(grep -A1 "STORM ends" <<<"$out" | tail -1)" "^  after [0-9]+ s, [0-9]+ syncs$" \
	"STORM ends, second line: duration, syncs"
like "$out" "^    PID COMM +BACKEND ID +SYNCS/s +FLALL +UNMAPS FL/UNM +RANGE$" "the process table"
like "$out" "^ +$hp dmaprobe +iommufd ioas [0-9]+ +[0-9]+ +0 +[0-9]+ +1.00 +4K$" \
	"dmaprobe's row: 1.00 syncs per unmap, 4K"
like "$out" "^ DOMAIN +SYNCS/s +FLALL +RANGE  USED BY$" "the domain table"
long=$(awk 'length($0) > 80' <<<"$out" | head -3)
is "$long" "" "fits 80 columns"

if [ "$series" = 1 ]; then
	# ---- 4: the fallback sources on the patched kernel ----
	for src in cache_tag qi_submit; do
		start_fs "f-$src" -j -F --source "$src"
		ok $? "-F --source $src starts"
		# the ioctl attribution counts compat's as type1's
		run_probe p4i -b iommufd -s 4k -n "$n" && run_probe p4t -b "$C" -s 4k -n "$n"
		sleep 1.2
		stop_fs
		python3 - "$d/f-$src" "$src" "$(cat "$d/p4i.pid")" "$(cat "$d/p4t.pid")" \
			"$((n + warm))" <<'PY'
import collections, json, sys
docs = [json.loads(l) for l in open(sys.argv[1])]
src, (p4i, p4t, n) = sys.argv[2], map(int, sys.argv[3:])
err = []
rows = collections.defaultdict(collections.Counter)
for doc in docs:
    if doc["source"] != src or doc["attribution"] != "syscalls" or not doc["fallback"]:
        err.append("document %s %s" % (doc["source"], doc["attribution"]))
    for p in doc["processes"]:
        for f in ("unmaps", "unmap_syncs", "syncs"):
            rows[(p["pid"], p["backend"])][f] += p[f]
for pid, be in ((p4i, "iommufd"), (p4t, "type1")):
    r = rows[(pid, be)]
    print("# %s pid %d %s: %s" % (src, pid, be, dict(r)))
    if not (r["unmaps"] == r["unmap_syncs"] == n):
        err.append("pid %d %s: %s, want %d unmaps, one sync each" % (pid, be, dict(r), n))
for e in err:
    print("#   " + e)
sys.exit(1 if err else 0)
PY
		ok $? "-F --source $src: $((n + warm)) unmaps per backend, one flush each"
	done
else
	echo "ok $((_n + 1)) -F on the patched kernel # SKIP no series events in this kernel"
	_n=$((_n + 1))
fi
done_testing
