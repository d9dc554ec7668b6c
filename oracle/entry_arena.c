/* Memory for the model's entries (entry_arena.h). */
#include "entry_arena.h"

#include <stdlib.h>
#include <string.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ORC_ARENA_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define ORC_ARENA_ASAN 1
#endif
#ifdef ORC_ARENA_ASAN
#include <sanitizer/asan_interface.h>
#define poison(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define unpoison(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define poison(p, n) ((void)(p), (void)(n))
#define unpoison(p, n) ((void)(p), (void)(n))
#endif

/* Chunks start small, since most models live for one fuzz input of a few
 * dozen keys, and double up to a cap for the long traces. */
#define FIRST_CHUNK_BYTES 2048
#define MAX_CHUNK_BYTES (64 * 1024)

struct orc_arena_chunk {
	struct orc_arena_chunk *next;
	size_t bytes; /* of space; also puts space 16-byte aligned */
	unsigned char space[];
};

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
		struct orc_arena_chunk *c = malloc(sizeof *c + size);
		if (c == NULL)
			return NULL;
		c->next = a->chunks;
		c->bytes = size;
		a->chunks = c;
		a->next = c->space;
		a->left = size;
		poison(c->space, size);
	}
	void *p = a->next;
	a->next += bytes;
	a->left -= bytes;
	return p;
}

void *orc_arena_alloc(orc_arena *a, size_t size)
{
	size_t c = class_of(size);
	if (c > ORC_ARENA_CLASSES)
		return calloc(1, size);
	void *p = a->free_list[c];
	if (p != NULL) {
		unpoison(p, c * 16);
		memcpy(&a->free_list[c], p, sizeof(void *));
	} else {
		p = carve(a, c * 16);
		if (p == NULL)
			return NULL;
		unpoison(p, c * 16);
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
		free(p);
		return;
	}
	memcpy(p, &a->free_list[c], sizeof(void *));
	a->free_list[c] = p;
	/* the link stays readable to the arena only: poison the rest */
	poison((unsigned char *)p + sizeof(void *), c * 16 - sizeof(void *));
}

void orc_arena_free_all(orc_arena *a)
{
	while (a->chunks) {
		struct orc_arena_chunk *c = a->chunks;
		a->chunks = c->next;
		unpoison(c->space, c->bytes);
		free(c);
	}
	memset(a, 0, sizeof *a);
}
