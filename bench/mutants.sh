#!/usr/bin/env bash
# Mutant detection: how fast the fuzzer finds deliberately broken cores.
# Each bench/mutants/NAME.patch breaks core/ in one small, realistic way;
# the script builds a fuzz target against each broken core, fuzzes it and
# prints, as a markdown table, how often and how fast the harness flagged it.
#
#   bench/mutants.sh [--seconds N] [--runs N] [--mutants LIST] [--no-seeds]
#                    [--engine libfuzzer|libfuzzer-go|afl|both|all]
#                    [--no-control] [--out FILE]
#
#   --seconds N     budget of one fuzzing run (default 60)
#   --runs N        runs per mutant and engine, seeds 1..N (default 3)
#   --mutants LIST  comma-separated names of bench/mutants/*.patch (default all)
#   --no-seeds      start from an empty corpus, not the compiled seed corpus
#   --engine E      libfuzzer: preset fuzz, libFuzzer + ASan + UBSan (default):
#                   the model, the invariants and the policy checks alone
#                   libfuzzer-go: preset fuzz-go, the same with Go's own
#                   runtime map in the loop (go.dump, go.iter)
#                   afl: preset afl, afl-fuzz on the plain AFL++ build
#                   both: libfuzzer and afl; all: all three
#                   both: one row each
#   --no-control    skip the control run on the unbroken core
#   --out FILE      also write the table there (default build-mutants/table.md)
#
# For each mutant: the committed tree (git archive HEAD, so edits in the
# working tree do not leak in) is unpacked under build-mutants/tmp.*/, the
# patch applied with `patch -p1 --fuzz=0` (the script stops if it does not
# apply), the tree configured with the engine's preset into its own build
# dir and only the mutant's target and its seed corpus built (-j1).  The
# target is the patch header's `# target:` line (ops if none).  Each run is
# pinned to core 1 (taskset -c 1, when there are 2 cores or more), starts
# from a fresh copy of <build>/corpus/seeds/TARGET/ (or from nothing, or
# for AFL++ one 96-byte input, with --no-seeds), with corpus/dict/TARGET.dict:
#   libFuzzer  fuzz_TARGET -max_len=1024 -max_total_time=N -seed=RUN -timeout=25
#   AFL++      afl-fuzz -V N -s RUN -G 1024 -x DICT, AFL_BENCH_UNTIL_CRASH=1
# and stops at its first finding.  Time to find is wall time from the
# moment the fuzzer was started (its start-up and seed loading included)
# to the first finding: libFuzzer, when its first failure line
# (`==== gomap fuzz failure`, a sanitizer report) was read from its output;
# AFL++, the mtime of its first crash or hang file (runs.tsv also has
# AFL++'s own `time:` clock, which starts after its start-up).  A seed that
# crashes the AFL++ build is a find at 0 s, without fuzzing (afl-fuzz would
# only skip it, with a warning).  The check id is the verdict's (`invariant.I4`,
# `iter.stale_value`, ...), or asan.KIND / ubsan / timeout / oom / crash;
# for AFL++ the crash file is replayed to get it.  The median counts a run
# that found nothing as slower than any that did: `> N` when half the runs
# or more found nothing.
#
# Control: unless --no-control, the unbroken committed core is built and
# fuzzed the same way, one run (seed 1) per target and engine used, before
# the mutants; it must find nothing.
#
# Kept in build-mutants/results/ (replaced on each invocation): per run its
# log (libFuzzer output prefixed by seconds since start; afl-fuzz's output
# and stats) and finding files, build logs, and runs.tsv, one line per run.
# The temporary trees, builds and corpora are removed on exit.
#
# Exit 0: the control found nothing and every mutant was found at least
# once; 1: a mutant was never found or the control was flagged; 2: bad
# flags, a patch that does not apply, or a failed build.
set -euo pipefail
export LC_ALL=C

root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=ci/lib/stamp.sh
. "$root/ci/lib/stamp.sh"
# shellcheck source=ci/lib/check_id.sh
. "$root/ci/lib/check_id.sh"
seconds=60
runs=3
mutants_arg=
seeds=1
engine=libfuzzer
control=1
work=$root/build-mutants
out=$work/table.md
max_len=1024

usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; }
die() { echo "bench/mutants.sh: $*" >&2; exit 2; }
accepted="accepted: --seconds N, --runs N, --mutants LIST, --no-seeds, --engine libfuzzer|libfuzzer-go|afl|both|all, --no-control, --out FILE, -h"
need_number() { [[ "$2" =~ ^[1-9][0-9]*$ ]] || die "$1 wants a positive number, got '$2' ($accepted)"; }
need_value() { [ -n "$2" ] || die "$1 wants a value ($accepted)"; }

while [ $# -gt 0 ]; do
	case $1 in
	--seconds) need_number "$1" "${2:-}"; seconds=$2; shift 2 ;;
	--runs) need_number "$1" "${2:-}"; runs=$2; shift 2 ;;
	--mutants) need_value "$1" "${2:-}"; mutants_arg=$2; shift 2 ;;
	--no-seeds) seeds=0; shift ;;
	--engine) need_value "$1" "${2:-}"; engine=$2; shift 2 ;;
	--no-control) control=0; shift ;;
	--out) need_value "$1" "${2:-}"; out=$2; shift 2 ;;
	-h|--help) usage; exit 0 ;;
	*) die "unknown option '$1' ($accepted)" ;;
	esac
done

case $engine in
libfuzzer) engines=(libfuzzer) ;;
libfuzzer-go) engines=(libfuzzer-go) ;;
afl) engines=(afl) ;;
both) engines=(libfuzzer afl) ;;
all) engines=(libfuzzer libfuzzer-go afl) ;;
*) die "unknown engine '$engine' (accepted: libfuzzer, libfuzzer-go, afl, both, all)" ;;
esac
if [[ " ${engines[*]} " == *" libfuzzer-go "* ]] && ! command -v go >/dev/null; then
	die "--engine $engine needs Go 1.19 (Debian package golang-go) for Go's map in the loop"
fi
if [[ " ${engines[*]} " == *" afl "* ]]; then
	if ! command -v afl-fuzz >/dev/null || ! command -v afl-clang-fast >/dev/null; then
		die "--engine $engine needs afl-fuzz and afl-clang-fast (Debian package afl++)"
	fi
fi
command -v patch >/dev/null || die "needs patch(1)"

all_mutants=()
for p in "$root"/bench/mutants/*.patch; do
	[ -f "$p" ] && all_mutants+=("$(basename "$p" .patch)")
done
[ ${#all_mutants[@]} -gt 0 ] || die "no bench/mutants/*.patch"
mutants=()
if [ -z "$mutants_arg" ]; then
	mutants=("${all_mutants[@]}")
else
	for m in ${mutants_arg//,/ }; do
		m=${m%.patch}
		case " ${all_mutants[*]} " in
		*" $m "*) mutants+=("$m") ;;
		*) die "unknown mutant '$m' (accepted: $(printf '%s, ' "${all_mutants[@]}" | sed 's/, $//'))" ;;
		esac
	done
	[ ${#mutants[@]} -gt 0 ] || die "--mutants names no mutant"
fi

case $out in /*) ;; *) out=$PWD/$out ;; esac
mkdir -p "$(dirname "$out")" || die "cannot create the directory of $out"

# One core for the fuzzers and the builds: core 0 is left to benchmarks.
pin=()
if command -v taskset >/dev/null && [ "$(nproc 2>/dev/null || echo 1)" -ge 2 ]; then
	pin=(taskset -c 1)
fi

commit=$(git -C "$root" rev-parse HEAD) || die "$root is not a git checkout"
short=${commit:0:10}
mkdir -p "$work"
results=$work/results
rm -rf "$results"
mkdir -p "$results"
tmp=$(mktemp -d "$work/tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

log() { echo "$*" >&2; }

# The mutant's fuzz target: the patch header's "# target: NAME" line.
target_of() { # MUTANT
	local t
	t=$(sed -n 's/^# target: *\([a-z]*\).*/\1/p' "$root/bench/mutants/$1.patch" | head -1)
	case ${t:-ops} in
	ops|iter|faults) echo "${t:-ops}" ;;
	*) die "bench/mutants/$1.patch: unknown target '$t' (accepted: ops, iter, faults)" ;;
	esac
}

