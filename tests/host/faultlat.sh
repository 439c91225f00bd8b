# SPDX-License-Identifier: GPL-2.0
# bpf/faultlat on the host kernel: no iommu/iommufd fault events here, so
# it runs its fallback (read/write of iommufd fault fds).  The host has no
# fault fd to read, so this checks that it starts, attaches, prints a
# valid empty report, says what it cannot show, refuses bad input and
# leaves nothing loaded.  Round trips are tested in the testbed
# (bpf/tests/faultlat-mock.sh).  FAULTLAT=path skips the build.
. "$(dirname "$0")/../tap.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
d=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$d"' EXIT

skip_all() {
	echo "ok 1 faultlat # SKIP $*"
	echo "1..1"
	exit 0
}

[ "$(id -u)" = 0 ] || skip_all "not root: BPF needs CAP_BPF and CAP_PERFMON"

f=${FAULTLAT:-}
if [ -z "$f" ]; then
	make -s -C "$top" build/bpf/faultlat >"$d/make.log" 2>&1
	rc=$?
	ok $rc "faultlat builds (make build/bpf/faultlat)"
	[ $rc = 0 ] || { sed 's/^/#   /' "$d/make.log" | tail -20; done_testing; exit 1; }
	f=$top/build/bpf/faultlat
fi

# this host's own kernel: with the series it would not be the fallback
if [ -d /sys/kernel/tracing/events/iommufd ]; then
	skip_all "this kernel has the iommufd events: the fallback is tested in the testbed"
fi

out=$("$f" -i 1 1 2>"$d/err"); rc=$?
if [ $rc != 0 ] && grep -qE "not allowed to load BPF|has no BTF|cannot load BPF" "$d/err"; then
	skip_all "BPF unavailable: $(head -1 "$d/err")"
fi
is "$rc" 0 "-i 1 1: runs one interval and exits 0"
like "$out" "^mode: fallback, syscalls:sys_\{enter,exit\}_read, sys_enter_write" \
	"says it runs the read/write fallback"
like "$out" "unavailable: page requests" "says which columns the fallback cannot fill"
like "$out" "^prq_report: " "says whether prq_report exists"
like "$out" "^outstanding 0$" "an empty report: 0 outstanding"
like "$out" "^no page request round trips seen$" "an empty report: no round trips"
is "$(awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }' <<<"$out" |
	awk '{ print ($1 <= 80) }')" 1 "human output fits 80 columns"
is "$(cat "$d/err")" "" "nothing on stderr"

"$f" -j -i 1 1 >"$d/j" 2>"$d/err"; rc=$?
is "$rc" 0 "-j -i 1 1 exits 0"
is "$(wc -l <"$d/j")" 1 "-j: one document for one interval"
python3 - "$d/j" <<'PY'
import json, sys
d = json.loads(open(sys.argv[1]).read())
assert d["tool"] == "faultlat" and d["mode"] == "syscalls" and d["fallback"] is True, d
assert d["devices"] == [] and d["outstanding"] == 0, d
for k in ("queue", "read", "deliver", "total", "lost", "page_requests"):
    assert k in d["unavailable"], (k, d)
assert "lost" not in d and "page_requests" not in d, d
assert d["unit"] == "us" and 0.9 < d["seconds"] < 3, d
PY
ok $? "-j: valid JSON, mode syscalls, no devices, unavailable columns listed"
like "$(cat "$d/err")" "^mode: fallback" "-j: the banner goes to stderr"
"$f" -j 1 2 >"$d/j2" 2>/dev/null; rc=$?
is "$rc:$(wc -l <"$d/j2")" "0:2" "positional 'interval count' (1 2): two documents"

# loaded while running, gone after SIGTERM / SIGINT
nprog() {
	bpftool prog show 2>/dev/null | grep -cE 'name (sys_enter_read|sys_exit_read|sys_enter_write) '
}
n0=$(nprog)
for sig in TERM INT; do
	"$f" -j >"$d/s" 2>"$d/s.err" &
	pid=$!
	wait_tracing "$pid" "$d/s.err"
	n1=$(nprog)
	kill -$sig $pid
	wait $pid
	rc=$?
	pid=
	is "$rc:$n1" "0:$((n0 + 3))" "SIG$sig: exit 0; while running its 3 programs were loaded"
	is "$(nprog)" "$n0" "SIG$sig: the programs are gone after exit"
	is "$(wc -l <"$d/s")" 1 "SIG$sig: one report"
done

# nothing to attach to (a tracefs without the events): one message, exit 1
mkdir -p "$d/none"
TRACEFS=$d/none "$f" -i 1 1 >"$d/out" 2>"$d/err"; rc=$?
is "$rc" 1 "no fault events, no syscall events, no prq_report: exit 1"
is "$(wc -l <"$d/err")" 1 "one message"
like "$(cat "$d/err")" "^faultlat: nothing to attach to: " "it says there is nothing to attach to"
is "$(cat "$d/out")" "" "and prints no report"

if command -v setpriv >/dev/null; then
	setpriv --reuid=65534 --regid=65534 --clear-groups "$f" -i 1 1 >"$d/out" 2>"$d/err"
	rc=$?
	is "$rc:$(wc -l <"$d/err")" "1:1" "not root: exit 1, one message"
	like "$(cat "$d/err")" "^faultlat: not allowed to load BPF programs: run as root" \
		"not root: says so"
fi

"$f" -x >/dev/null 2>"$d/err"
is "$?" 2 "unknown option: exit 2"
like "$(cat "$d/err")" "^usage: faultlat" "unknown option: prints the usage"
"$f" -m -N >/dev/null 2>"$d/err"
is "$?:$(head -1 "$d/err")" "2:faultlat: -N and -m: one unit" "-N and -m: exit 2, says why"
"$f" -i 0 >/dev/null 2>&1
is "$?" 2 "interval 0: exit 2"
"$f" -i x >/dev/null 2>"$d/err"
is "$?:$(head -1 "$d/err")" "2:faultlat: invalid interval 'x'" "bad interval: exit 2, says which"
"$f" -p abc >/dev/null 2>&1
is "$?" 2 "bad PID: exit 2"
"$f" 1 2 3 >/dev/null 2>&1
is "$?" 2 "three positional arguments: exit 2"
out=$("$f" -h); rc=$?
is "$rc" 0 "-h exits 0"
like "$out" "^examples:" "-h shows examples"
done_testing
