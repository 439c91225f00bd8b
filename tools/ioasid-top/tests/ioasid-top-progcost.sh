#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# ioasid-top-progcost.sh BINDIR [ROUNDS] [N] [BIN...]: the cost of
# ioasid-top's BPF programs and its overhead on a 4 KiB map/unmap loop, to
# compare builds in one boot (QEMU TCG: ratios only).
#
#   testbed/run -- tools/ioasid-top/tests/ioasid-top-progcost.sh build/k/<key> 5 20000 \
#       build/tools/ioasid-top-base/ioasid-top build/tools/ioasid-top/ioasid-top
#
# BINs default to build/tools/ioasid-top/ioasid-top; each is named by its
# position (b1, b2, ...).
# 1. Per program: kernel.bpf_stats_enabled=1, each BIN (-b -d 1) while
#    dmaprobe -s 4k -n N runs per backend; run_cnt and run_time_ns of the
#    programs it loaded (bpftool prog show), ns per run.
# 2. Overhead: ROUNDS rounds of dmaprobe -s 4k -n N per backend without
#    ioasid-top ("off") and with each BIN, the order rotating from round to
#    round, stats off.  Per configuration: the median over rounds of the
#    per-call minimum and of the mean (min-max), and the median of the
#    per-round ratios to "off" of the same round.
set -u
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
[ -n "${IOASID_GUEST:-}" ] || { echo "runs inside the testbed: testbed/run -- $0 BINDIR" >&2; exit 2; }
bin=${1:?usage: ioasid-top-progcost.sh BINDIR [ROUNDS] [N] [BIN...]}
rounds=${2:-5}
n=${3:-5000}
shift $(( $# < 3 ? $# : 3 ))
bins=("$@")
[ ${#bins[@]} -gt 0 ] || bins=("$top/build/tools/ioasid-top/ioasid-top")
out=${IOASID_OUT:-${TMPDIR:-/tmp}}/ioasid-top-progcost.jsonl
d=$(mktemp -d)
tpid=
trap '[ -n "$tpid" ] && kill "$tpid" 2>/dev/null; sysctl -q kernel.bpf_stats_enabled=0; rm -rf "$d"' EXIT
for i in "${!bins[@]}"; do
	[ -x "${bins[$i]}" ] || { echo "${bins[$i]}: not built" >&2; exit 1; }
	echo "# b$((i + 1)) = ${bins[$i]}"
done
echo "# $(uname -r), $(nproc) CPU(s), $rounds rounds, N=$n"

prog_ids() { bpftool -j prog show | python3 -c 'import json,sys; print(" ".join(str(p["id"]) for p in json.load(sys.stdin)))'; }

start_top() {
	"$1" -b -d 1 >/dev/null 2>"$d/err" &
	tpid=$!
	for _ in $(seq 300); do
		grep -q '^Tracing' "$d/err" && return 0
		kill -0 "$tpid" 2>/dev/null || break
		sleep 0.1
	done
	cat "$d/err" >&2
	return 1
}
stop_top() { kill -TERM "$tpid"; wait "$tpid"; tpid=; }

# ---- 1: per program ----
sysctl -q kernel.bpf_stats_enabled=1 || exit 1
for i in "${!bins[@]}"; do
	before=$(prog_ids)
	start_top "${bins[$i]}" || exit 1
	for b in iommufd type1; do
		"$bin/dmaprobe" -j -b $b -s 4k -n "$n" >"$d/probe.$b" || exit 1
	done
	bpftool -j prog show >"$d/progs.json"
	stop_top
	python3 - "b$((i + 1))" "$before" "$d/progs.json" "$n" <<'PY'
import json, sys
label, before, n = sys.argv[1], set(sys.argv[2].split()), int(sys.argv[4])
progs = [p for p in json.load(open(sys.argv[3])) if str(p["id"]) not in before]
tot_ns = 0
print("%s: %-16s %10s %12s %8s" % (label, "PROGRAM", "RUN_CNT", "RUN_TIME_NS", "NS/RUN"))
for p in sorted(progs, key=lambda p: -p.get("run_time_ns", 0)):
    cnt, ns = p.get("run_cnt", 0), p.get("run_time_ns", 0)
    if not cnt:
        continue
    tot_ns += ns
    print("%s: %-16s %10d %12d %8.0f" % (label, p["name"], cnt, ns, ns / cnt))
print("%s: all programs %.0f ns per map+unmap pair (2 backends x %d pairs + warm-up)"
      % (label, tot_ns / (2 * (n + 10)), n))
PY
done
sysctl -q kernel.bpf_stats_enabled=0

# ---- 2: overhead on the workload ----
cfgs=(off)
for i in "${!bins[@]}"; do cfgs+=("b$((i + 1))"); done
: >"$out"
for r in $(seq "$rounds"); do
	k=$(( r % ${#cfgs[@]} ))
	for cfg in "${cfgs[@]:$k}" "${cfgs[@]:0:$k}"; do
		if [ "$cfg" != off ]; then start_top "${bins[${cfg#b} - 1]}" || exit 1; fi
		for b in iommufd type1; do
			"$bin/dmaprobe" -j -b "$b" -s 4k -n "$n" -L "$r $cfg" >>"$out" || exit 1
		done
		if [ -n "$tpid" ]; then stop_top; fi
	done
done
python3 - "$out" "${cfgs[@]}" <<'PY'
import json, statistics as st, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip().startswith("{")]
cfgs = sys.argv[2:]
get = {(r["backend"], r["label"].split()[1], r["label"].split()[0]): r for r in rows}
rounds = sorted({r["label"].split()[0] for r in rows})
def cell(x):
    return "%.2f [%.2f-%.2f]" % (st.median(x), min(x), max(x))
print("%-8s %-5s %-6s %-22s %-22s %s" % ("BACKEND", "OP", "CFG", "MIN us med [range]",
                                          "MEAN us med [range]", "RATIO min / mean"))
for b in ("iommufd", "type1"):
    for op in ("map", "unmap"):
        for c in cfgs:
            mins = [get[(b, c, r)][op + "_min"] for r in rounds]
            means = [get[(b, c, r)][op + "_mean"] for r in rounds]
            ratio = ""
            if c != "off":
                rm = [get[(b, c, r)][op + "_min"] / get[(b, "off", r)][op + "_min"] for r in rounds]
                ra = [get[(b, c, r)][op + "_mean"] / get[(b, "off", r)][op + "_mean"] for r in rounds]
                ratio = "%.2f / %.2f" % (st.median(rm), st.median(ra))
            print("%-8s %-5s %-6s %-22s %-22s %s" % (b, op, c, cell(mins), cell(means), ratio))
print("(n=%d rounds of %d calls each)" % (len(rounds), rows[0]["n"]))
PY