# prepare NAME [PATCH]: the committed tree in $tmp/NAME/src, patched.
prepare() {
	local name=$1 patchfile=${2:-} src=$tmp/$1/src
	mkdir -p "$src"
	git -C "$root" archive "$commit" | tar -x -C "$src"
	[ -n "$patchfile" ] || return 0
	if ! patch -p1 --batch --forward --fuzz=0 --no-backup-if-mismatch -d "$src" \
		<"$patchfile" >"$results/$name/patch.log" 2>&1; then
		cat "$results/$name/patch.log" >&2
		die "bench/mutants/$name.patch does not apply to HEAD ($short)"
	fi
}

# build NAME ENGINE TARGET: configures and builds into $tmp/NAME/build-ENGINE.
build() {
	local name=$1 e=$2 t=$3 src=$tmp/$1/src dir=$tmp/$1/build-$2
	local blog=$results/$1/build-$2.log preset bin t0=$SECONDS
	case $e in
	libfuzzer) preset=fuzz bin=fuzz_$t ;;
	libfuzzer-go) preset=fuzz-go bin=fuzz_$t ;;
	afl) preset=afl bin=fuzz_${t}_afl ;;
	esac
	printf '== %s: build %s (preset %s) ' "$name" "$e" "$preset" >&2
	if (cd "$src" && cmake --preset "$preset" -B "$dir") >"$blog" 2>&1 &&
		"${pin[@]}" cmake --build "$dir" -j 1 --target "$bin" "seeds_$t" >>"$blog" 2>&1; then
		log "ok ($((SECONDS - t0)) s)"
	else
		log "FAILED; the end of ${blog#"$root"/}:"
		tail -20 "$blog" >&2
		exit 2
	fi
}

