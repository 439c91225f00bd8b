#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# attachsnoop-vtd.sh BINDIR: bpf/attachsnoop in the testbed guest, TAP.
#
#   testbed/run -- bpf/tests/attachsnoop-vtd.sh build/k/<key>
#   testbed/run -k stock -- bpf/tests/attachsnoop-stock.sh build/k/<key>
#
# attachsnoop -j runs while (1) a script drives the NVMe's vfio cdev
# through every iommufd step: bind, HWPT alloc (and a failing one),
# attach to that HWPT, attach to the IOAS (a replace), detach, a failing
# attach, close; (2) BINDIR/dmaprobe maps through iommufd and through a
# type1 container.  The events must appear in that order with the ids the
# script got back and ret 0 (or the errno where it failed on purpose).  With
# the series (patched kernel) in tracepoint mode, then forced into the
# fallback (-F); without it (stock kernel) in the fallback.  On a kernel
# without type1 (make kernel COMPAT=1) the container is compat's: the
# events show its attach and detach as iommufd's, the ioctls (-F) as
# type1's.
# ATTACHSNOOP=path overrides build/bpf/attachsnoop.

set -u
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$top/tests/tap.sh"
. "$top/bpf/tests/lib.sh"
. "$top/tests/container.sh"
[ -n "${IOASID_GUEST:-}" ] || { echo "runs inside the testbed: testbed/run -- $0 BINDIR" >&2; exit 2; }
bin=${1:?usage: attachsnoop-vtd.sh BINDIR}
a=${ATTACHSNOOP:-$top/build/bpf/attachsnoop}
probe=$bin/dmaprobe
bdf=0000:00:03.0
d=$(mktemp -d)
trap 'tool_cleanup; rm -rf "$d"' EXIT

for f in "$a" "$probe"; do
	[ -x "$f" ] || { echo "not ok 1 $f not built"; echo "1..1"; exit 1; }
done
container_or_bail
if [ -d /sys/kernel/tracing/events/iommufd ] &&
	{ [ "$C" = compat ] || [ -d /sys/kernel/tracing/events/vfio_iommu_type1 ]; }; then
	series=1 mode=tracepoint banner=tracepoint
else
	series=0 mode=syscalls banner="fallback, syscalls"
fi
group=$(basename "$(readlink "/sys/bus/pci/devices/$bdf/iommu_group")")
cdev=/dev/vfio/devices/$(ls "/sys/bus/pci/devices/$bdf/vfio-dev")
echo "# $(uname -r), series events: $([ $series = 1 ] && echo yes || echo no), group $group, $cdev, container $C"

start_snoop() { start_tool "$a" "$@"; }
stop_snoop() { stop_tool; }

# Every iommufd step on the cdev; prints the ids it got as JSON.
cdev_steps() {
	python3 - "$cdev" "$top" <<'PY'
import json, os, sys
sys.path.insert(0, sys.argv[2] + "/tests")
from iommufd import *
ictx = os.open("/dev/iommu", os.O_RDWR)
dev = os.open(sys.argv[1], os.O_RDWR)
ids = {}
ids["dev"] = call(dev, BIND, "=IIiI", 16, 0, ictx, 0)[3]
ids["ioas"] = call(ictx, IOAS_ALLOC, "=III", 12, 0, 0)[2]
# struct iommu_hwpt_alloc: size flags dev_id pt_id out_hwpt_id __reserved
# data_type data_len data_uptr fault_id __reserved2
hw = "=IIIIIIIIQII"
ids["hwpt"] = call(ictx, HWPT_ALLOC, hw, 48, 0, ids["dev"], ids["ioas"], 0, 0, 0, 0, 0, 0, 0)[4]
ids["bad_alloc"] = fails(ictx, HWPT_ALLOC, hw, 48, 0, ids["dev"], 99999, 0, 0, 0, 0, 0, 0, 0)
ids["attached"] = call(dev, ATTACH, "=III", 12, 0, ids["hwpt"])[2]
# attached already: vfio replaces; pt_id comes back as the IOAS's auto HWPT
ids["auto"] = call(dev, ATTACH, "=III", 12, 0, ids["ioas"])[2]
call(dev, DETACH, "=II", 8, 0)
ids["bad_attach"] = fails(dev, ATTACH, "=III", 12, 0, 99999)
os.close(dev)
os.close(ictx)
print(json.dumps(ids))
PY
}

