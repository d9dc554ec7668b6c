/* The built-in key and elem descriptors: Go's uint32, uint64, float64,
 * string and [N]byte keys; uint8, uint32, uint64, string and [N]byte elems.
 *
 * Each key carries what Go's compiler would derive for the same type: the
 * hash function the runtime picks (Go: runtime/alg.go typehash and the
 * compiler's genhash), the reflexive and need-key-update flags
 * (Go: types.IsReflexive, reflectdata.needkeyupdate) and the fast path
 * (Go: walk.go mapfast).  Format callbacks write the literal syntax of the
 * trace format, one canonical spelling per value. */
#include <math.h>
#include <stdalign.h>
#include <string.h>
#include <threads.h>

#include "gomap.h"
#include "hash_inline.h"

enum { GM_BYTES_MAX = 1024 };

/* ---- reading values --------------------------------------------------
 * Slots are aligned for their type, but callers may also hand us a key
 * from anywhere, so every read goes through memcpy. */

static uint32_t read_u32(const void *p)
{
	uint32_t v;
	memcpy(&v, p, sizeof v);
	return v;
}

static uint64_t read_u64(const void *p)
{
	uint64_t v;
	memcpy(&v, p, sizeof v);
	return v;
}

static double read_f64(const void *p)
{
	double v;
	memcpy(&v, p, sizeof v);
	return v;
}

static gomap_str read_str(const void *p)
{
	gomap_str s;
	memcpy(&s, p, sizeof s);
	return s;
}

/* ---- hashes (Go: the map type's hasher) ------------------------------ */

static uint64_t hash_u32(const gomap_keytype *kt, const void *key,
                         uint64_t seed, gomap *m)
{
	return gm_memhash32(read_u32(key), seed, gomap_hashkey0(m));
}

static uint64_t hash_u64(const gomap_keytype *kt, const void *key,
                         uint64_t seed, gomap *m)
{
	return gm_memhash64(read_u64(key), seed, gomap_hashkey0(m));
}

static uint64_t hash_f64(const gomap_keytype *kt, const void *key,
                         uint64_t seed, gomap *m)
{
	return gomap_f64hash(read_f64(key), seed, gomap_hashkey0(m), m);
}

/* Go: strhash, the memhash of the string's bytes. */
static uint64_t hash_str(const gomap_keytype *kt, const void *key,
                         uint64_t seed, gomap *m)
{
	gomap_str s = read_str(key);
	return gm_memhash(s.ptr, s.len, seed, gomap_hashkey0(m));
}

/* [4]byte and [8]byte get memhash32 / memhash64 in Go, reading the bytes
 * as one little-endian word; the other sizes get memhash of the bytes. */
static uint64_t hash_bytes4(const gomap_keytype *kt, const void *key,
                            uint64_t seed, gomap *m)
{
	return gm_memhash32((uint32_t)gm_load32le(key), seed,
	                    gomap_hashkey0(m));
}

static uint64_t hash_bytes8(const gomap_keytype *kt, const void *key,
                            uint64_t seed, gomap *m)
{
	return gm_memhash64(gm_load64le(key), seed, gomap_hashkey0(m));
}

static uint64_t hash_bytes(const gomap_keytype *kt, const void *key,
                           uint64_t seed, gomap *m)
{
	return gm_memhash(key, kt->size, seed, gomap_hashkey0(m));
}

/* ---- equality -------------------------------------------------------- */

/* Integers and byte arrays compare as memory. */
static bool equal_mem(const gomap_keytype *kt, const void *a, const void *b,
                      gomap *m)
{
	return memcmp(a, b, kt->size) == 0;
}

/* Floating-point ==: +0 equals -0 and a NaN equals nothing, itself
 * included.  This is what makes f64 keys non-reflexive. */
static bool equal_f64(const gomap_keytype *kt, const void *a, const void *b,
                      gomap *m)
{
	return read_f64(a) == read_f64(b);
}

/* Go: strequal.  Equal lengths first; the same backing bytes need no
 * comparison. */
static bool equal_str(const gomap_keytype *kt, const void *a, const void *b,
                      gomap *m)
{
	gomap_str x = read_str(a), y = read_str(b);
	if (x.len != y.len)
		return false;
	return x.ptr == y.ptr || x.len == 0 || memcmp(x.ptr, y.ptr, x.len) == 0;
}

/* ---- canonical literals (trace-format.md "Literals") ----------------- */

static void format_u8(const void *value, size_t size, gomap_textbuf *out)
{
	uint8_t v;
	memcpy(&v, value, 1);
	gomap_textbuf_putu(out, v);
}

static void format_u32(const void *value, size_t size, gomap_textbuf *out)
{
	gomap_textbuf_putu(out, read_u32(value));
}

static void format_u64(const void *value, size_t size, gomap_textbuf *out)
{
	gomap_textbuf_putu(out, read_u64(value));
}

