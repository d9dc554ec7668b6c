#!/usr/bin/env bash
# ci/campaign.sh: a local fuzz campaign, the README's first command's main
# job.  Builds the fuzz targets, runs every (target, engine) pair on the
# available cores within one time budget, shows live progress, triages
# every crash, hang and OOM (ci/triage.sh) and ends with a summary table.
#
#   --budget SECONDS      wall time of the fuzzing phase, shared by all
#                         runs (the build before and triage after are not
#                         counted) [240]
#   --targets LIST        comma-separated: ops,iter,faults,trace [all]
#   --engines LIST        libfuzzer,afl,libfuzzer-go,afl-go
#                         [libfuzzer,afl,libfuzzer-go; afl is skipped with
#                         a warning when afl-fuzz is missing, the -go ones
#                         when Go 1.19 is].  libfuzzer-go and afl-go run
#                         the fuzz-go and afl-go builds: Go 1.19's runtime
#                         map in the loop (oracle/go_oracle.h), for the
#                         targets that run programs (not trace)
#   --jobs N              cores to use [nproc]
#   --out DIR             where everything goes [campaign]
#   --libfuzzer-flag X    passed to every libFuzzer run (repeatable)
#   --afl-flag X          passed to every afl-fuzz instance (repeatable)
#   --no-seeds            start every run from an empty corpus: no seed
#                         corpus, no gate corpus (AFL++, which refuses an
#                         empty -i, gets one input of 96 bytes 0x01, or
#                         for trace a three-line trace)
#   --coverage-interval S seconds between two coverage measurements of
#                         the running runs [budget/12, within 10..60]
#   --no-coverage         do not measure coverage (no coverage build)
#   --no-build            use the binaries already built
#   --compare OLD_DIR     do not fuzz: print what changed from the campaign
#                         in OLD_DIR to the one in --out (coverage, execs,
#                         findings, markers), from their summary.json
#   -h, --help            this text
#
# Scheduling: targets run one after another in waves (as listed), and a
# target's engines run side by side in its wave, so the engines compared
# on one target had the same wall time and the same share of the
# machine.  A wave holds as many whole targets as there are cores for
# their runs (at least one target); on 2 cores the default is 4 waves of
# 60 s, each with libFuzzer, AFL++ and libFuzzer-with-Go of one target
# sharing the 2 cores (trace: 2 engines).  Each wave gets the budget
# left divided by the waves left, so a wave whose runs all stop early (a
# crash) gives its time to the next.  With more cores than a wave's runs
# each run gets several: libFuzzer -fork=N, AFL++ -M main (CmpLog build,
# -c 0) plus -S s1 (ASan + UBSan build) and -S s2.. (plain build) sharing
# one sync dir.  A single AFL++ instance uses the CmpLog build.
#
# Coverage, one measure for every engine: every --coverage-interval
# seconds one process (nice 2) replays the inputs each running run added
# since the last time through the coverage build's replay drivers
# (build-coverage/, preset coverage) and records the run's line and
# branch coverage of core/ and oracle/ and the rare-path markers of core/
# it has reached (ci/campaign_coverage.py); once more when a run ends.
# The engines' own counters (libFuzzer's cov, AFL++'s edges_found) stay
# in the table, labelled as such, but they count different things.
#
# Output (read by the plot script; keep it exactly so):
#   OUT/TARGET/libfuzzer/log        libFuzzer's stderr, each line prefixed by
#                                   the seconds since that run started
#   OUT/TARGET/libfuzzer/corpus/    the corpus it grew
#   OUT/TARGET/libfuzzer/artifacts/ crash-*, timeout-*, oom-* files
#   OUT/TARGET/afl/sync/INSTANCE/   AFL++'s own dirs (plot_data, fuzzer_stats)
#   OUT/TARGET/afl/INSTANCE.log     afl-fuzz's output, prefixed the same way
#   OUT/TARGET/libfuzzer-go/, afl-go/  the same for the Go-in-the-loop runs
#   OUT/triage/                     ci/triage.sh's results, one dir per id
#   OUT/go-crosscheck.log           every input the runs used or grew, and
#                                   every kept trace, against Go's runtime
#                                   map (ci/go-crosscheck.sh)
#   OUT/TARGET/ENGINE/coverage/     samples.tsv (coverage over time),
#                                   markers.tsv (first time each marker
#                                   was reached), the cumulative profile
#   OUT/summary.md                  the summary table
#   OUT/summary.json                the same and more, for machines
#   OUT/report/index.html           the report: table, plots, markers,
#                                   findings, coverage report (offline)
#
# Exit 0: nothing found; 1: findings (reproducers under OUT/triage/, one
# directory per bucket; ci/triage.sh --save commits one), or an input on which the port and Go's
# runtime map differ; 2: bad flags or a failed build.
set -uo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.."
root=$PWD
# shellcheck source=ci/lib/stamp.sh
. "$root/ci/lib/stamp.sh"

all_targets=(ops iter faults trace)
budget=240
targets_arg=ops,iter,faults,trace
engines_arg=libfuzzer,afl,libfuzzer-go
jobs=$(nproc 2>/dev/null || echo 2)
out=campaign
build=1
use_seeds=1
measure=1
cov_interval=
compare=
lf_flags=()
afl_flags=()

accepted() {
  cat >&2 <<'EOF'
accepted: --budget SECONDS, --targets ops,iter,faults,trace, --engines libfuzzer,afl,libfuzzer-go,afl-go,
          --jobs N, --out DIR, --libfuzzer-flag X (repeatable), --afl-flag X (repeatable),
          --no-seeds, --coverage-interval SECONDS, --no-coverage, --no-build,
          --compare OLD_DIR, -h
EOF
}
bad() { echo "campaign: $*" >&2; accepted; exit 2; }
help() { sed -n '2,/^set -uo/{/^set -uo/d;s/^# \{0,1\}//;p}' "$0"; exit 0; }

