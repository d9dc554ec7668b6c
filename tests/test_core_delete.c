/* Section E of go-map-rules.md: mapdelete and its fast variants. */
#include <string.h>

#include "support/core_helpers.h"
#include "map_internal.h"

/* A B=1 u64 map whose bucket 0 holds 12 keys (8 in the head bucket, 4 in
 * one overflow bucket), put in order with elems 0..11; keys gets them. */
static gomap *map_with_bucket0_overflowing(uint64_t keys[12])
{
	gomap *m = ct_make(NULL, "u64", "u64", 9); /* B=1 */
	uint64_t k = 0;
	for (int i = 0; i < 12; i++) {
		k = ct_key_in_bucket(m, k, 0, 1);
		keys[i] = k++;
		ct_put(m, keys[i], i);
	}
	return m;
}

/* rule 31: during growth delete does growWork even for an absent key;
 * (An empty map that is still growing cannot be reached from the API:
 * every delete does growWork.) */
GM_TEST(delete__absent_key_during_growth_still_evacuates)
{
	gomap *m = ct_make(NULL, "u64", "u64", 0);
	for (uint64_t k = 0; k < 27; k++)
		ct_put(m, k, k);
	gomap_header_view h = ct_hdr(m);
	GM_EXPECT(h.growing);
	uintptr_t nev = h.nevacuate;
	GM_EXPECT_EQ_U(ct_del(m, 1000000), GOMAP_OK);
	h = ct_hdr(m);
	GM_EXPECT(!h.growing || h.nevacuate > nev);
	GM_EXPECT_EQ_U(gomap_len(m), 27);
	CT_CHECK(m);
	gomap_destroy(m);
}

/* rule 32: a key in an overflow bucket behind emptyOne slots is found and
 * deleted. */
GM_TEST(delete__finds_key_in_overflow_behind_tombstones)
{
	uint64_t keys[12];
	gomap *m = map_with_bucket0_overflowing(keys);
	for (int i = 0; i < 8; i++)
		GM_EXPECT_EQ_U(ct_del(m, keys[i]), GOMAP_OK);
	GM_EXPECT(ct_dump_has(m, "new[0] th=[01 01 01 01 01 01 01 01]"));
	GM_EXPECT_EQ_U(ct_del(m, keys[10]), GOMAP_OK);
	uint64_t v;
	GM_EXPECT(!ct_get(m, keys[10], &v));
	GM_EXPECT(ct_get(m, keys[11], &v) && v == 11);
	GM_EXPECT_EQ_U(gomap_len(m), 3);
	CT_CHECK(m);
	gomap_destroy(m);
}

/* rule 33: the key is cleared only if it holds pointers; the elem always. */
GM_TEST(delete__clears_elem_and_pointer_keys_only)
{
	gomap *m = ct_make(NULL, "u64", "u64", 0);
	ct_put(m, 0x1122334455667788u, 99);
	uint8_t *b = m->buckets;
	GM_EXPECT_EQ_U(ct_del(m, 0x1122334455667788u), GOMAP_OK);
	uint64_t k, e;
	memcpy(&k, gm_key_slot(&m->t, b, 0), 8);
	memcpy(&e, gm_elem_slot(&m->t, b, 0), 8);
	GM_EXPECT_EQ_U(k, 0x1122334455667788u); /* stale key bits remain */
	GM_EXPECT_EQ_U(e, 0);
	gomap_destroy(m);

	m = ct_make(NULL, "str", "u64", 0);
	ct_put_s(m, "hello", 5);
	ct_put_s(m, "world", 6);
	b = m->buckets;
	gomap_str s = {(const uint8_t *)"hello", 5};
	GM_EXPECT_EQ_U(gomap_delete_faststr(m, s), GOMAP_OK);
	int slot = b[0] == GM_EMPTY_ONE ? 0 : 1;
	gomap_str got;
	memcpy(&got, gm_key_slot(&m->t, b, slot), sizeof got);
	GM_EXPECT(got.ptr == NULL);
	GM_EXPECT_EQ_U(got.len, 5); /* faststr keeps the length */
	gomap_destroy(m);
}

/* rule 34: B=0: put a b c; del b -> [a 01 c 00..]; del c -> [a 00 00..]. */
GM_TEST(delete__tombstone_then_empty_rest_in_one_bucket)
{
	gomap *m = ct_make(NULL, "u64", "u64", 0);
	ct_put(m, 1, 1);
	ct_put(m, 2, 2);
	ct_put(m, 3, 3);
	ct_del(m, 2);
	uint8_t *b = m->buckets;
	GM_EXPECT(b[0] >= 5 && b[1] == GM_EMPTY_ONE && b[2] >= 5 &&
	          b[3] == GM_EMPTY_REST);
	ct_del(m, 3);
	GM_EXPECT(b[0] >= 5 && b[1] == GM_EMPTY_REST && b[2] == GM_EMPTY_REST);
	CT_CHECK(m);
	gomap_destroy(m);
}

/* rule 34 across buckets: emptying the overflow bucket turns the emptyOne
 * run at the end of the head bucket into emptyRest too. */
