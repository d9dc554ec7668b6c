#!/bin/sh
# ci/campaign_markers.py on the checked-in campaign summary and a copy of
# it in which one marker was never hit: the per-campaign cells, the
# median (a never counting as latest), the per-campaign counts, and exit
# 2 with a message for a directory without summary.json.
# usage: campaign_markers_check.sh SRC FIXTURE_DIR WORK_DIR
set -u
. "$(dirname "$0")/../ci/lib/help.sh"
help_if_asked "$0" "$@"
src=$1 fixture=$2 work=$3
fail() { echo "FAIL: $*"; exit 1; }
rm -rf "$work" && mkdir -p "$work/a" "$work/b" || exit 1
cp "$fixture/old/summary.json" "$work/a/" || exit 1
python3 - "$fixture/old/summary.json" "$work/b/summary.json" <<'PY' || exit 1
import json, sys
d = json.load(open(sys.argv[1]))
d["markers"] = [m for m in d["markers"] if m["name"] != "clear-mid-growth"]
d["markers_never_hit"].append("clear-mid-growth")
json.dump(d, open(sys.argv[2], "w"))
PY
run() { python3 "$src/ci/campaign_markers.py" "$@"; }
two=$(run "$work/a" "$work/b") || fail "exit $? on two summaries"
echo "$two" | grep -qx '| clear-mid-growth | 25.5 | - | - |' ||
  fail "a marker one of two campaigns missed has no median: $two"
echo "$two" | grep -qx '| noverflow-counted-by-chance | - | - | - |' ||
  fail "a marker neither campaign hit is not shown as never: $two"
three=$(run "$work/a" "$work/a" "$work/b") || fail "exit $? on three summaries"
echo "$three" | grep -qx '| clear-mid-growth | 25.5 | 25.5 | - | 25.5 |' ||
  fail "the median of 25.5, 25.5 and never is not 25.5: $three"
echo "$three" | grep -q 'Markers reached per campaign: 10/15, 10/15, 9/15' ||
  fail "per-campaign counts wrong: $three"
run "$work/missing" >/dev/null 2>"$work/err"
rc=$?
[ $rc -eq 2 ] || fail "a directory without summary.json exited $rc, not 2"
grep -q "missing/summary.json" "$work/err" || fail "the error does not name the file"
echo "ok: per-campaign first hits, medians with nevers, counts, and a clear error"
