/* Section F of go-map-rules.md: hashGrow, growWork, evacuate,
 * advanceEvacuationMark. */
#include <string.h>

#include "support/core_helpers.h"
#include "map_internal.h"

/* Live u64 keys of a chain, in chain order. */
static size_t chain_keys(gomap *m, uint8_t *b, uint64_t *out, size_t cap,
                         uint8_t *tops)
{
	size_t n = 0;
	for (; b; b = gm_overflow(&m->t, b))
		for (int s = 0; s < 8; s++)
			if (b[s] >= GM_MIN_TOPHASH && n < cap) {
				if (tops)
					tops[n] = b[s];
				memcpy(&out[n++], gm_key_slot(&m->t, b, s), 8);
			}
	return n;
}

/* rules 39, 40: an evacuated old chain holds only 2/3/4; its entries went
 * to X (mark 2) or Y = X + newbit (mark 3) by the hash's newbit, packed
 * from slot 0 in old chain order, with the old tophash. */
GM_TEST(grow__evacuation_splits_by_hash_bit_in_old_order)
{
	gomap *m = ct_make(NULL, "u64", "u64", 0);
	for (uint64_t k = 0; k < 104; k++)
		ct_put(m, k * 3, k);
	GM_EXPECT_EQ_U(ct_hdr(m).B, 4);
	GM_EXPECT(!ct_hdr(m).growing);
	/* remember every old chain before the grow */
	uint64_t before[16][64];
	uint8_t tops[16][64];
	size_t nb[16];
	for (int i = 0; i < 16; i++)
		nb[i] = chain_keys(m, gm_bucket_at(&m->t, m->buckets, i), before[i],
		                   64, tops[i]);
	ct_put(m, 999999, 1); /* grows to B=5 and evacuates two chains */
	GM_EXPECT(ct_hdr(m).growing && ct_hdr(m).B == 5);
	int evacuated = 0;
	for (uintptr_t i = 0; i < 16; i++) {
		uint8_t *ob = gm_bucket_at(&m->t, m->oldbuckets, i);
		if (!gm_evacuated(ob))
			continue;
		evacuated++;
		for (uint8_t *b = ob; b; b = gm_overflow(&m->t, b))
			for (int s = 0; s < 8; s++)
				GM_EXPECT(b[s] >= GM_EVACUATED_X &&
				          b[s] <= GM_EVACUATED_EMPTY);
		uint64_t x[64], y[64], nx_keys[64], ny_keys[64];
		uint8_t xt[64], yt[64], nxt[64], nyt[64];
		size_t nx = 0, ny = 0;
		for (size_t j = 0; j < nb[i]; j++) {
			if (ct_hash_u64(m, before[i][j]) & 16) {
				yt[ny] = tops[i][j];
				y[ny++] = before[i][j];
			} else {
				xt[nx] = tops[i][j];
				x[nx++] = before[i][j];
			}
		}
		size_t gx = chain_keys(m, gm_bucket_at(&m->t, m->buckets, i),
		                       nx_keys, 64, nxt);
		size_t gy = chain_keys(m, gm_bucket_at(&m->t, m->buckets, i + 16),
		                       ny_keys, 64, nyt);
		GM_EXPECT(gx >= nx && gy >= ny); /* the new key may follow */
		GM_EXPECT(memcmp(x, nx_keys, nx * 8) == 0);
		GM_EXPECT(memcmp(y, ny_keys, ny * 8) == 0);
		GM_EXPECT(memcmp(xt, nxt, nx) == 0);
		GM_EXPECT(memcmp(yt, nyt, ny) == 0);
		/* packed from slot 0: the first nx slots of X are live */
		uint8_t *xb = gm_bucket_at(&m->t, m->buckets, i);
		for (size_t s = 0; s < nx && s < 8; s++)
			GM_EXPECT(xb[s] >= GM_MIN_TOPHASH);
		/* the old slot marks say where each entry went */
		size_t j = 0;
		for (uint8_t *b = ob; b; b = gm_overflow(&m->t, b))
			for (int s = 0; s < 8; s++) {
				if (b[s] == GM_EVACUATED_EMPTY)
					continue;
				uint64_t k;
				memcpy(&k, gm_key_slot(&m->t, b, s), 8);
				GM_EXPECT_EQ_U(k, before[i][j]);
				GM_EXPECT_EQ_U(b[s], GM_EVACUATED_X +
				               ((ct_hash_u64(m, k) & 16) != 0));
				j++;
			}
		GM_EXPECT_EQ_U(j, nb[i]);
	}
	GM_EXPECT(evacuated >= 1 && evacuated <= 2);
	CT_CHECK(m);
	gomap_destroy(m);
}

