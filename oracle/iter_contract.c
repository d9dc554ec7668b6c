/* The iteration contract (see iter_contract.h).  Key sets are reference
 * models with a one-byte elem: `start` (present when the iterator began),
 * `seen` (returned so far) and `touched` (deleted since the start). */
#include "iter_contract.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct orc_iter_watch {
	orc_valtype key, elem;
	orc_model *start, *seen, *touched;
	bool cleared;
};

static const orc_valtype flag_type = {ORC_MEM, 1};
static const uint8_t one = 1;

bool orc_is_nan_key(orc_valtype t, const void *key)
{
	if (t.kind != ORC_F64)
		return false;
	double d;
	memcpy(&d, key, sizeof d);
	return d != d;
}

bool orc_values_equal(orc_valtype t, const void *a, const void *b)
{
	switch (t.kind) {
	case ORC_F64: {
		double x, y;
		memcpy(&x, a, 8);
		memcpy(&y, b, 8);
		return x == y;
	}
	case ORC_STR: {
		gomap_str x, y;
		memcpy(&x, a, sizeof x);
		memcpy(&y, b, sizeof y);
		return x.len == y.len &&
		       (x.len == 0 || memcmp(x.ptr, y.ptr, x.len) == 0);
	}
	default:
		return memcmp(a, b, t.size) == 0;
	}
}

orc_iter_watch *orc_watch_start(orc_valtype key, orc_valtype elem,
                                orc_model *model)
{
	orc_iter_watch *w = calloc(1, sizeof *w);
	if (w == NULL)
		return NULL;
	w->key = key;
	w->elem = elem;
	w->start = orc_model_new(key, flag_type);
	w->seen = orc_model_new(key, flag_type);
	w->touched = orc_model_new(key, flag_type);
	bool ok = w->start && w->seen && w->touched;
	if (ok && orc_model_paranoid(model)) { /* as the map's model is */
		orc_model_set_paranoid(w->start, true);
		orc_model_set_paranoid(w->seen, true);
		orc_model_set_paranoid(w->touched, true);
	}
	orc_pair e;
	for (orc_cursor c = orc_begin(model); ok && orc_step(&c, &e);)
		if (!orc_is_nan_key(key, e.key))
			ok = orc_put(w->start, e.key, &one) == 0;
	if (!ok) {
		orc_watch_free(w);
		return NULL;
	}
	return w;
}

void orc_watch_free(orc_iter_watch *w)
{
	if (w == NULL)
		return;
	orc_model_free(w->start);
	orc_model_free(w->seen);
	orc_model_free(w->touched);
	free(w);
}

/* A deleted key that comes back is a new entry, which Go may return
 * again (entries created during iteration may be produced or not); it
 * stays "touched", so it is never required either. */
void orc_watch_deleted(orc_iter_watch *w, const void *key)
{
	if (orc_is_nan_key(w->key, key))
		return;
	(void)orc_put(w->touched, key, &one);
	(void)orc_del(w->seen, key);
}

void orc_watch_cleared(orc_iter_watch *w)
{
	w->cleared = true;
}

const char *orc_watch_yield(orc_iter_watch *w, orc_model *model,
                            const void *key, const void *elem, char *why,
                            size_t why_size)
{
	if (orc_is_nan_key(w->key, key) || w->cleared)
		return NULL;
	if (orc_get(w->seen, key, NULL, NULL)) {
		snprintf(why, why_size, "the key a second time");
		return "iter.duplicate";
	}
	(void)orc_put(w->seen, key, &one);
	const void *cur;
	if (!orc_get(model, key, &cur, NULL)) {
		snprintf(why, why_size, "a key that is no longer in the map");
		return "iter.deleted_returned";
	}
	if (!orc_values_equal(w->elem, cur, elem)) {
		snprintf(why, why_size, "a value that is not the key's current one");
		return "iter.stale_value";
	}
	return NULL;
}

const char *orc_watch_end(orc_iter_watch *w, char *why, size_t why_size)
{
	if (w->cleared)
		return NULL;
	orc_pair e;
	for (orc_cursor c = orc_begin(w->start); orc_step(&c, &e);) {
		if (orc_get(w->touched, e.key, NULL, NULL) ||
		    orc_get(w->seen, e.key, NULL, NULL))
			continue;
		snprintf(why, why_size, "%zu keys present throughout, one never "
		         "returned", orc_len(w->start));
		return "iter.missed";
	}
	return NULL;
}
