#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# mapbench-vtd.sh BINDIR: bench/mapbench in the VT-d testbed boot, TAP.
#
#   testbed/run -o /tmp/mb -- bench/tests/mapbench-vtd.sh build/k/<key>
#
# B is type1, or compat on a kernel without it (make kernel COMPAT=1:
# iommufd serves /dev/vfio/vfio); every run compares iommufd with B.
# The tiny configuration (--quick) must give one valid JSON document with
# every case and both backends, N samples as asked, statistics that agree
# with the raw samples (tests/samplestats recomputes each), and the ratio
# of the medians; the interleaved comparisons (one per case and op, K
# block pairs in the order lib/abba.py's rule gives, block medians that
# are the medians of the block's samples, the summary lib/abba.py
# computes from them); an injected 20% slowdown of iommufd recorded, every
# call stretched x1.2 and the ratio shifted x1.2 within the run; then each kind of bad input must fail with one
# "mapbench: " line and a non-zero exit, and leave nothing pinned
# (/proc/vmstat FOLL_PIN counters), mapped or attached (the device opens
# again afterwards).  MAPBENCH=path overrides BINDIR/mapbench.

set -u
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$top/tests/tap.sh"
. "$top/tests/pins.sh"
. "$top/tests/container.sh"
[ -n "${IOASID_GUEST:-}" ] || { echo "runs inside the testbed: testbed/run -- $0 BINDIR" >&2; exit 2; }
bin=${1:?usage: mapbench-vtd.sh BINDIR}
mb=${MAPBENCH:-$bin/mapbench}
bdf=0000:00:03.0
dev=/sys/bus/pci/devices/$bdf
hp=/proc/sys/vm/nr_hugepages
d=$(mktemp -d)
chmod 755 "$d"
hp_old=$(cat "$hp")
restore() {
	echo "$hp_old" >"$hp"
	# Rebind the NVMe if a test left it without a driver.
	[ -e "$dev/driver" ] || echo "$bdf" >/sys/bus/pci/drivers_probe 2>/dev/null
	rm -rf "$d"
}
trap restore EXIT

[ -x "$mb" ] || { echo "not ok 1 $mb not built"; echo "1..1"; exit 1; }
container_or_bail
B=$C
echo "# $(uname -r), $mb, iommufd vs $B"
# The pair every run below compares.
MB=("$mb" -b "iommufd,$B")

# fails NAME WANT-REGEX CMD...: see fails_cleanly (tests/pins.sh).
fails() { fails_cleanly mapbench "$@"; }

# --- the tiny configuration ------------------------------------------------
echo 4 >"$hp"	# --quick's hugetlb case: 8 MiB
pin0=$(pinned)
"${MB[@]}" --quick -k 5 -H testhash -o "$d/q.json" >"$d/table" 2>"$d/progress"
ok $? "--quick -k 5 runs (exit 0)"
is "$(pinned_back "$pin0")" "$pin0" "--quick: nothing left pinned after a good run"
like "$(cat "$d/progress")" '^\[1/9 .*\] io-4K-anon-t1: 5 block pairs' "progress lines on stderr"

PYTHONPATH=$top/lib python3 - "$d/q.json" "$(uname -r)" "$B" >"$d/check" 2>&1 <<'PY'
import json, math, statistics, sys
import abba
path, release, B = sys.argv[1], sys.argv[2], sys.argv[3]
try:
    doc = json.load(open(path))
except Exception as e:
    print("BAD invalid JSON: %s" % e)
    sys.exit(0)
print("OK valid JSON")
env = doc["env"]
print("%s env: kernel %s" % ("OK" if env["kernel"] == release else "BAD", env["kernel"]))
print("%s env: series hash %s" % ("OK" if env["series"] == "testhash" else "BAD", env["series"]))
print("%s env: platform %s" % ("OK" if env["platform"] else "BAD", env["platform"]))
print("%s env: cpu %s" % ("OK" if env["cpu"] else "BAD", env["cpu"]))
print("%s env: series_events is a boolean" % ("OK" if isinstance(env["series_events"], bool) else "BAD"))
print("%s env: seed %s, inject_slowdown_pct %s" % (
    "OK" if env["seed"] == 1 and env["inject_slowdown_pct"] == 0 else "BAD",
    env["seed"], env["inject_slowdown_pct"]))
