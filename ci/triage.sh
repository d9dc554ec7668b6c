#!/usr/bin/env bash
# ci/triage.sh TARGET CRASH_FILE OUT_DIR
# ci/triage.sh --save BUCKET_DIR [NAME]
#
# Turns one crash, hang or OOM file that a fuzzer saved into a readable,
# minimal reproducer, filed in a bucket of findings that are the same bug.
# Used by ci/campaign.sh for every finding and by the CI gate.
#
#   1. replay CRASH_FILE with the plain replay driver (build-fuzz's, so
#      with ASan + UBSan) under a timeout; no failure: recorded as flaky;
#   2. name it: the verdict's check id (content.missing, invariant.I4, ...),
#      else the sanitizer's kind (asan.heap-buffer-overflow, ubsan.FILE-LINE,
#      leak), oom, timeout, or crash.signal-N;
#   3. sign it: the verdict's `signature:` line (check id, operation, entry
#      point, reenter, map phase, key kind: oracle/verdict.h), or for a
#      sanitizer report the id and its first 3 stack frames inside core/
#      (function and file), else the id alone.  The bucket is
#      OUT_DIR/<id>-<first 8 hex digits of the signature's SHA-1>/;
#   4. a new bucket: minimize with the engine that found it (libFuzzer
#      -minimize_crash=1, or afl-tmin for files under an AFL output dir),
#      kept only if it still fails with the same id; then `gomap minimize`
#      (ops removed while the check id stays the same) into a text trace,
#      and the bytes re-encoded from it;
#      a known bucket: count.txt goes up by one and the file is listed in
#      findings.txt; when it is smaller than the bucket's input.bin it is
#      minimized too, and its reproducer replaces the bucket's when its
#      trace has fewer operations (a bucket keeps the smallest);
#   5. write OUT_DIR/<bucket>/{input.bin,minimized.bin,minimized.trace,
#      verdict.txt,signature.txt,count.txt,findings.txt,target.txt,
#      replay.sh} (never removed; a bucket only improves), rewrite
#      OUT_DIR/buckets.tsv (one line per bucket: bucket, check, count,
#      reproducer, tab-separated, after a `#` header line) and print the
#      command that saves the bucket as a regression.
#
# --save BUCKET_DIR [NAME] writes the bucket's minimized trace as
# corpus/regressions/NAME.trace (default NAME: the bucket's name with
# '.' and '-' turned into '_', prefixed by the target) with a header
# comment (target, check, signature, date, replay command), and
# NAME.expected, Go 1.19's runtime map's output for it (gocheck,
# gocheck/README.md): CTest's regression__NAME then fails while the bug is
# there and passes once the port prints what Go prints.  It never
# overwrites a regression (exit 2), and refuses with exit 3 when Go cannot
# judge the trace: no gocheck (build one with GOMAP_GO_CROSSCHECK and Go
# 1.19: `cmake --build build --target gocheck`), or the trace uses what Go
# cannot follow (fail-alloc, reenter, expect-fatal); write
# such an expected output by hand (corpus/README.md).
#
# Exit 0: a reproducible finding (new or in a known bucket), or a saved
# regression; 1: it did not reproduce (flaky); 2: usage or setup error; 3:
# the replay ran out of memory or I/O failed (an environment failure, not
# a finding), or --save without Go.  The last line printed is
#   triage: NEW|DUPLICATE|FLAKY|ENVIRONMENT <target> <bucket> <dir>
#
# Environment (defaults in brackets):
#   GOMAP_FUZZ_BUILD  libFuzzer build dir [build-fuzz]
#   GOMAP_AFL_BUILD   AFL++ build dirs' prefix [build-afl]; the -asan one
#                     is preferred for afl-tmin when it exists
#   GOMAP_CLI         the gomap command [build/gomap]
#   GOMAP_GOCHECK     gocheck, for --save [build/gocheck/gocheck]
#   GOMAP_REGRESSIONS where --save writes [corpus/regressions]
#   TRIAGE_ENGINE     libfuzzer|afl [guessed from CRASH_FILE's path]
#   TRIAGE_TIMEOUT    seconds one replay may take before it is a hang [25]
#   TRIAGE_MIN_TIME   seconds for the engine's minimizer [30]
set -uo pipefail
export LC_ALL=C
. "$(dirname "$0")/lib/help.sh"
help_if_asked "$0" "$@"


