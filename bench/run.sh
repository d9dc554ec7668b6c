#!/usr/bin/env bash
# The gomap benchmark, one command: builds the C bench (Release, -O2, no
# sanitizers) and the Go 1.19 program, checks that both generate the same
# inputs, runs every workload for every implementation in interleaved
# rounds (one process per implementation x workload x n, the order of the
# implementations rotated each round), then prints markdown tables:
# median ns/op, min-max spread, ratio to Go's map measured in the same round,
# and the memory / bucket-structure comparison at the largest n.
#
#   bench/run.sh [--runs N] [--quick] [--only W1,W3,...] [--impls LIST]
#                [--c-bin PATH] [--out FILE]
#
#   --runs N     rounds (default 5; --quick: 3)
#   --quick      n up to 1e5 and fewer operations per process
#   --only LIST  workloads to run (W1..W7)
#   --impls LIST implementations (default core,uthash,go,go-aes)
#   --c-bin PATH use this gomap_bench instead of building one
#   --out FILE   also write the tables there (default: build-bench/bench.md)
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
cbin=
out=

while [ $# -gt 0 ]; do
	case $1 in
	--runs) runs=$2; shift 2 ;;
	--quick) quick=1; shift ;;
	--only) only=$2; shift 2 ;;
	--impls) impls=$2; shift 2 ;;
	--c-bin) cbin=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	-h|--help) sed -n '2,24p' "$0"; exit 0 ;;
	*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
	esac
done

if [ "$quick" = 1 ]; then
	runs=${runs:-3}; sizes="1000 100000"; w7n=100000; ops=300000; memn=100000
else
	runs=${runs:-5}; sizes="1000 100000 1000000"; w7n=100000; ops=2000000; memn=1000000
fi
[ "$runs" -ge 1 ] || { echo "run.sh: --runs must be >= 1" >&2; exit 2; }
out=${out:-$build/bench.md}
mkdir -p "$build"
log() { echo "run.sh: $*" >&2; }

# ---- build -----------------------------------------------------------------
has() { case ",$impls," in *",$1,"*) return 0 ;; *) return 1 ;; esac; }
if [ -z "$cbin" ] && { has core || has uthash; }; then
	log "building gomap_bench (Release, -O2) in $build"
	cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release \
		-DCMAKE_C_FLAGS_RELEASE="-O2 -DNDEBUG" -DGOMAP_SANITIZE=OFF \
		-DGOMAP_COVERAGE=OFF -DGOMAP_BUILD_BENCH=ON >"$build/cmake.log" 2>&1 ||
		{ cat "$build/cmake.log" >&2; exit 1; }
	cmake --build "$build" --target gomap_bench -j 2 >"$build/build.log" 2>&1 ||
		{ tail -30 "$build/build.log" >&2; exit 1; }
	cbin=$build/bench/gomap_bench
fi
gobin=$build/gomapbench
if has go || has go-aes; then
	log "building the Go program (go 1.19, stdlib only, offline)"
	(cd "$here/go" &&
		GOCACHE=${GOCACHE:-$build/gocache} GOPATH=${GOPATH:-$build/gopath} \
		GOPROXY=off GOFLAGS=-mod=mod GOTOOLCHAIN=local \
		go build -o "$gobin" .) || exit 1
fi

# ---- same inputs on both sides ---------------------------------------------
if [ -n "$cbin" ] && [ -x "$gobin" ]; then
	for n in $sizes; do
		c=$("$cbin" --inputs --n "$n"); g=$("$gobin" -inputs -n "$n")
		[ "$c" = "$g" ] || { log "C and Go generate different inputs:"; echo "$c" >&2; echo "$g" >&2; exit 1; }
	done
	log "inputs identical in C and Go"
fi

# ---- one process ------------------------------------------------------------
# run_one IMPL W N: prints the process's RESULT lines; a failed result check
# (exit status != 0) stops the whole benchmark.
run_one() {
	local impl=$1 w=$2 n=$3 rc=0
	case $impl in
	core|uthash) "$cbin" --impl "$impl" --w "$w" --n "$n" --ops "$ops" 2>"$build/err" || rc=$? ;;
	go) GODEBUG=cpu.aes=off "$gobin" -w "$w" -n "$n" -ops "$ops" 2>"$build/err" || rc=$? ;;
	go-aes) "$gobin" -w "$w" -n "$n" -ops "$ops" 2>"$build/err" || rc=$? ;;
	esac
	if [ "$rc" != 0 ]; then
		log "FAILED: $impl $w n=$n (exit $rc)"
		cat "$build/err" >&2
		exit 1
	fi
}

