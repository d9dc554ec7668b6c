/* The op-level reducer (see reduce.h).
 *
 * Candidates are built, never edited in place: every candidate program is
 * made afresh from the source program, a list of the operations to keep
 * and at most one value rewrite, through fz_program_append.  So a
 * candidate is well formed by the same rules as a parsed trace, and an
 * operation that the removals made meaningless (an iter-next whose
 * iter-start went, an expect-fatal whose map operation went) is simply
 * not appended: it goes too. */
#include "reduce.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- the engine ----------------------------------------------------------- */

size_t fz_ddmin(size_t *idx, size_t n, fz_ddmin_test test, void *ctx,
                size_t max_tests, fz_ddmin_stats *st)
{
	size_t *cand = malloc((n ? n : 1) * sizeof *cand);
	if (cand == NULL)
		return n;
	size_t chunk = n > 1 ? n / 2 : 1;
	for (;;) {
		bool removed = false;
		for (size_t start = 0; start < n;) {
			if (max_tests && st->tests >= max_tests) {
				st->out_of_tests = true;
				goto out;
			}
			size_t end = start + chunk < n ? start + chunk : n;
			size_t m = 0;
			for (size_t i = 0; i < n; i++)
				if (i < start || i >= end)
					cand[m++] = idx[i];
			st->tests++;
			if (test(ctx, cand, &m)) {
				memcpy(idx, cand, m * sizeof *idx);
				n = m;
				removed = true;
				/* `start` now names the chunk after the removed
				 * one: the sweep goes on from there. */
			} else {
				start = end;
			}
		}
		if (chunk == 1) {
			if (!removed || n == 0)
				break; /* a sweep of single removals changed nothing */
		} else {
			chunk /= 2;
			if (chunk > n / 2 && n > 1)
				chunk = n / 2;
		}
	}
out:
	free(cand);
	return n;
}

/* ---- candidate programs -------------------------------------------------- */

/* One change applied while a candidate is built; fields left zero change
 * nothing. */
typedef struct rewrite {
	bool zero_hint, go_hash, default_hashkey, seed_one;
	bool set_n;
	size_t n_op;      /* the source index of the op whose N becomes n */
	uint64_t n;
	const void *key_from, *key_to;   /* every key equal to key_from */
	const void *elem_from, *elem_to; /* every elem equal to elem_from */
} rewrite;

static void rewrite_values(const fz_program *src, const rewrite *rw, fz_op *op)
{
	if (rw->key_from && op->key &&
	    memcmp(op->key, rw->key_from, src->hdr.key.size) == 0)
		op->key = rw->key_to;
	if (rw->elem_from && op->elem &&
	    memcmp(op->elem, rw->elem_from, src->hdr.elem.size) == 0)
		op->elem = rw->elem_to;
}

/* Builds the program of src's operations idx[0..*n) with rewrite rw (may
 * be NULL) applied.  Operations that fz_program_append refuses are left
 * out, and idx, *n are rewritten to the ones kept.  Returns 0, or -1 when
 * the result is not a finished program (*out must still be freed). */
static int build(const fz_program *src, size_t *idx, size_t *n,
                 const rewrite *rw, fz_program *out)
{
	static const rewrite none;
	if (rw == NULL)
		rw = &none;
	fz_program_init(out, src->file);
	out->hdr = src->hdr; /* the hash-mode wrapper's box is static */
	out->has_header = true;
	out->header_line = src->header_line;
	if (rw->zero_hint)
		out->hdr.hint = 0;
	if (rw->go_hash)
		fz_program_set_hash_mode(out, FZ_HASH_GO);
	if (rw->default_hashkey)
		out->hdr.hashkey = GOMAP_DEFAULT_HASHKEY0;
	if (rw->seed_one)
		out->hdr.seed = 1;

	size_t kept = 0;
	fz_error err;
	for (size_t i = 0; i < *n; i++) {
		fz_op op = src->ops[idx[i]], inner;
		rewrite_values(src, rw, &op);
		if (op.inner) {
			inner = *op.inner;
			rewrite_values(src, rw, &inner);
			op.inner = &inner;
		}
		if (rw->set_n && idx[i] == rw->n_op)
			op.n = rw->n;
		if (fz_program_append(out, &op, &err) == 0)
			idx[kept++] = idx[i];
	}
	*n = kept;
	return fz_program_finish(out, &err);
}

