# shellcheck shell=sh
# Sourced by ci/fuzz-gate.sh, ci/triage.sh, ci/campaign.sh and
# tests/leak/leak_check.sh: the sanitizer options of every ASan run, kept
# in one place so that LeakSanitizer is on for every engine.
#
#   sanitizer_options_export [ASAN_EXTRA]
#       exports ASAN_OPTIONS and UBSAN_OPTIONS for libFuzzer targets and
#       the replay drivers: detect_leaks=1, abort_on_error=1, then
#       ASAN_EXTRA, then whatever the caller had in $ASAN_OPTIONS (a later
#       setting wins, so a caller may add to ours or override one).
#   afl_sanitizer_env
#       prints NAME=VALUE words for env(1) in front of afl-fuzz and
#       afl-tmin.  AFL++ 4.04c's own default says detect_leaks=0, and it
#       refuses an ASAN_OPTIONS without abort_on_error=1 and symbolize=0,
#       so ours states all three.  UBSAN_OPTIONS is set too: AFL++'s
#       default for it carries malloc_context_size=0, which the ASan
#       runtime also reads, and a leak whose allocation has no caller is
#       dropped by LeakSanitizer as unreportable.  The caller's own
#       options are not passed to AFL++.
#
# In AFL++'s persistent mode the process never exits, so leaks are looked
# for after each input by fuzz/afl_leak_check.c (the afl-asan build).
sanitizer_options_export() {
	ASAN_OPTIONS="detect_leaks=1:abort_on_error=1${1:+:$1}${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
	UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
	export ASAN_OPTIONS UBSAN_OPTIONS
}

afl_sanitizer_env() {
	printf '%s\n' \
		"ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:symbolize=0:allocator_may_return_null=1:detect_odr_violation=0:handle_segv=0:handle_sigbus=0:handle_abort=0:handle_sigfpe=0:handle_sigill=0" \
		"UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:symbolize=0:handle_segv=0:handle_sigbus=0:handle_abort=0:handle_sigfpe=0:handle_sigill=0" \
		"LSAN_OPTIONS=symbolize=0:print_suppressions=0"
}

# run on its own: this text
case ${0##*/} in
sanitizer_options.sh)
	. "$(dirname "$0")/help.sh"
	help_if_asked "$0" --help ;;
esac
