#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# faultbench-mock.sh BINDIR: bench/faultbench in the testbed guest booted
# without an IOMMU (iommufd selftest mock), TAP.
#
#   testbed/run -i none -- bench/tests/faultbench-mock.sh build/k/<key>
#
# A tiny configuration produces one valid JSON document with every case
# asked for and sane statistics, and a table; bad input (numbers, an
# option, not root) fails with one message and a non-zero status; no mock
# device is left behind by any run.

set -u
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$top/tests/tap.sh"
[ -n "${IOASID_GUEST:-}" ] || { echo "runs inside the testbed: testbed/run -i none -- $0 BINDIR" >&2; exit 2; }
bin=${1:?usage: faultbench-mock.sh BINDIR}
b=$bin/faultbench
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
[ -x "$b" ] || { echo "not ok 1 $b not built"; echo "1..1"; exit 1; }

mockdevs() { ls /sys/bus/iommufd_mock/devices 2>/dev/null | wc -l; }
n0=$(mockdevs)

"$b" -j -n 40 -w 5 -o 1,4 >"$d/j" 2>"$d/err"; rc=$?
is "$rc" 0 "-j -n 40 -w 5 -o 1,4: exit 0"
is "$(cat "$d/err")" "" "nothing on stderr"
python3 - "$d/j" <<'PY'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 1, lines
d = json.loads(lines[0])
assert d["bench"] == "faultbench" and d["unit"] == "us" and d["warmup"] == 5, d
env = d["environment"]
for k in ("kernel", "platform", "cpu", "cpus", "series_events"):
    assert k in env, (k, env)
assert env["platform"] == "QEMU TCG", env
assert [c["outstanding"] for c in d["cases"]] == [1, 4], d["cases"]
for c in d["cases"]:
    assert c["n"] == 40, c
    assert 0 < c["min"] <= c["median"] <= c["p99"] <= c["max"], c
    assert c["cv"] >= 0 and c["throughput"] > 0, c
    r = c["throughput_rounds"]
    assert r["n"] == 10 and 0 < r["min"] <= r["median"] <= r["max"], r
PY
ok $? "one JSON document: environment (platform QEMU TCG), cases 1 and 4 outstanding, N=40, min <= median <= p99, 10 throughput rounds"

out=$("$b" -n 20 -w 2 -o 2 2>&1); rc=$?
is "$rc" 0 "table: exit 0"
like "$out" "^ +2 +20 " "table: the case of 2 outstanding, N=20"
like "$out" "^ +2 +20 .* [0-9]+ \[[0-9]+\.\.[0-9]+\]$" "table: the throughput per round, median [min..max]"
like "$out" "platform QEMU TCG" "table: the environment"
out=$("$b" -n 10 -w 0 -o 1 --platform "test box" -j); rc=$?
like "$out" '"platform":"test box","platform_detected":false' "--platform overrides the detection"

for a in "-n 0" "-n x" "-w -1" "-o 0" "-o 65" "-o 1,,2" "-o" "-q" "extra" "-r 0" "-n 5 -r 6"; do
	"$b" $a >"$d/out" 2>"$d/err"; rc=$?
	is "$rc:$(head -1 "$d/err" | grep -c '^faultbench: ')" "2:1" "bad input '$a': exit 2, one 'faultbench:' message"
done
if command -v setpriv >/dev/null; then
	setpriv --reuid=65534 --regid=65534 --clear-groups "$b" -n 10 >"$d/out" 2>"$d/err"; rc=$?
	is "$rc:$(wc -l <"$d/err")" "1:1" "not root: exit 1, one message"
	like "$(cat "$d/err")" "^faultbench: needs root" "not root: says so"
fi
sleep 0.5
is "$(mockdevs)" "$n0" "no mock device left behind ($n0 before)"
done_testing
