# SPDX-License-Identifier: GPL-2.0
# lib/storm.c: hot intervals, K in a row to begin, quiet ones to end, the table.
. "$(dirname "$0")/../tap.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT

gcc -Wall -Wextra -Werror -Wno-unused-parameter -O2 -I"$top/lib" -o "$d/storm_test" \
	"$top/tests/host/storm_test.c" "$top/lib/storm.c" -lm 2>"$d/cc.err"
ok $? "storm_test builds without warnings"
[ -s "$d/cc.err" ] && sed 's/^/#   /' "$d/cc.err"
"$d/storm_test" >"$d/out" 2>&1
is "$?" 0 "storm_test runs"
get() { sed -n "s/^$1 //p" "$d/out"; }
is "$(get flat)" "..B..E." "3 hot intervals begin a storm, 2 cool ones end it"
is "$(get blip)" "......." "hot runs shorter than 3 never begin one"
is "$(get dip)" "..B...E" "one cool interval inside a storm does not end it"
is "$(get edge)" "..B.E" "the rate threshold is inclusive (>= 1000/s, 999.9 is cool)"
is "$(get bulk)" "...." "large mean ranges (bulk unmaps) are not a storm"
is "$(get nanrange)" "..B." "unknown range (NAN): the rate alone decides"
is "$(get table_begin)" "1 active 1 peak 3000" "table: key 1 begins on its 3rd interval"
is "$(get table_cool_key_kept)" 0 "table: a cool key is not kept"
is "$(get table_after1)" "ends '' active 1" "table: one unseen interval does not end it"
is "$(get table_after2)" "ends '1' active 0 forgotten 1" "table: the second ends it, callback, forgotten"
is "$(get data)" "9000 0 none 0" "table: the caller's data per key, zeroed, none for unknown keys"
is "$(get end_all)" "ends '1,2' active 0 forgotten 1" "table: end_all ends every storm (callback) and forgets all"
is "$(get defaults)" "1000 65536 3 3" \
	"the tools' defaults: 1000 syncs/s, 64 KiB, 3 intervals to begin and as many to end"
is "$(get check_ok)" 0 "params: defaults valid"
like "$(get check_sustain)" "^1 storm intervals" "params: sustain 0 refused"
like "$(get check_rate)" "^1 storm rate" "params: rate 0 refused"
done_testing
