/* Trace literals: kinds, parsing and canonical printing.
 *
 * Parsing is strict about the canonical grammar's shape (a str literal
 * must be quoted, raw bytes outside 0x20..0x7e must be escaped) and
 * lenient where the spec says so (0x hex for integers, any strtod form for
 * f64, short bytes literals are zero-padded on the right). */
#include "literal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *name;
	enum fz_kind kind;
	uint32_t size;
	bool key, elem;
} fz_fixed_kinds[] = {
	{"u8", FZ_KIND_U8, 1, false, true},
	{"u32", FZ_KIND_U32, 4, true, true},
	{"u64", FZ_KIND_U64, 8, true, true},
	{"f64", FZ_KIND_F64, 8, true, false},
	{"str", FZ_KIND_STR, sizeof(gomap_str), true, true},
};

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool fz_vtype_parse(const char *name, size_t len, bool is_key, fz_vtype *out)
{
	for (size_t i = 0; i < sizeof fz_fixed_kinds / sizeof fz_fixed_kinds[0]; i++) {
		if (strlen(fz_fixed_kinds[i].name) != len ||
		    memcmp(fz_fixed_kinds[i].name, name, len) != 0)
			continue;
		if (is_key ? !fz_fixed_kinds[i].key : !fz_fixed_kinds[i].elem)
			return false;
		out->kind = fz_fixed_kinds[i].kind;
		out->size = fz_fixed_kinds[i].size;
		return true;
	}
	/* bytesN, N in 1..1024 written without leading zeros. */
	if (len < 6 || len > 9 || memcmp(name, "bytes", 5) != 0 || name[5] == '0')
		return false;
	uint32_t n = 0;
	for (size_t i = 5; i < len; i++) {
		if (name[i] < '0' || name[i] > '9')
			return false;
		n = n * 10 + (uint32_t)(name[i] - '0');
	}
	if (n < 1 || n > FZ_BYTES_MAX)
		return false;
	out->kind = FZ_KIND_BYTES;
	out->size = n;
	return true;
}

void fz_vtype_name(fz_vtype t, char *buf, size_t bufsize)
{
	if (t.kind == FZ_KIND_BYTES) {
		snprintf(buf, bufsize, "bytes%u", (unsigned)t.size);
		return;
	}
	for (size_t i = 0; i < sizeof fz_fixed_kinds / sizeof fz_fixed_kinds[0]; i++)
		if (fz_fixed_kinds[i].kind == t.kind) {
			snprintf(buf, bufsize, "%s", fz_fixed_kinds[i].name);
			return;
		}
	snprintf(buf, bufsize, "?");
}

const char *fz_parse_uint(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	if (len == 0)
		return "empty number";
	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		for (size_t i = 2; i < len; i++) {
			int d = hexval(s[i]);
			if (d < 0)
				return "not an unsigned integer";
			if (v > UINT64_MAX >> 4)
				return "out of range (max 18446744073709551615)";
			v = v << 4 | (uint64_t)d;
		}
	} else {
		for (size_t i = 0; i < len; i++) {
			if (s[i] < '0' || s[i] > '9')
				return "not an unsigned integer";
			uint64_t d = (uint64_t)(s[i] - '0');
			if (v > (UINT64_MAX - d) / 10)
				return "out of range (max 18446744073709551615)";
			v = v * 10 + d;
		}
	}
	*out = v;
	return NULL;
}

static bool token_is(const char *tok, size_t len, const char *word)
{
	return strlen(word) == len && memcmp(tok, word, len) == 0;
}

static const char *parse_f64(const char *tok, size_t len, double *out)
{
	char buf[512];
	if (token_is(tok, len, "nan")) {
		*out = NAN;
		return NULL;
	}
	if (token_is(tok, len, "-0")) {
		*out = -0.0;
		return NULL;
	}
	if (len == 0 || len >= sizeof buf)
		return len ? "too long" : "empty";
	memcpy(buf, tok, len);
	buf[len] = '\0';
	char *end;
	double d = strtod(buf, &end); /* inf, -inf and ERANGE results included */
	if (end != buf + len)
		return "not a number";
	/* One NaN bit pattern, so that text -> program -> text -> program is
	 * the identity on values as well as on text. */
	*out = isnan(d) ? NAN : d;
	return NULL;
}

/* A quoted string with \\, \" and \xHH escapes; raw bytes must be
 * printable ASCII.  The caller's token includes both quotes. */
