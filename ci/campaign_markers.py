#!/usr/bin/env python3
"""Rare-path markers across several campaigns: for each marker of core/,
the first time each campaign reached it (seconds since its fuzzing began,
from OUT/summary.json) and the median over the campaigns, a campaign that
never reached it counting as later than any that did.  A markdown table
on stdout, the markers ordered by median, then how many each campaign
reached.  How issue 15's "median of 3 runs of a default campaign from an
empty corpus" is measured:

    for i in 1 2 3; do ci/campaign.sh --no-seeds --out /tmp/c$i; done
    ci/campaign_markers.py /tmp/c1 /tmp/c2 /tmp/c3

usage: ci/campaign_markers.py CAMPAIGN_DIR...   (-h, --help: this text)
Exit 0; 2 for bad usage or a directory without a readable summary.json.
"""
import json
import os
import statistics
import sys


def load(d):
    path = os.path.join(d, "summary.json")
    try:
        with open(path) as f:
            data = json.load(f)
        hits = {m["name"]: float(m["first_hit_s"]) for m in data["markers"]}
        never = list(data["markers_never_hit"])
    except (OSError, ValueError, KeyError, TypeError) as e:
        sys.exit(f"campaign_markers: {path}: not a campaign summary ({e})")
    return hits, never


def main(argv):
    if any(a in ("-h", "--help") for a in argv):
        print(__doc__.strip())
        return 0
    if not argv or any(a.startswith("-") for a in argv):
        print(__doc__.strip().splitlines()[-2], file=sys.stderr)
        return 2
    runs = []
    for d in argv:
        try:
            runs.append(load(d))
        except SystemExit as e:
            print(e, file=sys.stderr)
            return 2
    names = sorted({n for hits, never in runs for n in list(hits) + never})
    inf = float("inf")

    def median(n):
        return statistics.median(hits.get(n, inf) for hits, _ in runs)

    print("| marker | " + " | ".join(f"run {i}" for i in range(1, len(runs) + 1))
          + " | median |")
    print("|---|" + "---:|" * (len(runs) + 1))
    for n in sorted(names, key=lambda n: (median(n), n)):
        cells = [f"{hits[n]:g}" if n in hits else "-" for hits, _ in runs]
        m = median(n)
        cells.append(f"{m:g}" if m != inf else "-")
        print(f"| {n} | " + " | ".join(cells) + " |")
    reached = [f"{len(hits)}/{len(names)}" for hits, _ in runs]
    print(f"\nMarkers reached per campaign: {', '.join(reached)}; reached by the "
          f"median campaign: {sum(median(n) != inf for n in names)}/{len(names)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
