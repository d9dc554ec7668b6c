/* Section J of go-map-rules.md: the fast32/fast64/faststr entry points
 * build exactly what the generic ones build (rule 66), and keep their
 * own lookup rules (19, 20) and selection (65). */
#include <string.h>

#include "support/core_helpers.h"
#include "map_internal.h"

enum path { GENERIC, FAST32, FAST64, FASTSTR };

typedef struct lane {
	gomap *m;
	enum path path;
	int width; /* key bytes: 4 or 8; 0 for strings */
} lane;

enum { NSTR = 600 };
static char strpool[2][NSTR][64];

static void init_strpool(void)
{
	for (int i = 0; i < NSTR; i++) {
		char *s = strpool[0][i];
		if (i % 5 == 0) /* long keys sharing first/last 4 bytes */
			snprintf(s, 64, "head%0*dtail", 32 + i % 3, i);
		else
			snprintf(s, 64, "%d", i * 7);
		memcpy(strpool[1][i], s, 64); /* same bytes, other pointer */
	}
}

static gomap_str pool_str(uint64_t kn, int copy)
{
	const char *s = strpool[copy][kn % NSTR];
	return (gomap_str){(const uint8_t *)s, strlen(s)};
}

static uint64_t key_value(uint64_t kn)
{
	return kn * UINT64_C(0x9e3779b97f4a7c15) >> 20;
}

/* Runs one op on a lane; returns status, *found/value for gets. */
static int lane_op(lane *l, int op, uint64_t kn, int copy, uint64_t v,
                   bool *found, uint64_t *got)
{
	uint64_t k64 = key_value(kn);
	uint32_t k32 = (uint32_t)k64;
	gomap_str ks = pool_str(kn, copy);
	const void *kp = l->width == 4 ? (const void *)&k32
	                 : l->width == 8 ? (const void *)&k64 : (const void *)&ks;
	void *e = NULL;
	const void *r = NULL;
	int st = GOMAP_OK;
	switch (op) {
	case 0: /* put */
		switch (l->path) {
		case GENERIC: st = gomap_assign(l->m, kp, &e); break;
		case FAST32: st = gomap_assign_fast32(l->m, k32, &e); break;
		case FAST64: st = gomap_assign_fast64(l->m, k64, &e); break;
		case FASTSTR: st = gomap_assign_faststr(l->m, ks, &e); break;
		}
		if (st == GOMAP_OK)
			memcpy(e, &v, 8);
		return st;
	case 1: /* get */
		switch (l->path) {
		case GENERIC: r = gomap_access2(l->m, kp, found); break;
		case FAST32: r = gomap_access2_fast32(l->m, k32, found); break;
		case FAST64: r = gomap_access2_fast64(l->m, k64, found); break;
		case FASTSTR: r = gomap_access2_faststr(l->m, ks, found); break;
		}
		memcpy(got, r, 8);
		/* access1 agrees with access2 */
		switch (l->path) {
		case GENERIC: r = gomap_access1(l->m, kp); break;
		case FAST32: r = gomap_access1_fast32(l->m, k32); break;
		case FAST64: r = gomap_access1_fast64(l->m, k64); break;
		case FASTSTR: r = gomap_access1_faststr(l->m, ks); break;
		}
		GM_EXPECT(memcmp(r, got, 8) == 0);
		return GOMAP_OK;
	case 2: /* del */
		switch (l->path) {
		case GENERIC: return gomap_delete(l->m, kp);
		case FAST32: return gomap_delete_fast32(l->m, k32);
		case FAST64: return gomap_delete_fast64(l->m, k64);
		case FASTSTR: return gomap_delete_faststr(l->m, ks);
		}
		break;
	case 3:
		return gomap_clear(l->m);
	}
	return GOMAP_OK;
}

/* The same random op sequence on every lane; after each op all dumps
 * must be byte-identical and all results equal. */
