#!/usr/bin/env bash
# The gomap benchmark, one command: builds the C bench (Release, -O2, no
# sanitizers) once per C compiler and the Go 1.19 program, checks that both
# generate the same inputs, runs every workload for every implementation
# and compiler in interleaved rounds (one process per implementation x
# compiler x workload x n, the order rotated each round), then prints
# markdown tables, one per compiler: median ns/op, min-max spread, ratio to
# Go's map measured in the same round; a summary of core/go by compiler;
# and the memory / bucket-structure comparison at the largest n.
#
#   bench/run.sh [--runs N] [--quick] [--only W1,W3,...] [--impls LIST]
#                [--cc LIST] [--clock thread|wall] [--cpu N|auto|none]
#                [--c-bin PATH] [--out FILE]
#
#   --runs N     rounds (default 5; --quick: 3)
#   --quick      n up to 1e5 and fewer operations per process
#   --only LIST  workloads to run (W1..W7; default all)
#   --impls LIST implementations (default core,uthash,go,go-aes)
#   --cc LIST    compilers of the C side (clang, gcc; default clang,gcc)
#   --clock C    what a timed region counts: thread (default), the CPU time
#                of the thread that runs it, so that time given to other
#                processes on a shared machine is not counted; or wall,
#                elapsed time
#   --cpu C      the CPU every timed process is pinned to (taskset): a
#                CPU number, none, or auto (default): the fastest of the
#                CPUs this script may use, by a short probe on each.  One
#                CPU for all keeps a round's runs comparable: a VM's vCPUs
#                need not be alike (on one here, the same lookups ran 1.5x
#                slower in C and 2x in Go on the second vCPU).  Go keeps
#                GOMAXPROCS at the number of CPUs the script may use, the
#                runtime's setting when unpinned.
#   --c-bin PATH use this gomap_bench instead of building one (then --cc
#                must name the one compiler that built it)
#   --out FILE   also write the tables there (default: build-bench/bench.md)
#   -h, --help   print this and exit
#
# Implementations: core (this port, fast paths), uthash (uthash-dev),
# go (Go's map, GODEBUG=cpu.aes=off: the portable hash the port implements;
# the primary peer) and go-aes (Go's map with its default AES hash).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
build=${GOMAP_BENCH_BUILD:-$root/build-bench}
runs=
quick=0
only=W1,W2,W3,W4,W5,W6,W7
impls=core,uthash,go,go-aes
ccs=clang,gcc
clock=thread
cpu=auto
cbin_given=
out=

# The comment block above, without its '#'s.
usage() { awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; }
die() { echo "run.sh: $*" >&2; exit 2; }

# check_list OPTION VALUE ACCEPTED...: every comma-separated item of VALUE
# must be one of ACCEPTED.
check_list() {
	local opt=$1 value=$2 item ok a
	local -a items
	shift 2
	local accepted
	accepted="$(printf '%s, ' "$@")"
	accepted="accepted: ${accepted%, }; a comma-separated list"
	[ -n "$value" ] || die "$opt needs a value ($accepted)"
	IFS=, read -r -a items <<<"$value"
	for item in "${items[@]}"; do
		ok=0
		for a in "$@"; do [ "$item" = "$a" ] && ok=1; done
		[ "$ok" = 1 ] || die "$opt: unknown value '$item' ($accepted)"
	done
}

while [ $# -gt 0 ]; do
	case $1 in
	-h|--help) usage; exit 0 ;;
	--quick) quick=1; shift; continue ;;
	--runs|--only|--impls|--cc|--clock|--cpu|--c-bin|--out)
		[ $# -ge 2 ] || die "$1 needs a value (--help for usage)" ;;
	*) die "unknown option '$1' (--help for usage)" ;;
	esac
	case $1 in
	--runs) runs=$2 ;;
	--only) only=$2 ;;
	--impls) impls=$2 ;;
	--cc) ccs=$2 ;;
	--clock) clock=$2 ;;
	--cpu) cpu=$2 ;;
	--c-bin) cbin_given=$2 ;;
	--out) out=$2 ;;
	esac
	shift 2
