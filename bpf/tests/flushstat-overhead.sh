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
. "$top/bpf/tests/lib.sh"
[ -n "${IOASID_GUEST:-}" ] || { echo "runs inside the testbed: testbed/run -- $0 BINDIR" >&2; exit 2; }
bin=${1:?usage: flushstat-overhead.sh BINDIR [ROUNDS] [N] [SIZE]}
rounds=${2:-7}
n=${3:-20000}
size=${4:-4k}
fs=${FLUSHSTAT:-$top/build/bpf/flushstat}
out=${IOASID_OUT:-${TMPDIR:-/tmp}}/flushstat-overhead.jsonl
d=$(mktemp -d)
trap 'tool_cleanup; rm -rf "$d"' EXIT

if [ -d /sys/kernel/tracing/events/iommu/iotlb_sync ]; then
	cfgs=(off on=-j fallback="-j -F")
else
	cfgs=(off fallback="-j -F")
fi
echo "# $(uname -r): $rounds rounds of dmaprobe -s $size -n $n per backend; configs: ${cfgs[*]%%=*}"
dma_overhead "$fs" "$out" "$rounds" "$n" "$size" "${cfgs[@]}"
