#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/testbed/report.sh: make report's tiny profile end to end, TAP.
# bench/report/run -q boots the testbed (bench/run -q: mapbench, vmstart,
# fio with its kernel reference, faultbench, invbench; bench/overhead, one
# boot of each kernel), writes a report, and the regression check is shown
# both ways on its real figures: against itself (no regression), against a
# copy with one figure made 3x worse (regression, exit 1, the case named),
# and against a baseline from another platform (refused unless forced).
# Needs the patched and stock kernels, `make guest bpf tools fio-engine`.

set -uo pipefail
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
n=0 failed=0
ok() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n $2"; else echo "not ok $n $2"; failed=$((failed + 1)); fi
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Bad input first: a baseline that does not exist.
"$TOP/bench/report/run" -q -B "$tmp/nowhere" -o "$tmp/res" >"$tmp/bad.out" 2>&1
rc=$?
[ "$rc" = 2 ] && grep -q "no baseline report at $tmp/nowhere" "$tmp/bad.out"
ok $? "a missing -B baseline: exit 2 and says so (exit $rc)"
[ ! -e "$tmp/res" ]
ok $? "  and writes no report"

start=$(date +%s)
"$TOP/bench/report/run" -q -k -o "$tmp/res" >"$tmp/run.out" 2>"$tmp/run.err"
rc=$?
ok $rc "bench/report/run -q: exit 0 ($(($(date +%s) - start))s, exit $rc)"
[ "$rc" = 0 ] || sed 's/^/# /' "$tmp/run.err" | tail -20
grep -q '\[1/3\] benchmarks in the testbed' "$tmp/run.err" &&
	grep -q '\[3/3\] report in' "$tmp/run.err"
ok $? "progress: numbered steps on stderr"

rep=$(ls -d "$tmp"/res/*-qemu-tcg-quick 2>/dev/null | head -1)
[ -n "$rep" ] && [ -d "$rep" ]
ok $? "report directory results/<date>-qemu-tcg-quick (${rep##*/})"
rep=${rep:-$tmp/res/none}

for f in summary.json report.md bench.log overhead.log; do
	[ -s "$rep/$f" ]
	ok $? "report has $f"
done
for f in mapbench faultbench invbench fio fio-kernel vmstart overhead; do
	[ -s "$rep/raw/$f.json" ]
	ok $? "raw/$f.json kept"
done

# summary.json: every bench present, every record complete, env filled.
python3 - "$rep/summary.json" >"$tmp/sum.out" 2>&1 <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
recs = d["records"]
benches = {r["bench"] for r in recs}
want = {"mapbench", "faultbench", "invbench", "fio", "vmstart", "overhead"}
print("benches:", " ".join(sorted(benches)))
bad = [r for r in recs if r.get("median") is None or not r.get("unit") or
       r.get("better") not in ("lower", "higher") or not r.get("n")]
print("records:", len(recs), "incomplete:", len(bad), bad[:2])
env = d["env"]
need = ("kernel", "series", "kernel_key", "qemu", "platform", "date")
miss = [k for k in need if not env.get(k)]
print("env missing:", miss, "platform:", env.get("platform"), "emulated:", env.get("emulated"))
be = {r["backend"] for r in recs if r["bench"] in ("mapbench", "vmstart", "fio")}
print("backends:", sorted(be))
sys.exit(0 if want <= benches and not bad and not miss and env.get("emulated") is True
         and {"iommufd", "type1", "kernel"} <= be else 1)
PY
ok $? "summary.json: all six benches, complete records, env, iommufd/type1/kernel rows"
sed 's/^/# /' "$tmp/sum.out"

for s in "## mapbench" "## faultbench" "## invbench" "## fio" "## VM start" "Emulated (QEMU TCG)"; do
	grep -qF "$s" "$rep/report.md"
	ok $? "report.md has '$s'"
