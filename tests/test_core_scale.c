/* A million entries: insert, look every key up, iterate, delete all,
 * with gomap_check on the full and on the emptied map. */
#include <stdlib.h>
#include <string.h>

#include "support/core_helpers.h"

enum { N = 1000000 };

static uint64_t key_of(uint64_t i)
{
	return i * UINT64_C(0x9e3779b97f4a7c15) + 12345; /* distinct */
}

GM_TEST(scale__million_u64_fast_path)
{
	ct_env e;
	ct_env_init(&e, 1, 0);
	gomap *m = ct_make(&e, "u64", "u64", 0);
	for (uint64_t i = 0; i < N; i++) {
		void *el;
		if (gomap_assign_fast64(m, key_of(i), &el) != GOMAP_OK) {
			GM_EXPECT(!"assign failed");
			break;
		}
		*(uint64_t *)el = i;
	}
	GM_EXPECT_EQ_U(gomap_len(m), N);
	long bad = 0;
	for (uint64_t i = 0; i < N; i++) {
		bool found;
		const uint64_t *v = gomap_access2_fast64(m, key_of(i), &found);
		bad += !found || *v != i;
	}
	GM_EXPECT_EQ_U(bad, 0);
	CT_CHECK(m);
	uint8_t *seen = calloc(N, 1);
	size_t n = 0;
	gomap_iter it;
	for (gomap_iter_init(m, &it); it.key; gomap_iter_next(&it), n++) {
		uint64_t v = *(const uint64_t *)it.elem;
		bad += v >= N || seen[v] || *(const uint64_t *)it.key != key_of(v);
		if (v < N)
			seen[v] = 1;
	}
	GM_EXPECT_EQ_U(n, N);
	GM_EXPECT_EQ_U(bad, 0);
	free(seen);
	for (uint64_t i = 0; i < N; i++)
		bad += gomap_delete_fast64(m, key_of(i)) != GOMAP_OK;
	GM_EXPECT_EQ_U(bad, 0);
	GM_EXPECT_EQ_U(gomap_len(m), 0);
	GM_EXPECT_EQ_U(ct_hdr(m).B, 18);
	CT_CHECK(m);
	gomap_destroy(m);
}

GM_TEST(scale__million_str_generic_path)
{
	ct_env e;
	ct_env_init(&e, 2, 0);
	gomap *m = ct_make(&e, "str", "u32", 0);
	char *text = malloc((size_t)N * 12);
	gomap_str *keys = malloc(N * sizeof *keys);
	for (uint32_t i = 0; i < N; i++) {
		char *s = text + (size_t)i * 12;
		int len = snprintf(s, 12, "k%u", i * 7u);
		keys[i] = (gomap_str){(const uint8_t *)s, (size_t)len};
		void *el;
		if (gomap_assign(m, &keys[i], &el) != GOMAP_OK) {
			GM_EXPECT(!"assign failed");
			break;
		}
		memcpy(el, &i, 4);
	}
	GM_EXPECT_EQ_U(gomap_len(m), N);
	long bad = 0;
	for (uint32_t i = 0; i < N; i++) {
		bool found;
		const uint32_t *v = gomap_access2(m, &keys[i], &found);
		bad += !found || *v != i;
	}
	GM_EXPECT_EQ_U(bad, 0);
	size_t n = 0;
	gomap_iter it;
	for (gomap_iter_init(m, &it); it.key; gomap_iter_next(&it), n++)
		bad += ((const gomap_str *)it.key)->ptr !=
		       keys[*(const uint32_t *)it.elem].ptr;
	GM_EXPECT_EQ_U(n, N);
	GM_EXPECT_EQ_U(bad, 0);
	for (uint32_t i = 0; i < N; i++)
		bad += gomap_delete(m, &keys[i]) != GOMAP_OK;
	GM_EXPECT_EQ_U(bad, 0);
	GM_EXPECT_EQ_U(gomap_len(m), 0);
	CT_CHECK(m);
	gomap_destroy(m);
	free(keys);
	free(text);
}

GM_TEST_MAIN()
