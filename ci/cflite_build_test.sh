#!/usr/bin/env bash
# ci/cflite_build_test.sh SANITIZER SCRATCH_DIR
#
# Runs .clusterfuzzlite/build.sh here the way ClusterFuzzLite's builder
# image runs it, with the environment emulated for libFuzzer and one
# SANITIZER (address, undefined or coverage), then checks what it put in
# $OUT:
#   - for every fuzz target (fuzz/target_<t>.c): fuzz_<t>, fuzz_<t>_seed_corpus.zip (a
#     zip with at least one input), fuzz_<t>.dict, fuzz_<t>.options and the
#     dictionary the .options file names;
#   - the build used the flags it was given: an address build has ASan in
#     it, an undefined or coverage build has not (our own -fsanitize flags
#     stayed off), a coverage build has clang's profile runtime;
#   - address, undefined: each fuzzer runs from $OUT the way OSS-Fuzz's
#     runner does (the .options as flags, the unzipped seed corpus):
#     -runs=50 exits 0, the dictionary is parsed and -max_len is taken
#     from the .options;
#   - coverage: each fuzzer runs over its unzipped seed corpus with
#     -runs=0 and LLVM_PROFILE_FILE set, as ClusterFuzzLite's coverage mode
#     runs it over the corpus; it exits 0 and writes a .profraw, which
#     llvm-profdata merges and llvm-cov reads back with lines of core/
#     covered.
# SCRATCH_DIR holds $SRC, $WORK and $OUT (emptied first; the CTest test
# clusterfuzzlite__build_sh_<sanitizer> passes one under the build dir).
set -euo pipefail
. "$(dirname "$0")/lib/help.sh"
help_if_asked "$0" "$@"
[ $# -eq 2 ] || { echo "usage: $0 address|undefined|coverage SCRATCH_DIR" >&2; exit 2; }
sanitizer=$1 scratch=$2
repo=$(cd "$(dirname "$0")/.." && pwd)

# The flags OSS-Fuzz's base-builder image sets: base-clang's CFLAGS, then
# SANITIZER_FLAGS_<sanitizer>, then the coverage flags, which for libFuzzer
# are -fsanitize=fuzzer-no-link, and for the coverage sanitizer
# COVERAGE_FLAGS_coverage instead: clang's source-based coverage, no
# SanitizerCoverage (libFuzzer is linked, but only to run inputs).
common="-O1 -fno-omit-frame-pointer -gline-tables-only -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION"
ubsan_checks=array-bounds,bool,builtin,enum,float-divide-by-zero,function,integer-divide-by-zero,null,object-size,return,returns-nonnull-attribute,shift,signed-integer-overflow,unreachable,vla-bound,vptr
cov_flags=-fsanitize=fuzzer-no-link
case "$sanitizer" in
  address) san_flags="-fsanitize=address -fsanitize-address-use-after-scope" ;;
  undefined) san_flags="-fsanitize=$ubsan_checks,unsigned-integer-overflow -fno-sanitize-recover=$ubsan_checks" ;;
  coverage)
    san_flags=
    cov_flags="-fprofile-instr-generate -fcoverage-mapping -pthread -Wl,--no-as-needed -Wl,-ldl -Wl,-lm -Wno-unused-command-line-argument" ;;
  *) echo "$0: SANITIZER is address, undefined or coverage, not '$sanitizer'" >&2; exit 2 ;;
esac
# coverage: llvm-profdata and llvm-cov of clang's own version first (the
# raw profile format changes between LLVM releases)
find_llvm_tool() {
  local ver cand
  ver=$(clang -dumpversion 2>/dev/null | cut -d. -f1 || true)
  for cand in ${ver:+$1-$ver} $1; do
    command -v "$cand" >/dev/null 2>&1 && { echo "$cand"; return 0; }
  done
  echo "$0: $1 not found (apt package llvm; ci/install-deps.sh)" >&2
  exit 2
}
if [ "$sanitizer" = coverage ]; then
  profdata=$(find_llvm_tool llvm-profdata)
  llvmcov=$(find_llvm_tool llvm-cov)
fi

