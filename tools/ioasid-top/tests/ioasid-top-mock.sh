#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# ioasid-top-mock.sh BINDIR: tools/ioasid-top's live-migration and
# emulated-device counters, in the testbed guest booted without an IOMMU
# (the iommufd selftest mock), TAP.
#
#   testbed/run -i none -- tools/ioasid-top/tests/ioasid-top-mock.sh build/k/<key>
#
# ioasid-top -j runs while BINDIR/events_dirty's read and read_errors
# tests read dirty bitmaps (five reads of 256 KiB, four finding 64 KiB
# dirty, one clean; three refused) and BINDIR/events_access's pin_unpin
# and rw tests pin and copy through the mock's accesses (two pins of 12 KiB
# in all, two copies of 100 bytes, four refused).  Summed over the frames,
# the rows of each test process must hold exactly those counts, the
# DIRTY/s and ACC/s rates must be count / seconds in every frame, and the
# Prometheus file must declare the new counter families (a row leaves the
# file with its process, and these processes live for milliseconds: the
# values are the JSON's, from the same cumulative counters).  Kernels
# without the series' dirty or access events SKIP that part.
#
# type1's emulated-device path (the testbed's vfio-testbed-emu device):
# events_type1_access pins 4 times (24 KiB), copies 100 bytes twice and is
# refused 3 times, on its containers' rows (a container per test).
#
# The device view (mainline: PASID attach, vIOMMU events; in the JSON and in
# a second instance's batch -D text): events_pasid's
# two_pasids test attaches PASIDs 1 and 2 of one device and detaches them
# (one entry each, apart from the device's RID), and events_viommu's four
# tests make five vIOMMUs in four processes: invalidations 2 done (4
# entries) and 2 refused on the fixture's vIOMMU, on its parent's IOAS row;
# 2 events queued, 1 lost, 1 with no vEVENTQ, 2 read plus the lost-events
# header; every vIOMMU destroyed at the end with no vDEVICE or vEVENTQ
# left.  The last frame must hold each of them (a destroyed vIOMMU stays
# a minute in the views; the Prometheus file has the live ones only).
# IOASID_TOP_BIN=path overrides build/tools/ioasid-top/ioasid-top.

set -u
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
. "$top/tests/tap.sh"
[ -n "${IOASID_GUEST:-}" ] || { echo "runs inside the testbed: testbed/run -i none -- $0 BINDIR" >&2; exit 2; }
bin=${1:?usage: ioasid-top-mock.sh BINDIR}
t=${IOASID_TOP_BIN:-$top/build/tools/ioasid-top/ioasid-top}
d=$(mktemp -d)
tpid= bpid=
trap 'kill $tpid $bpid 2>/dev/null; wait; rm -rf "$d"' EXIT

for f in "$t" "$bin/events_dirty" "$bin/events_access"; do
	[ -x "$f" ] || { echo "not ok 1 $f not built"; echo "1..1"; exit 1; }
done
ev=/sys/kernel/tracing/events/iommufd
dirty=0 access=0
[ -d "$ev/iommufd_hwpt_get_dirty_bitmap" ] && dirty=1
[ -d "$ev/iommufd_access_pin_pages" ] && access=1
viommu=0
[ -d "$ev/iommufd_veventq_report" ] && viommu=1
[ $viommu = 1 ] && { [ -x "$bin/events_viommu" ] && [ -x "$bin/events_pasid" ] || viommu=2; }
if [ $dirty = 0 ] && [ $access = 0 ]; then
	echo "1..0 # SKIP $(uname -r): no dirty tracking or access events"
	exit 0
fi
echo "# $(uname -r), dirty events $dirty, access events $access, vIOMMU events $viommu"

"$t" -j -d 1 --prometheus "$d/top.prom" >"$d/top" 2>"$d/top.err" &
tpid=$!
for i in $(seq 300); do
	grep -q '^Tracing' "$d/top.err" && break
	kill -0 "$tpid" 2>/dev/null || break
	sleep 0.1
done
grep -q '^Tracing' "$d/top.err"
ok $? "ioasid-top -j -d 1 --prometheus starts and attaches"
# a second one in batch mode with the device view: its text lines
"$t" -b -D -d 1 >"$d/batch" 2>"$d/batch.err" &
bpid=$!
wait_tracing "$bpid" "$d/batch.err"
ok $? "ioasid-top -b -D -d 1 starts and attaches"
if [ $dirty = 1 ]; then
	"$bin/events_dirty" -t read -t read_errors >"$d/dirty.tap" 2>&1
	ok $? "events_dirty read, read_errors pass with ioasid-top attached"
fi
if [ $access = 1 ]; then
	"$bin/events_access" -t pin_unpin -t rw >"$d/access.tap" 2>&1
	ok $? "events_access pin_unpin, rw pass with ioasid-top attached"
