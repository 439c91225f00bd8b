#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# vmstart-vtd.sh BINDIR: bench/vmstart in the VT-d testbed boot, TAP.
#
#   testbed/run -m 3072 -o /tmp/vs -- bench/tests/vmstart-vtd.sh build/k/<key>
#
# The tiny configuration (--quick: 64 MiB, anon and hugetlb, R=2) must
# start QEMU paused with the NVMe through both backends and give one valid
# JSON document: every case and field, statistics in order and as the
# runs give them (tests/samplestats recomputes each), the map phase
# inside the start-up, and the bytes mapped equal to what QEMU's own memory
# map says its VFIO listener maps (RAM plus firmware ROM, "info mtree -f")
# and to the sum of the map events recorded independently in the global
# trace buffer (vmstart records into its own instance).  The starts run
# in block pairs in ABBA order: every size and backing has a comparison
# per timed figure (ready, map, quit) whose blocks are its runs, in the
# order the rule gives and the progress lines show, and whose ratio, CI
# and verdict lib/abba.py recomputes from the blocks.  Then each kind of
# bad input must fail with one "vmstart: " line and a non-zero exit, and
# leave no QEMU running and nothing pinned (/proc/vmstat FOLL_PIN
# counters).  VMSTART=path overrides BINDIR/vmstart.

set -u
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$top/tests/tap.sh"
. "$top/tests/pins.sh"
[ -n "${IOASID_GUEST:-}" ] || { echo "runs inside the testbed: testbed/run -- $0 BINDIR" >&2; exit 2; }
bin=${1:?usage: vmstart-vtd.sh BINDIR}
vs=${VMSTART:-$bin/vmstart}
bdf=0000:00:03.0
dev=/sys/bus/pci/devices/$bdf
hp=/proc/sys/vm/nr_hugepages
tr=/sys/kernel/tracing
d=$(mktemp -d)
chmod 755 "$d"
hp_old=$(cat "$hp")
events=(iommufd/iommufd_ioas_map vfio_iommu_type1/vfio_iommu_type1_dma_map)
restore() {
	local e
	echo "$hp_old" >"$hp"
	for e in "${events[@]}"; do echo 0 >"$tr/events/$e/enable" 2>/dev/null; done
	: >"$tr/trace"
	[ -e "$dev/driver" ] || echo "$bdf" >/sys/bus/pci/drivers_probe 2>/dev/null
	rm -rf "$d"
}
trap restore EXIT

[ -x "$vs" ] || { echo "not ok 1 $vs not built"; echo "1..1"; exit 1; }
command -v qemu-system-x86_64 >/dev/null || { echo "not ok 1 no qemu-system-x86_64 (make deps)"; echo "1..1"; exit 1; }
echo "# $(uname -r), $vs, $(qemu-system-x86_64 --version | head -1)"

qemus() { pgrep -c -x qemu-system-x86 || true; }

# fails NAME WANT-REGEX CMD...: see fails_cleanly (tests/pins.sh); and
# no QEMU left running.
no_qemu() { is "$(qemus)" 0 "$1: no QEMU left running"; }
FAILS_ALSO=no_qemu
fails() { fails_cleanly vmstart "$@"; }

# --- the tiny configuration, with the map events also in the global buffer ---
echo 40 >"$hp"	# the 64 MiB hugetlb case: 32 pages
: >"$tr/trace"
for e in "${events[@]}"; do echo 1 >"$tr/events/$e/enable"; done
pin0=$(pinned)
"$vs" --quick -v -H testhash -o "$d/q.json" >"$d/table" 2>"$d/progress"
rc=$?
for e in "${events[@]}"; do echo 0 >"$tr/events/$e/enable"; done
ok $rc "--quick runs (exit 0)"
[ "$rc" = 0 ] || sed 's/^/#   /' "$d/progress" | tail -5
is "$(pinned_back "$pin0")" "$pin0" "--quick: nothing left pinned after a good run"
is "$(qemus)" 0 "--quick: no QEMU left running"
[ ! -e "$tr/instances/vmstart" ]
ok $? "--quick: its trace instance is removed"
like "$(cat "$d/progress")" '^\[ ?1/8 .*\] (iommufd|type1)-64m-anon, pair 1/2' "progress lines on stderr"
# The global buffer's own record of the maps, successful ones only.
grep -E ': (iommufd_ioas_map|vfio_iommu_type1_dma_map): ' "$tr/trace" |
	grep ' ret=0' | sed -E 's/.* (length|size)=(0x[0-9a-f]+).*/\2/' |
	while read -r x; do echo $((x)); done | awk '{s+=$1} END {print s+0}' >"$d/global_bytes"
