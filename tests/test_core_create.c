/* Section B of go-map-rules.md: makemap / makemap_small, the hint -> B
 * table, lazy bucket allocation, preallocated spares, newoverflow's use
 * of them, and when Go would have allocated hmap.extra. */
#include <string.h>

#include "support/core_helpers.h"
#include "map_internal.h"

/* rule 8: B=0, no bucket, hash0 is the first draw. */
GM_TEST(create__small_map_has_no_bucket_and_draws_once)
{
	ct_env e;
	ct_env_init(&e, 7, 0);
	gomap *m = ct_make(&e, "u64", "u64", 0);
	gomap_header_view h = ct_hdr(m);
	GM_EXPECT_EQ_U(h.B, 0);
	GM_EXPECT_EQ_U(h.nbuckets_alloc, 0);
	GM_EXPECT_EQ_U(h.hash0, (uint32_t)ct_wyrand_nth(7, 1));
	GM_EXPECT_EQ_U(ct_draws_since(m, 7), 1);
	char *d = ct_dump(m);
	GM_EXPECT(strstr(d, "new[") == NULL);
	GM_EXPECT(strstr(d, "spare next=none prealloc=0") != NULL);
	free(d);
	gomap_destroy(m);
}

/* rule 9: Go's TestMapBuckets / TestIgnoreBogusMapHint table. */
GM_TEST(create__hint_picks_smallest_b_within_load_factor)
{
	static const struct { int64_t hint; unsigned B; } table[] = {
		{0, 0},   {1, 0},   {8, 0},   {9, 1},     {13, 1},  {14, 2},
		{26, 2},  {27, 3},  {52, 3},  {53, 4},    {104, 4}, {105, 5},
		{208, 5}, {209, 6}, {-1, 0},  {-(1LL << 40), 0},
		{INT64_C(1) << 62, 0}, /* bucket memory overflows: bogus */
		{INT64_MAX, 0},
		{INT64_C(1) << 47, 0}, /* 144 * 2^47 > maxAlloc (2^48) */
	};
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
		ct_env e;
		ct_env_init(&e, 1, 0);
		gomap *m = ct_make(&e, "u64", "u64", table[i].hint);
		if (ct_hdr(m).B != table[i].B)
			fprintf(stderr, "hint %lld\n", (long long)table[i].hint);
		GM_EXPECT_EQ_U(ct_hdr(m).B, table[i].B);
		GM_EXPECT_EQ_U(ct_draws_since(m, 1), 1); /* hash0, always */
		gomap_destroy(m);
	}
}

/* rule 10: a small map allocates nothing until its first put, and then
 * exactly one bucket; makemap with B > 0 allocates at once. */
GM_TEST(create__buckets_are_allocated_by_the_first_put)
{
	ct_env e;
	ct_env_init(&e, 1, CT_HOOK_ALLOC);
	gomap *m = ct_make(&e, "u64", "u64", 0);
	long after_make = e.alloc.nallocs;
	uint64_t v;
	GM_EXPECT(!ct_get(m, 5, &v));
	GM_EXPECT_EQ_U(ct_del(m, 5), GOMAP_OK);
	GM_EXPECT_EQ_U(gomap_len(m), 0);
	GM_EXPECT_EQ_U(ct_iter_all(m, NULL, NULL, 0), 0);
	GM_EXPECT_EQ_U(gomap_clear(m), GOMAP_OK);
	GM_EXPECT_EQ_U(e.alloc.nallocs, after_make);
	GM_EXPECT_EQ_U(ct_put(m, 5, 50), GOMAP_OK);
	gomap_memstats ms;
	gomap_memstats_get(m, &ms);
	GM_EXPECT_EQ_U(ms.bucket_arrays, 1);
	GM_EXPECT_EQ_U(ms.bucket_array_bytes, 144);
	GM_EXPECT_EQ_U(ct_hdr(m).nbuckets_alloc, 1);
	gomap_destroy(m);

	m = ct_make(&e, "u64", "u64", 9);
	gomap_memstats_get(m, &ms);
	GM_EXPECT_EQ_U(ms.bucket_arrays, 1);
	GM_EXPECT_EQ_U(ct_hdr(m).nbuckets_alloc, 2);
	gomap_destroy(m);
	GM_EXPECT_EQ_U(e.alloc.live_blocks, 0);
}

