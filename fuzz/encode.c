/* program -> bytes: the encoder behind `gomap compile` (the layout is in
 * decode.h, the reasons for it in docs/fuzz-format.md).
 *
 * The encoder keeps no second copy of the decoder's rules.  For each
 * operation it writes the records it expects to produce that operation,
 * feeds them to the decoder itself (fz_decoder_step on a scratch program,
 * record by record), and compares what the decoder appended with what was
 * wanted.  So the bytes it returns decode to the program by construction,
 * whatever the decoder's budget or bulk size is today, and an operation
 * the format cannot express for a target is reported at its line, with
 * what the decoder would have made of it, instead of quietly changing.
 *
 * Choices, per operation:
 *   key     a byte-identical key in the decoder's pool of recent keys;
 *           else a fresh key made from the record's argument, when one
 *           matches; else a LITKEY record (the bytes follow) and slot 0;
 *   elem    the elem derived from the record's selector byte, when it is
 *           the wanted one; else a LITELEM record just before;
 *   runs    puts (or gputs) of consecutive fresh keys with consecutive
 *           derived elems become one bulk record;
 *   reenter one record whose argument bytes double as fresh keys, so the
 *           same search fits keys and one-byte fields together;
 *   pool    the outer key of a reenter equal must still be in the pool,
 *           known to be in the map, when its record comes: before a push
 *           would drop it, it is written again (keep_equal_keys).
 * Every program the decoder makes can be encoded back (tested on random
 * inputs in tests/test_fuzz_format.c). */
#include "decoder.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Where the header fields are (decode.h). */
enum header_offset {
	HDR_VERSION = 0,
	HDR_KEY_CODE = 1,
	HDR_KEY_SIZE = 2,  /* u16: N - 1 of a bytesN outside the table */
	HDR_ELEM_CODE = 4,
	HDR_ELEM_SIZE = 5,
	HDR_HASH_CODE = 7,
	HDR_HINT = 8,
	HDR_SEED = 16,
	HDR_HASHKEY = 24,
};

/* Flag bits of a record's byte 1 (decode.h). */
enum record_flag {
	FLAG_GENERIC = 1u << 0,     /* gput/gget/gdel; reenter: at equal */
	FLAG_ITER_SHIFT = 1,        /* bits 1-3: iterator id */
	FLAG_HASH_OUTER_GPUT = 1u << 4,
	FLAG_EQUAL_OUTER_GDEL = 1u << 5,
};

/* The encoder asks for a fresh key with this selector (decode.h). */
enum { FRESH_KEY_SELECTOR = 0xff };

/* One operation record, before it becomes 8 bytes. */
typedef struct record {
	uint8_t opcode;   /* a byte of the wanted class: fz_class_byte */
	uint8_t flags;    /* enum record_flag */
	uint8_t key_sel;  /* pool slot, FRESH_KEY_SELECTOR, or bulk count - 1 */
	uint8_t elem_sel; /* derived elem; reenter: the inner's selector */
	uint32_t arg;
} record;

typedef struct encoder {
	enum fz_target target;
	const fz_program *want;  /* the program to express */
	size_t next;             /* its first operation not yet encoded */
	fz_program scratch;      /* what the decoder made of buf so far */
	fz_decoder dec;
	uint8_t *buf;            /* the bytes written so far */
	size_t len, cap;
	fz_error *err;
	gomap_textbuf want_text, have_text; /* reused by same_op */
	size_t *equal_at;        /* the reenter equal operations of want */
	size_t nequal;
} encoder;

/* ---- errors ------------------------------------------------------------- */

