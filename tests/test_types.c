/* Type descriptors: the bucket layout of gomap_type_init compared with
 * Go 1.19's own map types (tests/data/layout_vectors.txt, made by
 * tests/go/hashvec), the built-in key/elem descriptors' flags, fast paths,
 * equality and canonical literals, and the text buffer they write to. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "gomap.h"
#include "harness.h"

#define LAYOUT_VECTORS GOMAP_SOURCE_DIR "/tests/data/layout_vectors.txt"

/* Go's maptype flag bits (runtime/type.go). */
enum {
	GO_INDIRECTKEY = 1,
	GO_INDIRECTELEM = 2,
	GO_REFLEXIVEKEY = 4,
	GO_NEEDKEYUPDATE = 8,
};

static bool make_type(const char *key, const char *elem, gomap_type *t)
{
	gomap_keytype kt;
	gomap_elemtype et;
	return gomap_key_by_name(key, &kt) && gomap_elem_by_name(elem, &et) &&
	       gomap_type_init(t, &kt, &et) == GOMAP_OK;
}

/* The flags Go would put in the map type descriptor for our type. */
static unsigned go_flags_of(const gomap_type *t)
{
	return (t->indirectkey ? GO_INDIRECTKEY : 0) |
	       (t->indirectelem ? GO_INDIRECTELEM : 0) |
	       (t->key.flags & GOMAP_REFLEXIVE ? GO_REFLEXIVEKEY : 0) |
	       (t->key.flags & GOMAP_NEEDKEYUPDATE ? GO_NEEDKEYUPDATE : 0);
}

/* ---- layout ------------------------------------------------------------ */

GM_TEST(layout__bucket_sizes_match_go)
{
	FILE *f = fopen(LAYOUT_VECTORS, "r");
	GM_EXPECT(f != NULL);
	if (!f)
		return;
	char line[256], key[32], elem[32];
	unsigned keysize, elemsize, elemoff, ovfoff, bucketsize, flags, ptrs;
	int rows = 0;
	while (fgets(line, sizeof line, f)) {
		if (line[0] == '#')
			continue;
		int n = sscanf(line, "%31s %31s %u %u %u %u %u %u %u", key, elem,
		               &keysize, &elemsize, &elemoff, &ovfoff, &bucketsize,
		               &flags, &ptrs);
		GM_EXPECT(n == 9);
		gomap_type t;
		bool made = n == 9 && make_type(key, elem, &t);
		GM_EXPECT(made);
		if (!made)
			continue;
		rows++;
		if (t.bucketsize != bucketsize || t.elemoff != elemoff)
			fprintf(stderr, "map[%s]%s differs from Go\n", key, elem);
		GM_EXPECT_EQ_U(t.keysize, keysize);
		GM_EXPECT_EQ_U(t.elemsize, elemsize);
		GM_EXPECT_EQ_U(t.elemoff, elemoff);
		GM_EXPECT_EQ_U(t.ovfoff, ovfoff);
		GM_EXPECT_EQ_U(t.bucketsize, bucketsize);
		GM_EXPECT_EQ_U(go_flags_of(&t), flags);
		GM_EXPECT_EQ_U(t.bucket_has_pointers, ptrs);
	}
	fclose(f);
	GM_EXPECT(rows >= 300);
}

/* The worked examples of go-map-rules.md rule 1. */
GM_TEST(layout__examples_from_the_spec)
{
	gomap_type t;
	GM_EXPECT(make_type("u64", "u64", &t));
	GM_EXPECT_EQ_U(t.bucketsize, 144);
	GM_EXPECT(make_type("str", "u64", &t));
	GM_EXPECT_EQ_U(t.bucketsize, 208);
	GM_EXPECT(make_type("u32", "u64", &t));
	GM_EXPECT_EQ_U(t.bucketsize, 112);
	GM_EXPECT_EQ_U(t.elemoff, 40);
	GM_EXPECT(make_type("u32", "u8", &t));
	GM_EXPECT_EQ_U(t.bucketsize, 56);
	GM_EXPECT(make_type("bytes3", "u8", &t));
	GM_EXPECT_EQ_U(t.bucketsize, 48);
	GM_EXPECT_EQ_U(t.elemoff, 32);
	GM_EXPECT_EQ_U(t.ovfoff, 40);
}

