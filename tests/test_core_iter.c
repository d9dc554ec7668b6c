/* Section G of go-map-rules.md: mapiterinit / mapiternext. */
#include <math.h>
#include <string.h>

#include "support/core_helpers.h"
#include "map_internal.h"

/* Go's TestMapNanGrowIterator: 104 NaN keys fill 16 buckets; a grow
 * starts; halfway through an iteration the grow is finished by deletes;
 * every NaN's value is seen exactly once (rules 41, 51, 52). */
GM_TEST(iter__nan_keys_once_each_across_growth)
{
	gomap *m = ct_make(NULL, "f64", "u64", 0);
	const int nkeys = 16 * 13 / 2;
	for (int i = 0; i < nkeys; i++)
		GM_EXPECT_EQ_U(ct_put_f(m, NAN, (uint64_t)i), GOMAP_OK);
	ct_put_f(m, 1.0, 1000); /* trigger the grow */
	ct_del_f(m, 1.0);
	GM_EXPECT(ct_hdr(m).growing);
	static bool found[104];
	memset(found, 0, sizeof found);
	int nfound = 0;
	gomap_iter it;
	for (gomap_iter_init(m, &it); it.key; gomap_iter_next(&it)) {
		uint64_t v;
		memcpy(&v, it.elem, 8);
		GM_EXPECT(isnan(*(const double *)it.key));
		GM_EXPECT(v < (uint64_t)nkeys);
		if (v >= (uint64_t)nkeys)
			continue;
		GM_EXPECT(!found[v]);
		if (!found[v])
			nfound++;
		found[v] = true;
		if (nfound > nkeys / 2) /* finish the grow */
			for (int i = 0; i < 16; i++)
				ct_del_f(m, 1.0);
	}
	GM_EXPECT(!ct_hdr(m).growing);
	GM_EXPECT_EQ_U(nfound, nkeys);
	CT_CHECK(m);
	gomap_destroy(m);
}

/* The same with 100 NaNs, iterating once (setting iterator) before the
 * grow, as rule 41's test puts it. */
GM_TEST(iter__nan_keys_once_each_after_iterator_then_grow)
{
	gomap *m = ct_make(NULL, "f64", "u64", 0);
	for (int i = 0; i < 100; i++)
		ct_put_f(m, NAN, (uint64_t)i);
	GM_EXPECT_EQ_U(ct_iter_all(m, NULL, NULL, 0), 100);
	for (int i = 0; i < 60; i++)
		ct_put_f(m, NAN, (uint64_t)(100 + i)); /* grows from B=4 */
	GM_EXPECT(ct_hdr(m).B == 5);
	static uint64_t vals[200];
	size_t n = ct_iter_all(m, NULL, vals, 200);
	GM_EXPECT_EQ_U(n, 160);
	static bool seen[160];
	memset(seen, 0, sizeof seen);
	for (size_t i = 0; i < n && i < 200; i++) {
		GM_EXPECT(vals[i] < 160 && !seen[vals[i]]);
		if (vals[i] < 160)
			seen[vals[i]] = true;
	}
	gomap_destroy(m);
}

/* rule 51: an iteration started mid-growth (27 keys) returns each key
 * once, whatever the start bucket. */
GM_TEST(iter__started_mid_growth_returns_each_key_once)
{
	for (uint64_t seed = 0; seed < 64; seed++) {
		ct_env e;
		ct_env_init(&e, seed, 0);
		gomap *m = ct_make(&e, "u64", "u64", 0);
		for (uint64_t k = 0; k < 27; k++)
			ct_put(m, k, k + 1);
		GM_EXPECT(ct_hdr(m).growing);
		uint64_t keys[40], vals[40];
		size_t n = ct_iter_all(m, keys, vals, 40);
		GM_EXPECT_EQ_U(n, 27);
		bool seen[27] = {0};
		for (size_t i = 0; i < n && i < 40; i++) {
			GM_EXPECT(keys[i] < 27 && !seen[keys[i]]);
			GM_EXPECT_EQ_U(vals[i], keys[i] + 1);
			if (keys[i] < 27)
				seen[keys[i]] = true;
		}
		gomap_destroy(m);
	}
}

