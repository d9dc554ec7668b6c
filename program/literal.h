/* Literals of the trace format: value kinds, parsing one token into the
 * exact bytes the map stores, and printing the canonical text
 * (docs/trace-format.md, "Literals"). */
#ifndef FZ_LITERAL_H
#define FZ_LITERAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gomap.h"

enum fz_kind {
	FZ_KIND_U8,    /* uint8_t */
	FZ_KIND_U32,   /* uint32_t */
	FZ_KIND_U64,   /* uint64_t */
	FZ_KIND_F64,   /* double */
	FZ_KIND_STR,   /* gomap_str */
	FZ_KIND_BYTES, /* [size]byte */
};

#define FZ_BYTES_MAX 1024

/* A key or elem kind and the size of one stored value. */
typedef struct fz_vtype {
	enum fz_kind kind;
	uint32_t size;
} fz_vtype;

/* Parses a kind name ("u32", "bytes12").  Keys allow u32 u64 f64 str
 * bytesN, elems u8 u32 u64 str bytesN.  False for anything else. */
bool fz_vtype_parse(const char *name, size_t len, bool is_key, fz_vtype *out);
/* Writes the kind's trace name into buf (at least 16 bytes). */
void fz_vtype_name(fz_vtype t, char *buf, size_t bufsize);

/* Parses an unsigned number: decimal, or 0x hex.  Returns NULL, or why not. */
const char *fz_parse_uint(const char *s, size_t len, uint64_t *out);

/* Parses one literal token of kind t into `out` (t.size bytes).  For
 * FZ_KIND_STR the string bytes are written to `strbuf` (room for `len`
 * bytes) and `out` receives a gomap_str pointing there.  Returns NULL on
 * success, else a short static reason ("out of range (max 255)"). */
const char *fz_literal_parse(fz_vtype t, const char *tok, size_t len,
                             void *out, uint8_t *strbuf);

/* Which literal kind a token looks like, for "wrong kind" messages:
 * "str", "bytes", "integer", "f64", or NULL when it looks like nothing. */
const char *fz_literal_guess(const char *tok, size_t len);

/* Appends the canonical text of one value of kind t. */
void fz_literal_format(fz_vtype t, const void *value, gomap_textbuf *out);

/* NUL-terminates tb (without counting the NUL) and returns its text, or ""
 * when the buffer ran out of memory. */
const char *fz_textbuf_cstr(gomap_textbuf *tb);

#endif
