/* Iteration (Go: mapiterinit, mapiternext).  The walk starts at a random
 * bucket and slot offset, survives growth that starts or ends during it,
 * and never returns a key twice; docs/design.md, "Iteration during
 * growth", explains the checkBucket filtering. */
#include "map_body.h"

#define NO_CHECK UINTPTR_MAX

void gm_iter_unregister(gomap_iter *it)
{
	if (!it->live)
		return;
	it->live = false;
	gomap *m = it->h;
	if (--m->live_iterators == 0)
		gm_flush_graveyard(m);
}

void gomap_iter_release(gomap_iter *it)
{
	gm_iter_unregister(it);
	it->key = it->elem = NULL;
}

/* Go: mapiterinit.  An empty map gives an empty iteration with no random
 * draw (rule 48). */
void gomap_iter_init(gomap *m, gomap_iter *it)
{
	memset(it, 0, sizeof *it);
	if (m == NULL || m->count == 0 || m->dead)
		return;
	it->h = m;
	it->B = m->B;
	it->buckets = m->buckets;
	if (!m->t.bucket_has_pointers)
		m->has_extra = true; /* Go: createOverflow */
	/* the start: one draw, 64 bits wide once B passes 28 [P5] */
	uint64_t r = m->B > 31 - GM_BUCKET_CNT_BITS ? gomap_fastrand64(m)
	                                            : gomap_fastrand(m);
	it->start_bucket = (uintptr_t)r & gm_bucket_mask(m->B);
	it->offset = (uint8_t)((r >> m->B) & (GM_BUCKET_CNT - 1));
	it->bucket = it->start_bucket;
	it->check_bucket = NO_CHECK;
	m->flags |= GM_ITERATOR | GM_OLD_ITERATOR; /* never cleared (rule 54) */
	it->live = true;
	m->live_iterators++;
	gomap_iter_next(it);
}

/* In an old chain of a doubling grow, an iterator started after the grow
 * began must skip entries that will land in the other half (rule 51). */
static bool belongs_elsewhere(gomap *m, gomap_iter *it, const void *k,
                              uint8_t top, uintptr_t check)
{
	if ((m->t.key.flags & GOMAP_REFLEXIVE) || gm_key_equal(m, k, k)) {
		uint64_t hash = gm_hash_of(m, k, m->t.fast);
		return (hash & gm_bucket_mask(it->B)) != check;
	}
	/* NaN: evacuation sends it by its tophash's low bit (rule 41) */
	/* coverage-marker: iter-nan-routed-by-tophash */
	return (check >> (it->B - 1)) != (uintptr_t)(top & 1);
}

static bool is_reflexive_at(gomap *m, const void *k)
{
	return (m->t.key.flags & GOMAP_REFLEXIVE) || gm_key_equal(m, k, k);
}

/* What an occupied slot yields when the walk cannot take it as it is: in
 * an old chain filtered by checkBucket, or an entry evacuated since the
 * iterator started.  Sets it->key and it->elem, or returns false to skip
 * the slot.  Out of line, so that the common walk over live slots keeps
 * fewer values alive across calls. */
static __attribute__((noinline)) bool
resolve_slot(gomap *m, gomap_iter *it, uint8_t *b, uintptr_t offi,
             uintptr_t check)
{
	const gomap_type *t = &m->t;
	uint8_t top = b[offi];
	void *k = gm_key_value(t, gm_key_slot(t, b, offi));
	if (check != NO_CHECK && !gm_same_size_grow(m) &&
	    belongs_elsewhere(m, it, k, top, check))
		/* coverage-marker: iter-skips-other-half */
		return false;
	if ((top != GM_EVACUATED_X && top != GM_EVACUATED_Y) ||
	    !is_reflexive_at(m, k)) {
		/* the entry is still here (or is a NaN, which can be
		 * neither updated nor deleted) */
		it->key = k;
		it->elem = gm_elem_value(t, gm_elem_slot(t, b, offi));
		return true;
	}
	/* moved since the iterator started: read the current entry, which
	 * may be updated or gone */
	/* coverage-marker: iter-rereads-moved-entry */
	void *rk, *re;
	if (!gm_access_k(m, k, &rk, &re))
		/* coverage-marker: iter-moved-entry-deleted */
		return false;
	it->key = rk;
	it->elem = re;
	return true;
}

