# SPDX-License-Identifier: GPL-2.0
# bench/vmstart's run directory (QMP socket, QEMU log) under the testbed
# guest's conditions, on the host: when the project is cloned under /tmp,
# guest-init leaves /tmp uncovered (the read-only 9p root) and points
# TMPDIR at a tmpfs.  A private mount namespace gives the same: /tmp
# read-only, one writable directory under it as TMPDIR.  vmstart must use
# TMPDIR, say so when it cannot, and leave nothing behind; its QMP socket
# path must fit in sun_path.  The real starts in the guest:
# tests/testbed/clone.sh.  VMSTART=path skips the build.
set -uo pipefail
. "$(dirname "$0")/../tap.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/hostlib.sh"
scratch

vmstart_bin || { done_testing; exit 1; }

# qmp_path: the QMP socket of vmstart's first --dry-run command line.
qmp_path() { "$vs" --dry-run --quick -B anon -b type1 -d 0000:00:03.0 | sed -n 's/.* -qmp unix:\([^ ]*\),server=on,wait=off .*/\1/p'; }
is "$(unset TMPDIR; qmp_path)" "/tmp/vmstart.XXXXXX/qmp.sock" \
	"--dry-run without TMPDIR: the socket in /tmp"
is "$(TMPDIR=/run/tmp/ qmp_path)" "/run/tmp/vmstart.XXXXXX/qmp.sock" \
	"TMPDIR=/run/tmp/ (the guest's, trailing slash): the socket there"
is "$(TMPDIR=/a,b qmp_path)" "/a,,b/vmstart.XXXXXX/qmp.sock" \
	"a comma in TMPDIR is doubled for QEMU's option syntax"

if [ "$(id -u)" != 0 ] || ! command -v unshare >/dev/null; then
	ok 0 "read-only /tmp # SKIP needs root and unshare(1) for a private mount namespace"
	done_testing
	exit
fi

w=$d/w
mkdir "$w"
# QEMU that says its version and, on fd 3, which run directories exist
# while vmstart runs it: vmstart probes QEMU after making its directory.
cat >"$d/qemu" <<'EOF'
#!/bin/sh
ls -d "${TMPDIR:-/tmp}"/vmstart.* >&3 2>&1
echo "QEMU emulator version 10.0.0 (fake)"
EOF
chmod 755 "$d/qemu"
# rotmp CMD...: CMD in a private mount namespace where /tmp is read-only
# except $w (bind mounts inherit the read-only flag: remount it rw).
rotmp() {
	unshare -m --propagation private sh -c '
		mount --bind /tmp /tmp && mount -o remount,bind,ro /tmp &&
		mount --bind "$0" "$0" && mount -o remount,bind,rw "$0" || exit 99
		exec "$@"' "$w" "$@"
}
rotmp sh -c "! touch /tmp/vmstart-probe.$$ 2>/dev/null && touch $w/probe && rm $w/probe"
ok $? "the namespace: /tmp read-only, \$TMPDIR writable"
rm -f "/tmp/vmstart-probe.$$"

# A device that is not there: vmstart gets past its run directory and
# stops at the device, before starting QEMU.
nodev=7f:1f.7
[ -e /sys/bus/pci/devices/0000:$nodev ] && nodev=ff:1f.7

rotmp env -u TMPDIR "$vs" --quick -b type1 -d $nodev --qemu "$d/qemu" >"$d/out" 2>"$d/err" 3>"$d/seen"
rc=$?
is "$rc" 1 "read-only /tmp, no TMPDIR: exit 1"
is "$(cat "$d/err")" "vmstart: failed to create a directory in /tmp: Read-only file system (set TMPDIR to a writable directory)" \
	"read-only /tmp, no TMPDIR: says where and why, before anything else"

rotmp env TMPDIR="$w" "$vs" --quick -b type1 -d $nodev --qemu "$d/qemu" >"$d/out" 2>"$d/err" 3>"$d/seen"
rc=$?
is "$rc" 1 "read-only /tmp, TMPDIR writable: exit 1 (no device here)"
like "$(cat "$d/err")" "^vmstart: no PCI device 0000:$nodev" "  and the reason is the device, not the directory"
like "$(cat "$d/seen")" "^$w/vmstart\.[A-Za-z0-9]{6}\$" "  its run directory was in TMPDIR while QEMU was probed"
is "$(ls -A "$w" | wc -l)" 0 "  and is removed when it exits"

long=$w/$(printf 'x%.0s' $(seq 100))
TMPDIR=$long "$vs" --quick -b type1 -d $nodev --qemu "$d/qemu" >"$d/out" 2>"$d/err" 3>"$d/seen"
rc=$?
is "$rc" 1 "TMPDIR too long for sun_path: exit 1"
like "$(cat "$d/err")" "^vmstart: TMPDIR $long is too long for QEMU's QMP socket: ${#long} characters, at most 83\$" \
	"  says so with the limit"
TMPDIR=$w/none "$vs" --quick -b type1 -d $nodev --qemu "$d/qemu" >"$d/out" 2>"$d/err" 3>"$d/seen"
is "$(cat "$d/err")" "vmstart: failed to create a directory in $w/none: No such file or directory" \
	"TMPDIR missing: says which"
done_testing
