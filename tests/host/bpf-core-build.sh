# SPDX-License-Identifier: GPL-2.0
# Every BPF object of the project builds against the vmlinux.h of kernels
# WITHOUT the series, as on a fresh machine, where make builds the tools
# from the host's BTF before the testbed kernel exists:
#   host     /sys/kernel/btf/vmlinux (whatever this host runs)
#   fixture  tests/host/fixtures/bpf-core/vmlinux.h: no kernel type at all,
#            only what libbpf's headers and the BPF uAPI constants need
#   stock    the stock testbed kernel's vmlinux (STOCK=1 testbed/kernel.sh
#            tree), skipped when that kernel is not built
# Arguments name which of the three to build (default: all).  A stock
# named on the command line is a failure when that kernel is missing:
# tests/run builds it after the host tests and then runs "stock" alone.
# Each build is the Makefile's own rule (clang, llvm-strip where it strips,
# bpftool gen skeleton), run with every output directory in a temp dir:
# nothing here reads or writes build/, so it does not matter which BTF
# build/bpf/vmlinux.h came from.  One TAP line per object and vmlinux.h.
. "$(dirname "$0")/../tap.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT

fixture=$top/tests/host/fixtures/bpf-core/vmlinux.h
read -ra which <<<"${*:-host fixture stock}"
for w in "${which[@]}"; do
	case $w in host | fixture | stock) ;;
	*) echo "Bail out! unknown vmlinux.h '$w' (host, fixture or stock)"; exit 2 ;;
	esac
done
wanted() { [[ " ${which[*]} " == *" $1 "* ]]; }

# Every *.bpf.c of the project, committed or not (not build/: ignored).
mapfile -t srcs < <(git -C "$top" ls-files --cached --others --exclude-standard '*.bpf.c' | sort -u)
[ "${#srcs[@]}" -gt 0 ]
ok $? "found the project's BPF programs (${#srcs[@]}: ${srcs[*]})"

# The Makefile target that builds @src's object and skeleton under @o.
skel_target() {
	local src=$1 o=$2 n
	n=$(basename "$src" .bpf.c)
	case $src in
	bpf/"$n".bpf.c) echo "$o/bpf/$n.skel.h" ;;
	tools/"$n"/"$n".bpf.c) echo "$o/tools/$n/$n.skel.h" ;;
	tracepoints/tests/nullable.bpf.c) echo "$o/k/nullable.skel.h" ;;
	*) grep -q '^#include "vmlinux.h"' "$top/$src" && return 1
		# No kernel types (uAPI headers only): nothing of vmlinux.h to test.
		return 2 ;;
	esac
}

# build DIR NAME BTF [HEADER]: every object, built in $d/DIR, against the
# vmlinux.h that the Makefile's rule makes from BTF, or against HEADER as
# it is; NAME says which in the TAP lines.
build() {
	local o=$d/$1 name=$2 btf=$3 header=${4:-} src target rc
	mkdir -p "$o/bpf"
	# a given header: in place and newer than its "BTF", make keeps it
	[ -n "$header" ] && cp "$header" "$o/bpf/vmlinux.h"
	for src in "${srcs[@]}"; do
		target=$(skel_target "$src" "$o")
		case $? in
		0) ;;
		2) ok 0 "$src against $name # SKIP does not use vmlinux.h"; continue ;;
		*) ok 1 "$src against $name: no Makefile rule known to this test (add it to skel_target)"
			continue ;;
		esac
		make -s -C "$top" BPF_OUT="$o/bpf" TOOLS_OUT="$o/tools" B="$o/k" \
			VMLINUX_BTF="$btf" "$target" >"$o/make.log" 2>&1
		rc=$?
		[ $rc = 0 ] && [ -s "$target" ] && [ -s "${target%.skel.h}.bpf.o" ]
		rc=$?
		ok $rc "$(basename "$src" .c).o + skeleton against $name vmlinux.h"
		[ $rc = 0 ] || grep -vE '^make(\[[0-9]+\])?: ' "$o/make.log" | head -15 | sed 's/^/#   /'
	done
}

# (a) the host's BTF
if ! wanted host; then
	:
elif [ -r /sys/kernel/btf/vmlinux ]; then
	build host "host ($(uname -r))" /sys/kernel/btf/vmlinux
	grep -q 'btf_trace_iommufd_ioas_map\b' "$d/host/bpf/vmlinux.h" 2>/dev/null &&
		echo "# note: the host kernel has the series: (a) is not a kernel without it"
else
	for src in "${srcs[@]}"; do
		ok 0 "$(basename "$src" .c).o against host vmlinux.h # SKIP no /sys/kernel/btf/vmlinux"
	done
fi

# (b) the committed minimal one
wanted fixture && build fixture fixture "$fixture" "$fixture"

# (c) the stock testbed kernel, when built
wanted stock && stock=$(STOCK=1 "$top/testbed/kernel.sh" tree 2>/dev/null)
if ! wanted stock; then
	:
elif [ -n "$stock" ] && [ -f "$stock/.ioasid-built" ] && [ -f "$stock/vmlinux" ]; then
	build stock "stock ($(basename "$stock"))" "$stock/vmlinux"
elif [ -n "$*" ]; then
	ok 1 "the stock testbed kernel is built (${stock:-no tree}): asked for its vmlinux.h"
else
	for src in "${srcs[@]}"; do
		ok 0 "$(basename "$src" .c).o against stock vmlinux.h # SKIP stock kernel not built (make kernel STOCK=1)"
	done
fi

done_testing
