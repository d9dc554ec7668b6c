#!/usr/bin/env bash
# ci/plot-campaign.sh CAMPAIGN_DIR [-d OUT_DIR]
#
# Draws a ci/campaign.sh campaign with gnuplot, one row of panels per
# target, one line per engine run, against the seconds since the run
# began (a target's engines run side by side, so those seconds are the
# same wall time):
#
#   OUT_DIR/coverage.png         the one measure every engine shares: line
#                                and branch coverage (%) of core/ + oracle/
#                                and rare-path markers reached by the run's
#                                corpus, from DIR/TARGET/ENGINE/coverage/
#                                samples.tsv (ci/campaign_coverage.py)
#   OUT_DIR/engine-counters.png  each engine's own counters, which count
#                                different things and compare runs of one
#                                engine only: coverage (libFuzzer's `cov`,
#                                AFL++'s edges_found) and corpus size, from
#                                DIR/TARGET/ENGINE/log (libFuzzer's stderr,
#                                each line prefixed by the seconds since the
#                                run started: `cov: C`, `corp: N[/SIZE]` of
#                                its `#NNN ...` status lines) and DIR/TARGET/
#                                ENGINE/sync/INSTANCE/plot_data (AFL++'s CSV,
#                                columns by header name: relative_time or
#                                unix_time, edges_found, corpus_count or
#                                paths_total; AFL++ 4.04c writes it only
#                                after a run's first minute and at exit)
#
# ENGINE is libfuzzer, afl, libfuzzer-go or afl-go.  Targets are drawn in
# the order they ran (by their first coverage sample), then by name.  The
# percentage axes start near the lowest figure, not at 0, so runs a
# point apart stay apart.  OUT_DIR defaults to DIR/report.  A figure
# with no data is not drawn.
# Exit status: 0 at least one figure written; 1 no data found; 2 usage;
# 77 gnuplot missing.
set -euo pipefail
export LC_ALL=C

usage() { sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; }
dir= outdir=
while [ $# -gt 0 ]; do
  case "$1" in
    -d) [ $# -ge 2 ] || { echo "plot-campaign: -d needs a directory" >&2; exit 2; }
        outdir=$2; shift ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "plot-campaign: unknown option '$1' (accepted: -d OUT_DIR, -h)" >&2; exit 2 ;;
    *) [ -z "$dir" ] || { echo "plot-campaign: one campaign directory only" >&2; exit 2; }
       dir=$1 ;;
  esac
  shift
done
[ -n "$dir" ] || { usage >&2; exit 2; }
[ -d "$dir" ] || { echo "plot-campaign: $dir: no such directory" >&2; exit 2; }
outdir=${outdir:-$dir/report}
mkdir -p "$outdir" || exit 2
command -v gnuplot >/dev/null 2>&1 || {
  echo "plot-campaign: gnuplot not found (apt package gnuplot-nox)" >&2; exit 77; }

data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT
engines=(libfuzzer afl libfuzzer-go afl-go) # in this order, so each keeps its colour

# samples.tsv > "run_s lines% branches% markers" rows
measure_rows() {
  awk -F'\t' 'NR > 1 && $2 ~ /^[0-9.]+$/ {
      printf "%s %.3f %.3f %d\n", $2, ($5 ? 100 * $4 / $5 : 0), ($7 ? 100 * $6 / $7 : 0), $16 }' "$1" |
    sort -n -k1,1 -k2,2 # in time order (ci/campaign_summary.py says why it may not be)
}
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
keep() { [ -s "$1" ] || { rm -f "$1"; return 1; }; } # FILE: true if it holds rows

