#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# alltools-modules.sh BINDIR: the tools on the "-modules" flavour (iommufd,
# vfio, vfio_iommu_type1 and vfio-pci as modules, as a distribution kernel
# builds them), from nothing loaded to everything loaded.  TAP.
#
#   make kernel MODULES=1
#   testbed/run -k series-modules -n nvme -- bpf/tests/alltools-modules.sh build/k/<key>
#
# The NVMe starts on the kernel nvme driver (-n nvme), so no VFIO or
# iommufd module is loaded at boot.  Then:
#  1. nothing loaded: every tool falls back to the syscalls and names both
#     modules; maplat, started before iommufd is loaded, still counts the
#     maps made after (ioasfill.py) and says once that iommufd came later;
#  2. iommufd loaded, vfio_iommu_type1 not: each tool in tracepoint mode
#     for iommufd, naming vfio_iommu_type1 as not traced; maplat and
#     ioasid-top count ioasfill's maps from iommufd's events (module BTF);
#  3. vfio-pci loaded (vfio, and vfio_iommu_type1 by its softdep), the NVMe
#     on it: every tool in tracepoint mode naming nothing; maplat counts
#     dmaprobe's maps through both backends;
#  4. a tool attached to vfio_iommu_type1's events holds the module: rmmod
#     fails while maplat runs and succeeds once it exits.
# Every tool must exit 0 on SIGTERM; no BPF program or link may be left.
# Override a tool with MAPLAT=, FLUSHSTAT=, FAULTLAT=, ATTACHSNOOP=, TOP=.

set -u
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$top/tests/tap.sh"
. "$top/bpf/tests/lib.sh"
[ -n "${IOASID_GUEST:-}" ] ||
	{ echo "runs inside the testbed: testbed/run -k series-modules -n nvme -- $0 BINDIR" >&2; exit 2; }
bin=${1:?usage: alltools-modules.sh BINDIR}
d=$(mktemp -d)
trap 'tool_cleanup; rm -rf "$d"' EXIT
maplat=${MAPLAT:-$top/build/bpf/maplat}
declare -A cmd=(
	[maplat]="$maplat"
	[flushstat]="${FLUSHSTAT:-$top/build/bpf/flushstat}"
	[faultlat]="${FAULTLAT:-$top/build/bpf/faultlat}"
	[attachsnoop]="${ATTACHSNOOP:-$top/build/bpf/attachsnoop}"
	[ioasid-top]="${TOP:-$top/build/tools/ioasid-top/ioasid-top}"
)
# each tool's banner on stderr: the BPF tools with -j, ioasid-top with -b
declare -A args=([maplat]=-j [flushstat]=-j [faultlat]=-j [attachsnoop]=-j [ioasid-top]="-b -d 1")
tools=(maplat flushstat faultlat attachsnoop ioasid-top)
fill=$top/bpf/tests/ioasfill.py
nfill=40

loaded() { [ -e "/sys/module/$1/initstate" ]; }
bpf_left() { bpftool prog show 2>/dev/null | grep -cE '^[0-9]+: (tracing|tracepoint|raw_tracepoint)'; }

mods=${IOASID_MODROOT:-}/lib/modules/$(uname -r)
echo "# $(uname -r); modules in $mods: $(find "$mods" -name '*.ko' 2>/dev/null | wc -l)"
if [ -z "${IOASID_MODROOT:-}" ] || [ ! -d "$mods/kernel" ]; then
	echo "not ok 1 no modules for $(uname -r) (boot the -modules flavour: testbed/run -k series-modules)"
	echo "1..1"
	exit 1
fi
loaded iommufd || loaded vfio_iommu_type1
is "$?" 1 "at boot neither iommufd nor vfio_iommu_type1 is loaded"
before=$(bpf_left)

# run_each PHASE: every tool started, its banner kept in $d/PHASE-TOOL.err,
# then stopped with SIGTERM: 0 each.
run_each() {
	local phase=$1 t rc=0
	for t in "${tools[@]}"; do
		# shellcheck disable=SC2086
		start_tool "${cmd[$t]}" "$phase-$t" ${args[$t]} || { echo "# $t did not start"; rc=1; }
		stop_tool || { echo "# $t: exit $? on SIGTERM"; sed 's/^/#   /' "$d/$phase-$t.err"; rc=1; }
	done
	return $rc
}