while [ $# -gt 0 ]; do
  opt=$1 val=
  case "$opt" in
    --*=*) val=${opt#*=}; opt=${opt%%=*}; has_val=1 ;;
    *) has_val=0 ;;
  esac
  case "$opt" in
    --budget|--targets|--engines|--jobs|--out|--libfuzzer-flag|--afl-flag|--coverage-interval|--compare)
      if [ "$has_val" = 0 ]; then
        [ $# -ge 2 ] || bad "$opt needs a value"
        val=$2; shift
      fi ;;
    --no-build|--no-seeds|--no-coverage|-h|--help) [ "$has_val" = 0 ] || bad "$opt takes no value" ;;
    *) bad "unknown flag '$1'" ;;
  esac
  case "$opt" in
    --budget) budget=$val ;;
    --targets) targets_arg=$val ;;
    --engines) engines_arg=$val ;;
    --jobs) jobs=$val ;;
    --out) out=$val ;;
    --libfuzzer-flag) lf_flags+=("$val") ;;
    --afl-flag) afl_flags+=("$val") ;;
    --no-build) build=0 ;;
    --no-seeds) use_seeds=0 ;;
    --no-coverage) measure=0 ;;
    --coverage-interval) cov_interval=$val ;;
    --compare) compare=$val ;;
    -h|--help) help ;;
  esac
  shift
done

[[ "$budget" =~ ^[0-9]+$ ]] && [ "$budget" -ge 10 ] || bad "--budget wants whole seconds >= 10, not '$budget'"
[[ "$jobs" =~ ^[0-9]+$ ]] && [ "$jobs" -ge 1 ] || bad "--jobs wants a positive number, not '$jobs'"
if [ -n "$compare" ]; then
  [ -f "$compare/summary.json" ] || bad "--compare $compare: no $compare/summary.json"
  [ -f "$out/summary.json" ] || bad "--compare: no $out/summary.json to compare with (--out DIR)"
  exec python3 ci/campaign_compare.py "$compare/summary.json" "$out/summary.json"
fi
if [ -z "$cov_interval" ]; then
  cov_interval=$((budget / 12))
  [ "$cov_interval" -lt 10 ] && cov_interval=10
  [ "$cov_interval" -gt 60 ] && cov_interval=60
fi
[[ "$cov_interval" =~ ^[0-9]+$ ]] && [ "$cov_interval" -ge 1 ] ||
  bad "--coverage-interval wants whole seconds >= 1, not '$cov_interval'"
targets=()
for t in ${targets_arg//,/ }; do
  case " ${all_targets[*]} " in *" $t "*) targets+=("$t") ;; *) bad "unknown target '$t'" ;; esac
done
engines=()
for e in ${engines_arg//,/ }; do
  case "$e" in libfuzzer|afl|libfuzzer-go|afl-go) engines+=("$e") ;; *) bad "unknown engine '$e'" ;; esac