/* The chain the iterator visits for its next bucket: the iterator's own
 * array, or, while the map is still growing from the size the iterator
 * saw, the not yet evacuated old chain that feeds it. */
static uint8_t *next_chain(gomap *m, gomap_iter *it, uintptr_t bucket,
                           uintptr_t *check)
{
	const gomap_type *t = &m->t;
	*check = NO_CHECK;
	if (gm_growing(m) && it->B == m->B) {
		uint8_t *b = gm_bucket_at(t, m->oldbuckets,
		                          bucket & gm_oldbucket_mask(m));
		if (!gm_evacuated(b)) {
			/* coverage-marker: iter-started-mid-growth */
			*check = bucket;
			return b;
		}
	}
	uint8_t *b = gm_bucket_at(t, it->buckets, bucket);
	/* The walk reads the array in order, but the hardware prefetchers do
	 * not follow it across 4 KiB pages: ask for the bucket 8 ahead (a
	 * hint, harmless past the array's end).  W6 at 1e6: 0.9 -> 0.75. */
	gm_prefetch_bucket_lines(t, (uintptr_t)b + 8 * (uintptr_t)t->bucketsize,
	                         0);
	return b;
}

/* Go: mapiternext. */
void gomap_iter_next(gomap_iter *it)
{
	gomap *m = it->h;
	if (m == NULL || !it->live) {
		it->key = it->elem = NULL;
		return;
	}
	if (m->dead || (m->flags & GM_HASH_WRITING)) {
		if (!m->dead)
			gm_fail(m, GOMAP_FATAL, GM_MSG_ITER_WRITE);
		gomap_iter_release(it);
		return;
	}
	const gomap_type *t = &m->t;
	uintptr_t bucket = it->bucket, check = it->check_bucket;
	uint8_t *b = it->bptr;
	uintptr_t i = it->i;
	/* Read once, into a register: re-read per slot, clang widened this
	 * byte load to four bytes, which overlap the byte store to it->i of
	 * the previous call; the CPU cannot forward that store to the wider
	 * load and stalls until it retires (a third of W6's time with clang). */
	const uintptr_t offset = it->offset;
	for (;;) {
		if (b == NULL) {
			if (bucket == it->start_bucket && it->wrapped) {
				gomap_iter_release(it);
				return;
			}
			b = next_chain(m, it, bucket, &check);
			if (++bucket == gm_bucket_shift(it->B)) {
				bucket = 0;
				it->wrapped = true;
			}
			i = 0;
		}
		for (; i < GM_BUCKET_CNT; i++) {
			uintptr_t offi = (i + offset) & (GM_BUCKET_CNT - 1);
			uint8_t top = b[offi];
			/* no emptyRest shortcut: the walk starts mid-bucket */
			if (gm_is_empty(top) || top == GM_EVACUATED_EMPTY)
				continue;
			/* a live entry, no old chain to filter: the usual case */
			if (__builtin_expect(top >= GM_MIN_TOPHASH &&
			                     check == NO_CHECK, 1)) {
				it->key = gm_key_value(t, gm_key_slot(t, b, offi));
				it->elem = gm_elem_value(t, gm_elem_slot(t, b, offi));
			} else if (!resolve_slot(m, it, b, offi, check)) {
				continue;
			}
			it->bucket = bucket;
			it->bptr = b;
			it->i = (uint8_t)(i + 1);
			it->check_bucket = check;
			return;
		}
		b = gm_overflow(t, b);
		i = 0;
	}
}
