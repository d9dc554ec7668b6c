/* Helpers for the core's tests; see core_helpers.h. */
#include "core_helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- hooks -------------------------------------------------------------- */

static void *ct_alloc_fn(void *ctx, size_t size, enum gomap_alloc_site site)
{
	ct_alloc *a = ctx;
	a->nallocs++;
	a->at_site[site]++;
	if (a->fail_at != 0 && a->nallocs == a->fail_at) {
		a->nfailed++;
		a->failed_site = site;
		return NULL;
	}
	void *p = malloc(size);
	if (p) {
		a->live_blocks++;
		a->live_bytes += size;
	}
	return p;
}

static void ct_free_fn(void *ctx, void *p, size_t size)
{
	ct_alloc *a = ctx;
	if (p == NULL)
		return;
	a->live_blocks--;
	a->live_bytes -= size;
	free(p);
}

static uint64_t ct_rand_fn(void *ctx)
{
	ct_rand *r = ctx;
	r->draws++;
	if (r->pos < r->nscript)
		return r->script[r->pos++];
	if (r->repeat_last && r->nscript)
		return r->script[r->nscript - 1];
	return gomap_wyrand(&r->state);
}

static void ct_fail_fn(void *ctx, enum gomap_severity sev, const char *msg)
{
	ct_fail *f = ctx;
	f->count++;
	f->sev = sev;
	snprintf(f->msg, sizeof f->msg, "%s", msg);
}

void ct_env_init(ct_env *e, uint64_t seed, unsigned what)
{
	memset(e, 0, sizeof *e);
	e->hooks.fail = ct_fail_fn;
	e->hooks.fail_ctx = &e->fail;
	e->hooks.rand_seed = seed;
	if (what & CT_HOOK_ALLOC) {
		e->hooks.alloc = ct_alloc_fn;
		e->hooks.free = ct_free_fn;
		e->hooks.alloc_ctx = &e->alloc;
	}
	if (what & CT_HOOK_RAND) {
		e->rand.state = seed;
		e->hooks.rand64 = ct_rand_fn;
		e->hooks.rand_ctx = &e->rand;
	}
}

void ct_alloc_arm(ct_env *e, long n)
{
	e->alloc.nallocs = 0;
	e->alloc.fail_at = n;
}

void ct_rand_script(ct_env *e, const uint64_t *v, size_t n, bool repeat_last)
{
	e->rand.script = v;
	e->rand.nscript = n;
	e->rand.pos = 0;
	e->rand.repeat_last = repeat_last;
}

/* ---- maps ------------------------------------------------------------- */

gomap_type ct_type(const char *key, const char *elem)
{
	gomap_keytype k;
	gomap_elemtype e;
	gomap_type t;
	memset(&t, 0, sizeof t);
	if (!gomap_key_by_name(key, &k) || !gomap_elem_by_name(elem, &e) ||
	    gomap_type_init(&t, &k, &e) != GOMAP_OK) {
		fprintf(stderr, "ct_type: bad type %s %s\n", key, elem);
		abort();
	}
	return t;
}

gomap *ct_make_type(ct_env *e, const gomap_type *t, int64_t hint)
{
	int st = -1;
	gomap *m = gomap_make(t, hint, e ? &e->hooks : NULL, &st);
	if (m == NULL || st != GOMAP_OK) {
		fprintf(stderr, "ct_make: status %d\n", st);
		abort();
	}
	return m;
}

gomap *ct_make(ct_env *e, const char *key, const char *elem, int64_t hint)
{
	gomap_type t = ct_type(key, elem);
	return ct_make_type(e, &t, hint);
}

gomap_header_view ct_hdr(const gomap *m)
{
	gomap_header_view h;
	gomap_header(m, &h);
	return h;
}

static void store_elem(gomap *m, void *elem, uint64_t v)
{
	size_t n = gomap_type_of(m)->elem.size;
	memcpy(elem, &v, n < 8 ? n : 8);
}

static uint64_t load_elem(gomap *m, const void *elem)
{
	uint64_t v = 0;
	size_t n = gomap_type_of(m)->elem.size;
	memcpy(&v, elem, n < 8 ? n : 8);
	return v;
}

static int put_key(gomap *m, const void *k, uint64_t v)
{
	void *e;
	int st = gomap_assign(m, k, &e);
	if (st == GOMAP_OK)
		store_elem(m, e, v);
	return st;
}

static bool get_key(gomap *m, const void *k, uint64_t *v)
{
	bool found = false;
	const void *e = gomap_access2(m, k, &found);
	if (v)
		*v = found ? load_elem(m, e) : 0;
	return found;
}

