set terminal pngcairo size 1200,780 font 'sans,9'
set output 'scenario-out/db-web-ml-predictive.png'
set multiplot layout 4,1 columnsfirst title 'db-web-ml: processors held (solid) against demand (dashed), moves per tick below'
set grid ytics
set key top left horizontal
set lmargin 8
set rmargin 2
set title 'predictive: db'
set ylabel 'processors'
unset xlabel
set yrange [0:*]
plot 'scenario-out/db-web-ml-predictive.dat' index 0 using 1:2 with lines dt 2 lw 1.5 lc rgb '#1f77b4' title 'demand', '' index 0 using 1:3 with steps lw 2 lc rgb '#1f77b4' title 'held'
set title 'predictive: web'
set ylabel 'processors'
unset xlabel
set yrange [0:*]
plot 'scenario-out/db-web-ml-predictive.dat' index 0 using 1:4 with lines dt 2 lw 1.5 lc rgb '#d62728' title 'demand', '' index 0 using 1:5 with steps lw 2 lc rgb '#d62728' title 'held'
set title 'predictive: ml'
set ylabel 'processors'
unset xlabel
set yrange [0:*]
plot 'scenario-out/db-web-ml-predictive.dat' index 0 using 1:6 with lines dt 2 lw 1.5 lc rgb '#2ca02c' title 'demand', '' index 0 using 1:7 with steps lw 2 lc rgb '#2ca02c' title 'held'
set title 'predictive: processors changing hands'
set xlabel 'scenario time (hours)'
set ylabel 'moves'
plot 'scenario-out/db-web-ml-predictive.dat' index 0 using 1:8 with impulses lw 2 lc rgb '#444444' title 'moves'
unset multiplot