# banners PHASE REGEX TOOL...: each TOOL's banner (stderr) matches REGEX.
banners() {
	local phase=$1 re=$2 t rc=0
	shift 2
	for t in "$@"; do
		if ! grep -qE -- "$re" "$d/$phase-$t.err"; then
			echo "# $t: no line matching '$re':"
			sed 's/^/#   /' "$d/$phase-$t.err"
			rc=1
		fi
	done
	return $rc
}

# maplat_counts FILE: "iommufd map N, iommufd unmap N, type1 map N, type1 unmap N" (last document)
maplat_counts() {
	python3 - "$1" <<'PY'
import json, sys
docs = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
got = {}
for h in docs[-1]["histograms"] if docs else []:
    k = "%s %s" % (h["backend"], h["op"])
    got[k] = got.get(k, 0) + h["count"]
print(", ".join("%s %d" % (k, got.get(k, 0)) for k in
                ("iommufd map", "iommufd unmap", "type1 map", "type1 unmap")))
PY
}

# late_load NAME MODULE WHAT: maplat -j started, MODULE loaded while it
# runs, ioasfill.py's maps and unmaps made, maplat stopped: it counted
# them all (iommufd) and said once that MODULE was loaded after it started.
late_load() {
	start_tool $maplat "$1" -j
	ok $? "maplat started ($3)"
	modprobe "$2"
	ok $? "modprobe $2 while maplat runs"
	python3 "$fill" "$nfill" >"$d/$1.fill" 2>&1
	ok $? "ioasfill.py $nfill: $nfill maps and unmaps on /dev/iommu"
	sleep 1.5
	stop_tool
	is "$?" 0 "maplat exits 0 on SIGTERM"
	is "$(maplat_counts "$d/$1")" "iommufd map $nfill, iommufd unmap $nfill, type1 map 0, type1 unmap 0" \
		"maplat counted ioasfill's maps and unmaps"
	like "$(cat "$d/$1.err")" "module $2 was loaded after maplat started" \
		"...and said once that $2 was loaded after it started"
}

# ---- 1: nothing loaded ----
run_each none
ok $? "nothing loaded: every tool starts and exits 0 on SIGTERM"
# faultlat's events are the iommu core's (built in) and iommufd's: it
# stays in tracepoint mode without iommufd's.
dma_tools=(maplat flushstat attachsnoop ioasid-top)
banners none '(mode: fallback|FALLBACK)' "${dma_tools[@]}"
ok $? "...maplat, flushstat, attachsnoop and ioasid-top in the fallback"
banners none 'module iommufd not loaded' "${tools[@]}"
ok $? "...every tool naming iommufd as not loaded"
banners none 'module vfio_iommu_type1 not loaded' "${dma_tools[@]}"
ok $? "...and the four DMA tools vfio_iommu_type1"
like "$(cat "$d/none-faultlat.err")" '^mode: tracepoint' "faultlat: tracepoint mode (the iommu core's fault events)"
like "$(cat "$d/none-faultlat.err")" 'iommufd not traced: module iommufd not loaded' \
	"...iommufd's stages not traced"
like "$(cat "$d/none-maplat.err")" 'seen through its syscalls once loaded' \
	"maplat: the fallback sees a backend loaded later"

late_load late iommufd "nothing loaded: the fallback"

# ---- 2: iommufd loaded, vfio_iommu_type1 not ----
loaded vfio_iommu_type1
is "$?" 1 "vfio_iommu_type1 is still not loaded"
run_each fd
ok $? "iommufd only: every tool starts and exits 0 on SIGTERM"
for t in maplat flushstat attachsnoop; do
	like "$(cat "$d/fd-$t.err")" '^mode: tracepoint' "$t: tracepoint mode"
done
like "$(cat "$d/fd-faultlat.err")" '^mode: tracepoint' "faultlat: tracepoint mode"
like "$(cat "$d/fd-ioasid-top.err")" 'mode tracepoints' "ioasid-top: tracepoint mode"
banners fd 'VFIO type1 not traced: module vfio_iommu_type1 not loaded' "${dma_tools[@]}"
ok $? "...the four DMA tools naming VFIO type1 as not traced (vfio_iommu_type1 not loaded)"
grep -l 'iommufd not' "$d"/fd-*.err >"$d/wrong" 2>/dev/null
is "$(cat "$d/wrong")" "" "...and none names iommufd"
python3 -c 'import json,sys; d=json.loads(open(sys.argv[1]).readline()); sys.exit(d.get("modules_not_loaded") != ["vfio_iommu_type1"])' \
	"$d/fd-maplat"
