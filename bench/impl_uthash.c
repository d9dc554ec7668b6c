/* uthash (Debian's uthash-dev, <uthash.h>) as a u64->u64 and string->u64
 * map, the way a C user would write it: one malloc'd item per entry with an
 * embedded UT_hash_handle, the default Jenkins hash, insert as an upsert
 * (find, then add), delete frees the item.  uthash has no size hint: its
 * W2 is not run.
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

/* Allocation accounting for --mem: requested and malloc_usable_size bytes,
 * of the table (uthash_malloc) and of the items (ut_alloc). */
static size_t ut_live_req, ut_live_usable, ut_live_allocs;

static void *ut_alloc(size_t sz)
{
	void *p = bench_xmalloc(sz);
	ut_live_req += sz;
	ut_live_usable += malloc_usable_size(p);
	ut_live_allocs++;
	return p;
}

static void ut_free(void *p, size_t sz)
{
	if (!p)
		return;
	ut_live_req -= sz;
	ut_live_usable -= malloc_usable_size(p);
	ut_live_allocs--;
	free(p);
}

#define uthash_malloc(sz) ut_alloc(sz)
#define uthash_free(ptr, sz) ut_free(ptr, sz)
#include <uthash.h>

#define IMPL_NAME "uthash"
#define BENCH_RUN bench_uthash_run

struct iitem {
	uint64_t key, val;
	UT_hash_handle hh;
};
struct imap {
	struct iitem *head;
};

static inline struct imap *imap_make(size_t hint)
{
	(void)hint; /* uthash cannot presize */
	struct imap *m = ut_alloc(sizeof *m);
	m->head = NULL;
	return m;
}

static inline void imap_destroy(struct imap *m)
{
	struct iitem *it, *tmp;
	HASH_ITER(hh, m->head, it, tmp) {
		HASH_DEL(m->head, it);
		ut_free(it, sizeof *it);
	}
	ut_free(m, sizeof *m);
}

static inline size_t imap_len(struct imap *m) { return HASH_COUNT(m->head); }
static inline void imap_check(struct imap *m) { (void)m; }

static inline void imap_put(struct imap *m, uint64_t k, uint64_t v)
{
	struct iitem *it;
	unsigned hv;
	HASH_VALUE(&k, sizeof k, hv);
	HASH_FIND_BYHASHVALUE(hh, m->head, &k, sizeof k, hv, it);
	if (!it) {
		it = ut_alloc(sizeof *it);
		it->key = k;
		HASH_ADD_BYHASHVALUE(hh, m->head, key, sizeof k, hv, it);
	}
	it->val = v;
}

static inline bool imap_get(struct imap *m, uint64_t k, uint64_t *v)
{
	struct iitem *it;
	HASH_FIND(hh, m->head, &k, sizeof k, it);
	if (!it)
		return false;
	*v = it->val;
	return true;
}

static inline void imap_del(struct imap *m, uint64_t k)
{
	struct iitem *it;
	HASH_FIND(hh, m->head, &k, sizeof k, it);
	if (it) {
		HASH_DEL(m->head, it);
		ut_free(it, sizeof *it);
	}
}

static inline void imap_sum(struct imap *m, uint64_t *cnt, uint64_t *sk,
                            uint64_t *sv)
{
	for (struct iitem *it = m->head; it; it = it->hh.next) {
		++*cnt;
		*sk += it->key;
		*sv += it->val;
	}
}

/* String keys point into the caller's byte array (as gomap_str does). */
struct sitem {
	const uint8_t *key;
	uint64_t val;
	UT_hash_handle hh;
};
struct smap {
	struct sitem *head;
};

static inline struct smap *smap_make(void)
{
	struct smap *m = ut_alloc(sizeof *m);
	m->head = NULL;
	return m;
}

static inline void smap_destroy(struct smap *m)
{
	struct sitem *it, *tmp;
	HASH_ITER(hh, m->head, it, tmp) {
		HASH_DEL(m->head, it);
		ut_free(it, sizeof *it);
	}
	ut_free(m, sizeof *m);
}

static inline size_t smap_len(struct smap *m) { return HASH_COUNT(m->head); }

static inline void smap_put(struct smap *m, const uint8_t *k, size_t len,
                            uint64_t v)
{
	struct sitem *it;
	unsigned hv;
	HASH_VALUE(k, len, hv);
	HASH_FIND_BYHASHVALUE(hh, m->head, k, len, hv, it);
	if (!it) {
		it = ut_alloc(sizeof *it);
		it->key = k;
		HASH_ADD_KEYPTR_BYHASHVALUE(hh, m->head, k, len, hv, it);
	}
	it->val = v;
}

static inline bool smap_get(struct smap *m, const uint8_t *k, size_t len,
                            uint64_t *v)
{
	struct sitem *it;
	HASH_FIND(hh, m->head, k, len, it);
	if (!it)
		return false;
	*v = it->val;
	return true;
}

#include "workloads.h"

/* --mem: live bytes per entry after n inserts (no hint). */
int bench_uthash_mem(const struct bench_args *a)
{
	uint64_t *keys = bench_hit_keys(a->seed, a->n);
	size_t req0 = ut_live_req, use0 = ut_live_usable, al0 = ut_live_allocs;
	struct imap *m = wl_fill(keys, a->n, 0);
	wl_check_full(m, keys, a->n, a);
	size_t req = ut_live_req - req0, use = ut_live_usable - use0;
	/* glibc keeps one 8-byte size word in front of every chunk. */
	size_t allocs = ut_live_allocs - al0, chunk = use + 8 * allocs;
	printf("MEM impl=uthash n=%zu requested=%zu requested_per_entry=%.2f "
	       "usable=%zu usable_per_entry=%.2f allocs=%zu chunk_per_entry=%.2f "
	       "buckets=%u item_bytes=%zu\n",
	       a->n, req, (double)req / a->n, use, (double)use / a->n, allocs,
	       (double)chunk / a->n,
	       m->head ? m->head->hh.tbl->num_buckets : 0,
	       sizeof(struct iitem));
	imap_destroy(m);
	free(keys);
	return 0;
}