# Every case --quick asks for: 3 per-I/O sizes x 1 and 2 threads, one
# VM-RAM size x 3 backings.
K, M = 1 << 10, 1 << 20
want = [("io", s, "anon", t, 20) for t in (1, 2) for s in (4 * K, 64 * K, 2 * M)]
want += [("vm", 8 * M, b, 1, 2) for b in ("anon", "thp", "hugetlb")]
got = {(c["pattern"], c["bytes"], c["backing"], c["threads"]): c for c in doc["cases"]}
print("%s %d cases (want %d)" % ("OK" if len(doc["cases"]) == len(want) else "BAD",
                                 len(doc["cases"]), len(want)))
for pat, size, bk, thr, n in want:
    name = "%s %d %s x%d" % (pat, size, bk, thr)
    c = got.get((pat, size, bk, thr))
    if not c:
        print("BAD %s: missing" % name)
        continue
    bad = []
    if c["n"] != n:
        bad.append("n %s" % c["n"])
    for be in ("iommufd", B):
        r = c["results"].get(be)
        if not r:
            bad.append("no %s result" % be)
            continue
        for op in ("map", "unmap", "map+unmap"):
            s = r[op]
            v = sorted(s["samples"])
            if s["n"] != n * thr or len(v) != n * thr:
                bad.append("%s %s: %d samples, want %d" % (be, op, len(v), n * thr))
                continue
            if not (s["min"] <= s["median"] <= s["p99"] <= s["max"]):
                bad.append("%s %s: min %s median %s p99 %s max %s out of order"
                           % (be, op, s["min"], s["median"], s["p99"], s["max"]))
            if s["min"] <= 0 or s["cv"] < 0:
                bad.append("%s %s: min %s, cv %s" % (be, op, s["min"], s["cv"]))
        if not r["wall_s"] > 0 or not r["ops_per_s"] > 0:
            bad.append("%s: wall %s ops/s %s" % (be, r["wall_s"], r["ops_per_s"]))
    pages = size // 4096 * thr
    if not 1 <= c["phys_runs"] <= pages:
        bad.append("phys_runs %s not in 1..%d" % (c["phys_runs"], pages))
    if bk == "anon" and c["thp_bytes"] != 0:
        bad.append("anon (MADV_NOHUGEPAGE) backed by %d bytes of THP" % c["thp_bytes"])
    if bk == "thp":
        print("# thp case: %d of %d bytes in THP, %d physical runs" % (c["thp_bytes"], size, c["phys_runs"]))
    for op in ("map", "unmap", "map+unmap"):
        try:
            ratio = c["results"]["iommufd"][op]["median"] / c["results"][B][op]["median"]
            if abs(c["ratio"][op] - ratio) > 1e-9 * ratio:
                bad.append("ratio %s %s, want %s" % (op, c["ratio"][op], ratio))
        except (KeyError, TypeError, ZeroDivisionError) as e:
            bad.append("ratio %s: %r" % (op, e))
    print("%s %s: both backends, N=%d, statistics in order, ratio of the medians%s"
          % ("BAD" if bad else "OK", name, n, ": " + "; ".join(bad) if bad else ""))

# The comparisons: one per case and op; K = 5 per-I/O pairs (-k 5), R = 2
# VM-RAM pairs of one round; case i seeded 1 + i.
def close(x, y):
    if isinstance(x, list) and isinstance(y, list):
        return len(x) == len(y) and all(close(p, q) for p, q in zip(x, y))
    if isinstance(x, float) or isinstance(y, float):
        return x is not None and y is not None and math.isclose(x, y, rel_tol=1e-9)
    return x == y
cmps = {(c["case"], c["metric"]): c for c in doc.get("comparisons", [])}
ops = ("map", "unmap", "map+unmap")
print("%s %d comparisons (want %d)" % ("OK" if len(cmps) == len(doc.get("comparisons", []))
                                       == 3 * len(doc["cases"]) else "BAD",
                                       len(doc.get("comparisons", [])), 3 * len(doc["cases"])))