/* 0, 1, ..., n-1 in a malloc'ed array (NULL when out of memory). */
static size_t *identity_index(size_t n)
{
	size_t *idx = malloc((n ? n : 1) * sizeof *idx);
	for (size_t i = 0; idx && i < n; i++)
		idx[i] = i;
	return idx;
}

typedef struct reducer {
	const fz_program *src;   /* what candidates are built from */
	const char *check;
	orc_exec_opts exec;
	const char *also_check; /* NULL: no second run */
	orc_exec_opts also;
	const rewrite *rw;
	size_t max_tests;
	fz_ddmin_stats ds;       /* every orc_exec run counts here */
	size_t changes;          /* rewrites adopted */
} reducer;

/* Replaces *cur by its operations idx[0..n) with rw applied, and frees
 * idx.  Returns 0, or -1 (out of memory) with *cur unchanged. */
static int rebuild(reducer *r, fz_program *cur, size_t *idx, size_t n,
                   const rewrite *rw)
{
	fz_program next;
	int rc = build(cur, idx, &n, rw, &next);
	free(idx);
	if (rc != 0) {
		fz_program_free(&next);
		return -1;
	}
	fz_program_free(cur);
	*cur = next;
	r->src = cur;
	return 0;
}

static bool fails_as(const fz_program *p, const orc_exec_opts *o,
                     const char *check)
{
	orc_verdict v;
	return orc_exec(p, o, &v) == 1 && strcmp(v.check, check) == 0;
}

/* The predicate: the candidate still fails, with the same check id(s). */
static bool same_failure(void *ctx, size_t *idx, size_t *n)
{
	reducer *r = ctx;
	fz_program cand;
	bool same = build(r->src, idx, n, r->rw, &cand) == 0 &&
	            fails_as(&cand, &r->exec, r->check) &&
	            (!r->also_check || fails_as(&cand, &r->also, r->also_check));
	fz_program_free(&cand);
	return same;
}

static bool budget_left(reducer *r)
{
	if (r->max_tests && r->ds.tests >= r->max_tests) {
		r->ds.out_of_tests = true;
		return false;
	}
	return true;
}

/* Tests src with one rewrite over all its operations. */
static bool try_rewrite(reducer *r, const rewrite *rw)
{
	if (!budget_left(r))
		return false;
	size_t n = r->src->nops;
	size_t *idx = identity_index(n);
	if (idx == NULL)
		return false;
	r->rw = rw;
	r->ds.tests++;
	bool ok = same_failure(r, idx, &n) && n == r->src->nops;
	r->rw = NULL;
	free(idx);
	return ok;
}

/* Replaces *cur by the program with rewrite rw applied (known to fail the
 * same way). */
static int adopt(reducer *r, fz_program *cur, const rewrite *rw)
{
	size_t n = cur->nops;
	size_t *idx = identity_index(n);
	if (idx == NULL)
		return -1;
	if (rebuild(r, cur, idx, n, rw) != 0)
		return -1;
	r->changes++;
	return 0;
}

/* ---- removing operations ---------------------------------------------------- */

/* ddmin over cur's operations; cur becomes the reduced program. */
static int remove_ops(reducer *r, fz_program *cur)
{
	size_t n = cur->nops;
	size_t *idx = identity_index(n);
	if (idx == NULL)
		return -1;
	r->src = cur;

	/* Nothing after the failing operation matters: the executor stops
	 * there.  One test removes that tail at once. */
	orc_verdict v;
	r->ds.tests++;
	if (orc_exec(cur, &r->exec, &v) == 1 && v.op_index + 1 < n &&
	    budget_left(r)) {
		size_t m = v.op_index + 1;
		r->ds.tests++;
		if (same_failure(r, idx, &m))
			n = m;
		else /* the failed build rewrote idx */
			for (size_t i = 0; i < n; i++)
				idx[i] = i;
	}
	if (budget_left(r)) {
		fz_ddmin_stats ds = {0};
		n = fz_ddmin(idx, n, same_failure, r, r->max_tests - r->ds.tests, &ds);
		r->ds.tests += ds.tests;
		r->ds.out_of_tests |= ds.out_of_tests;
	}

	return rebuild(r, cur, idx, n, NULL);
}

