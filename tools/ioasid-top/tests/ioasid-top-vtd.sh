#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# ioasid-top-vtd.sh BINDIR [N]: tools/ioasid-top in the testbed guest
# (patched kernel, emulated VT-d + NVMe on vfio-pci), TAP.
#
#   testbed/run -- tools/ioasid-top/tests/ioasid-top-vtd.sh build/k/<key>
#
# 1. ioasid-top -j runs while BINDIR/dmaprobe maps and unmaps 4 KiB N times
#    (+ 10 warm-up rounds) through iommufd, then through type1: each
#    dmaprobe has rows with its pid and backend whose counts add up to what
#    it did, and every frame's rate x seconds = its count; the device view
#    lists the NVMe under each.
# 2. A long 4 KiB map/unmap loop raises the storm flag (begin and end
#    events, a row flagged); a 2 MiB loop at a similar rate does not.
# Then BINDIR/dirtybench reads the dirty bitmap of a type1 container 22
# times (1 MiB, every page dirty): its row must count them all, DIRTY% 100.
# 3. The ncurses screen in tmux: sort, reverse, filter, help, device view,
#    quit.
# On a kernel without type1 (make kernel COMPAT=1) the second dmaprobe
# uses compat, type1's ioctls on iommufd, which ioasid-top shows as iommufd
# (its IOAS events and attach).
# IOASID_TOP_BIN=path overrides build/tools/ioasid-top/ioasid-top.

set -u
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
. "$top/tests/tap.sh"
. "$top/tests/container.sh"
[ -n "${IOASID_GUEST:-}" ] || { echo "runs inside the testbed: testbed/run -- $0 BINDIR" >&2; exit 2; }
bin=${1:?usage: ioasid-top-vtd.sh BINDIR [N]}
n=${2:-3000}
t=${IOASID_TOP_BIN:-$top/build/tools/ioasid-top/ioasid-top}
probe=$bin/dmaprobe
d=$(mktemp -d)
tpid=
trap 'touch "$d/stop"; [ -n "$tpid" ] && kill "$tpid" 2>/dev/null; tmux kill-server 2>/dev/null; wait; rm -rf "$d"' EXIT
warm=10

for f in "$t" "$probe"; do
	[ -x "$f" ] || { echo "not ok 1 $f not built"; echo "1..1"; exit 1; }
done
# the container backend, and what ioasid-top calls its operations
container_or_bail
CT=$([ "$C" = type1 ] && echo type1 || echo iommufd)
echo "# $(uname -r), N=$n, container $C"

start_top() {
	local name=$1 i
	shift
	"$t" "$@" >"$d/$name" 2>"$d/$name.err" &
	tpid=$!
	for i in $(seq 300); do
		grep -q '^Tracing' "$d/$name.err" && return 0
		kill -0 "$tpid" 2>/dev/null || break
		sleep 0.1
	done
	sed 's/^/#   /' "$d/$name.err"
	return 1
}

stop_top() {
	sleep 2.5	# the last operations' frame
	kill -TERM "$tpid"
	wait "$tpid"
	local rc=$?
	tpid=
	return $rc
}

# ---- 1: rows and counts per pid and backend, devices ----
start_top counts -j -d 1
ok $? "ioasid-top -j -d 1 starts and attaches"
like "$(cat "$d/counts.err")" "mode tracepoints" "mode: tracepoints"
"$probe" -b iommufd -s 4k -n "$n" >"$d/p1" 2>&1 &
p1=$!
wait $p1; rc1=$?
"$probe" -b "$C" -s 4k -n "$n" >"$d/p2" 2>&1 &
p2=$!
wait $p2; rc2=$?
is "$rc1:$rc2" "0:0" "dmaprobe 4k x $((n + warm)) through iommufd (pid $p1), then $C (pid $p2)"
# What its BPF maps charge the kernel (fdinfo's memlock), with rows in
# use: it must not grow with the CPUs (a preallocated per-CPU stats hash
# took 6 MB per possible CPU): its per-CPU maps' share, memlock over the
# possible CPUs, must stay small, whatever the guest's CPUs (TCG guests
# have no hot-pluggable CPUs: Linux counts QEMU's disabled MADT entries
# only under a hypervisor it recognises), and the total for a 128-CPU
# host is printed.
# Before 6.4 memlock was max_entries x (key + value) whatever the flags.
python3 - "$tpid" "$(cat /sys/devices/system/cpu/possible)" <<'PY'
import os, sys
pid, possible = sys.argv[1], sys.argv[2]
if tuple(map(int, os.uname().release.split(".")[:2])) < (6, 4):
    print("# kernel before 6.4: memlock is not what a map holds")
    sys.exit(0)