rm -rf "$scratch"
mkdir -p "$scratch/src" "$scratch/work" "$scratch/out"
scratch=$(cd "$scratch" && pwd)
export SRC=$scratch/src WORK=$scratch/work OUT=$scratch/out
export CC=clang CXX=clang++
export CFLAGS="$common $san_flags $cov_flags"
export CXXFLAGS=$CFLAGS
export LIB_FUZZING_ENGINE=-fsanitize=fuzzer
export SANITIZER=$sanitizer FUZZING_ENGINE=libfuzzer FUZZING_LANGUAGE=c ARCHITECTURE=x86_64
# the Dockerfile: the repository copied to $SRC/gomap (what git would
# check out, plus files not yet committed, less what .gitignore ignores),
# build.sh at $SRC, WORKDIR $SRC/gomap.  A copy, not a symlink: the
# scratch directory may sit inside the repository's build tree.
mkdir -p "$SRC/gomap"
if git -C "$repo" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  (cd "$repo" && git ls-files -z --cached --others --exclude-standard \
     | xargs -0 -r sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh \
     | tar --null -T - -cf -) | tar -xf - -C "$SRC/gomap"
else
  (cd "$repo" && tar --exclude='./build*' -cf - .) | tar -xf - -C "$SRC/gomap"
fi
cp "$repo/.clusterfuzzlite/build.sh" "$SRC/build.sh"

echo "== build.sh ($sanitizer): CFLAGS=$CFLAGS"
if ! (cd "$SRC/gomap" && bash -eu "$SRC/build.sh") >"$scratch/build.log" 2>&1; then
  tail -n 40 "$scratch/build.log"
  echo "FAIL: build.sh exited non-zero (log: $scratch/build.log)"
  exit 1
fi
tail -n 1 "$scratch/build.log"

