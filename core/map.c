/* Map lifetime: make, destroy, bucket arrays, overflow buckets, clear.
 * Lookup, assign and delete are in map_access.c (generic entry points) and
 * map_fast.c (fast entry points), both built on map_body.h. */
#include "map_internal.h"

#include <stdlib.h>

/* Go's malloc size classes up to 32 KiB (runtime/sizeclasses.go).  Only the
 * sizes matter here: they decide how many spare overflow buckets fit after
 * a bucket array [rule 11]. */
static const uint16_t size_classes[] = {
	8,     16,    24,    32,    48,    64,    80,    96,    112,   128,
	144,   160,   176,   192,   208,   224,   240,   256,   288,   320,
	352,   384,   416,   448,   480,   512,   576,   640,   704,   768,
	896,   1024,  1152,  1280,  1408,  1536,  1792,  2048,  2304,  2688,
	3072,  3200,  3456,  4096,  4864,  5376,  6144,  6528,  6784,  6912,
	8192,  9472,  9728,  10240, 10880, 12288, 13568, 14336, 16384, 18432,
	19072, 20480, 21760, 24576, 27264, 28672, 32768,
};

enum { MAX_SMALL_SIZE = 32768, PAGE_SIZE = 8192 };
#define GM_MAX_ALLOC ((uint64_t)1 << 48) /* Go's maxAlloc on linux/amd64 */

/* Go: roundupsize: the size Go's allocator really hands out. */
static size_t roundupsize(size_t size)
{
	if (size < MAX_SMALL_SIZE) {
		for (size_t i = 0; i < sizeof size_classes / sizeof size_classes[0]; i++)
			if (size_classes[i] >= size)
				return size_classes[i];
	}
	if (size + PAGE_SIZE < size)
		/* coverage-unreachable: array sizes stay far below SIZE_MAX */
		return size;
	return (size + PAGE_SIZE - 1) & ~(size_t)(PAGE_SIZE - 1);
}

/* Go: makeBucketArray's sizing: 2^b buckets, and from b = 4 on 2^(b-4)
 * spares more, rounded up to whatever fills the size class [rule 11]. */
size_t gm_bucket_array_len(const gomap_type *t, uint8_t b)
{
	size_t base = gm_bucket_shift(b), n = base;
	if (b >= 4) {
		n += gm_bucket_shift(b - 4);
		size_t sz = t->bucketsize * n;
		size_t up = roundupsize(sz);
		if (up != sz)
			n = up / t->bucketsize;
	}
	return n;
}

static uint8_t *alloc_bucket_array(gomap *m, size_t nbuckets,
                                   enum gomap_alloc_site site)
{
	if (nbuckets > SIZE_MAX / m->t.bucketsize)
		/* coverage-unreachable: hint cap and memory bound B */
		return NULL;
	uint8_t *a = gm_alloc(m, nbuckets * m->t.bucketsize, site);
	if (a) {
		m->mem.bucket_arrays++;
		m->mem.bucket_array_bytes += nbuckets * m->t.bucketsize;
	}
	return a;
}

static void retire_bucket_array(gomap *m, uint8_t *a)
{
	if (a == NULL)
		return;
	m->mem.bucket_arrays--;
	m->mem.bucket_array_bytes -= gm_block_of(a)->size;
	gm_retire(m, a);
}

/* Go: makeBucketArray on memory the caller allocated (or, for clear, the
 * current array): zero it and set up the spare pool.  The last spare's
 * overflow pointer is a non-NULL sentinel (the array base) so newoverflow
 * knows when the pool is used up [I10]. */
uint8_t *gm_bucket_array_spares(gomap *m, uint8_t *a, uint8_t b,
                               size_t nbuckets)
{
	size_t base = gm_bucket_shift(b);
	if (base == nbuckets)
		return NULL;
	gm_set_overflow(&m->t, gm_bucket_at(&m->t, a, nbuckets - 1), a);
	return gm_bucket_at(&m->t, a, base);
}

static uint8_t *init_bucket_array(gomap *m, uint8_t *a, uint8_t b,
                                  size_t nbuckets)
{
	memset(a, 0, nbuckets * m->t.bucketsize);
	return gm_bucket_array_spares(m, a, b, nbuckets);
}

