# SPDX-License-Identifier: GPL-2.0
# A suite's exit status into its TAP, for tests/run and testbed/guest-tests:
# source it.  A suite can print only "ok" lines and a plan, then fail (a
# check after the last result, `set -e`, a harness exiting KSFT_FAIL):
# its exit status must count.

# suite_status TAP NAME RC: append what RC says to TAP, and echo it.
#   0, 4 (KSFT_SKIP: the suite's own "1..0 # SKIP" or "ok # SKIP" lines
#   say what was skipped)   nothing;
#   > 128 (killed by a signal)   "Bail out!" unless TAP has one;
#   else, if TAP looks complete and green (a plan, no "not ok", no
#   "Bail out!")   "not ok N NAME exited with status RC"; if it does not,
#   a comment: tests/tap-summary fails the suite already.
suite_status() {
	local tap=$1 name=$2 rc=$3 n line
	case $rc in 0 | 4) return 0 ;; esac
	if [ "$rc" -gt 128 ]; then
		grep -q '^Bail out!' "$tap" 2>/dev/null && return 0
		line="Bail out! $name killed by signal $((rc - 128))"
	elif grep -qE '^1\.\.[0-9]+' "$tap" 2>/dev/null &&
		! grep -qE '^(not ok|Bail out!)' "$tap"; then
		n=$(grep -cE '^(not )?ok( |$)' "$tap")
		line="not ok $((n + 1)) $name exited with status $rc"
	else
		line="# $name exited with status $rc"
	fi
	echo "$line" | tee -a "$tap"
}
