#!/bin/sh
# plot_campaign_check.sh PLOT_SCRIPT FIXTURE_DIR OUT_DIR
# ci/plot-campaign.sh draws the engines' own counters of the checked-in
# fixture campaign (two targets: a libFuzzer run and an AFL++ instance on
# ops, a -fork libFuzzer run on iter) into OUT_DIR/engine-counters.png,
# holding all three series; the fixture has no coverage samples, so no
# coverage.png.  Exit 77, which CTest counts as skipped, when gnuplot is
# not installed.
set -u
. "$(dirname "$0")/../ci/lib/help.sh"
help_if_asked "$0" "$@"
script=$1 fixture=$2 outdir=$3
out=$outdir/engine-counters.png
if ! command -v gnuplot >/dev/null 2>&1; then
	echo "gnuplot is not installed: skipped"
	exit 77
fi
rm -rf "$outdir"
said=$("$script" "$fixture" -d "$outdir") || { echo "$said"; exit 1; }
echo "$said"
[ -s "$out" ] || { echo "FAIL: no PNG written to $out"; exit 1; }
magic=$(head -c 8 "$out" | od -An -tx1 | tr -d ' \n')
[ "$magic" = 89504e470d0a1a0a ] || { echo "FAIL: $out is not a PNG"; exit 1; }
case $said in
*"engine-counters.png (2 target(s), 3 series)"*) ;;
*) echo "FAIL: expected 2 targets and 3 series"; exit 1 ;;
esac
[ ! -e "$outdir/coverage.png" ] || { echo "FAIL: a coverage.png without coverage samples"; exit 1; }