/* rule 11: spares after 2^B buckets, sized by Go's size classes. */
GM_TEST(create__spares_fill_the_size_class)
{
	gomap *m = ct_make(NULL, "u64", "u64", 100);
	GM_EXPECT_EQ_U(ct_hdr(m).B, 4);
	GM_EXPECT(ct_dump_has(m, "\n  spare next=16 prealloc=2\n"));
	gomap_destroy(m);
	m = ct_make(NULL, "str", "u64", 100); /* 17*208=3536 -> 4096: 19 */
	GM_EXPECT(ct_dump_has(m, "\n  spare next=16 prealloc=3\n"));
	gomap_destroy(m);
	m = ct_make(NULL, "u64", "u64", 13 * 8); /* B=4 exactly at the edge */
	GM_EXPECT(ct_dump_has(m, " B=4 "));
	gomap_destroy(m);
	m = ct_make(NULL, "u64", "u64", 52); /* B=3: no spares */
	GM_EXPECT(ct_dump_has(m, "\n  spare next=none prealloc=0\n"));
	gomap_destroy(m);
	/* B=5: 34*144=4896 -> 5376: 37 buckets, 5 spares */
	m = ct_make(NULL, "u64", "u64", 105);
	GM_EXPECT(ct_dump_has(m, "\n  spare next=32 prealloc=5\n"));
	/* the last spare carries the sentinel, the others nothing */
	uint8_t *last = gm_bucket_at(&m->t, m->buckets, 36);
	GM_EXPECT(gm_overflow(&m->t, last) == m->buckets);
	GM_EXPECT(gm_overflow(&m->t, gm_bucket_at(&m->t, m->buckets, 35)) == NULL);
	gomap_destroy(m);
}

/* rule 12: overflow buckets come from the spares in order, the sentinel
 * spare ends the pool, then the heap. */
GM_TEST(create__newoverflow_uses_spares_in_order_then_heap)
{
	gomap *m = ct_make(NULL, "u64", "u64", 100);
	uint64_t k = 0;
	for (int i = 0; i < 8; i++) {
		k = ct_key_in_bucket(m, k, 3, 4);
		GM_EXPECT_EQ_U(ct_put(m, k++, i), GOMAP_OK);
	}
	GM_EXPECT(ct_dump_has(m, "spare next=16 prealloc=2"));
	k = ct_key_in_bucket(m, k, 3, 4);
	GM_EXPECT_EQ_U(ct_put(m, k++, 8), GOMAP_OK);
	GM_EXPECT(ct_dump_has(m, "spare next=17 prealloc=2"));
	GM_EXPECT(ct_dump_has(m, "\n  new[3].ovf1@pre16 th=["));
	for (int i = 9; i < 17; i++) {
		k = ct_key_in_bucket(m, k, 3, 4);
		GM_EXPECT_EQ_U(ct_put(m, k++, i), GOMAP_OK);
	}
	GM_EXPECT(ct_dump_has(m, "spare next=none prealloc=2"));
	for (int i = 17; i < 24; i++) {
		k = ct_key_in_bucket(m, k, 3, 4);
		GM_EXPECT_EQ_U(ct_put(m, k++, i), GOMAP_OK);
	}
	GM_EXPECT(ct_dump_has(m, "\n  new[3].ovf2@pre17 th=["));
	/* the sentinel was cleared when the last spare was taken */
	GM_EXPECT(gm_overflow(&m->t, gm_bucket_at(&m->t, m->buckets, 17)) == NULL);
	k = ct_key_in_bucket(m, k, 3, 4);
	GM_EXPECT_EQ_U(ct_put(m, k++, 17), GOMAP_OK);
	GM_EXPECT(ct_dump_has(m, "\n  new[3].ovf3@heap th=["));
	GM_EXPECT(ct_dump_has(m, " noverflow=3 "));
	CT_CHECK(m);
	gomap_destroy(m);
}

