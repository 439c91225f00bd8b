# SPDX-License-Identifier: GPL-2.0
# fio: ratio per night (bench/report/mkreport)
set terminal svg size 900,500 dynamic background rgb 'white'
set termoption noenhanced
set output 'history-fio.svg'
DATA = 'history-fio.dat'
set title 'fio: iommufd/type1 ratio per night, 95% CI (qemu-tcg; N=2 nights)'
set ylabel 'ratio (iommufd / type1)'
set xlabel 'night'
set xtics ("2026-11-23" 0, "2026-12-04" 1) rotate by -30
set xrange [-0.5:1.5]
set grid
set key outside right top
plot DATA index 0 using 1:2:3:4 with yerrorlines title 'randread-qd1-j1-static iops', DATA index 1 using 1:2:3:4 with yerrorlines title 'randread-qd32-j1-static iops', DATA index 2 using 1:2:3:4 with yerrorlines title 'randwrite-qd1-j1-static iops', DATA index 3 using 1:2:3:4 with yerrorlines title 'randwrite-qd32-j1-static iops', DATA index 4 using 1:2:3:4 with yerrorlines title 'randread-qd32-j2-static iops', DATA index 5 using 1:2:3:4 with yerrorlines title 'randread-qd1-j1-perio iops', DATA index 6 using 1:2:3:4 with yerrorlines title 'randread-qd32-j1-perio iops', DATA index 7 using 1:2:3:4 with yerrorlines title 'randwrite-qd1-j1-perio iops', DATA index 8 using 1:2:3:4 with yerrorlines title 'randwrite-qd32-j1-perio iops', DATA index 9 using 1:2:3:4 with yerrorlines title 'randread-qd32-j2-perio iops'
