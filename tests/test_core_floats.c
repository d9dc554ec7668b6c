/* Section I of go-map-rules.md: +0/-0, NaN, key update for floats and
 * strings.  (The hash functions themselves, rules 62-64, are in
 * test_hash.c; the descriptor flags, rules 60-61, in test_types.c.) */
#include <math.h>
#include <string.h>

#include "support/core_helpers.h"
#include "map_internal.h"

/* rules 25, 58: -0 stored over +0 updates the key in place. */
GM_TEST(floats__negative_zero_updates_the_key_in_place)
{
	gomap *m = ct_make(NULL, "f64", "u64", 0);
	ct_put_f(m, 0.0, 1);
	ct_put_f(m, -0.0, 2);
	GM_EXPECT_EQ_U(gomap_len(m), 1);
	uint64_t v;
	GM_EXPECT(ct_get_f(m, 0.0, &v) && v == 2);
	GM_EXPECT(ct_dump_has(m, " 0:-0=2\n"));
	gomap_iter it;
	gomap_iter_init(m, &it);
	GM_EXPECT(it.key && signbit(*(const double *)it.key));
	gomap_iter_release(&it);
	ct_put_f(m, 0.0, 3);
	GM_EXPECT(ct_dump_has(m, " 0:0=3\n"));
	gomap_destroy(m);
}

/* rules 18, 52, 58 (Go: TestGrowWithNegativeZero): a +0 key replaced by
 * -0 during an iteration that a grow overtakes is returned as -0. */
GM_TEST(floats__negative_zero_survives_growth_under_iterator)
{
	for (uint64_t seed = 0; seed < 32; seed++) {
		ct_env e;
		ct_env_init(&e, seed, 0);
		gomap *m = ct_make(&e, "f64", "u64", 4);
		for (int i = 0; i < 16; i++)
			ct_put_f(m, (double)i, (uint64_t)i);
		bool seen[16] = {0}, grew = false;
		gomap_iter it;
		for (gomap_iter_init(m, &it); it.key; gomap_iter_next(&it)) {
			double k = *(const double *)it.key;
			if (grew && k == 0) /* returned after the update */
				GM_EXPECT(signbit(k));
			if (!grew) {
				ct_put_f(m, -0.0, 0); /* may already be seen */
				for (int i = 0; i < 100; i++)
					ct_put_f(m, 100.0 + i, 1);
				for (int i = 0; i < 100; i++)
					ct_del_f(m, 100.0 + i);
				grew = true;
			}
			GM_EXPECT(k >= 0 && k < 16 && k == floor(k));
			if (!(k >= 0 && k < 16))
				continue;
			GM_EXPECT(!seen[(int)k]);
			seen[(int)k] = true;
		}
		for (int i = 0; i < 16; i++)
			GM_EXPECT(seen[i]);
		/* after the growth, the stored key is -0 */
		gomap_iter_init(m, &it);
		for (; it.key; gomap_iter_next(&it))
			if (*(const double *)it.key == 0)
				GM_EXPECT(signbit(*(const double *)it.key));
		gomap_destroy(m);
	}
}

/* rule 59 (Go: TestMapAssignmentNan): every put of NaN adds an entry;
 * get and delete never find one; iteration returns them all. */
GM_TEST(floats__nan_is_never_found_but_always_added)
{
	gomap *m = ct_make(NULL, "f64", "u64", 0);
	ct_put_f(m, NAN, 3);
	ct_put_f(m, NAN, 4);
	uint64_t v;
	GM_EXPECT(!ct_get_f(m, NAN, &v));
	GM_EXPECT_EQ_U(gomap_len(m), 2);
	GM_EXPECT_EQ_U(ct_del_f(m, NAN), GOMAP_OK);
	GM_EXPECT_EQ_U(gomap_len(m), 2);
	uint64_t keys[4], vals[4];
	GM_EXPECT_EQ_U(ct_iter_all(m, keys, vals, 4), 2);
	GM_EXPECT_EQ_U(vals[0] + vals[1], 7);
	double k0;
	memcpy(&k0, &keys[0], 8);
	GM_EXPECT(isnan(k0));
	/* m[NaN] += 1 adds a fresh entry each time (TestMapOperatorAssignmentNan) */
	for (int i = 0; i < 3; i++) {
		void *el;
		double nan = NAN;
		GM_EXPECT_EQ_U(gomap_assign(m, &nan, &el), GOMAP_OK);
		GM_EXPECT_EQ_U(*(uint64_t *)el, 0);
		*(uint64_t *)el += 1;
	}
	GM_EXPECT_EQ_U(gomap_len(m), 5);
	CT_CHECK(m);
	gomap_destroy(m);
}

/* rules 25, 61: an update of a string key stores the new string header
 * (generic path by needkeyupdate, faststr always). */
GM_TEST(floats__string_update_stores_the_new_pointer)
{
	static const char buf1[] = "ab", buf2[] = "ab";
	gomap_str s1 = {(const uint8_t *)buf1, 2}, s2 = {(const uint8_t *)buf2, 2};
	for (int fast = 0; fast < 2; fast++) {
		gomap *m = ct_make(NULL, "str", "u64", 0);
		void *e;
		GM_EXPECT_EQ_U(fast ? gomap_assign_faststr(m, s1, &e)
		                    : gomap_assign(m, &s1, &e), GOMAP_OK);
		GM_EXPECT_EQ_U(fast ? gomap_assign_faststr(m, s2, &e)
		                    : gomap_assign(m, &s2, &e), GOMAP_OK);
		GM_EXPECT_EQ_U(gomap_len(m), 1);
		gomap_str stored;
		memcpy(&stored, gm_key_slot(&m->t, m->buckets, 0), sizeof stored);
		GM_EXPECT(stored.ptr == s2.ptr);
		gomap_destroy(m);
	}
	/* integer keys are not rewritten (needkeyupdate false) */
	gomap_type t = ct_type("u64", "u64");
	GM_EXPECT(!(t.key.flags & GOMAP_NEEDKEYUPDATE));
}

GM_TEST_MAIN()