/* rules 28, 37, 40, 46: too many overflow buckets with a low load start a
 * same-size grow that compacts the chains. */
GM_TEST(grow__same_size_compacts_chains)
{
	gomap *m = ct_make(NULL, "u64", "u64", 14); /* B=2 */
	GM_EXPECT_EQ_U(ct_hdr(m).B, 2);
	uint64_t k = 0, keep[4][3];
	for (uintptr_t b = 0; b < 4; b++) {
		uint64_t ks[9];
		for (int i = 0; i < 9; i++) {
			k = ct_key_in_bucket(m, k, b, 2);
			ks[i] = k++;
			GM_EXPECT_EQ_U(ct_put(m, ks[i], ks[i]), GOMAP_OK);
		}
		for (int i = 0; i < 6; i++) /* leave tombstones at the front */
			ct_del(m, ks[i]);
		memcpy(keep[b], ks + 6, sizeof keep[b]);
	}
	gomap_header_view h = ct_hdr(m);
	GM_EXPECT_EQ_U(h.count, 12);
	GM_EXPECT_EQ_U(h.noverflow, 4);
	GM_EXPECT(!h.growing);
	/* one more new key (bucket 3): tooManyOverflowBuckets(4, 2) */
	k = ct_key_in_bucket(m, k, 3, 2);
	GM_EXPECT_EQ_U(ct_put(m, k, k), GOMAP_OK);
	h = ct_hdr(m);
	GM_EXPECT_EQ_U(h.B, 2);
	GM_EXPECT(h.growing);
	GM_EXPECT(h.flags & GM_SAME_SIZE_GROW);
	GM_EXPECT(ct_dump_has(m, "flags=0x08(sameSizeGrow) B=2 noverflow=0"));
	CT_CHECK(m);
	/* finish it with updates */
	for (int i = 0; ct_hdr(m).growing && i < 10; i++)
		ct_put(m, keep[0][0], 1);
	h = ct_hdr(m);
	GM_EXPECT(!h.growing && !(h.flags & GM_SAME_SIZE_GROW));
	GM_EXPECT_EQ_U(h.noverflow, 0);
	char *d = ct_dump(m);
	GM_EXPECT(strstr(d, " 01") == NULL && strstr(d, "[01") == NULL);
	GM_EXPECT(strstr(d, ".ovf") == NULL);
	free(d);
	/* each chain keeps its survivors in their old order, from slot 0 */
	for (uintptr_t b = 0; b < 4; b++) {
		uint64_t got[16];
		size_t n = chain_keys(m, gm_bucket_at(&m->t, m->buckets, b), got, 16,
		                      NULL);
		GM_EXPECT(n >= 3);
		GM_EXPECT(memcmp(got, keep[b], sizeof keep[b]) == 0);
	}
	CT_CHECK(m);
	gomap_destroy(m);
}

/* rule 37: the grow moves iterator into oldIterator. */
GM_TEST(grow__moves_iterator_flag_to_old_iterator)
{
	gomap *m = ct_make(NULL, "u64", "u64", 0);
	for (uint64_t k = 0; k < 8; k++)
		ct_put(m, k, k);
	GM_EXPECT_EQ_U(ct_iter_all(m, NULL, NULL, 0), 8);
	GM_EXPECT_EQ_U(ct_hdr(m).flags, GM_ITERATOR | GM_OLD_ITERATOR);
	ct_put(m, 8, 8);
	GM_EXPECT_EQ_U(ct_hdr(m).flags, GM_OLD_ITERATOR);
	for (uint64_t k = 9; k < 14; k++)
		ct_put(m, k, k);
	GM_EXPECT_EQ_U(ct_hdr(m).flags, 0);
	gomap_destroy(m);
}