done
[ ${#targets[@]} -gt 0 ] || bad "no targets"
[ ${#engines[@]} -gt 0 ] || bad "no engines"
drop_engine() { # ENGINE
  local e kept=()
  for e in "${engines[@]}"; do [ "$e" = "$1" ] || kept+=("$e"); done
  engines=("${kept[@]}")
}
if ! command -v afl-fuzz >/dev/null; then
  for e in afl afl-go; do
    [[ " ${engines[*]} " == *" $e "* ]] || continue
    echo "campaign: WARNING: afl-fuzz not found (Debian package afl++): no $e runs" >&2
    drop_engine "$e"
  done
fi
go_version=$(go version 2>/dev/null)
have_go=0
[[ "$go_version" =~ go1\.19([^0-9]|$) ]] && have_go=1
if [ "$have_go" = 0 ]; then
  echo "campaign: WARNING: no Go 1.19 (${go_version:-no go in PATH}): no run with Go's" \
       "runtime map in the loop, and no cross-check of the corpus with it" >&2
  drop_engine libfuzzer-go
  drop_engine afl-go
fi
[ ${#engines[@]} -gt 0 ] || { echo "campaign: no engine left to run" >&2; exit 2; }
# shellcheck source=ci/lib/llvm_tools.sh
. "$root/ci/lib/llvm_tools.sh"
if [ "$measure" = 1 ]; then
  if ! profdata=$(find_llvm_tool llvm-profdata) || ! llvmcov=$(find_llvm_tool llvm-cov); then
    echo "campaign: WARNING: no coverage measure without llvm-profdata and llvm-cov" >&2
    measure=0
  fi
fi
has_engine() { [[ " ${engines[*]} " == *" $1 "* ]]; }
# The kind of engine (libfuzzer or afl) and the build each runs.
engine_kind() { echo "${1%-go}"; }
engine_build() {
  case "$1" in
    libfuzzer) echo build-fuzz ;; libfuzzer-go) echo build-fuzz-go ;;
    afl) echo build-afl ;; afl-go) echo build-afl-go ;;
  esac
}
# Go runs programs: the trace target has none.
runs_on() { # TARGET ENGINE
  [[ "$2" != *-go || "$1" != trace ]]
}

mkdir -p "$out" || exit 2
out=$(cd "$out" && pwd)
rel() { case "$1" in "$root"/*) echo "${1#"$root"/}" ;; *) echo "$1" ;; esac; }

# ---- build --------------------------------------------------------------------
# Only what the campaign runs, so a half-finished test elsewhere in the tree
# does not stop it: libFuzzer binaries and their replay drivers (ASan), the
# AFL++ plain, ASan and CmpLog builds, and the dev build's gomap command.
build_preset() { # PRESET TARGET...
  local preset=$1 log=$out/build-$1.log; shift
  local tgt=() t
  for t in "$@"; do tgt+=(--target "$t"); done
  printf 'campaign: building %-10s ' "$preset"
  local t0=$SECONDS
  if cmake --preset "$preset" >"$log" 2>&1 &&
     cmake --build --preset "$preset" -j "$jobs" "${tgt[@]}" >>"$log" 2>&1; then
    echo "ok ($((SECONDS - t0))s)"
  else
    echo "FAILED; the end of $(rel "$log"):"
    tail -20 "$log"
    exit 2
  fi
}
# The custom targets seeds_TARGET that compile the seed corpora (corpus/),
# for the targets run, if the build defines them.
seed_targets() { # BUILDDIR
  local have t
  have=$(cmake --build "$1" --target help 2>/dev/null | sed -n 's/^\(\.\.\. \)\{0,1\}\(seeds_[a-z]*\).*/\2/p')
  for t in "${targets[@]}"; do
    grep -qx "seeds_$t" <<<"$have" && echo "seeds_$t"
  done
}
if [ "$build" = 1 ]; then
  build_preset dev gomap_cli
  # always: triage replays with build-fuzz's (sanitized) replay drivers
  lf_targets=()
  for t in "${targets[@]}"; do lf_targets+=("fuzz_$t" "fuzz_${t}_replay"); done
  cmake --preset fuzz >/dev/null 2>&1
  build_preset fuzz "${lf_targets[@]}" $(seed_targets build-fuzz)
  if has_engine afl; then
    afl_targets=()
    for t in "${targets[@]}"; do afl_targets+=("fuzz_${t}_afl"); done
    build_preset afl "${afl_targets[@]}"
    build_preset afl-asan "${afl_targets[@]}"
    build_preset afl-cmplog "${afl_targets[@]}"
  fi
  # With Go: its runs, their triage, and the cross-check at the end.
  if [ "$have_go" = 1 ]; then
    go_targets=(gomap_cli)
    for t in "${targets[@]}"; do
      runs_on "$t" libfuzzer-go && go_targets+=("fuzz_$t" "fuzz_${t}_replay")
    done
    build_preset fuzz-go "${go_targets[@]}" $(seed_targets build-fuzz-go)
    if has_engine afl-go; then
      afl_targets=()
      for t in "${targets[@]}"; do runs_on "$t" afl-go && afl_targets+=("fuzz_${t}_afl"); done
      build_preset afl-go "${afl_targets[@]}"
    fi
  fi
  # The measure: every target's replay driver, so all share one scale.
  if [ "$measure" = 1 ]; then
    cov_targets=()
    for t in "${all_targets[@]}"; do cov_targets+=("fuzz_${t}_replay"); done
    build_preset coverage "${cov_targets[@]}"
  fi
fi
for t in "${targets[@]}"; do
  need=(build-fuzz/fuzz_${t}_replay)
  has_engine libfuzzer && need+=(build-fuzz/fuzz_$t)
  has_engine afl && need+=(build-afl/fuzz_${t}_afl)
  has_engine libfuzzer-go && runs_on "$t" libfuzzer-go && need+=(build-fuzz-go/fuzz_$t)
  has_engine afl-go && runs_on "$t" afl-go && need+=(build-afl-go/fuzz_${t}_afl)
  for b in "${need[@]}"; do
    [ -x "$b" ] || { echo "campaign: $b is missing (run without --no-build)" >&2; exit 2; }
  done
  if [ "$measure" = 1 ] && [ ! -x "build-coverage/fuzz_${t}_replay" ]; then
    echo "campaign: build-coverage/fuzz_${t}_replay is missing (run without --no-build, or --no-coverage)" >&2
    exit 2
  fi
done

# ---- inputs: seeds, dictionaries, options ---------------------------------------
# Starting inputs of TARGET, one directory a line: the seed corpus the
# build compiled from corpus/seeds/TARGET/*.trace, and the corpus the PR
# gate and earlier scheduled campaigns left (build-fuzz/gate-corpus/,
# restored from the CI cache by .github/workflows/).
seeds_of() { # TARGET
  local d
  [ "$use_seeds" = 1 ] || return 0
  for d in build-fuzz/corpus/seeds/$1 build-fuzz/gate-corpus/$1; do
    [ -d "$d" ] && [ -n "$(ls -A "$d" 2>/dev/null)" ] && echo "$root/$d"
  done
}
dict_of() { [ -f "corpus/dict/$1.dict" ] && echo "$root/corpus/dict/$1.dict"; }
# option NAME of the [libfuzzer] section of corpus/options/TARGET.options
options_of() { # TARGET -> "name=value" lines
  local f=corpus/options/$1.options
  [ -f "$f" ] || return 0
  awk '/^\[/ { s = ($0 ~ /^\[libfuzzer\]/) ; next }
       s && /=/ && !/^[ \t]*#/ { gsub(/[ \t]/, ""); print }' "$f"
}

# ---- runs -----------------------------------------------------------------------
declare -A inputs # PAIR -> the input directories the coverage measure replays, ':'-separated
rundir=$out/.run
rm -rf "$rundir"
mkdir -p "$rundir"
for t in "${targets[@]}"; do
  for e in "${engines[@]}"; do rm -rf "${out:?}/$t/$e"; done
done
rm -rf "$out/triage" "$out/triage.log" "$out/summary.md" "$out/summary.json" "$out/report"

# launch NAME DIR LOG SECONDS CMD...: CMD run in DIR under `timeout` (its
# own process group, killed as one), stderr+stdout stamped into LOG;
# NAME.pid holds the group id, NAME.rc the exit status once it ends.
launch() {
  local name=$1 dir=$2 log=$3 secs=$4; shift 4
  (
    trap '' INT # Ctrl-C is the campaign's to handle
    cd "$dir" || exit
    export GOMAP_CAMPAIGN_RUN=$run_tag/$name # see reap_leftovers
    start=${EPOCHREALTIME/./}
    sh -c 'echo $$ >"$0"; exec "$@"' "$rundir/$name.pid" \
      timeout -k 10 $((secs + 60)) "$@" </dev/null 2>&1 | stamp "$start" >"$log"
    echo "${PIPESTATUS[0]}" >"$rundir/$name.rc"
  ) &
}

# AFL++ 4.04c leaves the CmpLog forkserver's child behind, stopped, when it
# exits (-c 0): it is in a session of its own, so neither timeout nor the
# process group reaches it.  Every process of a run carries the run's name
# in its environment; once the run is over, what is left of it is killed,
# by pid.
run_tag=$$.$EPOCHSECONDS
reap_leftovers() { # NAME
  local f pid
  for f in $(grep -lzx "GOMAP_CAMPAIGN_RUN=$run_tag/$1" /proc/[0-9]*/environ 2>/dev/null); do
    pid=${f#/proc/} pid=${pid%/environ}
    [ "$pid" != "$BASHPID" ] && kill -KILL "$pid" 2>/dev/null
  done
}

start_libfuzzer() { # TARGET CORES SECONDS [ENGINE: libfuzzer, libfuzzer-go]
  local t=$1 cores=$2 secs=$3 e=${4:-libfuzzer} kv
  local d=$out/$t/$e bin=$root/$(engine_build "${4:-libfuzzer}")/fuzz_$1
  mkdir -p "$d/corpus" "$d/artifacts"
  # -timeout: libFuzzer's default (1200 s) would hide a hang in a short
  # campaign; 25 s is also what ci/triage.sh calls a hang.
  local args=(-max_total_time="$secs" -timeout=25 -artifact_prefix="$d/artifacts/" -print_final_stats=1)
  local dict_given=0
  while IFS= read -r kv; do
    [ -n "$kv" ] || continue
    case "$kv" in
      dict=*) args+=(-dict="$root/corpus/dict/${kv#dict=}"); dict_given=1 ;;
      *) args+=(-"$kv") ;;
    esac
  done < <(options_of "$t")
  [ "$dict_given" = 1 ] || { local dict; dict=$(dict_of "$t"); [ -n "$dict" ] && args+=(-dict="$dict"); }
  [ "$cores" -gt 1 ] && args+=(-fork="$cores")
  args+=("${lf_flags[@]}" "$d/corpus")
  local seeds
  while IFS= read -r seeds; do args+=("$seeds"); done < <(seeds_of "$t")
  echo "$bin ${args[*]}" >"$d/cmdline"
  # what the coverage measure replays: the corpus and the seeds it read
  local in=$d/corpus
  while IFS= read -r seeds; do in+=":$seeds"; done < <(seeds_of "$t")
  inputs[$t/$e]=$in
  echo "$t-$e" >>"$rundir/$t-$e.names"
  launch "$t-$e" "$d" "$d/log" "$secs" "$bin" "${args[@]}"
}
start_libfuzzer-go() { start_libfuzzer "$@" libfuzzer-go; }

# One seed directory for AFL++'s -i: seeds_of's one directory as it is,
# several copied into OUT/TARGET/afl/seeds/, none replaced by one small
# input (AFL++ refuses an empty directory).
afl_seeds() { # TARGET
  local dirs=() d i=0 s=$out/$1/afl/seeds f
  while IFS= read -r d; do dirs+=("$d"); done < <(seeds_of "$1")
  if [ ${#dirs[@]} -eq 1 ]; then echo "${dirs[0]}"; return; fi
  mkdir -p "$s"
  for d in "${dirs[@]}"; do
    i=$((i + 1))
    for f in "$d"/*; do [ -f "$f" ] && cp "$f" "$s/$i-${f##*/}"; done
  done
  if [ ${#dirs[@]} -eq 0 ]; then
    if [ "$1" = trace ]; then
      printf 'map u64 u64 seed=1\nput 1 2\nget 1\n' >"$s/seed"
    else
      head -c 96 /dev/zero | tr '\0' '\1' >"$s/seed"
    fi
  fi
  echo "$s"
}

start_afl() { # TARGET CORES SECONDS [ENGINE: afl, afl-go]
  local t=$1 cores=$2 secs=$3 e=${4:-afl} kv
  local d=$out/$t/$e
  mkdir -p "$d/sync"
  # Three calibration runs of a new input instead of eight: the targets
  # are deterministic (every random choice comes from the input), so the
  # extra runs would only find no variable behaviour, slowly.
  local -x AFL_FAST_CAL=1
  local common=(-i "$(afl_seeds "$t")" -o "$d/sync" -V "$secs" -m none)
  local dict; dict=$(dict_of "$t")
  [ -n "$dict" ] && common+=(-x "$dict")
  while IFS= read -r kv; do
    case "$kv" in max_len=*) common+=(-G "${kv#max_len=}") ;; esac
  done < <(options_of "$t")
  local plain=$root/build-afl/fuzz_${t}_afl asan=$root/build-afl-asan/fuzz_${t}_afl
  local cmplog=$root/build-afl-cmplog/fuzz_${t}_afl
  if [ "$e" = afl-go ]; then # one build: every instance runs it
    plain=$root/build-afl-go/fuzz_${t}_afl asan=$plain cmplog=$plain
  fi
  [ -x "$asan" ] || asan=$plain
  local i name role bin extra
  for ((i = 0; i < cores; i++)); do
    extra=()
    if [ "$cores" -eq 1 ]; then
      name=default role=() bin=$cmplog
    elif [ "$i" -eq 0 ]; then
      name=main role=(-M main) bin=$cmplog
    elif [ "$i" -eq 1 ]; then
      name=s1 role=(-S s1) bin=$asan
    else
      name=s$i role=(-S "s$i") bin=$plain
    fi
    if [ "$bin" = "$cmplog" ] && [ "$cmplog" != "$plain" ]; then
      if [ -x "$cmplog" ]; then extra=(-c 0); else bin=$plain; fi
    fi
    echo "afl-fuzz ${role[*]} ${common[*]} ${extra[*]} ${afl_flags[*]} -- $bin" >"$d/$name.cmdline"
    echo "$t-$e-$name" >>"$rundir/$t-$e.names"
    inputs[$t/$e]+="${inputs[$t/$e]:+:}$d/sync/$name/queue"
    # sanitizer options with leak detection on (ci/lib/sanitizer_options.sh)
    # shellcheck disable=SC2046 source=ci/lib/sanitizer_options.sh
    launch "$t-$e-$name" "$d" "$d/$name.log" "$secs" env $(. "$root/ci/lib/sanitizer_options.sh" && afl_sanitizer_env) \
      AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
      afl-fuzz "${role[@]}" "${common[@]}" "${extra[@]}" "${afl_flags[@]}" -- "$bin"
  done
}
start_afl-go() { start_afl "$@" afl-go; }

# ---- progress ---------------------------------------------------------------------
whole() { [[ "${1:-}" =~ ^[0-9]+ ]] && echo "${BASH_REMATCH[0]}" || echo 0; } # "12.5" -> 12, "inf" -> 0

# first_find TARGET ENGINE -> seconds from the run's start to its first
# crash, hang or OOM, or "-"
first_find() {
  local t=$1 e=$2 s f ms best=
  if [ "$(engine_kind "$e")" = libfuzzer ]; then
    s=$(grep -m1 -E '==== gomap fuzz failure|ERROR: (libFuzzer|AddressSanitizer|LeakSanitizer)|runtime error:' \
        "$out/$t/$e/log" 2>/dev/null | cut -d' ' -f1)
    echo "${s:--}"
    return
  fi
  # AFL++ names each saved input ...,time:MILLISECONDS,...
  for f in "$out/$t/$e/sync"/*/{crashes,hangs}/id:*; do
    [[ "$f" =~ ,time:([0-9]+) ]] || continue
    ms=${BASH_REMATCH[1]}
    if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
  done
  if [ -n "$best" ]; then printf '%d.%02d\n' $((best / 1000)) $((best % 1000 / 10)); else echo -; fi
}
# stats TARGET ENGINE -> "execs exec/s cov corpus crashes hangs ooms"
stats() { "stats_$(engine_kind "$2")" "$1" "$2"; }
stats_libfuzzer() { # TARGET ENGINE
  local d=$out/$1/$2 line execs=0 eps=0 cov=0 corp=0
  if [ -f "$d/log" ]; then
    # "#4096 pulse  cov: 312 ft: ... corp: 80/2Kb exec/s: 4096 ...", or in
    # fork mode "#4096: cov: 312 ft: ... corp: 80 exec/s: 4096 ..."
    # (tac: the last one, without reading a long log from its start; the
    # recommended dictionary printed at exit can be long)
    line=$(tac "$d/log" | grep -m1 -E '^[0-9.]+ #[0-9]+:?[[:space:]].*cov: ')
    [[ "$line" =~ \#([0-9]+) ]] && execs=${BASH_REMATCH[1]}
    [[ "$line" =~ exec/s:\ ([0-9]+) ]] && eps=${BASH_REMATCH[1]}
    [[ "$line" =~ cov:\ ([0-9]+) ]] && cov=${BASH_REMATCH[1]}
    [[ "$line" =~ corp:\ ([0-9]+) ]] && corp=${BASH_REMATCH[1]}
    # a run that crashed in its first second never printed a rate
    [ "$eps" = 0 ] && [[ "$line" =~ ^([0-9]+) ]] && [ "${BASH_REMATCH[1]}" -gt 0 ] &&
      eps=$((execs / BASH_REMATCH[1]))
    # the final statistics, once the run is over, are exact
    line=$(tail -c 3000 "$d/log" | sed -n 's/.*stat::number_of_executed_units: *\([0-9]*\).*/\1/p' | tail -1)
    [ -n "$line" ] && execs=$line
    line=$(tail -c 3000 "$d/log" | sed -n 's/.*stat::average_exec_per_sec: *\([0-9]*\).*/\1/p' | tail -1)
    [ -n "$line" ] && eps=$line
  fi
  local files; files=$(ls "$d/corpus" 2>/dev/null | wc -l)
  [ "$files" -gt "$corp" ] && corp=$files
  local crashes hangs ooms
  crashes=$(ls "$d/artifacts" 2>/dev/null | grep -cE '^(crash|leak)-')
  hangs=$(ls "$d/artifacts" 2>/dev/null | grep -c '^timeout-')
  ooms=$(ls "$d/artifacts" 2>/dev/null | grep -c '^oom-')
  echo "$execs $eps $cov $corp $crashes $hangs $ooms"
}
# AFL++ 4.04c writes fuzzer_stats at startup, then once a minute
# (STATS_UPDATE_SEC in its config.h) and at exit.  Until an instance's
# file has figures, its execs and exec/s come from the newest queue entry
# it found itself: AFL++ names each one ...,time:MS,execs:N,... (the
# executions done when it was found, so a lower bound).  Corpus and
# findings are counted from its directories, live.
stats_afl() { # TARGET ENGINE
  local d=$out/$1/$2/sync s f execs=- eps=- cov=- corp=0 crashes=0 hangs=0 n q
  for s in "$d"/*/; do
    [ -d "$s" ] || continue
    f=$s/fuzzer_stats
    n=$(ls "$s/queue" 2>/dev/null | grep -c '^id:')
    [ "$n" -gt "$corp" ] && corp=$n
    crashes=$((crashes + $(ls "$s/crashes" 2>/dev/null | grep -c '^id:')))
    hangs=$((hangs + $(ls "$s/hangs" 2>/dev/null | grep -c '^id:')))
    if [ -f "$f" ] && [ "$(whole "$(sed -n 's/^run_time *: *//p' "$f")")" -gt 0 ]; then
      execs=$(($(whole "$execs") + $(whole "$(sed -n 's/^execs_done *: *//p' "$f")")))
      eps=$(($(whole "$eps") + $(whole "$(sed -n 's/^execs_per_sec *: *//p' "$f")")))
      n=$(whole "$(sed -n 's/^edges_found *: *//p' "$f")")
      [ "$n" -gt "$(whole "$cov")" ] && cov=$n
    else
      q=$(ls "$s/queue" 2>/dev/null | grep ',time:[0-9]*,execs:' | tail -1)
      [[ "$q" =~ ,time:([0-9]+),execs:([0-9]+) ]] || continue
      execs=$(($(whole "$execs") + BASH_REMATCH[2]))
      # (a rate over less than a second, the seeds' calibration, means nothing)
      [ "${BASH_REMATCH[1]}" -ge 1000 ] &&
        eps=$(($(whole "$eps") + BASH_REMATCH[2] * 1000 / BASH_REMATCH[1]))
    fi
  done
  echo "$execs $eps $cov $corp $crashes $hangs 0"
}

pairs=()
declare -A wave_of # PAIR -> its wave (0-based)
waves=0 wave_pairs=0
for t in "${targets[@]}"; do
  tp=()
  for e in libfuzzer afl libfuzzer-go afl-go; do
    has_engine "$e" && runs_on "$t" "$e" && tp+=("$t/$e")
  done
  # a new wave unless this target's runs fit on the cores left in this one
  if [ "$wave_pairs" -eq 0 ] || [ $((wave_pairs + ${#tp[@]})) -gt "$jobs" ]; then
    [ "$wave_pairs" -gt 0 ] && waves=$((waves + 1))
    wave_pairs=0
  fi
  for p in "${tp[@]}"; do wave_of[$p]=$waves; pairs+=("$p"); done
  wave_pairs=$((wave_pairs + ${#tp[@]}))
done
waves=$((waves + 1))
npairs=${#pairs[@]}
slice=$((budget / waves))
wave_size() { # WAVE -> its number of runs
  local p n=0
  for p in "${pairs[@]}"; do [ "${wave_of[$p]}" = "$1" ] && n=$((n + 1)); done
  echo "$n"
}
cores_of() { # INDEX_IN_WAVE WAVE_SIZE -> cores (1 each when the wave has more runs than cores)
  if [ "$jobs" -le "$2" ]; then echo 1; return; fi
  echo $((jobs / $2 + ($1 < jobs % $2 ? 1 : 0)))
}

declare -A state started cores ended sampled_final until_s
for p in "${pairs[@]}"; do state[$p]=queued; done

human() { # N -> 1234, 12.3k, 4.5M ("-" stays)
  local n=$1
  if [ "$n" = - ]; then echo -
  elif [ "$n" -ge 10000000 ]; then echo "$((n / 1000000))M"
  elif [ "$n" -ge 1000000 ]; then echo "$((n / 1000000)).$((n / 100000 % 10))M"
  elif [ "$n" -ge 10000 ]; then echo "$((n / 1000))k"
  else echo "$n"; fi
}
# measured TARGET ENGINE -> "lines% branches% markers" of core/ + oracle/
# from the run's last coverage sample, or "- - -"
measured() {
  local f=$out/$1/$2/coverage/samples.tsv
  [ -f "$f" ] || { echo "- - -"; return; }
  tail -1 "$f" | awk -F'\t' '$1 ~ /^[0-9]/ {
      printf "%.1f %.1f %d/%d\n", ($5 ? 100 * $4 / $5 : 0), ($7 ? 100 * $6 / $7 : 0), $16, $17; ok = 1 }
    END { if (!ok) print "- - -" }'
}
pair_line() { # PAIR -> one progress line
  local p=$1 t=${1%/*} e=${1#*/} st el
  st=${state[$p]}
  if [ "$st" = queued ] || [ "$st" = skipped ]; then
    printf '  %-7s %-12s %-9s\n' "$t" "$e" "$st"
    return
  fi
  el=$((SECONDS - ${started[$p]}))
  [ -n "${ended[$p]:-}" ] && el=$((ended[$p] - started[$p]))
  local s; s=$(stats "$t" "$e")
  read -r execs eps cov corp crashes hangs ooms <<<"$s"
  read -r lines branches marks <<<"$(measured "$t" "$e")"
  printf '  %-7s %-12s %-9s %5ss %6s %6s %7s %8s %8s %8s %7s %5s %5s %5s\n' "$t" "$e" "$st" "$el" \
    "$lines" "$branches" "$marks" "$(human "$execs")" "$eps" "$cov" "$corp" "$crashes" "$hangs" "$ooms"
}
header_line() {
  printf '  %-7s %-12s %-9s %6s %6s %6s %7s %8s %8s %8s %7s %5s %5s %5s\n' target engine state time \
    lines% br% markers execs exec/s eng.cov corpus crash hang oom
}

tty=0
[ -t 1 ] && tty=1
drawn=0
# On a terminal the table is redrawn in place; in a log each block (every
# 30 s) is the time, the header and the rows of the runs going on.
draw() {
  local lines=()
  lines+=("campaign: $((SECONDS - t_start))s of ${budget}s, wave $((wave + 1)) of $waves")
  lines+=("$(header_line)")
  local p
  for p in "${pairs[@]}"; do lines+=("$(pair_line "$p")"); done
  if [ "$tty" = 1 ]; then
    [ "$drawn" -gt 0 ] && printf '\033[%dA' "$drawn"
    printf '\033[K%s\n' "${lines[@]}"
    drawn=${#lines[@]}
  else
    # the runs going on; once none is, every run (the final figures)
    printf '%s\n' "${lines[0]}" "${lines[1]}"
    for p in "${pairs[@]}"; do
      [ "${state[$p]}" = running ] || [ "$running" -eq 0 ] && pair_line "$p"
    done
  fi
}

kill_run() { # PAIR
  local n pid
  for n in $(cat "$rundir/${1/\//-}.names" 2>/dev/null); do
    pid=$(cat "$rundir/$n.pid" 2>/dev/null) || continue
    kill -TERM -- "-$pid" 2>/dev/null
  done
}
interrupted=0
on_int() {
  if [ "$interrupted" = 1 ]; then
    echo "campaign: interrupted twice, stopping now" >&2
    for p in "${pairs[@]}"; do [ "${state[$p]}" = running ] && kill_run "$p"; done
    [ -n "$sampler_pid" ] && kill "$sampler_pid" 2>/dev/null
    exit 130
  fi
  interrupted=1
  echo
  echo "campaign: interrupted: stopping the runs, then summary and triage (Ctrl-C again to quit)" >&2
  for p in "${pairs[@]}"; do [ "${state[$p]}" = running ] && kill_run "$p"; done
}
trap on_int INT TERM

run_done() { # PAIR -> true when every process of it has ended
  local n
  for n in $(cat "$rundir/${1/\//-}.names" 2>/dev/null); do
    [ -f "$rundir/$n.rc" ] || return 1
  done
  for n in $(cat "$rundir/${1/\//-}.names" 2>/dev/null); do
    reap_leftovers "$n"
  done
  return 0
}

plural() { [ "$1" = 1 ] && echo "$1 $2" || echo "$1 ${2}s"; }

# ---- the coverage measure ---------------------------------------------------------------
# write_specs FILE ALL: one line per run to measure (ci/campaign_coverage.py
# sample's input): with ALL=1 every running run, as of now; always each
# run that has ended and was not yet measured since, as of its end.
write_specs() {
  local p t e cs rs st
  : >"$1"
  for p in "${pairs[@]}"; do
    t=${p%/*} e=${p#*/}
    if [ "${state[$p]}" = running ] && [ "$2" = 1 ]; then
      cs=$((SECONDS - t_start)) rs=$((SECONDS - started[$p]))
      st="running"$'\t'"${until_s[$p]}"
    elif [ -n "${ended[$p]:-}" ] && [ -z "${sampled_final[$p]:-}" ]; then
      cs=$((ended[$p] - t_start)) rs=$((ended[$p] - started[$p])) st=ended
      sampled_final[$p]=1
    else
      continue
    fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$out/$t/$e" "$t" "$cs" "$rs" "${inputs[$p]}" "$st" >>"$1"
  done
}
measure_cmd=(python3 "$root/ci/campaign_coverage.py" sample --root "$root"
  --build "$root/build-coverage" --profdata "${profdata:-}" --llvm-cov "${llvmcov:-}")
# At nice 19 the measure barely ran beside three fuzzers on two cores
# (about 1% of a core: a 5 s measurement took minutes), at 5 a round
# still took 30-80 s of wall time for 4-15 s of CPU; at 2 it yields to
# the fuzzers a little and its work, seconds of CPU a minute, is done
# while it still describes the runs.
measure_nice=2
sampler_pid=
# (a file says when it is over: kill -0 would still find it, a zombie,
# until the shell next waits)
sampler_busy() { [ -n "$sampler_pid" ] && [ ! -e "$rundir/sampler.done" ]; }
# One measuring process at a time, at the lowest priority, in the
# background: the fuzzers keep the cores.
start_sampler() {
  write_specs "$rundir/sample.spec" 1
  [ -s "$rundir/sample.spec" ] || return 0
  rm -f "$rundir/sampler.done"
  { nice -n "$measure_nice" "${measure_cmd[@]}" --campaign-start "$t_start_epoch" <"$rundir/sample.spec" >>"$out/coverage.log" 2>&1
    : >"$rundir/sampler.done"; } &
  sampler_pid=$!
}

echo "campaign: $(plural "$npairs" run) (${targets[*]} x ${engines[*]}) on $(plural "$jobs" core)," \
     "$(plural "$waves" wave) of about ${slice}s, a target's engines side by side;" \
     "budget ${budget}s; output in $(rel "$out")/"
[ "$use_seeds" = 0 ] && echo "campaign: from an empty corpus (--no-seeds)"
if [ "$measure" = 1 ]; then
  echo "campaign: coverage of core/ and oracle/ measured every ${cov_interval}s (build-coverage/; log: $(rel "$out")/coverage.log)"
else
  echo "campaign: no coverage measure (--no-coverage): the engines' own counters only"
fi
[ ${#lf_flags[@]} -gt 0 ] && echo "campaign: libFuzzer flags: ${lf_flags[*]}"
[ ${#afl_flags[@]} -gt 0 ] && echo "campaign: afl-fuzz flags: ${afl_flags[*]}"
: >"$out/coverage.log"
t_start=$SECONDS
t_start_epoch=$EPOCHSECONDS
deadline=$((t_start + budget))
wave=-1 running=0 last_plain=$((SECONDS - 30)) last_sample=$t_start
while :; do
  # reap
  for p in "${pairs[@]}"; do
    if [ "${state[$p]}" = running ] && run_done "$p"; then
      ended[$p]=$SECONDS
      s=$(stats "${p%/*}" "${p#*/}")
      read -r _ _ _ _ c h o <<<"$s"
      if [ $((c + h + o)) -gt 0 ]; then state[$p]=found; else state[$p]=done; fi
      running=$((running - 1))
    fi
  done
  # the next wave, once every run of the last one has ended: the budget
  # left shared by the waves left (at least 10 s; runs overrun their time
  # by a second or two at startup and exit)
  if [ "$interrupted" = 0 ] && [ "$running" -eq 0 ] && [ $((wave + 1)) -lt "$waves" ]; then
    wave=$((wave + 1))
    secs=$(((deadline - SECONDS) / (waves - wave)))
    [ "$secs" -lt 10 ] && secs=10
    n=$(wave_size "$wave") i=0
    for p in "${pairs[@]}"; do
      [ "${wave_of[$p]}" = "$wave" ] || continue
      c=$(cores_of "$i" "$n")
      started[$p]=$SECONDS cores[$p]=$c state[$p]=running
      until_s[$p]=$((SECONDS - t_start + secs + 5)) # its time, start and exit
      "start_${p#*/}" "${p%/*}" "$c" "$secs"
      running=$((running + 1)) i=$((i + 1))
    done
    # measure at once what the runs start from (their seeds)
    last_sample=$((SECONDS - cov_interval))
  fi
  if [ "$interrupted" = 1 ]; then
    for p in "${pairs[@]}"; do [ "${state[$p]}" = queued ] && state[$p]=skipped; done
  fi
  if [ "$measure" = 1 ] && ! sampler_busy && [ $((SECONDS - last_sample)) -ge "$cov_interval" ]; then
    start_sampler
    last_sample=$SECONDS
  fi
  if [ "$tty" = 1 ] || [ $((SECONDS - last_plain)) -ge 30 ]; then
    draw
    last_plain=$SECONDS
  fi
  [ "$running" -eq 0 ] && { [ "$interrupted" = 1 ] || [ $((wave + 1)) -ge "$waves" ]; } && break
  sleep 1 &
  wait $! 2>/dev/null
done
wait 2>/dev/null
# the last measurement of every run not measured since it ended
if [ "$measure" = 1 ]; then
  write_specs "$rundir/sample.spec" 0
  if [ -s "$rundir/sample.spec" ]; then
    echo "campaign: measuring the last coverage of $(plural "$(wc -l <"$rundir/sample.spec")" run)"
    drawn=0 # on a terminal, the table again below that line
    "${measure_cmd[@]}" --campaign-start "$t_start_epoch" <"$rundir/sample.spec" >>"$out/coverage.log" 2>&1 ||
      echo "campaign: WARNING: the coverage measure failed, see $(rel "$out")/coverage.log" >&2
  fi
fi
draw # the final figures

# ---- triage ------------------------------------------------------------------------
findings=()
nflaky=0 nnew=0 ndup=0
triage_one() { # TARGET ENGINE FILE
  local all res env=(TRIAGE_ENGINE="$(engine_kind "$2")")
  # a Go run's finding is replayed and minimized with Go in the loop
  case "$2" in
    *-go) env+=(GOMAP_FUZZ_BUILD="$root/build-fuzz-go" GOMAP_CLI="$root/build-fuzz-go/gomap"
                GOMAP_AFL_BUILD="$root/build-afl-go") ;;
  esac
  echo "== $1 $2 $3" >>"$out/triage.log"
  all=$(env "${env[@]}" ./ci/triage.sh "$1" "$3" "$out/triage" 2>>"$out/triage.log")
  printf '%s\n' "$all" >>"$out/triage.log"
  res=$(tail -1 <<<"$all")
  case "$res" in
    "triage: NEW "*) nnew=$((nnew + 1)); findings+=("$res")
      grep -E '^(triage: new|  reproducer|  replay)' <<<"$all" | sed 's/^/  /' ;;
    "triage: DUPLICATE "*) ndup=$((ndup + 1)) ;; # counted, listed in ID/duplicates.txt
    "triage: FLAKY "*) nflaky=$((nflaky + 1)); echo "  $res ($(rel "$3"))" ;;
    *) echo "  campaign: triage of $(rel "$3") gave no result (see $(rel "$out")/triage.log)" >&2 ;;
  esac
}
# AFL++ keeps every input that crashed along a new path, often hundreds
# for one bug; the first TRIAGE_MAX of each run are triaged (most are
# duplicates, one replay each), the rest only counted.
triage_max=${TRIAGE_MAX:-50}
files=() untriaged=0
for p in "${pairs[@]}"; do
  t=${p%/*} e=${p#*/} n=0
  if [ "$(engine_kind "$e")" = libfuzzer ]; then
    set -- "$out/$t/$e/artifacts"/{crash,leak,timeout,oom}-*
  else
    set -- "$out/$t/$e/sync"/*/{crashes,hangs}/id:*
  fi
  for f; do
    [ -f "$f" ] || continue
    if [ "$n" -lt "$triage_max" ]; then files+=("$t $e $f"); n=$((n + 1))
    else untriaged=$((untriaged + 1)); fi
  done
done
if [ ${#files[@]} -gt 0 ]; then
  echo "campaign: triaging $(plural ${#files[@]} file) (log: $(rel "$out")/triage.log)"
  for x in "${files[@]}"; do
    read -r t e f <<<"$x"
    triage_one "$t" "$e" "$f"
  done
  [ "$ndup" -gt 0 ] && echo "  $(plural "$ndup" duplicate) of the above (each listed in its ID/duplicates.txt)"
fi

# ---- every input used or grown, against Go ------------------------------------------
# What the runs started from (the gate's corpus; the seeds and the kept
# traces are always included) and what they grew, compared with Go's
# runtime map after every operation.
crosscheck="skipped: no Go 1.19"
if [ "$have_go" = 1 ] && [ ! -x build-fuzz-go/gomap ]; then
  crosscheck="skipped: no build-fuzz-go/gomap (run without --no-build)"
elif [ "$have_go" = 1 ]; then
  cc_args=(--build build-fuzz-go)
  for t in "${targets[@]}"; do
    runs_on "$t" libfuzzer-go || continue
    for d in "build-fuzz/gate-corpus/$t" "$out/$t"/{libfuzzer,libfuzzer-go}/corpus \
             "$out/$t"/{afl,afl-go}/sync/*/queue; do
      [ -d "$d" ] && cc_args+=(--corpus "$t=$d")
    done
  done
  echo "campaign: cross-checking every input with Go's runtime map (log: $(rel "$out")/go-crosscheck.log)"
  if ./ci/go-crosscheck.sh "${cc_args[@]}" >"$out/go-crosscheck.log" 2>&1; then
    crosscheck="passed: $(grep -o '^  .* [0-9]* inputs agree' "$out/go-crosscheck.log" |
      grep -o '[0-9]* inputs agree' | awk '{n += $1} END {print n + 0}') inputs agree"
  else
    crosscheck="FAILED: the port and Go's runtime map differ, see $(rel "$out")/go-crosscheck.log"
  fi
  echo "  $crosscheck"
fi

# ---- summary --------------------------------------------------------------------------
# What only this script knows goes into OUT/.run/*.tsv; ci/campaign_summary.py
# joins it with the coverage samples into summary.json and summary.md, and
# ci/campaign_report.py renders the report from summary.json.
{
  printf 'date\t%s\n' "$(date -u +%Y-%m-%dT%H:%MZ -d "@$t_start_epoch")"
  printf 'budget_s\t%s\njobs\t%s\nwaves\t%s\nslice_s\t%s\n' "$budget" "$jobs" "$waves" "$slice"
  printf 'seeds\t%s\nmeasure\t%s\ncoverage_interval_s\t%s\n' "$use_seeds" "$measure" "$cov_interval"
  printf 'triage_new\t%s\ntriage_duplicate\t%s\ntriage_flaky\t%s\n' "$nnew" "$ndup" "$nflaky"
  printf 'untriaged\t%s\ntriage_max\t%s\ncrosscheck\t%s\n' "$untriaged" "$triage_max" "$crosscheck"
  printf 'interrupted\t%s\n' "$interrupted"
} >"$rundir/meta.tsv"
{
  printf 'target\tengine\tstate\twave\tinstances\tstart_s\tseconds\texecs\texec_per_s\tengine_cov\tcorpus\tcrashes\thangs\tooms\tfirst_find_s\n'
  for p in "${pairs[@]}"; do
    t=${p%/*} e=${p#*/}
    if [ "${state[$p]}" = queued ] || [ "${state[$p]}" = skipped ]; then
      printf '%s\t%s\tskipped\t%s\t0\t-\t0\t-\t-\t-\t-\t-\t-\t-\t-\n' "$t" "$e" "${wave_of[$p]}"
      continue
    fi
    read -r execs eps cov corp c h o <<<"$(stats "$t" "$e")"
    el=$(( ${ended[$p]:-$SECONDS} - started[$p] ))
    printf '%s\t' "$t" "$e" "${state[$p]}" "${wave_of[$p]}" "${cores[$p]}" \
      $((started[$p] - t_start)) "$el" "$execs" "$eps" "$cov" "$corp" "$c" "$h" "$o"
    first_find "$t" "$e"
  done
} >"$rundir/pairs.tsv"
{
  printf 'id\ttarget\tdir\treplay\n'
  for r in "${findings[@]}"; do
    read -r _ _ t id dir <<<"$r"
    case "$dir" in /*) ;; *) dir=$root/$dir ;; esac
    cmd=$(sed -n 's/^cd "[^"]*" && exec //p' "$dir/replay.sh" 2>/dev/null)
    printf '%s\t%s\t%s\t%s\n' "$id" "$t" "$dir" "$cmd"
  done
} >"$rundir/findings.tsv"
if [ "$measure" = 1 ]; then
  run_dirs=()
  for p in "${pairs[@]}"; do [ -d "$out/$p/coverage" ] && run_dirs+=("$out/$p"); done
  echo "campaign: coverage of all runs together, and its HTML report"
  "${measure_cmd[@]:0:2}" union --root "$root" --build "$root/build-coverage" \
    --profdata "$profdata" --llvm-cov "$llvmcov" --out "$out/report/coverage" --html \
    "${run_dirs[@]}" >>"$out/coverage.log" 2>&1 ||
    echo "campaign: WARNING: the union of the runs' coverage failed, see $(rel "$out")/coverage.log" >&2
fi
python3 ci/campaign_summary.py "$out" || echo "campaign: WARNING: no summary.json (above)" >&2
if [ -s "$out/triage/buckets.tsv" ]; then # ci/triage.sh: one line per distinct bug
  { echo
    echo "Buckets (bucket, check, findings, reproducer; ci/triage.sh --save DIR commits one):"
    echo; sed -n '2,$s/^/    /p' "$out/triage/buckets.tsv"; echo
  } >>"$out/summary.md"
fi
mkdir -p "$out/report"
./ci/plot-campaign.sh "$out" -d "$out/report" >"$out/report/plot.log" 2>&1 ||
  echo "campaign: WARNING: no plots: $(tail -1 "$out/report/plot.log")" >&2
[ -f "$out/summary.json" ] && python3 ci/campaign_report.py "$out" &&
  echo "campaign: report: $(rel "$out")/report/index.html"
echo
cat "$out/summary.md"

if [ $((nnew + ndup)) -gt 0 ]; then
  echo
  echo "campaign: FINDINGS: reproducers in $(rel "$out")/triage/ (ci/triage.sh --save DIR commits one)"
  exit 1
fi
if [[ "$crosscheck" == FAILED* ]]; then
  echo
  echo "campaign: FINDINGS: inputs on which the port and Go's runtime map differ: $(rel "$out")/go-crosscheck.log"
  exit 1
fi
[ "$interrupted" = 1 ] && exit 130
echo "campaign: nothing found"
exit 0
