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
is "$o" "mkreport: r-noplot: 99 records from 7 inputs; 0 plots (GNUPLOT=/nonexistent is not an executable program)" \
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
	"99 2 qemu-tcg True 2026-11-20" "summary.json: 99 records, version 2, platform, emulated, date"
is "$(js "$d/r-noplot" 'sorted({tuple(sorted(r)) == tuple(sorted(["bench","case","backend","metric","unit","better","n","median","p99","cv","min","max"] + (["interleaved"] if r["backend"] == "none" else []))) and r["backend"] in ("iommufd","type1","kernel","none") and r["better"] in ("lower","higher") and r.get("interleaved") in (None, False) for r in s["records"]})')" \
	"[True]" "summary.json: every record has exactly the 12 keys (ratios: interleaved false), a known backend and direction"
is "$(js "$d/r-noplot" '[u["file"] for u in s["inputs"]["used"]], s["inputs"]["missing"], s["inputs"]["invalid"]')" \
	"['mapbench.json', 'faultbench.json', 'invbench.json', 'fio.json', 'fio-kernel.json', 'vmstart.json', 'overhead.json'] [] []" \
	"summary.json: inputs used, none missing or invalid"
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
	"6 18 ['mapbench']" "summary.json: 6 missing, mapbench's 18 records"

mkdir "$d/raw2" && cp "$F/raw/"*.json "$d/raw2/"
printf '{"tool": "mapbench", "cases": [\n  {"id": "io-4K-anon-t1",,\n' >"$d/raw2/mapbench.json"
o=$(cd "$d" && mkreport "$d/raw2" r-corrupt --no-plots "${ENV[@]}" 2>&1)
is "$?" 1 "corrupt mapbench.json: exit 1, report still written"
like "$o" "^mkreport: $d/raw2/mapbench\.json:2:26: corrupt mapbench\.json: Expecting property name" \
	"corrupt input: file, line and column on stderr"
like "$(cat "$d/r-corrupt/report.md")" "^- \*\*invalid\*\*: mapbench\.json: .*mapbench\.json:2:26: corrupt" \
	"corrupt input named in report.md"
is "$(js "$d/r-corrupt" 'len(s["records"]), sorted({r["bench"] for r in s["records"]})')" \
	"81 ['faultbench', 'fio', 'invbench', 'overhead', 'vmstart']" "the other inputs are reported"
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

# ---- regress on the hand-written summaries ----
G=$F/regress
cd "$F" || exit 1
o=$(regress regress/within regress/base); rc=$?
is "$rc" 0 "regress: within-noise changes, exit 0"
is "$o" "$(cat expected/regress-within.txt)" "regress: within-noise table, new and gone exactly"
o=$(regress regress/worse regress/base); rc=$?
is "$rc" 1 "regress: synthetic regressions, exit 1"
is "$o" "$(cat expected/regress-worse.txt)" "regress: the ratio regression fails the check, absolute ones are info (emulated)"
o=$(regress regress/better regress/base); rc=$?
is "$rc" 0 "regress: improvements, exit 0"
is "$o" "$(cat expected/regress-better.txt)" "regress: improvements flagged exactly"

