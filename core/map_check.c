/* gomap_check: the full-structure self check (uthash's HASH_FSCK, ours).
 * One function per numbered invariant of docs/design.md; each reports
 * "I<n> violated: ..." naming the array, bucket and slot.  It reads key
 * bytes only of live slots, and never rehashes a NaN (which would draw a
 * random number and change the map's future). */
#include "map_body.h"

#include <stdarg.h>
#include <stdlib.h>

/* A live, non-NaN key of a chain with its hash, computed once for I3
 * and I5: where it sits (bucket in the chain, slot) and its tophash. */
typedef struct keyref {
	uint64_t hash;
	void *key;
	unsigned bucket, slot;
	uint8_t top;
} keyref;

/* A chain's keys are collected in the checker up to this many (3 KiB), on
 * the heap beyond: the fuzz targets check often, and their colliding hash
 * modes build chains of a few dozen keys.  The room is the checker's, not
 * each chain's, so ASan poisons its redzones once per check. */
#define GM_STACK_KEYS 128

typedef struct checker {
	const gomap *m;
	char *msg;
	size_t msg_size;
	int failed; /* invariant number of the first violation */
	keyref keys[GM_STACK_KEYS];
} checker;

static bool violated(checker *c, int inv, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static bool violated(checker *c, int inv, const char *fmt, ...)
{
	if (c->failed)
		/* coverage-unreachable: every caller stops at its first */
		return false;
	c->failed = inv;
	if (c->msg && c->msg_size) {
		int n = snprintf(c->msg, c->msg_size, "I%d violated: ", inv);
		if (n >= 0 && (size_t)n < c->msg_size) {
			va_list ap;
			va_start(ap, fmt);
			vsnprintf(c->msg + n, c->msg_size - (size_t)n, fmt, ap);
			va_end(ap);
		}
	}
	return false;
}

/* A chain the walk visits: its head, which array, its index. */
typedef struct chain {
	uint8_t *head;
	const char *array; /* "new" or "old" */
	uintptr_t index;
	uintptr_t mask; /* hash & mask == index for keys placed here */
} chain;

/* Chains with at most this many live keys are checked for duplicates
 * pairwise, longer ones by sorting their hashes. */
#define GM_SHORT_CHAIN 16

static bool all_zero8(const uint8_t *b)
{
	for (int i = 0; i < GM_BUCKET_CNT; i++)
		if (b[i])
			return false;
	return true;
}

static gomap *mut(const gomap *m)
{
	return (gomap *)m; /* hash/equal callbacks take a non-const map */
}

static bool is_nan_key(const gomap *m, const void *k)
{
	return !(m->t.key.flags & GOMAP_REFLEXIVE) &&
	       !gm_key_equal(mut(m), k, k);
}

/* I2: tophash values.  Live slots are >= minTopHash; the current array
 * never holds evacuation marks. */
static bool check_tophash_domain(checker *c, const chain *ch)
{
	const gomap_type *t = &c->m->t;
	unsigned d = 0;
	for (uint8_t *b = ch->head; b; b = gm_overflow(t, b), d++)
		for (int i = 0; i < GM_BUCKET_CNT; i++)
			if (b[i] > GM_EMPTY_ONE && b[i] < GM_MIN_TOPHASH)
				return violated(c, 2,
				                "%s[%zu] chain bucket %u slot %d: "
				                "evacuation mark %u in a live chain",
				                ch->array, (size_t)ch->index, d, i,
				                b[i]);
	return true;
}

/* I4: the emptyRest tail rule.  Along a chain, once a slot is emptyRest
 * every later one is; the last slot before that tail (or the chain's last
 * slot) is not emptyOne. */
static bool check_empty_rest(checker *c, const chain *ch)
{
	const gomap_type *t = &c->m->t;
	bool in_tail = false;
	uint8_t prev = GM_MIN_TOPHASH;
	unsigned d = 0, pd = 0;
	int pi = -1;
	for (uint8_t *b = ch->head; b; b = gm_overflow(t, b), d++) {
		for (int i = 0; i < GM_BUCKET_CNT; i++) {
			if (b[i] == GM_EMPTY_REST) {
				if (!in_tail && prev == GM_EMPTY_ONE)
					return violated(c, 4,
					                "%s[%zu] chain bucket %u slot %d: "
					                "emptyOne right before emptyRest",
					                ch->array, (size_t)ch->index, pd, pi);
				in_tail = true;
			} else if (in_tail) {
				return violated(c, 4,
				                "%s[%zu] chain bucket %u slot %d: %02x "
				                "after emptyRest",
				                ch->array, (size_t)ch->index, d, i, b[i]);
			}
			prev = b[i];
			pd = d;
			pi = i;
		}
	}
	if (!in_tail && prev == GM_EMPTY_ONE)
		return violated(c, 4, "%s[%zu] chain ends with emptyOne",
		                ch->array, (size_t)ch->index);
	return true;
}

/* The chain's live keys that equal themselves, in walk order; out has
 * room for every live slot.  Returns how many. */
static size_t collect_keys(const gomap *m, const chain *ch, keyref *out)
{
	const gomap_type *t = &m->t;
	size_t n = 0;
	unsigned d = 0;
	for (uint8_t *b = ch->head; b; b = gm_overflow(t, b), d++) {
		for (unsigned i = 0; i < GM_BUCKET_CNT; i++) {
			if (b[i] < GM_MIN_TOPHASH)
				continue;
			void *k = gm_key_value(t, gm_key_slot(t, b, i));
			if (!is_nan_key(m, k))
				out[n++] = (keyref){gm_hash(mut(m), k), k, d, i, b[i]};
		}
	}
	return n;
}

/* I3: placement.  Every live, non-NaN key hashes to this chain's bucket
 * and its slot holds the key's tophash. */
static bool check_placement(checker *c, const chain *ch, const keyref *r,
                            size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if ((r[i].hash & ch->mask) != ch->index)
			return violated(c, 3,
			                "%s[%zu] chain bucket %u slot %u: key "
			                "belongs in bucket %zu",
			                ch->array, (size_t)ch->index, r[i].bucket,
			                r[i].slot, (size_t)(r[i].hash & ch->mask));
		if (gm_tophash(r[i].hash) != r[i].top)
			return violated(c, 3,
			                "%s[%zu] chain bucket %u slot %u: tophash "
			                "%02x, key's is %02x",
			                ch->array, (size_t)ch->index, r[i].bucket,
			                r[i].slot, r[i].top, gm_tophash(r[i].hash));
	}
	return true;
}

