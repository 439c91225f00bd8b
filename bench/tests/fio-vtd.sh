#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# fio-vtd.sh BINDIR: stock fio through the nvme-vfio external ioengine
# (BINDIR/nvme-vfio.so, bench/fio/build-engine) on the VT-d testbed's
# emulated NVMe, TAP.
#
#   testbed/run -t 1800 -o /tmp/f1 -- bench/tests/fio-vtd.sh build/k/<key>
#
# The verify job (randwrite, read back with crc32c) on 3 backends (compat:
# type1's ioctls on /dev/iommu) x 2 map
# modes; a block overwritten behind fio's back must fail verify_only; a
# tiny 2-job QD32 randread gives valid JSON with IOPS; fio-compare's
# interleaved comparisons (and -I's instruction counts, the kernel's
# io_uring-hipri row where poll queues exist) have the ABBA order of
# lib/abba.py as run and summaries that recompute; bad options give one
# clear message and a non-zero exit; nothing is left pinned.

set -u
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$top/tests/tap.sh"
. "$top/tests/pins.sh"
[ -n "${IOASID_GUEST:-}" ] || { echo "runs inside the testbed: testbed/run -- $0 BINDIR" >&2; exit 2; }
bin=${1:?usage: fio-vtd.sh BINDIR}
export ENGINE=$bin/nvme-vfio.so BDF=0000:00:03.0
jobs=$top/bench/fio
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT

[ -f "$ENGINE" ] || { echo "not ok 1 $ENGINE not built (bench/fio/build-engine)"; echo "1..1"; exit 1; }
command -v fio >/dev/null || { echo "not ok 1 fio not installed"; echo "1..1"; exit 1; }
echo "# $(uname -r), $(fio --version), $ENGINE"

# jq-free JSON checks: jsoncheck FILE EXPR... prints "OK ..." / "BAD ...".
jsoncheck() {
	python3 - "$@" <<'PY'
import json, sys
path, mode = sys.argv[1], sys.argv[2]
try:
    txt = open(path).read()
    doc = json.loads(txt[txt.index("{"):])
except Exception as e:
    print("BAD invalid JSON: %s" % e); sys.exit(0)
jobs = doc.get("jobs", [])
if not jobs:
    print("BAD no jobs"); sys.exit(0)
j = jobs[0]
r, w = j["read"], j["write"]
if mode == "verify":
    ok = j["error"] == 0 and w["io_bytes"] == 8 << 20 and r["io_bytes"] == 8 << 20
    print("%s error %d, wrote %d, read back %d bytes" % ("OK" if ok else "BAD", j["error"], w["io_bytes"], r["io_bytes"]))
else:
    lat = r.get("clat_ns", {}).get("percentile", {})
    ok = j["error"] == 0 and r["iops"] > 0 and r["total_ios"] > 0 and "99.000000" in lat
    print("%s error %d, %d read I/Os, %.0f IOPS, p99 clat %s ns" % ("OK" if ok else "BAD", j["error"], r["total_ios"], r["iops"], lat.get("99.000000")))
PY
}

pin0=$(pinned)
for be in iommufd type1 compat; do
	for mode in static perio; do
		c="$be/$mode"
		BACKEND=$be MAPMODE=$mode fio --output-format=json "$jobs/verify.fio" \
			>"$d/v.json" 2>"$d/v.err"
		rc=$?
		is "$rc" 0 "$c: verify job exit 0"
		[ "$rc" = 0 ] || sed 's/^/#   /' "$d/v.err" | head -5
		r=$(jsoncheck "$d/v.json" verify)
		like "$r" '^OK' "$c: verify: $r"
	done
done
is "$(pinned_back "$pin0")" "$pin0" "nothing left pinned after the verify jobs"

# A block changed behind fio's back: the read-back verification must see it.
BACKEND=iommufd MAPMODE=static fio "$jobs/verify.fio" --do_verify=0 --rw=write \
	>"$d/w.out" 2>&1
ok $? "sequential write of the verify region"
"$bin/nvmeio" write 64 8 4242 >"$d/n.out" 2>&1
ok $? "nvmeio overwrites the block at offset 32 KiB"
BACKEND=type1 MAPMODE=perio fio "$jobs/verify.fio" --rw=write --verify_only=1 \
	>"$d/vo.out" 2>&1
rc=$?
[ "$rc" != 0 ]
ok $? "verify_only fails on the overwritten block (exit $rc)"
like "$(cat "$d/vo.out")" "verify: bad (magic|header|crc32c)|crc32c: verify failed|bad magic" \
	"fio names the verify failure"

# A tiny comparison run: 2 jobs, QD32 randread, JSON.
BACKEND=iommufd MAPMODE=static RUNTIME=2 RAMP=1 fio --output-format=json \
	"$jobs/randread-qd32-j2.fio" >"$d/r.json" 2>"$d/r.err"
is "$?" 0 "randread QD32 x2 jobs: exit 0"
r=$(jsoncheck "$d/r.json" rand)
like "$r" '^OK' "randread QD32 x2 jobs: $r"
BACKEND=type1 MAPMODE=perio RUNTIME=2 RAMP=1 fio --output-format=json \
	"$jobs/randwrite-qd1-j1.fio" >"$d/w.json" 2>"$d/w.err"