uint8_t *gm_make_bucket_array(gomap *m, uint8_t b, size_t *nbuckets_out,
                              uint8_t **next_overflow)
{
	size_t n = gm_bucket_array_len(&m->t, b);
	uint8_t *a = alloc_bucket_array(m, n, GOMAP_SITE_MAKE_ARRAY); /* zeroed */
	if (a == NULL)
		return NULL;
	*nbuckets_out = n;
	*next_overflow = gm_bucket_array_spares(m, a, b, n);
	return a;
}

/* Go: incrnoverflow: exact below B = 16, then one in 2^(B-15), decided by
 * a random draw per overflow bucket [rule 47, I9, P6]. */
static void incrnoverflow(gomap *m)
{
	if (m->B < 16) {
		m->noverflow++;
		return;
	}
	/* coverage-marker: noverflow-counted-by-chance */
	uint32_t mask = ((uint32_t)1 << (m->B - 15)) - 1;
	if ((gomap_fastrand(m) & mask) == 0)
		m->noverflow++;
}

/* Go: newoverflow: a spare from the preallocated pool if one is left, else
 * a (reserved) heap bucket; linked after b. */
uint8_t *gm_newoverflow(gomap *m, uint8_t *b)
{
	uint8_t *ovf;
	if (m->next_overflow != NULL) {
		ovf = m->next_overflow;
		if (gm_overflow(&m->t, ovf) == NULL) {
			m->next_overflow = ovf + m->t.bucketsize;
		} else {
			/* the sentinel: the last spare [I10] */
			/* coverage-marker: spare-overflow-used-up */
			gm_set_overflow(&m->t, ovf, NULL);
			m->next_overflow = NULL;
		}
	} else {
		ovf = gm_take_reserved_bucket(m);
		if (ovf == NULL)
			/* coverage-unreachable: after its throw only */
			return NULL;
	}
	incrnoverflow(m);
	if (!m->t.bucket_has_pointers)
		m->has_extra = true; /* Go: createOverflow */
	gm_set_overflow(&m->t, b, ovf);
	return ovf;
}

/* ---- make / destroy -------------------------------------------------------- */

static bool hint_is_bogus(const gomap_type *t, int64_t hint)
{
	if (hint < 0)
		return true;
	uint64_t mem;
	if (__builtin_mul_overflow((uint64_t)hint, (uint64_t)t->bucketsize, &mem))
		return true;
	return mem > GM_MAX_ALLOC;
}

/* Whether the key type hashes with Go's own memhash32/memhash64/strhash,
 * which the fast paths then inline (map_body.h). */
static bool uses_go_hash(const gomap_type *t)
{
	gomap_keytype b4, b8;
	gomap_key_bytes(4, &b4);
	gomap_key_bytes(8, &b8);
	switch (t->fast) {
	case GOMAP_FAST_32:
		return t->key.hash == gomap_key_u32.hash || t->key.hash == b4.hash;
	case GOMAP_FAST_64:
		return t->key.hash == gomap_key_u64.hash || t->key.hash == b8.hash;
	case GOMAP_FAST_STR:
		return t->key.hash == gomap_key_str.hash;
	default:
		return false;
	}
}

static gomap *alloc_header(const gomap_hooks *hooks)
{
	gomap *m = hooks && hooks->alloc
	                   ? hooks->alloc(hooks->alloc_ctx, sizeof *m, GOMAP_SITE_HEADER)
	                   : malloc(sizeof *m);
	if (m)
		memset(m, 0, sizeof *m);
	return m;
}

static void free_header(gomap *m)
{
	if (m->hooks.alloc)
		m->hooks.free(m->hooks.alloc_ctx, m, sizeof *m);
	else
		free(m);
}