# The verdict follows the fixture: the ratio 1.30 -> 2.00 (+53.8%) is beyond
# its 47.6% threshold, 1.30 -> 1.90 (+46.2%) is not.
mkdir -p "$d/w1" "$d/w2" "$d/w3" "$d/w4"
sed '0,/"median": 1.4,/s//"median": 2.0,/' regress/within/summary.json >"$d/w1/summary.json"
sed '0,/"median": 1.4,/s//"median": 1.9,/' regress/within/summary.json >"$d/w2/summary.json"
o=$(regress "$d/w1" regress/base); rc=$?
is "$rc" 1 "changed fixture (ratio 1.30 -> 2.00): exit 1"
like "$o" "^mapbench io-4K-anon-t1 +none +ratio map +1\.3 +2 \+53\.8% +47\.6% REGRESSION$" "changed fixture: flagged"
o=$(regress "$d/w2" regress/base); rc=$?
is "$rc" 0 "changed fixture (ratio 1.30 -> 1.90): exit 0"
like "$o" "^mapbench io-4K-anon-t1 +none +ratio map +1\.3 +1\.9 \+46\.2% +47\.6% within noise$" "just under the threshold: not flagged"
# The same for an absolute figure with --gate all: +35.7% beyond 33.6%,
# +32.9% not; without --gate all (emulated) it is information only.
sed '0,/"median": 7500/s//"median": 9500/' regress/within/summary.json >"$d/w3/summary.json"
sed '0,/"median": 7500/s//"median": 9300/' regress/within/summary.json >"$d/w4/summary.json"
o=$(regress "$d/w3" regress/base --gate all); rc=$?
is "$rc" 1 "--gate all, 7000 -> 9500 ns: exit 1"
like "$o" "^mapbench io-4K-anon-t1 +iommufd map +7us 9\.5us \+35\.7% +33\.6% REGRESSION$" "--gate all: an absolute figure fails the check"
o=$(regress "$d/w4" regress/base --gate all); rc=$?
is "$rc" 0 "--gate all, 7000 -> 9300 ns: exit 0"
o=$(regress "$d/w3" regress/base); rc=$?
is "$rc" 0 "emulated, default gate: the absolute regression does not fail the check"
like "$o" "^mapbench io-4K-anon-t1 +iommufd map +7us 9\.5us \+35\.7% +33\.6% regression \(info\)$" "... and is shown as information"
o=$(regress regress/worse regress/base --gate all); rc=$?
is "$rc" 1 "--gate all on the regressions: exit 1"
like "$o" "^summary: 4 regressions \(3 failing the check\), 0 improved, 2 within noise, 0 new, 0 gone$" \
	"--gate all: syncs/IO (one run, no spread) cannot fail the check"
like "$o" "iotlb_syncs_per_io +1 +1\.1 \+10\.0% +5\.0% regression \(info\)$" "the unmeasured figure is information"
o=$(regress regress/within regress/base --threshold-k 1 --floor 1 --gate all); rc=$?
is "$rc" 1 "--threshold-k 1 --floor 1: the +4.0% VM map now beyond 3.2%"
like "$o" "^vmstart +512M-anon +type1 +map +100ms 104ms +\+4\.0% +3\.2% REGRESSION$" "--threshold-k scales the spread term"
o=$(regress regress/worse regress/base --floor 12); rc=$?
like "$o" "iotlb_syncs_per_io +1 +1\.1 \+10\.0% +12\.0% within noise$" "--floor raises the floor for figures without spread"

o=$(regress regress/worse regress/base --json); rc=$?
is "$rc" 1 "--json: exit 1 on regressions"
is "$("$PY" -c 'import json,sys; d=json.load(sys.stdin); print(d["summary"]["regression"], d["summary"]["gating regression"], d["summary"]["within noise"], [v["verdict"] for v in d["verdicts"]], [v["gating"] for v in d["verdicts"]], d["gate"], d["threshold"]["k"], d["threshold"]["floor"])' <<<"$o")" \
	"4 1 2 ['regression', 'regression', 'regression', 'within noise', 'regression', 'within noise'] [False, True, False, False, False, False] ratios 3.0 0.05" \
	"--json: the verdicts and the threshold parameters"

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
o=$(regress regress/within regress/hardware 2>&1); rc=$?
is "$rc" 2 "baseline from hardware vs an emulated report: refused, exit 2"
is "$o" "regress: refusing to compare: the baseline's platform 'hardware' (hardware) is not the report's 'qemu-tcg' (emulated) (regress/hardware); --force compares anyway" \
	"cross-platform refusal says why and how"
o=$(regress regress/within regress/hardware --force 2>&1); rc=$?
is "$rc" 0 "--force: compared, exit 0"
like "$o" "^note: forced: the baseline's platform 'hardware' \(hardware\) is not the report's 'qemu-tcg' \(emulated\)$" \
	"--force: the mismatch is noted"
