#!/usr/bin/env bash
# bench/replay_throughput.sh [--gomap PATH] [--runs N] [--sizes LIST] [--quiet]
#
# How fast `gomap replay` runs a plain trace with its default checks, and
# whether its cost grows linearly: for each size (default 10^4, 10^5 and
# 10^6 operations) a trace `map u64 u64` of puts and gets of fresh keys,
# alternating, is replayed --runs times (default 5) with the observations
# going to /dev/null, and the median wall time and CPU time (user + sys)
# are printed with the operations per second each gives.  The last line
# compares the cost of an operation in the largest trace with the
# smallest: near 1 is linear.  On a shared machine the wall figure moves
# with the load (printed); the CPU figure much less.
#   --gomap PATH   the command to measure (default build/gomap, the dev
#                  preset's; it is not built here)
#   --runs N       replays per size (default 5)
#   --sizes LIST   comma-separated operation counts (default
#                  10000,100000,1000000)
#   --quiet        replay with --quiet (no observations printed at all)
# Prints figures only; it is no test and fails only when a replay fails.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/ci/lib/help.sh"
help_if_asked "$0" "$@"

gomap=$root/build/gomap runs=5 sizes=10000,100000,1000000 quiet=()
die_usage() {
  echo "bench/replay_throughput.sh: $1" >&2
  echo "accepted: --gomap PATH, --runs N, --sizes LIST, --quiet, --help" >&2
  exit 2
}
while [ $# -gt 0 ]; do
  case "$1" in
    --gomap) [ -n "${2-}" ] || die_usage "--gomap needs a path"; gomap=$2; shift ;;
    --runs) [[ "${2-}" =~ ^[1-9][0-9]*$ ]] || die_usage "--runs needs a positive number, got '${2-}'"
            runs=$2; shift ;;
    --sizes) [[ "${2-}" =~ ^[1-9][0-9]*(,[1-9][0-9]*)*$ ]] ||
               die_usage "--sizes needs numbers separated by commas, got '${2-}'"
             sizes=$2; shift ;;
    --quiet) quiet=(--quiet) ;;
    *) die_usage "unknown option '$1'" ;;
  esac
  shift
done
[ -x "$gomap" ] || { echo "bench/replay_throughput.sh: no $gomap (cmake --preset dev && cmake --build --preset dev)" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# median of the numbers on standard input
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "gomap replay ${quiet[*]:-}(observations to /dev/null): $gomap, median of $runs runs"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown), $(nproc 2>/dev/null || echo '?') cores"
printf '%10s %9s %9s %14s %14s %12s\n' ops "wall s" "cpu s" "ops/s (wall)" "ops/s (cpu)" "ns/op (cpu)"
first_ns= last_ns=
for n in ${sizes//,/ }; do
  trace=$tmp/t$n.trace
  awk -v n="$n" 'BEGIN { print "map u64 u64 seed=1"
                         for (i = 0; i < n / 2; i++) { print "put " i " " 3 * i; print "get " i } }' >"$trace"
  : >"$tmp/wall" && : >"$tmp/cpu"
  for _ in $(seq "$runs"); do
    TIMEFORMAT='%R %U %S'
    t=$( { time "$gomap" replay "${quiet[@]}" "$trace" >/dev/null 2>"$tmp/err"; } 2>&1 ) ||
      { echo "replay of $n operations failed:" >&2; cat "$tmp/err" >&2; exit 1; }
    read -r wall user sys <<<"$t"
    echo "$wall" >>"$tmp/wall"
    awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }' >>"$tmp/cpu"
  done
  wall=$(median <"$tmp/wall") cpu=$(median <"$tmp/cpu")
  ops=$(( n / 2 * 2 ))
  awk -v ops="$ops" -v w="$wall" -v c="$cpu" 'BEGIN {
    printf "%10d %9.3f %9.3f %14.0f %14.0f %12.0f\n", ops, w, c,
      (w > 0 ? ops / w : 0), (c > 0 ? ops / c : 0), c * 1e9 / ops }'
  ns=$(awk -v ops="$ops" -v c="$cpu" 'BEGIN { print c * 1e9 / ops }')
  first_ns=${first_ns:-$ns} last_ns=$ns
done
awk -v a="$first_ns" -v b="$last_ns" 'BEGIN {
  if (a > 0) printf "cost of an operation, largest trace / smallest: %.2f (1 = linear)\n", (b / a) }'