maps = []
for fd in os.listdir("/proc/%s/fdinfo" % pid):
    try:
        f = dict(l.rstrip("\n").split(":\t", 1) for l in open("/proc/%s/fdinfo/%s" % (pid, fd)) if ":\t" in l)
    except OSError:
        continue
    if "map_type" in f:
        maps.append((int(f["memlock"]), f["map_type"], f["max_entries"], f["value_size"]))
total = sum(m[0] for m in maps)
# per-CPU map types: PERCPU_HASH, PERCPU_ARRAY, LRU_PERCPU_HASH, PERCPU_CGROUP_STORAGE
ncpu = sum(int(b) - int(a) + 1 for a, b in (r.split("-") if "-" in r else (r, r) for r in possible.split(",")))
percpu = sum(m[0] for m in maps if m[1] in ("5", "6", "10", "21"))
per = percpu // ncpu
print("# %d maps, %d KiB in all with %d possible CPUs (%s), of which per-CPU maps %d B (%d B a CPU): "
      "%d KiB on a 128-CPU host; largest: %s" % (len(maps), total >> 10, ncpu, possible, percpu, per,
      (total - percpu + 128 * per) >> 10,
      ", ".join("type %s x%s of %s B: %d KiB" % (t, n, v, b >> 10) for b, t, n, v in sorted(maps)[::-1][:3])))
sys.exit(0 if maps and total < 2 << 20 and per < 64 << 10 else 1)
PY
ok $? "its BPF maps charge less than 2 MiB of kernel memory with rows in use, less than 64 KiB of it per possible CPU (per-CPU stats took 6 MB a CPU)"
stop_top
is "$?" 0 "SIGTERM: exit 0"
python3 - "$d/counts" "$p1" "$p2" "$((n + warm))" "$CT" <<'PY'
import json, sys
docs = [json.loads(l) for l in open(sys.argv[1])]
p1, p2, want = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
CT = sys.argv[5]
err = []
if len(docs) < 3:
    err.append("%d frames" % len(docs))
for pid, backend in ((p1, "iommufd"), (p2, CT)):
    rows = [r for d in docs for r in d["rows"] if r["pid"] == pid]
    if not rows:
        err.append("no row for pid %d" % pid)
        continue
    if {r["backend"] for r in rows} != {backend}:
        err.append("pid %d: backends %s, want %s" % (pid, {r["backend"] for r in rows}, backend))
    if {r["comm"] for r in rows} != {"dmaprobe"}:
        err.append("pid %d: comm %s" % (pid, {r["comm"] for r in rows}))
    for k in ("maps", "unmaps"):
        got = sum(r[k] for r in rows)
        if got != want:
            err.append("pid %d %s: %s %d, want %d" % (pid, backend, k, got, want))
    # each frame: rate x interval = count; the flush column is there
    for d in docs:
        for r in d["rows"]:
            if r["pid"] == pid:
                if abs(r["map_per_s"] * d["seconds"] - r["maps"]) > 0.5:
                    err.append("rate %s x %s != %s" % (r["map_per_s"], d["seconds"], r["maps"]))
                if r["maps"] and r["map_p50_us"] is None:
                    err.append("no map p50")
    # every unmap syncs the IOTLB at least once; summed over the frames,
    # since a refresh may read a row between an operation's two updates
    fl, um = sum(r["flushes"] for r in rows), sum(r["unmaps"] for r in rows)
    if fl < um:
        err.append("pid %d: %d flushes < %d unmaps" % (pid, fl, um))
    as_key = "ioas" if backend == "iommufd" else "container"
    if any(r.get(as_key, 0) < 1 for r in rows):
        err.append("pid %d: no %s number: %s" % (pid, as_key, rows[0]))
    peak = max(r["map_per_s"] for r in rows)
    print("# pid %d %s: %d frames with rows, peak %.0f maps/s" % (pid, backend, len(rows), peak))
