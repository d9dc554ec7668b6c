#!/usr/bin/env bash
# The PR gate: the README's second command, and what .ci/run runs.
#   1. dev build (clang, -O2 -g): every CTest test — unit tests of the core
#      per rule of go-map-rules.md, hash/layout vectors from Go, trace
#      parsing, the oracle, conformance traces, the Go runtime cross-check
#      (dump after every operation), every seed and regression input
#      replayed, the workflows' lint and the ClusterFuzzLite build;
#   2. the same suite under ASan + UBSan with -fno-sanitize-recover=all
#      (less the ClusterFuzzLite build, which brings its own flags);
#   3. coverage (ci/coverage.sh): the suite and the corpus replay under
#      clang source-based coverage; fails when core/'s line or branch
#      coverage drops below ci/coverage-threshold.txt, and lists every
#      uncovered line and the rare-path markers the corpus never reaches;
#   4. fuzz (ci/fuzz-gate.sh): the `fuzz` preset's libFuzzer targets, each
#      fuzzed briefly from its seeds, stopping at the first crash; a crash,
#      hang, OOM or sanitizer report fails the gate and its minimized
#      reproducer and text trace are printed and kept in gate-artifacts/;
#   5. fuzz with Go (ci/fuzz-gate.sh --go): ops, iter and faults with Go
#      1.19's runtime map in the loop (preset fuzz-go: dumps and iteration
#      orders compared at every structure check), into the same corpus;
#      then every input of that corpus, of the seeds and of the
#      regressions is cross-checked with Go after every operation
#      (ci/go-crosscheck.sh).  A difference fails the stage like a crash.
# Go 1.19 is what the port is checked against (stage 5, and the crosscheck
# tests of stages 1 and 2).  Without it the gate fails, unless told --no-go:
# then stage 5 is skipped and CTest reports the crosscheck tests as skipped.
# Every stage runs even when an earlier one failed (a broken build skips
# its tests), so one CI run shows everything; the exit status is 1 if any
# stage failed.  Failed CTest logs and the fuzz findings are kept in
# gate-artifacts/ (uploaded by .github/workflows/pr-gate.yml).
#
# Options:
#   --fuzz-seconds N  fuzzing time per target in stage 4 (default 25)
#   --go-fuzz-seconds N  fuzzing time per target in stage 5 (default 10)
#   --no-fuzz         skip stages 4 and 5
#   --no-go           run without Go 1.19: skip stage 5
#   --preflight       only check what the gate needs (packages, Go), then exit
#   --no-coverage     skip stage 3
#   --no-sanitize     skip stage 2
#   --jobs N          build and test parallelism (default: nproc)
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; }
die_usage() {
  echo "ci/test.sh: $1" >&2
  echo "accepted: --fuzz-seconds N, --go-fuzz-seconds N, --no-fuzz, --no-go, --no-coverage," \
       "--no-sanitize, --preflight, --jobs N, --help" >&2
  exit 2
}

sanitize=1 coverage=1 fuzz=1 fuzz_seconds=25 go=1 go_fuzz_seconds=10 preflight=0
jobs=$(nproc 2>/dev/null || echo 2)
while [ $# -gt 0 ]; do
  case "$1" in
    --no-sanitize) sanitize=0 ;;
    --no-fuzz) fuzz=0 ;;
    --no-coverage) coverage=0 ;;
    --no-go) go=0 ;;
    --preflight) preflight=1 ;;
    --fuzz-seconds)
      [[ "${2-}" =~ ^[0-9]+$ ]] || die_usage "--fuzz-seconds needs a whole number of seconds, got '${2-}'"
      fuzz_seconds=$2; shift ;;
    --go-fuzz-seconds)
      [[ "${2-}" =~ ^[0-9]+$ ]] || die_usage "--go-fuzz-seconds needs a whole number of seconds, got '${2-}'"
      go_fuzz_seconds=$2; shift ;;
    --jobs)
      [[ "${2-}" =~ ^[1-9][0-9]*$ ]] || die_usage "--jobs needs a positive number, got '${2-}'"
      jobs=$2; shift ;;
    -h|--help) usage; exit 0 ;;
    *) die_usage "unknown option '$1'" ;;
  esac
  shift
done

./ci/install-deps.sh

# Why `go` (what CMake finds) is not Go 1.19, or nothing when it is.
go_missing() {
  local v
  command -v go >/dev/null 2>&1 || { echo "no Go toolchain (no 'go' in PATH)"; return; }
  v=$(go version 2>/dev/null) || { echo "'go version' failed"; return; }
  [[ "$v" =~ go1\.19([^0-9]|$) ]] || echo "'go' is '$v', not Go 1.19"
}
why=$(go_missing)
if [ -n "$why" ] && [ "$go" = 1 ]; then
  echo "ci/test.sh: $why." >&2
  echo "ci/test.sh: the gate checks the port against Go 1.19's runtime map; install it" \
       "(ci/install-deps.sh, Debian package golang-go), or pass --no-go to run without" \
       "it (the cross-check tests are then reported as skipped)" >&2
  exit 1
