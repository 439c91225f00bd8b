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
. "$top/bpf/tests/lib.sh"
[ -n "${IOASID_GUEST:-}" ] || { echo "runs inside the testbed: testbed/run -- $0 BINDIR" >&2; exit 2; }
bin=${1:?usage: maplat-overhead.sh BINDIR [ROUNDS] [N] [SIZE]}
rounds=${2:-7}
n=${3:-20000}
size=${4:-4k}
m=${MAPLAT:-$top/build/bpf/maplat}
out=${IOASID_OUT:-${TMPDIR:-/tmp}}/maplat-overhead.jsonl
d=$(mktemp -d)
trap 'tool_cleanup; rm -rf "$d"' EXIT

if [ -d /sys/kernel/tracing/events/iommufd ]; then
	cfgs=(off tp=-j tp-B="-j -B" fallback="-j -F")
else
	cfgs=(off fallback="-j -F")
fi
echo "# $(uname -r): $rounds rounds of dmaprobe -s $size -n $n per backend; configs: ${cfgs[*]%%=*}"
dma_overhead "$m" "$out" "$rounds" "$n" "$size" "${cfgs[@]}"