static void run_lanes(lane *lanes, int n, uint64_t seed, int nops)
{
	uint64_t s = seed;
	uint64_t range = 16;
	for (int i = 0; i < nops; i++) {
		if (i % 500 == 0) /* phases: small, growing, shrinking maps */
			range = (uint64_t[]){16, 1000, 300, 60, 600, 9}[(i / 500) % 6];
		uint64_t r = ct_next(&s) % 100;
		int op = r < 50 ? 0 : r < 75 ? 1 : r < 99 ? 2 : 3;
		if (op == 3 && ct_next(&s) % 4)
			op = 1;
		uint64_t kn = ct_next(&s) % range, v = ct_next(&s);
		int copy = (int)(ct_next(&s) & 1);
		int st0 = 0;
		bool f0 = false;
		uint64_t g0 = 0;
		char *d0 = NULL;
		for (int l = 0; l < n; l++) {
			bool f = false;
			uint64_t g = 0;
			int st = lane_op(&lanes[l], op, kn, copy, v, &f, &g);
			char *d = ct_dump(lanes[l].m);
			if (l == 0) {
				st0 = st;
				f0 = f;
				g0 = g;
				d0 = d;
				continue;
			}
			GM_EXPECT_EQ_U(st, st0);
			GM_EXPECT(f == f0 && g == g0);
			if (strcmp(d, d0) != 0) {
				fprintf(stderr, "op %d (%d key %llu): lane %d differs:\n%s"
				        "lane 0:\n%s", i, op, (unsigned long long)kn, l, d,
				        d0);
				GM_EXPECT(!"dumps differ");
				free(d);
				free(d0);
				return;
			}
			free(d);
		}
		free(d0);
		if (i % 250 == 0) { /* iterations draw alike and visit alike */
			uint64_t e0[2100], e1[2100];
			size_t n0 = ct_iter_all(lanes[0].m, NULL, e0, 2100);
			for (int l = 1; l < n; l++) {
				size_t n1 = ct_iter_all(lanes[l].m, NULL, e1, 2100);
				GM_EXPECT_EQ_U(n1, n0);
				GM_EXPECT(memcmp(e0, e1, (n0 < 2100 ? n0 : 2100) * 8) == 0);
			}
		}
	}
	for (int l = 0; l < n; l++)
		CT_CHECK(lanes[l].m);
}

static gomap *lane_map(ct_env *e, const gomap_keytype *kt)
{
	gomap_type t;
	GM_EXPECT_EQ_U(gomap_type_init(&t, kt, &gomap_elem_u64), GOMAP_OK);
	return ct_make_type(e, &t, 0);
}

GM_TEST(fast__fast64_and_generic_build_identical_dumps)
{
	for (uint64_t seed = 1; seed <= 2; seed++) {
		ct_env e;
		ct_env_init(&e, seed, 0);
		gomap_keytype b8;
		gomap_key_bytes(8, &b8);
		b8.format = gomap_key_u64.format; /* print bytes8 keys as u64 */
		lane lanes[4] = {
			{lane_map(&e, &gomap_key_u64), GENERIC, 8},
			{lane_map(&e, &gomap_key_u64), FAST64, 8},
			{lane_map(&e, &b8), FAST64, 8},
			{lane_map(&e, &b8), GENERIC, 8},
		};
		GM_EXPECT_EQ_U(gomap_type_of(lanes[2].m)->fast, GOMAP_FAST_64);
		run_lanes(lanes, 4, seed, 3000);
		for (int l = 0; l < 4; l++)
			gomap_destroy(lanes[l].m);
	}
}

GM_TEST(fast__fast32_and_generic_build_identical_dumps)
{
	for (uint64_t seed = 1; seed <= 2; seed++) {
		ct_env e;
		ct_env_init(&e, seed, 0);
		gomap_keytype b4;
		gomap_key_bytes(4, &b4);
		b4.format = gomap_key_u32.format;
		lane lanes[4] = {
			{lane_map(&e, &gomap_key_u32), GENERIC, 4},
			{lane_map(&e, &gomap_key_u32), FAST32, 4},
			{lane_map(&e, &b4), FAST32, 4},
			{lane_map(&e, &b4), GENERIC, 4},
		};
		GM_EXPECT_EQ_U(gomap_type_of(lanes[2].m)->fast, GOMAP_FAST_32);
		run_lanes(lanes, 4, seed, 3000);
		for (int l = 0; l < 4; l++)
			gomap_destroy(lanes[l].m);
	}
}