/* Go: makemap (makemap_small when B stays 0). */
gomap *gomap_make(const gomap_type *t, int64_t hint, const gomap_hooks *hooks,
                  int *status)
{
	int dummy;
	if (status == NULL)
		status = &dummy;
	if (t == NULL || t->bucketsize == 0 ||
	    (hooks && (hooks->alloc == NULL) != (hooks->free == NULL))) {
		*status = GOMAP_EINVAL;
		return NULL;
	}
	gomap *m = alloc_header(hooks);
	if (m == NULL) {
		*status = GOMAP_ENOMEM;
		return NULL;
	}
	m->t = *t;
	if (hooks)
		m->hooks = *hooks;
	if (m->hooks.hashkey0 == 0)
		m->hooks.hashkey0 = GOMAP_DEFAULT_HASHKEY0;
	m->rand_state = m->hooks.rand_seed;
	m->inline_hash = uses_go_hash(t);
	m->lookup_lane = (uint8_t)(m->inline_hash ? t->fast : GOMAP_FAST_NONE);
	if (t->elem.size > GM_ZERO_SIZE) {
		m->zero = gm_alloc(m, t->elem.size, GOMAP_SITE_ZERO_ELEM);
		if (m->zero == NULL)
			goto nomem;
	}

	if (hint_is_bogus(t, hint))
		hint = 0;
	gm_set_hash0(m, gomap_fastrand(m)); /* make's one draw [P4, P5] */
	uint8_t B = 0; /* the smallest B the hint fits [P2] */
	while (gm_over_load_factor((size_t)hint, B))
		B++;
	m->B = B;
	/* B = 0: the single bucket is allocated by the first assign [rule 10] */
	if (B != 0) {
		m->buckets = gm_make_bucket_array(m, B, &m->nbuckets_alloc,
		                                  &m->next_overflow);
		if (m->buckets == NULL)
			goto nomem;
		if (m->next_overflow != NULL)
			m->has_extra = true;
	}
	*status = GOMAP_OK;
	return m;
nomem:
	gm_free(m, m->zero);
	free_header(m);
	*status = GOMAP_ENOMEM;
	return NULL;
}

/* Calls fn on every indirect key/elem object owned by a live slot: those of
 * the current array and of old chains not yet evacuated.  Evacuated slots
 * hold copies of pointers whose objects belong to the new array. */
static void for_each_owned_object(gomap *m, void (*fn)(gomap *, void *))
{
	const gomap_type *t = &m->t;
	if (!t->indirectkey && !t->indirectelem)
		return;
	uint8_t *arrays[2] = {m->buckets, m->oldbuckets};
	uintptr_t counts[2] = {m->buckets ? gm_bucket_shift(m->B) : 0,
	                       m->oldbuckets ? gm_noldbuckets(m) : 0};
	for (int a = 0; a < 2; a++) {
		for (uintptr_t i = 0; i < counts[a]; i++) {
			uint8_t *b = gm_bucket_at(t, arrays[a], i);
			if (gm_evacuated(b))
				continue;
			for (; b; b = gm_overflow(t, b)) {
				for (uintptr_t s = 0; s < GM_BUCKET_CNT; s++) {
					if (b[s] < GM_MIN_TOPHASH)
						continue;
					if (t->indirectkey)
						fn(m, gm_load_ptr(gm_key_slot(t, b, s)));
					if (t->indirectelem)
						fn(m, gm_load_ptr(gm_elem_slot(t, b, s)));
				}
			}
		}
	}
}

void gm_retire_object(gomap *m, void *obj)
{
	if (obj == NULL)
		/* coverage-unreachable: NULL only after take_object threw */
		return;
	m->mem.indirect_objects--;
	m->mem.indirect_bytes -= gm_block_of(obj)->size;
	gm_retire(m, obj);
}

void gomap_destroy(gomap *m)
{
	if (m == NULL)
		return;
	m->live_iterators = 0; /* nothing may read the map any more */
	for_each_owned_object(m, gm_retire_object);
	retire_bucket_array(m, m->buckets);
	retire_bucket_array(m, m->oldbuckets);
	gm_retire_heap_list(m, &m->heap_ovf);
	gm_retire_heap_list(m, &m->old_heap_ovf);
	gm_trim_reserve(m);
	while (m->nreserve) {
		gm_block *blk = m->reserve;
		m->reserve = blk->next;
		m->nreserve--;
		gm_free(m, gm_payload(blk));
	}
	gm_free(m, m->spare_key_obj);
	gm_free(m, m->spare_elem_obj);
	gm_free(m, m->zero);
	gm_flush_graveyard(m);
	free_header(m);
}

size_t gomap_len(const gomap *m)
{
	return m ? m->count : 0;
}

/* Ends a growth: the old array and its overflow buckets are dropped
 * (Go: the tail of advanceEvacuationMark). */
void gm_drop_old_array(gomap *m)
{
	retire_bucket_array(m, m->oldbuckets);
	gm_retire_heap_list(m, &m->old_heap_ovf);
	m->oldbuckets = NULL;
	m->old_nbuckets_alloc = 0;
}

