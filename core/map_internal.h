/* Internal structures of the map, shared by the core's files only.
 *
 * One bucket, exactly as Go's compiler lays it out (docs/design.md, "Bucket
 * layout"), for a map[K]E with key slot size ks and elem slot size es:
 *
 *   offset 0            8                 elemoff            ovfoff
 *          +------------+-----------------+------------------+----------+
 *          | tophash[8] | key 0 .. key 7  | elem 0 .. elem 7 | overflow |
 *          +------------+-----------------+------------------+----------+
 *                        8*ks bytes        8*es bytes          pointer
 *
 * A key or elem over 128 bytes is stored indirectly: its slot is a pointer
 * to a separate allocation.  Keys are never interleaved with elems, so a
 * map[uint64]uint8 needs no padding between slots.
 *
 * Memory that Go's garbage collector keeps alive for as long as anything
 * points at it must here be kept alive explicitly: bucket arrays and
 * overflow buckets that a running iterator may still read, and indirect
 * keys/elems that a stale (evacuated) slot still points to.  Such blocks are
 * "retired" to a graveyard that is emptied when no iterator is live
 * (docs/design.md, "Memory ownership").
 */
#ifndef GOMAP_MAP_INTERNAL_H
#define GOMAP_MAP_INTERNAL_H

#include "gomap.h"
#include "hash_inline.h"

#include <string.h>

/* ---- test-only breaks ---------------------------------------------------
 * Deliberate bugs for the finding-path test (tests/finding_path.sh), each
 * switched on by the CMake cache variable GOMAP_TEST_BREAK, which
 * core/CMakeLists.txt refuses in every preset's build directory.  In every
 * other build they are 0 and the compiler folds them away. */
#ifndef GOMAP_TEST_BREAK_LOAD_FACTOR_ONE_LATE
#define GOMAP_TEST_BREAK_LOAD_FACTOR_ONE_LATE 0 /* policy.grow, policy.hint */
#endif
#ifndef GOMAP_TEST_BREAK_NEVACUATE_STUCK
#define GOMAP_TEST_BREAK_NEVACUATE_STUCK 0 /* policy.evacuate */
#endif

/* ---- constants (Go: runtime/map.go) -------------------------------------- */

enum {
	GM_BUCKET_CNT_BITS = 3,
	GM_BUCKET_CNT = 1 << GM_BUCKET_CNT_BITS, /* slots per bucket */
	GM_LOAD_FACTOR_NUM = 13,                 /* load factor 6.5 = 13/2 */
	GM_LOAD_FACTOR_DEN = 2,
	GM_MAX_KEY_SIZE = 128, /* larger keys/elems are stored indirectly */
	GM_MAX_ELEM_SIZE = 128,
	GM_DATA_OFFSET = 8, /* keys start right after tophash[8] */
	GM_ZERO_SIZE = 1024 /* Go's zeroVal buffer; larger elems get their own */
};

/* tophash states (docs/design.md, "tophash states").  A live slot holds a
 * value >= GM_MIN_TOPHASH; the smaller values are markers. */
enum {
	GM_EMPTY_REST = 0,       /* empty, and so is every later slot of the chain */
	GM_EMPTY_ONE = 1,        /* empty */
	GM_EVACUATED_X = 2,      /* moved to the low half of the new array */
	GM_EVACUATED_Y = 3,      /* moved to the high half */
	GM_EVACUATED_EMPTY = 4,  /* empty slot of an evacuated bucket */
	GM_MIN_TOPHASH = 5
};

/* hmap.flags */
enum {
	GM_ITERATOR = 1,       /* an iterator may be using buckets */
	GM_OLD_ITERATOR = 2,   /* an iterator may be using oldbuckets */
	GM_HASH_WRITING = 4,   /* a goroutine is writing to the map */
	GM_SAME_SIZE_GROW = 8  /* the current grow is to a map of the same size */
};

/* Go's fatal messages, verbatim: tests and traces match on them. */
#define GM_MSG_CONCURRENT_WRITES "concurrent map writes"
#define GM_MSG_READ_WRITE "concurrent map read and map write"
#define GM_MSG_ITER_WRITE "concurrent map iteration and map write"
#define GM_MSG_NIL_ASSIGN "assignment to entry in nil map"
#define GM_MSG_BAD_STATE "bad map state"

