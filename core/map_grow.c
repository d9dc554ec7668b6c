/* Growth: hashGrow starts it, growWork/evacuate move one old chain at a
 * time, advanceEvacuationMark ends it.  The protocol, and why lookups and
 * iterators may read the old array meanwhile, is in docs/design.md
 * ("Growth and evacuation"). */
#include "map_body.h"

/* An upper bound on the overflow buckets that evacuating the chain at b
 * can take (0 if b is already evacuated).  Its n live entries go to fresh
 * destination buckets (nothing is stored in a destination before its
 * source chain is evacuated), filling each eight at a time: however they
 * split between X and Y, at most (n - 1) / 8 overflow buckets.  The bound
 * once was the chain's length, which made every growWork of a one-bucket
 * chain reserve a bucket only to free it after the operation
 * (docs/design.md, "Allocation failure"). */
size_t gm_evacuation_need(const gomap *m, uint8_t *b)
{
	/* one bucket holds at most eight: nothing to count (every insert
	 * during a growth asks, and most chains are one bucket) */
	if (gm_evacuated(b) || gm_overflow(&m->t, b) == NULL)
		return 0;
	size_t live = 0;
	for (; b != NULL; b = gm_overflow(&m->t, b))
		for (int i = 0; i < GM_BUCKET_CNT; i++)
			live += b[i] >= GM_MIN_TOPHASH;
	return live ? (live - 1) / GM_BUCKET_CNT : 0;
}

/* Go: hashGrow.  `a` is the new array, allocated (zeroed) by the caller
 * before anything changed; B+1 buckets for a doubling grow, B for a
 * same-size one (rule 37) [P1].  No entry moves yet. */
void gm_hash_grow(gomap *m, uint8_t *a, size_t nalloc)
{
	uint8_t bigger = 1;
	if (!gm_over_load_factor(m->count + 1, m->B)) {
		/* coverage-marker: same-size-growth */
		bigger = 0;
		m->flags |= GM_SAME_SIZE_GROW;
	}
	uint8_t *next = gm_bucket_array_spares(m, a, (uint8_t)(m->B + bigger),
	                                       nalloc);
	/* iterators over the array being retired now read "old" buckets */
	uint8_t flags = m->flags & (uint8_t)~(GM_ITERATOR | GM_OLD_ITERATOR);
	if (m->flags & GM_ITERATOR)
		flags |= GM_OLD_ITERATOR;
	m->B += bigger;
	m->flags = flags;
	m->oldbuckets = m->buckets;
	m->old_nbuckets_alloc = m->nbuckets_alloc;
	m->buckets = a;
	m->nbuckets_alloc = nalloc;
	m->nevacuate = 0;
	m->noverflow = 0;
	if (m->old_heap_ovf != NULL) {
		gm_fail(m, GOMAP_THROW, "oldoverflow is not nil"); /* [I7] */
		return;
	}
	m->old_heap_ovf = m->heap_ovf;
	m->heap_ovf = NULL;
	m->next_overflow = next;
	if (next != NULL)
		m->has_extra = true;
}

/* Go: advanceEvacuationMark: step nevacuate past old buckets that are
 * already evacuated (at most 1024 of them), and end the growth when all
 * are done [I7, P3]. */
static void advance_evacuation_mark(gomap *m, uintptr_t newbit)
{
	m->nevacuate++;
	uintptr_t stop = m->nevacuate + 1024;
	if (stop > newbit)
		stop = newbit;
	while (m->nevacuate != stop &&
	       gm_evacuated(gm_bucket_at(&m->t, m->oldbuckets, m->nevacuate)))
		m->nevacuate++;
	if (m->nevacuate == newbit) {
		gm_drop_old_array(m);
		m->flags &= (uint8_t)~GM_SAME_SIZE_GROW;
	}
}

/* Where an evacuated entry goes: the next free slot of x (same index) or
 * y (index + newbit), appended densely in old chain order (rule 40). */
typedef struct evac_dst {
	uint8_t *b;
	uintptr_t i;
} evac_dst;

/* Picks X or Y for one entry of a doubling grow.  A NaN key cannot be
 * rehashed reproducibly, so while an iterator may be walking the new array
 * its direction is the old tophash's low bit, which an iterator started
 * mid-growth uses to predict it (rules 41, 51). */
static unsigned choose_half(gomap *m, const void *k, uint8_t *top,
                            uintptr_t newbit)
{
	uint64_t hash = gm_hash_of(m, k, m->t.fast);
	if ((m->flags & GM_ITERATOR) && !(m->t.key.flags & GOMAP_REFLEXIVE) &&
	    !gm_key_equal(m, k, k)) {
		/* coverage-marker: nan-evacuation-with-iterator */
		unsigned use_y = *top & 1;
		*top = gm_tophash(hash);
		return use_y;
	}
	return (hash & newbit) != 0;
}

/* memcpy of a key or elem slot; the usual sizes as plain loads and
 * stores, not a call into libc per slot. */
static inline void copy_slot(uint8_t *dst, const uint8_t *src, size_t n)
{
	switch (n) {
	case 4: memcpy(dst, src, 4); break;
	case 8: memcpy(dst, src, 8); break;
	case 16: memcpy(dst, src, 16); break;
	default: memcpy(dst, src, n);
	}
}

