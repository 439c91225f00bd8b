# SPDX-License-Identifier: GPL-2.0
# make install and make uninstall (DESTDIR=<scratch> PREFIX=/usr): exactly
# the expected files are installed (every tool of bpf/ and tools/ in sbin/,
# executable; its man page in share/man/man8/; the pages in
# share/doc/ioasid-trace/); each installed tool runs -h from there; each
# man page renders without warnings (man --warnings), lexgrog reads its
# NAME, and its OPTIONS section has an entry for every option the tool's
# -h lists (parsed from -h: the check that fails when a man page falls
# behind its tool; it is shown to fail on a copy of each page with the
# -v/--verbose entry taken out); make uninstall removes every file.
# make install builds a tool that is missing or stale (never a kernel);
# no root, BPF or testbed needed.  About 10 s with the tools built.
. "$(dirname "$0")/../tap.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/hostlib.sh"
scratch

dest=$d/dest
# The tools, as the Makefile finds them: bpf/<tool>.bpf.c, tools/<tool>/.
tools=()
for f in "$top"/bpf/*.bpf.c; do tools+=("$(basename "$f" .bpf.c)"); done
for f in "$top"/tools/*/*.bpf.c; do tools+=("$(basename "$(dirname "$f")")"); done
is "${#tools[@]}" 5 "five tools in the tree: ${tools[*]}"

make -s -C "$top" install DESTDIR="$dest" PREFIX=/usr >"$d/install.log" 2>&1
rc=$?
ok $rc "make install DESTDIR=... PREFIX=/usr"
[ $rc = 0 ] || { sed 's/^/#   /' "$d/install.log" | tail -20; done_testing; exit 1; }

want=$(
	for t in "${tools[@]}"; do
		echo "usr/sbin/$t"
		echo "usr/share/man/man8/$t.8"
		echo "usr/share/doc/ioasid-trace/$t.md"
	done
	echo usr/share/doc/ioasid-trace/README.md
)
got=$(cd "$dest" && find . ! -type d | sed 's|^\./||' | sort)
is "$got" "$(sort <<<"$want")" "exactly the expected files"
[ "$got" = "$(sort <<<"$want")" ] || diff <(sort <<<"$want") <(echo "$got") | sed 's/^/#   /'

# help_opts: the options a -h lists (stdin), one a line: the option lines
# are indented and start with '-'; their description is after two spaces.
help_opts() {
	sed -n 's/^ \{2,\}\(-.*\)$/\1/p' | sed 's/  .*//' |
		grep -oE -- '(^|[ ,])--?[A-Za-z0-9][A-Za-z0-9-]*' | sed 's/^[ ,]*//'
}

# man_missing PAGE OPT...: the options without an entry in PAGE's OPTIONS
# section (a tag line of the rendered page: 7 columns in, starting with
# '-'), one a line.
man_missing() {
	local page=$1 tags o
	shift
	tags=$(LC_ALL=C MANWIDTH=200 man -E ascii -l "$page" 2>/dev/null |
		awk '/^OPTIONS/ { f = 1; next } /^[A-Z]/ { f = 0 } f && /^       -/')
	for o in "$@"; do
		grep -qE -- "^ {7}(.*[ ,])?$o( |,|$)" <<<"$tags" || echo "$o"
	done
}

for t in "${tools[@]}"; do
	bin=$dest/usr/sbin/$t
	page=$dest/usr/share/man/man8/$t.8
	[ -x "$bin" ] && [ -f "$page" ] || { ok 1 "$t: installed"; continue; }
	is "$(stat -c %a "$bin"):$(stat -c %a "$page")" "755:644" "$t: mode 755, its man page 644"
	h=$("$bin" -h 2>"$d/err"); rc=$?
	is "$rc" 0 "$t -h from the install path (usr/sbin): exit 0"
	like "$h" "^usage: $t " "$t -h: the usage"

	w=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l "$page" 2>&1 >/dev/null)
	is "$w" "" "$t.8 renders without warnings"
	like "$(lexgrog "$page" 2>&1)" "\"$t - " "$t.8: lexgrog reads its NAME"

	mapfile -t opts < <(help_opts <<<"$h")
	[ ${#opts[@]} -ge 6 ]
	ok $? "$t -h lists options (${#opts[@]}: ${opts[*]})"
	miss=$(man_missing "$page" "${opts[@]}" | tr '\n' ' ')
	is "$miss" "" "$t.8 has an entry for every option of $t -h"

	# The same check on a copy without the -v/--verbose entry must fail.
	awk '/^\.TP/ { if (blk !~ /\\-\\-verbose/) printf "%s", blk; blk = "" }
	     { blk = blk $0 "\n" } END { if (blk !~ /\\-\\-verbose/) printf "%s", blk }' \
		"$page" >"$d/$t.8"
	is "$(man_missing "$d/$t.8" "${opts[@]}" | grep -cxE -- '-v|--verbose')" 2 \
		"$t.8 without its --verbose entry: the check names -v and --verbose"
done

make -s -C "$top" uninstall DESTDIR="$dest" PREFIX=/usr >"$d/uninstall.log" 2>&1
ok $? "make uninstall DESTDIR=... PREFIX=/usr"
is "$(cd "$dest" && find . ! -type d | wc -l)" 0 "make uninstall removes every file"
is "$(find "$dest/usr/share/doc" -mindepth 1 | wc -l)" 0 "and the doc directory"
done_testing