fail=0
bad() { echo "FAIL: $*"; fail=1; }
# the fuzz targets: fuzz/target_<t>.c files that define the entry point
targets=()
for f in $(grep -l '^int LLVMFuzzerTestOneInput' "$repo"/fuzz/target_*.c); do
  t=${f##*/target_}
  targets+=("${t%.c}")
done
[ ${#targets[@]} -gt 0 ] || { echo "FAIL: no fuzz/target_<t>.c found"; exit 1; }

# OSS-Fuzz's runner environment for the fuzzers themselves
export ASAN_OPTIONS=alloc_dealloc_mismatch=0:allocator_may_return_null=1:detect_leaks=1:symbolize=1
export UBSAN_OPTIONS=print_stacktrace=1:print_summary=1:silence_unsigned_overflow=1

# unzip_seeds NAME -> the seed corpus in $scratch/seeds/NAME, its size in $n
unzip_seeds() {
  seeds=$scratch/seeds/$1
  mkdir -p "$seeds"
  if ! python3 -m zipfile -e "$OUT/${1}_seed_corpus.zip" "$seeds" 2>"$scratch/$1.unzip.log"; then
    bad "$1: ${1}_seed_corpus.zip is not a zip"; return 1
  fi
  n=$(find "$seeds" -type f | wc -l)
  [ "$n" -gt 0 ] || { bad "$1: empty seed corpus"; return 1; }
}

# check_coverage_run NAME: the coverage build over its seed corpus, as
# ClusterFuzzLite's coverage mode runs it: a .profraw that llvm-profdata
# merges and in which llvm-cov finds lines of core/ covered
check_coverage_run() {
  local name=$1 log=$scratch/$1.run.log prof=$scratch/profraw/$1 raws
  unzip_seeds "$name" || return 0
  rm -rf "$prof" && mkdir -p "$prof"
  if ! (cd "$OUT" && LLVM_PROFILE_FILE="$prof/$name.%p.profraw" \
        timeout -k 5 300 "./$name" -runs=0 "$seeds") >"$log" 2>&1; then
    tail -n 30 "$log"
    bad "$name: -runs=0 over its $n seeds did not exit 0 (log: $log)"; return 0
  fi
  raws=("$prof"/*.profraw)
  [ -s "${raws[0]}" ] || { bad "$name: wrote no .profraw (LLVM_PROFILE_FILE=$prof/...)"; return 0; }
  if ! "$profdata" merge -sparse -o "$prof/$name.profdata" "${raws[@]}" >"$prof/merge.log" 2>&1; then
    bad "$name: $profdata cannot merge its .profraw (log: $prof/merge.log)"; return 0
  fi
  # llvm-cov report's TOTAL row for core/: lines, missed lines
  local lines missed
  read -r lines missed < <("$llvmcov" report -instr-profile="$prof/$name.profdata" \
    "$OUT/$name" "$SRC/gomap/core" 2>/dev/null | awk '$1 == "TOTAL" { print $8, $9 }')
  if [ -z "${lines:-}" ] || [ "$lines" -eq 0 ] || [ "$missed" -ge "$lines" ]; then
    bad "$name: llvm-cov finds no line of core/ covered (lines ${lines:-?}, missed ${missed:-?})"
    return 0
  fi
  echo "ok   $name: $n seeds, ${#raws[@]} .profraw merged, core/ lines covered $((lines - missed)) of $lines"
}

for t in "${targets[@]}"; do
  name=fuzz_$t
  for f in "$name" "${name}_seed_corpus.zip" "$name.dict" "$name.options"; do
    [ -s "$OUT/$f" ] || bad "$name: no $f in \$OUT"
  done
  [ -x "$OUT/$name" ] || { bad "$name: not an executable in \$OUT"; continue; }
  if [ "$sanitizer" = address ]; then
    grep -aq __asan_init "$OUT/$name" || bad "$name: built without ASan though CFLAGS asked for it"
  else
    ! grep -aq __asan_init "$OUT/$name" || bad "$name: has ASan in an $sanitizer build (flags not only from CFLAGS)"
  fi
  if [ "$sanitizer" = coverage ]; then
    grep -aq __llvm_profile_runtime "$OUT/$name" || bad "$name: no profile runtime in a coverage build"
    check_coverage_run "$name"
    continue
  fi

  # the .options file as flags, as OSS-Fuzz's run_fuzzer applies it
  flags=()
  if [ -f "$OUT/$name.options" ]; then
    mapfile -t flags < <(awk '
      /^[ \t]*\[/ { sec = $0; gsub(/[][ \t]/, "", sec); next }
      sec == "libfuzzer" && /=/ {
        k = $0; sub(/=.*/, "", k); gsub(/[ \t]/, "", k)
        v = $0; sub(/^[^=]*=[ \t]*/, "", v); sub(/[ \t\r]*$/, "", v)
        if (k != "") print "-" k "=" v
      }' "$OUT/$name.options")
  fi
  dict_flag=$(printf '%s\n' "${flags[@]}" | sed -n 's/^-dict=//p' | tail -n 1)
  if [ -n "$dict_flag" ]; then
    [ -s "$OUT/$dict_flag" ] || bad "$name.options names dict $dict_flag, not in \$OUT"
  elif [ -f "$OUT/$name.dict" ]; then
    flags+=("-dict=$name.dict")
  fi
  max_len=$(printf '%s\n' "${flags[@]}" | sed -n 's/^-max_len=//p' | tail -n 1)

  unzip_seeds "$name" || continue

  log=$scratch/$name.run.log
  if (cd "$OUT" && timeout -k 5 300 "./$name" -runs=50 "${flags[@]}" "$seeds") >"$log" 2>&1; then
    :
  else
    tail -n 30 "$log"
    bad "$name: -runs=50 over its $n seeds did not exit 0 (log: $log)"
    continue
  fi
  if printf '%s\n' "${flags[@]}" | grep -q '^-dict='; then
    grep -q "^Dictionary: [1-9][0-9]* entries" "$log" || bad "$name: libFuzzer read no dictionary entries (log: $log)"
  fi
  if [ -n "$max_len" ] && grep -q -- "-max_len is not provided" "$log"; then
    bad "$name: -max_len=$max_len from the .options was not applied"
  fi
  grep -q "runtime error:" "$log" && bad "$name: UBSan report on the seed corpus (log: $log)"
  runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$log")
  echo "ok   $name: $n seeds, ${runs:-?} runs, flags ${flags[*]}"
done

[ "$fail" = 0 ] || exit 1
echo "clusterfuzzlite build ($sanitizer): ${#targets[@]} targets in \$OUT run"