workload() {
	cdev_steps >"$d/ids" &&
		"$probe" -b iommufd -n 5 >/dev/null 2>&1 &&
		"$probe" -b "$C" -n 5 >/dev/null 2>&1
}

# check NAME MODE: the records of run NAME against the ids in $d/ids.
check_events() {
	python3 - "$d/$1" "$2" "$d/ids" "$group" "$C" <<'PY'
import errno, json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
mode, ids, group = sys.argv[2], json.load(open(sys.argv[3])), int(sys.argv[4])
C = sys.argv[5]
tp = mode == "tracepoint"
err = []
if not ids["bad_alloc"] or ids["bad_attach"] != errno.ENOENT:
    err.append("the failing ioctls did not fail (attach: ENOENT): %s" % ids)
for r in recs:
    if r["mode"] != mode:
        err.append("record in mode %s" % r["mode"])
        break
def seq(comm):
    return [r for r in recs if r["comm"] == comm]
D, I, H, A = ids["dev"], ids["ioas"], ids["hwpt"], ids["auto"]
E = "ENOENT"
# (backend, event, errno, dev_id, group_id, pt_id, hwpt_id, latency measured)
py = [("iommufd", "bind", None, D, None, None, None, True),
      ("iommufd", "hwpt_alloc", None, D, None, I, H, True),
      ("iommufd", "hwpt_alloc", errno.errorcode.get(ids["bad_alloc"]), D, None, 99999, None,
       True),
      ("iommufd", "attach", None, D, None, H, None, True)]
# tracepoint mode: the replace onto the IOAS allocates its automatic HWPT
if tp:
    py.append(("iommufd", "hwpt_alloc", None, D, None, I, A, True))
py += [("iommufd", "replace", None, D, None, A, None, True),
      ("iommufd", "detach", None, D, None, A, None, True),
      ("iommufd", "attach", E, D, None, 99999, None, True)]
if not tp:
    py.append(("iommufd", "close", None, D, None, None, None, False))
if tp:
    # dmaprobe binds, attaches to its IOAS (a new automatic HWPT), detaches;
    # ids are its own. compat: vfio attaches the group's device to the
    # compat IOAS itself
    dp = [("iommufd", "bind"), ("iommufd", "hwpt_alloc"), ("iommufd", "attach"),
          ("iommufd", "detach")]
    dp += [("type1", "attach_group"), ("type1", "detach_group")] if C == "type1" else \
          [("iommufd", "hwpt_alloc"), ("iommufd", "attach"), ("iommufd", "detach")]
else:
    dp = [("iommufd", "bind"), ("iommufd", "attach"), ("iommufd", "detach"),
          ("iommufd", "close"), ("type1", "set_container"), ("type1", "set_iommu"),
          ("type1", "unset_container")]
got = [(r["backend"], r["event"], r["errno"], r["dev_id"], r["group_id"], r["pt_id"],
        r["hwpt_id"], r["latency_us"] is not None) for r in seq("python3")]
if got != py:
    err.append("python3:\n#     got  %s\n#     want %s" % (got, py))
got = [(r["backend"], r["event"]) for r in seq("dmaprobe")]
if got != dp:
    err.append("dmaprobe: got %s, want %s" % (got, dp))
for r in seq("dmaprobe"):
    # compat's detach comes with the close of the group's device fd, in
    # no attach function: no latency to measure (its attach is timed from
    # vfio_iommufd_compat_attach_ioas)
    timed = not (tp and C != "type1" and r["event"] == "detach" and r["ioctl"] is None)
    if r["ret"] != 0:
        err.append("dmaprobe: %s ret %d" % (r["event"], r["ret"]))
    if r["backend"] == "type1" and r["group_id"] != group:
        err.append("dmaprobe: %s group %s, want %d" % (r["event"], r["group_id"], group))
    if r["event"] in ("attach", "detach") and (r["dev_id"] is None or r["pt_id"] is None):
        err.append("dmaprobe: %s without dev_id/pt_id: %s" % (r["event"], r))
    if r["event"] != "close" and timed != ((r["latency_us"] or 0) > 0):
        err.append("dmaprobe: %s latency %s" % (r["event"], r["latency_us"]))
# tracepoint mode: the ioctl an event happened in, where one ioctl calls
# the attach function (an automatic HWPT: the attach's); none for type1's
# group attach and compat's (several ioctls reach them)
if tp:
    BIND, ATT, DET = ("VFIO_DEVICE_BIND_IOMMUFD", "VFIO_DEVICE_ATTACH_IOMMUFD_PT",
                      "VFIO_DEVICE_DETACH_IOMMUFD_PT")
    want = [BIND, "IOMMU_HWPT_ALLOC", "IOMMU_HWPT_ALLOC", ATT, ATT, ATT, DET, ATT]
    got = [r["ioctl"] for r in seq("python3")]
    if got != want:
        err.append("python3 ioctls:\n#     got  %s\n#     want %s" % (got, want))
    want = [BIND, ATT, ATT, DET, None, None] + ([] if C == "type1" else [None])
    got = [r["ioctl"] for r in seq("dmaprobe")]
    if got != want:
        err.append("dmaprobe ioctls:\n#     got  %s\n#     want %s" % (got, want))
ts = [r["ts_ns"] for r in recs]
if ts != sorted(ts):
    err.append("records out of time order")
for e in err:
    print("#   " + e)
sys.exit(1 if err else 0)
PY
}

