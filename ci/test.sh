#!/usr/bin/env bash
# The whole test suite: the README's second command, and what .ci/run runs.
#   1. dev build (clang, -O2 -g): every CTest test — unit tests of the core
#      per rule of go-map-rules.md, hash/layout vectors from Go, trace
#      parsing, the oracle, conformance traces, and the Go runtime
#      cross-check (dump after every operation);
#   2. the same suite under ASan + UBSan with -fno-sanitize-recover=all.
# Options: --no-sanitize (skip 2), --jobs N.
set -euo pipefail
cd "$(dirname "$0")/.."

sanitize=1
jobs=$(nproc 2>/dev/null || echo 2)
while [ $# -gt 0 ]; do
  case "$1" in
    --no-sanitize) sanitize=0 ;;
    --jobs) jobs="$2"; shift ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "ci/test.sh: unknown option '$1' (accepted: --no-sanitize, --jobs N)" >&2; exit 2 ;;
  esac
  shift
done

./ci/install-deps.sh

run_suite() {
  local preset=$1
  echo "== configure + build ($preset)"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j "$jobs"
  echo "== ctest ($preset)"
  ctest --preset "$preset" -j "$jobs"
}

run_suite dev
if [ "$sanitize" = 1 ]; then
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  run_suite ci
fi
echo "ci/test.sh: all suites passed"
