# SPDX-License-Identifier: GPL-2.0
# Bad input, fuzzed: each tool (maplat, flushstat, faultlat, attachsnoop,
# ioasid-top) run with seeded random option lists built from its own
# options and bad values (negative, huge, empty, not numbers, a 4 KiB
# word, unknown options, values where none is taken), as root and not.
# Each run must end on its own or on SIGINT after 2 s: never by a crash
# or a hang; exit 0 only when it ran (or printed the help); otherwise one
# "TOOL: ..." line, for a usage error (exit 2) followed by the synopsis
# and the --help hint and nothing else (with -v, libbpf's debug lines
# aside); and no BPF program or link of it left.  BADINPUT_SEED replays a
# run (it is printed), BADINPUT_N runs per tool (default 12).
. "$(dirname "$0")/../tap.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/hostlib.sh"
scratch

[ "$(id -u)" = 0 ] || { echo "ok 1 bad input # SKIP not root: the tools need CAP_BPF"; echo 1..1; exit 0; }
seed=${BADINPUT_SEED:-$(date +%s%N | cut -c10-18)}
n=${BADINPUT_N:-12}
RANDOM=$seed
echo "# seed $seed (BADINPUT_SEED=$seed replays it), $n runs per tool"

make -s -C "$top" build/bpf/maplat build/bpf/flushstat build/bpf/faultlat build/bpf/attachsnoop \
	build/tools/ioasid-top/ioasid-top >"$d/make.log" 2>&1
ok $? "the tools build"
[ -s "$d/make.log" ] && sed 's/^/#   /' "$d/make.log" | tail -5

# count prog|link: the BPF programs or links no process holds an fd of:
# what a tool that exited left behind (pinned, or attached by the kernel
# alone), not what other BPF users on the host run meanwhile.
count() {
	local held
	held=$(grep -h "^$1_id:" /proc/[0-9]*/fdinfo/* 2>/dev/null | awk '{print $2}' | sort -u)
	bpftool "$1" show 2>/dev/null | sed -n 's/^\([0-9]*\):.*/\1/p' | sort -u |
		comm -23 - <(printf '%s\n' "$held") | grep -c .
}
long=$(printf 'x%.0s' $(seq 4096))
values=(1 0 -1 -99999999999999999999 99999999999999999999 2147483648 abc "" 1.5 0x10 " 3" iommufd type1 unmap "$long" %s%n)
junk=(-Z --nope --json=3 -- -0 -pp "$long")
pick() { local a=("$@"); printf '%s' "${a[RANDOM % ${#a[@]}]}"; }

# The options a tool's --help names: "-x" and "--long" words.
options_of() {
	"$1" --help 2>/dev/null | grep -oE '(^|[ [,])--?[A-Za-z0-9][-A-Za-z0-9]*' | tr -d ' [,' | sort -u
}

fuzz_tool() {
	local name=$1 bin=$2 i k args opts rc lines first bad=0 crash=0 hang=0 leak=0 runs=0 why=""
	local p0 l0 user
	mapfile -t opts < <(options_of "$bin")
	[ "${#opts[@]}" -ge 3 ]
	ok $? "$name: its --help names its options (${#opts[@]})"
	p0=$(count prog)
	l0=$(count link)
	for i in $(seq "$n"); do
		args=()
		for k in $(seq $((RANDOM % 4 + 1))); do
			case $((RANDOM % 6)) in
			0 | 1 | 2) args+=("$(pick "${opts[@]}")") ;;
			3 | 4) args+=("$(pick "${values[@]}")") ;;
			5) args+=("$(pick "${junk[@]}")") ;;
			esac
		done
		user=root
		if [ $((RANDOM % 5)) = 0 ]; then
			user=nobody
			timeout --preserve-status -s INT -k 5 2 setpriv --reuid=nobody --regid=nogroup \
				--clear-groups --inh-caps=-all "$bin" "${args[@]}" >"$d/out" 2>"$d/err"
		else
			timeout --preserve-status -s INT -k 5 2 "$bin" "${args[@]}" >"$d/out" 2>"$d/err"
		fi
		rc=$?
		runs=$((runs + 1))
		# -v/--verbose asks for libbpf's debug lines and the tool's own
		# (each event it finds no BTF for...): a failure's message is
		# then the last line
		if printf '%s\n' "${args[@]}" | grep -qxE -- '-v|--verbose'; then
			grep -v '^libbpf: ' "$d/err" >"$d/err.v"
			[ "$rc" != 2 ] && [ -s "$d/err.v" ] && tail -1 "$d/err.v" >"$d/err.v1" &&
				mv "$d/err.v1" "$d/err.v"
			mv "$d/err.v" "$d/err"
		fi
		first=$(head -1 "$d/err")
		lines=$(wc -l <"$d/err")
		show=$(printf '%q ' "${args[@]}" | cut -c1-120)
		if [ "$rc" = 137 ]; then
			hang=$((hang + 1)); why+="#   hang ($user): $show"$'\n'
		elif [ "$rc" -gt 128 ]; then
			crash=$((crash + 1)); why+="#   signal $((rc - 128)) ($user): $show"$'\n'
		elif [ "$rc" != 0 ]; then
			if [[ $first != "$name: "* ]]; then
				bad=$((bad + 1)); why+="#   exit $rc, not a '$name: ' message ($user): $show: $first"$'\n'
			elif [ "$rc" = 2 ]; then
				if ! sed -n 2p "$d/err" | grep -q "^usage: $name" ||
					[ "$(tail -1 "$d/err")" != "Try '$name --help' for more." ]; then
					bad=$((bad + 1)); why+="#   exit 2 without the synopsis ($user): $show"$'\n'
				fi
			elif [ "$lines" != 1 ]; then
				bad=$((bad + 1)); why+="#   exit $rc, $lines lines on stderr ($user): $show: $first"$'\n'
			fi
		fi
		# an exited process's programs are freed after a grace period
		# (asynchronously; longer on a loaded machine): up to 5 s
		for i in $(seq 25); do
			[ "$(count prog)" = "$p0" ] && [ "$(count link)" = "$l0" ] && break
			sleep 0.2
		done
		if [ "$(count prog)" != "$p0" ] || [ "$(count link)" != "$l0" ]; then
			leak=$((leak + 1)); why+="#   BPF program or link left ($user): $show"$'\n'
			sleep 1
			p0=$(count prog)
			l0=$(count link)
		fi
	done
	is "$crash $hang" "0 0" "$name: $runs fuzzed runs, none crashed or hung"
	is "$bad" 0 "$name: every failure is one '$name: ' message (usage errors: + synopsis)"
	is "$leak" 0 "$name: nothing left loaded"
	[ -n "$why" ] && printf '%s' "$why" | head -12
}

