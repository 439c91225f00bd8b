#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# dirtybench-mock.sh BINDIR: bench/dirtybench and maplat's dirty bitmap
# reads in the testbed guest booted without an IOMMU (the iommufd selftest
# mock), TAP.  dirtybench-vtd.sh does the same for type1 on the NVMe.
#
#   testbed/run -i none -- bench/tests/dirtybench-mock.sh build/k/<key>
#
# maplat -j -P -I runs while dirtybench reads spans of 1 and 4 MiB with 0,
# 25 and 100% of the pages marked dirty before each read: dirtybench checks
# every read's bitmap against what it marked, the last one's share is in
# its JSON, and maplat counts every read (warm-up included) as an iommufd
# dirty read of its span on the mock's IOAS (1: the first object of each
# case's /dev/iommu), with the IOVA walked and found dirty summed to the
# byte.  Bad input: one message,
# exit 2; not root: exit 1; no mock device left behind.

set -u
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$top/tests/tap.sh"
. "$top/bpf/tests/lib.sh"
[ -n "${IOASID_GUEST:-}" ] || { echo "runs inside the testbed: testbed/run -i none -- $0 BINDIR" >&2; exit 2; }
bin=${1:?usage: dirtybench-mock.sh BINDIR}
b=$bin/dirtybench
m=${MAPLAT:-$top/build/bpf/maplat}
d=$(mktemp -d)
trap 'tool_cleanup; rm -rf "$d"' EXIT
for f in "$b" "$m"; do
	[ -x "$f" ] || { echo "not ok 1 $f not built"; echo "1..1"; exit 1; }
done
n=20 w=2

mockdevs() { ls /sys/bus/iommufd_mock/devices 2>/dev/null | wc -l; }
n0=$(mockdevs)
dirty_events=0
[ -d /sys/kernel/tracing/events/iommufd/iommufd_hwpt_get_dirty_bitmap ] && dirty_events=1

start_tool "$m" maplat -j -P -I
ok $? "maplat -j -P -I starts"
"$b" -j -n $n -w $w -s 1,4 -D 0,25,100 >"$d/j" 2>"$d/err"; rc=$?
stop_tool
is "$?" 0 "maplat: SIGTERM, exit 0"
is "$rc" 0 "dirtybench -j -n $n -w $w -s 1,4 -D 0,25,100: exit 0"
is "$(cat "$d/err")" "" "nothing on stderr"
python3 - "$d/j" "$n" <<'PY'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 1, lines
d = json.loads(lines[0])
n = int(sys.argv[2])
assert d["bench"] == "dirtybench" and d["backend"] == "iommufd" and d["unit"] == "us", d
for k in ("kernel", "platform", "cpu", "cpus", "series_events"):
    assert k in d["environment"], k
cases = [(c["span_mib"], c["dirty_percent"]) for c in d["cases"]]
assert cases == [(1, 0), (1, 25), (1, 100), (4, 0), (4, 25), (4, 100)], cases
for c in d["cases"]:
    assert c["n"] == n and 0 < c["min"] <= c["median"] <= c["p99"] <= c["max"], c
    assert c["dirty_bytes"] == (c["span_mib"] << 20) * c["dirty_percent"] // 100, c
    assert c["gib_per_s"] > 0, c
PY
ok $? "one JSON document: 6 cases, N=$n, min <= median <= p99, each read's bitmap holds the share asked for"

if [ $dirty_events = 1 ]; then
	python3 - "$d/maplat" "$n" "$w" <<'PY'
import json, sys
doc = json.loads(open(sys.argv[1]).read())
reads = int(sys.argv[2]) + int(sys.argv[3])
got = {}
for h in doc["histograms"]:
    if h["op"] != "dirty":
        continue
    assert h["backend"] == "iommufd" and h["comm"] == "dirtybench" and h["failed"] == 0, h
    assert h["ioas_id"] == 1, h
    assert sum(b["count"] for b in h["buckets"]) == h["count"], h
    got[h["size_log2"]] = (h["count"], h["span_bytes"], h["dirty_bytes"])
MiB = 1 << 20
want = {20: (3 * reads, 3 * reads * MiB, reads * (MiB // 4 + MiB)),
        22: (3 * reads, 3 * reads * 4 * MiB, reads * (MiB + 4 * MiB))}
assert got == want, (got, want)
PY
	ok $? "maplat -I: every read an iommufd dirty read of its span (2^20, 2^22) on IOAS 1, IOVA walked and found dirty summed to the byte"
	start_tool "$m" table -P
	"$b" -n 3 -w 0 -s 1 -D 50 >/dev/null
	stop_tool
	like "$(cat "$d/table")" "IOVA walked 3M at [0-9.]+ GiB/s of read time, 50.0% dirty" \
		"maplat's table: the IOVA walked, its rate and the share dirty"
else
	for t in "maplat counts the dirty reads" "maplat's table"; do
		_n=$((_n + 1))
		echo "ok $_n $t # SKIP kernel without the dirty tracking events"
	done
fi

for a in "-s 0" "-s 1025" "-D 101" "-D x" "-n 0" "-w -1" "-b foo" "-d 00:03.0" "-b type1 -D 5" "-s" "-q" "extra"; do
	"$b" $a >"$d/out" 2>"$d/err"; rc=$?
	is "$rc:$(head -1 "$d/err" | grep -c '^dirtybench: ')" "2:1" "bad input '$a': exit 2, one 'dirtybench:' message"
done
if command -v setpriv >/dev/null; then
	setpriv --reuid=65534 --regid=65534 --clear-groups "$b" -n 3 >"$d/out" 2>"$d/err"; rc=$?
	is "$rc:$(wc -l <"$d/err")" "1:1" "not root: exit 1, one message"
fi
sleep 0.5
is "$(mockdevs)" "$n0" "no mock device left behind ($n0 before)"
done_testing