for e in err:
    print("#   " + e)
sys.exit(1 if err else 0)
PY
ok $? "each dmaprobe's rows: its pid, comm, backend, IOAS/container; counts sum to $((n + warm)); rate x seconds = count"
python3 - "$d/counts" "$p1" "$p2" "$CT" <<'PY'
import json, sys
docs = [json.loads(l) for l in open(sys.argv[1])]
devs = docs[-1]["devices"]
p1, p2, CT = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
nvme = [x for x in devs if "0000:00:03.0" in x["device"]]
got = {(x["backend"], x["pid"], x["attaches"], x["detaches"]) for x in nvme}
want = {("iommufd", p1, 1, 1), (CT, p2, 1, 1)}
if got != want:
    print("#   got %s\n#   want %s" % (sorted(got), sorted(want)))
    sys.exit(1)
PY
ok $? "devices: the NVMe 0000:00:03.0 attached and detached once under iommufd and under $C (shown as $CT)"

start_top devs -b -d 1 -D -a
"$probe" -b iommufd -s 4k -n 100 >/dev/null 2>&1
stop_top
out=$(cat "$d/devs")
like "$out" "^ DEVICE +BACKEND +ID +PASID +ATTACHED TO" "batch -D: the device view's header"
like "$out" "^ 0000:00:03.0 +iommufd +[0-9]+ +- +hwpt [0-9]+ .*detached +1 +1 +0 +[0-9]+ dmaprobe" \
	"batch -D: the NVMe, iommufd, its HWPT, detached, counts, who"

# --prometheus with the series' events: the file is copied as it changes;
# the last copy that has dmaprobe's rows (written at the refresh after it
# exited, before its rows leave) holds its final counts.
start_top prom -d 1 --prometheus "$d/ioasid.prom"
ok $? "--prometheus starts"
np=300
"$probe" -b iommufd -s 4k -n $np >/dev/null 2>&1 &
pp=$!
i=0 after=0
while [ $after -lt 15 ] && [ $i -lt 600 ]; do	# until 3 s after it exits
	i=$((i + 1))
	cp "$d/ioasid.prom" "$d/snap.$i" 2>/dev/null
	kill -0 $pp 2>/dev/null || after=$((after + 1))
	sleep 0.2
done
wait $pp
stop_top
is "$?" 0 "--prometheus: SIGTERM, exit 0"
[ ! -e "$d/ioasid.prom" ]
ok $? "--prometheus: the file is removed at exit"
python3 - "$d" "$pp" $((np + warm)) <<'PY'
import collections, glob, os, re, sys
d, pid, want = sys.argv[1], sys.argv[2], int(sys.argv[3])
snaps = sorted(glob.glob(d + "/snap.*"), key=lambda f: int(f.rsplit(".", 1)[1]))
snaps = [open(f).read() for f in snaps]
mine = [s for s in snaps if 'ioasid_dma_ops_total{pid="%s"' % pid in s]
if not mine:
    print("#   no copy of %d has pid %s" % (len(snaps), pid))
    sys.exit(1)
text = mine[-1]
# every copy: each series once (node_exporter drops duplicates silently)
for c in snaps:
    dup = [k for k, n in collections.Counter(l.rsplit(" ", 1)[0] for l in c.splitlines()
                                             if l and not l.startswith("#")).items() if n > 1]
    if dup:
        print("#   a series twice: %s" % dup[:2])
        sys.exit(1)
