#!/usr/bin/env python3
"""Coverage figures, uncovered lines, rare-path markers and the gate.

Called by ci/coverage.sh with llvm-cov's exports of one merged profile
(the whole suite plus the corpus replay) and, for the markers, of the
corpus replay alone:

  coverage_report.py --root SRC --out DIR --lcov ALL.lcov --json ALL.json
                     [--scope DIR]... [--corpus-lcov CORPUS.lcov] [--threshold FILE]

Figures are the union over instantiations: a line is covered when any
copy of it ran.  The core's static inline bodies (map_body.h,
hash_inline.h, map_internal.h) are compiled into several files, and each
copy is specialised (fast32/fast64/faststr/generic); `llvm-cov report`
counts such a header by its best single copy, so a line only the generic
copy runs and one only a fast copy runs cannot both count there.
  lines     the lcov DA records (llvm-cov's own per-line counts, merged
            over all copies);
  branches  llvm-cov's branch regions grouped by source range across
            copies, each condition counting two outcomes (true, false).

An uncovered line is "documented" when a `coverage-unreachable: WHY`
comment sits on it or between it and the last covered line before it
(so one comment explains a whole uncovered block); the others are listed
as unexplained.  The gate counts both alike.

Each --scope DIR (repeatable: core, oracle, program, fuzz, cli) gets its
per-file table and total; the uncovered lines and branches of all of them
are listed.  Writes to DIR: uncovered-lines.txt, uncovered-branches.txt,
markers.txt.
Exit status 1 when a figure is below its threshold, 2 on bad input.
"""
import argparse
import collections
import json
import os
import re
import sys

MARKER = re.compile(r"coverage-marker:\s*([A-Za-z0-9_.-]+)")
UNREACHABLE = re.compile(r"coverage-unreachable:\s*(.*?)\s*(\*/|$)")


def rel(root, path):
    path = os.path.normpath(path)
    return os.path.relpath(path, root) if path.startswith(root + os.sep) else path


def read_lcov_lines(path, root):
    """{file: {line: count}} from the DA records of an lcov export."""
    files = collections.defaultdict(dict)
    cur = None
    with open(path) as f:
        for row in f:
            if row.startswith("SF:"):
                cur = rel(root, row[3:].strip())
            elif row.startswith("DA:") and cur is not None:
                line, count = row[3:].strip().split(",")[:2]
                files[cur][int(line)] = int(count)
    return files


def read_json_branches(path, root):
    """{file: {(l1, c1, l2, c2): [true, false]}}, summed over copies."""
    with open(path) as f:
        data = json.load(f)
    files = {}
    for export in data.get("data", []):
        for entry in export.get("files", []):
            name = rel(root, entry["filename"])
            groups = files.setdefault(name, {})
            for br in entry.get("branches", []):
                key = tuple(br[0:4])
                acc = groups.setdefault(key, [0, 0])
                acc[0] += br[4]
                acc[1] += br[5]
    return files


def in_scope(name, scope):
    return name == scope or name.startswith(scope.rstrip("/") + "/")


_sources = {}


def source_lines(root, name):
    if name not in _sources:
        try:
            with open(os.path.join(root, name), errors="replace") as f:
                _sources[name] = f.read().split("\n")
        except OSError:
            _sources[name] = []
    return _sources[name]


def bad_input(msg):
    print(f"coverage_report: {msg}", file=sys.stderr)
    sys.exit(2)


def source_at(root, name, line):
    text = source_lines(root, name)
    return text[line - 1].rstrip() if 0 < line <= len(text) else ""


def pct(hit, total):
    return 100.0 * hit / total if total else 100.0


class Figures:
    def __init__(self):
        self.lines = self.lines_hit = self.br = self.br_hit = 0

    def add(self, other):
        self.lines += other.lines
        self.lines_hit += other.lines_hit
        self.br += other.br
        self.br_hit += other.br_hit


