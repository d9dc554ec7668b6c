#!/bin/sh
# tests/oom_check.sh GOMAP FUZZ_OPS_REPLAY WORKDIR
#
# A real out-of-memory is the environment's failure, never a map bug.
# Under `ulimit -v` at several limits, each below what the run needs:
#   - `gomap replay` of a trace whose hint no limit here can allocate, and
#     of a trace that grows a map of 20,000 keys of 1 KiB, exits 3 with
#     "environment failure" at every limit, whichever allocation failed
#     (the trace parser's, the core's, the model's), and at one limit at
#     least the core or the model failed mid-run;
#   - the ops fuzz target's replay driver, on an input that puts 500
#     elems of 1 KiB, at every limit from where it starts to where it
#     passes (128 KiB steps), exits 3 with "environment failure, not a
#     finding" or passes; never a crash, an abort or a verdict; and the
#     target itself reported the failure at least once.
# Without a limit both runs pass, so it is the limit that fails them.
# Skipped (exit 77) for an ASan build: ASan reserves terabytes of address
# space for its shadow memory, so under ulimit -v it cannot even start.
set -u
. "$(dirname "$0")/../ci/lib/help.sh"
help_if_asked "$0" "$@"
[ $# -eq 3 ] || { echo "usage: $0 GOMAP FUZZ_OPS_REPLAY WORKDIR" >&2; exit 2; }
gomap=$1 driver=$2 dir=$3
if grep -q __asan_init "$gomap"; then
	echo "SKIP: $gomap is built with ASan, whose shadow memory needs terabytes of"
	echo "address space: under ulimit -v it cannot start, so this says nothing there."
	exit 77
fi
rm -rf "$dir" && mkdir -p "$dir" || exit 2
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# under KB COMMAND...: runs it with `ulimit -v KB`; $rc, $dir/err
under() {
	kb=$1
	shift
	(ulimit -v "$kb" && exec "$@") >/dev/null 2>"$dir/err"
	rc=$?
}

# floor COMMAND...: the smallest limit (KiB, 256 KiB steps) at which
# `COMMAND --help` runs: below it the program cannot even be loaded
floor() {
	kb=1024
	while [ $kb -le 65536 ]; do
		under $kb "$@" --help
		[ $rc = 0 ] && { echo $kb; return; }
		kb=$((kb + 256))
	done
	echo 0
}

hint_trace=$dir/hint.trace # 2^19 buckets of 144 bytes, 75 MB at once
printf 'map u64 u64 hint=3000000 seed=1\nput 1 2\nget 1\n' >"$hint_trace"
grow_trace=$dir/grow.trace
awk 'BEGIN { print "map bytes1024 u8 seed=1"
             for (i = 0; i < 20000; i++) printf "put x%x 1\n", i + 1 }' >"$grow_trace"
fz_trace=$dir/fz.trace
awk 'BEGIN { print "map u64 bytes1024 seed=3"
             for (i = 0; i < 500; i++) printf "put %d x%04x\n", i, i + 1 }' >"$fz_trace"
"$gomap" compile --target ops "$fz_trace" -o "$dir/fz.bin" || exit 2

echo "== without a limit, each run passes"
for t in "$hint_trace" "$grow_trace"; do
	"$gomap" replay --quiet "$t" || fail "gomap replay $t: exit $? without a limit"
done
"$driver" "$dir/fz.bin" 2>/dev/null || fail "$driver fz.bin: exit $? without a limit"

base=$(floor "$gomap")
[ "$base" != 0 ] || { echo "FAIL: $gomap does not start even with 64 MB"; exit 1; }
echo "== gomap replay (it starts at ulimit -v $base KiB)"
mid_run=0
for extra in 2048 4096 8192 16384 24576 32768 40960 49152; do
	kb=$((base + extra))
	for t in "$hint_trace" "$grow_trace"; do
		under $kb "$gomap" replay --quiet "$t"
		if [ $rc != 3 ] || ! grep -q "environment failure" "$dir/err"; then
			fail "ulimit -v $kb: gomap replay $(basename "$t"): exit $rc, want 3 and 'environment failure'"
			sed 's/^/  stderr: /' "$dir/err" | head -n 3
		else
			echo "ok ulimit -v $kb: $(basename "$t"): exit 3: $(head -c 160 "$dir/err")"
		fi
		[ "$t" = "$grow_trace" ] && grep -q "not a map bug" "$dir/err" &&
			mid_run=$((mid_run + 1))
	done
done
[ $mid_run -gt 0 ] || fail "no limit made the core or the model run out of memory mid-run"

base=$(floor "$driver")
[ "$base" != 0 ] || { echo "FAIL: $driver does not start even with 64 MB"; exit 1; }
echo "== $(basename "$driver") (it starts at ulimit -v $base KiB)"
kb=$base by_target=0
while [ $kb -le $((base + 16384)) ]; do
	under $kb "$driver" "$dir/fz.bin"
	case $rc in
	0) echo "ok ulimit -v $kb: passes"; break ;;
	3)
		if ! grep -q "environment failure, not a finding" "$dir/err"; then
			fail "ulimit -v $kb: exit 3 without 'environment failure, not a finding'"
		elif grep -q "^==== gomap fuzz: environment failure" "$dir/err"; then
			by_target=$((by_target + 1))
			echo "ok ulimit -v $kb: exit 3 from the target: $(sed -n 2p "$dir/err" | head -c 160)"
		else
			echo "ok ulimit -v $kb: exit 3 from the driver: $(head -c 160 "$dir/err")"
		fi ;;
	*)
		fail "ulimit -v $kb: exit $rc, want 3 (environment failure) or 0"
		sed 's/^/  stderr: /' "$dir/err" | head -n 5 ;;
	esac
	kb=$((kb + 128))
done
[ $rc = 0 ] || fail "the driver never passed up to ulimit -v $kb"
[ $by_target -gt 0 ] || fail "no limit made the fuzz target itself run out of memory"

[ "$fails" = 0 ] || { echo "$fails failed"; exit 1; }
echo "every real out-of-memory exited 3 as an environment failure"
