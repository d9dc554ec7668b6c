/* Memory for the model's entries (entry_arena.h). */
#include "entry_arena.h"

#include <stdlib.h>
#include <string.h>

#include "poison.h"

/* Chunks start small, since most models live for one fuzz input of a few
 * dozen keys, and double up to a cap for the long traces. */
#define FIRST_CHUNK_BYTES 2048
#define MAX_CHUNK_BYTES (64 * 1024)

struct orc_arena_chunk {
	struct orc_arena_chunk *next;
	size_t bytes; /* of space; also puts space 16-byte aligned */
	unsigned char space[];
};

/* Freed chunks are kept for the next arena, up to KEPT_BYTES per thread:
 * a fuzz input builds a model (and three per iterator watch) and frees
 * them all at its end, and a malloc under ASan costs about as much as a
 * small map operation.  A kept chunk stays poisoned, as a released block
 * does, so ASan still reports a use after the model is gone. */
#define KEPT_BYTES (1024 * 1024)
#define CHUNK_SIZES 6 /* FIRST_CHUNK_BYTES << 0..5 == MAX_CHUNK_BYTES */
_Static_assert((FIRST_CHUNK_BYTES << (CHUNK_SIZES - 1)) == MAX_CHUNK_BYTES,
               "one kept list per chunk size");
static _Thread_local struct orc_arena_chunk *kept[CHUNK_SIZES];
static _Thread_local size_t kept_bytes;

static int size_index(size_t bytes)
{
	int i = 0;
	while ((size_t)FIRST_CHUNK_BYTES << i < bytes)
		i++;
	return i;
}

static struct orc_arena_chunk *new_chunk(size_t bytes)
{
	struct orc_arena_chunk **list = &kept[size_index(bytes)];
	struct orc_arena_chunk *c = *list;
	if (c != NULL) {
		*list = c->next;
		kept_bytes -= bytes;
		return c;
	}
	c = malloc(sizeof *c + bytes);
	if (c == NULL)
		return NULL;
	c->bytes = bytes;
	fz_poison(c->space, bytes);
	return c;
}

static void drop_chunk(struct orc_arena_chunk *c)
{
	if (kept_bytes + c->bytes > KEPT_BYTES) {
		fz_unpoison(c->space, c->bytes);
		free(c);
		return;
	}
	fz_poison(c->space, c->bytes);
	c->next = kept[size_index(c->bytes)];
	kept[size_index(c->bytes)] = c;
	kept_bytes += c->bytes;
}

/* The size class of a block: its size in 16-byte units. */
static size_t class_of(size_t size)
{
	return (size + 15) / 16;
}

/* Room for another class-sized block, from the current chunk or a new
 * one (the rest of the old chunk is left unused). */
static void *carve(orc_arena *a, size_t bytes)
{
	if (a->left < bytes) {
		size_t size = a->chunks ? 2 * a->chunks->bytes : FIRST_CHUNK_BYTES;
		if (size > MAX_CHUNK_BYTES)
			size = MAX_CHUNK_BYTES;
		struct orc_arena_chunk *c = new_chunk(size);
		if (c == NULL)
			return NULL;
		c->next = a->chunks;
		a->chunks = c;
		a->next = c->space;
		a->left = size;
	}
	void *p = a->next;
	a->next += bytes;
	a->left -= bytes;
	return p;
}

/* A block over the largest class: its own calloc, linked both ways so
 * that a release unlinks it and free_all finds it. */
struct orc_arena_big {
	struct orc_arena_big *prev, *next;
};
_Static_assert(sizeof(struct orc_arena_big) % 16 == 0,
               "blocks after it stay 16-byte aligned");

static void *alloc_big(orc_arena *a, size_t size)
{
	struct orc_arena_big *b = calloc(1, sizeof *b + size);
	if (b == NULL)
		return NULL;
	b->next = a->big;
	if (a->big)
		a->big->prev = b;
	a->big = b;
	return b + 1;
}

static void release_big(orc_arena *a, void *p)
{
	struct orc_arena_big *b = (struct orc_arena_big *)p - 1;
	if (b->prev)
		b->prev->next = b->next;
	else
		a->big = b->next;
	if (b->next)
		b->next->prev = b->prev;
	free(b);
}

void *orc_arena_alloc(orc_arena *a, size_t size)
{
	size_t c = class_of(size);
	if (c > ORC_ARENA_CLASSES)
		return alloc_big(a, size);
	void *p = a->free_list[c];
	if (p != NULL) {
		fz_unpoison(p, c * 16);
		memcpy(&a->free_list[c], p, sizeof(void *));
	} else {
		p = carve(a, c * 16);
		if (p == NULL)
			return NULL;
		fz_unpoison(p, c * 16);
	}
	memset(p, 0, c * 16);
	return p;
}

void orc_arena_release(orc_arena *a, void *p, size_t size)
{
	size_t c = class_of(size);
	if (p == NULL)
		return;
	if (c > ORC_ARENA_CLASSES) {
		release_big(a, p);
		return;
	}
	memcpy(p, &a->free_list[c], sizeof(void *));
	a->free_list[c] = p;
	/* the link stays readable to the arena only: poison the rest */
	fz_poison((unsigned char *)p + sizeof(void *), c * 16 - sizeof(void *));
}

void orc_arena_free_all(orc_arena *a)
{
	while (a->big)
		release_big(a, a->big + 1);
	while (a->chunks) {
		struct orc_arena_chunk *c = a->chunks;
		a->chunks = c->next;
		drop_chunk(c);
	}
	memset(a, 0, sizeof *a);
}
