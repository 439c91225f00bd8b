#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# maplat-overhead.sh BINDIR [ROUNDS] [N] [SIZE]: what maplat costs the
# operations it measures, inside the testbed guest.
#
#   testbed/run -- bpf/tests/maplat-overhead.sh build/k/<key> 7 20000
#
# Each round runs BINDIR/dmaprobe -s SIZE -n N per backend once per
# configuration: without maplat ("off"), with maplat in tracepoint mode
# ("tp"), with -B ("tp-B") and forced into the fallback ("fallback", -F);
# the configurations' order rotates from round to round, all in one boot.
# Prints the per-round means and, per backend and configuration, the
# median of the rounds' means with min and max; the raw dmaprobe JSON is
# in $IOASID_OUT/maplat-overhead.jsonl.  QEMU TCG figures: ratios only.

set -u
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
[ -n "${IOASID_GUEST:-}" ] || { echo "runs inside the testbed: testbed/run -- $0 BINDIR" >&2; exit 2; }
bin=${1:?usage: maplat-overhead.sh BINDIR [ROUNDS] [N] [SIZE]}
rounds=${2:-7}
n=${3:-20000}
size=${4:-4k}
m=${MAPLAT:-$top/build/bpf/maplat}
out=${IOASID_OUT:-/tmp}/maplat-overhead.jsonl
d=$(mktemp -d)
mpid=
trap '[ -n "$mpid" ] && kill "$mpid" 2>/dev/null; rm -rf "$d"' EXIT

if [ -d /sys/kernel/tracing/events/iommufd ]; then
	cfgs=(off tp tp-B fallback)
else
	cfgs=(off fallback)
fi
echo "# $(uname -r): $rounds rounds of dmaprobe -s $size -n $n per backend; configs: ${cfgs[*]}"
: >"$out"

flags() {
	case $1 in
	tp) echo "-j" ;;
	tp-B) echo "-j -B" ;;
	fallback) echo "-j -F" ;;
	esac
}

for r in $(seq "$rounds"); do
	for i in "${!cfgs[@]}"; do
		cfg=${cfgs[$(((i + r) % ${#cfgs[@]}))]}
		if [ "$cfg" != off ]; then
			# shellcheck disable=SC2046
			"$m" $(flags "$cfg") >"$d/m.json" 2>"$d/m.err" &
			mpid=$!
			for _ in $(seq 300); do
				grep -q '^Tracing' "$d/m.err" && break
				sleep 0.1
			done
		fi
		for b in iommufd type1; do
			"$bin/dmaprobe" -j -b "$b" -s "$size" -n "$n" -L "$r $cfg" >>"$out" || exit 1
		done
		if [ -n "$mpid" ]; then
			kill -TERM "$mpid"
			wait "$mpid"
			mpid=
		fi
	done
	tail -n $((2 * ${#cfgs[@]})) "$out" | python3 -c '
import json, sys
for l in sys.stdin:
    d = json.loads(l)
    print("# round %-12s %-8s map %7.2f  unmap %7.2f us" % (d["label"], d["backend"], d["map_mean"], d["unmap_mean"]))'
done

python3 - "$out" "${cfgs[@]}" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
cfgs = sys.argv[2:]
print("%-8s %-9s %-22s %-22s" % ("BACKEND", "CONFIG", "MAP us med [min-max]", "UNMAP us med [min-max]"))
for b in ("iommufd", "type1"):
    base = {}
    for c in cfgs:
        v = [r for r in rows if r["backend"] == b and r["label"].split()[1] == c]
        cells = []
        for k in ("map_mean", "unmap_mean"):
            x = [r[k] for r in v]
            med = statistics.median(x)
            if c == "off":
                base[k] = med
                rel = ""
            else:
                rel = " %+.0f%%" % (100 * (med / base[k] - 1))
            cells.append("%.2f [%.2f-%.2f]%s" % (med, min(x), max(x), rel))
        print("%-8s %-9s %-22s %-22s" % (b, c, cells[0], cells[1]))
PY
