#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# consumers-vtd.sh BINDIR [N]: the series' events through what users
# already run — perf, bcc, bpftrace (tools/bpftrace/*.bt) and ftrace hist:
# triggers — beside our own tools, in the testbed guest, TAP.
#
#   testbed/run -- tools/bpftrace/tests/consumers-vtd.sh build/k/<key>
#
# 1. One run, everything attached at once: maplat -j, flushstat -j, the
#    three bpftrace scripts, bcc trace and argdist, ftrace hist: triggers
#    (one a map latency histogram built from the _start/end pair with a
#    synthetic event), while `perf stat -e ... -- dmaprobe -b both -n N`
#    runs the workload.  Every consumer must count what dmaprobe did:
#    N + 10 (its warm-up) maps and unmaps per backend; the syncs per
#    process agree between flushstat, iotlbsync.bt and perf stat.  The
#    counts are printed side by side.
# 2. perf list names every event of the catalog; perf script prints each
#    record exactly as the kernel's own trace buffer does (libtraceevent
#    parses every TP_printk); perf trace prints every record.
# 3. bcc's tplist lists every event with the catalog's fields.
# Needs the series (the stock kernel has none of these events) and
# CONFIG_HIST_TRIGGERS and CONFIG_IKHEADERS (testbed/config.fragment).

set -u
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
. "$top/tests/tap.sh"
[ -n "${IOASID_GUEST:-}" ] || { echo "runs inside the testbed: testbed/run -- $0 BINDIR" >&2; exit 2; }
bin=${1:?usage: consumers-vtd.sh BINDIR [N]}
n=${2:-200}
probe=$bin/dmaprobe
bt=$top/tools/bpftrace
tr=/sys/kernel/tracing
d=$(mktemp -d)
pids=()
want=$((n + 10))

# the boot's later suites get ftrace as it was
saved_on=$(cat "$tr/tracing_on") saved_kb=$(cat "$tr/buffer_size_kb")
cleanup() {
	local p s
	for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
	hist_triggers off 2>/dev/null
	for s in iommu iommufd vfio_iommu_type1; do echo 0 >"$tr/events/$s/enable"; done 2>/dev/null
	echo >"$tr/trace" 2>/dev/null
	echo "$saved_kb" >"$tr/buffer_size_kb" 2>/dev/null
	echo "$saved_on" >"$tr/tracing_on" 2>/dev/null
	rm -rf "$d"
}
trap cleanup EXIT

for f in "$probe" "$top/build/bpf/maplat" "$top/build/bpf/flushstat"; do
	[ -x "$f" ] || { echo "not ok 1 $f not built"; echo "1..1"; exit 1; }
done
for c in perf bpftrace bpftool trace-bpfcc argdist-bpfcc tplist-bpfcc; do
	command -v "$c" >/dev/null || { echo "not ok 1 no $c (make deps)"; echo "1..1"; exit 1; }
done
[ -d "$tr/events/iommufd" ] || { echo "not ok 1 no iommufd events: a kernel with the series"; echo "1..1"; exit 1; }
echo "# $(uname -r), N=$n; $(perf --version), bpftrace $(bpftrace --version | cut -d' ' -f2), bcc $(dpkg-query -W -f='${Version}' bpfcc-tools 2>/dev/null)"

# bg NAME CMD...: CMD in the background, output in $d/NAME
bg() {
	local name=$1
	shift
	"$@" >"$d/$name" 2>"$d/$name.err" &
	pids+=($!)
	eval "pid_$name=$!"
}

# ready NAME REGEX SECS: 0 once NAME's output matches REGEX
ready() {
	local i
	for i in $(seq $(($3 * 10))); do
		grep -qE "$2" "$d/$1" "$d/$1.err" 2>/dev/null && return 0
		kill -0 "$(eval echo "\$pid_$1")" 2>/dev/null || break
		sleep 0.1
	done
	# a compiler's warnings come first: its errors, else the end
	echo "# $1 not ready: $({ grep -m5 -E 'error|Error|ERROR' "$d/$1.err" || tail -5 "$d/$1.err"; } |
		cut -c1-200 | tr '\n' ' ')"
	return 1
}