GM_TEST(layout__values_over_128_bytes_are_stored_indirectly)
{
	gomap_type t;
	GM_EXPECT(make_type("bytes128", "bytes128", &t));
	GM_EXPECT(!t.indirectkey && !t.indirectelem);
	GM_EXPECT_EQ_U(t.keysize, 128);
	GM_EXPECT(!t.bucket_has_pointers);

	GM_EXPECT(make_type("bytes129", "bytes200", &t));
	GM_EXPECT(t.indirectkey && t.indirectelem);
	GM_EXPECT_EQ_U(t.keysize, 8);
	GM_EXPECT_EQ_U(t.elemsize, 8);
	GM_EXPECT_EQ_U(t.bucketsize, 8 + 64 + 64 + 8);
	/* The slots are pointers even though the values hold none. */
	GM_EXPECT(t.bucket_has_pointers);
	/* The descriptors keep the real sizes for copying the values. */
	GM_EXPECT_EQ_U(t.key.size, 129);
	GM_EXPECT_EQ_U(t.elem.size, 200);
}

GM_TEST(layout__rejects_descriptors_go_could_not_have)
{
	gomap_type t;
	gomap_keytype k = gomap_key_u64;
	gomap_elemtype e = gomap_elem_u64;

	GM_EXPECT_EQ_U(gomap_type_init(&t, &k, &e), GOMAP_OK);
	GM_EXPECT_EQ_U(gomap_type_init(NULL, &k, &e), GOMAP_EINVAL);
	GM_EXPECT_EQ_U(gomap_type_init(&t, NULL, &e), GOMAP_EINVAL);
	GM_EXPECT_EQ_U(gomap_type_init(&t, &k, NULL), GOMAP_EINVAL);

	static const size_t bad_aligns[] = {0, 3, 16};
	for (size_t i = 0; i < 3; i++) {
		k = gomap_key_u64;
		k.align = bad_aligns[i];
		GM_EXPECT_EQ_U(gomap_type_init(&t, &k, &e), GOMAP_EINVAL);
		k = gomap_key_u64;
		e = gomap_elem_u64;
		e.align = bad_aligns[i];
		GM_EXPECT_EQ_U(gomap_type_init(&t, &k, &e), GOMAP_EINVAL);
		e = gomap_elem_u64;
	}

	k.size = 12; /* not a multiple of its alignment 8 */
	k.fast = GOMAP_FAST_NONE;
	GM_EXPECT_EQ_U(gomap_type_init(&t, &k, &e), GOMAP_EINVAL);
	k = gomap_key_u64;
	e.size = (1u << 20) + 8;
	GM_EXPECT_EQ_U(gomap_type_init(&t, &k, &e), GOMAP_EINVAL);
	e = gomap_elem_u64;

	k.hash = NULL;
	GM_EXPECT_EQ_U(gomap_type_init(&t, &k, &e), GOMAP_EINVAL);
	k = gomap_key_u64;
	k.equal = NULL;
	GM_EXPECT_EQ_U(gomap_type_init(&t, &k, &e), GOMAP_EINVAL);

	/* A fast path that would read the wrong number of bytes. */
	k = gomap_key_u64;
	k.fast = GOMAP_FAST_32;
	GM_EXPECT_EQ_U(gomap_type_init(&t, &k, &e), GOMAP_EINVAL);
	k.fast = GOMAP_FAST_STR;
	GM_EXPECT_EQ_U(gomap_type_init(&t, &k, &e), GOMAP_EINVAL);

	/* Zero-size keys exist in Go (struct{}). */
	k = gomap_key_u64;
	k.size = 0;
	k.fast = GOMAP_FAST_NONE;
	GM_EXPECT_EQ_U(gomap_type_init(&t, &k, &e), GOMAP_OK);
	GM_EXPECT_EQ_U(t.elemoff, 8);
}

/* ---- flags and fast paths (go-map-rules.md rules 60, 61, 65) ---------- */

GM_TEST(types__flags_follow_go_reflexive_and_needkeyupdate)
{
	GM_EXPECT_EQ_U(gomap_key_u32.flags, GOMAP_REFLEXIVE);
	GM_EXPECT_EQ_U(gomap_key_u64.flags, GOMAP_REFLEXIVE);
	GM_EXPECT_EQ_U(gomap_key_f64.flags, GOMAP_NEEDKEYUPDATE);
	GM_EXPECT_EQ_U(gomap_key_str.flags, GOMAP_REFLEXIVE |
	                                    GOMAP_NEEDKEYUPDATE |
	                                    GOMAP_HAS_POINTERS);
	gomap_keytype k;
	GM_EXPECT(gomap_key_bytes(7, &k));
	GM_EXPECT_EQ_U(k.flags, GOMAP_REFLEXIVE);

	GM_EXPECT_EQ_U(gomap_elem_u8.flags, 0);
	GM_EXPECT_EQ_U(gomap_elem_u32.flags, 0);
	GM_EXPECT_EQ_U(gomap_elem_u64.flags, 0);
	GM_EXPECT_EQ_U(gomap_elem_str.flags, GOMAP_HAS_POINTERS);
	gomap_elemtype e;
	GM_EXPECT(gomap_elem_bytes(7, &e));
	GM_EXPECT_EQ_U(e.flags, 0);
}

