/* The quick verdict on a whole iteration (oracle/iter_match.h): pairs the
 * core yielded against the model, NaN keys matched by their elems. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "harness.h"
#include "iter_match.h"

static const orc_valtype k_f64 = {ORC_F64, 8}, e_u64 = {ORC_MEM, 8};

/* The model: 1 -> 10, 2 -> 20, and NaN keys with elems 30 and 40. */
static orc_model *model_with_nans(void)
{
	orc_model *m = orc_model_new(k_f64, e_u64);
	double k[4] = {1, 2, NAN, NAN};
	uint64_t e[4] = {10, 20, 30, 40};
	for (int i = 0; i < 4; i++)
		GM_EXPECT(m && orc_put(m, &k[i], &e[i]) == 0);
	return m;
}

/* Keys and elems as an iteration would yield them (pointers into the
 * caller's arrays). */
static bool matches(orc_model *m, const double *keys, const uint64_t *elems,
                    size_t n)
{
	orc_pair pairs[8];
	orc_match_room room;
	for (size_t i = 0; i < n; i++)
		pairs[i] = (orc_pair){&keys[i], &elems[i]};
	return orc_pairs_match_model(m, k_f64, e_u64, pairs, n, &room);
}

GM_TEST(iter_match__the_model_in_any_order_matches)
{
	orc_model *m = model_with_nans();
	double k[4] = {NAN, 2, NAN, 1};
	uint64_t e[4] = {40, 20, 30, 10};
	GM_EXPECT(matches(m, k, e, 4));
	double k2[4] = {-NAN, 1, 2, NAN}; /* any NaN bits */
	uint64_t e2[4] = {30, 10, 20, 40};
	GM_EXPECT(matches(m, k2, e2, 4));
	orc_model_free(m);
}

GM_TEST(iter_match__a_nan_elem_the_model_lacks_does_not)
{
	orc_model *m = model_with_nans();
	double k[4] = {1, 2, NAN, NAN};
	uint64_t twice[4] = {10, 20, 30, 30}, other[4] = {10, 20, 30, 41};
	GM_EXPECT(!matches(m, k, twice, 4));
	GM_EXPECT(!matches(m, k, other, 4));
	orc_model_free(m);
}

GM_TEST(iter_match__a_key_twice_a_wrong_elem_or_count_does_not)
{
	orc_model *m = model_with_nans();
	double twice[4] = {1, 1, NAN, NAN}, nan3[4] = {1, NAN, NAN, NAN};
	uint64_t e[4] = {10, 10, 30, 40}, e3[4] = {10, 20, 30, 40};
	GM_EXPECT(!matches(m, twice, e, 4));
	GM_EXPECT(!matches(m, nan3, e3, 4)); /* a NaN in place of 2 */
	double k[4] = {1, 2, NAN, NAN};
	uint64_t wrong[4] = {10, 21, 30, 40};
	GM_EXPECT(!matches(m, k, wrong, 4));
	GM_EXPECT(!matches(m, k, e3, 3));
	double absent[4] = {1, 3, NAN, NAN};
	GM_EXPECT(!matches(m, absent, e3, 4));
	orc_model_free(m);
}

GM_TEST(iter_match__more_nans_than_the_room_is_not_certain)
{
	orc_model *m = orc_model_new(k_f64, e_u64);
	static orc_pair pairs[ORC_MATCH_ROOM + 1];
	static double nan[ORC_MATCH_ROOM + 1];
	static uint64_t e[ORC_MATCH_ROOM + 1];
	orc_match_room room;
	for (size_t i = 0; i <= ORC_MATCH_ROOM; i++) {
		nan[i] = NAN;
		e[i] = i;
		GM_EXPECT(m && orc_put(m, &nan[i], &e[i]) == 0);
		pairs[i] = (orc_pair){&nan[i], &e[i]};
	}
	/* the pairs are the model's, but too many NaNs to be certain */
	GM_EXPECT(!orc_pairs_match_model(m, k_f64, e_u64, pairs,
	                                 ORC_MATCH_ROOM + 1, &room));
	orc_model_free(m);
}

GM_TEST_MAIN()
