#!/bin/sh
# Merge fuzz corpora into a new, minimal one.
#
#   ci/corpus-merge.sh [--engine libfuzzer|afl] [--max-files N]
#                      [--max-bytes N] [--timeout SECONDS]
#                      FUZZER OUT_DIR IN_DIR...
#
# FUZZER is a fuzz target binary: build/fuzz_TARGET (libFuzzer build,
# GOMAP_FUZZ_LIBFUZZER=ON) or build/fuzz_TARGET_afl (AFL++ build,
# GOMAP_FUZZ_AFL=ON) with --engine afl.  OUT_DIR must not exist or be
# empty: the merge only ever writes a fresh directory, so a corpus is
# never edited in place; a failed merge removes OUT_DIR again.
#
#   libfuzzer  FUZZER -merge=1 OUT_DIR IN_DIR...  keeps, from all inputs,
#              a subset with the same coverage, preferring smaller files.
#              (Merging into an empty OUT_DIR is what makes it a
#              minimisation: a non-empty first directory is kept whole.)
#   afl        afl-cmin -i STAGE -o OUT_DIR -- FUZZER -, where STAGE holds
#              a copy of every IN_DIR (afl-cmin reads one directory) and
#              sits next to OUT_DIR.  afl-cmin refuses paths under /tmp
#              unless AFL_ALLOW_TMP=1 is set.
#
# Then the size budget: when the merged corpus has more than --max-files
# files or --max-bytes bytes, the largest files are dropped (ties by name)
# until it fits, and the script says how much coverage-bearing input it
# dropped.  Both engines already prefer small inputs, so the budget only
# bites on a corpus that is genuinely too big; raise it rather than live
# with a warning every run.
#
# Exit status: 0 merged (possibly trimmed to the budget), 1 the engine
# failed, 2 a usage error.
set -u

me=${0##*/}
usage() {
	cat <<EOF
usage: $me [--engine libfuzzer|afl] [--max-files N] [--max-bytes N]
          [--timeout SECONDS] FUZZER OUT_DIR IN_DIR...

Merges the corpora IN_DIR... into the new directory OUT_DIR (which must
not exist or be empty) with libFuzzer's -merge=1 (default) or afl-cmin,
then trims it to the size budget (default: no limit).

  --engine E       libfuzzer: FUZZER is build/fuzz_TARGET (libFuzzer)
                   afl:       FUZZER is build/fuzz_TARGET_afl (AFL++)
  --max-files N    keep at most N files (the smallest)
  --max-bytes N    keep at most N bytes in all (the smallest files first)
  --timeout S      per-input time limit in seconds (default 10)

example:
  $me --max-files 2000 --max-bytes 4000000 build-fuzz/fuzz_ops \\
      corpus-new campaign/ops build/corpus/seeds/ops
EOF
}

die_usage() {
	echo "$me: $*" >&2
	usage >&2
	exit 2
}

is_count() {
	case $1 in
	'' | *[!0-9]*) return 1 ;;
	*) return 0 ;;
	esac
}

engine=libfuzzer max_files='' max_bytes='' timeout=10
while [ $# -gt 0 ]; do
	case $1 in
	-h | --help) usage; exit 0 ;;
	--engine | --max-files | --max-bytes | --timeout)
		[ $# -ge 2 ] || die_usage "$1 needs a value"
		case $1 in
		--engine) engine=$2 ;;
		--max-files) max_files=$2 ;;
		--max-bytes) max_bytes=$2 ;;
		--timeout) timeout=$2 ;;
		esac
		shift 2
		;;
	--engine=* | --max-files=* | --max-bytes=* | --timeout=*)
		v=${1#*=}
		case $1 in
		--engine=*) engine=$v ;;
		--max-files=*) max_files=$v ;;
		--max-bytes=*) max_bytes=$v ;;
		--timeout=*) timeout=$v ;;
		esac
		shift
		;;
	--) shift; break ;;
	-*) die_usage "unknown option $1" ;;
	*) break ;;
	esac
done