/* ---- allocation blocks ---------------------------------------------------- */

/* Every allocation the map makes carries this header, so a block can be
 * linked into a list (heap overflow buckets of one array, the reserve, the
 * graveyard) without allocating list nodes: retiring memory never fails. */
typedef struct gm_block {
	struct gm_block *next;
	size_t size; /* payload bytes */
} gm_block;

static inline gm_block *gm_block_of(void *payload)
{
	return (gm_block *)payload - 1;
}
static inline void *gm_payload(gm_block *b)
{
	return b + 1;
}

/* ---- the map header (Go: hmap + mapextra) ---------------------------------- */

struct gomap {
	/* Go's hmap */
	size_t count;
	uint8_t flags;
	uint8_t B;          /* log2 of the number of buckets */
	uint16_t noverflow; /* approximate count of overflow buckets */
	uint32_t hash0;
	uint8_t *buckets;    /* 2^B buckets (+ spares); NULL until first put */
	uint8_t *oldbuckets; /* non-NULL only while growing */
	uintptr_t nevacuate; /* old buckets below this are evacuated */

	/* Go's mapextra: whether Go would have allocated it, and its
	 * nextOverflow.  (Go's overflow/oldoverflow slices only keep buckets
	 * alive for its GC; ours are the heap lists below.) */
	bool has_extra;
	/* The fast path whose lookups may skip the checks no lookup of a
	 * live map with Go's hash needs: t.fast while the key type hashes
	 * with Go's own hash and the map is alive, else GOMAP_FAST_NONE
	 * (map_fast.c).  Kept beside count, flags and B, which a lookup
	 * reads too. */
	uint8_t lookup_lane;
	/* gm_hash_start(hash0, hooks.hashkey0): where the fast paths' inline
	 * hash of a key starts; set with hash0 (gm_set_hash0). */
	uint64_t hash_start;
	uint8_t *next_overflow; /* next unused preallocated spare, or NULL */

	/* Array sizes including spares, for freeing and for the dump. */
	size_t nbuckets_alloc, old_nbuckets_alloc;

	/* Heap-allocated overflow buckets of the current and old arrays. */
	gm_block *heap_ovf, *old_heap_ovf;

	/* Allocation reserve: taken up front so an operation can fail with
	 * ENOMEM before it changes anything (docs/design.md, "Allocation
	 * failure").  Spare overflow buckets and indirect key/elem objects. */
	gm_block *reserve;
	size_t nreserve;
	void *spare_key_obj, *spare_elem_obj;

	/* Blocks an iterator may still read; freed when live_iterators is 0. */
	gm_block *graveyard;
	size_t live_iterators;

	/* A fatal error or throw happened: the map must not be used again. */
	bool dead;

	gomap_type t;
	gomap_hooks hooks;
	uint64_t rand_state; /* the default wyrand state */
	void *zero;          /* zero value for elems over GM_ZERO_SIZE bytes */

	/* the key type uses Go's own memory/string hash, so the fast paths
	 * may hash inline instead of calling it */
	bool inline_hash;

	gomap_memstats mem;
};

/* A new seed for the map's hash (Go: h.hash0 = fastrand()), and the
 * start of its inline hash with it. */
static inline void gm_set_hash0(gomap *m, uint32_t hash0)
{
	m->hash0 = hash0;
	m->hash_start = gm_hash_start(hash0, m->hooks.hashkey0);
}

/* ---- bucket accessors -------------------------------------------------- */