static int refuse_at(const encoder *e, uint32_t line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int refuse_at(const encoder *e, uint32_t line, const char *fmt, ...)
{
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	fz_error_set(e->err, e->want->file, line, "%s", msg);
	return -1;
}

static int refuse_oom(const encoder *e, uint32_t line)
{
	fz_error_env(e->err, e->want->file, line, "out of memory");
	return -1;
}

/* The canonical text of an op of program p (valid until the next call
 * with the same buffer). */
static const char *op_text(const fz_program *p, const fz_op *op,
                           gomap_textbuf *tb)
{
	tb->len = 0;
	fz_op_format(p, op, false, tb);
	return fz_textbuf_cstr(tb);
}

static const char *key_text(encoder *e, const void *key)
{
	e->want_text.len = 0;
	fz_format_key(e->want, key, &e->want_text);
	return fz_textbuf_cstr(&e->want_text);
}

/* ---- values the decoder can make from a number -------------------------- */

/* The numbers x the decoder's value maker might turn into a value, per
 * kind: an inverse that may guess wrong, because every caller checks a
 * guess by making the value again.  Each returns how many it wrote. */
enum { MAX_VALUE_ARGS = 10 };

static int f64_args(double v, uint32_t *out)
{
	int n = 0;
	for (uint32_t i = 0; i < 8; i++) /* nan -0 0 inf -inf ... */
		out[n++] = 0xff000000u | i;
	double twice = v * 2; /* otherwise x / 2 */
	if (twice >= INT32_MIN && twice <= INT32_MAX &&
	    twice == (double)(int32_t)twice)
		out[n++] = (uint32_t)(int32_t)twice;
	return n;
}

static int str_args(gomap_str s, uint32_t *out)
{
	int n = 0;
	const uint8_t *c = s.ptr;
	/* a run of one letter: 'a' + (x >> 16) % 26, (x & 0x1ff) times, with
	 * the top bit of x set, and a capital 'A' + (m - 1) % 26 in the middle
	 * (byte len / 2) when m, bits 9-15 of x, is not zero */
	size_t mid = s.len / 2;
	bool capital = s.len > 0 && c[mid] >= 'A' && c[mid] <= 'Z';
	/* the run's letter: byte 0, unless that is the capital (length 1) */
	uint8_t letter = s.len == 0 || (mid == 0 && capital) ? 'a' : c[0];
	bool run = s.len < 0x200 && letter >= 'a' && letter <= 'z';
	for (size_t i = 0; run && i < s.len; i++)
		run = c[i] == letter || (i == mid && capital);
	if (run) {
		uint32_t alphabet = 'z' - 'a' + 1;
		uint32_t high = 0x8000u + ((uint32_t)(letter - 'a') + alphabet -
		                           0x8000u % alphabet) % alphabet;
		uint32_t mark = capital ? (uint32_t)(c[mid] - 'A') + 1 : 0;
		out[n++] = high << 16 | mark << 9 | (uint32_t)s.len;
	}
	/* x in decimal */
	uint64_t d = 0;
	bool digits = s.len >= 1 && s.len <= 10;
	for (size_t i = 0; digits && i < s.len; i++) {
		digits = c[i] >= '0' && c[i] <= '9';
		d = d * 10 + (uint64_t)(c[i] - '0');
	}
	if (digits && d <= UINT32_MAX)
		out[n++] = (uint32_t)d;
	return n;
}

static int value_args(fz_vtype t, const void *v, uint32_t out[MAX_VALUE_ARGS])
{
	uint64_t x = 0;
	switch (t.kind) {
	case FZ_KIND_F64: {
		double d;
		memcpy(&d, v, sizeof d);
		return f64_args(d, out);
	}
	case FZ_KIND_STR: {
		gomap_str s;
		memcpy(&s, v, sizeof s);
		return str_args(s, out);
	}
	case FZ_KIND_BYTES: /* x's four bytes, low first */
		for (uint32_t i = t.size < 4 ? t.size : 4; i-- > 0;)
			x = x << 8 | ((const uint8_t *)v)[i];
		break;
	case FZ_KIND_U8: x = *(const uint8_t *)v; break;
	case FZ_KIND_U32: { uint32_t u; memcpy(&u, v, 4); x = u; break; }
	case FZ_KIND_U64: memcpy(&x, v, 8); break;
	}
	if (x > UINT32_MAX)
		return 0;
	out[0] = (uint32_t)x;
	return 1;
}

static bool fresh_key_is(const fz_header *h, uint32_t arg, const void *key)
{
	_Alignas(16) uint8_t buf[FZ_BYTES_MAX];
	uint8_t str[512];
	fz_fresh_key(h, arg, buf, str);
	return fz_value_same(h->key_kind, buf, key);
}

static bool derived_elem_is(const fz_header *h, uint32_t x, const void *elem)
{
	_Alignas(16) uint8_t buf[FZ_BYTES_MAX];
	uint8_t str[512];
	fz_derived_elem(h, x, buf, str);
	return fz_value_same(h->elem_kind, buf, elem);
}

/* The argument whose fresh key is exactly `key`, if there is one. */
static bool fresh_key_arg(const fz_header *h, const void *key, uint32_t *arg)
{
	uint32_t cand[MAX_VALUE_ARGS];
	int n = value_args(h->key_kind, key, cand);
	for (int i = 0; i < n; i++)
		if (fresh_key_is(h, cand[i], key)) {
			*arg = cand[i];
			return true;
		}
	return false;
}

/* The selector byte whose derived elem is exactly `elem`, if there is one. */
static bool derived_elem_byte(const fz_header *h, const void *elem, uint8_t *sel)
{
	uint32_t cand[MAX_VALUE_ARGS];
	int n = value_args(h->elem_kind, elem, cand);
	for (int i = 0; i < n; i++)
		if (cand[i] <= UINT8_MAX && derived_elem_is(h, cand[i], elem)) {
			*sel = (uint8_t)cand[i];
			return true;
		}
	return false;
}

/* The N of iter-next or fail-alloc as an argument: the short form (the
 * top bit clear) when it gives N, else the long one. */
static bool count_arg(uint64_t (*count)(uint32_t), uint64_t n, uint32_t *arg)
{
	if (n == 0 || n - 1 > 0x7fffffff)
		return false;
	const uint32_t cand[2] = {(uint32_t)(n - 1), 0x80000000u | (uint32_t)(n - 1)};
	for (int i = 0; i < 2; i++)
		if (count(cand[i]) == n) {
			*arg = cand[i];
			return true;
		}
	return false;
}

/* ---- writing records and feeding them to the decoder -------------------- */

static int grow(encoder *e, size_t more)
{
	if (e->cap - e->len >= more)
		return 0;
	size_t cap = e->cap ? e->cap : 256;
	while (cap - e->len < more)
		cap *= 2;
	uint8_t *b = realloc(e->buf, cap);
	if (b == NULL)
		return -1;
	e->buf = b;
	e->cap = cap;
	return 0;
}

/* Appends a record (and a literal's bytes, zero-padded to a multiple of
 * 8) and lets the decoder read exactly that.  `why_short` says what it
 * means if the decoder reads a different number of bytes. */
static int write_record(encoder *e, const record *r, const void *payload,
                        size_t plen, const fz_op *op, const char *why_short)
{
	size_t padded = (plen + FZ_RECORD_SIZE - 1) / FZ_RECORD_SIZE * FZ_RECORD_SIZE;
	if (grow(e, FZ_RECORD_SIZE + padded) != 0)
		return refuse_oom(e, op->line);
	uint8_t *w = e->buf + e->len;
	w[0] = r->opcode;
	w[1] = r->flags;
	w[2] = r->key_sel;
	w[3] = r->elem_sel;
	for (int i = 0; i < 4; i++)
		w[4 + i] = (uint8_t)(r->arg >> 8 * i);
	memset(w + FZ_RECORD_SIZE, 0, padded);
	if (plen)
		memcpy(w + FZ_RECORD_SIZE, payload, plen);
	size_t n = FZ_RECORD_SIZE + padded;
	e->len += n;
	size_t used = fz_decoder_step(&e->dec, w, n);
	if (e->dec.oom)
		return refuse_oom(e, op->line);
	if (used == 0 && e->dec.done)
		return refuse_at(e, op->line, "%s: the program is longer than one input can be: the decoder has stopped (its budget of map operations is spent)",
		                 fz_ops[op->code].name);
	if (used != n)
		return refuse_at(e, op->line, "%s: the decoder reads %zu of the %zu bytes written for it (%s)",
		                 fz_ops[op->code].name, used, n, why_short);
	return 0;
}

/* The opcode byte of class c for this target. */
static int class_byte(const encoder *e, enum fz_class c, const fz_op *op,
                      uint8_t *out)
{
	int b = fz_class_byte(e->target, c);
	if (b < 0)
		return refuse_at(e, op->line, "%s: the %s target's opcode table has no records for it",
		                 fz_ops[op->code].name, fz_target_name(e->target));
	*out = (uint8_t)b;
	return 0;
}

/* A LITKEY or LITELEM record carrying v; afterwards the decoder holds it
 * in pool slot 0 (key) or as the pending elem. */
static int write_literal(encoder *e, bool is_key, const void *v,
                         const fz_op *op)
{
	fz_vtype t = is_key ? e->scratch.hdr.key_kind : e->scratch.hdr.elem_kind;
	record r = {0};
	if (class_byte(e, is_key ? FZ_C_LITKEY : FZ_C_LITELEM, op, &r.opcode) != 0)
		return -1;
	const void *bytes = v;
	size_t len = t.size;
	if (t.kind == FZ_KIND_STR) {
		gomap_str s;
		memcpy(&s, v, sizeof s);
		if (s.len > UINT32_MAX)
			return refuse_at(e, op->line, "%s: a str of %zu bytes does not fit a literal record",
			                 fz_ops[op->code].name, s.len);
		bytes = s.ptr;
		len = s.len;
		r.arg = (uint32_t)len;
	}
	if (write_record(e, &r, bytes, len, op,
	                 "a literal this long does not fit the format") != 0)
		return -1;
	const void *got = is_key ? fz_pool_key(&e->dec.pool, 0) : e->dec.pending_elem;
	if (got == NULL || !fz_value_same(t, got, v))
		return refuse_at(e, op->line, "%s: the decoder reads the %s literal back as a different value (%s)",
		                 fz_ops[op->code].name, is_key ? "key" : "elem",
		                 t.kind == FZ_KIND_STR ? "a str this long does not fit"
		                                       : "an encoder bug");
	return 0;
}

/* ---- keys and elems ------------------------------------------------------ */

/* The pool slot holding exactly `key`, or -1. */
static int pool_slot(const encoder *e, const void *key)
{
	for (unsigned i = 0; i < e->dec.pool.n; i++)
		if (fz_value_same(e->scratch.hdr.key_kind, fz_pool_key(&e->dec.pool, i), key))
			return (int)i;
	return -1;
}

/* Among the pool slots the decoder knows to be in the map, the position
 * of one holding exactly `key`, or -1 (what an equal reenter selects). */
static int present_position(const encoder *e, const void *key)
{
	if (!e->dec.presence_known)
		return -1;
	int seen = 0;
	for (unsigned i = 0; i < e->dec.pool.n; i++) {
		if (!fz_pool_present(&e->dec.pool, i))
			continue;
		if (fz_value_same(e->scratch.hdr.key_kind, fz_pool_key(&e->dec.pool, i), key))
			return seen;
		seen++;
	}
	return -1;
}

/* Whether key is the outer key of a reenter equal still to be encoded
 * (the current operation included). */
static bool needed_by_equal(const encoder *e, const void *key)
{
	for (size_t i = 0; i < e->nequal; i++) {
		size_t at = e->equal_at[i];
		if (at >= e->next && at + 1 < e->want->nops &&
		    fz_value_same(e->scratch.hdr.key_kind, e->want->ops[at + 1].key, key))
			return true;
	}
	return false;
}

/* Keeping the outer keys of reenter equal in the pool.  The decoder
 * selects such a key only among pool slots it knows to be in the map.
 * The decoder that made a program may have held that key in its pool
 * where our choices (fewer, later pushes) would drop it, so before every
 * record that pushes keys, a needed key about to reach the last slot is
 * written again as a literal: it moves to slot 0 and stays known to be in
 * the map.  It must happen before the last slot: a push drops that slot
 * before it looks for a copy known to be in the map. */

/* A pool slot holding the only copy known to be in the map of a needed
 * key, which `pushes` more keys would move to the last slot or beyond;
 * the deepest such slot that can still be saved, or -1. */
static int slot_to_keep(const encoder *e, unsigned pushes)
{
	const fz_decoder *d = &e->dec;
	const unsigned last = FZ_POOL - 1;
	if (pushes == 0 || pushes >= last || !d->presence_known)
		return -1;
	unsigned safe = last - pushes; /* slots below this stay above the last */
	for (unsigned i = d->pool.n < last ? d->pool.n : last; i-- > safe;) {
		if (!fz_pool_present(&d->pool, i) || !needed_by_equal(e, fz_pool_key(&d->pool, i)))
			continue;
		bool copy = false;
		for (unsigned j = 0; j < safe && !copy; j++)
			copy = fz_pool_present(&d->pool, j) &&
			       fz_value_same(e->scratch.hdr.key_kind, fz_pool_key(&d->pool, j), fz_pool_key(&d->pool, i));
		if (!copy)
			return (int)i;
	}
	return -1;
}

static int keep_equal_keys(encoder *e, const fz_op *op, unsigned pushes)
{
	for (int i; (i = slot_to_keep(e, pushes)) >= 0;)
		if (write_literal(e, true, fz_pool_key(&e->dec.pool, i), op) != 0)
			return -1;
	return 0;
}

/* Whether an operation `code` that selects key from pool slot i would
 * mark a needed key as in the map in the last slot, where no literal can
 * keep it; a push puts it in slot 0 instead.  (A read must select it: a
 * push would lose what the decoder knows.) */
static bool dead_end_slot(const encoder *e, enum fz_opcode code, int i,
                          const void *key)
{
	bool marks = code == FZ_OP_PUT || code == FZ_OP_GPUT || code == FZ_OP_INC;
	return marks && i == FZ_POOL - 1 && needed_by_equal(e, key);
}

/* The key selector (and argument) of a keyed record; may write a LITKEY
 * record first. */
static int choose_key(encoder *e, const fz_op *op, uint8_t *sel, uint32_t *arg)
{
	int slot = pool_slot(e, op->key);
	if (slot >= 0 && !dead_end_slot(e, op->code, slot, op->key)) {
		*sel = (uint8_t)slot;
		return 0;
	}
	if (keep_equal_keys(e, op, 1) != 0)
		return -1;
	if (fresh_key_arg(&e->scratch.hdr, op->key, arg)) {
		*sel = FRESH_KEY_SELECTOR;
		return 0;
	}
	if (write_literal(e, true, op->key, op) != 0)
		return -1;
	*sel = 0;
	return 0;
}

/* The elem selector of a record whose operation takes the pending elem;
 * may write a LITELEM record first. */
static int choose_elem(encoder *e, const fz_op *op, const void *elem,
                       uint8_t *sel)
{
	*sel = 0;
	if (derived_elem_byte(&e->scratch.hdr, elem, sel))
		return 0;
	return write_literal(e, false, elem, op);
}

/* ---- one record per kind of operation ------------------------------------ */

static enum fz_class class_of(enum fz_opcode code)
{
	switch (code) {
	case FZ_OP_PUT: case FZ_OP_GPUT: return FZ_C_PUT;
	case FZ_OP_GET: case FZ_OP_GGET: return FZ_C_GET;
	case FZ_OP_DEL: case FZ_OP_GDEL: return FZ_C_DEL;
	case FZ_OP_INC: return FZ_C_INC;
	case FZ_OP_LEN: return FZ_C_LEN;
	case FZ_OP_CLEAR: return FZ_C_CLEAR;
	case FZ_OP_ITER: return FZ_C_ITER;
	case FZ_OP_CHECK: return FZ_C_CHECK;
	case FZ_OP_DUMP: return FZ_C_DUMP;
	case FZ_OP_ITER_START: return FZ_C_ITER_START;
	case FZ_OP_ITER_NEXT: return FZ_C_ITER_NEXT;
	case FZ_OP_ITER_STOP: return FZ_C_ITER_STOP;
	case FZ_OP_FAIL_ALLOC: return FZ_C_FAIL_ALLOC;
	case FZ_OP_REENTER: return FZ_C_REENTER;
	default: return FZ_CLASSES;
	}
}

/* put get del gput gget gdel inc. */
static int write_keyed(encoder *e, const fz_op *op)
{
	record r = {.flags = fz_ops[op->code].flags & FZ_F_GENERIC ? FLAG_GENERIC : 0};
	if (class_byte(e, class_of(op->code), op, &r.opcode) != 0 ||
	    choose_key(e, op, &r.key_sel, &r.arg) != 0)
		return -1;
	if (op->elem && choose_elem(e, op, op->elem, &r.elem_sel) != 0)
		return -1;
	return write_record(e, &r, NULL, 0, op, "an encoder bug");
}

/* How many wanted operations from e->next on one bulk record makes: puts
 * (all plain or all gput) of the fresh keys of arg, arg+1, ... with the
 * elems derived from sel, sel+1, ...  Below 2 a bulk saves nothing. */
static unsigned bulk_run(const encoder *e, uint32_t *arg, uint8_t *sel)
{
	const fz_header *h = &e->scratch.hdr;
	const fz_op *ops = e->want->ops + e->next;
	size_t left = e->want->nops - e->next;
	if (!fresh_key_arg(h, ops[0].key, arg) ||
	    !derived_elem_byte(h, ops[0].elem, sel))
		return 0;
	unsigned max = FZ_BULK_MAX < UINT8_MAX + 1 ? FZ_BULK_MAX : UINT8_MAX + 1;
	unsigned n = 1;
	while (n < max && n < left && ops[n].code == ops[0].code &&
	       fresh_key_is(h, *arg + n, ops[n].key) &&
	       derived_elem_is(h, *sel + n, ops[n].elem))
		n++;
	return n;
}

static int write_put(encoder *e, const fz_op *op)
{
	record r = {.flags = op->code == FZ_OP_GPUT ? FLAG_GENERIC : 0};
	unsigned n = bulk_run(e, &r.arg, &r.elem_sel);
	if (n < 2)
		return write_keyed(e, op);
	r.key_sel = (uint8_t)(n - 1);
	if (class_byte(e, FZ_C_BULK, op, &r.opcode) != 0 ||
	    keep_equal_keys(e, op, n) != 0)
		return -1;
	return write_record(e, &r, NULL, 0, op, "an encoder bug");
}

/* len clear iter check dump iter-start iter-next iter-stop fail-alloc. */
static int write_plain(encoder *e, const fz_op *op)
{
	record r = {0};
	if (class_byte(e, class_of(op->code), op, &r.opcode) != 0)
		return -1;
	if (fz_ops[op->code].args == FZ_ARGS_ID || fz_ops[op->code].args == FZ_ARGS_N_ID)
		r.flags = (uint8_t)(op->iter << FLAG_ITER_SHIFT);
	if (op->code == FZ_OP_ITER_NEXT && !count_arg(fz_iter_n, op->n, &r.arg))
		return refuse_at(e, op->line, "iter-next: N %llu does not fit a record's argument",
		                 (unsigned long long)op->n);
	if (op->code == FZ_OP_FAIL_ALLOC && !count_arg(fz_fail_n, op->n, &r.arg))
		return refuse_at(e, op->line, "fail-alloc: N %llu does not fit a record's argument (at most 2^31)",
		                 (unsigned long long)op->n);
	return write_record(e, &r, NULL, 0, op, "an encoder bug");
}

/* The argument of a reenter record is four one-byte fields (inner key
 * selector, inner elem, outer elem, inner N), and a fresh inner key is
 * made from all four bytes, a fresh outer key from them xor this mask.
 * `fixed` marks the bits already spoken for. */
enum { OUTER_KEY_MASK = 0x5a5a5a5a };

typedef struct reenter_arg {
	uint32_t value, fixed;
} reenter_arg;

static void fix_byte(reenter_arg *a, int byte, uint8_t v)
{
	a->value = (a->value & ~(0xffu << 8 * byte)) | (uint32_t)v << 8 * byte;
	a->fixed |= 0xffu << 8 * byte;
}

/* Completes a so that the fresh key of (a->value ^ mask) is exactly key,
 * keeping the fixed bits, with byte 0 at least low_min.  False, and a
 * unchanged, when no such argument turns up. */
static bool fresh_within(const fz_header *h, const void *key, uint32_t mask,
                         uint8_t low_min, reenter_arg *a)
{
	uint32_t cand[MAX_VALUE_ARGS];
	int n = value_args(h->key_kind, key, cand);
	for (int i = 0; i < n; i++) {
		uint32_t x = ((cand[i] ^ mask) & ~a->fixed) | (a->value & a->fixed);
		if ((x & 0xff) >= low_min && fresh_key_is(h, x ^ mask, key)) {
			a->value = x;
			a->fixed = UINT32_MAX;
			return true;
		}
	}
	return false;
}

enum key_source { FROM_POOL, FROM_ARGUMENT, NEEDS_LITERAL };

/* Where a reenter record can take its two keys from, the pool being as
 * it is now: a pool slot (for equal's outer, a position among the slots
 * known to be in the map), a fresh key that fits the argument, or
 * neither.  Fills the outer selector and the argument bytes chosen. */
static void plan_reenter_keys(const encoder *e, const fz_op *re,
                              const fz_op *outer, record *r, reenter_arg *a,
                              enum key_source *inner, enum key_source *outer_src)
{
	const fz_header *h = &e->scratch.hdr;
	bool equal = re->at == FZ_REENTER_EQUAL;
	/* with an empty pool every selector makes a fresh key */
	uint8_t fresh_min = e->dec.pool.n ? FZ_SEL_FRESH : 0;
	*inner = FROM_POOL;
	if (re->inner->key) {
		int slot = pool_slot(e, re->inner->key);
		if (slot >= 0 && !dead_end_slot(e, re->inner->code, slot, re->inner->key))
			fix_byte(a, 0, (uint8_t)slot);
		else if (fresh_within(h, re->inner->key, 0, fresh_min, a))
			*inner = FROM_ARGUMENT;
		else
			*inner = NEEDS_LITERAL;
	}
	int o = equal ? present_position(e, outer->key) : pool_slot(e, outer->key);
	if (!equal && dead_end_slot(e, outer->code, o, outer->key))
		o = -1;
	*outer_src = FROM_POOL;
	if (o >= 0) {
		r->key_sel = (uint8_t)o;
	} else if (!equal && fresh_within(h, outer->key, OUTER_KEY_MASK, 0, a)) {
		r->key_sel = FRESH_KEY_SELECTOR;
		*outer_src = FROM_ARGUMENT;
	} else {
		*outer_src = NEEDS_LITERAL;
	}
}

/* Chooses the keys of a reenter record, writing a LITKEY record first for
 * a key that can be neither selected nor made, and completes its
 * argument.  A literal moves the pool, so the plan is made again after
 * each; each key is written at most once.  Only literals can push the
 * outer of an equal scenario out of the pool, which is why the pool and
 * fresh keys come first. */
static int choose_reenter_keys(encoder *e, const fz_op *re, const fz_op *outer,
                               record *r, reenter_arg base)
{
	bool inner_written = false, outer_written = false;
	/* the record itself may push both keys, after it selects them */
	if (keep_equal_keys(e, re, 2) != 0)
		return -1;
	for (;;) {
		reenter_arg a = base;
		enum key_source inner, outer_src;
		plan_reenter_keys(e, re, outer, r, &a, &inner, &outer_src);
		if (inner != NEEDS_LITERAL && outer_src != NEEDS_LITERAL) {
			r->arg = a.value;
			return 0;
		}
		if (inner == NEEDS_LITERAL && !inner_written) {
			if (keep_equal_keys(e, re, 1) != 0 ||
			    write_literal(e, true, re->inner->key, re) != 0)
				return -1;
			inner_written = true;
		} else if (outer_src == NEEDS_LITERAL && !outer_written) {
			if (keep_equal_keys(e, re, 1) != 0 ||
			    write_literal(e, true, outer->key, re) != 0)
				return -1;
			outer_written = true;
		} else if (re->at == FZ_REENTER_EQUAL && outer_src == NEEDS_LITERAL) {
			return refuse_at(e, re->line, "reenter equal: the decoder does not know %s to be in the map here (it follows presence through its pool of recent keys, and stops after a fail-alloc)",
			                 key_text(e, outer->key));
		} else {
			return refuse_at(e, re->line, "reenter: the two keys do not fit the pool together (an encoder bug)");
		}
	}
}

/* reenter and its outer operation: one record.  The decoder appends both,
 * and after an equal scenario that must be fatal, the expect-fatal too. */
static int write_reenter(encoder *e, const fz_op *re)
{
	const fz_op *inner = re->inner;
	if (e->next + 1 >= e->want->nops)
		return refuse_at(e, re->line, "reenter: no map operation follows");
	const fz_op *outer = &e->want->ops[e->next + 1];
	bool equal = re->at == FZ_REENTER_EQUAL;
	record r = {.flags = equal ? FLAG_GENERIC : 0};
	if (class_byte(e, FZ_C_REENTER, re, &r.opcode) != 0)
		return -1;
	if (equal && outer->code != FZ_OP_GPUT && outer->code != FZ_OP_GDEL)
		return refuse_at(e, outer->line, "%s: the format's outer operation of reenter equal is gput or gdel",
		                 fz_ops[outer->code].name);
	if (!equal && outer->code != FZ_OP_PUT && outer->code != FZ_OP_GPUT)
		return refuse_at(e, outer->line, "%s: the format's outer operation of reenter hash is put or gput",
		                 fz_ops[outer->code].name);
	if (outer->code == FZ_OP_GDEL)
		r.flags |= FLAG_EQUAL_OUTER_GDEL;
	if (!equal && outer->code == FZ_OP_GPUT)
		r.flags |= FLAG_HASH_OUTER_GPUT;

	int inner_sel = fz_inner_selector(inner->code);
	if (inner_sel < 0)
		return refuse_at(e, re->line, "reenter: the format never runs %s inside a callback",
		                 fz_ops[inner->code].name);
	r.elem_sel = (uint8_t)inner_sel;

	/* the argument bytes the elems and N decide */
	reenter_arg base = {0};
	uint8_t b;
	if (outer->elem) {
		if (!derived_elem_byte(&e->scratch.hdr, outer->elem, &b)) {
			e->want_text.len = 0;
			fz_format_elem(e->want, outer->elem, &e->want_text);
			return refuse_at(e, outer->line, "%s: the outer elem of a reenter is derived from one byte, and %s is not such an elem",
			                 fz_ops[outer->code].name, fz_textbuf_cstr(&e->want_text));
		}
		fix_byte(&base, 2, b);
	}
	bool inner_elem_literal = false;
	if (inner->elem) {
		if (derived_elem_byte(&e->scratch.hdr, inner->elem, &b))
			fix_byte(&base, 1, b);
		else
			inner_elem_literal = true; /* byte 1 stays free */
	}
	if (inner->code == FZ_OP_ITER_NEXT) {
		r.flags |= (uint8_t)(inner->iter << FLAG_ITER_SHIFT);
		if (inner->n - 1 > UINT8_MAX)
			return refuse_at(e, re->line, "reenter: an inner iter-next's N comes from one byte of the record; %llu is too many",
			                 (unsigned long long)inner->n);
		fix_byte(&base, 3, (uint8_t)(inner->n - 1));
	}

	if (choose_reenter_keys(e, re, outer, &r, base) != 0)
		return -1;
	if (inner_elem_literal && write_literal(e, false, inner->elem, re) != 0)
		return -1;
	return write_record(e, &r, NULL, 0, re, "an encoder bug");
}

static int write_records(encoder *e, const fz_op *op)
{
	switch (op->code) {
	case FZ_OP_PUT: case FZ_OP_GPUT:
		return write_put(e, op);
	case FZ_OP_GET: case FZ_OP_GGET: case FZ_OP_DEL: case FZ_OP_GDEL:
	case FZ_OP_INC:
		return write_keyed(e, op);
	case FZ_OP_REENTER:
		return write_reenter(e, op);
	case FZ_OP_EXPECT_FATAL:
		return refuse_at(e, op->line, "expect-fatal: the decoder writes one only after the outer operation of a reenter equal scenario that must be fatal, and this is not one");
	default:
		return write_plain(e, op);
	}
}

/* ---- checking what the decoder made ------------------------------------- */

static bool same_op(encoder *e, const fz_op *want, const fz_op *have)
{
	const char *w = op_text(e->want, want, &e->want_text);
	const char *h = op_text(&e->scratch, have, &e->have_text);
	return !e->want_text.oom && !e->have_text.oom && strcmp(w, h) == 0;
}

/* Checks the operations the decoder appended since `before` against the
 * wanted ones from e->next on, and moves e->next past them. */
static int expect_appended(encoder *e, size_t before, const fz_op *first)
{
	size_t got = e->scratch.nops - before;
	if (got == 0)
		return refuse_at(e, first->line, "%s: the records written for it decode to nothing%s",
		                 fz_ops[first->code].name,
		                 e->dec.done ? " (the decoder has stopped: the program is too long)"
		                             : " (an encoder bug)");
	for (size_t j = 0; j < got; j++) {
		const fz_op *have = &e->scratch.ops[before + j];
		if (e->next >= e->want->nops)
			return refuse_at(e, first->line, "%s: the decoder follows it with \"%s\", which the program does not have",
			                 fz_ops[first->code].name,
			                 op_text(&e->scratch, have, &e->have_text));
		const fz_op *want = &e->want->ops[e->next];
		if (!same_op(e, want, have))
			return refuse_at(e, want->line, "%s: not expressible for target %s here: the records for it decode to \"%s\"",
			                 fz_ops[want->code].name, fz_target_name(e->target),
			                 op_text(&e->scratch, have, &e->have_text));
		e->next++;
	}
	return 0;
}

static int encode_next(encoder *e)
{
	const fz_op *op = &e->want->ops[e->next];
	if (e->dec.done)
		return refuse_at(e, op->line, "%s: the program is longer than one input can be: the decoder stops before it (its budget of map operations is spent)",
		                 fz_ops[op->code].name);
	size_t before = e->scratch.nops;
	if (write_records(e, op) != 0)
		return -1;
	return expect_appended(e, before, op);
}

/* ---- header -------------------------------------------------------------- */

static void put_le(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> 8 * i);
}