# probes PID: how many BPF programs PID has on perf events (tracepoints)
probes() {
	bpftool perf list 2>/dev/null | grep -c "^pid $1 "
}

# stop NAME SIG: signal it and wait up to 60 s; its exit status.  bpftrace
# detaches its probes one by one (an RCU grace period each): under TCG on
# a loaded host that has taken over 20 s.  bpftrace 0.17 can also lose the
# signal: its poll loop ends only when epoll_wait returns EINTR, so a
# SIGINT taken between two of its 100 ms polls sets the exit flag and
# nothing reads it until an event arrives (poll_perf_events in its
# src/bpftrace.cpp).  While all its probes are still attached 5 s after
# the signal, it is in that loop: SIGUSR1 interrupts the wait and ends it
# then, and anywhere else only prints the maps (it never resets SIGUSR1
# to the default, as it does SIGINT once it is exiting).  At most 3 times.
stop() {
	local p i t0=$SECONDS n0=0 usr1=0 how=exited
	p=$(eval echo "\$pid_$1")
	[[ $1 = bt_* ]] && n0=$(probes "$p")
	kill "-$2" "$p" 2>/dev/null
	for i in $(seq 600); do
		kill -0 "$p" 2>/dev/null || break
		if [ "$n0" -gt 0 ] && [ $((i % 50)) = 0 ] && [ $usr1 -lt 3 ] &&
			[ "$(probes "$p")" = "$n0" ]; then
			kill -USR1 "$p" 2>/dev/null && usr1=$((usr1 + 1))
		fi
		sleep 0.1
	done
	if kill -0 "$p" 2>/dev/null; then
		echo "# $1 still running $((SECONDS - t0)) s after SIG$2: state $(awk '{print $3}' "/proc/$p/stat" 2>/dev/null), in $(cat "/proc/$p/wchan" 2>/dev/null); its threads' kernel stacks:"
		for i in /proc/"$p"/task/*; do sed "s|^|#   ${i##*/} |" "$i/stack"; done 2>/dev/null | head -40
		kill -KILL "$p"
		how=killed
	fi
	echo "# $1: $how $((SECONDS - t0)) s after SIG$2$([ $usr1 = 0 ] ||
		echo " and $usr1 SIGUSR1: bpftrace 0.17 had missed SIG$2, its $n0 probes were still attached")"
	wait "$p"
}

ev_map=iommufd/iommufd_ioas_map
ev_unmap=iommufd/iommufd_ioas_unmap
# hist_triggers on|off: a count per process of iommufd unmaps, and map
# latency from map_start -> map through a synthetic event (all in ftrace).
# Appended (>>), never truncated: opening a trigger file with O_TRUNC
# removes every trigger of the event, other users' too.
hist_triggers() {
	local t1="hist:keys=common_pid:vals=hitcount,length"
	local t2="hist:keys=common_pid:ts0=common_timestamp.usecs"
	local t3='hist:keys=common_pid:lat=common_timestamp.usecs-$ts0:onmatch(iommufd.iommufd_ioas_map_start).trace(ioasid_map_lat,common_pid,$lat)'
	local t4="hist:keys=pid,lat.log2"
	if [ "$1" = on ]; then
		echo 'ioasid_map_lat int pid; u64 lat' >>"$tr/synthetic_events" &&
			echo "$t1" >>"$tr/events/$ev_unmap/trigger" &&
			echo "$t2" >>"$tr/events/${ev_map}_start/trigger" &&
			echo "$t3" >>"$tr/events/$ev_map/trigger" &&
			echo "$t4" >>"$tr/events/synthetic/ioasid_map_lat/trigger"
	else
		# each removal checked; the synthetic event goes last
		local rc=0
		echo "!$t4" >>"$tr/events/synthetic/ioasid_map_lat/trigger" || rc=1
		echo "!$t3" >>"$tr/events/$ev_map/trigger" || rc=1
		echo "!$t2" >>"$tr/events/${ev_map}_start/trigger" || rc=1
		echo "!$t1" >>"$tr/events/$ev_unmap/trigger" || rc=1
		echo '!ioasid_map_lat' >>"$tr/synthetic_events" || rc=1
		return $rc
	fi
}

