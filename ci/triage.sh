#!/usr/bin/env bash
# ci/triage.sh TARGET CRASH_FILE OUT_DIR
#
# Turns one crash, hang or OOM file that a fuzzer saved into a readable,
# minimal, de-duplicated reproducer.  Used by ci/campaign.sh for every
# finding and by the CI gate.
#
#   1. replay CRASH_FILE with the plain replay driver (build-fuzz's, so
#      with ASan + UBSan) under a timeout; no failure: recorded as flaky;
#   2. name it: the verdict's check id (content.missing, invariant.I4, ...),
#      else the sanitizer's kind (asan.heap-buffer-overflow, ubsan.FILE-LINE,
#      leak), oom, timeout, or crash.signal-N;
#   3. de-duplicate: OUT_DIR/<id>/ exists already -> listed in its
#      duplicates.txt, nothing else done;
#   4. minimize with the engine that found it (libFuzzer -minimize_crash=1,
#      or afl-tmin for files under an AFL output dir), kept only if it still
#      fails with the same id; then `gomap minimize` (ops removed while the
#      check id stays the same) into a text trace, and the bytes re-encoded
#      from it;
#   5. write OUT_DIR/<id>/{input.bin,minimized.bin,minimized.trace,
#      verdict.txt,replay.sh}, copy the trace to
#      corpus/regressions/candidates/<target>-<id>.trace and print the
#      one-line command that replays it.
#
# Exit 0: a reproducible finding (new or duplicate); 1: it did not
# reproduce (flaky); 2: usage or setup error; 3: the replay ran out of
# memory or I/O failed (an environment failure, not a finding).  The last
# line printed is
#   triage: NEW|DUPLICATE|FLAKY|ENVIRONMENT <target> <id> <dir>
#
# Environment (defaults in brackets):
#   GOMAP_FUZZ_BUILD  libFuzzer build dir [build-fuzz]
#   GOMAP_AFL_BUILD   AFL++ build dirs' prefix [build-afl]; the -asan one
#                     is preferred for afl-tmin when it exists
#   GOMAP_CLI         the gomap command [build/gomap]
#   TRIAGE_ENGINE     libfuzzer|afl [guessed from CRASH_FILE's path]
#   TRIAGE_TIMEOUT    seconds one replay may take before it is a hang [25]
#   TRIAGE_MIN_TIME   seconds for the engine's minimizer [30]
set -uo pipefail
export LC_ALL=C
. "$(dirname "$0")/lib/help.sh"
help_if_asked "$0" "$@"


usage() {
  echo "usage: ci/triage.sh TARGET CRASH_FILE OUT_DIR   (TARGET: ops, iter, faults, trace)" >&2
  exit 2
}
[ $# -eq 3 ] || usage
target=$1 file=$2 out_dir=$3
case "$target" in ops|iter|faults|trace) ;; *) usage ;; esac
[ -f "$file" ] || { echo "triage: no such file: $file" >&2; exit 2; }

root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=ci/lib/check_id.sh
. "$root/ci/lib/check_id.sh"
abspath() { case "$1" in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }
file=$(abspath "$file")
mkdir -p "$out_dir" || exit 2
out_dir=$(cd "$out_dir" && pwd)
# Paths printed for people: relative to the repository root when inside it.
rel() { case "$1" in "$root"/*) echo "${1#"$root"/}" ;; *) echo "$1" ;; esac; }

fuzz_build=$(abspath "${GOMAP_FUZZ_BUILD:-$root/build-fuzz}")
afl_build=$(abspath "${GOMAP_AFL_BUILD:-$root/build-afl}")
cli=$(abspath "${GOMAP_CLI:-$root/build/gomap}")
hang_after=${TRIAGE_TIMEOUT:-25}
min_time=${TRIAGE_MIN_TIME:-30}

replay_bin=$fuzz_build/fuzz_${target}_replay
[ -x "$replay_bin" ] || replay_bin=$root/build/fuzz_${target}_replay
[ -x "$replay_bin" ] || { echo "triage: no replay driver (build the fuzz preset)" >&2; exit 2; }
[ -x "$cli" ] || cli=$fuzz_build/gomap

engine=${TRIAGE_ENGINE:-}
if [ -z "$engine" ]; then
  case "$file" in
    */afl/*|*/crashes/id:*|*/hangs/id:*) engine=afl ;;
    *) engine=libfuzzer ;;
  esac
