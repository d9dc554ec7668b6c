#!/bin/sh
# campaign_report_check.sh SRC_DIR FIXTURE_DIR WORK_DIR
# The campaign's summary, report and comparison, from the fixture in
# tests/data/campaign-report/ (its README says what it holds), copied to
# WORK_DIR:
#   1. ci/campaign_summary.py writes summary.json with the coverage of
#      each run on one scale (lines and branches of core/ + oracle/,
#      markers), the engines' own counters labelled by engine, each
#      marker's first hit and the markers never hit, and the finding with
#      its reproducer and replay command; and summary.md with the same;
#   2. ci/plot-campaign.sh draws report/coverage.png with every run (when
#      gnuplot is installed);
#   3. ci/campaign_report.py writes report/index.html whose sections are
#      all there and whose every relative link and image resolves;
#   4. ci/campaign.sh --compare OLD --out NEW prints the coverage, marker
#      and finding changes between the two;
#   5. a malformed .run/pairs.tsv is refused (exit 2) naming file and line.
set -u
. "$(dirname "$0")/../ci/lib/help.sh"
help_if_asked "$0" "$@"
src=$1 fixture=$2 work=$3
fail() { echo "FAIL: $*"; exit 1; }
rm -rf "$work"
mkdir -p "$work" || exit 1
cp -r "$fixture/new" "$work/new" && cp -r "$fixture/old" "$work/old" || exit 1
sed -i "s|@DIR@|$work/new|" "$work/new/.run/findings.tsv"

# 1. summary.json and summary.md
python3 "$src/ci/campaign_summary.py" "$work/new" || fail "campaign_summary.py exited $?"
python3 - "$work/new" <<'EOF' || exit 1
import json, sys
s = json.load(open(sys.argv[1] + "/summary.json"))
def check(cond, what):
    if not cond:
        print("FAIL: summary.json: " + what)
        sys.exit(1)
runs = {(r["target"], r["engine"]): r for r in s["runs"]}
check(set(runs) == {("trace", "libfuzzer"), ("trace", "afl"), ("ops", "libfuzzer"), ("ops", "afl")},
      f"runs {sorted(runs)}")
lf, afl = runs[("ops", "libfuzzer")], runs[("ops", "afl")]
for r in (lf, afl):
    c = r["coverage"]
    check(c is not None and c["lines"] == 4064 and c["branches"] == 2236,
          "every run measured against the same lines and branches (4064, 2236)")
    check(0 < c["lines_pct"] <= 100 and c["lines_pct"] == round(100 * c["lines_hit"] / c["lines"], 2),
          "lines_pct is lines_hit / lines")
    check(c["core"]["lines"] + c["oracle"]["lines"] == c["lines"], "core + oracle = all")
    check(len(r["samples"]) >= 2 and r["samples"][-1]["lines_pct"] == c["lines_pct"],
          "samples over time, the last one the final figure")
check(lf["coverage"]["lines_hit"] == 2951 and lf["coverage"]["markers_hit"] == 11,
      f"ops/libfuzzer's final figures ({lf['coverage']['lines_hit']}, {lf['coverage']['markers_hit']})")
check(lf["engine_counter"] == {"name": "libFuzzer cov", "value": 1253}, "libFuzzer's own counter")
check(afl["engine_counter"] == {"name": "AFL++ edges_found", "value": 2228}, "AFL++'s own counter")
check(lf["first_find_s"] == 3.21 and lf["crashes"] == 1, "ops/libfuzzer's finding figures")
names = [m["name"] for m in s["markers"]]
check(len(names) == 11 and "same-size-growth" in names, f"markers hit {names}")
check(all(m["first_hit_s"] == 25.5 and m["measured_s"] == 33 and m["run_s"] == 2.5
          and m["run"] in ("ops/libfuzzer", "ops/afl") for m in s["markers"]),
      "each marker's first hit in seconds since the fuzzing began, and when it was measured")
check(sorted(s["markers_never_hit"]) == ["enomem-delete-mid-growth", "enomem-growth-start",
      "nan-evacuation-with-iterator", "noverflow-counted-by-chance"], f"never hit {s['markers_never_hit']}")
