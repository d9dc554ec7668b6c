/* bytes -> program (the layout is in decode.h).  A data producer that
 * never rejects input: every byte string is a program, and the decoder
 * only generates operations fz_program_append accepts and the executor can
 * run (no reenter or expect-fatal outside the faults target; there, only
 * scenarios whose outcome the decoder predicts exactly). */
#include "decoder.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stddef.h>
#include <string.h>

/* ---- each target's opcode table (its weights: targets.c) ------------- */

static uint8_t class_table[FZ_TARGETS][256];
static bool class_ready;

static void build_tables(void)
{
	if (class_ready)
		return;
	for (int t = 0; t < FZ_TARGETS; t++) {
		int b = 0;
		for (int c = 0; c < FZ_CLASSES; c++)
			for (int w = 0; w < fz_targets[t].weights[c] && b < 256; w++)
				class_table[t][b++] = (uint8_t)c;
		while (b < 256) /* the weights add up to 256; pad just in case */
			class_table[t][b++] = FZ_C_PUT;
	}
	class_ready = true;
}

int fz_class_byte(enum fz_target t, enum fz_class c)
{
	build_tables();
	for (int b = 0; b < 256; b++)
		if (class_table[t][b] == c)
			return b;
	return -1;
}

/* ---- values ------------------------------------------------------------- */

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}
static uint64_t rd64(const uint8_t *p)
{
	return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

/* Fills a value of kind t from a 32-bit number x; what fresh keys and
 * derived elems share.  Strings: decimal x, or with the top bit a run of
 * (x & 0x1ff) copies of one letter (long strings from short inputs), whose
 * middle byte bits 9-15, when not zero, make a capital: runs of one length
 * and letter then differ inside only, as faststr's screen of a long key by
 * its first and last four bytes needs to find two candidates.  f64: one x
 * in FZ_F64_NAN_EVERY makes a NaN, so that a bulk put holds one (decode.h). */
static void value_from(fz_vtype t, uint32_t x, void *out, uint8_t *strbuf)
{
	switch (t.kind) {
	case FZ_KIND_U8: { uint8_t v = (uint8_t)x; memcpy(out, &v, 1); break; }
	case FZ_KIND_U32: memcpy(out, &x, 4); break;
	case FZ_KIND_U64: { uint64_t v = x; memcpy(out, &v, 8); break; }
	case FZ_KIND_F64: {
		static const double special[8] = {NAN, -0.0, 0.0, INFINITY,
		                                  -INFINITY, 5e-324, DBL_MAX, 1.0};
		double v = (x >> 24) == 0xff    ? special[x & 7]
		           : x % FZ_F64_NAN_EVERY == FZ_F64_NAN_EVERY - 1 ? NAN
		                                 : (double)(int32_t)x / 2;
		memcpy(out, &v, 8);
		break;
	}
	case FZ_KIND_STR: {
		gomap_str s = {strbuf, 0};
		if (x & 0x80000000u) {
			uint32_t mark = (x >> 9) & 0x7f;
			s.len = x & 0x1ff;
			memset(strbuf, 'a' + (int)((x >> 16) % 26), s.len);
			if (mark != 0 && s.len != 0)
				strbuf[s.len / 2] = (uint8_t)('A' + (mark - 1) % 26);
		} else {
			s.len = (size_t)snprintf((char *)strbuf, 16, "%u", x);
		}
		memcpy(out, &s, sizeof s);
		break;
	}
	case FZ_KIND_BYTES:
		memset(out, 0, t.size);
		for (uint32_t i = 0; i < 4 && i < t.size; i++)
			((uint8_t *)out)[i] = (uint8_t)(x >> 8 * i);
		break;
	}
}

void fz_fresh_key(const fz_header *h, uint32_t arg, void *out, uint8_t *strbuf)
{
	value_from(h->key_kind, arg, out, strbuf);
}

void fz_derived_elem(const fz_header *h, uint32_t x, void *out, uint8_t *strbuf)
{
	value_from(h->elem_kind, x, out, strbuf);
}

bool fz_value_same(fz_vtype t, const void *a, const void *b)
{
	if (t.kind != FZ_KIND_STR)
		return memcmp(a, b, t.size) == 0;
	gomap_str x, y;
	memcpy(&x, a, sizeof x);
	memcpy(&y, b, sizeof y);
	return x.len == y.len && (x.len == 0 || memcmp(x.ptr, y.ptr, x.len) == 0);
}

bool fz_key_equal(const fz_header *h, const void *a, const void *b)
{
	if (h->key_kind.kind == FZ_KIND_F64) {
		double x, y;
		memcpy(&x, a, 8);
		memcpy(&y, b, 8);
		return x == y;
	}
	return fz_value_same(h->key_kind, a, b);
}

uint64_t fz_iter_n(uint32_t arg)
{
	return arg & 0x80000000u ? 1 + (uint64_t)((arg & 0x7fffffff) % 1000000)
	                         : 1 + (uint64_t)(arg % 32);
}

uint64_t fz_fail_n(uint32_t arg)
{
	return arg & 0x80000000u ? 1 + (uint64_t)(arg & 0x7fffffff)
	                         : 1 + (uint64_t)(arg % 64);
}

/* ---- header ------------------------------------------------------------- */

static const char *const key_table[10] = {"u32", "u64", "f64", "str",
	"bytes3", "bytes4", "bytes8", "bytes16", "bytes129", "bytes300"};
static const char *const elem_table[8] = {"u8", "u32", "u64", "str",
	"bytes3", "bytes8", "bytes129", "bytes200"};

void fz_decoder_init(fz_decoder *d, enum fz_target t, const uint8_t *hdr,
                     size_t n, fz_program *p)
{
	uint8_t h[FZ_HEADER_SIZE] = {0};
	memcpy(h, hdr, n < sizeof h ? n : sizeof h);
	build_tables();
	/* the rooms are scratch, written before they are read: 10 KiB
	 * not worth clearing per input */
	memset(d, 0, offsetof(fz_decoder, room));
	d->target = (unsigned)t < FZ_TARGETS ? t : FZ_TARGET_OPS;
	d->p = p;
	d->presence_known = true;
	fz_pool_init(&d->pool, &p->hdr);

	char kname[16], ename[16];
	unsigned kc = h[1] % 16, ec = h[4] % 16;
	if (kc < 10)
		snprintf(kname, sizeof kname, "%s", key_table[kc]);
	else
		snprintf(kname, sizeof kname, "bytes%u", 1 + rd16(h + 2) % 1024u);
	if (ec < 8)
		snprintf(ename, sizeof ename, "%s", elem_table[ec]);
	else
		snprintf(ename, sizeof ename, "bytes%u", 1 + rd16(h + 5) % 1024u);
	fz_error err;
	if (fz_program_set_header(p, kname, ename, &err) != 0) {
		d->done = d->oom = true; /* cannot happen: every name is valid */
		return;
	}
	unsigned hm = h[7] % 8;
	fz_program_set_hash_mode(p, hm < 5 ? FZ_HASH_GO
	                                    : (enum fz_hash_mode)(hm - 4));
	uint64_t raw_hint = rd64(h + 8);
	int64_t hint = (int64_t)raw_hint;
	if (raw_hint >> 56 == FZ_BIG_HINT_MARK && fz_targets[d->target].big_hints)
		/* the big-hint form (decode.h) */
		hint = FZ_B16_HINT + (int64_t)(raw_hint % FZ_BIG_HINT_SPAN);
	else if (hint > 4096 || hint < -4096)
		hint %= 257;
	p->hdr.hint = hint;
	p->hdr.seed = rd64(h + 16);
	p->hdr.has_seed = true;
	uint64_t hk = rd64(h + 24);
	p->hdr.hashkey = hk ? hk : GOMAP_DEFAULT_HASHKEY0;
	/* A budget of map operations per input: 512 reach B = 6 through bulk
	 * puts, and a run stays short enough for the fuzzer's throughput
	 * target (bench/fuzz_throughput.sh).  Crowding hash modes make every
	 * operation walk a long chain: their programs are shorter still. */
	d->budget = p->hdr.hash_mode == FZ_HASH_GO ? 512 : 256;
}

/* ---- what the decoder knows ---------------------------------------------- */

static void pool_push(fz_decoder *d, const void *key)
{
	fz_pool_push(&d->pool, key);
}

static void mark(fz_decoder *d, const void *key, bool present)
{
	fz_pool_mark(&d->pool, key, present);
}

static int npresent(const fz_decoder *d)
{
	return (int)d->pool.npresent;
}

/* What an appended operation does to what the decoder knows. */
static void track(fz_decoder *d, const fz_op *op)
{
	switch (op->code) {
	case FZ_OP_PUT: case FZ_OP_GPUT: case FZ_OP_INC:
		mark(d, op->key, true);
		break;
	case FZ_OP_DEL: case FZ_OP_GDEL:
		mark(d, op->key, false);
		break;
	case FZ_OP_CLEAR:
		fz_pool_mark_all_absent(&d->pool);
		d->fresh_iter = 0;
		break;
	case FZ_OP_ITER_START:
		d->running |= (uint8_t)(1u << op->iter);
		if (d->presence_known && npresent(d) > 0)
			d->fresh_iter |= (uint8_t)(1u << op->iter);
		else
			d->fresh_iter &= (uint8_t)~(1u << op->iter);
		break;
	case FZ_OP_ITER_NEXT:
		d->fresh_iter &= (uint8_t)~(1u << op->iter);
		break;
	case FZ_OP_ITER_STOP:
		d->running &= (uint8_t)~(1u << op->iter);
		d->fresh_iter &= (uint8_t)~(1u << op->iter);
		break;
	case FZ_OP_FAIL_ALLOC:
		d->presence_known = false;
		break;
	default:
		break;
	}
}

/* Appends op; a value not yet in the arena is copied there.  Returns the
 * appended op (stable until the next append), or NULL.  What the op does
 * to what the decoder knows is the caller's to track. */
static const fz_op *append(fz_decoder *d, const fz_op *op)
{
	fz_error err;
	if (d->done)
		return NULL;
	if (fz_program_append(d->p, op, &err) != 0) {
		/* A decoder bug, not an input problem: fail loudly in tests,
		 * but stay total for the fuzzer. */
		fprintf(stderr, "fz_decode: internal: %s\n", err.text);
		d->done = d->oom = true;
		return NULL;
	}
	if (fz_ops[op->code].flags & FZ_F_MAPOP && --d->budget == 0)
		d->done = true;
	return &d->p->ops[d->p->nops - 1];
}

/* append, and track what the op does (a reenter's inner runs before the
 * outer's own effect: reenter() tracks it). */
static const fz_op *emit(fz_decoder *d, const fz_op *op)
{
	const fz_op *a = append(d, op);
	if (a && op->code != FZ_OP_REENTER)
		track(d, a);
	return a;
}

/* An operation without values. */
static void emit_plain(fz_decoder *d, enum fz_opcode code, unsigned iter,
                       uint64_t n)
{
	fz_op op = {.code = code, .iter = (uint8_t)iter, .n = n};
	emit(d, &op);
}

/* A fresh key joins the pool with what the appended op a did to it: the
 * same as track() then fz_pool_push, in one lookup. */
static void remember_fresh(fz_decoder *d, const fz_op *a)
{
	switch (a->code) {
	case FZ_OP_PUT: case FZ_OP_GPUT: case FZ_OP_INC:
		fz_pool_push_marked(&d->pool, a->key, true);
		break;
	case FZ_OP_DEL: case FZ_OP_GDEL:
		fz_pool_push_marked(&d->pool, a->key, false);
		break;
	default:
		fz_pool_push(&d->pool, a->key);
		break;
	}
}

/* What the appended op a on a key does to what the decoder knows: a
 * fresh key joins the pool with it, a recent one is tracked. */
static void track_keyed(fz_decoder *d, const fz_op *a, bool fresh)
{
	if (fresh)
		remember_fresh(d, a);
	else
		track(d, a);
}

/* Where a value of kind t is made: straight in the program's arena, where
 * appending it costs no copy, except a string, which the program copies
 * anyway (rule 25) and so is made in the given room. */
static uint8_t *value_place(fz_decoder *d, fz_vtype t, enum fz_room room)
{
	uint8_t *v = t.kind == FZ_KIND_STR ? NULL : fz_program_alloc(d->p, t.size);
	if (v == NULL)
		v = d->room[room].buf; /* out of memory: appending the copy fails */
	return v;
}

/* A value of kind t made from x. */
static const void *make_value(fz_decoder *d, fz_vtype t, uint32_t x,
                              enum fz_room room)
{
	uint8_t *v = value_place(d, t, room);
	value_from(t, x, v, d->room[room].str);
	return v;
}

/* A key from a selector byte: a recent one, or a fresh one made from arg
 * (appended keys join the pool through remember_fresh). */
typedef struct keypick {
	const void *key;
	bool fresh;
} keypick;

/* A near key of a recent one: a copy of base whose middle byte (index
 * len / 2 of a string's bytes, size / 2 of any other kind's) comes from
 * arg; for a string the capital 'A' + arg % 26, so the trace stays
 * readable.  Keys that agree at both ends and differ inside: faststr's
 * screen of long keys keeps two candidates, and a byte array's equality
 * reads up to the middle.  A copy equal to base is a second copy of it
 * (not the same string data: faststr's pointer test fails). */
static const void *make_sibling(fz_decoder *d, const void *base, uint32_t arg,
                                enum fz_room room)
{
	fz_vtype t = d->p->hdr.key_kind;
	fz_value_room *r = &d->room[room];
	uint8_t *v = value_place(d, t, room);
	if (t.kind != FZ_KIND_STR) {
		memcpy(v, base, t.size);
		v[t.size / 2] = (uint8_t)arg;
		return v;
	}
	gomap_str s;
	memcpy(&s, base, sizeof s);
	uint8_t *bytes = s.len > sizeof r->str ? fz_program_alloc(d->p, s.len)
	                                       : NULL;
	if (bytes == NULL) { /* short, or out of memory (appending fails) */
		bytes = r->str;
		s.len = s.len < sizeof r->str ? s.len : sizeof r->str;
	}
	if (s.len != 0) {
		memcpy(bytes, s.ptr, s.len);
		bytes[s.len / 2] = (uint8_t)('A' + arg % 26);
	}
	s.ptr = bytes;
	memcpy(v, &s, sizeof s);
	return v;
}

static keypick pick_key(fz_decoder *d, uint8_t sel, uint32_t arg,
                        enum fz_room room)
{
	if (d->pool.n > 0 && sel < FZ_SEL_SIBLING)
		return (keypick){fz_pool_key(&d->pool, sel % d->pool.n), false};
	if (d->pool.n > 0 && sel < FZ_SEL_FRESH) {
		const void *base = fz_pool_key(&d->pool, sel % d->pool.n);
		return (keypick){make_sibling(d, base, arg, room), true};
	}
	return (keypick){make_value(d, d->p->hdr.key_kind, arg, room), true};
}

static const void *pick_elem(fz_decoder *d, uint32_t x, bool may_use_pending,
                             enum fz_room room)
{
	if (may_use_pending && d->pending_elem) {
		const void *e = d->pending_elem;
		d->pending_elem = NULL;
		return e;
	}
	return make_value(d, d->p->hdr.elem_kind, x, room);
}

static bool elem_is_integer(const fz_decoder *d)
{
	enum fz_kind k = d->p->hdr.elem_kind.kind;
	return k == FZ_KIND_U8 || k == FZ_KIND_U32 || k == FZ_KIND_U64;
}

/* put/get/del/inc of one key. */
static void keyed(fz_decoder *d, enum fz_opcode code, const uint8_t *r)
{
	uint32_t arg = rd32(r + 4);
	keypick k = pick_key(d, r[2], arg, FZ_ROOM_KEY);
	fz_op op = {.code = code, .key = k.key};
	if (fz_ops[code].args == FZ_ARGS_KV)
		op.elem = pick_elem(d, r[3], true, FZ_ROOM_ELEM);
	const fz_op *a = append(d, &op);
	if (a)
		track_keyed(d, a, k.fresh);
}

/* A bulk put: up to FZ_BULK_MAX fresh keys from arg on, elems from r[3]. */
static void bulk_put(fz_decoder *d, enum fz_opcode code, const uint8_t *r)
{
	unsigned count = 1 + r[2] % FZ_BULK_MAX;
	uint32_t arg = rd32(r + 4);
	for (unsigned i = 0; i < count && !d->done; i++) {
		fz_op op = {.code = code,
		            .key = make_value(d, d->p->hdr.key_kind, arg + i,
		                              FZ_ROOM_KEY),
		            .elem = make_value(d, d->p->hdr.elem_kind, r[3] + i,
		                               FZ_ROOM_ELEM)};
		const fz_op *a = append(d, &op);
		if (a)
			fz_pool_push_marked(&d->pool, a->key, true);
	}
}

/* A bulk delete: the most recent keys of the pool, as many as the count
 * says, so that a bulk put and a bulk delete empty a map again whatever
 * their arguments.  A few such rounds leave counted overflow buckets under
 * few keys, the road to a same-size growth. */
static void bulk_delete(fz_decoder *d, enum fz_opcode code, const uint8_t *r)
{
	const void *keys[FZ_POOL];
	unsigned count = 1 + r[2] % FZ_BULK_MAX;
	if (count > d->pool.n)
		count = d->pool.n;
	for (unsigned i = 0; i < count; i++) /* deleting reorders the pool */
		keys[i] = fz_pool_key(&d->pool, i);
	for (unsigned i = 0; i < count && !d->done; i++) {
		const fz_op *a = append(d, &(fz_op){.code = code, .key = keys[i]});
		if (a)
			track(d, a);
	}
}

/* A churn: FZ_CHURN_KEYS fresh keys from arg on go in one by one, and
 * once `window` of them are in, each put follows the delete of the
 * oldest, so the map never holds more than the window (1 + the count
 * byte % FZ_BULK_MAX).  Whenever a bucket holds more than eight of the
 * window's keys it takes an overflow bucket, which stays and is counted
 * when the keys leave: a few dozen steps under a small load make enough
 * of them for a same-size growth (Go: tooManyOverflowBuckets), which
 * inputs of bulk puts and deletes alone did not reach from an empty
 * corpus (docs/fuzz-format.md, "Churn"). */
static void churn(fz_decoder *d, enum fz_opcode put, enum fz_opcode del,
                  const uint8_t *r)
{
	unsigned window = 1 + r[2] % FZ_CHURN_WINDOW;
	uint32_t arg = rd32(r + 4);
	const fz_vtype kk = d->p->hdr.key_kind, ek = d->p->hdr.elem_kind;
	for (unsigned i = 0; i < FZ_CHURN_KEYS && !d->done; i++) {
		if (i >= window) {
			const void *old = make_value(d, kk, arg + i - window,
			                             FZ_ROOM_KEY);
			const fz_op *a = append(d, &(fz_op){.code = del, .key = old});
			if (a)
				track(d, a);
			if (d->done)
				break;
		}
		fz_op op = {.code = put,
		            .key = make_value(d, kk, arg + i, FZ_ROOM_KEY),
		            .elem = make_value(d, ek, r[3] + i, FZ_ROOM_ELEM)};
		const fz_op *a = append(d, &op);
		if (a)
			fz_pool_push_marked(&d->pool, a->key, true);
	}
}

/* LITKEY / LITELEM: the value's bytes follow the record. */
static size_t literal(fz_decoder *d, bool is_key, const uint8_t *data,
                      size_t n)
{
	fz_vtype t = is_key ? d->p->hdr.key_kind : d->p->hdr.elem_kind;
	uint32_t len = t.kind == FZ_KIND_STR ? rd32(data + 4) % 4096 : t.size;
	size_t padded = ((size_t)len + 7) / 8 * 8;
	size_t avail = n - FZ_RECORD_SIZE;
	const uint8_t *src = data + FZ_RECORD_SIZE;
	uint8_t *bytes = fz_program_alloc(d->p, len);
	void *val = t.kind == FZ_KIND_STR ? fz_program_alloc(d->p, sizeof(gomap_str))
	                                  : bytes;
	if (bytes == NULL || val == NULL) {
		d->done = d->oom = true;
		return 0;
	}
	memset(bytes, 0, len);
	memcpy(bytes, src, avail < len ? avail : len);
	if (t.kind == FZ_KIND_STR) {
		gomap_str s = {bytes, len};
		memcpy(val, &s, sizeof s);
	}
	if (is_key)
		pool_push(d, val);
	else
		d->pending_elem = val;
	if (avail < padded) {
		d->done = true; /* ran out of bytes */
		return n;
	}
	return FZ_RECORD_SIZE + padded;
}

/* An iterator id the record may use: the one asked for if it runs, else
 * the next running one; -1 if none runs. */
static int running_id(const fz_decoder *d, unsigned want)
{
	for (unsigned i = 0; i < FZ_ITERATORS; i++) {
		unsigned id = (want + i) % FZ_ITERATORS;
		if (d->running >> id & 1)
			return (int)id;
	}
	return -1;
}

/* Inner operations of reenter, by the record's selector. */
static const enum fz_opcode inner_ops[9] = {
	FZ_OP_PUT, FZ_OP_GET, FZ_OP_DEL, FZ_OP_GPUT, FZ_OP_GGET, FZ_OP_GDEL,
	FZ_OP_CLEAR, FZ_OP_LEN, FZ_OP_ITER_NEXT};

int fz_inner_selector(enum fz_opcode code)
{
	for (int i = 0; i < (int)(sizeof inner_ops / sizeof inner_ops[0]); i++)
		if (inner_ops[i] == code)
			return i;
	return -1;
}

/* reenter, faults target only.  Two scenarios whose outcome is known:
 *
 *  equal: the outer is gput/gdel of a key known to be in the map, so its
 *    generic lookup calls equal with Go's hashWriting flag set: an inner
 *    write is "concurrent map writes", a read "concurrent map read and
 *    map write", an iter-next of an iterator positioned on an entry
 *    "concurrent map iteration and map write"; len is harmless.  The
 *    decoder appends the expect-fatal line and the program ends.
 *  hash: the outer is put/gput, which hashes before it sets hashWriting,
 *    so any inner runs and nothing is fatal.
 *
 * With no known-present key (or after a fail-alloc made presence
 * unknown) an equal scenario becomes a hash scenario. */
static void reenter(fz_decoder *d, const uint8_t *r)
{
	uint32_t arg = rd32(r + 4);
	uint8_t flags = r[1];
	bool at_equal = flags & 1;
	int np = npresent(d);
	if (!d->presence_known || np == 0)
		at_equal = false;

	/* the inner operation */
	fz_op inner = {.code = inner_ops[r[3] % 9]};
	keypick ik = {0};
	const char *msg = NULL;
	if (fz_ops[inner.code].args == FZ_ARGS_K ||
	    fz_ops[inner.code].args == FZ_ARGS_KV) {
		ik = pick_key(d, r[4], arg, FZ_ROOM_INNER_KEY);
		inner.key = ik.key;
	}
	if (fz_ops[inner.code].args == FZ_ARGS_KV)
		inner.elem = pick_elem(d, r[5], true, FZ_ROOM_INNER_ELEM);
	if (inner.code == FZ_OP_ITER_NEXT) {
		unsigned want = (flags >> 1) & 7;
		int id = -1;
		if (at_equal) { /* only an iterator known to be on an entry */
			for (unsigned i = 0; i < FZ_ITERATORS && id < 0; i++)
				if (d->fresh_iter >> ((want + i) % FZ_ITERATORS) & 1)
					id = (int)((want + i) % FZ_ITERATORS);
		} else {
			id = running_id(d, want);
		}
		if (id < 0) {
			inner.code = FZ_OP_LEN;
		} else {
			inner.iter = (uint8_t)id;
			inner.n = 1 + (r[7] % 8);
		}
	}
	/* A delete or clear that empties the map makes Go pick a new hash0
	 * (mapdelete, mapclear), so the outer's hash, computed with the old
	 * one, would file its key under the wrong tophash: Go behaves the
	 * same, which makes the scenario meaningless.  Read instead. */
	if (!at_equal) {
		if (inner.code == FZ_OP_DEL)
			inner.code = FZ_OP_GET;
		else if (inner.code == FZ_OP_GDEL)
			inner.code = FZ_OP_GGET;
		else if (inner.code == FZ_OP_CLEAR)
			inner.code = FZ_OP_LEN;
	}
	if (at_equal) {
		switch (inner.code) {
		case FZ_OP_PUT: case FZ_OP_GPUT: case FZ_OP_DEL: case FZ_OP_GDEL:
		case FZ_OP_CLEAR:
			msg = "concurrent map writes";
			break;
		case FZ_OP_GET: case FZ_OP_GGET:
			msg = "concurrent map read and map write";
			break;
		case FZ_OP_ITER_NEXT:
			msg = "concurrent map iteration and map write";
			break;
		default:
			break;
		}
	}

	/* the outer operation */
	fz_op outer = {0};
	keypick ok = {0};
	if (at_equal) {
		int want = r[2] % np, seen = 0;
		for (unsigned i = 0; i < d->pool.n; i++)
			if (fz_pool_present(&d->pool, i) && seen++ == want)
				outer.key = fz_pool_key(&d->pool, i);
		outer.code = flags & 0x20 ? FZ_OP_GDEL : FZ_OP_GPUT;
	} else {
		ok = pick_key(d, r[2], arg ^ 0x5a5a5a5au, FZ_ROOM_KEY);
		outer.key = ok.key;
		outer.code = flags & 0x10 ? FZ_OP_GPUT : FZ_OP_PUT;
	}
	if (outer.code == FZ_OP_GPUT || outer.code == FZ_OP_PUT)
		outer.elem = pick_elem(d, r[6], false, FZ_ROOM_ELEM);

	fz_op re = {.code = FZ_OP_REENTER,
	            .at = at_equal ? FZ_REENTER_EQUAL : FZ_REENTER_HASH,
	            .inner = &inner};
	const fz_op *a = emit(d, &re);
	if (a == NULL)
		return;
	if (!msg) /* the inner runs, then the outer */
		track_keyed(d, a->inner, ik.fresh);
	else if (ik.fresh) /* Go's check stops the inner: it changes nothing */
		pool_push(d, a->inner->key);
	d->done = false; /* the outer must follow even at the budget's end */
	const fz_op *o = append(d, &outer);
	if (o)
		track_keyed(d, o, ok.fresh);
	if (o && msg) {
		fz_op ef = {.code = FZ_OP_EXPECT_FATAL, .msg = msg};
		d->done = false;
		emit(d, &ef);
		d->done = true; /* the map is dead */
	}
}

size_t fz_decoder_step(fz_decoder *d, const uint8_t *data, size_t n)
{
	if (d->done || n < FZ_RECORD_SIZE)
		return 0;
	const uint8_t *r = data;
	uint32_t arg = rd32(r + 4);
	bool generic = r[1] & 1;
	unsigned want = (r[1] >> 1) & 7;
	switch ((enum fz_class)class_table[d->target][r[0]]) {
	case FZ_C_PUT: keyed(d, generic ? FZ_OP_GPUT : FZ_OP_PUT, r); break;
	case FZ_C_GET: keyed(d, generic ? FZ_OP_GGET : FZ_OP_GET, r); break;
	case FZ_C_DEL: keyed(d, generic ? FZ_OP_GDEL : FZ_OP_DEL, r); break;
	case FZ_C_INC:
		keyed(d, elem_is_integer(d) ? FZ_OP_INC : FZ_OP_PUT, r);
		break;
	case FZ_C_LEN: emit_plain(d, FZ_OP_LEN, 0, 0); break;
	case FZ_C_CLEAR: emit_plain(d, FZ_OP_CLEAR, 0, 0); break;
	case FZ_C_ITER: emit_plain(d, FZ_OP_ITER, 0, 0); break;
	case FZ_C_CHECK: emit_plain(d, FZ_OP_CHECK, 0, 0); break;
	case FZ_C_DUMP: emit_plain(d, FZ_OP_DUMP, 0, 0); break;
	case FZ_C_ITER_START: emit_plain(d, FZ_OP_ITER_START, want, 0); break;
	case FZ_C_ITER_NEXT: {
		int id = running_id(d, want);
		if (id < 0)
			emit_plain(d, FZ_OP_ITER_START, want, 0);
		else
			emit_plain(d, FZ_OP_ITER_NEXT, (unsigned)id, fz_iter_n(arg));
		break;
	}
	case FZ_C_ITER_STOP: {
		int id = running_id(d, want);
		if (id >= 0)
			emit_plain(d, FZ_OP_ITER_STOP, (unsigned)id, 0);
		break;
	}
	case FZ_C_BULK:
		if ((r[1] & FZ_FLAG_BULK_CHURN) == FZ_FLAG_BULK_CHURN &&
		    fz_targets[d->target].churns)
			churn(d, generic ? FZ_OP_GPUT : FZ_OP_PUT,
			      generic ? FZ_OP_GDEL : FZ_OP_DEL, r);
		else if (r[1] & FZ_FLAG_BULK_DELETE)
			bulk_delete(d, generic ? FZ_OP_GDEL : FZ_OP_DEL, r);
		else
			bulk_put(d, generic ? FZ_OP_GPUT : FZ_OP_PUT, r);
		break;
	case FZ_C_LITKEY: return literal(d, true, data, n);
	case FZ_C_LITELEM: return literal(d, false, data, n);
	case FZ_C_FAIL_ALLOC:
		emit_plain(d, FZ_OP_FAIL_ALLOC, 0, fz_fail_n(arg));
		break;
	case FZ_C_REENTER: reenter(d, r); break;
	case FZ_CLASSES: break;
	}
	return FZ_RECORD_SIZE;
}

int fz_decode(enum fz_target t, const uint8_t *data, size_t size,
              fz_program *out)
{
	fz_program_init(out, "<input>");
	return fz_decode_into(t, data, size, out);
}

int fz_decode_into(enum fz_target t, const uint8_t *data, size_t size,
                   fz_program *out)
{
	fz_decoder d;
	fz_decoder_init(&d, t, data, size, out);
	size_t off = size < FZ_HEADER_SIZE ? size : FZ_HEADER_SIZE;
	for (size_t used; (used = fz_decoder_step(&d, data + off, size - off)) > 0;)
		off += used;
	fz_error err;
	if (d.oom)
		return -1;
	if (fz_program_finish(out, &err) != 0)
		return -2;
	return 0;
}