fi
if [ "$go" = 0 ]; then
  echo "ci/test.sh: --no-go: no fuzzing with Go in the loop${why:+ ($why)}; CTest reports" \
       "the cross-check tests as skipped where Go is missing"
fi
if [ "$preflight" = 1 ]; then
  echo "ci/test.sh: preflight passed"
  exit 0
fi

artifacts=gate-artifacts
rm -rf "$artifacts"
mkdir -p "$artifacts"
gate_start=$(date +%s)
results=()
failed=0
record() { # STAGE STATUS SECONDS
  results+=("$(printf '%-22s %-6s %5ss' "$1" "$2" "$3")")
  [ "$2" = ok ] || failed=1
}

# stage NAME COMMAND...: runs it, records ok/FAIL and its time
stage() {
  local name=$1 start rc
  shift
  start=$(date +%s)
  set +e
  "$@"
  rc=$?
  set -e
  if [ "$rc" = 0 ]; then
    record "$name" ok $(( $(date +%s) - start ))
  else
    record "$name" FAIL $(( $(date +%s) - start ))
  fi
  return "$rc"
}

build_preset() {
  echo "== configure + build ($1)"
  cmake --preset "$1" >/dev/null && cmake --build --preset "$1" -j "$jobs"
}

# CTest's output with each failed test's output cut to its first 30 lines.
cap_test_output() { # PRESET
  awk -v keep=30 -v logfile="$artifacts/ctest-$1/LastTest.log" '
    function flush() {
      if (cut) printf "      [... %d more lines: %s]\n", cut, logfile
      cut = 0
    }
    /^ *[0-9]+\/[0-9]+ Test +#[0-9]+:/ { flush(); print; n = 0; fflush(); next }
    /^ +Start +[0-9]+:/ || tail { print; fflush(); next }
    /^([0-9]+% tests passed|The following tests|Label Time Summary|Total Test time)/ {
      flush(); tail = 1; print; fflush(); next
    }
    { if (++n <= keep) { print; fflush() } else cut++ }
    END { flush() }'
}

test_preset() { # PRESET [ctest args...]
  local preset=$1 dir
  shift
  echo "== ctest ($preset)"
  case "$preset" in dev) dir=build ;; *) dir=build-$preset ;; esac
  # A broken core fails hundreds of tests, some with thousands of lines
  # each: the first lines of each failed test's output name the check, the
  # whole logs go to the artifacts.
  if ctest --preset "$preset" -j "$jobs" "$@" | cap_test_output "$preset"; then
    return 0
  fi
  # keep what CTest wrote about the failures
  mkdir -p "$artifacts/ctest-$preset"
  cp "$dir"/Testing/Temporary/LastTest*.log "$artifacts/ctest-$preset/" 2>/dev/null || true
  return 1
}

run_suite() { # PRESET [ctest args...]
  local preset=$1
  if stage "build ($preset)" build_preset "$preset"; then
    stage "ctest ($preset)" test_preset "$@" || true
  fi
}

run_suite dev
if [ "$sanitize" = 1 ]; then
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  # finding-path builds broken cores of its own, the same whatever the
  # preset: once, in dev, is enough (67 s of the ci suite's 154)
  run_suite ci -LE 'clusterfuzzlite|finding-path'
fi
if [ "$coverage" = 1 ]; then
  stage "coverage" ./ci/coverage.sh --jobs "$jobs" || true
fi
if [ "$fuzz" = 1 ]; then
  stage "fuzz (${fuzz_seconds}s/target)" ./ci/fuzz-gate.sh --fuzz-seconds "$fuzz_seconds" \
    --jobs "$jobs" --artifacts "$artifacts/fuzz" || true
  if [ "$go" = 1 ]; then
    stage "fuzz with Go (${go_fuzz_seconds}s/target)" ./ci/fuzz-gate.sh --go \
      --fuzz-seconds "$go_fuzz_seconds" --jobs "$jobs" --artifacts "$artifacts/fuzz-go" || true
  fi
fi

echo
echo "== gate summary ($(( $(date +%s) - gate_start ))s)"
printf '  %s\n' "${results[@]}"
if [ "$failed" = 0 ]; then
  echo "ci/test.sh: all stages passed"
else
  echo "ci/test.sh: FAILED; logs and reproducers in $artifacts/" >&2
  exit 1
fi
