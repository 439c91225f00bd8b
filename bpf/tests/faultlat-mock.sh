#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# faultlat-mock.sh BINDIR [M]: bpf/faultlat in the testbed guest booted
# without an IOMMU (iommufd selftest mock), TAP.
#
#   testbed/run -i none -- bpf/tests/faultlat-mock.sh build/k/<key>
#
# BINDIR/iopfgen triggers M page requests on a mock device with a
# fault-capable HWPT and answers them through the fault fd; faultlat must
# count M round trips on that dev_id/PASID, every stage M times, stage
# sums (ns) adding up exactly to the total's, none negative, 0
# outstanding at the end.  Faults left pending when the fds close are
# counted as lost; while they are pending the interval reports show them
# outstanding.  Then the fallback (-F: read/write of the fault fd) counts
# the same M.  The testbed has no PRQ hardware: intel_iommu:prq_report
# exists (VT-d driver built in) and must count 0.
# Kernels with vEVENTQs (the mainline series): BINDIR/events_viommu's
# veventq_report_read test reports one event to a vIOMMU without a
# vEVENTQ, then three to a vEVENTQ of depth 2 (one dropped), and reads
# the two and the lost-events header: faultlat's two vEVENTQ rows must
# hold exactly those counts and two report->read times.
# FAULTLAT=path overrides build/bpf/faultlat.

set -u
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$top/tests/tap.sh"
. "$top/bpf/tests/lib.sh"
[ -n "${IOASID_GUEST:-}" ] || { echo "runs inside the testbed: testbed/run -i none -- $0 BINDIR" >&2; exit 2; }
bin=${1:?usage: faultlat-mock.sh BINDIR [M]}
m=${2:-200}
fl=${FAULTLAT:-$top/build/bpf/faultlat}
gen=$bin/iopfgen
d=$(mktemp -d)
trap 'tool_cleanup; rm -rf "$d"' EXIT

for f in "$fl" "$gen"; do
	[ -x "$f" ] || { echo "not ok 1 $f not built"; echo "1..1"; exit 1; }
done
echo "# $(uname -r), M=$m"

start_fl() { start_tool "$fl" "$@"; }
stop_fl() { stop_tool; }

# check NAME 'python expression over doc (last document), e (the device entry)'
# Prints what it got when the expression is false.
check() {
	python3 - "$d/$1" "$2" <<'PY'
import json, sys
docs = [json.loads(l) for l in open(sys.argv[1])]
doc = docs[-1]
devs = doc["devices"]
e = devs[0] if len(devs) == 1 else None
stages = ("queue", "read", "respond", "deliver")
def st(name, k="count"):
    return e["stages"][name][k]
ok = eval(sys.argv[2])
if not ok:
    print("#   " + json.dumps(doc)[:1500])
sys.exit(0 if ok else 1)
PY
}

nprog() {
	bpftool prog show 2>/dev/null | grep -cE 'name (iopf_report|fault_queue|fault_read|fault_respond|fault_auto_respo|iopf_response|prq_report|sys_enter_read|sys_exit_read|sys_enter_write|veventq_report|veventq_read)'
}
nprog0=$(nprog)
# the vEVENTQ programs, where the kernel has their events
nvq=0
[ -d /sys/kernel/tracing/events/iommufd/iommufd_veventq_report ] && nvq=2