done
grep -qi "overhead" "$rep/report.md"
ok $? "report.md has the overhead table"
np=0 badp=0
for p in "$rep"/plots/*.svg "$rep"/plots/*.png; do
	[ -e "$p" ] || continue
	np=$((np + 1))
	head -c 200 "$p" | grep -qE '<svg|<\?xml|PNG' || badp=$((badp + 1))
	grep -qF "plots/${p##*/}" "$rep/report.md" || badp=$((badp + 1))
done
[ "$np" -ge 4 ] && [ "$badp" = 0 ]
ok $? "plots: $np images, each an SVG/PNG linked from report.md ($badp bad)"

# The regression check, both ways, on these figures.
"$TOP/bench/report/promote" "$rep" --to "$tmp/base" >"$tmp/promote.out" 2>&1 &&
	[ -s "$tmp/base/summary.json" ] && [ -s "$tmp/base/promoted.json" ]
ok $? "promote: the report becomes a baseline"
"$TOP/bench/report/regress" "$rep" "$tmp/base" >"$tmp/same.out" 2>&1
rc=$?
[ "$rc" = 0 ] && grep -q "^verdict: no regression" "$tmp/same.out" && ! grep -q REGRESSION "$tmp/same.out"
ok $? "regress against itself: no regression (exit $rc)"

# A copy with the iommufd 4 KiB map median made worse, and with it the
# iommufd/type1 ratio (on an emulated platform only ratios gate), by the
# ratio's own threshold (regress's rule, from its N and CV) plus 50 %:
# a quick run's spread can be wide, and the change must clear it.
cp -r "$rep" "$tmp/worse"
python3 - "$tmp/worse/summary.json" >"$tmp/factor" <<'PY'
import json, math, sys
p = sys.argv[1]
d = json.load(open(p))
keys = (("mapbench", "io-4K-anon-t1", "iommufd", "map"),
        ("mapbench", "io-4K-anon-t1", "none", "ratio map"))
rs = {(r["bench"], r["case"], r["backend"], r["metric"]): r for r in d["records"]}
q = rs[keys[1]]
se = 1.2533 * (q.get("cv") or 0) / math.sqrt(q.get("n") or 1)
factor = 1 + max(0.05, 3 * math.sqrt(2) * se) + 0.5
for k in keys:
    rs[k]["median"] *= factor
json.dump(d, open(p, "w"))
print("%.2f" % factor)
PY
"$TOP/bench/report/regress" "$tmp/worse" "$tmp/base" >"$tmp/worse.out" 2>&1
rc=$?
[ "$rc" = 1 ] && grep "io-4K-anon-t1" "$tmp/worse.out" | grep -q 'ratio map .*REGRESSION$'
ok $? "iommufd 4K map slower by $(cat "$tmp/factor")x (threshold + 50 %): its ratio regresses, exit 1, the case named (exit $rc)"
grep -qE "^summary: (1 regressions,|[0-9]+ regressions \(1 failing the check\))" "$tmp/worse.out" &&
	[ "$(grep -v '^verdict' "$tmp/worse.out" | grep -c 'REGRESSION$')" = 1 ]
ok $? "  only that ratio fails the check (the absolute figure is information)"

# A baseline from another platform: refused, then compared with --force.
cp -r "$tmp/base" "$tmp/hw"
python3 - "$tmp/hw/summary.json" <<'PY'
import json, sys
p = sys.argv[1]
d = json.load(open(p))
d["env"]["platform"] = "hardware"
d["env"]["emulated"] = False
json.dump(d, open(p, "w"))
PY
"$TOP/bench/report/regress" "$rep" "$tmp/hw" >"$tmp/hw.out" 2>&1
rc=$?
[ "$rc" = 2 ] && grep -qi "platform" "$tmp/hw.out"
ok $? "a hardware baseline: refused, exit 2 (exit $rc)"
"$TOP/bench/report/regress" --force "$rep" "$tmp/hw" >/dev/null 2>&1
ok $? "  compared with --force"

# Nothing left behind by the run: no testbed QEMU, no scratch NVMe image.
! pgrep -f 'ioasid-nvme\.[^ ]*\.img' >/dev/null
ok $? "no testbed QEMU left running"

echo "1..$n"
[ "$failed" = 0 ]
