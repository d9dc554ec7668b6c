# shellcheck shell=bash
# Sourced by ci/triage.sh and bench/mutants.sh (bash).
#
# check_id_of RC < OUTPUT: the name of the failure a fuzz target or replay
# driver reported, from its output (lines may carry stamp.sh's time
# prefix) and its exit status RC: the verdict's check id (content.missing,
# invariant.I4, ...), else the sanitizer's kind (asan.heap-buffer-overflow,
# ubsan.FILE-LINE, leak), oom, timeout, or crash.signal-N / crash.exit-N.
# Printed with anything outside [A-Za-z0-9._-] turned into '_', so it can
# name a directory.
check_id_of() {
  local rc=${1:-1} out id
  out=$(cat)
  id=$(sed -n 's/^\([0-9.]* \)\{0,1\}<input>:[0-9]*: \([^ :]*\): .*/\2/p' <<<"$out" | head -1)
  if [ -z "$id" ]; then
    case "$out" in
      *"canonical text does not parse"*) id=trace.reparse ;;
      *"print/parse/print differs"*) id=trace.reprint ;;
      *"could not finish"*) id=decode.unfinished ;;
      *"ERROR: libFuzzer: timeout"*) id=timeout ;;
      *"rss limit"*|*"out-of-memory"*|*"out of memory"*|*"allocation-size-too-big"*|*"malloc limit"*) id=oom ;;
      *"ERROR: LeakSanitizer"*) id=leak ;;
      *"ERROR: AddressSanitizer: "*)
        id=asan.$(sed -n 's/.*ERROR: AddressSanitizer: \([a-zA-Z-]*\).*/\1/p' <<<"$out" | head -1) ;;
      *"runtime error:"*)
        id=ubsan.$(sed -n 's/^\([0-9.]* \)\{0,1\}\([^ :]*\.[ch]\):\([0-9]*\):[0-9]*: runtime error:.*/\2-\3/p' <<<"$out" \
                   | head -1 | sed 's|.*/||') ;;
      *) if [ "$rc" -gt 128 ]; then id=crash.signal-$((rc - 128)); else id=crash.exit-$rc; fi ;;
    esac
  fi
  printf '%s\n' "$id" | tr -c 'A-Za-z0-9._\n-' '_'
}

# Run on its own rather than sourced: this text.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  . "$(dirname "$0")/help.sh"
  help_if_asked "$0" --help
fi
