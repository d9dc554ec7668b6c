#!/usr/bin/env python3
"""One coverage measure for every engine of a campaign.

ci/campaign.sh calls this, nice'd, every few seconds during the fuzzing
and once per run at the end.  Each engine counts coverage its own way
(libFuzzer's `cov`, AFL++'s `edges_found`), so neither can be compared
with the other; this measures what every run's corpus reaches in the
*source* of core/ and oracle/, with the coverage build's replay drivers
(build-coverage/fuzz_TARGET_replay, clang source-based coverage), the
way FuzzBench compares fuzzers.  The figures are ci/coverage_report.py's
(lines and branches counted once however many inlined copies the build
holds; the rare-path markers of core/).

  campaign_coverage.py sample --root SRC --build BUILD --profdata TOOL
                              --llvm-cov TOOL [--campaign-start EPOCH] < SPECS
      SPECS: one run a line, tab-separated:
        RUN_DIR  TARGET  CAMPAIGN_S  RUN_S  INPUT_DIR[:INPUT_DIR...]  [STATE [UNTIL_S]]
      For each run, replays only the inputs not replayed before (listed
      in RUN_DIR/coverage/seen.txt) into its cumulative profile
      (RUN_DIR/coverage/cumulative.profdata), then appends one row to
      RUN_DIR/coverage/samples.tsv.  CAMPAIGN_S and RUN_S are the seconds
      since the campaign's fuzzing and the run began as of which the
      inputs are listed: for a run that has ended (STATE `ended`), its
      end; for one still running (STATE `running`, the default), the
      time the spec was written, or with --campaign-start the time its
      inputs are actually listed (one process measures the runs one
      after another, so the last may be listed seconds later), but no
      later than UNTIL_S, when the run will have ended.  When a sample reaches a marker the run had not
      reached, RUN_DIR/coverage/markers.tsv records when: with
      --campaign-start (the Unix time the fuzzing began), the time the
      first input reaching it was found, by a search over the new inputs
      in the order they were found (AFL++ names each with its time since
      the instance started, `time:MS`; libFuzzer's files have their
      mtime, seeds count as found at the run's start): replayed in up to
      4 groups, the first group reaching the marker split again, down to
      one input or to inputs found within a second (then the last one's
      time).  Without it, or if the search does not single one out,
      the sample's time.
  campaign_coverage.py union --root SRC --build BUILD --profdata TOOL
                             --llvm-cov TOOL --out DIR [--html] RUN_DIR...
      Merges the runs' profiles: DIR/union.json (the figures of all runs
      together) and, with --html, DIR/html/index.html (llvm-cov show).

Coverage is cumulative: an input once in a corpus counts even if the
engine later replaces it by a smaller one.  An input that crashes the
replay driver loses only its own profile: a batch whose driver failed is
replayed again one input per process.

Exit status: 0 measured; 2 bad usage or a tool failed.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import resource
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import coverage_report as cr  # noqa: E402  (the figures, not a copy of them)

SCOPES = ("core", "oracle")
SAMPLE_COLUMNS = ["campaign_s", "run_s", "inputs",
                  "lines_hit", "lines", "branches_hit", "branches",
                  "core_lines_hit", "core_lines", "core_branches_hit", "core_branches",
                  "oracle_lines_hit", "oracle_lines", "oracle_branches_hit",
                  "oracle_branches", "markers_hit", "markers"]
REPLAY_TIMEOUT_S = 300
AFL_TIME = re.compile(r",time:([0-9]+)")
SEARCH_WAYS = 4
TIME_RESOLUTION_S = 1.0


def fail(msg):
    print(f"campaign_coverage: {msg}", file=sys.stderr)
    sys.exit(2)


def run_tool(cmd, out=None):
    try:
        res = subprocess.run(cmd, stdout=out or subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    except OSError as e:
        fail(f"{cmd[0]}: {e}")
    if res.returncode != 0:
        fail(f"{' '.join(cmd[:2])} ... failed: {res.stderr.strip()[-400:]}")
    return res.stdout


def list_inputs(dirs):
    """Every regular file under the input directories, by path, sorted."""
    found = []
    for d in dirs:
        if not os.path.isdir(d):
            continue
        for dirpath, dirnames, names in os.walk(d):
            dirnames[:] = [x for x in dirnames if not x.startswith(".")]
            for n in names:
                if not n.startswith("."):
                    found.append(os.path.join(dirpath, n))
    return sorted(found)


def stage(paths, into):
    """Hard links (a copy across file systems) of the inputs, so an engine
    that deletes one while it is replayed loses nothing; returns how many
    were still there."""
    n = 0
    for i, p in enumerate(paths):
        dest = os.path.join(into, f"{i:08d}")
        try:
            os.link(p, dest)
        except OSError:
            try:
                shutil.copyfile(p, dest)
            except OSError:
                continue
        n += 1
    return n


def replay(driver, inputs, raw_dir):
    """The inputs (paths) through the replay driver, each process writing
    its own raw profile; a failed batch again one input per process."""
    env = dict(os.environ, LLVM_PROFILE_FILE=os.path.join(raw_dir, "%p.profraw"))

    def run(args):
        try:
            return subprocess.run([driver] + args, env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL,
                                  timeout=REPLAY_TIMEOUT_S).returncode
        except subprocess.TimeoutExpired:
            return -1

    if run(inputs) == 0:
        return
    files = []
    for x in inputs:
        files += ([os.path.join(x, f) for f in sorted(os.listdir(x))] if os.path.isdir(x)
                  else [x])
    for f in files:
        run([f])


def discovery_times(paths, run_start, campaign_start, latest):
    """Seconds since the campaign began at which each input was found:
    AFL++'s time:MS after the run's start, else the file's mtime; never
    before the run's start (seeds) nor after `latest` (the listing)."""
    out = []
    for p in paths:
        m = AFL_TIME.search(os.path.basename(p))
        if m:
            t = run_start + int(m.group(1)) / 1000.0
        else:
            try:
                t = os.stat(p).st_mtime
            except OSError:
                t = latest
        out.append(round(min(max(t, run_start), latest) - campaign_start, 2))
    return out