/* 17 significant digits round-trip every double.  The specials are spelled
 * by hand because printf's spelling of them varies ("-nan", "infinity")
 * and the trace wants one form for every NaN payload and sign. */
static void format_f64(const void *value, size_t size, gomap_textbuf *out)
{
	double v = read_f64(value);
	if (isnan(v))
		gomap_textbuf_puts(out, "nan");
	else if (isinf(v))
		gomap_textbuf_puts(out, v < 0 ? "-inf" : "inf");
	else if (v == 0)
		gomap_textbuf_puts(out, signbit(v) ? "-0" : "0");
	else
		gomap_textbuf_printf(out, "%.17g", v);
}

static const char gm_hex_digits[] = "0123456789abcdef";

/* b's two hex digits at out[0] and out[1]. */
static void hex_byte(char *out, uint8_t b)
{
	out[0] = gm_hex_digits[b >> 4];
	out[1] = gm_hex_digits[b & 15];
}

/* A byte a string literal shows as itself. */
static bool plain_str_byte(uint8_t b)
{
	return b >= 0x20 && b <= 0x7e && b != '"' && b != '\\';
}

/* A byte that is not plain: '"' and '\' after a backslash, any other
 * as \xHH. */
static void put_escaped_str_byte(gomap_textbuf *out, uint8_t b)
{
	if (b == '"' || b == '\\') {
		gomap_textbuf_putc(out, '\\');
		gomap_textbuf_putc(out, (char)b);
	} else {
		char esc[4] = {'\\', 'x'};
		hex_byte(esc + 2, b);
		gomap_textbuf_putn(out, esc, sizeof esc);
	}
}

/* Runs of plain bytes go out whole: a dump of a map of long strings,
 * which the executor takes before every write while an allocation
 * failure is armed, was mostly calls appending one byte. */
static void format_str(const void *value, size_t size, gomap_textbuf *out)
{
	gomap_str s = read_str(value);
	/* A key slot emptied by the faststr delete keeps its length with a
	 * NULL pointer; an iterator that stood on it reads it as "" (as the Go
	 * cross-check does). */
	if (s.ptr == NULL)
		s.len = 0;
	gomap_textbuf_putc(out, '"');
	for (size_t i = 0; i < s.len;) {
		size_t run = i;
		while (run < s.len && plain_str_byte(s.ptr[run]))
			run++;
		gomap_textbuf_putn(out, (const char *)s.ptr + i, run - i);
		if (run < s.len)
			put_escaped_str_byte(out, s.ptr[run++]);
		i = run;
	}
	gomap_textbuf_putc(out, '"');
}

/* Trailing zero bytes are implied (input pads with zeros), so they are
 * dropped; one byte always remains (a bytes type has N >= 1), so the
 * literal is never just "x".  The digits go out 32 bytes at a time. */
static void format_bytes(const void *value, size_t size, gomap_textbuf *out)
{
	const uint8_t *p = value;
	size_t n = size;
	while (n > 1 && p[n - 1] == 0)
		n--;
	gomap_textbuf_putc(out, 'x');
	char hex[64];
	for (size_t i = 0; i < n; i += 32) {
		size_t m = n - i < 32 ? n - i : 32;
		for (size_t j = 0; j < m; j++)
			hex_byte(hex + 2 * j, p[i + j]);
		gomap_textbuf_putn(out, hex, 2 * m);
	}
}

/* ---- the fixed descriptors -------------------------------------------- */

const gomap_keytype gomap_key_u32 = {
	.name = "u32",
	.size = sizeof(uint32_t),
	.align = alignof(uint32_t),
	.flags = GOMAP_REFLEXIVE,
	.fast = GOMAP_FAST_32,
	.hash = hash_u32,
	.equal = equal_mem,
	.format = format_u32,
};

const gomap_keytype gomap_key_u64 = {
	.name = "u64",
	.size = sizeof(uint64_t),
	.align = alignof(uint64_t),
	.flags = GOMAP_REFLEXIVE,
	.fast = GOMAP_FAST_64,
	.hash = hash_u64,
	.equal = equal_mem,
	.format = format_u64,
};

/* Not reflexive (NaN), and a -0 stored over a +0 must replace the key. */
const gomap_keytype gomap_key_f64 = {
	.name = "f64",
	.size = sizeof(double),
	.align = alignof(double),
	.flags = GOMAP_NEEDKEYUPDATE,
	.fast = GOMAP_FAST_NONE,
	.hash = hash_f64,
	.equal = equal_f64,
	.format = format_f64,
};

