/* Section M of go-map-rules.md (rules 71-73) and docs/design.md I1-I10:
 * gomap_check names the broken invariant when the structure is poked
 * through map_internal.h, and holds after every op of random traces. */
#include <math.h>
#include <string.h>

#include "support/core_helpers.h"
#include "map_internal.h"

static int check_no(const gomap *m)
{
	char msg[256];
	int r = gomap_check(m, msg, sizeof msg);
	if (r) {
		char want[8];
		snprintf(want, sizeof want, "I%d ", r);
		GM_EXPECT(strncmp(msg, want, strlen(want)) == 0);
	}
	return r;
}

static gomap *small_map(void)
{
	gomap *m = ct_make(NULL, "u64", "u64", 0);
	for (uint64_t k = 0; k < 5; k++)
		ct_put(m, k, k);
	return m;
}

GM_TEST(check__count_tophash_and_flags_corruption)
{
	gomap *m = small_map();
	GM_EXPECT_EQ_U(check_no(m), 0);
	m->count++; /* I1 */
	GM_EXPECT_EQ_U(check_no(m), 1);
	m->count--;

	uint8_t *b = m->buckets;
	uint8_t save = b[1];
	b[1] = GM_EVACUATED_X; /* I2: evacuation mark in the current array */
	GM_EXPECT_EQ_U(check_no(m), 2);
	b[1] = (uint8_t)(save == 0xff ? 0x05 : save + 1); /* I3: wrong tophash */
	GM_EXPECT_EQ_U(check_no(m), 3);
	b[1] = save;

	b[6] = GM_EMPTY_ONE; /* I4: emptyOne right before emptyRest */
	GM_EXPECT_EQ_U(check_no(m), 4);
	b[6] = GM_EMPTY_REST;
	b[7] = 0x80; /* I4: a live slot after emptyRest */
	GM_EXPECT_EQ_U(check_no(m), 4);
	b[7] = GM_EMPTY_REST;

	/* I5: the same key twice (slot 5 copies slot 0) */
	b[5] = b[0];
	memcpy(gm_key_slot(&m->t, b, 5), gm_key_slot(&m->t, b, 0), 8);
	m->count++;
	GM_EXPECT_EQ_U(check_no(m), 5);
	b[5] = GM_EMPTY_REST;
	m->count--;

	m->flags |= GM_HASH_WRITING; /* I8 */
	GM_EXPECT_EQ_U(check_no(m), 8);
	m->flags &= (uint8_t)~GM_HASH_WRITING;
	m->flags |= GM_SAME_SIZE_GROW; /* I7: not growing */
	GM_EXPECT_EQ_U(check_no(m), 7);
	m->flags &= (uint8_t)~GM_SAME_SIZE_GROW;
	m->noverflow = 3; /* I9 */
	GM_EXPECT_EQ_U(check_no(m), 9);
	m->noverflow = 0;
	GM_EXPECT_EQ_U(check_no(m), 0);
	gomap_destroy(m);
}

GM_TEST(check__growth_state_corruption)
{
	gomap *m = ct_make(NULL, "u64", "u64", 0);
	for (uint64_t k = 0; k < 27; k++)
		ct_put(m, k, k);
	GM_EXPECT(ct_hdr(m).growing);
	GM_EXPECT_EQ_U(check_no(m), 0);
	/* I6: a live tophash in an evacuated old chain */
	uintptr_t ev = 0;
	while (!gm_evacuated(gm_bucket_at(&m->t, m->oldbuckets, ev)))
		ev++;
	uint8_t *ob = gm_bucket_at(&m->t, m->oldbuckets, ev);
	uint8_t save = ob[7];
	ob[7] = 0x77;
	GM_EXPECT_EQ_U(check_no(m), 6);
	ob[7] = save;
	/* I7: nevacuate past an unevacuated bucket */
	uintptr_t nev = m->nevacuate;
	m->nevacuate = 3;
	bool all = true;
	for (uintptr_t i = 0; i < 3; i++)
		all &= gm_evacuated(gm_bucket_at(&m->t, m->oldbuckets, i));
	if (!all)
		GM_EXPECT_EQ_U(check_no(m), 7);
	m->nevacuate = 4; /* == noldbuckets while growing */
	GM_EXPECT_EQ_U(check_no(m), 7);
	m->nevacuate = nev;
	GM_EXPECT_EQ_U(check_no(m), 0);
	gomap_destroy(m);
}

