# SPDX-License-Identifier: GPL-2.0
# bench/report: mkreport (tables, summary.json, plots or why not, bad raw
# input), regress (verdicts, thresholds, bad input, platforms) and promote,
# on the fixed fixtures in bench/report/tests/fixtures/.
. "$(dirname "$0")/../tap.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
R=$top/bench/report
F=$R/tests/fixtures
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
# The interpreter itself (a pyenv shim would need PATH).
PY=$(python3 -c 'import sys; print(sys.executable)')

# The programs through that interpreter (pyenv's shim costs seconds a
# call); the --help test at the end runs them through their #! line.
mkreport() { "$PY" "$R/mkreport" "$@"; }
regress() { "$PY" "$R/regress" "$@"; }
promote() { "$PY" "$R/promote" "$@"; }

skip() {
	_n=$((_n + 1))
	echo "ok $_n # SKIP $*"
}
# What mkreport would otherwise probe on this host, fixed.
ENV=(--date 2026-11-20 --env commit=0123456789ab --env commit_dirty=false
	--env kernel_key=6.12.117-1_deb12u1-series-e18df871c23d
	--env kernel_debian=6.12.117-1~deb12u1 --env debian=12.11 --env "host_cpu=Test CPU" --env host_cores=2)
# rec DIR BENCH CASE BACKEND METRIC: one record of DIR/summary.json as
# "n median p99 cv min max" (cv to 4 places).
rec() {
	"$PY" - "$@" <<'EOF'
import json, sys
d, key = sys.argv[1], sys.argv[2:]
for r in json.load(open(d + "/summary.json"))["records"]:
    if [r["bench"], r["case"], r["backend"], r["metric"]] == key:
        f = lambda v: "null" if v is None else "%g" % v
        print(f(r["n"]), f(r["median"]), f(r["p99"]),
              "null" if r["cv"] is None else "%.4f" % r["cv"], f(r["min"]), f(r["max"]))
EOF
}
# jq-less: a Python expression over DIR/summary.json bound to s.
js() { "$PY" -c "import json,sys; s=json.load(open(sys.argv[1]+'/summary.json')); print($2)" "$1"; }

# ---- mkreport: the full set of raw documents, no gnuplot ----
o=$(cd "$d" && GNUPLOT=/nonexistent mkreport "$F/raw" r-noplot "${ENV[@]}" 2>&1)
is "$?" 0 "mkreport: all raw documents, exit 0"
is "$o" "mkreport: r-noplot: 111 records from 10 inputs, 2 missing; 0 plots (GNUPLOT=/nonexistent is not an executable program)" \
	"mkreport: one summary line"
diff -u "$F/expected/report-noplots.md" "$d/r-noplot/report.md" >"$d/diff" 2>&1
ok $? "report.md: environment, inputs and every table exactly as expected"
[ -s "$d/diff" ] && head -40 "$d/diff" | sed 's/^/#   /'
like "$(cat "$d/r-noplot/report.md")" "^Plots missing: GNUPLOT=/nonexistent is not an executable program\. The tables above are complete\.$" \
	"report.md says why the plots are missing"
like "$(sed -n 4p "$d/r-noplot/report.md")" "^> \*\*Emulated \(QEMU TCG\): compare backends as ratios within this run; do not quote as hardware figures\*\*$" \
	"emulated banner right under the title"
[ ! -e "$d/r-noplot/plots" ]
ok $? "no plots directory without gnuplot"
# Every file compared (a `break` out of the loop would return 0).
bad=
for f in mapbench faultbench invbench fio fio-kernel vmstart overhead; do
	cmp -s "$F/raw/$f.json" "$d/r-noplot/raw/$f.json" || bad="$bad $f.json"
done
[ -z "$bad" ]
ok $? "raw/ holds exact copies of the seven raw documents${bad:+ (differ:$bad)}"

# summary.json: the schema and hand-checked records.
is "$(js "$d/r-noplot" 'len(s["records"]), s["version"], s["env"]["platform"], s["env"]["emulated"], s["env"]["date"]')" \
	"111 2 qemu-tcg True 2026-11-20" "summary.json: 111 records, version 2, platform, emulated, date"
is "$(js "$d/r-noplot" 'sorted({tuple(sorted(r)) == tuple(sorted(["bench","case","backend","metric","unit","better","n","median","p99","cv","min","max"] + (["interleaved"] if r["backend"] == "none" else []))) and r["backend"] in ("iommufd","type1","kernel","none") and r["better"] in ("lower","higher") and r.get("interleaved") in (None, False) for r in s["records"] if not r.get("interleaved")})')" \
	"[True]" "summary.json: every record but the interleaved ones has exactly the 12 keys (ratios: interleaved false), a known backend and direction"
# filemapbench: a record per source and operation, and the interleaved
# ratio of its blocks: map_file 110 120 100 130 115 against anonymous 100
# each, the geometric mean of 1.1 1.2 1.0 1.3 1.15.
is "$(rec "$d/r-noplot" filemapbench size-4M iommufd "map map_file")" "15 115 null 0.1000 100 130" \
	"filemapbench: the file map's record"
is "$(js "$d/r-noplot" '[(r["k"], round(r["median"], 4), r["verdict"]) for r in s["records"] if r["bench"] == "filemapbench" and r.get("interleaved")]')" \
	"[(5, 1.1456, 'b faster'), (5, 1.0, 'no difference')]" \
	"filemapbench: the interleaved ratios (map: 1.1456, the geometric mean; unmap: equal blocks)"
is "$(js "$d/r-noplot" '[u["file"] for u in s["inputs"]["used"]], [m["file"] for m in s["inputs"]["missing"]], s["inputs"]["invalid"]')" \
	"['mapbench.json', 'faultbench.json', 'invbench.json', 'dirtybench.json', 'dirtybench-type1.json', 'filemapbench.json', 'fio.json', 'fio-kernel.json', 'vmstart.json', 'overhead.json'] ['mapbench-icount.json', 'fio-icount.json'] []" \
	"summary.json: inputs used, only the icount documents missing, none invalid"
# The polled io_uring reference has its records; a static pass's map
# latency (the setup's maps) has none.
is "$(rec "$d/r-noplot" fio randread-qd32-j1-io_uring-hipri kernel iops)" "3 6400 null 0.0240 6200 6500" \
	"fio: the polled (hipri) kernel reference's IOPS"
