#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# flushstat-overhead.sh BINDIR [ROUNDS] [N] [SIZE]: what flushstat costs
# the map/unmap loop it watches, inside the testbed guest.
#
#   testbed/run -- bpf/tests/flushstat-overhead.sh build/k/<key> 7 20000
#
# Each round runs BINDIR/dmaprobe -s SIZE -n N per backend once per
# configuration: without flushstat ("off"), with flushstat -j in its
# default mode ("on": the series' events on the patched kernel) and forced
# into the fallback ("fallback", -F: intel_iommu:cache_tag_* and the ioctl
# syscalls); the order rotates from round to round, all in one boot.
# Prints per backend and configuration the median of the rounds' means
# with min and max; raw dmaprobe JSON in $IOASID_OUT/flushstat-overhead.jsonl.
# QEMU TCG figures: ratios only.

set -u
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
[ -n "${IOASID_GUEST:-}" ] || { echo "runs inside the testbed: testbed/run -- $0 BINDIR" >&2; exit 2; }
bin=${1:?usage: flushstat-overhead.sh BINDIR [ROUNDS] [N] [SIZE]}
rounds=${2:-7}
n=${3:-20000}
size=${4:-4k}
fs=${FLUSHSTAT:-$top/build/bpf/flushstat}
out=${IOASID_OUT:-/tmp}/flushstat-overhead.jsonl
d=$(mktemp -d)
fpid=
trap '[ -n "$fpid" ] && kill "$fpid" 2>/dev/null; rm -rf "$d"' EXIT

if [ -d /sys/kernel/tracing/events/iommu/iotlb_sync ]; then
	cfgs=(off on fallback)
else
	cfgs=(off fallback)
fi
echo "# $(uname -r): $rounds rounds of dmaprobe -s $size -n $n per backend; configs: ${cfgs[*]}"
: >"$out"

for r in $(seq "$rounds"); do
	for i in "${!cfgs[@]}"; do
		cfg=${cfgs[$(((i + r) % ${#cfgs[@]}))]}
		if [ "$cfg" != off ]; then
			# shellcheck disable=SC2046
			"$fs" -j $([ "$cfg" = fallback ] && echo -F) >"$d/f.json" 2>"$d/f.err" &
			fpid=$!
			for _ in $(seq 300); do
				grep -q '^Tracing' "$d/f.err" && break
				sleep 0.1
			done
		fi
		for b in iommufd type1; do
			"$bin/dmaprobe" -j -b "$b" -s "$size" -n "$n" -L "$r $cfg" >>"$out" || exit 1
		done
		if [ -n "$fpid" ]; then
			kill -TERM "$fpid"
			wait "$fpid"
			fpid=
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
print("%-8s %-9s %-26s %-26s" % ("BACKEND", "CONFIG", "MAP us med [min-max]", "UNMAP us med [min-max]"))
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
        print("%-8s %-9s %-26s %-26s" % (b, c, cells[0], cells[1]))
PY
