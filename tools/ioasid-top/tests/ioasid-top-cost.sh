#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# ioasid-top-cost.sh BINDIR [ROUNDS] [N]: what ioasid-top costs, in the
# testbed guest (QEMU TCG: ratios only).
#
#   testbed/run -- tools/ioasid-top/tests/ioasid-top-cost.sh build/k/<key> 5 5000
#
# 1. Its own CPU at 1 s refresh (-b -d 1 to /dev/null) during the heaviest
#    map/unmap load the testbed makes (dmaprobe 4 KiB loop, both backends
#    in turn, 6 N each): utime + stime of the ioasid-top process from
#    /proc over the loop, as % of one CPU.  (Its BPF programs run on the
#    workload's threads and count in 2.)
# 2. Its overhead on that workload: ROUNDS rounds, each running
#    dmaprobe -s 4k -n N per backend without ("off") and with ioasid-top
#    ("on"), the order alternating; median of the rounds' means, min-max.
set -u
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
[ -n "${IOASID_GUEST:-}" ] || { echo "runs inside the testbed: testbed/run -- $0 BINDIR" >&2; exit 2; }
bin=${1:?usage: ioasid-top-cost.sh BINDIR [ROUNDS] [N]}
rounds=${2:-5}
n=${3:-5000}
t=${IOASID_TOP_BIN:-$top/build/tools/ioasid-top/ioasid-top}
out=${IOASID_OUT:-${TMPDIR:-/tmp}}/ioasid-top-cost.jsonl
d=$(mktemp -d)
tpid=
trap '[ -n "$tpid" ] && kill "$tpid" 2>/dev/null; rm -rf "$d"' EXIT
hz=$(getconf CLK_TCK)
echo "# $(uname -r), $(nproc) CPU(s), $rounds rounds, N=$n"

start_top() {
	"$t" -b -d 1 "$@" >/dev/null 2>"$d/err" &
	tpid=$!
	for _ in $(seq 300); do
		grep -q '^Tracing' "$d/err" && return 0
		sleep 0.1
	done
	return 1
}
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# ---- 1: own CPU ----
start_top
t0=$(ticks $tpid) s0=$(date +%s.%N)
for b in iommufd type1; do
	"$bin/dmaprobe" -j -b $b -s 4k -n $((n * 6)) -L "cpu" >>"$d/cpu.jsonl" || exit 1
done
t1=$(ticks $tpid) s1=$(date +%s.%N)
kill -TERM $tpid; wait $tpid; tpid=
python3 - "$t0" "$t1" "$s0" "$s1" "$hz" "$d/cpu.jsonl" <<'PY'
import json, sys
t0, t1, s0, s1, hz = map(float, sys.argv[1:6])
ops = sum(2 * json.loads(l)["n"] for l in open(sys.argv[6]) if l.strip().startswith("{"))
sec = s1 - s0
print("ioasid-top own CPU: %.0f ticks in %.1f s = %.2f%% of one CPU (map+unmap %d ops, %.0f ops/s)"
      % (t1 - t0, sec, 100 * (t1 - t0) / hz / sec, ops, ops / sec))
PY

# ---- 2: overhead on the workload ----
: >"$out"
for r in $(seq "$rounds"); do
	for cfg in $( [ $((r % 2)) = 1 ] && echo "off on" || echo "on off"); do
		[ "$cfg" = on ] && { start_top || exit 1; }
		for b in iommufd type1; do
			"$bin/dmaprobe" -j -b "$b" -s 4k -n "$n" -L "$r $cfg" >>"$out" || exit 1
		done
		if [ -n "$tpid" ]; then kill -TERM $tpid; wait $tpid; tpid=; fi
	done
done
python3 - "$out" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
print("%-8s %-4s %-30s %-30s" % ("BACKEND", "CFG", "MAP us med [min-max]", "UNMAP us med [min-max]"))
for b in ("iommufd", "type1"):
    base = {}
    for c in ("off", "on"):
        v = [r for r in rows if r["backend"] == b and r["label"].split()[1] == c]
        cells = []
        for k in ("map_mean", "unmap_mean"):
            x = [r[k] for r in v]
            med = statistics.median(x)
            rel = "" if c == "off" else " %+.1f%%" % (100 * (med / base[k] - 1))
            base.setdefault(k, med)
            cells.append("%.2f [%.2f-%.2f]%s" % (med, min(x), max(x), rel))
        print("%-8s %-4s %-30s %-30s (n=%d rounds)" % (b, c, cells[0], cells[1], len(v)))
PY
