#!/usr/bin/env bash
# bench/plot.sh [RACE_CSV] [OUT_PNG]: the race latencies per trial (bench/race.sh's CSV) as a PNG, with gnuplot
# (Debian's gnuplot-nox). Defaults: $SB_BENCH_OUT/race.csv -> bench/race.png.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
CSV=${1:-$OUT_DIR/race.csv}
PNG=${2:-$BENCH_DIR/race.png}
command -v gnuplot >/dev/null || die "gnuplot not found (apt-get install gnuplot-nox)"
[[ -s $CSV ]] || die "no race results in $CSV (run bench/race.sh first)"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
for v in acs ours ours_blackholed ours_hanging ours_garbage; do
  awk -F, -v v="$v" 'NR > 1 && $3 == v && $4 != "nan" { print $1, $4 }' "$CSV" >"$TMP/$v.dat"
done
gnuplot <<GP
set terminal pngcairo size 900,560 font "sans,10"
set output "$PNG"
set title "swarm init returned -> node Ready (acs-engine loop) or Ready and labelled (swarm-bootstrap, defaults)"
set xlabel "trial (agents started 20-40 s before swarm init)"
set ylabel "seconds"
set yrange [0:*]
set grid ytics
set key outside bottom center horizontal
set xtics 1
plot "$TMP/acs.dat" using 1:2 with linespoints lw 2 pt 7 title "acs-engine loop (5 s)", \
     "$TMP/ours.dat" using 1:2 with linespoints lw 2 pt 5 title "swarm-bootstrap", \
     "$TMP/ours_blackholed.dat" using 1:2 with points pt 9 title "first manager blackholed", \
     "$TMP/ours_hanging.dat" using 1:2 with points pt 11 title "first manager hangs", \
     "$TMP/ours_garbage.dat" using 1:2 with points pt 13 title "first manager answers garbage"
GP
echo "plot: $PNG"
