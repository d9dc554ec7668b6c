#!/usr/bin/env bash
# tests/leak/leak_check.sh ENGINE SOURCE_DIR WORKDIR
#
# A deliberate leak is reported by ENGINE, run with the sanitizer options
# our scripts give it (ci/lib/sanitizer_options.sh).  ENGINE is one of:
#   libfuzzer  tests/leak/target_leak.c built with -fsanitize=fuzzer and
#              ASan + UBSan (the fuzz preset's flags), fuzzed from a clean
#              seed: libFuzzer must stop on a LeakSanitizer report and
#              write a leak-* artifact;
#   afl        the same target built as the afl-asan preset builds
#              fuzz_<t>_afl (afl-clang-fast, ASan + UBSan, AFL++'s driver
#              and fuzz/afl_leak_check.c), fuzzed by afl-fuzz: AFL++ must
#              save a crash, and that input must leak when run on its own;
#   replay     the target with fuzz/driver_replay.c under ASan + UBSan (as
#              ci/triage.sh replays a finding), on an input that leaks:
#              a LeakSanitizer report and a non-zero exit.
# Each engine also runs once with detect_leaks=0 added to those options,
# and must then report nothing: the check tells leak detection on from off.
# (The abort that ends a report is the shell's "Aborted" message: muted.)
# Exit 0: reported; 1: not reported (or reported with detection off);
# 2: bad usage; 77: the engine or the toolchain is missing (CTest: skipped).
# Each run takes seconds (AFL++: AFL_BENCH_UNTIL_CRASH, at most -V 20).
set -u
. "$(dirname "$0")/../../ci/lib/help.sh"
help_if_asked "$0" "$@"
usage="usage: $0 libfuzzer|afl|replay SOURCE_DIR WORKDIR"
[ $# -eq 3 ] || { echo "$usage" >&2; exit 2; }
engine=$1 src=$2 work=$3
case "$engine" in
  libfuzzer | afl | replay) ;;
  *) echo "$0: ENGINE is libfuzzer, afl or replay, not '$engine'" >&2; exit 2 ;;
esac
[ -f "$src/tests/leak/target_leak.c" ] || { echo "$0: $src is not the gomap source tree" >&2; exit 2; }
src=$(cd "$src" && pwd)
rm -rf "$work" && mkdir -p "$work" || exit 2
work=$(cd "$work" && pwd)
# shellcheck source=ci/lib/sanitizer_options.sh
. "$src/ci/lib/sanitizer_options.sh"

target=$src/tests/leak/target_leak.c
san=(-g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all)
skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }
compile() { # LOG COMPILER ARGS... (the tools are checked first: a failed build fails)
  local log=$1
  shift
  "$@" >"$log" 2>&1 || { tail -n 5 "$log"; fail "the leak target does not build (log: $log)"; }
}

mkdir -p "$work/seeds"
printf 'clean' >"$work/seeds/clean"
printf 'L' >"$work/leaks"

# run_libfuzzer DIR [ASAN_OPTIONS to add] -> exit status; log in DIR/log
run_libfuzzer() {
  mkdir -p "$1/artifacts" "$1/corpus"
  cp "$work/seeds/clean" "$1/corpus/"
  (ASAN_OPTIONS=${2-} UBSAN_OPTIONS=
   sanitizer_options_export symbolize=1
   timeout -k 5 60 "$work/fuzz_leak" -seed=1 -runs=20000 -max_total_time=20 \
     -artifact_prefix="$1/artifacts/" "$1/corpus") >"$1/log" 2>&1
}

libfuzzer() {
  command -v clang >/dev/null || skip "clang is not installed"
  compile "$work/build.log" clang "${san[@]}" -fsanitize=fuzzer "$target" -o "$work/fuzz_leak"
  run_libfuzzer "$work/on" && fail "libFuzzer exited 0: no leak found (log: $work/on/log)"
  grep -q "ERROR: LeakSanitizer: detected memory leaks" "$work/on/log" ||
    fail "libFuzzer stopped without a LeakSanitizer report (log: $work/on/log)"
  ls "$work/on/artifacts"/leak-* >/dev/null 2>&1 || fail "libFuzzer wrote no leak-* artifact"
  run_libfuzzer "$work/off" detect_leaks=0 ||
    fail "with detect_leaks=0 libFuzzer still failed (log: $work/off/log)"
  grep -q "ERROR: LeakSanitizer" "$work/off/log" && fail "LeakSanitizer reported with detect_leaks=0"
  echo "ok: libFuzzer reports the leak ($(ls "$work/on/artifacts")); with detect_leaks=0 it does not"
}

