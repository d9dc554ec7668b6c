#!/bin/sh
# Conformance traces (corpus/conformance/*.trace) as CTest tests.
#
#   conformance_check.sh replay GOMAP TRACE EXPECTED
#       Run `GOMAP replay --paranoid TRACE` (every check after every
#       operation) from the trace's directory (so a malformed trace's
#       message names the bare file) and require its stdout to equal
#       EXPECTED and its exit status to be 0, or what the trace's
#       `# expect-status: N` comment says; every `# expect-stderr: TEXT`
#       comment is a string stderr must contain.
#
#   conformance_check.sh cross GOMAP GOCHECK TRACE...
#       Replay each TRACE with --dump-each on the C core (GOMAP replay
#       --paranoid) and on Go 1.19's runtime map (GOCHECK) and require
#       identical stdout.
#       When gocheck stops with status 3 (an operation Go cannot follow:
#       fail-alloc, reenter, expect-fatal) only the lines it printed are
#       compared, as a prefix of the C output ("compared N of M lines").
#       The trace's own `dump` lines are replaced by `check` first: after a
#       `dump` line gomap replay prints no second dump-each block and
#       gocheck does, while after `check` both print exactly one, so the
#       same states are still compared.
#
#   conformance_check.sh regression GOMAP GOCHECK TRACE EXPECTED
#       A regression against Go: `cross` on TRACE, and GOCHECK (without
#       --dump-each) prints EXPECTED, the output the regression test wants
#       from the port; when gocheck stops with status 3, only the lines it
#       printed, as a prefix of EXPECTED.  So an expected output is
#       Go's, not only the port's.  (The in-process Go loop, tests/
#       test_go_loop.c, also follows a regression past an allocation
#       failure.)  A trace the port refuses as malformed (expect-status 2)
#       must stop Go too (status 2, or 3 before the malformed line).
#
#   conformance_check.sh random GOMAP GOCHECK GENERATOR
#       Run `python3 GENERATOR OUTDIR` (fixed seeds) and cross-check every
#       trace it writes.
#       Here only, a C replay stopped by the oracle's iteration contract
#       (iter.deleted_returned, stale_value, duplicate) while Go ran on is
#       compared up to that point and counted: the contract rejects the
#       entry an iterator was already positioned on before a write (an
#       iter-next prints, then advances), which Go's iterator returns.
#
# Prints a unified diff on any mismatch; exit 0 when everything agreed.
set -u
. "$(dirname "$0")/lib/help.sh"
help_if_asked "$0" "$@"
mode=${1:-}
[ $# -ge 1 ] && shift

abs() { case $1 in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }
directive() { sed -n "s/^# $2: //p" "$1"; }

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

replay() {
	gomap=$(abs "$1") trace=$2 expected=$3
	want_status=$(directive "$trace" expect-status | head -n 1)
	dir=$(dirname "$trace") base=$(basename "$trace")
	(cd "$dir" && "$gomap" replay --paranoid "$base") >"$tmp/out" 2>"$tmp/err"
	status=$?
	fail=0
	if [ "$status" != "${want_status:-0}" ]; then
		echo "FAIL $base: exit status $status, want ${want_status:-0}"
		sed 's/^/  stderr: /' "$tmp/err"
		fail=1
	fi
	directive "$trace" expect-stderr >"$tmp/want_err"
	while IFS= read -r line; do
		if ! grep -qF -- "$line" "$tmp/err"; then
			echo "FAIL $base: stderr lacks: $line"
			sed 's/^/  stderr: /' "$tmp/err"
			fail=1
		fi
	done <"$tmp/want_err"
	if ! diff -u "$expected" "$tmp/out"; then
		echo "FAIL $base: stdout differs from $(basename "$expected")"
		fail=1
	fi
	[ $fail = 0 ] && echo "ok $base ($(wc -l <"$tmp/out") lines)"
	return $fail
}

# cross_one GOMAP GOCHECK TRACE: sets $compared (lines compared).
cross_one() {
	gomap=$(abs "$1") gocheck=$(abs "$2") trace=$3
	base=$(basename "$trace")
	want_status=$(directive "$trace" expect-status | head -n 1)
	# Same file name, so messages match; dump lines dropped (see above).
	mkdir -p "$tmp/x" && sed 's/^\([[:space:]]*\)dump[[:space:]]*$/\1check/' "$trace" >"$tmp/x/$base"
	(cd "$tmp/x" && "$gomap" replay --paranoid --dump-each "$base") >"$tmp/c.out" 2>"$tmp/c.err"
	cst=$?
	(cd "$tmp/x" && "$gocheck" --dump-each "$base") >"$tmp/go.out" 2>"$tmp/go.err"
	gst=$?
	compared=0
	m=$(wc -l <"$tmp/c.out")
	if [ "${want_status:-0}" = 2 ]; then
		# gocheck may stop (3) at a line it cannot follow before it
		# reaches what makes the trace malformed.
		if [ $cst != 2 ] || { [ $gst != 2 ] && [ $gst != 3 ]; }; then
			echo "FAIL $base: malformed trace: C exit $cst, Go exit $gst, want 2 and 2 (or 3)"
			sed 's/^/  gocheck: /' "$tmp/go.err"
			return 1
		fi
		echo "ok $base (malformed: C exit 2, Go exit $gst)"
		return 0
	fi
	if [ $cst = 1 ] && [ "${lenient_iter:-0}" = 1 ] && [ $gst = 0 ] &&
		grep -qE ': iter\.(deleted_returned|stale_value|duplicate): ' "$tmp/c.err"; then
		got=$(wc -l <"$tmp/c.out")
		head -n "$got" "$tmp/go.out" >"$tmp/go.prefix"
		if ! diff -u --label "C $base" --label "Go $base (first $got lines)" \
			"$tmp/c.out" "$tmp/go.prefix"; then
			echo "FAIL $base: C and Go 1.19 differ"
			return 1
		fi
		compared=$got
		stopped=$((stopped + 1))
		echo "ok $base: compared $got of $(wc -l <"$tmp/go.out") lines (C oracle stopped: $(cut -d: -f3 "$tmp/c.err" | tr -d ' '))"
		return 0
	fi
	if [ $cst != 0 ]; then
		echo "FAIL $base: gomap replay --dump-each exit status $cst"
		sed 's/^/  stderr: /' "$tmp/c.err"
		return 1
	fi
	case $gst in
	0)
		if ! diff -u --label "C $base" --label "Go $base" "$tmp/c.out" "$tmp/go.out"; then
			echo "FAIL $base: C and Go 1.19 differ"
			return 1
		fi
		compared=$m
		echo "ok $base: compared $m of $m lines"
		;;
	3)
		got=$(wc -l <"$tmp/go.out")
		head -n "$got" "$tmp/c.out" >"$tmp/c.prefix"
		if ! diff -u --label "C $base (first $got lines)" --label "Go $base" \
			"$tmp/c.prefix" "$tmp/go.out"; then
			echo "FAIL $base: C and Go 1.19 differ before Go stopped"
			sed 's/^/  gocheck: /' "$tmp/go.err"
			return 1
		fi
		compared=$got
		echo "ok $base: compared $got of $m lines ($(head -n 1 "$tmp/go.err"))"
		;;
	*)
		echo "FAIL $base: gocheck exit status $gst"
		sed 's/^/  stderr: /' "$tmp/go.err"
		return 1
		;;
	esac
	return 0
}

