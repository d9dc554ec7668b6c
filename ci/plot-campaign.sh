#!/usr/bin/env bash
# ci/plot-campaign.sh CAMPAIGN_DIR [-o OUT.png]
#
# A PNG of each target's coverage and corpus size over a campaign's time,
# one line per engine run, drawn by gnuplot from the engines' own stats in
# the layout ci/campaign.sh writes:
#
#   DIR/TARGET/libfuzzer/log    libFuzzer's stderr, each line prefixed by
#                               the seconds since the run started and a
#                               space; read: `cov: C` and `corp: N[/SIZE]`
#                               of the `#NNN NEW|REDUCE|pulse|INITED|DONE`
#                               lines (and the `#NNN: cov: ...` lines of
#                               -fork mode)
#   DIR/TARGET/afl/sync/INSTANCE/plot_data
#                               AFL++'s own CSV, columns found by their
#                               header names: relative_time (or unix_time,
#                               made relative), edges_found, corpus_count
#                               (or paths_total)
#
# Coverage is each engine's own measure: libFuzzer's `cov` (instrumented
# edges hit) and AFL++'s edges_found, so the two are alike in kind but not
# equal in scale.  AFL++ 4.x writes plot_data only after its first minute
# (and once at exit), so a short AFL++ run is a single point.
#
# Output: OUT.png (default DIR/campaign.png), two panels per target.
# Exit status: 0 written; 1 no stats found; 2 usage; 77 gnuplot missing.
set -euo pipefail
export LC_ALL=C

usage() { sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; }
dir= out=
while [ $# -gt 0 ]; do
  case "$1" in
    -o) [ $# -ge 2 ] || { echo "plot-campaign: -o needs a file" >&2; exit 2; }
        out=$2; shift ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "plot-campaign: unknown option '$1' (accepted: -o OUT.png)" >&2; exit 2 ;;
    *) [ -z "$dir" ] || { echo "plot-campaign: one campaign directory only" >&2; exit 2; }
       dir=$1 ;;
  esac
  shift
done
[ -n "$dir" ] || { usage >&2; exit 2; }
[ -d "$dir" ] || { echo "plot-campaign: $dir: no such directory" >&2; exit 2; }
out=${out:-$dir/campaign.png}
command -v gnuplot >/dev/null 2>&1 || {
  echo "plot-campaign: gnuplot not found (apt package gnuplot-nox)" >&2; exit 77; }

data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT

# libfuzzer LOG > "seconds coverage corpus" rows
libfuzzer_rows() {
  awk '
    $2 ~ /^#[0-9]+:?$/ && $1 ~ /^[0-9.]+$/ {
      cov = corp = ""
      for (i = 3; i < NF; i++) {
        if ($i == "cov:") cov = $(i + 1)
        if ($i == "corp:") { corp = $(i + 1); sub(/\/.*/, "", corp) }
      }
      if (cov != "" && corp != "") print $1, cov, corp
    }' "$1"
}

# afl PLOT_DATA > "seconds coverage corpus" rows, by header names
afl_rows() {
  awk -F', *' '
    /^#/ {
      sub(/^# */, "")
      for (i = 1; i <= NF; i++) col[$i] = i
      t = col["relative_time"] ? col["relative_time"] : col["unix_time"]
      rel = !col["relative_time"]
      cov = col["edges_found"]
      corp = col["corpus_count"] ? col["corpus_count"] : col["paths_total"]
      if (!t || !cov || !corp) {
        print "plot-campaign: " FILENAME ": no time, edges_found or corpus_count column" > "/dev/stderr"
        exit 1
      }
      next
    }
    t && NF >= cov {
      if (rel && !have0) { t0 = $t; have0 = 1 }
      print $t - (rel ? t0 : 0), $cov, $corp
    }' "$1"
}

targets=()
nseries=0
for tdir in "$dir"/*/; do
  t=$(basename "$tdir")
  found=0
  if [ -f "$tdir/libfuzzer/log" ]; then
    libfuzzer_rows "$tdir/libfuzzer/log" >"$data/$t.libfuzzer.dat"
    if [ -s "$data/$t.libfuzzer.dat" ]; then found=1; else rm -f "$data/$t.libfuzzer.dat"; fi
  fi
  for pd in "$tdir"/afl/sync/*/plot_data; do
    [ -f "$pd" ] || continue
    inst=$(basename "$(dirname "$pd")")
    afl_rows "$pd" >"$data/$t.afl-$inst.dat"
    if [ -s "$data/$t.afl-$inst.dat" ]; then found=1; else rm -f "$data/$t.afl-$inst.dat"; fi
  done
  if [ "$found" = 1 ]; then
    targets+=("$t")
    nseries=$((nseries + $(ls "$data/$t".*.dat | wc -l)))
  fi
done
if [ ${#targets[@]} -eq 0 ]; then
  echo "plot-campaign: no libfuzzer/log or afl/sync/*/plot_data with stats under $dir" >&2
  exit 1
fi

# One row of two panels per target; each data file is one line.
rows=${#targets[@]}
{
  echo "set terminal png noenhanced size 1200,$((300 * rows + 60)) font ',9'"
  printf 'set output "%s"\n' "$out"
  printf 'set multiplot layout %d,2 title "fuzz campaign %s"\n' "$rows" "$(basename "$(cd "$dir" && pwd)")"
  echo 'set key bottom right'
  echo 'set grid'
  echo 'set xlabel "seconds"'
  echo 'set xrange [0:*]'
  echo 'set yrange [0:*]'
  for t in "${targets[@]}"; do
    for panel in coverage corpus; do
      if [ "$panel" = coverage ]; then
        printf 'set title "%s: coverage (libFuzzer cov, AFL++ edges_found)"\n' "$t"
        echo 'set ylabel "edges"'
        col=2
      else
        printf 'set title "%s: corpus size"\n' "$t"
        echo 'set ylabel "inputs"'
        col=3
      fi
      plots=()
      # libFuzzer first, so each engine keeps its colour in every panel
      for f in "$data/$t".libfuzzer.dat "$data/$t".afl-*.dat; do
        [ -f "$f" ] || continue
        series=${f#"$data/$t".}
        series=${series%.dat}
        plots+=("\"$f\" using 1:$col with linespoints pointtype 7 pointsize 0.6 title \"${series/afl-/afl++ }\"")
      done
      (IFS=,; echo "plot ${plots[*]}")
    done
  done
  echo 'unset multiplot'
} >"$data/plot.gp"

gnuplot "$data/plot.gp"
[ -s "$out" ] || { echo "plot-campaign: gnuplot wrote nothing to $out" >&2; exit 1; }
echo "plot-campaign: $out (${#targets[@]} target(s), $nseries series)"
