/* The generic entry points (Go: mapaccess1, mapaccess2, mapaccessK,
 * mapassign, mapdelete): every key type, the key's hash and equality
 * through the type's callbacks. */
#include "map_body.h"

const uint8_t gm_zero_val[GM_ZERO_SIZE];

/* Go: mapaccess1. */
const void *gomap_access1(gomap *m, const void *key)
{
	return gm_access_body(m, key, GOMAP_FAST_NONE, NULL);
}

/* Go: mapaccess2. */
const void *gomap_access2(gomap *m, const void *key, bool *found)
{
	return gm_access_body(m, key, GOMAP_FAST_NONE, found);
}

/* Go: mapaccessK: no concurrent-write check (rule 67); used by iterators
 * to re-read entries that moved since they started. */
bool gm_access_k(gomap *m, const void *key, void **key_out, void **elem_out)
{
	uint8_t *b;
	uintptr_t i;
	if (m == NULL || m->count == 0 ||
	    !gm_find(m, key, GOMAP_FAST_NONE, false, &b, &i))
		return false;
	*key_out = gm_key_value(&m->t, gm_key_slot(&m->t, b, i));
	*elem_out = gm_elem_value(&m->t, gm_elem_slot(&m->t, b, i));
	return true;
}

bool gomap_accessK(gomap *m, const void *key, const void **key_out,
                   const void **elem_out)
{
	void *k, *e;
	if (m != NULL && m->dead)
		return false;
	if (!gm_access_k(m, key, &k, &e))
		return false;
	*key_out = k;
	*elem_out = e;
	return true;
}

/* Go: mapassign. */
int gomap_assign(gomap *m, const void *key, void **elem_out)
{
	return gm_assign_body(m, key, GOMAP_FAST_NONE, elem_out);
}

/* Go: mapdelete. */
int gomap_delete(gomap *m, const void *key)
{
	return gm_delete_body(m, key, GOMAP_FAST_NONE);
}
