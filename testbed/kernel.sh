#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the testbed kernel: Debian's kernel source for one base + testbed
# patches + (unless STOCK=1) our tracepoint series for that base,
# allnoconfig + config.fragment (+ config-BASE.fragment), bzImage with
# ccache.  Every tree lives outside git under $IOASID_CACHE, keyed by
# (Debian version, patches, fragments), so an unchanged key never rebuilds
# and a changed one rebuilds only what ccache misses.
#
# Bases (IOASID_BASE, `make ... BASE=`): 6.12 (default; Debian's
# linux-source-6.12, the LTS backport in patches/6.12/) and mainline
# (Debian's newest linux-source-X.Y, the posting stack in
# patches/mainline/).  patches/BASE-DIR/BASE pins the Debian version; the
# source comes from the installed package when it is that version, from
# testbed/fetch-source otherwise.
#
# IOASID_DEBUG=1 (make kernel DEBUG=1) adds testbed/config-debug.fragment (KASAN, lockdep, PROVE_RCU,
# DEBUG_ATOMIC_SLEEP, kmemleak, DEBUG_LIST, UBSAN): the "-debug" flavour
# of either tree, for make soak.
#
# IOASID_MODULES=1 (make kernel MODULES=1) adds testbed/config-modules.fragment:
# iommufd, vfio, vfio_iommu_type1 and vfio-pci as loadable modules, as on
# a distribution kernel (the "-modules" flavour).  Its modules are installed
# into TREE/.modroot/lib/modules/<release>, where the guest's modprobe
# looks (testbed/run -k series-modules; testbed/guest-init).
#
# IOASID_COMPAT=1 (make kernel COMPAT=1) adds testbed/config-compat.fragment:
# iommufd serves /dev/vfio/vfio (IOMMUFD_VFIO_CONTAINER) and VFIO's
# container and type1 are not built (the "-compat" flavour), so type1
# userspace runs on iommufd's compat ioctls (testbed/run -k series-compat).
#
# IOASID_DEBCONFIG=1 (make kernel-deb DEBCONFIG=1): Debian's own config for
# the base instead of the testbed's, for a real host (the "-debconfig"
# flavour, not bootable in the testbed: its drivers are modules).  The
# config comes from linux-headers-<abi>-amd64 at the pinned version
# (DEBIAN_CONFIG_PKG overrides the package name) and
# testbed/config-debian.fragment says what is changed and why.
#
# deb (make kernel-deb): Debian packages of the built kernel for a real host,
# bindeb-pkg with the tree's config: linux-image-<release> (and
# linux-headers-<release> when it has modules) into TREE/.deb/, revision
# "ioasid.<key hash>" (also the kernel's build version, uname -v).
#
# usage: kernel.sh {base|prepare|config|build|headers|selftests|deb|key|tree|info}
#        [STOCK=1] [IOASID_DEBUG=1] [IOASID_MODULES=1] [IOASID_COMPAT=1] [IOASID_DEBCONFIG=1]
#        [IOASID_BASE=6.12|mainline]
#        in the environment

set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${IOASID_CACHE:-$HOME/.cache/ioasid-trace}
STOCK=${STOCK:-0}
DEBUG=${IOASID_DEBUG:-0}
MODULES=${IOASID_MODULES:-0}
COMPAT=${IOASID_COMPAT:-0}
DEBCONFIG=${IOASID_DEBCONFIG:-0}
KMAKE_ENV=()
JOBS=${JOBS:-$(nproc)}

# Fixed identity for commits and version strings: reproducible, and the
# guest can tell a stock kernel from a patched one via /proc/version.
export GIT_AUTHOR_NAME="ioasid-trace testbed" GIT_AUTHOR_EMAIL="testbed@ioasid-trace.invalid"
export GIT_COMMITTER_NAME="$GIT_AUTHOR_NAME" GIT_COMMITTER_EMAIL="$GIT_AUTHOR_EMAIL"
export GIT_AUTHOR_DATE="2025-01-01T00:00:00Z" GIT_COMMITTER_DATE="2025-01-01T00:00:00Z"

