/* Go's policy, checked from outside the core (see policy.h and
 * docs/design.md, "Policy invariants").  Every number here is Go's own
 * arithmetic written out again: a rule computed by the core's code could
 * not catch the core's mistake. */
#include "policy.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Go's constants (runtime/map.go, runtime/stubs.go, runtime/alg.go,
 * runtime/malloc.go on linux/amd64). */
enum {
	GO_BUCKET_CNT = 8,
	GO_ITERATOR = 1,
	GO_OLD_ITERATOR = 2,
	GO_SAME_SIZE_GROW = 8,
	GO_EVACUATE_SCAN = 1024, /* advanceEvacuationMark's look-ahead */
};
#define GO_WYRAND_STEP UINT64_C(0xa0761d6478bd642f)
#define GO_MAX_ALLOC ((uint64_t)1 << 48)

/* ---- Go's arithmetic -------------------------------------------------- */

/* overLoadFactor: more than a full bucket, and more than 6.5 per bucket. */
static bool over_load_factor(uint64_t count, unsigned B)
{
	return count > GO_BUCKET_CNT && count > 13 * ((UINT64_C(1) << B) / 2);
}

/* tooManyOverflowBuckets: as many overflow buckets as regular ones,
 * counting stops growing past B = 15. */
static bool too_many_overflow_buckets(uint16_t noverflow, unsigned B)
{
	if (B > 15)
		B = 15;
	return noverflow >= (uint16_t)(1u << B);
}

static bool same_size(const gomap_growth_view *h)
{
	return (h->flags & GO_SAME_SIZE_GROW) != 0;
}

/* noldbuckets of a growing map. */
static uintptr_t old_bucket_count(const gomap_growth_view *h)
{
	unsigned oldB = same_size(h) ? h->B : h->B - 1u;
	return (uintptr_t)1 << oldB;
}

/* The multiplicative inverse of the generator's step, modulo 2^64: the
 * step is odd, and each Newton round doubles the correct low bits. */
static uint64_t step_inverse(void)
{
	uint64_t inv = GO_WYRAND_STEP;
	for (int i = 0; i < 5; i++)
		inv *= 2 - GO_WYRAND_STEP * inv;
	return inv;
}

uint64_t orc_policy_draws(uint64_t from, uint64_t to)
{
	static uint64_t inverse;
	if (inverse == 0)
		inverse = step_inverse();
	return (to - from) * inverse;
}

/* The value of the k-th draw (k >= 1) made from generator state `state`. */
static uint64_t draw_value(uint64_t state, uint64_t k)
{
	state += (k - 1) * GO_WYRAND_STEP;
	return gomap_wyrand(&state);
}

bool orc_policy_hash_next(const gomap_keytype *kt, const void *key,
                          const gomap *m, uint64_t *hash)
{
	gomap_header_view h;
	gomap_header(m, &h);
	/* a scratch map whose generator, once make has drawn its hash0,
	 * stands where m's does */
	gomap_hooks hooks = {.rand_seed = h.rand_state - GO_WYRAND_STEP,
	                     .hashkey0 = h.hashkey0};
	int st;
	gomap *scratch = gomap_make(gomap_type_of(m), 0, &hooks, &st);
	*hash = 0;
	if (scratch == NULL)
		return false;
	*hash = kt->hash(kt, key, h.hash0, scratch);
	gomap_destroy(scratch);
	return true;
}

uint8_t orc_policy_hint_B(int64_t hint, size_t bucketsize)
{
	uint64_t mem;
	if (hint < 0 ||
	    __builtin_mul_overflow((uint64_t)hint, (uint64_t)bucketsize, &mem) ||
	    mem > GO_MAX_ALLOC)
		hint = 0; /* makemap: a hint too large to allocate counts as 0 */
	uint8_t B = 0;
	while (over_load_factor((uint64_t)hint, B))
		B++;
	return B;
}

/* ---- growWork, simulated ---------------------------------------------- */

typedef struct evac_sim {
	const gomap *m; /* the map before the operation; NULL for a growth that
	                 * has just started, where nothing is evacuated yet */
	orc_growwork *w;
	uintptr_t nold;
	bool growing;
} evac_sim;

static bool evacuated_now(const evac_sim *s, uintptr_t i)
{
	for (unsigned j = 0; j < s->w->n; j++)
		if (s->w->evacuated[j] == i)
			return true;
	return s->m != NULL && gomap_old_bucket_evacuated(s->m, i);
}

