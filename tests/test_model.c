/* The reference model: Go's key equality (NaN, +0/-0, strings), key
 * update on assignment, clear, delete of absent keys, inc, snapshots, and
 * uthash's own structure check. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "harness.h"
#include "model.h"

static const orc_valtype k_u64 = {ORC_MEM, 8}, k_f64 = {ORC_F64, 8},
			 k_str = {ORC_STR, sizeof(gomap_str)}, e_u8 = {ORC_MEM, 1},
			 e_u32 = {ORC_MEM, 4}, e_u64 = {ORC_MEM, 8};

static bool get_f64(orc_model *m, double k, uint64_t *v, double *stored)
{
	const void *e, *key;
	if (!orc_get(m, &k, &e, &key))
		return false;
	memcpy(v, e, 8);
	memcpy(stored, key, 8);
	return true;
}

static void put_f64(orc_model *m, double k, uint64_t v)
{
	GM_EXPECT(orc_put(m, &k, &v) == 0);
}

/* A model that also checks uthash's structure after every change. */
static orc_model *paranoid_model(orc_valtype key, orc_valtype elem)
{
	orc_model *m = orc_model_new(key, elem);
	if (m)
		orc_model_set_paranoid(m, true);
	return m;
}

static void expect_fsck_clean(orc_model *m)
{
	char msg[256];
	int n = orc_fsck(m, msg, sizeof msg);
	GM_EXPECT_EQ_U(n, 0);
	if (n)
		fprintf(stderr, "  fsck: %s\n", msg);
}

GM_TEST(model__nan_keys_are_never_found_but_counted)
{
	orc_model *m = paranoid_model(k_f64, e_u64);
	GM_EXPECT(m != NULL);
	double nan = NAN, k = 0;
	uint64_t v = 0;
	put_f64(m, nan, 3);
	put_f64(m, nan, 4);
	put_f64(m, -nan, 5);
	GM_EXPECT_EQ_U(orc_len(m), 3);              /* every put adds one */
	GM_EXPECT(!get_f64(m, nan, &v, &k));        /* no get finds one */
	GM_EXPECT(!orc_del(m, &nan));               /* no del removes one */
	GM_EXPECT_EQ_U(orc_len(m), 3);
	GM_EXPECT(orc_inc(m, &nan) == 0);           /* m[NaN]++ adds one too */
	GM_EXPECT_EQ_U(orc_len(m), 4);

	size_t n = 0;
	orc_pair e;
	uint64_t sum = 0;
	for (orc_cursor c = orc_begin(m); orc_step(&c, &e); n++) {
		double key;
		memcpy(&key, e.key, 8);
		GM_EXPECT(isnan(key));
		memcpy(&v, e.elem, 8);
		sum += v;
	}
	GM_EXPECT_EQ_U(n, 4);
	GM_EXPECT_EQ_U(sum, 3 + 4 + 5 + 1);

	put_f64(m, 1.5, 15);
	GM_EXPECT(get_f64(m, 1.5, &v, &k) && v == 15);
	expect_fsck_clean(m);
	orc_clear(m);                               /* but clear sees them */
	GM_EXPECT_EQ_U(orc_len(m), 0);
	GM_EXPECT(!get_f64(m, 1.5, &v, &k));
	orc_model_free(m);
}

GM_TEST(model__zero_and_negative_zero_are_one_key_updated_in_place)
{
	orc_model *m = paranoid_model(k_f64, e_u64);
	uint64_t v = 0;
	double stored = 1;
	put_f64(m, 0.0, 1);
	put_f64(m, -0.0, 2);
	GM_EXPECT_EQ_U(orc_len(m), 1);
	GM_EXPECT(get_f64(m, 0.0, &v, &stored));
	GM_EXPECT_EQ_U(v, 2);
	GM_EXPECT(stored == 0 && signbit(stored)); /* the key reads -0 now */
	GM_EXPECT(get_f64(m, -0.0, &v, &stored) && v == 2);

	put_f64(m, 0.0, 3);                          /* and back to +0 */
	GM_EXPECT(get_f64(m, -0.0, &v, &stored));
	GM_EXPECT(v == 3 && !signbit(stored));

	double negz = -0.0;
	GM_EXPECT(orc_inc(m, &negz) == 0);           /* inc assigns too */
	GM_EXPECT(get_f64(m, 0.0, &v, &stored));
	GM_EXPECT(v == 4 && signbit(stored));
	GM_EXPECT(orc_del(m, &(double){0.0}));      /* either zero deletes it */
	GM_EXPECT_EQ_U(orc_len(m), 0);
	expect_fsck_clean(m);
	orc_model_free(m);
}