ok $? "maplat -j: \"modules_not_loaded\": [\"vfio_iommu_type1\"]"
# Where modprobe looks decides "not loaded" from "not in this kernel": the
# guest's modprobe reads this flavour's modules through MODPROBE_OPTIONS
# (-d, guest-init).  Under a root whose modules.dep lacks the module, the
# backend is not in this kernel; with no modules.dep where modprobe looks
# (the host's /lib/modules has none of this kernel) nothing is concluded.
[ -n "${MODPROBE_OPTIONS:-}" ]
ok $? "modprobe's module root: MODPROBE_OPTIONS=${MODPROBE_OPTIONS:-}"
start_tool "$maplat" modroot-maplat -j -b iommufd
stop_tool
like "$(cat "$d/modroot-maplat.err")" 'VFIO type1 not traced: module vfio_iommu_type1 not loaded' \
	"maplat under that root: vfio_iommu_type1 not loaded"
mkdir -p "$d/empty/lib/modules/$(uname -r)" && : >"$d/empty/lib/modules/$(uname -r)/modules.dep"
o=$(MODPROBE_OPTIONS="-d $d/empty" timeout 10 "$maplat" -b type1 2>&1 >/dev/null)
rc=$?
[ "$rc" = 1 ] && [[ $o == "maplat: no VFIO type1 in this kernel"* ]]
ok $? "under a root whose modules.dep lacks it: -b type1 refused, exit $rc: ${o:0:100}"
MODPROBE_OPTIONS="--dirname=$d/empty" start_tool "$maplat" emptyroot-maplat -j
stop_tool
like "$(cat "$d/emptyroot-maplat.err")" 'VFIO type1: not in this kernel \(no module vfio_iommu_type1\)' \
	"...and a plain maplat (--dirname=) says VFIO type1 is not in this kernel"
MODPROBE_OPTIONS= start_tool "$maplat" noroot-maplat -j
stop_tool
like "$(cat "$d/noroot-maplat.err")" 'VFIO type1 not traced: module vfio_iommu_type1 not loaded' \
	"no modules.dep where modprobe looks: not loaded (nothing concluded)"

start_tool "${cmd[ioasid-top]}" fdprom -d 1 --prometheus "$d/fd.prom"
ok $? "ioasid-top --prometheus started"
sleep 1.5
cp "$d/fd.prom" "$d/fd.prom.snap" 2>/dev/null
stop_tool
is "$?" 0 "ioasid-top exits 0 on SIGTERM"
like "$(cat "$d/fd.prom.snap")" '^ioasid_top_module_not_loaded\{module="vfio_iommu_type1"\} 1$' \
	"--prometheus: ioasid_top_module_not_loaded{module=\"vfio_iommu_type1\"} 1"

late_load fdcount vfio_iommu_type1 "iommufd's events from the module's BTF"
rmmod vfio_iommu_type1
ok $? "rmmod vfio_iommu_type1 (for phase 3's softdep)"

# ---- 3: everything loaded ----
"$top/testbed/nvme-bind" vfio-pci >/dev/null
ok $? "nvme-bind vfio-pci (loads vfio-pci, vfio, vfio_iommu_type1)"
loaded vfio_iommu_type1
ok $? "vfio_iommu_type1 loaded by vfio's softdep"
run_each all
ok $? "all loaded: every tool starts and exits 0 on SIGTERM"
grep -l 'not loaded' "$d"/all-*.err >"$d/wrong" 2>/dev/null
is "$(cat "$d/wrong")" "" "...none names a module"
start_tool $maplat allcount -j
ok $? "maplat started"
"$bin/dmaprobe" -b both -n 20 >"$d/probe" 2>&1
ok $? "dmaprobe -b both -n 20 (+10 warm-up each)"
sleep 1.5

# ---- 4: an attached tool holds the module ----
rmmod vfio_iommu_type1 2>"$d/rmmod"
is "$?" 1 "rmmod vfio_iommu_type1 fails while maplat is attached to its events"
stop_tool
is "$?" 0 "maplat exits 0 on SIGTERM"
is "$(maplat_counts "$d/allcount")" "iommufd map 30, iommufd unmap 30, type1 map 30, type1 unmap 30" \
	"maplat counted dmaprobe's maps through both backends"
rmmod vfio_iommu_type1
ok $? "rmmod vfio_iommu_type1 succeeds once maplat has exited"
is "$(bpf_left)" "$before" "no BPF tracing program left"
done_testing
