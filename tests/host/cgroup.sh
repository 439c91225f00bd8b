# SPDX-License-Identifier: GPL-2.0
# -c/--cgroup DIR, the tools' cgroup v2 filter (lib/bpftool, bits.bpf.h),
# on the host kernel through maplat's fallback: with -c a scratch cgroup,
# maplat counts the 7 failing IOAS maps of a process inside it and none of
# the 5 of a process outside (with -P: only the inside one's pid); a
# directory that is not a cgroup v2 one, or none, is one message and exit
# 1 for every tool of bpf/, before anything is loaded.  (The testbed kernel
# has no cgroups: this runs on the host.)
. "$(dirname "$0")/../tap.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
d=$(mktemp -d)
cg=
mpid=
cleanup() {
	[ -n "$mpid" ] && kill "$mpid" 2>/dev/null
	[ -n "$cg" ] && rmdir "$cg" 2>/dev/null
	rm -rf "$d"
}
trap cleanup EXIT

skip_all() {
	echo "ok 1 -c/--cgroup # SKIP $*"
	echo "1..1"
	exit 0
}
[ "$(id -u)" = 0 ] || skip_all "not root: BPF needs CAP_BPF and CAP_PERFMON"
root=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
[ -n "$root" ] || skip_all "no cgroup v2 hierarchy mounted"
cg=$(mktemp -d "$root/ioasid-test.XXXXXX") || skip_all "cannot create a cgroup under $root"

make -s -C "$top" build/bpf/maplat build/bpf/flushstat build/bpf/faultlat build/bpf/attachsnoop \
	>"$d/make.log" 2>&1
ok $? "the tools build"
m=$top/build/bpf/maplat

# ioctls NAME N [CGROUP]: a python that joins CGROUP (if given), then
# fails N IOMMU_IOAS_MAP ioctls on /dev/null; its pid in $d/NAME.pid
ioctls() {
	PYTHONPATH=$top/tests python3 - "$d/$1.pid" "$2" "${3:-}" <<'PY'
import os, sys
from iommufd import IOAS_MAP, IOAS_MAP_FMT, on_null
if sys.argv[3]:
    with open(os.path.join(sys.argv[3], "cgroup.procs"), "w") as f:
        f.write(str(os.getpid()))
open(sys.argv[1], "w").write(str(os.getpid()))
on_null(IOAS_MAP, IOAS_MAP_FMT, 40, 0, 1, 0, 0, 8192, 0, n=int(sys.argv[2]))
PY
}

"$m" -j -P -c "$cg" >"$d/j" 2>"$d/err" &
mpid=$!
wait_tracing "$mpid" "$d/err"
grep -q '^Tracing' "$d/err"
ok $? "maplat -j -P -c $cg attaches$(grep -v Tracing "$d/err" | head -1 | sed 's/^/: /')"
ioctls in 7 "$cg" && ioctls out 5
ok $? "7 failing maps inside the cgroup, 5 outside"
kill -TERM "$mpid"
wait "$mpid"
is "$?" 0 "SIGTERM: exit 0"
mpid=
python3 - "$d/j" "$(cat "$d/in.pid")" <<'PY'
import json, sys
doc = json.loads(open(sys.argv[1]).read().splitlines()[-1])
fails = {}
for h in doc["histograms"]:
    fails[h.get("pid")] = fails.get(h.get("pid"), 0) + h["failed"]
print("# failed maps per pid: %s" % fails)
sys.exit(0 if fails == {int(sys.argv[2]): 7} else 1)
PY
ok $? "only the 7 of the process in the cgroup are counted"

# not a cgroup, or no directory: one message, exit 1, checked before any
# program is loaded (no banner: it never attached)
for t in maplat flushstat faultlat attachsnoop; do
	for dir in /tmp "$d/none"; do
		"$top/build/bpf/$t" -c "$dir" >"$d/o" 2>"$d/e" </dev/null &
		p=$!
		( sleep 20; kill -KILL $p ) 2>/dev/null &
		w=$!
		wait $p
		rc=$?
		kill $w 2>/dev/null
		msg=$(grep -c "^$t: " "$d/e")
		# a tool this host cannot run at all says that instead (exit 1 too)
		if grep -qE "nothing to attach|no .* events|cannot load" "$d/e"; then
			is "$rc" 1 "$t -c $dir: exit 1 (the host cannot run it: $(head -1 "$d/e"))"
			continue
		fi
		want="is not a cgroup v2 directory"
		[ "$dir" = /tmp ] || want="cannot open cgroup .*: No such file or directory"
		like "$(cat "$d/e")" "^$t: .*$want" "$t -c $dir: says why"
		is "$rc:$msg:$(grep -c '^Tracing' "$d/e")" "1:1:0" "$t -c $dir: exit 1, one message, never attached"
	done
done
done_testing
