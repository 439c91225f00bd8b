# SPDX-License-Identifier: GPL-2.0
# Minimal TAP producer for the host tests: source it, call ok/is/like,
# end with done_testing (prints the plan).

_n=0
_failed=0

# ok COND-EXIT-STATUS DESCRIPTION: "ok N desc" if the status is 0.
ok() {
	local rc=$1
	shift
	_n=$((_n + 1))
	if [ "$rc" = 0 ]; then
		echo "ok $_n $*"
	else
		echo "not ok $_n $*"
		_failed=$((_failed + 1))
	fi
}

# is GOT WANT DESCRIPTION
is() {
	local got=$1 want=$2
	shift 2
	[ "$got" = "$want" ]
	ok $? "$*"
	[ "$got" = "$want" ] || printf '#   got:  %s\n#   want: %s\n' "$got" "$want"
}

# like TEXT REGEX DESCRIPTION
like() {
	local text=$1 re=$2
	shift 2
	grep -qE -- "$re" <<<"$text"
	ok $? "$*"
	grep -qE -- "$re" <<<"$text" || printf '#   %s\n#   does not match: %s\n' "$(head -3 <<<"$text")" "$re"
}

# wait_tracing PID FILE...: until a tool (PID) says "Tracing" in one of the
# FILEs, exits, or 60 s pass (a loaded host can take 10 s to load a tool).
wait_tracing() {
	local pid=$1 i
	shift
	for i in $(seq 600); do
		grep -q '^Tracing' "$@" 2>/dev/null && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	grep -q '^Tracing' "$@" 2>/dev/null
}

done_testing() {
	echo "1..$_n"
	[ "$_failed" = 0 ]
}

# verdicts FILE PREFIX: a checker's report as TAP.  FILE's lines are
# "OK what", "BAD what" or "# comment"; the first must be "OK valid JSON",
# else the whole file is one failure.
verdicts() {
	local file=$1 prefix=$2 verdict rest
	if ! grep -q '^OK valid JSON' "$file"; then
		ok 1 "$prefix: $(cat "$file")"
		return
	fi
	while read -r verdict rest; do
		case $verdict in
		'#') echo "# $rest" ;;
		OK) ok 0 "$prefix: $rest" ;;
		*) ok 1 "$prefix: $rest" ;;
		esac
	done <"$file"
}
