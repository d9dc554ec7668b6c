#!/usr/bin/env bash
# Installs what gomap needs from Debian 12's packages, skipping what is
# already there.  Needs root (or sudo) only when something is missing.
# Usage: ci/install-deps.sh   (no arguments)
set -euo pipefail
. "$(dirname "$0")/lib/help.sh"
help_if_asked "$0" "$@"

packages=(cmake clang llvm libclang-rt-14-dev uthash-dev golang-go
          afl++ python3 python3-yaml zip patch valgrind hyperfine gnuplot-nox)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all packages present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