static inline uint8_t *gm_bucket_at(const gomap_type *t, uint8_t *array,
                                    uintptr_t i)
{
	return array + i * (uintptr_t)t->bucketsize;
}
static inline uint8_t *gm_key_slot(const gomap_type *t, uint8_t *b, uintptr_t i)
{
	return b + GM_DATA_OFFSET + i * t->keysize;
}
static inline uint8_t *gm_elem_slot(const gomap_type *t, uint8_t *b,
                                    uintptr_t i)
{
	return b + t->elemoff + i * t->elemsize;
}
static inline uint8_t *gm_overflow(const gomap_type *t, const uint8_t *b)
{
	uint8_t *ovf;
	memcpy(&ovf, b + t->ovfoff, sizeof ovf);
	return ovf;
}
static inline void gm_set_overflow(const gomap_type *t, uint8_t *b,
                                   uint8_t *ovf)
{
	memcpy(b + t->ovfoff, &ovf, sizeof ovf);
}
static inline void *gm_load_ptr(const void *slot)
{
	void *p;
	memcpy(&p, slot, sizeof p);
	return p;
}
static inline void gm_store_ptr(void *slot, void *p)
{
	memcpy(slot, &p, sizeof p);
}
/* The key value in a key slot (following the pointer if indirect). */
static inline void *gm_key_value(const gomap_type *t, uint8_t *slot)
{
	return t->indirectkey ? gm_load_ptr(slot) : slot;
}
static inline void *gm_elem_value(const gomap_type *t, uint8_t *slot)
{
	return t->indirectelem ? gm_load_ptr(slot) : slot;
}

static inline bool gm_is_empty(uint8_t th)
{
	return th <= GM_EMPTY_ONE;
}
/* Go: evacuated: a bucket is evacuated iff its first tophash says so. */
static inline bool gm_evacuated(const uint8_t *b)
{
	uint8_t h = b[0];
	return h > GM_EMPTY_ONE && h < GM_MIN_TOPHASH;
}
/* Go: tophash. */
static inline uint8_t gm_tophash(uint64_t hash)
{
	uint8_t top = (uint8_t)(hash >> 56);
	if (top < GM_MIN_TOPHASH)
		top += GM_MIN_TOPHASH;
	return top;
}
static inline uintptr_t gm_bucket_shift(uint8_t b)
{
	return (uintptr_t)1 << (b & 63);
}
static inline uintptr_t gm_bucket_mask(uint8_t b)
{
	return gm_bucket_shift(b) - 1;
}
static inline bool gm_growing(const gomap *m)
{
	return m->oldbuckets != NULL;
}
static inline bool gm_same_size_grow(const gomap *m)
{
	return (m->flags & GM_SAME_SIZE_GROW) != 0;
}
/* Go: noldbuckets. */
static inline uintptr_t gm_noldbuckets(const gomap *m)
{
	uint8_t oldB = m->B;
	if (!gm_same_size_grow(m))
		oldB--;
	return gm_bucket_shift(oldB);
}
static inline uintptr_t gm_oldbucket_mask(const gomap *m)
{
	return gm_noldbuckets(m) - 1;
}
/* Go: overLoadFactor.  (Under the test-only break, one entry fewer is
 * counted: a doubling growth starts one insert late.) */
static inline bool gm_over_load_factor(size_t count, uint8_t B)
{
	return count > GM_BUCKET_CNT + GOMAP_TEST_BREAK_LOAD_FACTOR_ONE_LATE &&
	       count > GM_LOAD_FACTOR_NUM *
	                       (gm_bucket_shift(B) / GM_LOAD_FACTOR_DEN) +
	                       GOMAP_TEST_BREAK_LOAD_FACTOR_ONE_LATE;
}
/* Go: tooManyOverflowBuckets. */
static inline bool gm_too_many_overflow_buckets(uint16_t noverflow, uint8_t B)
{
	if (B > 15)
		B = 15;
	return noverflow >= (uint16_t)(1u << (B & 15));
}

/* ---- the write protocol (rules 22, 67, 68) ------------------------------- */

void gm_fail(gomap *m, enum gomap_severity sev, const char *msg);
void gm_trim_reserve(gomap *m);

/* Entry of every write: a dead map refuses, and a write already in
 * progress is Go's fatal "concurrent map writes". */
static inline int gm_write_begin(gomap *m)
{
	if (m->dead)
		return GOMAP_EFATAL;
	if (m->flags & GM_HASH_WRITING) {
		gm_fail(m, GOMAP_FATAL, GM_MSG_CONCURRENT_WRITES);
		return GOMAP_EFATAL;
	}
	return GOMAP_OK;
}