static int by_hash(const void *a, const void *b)
{
	uint64_t x = ((const keyref *)a)->hash, y = ((const keyref *)b)->hash;
	return x < y ? -1 : x > y;
}

/* I5: no key twice in a chain (equal keys hash alike, so duplicates can
 * only sit in one chain, and only among equal hashes).  Short chains
 * compare pairs in walk order; long ones sort by hash first. */
static bool check_no_duplicates(checker *c, const chain *ch, keyref *r,
                                size_t n)
{
	gomap *m = mut(c->m);
	if (n > GM_SHORT_CHAIN)
		qsort(r, n, sizeof *r, by_hash);
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++) {
			if (r[j].hash != r[i].hash) {
				if (n > GM_SHORT_CHAIN)
					break; /* sorted: no equal hash further on */
				continue;
			}
			if (gm_key_equal(m, r[i].key, r[j].key))
				return violated(c, 5,
				                "%s[%zu]: key at bucket %u slot %u again at "
				                "bucket %u slot %u",
				                ch->array, (size_t)ch->index, r[i].bucket,
				                r[i].slot, r[j].bucket, r[j].slot);
		}
	return true;
}

/* I6: an old chain is evacuated all or nothing.  An evacuated chain's
 * first bucket holds only marks 2..4 (its overflow buckets too, unless the
 * pointers were cleared); an unevacuated one holds none. */
