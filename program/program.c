/* The in-memory program: building, checking and printing.
 *
 * Every rule about where an operation may appear lives in
 * fz_program_append, so the text parser and the fuzz decoder cannot
 * disagree about what a well-formed program is. */
#include "program.h"

#include "poison.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct fz_opinfo fz_ops[FZ_OP_COUNT] = {
#define FZ_OP(id, name, obs, args, nmin, nmax, flags, usage) \
	[FZ_OP_##id] = {name, obs, FZ_ARGS_##args, nmin, nmax, flags, usage},
#include "ops.def"
#undef FZ_OP
};

bool fz_op_lookup(const char *name, size_t len, enum fz_opcode *out)
{
	for (int i = 0; i < FZ_OP_COUNT; i++) {
		if (strlen(fz_ops[i].name) == len &&
		    memcmp(fz_ops[i].name, name, len) == 0) {
			*out = (enum fz_opcode)i;
			return true;
		}
	}
	return false;
}

void fz_error_set(fz_error *err, const char *file, uint32_t line,
                  const char *fmt, ...)
{
	if (err == NULL)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	err->line = line;
	err->environment = false;
	snprintf(err->text, sizeof err->text, "%s:%lu: %s",
	         file ? file : "<program>", (unsigned long)line, err->msg);
}

void fz_error_env(fz_error *err, const char *file, uint32_t line,
                  const char *what)
{
	fz_error_set(err, file, line, "environment failure: %s", what);
	if (err)
		err->environment = true;
}

/* ---- arena -------------------------------------------------------------- */

struct fz_arena_block {
	struct fz_arena_block *next;
	size_t used, cap;
	size_t open; /* bytes from the start not poisoned (fz_program_reset
	                poisons a kept block; allocations open it again) */
};
_Static_assert(sizeof(struct fz_arena_block) % 16 == 0, "arena header size");

/* Blocks start small (a fuzz input's program copies a few KiB of values)
 * and double up to a cap, as a long trace needs. */
#define FZ_ARENA_FIRST_BLOCK 4096
#define FZ_ARENA_MAX_BLOCK 65536

void *fz_program_alloc(fz_program *p, size_t size)
{
	size = (size + 15) & ~(size_t)15;
	if (size == 0)
		size = 16; /* distinct addresses even for empty strings */
	struct fz_arena_block *b = p->arena;
	if (b == NULL || b->cap - b->used < size) {
		size_t cap = b ? 2 * b->cap : FZ_ARENA_FIRST_BLOCK;
		if (cap > FZ_ARENA_MAX_BLOCK)
			cap = FZ_ARENA_MAX_BLOCK;
		if (cap < size)
			cap = size;
		b = malloc(sizeof *b + cap);
		if (b == NULL)
			return NULL;
		b->next = p->arena;
		b->used = 0;
		b->cap = cap;
		b->open = cap;
		p->arena = b;
	}
	unsigned char *data = (unsigned char *)(b + 1);
	void *r = data + b->used;
	b->used += size;
	if (b->used > b->open) {
		/* a KiB at a time: an unpoisoning per value was 2% of a fuzz
		 * run (perf), and values lie back to back anyway */
		size_t open = b->used > b->open + 1024 ? b->used : b->open + 1024;
		open = open < b->cap ? open : b->cap;
		fz_unpoison(data + b->open, open - b->open);
		b->open = open;
	}
	return r;
}

/* ---- lifetime ----------------------------------------------------------- */

void fz_program_init(fz_program *p, const char *file)
{
	memset(p, 0, sizeof *p);
	p->file = file ? file : "<program>";
	p->hdr.hashkey = GOMAP_DEFAULT_HASHKEY0;
}

void fz_program_free(fz_program *p)
{
	struct fz_arena_block *b = p->arena;
	while (b) {
		struct fz_arena_block *next = b->next;
		fz_unpoison(b + 1, b->cap); /* a block fz_program_reset kept */
		free(b);
		b = next;
	}
	if (p->ops)
		fz_unpoison(p->ops, p->cap * sizeof *p->ops);
	free(p->ops);
	const char *file = p->file;
	fz_program_init(p, file);
}

void fz_program_reset(fz_program *p, const char *file)
{
	struct fz_arena_block *keep = p->arena;
	if (keep) {
		struct fz_arena_block *older = keep->next;
		keep->next = NULL;
		p->arena = older;
		keep->used = 0;
		keep->open = 0;
		fz_poison(keep + 1, keep->cap);
	}
	fz_op *ops = p->ops;
	size_t cap = p->cap;
	if (ops)
		fz_poison(ops, cap * sizeof *ops);
	p->ops = NULL;
	p->file = file;
	fz_program_free(p); /* the older blocks; p is left empty, named file */
	p->arena = keep;
	p->ops = ops;
	p->cap = cap;
}