# ---- interleaved rounds -------------------------------------------------------
IFS=, read -r -a implv <<<"$impls"
IFS=, read -r -a wv <<<"$only"
raw=$build/results.txt
: >"$raw"
for ((r = 0; r < runs; r++)); do
	log "round $((r + 1))/$runs"
	for w in "${wv[@]}"; do
		if [ "$w" = W7 ]; then ns=$w7n; else ns=$sizes; fi
		for n in $ns; do
			k=${#implv[@]}
			for ((i = 0; i < k; i++)); do
				impl=${implv[$(((i + r) % k))]}
				# uthash cannot presize: W2 would be W1 again.
				[ "$impl:$w" = uthash:W2 ] && continue
				run_one "$impl" "$w" "$n" | sed "s/^RESULT/ROUND $r/" >>"$raw"
			done
		done
	done
done

# ---- memory ----------------------------------------------------------------
mem=$build/mem.txt
: >"$mem"
mapseed=0x5eed
hashkey=0x9e3779b97f4a7c15
if has core; then
	"$cbin" --impl core --mem --n "$memn" --map-seed $mapseed --hashkey $hashkey >>"$mem" || exit 1
fi
if has uthash; then
	"$cbin" --impl uthash --mem --n "$memn" >>"$mem" || exit 1
fi
if has go; then
	GODEBUG=cpu.aes=off "$gobin" -mem -n "$memn" -mapseed $mapseed -hashkey $hashkey >>"$mem" || exit 1
fi

# ---- tables ------------------------------------------------------------------
{
	echo "### Time (ns/op, median of $runs interleaved runs, [min–max]; ratio = median over rounds of impl/go)"
	echo
	echo "$(uname -m), $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: //'), $(nproc) cores; $(go version 2>/dev/null | sed 's/go version //'); $(cc --version | head -1)"
	echo
	awk -v impls="$impls" '
	function median(a, n,    i, j, t, b) {
		for (i = 1; i <= n; i++) b[i] = a[i]
		for (i = 2; i <= n; i++) { t = b[i]; for (j = i - 1; j >= 1 && b[j] > t; j--) b[j + 1] = b[j]; b[j + 1] = t }
		return n % 2 ? b[(n + 1) / 2] : (b[n / 2] + b[n / 2 + 1]) / 2
	}
	function fmt(x) { return x >= 100 ? sprintf("%.0f", x) : x >= 10 ? sprintf("%.1f", x) : sprintf("%.2f", x) }
	{
		r = $2; delete f
		for (i = 3; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
		row = f["w"] SUBSEP f["case"] SUBSEP f["n"]
		if (!(row in seen)) { seen[row] = 1; rows[++nrows] = row }
		v[row, f["impl"], r] = f["ns_per_op"]
		if (!((row, f["impl"]) in cnt)) cnt[row, f["impl"]] = 0
		cnt[row, f["impl"]]++
		rounds[r] = 1
	}
	END {
		ni = split(impls, im, ",")
		hdr = "| workload | case | n |"; sep = "|---|---|---:|"
		for (i = 1; i <= ni; i++) { hdr = hdr " " im[i] " |"; sep = sep "---:|" }
		for (i = 1; i <= ni; i++) if (im[i] != "go") { hdr = hdr " " im[i] "/go |"; sep = sep "---:|" }
		print hdr; print sep
		# rows sorted by workload, then case, then n
		for (a = 2; a <= nrows; a++) { t = rows[a]; split(t, ta, SUBSEP)
			for (b = a - 1; b >= 1; b--) { split(rows[b], tb, SUBSEP)
				if (tb[1] < ta[1] || (tb[1] == ta[1] && (tb[2] < ta[2] || (tb[2] == ta[2] && tb[3] + 0 <= ta[3] + 0)))) break
				rows[b + 1] = rows[b] }
			rows[b + 1] = t }
		for (x = 1; x <= nrows; x++) {
			row = rows[x]; split(row, p, SUBSEP)
			line = "| " p[1] " | " p[2] " | " p[3] " |"
			for (i = 1; i <= ni; i++) {
				m = 0; delete s; lo = ""; hi = ""
				for (r in rounds) if ((row, im[i], r) in v) {
					y = v[row, im[i], r] + 0; s[++m] = y
					if (lo == "" || y < lo) lo = y; if (hi == "" || y > hi) hi = y }
				line = line (m ? " " fmt(median(s, m)) " [" fmt(lo) "–" fmt(hi) "] |" : " – |")
			}
			for (i = 1; i <= ni; i++) if (im[i] != "go") {
				m = 0; delete s
				for (r in rounds) if (((row, im[i], r) in v) && ((row, "go", r) in v) && v[row, "go", r] > 0)
					s[++m] = v[row, im[i], r] / v[row, "go", r]
				line = line (m ? sprintf(" %.2f |", median(s, m)) : " – |")
			}
			print line
		}
	}' "$raw"
	echo
	echo "### Memory at n=$memn u64→u64 (no hint), peak RSS of the W1 process at that n"
	echo
	echo "| impl | live bytes/entry | second view | peak RSS (MiB, max of runs) |"
	echo "|---|---:|---|---:|"
	awk -v impls="$impls" -v memn="$memn" -v rawf="$raw" '
	BEGIN {
		while ((getline l < rawf) > 0) {
			nf = split(l, t, " "); delete f
			for (i = 3; i <= nf; i++) { split(t[i], kv, "="); f[kv[1]] = kv[2] }
			if (f["w"] == "W1" && f["n"] == memn && f["maxrss_kb"] + 0 > rss[f["impl"]]) rss[f["impl"]] = f["maxrss_kb"] + 0
		}
	}
	$1 == "MEM" { delete f; for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
		if (f["impl"] == "core") { live["core"] = f["hook_per_entry"]; other["core"] = "gomap_memstats total " f["memstats_per_entry"] " B/entry" }
		if (f["impl"] == "go") { live["go"] = f["heap_per_entry"]; other["go"] = "bucket arithmetic " f["struct_per_entry"] " B/entry (runtime.MemStats HeapAlloc delta in the first column)" }
		if (f["impl"] == "uthash") { live["uthash"] = f["requested_per_entry"]; other["uthash"] = "with malloc chunk headers " f["chunk_per_entry"] " B/entry" }
	}
	END {
		ni = split(impls, im, ",")
		for (i = 1; i <= ni; i++) {
			x = im[i]
			printf("| %s | %s | %s | %s |\n", x, (x in live) ? live[x] : "–", (x in other) ? other[x] : (x == "go-aes" ? "same buckets as go, other hash" : "–"),
			       (x in rss) ? sprintf("%.1f", rss[x] / 1024) : "–")
		}
	}' "$mem"
	if grep -q '^BUCKETS impl=core' "$mem" && grep -q '^BUCKETS impl=go' "$mem"; then
		echo
		echo "### Buckets at n=$memn, same keys, rand_seed=$mapseed (hash0 = its first wyrand draw), hashkey0=$hashkey, Go with GODEBUG=cpu.aes=off"
		echo
		awk '
		$1 == "BUCKETS" { impl = ""; for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == "impl") impl = kv[2]; else { if (!(kv[1] in seen)) { seen[kv[1]] = 1; keys[++nk] = kv[1] } val[impl, kv[1]] = kv[2] } } }
		END {
			print "| field | core | go | |"; print "|---|---:|---:|---|"
			for (i = 1; i <= nk; i++) {
				k = keys[i]; c = ((("core", k) in val) ? val["core", k] : "–"); g = ((("go", k) in val) ? val["go", k] : "–")
				note = (c == g) ? (k == "digest" ? "equal: every bucket, tophash, key and elem in dump order" : "equal") : (k == "noverflow" ? "differs: approximate count, fastrand draws at B >= 16" : "**DIFFERS**")
				printf("| %s | %s | %s | %s |\n", k, c, g, note)
			}
		}' "$mem"
	fi
} | tee "$out"
log "raw results: $raw, memory: $mem, tables: $out"