say() { printf '[kernel] %s\n' "$*" >&2; }
die() { printf 'kernel.sh: %s\n' "$*" >&2; exit 1; }

. "$TOP/testbed/base.sh"
case $DEBUG in
0) ;;
1) FRAGMENTS+=("$TOP/testbed/config-debug.fragment") ;;
*) die "IOASID_DEBUG (make DEBUG=) must be 0 or 1, not '$DEBUG'" ;;
esac
case $MODULES in
0) ;;
1) FRAGMENTS+=("$TOP/testbed/config-modules.fragment") ;;
*) die "IOASID_MODULES (make MODULES=) must be 0 or 1, not '$MODULES'" ;;
esac
case $COMPAT in
0) ;;
1)
	[ "$MODULES" = 0 ] || die "COMPAT=1 and MODULES=1 are two flavours, not one: choose one"
	FRAGMENTS+=("$TOP/testbed/config-compat.fragment")
	;;
*) die "IOASID_COMPAT (make COMPAT=) must be 0 or 1, not '$COMPAT'" ;;
esac
case $DEBCONFIG in
0) ;;
1)
	[ "$DEBUG" = 0 ] && [ "$MODULES" = 0 ] && [ "$COMPAT" = 0 ] ||
		die "DEBCONFIG=1 is Debian's own config: not with DEBUG=1, MODULES=1 or COMPAT=1"
	FRAGMENTS=("$TOP/testbed/config-debian.fragment")
	# Not through ccache: its objects (with DWARF) would evict the
	# testbed kernels' from the cache; the tree itself resumes a build.
	KMAKE_ENV=(CCACHE_DISABLE=1)
	;;
*) die "IOASID_DEBCONFIG (make DEBCONFIG=) must be 0 or 1, not '$DEBCONFIG'" ;;
esac

# series or stock, then -modules, -compat, -debug or -debconfig when set: in the
# key, the link name and the kernel's build user (so /proc/version tells
# them apart).
flavour() {
	printf '%s%s%s%s%s' "$([ "$STOCK" = 1 ] && echo stock || echo series)" \
		"$([ "$MODULES" = 1 ] && echo -modules)" "$([ "$COMPAT" = 1 ] && echo -compat)" \
		"$([ "$DEBUG" = 1 ] && echo -debug)" \
		"$([ "$DEBCONFIG" = 1 ] && echo -debconfig)"
}

# The Debian package whose .config is Debian's amd64 config at BASE_VER:
# linux-headers-<abi>-amd64, the ABI from the version: a security or
# backports build for Debian N is <upstream>+debN (6.12.117-1~deb12u1 ->
# 6.12.117+deb12, 7.3.4-1~bpo13+1 -> 7.3.4+deb13).
debian_config_pkg() {
	local abi
	if [ -n "${DEBIAN_CONFIG_PKG:-}" ]; then
		echo "$DEBIAN_CONFIG_PKG"
		return
	fi
	abi=$(sed -nE -e 's/^([0-9]+\.[0-9]+\.[0-9]+)-[0-9]+~deb([0-9]+)u[0-9]+$/\1+deb\2/p' \
		-e 's/^([0-9]+\.[0-9]+\.[0-9]+)-[0-9]+~bpo([0-9]+)\+[0-9]+$/\1+deb\2/p' <<<"$BASE_VER")
	[ -n "$abi" ] || die "no Debian kernel ABI known for $BASE_VER: set DEBIAN_CONFIG_PKG (a linux-headers-<abi>-amd64 package of that version)"
	echo "linux-headers-$abi-amd64"
}

# Patch files, in application order: testbed fixes always, the series
# unless STOCK=1.  Each list file names one patch per line, '#' comments.
list_patches() {
	local dir file
	for dir in testbed/patches/$IOASID_BASE patches/$IOASID_BASE; do
		[ "$dir" = "patches/$IOASID_BASE" ] && [ "$STOCK" = 1 ] && continue
		file=$TOP/$dir/series
		[ -f "$file" ] || continue
		sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$file" |
			while read -r p; do echo "$TOP/$dir/$p"; done
	done
}

