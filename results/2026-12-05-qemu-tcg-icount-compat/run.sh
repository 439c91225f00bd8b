#!/bin/bash
# How these figures were taken (commit 5267859+): per kernel, 2 boots
# under -icount of dmaprobe through each backend, 2000 calls each.
cd /work/main
out=/work/main/build/icount-compat
rm -rf "$out"; mkdir -p "$out"
for base in 6.12 mainline; do
	B=$(make -s info BASE=$base | sed -n 's/^userspace: //p')
	for k in series series-compat; do
		if [ $k = series ]; then be=iommufd,type1; extra=compat; else be=iommufd,compat; extra=; fi
		for r in 1 2; do
			o=$out/$base-$k-$r
			IOASID_BASE=$base testbed/run --icount -k $base-$k -o $o -- sh -c "$B/dmaprobe -b $be -n 2000 -j -L $base-$k > \$IOASID_OUT/probe.jsonl && { [ -z '$extra' ] || $B/dmaprobe -b $extra -n 2000 -j -L $base-$k >> \$IOASID_OUT/probe.jsonl; }" > $o.log 2>&1
			echo "$base $k $r rc=$?"
		done
	done
done
