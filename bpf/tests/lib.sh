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

# strace_bpf OUT: count the running tool's bpf() calls from now on (strace
# -c attached to $tool_pid; it ends with the tool).  bpf_calls OUT: after
# stop_tool, the count ("?" when strace gave none).
strace_bpf() {
	strace -f -c -e trace=bpf -o "$d/$1" -p "$tool_pid" 2>"$d/$1.err" &
	strace_pid=$!
	sleep 1		# attached (strace -p has no ready signal)
}
bpf_calls() {
	wait "$strace_pid" 2>/dev/null
	awk '$NF == "bpf" { n = $4 } END { print n == "" ? "?" : n }' "$d/$1"
}

tool_cleanup() {
	[ -n "$tool_pid" ] && kill "$tool_pid" 2>/dev/null
	return 0
}

# rotation R N: the indices 0..N-1 in round R's order (the configurations
# rotate from round to round, so that none always runs first).
rotation() {
	local i
	for i in $(seq 0 $(($2 - 1))); do echo $(((i + $1) % $2)); done
}

# dma_overhead BIN OUT ROUNDS N SIZE CFG...: what a tool costs the map/unmap
# loop it watches.  Each round runs $bin/dmaprobe -s SIZE -n N per backend
# once per CFG, in rotated order: CFG is "off" (no tool) or NAME=FLAGS (BIN
# FLAGS in the background).  dmaprobe's JSON lines (label "ROUND NAME") go
# to OUT; prints each round's means, then per backend and configuration
# the median of the rounds' means with min and max and the change from off.
# Uses $bin (the BINDIR) and $d.
dma_overhead() {
	local tool=$1 out=$2 rounds=$3 n=$4 size=$5 r i spec b
	shift 5
	local specs=("$@") names=()
	for spec in "${specs[@]}"; do names+=("${spec%%=*}"); done
	: >"$out"
	for r in $(seq "$rounds"); do
		for i in $(rotation "$r" ${#specs[@]}); do
			spec=${specs[$i]}
			if [ "$spec" != off ]; then
				# shellcheck disable=SC2086
				start_tool "$tool" ovh ${spec#*=} || echo "# $tool ${spec#*=} did not start"
			fi
			for b in iommufd type1; do
				"$bin/dmaprobe" -j -b "$b" -s "$size" -n "$n" -L "$r ${spec%%=*}" >>"$out" ||
					return 1
			done
			[ -n "$tool_pid" ] && stop_tool
		done
		tail -n $((2 * ${#specs[@]})) "$out" | python3 -c '
import json, sys
for l in sys.stdin:
    d = json.loads(l)
    print("# round %-12s %-8s map %7.2f  unmap %7.2f us" % (d["label"], d["backend"], d["map_mean"], d["unmap_mean"]))'
	done
	python3 - "$out" "${names[@]}" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
cfgs = sys.argv[2:]
print("%-8s %-9s %-26s %-26s" % ("BACKEND", "CONFIG", "MAP us med [min-max]", "UNMAP us med [min-max]"))
for b in ("iommufd", "type1"):
    base = {}
    for c in cfgs:
        v = [r for r in rows if r["backend"] == b and r["label"].split()[1] == c]
        cells = []
        for k in ("map_mean", "unmap_mean"):
            x = [r[k] for r in v]
            med = statistics.median(x)
            if c == "off":
                base[k] = med
                rel = ""
            else:
                rel = " %+.0f%%" % (100 * (med / base[k] - 1))
            cells.append("%.2f [%.2f-%.2f]%s" % (med, min(x), max(x), rel))
        print("%-8s %-9s %-26s %-26s" % (b, c, cells[0], cells[1]))
PY
}