/* rules 52, 53: writes between steps, a growth starting under the
 * iterator: no key twice, keys present throughout seen once, deleted
 * ones seen only if seen before their delete, values current. */
GM_TEST(iter__mutation_and_growth_under_iterator)
{
	for (uint64_t seed = 1; seed <= 200; seed++) {
		ct_env e;
		ct_env_init(&e, seed, 0);
		gomap *m = ct_make(&e, "u64", "u64", 0);
		uint64_t s = seed;
		enum { K = 96 };
		uint64_t val[K];
		bool present[K] = {0}, throughout[K] = {0}, seen[K] = {0};
		int nstart = (int)(ct_next(&s) % 60) + 1;
		for (int i = 0; i < nstart; i++) {
			uint64_t k = ct_next(&s) % 48;
			val[k] = ct_next(&s);
			present[k] = throughout[k] = true;
			ct_put(m, k, val[k]);
		}
		gomap_iter it;
		for (gomap_iter_init(m, &it); it.key; gomap_iter_next(&it)) {
			uint64_t k, v;
			memcpy(&k, it.key, 8);
			memcpy(&v, it.elem, 8);
			GM_EXPECT(k < K && present[k] && !seen[k]);
			if (k >= K)
				break;
			GM_EXPECT_EQ_U(v, val[k]);
			seen[k] = true;
			for (int w = (int)(ct_next(&s) % 4); w > 0; w--) {
				uint64_t q = ct_next(&s) % K, r = ct_next(&s) % 3;
				if (r == 0) {
					ct_del(m, q);
					present[q] = throughout[q] = false;
				} else {
					val[q] = ct_next(&s);
					present[q] = true;
					ct_put(m, q, val[q]);
				}
			}
		}
		for (int k = 0; k < K; k++)
			if (throughout[k] && !seen[k]) {
				fprintf(stderr, "seed %llu: key %d not seen\n",
				        (unsigned long long)seed, k);
				GM_EXPECT(seen[k]);
			}
		CT_CHECK(m);
		gomap_destroy(m);
	}
}

/* rules 48, 49: r = one draw; start bucket r & mask, slot offset
 * (r >> B) & 7; buckets in order with wrap, slots rotated by offset. */
GM_TEST(iter__raw_order_follows_start_bucket_and_offset)
{
	ct_env e;
	ct_env_init(&e, 1, CT_HOOK_RAND);
	gomap *m = ct_make(&e, "u64", "u64", 0);
	for (uint64_t k = 0; k < 5; k++)
		ct_put(m, k, k);
	uint64_t slotkey[8];
	for (int s = 0; s < 5; s++)
		memcpy(&slotkey[s], gm_key_slot(&m->t, m->buckets, s), 8);
	uint64_t r = 3;
	ct_rand_script(&e, &r, 1, false);
	uint64_t keys[8];
	GM_EXPECT_EQ_U(ct_iter_all(m, keys, NULL, 8), 5);
	static const int order[5] = {3, 4, 0, 1, 2};
	for (int i = 0; i < 5; i++)
		GM_EXPECT_EQ_U(keys[i], slotkey[order[i]]);
	gomap_destroy(m);

	/* B=3 with overflow chains: the order walked by hand */
	ct_env_init(&e, 1, CT_HOOK_RAND);
	m = ct_make(&e, "u64", "u64", 40);
	GM_EXPECT_EQ_U(ct_hdr(m).B, 3);
	uint64_t k = 0;
	for (int i = 0; i < 12; i++) { /* bucket 6 overflows */
		k = ct_key_in_bucket(m, k, 6, 3);
		ct_put(m, k++, 0);
	}
	for (uint64_t j = 1000; j < 1025; j++)
		ct_put(m, j, 0);
	for (uint64_t rr = 0; rr < 64; rr++) {
		r = rr * 0x9e3779b97f4a7c15u;
		uintptr_t start = r & 7;
		unsigned off = (unsigned)((r >> 3) & 7);
		uint64_t expect[64];
		size_t n = 0;
		for (uintptr_t bi = 0; bi < 8; bi++) {
			uint8_t *b = gm_bucket_at(&m->t, m->buckets, (start + bi) & 7);
			for (; b; b = gm_overflow(&m->t, b))
				for (unsigned i = 0; i < 8; i++) {
					unsigned s = (i + off) & 7;
					if (b[s] >= GM_MIN_TOPHASH)
						memcpy(&expect[n++], gm_key_slot(&m->t, b, s), 8);
				}
		}
		ct_rand_script(&e, &r, 1, false);
		uint64_t got[64];
		GM_EXPECT_EQ_U(ct_iter_all(m, got, NULL, 64), n);
		GM_EXPECT(memcmp(got, expect, n * 8) == 0);
	}
	gomap_destroy(m);
}

