#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# dirtybench-vtd.sh BINDIR: bench/dirtybench through a type1 container of
# the testbed's NVMe (vfio-pci behind the emulated VT-d) with maplat
# attached, TAP.  dirtybench-mock.sh does the same for iommufd on the mock.
#
#   testbed/run -- bench/tests/dirtybench-vtd.sh build/k/<key>
#
# Spans of 1 and 4 MiB: type1 reports every mapped page dirty in every read
# (the NVMe cannot say what it wrote), so each case's bitmap is full, and
# maplat counts every read as a type1 dirty read of its span, 100% dirty.
# Skipped where the kernel has no type1 (iommufd serves /dev/vfio/vfio).

set -u
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$top/tests/tap.sh"
. "$top/bpf/tests/lib.sh"
. "$top/tests/container.sh"
[ -n "${IOASID_GUEST:-}" ] || { echo "runs inside the testbed: testbed/run -- $0 BINDIR" >&2; exit 2; }
bin=${1:?usage: dirtybench-vtd.sh BINDIR}
b=$bin/dirtybench
m=${MAPLAT:-$top/build/bpf/maplat}
d=$(mktemp -d)
trap 'tool_cleanup; rm -rf "$d"' EXIT
for f in "$b" "$m"; do
	[ -x "$f" ] || { echo "not ok 1 $f not built"; echo "1..1"; exit 1; }
done
container_or_bail
if [ "$C" != type1 ]; then
	echo "ok 1 dirtybench type1 # SKIP no VFIO type1 in this kernel ($C)"
	done_testing
	exit 0
fi
n=20 w=2
dirty_events=0
[ -d /sys/kernel/tracing/events/vfio_iommu_type1/vfio_iommu_type1_dirty_bitmap ] && dirty_events=1

start_tool "$m" maplat -j -P -I -b type1
ok $? "maplat -j -P -I -b type1 starts"
"$b" -j -b type1 -n $n -w $w -s 1,4 >"$d/j" 2>"$d/err"; rc=$?
stop_tool
is "$?" 0 "maplat: SIGTERM, exit 0"
is "$rc" 0 "dirtybench -j -b type1 -n $n -w $w -s 1,4: exit 0"
is "$(cat "$d/err")" "" "nothing on stderr"
python3 - "$d/j" "$n" <<'PY'
import json, sys
d = json.loads(open(sys.argv[1]).read())
n = int(sys.argv[2])
assert d["bench"] == "dirtybench" and d["backend"] == "type1", d
assert [(c["span_mib"], c["dirty_percent"]) for c in d["cases"]] == [(1, 100), (4, 100)], d
for c in d["cases"]:
    assert c["n"] == n and 0 < c["min"] <= c["median"] <= c["p99"] <= c["max"], c
    assert c["dirty_bytes"] == c["span_mib"] << 20, c
PY
ok $? "one JSON document: 1 and 4 MiB, N=$n, every page of the bitmap dirty"

if [ $dirty_events = 1 ]; then
	python3 - "$d/maplat" "$n" "$w" <<'PY'
import json, sys
doc = json.loads(open(sys.argv[1]).read())
reads = int(sys.argv[2]) + int(sys.argv[3])
got, conts = {}, []
for h in doc["histograms"]:
    if h["op"] != "dirty":
        continue
    assert h["backend"] == "type1" and h["comm"] == "dirtybench" and h["failed"] == 0, h
    got[h["size_log2"]] = (h["count"], h["span_bytes"], h["dirty_bytes"])
    conts.append(h["container"])
MiB = 1 << 20
want = {20: (reads, reads * MiB, reads * MiB), 22: (reads, reads * 4 * MiB, reads * 4 * MiB)}
assert got == want, (got, want)
# a container per case (-I), numbered as seen; the second case's container
# may be allocated at the first one's address, and then keeps its number
# (bpf/maplat.md): 1 and 2, or 1 twice (seen once in four runs)
assert sorted(conts) in ([1, 2], [1, 1]), conts
PY
	ok $? "maplat -I: every read a type1 dirty read of its span, all of it dirty, a container per case"
else
	echo "ok $((_n + 1)) maplat counts the dirty reads # SKIP kernel without the dirty tracking events"
	_n=$((_n + 1))
fi
done_testing