case $engine in
libfuzzer | afl) ;;
*) die_usage "--engine must be libfuzzer or afl, not '$engine'" ;;
esac
for pair in "max-files:$max_files" "max-bytes:$max_bytes"; do
	v=${pair#*:}
	[ -z "$v" ] || { is_count "$v" && [ "$v" -gt 0 ]; } ||
		die_usage "--${pair%%:*} wants a positive whole number, not '$v'"
done
{ is_count "$timeout" && [ "$timeout" -gt 0 ]; } ||
	die_usage "--timeout wants a positive whole number of seconds, not '$timeout'"
[ $# -ge 3 ] || die_usage "need FUZZER, OUT_DIR and at least one IN_DIR"

fuzzer=$1 out=$2
shift 2
if [ ! -f "$fuzzer" ] || [ ! -x "$fuzzer" ]; then
	die_usage "FUZZER '$fuzzer' is not an executable file"
fi
case $fuzzer in */*) ;; *) fuzzer=./$fuzzer ;; esac
if [ -e "$out" ]; then
	[ -d "$out" ] || die_usage "OUT_DIR '$out' exists and is not a directory"
	[ -z "$(ls -A "$out")" ] ||
		die_usage "OUT_DIR '$out' is not empty: merge into a new directory (the inputs are never changed)"
fi
# OUT_DIR's absolute path before it exists: its nearest existing
# ancestor, resolved, plus the rest.
abs_path() {
	p=$1 rest=
	while [ ! -d "$p" ]; do
		rest=/${p##*/}$rest
		p=$(dirname "$p")
	done
	echo "$(cd "$p" && pwd -P)$rest"
}
inside_input() {
	for d in "$@"; do
		d_abs=$(cd "$d" && pwd -P)
		case $out_abs/ in
		"$d_abs"/*) echo "$d"; return 0 ;;
		esac
	done
	return 1
}
for d in "$@"; do
	[ -d "$d" ] || die_usage "IN_DIR '$d' is not a directory"
done
out_abs=$(abs_path "$out")
d=$(inside_input "$@") && die_usage "OUT_DIR '$out' lies inside IN_DIR '$d'"
mkdir -p "$out_abs" || exit 1
# resolved again now that it exists (a path through a missing ".." could
# not be resolved before)
out_abs=$(cd "$out_abs" && pwd -P)
if d=$(inside_input "$@"); then
	rmdir "$out_abs"
	die_usage "OUT_DIR '$out' lies inside IN_DIR '$d'"
fi

count_files() { find "$1" -type f | wc -l | tr -d ' '; }
count_bytes() { find "$1" -type f -exec cat {} + | wc -c | tr -d ' '; }

nin=0
for d in "$@"; do nin=$((nin + $(count_files "$d"))); done
echo "$me: $engine merge of $nin inputs from $# director$([ $# = 1 ] && echo y || echo ies) into $out"

case $engine in
libfuzzer)
	# -merge=1 runs in a subprocess and survives crashing inputs; the
	# log keeps stdout readable.
	log=$(mktemp) || exit 1
	if ! "$fuzzer" -merge=1 -timeout="$timeout" "$out_abs" "$@" >"$log" 2>&1; then
		echo "$me: $fuzzer -merge=1 failed; its log:" >&2
		tail -n 30 "$log" >&2
		rm -f "$log"
		rm -rf "$out_abs"
		exit 1
	fi
	if ! grep -q '^MERGE-OUTER: ' "$log"; then
		echo "$me: $fuzzer did not run a libFuzzer merge (not a libFuzzer build? for AFL++ use --engine afl)" >&2
		rm -f "$log"
		rm -rf "$out_abs"
		exit 1
	fi
	rm -f "$log"
	;;
afl)
	command -v afl-cmin >/dev/null 2>&1 ||
		die_usage "--engine afl needs afl-cmin on PATH (AFL++)"
	# next to OUT_DIR, not in /tmp: afl-cmin refuses /tmp paths unless
	# AFL_ALLOW_TMP=1 is set.  "FUZZER -" makes AFL++'s driver read each
	# input from stdin, the form its help asks afl-cmin to use.
	stage=$(mktemp -d "${out_abs%/*}/.corpus-merge.XXXXXX") || exit 1
	log=$(mktemp) || exit 1
	trap 'rm -rf "$stage" "$log"' EXIT
	i=0
	for d in "$@"; do
		i=$((i + 1))
		# one prefix per IN_DIR, so equal names from two corpora both stay
		find "$d" -type f | while IFS= read -r f; do
			cp "$f" "$stage/$i-$(basename "$f")"
		done
	done
	rmdir "$out_abs" # afl-cmin wants to create OUT_DIR itself
	if ! afl-cmin -i "$stage" -o "$out_abs" -t $((timeout * 1000)) -- "$fuzzer" - >"$log" 2>&1; then
		echo "$me: afl-cmin failed; its log:" >&2
		tail -n 30 "$log" >&2
		rm -rf "$out_abs"
		exit 1
	fi
	;;
esac

nout=$(count_files "$out_abs")
bout=$(count_bytes "$out_abs")
echo "$me: merged: $nout files, $bout bytes"

# The budget: keep the smallest files, drop the rest.
if [ -n "$max_files" ] || [ -n "$max_bytes" ]; then
	dropped=0 dropped_bytes=0 kept=0 kept_bytes=0
	list=$(mktemp) || exit 1
	find "$out_abs" -type f -exec wc -c {} + | grep -v ' total$' |
		sort -k1,1n -k2,2 >"$list"
	while read -r size path; do
		if { [ -n "$max_files" ] && [ $((kept + 1)) -gt "$max_files" ]; } ||
			{ [ -n "$max_bytes" ] && [ $((kept_bytes + size)) -gt "$max_bytes" ]; }; then
			rm -f "$path"
			dropped=$((dropped + 1)) dropped_bytes=$((dropped_bytes + size))
		else
			kept=$((kept + 1)) kept_bytes=$((kept_bytes + size))
		fi
	done <"$list"
	rm -f "$list"
	if [ $dropped -gt 0 ]; then
		echo "$me: over budget (${max_files:-any} files, ${max_bytes:-any} bytes): dropped the $dropped largest files ($dropped_bytes bytes) and their coverage; kept $kept files, $kept_bytes bytes" >&2
	else
		echo "$me: within budget (${max_files:-any} files, ${max_bytes:-any} bytes)"
	fi
fi
exit 0
