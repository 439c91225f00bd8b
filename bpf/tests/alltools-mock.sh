#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# alltools-mock.sh BINDIR: every tool attached at once while the upstream
# iommufd selftests walk the error paths, in the testbed guest booted
# without an IOMMU (the selftest mock), on a series or a stock kernel.  TAP.
#
#   testbed/run -i none -- bpf/tests/alltools-mock.sh build/k/<key>
#
# maplat -I -P -B, flushstat, faultlat, attachsnoop and ioasid-top -b run
# in the background; then BINDIR/selftests/iommufd_fail_nth and
# BINDIR/selftests/iommufd, BINDIR/events_dirty (dirty tracking calls that
# fail before a HWPT is found, where those events pass NULL, if this
# kernel has them), BINDIR/events_viommu (a vEVENTQ report to a vIOMMU
# without a vEVENTQ: NULL vEVENTQ and event, where the kernel has vEVENTQ
# events), BINDIR/events_access (emulated-device pins and copies, their
# errors, CHANGE_PROCESS, where the kernel has the access events),
# BINDIR/events_type1_access (the same through type1 with the testbed's
# emulated device, where the kernel has those events) and
# BINDIR/iopfgen -u (page requests no
# handler takes: iopf_response without a group).  On a series kernel a
# tracefs instance counts the failed operations of every event with a
# __nullable argument: each NULL path must have run at least once.  The
# selftests must pass as they do without
# the tools, every tool must still run and then exit 0 on SIGTERM, the
# kernel log must hold no splat from the tools' start on, and no BPF
# program, link or pinned page may be left.  A tool whose program
# dereferences a NULL tracepoint argument oopses the guest here: the
# selftest process dies and dmesg-check fails.
# ALLTOOLS_SELFTESTS="iommufd" runs fewer selftest binaries.

set -u
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$top/tests/tap.sh"
. "$top/bpf/tests/lib.sh"
. "$top/tests/pins.sh"
[ -n "${IOASID_GUEST:-}" ] || { echo "runs inside the testbed: testbed/run -i none -- $0 BINDIR" >&2; exit 2; }
bin=${1:?usage: alltools-mock.sh BINDIR}
d=$(mktemp -d)
declare -A pid
tools=(maplat flushstat faultlat attachsnoop ioasid-top)
declare -A cmd=(
	[maplat]="$top/build/bpf/maplat -I -P -B"
	[flushstat]="$top/build/bpf/flushstat"
	[faultlat]="$top/build/bpf/faultlat"
	[attachsnoop]="$top/build/bpf/attachsnoop"
	[ioasid-top]="$top/build/tools/ioasid-top/ioasid-top -b -d 2"
)
inst=/sys/kernel/tracing/instances/alltools.$$
cleanup() {
	local t
	for t in "${!pid[@]}"; do kill -KILL "${pid[$t]}" 2>/dev/null; done
	[ -d "$inst" ] && { echo 0 >"$inst/tracing_on"; rmdir "$inst"; }
	rm -rf "$d"
}
trap cleanup EXIT

