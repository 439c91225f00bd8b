#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# nvme-vtd.sh BINDIR: the userspace NVMe driver (bench/nvme/, through
# bench/nvmeio) on the VT-d testbed's emulated NVMe, TAP.
#
#   testbed/run -t 1800 -o /tmp/n1 -- bench/tests/nvme-vtd.sh build/k/<key>
#
# On every DMA backend (iommufd, the container's: type1, or compat where
# iommufd serves /dev/vfio/vfio, and compat on /dev/iommu beside type1)
# and both map modes: identify, a 4 KiB write and
# read back, PRP2 (8 KiB) and a PRP list (64 KiB, PRP1 at an offset), data
# written in one mode read back in another, a wrong pattern caught, flush,
# LBA out of range surfaced as the NVMe status; then the bad-input cases
# (one "nvmeio: " line, non-zero exit, nothing left pinned) and a kill -9
# mid-I/O after which the next open still works.  NVMEIO=path overrides.

set -u
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$top/tests/tap.sh"
. "$top/tests/pins.sh"
. "$top/tests/container.sh"
[ -n "${IOASID_GUEST:-}" ] || { echo "runs inside the testbed: testbed/run -- $0 BINDIR" >&2; exit 2; }
bin=${1:?usage: nvme-vtd.sh BINDIR}
nv=${NVMEIO:-$bin/nvmeio}
bdf=0000:00:03.0
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT

[ -x "$nv" ] || { echo "not ok 1 $nv not built"; echo "1..1"; exit 1; }
container_or_bail
echo "# $(uname -r), $nv, container $C"

# runs NAME REGEX CMD...: exit 0, stdout matching REGEX.
runs() {
	local name=$1 want=$2 rc
	shift 2
	"$@" >"$d/out" 2>"$d/err"
	rc=$?
	is "$rc" 0 "$name: exit 0"
	[ "$rc" = 0 ] || sed 's/^/#   /' "$d/err"
	like "$(cat "$d/out")" "$want" "$name: output"
}

# fails NAME WANT-REGEX [RC] CMD...: exit RC (default 1), one stderr line
# "nvmeio: WANT" (usage errors: then nothing else), nothing left pinned.
fails() {
	local name=$1 want=$2 wantrc=1 before after rc
	shift 2
	case $1 in [0-9]) wantrc=$1; shift ;; esac
	before=$(pinned)
	"$@" >"$d/out" 2>"$d/err"
	rc=$?
	after=$(pinned_back "$before")
	is "$rc" "$wantrc" "$name: exit $wantrc"
	like "$(head -1 "$d/err")" "^nvmeio: .*$want" "$name: says why"
	is "$(grep -c . "$d/err")" 1 "$name: one line on stderr"
	is "$after" "$before" "$name: nothing left pinned"
}

pin0=$(pinned)
runs "identify" "namespace 1 of [0-9]+: [1-9][0-9]* blocks of (512|4096) bytes" "$nv" identify
bs=$(sed -n 's/.* blocks of \([0-9]*\) bytes.*/\1/p' "$d/out")
blocks=$(sed -n 's/.*: \([0-9]*\) blocks of.*/\1/p' "$d/out")
like "$(cat "$d/out")" "cap 0x[0-9a-f]+ mqes [0-9]+ dstrd [0-9]+ timeout_ms [1-9]" "identify: CAP decoded"
echo "# namespace: $blocks blocks of $bs bytes"
n4k=$((4096 / bs)) n8k=$((8192 / bs)) n64k=$((65536 / bs))