static bool check_evacuation_marks(checker *c, uintptr_t i)
{
	const gomap *m = c->m;
	const gomap_type *t = &m->t;
	uint8_t *head = gm_bucket_at(t, m->oldbuckets, i);
	bool evac = gm_evacuated(head);
	unsigned d = 0;
	for (uint8_t *b = head; b; b = gm_overflow(t, b), d++) {
		for (int s = 0; s < GM_BUCKET_CNT; s++) {
			bool mark = b[s] > GM_EMPTY_ONE && b[s] < GM_MIN_TOPHASH;
			if (mark != evac)
				return violated(c, 6,
				                "old[%zu] chain bucket %u slot %d: %02x in "
				                "a chain that is %sevacuated",
				                (size_t)i, d, s, b[s], evac ? "" : "not ");
		}
	}
	return true;
}

/* I7: growth state. */
static bool check_growth_state(checker *c)
{
	const gomap *m = c->m;
	if (!gm_growing(m)) {
		if (m->flags & GM_SAME_SIZE_GROW)
			return violated(c, 7, "sameSizeGrow set while not growing");
		if (m->old_heap_ovf)
			return violated(c, 7, "old overflow list while not growing");
		return true;
	}
	if (m->B == 0 && !gm_same_size_grow(m))
		return violated(c, 7, "doubling grow into B=0");
	uintptr_t newbit = gm_noldbuckets(m);
	if (m->nevacuate >= newbit)
		return violated(c, 7, "growing with nevacuate=%zu >= %zu old buckets",
		                (size_t)m->nevacuate, (size_t)newbit);
	for (uintptr_t i = 0; i < m->nevacuate; i++)
		if (!gm_evacuated(gm_bucket_at(&m->t, m->oldbuckets, i)))
			return violated(c, 7, "old[%zu] below nevacuate=%zu is not "
			                "evacuated", (size_t)i, (size_t)m->nevacuate);
	return true;
}

/* I9: below B = 16, noverflow counts exactly the overflow buckets reachable
 * from the current array. */
static bool check_noverflow(checker *c, size_t reachable)
{
	const gomap *m = c->m;
	if (m->B >= 16 || reachable >= 65536)
		return true;
	if (m->noverflow != reachable)
		return violated(c, 9, "noverflow=%u but %zu overflow buckets are "
		                "reachable", m->noverflow, reachable);
	return true;
}

/* I10: the spare pool.  nextOverflow points into the spare region of the
 * current array; every spare from it on is unused (zero tophash), and the
 * last spare carries the sentinel exactly while the pool is not empty. */
static bool check_spares(checker *c)
{
	const gomap *m = c->m;
	const gomap_type *t = &m->t;
	if (m->buckets == NULL)
		return m->next_overflow == NULL ||
		       violated(c, 10, "nextOverflow set with no buckets");
	size_t base = gm_bucket_shift(m->B), n = m->nbuckets_alloc;
	if (n != gm_bucket_array_len(t, m->B) && n != 1)
		return violated(c, 10, "array of %zu buckets, expected %zu", n,
		                gm_bucket_array_len(t, m->B));
	if (m->next_overflow == NULL)
		return true;
	if (!m->has_extra)
		return violated(c, 10, "nextOverflow without hmap.extra");
	uint8_t *first = gm_bucket_at(t, m->buckets, base);
	uint8_t *last = gm_bucket_at(t, m->buckets, n - 1);
	if (m->next_overflow < first || m->next_overflow > last ||
	    (size_t)(m->next_overflow - first) % t->bucketsize)
		return violated(c, 10, "nextOverflow outside the spare region");
	for (uint8_t *b = m->next_overflow; b <= last; b += t->bucketsize) {
		if (!all_zero8(b))
			return violated(c, 10, "unused spare %zu is in use",
			                (size_t)(b - m->buckets) / t->bucketsize);
		uint8_t *ovf = gm_overflow(t, b);
		if (b == last ? ovf != m->buckets : ovf != NULL)
			return violated(c, 10, "spare %zu has a wrong overflow pointer",
			                (size_t)(b - m->buckets) / t->bucketsize);
	}
	return true;
}

