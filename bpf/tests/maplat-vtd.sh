#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# maplat-vtd.sh BINDIR [N]: bpf/maplat in the testbed guest, TAP.
#
#   testbed/run -- bpf/tests/maplat-vtd.sh build/k/<key>
#   testbed/run -k stock -- bpf/tests/maplat-vtd.sh build/k/<key>
#
# maplat -j runs in the background while BINDIR/dmaprobe maps and unmaps
# 4 KiB and 64 KiB N times (+ 10 warm-up rounds) through iommufd and the
# container (type1), 4 KiB N/3 times through compat (type1's ioctls on
# iommufd), and a few IOAS ioctls fail on purpose; then the histogram
# totals must equal what was done, per (backend, op, size class): compat
# apart in tracepoint mode, counted as type1 by the fallback.  On a kernel
# without type1 (make kernel COMPAT=1) the container is compat's.  With the series' events
# (patched kernel) this runs in tracepoint mode, then forced into the
# fallback (-F), then with -B; without them (stock kernel) in the fallback.
# -I (per IOAS / container) is checked in whichever mode the kernel offers.
# MAPLAT=path overrides build/bpf/maplat.

set -u
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$top/tests/tap.sh"
. "$top/bpf/tests/lib.sh"
. "$top/tests/container.sh"
[ -n "${IOASID_GUEST:-}" ] || { echo "runs inside the testbed: testbed/run -- $0 BINDIR" >&2; exit 2; }
bin=${1:?usage: maplat-vtd.sh BINDIR [N]}
n=${2:-300}
m=${MAPLAT:-$top/build/bpf/maplat}
probe=$bin/dmaprobe
d=$(mktemp -d)
trap 'tool_cleanup; rm -rf "$d"' EXIT
warm=10		# dmaprobe's warm-up rounds, counted by the kernel too
bad=3		# failing IOAS map and unmap ioctls

for f in "$m" "$probe"; do
	[ -x "$f" ] || { echo "not ok 1 $f not built"; echo "1..1"; exit 1; }
done
# The container backend: type1, or compat where iommufd serves /dev/vfio/vfio.
container_or_bail
if [ -d /sys/kernel/tracing/events/iommufd ] &&
	{ [ "$C" = compat ] || [ -d /sys/kernel/tracing/events/vfio_iommu_type1 ]; }; then
	series=1 mode=tracepoint banner=tracepoint
else
	series=0 mode=syscalls banner="fallback, syscalls"
fi
echo "# $(uname -r), series events: $([ $series = 1 ] && echo yes || echo no), N=$n, container $C"
# dmaprobe through iommufd, then the container backend
probe2() { "$probe" -b iommufd "$@" && "$probe" -b "$C" "$@"; }
nc=$((n / 3))	# compat's 4 KiB rounds

start_maplat() { start_tool "$m" "$@"; }
stop_maplat() { stop_tool; }