usage() {
  echo "usage: ci/triage.sh TARGET CRASH_FILE OUT_DIR   (TARGET: ops, iter, faults, trace)" >&2
  echo "       ci/triage.sh --save BUCKET_DIR [NAME]" >&2
  exit 2
}
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=ci/lib/check_id.sh
. "$root/ci/lib/check_id.sh"
abspath() { case "$1" in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }
# Paths printed for people: relative to the repository root when inside it.
rel() { case "$1" in "$root"/*) echo "${1#"$root"/}" ;; *) echo "$1" ;; esac; }
cli=$(abspath "${GOMAP_CLI:-$root/build/gomap}")

# ---- --save: a bucket as a committed regression ---------------------------------
# ops in a trace: its lines that are neither comments, blank nor the header
trace_ops() { grep -cvE '^[[:space:]]*(#|$|map )' "$1"; }

save_regression() { # BUCKET_DIR [NAME]
  local bucket=${1%/} name=${2-} dir trace target check sig gocheck out
  [ -d "$bucket" ] || { echo "triage: --save: no bucket directory '$bucket'" >&2; exit 2; }
  bucket=$(cd "$bucket" && pwd)
  trace=$bucket/minimized.trace
  [ -s "$trace" ] || { echo "triage: --save: $(rel "$bucket") has no minimized.trace" >&2; exit 2; }
  target=$(cat "$bucket/target.txt" 2>/dev/null || echo ops)
  sig=$(cat "$bucket/signature.txt" 2>/dev/null || echo unknown)
  check=${sig%% *}
  [ -n "$name" ] || name=$target-$(basename "$bucket")
  name=$(printf '%s' "$name" | tr '.-' '__' | tr -c 'A-Za-z0-9_' '_')
  dir=$(abspath "${GOMAP_REGRESSIONS:-$root/corpus/regressions}")
  mkdir -p "$dir" || exit 2
  if [ -e "$dir/$name.trace" ] || [ -e "$dir/$name.expected" ]; then
    echo "triage: --save: $(rel "$dir")/$name.trace exists; give another NAME" >&2
    exit 2
  fi
  gocheck=$(abspath "${GOMAP_GOCHECK:-$root/build/gocheck/gocheck}")
  if [ ! -x "$gocheck" ]; then
    echo "triage: --save: no gocheck at $(rel "$gocheck"): the expected output must be" \
         "Go's (build it: Go 1.19 and cmake --build build --target gocheck; or set GOMAP_GOCHECK)" >&2
    exit 3
  fi
  out=$(mktemp -d) || exit 3
  # gocheck prints what Go's runtime map prints for the trace: the output
  # the port must print once fixed
  "$gocheck" "$trace" >"$out/expected" 2>"$out/err"
  local rc=$?
  if [ "$rc" != 0 ]; then
    echo "triage: --save: Go cannot judge $(rel "$trace") (gocheck exit $rc):" >&2
    sed 's/^/  /' "$out/err" >&2
    echo "  write its expected output by hand (corpus/README.md); nothing saved" >&2
    rm -rf "$out"
    exit 3
  fi
  {
    echo "# Regression: fuzz target $target, check $check, saved by ci/triage.sh --save"
    echo "# on $(date -u +%Y-%m-%d) from $(rel "$bucket")."
    echo "# signature: $sig"
    echo "# replay: build/gomap replay $(rel "$dir")/$name.trace"
    echo "# $name.expected is what Go 1.19's runtime map prints (gocheck)."
    cat "$trace"
  } >"$out/trace"
  mv "$out/trace" "$dir/$name.trace" && mv "$out/expected" "$dir/$name.expected"
  rm -rf "$out"
  echo "triage: saved $(rel "$dir")/$name.trace and $name.expected ($(trace_ops "$dir/$name.trace") operations)"
  echo "  test: ctest --preset dev -R '^regression__${name}\$'  (re-run cmake first so it sees the new file)"
  exit 0
}
if [ "${1-}" = --save ]; then
  [ $# -ge 2 ] && [ $# -le 3 ] || usage
  save_regression "$2" "${3-}"
fi

[ $# -eq 3 ] || usage
target=$1 file=$2 out_dir=$3
case "$target" in ops|iter|faults|trace) ;; *) usage ;; esac
[ -f "$file" ] || { echo "triage: no such file: $file" >&2; exit 2; }

file=$(abspath "$file")
mkdir -p "$out_dir" || exit 2
out_dir=$(cd "$out_dir" && pwd)

fuzz_build=$(abspath "${GOMAP_FUZZ_BUILD:-$root/build-fuzz}")
afl_build=$(abspath "${GOMAP_AFL_BUILD:-$root/build-afl}")
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
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

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

# signature ID -> the last replay's signature: the verdict's line; for a
# sanitizer report the id and the first 3 frames inside core/ as
# FUNCTION@FILE (no line numbers, which move with every edit); else the id.
signature() {
  local sig
  sig=$(sed -n 's/^\([0-9.]* \)\{0,1\}signature: //p' <<<"$replay_out" | head -n 1)
  if [ -z "$sig" ]; then
    sig=$1
    case "$1" in
      asan.*|ubsan.*|leak)
        local frames
        frames=$(sed -n 's|^ *#[0-9]* 0x[0-9a-f]* in \([A-Za-z0-9_]*\) .*/\(core/[A-Za-z0-9_.]*\):.*|\1@\2|p' \
                   <<<"$replay_out" | head -n 3 | tr '\n' ' ')
        [ -n "$frames" ] && sig="$1 frames=${frames% }" ;;
    esac
  fi
  printf '%s\n' "$sig"
}

