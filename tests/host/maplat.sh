# SPDX-License-Identifier: GPL-2.0
# bpf/maplat on the host kernel: no iommufd/VFIO events here, so it runs
# its fallback (ioctl syscall tracepoints).  Real map/unmap needs the
# testbed (bpf/tests/maplat-guest.sh); here ioctls with the IOAS_MAP and
# VFIO UNMAP_DMA numbers on /dev/null fail with ENOTTY, which still
# exercises the decoding, the user struct read, the failure count, the
# filters, JSON, signals and cleanup.  MAPLAT=path skips the build.
. "$(dirname "$0")/../tap.sh"
. "$(dirname "$0")/../bpfprogs.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/hostlib.sh"
scratch

skip_all() {
	echo "ok 1 maplat # SKIP $*"
	echo "1..1"
	exit 0
}

[ "$(id -u)" = 0 ] || skip_all "not root: BPF needs CAP_BPF and CAP_PERFMON"

m=${MAPLAT:-}
if [ -z "$m" ]; then
	make -s -C "$top" build/bpf/maplat >"$d/make.log" 2>&1
	rc=$?
	ok $rc "maplat builds (make build/bpf/maplat)"
	[ $rc = 0 ] || { sed 's/^/#   /' "$d/make.log" | tail -20; done_testing; exit 1; }
	m=$top/build/bpf/maplat
fi

out=$("$m" -i 1 1 2>"$d/err"); rc=$?
if [ $rc != 0 ] && grep -qE "not allowed to load BPF|has no BTF|cannot load BPF" "$d/err"; then
	skip_all "BPF unavailable: $(head -1 "$d/err")"
fi
is "$rc" 0 "-i 1 1: runs one interval and exits 0"
like "$out" "^mode: fallback, syscalls:sys_\{enter,exit\}_ioctl" "says it runs the syscall fallback"
like "$out" "unavailable: pin batches" "says what the fallback cannot show"
like "$out" "^no map, unmap, copy, dirty bitmap read or access seen$" "an empty report"
is "$(awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }' <<<"$out" |
	awk '{ print ($1 <= 80) }')" 1 "human output fits 80 columns"
is "$(cat "$d/err")" "" "nothing on stderr"

"$m" -j -i 1 1 >"$d/j" 2>"$d/err"; rc=$?
is "$rc" 0 "-j -i 1 1 exits 0"
is "$(wc -l <"$d/j")" 1 "-j: one document for one interval"
python3 - "$d/j" <<'PY'
import json, sys
d = json.loads(open(sys.argv[1]).read())
assert d["tool"] == "maplat" and d["mode"] == "syscalls" and d["fallback"] is True, d
assert d["histograms"] == [], d
assert "pin_batches" in d["unavailable"] and d["unit"] == "us", d
assert 0.9 < d["seconds"] < 3, d
PY
ok $? "-j: valid JSON, mode syscalls, no histograms, unavailable columns listed"
like "$(cat "$d/err")" "^mode: fallback" "-j: the banner goes to stderr"
"$m" -j 1 2 >"$d/j2" 2>/dev/null; rc=$?
is "$rc:$(wc -l <"$d/j2")" "0:2" "positional 'interval count' (1 2): two documents"

# Stopped and continued (job control; a debugger or strace attaching does
# the same) in the middle of an interval: the interval goes on, no early
# report (lib/cli's wait was interrupted, and took that for its end).
"$m" -j 3 1 >"$d/stc" 2>"$d/stc.err" &
p=$!
wait_tracing $p "$d/stc.err"
t0=$(date +%s%N)
sleep 1
kill -STOP $p && sleep 0.2 && kill -CONT $p
wait $p; rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
[ "$rc" = 0 ] && [ "$(wc -l <"$d/stc")" = 1 ] && [ "$ms" -ge 2500 ] && [ "$ms" -lt 4500 ]
ok $? "SIGSTOP + SIGCONT 1 s into a 3 s interval: one report, at its end (${ms} ms after the banner: 2.5 to 4.5 s, exit $rc)"

# fake NAME ARGS...: start maplat ARGS in the background, wait until it is
# attached, run the ioctls, stop it with SIGTERM (or $SIG); JSON in $d/NAME.
fake_ioctls() {
	PYTHONPATH=$top/tests python3 - <<'PY'
from iommufd import IOAS_MAP, IOAS_MAP_FMT, VFIO_DMA_UNMAP_FMT, VFIO_UNMAP_DMA, on_null
on_null(IOAS_MAP, IOAS_MAP_FMT, 40, 0, 1, 0, 0, 8192, 0, n=7)	# IOAS 1, 8 KiB
on_null(VFIO_UNMAP_DMA, VFIO_DMA_UNMAP_FMT, 24, 0, 0, 4096, n=3)	# 4 KiB
on_null(0x5401, "64x")	# TCGETS: not ours
PY
}
run_fake() {
	local name=$1 i
	shift
	"$m" -j "$@" >"$d/$name" 2>"$d/$name.err" &
	pids+=($!)
	wait_tracing "${pids[-1]}" "$d/$name.err"
	ids=$(progs_of "${pids[-1]}" "sys_(enter|exit)_ioctl")
	fake_ioctls
	kill -"${SIG:-TERM}" "${pids[-1]}"
	wait "${pids[-1]}"
}