# Series files: $data/measure/TARGET/ENGINE.dat, $data/engine/TARGET/ENGINE[-INSTANCE].dat
m_targets=() e_targets=() m_series=0 e_series=0
# the targets in the order they ran: by the earliest campaign_s of their
# samples (targets without samples last, by name)
ordered_targets() {
  local tdir t first f
  for tdir in "$dir"/*/; do
    t=$(basename "$tdir") first=999999999
    for f in "$tdir"*/coverage/samples.tsv; do
      [ -f "$f" ] || continue
      first=$(awk -F'\t' -v m="$first" 'NR == 2 && $1 + 0 < m { m = $1 + 0 } END { print m }' "$f")
    done
    printf '%s %s\n' "$first" "$t"
  done | sort -k1,1n -k2,2 | cut -d' ' -f2
}
while IFS= read -r t; do
  tdir=$dir/$t/
  mkdir -p "$data/measure/$t" "$data/engine/$t"
  mt=0 et=0
  for e in "${engines[@]}"; do
    d=$tdir/$e
    [ -d "$d" ] || continue
    if [ -f "$d/coverage/samples.tsv" ]; then
      measure_rows "$d/coverage/samples.tsv" >"$data/measure/$t/$e.dat"
      keep "$data/measure/$t/$e.dat" && { mt=1; m_series=$((m_series + 1)); }
    fi
    if [ -f "$d/log" ]; then
      libfuzzer_rows "$d/log" >"$data/engine/$t/$e.dat"
      keep "$data/engine/$t/$e.dat" && { et=1; e_series=$((e_series + 1)); }
    fi
    for pd in "$d"/sync/*/plot_data; do
      [ -f "$pd" ] || continue
      inst=$(basename "$(dirname "$pd")")
      afl_rows "$pd" >"$data/engine/$t/$e $inst.dat"
      keep "$data/engine/$t/$e $inst.dat" && { et=1; e_series=$((e_series + 1)); }
    done
  done
  [ "$mt" = 1 ] && m_targets+=("$t")
  [ "$et" = 1 ] && e_targets+=("$t")
done < <(ordered_targets)
if [ ${#m_targets[@]} -eq 0 ] && [ ${#e_targets[@]} -eq 0 ]; then
  echo "plot-campaign: no coverage/samples.tsv, libfuzzer log or AFL++ plot_data under $dir" >&2
  exit 1
fi
name=$(basename "$(cd "$dir" && pwd)")

# plot_lines DIR COLUMN: the gnuplot `plot` of every series file in DIR
plot_lines() {
  local f plots=() title
  while IFS= read -r f; do
    title=${f##*/}; title=${title%.dat}
    plots+=("\"$f\" using 1:$2 with linespoints pointtype 7 pointsize 0.6 title \"$title\"")
  done < <(for e in "${engines[@]}"; do ls "$1/$e".dat "$1/$e "*.dat 2>/dev/null || true; done)
  (IFS=,; echo "plot ${plots[*]}")
}
# figure OUT.png SERIES_ROOT "PANEL_TITLE|YLABEL|COLUMN"... < targets: one row per target
figure() {
  local png=$1 root=$2; shift 2
  local rows=0 t panel gp=$data/plot.gp
  local targets=()
  while IFS= read -r t; do targets+=("$t"); rows=$((rows + 1)); done
  {
    echo "set terminal png noenhanced size $((420 * $#)),$((280 * rows + 60)) font ',9'"
    printf 'set output "%s"\n' "$png"
    printf 'set multiplot layout %d,%d title "%s"\n' "$rows" "$#" "$FIGURE_TITLE"
    echo 'set key bottom right'
    echo 'set grid'
    echo 'set xlabel "seconds since the run began"'
    echo 'set xrange [0:*]'
    for t in "${targets[@]}"; do
      for panel in "$@"; do
        IFS='|' read -r ptitle ylabel col range <<<"$panel"
        printf 'set title "%s: %s"\nset ylabel "%s"\nset yrange %s\n' "$t" "$ptitle" "$ylabel" "$range"
        plot_lines "$root/$t" "$col"
      done
    done
    echo 'unset multiplot'
  } >"$gp"
  gnuplot "$gp"
  [ -s "$png" ] || { echo "plot-campaign: gnuplot wrote nothing to $png" >&2; exit 1; }
}

if [ ${#m_targets[@]} -gt 0 ]; then
  FIGURE_TITLE="campaign $name: coverage of core/ + oracle/ by each run's corpus (coverage build; same scale for every engine)"
  printf '%s\n' "${m_targets[@]}" | figure "$outdir/coverage.png" "$data/measure" \
    "lines covered|% of lines|2|[*:*]" "branches covered|% of branch outcomes|3|[*:*]" \
    "rare-path markers reached|markers|4|[0:*]"
  echo "plot-campaign: $outdir/coverage.png (${#m_targets[@]} target(s), $m_series series)"
fi
if [ ${#e_targets[@]} -gt 0 ]; then
  FIGURE_TITLE="campaign $name: each engine's own counters (not comparable across engines)"
  printf '%s\n' "${e_targets[@]}" | figure "$outdir/engine-counters.png" "$data/engine" \
    "engine's own coverage counter (libFuzzer cov, AFL++ edges_found)|engine's own units|2|[0:*]" \
    "corpus size|inputs|3|[0:*]"
  echo "plot-campaign: $outdir/engine-counters.png (${#e_targets[@]} target(s), $e_series series)"
fi