fuzz_tool maplat "$top/build/bpf/maplat"
fuzz_tool flushstat "$top/build/bpf/flushstat"
fuzz_tool faultlat "$top/build/bpf/faultlat"
fuzz_tool attachsnoop "$top/build/bpf/attachsnoop"
fuzz_tool ioasid-top "$top/build/tools/ioasid-top/ioasid-top"

# ---- corrupt JSON: the report tools and the catalog checker ----
# corrupt SRC DST: DST is SRC truncated at a random byte or with a random
# byte replaced (seeded by RANDOM): what a disk-full or a torn copy leaves.
corrupt() {
	python3 - "$1" "$2" "$RANDOM" <<'PY'
import random, sys
src, dst, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
rng = random.Random(seed)
b = open(src, "rb").read()
i = rng.randrange(1, len(b))
b = b[:i] if rng.random() < 0.5 else b[:i] + bytes([rng.choice(b'{}[],:"0x\\\n')]) + b[i + 1:]
open(dst, "wb").write(b)
PY
}
# judge NAME RC ERRFILE: "" when fine, else why.  A tool may accept the
# input (a replaced byte inside a string can leave valid JSON), or refuse
# it with one "NAME: " line; never a Python traceback or another exit.
judge() {
	local name=$1 rc=$2 err=$3
	if grep -q '^Traceback' "$err"; then
		echo "traceback: $(tail -1 "$err")"
	elif [ "$rc" -gt 2 ]; then
		echo "exit $rc"
	elif [ "$rc" = 2 ] && [[ $(head -1 "$err") != "$name: "* ]]; then
		echo "exit 2 without a '$name: ' message: $(head -1 "$err")"
	fi
}
R=$top/bench/report
cal=$top/results/2026-12-04-gate-calibration
src=$cal/2026-12-04-qemu-tcg-aa1
bad=0 runs=0 why=""
for i in $(seq "$n"); do
	rm -rf "$d/rep" && mkdir -p "$d/rep" && cp -r "$src" "$d/rep/new"
	corrupt "$src/summary.json" "$d/rep/new/summary.json"
	for prog in regress calibrate history; do
		case $prog in
		regress) "$R/regress" "$d/rep/new" "$cal"/2026-12-04-qemu-tcg-aa{2,3,4} >/dev/null 2>"$d/err" ;;
		calibrate) "$R/calibrate" "$cal"/2026-12-04-qemu-tcg-aa{2,3,4,5} --injected "$d/rep/new" \
			-o "$d/cal" >/dev/null 2>"$d/err" ;;
		history) "$R/history" "$d/rep" --no-plots >/dev/null 2>"$d/err" ;;
		esac
		rc=$?
		runs=$((runs + 1))
		w=$(judge "$prog" "$rc" "$d/err")
		[ -n "$w" ] && { bad=$((bad + 1)); why+="#   $prog on a corrupt summary.json ($i): $w"$'\n'; }
	done
	corrupt "$top/tracepoints/events.json" "$d/events.json"
	cmd=list
	[ $((RANDOM % 2)) = 0 ] && cmd=nullable
	"$top/tracepoints/check" -c "$d/events.json" "$cmd" >/dev/null 2>"$d/err"
	rc=$?
	runs=$((runs + 1))
	w=$(judge check "$rc" "$d/err")
	[ -n "$w" ] && { bad=$((bad + 1)); why+="#   tracepoints/check -c a corrupt catalog $cmd ($i): $w"$'\n'; }
done
is "$bad" 0 "regress, calibrate, history and tracepoints/check on $runs corrupt JSON inputs: accepted, or one message (exit 1/2), no traceback"
# one corruption every seed may miss: a digit for the dot of a log ratio
# ("0.5012" -> "05012" is invalid, "5.012" -> "5012" is not): exp() of it
# overflowed in the gate
rm -rf "$d/rep" && mkdir -p "$d/rep" && cp -r "$src" "$d/rep/new"
python3 - "$src/summary.json" "$d/rep/new/summary.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
r = next(r for r in doc["records"] if r.get("block_log_ratios"))
r["block_log_ratios"] = [5012.0] * len(r["block_log_ratios"])
json.dump(doc, open(sys.argv[2], "w"))
PY
"$R/regress" "$d/rep/new" "$cal"/2026-12-04-qemu-tcg-aa{2,3,4} >/dev/null 2>"$d/err"
rc=$?
w=$(judge regress "$rc" "$d/err")
is "$rc:$w" "2:" "regress on log ratios of 5012: refused with one message, no traceback"
[ -n "$why" ] && printf '%s' "$why" | head -12
done_testing