/* rule 54: iterator flags are never cleared by the iteration's end; a
 * grow moves them down; a second grow drops them. */
GM_TEST(iter__flags_lifetime_in_dump)
{
	gomap *m = ct_make(NULL, "u64", "u64", 0);
	for (uint64_t k = 0; k < 5; k++)
		ct_put(m, k, k);
	ct_iter_all(m, NULL, NULL, 0);
	GM_EXPECT(ct_dump_has(m, " flags=0x03(iterator|oldIterator) "));
	for (uint64_t k = 5; k < 9; k++) /* 9th grows B 0 -> 1 */
		ct_put(m, k, k);
	GM_EXPECT(ct_dump_has(m, " flags=0x02(oldIterator) B=1 "));
	for (uint64_t k = 9; k < 14; k++) /* 14th grows B 1 -> 2 */
		ct_put(m, k, k);
	GM_EXPECT(ct_dump_has(m, " flags=0x00(-) B=2 "));
	/* clear leaves them */
	ct_iter_all(m, NULL, NULL, 0);
	gomap_clear(m);
	GM_EXPECT(ct_dump_has(m, " flags=0x03(iterator|oldIterator) "));
	gomap_destroy(m);
}

/* A released iteration frees what it kept alive; a finished one too. */
GM_TEST(iter__release_flushes_retired_memory)
{
	ct_env e;
	ct_env_init(&e, 2, CT_HOOK_ALLOC);
	gomap *m = ct_make(&e, "u64", "u64", 0);
	for (uint64_t k = 0; k < 8; k++)
		ct_put(m, k, k);
	gomap_iter it;
	gomap_iter_init(m, &it);
	GM_EXPECT(it.key != NULL);
	ct_put(m, 100, 1); /* grow: the old array is retired, not freed */
	gomap_memstats ms;
	gomap_memstats_get(m, &ms);
	GM_EXPECT(ms.retired_bytes > 0);
	GM_EXPECT_EQ_U(ct_hdr(m).live_iterators, 1);
	gomap_iter_release(&it);
	gomap_memstats_get(m, &ms);
	GM_EXPECT_EQ_U(ms.retired_bytes, 0);
	GM_EXPECT_EQ_U(ct_hdr(m).live_iterators, 0);
	gomap_destroy(m);
	GM_EXPECT_EQ_U(e.alloc.live_blocks, 0);
}

/* An iterator that has ended, been released, or never started (an empty
 * map) stays ended: each further step yields no entry. */
GM_TEST(iter__steps_after_the_end_yield_nothing)
{
	gomap *m = ct_make(NULL, "u64", "u64", 0);
	gomap_iter it;
	gomap_iter_init(m, &it); /* empty: nothing to start */
	GM_EXPECT(it.key == NULL);
	gomap_iter_next(&it);
	GM_EXPECT(it.key == NULL && it.elem == NULL);
	ct_put(m, 1, 1);
	gomap_iter_init(m, &it);
	GM_EXPECT(it.key != NULL);
	gomap_iter_next(&it);
	GM_EXPECT(it.key == NULL);
	gomap_iter_next(&it);
	GM_EXPECT(it.key == NULL && it.elem == NULL);
	gomap_iter_init(m, &it);
	gomap_iter_release(&it);
	gomap_iter_next(&it);
	GM_EXPECT(it.key == NULL);
	GM_EXPECT_EQ_U(ct_hdr(m).live_iterators, 0);
	gomap_destroy(m);
}

GM_TEST_MAIN()