# triggers_left: the hist: triggers and synthetic events still there
triggers_left() {
	grep -h '^hist:' "$tr/events/$ev_unmap/trigger" "$tr/events/${ev_map}_start/trigger" \
		"$tr/events/$ev_map/trigger" 2>/dev/null
	grep -v '^#' "$tr/synthetic_events"
}

# ---- 1: one run, every consumer attached ----
bg maplat "$top/build/bpf/maplat" -j
ready maplat '^Tracing' 30
ok $? "maplat -j attached"
bg flushstat "$top/build/bpf/flushstat" -j 3600
ready flushstat '^Tracing' 30
ok $? "flushstat -j attached"
for s in maplat iotlbsync attach; do
	bg "bt_$s" bpftrace "$bt/$s.bt"
	ready "bt_$s" '^Tracing' 60
	ok $? "bpftrace $s.bt attached"
done
# bcc compiles with clang at start (a minute or more under TCG); the
# kernel's headers come from /sys/kernel/kheaders.tar.xz (IKHEADERS).
bg bcc_trace env PYTHONUNBUFFERED=1 trace-bpfcc 't:iommufd:iommufd_ioas_map "ioas=%u iova=%llx length=%llu ret=%d", args->ioas_id, args->iova, args->length, args->ret'
bcc_trace_skip=0
if ready bcc_trace '^PID +TID' 300; then
	ok 0 "bcc trace on iommufd:iommufd_ioas_map attached"
elif ! kill -0 "$pid_bcc_trace" 2>/dev/null &&
	grep -qE '^include/linux/[^:]+:[0-9]+:[0-9]+: error:' "$d/bcc_trace.err"; then
	# bcc's clang could not compile this kernel's own headers (bookworm's
	# bcc 0.26 and 7.3's): nothing of ours, left out of the counts below
	bcc_trace_skip=1
	ok 0 "# SKIP bcc trace: this bcc cannot compile the kernel's headers ($(grep -m1 -E '^include/linux/.*error:' "$d/bcc_trace.err" | cut -c1-120))"
else
	ok 1 "bcc trace on iommufd:iommufd_ioas_map attached"
fi
export bcc_trace_skip
bg bcc_argdist env PYTHONUNBUFFERED=1 argdist-bpfcc -c -i 1 -C 't:vfio_iommu_type1:vfio_iommu_type1_dma_unmap():int:args->ret'
ready bcc_argdist '^\[' 300
ok $? "bcc argdist -C on vfio_iommu_type1:vfio_iommu_type1_dma_unmap attached"
hist_triggers on
rc=$?
ok $rc "ftrace hist: triggers set (a count per process, a synthetic map-latency event)"
[ $rc = 0 ] || sed 's/^/#   /' "$tr/error_log"

events="iommufd:iommufd_ioas_map,iommufd:iommufd_ioas_unmap"
events+=",vfio_iommu_type1:vfio_iommu_type1_dma_map,vfio_iommu_type1:vfio_iommu_type1_dma_unmap"
events+=",iommu:iotlb_sync,iommufd:iommufd_device_attach,iommufd:iommufd_device_detach"
events+=",vfio_iommu_type1:vfio_iommu_type1_attach_group,vfio_iommu_type1:vfio_iommu_type1_detach_group"
# dmaprobe's pid (perf's child): the shell's, which exec keeps
# shellcheck disable=SC2016
perf stat -x, -o "$d/stat" -e "$events" -- sh -c 'echo $$ >"$0"; exec "$@"' "$d/probe.pid" \
	"$probe" -b both -s 4k -n "$n" >"$d/probe" 2>&1
