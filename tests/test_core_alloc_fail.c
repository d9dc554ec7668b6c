/* Allocation failure (docs/design.md, "Allocation failure"): an
 * operation whose N-th allocation fails returns GOMAP_ENOMEM and leaves
 * the map exactly as it was (dump text, random state and gomap_check),
 * for every N until the operation needs no more; then it succeeds. */
#include <math.h>
#include <string.h>

#include "support/core_helpers.h"
#include "map_internal.h"

typedef int (*op_fn)(gomap *m, uint64_t arg);

/* What the map holds, apart from its allocation reserve (which a failed
 * attempt may legitimately have filled for the retry). */
static bool same_holdings(const gomap_memstats *a, const gomap_memstats *b)
{
	return a->bucket_arrays == b->bucket_arrays &&
	       a->bucket_array_bytes == b->bucket_array_bytes &&
	       a->heap_overflow == b->heap_overflow &&
	       a->indirect_objects == b->indirect_objects &&
	       a->retired_bytes == b->retired_bytes;
}

/* Fails allocation 1, 2, ... of op(m, arg) until it succeeds; returns how
 * many attempts failed. */
static long fail_each_allocation(ct_env *e, gomap *m, op_fn op, uint64_t arg)
{
	char *before = ct_dump(m);
	gomap_memstats ms0, ms;
	gomap_memstats_get(m, &ms0);
	long n;
	for (n = 1; n < 1000; n++) {
		ct_alloc_arm(e, n);
		long nfailed = e->alloc.nfailed;
		int st = op(m, arg);
		if (st == GOMAP_OK) {
			GM_EXPECT_EQ_U(e->alloc.nfailed, nfailed); /* no fault hit */
			break;
		}
		GM_EXPECT_EQ_U(st, GOMAP_ENOMEM);
		GM_EXPECT_EQ_U(e->alloc.nfailed, nfailed + 1);
		CT_EXPECT_DUMP(m, before);
		CT_CHECK(m);
		gomap_memstats_get(m, &ms);
		GM_EXPECT(same_holdings(&ms, &ms0));
	}
	ct_alloc_arm(e, 0);
	free(before);
	CT_CHECK(m);
	return n - 1;
}

static int put_u64(gomap *m, uint64_t k) { return ct_put(m, k, k + 1); }
static int del_u64(gomap *m, uint64_t k) { return ct_del(m, k); }
static int put_nan(gomap *m, uint64_t k) { return ct_put_f(m, NAN, k); }

static int put_big(gomap *m, uint64_t k)
{
	uint8_t key[129] = {0};
	memcpy(key + 60, &k, 8);
	void *e;
	int st = gomap_assign(m, key, &e);
	if (st == GOMAP_OK)
		memcpy(e, &k, 8);
	return st;
}

static char strs[400][16];
static int put_str(gomap *m, uint64_t k)
{
	snprintf(strs[k], sizeof strs[k], "s%llu", (unsigned long long)k);
	return ct_put_s(m, strs[k], k);
}

/* The first put of a small map (its bucket), the 9th (growth 0 -> 1)
 * and the 27th (growth 2 -> 3 with evacuation in the same insert). */
GM_TEST(alloc_fail__insert_that_starts_growth_changes_nothing)
{
	ct_env e;
	ct_env_init(&e, 4, CT_HOOK_ALLOC);
	gomap *m = ct_make(&e, "u64", "u64", 0);
	GM_EXPECT(fail_each_allocation(&e, m, put_u64, 0) >= 1);
	for (uint64_t k = 1; k < 8; k++)
		ct_put(m, k, k + 1);
	GM_EXPECT(fail_each_allocation(&e, m, put_u64, 8) >= 1);
	GM_EXPECT_EQ_U(ct_hdr(m).B, 1);
	for (uint64_t k = 9; k < 26; k++)
		ct_put(m, k, k + 1);
	GM_EXPECT(fail_each_allocation(&e, m, put_u64, 26) >= 1);
	GM_EXPECT(ct_hdr(m).growing && ct_hdr(m).B == 3);
	for (uint64_t k = 0; k < 27; k++) {
		uint64_t v;
		GM_EXPECT(ct_get(m, k, &v) && v == k + 1);
	}
	gomap_destroy(m);
	GM_EXPECT_EQ_U(e.alloc.live_blocks, 0);
}

/* Every insert of a long sequence (growths, evacuations that need heap
 * overflow buckets, spare pools running out) and deletes during growth,
 * for u64 and str keys. */