# ---- M round trips, answered in batches of 4 ----
start_fl rt -j
ok $? "faultlat -j starts and attaches"
like "$(cat "$d/rt.err")" "^mode: tracepoint" "tracepoint mode (the series' fault events)"
like "$(cat "$d/rt.err")" "^prq_report: counted" "prq_report probed: present (VT-d driver built in)"
is "$(nprog)" "$((nprog0 + 7 + nvq))" "while running: 6 fault programs + prq_report + $nvq vEVENTQ loaded"
out=$("$gen" -n "$m" -k 4 -P 5); rc=$?
ok $rc "iopfgen: $m faults answered in batches of 4 ($out)"
dev=$(sed -n 's/.*dev_id \([0-9]*\).*/\1/p' <<<"$out")
stop_fl
is "$?" 0 "SIGTERM: report and exit 0"
# The kernel frees a detached program after a grace period (asynchronously
# on 7.3): a leak stays, so wait up to 5 s.
for i in $(seq 50); do [ "$(nprog)" = "$nprog0" ] && break; sleep 0.1; done
is "$(nprog)" "$nprog0" "after exit: the programs are gone"
check rt "doc['mode'] == 'tracepoint' and len(devs) == 1 and e['dev_id'] == $dev and e['pasid'] == 5 and e['path'] == 'iommufd' and e['device'].startswith('iommufd_mock')"
ok $? "one entry: iopfgen's dev_id $dev, PASID 5, path iommufd, the mock device's name"
check rt "e['round_trips'] == $m and e['read'] == $m and doc['page_requests'] == $m and all(st(s) == $m for s in stages + ('total',))"
ok $? "$m page requests, $m read, $m round trips, every stage counted $m times"
check rt "sum(st(s, 'sum_ns') for s in stages) == st('total', 'sum_ns') and st('total', 'sum_ns') > 0"
ok $? "stage latencies add up to the total exactly (sum of ns over the $m faults)"
check rt "doc['negative'] == 0 and doc['untracked'] == 0 and doc['dropped'] == 0 and all(st(s, 'sum_ns') >= 0 for s in stages)"
ok $? "no negative stage, nothing untracked or dropped"
check rt "all(sum(b['count'] for b in e['stages'][s]['buckets']) == $m for s in stages + ('total',)) and st('total', 'p50') <= st('total', 'p99')"
ok $? "every stage's buckets hold $m; p50 <= p99"
check rt "doc['outstanding'] == 0 and e['outstanding'] == 0 and doc['lost'] == 0 and e['lost'] == 0 and e['invalid'] == 0"
ok $? "0 outstanding, 0 lost, 0 invalid at the end"
check rt "doc['prq_reports'] == 0"
ok $? "prq_report counts 0: the mock's faults do not go through a VT-d PRQ"

# ---- faults left pending: outstanding while they are, lost after ----
lost=3 nread=1 kept=3
start_fl pend -j -i 1
ok $? "faultlat -j -i 1 starts"
out=$("$gen" -n 5 -L $lost -R $nread -s $kept); rc=$?
ok $rc "iopfgen: 5 answered, $lost left pending ($nread read) for ${kept}s, then fds closed"
sleep 1.5
stop_fl
python3 - "$d/pend" "$lost" "$nread" <<'PY'
import json, sys
docs = [json.loads(l) for l in open(sys.argv[1])]
lost, nread = int(sys.argv[2]), int(sys.argv[3])
err = []
pend = [d for d in docs if d["outstanding"] == lost]
if not pend:
    err.append("no interval with %d outstanding: %s" % (lost, [d["outstanding"] for d in docs]))
elif not all(x["outstanding"] == lost and x["oldest_outstanding_ms"] > 0 for x in pend[0]["devices"] if x["outstanding"]):
    err.append("per-device outstanding: %s" % pend[0]["devices"])
if docs[-1]["outstanding"] != 0:
    err.append("last interval: %d outstanding" % docs[-1]["outstanding"])
tot = lambda k: sum(x.get(k, 0) for d in docs for x in d["devices"])
if (tot("round_trips"), tot("lost"), tot("lost_read")) != (5, lost, nread):
    err.append("round trips, lost, lost read: %s" % ((tot("round_trips"), tot("lost"), tot("lost_read")),))
if sum(d["lost"] for d in docs) != lost:
    err.append("documents' lost: %s" % [d["lost"] for d in docs])
for e in err:
    print("#   " + e)
sys.exit(1 if err else 0)
PY
ok $? "-i 1: $lost outstanding while pending (oldest > 0 ms), 0 at the end; 5 round trips, $lost lost ($nread read)"

