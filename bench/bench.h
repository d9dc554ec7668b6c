/* gomap benchmark: what main.c shares with the per-implementation files.
 *
 * Every implementation (impl_core.c, impl_uthash.c) defines a small set of
 * static inline map operations and then includes workloads.h, which holds
 * the one copy of the workload bodies and defines the implementation's
 * entry points.  The inputs (keys, permutations, string bytes) come from
 * here and are mirrored bit for bit in go/main.go.
 */
#ifndef GOMAP_BENCH_H
#define GOMAP_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One process = one implementation x one workload x one n. */
struct bench_args {
	const char *impl;     /* "core", "uthash" */
	const char *workload; /* "W1".."W7" */
	size_t n;
	int64_t ops;          /* operations per process; small n repeat */
	uint64_t seed;        /* key generator seed */
	bool selfcheck;       /* --verify: also run the map's own checker */
	/* --mem */
	uint64_t map_seed;    /* hooks.rand_seed (hash0 is its first draw) */
	uint64_t hashkey0;
};

/* Stream seeds: one independent splitmix64 stream per purpose. */
#define BENCH_STREAM_HIT 0x100u
#define BENCH_STREAM_MISS 0x200u
#define BENCH_STREAM_PERM 0x300u
#define BENCH_STREAM_STR 0x400u

uint64_t bench_splitmix(uint64_t *state);
/* Hit keys are even, miss keys odd, so a miss can never hit. */
uint64_t *bench_hit_keys(uint64_t seed, size_t n);
uint64_t *bench_miss_keys(uint64_t seed, size_t n);
/* Fisher-Yates shuffle of 0..n-1, j = high 64 bits of r * (i + 1). */
uint32_t *bench_perm(uint64_t seed, size_t n);
/* n keys of len bytes, back to back, from little-endian splitmix words. */
uint8_t *bench_str_bytes(uint64_t seed, size_t n, size_t len);

void *bench_xmalloc(size_t size);
uint64_t bench_now_ns(void);
long bench_maxrss_kb(void);
int64_t bench_reps(int64_t target, size_t n_per_rep);
/* Prints one RESULT line. */
void bench_report(const char *impl, const char *w, const char *variant,
                  size_t n, int64_t ops, uint64_t ns);
/* A failed result check: message on stderr, exit status 1. */
_Noreturn void bench_fail(const char *impl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Entry points of each implementation (defined through workloads.h). */
int bench_core_run(const struct bench_args *a);
int bench_core_mem(const struct bench_args *a);
int bench_uthash_run(const struct bench_args *a);
int bench_uthash_mem(const struct bench_args *a);

#endif
