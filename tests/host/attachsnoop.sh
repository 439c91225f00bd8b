# SPDX-License-Identifier: GPL-2.0
# bpf/attachsnoop on the host kernel: no iommufd/VFIO events here, so it
# runs its fallback (the ioctl syscall tracepoints).  Real attaches need
# the testbed (bpf/tests/attachsnoop-vtd.sh); here the seven decoded
# ioctl numbers on /dev/null fail with ENOTTY, which still exercises the
# decoding, the user struct copy, errno names, the filter, JSON, signals
# and cleanup.  ATTACHSNOOP=path skips the build.
. "$(dirname "$0")/../tap.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
bg=
trap '[ -n "$bg" ] && kill "$bg" 2>/dev/null; rm -rf "$tmp"' EXIT

[ "$(id -u)" = 0 ] || { echo "ok 1 attachsnoop # SKIP not root: BPF needs CAP_BPF and CAP_PERFMON"; echo "1..1"; exit 0; }

snoop=${ATTACHSNOOP:-}
if [ -z "$snoop" ]; then
	make -s -C "$top" build/bpf/attachsnoop >"$tmp/build" 2>&1
	ok $? "attachsnoop builds (make build/bpf/attachsnoop)" || {
		sed 's/^/#   /' "$tmp/build" | tail -20
		done_testing
		exit 1
	}
	snoop=$top/build/bpf/attachsnoop
fi

# The seven ioctls on /dev/null; VFIO_DEVICE_BIND_IOMMUFD carries a
# recognisable iommufd fd (77), IOMMU_HWPT_ALLOC a dev_id and pt_id.
poke() {
	python3 - <<'PY'
import fcntl, os, struct
V = ord(';') << 8
reqs = [("bind", V | 118, struct.pack("=IIiI", 16, 0, 77, 0)),
        ("attach", V | 119, struct.pack("=III", 12, 0, 5)),
        ("detach", V | 120, struct.pack("=II", 8, 0)),
        ("hwpt_alloc", V | 0x89, struct.pack("=IIIIIIIIQII", 48, 0, 3, 4, 0, 0, 0, 0, 0, 0, 0)),
        ("set_container", V | 104, struct.pack("=i", 9)),
        ("set_iommu", V | 102, None),
        ("unset_container", V | 105, None),
        ("other", 0x5401, bytes(64))]		# TCGETS: not ours
fd = os.open("/dev/null", os.O_RDONLY)
for _, req, arg in reqs:
    try:
        fcntl.ioctl(fd, req, arg if arg is not None else 3)
    except OSError:
        pass
os.close(fd)
PY
}

# run NAME ARGS...: attachsnoop ARGS in the background until its banner,
# poke, stop it with SIGTERM (or $SIG); its output in $tmp/NAME.
loaded() {
	bpftool prog show 2>/dev/null | grep -cE 'name (sys_enter_ioctl|sys_exit_ioctl|sys_enter_close|raw_sys_enter|raw_sys_exit)( |$)'
}
run() {
	local name=$1 i
	shift
	"$snoop" "$@" >"$tmp/$name" 2>"$tmp/$name.err" &
	bg=$!
	wait_tracing "$bg" "$tmp/$name.err" "$tmp/$name"
	during=$(loaded)
	poke
	sleep 0.3
	kill -"${SIG:-TERM}" "$bg"
	# it must end on the signal: 10 s, then SIGKILL and exit 137
	for i in $(seq 100); do
		kill -0 "$bg" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$bg" 2>/dev/null && { echo "# attachsnoop still running 10 s after SIG${SIG:-TERM}"; kill -KILL "$bg"; }
	wait "$bg"
	rc=$?
	bg=
}

before=$(loaded)
run json -j
if [ $rc != 0 ] && grep -qE "not allowed to load BPF|has no BTF|cannot load BPF" "$tmp/json.err"; then
	echo "ok 1 attachsnoop # SKIP BPF unavailable: $(head -1 "$tmp/json.err")"
	echo "1..1"
	exit 0
fi
is "$rc" 0 "-j: SIGTERM ends it with exit 0"
like "$(cat "$tmp/json.err")" "^mode: fallback, syscalls:sys_\{enter,exit\}_ioctl, sys_enter_close" \
	"the banner says it runs the syscall fallback (on stderr with -j)"