GM_TEST(check__spare_pool_corruption)
{
	gomap *m = ct_make(NULL, "u64", "u64", 100);
	ct_put(m, 1, 1);
	GM_EXPECT_EQ_U(check_no(m), 0);
	uint8_t *last = gm_bucket_at(&m->t, m->buckets, 17);
	gm_set_overflow(&m->t, last, NULL); /* I10: sentinel lost */
	GM_EXPECT_EQ_U(check_no(m), 10);
	gm_set_overflow(&m->t, last, m->buckets);
	uint8_t *next = m->next_overflow;
	m->next_overflow = gm_bucket_at(&m->t, m->buckets, 3); /* I10 */
	GM_EXPECT_EQ_U(check_no(m), 10);
	m->next_overflow = next;
	GM_EXPECT_EQ_U(check_no(m), 0);
	gomap_destroy(m);
}

/* rules 71-73: random traces of every op kind on several key kinds, the
 * check after each op and a shadow of the contents. */
GM_TEST(check__holds_after_every_op_of_random_traces)
{
	const char *kinds[] = {"u64", "f64", "bytes8"};
	for (int kind = 0; kind < 3; kind++)
		for (uint64_t seed = 1; seed <= 4; seed++) {
			ct_env e;
			ct_env_init(&e, seed, 0);
			gomap *m = ct_make(&e, kinds[kind], "u64", (int64_t)(seed * 7) - 10);
			enum { K = 300 };
			uint64_t shadow[K];
			bool present[K] = {0};
			size_t count = 0, nans = 0;
			uint64_t s = seed * 1000 + (uint64_t)kind;
			for (int op = 0; op < 2500; op++) {
				uint64_t r = ct_next(&s) % 100, k = ct_next(&s) % K;
				uint64_t key = k;
				if (kind == 1) {
					double d = (double)k - 150;
					memcpy(&key, &d, 8);
				}
				if (r < 50) {
					uint64_t v = ct_next(&s);
					GM_EXPECT_EQ_U(ct_put(m, key, v), GOMAP_OK);
					count += !present[k];
					present[k] = true;
					shadow[k] = v;
				} else if (r < 80) {
					GM_EXPECT_EQ_U(ct_del(m, key), GOMAP_OK);
					count -= present[k];
					present[k] = false;
				} else if (r < 97) {
					uint64_t v;
					bool f = ct_get(m, key, &v);
					GM_EXPECT(f == present[k]);
					GM_EXPECT(!f || v == shadow[k]);
				} else if (r < 98 && kind == 1) {
					ct_put_f(m, NAN, 1);
					nans++;
				} else if (r < 99) {
					size_t n = ct_iter_all(m, NULL, NULL, 0);
					GM_EXPECT_EQ_U(n, count + nans);
				} else if (ct_next(&s) % 8 == 0) {
					gomap_clear(m);
					memset(present, 0, sizeof present);
					count = nans = 0;
				}
				GM_EXPECT_EQ_U(gomap_len(m), count + nans);
				CT_CHECK(m);
			}
			gomap_destroy(m);
		}
}

/* I3 and I4, the cases the first test leaves: a key in another bucket's
 * chain, an emptyOne right before the emptyRest tail, a chain ending with
 * emptyOne. */
