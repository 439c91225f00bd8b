#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/testbed/kernel-deb.sh: make kernel-deb, TAP.  The series kernel
# make test built is packaged with bindeb-pkg (testbed/kernel.sh deb);
# the linux-image package must be named for the kernel release, carry the
# revision ioasid.<key hash>, hold the kernel, its config and System.map
# with the series in them; its kernel, unpacked with dpkg -x, must boot in
# the testbed and say the revision in uname -v, with the series' events
# in tracefs.  A flavour that is not built is refused with one message.
# Needs the patched kernel built (make kernel).

set -uo pipefail
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$TOP/tests/tap.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$TOP" || exit 2

key=$(testbed/kernel.sh key)
tree=$(testbed/kernel.sh tree)
rev=ioasid.${key##*-}
if [ ! -f "$tree/.ioasid-built" ]; then
	echo "not ok 1 the series kernel $key is built (make kernel)"
	done_testing
	exit 1
fi

start=$(date +%s)
testbed/kernel.sh deb >"$tmp/deb.log" 2>&1
ok $? "testbed/kernel.sh deb ($(( $(date +%s) - start ))s)$(tail -3 "$tmp/deb.log" | sed 's/^/; /' | tr -d '\n' | head -c 300)"
img=$(ls "$tree"/.deb/linux-image-*_*.deb 2>/dev/null | grep -v -- '-dbg_' | head -1)
[ -n "$img" ]
ok $? "a linux-image package in $tree/.deb/"
[ -n "$img" ] || { done_testing; exit 1; }
rel=$(cat "$tree/include/config/kernel.release")
is "$(dpkg-deb -f "$img" Package)" "linux-image-$rel" "named for the kernel release $rel"
is "$(dpkg-deb -f "$img" Version)" "$rel-$rev" "version $rel-$rev"
dpkg-deb -x "$img" "$tmp/root"
ok $? "dpkg -x"
for f in "boot/vmlinuz-$rel" "boot/config-$rel" "boot/System.map-$rel"; do
	[ -s "$tmp/root/$f" ]
	ok $? "it holds /$f"
done
grep -qx 'CONFIG_IOMMUFD=y' "$tmp/root/boot/config-$rel" &&
	grep -qx 'CONFIG_DEBUG_INFO_BTF=y' "$tmp/root/boot/config-$rel"
ok $? "its config is the testbed's (IOMMUFD, DEBUG_INFO_BTF)"
grep -q ' __tracepoint_iommufd_ioas_map$' "$tmp/root/boot/System.map-$rel" &&
	grep -q ' __tracepoint_vfio_iommu_type1_dma_map$' "$tmp/root/boot/System.map-$rel"
ok $? "its System.map has the series' tracepoints"

# the packaged kernel boots and is the one packaged
mkdir -p "$tmp/out"
testbed/run --bzimage "$tmp/root/boot/vmlinuz-$rel" -n none -o "$tmp/out" -t 300 -- \
	sh -c 'uname -v; ls /sys/kernel/tracing/events/iommufd | grep -c "^iommufd_"' >"$tmp/boot" 2>"$tmp/boot.err"
ok $? "the packaged kernel boots in the testbed"
like "$(head -1 "$tmp/boot")" "^#$rev " "uname -v: #$rev"
n=$(sed -n 2p "$tmp/boot")
[ "${n:-0}" -ge 10 ]
ok $? "the series' iommufd events in tracefs ($n)"

# a flavour not built: one message, exit 1
o=$(IOASID_DEBUG=1 STOCK=1 testbed/kernel.sh deb 2>&1)
rc=$?
dbg=$(IOASID_DEBUG=1 STOCK=1 testbed/kernel.sh tree)
if [ -f "$dbg/.ioasid-built" ]; then
	ok 0 "# SKIP the stock debug kernel is built here"
else
	is "$rc:$(wc -l <<<"$o")" "1:1" "an unbuilt flavour: exit 1, one message"
	like "$o" "is not built: run 'make kernel'" "...saying what to run"
fi
done_testing
