#!/usr/bin/env bash
# Fuzzing throughput: exec/s per target and engine, with and without
# sanitizers, at the input length cap, printed as a markdown table.
#
#   bench/fuzz_throughput.sh [--seconds N] [--runs N] [--targets LIST]
#                            [--variants LIST] [--max-len N] [--no-build]
#                            [--scratch DIR] [--baseline REV] [--out FILE]
#
#   --seconds N    length of one fuzzing run (default 30)
#   --runs N       runs per cell; the table shows their median (default 3)
#   --targets LIST ops,iter,faults,trace (default all)
#   --variants LIST any of
#                  libfuzzer-asan  libFuzzer, ASan + UBSan (preset fuzz)
#                  libfuzzer       libFuzzer, no sanitizers
#                  afl             AFL++ afl-clang-fast (preset afl)
#                  afl-asan        AFL++ with ASan + UBSan (preset afl-asan)
#                  libfuzzer-go    libFuzzer, ASan + UBSan, and Go's runtime
#                                  map in the loop (preset fuzz-go)
#                  (default: the first four; AFL ones are skipped without
#                  afl-fuzz)
#   --max-len N    input length cap (default 1024, as the issue states it)
#   --no-build     use the existing build directories
#   --scratch DIR  where the runs' corpora and AFL++ output go (default: a
#                  fresh directory in /dev/shm when that is a writable
#                  tmpfs, else build-fuzzbench/)
#   --baseline REV also measure the libFuzzer + ASan + UBSan target of git
#                  revision REV (built from `git archive REV` under
#                  build-fuzzbench/, fed the same seeds), one more row per
#                  target: interleaved with the others round by round, its
#                  ratio to the current row holds even while the machine's
#                  speed drifts
#   --out FILE     also write the table there (default build-fuzzbench/table.md)
#
# Every run starts from a fresh copy of the target's compiled seed corpus,
# on one core (taskset -c 0 when available), and reports the engine's own
# figure: libFuzzer's final "exec/s", AFL++'s execs_per_sec from
# fuzzer_stats.  The corpus a run writes to lives on tmpfs, as AFL++'s
# docs advise for output directories: libFuzzer saves every new input as a
# file, and on this machine's ext4, creating ~2,000 files right after
# deleting the last run's cost 15-25% of the figure (perf: ext4_create,
# find_inode_bit), which measured the disk, not the target.  libFuzzer
# runs with its default length control, which is how campaigns run; the
# `ops` target gets one more row with -len_control=0, where every mutation
# may use the whole cap at once.  Runs go round by round (run 1 of every
# cell, then run 2, ...), so a slow stretch of the machine hits every
# cell alike.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
seconds=30
runs=3
targets=ops,iter,faults,trace
variants=libfuzzer-asan,libfuzzer,afl,afl-asan
max_len=1024
build=1
work=$root/build-fuzzbench
out=$work/table.md
scratch=
baseline=

usage() { awk 'NR > 1 && !/^#/ {exit} NR > 1 {sub(/^# ?/, ""); print}' "$0"; }
die() { echo "bench/fuzz_throughput.sh: $*" >&2; exit 2; }
need_number() { [[ "$2" =~ ^[1-9][0-9]*$ ]] || die "$1 wants a positive number, got '$2'"; }

while [ $# -gt 0 ]; do
	case $1 in
	--seconds) need_number "$1" "${2:-}"; seconds=$2; shift 2 ;;
	--runs) need_number "$1" "${2:-}"; runs=$2; shift 2 ;;
	--targets) targets=${2:?--targets wants a list}; shift 2 ;;
	--variants) variants=${2:?--variants wants a list}; shift 2 ;;
	--max-len) need_number "$1" "${2:-}"; max_len=$2; shift 2 ;;
	--no-build) build=0; shift ;;
	--scratch) scratch=${2:?--scratch wants a directory}; shift 2 ;;
	--baseline) baseline=${2:?--baseline wants a git revision}; shift 2 ;;
	--out) out=${2:?--out wants a file}; shift 2 ;;
	-h|--help) usage; exit 0 ;;
	*) die "unknown option '$1' (accepted: --seconds N, --runs N, --targets LIST, --variants LIST, --max-len N, --no-build, --scratch DIR, --baseline REV, --out FILE)" ;;
	esac
done
for t in ${targets//,/ }; do
	case $t in ops|iter|faults|trace) ;; *) die "unknown target '$t' (accepted: ops, iter, faults, trace)" ;; esac
done
for v in ${variants//,/ }; do
	case $v in libfuzzer-asan|libfuzzer|afl|afl-asan|libfuzzer-go) ;; *) die "unknown variant '$v' (accepted: libfuzzer-asan, libfuzzer, afl, afl-asan, libfuzzer-go)" ;; esac