/* Updating the key lets an old backing array be released (Go issue 11088). */
const gomap_keytype gomap_key_str = {
	.name = "str",
	.size = sizeof(gomap_str),
	.align = alignof(gomap_str),
	.flags = GOMAP_REFLEXIVE | GOMAP_NEEDKEYUPDATE | GOMAP_HAS_POINTERS,
	.fast = GOMAP_FAST_STR,
	.hash = hash_str,
	.equal = equal_str,
	.format = format_str,
};

const gomap_elemtype gomap_elem_u8 = {
	.name = "u8",
	.size = sizeof(uint8_t),
	.align = alignof(uint8_t),
	.format = format_u8,
};

const gomap_elemtype gomap_elem_u32 = {
	.name = "u32",
	.size = sizeof(uint32_t),
	.align = alignof(uint32_t),
	.format = format_u32,
};

const gomap_elemtype gomap_elem_u64 = {
	.name = "u64",
	.size = sizeof(uint64_t),
	.align = alignof(uint64_t),
	.format = format_u64,
};

const gomap_elemtype gomap_elem_str = {
	.name = "str",
	.size = sizeof(gomap_str),
	.align = alignof(gomap_str),
	.flags = GOMAP_HAS_POINTERS,
	.format = format_str,
};

/* ---- [N]byte ---------------------------------------------------------
 * Descriptors are returned by value, but their names must outlive them,
 * so "bytes1".."bytes1024" are written once into a static table. */

static char gm_bytes_names[GM_BYTES_MAX + 1][sizeof "bytes1024"];
static once_flag gm_bytes_names_once = ONCE_FLAG_INIT;

static void fill_bytes_names(void)
{
	for (size_t n = 1; n <= GM_BYTES_MAX; n++)
		snprintf(gm_bytes_names[n], sizeof gm_bytes_names[n], "bytes%zu",
		         n);
}

static const char *bytes_name(size_t n)
{
	call_once(&gm_bytes_names_once, fill_bytes_names);
	return gm_bytes_names[n];
}

static gomap_hash_fn bytes_hash_for(size_t n)
{
	if (n == 4)
		return hash_bytes4;
	if (n == 8)
		return hash_bytes8;
	return hash_bytes;
}

/* Go: mapfast sees [4]byte and [8]byte as plain 4- and 8-byte memory. */
static enum gomap_fast_kind bytes_fast_for(size_t n)
{
	if (n == 4)
		return GOMAP_FAST_32;
	if (n == 8)
		return GOMAP_FAST_64;
	return GOMAP_FAST_NONE;
}

bool gomap_key_bytes(size_t n, gomap_keytype *out)
{
	if (n < 1 || n > GM_BYTES_MAX)
		return false;
	*out = (gomap_keytype){
		.name = bytes_name(n),
		.size = n,
		.align = 1,
		.flags = GOMAP_REFLEXIVE,
		.fast = bytes_fast_for(n),
		.hash = bytes_hash_for(n),
		.equal = equal_mem,
		.format = format_bytes,
	};
	return true;
}

bool gomap_elem_bytes(size_t n, gomap_elemtype *out)
{
	if (n < 1 || n > GM_BYTES_MAX)
		return false;
	*out = (gomap_elemtype){
		.name = bytes_name(n),
		.size = n,
		.align = 1,
		.format = format_bytes,
	};
	return true;
}

/* ---- lookup by trace name --------------------------------------------- */

/* The N of "bytesN": plain decimal, no sign, no leading zero, 1..1024. */
static bool parse_bytes_name(const char *name, size_t *n)
{
	static const char prefix[] = "bytes";
	if (strncmp(name, prefix, sizeof prefix - 1) != 0)
		return false;
	const char *d = name + sizeof prefix - 1;
	if (*d < '1' || *d > '9')
		return false;
	size_t v = 0;
	for (; *d; d++) {
		if (*d < '0' || *d > '9' || v > GM_BYTES_MAX)
			return false;
		v = v * 10 + (size_t)(*d - '0');
	}
	*n = v;
	return v <= GM_BYTES_MAX;
}

bool gomap_key_by_name(const char *name, gomap_keytype *out)
{
	static const gomap_keytype *const fixed[] = {
		&gomap_key_u32, &gomap_key_u64, &gomap_key_f64, &gomap_key_str,
	};
	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
		if (strcmp(name, fixed[i]->name) == 0) {
			*out = *fixed[i];
			return true;
		}
	}
	size_t n;
	return parse_bytes_name(name, &n) && gomap_key_bytes(n, out);
}

bool gomap_elem_by_name(const char *name, gomap_elemtype *out)
{
	static const gomap_elemtype *const fixed[] = {
		&gomap_elem_u8, &gomap_elem_u32, &gomap_elem_u64,
		&gomap_elem_str,
	};
	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
		if (strcmp(name, fixed[i]->name) == 0) {
			*out = *fixed[i];
			return true;
		}
	}
	size_t n;
	return parse_bytes_name(name, &n) && gomap_elem_bytes(n, out);
}