GM_TEST(fast__faststr_and_generic_build_identical_dumps)
{
	init_strpool();
	for (uint64_t seed = 1; seed <= 2; seed++) {
		ct_env e;
		ct_env_init(&e, seed, 0);
		lane lanes[2] = {
			{lane_map(&e, &gomap_key_str), GENERIC, 0},
			{lane_map(&e, &gomap_key_str), FASTSTR, 0},
		};
		run_lanes(lanes, 2, seed, 3000);
		for (int l = 0; l < 2; l++)
			gomap_destroy(lanes[l].m);
	}
}

/* rule 19: fast32/64 match keys only in non-empty slots: a deleted key's
 * stale bits, or the zero bits of fresh slots, are never found. */
GM_TEST(fast__deleted_and_zero_keys_are_not_found)
{
	gomap *m = ct_make(NULL, "u64", "u64", 0);
	void *e;
	gomap_assign_fast64(m, 42, &e);
	*(uint64_t *)e = 1;
	gomap_delete_fast64(m, 42);
	gomap_assign_fast64(m, 5, &e);
	*(uint64_t *)e = 2;
	bool found = true;
	gomap_access2_fast64(m, 42, &found);
	GM_EXPECT(!found);
	gomap_access2_fast64(m, 0, &found); /* zero bits in empty slots */
	GM_EXPECT(!found);
	GM_EXPECT_EQ_U(gomap_delete_fast64(m, 0), GOMAP_OK);
	GM_EXPECT_EQ_U(gomap_len(m), 1);
	gomap_destroy(m);

	m = ct_make(NULL, "u32", "u64", 0);
	gomap_assign_fast32(m, 7, &e);
	gomap_delete_fast32(m, 7);
	gomap_assign_fast32(m, 8, &e);
	gomap_access2_fast32(m, 7, &found);
	GM_EXPECT(!found);
	gomap_access2_fast32(m, 0, &found);
	GM_EXPECT(!found);
	gomap_destroy(m);
}

/* rule 20 (Go: TestSingleBucketMapStringKeys_DupLen / _NoDupLen): the
 * one-bucket faststr lookup with long keys alike at both ends. */
GM_TEST(fast__single_bucket_string_keys_alike_at_both_ends)
{
	static const char *keys[] = {
		"", "1", "123", "short key under 32 bytes",
		"abcdxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxwxyz", /* 40 bytes */
		"abcdyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyywxyz", /* same len, ends */
		"abcdzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzwxyz", /* other len */
	};
	enum { N = sizeof keys / sizeof keys[0] };
	for (int dup = 0; dup < 2; dup++) {
		gomap *m = ct_make(NULL, "str", "u64", 0);
		for (int i = 0; i < N; i++) {
			if (!dup && i == 5)
				continue;
			void *e;
			gomap_str s = {(const uint8_t *)keys[i], strlen(keys[i])};
			GM_EXPECT_EQ_U(gomap_assign_faststr(m, s, &e), GOMAP_OK);
			*(uint64_t *)e = (uint64_t)i + 100;
		}
		GM_EXPECT_EQ_U(ct_hdr(m).B, 0);
		for (int i = 0; i < N; i++) {
			char copy[64]; /* other pointer, same bytes */
			memcpy(copy, keys[i], strlen(keys[i]) + 1);
			gomap_str s = {(const uint8_t *)copy, strlen(copy)};
			bool found;
			const uint64_t *v = gomap_access2_faststr(m, s, &found);
			bool want = dup || i != 5;
			GM_EXPECT(found == want);
			GM_EXPECT_EQ_U(*v, want ? (uint64_t)i + 100 : 0);
		}
		char other[] = "abcdqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqwxyz";
		bool found;
		gomap_access2_faststr(m, (gomap_str){(const uint8_t *)other, 40},
		                      &found);
		GM_EXPECT(!found);
		gomap_destroy(m);
	}
}

/* rule 65: a fast entry point on a map whose type selects another path
 * is refused. */
