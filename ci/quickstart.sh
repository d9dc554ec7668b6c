#!/usr/bin/env bash
# The README's first command: install what is missing, build, and run the
# main job.  The main job is a local fuzz campaign (ci/campaign.sh, default
# budget) when that runner is present; until then it is the demo: a map
# built, grown and dumped after each phase, cross-checked against Go.
# Usage: ci/quickstart.sh [FLAG...]   (passed to ci/campaign.sh; its --help
# lists them)
set -euo pipefail
. "$(dirname "$0")/lib/help.sh"
help_if_asked "$0" "$@"
cd "$(dirname "$0")/.."
./ci/install-deps.sh
cmake --preset dev >/dev/null
cmake --build --preset dev -j "$(nproc 2>/dev/null || echo 2)"
if [ -x ci/campaign.sh ]; then
  exec ./ci/campaign.sh "$@"
fi
echo "== demo: build/gomap replay corpus/demo.trace"
./build/gomap replay corpus/demo.trace | tee build/demo.out
if [ -x build/gocheck/gocheck ]; then
  echo "== the same trace on Go 1.19's runtime map"
  if ./build/gocheck/gocheck corpus/demo.trace | cmp -s - build/demo.out; then
    echo "identical: every dump above is what Go's own map holds"
  else
    echo "DIFFERENT from Go's runtime map" >&2
    exit 1
  fi
fi