ok $? "perf stat -- dmaprobe -b both -s 4k -n $n (+10 warm-up)"
ppid=$(cat "$d/probe.pid")
sleep 2	# argdist prints each second
for s in bt_maplat bt_iotlbsync bt_attach; do
	stop "$s" INT
	rc=$?
	ok $rc "bpftrace $s.bt: its maps printed, exit 0 on SIGINT"
	if [ $rc != 0 ]; then
		echo "#   exit $rc; its stderr, then the end of its output:"
		tail -5 "$d/$s.err" | sed 's/^/#     /'
		tail -5 "$d/$s" | sed 's/^/#     /'
	fi
done
# a background job of a script starts with SIGINT ignored, and Python
# keeps it so: SIGTERM (their output unbuffered, nothing is lost)
stop bcc_trace TERM
stop bcc_argdist TERM
stop maplat TERM
ok $? "maplat: report and exit 0"
stop flushstat TERM
ok $? "flushstat: report and exit 0"
for h in "$ev_unmap" synthetic/ioasid_map_lat; do
	cat "$tr/events/$h/hist" >"$d/hist.$(basename "$h")"
done
hist_triggers off
rc=$?
left=$(triggers_left)
is "$rc:$left" "0:" "ftrace hist: triggers and the synthetic event removed, nothing left"

# compare: every consumer's counts, side by side, then TAP lines
python3 - "$d" "$ppid" "$want" <<'PY' >"$d/verdicts"
import collections, json, os, re, sys
d, pid, want = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
R = lambda f: open("%s/%s" % (d, f)).read()
got = collections.defaultdict(dict)   # what -> consumer -> count

stat = {}
for l in R("stat").splitlines():
    f = l.split(",")
    if len(f) > 2 and f[0].strip().isdigit():
        stat[f[2].split(":")[-1]] = int(f[0])
for what, ev in (("iommufd map", "iommufd_ioas_map"), ("iommufd unmap", "iommufd_ioas_unmap"),
                 ("type1 map", "vfio_iommu_type1_dma_map"), ("type1 unmap", "vfio_iommu_type1_dma_unmap"),
                 ("iotlb syncs+empty", "iotlb_sync"), ("iommufd attach", "iommufd_device_attach"),
                 ("iommufd detach", "iommufd_device_detach"), ("type1 attach", "vfio_iommu_type1_attach_group"),
                 ("type1 detach", "vfio_iommu_type1_detach_group")):
    got[what]["perf stat"] = stat.get(ev)

doc = json.loads(R("maplat").splitlines()[-1])
for h in doc["histograms"]:
    k = "%s %s" % (h["backend"], h["op"])
    got[k]["maplat"] = got[k].get("maplat", 0) + h["count"]

syncs = empty = 0
for l in R("flushstat").splitlines():
    doc = json.loads(l)
    for p in doc.get("processes", []):
        if p["pid"] == pid:
            syncs += p["syncs"]
            empty += p["empty_syncs"]
got["iotlb syncs"]["flushstat"] = syncs
got["iotlb syncs+empty"]["flushstat"] = syncs + empty

# bpftrace: @map[k1, k2]: then histogram lines "[lo, hi)  count |@@@|"
def bt_maps(text):
    maps, cur = {}, None
    for l in text.splitlines():
        m = re.match(r"^(@\w+)(\[(.*)\])?: ?(\d+)?\s*$", l)
        if m:
            cur = (m.group(1), tuple(x.strip() for x in (m.group(3) or "").split(",")))
            maps[cur] = int(m.group(4)) if m.group(4) else 0
            continue
        m = re.match(r"^\[[^\]]*[\])]\s+(\d+) \|", l)
        if m and cur:
            maps[cur] += int(m.group(1))
    return maps
bm = bt_maps(R("bt_maplat"))
for (name, key), v in bm.items():
    if name == "@usecs":
        got["%s %s" % key]["maplat.bt"] = v
bi = bt_maps(R("bt_iotlbsync"))
s = sum(v for (name, key), v in bi.items() if name == "@syncs" and key[0] == str(pid))
e = sum(v for (name, key), v in bi.items() if name == "@empty" and key[0] == str(pid))
got["iotlb syncs"]["iotlbsync.bt"] = s
got["iotlb syncs+empty"]["iotlbsync.bt"] = s + e
att = collections.Counter(l.split()[3] for l in R("bt_attach").splitlines()
                          if len(l.split()) > 7 and l.split()[1] == str(pid))
