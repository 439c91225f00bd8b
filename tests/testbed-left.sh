# SPDX-License-Identifier: GPL-2.0
# What a test's own testbed boots left behind, for tests/testbed/*.sh:
# source it.  Only the runs under the directories given count: another
# testbed QEMU on the host (another user, another test) is not ours.

# qemu_left DIR...: "PID RUNDIR" for each QEMU still running that a
# testbed/run under DIR started (it records the pid in RUNDIR/qemu.pid).
# The pid counts only while its command line names that run's serial log
# (-serial file:RUNDIR/console.log): a pid reused since is not ours.
qemu_left() {
	local f run real pid
	while IFS= read -r f; do
		run=$(cd "$(dirname "$f")" && pwd)
		real=$(cd "$run" && pwd -P)
		pid=$(cat "$f" 2>/dev/null)
		[[ $pid =~ ^[0-9]+$ ]] || continue
		tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" |
			grep -qF -e "file:$run/console.log" -e "file:$real/console.log" &&
			echo "$pid $run"
	done < <(find -H "$@" -name qemu.pid 2>/dev/null | sort)
}

# nvme_left DIR...: each scratch NVMe image named in a RUNDIR/qemu.cmd
# under DIR that still exists (testbed/run removes it when it exits).
nvme_left() {
	local f img
	while IFS= read -r f; do
		img=$(grep -o 'file=[^ ,\\]*ioasid-nvme\.[^ ,\\]*\.img' "$f" | head -1)
		img=${img#file=}
		[ -n "$img" ] && [ -e "$img" ] && echo "$img"
	done < <(find -H "$@" -name qemu.cmd 2>/dev/null | sort)
}
