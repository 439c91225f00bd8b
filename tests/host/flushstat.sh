# SPDX-License-Identifier: GPL-2.0
# bpf/flushstat on the host kernel: no iommu:iotlb_sync and (here) no
# intel_iommu events, so it runs with no flush source: unmaps only, from
# iommu:unmap and the ioctl syscalls.  Checks the banner, an empty report,
# JSON, usage errors, the not-root message, that a forced flush source
# the kernel lacks is refused, and that nothing stays loaded.
# FLUSHSTAT=path skips the build.
. "$(dirname "$0")/../tap.sh"
. "$(dirname "$0")/../bpfprogs.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/hostlib.sh"
scratch

skip_all() {
	echo "ok 1 flushstat # SKIP $*"
	echo "1..1"
	exit 0
}

[ "$(id -u)" = 0 ] || skip_all "not root: BPF needs CAP_BPF and CAP_PERFMON"

f=${FLUSHSTAT:-}
if [ -z "$f" ]; then
	make -s -C "$top" build/bpf/flushstat >"$d/make.log" 2>&1
	rc=$?
	ok $rc "flushstat builds (make build/bpf/flushstat)"
	[ $rc = 0 ] || { sed 's/^/#   /' "$d/make.log" | tail -20; done_testing; exit 1; }
	f=$top/build/bpf/flushstat
fi

out=$("$f" -i 1 1 2>"$d/err"); rc=$?
if [ $rc != 0 ] && grep -qE "not allowed to load BPF|has no BTF|cannot load BPF" "$d/err"; then
	skip_all "BPF unavailable: $(head -1 "$d/err")"
fi
is "$rc" 0 "-i 1 1: runs one interval and exits 0"
is "$(cat "$d/err")" "" "nothing on stderr"
tsys=/sys/kernel/tracing/events
if [ -d $tsys/iommu/iotlb_sync ] || [ -d $tsys/intel_iommu/cache_tag_flush_range ] ||
	[ -d $tsys/intel_iommu/qi_submit ]; then
	echo "# this host has a flush source: the no-source checks are skipped"
	nosrc=0
else
	nosrc=1
fi
if [ $nosrc = 1 ]; then
	like "$out" "^mode: fallback, no flush source$" "says there is no flush source"
	like "$out" "unavailable: SYNCS/s, FLALL" "says which columns are unavailable"
	like "$out" "^  operations from syscalls:sys_\{enter,exit\}_ioctl$" \
		"says where operations come from"
fi
like "$out" "^no IOTLB flushes or unmaps seen$" "an empty report"
is "$(awk '{ if (length($0) > m) m = length($0) } END { print (m <= 80) }' <<<"$out")" 1 \
	"human output fits 80 columns"

"$f" -j -i 1 1 >"$d/j" 2>"$d/err"; rc=$?
is "$rc" 0 "-j -i 1 1 exits 0"
is "$(wc -l <"$d/j")" 1 "-j: one document for one interval"
python3 - "$d/j" "$nosrc" <<'PY'
import json, sys
d = json.loads(open(sys.argv[1]).read())
assert d["tool"] == "flushstat" and d["type"] == "interval", d
assert d["processes"] == [] and d["domains"] == [], d
assert set(d["ranges"]) == {"iommufd", "type1", "other"}, d
assert 0.9 < d["seconds"] < 3, d
if sys.argv[2] == "1":
    assert d["source"] == "none" and d["fallback"] is True, d
    assert d["attribution"] == "syscalls", d
    assert {"syncs", "flush_all", "range", "storms"} <= set(d["unavailable"]), d
PY
ok $? "-j: valid JSON, empty rows, source/attribution, unavailable columns"
like "$(cat "$d/err")" "^Tracing IOTLB flushes" "-j: the banner goes to stderr"
"$f" -j 1 2 >"$d/j2" 2>/dev/null; rc=$?
is "$rc:$(wc -l <"$d/j2")" "0:2" "positional 'interval count' (1 2): two documents"

# Programs loaded while it runs, gone after SIGTERM and SIGINT (counted
# from its own fds: other BPF users on the machine do not matter).
for sig in TERM INT; do
	"$f" >"$d/bg.$sig" 2>&1 &
	pids+=($!)
	for _ in $(seq 100); do
		grep -q '^Tracing' "$d/bg.$sig" && break
		sleep 0.1
	done
	ids=$(progs_of "${pids[-1]}")
	kill -$sig "${pids[-1]}"
	wait "${pids[-1]}"; rc=$?
	is "$rc" 0 "SIG$sig: exit 0"
	[ -n "$ids" ]
	ok $? "SIG$sig: programs loaded while running ($(wc -w <<<"$ids"))"
	# shellcheck disable=SC2086
	is "$(still_loaded $ids)" 0 "SIG$sig: the programs are gone after exit"
done

# A flush source the kernel lacks: refused, one message, exit 1.
if [ ! -d $tsys/intel_iommu/cache_tag_flush_range ]; then
	"$f" --source cache_tag -i 1 1 >"$d/out" 2>"$d/err"; rc=$?
	is "$rc:$(wc -l <"$d/err")" "1:1" "--source cache_tag without it: exit 1, one message"
	like "$(cat "$d/err")" "^flushstat: flush source cache_tag: this kernel has no tracepoint" \
		"it says which source is missing"
	is "$(cat "$d/out")" "" "and prints no report"
fi

# Nothing at all: a tracefs without the syscall events and no series.
mkdir -p "$d/none"
if [ $nosrc = 1 ]; then
	TRACEFS=$d/none "$f" -i 1 1 >"$d/out" 2>"$d/err"; rc=$?
	# iommu:unmap alone cannot be attributed: nothing usable
	is "$rc:$(wc -l <"$d/err")" "1:1" "no flush source, no ioctl events: exit 1, one message"
	like "$(cat "$d/err")" "^flushstat: nothing to attach to: " "it says there is nothing to attach to"
fi

if command -v setpriv >/dev/null; then
	setpriv --reuid=65534 --regid=65534 --clear-groups "$f" -i 1 1 >"$d/out" 2>"$d/err"
	rc=$?
	is "$rc:$(wc -l <"$d/err")" "1:1" "not root: exit 1, one message"
	like "$(cat "$d/err")" "^flushstat: not allowed to load BPF programs: run as root" \
		"not root: says so"
fi

for bad in "-x" "-i 0" "-p abc" "-r 0" "--storm-rate x" "--storm-range 0" \
	"--storm-intervals -1" "--source foo" "1 2 3"; do
	# shellcheck disable=SC2086
	"$f" $bad >"$d/out" 2>"$d/err"; rc=$?
	is "$rc:$(grep -c "^flushstat: " "$d/err")" "2:1" "'$bad': exit 2, one message"
done
like "$(cat "$d/err")" "^usage: flushstat" "usage errors print the usage"
"$f" --source foo 2>&1 >/dev/null | grep -q "unknown flush source 'foo'"
ok $? "--source foo: says which"
out=$("$f" -h); rc=$?
is "$rc" 0 "-h exits 0"
like "$out" "^examples:" "-h shows examples"
like "$out" "--storm-rate N" "-h documents the storm thresholds"
done_testing
