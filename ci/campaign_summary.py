#!/usr/bin/env python3
"""campaign_summary.py CAMPAIGN_DIR: a campaign's summary.json and summary.md.

ci/campaign.sh calls it once the runs, the coverage measure and triage
are over.  It reads what the campaign left in CAMPAIGN_DIR:

  .run/meta.tsv        KEY<TAB>VALUE: date, budget_s, jobs, waves, seeds,
                       measure, triage counts, crosscheck, ...
  .run/pairs.tsv       one row per (target, engine) run, with a header:
                       the engine's own figures (execs, exec/s, its own
                       coverage counter, corpus, findings)
  .run/findings.tsv    id, target, triage directory, replay command
  TARGET/ENGINE/coverage/samples.tsv, markers.tsv
                       ci/campaign_coverage.py's measure over time, and
                       the first sample that reached each marker
  report/coverage/union.json
                       the measure of all runs together

and writes CAMPAIGN_DIR/summary.json (for machines; ci/campaign_compare.py
and ci/campaign_report.py read it) and CAMPAIGN_DIR/summary.md (printed
at the end of the campaign).

Exit status: 0 written; 2 a file missing or malformed (named, with its
line).
"""
import csv
import json
import os
import sys

ENGINE_COUNTER = {"libfuzzer": "libFuzzer cov", "afl": "AFL++ edges_found"}


def fail(msg):
    print(f"campaign_summary: {msg}", file=sys.stderr)
    sys.exit(2)


def number(text):
    """'12' -> 12, '3.5' -> 3.5, '-' or '' -> None."""
    if text in (None, "", "-"):
        return None
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return text


def read_tsv(path, required=True):
    """Rows of a tab-separated file with a header line, as dicts."""
    if not os.path.exists(path):
        if required:
            fail(f"{path}: missing")
        return []
    with open(path, newline="") as f:
        rows = list(csv.reader(f, delimiter="\t"))
    if not rows:
        return []
    head = rows[0]
    out = []
    for no, r in enumerate(rows[1:], 2):
        if len(r) != len(head):
            fail(f"{path}:{no}: {len(r)} fields, the header has {len(head)}")
        out.append(dict(zip(head, r)))
    return out


def read_meta(path):
    if not os.path.exists(path):
        fail(f"{path}: missing")
    meta = {}
    with open(path) as f:
        for no, row in enumerate(f, 1):
            row = row.rstrip("\n")
            if not row:
                continue
            if "\t" not in row:
                fail(f"{path}:{no}: want KEY<TAB>VALUE")
            k, v = row.split("\t", 1)
            meta[k] = v
    return meta


def pct(hit, total):
    return round(100.0 * hit / total, 2) if total else 0.0


def scope_figures(row, prefix=""):
    lh, ln = int(row[prefix + "lines_hit"]), int(row[prefix + "lines"])
    bh, bn = int(row[prefix + "branches_hit"]), int(row[prefix + "branches"])
    return {"lines_hit": lh, "lines": ln, "lines_pct": pct(lh, ln),
            "branches_hit": bh, "branches": bn, "branches_pct": pct(bh, bn)}


def run_coverage(run_dir, start_s=None, seconds=None):
    """(final figures or None, samples over time, {marker: (campaign_s,
    run_s, measured_s)}).  A sample taken while the run was thought to be
    running may carry a time past its end (the measuring process caps it
    at the run's planned end): such times are capped at the actual end,
    and the samples put in order."""
    cov = os.path.join(run_dir, "coverage")
    samples = read_tsv(os.path.join(cov, "samples.tsv"), required=False)
    if isinstance(seconds, (int, float)) and isinstance(start_s, (int, float)):
        for smp in samples:
            if number(smp["run_s"]) is not None and number(smp["run_s"]) > seconds:
                smp["run_s"], smp["campaign_s"] = str(seconds), str(start_s + seconds)
    samples.sort(key=lambda smp: (number(smp["campaign_s"]) or 0, int(smp["inputs"])))
    series = []
    for s in samples:
        f = scope_figures(s)
        series.append({"campaign_s": number(s["campaign_s"]), "run_s": number(s["run_s"]),
                       "inputs": int(s["inputs"]), "lines_pct": f["lines_pct"],
                       "branches_pct": f["branches_pct"], "markers_hit": int(s["markers_hit"])})
    final = None
    if samples:
        last = samples[-1]
        final = scope_figures(last)
        final["core"] = scope_figures(last, "core_")
        final["oracle"] = scope_figures(last, "oracle_")
        final["markers_hit"] = int(last["markers_hit"])
        final["markers"] = int(last["markers"])
        final["inputs"] = int(last["inputs"])
    hits = {m["marker"]: (number(m["campaign_s"]), number(m["run_s"]), number(m.get("measured_s")))
            for m in read_tsv(os.path.join(cov, "markers.tsv"), required=False)}
    return final, series, hits


