# shellcheck shell=bash
# Sourced by ci/coverage.sh and ci/campaign.sh (bash).
#
# find_llvm_tool NAME: prints the llvm-profdata / llvm-cov to use: the one
# of clang's own version first (the raw profile format changes between
# LLVM releases), then the unversioned name.  Prints a message naming the
# package and returns 1 when neither is installed.
find_llvm_tool() {
  local name=$1 ver cand
  ver=$(clang -dumpversion 2>/dev/null | cut -d. -f1 || true)
  for cand in ${ver:+$name-$ver} $name; do
    if command -v "$cand" >/dev/null 2>&1; then echo "$cand"; return 0; fi
  done
  echo "$name not found (apt package llvm; ci/install-deps.sh)" >&2
  return 1
}

# Run on its own rather than sourced: this text.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  . "$(dirname "$0")/help.sh"
  help_if_asked "$0" --help
fi