o=$(regress regress/within 2>&1); rc=$?
is "$rc" 2 "regress with one directory: usage error"
o=$(regress regress/within regress/base --threshold-k 0 2>&1); rc=$?
is "$rc" 2 "--threshold-k 0: usage error"

# ---- end to end: mkreport, promote, regress ----
cd "$d" || exit 1
mkdir raw4 && cp "$F/raw/"*.json raw4/
# iommufd perio runs at half speed: 4000, 4400, 4500 IOPS.
"$PY" - raw4/fio.json <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
for r in d["results"]:
    if r["backend"] == "iommufd" and r["mapmode"] == "perio":
        for x in r["runs"]:
            x["iops"] *= 0.5
json.dump(d, open(sys.argv[1], "w"))
EOF
mkdir results
mkreport "$F/raw" results/2026-11-20-qemu-tcg --no-plots "${ENV[@]}" >/dev/null 2>&1
mkreport "$F/raw" results/2026-11-21-qemu-tcg --no-plots "${ENV[@]}" --date 2026-11-21 >/dev/null 2>&1
mkreport raw4 results/2026-11-22-qemu-tcg --no-plots "${ENV[@]}" --date 2026-11-22 >/dev/null 2>&1
o=$(promote results/2026-11-20-qemu-tcg); rc=$?
is "$rc" 0 "promote: exit 0"
is "$o" "promote: $d/results/baseline is now the baseline (from 2026-11-20-qemu-tcg, 2026-11-20, qemu-tcg, 99 records)" \
	"promote: says what it did"
cmp -s results/2026-11-20-qemu-tcg/summary.json results/baseline/summary.json &&
	cmp -s results/2026-11-20-qemu-tcg/raw/fio.json results/baseline/raw/fio.json
ok $? "promote: the report copied to results/baseline"
is "$(js results/baseline 'json.load(open(sys.argv[1]+"/promoted.json"))["from"]')" "2026-11-20-qemu-tcg" \
	"promote: promoted.json names the report"
o=$(regress results/2026-11-21-qemu-tcg results/baseline); rc=$?
is "$rc" 0 "same raw data, another day: no regression"
like "$o" "^summary: 0 regressions, 0 improved, 99 within noise, 0 new, 0 gone$" "same raw data: all 99 within noise"
like "$o" "^baseline results/baseline \(promoted from 2026-11-20-qemu-tcg\): 2026-11-20" "regress names the promoted report"
o=$(regress results/2026-11-22-qemu-tcg results/baseline); rc=$?
is "$rc" 1 "iommufd perio IOPS -50%: regression"
is "$(grep -E ' (REGRESSION|improved|\(info\))$' <<<"$o" | grep -vc '^verdict:')" 2 "two figures flagged"
like "$o" "^fio +randread-qd32-j1-perio +none +ratio iops +0\.8 +0\.4 -50\.0% +33\.7% REGRESSION$" \
	"the iommufd/type1 IOPS ratio fails the check (33.7% threshold)"
like "$o" "^fio +randread-qd32-j1-perio +iommufd +iops +8800 +4400 -50\.0% +18\.9% regression \(info\)$" \
	"the absolute IOPS is information (emulated)"
o=$(promote results/2026-11-22-qemu-tcg); rc=$?
is "$rc" 0 "promote again: replaces the baseline"
is "$(js results/baseline 's["env"]["date"]')" "2026-11-22" "the new baseline is the newer report"
o=$(promote "$d/empty" 2>&1); rc=$?
is "$rc" 2 "promote without summary.json: refused"
like "$o" "^promote: refusing to promote: .*no summary\.json" "promote refusal says why"
o=$(promote results/baseline 2>&1); rc=$?
is "$rc" 2 "promote the baseline onto itself: refused"

bad=
for p in mkreport regress promote; do
	"$R/$p" --help >/dev/null 2>&1 || bad="$bad $p"	# through #!
done
[ -z "$bad" ]
ok $? "--help of each program exits 0${bad:+ (not:$bad)}"
done_testing