fi
t1acc=0
[ -d /sys/kernel/tracing/events/vfio_iommu_type1/vfio_iommu_type1_ext_pin_pages ] &&
	[ -x "$bin/events_type1_access" ] && [ -e /sys/bus/platform/devices/vfio-testbed-emu ] && t1acc=1
if [ $t1acc = 1 ]; then
	"$bin/events_type1_access" >"$d/t1acc.tap" 2>&1
	ok $? "events_type1_access passes with ioasid-top attached"
fi
if [ $viommu = 1 ]; then
	"$bin/events_viommu" >"$d/viommu.tap" 2>&1
	ok $? "events_viommu passes with ioasid-top attached"
	"$bin/events_pasid" -t two_pasids >"$d/pasid.tap" 2>&1
	ok $? "events_pasid two_pasids passes with ioasid-top attached"
fi
sleep 2.5	# the last operations' frame and Prometheus file
cp "$d/top.prom" "$d/top.prom.last" 2>/dev/null
kill -TERM "$tpid" "$bpid"
wait "$tpid"
is "$?" 0 "SIGTERM: exit 0"
wait "$bpid"
is "$?" 0 "SIGTERM: exit 0 (batch -D)"
tpid= bpid=

# check 'python expression': rows(comm) the rows of that test's processes
# over every frame, total(comm, key) their sum
check() {
	python3 - "$d/top" "$1" <<'PY'
import json, sys
docs = [json.loads(l) for l in open(sys.argv[1])]
def rows(comm):
    return [r for d in docs for r in d["rows"] if r["comm"].startswith(comm)]
def total(comm, key):
    return sum(r[key] for r in rows(comm))
def last(what, comm):
    return [x for x in docs[-1].get(what, []) if x["comm"].startswith(comm)]
def vals(key):
    return sorted(v[key] for v in last("viommus", "events_viommu"))
def rates(comm, rate, *counts):
    return all(abs(r[rate] * d["seconds"] - sum(r[c] for c in counts)) < 0.5
               for d in docs for r in d["rows"] if r["comm"].startswith(comm))
ok = eval("(" + sys.argv[2] + ")")
if not ok:
    print("#   " + json.dumps([r for r in rows("events_")])[:1500])
    print("#   " + json.dumps(docs[-1].get("viommus", []) + docs[-1].get("devices", []))[:2500])
sys.exit(0 if ok else 1)
PY
}

if [ $dirty = 1 ]; then
	check 'total("events_dirty", "dirty_reads") == 5 and total("events_dirty", "dirty_read_errors") == 3'
	ok $? "dirty: 5 reads, 3 refused"
	check 'total("events_dirty", "dirty_span_bytes") == 5 * 262144 and total("events_dirty", "dirty_bytes") == 4 * 65536'
	ok $? "dirty: 1280 KiB walked, 256 KiB of it dirty"
	check 'rows("events_dirty") and rates("events_dirty", "dirty_read_per_s", "dirty_reads") and
		all(abs(r["dirty_pct"] - 100.0 * r["dirty_bytes"] / r["dirty_span_bytes"]) < 1e-6
		    for r in rows("events_dirty") if r["dirty_span_bytes"])'
	ok $? "dirty: DIRTY/s x seconds = reads and DIRTY% = dirty / walked in every row and frame (20 % overall)"
	check 'all(r["ioas"] != 0 for r in rows("events_dirty") if r["dirty_reads"]) and
		sum(r["dirty_read_errors"] for r in rows("events_dirty") if r["ioas"] == 0) == 2'
	ok $? "dirty: reads on their HWPT's IOAS row; the 2 refused before a HWPT was found on '-'"
	for m in reads read_errors span_bytes dirty_bytes; do
		grep -q "^# TYPE ioasid_dirty_bitmap_${m}_total counter$" "$d/top.prom.last"
		ok $? "Prometheus: the counter family ioasid_dirty_bitmap_${m}_total"
	done
fi
if [ $access = 1 ]; then
	check 'total("events_access", "access_pins") == 2 and total("events_access", "access_pin_bytes") == 3 * 4096'
	ok $? "access: 2 pins of 12 KiB in all"
	check 'total("events_access", "access_copies") == 2 and total("events_access", "access_copy_bytes") == 200 and total("events_access", "access_errors") == 4'
	ok $? "access: 2 copies of 100 bytes, 4 refused"
	check 'rows("events_access") and rates("events_access", "access_per_s", "access_pins", "access_copies")'
	ok $? "access: ACC/s x seconds = pins + copies in every frame"
	check 'all(r["ioas"] != 0 for r in rows("events_access") if r["access_pins"] or r["access_copies"]) and
		sum(r["access_errors"] for r in rows("events_access") if r["ioas"] == 0) == 2'
	ok $? "access: pins and copies on their IOAS row; the 2 refused before an IOAS was found on '-'"
	for m in pins pin_bytes copies copy_bytes errors; do
		grep -q "^# TYPE ioasid_access_${m}_total counter$" "$d/top.prom.last"
		ok $? "Prometheus: the counter family ioasid_access_${m}_total"
	done
