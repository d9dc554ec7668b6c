/* The reference model: a plain hash table (uthash) with Go's map
 * semantics and none of Go's structure.  exec.c runs a program on it and
 * on the core in lockstep and compares what they say.
 *
 * Keys are compared as Go compares them:
 *   ORC_MEM  integers and byte arrays: by their bytes;
 *   ORC_F64  +0 and -0 are one key, NaN is never equal to anything (every
 *            put of NaN adds an entry that no get finds and no del removes,
 *            but len, a walk and clear see it);
 *   ORC_STR  a gomap_str, by the bytes it points to.
 * Floats and strings need a key update on assignment (Go: needkeyupdate),
 * so the stored key is the one given by the latest put: after
 * `put 0 1; put -0 2` the key is -0, and a str key holds the latest
 * gomap_str (its pointer too).  The model keeps copies of key and elem
 * bytes; a gomap_str's bytes are not copied and must outlive the model. */
#ifndef ORC_MODEL_H
#define ORC_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#include "gomap.h"

enum orc_kind {
	ORC_MEM, /* compared by its bytes (u8, u32, u64, bytesN) */
	ORC_F64, /* double with Go's float equality */
	ORC_STR, /* gomap_str, compared by content */
};

typedef struct orc_valtype {
	enum orc_kind kind;
	size_t size; /* bytes of one stored value */
} orc_valtype;

typedef struct orc_model orc_model;

/* One entry of a snapshot: the stored key and elem bytes. */
typedef struct orc_pair {
	const void *key;
	const void *elem;
} orc_pair;

/* A new empty model; NULL when out of memory or when the types do not
 * fit (f64 must be 8 bytes, str sizeof(gomap_str), elems must be
 * ORC_MEM or ORC_STR). */
orc_model *orc_model_new(orc_valtype key, orc_valtype elem);
void orc_model_free(orc_model *m);

/* m[key] = elem.  Returns 0, or -1 when out of memory (model unchanged). */
int orc_put(orc_model *m, const void *key, const void *elem);
/* v, ok := m[key].  On a hit *elem_out (and *key_out, the stored key) point
 * into the model until its next change; either may be NULL. */
bool orc_get(orc_model *m, const void *key, const void **elem_out,
             const void **key_out);
/* delete(m, key); true when an entry was removed. */
bool orc_del(orc_model *m, const void *key);
size_t orc_len(const orc_model *m);
void orc_clear(orc_model *m);
/* m[key]++ on an ORC_MEM elem of 1, 4 or 8 bytes, wrapping; a missing key
 * (NaN included) is inserted as 1.  Returns 0, or -1 when out of memory
 * or the elem is not an integer. */
int orc_inc(orc_model *m, const void *key);

/* A walk over every entry in insertion order, without copying:
 *     orc_pair e;
 *     for (orc_cursor c = orc_begin(m); orc_step(&c, &e);)
 *             use(e.key, e.elem);
 * The pairs are valid until the model's next change; changing the model
 * ends the walk (other models may change freely). */
typedef struct orc_cursor {
	const struct orc_entry *next;
} orc_cursor;
orc_cursor orc_begin(const orc_model *m);
/* The next entry into *out; false after the last. */
bool orc_step(orc_cursor *c, orc_pair *out);

/* uthash's own structure check (HASH_FSCK), a walk of the whole table; a
 * failure is recorded, never fatal.  Returns the number of failures seen
 * so far and writes the first one's text into msg. */
int orc_fsck(orc_model *m, char *msg, size_t msg_size);
/* A paranoid model also runs that check after every insert and delete,
 * which makes each change linear in the model's size: for tests and
 * `gomap replay --paranoid`, never by default.  Off for a new model. */
void orc_model_set_paranoid(orc_model *m, bool on);
bool orc_model_paranoid(const orc_model *m);

#endif
