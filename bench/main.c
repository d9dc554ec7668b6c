/* gomap_bench: the C half of bench/run.sh.
 *
 *   gomap_bench --impl core|uthash --w W1..W7 --n N [--ops OPS] [--seed S]
 *               [--clock thread|wall]
 *       one timed workload; prints RESULT lines (go/main.go prints the
 *       same for Go's map), exits 1 if the map gave a wrong answer; the
 *       timed regions count this thread's CPU time, or with --clock wall
 *       elapsed time
 *   gomap_bench --impl core|uthash --mem --n N [--map-seed S] [--hashkey K]
 *       live bytes per entry and, for the core, the bucket structure
 *   gomap_bench --inputs --n N [--seed S]
 *       a digest of the generated keys (go/main.go -inputs prints the same)
 *   gomap_bench --verify
 *       every workload on every implementation at tiny n, with the core's
 *       own invariant check; the CTest smoke test
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "bench.h"

/* ---- deterministic inputs (mirrored in go/main.go) ---------------------- */

uint64_t bench_splitmix(uint64_t *state)
{
	uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

void *bench_xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);
	if (!p) {
		fprintf(stderr, "gomap_bench: out of memory (%zu bytes)\n", size);
		exit(3);
	}
	return p;
}

uint64_t *bench_hit_keys(uint64_t seed, size_t n)
{
	uint64_t g = seed ^ BENCH_STREAM_HIT, *k = bench_xmalloc(n * sizeof *k);
	for (size_t i = 0; i < n; i++)
		k[i] = bench_splitmix(&g) & ~UINT64_C(1);
	return k;
}

uint64_t *bench_miss_keys(uint64_t seed, size_t n)
{
	uint64_t g = seed ^ BENCH_STREAM_MISS, *k = bench_xmalloc(n * sizeof *k);
	for (size_t i = 0; i < n; i++)
		k[i] = bench_splitmix(&g) | 1;
	return k;
}

uint32_t *bench_perm(uint64_t seed, size_t n)
{
	uint64_t g = seed ^ BENCH_STREAM_PERM;
	uint32_t *p = bench_xmalloc(n * sizeof *p);
	for (size_t i = 0; i < n; i++)
		p[i] = (uint32_t)i;
	for (size_t i = n; i-- > 1;) {
		size_t j = (size_t)(((unsigned __int128)bench_splitmix(&g) * (i + 1)) >> 64);
		uint32_t t = p[i];
		p[i] = p[j];
		p[j] = t;
	}
	return p;
}

uint8_t *bench_str_bytes(uint64_t seed, size_t n, size_t len)
{
	uint64_t g = seed ^ BENCH_STREAM_STR ^ len, w = 0;
	uint8_t *b = bench_xmalloc(n * len);
	for (size_t i = 0; i < n * len; i++) {
		if (i % 8 == 0)
			w = bench_splitmix(&g);
		b[i] = (uint8_t)(w >> (8 * (i % 8)));
	}
	return b;
}

/* ---- measurement and reporting ------------------------------------------ */

/* The clock of the timed regions (--clock): by default the CPU time of
 * this thread, so that time the kernel gives other processes on a shared
 * machine is not counted; or elapsed time.  go/main.go -clock is the
 * same. */
static clockid_t timed_clock = CLOCK_THREAD_CPUTIME_ID;

