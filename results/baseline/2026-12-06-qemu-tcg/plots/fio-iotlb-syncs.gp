# SPDX-License-Identifier: GPL-2.0
# fio: IOTLB syncs per I/O (bench/report/mkreport)
set terminal svg size 900,500 dynamic background rgb 'white'
set termoption noenhanced
set output 'fio-iotlb-syncs.svg'
DATA = 'fio-iotlb-syncs.dat'
set title 'fio traced pass: IOTLB syncs per I/O (qemu-tcg; N=1 run)'
set ylabel 'syncs per I/O'
set style histogram clustered gap 1
set style data histograms
set style fill solid 0.7 border -1
set yrange [0:*]
set grid ytics
set xtics rotate by -30
set key outside right top
plot DATA using 2:xtic(1) title 'iommufd/static', DATA using 3 title 'type1/static', DATA using 4 title 'iommufd/perio', DATA using 5 title 'type1/perio'
