# SPDX-License-Identifier: GPL-2.0
# bench/vmstart on the host: no IOMMU and no vfio-pci device here, so what
# is tested is the QEMU command line it builds (--dry-run), that the host's
# QEMU accepts that command line up to the device, and its messages for
# bad arguments and for what it checks before starting anything.  The
# real runs are bench/tests/vmstart-vtd.sh.  VMSTART=path skips the build.
. "$(dirname "$0")/../tap.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/hostlib.sh"
scratch
# vmstart's run directory (and the QMP socket in the command lines) goes
# in $TMPDIR: here, so the expected lines do not depend on the caller's.
export TMPDIR=$d

vmstart_bin || { done_testing; exit 1; }

# --- --dry-run: the command lines ----------------------------------------
"$vs" --dry-run -d 0000:00:03.0 >"$d/dry" 2>"$d/dry.err"
ok $? "--dry-run exits 0 without a device or root"
is "$(grep -c '^# ' "$d/dry")" 12 "default: 3 sizes x 2 backings x 2 backends"
is "$(grep -vc '^# ' "$d/dry")" 12 "one command line per case"
is "$(grep '^# ' "$d/dry" | head -4 | tr '\n' ' ')" \
	"# iommufd-256m-anon # type1-256m-anon # iommufd-256m-hugetlb # type1-256m-hugetlb " \
	"cases named backend-size-backing, size then backing then backend"
# cmd CASE: the command line printed under "# CASE".
cmd() { sed -n "/^# $1\$/{n;p}" "$d/dry"; }
i=$(cmd iommufd-512m-anon)
t=$(cmd type1-512m-anon)
h=$(cmd iommufd-1g-hugetlb)
for w in -S -nodefaults '-display none' '-machine q35,memory-backend=ram0' '-accel tcg' '-m 512M' \
	'-object memory-backend-ram,id=ram0,size=512M,prealloc=off' \
	"-qmp unix:$d/vmstart.XXXXXX/qmp.sock,server=on,wait=off"; do
	like "$i" " $w( |\$)" "iommufd command line has '$w'"
done
like "$i" ' -object iommufd,id=iommufd0 .*-device vfio-pci,host=0000:00:03.0,id=hostdev0,iommufd=iommufd0$' \
	"iommufd: -object iommufd, then the device on it"
like "$t" ' -device vfio-pci,host=0000:00:03.0,id=hostdev0$' "type1: the device alone"
! grep -q iommufd <<<"$t"
ok $? "type1: no iommufd anywhere"
like "$h" ' -m 1024M -object memory-backend-file,id=ram0,size=1024M,mem-path=[^ ,]+,prealloc=on ' \
	"hugetlb: memory-backend-file on hugetlbfs, preallocated"
like "$(cmd type1-256m-anon)" "^$(command -v qemu-system-x86_64 || echo qemu-system-x86_64) -name vmstart-type1-256m-anon " \
	"the QEMU binary from PATH, the case as -name"

"$vs" --dry-run --quick -b type1 -B hugetlb --hugetlbfs /mnt/huge --prealloc off -d 3:0.1 \
	--qemu /opt/q/bin/qemu --accel kvm --smp 4 --boot /boot/vmlinuz,/boot/initrd.img \
	--append "console=ttyS0 root=/dev/vda quiet" -- -serial mon:stdio -device 'x,y=it'"'"'s' >"$d/dry2"
ok $? "--dry-run with every option"
is "$(grep -c '^# ' "$d/dry2")" 1 "--quick -b type1 -B hugetlb: one case"
is "$(sed -n 1p "$d/dry2")" "# type1-64m-hugetlb" "--quick: 64 MiB"
c=$(sed -n 2p "$d/dry2")
like "$c" '^/opt/q/bin/qemu ' "--qemu PATH as given"
like "$c" ' -accel kvm -cpu host -smp 4 ' "--accel kvm adds -cpu host; --smp"
like "$c" 'mem-path=/mnt/huge,prealloc=off ' "--hugetlbfs DIR, --prealloc off"
like "$c" 'host=0000:03:00.1,' "-d 3:0.1 normalized to 0000:03:00.1"
like "$c" " -kernel /boot/vmlinuz -initrd /boot/initrd.img -append 'console=ttyS0 root=/dev/vda quiet' " \
	"--boot KERNEL,INITRD and --append, quoted"
like "$c" " -serial mon:stdio -device 'x,y=it'\\\\''s'\$" "arguments after -- at the end, quoted for the shell"
# The shell reads the quoting back into the same words.
eval "set -- $c"
is "$#" 34 "the printed line is 34 words for the shell"
is "${!#}" "x,y=it's" "the last word survives quoting"
"$vs" --dry-run --quick -B anon --prealloc on --boot /k -d 00:03.0 >"$d/dry3"
like "$(sed -n 2p "$d/dry3")" 'memory-backend-ram,id=ram0,size=64M,prealloc=on .* -kernel /k -append console=ttyS0$' \
	"--prealloc on for anon; --boot without initrd; default --append"

