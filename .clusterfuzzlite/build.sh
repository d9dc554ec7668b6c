#!/bin/bash -eu
# OSS-Fuzz / ClusterFuzzLite build script for gomap.
#
# Runs inside the builder image (Dockerfile next to this file) with the
# usual environment: $CC, $CFLAGS (sanitizer and coverage flags included,
# e.g. -fsanitize=address -fsanitize=fuzzer-no-link), $LIB_FUZZING_ENGINE
# (the engine to link, e.g. -fsanitize=fuzzer), $SRC (sources), $WORK
# (scratch) and $OUT (what the fuzzing service picks up).  The project's
# own sanitizer and libFuzzer flags stay off: GOMAP_FUZZ_ENGINE_LIB links
# each fuzz_<t> with $LIB_FUZZING_ENGINE and nothing else.
#
# Puts in $OUT, for every fuzz target fuzz_<t>:
#   fuzz_<t>                  the fuzzer
#   fuzz_<t>_seed_corpus.zip  the seed corpus the build compiled from
#                             corpus/seeds/<t>/*.trace
#   fuzz_<t>.dict             corpus/dict/<t>.dict
#   fuzz_<t>.options          corpus/options/<t>.options (and the dict file
#                             it names, if that is another name)
#
# ci/cflite_build_test.sh runs this script outside Docker with the same
# environment emulated (CTest: clusterfuzzlite__build_sh_outputs_run).

src=${GOMAP_SRC:-$SRC/gomap}
build=$WORK/gomap-build
jobs=$(nproc 2>/dev/null || echo 2)

# No CMAKE_BUILD_TYPE: $CFLAGS alone picks optimisation and debug info (a
# build type would add -DNDEBUG and switch the core's assertions off).
cmake -S "$src" -B "$build" \
  -DCMAKE_C_COMPILER="$CC" \
  -DCMAKE_C_FLAGS="$CFLAGS" \
  -DGOMAP_FUZZ_ENGINE_LIB="$LIB_FUZZING_ENGINE" \
  -DGOMAP_GO_CROSSCHECK=OFF \
  -DGOMAP_BUILD_BENCH=OFF
cmake --build "$build" -j "$jobs"

targets=()
for bin in "$build"/fuzz_*; do
  t=${bin##*/fuzz_}
  case "$t" in *_replay|*_afl|*.*) continue ;; esac
  [ -x "$bin" ] && targets+=("$t")
done
if [ ${#targets[@]} -eq 0 ]; then
  echo "build.sh: the build made no fuzz_<t> in $build" >&2
  exit 1
fi

for t in "${targets[@]}"; do
  name=fuzz_$t
  cp "$build/$name" "$OUT/$name"
  seeds=$build/corpus/seeds/$t
  rm -f "$OUT/${name}_seed_corpus.zip"
  if [ -d "$seeds" ] && [ -n "$(ls -A "$seeds")" ]; then
    (cd "$seeds" && zip -q -r "$OUT/${name}_seed_corpus.zip" .)
  else
    echo "build.sh: no seed corpus for $name in $seeds" >&2
    exit 1
  fi
  if [ -f "$src/corpus/dict/$t.dict" ]; then
    cp "$src/corpus/dict/$t.dict" "$OUT/$name.dict"
  fi
  options=$src/corpus/options/$t.options
  if [ -f "$options" ]; then
    cp "$options" "$OUT/$name.options"
    # an options file may name its dictionary (dict = FILE, relative to $OUT)
    dict=$(sed -n 's/^[[:space:]]*dict[[:space:]]*=[[:space:]]*\([^[:space:]]*\).*/\1/p' "$options" | tail -n 1)
    if [ -n "$dict" ] && [ "$dict" != "$name.dict" ]; then
      cp "$src/corpus/dict/$dict" "$OUT/$dict"
    fi
  fi
done
echo "build.sh: ${targets[*]/#/fuzz_} in $OUT"