/* rule 13: makemap allocates extra only with spares; iteration and
 * overflow creation do for pointer-free buckets only. */
GM_TEST(create__extra_is_allocated_where_go_allocates_it)
{
	gomap *m = ct_make(NULL, "u64", "u64", 0);
	GM_EXPECT(!ct_hdr(m).has_extra);
	GM_EXPECT_EQ_U(ct_put(m, 1, 1), GOMAP_OK);
	GM_EXPECT(!ct_hdr(m).has_extra);
	GM_EXPECT_EQ_U(ct_iter_all(m, NULL, NULL, 0), 1);
	GM_EXPECT(ct_hdr(m).has_extra); /* createOverflow in mapiterinit */
	gomap_destroy(m);

	m = ct_make(NULL, "str", "u64", 0);
	GM_EXPECT_EQ_U(ct_put_s(m, "a", 1), GOMAP_OK);
	GM_EXPECT_EQ_U(ct_iter_all(m, NULL, NULL, 0), 1);
	GM_EXPECT(!ct_hdr(m).has_extra); /* buckets hold pointers */
	gomap_destroy(m);

	m = ct_make(NULL, "u64", "u64", 100);
	GM_EXPECT(ct_hdr(m).has_extra); /* spares */
	gomap_destroy(m);
	m = ct_make(NULL, "u64", "u64", 20);
	GM_EXPECT(!ct_hdr(m).has_extra); /* B=2, no spares */
	uint64_t k = 0;
	for (int i = 0; i < 9; i++) { /* one overflow bucket */
		k = ct_key_in_bucket(m, k, 1, 2);
		GM_EXPECT_EQ_U(ct_put(m, k++, i), GOMAP_OK);
	}
	GM_EXPECT(ct_hdr(m).has_extra); /* createOverflow in newoverflow */
	gomap_destroy(m);
}

/* makemap failing its first allocation leaves nothing behind. */
GM_TEST(create__make_reports_enomem_and_leaks_nothing)
{
	for (long n = 1; n <= 3; n++) {
		ct_env e;
		ct_env_init(&e, 1, CT_HOOK_ALLOC);
		ct_alloc_arm(&e, n);
		/* allocations: header, the 2000-byte zero value, the array */
		gomap_elemtype big = {"big", 2000, 1, 0, NULL};
		gomap_type t;
		GM_EXPECT_EQ_U(gomap_type_init(&t, &gomap_key_u64, &big), GOMAP_OK);
		int st = -1;
		gomap *m = gomap_make(&t, 100, &e.hooks, &st);
		GM_EXPECT(m == NULL);
		GM_EXPECT_EQ_U(st, GOMAP_ENOMEM);
		GM_EXPECT_EQ_U(e.alloc.live_blocks, 0);
	}
}

/* gomap_make refuses what Go's compiler could never pass it (no type, a
 * type never initialised, an allocator without its free), and a NULL
 * status pointer is allowed. */
GM_TEST(create__make_refuses_bad_arguments)
{
	gomap_type t = ct_type("u64", "u64");
	int st = -1;
	GM_EXPECT(gomap_make(NULL, 0, NULL, &st) == NULL);
	GM_EXPECT_EQ_U(st, GOMAP_EINVAL);
	gomap_type blank;
	memset(&blank, 0, sizeof blank);
	st = -1;
	GM_EXPECT(gomap_make(&blank, 0, NULL, &st) == NULL);
	GM_EXPECT_EQ_U(st, GOMAP_EINVAL);
	ct_env e;
	ct_env_init(&e, 1, CT_HOOK_ALLOC);
	e.hooks.free = NULL;
	st = -1;
	GM_EXPECT(gomap_make(&t, 0, &e.hooks, &st) == NULL);
	GM_EXPECT_EQ_U(st, GOMAP_EINVAL);
	GM_EXPECT_EQ_U(e.alloc.nallocs, 0);
	GM_EXPECT(gomap_make(NULL, 0, NULL, NULL) == NULL);
	gomap *m = gomap_make(&t, 0, NULL, NULL);
	GM_EXPECT(m != NULL);
	gomap_destroy(m);
}

GM_TEST_MAIN()