GM_TEST(check__placement_and_tail_corruption)
{
	gomap *m = ct_make(NULL, "u64", "u64", 9); /* B=1 */
	uint64_t k0 = ct_key_in_bucket(m, 0, 0, 1);
	uint64_t k1 = ct_key_in_bucket(m, 0, 1, 1);
	ct_put(m, k0, 1);
	ct_put(m, k1, 2);
	GM_EXPECT_EQ_U(check_no(m), 0);
	/* I3: bucket 1 slot 1 holds a key of bucket 0 */
	uint8_t *b0 = gm_bucket_at(&m->t, m->buckets, 0);
	uint8_t *b1 = gm_bucket_at(&m->t, m->buckets, 1);
	b1[1] = b0[0];
	memcpy(gm_key_slot(&m->t, b1, 1), gm_key_slot(&m->t, b0, 0), 8);
	m->count++;
	GM_EXPECT_EQ_U(check_no(m), 3);
	b1[1] = GM_EMPTY_REST;
	m->count--;
	GM_EXPECT_EQ_U(check_no(m), 0);
	gomap_destroy(m);

	m = small_map(); /* one bucket, slots 0..4 live */
	uint8_t *b = m->buckets, save = b[4];
	b[4] = GM_EMPTY_ONE; /* I4: emptyOne, then the emptyRest tail */
	m->count--;
	GM_EXPECT_EQ_U(check_no(m), 4);
	b[4] = save;
	m->count++;
	for (uint64_t k = 5; k < 8; k++) /* full: no emptyRest at all */
		ct_put(m, k, k);
	save = b[7];
	b[7] = GM_EMPTY_ONE; /* I4: the chain ends with emptyOne */
	m->count--;
	GM_EXPECT_EQ_U(check_no(m), 4);
	b[7] = save;
	m->count++;
	GM_EXPECT_EQ_U(check_no(m), 0);
	gomap_destroy(m);
}

/* I7 and I10, the cases the tests above leave: a doubling grow into B=0,
 * an array of the wrong size, a spare pool without hmap.extra, a spare in
 * the unused part of the pool that holds something. */
GM_TEST(check__growth_and_spare_header_corruption)
{
	gomap *m = small_map();
	m->oldbuckets = m->buckets; /* growing, not same-size, B=0 */
	GM_EXPECT_EQ_U(check_no(m), 7);
	m->oldbuckets = NULL;
	GM_EXPECT_EQ_U(check_no(m), 0);
	gomap_destroy(m);

	m = ct_make(NULL, "u64", "u64", 100); /* B=4: 16 buckets, 2 spares */
	ct_put(m, 1, 1);
	GM_EXPECT_EQ_U(check_no(m), 0);
	m->nbuckets_alloc++;
	GM_EXPECT_EQ_U(check_no(m), 10);
	m->nbuckets_alloc--;
	m->has_extra = false;
	GM_EXPECT_EQ_U(check_no(m), 10);
	m->has_extra = true;
	uint8_t *spare = m->next_overflow;
	spare[3] = 0x55;
	GM_EXPECT_EQ_U(check_no(m), 10);
	spare[3] = 0;
	GM_EXPECT_EQ_U(check_no(m), 0);
	gomap_destroy(m);
}

static uint64_t hash_to_zero(const gomap_keytype *kt, const void *key,
                             uint64_t seed, gomap *m)
{
	(void)kt, (void)key, (void)seed, (void)m;
	return 0; /* every key in bucket 0, tophash 5 */
}

/* An f64 -> u64 map whose every key hashes to bucket 0, holding the keys
 * 0..n-1 (and a NaN when asked) in one chain, with room for them all
 * before any growth. */
