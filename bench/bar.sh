#!/usr/bin/env bash
# bench/bar.sh [DIR]: issue 8's bar, item by item, side by side with the figures the benchmarks measured (the
# CSVs that bench/race.sh, bench/herd.sh and bench/idle.sh wrote to DIR, default $SB_BENCH_OUT or bench/results),
# and whether each is met. Reads only; runs nothing.
set -euo pipefail
DIR=${1:-${SB_BENCH_OUT:-$(cd "$(dirname "$0")" && pwd)/results}}

# pct VARIANT P: the P-th percentile (nearest rank) of race.csv's seconds for VARIANT ("nan" if none).
pct() {
  awk -F, -v v="$1" 'NR > 1 && $3 == v && $4 != "nan" { print $4 }' "$DIR/race.csv" | sort -g |
    awk -v p="$2" '{ x[NR] = $1 } END { if (NR) print x[int(NR * p + 0.999999)]; else print "nan" }'
}
failed() { awk -F, -v v="$1" 'NR > 1 && $3 == v && ($4 == "nan" || $5 != 0) { n++ } END { print n + 0 }' "$DIR/race.csv"; }
trials() { awk -F, -v v="$1" 'NR > 1 && $3 == v { n++ } END { print n + 0 }' "$DIR/race.csv"; }
verdict() { if awk "BEGIN { exit !($1) }"; then echo "met"; else echo "NOT MET"; fi; }
row() { printf '%-4s %-52s %-58s %s\n' "$1" "$2" "$3" "$4"; }

echo "issue 8, the bar, against the figures in $DIR:"
row item bar measured verdict
if [[ -s $DIR/race.csv ]]; then
  a50=$(pct acs 0.5) a90=$(pct acs 0.9)
  row 1 "acs-engine loop (reference)" "n=$(trials acs) p50 $a50 s, p90 $a90 s, failed $(failed acs)" ""
  for v in ours ours_blackholed ours_hanging ours_garbage; do
    case $v in
      ours) item=1 what="defaults: p50 <= 0.8 s, p90 <= 1.2 s, >= 3x acs" ;;
      ours_blackholed) item=2a what="first manager blackholed: the same" ;;
      ours_hanging) item=2b what="first manager accepts, never answers: the same" ;;
      ours_garbage) item=2c what="first manager answers garbage: the same" ;;
    esac
    o50=$(pct "$v" 0.5) o90=$(pct "$v" 0.9) f=$(failed "$v")
    r50=$(awk -v a="$a50" -v o="$o50" 'BEGIN { if (o > 0) printf "%.1f", a / o; else print "nan" }')
    r90=$(awk -v a="$a90" -v o="$o90" 'BEGIN { if (o > 0) printf "%.1f", a / o; else print "nan" }')
    row "$item" "$what" "n=$(trials "$v") p50 $o50 s, p90 $o90 s, ${r50}x/${r90}x acs, failed $f" \
      "$(verdict "$o50 <= 0.8 && $o90 <= 1.2 && $r50 >= 3 && $r90 >= 3 && $f == 0")"
  done
else
  row "1-2" "race" "no $DIR/race.csv (run bench/race.sh)" "NOT MEASURED"
fi
if [[ -s $DIR/herd-summary.csv ]]; then
  IFS=, read -r n wait total cps peak steady p50 p90 max within hfailed mcpu lcpu acpu load < <(sed -n 2p "$DIR/herd-summary.csv")
  row 3 "herd of $n: <= 50 new API connections/s waiting" "$cps/s average ($total in ${wait}+ s; peak $peak/s, last half $steady/s)" "$(verdict "$cps <= 50")"
  row 3 "all $n hold a token and an open port in 1.5 s" "$within of $n (p50 $p50 s, p90 $p90 s, max $max s), failed $hfailed; load $load" "$(verdict "$within == $n && $hfailed == 0")"
  row "" "  (CPU from swarm init on, for the record)" "manager dockerd $mcpu s, local dockerd $lcpu s, agents $acpu s" ""
else
  row 3 "herd" "no $DIR/herd-summary.csv (run bench/herd.sh)" "NOT MEASURED"
fi
if [[ -s $DIR/herd-real.csv ]]; then
  read -r rn rin rmax < <(awk -F, 'NR > 1 { n++; if ($2 != "nan" && $2 <= 3) w++; if ($2 == "nan" || $2 > m) m = $2 } END { print n + 0, w + 0, m }' "$DIR/herd-real.csv")
  row 3 ">= 12 real engines Ready and labelled in 3 s" "$rin of $rn (max $rmax s)" "$(verdict "$rn >= 12 && $rin == $rn")"
fi
if [[ -s $DIR/idle.csv ]]; then
  IFS=, read -r interval k rss max_rss threads cpu lpi mpi _ < <(sed -n 2p "$DIR/idle.csv")
  row 4 "idle run: RSS <= 8 MB (8192 kB)" "$rss kB (max $max_rss kB), $threads threads" "$(verdict "$max_rss <= 8192")"
  row 4 "idle run: CPU <= 0.1 %" "$cpu %" "$(verdict "$cpu <= 0.1")"
  row 4 "<= 1 request local, <= 1 manager per --interval" "local $lpi, manager $mpi per ${interval}s interval ($k intervals)" "$(verdict "$lpi <= 1 && $mpi <= 1")"
else
  row 4 "idle" "no $DIR/idle.csv (run bench/idle.sh)" "NOT MEASURED"
fi
