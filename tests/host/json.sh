# SPDX-License-Identifier: GPL-2.0
# lib/json.c: documents parse back, values and escaping survive, one per line.
. "$(dirname "$0")/../tap.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT

gcc -Wall -Wextra -Werror -O2 -I"$top/lib" -o "$d/json_test" "$top/tests/host/json_test.c" \
	"$top/lib/json.c" -lm 2>"$d/cc.err"
ok $? "json_test builds without warnings"
"$d/json_test" >"$d/out" 2>&1
is "$?" 0 "json_test runs"
is "$(wc -l <"$d/out")" 2 "two documents, one per line"

check() { python3 -c "import json,sys; d=[json.loads(l) for l in open('$d/out')]; sys.exit(0 if ($1) else 1)"; }
check "True"
ok $? "every line parses as JSON"
check "d[0]['s'] == 'quote\" backslash\\\\ nl\\n tab\\t ctl\\x01 utf8 \\u00b5s'"
ok $? "strings: quotes, backslashes, control characters and UTF-8"
check "d[0]['neg'] == -42 and d[0]['big'] == 18446744073709551615"
ok $? "signed and full-range unsigned integers"
check "d[0]['d'] == 0.1 and d[0]['nan'] is None"
ok $? "doubles round-trip; NaN becomes null"
check "d[0]['t'] is True and d[0]['n'] is None and d[0]['nullstr'] is None"
ok $? "bool and null"
check "d[0]['a'] == [1, {'empty': []}, 3] and d[1] == {}"
ok $? "nested arrays and objects, empty containers"
done_testing
