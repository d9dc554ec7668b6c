/* The reference model on uthash.
 *
 * Go's key equality is reduced to byte equality on a "lookup key" that
 * each entry carries next to the key it stores:
 *   ORC_MEM  the key bytes;
 *   ORC_F64  the 8 bytes of the double with -0 turned into +0, so both
 *            zeros meet; a NaN gets 16 bytes (its bits and a serial
 *            number), a length no real lookup has, so it is never found
 *            yet is an ordinary entry for len, a walk and clear;
 *   ORC_STR  the string's bytes (copied: the stored gomap_str may be
 *            replaced by a later put of an equal string).
 * uthash compares lengths before bytes, which is what makes the NaN trick
 * sound.  Insertion order (uthash's app order) is the order of a walk. */
#include "model.h"

#include "entry_arena.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t model_mix(uint64_t h, uint64_t w)
{
	h = (h ^ w) * UINT64_C(0xff51afd7ed558ccd);
	return h ^ h >> 32;
}

/* uthash's default hash (Jenkins) reads keys a byte at a time, which
 * under ASan is a shadow check per byte; this one reads 8 bytes at a
 * time, and of a key longer than 64 bytes only the first and last 32 and
 * the length: long keys were 3.5% of a fuzz run in this hash alone.  Any
 * hash is correct for the model, only the speed differs: keys that differ
 * only in the middle share a chain, which uthash walks comparing whole
 * keys. */
static unsigned model_hash(const void *key, unsigned len)
{
	const unsigned char *p = key;
	uint64_t h = len * UINT64_C(0x9e3779b97f4a7c15), w;
	if (len > 64) {
		for (unsigned i = 0; i < 32; i += 8) {
			memcpy(&w, p + i, 8);
			h = model_mix(h, w);
			memcpy(&w, p + len - 32 + i, 8);
			h = model_mix(h, w);
		}
		len = 0;
	}
	for (; len >= 8; len -= 8, p += 8) {
		memcpy(&w, p, 8);
		h = model_mix(h, w);
	}
	if (len >= 4) {
		uint32_t w4;
		memcpy(&w4, p, 4);
		h = (h ^ w4) * UINT64_C(0xc4ceb9fe1a85ec53);
		len -= 4;
		p += 4;
	}
	while (len--)
		h = (h ^ *p++) * UINT64_C(0x100000001b3);
	h ^= h >> 33;
	h *= UINT64_C(0xff51afd7ed558ccd);
	h ^= h >> 33;
	return (unsigned)h;
}
#define HASH_FUNCTION(keyptr, keylen, hashv) \
	((hashv) = model_hash((keyptr), (unsigned)(keylen)))

/* uthash reports and allocates through these macros; they expand inside
 * functions whose model parameter is named `m`, so failures are recorded
 * per model, and the table and its buckets come from the model's arena
 * with its entries (two mallocs fewer per model, four models per
 * iterator). */
#define HASH_NONFATAL_OOM 1
#define uthash_nonfatal_oom(obj) (m->oom = true)
#define uthash_malloc(sz) orc_arena_alloc(&m->entries, (sz))
#define uthash_free(ptr, sz) orc_arena_release(&m->entries, (ptr), (sz))
#define HASH_DEBUG 1 /* defines HASH_FSCK; see fsck_now below */
#include <uthash.h>
#undef HASH_OOPS
#define HASH_OOPS(...) orc_oops(m, __VA_ARGS__)

struct orc_entry {
	UT_hash_handle hh;
	unsigned char *lookup;
	size_t lookup_len;
	unsigned char *key;
	unsigned char *elem;
};

struct orc_model {
	orc_valtype kt, et;
	struct orc_entry *head;
	orc_arena entries;
	uint64_t nan_serial;
	bool oom;
	bool paranoid; /* HASH_FSCK after every insert and delete */
	int fsck_failures;
	char fsck_msg[256];
};
_Static_assert(sizeof(struct orc_model) <= ORC_ARENA_CLASSES * 16,
               "a model is carved from its arena's chunks, not calloc'd");

__attribute__((format(printf, 2, 3))) static void orc_oops(orc_model *m,
                                                          const char *fmt, ...)
{
	if (m->fsck_failures++ == 0) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(m->fsck_msg, sizeof m->fsck_msg, fmt, ap);
		va_end(ap);
	}
}

