/* Memory for the model's entries: small blocks carved from large ones and
 * recycled through a free list per 16-byte size class.
 *
 * The model allocates one entry per key and frees it on delete; doing that
 * through malloc cost a tenth of every fuzz run under ASan, whose
 * allocator records a stack per call.  The core's own memory still goes
 * through malloc (via its allocator hook), where ASan watches it.  Under
 * ASan a released block is poisoned until it is handed out again, so a
 * use after delete in the model is still reported. */
#ifndef ORC_ENTRY_ARENA_H
#define ORC_ENTRY_ARENA_H

#include <stddef.h>

#define ORC_ARENA_CLASSES 64 /* blocks up to 64 * 16 bytes are recycled */

typedef struct orc_arena {
	struct orc_arena_chunk *chunks; /* the large blocks, newest first */
	unsigned char *next;            /* unused space of the newest chunk */
	size_t left;
	void *free_list[ORC_ARENA_CLASSES + 1]; /* by size class */
	struct orc_arena_big *big;      /* blocks over the largest class, each
	                                   its own calloc, in a list */
} orc_arena;

/* size zeroed bytes, 16-byte aligned; NULL when out of memory. */
void *orc_arena_alloc(orc_arena *a, size_t size);
/* Gives back a block orc_arena_alloc returned for the same size. */
void orc_arena_release(orc_arena *a, void *p, size_t size);
/* Frees every block at once, big ones included, so a model is freed
 * without walking its entries; the arena is empty and reusable.  Its
 * chunks are kept, poisoned, for the next arena of this thread (up to
 * 1 MiB), so a model per fuzz input costs no malloc once warm. */
void orc_arena_free_all(orc_arena *a);

#endif