is "$(js "$d/r-noplot" 'sorted(r["metric"] for r in s["records"] if r["case"] == "randread-qd32-j1-static" and r["backend"] == "iommufd" and r["metric"].endswith("_mean"))')" \
	"[]" "fio: no map/unmap latency record from a static pass (setup maps)"
# faultbench: throughput per round (N and spread); a document without
# rounds (an older faultbench) gives the one figure and says so.
is "$(rec "$d/r-noplot" dirtybench span-16M-dirty-100 type1 read)" "5 512 null 0.0783 500 600" \
	"dirtybench: a type1 read's record (median of 500 505 512 520 600)"
is "$(rec "$d/r-noplot" dirtybench span-1M-dirty-0 iommufd read)" "5 205 null 0.3701 190 400" \
	"dirtybench: an iommufd read's record, its own case"
is "$(rec "$d/r-noplot" faultbench outstanding-1 iommufd throughput)" "5 21000 null 0.1700 15000 24000" \
	"faultbench: throughput over its 5 rounds"
mkdir "$d/raw-fb" && "$PY" -c 'import json, sys
d = json.load(open(sys.argv[1]))
for c in d["cases"]:
    del c["throughput_rounds"]
json.dump(d, open(sys.argv[2], "w"))' "$F/raw/faultbench.json" "$d/raw-fb/faultbench.json"
(cd "$d" && mkreport "$d/raw-fb" r-fb --no-plots "${ENV[@]}" >/dev/null 2>&1)
is "$(rec "$d/r-fb" faultbench outstanding-1 iommufd throughput)" "1 20000 null null null null" \
	"faultbench without rounds: the one figure"
like "$(cat "$d/r-fb/report.md")" "^faults/s: all measured faults over the case.s time: one figure per case \(this faultbench wrote no per-round throughput\), so no N and no spread\.$" \
	"faultbench without rounds: says so"
# fio type1 perio: runs 10000, 11000, 12000 and one failed run (error 5)
# left out: median 11000, no p99 (N < 100), cv = 1000 / 11000.
is "$(rec "$d/r-noplot" fio randread-qd32-j1-perio type1 iops)" "3 11000 null 0.0909 10000 12000" \
	"fio record: statistics over the runs, the failed run left out"
is "$(js "$d/r-noplot" '[(r["unit"], r["better"]) for r in s["records"] if r["case"] == "randread-qd32-j1-perio" and r["backend"] == "type1" and r["metric"] == "iops"]')" \
	"[('IOPS', 'higher')]" "fio IOPS: higher is better"
# mapbench io-4K-anon-t1 map: iommufd median 7000 / type1 5200; cv of the
# ratio = hypot(0.1599, 0.1513).
is "$(rec "$d/r-noplot" mapbench io-4K-anon-t1 none "ratio map")" "5 1.34615 null 0.2201 null null" \
	"mapbench ratio record: iommufd/type1 medians, combined CV"
is "$(rec "$d/r-noplot" mapbench vm-8M-anon-t1 type1 unmap)" "2 340000 null 0.0416 330000 350000" \
	"mapbench record: copied from mapbench's statistics, no p99 below N = 100"
is "$(rec "$d/r-noplot" vmstart 512M-anon iommufd iotlb_syncs)" "3 2 null null null null" \
	"vmstart count: n of the case, no spread"
is "$(rec "$d/r-noplot" overhead 4K-on iommufd map_mean)" "5 11.5 null 0.0400 11 12.2" \
	"overhead record: median of round means over the rounds"

# ---- the same with gnuplot: the plots ----
if command -v gnuplot >/dev/null; then
	o=$(cd "$d" && mkreport "$F/raw" r-plot "${ENV[@]}" 2>&1)
	is "$?" 0 "mkreport with gnuplot: exit 0"
	like "$o" "; 4 plots$" "four plots made"
	n=0
	for p in mapbench-io-4K-anon-t1 fio-iops fio-iotlb-syncs vmstart-breakdown; do
		f=$d/r-plot/plots/$p.svg
		[ -s "$f" ] && head -c 200 "$f" | grep -q '^<?xml' && grep -q '<svg' "$f" && n=$((n + 1))
	done
	is "$n" 4 "each plot is a non-empty SVG document"
	like "$(cat "$d/r-plot/report.md")" '^!\[fio IOPS per backend and map mode\]\(plots/fio-iops\.svg\)$' \
		"report.md links the plots"
	like "$(cat "$d/r-plot/report.md")" '^4 of 4 plots made with gnuplot:$' "report.md counts them"
	diff <(grep -v -e '^!\[' -e '^$' "$d/r-plot/report.md" | sed '/^## Plots/,$d') \
		<(grep -v '^$' "$d/r-noplot/report.md" | sed '/^## Plots/,$d') >/dev/null
	ok $? "the tables are the same with and without plots"
	is "$(js "$d/r-plot" 's["plots"]["made"]')" \
		"['plots/mapbench-io-4K-anon-t1.svg', 'plots/fio-iops.svg', 'plots/fio-iotlb-syncs.svg', 'plots/vmstart-breakdown.svg']" \
		"summary.json lists the plots"
else
	for i in 1 2 3 4 5 6 7; do skip "gnuplot not installed (make deps)"; done
fi

# gnuplot not in PATH (python3 and nothing else there).
mkdir "$d/bin" && ln -s "$PY" "$d/bin/python3"
o=$(cd "$d" && env -u GNUPLOT PATH="$d/bin" "$PY" "$R/mkreport" "$F/raw" r-nopath "${ENV[@]}" 2>&1)
is "$?" 0 "PATH without gnuplot: exit 0"
like "$(cat "$d/r-nopath/report.md")" "^Plots missing: gnuplot is not installed or not in PATH \(package gnuplot-nox: make deps\)\. The tables above are complete\.$" \
	"PATH without gnuplot: says why"
is "$(grep -c '^| ' "$d/r-nopath/report.md")" "$(grep -c '^| ' "$F/expected/report-noplots.md")" \
	"PATH without gnuplot: every table row is there"
