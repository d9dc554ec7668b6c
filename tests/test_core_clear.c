/* Section H of go-map-rules.md: mapclear, with Go 1.19's semantics for
 * iterators that are still running. */
#include <math.h>
#include <string.h>

#include "support/core_helpers.h"
#include "map_internal.h"

/* rule 55: B kept, count 0, no bucket listed, one draw for hash0, flags
 * kept, spares re-created; clearing an empty map changes nothing. */
GM_TEST(clear__keeps_b_and_flags_and_draws_once)
{
	ct_env e;
	ct_env_init(&e, 5, 0);
	gomap *m = ct_make(&e, "u64", "u64", 0);
	for (uint64_t k = 0; k < 40; k++)
		ct_put(m, k, k);
	ct_iter_all(m, NULL, NULL, 0);
	for (uint64_t k = 40; k < 52; k++) /* B=3, iterator flags set */
		ct_put(m, k, k);
	GM_EXPECT_EQ_U(ct_hdr(m).B, 3);
	long before = ct_draws_since(m, 5);
	uint8_t flags = ct_hdr(m).flags & (GM_ITERATOR | GM_OLD_ITERATOR);
	GM_EXPECT_EQ_U(gomap_clear(m), GOMAP_OK);
	gomap_header_view h = ct_hdr(m);
	GM_EXPECT_EQ_U(ct_draws_since(m, 5), before + 1);
	GM_EXPECT_EQ_U(h.hash0, (uint32_t)ct_wyrand_nth(5, before + 1));
	GM_EXPECT_EQ_U(h.B, 3);
	GM_EXPECT_EQ_U(h.count, 0);
	GM_EXPECT_EQ_U(h.flags, flags);
	GM_EXPECT(!h.growing);
	GM_EXPECT_EQ_U(h.noverflow, 0);
	char *d = ct_dump(m);
	GM_EXPECT(strstr(d, "new[") == NULL);
	free(d);
	CT_CHECK(m);
	d = ct_dump(m);
	GM_EXPECT_EQ_U(gomap_clear(m), GOMAP_OK); /* empty: nothing at all */
	CT_EXPECT_DUMP(m, d);
	free(d);
	gomap_destroy(m);
}

/* rule 55: spares and their sentinel come back; heap overflow buckets
 * are dropped; a growth in progress is abandoned. */
GM_TEST(clear__resets_spares_and_drops_growth)
{
	ct_env e;
	ct_env_init(&e, 5, CT_HOOK_ALLOC);
	gomap *m = ct_make(&e, "u64", "u64", 100);
	uint64_t k = 0;
	for (int i = 0; i < 30; i++) { /* 2 spares and a heap bucket */
		k = ct_key_in_bucket(m, k, 2, 4);
		ct_put(m, k++, 0);
	}
	GM_EXPECT(ct_dump_has(m, "spare next=none prealloc=2"));
	gomap_clear(m);
	GM_EXPECT(ct_dump_has(m, "spare next=16 prealloc=2"));
	gomap_memstats ms;
	gomap_memstats_get(m, &ms);
	GM_EXPECT_EQ_U(ms.heap_overflow, 0);
	CT_CHECK(m);
	for (uint64_t j = 0; j < 110; j++) /* grows to B=5 */
		ct_put(m, j, j);
	GM_EXPECT(ct_hdr(m).growing);
	gomap_clear(m);
	gomap_header_view h = ct_hdr(m);
	GM_EXPECT(!h.growing && h.B == 5 && h.nevacuate == 0);
	gomap_memstats_get(m, &ms);
	GM_EXPECT_EQ_U(ms.bucket_arrays, 1);
	CT_CHECK(m);
	/* and the map works afterwards (Go: TestIncrementAfterBulkClear...) */
	GM_EXPECT_EQ_U(ct_put(m, 7, 1), GOMAP_OK);
	uint64_t v;
	GM_EXPECT(ct_get(m, 7, &v) && v == 1);
	gomap_destroy(m);
	GM_EXPECT_EQ_U(e.alloc.live_blocks, 0);
}

/* rule 56: clear(m) removes NaN keys too. */
GM_TEST(clear__removes_nan_keys)
{
	gomap *m = ct_make(NULL, "f64", "u64", 0);
	for (int i = 0; i < 20; i++)
		ct_put_f(m, NAN, (uint64_t)i);
	ct_put_f(m, 2.5, 1);
	GM_EXPECT_EQ_U(gomap_len(m), 21);
	gomap_clear(m);
	GM_EXPECT_EQ_U(gomap_len(m), 0);
	GM_EXPECT_EQ_U(ct_iter_all(m, NULL, NULL, 0), 0);
	CT_CHECK(m);
	gomap_destroy(m);
}

