#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# maplat-mock.sh BINDIR: bpf/maplat on the emulated-device access path and
# IOMMU_IOAS_MAP_FILE, in the testbed guest booted without an IOMMU (the
# iommufd selftest mock), TAP.
#
#   testbed/run -i none -- bpf/tests/maplat-mock.sh build/k/<key>
#
# maplat -j -I runs while BINDIR/events_access's pin_unpin and rw tests
# pin pages and copy through the mock's accesses, with errors (and, where
# the kernel has IOMMU_IOAS_MAP_FILE, its change_process test maps a
# memfd); then maplat's pin, rw and map_file rows must hold exactly those
# operations: pins 2 done and 2 failed (one before any IOAS was found:
# IOAS 0, size class 0), copies 2 done and 2 failed, one file map (none
# on 6.12), and the anonymous maps of the tests' fixtures apart.  The
# fallback (-F) cannot see them and must say so.  Kernels without the
# series' access events SKIP.  Then the same for type1 with the testbed's
# emulated device (events_type1_access), where the kernel has its events.
# MAPLAT=path overrides build/bpf/maplat.

set -u
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$top/tests/tap.sh"
. "$top/bpf/tests/lib.sh"
[ -n "${IOASID_GUEST:-}" ] || { echo "runs inside the testbed: testbed/run -i none -- $0 BINDIR" >&2; exit 2; }
bin=${1:?usage: maplat-mock.sh BINDIR}
m=${MAPLAT:-$top/build/bpf/maplat}
d=$(mktemp -d)
trap 'tool_cleanup; rm -rf "$d"' EXIT

for f in "$m" "$bin/events_access"; do
	[ -x "$f" ] || { echo "not ok 1 $f not built"; echo "1..1"; exit 1; }
done
if [ ! -d /sys/kernel/tracing/events/iommufd/iommufd_access_pin_pages ]; then
	echo "1..0 # SKIP $(uname -r): no iommufd access events (series without them)"
	exit 0
fi
# The tests to run: their maps are counted exactly
tests=(-t pin_unpin -t rw)
nmap=2 nfile=0
if "$bin/events_access" -l 2>&1 | grep -qw change_process; then
	tests+=(-t change_process)
	nmap=4 nfile=1
fi
echo "# $(uname -r), events_access ${tests[*]}"

# check NAME 'python expression over doc (the last document); rows(op)
# sums count and failed over that op's histograms'
check() {
	python3 - "$d/$1" "$2" <<'PY'
import json, sys
doc = [json.loads(l) for l in open(sys.argv[1])][-1]
hs = doc["histograms"]
def rows(op):
    return [h for h in hs if h["op"] == op]
def total(op, k="count"):
    return sum(h[k] for h in rows(op))
ok = eval("(" + sys.argv[2] + ")")
if not ok:
    print("#   " + json.dumps(doc)[:1500])
sys.exit(0 if ok else 1)
PY
}

nprog() {
	bpftool prog show 2>/dev/null | grep -cE 'name (access_pin|access_rw)'
}

start_tool "$m" tp -j -I
ok $? "maplat -j -I starts"
like "$(cat "$d/tp.err")" "^mode: tracepoint" "tracepoint mode"
is "$(nprog)" 4 "the four access programs are loaded"
"$bin/events_access" "${tests[@]}" >"$d/events_access.tap" 2>&1
ok $? "events_access ${tests[*]} passes with maplat attached"
stop_tool
ok $? "maplat exits 0 on SIGTERM"
# the programs go once the kernel has released them (deferred): up to 5 s
for i in $(seq 50); do [ "$(nprog)" = 0 ] && break; sleep 0.1; done
is "$(nprog)" 0 "nothing left loaded"
check tp 'total("pin") == 2 and total("pin", "failed") == 2'
ok $? "pin: 2 done, 2 failed"
check tp 'sorted(h["size_log2"] for h in rows("pin") if h["count"]) == [12, 13]'
ok $? "pin: the 4 KiB and 8 KiB size classes"
check tp 'any(h["ioas_id"] == 0 and h["size_log2"] == 0 and h["failed"] == 1 for h in rows("pin"))
	and all(h["ioas_id"] != 0 for h in rows("pin") if h["count"])'
ok $? "pin -I: the IOAS of each pin, 0 for the one that failed before one was found"
check tp 'total("rw") == 2 and total("rw", "failed") == 2 and
	all(h["size_log2"] == 6 for h in rows("rw") if h["count"])'
ok $? "rw: 2 copies of 100 bytes done, 2 failed"
check tp "total(\"map_file\") == $nfile and total(\"map_file\", \"failed\") == 0 and
	all(h[\"size_log2\"] == 14 for h in rows(\"map_file\"))"
ok $? "map_file: $nfile file map(s) of 16 KiB, apart from the anonymous maps"
check tp "total(\"map\") == $nmap and \"access_iommufd\" not in doc[\"unavailable\"]"
ok $? "map: the $nmap anonymous maps; access not listed as unavailable"

# type1's emulated-device path (the testbed's vfio-testbed-emu device):
# events_type1_access pins 4 times (4 KiB twice, 8 KiB twice), fails 2
# pins, copies 100 bytes twice and fails one copy (a container per test).
if [ -d /sys/kernel/tracing/events/vfio_iommu_type1/vfio_iommu_type1_ext_pin_pages ] &&
   [ -x "$bin/events_type1_access" ] && [ -e /sys/bus/platform/devices/vfio-testbed-emu ]; then
	start_tool "$m" t1 -j -I -b type1
	ok $? "maplat -j -I -b type1 starts"
	"$bin/events_type1_access" >"$d/events_type1_access.tap" 2>&1
	ok $? "events_type1_access passes with maplat attached"
	stop_tool
	ok $? "maplat -b type1 exits 0 on SIGTERM"
	check t1 'total("pin") == 4 and total("pin", "failed") == 2 and
		sorted(h["size_log2"] for h in rows("pin") for _ in range(h["count"])) ==
		[12, 12, 13, 13] and all(h["backend"] == "type1" for h in hs)'
	ok $? "type1 pin: 4 done (4 KiB twice, 8 KiB twice), 2 failed"
	check t1 'total("rw") == 2 and total("rw", "failed") == 1 and
		all(h["size_log2"] == 6 for h in rows("rw") if h["count"]) and
		all(h["container"] != 0 for h in hs) and "access_type1" not in doc["unavailable"]'
	ok $? "type1 rw: 2 copies of 100 bytes, 1 failed; -I by container"
else
	ok 0 "# SKIP type1: no external pin events or no vfio-testbed-emu device"
fi

start_tool "$m" fb -j -F
ok $? "maplat -j -F starts"
"$bin/events_access" "${tests[@]}" >"$d/events_access-F.tap" 2>&1
ok $? "events_access passes with maplat -F attached"
stop_tool
ok $? "maplat -F exits 0 on SIGTERM"
check fb 'not rows("pin") and not rows("rw") and not rows("map_file") and
	"access_iommufd" in doc["unavailable"] and "map_file" in doc["unavailable"] and
	total("map") == '"$nmap"
ok $? "fallback: the $nmap maps, no access or file map rows, both listed as unavailable"
like "$(cat "$d/fb.err")" "pins and copies, IOMMU_IOAS_MAP_FILE" "fallback banner says what it cannot see"
is "$(nprog)" 0 "nothing left loaded"

done_testing