# A run's seed directory: a fresh copy of the compiled seeds, or nothing.
fresh_inputs() { # BUILD TARGET DIR [afl]
	mkdir -p "$3"
	if [ "$seeds" = 1 ]; then
		[ -n "$(ls -A "$1/corpus/seeds/$2" 2>/dev/null)" ] ||
			die "no compiled seed corpus in $1/corpus/seeds/$2"
		cp "$1/corpus/seeds/$2"/* "$3"/
	elif [ "${4:-}" = afl ]; then
		# AFL++ refuses an empty input directory (as ci/campaign.sh does)
		head -c 96 /dev/zero | tr '\0' '\1' >"$3/seed"
	fi
}

# run_libfuzzer NAME TARGET RUN [ENGINE] -> "FOUND SECONDS EXECS ID"
run_libfuzzer() {
	local name=$1 t=$2 r=$3 e=${4:-libfuzzer} src=$tmp/$1/src
	local build=$tmp/$1/build-$e rd=$results/$1/$2-$e-run$3
	local corpus=$tmp/$1/corpus-$2-$e-$3
	mkdir -p "$rd/artifacts"
	fresh_inputs "$build" "$t" "$corpus"
	local args=(-max_len="$max_len" -max_total_time="$seconds" -seed="$r" -timeout=25
		-print_final_stats=1 -artifact_prefix="$rd/artifacts/")
	[ -f "$src/corpus/dict/$t.dict" ] && args+=(-dict="$src/corpus/dict/$t.dict")
	echo "${pin[*]} fuzz_$t ${args[*]//"$src"\//} CORPUS" >"$rd/cmdline"
	local start=${EPOCHREALTIME/./}
	{
		rc=0
		"${pin[@]}" timeout -k 10 $((seconds + 60)) "$build/fuzz_$t" "${args[@]}" "$corpus" 2>&1 || rc=$?
		echo "bench/mutants.sh: exit status $rc"
	} </dev/null | stamp "$start" >"$rd/log"
	rm -rf "$corpus"
	local found=0 secs=- execs id=-
	execs=$(sed -n 's/.*stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$rd/log" | tail -1)
	if [ -n "$(ls -A "$rd/artifacts")" ]; then
		found=1
		secs=$(grep -m1 -E '==== gomap fuzz failure|ERROR: (libFuzzer|AddressSanitizer|LeakSanitizer)|runtime error:' \
			"$rd/log" | cut -d' ' -f1) || true
		# no failure line: the exit, a little late
		[ -n "$secs" ] || secs=$(tail -1 "$rd/log" | cut -d' ' -f1)
		local exit_status
		exit_status=$(sed -n 's/.*bench\/mutants.sh: exit status \([0-9]*\)$/\1/p' "$rd/log" | tail -1)
		id=$(check_id_of "$exit_status" <"$rd/log")
	fi
	echo "$found $secs ${execs:--} $id -"
}

# run_afl NAME TARGET RUN -> "FOUND SECONDS EXECS ID"
run_afl() {
	local name=$1 t=$2 r=$3 src=$tmp/$1/src build=$tmp/$1/build-afl
	local rd=$results/$1/$2-afl-run$3 inputs=$tmp/$1/afl-in-$2-$3
	local bin=$build/fuzz_${t}_afl
	mkdir -p "$rd"
	fresh_inputs "$build" "$t" "$inputs" afl
	local args=(-i "$inputs" -o "$rd/out" -V "$seconds" -s "$r" -m none -G "$max_len")
	[ -f "$src/corpus/dict/$t.dict" ] && args+=(-x "$src/corpus/dict/$t.dict")
	echo "${pin[*]} afl-fuzz ${args[*]//"$src"\//} -- fuzz_${t}_afl" >"$rd/cmdline"
	local found=0 secs=- execs='' id=- f ms best='' first=''
	# A seed that crashes is a find before fuzzing begins (0 s); afl-fuzz
	# would skip it with a warning and look on: replay the seeds first.
	for f in "$inputs"/*; do
		[ -f "$f" ] || continue
		if ! "$bin" "$f" >"$rd/seed-replay.log" 2>&1; then
			cp "$f" "$rd/crashing-seed"
			first=$rd/crashing-seed best=0
			echo "a seed crashes: $(basename "$f"), not fuzzed" >"$rd/log"
			break
		fi
	done
	local start=${EPOCHREALTIME/./} mtime afl_ms=-
	if [ -z "$first" ]; then
		# (not AFL_SUPPRESS_ERROR_MSGS: afl-fuzz 4.04c does not know it,
		# warns "Mistyped AFL environment variable" and sleeps 2 s)
		env -u ASAN_OPTIONS -u UBSAN_OPTIONS AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 \
			AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_BENCH_UNTIL_CRASH=1 \
			"${pin[@]}" timeout -k 10 $((seconds + 120)) afl-fuzz "${args[@]}" -- "$bin" \
			</dev/null >"$rd/log" 2>&1 || true
		execs=$(awk -F: '/^execs_done/ {gsub(/ /, "", $2); print $2}' \
			"$rd/out/default/fuzzer_stats" 2>/dev/null) || true
		# the first finding by AFL++'s own clock (",time:MS", counted from
		# the end of its start-up), then its wall time by the file's mtime
		for f in "$rd/out/default"/{crashes,hangs}/id:*; do
			[[ "$f" =~ ,time:([0-9]+) ]] || continue
			ms=${BASH_REMATCH[1]}
			if [ "$afl_ms" = - ] || [ "$ms" -lt "$afl_ms" ]; then afl_ms=$ms first=$f; fi
		done
		if [ -n "$first" ]; then
			mtime=$(stat -c %.6Y "$first")
			best=$(((${mtime/./} - start) / 1000))
			# executions up to the find, not to the exit
			[[ "$first" =~ ,execs:([0-9]+) ]] && execs=${BASH_REMATCH[1]}
		fi
	fi
	rm -rf "$inputs"
	if [ -n "$first" ]; then
		found=1
		secs=$(printf '%d.%02d' $((best / 1000)) $((best % 1000 / 10)))
		if [[ "$first" == */hangs/* ]]; then
			id=timeout
		else
			local rrc=0
			timeout 60 "$bin" "$first" >"$rd/replay.log" 2>&1 || rrc=$?
			id=$(check_id_of "$rrc" <"$rd/replay.log")
		fi
	fi
	echo "$found $secs ${execs:--} $id $afl_ms"
}

# median over the runs, a run that found nothing counting as infinitely
# slow: "X.XX", or "> N" when the median is such a run.
median() { # "FOUND SECONDS" lines on stdin
	awk '{ print ($1 == 1 ? $2 : "inf") }' | sort -g | awk -v budget="$seconds" '
	{ v[NR] = $1 }
	END {
		if (NR == 0) { print "-"; exit }
		if (NR % 2) { m = v[(NR + 1) / 2] } else {
			a = v[NR / 2]; b = v[NR / 2 + 1]
			m = (a == "inf" || b == "inf") ? "inf" : (a + b) / 2
		}
		if (m == "inf") print "> " budget; else printf "%.2f\n", m
	}'
}

rows=()
never_found=()
control_flagged=0
tsv=$results/runs.tsv
printf 'mutant\ttarget\tengine\tseeds\trun\tfound\tseconds\texecs\tcheck\tafl_clock_s\n' >"$tsv"
seeds_label=$([ "$seeds" = 1 ] && echo yes || echo no)

# measure NAME LABEL TARGET ENGINE NRUNS: runs, and one table row
measure() {
	local name=$1 label=$2 t=$3 e=$4 n=$5 r res found secs execs id aflms clock note
	local lines="" ids="" nfound=0
	for ((r = 1; r <= n; r++)); do
		case $e in
		libfuzzer | libfuzzer-go) res=$(run_libfuzzer "$name" "$t" "$r" "$e") || true ;;
		afl) res=$(run_afl "$name" "$t" "$r") || true ;;
		esac
		read -r found secs execs id aflms <<<"$res" || true
		# a die inside the run's subshell
		[ -n "${found:-}" ] || exit 2
		clock=-
		[ "$aflms" = - ] || clock=$(printf '%d.%03d' $((aflms / 1000)) $((aflms % 1000)))
		printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$label" "$t" "$e" "$seeds_label" \
			"$r" "$found" "$secs" "$execs" "$id" "$clock" >>"$tsv"
		if [ "$found" = 1 ]; then
			nfound=$((nfound + 1))
			ids+="$id"$'\n'
			note=
			[ "$clock" = - ] || note=", AFL++ clock $clock s"
			log "   $t/$e run $r: found in $secs s ($id, $execs execs$note)"
		else
			log "   $t/$e run $r: nothing in $seconds s ($execs execs)"
		fi
		lines+="$found ${secs/-/0}"$'\n'
	done
	local med idlist
	med=$(printf '%s' "$lines" | median)
	# each distinct id, with how many runs gave it when there were several
	idlist=$(printf '%s' "$ids" | sed '/^$/d' | sort | uniq -c |
		awk -v n="$n" '{ printf "%s%s", (NR > 1 ? ", " : ""), $2 (n > 1 ? " (" $1 ")" : "") }')
	rows+=("| $label | $t | $e | $seeds_label | $nfound/$n | $med | ${idlist:--} |")
	if [ "$name" = control ]; then
		[ "$nfound" -eq 0 ] || control_flagged=1
	elif [ "$nfound" -eq 0 ]; then
		never_found+=("$label ($t, $e)")
	fi
}

log "bench/mutants.sh: HEAD $short, ${seconds} s per run, $runs run(s), seeds: $seeds_label, engine: $engine${pin[*]:+, pinned: ${pin[*]}}"
log "  results: ${results#"$root"/}/"

if [ "$control" = 1 ]; then
	# the targets the selected mutants use, once each
	ctargets=()
	for m in "${mutants[@]}"; do
		t=$(target_of "$m")
		case " ${ctargets[*]} " in *" $t "*) ;; *) ctargets+=("$t") ;; esac
	done
	mkdir -p "$results/control"
	prepare control
	for e in "${engines[@]}"; do
		for t in "${ctargets[@]}"; do
			build control "$e" "$t"
			measure control "none (HEAD)" "$t" "$e" 1
		done
	done
	rm -rf "${tmp:?}/control"
fi

for m in "${mutants[@]}"; do
	t=$(target_of "$m")
	mkdir -p "$results/$m"
	prepare "$m" "$root/bench/mutants/$m.patch"
	for e in "${engines[@]}"; do
		build "$m" "$e" "$t"
		measure "$m" "$m" "$t" "$e" "$runs"
	done
	rm -rf "${tmp:?}/$m"
done

{
	echo "Mutant detection, ${seconds} s budget per run, $runs run(s) per mutant, one core ($(uname -m), $(date -u +%F)), HEAD $short"
	echo
	echo "| mutant | target | engine | seeds | runs found/total | median time to find (s) | check id(s) |"
	echo "|---|---|---|---|---|---|---|"
	printf '%s\n' "${rows[@]}"
} | tee "$out"

status=0
if [ "$control_flagged" = 1 ]; then
	log "bench/mutants.sh: the control (unbroken core) was flagged: the figures above mean nothing; see ${results#"$root"/}/control/"
	status=1
fi
if [ ${#never_found[@]} -gt 0 ]; then
	log "bench/mutants.sh: never found within ${seconds} s: ${never_found[*]}"
	status=1
fi
exit "$status"
