#!/bin/sh
# Golden test of gocheck: run_golden.sh GOCHECK TRACE [--update]
#
# Runs GOCHECK on TRACE (from the trace's directory, so error messages name
# the bare file) and checks, from directives in the trace's comments:
#   # args: ...            extra arguments placed before the trace name
#   # expect-status: N     exit status (default 0)
#   # expect-stderr: TEXT  a line that stderr must contain
# that stdout equals TRACE's .expected file, and that a second run prints
# the same bytes (the replay is deterministic). --update rewrites the
# .expected file instead of comparing it.
set -u
gocheck=$1 trace=$2 update=${3:-}
dir=$(dirname "$trace") name=$(basename "$trace" .trace)
expected=$dir/$name.expected
directive() { sed -n "s/^# $1: //p" "$trace" | head -n 1; }
args=$(directive args)
want_status=$(directive expect-status)
want_stderr=$(directive expect-stderr)
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

cd "$dir" || exit 1
# shellcheck disable=SC2086 # args is a word list on purpose
"$gocheck" $args "$name.trace" >"$tmp/out1" 2>"$tmp/err1"
status=$?
fail=0
if [ "$status" != "${want_status:-0}" ]; then
  echo "FAIL $name: exit status $status, want ${want_status:-0}"; cat "$tmp/err1"; fail=1
fi
if [ -n "$want_stderr" ] && ! grep -qxF "$want_stderr" "$tmp/err1"; then
  echo "FAIL $name: stderr lacks: $want_stderr"; cat "$tmp/err1"; fail=1
fi
if [ "$update" = --update ]; then
  cp "$tmp/out1" "$name.expected"
elif ! diff -u "$name.expected" "$tmp/out1"; then
  echo "FAIL $name: stdout differs from $name.expected"; fail=1
fi
"$gocheck" $args "$name.trace" >"$tmp/out2" 2>/dev/null
if ! cmp -s "$tmp/out1" "$tmp/out2"; then
  echo "FAIL $name: a second run printed different output"; fail=1
fi
[ $fail = 0 ] && echo "ok $name"
exit $fail