static void evacuate_entry(gomap *m, evac_dst *dst, uint8_t *src, uintptr_t i,
                           uint8_t top)
{
	const gomap_type *t = &m->t;
	if (dst->i == GM_BUCKET_CNT) {
		/* coverage-marker: evacuation-needs-overflow */
		dst->b = gm_newoverflow(m, dst->b);
		dst->i = 0;
	}
	dst->b[dst->i] = top;
	/* indirect slots hold pointers: the pointer is what moves */
	copy_slot(gm_key_slot(t, dst->b, dst->i), gm_key_slot(t, src, i),
	          t->keysize);
	copy_slot(gm_elem_slot(t, dst->b, dst->i), gm_elem_slot(t, src, i),
	          t->elemsize);
	dst->i++;
}

/* Go: evacuate. */
static void evacuate(gomap *m, uintptr_t oldbucket)
{
	const gomap_type *t = &m->t;
	uint8_t *first = gm_bucket_at(t, m->oldbuckets, oldbucket);
	uintptr_t newbit = gm_noldbuckets(m);
	if (!gm_evacuated(first)) {
		bool same_size = gm_same_size_grow(m);
		evac_dst xy[2] = {
			{gm_bucket_at(t, m->buckets, oldbucket), 0},
			{same_size ? NULL
			           : gm_bucket_at(t, m->buckets, oldbucket + newbit),
			 0},
		};
		for (uint8_t *b = first; b != NULL; b = gm_overflow(t, b)) {
			for (uintptr_t i = 0; i < GM_BUCKET_CNT; i++) {
				uint8_t top = b[i];
				if (gm_is_empty(top)) {
					b[i] = GM_EVACUATED_EMPTY; /* [I6] */
					continue;
				}
				if (top < GM_MIN_TOPHASH) {
					gm_fail(m, GOMAP_THROW, GM_MSG_BAD_STATE);
					return;
				}
				unsigned use_y = 0;
				if (!same_size)
					use_y = choose_half(
						m, gm_key_value(t, gm_key_slot(t, b, i)),
						&top, newbit);
				b[i] = (uint8_t)(GM_EVACUATED_X + use_y); /* [I6] */
				evacuate_entry(m, &xy[use_y], b, i, top);
			}
		}
		/* Drop the moved pointers so they keep nothing alive, unless an
		 * iterator may still read them; the tophash bytes stay, they
		 * carry the evacuation state (rule 42). */
		if (!(m->flags & GM_OLD_ITERATOR) && t->bucket_has_pointers)
			memset(first + GM_DATA_OFFSET, 0,
			       t->bucketsize - GM_DATA_OFFSET);
	}
	/* (the test-only break evacuates without ever advancing the mark) */
	if (oldbucket == m->nevacuate && !GOMAP_TEST_BREAK_NEVACUATE_STUCK)
		advance_evacuation_mark(m, newbit);
}

/* Go: growWork: evacuate the old bucket the caller is about to use, then
 * one more to make progress (rule 38) [P3]. */
void gm_grow_work(gomap *m, uintptr_t bucket)
{
	evacuate(m, bucket & gm_oldbucket_mask(m));
	if (gm_growing(m))
		evacuate(m, m->nevacuate);
}

/* Whether gm_grow_work(bucket) ends the growth: the same two steps of
 * advance_evacuation_mark, run on the evacuation marks as they will be,
 * without moving anything. */
bool gm_grow_work_ends(gomap *m, uintptr_t bucket)
{
	const gomap_type *t = &m->t;
	uintptr_t newbit = gm_noldbuckets(m);
	uintptr_t first = bucket & gm_oldbucket_mask(m);
	uintptr_t mark = m->nevacuate;
	for (int step = 0; step < 2; step++) {
		uintptr_t done = step == 0 ? first : mark;
		if (done != mark)
			continue; /* only evacuating nevacuate moves the mark */
		uintptr_t n = mark + 1, stop = n + 1024;
		if (stop > newbit)
			stop = newbit;
		while (n != stop && (n == first ||
		                     gm_evacuated(gm_bucket_at(t, m->oldbuckets, n))))
			n++;
		if (n == newbit)
			return true;
		mark = n;
	}
	return false;
}

/* An upper bound on the heap overflow buckets gm_grow_work(bucket) will
 * take: evacuating a chain of L buckets into empty X and Y chains needs at
 * most L - 1 of them, so L per chain is safe.  Mirrors which two old
 * buckets gm_grow_work will pick, including the jump of nevacuate. */
size_t gm_grow_work_need(gomap *m, uintptr_t bucket)
{
	const gomap_type *t = &m->t;
	uintptr_t first = bucket & gm_oldbucket_mask(m);
	uint8_t *old = m->oldbuckets;
	size_t need = gm_evacuation_need(m, gm_bucket_at(t, old, first));
	uintptr_t second = m->nevacuate;
	if (second == first) {
		uintptr_t newbit = gm_noldbuckets(m);
		uintptr_t n = first + 1, stop = n + 1024;
		if (stop > newbit)
			stop = newbit;
		while (n != stop &&
		       gm_evacuated(gm_bucket_at(t, m->oldbuckets, n)))
			n++;
		if (n == newbit)
			return need;
		second = n;
	}
	return need + gm_evacuation_need(m, gm_bucket_at(t, old, second));
}
