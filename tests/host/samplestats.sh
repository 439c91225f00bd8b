# SPDX-License-Identifier: GPL-2.0
# tests/samplestats (the statistics of mapbench's and vmstart's JSON
# recomputed from their raw samples, for bench/tests/*-vtd.sh): agrees
# with the committed report's raw documents, and each kind of corruption
# is found.
. "$(dirname "$0")/../tap.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
raw=$top/results/2026-11-23-qemu-tcg/raw
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
PY=$(python3 -c 'import sys; print(sys.executable)')
ss() { "$PY" "$top/tests/samplestats" "$@"; }

for f in mapbench vmstart; do
	ss "$raw/$f.json" >"$d/$f.out"
	is "$?" 0 "$f.json: exit 0"
	is "$(head -1 "$d/$f.out")" "OK valid JSON" "$f.json: valid"
	n=$("$PY" -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["cases"]))' "$raw/$f.json")
	is "$(grep -c '^OK .*: statistics recomputed from' "$d/$f.out") $(grep -c '^BAD' "$d/$f.out")" "$n 0" \
		"$f.json: all $n cases agree with their samples"
done

# corrupt NAME FILE PYTHON: a copy of FILE changed by PYTHON (on doc d),
# which samplestats must find: a BAD line naming WANT.
corrupt() {
	local name=$1 f=$2 code=$3 want=$4
	"$PY" -c "import json,sys
d = json.load(open(sys.argv[1]))
$code
json.dump(d, open(sys.argv[2], 'w'))" "$raw/$f.json" "$d/bad.json"
	ss "$d/bad.json" >"$d/bad.out"
	like "$(grep '^BAD' "$d/bad.out")" "$want" "$name: found ($want)"
}
m='d["cases"][0]["results"]["iommufd"]'
corrupt "mapbench median +1 ns" mapbench "${m}['map']['median'] += 1" "iommufd map: median"
corrupt "mapbench p99 changed" mapbench "${m}['unmap']['p99'] *= 1.01" "iommufd unmap: p99"
corrupt "mapbench min above a sample" mapbench "${m}['map']['min'] += 1" "iommufd map: min"
corrupt "mapbench max changed" mapbench "d['cases'][3]['results']['type1']['map+unmap']['max'] -= 1" \
	"type1 map\+unmap: max"
corrupt "mapbench mean changed" mapbench "${m}['map']['mean'] *= 1.0001" "iommufd map: mean"
corrupt "mapbench population CV instead of sample CV" mapbench \
	"s = ${m}['map']; s['cv'] *= ((s['n'] - 1) / s['n']) ** 0.5" "iommufd map: cv"
corrupt "mapbench a sample changed" mapbench "${m}['map']['samples'][0] += 1000000" "iommufd map: (mean|max)"
corrupt "mapbench a sample dropped" mapbench "${m}['map']['samples'].pop()" "iommufd map: n"
corrupt "mapbench no samples" mapbench "del ${m}['map']['samples']" "iommufd map: no samples"
v='d["cases"][0]'
corrupt "vmstart ready_ms median" vmstart "${v}['ready_ms']['median'] += 0.5" "ready_ms: median"
corrupt "vmstart map_ms mean" vmstart "${v}['map_ms']['mean'] += 1" "map_ms: mean"
corrupt "vmstart a run's quit_ms" vmstart "${v}['runs'][1]['quit_ms'] += 100" "quit_ms: (median|max|mean)"
corrupt "vmstart map_calls max" vmstart "${v}['map_calls']['max'] = 7" "map_calls: max"
corrupt "vmstart map_bytes not the runs' median" vmstart "${v}['map_bytes'] += 4096" "map_bytes .*median of the runs"
corrupt "vmstart map_frac" vmstart "${v}['map_frac'] *= 1.1" "map_frac .*median of the runs"
corrupt "vmstart a run missing" vmstart "${v}['runs'].pop()" "n 3, 2 runs"

# Wall time only (no series events): the map figures are null, and so are
# the runs' values; nothing to disagree on.
"$PY" -c 'import json,sys
d = json.load(open(sys.argv[1]))
for c in d["cases"]:
    for k in ("map_ms", "map_calls", "map_frac", "map_bytes", "map_errors", "unmap_calls", "unmap_bytes",
              "pin_calls", "pinned_pages", "iotlb_syncs", "attach_at_ms", "map_start_at_ms", "map_end_at_ms"):
        c[k] = None
        for r in c["runs"]:
            r.pop(k, None)
json.dump(d, open(sys.argv[2], "w"))' "$raw/vmstart.json" "$d/wall.json"
is "$(ss "$d/wall.json" | grep -c '^BAD')" 0 "vmstart, wall time only: the null figures agree"

printf '{"tool": "mapbench", "cases": [\n' >"$d/trunc.json"
like "$(ss "$d/trunc.json")" '^BAD invalid JSON' "truncated JSON: one BAD line"
echo '{"tool": "fio"}' >"$d/other.json"
like "$(ss "$d/other.json")" "^BAD invalid JSON: .*'fio'" "another tool's document: BAD"
echo '{"tool": "mapbench", "cases": [{"id": "x"}]}' >"$d/shape.json"
like "$(ss "$d/shape.json")" "^BAD mapbench document of the wrong shape" "wrong shape: BAD, no traceback"
ss >/dev/null 2>&1
is "$?" 2 "no argument: usage, exit 2"

# What the guest tests do with it: verdicts turns each line into a result.
ss "$raw/vmstart.json" >"$d/v.out"
is "$(verdicts "$d/v.out" stats | grep -c '^ok ')" "$(grep -c '^OK' "$d/v.out")" "verdicts: one ok per OK line"
done_testing
