# SPDX-License-Identifier: GPL-2.0
# lib/abba.c against lib/abba.py: the same figures (1e-9 relative) for the
# same inputs, the order rule, known cases (a clear difference, none, one
# pair, dropped figures), and abba.py's exit 2 on bad input.
. "$(dirname "$0")/../tap.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/hostlib.sh"
scratch

gcc -Wall -Wextra -Werror -O2 -I"$top/lib" -o "$d/abba_test" "$top/tests/host/abba_test.c" \
	"$top/lib/abba.c" "$top/lib/json.c" -lm 2>"$d/cc.err"
ok $? "abba_test builds without warnings"
[ -s "$d/cc.err" ] && sed 's/^/#   /' "$d/cc.err"
# ABBA_C: another binary of the same protocol (a broken twin, to see the
# comparison fail).
c=${ABBA_C:-$d/abba_test}

# The inputs: known cases, then random ones (fixed seed) of 2..40 pairs
# with spreads from 0.1% to 50%, seeds 0..9, both directions.
python3 - "$d" <<'EOF'
import random, sys
d = sys.argv[1]
cases = [
    ("clear", "lower", 1, [200 + i for i in range(8)], [100 + i % 3 for i in range(8)]),
    ("clear_higher", "higher", 2, [200 + i for i in range(8)], [100 + i % 3 for i in range(8)]),
    ("clear_a", "lower", 1, [50, 51, 49, 50, 52], [100, 101, 99, 100, 98]),
    ("same", "lower", 1, [100.0] * 6, [100.0] * 6),
    ("noisy", "lower", 3, [100, 130, 90, 120, 80, 110], [105, 95, 125, 85, 115, 100]),
    ("one", "lower", 1, [3.0], [2.0]),
    ("none", "lower", 1, [], []),
    ("dropped", "lower", 1, [200, 0, 210, float("nan"), 190, -5, 205, 195],
     [100, 100, 100, 100, 100, 100, 100, 100]),
    ("four", "lower", 1, [200, 210, 190, 205], [100, 100, 100, 100]),
    ("all_dropped", "lower", 1, [0, -1], [1, 1]),
]
rnd = random.Random(20240615)
for i in range(40):
    k = rnd.randint(2, 40)
    spread = rnd.choice([0.001, 0.01, 0.05, 0.2, 0.5])
    shift = rnd.choice([1.0, 1.02, 1.1, 1.5, 0.7])
    a = [1000 * shift * rnd.lognormvariate(0, spread) for _ in range(k)]
    b = [1000 * rnd.lognormvariate(0, spread) for _ in range(k)]
    cases.append((f"rand{i}", rnd.choice(["lower", "higher"]), rnd.randint(0, 9), a, b))
fmt = lambda v: ",".join(repr(float(x)) for x in v) or "-"
with open(f"{d}/in", "w") as f, open(f"{d}/names", "w") as g:
    for name, better, seed, a, b in cases:
        f.write(f"{better} {seed} {fmt(a)} {fmt(b)}\n")
        g.write(name + "\n")
EOF
"$c" <"$d/in" >"$d/c.out" 2>"$d/c.err"
ok $? "abba_test reads every input"
is "$(wc -l <"$d/c.out")" "$(wc -l <"$d/in")" "one summary per input"

# Python's summaries of the same lines, compared member by member.
PYTHONPATH=$top/lib python3 - "$d" >"$d/cmp" <<'EOF'
import json, math, sys
import abba
d = sys.argv[1]
names = open(f"{d}/names").read().split()
def same(x, y):
    if isinstance(x, list) or isinstance(y, list):
        return (isinstance(x, list) and isinstance(y, list) and len(x) == len(y)
                and all(same(p, q) for p, q in zip(x, y)))
    if isinstance(x, float) or isinstance(y, float):
        return (x is not None and y is not None and
                math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-300))
    return x == y
bad = 0
for name, line, cline in zip(names, open(f"{d}/in"), open(f"{d}/c.out")):
    better, seed, a, b = line.split()
    a = [] if a == "-" else [float(x) for x in a.split(",")]
    b = [] if b == "-" else [float(x) for x in b.split(",")]
    want = abba.summarize(a, b, better, int(seed))
    got = json.loads(cline)
    diff = [k for k in want if not same(got.get(k), want[k])]
    if set(got) != set(want) or diff:
        bad += 1
        print(f"BAD {name}: {diff or 'members'}: C {got} Python {want}")
    print(f"{name} {got['verdict']}|{got['k']}|{got['dropped']}")