/* Go's evacuate(b), and advanceEvacuationMark when b was nevacuate. */
static void sim_evacuate(evac_sim *s, uintptr_t b)
{
	orc_growwork *w = s->w;
	if (!evacuated_now(s, b))
		w->evacuated[w->n++] = b;
	if (b != w->nevacuate)
		return;
	w->nevacuate++;
	uintptr_t stop = w->nevacuate + GO_EVACUATE_SCAN;
	if (stop > s->nold)
		stop = s->nold;
	while (w->nevacuate != stop && evacuated_now(s, w->nevacuate))
		w->nevacuate++;
	if (w->nevacuate == s->nold)
		s->growing = false;
}

/* Go's growWork for a key of this hash: the old bucket the key maps to,
 * then the one at nevacuate if the growth is not over. */
static orc_growwork plan_growwork(const gomap *m, uintptr_t nold,
                                  uintptr_t nevacuate, uint64_t hash)
{
	orc_growwork w = {.planned = true, .nevacuate = nevacuate};
	evac_sim s = {m, &w, nold, true};
	sim_evacuate(&s, hash & (nold - 1));
	if (s.growing)
		sim_evacuate(&s, w.nevacuate);
	w.finishes = !s.growing;
	return w;
}

/* ---- before ---------------------------------------------------------- */

static bool runs_growwork(enum orc_policy_kind kind,
                          const gomap_growth_view *h)
{
	/* mapassign always; mapdelete only once past its empty-map return */
	return h->growing && (kind == ORC_POLICY_ASSIGN ||
	                      (kind == ORC_POLICY_DELETE && h->count > 0));
}

/* An insert into this map would start a growth. */
static bool insert_grows(const gomap_growth_view *h)
{
	return !h->growing && (over_load_factor(h->count + 1, h->B) ||
	                       too_many_overflow_buckets(h->noverflow, h->B));
}

bool orc_policy_begin(orc_policy_op *op, const gomap *m,
                      enum orc_policy_kind kind, bool key_is_nan)
{
	op->kind = kind;
	op->key_is_nan = key_is_nan;
	op->hash = 0;
	op->work.planned = false;
	gomap_growth_state(m, &op->before);
	/* the key's hash decides which old buckets growWork moves, in a
	 * growth under way or in one this insert starts */
	return runs_growwork(kind, &op->before) ||
	       (kind == ORC_POLICY_ASSIGN && insert_grows(&op->before));
}

void orc_policy_plan(orc_policy_op *op, const gomap *m, uint64_t key_hash)
{
	const gomap_growth_view *h = &op->before;
	op->hash = key_hash;
	if (runs_growwork(op->kind, h))
		op->work = plan_growwork(m, old_bucket_count(h), h->nevacuate,
		                         key_hash);
}

/* ---- findings ------------------------------------------------------- */

/* A broken rule: what was expected and what was seen are written straight
 * into the finding, out of line, so that no check that passes owns a text
 * buffer (under ASan every call would poison and unpoison it). */
static bool broken(orc_policy_finding *f, const char *check)
{
	f->check = check;
	return false;
}

enum side { EXPECTED, SEEN };

__attribute__((noinline, format(printf, 3, 4)))
static void say(orc_policy_finding *f, enum side side, const char *fmt, ...)
{
	char *buf = side == EXPECTED ? f->expected : f->seen;
	size_t n = side == EXPECTED ? sizeof f->expected : sizeof f->seen;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, n, fmt, ap);
	va_end(ap);
}

/* The header fields the rules read, as text after `lead`. */
__attribute__((noinline))
static void say_view(orc_policy_finding *f, enum side side, const char *lead,
                     const gomap_growth_view *h)
{
	say(f, side, "%s%scount=%zu B=%u noverflow=%u %s nevacuate=%zu", lead,
	    *lead ? " " : "", h->count, h->B, h->noverflow,
	    !h->growing ? "not growing"
	                : same_size(h) ? "same-size growth" : "doubling",
	    (size_t)h->nevacuate);
}

/* ---- reads ------------------------------------------------------------- */