echo "# global buffer: $(cat "$d/global_bytes") bytes mapped in" \
	"$(grep -cE ': (iommufd_ioas_map|vfio_iommu_type1_dma_map): ' "$tr/trace") map events"
sed -n 's/^vmstart: \(.*: ready .*\)/# \1/p' "$d/progress"

python3 - "$d/q.json" "$(uname -r)" "$(cat "$d/global_bytes")" \
	"$(qemu-system-x86_64 --version | head -1)" >"$d/check" 2>&1 <<'PY'
import json, math, sys
path, release, global_bytes, qver = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
try:
    doc = json.load(open(path))
except Exception as e:
    print("BAD invalid JSON: %s" % e)
    sys.exit(0)
print("OK valid JSON")
def check(cond, msg):
    print("%s %s" % ("OK" if cond else "BAD", msg))
check(doc.get("tool") == "vmstart" and doc.get("unit") == "ms", "tool vmstart, unit ms")
env = doc["env"]
check(env["kernel"] == release, "env: kernel %s" % env["kernel"])
check(env["series"] == "testhash", "env: series hash")
check(env["platform"] == "QEMU TCG", "env: platform %s" % env["platform"])
check(env["series_events"] is True and env["mode"] == "events", "env: series events, event mode")
check(env["cpu"] and env["device"] == "0000:00:03.0", "env: cpu, device %s" % env["device"])
check(env["qemu"] and env["qemu"].split()[0] in qver, "env: qemu %s" % env["qemu"])
check(env.get("seed") == 1, "env: seed %s (default 1)" % env.get("seed"))
cfg = doc["config"]
check(cfg["ram_mb"] == [64] and cfg["repeat"] == 2 and sorted(cfg["backends"]) == ["iommufd", "type1"]
      and cfg["backings"] == ["anon", "hugetlb"], "config: --quick")
M = 1 << 20
want = {"%s-64m-%s" % (be, bk) for be in ("iommufd", "type1") for bk in ("anon", "hugetlb")}
got = {c["id"]: c for c in doc["cases"]}
check(set(got) == want, "cases %s" % sorted(got))
stat_keys = ("n", "median", "p99", "min", "max", "mean", "cv")
run_keys = ("ready_ms", "map_ms", "map_calls", "map_bytes", "pinned_pages", "iotlb_syncs",
            "unmap_bytes", "expected_bytes", "attach_at_ms", "map_start_at_ms", "map_end_at_ms")