# The host's QEMU accepts the whole line up to the device (which needs an
# IOMMU it does not have here): the error must be about VFIO/iommufd only.
if command -v qemu-system-x86_64 >/dev/null; then
	for be in type1 iommufd; do
		line=$(sed -n 's|/vmstart.XXXXXX/|/|; /^#/!p' < <("$vs" --dry-run --quick -B anon -b $be -d 0000:00:03.0))
		eval "set -- $line"
		timeout 60 "$@" >"$d/q.out" 2>&1
		rc=$?
		[ "$rc" != 0 ] && [ "$rc" != 124 ]
		ok $? "$be: QEMU exits without the device (exit $rc)"
		if [ -e /dev/iommu ] || [ -e /dev/vfio/vfio ]; then
			ok 0 "$be: # SKIP this host has VFIO/iommufd"
		else
			like "$(tail -1 "$d/q.out")" "(vfio|iommu)" "$be: QEMU parsed the options and failed at the device"
			! grep -qE "invalid|[Pp]arameter '|not found|unknown" "$d/q.out"
			ok $? "$be: no option QEMU does not know ($(tail -1 "$d/q.out" | head -c 150))"
		fi
	done
fi

# --- usage errors: exit 2, "vmstart: ..." then the usage ----------------
# usage NAME REGEX ARGS...
usage() {
	local name=$1 want=$2 rc
	shift 2
	"$vs" "$@" >"$d/out" 2>"$d/err"
	rc=$?
	is "$rc" 2 "$name: exit 2"
	like "$(head -1 "$d/err")" "^vmstart: .*$want" "$name: says why"
	like "$(sed -n 2p "$d/err")" '^usage: vmstart' "$name: then the usage"
	is "$(wc -c <"$d/out")" 0 "$name: nothing on stdout"
}
usage "RAM size not a multiple of 2 MiB" "bad RAM size '5m'" -S 5m --dry-run
usage "RAM size not a size" "bad RAM size 'lots'" -S 64m,lots --dry-run
usage "RAM size too small" "bad RAM size '8m'" -S 8m --dry-run
usage "bad backing" "bad backing 'thp': anon or hugetlb" -B thp --dry-run
usage "bad backend" "bad backend 'vfio'" -b vfio --dry-run
usage "bad accelerator" "bad accelerator 'hvf'" --accel hvf --dry-run
usage "bad --boot" "bad --boot ',initrd'" --boot ,initrd --dry-run
usage "bad --boot (three parts)" "bad --boot" --boot k,i,x --dry-run
usage "bad --prealloc" "bad --prealloc 'yes'" --prealloc yes --dry-run
usage "bad repeat" "-r takes a count" -r 0 --dry-run
usage "bad timeout" "-T takes seconds" -T x --dry-run
usage "bad --smp" "--smp takes" --smp 0 --dry-run
usage "bad --buffer-kb" "--buffer-kb takes" --buffer-kb 1 --dry-run
usage "bad --seed" "--seed takes 0 to" --seed -1 --dry-run
usage "--seed not a number" "--seed takes 0 to" --seed x --dry-run
usage "stray argument" "unexpected argument 'extra'" extra
"$vs" --dry-run -d nvme0 >"$d/out" 2>"$d/err"
is "$?" 1 "--dry-run -d nvme0: exit 1"
like "$(cat "$d/err")" "^vmstart: 'nvme0' is not a PCI address" "--dry-run checks the BDF's form"
"$vs" -h >"$d/out" 2>&1
is "$?" 0 "-h exits 0"
like "$(head -1 "$d/out")" '^usage: vmstart' "-h prints the usage"

# --- checks before anything starts (as root, no IOMMU on this host) ------
# fails NAME REGEX ARGS...: exit 1, one line "vmstart: ...".
fails() {
	local name=$1 want=$2 rc
	shift 2
	"$@" >"$d/out" 2>"$d/err"
	rc=$?
	is "$rc" 1 "$name: exit 1"
	is "$(wc -l <"$d/err")" 1 "$name: one line on stderr"
	like "$(head -1 "$d/err")" "^vmstart: .*$want" "$name: says why"
}
if [ "$(id -u)" = 0 ]; then
	fails "not root" "must run as root" setpriv --reuid=nobody --regid=nogroup --clear-groups "$vs" --quick
	fails "no QEMU" "no QEMU at /nonexistent/qemu" "$vs" --quick --qemu /nonexistent/qemu
	printf '#!/bin/sh\necho "QEMU emulator version 8.2.2 (fake)"\n' >"$d/oldqemu"
	printf '#!/bin/sh\necho "hello"\n' >"$d/notqemu"
	chmod 755 "$d/oldqemu" "$d/notqemu"
	fails "QEMU too old" "QEMU 8.2 at .*oldqemu is too old: the iommufd backend needs QEMU >= 9.0" \
		"$vs" --quick --qemu "$d/oldqemu"
	fails "not a QEMU" "notqemu --version did not say which QEMU it is" "$vs" --quick --qemu "$d/notqemu"
	if [ ! -e /dev/iommu ]; then
		fails "no /dev/iommu" "no /dev/iommu" "$vs" --quick -b iommufd
	fi
	if [ ! -e /sys/bus/pci/devices/0000:7f:1f.7 ]; then
		fails "wrong BDF" "no PCI device 0000:7f:1f.7" "$vs" --quick -b type1 -d 7f:1f.7 \
			--qemu "$d/oldqemu"
	fi
	fails "not a BDF" "'nvme0' is not a PCI address" "$vs" --quick -b type1 -d nvme0
	if [ ! -d /sys/bus/pci/drivers/vfio-pci ] || [ -z "$(ls /sys/bus/pci/drivers/vfio-pci | grep :)" ]; then
		fails "no device on vfio-pci" "no PCI device is bound to vfio-pci" "$vs" --quick -b type1
	fi
else
	ok 0 "checks before starting # SKIP not root"
fi
done_testing