compute_key() {
	local flavour h
	flavour=$(flavour)
	local cfgpkg=
	if [ "$DEBCONFIG" = 1 ]; then cfgpkg=$(debian_config_pkg) || exit 1; fi
	h=$({
		echo "$BASE_VER"
		[ "$DEBCONFIG" = 0 ] || echo "config of $cfgpkg"
		cat "${FRAGMENTS[@]}"
		list_patches | while read -r p; do
			[ -f "$p" ] || die "patch listed in series is missing: $p"
			cat "$p"
		done
	} | sha256sum | cut -c1-12)
	echo "${BASE_VER//\~/_}-$flavour-$h"
}

KEY=$(compute_key)
TREE=$CACHE/trees/$KEY
# make variables of this flavour's builds (kmake)
KMAKE_VARS=()
if [ "$DEBCONFIG" = 1 ]; then
	# A release of its own per build (a host never mixes two builds'
	# modules), and the build version bindeb-pkg sets, so that packaging
	# does not relink vmlinux and regenerate every module's BTF.
	KMAKE_VARS=(LOCALVERSION="-${KEY##*-}" KBUILD_BUILD_VERSION="ioasid.${KEY##*-}")
fi

installed_version() {
	dpkg-query -W -f='${Version}' "$SRC_PKG" 2>/dev/null || true
}

# The pinned source tarball: the installed package when it is the pinned
# version, else the .deb unpacked under $CACHE/debs (LINUX_TARBALL overrides).
source_tarball() {
	local dir
	if [ -n "${LINUX_TARBALL:-}" ]; then
		echo "$LINUX_TARBALL"
	elif [ "$(installed_version)" = "$BASE_VER" ] && [ -f "/usr/src/$SRC_PKG.tar.xz" ]; then
		echo "/usr/src/$SRC_PKG.tar.xz"
	else
		dir=$("$TOP/testbed/fetch-source" "$SRC_PKG" "$BASE_VER" \
			"$CACHE/debs/${SRC_PKG}_${BASE_VER//\~/_}") ||
			die "cannot fetch $SRC_PKG=$BASE_VER (patches/$IOASID_BASE/BASE)"
		echo "$dir/usr/src/$SRC_PKG.tar.xz"
	fi
}

# One git repo per Debian version holding the pristine source as the commit
# tagged debian-base; trees are worktrees of it.
ensure_base() {
	[ -f "$BASEREPO/.ioasid-base-done" ] && return 0
	local tarball have=$BASE_VER
	tarball=$(source_tarball)
	[ -f "$tarball" ] || die "$tarball not found"
	[ -n "${LINUX_TARBALL:-}" ] && have="from $LINUX_TARBALL"
	say "unpacking $tarball (Debian $have) into $BASEREPO"
	rm -rf "$BASEREPO" "$BASEREPO.tmp"
	mkdir -p "$BASEREPO.tmp"
	tar -xf "$tarball" -C "$BASEREPO.tmp" --strip-components=1
	say "committing the pristine tree (git, ~1 min)"
	git -C "$BASEREPO.tmp" init -q
	git -C "$BASEREPO.tmp" config gc.auto 0
	git -C "$BASEREPO.tmp" add -A -f
	git -C "$BASEREPO.tmp" commit -q -m "Debian $SRC_PKG $have"
	git -C "$BASEREPO.tmp" tag debian-pristine
	# Debian's tarball ignores everything at the top level ('/*'), which
	# would hide new files from git am/format-patch: drop that rule.
	sed -i '/^# Debian packaging: ignore everything/,/^!\/debian\//d' "$BASEREPO.tmp/.gitignore"
	git -C "$BASEREPO.tmp" commit -q -a -m "testbed: track the top level of the tree"
	git -C "$BASEREPO.tmp" tag debian-base
	echo "$have" >"$BASEREPO.tmp/.git/ioasid-debian-version"
	mv "$BASEREPO.tmp" "$BASEREPO"
	git -C "$BASEREPO" worktree prune
	touch "$BASEREPO/.ioasid-base-done"
}

