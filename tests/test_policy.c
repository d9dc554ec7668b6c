/* The policy invariants P1..P6 (docs/design.md, "Policy invariants";
 * oracle/policy.c).  Each rule is broken once, the way a port that is
 * consistent but not Go would break it, and its check must fire with its
 * own id; the unbroken core must pass every rule through long random runs,
 * NaN keys and B >= 16 included. */
#include <math.h>
#include <string.h>

#include "support/core_helpers.h"
#include "map_internal.h"
#include "policy.h"

typedef struct checked {
	gomap *m;
	orc_policy pol;
	orc_policy_op op;
	orc_policy_finding f;
} checked;

static void begin(checked *c, enum orc_policy_kind kind, uint64_t k)
{
	if (orc_policy_begin(&c->op, c->m, kind, false))
		orc_policy_plan(&c->op, c->m, ct_hash_u64(c->m, k));
}

static bool end(checked *c)
{
	return orc_policy_end(&c->pol, &c->op, c->m, &c->f);
}

/* The check that fired, or "" when every rule held. */
static const char *fired(checked *c)
{
	return end(c) ? "" : c->f.check;
}

static void put(checked *c, uint64_t k)
{
	begin(c, ORC_POLICY_ASSIGN, k);
	GM_EXPECT_EQ_U(ct_put(c->m, k, k), GOMAP_OK);
	GM_EXPECT_STR(fired(c), "");
}

static void fill(checked *c, uint64_t from, uint64_t n)
{
	for (uint64_t k = from; k < from + n; k++)
		put(c, k);
}

static checked make_u64(int64_t hint)
{
	checked c = {.m = ct_make(NULL, "u64", "u64", hint)};
	c.pol.synced = true;
	return c;
}

/* Fills until a doubling growth is under way with at least 16 old
 * buckets. */
static checked make_growing(void)
{
	checked c = make_u64(0);
	fill(&c, 0, 104); /* B=4, full to the load factor */
	put(&c, 1000);    /* starts B=4 -> B=5 */
	GM_EXPECT(ct_hdr(c.m).growing);
	return c;
}

/* ---- the unbroken core passes ------------------------------------------ */

GM_TEST(policy__every_rule_holds_through_random_operations)
{
	checked c = make_u64(0);
	uint64_t s = 7;
	for (int i = 0; i < 60000 && gm_test_failures == 0; i++) {
		uint64_t r = ct_next(&s), k = r % 3000;
		switch ((r >> 32) % 16) {
		case 0: /* emptying deletes and clears reseed */
			begin(&c, ORC_POLICY_CLEAR, 0);
			GM_EXPECT_EQ_U(gomap_clear(c.m), GOMAP_OK);
			break;
		case 1: case 2: case 3: case 4: case 5:
			begin(&c, ORC_POLICY_DELETE, k);
			GM_EXPECT_EQ_U(ct_del(c.m, k), GOMAP_OK);
			break;
		case 6: {
			begin(&c, ORC_POLICY_READ, k);
			uint64_t v;
			(void)ct_get(c.m, k, &v);
			break;
		}
		case 7: {
			gomap_iter it;
			begin(&c, ORC_POLICY_ITER_START, 0);
			gomap_iter_init(c.m, &it);
			gomap_iter_release(&it);
			break;
		}
		default:
			begin(&c, ORC_POLICY_ASSIGN, k);
			GM_EXPECT_EQ_U(ct_put(c.m, k, r), GOMAP_OK);
		}
		GM_EXPECT_STR(fired(&c), "");
		if (i % 97 == 0)
			GM_EXPECT(orc_policy_audit(&c.pol, c.m, &c.f));
	}
	gomap_destroy(c.m);
}

/* NaN keys hash with the operation's first draw, and a doubling growth
 * draws again for each NaN it moves: the plan and the draw count must
 * follow both. */
GM_TEST(policy__nan_keys_follow_every_rule)
{
	checked c = {.m = ct_make(NULL, "f64", "u64", 0), .pol = {.synced = true}};
	for (int i = 0; i < 3000 && gm_test_failures == 0; i++) {
		bool nan = i % 3 == 0;
		double k = nan ? NAN : (double)(i % 700);
		gomap_header_view h = ct_hdr(c.m);
		const gomap_keytype *kt = &gomap_type_of(c.m)->key;
		uint64_t hash = 0;
		if (nan)
			GM_EXPECT(orc_policy_hash_next(kt, &k, c.m, &hash));
		else
			hash = gomap_f64hash(k, h.hash0, h.hashkey0, c.m);
		bool del = i % 5 == 4;
		if (orc_policy_begin(&c.op, c.m,
		                     del ? ORC_POLICY_DELETE : ORC_POLICY_ASSIGN, nan))
			orc_policy_plan(&c.op, c.m, hash);
		GM_EXPECT_EQ_U(del ? ct_del_f(c.m, k) : ct_put_f(c.m, k, 1),
		               GOMAP_OK);
		if (nan && !del)
			c.pol.nan_live++; /* the caller counts NaN inserts */
		GM_EXPECT_STR(fired(&c), "");
		GM_EXPECT(orc_policy_audit(&c.pol, c.m, &c.f));
	}
	gomap_destroy(c.m);
}