# ---- invalid responses, -p, human output ----
start_fl inv -j
"$gen" -n 7 -x >/dev/null
stop_fl
check inv "e['round_trips'] == 7 and e['invalid'] == 7"
ok $? "answered with IOMMUFD_PAGE_RESP_INVALID: 7 round trips, 7 invalid"

# and 3 it leaves pending at close, which the kernel answers in its
# context: that process's losses, not process 1's
start_fl pid -j -p 1
"$gen" -n 7 -L 3 >/dev/null
stop_fl
check pid "devs == [] and doc['outstanding'] == 0"
ok $? "-p 1: faults read, and lost at close, by another process are not counted"

# -p PID of one iopfgen while another process's faults find no handler
# (the core answers them invalid at once, in that process): only PID's
# round trips count.  PID waits on a fifo until faultlat is attached.
mkfifo "$d/go"
(read -r _ <"$d/go"; exec "$gen" -n 9) >/dev/null &
g1=$!
start_fl pidu -j -p "$g1"
"$gen" -u 40 >/dev/null &
g2=$!
echo go >"$d/go"
wait $g1 $g2
stop_fl
check pidu "len(devs) == 1 and e['round_trips'] == 9 and e['invalid'] == 0"
ok $? "-p: 9 round trips of that iopfgen, none of another's 40 unhandled faults"

start_fl human -T -A
"$gen" -n 20 -k 2 >/dev/null
stop_fl
out=$(cat "$d/human")
like "$out" "^  total +20 " "human: the total row counts 20"
like "$out" "^  report->queued +20 " "human: the report->queued row counts 20"
like "$out" "^  responded->deliv.:" "-A: a histogram per stage"
is "$(awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }' <<<"$out" |
	awk '{ print ($1 <= 80) }')" 1 "human output fits 80 columns"

# -m: the same round trips in millisecond buckets
start_fl ms -j -m
"$gen" -n 20 -k 2 >/dev/null
stop_fl
# in milliseconds for real: the mean is sum_ns in ms, and no sample's
# bucket starts above the sum of all of them (microsecond buckets would)
check ms "(doc['unit'] == 'ms' and e is not None and e['round_trips'] == 20 and st('total') == 20 and
	abs(e['stages']['total']['mean'] - st('total', 'sum_ns') / 20 / 1e6) < 1e-9 and
	all(b['lo'] <= st('total', 'sum_ns') / 1e6 for b in e['stages']['total']['buckets'] if b['count']))"
ok $? "-m: unit ms, 20 round trips, the mean and the buckets in milliseconds"

# ---- two contexts: the same dev_id in two /dev/iommu opens ----
# Two iopfgens at once (two VMs), each on its own /dev/iommu, get the same
# dev_id: two rows (ctx 1, ctx 2), not one with both processes' faults;
# in the fallback too (there a context is a process's fault fd).
for f in "" -F; do
	start_fl two -j $f
	"$gen" -n 7 -s 2 >"$d/o1" &
	g1=$!
	"$gen" -n 11 -s 2 >"$d/o2" &
	g2=$!
	wait $g1 $g2
	stop_fl
	i1=$(sed -n 's/.*dev_id \([0-9]*\).*/\1/p' "$d/o1")
	i2=$(sed -n 's/.*dev_id \([0-9]*\).*/\1/p' "$d/o2")
	is "$i1" "${i2:--}" "${f:-tracepoint mode}: the two iopfgens' dev_ids collide ($i1, $i2)"
	check two "sorted((x['ctx'], x['dev_id'], x['round_trips']) for x in devs) == [(1, $i1, 7), (2, $i2, 11)] or sorted((x['ctx'], x['dev_id'], x['round_trips']) for x in devs) == [(1, $i2, 11), (2, $i1, 7)]"
	ok $? "${f:-tracepoint mode}: iopfgen dev_id $i1 x 7 and dev_id $i2 x 11 in two contexts: two rows"
done