done
if [ -n "$baseline" ]; then
	git -C "$root" rev-parse -q --verify "$baseline^{commit}" >/dev/null ||
		die "--baseline: '$baseline' is not a commit of this repository"
	baseline_short=$(git -C "$root" rev-parse --short "$baseline^{commit}")
	baseline_rev=$(git -C "$root" rev-parse "$baseline^{commit}")
fi

have_afl=1
command -v afl-fuzz >/dev/null && command -v afl-clang-fast >/dev/null || have_afl=0
pin=()
command -v taskset >/dev/null && pin=(taskset -c 0)
jobs=$(nproc 2>/dev/null || echo 2)

# The build directory and the binary of a variant.
dir_of() {
	case $1 in
	libfuzzer-asan) echo "$root/build-fuzz" ;;
	libfuzzer) echo "$root/build-fuzz-nosan" ;;
	afl) echo "$root/build-afl" ;;
	afl-asan) echo "$root/build-afl-asan" ;;
	libfuzzer-go) echo "$root/build-fuzz-go" ;;
	baseline) echo "$work/baseline-build" ;;
	esac
}
bin_of() {
	case $1 in
	libfuzzer*|baseline) echo "$(dir_of "$1")/fuzz_$2" ;;
	afl*) echo "$(dir_of "$1")/fuzz_$2_afl" ;;
	esac
}

configure() {
	case $1 in
	libfuzzer-asan) cmake --preset fuzz >/dev/null ;;
	libfuzzer) cmake --preset fuzz -B "$(dir_of libfuzzer)" -DGOMAP_FUZZ_SANITIZE=OFF >/dev/null ;;
	afl) cmake --preset afl >/dev/null ;;
	afl-asan) cmake --preset afl-asan >/dev/null ;;
	libfuzzer-go) cmake --preset fuzz-go >/dev/null ;;
	baseline)
		rm -rf "$work/baseline-src" && mkdir -p "$work/baseline-src"
		git -C "$root" archive "$baseline" | tar -x -C "$work/baseline-src"
		# git archive dates every file at REV's commit: objects built
		# from a later revision look newer than an earlier one's
		# sources and would not be rebuilt, so the build directory is
		# kept only for the revision it was built from
		local stamp
		stamp=$(dir_of baseline)/gomap-baseline-rev
		[ "$(cat "$stamp" 2>/dev/null)" = "$baseline_rev" ] ||
			rm -rf "$(dir_of baseline)"
		cmake -S "$work/baseline-src" --preset fuzz -B "$(dir_of baseline)" >/dev/null
		echo "$baseline_rev" >"$stamp" ;;
	esac
}