total = 0
for cid in sorted(want & set(got)):
    c = got[cid]
    bad = []
    ram = c["ram_mb"] * M
    if (c["backend"], c["ram_mb"], c["backing"]) != tuple([cid.split("-")[0], 64, cid.split("-")[2]]):
        bad.append("backend/ram_mb/backing %s" % [c["backend"], c["ram_mb"], c["backing"]])
    if c["n"] != 2 or len(c["runs"]) != 2:
        bad.append("n %s, %d runs" % (c["n"], len(c["runs"])))
    for k in ("ready_ms", "map_ms", "map_calls"):
        s = c[k]
        if not isinstance(s, dict) or any(x not in s for x in stat_keys):
            bad.append("%s: not a statistics object" % k)
            continue
        if not (s["min"] <= s["median"] <= s["p99"] <= s["max"]) or s["cv"] < 0:
            bad.append("%s: statistics out of order %s" % (k, s))
    for k in ("map_bytes", "pinned_pages", "iotlb_syncs", "map_frac", "expected_bytes"):
        if not isinstance(c.get(k), (int, float)):
            bad.append("%s missing" % k)
    for i, r in enumerate(c["runs"]):
        miss = [k for k in run_keys if not isinstance(r.get(k), (int, float))]
        if miss:
            bad.append("run %d: missing %s" % (i, miss))
            continue
        total += r["map_bytes"]
        if r["map_calls"] < 1 or r["map_errors"]:
            bad.append("run %d: %d map calls, %d failed" % (i, r["map_calls"], r["map_errors"]))
        if r["map_bytes"] < ram:
            bad.append("run %d: mapped %d < guest RAM %d" % (i, r["map_bytes"], ram))
        # The model: QEMU's flat memory map (RAM + ROM sections, page-aligned)
        # is what stays mapped when it is ready.
        if not ram <= r["expected_bytes"] < ram + 16 * M:
            bad.append("run %d: QEMU's map %d not RAM + < 16 MiB of ROM" % (i, r["expected_bytes"]))
        if r["map_bytes"] - r["unmap_bytes"] != r["expected_bytes"]:
            bad.append("run %d: mapped %d - unmapped %d != QEMU's memory map %d"
                       % (i, r["map_bytes"], r["unmap_bytes"], r["expected_bytes"]))
        if r["pinned_pages"] * 4096 < ram:
            bad.append("run %d: %d pages pinned < guest RAM" % (i, r["pinned_pages"]))
        if not 0 < r["map_ms"] < r["ready_ms"]:
            bad.append("run %d: map %s ms not inside ready %s ms" % (i, r["map_ms"], r["ready_ms"]))
        order = [r["attach_at_ms"], r["map_start_at_ms"], r["map_end_at_ms"], r["ready_ms"]]
        if any(map(math.isnan, order)) or order != sorted(order) or order[0] <= 0:
            bad.append("run %d: attach %s, first map %s, last map %s, ready %s out of order" % ((i,) + tuple(order)))
        if r["map_end_at_ms"] - r["map_start_at_ms"] < r["map_ms"] - 0.01:
            bad.append("run %d: map time %s longer than the map phase" % (i, r["map_ms"]))
    print("# %s: ready %.0f ms, map %.1f ms, %d calls, %d bytes (QEMU's map %d), %d pages pinned, %d syncs"
          % (cid, c["ready_ms"]["median"], c["map_ms"]["median"], c["map_calls"]["median"],
             c["map_bytes"], c["expected_bytes"], c["pinned_pages"], c["iotlb_syncs"]))
    check(not bad, "%s: fields, statistics, bytes against QEMU's memory map%s"
          % (cid, ": " + "; ".join(bad) if bad else ""))
check(total == global_bytes, "bytes mapped over all runs %d = the global buffer's map events %d"
      % (total, global_bytes))
PY
verdicts "$d/check" json
# Every statistic recomputed from the runs, and the case's medians.
python3 "$top/tests/samplestats" "$d/q.json" >"$d/stats" 2>&1
verdicts "$d/stats" runs
# The comparisons: blocks from the runs, in ABBA order, figures as lib/abba.py gives them.
python3 "$top/bench/tests/vmstart-comparisons.py" "$d/q.json" "$d/progress" >"$d/cmp" 2>&1
verdicts "$d/cmp" comparisons
like "$(head -1 "$d/table")" '^# QEMU TCG, kernel .*series events yes' "table starts with the platform"
is "$(grep -cE '^(iommufd|type1)-64m-(anon|hugetlb) ' "$d/table")" 8 "table: 4 cases, twice (figures, timeline)"
is "$(grep -cE '^64M-(anon|hugetlb) +(ready|map|quit) +2 +[0-9.]+ ' "$d/table")" 6 \
	"table: K=2 and a ratio per size, backing and timed figure"
is "$(awk 'length > 80' "$d/table" | wc -l)" 0 "table fits 80 columns"

