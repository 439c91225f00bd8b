# SPDX-License-Identifier: GPL-2.0
# lib/rowidx.c: the key -> row index behind ioasid-top's and flushstat's
# refresh.  Right rows, no false hits, and a bounded number of key
# comparisons per lookup (counted, not timed), so folding N map entries
# stays O(N).  ROWIDX_SRC=path tests another implementation.
. "$(dirname "$0")/../tap.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT

gcc -Wall -Wextra -Werror -O2 -fno-builtin-memcmp -I"$top/lib" -Wl,--wrap=memcmp \
	-o "$d/rowidx_test" "$top/tests/host/rowidx_test.c" "${ROWIDX_SRC:-$top/lib/rowidx.c}" \
	2>"$d/cc.err"
ok $? "rowidx_test builds without warnings"
[ -s "$d/cc.err" ] && sed 's/^/#   /' "$d/cc.err"
timeout 60 "$d/rowidx_test" 20000 >"$d/out" 2>&1
is "$?" 0 "rowidx_test runs (20000 keys)"
get() { sed -n "s/^$1 //p" "$d/out"; }
sed -n 's/^compares_per_/# key comparisons per lookup, /p' "$d/out"
is "$(get empty_find)" -1 "an empty index finds nothing"
is "$(get add_failures)" 0 "20000 keys added"
is "$(get wrong_rows)" 0 "each found at its own row"
is "$(get false_hits)" 0 "20000 other keys not found"
# Linear probing at a load of at most 1/2 averages 1.5 key comparisons a hit
# and 1.5 a miss (a miss compares all but the empty slot it ends on); a list
# scan would average 10000 and 20000.  A hit confirms its key at least once:
# fewer means the comparisons were not counted (memcmp inlined or replaced).
awk -v c="$(get compares_per_hit)" 'BEGIN { exit !(c != "" && c + 0 >= 1 && c + 0 <= 4) }'
ok $? "a hit costs 1 to 4 key comparisons on average ($(get compares_per_hit))"
awk -v c="$(get compares_per_miss)" 'BEGIN { exit !(c != "" && c + 0 <= 4) }'
ok $? "a miss at most 4 ($(get compares_per_miss))"
is "$(get after_clear)" -1 "clear forgets every key"
is "$(get readded)" 3 "and the index is usable again"
is "$(get after_free)" -1 "a freed index finds nothing"
done_testing