/* ---- simplifying values ----------------------------------------------------- */

static bool is_int_kind(enum fz_kind k)
{
	return k == FZ_KIND_U8 || k == FZ_KIND_U32 || k == FZ_KIND_U64;
}

/* Stores x as a value of integer kind t. */
static void put_int(fz_vtype t, uint64_t x, void *out)
{
	uint8_t u8 = (uint8_t)x;
	uint32_t u32 = (uint32_t)x;
	switch (t.kind) {
	case FZ_KIND_U8: memcpy(out, &u8, 1); break;
	case FZ_KIND_U32: memcpy(out, &u32, 4); break;
	default: memcpy(out, &x, 8); break;
	}
}

/* Every key (elem) of p in order, inner operations included: a malloc'ed
 * array of *count pointers into p. */
static const void **values_of(const fz_program *p, bool key, size_t *count)
{
	const void **v = malloc((2 * p->nops + 1) * sizeof *v);
	size_t n = 0;
	for (size_t i = 0; v && i < p->nops; i++)
		for (const fz_op *op = &p->ops[i]; op; op = op->inner)
			if (key ? op->key : op->elem)
				v[n++] = key ? op->key : op->elem;
	*count = n;
	return v;
}

static bool value_in(const void **vals, size_t n, size_t size, const void *x)
{
	for (size_t i = 0; i < n; i++)
		if (memcmp(vals[i], x, size) == 0)
			return true;
	return false;
}

/* Integer keys (elems) become 1, 2, 3, ... in order of first appearance,
 * each to the smallest number no other value of the program uses, where
 * the failure survives.  A failure that needs two keys in one bucket will
 * refuse most renames, and that is fine: it costs one test per value. */
static int small_values(reducer *r, fz_program *cur, bool key)
{
	fz_vtype t = key ? cur->hdr.key_kind : cur->hdr.elem_kind;
	if (!is_int_kind(t.kind))
		return 0;
	uint64_t next = 1;
	/* The nth distinct value; values are re-read after every adoption
	 * because adopt() rebuilds the program. */
	for (size_t nth = 0; budget_left(r); nth++) {
		size_t n;
		const void **vals = values_of(cur, key, &n);
		if (vals == NULL)
			return -1;
		uint8_t from[8] = {0}, to[8] = {0};
		size_t distinct = 0, i;
		for (i = 0; i < n; i++)
			if (!value_in(vals, i, t.size, vals[i]) && distinct++ == nth)
				break;
		if (i == n) {
			free(vals);
			break;
		}
		memcpy(from, vals[i], t.size);
		put_int(t, next, to);
		while (memcmp(to, from, t.size) != 0 && value_in(vals, n, t.size, to))
			put_int(t, ++next, to);
		free(vals);
		if (t.kind == FZ_KIND_U8 && next > 0xff)
			break;
		if (memcmp(to, from, t.size) == 0) {
			next++; /* already as small as it gets */
			continue;
		}
		rewrite rw = {0};
		if (key) {
			rw.key_from = from;
			rw.key_to = to;
		} else {
			rw.elem_from = from;
			rw.elem_to = to;
		}
		if (try_rewrite(r, &rw)) {
			if (adopt(r, cur, &rw) != 0)
				return -1;
			next++;
		}
	}
	return 0;
}