# ---- the fallback on the same workload ----
start_fl fb -j -F
like "$(cat "$d/fb.err")" "^mode: fallback, syscalls" "-F: the read/write fallback, says so"
like "$(cat "$d/fb.err")" "unavailable: page requests" "-F: says which columns are unavailable"
out=$("$gen" -n "$m" -k 4 -P 5)
stop_fl
check fb "doc['mode'] == 'syscalls' and len(devs) == 1 and e['dev_id'] == $dev and e['pasid'] == 5 and e['path'] == 'user' and e['read'] == $m and e['round_trips'] == $m and st('respond') == $m and list(e['stages']) == ['respond']"
ok $? "-F: $m faults read and answered on dev_id $dev PASID 5, read->respond only"
check fb "doc['outstanding'] == 0 and 'total' in doc['unavailable'] and 'lost' not in doc"
ok $? "-F: 0 outstanding; total and lost listed unavailable"

# ---- vEVENTQs: report -> read, a drop, a vIOMMU without one ----
if [ "$nvq" = 0 ]; then
	start_fl novq -j
	stop_fl
	check novq "doc['veventqs'] is None and doc['veventq_dropped'] is None and 'veventqs' in doc['unavailable']"
	ok $? "no vEVENTQ events ($(uname -r)): veventqs null and listed unavailable"
	done_testing
	exit
fi
like "$(cat "$d/rt.err")" "^vEVENTQs: report -> read" "banner: vEVENTQs traced"
start_fl vq -j
"$bin/events_viommu" -t veventq_report_read >"$d/vq.gen" 2>&1
ok $? "events_viommu veventq_report_read passes with faultlat attached"
stop_fl
python3 - "$d/vq" <<'PY'
import json, sys
doc = [json.loads(l) for l in open(sys.argv[1])][-1]
q = doc["veventqs"]
err = []
if len(q) != 2 or q[0]["ctx"] != q[1]["ctx"] or q[0]["viommu_id"] != q[1]["viommu_id"]:
    err.append("rows: %s" % q)
else:
    none, vq = q
    if none["veventq_id"] != 0 or none["reported"] != 1 or none["read"] != 0:
        err.append("no-vEVENTQ row: %s" % none)
    want = {"reported": 3, "lost": 1, "lost_nomem": 0, "lost_read": 1, "read": 2,
            "untimed": 0, "max_pending": 2, "depth": 2}
    got = {k: vq[k] for k in want}
    if vq["veventq_id"] == 0 or got != want:
        err.append("vEVENTQ row: %s" % got)
    rr = vq["report_to_read"]
    if rr["count"] != 2 or sum(b["count"] for b in rr["buckets"]) != 2 or rr["sum_ns"] <= 0:
        err.append("report_to_read: %s" % {k: rr[k] for k in ("count", "sum_ns")})
if doc["veventq_dropped"] != 0:
    err.append("veventq_dropped %d" % doc["veventq_dropped"])
for e in err:
    print("#   " + e)
sys.exit(1 if err else 0)
PY
ok $? "vEVENTQ rows: 1 report with no vEVENTQ; 3 reported, 1 lost, 2 read and timed, 1 lost notice, 2 pending of depth 2"
start_fl vqp -j -p 1
"$bin/events_viommu" -t veventq_report_read >/dev/null 2>&1
stop_fl
check vqp "doc['veventqs'] == []"
ok $? "-p 1: another process's vIOMMU reports and reads are not counted"
start_fl vqh
"$bin/events_viommu" -t veventq_report_read >/dev/null 2>&1
stop_fl
like "$(cat "$d/vqh")" "^  report->read +2 " "human: the report->read row counts 2"
like "$(cat "$d/vqh")" "^  report->read:$" "human: its histogram, without -A"
like "$(cat "$d/vqh")" "^  reported 3, lost 1 \\(0 no memory\\), most pending 2 of 2$" "human: the vEVENTQ's reports and drops"
like "$(cat "$d/vqh")" "^  read 2 \\(0 untimed\\), lost notices read 1$" "human: its reads"
is "$(awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }' "$d/vqh" |
	awk '{ print ($1 <= 80) }')" 1 "human output with vEVENTQ rows fits 80 columns"
done_testing
