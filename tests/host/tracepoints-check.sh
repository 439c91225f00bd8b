# SPDX-License-Identifier: GPL-2.0
# tracepoints/check: catalog vs trace headers and vs tracefs formats.
. "$(dirname "$0")/../tap.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
chk=$top/tracepoints/check
fx=$top/tests/host/fixtures/tracepoints
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT

o=$("$chk" -c "$fx/cat.json" tree "$fx"); rc=$?
is "$rc" 0 "header with class, DEFINE_EVENT, TRACE_EVENT, __string, __array matches"
like "$o" "agree on 2 events" "says how many events agree"

sed 's/"u64"/"u32"/' "$fx/cat.json" >"$d/wrongtype.json"
o=$("$chk" -c "$d/wrongtype.json" tree "$fx"); rc=$?
is "$rc" 1 "a field type mismatch fails"
like "$o" "iommufd_ioas_map_start: fields differ: catalog \(u32 ioas_id, u32 iova" "names the event and both layouts"

python3 - "$fx/cat.json" >"$d/missing.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1])); c["events"] = c["events"][:1]; print(json.dumps(c))
PY
o=$("$chk" -c "$d/missing.json" tree "$fx"); rc=$?
is "$rc" 1 "an event in the tree but not the catalog fails"
like "$o" "iommufd:iommufd_ioas_map: defined in the tree, not in the catalog" "names it"

o=$("$chk" -c "$fx/cat.json" -t live "$fx/tracefs"); rc=$?
is "$rc" 1 "an event missing from tracefs fails"
like "$o" "^ok 1 catalog live: iommufd:iommufd_ioas_map$" "format file with array field parses"
like "$o" "^not ok 2 catalog live: iommufd:iommufd_ioas_map_start$" "missing event is a failed TAP line"

"$chk" bogus >/dev/null 2>&1
is "$?" 2 "unknown command: usage error"
done_testing