def markers_reached(root, lines):
    return {name for name, n, mln in cr.find_markers(root, "core")
            if lines.get(n, {}).get(cr.marked_line(root, n, mln), 0) > 0}


def markers_of(args, driver, inputs, tmp):
    """The markers some input of `inputs` reaches, on its own profile."""
    raw = tempfile.mkdtemp(dir=tmp)
    replay(driver, inputs, raw)
    raws = [os.path.join(raw, r) for r in os.listdir(raw)]
    if not raws:
        return set()
    prof = os.path.join(raw, "x.profdata")
    lcov = os.path.join(raw, "x.lcov")
    run_tool([args.profdata, "merge", "-sparse", "-o", prof] + raws)
    with open(lcov, "w") as f:
        run_tool([args.llvm_cov, "export", "-format=lcov", f"-instr-profile={prof}", driver,
                  os.path.join(args.root, "core")], out=f)
    reached = markers_reached(args.root, cr.read_lcov_lines(lcov, args.root))
    shutil.rmtree(raw, ignore_errors=True)
    return reached


def first_inputs(args, driver, inputs, times, wanted, tmp):
    """{marker: index of the first of `inputs` (in the order found, at
    `times`) that reaches it}, by replaying groups: of up to SEARCH_WAYS
    groups, the first reaching a marker is split again, until one input
    is left or the group was found within TIME_RESOLUTION_S (then its
    last input: the time is at most that late)."""
    found = {}
    groups = [(0, len(inputs), set(wanted))]
    while groups:
        lo, hi, want = groups.pop()
        if hi - lo == 1 or times[hi - 1] - times[lo] <= TIME_RESOLUTION_S:
            for m in want:
                found[m] = hi - 1
            continue
        k = min(SEARCH_WAYS, hi - lo)
        edges = [lo + (hi - lo) * i // k for i in range(k + 1)]
        for a, b in zip(edges, edges[1:]):
            if not want:
                break
            got = want & markers_of(args, driver, inputs[a:b], tmp)
            if got:
                groups.append((a, b, got))
                want = want - got
    return found


def export(args, profile, objects):
    """{file: {line: count}}, {file: {branch: [true, false]}} of core/ and
    oracle/ from one profile."""
    objargs = [objects[0]]
    for o in objects[1:]:
        objargs += ["-object", o]
    srcs = [os.path.join(args.root, s) for s in SCOPES]
    with tempfile.TemporaryDirectory() as tmp:
        lcov, js = os.path.join(tmp, "x.lcov"), os.path.join(tmp, "x.json")
        with open(lcov, "w") as f:
            run_tool([args.llvm_cov, "export", "-format=lcov", f"-instr-profile={profile}"]
                     + objargs + srcs, out=f)
        with open(js, "w") as f:
            run_tool([args.llvm_cov, "export", "-format=text", "-skip-expansions",
                      "-skip-functions", f"-instr-profile={profile}"] + objargs + srcs, out=f)
        return cr.read_lcov_lines(lcov, args.root), cr.read_json_branches(js, args.root)


def figures(root, lines, branches):
    """{scope: Figures} for core, oracle and both, and the markers hit."""
    names = set(lines) | set(branches)
    out = {s: cr.Figures() for s in SCOPES + ("all",)}
    for n in names:
        f = cr.file_figures(lines.get(n, {}), branches.get(n, {}))
        for s in SCOPES:
            if cr.in_scope(n, s):
                out[s].add(f)
                out["all"].add(f)
    hit = []
    for name, n, mln in cr.find_markers(root, "core"):
        if lines.get(n, {}).get(cr.marked_line(root, n, mln), 0) > 0:
            hit.append(name)
    return out, hit


def replay_drivers(build):
    """Every fuzz_*_replay of the build: each sample is measured against
    all of them, so every target's figures share one denominator (the
    lines of core/ and oracle/ any target links), not only what its own
    driver happens to link."""
    return [os.path.join(build, exe) for exe in sorted(os.listdir(build))
            if exe.startswith("fuzz_") and exe.endswith("_replay")]


def marker_names(root):
    return sorted({m[0] for m in cr.find_markers(root, "core")})


def read_first_hits(path):
    hits = {}
    if os.path.exists(path):
        with open(path) as f:
            for row in f:
                w = row.split()
                if w and w[0] != "marker":
                    hits[w[0]] = w[1:]
    return hits


def sample_one(args, run_dir, target, campaign_s, run_s, input_dirs, state="running",
               until_s=None):
    cov = os.path.join(run_dir, "coverage")
    os.makedirs(cov, exist_ok=True)
    driver = os.path.join(args.build, f"fuzz_{target}_replay")
    if not os.access(driver, os.X_OK):
        fail(f"{driver} is missing (cmake --build --preset coverage --target fuzz_{target}_replay)")
    seen_path = os.path.join(cov, "seen.txt")
    seen = set()
    if os.path.exists(seen_path):
        with open(seen_path) as f:
            seen = set(f.read().split("\n"))
    timed = args.campaign_start is not None
    listed_s = float(campaign_s)  # when the inputs are listed, to the millisecond
    if timed and state == "running":  # as of now
        offset = float(campaign_s) - float(run_s)
        listed_s = time.time() - args.campaign_start
        if until_s is not None:
            listed_s = min(listed_s, until_s)
        campaign_s = f"{listed_s:.0f}"
        run_s = f"{float(campaign_s) - offset:.0f}"
    new = [p for p in list_inputs(input_dirs) if p not in seen]
    if timed:
        start = args.campaign_start
        run_start = start + float(campaign_s) - float(run_s)
        found_at = dict(zip(new, discovery_times(new, run_start, start, start + listed_s)))
        new.sort(key=lambda p: (found_at[p], p))
    cumulative = os.path.join(cov, "cumulative.profdata")
    markers = os.path.join(cov, "markers.tsv")
    first = read_first_hits(markers)
    added_at = {}
    with tempfile.TemporaryDirectory(dir=cov) as tmp:
        staged, raw = os.path.join(tmp, "inputs"), os.path.join(tmp, "raw")
        os.makedirs(staged)
        os.makedirs(raw)
        if stage(new, staged):
            replay(driver, [staged], raw)
        raws = [os.path.join(raw, r) for r in os.listdir(raw)]
        if raws:
            merged = os.path.join(tmp, "merged.profdata")
            old = [cumulative] if os.path.exists(cumulative) else []
            run_tool([args.profdata, "merge", "-sparse", "-o", merged] + old + raws)
            os.replace(merged, cumulative)
        if os.path.exists(cumulative):
            figs, hit = figures(args.root, *export(args, cumulative, replay_drivers(args.build)))
        else:  # nothing replayed yet: an empty corpus
            figs, hit = {s: cr.Figures() for s in SCOPES + ("all",)}, []
        added = [m for m in sorted(hit) if m not in first]
        if added and timed:
            names = sorted(os.listdir(staged))  # staged in the order found
            by_name = {f"{i:08d}": p for i, p in enumerate(new)}
            times = [found_at[by_name[n]] for n in names]
            for m, i in first_inputs(args, driver, [os.path.join(staged, n) for n in names],
                                     times, added, tmp).items():
                added_at[m] = found_at[by_name[names[i]]]
    with open(seen_path, "a") as f:
        f.write("".join(p + "\n" for p in new))
    total_inputs = len(seen - {""}) + len(new)
    row = [campaign_s, run_s, total_inputs]
    for s in ("all",) + SCOPES:
        f = figs[s]
        row += [f.lines_hit, f.lines, f.br_hit, f.br]
    row += [len(hit), len(marker_names(args.root))]
    samples = os.path.join(cov, "samples.tsv")
    fresh = not os.path.exists(samples)
    with open(samples, "a") as f:
        if fresh:
            f.write("\t".join(SAMPLE_COLUMNS) + "\n")
        f.write("\t".join(str(x) for x in row) + "\n")
    if added:
        fresh = not os.path.exists(markers)
        run_start_s = float(campaign_s) - float(run_s)
        with open(markers, "a") as f:
            if fresh:
                f.write("marker\tcampaign_s\trun_s\tmeasured_s\n")
            for m in added:
                at = added_at.get(m, float(campaign_s))
                f.write(f"{m}\t{at:g}\t{round(at - run_start_s, 2):g}\t{campaign_s}\n")


def cpu_seconds():
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def cmd_sample(args):
    t0, runs = time.time(), 0
    for no, spec in enumerate(sys.stdin, 1):
        spec = spec.rstrip("\n")
        if not spec:
            continue
        w = spec.split("\t")
        if (len(w) not in (5, 6, 7) or (len(w) >= 6 and w[5] not in ("running", "ended"))
                or (len(w) == 7 and not re.fullmatch(r"[0-9]+(\.[0-9]+)?", w[6]))):
            fail(f"<stdin>:{no}: want RUN_DIR TARGET CAMPAIGN_S RUN_S INPUT_DIRS "
                 "[running|ended [UNTIL_S]], tab-separated")
        run_dir, target, campaign_s, run_s, dirs = w[:5]
        sample_one(args, run_dir, target, campaign_s, run_s, [d for d in dirs.split(":") if d],
                   w[5] if len(w) >= 6 else "running", float(w[6]) if len(w) == 7 else None)
        runs += 1
    # what the measure costs, for ci/campaign.sh's coverage.log
    print(f"campaign_coverage: sampled {runs} run(s) in {time.time() - t0:.1f} s, "
          f"{cpu_seconds():.1f} s of CPU")
    return 0


def cmd_union(args):
    profiles, objects = [], replay_drivers(args.build)
    for d in args.runs:
        p = os.path.join(d, "coverage", "cumulative.profdata")
        if os.path.exists(p):
            profiles.append(p)
    os.makedirs(args.out, exist_ok=True)
    result = {"runs": len(profiles), "scopes": {}, "markers_hit": [],
              "markers": marker_names(args.root)}
    if profiles and objects:
        merged = os.path.join(args.out, "union.profdata")
        run_tool([args.profdata, "merge", "-sparse", "-o", merged] + profiles)
        figs, hit = figures(args.root, *export(args, merged, objects))
        for s, f in figs.items():
            result["scopes"][s] = {"lines_hit": f.lines_hit, "lines": f.lines,
                                   "branches_hit": f.br_hit, "branches": f.br}
        result["markers_hit"] = sorted(hit)
        if args.html:
            html = os.path.join(args.out, "html")
            shutil.rmtree(html, ignore_errors=True)
            objargs = [objects[0]]
            for o in objects[1:]:
                objargs += ["-object", o]
            run_tool([args.llvm_cov, "show", "-format=html", f"-output-dir={html}",
                      "-show-branches=count", f"-instr-profile={merged}"] + objargs
                     + [os.path.join(args.root, s) for s in SCOPES])
    with open(os.path.join(args.out, "union.json"), "w") as f:
        json.dump(result, f, indent=1)
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name in ("sample", "union"):
        p = sub.add_parser(name)
        p.add_argument("--root", required=True)
        p.add_argument("--build", required=True)
        p.add_argument("--profdata", required=True)
        p.add_argument("--llvm-cov", required=True)
        if name == "sample":
            p.add_argument("--campaign-start", type=float,
                           help="Unix time the campaign's fuzzing began")
        if name == "union":
            p.add_argument("--out", required=True)
            p.add_argument("--html", action="store_true")
            p.add_argument("runs", nargs="*")
    if len(sys.argv) > 1 and sys.argv[1] in ("-h", "--help"):
        print(__doc__)
        return 0
    args = ap.parse_args()
    args.root = os.path.realpath(args.root)
    args.build = os.path.realpath(args.build)
    return cmd_sample(args) if args.cmd == "sample" else cmd_union(args)


if __name__ == "__main__":
    sys.exit(main())