static uint64_t read_draws(const orc_policy_op *op)
{
	const gomap_growth_view *b = &op->before;
	if (b->count == 0)
		return 0; /* every read of an empty map returns before hashing */
	if (op->kind == ORC_POLICY_ITER_START)
		return 1; /* mapiterinit's random start */
	return op->kind == ORC_POLICY_READ && op->key_is_nan;
}

/* P6: a read changes nothing but the generator, and that only by its
 * own draws. */
static bool check_read(const orc_policy_op *op, const gomap_growth_view *a,
                       orc_policy_finding *f)
{
	const gomap_growth_view *b = &op->before;
	uint8_t iter_bits = op->kind == ORC_POLICY_ITER_START
	                            ? GO_ITERATOR | GO_OLD_ITERATOR
	                            : 0;
	if (a->count != b->count || a->B != b->B || a->array != b->array ||
	    a->noverflow != b->noverflow || a->nevacuate != b->nevacuate ||
	    a->growing != b->growing || a->hash0 != b->hash0 ||
	    (a->flags & ~iter_bits) != (b->flags & ~iter_bits)) {
		say_view(f, EXPECTED, "a read to leave", b);
		say_view(f, SEEN, "", a);
		return broken(f, "policy.read");
	}
	uint64_t draws = orc_policy_draws(b->rand_state, a->rand_state);
	uint64_t expect = read_draws(op);
	if (draws != expect) {
		say(f, EXPECTED, "%llu random draws", (unsigned long long)expect);
		say(f, SEEN, "%llu", (unsigned long long)draws);
		return broken(f, "policy.rand");
	}
	return true;
}

/* ---- writes ---------------------------------------------------------- */

typedef struct write_facts {
	const orc_policy_op *op;
	const gomap_growth_view *b, *a;
	bool started;     /* a new bucket array was installed */
	bool inserted;    /* an assign added a key */
	bool reseeded;    /* Go draws a new hash0 */
	orc_growwork fresh; /* the growWork right after a growth started */
	const orc_growwork *work; /* the plan the state after must show */
	uint64_t draws;
} write_facts;

/* P1: a growth starts on exactly the insert where Go's mapassign starts
 * one, doubling when over the load factor and same-size otherwise. */
static bool check_growth_start(const write_facts *w, orc_policy_finding *f)
{
	const gomap_growth_view *b = w->b, *a = w->a;
	bool must = false, may = false;
	if (w->inserted && !b->growing) {
		must = may = over_load_factor(b->count + 1, b->B) ||
		             too_many_overflow_buckets(b->noverflow, b->B);
	} else if (w->inserted && w->op->work.finishes) {
		/* growWork ended the growth, then the insert looks again; the
		 * noverflow it sees is the finished growth's, which only the
		 * core knows, so only the load factor is required */
		must = over_load_factor(b->count + 1, b->B);
		may = true;
	}
	if (w->started != must && !(w->started && may)) {
		say_view(f, EXPECTED, must ? "a growth to start on this insert into"
		                      : "no growth to start from", b);
		say(f, SEEN, "%s", w->started ? "a growth started" : "no growth");
		return broken(f, "policy.grow");
	}
	if (!w->started)
		return true;
	bool bigger = over_load_factor(b->count + 1, b->B);
	unsigned wantB = b->B + (bigger ? 1u : 0u);
	if (a->B != wantB || (a->growing && same_size(a) == bigger)) {
		say(f, EXPECTED, "a %s growth to B=%u", bigger ? "doubling" : "same-size",
		         wantB);
		say_view(f, SEEN, "", a);
		return broken(f, "policy.grow");
	}
	return true;
}

/* P3: the old buckets growWork evacuates, nevacuate's new place, and the
 * growth's end, all as Go's growWork leaves them. */
static bool check_evacuation(const write_facts *w, const gomap *m,
                             orc_policy_finding *f)
{
	const gomap_growth_view *b = w->b, *a = w->a;
	const orc_growwork *g = w->work;
	if (w->op->kind == ORC_POLICY_CLEAR && b->count > 0) {
		if (!a->growing)
			return true;
		say(f, EXPECTED, "clear to abandon the growth");
	} else if (g == NULL) { /* no growWork ran: nothing may have moved */
		if (a->growing == b->growing && a->nevacuate == b->nevacuate)
			return true;
		say_view(f, EXPECTED, "no evacuation:", b);
	} else if (g->finishes) {
		if (!a->growing)
			return true;
		say(f, EXPECTED, "the growth to end: every old bucket evacuated");
	} else if (!a->growing || a->nevacuate != g->nevacuate) {
		say(f, EXPECTED, "the growth to go on, nevacuate=%zu",
		         (size_t)g->nevacuate);
	} else {
		unsigned i = 0;
		while (i < g->n && gomap_old_bucket_evacuated(m, g->evacuated[i]))
			i++;
		if (i == g->n)
			return true;
		say(f, EXPECTED, "old bucket %zu evacuated", (size_t)g->evacuated[i]);
	}
	say_view(f, SEEN, "", a);
	return broken(f, "policy.evacuate");
}

