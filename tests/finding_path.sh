#!/bin/sh
# tests/finding_path.sh SRC WORK GOMAP GOCHECK
#
# The path from a fuzz finding to a committed regression, end to end, on
# deliberately broken cores (GOMAP_TEST_BREAK, core/map_internal.h):
#   load_factor_one_late  a doubling growth starts one insert late
#                         (policy.grow), and a hint at the load factor's
#                         boundary gets one doubling too few (policy.hint:
#                         make tests the hint the same way; a seed has one)
#   nevacuate_stuck       evacuation never advances nevacuate
#                         (policy.evacuate)
# For each break, a libFuzzer build (ASan + UBSan) of fuzz_ops, its replay
# driver and gomap in WORK/<break>/ (kept between runs, so only the first
# run builds from scratch), then:
#   1. fuzz_ops on the compiled seed corpus (corpus/seeds/ops) stops with a
#      crash whose verdict is the break's check id;
#   2. ci/triage.sh files that crash in a bucket named after the check id;
#   3. ci/triage.sh files three made-up findings into one directory: two
#      programs that hit the first break (40 and 12 puts) and one that hits
#      the second: two buckets, the first with count 2 and the 12-put input
#      (the smaller) as its input.bin; buckets.tsv lists both;
#   4. ci/triage.sh --save writes each bucket as WORK/regressions/NAME.trace
#      + NAME.expected (Go's output, from GOCHECK), refuses to overwrite
#      (exit 2), and conformance_check.sh's regression replay fails with
#      the broken gomap and passes with GOMAP (the correct core); it
#      refuses (exit 3, nothing written) without gocheck and for a trace
#      Go cannot follow (fail-alloc).
# Without GOCHECK (no Go 1.19) step 4 is skipped and so is the test (77).
# Prints what failed; exit 0 when every step held.
set -u
. "$(dirname "$0")/../ci/lib/help.sh"
help_if_asked "$0" "$@"
[ $# -eq 4 ] || { echo "usage: tests/finding_path.sh SRC WORK GOMAP GOCHECK" >&2; exit 2; }
src=$1 work=$2 good=$3 gocheck=$4
mkdir -p "$work" || exit 1
work=$(cd "$work" && pwd)
fail=0
bad() { echo "FAIL: $*"; fail=1; }
start=$(date +%s)

build_broken() { # BREAK -> WORK/BREAK with fuzz_ops, fuzz_ops_replay, gomap
	b=$work/$1
	if [ ! -f "$b/CMakeCache.txt" ]; then
		cmake -S "$src" -B "$b" -DCMAKE_C_COMPILER=clang \
		  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGOMAP_FUZZ_LIBFUZZER=ON \
		  -DGOMAP_BUILD_BENCH=OFF -DGOMAP_GO_CROSSCHECK=OFF \
		  -DGOMAP_TEST_BREAK="$1" >"$work/$1.configure.log" 2>&1 ||
		  { cat "$work/$1.configure.log"; return 1; }
	fi
	cmake --build "$b" -j 2 --target fuzz_ops fuzz_ops_replay gomap_cli \
	  >"$work/$1.build.log" 2>&1 || { tail -n 30 "$work/$1.build.log"; return 1; }
}

puts() { # N: a program of N puts of u64 keys 1..N
	echo "map u64 u64 seed=1"
	i=1
	while [ "$i" -le "$1" ]; do echo "put $i $i"; i=$((i + 1)); done
}

# ---- seeds, and the made-up findings, compiled by the correct gomap ----------
rm -rf "$work/seeds" "$work/inputs" "$work/triage" "$work/fuzz-triage" "$work/regressions"
mkdir -p "$work/seeds" "$work/inputs"
for t in "$src"/corpus/seeds/ops/*.trace; do
	n=$(basename "$t" .trace)
	"$good" compile --target ops "$t" -o "$work/seeds/$n" >/dev/null ||
	  bad "gomap compile $t"
done
for n in 40 12 200; do
	puts "$n" >"$work/inputs/puts$n.trace"
	"$good" compile --target ops "$work/inputs/puts$n.trace" -o "$work/inputs/puts$n.bin" ||
	  bad "gomap compile puts$n"
done

triage() { # BREAK ARGS...: ci/triage.sh with that break's build
	b=$work/$1
	shift
	GOMAP_FUZZ_BUILD=$b GOMAP_CLI=$b/gomap TRIAGE_MIN_TIME=5 \
	  "$src/ci/triage.sh" "$@"
}

for brk in load_factor_one_late nevacuate_stuck; do
	case $brk in
	load_factor_one_late) check='policy\.(grow|hint)' ;;
	*) check='policy\.evacuate' ;;
	esac
	build_broken "$brk" || { bad "build with GOMAP_TEST_BREAK=$brk"; continue; }
	b=$work/$brk
	# ---- 1. the fuzzer finds it --------------------------------------------
	rm -rf "$work/fuzz-$brk" && mkdir -p "$work/fuzz-$brk/corpus"
	(cd "$work/fuzz-$brk" && "$b/fuzz_ops" -max_total_time=60 -timeout=10 \
	  -seed=1 -error_exitcode=77 -artifact_prefix="$work/fuzz-$brk/" \
	  corpus "$work/seeds" >fuzz.log 2>&1)
	rc=$?
	crash=$(ls "$work/fuzz-$brk"/crash-* 2>/dev/null | head -n 1)
	if [ "$rc" != 77 ] || [ -z "$crash" ]; then
		bad "$brk: fuzz_ops exited $rc with no crash file (want 77)"
		tail -n 20 "$work/fuzz-$brk/fuzz.log"
		continue
	fi
	grep -Eq "^signature: $check " "$work/fuzz-$brk/fuzz.log" ||
	  bad "$brk: the fuzzer's verdict is not $check: $(grep -m1 '^signature:' "$work/fuzz-$brk/fuzz.log")"
	# ---- 2. triage files it under its check id ------------------------------
	last=$(triage "$brk" ops "$crash" "$work/fuzz-triage" 2>/dev/null | tail -n 1)
	echo "$last" | grep -Eq "^triage: NEW ops $check-[0-9a-f]{8} " ||
	  bad "$brk: triage of the fuzzer's crash: '$last'"
done

# ---- 3. buckets: two bugs, two buckets; one bug twice, one bucket, count 2 ----
a=$(triage load_factor_one_late ops "$work/inputs/puts40.bin" "$work/triage" 2>/dev/null | tail -n 1)
a2=$(triage load_factor_one_late ops "$work/inputs/puts12.bin" "$work/triage" 2>/dev/null | tail -n 1)
e=$(triage nevacuate_stuck ops "$work/inputs/puts200.bin" "$work/triage" 2>/dev/null | tail -n 1)
# (triage prints a directory inside the repository relative to its root)
in_src() { case $1 in /*) echo "$1" ;; *) echo "$src/$1" ;; esac; }
grow_dir=$(in_src "${a##* }") evac_dir=$(in_src "${e##* }")
case $a in "triage: NEW ops policy.grow-"*) ;; *) bad "first grow finding: '$a'" ;; esac
[ "$a2" = "triage: DUPLICATE ops ${a#triage: NEW ops }" ] ||
  bad "second grow finding not in the first's bucket: '$a2' after '$a'"
case $e in "triage: NEW ops policy.evacuate-"*) ;; *) bad "evacuation finding: '$e'" ;; esac
n=$(ls -d "$work/triage"/*/ | wc -l)
[ "$n" = 2 ] || bad "$n bucket directories, want 2: $(ls "$work/triage")"
[ "$(cat "$grow_dir/count.txt" 2>/dev/null)" = 2 ] ||
  bad "the grow bucket's count is '$(cat "$grow_dir/count.txt" 2>/dev/null)', want 2"