static enum gomap_fast_kind fast_of(const char *key, const char *elem)
{
	gomap_type t;
	GM_EXPECT(make_type(key, elem, &t));
	return t.fast;
}

GM_TEST(fast__selection_matches_go_mapfast)
{
	GM_EXPECT_EQ_U(fast_of("u32", "u64"), GOMAP_FAST_32);
	GM_EXPECT_EQ_U(fast_of("bytes4", "u64"), GOMAP_FAST_32);
	GM_EXPECT_EQ_U(fast_of("u64", "u64"), GOMAP_FAST_64);
	GM_EXPECT_EQ_U(fast_of("bytes8", "u8"), GOMAP_FAST_64);
	GM_EXPECT_EQ_U(fast_of("str", "str"), GOMAP_FAST_STR);
	GM_EXPECT_EQ_U(fast_of("f64", "u64"), GOMAP_FAST_NONE);
	GM_EXPECT_EQ_U(fast_of("bytes3", "u64"), GOMAP_FAST_NONE);
	GM_EXPECT_EQ_U(fast_of("bytes16", "u64"), GOMAP_FAST_NONE);
	/* An elem over 128 bytes forces the generic path; 128 does not. */
	GM_EXPECT_EQ_U(fast_of("u64", "bytes128"), GOMAP_FAST_64);
	GM_EXPECT_EQ_U(fast_of("u64", "bytes129"), GOMAP_FAST_NONE);
	GM_EXPECT_EQ_U(fast_of("str", "bytes1024"), GOMAP_FAST_NONE);
}

/* ---- names ------------------------------------------------------------ */

GM_TEST(types__lookup_by_trace_name)
{
	gomap_keytype k;
	gomap_elemtype e;
	static const char *const keys[] = {"u32", "u64", "f64", "str",
	                                   "bytes1", "bytes1024"};
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		GM_EXPECT(gomap_key_by_name(keys[i], &k));
		GM_EXPECT_STR(k.name, keys[i]);
	}
	static const char *const elems[] = {"u8", "u32", "u64", "str",
	                                    "bytes9", "bytes1024"};
	for (size_t i = 0; i < sizeof elems / sizeof elems[0]; i++) {
		GM_EXPECT(gomap_elem_by_name(elems[i], &e));
		GM_EXPECT_STR(e.name, elems[i]);
	}
	static const char *const bad[] = {"", "u16", "bytes", "bytes0",
	                                  "bytes01", "bytes1025", "bytes-1",
	                                  "bytes1x", "bytesx", "bytes1-",
	                                  "bytes99999999999999999999",
	                                  "U64", "str "};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		GM_EXPECT(!gomap_key_by_name(bad[i], &k));
		GM_EXPECT(!gomap_elem_by_name(bad[i], &e));
	}
	GM_EXPECT(!gomap_key_by_name("u8", &k)); /* not a built-in key */
	GM_EXPECT(!gomap_elem_by_name("f64", &e)); /* nor an elem */
}

GM_TEST(types__bytes_descriptors_exist_for_1_to_1024)
{
	gomap_keytype k;
	gomap_elemtype e;
	char name[16];
	for (size_t n = 1; n <= 1024; n++) {
		snprintf(name, sizeof name, "bytes%zu", n);
		GM_EXPECT(gomap_key_bytes(n, &k) && k.size == n && k.align == 1);
		GM_EXPECT_STR(k.name, name);
		GM_EXPECT(gomap_elem_bytes(n, &e) && e.size == n && e.align == 1);
		GM_EXPECT_STR(e.name, name);
	}
	GM_EXPECT(!gomap_key_bytes(0, &k) && !gomap_key_bytes(1025, &k));
	GM_EXPECT(!gomap_elem_bytes(0, &e) && !gomap_elem_bytes(1025, &e));
}

/* ---- equality ---------------------------------------------------------- */

static bool f64_equal(double a, double b)
{
	return gomap_key_f64.equal(&gomap_key_f64, &a, &b, NULL);
}

GM_TEST(equal__f64_zeros_equal_nan_never)
{
	GM_EXPECT(f64_equal(0.0, -0.0));
	GM_EXPECT(f64_equal(1.5, 1.5));
	GM_EXPECT(!f64_equal(1.5, 2.5));
	GM_EXPECT(!f64_equal(NAN, NAN));
	double nan = NAN;
	GM_EXPECT(!gomap_key_f64.equal(&gomap_key_f64, &nan, &nan, NULL));
	GM_EXPECT(f64_equal(INFINITY, INFINITY));
}