static gomap *one_chain_map(int n, bool nan)
{
	gomap_keytype k = gomap_key_f64;
	k.hash = hash_to_zero;
	gomap_type t;
	GM_EXPECT_EQ_U(gomap_type_init(&t, &k, &gomap_elem_u64), GOMAP_OK);
	gomap *m = ct_make_type(NULL, &t, n + nan);
	for (int i = 0; i < n; i++)
		ct_put_f(m, i, (uint64_t)i);
	if (nan)
		ct_put_f(m, NAN, 99);
	GM_EXPECT(!ct_hdr(m).growing);
	GM_EXPECT_EQ_U(check_no(m), 0);
	return m;
}

/* Slot 0 of bucket b holds `was`; as key 3 (a duplicate) the check names
 * I5, and with `was` back it passes again. */
static void expect_duplicate_caught(gomap *m, uint8_t *b, double was)
{
	double three = 3, save;
	memcpy(&save, gm_key_slot(&m->t, b, 0), 8);
	GM_EXPECT(save == was);
	memcpy(gm_key_slot(&m->t, b, 0), &three, 8);
	GM_EXPECT_EQ_U(check_no(m), 5);
	memcpy(gm_key_slot(&m->t, b, 0), &save, 8);
	GM_EXPECT_EQ_U(check_no(m), 0);
}

/* I5 on a chain of more than 16 live keys, which the check sorts by hash
 * rather than comparing pairwise; its NaNs are never compared. */
GM_TEST(check__duplicate_in_a_long_chain)
{
	gomap *m = one_chain_map(20, true);
	GM_EXPECT_EQ_U(ct_hdr(m).B, 2);
	/* the chain's third bucket, slot 0: key 16 */
	uint8_t *b = gm_overflow(&m->t, gm_overflow(&m->t, m->buckets));
	expect_duplicate_caught(m, b, 16);
	gomap_destroy(m);
}

/* The same past the 128 keys the check collects in its own room. */
GM_TEST(check__duplicate_in_a_chain_too_long_for_the_room)
{
	gomap *m = one_chain_map(150, false);
	GM_EXPECT_EQ_U(ct_hdr(m).B, 5);
	uint8_t *b = m->buckets; /* its last bucket: keys 144..149 */
	while (gm_overflow(&m->t, b))
		b = gm_overflow(&m->t, b);
	expect_duplicate_caught(m, b, 144);
	gomap_destroy(m);
}

/* gomap_check's message is cut to the caller's buffer (none at all for a
 * zero size); the invariant's number is returned either way. */
GM_TEST(check__message_fits_the_buffer)
{
	gomap *m = small_map();
	m->count++; /* I1 */
	char msg[64];
	memset(msg, 'x', sizeof msg);
	GM_EXPECT_EQ_U(gomap_check(m, msg, 0), 1);
	GM_EXPECT(msg[0] == 'x');
	GM_EXPECT_EQ_U(gomap_check(m, msg, 4), 1);
	GM_EXPECT_STR(msg, "I1 ");
	GM_EXPECT_EQ_U(gomap_check(m, msg, 20), 1);
	GM_EXPECT_STR(msg, "I1 violated: count=");
	m->count--;
	gomap_destroy(m);
}

/* gomap_check_cost: entries plus every bucket a check walks, the old
 * array's too while growing. */
GM_TEST(check__cost_counts_entries_and_both_arrays)
{
	GM_EXPECT_EQ_U(gomap_check_cost(NULL), 0);
	gomap *m = ct_make(NULL, "u64", "u64", 0);
	GM_EXPECT_EQ_U(gomap_check_cost(m), 0); /* no array yet */
	ct_put(m, 1, 1);
	GM_EXPECT_EQ_U(gomap_check_cost(m), 1 + 1); /* B = 0 */
	uint64_t k = 2;
	for (; k < 100 || !ct_hdr(m).growing; k++)
		ct_put(m, k, k);
	gomap_header_view h = ct_hdr(m);
	GM_EXPECT_EQ_U(gomap_check_cost(m),
	               h.count + h.nbuckets_alloc + ((size_t)1 << (h.B - 1)));
	gomap_destroy(m);
}

GM_TEST_MAIN()