# Failures where the io_pagetable code sees them, so that both modes do: on
# an IOAS of its own (no device, so nothing is pinned), $bad maps at a fixed
# IOVA whose range wraps (-EOVERFLOW), and $bad unmaps of half of a 1 MiB
# mapping (-ENOENT: it would split it), which is mapped and unmapped once.
failing_ioctls() {
	PYTHONPATH=$top/tests python3 - "$bad" <<'PY'
import ctypes, mmap, os, sys
from iommufd import destroy, ioas_alloc, ioas_map, ioas_unmap
MIB, IOVA, WRAP = 1 << 20, 1 << 32, (1 << 64) - (1 << 19)
fd = os.open("/dev/iommu", os.O_RDWR)
ioas = ioas_alloc(fd)
buf = mmap.mmap(-1, MIB)
va = ctypes.addressof(ctypes.c_char.from_buffer(buf))
fails = 0
ioas_map(fd, ioas, va, MIB, IOVA)
for _ in range(int(sys.argv[1])):
    for op in (lambda: ioas_map(fd, ioas, va, MIB, WRAP), lambda: ioas_unmap(fd, ioas, IOVA, MIB // 2)):
        try:
            op()
        except OSError:
            fails += 1
ioas_unmap(fd, ioas, IOVA, MIB)
destroy(fd, ioas)
sys.exit(0 if fails == 2 * int(sys.argv[1]) else 1)
PY
}

workload() {
	probe2 -s 4k -n "$n" >"$d/probe-4k" 2>&1 &&
		probe2 -s 64k -n "$((n / 3))" >"$d/probe-64k" 2>&1 &&
		{ [ "$C" = compat ] || "$probe" -b compat -s 4k -n "$nc" >"$d/probe-compat" 2>&1; } &&
		failing_ioctls
}

# What the kernel saw: (backend, op, size_log2) -> (count, failed); MODE
# tracepoint tells compat apart, the fallback counts it as type1.
expected() {
	local a=$((n + warm)) b=$((n / 3 + warm)) c=$((nc + warm))
	python3 - "$1" "$C" "$a" "$b" "$c" "$bad" <<'PY'
import sys
mode, K = sys.argv[1:3]
a, b, c, bad = map(int, sys.argv[3:])
# the fallback tells backends by ioctl number: compat's are type1's
C = K if mode == "tracepoint" else "type1"
w = {}
def add(k, n, f=0):
    x = w.get(k, (0, 0))
    w[k] = (x[0] + n, x[1] + f)
for op in ("map", "unmap"):
    for be in ("iommufd", C):
        add((be, op, 12), a)
        add((be, op, 16), b)
    if K == "type1":	# the extra compat run
        add(("compat" if mode == "tracepoint" else "type1", op, 12), c)
add(("iommufd", "map", 20), 1, bad)
add(("iommufd", "unmap", 19), 0, bad)
add(("iommufd", "unmap", 20), 1)
print(w)
PY
}

# check NAME MODE: the JSON of run NAME has one document in MODE whose
# totals (summed over processes) are expected(); prints what differs.
check_counts() {
	python3 - "$d/$1" "$2" "$(expected "$2")" <<'PY'
import json, sys
docs = [json.loads(l) for l in open(sys.argv[1])]
want = eval(sys.argv[3])
err = []
if len(docs) != 1:
    err.append("%d documents" % len(docs))
doc = docs[-1]
if doc["mode"] != sys.argv[2]:
    err.append("mode %s, want %s" % (doc["mode"], sys.argv[2]))
got = {}
for h in doc["histograms"]:
    k = (h["backend"], h["op"], h["size_log2"])
    c, f = got.get(k, (0, 0))
    got[k] = (c + h["count"], f + h["failed"])
    if sum(b["count"] for b in h["buckets"]) != h["count"]:
        err.append("%s: buckets do not add up to count" % (k,))
for k in sorted(set(got) | set(want)):
    if got.get(k) != want.get(k):
        err.append("%s: got %s, want %s" % (k, got.get(k), want.get(k)))
for e in err:
    print("#   " + e)
sys.exit(1 if err else 0)
PY
}

# ---- 1: the default mode, per process ----
start_maplat main -j -P
ok $? "maplat -j -P starts and attaches"
like "$(cat "$d/main.err")" "^mode: $banner" "mode: $banner"
workload
ok $? "dmaprobe 4k x $((n + warm)), 64k x $((n / 3 + warm)) through iommufd and $C$([ "$C" = type1 ] &&
	echo ", compat 4k x $((nc + warm))"); $bad failing map+unmap"
stop_maplat
is "$?" 0 "SIGTERM: report and exit 0"
check_counts main "$mode"
ok $? "$mode mode: totals per (backend, op, size) = what was done, failures apart"
python3 - "$d/main" <<'PY'
import json, sys
doc = json.loads(open(sys.argv[1]).read())
for h in doc["histograms"]:
    if h["count"]:
        # python3: the 1 MiB map and unmap around its failures
        assert h["comm"] == "dmaprobe" or (h["comm"] == "python3" and h["count"] == 1 and
                                           h["size_log2"] == 20), h
        assert h["p50"] <= h["p90"] <= h["p99"], h
        lo, hi = h["buckets"][0]["lo"], h["buckets"][-1]["hi"] + 1
        assert lo <= h["mean"] <= hi, h
    else:
        assert h["comm"] == "python3" and h["p50"] is None, h
PY
ok $? "-P: dmaprobe's and python3's own entries; p50 <= p90 <= p99; mean inside the buckets"

# ---- -I: per IOAS / container ----
# Two IOASes of one /dev/iommu (no device: map and unmap still run the
# handlers) map 4 KiB $k1 and $k2 times; dmaprobe does its own.  IOAS ids
# are per /dev/iommu file, so -P keeps processes apart.
k1=5 k2=9
two_ioases() {
	PYTHONPATH=$top/tests python3 - "$k1" "$k2" <<'PY'
import ctypes, mmap, os, sys
from iommufd import ioas_alloc, ioas_map, ioas_unmap
fd = os.open("/dev/iommu", os.O_RDWR)
buf = mmap.mmap(-1, 4096)
va = ctypes.addressof(ctypes.c_char.from_buffer(buf))
ids = []
for k in map(int, sys.argv[1:]):
    ioas = ioas_alloc(fd)
    ids.append(ioas)
    for _ in range(k):
        ioas_map(fd, ioas, va, 4096, 1 << 20)
        ioas_unmap(fd, ioas, 1 << 20, 4096)
print(*ids)
PY
}
start_maplat ioas -j -I -P
ok $? "maplat -j -I -P starts"
ids=$(two_ioases) && probe2 -s 4k -n 20 >/dev/null 2>&1
ok $? "IOASes $ids: 4K map+unmap x $k1 and x $k2; dmaprobe 4k x $((20 + warm)) through iommufd and $C"
stop_maplat
python3 - "$d/ioas" "$ids" "$k1" "$k2" "$((20 + warm))" "$C" <<'PY'
import json, sys
doc = json.loads(open(sys.argv[1]).read())
a, b = map(int, sys.argv[2].split())
k1, k2, n = map(int, sys.argv[3:6])
C = sys.argv[6]
got = {}
for h in doc["histograms"]:
    ident = h.get("ioas_id", h.get("container"))
    assert ident is not None and ("ioas_id" in h) == (h["backend"] != "type1"), h
    k = (h["comm"], h["backend"], ident, h["op"])
    got[k] = got.get(k, 0) + h["count"]
err = []
for op in ("map", "unmap"):
    for ioas, k in ((a, k1), (b, k2)):
        if got.pop(("python3", "iommufd", ioas, op), None) != k:
            err.append("python3 IOAS %d %s: want %d" % (ioas, op, k))
# dmaprobe: one IOAS and one container, all its operations in them
for be in ("iommufd", C):
    mine = {k: v for k, v in got.items() if k[0] == "dmaprobe" and k[1] == be}
    if len({k[2] for k in mine}) != 1 or sorted(mine.values()) != [n, n]:
        err.append("dmaprobe %s: %s, want one id with %d maps and unmaps" % (be, mine, n))
    if be == "type1" and any(k[2] != 1 for k in mine):
        err.append("dmaprobe's container should be number 1: %s" % mine)
    for k in mine:
        got.pop(k)
if got:
    err.append("unexpected: %s" % got)
for e in err:
    print("#   " + e)
sys.exit(1 if err else 0)
PY
ok $? "-I -P: counts per IOAS id (python3's two, dmaprobe's one) and per container"

# ---- --backend: compat shares iommufd's events; the filter keeps them apart ----
# iommufd and compat traffic under -b compat, then -b iommufd: each counts
# its own backend's operations only (tracepoint mode).
if [ "$series" = 1 ]; then
	for b in compat iommufd; do
		start_maplat "only-$b" -j -b "$b"
		"$probe" -b iommufd -s 4k -n 20 >/dev/null 2>&1 &&
			"$probe" -b compat -s 4k -n 20 >/dev/null 2>&1
		ok $? "-b $b: dmaprobe 4k x $((20 + warm)) through iommufd, then compat"
		stop_maplat
		python3 - "$d/only-$b" "$b" "$((20 + warm))" <<'PY'
import json, sys
doc = json.loads(open(sys.argv[1]).read())
b, n = sys.argv[2], int(sys.argv[3])
got = {}
for h in doc["histograms"]:
    got[(h["backend"], h["op"])] = got.get((h["backend"], h["op"]), 0) + h["count"]
want = {(b, "map"): n, (b, "unmap"): n}
print("# got %s" % got)
sys.exit(0 if got == want else 1)
PY
		ok $? "-b $b: $((20 + warm)) maps and unmaps of $b, nothing of the other"
	done
	timeout 10 "$m" -F -b compat >/dev/null 2>"$d/fcompat.err"
	rc=$?
	[ "$rc" = 1 ] && [ "$(wc -l <"$d/fcompat.err")" = 1 ]
	ok $? "-F -b compat refused: exit $rc, $(head -c 160 "$d/fcompat.err")"
	if [ "$C" = compat ]; then
		timeout 10 "$m" -b type1 >/dev/null 2>"$d/type1.err"
		rc=$?
		[ "$rc" = 1 ] && grep -q '^maplat: no VFIO type1 in this kernel' "$d/type1.err"
		ok $? "-b type1 without type1 refused: exit $rc, $(head -c 160 "$d/type1.err")"
	else
		echo "ok $((_n + 1)) -b type1 refused # SKIP this kernel has type1"
		_n=$((_n + 1))
	fi
else
	echo "ok $((_n + 1)) --backend compat and iommufd apart # SKIP no series events in this kernel"
	_n=$((_n + 1))
fi

# ---- -m: millisecond buckets ----
# The same operations seen by a microsecond maplat beside it: the same
# count, and the mean in the other unit within 10x: a wrong unit is 1000x
# off, while the two programs run one after the other, and a vCPU
# preempted between them stretches one view of one operation (in CI, one
# ~1 ms stall in 30 maps made the means 32 and 67 us).
"$m" -j -b iommufd >"$d/us" 2>"$d/us.err" &
us_pid=$!
start_maplat ms -j -m -b iommufd
ok $? "maplat -j -m starts (a maplat -j beside it)"
for i in $(seq 300); do grep -q '^Tracing' "$d/us.err" && break; sleep 0.1; done
"$probe" -b iommufd -s 4k -n 20 >/dev/null 2>&1
stop_maplat
kill -TERM $us_pid
wait $us_pid
python3 - "$d/ms" "$d/us" "$((20 + warm))" <<'PY'
import json, sys
ms, us = (json.loads(open(f).read()) for f in sys.argv[1:3])
want = int(sys.argv[3])
def h(doc):
    x = [h for h in doc["histograms"] if h["op"] == "map" and h["size_log2"] == 12]
    return x[0] if len(x) == 1 else None
a, b = h(ms), h(us)
print("# ms: %s; us: %s" % (a and (a["count"], a["mean"], a["buckets"]), b and (b["count"], b["mean"])))
ok = ms["unit"] == "ms" and us["unit"] == "us" and a and b and a["count"] == b["count"] == want \
    and sum(x["count"] for x in a["buckets"]) == want and 0.1 < a["mean"] * 1000 / b["mean"] < 10
sys.exit(0 if ok else 1)
PY
ok $? "-m: unit ms, $((20 + warm)) 4K maps, the mean x 1000 = a -j maplat's microsecond mean (within 10x)"

# ---- a full table: what is not counted is said ----
# 5200 IOASes x (map, unmap) = 10400 keys with -I, more than the 10240
# histograms the kernel keeps.
nfill=5200
start_maplat fill -j -I
ok $? "maplat -j -I starts"
strace_bpf fill.strace
"$top/bpf/tests/ioasfill.py" "$nfill" >"$d/fill.out" 2>&1
ok $? "ioasfill.py: $nfill IOASes, a 4 KiB map and unmap in each"
sed 's/^/# /' "$d/fill.out"
stop_maplat
# the report reads the 10240 histograms in batches: not 2 bpf() calls each
calls=$(bpf_calls fill.strace)
[ "$calls" != "?" ] && [ "$calls" -lt 1000 ]
ok $? "reading 10240 histograms: $calls bpf() calls (batch reads; fewer than 1000)"
python3 - "$d/fill" "$((2 * nfill))" <<'PY'
import json, sys
doc = json.loads(open(sys.argv[1]).read())
want = int(sys.argv[2])
counted = sum(h["count"] + h["failed"] for h in doc["histograms"])
print("# %d histograms, %d operations counted, %d dropped" % (len(doc["histograms"]), counted, doc["dropped"]))
sys.exit(0 if doc["dropped"] > 0 and counted + doc["dropped"] == want else 1)
PY
ok $? "the table full: counted + dropped = the $((2 * nfill)) operations, dropped > 0"

# ---- 2: human output ----
start_maplat human -T
probe2 -s 4k -n "$n" >/dev/null 2>&1
stop_maplat
is "$?" 0 "human output: exit 0"
out=$(cat "$d/human")
like "$out" "^iommufd map, size \[4K, 8K\)$" "a histogram titled by backend, op and size class"
like "$out" "^  count $((n + warm)), failed 0, mean [0-9.]+ us$" "count, failed, mean"
like "$out" "^  p50 [0-9.]+, p90 [0-9.]+, p99 [0-9.]+ us \(estimated from the log2 buckets\)$" \
	"percentiles, said to be estimates"
like "$out" "^ +[0-9]+ -> [0-9]+ +: [0-9]+ +\|\*+ *\|$" "log2 histogram lines"
like "$out" "^[0-9]{2}:[0-9]{2}:[0-9]{2}$" "-T: a timestamp"
is "$(awk '{ if (length($0) > m) m = length($0) } END { print (m <= 80) }' <<<"$out")" 1 \
	"fits 80 columns"
awk 'length($0) > 80 { print "#   too wide: " $0 }' <<<"$out" | head -5

if [ "$series" = 1 ]; then
	# ---- 3: the fallback on the same kernel sees the same operations ----
	start_maplat fallback -j -F
	ok $? "-F: the fallback starts"
	like "$(cat "$d/fallback.err")" "^mode: fallback, syscalls" "-F: says it runs the fallback"
	workload
	stop_maplat
	check_counts fallback syscalls
	ok $? "-F: the same totals from the ioctl syscalls"

	# ---- 4: -B, where the time goes ----
	start_maplat brk -j -B -N
	ok $? "-B starts"
	probe2 -s 4k -n "$n" >/dev/null 2>&1 && probe2 -s 2m -n 20 >/dev/null 2>&1
	ok $? "dmaprobe 4k x $((n + warm)) and 2m x $((20 + warm)) through iommufd and $C"
	stop_maplat
	python3 - "$d/brk" "$((n + warm))" "$((20 + warm))" <<'PY' | tee "$d/brk.txt"
import json, sys
doc = json.loads(open(sys.argv[1]).read())
n4, n2 = int(sys.argv[2]), int(sys.argv[3])
assert doc["unit"] == "ns", doc["unit"]
t = {(h["backend"], h["op"], h["size_log2"]): h for h in doc["histograms"]}
for k in sorted(t):
    h = t[k]
    print("# %-8s %-5s 2^%-2d ops %5d pin batches %6d pages %7d iotlb syncs %6d" %
          (k + (h["count"], h["pin_batches"], h["pinned_pages"], h["iotlb_syncs"])))
PY
	python3 - "$d/brk" "$((n + warm))" "$((20 + warm))" "$C" <<'PY'
import json, sys
doc = json.loads(open(sys.argv[1]).read())
n4, n2 = int(sys.argv[2]), int(sys.argv[3])
C = sys.argv[4]
t = {(h["backend"], h["op"], h["size_log2"]): h for h in doc["histograms"]}
for b in ("iommufd", C):
    m4, m2 = t[(b, "map", 12)], t[(b, "map", 21)]
    # a 4 KiB map pins its one page in one batch; 2 MiB pins 512 pages
    assert m4["count"] == n4 and m4["pinned_pages"] == n4 and m4["pin_batches"] == n4, m4
    assert m2["count"] == n2 and m2["pinned_pages"] == 512 * n2, m2
    # every unmap invalidates the IOTLB at least once
    for s in (12, 21):
        u = t[(b, "unmap", s)]
        assert u["iotlb_syncs"] >= u["count"] > 0 and u["pin_batches"] == 0, u
# type1 pins at most 512 pages per batch, iommufd (compat too) up to 8192: one batch each
assert t[(C, "map", 21)]["pin_batches"] == n2, t[(C, "map", 21)]
assert t[("iommufd", "map", 21)]["pin_batches"] == n2, t[("iommufd", "map", 21)]
PY
	ok $? "-B: pages pinned per map = its pages; unmaps sync the IOTLB; no pins on unmap"
else
	echo "ok $((_n + 1)) -F and -B # SKIP no series events in this kernel"
	_n=$((_n + 1))
fi
done_testing
