#!/usr/bin/env bash
# The fuzz stage of the PR gate (ci/test.sh runs it last; it also runs on
# its own).  For every libFuzzer target of the `fuzz` preset (ASan + UBSan,
# -fno-sanitize-recover=all): a short code-change fuzz that starts from the
# seed corpus the build compiled (build-fuzz/corpus/seeds/<t>/) plus the
# gate's own corpus from earlier runs, with the target's dictionary and
# .options, and stops at the first crash (libFuzzer's default).
#
# Every run has libFuzzer's own limits (-max_total_time, -timeout,
# -rss_limit_mb) and an external `timeout` around it.  A crash, a hang, an
# OOM, a leak, a sanitizer report or any non-zero exit fails the gate: the
# input is triaged (ci/triage.sh: confirmed, minimized, named by the check
# that failed), and the minimized reproducer and its text trace are printed
# and kept under the artifact directory.  Like ClusterFuzzLite's code-change
# mode, the stage stops at the first failing target.
#
# With --go it fuzzes the `fuzz-go` preset's targets instead (ops, iter and
# faults, with Go 1.19's runtime map in the loop: oracle/go_oracle.h), into
# the same corpus, and then cross-checks every input of that corpus, of the
# seeds and of the regressions with Go after every operation
# (ci/go-crosscheck.sh); a difference fails the stage like a crash.
#
# Usage: ci/fuzz-gate.sh [--fuzz-seconds N] [--target T]... [--jobs N]
#                        [--timeout S] [--rss-limit-mb N] [--corpus DIR]
#                        [--artifacts DIR] [--no-build] [--go]
#   --fuzz-seconds N  fuzzing time per target (default 25; 0 = only run the
#                     seed and gate corpora once, no mutation)
#   --target T        fuzz only T (repeatable; default: every fuzz_<t>)
#   --timeout S       libFuzzer -timeout, one input (default 10)
#   --rss-limit-mb N  libFuzzer -rss_limit_mb and -malloc_limit_mb (2048)
#   --corpus DIR      where the gate keeps what it finds, DIR/<t>/ (default
#                     build-fuzz/gate-corpus; the workflow caches it)
#   --artifacts DIR   logs, crashes, triage (default gate-artifacts/fuzz,
#                     gate-artifacts/fuzz-go with --go; emptied first)
#   --no-build        use build-fuzz/ (build-fuzz-go/) as it is
#   --go              Go's runtime map in the loop, then the corpus
#                     cross-check (preset fuzz-go, build-fuzz-go/)
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { sed -n '/^# Usage:/,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; }
die_usage() {
  echo "ci/fuzz-gate.sh: $1" >&2
  echo "accepted: --fuzz-seconds N, --target T, --jobs N, --timeout S," \
       "--rss-limit-mb N, --corpus DIR, --artifacts DIR, --no-build, --go, --help" >&2
  exit 2
}
need_count() { # FLAG VALUE: a non-negative integer
  [[ "${2-}" =~ ^[0-9]+$ ]] || die_usage "$1 needs a whole number of ${3:-seconds}, got '${2-}'"
}

seconds=25 unit_timeout=10 rss_mb=2048 build=1 go=0
jobs=$(nproc 2>/dev/null || echo 2)
corpus_root=""
artifacts=""
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --fuzz-seconds) need_count "$1" "${2-}"; seconds=$2; shift ;;
    --timeout) need_count "$1" "${2-}"; unit_timeout=$2; shift ;;
    --rss-limit-mb) need_count "$1" "${2-}" megabytes; rss_mb=$2; shift ;;
    --jobs) need_count "$1" "${2-}" jobs; jobs=$2; shift ;;
    --target) [ -n "${2-}" ] || die_usage "--target needs a name (ops, iter, ...)"
              targets+=("$2"); shift ;;
    --corpus) [ -n "${2-}" ] || die_usage "--corpus needs a directory"; corpus_root=$2; shift ;;
    --artifacts) [ -n "${2-}" ] || die_usage "--artifacts needs a directory"; artifacts=$2; shift ;;
    --no-build) build=0 ;;
    --go) go=1 ;;
    -h|--help) usage; exit 0 ;;
    *) die_usage "unknown option '$1'" ;;
  esac
  shift
