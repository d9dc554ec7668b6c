/* Memory: every allocation of a map, its reserve and its graveyard.
 *
 * Go's map leans on the garbage collector in two ways this file replaces:
 *  - an allocation never fails in Go (the process dies instead); here an
 *    operation reserves everything it may need before it changes anything,
 *    so a failed allocation leaves the map exactly as it was [I10];
 *  - memory stays alive while anything points to it; here a bucket array,
 *    overflow bucket or indirect key/elem that a live iterator may still
 *    read is retired to the graveyard instead of freed, and the graveyard
 *    is emptied when the last live iterator ends.
 * docs/design.md, "Memory ownership" and "Allocation failure". */
#include "map_internal.h"

#include <stdio.h>
#include <stdlib.h>

/* Fresh pages arrive zeroed, as Go's do: no second pass; large blocks on
 * huge pages, as Go's heap (pages.c). */
void *gomap_default_alloc(size_t size)
{
	return size >= GM_PAGES_MIN ? gm_pages_alloc(size) : calloc(1, size);
}

void gomap_default_free(void *p, size_t size)
{
	if (size >= GM_PAGES_MIN)
		gm_pages_free(p, size);
	else
		free(p);
}

void *gm_alloc(gomap *m, size_t size, enum gomap_alloc_site site)
{
	size_t total = sizeof(gm_block) + size;
	if (total < size)
		/* coverage-unreachable: no size here comes near SIZE_MAX */
		return NULL;
	gm_block *blk;
	if (m->hooks.alloc) {
		blk = m->hooks.alloc(m->hooks.alloc_ctx, total, site);
		if (blk && !m->hooks.alloc_zeroed)
			memset(blk, 0, total);
	} else {
		blk = gomap_default_alloc(total);
	}
	if (blk == NULL)
		return NULL;
	blk->size = size;
	m->mem.total_bytes += total;
	return gm_payload(blk);
}

void gm_free(gomap *m, void *payload)
{
	if (payload == NULL)
		return;
	gm_block *blk = gm_block_of(payload);
	size_t total = sizeof(gm_block) + blk->size;
	m->mem.total_bytes -= total;
	if (m->hooks.alloc)
		m->hooks.free(m->hooks.alloc_ctx, blk, total);
	else
		gomap_default_free(blk, total);
}

void gm_retire(gomap *m, void *payload)
{
	if (m->live_iterators == 0) {
		gm_free(m, payload);
		return;
	}
	gm_block *blk = gm_block_of(payload);
	blk->next = m->graveyard;
	m->graveyard = blk;
	m->mem.retired_bytes += blk->size;
}

void gm_flush_graveyard(gomap *m)
{
	while (m->graveyard) {
		gm_block *blk = m->graveyard;
		m->graveyard = blk->next;
		m->mem.retired_bytes -= blk->size;
		gm_free(m, gm_payload(blk));
	}
}

/* Retires every heap overflow bucket of one list. */
void gm_retire_heap_list(gomap *m, gm_block **list)
{
	while (*list) {
		gm_block *blk = *list;
		*list = blk->next;
		m->mem.heap_overflow--;
		m->mem.heap_overflow_bytes -= blk->size;
		gm_retire(m, gm_payload(blk));
	}
}

/* Makes sure at least n overflow buckets are in the reserve; site names
 * the step that reserves them. */
int gm_reserve_buckets(gomap *m, size_t n, enum gomap_alloc_site site)
{
	while (m->nreserve < n) {
		void *b = gm_alloc(m, m->t.bucketsize, site);
		if (b == NULL)
			return GOMAP_ENOMEM;
		gm_block *blk = gm_block_of(b);
		blk->next = m->reserve;
		m->reserve = blk;
		m->nreserve++;
		m->mem.reserve_buckets++;
	}
	return GOMAP_OK;
}

/* Makes sure a new entry's indirect key and elem objects are at hand;
 * the sites name the step that reserves them. */
int gm_reserve_objects(gomap *m, enum gomap_alloc_site key_site,
                       enum gomap_alloc_site elem_site)
{
	if (m->t.indirectkey && m->spare_key_obj == NULL) {
		m->spare_key_obj = gm_alloc(m, m->t.key.size, key_site);
		if (m->spare_key_obj == NULL)
			return GOMAP_ENOMEM;
	}
	if (m->t.indirectelem && m->spare_elem_obj == NULL) {
		m->spare_elem_obj = gm_alloc(m, m->t.elem.size, elem_site);
		if (m->spare_elem_obj == NULL)
			return GOMAP_ENOMEM;
	}
	return GOMAP_OK;
}

/* A reserved overflow bucket, zeroed, recorded in the current array's heap
 * list.  The caller reserved it; running out is an internal error. */
/* An empty reserve where a change needs one is internal corruption (Go:
 * throw).  The caller is part way through a change with nowhere to write,
 * so it cannot return an error: the fail hook is told, and if it returns
 * the process aborts all the same (gomap.h, gomap_hooks.fail).
 * coverage-unreachable: callers reserve before any change */
static _Noreturn void throw_mid_change(gomap *m)
{
	gm_fail(m, GOMAP_THROW, GM_MSG_BAD_STATE);
	abort();
}

uint8_t *gm_take_reserved_bucket(gomap *m)
{
	gm_block *blk = m->reserve;
	if (blk == NULL)
		throw_mid_change(m); /* coverage-unreachable: reserved first */
	m->reserve = blk->next;
	m->nreserve--;
	m->mem.reserve_buckets--;
	memset(gm_payload(blk), 0, blk->size);
	blk->next = m->heap_ovf;
	m->heap_ovf = blk;
	m->mem.heap_overflow++;
	m->mem.heap_overflow_bytes += blk->size;
	return gm_payload(blk);
}

static void *take_object(gomap *m, void **spare)
{
	void *obj = *spare;
	*spare = NULL;
	if (obj == NULL)
		throw_mid_change(m); /* coverage-unreachable: reserved first */
	memset(obj, 0, gm_block_of(obj)->size);
	m->mem.indirect_objects++;
	m->mem.indirect_bytes += gm_block_of(obj)->size;
	return obj;
}

void *gm_take_key_obj(gomap *m)
{
	return take_object(m, &m->spare_key_obj);
}

void *gm_take_elem_obj(gomap *m)
{
	return take_object(m, &m->spare_elem_obj);
}

/* Keeps the reserve small between operations: a long evacuation may have
 * reserved many buckets it did not need in the end. */
void gm_trim_reserve(gomap *m)
{
	enum { KEEP = 2 };
	while (m->nreserve > KEEP) {
		gm_block *blk = m->reserve;
		m->reserve = blk->next;
		m->nreserve--;
		m->mem.reserve_buckets--;
		gm_free(m, gm_payload(blk));
	}
}
