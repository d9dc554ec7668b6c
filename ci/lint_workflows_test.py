#!/usr/bin/env python3
"""The ClusterFuzzLite rules of lint_workflows.py reject what they should
(CTest: workflows__lint_rejects_broken_cflite_setups).

Copies the repository's ClusterFuzzLite workflows into a scratch tree,
checks that lint_workflows.py accepts them as they are, then breaks them
one way at a time and checks that it rejects each with the message that
names the problem:
  - a run_fuzzers step with no build_fuzzers step before it;
  - a run after a build of another sanitizer;
  - mode: coverage on an address build;
  - a storage-repo URL with a token written into it;
  - no prune job, and no coverage job, while batch fuzzing runs;
  - one run step whose storage differs from the batch run's.

Usage: lint_workflows_test.py REPO_ROOT SCRATCH_DIR
"""
import os
import shutil
import subprocess
import sys

try:
    import yaml
except ImportError:
    sys.exit("lint_workflows_test: python3's yaml module is missing "
             "(Debian: python3-yaml; ci/install-deps.sh installs it)")

CFL_BUILD = "google/clusterfuzzlite/actions/build_fuzzers@v1"
CFL_RUN = "google/clusterfuzzlite/actions/run_fuzzers@v1"


def load(root, name):
    with open(os.path.join(root, ".github", "workflows", name)) as f:
        return yaml.safe_load(f)


def steps_of(doc, job, action):
    return [s for s in doc["jobs"][job]["steps"] if s.get("uses") == action]


# each: (what is broken, a function that breaks {name: doc}, the message)
def drop_build(w):
    job = w["cflite.yml"]["jobs"]["batch"]
    job["steps"] = [s for s in job["steps"] if s.get("uses") != CFL_BUILD]


def other_sanitizer(w):
    steps_of(w["cflite.yml"], "batch", CFL_BUILD)[0]["with"]["sanitizer"] = "memory"


def coverage_on_address(w):
    job = "coverage"
    steps_of(w["cflite_cron.yml"], job, CFL_BUILD)[0]["with"]["sanitizer"] = "address"
    steps_of(w["cflite_cron.yml"], job, CFL_RUN)[0]["with"]["sanitizer"] = "address"


def token_in_url(w):
    for doc in w.values():
        for job in doc["jobs"]:
            for s in steps_of(doc, job, CFL_RUN):
                s["with"]["storage-repo"] = "https://ghp_x@github.com/o/store.git"


def no_prune(w):
    del w["cflite_cron.yml"]["jobs"]["prune"]
    w["cflite_cron.yml"]["jobs"]["coverage"].pop("needs", None)


def no_coverage(w):
    del w["cflite_cron.yml"]["jobs"]["coverage"]


def storage_differs(w):
    steps_of(w["cflite_cron.yml"], "prune", CFL_RUN)[0]["with"].pop("storage-repo")


CASES = [
    ("a run with no build before it", drop_build,
     "runs fuzzers that no earlier step of the job built"),
    ("a run after a build of another sanitizer", other_sanitizer,
     "fuzzers after a memory build"),
    ("mode: coverage on an address build", coverage_on_address,
     "mode: coverage and the coverage build"),
    ("a token in storage-repo", token_in_url,
     "credentials written into the workflow"),
    ("batch fuzzing without pruning", no_prune, "no workflow runs mode: prune"),
    ("batch fuzzing without coverage", no_coverage,
     "no workflow runs mode: coverage"),
    ("storage that differs from the batch run's", storage_differs,
     "storage-repo is None, the batch run's is"),
]


def lint(root, tree):
    r = subprocess.run([sys.executable, os.path.join(root, "ci", "lint_workflows.py"), tree],
                       capture_output=True, text=True)
    return r.returncode, r.stdout + r.stderr


def write_tree(tree, docs):
    shutil.rmtree(tree, ignore_errors=True)
    wdir = os.path.join(tree, ".github", "workflows")
    os.makedirs(wdir)
    for name, doc in docs.items():
        with open(os.path.join(wdir, name), "w") as f:
            # `on` must stay a string key: PyYAML would write it as `true`
            text = yaml.safe_dump(doc, sort_keys=False)
            f.write(text.replace("\ntrue:", "\non:").replace("'on':", "on:"))


def main():
    if sys.argv[1:] in (["-h"], ["--help"]):
        print(__doc__.strip())
        return
    if len(sys.argv) != 3:
        print("usage: lint_workflows_test.py REPO_ROOT SCRATCH_DIR", file=sys.stderr)
        sys.exit(2)
    root, scratch = sys.argv[1], sys.argv[2]
    names = ["cflite.yml", "cflite_cron.yml"]
    fails = 0
    tree = os.path.join(scratch, "as-is")
    write_tree(tree, {n: load(root, n) for n in names})
    rc, out = lint(root, tree)
    if rc != 0:
        print(f"FAIL: the workflows as they are, rewritten, do not pass:\n{out}")
        fails += 1
    else:
        print("ok   the ClusterFuzzLite workflows as they are pass")
    for i, (what, breaks, message) in enumerate(CASES):
        docs = {n: load(root, n) for n in names}
        breaks(docs)
        tree = os.path.join(scratch, f"case{i}")
        write_tree(tree, docs)
        rc, out = lint(root, tree)
        if rc == 0 or message not in out:
            print(f"FAIL: {what}: exit {rc}, expected a message with '{message}':\n{out}")
            fails += 1
        else:
            print(f"ok   {what}: rejected")
    if fails:
        sys.exit(f"lint_workflows_test: {fails} of {len(CASES) + 1} failed")
    print(f"lint_workflows_test: all {len(CASES) + 1} cases as expected")


if __name__ == "__main__":
    main()