for what, ev in (("iommufd attach", "attach"), ("iommufd detach", "detach"),
                 ("type1 attach", "t1attach"), ("type1 detach", "t1detach")):
    got[what]["attach.bt"] = att[ev]

got["iommufd map"]["bcc trace"] = sum(1 for l in R("bcc_trace").splitlines()
                                      if re.match(r"^%d\s+\d+\s+\S+\s+iommufd_ioas_map\s+ioas=" % pid, l))
# -c: each second's block has the running total.  SIGTERM can cut the
# last block short (header out, count not): the last count printed.
m = re.findall(r"^\s*(\d+)\s+args->ret = 0\s*$", R("bcc_argdist"), re.M)
got["type1 unmap"]["bcc argdist"] = int(m[-1]) if m else None

def hist_hits(text):
    return sum(int(m.group(1)) for m in re.finditer(r"common_pid:\s*%d\b.*hitcount:\s*(\d+)" % pid, text)) + \
        sum(int(m.group(1)) for m in re.finditer(r"\{ pid:\s*%d,.*\} hitcount:\s*(\d+)" % pid, text))
got["iommufd unmap"]["ftrace hist"] = hist_hits(R("hist.iommufd_ioas_unmap"))
got["iommufd map"]["ftrace synthetic latency"] = hist_hits(R("hist.ioasid_map_lat"))

# what each count must be: dmaprobe's own, except perf's on the two events
# bcc has programs on: bcc's programs return 0, and a perf-attached BPF
# program that returns 0 drops the record for every perf user of that
# tracepoint (perf_trace_run_bpf_submit).  bpftrace's return 1; ours are
# tp_btf programs, outside perf.
hidden = {("iommufd map", "perf stat"), ("type1 unmap", "perf stat")}
fixed = {"iommufd map": want, "iommufd unmap": want, "type1 map": want, "type1 unmap": want,
         "iommufd attach": 1, "iommufd detach": 1, "type1 attach": 1, "type1 detach": 1}
# who must have counted what: one that printed nothing is a failure
expect = {
    "iommufd map": ["perf stat", "maplat", "maplat.bt", "bcc trace", "ftrace synthetic latency"],
    "iommufd unmap": ["perf stat", "maplat", "maplat.bt", "ftrace hist"],
    "type1 map": ["perf stat", "maplat", "maplat.bt"],
    "type1 unmap": ["perf stat", "maplat", "maplat.bt", "bcc argdist"],
    "iotlb syncs": ["flushstat", "iotlbsync.bt"],
    "iotlb syncs+empty": ["perf stat", "flushstat", "iotlbsync.bt"],
}
for w in ("iommufd attach", "iommufd detach", "type1 attach", "type1 detach"):
    expect[w] = ["perf stat", "attach.bt"]
if os.environ.get("bcc_trace_skip") == "1":
    # bcc trace did not run: nothing counted, and perf sees every map
    expect["iommufd map"].remove("bcc trace")
    del got["iommufd map"]["bcc trace"]
    hidden.discard(("iommufd map", "perf stat"))
for what, cs in expect.items():
    for c in cs:
        got[what].setdefault(c, None)
print("# counts of dmaprobe's run (pid %d), per consumer:" % pid)
for what in sorted(got):
    print("#   %-18s %s" % (what, ", ".join("%s %s" % (c, v) for c, v in got[what].items())))
for what in sorted(got):
    vals = got[what]
    if what in fixed:
        bad = {c: v for c, v in vals.items() if v != (0 if (what, c) in hidden else fixed[what])}
        print("%s %s: %s = %d%s" % ("BAD" if bad else "OK", what,
              " = ".join(c for c in vals if (what, c) not in hidden), fixed[what],
              "; perf stat 0 (bcc's program hides the event from perf)"
              if any((what, c) in hidden for c in vals) else ""))
        if bad:
            print("#   differ: %s" % bad)
    else:
        same = len(set(vals.values())) == 1 and None not in vals.values() and list(vals.values())[0] > 0
        print("%s %s: %s agree (%s)" % ("OK" if same else "BAD", what, " = ".join(vals), vals))
