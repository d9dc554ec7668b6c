/* Writing a program in the fuzz loop's encoding (go_wire.h). */
#include "go_wire.h"

#include <string.h>

/* Writes v's low `bytes` bytes, little-endian, at `at`; returns bytes. */
static size_t le(char *at, uint64_t v, size_t bytes)
{
	for (size_t i = 0; i < bytes; i++)
		at[i] = (char)(v >> (8 * i));
	return bytes;
}

static void put_le(gomap_textbuf *out, uint64_t v, size_t bytes)
{
	char b[8];
	gomap_textbuf_putn(out, b, le(b, v, bytes));
}

/* wire.go's wireKinds. */
static uint8_t kind_tag(enum fz_kind k)
{
	switch (k) {
	case FZ_KIND_U8: return 0;
	case FZ_KIND_U32: return 1;
	case FZ_KIND_U64: return 2;
	case FZ_KIND_F64: return 3;
	case FZ_KIND_STR: return 4;
	case FZ_KIND_BYTES: return 5;
	}
	return 0xff;
}

static void put_kind(gomap_textbuf *out, fz_vtype t)
{
	put_le(out, kind_tag(t.kind), 1);
	put_le(out, t.size, 4);
}

/* wire.go's hashMode. */
static uint8_t hash_tag(enum fz_hash_mode m)
{
	switch (m) {
	case FZ_HASH_GO: return 0;
	case FZ_HASH_WEAK: return 1;
	case FZ_HASH_COLLIDE: return 2;
	case FZ_HASH_TOPHASH: return 3;
	case FZ_HASH_MODES: break;
	}
	return 0xff;
}

void orc_go_wire_header(const fz_program *p, gomap_textbuf *out)
{
	const fz_header *h = &p->hdr;
	put_kind(out, h->key_kind);
	put_kind(out, h->elem_kind);
	put_le(out, (uint64_t)h->hint, 8);
	put_le(out, h->seed, 8);
	put_le(out, h->hashkey, 8);
	put_le(out, hash_tag(h->hash_mode), 1);
}

/* wire.go's wireOps, and whether the g- form of a keyed operation. */
static uint8_t op_code(enum fz_opcode c)
{
	switch (c) {
	case FZ_OP_PUT: case FZ_OP_GPUT: return 0;
	case FZ_OP_GET: case FZ_OP_GGET: return 1;
	case FZ_OP_DEL: case FZ_OP_GDEL: return 2;
	case FZ_OP_LEN: return 3;
	case FZ_OP_CLEAR: return 4;
	case FZ_OP_ITER: return 5;
	case FZ_OP_DUMP: return 6;
	case FZ_OP_INC: return 7;
	case FZ_OP_CHECK: return 8;
	case FZ_OP_ITER_START: return 9;
	case FZ_OP_ITER_NEXT: return 10;
	case FZ_OP_ITER_STOP: return 11;
	default: return 0xff; /* Go cannot follow it: never sent */
	}
}

static void put_value(gomap_textbuf *out, fz_vtype t, const void *v)
{
	if (t.kind != FZ_KIND_STR) {
		gomap_textbuf_putn(out, v, t.size);
		return;
	}
	gomap_str s;
	memcpy(&s, v, sizeof s);
	put_le(out, s.len, 4);
	gomap_textbuf_putn(out, (const char *)s.ptr, s.len);
}

/* Every operation is written, so its fixed fields go in one append. */
void orc_go_wire_op(const fz_program *p, const fz_op *op, gomap_textbuf *out)
{
	char head[3 + 4];
	size_t n = le(head, op_code(op->code), 1);
	n += le(head + n, (fz_ops[op->code].flags & FZ_F_GENERIC) != 0, 1);
	n += le(head + n, op->iter, 1);
	if (op->code == FZ_OP_ITER_NEXT)
		n += le(head + n, op->n, 4);
	gomap_textbuf_putn(out, head, n);
	if (op->key)
		put_value(out, p->hdr.key_kind, op->key);
	if (op->elem)
		put_value(out, p->hdr.elem_kind, op->elem);
}
