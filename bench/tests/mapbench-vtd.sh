#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# mapbench-vtd.sh BINDIR: bench/mapbench in the VT-d testbed boot, TAP.
#
#   testbed/run -o /tmp/mb -- bench/tests/mapbench-vtd.sh build/k/<key>
#
# The tiny configuration (--quick) must give one valid JSON document with
# every case and both backends, N samples as asked, statistics that agree
# with the raw samples (tests/samplestats recomputes each), and the ratio
# of the medians; then each kind of bad input must fail with one
# "mapbench: " line and a non-zero exit, and leave nothing pinned
# (/proc/vmstat FOLL_PIN counters), mapped or attached (the device opens
# again afterwards).  MAPBENCH=path overrides BINDIR/mapbench.

set -u
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$top/tests/tap.sh"
. "$top/tests/pins.sh"
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
echo "# $(uname -r), $mb"

# fails NAME WANT-REGEX CMD...: see fails_cleanly (tests/pins.sh).
fails() { fails_cleanly mapbench "$@"; }

# --- the tiny configuration ------------------------------------------------
echo 4 >"$hp"	# --quick's hugetlb case: 8 MiB
pin0=$(pinned)
"$mb" --quick -H testhash -o "$d/q.json" >"$d/table" 2>"$d/progress"
ok $? "--quick runs (exit 0)"
is "$(pinned_back "$pin0")" "$pin0" "--quick: nothing left pinned after a good run"
like "$(cat "$d/progress")" '^\[ ?1/18 .*\] io-4K-anon-t1' "progress lines on stderr"

python3 - "$d/q.json" "$(uname -r)" >"$d/check" 2>&1 <<'PY'
import json, sys
path, release = sys.argv[1], sys.argv[2]
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
    for be in ("iommufd", "type1"):
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
            ratio = c["results"]["iommufd"][op]["median"] / c["results"]["type1"][op]["median"]
            if abs(c["ratio"][op] - ratio) > 1e-9 * ratio:
                bad.append("ratio %s %s, want %s" % (op, c["ratio"][op], ratio))
        except (KeyError, TypeError, ZeroDivisionError) as e:
            bad.append("ratio %s: %r" % (op, e))
    print("%s %s: both backends, N=%d, statistics in order, ratio of the medians%s"
          % ("BAD" if bad else "OK", name, n, ": " + "; ".join(bad) if bad else ""))
PY
verdicts "$d/check" json
# Every statistic recomputed from the samples: median, p99, min, max, mean, CV.
python3 "$top/tests/samplestats" "$d/q.json" >"$d/stats" 2>&1
verdicts "$d/stats" samples
# The human table: a header and map, unmap, map+unmap rows per case.
like "$(head -3 "$d/table")" 'RATIO' "table has a header with the ratio"
is "$(grep -cE '^(io|vm) ' "$d/table")" 27 "table has 3 rows for each of the 9 cases"
like "$(head -1 "$d/table")" '^# .*kernel .*series events' "table starts with the environment"

# --- bad input ------------------------------------------------------------
fails "usage: size not a multiple of 4 KiB" "bad per-I/O size" "$mb" -s 5000
is "$("$mb" -s 5000 >/dev/null 2>&1; echo $?)" 2 "usage errors exit 2"
fails "impossible size" "impossible size" "$mb" -q -s none -S 64g -B anon
# Between MemAvailable less 64 MiB and MemTotal, whatever the guest's size.
avail_m=$(($(awk '/^MemAvailable:/ {print $2}' /proc/meminfo) / 1024 / 2 * 2))
fails "more than available" "only .* is available" "$mb" -q -s none -S "${avail_m}m" -B anon
fails "wrong BDF" "no PCI device 0000:00:1f.7" "$mb" -q --quick -d 0000:00:1f.7
fails "not a BDF" "not a PCI address" "$mb" -q --quick -d nvme0
fails "not root" "must run as root" \
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$mb" -q --quick
echo 0 >"$hp"
fails "hugetlbfs without pages" "hugetlbfs has 0 free 2 MiB pages.*nr_hugepages" \
	"$mb" -q -s none -S 8m -B hugetlb
fails "RLIMIT_MEMLOCK without CAP_IPC_LOCK" "RLIMIT_MEMLOCK is 64K .*CAP_IPC_LOCK" \
	prlimit --memlock=65536 setpriv --bounding-set=-ipc_lock "$mb" -q -s 4k,2m -S none -t 1 -n 3
fails "IOVA range unavailable (MSI window)" "IOVA range unavailable" \
	"$mb" -q -s 4k -S none -t 1 -n 3 -a 0xfee00000
fails "IOVA range unavailable (past the address width)" "IOVA range unavailable" \
	"$mb" -q -s 4k -S none -t 1 -n 3 -a 0x7ffffffffff000
fails "no /dev/iommu" "no /dev/iommu" \
	unshare -m sh -c 'mount -t tmpfs none /dev && exec "$0" "$@"' "$mb" -q -b iommufd -s 4k -S none -t 1
# Interrupted while pages are pinned: the teardown must unpin them.
before=$(pinned)
"$mb" -q -s 2m -S none -t 2 -n 1000000 -w 0 >/dev/null 2>"$d/err" &
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
fails "device not bound to vfio-pci" "$bdf is not bound to any driver" "$mb" -q --quick -d "$bdf"
fails "no device on vfio-pci" "no PCI device is bound to vfio-pci" "$mb" -q --quick
echo "$bdf" >/sys/bus/pci/drivers_probe
is "$(basename "$(readlink "$dev/driver")")" vfio-pci "device bound to vfio-pci again"

# Nothing was left attached: both backends open the device again.
pin0=$(pinned)
"$mb" -q -s 4k -S none -t 1 -n 5 -w 1 -j >"$d/after.json" 2>"$d/err"
ok $? "after the failures, both backends open the device and run ($(head -c 200 "$d/err"))"
is "$(pinned_back "$pin0")" "$pin0" "and leave nothing pinned"
# With CAP_IPC_LOCK (root) a tiny RLIMIT_MEMLOCK does not stop it.
prlimit --memlock=65536 "$mb" -q -s 2m -S none -t 1 -n 3 -w 0 -j >/dev/null 2>"$d/err"
ok $? "root with CAP_IPC_LOCK runs under a 64K RLIMIT_MEMLOCK ($(head -c 200 "$d/err"))"

done_testing
