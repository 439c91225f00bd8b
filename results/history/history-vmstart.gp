# SPDX-License-Identifier: GPL-2.0
# vmstart: ratio per night (bench/report/mkreport)
set terminal svg size 900,500 dynamic background rgb 'white'
set termoption noenhanced
set output 'history-vmstart.svg'
DATA = 'history-vmstart.dat'
set title 'vmstart: iommufd/type1 ratio per night, 95% CI (qemu-tcg; N=4 nights)'
set ylabel 'ratio (iommufd / type1)'
set xlabel 'night'
set xtics ("2026-11-23" 0, "2026-12-04" 1, "2026-12-04" 2, "2026-12-06" 3) rotate by -30
set xrange [-0.5:3.5]
set grid
set key outside right top
plot DATA index 0 using 1:2:3:4 with yerrorlines title '256M-anon ready', DATA index 1 using 1:2:3:4 with yerrorlines title '256M-anon map', DATA index 2 using 1:2:3:4 with yerrorlines title '256M-hugetlb ready', DATA index 3 using 1:2:3:4 with yerrorlines title '256M-hugetlb map', DATA index 4 using 1:2:3:4 with yerrorlines title '512M-anon ready', DATA index 5 using 1:2:3:4 with yerrorlines title '512M-anon map', DATA index 6 using 1:2:3:4 with yerrorlines title '512M-hugetlb ready', DATA index 7 using 1:2:3:4 with yerrorlines title '512M-hugetlb map', DATA index 8 using 1:2:3:4 with yerrorlines title '1024M-anon ready', DATA index 9 using 1:2:3:4 with yerrorlines title '1024M-anon map', DATA index 10 using 1:2:3:4 with yerrorlines title '1024M-hugetlb ready', DATA index 11 using 1:2:3:4 with yerrorlines title '1024M-hugetlb map', DATA index 12 using 1:2:3:4 with yerrorlines title '256M-anon quit', DATA index 13 using 1:2:3:4 with yerrorlines title '256M-hugetlb quit', DATA index 14 using 1:2:3:4 with yerrorlines title '512M-anon quit', DATA index 15 using 1:2:3:4 with yerrorlines title '512M-hugetlb quit', DATA index 16 using 1:2:3:4 with yerrorlines title '1024M-anon quit', DATA index 17 using 1:2:3:4 with yerrorlines title '1024M-hugetlb quit'
