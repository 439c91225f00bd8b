# SPDX-License-Identifier: GPL-2.0
# bench/emptytp (bench/overhead's floor) on the host kernel, which has none
# of the series' _start and end events: one message naming them and exit
# 1, nothing left loaded; -h on stdout and exit 0; a bad option or
# argument exit 2.
# The attached path needs the testbed (bench/overhead -t).  EMPTYTP=path
# skips the build.
. "$(dirname "$0")/../tap.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/hostlib.sh"
scratch

skip_all() {
	echo "ok 1 emptytp # SKIP $*"
	echo "1..1"
	exit 0
}

e=${EMPTYTP:-}
if [ -z "$e" ]; then
	bin=$(make -s -C "$top" info | sed -n 's/^userspace: //p')
	make -s -C "$top" "$bin/emptytp" >"$d/make.log" 2>&1
	rc=$?
	ok $rc "emptytp builds (make $bin/emptytp)"
	[ $rc = 0 ] || { sed 's/^/#   /' "$d/make.log" | tail -20; done_testing; exit 1; }
	is "$(grep -c warning "$d/make.log")" 0 "no compiler warnings"
	e=$top/$bin/emptytp
fi

o=$("$e" -h 2>"$d/err"); rc=$?
is "$rc" 0 "-h: exit 0"
like "$o" "^usage: emptytp \[-h\] \[-v\]" "-h: the usage on stdout"
is "$(wc -c <"$d/err")" 0 "-h: nothing on stderr"
o=$("$e" --help); rc=$?
is "$rc" 0 "--help: exit 0"

o=$("$e" -x 2>&1 >/dev/null); rc=$?
is "$rc" 2 "a bad option: exit 2"
like "$o" "^usage: emptytp" "a bad option: the usage on stderr"
o=$("$e" extra 2>&1 >/dev/null); rc=$?
is "$rc" 2 "an extra argument: exit 2"
like "$o" "^emptytp: unexpected argument 'extra'$" "an extra argument: named"

[ "$(id -u)" = 0 ] || { done_testing; exit 0; }
grep -qs iommufd_ioas_map /sys/kernel/tracing/available_events &&
	{ echo "# this kernel has the series' events: the no-events case is the testbed's"; done_testing; exit 0; }
timeout 20 "$e" >"$d/out" 2>"$d/err"; rc=$?
if [ $rc != 0 ] && grep -qE "not allowed to load BPF|has no BTF|cannot load BPF" "$d/err"; then
	echo "# BPF unavailable here: $(head -1 "$d/err")"
	done_testing
	exit 0
fi
is "$rc" 1 "no series events: exit 1 (not a hang: 124 would be the timeout)"
is "$(wc -l <"$d/err")" 1 "no series events: one message"
like "$(cat "$d/err")" "^emptytp: no BTF for tracepoint\(s\) iommufd_ioas_map_start, iommufd_ioas_map, .*vfio_iommu_type1_dma_unmap_start, vfio_iommu_type1_dma_unmap: this kernel lacks the ioasid-trace series' map/unmap/copy events$" \
	"the message names the missing events"
is "$(wc -c <"$d/out")" 0 "no banner: it never attached"
o=$(bpftool prog list 2>/dev/null); rc=$?
is "$rc" 0 "bpftool prog list runs"
is "$(grep -cE 'name empty_(fd|t1)_' <<<"$o")" 0 "no emptytp program left loaded"
done_testing
