/* The decoder's pool of recent keys: the last FZ_POOL keys the program
 * named, newest first, and for each whether the decoder knows it to be in
 * the map.
 *
 * Equal keys (fz_key_equal) share one record, so marking a key present or
 * absent, and asking whether a pushed key is already known to be present,
 * cost one fingerprint lookup instead of a scan of every slot.  What the
 * decoder sees is exactly a list of slots where every slot equal to a
 * marked key changes with it, a pushed key inherits the presence of an
 * equal key still in the list, and a key whose every copy has fallen off
 * the end is forgotten (docs/fuzz-format.md, "Keys: the pool"). */
#ifndef FZ_KEY_POOL_H
#define FZ_KEY_POOL_H

#include "program.h"

#include <stdbool.h>
#include <stdint.h>

#define FZ_POOL 32        /* recent keys the key selector picks from */
#define FZ_POOL_CHAINS 64 /* fingerprint chains of the record index */

/* One distinct key among the slots. */
typedef struct fz_pool_record {
	const void *key;   /* an equal key's arena copy */
	uint64_t fp;       /* its fingerprint */
	uint8_t slots;     /* slots holding a key equal to it; 0 = free */
	bool present;      /* known to be in the map */
	int8_t next;       /* next record on the same chain (or free), -1 */
} fz_pool_record;

typedef struct fz_key_pool {
	const fz_header *hdr;          /* key kind and equality */
	const void *slot_key[FZ_POOL]; /* ring: slot i at (head + i) % FZ_POOL */
	uint8_t slot_record[FZ_POOL];
	unsigned head, n;
	unsigned npresent;             /* slots whose record is present */
	fz_pool_record record[FZ_POOL];
	int8_t chain[FZ_POOL_CHAINS];  /* first record of each chain, -1 */
	int8_t free_record;            /* first free record, -1 */
	const void *last_key;          /* the last key fingerprinted, */
	uint64_t last_fp;              /* and its fingerprint */
} fz_key_pool;

void fz_pool_init(fz_key_pool *k, const fz_header *hdr);

/* Every key given to these functions is an arena copy that outlives the
 * pool and never changes (the pool remembers keys by address). */

/* Puts key in slot 0, dropping the oldest slot when all FZ_POOL are used. */
void fz_pool_push(fz_key_pool *k, const void *key);
/* Every slot holding a key equal to key is now known present, or absent. */
void fz_pool_mark(fz_key_pool *k, const void *key, bool present);
/* fz_pool_push, then fz_pool_mark of the same key, in one lookup. */
void fz_pool_push_marked(fz_key_pool *k, const void *key, bool present);
/* Every slot is now known absent (clear). */
void fz_pool_mark_all_absent(fz_key_pool *k);

/* Slot i, 0 the newest, i < k->n. */
static inline const void *fz_pool_key(const fz_key_pool *k, unsigned i)
{
	return k->slot_key[(k->head + i) % FZ_POOL];
}
static inline bool fz_pool_present(const fz_key_pool *k, unsigned i)
{
	return k->record[k->slot_record[(k->head + i) % FZ_POOL]].present;
}

#endif
