#!/bin/sh
# tests/replay_progress.sh GOMAP WORKDIR
#
# `gomap replay` shows the progress of a long trace on stderr when stderr
# is a terminal and the observations do not go to that terminal too, and
# never otherwise.  The terminal is a pty made by script(1) (util-linux);
# skipped (exit 77) without it.  The trace has 200,000 operations, so
# progress is due every 65,536 of them, whatever the machine's speed.
set -u
. "$(dirname "$0")/../ci/lib/help.sh"
help_if_asked "$0" "$@"
[ $# -eq 2 ] || { echo "usage: $0 GOMAP WORKDIR" >&2; exit 2; }
gomap=$1 dir=$2
command -v script >/dev/null || { echo "SKIP: no script(1) to make a pty"; exit 77; }
rm -rf "$dir" && mkdir -p "$dir" || exit 2
trace=$dir/long.trace
awk 'BEGIN { print "map u64 u64 seed=1"
             for (i = 0; i < 100000; i++) { print "put " i " " i; print "get " i } }' >"$trace"
fails=0
# on_pty NAME COMMAND: runs COMMAND (a shell line) with a pty as its
# terminal; what the terminal showed goes to $dir/NAME
on_pty() {
	script -qec "$2" /dev/null </dev/null >"$dir/$1" 2>&1 ||
		{ echo "FAIL: exit $? on a pty: $2"; fails=$((fails + 1)); }
}
shows() { grep -q "of 200000 operations" "$dir/$1"; }

on_pty quiet "\"$gomap\" replay --quiet \"$trace\""
shows quiet && echo "ok: --quiet on a terminal shows progress" ||
	{ echo "FAIL: no progress with --quiet on a terminal"; fails=$((fails + 1)); }
grep -q "131072 of 200000 operations (65%)" "$dir/quiet" ||
	{ echo "FAIL: progress does not count operations"; fails=$((fails + 1)); }

on_pty redirected "\"$gomap\" replay \"$trace\" >\"$dir/stdout\""
shows redirected && echo "ok: observations to a file, progress on the terminal" ||
	{ echo "FAIL: no progress with stdout redirected"; fails=$((fails + 1)); }
[ "$(grep -c '^get ' "$dir/stdout")" = 100000 ] ||
	{ echo "FAIL: progress got into the observations"; fails=$((fails + 1)); }

on_pty both "\"$gomap\" replay \"$trace\""
shows both && { echo "FAIL: progress mixed into observations on one terminal"; fails=$((fails + 1)); } ||
	echo "ok: observations on the terminal, no progress over them"

"$gomap" replay --quiet "$trace" 2>"$dir/not-a-tty"
shows not-a-tty && { echo "FAIL: progress with stderr not a terminal"; fails=$((fails + 1)); } ||
	echo "ok: stderr not a terminal, no progress"

[ "$fails" = 0 ] || { echo "$fails failed"; exit 1; }