start_snoop main -j
ok $? "attachsnoop -j starts and attaches"
like "$(cat "$d/main.err")" "^mode: $banner" "mode: $banner"
workload
ok $? "cdev steps (bind, hwpt alloc, attach, replace, detach), dmaprobe iommufd + $C"
stop_snoop
is "$?" 0 "SIGTERM: exit 0"
check_events main "$mode"
ok $? "$mode mode: the events in order, ids as returned, ret 0 or the errno, latency, ioctl"

# human output, -p filter
start_snoop human -T -p $$
"$probe" -b "$C" -n 2 >/dev/null 2>&1
stop_snoop
is "$(grep -c dmaprobe "$d/human")" 0 "-p: another process's events filtered out"
start_snoop human -T
"$probe" -b "iommufd,$C" -n 2 >/dev/null 2>&1
stop_snoop
out=$(cat "$d/human")
sed 's/^/# /' <<<"$out"
like "$out" "^TIME +PID +COMM +BACKEND +EVENT +RET +LAT\(us\) +DETAIL$" "a header line"
like "$out" "^[0-9:.]{12} [0-9]+ +dmaprobe +iommufd +attach +0 +[0-9.]+ dev=[0-9]+ pt=[0-9]+$" \
	"an iommufd attach line: dev and pt ids, ret 0, latency"
# 80 columns, the -T timestamp ("HH:MM:SS.mmm ", "TIME" in the header) aside
is "$(sed -E 's/^([0-9:.]{12}|TIME {9}) //' <<<"$out" |
	awk '{ if (length($0) > m) m = length($0) } END { print (m <= 80) }')" 1 \
	"fits 80 columns (-T adds its 13)"