static const char *parse_str(const char *tok, size_t len, gomap_str *out,
                             uint8_t *buf)
{
	if (len < 2 || tok[0] != '"' || tok[len - 1] != '"')
		return "not a quoted string";
	size_t n = 0;
	for (size_t i = 1; i < len - 1; i++) {
		unsigned char c = (unsigned char)tok[i];
		if (c == '"')
			return "unescaped '\"' inside the string";
		if (c < 0x20 || c > 0x7e)
			return "raw byte outside 0x20..0x7e (write it as \\xHH)";
		if (c != '\\') {
			buf[n++] = c;
			continue;
		}
		if (i + 1 >= len - 1)
			return "'\\' at the end of the string";
		char e = tok[++i];
		if (e == '\\' || e == '"') {
			buf[n++] = (uint8_t)e;
		} else if (e == 'x') {
			if (i + 2 >= len - 1 || hexval(tok[i + 1]) < 0 ||
			    hexval(tok[i + 2]) < 0)
				return "\\x needs two hex digits";
			buf[n++] = (uint8_t)(hexval(tok[i + 1]) << 4 | hexval(tok[i + 2]));
			i += 2;
		} else {
			return "unknown escape (only \\\\, \\\" and \\xHH)";
		}
	}
	out->ptr = buf;
	out->len = n;
	return NULL;
}

static const char *parse_bytes(const char *tok, size_t len, uint8_t *out,
                               uint32_t n)
{
	if (len < 1 || tok[0] != 'x')
		return "not a bytes literal (x followed by hex digits)";
	if (len - 1 > 2 * (size_t)n)
		return "too many hex digits";
	memset(out, 0, n);
	for (size_t i = 1; i < len; i++) {
		int d = hexval(tok[i]);
		if (d < 0)
			return "not a hex digit";
		size_t k = i - 1; /* digit index; short literals pad on the right */
		out[k / 2] |= (uint8_t)(k % 2 ? d : d << 4);
	}
	return NULL;
}

const char *fz_literal_parse(fz_vtype t, const char *tok, size_t len,
                             void *out, uint8_t *strbuf)
{
	uint64_t v;
	const char *why;
	switch (t.kind) {
	case FZ_KIND_U8:
	case FZ_KIND_U32:
	case FZ_KIND_U64:
		if ((why = fz_parse_uint(tok, len, &v)) != NULL)
			return why;
		if (t.kind == FZ_KIND_U8) {
			if (v > UINT8_MAX)
				return "out of range (max 255)";
			uint8_t u = (uint8_t)v;
			memcpy(out, &u, sizeof u);
		} else if (t.kind == FZ_KIND_U32) {
			if (v > UINT32_MAX)
				return "out of range (max 4294967295)";
			uint32_t u = (uint32_t)v;
			memcpy(out, &u, sizeof u);
		} else {
			memcpy(out, &v, sizeof v);
		}
		return NULL;
	case FZ_KIND_F64: {
		double d;
		if ((why = parse_f64(tok, len, &d)) != NULL)
			return why;
		memcpy(out, &d, sizeof d);
		return NULL;
	}
	case FZ_KIND_STR: {
		gomap_str s;
		if ((why = parse_str(tok, len, &s, strbuf)) != NULL)
			return why;
		memcpy(out, &s, sizeof s);
		return NULL;
	}
	case FZ_KIND_BYTES:
		return parse_bytes(tok, len, out, t.size);
	}
	return "unknown kind";
}

const char *fz_literal_guess(const char *tok, size_t len)
{
	uint64_t v;
	double d;
	if (len > 0 && tok[0] == '"')
		return "str";
	if (len > 0 && tok[0] == 'x') {
		size_t i = 1;
		while (i < len && hexval(tok[i]) >= 0)
			i++;
		if (i == len)
			return "bytes";
	}
	if (fz_parse_uint(tok, len, &v) == NULL)
		return "integer";
	if (parse_f64(tok, len, &d) == NULL)
		return "f64";
	return NULL;
}

/* Printing is the core's: the built-in descriptors' format callbacks are
 * the one canonical printer, shared by dumps and observations. */
void fz_literal_format(fz_vtype t, const void *value, gomap_textbuf *out)
{
	char name[16];
	fz_vtype_name(t, name, sizeof name);
	gomap_keytype kt;
	gomap_elemtype et;
	if (gomap_key_by_name(name, &kt))
		kt.format(value, kt.size, out);
	else if (gomap_elem_by_name(name, &et))
		et.format(value, et.size, out);
}

const char *fz_textbuf_cstr(gomap_textbuf *tb)
{
	gomap_textbuf_putc(tb, '\0');
	if (tb->oom || tb->data == NULL)
		return "";
	tb->len--;
	return tb->data;
}
