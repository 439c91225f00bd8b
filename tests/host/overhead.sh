# SPDX-License-Identifier: GPL-2.0
# bench/overhead-report on fixed rounds (the --icount table: guest
# instructions per call, added against the baseline, rounds' spread) and
# bench/overhead's argument checks.
. "$(dirname "$0")/../tap.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/hostlib.sh"
scratch

# Two rounds per configuration; min in us = instructions / 1000.  The
# second "on" round's unmap is one instruction slower.
python3 - >"$d/rounds.jsonl" <<'PY'
import json
cfg = {"iommufd": (("stock", 6.645, 5.378), ("off", 6.662, 5.400), ("on", 8.972, 8.317)),
       "type1": (("stock", 4.120, 3.334), ("off", 4.146, 3.361), ("on", 6.471, 5.714))}
for r in range(2):
    for b, rows in cfg.items():
        for lab, m, u in rows:
            print(json.dumps({"label": lab, "backend": b, "bytes": 4096, "n": 2000,
                              "unit": "us", "map_mean": 2 * m, "map_min": m,
                              "map_max": 3 * m, "unmap_mean": 2 * u,
                              "unmap_min": u + (0.001 if lab == "on" and r else 0),
                              "unmap_max": 3 * u}))
PY
o=$(python3 "$top/bench/overhead-report" --icount "$d/rounds.jsonl" --json "$d/sum.json"); rc=$?
is "$rc" 0 "--icount: exit 0"
like "$o" "^iommufd map +series, events off +2 +6662 +0 +\+17 +\+0\.3%$" \
	"series off vs stock: +17 instructions (6662 vs 6645)"
like "$o" "^iommufd unmap +all events on \(trace buffer\) +2 +8317 +1 +\+2917 +\+54\.0%$" \
	"events on vs off: +2917, rounds 1 instruction apart"
like "$o" "^type1 +map +stock kernel +2 +4120 +0 +$" "the stock row has no baseline"
like "$o" "QEMU TCG -icount" "labels the platform"
python3 - "$d/sum.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
c = {(x["backend"], x["op"], x["config"]): x for x in d["cases"]}
assert d["platform"] == "qemu-tcg-icount"
assert c[("type1", "unmap", "on")]["added"] == 5714 - 3361, c[("type1", "unmap", "on")]
assert c[("type1", "map", "off")]["added"] == 26 and c[("type1", "map", "off")]["spread"] == 0
assert c[("iommufd", "map", "off")]["baseline"] == "stock"
assert all(x["unit"] == "guest instructions" for x in d["cases"])
PY
ok $? "--json: the same figures, platform and unit"
printf '{"label": "off"}\nnot json\n' >"$d/bad.jsonl"
o=$(python3 "$top/bench/overhead-report" --icount "$d/bad.jsonl" 2>&1); rc=$?
[ "$rc" != 0 ] && [[ $o == *"bad.jsonl:2: not JSON"* ]]
ok $? "a corrupt rounds file: one message naming the line, non-zero exit"

o=$("$top/bench/overhead" -b x 2>&1); rc=$?
is "$rc" 2 "bench/overhead -b x: exit 2"
like "$o" "take positive numbers" "says what -b takes"
o=$("$top/bench/overhead" -Z 2>&1); rc=$?
is "$rc" 2 "unknown option: exit 2"
like "$("$top/bench/overhead" -h)" "-I +deterministic cost" "-h documents -I"
done_testing