/* Smaller N for iter-next (1 first) and fail-alloc (halving). */
static int small_counts(reducer *r, fz_program *cur)
{
	for (size_t i = 0; i < cur->nops && budget_left(r); i++) {
		enum fz_opcode c = cur->ops[i].code;
		if (c != FZ_OP_ITER_NEXT && c != FZ_OP_FAIL_ALLOC)
			continue;
		uint64_t lo = fz_ops[c].nmin;
		while (cur->ops[i].n > lo && budget_left(r)) {
			uint64_t n = cur->ops[i].n;
			uint64_t want = c == FZ_OP_ITER_NEXT && n > 2 ? lo : n / 2;
			if (want < lo)
				want = lo;
			rewrite rw = {.set_n = true, .n_op = i, .n = want};
			if (try_rewrite(r, &rw)) {
				if (adopt(r, cur, &rw) != 0)
					return -1;
				continue;
			}
			if (c == FZ_OP_ITER_NEXT && want == lo && n > 2) {
				/* 1 was too few: halve instead */
				rw.n = n / 2;
				if (rw.n > lo && try_rewrite(r, &rw)) {
					if (adopt(r, cur, &rw) != 0)
						return -1;
					continue;
				}
			}
			break;
		}
	}
	return 0;
}

/* No hint, Go's hash, the default hashkey, seed 1: each kept only where
 * the failure does not depend on it. */
static int simplify_header(reducer *r, fz_program *cur)
{
	rewrite tries[4] = {{.zero_hint = true}, {.go_hash = true},
	                    {.default_hashkey = true}, {.seed_one = true}};
	bool needed[4] = {cur->hdr.hint != 0, cur->hdr.hash_mode != FZ_HASH_GO,
	                  cur->hdr.hashkey != GOMAP_DEFAULT_HASHKEY0,
	                  cur->hdr.seed > 1};
	for (int i = 0; i < 4; i++)
		if (needed[i] && try_rewrite(r, &tries[i]) &&
		    adopt(r, cur, &tries[i]) != 0)
			return -1;
	return 0;
}

/* ---- the whole reduction ------------------------------------------------------- */

int fz_reduce_program(const fz_program *p, const char *check,
                      const fz_reduce_opts *o, fz_program *out,
                      fz_reduce_stats *st)
{
	memset(st, 0, sizeof *st);
	reducer r = {.src = p, .check = check, .exec = *o->exec,
	             .max_tests = o->max_tests ? o->max_tests : 200000};
	r.exec.out = NULL;
	r.exec.dump_each = false;
	if (o->also_exec && o->also_check) {
		r.also = *o->also_exec;
		r.also.out = NULL;
		r.also.dump_each = false;
		r.also_check = o->also_check;
	}
	st->ops_before = p->nops;

	/* cur: the program being reduced, first a rebuilt copy of p */
	fz_program cur;
	size_t n = p->nops;
	size_t *idx = malloc((n ? n : 1) * sizeof *idx);
	if (idx == NULL) {
		fz_program_init(out, p->file);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		idx[i] = i;
	int rc = build(p, idx, &n, NULL, &cur);
	free(idx);
	r.ds.tests++;
	if (rc != 0 || n != p->nops || !(orc_exec(&cur, &r.exec, &st->verdict) == 1 &&
	                                 strcmp(st->verdict.check, check) == 0) ||
	    (r.also_check && !fails_as(&cur, &r.also, r.also_check)))
		goto fail;
	r.src = &cur;

	if (remove_ops(&r, &cur) != 0)
		goto fail;
	if (!o->keep_values) {
		size_t changes = r.changes;
		if (simplify_header(&r, &cur) != 0 || small_counts(&r, &cur) != 0 ||
		    small_values(&r, &cur, true) != 0 ||
		    small_values(&r, &cur, false) != 0)
			goto fail;
		/* smaller values sometimes free an operation or two */
		if (r.changes != changes && remove_ops(&r, &cur) != 0)
			goto fail;
	}
	r.ds.tests++;
	orc_exec(&cur, &r.exec, &st->verdict);
	st->ops_after = cur.nops;
	st->tests = r.ds.tests;
	st->out_of_tests = r.ds.out_of_tests;
	*out = cur;
	return 0;
fail:
	fz_program_free(&cur);
	fz_program_init(out, p->file);
	st->tests = r.ds.tests;
	return -1;
}