for i, c in enumerate(doc["cases"]):
    k = 5 if c["pattern"] == "io" else 2
    per = c["n"] // k * c["threads"]
    for op in ops:
        name = "comparison %s %s" % (c["id"], op)
        x = cmps.get((c["id"], op))
        if not x:
            print("BAD %s: missing" % name)
            continue
        bad = []
        head = (x["unit"], x["better"], x["a"], x["b"], x["seed"])
        if head != ("ns", "lower", "iommufd", B, 1 + i):
            bad.append("unit/better/a/b/seed %s" % (head,))
        bl = x["blocks"]
        if x["k"] != k or len(bl) != k or x["dropped"] != 0:
            bad.append("k %s, %d blocks, dropped %s, want %d" % (x["k"], len(bl), x["dropped"], k))
        if [b["order"] for b in bl] != [abba.order(x["seed"], j) for j in range(len(bl))]:
            bad.append("orders %s" % [b["order"] for b in bl])
        if [b["pair"] for b in bl] != list(range(len(bl))):
            bad.append("pairs %s" % [b["pair"] for b in bl])
        # Block j's figure: the median of its samples, which come block
        # after block in the backend's sample list.
        for side, be in (("a", "iommufd"), ("b", B)):
            v, off = c["results"][be][op]["samples"], 0
            for b in bl:
                if b["n_" + side] != per or statistics.median(v[off:off + per]) != b[side]:
                    bad.append("pair %d %s: n %s, median %s, want %d and %s" % (
                        b["pair"], side, b["n_" + side], b[side], per,
                        statistics.median(v[off:off + per])))
                off += b["n_" + side]
            if off != len(v):
                bad.append("%s: blocks hold %d of %d samples" % (be, off, len(v)))
        want = abba.summarize([b["a"] for b in bl], [b["b"] for b in bl], "lower", x["seed"])
        diff = [m for m in want if not close(x.get(m), want[m])]
        if diff:
            bad.append("abba.py gives %s" % {m: want[m] for m in diff})
        print("%s %s: k=%d, ABBA order, block medians, abba.py's summary%s"
              % ("BAD" if bad else "OK", name, k, ": " + "; ".join(bad[:3]) if bad else ""))
PY
verdicts "$d/check" json
# Every statistic recomputed from the samples: median, p99, min, max, mean, CV.
python3 "$top/tests/samplestats" "$d/q.json" >"$d/stats" 2>&1
verdicts "$d/stats" samples
# The human table: a header and map, unmap, map+unmap rows per case.
like "$(sed -n '/^PAT/p' "$d/table")" 'RATIO \[95% CI\]$' "table has a header with the ratio and its CI"
like "$(head -6 "$d/table")" 'geometric mean over K block pairs \(io K=5, vm K=R=2' "the header says what RATIO is"
like "$(sed -n '/^io .*map+unmap/p' "$d/table" | head -1)" "\\| +[0-9.]+ \\[[0-9.]+-[0-9.]+\\] [i${B:0:1}=?]\$" \
	"RATIO: ratio, [CI], verdict mark"
is "$(grep -cE '^(io|vm) ' "$d/table")" 27 "table has 3 rows for each of the 9 cases"
like "$(head -1 "$d/table")" '^# .*kernel .*series events' "table starts with the environment"

# --- an injected slowdown of iommufd, same boot --------------------------
# Every iommufd call is stretched to 1.2 times its own time: the median
# per-call stretch must be 1.2 (a spin overshoots by a clock read), and
# the ABBA ratio of the stretched calls must be 1.2 times the ratio of the
# same calls unstretched (block medians scale with their calls).  Between
# two runs the ratio moves by more than 20% under TCG, so the shift is
# judged within one run, not against a second one.
"${MB[@]}" -q -s 4k -S none -t 1 -n 400 -w 20 -k 8 -j --inject-slowdown 20 \
	>"$d/s20.json" 2>"$d/err"
