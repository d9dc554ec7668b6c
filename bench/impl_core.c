/* The gomap core, called as a C user would: a type built once with
 * gomap_type_init, then the fast64 / faststr entry points and the
 * iterator.  Timed runs use the default hooks (malloc, wyrand) with a
 * seed per map; --mem counts bytes through an allocator hook and pins the
 * seed and hashkey0 so that go/main.go -mem builds the same buckets.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "gomap.h"

#define IMPL_NAME "core"
#define BENCH_RUN bench_core_run

static gomap_type u64_type, str_type;
/* Each timed map gets the next seed, as Go draws a fresh hash0 for every
 * map: maps rebuilt from the same keys under one seed go through the same
 * bucket states, whose branches the CPU then learns (an insert at 1e3 took
 * 9 ns that way against 21 ns with a seed per map). */
static uint64_t run_seed = 0x5eed;

static const gomap_hooks *run_hooks(void)
{
	static gomap_hooks h;
	h.rand_seed = run_seed++;
	return &h;
}

static void core_types(void)
{
	static bool done;
	if (done)
		return;
	if (gomap_type_init(&u64_type, &gomap_key_u64, &gomap_elem_u64) != GOMAP_OK ||
	    gomap_type_init(&str_type, &gomap_key_str, &gomap_elem_u64) != GOMAP_OK)
		bench_fail(IMPL_NAME, "gomap_type_init failed");
	done = true;
}

static gomap *core_make(const gomap_type *t, size_t hint, const gomap_hooks *h)
{
	int st = GOMAP_OK;
	core_types();
	gomap *m = gomap_make(t, (int64_t)hint, h, &st);
	if (!m)
		bench_fail(IMPL_NAME, "gomap_make: %s", gomap_strerror(st));
	return m;
}

static void core_status(int st, const char *what)
{
	if (st != GOMAP_OK)
		bench_fail(IMPL_NAME, "%s: %s", what, gomap_strerror(st));
}

/* struct imap is never defined: a gomap * is used as one. */
static inline struct imap *imap_make(size_t hint)
{
	core_types();
	return (struct imap *)core_make(&u64_type, hint, run_hooks());
}
static inline void imap_destroy(struct imap *m) { gomap_destroy((gomap *)m); }
static inline size_t imap_len(struct imap *m) { return gomap_len((gomap *)m); }

static void imap_check(struct imap *m)
{
	char msg[512];
	int inv = gomap_check((gomap *)m, msg, sizeof msg);
	if (inv)
		bench_fail(IMPL_NAME, "gomap_check: invariant %d: %s", inv, msg);
}

static inline void imap_put(struct imap *m, uint64_t k, uint64_t v)
{
	void *slot;
	int st = gomap_assign_fast64((gomap *)m, k, &slot);
	if (__builtin_expect(st != GOMAP_OK, 0))
		core_status(st, "gomap_assign_fast64");
	memcpy(slot, &v, sizeof v);
}

static inline bool imap_get(struct imap *m, uint64_t k, uint64_t *v)
{
	bool found;
	const void *e = gomap_access2_fast64((gomap *)m, k, &found);
	memcpy(v, e, sizeof *v);
	return found;
}

static inline void imap_del(struct imap *m, uint64_t k)
{
	int st = gomap_delete_fast64((gomap *)m, k);
	if (__builtin_expect(st != GOMAP_OK, 0))
		core_status(st, "gomap_delete_fast64");
}

static inline void imap_sum(struct imap *m, uint64_t *cnt, uint64_t *sk,
                            uint64_t *sv)
{
	gomap_iter it;
	for (gomap_iter_init((gomap *)m, &it); it.key; gomap_iter_next(&it)) {
		uint64_t k, v;
		memcpy(&k, it.key, sizeof k);
		memcpy(&v, it.elem, sizeof v);
		++*cnt;
		*sk += k;
		*sv += v;
	}
}

static inline struct smap *smap_make(void)
{
	return (struct smap *)core_make(&str_type, 0, run_hooks());
}
static inline void smap_destroy(struct smap *m) { gomap_destroy((gomap *)m); }
static inline size_t smap_len(struct smap *m) { return gomap_len((gomap *)m); }

static inline void smap_put(struct smap *m, const uint8_t *k, size_t len,
                            uint64_t v)
{
	void *slot;
	int st = gomap_assign_faststr((gomap *)m, (gomap_str){k, len}, &slot);
	if (__builtin_expect(st != GOMAP_OK, 0))
		core_status(st, "gomap_assign_faststr");
	memcpy(slot, &v, sizeof v);
}

static inline bool smap_get(struct smap *m, const uint8_t *k, size_t len,
                            uint64_t *v)
{
	bool found;
	const void *e = gomap_access2_faststr((gomap *)m, (gomap_str){k, len}, &found);
	memcpy(v, e, sizeof *v);
	return found;
}

#include "workloads.h"

/* ---- --mem ------------------------------------------------------------- */

struct counting {
	size_t live, peak, allocs;
};

static void *count_alloc(void *ctx, size_t size, enum gomap_alloc_site site)
{
	(void)site;
	struct counting *c = ctx;
	void *p = malloc(size ? size : 1);
	if (p) {
		c->live += size;
		c->allocs++;
		if (c->live > c->peak)
			c->peak = c->live;
	}
	return p;
}