# --- bad input ------------------------------------------------------------
fails "usage: RAM size" "bad RAM size" "$vs" -S 5m
is "$("$vs" -S 5m >/dev/null 2>&1; echo $?)" 2 "usage errors exit 2"
fails "wrong BDF" "no PCI device 0000:00:1f.7" "$vs" -q --quick -d 0000:00:1f.7
fails "not a BDF" "not a PCI address" "$vs" -q --quick -d nvme0
fails "not root" "must run as root" setpriv --reuid=nobody --regid=nogroup --clear-groups "$vs" -q --quick
fails "no QEMU binary" "no QEMU at /nonexistent/qemu" "$vs" -q --quick --qemu /nonexistent/qemu
printf '#!/bin/sh\necho "QEMU emulator version 8.2.2 (fake)"\n' >"$d/oldqemu"
chmod 755 "$d/oldqemu"
fails "QEMU too old for iommufd" "QEMU 8.2 .* too old.*iommufd" "$vs" -q --quick --qemu "$d/oldqemu"
fails "no /dev/iommu" "no /dev/iommu" \
	unshare -m sh -c 'mount -t tmpfs none /dev && exec "$0" "$@"' "$vs" -q --quick -b iommufd
echo 0 >"$hp"
fails "too few hugepages" "hugetlbfs has 0 free 2 MiB pages.*needs 32.*nr_hugepages" \
	"$vs" -q --quick -B hugetlb
fails "QEMU fails to start" "QEMU exited with status 1 before it was ready .*: qemu-system-x86_64: .*bogus" \
	"$vs" -q --quick -B anon -b type1 -- -object bogus,id=x
# After vfio-pci has mapped and pinned the RAM: QEMU fails on the next device.
fails "QEMU fails after the device mapped" "QEMU exited .*(bogus-device|not a valid device)" \
	"$vs" -q --quick -B anon -b iommufd -- -device bogus-device
# A chardev server waiting for its client holds QEMU's start-up.
fails "QEMU not ready in time" "did not (answer on QMP|open its QMP socket) within 2 s" \
	"$vs" -q --quick -B anon -b type1 -T 2 -- -chardev socket,id=hold,path="$d/hold.sock",server=on,wait=on
# Interrupted while QEMU holds the device and its pins.
before=$(pinned)
"$vs" -q -S 64m -B anon -r 50 >/dev/null 2>"$d/err" &
pid=$!
for i in $(seq 100); do [ "$(qemus)" -gt 0 ] && break; sleep 0.1; done
sleep 1
kill -TERM "$pid"
wait "$pid"
rc=$?
[ "$rc" != 0 ]
ok $? "SIGTERM mid-run: non-zero exit (got $rc)"
like "$(cat "$d/err")" '^vmstart: interrupted' "SIGTERM mid-run: says so"
is "$(qemus)" 0 "SIGTERM mid-run: no QEMU left running"
is "$(pinned_back "$before")" "$before" "SIGTERM mid-run: nothing left pinned"
[ ! -e "$tr/instances/vmstart" ]
ok $? "SIGTERM mid-run: trace instance removed"
# The device without a driver, then no device on vfio-pci at all.
echo "$bdf" >"$dev/driver/unbind"
fails "device not bound to vfio-pci" "$bdf is not bound to any driver" "$vs" -q --quick -d "$bdf"
fails "no device on vfio-pci" "no PCI device is bound to vfio-pci" "$vs" -q --quick
echo "$bdf" >/sys/bus/pci/drivers_probe
is "$(basename "$(readlink "$dev/driver")")" vfio-pci "device bound to vfio-pci again"

# After all that, a start through each backend still works.
echo 40 >"$hp"
pin0=$(pinned)
"$vs" -S 64m -B anon -r 2 --seed 2 -j >"$d/after.json" 2>"$d/err"
ok $? "after the failures, both backends start QEMU ($(grep -v '^\[' "$d/err" | head -c 200))"
is "$(pinned_back "$pin0")" "$pin0" "and leave nothing pinned"
# --seed 2: iommufd first in pair 1 (the rule: an even seed starts "ab").
python3 "$top/bench/tests/vmstart-comparisons.py" "$d/after.json" "$d/err" >"$d/cmp2" 2>&1
verdicts "$d/cmp2" "--seed 2"
like "$(sed -n 1p "$d/err")" '^\[1/4 .*\] iommufd-64m-anon, pair 1/2$' "--seed 2: iommufd starts first"

done_testing
