# SPDX-License-Identifier: GPL-2.0
# Sourced by tests/soak/soak.sh (needs $top, $bin, $d, $end, $mode): the
# loops of a soak.  Each takes a seed for bash's RANDOM, so a run with the
# same seed makes the same choices (the timing of course differs).
#
#   churn SEED          a random tool (with random options), started, left
#                       running 0.5-5 s (or killed while it loads), stopped
#                       by SIGINT, SIGTERM or SIGKILL; one line per start
#                       in $d/tools, ending in "ok" or "BAD ..."
#   toggle SEED         a random event system on or off every 0.1-1 s;
#                       one line per switch in $d/toggles
#   work_vtd SEED       dmaprobe, mapbench -t 2 or fio with verify, one at
#                       a time; one line per run in $d/runs.vtd
#   work_mock SEED W    the iommufd selftests, iopfgen (faults answered,
#                       answered INVALID, pending at close, unhandled) or
#                       rarely iommufd_fail_nth; lines in $d/runs.W
#   counted W NAME TOOL CHECK CMD...
#                       a counted window: CMD watched by its own TOOL -j
#                       -p PID (the first run of each worker, then 1 in 5:
#                       maplat around dmaprobe, faultlat around iopfgen)
#   start_top/stop_top  ioasid-top -b -d 1 for the whole soak
#
# A run line is "NAME ok [OPS]" or "NAME FAIL why"; OPS (set as ops=N
# for run/counted) counts what the run did: map+unmap calls (dmaprobe),
# faults (iopfgen), 4 KiB I/Os (fio); summary adds them up per path.

declare -a tool_cmds=(
	"maplat" "maplat -I -P -B" "maplat -j -i 1" "maplat -F" "maplat -N -b type1"
	"flushstat" "flushstat -j 1" "flushstat -F" "faultlat" "faultlat -j 1" "faultlat -F"
	"attachsnoop" "attachsnoop -j" "attachsnoop -F" "ioasid-top -b -d 1 -D" "ioasid-top -j -d 1 -a"
)

tool_path() {
	case $1 in
	ioasid-top) echo "$top/build/tools/ioasid-top/ioasid-top" ;;
	*) echo "$top/build/bpf/$1" ;;
	esac
}