# A gnuplot that fails.
printf '#!/bin/sh\necho "gnuplot: broken on purpose" >&2\nexit 3\n' >"$d/bin/badplot"
chmod +x "$d/bin/badplot"
(cd "$d" && GNUPLOT=$d/bin/badplot mkreport "$F/raw" r-bad "${ENV[@]}" >/dev/null 2>&1)
is "$?" 0 "failing gnuplot: exit 0"
like "$(cat "$d/r-bad/report.md")" "^Plots missing: .*badplot failed \(exit 3\): gnuplot: broken on purpose\. The tables above are complete\.$" \
	"failing gnuplot: its message in the report"

# ---- mkreport: inputs missing, invalid, none ----
mkdir "$d/raw1" && cp "$F/raw/mapbench.json" "$d/raw1/"
echo '{}' >"$d/raw1/other.json"
o=$(cd "$d" && mkreport "$d/raw1" r-one --no-plots --why "fio.json=fio engine not built" "${ENV[@]}" 2>&1)
is "$?" 0 "only mapbench.json: exit 0"
md=$(cat "$d/r-one/report.md")
like "$md" "^- missing: vmstart\.json: not in RAW_DIR$" "missing input listed"
like "$md" "^- missing: fio\.json: fio engine not built$" "--why gives the reason"
like "$md" "^- ignored: other\.json \(not a known raw document\)$" "unknown JSON listed as ignored"
like "$md" "^Plots missing: plots disabled \(--no-plots\)\." "--no-plots said"
is "$(js "$d/r-one" 'len(s["inputs"]["missing"]), len(s["records"]), sorted({r["bench"] for r in s["records"]})')" \
	"11 18 ['mapbench']" "summary.json: 11 missing, mapbench's 18 records"

mkdir "$d/raw2" && cp "$F/raw/"*.json "$d/raw2/"
printf '{"tool": "mapbench", "cases": [\n  {"id": "io-4K-anon-t1",,\n' >"$d/raw2/mapbench.json"
o=$(cd "$d" && mkreport "$d/raw2" r-corrupt --no-plots "${ENV[@]}" 2>&1)
is "$?" 1 "corrupt mapbench.json: exit 1, report still written"
like "$o" "^mkreport: $d/raw2/mapbench\.json:2:26: corrupt mapbench\.json: Expecting property name" \
	"corrupt input: file, line and column on stderr"
like "$(cat "$d/r-corrupt/report.md")" "^- \*\*invalid\*\*: mapbench\.json: .*mapbench\.json:2:26: corrupt" \
	"corrupt input named in report.md"
is "$(js "$d/r-corrupt" 'len(s["records"]), sorted({r["bench"] for r in s["records"]})')" \
	"93 ['dirtybench', 'faultbench', 'filemapbench', 'fio', 'invbench', 'overhead', 'vmstart']" "the other inputs are reported"
echo '{"tool": "mapbench", "env": {}, "cases": [{"id": "x", "results": {"iommufd": {}}}]}' \
	>"$d/raw2/mapbench.json"
o=$(cd "$d" && mkreport "$d/raw2" r-corrupt --no-plots "${ENV[@]}" 2>&1)
is "$?" 1 "mapbench.json of the wrong shape: exit 1"
like "$o" "mapbench\.json: cases\[0\]\.results\.iommufd: no \"map\"" "wrong shape: says where"

mkdir "$d/empty"
o=$(mkreport "$d/empty" "$d/r-empty" 2>&1)
is "$?" 2 "no raw document: exit 2"
like "$o" "none of the raw documents is there" "no raw document: says so"
[ ! -e "$d/r-empty" ]
ok $? "no raw document: nothing written"
o=$(mkreport "$d/nonexistent" "$d/r-x" 2>&1)
is "$?" 2 "RAW_DIR missing: exit 2"
mkdir "$d/notreport" && touch "$d/notreport/precious"
o=$(mkreport "$F/raw" "$d/notreport" --no-plots 2>&1)
is "$?" 2 "OUT_DIR with other files: refused"
like "$o" "exists and is not a report directory" "OUT_DIR refusal says why"
o=$(mkreport "$F/raw" "$d/r-x" --date 2026-13-01 2>&1)
is "$?" 2 "bad --date: exit 2"

# Hardware platform: no banner; --platform sets the label.
mkdir "$d/raw3" && sed 's/"platform": *"QEMU TCG"/"platform": "hardware"/' "$F/raw/mapbench.json" >"$d/raw3/mapbench.json"
(cd "$d" && mkreport "$d/raw3" r-hw --no-plots --platform xeon-lab "${ENV[@]}" >/dev/null 2>&1)
is "$(sed -n 2p "$d/r-hw/report.md")" "# ioasid-trace report 2026-11-20, xeon-lab" "--platform labels the report"
grep -q Emulated "$d/r-hw/report.md"
is "$?" 1 "hardware: no emulation banner"
is "$(js "$d/r-hw" 's["env"]["platform"], s["env"]["emulated"]')" "xeon-lab False" "hardware: emulated false"

