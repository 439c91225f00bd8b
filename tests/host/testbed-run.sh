# SPDX-License-Identifier: GPL-2.0
# testbed/run and testbed/kernel.sh: bad input gets one clear message and
# a non-zero exit; the kernel key follows what goes into the kernel.
# Arguments name the parts to run (default: both): "input" (bad input and
# kernel keys) and "qemu" (QEMU crashing or stalling, which needs the
# series kernel: skipped without it, a failure when asked for by name;
# tests/run asks once it has built that kernel).
. "$(dirname "$0")/../tap.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
run=$top/testbed/run
# The input part is the default base's behaviour (make test-all runs the
# host tests with IOASID_BASE=mainline too); the qemu part boots the
# caller's base.
base=${IOASID_BASE:-}
unset IOASID_BASE
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
read -ra parts <<<"${*:-input qemu}"
for p in "${parts[@]}"; do
	case $p in input | qemu) ;;
	*) echo "Bail out! unknown part '$p' (input or qemu)"; exit 2 ;;
	esac
done
wanted() { [[ " ${parts[*]} " == *" $1 "* ]]; }
k=$top/testbed/kernel.sh

if wanted input; then
	o=$("$run" 2>&1); rc=$?
	is "$rc" 2 "no command: exit 2"
	like "$o" "no command given" "no command: says so"

	o=$("$run" --bogus -- true 2>&1); rc=$?
	is "$rc" 2 "unknown option: exit 2"
	like "$o" "unknown option '--bogus'" "unknown option: named"

	o=$("$run" -k foo -- true 2>&1)
	like "$o" "--kernel must be \\[6.12-|mainline-\\]series or" "bad kernel flavour"
	o=$(IOASID_BASE=5.10 "$run" -- true 2>&1); rc=$?
	is "$rc" 2 "bad IOASID_BASE: exit 2"
	like "$o" "IOASID_BASE must be 6.12 or mainline" "bad IOASID_BASE: named"
	o=$("$run" -n scsi -- true 2>&1)
	like "$o" "--nvme must be vfio, nvme, switch or none" "bad NVMe mode"
	o=$("$run" -m 12 -- true 2>&1)
	like "$o" "--memory must be" "too little memory"
	o=$("$run" --qemu-retries x -- true 2>&1); rc=$?
	is "$rc" 2 "--qemu-retries x: exit 2"
	like "$o" "--qemu-retries must be a number" "--qemu-retries x: says so"
	o=$("$run" --icount --tcg-thread multi -- true 2>&1); rc=$?
	is "$rc" 2 "--icount with multi-threaded TCG: exit 2"
	like "$o" "--icount needs single-threaded TCG" "--icount with multi-threaded TCG: says why"

	# An empty cache: no kernel built for this key.
	o=$(IOASID_CACHE=$d "$run" -- true 2>&1); rc=$?
	is "$rc" 2 "no kernel: exit 2"
	like "$o" "no 6.12 series kernel built .*run 'make kernel BASE=6.12'" "no kernel: says how to build one"
	o=$(IOASID_CACHE=$d "$run" -k stock -- true 2>&1)
	like "$o" "run 'make kernel BASE=6.12 STOCK=1'" "no stock kernel: says how to build it"
	o=$(IOASID_CACHE=$d "$run" -k mainline-stock -- true 2>&1)
	like "$o" "no mainline stock kernel built .*run 'make kernel BASE=mainline STOCK=1'" \
		"no mainline stock kernel: says how to build it"

	k1=$("$k" key); k2=$("$k" key); ks=$(STOCK=1 "$k" key)
	is "$k1" "$k2" "kernel key is stable"
	like "$k1" "^6\.12\.[0-9]+-.*-series-[0-9a-f]{12}$" "series key names version, flavour and hash"
	like "$ks" "-stock-[0-9a-f]{12}$" "stock key"
	[ "$k1" != "$ks" ]
	ok $? "stock and series keys differ"
	o=$("$k" frobnicate 2>&1); rc=$?
	is "$rc" 1 "kernel.sh: unknown command fails"
	like "$o" "usage: kernel.sh" "kernel.sh: prints usage"
fi

# QEMU itself dying (a QEMU bug, e.g. an assertion) is exit 126 with
# QEMU's last line, not a guest failure; needs the series kernel.
[ -n "$base" ] && wanted qemu && export IOASID_BASE=$base
if ! wanted qemu; then
	:
elif [ -f "$("$k" tree)/.ioasid-built" ]; then
	cat >"$d/qemu" <<'SH'
