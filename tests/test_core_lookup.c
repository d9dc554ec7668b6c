/* Section C of go-map-rules.md: lookups (mapaccess1/2/K). */
#include <string.h>

#include "support/core_helpers.h"
#include "map_internal.h"

/* A u64 key type whose hash counts its calls (kt->user -> long). */
static uint64_t counting_hash(const gomap_keytype *kt, const void *key,
                              uint64_t seed, gomap *m)
{
	(*(long *)kt->user)++;
	return gomap_key_u64.hash(kt, key, seed, m);
}

static gomap_type counting_type(long *calls, unsigned extra_flags)
{
	gomap_keytype k = gomap_key_u64;
	k.hash = counting_hash;
	k.fast = GOMAP_FAST_NONE;
	k.flags |= extra_flags;
	k.user = calls;
	gomap_type t;
	gomap_type_init(&t, &k, &gomap_elem_u64);
	return t;
}

/* rule 14: nil/empty maps miss without hashing, unless the hash might
 * panic: then it is hashed once, with seed 0. */
GM_TEST(lookup__empty_map_misses_without_hashing)
{
	long calls = 0;
	gomap_type t = counting_type(&calls, 0);
	gomap *m = ct_make_type(NULL, &t, 0);
	uint64_t v;
	GM_EXPECT(!ct_get(m, 1, &v));
	GM_EXPECT(*(const uint64_t *)gomap_access1(m, &(uint64_t){1}) == 0);
	GM_EXPECT_EQ_U(ct_del(m, 1), GOMAP_OK);
	GM_EXPECT_EQ_U(calls, 0);
	GM_EXPECT_EQ_U(ct_put(m, 1, 1), GOMAP_OK); /* assign always hashes */
	GM_EXPECT_EQ_U(calls, 1);
	GM_EXPECT_EQ_U(ct_del(m, 1), GOMAP_OK);
	GM_EXPECT_EQ_U(calls, 2);
	GM_EXPECT(!ct_get(m, 1, &v)); /* empty again: no hash */
	GM_EXPECT_EQ_U(calls, 2);
	gomap_destroy(m);

	calls = 0;
	t = counting_type(&calls, GOMAP_HASH_MIGHT_PANIC);
	m = ct_make_type(NULL, &t, 0);
	GM_EXPECT(!ct_get(m, 1, &v));
	GM_EXPECT_EQ_U(calls, 1);
	GM_EXPECT_EQ_U(ct_del(m, 1), GOMAP_OK);
	GM_EXPECT_EQ_U(calls, 2);
	gomap_destroy(m);

	/* a nil map reads as empty */
	GM_EXPECT(!ct_get(NULL, 1, &v));
	GM_EXPECT_EQ_U(gomap_len(NULL), 0);
	GM_EXPECT_EQ_U(ct_del(NULL, 1), GOMAP_OK);
}

/* rule 16: during growth lookups read unevacuated old chains and never
 * evacuate anything themselves. */
GM_TEST(lookup__reads_unevacuated_old_chains_without_moving_them)
{
	gomap *m = ct_make(NULL, "u64", "u64", 0);
	for (uint64_t k = 0; k < 27; k++)
		GM_EXPECT_EQ_U(ct_put(m, k, k + 100), GOMAP_OK);
	gomap_header_view h = ct_hdr(m);
	GM_EXPECT(h.growing && h.B == 3);
	int in_old = 0;
	for (uint64_t k = 0; k < 27; k++) {
		uint8_t *ob = gm_bucket_at(&m->t, m->oldbuckets,
		                           ct_hash_u64(m, k) & 3);
		in_old += !gm_evacuated(ob);
	}
	GM_EXPECT(in_old > 0);
	char *before = ct_dump(m);
	for (int round = 0; round < 50; round++)
		for (uint64_t k = 0; k < 30; k++) {
			uint64_t v;
			bool f = ct_get(m, k, &v);
			GM_EXPECT(f == (k < 27));
			GM_EXPECT_EQ_U(v, k < 27 ? k + 100 : 0);
		}
	CT_EXPECT_DUMP(m, before);
	free(before);
	CT_CHECK(m);
	gomap_destroy(m);
}

/* Every key has the same tophash and one of two buckets: the scan must
 * compare keys and go on past emptyOne slots (rule 17). */
static uint64_t colliding_hash(const gomap_keytype *kt, const void *key,
                               uint64_t seed, gomap *m)
{
	uint64_t k;
	memcpy(&k, key, 8);
	return (UINT64_C(0x77) << 56) | (k & 1);
}

GM_TEST(lookup__finds_keys_behind_tombstones_in_colliding_chains)
{
	gomap_keytype kt = gomap_key_u64;
	kt.hash = colliding_hash;
	kt.fast = GOMAP_FAST_NONE;
	gomap_type t;
	GM_EXPECT_EQ_U(gomap_type_init(&t, &kt, &gomap_elem_u64), GOMAP_OK);
	gomap *m = ct_make_type(NULL, &t, 0);
	bool present[64] = {0};
	uint64_t s = 5;
	for (int op = 0; op < 3000; op++) {
		uint64_t k = ct_next(&s) % 64;
		if (ct_next(&s) % 3 == 0) {
			GM_EXPECT_EQ_U(ct_del(m, k), GOMAP_OK);
			present[k] = false;
		} else {
			GM_EXPECT_EQ_U(ct_put(m, k, k * 2), GOMAP_OK);
			present[k] = true;
		}
		for (uint64_t q = 0; q < 64; q++) {
			uint64_t v;
			bool f = ct_get(m, q, &v);
			if (f != present[q])
				fprintf(stderr, "op %d key %llu\n", op,
				        (unsigned long long)q);
			GM_EXPECT(f == present[q]);
		}
		if (op % 100 == 0)
			CT_CHECK(m);
	}
	CT_CHECK(m);
	gomap_destroy(m);
}

/* rule 18: mapaccessK returns the stored key and elem, and no check of
 * hashWriting. */
GM_TEST(lookup__access_k_returns_stored_key_and_elem)
{
	gomap *m = ct_make(NULL, "str", "u64", 0);
	static const char a1[] = "key", a2[] = "key";
	gomap_str s1 = {(const uint8_t *)a1, 3}, s2 = {(const uint8_t *)a2, 3};
	void *e;
	GM_EXPECT_EQ_U(gomap_assign(m, &s1, &e), GOMAP_OK);
	*(uint64_t *)e = 9;
	const void *k, *el;
	GM_EXPECT(gomap_accessK(m, &s2, &k, &el));
	GM_EXPECT(((const gomap_str *)k)->ptr == s1.ptr);
	GM_EXPECT_EQ_U(*(const uint64_t *)el, 9);
	gomap_str s3 = {(const uint8_t *)"kez", 3};
	GM_EXPECT(!gomap_accessK(m, &s3, &k, &el));
	gomap_destroy(m);
}

GM_TEST_MAIN()