# ---- mkreport: interleaved comparisons (raw-abba: the raw documents with
# a "comparisons" list in mapbench.json and fio.json) ----
o=$(cd "$d" && mkreport "$F/raw-abba" r-abba --no-plots "${ENV[@]}" 2>&1)
is "$?" 0 "comparisons: exit 0"
# Every summary figure as lib/abba.py gives it from the blocks (the program
# on stdin, so the check does not share mkreport's code path).
bad=$("$PY" - "$F/raw-abba" "$d/r-abba" "$top/lib/abba.py" <<'PYEOF'
import json, math, subprocess, sys
raw, rep, abba = sys.argv[1:]
recs = {(r["bench"], r["case"], r["metric"]): r
        for r in json.load(open(rep + "/summary.json"))["records"] if r.get("interleaved")}
n = 0
for bench in ("mapbench", "fio"):
    for c in json.load(open(f"{raw}/{bench}.json"))["comparisons"]:
        inp = {"a": [b["a"] for b in c["blocks"]], "b": [b["b"] for b in c["blocks"]],
               "better": c["better"], "seed": c["seed"]}
        s = json.loads(subprocess.run([sys.executable, abba], input=json.dumps(inp),
                                      capture_output=True, text=True).stdout)
        r = recs[(bench, c["case"], "ratio " + c["metric"])]
        logs = [math.log(b["a"] / b["b"]) for b in c["blocks"]]
        if (r["median"], [r["ci_lo"], r["ci_hi"]], r["k"], r["sd_log"], r["k_for_20pct"],
                r["verdict"]) != (s["ratio"], s["ci95"], s["k"], s["sd_log"],
                                  s["k_for_20pct"], s["verdict"]) or \
                any(abs(x - y) > 1e-12 for x, y in zip(r["block_log_ratios"], logs)):
            print(bench, c["case"], c["metric"])
        n += 1
print("checked", n)
PYEOF
)
is "$bad" "checked 4" "comparisons: ratio, CI, k, sd, k_for_20pct, verdict, log ratios as lib/abba.py gives them"
is "$(js "$d/r-abba" '[(r["case"], r["metric"], r["interleaved"]) for r in s["records"] if r["bench"] == "mapbench" and r["backend"] == "none"]')" \
	"[('io-4K-anon-t1', 'ratio map+unmap', False), ('vm-8M-anon-t1', 'ratio unmap', False), ('vm-8M-anon-t1', 'ratio map+unmap', False), ('io-4K-anon-t1', 'ratio map', True), ('io-4K-anon-t1', 'ratio unmap', True), ('vm-8M-anon-t1', 'ratio map', True)]" \
	"comparisons replace the ratios of medians of their figures; the others stay, not interleaved"
# io-4K map: pair ratios 1.30 1.40 1.38 1.32 1.36 1.34, geometric mean 1.3496.
like "$(cat "$d/r-abba/report.md")" '^\| io-4K-anon-t1 \| map \| 6 \| 1\.35 \[1\.31, 1\.39\] \| type1 faster \| 0\.0277 \| 5 \|$' \
	"report.md: ratio [CI] and verdict"
like "$(cat "$d/r-abba/report.md")" '^K = 6 pairs; for this run.s CI to tell a 20% difference from none with 80% power a row needs 33 pairs \(max over rows; .*\); too few pairs in: io-4K-anon-t1 unmap \(K 6 < 33\)\.$' \
	"report.md: the pairs a 20% change needs, the rows short of them named"
like "$(cat "$d/r-abba/report.md")" '^ratio: of the medians, \*\*not interleaved\*\*' "old-format document: its ratios marked not interleaved"
# Two-stage K (mapbench -K): io-4K planned 4 pairs, cap 6, ran 6: map
# needs 5, unmap stopped at the cap, short of the 33 its spread asks.
mkdir "$d/raw2s" && cp "$F/raw-abba/"*.json "$d/raw2s/"
"$PY" - "$d/raw2s/mapbench.json" <<'PYEOF'
import json, sys
d = json.load(open(sys.argv[1]))
for c in d["comparisons"]:
    if c["case"] == "io-4K-anon-t1":
        c["k_planned"], c["k_max"] = 4, 6
json.dump(d, open(sys.argv[1], "w"))
PYEOF
(cd "$d" && mkreport "$d/raw2s" r-2s --no-plots "${ENV[@]}" >/dev/null 2>&1)
like "$(cat "$d/r-2s/report.md")" '^two-stage K: after the pairs planned, as many as their spread said a 20% change needs, at most a cap \(io: 4 planned, cap 6\); K = 6 pairs; .*too few pairs in: io-4K-anon-t1 unmap \(K 6 < 33, the cap\)\.$' \
	"report.md: two-stage K said, a row stopped at its cap named"
# A document stating a ratio its blocks do not give.
mkdir "$d/raw5" && cp "$F/raw-abba/"*.json "$d/raw5/"
sed -i '0,/"ratio": 1.3496/s//"ratio": 1.42/' "$d/raw5/mapbench.json"
o=$(cd "$d" && mkreport "$d/raw5" r-dis --no-plots "${ENV[@]}" 2>&1)
is "$?" 1 "stated ratio disagreeing with the blocks: exit 1, report written"
like "$o" "comparisons\[0\] io-4K-anon-t1 map: states ratio 1\.42 \(blocks give 1\.35\)" "disagreement on stderr"
like "$(cat "$d/r-dis/report.md")" '^- \*\*disagrees with its blocks\*\*: .*states ratio 1\.42 .*; the report uses the blocks$' \
	"disagreement named in report.md"
is "$(js "$d/r-dis" '"%.4f" % [r["median"] for r in s["records"] if r.get("interleaved")][0]')" "1.3496" \
	"the record is the blocks' ratio"
# Environment from env.json (what bench/report/run records).
printf '{"host_load_start": "0.50 0.40 0.30", "host_load_end": "1.50 0.90 0.40", "tcg_thread": "multi", "allow_dirty": true, "commit_dirty": true, "inject_slowdown_pct": 20, "seed": 4711}\n' >"$d/raw5/env.json"
(cd "$d" && mkreport "$d/raw5" r-env --no-plots "${ENV[@]}" >/dev/null 2>&1)
md=$(cat "$d/r-env/report.md")
like "$md" '^\| host load \(1/5/15 min\) \| start 0\.50 0\.40 0\.30, end 1\.50 0\.90 0\.40 \|$' "env: host load at start and end"
like "$md" '^\| TCG thread mode \| multi \|$' "env: TCG thread mode"
like "$md" '^\| host cores \| 2 \|$' "env: host cores"
like "$md" '^\| ABBA order seed \| 4711 \(bench/report/run -S replays the order\) \|$' "env: the run's ABBA seed"
like "$md" '^\| \*\*injected slowdown\*\* \| \*\*iommufd calls made 20% slower' "env: an injected slowdown is said"
# The TCG mode of each boot, from the qemu.cmd files testbed/run leaves
# under the raw directory (env.json no longer says it).
mkdir -p "$d/raw-qemu/bench/vtd" "$d/raw-qemu/bench/mock" "$d/raw-qemu/overhead/boot1"
cp "$F/raw-abba/"*.json "$d/raw-qemu/"
printf '%q ' qemu -accel tcg,thread=multi -m 2G >"$d/raw-qemu/bench/vtd/qemu.cmd"
printf '%q ' qemu -accel tcg,thread=multi -m 2G >"$d/raw-qemu/bench/mock/qemu.cmd"
printf '%q ' qemu -accel tcg,thread=single -icount shift=0,sleep=off >"$d/raw-qemu/overhead/boot1/qemu.cmd"
(cd "$d" && mkreport "$d/raw-qemu" r-qemu --no-plots "${ENV[@]}" >/dev/null 2>&1)
like "$(cat "$d/r-qemu/report.md")" '^\| TCG thread mode \| multi \(2 boots\); single, icount shift=0,sleep=off \(1 boot\) \|$' \
	"env: every boot's TCG mode and -icount, from its qemu.cmd"