count() { bpftool -j "$1" show 2>/dev/null | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'; }
progs0=$(count prog)
links0=$(count link)
pins0=$(pinned)
mark=$(($("$top/testbed/dmesg-check" -c) + 1))
series=no
[ -d /sys/kernel/tracing/events/iommufd ] && series=yes
echo "# $(uname -r), series events: $series, $progs0 BPF programs before"

# The events whose __nullable argument is NULL on a failure, and the
# filter that keeps those records (iopf_response: the core's INVALID).
declare -A nullpath=(
	[iommufd/iommufd_ioas_copy]='ret < 0' [iommufd/iommufd_hwpt_alloc]='ret < 0'
	[iommufd/iommufd_hwpt_invalidate]='ret < 0' [iommu/iopf_response]='code == 1'
)
# Series kernels from before the dirty tracking events do not have them.
if [ -d /sys/kernel/tracing/events/iommufd/iommufd_hwpt_get_dirty_bitmap ]; then
	# -ENOENT only when hwpt_id named no paging HWPT: the NULL argument
	nullpath[iommufd/iommufd_hwpt_set_dirty_tracking]='ret == -2'
	nullpath[iommufd/iommufd_hwpt_get_dirty_bitmap]='ret == -2'
fi
# -EOPNOTSUPP only when the vIOMMU has no vEVENTQ of the type: both NULL
[ -d /sys/kernel/tracing/events/iommufd/iommufd_veventq_report ] &&
	nullpath[iommufd/iommufd_veventq_report]='ret == -95'
if [ "$series" = yes ]; then
	mkdir "$inst" && echo 2048 >"$inst/buffer_size_kb"
	for e in "${!nullpath[@]}"; do
		echo "${nullpath[$e]}" >"$inst/events/$e/filter" && echo 1 >"$inst/events/$e/enable" ||
			echo "# cannot count $e"
	done
fi

for t in "${tools[@]}"; do
	read -ra words <<<"${cmd[$t]}"
	if start_tool "${words[0]}" "$t" "${words[@]:1}"; then
		pid[$t]=$tool_pid
		ok 0 "$t started ($(grep -h -m1 '^Tracing' "$d/$t" "$d/$t.err"))"
	else
		ok 1 "$t started"
		sed 's/^/#   /' "$d/$t.err"
	fi
	tool_pid=
done
# The mode each tool announced: tracepoints on a series kernel, the
# fallback (decoded syscalls) on a stock one.
for t in "${!pid[@]}"; do
	if grep -qiE 'mode:? *fallback' "$d/$t" "$d/$t.err"; then mode=fallback; else mode=tracepoints; fi
	want=tracepoints
	[ "$series" = yes ] || want=fallback
	is "$mode" "$want" "$t runs in $want mode"
done

. "$top/testbed/exclusions.sh"
hugepages() { [ "$(cat /proc/sys/vm/nr_hugepages)" -ge 64 ] || echo 64 >/proc/sys/vm/nr_hugepages; }
hugepages
for st in ${ALLTOOLS_SELFTESTS:-iommufd_fail_nth iommufd}; do
	start=$(date +%s)
	# shellcheck disable=SC2046
	timeout -k 10 1800 "$(selftest_dir "$bin")/$st" $(selftest_exclusions "$st") >"$d/$st.tap" 2>&1
	rc=$?
	totals=$(grep -m1 '^# Totals:' "$d/$st.tap")
	echo "# $st: exit $rc after $(($(date +%s) - start))s; ${totals:-no totals line}"
	grep -E '^(not ok|# .*(signal|unexpectedly))' "$d/$st.tap" | head -20 | sed 's/^/#   /'
	[ "$rc" = 0 ] && [[ $totals =~ pass:[1-9][0-9]*\ fail:0\ .*error:0 ]]
	ok $? "$st passes with every tool attached"
done

if [ -n "${nullpath[iommufd/iommufd_hwpt_get_dirty_bitmap]:-}" ]; then
	"$bin/events_dirty" >"$d/events_dirty.tap" 2>&1
	ok $? "events_dirty passes with every tool attached"
fi
if [ -n "${nullpath[iommufd/iommufd_veventq_report]:-}" ]; then
	"$bin/events_viommu" >"$d/events_viommu.tap" 2>&1
	ok $? "events_viommu passes with every tool attached"
fi
if [ -d /sys/kernel/tracing/events/iommufd/iommufd_access_pin_pages ]; then
	"$bin/events_access" >"$d/events_access.tap" 2>&1
	ok $? "events_access passes with every tool attached"
fi
if [ -d /sys/kernel/tracing/events/vfio_iommu_type1/vfio_iommu_type1_ext_pin_pages ] &&
   [ -e /sys/bus/platform/devices/vfio-testbed-emu ]; then
	"$bin/events_type1_access" >"$d/events_type1_access.tap" 2>&1
	ok $? "events_type1_access passes with every tool attached"
fi

u=20
o=$("$bin/iopfgen" -u $u 2>&1)
ok $? "iopfgen -u $u: page requests without a handler ($o)"

if [ "$series" = yes ]; then
	echo 0 >"$inst/tracing_on"
	for e in $(printf '%s\n' "${!nullpath[@]}" | sort); do
		n=$(grep -c " ${e#*/}: " "$inst/trace")
		want=1
		[ "$e" = iommu/iopf_response ] && want=$u
		[ "$n" -ge "$want" ]
		ok $? "the NULL path of $e ran with the tools attached ($n records, ${nullpath[$e]})"
	done
	grep -q 'LOST\|lost' "$inst/trace" && echo "# the instance's buffer lost records"
fi

for t in "${tools[@]}"; do
	[ -n "${pid[$t]:-}" ] || continue
	kill -0 "${pid[$t]}" 2>/dev/null
	ok $? "$t still runs after the selftests"
done
for t in "${tools[@]}"; do
	[ -n "${pid[$t]:-}" ] || continue
	tool_pid=${pid[$t]}
	stop_tool
	rc=$?
	unset "pid[$t]"
	is "$rc" 0 "$t exits 0 on SIGTERM"
	[ "$rc" = 0 ] || tail -5 "$d/$t.err" | sed 's/^/#   /'
done

o=$("$top/testbed/dmesg-check" -s "$mark" -d "kernel log clean with every tool attached")
rc=$?
echo "$o" | grep -v '^1\.\.' | sed -n '2,$p'
ok $rc "kernel log clean with every tool attached"
is "$(count prog)" "$progs0" "no BPF program left"
is "$(count link)" "$links0" "no BPF link left"
is "$(pinned_back "$pins0")" "$pins0" "no page left pinned"
done_testing