like "$(cat "$tmp/json.err")" "unavailable:" "and what is unavailable"
is "$during" "$((before + 3))" "while running: sys_enter_ioctl, sys_exit_ioctl, sys_enter_close loaded"
is "$(loaded)" "$before" "after exit: the programs are gone"
python3 - "$tmp/json" "$$" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
got = [(r["backend"], r["event"], r["ioctl"], r["ret"], r["errno"]) for r in recs]
want = [("iommufd", "bind", "VFIO_DEVICE_BIND_IOMMUFD"),
        ("iommufd", "attach", "VFIO_DEVICE_ATTACH_IOMMUFD_PT"),
        ("iommufd", "detach", "VFIO_DEVICE_DETACH_IOMMUFD_PT"),
        ("iommufd", "hwpt_alloc", "IOMMU_HWPT_ALLOC"),
        ("type1", "set_container", "VFIO_GROUP_SET_CONTAINER"),
        ("type1", "set_iommu", "VFIO_SET_IOMMU"),
        ("type1", "unset_container", "VFIO_GROUP_UNSET_CONTAINER")]
want = [w + (-25, "ENOTTY") for w in want]
err = []
if got != want:
    err.append("got  %s\n#   want %s" % (got, want))
for r in recs:
    if r["mode"] != "syscalls" or r["comm"] != "python3" or r["fd"] is None:
        err.append("record: %s" % r)
    if r["latency_us"] is None or r["latency_us"] <= 0:
        err.append("no latency: %s" % r)
h = [r for r in recs if r["event"] == "hwpt_alloc"]
if h and (h[0]["dev_id"], h[0]["pt_id"], h[0]["hwpt_id"]) != (3, 4, None):
    err.append("hwpt_alloc: the user struct's dev_id 3, pt_id 4, no hwpt: %s" % h[0])
a = [r for r in recs if r["event"] == "attach"]
if a and a[0]["pt_id"] != 5:
    err.append("attach: the user struct's pt_id 5: %s" % a[0])
for e in err:
    print("#   " + e)
sys.exit(1 if err else 0)
PY
ok $? "-j: the 7 ioctls decoded in order as ENOTTY failures with the user structs' ids; TCGETS ignored"

SIG=INT run human
is "$rc" 0 "SIGINT: exit 0"
out=$(cat "$tmp/human")
like "$out" "^PID +COMM +BACKEND +EVENT +RET +LAT\(us\) +DETAIL$" "human: a header"
like "$out" "^[0-9]+ +python3 +iommufd +hwpt_alloc +ENOTTY +[0-9.]+ dev=3 pt=4$" \
	"human: a decoded line with the errno name"
is "$(grep -c python3 <<<"$out")" 7 "human: seven lines"
is "$(awk '{ if (length($0) > m) m = length($0) } END { print (m <= 80) }' <<<"$out")" 1 \
	"human: fits 80 columns"
is "$(cat "$tmp/human.err")" "" "human: nothing on stderr"

run filtered -j -p 1
is "$(wc -l <"$tmp/filtered")" 0 "-p 1: other processes filtered out"

# The mode is probed in $TRACEFS; libbpf attaches through the real tracefs.
mkdir -p "$tmp/tfs-raw/events/raw_syscalls/sys_enter" "$tmp/tfs-raw/events/raw_syscalls/sys_exit" "$tmp/none"
TRACEFS=$tmp/tfs-raw run raw -j
is "$rc" 0 "raw_syscalls fallback: exit 0"
like "$(cat "$tmp/raw.err")" "^mode: fallback, raw_syscalls" "raw_syscalls: says so"
is "$(wc -l <"$tmp/raw"):$(grep -c '"errno":"ENOTTY"' "$tmp/raw")" "7:7" "raw_syscalls: the same 7 records"

TRACEFS=$tmp/none "$snoop" >"$tmp/out" 2>"$tmp/err"
is "$?" 1 "neither series nor syscall events: exit 1"
is "$(wc -l <"$tmp/err")" 1 "one message"
like "$(cat "$tmp/err")" "^attachsnoop: nothing to attach to: " "says there is nothing to attach to"

if command -v setpriv >/dev/null; then
	setpriv --reuid=65534 --regid=65534 --clear-groups "$snoop" >"$tmp/out" 2>"$tmp/err"
	is "$?:$(wc -l <"$tmp/err")" "1:1" "not root: exit 1, one message"
	like "$(cat "$tmp/err")" "^attachsnoop: not allowed to load BPF programs: run as root" \
		"not root: says so"
fi

"$snoop" -x >/dev/null 2>"$tmp/err"
is "$?" 2 "unknown option: exit 2"
like "$(cat "$tmp/err")" "^usage: attachsnoop" "unknown option: the usage"
"$snoop" -p abc >/dev/null 2>"$tmp/err"
is "$?" 2 "bad PID: exit 2"
like "$(cat "$tmp/err")" "^attachsnoop: invalid PID 'abc'" "bad PID: says which"
"$snoop" 5 >/dev/null 2>&1
is "$?" 2 "a positional argument: exit 2"
out=$("$snoop" -h)
is "$?" 0 "-h exits 0"
like "$out" "^examples:" "-h shows examples"
done_testing
