#!/usr/bin/env bash
# Without Go 1.19 the comparison with Go's runtime map must be loud, never
# silently absent (CTest test ci__without_go_the_cross_check_is_skipped_not_absent):
#
#   1. a build configured with -DGO_EXECUTABLE=/nonexistent warns at
#      configure time, and CTest still lists every cross-check test and
#      reports each one as skipped, with the reason in its output;
#   2. ci/test.sh, with a `go` in PATH that is not Go 1.19, refuses to run
#      (exit 1, naming --no-go), and runs with --no-go (--preflight: the
#      checks only, not the gate itself).
#
# Usage: ci/go_missing_check.sh SOURCE_DIR SCRATCH_DIR C_COMPILER
set -uo pipefail
# shellcheck source=ci/lib/help.sh
. "$(dirname "$0")/lib/help.sh"
help_if_asked "$0" "$@"
[ $# -eq 3 ] || { echo "usage: ci/go_missing_check.sh SOURCE_DIR SCRATCH_DIR C_COMPILER" >&2; exit 2; }
src=$1 scratch=$2 cc=$3
rm -rf "$scratch"
mkdir -p "$scratch"
fail=0
no() { echo "FAIL: $*"; fail=1; }

# ---- 1. CMake and CTest ----------------------------------------------------------
if ! cmake -S "$src" -B "$scratch/build" -DCMAKE_C_COMPILER="$cc" -DGO_EXECUTABLE=/nonexistent \
     -DGOMAP_BUILD_BENCH=OFF >"$scratch/configure.log" 2>&1; then
  no "configure without Go failed"; tail -20 "$scratch/configure.log"
fi
grep -q "Go 1.19 not found: no Go toolchain" "$scratch/configure.log" ||
  no "configure did not warn that Go is missing"
# The tests need nothing built: without Go each only says why.
(cd "$scratch/build" && ctest -L crosscheck -j2) >"$scratch/ctest.log" 2>&1
listed=$(grep -cE '^ *[0-9]+/[0-9]+ Test +#[0-9]+:' "$scratch/ctest.log")
skipped=$(grep -cE 'Test +#[0-9]+: .*\*\*\*Skipped' "$scratch/ctest.log")
echo "without Go: $listed cross-check tests listed, $skipped reported as skipped"
[ "$listed" -ge 80 ] || no "only $listed cross-check tests listed (conformance, regressions, test_go_loop)"
[ "$skipped" = "$listed" ] || no "$((listed - skipped)) cross-check tests not reported as skipped"
for t in crosscheck__random_traces go_loop__random_ops_inputs_agree_with_go \
         crosscheck__regression__iter_recreated_key_returned_again; do
  grep -qE "Test +#[0-9]+: $t .*\*\*\*Skipped" "$scratch/ctest.log" || no "$t is not listed as skipped"
done
(cd "$scratch/build" && ctest -R '^gocheck_unit$' -V) >"$scratch/one.log" 2>&1
grep -q "skipped: no Go toolchain" "$scratch/one.log" || no "a skipped test does not print the reason"

# ---- 2. ci/test.sh -----------------------------------------------------------------
mkdir -p "$scratch/fake-go"
printf '#!/bin/sh\necho "go version go1.18.1 linux/amd64"\n' >"$scratch/fake-go/go"
chmod +x "$scratch/fake-go/go"
PATH=$scratch/fake-go:$PATH "$src/ci/test.sh" --preflight >"$scratch/gate.log" 2>&1
rc=$?
[ "$rc" = 1 ] || no "ci/test.sh without Go 1.19 exited $rc, not 1"
grep -q -- "--no-go" "$scratch/gate.log" || no "ci/test.sh did not name --no-go"
PATH=$scratch/fake-go:$PATH "$src/ci/test.sh" --preflight --no-go >"$scratch/gate-no-go.log" 2>&1 ||
  no "ci/test.sh --no-go without Go 1.19 refused to run"
[ "$fail" = 0 ] && echo "ok: without Go the cross-check is skipped, loudly" || cat "$scratch/gate.log"
exit "$fail"
