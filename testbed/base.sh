# SPDX-License-Identifier: GPL-2.0
#
# Sourced by testbed/kernel.sh and testbed/check-patches: which kernel
# base a run is for.  IOASID_BASE (`make ... BASE=`) is 6.12 (default:
# Debian's linux-source-6.12, the LTS backport in patches/6.12/) or
# mainline (the posting stack in patches/mainline/, on Debian's newest
# linux-source-X.Y).  patches/<base>/BASE pins the Debian version.
#
# Sets IOASID_BASE, PDIR, BASE_VER, SRC_PKG, FRAGMENTS (config fragments,
# in order) and BASEREPO (the pristine tree's git repository).  Needs TOP,
# CACHE and a die function.

IOASID_BASE=${IOASID_BASE:-6.12}
case $IOASID_BASE in
6.12 | mainline) ;;
*) die "BASE must be 6.12 or mainline, not '$IOASID_BASE'" ;;
esac
PDIR=$TOP/patches/$IOASID_BASE
[ -f "$PDIR/BASE" ] || die "$PDIR/BASE is missing"
BASE_VER=$(cat "$PDIR/BASE")
# linux-source-X.Y, X.Y from the Debian version.
SRC_PKG=linux-source-$(sed -E 's/^([0-9]+\.[0-9]+).*/\1/' <<<"$BASE_VER")
# One fragment for every base, plus what only this base has.
FRAGMENTS=("$TOP/testbed/config.fragment")
if [ -f "$TOP/testbed/config-$IOASID_BASE.fragment" ]; then
	FRAGMENTS+=("$TOP/testbed/config-$IOASID_BASE.fragment")
fi
BASEREPO=$CACHE/src/linux-${BASE_VER//\~/_}