done

check_list --only "$only" W1 W2 W3 W4 W5 W6 W7
check_list --impls "$impls" core uthash go go-aes
check_list --cc "$ccs" clang gcc
case $clock in
thread|wall) ;;
*) die "--clock: unknown value '$clock' (accepted: thread, wall)" ;;
esac
[ -z "$runs" ] || [[ $runs =~ ^[1-9][0-9]*$ ]] || die "--runs: '$runs' is not a whole number >= 1"
# The CPUs this script may run on, one number per line.
allowed_cpus() {
	local list item
	list=$(awk '/^Cpus_allowed_list:/ { print $2 }' /proc/self/status 2>/dev/null)
	[ -n "$list" ] || list=0-$(($(nproc) - 1))
	IFS=, read -r -a items <<<"$list"
	for item in "${items[@]}"; do
		if [[ $item == *-* ]]; then seq "${item%-*}" "${item#*-}"; else echo "$item"; fi
	done
}
case $cpu in
auto|none) ;;
*)
	[[ $cpu =~ ^[0-9]+$ ]] || die "--cpu: '$cpu' is not a CPU number (accepted: a CPU number, auto, none)"
	allowed_cpus | grep -qx "$cpu" ||
		die "--cpu: CPU $cpu is not one this script may use (accepted: $(allowed_cpus | paste -sd, -), auto, none)" ;;
esac
if [ "$cpu" != none ] && ! command -v taskset >/dev/null; then
	die "--cpu $cpu: taskset (Debian package util-linux) is not on PATH; pass --cpu none to run unpinned"
fi
IFS=, read -r -a ccv <<<"$ccs"
if [ -n "$cbin_given" ]; then
	[ ${#ccv[@]} = 1 ] || die "--c-bin: give --cc with the one compiler that built $cbin_given"
	[ -x "$cbin_given" ] || die "--c-bin: $cbin_given is not an executable"
fi

if [ "$quick" = 1 ]; then
	runs=${runs:-3}; sizes="1000 100000"; w7n=100000; ops=300000; memn=100000
else
	runs=${runs:-5}; sizes="1000 100000 1000000"; w7n=100000; ops=2000000; memn=1000000
fi
out=${out:-$build/bench.md}
mkdir -p "$build"
log() { echo "run.sh: $*" >&2; }

# ---- build -----------------------------------------------------------------
has() { case ",$impls," in *",$1,"*) return 0 ;; *) return 1 ;; esac; }
has_c() { has core || has uthash; }
declare -A cbin
for cc in "${ccv[@]}"; do
	if [ -n "$cbin_given" ]; then
		cbin[$cc]=$cbin_given
		continue
	fi
	has_c || continue
	command -v "$cc" >/dev/null || die "--cc: $cc is not on PATH"
	d=$build/$cc
	mkdir -p "$d"
	log "building gomap_bench with $cc (Release, -O2) in $d"
	cmake -S "$root" -B "$d" -DCMAKE_C_COMPILER="$cc" -DCMAKE_BUILD_TYPE=Release \
		-DCMAKE_C_FLAGS_RELEASE="-O2 -DNDEBUG" -DGOMAP_SANITIZE=OFF \
		-DGOMAP_COVERAGE=OFF -DGOMAP_BUILD_BENCH=ON >"$d/cmake.log" 2>&1 ||
		{ cat "$d/cmake.log" >&2; exit 1; }
	cmake --build "$d" --target gomap_bench -j 2 >"$d/build.log" 2>&1 ||
		{ tail -30 "$d/build.log" >&2; exit 1; }
	cbin[$cc]=$d/bench/gomap_bench
