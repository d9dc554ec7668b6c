#!/usr/bin/env bash
# Callgrind profile of one workload of the C bench, to find the core's hot
# spots:  bench/profile.sh W N [IMPL] [OPS]
#   W     W1..W7          N     number of keys (e.g. 100000)
#   IMPL  core (default) or uthash
#   OPS   operations in the timed region (default: N, one repetition)
# Builds gomap_bench like run.sh (Release -O2, plus -g for line info) in
# build-bench-prof/, runs it under valgrind --tool=callgrind and prints the
# functions with the most instructions (inclusive and self).  The setup
# (key generation, filling the map for lookups) is in the profile too;
# callgrind_annotate's inclusive view separates it.
set -euo pipefail
. "$(dirname "$0")/../ci/lib/help.sh"
help_if_asked "$0" "$@"
[ $# -ge 2 ] || { sed -n '2,11p' "$0"; exit 2; }
w=$1 n=$2 impl=${3:-core} ops=${4:-$2}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
build=${GOMAP_BENCH_PROF_BUILD:-$root/build-bench-prof}
mkdir -p "$build"
command -v valgrind >/dev/null || { echo "profile.sh: valgrind not found" >&2; exit 1; }
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release \
	-DCMAKE_C_FLAGS_RELEASE="-O2 -g -DNDEBUG -fno-omit-frame-pointer" \
	-DGOMAP_SANITIZE=OFF -DGOMAP_COVERAGE=OFF -DGOMAP_BUILD_BENCH=ON >"$build/cmake.log" 2>&1 ||
	{ cat "$build/cmake.log" >&2; exit 1; }
cmake --build "$build" --target gomap_bench -j 2 >"$build/build.log" 2>&1 ||
	{ tail -30 "$build/build.log" >&2; exit 1; }
outf=$build/callgrind.$impl.$w.$n.out
valgrind --tool=callgrind --callgrind-out-file="$outf" \
	"$build/bench/gomap_bench" --impl "$impl" --w "$w" --n "$n" --ops "$ops"
echo
echo "== self (exclusive) instructions =="
callgrind_annotate "$outf" 2>/dev/null | sed -n '/^Ir/,$p' | head -25
echo
echo "== inclusive =="
callgrind_annotate --inclusive=yes "$outf" 2>/dev/null | sed -n '/^Ir/,$p' | head -25
echo
echo "profile: $outf (kcachegrind or callgrind_annotate --auto=yes for line detail)"