/* The core's answer the evacuation checks read: false outside a growth
 * and past the old array, as well as for a bucket not yet moved. */
GM_TEST(policy__old_bucket_evacuated_only_inside_a_growth)
{
	checked c = make_u64(0);
	GM_EXPECT(!gomap_old_bucket_evacuated(NULL, 0));
	GM_EXPECT(!gomap_old_bucket_evacuated(c.m, 0)); /* not growing */
	gomap_destroy(c.m);
	c = make_growing(); /* 16 old buckets; the insert evacuated two */
	uintptr_t nold = gm_noldbuckets(c.m), moved = 0;
	for (uintptr_t i = 0; i < nold; i++)
		moved += gomap_old_bucket_evacuated(c.m, i);
	GM_EXPECT_EQ_U(moved, 2);
	GM_EXPECT(!gomap_old_bucket_evacuated(c.m, nold));
	gomap_destroy(c.m);
}

/* ---- P1 growth start ---------------------------------------------------- */

GM_TEST(policy__grow_fires_on_a_growth_one_insert_early)
{
	checked c = make_u64(0);
	fill(&c, 0, 51); /* B=3 holds up to 52 */
	begin(&c, ORC_POLICY_ASSIGN, 51);
	GM_EXPECT_EQ_U(ct_put(c.m, 51, 1), GOMAP_OK);
	/* a core that grows here, one insert before Go does */
	size_t nalloc;
	uint8_t *a = gm_alloc_grow_array(c.m, (uint8_t)(c.m->B + 1), &nalloc);
	gm_hash_grow(c.m, a, nalloc);
	GM_EXPECT_STR(fired(&c), "policy.grow");
	gomap_destroy(c.m);
}

/* n keys in, then the insert of key n, which grows nothing in the real
 * core, checked against a `before` the core is said to have seen: where
 * Go's rules then say a growth starts, policy.grow must fire. */
static const char *insert_seen_as(uint64_t n, uint8_t B, uint16_t noverflow)
{
	checked c = make_u64(0);
	fill(&c, 0, n);
	begin(&c, ORC_POLICY_ASSIGN, n);
	c.op.before.B = B;
	c.op.before.noverflow = noverflow;
	GM_EXPECT_EQ_U(ct_put(c.m, n, 1), GOMAP_OK);
	GM_EXPECT(!ct_hdr(c.m).growing);
	const char *check = fired(&c);
	gomap_destroy(c.m);
	return check;
}

GM_TEST(policy__grow_fires_when_the_insert_over_the_load_factor_does_not_grow)
{
	/* the core saw 41 keys in 4 buckets, and went on */
	GM_EXPECT_STR(insert_seen_as(40, 2, 0), "policy.grow");
	GM_EXPECT_STR(insert_seen_as(40, 3, 0), "");
}

GM_TEST(policy__grow_fires_when_too_many_overflow_buckets_start_nothing)
{
	/* 8 overflow buckets for 8 buckets */
	GM_EXPECT_STR(insert_seen_as(20, 3, 8), "policy.grow");
	GM_EXPECT_STR(insert_seen_as(20, 3, 7), "");
}

/* ---- P2 hint ---------------------------------------------------------- */

GM_TEST(policy__hint_gives_go_s_B_and_fires_on_another)
{
	static const int64_t hints[] = {-5, 0, 8, 9, 13, 14, 26, 27, 52, 53,
	                                100, 105, 1000, 100000, INT64_MAX};
	for (size_t i = 0; i < sizeof hints / sizeof *hints; i++) {
		gomap *m = ct_make(NULL, "u64", "u64", hints[i]);
		orc_policy_finding f;
		GM_EXPECT(orc_policy_make(m, hints[i], m->t.bucketsize, 0, &f));
		gomap_destroy(m);
	}
	GM_EXPECT_EQ_U(orc_policy_hint_B(8, 144), 0);
	GM_EXPECT_EQ_U(orc_policy_hint_B(9, 144), 1);
	GM_EXPECT_EQ_U(orc_policy_hint_B(104, 144), 4);
	GM_EXPECT_EQ_U(orc_policy_hint_B(105, 144), 5);
	gomap *m = ct_make(NULL, "u64", "u64", 100); /* B=4 */
	orc_policy_finding f;
	GM_EXPECT(!orc_policy_make(m, 200, m->t.bucketsize, 0, &f));
	GM_EXPECT_STR(f.check, "policy.hint");
	gomap_destroy(m);
}

/* ---- P3 evacuation -------------------------------------------------------- */

GM_TEST(policy__evacuate_fires_when_a_write_moves_more_than_growwork)
{
	checked c = make_growing();
	begin(&c, ORC_POLICY_ASSIGN, 5);
	GM_EXPECT_EQ_U(ct_put(c.m, 5, 2), GOMAP_OK);
	gm_grow_work(c.m, 9); /* a core that runs growWork twice */
	GM_EXPECT_STR(fired(&c), "policy.evacuate");
	gomap_destroy(c.m);
}