int fz_program_set_header(fz_program *p, const char *key_kind,
                          const char *elem_kind, fz_error *err)
{
	fz_header *h = &p->hdr;
	uint32_t line = p->header_line;
	if (p->has_header) {
		fz_error_set(err, p->file, line, "duplicate header");
		return -1;
	}
	if (!fz_vtype_parse(key_kind, strlen(key_kind), true, &h->key_kind)) {
		fz_error_set(err, p->file, line,
		             "unknown key kind \"%s\" (want u32, u64, f64, str or bytes1..bytes1024)",
		             key_kind);
		return -1;
	}
	if (!fz_vtype_parse(elem_kind, strlen(elem_kind), false, &h->elem_kind)) {
		fz_error_set(err, p->file, line,
		             "unknown elem kind \"%s\" (want u8, u32, u64, str or bytes1..bytes1024)",
		             elem_kind);
		return -1;
	}
	fz_vtype_name(h->key_kind, h->key_name, sizeof h->key_name);
	fz_vtype_name(h->elem_kind, h->elem_name, sizeof h->elem_name);
	if (!gomap_key_by_name(h->key_name, &h->key) ||
	    h->key.size != h->key_kind.size) {
		fz_error_set(err, p->file, line, "the core has no key type %s",
		             h->key_name);
		return -1;
	}
	if (!gomap_elem_by_name(h->elem_name, &h->elem) ||
	    h->elem.size != h->elem_kind.size) {
		fz_error_set(err, p->file, line, "the core has no elem type %s",
		             h->elem_name);
		return -1;
	}
	p->has_header = true;
	return 0;
}

/* ---- checking and appending --------------------------------------------- */

static bool msg_is_canonical(const char *m)
{
	/* Words of printable ASCII without '"' joined by single spaces: what
	 * prints back unchanged and tokenizes the same way again. */
	if (m == NULL || *m == '\0' || *m == ' ')
		return false;
	for (const char *c = m; *c; c++) {
		if (*c == ' ' ? (c[1] == ' ' || c[1] == '\0')
		              : (*c < 0x21 || *c > 0x7e || *c == '"'))
			return false;
	}
	return true;
}

static bool h_elem_not_integer(const fz_header *h)
{
	return h->elem_kind.kind != FZ_KIND_U8 && h->elem_kind.kind != FZ_KIND_U32 &&
	       h->elem_kind.kind != FZ_KIND_U64;
}

/* The checks that depend only on the op, the header and running iterators. */
static int check_shape(const fz_program *p, const fz_op *op, fz_error *err)
{
	const struct fz_opinfo *info = &fz_ops[op->code];
	uint32_t line = op->line;
	enum fz_args a = info->args;
	if ((a == FZ_ARGS_K || a == FZ_ARGS_KV) && op->key == NULL) {
		fz_error_set(err, p->file, line, "%s: missing key", info->name);
		return -1;
	}
	if (a == FZ_ARGS_KV && op->elem == NULL) {
		fz_error_set(err, p->file, line, "%s: missing elem", info->name);
		return -1;
	}
	if ((a == FZ_ARGS_N || a == FZ_ARGS_N_ID) &&
	    (op->n < info->nmin || op->n > info->nmax)) {
		if (info->nmax == UINT64_MAX)
			fz_error_set(err, p->file, line, "%s: N %llu out of range (N >= %llu)",
			             info->name, (unsigned long long)op->n,
			             (unsigned long long)info->nmin);
		else
			fz_error_set(err, p->file, line, "%s: N %llu out of range (%llu..%llu)",
			             info->name, (unsigned long long)op->n,
			             (unsigned long long)info->nmin,
			             (unsigned long long)info->nmax);
		return -1;
	}
	if (a == FZ_ARGS_ID || a == FZ_ARGS_N_ID) {
		if (op->iter >= FZ_ITERATORS) {
			fz_error_set(err, p->file, line,
			             "%s: iterator id %u out of range (0..%d)",
			             info->name, (unsigned)op->iter, FZ_ITERATORS - 1);
			return -1;
		}
		if (op->code != FZ_OP_ITER_START && !(p->running >> op->iter & 1)) {
			fz_error_set(err, p->file, line,
			             "%s: iterator %u is not running (no iter-start %u before it, or stopped)",
			             info->name, (unsigned)op->iter, (unsigned)op->iter);
			return -1;
		}
	}
	if (op->code == FZ_OP_INC && h_elem_not_integer(&p->hdr)) {
		fz_error_set(err, p->file, line,
		             "inc: the map's elems are %s; inc needs u8, u32 or u64",
		             p->hdr.elem_name);
		return -1;
	}
	if (a == FZ_ARGS_MSG && !msg_is_canonical(op->msg)) {
		fz_error_set(err, p->file, line,
		             "%s: the message must be printable ASCII words without '\"', separated by single spaces",
		             info->name);
		return -1;
	}
	if (a == FZ_ARGS_REENTER) {
		if (op->at != FZ_REENTER_HASH && op->at != FZ_REENTER_EQUAL) {
			fz_error_set(err, p->file, line, "reenter: bad callback %d",
			             (int)op->at);
			return -1;
		}
		if (op->inner == NULL || op->inner->code >= FZ_OP_COUNT ||
		    !(fz_ops[op->inner->code].flags & FZ_F_INNER)) {
			fz_error_set(err, p->file, line,
			             "reenter: %s cannot run inside a callback (allowed: put get del gput gget gdel clear len iter-next)",
			             op->inner && op->inner->code < FZ_OP_COUNT
			                     ? fz_ops[op->inner->code].name
			                     : "(none)");
			return -1;
		}
		fz_op in = *op->inner;
		in.line = line;
		return check_shape(p, &in, err);
	}
	return 0;
}