fi

# shellcheck source=ci/lib/sanitizer_options.sh
. "$root/ci/lib/sanitizer_options.sh"
sanitizer_options_export hard_rss_limit_mb=2560:malloc_limit_mb=2048:allocator_may_return_null=0

# replay FILE -> sets $replay_out (stdout+stderr) and $replay_rc
replay() {
  replay_out=$(timeout -k 5 "$hang_after" "$replay_bin" "$1" 2>&1)
  replay_rc=$?
}

# classify -> prints the id of the last replay, or nothing if it passed
classify() {
  if [ "$replay_rc" -eq 124 ] || [ "$replay_rc" -eq 137 ]; then
    echo timeout; return
  fi
  if [ "$replay_rc" -eq 0 ]; then
    return
  fi
  check_id_of "$replay_rc" <<<"$replay_out"
}

result() { echo "triage: $1 $target $2 $(rel "$3")"; }

# ---- 1, 2: does it reproduce, and what is it --------------------------------
replay "$file"
id=$(classify)
if [ "$replay_rc" = 3 ] && grep -q "environment failure" <<<"$replay_out"; then
  echo "triage: $(rel "$file"): the replay ran out of memory or I/O failed" \
       "(an environment failure, not a finding); run it again with more memory"
  result ENVIRONMENT - "$out_dir"
  exit 3
fi
if [ -z "$id" ]; then
  mkdir -p "$out_dir/flaky"
  cp "$file" "$out_dir/flaky/$target-$(basename "$file" | tr -c 'A-Za-z0-9._\n-' '_')"
  echo "$target $file: passed when replayed by $(rel "$replay_bin")" >>"$out_dir/flaky.txt"
  echo "triage: $(rel "$file") does not fail when replayed (flaky, or depends on state outside the input)"
  result FLAKY - "$out_dir/flaky"
  exit 1
fi
first_out=$replay_out

# ---- 3: seen before? (mkdir is the lock) ---------------------------------------
dir=$out_dir/$id
if ! mkdir "$dir" 2>/dev/null; then
  echo "$target $file" >>"$dir/duplicates.txt"
  result DUPLICATE "$id" "$dir"
  exit 0
fi
cp "$file" "$dir/input.bin"
{
  echo "id:      $id"
  echo "target:  $target"
  echo "engine:  $engine"
  echo "found:   $file"
  echo "replay:  $(rel "$replay_bin") (exit $replay_rc)"
  echo
  printf '%s\n' "$first_out"
} >"$dir/verdict.txt"

# ---- 4: minimize ------------------------------------------------------------------
cp "$file" "$dir/minimized.bin"
note() { echo "$*" | tee -a "$dir/verdict.txt" >&2; }
adopt_if_same() { # CANDIDATE WHO
  if [ ! -s "$1" ]; then
    note "triage: $2 left no result (see $(rel "$dir")/engine-min.log)"
    return 1
  fi
  replay "$1"
  local got; got=$(classify)
  if [ "$got" = "$id" ]; then
    mv "$1" "$dir/minimized.bin"
    return 0
  fi
  note "triage: $2's result fails as '${got:-nothing}', not $id: kept the input"
  rm -f "$1"
  return 1
}
case "$id" in
  timeout|oom) ;; # the engines' crash minimizers do not keep hangs or OOMs
  *)
    if [ "$engine" = afl ]; then
      tmin_bin=$afl_build-asan/fuzz_${target}_afl
      [ -x "$tmin_bin" ] || tmin_bin=$afl_build/fuzz_${target}_afl
      if command -v afl-tmin >/dev/null && [ -x "$tmin_bin" ]; then
        # AFL++'s sanitizer options with leak detection on, so a leak stays one
        # shellcheck disable=SC2046 # NAME=VALUE words without spaces
        env $(afl_sanitizer_env) AFL_NO_AFFINITY=1 \
          timeout -k 5 $((min_time * 4)) afl-tmin -i "$file" -o "$dir/engine-min.bin" \
          -m none -t 5000 -- "$tmin_bin" >"$dir/engine-min.log" 2>&1
        adopt_if_same "$dir/engine-min.bin" afl-tmin
      fi
    else
      lf_bin=$fuzz_build/fuzz_$target
      if [ -x "$lf_bin" ]; then
        (cd "$dir" && timeout -k 5 $((min_time + 30)) "$lf_bin" -minimize_crash=1 -runs=20000 \
          -max_total_time="$min_time" -exact_artifact_path="$dir/engine-min.bin" "$file" \
          >"$dir/engine-min.log" 2>&1)
        adopt_if_same "$dir/engine-min.bin" "libFuzzer -minimize_crash"
      fi
    fi ;;
