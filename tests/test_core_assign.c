/* Section D of go-map-rules.md: mapassign and its fast variants. */
#include <setjmp.h>
#include <string.h>

#include "support/core_helpers.h"
#include "map_internal.h"

/* rule 21: assignment to a nil map is Go's panic. */
GM_TEST(assign__nil_map_panics)
{
	void *e = (void *)1;
	uint64_t k = 1;
	GM_EXPECT_EQ_U(gomap_assign(NULL, &k, &e), GOMAP_EPANIC);
	GM_EXPECT(e == NULL);
	GM_EXPECT_EQ_U(gomap_assign_fast64(NULL, 1, &e), GOMAP_EPANIC);
	GM_EXPECT_EQ_U(gomap_assign_faststr(NULL, (gomap_str){0}, &e),
	               GOMAP_EPANIC);
	GM_EXPECT_STR(gomap_strerror(GOMAP_EPANIC), "assignment to entry in nil map");
}

/* rule 22: the flag is set after hashing, so a hash that unwinds (Go: a
 * panicking hasher; here longjmp) leaves the map writable. */
static jmp_buf unwind;
static uint64_t unwinding_hash(const gomap_keytype *kt, const void *key,
                               uint64_t seed, gomap *m)
{
	uint64_t k;
	memcpy(&k, key, 8);
	if (k == 666)
		longjmp(unwind, 1);
	return gomap_key_u64.hash(kt, key, seed, m);
}

GM_TEST(assign__hash_that_unwinds_leaves_the_map_writable)
{
	gomap_keytype kt = gomap_key_u64;
	kt.hash = unwinding_hash;
	kt.fast = GOMAP_FAST_NONE;
	gomap_type t;
	gomap_type_init(&t, &kt, &gomap_elem_u64);
	ct_env e;
	ct_env_init(&e, 1, 0);
	gomap *m = ct_make_type(&e, &t, 0);
	for (uint64_t k = 0; k < 30; k++)
		GM_EXPECT_EQ_U(ct_put(m, k, k), GOMAP_OK); /* growing */
	char *before = ct_dump(m);
	volatile int unwound = 0;
	if (setjmp(unwind) == 0)
		ct_put(m, 666, 1);
	else
		unwound++;
	if (setjmp(unwind) == 0)
		ct_del(m, 666);
	else
		unwound++;
	GM_EXPECT_EQ_U(unwound, 2);
	CT_EXPECT_DUMP(m, before);
	free(before);
	GM_EXPECT_EQ_U(ct_put(m, 31, 31), GOMAP_OK);
	GM_EXPECT_EQ_U(ct_del(m, 3), GOMAP_OK);
	GM_EXPECT_EQ_U(e.fail.count, 0);
	CT_CHECK(m);
	gomap_destroy(m);
}

/* rule 23: updating an existing key during growth still does growWork. */
GM_TEST(assign__update_during_growth_evacuates)
{
	gomap *m = ct_make(NULL, "u64", "u64", 0);
	for (uint64_t k = 0; k < 27; k++)
		ct_put(m, k, k);
	gomap_header_view h = ct_hdr(m);
	GM_EXPECT(h.growing);
	uintptr_t nev = h.nevacuate;
	/* an existing key whose old bucket is nevacuate */
	uint64_t k = 0;
	while ((ct_hash_u64(m, k) & 3) != nev)
		k++;
	GM_EXPECT(k < 27);
	GM_EXPECT_EQ_U(ct_put(m, k, 1000), GOMAP_OK);
	GM_EXPECT_EQ_U(gomap_len(m), 27);
	h = ct_hdr(m);
	GM_EXPECT(!h.growing || h.nevacuate > nev);
	uint64_t v;
	GM_EXPECT(ct_get(m, k, &v) && v == 1000);
	CT_CHECK(m);
	gomap_destroy(m);
}

/* rule 24: the first empty slot of the chain takes a new key. */
GM_TEST(assign__new_key_takes_first_free_slot)
{
	gomap *m = ct_make(NULL, "u64", "u64", 0);
	ct_put(m, 10, 1);
	ct_put(m, 11, 2);
	ct_put(m, 12, 3);
	ct_del(m, 10);
	ct_put(m, 13, 4);
	GM_EXPECT(ct_dump_has(m, " 0:13=4 1:11=2 2:12=3\n"));
	CT_CHECK(m);
	gomap_destroy(m);
}