/* Draws Go may add beyond the fixed ones: a doubling growth rehashes each
 * NaN key it moves, and from B = 16 each new overflow bucket draws to
 * decide whether it is counted. */
static uint64_t optional_draws(const write_facts *w, size_t nan_live)
{
	const gomap_growth_view *b = w->b, *a = w->a;
	if (b->B >= 16 || a->B >= 16)
		return UINT64_MAX / 2;
	bool doubling_moves = (w->work != NULL) &&
	                      (w->started ? a->B > b->B : !same_size(b));
	return doubling_moves ? nan_live : 0;
}

/* P4 and P5: the draws an operation takes, and hash0, which changes only
 * when a delete or a clear leaves the map empty. */
static bool check_randomness(const write_facts *w, size_t nan_live,
                             orc_policy_finding *f)
{
	const orc_policy_op *op = w->op;
	const gomap_growth_view *b = w->b, *a = w->a;
	uint64_t base = 0;
	bool hashes = op->kind == ORC_POLICY_ASSIGN ||
	              (op->kind == ORC_POLICY_DELETE && b->count > 0);
	if (hashes && op->key_is_nan)
		base++;
	if (w->reseeded)
		base++;
	uint64_t extra = optional_draws(w, nan_live);
	if (w->draws < base || w->draws - base > extra) {
		if (extra)
			say(f, EXPECTED, "%llu to %llu random draws",
			         (unsigned long long)base,
			         (unsigned long long)(base + extra));
		else
			say(f, EXPECTED, "%llu random draws", (unsigned long long)base);
		say(f, SEEN, "%llu", (unsigned long long)w->draws);
		return broken(f, "policy.rand");
	}
	/* the reseed is the operation's last draw */
	uint32_t hash0 = w->reseeded
	                         ? (uint32_t)draw_value(b->rand_state, w->draws)
	                         : b->hash0;
	if (a->hash0 != hash0) {
		say(f, EXPECTED, "hash0=0x%08x (%s)", hash0,
		         w->reseeded ? "a new seed: the map became empty"
		                     : "unchanged");
		say(f, SEEN, "hash0=0x%08x", a->hash0);
		return broken(f, "policy.seed");
	}
	return true;
}

/* P6 from B = 16: each new overflow bucket draws once and is counted when
 * the draw's low B-15 bits are zero.  Checked where every draw of the
 * operation is such a draw. */
static bool check_overflow_count(const write_facts *w, size_t nan_live,
                                 orc_policy_finding *f)
{
	const gomap_growth_view *b = w->b, *a = w->a;
	if (b->B < 16 || w->started || w->reseeded || w->op->key_is_nan ||
	    (nan_live > 0 && a->growing && !same_size(a)))
		return true;
	uint32_t mask = (1u << (a->B - 15)) - 1;
	uint64_t counted = b->noverflow;
	for (uint64_t k = 1; k <= w->draws; k++)
		if (((uint32_t)draw_value(b->rand_state, k) & mask) == 0)
			counted++;
	if (a->noverflow != (uint16_t)counted) {
		say(f, EXPECTED, "noverflow=%u (%llu overflow draws)",
		         (unsigned)(uint16_t)counted, (unsigned long long)w->draws);
		say(f, SEEN, "noverflow=%u", a->noverflow);
		return broken(f, "policy.overflow");
	}
	return true;
}

/* What the next operations and the audit need to know. */
static void track_growth(orc_policy *pol, const write_facts *w)
{
	const gomap_growth_view *a = w->a;
	if (a->count == 0)
		pol->nan_live = 0;
	if (!a->growing) {
		pol->growth_array = NULL;
		pol->evacuated = 0;
		pol->synced = true;
	} else if (w->started) {
		pol->growth_array = a->array;
		pol->evacuated = w->work->n;
		pol->synced = true;
	} else if (w->work) {
		pol->evacuated += w->work->n;
	}
}