/* uthash's whole-table check, expanded once here.  uthash calls HASH_FSCK
 * after every add and delete, which walks the whole table: quadratic over
 * a long trace (a million puts never finished).  So the macro is
 * redefined to run it only on a paranoid model; orc_fsck always runs it.
 * uthash's macros expand where they are used, in functions whose model
 * is named `m`, after this point. */
static void fsck_now(orc_model *m, const char *where)
{
	HASH_FSCK(hh, m->head, where);
}
#undef HASH_FSCK
#define HASH_FSCK(hh, head, where)               \
	do {                                     \
		if (m->paranoid)                 \
			fsck_now(m, (where));    \
	} while (0)

orc_model *orc_model_new(orc_valtype key, orc_valtype elem)
{
	if ((key.kind == ORC_F64 && key.size != sizeof(double)) ||
	    (key.kind == ORC_STR && key.size != sizeof(gomap_str)) ||
	    elem.kind == ORC_F64 ||
	    (elem.kind == ORC_STR && elem.size != sizeof(gomap_str)))
		return NULL;
	/* The model lives in its own arena, so that it too comes from a kept
	 * chunk (entry_arena.h); the arena is moved into it. */
	orc_arena arena = {0};
	orc_model *m = orc_arena_alloc(&arena, sizeof *m);
	if (m == NULL)
		return NULL;
	m->entries = arena;
	m->kt = key;
	m->et = elem;
	return m;
}

void orc_model_free(orc_model *m)
{
	if (m == NULL)
		return;
	orc_arena arena = m->entries; /* entries, uthash's table and m */
	orc_arena_free_all(&arena); /* m itself is in it */
}

/* How the table finds a key: its lookup bytes and their hash, computed
 * once for a find and the insert that may follow it.  `bytes` may point
 * at f64, so a lookup is filled in place and never copied. */
typedef struct lookup {
	const void *bytes;
	size_t len;
	unsigned hash;
	double f64;          /* an F64 key's bytes, +0 for -0 */
	unsigned char nan[16]; /* a NaN key's bytes and a serial */
} lookup;

/* Fills l for `key`; false for a NaN, which no lookup finds. */
static bool lookup_init(const orc_model *m, const void *key, lookup *l)
{
	switch (m->kt.kind) {
	case ORC_MEM:
		l->bytes = key;
		l->len = m->kt.size;
		break;
	case ORC_F64:
		memcpy(&l->f64, key, sizeof l->f64);
		if (isnan(l->f64))
			return false;
		if (l->f64 == 0)
			l->f64 = 0.0; /* Go: +0 == -0, one key */
		l->bytes = &l->f64;
		l->len = sizeof l->f64;
		break;
	case ORC_STR: {
		gomap_str s;
		memcpy(&s, key, sizeof s);
		l->bytes = s.len ? (const void *)s.ptr : (const void *)"";
		l->len = s.len;
		break;
	}
	}
	HASH_VALUE(l->bytes, (unsigned)l->len, l->hash);
	return true;
}

/* A NaN key's lookup: unique bytes, so every NaN is an entry of its own. */
static void lookup_init_nan(orc_model *m, const void *key, lookup *l)
{
	uint64_t serial = m->nan_serial++;
	memcpy(l->nan, key, 8);
	memcpy(l->nan + 8, &serial, 8);
	l->bytes = l->nan;
	l->len = sizeof l->nan;
	HASH_VALUE(l->bytes, (unsigned)l->len, l->hash);
}

static struct orc_entry *find_by(orc_model *m, const lookup *l)
{
	struct orc_entry *e = NULL;
	HASH_FIND_BYHASHVALUE(hh, m->head, l->bytes, (unsigned)l->len, l->hash, e);
	return e;
}

static struct orc_entry *find(orc_model *m, const void *key)
{
	lookup l;
	return lookup_init(m, key, &l) ? find_by(m, &l) : NULL;
}

static size_t round16(size_t n)
{
	return (n + 15) & ~(size_t)15;
}

/* An entry is one block: the entry, its key, its elem and, unless they
 * are the key's own bytes (ORC_MEM), its lookup bytes, each 16-aligned. */
static size_t key_offset(void)
{
	return round16(sizeof(struct orc_entry));
}

static size_t elem_offset(const orc_model *m)
{
	return key_offset() + round16(m->kt.size);
}

static size_t lookup_offset(const orc_model *m)
{
	return elem_offset(m) + round16(m->et.size);
}

static size_t entry_size(const orc_model *m, const struct orc_entry *e)
{
	return lookup_offset(m) + (e->lookup == e->key ? 0 : e->lookup_len + 1);
}