ensure_tree() {
	ensure_base
	[ -f "$TREE/.ioasid-patched" ] && return 0
	local p
	rm -rf "$TREE"
	git -C "$BASEREPO" worktree prune
	mkdir -p "$CACHE/trees"
	git -C "$BASEREPO" worktree add -q --detach "$TREE" debian-base
	while read -r p; do
		[ -n "$p" ] || continue
		if ! git -C "$TREE" am -q --keep-cr "$p" >"$TREE/.am.log" 2>&1; then
			cat "$TREE/.am.log" >&2
			git -C "$TREE" am --abort >/dev/null 2>&1 || true
			git -C "$BASEREPO" worktree remove --force "$TREE" || true
			die "$(basename "$p") does not apply to Debian $(cat "$BASEREPO/.git/ioasid-debian-version") (patches/$IOASID_BASE/BASE: $BASE_VER)"
		fi
		say "applied $(basename "$p")"
	done < <(list_patches)
	touch "$TREE/.ioasid-patched"
}

# Debian's .config at BASE_VER (fetched once into the cache).
debian_config() {
	local pkg dir
	pkg=$(debian_config_pkg)
	dir=$("$TOP/testbed/fetch-source" "$pkg" "$BASE_VER" "$CACHE/debs/${pkg}_${BASE_VER//\~/_}") ||
		die "cannot fetch $pkg=$BASE_VER for Debian's config (DEBIAN_CONFIG_PKG names another)"
	[ -f "$dir/usr/src/$pkg/.config" ] || die "$pkg has no usr/src/$pkg/.config"
	echo "$dir/usr/src/$pkg/.config"
}

# allnoconfig with the fragments forced in (DEBCONFIG=1: Debian's config
# with them appended, olddefconfig), then check that every option of them
# survived dependency resolution.
ensure_config() {
	local stamp frag=$TREE/.ioasid-fragment
	stamp=$(cat "${FRAGMENTS[@]}" | sha256sum | cut -c1-16)
	if [ -f "$TREE/.config" ] && [ "$(cat "$TREE/.ioasid-config" 2>/dev/null)" = "$stamp" ]; then
		return 0
	fi
	cat "${FRAGMENTS[@]}" >"$frag"
	say "configuring: $([ "$DEBCONFIG" = 1 ] && echo "Debian's config" || echo allnoconfig) + $(grep -c '^CONFIG_' "$frag") options from" \
		"$(for f in "${FRAGMENTS[@]}"; do printf '%s ' "${f#"$TOP"/}"; done)"
	if [ "$DEBCONFIG" = 1 ]; then
		# Kconfig takes the last of two values of an option (with a warning).
		cat "$(debian_config)" "$frag" >"$TREE/.config"
		make -s -C "$TREE" olddefconfig >"$TREE/.config.log" 2>&1 ||
			{ cat "$TREE/.config.log" >&2; die "olddefconfig on Debian's config failed"; }
		# What the tools need, Debian's values: olddefconfig drops BTF
		# silently without a recent enough pahole.
		local o
		for o in CONFIG_DEBUG_INFO_BTF=y CONFIG_DEBUG_INFO_BTF_MODULES=y CONFIG_FTRACE=y \
			CONFIG_BPF_SYSCALL=y CONFIG_IOMMUFD=m CONFIG_VFIO_IOMMU_TYPE1=m; do
			grep -qx "$o" "$TREE/.config" ||
				die "Debian's config for $BASE_VER lost $o here (pahole missing or too old for BTF? run 'make deps')"
		done
	else
		make -s -C "$TREE" KCONFIG_ALLCONFIG="$frag" allnoconfig >"$TREE/.config.log" 2>&1 ||
			{ cat "$TREE/.config.log" >&2; die "allnoconfig failed"; }
	fi
	"$TOP/testbed/check-config" "$frag" "$TREE/.config" ||
		die "config fragment options were dropped by Kconfig (see above)"
	echo "$stamp" >"$TREE/.ioasid-config"
}

