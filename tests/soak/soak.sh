#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# soak.sh [-t SECONDS] [-s SEED] BINDIR: race the tools against the DMA
# paths in one testbed boot, then check that nothing was lost or leaked.
# TAP.  The boot decides the paths: with VT-d and the NVMe on vfio-pci
# (testbed/run -n vfio) map/unmap through iommufd and type1 (dmaprobe,
# mapbench with 2 threads) and fio with verify through the nvme-vfio
# engine, one at a time (they share the device); without an IOMMU
# (testbed/run -i none) the iommufd selftest mock: the upstream iommufd
# selftests (attach/replace/detach, HWPT invalidation, dirty tracking,
# faults) and iopfgen (faults answered, answered INVALID, left pending
# when the fds close, unhandled), two workers at once.
#
# Meanwhile, until the time is up: every tool is started and stopped in
# a loop (SIGINT, SIGTERM or SIGKILL, a random tool and lifetime each
# time), one ioasid-top refreshes every second throughout, and the event
# systems iommu, iommufd and vfio_iommu_type1 are switched on and off at
# random.  SEED (default: from the clock, printed) makes the choices
# replayable.
#
# Some workload runs are counted windows: maplat -p PID around a dmaprobe,
# faultlat -p PID around an iopfgen, whose reports must count exactly the
# operations the run did while everything else goes on.
#
# Then: every workload run succeeded (fio verified its data); every tool
# started, and exited 0 on SIGINT/SIGTERM; no pinned pages, BPF programs
# or links left, no process holding /dev/iommu or a VFIO fd; on a debug
# kernel lockdep still on and kmemleak (two scans) finding no new leak;
# the kernel log has no splat (on a debug kernel: since boot too).  The last line
# before the plan is a summary: runs per path, tool restarts, toggles.
#
#   testbed/run -k debug -- tests/soak/soak.sh -t 900 build/k/<key>

set -u
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$top/tests/tap.sh"
. "$top/tests/pins.sh"
. "$top/testbed/exclusions.sh"
[ -n "${IOASID_GUEST:-}" ] || { echo "runs inside the testbed: testbed/run -- $0 [-t S] [-s SEED] BINDIR" >&2; exit 2; }
secs=120
seed=$(date +%s%N | cut -c10-18)
while getopts "t:s:" o; do
	case $o in
	t) secs=$OPTARG ;;
	s) seed=$OPTARG ;;
	*) echo "usage: soak.sh [-t SECONDS] [-s SEED] BINDIR" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[[ $secs =~ ^[1-9][0-9]*$ ]] || { echo "soak.sh: -t takes a number of seconds" >&2; exit 2; }
