# SPDX-License-Identifier: GPL-2.0
# tests/testbed-left.sh (what a test's own testbed boots left behind)
# against fake QEMU processes, and testbed/run's qemu.pid with a fake QEMU
# and a fake kernel tree (nothing boots).
. "$(dirname "$0")/../tap.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/testbed-left.sh"
. "$top/tests/hostlib.sh"
scratch

# fake RUNDIR: a process whose command line looks like a testbed QEMU of
# RUNDIR (its serial log and a scratch image), its pid in $fake.
fake() {
	python3 -c 'import time; time.sleep(120)' -serial "file:$1/console.log" \
		-drive "file=$d/ioasid-nvme.$2.img,if=none" &
	fake=$!
	pids+=("$fake")
}
mkdir -p "$d"/raw/{live,gone,reused,junk,none} "$d/other"
fake "$d/raw/live" live
echo "$fake" >"$d/raw/live/qemu.pid"
live=$fake
sh -c 'exit 0' &
echo $! >"$d/raw/gone/qemu.pid"
wait $!
echo $$ >"$d/raw/reused/qemu.pid"	# a live pid, not a QEMU of that run
echo "12ab" >"$d/raw/junk/qemu.pid"
# Another testbed QEMU on the host, not started by the runs under raw/.
fake "$d/other" other
echo "$fake" >"$d/other/qemu.pid"
sleep 0.5

is "$(qemu_left "$d/raw")" "$live $d/raw/live" \
	"the run's QEMU still running is found; exited, reused and junk pids are not"
is "$(qemu_left "$d/raw/gone" "$d/raw/reused" "$d/raw/none")" "" "nothing of those runs running"
# The check this replaces matched any process naming a scratch image.
pgrep -f "ioasid-nvme\.other\.img" >/dev/null
ok $? "(the old pgrep check would count the other QEMU as ours)"
like "$(qemu_left "$d/other")" "^$fake " "... which belongs to its own run"
kill "$live"
wait "$live" 2>/dev/null
is "$(qemu_left "$d/raw")" "" "once it exits: nothing left"
ln -s "$d/raw" "$d/link"
fake "$d/raw/live" live2
echo "$fake" >"$d/raw/live/qemu.pid"
sleep 0.5
is "$(qemu_left "$d/link")" "$fake $d/link/live" "found through a symlinked directory too"
kill "$fake"

# Scratch images named in a run's qemu.cmd, as testbed/run writes it.
printf '%q ' qemu -drive "file=$d/ioasid-nvme.Kept01.img,if=none,id=nvm,format=raw" >"$d/raw/live/qemu.cmd"
printf '%q ' qemu -drive "file=$d/ioasid-nvme.Gone01.img,if=none,id=nvm,format=raw" >"$d/raw/gone/qemu.cmd"
printf '%q ' qemu -serial "file:$d/raw/none/console.log" >"$d/raw/none/qemu.cmd"
touch "$d/ioasid-nvme.Kept01.img"
is "$(nvme_left "$d/raw")" "$d/ioasid-nvme.Kept01.img" "a scratch image left behind is found, a removed one not"

# testbed/run records its QEMU's pid: a fake kernel tree and a fake QEMU
# that plays a guest finishing its command after 2 s.
tree=$(IOASID_CACHE=$d/cache "$top/testbed/kernel.sh" tree)
mkdir -p "$tree/arch/x86/boot"
touch "$tree/.ioasid-built" "$tree/arch/x86/boot/bzImage"
cat >"$d/qemu" <<'SH'
#!/bin/bash
for a; do case $a in file:*/console.log) out=${a#file:}; out=${out%/console.log} ;; esac; done
sleep 2
echo 0 >"$out/rc"
SH
chmod +x "$d/qemu"
IOASID_CACHE=$d/cache QEMU=$d/qemu TMPDIR=$d "$top/testbed/run" -t 60 -o "$d/tb/vtd" -- true >/dev/null 2>&1 &
run=$!
for _ in $(seq 50); do [ -s "$d/tb/vtd/qemu.pid" ] && break; sleep 0.1; done
sleep 0.3
left=$(qemu_left "$d/tb")
like "$left" "^[0-9]+ $d/tb/vtd$" "testbed/run: its QEMU is found while it runs"
is "${left%% *}" "$(cat "$d/tb/vtd/qemu.pid" 2>/dev/null || echo "no qemu.pid")" "testbed/run: qemu.pid is that process"
like "$(nvme_left "$d/tb")" "^$d/ioasid-nvme\..*\.img$" "testbed/run: its scratch image exists while it runs"
wait "$run"
is "$?" 0 "testbed/run with the fake QEMU: exit 0"
is "$(qemu_left "$d/tb")" "" "testbed/run: no QEMU left after it"
is "$(nvme_left "$d/tb")" "" "testbed/run: no scratch image left after it"
done_testing