static void count_free(void *ctx, void *p, size_t size)
{
	struct counting *c = ctx;
	if (p)
		c->live -= size;
	free(p);
}

static uint64_t fold(uint64_t h, uint64_t x)
{
	return (h ^ x) * UINT64_C(0x100000001b3);
}

/* Reads the structure dump (trace-format.md, "The structure dump") back:
 * the chain length of every bucket of the current array, and a digest of
 * every listed bucket (array, index, chain position, tophash bytes, and
 * slot:key=elem of the occupied slots), which go/main.go -mem computes
 * from Go's own buckets the same way. */
static uint64_t dump_digest(gomap *m, size_t nb, size_t *hist, size_t hist_len,
                            size_t *max_chain)
{
	uint8_t *len = calloc(nb ? nb : 1, 1);
	FILE *f = tmpfile();
	if (!len || !f || gomap_dump(m, f) != 0)
		bench_fail(IMPL_NAME, "gomap_dump failed");
	rewind(f);
	uint64_t h = UINT64_C(0xcbf29ce484222325);
	static char line[1 << 16];
	while (fgets(line, sizeof line, f)) {
		if (!strchr(line, '\n') && !feof(f))
			bench_fail(IMPL_NAME, "dump line longer than %zu bytes", sizeof line);
		char *s = line + strspn(line, " ");
		int region = !strncmp(s, "new[", 4) ? 1 : !strncmp(s, "old[", 4) ? 2 : 0;
		if (!region)
			continue;
		char *p = s + 4;
		unsigned long long idx = strtoull(p, &p, 10), d = 0;
		if (!strncmp(p, "].ovf", 5))
			d = strtoull(p + 5, &p, 10);
		if (region == 1 && idx < nb && d > len[idx])
			len[idx] = (uint8_t)(d > 255 ? 255 : d);
		h = fold(fold(fold(h, (uint64_t)region), idx), d);
		p = strstr(p, "th=[");
		if (!p)
			bench_fail(IMPL_NAME, "unexpected dump line: %s", s);
		p += 4;
		for (int i = 0; i < 8; i++)
			h = fold(h, strtoull(p, &p, 16));
		p = strchr(p, ']') + 1;
		while (*p == ' ') {
			unsigned long long slot = strtoull(p + 1, &p, 10);
			unsigned long long k = strtoull(p + 1, &p, 0);
			unsigned long long v = strtoull(p + 1, &p, 0);
			h = fold(fold(fold(h, slot), k), v);
		}
	}
	fclose(f);
	*max_chain = 0;
	for (size_t i = 0; i < nb; i++) {
		if (len[i] < hist_len)
			hist[len[i]]++;
		if (len[i] > *max_chain)
			*max_chain = len[i];
	}
	free(len);
	return h;
}

int bench_core_mem(const struct bench_args *a)
{
	struct counting cnt = {0};
	gomap_hooks h = {
		.alloc = count_alloc, .free = count_free, .alloc_ctx = &cnt,
		.rand_seed = a->map_seed, .hashkey0 = a->hashkey0,
	};
	size_t n = a->n;
	uint64_t *keys = bench_hit_keys(a->seed, n);
	struct imap *m = (struct imap *)core_make(&u64_type, 0, &h);
	for (size_t i = 0; i < n; i++)
		imap_put(m, keys[i], i + 1);
	wl_check_full(m, keys, n, a);

	gomap_memstats ms;
	gomap_header_view hv;
	gomap_memstats_get((gomap *)m, &ms);
	gomap_header((gomap *)m, &hv);
	printf("MEM impl=core n=%zu hook_live=%zu hook_per_entry=%.2f hook_peak=%zu "
	       "allocs=%zu memstats_total=%zu memstats_per_entry=%.2f "
	       "bucket_array_bytes=%zu heap_overflow_bytes=%zu retired_bytes=%zu\n",
	       n, cnt.live, (double)cnt.live / n, cnt.peak, cnt.allocs,
	       ms.total_bytes, (double)ms.total_bytes / n, ms.bucket_array_bytes,
	       ms.heap_overflow_bytes, ms.retired_bytes);

	size_t nb = (size_t)1 << hv.B, hist[64] = {0}, max_chain = 0;
	uint64_t digest = dump_digest((gomap *)m, nb, hist, 64, &max_chain);
	size_t used = hv.next_overflow < 0 ? hv.prealloc : (size_t)hv.next_overflow - nb;
	printf("BUCKETS impl=core n=%zu B=%u hash0=%08x noverflow=%u growing=%d "
	       "prealloc=%zu spare_used=%zu next=%lld heap_overflow=%zu digest=%016llx max_chain=%zu",
	       n, hv.B, hv.hash0, hv.noverflow, hv.growing, hv.prealloc, used,
	       (long long)hv.next_overflow, ms.heap_overflow,
	       (unsigned long long)digest, max_chain);
	for (size_t c = 0; c <= max_chain && c < 64; c++)
		printf(" chain%zu=%zu", c, hist[c]);
	printf("\n");
	imap_destroy(m);
	free(keys);
	if (cnt.live != 0)
		bench_fail(IMPL_NAME, "%zu bytes still held after gomap_destroy", cnt.live);
	return 0;
}