[[ $seed =~ ^[0-9]{1,15}$ ]] || { echo "soak.sh: -s takes a number" >&2; exit 2; }
seed=$((10#$seed))	# "0123" is not octal
bin=${1:?usage: soak.sh [-t SECONDS] [-s SEED] BINDIR}
bin=$(cd "$bin" && pwd)
d=$(mktemp -d)
chmod 755 "$d"
bdf=0000:00:03.0
if [ -e "/sys/bus/pci/drivers/vfio-pci/$bdf" ] && [ -e /dev/iommu ]; then
	mode=vtd
else
	mode=mock
fi
. "$top/tests/soak/lib.sh"
trap soak_cleanup EXIT

echo "# soak: $mode paths for ${secs}s, seed $seed, $(uname -r) ($(cut -d' ' -f4 /proc/version | tr -d '()'))"
# How many BPF programs or links: a number, or "bpftool failed".
count() {
	local j
	j=$(bpftool -j "$1" show 2>/dev/null) &&
		python3 -c 'import json,sys; print(len(json.load(sys.stdin)))' <<<"$j" 2>/dev/null ||
		echo "bpftool failed"
}
# Processes other than this shell holding /dev/iommu or a VFIO fd.
dev_holders() {
	local f p n=0
	for f in /proc/[0-9]*/fd/*; do
		p=${f#/proc/}
		p=${p%%/*}
		[ "$p" = $$ ] && continue
		case $(readlink "$f" 2>/dev/null) in /dev/iommu | /dev/vfio/*) n=$((n + 1)) ;; esac
	done
	echo "$n"
}
progs0=$(count prog)
links0=$(count link)
pins0=$(pinned)
fds0=$(ls /proc/$$/fd | wc -l)
case $progs0$links0 in *[!0-9]*) echo "Bail out! bpftool cannot list programs and links"; exit 1 ;; esac
# A debug kernel's checkers must be alive at the start, or the soak proves
# nothing: lockdep turns itself off after its first report, kmemleak
# after an error.
debug_kernel=0
grep -q -- '-debug@' /proc/version && debug_kernel=1
lockdep_on() { grep -qE '^ *debug_locks: +1$' /proc/lockdep_stats 2>/dev/null; }
mark=$(($("$top/testbed/dmesg-check" -c) + 1))
kml=/sys/kernel/debug/kmemleak
if [ "$debug_kernel" = 1 ]; then
	lockdep_on
	ok $? "lockdep is on at the start (debug_locks: 1)"
	echo clear >"$kml"
	ok $? "kmemleak is on (clear: only leaks from now on count)"
fi
hp_old=$(cat /proc/sys/vm/nr_hugepages)
[ "$mode" = mock ] && { [ "$hp_old" -ge 128 ] || echo 128 >/proc/sys/vm/nr_hugepages; }

end=$(($(date +%s) + secs))
start_top
# The loops' own stderr (the shell's notes on killed tools) stays out of the TAP.
churn $((seed + 1)) 2>>"$d/shell.err" &
churn_pid=$!
toggle $((seed + 2)) 2>>"$d/shell.err" &
toggle_pid=$!
if [ "$mode" = vtd ]; then
	work_vtd $((seed + 3)) 2>>"$d/shell.err" &
	work_pids=$!
else
	work_mock $((seed + 3)) w1 2>>"$d/shell.err" &
	work_pids=$!
	work_mock $((seed + 4)) w2 2>>"$d/shell.err" &
	work_pids="$work_pids $!"
fi
# shellcheck disable=SC2086
wait $work_pids
wait "$churn_pid" "$toggle_pid"
work_pids= churn_pid= toggle_pid=
stop_top
top_rc=$?
events_off

# ---- what happened ----
runs=$(cat "$d"/runs.* 2>/dev/null | wc -l)
failed=$(cat "$d"/runs.* 2>/dev/null | grep -c ' FAIL')
[ "$runs" -gt 0 ]
ok $? "the workloads ran ($runs runs)"
is "${failed:-0}" 0 "every workload run succeeded"
grep -h ' FAIL' "$d"/runs.* 2>/dev/null | head -10 | sed 's/^/#   /'
windows=$(cat "$d"/runs.* 2>/dev/null | grep -c '^count-')
wrong=$(cat "$d"/runs.* 2>/dev/null | grep -c '^count-.* FAIL')
[ "$windows" -gt 0 ] && [ "$wrong" = 0 ]
ok $? "the tools' counts equal what the workloads did ($windows counted windows, $wrong wrong)"
starts=$(wc -l <"$d/tools" 2>/dev/null || echo 0)
[ "$starts" -gt 0 ]
ok $? "the tools were started and stopped ($starts times)"
bad=$(grep -v ' ok$' "$d/tools" 2>/dev/null)
[ -z "$bad" ]
ok $? "every tool started and exited 0 on SIGINT/SIGTERM"
[ -z "$bad" ] || { head -10 <<<"$bad" | sed 's/^/#   /'; head -30 "$d/tools.why" 2>/dev/null; }
# What the loops' shell printed, less its notes on tools it killed.
grep -vE '^.*line [0-9]+: +[0-9]+ (Killed|Terminated|Interrupt)' "$d/shell.err" 2>/dev/null >"$d/shell.bad"
is "$(grep -c . "$d/shell.bad")" 0 "the soak's loops ran without a shell error"
head -5 "$d/shell.bad" | sed 's/^/#   /'
is "$top_rc" 0 "ioasid-top -b -d 1, running the whole soak, exits 0 on SIGTERM"
grep -q '^Tracing' "$d/top.err" && [ -s "$d/top" ]
ok $? "ioasid-top refreshed throughout ($(wc -l <"$d/top") lines)"
grep -v '^Tracing' "$d/top.err" | head -5 | sed 's/^/#   /'
is "$(pinned_back "$pins0")" "$pins0" "nothing left pinned"
is "$(count prog)" "$progs0" "no BPF program left"
is "$(count link)" "$links0" "no BPF link left"
is "$(ls /proc/$$/fd | wc -l)" "$fds0" "no fd leaked by the soak's shell"
is "$(dev_holders)" 0 "no process left holding /dev/iommu or a VFIO fd"
if [ "$debug_kernel" = 1 ]; then
	lockdep_on
	ok $? "lockdep still on at the end (no lockdep report turned it off)"
	# Two scans: kmemleak reports an object only once it was unreferenced
	# in two scans in a row.
	echo scan >"$kml" && sleep 6 && echo scan >"$kml"
	ok $? "kmemleak scanned twice"
	leaks=$(grep -c '^unreferenced object' "$kml")
	is "$leaks" 0 "kmemleak: no new leak"
	[ "$leaks" = 0 ] || head -40 "$kml" | sed 's/^/#   /'
	kmemleak="kmemleak $leaks new"
else
	kmemleak="no kmemleak (not a debug kernel)"
fi
"$top/testbed/dmesg-check" -s "$mark" >"$d/dmesg.tap"
ok $? "no splat in the kernel log during the soak"
grep '^#' "$d/dmesg.tap"
if [ "$debug_kernel" = 1 ]; then
	# Before the soak too: a report at boot may have used up KASAN's one
	# report or turned lockdep off.
	"$top/testbed/dmesg-check" >"$d/dmesg0.tap"
	ok $? "no splat in the kernel log since boot"
	grep '^#' "$d/dmesg0.tap" | head -20
fi
echo "# soak summary: $mode ${secs}s seed $seed: $(summary); tool restarts $starts; event toggles $(wc -l <"$d/toggles" 2>/dev/null || echo 0); $kmemleak"
done_testing