/* rule 38: only writes evacuate; reads leave a growth running. */
GM_TEST(grow__reads_never_finish_a_growth)
{
	gomap *m = ct_make(NULL, "u64", "u64", 0);
	for (uint64_t k = 0; k < 27; k++)
		ct_put(m, k, k);
	uintptr_t nev = ct_hdr(m).nevacuate;
	for (int r = 0; r < 1000; r++)
		ct_get(m, (uint64_t)r % 40, NULL);
	GM_EXPECT(ct_hdr(m).growing);
	GM_EXPECT_EQ_U(ct_hdr(m).nevacuate, nev);
	GM_EXPECT_EQ_U(ct_iter_all(m, NULL, NULL, 0), 27);
	GM_EXPECT(ct_hdr(m).growing);
	gomap_destroy(m);
}

/* Allocation failure (docs/design.md): a write on a growing map reserves
 * an upper bound of the overflow buckets its evacuations take, (n - 1) / 8
 * for a chain of n live entries.  Over a whole growth of chains that fit
 * their fresh destination buckets, the allocator is called for nothing but
 * the overflow buckets that end up in use; a looser bound (a chain's
 * length) allocated a bucket and freed it again on every write. */
GM_TEST(grow__evacuation_reserves_only_what_it_can_take)
{
	ct_env e;
	ct_env_init(&e, 7, CT_HOOK_ALLOC);
	gomap *m = ct_make(&e, "u64", "u64", 0);
	uint64_t k = 0;
	for (; k < 100 || !ct_hdr(m).growing; k++) /* a growth to B = 5 */
		ct_put(m, k, k);
	ct_alloc_arm(&e, 0); /* counts from here */
	gomap_memstats before, after;
	gomap_memstats_get(m, &before);
	long writes = 0;
	for (uint64_t u = 0; ct_hdr(m).growing; u = (u + 1) % k, writes++)
		ct_put(m, u, u + 1); /* updates: no new entry, no new array */
	gomap_memstats_get(m, &after);
	GM_EXPECT(writes > 1);
	/* every bucket allocated is a reserve taken by an evacuation (the
	 * old array's overflow list was moved, not copied) or still held */
	GM_EXPECT(e.alloc.nallocs <=
	          (long)(after.heap_overflow + after.reserve_buckets));
	GM_EXPECT_EQ_U(gomap_check(m, NULL, 0), 0);
	gomap_destroy(m);
	GM_EXPECT_EQ_U(e.alloc.live_blocks, 0);
}

/* The key itself as its hash, to place keys in chains by hand. */
static uint64_t hash_identity(const gomap_keytype *kt, const void *key,
                              uint64_t seed, gomap *m)
{
	(void)kt, (void)seed, (void)m;
	uint64_t k;
	memcpy(&k, key, 8);
	return k;
}

/* The bound is per chain, not per split: a delete that evacuates a long
 * chain reserves for the worst split, the actual split and the new
 * array's preallocated spares leave some of it unused, and the delete
 * gives the surplus back, keeping two. */
GM_TEST(grow__delete_mid_growth_trims_its_reserve_to_two)
{
	gomap_keytype k = gomap_key_u64;
	k.hash = hash_identity;
	gomap_type t;
	GM_EXPECT_EQ_U(gomap_type_init(&t, &k, &gomap_elem_u64), GOMAP_OK);
	gomap *m = ct_make_type(NULL, &t, 100); /* B = 4 */
	GM_EXPECT_EQ_U(ct_hdr(m).B, 4);
	/* chain 5: 97 keys, 49 for X and 48 for Y (bit 16 of the hash) */
	for (uint64_t j = 0; j < 97; j++)
		ct_put(m, 16 * j + 5, j);
	/* chain 1 until the insert that starts a doubling (105 > 6.5 * 16) */
	for (uint64_t j = 0; !ct_hdr(m).growing; j++)
		ct_put(m, 16 * j + 1, j);
	GM_EXPECT_EQ_U(ct_hdr(m).B, 5);
	GM_EXPECT(!gm_evacuated(gm_bucket_at(&m->t, m->oldbuckets, 5)));
	/* reserves (97 - 1) / 8 = 12; X takes 6 overflow buckets, Y 5, two
	 * of them preallocated spares */
	GM_EXPECT_EQ_U(ct_del(m, 5), GOMAP_OK);
	GM_EXPECT(gm_evacuated(gm_bucket_at(&m->t, m->oldbuckets, 5)));
	gomap_memstats ms;
	gomap_memstats_get(m, &ms);
	GM_EXPECT_EQ_U(ms.reserve_buckets, 2);
	GM_EXPECT_EQ_U(gomap_check(m, NULL, 0), 0);
	gomap_destroy(m);
}