/* rules 26, 27, 44: growth starts on the new key that would exceed
 * 6.5 per bucket (strict >), and small growths finish at once. */
GM_TEST(assign__load_factor_boundaries_and_small_growths)
{
	static const struct { int n; unsigned B; int growing; } steps[] = {
		{8, 0, 0},  {9, 1, 0},  {13, 1, 0}, {14, 2, 0},
		{26, 2, 0}, {27, 3, 1}, {52, 3, -1}, {53, 4, 1},
	};
	gomap *m = ct_make(NULL, "u64", "u64", 0);
	int n = 0;
	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		while (n < steps[i].n) {
			GM_EXPECT_EQ_U(ct_put(m, (uint64_t)n * 31, n), GOMAP_OK);
			n++;
		}
		gomap_header_view h = ct_hdr(m);
		GM_EXPECT_EQ_U(h.B, steps[i].B);
		if (steps[i].growing >= 0)
			GM_EXPECT_EQ_U(h.growing, steps[i].growing);
		/* updates never start a growth */
		if (!h.growing) {
			GM_EXPECT_EQ_U(ct_put(m, 0, 7), GOMAP_OK);
			GM_EXPECT_EQ_U(ct_hdr(m).B, steps[i].B);
		}
		CT_CHECK(m);
	}
	gomap_destroy(m);
}

/* rule 29: a full chain gets one overflow bucket; its slot 0 is used. */
GM_TEST(assign__full_chain_gets_one_overflow_bucket)
{
	gomap *m = ct_make(NULL, "u64", "u64", 9); /* B=1 */
	uint64_t k = 0;
	for (int i = 0; i < 9; i++) {
		k = ct_key_in_bucket(m, k, 1, 1);
		ct_put(m, k++, i);
	}
	gomap_header_view h = ct_hdr(m);
	GM_EXPECT_EQ_U(h.B, 1);
	GM_EXPECT_EQ_U(h.noverflow, 1);
	char *d = ct_dump(m);
	GM_EXPECT(strstr(d, "  new[1].ovf1@heap th=[") != NULL);
	GM_EXPECT(strstr(d, "ovf2") == NULL);
	const char *o = strstr(d, "ovf1@heap th=[");
	GM_EXPECT(o && strstr(o, " 0:") != NULL && strstr(o, " 1:") == NULL);
	free(d);
	CT_CHECK(m);
	gomap_destroy(m);
}

/* rule 30: a new entry's elem reads zero, also after a delete left the
 * slot behind (Go: TestIncrementAfterDeleteValueInt and siblings). */
GM_TEST(assign__increment_after_delete_starts_from_zero)
{
	const char *kinds[][2] = {{"u64", "u64"}, {"u32", "u32"}, {"str", "u64"},
	                          {"u64", "bytes200"}, {"bytes129", "u64"}};
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		gomap *m = ct_make(NULL, kinds[i][0], kinds[i][1], 0);
		uint8_t key[129] = {0};
		gomap_str s = {(const uint8_t *)"k", 1};
		const void *kp = strcmp(kinds[i][0], "str") == 0 ? (const void *)&s
		                                                 : (const void *)key;
		void *e;
		GM_EXPECT_EQ_U(gomap_assign(m, kp, &e), GOMAP_OK);
		memset(e, 0x55, 4);
		GM_EXPECT_EQ_U(gomap_delete(m, kp), GOMAP_OK);
		GM_EXPECT_EQ_U(gomap_assign(m, kp, &e), GOMAP_OK);
		uint32_t v;
		memcpy(&v, e, 4);
		GM_EXPECT_EQ_U(v, 0);
		gomap_destroy(m);
	}
	/* the fast path too */
	gomap *m = ct_make(NULL, "u64", "u64", 0);
	void *e;
	gomap_assign_fast64(m, 3, &e);
	*(uint64_t *)e = 5;
	gomap_delete_fast64(m, 3);
	gomap_assign_fast64(m, 3, &e);
	*(uint64_t *)e += 1;
	GM_EXPECT_EQ_U(*(const uint64_t *)gomap_access1_fast64(m, 3), 1);
	gomap_destroy(m);
}

GM_TEST_MAIN()