# ---- mkreport: instruction counts (raw-icount: bench/run's icount suite,
# mapbench-icount.json and fio-icount.json, beside raw-abba's mapbench.json) ----
(cd "$d" && mkreport "$F/raw-icount" r-ic --no-plots "${ENV[@]}" >/dev/null 2>&1)
is "$?" 0 "icount: exit 0"
md=$(cat "$d/r-ic/report.md")
like "$md" '^## CPU path in guest instructions \(QEMU -icount\)$' "icount: its section"
like "$md" '^\| mapbench \| io-4K-anon-t1 \| map \| 6682 \| 4144 \| 1\.60 \[1\.60, 1\.61\] \| type1 faster \| 1\.35 \[1\.31, 1\.39\] \(map\) \|$' \
	"icount: instructions per backend, their ratio, the wall-time ratio of the same case beside"
like "$md" '^\| fio \| randread-qd32-j1-perio \| insns_per_io \| 15499 \| 10505 \| 1\.48 \[1\.41, 1\.55\] \| too few blocks \| - \|$' \
	"icount: fio's instructions per I/O (no wall-time fio document: -)"
is "$(js "$d/r-ic" 'sorted({(r["bench"], r["unit"]) for r in s["records"] if r["backend"] != "none"})')" \
	"[('fio-icount', 'insns'), ('mapbench', 'ns'), ('mapbench-icount', 'insns'), ('overhead', 'insns')]" \
	"icount: own bench names and unit insns, apart from the wall-time figures"
# bench/overhead -I's document (the 7.3.4 run of 2026-12-06, 4 KiB and mock
# rows): a row per configuration, what it adds per operation, the goals.
like "$md" '^\| configuration \| iommufd 4K map\+unmap \| type1 4K map\+unmap \| mock fault \| mock invalidate \|$' \
	"icount overhead: a column per 4 KiB round trip and mock operation"
like "$md" '^\| stock kernel \| 12246 \| 6999 \| 6546 \| 831 \|$' \
	"icount overhead: the stock kernel's instructions per call"
like "$md" '^\| series, events off \| \+63 \(\+0\.5%\) \| \+61 \(\+0\.9%\) \| \+10 \(\+0\.2%\) \| \+2 \(\+0\.2%\) \|$' \
	"icount overhead: events off against the stock kernel"
like "$md" '^\| all events on \(trace buffer\) \| \+6017 \(\+48\.9%\) \| \+5943 \(\+84\.2%\) \| \+3645 \(\+55\.6%\) \(rounds 23 apart\) \| \+1183 \(\+142\.0%\) \|$' \
	"icount overhead: against events off, with the rounds' spread where they differ"
like "$md" '^- series off vs stock <= 0\.1%: \*\*fails\*\* \(0 of 8 hold\); iommufd 4K map \+43 \(\+0\.6%\);' \
	"icount overhead: the goals' verdicts, with what fails"
like "$md" '^- a tool not interested in an operation adds 0: \*\*fails\*\* \(9 of 15 hold\); attachsnoop on iommufd 4K map \+331;' \
	"icount overhead: the idle goal"
! grep -q "disagree about the platform" "$d/r-ic/report.md"
ok $? "icount overhead: the same platform as the other inputs (no disagreement noted)"
is "$(js "$d/r-ic" '[(r["median"], r["n"], r["max"]) for r in s["records"] if r["bench"] == "overhead" and r["case"] == "4K-maplat" and r["backend"] == "iommufd" and r["metric"] == "map+unmap_insns"]')" \
	"[(13686.0, 2, 13686.0)]" "icount overhead: a record per configuration and operation"
mkdir "$d/raw6" && cp "$F/raw-icount/fio-icount.json" "$d/raw6/"
sed -i 's/"clock": "icount"/"clock": "wall"/' "$d/raw6/fio-icount.json"
o=$(cd "$d" && mkreport "$d/raw6" r-ic2 --no-plots "${ENV[@]}" 2>&1)
is "$?" 1 "icount: a wall-clock run named fio-icount.json is invalid (exit 1)"
like "$o" 'not an instruction-count run \(clock is .wall.' "icount: says why"

# ---- regress: old-format summaries (no blocks): information only ----
G=$F/regress
cd "$F" || exit 1
o=$(regress regress/within regress/base 2>&1); rc=$?
is "$rc" 2 "one baseline run: refused, exit 2"
is "$o" "regress: the baseline has 1 run; the gate needs at least 3 to estimate the between-run spread (bench/report/promote adds runs to it); --allow-small-baseline compares anyway" \
	"small baseline: says why and how"
S=--allow-small-baseline
o=$(regress regress/within regress/base $S); rc=$?
is "$rc" 0 "regress: within-noise changes, exit 0"
is "$o" "$(cat expected/regress-within.txt)" "regress: within-noise table, new and gone exactly"
o=$(regress regress/worse regress/base $S); rc=$?
is "$rc" 0 "regress: regressions of records without blocks cannot fail the check"
is "$o" "$(cat expected/regress-worse.txt)" "regress: the old rule's regressions shown as information"
o=$(regress regress/better regress/base $S); rc=$?
is "$rc" 0 "regress: improvements, exit 0"
is "$o" "$(cat expected/regress-better.txt)" "regress: improvements flagged exactly"
# The old rule still follows the fixture: the ratio 1.30 -> 2.00 (+53.8%) is
# beyond its 47.6% threshold, 1.30 -> 1.90 (+46.2%) is not.
mkdir -p "$d/w1" "$d/w2"
sed '0,/"median": 1.4,/s//"median": 2.0,/' regress/within/summary.json >"$d/w1/summary.json"
sed '0,/"median": 1.4,/s//"median": 1.9,/' regress/within/summary.json >"$d/w2/summary.json"
like "$(regress "$d/w1" regress/base $S)" "^mapbench io-4K-anon-t1 +none +ratio map +1\.3 +2 \+53\.8% thr 47\.6% regression \(info\)$" \
	"old rule: beyond the threshold, information"