cmp -s "$grow_dir/input.bin" "$work/inputs/puts12.bin" ||
  bad "the grow bucket did not keep the smaller input (puts12)"
ops=$(grep -c '^put ' "$grow_dir/minimized.trace" 2>/dev/null)
[ "${ops:-99}" -le 9 ] || bad "the grow reproducer has ${ops:-no} puts, want at most 9"
rows=$(grep -vc '^#' "$work/triage/buckets.tsv" 2>/dev/null)
[ "$rows" = 2 ] || bad "buckets.tsv has ${rows:-no} rows, want 2"
grep -q "^$(basename "$grow_dir")	policy.grow	2	" "$work/triage/buckets.tsv" ||
  bad "buckets.tsv lacks the grow bucket with count 2"

# ---- 4. --save: a regression that fails on the broken core, passes on the good -
if [ ! -x "$gocheck" ]; then
	echo "SKIP: no gocheck at $gocheck (Go 1.19), --save not tested"
	[ "$fail" = 0 ] && exit 77
	exit 1
fi
for pair in "load_factor_one_late $grow_dir grow" "nevacuate_stuck $evac_dir evac"; do
	set -- $pair
	GOMAP_REGRESSIONS=$work/regressions GOMAP_GOCHECK=$gocheck \
	  "$src/ci/triage.sh" --save "$2" "found_$3" >"$work/save-$3.log" 2>&1 ||
	  { bad "--save $2: exit $?"; cat "$work/save-$3.log"; continue; }
	trace=$work/regressions/found_$3.trace expected=$work/regressions/found_$3.expected
	[ -f "$trace" ] && [ -f "$expected" ] || { bad "--save wrote no $trace/.expected"; continue; }
	grep -q '^# signature: policy\.' "$trace" || bad "$trace: no signature in its header"
	grep -q '^# replay: build/gomap replay ' "$trace" || bad "$trace: no replay command in its header"
	GOMAP_REGRESSIONS=$work/regressions GOMAP_GOCHECK=$gocheck \
	  "$src/ci/triage.sh" --save "$2" "found_$3" >/dev/null 2>&1
	[ $? = 2 ] || bad "--save over an existing regression did not refuse with exit 2"
	if sh "$src/ci/conformance_check.sh" replay "$work/$1/gomap" "$trace" "$expected" \
	     >"$work/regression-broken-$3.log" 2>&1; then
		bad "found_$3 passes on the broken core ($1)"
	fi
	sh "$src/ci/conformance_check.sh" replay "$good" "$trace" "$expected" \
	  >"$work/regression-good-$3.log" 2>&1 ||
	  { bad "found_$3 fails on the correct core"; cat "$work/regression-good-$3.log"; }
done

# refusals: no gocheck, and a trace Go cannot follow; nothing is written
GOMAP_REGRESSIONS=$work/regressions GOMAP_GOCHECK=$work/no-such-gocheck \
  "$src/ci/triage.sh" --save "$grow_dir" without_go >/dev/null 2>&1
[ $? = 3 ] || bad "--save without gocheck did not refuse with exit 3"
mkdir -p "$work/alloc-bucket"
printf 'map u64 u64 seed=1\nput 1 1\nfail-alloc 1\nput 2 2\n' >"$work/alloc-bucket/minimized.trace"
GOMAP_REGRESSIONS=$work/regressions GOMAP_GOCHECK=$gocheck \
  "$src/ci/triage.sh" --save "$work/alloc-bucket" go_cannot_follow >/dev/null 2>&1
[ $? = 3 ] || bad "--save of a fail-alloc trace did not refuse with exit 3"
ls "$work/regressions" | grep -Eq 'without_go|go_cannot_follow' &&
  bad "a refused --save wrote a file: $(ls "$work/regressions")"

echo "finding path: $(( $(date +%s) - start )) s"
[ "$fail" = 0 ] && echo "ok: fuzzer, triage buckets, --save and the regression on both cores"
exit "$fail"