lba=1000
seed=1
for be in iommufd "$C" $([ "$C" = type1 ] && echo compat); do
	for mode in static perio; do
		c="$be/$mode"
		o=(-b "$be" -m "$mode")
		seed=$((seed + 1))
		lba=$((lba + 1000))
		runs "$c: identify" "backend $be mapmode $mode" "$nv" "${o[@]}" identify
		runs "$c: 4 KiB write" "^write $n4k blocks at LBA $lba: ok" "$nv" "${o[@]}" write $lba $n4k $seed
		runs "$c: 4 KiB read back" "verified" "$nv" "${o[@]}" read $lba $n4k $seed
		runs "$c: 8 KiB write (PRP2)" "ok" "$nv" "${o[@]}" write $((lba + 100)) $n8k $seed
		runs "$c: 8 KiB read at offset 2048 (PRP1 offset, PRP2)" "verified" \
			"$nv" "${o[@]}" -o 2048 read $((lba + 100)) $n8k $seed
		runs "$c: 64 KiB write at offset 512 (PRP list)" "ok" \
			"$nv" "${o[@]}" -o 512 write $((lba + 200)) $n64k $seed
		runs "$c: 64 KiB read back (PRP list)" "verified" \
			"$nv" "${o[@]}" read $((lba + 200)) $n64k $seed
		fails "$c: a wrong pattern is caught" "words differ from seed" \
			"$nv" "${o[@]}" read $((lba + 200)) $n64k $((seed + 100))
		runs "$c: flush" "flush ok" "$nv" "${o[@]}" flush
		fails "$c: LBA out of range" "LBA Out of Range \(sct 0, sc 0x80" \
			"$nv" "${o[@]}" read "$blocks" 1
		fails "$c: last LBA + 1 block too many" "LBA Out of Range" \
			"$nv" "${o[@]}" read $((blocks - 1)) 2
		runs "$c: last LBA" "ok" "$nv" "${o[@]}" read $((blocks - 1)) 1
	done
done
# What one backend and mode wrote, the other reads (the data is on the device).
runs "iommufd/static data read by $C/perio" "verified" \
	"$nv" -b "$C" -m perio read 2000 $n4k 2
runs "$C/perio data read by iommufd/static" "verified" \
	"$nv" -b iommufd -m static read 5200 $n64k 5
is "$(pinned_back "$pin0")" "$pin0" "nothing left pinned after the good runs"

# --- bad input ---------------------------------------------------------------
fails "wrong BDF" "no PCI device 0000:00:1f.7" "$nv" -d 0000:00:1f.7 identify
fails "not a BDF" "not a PCI address" "$nv" -d nvme0 identify
other=$(basename "$(readlink /sys/bus/pci/devices/0000:00:04.0/driver 2>/dev/null)")
fails "device on another driver" "bound to $other, not vfio-pci" "$nv" -d 0000:00:04.0 identify
fails "namespace 0" "namespace 0 is not a valid namespace ID" "$nv" -n 0 identify
fails "inactive namespace" "namespace 2 is inactive" "$nv" -n 2 identify
fails "namespace beyond NN" "namespace 4000 does not exist" "$nv" -n 4000 identify
fails "usage: bad backend" "-b must be iommufd, type1 or compat" 2 "$nv" -b vfio identify
fails "usage: bad map mode" "-m must be static or perio" 2 "$nv" -m lazy identify
fails "usage: unknown command" "unknown command" 2 "$nv" format
fails "usage: NLB 0" "NLB must be" 2 "$nv" read 0 0
fails "I/O larger than MDTS" "I/O of [0-9]+ blocks: 1\.\.[0-9]+ allowed" "$nv" read 0 65536

# --- kill -9 in the middle of I/O: the next open resets the controller ------
for be in iommufd "$C"; do
	before=$(pinned)
	"$nv" -b "$be" -m perio -q 16 loop 60 >"$d/loop" 2>&1 &
	pid=$!
	for i in $(seq 100); do grep -q looping "$d/loop" && break; sleep 0.1; done
	sleep 2
	kill -9 "$pid"
	wait "$pid" 2>/dev/null
	like "$(cat "$d/loop")" "looping" "$be: the loop ran before kill -9"
	is "$(pinned_back "$before")" "$before" "$be: kill -9 left nothing pinned"
	runs "$be: identify after kill -9" "namespace 1" "$nv" -b "$be" identify
	runs "$be: read after kill -9" "verified" "$nv" -b "$be" read 2000 $n4k 2
	runs "$be: write after kill -9" "ok" "$nv" -b "$be" -m perio write 9000 $n4k 9
	runs "$be: read back after kill -9" "verified" "$nv" -b "$be" read 9000 $n4k 9
done
runs "a short QD16 loop completes" "[1-9][0-9]* I/Os" "$nv" -q 16 loop 2

done_testing
