#!/bin/sh
# tests/docs_check.sh SOURCE_DIR
#
# The repository's documents stand on their own:
#   - nothing in it (documents, comments, tests, scripts) points at the
#     specification directory it was started from, outside it (a path
#     with a "shared" directory);
#   - every document of docs/ it cites by name exists;
#   - every "rule N" (and "rules N-M", "[rule N]") it cites is a rule that
#     docs/go-map-rules.md defines, so the numbering stays valid.
# Build directories, campaign output and .git are not looked at.
set -u
. "$(dirname "$0")/../ci/lib/help.sh"
help_if_asked "$0" "$@"
[ $# -eq 1 ] || { echo "usage: $0 SOURCE_DIR" >&2; exit 2; }
cd "$1" || exit 2
fails=0
files() {
	find . \( -name .git -o -name 'build*' -o -name campaign -o -name gate-artifacts \) \
		-prune -o -type f -print | sed 's|^\./||'
}
files >"${TMPDIR:-/tmp}/docs_check.$$"
list="${TMPDIR:-/tmp}/docs_check.$$"
trap 'rm -f "$list"' EXIT

outside_dir=share"d/" # spelt so, so that this file does not match itself
outside=$(xargs grep -In "$outside_dir" <"$list")
if [ -n "$outside" ]; then
	echo "FAIL: points outside the repository:"
	echo "$outside" | head -n 20
	fails=$((fails + 1))
fi

for doc in $(xargs grep -IhoE 'docs/[A-Za-z0-9_-]+\.md' <"$list" | sort -u); do
	[ -f "$doc" ] || { echo "FAIL: $doc is cited but does not exist"; fails=$((fails + 1)); }
done

rules=docs/go-map-rules.md
defined=$(sed -n 's/^\([0-9][0-9]*\)\. .*/\1/p' "$rules")
[ "$(echo "$defined" | wc -l)" -ge 70 ] || { echo "FAIL: $rules defines too few rules"; exit 1; }
cited=$(xargs grep -IhoE '\brules? [0-9]+(-[0-9]+)?' <"$list" | grep -oE '[0-9]+' | sort -nu)
for n in $cited; do
	echo "$defined" | grep -qx "$n" ||
		{ echo "FAIL: rule $n is cited but $rules has no rule $n"; fails=$((fails + 1)); }
done

[ "$fails" = 0 ] || exit 1
echo "self-contained: no outside references, $(echo "$cited" | wc -w) rule numbers cited, all defined"