done
gobin=$build/gomapbench
if has go || has go-aes; then
	log "building the Go program (go 1.19, stdlib only, offline)"
	(cd "$here/go" &&
		GOCACHE=${GOCACHE:-$build/gocache} GOPATH=${GOPATH:-$build/gopath} \
		GOPROXY=off GOFLAGS=-mod=mod GOTOOLCHAIN=local \
		go build -o "$gobin" .) || exit 1
fi

# ---- same inputs on both sides ---------------------------------------------
if has_c && [ -x "$gobin" ]; then
	for n in $sizes; do
		g=$("$gobin" -inputs -n "$n")
		for cc in "${ccv[@]}"; do
			c=$("${cbin[$cc]}" --inputs --n "$n")
			[ "$c" = "$g" ] || { log "C ($cc) and Go generate different inputs:"; echo "$c" >&2; echo "$g" >&2; exit 1; }
		done
	done
	log "inputs identical in C and Go"
fi

# ---- the CPU -----------------------------------------------------------------
# probe CPU: the median of three short runs of W3 at n=1000 there, in ns/op.
probe() {
	local c=$1 i
	for i in 1 2 3; do
		if has_c; then
			taskset -c "$c" "${cbin[${ccv[0]}]}" --impl core --w W3 --n 1000 --ops 400000 --clock thread
		else
			GODEBUG=cpu.aes=off taskset -c "$c" "$gobin" -w W3 -n 1000 -ops 400000 -clock thread
		fi
	done | sed -n 's/.*ns_per_op=\([0-9.]*\).*/\1/p' | sort -g | sed -n 2p
}
if [ "$cpu" = auto ]; then
	best= best_ns= seen=
	for c in $(allowed_cpus); do
		ns_c=$(probe "$c")
		[ -n "$ns_c" ] || die "--cpu auto: the probe printed no result on CPU $c"
		seen="$seen cpu$c $ns_c"
		if [ -z "$best" ] || awk -v a="$ns_c" -v b="$best_ns" 'BEGIN { exit !(a < b) }'; then
			best=$c best_ns=$ns_c
		fi
	done
	cpu=$best
	log "pinned to CPU $cpu, the fastest by a W3 n=1000 probe (ns/op:$seen)"
fi
pin=()
gomaxprocs=()
pinned="processes not pinned"
if [ "$cpu" != none ]; then
	pinned="every process pinned to CPU $cpu"
	pin=(taskset -c "$cpu")
	gomaxprocs=(GOMAXPROCS="$(allowed_cpus | wc -l)")
fi

# ---- one process ------------------------------------------------------------
# run_one IMPL CC W N: prints the process's RESULT lines, each with a cc=
# field (cc=- for Go); a failed result check (exit status != 0) stops the
# whole benchmark.
run_one() {
	local impl=$1 cc=$2 w=$3 n=$4 rc=0
	case $impl in
	core|uthash) "${pin[@]}" "${cbin[$cc]}" --impl "$impl" --w "$w" --n "$n" --ops "$ops" --clock "$clock" 2>"$build/err" || rc=$? ;;
	go) env GODEBUG=cpu.aes=off "${gomaxprocs[@]}" "${pin[@]}" "$gobin" -w "$w" -n "$n" -ops "$ops" -clock "$clock" 2>"$build/err" || rc=$? ;;
	go-aes) env "${gomaxprocs[@]}" "${pin[@]}" "$gobin" -w "$w" -n "$n" -ops "$ops" -clock "$clock" 2>"$build/err" || rc=$? ;;
	esac
	if [ "$rc" != 0 ]; then
		log "FAILED: $impl${cc:+ ($cc)} $w n=$n (exit $rc)"
		cat "$build/err" >&2
		exit 1
	fi
}

# ---- interleaved rounds -------------------------------------------------------
# A runner is IMPL:CC, CC empty for Go's map; every C implementation runs
# once per compiler, all in the same rotation.
IFS=, read -r -a implv <<<"$impls"
IFS=, read -r -a wv <<<"$only"
runners=()
for impl in "${implv[@]}"; do
	case $impl in
	core|uthash) for cc in "${ccv[@]}"; do runners+=("$impl:$cc"); done ;;
	*) runners+=("$impl:") ;;
	esac