ok $? "a run with --inject-slowdown 20 ($(head -c 200 "$d/err"))"
python3 - "$d/s20.json" "$B" >"$d/slow" 2>&1 <<'PY'
import json, sys
doc, B = json.load(open(sys.argv[1])), sys.argv[2]
c = [c for c in doc["comparisons"] if c["metric"] == "map+unmap"][0]
r = doc["cases"][0]["results"]
print(doc["env"]["inject_slowdown_pct"], "%.4f" % c["injected"]["call_stretch"],
      "%.4f" % c["injected"]["shift"], "%.4f" % (c["ratio"] / c["injected"]["ratio_unstretched"]),
      "%.4f" % r["iommufd"]["map"]["call_stretch"], int("call_stretch" in r[B]["map"]))
PY
read -r pct call shift _ call_map t1_has <"$d/slow"
is "$pct" 20 "--inject-slowdown 20: inject_slowdown_pct in env"
within() { python3 -c 'import sys; sys.exit(not float(sys.argv[2]) <= float(sys.argv[1]) <= float(sys.argv[3]))' "$@"; }
within "$call" 1.199 1.25
ok $? "iommufd map+unmap calls stretched x$call (median over calls; 1.2 asked)"
within "$call_map" 1.199 1.25
ok $? "iommufd map calls stretched x$call_map"
within "$shift" 1.15 1.30
ok $? "the ratio's shift by the injection: x$shift (1.2 asked)"
is "$t1_has" 0 "$B is not stretched: no call_stretch in its results"
"$mb" -q -s 4k -S none -t 1 -n 40 -w 2 -k 2 -j -b "$B" >"$d/one.json" 2>/dev/null
python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); sys.exit(d["comparisons"] != [] or list(d["cases"][0]["results"]) != [sys.argv[2]] or "call_stretch" in d["cases"][0]["results"][sys.argv[2]]["map"])' "$d/one.json" "$B"
ok $? "one backend (-b $B): no comparisons, $B's results only, not stretched"
fails "usage: --inject-slowdown with one backend" "--inject-slowdown tests a comparison" \
	"$mb" -q -s 4k -S none -t 1 -n 40 --inject-slowdown 20 -b "$B"

# --- two-stage K (-K, -R) ---------------------------------------------------
# Two planned pairs, then as many as their spread says a 20% change needs
# (lib/abba.py's k_for_20pct, the largest over map, unmap and map+unmap,
# at least 5, so a second stage always runs), rounded up to even, within
# the caps; added blocks run n0/k0 rounds (40 rounds in 3 planned blocks:
# 14, 13, 13, then 13 each).  The per-I/O cap is out of reach (a block is
# 13 cheap rounds), so its count is the estimate's; VM-RAM's is 6.
"${MB[@]}" -s 4k -S 8m -B anon -t 1 -n 40 -w 2 -k 3 -K 1000 -r 2 -R 6 -j \
	>"$d/two.json" 2>"$d/two.err"
ok $? "-k 3 -K 1000 -r 2 -R 6 runs ($(head -c 200 "$d/two.err"))"
like "$(cat "$d/two.err")" 'io-4K-anon-t1: the first 3 pairs: [0-9]+ needed for 20%; ran [0-9]+ \(at most 1000\)' \
	"progress: what the first pairs said and how many ran"
PYTHONPATH=$top/lib python3 - "$d/two.json" >"$d/twocheck" 2>&1 <<'PY'
import json, sys
import abba
try:
    doc = json.load(open(sys.argv[1]))
except Exception as e:
    print("BAD invalid JSON: %s" % e)
    sys.exit(0)
print("OK valid JSON")
cfg = doc["config"]
print("%s config: max_blocks %s, max_repeat %s" % (
    "OK" if (cfg["max_blocks"], cfg["max_repeat"]) == (1000, 6) else "BAD",
    cfg["max_blocks"], cfg["max_repeat"]))
