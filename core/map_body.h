/* The bodies of lookup, assign and delete, shared by the generic entry
 * points (map_access.c) and the fast ones (map_fast.c).
 *
 * Go keeps five copies of each loop (map.go, map_fast32.go, map_fast64.go,
 * map_faststr.go); here each is written once, with a `kind` argument that
 * is a compile-time constant at every call site, so the compiler folds the
 * kind tests away and each entry point gets its own specialised loop.
 *
 * The kinds differ only where Go's variants differ (rule 66): how a slot is
 * matched (tophash + equal callback, or the key bits compared directly),
 * whether a scan stops at emptyRest, whether a one-bucket map is searched
 * without hashing, and how a matched key is updated.  Placement, growth and
 * tombstones are the same for all. */
#ifndef GOMAP_MAP_BODY_H
#define GOMAP_MAP_BODY_H

#include "hash_inline.h"
#include "map_internal.h"

#define GM_INLINE static inline __attribute__((always_inline))

extern const uint8_t gm_zero_val[GM_ZERO_SIZE];

/* The zero value returned by a lookup that misses (Go: zeroVal). */
GM_INLINE const void *gm_zero_elem(const gomap *m)
{
	return (m && m->zero) ? m->zero : gm_zero_val;
}

static inline uint32_t gm_load32(const void *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}
static inline uint64_t gm_load64(const void *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}
static inline gomap_str gm_load_str(const void *p)
{
	gomap_str s;
	memcpy(&s, p, sizeof s);
	return s;
}

/* Go's own hash of a fast-path key (Go: memhash32, memhash64, strhash),
 * inline. */
GM_INLINE uint64_t gm_go_hash(const gomap *m, const void *key,
                              enum gomap_fast_kind kind)
{
	if (kind == GOMAP_FAST_32)
		return gm_memhash32_from(gm_load32(key), m->hash_start);
	if (kind == GOMAP_FAST_64)
		return gm_memhash64_from(gm_load64(key), m->hash_start);
	gomap_str s = gm_load_str(key);
	return gm_memhash_from(s.ptr, s.len, m->hash_start);
}

/* The key's hash.  Fast paths hash inline when the key type uses Go's own
 * memory/string hash (the built-ins do); any other hash goes through the
 * type's callback, as Go's t.hasher. */
GM_INLINE uint64_t gm_hash_of(gomap *m, const void *key,
                              enum gomap_fast_kind kind)
{
	if (kind != GOMAP_FAST_NONE && m->inline_hash)
		return gm_go_hash(m, key, kind);
	return gm_hash(m, key);
}

