#!/usr/bin/env bash
# Rare-path markers reached from an empty corpus: for each run, each
# binary target's libFuzzer (ASan + UBSan, preset fuzz) fuzzes an empty
# corpus directory for --seconds, with its dictionary and max_len, two
# targets at a time; then the inputs it kept are replayed, window by
# window of their discovery time (file mtime), through the coverage
# build's replay drivers, and llvm-cov says which `coverage-marker:`
# lines of core/ (docs/design.md, "Rare paths") the union of the
# targets' corpora reached by the end of each window.  Prints a markdown
# table: per marker, the first window that reached it in each run and
# their median ("-" never), then each target's exec/s per run.
#
#   bench/markers_from_empty.sh [--seconds N] [--runs N] [--targets LIST]
#                               [--windows LIST] [--no-build]
#                               [--scratch DIR] [--out FILE]
#
#   --seconds N     fuzzing time per target and run (default 60: a default
#                   240-s ci/campaign.sh on 2 cores gives each of its
#                   eight target/engine pairs 60 s)
#   --runs N        independent runs (default 3)
#   --targets LIST  ops,iter,faults (default all three)
#   --windows LIST  seconds, ascending, the last one --seconds at most
#                   (default 5,15,30,60,120,240 cut at --seconds)
#   --no-build      use the existing build-fuzz/ and build-coverage/
#   --scratch DIR   where corpora and profiles go (default: a fresh
#                   directory under /dev/shm when writable, else
#                   build-markers/)
#   --out FILE      also write the table there
#
# A time is an upper bound: libFuzzer replaces an input it shrinks
# (REDUCE) by a new file, so an early find can carry a later mtime.
# Exit status: 0 the table was printed; 2 bad usage; 3 a tool failed.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
. "$src/ci/lib/help.sh"
help_if_asked "$0" "$@"

seconds=60 runs=3 targets=ops,iter,faults windows= build=1 scratch= out=
usage() { echo "bench/markers_from_empty.sh: $*; accepted: --seconds N, --runs N, --targets LIST, --windows LIST, --no-build, --scratch DIR, --out FILE, --help" >&2; exit 2; }
need_number() { [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || usage "$1 wants a positive whole number"; }
while [ $# -gt 0 ]; do
	case $1 in
	--seconds) need_number "$1" "${2:-}"; seconds=$2; shift 2 ;;
	--runs) need_number "$1" "${2:-}"; runs=$2; shift 2 ;;
	--targets) [ -n "${2:-}" ] || usage "--targets wants a list"; targets=$2; shift 2 ;;
	--windows) [ -n "${2:-}" ] || usage "--windows wants a list"; windows=$2; shift 2 ;;
	--no-build) build=0; shift ;;
	--scratch) [ -n "${2:-}" ] || usage "--scratch wants a directory"; scratch=$2; shift 2 ;;
	--out) [ -n "${2:-}" ] || usage "--out wants a file"; out=$2; shift 2 ;;
	*) usage "unknown option '$1'" ;;
	esac
done
IFS=, read -r -a tlist <<<"$targets"
for t in "${tlist[@]}"; do
	case $t in ops | iter | faults) ;; *) usage "no binary target '$t' (ops, iter, faults)" ;; esac
done
if [ -z "$windows" ]; then
	windows=
	for w in 5 15 30 60 120 240; do
		[ "$w" -lt "$seconds" ] && windows="$windows${windows:+,}$w"
	done
	windows="$windows${windows:+,}$seconds"
fi
IFS=, read -r -a wlist <<<"$windows"
last=0
for w in "${wlist[@]}"; do
	[[ "$w" =~ ^[1-9][0-9]*$ ]] && [ "$w" -gt "$last" ] && [ "$w" -le "$seconds" ] ||
		usage "--windows wants ascending seconds up to --seconds ($seconds)"
	last=$w
done

tool() { # NAME: NAME-14 (clang's version) or NAME
	local ver c
	ver=$(clang -dumpversion 2>/dev/null | cut -d. -f1 || true)
	for c in ${ver:+$1-$ver} "$1"; do
		command -v "$c" >/dev/null 2>&1 && { echo "$c"; return 0; }
	done
	echo "bench/markers_from_empty.sh: $1 not found (ci/install-deps.sh)" >&2
	exit 3
}
profdata=$(tool llvm-profdata) llvmcov=$(tool llvm-cov)

cd "$src"
if [ "$build" = 1 ]; then
	cmake --preset fuzz >/dev/null && cmake --preset coverage >/dev/null || exit 3
	for t in "${tlist[@]}"; do
		cmake --build build-fuzz -j2 --target "fuzz_$t" >/dev/null &&
			cmake --build build-coverage -j2 --target "fuzz_${t}_replay" >/dev/null || exit 3
	done
fi
for t in "${tlist[@]}"; do
	[ -x "build-fuzz/fuzz_$t" ] && [ -x "build-coverage/fuzz_${t}_replay" ] ||
		{ echo "bench/markers_from_empty.sh: build-fuzz/fuzz_$t or build-coverage/fuzz_${t}_replay missing (drop --no-build)" >&2; exit 3; }
done

if [ -z "$scratch" ]; then
	if [ -d /dev/shm ] && [ -w /dev/shm ]; then
		scratch=$(mktemp -d /dev/shm/markers.XXXXXX)
	else
		scratch=$src/build-markers
	fi
fi
rm -rf "$scratch" && mkdir -p "$scratch" || exit 3