/* Whether v lies in one of the newest blocks of p's arena: a value an
 * earlier operation already copied there (the decoder names its recent
 * keys that way).  Only the newest few are looked at: a trace's values
 * are never in the arena, and walking all of a long trace's blocks for
 * each made replay quadratic (370 blocks at 10^6 operations, 40% of the
 * run).  A value in an older block is copied again, which is only a
 * little memory; a fuzz input's program has fewer blocks than that. */
#define FZ_ARENA_BLOCKS_SEARCHED 8
static bool in_arena(const fz_program *p, const void *v)
{
	uintptr_t a = (uintptr_t)v;
	int searched = 0;
	for (const struct fz_arena_block *b = p->arena;
	     b && searched < FZ_ARENA_BLOCKS_SEARCHED; b = b->next, searched++) {
		uintptr_t start = (uintptr_t)(b + 1);
		if (a >= start && a < start + b->used)
			return true;
	}
	return false;
}

static const void *copy_value(fz_program *p, fz_vtype t, const void *v)
{
	/* Values never change once in the arena, so one copy serves every
	 * operation that names it.  A string key still gets a copy of its
	 * own: each put then hands the map a new gomap_str, as Go code does
	 * (rule 25, the key update). */
	if (t.kind != FZ_KIND_STR && in_arena(p, v))
		return v;
	void *c = fz_program_alloc(p, t.size);
	if (c == NULL)
		return NULL;
	memcpy(c, v, t.size);
	if (t.kind == FZ_KIND_STR) {
		gomap_str s;
		memcpy(&s, v, sizeof s);
		uint8_t *bytes = fz_program_alloc(p, s.len);
		if (bytes == NULL)
			return NULL;
		if (s.len)
			memcpy(bytes, s.ptr, s.len);
		s.ptr = bytes;
		memcpy(c, &s, sizeof s);
	}
	return c;
}

/* Deep copy of *op into the arena's terms: values, message, inner op.
 * Field by field: a whole-struct copy is a memcpy call under ASan, one
 * per decoded operation. */
static int copy_op(fz_program *p, const fz_op *op, fz_op *out)
{
	out->line = op->line;
	out->code = op->code;
	out->key = op->key;
	out->elem = op->elem;
	out->n = op->n;
	out->iter = op->iter;
	out->at = op->at;
	out->inner = op->inner;
	out->msg = op->msg;
	if (op->key && !(out->key = copy_value(p, p->hdr.key_kind, op->key)))
		return -1;
	if (op->elem && !(out->elem = copy_value(p, p->hdr.elem_kind, op->elem)))
		return -1;
	if (op->msg) {
		size_t n = strlen(op->msg) + 1;
		char *m = fz_program_alloc(p, n);
		if (m == NULL)
			return -1;
		memcpy(m, op->msg, n);
		out->msg = m;
	}
	if (op->inner) {
		fz_op *in = fz_program_alloc(p, sizeof *in);
		if (in == NULL || copy_op(p, op->inner, in) != 0)
			return -1;
		in->line = op->line;
		out->inner = in;
	}
	return 0;
}

