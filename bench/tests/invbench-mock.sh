#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# invbench-mock.sh BINDIR: bench/invbench in the testbed guest booted
# without an IOMMU (iommufd selftest mock), TAP.
#
#   testbed/run -i none -- bench/tests/invbench-mock.sh build/k/<key>
#
# A tiny configuration produces one valid JSON document with every case
# asked for and sane statistics, and a table; bad input (numbers, more
# entries than the kernel takes per call, an option, not root) fails with
# one message and a non-zero status; no mock device is left behind.

set -u
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$top/tests/tap.sh"
[ -n "${IOASID_GUEST:-}" ] || { echo "runs inside the testbed: testbed/run -i none -- $0 BINDIR" >&2; exit 2; }
bin=${1:?usage: invbench-mock.sh BINDIR}
b=$bin/invbench
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
[ -x "$b" ] || { echo "not ok 1 $b not built"; echo "1..1"; exit 1; }

mockdevs() { ls /sys/bus/iommufd_mock/devices 2>/dev/null | wc -l; }
n0=$(mockdevs)

"$b" -j -n 30 -w 3 -e 1,8,64,512 >"$d/j" 2>"$d/err"; rc=$?
is "$rc" 0 "-j -n 30 -w 3 -e 1,8,64,512: exit 0"
is "$(cat "$d/err")" "" "nothing on stderr"
python3 - "$d/j" <<'PY'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 1, lines
d = json.loads(lines[0])
assert d["bench"] == "invbench" and d["unit"] == "us" and d["warmup"] == 3, d
env = d["environment"]
for k in ("kernel", "platform", "cpu", "cpus", "series_events"):
    assert k in env, (k, env)
assert [c["entries"] for c in d["cases"]] == [1, 8, 64, 512], d["cases"]
for c in d["cases"]:
    assert c["n"] == 30, c
    assert 0 < c["min"] <= c["median"] <= c["p99"] <= c["max"], c
    pe = c["per_entry_ns"]
    assert abs(pe["median"] - c["median"] * 1000 / c["entries"]) < 1e-6 * pe["median"] + 1e-9, c
PY
ok $? "one JSON document: environment, cases 1, 8, 64, 512 entries, N=30, min <= median <= p99, per entry = per call / entries"

out=$("$b" -n 20 -w 2 -e 16 2>&1); rc=$?
is "$rc" 0 "table: exit 0"
like "$out" "^ +16 +20 " "table: the case of 16 entries, N=20"

for a in "-n 0" "-n x" "-w -1" "-e 0" "-e 524289" "-e 1,,2" "-e" "-q" "extra"; do
	"$b" $a >"$d/out" 2>"$d/err"; rc=$?
	is "$rc:$(head -1 "$d/err" | grep -c '^invbench: ')" "2:1" "bad input '$a': exit 2, one 'invbench:' message"
done
if command -v setpriv >/dev/null; then
	setpriv --reuid=65534 --regid=65534 --clear-groups "$b" -n 10 >"$d/out" 2>"$d/err"; rc=$?
	is "$rc:$(wc -l <"$d/err")" "1:1" "not root: exit 1, one message"
	like "$(cat "$d/err")" "^invbench: needs root" "not root: says so"
fi
sleep 0.5
is "$(mockdevs)" "$n0" "no mock device left behind ($n0 before)"
done_testing
