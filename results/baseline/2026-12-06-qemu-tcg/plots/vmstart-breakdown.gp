# SPDX-License-Identifier: GPL-2.0
# VM start: map vs rest of start-up (bench/report/mkreport)
set terminal svg size 900,500 dynamic background rgb 'white'
set termoption noenhanced
set output 'vmstart-breakdown.svg'
DATA = 'vmstart-breakdown.dat'
set title 'VM start: guest RAM map time and the rest of start-up (medians; qemu-tcg; N=6 starts)'
set ylabel 'ms'
set style data histograms
set style histogram rowstacked
set style fill solid 0.7 border -1
set boxwidth 0.6
set yrange [0:*]
set grid ytics
set xtics rotate by -30
set key outside right top
plot DATA using 2:xtic(1) title 'DMA map of guest RAM', '' using 3 title 'rest until ready'
