/* Section L of go-map-rules.md (rule 70): every random draw the map
 * makes, counted through a hooked random source. */
#include <math.h>
#include <string.h>

#include "support/core_helpers.h"
#include "map_internal.h"

#define DRAWS(e) ((e)->rand.draws)

GM_TEST(random__draws_per_operation)
{
	ct_env e;
	ct_env_init(&e, 9, CT_HOOK_RAND);
	gomap *m = ct_make(&e, "u64", "u64", 0);
	GM_EXPECT_EQ_U(DRAWS(&e), 1); /* make: hash0 */
	gomap_destroy(m);
	ct_env_init(&e, 9, CT_HOOK_RAND);
	m = ct_make(&e, "u64", "u64", 1000);
	GM_EXPECT_EQ_U(DRAWS(&e), 1); /* makemap with buckets: still one */

	long d = DRAWS(&e);
	GM_EXPECT_EQ_U(ct_iter_all(m, NULL, NULL, 0), 0);
	GM_EXPECT_EQ_U(DRAWS(&e), d); /* iter of an empty map: none */
	GM_EXPECT_EQ_U(gomap_clear(m), GOMAP_OK);
	GM_EXPECT_EQ_U(DRAWS(&e), d); /* clear of an empty map: none */
	GM_EXPECT_EQ_U(ct_del(m, 1), GOMAP_OK);
	GM_EXPECT_EQ_U(DRAWS(&e), d); /* delete on an empty map: none */
	for (uint64_t k = 0; k < 50; k++)
		ct_put(m, k, k);
	ct_get(m, 3, NULL);
	ct_del(m, 3);
	GM_EXPECT_EQ_U(DRAWS(&e), d); /* puts, gets, deletes: none */
	ct_iter_all(m, NULL, NULL, 0);
	GM_EXPECT_EQ_U(DRAWS(&e), d + 1); /* iter of a non-empty map: one */
	gomap_iter it;
	gomap_iter_init(m, &it); /* a started iteration draws once too */
	gomap_iter_release(&it);
	GM_EXPECT_EQ_U(DRAWS(&e), d + 2);
	gomap_clear(m);
	GM_EXPECT_EQ_U(DRAWS(&e), d + 3); /* clear of a non-empty map: one */
	ct_put(m, 1, 1);
	ct_put(m, 2, 2);
	ct_del(m, 1);
	GM_EXPECT_EQ_U(DRAWS(&e), d + 3);
	ct_del(m, 2);
	GM_EXPECT_EQ_U(DRAWS(&e), d + 4); /* delete to empty: one */
	gomap_destroy(m);
}

/* Each hash of a NaN draws once: put, get, delete, and evacuation. */
GM_TEST(random__one_draw_per_nan_hash)
{
	ct_env e;
	ct_env_init(&e, 3, CT_HOOK_RAND);
	gomap *m = ct_make(&e, "f64", "u64", 0);
	long d = DRAWS(&e);
	ct_put_f(m, 1.5, 1);
	ct_get_f(m, 1.5, NULL);
	GM_EXPECT_EQ_U(DRAWS(&e), d);
	ct_put_f(m, NAN, 1);
	GM_EXPECT_EQ_U(DRAWS(&e), d + 1);
	ct_get_f(m, NAN, NULL);
	GM_EXPECT_EQ_U(DRAWS(&e), d + 2);
	ct_del_f(m, NAN);
	GM_EXPECT_EQ_U(DRAWS(&e), d + 3);
	/* 6 more NaNs: 8 entries, no growth yet */
	for (int i = 0; i < 6; i++)
		ct_put_f(m, NAN, 1);
	GM_EXPECT_EQ_U(DRAWS(&e), d + 9);
	GM_EXPECT_EQ_U(ct_hdr(m).B, 0);
	/* the 9th key (not NaN) grows B 0 -> 1: 7 NaNs rehashed on evacuation */
	ct_put_f(m, 2.5, 1);
	GM_EXPECT_EQ_U(ct_hdr(m).B, 1);
	GM_EXPECT_EQ_U(DRAWS(&e), d + 9 + 7);
	/* gomap_check recognises NaNs without drawing */
	CT_CHECK(m);
	GM_EXPECT_EQ_U(DRAWS(&e), d + 16);
	gomap_destroy(m);
}

/* The default generator: its state after an op is the dump's rand=, and
 * the same counts hold (make 1, delete-to-empty 1). */
GM_TEST(random__default_generator_state_in_dump)
{
	ct_env e;
	ct_env_init(&e, 7, 0);
	gomap *m = ct_make(&e, "u64", "u64", 0);
	ct_put(m, 1, 10);
	ct_del(m, 1);
	ct_put(m, 1, 10);
	char want[64];
	snprintf(want, sizeof want, " rand=0x%016llx\n",
	         (unsigned long long)ct_wyrand_state(7, 2));
	GM_EXPECT(ct_dump_has(m, want));
	gomap_destroy(m);
}

/* rules 47, 70: at B >= 16 each new overflow bucket draws once, and
 * noverflow counts it only when fastrand() & (2^(B-15)-1) == 0. */
GM_TEST(random__overflow_counting_at_b16_draws_once_each)
{
	for (int script = 0; script < 2; script++) {
		ct_env e;
		ct_env_init(&e, 5, CT_HOOK_RAND);
		gomap *m = ct_make(&e, "u64", "u8", 13 << 15); /* B=16 */
		GM_EXPECT_EQ_U(ct_hdr(m).B, 16);
		uint64_t v = (uint64_t)script; /* 0: counted, 1: not */
		ct_rand_script(&e, &v, 1, true);
		long d = DRAWS(&e);
		uint64_t k = 0;
		for (int i = 0; i < 17; i++) { /* two overflow buckets */
			k = ct_key_in_bucket(m, k, 0, 16);
			ct_put(m, k++, 1);
		}
		GM_EXPECT_EQ_U(DRAWS(&e), d + 2);
		GM_EXPECT_EQ_U(ct_hdr(m).noverflow, script ? 0 : 2);
		gomap_destroy(m);
	}
}

GM_TEST_MAIN()
