# SPDX-License-Identifier: GPL-2.0
# lib/probe.c: the arguments of a tracepoint's prototype, from the host
# kernel's BTF (the tools' check that the series' end events have v2's).
. "$(dirname "$0")/../tap.sh"
. "$(dirname "$0")/../hostlib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
scratch

gcc -Wall -Wextra -Werror -O2 -I"$top/lib" -o "$d/t" "$top/tests/host/probe_test.c" \
	"$top/lib/probe.c" -lbpf 2>"$d/cc.err"
ok $? "probe_test builds without warnings"
if [ ! -r /sys/kernel/btf/vmlinux ]; then
	echo "ok 2 prototypes # SKIP no kernel BTF on this host"
	echo "1..2"
	exit 0
fi
# Prototypes that have not changed in years: (preempt, prev, next,
# prev_state), (regs, id), (p).
is "$("$d/t" sched_switch sys_enter sched_process_exec)" \
	"sched_switch 4
sys_enter 2
sched_process_exec 3" "sched_switch 4, sys_enter 2, sched_process_exec 3 arguments"
is "$("$d/t" sched_process_free)" "sched_process_free 1" "sched_process_free: 1 argument"
is "$("$d/t" no_such_tracepoint_here)" "no_such_tracepoint_here -1" "no BTF for it: -1"
# The kinds of arguments (BTF_KIND_INT 1, _PTR 2): sched_switch's bool
# preempt and struct task_struct *prev; past the last one, -1.
is "$("$d/t" sched_switch:0 sched_switch:1 sched_switch:4 no_such_tracepoint_here:0)" \
	"sched_switch:0 1
sched_switch:1 2
sched_switch:4 -1
no_such_tracepoint_here:0 -1" "argument kinds: bool is INT, prev is PTR, none past the end"
done_testing
