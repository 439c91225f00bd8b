#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# faultlat-overhead.sh BINDIR [ROUNDS] [N]: what faultlat costs the page
# request round trip it measures, inside the testbed guest booted without
# an IOMMU (selftest mock).
#
#   testbed/run -i none -- bpf/tests/faultlat-overhead.sh build/k/<key> 5 2000
#
# Each round runs BINDIR/faultbench -o 1 -n N once per configuration:
# without faultlat ("off"), with faultlat in tracepoint mode ("tp") and
# forced into the fallback ("fallback", -F); the order rotates from round
# to round, all in one boot.  Prints per configuration the median of the
# rounds' medians with min and max, and, with kernel.bpf_stats_enabled, each
# program's run_time_ns / run_cnt.  The fallback runs on every read() and
# write() in the system: its cost on a plain read/write loop (dd bs=1) is
# measured too.  QEMU TCG figures: ratios only.

set -u
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$top/bpf/tests/lib.sh"
[ -n "${IOASID_GUEST:-}" ] || { echo "runs inside the testbed: testbed/run -i none -- $0 BINDIR" >&2; exit 2; }
bin=${1:?usage: faultlat-overhead.sh BINDIR [ROUNDS] [N]}
rounds=${2:-5}
n=${3:-2000}
fl=${FAULTLAT:-$top/build/bpf/faultlat}
out=${IOASID_OUT:-${TMPDIR:-/tmp}}/faultlat-overhead.jsonl
d=$(mktemp -d)
trap 'tool_cleanup; sysctl -qw kernel.bpf_stats_enabled=0; rm -rf "$d"' EXIT
cfgs=(off tp fallback)
echo "# $(uname -r): $rounds rounds of faultbench -o 1 -n $n -w 200, dd bs=1 count=100000; configs: ${cfgs[*]}"
: >"$out"
sysctl -qw kernel.bpf_stats_enabled=1

progstats() {
	bpftool prog show -j 2>/dev/null | python3 -c '
import json, sys
for p in json.load(sys.stdin):
    if p.get("run_cnt") and p.get("name") in ("iopf_report", "fault_queue", "fault_read", "fault_respond", "fault_auto_respo", "iopf_response", "prq_report", "sys_enter_read", "sys_exit_read", "sys_enter_write"):
        print("#   prog %-16s run_cnt %8d  %6.0f ns/run" % (p["name"], p["run_cnt"], p["run_time_ns"] / p["run_cnt"]))'
}

for r in $(seq "$rounds"); do
	for i in $(rotation "$r" ${#cfgs[@]}); do
		cfg=${cfgs[$i]}
		case $cfg in
		tp) start_tool "$fl" ovh -j ;;
		fallback) start_tool "$fl" ovh -j -F ;;
		esac
		"$bin/faultbench" -j -o 1 -n "$n" -w 200 |
			python3 -c 'import json,sys; d=json.load(sys.stdin); c=d["cases"][0]; print(json.dumps({"round": int(sys.argv[1]), "cfg": sys.argv[2], "what": "fault", "median": c["median"], "p99": c["p99"], "min": c["min"], "cv": c["cv"], "n": c["n"]}))' "$r" "$cfg" >>"$out" || exit 1
		t0=$(date +%s%N)
		dd if=/dev/zero of=/dev/null bs=1 count=100000 2>/dev/null
		t1=$(date +%s%N)
		echo "{\"round\": $r, \"cfg\": \"$cfg\", \"what\": \"dd\", \"median\": $(((t1 - t0) / 200000))}" >>"$out"
		if [ -n "$tool_pid" ]; then
			[ "$r" = "$rounds" ] && { echo "# $cfg, round $r:"; progstats; }
			stop_tool
		fi
	done
done

python3 - "$out" "${cfgs[@]}" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
cfgs = sys.argv[2:]
print("%-9s %-34s %-30s" % ("CONFIG", "ROUND TRIP us: median [min-max]", "dd read+write ns/syscall"))
base = {}
for c in cfgs:
    cells = []
    for w in ("fault", "dd"):
        x = [r["median"] for r in rows if r["cfg"] == c and r["what"] == w]
        med = statistics.median(x)
        if c == "off":
            base[w] = med
            rel = ""
        else:
            rel = " %+.1f%%" % (100 * (med / base[w] - 1))
        cells.append("%.1f [%.1f-%.1f]%s" % (med, min(x), max(x), rel))
    print("%-9s %-34s %-30s" % (c, cells[0], cells[1]))
print("(%d rounds; per round: faultbench median of N faults, dd mean per syscall)" % (len(rows) // (2 * len(cfgs))))
PY