/* rule 57, Go 1.19: an iterator over an array that became the old array
 * keeps returning that array's unevacuated entries after a clear; its
 * evacuated entries are looked up, missing, and skipped.  An iterator over
 * the current array finds nothing more. */
GM_TEST(clear__during_iteration_keeps_old_array_entries_go119)
{
	ct_env e;
	ct_env_init(&e, 1, CT_HOOK_RAND | CT_HOOK_ALLOC);
	gomap *m = ct_make(&e, "u64", "u64", 0);
	for (uint64_t k = 0; k < 26; k++) /* B=2, full */
		ct_put(m, k, k);
	uint64_t r = 0; /* start at bucket 0, offset 0 */
	ct_rand_script(&e, &r, 1, false);
	gomap_iter it;
	gomap_iter_init(m, &it);
	GM_EXPECT(it.key != NULL);
	uint64_t first;
	memcpy(&first, it.key, 8);
	GM_EXPECT_EQ_U(ct_hash_u64(m, first) & 3, 0);
	ct_put(m, 26, 26); /* grows to B=3, evacuates 26's bucket and old[0] */
	GM_EXPECT(ct_hdr(m).growing);
	/* expected after the clear: live keys of unevacuated old chains */
	bool expect[27] = {0};
	int nexpect = 0;
	for (uintptr_t i = 0; i < 4; i++) {
		uint8_t *b = gm_bucket_at(&m->t, m->oldbuckets, i);
		if (gm_evacuated(b))
			continue;
		for (; b; b = gm_overflow(&m->t, b))
			for (int s = 0; s < 8; s++)
				if (b[s] >= GM_MIN_TOPHASH) {
					uint64_t k;
					memcpy(&k, gm_key_slot(&m->t, b, s), 8);
					expect[k] = true;
					nexpect++;
				}
	}
	GM_EXPECT(nexpect > 0 && nexpect < 26);
	GM_EXPECT_EQ_U(gomap_clear(m), GOMAP_OK);
	int got = 0;
	for (gomap_iter_next(&it); it.key; gomap_iter_next(&it)) {
		uint64_t k;
		memcpy(&k, it.key, 8);
		GM_EXPECT(k < 27 && expect[k]);
		if (k < 27 && expect[k]) {
			expect[k] = false;
			got++;
		}
	}
	GM_EXPECT_EQ_U(got, nexpect);
	CT_CHECK(m);

	/* an iterator over the current array stops at once */
	for (uint64_t k = 0; k < 10; k++)
		ct_put(m, k, k);
	gomap_iter_init(m, &it);
	GM_EXPECT(it.key != NULL);
	gomap_clear(m);
	gomap_iter_next(&it);
	GM_EXPECT(it.key == NULL);
	gomap_destroy(m);
	GM_EXPECT_EQ_U(e.alloc.live_blocks, 0);
}

/* rule 55 with indirect keys and elems (rule 7): clearing or destroying a
 * map in the middle of a growth frees each key and elem object once,
 * those still in unevacuated old chains included (evacuated old slots
 * only hold copies of pointers the new array owns). */
GM_TEST(clear__mid_growth_frees_each_indirect_object_once)
{
	for (int destroy = 0; destroy < 2; destroy++) {
		ct_env e;
		ct_env_init(&e, 3, CT_HOOK_ALLOC);
		gomap *m = ct_make(&e, "bytes129", "bytes200", 0);
		uint8_t key[129] = {0};
		int n = 0;
		while (!ct_hdr(m).growing || ct_hdr(m).nevacuate == 0) {
			memcpy(key, &n, sizeof n);
			void *el;
			GM_EXPECT_EQ_U(gomap_assign(m, key, &el), GOMAP_OK);
			n++;
		}
		GM_EXPECT(n > 20); /* B >= 2: the growth spans several writes */
		gomap_memstats ms;
		gomap_memstats_get(m, &ms);
		GM_EXPECT_EQ_U(ms.indirect_objects, 2 * (size_t)n);
		if (destroy) {
			gomap_destroy(m);
		} else {
			GM_EXPECT_EQ_U(gomap_clear(m), GOMAP_OK);
			gomap_memstats_get(m, &ms);
			GM_EXPECT_EQ_U(ms.indirect_objects, 0);
			GM_EXPECT(!ct_hdr(m).growing);
			CT_CHECK(m);
			gomap_destroy(m);
		}
		GM_EXPECT_EQ_U(e.alloc.live_blocks, 0);
	}
}

GM_TEST_MAIN()
