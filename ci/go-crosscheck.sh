#!/usr/bin/env bash
# Every input the project keeps or a fuzz run grew, cross-checked with Go
# 1.19's runtime map: `gomap crosscheck` (cli/crosscheck.c) of a build
# with Go in the loop runs each one on the port, the model and Go's map,
# comparing the whole structure after every operation and every
# iteration's order.  The PR gate runs it after its fuzz stages
# (ci/fuzz-gate.sh --go), a campaign at its end (ci/campaign.sh).
#
# Usage: ci/go-crosscheck.sh [--build DIR] [--corpus T=DIR]... [--no-kept]
#   --build DIR      a build of preset fuzz-go or afl-go (default
#                    build-fuzz-go); its gomap does the work
#   --corpus T=DIR   binary inputs of target T (ops, iter, faults) in DIR
#                    (repeatable)
#   --no-kept        skip what the repository keeps (below)
# Always, unless --no-kept: every trace of corpus/conformance,
# corpus/regressions and corpus/seeds/{ops,iter,faults}, the binary
# regressions corpus/regressions/T/, and the seed corpora the build
# compiled (DIR/corpus/seeds/T/).
#
# Exit 0: every input agreed with Go; 1: some did not (their verdicts are
# printed: `gomap replay` or `gomap minimize --target T` of the Go build
# reproduces them); 2: usage, or no gomap with Go in the loop.
set -uo pipefail
cd "$(dirname "$0")/.."

usage() { sed -n '/^# Usage:/,/^set -uo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; }
die_usage() {
  echo "ci/go-crosscheck.sh: $1" >&2
  echo "accepted: --build DIR, --corpus T=DIR, --no-kept, --help" >&2
  exit 2
}

build=build-fuzz-go kept=1
corpora=()
while [ $# -gt 0 ]; do
  case "$1" in
    --build) [ -n "${2-}" ] || die_usage "--build needs a directory"; build=$2; shift ;;
    --corpus)
      [[ "${2-}" =~ ^(ops|iter|faults)=. ]] || die_usage "--corpus wants T=DIR with T ops, iter or faults, got '${2-}'"
      corpora+=("$2"); shift ;;
    --no-kept) kept=0 ;;
    -h|--help) usage; exit 0 ;;
    *) die_usage "unknown option '$1'" ;;
  esac
  shift
done
gomap=$build/gomap
[ -x "$gomap" ] || { echo "ci/go-crosscheck.sh: no $gomap (build preset fuzz-go first)" >&2; exit 2; }

status=0
# run LABEL ARGS...: one gomap crosscheck, its summary line prefixed
run() {
  local label=$1 out rc
  shift
  out=$("$gomap" crosscheck "$@" 2>&1)
  rc=$?
  grep -v '^gomap crosscheck: ' <<<"$out" | sed 's/^/  /'
  printf '  %-40s %s\n' "$label" "$(sed -n 's/^gomap crosscheck: //p' <<<"$out")"
  case $rc in
    0) ;;
    1) status=1 ;;
    *) [ "$status" = 1 ] || status=2 ;;
  esac
}

if [ "$kept" = 1 ]; then
  traces=(corpus/conformance/*.trace corpus/regressions/*.trace
          corpus/seeds/ops/*.trace corpus/seeds/iter/*.trace corpus/seeds/faults/*.trace)
  run "traces (conformance, regressions, seeds)" "${traces[@]}"
  for t in ops iter faults; do
    [ -d "corpus/regressions/$t" ] && run "$t: corpus/regressions/$t" --target "$t" "corpus/regressions/$t"
    [ -d "$build/corpus/seeds/$t" ] && run "$t: $build/corpus/seeds/$t" --target "$t" "$build/corpus/seeds/$t"
  done
fi
for c in "${corpora[@]}"; do
  t=${c%%=*} dir=${c#*=}
  if [ -d "$dir" ] && [ -n "$(ls -A "$dir" 2>/dev/null)" ]; then
    run "$t: $dir" --target "$t" "$dir"
  fi
done

case $status in
  0) echo "go-crosscheck: every input agrees with Go's runtime map" ;;
  1) echo "go-crosscheck: FAILED: the port differs from Go's runtime map (verdicts above)" >&2 ;;
  *) echo "go-crosscheck: FAILED: some inputs could not be read" >&2 ;;
esac
exit "$status"
