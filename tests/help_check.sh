#!/bin/sh
# tests/help_check.sh SOURCE_DIR WORKDIR COMMAND...
#
# `--help` on every command and script prints its usage on stdout, exits 0
# and does no work.  Checked for each COMMAND given (a program with its
# subcommand, e.g. "build/gomap replay"), and for every script under ci/,
# bench/ and tests/ (*.sh, *.py), each run as `SCRIPT --help`:
#   - exit status 0 and something on stdout;
#   - no work: the tools a script would work with (cmake, ctest, make,
#     clang, go, apt-get, sudo, afl-fuzz, timeout, git, ...) are replaced
#     on PATH by stubs that record being run, and none may be run;
#   - nothing changed: `git status` of the source tree and its top-level
#     entries (gate-artifacts/, campaign/, ...) are the same afterwards.
set -u
. "$(dirname "$0")/../ci/lib/help.sh"
help_if_asked "$0" "$@"
[ $# -ge 2 ] || { echo "usage: $0 SOURCE_DIR WORKDIR COMMAND..." >&2; exit 2; }
src=$(cd "$1" && pwd) dir=$2
shift 2
rm -rf "$dir" && mkdir -p "$dir/stubs" || exit 2
dir=$(cd "$dir" && pwd)
log=$dir/stub-calls
for tool in cmake ctest make ninja clang clang-14 gcc cc go apt-get apt sudo \
	dpkg afl-fuzz afl-tmin afl-clang-fast gnuplot llvm-profdata llvm-cov \
	llvm-profdata-14 llvm-cov-14 timeout git patch perf valgrind docker \
	dpkg-query; do
	printf '#!/bin/sh\necho "%s $*" >>"%s"\nexit 1\n' "$tool" "$log" >"$dir/stubs/$tool"
	chmod +x "$dir/stubs/$tool"
done

snapshot() {
	git -C "$src" status --porcelain --untracked-files=all 2>/dev/null
	ls -a "$src"
}
fails=0 n=0
# check NAME COMMAND...: COMMAND --help, under the stubs
check() {
	name=$1
	shift
	n=$((n + 1))
	: >"$log"
	snapshot >"$dir/before"
	(cd "$src" && PATH="$dir/stubs:$PATH" "$@" --help) >"$dir/out" 2>"$dir/err" </dev/null
	rc=$?
	snapshot >"$dir/after"
	why=
	[ $rc = 0 ] || why="exit $rc"
	[ -s "$dir/out" ] || why="${why:+$why, }nothing on stdout"
	[ -s "$log" ] && why="${why:+$why, }ran $(head -n 1 "$log")"
	cmp -s "$dir/before" "$dir/after" ||
		why="${why:+$why, }changed the tree: $(diff "$dir/before" "$dir/after" | sed -n 2p)"
	if [ -n "$why" ]; then
		echo "FAIL $name --help: $why"
		sed 's/^/  stderr: /' "$dir/err" | head -n 3
		fails=$((fails + 1))
	else
		echo "ok $name --help ($(wc -l <"$dir/out") lines)"
	fi
}

for cmd in "$@"; do
	# shellcheck disable=SC2086 # "PROGRAM SUBCOMMAND" splits on purpose
	check "$cmd" $cmd
done
for script in $(cd "$src" && ls ci/*.sh ci/*.py ci/lib/*.sh bench/*.sh \
	tests/*.sh tests/go/*/*.sh 2>/dev/null); do
	if [ -x "$src/$script" ]; then
		check "$script" "$src/$script"
	elif [ "${script%.py}" != "$script" ]; then
		check "$script" python3 "$src/$script"
	else # a library other scripts source
		check "$script" bash "$src/$script"
	fi
done

[ $n -ge 20 ] || { echo "FAIL: only $n commands and scripts found"; exit 1; }
[ "$fails" = 0 ] || { echo "$fails of $n failed"; exit 1; }
echo "all $n: usage on stdout, exit 0, no work done"