# pick WORD...: one of them into $REPLY (not through $(...): a subshell
# would draw from a reseeded RANDOM, and a seed would not replay a run).
pick() { local a=("$@"); REPLY=${a[RANDOM % $#]}; }
now() { date +%s; }

churn() {
	RANDOM=$1
	local line words sig tenths early pid rc i banner verdict n=0
	while [ "$(now)" -lt "$end" ]; do
		pick "${tool_cmds[@]}"
		line=$REPLY
		read -ra words <<<"$line"
		pick INT TERM KILL
		sig=$REPLY
		tenths=$((RANDOM % 46 + 5))
		early=$((RANDOM % 5 == 0))
		n=$((n + 1))
		# A background job of a script starts with SIGINT ignored: the
		# tool gets the default back, as it would from a terminal.
		env --default-signal=INT,QUIT "$(tool_path "${words[0]}")" "${words[@]:1}" \
			>"$d/churn.out" 2>"$d/churn.err" &
		pid=$!
		banner=0
		if [ "$early" = 1 ]; then
			# Stop it while it loads and attaches: any point of its setup.
			sleep "0.$((RANDOM % 10))"
			grep -q '^Tracing' "$d/churn.err" "$d/churn.out" 2>/dev/null && banner=1
		else
			for i in $(seq 300); do
				grep -q '^Tracing' "$d/churn.err" "$d/churn.out" 2>/dev/null && { banner=1; break; }
				kill -0 "$pid" 2>/dev/null || break
				sleep 0.1
			done
			sleep "$((tenths / 10)).$((tenths % 10))"
		fi
		kill -"$sig" "$pid" 2>/dev/null
		for i in $(seq 200); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		if kill -0 "$pid" 2>/dev/null; then
			kill -KILL "$pid"
			wait "$pid" 2>/dev/null
			verdict="BAD still running 20 s after SIG$sig"
		else
			wait "$pid" 2>/dev/null
			rc=$?
			verdict=ok
			if [ "$rc" -gt 128 ] && [ "$rc" != 137 ] && [ "$rc" != 130 ] && [ "$rc" != 143 ]; then
				verdict="BAD died of signal $((rc - 128))"
			elif [ "$sig" != KILL ] && [ "$banner" = 1 ] && [ "$rc" != 0 ]; then
				verdict="BAD exit $rc on SIG$sig"
			elif [ "$early" = 0 ] && [ "$banner" = 0 ]; then
				verdict="BAD no banner (exit $rc)"
			fi
		fi
		echo "$line SIG$sig $([ "$early" = 1 ] && echo early || echo "${tenths}ds") $verdict" >>"$d/tools"
		if [ "$verdict" != ok ]; then
			cp "$d/churn.err" "$d/bad.$n.err"
			head -3 "$d/churn.err" | sed "s/^/#   $n: /" >>"$d/tools.why"
		fi
	done
	rm -f "$d/churn.out" "$d/churn.err"
}

toggle() {
	RANDOM=$1
	local sys v
	while [ "$(now)" -lt "$end" ]; do
		pick iommu iommufd vfio_iommu_type1
		sys=$REPLY
		v=$((RANDOM % 2))
		if [ -w "/sys/kernel/tracing/events/$sys/enable" ]; then
			echo "$v" >"/sys/kernel/tracing/events/$sys/enable" && echo "$sys $v" >>"$d/toggles"
		fi
		sleep "0.$((RANDOM % 9 + 1))"
	done
}

events_off() {
	local sys
	for sys in iommu iommufd vfio_iommu_type1; do
		[ -w "/sys/kernel/tracing/events/$sys/enable" ] && echo 0 >"/sys/kernel/tracing/events/$sys/enable"
	done
}

# run W NAME CMD...: one workload run, its verdict in $d/runs.W.
run() {
	local w=$1 name=$2 rc
	shift 2
	timeout -k 10 900 "$@" >"$d/$w.out" 2>"$d/$w.err"
	rc=$?
	if [ "$rc" = 0 ]; then
		echo "$name ok${ops:+ $ops}" >>"$d/runs.$w"
	else
		echo "$name FAIL exit $rc: $(grep -v '^ok' "$d/$w.err" "$d/$w.out" | grep -m3 . | tr '\n' ' ' | cut -c1-300)" \
			>>"$d/runs.$w"
	fi
}

# counted W NAME TOOL CHECK CMD...: CMD watched by a TOOL -j -p PID of its
# own while the soak goes on around it; CHECK, a python expression over
# the tool's report (doc), says whether its counts are what CMD did.  So
# that the pid is known before CMD starts, a subshell waits on a fifo and
# then execs CMD.  One line in $d/runs.W: "NAME ok", or FAIL and why.
counted() {
	local w=$1 name=$2 tool=$3 check=$4 go pid tpid dog rc trc i why=
	shift 4
	rm -f "$d/$w.go"
	mkfifo "$d/$w.go" || { echo "$name FAIL no fifo" >>"$d/runs.$w"; return; }
	# Held open read-write from here on: neither side's open can block.
	exec {go}<>"$d/$w.go"
	(
		read -r _ <&"$go"
		exec {go}>&-
		exec "$@"
	) >"$d/$w.out" 2>"$d/$w.err" &
	pid=$!
	env --default-signal=INT,QUIT "$(tool_path "$tool")" -j -p "$pid" \
		>"$d/$w.tool" 2>"$d/$w.tool.err" {go}>&- &
	tpid=$!
	for i in $(seq 300); do
		grep -q '^Tracing' "$d/$w.tool.err" 2>/dev/null && break
		kill -0 "$tpid" 2>/dev/null || break
		sleep 0.1
	done
	grep -q '^Tracing' "$d/$w.tool.err" 2>/dev/null || why="$tool did not start"
	echo go >&"$go"
	exec {go}>&-
	# A watchdog that leaves no sleep behind when it is called off (and
	# whose sleep, if one is left, holds none of the soak's output).
	(
		trap 'kill "$s" 2>/dev/null; exit 0' TERM
		sleep 900 &
		s=$!
		wait "$s"
		kill -KILL "$pid"
	) >/dev/null 2>&1 &
	dog=$!
	wait "$pid"
	rc=$?
	kill "$dog" 2>/dev/null
	wait "$dog" 2>/dev/null
	kill -INT "$tpid" 2>/dev/null
	for i in $(seq 200); do
		kill -0 "$tpid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$tpid" 2>/dev/null
	wait "$tpid"
	trc=$?
	if [ -n "$why" ]; then
		:
	elif [ "$rc" != 0 ]; then
		why="exit $rc: $(grep -m2 . "$d/$w.err" | tr '\n' ' ' | cut -c1-200)"
	elif [ "$trc" != 0 ]; then
		why="$tool exit $trc on SIGINT"
	else
		why=$(python3 - "$d/$w.tool" "$check" <<'PY'
import json, sys
try:
    doc = [json.loads(l) for l in open(sys.argv[1])][-1]
except (ValueError, IndexError, OSError) as e:
    print("no report: %s" % e)
    sys.exit()
try:
    if not eval(sys.argv[2]):
        # what the check reads: the rows (devices or histograms), not the header
        rows = doc.get("devices", doc.get("histograms")) or []
        keep = ("ctx", "dev_id", "pasid", "comm", "backend", "op", "count", "failed", "read",
                "round_trips", "lost", "invalid", "lost_read", "outstanding")
        rows = [{k: r[k] for k in keep if k in r} for r in rows]
        print("counts differ (%s): %s" % (sys.argv[2][:160], json.dumps(rows)[:1200]))
except (KeyError, IndexError, TypeError) as e:
    print("report lacks %s: %s" % (e, json.dumps(doc)[:300]))
PY
)
	fi
	if [ -z "$why" ]; then
		echo "$name ok${ops:+ $ops}" >>"$d/runs.$w"
	else
		echo "$name FAIL $why" >>"$d/runs.$w"
		cp "$d/$w.tool.err" "$d/bad.$name.$w.err" 2>/dev/null
	fi
	rm -f "$d/$w.go"
}

# maplat's counts for one dmaprobe run: N + its 10 warm-up rounds, maps
# and unmaps of one size class on one backend, nothing else, no failure.
maplat_check() {
	local be=$1 l=$2 c=$(($3 + 10))
	echo "sorted((h['backend'], h['op'], h['size_log2'], h['count'], h['failed']) for h in doc['histograms'])" \
		"== [('$be', 'map', $l, $c, 0), ('$be', 'unmap', $l, $c, 0)]"
}

work_vtd() {
	RANDOM=$1
	local be sz mm n first=1 kinds=4
	# fio with verify only where make fio-engine built the engine.
	[ -f "$bin/nvme-vfio.so" ] && command -v fio >/dev/null || kinds=3
	while [ "$(now)" -lt "$end" ]; do
		if [ "$first" = 1 ] || [ $((RANDOM % 5)) = 0 ]; then
			first=0
			pick iommufd type1
			be=$REPLY
			pick 4k:12 64k:16 2m:21
			sz=$REPLY
			n=$((RANDOM % 300 + 50))
			ops=$n counted vtd "count-maplat-$be-${sz%:*}" maplat "$(maplat_check "$be" "${sz#*:}" "$n")" \
				"$bin/dmaprobe" -b "$be" -s "${sz%:*}" -n "$n"
			continue
		fi
		case $((RANDOM % kinds)) in
		0 | 1)
			pick iommufd type1
			be=$REPLY
			pick 4k 64k 2m
			sz=$REPLY
			n=$((RANDOM % 400 + 50))
			ops=$n run vtd "dmaprobe-$be-$sz" "$bin/dmaprobe" -b "$be" -s "$sz" -n "$n"
			;;
		2)
			run vtd mapbench-t2 "$bin/mapbench" -q -s 4k,2m -S none -t 2 -n 200 -w 5 -k 2
			;;
		3)
			pick iommufd type1
			be=$REPLY
			pick static perio
			mm=$REPLY
			# verify.fio: 8 MiB of 4 KiB writes, each read back
			ops=4096 run vtd "fio-verify-$be-$mm" env ENGINE="$bin/nvme-vfio.so" BDF="$bdf" BACKEND="$be" \
				MAPMODE="$mm" fio "$top/bench/fio/verify.fio"
			;;
		esac
	done
}

work_mock() {
	RANDOM=$1
	local w=$2 l m first=1
	while [ "$(now)" -lt "$end" ]; do
		if [ "$first" = 1 ] || [ $((RANDOM % 5)) = 0 ]; then
			first=0
			m=$((RANDOM % 200 + 1))
			ops=$m counted "$w" count-faultlat faultlat \
				"sum(e['round_trips'] for e in doc['devices']) == $m and sum(e['read'] for e in doc['devices']) == $m and sum(e['lost'] + e['invalid'] for e in doc['devices']) == 0" \
				"$bin/iopfgen" -n "$m" -k $((RANDOM % 64 + 1))
			continue
		fi
		case $((RANDOM % 8)) in
		0 | 1)
			# shellcheck disable=SC2046
			run "$w" selftest-iommufd "$(selftest_dir "$bin")/iommufd" $(selftest_exclusions iommufd 2>/dev/null)
			;;
		2 | 3)
			m=$((RANDOM % 200 + 1))
			ops=$m run "$w" iopfgen-answer "$bin/iopfgen" -n "$m" -k $((RANDOM % 64 + 1)) \
				$([ $((RANDOM % 3)) = 0 ] && echo -x)
			;;
		4 | 5)
			l=$((RANDOM % 20 + 1))
			m=$((RANDOM % 20 + 1))
			ops=$m run "$w" iopfgen-pending "$bin/iopfgen" -n "$m" -L "$l" -R $((RANDOM % (l + 1)))
			;;
		6)
			m=$((RANDOM % 50 + 1))
			ops=$m run "$w" iopfgen-unhandled "$bin/iopfgen" -u "$m"
			;;
		7)
			if [ $((RANDOM % 4)) = 0 ]; then
				# shellcheck disable=SC2046
				run "$w" selftest-fail_nth "$(selftest_dir "$bin")/iommufd_fail_nth" \
					$(selftest_exclusions iommufd_fail_nth 2>/dev/null)
			fi
			;;
		esac
	done
}