cmps = {(c["case"], c["metric"]): c for c in doc["comparisons"]}
for c in doc["cases"]:
    k0, kmax = (3, 1000) if c["pattern"] == "io" else (2, 6)
    n0 = 40 if c["pattern"] == "io" else 2
    x = [cmps[(c["id"], op)] for op in ("map", "unmap", "map+unmap")]
    first = [abba.summarize([b["a"] for b in y["blocks"][:k0]],
                            [b["b"] for b in y["blocks"][:k0]], "lower", y["seed"]) for y in x]
    need = max(f["k_for_20pct"] or 0 for f in first)
    k = min(max(need + need % 2, k0), kmax)
    bad = []
    if c["pattern"] == "io" and k >= kmax:
        bad.append("the estimate %d reached the cap: the count shows nothing" % need)
    if (c["k_planned"], c["k_max"], c["k_need"]) != (k0, kmax, need):
        bad.append("k_planned/k_max/k_need %s, want %s" % (
            (c["k_planned"], c["k_max"], c["k_need"]), (k0, kmax, need)))
    for y in x:
        if y["k"] != k or len(y["blocks"]) != k or (y["k_planned"], y["k_max"]) != (k0, kmax):
            bad.append("%s: k %s, %d blocks, want %d" % (y["metric"], y["k"], len(y["blocks"]), k))
        rounds = [b["n_a"] for b in y["blocks"]]
        want = [n0 // k0 + (j < n0 % k0) for j in range(k0)] + [n0 // k0] * (k - k0)
        if rounds != want:
            bad.append("%s: rounds per block %s, want %s" % (y["metric"], rounds, want))
    if c["n"] != sum(n0 // k0 + (j < n0 % k0) if j < k0 else n0 // k0 for j in range(k)):
        bad.append("n %d" % c["n"])
    print("%s %s: the first %d pairs need %d, %d ran (cap %d), blocks and n%s" % (
        "BAD" if bad else "OK", c["id"], k0, need, k, kmax, ": " + "; ".join(bad[:3]) if bad else ""))
PY
verdicts "$d/twocheck" two-stage
fails "usage: -K below -k" "-K 4 is below the 8 block pairs planned" "$mb" -k 8 -K 4
fails "usage: -R below -r" "-R 3 is below the 8 rounds planned" "$mb" -R 3
fails "usage: an odd cap" "-K and -R take an even number of pairs" "$mb" -K 17

# --- the third backend ------------------------------------------------------
if [ "$B" = type1 ]; then
	# compat (type1's ioctls on iommufd's /dev/iommu) against type1, same boot.
	"$mb" -q -b compat,type1 -s 4k -S none -t 1 -n 40 -w 2 -k 2 -j >"$d/compat.json" 2>"$d/err"
	ok $? "-b compat,type1 runs ($(head -c 200 "$d/err"))"
	python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); c = d["comparisons"][0]
sys.exit(d["config"]["backends"] != ["compat", "type1"] or (c["a"], c["b"]) != ("compat", "type1")
         or sorted(d["cases"][0]["results"]) != ["compat", "type1"])' "$d/compat.json"
	ok $? "-b compat,type1: a = compat, b = type1, results of both"
else
	fails "type1 on a kernel without it" "/dev/vfio/vfio is iommufd's .*no VFIO type1" \
		"$mb" -q -b type1 -s 4k -S none -t 1 -n 3
fi
fails "usage: the same backend twice" "bad backend list 'iommufd,iommufd'" "$mb" -b iommufd,iommufd
fails "usage: an unknown backend" "bad backend list 'type2'" "$mb" -b type2

# --- bad input ------------------------------------------------------------
fails "usage: size not a multiple of 4 KiB" "bad per-I/O size" "$mb" -s 5000
is "$("$mb" -s 5000 >/dev/null 2>&1; echo $?)" 2 "usage errors exit 2"
fails "usage: -k 0" "-k takes a count from 1" "$mb" -k 0
fails "usage: more blocks than rounds" "-k 30 blocks need at least as many rounds" "$mb" -n 20 -k 30
fails "usage: --inject-slowdown not a number" "--inject-slowdown takes a count" "$mb" --inject-slowdown x
fails "impossible size" "impossible size" "${MB[@]}" -q -s none -S 64g -B anon
# Between MemAvailable less 64 MiB and MemTotal, whatever the guest's size.
avail_m=$(($(awk '/^MemAvailable:/ {print $2}' /proc/meminfo) / 1024 / 2 * 2))
fails "more than available" "only .* is available" "${MB[@]}" -q -s none -S "${avail_m}m" -B anon
fails "wrong BDF" "no PCI device 0000:00:1f.7" "${MB[@]}" -q --quick -d 0000:00:1f.7
fails "not a BDF" "not a PCI address" "${MB[@]}" -q --quick -d nvme0
fails "not root" "must run as root" \
	setpriv --reuid=nobody --regid=nogroup --clear-groups "${MB[@]}" -q --quick
echo 0 >"$hp"
fails "hugetlbfs without pages" "hugetlbfs has 0 free 2 MiB pages.*nr_hugepages" \
	"${MB[@]}" -q -s none -S 8m -B hugetlb
fails "RLIMIT_MEMLOCK without CAP_IPC_LOCK" "RLIMIT_MEMLOCK is 64K .*CAP_IPC_LOCK" \
	prlimit --memlock=65536 setpriv --bounding-set=-ipc_lock "${MB[@]}" -q -s 4k,2m -S none -t 1 -n 3
fails "IOVA range unavailable (MSI window)" "IOVA range unavailable" \
	"${MB[@]}" -q -s 4k -S none -t 1 -n 3 -a 0xfee00000
fails "IOVA range unavailable (past the address width)" "IOVA range unavailable" \
	"${MB[@]}" -q -s 4k -S none -t 1 -n 3 -a 0x7ffffffffff000
fails "no /dev/iommu" "no /dev/iommu" \
	unshare -m sh -c 'mount -t tmpfs none /dev && exec "$0" "$@"' "$mb" -q -b iommufd -s 4k -S none -t 1
# Interrupted while pages are pinned: the teardown must unpin them.
before=$(pinned)
"${MB[@]}" -q -s 2m -S none -t 2 -n 1000000 -w 0 >/dev/null 2>"$d/err" &
pid=$!
sleep 3
# Stopped mid-run it holds pins: the check above can see a leak.
held=0
for i in 1 2 3 4 5; do
	kill -STOP "$pid"
	held=$(($(pinned) - before))
	kill -CONT "$pid"
	[ "$held" -gt 0 ] && break
	sleep 0.3
done
[ "$held" -gt 0 ]
ok $? "the pin count sees a running mapbench's pins ($held pages)"
kill -TERM "$pid"
wait "$pid"
rc=$?
[ "$rc" != 0 ]
ok $? "SIGTERM mid-run: non-zero exit (got $rc)"
like "$(cat "$d/err")" '^mapbench: interrupted' "SIGTERM mid-run: says so"
is "$(pinned_back "$before")" "$before" "SIGTERM mid-run: nothing left pinned"
# The device without a driver: unbind it, and bind it back to vfio-pci.
echo "$bdf" >"$dev/driver/unbind"
fails "device not bound to vfio-pci" "$bdf is not bound to any driver" "${MB[@]}" -q --quick -d "$bdf"
fails "no device on vfio-pci" "no PCI device is bound to vfio-pci" "${MB[@]}" -q --quick
echo "$bdf" >/sys/bus/pci/drivers_probe
is "$(basename "$(readlink "$dev/driver")")" vfio-pci "device bound to vfio-pci again"

# Nothing was left attached: both backends open the device again.
pin0=$(pinned)
"${MB[@]}" -q -s 4k -S none -t 1 -n 5 -w 1 -j >"$d/after.json" 2>"$d/err"
ok $? "after the failures, both backends open the device and run ($(head -c 200 "$d/err"))"
is "$(pinned_back "$pin0")" "$pin0" "and leave nothing pinned"
# With CAP_IPC_LOCK (root) a tiny RLIMIT_MEMLOCK does not stop it.
prlimit --memlock=65536 "${MB[@]}" -q -s 2m -S none -t 1 -n 3 -w 0 -j >/dev/null 2>"$d/err"
ok $? "root with CAP_IPC_LOCK runs under a 64K RLIMIT_MEMLOCK ($(head -c 200 "$d/err"))"

done_testing