kmake() {
	local who
	who=$(flavour)
	# Not the caller's make flags: "make -s" would silence kbuild's
	# per-object lines, which the progress report counts.
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
		CCACHE_BASEDIR=$CACHE/trees CCACHE_NOHASHDIR=1 CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-8G} \
		KBUILD_BUILD_TIMESTAMP="2025-01-01" KBUILD_BUILD_USER="$who" \
		KBUILD_BUILD_HOST="ioasid-trace" LOCALVERSION= \
		"${KMAKE_ENV[@]}" "${KMAKE_VARS[@]}" make -C "$TREE" -j"$JOBS" CC="ccache gcc" HOSTCC="ccache gcc" "$@"
}

# CPU seconds (user + system) of this shell's finished children, into the
# variable named $1 ("times" must run in this shell, not a subshell).
children_cpu() {
	local f=$TREE/.times
	times >"$f"
	printf -v "$1" '%s' "$(sed -n 2p "$f" | awk '{ t = 0
		for (i = 1; i <= 2; i++) { split($i, a, "m"); t += a[1] * 60 + a[2] }
		printf "%d", t }')"
	rm -f "$f"
}

# Run a long make with a progress line every 30 s; on failure show the
# compiler's error lines and the end of the log.  The last line gives the
# wall and CPU time (an interrupted build resumes where it stopped).
progress_make() {
	local what=$1 log=$2 start pid rc n cpu0 cpu1 k
	local -A cc=()
	shift 2
	start=$(date +%s)
	children_cpu cpu0
	# this build's own ccache results, one line per result
	rm -f "$log.ccache"
	CCACHE_STATSLOG=$log.ccache kmake "$@" >"$log" 2>&1 &
	pid=$!
	# kmake's subshell does not pass a signal on to its make: signal make,
	# and wait below collects it (and its CPU time)
	trap 'pkill -TERM -P $pid 2>/dev/null' INT TERM HUP
	while kill -0 "$pid" 2>/dev/null; do
		sleep 30 & wait $! || true
		kill -0 "$pid" 2>/dev/null || break
		n=$(grep -c '^  CC ' "$log" || true)
		say "$what: $(( $(date +%s) - start ))s, $n objects compiled"
	done
	rc=0
	wait "$pid" || rc=$?
	trap - INT TERM HUP
	children_cpu cpu1
	if [ "$rc" != 0 ]; then
		say "$what: stopped after $(( $(date +%s) - start ))s, $((cpu1 - cpu0)) CPU-s"
		grep -E 'error:|Error [0-9]|undefined reference' "$log" | head -30 >&2 || true
		echo "--- last lines of $log ---" >&2
		tail -25 "$log" >&2
		die "$what failed (log: $log)"
	fi
	say "$what: done in $(( $(date +%s) - start ))s, $((cpu1 - cpu0)) CPU-s"
	# where the compile time went
	if [ -s "$log.ccache" ]; then
		for k in direct_cache_hit preprocessed_cache_hit cache_miss; do
			cc[$k]=$(grep -cx "$k" "$log.ccache" || true)
		done
		say "$what: ccache ${cc[direct_cache_hit]} direct hits, ${cc[preprocessed_cache_hit]} preprocessed hits, ${cc[cache_miss]} misses"
	fi
}

