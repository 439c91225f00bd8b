#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# filemapbench-mock.sh BINDIR: bench/filemapbench in the testbed guest
# booted without an IOMMU (iommufd selftest mock), TAP.
#
#   testbed/run -i none -- bench/tests/filemapbench-mock.sh build/k/<key>
#
# A tiny configuration gives one JSON document with every size asked for,
# the samples of both sources and operations, and a ratio per operation
# from every pair; the series' iommufd_ioas_map records (a tracefs
# instance) must show exactly the maps it says it made, each source
# through its own entry point (caller=map_file, caller=ioctl), all
# successful.  Bad input fails with one message and exit 2; no mock
# device is left.  Kernels without IOMMU_IOAS_MAP_FILE (6.12): it must
# say so and exit 1, then SKIP.

set -u
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$top/tests/tap.sh"
[ -n "${IOASID_GUEST:-}" ] || { echo "runs inside the testbed: testbed/run -i none -- $0 BINDIR" >&2; exit 2; }
bin=${1:?usage: filemapbench-mock.sh BINDIR}
b=$bin/filemapbench
d=$(mktemp -d)
inst=/sys/kernel/tracing/instances/filemapbench-test
trap 'rmdir "$inst" 2>/dev/null; rm -rf "$d"' EXIT
[ -x "$b" ] || { echo "not ok 1 $b not built"; echo "1..1"; exit 1; }

mockdevs() { ls /sys/bus/iommufd_mock/devices 2>/dev/null | wc -l; }
n0=$(mockdevs)

for a in "-k 0" "-n x" "-w -1" "-s 0" "-s 1025" "-s 1,,2" "--seed" "-q" "extra"; do
	"$b" $a >"$d/out" 2>"$d/err"; rc=$?
	is "$rc:$(head -1 "$d/err" | grep -c '^filemapbench: ')" "2:1" "bad input '$a': exit 2, one 'filemapbench:' message"
done

"$b" -s 1 -k 1 -n 1 -w 0 >"$d/out" 2>"$d/err"; rc=$?
if grep -q "no IOMMU_IOAS_MAP_FILE" "$d/err"; then
	is "$rc" 1 "a kernel without MAP_FILE ($(uname -r)): exit 1, says so"
	ok 0 "MAP_FILE vs anonymous # SKIP no IOMMU_IOAS_MAP_FILE in $(uname -r)"
	done_testing
	exit
fi

series=no
if [ -d /sys/kernel/tracing/events/iommufd/iommufd_ioas_map ]; then
	series=yes
	mkdir "$inst" && echo 1 >"$inst/events/iommufd/iommufd_ioas_map/enable"
fi
k=4 n=5 w=1
"$b" -j -s 1,4 -k $k -n $n -w $w >"$d/j" 2>"$d/err"; rc=$?
is "$rc" 0 "-j -s 1,4 -k $k -n $n -w $w: exit 0"
is "$(cat "$d/err")" "" "nothing on stderr"
[ "$series" = yes ] && echo 0 >"$inst/tracing_on"
python3 - "$d/j" "$k" "$n" "$w" <<'PY'
import json, sys
k, n, w = map(int, sys.argv[2:5])
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 1, lines
d = json.loads(lines[0])
assert d["bench"] == "filemapbench" and d["unit"] == "us" and d["pairs"] == k, d
assert "platform" in d["environment"], d["environment"]
assert [c["size_mib"] for c in d["cases"]] == [1, 4], d["cases"]
for c in d["cases"]:
    assert c["maps_per_source"] == k * (n + w), c
    for op in ("map", "unmap"):
        for s in ("map_file", "anonymous"):
            st = c[op][s]
            assert st["n"] == k * n and 0 < st["min"] <= st["median"] <= st["p99"] <= st["max"], (op, s, st)
        r = c[op]["file_over_anonymous"]
        assert r["k"] == k and r["ci95"][0] <= r["ratio"] <= r["ci95"][1], (op, r)
# the pairs: k per size and operation, map_file as A, each block's median
# inside the range of its source's samples
comps = {(x["case"], x["metric"]): x for x in d["comparisons"]}
assert len(comps) == 4, list(comps)
for c in d["cases"]:
    for op in ("map", "unmap"):
        x = comps[("size-%dM" % c["size_mib"], op)]
        assert x["a"] == "map_file" and x["b"] == "anonymous" and len(x["blocks"]) == k, x
        for b in x["blocks"]:
            for side, s in (("a", "map_file"), ("b", "anonymous")):
                st = c[op][s]
                assert st["min"] <= b[side] <= st["max"], (op, s, b, st)
assert "thp_enabled" in d and "thp_shmem_enabled" in d, d.keys()
PY
ok $? "one JSON document: sizes 1 and 4 MiB, $((k * n)) samples per source and operation, min <= median <= p99, a ratio of $k pairs inside its CI"
if [ "$series" = yes ]; then
	want=$((2 * k * (n + w)))
	is "$(grep -c 'caller=map_file' "$inst/trace")" "$want" "the events: $want maps through IOMMU_IOAS_MAP_FILE"
	is "$(grep -c 'caller=ioctl' "$inst/trace")" "$want" "the events: $want maps through IOMMU_IOAS_MAP"
	is "$(grep 'iommufd_ioas_map:' "$inst/trace" | grep -vc ' ret=0')" 0 "every map succeeded"
	like "$(grep -m1 'caller=map_file' "$inst/trace")" "length=0x100000 " "the first file map is 1 MiB"
fi

out=$("$b" -s 2 -k 2 -n 3 2>/dev/null); rc=$?
is "$rc" 0 "table: exit 0"
like "$out" "^ +2 map +[0-9.]+ +[0-9.]+ +[0-9.]+ \[" "table: the map row of 2 MiB with a ratio and CI"
like "$out" "^ +2 unmap " "table: the unmap row"
like "$out" "platform" "table: the environment block"

if command -v setpriv >/dev/null; then
	setpriv --reuid=65534 --regid=65534 --clear-groups "$b" -s 1 >"$d/out" 2>"$d/err"; rc=$?
	is "$rc:$(wc -l <"$d/err")" "1:1" "not root: exit 1, one message"
fi
sleep 0.5
is "$(mockdevs)" "$n0" "no mock device left behind ($n0 before)"
done_testing
