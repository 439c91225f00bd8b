# SPDX-License-Identifier: GPL-2.0
# mapbench io-2M-anon-t2: map+unmap CDF (bench/report/mkreport)
set terminal svg size 900,500 dynamic background rgb 'white'
set termoption noenhanced
set output 'mapbench-io-2M-anon-t2.svg'
DATA = 'mapbench-io-2M-anon-t2.dat'
set title 'mapbench io-2M-anon-t2: map+unmap latency CDF per backend'
set xlabel 'latency (us, log scale)'
set ylabel 'fraction of calls'
set logscale x
set yrange [0:1]
set key bottom right
set grid
plot DATA index 0 using 1:2 with steps lw 2 title 'iommufd', DATA index 1 using 1:2 with steps lw 2 title 'type1'