PY
grep '^#' "$d/verdicts"
while read -r v rest; do
	case $v in OK) ok 0 "$rest" ;; BAD) ok 1 "$rest" ;; esac
done <"$d/verdicts"
grep -q '^OK' "$d/verdicts"
ok $? "the comparison ran"

# The README's perf stat example as it stands, nothing else attached: its
# counts are dmaprobe's (iommufd maps and unmaps, at least one sync each)
perf stat -x, -o "$d/stat1" -e iommufd:iommufd_ioas_map,iommufd:iommufd_ioas_unmap,iommu:iotlb_sync -- \
	"$probe" -b iommufd -s 4k -n 20 >/dev/null 2>&1
c=$(awk -F, '$3 ~ /^iommufd:iommufd_ioas_(map|unmap)$|^iommu:iotlb_sync$/ { printf "%s=%s ", $3, $1 }' "$d/stat1")
like "$c" "^iommufd:iommufd_ioas_map=30 iommufd:iommufd_ioas_unmap=30 iommu:iotlb_sync=(3[0-9]|[4-9][0-9]|[1-9][0-9]{2,}) $" \
	"the README's perf stat line alone: 30 maps, 30 unmaps, >= 30 syncs ($c)"

# ...and its type1 line: the counts the shared run above cannot give for
# type1 unmaps (bcc argdist's program hides them from perf there)
perf stat -x, -o "$d/stat2" -e vfio_iommu_type1:vfio_iommu_type1_dma_map,vfio_iommu_type1:vfio_iommu_type1_dma_unmap -- \
	"$probe" -b type1 -s 4k -n 20 >/dev/null 2>&1
c=$(awk -F, '$3 ~ /^vfio_iommu_type1:vfio_iommu_type1_dma_(map|unmap)$/ { printf "%s=%s ", $3, $1 }' "$d/stat2")
is "$c" "vfio_iommu_type1:vfio_iommu_type1_dma_map=30 vfio_iommu_type1:vfio_iommu_type1_dma_unmap=30 " \
	"the README's type1 perf stat line alone: 30 maps, 30 unmaps"

# ---- 2: perf list, perf script, perf trace ----
# the catalog's events this kernel has (those since a newer one left out)
kv=$(uname -r | cut -d. -f1,2)
"$top/tracepoints/check" -k "$kv" list | sed 's/ .*//' | sort >"$d/catalog"
perf list 'iommu:*' 'iommufd:*' 'vfio_iommu_type1:*' 2>/dev/null |
	grep -oE '(iommu|iommufd|vfio_iommu_type1):[a-z0-9_]+' | sort -u >"$d/perflist"
missing=$(comm -23 "$d/catalog" "$d/perflist" | tr '\n' ' ')
is "$missing" "" "perf list names every event of the catalog ($(wc -l <"$d/catalog"))"

# perf record and the kernel's trace buffer on the same run
echo 0 >"$tr/tracing_on"
echo 8192 >"$tr/buffer_size_kb"
echo >"$tr/trace"
for s in iommu iommufd vfio_iommu_type1; do echo 1 >"$tr/events/$s/enable"; done
echo 1 >"$tr/tracing_on"
perf record -q -o "$d/perf.data" -e 'iommu:*' -e 'iommufd:*' -e 'vfio_iommu_type1:*' -- \
	"$probe" -b both -s 4k -n 5 >/dev/null 2>"$d/record.err"
ok $? "perf record -e 'iommu:*' -e 'iommufd:*' -e 'vfio_iommu_type1:*' -- dmaprobe"
echo 0 >"$tr/tracing_on"
for s in iommu iommufd vfio_iommu_type1; do echo 0 >"$tr/events/$s/enable"; done
cat "$tr/trace" >"$d/kernel.trace"
echo >"$tr/trace"
perf script -i "$d/perf.data" -F event,trace >"$d/script" 2>"$d/script.err"
ok $? "perf script runs"
# "event: body" per record of the dmaprobe process, in order
python3 - "$d/kernel.trace" "$d/script" <<'PY'
import re, sys
kern = []
for l in open(sys.argv[1]):
    m = re.match(r"\s*dmaprobe-\d+\s+\[\d+\]\s+\S+\s+[\d.]+: (\w+): (.*)$", l.rstrip("\n"))
    if m:
        kern.append((m.group(1), m.group(2).strip()))
