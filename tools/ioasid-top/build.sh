#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build tools/ioasid-top into build/tools/ioasid-top/ with the same commands
# as the Makefile's bpf/ rules, until the Makefile has its own rule.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
O=build/tools/ioasid-top
S=tools/ioasid-top
UAPI="-isystem $(STOCK=0 testbed/kernel.sh tree)/usr/include"
mkdir -p "$O"
[ -f build/bpf/vmlinux.h ] || make -s build/bpf/vmlinux.h
set -x
clang -g -O2 -Wall -target bpf -D__TARGET_ARCH_x86 -Ibuild/bpf -Ibpf -I$S \
	-c $S/ioasid-top.bpf.c -o $O/ioasid-top.bpf.o
llvm-strip -g $O/ioasid-top.bpf.o
bpftool gen skeleton $O/ioasid-top.bpf.o >$O/ioasid-top.skel.h.tmp
mv $O/ioasid-top.skel.h.tmp $O/ioasid-top.skel.h
# shellcheck disable=SC2086
gcc -O2 -g -Wall -Wextra -Wno-unused-parameter -std=gnu11 -D_GNU_SOURCE $UAPI \
	-I$O -Ibpf -Ilib -I$S -o $O/ioasid-top $S/ioasid-top.c $S/screen.c lib/*.c \
	-lbpf -lelf -lz -lm -lncurses