print(f"mismatches {bad}")
EOF
is "$(sed -n 's/^mismatches //p' "$d/cmp")" 0 "C and Python give the same figures for $(wc -l <"$d/in") inputs"
grep '^BAD' "$d/cmp" | head -5 | sed 's/^/#   /'
v() { sed -n "s/^$1 //p" "$d/cmp"; }
is "$(v clear)" "b faster|8|0" "a twice b, better lower: b faster"
is "$(v clear_higher)" "a faster|8|0" "the same, better higher: a faster"
is "$(v clear_a)" "a faster|5|0" "a half of b, better lower: a faster"
is "$(v same)" "no difference|6|0" "identical blocks: no difference"
is "$(v noisy)" "no difference|6|0" "blocks either way: no difference"
is "$(v one)" "too few blocks|1|0" "one pair: too few blocks"
is "$(v none)" "no data|0|0" "no pairs: no data"
is "$(v dropped)" "b faster|5|3" "zero, NaN and negative figures dropped"
is "$(v four)" "too few blocks|4|0" "a clear difference in 4 pairs: a CI but no verdict (fewer than 5)"
is "$(v all_dropped)" "no data|0|2" "every pair dropped: no data"
is "$(sed -n 6p "$d/c.out")" \
	'{"ratio":1.5,"ci95":null,"sd_log":null,"k":1,"dropped":0,"k_for_20pct":null,"verdict":"too few blocks"}' \
	"one pair: the ratio, the rest null, members in order"
like "$(sed -n 4p "$d/c.out")" '"ratio":1,"ci95":\[1,1\],"sd_log":0,.*"k_for_20pct":5,' \
	"identical blocks: ratio 1, CI [1, 1], k_for_20pct at least 5 (MIN_VERDICT)"

# The order rule: even seeds start ab, odd ba, alternating after.
printf 'order 0 6\norder 1 6\norder 8 3\norder 7 3\n' | "$c" >"$d/ord"
want=$(PYTHONPATH=$top/lib python3 -c '
import abba
for s, n in ((0, 6), (1, 6), (8, 3), (7, 3)):
    print(" ".join(abba.order(s, j) for j in range(n)))')
is "$(cat "$d/ord")" "$want" "abba_order matches abba.order"
is "$(head -1 "$d/ord")" "ab ba ab ba ab ba" "seed 0: ab first, then alternating"

# The CI's coverage: 1000 runs of 5 pairs with no real difference (log
# ratios normal, sd 5%): a 95% CI must call "faster" in about 5% of them
# (at most 60, 6%).  A plain percentile bootstrap did in 16%, the expanded
# one alone in 8% (5 values have only 126 distinct resamples).
rate=$(PYTHONPATH=$top/lib python3 -c '
import abba, random
rng, miss = random.Random(5), 0
for i in range(1000):
    lo, hi = abba.bootstrap_ci([rng.gauss(0, 0.05) for _ in range(5)], i + 1, 1000)
    miss += lo > 0 or hi < 0
print(miss)')
[ "${rate:-1000}" -le 60 ]
ok $? "5 pairs, no difference: the CI excludes 1 in $rate of 1000 runs (at most 60; seeded, so the same every run)"

# abba.py as a program.
out=$(echo '{"a": [2, 2.2, 1.9, 2, 2.1], "b": [1, 1.1, 1, 1, 1], "better": "lower", "seed": 5}' | python3 "$top/lib/abba.py")
ok $? "abba.py reads a document"
like "$out" '"verdict": "b faster"' "abba.py prints the summary"
for bad in '{"a": [1, 2], "b": [1]}' '{"a": [1], "b": [1], "better": "faster"}' '{"b": [1]}' 'not json' '[1, 2]'; do
	echo "$bad" | python3 "$top/lib/abba.py" >/dev/null 2>"$d/err"
	is "$?" 2 "abba.py exits 2 on bad input: $bad"
done
like "$(cat "$d/err")" '^abba.py: bad input' "abba.py says why"
done_testing