check(s["union"]["all"]["lines"] == 4064 and s["union"]["markers_hit"] == 11, "all runs together")
f = s["findings"]
check(len(f) == 1 and f[0]["id"] == "invariant.I3" and f[0]["reproducer"].endswith("minimized.trace")
      and f[0]["replay"].startswith("build/gomap replay "), "the finding, its reproducer and replay")
check(s["campaign"]["budget_s"] == 40 and s["campaign"]["seeds"] is True, "the campaign's settings")
EOF
md=$work/new/summary.md
for want in "| ops | libfuzzer | 20 | 2328 | 72.61 |" "1253 (libFuzzer cov)" "2228 (AFL++ edges_found)" \
	"| same-size-growth | 25.5 | ops/libfuzzer | 2.5 | 33 |" "Never hit: enomem-delete-mid-growth" \
	"| invariant.I3 | ops |"; do
	grep -qF -- "$want" "$md" || fail "summary.md lacks '$want'"
done

# 2. the plot of the one measure
if command -v gnuplot >/dev/null 2>&1; then
	said=$("$src/ci/plot-campaign.sh" "$work/new" -d "$work/new/report" 2>&1) || fail "plot-campaign: $said"
	case $said in
	*"coverage.png (2 target(s), 4 series)"*) ;;
	*) fail "plot-campaign drew '$said', want 2 targets and 4 series" ;;
	esac
	[ "$(head -c 4 "$work/new/report/coverage.png" | od -An -tx1 | tr -d ' \n')" = 89504e47 ] ||
		fail "coverage.png is not a PNG"
else
	echo "gnuplot is not installed: the plot is not checked"
fi

# 3. the HTML report
python3 "$src/ci/campaign_report.py" "$work/new" || fail "campaign_report.py exited $?"
html=$work/new/report/index.html
for want in "Coverage: one measure for every engine" "Rare-path markers" "Never hit" \
	"The engines' own figures" "AFL++ edges_found" "Findings" "invariant.I3" \
	"build/gomap replay corpus/regressions/candidates/ops-invariant.I3.trace" \
	'href="../triage/invariant.I3/minimized.trace"' 'href="../summary.json"'; do
	grep -qF -- "$want" "$html" || fail "index.html lacks '$want'"
done
if command -v gnuplot >/dev/null 2>&1; then
	grep -qF 'src="coverage.png"' "$html" || fail "index.html shows no coverage plot"
fi
python3 - "$html" <<'EOF' || exit 1
import os, re, sys
page = sys.argv[1]
text = open(page).read()
refs = re.findall(r'(?:href|src)="([^"]+)"', text)
if not refs:
    print("FAIL: index.html has no links"); sys.exit(1)
for r in refs:
    if "://" in r:
        print(f"FAIL: index.html fetches {r}: not viewable offline"); sys.exit(1)
    if not os.path.exists(os.path.join(os.path.dirname(page), r)):
        print(f"FAIL: index.html links {r}, which does not exist"); sys.exit(1)
print(f"index.html: {len(refs)} links, all resolve")
EOF

# 4. --compare
cmp=$("$src/ci/campaign.sh" --compare "$work/old" --out "$work/new") || fail "--compare exited $?"
echo "$cmp"
for want in "ops     libfuzzer" "(+4.92)" "(+4.47)" "9->11" "findings new: ops:invariant.I3" \
	"findings gone: (none)" "markers no longer reached: (none)"; do
	case $cmp in *"$want"*) ;; *) fail "--compare output lacks '$want'" ;; esac
done
"$src/ci/campaign.sh" --compare "$work/nowhere" --out "$work/new" >/dev/null 2>&1
[ $? -eq 2 ] || fail "--compare with no OLD/summary.json must exit 2"

# 5. malformed input
printf 'ops\tlibfuzzer\n' >>"$work/new/.run/pairs.tsv"
err=$(python3 "$src/ci/campaign_summary.py" "$work/new" 2>&1)
[ $? -eq 2 ] || fail "a malformed pairs.tsv must exit 2"
case $err in *"pairs.tsv:6:"*) ;; *) fail "the error must name pairs.tsv:6, said: $err" ;; esac
echo "campaign report: all checks passed"
