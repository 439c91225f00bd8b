# SPDX-License-Identifier: GPL-2.0
# tests/tap-summary: counting, missing and crashed suites, exit status.
. "$(dirname "$0")/../tap.sh"
sum=$(dirname "$0")/../tap-summary
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT

printf 'TAP version 13\n1..4\nok 1 a\nnot ok 2 b\nok 3 c # SKIP no device\nok 4 d\n' >"$d/one.tap"
printf '1..2\nok 1 x\nok 2 y\n' >"$d/two.tap"
o=$("$sum" "$d/one.tap" "$d/two.tap"); rc=$?
is "$(tail -1 <<<"$o")" "4 passed, 1 failed, 1 skipped" "totals over two suites"
is "$rc" 1 "exit 1 when a test failed"
like "$o" '^one +2 passed, 1 failed, 1 skipped$' "per-suite line"

o=$("$sum" "$d/two.tap"); rc=$?
is "$(tail -1 <<<"$o")" "2 passed, 0 failed, 0 skipped" "all passing"
is "$rc" 0 "exit 0 when nothing failed"

# A suite killed midway: plan says 5, three reported.
printf '1..5\nok 1 a\nok 2 b\nok 3 c\n' >"$d/crash.tap"
o=$("$sum" "$d/crash.tap")
is "$(tail -1 <<<"$o")" "3 passed, 2 failed, 0 skipped" "unreported planned tests count as failed"
like "$o" "2 planned but not run" "says how many did not run"

# No results at all and a missing file both fail.
printf 'segfault\n' >"$d/empty.tap"
o=$("$sum" "$d/empty.tap" "$d/absent.tap")
is "$(tail -1 <<<"$o")" "0 passed, 2 failed, 0 skipped" "empty and missing suites fail"

# Indented (subtest) lines and "ok" inside comments are not counted.
printf '1..1\n    ok 1 sub\n# ok 7 comment\nok 1 top\n' >"$d/nested.tap"
is "$(tail -1 <<<"$("$sum" "$d/nested.tap")")" "1 passed, 0 failed, 0 skipped" "only top-level results count"

# The plan may come last (kselftest style).
printf 'ok 1 a\nnot ok 2 b # TODO later\n1..2\n' >"$d/late.tap"
is "$(tail -1 <<<"$("$sum" "$d/late.tap")")" "1 passed, 0 failed, 1 skipped" "trailing plan, TODO not a failure"

# Results but no plan: our suites print the plan last, so the suite died
# before its end.  It fails even when every result it printed is ok.
printf 'ok 1 a\nok 2 b\n' >"$d/noplan.tap"
o=$("$sum" "$d/noplan.tap"); rc=$?
is "$(tail -1 <<<"$o")" "2 passed, 1 failed, 0 skipped" "results without a plan: one more failure"
like "$o" '^noplan .*\(no plan: crashed or killed\)$' "results without a plan: says why"
is "$rc" 1 "results without a plan: exit 1"

# "Bail out!" is a failure, with a plan and every result ok, or without a
# plan (a guest-side timeout: one failure, not two).
printf '1..2\nok 1 a\nok 2 b\nBail out! lost the device\n' >"$d/bail.tap"
o=$("$sum" "$d/bail.tap"); rc=$?
is "$(tail -1 <<<"$o")" "2 passed, 1 failed, 0 skipped" "Bail out! with all results ok: a failure"
like "$o" '^bail .*\(bailed out\)$' "Bail out!: says so"
is "$rc" 1 "Bail out!: exit 1"
printf 'ok 1 a\nBail out! suite killed after 60s\n' >"$d/killed.tap"
like "$("$sum" "$d/killed.tap")" '^killed +1 passed, 1 failed, 0 skipped \(bailed out, no plan\)$' \
	"Bail out! without a plan: one failure"
printf '1..4\nok 1 a\nBail out! lost the device\n' >"$d/bail2.tap"
is "$(tail -1 <<<"$("$sum" "$d/bail2.tap")")" "1 passed, 4 failed, 0 skipped" \
	"Bail out! with a plan: the tests not run and the bail-out"

# kselftest's whole-suite skip, "1..0 # SKIP reason": skipped, not failed.
printf '1..0 # SKIP no IOMMU here\n' >"$d/skipall.tap"
o=$("$sum" "$d/skipall.tap"); rc=$?
is "$(tail -1 <<<"$o")" "0 passed, 0 failed, 1 skipped" "a 1..0 skip plan: one skip"
like "$o" '^skipall .*\(skipped: no IOMMU here\)$' "a 1..0 skip plan: the reason"
is "$rc" 0 "a 1..0 skip plan: exit 0"
printf '1..0 # SKIP no IOMMU\nBail out! but then crashed\n' >"$d/skipbail.tap"
is "$(tail -1 <<<"$("$sum" "$d/skipbail.tap")")" "0 passed, 1 failed, 0 skipped" "1..0 then Bail out!: a failure"

# Every failure is named just above the total (a CI log's tail shows it):
# the failed test with its boot, a crashed suite, a missing one; not a
# TODO, not a passing suite.
mkdir -p "$d/b/vtd/tap" "$d/b/mock/tap"
printf '1..3\nok 1 a\nnot ok 2 counts match (want 40, got 39)\nnot ok 3 later # TODO x\n' >"$d/b/vtd/tap/dmesg.tap"
printf '1..3\nok 1 a\n' >"$d/b/mock/tap/dmesg.tap"
o=$("$sum" "$d/b/vtd/tap/dmesg.tap" "$d/b/mock/tap/dmesg.tap" "$d/two.tap" "$d/nope.tap")
is "$(grep -c '^FAIL ' <<<"$o")" 3 "one FAIL line per failure: a test, a crashed suite, a missing one"
like "$(grep '^FAIL ' <<<"$o" | head -1)" '^FAIL vtd/dmesg: not ok 2 counts match \(want 40, got 39\)$' \
	"a failed test is named with its boot"
like "$o" '^FAIL mock/dmesg: \(2 planned but not run\)$' "a suite that stopped early is named"
like "$o" '^FAIL nope: missing' "a missing suite is named"
is "$(tail -1 <<<"$o")" "4 passed, 4 failed, 1 skipped" "the total stays the last line"
for i in $(seq 45); do echo "not ok $i x"; done >"$d/many.tap"
echo 1..45 >>"$d/many.tap"
o=$("$sum" "$d/many.tap")
is "$(grep -c '^FAIL many' <<<"$o")" 40 "at most 40 failures named"
like "$o" 'and 5 more' "says how many more"
is "$(grep -c '^FAIL' <<<"$("$sum" "$d/two.tap")")" 0 "nothing named when nothing failed"

"$sum" >/dev/null 2>&1
is "$?" 2 "no arguments is a usage error"
done_testing