result() { echo "triage: $1 $target $2 $(rel "$3")"; }

# buckets.tsv: every bucket of OUT_DIR, most found first
write_buckets_tsv() {
  local b tmp=$out_dir/.buckets.tsv.$$
  {
    printf '# bucket\tcheck\tcount\treproducer\n'
    for b in "$out_dir"/*/signature.txt; do
      [ -f "$b" ] || continue
      b=${b%/signature.txt}
      local repro=$b/minimized.trace
      [ -s "$repro" ] || repro=$b/minimized.bin
      printf '%s\t%s\t%s\t%s\n' "$(basename "$b")" "$(cut -d' ' -f1 "$b/signature.txt")" \
        "$(cat "$b/count.txt" 2>/dev/null || echo 1)" "$(rel "$repro")"
    done | sort -t "$(printf '\t')" -k3,3nr -k1,1
  } >"$tmp" && mv "$tmp" "$out_dir/buckets.tsv"
}

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

# ---- 3: its bucket (mkdir is the lock) -----------------------------------------
sig=$(signature "$id")
bucket=$id-$(printf '%s' "$sig" | sha1sum | cut -c1-8)
dir=$out_dir/$bucket
new=1
mkdir "$dir" 2>/dev/null || new=0

# ---- 4: minimize into WORK (the bucket, or a candidate dir inside it) -------------
# minimize WORK: WORK/input.bin -> WORK/{minimized.bin,minimized.trace};
# sets trace_ok
minimize() {
  local work=$1
  cp "$work/input.bin" "$work/minimized.bin"
  note() { echo "$*" | tee -a "$work/verdict.txt" >&2; }
  adopt_if_same() { # CANDIDATE WHO
    if [ ! -s "$1" ]; then
      note "triage: $2 left no result (see $(rel "$work")/engine-min.log)"
      return 1
    fi
    replay "$1"
    local got; got=$(classify)
    if [ "$got" = "$id" ]; then
      mv "$1" "$work/minimized.bin"
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
        local tmin_bin=$afl_build-asan/fuzz_${target}_afl
        [ -x "$tmin_bin" ] || tmin_bin=$afl_build/fuzz_${target}_afl
        if command -v afl-tmin >/dev/null && [ -x "$tmin_bin" ]; then
          # AFL++'s sanitizer options with leak detection on, so a leak stays one
          # shellcheck disable=SC2046 # NAME=VALUE words without spaces
          env $(afl_sanitizer_env) AFL_NO_AFFINITY=1 \
            timeout -k 5 $((min_time * 4)) afl-tmin -i "$work/input.bin" -o "$work/engine-min.bin" \
            -m none -t 5000 -- "$tmin_bin" >"$work/engine-min.log" 2>&1
          adopt_if_same "$work/engine-min.bin" afl-tmin
        fi
      else
        local lf_bin=$fuzz_build/fuzz_$target
        if [ -x "$lf_bin" ]; then
          (cd "$work" && timeout -k 5 $((min_time + 30)) "$lf_bin" -minimize_crash=1 -runs=20000 \
            -max_total_time="$min_time" -exact_artifact_path="$work/engine-min.bin" "$work/input.bin" \
            >"$work/engine-min.log" 2>&1)
          adopt_if_same "$work/engine-min.bin" "libFuzzer -minimize_crash"
        fi
      fi ;;
  esac

  # The op-level reducer: a trace that fails the same check.  The trace
  # target's inputs are texts already.
  trace_ok=0
  if [ "$target" = trace ]; then
    cp "$work/minimized.bin" "$work/minimized.trace"
    trace_ok=1
  # (gomap minimize exits 1, the input's verdict, when it wrote the trace)
  elif timeout -k 5 300 "$cli" minimize --target "$target" "$work/minimized.bin" \
         -o "$work/minimized.trace" --bytes-out "$work/op-min.bin" >"$work/minimize.log" 2>&1
       [ $? = 1 ] && [ -s "$work/minimized.trace" ]; then
    trace_ok=1
    cat "$work/minimize.log" >&2
    [ -f "$work/op-min.bin" ] && adopt_if_same "$work/op-min.bin" "gomap minimize --bytes-out"
  else
    note "triage: gomap minimize did not finish (see minimize.log); the trace is the whole program"
    if "$cli" explain --target "$target" "$work/minimized.bin" -o "$work/minimized.trace" >/dev/null 2>&1; then
      trace_ok=1
    else
      # the target printed the program as a trace with its verdict
      replay "$work/minimized.bin"
      sed -n '/^==== the program as a trace/,/^====$/p' <<<"$replay_out" | sed '1d;$d' >"$work/minimized.trace"
      [ -s "$work/minimized.trace" ] && trace_ok=1
    fi
  fi
  rm -f "$work/op-min.bin"
}

# size of a reproducer: its trace's operations, else its bytes
repro_size() {
  if [ -s "$1/minimized.trace" ]; then trace_ops "$1/minimized.trace"
  else echo $((1000000 + $(wc -c <"$1/minimized.bin"))); fi
}

if [ "$new" = 0 ]; then
  # A known bug: count it; a smaller input may give a smaller reproducer.
  exec 9>>"$dir/findings.txt"
  flock 9 2>/dev/null || true
  count=$(( $(cat "$dir/count.txt" 2>/dev/null || echo 1) + 1 ))
  echo "$count" >"$dir/count.txt"
  echo "$(date -u +%FT%TZ) $target $engine $file ($(wc -c <"$file") bytes)" >&9
  kept=""
  if [ "$(wc -c <"$file")" -lt "$(wc -c <"$dir/input.bin" 2>/dev/null || echo 0)" ]; then
    work=$(mktemp -d "$dir/.candidate.XXXXXX")
    cp "$file" "$work/input.bin"
    : >"$work/verdict.txt"
    minimize "$work"
    if [ "$trace_ok" = 1 ] && [ "$(repro_size "$work")" -le "$(repro_size "$dir")" ]; then
      for f in input.bin minimized.bin minimized.trace; do
        [ -f "$work/$f" ] && mv "$work/$f" "$dir/$f"
      done
      kept=" (its reproducer is smaller: now the bucket's)"
    fi
    rm -rf "$work"
  fi
  exec 9>&-
  write_buckets_tsv
  echo "triage: known bug $bucket ($target): $count findings$kept"
  echo "  save:       ci/triage.sh --save $(rel "$dir")"
  result DUPLICATE "$bucket" "$dir"
  exit 0
fi

cp "$file" "$dir/input.bin"
printf '%s\n' "$sig" >"$dir/signature.txt"
echo "$target" >"$dir/target.txt"
echo 1 >"$dir/count.txt"
echo "$(date -u +%FT%TZ) $target $engine $file ($(wc -c <"$file") bytes)" >"$dir/findings.txt"
{
  echo "id:        $id"
  echo "signature: $sig"
  echo "target:    $target"
  echo "engine:    $engine"
  echo "found:     $file"
  echo "replay:    $(rel "$replay_bin") (exit $replay_rc)"
  echo
  printf '%s\n' "$first_out"
} >"$dir/verdict.txt"
minimize "$dir"

# ---- 5: the replay and save commands -----------------------------------------------
rel_min_bin=$(rel "$dir/minimized.bin")
# Prefer the readable trace when `gomap replay` fails on it; a finding only
# a sanitizer sees needs the sanitized replay driver and the bytes.
if [ "$trace_ok" = 1 ] && [ -s "$dir/minimized.trace" ] &&
   (cd "$root" && "$cli" replay --quiet "$dir/minimized.trace" >/dev/null 2>&1); then
  replay_cmd="$(rel "$replay_bin") $rel_min_bin"
  echo "triage: gomap replay passes the trace (a sanitizer-only finding?); replay the bytes" \
    | tee -a "$dir/verdict.txt" >&2
elif [ "$trace_ok" = 1 ] && [ -s "$dir/minimized.trace" ]; then
  replay_cmd="$(rel "$cli") replay $(rel "$dir/minimized.trace")"
else
  replay_cmd="$(rel "$replay_bin") $rel_min_bin"
fi
cat >"$dir/replay.sh" <<EOF
#!/bin/sh
# $target, $sig: exits non-zero while the bug is there.
cd "$root" && exec $replay_cmd
EOF
chmod +x "$dir/replay.sh"
write_buckets_tsv

# "# 3 of 16 operations kept", written by gomap minimize
ops=$(sed -n '2s/^# \([0-9]*\) of \([0-9]*\) operations kept$/\2 -> \1/p' "$dir/minimized.trace" 2>/dev/null)
echo "triage: new finding $id ($target, $engine)${ops:+: ops $ops}"
echo "  signature:  $sig"
echo "  reproducer: $(rel "$dir")/minimized.trace"
echo "  replay:     $replay_cmd"
echo "  save:       ci/triage.sh --save $(rel "$dir")"
result NEW "$bucket" "$dir"
exit 0
