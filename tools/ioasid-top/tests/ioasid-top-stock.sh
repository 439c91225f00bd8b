#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# ioasid-top-stock.sh BINDIR: tools/ioasid-top on the stock kernel (no
# ioasid-trace events) in the testbed guest, TAP.
#
#   testbed/run -k stock -- tools/ioasid-top/tests/ioasid-top-stock.sh build/k/<key>
#
# The fallback banner shows (batch and JSON), and the ioctl syscall
# fallback still gives each dmaprobe's row with its counts.
set -u
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
. "$top/tests/tap.sh"
[ -n "${IOASID_GUEST:-}" ] || { echo "runs inside the testbed: testbed/run -k stock -- $0 BINDIR" >&2; exit 2; }
bin=${1:?usage: ioasid-top-stock.sh BINDIR [N]}
n=${2:-1000}
t=${IOASID_TOP_BIN:-$top/build/tools/ioasid-top/ioasid-top}
d=$(mktemp -d)
tpid=
trap '[ -n "$tpid" ] && kill "$tpid" 2>/dev/null; rm -rf "$d"' EXIT
for f in "$t" "$bin/dmaprobe"; do
	[ -x "$f" ] || { echo "not ok 1 $f not built"; echo "1..1"; exit 1; }
done
echo "# $(uname -r), N=$n"

"$t" -b -1 -d 1 -D >"$d/b" 2>"$d/b.err"
is "$?" 0 "-b -1 -D: exit 0"
out=$(cat "$d/b")
like "$out" "mode fallback \(syscalls\)" "header: mode fallback"
like "$out" "^FALLBACK: no iommufd/vfio_iommu_type1 events in this kernel; unavailable: FLUSH/s FL/UNM FAULT/s FLTp99 INVAL/s" \
	"the fallback banner names the unavailable columns"
like "$out" "device view: unavailable in fallback mode" "-D: the device view says it is unavailable"

"$t" -j -d 1 >"$d/j" 2>"$d/j.err" &
tpid=$!
for i in $(seq 300); do grep -q '^Tracing' "$d/j.err" && break; sleep 0.1; done
"$bin/dmaprobe" -b both -s 4k -n "$n" >"$d/p" 2>&1 &
p=$!
wait $p
is "$?" 0 "dmaprobe 4k x $((n + 10)) per backend (pid $p)"
sleep 2.5
kill -TERM $tpid; wait $tpid; rc=$?; tpid=
is "$rc" 0 "-j: SIGTERM, exit 0"
python3 - "$d/j" "$p" "$((n + 10))" <<'PY'
import json, sys
docs = [json.loads(l) for l in open(sys.argv[1])]
pid, want = int(sys.argv[2]), int(sys.argv[3])
assert all(d["fallback"] and d["mode"] == "syscalls" for d in docs), docs[0]
assert "flush_per_s" in docs[0]["unavailable"], docs[0]
err = []
for b in ("iommufd", "type1"):
    rows = [r for d in docs for r in d["rows"] if r["pid"] == pid and r["backend"] == b]
    for k in ("maps", "unmaps"):
        got = sum(r[k] for r in rows)
        if got != want:
            err.append("%s %s: %d, want %d" % (b, k, got, want))
    if any("flushes" in r for r in rows):
        err.append("fallback rows carry flush counts")
for e in err:
    print("#   " + e)
sys.exit(1 if err else 0)
PY
ok $? "fallback JSON: rows for the dmaprobe pid per backend with $((n + 10)) maps and unmaps; no flush fields"
done_testing
