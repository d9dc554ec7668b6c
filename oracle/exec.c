/* The lockstep executor (see exec.h).  One function per operation; each
 * runs the operation on the core and on the model, prints the trace's
 * observation from the core's answer and compares the two answers. */
#include "exec.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "go_oracle.h"
#include "iter_contract.h"
#include "iter_match.h"
#include "model.h"
#include "policy.h"

typedef struct exec_ctx {
	const fz_program *p;
	const orc_exec_opts *o;
	orc_verdict *v;
	gomap_type t;
	gomap *m;
	orc_model *model;
	orc_valtype kt, et;
	const fz_op *op; /* the top-level operation running now */
	size_t index;

	uint64_t fail_countdown; /* fail-alloc: 0 = off */
	/* an injected failure no operation has reported ENOMEM for yet */
	bool enomem_owed;
	/* the core's blocks not yet freed, for the leak checks */
	long live_blocks;
	/* systematic injection (exec.h, orc_alloc_plan): the plan, and the
	 * top-level operation the core's allocations count against now */
	orc_alloc_plan *plan;
	size_t alloc_op;
	uint64_t plan_countdown; /* the planned failure, armed: 0 = off */

	bool fatal; /* Go's fatal error (or throw) happened */
	char fatal_msg[128];

	/* reenter: the real key callbacks, and the armed inner operation */
	gomap_keytype real_key;
	const fz_op *inner;
	enum fz_reenter_at inner_at;
	bool in_callback;
	const fz_op *inner_running; /* the inner operation, while it runs */
	/* the snapshot an armed fail-alloc compares with; an inner operation
	 * changes the map legitimately, so it is retaken after one */
	gomap_textbuf *before;

	gomap_iter its[FZ_ITERATORS];
	bool started[FZ_ITERATORS];
	orc_iter_watch *watch[FZ_ITERATORS];
	/* the entry each iterator is on, copied when it moved there, as a
	 * range loop copies it: in held_room when key and elem fit (no
	 * malloc per fuzz input), else allocated at the iterator's first
	 * start */
	unsigned char *held_key[FZ_ITERATORS], *held_elem[FZ_ITERATORS];
	unsigned char held_room[FZ_ITERATORS][2][32];

	size_t since_check;

	/* Go's policy (oracle/policy.h): what it carries between operations,
	 * how many operations have begun (an outer operation that sees the
	 * count move ran an inner one), and whether the last one ran out of
	 * memory */
	orc_policy policy;
	orc_policy_op policy_ops[2]; /* the running operation, and an inner one */
	orc_policy_finding policy_finding;
	size_t ops_begun;
	bool op_enomem;

	/* iter's scratch for maps of up to 64 entries, here rather than in
	 * its frame: under ASan a frame's arrays cost a poisoning of their
	 * redzones on every call of the function they are inlined into
	 * (run_op, once per operation) */
	orc_pair iter_pairs[64];
	orc_match_room iter_room;

	orc_go_log go; /* Go's runtime map, in builds with Go in the loop */
} exec_ctx;

static void run_op(exec_ctx *x, const fz_op *op);
static void environment_failed(exec_ctx *x, const char *check, const char *what);
static void out_of_memory(exec_ctx *x, const char *what);

/* ---- output and verdicts -------------------------------------------------- */

