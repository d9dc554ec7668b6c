/* The decoder's pool of recent keys (key_pool.h). */
#include "decoder.h"

#include <string.h>

void fz_pool_init(fz_key_pool *k, const fz_header *hdr)
{
	memset(k, 0, sizeof *k);
	k->hdr = hdr;
	memset(k->chain, -1, sizeof k->chain);
	for (int i = 0; i < FZ_POOL; i++)
		k->record[i].next = (int8_t)(i + 1 < FZ_POOL ? i + 1 : -1);
	k->free_record = 0;
}

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= UINT64_C(0xff51afd7ed558ccd);
	x ^= x >> 33;
	return x;
}

static uint64_t load8(const uint8_t *b)
{
	uint64_t w;
	memcpy(&w, b, 8);
	return w;
}

/* The first and last up to 8 bytes of b[0..n), read without a memcpy of
 * a variable length: under ASan that is a call that checks the range,
 * once or twice per decoded operation. */
static void head_and_tail(const uint8_t *b, size_t n, uint64_t *head,
                          uint64_t *tail)
{
	if (n >= 8) {
		*head = load8(b);
		*tail = load8(b + n - 8);
		return;
	}
	uint64_t w = 0;
	for (size_t i = 0; i < n; i++)
		w |= (uint64_t)b[i] << 8 * i;
	*head = w;
	*tail = 0;
}

/* A number that equal keys (fz_key_equal) share: the length and up to 16
 * bytes from each end of the key's bytes (a string's content; a double
 * with -0 read as +0).  Cheap for bytes300 keys; rarely equal otherwise.
 * Which number it is never shows: equal keys find one record whatever
 * chain it is on. */
static uint64_t key_fingerprint(const fz_header *h, const void *key)
{
	const uint8_t *b = key;
	size_t n = h->key_kind.size;
	double f;
	gomap_str s;
	if (h->key_kind.kind == FZ_KIND_F64) {
		memcpy(&f, key, sizeof f);
		if (f == 0)
			f = 0.0;
		b = (const uint8_t *)&f;
	} else if (h->key_kind.kind == FZ_KIND_STR) {
		memcpy(&s, key, sizeof s);
		b = s.ptr;
		n = s.len;
	}
	uint64_t head[2] = {0, 0}, tail[2] = {0, 0};
	head_and_tail(b, n < 16 ? n : 16, &head[0], &head[1]);
	if (n > 16)
		head_and_tail(b + n - 16, 16, &tail[0], &tail[1]);
	return mix64(n ^ mix64(head[0] ^ mix64(head[1] ^
	             mix64(tail[0] ^ mix64(tail[1])))));
}

/* The decoder asks about the op it just appended up to three times (what
 * the op does, the push of a fresh key, its mark), always through the
 * same arena copy: the last answer is kept. */
static uint64_t fingerprint_of(fz_key_pool *k, const void *key)
{
	if (key != k->last_key) {
		k->last_key = key;
		k->last_fp = key_fingerprint(k->hdr, key);
	}
	return k->last_fp;
}

static unsigned chain_of(uint64_t fp)
{
	return (unsigned)(fp ^ fp >> 32) % FZ_POOL_CHAINS;
}

/* The record of a key equal to key, or -1. */
static int find_record(const fz_key_pool *k, const void *key, uint64_t fp)
{
	for (int r = k->chain[chain_of(fp)]; r >= 0; r = k->record[r].next)
		if (k->record[r].fp == fp &&
		    fz_key_equal(k->hdr, key, k->record[r].key))
			return r;
	return -1;
}

static int new_record(fz_key_pool *k, const void *key, uint64_t fp)
{
	int r = k->free_record; /* never -1: a record per slot at most */
	fz_pool_record *rec = &k->record[r];
	unsigned c = chain_of(fp);
	k->free_record = rec->next;
	*rec = (fz_pool_record){.key = key, .fp = fp, .next = k->chain[c]};
	k->chain[c] = (int8_t)r;
	return r;
}

static void drop_record(fz_key_pool *k, int r)
{
	int8_t *link = &k->chain[chain_of(k->record[r].fp)];
	while (*link != r)
		link = &k->record[*link].next;
	*link = k->record[r].next;
	k->record[r].next = k->free_record;
	k->free_record = (int8_t)r;
}

/* The oldest slot leaves; a record no slot holds is forgotten. */
static void drop_oldest(fz_key_pool *k)
{
	int r = k->slot_record[(k->head + k->n - 1) % FZ_POOL];
	fz_pool_record *rec = &k->record[r];
	k->npresent -= rec->present;
	k->n--;
	if (--rec->slots == 0)
		drop_record(k, r);
}

/* The record of a key equal to key, made if there is none. */
static int record_of(fz_key_pool *k, const void *key)
{
	uint64_t fp = fingerprint_of(k, key);
	int r = find_record(k, key, fp);
	return r >= 0 ? r : new_record(k, key, fp);
}

static void set_present(fz_key_pool *k, int r, bool present)
{
	fz_pool_record *rec = &k->record[r];
	if (rec->present == present)
		return;
	rec->present = present;
	if (present)
		k->npresent += rec->slots;
	else
		k->npresent -= rec->slots;
}

void fz_pool_push(fz_key_pool *k, const void *key)
{
	if (k->n == FZ_POOL)
		drop_oldest(k);
	int r = record_of(k, key);
	k->record[r].slots++;
	k->npresent += k->record[r].present;
	k->head = (k->head + FZ_POOL - 1) % FZ_POOL;
	k->slot_key[k->head] = key;
	k->slot_record[k->head] = (uint8_t)r;
	k->n++;
}

void fz_pool_mark(fz_key_pool *k, const void *key, bool present)
{
	int r = find_record(k, key, fingerprint_of(k, key));
	if (r >= 0)
		set_present(k, r, present);
}

void fz_pool_push_marked(fz_key_pool *k, const void *key, bool present)
{
	fz_pool_push(k, key);
	/* fz_pool_mark finds a key by equality: a NaN, unequal even to
	 * itself, is never marked, so never known present */
	bool is_nan = k->hdr->key_kind.kind == FZ_KIND_F64 &&
	              !fz_key_equal(k->hdr, key, key);
	if (!is_nan)
		set_present(k, k->slot_record[k->head], present);
}

void fz_pool_mark_all_absent(fz_key_pool *k)
{
	for (int r = 0; r < FZ_POOL; r++)
		k->record[r].present = false;
	k->npresent = 0;
}
