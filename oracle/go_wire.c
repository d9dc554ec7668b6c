/* Writing a program in the fuzz loop's encoding (go_wire.h). */
#include "go_wire.h"

#include <string.h>

static void put_u8(gomap_textbuf *out, uint8_t v)
{
	gomap_textbuf_putc(out, (char)v);
}

static void put_le(gomap_textbuf *out, uint64_t v, size_t bytes)
{
	char b[8];
	for (size_t i = 0; i < bytes; i++)
		b[i] = (char)(v >> (8 * i));
	gomap_textbuf_putn(out, b, bytes);
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
	put_u8(out, kind_tag(t.kind));
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
	put_u8(out, hash_tag(h->hash_mode));
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

void orc_go_wire_op(const fz_program *p, const fz_op *op, gomap_textbuf *out)
{
	put_u8(out, op_code(op->code));
	put_u8(out, (fz_ops[op->code].flags & FZ_F_GENERIC) != 0);
	put_u8(out, op->iter);
	if (op->code == FZ_OP_ITER_NEXT)
		put_le(out, op->n, 4);
	if (op->key)
		put_value(out, p->hdr.key_kind, op->key);
	if (op->elem)
		put_value(out, p->hdr.elem_kind, op->elem);
}
