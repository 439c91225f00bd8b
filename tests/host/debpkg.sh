# SPDX-License-Identifier: GPL-2.0
# The Debian package, built from a copy of HEAD (a clone in a scratch
# directory, so the tree is left alone; uncommitted changes are not in
# it): make deb there (dpkg-buildpackage -us -uc, no kernel built)
# builds the source package and ioasid-trace-tools; lintian on its
# .changes (source and binaries) prints no E: or W:
# line; dpkg-deb -c lists exactly the expected files (the five tools in
# /usr/sbin, their man pages, their pages, copyright, changelog); the
# fields say amd64 and depend on libbpf1; dpkg-deb -x of it gives tools
# that run -h and man pages that render without warnings, and as root the
# extracted maplat runs one interval on this kernel (BPF programs built
# into the package, CO-RE).  About 70 s on an idle 2-CPU machine (2 min
# 20 s with a load of 4-5 beside it): the tools' build, unpacking their
# uAPI headers from linux-source-6.12 (about 20 s), lintian.
. "$(dirname "$0")/../tap.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/hostlib.sh"
scratch

skip_all() {
	echo "ok 1 debpkg # SKIP $*"
	echo "1..1"
	exit 0
}

git -C "$top" rev-parse --verify -q HEAD >/dev/null || skip_all "not a git checkout: nothing to archive"
for c in dpkg-buildpackage dh lintian; do
	command -v "$c" >/dev/null || skip_all "no $c (make deps installs it)"
done
[ -f /usr/src/linux-source-6.12.tar.xz ] || skip_all "no linux-source-6.12 (make deps installs it)"

src=$d/src
git clone -q --no-hardlinks "$top" "$src" &&
	mkdir -p "$src/bpf/tests/__pycache__" && : >"$src/bpf/tests/__pycache__/x.pyc" && : >"$src/untracked"
ok $? "a clone of HEAD ($(git -C "$top" rev-parse --short HEAD)), with an untracked file and a Python cache in it"

start=$(date +%s)
make -s -C "$src" deb >"$d/deb.log" 2>&1
rc=$?
ok $rc "make deb in the copy ($(($(date +%s) - start)) s)"
[ $rc = 0 ] || sed 's/^/#   /' "$d/deb.log" | grep -v '^#   \(clang\|gcc\|bpftool\|llvm-strip\) ' | tail -25
out=$src/build/deb
deb=$(ls "$out"/ioasid-trace-tools_*_amd64.deb 2>/dev/null)
changes=$(ls "$out"/ioasid-trace_*_amd64.changes 2>/dev/null)
dsc=$(ls "$out"/ioasid-trace_*.dsc 2>/dev/null)
[ -f "$deb" ] && [ -f "$changes" ]
ok $? "build/deb/ holds the .deb and the .changes"
[ -f "$dsc" ] && grep -q '^Format: 3.0 (native)$' "$dsc" && ls "$out"/ioasid-trace_*.tar.xz >/dev/null 2>&1
ok $? "and the source package: the .dsc (3.0 native) and its .tar.xz"
if [ -f "$dsc" ]; then
	# the source package alone rebuilds the tools' tree: unpacked, it has
	# the Makefile, the sources and debian/, and no build output
	dpkg-source -x "$dsc" "$d/srcx" >"$d/srcx.log" 2>&1 &&
		[ -f "$d/srcx/Makefile" ] && [ -f "$d/srcx/debian/rules" ] && [ -f "$d/srcx/bpf/maplat.bpf.c" ] &&
		[ ! -e "$d/srcx/build" ] && [ ! -e "$d/srcx/.git" ] && [ ! -e "$d/srcx/results" ] &&
		[ -z "$(find "$d/srcx" -name __pycache__ -o -name '*.pyc')" ] && [ ! -e "$d/srcx/untracked" ]
	ok $? "dpkg-source -x of the .dsc: the tracked files with debian/; no build/, .git, results/, untracked file or Python cache"
	grep -q " $(basename "$dsc")$" "$changes"
	ok $? "the .changes lists the .dsc (a full upload: lintian checks the source too)"
fi
[ -f "$deb" ] || { done_testing; exit 1; }
ls "$out"/*-dbgsym_*.deb >/dev/null 2>&1
ok $? "and the -dbgsym package"

lintian "$changes" >"$d/lintian.out" 2>"$d/lintian.err"
ok $? "lintian runs"
sed 's/^/# lintian: /' "$d/lintian.out"
is "$(grep -cE '^[EW]: ' "$d/lintian.out")" 0 "lintian: no E: or W:"

is "$(dpkg-deb -f "$deb" Package):$(dpkg-deb -f "$deb" Architecture)" \
	"ioasid-trace-tools:amd64" "Package ioasid-trace-tools, Architecture amd64"
like "$(dpkg-deb -f "$deb" Depends)" "libbpf1" "Depends: libbpf1 (dh_shlibdeps)"

tools=(attachsnoop faultlat flushstat ioasid-top maplat)
want=$(
	doc=usr/share/doc/ioasid-trace-tools
	for t in "${tools[@]}"; do
		echo "usr/sbin/$t"
		echo "usr/share/man/man8/$t.8.gz"
		echo "$doc/$t.md.gz"
	done
	echo "$doc/README.md.gz"
	echo "$doc/changelog.gz"
	echo "$doc/copyright"
)
got=$(dpkg-deb -c "$deb" | awk '$1 !~ /^d/ { sub(/^\.\//, "", $6); print $6 }' | sort)
is "$got" "$(sort <<<"$want")" "dpkg-deb -c: exactly the expected files"
[ "$got" = "$(sort <<<"$want")" ] || diff <(sort <<<"$want") <(echo "$got") | sed 's/^/#   /'
is "$(dpkg-deb -c "$deb" | awk '$6 ~ /^\.\/usr\/sbin\/./ { print $1 }' | sort -u)" "-rwxr-xr-x" \
	"the tools are 0755"

x=$d/x
dpkg-deb -x "$deb" "$x"
ok $? "dpkg-deb -x"
for t in "${tools[@]}"; do
	h=$("$x/usr/sbin/$t" -h 2>&1); rc=$?
	is "$rc" 0 "$t -h from the extracted package: exit 0"
	like "$h" "^usage: $t " "$t -h: the usage"
	w=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l "$x/usr/share/man/man8/$t.8.gz" 2>&1 >/dev/null)
	is "$w" "" "$t.8.gz renders without warnings"
done
is "$(ldd "$x"/usr/sbin/* | grep -c 'not found')" 0 "every shared library the tools need is found"

if [ "$(id -u)" = 0 ]; then
	o=$(timeout 30 "$x/usr/sbin/maplat" -i 1 1 2>"$d/err"); rc=$?
	if [ $rc != 0 ] && grep -qE "not allowed to load BPF|has no BTF|cannot load BPF" "$d/err"; then
		echo "# BPF unavailable here: $(head -1 "$d/err")"
	else
		is "$rc" 0 "the packaged maplat -i 1 1: loads, attaches, reports, exits 0"
		like "$o" "^mode: " "the packaged maplat says its mode"
	fi
fi
done_testing