/* Allocates the array a grow will switch to (before anything changes). */
uint8_t *gm_alloc_grow_array(gomap *m, uint8_t newB, size_t *nalloc)
{
	*nalloc = gm_bucket_array_len(&m->t, newB);
	return alloc_bucket_array(m, *nalloc, GOMAP_SITE_GROW_ARRAY);
}

/* Gives back a grow array that no growth used (gm_assign_body's spare). */
void gm_free_grow_array(gomap *m, uint8_t *a)
{
	retire_bucket_array(m, a);
}

/* Go: the first assignment's bucket allocation, makemap_small style. */
int gm_alloc_first_bucket(gomap *m)
{
	m->buckets = alloc_bucket_array(m, 1, GOMAP_SITE_FIRST_BUCKET);
	if (m->buckets == NULL)
		return GOMAP_ENOMEM;
	m->nbuckets_alloc = 1;
	return GOMAP_OK;
}

void gm_drop_first_bucket(gomap *m)
{
	retire_bucket_array(m, m->buckets);
	m->buckets = NULL;
	m->nbuckets_alloc = 0;
}

/* ---- clear -------------------------------------------------------------- */

/* Go: mapclear (Go 1.19: running iterators are not stopped, rule 57). */
int gomap_clear(gomap *m)
{
	if (m == NULL || m->count == 0)
		return GOMAP_OK;
	int st = gm_write_begin(m);
	if (st != GOMAP_OK)
		return st;
	m->flags ^= GM_HASH_WRITING; /* [I8] */

	for_each_owned_object(m, gm_retire_object);
	m->flags &= (uint8_t)~GM_SAME_SIZE_GROW;
	if (m->oldbuckets)
		gm_drop_old_array(m); /* coverage-marker: clear-mid-growth */
	m->nevacuate = 0;
	m->noverflow = 0;
	m->count = 0;
	gm_set_hash0(m, gomap_fastrand(m)); /* [P4] */
	/* Go zeroes *extra; the heap overflow buckets go with it */
	m->next_overflow = NULL;
	gm_retire_heap_list(m, &m->heap_ovf);
	uint8_t *next = init_bucket_array(m, m->buckets, m->B, m->nbuckets_alloc);
	if (next != NULL)
		m->next_overflow = next;

	return gm_write_end(m);
}

/* ---- introspection -------------------------------------------------------- */

void gomap_header(const gomap *m, gomap_header_view *out)
{
	memset(out, 0, sizeof *out);
	out->next_overflow = -1;
	if (m == NULL)
		return;
	out->count = m->count;
	out->flags = m->flags;
	out->B = m->B;
	out->noverflow = m->noverflow;
	out->hash0 = m->hash0;
	out->nevacuate = m->nevacuate;
	out->growing = m->oldbuckets != NULL;
	out->has_extra = m->has_extra;
	out->nbuckets_alloc = m->buckets ? m->nbuckets_alloc : 0;
	out->prealloc = m->buckets ? m->nbuckets_alloc - gm_bucket_shift(m->B) : 0;
	if (m->next_overflow)
		out->next_overflow =
			(m->next_overflow - m->buckets) / m->t.bucketsize;
	out->hashkey0 = m->hooks.hashkey0;
	out->rand_state = m->hooks.rand64 ? 0 : m->rand_state;
	out->live_iterators = m->live_iterators;
	out->array = m->buckets;
}

void gomap_growth_state(const gomap *m, gomap_growth_view *out)
{
	out->count = m->count;
	out->flags = m->flags;
	out->B = m->B;
	out->noverflow = m->noverflow;
	out->hash0 = m->hash0;
	out->growing = m->oldbuckets != NULL;
	out->nevacuate = m->nevacuate;
	out->array = m->buckets;
	out->rand_state = m->hooks.rand64 ? 0 : m->rand_state;
}

bool gomap_old_bucket_evacuated(const gomap *m, uintptr_t i)
{
	if (m == NULL || m->oldbuckets == NULL || i >= gm_noldbuckets(m))
		return false;
	return gm_evacuated(gm_bucket_at(&m->t, m->oldbuckets, i));
}

void gomap_memstats_get(const gomap *m, gomap_memstats *out)
{
	memset(out, 0, sizeof *out);
	if (m)
		*out = m->mem;
}
