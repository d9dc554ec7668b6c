#!/bin/sh
# campaign_short_run_check.sh SRC_DIR WORK_DIR
# A real campaign, as short as one can be: ci/campaign.sh --no-seeds
# --budget 10 on the ops target with libFuzzer alone, its standard output
# a file (not a terminal).  Builds first, in the source tree's preset
# directories as the campaign would, only what that run needs: the fuzz
# preset's fuzz_ops and fuzz_ops_replay, and the coverage preset's four
# replay drivers (the measure).  Checks that
#   - every progress block (a "campaign: Ns of 10s" line) is followed by
#     the header line, and a block's rows carry the coverage columns;
#   - with --no-seeds the run read no seed directory;
#   - the coverage measure sampled the run more than once, from its start,
#     and summary.json, summary.md and report/index.html were written.
set -u
. "$(dirname "$0")/../ci/lib/help.sh"
help_if_asked "$0" "$@"
src=$1 work=$2
fail() { echo "FAIL: $*"; [ -f "$work/out.txt" ] && sed 's/^/  | /' "$work/out.txt"; exit 1; }
rm -rf "$work"
mkdir -p "$work" || exit 1
cd "$src" || exit 1
for p in fuzz coverage; do
	cmake --preset "$p" >"$work/build-$p.log" 2>&1 || fail "cmake --preset $p, see $work/build-$p.log"
done
cmake --build --preset fuzz -j 2 --target fuzz_ops fuzz_ops_replay >>"$work/build-fuzz.log" 2>&1 ||
	fail "building fuzz_ops, see $work/build-fuzz.log"
cmake --build --preset coverage -j 2 --target fuzz_ops_replay fuzz_iter_replay fuzz_faults_replay \
	fuzz_trace_replay >>"$work/build-coverage.log" 2>&1 ||
	fail "building the replay drivers, see $work/build-coverage.log"

./ci/campaign.sh --no-build --no-seeds --budget 10 --targets ops --engines libfuzzer \
	--jobs 1 --coverage-interval 3 --out "$work/campaign" >"$work/out.txt" 2>&1
rc=$?
[ "$rc" -eq 0 ] || fail "ci/campaign.sh exited $rc"

# a header line right after every block's first line
awk '
	prev ~ /^campaign: [0-9]+s of 10s/ { blocks++; if ($1 != "target" || $2 != "engine") bad++ }
	/^  ops +libfuzzer/ && NF >= 14 { rows++ }
	{ prev = $0 }
	END {
		if (blocks < 2) { print "FAIL: " blocks + 0 " progress blocks, want at least 2"; exit 1 }
		if (bad) { print "FAIL: " bad " blocks without their header line"; exit 1 }
		if (!rows) { print "FAIL: no progress row with every column"; exit 1 }
		print blocks " progress blocks, each with its header"
	}' "$work/out.txt" || fail "progress headers"
grep -q '^ *target *engine *state *time *lines% *br% *markers *execs *exec/s *eng.cov' "$work/out.txt" ||
	fail "the header does not name the coverage and engine columns"

read -r cmd <"$work/campaign/ops/libfuzzer/cmdline" || fail "no cmdline"
case $cmd in
*/corpus/seeds/* | */gate-corpus/*) fail "--no-seeds, yet the run read seeds: $cmd" ;;
esac

python3 - "$work/campaign" <<'PY' || fail "summary.json"
import json, sys
s = json.load(open(sys.argv[1] + "/summary.json"))
r = s["runs"][0]
def check(cond, what):
    if not cond:
        print("FAIL: " + what); sys.exit(1)
check(len(s["runs"]) == 1 and (r["target"], r["engine"]) == ("ops", "libfuzzer"), "one run, ops/libfuzzer")
check(s["campaign"]["seeds"] is False, "seeds false under --no-seeds")
check(r["coverage"] is not None and r["coverage"]["lines"] > 0, "the run's coverage measured")
check(len(r["samples"]) >= 2 and r["samples"][0]["run_s"] <= 5, f"samples from the run's start: {r['samples']}")
check(r["coverage"]["lines_hit"] > 0 and r["coverage"]["inputs"] > 0, "the corpus covered something")
check(r["engine_counter"]["name"] == "libFuzzer cov" and r["execs"] > 0, "libFuzzer's own figures")
check(isinstance(s["markers_never_hit"], list), "the markers never hit listed")
print(f"ops/libfuzzer from empty: {r['coverage']['inputs']} inputs, lines {r['coverage']['lines_pct']}%, "
      f"{len(r['samples'])} samples")
PY
for f in summary.md report/index.html; do
	[ -s "$work/campaign/$f" ] || fail "no $f"
done
echo "campaign short run: all checks passed"
