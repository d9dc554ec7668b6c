#!/usr/bin/env python3
"""Checks .github/workflows/*.yml (CTest: workflows__valid_known_actions).

Every workflow must parse as YAML and have a name, triggers (`on`) and jobs;
every job a runner and steps; every step exactly one of `uses` and `run`.
Every `uses:` must be an action at a version listed in KNOWN below, and
every input it is given (`with:`) one that action declares, with its
required inputs present.  KNOWN is copied from each action's action.yml at
that version: add an action here only after reading its action.yml.
A `run:` step that calls ./ci/NAME or .clusterfuzzlite/NAME must name a
file in the repository that is executable.

ClusterFuzzLite's two actions are also checked together:
  - every run_fuzzers step follows a build_fuzzers step of the same job
    with the same sanitizer (each defaults to address);
  - mode: coverage runs the coverage build (sanitizer: coverage) and the
    coverage build serves nothing else;
  - storage-repo is never a literal URL with credentials in it (a token
    belongs in a secret);
  - batch fuzzing grows a corpus, so some workflow must prune it
    (mode: prune) and measure it (mode: coverage);
  - every run_fuzzers step names the same storage (storage-repo,
    storage-repo-branch, storage-repo-branch-coverage, or none of them)
    as the batch step, so the corpus is read where it is written.

Usage: lint_workflows.py REPO_ROOT
"""
import os
import re
import sys

try:
    import yaml
except ImportError:
    sys.exit("lint_workflows: python3's yaml module is missing "
             "(Debian: python3-yaml; ci/install-deps.sh installs it)")

# action@version -> (inputs it declares, inputs it requires)
KNOWN = {
    "actions/checkout@v4": (
        {"repository", "ref", "token", "ssh-key", "ssh-known-hosts",
         "ssh-strict", "ssh-user", "persist-credentials", "path", "clean",
         "filter", "sparse-checkout", "sparse-checkout-cone-mode",
         "fetch-depth", "fetch-tags", "show-progress", "lfs", "submodules",
         "set-safe-directory", "github-server-url"}, set()),
    "actions/cache@v4": (
        {"path", "key", "restore-keys", "upload-chunk-size",
         "enableCrossOsArchive", "fail-on-cache-miss", "lookup-only",
         "save-always"}, {"path", "key"}),
    "actions/cache/restore@v4": (
        {"path", "key", "restore-keys", "enableCrossOsArchive",
         "fail-on-cache-miss", "lookup-only"}, {"path", "key"}),
    "actions/cache/save@v4": (
        {"path", "key", "upload-chunk-size", "enableCrossOsArchive"},
        {"path", "key"}),
    "actions/upload-artifact@v4": (
        {"name", "path", "if-no-files-found", "retention-days",
         "compression-level", "overwrite", "include-hidden-files"},
        {"path"}),
    "google/clusterfuzzlite/actions/build_fuzzers@v1": (
        {"language", "dry-run", "allowed-broken-targets-percentage",
         "sanitizer", "project-src-path", "bad-build-check", "storage-repo",
         "storage-repo-branch", "storage-repo-branch-coverage",
         "upload-build", "github-token"}, set()),
    "google/clusterfuzzlite/actions/run_fuzzers@v1": (
        {"language", "fuzz-seconds", "dry-run", "sanitizer", "mode",
         "github-token", "storage-repo", "storage-repo-branch",
         "storage-repo-branch-coverage", "report-unreproducible-crashes"},
        {"fuzz-seconds", "github-token"}),
}
# values an input must take, where the action accepts only a few
CHOICES = {
    ("google/clusterfuzzlite/actions/run_fuzzers@v1", "mode"):
        {"code-change", "batch", "coverage", "prune"},
    ("google/clusterfuzzlite/actions/run_fuzzers@v1", "sanitizer"):
        {"address", "undefined", "memory", "coverage"},
    ("google/clusterfuzzlite/actions/build_fuzzers@v1", "sanitizer"):
        {"address", "undefined", "memory", "coverage"},
    ("google/clusterfuzzlite/actions/build_fuzzers@v1", "language"):
        {"c", "c++", "go", "jvm", "python", "rust", "swift"},
    ("google/clusterfuzzlite/actions/run_fuzzers@v1", "language"):
        {"c", "c++", "go", "jvm", "python", "rust", "swift"},
}
CFL_BUILD = "google/clusterfuzzlite/actions/build_fuzzers@v1"
CFL_RUN = "google/clusterfuzzlite/actions/run_fuzzers@v1"
STORAGE_KEYS = ("storage-repo", "storage-repo-branch",
                "storage-repo-branch-coverage")
TRIGGERS = {"push", "pull_request", "schedule", "workflow_dispatch",
            "workflow_call", "pull_request_target", "release"}
EXPR = re.compile(r"\$\{\{.*?\}\}")


def values_of(value):
    """Literal values an input may take (a matrix expression: unknown)."""
    if isinstance(value, str) and EXPR.search(value):
        return None
    return {str(value)}