selected=()
for v in ${variants//,/ }; do
	if [[ $v == afl* && $have_afl == 0 ]]; then
		echo "bench/fuzz_throughput.sh: afl-fuzz/afl-clang-fast not installed; skipping $v" >&2
		continue
	fi
	selected+=("$v")
done
[ ${#selected[@]} -gt 0 ] || die "no variant left to measure"
[ -n "$baseline" ] && selected+=(baseline)

cd "$root"
if [ "$build" = 1 ]; then
	for v in "${selected[@]}"; do
		echo "== build $v ($(dir_of "$v"))" >&2
		configure "$v"
		cmake --build "$(dir_of "$v")" -j "$jobs" >/dev/null
	done
fi

seeds_of() {
	local d
	for d in "$(dir_of "$1")/corpus/seeds/$2" "$root/build/corpus/seeds/$2"; do
		if [ -d "$d" ] && [ -n "$(ls -A "$d")" ]; then echo "$d"; return; fi
	done
	die "no compiled seed corpus for $2 (build the project first)"
}

# One libFuzzer run: prints its final exec/s.
run_libfuzzer() {
	local bin=$1 seeds=$2 seed=$3; shift 3
	local corpus=$scratch/run-corpus
	rm -rf "$corpus" && mkdir -p "$corpus" && cp "$seeds"/* "$corpus"/
	"${pin[@]}" "$bin" -max_len="$max_len" -max_total_time="$seconds" \
		-seed="$seed" -print_final_stats=1 "$@" "$corpus" 2>"$work/run.log" \
		>/dev/null || true
	grep -aE '^#[0-9]+[[:space:]]+DONE' "$work/run.log" | tail -1 |
		sed -E 's/.*exec\/s: ([0-9]+).*/\1/'
}

# One AFL++ run: prints execs_per_sec from fuzzer_stats.
run_afl() {
	local bin=$1 seeds=$2 seed=$3
	local outd=$scratch/run-afl
	rm -rf "$outd"
	AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
	AFL_NO_AFFINITY=1 AFL_QUIET=1 \
		"${pin[@]}" afl-fuzz -i "$seeds" -o "$outd" -V "$seconds" -s "$seed" \
		-m none -G "$max_len" -- "$bin" >"$work/run.log" 2>&1 || true
	awk -F: '/^execs_per_sec/ {gsub(/ /, "", $2); printf "%d\n", $2}' \
		"$outd"/default/fuzzer_stats 2>/dev/null
}

median_and_range() { # numbers on stdin -> "median min max"
	sort -n | awk '{v[NR] = $1} END {
		if (NR == 0) { print "- - -"; exit }
		m = NR % 2 ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2)
		print m, v[1], v[NR] }'
}

mkdir -p "$work"
if [ -z "$scratch" ]; then
	if [ "$(stat -f -c %T /dev/shm 2>/dev/null)" = tmpfs ] && [ -w /dev/shm ]; then
		scratch=$(mktemp -d /dev/shm/gomap-fuzzbench.XXXXXX)
		trap 'rm -rf "$scratch"' EXIT
	else
		scratch=$work
	fi
fi
mkdir -p "$scratch"
# The cells of the table: variant, target, label and libFuzzer flags.
cells=()
for t in ${targets//,/ }; do
	for v in "${selected[@]}"; do
		bin=$(bin_of "$v" "$t")
		[ -x "$bin" ] || die "$bin is missing (build $v, or drop --no-build)"
		if [ "$v" = baseline ]; then
			cells+=("$v|$t| (at $baseline_short)|")
			continue
		fi
		cells+=("$v|$t||")
		if [[ $t == ops && $v == libfuzzer* ]]; then
			cells+=("$v|$t| (-len_control=0)|-len_control=0")
		fi
	done
done

# One run of a cell; prints its exec/s.
run_cell() { # cell run
	local v t label flags bin seeds x
	IFS='|' read -r v t label flags <<<"$1"
	bin=$(bin_of "$v" "$t")
	seeds=$(seeds_of "${v/#baseline/libfuzzer-asan}" "$t") # the same seeds
	if [[ $v == libfuzzer* || $v == baseline ]]; then
		# shellcheck disable=SC2086 # flags is a word list
		x=$(run_libfuzzer "$bin" "$seeds" "$2" $flags)
	else
		x=$(run_afl "$bin" "$seeds" "$2")
	fi
	[ -n "$x" ] || die "$v $t run $2 gave no figure; see $work/run.log"
	echo "  $v $t$label run $2: $x exec/s" >&2
	echo "$x"
}

# Rounds, not cells, outermost: this machine's speed drifts by a third
# over minutes (another tenant, the kernel's DAMON reclaim thread), and a
# slow stretch should hit run r of every cell, not every run of one cell.
declare -A values
for r in $(seq 1 "$runs"); do
	for c in "${cells[@]}"; do
		values[$c]+="$(run_cell "$c" "$r")"$'\n'
	done
done

rows=()
for c in "${cells[@]}"; do
	IFS='|' read -r v t label _ <<<"$c"
	read -r med lo hi < <(printf '%s' "${values[$c]}" | median_and_range)
	san=no
	engine=${v%-asan}
	[[ $v == *asan ]] && san="ASan + UBSan"
	[ "$v" = libfuzzer-go ] && engine="libfuzzer, Go in the loop" san="ASan + UBSan"
	[ "$v" = baseline ] && engine=libfuzzer san="ASan + UBSan"
	rows+=("| $t$label | $engine | $san | $max_len | $med | $lo–$hi | $runs |")
done

# With a baseline: per target, the median over rounds of current / baseline
# (the two runs of a round are a minute apart at most).
ratios=()
for t in ${targets//,/ }; do
	now=${values["libfuzzer-asan|$t||"]:-}
	then=${values["baseline|$t| (at ${baseline_short:-})|"]:-}
	[ -n "$now" ] && [ -n "$then" ] || continue
	r=$(paste <(printf '%s' "$now") <(printf '%s' "$then") |
		awk '{printf "%d\n", 1000 * $1 / $2}' | median_and_range |
		awk '{printf "%.2f (rounds: %.2f to %.2f)", $1 / 1000, $2 / 1000, $3 / 1000}')
	ratios+=("$t, libFuzzer + ASan + UBSan: this tree runs $r times the exec/s of $baseline_short (median of per-round ratios)")
done

{
	echo "Fuzzing throughput, ${seconds} s per run, median of $runs runs, one core, run corpora in $(stat -f -c %T "$scratch") ($(date -u +%F))"
	echo
	echo "| target | engine | sanitizers | max_len | exec/s (median) | min–max | runs |"
	echo "|---|---|---|---|---|---|---|"
	printf '%s\n' "${rows[@]}"
	[ ${#ratios[@]} -eq 0 ] || { echo; printf '%s\n' "${ratios[@]}"; }
} | tee "$out"