def vals(name, **labels):
    out = []
    for l in text.splitlines():
        m = re.match(r"^%s\{(.*)\} (\S+)$" % name, l)
        if m and all('%s="%s"' % kv in m.group(1) for kv in labels.items()):
            out.append((m.group(1), float(m.group(2))))
    return out
# summed over its rows (IOAS, and 0 for pins outside a map), as sum by () would
def one(name, **labels):
    v = vals(name, **labels)
    return sum(x for _, x in v) if v else None
row = dict(pid=pid, backend="iommufd")
got = {
    "maps": one("ioasid_dma_ops_total", op="map", **row),
    "unmaps": one("ioasid_dma_ops_total", op="unmap", **row),
    "map bytes": one("ioasid_dma_bytes_total", op="map", **row),
    "map latency count": one("ioasid_dma_latency_seconds_count", op="map", **row),
    "syncs": one("ioasid_iotlb_syncs_total", **row),
    "pinned": one("ioasid_pinned_pages_total", **row),
}
print("# the last copy with dmaprobe (pid %s): %s" % (pid, got))
err = []
if got["maps"] != want or got["unmaps"] != want or got["map latency count"] != want:
    err.append("maps/unmaps/latency count, want %d each" % want)
if got["map bytes"] != 4096 * want or not got["syncs"] or got["syncs"] < want or not got["pinned"]:
    err.append("bytes %s (want %d), syncs >= %d, pages pinned" % (got["map bytes"], 4096 * want, want))
le = {}
for l, v in vals("ioasid_dma_latency_seconds_bucket", op="map", **row):
    k = float(re.search(r'le="([^"]+)"', l).group(1))
    le[k] = le.get(k, 0) + v
b = sorted(le.items())
counts = [v for _, v in b]
s = one("ioasid_dma_latency_seconds_sum", op="map", **row)
if counts != sorted(counts) or b[-1] != (float("inf"), want) or not s:
    err.append("buckets not cumulative up to +Inf = %d, or no sum: %s, sum %s" % (want, b[-3:], s))
else:
    lo = next(le for le, v in b if v > 0) / 2
    hi = next(le for le, v in b if v == want)
    if not lo <= s / want <= hi:
        err.append("mean %g s outside the buckets [%g, %g]" % (s / want, lo, hi))
dev = one("ioasid_device_events_total", pid=pid, backend="iommufd", device="0000:00:03.0", event="attach")
if dev != 1:
    err.append("device attach events %s, want 1" % dev)
for e in err:
    print("#   " + e)
sys.exit(1 if err else 0)
PY
ok $? "--prometheus: no series twice; dmaprobe's $((np + warm)) maps and unmaps, bytes, syncs, pins, a cumulative latency histogram whose mean is inside its buckets, the NVMe's attach"