/* Walks one live chain through I2-I5; returns its count of live slots. */
static size_t check_chain(checker *c, const chain *ch, size_t *overflows)
{
	const gomap_type *t = &c->m->t;
	size_t live = 0;
	/* The common case of a sparse map: one bucket, all emptyRest, holds
	 * every invariant trivially.  Skipping it keeps a check of a big,
	 * mostly empty array cheap. */
	if (gm_overflow(t, ch->head) == NULL && all_zero8(ch->head))
		return 0;
	for (uint8_t *b = ch->head; b; b = gm_overflow(t, b)) {
		if (b != ch->head)
			(*overflows)++;
		for (int i = 0; i < GM_BUCKET_CNT; i++)
			live += b[i] >= GM_MIN_TOPHASH;
	}
	if (!check_tophash_domain(c, ch) || !check_empty_rest(c, ch))
		return live;
	keyref *refs = live <= GM_STACK_KEYS ? c->keys
	                                     : malloc(live * sizeof *refs);
	if (refs == NULL) /* cannot check I3 and I5: not a violation */
		return live; /* coverage-unreachable: no allocator hook here */
	size_t n = collect_keys(c->m, ch, refs);
	(void)(check_placement(c, ch, refs, n) &&
	       check_no_duplicates(c, ch, refs, n));
	if (refs != c->keys)
		free(refs);
	return live;
}

int gomap_check(const gomap *m, char *msg, size_t msg_size)
{
	checker c; /* keys[] is scratch: not zeroed, 3 KiB per check */
	c.m = m;
	c.msg = msg;
	c.msg_size = msg_size;
	c.failed = 0;
	if (msg && msg_size)
		msg[0] = '\0';
	if (m == NULL)
		return 0;
	const gomap_type *t = &m->t;
	/* I8: no operation is in progress between operations */
	if (m->flags & GM_HASH_WRITING) {
		violated(&c, 8, "hashWriting set between operations");
		return c.failed;
	}
	check_growth_state(&c);
	size_t live = 0, overflows = 0, old_overflows = 0;
	if (m->buckets) {
		uintptr_t n = gm_bucket_shift(m->B);
		for (uintptr_t i = 0; i < n && !c.failed; i++) {
			chain ch = {gm_bucket_at(t, m->buckets, i), "new", i, n - 1};
			live += check_chain(&c, &ch, &overflows);
		}
	}
	if (m->oldbuckets && !c.failed) {
		uintptr_t n = gm_noldbuckets(m);
		for (uintptr_t i = 0; i < n && !c.failed; i++) {
			if (!check_evacuation_marks(&c, i))
				break;
			chain ch = {gm_bucket_at(t, m->oldbuckets, i), "old", i, n - 1};
			if (!gm_evacuated(ch.head))
				live += check_chain(&c, &ch, &old_overflows);
		}
	}
	/* I1: count is the number of live slots */
	if (!c.failed && live != m->count)
		violated(&c, 1, "count=%zu but %zu live slots", m->count, live);
	if (!c.failed)
		check_noverflow(&c, overflows);
	if (!c.failed)
		check_spares(&c);
	return c.failed;
}

size_t gomap_check_cost(const gomap *m)
{
	if (m == NULL || m->buckets == NULL)
		return m ? m->count : 0;
	size_t old = m->oldbuckets ? gm_noldbuckets(m) : 0;
	return m->count + m->nbuckets_alloc + old;
}
