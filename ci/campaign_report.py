#!/usr/bin/env python3
"""campaign_report.py CAMPAIGN_DIR: the campaign's report, one HTML page.

Writes CAMPAIGN_DIR/report/index.html from CAMPAIGN_DIR/summary.json
(ci/campaign_summary.py), to open in a browser without a network: every
link is relative and nothing is fetched.  It shows

  - the coverage table: each (target, engine) run's line and branch
    coverage of core/ + oracle/ and the markers its corpus reached, the
    one measure every engine shares, and all runs together;
  - the plots ci/plot-campaign.sh drew into report/ (coverage.png, and
    engine-counters.png for the engines' own counters);
  - the rare-path markers: the first time any run reached each, and
    those never reached;
  - the engines' own figures (execs, exec/s, their own coverage counter,
    corpus, crashes, hangs, OOMs, first find);
  - the findings, each with its reproducer and the command to replay it;
  - links to the line-by-line coverage report (report/coverage/html/,
    llvm-cov show) and to summary.json, summary.md and the logs.

Exit status: 0 written; 2 no summary.json or bad usage.
"""
import html
import json
import os
import sys


def fail(msg):
    print(f"campaign_report: {msg}", file=sys.stderr)
    sys.exit(2)


def esc(v):
    return "-" if v is None else html.escape(str(v))


def link(href, text):
    return f'<a href="{html.escape(href)}">{html.escape(text)}</a>'


def rel_link(report_dir, path, text=None):
    """A link from the report to PATH if it exists, else plain text."""
    if path and os.path.exists(path):
        return link(os.path.relpath(path, report_dir), text or os.path.basename(path))
    return esc(text or path)


