#!/bin/sh
# tests/cli_exit_status.sh GOMAP DEMO_TRACE WORKDIR
#
# Every `gomap` subcommand exits with one status per meaning (README.md,
# "Exit status"): 0 agreed (or done), 1 a divergence or broken invariant,
# 2 malformed input or bad usage, 3 the environment failed, with a message
# that says "environment failure".  Runs each subcommand into each status
# it can give and fails on the first one that differs.
set -u
. "$(dirname "$0")/../ci/lib/help.sh"
help_if_asked "$0" "$@"
[ $# -eq 3 ] || { echo "usage: $0 GOMAP DEMO_TRACE WORKDIR" >&2; exit 2; }
gomap=$1 demo=$2 dir=$3
# An ASan build aborts on a malloc it cannot satisfy unless told to return
# NULL, as glibc's does: the impossible hint below needs that.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}allocator_may_return_null=1"
rm -rf "$dir" && mkdir -p "$dir" || exit 2
fails=0

# expect STATUS [--stderr TEXT] -- COMMAND...: runs it, stdout and stderr
# kept in $dir/out and $dir/err
expect() {
	want=$1 text=
	shift
	if [ "$1" = --stderr ]; then text=$2; shift 2; fi
	[ "$1" = -- ] && shift
	"$@" >"$dir/out" 2>"$dir/err"
	got=$?
	if [ "$got" != "$want" ]; then
		echo "FAIL: exit $got, want $want: $*"
		sed 's/^/  stderr: /' "$dir/err" | head -n 5
		fails=$((fails + 1))
	elif [ -n "$text" ] && ! grep -qF -- "$text" "$dir/err"; then
		echo "FAIL: stderr lacks '$text': $*"
		sed 's/^/  stderr: /' "$dir/err" | head -n 5
		fails=$((fails + 1))
	else
		echo "ok $want: $*"
	fi
}

# traces: a failing one (the fatal error it expects never comes), a
# malformed one, and one whose hint no machine can allocate (2^40 entries)
fail_trace=$dir/fails.trace
printf 'map u64 u64 seed=1\nput 1 10\nput 2 20\nexpect-fatal concurrent map writes\n' >"$fail_trace"
bad_trace=$dir/bad.trace
printf 'map u64 u64\nfrob 1\n' >"$bad_trace"
huge_trace=$dir/huge.trace
printf 'map u64 u64 hint=1099511627776 seed=1\nput 1 2\n' >"$huge_trace"

# a full disk: /dev/full where it exists
full=/dev/full
[ -w "$full" ] || full=

echo "== replay"
expect 0 -- "$gomap" replay --quiet "$demo"
expect 1 --stderr "fatal.missing" -- "$gomap" replay "$fail_trace"
expect 2 --stderr "bad.trace:2:" -- "$gomap" replay "$bad_trace"
expect 2 --stderr "unknown option" -- "$gomap" replay --frob "$demo"
expect 2 --stderr "cannot read" -- "$gomap" replay "$dir/no-such.trace"
expect 3 --stderr "environment failure, not a map bug" -- "$gomap" replay "$huge_trace"
[ -n "$full" ] && expect 3 --stderr "environment failure" -- sh -c '"$0" replay "$1" >/dev/full' "$gomap" "$demo"
# the worst status of several traces
expect 3 -- "$gomap" replay --quiet "$demo" "$fail_trace" "$huge_trace"
expect 2 -- "$gomap" replay --quiet "$fail_trace" "$bad_trace"
echo "== replay --fail-each-alloc"
expect 0 -- "$gomap" replay --fail-each-alloc "$demo"
expect 0 -- "$gomap" replay --fail-each-alloc --max-failures 3 "$demo"
expect 1 --stderr "the counting run" -- "$gomap" replay --fail-each-alloc "$fail_trace"
expect 2 --stderr "bad.trace:2:" -- "$gomap" replay --fail-each-alloc "$bad_trace"
expect 2 --stderr "whole number from 1" -- "$gomap" replay --fail-each-alloc --max-failures 0 "$demo"
expect 2 --stderr "goes with --fail-each-alloc" -- "$gomap" replay --max-failures 2 "$demo"

echo "== explain and compile"
expect 0 -- "$gomap" compile "$demo" -o "$dir/demo.bin"
expect 0 -- "$gomap" explain "$dir/demo.bin" -o "$dir/demo.again.trace"
expect 2 --stderr "unknown target" -- "$gomap" explain --target nope "$dir/demo.bin"
expect 2 --stderr "cannot read" -- "$gomap" explain "$dir/no-such.bin"
expect 2 --stderr "bad.trace:2:" -- "$gomap" compile "$bad_trace" -o "$dir/x.bin"
# dump exists only in the ops target's format
expect 2 --stderr "--target ops" -- "$gomap" compile --target iter "$demo" -o "$dir/x.bin"
if [ -n "$full" ]; then
	expect 3 --stderr "environment failure" -- "$gomap" explain "$dir/demo.bin" -o "$full"
	expect 3 --stderr "environment failure" -- "$gomap" compile "$demo" -o "$full"
fi

echo "== minimize"
expect 1 -- "$gomap" minimize "$fail_trace" -o "$dir/min.trace"
expect 1 --stderr "fatal.missing" -- "$gomap" replay "$dir/min.trace"
expect 0 --stderr "nothing to minimize" -- "$gomap" minimize "$demo" -o "$dir/none.trace"
[ -e "$dir/none.trace" ] && { echo "FAIL: minimize wrote a trace for an input that agrees"; fails=$((fails + 1)); }
expect 2 --stderr "unknown option" -- "$gomap" minimize --frob "$fail_trace"
expect 2 --stderr "bad.trace:2:" -- "$gomap" minimize "$bad_trace"
expect 3 --stderr "environment failure" -- "$gomap" minimize "$huge_trace" -o "$dir/huge.min.trace"

echo "== the command itself"
expect 2 --stderr "unknown command" -- "$gomap" frob
expect 2 -- "$gomap"

[ "$fails" = 0 ] || { echo "$fails failed"; exit 1; }
echo "all exit statuses as documented"