def findings_of(path):
    out = []
    for f in read_tsv(path, required=False):
        d = f["dir"]
        out.append({"id": f["id"], "target": f["target"], "dir": d,
                    "reproducer": os.path.join(d, "minimized.trace"),
                    "reproducer_bytes": os.path.join(d, "minimized.bin"),
                    "replay": f["replay"]})
    return out


def union_of(path):
    if not os.path.exists(path):
        return None
    with open(path) as f:
        u = json.load(f)
    out = {"runs": u.get("runs", 0), "markers_hit": len(u.get("markers_hit", [])),
           "markers": len(u.get("markers", []))}
    for s, fig in u.get("scopes", {}).items():
        out[s] = {"lines_hit": fig["lines_hit"], "lines": fig["lines"],
                  "lines_pct": pct(fig["lines_hit"], fig["lines"]),
                  "branches_hit": fig["branches_hit"], "branches": fig["branches"],
                  "branches_pct": pct(fig["branches_hit"], fig["branches"])}
    return out, u.get("markers", [])


def build(out_dir):
    run = os.path.join(out_dir, ".run")
    meta = read_meta(os.path.join(run, "meta.tsv"))
    runs, first_hit, all_markers = [], {}, set()
    for p in read_tsv(os.path.join(run, "pairs.tsv")):
        t, e = p["target"], p["engine"]
        final, series, hits = run_coverage(os.path.join(out_dir, t, e), number(p["start_s"]),
                                           number(p["seconds"]))
        kind = e[:-3] if e.endswith("-go") else e
        runs.append({
            "target": t, "engine": e, "state": p["state"], "wave": number(p["wave"]),
            "instances": number(p["instances"]), "start_s": number(p["start_s"]),
            "seconds": number(p["seconds"]), "execs": number(p["execs"]),
            "exec_per_s": number(p["exec_per_s"]), "corpus": number(p["corpus"]),
            "crashes": number(p["crashes"]), "hangs": number(p["hangs"]),
            "ooms": number(p["ooms"]), "first_find_s": number(p["first_find_s"]),
            "engine_counter": {"name": ENGINE_COUNTER.get(kind, kind),
                               "value": number(p["engine_cov"])},
            "coverage": final, "samples": series})
        for m, (cs, rs, measured) in hits.items():
            if m not in first_hit or (cs is not None and cs < first_hit[m]["first_hit_s"]):
                first_hit[m] = {"name": m, "first_hit_s": cs, "run": f"{t}/{e}", "run_s": rs,
                                "measured_s": measured}
    union, markers = union_of(os.path.join(out_dir, "report", "coverage", "union.json")) or (None, [])
    all_markers = set(markers) | set(first_hit)
    measured = meta.get("measure") == "1"
    return {
        "campaign": {"date": meta.get("date"), "budget_s": number(meta.get("budget_s")),
                     "jobs": number(meta.get("jobs")), "waves": number(meta.get("waves")),
                     "slice_s": number(meta.get("slice_s")),
                     "seeds": meta.get("seeds") == "1", "coverage_measured": measured,
                     "coverage_interval_s": number(meta.get("coverage_interval_s")),
                     "interrupted": meta.get("interrupted") == "1"},
        "measure": ("source coverage of core/ and oracle/ (llvm-cov lines and branches, "
                    "each counted once over inlined copies) and the rare-path markers of "
                    "core/, reached by each run's corpus replayed on the coverage build"),
        "runs": runs,
        "union": union,
        "markers": sorted(first_hit.values(), key=lambda m: (m["first_hit_s"] if m["first_hit_s"] is not None
                                                   else float("inf"), m["name"])),
        "markers_never_hit": sorted(all_markers - set(first_hit)) if measured else None,
        "findings": findings_of(os.path.join(run, "findings.tsv")),
        "triage": {"new": number(meta.get("triage_new")),
                   "duplicate": number(meta.get("triage_duplicate")),
                   "flaky": number(meta.get("triage_flaky")),
                   "untriaged": number(meta.get("untriaged")),
                   "max_per_run": number(meta.get("triage_max"))},
        "crosscheck": meta.get("crosscheck"),
    }


def cell(v):
    return "-" if v is None else str(v)