GM_TEST(alloc_fail__every_insert_and_delete_of_a_sequence)
{
	for (int str = 0; str < 2; str++) {
		ct_env e;
		ct_env_init(&e, 6, CT_HOOK_ALLOC);
		gomap *m = ct_make(&e, str ? "str" : "u64", "u64", 0);
		long failures = 0;
		int growing_ops = 0;
		for (uint64_t k = 0; k < 300; k++) {
			growing_ops += ct_hdr(m).growing;
			failures += fail_each_allocation(&e, m, str ? put_str : put_u64,
			                                 k * (str ? 1 : 0x10001));
		}
		GM_EXPECT(growing_ops > 20);
		GM_EXPECT(failures > 5);
		GM_EXPECT_EQ_U(gomap_len(m), 300);
		if (!str) /* deletes reserve for their growWork */
			for (uint64_t k = 300; k < 400; k++)
				put_u64(m, k * 0x10001);
		for (uint64_t k = 0; !str && k < 100; k++)
			fail_each_allocation(&e, m, del_u64, k * 0x10001);
		gomap_destroy(m);
		GM_EXPECT_EQ_U(e.alloc.live_blocks, 0);
	}
}

/* Each allocation names its site (gomap.h, enum gomap_alloc_site): a
 * make with a hint takes the header and the array, the puts of a B=0 map
 * its first bucket, the ninth put the array a growth moves to. */
GM_TEST(alloc_fail__allocations_name_their_sites)
{
	ct_env e;
	ct_env_init(&e, 4, CT_HOOK_ALLOC);
	gomap *m = ct_make(&e, "u64", "u64", 100);
	GM_EXPECT_EQ_U(e.alloc.at_site[GOMAP_SITE_HEADER], 1);
	GM_EXPECT_EQ_U(e.alloc.at_site[GOMAP_SITE_MAKE_ARRAY], 1);
	GM_EXPECT_EQ_U(e.alloc.nallocs, 2);
	gomap_destroy(m);
	m = ct_make(&e, "u64", "u64", 0);
	for (uint64_t k = 0; k < 9; k++)
		ct_put(m, k, k);
	GM_EXPECT_EQ_U(e.alloc.at_site[GOMAP_SITE_FIRST_BUCKET], 1);
	GM_EXPECT_EQ_U(e.alloc.at_site[GOMAP_SITE_GROW_ARRAY], 1);
	GM_EXPECT_EQ_U(e.alloc.at_site[GOMAP_SITE_ZERO_ELEM], 0);
	gomap_destroy(m);
	GM_EXPECT_EQ_U(e.alloc.live_blocks, 0);
	GM_EXPECT(strcmp(gomap_alloc_site_name(GOMAP_SITE_DELETE_OVERFLOW),
	                 "overflow bucket (delete, growing)") == 0);
	GM_EXPECT(strcmp(gomap_alloc_site_name(GOMAP_SITE_COUNT), "?") == 0);
	for (int i = 0; i < GOMAP_SITE_COUNT; i++) /* every site has a name */
		GM_EXPECT(strcmp(gomap_alloc_site_name(i), "?") != 0);
}

/* An elem over 1024 bytes (Go's zeroVal) gets its own zero value at make
 * (the one site no trace can reach: their largest elem is bytes1024).
 * Failing it, or the header before it, fails the make cleanly. */
GM_TEST(alloc_fail__make_of_a_big_elem_map)
{
	const gomap_elemtype big = {.name = "bytes2000", .size = 2000, .align = 1};
	gomap_keytype k;
	GM_EXPECT(gomap_key_by_name("u64", &k));
	gomap_type t;
	GM_EXPECT_EQ_U(gomap_type_init(&t, &k, &big), GOMAP_OK);
	ct_env e;
	ct_env_init(&e, 5, CT_HOOK_ALLOC);
	for (long n = 1; n <= 2; n++) {
		ct_alloc_arm(&e, n);
		int st = GOMAP_OK;
		GM_EXPECT(gomap_make(&t, 0, &e.hooks, &st) == NULL);
		GM_EXPECT_EQ_U(st, GOMAP_ENOMEM);
		GM_EXPECT_EQ_U(e.alloc.failed_site,
		               n == 1 ? GOMAP_SITE_HEADER : GOMAP_SITE_ZERO_ELEM);
		GM_EXPECT_EQ_U(e.alloc.live_blocks, 0);
	}
	ct_alloc_arm(&e, 0);
	gomap *m = ct_make_type(&e, &t, 0);
	GM_EXPECT_EQ_U(e.alloc.at_site[GOMAP_SITE_ZERO_ELEM], 2);
	bool found;
	const uint8_t *zero = gomap_access2(m, &(uint64_t){7}, &found);
	GM_EXPECT(!found && zero[0] == 0 && zero[1999] == 0);
	gomap_destroy(m);
	GM_EXPECT_EQ_U(e.alloc.live_blocks, 0);
}