/* The header the decoder reads from hdr. */
static bool decoded_header(enum fz_target t, const uint8_t *hdr, fz_header *out)
{
	fz_program p;
	fz_decoder d;
	fz_program_init(&p, NULL);
	fz_decoder_init(&d, t, hdr, FZ_HEADER_SIZE, &p);
	*out = p.hdr;
	fz_program_free(&p);
	return !d.oom;
}

static bool same_key_kind(const fz_header *a, const fz_header *b)
{
	return !strcmp(a->key_name, b->key_name);
}
static bool same_elem_kind(const fz_header *a, const fz_header *b)
{
	return !strcmp(a->elem_name, b->elem_name);
}
static bool same_hash_mode(const fz_header *a, const fz_header *b)
{
	return a->hash_mode == b->hash_mode;
}

/* Sets hdr[at] to the first code the decoder reads as `want` says; the
 * decoder's tables stay in decode.c. */
static bool choose_code(enum fz_target t, uint8_t *hdr, int at, const fz_header *want,
                        bool (*fits)(const fz_header *, const fz_header *))
{
	for (int c = 0; c <= UINT8_MAX; c++) {
		fz_header got;
		hdr[at] = (uint8_t)c;
		if (decoded_header(t, hdr, &got) && fits(&got, want))
			return true;
	}
	return false;
}