is "$?" 0 "randwrite QD1 type1/perio: exit 0"
like "$(python3 -c 'import json,sys; t=open(sys.argv[1]).read(); j=json.loads(t[t.index("{"):])["jobs"][0]; print("OK %d writes" % j["write"]["total_ios"] if j["write"]["total_ios"] > 0 else "BAD")' "$d/w.json" 2>&1)" \
	'^OK' "randwrite QD1 type1/perio: writes done"

# --- fio-compare: interleaved comparisons ----------------------------------------
# Short runs: the checks are on the shape, the ABBA order and the summary
# (bench/tests/fio-compare.py), not on the figures.
cmp=$top/bench/fio/fio-compare
check=$top/bench/tests/fio-compare.py
"$cmp" -e "$ENGINE" -c randread:1:1 -r 1 -R 0 -n 2 -S 7 -o "$d/c.json" >"$d/c.txt" 2>"$d/c.err"
rc=$?
is "$rc" 0 "fio-compare: 2 pairs per map mode, exit 0"
[ "$rc" = 0 ] || sed 's/^/#   /' "$d/c.err" | tail -5
python3 "$check" "$d/c.json" engine randread:1:1 >"$d/c.chk" 2>&1
verdicts "$d/c.chk" "fio-compare"
like "$(cat "$d/c.txt")" "randread-qd1-j1-perio +iops +iommufd/type1 +[0-9.]+ +(\[|-)" \
	"fio-compare: the table shows the ratio"
"$cmp" -e "$ENGINE" -I -c randread:1:1 -r 1 -n 2 -S 2 -o "$d/i.json" >"$d/i.txt" 2>"$d/i.err"
is "$?" 0 "fio-compare -I: exit 0"
python3 "$check" "$d/i.json" icount randread:1:1 >"$d/i.chk" 2>&1
verdicts "$d/i.chk" "fio-compare -I"
like "$("$cmp" -e "$ENGINE" -I -s 20 2>&1)" "-I counts instructions with the engine spinning" \
	"fio-compare -I -s 20: refused"
like "$("$cmp" -e "$ENGINE" -S x 2>&1)" "need numbers" "fio-compare -S x: refused"
# The kernel reference's polled row: only where the nvme driver has poll
# queues (testbed/run -n switch -a nvme.poll_queues=1).
pq=$(cat /sys/module/nvme/parameters/poll_queues 2>/dev/null || echo 0)
if [ -d /sys/bus/pci/drivers/nvme ] && [ "$pq" -gt 0 ] && blk=$("$top/testbed/nvme-bind" nvme); then
	"$cmp" -k "$blk" -c randread:1:1 -r 1 -R 0 -n 2 -o "$d/k.json" >"$d/k.txt" 2>"$d/k.err"
	is "$?" 0 "fio-compare -k $blk (poll_queues=$pq): exit 0"
	python3 "$check" "$d/k.json" kernel randread:1:1 >"$d/k.chk" 2>&1
	like "$(cat "$d/k.chk")" "OK randread-qd1-j1-kernel iops: one comparison io_uring-hipri/io_uring" \
		"fio-compare -k: an io_uring-hipri row beside io_uring"
	verdicts "$d/k.chk" "fio-compare -k"
	"$top/testbed/nvme-bind" vfio-pci
	ok $? "the NVMe back on vfio-pci"
else
	ok 0 "# SKIP no kernel nvme driver with poll queues in this boot: no io_uring-hipri check"
fi

# --- bad options --------------------------------------------------------------
# badopt NAME REGEX ARGS...: non-zero exit, the engine's message.
badopt() {
	local name=$1 want=$2 before rc
	shift 2
	before=$(pinned)
	fio --name=bad --ioengine=external:"$ENGINE" --size=1m --bs=4k --rw=read "$@" \
		>"$d/b.out" 2>&1
	rc=$?
	[ "$rc" != 0 ]
	ok $? "$name: non-zero exit ($rc)"
	like "$(cat "$d/b.out")" "nvme-vfio: .*$want" "$name: says why"
	is "$(pinned_back "$before")" "$before" "$name: nothing left pinned"
}
badopt "no bdf" "option bdf= is required" --thread
badopt "bad backend" "backend=vfio: must be iommufd, type1 or compat" --thread --bdf=$BDF --backend=vfio
badopt "bad mapmode" "mapmode=lazy: must be static or perio" --thread --bdf=$BDF --mapmode=lazy
badopt "not threads" "needs thread=1" --bdf=$BDF
badopt "wrong BDF" "no PCI device 0000:00:1f.7" --thread --bdf=0000:00:1f.7
badopt "inactive namespace" "namespace 2 is inactive" --thread --bdf=$BDF --nsid=2
badopt "qdepth below iodepth" "qdepth=4 is below iodepth=8" --thread --bdf=$BDF --qdepth=4 --iodepth=8
# The device is usable afterwards.
"$bin/nvmeio" identify >"$d/i.out" 2>&1
ok $? "the device opens after the failures"
is "$(pinned_back "$pin0")" "$pin0" "nothing left pinned at the end"

done_testing