/* rule 42: evacuated old buckets with pointers are cleared after the
 * tophash (overflow link included) unless an old iterator may read them;
 * pointer-free buckets are left alone. */
static bool first_bucket_cleared(gomap *m, uint8_t *b)
{
	for (size_t i = GM_DATA_OFFSET; i < m->t.bucketsize; i++)
		if (b[i])
			return false;
	return true;
}

static const char *strkey(int i)
{
	static char buf[200][8];
	snprintf(buf[i], sizeof buf[i], "k%03d", i);
	return buf[i];
}

GM_TEST(grow__evacuated_pointer_buckets_are_cleared_unless_iterated)
{
	for (int iterate = 0; iterate < 2; iterate++) {
		gomap *m = ct_make(NULL, "str", "u64", 0);
		for (int i = 0; i < 104; i++)
			ct_put_s(m, strkey(i), (uint64_t)i);
		if (iterate)
			ct_iter_all(m, NULL, NULL, 0);
		int cleared = 0, evac = 0;
		for (int i = 104; i < 140; i++) {
			ct_put_s(m, strkey(i), (uint64_t)i);
			if (!ct_hdr(m).growing)
				break;
			for (uintptr_t j = 0; j < 16; j++) {
				uint8_t *ob = gm_bucket_at(&m->t, m->oldbuckets, j);
				if (gm_evacuated(ob)) {
					evac++;
					cleared += first_bucket_cleared(m, ob);
				}
			}
		}
		GM_EXPECT(evac > 0);
		GM_EXPECT_EQ_U(cleared, iterate ? 0 : evac);
		CT_CHECK(m);
		gomap_destroy(m);
	}
	/* u64 u64: pointer-free, nothing is cleared; an old overflow chain
	 * stays listed in the dump.  Old bucket 5 gets an overflow bucket. */
	gomap *m = ct_make(NULL, "u64", "u64", 0);
	uint64_t k = 0, in5 = 0;
	for (int i = 0; i < 9; i++) {
		k = ct_key_in_bucket(m, k, 5, 4);
		in5 = k;
		ct_put(m, k++, 0);
	}
	for (uint64_t j = 1u << 20; gomap_len(m) < 105; j++)
		ct_put(m, j, j);
	GM_EXPECT(ct_hdr(m).growing && ct_hdr(m).B == 5);
	ct_put(m, in5, 1); /* evacuates old[5] */
	uint8_t *ob = gm_bucket_at(&m->t, m->oldbuckets, 5);
	GM_EXPECT(gm_evacuated(ob));
	GM_EXPECT(!first_bucket_cleared(m, ob));
	bool kept = gm_overflow(&m->t, ob) != NULL;
	GM_EXPECT(kept);
	GM_EXPECT(ct_dump_has(m, "  old[5].ovf1@"));
	gomap_destroy(m);
}

/* rule 43: advanceEvacuationMark skips at most 1024 evacuated buckets. */
GM_TEST(grow__evacuation_mark_jumps_at_most_1024)
{
	gomap *m = ct_make(NULL, "u64", "u64", 0);
	const uint64_t n = 13 * 2048; /* a full B=12 map */
	for (uint64_t k = 0; k < n; k++)
		ct_put(m, k, k);
	for (uint64_t k = n; ct_hdr(m).growing; k++) /* finish earlier growth */
		ct_put(m, 0, 0);
	GM_EXPECT_EQ_U(ct_hdr(m).B, 12);
	GM_EXPECT_EQ_U(ct_put(m, n, n), GOMAP_OK); /* grows to B=13 */
	GM_EXPECT(ct_hdr(m).growing && ct_hdr(m).B == 13);
	/* one existing key per old bucket */
	static uint64_t key_of[4096];
	static bool have[4096];
	memset(have, 0, sizeof have);
	for (uint64_t k = 0; k <= n; k++) {
		uintptr_t b = ct_hash_u64(m, k) & 4095;
		if (!have[b]) {
			have[b] = true;
			key_of[b] = k;
		}
	}
	uint64_t fresh = 2 * n;
	for (uintptr_t b = 2000; b < 3026; b++) {
		if (!have[b]) { /* an empty old bucket: write a new key there */
			fresh = ct_key_in_bucket(m, fresh, b, 12);
			key_of[b] = fresh++;
		}
		ct_put(m, key_of[b], 1); /* evacuates b (and nevacuate) */
	}
	uintptr_t nev = ct_hdr(m).nevacuate;
	GM_EXPECT(nev < 2000);
	while (nev < 2000) {
		ct_put(m, key_of[2500], 2); /* already evacuated */
		nev = ct_hdr(m).nevacuate;
	}
	GM_EXPECT_EQ_U(nev, 2000 + 1024);
	CT_CHECK(m);
	gomap_destroy(m);
}