static const char *header_text(const fz_program *p, gomap_textbuf *tb)
{
	tb->len = 0;
	fz_header_format(p, tb);
	return fz_textbuf_cstr(tb);
}

/* Writes the header and starts the decoder on it. */
static int encode_header(encoder *e)
{
	const fz_header *w = &e->want->hdr;
	uint8_t hdr[FZ_HEADER_SIZE] = {0};
	hdr[HDR_VERSION] = FZ_FORMAT_VERSION;
	/* the size fields count only for a bytesN outside the tables */
	if (w->key_kind.kind == FZ_KIND_BYTES)
		put_le(hdr + HDR_KEY_SIZE, w->key_kind.size - 1, 2);
	if (w->elem_kind.kind == FZ_KIND_BYTES)
		put_le(hdr + HDR_ELEM_SIZE, w->elem_kind.size - 1, 2);
	bool big = w->hint >= FZ_B16_HINT && w->hint < FZ_B16_HINT + FZ_BIG_HINT_SPAN;
	put_le(hdr + HDR_HINT, big ? (uint64_t)FZ_BIG_HINT_MARK << 56 |
	                                     (uint64_t)(w->hint - FZ_B16_HINT)
	                           : (uint64_t)w->hint, 8);
	put_le(hdr + HDR_SEED, w->has_seed ? w->seed : 0, 8);
	put_le(hdr + HDR_HASHKEY, w->hashkey == GOMAP_DEFAULT_HASHKEY0 ? 0 : w->hashkey, 8);
	bool found = choose_code(e->target, hdr, HDR_KEY_CODE, w, same_key_kind) &&
	             choose_code(e->target, hdr, HDR_ELEM_CODE, w, same_elem_kind) &&
	             choose_code(e->target, hdr, HDR_HASH_CODE, w, same_hash_mode);

	if (grow(e, FZ_HEADER_SIZE) != 0)
		return refuse_oom(e, e->want->header_line);
	memcpy(e->buf, hdr, FZ_HEADER_SIZE);
	e->len = FZ_HEADER_SIZE;
	fz_decoder_init(&e->dec, e->target, hdr, FZ_HEADER_SIZE, &e->scratch);
	if (e->dec.oom)
		return refuse_oom(e, e->want->header_line);

	/* A program without a seed is written with seed 0. */
	fz_program seeded = {.file = e->want->file, .hdr = *w};
	seeded.hdr.has_seed = true;
	seeded.hdr.seed = w->has_seed ? w->seed : 0;
	const char *want = header_text(&seeded, &e->want_text);
	const char *have = header_text(&e->scratch, &e->have_text);
	if (!found || strcmp(want, have) != 0)
		return refuse_at(e, e->want->header_line, "header: not expressible in the format: it decodes to \"%s\"",
		                 have);
	return 0;
}