def file_figures(lines, branches):
    f = Figures()
    f.lines = len(lines)
    f.lines_hit = sum(1 for c in lines.values() if c > 0)
    f.br = 2 * len(branches)
    f.br_hit = sum((t > 0) + (n > 0) for t, n in branches.values())
    return f


def read_thresholds(path):
    """Lines `SCOPE lines|branches PERCENT`; # starts a comment."""
    out = []
    with open(path) as f:
        for no, row in enumerate(f, 1):
            words = row.split("#", 1)[0].split()
            if not words:
                continue
            if len(words) != 3 or words[1] not in ("lines", "branches"):
                bad_input(f"{path}:{no}: want `SCOPE lines|branches PERCENT`")
            try:
                value = float(words[2])
            except ValueError:
                bad_input(f"{path}:{no}: {words[2]!r} is not a percentage")
            out.append((words[0], words[1], value))
    return out


def find_markers(root, scope):
    """[(name, file, line)] for every coverage-marker comment in scope."""
    found = []
    base = os.path.join(root, scope)
    for dirpath, _, names in os.walk(base):
        for n in sorted(names):
            if not n.endswith((".c", ".h")):
                continue
            name = rel(root, os.path.join(dirpath, n))
            for no, text in enumerate(source_lines(root, name), 1):
                for m in MARKER.finditer(text):
                    found.append((m.group(1), name, no))
    return sorted(found, key=lambda x: (x[1], x[2]))


def code_of(text):
    """A source line without its comments (a rough cut: enough to tell a
    comment-only line from one with code)."""
    text = re.sub(r"/\*.*?\*/", "", text)
    return text.split("//", 1)[0].strip()