def lint_cflite_step(step, where, built, err, runs):
    """One ClusterFuzzLite step; `built` is the sanitizer of the job's last
    build_fuzzers step (None before any), `runs` collects run steps."""
    given = step.get("with") or {}
    sanitizer = str(given.get("sanitizer", "address"))
    if step["uses"] == CFL_BUILD:
        return sanitizer
    mode = str(given.get("mode", "code-change"))
    if built is None:
        err(f"{where}: runs fuzzers that no earlier step of the job built")
    elif built != sanitizer:
        err(f"{where}: runs the {sanitizer} fuzzers after a {built} build")
    if (mode == "coverage") != (sanitizer == "coverage"):
        err(f"{where}: mode {mode} with sanitizer {sanitizer}; mode: coverage "
            "and the coverage build (sanitizer: coverage) go together")
    repo = given.get("storage-repo")
    if isinstance(repo, str) and "@" in repo and not EXPR.search(repo):
        err(f"{where}: storage-repo has credentials written into the workflow; "
            "put the token in a secret")
    runs.append((where, mode, tuple(given.get(k) for k in STORAGE_KEYS)))
    return built


def lint_cflite_runs(runs, errors):
    """Across all workflows: a batch corpus is pruned, measured, and read
    where it is written."""
    modes = {mode for _, mode, _ in runs}
    batch = [r for r in runs if r[1] == "batch"]
    if not batch:
        return
    for needed in ("prune", "coverage"):
        if needed not in modes:
            errors.append(f"{batch[0][0]}: batch fuzzing grows a corpus but no "
                          f"workflow runs mode: {needed}")
    storage = batch[0][2]
    for where, mode, theirs in runs:
        for key, want, got in zip(STORAGE_KEYS, storage, theirs):
            if got != want:
                errors.append(f"{where}: {key} is {got!r}, the batch run's is "
                              f"{want!r}: the corpus would be read from one "
                              "place and written to another")


def lint(root, path, errors, runs):
    rel = os.path.relpath(path, root)

    def err(msg):
        errors.append(f"{rel}: {msg}")

    try:
        with open(path) as f:
            doc = yaml.safe_load(f)
    except yaml.YAMLError as e:
        err(f"not valid YAML: {e}")
        return
    if not isinstance(doc, dict):
        err("not a mapping")
        return
    if "name" not in doc:
        err("no name")
    # YAML 1.1 reads the bare key `on` as the boolean true
    on = doc.get("on", doc.get(True))
    if not on:
        err("no triggers (on:)")
    else:
        names = [on] if isinstance(on, str) else list(on)
        for t in names:
            if t not in TRIGGERS:
                err(f"unknown trigger '{t}'")
        if isinstance(on, dict) and "schedule" in on:
            for s in on["schedule"] or []:
                if len(str(s.get("cron", "")).split()) != 5:
                    err(f"schedule cron '{s.get('cron')}' is not 5 fields")
    jobs = doc.get("jobs")
    if not isinstance(jobs, dict) or not jobs:
        err("no jobs")
        return
    for jname, job in jobs.items():
        where = f"job {jname}"
        if "runs-on" not in job:
            err(f"{where}: no runs-on")
        needs = job.get("needs") or []
        for need in [needs] if isinstance(needs, str) else needs:
            if need not in jobs:
                err(f"{where}: needs unknown job '{need}'")
        steps = job.get("steps")
        if not isinstance(steps, list) or not steps:
            err(f"{where}: no steps")
            continue
        ids = set()
        built = None
        for i, step in enumerate(steps, 1):
            sw = f"{where} step {i} ({step.get('name', step.get('uses', '?'))})"
            if ("uses" in step) == ("run" in step):
                err(f"{sw}: needs exactly one of uses/run")
                continue
            if "id" in step:
                if step["id"] in ids:
                    err(f"{sw}: duplicate id '{step['id']}'")
                ids.add(step["id"])
            if "uses" in step:
                action = step["uses"]
                if action not in KNOWN:
                    err(f"{sw}: '{action}' is not in the allow-list of known actions@versions")
                    continue
                declared, required = KNOWN[action]
                given = step.get("with") or {}
                for k in given:
                    if k not in declared:
                        err(f"{sw}: {action} has no input '{k}'")
                    choices = CHOICES.get((action, k))
                    vals = values_of(given[k])
                    if choices and vals and not vals <= choices:
                        err(f"{sw}: {k}={given[k]} is not one of {sorted(choices)}")
                for k in required - set(given):
                    err(f"{sw}: {action} requires input '{k}'")
                if action in (CFL_BUILD, CFL_RUN):
                    built = lint_cflite_step(step, f"{rel}: {sw}", built,
                                             errors.append, runs)
            else:
                for script in re.findall(r"(?:^|[\s;&|(])\.?/?((?:ci|\.clusterfuzzlite)/[A-Za-z0-9_.-]+\.(?:sh|py))", step["run"]):
                    full = os.path.join(root, script)
                    if not os.path.isfile(full):
                        err(f"{sw}: runs {script}, which does not exist")
                    elif not os.access(full, os.X_OK):
                        err(f"{sw}: runs {script}, which is not executable")


def main():
    if sys.argv[1:] in (["-h"], ["--help"]):
        print(__doc__.strip())
        return
    if len(sys.argv) != 2:
        sys.exit("usage: lint_workflows.py REPO_ROOT")
    root = sys.argv[1]
    wdir = os.path.join(root, ".github", "workflows")
    files = sorted(os.path.join(wdir, f) for f in os.listdir(wdir)
                   if f.endswith((".yml", ".yaml")))
    if not files:
        sys.exit(f"lint_workflows: no workflows in {wdir}")
    errors, runs = [], []
    for path in files:
        lint(root, path, errors, runs)
    lint_cflite_runs(runs, errors)
    for e in errors:
        print(e)
    if errors:
        sys.exit(f"lint_workflows: {len(errors)} problem(s)")
    print(f"lint_workflows: {len(files)} workflows valid; every action is a known action@version with known inputs")


if __name__ == "__main__":
    main()
