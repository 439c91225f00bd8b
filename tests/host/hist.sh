# SPDX-License-Identifier: GPL-2.0
# lib/hist.c: log2 bucket math, percentile estimates, text and JSON output.
. "$(dirname "$0")/../tap.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT

gcc -Wall -Wextra -Werror -O2 -I"$top/lib" -o "$d/hist_test" "$top/tests/host/hist_test.c" \
	"$top/lib/hist.c" "$top/lib/json.c" -lm 2>"$d/cc.err"
ok $? "hist_test builds without warnings"
"$d/hist_test" >"$d/out" 2>&1
is "$?" 0 "hist_test runs"

get() { sed -n "s/^$1 //p" "$d/out"; }
is "$(get slot_0) $(get slot_1) $(get slot_2) $(get slot_3) $(get slot_4) $(get slot_7) $(get slot_8)" \
	"0 0 1 1 2 2 3" "slot of 0..8: floor(log2), 0 in slot 0"
is "$(get slot_4095) $(get slot_4096) $(get slot_8191) $(get slot_8192)" "11 12 12 13" \
	"slot of 4K-1, 4K, 8K-1, 8K"
is "$(get slot_18446744073709551615)" 63 "slot of UINT64_MAX"
is "$(get range_0) $(get range_1) $(get range_2) $(get range_3)" "0..1 2..3 4..7 8..15" \
	"ranges of slots 0-3 (slot 0 holds 0 and 1)"
is "$(get range_12)" "4096..8191" "range of slot 12"
is "$(get range_63)" "9223372036854775808..18446744073709551615" "range of slot 63"
is "$(get range_consistent_bad)" 0 "every slot's ends map back to it, slots contiguous"
is "$(get total_two)" 100 "total"
is "$(get one_p0) $(get one_p50) $(get one_p90) $(get one_p100)" \
	"4.0000 6.0000 7.6000 8.0000" "one bucket [4,8): p0 p50 p90 p100 linear inside it"
is "$(get two_p50)" 2.0000 "p50 at the end of the first of two equal buckets"
is "$(get two_p51) $(get two_p99)" "8.1600 15.8400" "p51 and p99 inside the second bucket [8,16)"
is "$(get far_p1)" 2048.0000 "p1 = top of the low bucket holding 1 of 100"
is "$(get far_p50)" "$(python3 -c 'print("%.4f" % (2**20 + 49 / 99 * 2**20))')" \
	"p50 interpolated in bucket 20"
is "$(get empty_p50)" nan "empty histogram: no percentile"
is "$(get size_4096) $(get size_2M) $(get size_1G) $(get size_1000) $(get size_1536)" \
	"4K 2M 1G 1000 1536" "size labels"

is "$(get top_p99)" 2147483648.0000 "a percentile in the top slot (it holds everything above): its lower end"
text=$(sed -n '/^--- text$/,/^--- top$/p' "$d/out" | sed '1d;$d')
like "$(sed -n '/^--- top$/,/^--- json$/p' "$d/out" | sed -n 4p)" '^ *2147483648 -> inf +: 3 ' \
	"text: the top slot reads 'lo -> inf'"
is "$(wc -l <<<"$text")" 5 "text: a header and the buckets from first to last non-empty"
is "$(sed -n 2p <<<"$text")" \
	"         4 -> 7          : 950      |****************************************|" \
	"text: the largest bucket has the full bar"
like "$(sed -n 4p <<<"$text")" '^ +16 -> 31 +: 0 +\| +\|$' "text: an empty bucket inside the range"
is "$(awk '{ if (length($0) > m) m = length($0) } END { print m }' <<<"$text")" 78 \
	"text: 78 columns (fits 80)"
is "$(sed -n 1p <<<"$text" | cut -c1-26)" "     usecs               :" "text: header aligned"

json=$(sed -n '/^--- json$/,$p' "$d/out" | sed 1d)
python3 -c "
import json, sys
d = json.loads(sys.argv[1])
assert d['lat'] == [{'lo': 4, 'hi': 7, 'count': 950}, {'lo': 8, 'hi': 15, 'count': 50},
                    {'lo': 16, 'hi': 31, 'count': 0}, {'lo': 32, 'hi': 63, 'count': 1}], d
assert d['empty'] == []
assert d['top'][-1] == {'lo': 2 ** 31, 'hi': None, 'count': 3}, d['top']
" "$json"
ok $? "json: the non-empty range as {lo, hi, count}, empty histogram [], the top slot's hi null"
done_testing