def markdown(s, out_dir):
    c = s["campaign"]
    md = [f"# Fuzz campaign {c['date']}", "",
          f"Budget {c['budget_s']}s on {c['jobs']} core(s), {c['waves']} wave(s) of about "
          f"{c['slice_s']}s (a target's engines side by side); "
          + ("from the seeds (and the gate corpus, where there is one)." if c["seeds"]
             else "from an empty corpus (--no-seeds)."), ""]
    if c["coverage_measured"]:
        md += ["## Coverage, one measure for every engine", "",
               "Each run's corpus replayed on the coverage build (`build-coverage/`): lines and "
               "branches of `core/` + `oracle/`, and the rare-path markers of `core/` reached.", "",
               "| target | engine | time (s) | inputs | lines % | branches % | core lines % "
               "| core branches % | markers |",
               "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
        for r in s["runs"]:
            f = r["coverage"]
            if f is None:
                md.append(f"| {r['target']} | {r['engine']} | {cell(r['seconds'])} | - | - | - | - | - | - |")
                continue
            md.append(f"| {r['target']} | {r['engine']} | {cell(r['seconds'])} | {f['inputs']} "
                      f"| {f['lines_pct']:.2f} | {f['branches_pct']:.2f} | {f['core']['lines_pct']:.2f} "
                      f"| {f['core']['branches_pct']:.2f} | {f['markers_hit']}/{f['markers']} |")
        u = s["union"]
        if u and "all" in u:
            md += ["", f"All runs together: lines {u['all']['lines_pct']:.2f}% "
                   f"({u['all']['lines_hit']}/{u['all']['lines']}), branches "
                   f"{u['all']['branches_pct']:.2f}% ({u['all']['branches_hit']}/{u['all']['branches']}); "
                   f"core/ lines {u['core']['lines_pct']:.2f}%, branches {u['core']['branches_pct']:.2f}%; "
                   f"markers {u['markers_hit']}/{u['markers']}. "
                   f"Line by line: `{os.path.join(out_dir, 'report/coverage/html/index.html')}`."]
        md += ["", "### Rare-path markers: first time any run reached one", "",
               "| marker | first hit (s since fuzzing began) | run | run's time (s) | measured at (s) |",
               "|---|---:|---|---:|---:|"]
        for m in s["markers"]:
            md.append(f"| {m['name']} | {cell(m['first_hit_s'])} | {m['run']} "
                      f"| {cell(m['run_s'])} | {cell(m.get('measured_s'))} |")
        md += ["", "Never hit: " + (", ".join(s["markers_never_hit"]) or "(none)") + ".",
               f"(A first hit is when the first input reaching the marker was found: its "
               f"AFL++ `time:`, or its file's time, seeds at the run's start; the measurement "
               f"that saw it, every {c['coverage_interval_s']}s, when a wave starts and when "
               f"a run ends, at 'measured at'.)", ""]
    md += ["## The engines' own figures", "",
           "| target | engine | instances | time (s) | execs | exec/s | engine's own counter "
           "| corpus | crashes | hangs | ooms | first find (s) |",
           "|---|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|"]
    for r in s["runs"]:
        ec = r["engine_counter"]
        counter = "-" if ec["value"] is None else f"{ec['value']} ({ec['name']})"
        md.append(f"| {r['target']} | {r['engine']} | {cell(r['instances'])} | {cell(r['seconds'])} "
                  f"| {cell(r['execs'])} | {cell(r['exec_per_s'])} | {counter} | {cell(r['corpus'])} "
                  f"| {cell(r['crashes'])} | {cell(r['hangs'])} | {cell(r['ooms'])} "
                  f"| {cell(r['first_find_s']) if r['state'] != 'skipped' else 'skipped'} |")
    md += ["", "The engine's own counter counts what that engine instruments (libFuzzer: edges "
           "of the fuzz build without oracle/; AFL++: its edge map), so it compares runs of one "
           "engine only.", ""]
    if s["findings"]:
        md += ["## Findings", "", "| id | target | reproducer | replay |", "|---|---|---|---|"]
        for f in s["findings"]:
            md.append(f"| {f['id']} | {f['target']} | {f['reproducer']} | `{f['replay']}` |")
        md.append("")
    t = s["triage"]
    extra = (f", {t['untriaged']} more not triaged (over {t['max_per_run']} per run)"
             if t["untriaged"] else "")
    md += [f"Triage: {t['new']} new, {t['duplicate']} duplicate, {t['flaky']} not reproducible{extra}.",
           "", f"Cross-check of every input with Go's runtime map: {s['crosscheck']}."]
    return "\n".join(md) + "\n"


def main():
    if len(sys.argv) == 2 and sys.argv[1] in ("-h", "--help"):
        print(__doc__)
        return 0
    if len(sys.argv) != 2 or sys.argv[1].startswith("-"):
        print("usage: campaign_summary.py CAMPAIGN_DIR (see --help)", file=sys.stderr)
        return 2
    out_dir = sys.argv[1]
    if not os.path.isdir(out_dir):
        fail(f"{out_dir}: no such directory")
    s = build(out_dir)
    with open(os.path.join(out_dir, "summary.json"), "w") as f:
        json.dump(s, f, indent=1)
        f.write("\n")
    with open(os.path.join(out_dir, "summary.md"), "w") as f:
        f.write(markdown(s, out_dir))
    return 0


if __name__ == "__main__":
    sys.exit(main())