fi
if [ $t1acc = 1 ]; then
	check 'total("events_type1_ac", "access_pins") == 4 and
		total("events_type1_ac", "access_pin_bytes") == 6 * 4096 and
		total("events_type1_ac", "access_copies") == 2 and
		total("events_type1_ac", "access_copy_bytes") == 200 and
		total("events_type1_ac", "access_errors") == 3 and
		all(r["backend"] == "type1" and r["container"] != 0 for r in rows("events_type1_ac")
		    if r["access_pins"] or r["access_copies"] or r["access_errors"])'
	ok $? "type1 access: 4 pins of 24 KiB in all, 2 copies of 100 bytes, 3 refused, on the containers' rows"
else
	ok 0 "# SKIP type1 access: no external pin events or no vfio-testbed-emu device"
fi
if [ $viommu = 2 ]; then
	ok 0 "# SKIP vIOMMU and PASID checks: events_viommu or events_pasid not built"
elif [ $viommu = 1 ]; then
	# each list: one value per vIOMMU, sorted (counts on the wrong one fail)
	check 'len(last("viommus", "events_viommu")) == 5 and
		all(v["state"] == "destroyed" and v["vdevices"] == 0 and v["veventqs"] == 0
		    for v in last("viommus", "events_viommu"))'
	ok $? "vIOMMU: 5 seen, all destroyed, no vDEVICE or vEVENTQ left"
	check 'vals("vdevices_allocated") == [0, 1, 1, 1, 1] and
		vals("veventqs_allocated") == [0, 0, 0, 1, 1]'
	ok $? "vIOMMU: a vDEVICE on each fixture's vIOMMU, the vEVENTQs of two"
	check 'vals("invalidations_done") == [0, 0, 0, 0, 2] and
		vals("invalidation_entries") == [0, 0, 0, 0, 4] and
		vals("invalidation_errors") == [0, 0, 0, 0, 2] and
		all(v.get("ioas", 0) != 0 for v in last("viommus", "events_viommu"))'
	ok $? "vIOMMU: invalidations 2 done (4 entries), 2 refused, on one; parents' IOASes known"
	check 'vals("vevents") == [0, 0, 0, 0, 2] and vals("vevents_lost") == [0, 0, 0, 0, 1] and
		vals("vevents_no_queue") == [0, 0, 0, 0, 1] and vals("vevent_reads") == [0, 0, 0, 0, 2] and
		vals("lost_header_reads") == [0, 0, 0, 0, 1] and
		any(v["depth"] == 2 and v["pending"] == 0 and v["vevents"] == 2
		    for v in last("viommus", "events_viommu"))'
	ok $? "vIOMMU: 2 events queued, 1 lost, 1 with no vEVENTQ; 2 read and the lost header"
	check 'total("events_viommu", "invals") == 4 and
		sum(r["invals"] for r in rows("events_viommu") if r["ioas"] == 0) == 0'
	ok $? "vIOMMU: its 4 invalidations on the parent IOAS's row, none on '-'"
	for m in invalidations vevents; do
		grep -q "^# TYPE ioasid_viommu_${m}_total counter$" "$d/top.prom.last"
		ok $? "Prometheus: the counter family ioasid_viommu_${m}_total"
	done
	[ -s "$d/top.prom.last" ] && ! grep -q '^ioasid_viommu_.*comm="events_viommu"' "$d/top.prom.last"
	ok $? "Prometheus: destroyed vIOMMUs leave the file"
	check 'sorted((d["pasid"], d["attaches"], d["detaches"], d["attached"])
		      for d in last("devices", "events_pasid") if d["pasid"]) ==
		[(1, 1, 1, False), (2, 1, 1, False)] and
		any(d["pasid"] == 0 for d in last("devices", "events_pasid"))'
	ok $? "devices: PASIDs 1 and 2 one entry each (1 attach, 1 detach), the RID its own"
	like "$(cat "$d/batch")" "^ VIOMMU +TYPE +DEV +HWPT/IOAS +VDEV +VEVQ +INVAL" \
		"batch -D: the vIOMMU header"
	like "$(cat "$d/batch")" "^ [0-9]+:[0-9]+ +selftest +[0-9]+ +[0-9]+/[0-9]+ +0 +0 +2 +4 +2 .* destroyed +[0-9]+ events_viommu" \
		"batch -D: the fixture's vIOMMU, destroyed, its 2 invalidations of 4 entries and 2 refused"
	like "$(cat "$d/batch")" "^ [^ ]+ +iommufd +[0-9]+ +2 +hwpt [0-9]+" \
		"batch -D: a device line for PASID 2"
	dup=$(grep '^ioasid_device_attached{' "$d/top.prom.last" | sed 's/ [0-9]*$//' | sort | uniq -d | head -1)
	is "$dup" "" "Prometheus: no two device series with the same labels (pasid label)"
fi

done_testing
