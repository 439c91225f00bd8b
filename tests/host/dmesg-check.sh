# SPDX-License-Identifier: GPL-2.0
# testbed/dmesg-check on a fake kernel log: clean, with a splat, from a line.
. "$(dirname "$0")/../tap.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
printf '#!/bin/sh\ncat "%s/log"\n' "$d" >"$d/dmesg"
chmod +x "$d/dmesg"
check() { PATH=$d:$PATH "$top/testbed/dmesg-check" "$@"; }

printf '[    0.1] Linux version 6.12\n[    1.0] DMAR: IOMMU enabled\n' >"$d/log"
o=$(check); rc=$?
is "$rc" 0 "a clean log passes"
like "$o" "^ok 1 no Oops" "as one TAP test"
is "$(check -c)" 2 "-c counts the log's lines"

cat >>"$d/log" <<'LOG'
[   90.1] BUG: kernel NULL pointer dereference, address: 000000000000000c
[   90.1] RIP: 0010:bpf_prog_6deef7357e7b4530_hwpt_inval+0x3c/0x1ed
[   90.1] Call Trace:
[   90.1]  bpf_trace_run5+0x8c/0x100
LOG
o=$(check); rc=$?
is "$rc" 1 "a NULL dereference Oops fails"
like "$o" "^not ok 1 no Oops" "as a failed TAP test"
like "$o" "^#   .*RIP: 0010:bpf_prog_.*_hwpt_inval" "shows the report's context"
like "$(check -d 'tools attached')" "^not ok 1 tools attached" "-d names the test"
o=$(check -s 3); rc=$?
is "$rc" 1 "-s 3 still sees a splat at line 3"
printf '[   91.0] ok again\n' >>"$d/log"
o=$(check -s 7); rc=$?
is "$rc" 0 "-s 7 starts after it"
for splat in 'WARNING: CPU: 1 PID: 80 at drivers/iommu/iommufd/main.c:1 x' \
	'general protection fault, probably for non-canonical address' \
	'BUG: KASAN: slab-use-after-free in iommufd_x' \
	'rcu: INFO: rcu_sched detected stalls on CPUs/tasks:' \
	'WARNING: possible circular locking dependency detected' \
	'INFO: task fio:120 blocked for more than 120 seconds.' \
	'UBSAN: shift-out-of-bounds in drivers/iommu/iommufd/io_pagetable.c:9:1' \
	'kmemleak: 2 new suspected memory leaks (see /sys/kernel/debug/kmemleak)' \
	'unreferenced object 0xffff888104a1c000 (size 64):' \
	'BUG: sleeping function called from invalid context at mm/gup.c:1' \
	'WARNING: suspicious RCU usage' \
	'WARNING: lock held when returning to user space!' \
	'INFO: lockdep is turned off.'; do
	printf '[ 1.0] %s\n' "$splat" >"$d/log"
	check >/dev/null
	is "$?" 1 "fails on: $splat"
done
printf '[ 0.1] RETBleed: WARNING: Spectre v2 mitigation leaves CPU vulnerable to RETBleed attacks\n' >"$d/log"
check >/dev/null
is "$?" 0 "a boot-time notice with WARNING: in it is no splat"
printf '[ 0.0] kmemleak: Kernel memory leak detector initialized (mem pool available: 15787)\n[ 0.1] KernelAddressSanitizer initialized (generic)\n[ 0.2] Lock dependency validator: Copyright (c) 2006 Red Hat, Inc., Ingo Molnar\n' >"$d/log"
check >/dev/null
is "$?" 0 "a debug kernel's boot lines naming its checkers are no splat"
check -s x >/dev/null 2>&1
is "$?" 2 "a bad -s is a usage error"
done_testing