static bool str_equal(gomap_str a, gomap_str b)
{
	return gomap_key_str.equal(&gomap_key_str, &a, &b, NULL);
}

GM_TEST(equal__str_by_length_then_bytes)
{
	const uint8_t ab1[] = "ab", ab2[] = "ab", abc[] = "abc";
	GM_EXPECT(str_equal((gomap_str){ab1, 2}, (gomap_str){ab2, 2}));
	GM_EXPECT(str_equal((gomap_str){ab1, 2}, (gomap_str){abc, 2}));
	GM_EXPECT(!str_equal((gomap_str){ab1, 2}, (gomap_str){abc, 3}));
	GM_EXPECT(!str_equal((gomap_str){ab1, 1}, (gomap_str){(const uint8_t *)"b", 1}));
	/* The empty string equals itself whatever its pointer. */
	GM_EXPECT(str_equal((gomap_str){NULL, 0}, (gomap_str){ab1, 0}));
}

GM_TEST(equal__bytes_compares_every_byte)
{
	gomap_keytype k;
	GM_EXPECT(gomap_key_bytes(5, &k));
	uint8_t a[5] = {1, 2, 3, 4, 5}, b[5] = {1, 2, 3, 4, 5};
	GM_EXPECT(k.equal(&k, a, b, NULL));
	b[4] = 6;
	GM_EXPECT(!k.equal(&k, a, b, NULL));
}

/* ---- canonical literals (trace-format.md "Literals") ------------------ */

/* The literal `format` writes for the value at p. */
static const char *literal(gomap_format_fn format, const void *p, size_t size)
{
	static char text[4096];
	gomap_textbuf tb = {0};
	format(p, size, &tb);
	GM_EXPECT(!tb.oom && tb.data != NULL);
	snprintf(text, sizeof text, "%s", tb.data ? tb.data : "(null)");
	gomap_textbuf_free(&tb);
	return text;
}

static const char *f64_literal(double v)
{
	return literal(gomap_key_f64.format, &v, sizeof v);
}

GM_TEST(format__unsigned_decimal)
{
	uint8_t u8 = 255;
	uint32_t u32 = 4294967295u;
	uint64_t u64 = UINT64_MAX, zero = 0;
	GM_EXPECT_STR(literal(gomap_elem_u8.format, &u8, 1), "255");
	GM_EXPECT_STR(literal(gomap_key_u32.format, &u32, 4), "4294967295");
	GM_EXPECT_STR(literal(gomap_elem_u32.format, &u32, 4), "4294967295");
	GM_EXPECT_STR(literal(gomap_key_u64.format, &u64, 8),
	              "18446744073709551615");
	GM_EXPECT_STR(literal(gomap_elem_u64.format, &zero, 8), "0");
}

GM_TEST(format__f64_canonical_forms)
{
	GM_EXPECT_STR(f64_literal(0.0), "0");
	GM_EXPECT_STR(f64_literal(-0.0), "-0");
	GM_EXPECT_STR(f64_literal(NAN), "nan");
	GM_EXPECT_STR(f64_literal(-NAN), "nan");
	GM_EXPECT_STR(f64_literal(INFINITY), "inf");
	GM_EXPECT_STR(f64_literal(-INFINITY), "-inf");
	GM_EXPECT_STR(f64_literal(1e21), "1e+21");
	GM_EXPECT_STR(f64_literal(0.1), "0.10000000000000001");
	GM_EXPECT_STR(f64_literal(1.0), "1");
	GM_EXPECT_STR(f64_literal(-2.5), "-2.5");
	GM_EXPECT_STR(f64_literal(5e-324), "4.9406564584124654e-324");
	GM_EXPECT_STR(f64_literal(1.7976931348623157e308),
	              "1.7976931348623157e+308");
	/* A NaN with another payload prints the same. */
	uint64_t bits = UINT64_C(0x7ff0000000000001);
	GM_EXPECT_STR(literal(gomap_key_f64.format, &bits, 8), "nan");
}

static const char *str_literal(const void *bytes, size_t len)
{
	gomap_str s = {bytes, len};
	return literal(gomap_key_str.format, &s, sizeof s);
}