start_top() {
	env --default-signal=INT,QUIT "$top/build/tools/ioasid-top/ioasid-top" -b -d 1 \
		>"$d/top" 2>"$d/top.err" &
	top_pid=$!
}

stop_top() {
	local rc
	kill -TERM "$top_pid" 2>/dev/null
	wait "$top_pid"
	rc=$?
	top_pid=
	return "$rc"
}

# "dmaprobe 40 (iommufd-4k 7, ...), ..." from the runs files.
summary() {
	cat "$d"/runs.* 2>/dev/null |
		awk '{ runs[$1]++; if ($2 == "ok" && $3 ~ /^[0-9]+$/) ops[$1] += $3 }
		     END { for (k in runs) print k, runs[k], (k in ops) ? ops[k] : "-" }' | sort |
		awk '{ printf "%s%s %d", (NR > 1 ? ", " : ""), $1, $2; if ($3 != "-") printf " (%d ops)", $3 }
		     END { if (!NR) printf "no runs" }'
}

# On an early exit: the loops, then whatever they started (the workloads
# run under timeout in process groups of their own), by path.
soak_cleanup() {
	local p
	for p in ${churn_pid:-} ${toggle_pid:-} ${work_pids:-} ${top_pid:-}; do
		kill -KILL "$p" 2>/dev/null
	done
	pkill -KILL -f "^(timeout .*)?($bin|$top/build)/|^fio $top/bench/fio/" 2>/dev/null
	events_off
	[ -n "${hp_old:-}" ] && echo "$hp_old" >/proc/sys/vm/nr_hugepages
	# What a failed tool said, kept for the post-mortem.
	[ -n "${IOASID_OUT:-}" ] && ls "$d"/bad.* >/dev/null 2>&1 && mkdir -p "$IOASID_OUT/soak" &&
		cp "$d"/bad.* "$d/tools" "$IOASID_OUT/soak/" 2>/dev/null
	rm -rf "$d"
}