run_fake all; rc=$?
is "$rc" 0 "SIGTERM: one report, exit 0"
is "$(wc -w <<<"$ids")" 2 "while running: its sys_enter_ioctl and sys_exit_ioctl loaded"
# shellcheck disable=SC2086
is "$(still_loaded $ids)" 0 "after exit: the programs are gone"
check() {
	python3 - "$d/$1" "$2" <<'PY'
import json, sys
docs = [json.loads(l) for l in open(sys.argv[1])]
assert len(docs) == 1, docs
h = docs[0]["histograms"]
got = sorted((x["backend"], x["op"], x["size_log2"], x["count"], x["failed"]) for x in h)
want = sorted(eval(sys.argv[2]))
if got != want:
    print("#   got:  %s\n#   want: %s" % (got, want))
    sys.exit(1)
PY
}
check all "[('iommufd', 'map', 13, 0, 7), ('type1', 'unmap', 12, 0, 3)]"
ok $? "decoded: 7 failed IOAS_MAP of 8K, 3 failed UNMAP_DMA of 4K, TCGETS ignored"

run_fake type1 --backend type1
check type1 "[('type1', 'unmap', 12, 0, 3)]"
ok $? "--backend type1: only type1"

run_fake other -p 1
check other "[]"
ok $? "-p 1: other processes filtered out"

SIG=INT run_fake perproc -P; rc=$?
is "$rc" 0 "SIGINT: one report, exit 0"
python3 - "$d/perproc" <<'PY'
import json, sys
h = json.loads(open(sys.argv[1]).read())["histograms"]
assert len(h) == 2 and all(x["comm"].startswith("python3") and x["pid"] > 1 for x in h), h
PY
ok $? "-P: histograms carry the pid and comm of the process"

run_fake perioas -I
python3 - "$d/perioas" <<'PY'
import json, sys
h = json.loads(open(sys.argv[1]).read())["histograms"]
got = sorted((x["backend"], x.get("ioas_id"), x.get("container"), x["failed"]) for x in h)
# the IOAS id from the user struct (1); type1's one fd numbered 1
want = [("iommufd", 1, None, 7), ("type1", None, 1, 3)]
if got != want:
    print("#   got:  %s\n#   want: %s" % (got, want))
    sys.exit(1)
PY
ok $? "-I: iommufd keyed by the IOAS id of the user struct, type1 by container"
like "$(cat "$d/perioas.err")" "^  here a process's container fd$" \
	"-I: says what a container is in the fallback"

# The mode is probed in $TRACEFS (lib/tracefs); libbpf attaches through
# the real tracefs.  A tracefs without syscalls:* picks raw_syscalls,
# one without either leaves nothing to attach to.
mkdir -p "$d/fake/events/raw_syscalls/sys_enter" "$d/fake/events/raw_syscalls/sys_exit" "$d/none"
TRACEFS=$d/fake run_fake raw; rc=$?
is "$rc" 0 "raw_syscalls fallback: exit 0"
like "$(cat "$d/raw.err")" "^mode: fallback, raw_syscalls:sys_\{enter,exit\}" "raw_syscalls: says so"
check raw "[('iommufd', 'map', 13, 0, 7), ('type1', 'unmap', 12, 0, 3)]"
ok $? "raw_syscalls: the same counts"

TRACEFS=$d/none "$m" -i 1 1 >"$d/out" 2>"$d/err"; rc=$?
is "$rc" 1 "no syscall events and no series events: exit 1"
is "$(wc -l <"$d/err")" 1 "one message"
like "$(cat "$d/err")" "^maplat: nothing to attach to: " "it says there is nothing to attach to"
is "$(cat "$d/out")" "" "and prints no report"

if command -v setpriv >/dev/null; then
	setpriv --reuid=65534 --regid=65534 --clear-groups "$m" -i 1 1 >"$d/out" 2>"$d/err"
	rc=$?
	is "$rc:$(wc -l <"$d/err")" "1:1" "not root: exit 1, one message"
	like "$(cat "$d/err")" "^maplat: not allowed to load BPF programs: run as root" \
		"not root: says so"
fi

"$m" --backend foo >/dev/null 2>"$d/err"; rc=$?
is "$rc" 2 "unknown backend: exit 2"
like "$(cat "$d/err")" "unknown backend 'foo'" "unknown backend: says which"
like "$(cat "$d/err")" "^usage: maplat" "unknown backend: prints the usage"
"$m" -N -m >/dev/null 2>"$d/err"
is "$?:$(head -1 "$d/err")" "2:maplat: -N and -m: one unit" "-N and -m: exit 2, says why"
"$m" -x >/dev/null 2>&1
is "$?" 2 "unknown option: exit 2"
"$m" -i 0 >/dev/null 2>&1
is "$?" 2 "interval 0: exit 2"
"$m" -p abc >/dev/null 2>&1
is "$?" 2 "bad PID: exit 2"
"$m" 1 2 3 >/dev/null 2>&1
is "$?" 2 "three positional arguments: exit 2"
out=$("$m" -h); rc=$?
is "$rc" 0 "-h exits 0"
like "$out" "^examples:" "-h shows examples"
done_testing