done
[ "$unit_timeout" -gt 0 ] || die_usage "--timeout must be at least 1"
[ "$jobs" -gt 0 ] || die_usage "--jobs must be at least 1"
preset=fuzz build_dir=build-fuzz
if [ "$go" = 1 ]; then
  preset=fuzz-go build_dir=build-fuzz-go
  # the targets that run programs; the trace target only parses text
  [ ${#targets[@]} -gt 0 ] || targets=(ops iter faults)
  # a Go finding is minimized with the gomap that has Go in the loop
  export GOMAP_CLI=$PWD/$build_dir/gomap
fi
corpus_root=${corpus_root:-build-fuzz/gate-corpus}
artifacts=${artifacts:-gate-artifacts/$preset}

if [ "$build" = 1 ]; then
  echo "== configure + build ($preset)"
  cmake --preset "$preset" >/dev/null
  if [ "$go" = 1 ]; then
    build_targets=(gomap_cli)
    for t in "${targets[@]}"; do build_targets+=("fuzz_$t" "fuzz_${t}_replay" "seeds_$t"); done
    cmake --build --preset "$preset" -j "$jobs" --target "${build_targets[@]}"
  else
    cmake --build --preset "$preset" -j "$jobs"
  fi
fi

# Every target the build made: fuzz_<t> (not the _replay or _afl drivers).
if [ ${#targets[@]} -eq 0 ]; then
  for bin in "$build_dir"/fuzz_*; do
    t=${bin##*/fuzz_}
    case "$t" in *_replay|*_afl|*.*) continue ;; esac
    [ -x "$bin" ] && targets+=("$t")
  done
fi
[ ${#targets[@]} -gt 0 ] || { echo "ci/fuzz-gate.sh: no fuzz_<t> in $build_dir" >&2; exit 1; }
for t in "${targets[@]}"; do
  [ -x "$build_dir/fuzz_$t" ] || die_usage "no target '$t' (built: $(ls "$build_dir" | sed -n 's/^fuzz_\([a-z0-9]*\)$/\1/p' | tr '\n' ' '))"
done

rm -rf "$artifacts"
mkdir -p "$artifacts"
artifacts=$(cd "$artifacts" && pwd)
summary=$artifacts/summary.txt

# [libfuzzer] key = value lines of an OSS-Fuzz .options file as -key=value
# flags, the way OSS-Fuzz's runner applies them.  A relative dict= names a
# file in $OUT, where build.sh puts the dictionaries; here they are in
# corpus/dict/.
options_flags() {
  local file=$1 dir=corpus/dict
  awk -v dir="$dir" '
    /^[ \t]*\[/ { sec = $0; gsub(/[][ \t]/, "", sec); next }
    sec == "libfuzzer" && /=/ {
      k = $0; sub(/=.*/, "", k); gsub(/[ \t]/, "", k)
      v = $0; sub(/^[^=]*=[ \t]*/, "", v); sub(/[ \t\r]*$/, "", v)
      if (k == "") next
      if (k == "dict" && v !~ /^\//) v = dir "/" v
      print "-" k "=" v
    }' "$file"
}

# What went wrong, from libFuzzer's exit status and its log.
classify() {
  local rc=$1 log=$2
  case "$rc" in
    124|137) echo "hang: still running ${ext_limit}s after start (external timeout)" ;;
    70) echo "timeout: one input ran longer than ${unit_timeout}s" ;;
    71) echo "out of memory: over ${rss_mb} MB" ;;
    72) echo "interrupted" ;;
    *)
      if grep -q "environment failure, not a finding" "$log"; then
        echo "environment failure, not a finding (exit $rc): out of memory or I/O"
      elif grep -q "runtime error:" "$log"; then echo "UBSan report (exit $rc)"
      elif grep -q "ERROR: LeakSanitizer" "$log"; then echo "memory leak (exit $rc)"
      elif grep -q "ERROR: AddressSanitizer" "$log"; then echo "ASan report (exit $rc)"
      elif grep -q "out-of-memory" "$log"; then echo "out of memory (exit $rc)"
      elif grep -qE "^<input>:[0-9]+: go\.[a-z]+: " "$log"; then echo "the port and Go's runtime map differ (exit $rc)"
      elif grep -q "==== gomap fuzz failure" "$log"; then echo "core and model disagree (exit $rc)"
      elif [ "$rc" = 0 ]; then echo "sanitizer report in the log although the fuzzer exited 0"
      else echo "crash (exit $rc)"; fi ;;
  esac
}

# Prints and keeps the reproducer.  ci/triage.sh confirms the input with
# the replay driver, names it by the check that failed, minimizes it (the
# engine's minimizer, then `gomap minimize` over operations) and writes
# DIR/triage/<check-id>-<hash>/{minimized.bin,minimized.trace,verdict.txt,
# replay.sh}, and the gate prints the `ci/triage.sh --save` command that
# commits it as a regression.  If it cannot (it is missing, or gives up), libFuzzer's
# -minimize_crash shrinks the bytes and the replay driver prints the
# verdict and the program as a trace.
report_reproducer() {
  local t=$1 input=$2 dir=$artifacts/$t
  echo
  echo "---- reproducer for fuzz_$t: $input ($(wc -c <"$input") bytes)"
  if [ -x ci/triage.sh ]; then
    echo "---- ci/triage.sh $t $input $dir/triage"
    if TRIAGE_MIN_TIME=${TRIAGE_MIN_TIME:-20} GOMAP_FUZZ_BUILD=$build_dir \
         timeout -k 10 420 ci/triage.sh "$t" "$input" "$dir/triage" >"$dir/triage.log" 2>&1; then
      local found=0 case_dir
      for case_dir in "$dir"/triage/*/; do
        [ -s "$case_dir/minimized.trace" ] || continue
        found=1
        grep -E '^(triage:|  signature:|  reproducer:|  replay:)' "$dir/triage.log" || true
        if [ -s "$case_dir/minimized.bin" ]; then
          echo "---- minimized input ($(wc -c <"$case_dir/minimized.bin") bytes): ${case_dir}minimized.bin"
          od -An -tx1 -v "$case_dir/minimized.bin" | head -n 16
        fi
        echo "---- its verdict:"
        grep -m 3 -E '^<input>:|runtime error:|ERROR: [A-Za-z]*Sanitizer' "$case_dir/verdict.txt" || true
        echo "---- minimized trace (${case_dir}minimized.trace; build/gomap replay FILE):"
        cat "$case_dir/minimized.trace"
        echo "----"
        echo "---- to commit it as a regression (its expected output from Go 1.19's runtime map):"
        echo "     ci/triage.sh --save ${case_dir%/}"
      done
      [ "$found" = 1 ] && return
    fi
    echo "---- ci/triage.sh gave no minimized trace; the end of its log:"
    tail -n 30 "$dir/triage.log"
  fi
  local min=$dir/minimized-$(basename "$input")
  if timeout -k 5 120 "$build_dir/fuzz_$t" -minimize_crash=1 -max_total_time=60 \
       -timeout="$unit_timeout" -exact_artifact_path="$min" "$input" \
       >"$dir/minimize.log" 2>&1 && [ -s "$min" ]; then
    echo "---- minimized by libFuzzer: $min ($(wc -c <"$min") bytes)"
  else
    min=$input
  fi
  od -An -tx1 -v "$min" | head -n 16
  echo "---- $build_dir/fuzz_${t}_replay $min (verdict and program as a trace):"
  (timeout -k 5 60 "$build_dir/fuzz_${t}_replay" "$min" >"$dir/replay.log" 2>&1) 2>/dev/null || true
  sed -n '/==== gomap fuzz failure/,/^====$/p' "$dir/replay.log" | tee "$dir/minimized.trace.txt"
  [ -s "$dir/minimized.trace.txt" ] || tail -n 40 "$dir/replay.log"
}

# shellcheck source=ci/lib/sanitizer_options.sh
. "$(dirname "$0")/lib/sanitizer_options.sh"
sanitizer_options_export symbolize=1
ext_limit=$((seconds + 60 + seconds / 2))
status=0
printf '%-8s %-8s %10s %8s %8s  %s\n' target seconds runs cov corpus verdict | tee "$summary"
for t in "${targets[@]}"; do
  bin=$build_dir/fuzz_$t
  dir=$artifacts/$t
  log=$dir/fuzz.log
  mkdir -p "$dir" "$corpus_root/$t"
  args=()
  [ -f "corpus/options/$t.options" ] && mapfile -t -O 0 args < <(options_flags "corpus/options/$t.options")
  if [ -f "corpus/dict/$t.dict" ] && ! printf '%s\n' "${args[@]}" | grep -q '^-dict='; then
    args+=("-dict=corpus/dict/$t.dict")
  fi
  if [ "$seconds" = 0 ]; then args+=(-runs=0); else args+=(-max_total_time="$seconds"); fi
  args+=(-timeout="$unit_timeout" -rss_limit_mb="$rss_mb" -malloc_limit_mb="$rss_mb"
         -artifact_prefix="$dir/" -print_final_stats=1 -error_exitcode=77 -timeout_exitcode=70)
  # new inputs go to the first directory; the seeds are only read
  dirs=("$corpus_root/$t")
  seeds=$build_dir/corpus/seeds/$t
  [ -d "$seeds" ] && dirs+=("$seeds")
  echo "== fuzz_$t: ${seconds}s; $(printf '%s ' "${args[@]}")${dirs[*]}" | tee "$log.cmd"
  [ -d "$seeds" ] || echo "   (no seed corpus in $seeds: starting from the gate corpus alone)"
  start=$(date +%s)
  set +e
  timeout -k 10 "$ext_limit" "$bin" "${args[@]}" "${dirs[@]}" >"$log" 2>&1
  rc=$?
  set -e
  took=$(( $(date +%s) - start ))
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  # (a crash while loading the corpus leaves no cov: line)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2 || true)
  units=$(find "$corpus_root/$t" -type f | wc -l)
  if [ "$rc" = 0 ] && ! grep -qE "runtime error:|ERROR: (Address|Leak|UndefinedBehavior)Sanitizer" "$log"; then
    printf '%-8s %-8s %10s %8s %8s  %s\n' "$t" "$took" "${runs:-?}" "${cov:-?}" "$units" ok | tee -a "$summary"
    continue
  fi
  why=$(classify "$rc" "$log")
  printf '%-8s %-8s %10s %8s %8s  FAIL: %s\n' "$t" "$took" "${runs:-?}" "${cov:-?}" "$units" "$why" | tee -a "$summary"
  echo
  echo "---- $log (without progress lines, the input's raw bytes and the printed program):"
  grep -vE '^(#[0-9]|0x[0-9a-f]+,|Base64: )' "$log" | grep -v '^\\[0-7]' \
    | sed '/^==== the program as a trace/,/^====$/d' | tail -n 60
  input=$(ls -t "$dir"/crash-* "$dir"/timeout-* "$dir"/oom-* "$dir"/leak-* 2>/dev/null | head -n 1 || true)
  if [ -n "$input" ]; then
    report_reproducer "$t" "$input"
  else
    echo "---- no input was saved (the fuzzer died outside one input); see $log"
  fi
  status=1
  break
done

if [ "$status" = 0 ] && [ "$go" = 1 ]; then
  echo
  echo "== every input of the corpus, the seeds and the regressions against Go's runtime map"
  crosscheck=(--build "$build_dir")
  for t in "${targets[@]}"; do crosscheck+=(--corpus "$t=$corpus_root/$t"); done
  ./ci/go-crosscheck.sh "${crosscheck[@]}" 2>&1 | tee "$artifacts/go-crosscheck.log"
  [ "${PIPESTATUS[0]}" = 0 ] || status=1
fi

echo
if [ "$status" = 0 ]; then
  echo "fuzz gate: passed (${#targets[@]} targets, ${seconds}s each; corpus in $corpus_root)"
else
  echo "fuzz gate: FAILED; reproducer, logs and triage kept in $artifacts/" >&2
fi
exit "$status"