# fuzz RUN TARGET: libFuzzer from an empty corpus; its start in $scratch/RUN/TARGET.start
fuzz() {
	local d=$scratch/$1/$2 len
	mkdir -p "$d/corpus"
	len=$(sed -n 's/^max_len *= *//p' "corpus/options/$2.options")
	date +%s >"$d.start"
	"build-fuzz/fuzz_$2" -max_total_time="$seconds" -max_len="${len:-1024}" \
		-dict="corpus/dict/$2.dict" -print_final_stats=1 "$d/corpus" >"$d.log" 2>&1 || true
}

# markers WINDOW_PROFDATA: the names of the markers whose line ran
markers() {
	local objs=() t
	for t in "${tlist[@]}"; do objs+=(-object "build-coverage/fuzz_${t}_replay"); done
	"$llvmcov" export -format=lcov -instr-profile="$1" "${objs[@]:1}" "$src/core" \
		2>/dev/null >"$1.lcov"
	python3 - "$src" "$1.lcov" <<'EOF'
import sys
sys.path.insert(0, sys.argv[1] + "/ci")
import coverage_report as cr
root = sys.argv[1]
lines = cr.read_lcov_lines(sys.argv[2], root)
for name, f, ln in cr.find_markers(root, "core"):
    if lines.get(f, {}).get(cr.marked_line(root, f, ln)):
        print(name)
EOF
}

# reached RUN: for each window, the markers the targets' inputs found by
# then reached, one file per window ($scratch/RUN/reached.W)
reached() {
	local r=$1 prev=-1 w t start f
	for w in "${wlist[@]}"; do
		mkdir -p "$scratch/$r/prof.$w"
		for t in "${tlist[@]}"; do
			start=$(cat "$scratch/$r/$t.start")
			mkdir -p "$scratch/$r/$t.win$w"
			# the last window also takes what was written as the run ended
			find "$scratch/$r/$t/corpus" -type f -printf '%T@ %p\n' | while read -r m f; do
				d=$((${m%.*} - start))
				if [ "$d" -gt "$prev" ] && { [ "$d" -le "$w" ] || [ "$w" = "${wlist[-1]}" ]; }; then
					ln -s "$f" "$scratch/$r/$t.win$w/"
				fi
			done
			if [ -n "$(ls "$scratch/$r/$t.win$w")" ]; then
				LLVM_PROFILE_FILE="$scratch/$r/prof.$w/$t-%p.profraw" \
					"build-coverage/fuzz_${t}_replay" "$scratch/$r/$t.win$w" >/dev/null 2>&1 || true
			fi
		done
		# cumulative: every window so far
		local raws=()
		mapfile -t raws < <(find "$scratch/$r" -path "*/prof.*" -name '*.profraw' |
			while read -r f; do
				pw=${f#"$scratch/$r/prof."}; pw=${pw%%/*}
				[ "$pw" -le "$w" ] && echo "$f"
			done)
		if [ ${#raws[@]} -gt 0 ]; then
			"$profdata" merge -sparse -o "$scratch/$r/upto.$w.profdata" "${raws[@]}"
			markers "$scratch/$r/upto.$w.profdata" >"$scratch/$r/reached.$w"
		else
			: >"$scratch/$r/reached.$w"
		fi
		prev=$w
	done
}

for r in $(seq 1 "$runs"); do
	echo "== run $r of $runs: ${tlist[*]} from empty, $seconds s each, two at a time" >&2
	i=0
	for t in "${tlist[@]}"; do
		fuzz "$r" "$t" &
		i=$((i + 1))
		[ $((i % 2)) = 0 ] && wait
	done
	wait
	reached "$r"
done

all=$(python3 - "$src" <<'EOF'
import sys
sys.path.insert(0, sys.argv[1] + "/ci")
import coverage_report as cr
for name, _, _ in cr.find_markers(sys.argv[1], "core"):
    print(name)
EOF
)
table() {
	echo "Rare-path markers from an empty corpus: ${tlist[*]}, libFuzzer + ASan + UBSan, $seconds s each, $runs runs ($(date -u +%F))"
	echo
	printf '| marker |'; for r in $(seq 1 "$runs"); do printf ' run %s |' "$r"; done; echo ' median |'
	printf '|---|'; for r in $(seq 1 "$runs"); do printf -- '---|'; done; echo '---|'
	local m r w first times never=0
	for m in $all; do
		times=()
		for r in $(seq 1 "$runs"); do
			first=-
			for w in "${wlist[@]}"; do
				grep -qxF "$m" "$scratch/$r/reached.$w" && { first="≤$w s"; break; }
			done
			times+=("$first")
		done
		# median over runs, "-" counting as later than any window
		med=$(printf '%s\n' "${times[@]}" | sed 's/^≤//; s/ s$//; s/^-$/999999/' | sort -n |
			sed -n "$(( (runs + 1) / 2 ))p")
		[ "$med" = 999999 ] && { med=-; never=$((never + 1)); } || med="≤$med s"
		printf '| %s |' "$m"; printf ' %s |' "${times[@]}"; echo " $med |"
	done
	echo
	echo "$never of $(echo "$all" | wc -w) markers not reached in the median run"
	echo
	printf '| target | exec/s per run |\n|---|---|\n'
	for t in "${tlist[@]}"; do
		printf '| %s |' "$t"
		for r in $(seq 1 "$runs"); do
			printf ' %s' "$(sed -n 's/^stat::average_exec_per_sec: *//p' "$scratch/$r/$t.log")"
		done
		echo ' |'
	done
}
table | tee ${out:+"$out"}