# Two "VMs", each on its own /dev/iommu, one using the device after the
# other (it binds to one context at a time) but both alive: the same
# dev_id 1 and HWPT id 4 (two IOASes, the HWPT on the first or on the
# second), attached, detached: two device rows (ctx), each with its own
# HWPT -> IOAS.
vm() {
	python3 - "/dev/vfio/devices/$(ls /sys/bus/pci/devices/0000:00:03.0/vfio-dev)" "$1" "$d/release" \
		"$top" <<'PY'
import os, sys, time
sys.path.insert(0, sys.argv[4] + "/tests")
from iommufd import *
ictx = os.open("/dev/iommu", os.O_RDWR)
dev = os.open(sys.argv[1], os.O_RDWR)
d = call(dev, BIND, BIND_FMT, 16, 0, ictx, 0)[3]
ioas = [call(ictx, IOAS_ALLOC, IOAS_ALLOC_FMT, 12, 0, 0)[2] for _ in range(2)]
pt = ioas[int(sys.argv[2])]
hwpt = call(ictx, HWPT_ALLOC, HWPT_ALLOC_FMT, 48, 0, d, pt, 0, 0, 0, 0, 0, 0, 0)[4]
call(dev, ATTACH, ATTACH_FMT, 12, 0, hwpt)
call(dev, DETACH, DETACH_FMT, 8, 0)
os.close(dev)			# the next one may bind the device
print(d, hwpt, pt, flush=True)
while not os.path.exists(sys.argv[3]):	# the context lives on
    time.sleep(0.1)
PY
}
waitline() { local i; for i in $(seq 300); do [ -s "$1" ] && return 0; sleep 0.1; done; return 1; }
start_top two -j -d 1
vm 0 >"$d/vm0" &
v0=$!
waitline "$d/vm0" && vm 1 >"$d/vm1" &
v1=$!
waitline "$d/vm0" && waitline "$d/vm1"
ok $? "two processes: dev $(cat "$d/vm0") and dev $(cat "$d/vm1") (dev_id, HWPT, IOAS)"
sleep 2.5
stop_top
touch "$d/release"
wait $v0 $v1
python3 - "$d/two" "$d/vm0" "$d/vm1" <<'PY'
import json, sys
docs = [json.loads(l) for l in open(sys.argv[1])]
want = sorted(tuple(map(int, open(f).read().split())) for f in sys.argv[2:])
if len(want) != 2 or want[0][:2] != want[1][:2]:
    print("# the two contexts' (dev_id, HWPT) do not collide: %s" % want)
    sys.exit(1)
nvme = [x for x in docs[-1]["devices"] if "0000:00:03.0" in x["device"] and x["backend"] == "iommufd"]
got = sorted((x["dev_id"], x["hwpt"], x.get("ioas")) for x in nvme)
print("# rows (ctx, dev_id, hwpt, ioas, attaches): %s" %
      [(x["ctx"], x["dev_id"], x["hwpt"], x.get("ioas"), x["attaches"]) for x in nvme])
ok = got == want and len({x["ctx"] for x in nvme}) == 2 and all(x["attaches"] == 1 for x in nvme)
sys.exit(0 if ok else 1)
PY
ok $? "same dev_id and HWPT id in two contexts: two device rows (ctx), each HWPT with its own IOAS"

# Refresh cost with 3000 rows: a few bpf() calls per refresh (batch reads),
# not two per row (get_next_key + lookup: 6000 a refresh).
strace -f -c -e trace=bpf -o "$d/strace" "$t" -j -a -d 1 -n 12 >"$d/big" 2>"$d/big.err" &
sp=$!
for i in $(seq 300); do grep -q '^Tracing' "$d/big.err" && break; sleep 0.1; done
"$top/bpf/tests/ioasfill.py" 3000 30 >"$d/fill3k" 2>&1 &
fp=$!
wait $sp
rc=$?
kill $fp 2>/dev/null
wait $fp 2>/dev/null
calls=$(awk '$NF == "bpf" { print $4 }' "$d/strace")
rows=$(tail -1 "$d/big" | python3 -c 'import json, sys; print(len(json.load(sys.stdin)["rows"]))')
echo "# 12 refreshes, $rows rows at the end: ${calls:-?} bpf() calls in all (load and attach included)"
[ "$rc" = 0 ] && [ "${rows:-0}" -ge 3000 ] && [ "${calls:-99999}" -lt 1500 ]
ok $? "3000 rows: 12 refreshes take fewer than 1500 bpf() calls in all (batch reads)"

