# SPDX-License-Identifier: GPL-2.0
# tests/suite-status.sh (a suite's exit status into its TAP), and tests/run
# using it, in a scratch copy of the tree with a fake `make` and suites
# that print only "ok" lines, then exit non-zero.
. "$(dirname "$0")/../tap.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/suite-status.sh"
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT

# st RC TAP-TEXT: the TAP after suite_status, one line per "|".
st() {
	printf '%b' "$2" >"$d/s.tap"
	suite_status "$d/s.tap" s "$1" >"$d/s.out"
	tr '\n' '|' <"$d/s.tap"
}
is "$(st 0 '1..1\nok 1 a\n')" "1..1|ok 1 a|" "exit 0: nothing added"
is "$(st 3 'ok 1 a\nok 2 b\n1..2\n')" "ok 1 a|ok 2 b|1..2|not ok 3 s exited with status 3|" \
	"all ok, then exit 3: one failure, numbered after the results"
is "$(cat "$d/s.out")" "not ok 3 s exited with status 3" "... and echoed"
is "$(st 1 '1..2\nok 1 a\nnot ok 2 b\n')" "1..2|ok 1 a|not ok 2 b|# s exited with status 1|" \
	"a failure already reported: the status is a comment"
is "$(st 1 'ok 1 a\n')" "ok 1 a|# s exited with status 1|" \
	"no plan (tap-summary fails it already): a comment"
is "$(st 4 '1..0 # SKIP no IOMMU\n')" "1..0 # SKIP no IOMMU|" "exit 4 (KSFT_SKIP): nothing added"
is "$(st 139 '1..1\nok 1 a\n')" "1..1|ok 1 a|Bail out! s killed by signal 11|" "killed by a signal: Bail out!"
is "$(st 137 'ok 1 a\nBail out! s killed after 60s\n')" "ok 1 a|Bail out! s killed after 60s|" \
	"killed, and a Bail out! already there: not twice"
is "$(st 2 '')" "# s exited with status 2|" "no TAP at all: a comment (tap-summary: no results)"

# tests/run in a scratch tree: a fake make (no build, no apt-get, no
# kernel), no testbed/run (no boot); host and testbed-driven suites that
# print all ok and a plan, one of each exiting 0 and one exiting 3.
t=$d/tree
mkdir -p "$t/tests/host" "$t/tests/testbed/long" "$d/bin"
cp "$top/tests/run" "$top/tests/tap-summary" "$top/tests/tap.sh" "$top/tests/suite-status.sh" "$t/tests/"
printf '#!/bin/sh\nexit 0\n' >"$d/bin/make"
chmod +x "$d/bin/make"
for w in host testbed; do
	printf 'echo "ok 1 fine"; echo "1..1"\n' >"$t/tests/$w/good.sh"
	printf 'echo "ok 1 looks fine"; echo "1..1"; exit 3\n' >"$t/tests/$w/liar.sh"
done
printf 'echo "ok 1 slow"; echo "1..1"\n' >"$t/tests/testbed/long/slow.sh"
PATH=$d/bin:$PATH bash "$t/tests/run" --host-only >"$d/run.out" 2>&1
is "$?" 1 "tests/run --host-only: exit 1"
like "$(cat "$d/run.out")" '^host-liar +1 passed, 1 failed, 0 skipped$' \
	"a host suite exiting 3 after all ok counts as failed"
like "$(cat "$d/run.out")" '^host-good +1 passed, 0 failed, 0 skipped$' "a host suite exiting 0 passes"
like "$(cat "$d/run.out")" '^stage-deps +1 passed, 0 failed, 0 skipped$' "a stage's TAP has its plan"
is "$(tail -1 "$t/build/test/tap/host-liar.tap")" "not ok 2 host-liar exited with status 3" \
	"the failure is in the suite's TAP"
PATH=$d/bin:$PATH bash "$t/tests/run" >"$d/run.out" 2>&1
like "$(cat "$d/run.out")" '^testbed-liar +1 passed, 1 failed, 0 skipped$' \
	"a testbed-driven suite exiting 3 after all ok counts as failed"
like "$(cat "$d/run.out")" '^testbed-good +1 passed, 0 failed, 0 skipped$' "a testbed-driven suite exiting 0 passes"
! grep -q 'testbed-slow' "$d/run.out"
ok $? "tests/testbed/long/ is not run without --long"
PATH=$d/bin:$PATH bash "$t/tests/run" --long >"$d/run.out" 2>&1
like "$(cat "$d/run.out")" '^testbed-slow +1 passed, 0 failed, 0 skipped$' "--long runs tests/testbed/long/ too"

# testbed/guest-tests on the host (it only needs IOASID_GUEST and
# IOASID_OUT for a tool's suite), with fake suites.
g=$d/guest/x/tests
mkdir -p "$g" "$d/gout"
printf 'echo "ok 1 fine"; echo "1..1"\n' >"$g/good.sh"
printf 'echo "ok 1 looks fine"; echo "1..1"; exit 3\n' >"$g/liar.sh"
printf 'echo "1..0 # SKIP no device"; exit 4\n' >"$g/skip.sh"
printf 'echo "ok 1 a"; kill -SEGV $$\n' >"$g/crash.sh"
chmod +x "$g"/*.sh
(cd "$d/guest" && IOASID_GUEST=1 IOASID_OUT=$d/gout "$top/testbed/guest-tests" /nonexistent \
	x/tests/good.sh x/tests/liar.sh x/tests/skip.sh x/tests/crash.sh) >"$d/guest.out" 2>&1
o=$("$top/tests/tap-summary" "$d"/gout/tap/{good,liar,skip,crash}.tap)
like "$o" '^good +1 passed, 0 failed, 0 skipped$' "guest-tests: a suite exiting 0 passes"
like "$o" '^liar +1 passed, 1 failed, 0 skipped$' "guest-tests: all ok, then exit 3: failed"
like "$(cat "$d/guest.out")" '^liar: not ok 2 liar exited with status 3$' "guest-tests: says so as it goes"
like "$o" '^skip +0 passed, 0 failed, 1 skipped' "guest-tests: a 1..0 skip plan and exit 4 (KSFT_SKIP): a skip"
like "$o" '^crash +1 passed, 1 failed, 0 skipped \(bailed out, no plan\)$' "guest-tests: killed by SIGSEGV: bailed out"
done_testing
