/* Go's portable hash, checked against vectors that Go 1.19's runtime
 * computed itself (tests/data/hash_vectors.txt, made by tests/go/hashvec).
 *
 * Each vector line is "kind hashkey0 seed data hash", all hex.  The raw
 * gomap_memhash* functions and the built-in key descriptors' hash
 * callbacks must both reproduce every line. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gomap.h"
#include "harness.h"

#define HASH_VECTORS GOMAP_SOURCE_DIR "/tests/data/hash_vectors.txt"

enum { MAX_KEY_BYTES = 1024 };

struct vector {
	char kind[16];
	uint64_t key0, seed, hash;
	uint64_t value;                /* u32, u64, f64 (IEEE bits) */
	uint8_t bytes[MAX_KEY_BYTES];  /* str, bytesN */
	size_t nbytes;
};

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* "-" is the empty byte string. */
static bool parse_hex_bytes(const char *s, uint8_t *out, size_t *n)
{
	*n = 0;
	if (strcmp(s, "-") == 0)
		return true;
	size_t len = strlen(s);
	if (len % 2 || len / 2 > MAX_KEY_BYTES)
		return false;
	for (size_t i = 0; i < len; i += 2) {
		int hi = hex_digit(s[i]), lo = hex_digit(s[i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		out[(*n)++] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

static bool is_bytes_kind(const char *kind)
{
	return strcmp(kind, "str") == 0 || strncmp(kind, "bytes", 5) == 0;
}

/* One non-comment line into *v; false on a malformed line. */
static bool parse_vector(const char *line, struct vector *v)
{
	static char data[2 * MAX_KEY_BYTES + 2];
	unsigned long long key0, seed, hash;
	if (sscanf(line, "%15s %llx %llx %2049s %llx", v->kind, &key0, &seed,
	           data, &hash) != 5)
		return false;
	v->key0 = key0;
	v->seed = seed;
	v->hash = hash;
	if (is_bytes_kind(v->kind))
		return parse_hex_bytes(data, v->bytes, &v->nbytes);
	v->value = strtoull(data, NULL, 16);
	return true;
}

typedef void (*vector_fn)(const struct vector *v, void *ctx);

/* Runs fn on every vector whose kind starts with `prefix`.  Returns how
 * many there were; a missing or malformed file fails the test. */
static long for_each_vector(const char *prefix, vector_fn fn, void *ctx)
{
	static char line[2 * MAX_KEY_BYTES + 128];
	static struct vector v;
	FILE *f = fopen(HASH_VECTORS, "r");
	GM_EXPECT(f != NULL);
	if (!f)
		return 0;
	long count = 0;
	while (fgets(line, sizeof line, f)) {
		if (line[0] == '#' || line[0] == '\n')
			continue;
		bool ok = parse_vector(line, &v);
		GM_EXPECT(ok);
		if (!ok || strncmp(v.kind, prefix, strlen(prefix)) != 0)
			continue;
		fn(&v, ctx);
		count++;
	}
	fclose(f);
	return count;
}

static double f64_from_bits(uint64_t bits)
{
	double d;
	memcpy(&d, &bits, sizeof d);
	return d;
}

/* ---- the raw hash functions ---------------------------------------- */

static void check_raw(const struct vector *v, void *ctx)
{
	uint64_t got;
	if (strcmp(v->kind, "u32") == 0)
		got = gomap_memhash32((uint32_t)v->value, v->seed, v->key0);
	else if (strcmp(v->kind, "u64") == 0)
		got = gomap_memhash64(v->value, v->seed, v->key0);
	else if (strcmp(v->kind, "f64") == 0)
		/* No NaN in the file, so no map is needed for a draw. */
		got = gomap_f64hash(f64_from_bits(v->value), v->seed, v->key0,
		                    NULL);
	else
		got = gomap_memhash(v->bytes, v->nbytes, v->seed, v->key0);
	if (got != v->hash)
		fprintf(stderr, "%s seed %llx len %zu: got %llx\n", v->kind,
		        (unsigned long long)v->seed, v->nbytes,
		        (unsigned long long)got);
	GM_EXPECT_EQ_U(got, v->hash);
}

GM_TEST(hash__memhash32_matches_go_vectors)
{
	GM_EXPECT(for_each_vector("u32", check_raw, NULL) >= 100);
}

GM_TEST(hash__memhash64_matches_go_vectors)
{
	GM_EXPECT(for_each_vector("u64", check_raw, NULL) >= 100);
}

GM_TEST(hash__f64hash_matches_go_vectors)
{
	GM_EXPECT(for_each_vector("f64", check_raw, NULL) >= 100);
}

GM_TEST(hash__memhash_of_strings_matches_go_vectors)
{
	GM_EXPECT(for_each_vector("str", check_raw, NULL) >= 130);
}

GM_TEST(hash__memhash_of_byte_arrays_matches_go_vectors)
{
	GM_EXPECT(for_each_vector("bytes", check_raw, NULL) >= 130);
}

/* The file must keep exercising every length class of memhash: all string
 * lengths 0..129 and byte arrays up to 1024. */
struct coverage {
	bool str_len[130];
	bool bytes_len[MAX_KEY_BYTES + 1];
	bool zero, negzero;
	long default_key0, other_key0;
};

static void note_coverage(const struct vector *v, void *ctx)
{
	struct coverage *c = ctx;
	if (strcmp(v->kind, "str") == 0 && v->nbytes < 130)
		c->str_len[v->nbytes] = true;
	if (strncmp(v->kind, "bytes", 5) == 0)
		c->bytes_len[v->nbytes] = true;
	if (strcmp(v->kind, "f64") == 0 && v->value == 0)
		c->zero = true;
	if (strcmp(v->kind, "f64") == 0 && v->value == UINT64_C(1) << 63)
		c->negzero = true;
	if (v->key0 == GOMAP_DEFAULT_HASHKEY0)
		c->default_key0++;
	else
		c->other_key0++;
}

GM_TEST(hash__go_vectors_cover_every_length_class)
{
	static struct coverage c;
	for_each_vector("", note_coverage, &c);
	for (size_t n = 0; n < 130; n++)
		GM_EXPECT(c.str_len[n]);
	for (size_t n = 1; n <= 130; n++)
		GM_EXPECT(c.bytes_len[n]);
	GM_EXPECT(c.bytes_len[4] && c.bytes_len[8] && c.bytes_len[1024]);
	GM_EXPECT(c.zero && c.negzero);
	GM_EXPECT(c.default_key0 > 0 && c.other_key0 > 0);
}

/* ---- the descriptors' hash callbacks -------------------------------- */

/* A map whose only role is to carry the process key to the callbacks. */
static gomap *map_with_key0(const gomap_type *t, uint64_t key0)
{
	gomap_hooks hooks = {.hashkey0 = key0};
	int status = -1;
	gomap *m = gomap_make(t, 0, &hooks, &status);
	GM_EXPECT(m != NULL && status == GOMAP_OK);
	return m;
}

static void check_callback(const struct vector *v, void *ctx)
{
	gomap_keytype kt;
	gomap_type t;
	GM_EXPECT(gomap_key_by_name(v->kind, &kt));
	GM_EXPECT(gomap_type_init(&t, &kt, &gomap_elem_u8) == GOMAP_OK);
	gomap *m = map_with_key0(&t, v->key0);
	if (!m)
		return;

	uint32_t u32 = (uint32_t)v->value;
	uint64_t u64 = v->value;
	gomap_str s = {v->bytes, v->nbytes};
	const void *key = v->bytes;
	if (strcmp(v->kind, "u32") == 0)
		key = &u32;
	else if (strcmp(v->kind, "u64") == 0 || strcmp(v->kind, "f64") == 0)
		key = &u64;
	else if (strcmp(v->kind, "str") == 0)
		key = &s;
	GM_EXPECT_EQ_U(t.key.hash(&t.key, key, v->seed, m), v->hash);
	gomap_destroy(m);
}

GM_TEST(types__key_hash_callbacks_match_go_vectors)
{
	GM_EXPECT(for_each_vector("", check_callback, NULL) > 1000);
}

/* ---- properties the vectors rely on ---------------------------------- */

/* Go gives [4]byte and [8]byte keys memhash32/memhash64, and hashes other
 * memory with memhash; the two agree for those sizes, which is why the
 * bytes4 and bytes8 descriptors may use either. */
GM_TEST(hash__memhash_of_4_and_8_bytes_equals_memhash32_64)
{
	const uint8_t b[8] = {0x01, 0x02, 0x03, 0x04, 0xf5, 0xe6, 0xd7, 0xc8};
	const uint64_t key0 = GOMAP_DEFAULT_HASHKEY0;
	for (uint64_t seed = 0; seed < 64; seed += 7) {
		GM_EXPECT_EQ_U(gomap_memhash(b, 4, seed, key0),
		               gomap_memhash32(0x04030201u, seed, key0));
		GM_EXPECT_EQ_U(gomap_memhash(b, 8, seed, key0),
		               gomap_memhash64(UINT64_C(0xc8d7e6f504030201), seed,
		                               key0));
	}
}

/* Keys may sit at any address; reads are bytewise little-endian. */
GM_TEST(hash__memhash_reads_unaligned_keys)
{
	uint8_t src[200], buf[208];
	for (size_t i = 0; i < sizeof src; i++)
		src[i] = (uint8_t)(i * 37 + 11);
	for (size_t n = 0; n <= sizeof src; n += 13) {
		uint64_t want = gomap_memhash(src, n, 5, 99);
		for (size_t off = 1; off < 8; off++) {
			memcpy(buf + off, src, n);
			GM_EXPECT_EQ_U(gomap_memhash(buf + off, n, 5, 99), want);
		}
	}
}

#define F64_C0 UINT64_C(33054211828000289)
#define F64_C1 UINT64_C(23344194077549503)

GM_TEST(hash__f64_zeros_hash_alike_without_process_key)
{
	for (uint64_t seed = 0; seed < 5; seed++) {
		uint64_t want = F64_C1 * (F64_C0 ^ seed);
		GM_EXPECT_EQ_U(gomap_f64hash(0.0, seed, 1, NULL), want);
		GM_EXPECT_EQ_U(gomap_f64hash(-0.0, seed, 12345, NULL), want);
	}
}

/* A random source that counts its draws and returns known words. */
struct counted_rand {
	uint64_t next;
	int draws;
};

static uint64_t counted_rand64(void *ctx)
{
	struct counted_rand *r = ctx;
	r->draws++;
	return r->next;
}

GM_TEST(hash__f64_nan_draws_one_fastrand)
{
	struct counted_rand r = {.next = UINT64_C(0xabcdef0187654321)};
	gomap_hooks hooks = {.rand64 = counted_rand64, .rand_ctx = &r};
	gomap_type t;
	int status;
	GM_EXPECT(gomap_type_init(&t, &gomap_key_f64, &gomap_elem_u8) ==
	          GOMAP_OK);
	gomap *m = gomap_make(&t, 0, &hooks, &status);
	GM_EXPECT(m != NULL);
	if (!m)
		return;
	int before = r.draws;
	/* fastrand is the low 32 bits of the draw, zero-extended. */
	uint64_t want = F64_C1 * (F64_C0 ^ 77 ^ UINT64_C(0x87654321));
	GM_EXPECT_EQ_U(gomap_f64hash(NAN, 77, 1, m), want);
	GM_EXPECT_EQ_U(r.draws - before, 1);
	double nan = -NAN;
	GM_EXPECT_EQ_U(t.key.hash(&t.key, &nan, 77, m), want);
	GM_EXPECT_EQ_U(r.draws - before, 2);
	gomap_destroy(m);
}

/* Reference outputs of wyrand from state 0 and 0x123456789, computed
 * independently (Python big integers) from the definition in
 * runtime/stubs.go fastrand64. */
GM_TEST(hash__wyrand_steps_like_go_fastrand64)
{
	const uint64_t from_zero[] = {
		UINT64_C(0x111cb3a78f59a58e), UINT64_C(0xceabd938ff4e856d),
		UINT64_C(0x61fb51318f47d2a4), UINT64_C(0x78bd03c491909760),
	};
	uint64_t state = 0;
	for (size_t i = 0; i < 4; i++)
		GM_EXPECT_EQ_U(gomap_wyrand(&state), from_zero[i]);
	GM_EXPECT_EQ_U(state, 4 * UINT64_C(0xa0761d6478bd642f));

	state = 0x123456789;
	GM_EXPECT_EQ_U(gomap_wyrand(&state), UINT64_C(0x46a9381c80a6abd9));
	GM_EXPECT_EQ_U(state, UINT64_C(0xa0761d659c02cbb8));
}

GM_TEST_MAIN()
