/* The quick verdict on a whole iteration (iter_match.h). */
#include "iter_match.h"

#include <stdint.h>
#include <stdlib.h>

#include "iter_contract.h"

static int by_address(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)*(const void *const *)a;
	uintptr_t y = (uintptr_t)*(const void *const *)b;
	return x < y ? -1 : x > y;
}

/* Whether no pointer of stored[0..n) appears twice (sorts them). */
static bool all_distinct(const void **stored, size_t n)
{
	if (n > 1)
		qsort(stored, n, sizeof *stored, by_address);
	for (size_t i = 1; i < n; i++)
		if (stored[i] == stored[i - 1])
			return false;
	return true;
}

/* The pairs with a NaN key, nans of them, hold the elems of m's NaN
 * entries, as multisets. */
static bool nan_elems_match(orc_model *m, orc_valtype kt, orc_valtype et,
                            const orc_pair *pairs, size_t n, size_t nans,
                            orc_match_room *room)
{
	const void **want = room->nan_elems;
	bool *matched = room->nan_matched;
	size_t k = 0;
	orc_pair e;
	for (orc_cursor c = orc_begin(m); orc_step(&c, &e);) {
		if (!orc_is_nan_key(kt, e.key))
			continue;
		if (k == nans || k == ORC_MATCH_ROOM)
			return false;
		want[k] = e.elem;
		matched[k++] = false;
	}
	if (k != nans)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!orc_is_nan_key(kt, pairs[i].key))
			continue;
		size_t j = 0;
		while (j < k && (matched[j] ||
		                 !orc_values_equal(et, want[j], pairs[i].elem)))
			j++;
		if (j == k)
			return false;
		matched[j] = true;
	}
	return true;
}

bool orc_pairs_match_model(orc_model *m, orc_valtype kt, orc_valtype et,
                           const orc_pair *pairs, size_t n,
                           orc_match_room *room)
{
	if (n != orc_len(m))
		return false;
	const void **stored = n <= ORC_MATCH_ROOM ? room->stored
	                                          : malloc(n * sizeof *stored);
	bool same = stored != NULL;
	size_t found = 0; /* pairs with a key other than NaN */
	for (size_t i = 0; same && i < n; i++) {
		const void *want;
		if (orc_is_nan_key(kt, pairs[i].key))
			continue;
		same = orc_get(m, pairs[i].key, &want, &stored[found++]) &&
		       orc_values_equal(et, want, pairs[i].elem);
	}
	same = same && all_distinct(stored, found);
	if (stored != room->stored)
		free(stored);
	if (same && found < n)
		same = nan_elems_match(m, kt, et, pairs, n, n - found, room);
	return same;
}