GM_TEST(fast__wrong_path_is_refused)
{
	gomap *m = ct_make(NULL, "u64", "u64", 0);
	void *e;
	bool found = true;
	GM_EXPECT_EQ_U(gomap_assign_fast32(m, 1, &e), GOMAP_EINVAL);
	GM_EXPECT_EQ_U(gomap_assign_faststr(m, (gomap_str){0}, &e), GOMAP_EINVAL);
	GM_EXPECT_EQ_U(gomap_delete_fast32(m, 1), GOMAP_EINVAL);
	gomap_access2_fast32(m, 1, &found);
	GM_EXPECT(!found);
	GM_EXPECT_EQ_U(gomap_len(m), 0);
	gomap_destroy(m);
	m = ct_make(NULL, "f64", "u64", 0); /* floats take the generic path */
	GM_EXPECT_EQ_U(gomap_assign_fast64(m, 1, &e), GOMAP_EINVAL);
	gomap_destroy(m);
	m = ct_make(NULL, "u64", "bytes129", 0); /* big elem: generic */
	GM_EXPECT_EQ_U(gomap_type_of(m)->fast, GOMAP_FAST_NONE);
	GM_EXPECT_EQ_U(gomap_assign_fast64(m, 1, &e), GOMAP_EINVAL);
	gomap_destroy(m);
}

/* rule 65, every fast entry point: on a map of another path the reads
 * miss and the writes are refused, leaving the map as it was; on a NULL
 * map they behave as the generic ones (rule 14). */
GM_TEST(fast__every_entry_point_checks_its_path)
{
	gomap *m = ct_make(NULL, "f64", "u64", 0); /* floats: generic path */
	ct_put_f(m, 1.0, 5);
	char *before = ct_dump(m);
	void *e = &e;
	bool found = true;
	gomap_str s = {(const uint8_t *)"x", 1};
	const uint64_t *zero;
	for (int null = 0; null < 2; null++) {
		gomap *mm = null ? NULL : m;
		zero = gomap_access1_fast32(mm, 1);
		GM_EXPECT(zero != NULL && *zero == 0);
		zero = gomap_access1_fast64(mm, 1);
		GM_EXPECT(zero != NULL && *zero == 0);
		zero = gomap_access1_faststr(mm, s);
		GM_EXPECT(zero != NULL && *zero == 0);
		found = true;
		gomap_access2_fast32(mm, 1, &found);
		GM_EXPECT(!found);
		found = true;
		gomap_access2_fast64(mm, 1, &found);
		GM_EXPECT(!found);
		found = true;
		gomap_access2_faststr(mm, s, &found);
		GM_EXPECT(!found);
		int refused = null ? GOMAP_EPANIC : GOMAP_EINVAL;
		GM_EXPECT_EQ_U(gomap_assign_fast32(mm, 1, &e), refused);
		GM_EXPECT_EQ_U(gomap_assign_fast64(mm, 1, &e), refused);
		GM_EXPECT_EQ_U(gomap_assign_faststr(mm, s, &e), refused);
		GM_EXPECT(e == NULL || !null);
		refused = null ? GOMAP_OK : GOMAP_EINVAL;
		GM_EXPECT_EQ_U(gomap_delete_fast32(mm, 1), refused);
		GM_EXPECT_EQ_U(gomap_delete_fast64(mm, 1), refused);
		GM_EXPECT_EQ_U(gomap_delete_faststr(mm, s), refused);
	}
	CT_EXPECT_DUMP(m, before);
	free(before);
	gomap_destroy(m);
}

/* rule 20: the one-bucket faststr lookup takes a slot whose string has
 * the key's very pointer (and length) without comparing bytes. */
GM_TEST(fast__single_bucket_string_key_found_by_its_pointer)
{
	static const char text[] = "a long key of more than thirty-two bytes";
	gomap *m = ct_make(NULL, "str", "u64", 0);
	void *e;
	for (size_t len = 1; len <= 3; len++) {
		gomap_str s = {(const uint8_t *)"abc", len};
		GM_EXPECT_EQ_U(gomap_assign_faststr(m, s, &e), GOMAP_OK);
		*(uint64_t *)e = len;
	}
	gomap_str key = {(const uint8_t *)text, sizeof text - 1};
	GM_EXPECT_EQ_U(gomap_assign_faststr(m, key, &e), GOMAP_OK);
	*(uint64_t *)e = 99;
	GM_EXPECT_EQ_U(ct_hdr(m).B, 0);
	bool found = false;
	const uint64_t *v = gomap_access2_faststr(m, key, &found);
	GM_EXPECT(found && *v == 99);
	v = gomap_access1_faststr(m, (gomap_str){(const uint8_t *)"abc", 2});
	GM_EXPECT_EQ_U(*v, 2);
	gomap_destroy(m);
}

GM_TEST_MAIN()
