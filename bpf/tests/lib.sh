# SPDX-License-Identifier: GPL-2.0
# Sourced by the guest tests bpf/tests/<tool>-{vtd,mock,stock}.sh, after
# tests/tap.sh and with $d a scratch directory: one BPF tool at a time
# in the background.
#
#   start_tool BIN NAME ARGS...  BIN ARGS >$d/NAME 2>$d/NAME.err in the
#                                background (pid in $tool_pid); 0 once its
#                                banner ("Tracing ...", stdout or stderr)
#                                is out, 1 if it exited or 30 s passed
#   stop_tool                    SIGTERM; SIGKILL (and a TAP comment) if it
#                                is still there 20 s later; its exit status
#   tool_cleanup                 for the EXIT trap: kill what still runs

tool_pid=

start_tool() {
	local bin=$1 name=$2 i
	shift 2
	"$bin" "$@" >"$d/$name" 2>"$d/$name.err" &
	tool_pid=$!
	for i in $(seq 300); do
		grep -q '^Tracing' "$d/$name.err" "$d/$name" 2>/dev/null && return 0
		kill -0 "$tool_pid" 2>/dev/null || break
		sleep 0.1
	done
	return 1
}

stop_tool() {
	local i rc
	kill -TERM "$tool_pid"
	for i in $(seq 200); do
		kill -0 "$tool_pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$tool_pid" 2>/dev/null; then
		echo "# $tool_pid did not exit on SIGTERM"
		kill -KILL "$tool_pid"
	fi
	wait "$tool_pid"
	rc=$?
	tool_pid=
	return $rc
}

tool_cleanup() {
	[ -n "$tool_pid" ] && kill "$tool_pid" 2>/dev/null
	return 0
}