# ---- 2: storms ----
ns=$((n * 20))
start_top storm -j -d 1 --storm-rate 300 --storm-intervals 2
"$probe" -b iommufd -s 4k -n "$ns" >"$d/ps" 2>&1 &
ps=$!
wait $ps
stop_top
python3 - "$d/storm" "$ps" <<'PY'
import json, os, sys
# a crash fails both checks below, not only the first
sys.excepthook = lambda *a: (sys.__excepthook__(*a), os._exit(3))
docs = [json.loads(l) for l in open(sys.argv[1])]
pid = int(sys.argv[2])
ev = [(e["event"], e["pid"], e["backend"]) for d in docs for e in d["storm_events"]]
rates = [round(r["flush_per_s"]) for d in docs for r in d["rows"] if r["pid"] == pid]
flagged = [d for d in docs for r in d["rows"] if r["pid"] == pid and r["storm"]]
print("# flush/s per frame: %s; events %s" % (rates, ev))
ok = ev[:1] == [("begin", pid, "iommufd")] and ("end", pid, "iommufd") in ev and flagged
# --storm-intervals 2 means 2 hot frames in a row to begin and 2 cool ones
# to end (flushstat's meaning): replay the rule over the frames' own rows
# (--storm-rate 300, the default 64 KiB range) and compare the frames
# where the events came.
want, got, hot, cool, active = [], [], 0, 0, False
for i, d in enumerate(docs):
    got += [(e["event"], i) for e in d["storm_events"] if e["pid"] == pid]
    r = [r for r in d["rows"] if r["pid"] == pid and r["backend"] == "iommufd"]
    mr = r and r[0]["flush_mean_range"]
    if r and r[0]["flush_per_s"] >= 300 and (mr is None or mr <= 65536):
        hot, cool = hot + 1, 0
        if not active and hot >= 2:
            active = True
            want.append(("begin", i))
    else:
        hot, cool = 0, cool + 1
        if active and cool >= 2:
            active = False
            want.append(("end", i))
print("# storm events (frame): %s; the rule gives %s" % (got, want))
rule_ok = got == want and {"begin", "end"} <= {e for e, _ in want}
sys.exit((0 if ok else 1) | (0 if rule_ok else 2))
PY
rc=$?
ok $((rc & 1)) "4 KiB loop x $ns: storm begins for its pid (iommufd), a row is flagged, the storm ends"
ok $((rc & 2)) "--storm-intervals 2: it begins after 2 hot frames in a row and ends after 2 cool ones"
start_top bulk -j -d 1 --storm-rate 300 --storm-intervals 2
"$probe" -b iommufd -s 2m -n 600 >"$d/pb" 2>&1 &
pb=$!
wait $pb
stop_top
python3 - "$d/bulk" "$pb" <<'PY'
import json, sys
docs = [json.loads(l) for l in open(sys.argv[1])]
pid = int(sys.argv[2])
rows = [r for d in docs for r in d["rows"] if r["pid"] == pid]
ev = [e for d in docs for e in d["storm_events"]]
print("# 2M: flush/s %s mean range %s" % ([round(r["flush_per_s"]) for r in rows],
      sorted({r["flush_mean_range"] for r in rows if r["flush_mean_range"]})))
sys.exit(0 if rows and not ev and not any(r["storm"] for r in rows) else 1)
PY
ok $? "2 MiB loop: no storm (mean range above 64 KiB)"

# ---- dirty bitmap reads through type1 (the NVMe's container) ----
db=$bin/dirtybench
if [ "$C" != type1 ] || [ ! -x "$db" ] ||
	[ ! -d /sys/kernel/tracing/events/vfio_iommu_type1/vfio_iommu_type1_dirty_bitmap ]; then
	ok 0 "type1 dirty reads # SKIP no type1 dirty events or dirtybench ($C)"
else
	start_top dirty -j -d 1
	"$db" -b type1 -n 20 -w 2 -s 1 >"$d/db" 2>&1 &
	pd=$!
	wait $pd
	rd=$?
	stop_top
	python3 - "$d/dirty" "$pd" <<'PY'
import json, sys
docs = [json.loads(l) for l in open(sys.argv[1])]
pid = int(sys.argv[2])
rows = [r for d in docs for r in d["rows"] if r["pid"] == pid and r["dirty_reads"]]
reads = sum(r["dirty_reads"] for r in rows)
span = sum(r["dirty_span_bytes"] for r in rows)
dirty = sum(r["dirty_bytes"] for r in rows)
print("# type1 dirty: %d reads, %d bytes walked, %d dirty, DIRTY%% %s" %
      (reads, span, dirty, sorted({r["dirty_pct"] for r in rows})))
