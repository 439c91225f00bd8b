# SPDX-License-Identifier: GPL-2.0
# The source layout the project keeps (DESIGN.md §6): files a newcomer reads
# in one sitting (at most 700 lines), the tools' functions at most 60 lines,
# helpers defined once, and the files of a tool using each other's names one
# way only.  The last is read with nm from the objects of a scratch build,
# not from the text: a tool's files and lib/ form no cycle, lib/ uses no
# tool's names, and no global is defined twice.
. "$(dirname "$0")/../tap.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
cd "$top" || exit 1

srcs=$(git ls-files '*.c' '*.h' | grep -v '^patches/')
long=$(for f in $srcs; do n=$(wc -l <"$f"); [ "$n" -gt 700 ] && echo "$f: $n"; done)
is "$long" "" "no C source over 700 lines ($(wc -w <<<"$srcs") files)"

# Kernel style: a function's body runs from a "{" to a "}" in column 0.
fns=$(git ls-files 'bpf/*.[ch]' 'tools/*.[ch]' 'lib/*.[ch]' | grep -v '/tests/' | xargs awk '
	FNR == 1 { s = 0 }
	/^\{$/ { s = FNR; name = prev }
	/^\}$/ && s { if (FNR - s - 1 > 60) printf "%s:%d %d lines: %s\n", FILENAME, s, FNR - s - 1, name; s = 0 }
	{ prev = $0 }')
is "$fns" "" "no function of the tools (bpf/, tools/, lib/) over 60 lines"

defs=$(git grep -l '^#define ARRAY_SIZE' -- $srcs | tr '\n' ' ')
is "$defs" "lib/util.h " "ARRAY_SIZE defined once, in lib/util.h"
walk=$(git grep -l 'files, fdt' -- $srcs | tr '\n' ' ')
is "$walk" "bpf/bits.bpf.h " "the BPF fd-table walk written once, in bpf/bits.bpf.h"

# Build every tool with gcc keeping its objects (-save-temps=obj names them
# <tool>-<source>.o beside the tool), in a scratch output directory.
tools=$(ls bpf/*.bpf.c tools/*/*.bpf.c | sed 's|.*/||; s|\.bpf\.c$||')
targets=
for t in $tools; do
	if [ -d "tools/$t" ]; then targets="$targets $d/tools/$t/$t"; else targets="$targets $d/bpf/$t"; fi
done
# The BPF side (vmlinux.h, objects, skeletons) is taken from build/ when it
# is there and newer than its sources (cp -p keeps the times make compares),
# and the C compiled at -O0: only the names matter here, and a cold make
# test shares its two CPUs with a kernel build.
mkdir -p "$d/bpf" "$d/tools"
cp -p build/bpf/vmlinux.h build/bpf/*.bpf.o build/bpf/*.skel.h "$d/bpf/" 2>/dev/null
for t in $tools; do
	[ -d "tools/$t" ] && [ -d "build/tools/$t" ] &&
		mkdir -p "$d/tools/$t" && cp -p build/tools/"$t"/*.bpf.o build/tools/"$t"/*.skel.h "$d/tools/$t/" 2>/dev/null
done
make -s TOOLS_OUT="$d/tools" BPF_OUT="$d/bpf" CC="gcc -save-temps=obj" \
	CFLAGS="-O0 -std=gnu11 -D_GNU_SOURCE" $targets >"$d/make.log" 2>&1
rc=$?
ok $rc "the tools build with their objects kept ($(wc -w <<<"$tools") tools)"
[ $rc = 0 ] || { tail -20 "$d/make.log" | sed 's/^/#   /'; done_testing; exit 1; }

python3 - "$d" $tools >"$d/graph" <<'PY'
import os, subprocess, sys

out, tools = sys.argv[1], sys.argv[2:]
lib = sorted(f[:-2] for f in os.listdir("lib") if f.endswith(".c"))


def syms(obj, *flags):
    r = subprocess.run(["nm", *flags, obj], capture_output=True, text=True, check=True)
    return {l.split()[-1] for l in r.stdout.splitlines() if l.strip()}


for t in tools:
    if os.path.isdir(f"tools/{t}"):
        odir, own = f"{out}/tools/{t}", [f[:-2] for f in os.listdir(f"tools/{t}")
                                         if f.endswith(".c") and not f.endswith(".bpf.c")]
    else:
        odir, own = f"{out}/bpf", [f[:-2] for f in os.listdir("bpf")
                                   if f == f"{t}.c" or (f.startswith(t + "-") and f.endswith(".c"))]
    # every source the link took has its object <tool>-<source>.o
    objs = {n: f"{odir}/{t}-{n}.o" for n in sorted(own)}
    objs.update({f"lib/{n}": f"{odir}/{t}-{n}.o" for n in lib})
    missing = [o for o in objs.values() if not os.path.exists(o)]
    print(f"files {t} {len(objs) - len(missing)} of {len(objs)}")
    if missing:
        continue
    # globals only: a static of the same name elsewhere is another symbol
    defined = {n: syms(o, "-g", "--defined-only") for n, o in objs.items()}
    owner = {}
    for n, ss in defined.items():
        for s in ss:
            if s in owner:
                print(f"twice {t} {s}: {owner[s]} {n}")
            owner[s] = n
    edges = {n: sorted({owner[s] for s in syms(o, "-u") if s in owner} - {n})
             for n, o in objs.items()}
    for n in sorted(edges):
        if n.startswith("lib/"):
            bad = [m for m in edges[n] if not m.startswith("lib/")]
            if bad:
                print(f"libcalls {t} {n} -> {' '.join(bad)}")
    # a cycle: a file that reaches itself through the others
    for n in sorted(edges):
        seen, todo = set(), list(edges[n])
        while todo:
            m = todo.pop()
            if m == n:
                print(f"cycle {t} {n}")
                break
            if m not in seen:
                seen.add(m)
                todo.extend(edges[m])
    print(f"edges {t} " + "; ".join(f"{n} -> {','.join(e)}" for n, e in sorted(edges.items())
                                    if e and not n.startswith("lib/")))
PY
ok $? "the call graph read from the objects"
for t in $tools; do
	n=$(sed -n "s/^files $t //p" "$d/graph")
	[ -n "$n" ] && [ "${n% of *}" = "${n#* of }" ]
	ok $? "$t: an object for each of its sources and lib/'s (${n:-none})"
	is "$(sed -n "s/^twice $t //p" "$d/graph" | tr '\n' ' ')" "" "$t: no global defined in two files"
	sed -n "s/^edges $t /# $t: /p" "$d/graph"
	is "$(sed -n "s/^cycle $t //p" "$d/graph" | tr '\n' ' ')" "" "$t: its files use each other's names one way only"
	is "$(sed -n "s/^libcalls $t //p" "$d/graph" | tr '\n' ' ')" "" "$t: lib/ uses none of its files' names"
done
done_testing
