# SPDX-License-Identifier: GPL-2.0
# testbed/fetch-source and kernel.sh's base selection: bad input is named
# with a non-zero exit; a version in no suite fails without leaving a
# directory; the machine's apt configuration is never touched.
. "$(dirname "$0")/../tap.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
fs=$top/testbed/fetch-source
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT

o=$("$fs" 2>&1); rc=$?
is "$rc" 2 "no arguments: exit 2"
like "$o" "usage: fetch-source PACKAGE VERSION DIR" "no arguments: usage"
o=$("$fs" linux-source-7.3 '7.3;rm' "$d/x" 2>&1); rc=$?
is "$rc" 2 "bad version: exit 2"
like "$o" "bad version" "bad version: named"
o=$("$fs" 'Linux Source' 1.0 "$d/x" 2>&1); rc=$?
is "$rc" 2 "bad package name: exit 2"

# A version no suite has (needs deb.debian.org, as make deps does).
before=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null | sha256sum)
o=$(IOASID_CACHE=$d/cache IOASID_APT_SUITES=trixie-backports \
	"$fs" linux-source-7.3 0.0.0-0 "$d/none" 2>&1); rc=$?
is "$rc" 1 "a version in no suite: exit 1"
like "$o" "linux-source-7.3=0.0.0-0 is in none of: trixie-backports" "a version in no suite: named"
[ ! -e "$d/none" ] && [ ! -e "$d/none.tmp" ]
ok $? "a version in no suite: no directory left"
is "$(cat /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null | sha256sum)" "$before" \
	"the machine's apt sources are unchanged"
[ -f "$d/cache/apt/sources.list" ] && grep -q 'signed-by=/usr/share/keyrings/debian-archive-keyring.gpg' "$d/cache/apt/sources.list"
ok $? "the private list is signed by the Debian archive keyring"

# An unpacked directory is reused, not fetched again.
mkdir -p "$d/done" && echo v >"$d/done/.ioasid-fetched"
o=$("$fs" linux-source-7.3 7.3.4-1 "$d/done" 2>&1); rc=$?
is "$rc" 0 "already fetched: exit 0"
is "$o" "$d/done" "already fetched: prints the directory, no download"

# kernel.sh: the base is one of two, each pinned.
o=$(IOASID_BASE=5.10 "$top/testbed/kernel.sh" key 2>&1); rc=$?
is "$rc" 1 "kernel.sh, unknown base: exit 1"
like "$o" "BASE must be 6.12 or mainline, not '5.10'" "kernel.sh, unknown base: named"
k6=$(IOASID_BASE=6.12 "$top/testbed/kernel.sh" key)
km=$(IOASID_BASE=mainline "$top/testbed/kernel.sh" key)
v6=$(sed 's/~/_/' "$top/patches/6.12/BASE") vm=$(sed 's/~/_/' "$top/patches/mainline/BASE")
[ "${k6#"$v6"-series-}" != "$k6" ]
ok $? "the 6.12 key names patches/6.12/BASE ($k6)"
[ "${km#"$vm"-series-}" != "$km" ]
ok $? "the mainline key names patches/mainline/BASE ($km)"
done_testing