GM_TEST(policy__evacuate_fires_when_nevacuate_stops_short)
{
	checked c = make_growing();
	begin(&c, ORC_POLICY_ASSIGN, 5);
	GM_EXPECT_EQ_U(ct_put(c.m, 5, 2), GOMAP_OK);
	c.m->nevacuate--; /* does not step past the bucket it finished */
	GM_EXPECT_STR(fired(&c), "policy.evacuate");
	gomap_destroy(c.m);
}

GM_TEST(policy__audit_fires_on_an_evacuation_no_write_asked_for)
{
	checked c = make_growing();
	GM_EXPECT(orc_policy_audit(&c.pol, c.m, &c.f));
	uintptr_t far = gm_noldbuckets(c.m) - 1;
	gm_grow_work(c.m, far); /* evacuates `far` and nevacuate's bucket */
	GM_EXPECT(!orc_policy_audit(&c.pol, c.m, &c.f));
	GM_EXPECT_STR(c.f.check, "policy.evacuate");
	gomap_destroy(c.m);
}

/* ---- P4 seed, P5 draws ------------------------------------------------ */

GM_TEST(policy__seed_fires_when_an_emptying_delete_keeps_hash0)
{
	checked c = make_u64(0);
	put(&c, 1);
	uint32_t old = ct_hdr(c.m).hash0;
	begin(&c, ORC_POLICY_DELETE, 1);
	GM_EXPECT_EQ_U(ct_del(c.m, 1), GOMAP_OK);
	gm_set_hash0(c.m, old);
	GM_EXPECT_STR(fired(&c), "policy.seed");
	gomap_destroy(c.m);
}

GM_TEST(policy__seed_fires_when_a_clear_keeps_hash0_and_rand_when_it_skips_the_draw)
{
	checked c = make_u64(0);
	fill(&c, 0, 3);
	gomap_header_view h = ct_hdr(c.m);
	begin(&c, ORC_POLICY_CLEAR, 0);
	GM_EXPECT_EQ_U(gomap_clear(c.m), GOMAP_OK);
	gm_set_hash0(c.m, h.hash0);
	GM_EXPECT_STR(fired(&c), "policy.seed");
	fill(&c, 0, 3);
	h = ct_hdr(c.m);
	begin(&c, ORC_POLICY_CLEAR, 0);
	GM_EXPECT_EQ_U(gomap_clear(c.m), GOMAP_OK);
	c.m->rand_state = h.rand_state; /* no draw at all */
	GM_EXPECT_STR(fired(&c), "policy.rand");
	gomap_destroy(c.m);
}

GM_TEST(policy__rand_fires_on_an_extra_draw_at_iteration_start)
{
	checked c = make_u64(0);
	fill(&c, 0, 10);
	gomap_iter it;
	begin(&c, ORC_POLICY_ITER_START, 0);
	gomap_iter_init(c.m, &it);
	GM_EXPECT_STR(fired(&c), "");
	gomap_iter_release(&it);
	begin(&c, ORC_POLICY_ITER_START, 0);
	gomap_iter_init(c.m, &it);
	(void)gomap_fastrand(c.m);
	GM_EXPECT_STR(fired(&c), "policy.rand");
	gomap_iter_release(&it);
	gomap_destroy(c.m);
}

GM_TEST(policy__read_fires_when_a_lookup_changes_the_map)
{
	checked c = make_growing();
	uint64_t v;
	begin(&c, ORC_POLICY_READ, 3);
	GM_EXPECT(ct_get(c.m, 3, &v));
	GM_EXPECT_STR(fired(&c), "");
	begin(&c, ORC_POLICY_READ, 3);
	GM_EXPECT(ct_get(c.m, 3, &v));
	gm_grow_work(c.m, 3); /* a lookup that helps the growth along */
	GM_EXPECT_STR(fired(&c), "policy.read");
	gomap_destroy(c.m);
}

/* ---- P6 noverflow from B = 16 --------------------------------------------- */

GM_TEST(policy__overflow_counting_from_B16_and_its_check)
{
	checked c = make_u64(400000); /* B=16 from the start */
	GM_EXPECT_EQ_U(ct_hdr(c.m).B, 16);
	uint64_t k = 0, drew = 0;
	/* every insert passes; stop at one that took an overflow bucket */
	while (drew == 0 && k < 420000 && gm_test_failures == 0) {
		gomap_header_view h = ct_hdr(c.m);
		begin(&c, ORC_POLICY_ASSIGN, k);
		GM_EXPECT_EQ_U(ct_put(c.m, k, k), GOMAP_OK);
		drew = orc_policy_draws(h.rand_state, ct_hdr(c.m).rand_state);
		if (drew == 0)
			GM_EXPECT_STR(fired(&c), "");
		k++;
	}
	GM_EXPECT_EQ_U(drew, 1);
	c.m->noverflow++; /* counted although the draw said no, or twice */
	GM_EXPECT_STR(fired(&c), "policy.overflow");
	gomap_destroy(c.m);
}

GM_TEST_MAIN()