# expected_one GOCHECK TRACE EXPECTED: gocheck's plain output is EXPECTED
# (or, when gocheck cannot follow the trace to its end, a prefix of it).
expected_one() {
	gocheck=$(abs "$1") trace=$2 expected=$3
	base=$(basename "$trace")
	want_status=$(directive "$trace" expect-status | head -n 1)
	(cd "$(dirname "$trace")" && "$gocheck" "$base") >"$tmp/go.plain" 2>"$tmp/go.plain.err"
	gst=$?
	if [ "${want_status:-0}" = 2 ]; then
		[ $gst = 2 ] || [ $gst = 3 ] && return 0
		echo "FAIL $base: malformed for the port, but gocheck exit $gst"
		return 1
	fi
	case $gst in
	0) cp "$expected" "$tmp/want" ;;
	3) head -n "$(wc -l <"$tmp/go.plain")" "$expected" >"$tmp/want" ;;
	*)
		echo "FAIL $base: gocheck exit status $gst"
		sed 's/^/  stderr: /' "$tmp/go.plain.err"
		return 1
		;;
	esac
	if ! diff -u --label "$(basename "$expected") (the port's)" --label "Go $base" \
		"$tmp/want" "$tmp/go.plain"; then
		echo "FAIL $base: Go 1.19 does not print $(basename "$expected")"
		return 1
	fi
	echo "ok $base: Go prints $(wc -l <"$tmp/go.plain") of the $(wc -l <"$expected") expected lines"
}

cross() {
	gomap=$1 gocheck=$2
	shift 2
	fail=0 total=0 n=0 stopped=0
	for t in "$@"; do
		cross_one "$gomap" "$gocheck" "$t" || fail=1
		total=$((total + compared)) n=$((n + 1))
	done
	[ $n -gt 1 ] && echo "$n traces, $total dump-each lines compared"
	[ $stopped -gt 0 ] && echo "$stopped traces stopped early by the oracle's iteration contract"
	return $fail
}

case $mode in
replay)
	[ $# = 3 ] || { echo "usage: $0 replay GOMAP TRACE EXPECTED" >&2; exit 2; }
	replay "$@"
	;;
cross)
	[ $# -ge 3 ] || { echo "usage: $0 cross GOMAP GOCHECK TRACE..." >&2; exit 2; }
	cross "$@"
	;;
regression)
	[ $# = 4 ] || { echo "usage: $0 regression GOMAP GOCHECK TRACE EXPECTED" >&2; exit 2; }
	fail=0
	cross "$1" "$2" "$3" || fail=1
	expected_one "$2" "$3" "$4" || fail=1
	exit $fail
	;;
random)
	[ $# = 3 ] || { echo "usage: $0 random GOMAP GOCHECK GENERATOR" >&2; exit 2; }
	mkdir -p "$tmp/rand"
	python3 "$3" "$tmp/rand" || { echo "FAIL: generator $3"; exit 1; }
	lenient_iter=1
	cross "$1" "$2" "$tmp/rand"/*.trace
	;;
*)
	echo "usage: $0 replay|cross|regression|random ..." >&2
	exit 2
	;;
esac