static void release(orc_model *m, struct orc_entry *e)
{
	orc_arena_release(&m->entries, e, entry_size(m, e));
}

/* A new entry for `key`, found by l and not yet in the table, with a zero
 * elem. */
static struct orc_entry *insert(orc_model *m, const void *key, const lookup *l)
{
	bool own_lookup = m->kt.kind != ORC_MEM;
	struct orc_entry *e = orc_arena_alloc(
		&m->entries, lookup_offset(m) + (own_lookup ? l->len + 1 : 0));
	if (e == NULL)
		return NULL;
	unsigned char *block = (unsigned char *)e;
	e->key = block + key_offset();
	e->elem = block + elem_offset(m);
	e->lookup = own_lookup ? block + lookup_offset(m) : e->key;
	e->lookup_len = l->len;
	memcpy(e->key, key, m->kt.size);
	if (own_lookup)
		memcpy(e->lookup, l->bytes, l->len);
	m->oom = false;
	HASH_ADD_KEYPTR_BYHASHVALUE(hh, m->head, e->lookup,
	                            (unsigned)e->lookup_len, l->hash, e);
	if (m->oom) {
		release(m, e);
		return NULL;
	}
	return e;
}

/* Go's mapassign: the entry for key, inserted (zero elem) when absent;
 * NULL when out of memory.  An existing float or string key is
 * overwritten by the new one (Go: needkeyupdate; -0 over +0, the new
 * string pointer). */
static struct orc_entry *assign(orc_model *m, const void *key)
{
	lookup l;
	struct orc_entry *e = NULL;
	if (lookup_init(m, key, &l))
		e = find_by(m, &l);
	else
		lookup_init_nan(m, key, &l);
	if (e == NULL)
		return insert(m, key, &l);
	if (m->kt.kind != ORC_MEM)
		memcpy(e->key, key, m->kt.size);
	return e;
}

int orc_put(orc_model *m, const void *key, const void *elem)
{
	struct orc_entry *e = assign(m, key);
	if (e == NULL)
		return -1;
	memcpy(e->elem, elem, m->et.size);
	return 0;
}

bool orc_get(orc_model *m, const void *key, const void **elem_out,
             const void **key_out)
{
	struct orc_entry *e = find(m, key);
	if (e == NULL)
		return false;
	if (elem_out)
		*elem_out = e->elem;
	if (key_out)
		*key_out = e->key;
	return true;
}

bool orc_del(orc_model *m, const void *key)
{
	struct orc_entry *e = find(m, key);
	if (e == NULL)
		return false;
	HASH_DELETE(hh, m->head, e);
	release(m, e);
	return true;
}

size_t orc_len(const orc_model *m)
{
	return HASH_COUNT(m->head);
}

void orc_clear(orc_model *m)
{
	struct orc_entry *e, *tmp;
	HASH_ITER(hh, m->head, e, tmp) {
		HASH_DELETE(hh, m->head, e);
		release(m, e);
	}
}

int orc_inc(orc_model *m, const void *key)
{
	size_t n = m->et.size;
	if (m->et.kind != ORC_MEM || (n != 1 && n != 4 && n != 8))
		return -1;
	/* Go: m[k]++ is an assignment through mapassign, so a float key is
	 * updated in place just as by put. */
	struct orc_entry *e = assign(m, key);
	if (e == NULL)
		return -1;
	if (n == 1) {
		e->elem[0]++;
	} else if (n == 4) {
		uint32_t v;
		memcpy(&v, e->elem, 4);
		v++;
		memcpy(e->elem, &v, 4);
	} else {
		uint64_t v;
		memcpy(&v, e->elem, 8);
		v++;
		memcpy(e->elem, &v, 8);
	}
	return 0;
}

orc_cursor orc_begin(const orc_model *m)
{
	return (orc_cursor){m->head};
}

bool orc_step(orc_cursor *c, orc_pair *out)
{
	const struct orc_entry *e = c->next;
	if (e == NULL)
		return false;
	*out = (orc_pair){e->key, e->elem};
	c->next = e->hh.next;
	return true;
}

void orc_model_set_paranoid(orc_model *m, bool on)
{
	m->paranoid = on;
}

bool orc_model_paranoid(const orc_model *m)
{
	return m->paranoid;
}

int orc_fsck(orc_model *m, char *msg, size_t msg_size)
{
	fsck_now(m, "orc_fsck");
	if (msg && msg_size)
		snprintf(msg, msg_size, "%s", m->fsck_failures ? m->fsck_msg : "");
	return m->fsck_failures;
}
