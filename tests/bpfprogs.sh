# SPDX-License-Identifier: GPL-2.0
# Sourced by host tests: the BPF programs one process holds, so a test can
# check what its tool loaded and unloaded while other BPF users run.

# progs_of PID [REGEX]: ids of the programs PID holds (from its fds) whose
# name matches REGEX (default: any).
progs_of() {
	local id
	for id in $(sed -n 's/^prog_id:[[:space:]]*//p' /proc/"$1"/fdinfo/* 2>/dev/null | sort -un); do
		bpftool prog show id "$id" 2>/dev/null | grep -qE "name (${2:-.*}) " && echo "$id"
	done
}

# still_loaded IDS...: how many of these program ids still exist.
still_loaded() {
	local all n=0 i
	all=" $(bpftool -j prog show 2>/dev/null | python3 -c '
import json, sys
print(" ".join(str(p["id"]) for p in json.load(sys.stdin)))') "
	for i in "$@"; do [[ $all == *" $i "* ]] && n=$((n + 1)); done
	echo "$n"
}
