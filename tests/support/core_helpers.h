/* Helpers shared by the core's tests (the test_core files): maps of each
 * built-in kind, hooks that count and fail allocations, script the random
 * source and record failures, and short ways to read the dump text and run
 * gomap_check from a test.  Every support source is linked into every
 * test executable, so this file only relies on harness.h and gomap.h. */
#ifndef GM_CORE_HELPERS_H
#define GM_CORE_HELPERS_H

#include <stdbool.h>
#include <stdint.h>

#include "gomap.h"
#include "harness.h"

/* ---- hooks -------------------------------------------------------------- */

/* Allocator: counts every allocation, tracks what is live, and fails the
 * fail_at-th allocation after ct_alloc_arm (1-based; 0 never fails). */
typedef struct ct_alloc {
	long nallocs;     /* allocations attempted since the last arm */
	long fail_at;
	long nfailed;
	long live_blocks; /* blocks handed out and not yet freed */
	size_t live_bytes;
	long at_site[GOMAP_SITE_COUNT]; /* allocations attempted, per site */
	enum gomap_alloc_site failed_site; /* of the last injected failure */
} ct_alloc;

/* Random source.  Draws come from `script` while it lasts (`repeat_last`
 * keeps returning its last value after that), then from wyrand on
 * `state`.  `draws` counts every call. */
typedef struct ct_rand {
	const uint64_t *script;
	size_t nscript, pos;
	bool repeat_last;
	uint64_t state;
	long draws;
} ct_rand;

/* Failure handler: records Go's severity and message. */
typedef struct ct_fail {
	int count;
	enum gomap_severity sev;
	char msg[128];
} ct_fail;

enum {
	CT_HOOK_ALLOC = 1, /* route allocations through ct_alloc */
	CT_HOOK_RAND = 2,  /* route random draws through ct_rand */
};

/* One test's hooks.  The fail hook is always installed, so a fatal error
 * is recorded instead of aborting the test. */
typedef struct ct_env {
	ct_alloc alloc;
	ct_rand rand;
	ct_fail fail;
	gomap_hooks hooks;
} ct_env;

/* `seed` is the default generator's seed (or ct_rand's wyrand state when
 * CT_HOOK_RAND is set). */
void ct_env_init(ct_env *e, uint64_t seed, unsigned what);
/* Fail the n-th allocation from now on (0: never); resets the counter. */
void ct_alloc_arm(ct_env *e, long n);
/* Scripted draws for the random hook (CT_HOOK_RAND). */
void ct_rand_script(ct_env *e, const uint64_t *v, size_t n, bool repeat_last);

/* ---- maps ------------------------------------------------------------- */

/* The type map[KEY]ELEM from trace names ("u64", "bytes129", ...). */
gomap_type ct_type(const char *key, const char *elem);
/* gomap_make with e's hooks (e may be NULL: default hooks, seed 0). */
gomap *ct_make(ct_env *e, const char *key, const char *elem, int64_t hint);
gomap *ct_make_type(ct_env *e, const gomap_type *t, int64_t hint);

gomap_header_view ct_hdr(const gomap *m);

/* Generic-path helpers for 8-byte keys (u64, f64 and bytes8 maps) whose
 * elem is at least 8 bytes wide, or narrower (the low bytes are stored). */
int ct_put(gomap *m, uint64_t k, uint64_t v);
bool ct_get(gomap *m, uint64_t k, uint64_t *v);
int ct_del(gomap *m, uint64_t k);
int ct_put_f(gomap *m, double k, uint64_t v);
bool ct_get_f(gomap *m, double k, uint64_t *v);
int ct_del_f(gomap *m, double k);
/* String keys: the caller keeps the bytes alive. */
int ct_put_s(gomap *m, const char *k, uint64_t v);
bool ct_get_s(gomap *m, const char *k, uint64_t *v);
int ct_del_s(gomap *m, const char *k);

/* The hash a u64 key has in m right now (Go's memhash64 with hash0). */
uint64_t ct_hash_u64(const gomap *m, uint64_t k);
/* The smallest u64 key >= from whose bucket under 2^B buckets is
 * `bucket` in m's current seed. */
uint64_t ct_key_in_bucket(const gomap *m, uint64_t from, uintptr_t bucket,
                          uint8_t B);

/* Runs a whole iteration; keys and elems (first 8 bytes) into the arrays.
 * Returns the number of pairs (it may exceed cap; the rest is dropped). */
size_t ct_iter_all(gomap *m, uint64_t *keys, uint64_t *elems, size_t cap);

/* The state of wyrand after n steps from seed, and its n-th output. */
uint64_t ct_wyrand_state(uint64_t seed, long n);
uint64_t ct_wyrand_nth(uint64_t seed, long n);
/* Draws the default generator made since `seed` (from rand_state). */
long ct_draws_since(const gomap *m, uint64_t seed);

/* ---- dump and check --------------------------------------------------- */

/* The dump text, malloc'd; free it with free(). */
char *ct_dump(const gomap *m);
/* Does the dump contain `needle`? */
bool ct_dump_has(const gomap *m, const char *needle);

/* gomap_check must pass; reports the message and where it was called. */
#define CT_CHECK(m) ct_check_at((m), __FILE__, __LINE__)
void ct_check_at(const gomap *m, const char *file, int line);
/* The dump must equal `expect` (a previous ct_dump). */
#define CT_EXPECT_DUMP(m, expect) ct_expect_dump_at((m), (expect), __FILE__, __LINE__)
void ct_expect_dump_at(const gomap *m, const char *expect, const char *file,
                       int line);

/* A deterministic generator for test inputs (splitmix64). */
uint64_t ct_next(uint64_t *s);

#endif
