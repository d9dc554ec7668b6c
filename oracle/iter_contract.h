/* The iteration contract, watched for one iterator while the program
 * mutates the map between its steps (Go spec + runtime/map.go):
 *   - no key is returned twice;
 *   - every key present from the iterator's start to its end, and never
 *     deleted meanwhile, is returned exactly once;
 *   - a key deleted before it is reached is not returned;
 *   - each returned value is the key's current value;
 *   - keys added meanwhile are returned at most once (a key deleted and
 *     re-added is a new entry, and may come once more).
 * NaN keys cannot be told apart and are exempt.  After a clear, Go 1.19
 * lets an iterator that walks an older array return stale entries
 * (rule 57), and then the re-created key too, so Go itself returns a key
 * twice: an iterator that has seen a clear is not checked at all (the
 * Go cross-check still compares what it returns). */
#ifndef ORC_ITER_CONTRACT_H
#define ORC_ITER_CONTRACT_H

#include <stdbool.h>
#include <stddef.h>

#include "model.h"

typedef struct orc_iter_watch orc_iter_watch;

/* Starts watching; `model` is the reference map as it is now.  NULL when
 * out of memory. */
orc_iter_watch *orc_watch_start(orc_valtype key, orc_valtype elem,
                                orc_model *model);
void orc_watch_free(orc_iter_watch *w);
void orc_watch_deleted(orc_iter_watch *w, const void *key);
void orc_watch_cleared(orc_iter_watch *w);

/* One returned entry.  Returns NULL when it keeps the contract, else a
 * check id, with the details written into `why`. */
const char *orc_watch_yield(orc_iter_watch *w, orc_model *model,
                            const void *key, const void *elem, char *why,
                            size_t why_size);
/* The iteration ended: were all keys that had to be returned returned? */
const char *orc_watch_end(orc_iter_watch *w, char *why, size_t why_size);

/* Go's equality on stored values of one kind (floats: +0 == -0, NaN never
 * equal; strings by content; the rest by bytes). */
bool orc_values_equal(orc_valtype t, const void *a, const void *b);
bool orc_is_nan_key(orc_valtype t, const void *key);

#endif
