# SPDX-License-Identifier: GPL-2.0
#
# Pinned-page accounting for the tests that must leave nothing pinned:
# source after tests/tap.sh.

# Pages pinned with FOLL_PIN right now (acquired - released), after
# folding the per-CPU counter deltas into the totals (stat_refresh).
pinned() {
	echo 1 >/proc/sys/vm/stat_refresh 2>/dev/null
	awk '/^nr_foll_pin_acquired/ {a=$2} /^nr_foll_pin_released/ {r=$2} END {print a-r}' /proc/vmstat
}

# pinned_back WANT: the count, after up to 3 s for the guest's own short
# pins (9p I/O) to go; a leak stays.
pinned_back() {
	local i p
	for i in $(seq 30); do
		p=$(pinned)
		[ "$p" = "$1" ] && break
		sleep 0.1
	done
	echo "$p"
}

# fails_cleanly TOOL NAME WANT-REGEX CMD...: CMD exits non-zero with one
# stderr line "TOOL: ...WANT" (a usage error, exit 2: the message, then
# TOOL's usage text) and leaves no page pinned.  A function named in
# $FAILS_ALSO runs with NAME for a tool's own leftovers (QEMU processes).
# Needs $d, a scratch directory.
fails_cleanly() {
	local tool=$1 name=$2 want=$3 before after rc
	shift 3
	before=$(pinned)
	"$@" >"$d/out" 2>"$d/err"
	rc=$?
	after=$(pinned_back "$before")
	[ "$rc" != 0 ]
	ok $? "$name: non-zero exit (got $rc)"
	if [ "$rc" = 2 ]; then
		like "$(sed -n 2p "$d/err")" "^usage: $tool" "$name: usage text after the message"
	else
		is "$(wc -l <"$d/err")" 1 "$name: one line on stderr"
	fi
	like "$(head -1 "$d/err")" "^$tool: .*$want" "$name: says why"
	[ -z "${FAILS_ALSO:-}" ] || "$FAILS_ALSO" "$name"
	is "$after" "$before" "$name: nothing left pinned"
}
