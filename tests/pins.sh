# SPDX-License-Identifier: GPL-2.0
#
# Pinned-page accounting for the tests that must leave nothing pinned:
# source after tests/tap.sh.

# Pages pinned with FOLL_PIN right now (acquired - released), after
# folding the per-CPU counter deltas into the totals (stat_refresh).
pinned() {
	echo 1 >/proc/sys/vm/stat_refresh 2>/dev/null
	awk '/^nr_foll_pin_acquired/ {a=$2} /^nr_foll_pin_released/ {r=$2} END {print a-r}' /proc/vmstat
}

# pinned_back WANT: the count, after up to 3 s for the guest's own short
# pins (9p I/O) to go; a leak stays.
pinned_back() {
	local i p
	for i in $(seq 30); do
		p=$(pinned)
		[ "$p" = "$1" ] && break
		sleep 0.1
	done
	echo "$p"
}