/* Exit of every write: the flag must still be ours; then it is cleared
 * [I8]. */
static inline int gm_write_end(gomap *m)
{
	if (!(m->flags & GM_HASH_WRITING)) {
		gm_fail(m, GOMAP_FATAL, GM_MSG_CONCURRENT_WRITES);
		return GOMAP_EFATAL;
	}
	m->flags &= (uint8_t)~GM_HASH_WRITING;
	return GOMAP_OK;
}

/* A write that ran out of memory before changing anything: drop the flag,
 * rewind the random stream to before the key's hash, and give back what
 * the reserve took (docs/design.md, "Allocation failure"). */
static inline int gm_write_abort_nomem(gomap *m, uint64_t rand_before)
{
	m->flags ^= GM_HASH_WRITING;
	m->rand_state = rand_before;
	gm_trim_reserve(m);
	return GOMAP_ENOMEM;
}

/* ---- shared internal functions ------------------------------------------ */

/* hooks.c */
uint64_t gm_hash(gomap *m, const void *key); /* t->key.hash with hash0 */
bool gm_key_equal(gomap *m, const void *a, const void *b);
/* pages.c: the default allocator's large blocks (zeroed, huge pages).
 * From 1 MiB, where rounding a block up to a 2 MiB mapping at most
 * doubles it, as the growth that asked for it did.  At 4 MiB, a map of
 * 1e5 entries took its arrays of 1-4 MiB from calloc, which gets fresh
 * 4 KiB pages for each: on a VM where a page fault costs a VM exit, W1
 * and W7's inserts at 1e5 ran 2.4 times slower (bench/README.md). */
#define GM_PAGES_MIN ((size_t)1 << 20)
void *gm_pages_alloc(size_t size);
void gm_pages_free(void *p, size_t size);
/* memory.c */
/* zeroed; NULL on failure; site: gomap.h, enum gomap_alloc_site */
void *gm_alloc(gomap *m, size_t size, enum gomap_alloc_site site);
void gm_free(gomap *m, void *payload);
void gm_retire(gomap *m, void *payload); /* free now or when no iterator */
void gm_flush_graveyard(gomap *m);
int gm_reserve_buckets(gomap *m, size_t n, enum gomap_alloc_site site);
int gm_reserve_objects(gomap *m, enum gomap_alloc_site key_site,
                       enum gomap_alloc_site elem_site);
uint8_t *gm_take_reserved_bucket(gomap *m);
void *gm_take_key_obj(gomap *m);
void *gm_take_elem_obj(gomap *m);
void gm_retire_heap_list(gomap *m, gm_block **list);
/* map.c */
uint8_t *gm_make_bucket_array(gomap *m, uint8_t b, size_t *nbuckets_out,
                              uint8_t **next_overflow);
size_t gm_bucket_array_len(const gomap_type *t, uint8_t b);
uint8_t *gm_newoverflow(gomap *m, uint8_t *b);
void gm_drop_old_array(gomap *m);
bool gm_access_k(gomap *m, const void *key, void **key_out, void **elem_out);
uint8_t *gm_alloc_grow_array(gomap *m, uint8_t newB, size_t *nalloc);
void gm_free_grow_array(gomap *m, uint8_t *a);
bool gm_grow_work_ends(gomap *m, uintptr_t bucket);
int gm_alloc_first_bucket(gomap *m);
void gm_drop_first_bucket(gomap *m);
uint8_t *gm_bucket_array_spares(gomap *m, uint8_t *a, uint8_t b, size_t n);
void gm_retire_object(gomap *m, void *obj);
/* map_grow.c */
void gm_hash_grow(gomap *m, uint8_t *new_array, size_t new_nalloc);
void gm_grow_work(gomap *m, uintptr_t bucket);
size_t gm_grow_work_need(gomap *m, uintptr_t bucket);
size_t gm_evacuation_need(const gomap *m, uint8_t *b);
/* map_iter.c */
void gm_iter_unregister(gomap_iter *it);

#endif