like "$(regress "$d/w2" regress/base $S)" "^mapbench io-4K-anon-t1 +none +ratio map +1\.3 +1\.9 \+46\.2% thr 47\.6% within noise \(info\)$" \
	"old rule: just under the threshold"
like "$(regress regress/within regress/base $S --threshold-k 1 --floor 1)" "^vmstart +512M-anon +type1 +map +100ms 104ms +\+4\.0% thr 3\.2% +regression \(info\)$" \
	"--threshold-k scales the spread term"
like "$(regress regress/worse regress/base $S --floor 12)" "iotlb_syncs_per_io +1 +1\.1 \+10\.0% thr 12\.0% within noise \(info\)$" \
	"--floor raises the floor for figures without spread"
o=$(regress regress/worse regress/base $S --json); rc=$?
is "$("$PY" -c 'import json,sys; d=json.load(sys.stdin); print(d["summary"]["regression"], d["summary"]["gating regression"], [v["gating"] for v in d["verdicts"]], d["gate"]["alpha"], d["gate"]["min_effect"], d["exit"])' <<<"$o")" \
	"4 0 [False, False, False, False, False, False] 0.05 0.1 0" "--json: the verdicts and the gate's parameters"

o=$(regress regress/corrupt regress/base 2>&1); rc=$?
is "$rc" 2 "corrupt summary.json: exit 2"
is "$o" "regress: report: regress/corrupt/summary.json:29:1: corrupt summary.json: Expecting property name enclosed in double quotes" \
	"corrupt summary.json: names the file, line and column"
o=$(regress regress/within "$d/nonexistent" 2>&1); rc=$?
is "$rc" 2 "no baseline directory: exit 2"
like "$o" "^regress: baseline: .*/nonexistent: no such directory$" "no baseline directory: says so"
o=$(regress regress/within "$d/empty" 2>&1); rc=$?
is "$rc" 2 "baseline without summary.json: exit 2"
like "$o" "no summary\.json in" "baseline without summary.json: says so"
o=$(regress regress/within regress/hardware $S 2>&1); rc=$?
is "$rc" 2 "baseline from hardware vs an emulated report: refused, exit 2"
is "$o" "regress: refusing to compare: the baseline's platform 'hardware' (hardware) is not the report's 'qemu-tcg' (emulated) (regress/hardware); --force compares anyway" \
	"cross-platform refusal says why and how"
o=$(regress regress/within regress/hardware $S --force 2>&1); rc=$?
is "$rc" 0 "--force: compared, exit 0"
like "$o" "^note: forced: the baseline's platform 'hardware' \(hardware\) is not the report's 'qemu-tcg' \(emulated\)" \
	"--force: the mismatch is noted"
o=$(regress regress/within 2>&1); rc=$?
is "$rc" 2 "regress with one directory: usage error"
o=$(regress regress/within regress/base --threshold-k 0 2>&1); rc=$?
is "$rc" 2 "--threshold-k 0: usage error"
o=$(regress regress/within regress/base --alpha 2 2>&1); rc=$?
is "$rc" 2 "--alpha 2: usage error"

# ---- the gate on synthetic interleaved runs (tests/synth.py, seeded) ----
cd "$d" || exit 1
syn() { "$PY" "$R/tests/synth.py" syn "$@"; }
syn aa --runs 5 --seed 1
syn inj --runs 1 --seed 7 --shift 20
syn noisy --runs 1 --seed 9 --shift 20 --within 0.4 --k 4
syn drift --runs 5 --seed 3 --between 0.15
o=$(regress syn/aa-5 syn/aa-1 syn/aa-2 syn/aa-3 syn/aa-4); rc=$?
is "$rc" 0 "A/A: a run of the same tree against 4 others: no regression"
like "$o" "^summary: 7 gated comparisons: 0 regressions;" "A/A: all 7 comparisons gated"
o=$(regress syn/inj-1 syn/aa-1 syn/aa-2 syn/aa-3 syn/aa-4 syn/aa-5); rc=$?
is "$rc" 1 "iommufd 20% slower: REGRESSION"
is "$(grep -c 'p=.* REGRESSION$' <<<"$o")" 5 "5 of the 6 mapbench comparisons caught (Holm over the 7 gated rows; the other: p 0.027)"
like "$o" "^fio +randread-qd32-j1-perio +none +ratio iops .* within noise$" "the untouched fio comparison is not"
o=$(regress syn/noisy-1 syn/aa-1 syn/aa-2 syn/aa-3 syn/aa-4 syn/aa-5); rc=$?
is "$rc" 0 "the same 20% in 4 very noisy pairs: not significant, exit 0"
o=$(regress syn/inj-1 syn/aa-1 syn/aa-2 2>&1); rc=$?
is "$rc" 2 "two baseline runs: refused"
o=$(regress syn/inj-1 syn/aa-1 syn/aa-2 --allow-small-baseline 2>&1); rc=$?
is "$rc" 1 "--allow-small-baseline: compared (and caught)"
like "$o" "^note: small baseline: the baseline has 2 runs" "--allow-small-baseline: noted"
# A row that only one of the baseline runs has (a suite added lately):
# its blocks give no between-run spread, so it informs and cannot fail.
for i in 2 3 4; do
	mkdir -p syn/few-$i
	"$PY" -c 'import json, sys