int fz_program_append(fz_program *p, const fz_op *op, fz_error *err)
{
	uint32_t line = op->line;
	if (!p->has_header) {
		fz_error_set(err, p->file, line, "operation before the header");
		return -1;
	}
	if ((unsigned)op->code >= FZ_OP_COUNT) {
		fz_error_set(err, p->file, line, "unknown opcode %d", (int)op->code);
		return -1;
	}
	const struct fz_opinfo *info = &fz_ops[op->code];
	if (p->dead) {
		fz_error_set(err, p->file, line,
		             "%s after expect-fatal (line %lu): the map is dead, nothing may follow",
		             info->name, (unsigned long)p->dead_line);
		return -1;
	}
	if (p->reenter_pending && !(info->flags & FZ_F_MAPOP)) {
		fz_error_set(err, p->file, line,
		             "%s cannot be the outer operation of the reenter on line %lu (want a map operation)",
		             info->name, (unsigned long)p->reenter_line);
		return -1;
	}
	if (op->code == FZ_OP_EXPECT_FATAL &&
	    (p->nops == 0 || !(fz_ops[p->ops[p->nops - 1].code].flags & FZ_F_MAPOP))) {
		fz_error_set(err, p->file, line,
		             "expect-fatal must follow a map operation");
		return -1;
	}
	if (check_shape(p, op, err) != 0)
		return -1;

	if (p->nops == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 64;
		fz_op *ops = realloc(p->ops, cap * sizeof *ops);
		if (ops == NULL) {
			fz_error_env(err, p->file, line, "out of memory");
			return -1;
		}
		p->ops = ops;
		p->cap = cap;
	}
	fz_op *slot = &p->ops[p->nops];
	fz_unpoison(slot, sizeof *slot);
	if (copy_op(p, op, slot) != 0) {
		fz_error_env(err, p->file, line, "out of memory");
		return -1;
	}
	/* Only the fields the shape uses survive, so that equal programs
	 * compare equal field by field. */
	if (info->args != FZ_ARGS_K && info->args != FZ_ARGS_KV)
		slot->key = NULL;
	if (info->args != FZ_ARGS_KV)
		slot->elem = NULL;
	if (info->args != FZ_ARGS_N && info->args != FZ_ARGS_N_ID)
		slot->n = 0;
	if (info->args != FZ_ARGS_ID && info->args != FZ_ARGS_N_ID)
		slot->iter = 0;
	if (info->args != FZ_ARGS_REENTER) {
		slot->at = FZ_REENTER_HASH;
		slot->inner = NULL;
	}
	if (info->args != FZ_ARGS_MSG)
		slot->msg = NULL;
	p->nops++;

	if (info->flags & FZ_F_MAPOP)
		p->reenter_pending = false;
	switch (op->code) {
	case FZ_OP_ITER_START:
		p->running |= (uint8_t)(1u << op->iter);
		break;
	case FZ_OP_ITER_STOP:
		p->running &= (uint8_t)~(1u << op->iter);
		break;
	case FZ_OP_REENTER:
		p->reenter_pending = true;
		p->reenter_line = line;
		break;
	case FZ_OP_EXPECT_FATAL:
		p->dead = true;
		p->dead_line = line;
		break;
	default:
		break;
	}
	return 0;
}

int fz_program_finish(fz_program *p, fz_error *err)
{
	if (!p->has_header) {
		fz_error_set(err, p->file, p->header_line,
		             "missing header \"map KEY ELEM [hint=N] [seed=N] [hashkey=N]\"");
		return -1;
	}
	if (p->reenter_pending) {
		fz_error_set(err, p->file, p->reenter_line,
		             "reenter: no map operation follows");
		return -1;
	}
	return 0;
}

/* ---- printing ----------------------------------------------------------- */

void fz_format_key(const fz_program *p, const void *key, gomap_textbuf *out)
{
	fz_literal_format(p->hdr.key_kind, key, out);
}

void fz_format_elem(const fz_program *p, const void *elem, gomap_textbuf *out)
{
	fz_literal_format(p->hdr.elem_kind, elem, out);
}

void fz_op_format(const fz_program *p, const fz_op *op, bool observed,
                  gomap_textbuf *out)
{
	const struct fz_opinfo *info = &fz_ops[op->code];
	gomap_textbuf_puts(out, observed ? info->obs : info->name);
	switch (info->args) {
	case FZ_ARGS_NONE:
		break;
	case FZ_ARGS_K:
	case FZ_ARGS_KV:
		gomap_textbuf_putc(out, ' ');
		fz_format_key(p, op->key, out);
		if (info->args == FZ_ARGS_KV) {
			gomap_textbuf_putc(out, ' ');
			fz_format_elem(p, op->elem, out);
		}
		break;
	case FZ_ARGS_N_ID:
	case FZ_ARGS_N:
		gomap_textbuf_printf(out, " %llu", (unsigned long long)op->n);
		if (info->args == FZ_ARGS_N)
			break;
		/* fall through */
	case FZ_ARGS_ID:
		if (op->iter != 0) /* the default id is left implicit */
			gomap_textbuf_printf(out, " %u", (unsigned)op->iter);
		break;
	case FZ_ARGS_REENTER:
		gomap_textbuf_puts(out, op->at == FZ_REENTER_EQUAL ? " equal " : " hash ");
		fz_op_format(p, op->inner, false, out);
		break;
	case FZ_ARGS_MSG:
		gomap_textbuf_putc(out, ' ');
		gomap_textbuf_puts(out, op->msg);
		break;
	}
}