static inline bool gm_str_equal(gomap_str a, gomap_str b)
{
	return a.len == b.len &&
	       (a.ptr == b.ptr || a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

/* A fast path's key slot size; 0 for the generic path. */
GM_INLINE size_t gm_fast_key_size(enum gomap_fast_kind kind)
{
	switch (kind) {
	case GOMAP_FAST_32: return 4;
	case GOMAP_FAST_64: return 8;
	case GOMAP_FAST_STR: return sizeof(gomap_str);
	default: return 0; /* coverage-unreachable: callers take the generic path first */
	}
}

/* The key slot, with the slot size a constant on the fast paths. */
GM_INLINE uint8_t *gm_key_slot_of(const gomap_type *t, uint8_t *b, uintptr_t i,
                                  enum gomap_fast_kind kind)
{
	if (kind == GOMAP_FAST_NONE)
		return gm_key_slot(t, b, i);
	return b + GM_DATA_OFFSET + i * gm_fast_key_size(kind);
}

/* On a fast path nothing is stored indirectly: the key is 4, 8 or 16
 * bytes, and a type takes a fast path only with an elem of at most 128
 * bytes (type.c, as Go's mapfast).  The elems then start right after the
 * eight keys (a multiple of 8, so no padding), and the fast bodies need
 * neither the type's offsets nor its indirect flags. */
GM_INLINE bool gm_indirect_key(const gomap_type *t, enum gomap_fast_kind kind)
{
	return kind == GOMAP_FAST_NONE && t->indirectkey;
}
GM_INLINE bool gm_indirect_elem(const gomap_type *t, enum gomap_fast_kind kind)
{
	return kind == GOMAP_FAST_NONE && t->indirectelem;
}
GM_INLINE uint8_t *gm_elem_slot_of(const gomap_type *t, uint8_t *b,
                                   uintptr_t i, enum gomap_fast_kind kind)
{
	if (kind == GOMAP_FAST_NONE)
		return gm_elem_slot(t, b, i);
	return b + GM_DATA_OFFSET + GM_BUCKET_CNT * gm_fast_key_size(kind) +
	       i * t->elemsize;
}
/* The elem value of slot i (following the pointer if indirect). */
GM_INLINE void *gm_elem_of(const gomap_type *t, uint8_t *b, uintptr_t i,
                           enum gomap_fast_kind kind)
{
	uint8_t *e = gm_elem_slot_of(t, b, i, kind);
	return gm_indirect_elem(t, kind) ? gm_load_ptr(e) : e;
}

/* Does the key in slot i of bucket b equal `key`?  The bits alone: the
 * slot may be empty and hold a deleted key's stale bits. */
GM_INLINE bool gm_slot_key_equal(gomap *m, uint8_t *b, uintptr_t i,
                                 const void *key, enum gomap_fast_kind kind)
{
	const gomap_type *t = &m->t;
	uint8_t *slot = gm_key_slot_of(t, b, i, kind);
	switch (kind) {
	case GOMAP_FAST_32: return gm_load32(slot) == gm_load32(key);
	case GOMAP_FAST_64: return gm_load64(slot) == gm_load64(key);
	case GOMAP_FAST_STR:
		return gm_str_equal(gm_load_str(slot), gm_load_str(key));
	default: return gm_key_equal(m, key, gm_key_value(t, slot));
	}
}

/* Does slot i of bucket b hold `key`?  Generic and faststr compare the
 * tophash first; fast32/64 compare the key bits of every non-empty slot
 * (a deleted integer key keeps its stale bits, so the emptiness test is
 * what hides it, rule 19). */
GM_INLINE bool gm_slot_matches(gomap *m, uint8_t *b, uintptr_t i, uint8_t top,
                               const void *key, enum gomap_fast_kind kind)
{
	if (kind == GOMAP_FAST_32 || kind == GOMAP_FAST_64) /* key first, as Go */
		return gm_slot_key_equal(m, b, i, key, kind) && !gm_is_empty(b[i]);
	return b[i] == top && gm_slot_key_equal(m, b, i, key, kind);
}

/* Bit 8i+7 is set for the lowest byte i of `word` that equals `byte`, and
 * no bit below it; bytes above it may be flagged falsely (a borrow from
 * the equal byte), so only the lowest flag is certain.  Three steps deep
 * rather than an exact test's five: it lies on the path from a bucket's
 * first load to the slot a lookup returns. */
static inline uint64_t gm_bytes_maybe_equal(uint64_t word, uint8_t byte)
{
	const uint64_t ones = UINT64_C(0x0101010101010101);
	uint64_t x = word ^ (ones * byte); /* a zero byte where equal */
	return (x - ones) & ~x & (ones << 7);
}

/* A hashed fast-path lookup's search of one bucket: the first slot
 * holding `key`, or GM_BUCKET_CNT.  Go tests slot after slot (fast32/64
 * the key of every non-empty slot, faststr the tophash); a live key's slot
 * always carries its tophash [I3] and an empty slot never does, so
 * testing the eight tophash bytes at once first, then each flagged slot's
 * tophash and key, finds the same slot.  A hit's slot then comes from data
 * rather than from a guess per slot (a hit's slot is random, and each
 * mispredicted guess also discarded the lookups the CPU had started behind
 * it), and a miss compares no key and runs few instructions, so more
 * misses overlap. */
GM_INLINE uintptr_t gm_fast_bucket_slot(gomap *m, uint8_t *b, uint8_t top,
                                        const void *key,
                                        enum gomap_fast_kind kind)
{
	uint64_t cand = gm_bytes_maybe_equal(gm_load64le(b), top);
	for (; cand != 0; cand &= cand - 1) {
		uintptr_t i = (uintptr_t)__builtin_ctzll(cand) / 8;
		if (b[i] == top && gm_slot_key_equal(m, b, i, key, kind))
			return i;
	}
	return GM_BUCKET_CNT;
}

/* The chain a lookup searches: the key's bucket in the current array, or
 * its old bucket while that one is not evacuated yet (rule 16). */
GM_INLINE uint8_t *gm_lookup_chain(gomap *m, uint64_t hash)
{
	const gomap_type *t = &m->t;
	uintptr_t mask = gm_bucket_mask(m->B);
	uint8_t *b = gm_bucket_at(t, m->buckets, hash & mask);
	if (m->oldbuckets != NULL) {
		if (!gm_same_size_grow(m))
			mask >>= 1;
		uint8_t *oldb = gm_bucket_at(t, m->oldbuckets, hash & mask);
		if (!gm_evacuated(oldb))
			b = oldb;
	}
	return b;
}

/* Go: the B == 0 branch of mapaccess1_faststr: a one-bucket map is
 * searched without hashing; long keys are screened by their first and last
 * four bytes, and two survivors fall back to the hashed search.  Returns
 * the slot, GM_BUCKET_CNT for a miss, or -1 for "hash instead". */
static inline int gm_faststr_small_lookup(gomap *m, gomap_str key)
{
	const gomap_type *t = &m->t;
	uint8_t *b = m->buckets;
	int maybe = -1;
	for (int i = 0; i < GM_BUCKET_CNT; i++) {
		gomap_str k = gm_load_str(gm_key_slot(t, b, (uintptr_t)i));
		if (k.len != key.len || gm_is_empty(b[i])) {
			if (b[i] == GM_EMPTY_REST)
				break;
			continue;
		}
		if (k.ptr == key.ptr)
			return i;
		if (key.len < 32) {
			if (memcmp(k.ptr, key.ptr, key.len) == 0)
				return i;
			continue;
		}
		if (memcmp(k.ptr, key.ptr, 4) != 0 ||
		    memcmp(k.ptr + key.len - 4, key.ptr + key.len - 4, 4) != 0)
			continue;
		if (maybe >= 0) /* two candidates: hashing is cheaper */
			return -1; /* coverage-marker: faststr-two-candidates */
		maybe = i;
	}
	if (maybe >= 0) {
		gomap_str k = gm_load_str(gm_key_slot(t, b, (uintptr_t)maybe));
		if (memcmp(k.ptr, key.ptr, key.len) == 0)
			return maybe;
	}
	return GM_BUCKET_CNT;
}

/* Asks for the cache lines of a bucket at address `at`, from byte `from`
 * on, when it spans at most four lines (u64 -> u64: 144 bytes, string ->
 * u64: 208); bigger buckets are left alone.  Only a hint: `at` need not
 * point into the map. */
GM_INLINE void gm_prefetch_bucket_lines(const gomap_type *t, uintptr_t at,
                                        uint32_t from)
{
	for (uint32_t off = from; off < t->bucketsize && off < 256; off += 64)
		__builtin_prefetch((const void *)(at + off));
}

/* Asks for bucket b's lines after its first.  A lookup that hits, an
 * insert and a delete touch a key and an elem there, in a slot they know
 * only once the first line has come in; asked for now, those lines come
 * in alongside it.  (A miss does not need them: W4 at 1e5 pays about 15%
 * for that, W3 at 1e5 and 1e6 gains about as much.) */
GM_INLINE void gm_prefetch_bucket(const gomap_type *t, uint8_t *b)
{
	if (t->bucketsize <= 64)
		return;
	/* the second hint may fall past a bucket of 65 to 128 bytes: one
	 * line fetched for nothing costs less than testing for it */
	__builtin_prefetch(b + 64);
	__builtin_prefetch(b + 128);
	if (t->bucketsize > 192)
		__builtin_prefetch(b + 192);
}

/* Go: the B == 0 branch of mapaccess1_fast32/fast64: the one bucket's
 * chain is searched without hashing, the key of every non-empty slot
 * compared (rule 19). */
GM_INLINE bool gm_find_unhashed(gomap *m, const void *key,
                                enum gomap_fast_kind kind, uint8_t **b_out,
                                uintptr_t *i_out)
{
	for (uint8_t *b = m->buckets; b != NULL; b = gm_overflow(&m->t, b)) {
		for (uintptr_t i = 0; i < GM_BUCKET_CNT; i++) {
			if (gm_slot_matches(m, b, i, 0, key, kind)) {
				*b_out = b;
				*i_out = i;
				return true;
			}
		}
	}
	return false;
}

/* Finds key's slot in the chain of its hash.  Go: the search loop of
 * mapaccess1/2/K and their fast variants. */
GM_INLINE bool gm_find_hashed(gomap *m, uint64_t hash, const void *key,
                              enum gomap_fast_kind kind, uint8_t **b_out,
                              uintptr_t *i_out)
{
	uint8_t top = gm_tophash(hash);
	uint8_t *b = gm_lookup_chain(m, hash);
	gm_prefetch_bucket(&m->t, b);
	do { /* a chain has at least its head */
		if (kind != GOMAP_FAST_NONE) {
			uintptr_t i = gm_fast_bucket_slot(m, b, top, key, kind);
			if (i < GM_BUCKET_CNT) {
				*b_out = b;
				*i_out = i;
				return true;
			}
			continue;
		}
		for (uintptr_t i = 0; i < GM_BUCKET_CNT; i++) {
			/* only the generic loop may stop early [I4] */
			if (b[i] == GM_EMPTY_REST)
				return false;
			if (gm_slot_matches(m, b, i, top, key, kind)) {
				*b_out = b;
				*i_out = i;
				return true;
			}
		}
	} while ((b = gm_overflow(&m->t, b)) != NULL);
	return false;
}

/* Finds key's slot; the caller has checked that the map is not empty.
 * `go_hash` says the key type is known to hash with Go's own hash, as on
 * the lookup lane.  Go: the search half of mapaccess1/2/K and their fast
 * variants. */
GM_INLINE bool gm_find(gomap *m, const void *key, enum gomap_fast_kind kind,
                       bool go_hash, uint8_t **b_out, uintptr_t *i_out)
{
	if ((kind == GOMAP_FAST_32 || kind == GOMAP_FAST_64) && m->B == 0)
		return gm_find_unhashed(m, key, kind, b_out, i_out);
	if (kind == GOMAP_FAST_STR && m->B == 0) {
		int i = gm_faststr_small_lookup(m, gm_load_str(key));
		if (i >= 0) {
			*b_out = m->buckets;
			*i_out = (uintptr_t)i;
			return i < GM_BUCKET_CNT;
		}
	}
	uint64_t hash = go_hash ? gm_go_hash(m, key, kind)
	                        : gm_hash_of(m, key, kind);
	return gm_find_hashed(m, hash, key, kind, b_out, i_out);
}

/* A nil or empty map answers without hashing, unless the key type's hash
 * can panic: then it hashes with seed 0 just to let it (rule 14). */
GM_INLINE void gm_probe_unhashable(gomap *m, const void *key,
                                   enum gomap_fast_kind kind)
{
	if (kind == GOMAP_FAST_NONE && m != NULL &&
	    (m->t.key.flags & GOMAP_HASH_MIGHT_PANIC))
		m->t.key.hash(&m->t.key, key, 0, m);
}

/* Go: the entry checks of mapaccess1/2: a nil or empty map misses at once
 * (hashing only to let an unhashable key panic, rule 14); a lookup while a
 * write is in progress is fatal (rule 15). */
GM_INLINE bool gm_read_allowed(gomap *m, const void *key,
                               enum gomap_fast_kind kind)
{
	if (m == NULL || m->count == 0) {
		gm_probe_unhashable(m, key, kind);
		return false;
	}
	if (m->dead)
		return false;
	if (m->flags & GM_HASH_WRITING) {
		gm_fail(m, GOMAP_FATAL, GM_MSG_READ_WRITE);
		return false;
	}
	return true;
}

/* Go: mapaccess2 and its fast variants. */
GM_INLINE const void *gm_access_body(gomap *m, const void *key,
                                     enum gomap_fast_kind kind, bool *found)
{
	uint8_t *b;
	uintptr_t i;
	if (!gm_read_allowed(m, key, kind) ||
	    !gm_find(m, key, kind, false, &b, &i)) {
		if (found)
			*found = false;
		return gm_zero_elem(m);
	}
	if (found)
		*found = true;
	return gm_elem_of(&m->t, b, i, kind);
}

/* What every lane asks first: a live map whose key type hashes with Go's
 * own hash for this path (m->lookup_lane), with no write in progress. */
GM_INLINE bool gm_on_lane(const gomap *m, enum gomap_fast_kind kind)
{
	return m != NULL && m->lookup_lane == kind &&
	       !(m->flags & GM_HASH_WRITING);
}

/* Is this fast-path lookup on the lane: gm_on_lane, and the map not
 * empty?  Then none of gm_read_allowed's early answers applies, and
 * gm_lane_access may hash inline without asking. */
GM_INLINE bool gm_on_lookup_lane(const gomap *m, enum gomap_fast_kind kind)
{
	return gm_on_lane(m, kind) && m->count != 0;
}

/* Go: mapaccess2_fast32/fast64/faststr past their entry checks, for a
 * lookup on the lane. */
GM_INLINE const void *gm_lane_access(gomap *m, const void *key,
                                     enum gomap_fast_kind kind, bool *found)
{
	uint8_t *b;
	uintptr_t i;
	if (gm_find(m, key, kind, true, &b, &i)) {
		if (found)
			*found = true;
		return gm_elem_of(&m->t, b, i, kind);
	}
	if (found)
		*found = false;
	return gm_zero_elem(m);
}

/* ---- assign ------------------------------------------------------------- */

/* Whether a new entry needs separately allocated key/elem objects. */
GM_INLINE bool gm_needs_objects(const gomap_type *t, enum gomap_fast_kind kind)
{
	return gm_indirect_key(t, kind) || gm_indirect_elem(t, kind);
}

/* Writes a new entry's key into its slot (allocating the indirect object
 * from the reserve) and, for an indirect elem, hangs a zeroed object in
 * the elem slot.  Go: the tail of mapassign. */
GM_INLINE void gm_store_new_entry(gomap *m, uint8_t *b, uintptr_t i,
                                  uint8_t top, const void *key,
                                  enum gomap_fast_kind kind)
{
	const gomap_type *t = &m->t;
	uint8_t *kslot = gm_key_slot_of(t, b, i, kind);
	if (gm_indirect_elem(t, kind))
		gm_store_ptr(gm_elem_slot(t, b, i), gm_take_elem_obj(m));
	if (kind == GOMAP_FAST_32) {
		memcpy(kslot, key, 4);
	} else if (kind == GOMAP_FAST_64) {
		memcpy(kslot, key, 8);
	} else if (kind == GOMAP_FAST_STR) {
		memcpy(kslot, key, sizeof(gomap_str));
	} else {
		void *kdst = kslot;
		if (t->indirectkey) {
			kdst = gm_take_key_obj(m);
			gm_store_ptr(kslot, kdst);
		}
		memcpy(kdst, key, t->key.size);
	}
	b[i] = top;
	m->count++;
}

/* An update of an existing key: Go overwrites the stored key when the type
 * needs it (+0 -> -0, a string's new backing array; rule 25). */
GM_INLINE void gm_update_key(gomap *m, uint8_t *b, uintptr_t i,
                             const void *key, enum gomap_fast_kind kind)
{
	const gomap_type *t = &m->t;
	if (kind == GOMAP_FAST_32 || kind == GOMAP_FAST_64)
		return;
	if (kind == GOMAP_FAST_STR || (t->key.flags & GOMAP_NEEDKEYUPDATE))
		memcpy(gm_key_value(t, gm_key_slot(t, b, i)), key, t->key.size);
}

/* Reserves what a growth that this insert starts needs before the new
 * array: the overflow buckets of the two evacuations the insert then
 * performs, one for the insert itself and `extra` more, and the objects of
 * an indirect key and elem. */
static inline int gm_reserve_grow_start(gomap *m, uint64_t hash, size_t extra)
{
	uintptr_t first = hash & gm_bucket_mask(m->B);
	uintptr_t second = first != 0 ? 0 : 1;
	const gomap_type *t = &m->t;
	size_t need = gm_evacuation_need(m, gm_bucket_at(t, m->buckets, first)) + 1 + extra;
	if (second < gm_bucket_shift(m->B))
		need += gm_evacuation_need(m, gm_bucket_at(t, m->buckets, second));
	if (gm_reserve_buckets(m, need, GOMAP_SITE_GROW_OVERFLOW) != GOMAP_OK ||
	    gm_reserve_objects(m, GOMAP_SITE_GROW_KEY, GOMAP_SITE_GROW_ELEM) !=
	            GOMAP_OK)
		return GOMAP_ENOMEM;
	return GOMAP_OK;
}

/* Reserves what a growth that this insert would start needs (above) and
 * returns its new array: *spare when gm_take_next_growth took it already. */
static inline uint8_t *gm_prepare_grow(gomap *m, uint64_t hash, bool bigger,
                                       size_t *nalloc, uint8_t **spare)
{
	if (gm_reserve_grow_start(m, hash, 0) != GOMAP_OK)
		return NULL;
	uint8_t newB = (uint8_t)(m->B + bigger);
	if (*spare != NULL) { /* taken before a growWork that ended a growth */
		uint8_t *a = *spare;
		*spare = NULL;
		*nalloc = gm_bucket_array_len(&m->t, newB);
		return a;
	}
	return gm_alloc_grow_array(m, newB, nalloc);
}

/* Go's mapassign may end a growth in its growWork and start the next one
 * in the same insert.  Whatever that start allocates is then taken before
 * the growWork moves an entry, so an ENOMEM still leaves the map as it
 * was (docs/design.md, "Allocation failure"): the array (into *spare, NULL
 * on entry: only the growth that takes it loops back here) and a reserve
 * that covers gm_prepare_grow's, counted on chains that the growWork may
 * lengthen by at most `work` buckets. */
static inline int gm_take_next_growth(gomap *m, uint64_t hash, uintptr_t bucket,
                                      size_t work, uint8_t **spare)
{
	bool over = gm_over_load_factor(m->count + 1, m->B);
	size_t most = m->noverflow + work;
	uint16_t noverflow = most > UINT16_MAX ? UINT16_MAX : (uint16_t)most;
	if (!gm_grow_work_ends(m, bucket) ||
	    !(over || gm_too_many_overflow_buckets(noverflow, m->B)))
		return GOMAP_OK;
	if (gm_reserve_grow_start(m, hash, work + 1) != GOMAP_OK)
		return GOMAP_ENOMEM;
	size_t nalloc;
	*spare = gm_alloc_grow_array(m, (uint8_t)(m->B + over), &nalloc);
	return *spare != NULL ? GOMAP_OK : GOMAP_ENOMEM;
}

/* The start of a keyed write (assign, delete): Go's write checks, the
 * random state an ENOMEM rewinds to, the key's hash, and only then the
 * hashWriting flag, so a hash that fails leaves the map writable
 * (rule 22) [I8]. */
GM_INLINE int gm_keyed_write_begin(gomap *m, const void *key,
                                   enum gomap_fast_kind kind, uint64_t *hash,
                                   uint64_t *rand_before)
{
	int st = gm_write_begin(m);
	if (st != GOMAP_OK)
		return st;
	*rand_before = m->rand_state;
	*hash = gm_hash_of(m, key, kind);
	m->flags ^= GM_HASH_WRITING;
	return GOMAP_OK;
}

/* The search half of an assign (Go: mapassign's bucketloop) in the chain
 * at b: true with key's slot in *b_out, *i_out; else false with the
 * chain's first empty slot there (*b_out NULL when it has none) and the
 * last bucket searched in *last. */
GM_INLINE bool gm_assign_search(gomap *m, uint8_t *b, uint8_t top,
                                const void *key, enum gomap_fast_kind kind,
                                uint8_t **b_out, uintptr_t *i_out,
                                uint8_t **last)
{
	uint8_t *insb = NULL;
	uintptr_t insi = 0;
	for (;;) {
		for (uintptr_t i = 0; i < GM_BUCKET_CNT; i++) {
			if (gm_is_empty(b[i])) {
				if (insb == NULL) {
					insb = b;
					insi = i;
				}
				if (b[i] == GM_EMPTY_REST)
					goto no_key; /* [I4] */
				continue;
			}
			if (gm_slot_matches(m, b, i, top, key, kind)) {
				*b_out = b;
				*i_out = i;
				return true;
			}
		}
		uint8_t *ovf = gm_overflow(&m->t, b);
		if (ovf == NULL)
			break;
		b = ovf;
	}
no_key:
	*b_out = insb;
	*i_out = insi;
	*last = b;
	return false;
}

/* The usual assign: a map that is neither growing nor due to grow, and a
 * slot the key's chain already has, its own or the first empty one.
 * Nothing is allocated, so none of the general path's reserving is
 * needed, and the path is short: at 1e6 entries an insert waits for its
 * bucket's cache miss, and the fewer instructions lie between two
 * inserts' misses, the more of them the CPU overlaps (W2 against Go at
 * 1e5: 0.98 -> 0.93; at 1e6 with clang 0.99 -> 0.85).  Returns false,
 * having changed nothing, when the general path must run, which then
 * searches again. */
GM_INLINE bool gm_assign_in_place(gomap *m, uint64_t hash, uint8_t top,
                                  const void *key, enum gomap_fast_kind kind,
                                  uint8_t **b_out, uintptr_t *i_out)
{
	const gomap_type *t = &m->t;
	if (m->buckets == NULL || gm_growing(m))
		return false;
	uint8_t *b = gm_bucket_at(t, m->buckets, hash & gm_bucket_mask(m->B));
	gm_prefetch_bucket(t, b);
	if (gm_assign_search(m, b, top, key, kind, b_out, i_out, &b)) {
		gm_update_key(m, *b_out, *i_out, key, kind);
		return true;
	}
	/* a new key: grow first if the map is full (rule 26) */
	if (*b_out == NULL || gm_needs_objects(t, kind) ||
	    gm_over_load_factor(m->count + 1, m->B) ||
	    gm_too_many_overflow_buckets(m->noverflow, m->B))
		return false;
	gm_store_new_entry(m, *b_out, *i_out, top, key, kind);
	return true;
}

/* Go: mapassign and mapassign_fast32/fast64/faststr.
 * Allocation failure: everything the insert may need is reserved before the
 * first change, so failing leaves the map as it was (docs/design.md). */
GM_INLINE int gm_assign_body(gomap *m, const void *key,
                             enum gomap_fast_kind kind, void **elem_out)
{
	*elem_out = NULL;
	if (m == NULL)
		return GOMAP_EPANIC; /* Go: panic, assignment to entry in nil map */
	uint64_t hash, rand_before;
	int st = gm_keyed_write_begin(m, key, kind, &hash, &rand_before);
	if (st != GOMAP_OK)
		return st;
	const gomap_type *t = &m->t;
	uint8_t top = gm_tophash(hash);
	uint8_t *b, *insb;
	uintptr_t insi;
	bool first_bucket = false;
	uint8_t *spare = NULL; /* the next growth's array, see gm_take_next_growth */
	if (gm_assign_in_place(m, hash, top, key, kind, &insb, &insi))
		goto done;
	/* the general path: first bucket, growth, a full chain */
	if (m->buckets == NULL) {
		if (gm_alloc_first_bucket(m) != GOMAP_OK)
			goto nomem;
		first_bucket = true;
	}
again:;
	uintptr_t bucket = hash & gm_bucket_mask(m->B);
	if (gm_growing(m)) {
		size_t work = gm_grow_work_need(m, bucket);
		if (gm_reserve_buckets(m, work + 1, GOMAP_SITE_GROWING_OVERFLOW) ||
		    (gm_needs_objects(t, kind) &&
		     gm_reserve_objects(m, GOMAP_SITE_GROWING_KEY,
		                        GOMAP_SITE_GROWING_ELEM)) ||
		    gm_take_next_growth(m, hash, bucket, work, &spare))
			goto nomem;
		gm_grow_work(m, bucket);
	}
	b = gm_bucket_at(t, m->buckets, bucket);
	gm_prefetch_bucket(t, b);
	if (gm_assign_search(m, b, top, key, kind, &insb, &insi, &b)) {
		gm_update_key(m, insb, insi, key, kind);
		goto done;
	}
	/* a new key: grow first if the map is full (rule 26) [P1] */
	if (!gm_growing(m)) {
		bool over = gm_over_load_factor(m->count + 1, m->B);
		if (over || gm_too_many_overflow_buckets(m->noverflow, m->B)) {
			size_t nalloc;
			uint8_t *arr = gm_prepare_grow(m, hash, over, &nalloc, &spare);
			if (arr == NULL)
				goto nomem; /* coverage-marker: enomem-growth-start */
			gm_hash_grow(m, arr, nalloc);
			goto again; /* growing invalidates the search */
		}
		if ((insb == NULL && m->next_overflow == NULL &&
		     gm_reserve_buckets(m, 1, GOMAP_SITE_CHAIN_OVERFLOW)) ||
		    (gm_needs_objects(t, kind) &&
		     gm_reserve_objects(m, GOMAP_SITE_INSERT_KEY,
		                        GOMAP_SITE_INSERT_ELEM)))
			goto nomem;
	}
	if (insb == NULL) {
		insb = gm_newoverflow(m, b); /* the chain is full (rule 29) */
		insi = 0;
	}
	gm_store_new_entry(m, insb, insi, top, key, kind);
done:
	gm_free_grow_array(m, spare); /* no growth followed after all */
	st = gm_write_end(m);
	if (st != GOMAP_OK)
		return st;
	if (m->nreserve > 2)
		gm_trim_reserve(m);
	*elem_out = gm_elem_of(t, insb, insi, kind);
	return GOMAP_OK;
nomem:
	/* nothing has changed but the first bucket, the flag and the stream */
	gm_free_grow_array(m, spare);
	if (first_bucket)
		gm_drop_first_bucket(m);
	return gm_write_abort_nomem(m, rand_before);
}

/* Is this fast-path insert on the lane: gm_on_lane, the first bucket
 * allocated and no growth under way? */
GM_INLINE bool gm_on_assign_lane(const gomap *m, enum gomap_fast_kind kind)
{
	return gm_on_lane(m, kind) && m->buckets != NULL &&
	       m->oldbuckets == NULL;
}

/* Go: mapassign_fast32/fast64/faststr for an insert on the lane that needs
 * nothing allocated (gm_assign_in_place): true with the status in *st;
 * false, having changed nothing, when the general path must run (a growth
 * to start, a chain to lengthen). */
GM_INLINE bool gm_lane_assign(gomap *m, const void *key,
                              enum gomap_fast_kind kind, void **elem_out,
                              int *st)
{
	uint64_t hash = gm_go_hash(m, key, kind);
	uint8_t *b;
	uintptr_t i;
	m->flags ^= GM_HASH_WRITING;
	if (!gm_assign_in_place(m, hash, gm_tophash(hash), key, kind, &b, &i)) {
		m->flags ^= GM_HASH_WRITING;
		return false;
	}
	/* no trim: the lane reserves nothing, and every write before it left
	 * the reserve trimmed */
	*st = gm_write_end(m);
	*elem_out = *st == GOMAP_OK ? gm_elem_of(&m->t, b, i, kind) : NULL;
	return true;
}

/* ---- delete ------------------------------------------------------------- */

/* Clears a deleted slot's key and elem: the key only if it can hold
 * pointers (a deleted integer key keeps its bits, rule 33; faststr clears
 * only the string pointer), the elem always (rule 30). */
GM_INLINE void gm_clear_slot(gomap *m, uint8_t *b, uintptr_t i,
                             enum gomap_fast_kind kind)
{
	const gomap_type *t = &m->t;
	uint8_t *k = gm_key_slot_of(t, b, i, kind);
	uint8_t *e = gm_elem_slot_of(t, b, i, kind);
	if (gm_indirect_key(t, kind)) {
		gm_retire_object(m, gm_load_ptr(k));
		gm_store_ptr(k, NULL);
	} else if (kind == GOMAP_FAST_STR) {
		gm_store_ptr(k, NULL);
	} else if (t->key.flags & GOMAP_HAS_POINTERS) {
		memset(k, 0, t->key.size);
	}
	if (gm_indirect_elem(t, kind)) {
		gm_retire_object(m, gm_load_ptr(e));
		gm_store_ptr(e, NULL);
	} else if (t->elem.size == 8) {
		/* the usual elem, without a call into libc */
		memcpy(e, &(uint64_t){0}, 8);
	} else {
		memset(e, 0, t->elem.size);
	}
}

/* The rare end of the tombstone step: the emptyRest run has reached slot
 * 0 of bucket c, an overflow bucket, so it goes on from the last slot of
 * the bucket before c in the chain, for as long as slots are emptyOne. */
static void gm_empty_rest_before(const gomap_type *t, uint8_t *head,
                                 uint8_t *c)
{
	for (;;) {
		/* coverage-marker: empty-rest-across-overflow */
		uint8_t *b = head;
		while (gm_overflow(t, b) != c)
			b = gm_overflow(t, b);
		for (uintptr_t i = GM_BUCKET_CNT; i-- > 0;) {
			if (b[i] != GM_EMPTY_ONE)
				return;
			b[i] = GM_EMPTY_REST;
		}
		if (b == head)
			return;
		c = b;
	}
}

/* Go: the tombstone step of mapdelete: slot i becomes emptyOne; if nothing
 * live follows it in the chain, it and the emptyOne run before it become
 * emptyRest, walking back into earlier buckets of the chain [I4].  Each
 * byte stored is a constant, as in Go: a store whose value had to wait
 * for the bucket's cache miss (working the run out in one word) made the
 * deletes behind it wait too, 1.6x the time of a delete at 1e6 entries. */
static inline void gm_mark_deleted(const gomap_type *t, uint8_t *head,
                                   uint8_t *b, uintptr_t i)
{
	b[i] = GM_EMPTY_ONE;
	if (i == GM_BUCKET_CNT - 1) {
		uint8_t *ovf = gm_overflow(t, b);
		if (ovf != NULL && ovf[0] != GM_EMPTY_REST)
			return;
	} else if (b[i + 1] != GM_EMPTY_REST) {
		return;
	}
	for (;;) {
		b[i] = GM_EMPTY_REST;
		if (i == 0)
			break;
		if (b[--i] != GM_EMPTY_ONE)
			return;
	}
	if (b != head)
		gm_empty_rest_before(t, head, b);
}

/* Deletes key from the chain at head, if there: Go's mapdelete past its
 * growth work. */
GM_INLINE void gm_delete_in_chain(gomap *m, uint8_t *head, uint8_t top,
                                  const void *key, enum gomap_fast_kind kind)
{
	for (uint8_t *b = head; b != NULL; b = gm_overflow(&m->t, b)) {
		for (uintptr_t i = 0; i < GM_BUCKET_CNT; i++) {
			if (kind == GOMAP_FAST_NONE && b[i] == GM_EMPTY_REST)
				return;
			if (!gm_slot_matches(m, b, i, top, key, kind))
				continue;
			gm_clear_slot(m, b, i, kind);
			gm_mark_deleted(&m->t, head, b, i);
			m->count--;
			/* a fresh seed once the map is empty (rule 35) [P4] */
			if (m->count == 0)
				gm_set_hash0(m, gomap_fastrand(m));
			return;
		}
	}
}

/* The end of a delete: the write flag dropped [I8], and a reserve grown
 * by earlier failures trimmed. */
GM_INLINE int gm_delete_end(gomap *m)
{
	int st = gm_write_end(m);
	if (m->nreserve > 2)
		gm_trim_reserve(m);
	return st;
}

/* Go: mapdelete and mapdelete_fast32/fast64/faststr. */
GM_INLINE int gm_delete_body(gomap *m, const void *key,
                             enum gomap_fast_kind kind)
{
	if (m == NULL || m->count == 0) {
		gm_probe_unhashable(m, key, kind);
		return GOMAP_OK;
	}
	uint64_t hash, rand_before;
	int st = gm_keyed_write_begin(m, key, kind, &hash, &rand_before);
	if (st != GOMAP_OK)
		return st;
	const gomap_type *t = &m->t;
	uintptr_t bucket = hash & gm_bucket_mask(m->B);
	if (gm_growing(m)) {
		/* even for an absent key (rule 31) */
		if (gm_reserve_buckets(m, gm_grow_work_need(m, bucket),
		                       GOMAP_SITE_DELETE_OVERFLOW))
			/* coverage-marker: enomem-delete-mid-growth */
			return gm_write_abort_nomem(m, rand_before);
		gm_grow_work(m, bucket);
	}
	uint8_t *head = gm_bucket_at(t, m->buckets, bucket);
	gm_prefetch_bucket(t, head);
	gm_delete_in_chain(m, head, gm_tophash(hash), key, kind);
	return gm_delete_end(m);
}

/* Is this fast-path delete on the lane: as a lookup (gm_on_lookup_lane),
 * with no growth under way, so that it has no evacuation to do, nothing
 * to allocate and no ENOMEM to rewind from? */
GM_INLINE bool gm_on_delete_lane(const gomap *m, enum gomap_fast_kind kind)
{
	return gm_on_lookup_lane(m, kind) && m->oldbuckets == NULL;
}

/* Go: mapdelete_fast32/fast64/faststr past their entry checks, for a
 * delete on the lane. */
GM_INLINE int gm_lane_delete(gomap *m, const void *key,
                             enum gomap_fast_kind kind)
{
	uint64_t hash = gm_go_hash(m, key, kind);
	m->flags ^= GM_HASH_WRITING;
	uint8_t *head = gm_bucket_at(&m->t, m->buckets,
	                             hash & gm_bucket_mask(m->B));
	gm_prefetch_bucket(&m->t, head);
	gm_delete_in_chain(m, head, gm_tophash(hash), key, kind);
	return gm_delete_end(m);
}

#endif
