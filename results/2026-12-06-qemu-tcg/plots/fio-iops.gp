# SPDX-License-Identifier: GPL-2.0
# fio IOPS per backend and map mode (bench/report/mkreport)
set terminal svg size 900,500 dynamic background rgb 'white'
set termoption noenhanced
set output 'fio-iops.svg'
DATA = 'fio-iops.dat'
set title 'fio: IOPS median, min..max over runs (qemu-tcg; N=6 runs)'
set ylabel 'IOPS'
set style histogram errorbars gap 1 lw 1
set style data histograms
set style fill solid 0.7 border -1
set yrange [0:*]
set grid ytics
set xtics rotate by -30
set key outside right top
plot DATA using 2:3:4:xtic(1) title 'iommufd/static', DATA using 5:6:7 title 'iommufd/perio', DATA using 8:9:10 title 'type1/static', DATA using 11:12:13 title 'type1/perio', DATA using 14:15:16 title 'kernel/io_uring', DATA using 17:18:19 title 'kernel/io_uring-hipri'