# Keep the trees the kernel-BASE-FLAVOUR links point at and the
# $KEEP_TREES (default 2) most recently built others; each tree is ~3 GiB.
prune_trees() {
	local keep=${KEEP_TREES:-2} t l n=0 linked=" "
	for l in "$CACHE"/kernel-*; do
		[ -L "$l" ] && linked+="$(readlink "$l") "
	done
	for t in $(ls -1dt "$CACHE"/trees/*/ 2>/dev/null); do
		t=${t%/}
		[[ $linked == *" $t "* ]] && continue
		# Being built by another kernel.sh (make test builds two at once).
		flock -n "$t.lock" true 2>/dev/null || continue
		# A Debian-config tree (hours to build, resumable) only gives way
		# to another Debian-config build.
		case $t in
		*-debconfig-*) [ "$DEBCONFIG" = 1 ] && [ "$t" != "$TREE" ] || continue ;;
		esac
		n=$((n + 1))
		[ "$n" -le "$keep" ] && continue
		say "removing old tree $(basename "$t")"
		rm -rf "$t" "$t.lock"
	done
	# Trees are worktrees of their base's repository (one per base).
	for t in "$CACHE"/src/linux-*/; do
		git -C "$t" worktree prune 2>/dev/null || true
	done
}

cmd_build() {
	# One build of a tree at a time; prune_trees leaves it alone meanwhile.
	mkdir -p "$CACHE/trees"
	exec 9>>"$TREE.lock"
	flock 9
	ensure_tree
	ensure_config
	if [ -f "$TREE/.ioasid-built" ] && [ -f "$TREE/arch/x86/boot/bzImage" ]; then
		say "kernel $KEY is up to date"
	else
		rm -f "$TREE/.ioasid-built"
		if [ "$DEBCONFIG" = 1 ]; then
			# Everything a distribution kernel has: vmlinux, bzImage, all modules.
			say "building Debian's config for $KEY in $TREE ($JOBS jobs, no ccache): hours on a few CPUs"
			progress_make "Debian config: bzImage and modules" "$TREE/.build.log" all
		elif [ "$MODULES" = 1 ] || [ "$COMPAT" = 1 ]; then
			# compat builds no module, but gets its (empty) modules.dep as
			# a distribution kernel without type1 has: the tools read
			# there that type1 is not in this kernel.
			say "building bzImage and modules for $KEY in $TREE ($JOBS jobs, ccache)"
			progress_make "bzImage and modules" "$TREE/.build.log" bzImage modules
			install_modules
		else
			say "building bzImage for $KEY in $TREE ($JOBS jobs, ccache)"
			progress_make "bzImage" "$TREE/.build.log" bzImage
		fi
		touch "$TREE/.ioasid-built"
	fi
	ln -sfn "$TREE" "$CACHE/kernel-$IOASID_BASE-$(flavour)"
	prune_trees
}

# The modules (stripped of DWARF, keeping their BTF) and depmod's index
# under TREE/.modroot: the guest's module root (modprobe -d).
install_modules() {
	local root=$TREE/.modroot
	rm -rf "$root" "$root.tmp"
	say "installing modules into $root"
	kmake -s INSTALL_MOD_PATH="$root.tmp" INSTALL_MOD_STRIP=1 DEPMOD=/sbin/depmod \
		modules_install >"$TREE/.modules_install.log" 2>&1 ||
		{ tail -20 "$TREE/.modules_install.log" >&2; die "make modules_install failed"; }
	mv "$root.tmp" "$root"
	say "modules: $(find "$root" -name '*.ko' | wc -l) in $root/lib/modules/$(ls "$root/lib/modules")"
}

cmd_deb() {
	local out=$TREE/.deb rev start debs
	[ -f "$TREE/.ioasid-built" ] ||
		die "kernel $KEY is not built: run 'make kernel' (with the same STOCK, DEBUG, MODULES, COMPAT, DEBCONFIG, BASE) first"
	command -v dpkg-buildpackage >/dev/null && command -v dh_testdir >/dev/null ||
		die "dpkg-buildpackage or debhelper missing: run 'make deps'"
	rev=ioasid.${KEY##*-}
	start=$(date +%s)
	say "packaging $KEY: bindeb-pkg, revision $rev (relinks vmlinux for the version string)"
	rm -rf "$out" "$TREE/debian"
	rm -f "$CACHE"/trees/linux-*_*"$rev"_*
	# kmake's CC and KBUILD_BUILD_* reach debian/rules' make: nothing else rebuilds
	# no -dbg package (a copy of vmlinux with its DWARF: hundreds of MB)
	DEB_BUILD_PROFILES=pkg.linux-upstream.nokerneldbg \
		progress_make bindeb-pkg "$TREE/.deb.log" \
		KDEB_PKGVERSION="$(kmake -s kernelrelease)-$rev" KDEB_COMPRESS=xz bindeb-pkg
	mkdir -p "$out"
	mv "$CACHE"/trees/linux-*_*"$rev"_* "$out"/
	rm -rf "$TREE/debian"
	debs=$(ls "$out"/*.deb 2>/dev/null) || die "bindeb-pkg made no package (log: $TREE/.deb.log)"
	say "packages in $out ($(( $(date +%s) - start ))s):"
	for d in $debs; do say "  $(basename "$d") $(du -h "$d" | cut -f1)"; done
}

# Headers need a configured tree, not a built kernel.
cmd_headers() {
	ensure_tree
	ensure_config
	if [ ! -f "$TREE/usr/include/linux/iommufd.h" ] || [ ! -f "$TREE/.ioasid-headers" ]; then
		say "installing uAPI headers into $TREE/usr/include"
		kmake -s headers >"$TREE/.headers.log" 2>&1 ||
			{ tail -20 "$TREE/.headers.log" >&2; die "make headers failed"; }
		touch "$TREE/.ioasid-headers"
	fi
}

# The upstream iommufd selftests, built from this tree against its own
# installed headers, into $OUT (default build/selftests/<key>).
cmd_selftests() {
	cmd_headers
	local out=${OUT:-$TOP/build/selftests/$KEY}
	mkdir -p "$out"
	say "building tools/testing/selftests/iommu into $out"
	make -s -C "$TREE/tools/testing/selftests/iommu" OUTPUT="$out" \
		KHDR_INCLUDES="-isystem $TREE/usr/include" CC=gcc >"$out/build.log" 2>&1 ||
		{ cat "$out/build.log" >&2; die "iommu selftests failed to build"; }
	# The same tests with the harness's per-test limit at 300 s instead of
	# 30 s, for debug kernels (KASAN under TCG runs them ~10x slower): a
	# copy of the selftests beside them in the tree (their includes are
	# relative to it) whose kselftest_harness.h says so.
	local slow=$TREE/tools/testing/ioasid-slow
	rm -rf "$slow" && mkdir -p "$slow" &&
		cp -r "$TREE/tools/testing/selftests/iommu" "$TREE/tools/testing/selftests/lib.mk" \
			"$TREE/tools/testing/selftests/"kselftest*.h "$slow/" &&
		sed -i 's/^#define TEST_TIMEOUT_DEFAULT 30$/#define TEST_TIMEOUT_DEFAULT 300/' \
			"$slow/kselftest_harness.h" &&
		grep -q '^#define TEST_TIMEOUT_DEFAULT 300$' "$slow/kselftest_harness.h" ||
		die "cannot make the slow selftests' harness (TEST_TIMEOUT_DEFAULT)"
	mkdir -p "$out/slow"
	make -s -C "$slow/iommu" OUTPUT="$out/slow" \
		KHDR_INCLUDES="-isystem $TREE/usr/include" CC=gcc >"$out/slow/build.log" 2>&1 ||
		{ cat "$out/slow/build.log" >&2; die "the slow iommu selftests failed to build"; }
	rm -rf "$slow"
}

case ${1:-} in
base) ensure_base ;;
prepare) ensure_tree ;;
config) ensure_tree && ensure_config ;;
build) cmd_build ;;
headers) cmd_headers ;;
selftests) cmd_selftests ;;
deb) cmd_deb ;;
key) echo "$KEY" ;;
tree) echo "$TREE" ;;
info)
	echo "key:       $KEY"
	echo "tree:      $TREE"
	echo "base:      $IOASID_BASE: Debian $SRC_PKG $BASE_VER (installed: $(installed_version))"
	echo "built:     $([ -f "$TREE/.ioasid-built" ] && echo yes || echo no)"
	if [ "$DEBCONFIG" = 1 ]; then
		pkg=$(debian_config_pkg)
		echo "config:    Debian's, from $pkg $BASE_VER"
		f=$CACHE/debs/${pkg}_${BASE_VER//\~/_}/usr/src/$pkg/.config
		[ -f "$f" ] && echo "debconfig: $f"
	fi
	;;
*) die "usage: kernel.sh {base|prepare|config|build|headers|selftests|deb|key|tree|info}" ;;
esac
