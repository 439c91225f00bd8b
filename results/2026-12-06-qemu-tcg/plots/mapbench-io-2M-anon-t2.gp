# SPDX-License-Identifier: GPL-2.0
# mapbench io-2M-anon-t2: map+unmap CCDF (bench/report/mkreport)
set terminal svg size 900,500 dynamic background rgb 'white'
set termoption noenhanced
set output 'mapbench-io-2M-anon-t2.svg'
DATA = 'mapbench-io-2M-anon-t2.dat'
set title 'mapbench io-2M-anon-t2: map+unmap latency CCDF (qemu-tcg; iommufd N=10000, type1 N=10000 calls)'
set xlabel 'latency (us, log scale)'
set ylabel 'fraction of calls at least this slow (log scale)'
set logscale xy
set yrange [*:1]
set key top right
set grid
plot DATA index 0 using 1:2 with steps lw 2 title 'iommufd', DATA index 1 using 1:2 with steps lw 2 title 'type1'
