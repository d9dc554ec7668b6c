#!/bin/sh
# tests/sweep_gate.sh GOMAP SOURCE_DIR
#
# The PR gate's fault-injection sweep (docs/design.md, "Allocation
# sites"): `gomap replay --fail-each-alloc` over every seed
# (corpus/seeds/*/*.trace, but not the malformed_* ones of the trace
# target, which cannot run) and every regression that is expected to
# agree (corpus/regressions/*.trace without an "expect-status:" of 1-3).
# Every allocation of every operation fails once, in its own run.
# Prints the sweep's table (each allocation site of core/ by name, how
# often it was reached and failed) and its summary line; fails when a
# run fails, or when a site was never failed unless it is listed below
# as impossible from a trace, with the reason.
set -u
. "$(dirname "$0")/../ci/lib/help.sh"
help_if_asked "$0" "$@"
case ${1-} in -*) echo "$0: unknown option '$1' (accepted: --help)" >&2; exit 2 ;; esac
[ $# -eq 2 ] || { echo "usage: $0 GOMAP SOURCE_DIR" >&2; exit 2; }
gomap=$1 src=$2

# Sites no trace can reach, each with why (SITE NAME<TAB>REASON).
unreachable=$(printf '%s\t%s\n' \
	"zero elem (make)" "only an elem over 1024 bytes (Go's zeroVal) has its own zero value, and a trace's largest elem is bytes1024; tests/test_core_alloc_fail.c fails it")

traces=$(
	for f in "$src"/corpus/seeds/*/*.trace; do
		case ${f##*/} in malformed_*) continue ;; esac
		echo "$f"
	done
	for f in "$src"/corpus/regressions/*.trace; do
		grep -q '^# expect-status: [123]' "$f" || echo "$f"
	done
)
[ -n "$traces" ] || { echo "FAIL: no traces under $src/corpus"; exit 1; }
# shellcheck disable=SC2086 # one path per word: the corpus has no spaces
out=$("$gomap" replay --fail-each-alloc $traces)
rc=$?
echo "$out"
[ $rc = 0 ] || { echo "FAIL: the sweep exited $rc (its failing run is named above)"; exit 1; }
echo "$out" | grep -q '^gomap replay --fail-each-alloc: ' ||
	{ echo "FAIL: no summary line"; exit 1; }

fails=0
never=$(echo "$out" | sed -n 's/^site \(.*[^ ]\) *seen *[0-9]* *failed *0$/\1/p')
oldifs=$IFS
IFS='
'
for site in $never; do
	reason=$(echo "$unreachable" | awk -F '\t' -v s="$site" '$1 == s { print $2 }')
	if [ -n "$reason" ]; then
		echo "never failed, impossible from a trace: $site: $reason"
	else
		echo "FAIL: site never failed: $site (add a seed that reaches it)"
		fails=$((fails + 1))
	fi
done
# an excuse for a site that the sweep did fail is stale
for line in $unreachable; do
	site=${line%%	*}
	echo "$never" | grep -qxF "$site" ||
		{ echo "FAIL: '$site' is listed as impossible but was failed"; fails=$((fails + 1)); }
done
IFS=$oldifs
[ $fails = 0 ] || exit 1
echo "PASS: every allocation site of core/ failed at least once, but the listed impossible ones"