ok = (rows and {r["backend"] for r in rows} == {"type1"} and reads == 22 and
      span == 22 << 20 and dirty == span and all(r["dirty_pct"] == 100 for r in rows))
sys.exit(0 if ok else 1)
PY
	ok $(( $? | rd )) "dirtybench -b type1 -n 20 -w 2 -s 1: 22 reads of 1 MiB on its container's row, all dirty (DIRTY% 100)"
fi

# ---- 3: the screen, in tmux ----
if ! command -v tmux >/dev/null; then
	echo "ok $((_n + 1)) screen # SKIP no tmux"
	_n=$((_n + 1))
	done_testing
	exit
fi
export TERM=xterm-256color TMUX_TMPDIR=$d
# a map/unmap loop that lasts until the screen checks are done
( while [ ! -e "$d/stop" ]; do "$probe" -b iommufd -s 4k -n 3000 >/dev/null 2>&1; done ) &
bg=$!
# started with -p this shell (which maps nothing): clearing the filter on
# the screen must show the others (-p is a view filter, not the kernel's)
tmux new-session -d -s top -x 150 -y 30 "$t -d 1 -p $$; echo EXITED \$?; sleep 30"
ok $? "tmux session with ioasid-top -p $$"
pane() { tmux capture-pane -p -t top; }
# wait for a frame with the dmaprobe row
waitfor() {
	local i
	for i in $(seq 40); do
		pane | grep -qE -- "$1" && return 0
		sleep 0.5
	done
	pane | sed 's/^/#   | /'
	return 1
}
waitfor "filter: pid $$" && waitfor "no DMA map activity in this interval matching the filter"
ok $? "-p $$: the filter on the screen, no dmaprobe row"
tmux send-keys -t top f Enter
waitfor "^. +[0-9]+ +dmaprobe +iommufd"
ok $? "f, empty: the filter widened, the dmaprobe row"
like "$(pane)" "^ioasid-top - [0-9:]+ .*mode tracepoints +refresh 1s" "screen: header with time, kernel, mode, refresh"
like "$(pane)" "sort: unmap " "screen: default sort unmap"
tmux send-keys -t top s
waitfor "sort: mib "
ok $? "s: next sort column (mib)"
tmux send-keys -t top r
waitfor "sort: mib \(ascending\)"
ok $? "r: reverse"
tmux send-keys -t top f nomatch Enter
waitfor "filter: nomatch( |$)" && waitfor "no DMA map activity in this interval matching the filter"
ok $? "f: a COMM filter that matches nothing hides the row"
# one long dmaprobe, so that its pid lasts through the check; the loop
# stops first: a device binds to one iommufd at a time, so a second
# dmaprobe started while the loop holds it would fail at once
touch "$d/stop"
wait $bg 2>/dev/null
"$probe" -b iommufd -s 4k -n 1000000 >"$d/long" 2>&1 &
pid=$!
tmux send-keys -t top f "$pid" Enter
waitfor "filter: pid $pid" && waitfor "^. +$pid +dmaprobe"
ok $? "f: a PID filter ($pid) shows that process" || sed 's/^/#   dmaprobe: /' "$d/long"
kill "$pid" 2>/dev/null
tmux send-keys -t top '?'
waitfor "ioasid-top keys"
ok $? "?: the help screen"
like "$(pane)" "reverse the sort order" "help: lists the keys"
tmux send-keys -t top x
waitfor "^ioasid-top - "
ok $? "any key leaves the help"
tmux send-keys -t top v
waitfor "^ DEVICE +BACKEND"
ok $? "v: the device view"
tmux send-keys -t top +
waitfor "refresh 2s"
ok $? "+: delay 2 s"
tmux send-keys -t top q
waitfor "^EXITED 0"
ok $? "q: quits, exit 0"
touch "$d/stop"
wait $bg 2>/dev/null
tmux kill-server 2>/dev/null
done_testing