GM_TEST(model__str_keys_compare_bytes_and_keep_the_latest_pointer)
{
	orc_model *m = paranoid_model(k_str, e_u8);
	static const uint8_t buf1[] = "ab", buf2[] = "ab", buf3[] = "abc";
	gomap_str s1 = {buf1, 2}, s2 = {buf2, 2}, s3 = {buf3, 2}, empty = {NULL, 0};
	uint8_t v1 = 1, v2 = 2, v3 = 3, v4 = 4;
	GM_EXPECT(orc_put(m, &s1, &v1) == 0);
	GM_EXPECT(orc_put(m, &s2, &v2) == 0);
	GM_EXPECT_EQ_U(orc_len(m), 1);
	const void *e, *k;
	GM_EXPECT(orc_get(m, &s3, &e, &k)); /* "ab" from a third buffer */
	gomap_str stored;
	memcpy(&stored, k, sizeof stored);
	GM_EXPECT(stored.ptr == buf2);      /* Go: needkeyupdate */
	GM_EXPECT_EQ_U(*(const uint8_t *)e, 2);

	gomap_str abc = {buf3, 3};
	GM_EXPECT(!orc_get(m, &abc, NULL, NULL)); /* a longer string differs */
	GM_EXPECT(orc_put(m, &abc, &v3) == 0);
	GM_EXPECT(orc_put(m, &empty, &v4) == 0);  /* "" is a key like any */
	GM_EXPECT_EQ_U(orc_len(m), 3);
	gomap_str empty2 = {buf1, 0};
	GM_EXPECT(orc_get(m, &empty2, &e, NULL) && *(const uint8_t *)e == 4);
	expect_fsck_clean(m);
	orc_model_free(m);
}

GM_TEST(model__integer_keys_delete_and_clear)
{
	orc_model *m = paranoid_model(k_u64, e_u32);
	for (uint64_t i = 0; i < 1000; i++) {
		uint32_t v = (uint32_t)(i * 3);
		GM_EXPECT(orc_put(m, &i, &v) == 0);
	}
	GM_EXPECT_EQ_U(orc_len(m), 1000);
	uint64_t absent = 5000;
	GM_EXPECT(!orc_del(m, &absent));            /* del of an absent key */
	GM_EXPECT_EQ_U(orc_len(m), 1000);
	for (uint64_t i = 0; i < 1000; i += 2)
		GM_EXPECT(orc_del(m, &i));
	uint64_t two = 2, three = 3;
	GM_EXPECT(!orc_del(m, &two));               /* already gone */
	const void *e;
	GM_EXPECT(orc_get(m, &three, &e, NULL));
	uint32_t v;
	memcpy(&v, e, 4);
	GM_EXPECT_EQ_U(v, 9);
	GM_EXPECT_EQ_U(orc_len(m), 500);

	size_t n = 0;
	orc_pair pair;
	bool ordered = true; /* insertion order */
	uint64_t prev = 0;
	for (orc_cursor c = orc_begin(m); orc_step(&c, &pair); n++) {
		uint64_t a;
		memcpy(&a, pair.key, 8);
		ordered &= (n == 0 || prev < a) && (a & 1);
		prev = a;
	}
	GM_EXPECT_EQ_U(n, 500);
	GM_EXPECT(ordered);
	expect_fsck_clean(m);

	orc_clear(m);
	GM_EXPECT_EQ_U(orc_len(m), 0);
	orc_cursor empty = orc_begin(m);
	GM_EXPECT(!orc_step(&empty, &pair));
	GM_EXPECT(!orc_get(m, &three, NULL, NULL));
	orc_clear(m);                                /* clear of empty */
	GM_EXPECT_EQ_U(orc_len(m), 0);
	GM_EXPECT(orc_put(m, &three, &v) == 0);     /* usable after clear */
	GM_EXPECT_EQ_U(orc_len(m), 1);
	orc_model_free(m);
}