def marked_line(root, name, line):
    """The line a marker stands for: its own, or, when the marker is a
    comment line of its own, the next line with code."""
    text = source_lines(root, name)
    ln = line
    while 0 < ln <= len(text) and not code_of(text[ln - 1]):
        ln += 1
    return ln


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--lcov", required=True)
    ap.add_argument("--json", required=True)
    ap.add_argument("--corpus-lcov")
    ap.add_argument("--threshold")
    ap.add_argument("--scope", action="append",
                    help="a directory whose figures, uncovered lines and markers "
                         "are listed (repeatable; default core)")
    args = ap.parse_args()
    root = os.path.realpath(args.root)

    lines = read_lcov_lines(args.lcov, root)
    branches = read_json_branches(args.json, root)
    names = sorted(n for n in set(lines) | set(branches)
                   if not n.startswith(os.sep) and not n.startswith(".."))
    per_file = {n: file_figures(lines.get(n, {}), branches.get(n, {}))
                for n in names}

    def scope_figures(scope):
        total = Figures()
        for n in names:
            if in_scope(n, scope):
                total.add(per_file[n])
        return total

    scopes = args.scope or ["core"]
    for scope in scopes:
        print(f"{scope}/ per file (union over instantiations):")
        print(f"  {'file':<28} {'lines':>15} {'branches':>15}")
        for n in names:
            if in_scope(n, scope):
                f = per_file[n]
                print(f"  {n:<28} {f.lines_hit:>5}/{f.lines:<5} {pct(f.lines_hit, f.lines):5.1f}%"
                      f" {f.br_hit:>5}/{f.br:<5} {pct(f.br_hit, f.br):5.1f}%")
        total = scope_figures(scope)
        print(f"{scope}/ lines {pct(total.lines_hit, total.lines):.2f}% "
              f"({total.lines_hit}/{total.lines}), branches "
              f"{pct(total.br_hit, total.br):.2f}% ({total.br_hit}/{total.br})\n")

    os.makedirs(args.out, exist_ok=True)
    uncovered, documented = [], 0
    for n in names:
        if not any(in_scope(n, sc) for sc in scopes):
            continue
        counts = lines.get(n, {})
        text = source_lines(root, n)
        why, last_covered = None, 0
        for ln in sorted(counts):
            if counts[ln] > 0:
                last_covered = ln
                why = None
                continue
            for k in range(last_covered + 1, ln + 1):
                m = UNREACHABLE.search(text[k - 1]) if k <= len(text) else None
                if m:
                    why = m.group(1)
            src = source_at(root, n, ln)
            if why:
                documented += 1
                uncovered.append((1, f"{n}:{ln}: {src}    [unreachable: {why}]"))
            else:
                uncovered.append((0, f"{n}:{ln}: {src}"))
    with open(os.path.join(args.out, "uncovered-lines.txt"), "w") as f:
        f.write("".join(u + "\n" for _, u in uncovered))
    unexplained = [u for d, u in uncovered if not d]
    where = ", ".join(sc + "/" for sc in scopes)
    print(f"\nuncovered lines of {where}: {len(uncovered)}, "
          f"{documented} documented unreachable (coverage-unreachable:), "
          f"{len(unexplained)} unexplained")
    for u in unexplained:
        print("  " + u)
    if documented:
        print("documented unreachable:")
        for d, u in uncovered:
            if d:
                print("  " + u)

    missed = []
    for n in names:
        if any(in_scope(n, sc) for sc in scopes):
            for (l1, c1, _, _), (t, fl) in sorted(branches.get(n, {}).items()):
                for taken, what in ((t, "true"), (fl, "false")):
                    if taken == 0:
                        missed.append(f"{n}:{l1}:{c1}: never {what}: "
                                      f"{source_at(root, n, l1).strip()}")
    with open(os.path.join(args.out, "uncovered-branches.txt"), "w") as f:
        f.write("".join(m + "\n" for m in missed))
    print(f"({len(missed)} branch outcomes never taken: "
          f"{os.path.join(args.out, 'uncovered-branches.txt')})")

    markers = [m for sc in scopes for m in find_markers(root, sc)]
    corpus = read_lcov_lines(args.corpus_lcov, root) if args.corpus_lcov else None
    rows, never_corpus, never_any = [], [], []
    for name, n, mln in markers:
        ln = marked_line(root, n, mln)
        all_c = lines.get(n, {}).get(ln)
        cor_c = corpus.get(n, {}).get(ln) if corpus is not None else None
        rows.append(f"{name:<34} {n}:{ln}  suite+corpus={all_c if all_c is not None else '?'}"
                    f"  corpus={cor_c if cor_c is not None else '?'}")
        if not all_c:
            never_any.append(name)
        if corpus is not None and not cor_c:
            never_corpus.append(name)
    with open(os.path.join(args.out, "markers.txt"), "w") as f:
        f.write("".join(r + "\n" for r in rows))
        if corpus is not None:
            f.write("never reached by the corpus replay: "
                    + (" ".join(never_corpus) or "(none)") + "\n")
        f.write("never reached at all: " + (" ".join(never_any) or "(none)") + "\n")
    print(f"\nrare-path markers ({len(markers)}): hits with the whole suite "
          "and with the corpus replay alone")
    for r in rows:
        print("  " + r)
    if corpus is not None:
        print("never reached by the corpus replay: " + (" ".join(never_corpus) or "(none)"))
    print("never reached at all: " + (" ".join(never_any) or "(none)"))

    if not args.threshold:
        return 0
    status = 0
    print(f"\ngate ({rel(root, os.path.realpath(args.threshold))}):")
    for sc, kind, want in read_thresholds(args.threshold):
        fig = scope_figures(sc)
        have = pct(fig.lines_hit, fig.lines) if kind == "lines" else pct(fig.br_hit, fig.br)
        total_n = fig.lines if kind == "lines" else fig.br
        # compared at two decimals, as printed, so a figure shown equal to
        # its threshold passes
        ok = total_n > 0 and round(have, 2) >= want
        print(f"  {sc} {kind} {have:.2f}% (threshold {want:.2f}%): "
              f"{'ok' if ok else 'BELOW' if total_n else 'NO DATA'}")
        if not ok:
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