/* Indirect keys and elems: their objects are allocated before any change. */
GM_TEST(alloc_fail__indirect_key_and_elem_objects)
{
	ct_env e;
	ct_env_init(&e, 8, CT_HOOK_ALLOC);
	gomap *m = ct_make(&e, "bytes129", "bytes200", 0);
	long failures = 0;
	for (uint64_t k = 0; k < 120; k++)
		failures += fail_each_allocation(&e, m, put_big, k);
	GM_EXPECT(failures >= 240); /* at least key and elem object each */
	GM_EXPECT_EQ_U(gomap_len(m), 120);
	gomap_destroy(m);
	GM_EXPECT_EQ_U(e.alloc.live_blocks, 0);
}

/* A NaN insert that fails draws its random hash again on retry: the
 * default generator's state is rewound (the dump's rand= is unchanged). */
GM_TEST(alloc_fail__nan_insert_rewinds_the_random_state)
{
	ct_env e;
	ct_env_init(&e, 8, CT_HOOK_ALLOC);
	gomap *m = ct_make(&e, "f64", "u64", 0);
	long failures = 0;
	for (uint64_t k = 0; k < 60; k++)
		failures += fail_each_allocation(&e, m, put_nan, k);
	GM_EXPECT(failures > 3);
	GM_EXPECT_EQ_U(gomap_len(m), 60);
	gomap_destroy(m);
	GM_EXPECT_EQ_U(e.alloc.live_blocks, 0);
}

/* A delete during growth reserves the heap overflow buckets its growWork
 * may take (rule 31: even before it looks for the key).  When the two old
 * chains it will move are long, the reserve has to allocate; a failure
 * there leaves the map as it was. */
GM_TEST(alloc_fail__delete_that_must_move_long_chains)
{
	ct_env e;
	ct_env_init(&e, 9, CT_HOOK_ALLOC);
	gomap *m = ct_make(&e, "u64", "u64", 20);
	GM_EXPECT_EQ_U(ct_hdr(m).B, 2);
	/* old bucket 3: a chain of three buckets (17 keys); 0..2: 3 keys */
	uint64_t k = 1, victim = 0;
	for (int i = 0; i < 17; i++) {
		k = ct_key_in_bucket(m, k, 3, 2);
		if (i == 0)
			victim = k;
		ct_put(m, k++, 1);
	}
	for (uintptr_t b = 0; b < 3; b++)
		for (int i = 0; i < 3; i++) {
			k = ct_key_in_bucket(m, k, b, 2);
			ct_put(m, k++, 1);
		}
	GM_EXPECT(!ct_hdr(m).growing);
	/* the 27th key grows the map and evacuates old buckets 1 and 0 */
	ct_put(m, ct_key_in_bucket(m, k, 1, 2), 1);
	GM_EXPECT(ct_hdr(m).growing);
	GM_EXPECT_EQ_U(ct_hdr(m).nevacuate, 2);
	/* deleting from old chain 3 moves it (3 buckets) and chain 2 */
	GM_EXPECT(fail_each_allocation(&e, m, del_u64, victim) >= 1);
	uint64_t v;
	GM_EXPECT(!ct_get(m, victim, &v));
	gomap_destroy(m);
	GM_EXPECT_EQ_U(e.alloc.live_blocks, 0);
}

/* The default allocator's large blocks (core/pages.c): zeroed, aligned
 * to 2 MiB so the kernel can back them with huge pages, and a request no
 * machine can map comes back NULL (gm_alloc then reports ENOMEM). */
GM_TEST(alloc_fail__large_default_blocks_are_zeroed_aligned_and_may_fail)
{
	size_t size = GM_PAGES_MIN + 12345;
	uint8_t *p = gm_pages_alloc(size);
	GM_EXPECT(p != NULL);
	if (p == NULL)
		return;
	GM_EXPECT_EQ_U((uintptr_t)p % ((uintptr_t)2 << 20), 0);
	size_t nonzero = 0;
	for (size_t i = 0; i < size; i += 4096)
		nonzero += p[i] != 0 || p[size - 1 - i] != 0;
	GM_EXPECT_EQ_U(nonzero, 0);
	memset(p, 0xab, size); /* all of it is writable */
	gm_pages_free(p, size);
	GM_EXPECT(gm_pages_alloc(SIZE_MAX / 4) == NULL);
}

GM_TEST_MAIN()