d = json.load(open(sys.argv[1]))
d["records"] = [r for r in d["records"] if r["bench"] != "mapbench"]
json.dump(d, open(sys.argv[2], "w"))' syn/aa-$i/summary.json syn/few-$i/summary.json
done
o=$(regress syn/inj-1 syn/aa-1 syn/few-2 syn/few-3 syn/few-4); rc=$?
is "$rc" 0 "rows that 1 of 4 baseline runs has: information, exit 0"
is "$(grep -c 'p=.* regression (info)$' <<<"$o")" 6 "... the 20% still shown, as information (no Holm step: all 6)"
like "$o" "^note: 6 interleaved comparisons have fewer than 3 baseline runs with blocks" "... and the note says why"
like "$o" "^summary: 1 gated comparisons: 0 regressions;" "... the row all runs have is gated"
# Runs that move as a whole (between-run sd 15%, within 5%): Welch's t alone
# would flag them; the between-run term keeps them within noise.
o=$(regress syn/drift-5 syn/drift-1 syn/drift-2 syn/drift-3 syn/drift-4); rc=$?
is "$rc" 0 "runs drifting as a whole: no false alarm (between-run variance)"
is "$("$PY" -c '
import json, sys
sys.path.insert(0, sys.argv[1])
import gate
runs = [[r for r in json.load(open(f"syn/drift-{i}/summary.json"))["records"]] for i in range(1, 6)]
flag = 0
for j in range(len(runs[0])):
    new, base = runs[4][j]["block_log_ratios"], [x for i in range(4) for x in runs[i][j]["block_log_ratios"]]
    t = gate.test(new, [base], "lower")     # one pooled run: no between-run term
    flag += t["verdict"] in ("regression", "improved")
print(flag > 0)' "$R")" True "... where Welch's t on pooled blocks alone would have flagged a row"
# The t distribution: known quantiles.
is "$("$PY" -c 'import sys; sys.path.insert(0, sys.argv[1]); import gate; print(" ".join("%.4f" % gate.t_two_sided(t, df) for t, df in ((2.228, 10), (12.706, 1), (9.925, 2), (1.96, 1e6))))' "$R")" \
	"0.0500 0.0500 0.0100 0.0500" "t CDF (incomplete beta): two-sided p at tabulated quantiles"

# Holm's step-down on known p: 4 gated rows at alpha 0.05 (adjusted p
# 4*0.001, 3*0.02 -> 0.06, ...): the first stays, the others, the improved
# row included, fall back to within noise; rows without p or not gated are
# left alone.
is "$("$PY" - "$R/regress" <<'PYEOF'
import importlib.machinery, importlib.util, sys
loader = importlib.machinery.SourceFileLoader("regress", sys.argv[1])
spec = importlib.util.spec_from_loader("regress", loader)
reg = importlib.util.module_from_spec(spec)
loader.exec_module(reg)
rows = [{"gating": True, "p": 0.02, "verdict": "improved"},
        {"gating": True, "p": 0.001, "verdict": "regression"},
        {"gating": True, "p": 0.03, "verdict": "regression"},
        {"gating": True, "p": 0.5, "verdict": "within noise"},
        {"gating": True, "p": None, "verdict": "too few blocks"},
        {"gating": False, "p": 0.001, "verdict": "regression"}]
reg.holm(rows, 0.05)
print(" ".join(f"{v['verdict'].replace(' ', '_')}:{v.get('p_holm', '-')}" for v in rows))
PYEOF
)" "within_noise:0.06 regression:0.004 within_noise:0.06 within_noise:0.5 too_few_blocks:- regression:-" \
	"regress: Holm's adjusted p (monotone) and verdicts on known p"

# ---- calibrate ----
# 0 failures in 5 A/A runs bound the false-alarm rate at 45% only: not
# calibrated at the default 10% (that takes 29 clean runs), calibrated at 50%.
o=$("$PY" "$R/calibrate" syn/aa-* --injected syn/inj-1 -o cal0); rc=$?
is "$rc" 1 "calibrate: 5 clean A/A runs cannot bound false alarms at 10%: exit 1"
like "$(cat cal0/calibration.md)" 'NOT calibrated\*\*: 0 of 5 A/A runs fail the gate: the false-alarm rate may be up to 45% \(95% upper bound\) > 10%: more A/A runs needed' \
	"calibration.md: the bound, not the point estimate"
o=$("$PY" "$R/calibrate" syn/aa-* --injected syn/inj-1 -o cal1 --max-false-alarm 50); rc=$?
is "$rc" 0 "calibrate: A/A clean, 20% caught, bound within 50%: exit 0"
is "$o" "calibrate: 0 of 5 A/A runs fail the gate, 0 of 35 rows; 1 of 1 injected changes caught: calibrated" "calibrate: its summary"
is "$(js2() { "$PY" -c "import json; d=json.load(open('cal1/calibration.json')); print($1)"; }; js2 'd["summary"]["pass"], d["injected"][0]["mapbench_flagged"], d["injected"][0]["inject_slowdown_pct"]')" \
	"True 5 20.0" "calibration.json: caught, 5 rows, the injected slowdown"
is "$(js2() { "$PY" -c "import json; d=json.load(open('cal1/calibration.json')); print($1)"; }; js2 'd["injected"][0]["achieved_shift"]')" \
	"{'median': 1.2, 'min': 1.2, 'max': 1.2}" "calibration.json: the shift achieved in the gated ratios, from raw/mapbench.json"
like "$(cat cal1/calibration.md)" '\| 20.0% \| x1.200 \[1.200, 1.200\] \| yes \| 5 of 6 \|' "calibration.md: the achieved shift beside the asked one"
rm syn/inj-1/raw/mapbench.json
"$PY" "$R/calibrate" syn/aa-* --injected syn/inj-1 -o cal3 --max-false-alarm 50 >/dev/null
like "$(cat cal3/calibration.md)" '\| 20.0% \| not recorded \|' "calibration.md: a report without the record says so"
like "$(cat cal1/calibration.md)" '^Verdict: \*\*calibrated\*\*' "calibration.md written"
o=$("$PY" "$R/calibrate" syn/aa-* --injected syn/noisy-1 -o cal2 --max-false-alarm 50); rc=$?
is "$rc" 1 "calibrate: a 20% change the gate misses: exit 1"
like "$(cat cal2/calibration.md)" 'NOT calibrated\*\*: injected change not caught in syn/noisy-1' "calibration.md says what failed"
o=$("$PY" "$R/calibrate" syn/aa-1 syn/aa-2 syn/aa-3 2>&1); rc=$?
is "$rc" 2 "calibrate: fewer than 4 A/A reports refused"

# ---- end to end: mkreport, promote (a set of runs), regress, history ----
mkdir raw4 && cp "$F/raw-abba/"*.json raw4/
# iommufd perio runs at half speed, in every block too.
"$PY" - raw4/fio.json <<'PYEOF'
import json, sys
d = json.load(open(sys.argv[1]))
for r in d["results"]:
    if r["backend"] == "iommufd" and r["mapmode"] == "perio":
        for x in r["runs"]:
            x["iops"] *= 0.5
