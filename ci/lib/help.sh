# shellcheck shell=sh
# Sourced by the scripts of ci/, bench/ and tests/ (any POSIX shell):
#
#   . "$root/ci/lib/help.sh"
#   help_if_asked "$0" "$@"
#
# When the first argument is -h or --help, prints the comment block at
# the top of the script (from its second line to its first line that is
# not a comment: its usage) on standard output and exits 0, before the
# script does any work.  Run on its own, this file prints this text.
help_if_asked() {
	case ${2-} in
	-h | --help)
		sed -n '2,/^[^#]/p' "$1" | sed -e '/^[^#]/d' -e 's/^# \{0,1\}//'
		exit 0 ;;
	esac
}

case ${0##*/} in help.sh) help_if_asked "$0" --help ;; esac
