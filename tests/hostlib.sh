# SPDX-License-Identifier: GPL-2.0
# Sourced by host tests after tests/tap.sh: scaffolding they share.

# scratch: $d, a scratch directory, and $pids, background processes a test
# adds to; both are gone at exit.
scratch() {
	d=$(mktemp -d)
	pids=()
	trap _scratch_cleanup EXIT
}
_scratch_cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	rm -rf "$d"
}

# vmstart_bin: $vs, bench/vmstart built into $d with make guest's flags
# (no kernel uAPI headers needed: lib only), or $VMSTART; the build is one
# TAP test and a warning another.  Returns 1 if there is no binary.
vmstart_bin() {
	vs=${VMSTART:-}
	if [ -z "$vs" ]; then
		gcc -O2 -g -Wall -Wextra -Wno-unused-parameter -std=gnu11 -D_GNU_SOURCE \
			-I"$top/lib" -o "$d/vmstart" "$top"/bench/vmstart/*.c "$top/lib/tracefs.c" \
			"$top/lib/json.c" "$top/lib/cli.c" "$top/lib/benchstat.c" \
			"$top/lib/sysinfo.c" "$top/lib/abba.c" -lm 2>"$d/cc.err"
		ok $? "vmstart builds"
		is "$(grep -c warning "$d/cc.err")" 0 "no compiler warnings"
		[ -s "$d/cc.err" ] && sed 's/^/#   /' "$d/cc.err" | head -10
		vs=$d/vmstart
	fi
	[ -x "$vs" ]
}