done
raw=$build/results.txt
: >"$raw"
for ((r = 0; r < runs; r++)); do
	log "round $((r + 1))/$runs"
	for w in "${wv[@]}"; do
		if [ "$w" = W7 ]; then ns=$w7n; else ns=$sizes; fi
		for n in $ns; do
			k=${#runners[@]}
			for ((i = 0; i < k; i++)); do
				runner=${runners[$(((i + r) % k))]}
				impl=${runner%%:*} cc=${runner#*:}
				# uthash cannot presize: W2 would be W1 again.
				[ "$impl:$w" = uthash:W2 ] && continue
				run_one "$impl" "$cc" "$w" "$n" |
					sed "s/^RESULT/ROUND $r cc=${cc:--}/" >>"$raw"
			done
		done
	done
done

# ---- memory ----------------------------------------------------------------
mem=$build/mem.txt
: >"$mem"
mapseed=0x5eed
hashkey=0x9e3779b97f4a7c15
for cc in "${ccv[@]}"; do
	for impl in core uthash; do
		has $impl || continue
		if [ $impl = core ]; then
			"${cbin[$cc]}" --impl core --mem --n "$memn" --map-seed $mapseed --hashkey $hashkey
		else
			"${cbin[$cc]}" --impl uthash --mem --n "$memn"
		fi | sed "s/ impl=$impl / impl=$impl cc=$cc /" >>"$mem" || exit 1
	done
done
if has go; then
	GODEBUG=cpu.aes=off "$gobin" -mem -n "$memn" -mapseed $mapseed -hashkey $hashkey >>"$mem" || exit 1
fi

# ---- tables ------------------------------------------------------------------
if [ "$clock" = thread ]; then clock_what="thread CPU time"; else clock_what="elapsed time"; fi

# The awk programs read "k=v" fields; median() and fmt() are shared.
awk_lib='
function median(a, n,    i, j, t, b) {
	for (i = 1; i <= n; i++) b[i] = a[i]
	for (i = 2; i <= n; i++) { t = b[i]; for (j = i - 1; j >= 1 && b[j] > t; j--) b[j + 1] = b[j]; b[j + 1] = t }
	return n % 2 ? b[(n + 1) / 2] : (b[n / 2] + b[n / 2 + 1]) / 2
}
function fmt(x) { return x >= 100 ? sprintf("%.0f", x) : x >= 10 ? sprintf("%.1f", x) : sprintf("%.2f", x) }
function fields(from,    i, kv) { delete f; for (i = from; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] } }
# rows[1..nrows] sorted by workload, then case, then n
function sort_rows(    a, b, t, ta, tb) {
	for (a = 2; a <= nrows; a++) { t = rows[a]; split(t, ta, SUBSEP)
		for (b = a - 1; b >= 1; b--) { split(rows[b], tb, SUBSEP)
			if (tb[1] < ta[1] || (tb[1] == ta[1] && (tb[2] < ta[2] || (tb[2] == ta[2] && tb[3] + 0 <= ta[3] + 0)))) break
			rows[b + 1] = rows[b] }
		rows[b + 1] = t }
}
# A markdown table: the row key columns, then cols[1..n]; each row starts
# with its key, and a ratio cell is "–" without data.
function print_header(cols, n,    i, hdr, sep) {
	hdr = "| workload | case | n |"; sep = "|---|---|---:|"
	for (i = 1; i <= n; i++) { hdr = hdr " " cols[i] " |"; sep = sep "---:|" }
	print hdr; print sep
}
function row_start(row,    p) { split(row, p, SUBSEP); return "| " p[1] " | " p[2] " | " p[3] " |" }
function ratio_cell(q) { return q != "" ? sprintf(" %.2f |", q) : " – |" }
# ratio(row, impl, cc): median over rounds of impl/go, or "" without data
function ratio(row, impl, cc,    r, m, s) {
	m = 0
	for (r in rounds) if (((row, impl, cc, r) in v) && ((row, "go", "-", r) in v) && v[row, "go", "-", r] > 0)
		s[++m] = v[row, impl, cc, r] / v[row, "go", "-", r]
	return m ? median(s, m) : ""
}
{
	r = $2; fields(3)
	row = f["w"] SUBSEP f["case"] SUBSEP f["n"]
	if (!(row in seen)) { seen[row] = 1; rows[++nrows] = row }
	v[row, f["impl"], f["cc"], r] = f["ns_per_op"]
	rounds[r] = 1
}'

# time_table [CC]: ns/op and ratios of every implementation, the C ones as
# built by CC (no CC: Go's map only).
time_table() {
	local cc=${1:-} what= ccver=
	[ -z "$cc" ] || { what=", C built with $cc"; ccver="; $("$cc" --version | head -1)"; }
	echo "### Time$what (ns/op of $clock_what, median of $runs interleaved runs, [min–max]; ratio = median over rounds of impl/go)"
	echo
	echo "$(uname -m), $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: //'), $(nproc) cores, $pinned; $(go version 2>/dev/null | sed 's/go version //')$ccver"
	echo
	awk -v impls="$impls" -v cc="$cc" "$awk_lib"'
	END {
		ni = split(impls, im, ","); nc = 0
		for (i = 1; i <= ni; i++) cols[++nc] = im[i]
		for (i = 1; i <= ni; i++) if (im[i] != "go") cols[++nc] = im[i] "/go"
		print_header(cols, nc)
		sort_rows()
		for (x = 1; x <= nrows; x++) {
			row = rows[x]; line = row_start(row)
			for (i = 1; i <= ni; i++) {
				c = (im[i] == "core" || im[i] == "uthash") ? cc : "-"
				m = 0; delete s; lo = ""; hi = ""
				for (r in rounds) if ((row, im[i], c, r) in v) {
					y = v[row, im[i], c, r] + 0; s[++m] = y
					if (lo == "" || y < lo) lo = y; if (hi == "" || y > hi) hi = y }
				line = line (m ? " " fmt(median(s, m)) " [" fmt(lo) "–" fmt(hi) "] |" : " – |")
			}
			for (i = 1; i <= ni; i++) if (im[i] != "go") {
				c = (im[i] == "core" || im[i] == "uthash") ? cc : "-"
				line = line ratio_cell(ratio(row, im[i], c))
			}
			print line
		}
	}' "$raw"
	echo
}

# ratio_summary: core/go side by side for every compiler, and the worst row
# of each.
ratio_summary() {
	echo "### core/go by compiler (median over $runs rounds of core/go, $clock_what)"
	echo
	awk -v ccs="$ccs" "$awk_lib"'
	END {
		nc = split(ccs, cv, ",")
		print_header(cv, nc)
		sort_rows()
		for (x = 1; x <= nrows; x++) {
			row = rows[x]; line = row_start(row)
			for (j = 1; j <= nc; j++) {
				q = ratio(row, "core", cv[j])
				line = line ratio_cell(q)
				if (q != "" && (!(j in worst) || q > worst[j])) {
					worst[j] = q; split(row, p, SUBSEP); wrow[j] = p[1] " " p[2] " n=" p[3] }
			}
			print line
		}
		print ""
		for (j = 1; j <= nc; j++) if (j in worst)
			printf("Highest core/go with %s: %.2f (%s).\n", cv[j], worst[j], wrow[j])
	}' "$raw"
	echo
}

memory_table() {
	echo "### Memory at n=$memn u64→u64 (no hint), peak RSS of the W1 process at that n"
	echo
	echo "| impl | live bytes/entry | second view | peak RSS (MiB, max of runs) |"
	echo "|---|---:|---|---:|"
	awk -v impls="$impls" -v ccs="$ccs" -v memn="$memn" -v rawf="$raw" '
	function fields(from,    i, kv) { delete f; for (i = from; i <= nf; i++) { split(t[i], kv, "="); f[kv[1]] = kv[2] } }
	function name(impl, cc) { return cc == "" || cc == "-" ? impl : impl " (" cc ")" }
	BEGIN {
		while ((getline l < rawf) > 0) {
			nf = split(l, t, " "); fields(3)
			k = name(f["impl"], f["cc"])
			if (f["w"] == "W1" && f["n"] == memn && f["maxrss_kb"] + 0 > rss[k]) rss[k] = f["maxrss_kb"] + 0
		}
	}
	$1 == "MEM" { nf = split($0, t, " "); fields(2); k = name(f["impl"], f["cc"])
		if (f["impl"] == "core") { live[k] = f["hook_per_entry"]; other[k] = "gomap_memstats total " f["memstats_per_entry"] " B/entry" }
		if (f["impl"] == "go") { live[k] = f["heap_per_entry"]; other[k] = "bucket arithmetic " f["struct_per_entry"] " B/entry (runtime.MemStats HeapAlloc delta in the first column)" }
		if (f["impl"] == "uthash") { live[k] = f["requested_per_entry"]; other[k] = "with malloc chunk headers " f["chunk_per_entry"] " B/entry" }
	}
	function row(x) {
		printf("| %s | %s | %s | %s |\n", x, (x in live) ? live[x] : "–", (x in other) ? other[x] : (x == "go-aes" ? "same buckets as go, other hash" : "–"),
		       (x in rss) ? sprintf("%.1f", rss[x] / 1024) : "–")
	}
	END {
		ni = split(impls, im, ","); nc = split(ccs, cv, ",")
		for (i = 1; i <= ni; i++)
			if (im[i] == "core" || im[i] == "uthash")
				for (j = 1; j <= nc; j++) row(name(im[i], cv[j]))
			else
				row(im[i])
	}' "$mem"
}

buckets_table() {
	grep -q '^BUCKETS impl=core' "$mem" && grep -q '^BUCKETS impl=go' "$mem" || return 0
	echo
	echo "### Buckets at n=$memn, same keys, rand_seed=$mapseed (hash0 = its first wyrand draw), hashkey0=$hashkey, Go with GODEBUG=cpu.aes=off"
	echo
	awk '
	$1 == "BUCKETS" {
		col = ""
		for (i = 2; i <= NF; i++) { split($i, kv, "=")
			if (kv[1] == "impl") col = kv[2]
			else if (kv[1] == "cc") col = col " (" kv[2] ")"
			else { if (!(kv[1] in seen)) { seen[kv[1]] = 1; keys[++nk] = kv[1] } val[col, kv[1]] = kv[2] } }
		if (!(col in hasc)) { hasc[col] = 1; cols[++ncol] = col }
	}
	END {
		hdr = "| field |"; sep = "|---|"
		for (c = 1; c <= ncol; c++) { hdr = hdr " " cols[c] " |"; sep = sep "---:|" }
		print hdr " |"; print sep "---|"
		for (i = 1; i <= nk; i++) {
			k = keys[i]; line = "| " k " |"; same = 1; first = ""
			for (c = 1; c <= ncol; c++) {
				x = ((cols[c], k) in val) ? val[cols[c], k] : "–"
				line = line " " x " |"
				if (c == 1) first = x; else if (x != first) same = 0
			}
			note = same ? (k == "digest" ? "equal: every bucket, tophash, key and elem in dump order" : "equal") : (k == "noverflow" ? "differs: approximate count, fastrand draws at B >= 16" : "**DIFFERS**")
			print line " " note " |"
		}
	}' "$mem"
}

{
	if has_c; then
		for cc in "${ccv[@]}"; do time_table "$cc"; done
		if has core && has go; then ratio_summary; fi
	else
		time_table
	fi
	memory_table
	buckets_table
} | tee "$out"
log "raw results: $raw, memory: $mem, tables: $out"