GM_TEST(delete__empty_rest_propagates_across_overflow)
{
	uint64_t keys[12];
	gomap *m = map_with_bucket0_overflowing(keys);
	uint8_t *head = m->buckets, *ovf = gm_overflow(&m->t, head);
	GM_EXPECT(ovf != NULL);
	for (int i = 5; i < 8; i++)
		ct_del(m, keys[i]);
	for (int s = 5; s < 8; s++)
		GM_EXPECT_EQ_U(head[s], GM_EMPTY_ONE); /* live keys follow */
	ct_del(m, keys[11]);
	ct_del(m, keys[10]);
	GM_EXPECT(ovf[1] >= GM_MIN_TOPHASH); /* still live */
	GM_EXPECT(ovf[2] == GM_EMPTY_REST && ovf[3] == GM_EMPTY_REST);
	ct_del(m, keys[9]);
	ct_del(m, keys[8]);
	for (int s = 0; s < 8; s++)
		GM_EXPECT_EQ_U(ovf[s], GM_EMPTY_REST);
	for (int s = 5; s < 8; s++)
		GM_EXPECT_EQ_U(head[s], GM_EMPTY_REST);
	GM_EXPECT(head[4] >= GM_MIN_TOPHASH);
	CT_CHECK(m);
	/* and a later lookup stops early without losing anything */
	uint64_t v;
	for (int i = 0; i < 5; i++)
		GM_EXPECT(ct_get(m, keys[i], &v) && v == (uint64_t)i);
	gomap_destroy(m);
}

/* Delete in random orders: the tombstone invariant holds after each. */
GM_TEST(delete__random_orders_keep_tombstone_invariant)
{
	uint64_t s = 99;
	for (int round = 0; round < 20; round++) {
		gomap *m = ct_make(NULL, "u64", "u64", 9);
		uint64_t keys[40], k = 0;
		for (int i = 0; i < 40; i++) {
			k = ct_key_in_bucket(m, k, i % 3 == 0, 1);
			keys[i] = k++;
		}
		for (int i = 0; i < 12; i++) /* B stays 1: at most 13 */
			ct_put(m, keys[i], i);
		for (int i = 11; i > 0; i--) {
			int j = (int)(ct_next(&s) % (uint64_t)(i + 1));
			uint64_t t = keys[i];
			keys[i] = keys[j];
			keys[j] = t;
		}
		for (int i = 0; i < 40; i++) {
			ct_del(m, keys[i]);
			CT_CHECK(m);
		}
		GM_EXPECT_EQ_U(gomap_len(m), 0);
		gomap_destroy(m);
	}
}

/* rule 35: the delete that empties the map draws a new hash0, and later
 * keys are placed with it. */
GM_TEST(delete__to_empty_renews_hash0)
{
	ct_env e;
	ct_env_init(&e, 7, 0);
	gomap *m = ct_make(&e, "u64", "u64", 0);
	GM_EXPECT_EQ_U(ct_hdr(m).hash0, (uint32_t)ct_wyrand_nth(7, 1));
	ct_put(m, 1, 10);
	ct_put(m, 2, 20);
	ct_del(m, 1);
	GM_EXPECT_EQ_U(ct_draws_since(m, 7), 1); /* not empty yet */
	ct_del(m, 2);
	GM_EXPECT_EQ_U(ct_draws_since(m, 7), 2);
	uint32_t h0 = (uint32_t)ct_wyrand_nth(7, 2);
	GM_EXPECT_EQ_U(ct_hdr(m).hash0, h0);
	ct_del(m, 2); /* empty: no draw */
	GM_EXPECT_EQ_U(ct_draws_since(m, 7), 2);
	ct_put(m, 1, 10);
	uint64_t h = gomap_memhash64(1, h0, GOMAP_DEFAULT_HASHKEY0);
	uint8_t top = (uint8_t)(h >> 56);
	GM_EXPECT_EQ_U(m->buckets[0], top < 5 ? top + 5 : top);
	gomap_destroy(m);

	/* the fast paths renew it too */
	const char *kinds[] = {"u32", "u64", "str"};
	for (int i = 0; i < 3; i++) {
		ct_env_init(&e, 11, 0);
		m = ct_make(&e, kinds[i], "u64", 0);
		void *el;
		gomap_str s = {(const uint8_t *)"x", 1};
		if (i == 0) {
			gomap_assign_fast32(m, 4, &el);
			gomap_delete_fast32(m, 4);
		} else if (i == 1) {
			gomap_assign_fast64(m, 4, &el);
			gomap_delete_fast64(m, 4);
		} else {
			gomap_assign_faststr(m, s, &el);
			gomap_delete_faststr(m, s);
		}
		GM_EXPECT_EQ_U(ct_draws_since(m, 11), 2);
		GM_EXPECT_EQ_U(ct_hdr(m).hash0, (uint32_t)ct_wyrand_nth(11, 2));
		gomap_destroy(m);
	}
}

/* rule 36: deleting everything keeps B and the arrays. */
GM_TEST(delete__all_keys_keeps_b)
{
	gomap *m = ct_make(NULL, "u64", "u64", 0);
	for (uint64_t k = 0; k < 200; k++)
		ct_put(m, k, k);
	for (uint64_t k = 0; k < 300 && ct_hdr(m).growing; k++)
		ct_put(m, k, k); /* finish the growth */
	uint8_t B = ct_hdr(m).B;
	GM_EXPECT_EQ_U(B, 5);
	uint32_t h0 = ct_hdr(m).hash0;
	for (uint64_t k = 0; k < 200; k++)
		ct_del(m, k);
	gomap_header_view h = ct_hdr(m);
	GM_EXPECT_EQ_U(h.B, 5);
	GM_EXPECT_EQ_U(h.count, 0);
	GM_EXPECT(h.hash0 != h0);
	GM_EXPECT_EQ_U(h.nbuckets_alloc, 37);
	CT_CHECK(m);
	gomap_destroy(m);
}

GM_TEST_MAIN()