GM_TEST(format__str_escapes)
{
	GM_EXPECT_STR(str_literal("\0\\\"", 3), "\"\\x00\\\\\\\"\"");
	GM_EXPECT_STR(str_literal("", 0), "\"\"");
	GM_EXPECT_STR(str_literal(NULL, 0), "\"\"");
	GM_EXPECT_STR(str_literal("a b~", 4), "\"a b~\"");
	GM_EXPECT_STR(str_literal("\x1f\x7f\x80\xff\n", 5),
	              "\"\\x1f\\x7f\\x80\\xff\\x0a\"");
	gomap_str s = {(const uint8_t *)"x'y", 3};
	GM_EXPECT_STR(literal(gomap_elem_str.format, &s, sizeof s), "\"x'y\"");
}

GM_TEST(format__bytes_drop_trailing_zeros_keep_one)
{
	gomap_keytype k;
	GM_EXPECT(gomap_key_bytes(4, &k));
	const uint8_t zeros[4] = {0}, one_two[4] = {1, 2, 0, 0},
	              inner[4] = {0, 0xab, 0, 0xcd};
	GM_EXPECT_STR(literal(k.format, zeros, 4), "x00");
	GM_EXPECT_STR(literal(k.format, zeros, 1), "x00");
	GM_EXPECT_STR(literal(k.format, one_two, 4), "x0102");
	GM_EXPECT_STR(literal(k.format, inner, 4), "x00ab00cd");
	gomap_elemtype e;
	GM_EXPECT(gomap_elem_bytes(3, &e));
	GM_EXPECT_STR(literal(e.format, inner, 3), "x00ab");
}

/* ---- textbuf ---------------------------------------------------------- */

GM_TEST(textbuf__grows_and_stays_terminated)
{
	gomap_textbuf tb = {0};
	for (int i = 0; i < 1000; i++)
		gomap_textbuf_printf(&tb, "%d,", i % 10);
	GM_EXPECT_EQ_U(tb.len, 2000);
	GM_EXPECT_EQ_U(strlen(tb.data), 2000);
	GM_EXPECT(tb.cap > tb.len);
	gomap_textbuf_puts(&tb, "end");
	gomap_textbuf_putc(&tb, '!');
	GM_EXPECT_STR(tb.data + 1996, "8,9,end!");
	GM_EXPECT(!tb.oom);
	gomap_textbuf_free(&tb);
	GM_EXPECT(tb.data == NULL && tb.len == 0 && tb.cap == 0);
}

GM_TEST(textbuf__oom_turns_later_writes_into_no_ops)
{
	gomap_textbuf tb = {0};
	gomap_textbuf_puts(&tb, "kept");
	tb.oom = true; /* as after a failed realloc */
	gomap_textbuf_puts(&tb, "lost");
	gomap_textbuf_putc(&tb, 'x');
	gomap_textbuf_printf(&tb, "%d", 42);
	GM_EXPECT_STR(tb.data, "kept");
	GM_EXPECT_EQ_U(tb.len, 4);
	gomap_textbuf_free(&tb);
	GM_EXPECT(!tb.oom);
}

/* A fast kind outside the enum is refused like a mismatched one. */
GM_TEST(layout__rejects_an_unknown_fast_kind)
{
	gomap_type t;
	gomap_keytype k = gomap_key_u64;
	k.fast = (enum gomap_fast_kind)77;
	GM_EXPECT_EQ_U(gomap_type_init(&t, &k, &gomap_elem_u64), GOMAP_EINVAL);
}

/* A conversion vsnprintf cannot represent (here a wide character outside
 * the C locale's charset) marks the buffer failed, as a failed allocation
 * does, and keeps what was written before. */
GM_TEST(textbuf__printf_conversion_error_is_oom)
{
	static const wchar_t accented[] = {0xe9, 0};
	gomap_textbuf tb = {0};
	gomap_textbuf_puts(&tb, "kept");
	gomap_textbuf_printf(&tb, "%ls", accented);
	GM_EXPECT(tb.oom);
	GM_EXPECT_STR(tb.data, "kept");
	gomap_textbuf_free(&tb);
}

/* map[uint64]int16: a 2-byte-aligned elem packs right after the keys
 * (elems at 72, overflow at 88, bucket 96 bytes, as Go lays it out). */
GM_TEST(layout__two_byte_aligned_elems)
{
	gomap_elemtype i16 = {"i16", 2, 2, 0, NULL};
	gomap_type t;
	GM_EXPECT_EQ_U(gomap_type_init(&t, &gomap_key_u64, &i16), GOMAP_OK);
	GM_EXPECT_EQ_U(t.elemoff, 72);
	GM_EXPECT_EQ_U(t.ovfoff, 88);
	GM_EXPECT_EQ_U(t.bucketsize, 96);
}

GM_TEST_MAIN()
