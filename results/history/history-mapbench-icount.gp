# SPDX-License-Identifier: GPL-2.0
# mapbench-icount: ratio per night (bench/report/mkreport)
set terminal svg size 900,500 dynamic background rgb 'white'
set termoption noenhanced
set output 'history-mapbench-icount.svg'
DATA = 'history-mapbench-icount.dat'
set title 'mapbench-icount: iommufd/type1 ratio per night, 95% CI (qemu-tcg; N=4 nights)'
set ylabel 'ratio (iommufd / type1)'
set xlabel 'night'
set xtics ("2026-11-23" 0, "2026-12-04" 1, "2026-12-04" 2, "2026-12-06" 3) rotate by -30
set xrange [-0.5:3.5]
set grid
set key outside right top
plot DATA index 0 using 1:2:3:4 with yerrorlines title 'io-4K-anon-t1 map', DATA index 1 using 1:2:3:4 with yerrorlines title 'io-4K-anon-t1 unmap', DATA index 2 using 1:2:3:4 with yerrorlines title 'io-4K-anon-t1 map+unmap', DATA index 3 using 1:2:3:4 with yerrorlines title 'io-64K-anon-t1 map', DATA index 4 using 1:2:3:4 with yerrorlines title 'io-64K-anon-t1 unmap', DATA index 5 using 1:2:3:4 with yerrorlines title 'io-64K-anon-t1 map+unmap', DATA index 6 using 1:2:3:4 with yerrorlines title 'io-2M-anon-t1 map', DATA index 7 using 1:2:3:4 with yerrorlines title 'io-2M-anon-t1 unmap', DATA index 8 using 1:2:3:4 with yerrorlines title 'io-2M-anon-t1 map+unmap'