int ct_put(gomap *m, uint64_t k, uint64_t v) { return put_key(m, &k, v); }
bool ct_get(gomap *m, uint64_t k, uint64_t *v) { return get_key(m, &k, v); }
int ct_del(gomap *m, uint64_t k) { return gomap_delete(m, &k); }
int ct_put_f(gomap *m, double k, uint64_t v) { return put_key(m, &k, v); }
bool ct_get_f(gomap *m, double k, uint64_t *v) { return get_key(m, &k, v); }
int ct_del_f(gomap *m, double k) { return gomap_delete(m, &k); }

static gomap_str cstr(const char *s)
{
	return (gomap_str){(const uint8_t *)s, strlen(s)};
}
int ct_put_s(gomap *m, const char *k, uint64_t v)
{
	gomap_str s = cstr(k);
	return put_key(m, &s, v);
}
bool ct_get_s(gomap *m, const char *k, uint64_t *v)
{
	gomap_str s = cstr(k);
	return get_key(m, &s, v);
}
int ct_del_s(gomap *m, const char *k)
{
	gomap_str s = cstr(k);
	return gomap_delete(m, &s);
}

uint64_t ct_hash_u64(const gomap *m, uint64_t k)
{
	gomap_header_view h = ct_hdr(m);
	return gomap_memhash64(k, h.hash0, h.hashkey0);
}

uint64_t ct_key_in_bucket(const gomap *m, uint64_t from, uintptr_t bucket,
                          uint8_t B)
{
	uint64_t mask = ((uint64_t)1 << B) - 1;
	for (uint64_t k = from;; k++)
		if ((ct_hash_u64(m, k) & mask) == bucket)
			return k;
}

size_t ct_iter_all(gomap *m, uint64_t *keys, uint64_t *elems, size_t cap)
{
	size_t n = 0;
	gomap_iter it;
	size_t ks = gomap_type_of(m)->key.size;
	for (gomap_iter_init(m, &it); it.key; gomap_iter_next(&it), n++) {
		if (n >= cap)
			continue;
		if (keys) {
			keys[n] = 0;
			memcpy(&keys[n], it.key, ks < 8 ? ks : 8);
		}
		if (elems)
			elems[n] = load_elem(m, it.elem);
	}
	return n;
}

#define CT_M1 UINT64_C(0xa0761d6478bd642f)

uint64_t ct_wyrand_state(uint64_t seed, long n)
{
	return seed + (uint64_t)n * CT_M1;
}

uint64_t ct_wyrand_nth(uint64_t seed, long n)
{
	uint64_t s = ct_wyrand_state(seed, n - 1);
	return gomap_wyrand(&s);
}

long ct_draws_since(const gomap *m, uint64_t seed)
{
	/* state = seed + n*m1 (mod 2^64); m1 is odd, so invert it */
	uint64_t inv = CT_M1;
	for (int i = 0; i < 6; i++)
		inv *= 2 - CT_M1 * inv;
	return (long)((ct_hdr(m).rand_state - seed) * inv);
}

/* ---- dump and check --------------------------------------------------- */

char *ct_dump(const gomap *m)
{
	gomap_textbuf tb = {0};
	gomap_dump_text(m, &tb);
	if (tb.oom || tb.data == NULL) {
		gomap_textbuf_free(&tb);
		return strdup("");
	}
	return tb.data; /* the buffer's own allocation */
}

bool ct_dump_has(const gomap *m, const char *needle)
{
	char *d = ct_dump(m);
	bool has = strstr(d, needle) != NULL;
	if (!has)
		fprintf(stderr, "dump lacks \"%s\":\n%s", needle, d);
	free(d);
	return has;
}

void ct_check_at(const gomap *m, const char *file, int line)
{
	char msg[256];
	int r = gomap_check(m, msg, sizeof msg);
	gm_test_checks++;
	if (r != 0) {
		fprintf(stderr, "%s:%d: gomap_check: %s\n", file, line, msg);
		gm_test_failures++;
	}
}

void ct_expect_dump_at(const gomap *m, const char *expect, const char *file,
                       int line)
{
	char *d = ct_dump(m);
	gm_test_checks++;
	if (strcmp(d, expect) != 0) {
		fprintf(stderr, "%s:%d: dump changed; before:\n%safter:\n%s", file,
		        line, expect, d);
		gm_test_failures++;
	}
	free(d);
}

uint64_t ct_next(uint64_t *s)
{
	uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4b9e5);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}
