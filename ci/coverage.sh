#!/usr/bin/env bash
# Source-based coverage of core/, oracle/, program/, fuzz/ and cli/ (clang
# -fprofile-instr-generate -fcoverage-mapping) and its gate, per folder.  ci/README.md, "Coverage", says more.
#
#   1. configure + build the `coverage` preset (build-coverage/);
#   2. run the whole CTest suite (less label `slow`), every process writing
#      its raw profile into OUT/profiles/suite/;
#   3. replay every corpus input on its own into OUT/profiles/corpus/: the
#      conformance, regression and seed traces (gomap replay), the seed
#      corpora the build compiled (BUILD/corpus/seeds/TARGET/, through
#      fuzz_TARGET_replay), binary regression inputs
#      (corpus/regressions/TARGET/) and each --corpus directory;
#   4. merge both with llvm-profdata, and with llvm-cov write the per-file
#      summary (OUT/summary.txt), the list of every uncovered line and branch
#      of those folders (OUT/uncovered-lines.txt, uncovered-branches.txt),
#      which rare-path markers (`coverage-marker: NAME` comments) the
#      corpus replay alone reaches (OUT/markers.txt) and, with --html, the
#      HTML report (OUT/html/index.html);
#   5. the gate: exit 1 when a figure is below ci/coverage-threshold.txt.
#
# Options:
#   --out DIR             where reports and profiles go (BUILD/coverage)
#   --no-build            use the existing build as it is
#   --build-dir DIR       the coverage build (build-coverage)
#   --corpus [TARGET=]DIR more corpus to replay (repeatable): with TARGET,
#                         DIR's files are fuzz_TARGET inputs; without, DIR's
#                         subdirectories named after a target (or DIR itself,
#                         if so named) are.  A target directory in
#                         ci/campaign.sh's layout contributes its
#                         {libfuzzer,libfuzzer-go}/corpus and
#                         {afl,afl-go}/sync/*/queue only, so
#                         `--corpus campaign` replays a whole campaign
#   --threshold-file F    the gate's figures (ci/coverage-threshold.txt)
#   --html                also write the HTML report
#   --jobs N              build and test parallelism (nproc)
# Exit status: 0 all good; 1 below a threshold or a test failed; 2 usage or
# tool error.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
cd "$src"

build=$src/build-coverage
out=
do_build=1
html=0
threshold=$src/ci/coverage-threshold.txt
jobs=$(nproc 2>/dev/null || echo 2)
corpora=()
needs_value() {
  [ $# -ge 2 ] || { echo "ci/coverage.sh: $1 needs a value (see --help)" >&2; exit 2; }
}
while [ $# -gt 0 ]; do
  case "$1" in
    --out|--build-dir|--corpus|--threshold-file|--jobs) needs_value "$@" ;;
  esac
  case "$1" in
    --out) out=$2; shift ;;
    --no-build) do_build=0 ;;
    --build-dir) build=$2; shift ;;
    --corpus) corpora+=("$2"); shift ;;
    --threshold-file) threshold=$2; shift ;;
    --html) html=1 ;;
    --jobs) jobs=$2; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "ci/coverage.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
abspath() { case $1 in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }
build=$(abspath "$build")
out=$(abspath "${out:-$build/coverage}")
threshold=$(abspath "$threshold")
[ -f "$threshold" ] || { echo "ci/coverage.sh: no threshold file $threshold" >&2; exit 2; }
# its format, checked now rather than after the runs
if bad=$(sed 's/#.*//' "$threshold" | grep -nvE '^[[:space:]]*$|^[[:space:]]*[^[:space:]]+[[:space:]]+(lines|branches)[[:space:]]+[0-9]+(\.[0-9]+)?[[:space:]]*$'); then
  echo "ci/coverage.sh: $threshold: want 'SCOPE lines|branches PERCENT' lines, got:" >&2
  echo "$bad" | sed 's/^/  line /' >&2
  exit 2
fi

# shellcheck source=ci/lib/llvm_tools.sh
. "$src/ci/lib/llvm_tools.sh"
find_tool() { find_llvm_tool "$1" || { echo "ci/coverage.sh: cannot measure without it" >&2; exit 2; }; }
profdata=$(find_tool llvm-profdata)
llvmcov=$(find_tool llvm-cov)
start=$(date +%s)

if [ "$do_build" = 1 ]; then
  echo "== configure + build (coverage preset, $build)"
  if [ "$build" = "$src/build-coverage" ]; then
    cmake --preset coverage >/dev/null
  else
    cmake -S "$src" -B "$build" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug \
      -DGOMAP_COVERAGE=ON -DGOMAP_BUILD_BENCH=OFF >/dev/null
  fi
  cmake --build "$build" -j "$jobs"
