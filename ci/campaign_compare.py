#!/usr/bin/env python3
"""campaign_compare.py OLD/summary.json NEW/summary.json

What changed from one campaign to another (ci/campaign.sh --compare
OLD_DIR runs it on OLD_DIR's and --out's summary.json): per (target,
engine) run, the coverage of core/ + oracle/ (lines and branches, points
of percentage), the markers reached, execs and exec/s; all runs
together; the markers first reached or no longer reached; the findings
that are new or gone.  Runs only one campaign has are listed as added or
removed.

Exit status: 0 printed; 2 a file missing or not a summary.json.
"""
import json
import sys


def load(path):
    try:
        with open(path) as f:
            s = json.load(f)
    except OSError as e:
        print(f"campaign_compare: {path}: {e.strerror}", file=sys.stderr)
        sys.exit(2)
    except ValueError as e:
        print(f"campaign_compare: {path}: not JSON: {e}", file=sys.stderr)
        sys.exit(2)
    if not isinstance(s, dict) or "runs" not in s or "campaign" not in s:
        print(f"campaign_compare: {path}: not a campaign summary.json", file=sys.stderr)
        sys.exit(2)
    return s


def fmt(v, spec=""):
    return "-" if v is None else format(v, spec)


def delta(old, new, spec="+.2f"):
    if old is None or new is None:
        return "  n/a"
    return format(new - old, spec)


def cov(run, key):
    c = run.get("coverage")
    return None if c is None else c.get(key)


def main():
    if len(sys.argv) == 2 and sys.argv[1] in ("-h", "--help"):
        print(__doc__)
        return 0
    if len(sys.argv) != 3:
        print("usage: campaign_compare.py OLD/summary.json NEW/summary.json", file=sys.stderr)
        return 2
    old, new = load(sys.argv[1]), load(sys.argv[2])
    oc, nc = old["campaign"], new["campaign"]
    print(f"campaign compare: old {sys.argv[1]} ({oc.get('date')}, {oc.get('budget_s')} s, "
          f"{'seeds' if oc.get('seeds') else 'no seeds'}) -> new {sys.argv[2]} "
          f"({nc.get('date')}, {nc.get('budget_s')} s, {'seeds' if nc.get('seeds') else 'no seeds'})")
    orun = {(r["target"], r["engine"]): r for r in old["runs"]}
    nrun = {(r["target"], r["engine"]): r for r in new["runs"]}
    print(f"  {'target':<7} {'engine':<13} {'lines %':>17} {'branches %':>17} "
          f"{'markers':>9} {'execs':>21} {'exec/s':>15}")
    for key in list(orun) + [k for k in nrun if k not in orun]:
        o, n = orun.get(key), nrun.get(key)
        if o is None or n is None:
            print(f"  {key[0]:<7} {key[1]:<13} {'added' if o is None else 'removed'}")
            continue
        ol, nl = cov(o, "lines_pct"), cov(n, "lines_pct")
        ob, nb = cov(o, "branches_pct"), cov(n, "branches_pct")
        om, nm = cov(o, "markers_hit"), cov(n, "markers_hit")
        print(f"  {key[0]:<7} {key[1]:<13} {fmt(ol, '.2f'):>6}->{fmt(nl, '.2f'):>6} "
              f"({delta(ol, nl)}) {fmt(ob, '.2f'):>6}->{fmt(nb, '.2f'):>6} ({delta(ob, nb)}) "
              f"{fmt(om):>3}->{fmt(nm):<3}  {fmt(o.get('execs')):>9}->{fmt(n.get('execs')):<10} "
              f"{fmt(o.get('exec_per_s')):>6}->{fmt(n.get('exec_per_s')):<7}")
    ou, nu = old.get("union") or {}, new.get("union") or {}
    if "all" in ou and "all" in nu:
        print(f"  all runs together: lines {ou['all']['lines_pct']:.2f}% -> "
              f"{nu['all']['lines_pct']:.2f}% ({delta(ou['all']['lines_pct'], nu['all']['lines_pct'])}), "
              f"branches {ou['all']['branches_pct']:.2f}% -> {nu['all']['branches_pct']:.2f}% "
              f"({delta(ou['all']['branches_pct'], nu['all']['branches_pct'])}), "
              f"markers {ou['markers_hit']} -> {nu['markers_hit']}")
    om = {m["name"]: m for m in old.get("markers", [])}
    nm = {m["name"]: m for m in new.get("markers", [])}
    reached = sorted(set(nm) - set(om))
    lost = sorted(set(om) - set(nm))
    print("  markers now reached: " + (", ".join(f"{m} ({nm[m]['first_hit_s']} s, {nm[m]['run']})"
                                                 for m in reached) or "(none)"))
    print("  markers no longer reached: " + (", ".join(lost) or "(none)"))
    faster = [f"{m} {om[m]['first_hit_s']}->{nm[m]['first_hit_s']} s"
              for m in sorted(set(om) & set(nm))
              if om[m]["first_hit_s"] != nm[m]["first_hit_s"]]
    print("  markers' first hit moved: " + (", ".join(faster) or "(none)"))
    of = {(f["target"], f["id"]) for f in old.get("findings", [])}
    nf = {(f["target"], f["id"]) for f in new.get("findings", [])}
    print("  findings new: " + (", ".join(f"{t}:{i}" for t, i in sorted(nf - of)) or "(none)"))
    print("  findings gone: " + (", ".join(f"{t}:{i}" for t, i in sorted(of - nf)) or "(none)"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