# run_afl DIR LEAKS(0|1) SECONDS -> AFL++ output in DIR/out, its log DIR/log
run_afl() {
  local vars
  vars=$(afl_sanitizer_env)
  [ "$2" = 1 ] || vars=${vars//detect_leaks=1/detect_leaks=0}
  mkdir -p "$1"
  # shellcheck disable=SC2046 # NAME=VALUE words without spaces
  env -u ASAN_OPTIONS -u UBSAN_OPTIONS -u LSAN_OPTIONS $(echo "$vars") \
    AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 AFL_BENCH_UNTIL_CRASH=1 \
    AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_CRASH_README=1 \
    timeout -k 5 60 afl-fuzz -i "$work/seeds" -o "$1/out" -V "$3" -m none -s 1 \
    -- "$work/fuzz_leak_afl" >"$1/log" 2>&1
}

afl() {
  command -v afl-fuzz >/dev/null || skip "afl-fuzz is not installed"
  command -v afl-clang-fast >/dev/null || skip "afl-clang-fast is not installed"
  local driver=${GOMAP_AFL_DRIVER:-/usr/lib/afl/libAFLDriver.a}
  [ -f "$driver" ] || skip "AFL++'s driver $driver is missing"
  compile "$work/build.log" env AFL_QUIET=1 afl-clang-fast "${san[@]}" "$target" \
    "$src/fuzz/afl_leak_check.c" "$driver" -o "$work/fuzz_leak_afl"
  run_afl "$work/on" 1 20
  local crashes=("$work/on/out/default/crashes"/id:*)
  [ -f "${crashes[0]}" ] || { tail -n 20 "$work/on/log"; fail "AFL++ saved no crash for the leak (log: $work/on/log)"; }
  # the saved input leaks on its own, in the same binary (its file mode)
  { (ASAN_OPTIONS= UBSAN_OPTIONS=; sanitizer_options_export
     "$work/fuzz_leak_afl" "${crashes[0]}") >"$work/crash.log" 2>&1; } 2>/dev/null &&
    fail "AFL++'s crash ${crashes[0]} runs clean on its own"
  grep -q "ERROR: LeakSanitizer" "$work/crash.log" ||
    fail "AFL++'s crash is not a leak (log: $work/crash.log)"
  run_afl "$work/off" 0 3
  [ -f "$work/off/out/default/fuzzer_stats" ] || fail "afl-fuzz did not run with detect_leaks=0 (log: $work/off/log)"
  ls "$work/off/out/default/crashes"/id:* >/dev/null 2>&1 &&
    fail "AFL++ saved a crash with detect_leaks=0 (log: $work/off/log)"
  echo "ok: AFL++ saves the leak as a crash (${crashes[0]##*/}); with detect_leaks=0 it does not"
}

replay() {
  command -v clang >/dev/null || skip "clang is not installed"
  compile "$work/build.log" clang "${san[@]}" -I"$src/fuzz" -I"$src/oracle" -I"$src/program" \
    -I"$src/core" "$target" "$src/fuzz/driver_replay.c" -o "$work/fuzz_leak_replay"
  { (ASAN_OPTIONS= UBSAN_OPTIONS=; sanitizer_options_export
     "$work/fuzz_leak_replay" "$work/leaks") >"$work/on.log" 2>&1; } 2>/dev/null &&
    fail "the replay driver exited 0 on a leaking input (log: $work/on.log)"
  grep -q "ERROR: LeakSanitizer: detected memory leaks" "$work/on.log" ||
    fail "no LeakSanitizer report from the replay driver (log: $work/on.log)"
  (ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=; sanitizer_options_export
   "$work/fuzz_leak_replay" "$work/leaks") >"$work/off.log" 2>&1 ||
    fail "with detect_leaks=0 the replay driver still failed (log: $work/off.log)"
  echo "ok: the replay driver under ASan reports the leak; with detect_leaks=0 it does not"
}

"$engine"