fi
grep -q '^GOMAP_COVERAGE:BOOL=ON' "$build/CMakeCache.txt" 2>/dev/null || {
  echo "ci/coverage.sh: $build is not a GOMAP_COVERAGE=ON build" >&2; exit 2; }

prof=$out/profiles
rm -rf "$prof"
mkdir -p "$prof/suite" "$prof/corpus"

# Tests labelled `slow` are left out: they rebuild the project their own
# way (the ClusterFuzzLite build, the finding path's broken cores), so they
# add minutes and no coverage of this build's executables.
echo "== ctest, less label slow (every process writes $prof/suite/%p-%m.profraw)"
suite_ok=1
(cd "$build" && LLVM_PROFILE_FILE="$prof/suite/%p-%m.profraw" \
  ctest -j "$jobs" -LE slow --output-on-failure >"$out/ctest.log" 2>&1) || suite_ok=0
grep -E 'tests passed|tests failed' "$out/ctest.log" | sed 's/^/  /' || tail -n 5 "$out/ctest.log"
[ "$suite_ok" = 1 ] || { echo "ci/coverage.sh: test failures, see $out/ctest.log:";
  grep -E '^\s+[0-9]+ - ' "$out/ctest.log" || true; }

echo "== corpus replay (its own profile, $prof/corpus)"
export LLVM_PROFILE_FILE="$prof/corpus/%p-%m.profraw"
targets=()
for exe in "$build"/fuzz_*_replay; do
  [ -x "$exe" ] || continue
  t=${exe##*/fuzz_}
  targets+=("${t%_replay}")
done
is_target() { local t; for t in "${targets[@]}"; do [ "$t" = "$1" ] && return 0; done; return 1; }
replayed=0
# replay_dir TARGET DIR: a target's corpus directory, or its directory of
# a campaign (ci/campaign.sh's layout): the libFuzzer corpus and each AFL++
# instance's queue, not the logs, stats and findings beside them
replay_dir() {
  local q found=0
  for q in "$2"/libfuzzer/corpus "$2"/libfuzzer-go/corpus; do
    if [ -d "$q" ]; then replay "$1" "$q"; found=1; fi
  done
  for q in "$2"/afl/sync/*/queue "$2"/afl-go/sync/*/queue; do
    if [ -d "$q" ]; then replay "$1" "$q"; found=1; fi
  done
  [ "$found" = 1 ] || replay "$1" "$2"
}
# replay TARGET PATH: every file under PATH through fuzz_TARGET_replay
replay() {
  local n
  n=$(find "$2" -name '.*' -prune -o -type f -print | wc -l)
  [ "$n" -gt 0 ] || return 0
  if ! "$build/fuzz_$1_replay" "$2" >/dev/null 2>>"$out/corpus-replay.log"; then
    echo "  warning: fuzz_$1_replay $2 failed (a crashing input loses its process's profile); see $out/corpus-replay.log"
  fi
  echo "  $1: $n inputs from ${2#"$src"/}"
  replayed=$((replayed + n))
}
: >"$out/corpus-replay.log"
traces=()
for t in corpus/conformance/*.trace corpus/regressions/*.trace corpus/seeds/*/*.trace; do
  [ -f "$t" ] && traces+=("$t")
done
if [ ${#traces[@]} -gt 0 ]; then
  # status 1/2 is expected of the traces that test failures and malformed
  # input; ctest has judged every trace already
  "$build/gomap" replay --quiet "${traces[@]}" >/dev/null 2>>"$out/corpus-replay.log" || true
  echo "  traces: ${#traces[@]} (corpus/conformance, corpus/regressions, corpus/seeds)"
  replayed=$((replayed + ${#traces[@]}))
fi
for t in "${targets[@]}"; do
  [ -d "$build/corpus/seeds/$t" ] && replay "$t" "$build/corpus/seeds/$t"
  [ -d "$src/corpus/regressions/$t" ] && replay "$t" "$src/corpus/regressions/$t"
done
for spec in "${corpora[@]}"; do
  if [[ "$spec" == *=* ]]; then
    t=${spec%%=*} dir=${spec#*=}
    is_target "$t" || { echo "ci/coverage.sh: --corpus $spec: no target '$t'" >&2; exit 2; }
    [ -d "$dir" ] || { echo "ci/coverage.sh: --corpus $spec: no directory" >&2; exit 2; }
    replay_dir "$t" "$(abspath "$dir")"
    continue
  fi
  [ -d "$spec" ] || { echo "ci/coverage.sh: --corpus $spec: no directory" >&2; exit 2; }
  dir=$(abspath "$spec") found=0
  if is_target "$(basename "$dir")"; then
    replay_dir "$(basename "$dir")" "$dir"; found=1
  else
    for t in "${targets[@]}"; do
      [ -d "$dir/$t" ] && { replay_dir "$t" "$dir/$t"; found=1; }
    done
  fi
  [ "$found" = 1 ] || echo "  warning: --corpus $spec: no subdirectory named after a target (${targets[*]}); use TARGET=DIR"
done
unset LLVM_PROFILE_FILE
echo "  $replayed corpus inputs replayed"

echo "== merge + report"
shopt -s nullglob
suite_raw=("$prof"/suite/*.profraw)
corpus_raw=("$prof"/corpus/*.profraw)
shopt -u nullglob
[ ${#suite_raw[@]} -gt 0 ] || { echo "ci/coverage.sh: no raw profiles written" >&2; exit 2; }
"$profdata" merge -sparse -o "$prof/all.profdata" "${suite_raw[@]}" "${corpus_raw[@]}"
corpus_args=()
if [ ${#corpus_raw[@]} -gt 0 ]; then
  "$profdata" merge -sparse -o "$prof/corpus.profdata" "${corpus_raw[@]}"
fi

# Every instrumented executable of the build: the core is a static library,
# and each executable links only the parts it calls.
objects=()
while IFS= read -r f; do
  grep -q __llvm_covmap "$f" 2>/dev/null && objects+=("$f")
done < <(find "$build" -type f -perm -u+x ! -path '*/CMakeFiles/*' ! -path "$out/*" | sort)
[ ${#objects[@]} -gt 0 ] || { echo "ci/coverage.sh: no instrumented executable in $build" >&2; exit 2; }
objargs=("${objects[0]}")
for o in "${objects[@]:1}"; do objargs+=(-object "$o"); done
# llvm-cov warns about functions of one name whose bodies differ between
# executables (the main()s); the core is one library, the same in all
cov() { "$llvmcov" "$@" 2> >(grep -v 'functions have mismatched data' >&2); }

# The gated folders: the map, the oracle, the program and trace language,
# the fuzz harness and the gomap command.
scopes=(core oracle program fuzz cli)
scope_paths=() scope_args=()
for d in "${scopes[@]}"; do scope_paths+=("$src/$d"); scope_args+=(--scope "$d"); done
cov report -instr-profile="$prof/all.profdata" "${objargs[@]}" "${scope_paths[@]}" >"$out/summary.txt"
cov report -instr-profile="$prof/all.profdata" "${objargs[@]}" \
  -ignore-filename-regex='^/usr/' >"$out/summary-all.txt"
cov export -format=lcov -instr-profile="$prof/all.profdata" "${objargs[@]}" "${scope_paths[@]}" >"$prof/all.lcov"
cov export -format=text -instr-profile="$prof/all.profdata" "${objargs[@]}" "${scope_paths[@]}" >"$prof/all.json"
if [ -f "$prof/corpus.profdata" ]; then
  cov export -format=lcov -instr-profile="$prof/corpus.profdata" "${objargs[@]}" "${scope_paths[@]}" >"$prof/corpus.lcov"
  corpus_args=(--corpus-lcov "$prof/corpus.lcov")
fi
if [ "$html" = 1 ]; then
  rm -rf "$out/html"
  cov show -format=html -output-dir="$out/html" -show-branches=count \
    -instr-profile="$prof/all.profdata" "${objargs[@]}" -ignore-filename-regex='^/usr/'
fi

echo "llvm-cov report, ${scopes[*]} (each header counted by its best single copy; $out/summary.txt):"
sed 's/^/  /' "$out/summary.txt"
echo
gate=0
python3 "$src/ci/coverage_report.py" --root "$src" --out "$out" "${scope_args[@]}" \
  --lcov "$prof/all.lcov" --json "$prof/all.json" "${corpus_args[@]}" \
  --threshold "$threshold" || gate=$?

echo
reports="summary.txt summary-all.txt uncovered-lines.txt uncovered-branches.txt markers.txt"
[ "$html" = 1 ] && reports="$reports html/index.html"
echo "reports in $out: $reports"
echo "ci/coverage.sh: $(( $(date +%s) - start )) s"
if [ "$gate" -gt 1 ]; then
  exit 2
fi
if [ "$suite_ok" = 0 ]; then
  echo "ci/coverage.sh: FAILED: the test suite failed (figures above are from that run)"
  exit 1
fi
if [ "$gate" = 1 ]; then
  echo "ci/coverage.sh: FAILED: coverage below $threshold"
  exit 1
fi
echo "ci/coverage.sh: coverage gate passed"