static void emit(exec_ctx *x, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void emit(exec_ctx *x, const char *fmt, ...)
{
	if (x->o->out == NULL)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vfprintf(x->o->out, fmt, ap);
	va_end(ap);
	if (n < 0)
		environment_failed(x, "environment.io", "the trace's output "
		                   "could not be written");
}

/* A formatted value; a text buffer that ran out of memory would print a
 * wrong observation, so that ends the run as the environment's failure. */
static const char *text_of(exec_ctx *x, gomap_textbuf *tb)
{
	if (tb->oom)
		out_of_memory(x, "a text buffer could not grow");
	return fz_textbuf_cstr(tb);
}

static const char *key_text(exec_ctx *x, const void *k, gomap_textbuf *tb)
{
	tb->len = 0;
	fz_format_key(x->p, k, tb);
	return text_of(x, tb);
}

static const char *elem_text(exec_ctx *x, const void *e, gomap_textbuf *tb)
{
	tb->len = 0;
	fz_format_elem(x->p, e, tb);
	return text_of(x, tb);
}

static bool use_fast(exec_ctx *x, const fz_op *op);

/* The map's phase, from its header: hashGrow's sameSizeGrow flag (8) tells
 * the two kinds of growth apart. */
static const char *phase_of(const gomap *m)
{
	if (m == NULL)
		return "none";
	gomap_growth_view h;
	gomap_growth_state(m, &h);
	if (!h.growing)
		return "stable";
	return (h.flags & 8) ? "growing-same-size" : "growing-doubling";
}

/* Where a failure fired, for the verdict's signature (verdict.h): the
 * operation running (the inner one inside a callback), its entry point
 * when it takes a key, whether it runs inside or around a reenter, the
 * map's phase and the key kind.  "op=end" for the checks at the end. */
static void sign(exec_ctx *x, orc_verdict *v)
{
	const fz_op *op = x->in_callback ? x->inner_running : x->op;
	const char *reenter = "no";
	if (x->in_callback)
		reenter = "inner";
	else if (x->op && x->index > 0 &&
	         x->p->ops[x->index - 1].code == FZ_OP_REENTER)
		reenter = "outer";
	const char *entry = "-";
	if (op && (fz_ops[op->code].args == FZ_ARGS_K ||
	           fz_ops[op->code].args == FZ_ARGS_KV))
		entry = use_fast(x, op) ? "fast" : "generic";
	snprintf(v->signature, sizeof v->signature,
	         "op=%s entry=%s reenter=%s phase=%s key=%s",
	         op ? fz_ops[op->code].name : "end", entry, reenter,
	         phase_of(x->m), x->p->hdr.key_name);
}

static void fail(exec_ctx *x, const char *check, const char *expected,
                 const char *seen)
{
	orc_verdict *v = x->v;
	if (v->failed)
		return;
	orc_verdict_fail(v, check, expected, seen);
	sign(x, v);
	v->op_index = x->index;
	v->line = x->op ? x->op->line : 0;
	v->op[0] = '\0';
	if (x->op) {
		gomap_textbuf tb = {0};
		fz_op_format(x->p, x->op, false, &tb);
		snprintf(v->op, sizeof v->op, "%s", fz_textbuf_cstr(&tb));
		gomap_textbuf_free(&tb);
	}
}

static void malformed(exec_ctx *x, const char *why)
{
	fail(x, "trace.malformed", why, "an operation that cannot run");
	x->v->malformed = true;
}

/* The environment failed, not the map: the real allocator (of the core,
 * the model or a text buffer) or the output.  It becomes the verdict
 * unless there is one already, so the run stops there and says nothing
 * about the map. */
static void environment_failed(exec_ctx *x, const char *check, const char *what)
{
	if (x->v->failed)
		return;
	fail(x, check, "the machine to have memory and working output", what);
	x->v->environment = true;
}

static void out_of_memory(exec_ctx *x, const char *what)
{
	environment_failed(x, "environment.nomem", what);
}

/* ---- hooks ------------------------------------------------------------- */

static void note_allocation(exec_ctx *x, enum gomap_alloc_site site);

/* fail-alloc's injected failure is the countdown reaching 0; a NULL from
 * malloc itself is the machine's, whatever is armed. */
static void *counting_alloc(void *ctx, size_t size, enum gomap_alloc_site site)
{
	exec_ctx *x = ctx;
	if (x->plan)
		note_allocation(x, site);
	bool planned = x->plan_countdown && --x->plan_countdown == 0;
	bool counted = x->fail_countdown && --x->fail_countdown == 0;
	if (planned || counted) {
		x->enomem_owed = true;
		return NULL;
	}
	/* the core's own allocator, zeroed (hooks.alloc_zeroed): a B = 16
	 * array of 10 MB stays unmapped but for what the map touches; cleared
	 * by the core or by calloc, it cost the fuzz targets 5-10 ms a run */
	void *p = gomap_default_alloc(size);
	if (p == NULL) {
		char what[128];
		snprintf(what, sizeof what, "out of memory: allocating %zu bytes for the "
		         "core returned NULL, not a fail-alloc", size);
		out_of_memory(x, what);
		return NULL;
	}
	x->live_blocks++;
	return p;
}

static void counting_free(void *ctx, void *p, size_t size)
{
	exec_ctx *x = ctx;
	x->live_blocks--;
	gomap_default_free(p, size);
}

static void record_failure(void *ctx, enum gomap_severity sev, const char *msg)
{
	exec_ctx *x = ctx;
	if (sev == GOMAP_PANIC || x->fatal)
		return;
	x->fatal = true;
	snprintf(x->fatal_msg, sizeof x->fatal_msg, "%s", msg);
}

/* The rand=0x... field of a dump's header line: 16 hex digits. */
static char *dumped_rand(gomap_textbuf *tb)
{
	char *p = strstr(fz_textbuf_cstr(tb), " rand=0x");
	return p && strlen(p) >= 8 + 16 ? p + 8 : NULL;
}

/* The ENOMEM snapshot once an inner operation has run: the map as the
 * inner left it, since its changes are a finished operation's.  But an
 * ENOMEM rewinds the random stream to before the outer operation hashed
 * its key, and an inner run from that hash callback has its draws (a NaN
 * key's hash) rewound with it (docs/design.md, "Allocation failure"):
 * expect the stream where the first snapshot had it. */
static void resnapshot_after_inner(exec_ctx *x, gomap_textbuf *before,
                                   enum fz_reenter_at at)
{
	char rand[16];
	char *r = dumped_rand(before);
	bool keep_rand = at == FZ_REENTER_HASH && r != NULL;
	if (keep_rand)
		memcpy(rand, r, sizeof rand);
	before->len = 0;
	gomap_dump_text(x->m, before);
	if (keep_rand && (r = dumped_rand(before)) != NULL)
		memcpy(r, rand, sizeof rand);
}

/* reenter: the key type's callbacks, wrapped so the armed inner operation
 * runs inside the first matching call. */
static void maybe_reenter(exec_ctx *x, enum fz_reenter_at at)
{
	if (x->inner == NULL || x->inner_at != at || x->in_callback)
		return;
	const fz_op *inner = x->inner;
	x->inner = NULL;
	gomap_textbuf *before = x->before;
	x->before = NULL;
	x->in_callback = true;
	x->inner_running = inner;
	run_op(x, inner);
	x->in_callback = false;
	x->before = before;
	if (before)
		resnapshot_after_inner(x, before, at);
}

static uint64_t reenter_hash(const gomap_keytype *kt, const void *key,
                             uint64_t seed, gomap *m)
{
	exec_ctx *x = kt->user;
	maybe_reenter(x, FZ_REENTER_HASH);
	return x->real_key.hash(&x->real_key, key, seed, m);
}

static bool reenter_equal(const gomap_keytype *kt, const void *a,
                          const void *b, gomap *m)
{
	exec_ctx *x = kt->user;
	maybe_reenter(x, FZ_REENTER_EQUAL);
	return x->real_key.equal(&x->real_key, a, b, m);
}

static bool program_reenters(const fz_program *p)
{
	for (size_t i = 0; i < p->nops; i++)
		if (p->ops[i].code == FZ_OP_REENTER)
			return true;
	return false;
}

/* ---- core entry points ------------------------------------------------- */

static bool use_fast(exec_ctx *x, const fz_op *op)
{
	return x->o->honour_paths && x->t.fast != GOMAP_FAST_NONE &&
	       !(fz_ops[op->code].flags & FZ_F_GENERIC);
}

static uint32_t load32(const void *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}
static uint64_t load64(const void *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}
static gomap_str loadstr(const void *p)
{
	gomap_str s;
	memcpy(&s, p, sizeof s);
	return s;
}

static int core_assign(exec_ctx *x, const fz_op *op, const void *k, void **e)
{
	if (!use_fast(x, op))
		return gomap_assign(x->m, k, e);
	switch (x->t.fast) {
	case GOMAP_FAST_32: return gomap_assign_fast32(x->m, load32(k), e);
	case GOMAP_FAST_64: return gomap_assign_fast64(x->m, load64(k), e);
	default: return gomap_assign_faststr(x->m, loadstr(k), e);
	}
}

static const void *core_access(exec_ctx *x, const fz_op *op, const void *k,
                               bool *found)
{
	if (!use_fast(x, op))
		return gomap_access2(x->m, k, found);
	switch (x->t.fast) {
	case GOMAP_FAST_32: return gomap_access2_fast32(x->m, load32(k), found);
	case GOMAP_FAST_64: return gomap_access2_fast64(x->m, load64(k), found);
	default: return gomap_access2_faststr(x->m, loadstr(k), found);
	}
}

static int core_delete(exec_ctx *x, const fz_op *op, const void *k)
{
	if (!use_fast(x, op))
		return gomap_delete(x->m, k);
	switch (x->t.fast) {
	case GOMAP_FAST_32: return gomap_delete_fast32(x->m, load32(k));
	case GOMAP_FAST_64: return gomap_delete_fast64(x->m, load64(k));
	default: return gomap_delete_faststr(x->m, loadstr(k));
	}
}

/* ---- checks ------------------------------------------------------------ */

static void check_invariants(exec_ctx *x)
{
	/* The checker compares keys with the key type's equal, which is the
	 * reenter wrapper: an inner operation still armed, because its outer
	 * failed (ENOMEM) before it called equal, must not run inside the
	 * check, where it would change the map under the checker's feet. */
	const fz_op *armed = x->inner;
	x->inner = NULL;
	char msg[256];
	int inv = gomap_check(x->m, msg, sizeof msg);
	x->inner = armed;
	if (inv) {
		char id[32];
		snprintf(id, sizeof id, "invariant.I%d", inv);
		fail(x, id, "every invariant of docs/design.md to hold", msg);
	}
}

/* An operation that failed with ENOMEM must have left the map as it was. */
static void check_unchanged(exec_ctx *x, const gomap_textbuf *before)
{
	gomap_textbuf after = {0};
	gomap_dump_text(x->m, &after);
	if (before->oom || after.oom)
		out_of_memory(x, "a dump for the fail-alloc comparison could not grow");
	else if (after.len != before->len ||
	    memcmp(after.data, before->data, after.len) != 0)
		fail(x, "enomem.changed", "the map exactly as before the failed "
		     "operation", "a different dump");
	gomap_textbuf_free(&after);
	check_invariants(x);
}

static void emit_enomem(exec_ctx *x, const fz_op *op)
{
	gomap_textbuf tb = {0};
	fz_op_format(x->p, op, true, &tb);
	emit(x, "%s -> enomem\n", fz_textbuf_cstr(&tb));
	gomap_textbuf_free(&tb);
}

/* Snapshot for the ENOMEM check, taken only while a failure is armed. */
static void snapshot_if_armed(exec_ctx *x, gomap_textbuf *before)
{
	if (x->fail_countdown || x->plan_countdown) {
		gomap_dump_text(x->m, before);
		x->before = before;
	}
}

/* The operation that took the snapshot is over. */
static void snapshot_done(exec_ctx *x, gomap_textbuf *before)
{
	if (x->before == before)
		x->before = NULL;
	gomap_textbuf_free(before);
}

static bool status_ok(exec_ctx *x, const fz_op *op, int st,
                      const gomap_textbuf *before)
{
	if (st == GOMAP_OK)
		return true;
	if (x->v->environment)
		return false; /* the real allocator failed: not an observation */
	if (st == GOMAP_ENOMEM) {
		x->op_enomem = true;
		x->enomem_owed = false;
		orc_go_enomem(&x->go);
		emit_enomem(x, op);
		check_unchanged(x, before);
	} else if (st != GOMAP_EFATAL || !x->fatal) {
		fail(x, "core.status", "GOMAP_OK", gomap_strerror(st));
	}
	return false;
}

/* ---- operations -------------------------------------------------------- */

/* A NaN key never equals itself, so every assign of one adds an entry;
 * the policy checks allow a draw for each NaN a doubling growth moves
 * [P5].  Counted here, since an outer operation's own checks may be
 * skipped (run_op). */
static void count_nan_insert(exec_ctx *x, const fz_op *op)
{
	if (x->kt.kind == ORC_F64 && orc_is_nan_key(x->kt, op->key))
		x->policy.nan_live++;
}

static void op_put(exec_ctx *x, const fz_op *op)
{
	gomap_textbuf before = {0};
	snapshot_if_armed(x, &before);
	void *e;
	int st = core_assign(x, op, op->key, &e);
	if (status_ok(x, op, st, &before)) {
		count_nan_insert(x, op);
		memcpy(e, op->elem, x->et.size);
		if (orc_put(x->model, op->key, op->elem) != 0)
			out_of_memory(x, "the reference model could not grow");
	}
	snapshot_done(x, &before);
}

static void op_inc(exec_ctx *x, const fz_op *op)
{
	gomap_textbuf before = {0};
	snapshot_if_armed(x, &before);
	void *e;
	int st = core_assign(x, op, op->key, &e);
	if (status_ok(x, op, st, &before)) {
		count_nan_insert(x, op);
		uint64_t v = 0;
		memcpy(&v, e, x->et.size);
		v++;
		memcpy(e, &v, x->et.size); /* little-endian: wraps per size */
		if (orc_inc(x->model, op->key) != 0)
			out_of_memory(x, "the reference model could not grow");
	}
	snapshot_done(x, &before);
}

static void op_get(exec_ctx *x, const fz_op *op)
{
	bool found;
	const void *e = core_access(x, op, op->key, &found);
	if (x->fatal && x->in_callback)
		return; /* the read was stopped by Go's check */
	const void *want;
	bool has = orc_get(x->model, op->key, &want, NULL);
	gomap_textbuf kb = {0}, eb = {0}, wb = {0};
	if (x->o->out) { /* formatting is most of a get's cost: only to print */
		const char *ks = key_text(x, op->key, &kb);
		if (found)
			emit(x, "get %s -> %s\n", ks, elem_text(x, e, &eb));
		else
			emit(x, "get %s -> absent\n", ks);
	}
	if (found != has)
		fail(x, "get.found", has ? "present" : "absent",
		     found ? "present" : "absent");
	else if (found && !orc_values_equal(x->et, want, e))
		fail(x, "get.value", elem_text(x, want, &wb), elem_text(x, e, &eb));
	gomap_textbuf_free(&kb);
	gomap_textbuf_free(&eb);
	gomap_textbuf_free(&wb);
}

static void op_del(exec_ctx *x, const fz_op *op)
{
	gomap_textbuf before = {0};
	snapshot_if_armed(x, &before);
	int st = core_delete(x, op, op->key);
	if (status_ok(x, op, st, &before)) {
		orc_del(x->model, op->key);
		for (int i = 0; i < FZ_ITERATORS; i++)
			if (x->watch[i])
				orc_watch_deleted(x->watch[i], op->key);
	}
	snapshot_done(x, &before);
}

static void op_len(exec_ctx *x)
{
	size_t n = gomap_len(x->m), want = orc_len(x->model);
	emit(x, "len %zu\n", n);
	if (n != want) {
		char a[32], b[32];
		snprintf(a, sizeof a, "%zu", want);
		snprintf(b, sizeof b, "%zu", n);
		fail(x, "len", a, b);
	}
}

static void op_clear(exec_ctx *x)
{
	if (gomap_clear(x->m) != GOMAP_OK)
		return; /* only Go's concurrent-write check stops a clear */
	orc_clear(x->model);
	x->policy.nan_live = 0;
	for (int i = 0; i < FZ_ITERATORS; i++)
		if (x->watch[i])
			orc_watch_cleared(x->watch[i]);
}

/* "K=V" texts of a whole map, sorted by byte order as `iter` prints them.
 * They share one buffer, each ended by a NUL: a few mallocs per map, not
 * three per entry (a map with a NaN key takes this path every time). */
typedef struct pair_list {
	gomap_textbuf text;
	const char **items; /* into text, once pairs_sort has run */
	size_t n;
} pair_list;

static void pairs_add(exec_ctx *x, pair_list *l, const void *k, const void *e)
{
	fz_format_key(x->p, k, &l->text);
	gomap_textbuf_putc(&l->text, '=');
	fz_format_elem(x->p, e, &l->text);
	gomap_textbuf_putc(&l->text, '\0');
	l->n++;
}

static int by_text(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Points the items at their texts, now that the buffer stops moving, and
 * sorts them; false when out of memory. */
static bool pairs_sort(exec_ctx *x, pair_list *l)
{
	l->items = malloc((l->n ? l->n : 1) * sizeof *l->items);
	if (l->items == NULL || l->text.oom) {
		out_of_memory(x, "an iteration's printed entries could not grow");
		return false;
	}
	const char *s = l->text.data;
	for (size_t i = 0; i < l->n; i++) {
		l->items[i] = s;
		s += strlen(s) + 1;
	}
	if (l->n > 1)
		qsort(l->items, l->n, sizeof *l->items, by_text);
	return true;
}

static void pairs_free(pair_list *l)
{
	free(l->items);
	gomap_textbuf_free(&l->text);
}

/* Twice the room for pairs, moving them to the heap the first time;
 * false, nothing moved, when out of memory. */
static bool grow_pairs(orc_pair **pairs, const orc_pair *room, size_t *cap)
{
	orc_pair *bigger = malloc(2 * *cap * sizeof *bigger);
	if (bigger == NULL)
		return false;
	memcpy(bigger, *pairs, *cap * sizeof *bigger);
	if (*pairs != room)
		free(*pairs);
	*pairs = bigger;
	*cap *= 2;
	return true;
}

static void op_iter(exec_ctx *x)
{
	/* One pass over the core: an iteration draws a random start, so it
	 * must happen exactly once whatever is compared afterwards.  Small
	 * maps are collected in x: an iteration per fuzz input must not cost
	 * a malloc (bench/README.md, "Fuzzing throughput"). */
	orc_pair *yielded = x->iter_pairs;
	size_t ny = 0, cap = 64;
	gomap_iter it;
	for (gomap_iter_init(x->m, &it); it.key; gomap_iter_next(&it)) {
		if (ny == cap && !grow_pairs(&yielded, x->iter_pairs, &cap)) {
			out_of_memory(x, "an iteration's entries could not be kept");
			break;
		}
		yielded[ny++] = (orc_pair){it.key, it.elem};
	}
	orc_go_iterated(&x->go, x->index, yielded, ny);
	bool same = x->v->environment ||
	            (x->o->out == NULL &&
	             orc_pairs_match_model(x->model, x->kt, x->et, yielded, ny,
	                                   &x->iter_room));
	pair_list core = {0}, ref = {0};
	for (size_t i = 0; !same && i < ny; i++)
		pairs_add(x, &core, yielded[i].key, yielded[i].elem);
	if (yielded != x->iter_pairs)
		free(yielded);
	if (same)
		return;
	orc_pair e;
	for (orc_cursor c = orc_begin(x->model); orc_step(&c, &e);)
		pairs_add(x, &ref, e.key, e.elem);
	if (!pairs_sort(x, &core) || !pairs_sort(x, &ref)) {
		pairs_free(&core);
		pairs_free(&ref);
		return;
	}
	emit(x, "iter %zu:", core.n);
	for (size_t i = 0; i < core.n; i++)
		emit(x, " %s", core.items[i]);
	emit(x, "\n");
	for (size_t i = 0; i < core.n || i < ref.n; i++) {
		const char *c = i < core.n ? core.items[i] : "(nothing)";
		const char *r = i < ref.n ? ref.items[i] : "(nothing)";
		if (strcmp(c, r) != 0) {
			fail(x, "iter.contents", r, c);
			break;
		}
	}
	pairs_free(&core);
	pairs_free(&ref);
}

static void stop_iterator(exec_ctx *x, int i)
{
	if (x->started[i])
		gomap_iter_release(&x->its[i]);
	orc_watch_free(x->watch[i]);
	x->watch[i] = NULL;
	x->started[i] = false;
}

/* Copies the entry iterator i has just moved onto: `for k, v := range m`
 * copies it at that moment, so a later iter-next prints the copy, never
 * the slot as a growth or delete has left it since. */
static void hold_entry(exec_ctx *x, int i)
{
	gomap_iter *it = &x->its[i];
	if (it->key == NULL)
		return;
	if (x->held_key[i] == NULL && x->kt.size <= sizeof x->held_room[i][0] &&
	    x->et.size <= sizeof x->held_room[i][1]) {
		x->held_key[i] = x->held_room[i][0];
		x->held_elem[i] = x->held_room[i][1];
	}
	if (x->held_key[i] == NULL) {
		x->held_key[i] = malloc(x->kt.size);
		x->held_elem[i] = malloc(x->et.size ? x->et.size : 1);
		if (x->held_key[i] == NULL || x->held_elem[i] == NULL) {
			out_of_memory(x, "an iterator's entry could not be kept");
			return;
		}
	}
	memcpy(x->held_key[i], it->key, x->kt.size);
	memcpy(x->held_elem[i], it->elem, x->et.size);
}

/* The contract applies when the iterator moves onto an entry, the moment
 * Go copies the entry. */
static void watch_produced(exec_ctx *x, int i)
{
	gomap_iter *it = &x->its[i];
	char why[160];
	hold_entry(x, i);
	if (it->key == NULL || x->watch[i] == NULL || x->fatal)
		return;
	const char *bad = orc_watch_yield(x->watch[i], x->model, it->key,
	                                  it->elem, why, sizeof why);
	if (bad) {
		gomap_textbuf kb = {0}, eb = {0};
		char seen[320];
		snprintf(seen, sizeof seen, "%s (it %d %s=%s)", why, i,
		         key_text(x, it->key, &kb), elem_text(x, it->elem, &eb));
		gomap_textbuf_free(&kb);
		gomap_textbuf_free(&eb);
		fail(x, bad, "Go's iteration contract", seen);
	}
}

static void op_iter_start(exec_ctx *x, const fz_op *op)
{
	int i = op->iter;
	stop_iterator(x, i);
	x->watch[i] = orc_watch_start(x->kt, x->et, x->model);
	if (x->watch[i] == NULL)
		out_of_memory(x, "the iteration contract's key sets could not be made");
	gomap_iter_init(x->m, &x->its[i]);
	x->started[i] = true;
	watch_produced(x, i);
}

static void op_iter_next(exec_ctx *x, const fz_op *op)
{
	int i = op->iter;
	gomap_iter *it = &x->its[i];
	char why[160];
	for (uint64_t step = 0; step < op->n; step++) {
		if (it->key == NULL) {
			emit(x, "it %d end\n", i);
			orc_go_stepped(&x->go, x->index, i, NULL, NULL);
			const char *bad = x->watch[i] ? orc_watch_end(x->watch[i], why,
			                                              sizeof why)
			                              : NULL;
			if (bad)
				fail(x, bad, "every key present throughout returned",
				     why);
			orc_watch_free(x->watch[i]);
			x->watch[i] = NULL;
			return;
		}
		orc_go_stepped(&x->go, x->index, i, x->held_key[i],
		               x->held_elem[i]);
		if (x->o->out) {
			gomap_textbuf kb = {0}, eb = {0};
			emit(x, "it %d %s=%s\n", i, key_text(x, x->held_key[i], &kb),
			     elem_text(x, x->held_elem[i], &eb));
			gomap_textbuf_free(&kb);
			gomap_textbuf_free(&eb);
		}
		gomap_iter_next(it);
		if (x->fatal)
			return;
		watch_produced(x, i);
	}
}

static bool fatal_unforeseeable(const exec_ctx *x);

static void op_expect_fatal(exec_ctx *x, const fz_op *op)
{
	if (!x->fatal && fatal_unforeseeable(x))
		return;
	if (!x->fatal)
		fail(x, "fatal.missing", op->msg, "no fatal error");
	else if (strcmp(x->fatal_msg, op->msg) != 0)
		fail(x, "fatal.message", op->msg, x->fatal_msg);
}

/* A write run inside an unprotected read's equal callback would change
 * buckets under the read's feet: a data race Go does not detect either,
 * and not a scenario a trace can ask for. */
static bool is_write(enum fz_opcode c)
{
	return c == FZ_OP_PUT || c == FZ_OP_GPUT || c == FZ_OP_DEL ||
	       c == FZ_OP_GDEL || c == FZ_OP_CLEAR || c == FZ_OP_INC;
}

/* Operations that may give the map a new hash0 (a delete that empties it,
 * a clear of a non-empty map). */
static bool may_reseed(enum fz_opcode c)
{
	return c == FZ_OP_DEL || c == FZ_OP_GDEL || c == FZ_OP_CLEAR;
}

static bool hashes_key(enum fz_opcode c)
{
	return c == FZ_OP_PUT || c == FZ_OP_GPUT || c == FZ_OP_GET ||
	       c == FZ_OP_GGET || c == FZ_OP_DEL || c == FZ_OP_GDEL ||
	       c == FZ_OP_INC;
}

/* Two shapes are races Go does not detect either, whose outcome Go does
 * not define, so a trace cannot ask for them:
 *  - a write inside a read's equal callback changes buckets under the
 *    read's feet;
 *  - a reseeding op inside a hash callback leaves the outer operation
 *    with a hash taken under the old seed, so it misplaces its key. */
static void op_reenter(exec_ctx *x, const fz_op *op, const fz_op *outer)
{
	if (op->at == FZ_REENTER_EQUAL && outer && !is_write(outer->code) &&
	    is_write(op->inner->code)) {
		malformed(x, "reenter equal: a write inside a read's callback is "
		          "an undetectable race");
		return;
	}
	if (op->at == FZ_REENTER_HASH && outer && hashes_key(outer->code) &&
	    may_reseed(op->inner->code)) {
		malformed(x, "reenter hash: a del or clear inside a hash callback "
		          "may reseed the map under the outer operation's hash");
		return;
	}
	x->inner = op->inner;
	x->inner_at = op->at;
}

static void run_op_unchecked(exec_ctx *x, const fz_op *op)
{
	switch (op->code) {
	case FZ_OP_PUT:
	case FZ_OP_GPUT: op_put(x, op); break;
	case FZ_OP_INC: op_inc(x, op); break;
	case FZ_OP_GET:
	case FZ_OP_GGET: op_get(x, op); break;
	case FZ_OP_DEL:
	case FZ_OP_GDEL: op_del(x, op); break;
	case FZ_OP_LEN: op_len(x); break;
	case FZ_OP_CLEAR: op_clear(x); break;
	case FZ_OP_ITER: op_iter(x); break;
	case FZ_OP_DUMP: {
		/* Only printed: the dump reads what gomap_check walks, and
		 * formatting a big map was a twentieth of a fuzz run. */
		if (x->o->out == NULL)
			break;
		gomap_textbuf tb = {0};
		gomap_dump_text(x->m, &tb);
		emit(x, "%s", fz_textbuf_cstr(&tb));
		gomap_textbuf_free(&tb);
		break;
	}
	case FZ_OP_CHECK: check_invariants(x); break;
	case FZ_OP_ITER_START: op_iter_start(x, op); break;
	case FZ_OP_ITER_NEXT: op_iter_next(x, op); break;
	case FZ_OP_ITER_STOP: stop_iterator(x, op->iter); break;
	case FZ_OP_FAIL_ALLOC:
		/* a plan replaces the program's own, unless it keeps them */
		if (x->plan == NULL || x->plan->keep_fail_alloc)
			x->fail_countdown = op->n;
		break;
	case FZ_OP_REENTER: break; /* armed by the main loop */
	case FZ_OP_EXPECT_FATAL: op_expect_fatal(x, op); break;
	case FZ_OP_COUNT: break;
	}
}

/* ---- systematic fault injection (exec.h, orc_alloc_plan) ------------------ */

/* Appends the allocation to the plan's log when it keeps one. */
static void note_allocation(exec_ctx *x, enum gomap_alloc_site site)
{
	orc_alloc_plan *pl = x->plan;
	if (!pl->record)
		return;
	if (pl->nrecs == pl->cap) {
		size_t cap = pl->cap ? 2 * pl->cap : 64;
		orc_alloc_rec *r = realloc(pl->recs, cap * sizeof *r);
		if (r == NULL) {
			out_of_memory(x, "the allocation log could not grow");
			return;
		}
		pl->recs = r;
		pl->cap = cap;
	}
	pl->recs[pl->nrecs++] = (orc_alloc_rec){x->alloc_op, site};
}

/* Before top-level operation `op` (or the make, ORC_MAKE_OP): its
 * allocations count against it, and the planned one is armed. */
static void arm_planned_failure(exec_ctx *x, size_t op)
{
	x->alloc_op = op;
	if (x->plan && x->plan->fail_nth && x->plan->fail_op == op)
		x->plan_countdown = x->plan->fail_nth;
}

/* After it: an injected failure must have been reported as ENOMEM by the
 * operation it hit, and the planned one must have happened, since the
 * counting run saw that many allocations in this operation. */
static void settle_planned_failure(exec_ctx *x, size_t op)
{
	if (x->enomem_owed && !x->fatal)
		fail(x, "enomem.unreported", "the operation whose allocation "
		     "failed to return GOMAP_ENOMEM", "another status");
	x->enomem_owed = false;
	if (x->plan == NULL || x->plan->fail_op != op || !x->plan->fail_nth)
		return;
	if (x->plan_countdown == 0)
		x->plan->injected = true;
	else if (!x->v->failed)
		fail(x, "enomem.not-repeated", "the allocations of the counting "
		     "run again, the planned one among them",
		     "fewer allocations: the core is not deterministic");
	x->plan_countdown = 0;
}

/* Whether a fatal error happens depends on the map's contents (an equal
 * callback runs only for a key found with its tophash, and a write from
 * inside one is Go's "concurrent map writes"), which the operation that a
 * plan failed did not change.  So once a plan's failure is injected, the
 * program's expect-fatal, or its lack, no longer says what must happen;
 * a fatal error still ends the checks on the dead map. */
static bool fatal_unforeseeable(const exec_ctx *x)
{
	return x->plan && x->plan->injected;
}

/* A make whose allocation failed must have freed what it had taken. */
static void check_failed_make(exec_ctx *x)
{
	x->enomem_owed = false;
	if (x->live_blocks != 0)
		fail(x, "enomem.leak", "a failed make to free every block it "
		     "allocated", "blocks still allocated");
}

/* ---- Go's policy around every map operation ------------------------------ */

static bool policy_kind_of(enum fz_opcode c, enum orc_policy_kind *kind)
{
	switch (c) {
	case FZ_OP_PUT:
	case FZ_OP_GPUT:
	case FZ_OP_INC: *kind = ORC_POLICY_ASSIGN; return true;
	case FZ_OP_GET:
	case FZ_OP_GGET: *kind = ORC_POLICY_READ; return true;
	case FZ_OP_DEL:
	case FZ_OP_GDEL: *kind = ORC_POLICY_DELETE; return true;
	case FZ_OP_CLEAR: *kind = ORC_POLICY_CLEAR; return true;
	case FZ_OP_ITER:
	case FZ_OP_ITER_START: *kind = ORC_POLICY_ITER_START; return true;
	case FZ_OP_ITER_NEXT: *kind = ORC_POLICY_ITER_STEP; return true;
	default: return false;
	}
}

static void policy_begin(exec_ctx *x, const fz_op *op,
                         enum orc_policy_kind kind, orc_policy_op *pop)
{
	bool keyed = fz_ops[op->code].args == FZ_ARGS_K ||
	             fz_ops[op->code].args == FZ_ARGS_KV;
	bool nan = keyed && x->kt.kind == ORC_F64 &&
	           orc_is_nan_key(x->kt, op->key);
	if (!orc_policy_begin(pop, x->m, kind, nan) || !keyed)
		return;
	/* the key type's own hash, not the reenter wrapper around it */
	const gomap_keytype *kt = &x->p->hdr.key;
	uint64_t hash;
	if (!nan)
		hash = kt->hash(kt, op->key, pop->before.hash0, x->m);
	else if (!orc_policy_hash_next(kt, op->key, x->m, &hash))
		out_of_memory(x, "a scratch map for a NaN key's hash could not be made");
	orc_policy_plan(pop, x->m, hash);
}

static void policy_fail(exec_ctx *x)
{
	const orc_policy_finding *f = &x->policy_finding;
	fail(x, f->check, f->expected, f->seen);
}

/* Every map operation runs between a look at the map before and Go's rules
 * for the map after [P1..P6].  An operation that ran out of memory left
 * the map as it was (checked by check_unchanged); one that hit Go's fatal
 * error leaves a map Go would not run on; one inside which a re-entrant
 * inner operation ran is two operations interleaved, which Go's rules do
 * not describe: its checks are skipped (docs/design.md, "Policy
 * invariants"). */
static void run_op(exec_ctx *x, const fz_op *op)
{
	enum orc_policy_kind kind;
	if (!policy_kind_of(op->code, &kind)) {
		run_op_unchecked(x, op);
		return;
	}
	/* one record per level: an inner operation runs inside an outer one;
	 * in the context, since under ASan a frame's arrays are poisoned on
	 * every call */
	orc_policy_op *pop = &x->policy_ops[x->in_callback];
	policy_begin(x, op, kind, pop);
	size_t begun = ++x->ops_begun;
	x->op_enomem = false;
	run_op_unchecked(x, op);
	if (x->fatal || x->v->failed)
		return;
	/* first: an inner operation's ENOMEM must not pass for the outer's */
	if (x->ops_begun != begun) {
		orc_policy_lost(&x->policy);
		return;
	}
	if (x->op_enomem)
		return;
	if (!orc_policy_end(&x->policy, pop, x->m, &x->policy_finding))
		policy_fail(x);
}

/* The structure's invariants, then the evacuation count of Go's rules. */
static void check_structure(exec_ctx *x)
{
	check_invariants(x);
	if (!x->v->failed &&
	    !orc_policy_audit(&x->policy, x->m, &x->policy_finding))
		policy_fail(x);
}

/* gomap_check after every operation on a small map, then whenever the ops
 * since the last check reach a fraction (1/check_divisor) of what a check
 * walks, the entries plus the buckets: linear in total. */
static void periodic_check(exec_ctx *x)
{
	size_t below = x->o->check_all_below ? x->o->check_all_below : 256;
	size_t divisor = x->o->check_divisor ? x->o->check_divisor : 16;
	size_t work = gomap_check_cost(x->m), count = gomap_len(x->m);
	bool small = count <= below && work - count <= below;
	bool due = small || ++x->since_check * divisor >= work;
	if (due) {
		x->since_check = 0;
		check_structure(x);
	}
	orc_go_after_op(&x->go, x->m, x->index, due);
}

/* At the end: every reference entry is in the core with its value, and the
 * counts agree (the check's I5 rules out duplicates). */
static void compare_contents(exec_ctx *x)
{
	gomap_textbuf kb = {0}, eb = {0}, wb = {0};
	orc_pair want;
	for (orc_cursor c = orc_begin(x->model);
	     !x->v->failed && orc_step(&c, &want);) {
		if (orc_is_nan_key(x->kt, want.key))
			continue;
		bool found;
		const void *e = gomap_access2(x->m, want.key, &found);
		if (!found)
			fail(x, "content.missing", key_text(x, want.key, &kb),
			     "absent");
		else if (!orc_values_equal(x->et, want.elem, e))
			fail(x, "content.value", elem_text(x, want.elem, &wb),
			     elem_text(x, e, &eb));
	}
	gomap_textbuf_free(&kb);
	gomap_textbuf_free(&eb);
	gomap_textbuf_free(&wb);
	if (!x->v->failed && gomap_len(x->m) != orc_len(x->model))
		fail(x, "content.len", "the model's count", "another count");
}

static orc_valtype valtype_of(fz_vtype t)
{
	orc_valtype v = {ORC_MEM, t.size};
	if (t.kind == FZ_KIND_F64)
		v.kind = ORC_F64;
	else if (t.kind == FZ_KIND_STR)
		v.kind = ORC_STR;
	return v;
}

static int setup(exec_ctx *x)
{
	const fz_header *h = &x->p->hdr;
	gomap_keytype key = h->key;
	if (program_reenters(x->p)) {
		x->real_key = h->key;
		key.hash = reenter_hash;
		key.equal = reenter_equal;
		key.user = x;
	}
	if (gomap_type_init(&x->t, &key, &h->elem) != GOMAP_OK) {
		malformed(x, "a key/elem type the core accepts");
		return -1;
	}
	gomap_hooks hooks = {
		.alloc = counting_alloc, .free = counting_free, .alloc_ctx = x,
		.alloc_zeroed = true,
		.rand_seed = h->seed, .fail = record_failure, .fail_ctx = x,
		.hashkey0 = h->hashkey,
	};
	int st;
	arm_planned_failure(x, ORC_MAKE_OP);
	x->m = gomap_make(&x->t, h->hint, &hooks, &st);
	if (x->m == NULL && st == GOMAP_ENOMEM && x->enomem_owed) {
		check_failed_make(x);
		settle_planned_failure(x, ORC_MAKE_OP);
		return -1; /* the program cannot run without its map */
	}
	settle_planned_failure(x, ORC_MAKE_OP);
	x->kt = valtype_of(h->key_kind);
	x->et = valtype_of(h->elem_kind);
	x->model = orc_model_new(x->kt, x->et);
	if (x->m == NULL && st != GOMAP_ENOMEM) {
		fail(x, "setup.status", "a map", gomap_strerror(st));
		return -1;
	}
	if (x->m == NULL || x->model == NULL) {
		/* a hint too large for this machine lands here too */
		out_of_memory(x, x->m ? "the reference model could not be made"
		                      : "the map could not be made");
		snprintf(x->v->op, sizeof x->v->op, "map header, hint=%lld",
		         (long long)h->hint);
		x->v->line = x->p->header_line;
		return -1;
	}
	orc_model_set_paranoid(x->model, x->o->paranoid);
	x->policy.synced = true;
	if (!orc_policy_make(x->m, h->hint, x->t.bucketsize, h->seed,
	                     &x->policy_finding)) {
		policy_fail(x);
		return -1;
	}
	orc_go_begin(&x->go, x->p);
	return 0;
}

static void teardown(exec_ctx *x)
{
	for (int i = 0; i < FZ_ITERATORS; i++) {
		stop_iterator(x, i);
		if (x->held_key[i] != x->held_room[i][0]) {
			free(x->held_key[i]);
			free(x->held_elem[i]);
		}
	}
	gomap_destroy(x->m);
	orc_model_free(x->model);
	if (x->live_blocks != 0 && !x->v->environment)
		fail(x, "memory.leak", "gomap_destroy to free every block of "
		     "the map", "blocks still allocated");
}

int orc_exec(const fz_program *p, const orc_exec_opts *opts, orc_verdict *v)
{
	memset(v, 0, sizeof *v);
	exec_ctx x = {.p = p, .o = opts, .v = v, .plan = opts->plan};
	if (setup(&x) == 0) {
		for (size_t i = 0; i < p->nops && !v->failed; i++) {
			const fz_op *op = &p->ops[i];
			if (opts->progress && i && i % ORC_PROGRESS_EVERY == 0)
				opts->progress(opts->progress_ctx, i, p->nops);
			x.op = op;
			x.index = i;
			if (op->code == FZ_OP_REENTER) {
				op_reenter(&x, op, i + 1 < p->nops ? &p->ops[i + 1] : NULL);
				continue;
			}
			bool was_fatal = x.fatal;
			arm_planned_failure(&x, i);
			run_op(&x, op);
			settle_planned_failure(&x, i);
			if (fz_ops[op->code].flags & FZ_F_MAPOP)
				x.inner = NULL; /* reenter arms one operation only */
			if (x.fatal && !was_fatal) {
				emit(&x, "fatal %s\n", x.fatal_msg);
				if ((i + 1 >= p->nops ||
				     p->ops[i + 1].code != FZ_OP_EXPECT_FATAL) &&
				    !fatal_unforeseeable(&x))
					fail(&x, "fatal.unexpected", "no fatal error",
					     x.fatal_msg);
			}
			if (x.fatal)
				continue; /* the map is dead: nothing more to check */
			if (opts->dump_each)
				run_op(&x, &(fz_op){.code = FZ_OP_DUMP});
			if (!v->failed)
				periodic_check(&x);
		}
		x.op = NULL;
		x.index = p->nops;
		if (!v->failed && !x.fatal) {
			check_structure(&x);
			compare_contents(&x);
		}
		char msg[256];
		if (opts->paranoid && !v->failed &&
		    orc_fsck(x.model, msg, sizeof msg) != 0)
			fail(&x, "oracle.fsck", "uthash's structure check to pass", msg);
		orc_go_judge(&x.go, x.m, v);
	}
	teardown(&x);
	if (v->environment)
		return ORC_ENVIRONMENT;
	if (v->malformed)
		return ORC_MALFORMED;
	return v->failed ? ORC_FAILED : ORC_AGREED;
}