void fz_header_format(const fz_program *p, gomap_textbuf *out)
{
	const fz_header *h = &p->hdr;
	gomap_textbuf_printf(out, "map %s %s", h->key_name, h->elem_name);
	if (h->hint != 0)
		gomap_textbuf_printf(out, " hint=%lld", (long long)h->hint);
	if (h->has_seed)
		gomap_textbuf_printf(out, " seed=%llu", (unsigned long long)h->seed);
	if (h->hashkey != GOMAP_DEFAULT_HASHKEY0)
		gomap_textbuf_printf(out, " hashkey=0x%llx",
		                     (unsigned long long)h->hashkey);
	if (h->hash_mode != FZ_HASH_GO)
		gomap_textbuf_printf(out, " hash=%s", fz_hash_mode_name(h->hash_mode));
}

/* ---- hash modes ----------------------------------------------------------- */

static const char *const hash_mode_names[FZ_HASH_MODES] = {
	"go", "weak", "collide", "tophash"};

const char *fz_hash_mode_name(enum fz_hash_mode m)
{
	return (unsigned)m < FZ_HASH_MODES ? hash_mode_names[m] : "?";
}

bool fz_hash_mode_parse(const char *name, size_t len, enum fz_hash_mode *out)
{
	for (int i = 0; i < FZ_HASH_MODES; i++)
		if (strlen(hash_mode_names[i]) == len &&
		    memcmp(hash_mode_names[i], name, len) == 0) {
			*out = (enum fz_hash_mode)i;
			return true;
		}
	return false;
}

/* The wrapped key type keeps Go's hash function in `user`, through one of
 * these boxes (a function pointer does not fit a void * in ISO C). */
static struct hash_box {
	gomap_hash_fn fn;
} hash_boxes[16];

static struct hash_box *box_for(gomap_hash_fn fn)
{
	for (size_t i = 0; i < sizeof hash_boxes / sizeof hash_boxes[0]; i++) {
		if (hash_boxes[i].fn == fn)
			return &hash_boxes[i];
		if (hash_boxes[i].fn == NULL) {
			hash_boxes[i].fn = fn;
			return &hash_boxes[i];
		}
	}
	abort(); /* more distinct built-in hashers than key kinds */
}

static uint64_t go_hash(const gomap_keytype *kt, const void *key,
                        uint64_t seed, gomap *m)
{
	const struct hash_box *b = kt->user;
	return b->fn(kt, key, seed, m);
}

static uint64_t weak_hash(const gomap_keytype *kt, const void *key,
                          uint64_t seed, gomap *m)
{
	return go_hash(kt, key, seed, m) & UINT64_C(0xff00000000000003);
}

static uint64_t collide_hash(const gomap_keytype *kt, const void *key,
                             uint64_t seed, gomap *m)
{
	return (go_hash(kt, key, seed, m) & UINT64_C(0xff00000000000000)) | 5;
}

static uint64_t tophash_hash(const gomap_keytype *kt, const void *key,
                             uint64_t seed, gomap *m)
{
	return (go_hash(kt, key, seed, m) & UINT64_C(0x00ffffffffffffff)) |
	       UINT64_C(0x2a00000000000000);
}

void fz_program_set_hash_mode(fz_program *p, enum fz_hash_mode m)
{
	static const gomap_hash_fn fns[FZ_HASH_MODES] = {
		NULL, weak_hash, collide_hash, tophash_hash};
	fz_header *h = &p->hdr;
	if (h->hash_mode != FZ_HASH_GO) { /* undo the previous wrapping */
		h->key.hash = ((const struct hash_box *)h->key.user)->fn;
		h->key.user = NULL;
	}
	h->hash_mode = (unsigned)m < FZ_HASH_MODES ? m : FZ_HASH_GO;
	if (h->hash_mode == FZ_HASH_GO)
		return;
	h->key.user = box_for(h->key.hash);
	h->key.hash = fns[h->hash_mode];
}