uint64_t bench_now_ns(void)
{
	struct timespec ts;
	clock_gettime(timed_clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

long bench_maxrss_kb(void)
{
	struct rusage ru;
	return getrusage(RUSAGE_SELF, &ru) ? -1 : ru.ru_maxrss;
}

int64_t bench_reps(int64_t target, size_t n_per_rep)
{
	if (n_per_rep == 0)
		return 1;
	int64_t r = (target + (int64_t)n_per_rep - 1) / (int64_t)n_per_rep;
	return r < 1 ? 1 : r;
}

static bool quiet; /* --verify prints one line per workload, not RESULTs */

void bench_report(const char *impl, const char *w, const char *variant,
                  size_t n, int64_t ops, uint64_t ns)
{
	if (quiet)
		return;
	printf("RESULT impl=%s w=%s case=%s n=%zu ops=%lld ns_per_op=%.3f maxrss_kb=%ld\n",
	       impl, w, variant, n, (long long)ops, (double)ns / (double)ops,
	       bench_maxrss_kb());
	fflush(stdout);
}

void bench_fail(const char *impl, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "gomap_bench: %s: CHECK FAILED: ", impl);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* --inputs: a digest of every generated input, so run.sh can prove that
 * the C and Go programs see the same keys in the same order. */
static uint64_t fold(uint64_t h, uint64_t x)
{
	return (h ^ x) * UINT64_C(0x100000001b3);
}

static int print_inputs(const struct bench_args *a)
{
	size_t n = a->n;
	uint64_t *hk = bench_hit_keys(a->seed, n), *mk = bench_miss_keys(a->seed, n);
	uint32_t *p = bench_perm(a->seed, n);
	uint64_t h[5] = {0};
	for (size_t i = 0; i < n; i++) {
		h[0] = fold(h[0], hk[i]);
		h[1] = fold(h[1], mk[i]);
		h[2] = fold(h[2], p[i]);
	}
	for (size_t l = 8; l <= 16; l += 8) {
		uint8_t *b = bench_str_bytes(a->seed, n, l);
		for (size_t i = 0; i < n * l; i++)
			h[l / 8 + 2] = fold(h[l / 8 + 2], b[i]);
		free(b);
	}
	printf("INPUTS n=%zu seed=%llu hit=%016llx miss=%016llx perm=%016llx str8=%016llx str16=%016llx\n",
	       n, (unsigned long long)a->seed, (unsigned long long)h[0],
	       (unsigned long long)h[1], (unsigned long long)h[2],
	       (unsigned long long)h[3], (unsigned long long)h[4]);
	free(hk);
	free(mk);
	free(p);
	return 0;
}

/* ---- driver ------------------------------------------------------------- */

struct impl {
	const char *name;
	int (*run)(const struct bench_args *);
	int (*mem)(const struct bench_args *);
	bool has_hint;
};

static const struct impl impls[] = {
	{"core", bench_core_run, bench_core_mem, true},
	{"uthash", bench_uthash_run, bench_uthash_mem, false},
};

static const struct impl *find_impl(const char *name)
{
	for (size_t i = 0; i < sizeof impls / sizeof *impls; i++)
		if (!strcmp(impls[i].name, name))
			return &impls[i];
	return NULL;
}

/* Sizes around the interesting edges: empty, one bucket, the first
 * overflow and growths, the first spare buckets (B >= 4). */
static int verify_all(void)
{
	static const size_t ns[] = {0, 1, 7, 8, 9, 13, 14, 100, 1000, 5000};
	static const char *ws[] = {"W1", "W2", "W3", "W4", "W5", "W6", "W7"};
	quiet = true;
	for (size_t i = 0; i < sizeof impls / sizeof *impls; i++) {
		for (size_t w = 0; w < sizeof ws / sizeof *ws; w++) {
			for (size_t k = 0; k < sizeof ns / sizeof *ns; k++) {
				struct bench_args a = {
					.impl = impls[i].name, .workload = ws[w], .n = ns[k],
					.ops = 2 * (int64_t)ns[k] + 2, .seed = 1 + k,
					.selfcheck = true,
				};
				if (impls[i].run(&a))
					return 2;
			}
			printf("verify %s %s: ok\n", impls[i].name, ws[w]);
		}
	}
	printf("%zu passed, 0 failed\n", sizeof impls / sizeof *impls * (sizeof ws / sizeof *ws));
	return 0;
}

static void usage(void)
{
	fputs("usage: gomap_bench --impl core|uthash --w W1..W7 --n N [--ops N] [--seed S]\n"
	      "                     [--clock thread|wall]\n"
	      "       gomap_bench --impl core|uthash --mem --n N [--map-seed S] [--hashkey K]\n"
	      "       gomap_bench --inputs --n N [--seed S]\n"
	      "       gomap_bench --verify\n", stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	struct bench_args a = {
		.impl = "core", .workload = NULL, .n = 1000, .ops = 2000000,
		.seed = 1, .map_seed = 0x5eed, .hashkey0 = 0,
	};
	bool mem = false, inputs = false;
	for (int i = 1; i < argc; i++) {
		const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(o, "--verify"))
			return verify_all();
		if (!strcmp(o, "--mem") || !strcmp(o, "--inputs")) {
			*(o[2] == 'm' ? &mem : &inputs) = true;
			continue;
		}
		if (!v)
			usage();
		i++;
		if (!strcmp(o, "--impl"))
			a.impl = v;
		else if (!strcmp(o, "--w"))
			a.workload = v;
		else if (!strcmp(o, "--n"))
			a.n = strtoull(v, NULL, 0);
		else if (!strcmp(o, "--ops"))
			a.ops = strtoll(v, NULL, 0);
		else if (!strcmp(o, "--seed"))
			a.seed = strtoull(v, NULL, 0);
		else if (!strcmp(o, "--map-seed"))
			a.map_seed = strtoull(v, NULL, 0);
		else if (!strcmp(o, "--hashkey"))
			a.hashkey0 = strtoull(v, NULL, 0);
		else if (!strcmp(o, "--clock") && !strcmp(v, "thread"))
			timed_clock = CLOCK_THREAD_CPUTIME_ID;
		else if (!strcmp(o, "--clock") && !strcmp(v, "wall"))
			timed_clock = CLOCK_MONOTONIC;
		else
			usage();
	}
	if (inputs)
		return print_inputs(&a);
	const struct impl *im = find_impl(a.impl);
	if (!im)
		usage();
	if (mem)
		return im->mem(&a);
	if (!a.workload)
		usage();
	int rc = im->run(&a);
	if (rc == 2)
		usage();
	return rc;
}
