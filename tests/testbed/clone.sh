#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/testbed/clone.sh: nothing may depend on where the project lives,
# TAP.  The project is cloned into /tmp/ioasid-clone.XXXXXX, where CI
# clones it, and the testbed is booted from the clone.  Then guest-init
# leaves the guest's /tmp uncovered (the read-only 9p root, so that the
# project shows) and only $TMPDIR is writable: the conditions under which
# vmstart once failed ("failed to create a directory in /tmp: Read-only
# file system").  One VT-d boot runs vmstart's smallest case (64 MiB anon,
# both backends, once each) from the clone's own build.
#
# The clone is HEAD plus the working tree's changes to tracked files (what
# make test tests), so its kernel key is the one make test built;
# IOASID_CLONE_REV=REV clones REV alone (e.g. a revision before a fix, to
# see this test fail).  Needs the patched kernel built (the kernel cache is
# shared) and, for the clone's vmstart, its uAPI headers.

set -uo pipefail
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$TOP/tests/tap.sh"
tmp=$(mktemp -d)
# Under /tmp itself, not $TMPDIR: that is the point.
clone=$(mktemp -d /tmp/ioasid-clone.XXXXXX)
trap 'rm -rf "$tmp" "$clone"' EXIT

bail() { done_testing; exit 1; }

rev=${IOASID_CLONE_REV:-}
if [ -n "$rev" ]; then
	git clone -q --no-checkout "$TOP" "$clone" && git -C "$clone" checkout -q "$rev"
	ok $? "clone of $rev in $clone"
else
	# One commit for the clone and the diff (HEAD may move meanwhile); no
	# optional locks: others may be using $TOP's index.  Untracked files
	# are left out.
	head=$(git -C "$TOP" rev-parse HEAD) &&
		git clone -q --no-checkout "$TOP" "$clone" && git -C "$clone" checkout -q "$head" &&
		git -C "$TOP" --no-optional-locks diff --binary "$head" >"$tmp/wt.diff" &&
		{ [ ! -s "$tmp/wt.diff" ] || git -C "$clone" apply --binary "$tmp/wt.diff"; }
	ok $? "clone of HEAD (${head:0:7}) + the working tree's changes" \
		"($(grep -c '^diff --git' "$tmp/wt.diff" 2>/dev/null) files) in $clone"
fi
[ -f "$clone/testbed/run" ] || bail

b=$(make -C "$clone" -s --no-print-directory info | sed -n 's/^userspace: //p')
tree=$(cd "$clone" && STOCK=0 testbed/kernel.sh tree)
[ -n "$b" ] && [ -f "$tree/.ioasid-built" ]
ok $? "the clone's patched kernel is built (${tree##*/}; make kernel)"
[ -f "$tree/.ioasid-built" ] || bail

# Only what vmstart needs; make guest would build every guest program.
make -C "$clone" -s --no-print-directory "$b/vmstart" >"$tmp/build.log" 2>&1
rc=$?
ok $rc "make $b/vmstart in the clone (exit $rc)"
[ "$rc" = 0 ] || { sed 's/^/# /' "$tmp/build.log" | tail -10; bail; }

# The guest's part: facts on stdout, one per line, checked below.
cat >"$tmp/guest.sh" <<'EOF'
b=$1
echo "pwd $PWD"
echo "tmpdir ${TMPDIR:-}"
if touch /tmp/.ioasid-clone-probe 2>/dev/null; then
	rm -f /tmp/.ioasid-clone-probe
	echo "tmp writable"
else
	echo "tmp read-only"
fi
"$b/vmstart" --quick -B anon -r 1 -q -j >"$IOASID_OUT/vmstart.json" 2>"$IOASID_OUT/vmstart.err"
echo "vmstart $?"
echo "left $(ls -d "${TMPDIR:-/tmp}"/vmstart.* 2>/dev/null | wc -l)"
EOF
start=$(date +%s)
(cd "$clone" && testbed/run -t 600 -o "$tmp/run" -- bash "$tmp/guest.sh" "$b") >"$tmp/guest.out" 2>"$tmp/guest.err"
rc=$?
ok $rc "testbed/run from the clone, VT-d: exit 0 ($(($(date +%s) - start))s, exit $rc)"
[ "$rc" = 0 ] || tail -5 "$tmp/guest.err" | sed 's/^/# /'
fact() { sed -n "s/^$1 //p" "$tmp/guest.out"; }

is "$(fact pwd)" "$clone" "the guest ran the command in the clone"
is "$(fact tmp)" "read-only" "the guest's /tmp is the read-only host's (the project lives there)"
like "$(fact tmpdir)" '^/run/' "the guest's TMPDIR is on the /run tmpfs ($(fact tmpdir))"
is "$(fact vmstart)" 0 "vmstart --quick -B anon -r 1 in the guest: exit 0"
[ -s "$tmp/run/vmstart.err" ] && sed 's/^/#   /' "$tmp/run/vmstart.err" | tail -5
python3 - "$tmp/run/vmstart.json" >"$tmp/check" 2>&1 <<'PY'
import json, sys
try:
    d = json.load(open(sys.argv[1]))
except (OSError, ValueError) as e:
    sys.exit("no JSON document from vmstart: %s" % e)
cs = {c["id"]: c for c in d["cases"]}
print(" ".join("%s: n=%d ready=%.0fms" % (k, c["n"], c["ready_ms"]["median"])
               for k, c in sorted(cs.items())))
sys.exit(0 if set(cs) == {"iommufd-64m-anon", "type1-64m-anon"} and
         all(c["n"] == 1 and c["ready_ms"]["median"] > 0 for c in cs.values()) else 1)
PY
ok $? "  its JSON: both backends started once, ready times"
sed 's/^/# /' "$tmp/check" | tail -3
is "$(fact left)" 0 "  and nothing left in \$TMPDIR"
done_testing
