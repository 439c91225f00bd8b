# SPDX-License-Identifier: GPL-2.0
# bench/fio on the host: get-fio-src finds (or fetches once) the fio
# source of the installed version, build-engine builds the nvme-vfio
# external ioengine against it, and stock fio loads the engine and gets
# one clear message for each bad option (no device is touched: the
# checks come before any open, or the BDF does not exist).
. "$(dirname "$0")/../tap.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT

skip_all() {
	echo "ok 1 fio-engine # SKIP $*"
	echo "1..1"
	exit 0
}
# No fio is a missing precondition (make deps installs it): a skip.  A
# get-fio-src that fails is the unit under test failing: a failure, and
# the rest needs its source.
command -v fio >/dev/null || skip_all "fio not installed"
src=$("$top/bench/fio/get-fio-src" 2>"$d/src.err")
rc=$?
if [ "$rc" != 0 ]; then
	ok 1 "get-fio-src fails (exit $rc): $(sed 's/^get-fio-src: //' "$d/src.err")"
	done_testing
	exit 1
fi
ok 0 "get-fio-src: $src"
[ -f "$src/config-host.h" ] && [ -f "$src/ioengines.h" ]
ok $? "the source is configured (config-host.h, ioengines.h)"
like "$src" "/fio-$(fio --version | sed 's/^fio-//')$" "the source is the installed fio's version"
mkdir "$d/bin"
out=$(PATH=$d/bin /bin/bash "$top/bench/fio/get-fio-src" 2>&1)
rc=$?
[ "$rc" != 0 ]
ok $? "get-fio-src without fio: non-zero exit ($rc)"
like "$out" "^get-fio-src: fio is not installed" "get-fio-src without fio: says so"
# A second call is served from the cache.
again=$("$top/bench/fio/get-fio-src")
is "$again" "$src" "get-fio-src: cached on the second call"

uapi=$(make -s -C "$top" info | awk '/^tree/ {print $2}')/usr/include
so=$d/nvme-vfio.so
"$top/bench/fio/build-engine" "$so" "$uapi" >"$d/build.log" 2>&1
ok $? "build-engine builds the engine"
is "$(grep -c 'warning' "$d/build.log")" 0 "no compiler warnings"
[ "$(grep -c . "$d/build.log")" = 0 ] || sed 's/^/#   /' "$d/build.log" | head -10
nm -D --defined-only "$so" | grep -qw ioengine
ok $? "the engine exports 'ioengine' for fio's dlsym"

# badopt NAME REGEX ARGS...: fio exits non-zero with the engine's message.
badopt() {
	local name=$1 want=$2 rc
	shift 2
	fio --name=bad --ioengine=external:"$so" --size=1m --bs=4k --rw=read "$@" >"$d/out" 2>&1
	rc=$?
	[ "$rc" != 0 ]
	ok $? "$name: non-zero exit ($rc)"
	like "$(cat "$d/out")" "nvme-vfio: .*$want" "$name: says why"
}
badopt "no bdf" "option bdf= is required" --thread
badopt "bad backend" "backend=vfio: must be iommufd, type1 or compat" --thread --bdf=0000:00:03.0 --backend=vfio
badopt "bad mapmode" "mapmode=lazy: must be static or perio" --thread --bdf=0000:00:03.0 --mapmode=lazy
badopt "processes" "needs thread=1" --bdf=0000:00:03.0
badopt "no such device" "no PCI device 0000:7f:1f.7" --thread --bdf=0000:7f:1f.7
badopt "not a BDF" "not a PCI address" --thread --bdf=nvme0
done_testing
