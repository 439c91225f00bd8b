# SPDX-License-Identifier: GPL-2.0
# fio-icount: ratio per night (bench/report/mkreport)
set terminal svg size 900,500 dynamic background rgb 'white'
set termoption noenhanced
set output 'history-fio-icount.svg'
DATA = 'history-fio-icount.dat'
set title 'fio-icount: iommufd/type1 ratio per night, 95% CI (qemu-tcg; N=4 nights)'
set ylabel 'ratio (iommufd / type1)'
set xlabel 'night'
set xtics ("2026-11-23" 0, "2026-12-04" 1, "2026-12-04" 2, "2026-12-06" 3) rotate by -30
set xrange [-0.5:3.5]
set grid
set key outside right top
plot DATA index 0 using 1:2:3:4 with yerrorlines title 'randread-qd1-j1-static insns_per_io', DATA index 1 using 1:2:3:4 with yerrorlines title 'randread-qd1-j1-perio insns_per_io', DATA index 2 using 1:2:3:4 with yerrorlines title 'randread-qd32-j1-static insns_per_io', DATA index 3 using 1:2:3:4 with yerrorlines title 'randread-qd32-j1-perio insns_per_io'