perf = []
for l in open(sys.argv[2]):
    m = re.match(r"\s*\w+:(\w+):\s*(.*)$", l.rstrip("\n"))
    if m:
        perf.append((m.group(1), m.group(2).strip()))
err = [l for l in open(sys.argv[2]) if "FAILED TO PARSE" in l or "[UNKNOWN" in l]
evs = sorted(set(e for e, _ in kern))
print("# %d records of %d events in the kernel's buffer, %d from perf script" % (len(kern), len(evs), len(perf)))
print("# events: %s" % " ".join(evs))
diff = [(i, a, b) for i, (a, b) in enumerate(zip(kern, perf)) if a != b][:3]
for i, a, b in diff:
    print("#   record %d: kernel %s\n#             perf   %s" % (i, a, b))
for l in err[:3]:
    print("#   " + l.strip())
sys.exit(0 if kern and len(kern) == len(perf) and not diff and not err and len(evs) >= 10 else 1)
PY
ok $? "perf script prints every record as the kernel's trace buffer does (every field, symbolic values)"

perf trace -e 'iommufd:*' -e 'vfio_iommu_type1:*' -o "$d/ptrace" -- \
	"$probe" -b both -s 4k -n 5 >/dev/null 2>&1
ok $? "perf trace -e 'iommufd:*' -e 'vfio_iommu_type1:*' -- dmaprobe"
nmap=$(grep -c 'iommufd:iommufd_ioas_map(' "$d/ptrace")
nt1=$(grep -c 'vfio_iommu_type1:vfio_iommu_type1_dma_unmap(' "$d/ptrace")
is "$nmap $nt1" "15 15" "perf trace prints every record (15 iommufd maps, 15 type1 unmaps)"
# perf trace leaves out the arguments that are 0 (ret here)
like "$(grep -m1 'iommufd:iommufd_ioas_map(' "$d/ptrace")" \
	'iommufd_ioas_map\(ioas_id: [0-9]+, (caller: [^,]+, )?iova: [0-9]+, length: 4096, prot: [0-9]+(, flags: [0-9]+)?\)' \
	"perf trace shows the fields of a map record"

# ---- 3: bcc tplist ----
tplist-bpfcc -v 'iommu*:*' >"$d/tplist" 2>&1
ok $? "tplist-bpfcc -v 'iommu*:*'"
"$top/tracepoints/check" -k "$kv" list | grep -v '^vfio_iommu_type1' >"$d/catalog.full"
tplist-bpfcc -v 'vfio_iommu_type1:*' >>"$d/tplist" 2>&1
"$top/tracepoints/check" -k "$kv" list | grep '^vfio_iommu_type1' >>"$d/catalog.full"
python3 - "$d/catalog.full" "$d/tplist" <<'PY'
import re, sys
want = {}
for l in open(sys.argv[1]):
    m = re.match(r"(\S+) \((.*)\)$", l.strip())
    want[m.group(1)] = [f.split()[-1].split("[")[0] for f in m.group(2).split(", ")]
have, cur = {}, None
for l in open(sys.argv[2]):
    if not l.startswith(" "):
        cur = l.strip()
        have[cur] = []
    elif cur:
        have[cur].append(re.sub(r"\[.*", "", l.strip().rstrip(";").split()[-1]))
bad = ["%s: %s" % (e, sorted(set(f) - set(have.get(e, [])))) for e, f in want.items()
       if not set(f) <= set(have.get(e, []))]
for b in bad[:5]:
    print("#   missing: " + b)
sys.exit(1 if bad or not want else 0)
PY
ok $? "tplist lists every event of the catalog with its fields"

done_testing