# Tracepoint mode runs nothing for an ioctl that is not an attach, detach
# or bind (KVM_RUN on a host, IOAS map/unmap): run counts of all its
# programs (bpf_stats).
prog_runs() {
	local id
	for id in $(sed -n 's/^prog_id:\t//p' /proc/"$1"/fdinfo/* 2>/dev/null | sort -u); do
		bpftool -j prog show id "$id"
		echo
	done | python3 -c 'import json, sys; print(sum(json.loads(l).get("run_cnt", 0) for l in sys.stdin if l.strip()))'
}
if [ "$series" = 1 ]; then
	stats0=$(cat /proc/sys/kernel/bpf_stats_enabled)
	echo 1 >/proc/sys/kernel/bpf_stats_enabled
	start_snoop quiet -j
	r0=$(prog_runs "$tool_pid")
	python3 -c '
import fcntl, termios
with open("/dev/null") as f:
    for _ in range(2000):
        try:
            fcntl.ioctl(f, termios.TCGETS, bytes(64))
        except OSError:
            pass'
	r1=$(prog_runs "$tool_pid")
	"$probe" -b "iommufd,$C" -n 2 >/dev/null 2>&1
	r2=$(prog_runs "$tool_pid")
	"$probe" -b "iommufd,$C" -n 402 >/dev/null 2>&1
	r3=$(prog_runs "$tool_pid")
	stop_snoop
	echo "$stats0" >/proc/sys/kernel/bpf_stats_enabled
	is "$((r1 - r0))" 0 "tracepoint mode: 2000 ioctls on /dev/null run none of its programs"
	[ "$r2" -gt "$r1" ]
	ok $? "... a dmaprobe's attach and detach do ($((r2 - r1)) runs)"
	# the same steps with 400 more map+unmap round trips per backend (1600 calls)
	is "$((r3 - r2))" "$((r2 - r1))" "... and its map and unmap ioctls (iommufd, $C) none"
else
	echo "ok $((_n + 1)) tracepoint mode: 2000 ioctls on /dev/null run none of its programs # SKIP no series events in this kernel"
	echo "ok $((_n + 2)) ... a dmaprobe's attach and detach do # SKIP no series events in this kernel"
	echo "ok $((_n + 3)) ... and its map and unmap ioctls none # SKIP no series events in this kernel"
	_n=$((_n + 3))
fi

# A full ring buffer: while attachsnoop is stopped, K failing HWPT allocs
# (an event each, tracepoint mode); after SIGCONT the stream says where
# records are missing and how many: records + lost = K.
if [ "$series" = 1 ]; then
	k=8000
	start_snoop lost -j
	kill -STOP "$tool_pid"
	python3 - "$k" <<'PY'
import fcntl, os, struct, sys
HWPT_ALLOC = (ord(';') << 8) | 0x89
fd = os.open("/dev/iommu", os.O_RDWR)
arg = struct.pack("=IIIIIIIIQII", 48, 0, 99999, 99999, 0, 0, 0, 0, 0, 0, 0)
for _ in range(int(sys.argv[1])):
    try:
        fcntl.ioctl(fd, HWPT_ALLOC, arg)
    except OSError:
        pass
PY
	kill -CONT "$tool_pid"
	sleep 2
	stop_snoop
	python3 - "$d/lost" "$k" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
k = int(sys.argv[2])
got = sum(1 for r in recs if r["event"] == "hwpt_alloc" and r["comm"] == "python3")
lost = [r["count"] for r in recs if r["event"] == "lost"]
print("# %d hwpt_alloc records, lost records %s" % (got, lost))
# another process's dropped event would count as lost too: >=
sys.exit(0 if lost and got < k <= got + sum(lost) else 1)
PY
	ok $? "ring buffer full: a 'lost' record in the stream; records + lost cover the $k"
else
	echo "ok $((_n + 1)) ring buffer full # SKIP no series events in this kernel"
	_n=$((_n + 1))
fi

# The fallback's table of bound fds: a process that exits without close()
# (the kernel closes its fds) must not stay in it.
fds_of() {
	bpftool -j map dump name fds 2>/dev/null | python3 -c '
import json, sys
rows = json.load(sys.stdin)
print(sum(1 for r in rows if int.from_bytes(bytes(int(x, 16) for x in r["key"]), "little") >> 32 == int(sys.argv[1])))' "$1"
}
start_snoop sweep -j $([ "$series" = 1 ] && echo -F)
python3 - "$cdev" "$d/bound" <<'PY' &
import fcntl, os, struct, sys, time
BIND = (ord(';') << 8) | (100 + 18)
ictx = os.open("/dev/iommu", os.O_RDWR)
dev = os.open(sys.argv[1], os.O_RDWR)
fcntl.ioctl(dev, BIND, bytearray(struct.pack("=IIiI", 16, 0, ictx, 0)), True)
open(sys.argv[2], "w").close()
time.sleep(3)	# then exit with both fds open: no close() call
PY
bp=$!
for i in $(seq 100); do [ -e "$d/bound" ] && break; sleep 0.1; done
during=$(fds_of $bp)
wait $bp
sleep 2.5
after=$(fds_of $bp)
stop_snoop
is "$during:$after" "1:0" "fallback: a bound fd is followed while its process runs, dropped once it exits without close()"

if [ "$series" = 1 ]; then
	start_snoop fallback -j -F
	ok $? "-F: the fallback starts"
	like "$(cat "$d/fallback.err")" "^mode: fallback, syscalls" "-F: says it runs the fallback"
	workload
	stop_snoop
	check_events fallback syscalls
	ok $? "-F: the same steps from the ioctls (set_container/set_iommu for type1, close)"
else
	echo "ok $((_n + 1)) -F on the series kernel # SKIP no series events in this kernel"
	_n=$((_n + 1))
fi
done_testing