def table(head, rows, numeric=()):
    out = ["<table><tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in head) + "</tr>"]
    for r in rows:
        cells = []
        for i, c in enumerate(r):
            cls = ' class="n"' if i in numeric else ""
            cells.append(f"<td{cls}>{c}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


def coverage_section(s, out_dir, report_dir):
    parts = ["<h2>Coverage: one measure for every engine</h2>",
             f"<p>{esc(s['measure'])}.</p>"]
    rows = []
    for r in s["runs"]:
        f = r["coverage"]
        if f is None:
            rows.append([esc(r["target"]), esc(r["engine"]), esc(r["seconds"])] + ["-"] * 6)
            continue
        rows.append([esc(r["target"]), esc(r["engine"]), esc(r["seconds"]), esc(f["inputs"]),
                     f"{f['lines_pct']:.2f}", f"{f['branches_pct']:.2f}",
                     f"{f['core']['lines_pct']:.2f}", f"{f['core']['branches_pct']:.2f}",
                     f"{f['markers_hit']}/{f['markers']}"])
    parts.append(table(["target", "engine", "time (s)", "inputs", "lines %", "branches %",
                        "core/ lines %", "core/ branches %", "markers"],
                       rows, numeric=range(2, 9)))
    u = s.get("union")
    if u and "all" in u:
        parts.append(f"<p><b>All runs together</b>: lines {u['all']['lines_pct']:.2f}% "
                     f"({u['all']['lines_hit']}/{u['all']['lines']}), branches "
                     f"{u['all']['branches_pct']:.2f}% ({u['all']['branches_hit']}/"
                     f"{u['all']['branches']}); core/ lines {u['core']['lines_pct']:.2f}%, "
                     f"branches {u['core']['branches_pct']:.2f}%; oracle/ lines "
                     f"{u['oracle']['lines_pct']:.2f}%, branches {u['oracle']['branches_pct']:.2f}%; "
                     f"markers {u['markers_hit']}/{u['markers']}.</p>")
    cov_html = os.path.join(report_dir, "coverage", "html", "index.html")
    parts.append("<p>Line by line, all runs together: "
                 + rel_link(report_dir, cov_html, "coverage report (llvm-cov show)") + ".</p>")
    png = os.path.join(report_dir, "coverage.png")
    if os.path.exists(png):
        parts.append(f'<p><img src="coverage.png" alt="coverage over time per target and engine"></p>')
    return "\n".join(parts)


def markers_section(s):
    if s["markers_never_hit"] is None:
        return ""
    rows = [[esc(m["name"]), esc(m["first_hit_s"]), esc(m["run"]), esc(m["run_s"]),
             esc(m.get("measured_s"))] for m in s["markers"]]
    never = ", ".join(s["markers_never_hit"]) or "(none)"
    return "\n".join([
        "<h2>Rare-path markers</h2>",
        "<p>The first time any run reached each marker, in seconds since the fuzzing "
        "began: when the first input reaching it was found (AFL++'s <code>time:</code> in "
        "its name, or the file's time; seeds at the run's start), singled out among the "
        "inputs new to the measurement that saw the marker (every "
        f"{esc(s['campaign']['coverage_interval_s'])} s, when a wave starts and when a run "
        "ends; 'measured at').</p>",
        table(["marker", "first hit (s)", "run", "run's time (s)", "measured at (s)"], rows,
              numeric=(1, 3, 4)),
        f"<p><b>Never hit</b>: {html.escape(never)}.</p>"])


def engines_section(s, report_dir):
    rows = []
    for r in s["runs"]:
        ec = r["engine_counter"]
        rows.append([esc(r["target"]), esc(r["engine"]), esc(r["state"]), esc(r["instances"]),
                     esc(r["seconds"]), esc(r["execs"]), esc(r["exec_per_s"]),
                     "-" if ec["value"] is None else f"{esc(ec['value'])} <small>({esc(ec['name'])})</small>",
                     esc(r["corpus"]), esc(r["crashes"]), esc(r["hangs"]), esc(r["ooms"]),
                     esc(r["first_find_s"])])
    parts = ["<h2>The engines' own figures</h2>",
             "<p>Each engine's own coverage counter counts what that engine instruments "
             "(libFuzzer: edges of the fuzz build, oracle/ left out; AFL++: its edge map): "
             "it compares runs of one engine, not engines.</p>",
             table(["target", "engine", "state", "instances", "time (s)", "execs", "exec/s",
                    "engine's own counter", "corpus", "crashes", "hangs", "ooms",
                    "first find (s)"], rows, numeric=(3, 4, 5, 6, 8, 9, 10, 11, 12))]
    if os.path.exists(os.path.join(report_dir, "engine-counters.png")):
        parts.append('<p><img src="engine-counters.png" alt="the engines\' own counters"></p>')
    return "\n".join(parts)


def findings_section(s, report_dir):
    t = s["triage"]
    parts = ["<h2>Findings</h2>"]
    if s["findings"]:
        rows = []
        for f in s["findings"]:
            rows.append([esc(f["id"]), esc(f["target"]),
                         rel_link(report_dir, f["reproducer"]) + " "
                         + rel_link(report_dir, f["reproducer_bytes"]),
                         rel_link(report_dir, f["dir"], "triage"),
                         f"<code>{esc(f['replay'])}</code>"])
        parts.append(table(["id", "target", "reproducer", "details", "replay"], rows))
    else:
        parts.append("<p>None.</p>")
    extra = (f", {t['untriaged']} more not triaged (over {t['max_per_run']} per run)"
             if t["untriaged"] else "")
    parts.append(f"<p>Triage: {esc(t['new'])} new, {esc(t['duplicate'])} duplicate, "
                 f"{esc(t['flaky'])} not reproducible{esc(extra) if extra else ''}.</p>")
    parts.append(f"<p>Cross-check of every input with Go's runtime map: {esc(s['crosscheck'])}.</p>")
    return "\n".join(parts)


STYLE = """
body { font-family: sans-serif; margin: 1.5em; max-width: 1400px; }
table { border-collapse: collapse; margin: 0.5em 0; }
th, td { border: 1px solid #bbb; padding: 2px 8px; }
th { background: #eee; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
img { max-width: 100%; border: 1px solid #ddd; }
code { font-size: 90%; }
"""


def page(s, out_dir):
    report_dir = os.path.join(out_dir, "report")
    c = s["campaign"]
    head = (f"Budget {esc(c['budget_s'])} s on {esc(c['jobs'])} core(s), {esc(c['waves'])} "
            f"wave(s) of about {esc(c['slice_s'])} s, a target's engines side by side; "
            + ("started from the seeds (and the gate corpus, where there is one)." if c["seeds"]
               else "started from an empty corpus (--no-seeds).")
            + (" Interrupted." if c["interrupted"] else ""))
    files = " · ".join(rel_link(report_dir, os.path.join(out_dir, n), n) for n in
                       ("summary.json", "summary.md", "coverage.log", "triage.log",
                        "go-crosscheck.log"))
    body = [f"<h1>Fuzz campaign {esc(c['date'])}</h1>", f"<p>{head}</p>", f"<p>{files}</p>"]
    if c["coverage_measured"]:
        body += [coverage_section(s, out_dir, report_dir), markers_section(s)]
    else:
        body.append("<p>Coverage was not measured (--no-coverage).</p>")
    body += [engines_section(s, report_dir), findings_section(s, report_dir)]
    return ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
            f"<title>Fuzz campaign {esc(c['date'])}</title><style>{STYLE}</style></head>\n"
            "<body>\n" + "\n".join(body) + "\n</body></html>\n")


def main():
    if len(sys.argv) == 2 and sys.argv[1] in ("-h", "--help"):
        print(__doc__)
        return 0
    if len(sys.argv) != 2 or sys.argv[1].startswith("-"):
        print("usage: campaign_report.py CAMPAIGN_DIR (see --help)", file=sys.stderr)
        return 2
    out_dir = sys.argv[1]
    path = os.path.join(out_dir, "summary.json")
    if not os.path.exists(path):
        fail(f"{path}: missing (ci/campaign_summary.py writes it)")
    try:
        with open(path) as f:
            s = json.load(f)
    except ValueError as e:
        fail(f"{path}: not JSON: {e}")
    os.makedirs(os.path.join(out_dir, "report"), exist_ok=True)
    with open(os.path.join(out_dir, "report", "index.html"), "w") as f:
        f.write(page(s, out_dir))
    return 0


if __name__ == "__main__":
    sys.exit(main())