GM_TEST(model__inc_wraps_and_needs_an_integer_elem)
{
	orc_model *m = paranoid_model(k_u64, e_u8);
	uint64_t k = 1;
	uint8_t v = 254;
	GM_EXPECT(orc_put(m, &k, &v) == 0);
	GM_EXPECT(orc_inc(m, &k) == 0);
	GM_EXPECT(orc_inc(m, &k) == 0);
	const void *e;
	GM_EXPECT(orc_get(m, &k, &e, NULL) && *(const uint8_t *)e == 0);
	uint64_t fresh = 9;
	GM_EXPECT(orc_inc(m, &fresh) == 0);          /* a missing key starts at 0 */
	GM_EXPECT(orc_get(m, &fresh, &e, NULL) && *(const uint8_t *)e == 1);
	orc_model_free(m);

	m = paranoid_model(k_u64, e_u64);
	uint64_t big = UINT64_MAX;
	GM_EXPECT(orc_put(m, &k, &big) == 0 && orc_inc(m, &k) == 0);
	GM_EXPECT(orc_get(m, &k, &e, NULL) && memcmp(e, &(uint64_t){0}, 8) == 0);
	orc_model_free(m);

	m = paranoid_model(k_u64, k_str);
	GM_EXPECT(orc_inc(m, &k) == -1);
	GM_EXPECT_EQ_U(orc_len(m), 0);
	orc_model_free(m);
}

/* The model hashes only both ends of a long key: keys that differ only
 * in the middle share a hash, and are still told apart. */
GM_TEST(model__long_keys_differing_only_in_the_middle_stay_distinct)
{
	orc_valtype k300 = {ORC_MEM, 300};
	orc_model *m = paranoid_model(k300, e_u64);
	GM_EXPECT(m != NULL);
	unsigned char key[300] = {0};
	for (uint64_t i = 0; i < 200; i++) {
		key[150] = (unsigned char)i;
		key[151] = (unsigned char)(i >> 8);
		GM_EXPECT(orc_put(m, key, &i) == 0);
	}
	GM_EXPECT_EQ_U(orc_len(m), 200);
	for (uint64_t i = 0; i < 200; i++) {
		const void *e;
		uint64_t v = 0;
		key[150] = (unsigned char)i;
		GM_EXPECT(orc_get(m, key, &e, NULL));
		memcpy(&v, e, 8);
		GM_EXPECT_EQ_U(v, i);
	}
	for (uint64_t i = 0; i < 200; i += 2) {
		key[150] = (unsigned char)i;
		GM_EXPECT(orc_del(m, key));
	}
	GM_EXPECT_EQ_U(orc_len(m), 100);
	key[150] = 3;
	GM_EXPECT(orc_get(m, key, NULL, NULL));
	key[150] = 4;
	GM_EXPECT(!orc_get(m, key, NULL, NULL));
	expect_fsck_clean(m);
	orc_model_free(m);
}

GM_TEST(model__rejects_impossible_types)
{
	GM_EXPECT(orc_model_new((orc_valtype){ORC_F64, 4}, e_u8) == NULL);
	GM_EXPECT(orc_model_new((orc_valtype){ORC_STR, 8}, e_u8) == NULL);
	GM_EXPECT(orc_model_new(k_u64, k_f64) == NULL);
	orc_model *m = paranoid_model((orc_valtype){ORC_MEM, 300}, (orc_valtype){ORC_MEM, 1024});
	GM_EXPECT(m != NULL);
	uint8_t key[300] = {1}, elem[1024] = {2};
	GM_EXPECT(orc_put(m, key, elem) == 0);
	key[299] = 1;
	GM_EXPECT(!orc_get(m, key, NULL, NULL));
	orc_model_free(m);
}

GM_TEST_MAIN()

GM_TEST(model__paranoid_only_when_asked)
{
	orc_model *m = orc_model_new(k_u64, e_u64);
	GM_EXPECT(m != NULL && !orc_model_paranoid(m)); /* replay's default */
	orc_model_set_paranoid(m, true);
	GM_EXPECT(orc_model_paranoid(m));
	for (uint64_t k = 0; k < 2000; k++) /* a check per change, and clean */
		GM_EXPECT(orc_put(m, &k, &k) == 0);
	for (uint64_t k = 0; k < 2000; k += 3)
		GM_EXPECT(orc_del(m, &k));
	GM_EXPECT_EQ_U(orc_len(m), 2000 - 667);
	expect_fsck_clean(m);
	orc_model_free(m);
}