#!/bin/bash
qemu-system-x86_64 "$@" &
p=$!
sleep 2
kill -ABRT $p
wait $p
echo "qemu-system-x86_64: test: Assertion failed" >&2
exit 134
SH
	chmod +x "$d/qemu"
	# --icount: QEMU's clock from executed instructions, one vCPU thread
	printf '#!/bin/sh\nexit 1\n' >"$d/qemu-false"
	chmod +x "$d/qemu-false"
	QEMU=$d/qemu-false "$run" --icount -t 60 -o "$d/icount" -- true >/dev/null 2>&1
	like "$(cat "$d/icount/qemu.cmd")" "thread=single .*-icount shift=0.{0,2}sleep=off" \
		"--icount: -icount shift=0,sleep=off with single-threaded TCG"
	QEMU=$d/qemu-false "$run" -t 60 -o "$d/noicount" -- true >/dev/null 2>&1
	! grep -q -- -icount "$d/noicount/qemu.cmd"
	ok $? "without --icount: no -icount"
	o=$(QEMU=$d/qemu "$run" -t 60 -o "$d/crash" -- sleep 30 2>&1); rc=$?
	is "$rc" 126 "QEMU crashing: exit 126"
	like "$o" "QEMU crashed \(signal 6.*test: Assertion failed" "QEMU crashing: says so with QEMU's last line"
	# --qemu-retries: a QEMU that crashes on its first start only
	cat >"$d/qemu-once" <<SH
#!/bin/bash
if [ ! -e "$d/crashed" ]; then
	: >"$d/crashed"
	exec "$d/qemu" "\$@"
fi
exec qemu-system-x86_64 "\$@"
SH
	chmod +x "$d/qemu-once"
	o=$(QEMU=$d/qemu-once "$run" --qemu-retries 1 -t 120 -o "$d/retry" -- true 2>&1); rc=$?
	is "$rc" 0 "--qemu-retries 1: a crash, then the boot again: CMD's exit 0"
	like "$o" "booting again \(1 retries left; the crashed run: $d/retry.qemu-crash\)" \
		"--qemu-retries: says so and where the crashed run is"
	# the crashed boot's serial log may be empty: the fake QEMU aborts
	# after 2 s, before the firmware prints on a loaded host
	[ -s "$d/retry/rc" ] && [ -e "$d/retry.qemu-crash/console.log" ] &&
		[ -s "$d/retry.qemu-crash/qemu.cmd" ]
	ok $? "--qemu-retries: the new run in OUT, the crashed one kept"
	img=$(grep -o 'file=[^ ]*ioasid-nvme[^ ]*\.img' "$d/retry.qemu-crash/qemu.cmd" | sed 's/^file=//')
	[ -n "$img" ] && [ ! -e "$img" ]
	ok $? "--qemu-retries: the crashed boot's scratch image is gone ($img)"
	rm -f "$d/crashed"
	o=$(QEMU=$d/qemu "$run" --qemu-retries 1 -t 60 -o "$d/retry2" -- sleep 30 2>&1); rc=$?
	is "$rc" 126 "--qemu-retries 1 and two crashes: exit 126"
	is "$(grep -c 'booting again' <<<"$o")" 1 "--qemu-retries 1: one retry only"
	# multi-threaded TCG stopping the guest's timers (QEMU 10.0): the guest's
	# RCU says so on the console; the boot ends as a QEMU failure
	cat >"$d/qemu-stall" <<'SH'
#!/bin/bash
while [ $# -gt 0 ]; do [ "$1" = -serial ] && con=${2#file:}; shift; done
echo "rcu: rcu_sched kthread timer wakeup didn't happen for 5253 jiffies! g769 f0x0" >>"$con"
sleep 60
SH
	chmod +x "$d/qemu-stall"
	s0=$(date +%s)
	o=$(QEMU=$d/qemu-stall "$run" --tcg-thread multi -t 60 -o "$d/stall" -- true 2>&1); rc=$?
	is "$rc:$(( $(date +%s) - s0 < 30 ))" "126:1" "multi-threaded TCG, the guest's timers stopped: exit 126 within 30 s"
	like "$o" "the guest's timers stopped \(multi-threaded TCG" "...saying so"
	o=$(QEMU=$d/qemu-stall "$run" -t 8 -o "$d/stall1" -- true 2>&1); rc=$?
	is "$rc" 124 "single-threaded TCG: the same log line is left to the timeout (exit 124)"
elif [ -n "$*" ]; then
	ok 1 "QEMU crashing: the series kernel is built ($("$k" tree))"
else
	echo "ok $((_n + 1)) QEMU crashing # SKIP no series kernel built"
	_n=$((_n + 1))
fi
done_testing
