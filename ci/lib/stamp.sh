# shellcheck shell=bash
# Sourced by ci/campaign.sh and bench/mutants.sh (bash).
#
# stamp START_US: copies standard input to standard output, each line
# prefixed by the seconds since START_US (microseconds, as
# ${EPOCHREALTIME/./} gives them), to two decimals: "12.34 line".
stamp() {
  local start=$1 line now el
  while IFS= read -r line || [ -n "$line" ]; do
    now=${EPOCHREALTIME/./}
    el=$((now - start))
    printf '%d.%02d %s\n' $((el / 1000000)) $((el % 1000000 / 10000)) "$line"
  done
}

# Run on its own rather than sourced: this text.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  . "$(dirname "$0")/help.sh"
  help_if_asked "$0" --help
fi
