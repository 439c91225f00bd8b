# SPDX-License-Identifier: GPL-2.0
# tools/ioasid-top on the host kernel: no iommufd/VFIO events here, so it
# runs its fallback (ioctl syscall tracepoints).  Frames, JSON, the banner,
# bad options, not root, not a terminal, cleanup.  IOASID_TOP_BIN=path skips
# the build.
. "$(dirname "$0")/../tap.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT

skip_all() {
	echo "ok 1 ioasid-top # SKIP $*"
	echo "1..1"
	exit 0
}
[ "$(id -u)" = 0 ] || skip_all "not root: BPF needs CAP_BPF and CAP_PERFMON"

t=${IOASID_TOP_BIN:-}
if [ -z "$t" ]; then
	make -s -C "$top" build/tools/ioasid-top/ioasid-top >"$d/make.log" 2>&1
	rc=$?
	ok $rc "ioasid-top builds"
	[ $rc = 0 ] || { sed 's/^/#   /' "$d/make.log" | tail -20; done_testing; exit 1; }
	t=$top/build/tools/ioasid-top/ioasid-top
fi

"$t" -b -n 1 -d 1 >"$d/out" 2>"$d/err" </dev/null; rc=$?
if [ $rc != 0 ] && grep -qE "not allowed to load BPF|has no BTF|cannot load BPF" "$d/err"; then
	skip_all "BPF unavailable: $(head -1 "$d/err")"
fi
out=$(cat "$d/out")
is "$rc" 0 "-b -n 1 -d 1: one frame, exit 0"
like "$out" "^ioasid-top - [0-9:]{8}  kernel $(uname -r | sed 's/[.+]/\\&/g')  mode fallback \(syscalls\)  refresh 1s" \
	"header: time, kernel, mode, refresh"
like "$out" "^Total: 0 map/s  0 unmap/s  0\.0 MiB/s  rows 0$" "system totals"
like "$out" "^FALLBACK: no iommufd/vfio_iommu_type1 events in this kernel; unavailable: FLUSH/s FL/UNM FAULT/s FLTp99 INVAL/s" \
	"fallback banner names the unavailable columns"
like "$out" "^ +PID COMM +BACKEND +IOAS +MAP/s +UNMAP/s +MiB/s +MAPp50 +MAPp99 +UNMp99 +FLUSH/s +FL/UNM +FAULT/s +FLTp99 +INVAL/s" \
	"the column header"
like "$out" "^ \(no DMA map activity in this interval\)$" "no rows"
is "$(grep -c '^ioasid-top - ' <<<"$out")" 1 "exactly one frame"
like "$(cat "$d/err")" "^Tracing DMA map activity, mode fallback" "the banner goes to stderr"

"$t" -j -1 -d 1 >"$d/j" 2>/dev/null; rc=$?
is "$rc:$(wc -l <"$d/j")" "0:1" "-j -1: one JSON line, exit 0"
python3 - "$d/j" <<'PY'
import json, sys
d = json.loads(open(sys.argv[1]).read())
assert d["tool"] == "ioasid-top" and d["mode"] == "syscalls" and d["fallback"] is True, d
assert d["rows"] == [] and d["storm_events"] == [], d
assert "flush_per_s" in d["unavailable"] and "devices" in d["unavailable"], d
assert 0.9 < d["seconds"] < 3 and d["totals"]["map_per_s"] == 0, d
PY
ok $? "-j: valid JSON, fallback, no rows, unavailable columns listed"

# a decoded ioctl in the fallback: IOAS_MAP on /dev/null fails (ENOTTY),
# counted as a map error of IOAS 7 for this python's pid
"$t" -j -d 1 -a >"$d/f" 2>"$d/f.err" &
tp=$!
wait_tracing "$tp" "$d/f.err"
nprog=$(bpftool prog show 2>/dev/null | grep -cE 'name sys_(enter|exit)_ioctl')
PYTHONPATH=$top/tests python3 - >"$d/py.pid" <<'PY'
import os
from iommufd import IOAS_MAP, IOAS_MAP_FMT, on_null
print(os.getpid())
on_null(IOAS_MAP, IOAS_MAP_FMT, 40, 0, 7, 0, 0, 8192, 0, n=5)
PY
sleep 2.2
kill -INT $tp
wait $tp; rc=$?
is "$rc" 0 "SIGINT: exit 0"
python3 - "$d/f" "$(cat "$d/py.pid")" <<'PY'
import json, sys
pid = int(sys.argv[2])
rows = [r for l in open(sys.argv[1]) for r in json.loads(l)["rows"] if r["pid"] == pid]
assert sum(r["map_errors"] for r in rows) == 5, rows
assert {(r["backend"], r["ioas"], r["comm"][:6]) for r in rows} == {("iommufd", 7, "python")}, rows
PY
ok $? "fallback decodes IOMMU_IOAS_MAP: 5 failed maps of IOAS 7 by that pid"
is "$nprog" "$(( $(bpftool prog show 2>/dev/null | grep -cE 'name sys_(enter|exit)_ioctl') + 2 ))" \
	"while running two ioctl programs were loaded; after exit they are gone"

# not a terminal, screen mode: says so and prints text frames
"$t" -n 1 -d 1 >"$d/nt" 2>"$d/nt.err" </dev/null; rc=$?
is "$rc" 0 "screen mode without a terminal: exit 0"
like "$(cat "$d/nt.err")" "^ioasid-top: not a terminal: printing text frames as with -b$" "says it is not a terminal"
like "$(cat "$d/nt")" "^ioasid-top - " "and prints a text frame"

# bad input: exit 2 and one message (then the usage)
for args in "-s nosuch" "-d 0" "-d 61" "-x" "-p abc" "-n 0" "--storm-rate 0" "1 2 3"; do
	# shellcheck disable=SC2086
	"$t" $args >"$d/o" 2>"$d/e"; rc=$?
	is "$rc:$(grep -c '^ioasid-top: ' "$d/e")" "2:1" "'$args': exit 2, one message"
done
"$t" -s nosuch 2>&1 >/dev/null | head -1 | grep -q "^ioasid-top: unknown sort key 'nosuch'$"
ok $? "unknown sort key: says which"
"$t" -d 61 2>&1 >/dev/null | head -1 | grep -q "1 to 60 seconds"
ok $? "delay out of bounds: says the bounds"
is "$(cat "$d/o")" "" "usage errors print nothing on stdout"

if command -v setpriv >/dev/null; then
	setpriv --reuid=65534 --regid=65534 --clear-groups "$t" -b -n 1 >"$d/o" 2>"$d/e"; rc=$?
	is "$rc:$(wc -l <"$d/e")" "1:1" "not root: exit 1, one message"
	like "$(cat "$d/e")" "^ioasid-top: not allowed to load BPF programs: run as root" "not root: says so"
fi

out=$("$t" -h); rc=$?
is "$rc" 0 "-h exits 0"
like "$out" "^Screen keys:" "-h lists the screen keys"
like "$out" "reverse the sort order" "-h: the same key text as the help screen"
like "$out" "^  INVAL/s +HWPT invalidations per second" "-h: the columns"
done_testing