static bool check_write(orc_policy *pol, const orc_policy_op *op,
                        const gomap *m, const gomap_growth_view *a,
                        orc_policy_finding *f)
{
	const gomap_growth_view *b = &op->before;
	write_facts w = {.op = op, .b = b, .a = a};
	w.started = b->array != NULL && a->array != b->array &&
	            op->kind == ORC_POLICY_ASSIGN;
	w.inserted = op->kind == ORC_POLICY_ASSIGN && a->count == b->count + 1;
	w.reseeded = b->count > 0 && a->count == 0 &&
	             (op->kind == ORC_POLICY_DELETE || op->kind == ORC_POLICY_CLEAR);
	w.draws = orc_policy_draws(b->rand_state, a->rand_state);
	if (w.started) {
		w.fresh = plan_growwork(NULL, (uintptr_t)1 << b->B, 0, op->hash);
		w.work = &w.fresh;
	} else if (op->work.planned) {
		w.work = &op->work;
	}
	if (b->array != NULL && a->array != b->array && !w.started) {
		say_view(f, EXPECTED, "no new bucket array outside an insert:", b);
		say_view(f, SEEN, "", a);
		return broken(f, "policy.grow");
	}
	size_t nan_live = pol->nan_live;
	bool ok = check_growth_start(&w, f) && check_evacuation(&w, m, f) &&
	          check_randomness(&w, nan_live, f) &&
	          check_overflow_count(&w, nan_live, f);
	track_growth(pol, &w);
	return ok;
}

bool orc_policy_end(orc_policy *pol, const orc_policy_op *op, const gomap *m,
                    orc_policy_finding *f)
{
	gomap_growth_view a;
	gomap_growth_state(m, &a);
	switch (op->kind) {
	case ORC_POLICY_READ:
	case ORC_POLICY_ITER_START:
	case ORC_POLICY_ITER_STEP:
		return check_read(op, &a, f);
	default:
		return check_write(pol, op, m, &a, f);
	}
}

void orc_policy_lost(orc_policy *pol)
{
	pol->synced = false;
}

/* ---- the audit -------------------------------------------------------- */

bool orc_policy_audit(orc_policy *pol, const gomap *m, orc_policy_finding *f)
{
	gomap_growth_view h;
	gomap_growth_state(m, &h);
	size_t n = 0;
	if (h.growing) {
		uintptr_t nold = old_bucket_count(&h);
		for (uintptr_t i = 0; i < nold; i++)
			n += gomap_old_bucket_evacuated(m, i);
	}
	bool ok = true;
	if (pol->synced && pol->growth_array == h.array && h.growing &&
	    n != pol->evacuated) {
		say(f, EXPECTED, "%zu old buckets evacuated by Go's growWork since "
		         "the growth started", pol->evacuated);
		say(f, SEEN, "%zu evacuated", n);
		ok = broken(f, "policy.evacuate");
	}
	pol->growth_array = h.growing ? h.array : NULL;
	pol->evacuated = n;
	pol->synced = true;
	return ok;
}

/* ---- make ------------------------------------------------------------- */

bool orc_policy_make(const gomap *m, int64_t hint, size_t bucketsize,
                     uint64_t seed, orc_policy_finding *f)
{
	gomap_growth_view h;
	gomap_growth_state(m, &h);
	uint8_t B = orc_policy_hint_B(hint, bucketsize);
	if (h.B != B) {
		say(f, EXPECTED, "B=%u for hint %lld", B, (long long)hint);
		say(f, SEEN, "B=%u", h.B);
		return broken(f, "policy.hint");
	}
	uint64_t draws = orc_policy_draws(seed, h.rand_state);
	if (draws != 1) {
		say(f, EXPECTED, "1 random draw (hash0)");
		say(f, SEEN, "%llu", (unsigned long long)draws);
		return broken(f, "policy.rand");
	}
	uint32_t hash0 = (uint32_t)draw_value(seed, 1);
	if (h.hash0 != hash0) {
		say(f, EXPECTED, "hash0=0x%08x", hash0);
		say(f, SEEN, "hash0=0x%08x", h.hash0);
		return broken(f, "policy.seed");
	}
	return true;
}