/* rule 37: hashGrow finding an old overflow list still there is Go's
 * throw "oldoverflow is not nil".  The list cannot be left over (I7), so
 * the test moves the current one there by hand; the fail hook is told and
 * the map is dead from then on. */
GM_TEST(grow__leftover_old_overflow_list_is_a_throw)
{
	ct_env e;
	ct_env_init(&e, 2, CT_HOOK_ALLOC);
	gomap *m = ct_make(&e, "u64", "u64", 20); /* B=2, no spares */
	uint64_t k = 0;
	for (int i = 0; i < 9; i++) { /* bucket 0 gets a heap overflow */
		k = ct_key_in_bucket(m, k, 0, 2);
		ct_put(m, k++, 1);
	}
	GM_EXPECT(m->heap_ovf != NULL);
	m->old_heap_ovf = m->heap_ovf;
	m->heap_ovf = NULL;
	GM_EXPECT_EQ_U(gomap_check(m, NULL, 0), 7);
	while (e.fail.count == 0 && gomap_len(m) < 100)
		ct_put(m, k++, 1);
	GM_EXPECT_EQ_U(e.fail.count, 1);
	GM_EXPECT_EQ_U(e.fail.sev, GOMAP_THROW);
	GM_EXPECT_STR(e.fail.msg, "oldoverflow is not nil");
	GM_EXPECT_EQ_U(ct_put(m, k, 1), GOMAP_EFATAL);
	gomap_destroy(m);
	GM_EXPECT_EQ_U(e.alloc.live_blocks, 0);
}

/* rule 39: evacuate meeting a tophash of 2..4 in a chain that is not
 * evacuated (I6 broken by hand) is Go's throw "bad map state". */
GM_TEST(grow__stray_evacuation_mark_is_bad_map_state)
{
	ct_env e;
	ct_env_init(&e, 3, CT_HOOK_ALLOC);
	gomap *m = ct_make(&e, "u64", "u64", 0);
	uint64_t k = 0;
	while (!ct_hdr(m).growing)
		ct_put(m, k++, 1);
	/* an old bucket still to move, with entries and a free last slot */
	uintptr_t nold = (uintptr_t)1 << (m->B - 1), ob = m->nevacuate;
	uint8_t *b = NULL;
	for (; ob < nold; ob++) {
		b = gm_bucket_at(&m->t, m->oldbuckets, ob);
		if (!gm_evacuated(b) && b[0] >= GM_MIN_TOPHASH &&
		    b[7] == GM_EMPTY_REST)
			break;
	}
	GM_EXPECT(ob < nold);
	if (ob == nold) {
		gomap_destroy(m);
		return;
	}
	b[7] = GM_EVACUATED_Y;
	GM_EXPECT_EQ_U(gomap_check(m, NULL, 0), 6);
	/* a write to that old bucket evacuates it first */
	uint64_t into = ct_key_in_bucket(m, 1000, ob, (uint8_t)(m->B - 1));
	ct_put(m, into, 1);
	GM_EXPECT_EQ_U(e.fail.count, 1);
	GM_EXPECT_EQ_U(e.fail.sev, GOMAP_THROW);
	GM_EXPECT_STR(e.fail.msg, "bad map state");
	GM_EXPECT_EQ_U(ct_put(m, into + 1, 1), GOMAP_EFATAL);
	gomap_destroy(m);
	GM_EXPECT_EQ_U(e.alloc.live_blocks, 0);
}

GM_TEST_MAIN()