for c in d["comparisons"]:
    for b in c["blocks"]:
        b["a"] *= 0.5
    for k in ("ratio", "ci95", "k", "sd_log", "verdict"):
        c.pop(k, None)
json.dump(d, open(sys.argv[1], "w"))
PYEOF
mkdir results
for day in 20 21 22 23; do
	mkreport "$F/raw-abba" results/2026-11-$day-qemu-tcg --no-plots "${ENV[@]}" --date 2026-11-$day >/dev/null 2>&1
done
mkreport raw4 results/2026-11-24-qemu-tcg --no-plots "${ENV[@]}" --date 2026-11-24 >/dev/null 2>&1
o=$(promote results/2026-11-20-qemu-tcg); rc=$?
is "$rc" 0 "promote: exit 0"
is "$o" "promote: $d/results/baseline: added 2026-11-20-qemu-tcg (2026-11-20, qemu-tcg, 99 records); the baseline has 1 run (keeping the last 5)" \
	"promote: says what it did"
cmp -s results/2026-11-20-qemu-tcg/summary.json results/baseline/2026-11-20-qemu-tcg/summary.json
ok $? "promote: the report copied into the set"
o=$(regress results/2026-11-23-qemu-tcg results/baseline 2>&1); rc=$?
is "$rc" 2 "a baseline of one run: refused"
promote results/2026-11-21-qemu-tcg >/dev/null && promote results/2026-11-22-qemu-tcg --keep 2 >/dev/null
is "$(js results/baseline '[r["dir"] for r in json.load(open(sys.argv[1]+"/promoted.json"))["runs"]]' 2>/dev/null || "$PY" -c 'import json; print([r["dir"] for r in json.load(open("results/baseline/promoted.json"))["runs"]])')" \
	"['2026-11-21-qemu-tcg', '2026-11-22-qemu-tcg']" "promote --keep 2: the last two runs, oldest first"
[ ! -e results/baseline/2026-11-20-qemu-tcg ]
ok $? "promote --keep: the oldest run removed"
promote results/2026-11-23-qemu-tcg >/dev/null
o=$(regress results/2026-11-23-qemu-tcg results/baseline); rc=$?
is "$rc" 0 "same raw data, another day, against 3 runs: no regression"
like "$o" "^summary: 4 gated comparisons: 0 regressions;" "the 4 comparisons gated"
o=$(regress results/2026-11-24-qemu-tcg results/baseline); rc=$?
is "$rc" 1 "iommufd perio IOPS -50% in every block: regression"
like "$o" "^fio +randread-qd32-j1-perio +none +ratio iops +0\.796 +0\.398 -50\.0% p=[0-9.e-]+ +REGRESSION$" \
	"the interleaved IOPS ratio fails the check"
like "$o" "^fio +randread-qd32-j1-perio +iommufd +iops +8800 +4400 -50\.0% thr [0-9.]+% +regression \(info\)$" \
	"the absolute IOPS is information"
o=$(promote "$d/empty" 2>&1); rc=$?
is "$rc" 2 "promote without summary.json: refused"
like "$o" "^promote: refusing to promote: .*no summary\.json" "promote refusal says why"
o=$(promote results/baseline/2026-11-23-qemu-tcg 2>&1); rc=$?
is "$rc" 2 "promote a run of the baseline onto it: refused"
# An old single-report baseline becomes the set's first run.
mkdir old && cp -r results/2026-11-20-qemu-tcg old/baseline && echo '{"from": "2026-11-20-qemu-tcg"}' >old/baseline/promoted.json
promote results/2026-11-21-qemu-tcg --to old/baseline >/dev/null
is "$("$PY" -c 'import json; print([r["dir"] for r in json.load(open("old/baseline/promoted.json"))["runs"]])')" \
	"['2026-11-20-qemu-tcg', '2026-11-21-qemu-tcg']" "promote: an old single-report baseline kept as the first run"

# history: the trend table in a README between markers, and its plot.
printf '# results\n\n<!-- history:begin -->\nold\n<!-- history:end -->\n\ntail\n' >results/README.md
o=$("$PY" "$R/history" results --no-plots 2>&1); rc=$?
is "$rc" 0 "history: exit 0"
like "$(cat results/README.md)" '^\| mapbench io-4K-anon-t1 ratio map \| 1\.35 \[1\.31, 1\.39\] \| 1\.35 \[1\.31, 1\.39\] \| 1\.35 \[1\.31, 1\.39\] \| 1\.35 \[1\.31, 1\.39\] \| 1\.35 \[1\.31, 1\.39\] \|$' \
	"history: one row per comparison, ratio [CI] per night"
like "$(cat results/README.md)" '^\| fio randread-qd32-j1-perio ratio iops \| 0\.80 \[0\.75, 0\.84\] \| 0\.80 \[0\.75, 0\.84\] \| 0\.80 \[0\.75, 0\.84\] \| 0\.80 \[0\.75, 0\.84\] \| 0\.40 \[0\.38, 0\.42\] \|$' \
	"history: the step on the last night shows"
like "$(cat results/README.md)" '^\| 2026-11-24 \| 0123456789ab \| qemu-tcg \| \[report\]\(2026-11-24-qemu-tcg/report\.md\) \|$' "history: date, commit, platform per night"
is "$(sed -n '1p;$p' results/README.md)" "$(printf '# results\ntail')" "history: the rest of the README kept"
grep -q '^old$' results/README.md
is "$?" 1 "history: the old table replaced"
if command -v gnuplot >/dev/null; then
	"$PY" "$R/history" results >/dev/null 2>&1
	f=results/history/history-mapbench.svg
	[ -s "$f" ] && grep -q '<svg' "$f" && [ -s results/history/history-fio.svg ]
	ok $? "history: a plot per bench (ratio with CI error bars per night)"
else
	skip "gnuplot not installed (make deps)"
fi

bad=
for p in mkreport regress promote calibrate history; do
	"$R/$p" --help >/dev/null 2>&1 || bad="$bad $p"	# through #!
done
[ -z "$bad" ]
ok $? "--help of each program exits 0${bad:+ (not:$bad)}"
done_testing