/* ---- the entry point ------------------------------------------------------ */

static int find_equal_scenarios(encoder *e)
{
	for (size_t i = 0; i < e->want->nops; i++) {
		const fz_op *op = &e->want->ops[i];
		if (op->code != FZ_OP_REENTER || op->at != FZ_REENTER_EQUAL)
			continue;
		size_t *more = realloc(e->equal_at, (e->nequal + 1) * sizeof *more);
		if (more == NULL)
			return refuse_oom(e, op->line);
		e->equal_at = more;
		e->equal_at[e->nequal++] = i;
	}
	return 0;
}

int fz_encode(enum fz_target t, const fz_program *p, uint8_t **out,
              size_t *size, fz_error *err)
{
	*out = NULL;
	*size = 0;
	if ((unsigned)t >= FZ_TARGETS) {
		fz_error_set(err, p->file, 0, "unknown fuzz target %d", (int)t);
		return -1;
	}
	if (!p->has_header) {
		fz_error_set(err, p->file, p->header_line, "the program has no header");
		return -1;
	}
	encoder e = {.target = t, .want = p, .err = err};
	fz_program_init(&e.scratch, p->file);
	int rc = find_equal_scenarios(&e);
	if (rc == 0)
		rc = encode_header(&e);
	while (rc == 0 && e.next < p->nops)
		rc = encode_next(&e);
	fz_program_free(&e.scratch);
	free(e.equal_at);
	gomap_textbuf_free(&e.want_text);
	gomap_textbuf_free(&e.have_text);
	if (rc != 0) {
		free(e.buf);
		return -1;
	}
	*out = e.buf;
	*size = e.len;
	return 0;
}
