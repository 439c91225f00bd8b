# SPDX-License-Identifier: GPL-2.0
# One CLI vocabulary across the five tools (lib/cli): an unknown option,
# short or long, and a missing value are the same message in every tool,
# then its usage, exit 2; the letters that libbpf-tools give a meaning
# (-c cgroup, -r rows where a tool has rows, -m milliseconds,
# -N nanoseconds, -p PID) mean that or nothing: ioasid-top (no cgroup
# filter) has no -c and no -r, its reverse sort and name filter are
# --reverse and --comm only, and work.
. "$(dirname "$0")/../tap.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/hostlib.sh"
scratch

declare -A path=(
	[maplat]=$top/build/bpf/maplat [flushstat]=$top/build/bpf/flushstat
	[faultlat]=$top/build/bpf/faultlat [attachsnoop]=$top/build/bpf/attachsnoop
	[ioasid-top]=$top/build/tools/ioasid-top/ioasid-top
)
tools=(attachsnoop faultlat flushstat ioasid-top maplat)
for t in "${tools[@]}"; do
	[ -x "${path[$t]}" ] || { echo "not ok 1 ${path[$t]} not built (make bpf tools)"; echo 1..1; exit 1; }
done

# usage error ARGS...: exit 2, the first line as given, then the usage
usage_error() {
	local t=$1 want=$2 rc
	shift 2
	"${path[$t]}" "$@" >"$d/o" 2>"$d/e" </dev/null
	rc=$?
	is "$rc:$(head -1 "$d/e")" "2:$t: $want" "$t $*: exit 2, '$want'"
	like "$(sed -n 2p "$d/e")" "^usage: $t " "$t $*: then the usage"
}
for t in "${tools[@]}"; do
	usage_error "$t" "unknown option '-Z'" -Z
	usage_error "$t" "unknown option '--no-such-option'" --no-such-option
	usage_error "$t" "option '-p' needs a value" -p
done

# -p is a PID in all five, -c a cgroup in the four BPF tools
for t in "${tools[@]}"; do
	"${path[$t]}" -h >"$d/h" 2>&1
	like "$(cat "$d/h")" "-p, --pid PID" "$t -h: -p is --pid"
	[ "$t" = ioasid-top ] && continue
	like "$(cat "$d/h")" "-c, --cgroup DIR" "$t -h: -c is --cgroup"
done
# -m and -N: milliseconds and nanoseconds where a tool has latency buckets
for t in maplat faultlat; do
	"${path[$t]}" -h >"$d/h" 2>&1
	like "$(cat "$d/h")" "-m, --milliseconds" "$t -h: -m is --milliseconds"
	like "$(cat "$d/h")" "-N, --nanoseconds" "$t -h: -N is --nanoseconds"
	usage_error "$t" "-N and -m: one unit" -N -m
done
# -r is rows where a tool has a row limit, nothing else
"${path[flushstat]}" -h >"$d/h" 2>&1
like "$(cat "$d/h")" "-r, --rows ROWS" "flushstat -h: -r is --rows"

# ioasid-top: no -r, no -c for its own sort and name filter...
usage_error ioasid-top "unknown option '-r'" -r
usage_error ioasid-top "unknown option '-c'" -c x
# ...which are long options and work (one text frame, fallback or not)
if [ "$(id -u)" = 0 ]; then
	"${path[ioasid-top]}" -b -n 1 -d 1 --reverse --comm nosuchcomm >"$d/o" 2>"$d/e" </dev/null
	rc=$?
	if [ $rc != 0 ] && grep -qE "not allowed to load BPF|has no BTF|cannot load BPF" "$d/e"; then
		skip "ioasid-top --reverse --comm: BPF unavailable here ($(head -1 "$d/e"))"
	else
		is "$rc" 0 "ioasid-top -b -n 1 --reverse --comm NAME: exit 0"
		like "$(cat "$d/o")" "^ioasid-top - " "and prints its frame"
	fi
fi
done_testing