esac

# The op-level reducer: a trace that fails the same check.  The trace
# target's inputs are texts already.
trace_ok=0
if [ "$target" = trace ]; then
  cp "$dir/minimized.bin" "$dir/minimized.trace"
  trace_ok=1
# (gomap minimize exits 1, the input's verdict, when it wrote the trace)
elif timeout -k 5 300 "$cli" minimize --target "$target" "$dir/minimized.bin" \
       -o "$dir/minimized.trace" --bytes-out "$dir/op-min.bin" >"$dir/minimize.log" 2>&1
     [ $? = 1 ] && [ -s "$dir/minimized.trace" ]; then
  trace_ok=1
  cat "$dir/minimize.log" >&2
  [ -f "$dir/op-min.bin" ] && adopt_if_same "$dir/op-min.bin" "gomap minimize --bytes-out"
else
  note "triage: gomap minimize did not finish (see minimize.log); the trace is the whole program"
  if "$cli" explain --target "$target" "$dir/minimized.bin" -o "$dir/minimized.trace" >/dev/null 2>&1; then
    trace_ok=1
  else
    # the target printed the program as a trace with its verdict
    replay "$dir/minimized.bin"
    sed -n '/^==== the program as a trace/,/^====$/p' <<<"$replay_out" | sed '1d;$d' >"$dir/minimized.trace"
    [ -s "$dir/minimized.trace" ] && trace_ok=1
  fi
fi
rm -f "$dir/op-min.bin"

# ---- 5: the regression candidate and its replay command -------------------------
candidate=$root/corpus/regressions/candidates/$target-$id.trace
rel_min_bin=$(rel "$dir/minimized.bin")
if [ "$trace_ok" = 1 ] && [ -s "$dir/minimized.trace" ]; then
  mkdir -p "$(dirname "$candidate")"
  cp "$dir/minimized.trace" "$candidate"
fi
# Prefer the readable trace when `gomap replay` fails on it; a finding only
# a sanitizer sees needs the sanitized replay driver and the bytes.
if [ -s "$candidate" ] && (cd "$root" && "$cli" replay --quiet "$candidate" >/dev/null 2>&1); then
  replay_cmd="$(rel "$replay_bin") $rel_min_bin"
  note "triage: gomap replay passes the trace (a sanitizer-only finding?); replay the bytes"
elif [ -s "$candidate" ]; then
  replay_cmd="$(rel "$cli") replay $(rel "$candidate")"
else
  replay_cmd="$(rel "$replay_bin") $rel_min_bin"
fi
cat >"$dir/replay.sh" <<EOF
#!/bin/sh
# $target, $id: exits non-zero while the bug is there.
cd "$root" && exec $replay_cmd
EOF
chmod +x "$dir/replay.sh"

# "# 3 of 16 operations kept", written by gomap minimize
ops=$(sed -n '2s/^# \([0-9]*\) of \([0-9]*\) operations kept$/\2 -> \1/p' "$dir/minimized.trace" 2>/dev/null)
echo "triage: new finding $id ($target, $engine)${ops:+: ops $ops}"
echo "  reproducer: $(rel "$dir")/minimized.trace"
echo "  replay:     $replay_cmd"
result NEW "$id" "$dir"
exit 0
