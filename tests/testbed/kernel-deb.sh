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
# The Debian-config flavour (DEBCONFIG=1) is configured, not built (hours):
# its config must be Debian's for the pinned version except for the
# options of testbed/config-debian.fragment, what Kconfig derives from
# them and what describes the compiler.
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

# Debian's config, changed only where config-debian.fragment says: against
# Debian's config made current for this machine's toolchain (olddefconfig
# alone: a compiler or pahole other than Debian's changes what Kconfig
# detects), no option may differ or vanish but the fragment's, and new
# ones are those the fragment's enable.
start=$(date +%s)
IOASID_DEBCONFIG=1 testbed/kernel.sh config >"$tmp/debconfig.log" 2>&1
ok $? "Debian's config for the series (kernel.sh config, DEBCONFIG=1, $(( $(date +%s) - start ))s)$(tail -2 "$tmp/debconfig.log" | sed 's/^/; /' | tr -d '\n' | head -c 300)"
dtree=$(IOASID_DEBCONFIG=1 testbed/kernel.sh tree)
orig=$(IOASID_DEBCONFIG=1 testbed/kernel.sh info | sed -n 's/^debconfig: *//p')
[ -f "$orig" ] && [ -f "$dtree/.config" ] &&
	cp "$orig" "$tmp/base.config" &&
	make -s -C "$dtree" KCONFIG_CONFIG="$tmp/base.config" olddefconfig >"$tmp/base.log" 2>&1
ok $? "Debian's config ($orig) made current here (olddefconfig alone)"
# opts FILE: "NAME<tab>VALUE" per option, "n" for "is not set", by name
opts() {
	sed -nE 's/^(CONFIG_[A-Z0-9_]+)=(.*)/\1\t\2/p; s/^# (CONFIG_[A-Z0-9_]+) is not set/\1\tn/p' "$1" |
		LC_ALL=C sort -t$'\t' -k1,1
}
ours=$(sed -nE 's/^(CONFIG_[A-Z0-9_]+)=.*/\1/p; s/^# (CONFIG_[A-Z0-9_]+) is not set/\1/p' \
	testbed/config-debian.fragment | paste -sd'|')
# options of the baseline whose value changed or that are gone (unless
# they were off), the fragment's aside
d=$( { LC_ALL=C join -t$'\t' <(opts "$tmp/base.config") <(opts "$dtree/.config") |
	awk -F'\t' '$2 != $3 { print $1 }'
	LC_ALL=C join -t$'\t' -v1 <(opts "$tmp/base.config") <(opts "$dtree/.config") |
		awk -F'\t' '$2 != "n" { print $1 }'; } | grep -vxE "$ours")
is "$d" "" "no option of Debian's differs or is gone but the fragment's"
echo "# new options the fragment's enable: $(LC_ALL=C comm -13 <(opts "$tmp/base.config" | cut -f1) \
	<(opts "$dtree/.config" | cut -f1) | paste -sd' ')"
echo "# this toolchain vs Debian's build: $(diff <(opts "$orig") <(opts "$tmp/base.config") | grep -c '^>') option values differ"
for o in CONFIG_IOMMUFD=m CONFIG_VFIO_IOMMU_TYPE1=m CONFIG_DEBUG_INFO_BTF=y CONFIG_DEBUG_INFO_BTF_MODULES=y; do
	grep -qx "$o" "$dtree/.config"
	ok $? "the flavour has $o"
done

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
