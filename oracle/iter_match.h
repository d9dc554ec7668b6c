/* The quick verdict on a whole iteration (the trace's `iter`): whether the
 * pairs the core yielded are certainly the model's contents, without
 * formatting a text per pair.  The executor falls back to comparing
 * sorted texts when the answer is "not certain", which also names the
 * difference. */
#ifndef ORC_ITER_MATCH_H
#define ORC_ITER_MATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "model.h"

/* Scratch for maps of up to 64 entries, kept by the caller: under ASan a
 * frame's arrays cost a poisoning of their redzones on every call. */
#define ORC_MATCH_ROOM 64
typedef struct orc_match_room {
	const void *stored[ORC_MATCH_ROOM];    /* model keys the pairs found */
	const void *nan_elems[ORC_MATCH_ROOM]; /* the model's NaN entries' elems */
	bool nan_matched[ORC_MATCH_ROOM];
} orc_match_room;

/* True when pairs[0..n) are certainly m's contents: as many as m holds;
 * every key but a NaN found in m with an equal elem, no entry found twice;
 * and the NaN keys' elems are those of m's NaN entries, as multisets (a
 * NaN key equals nothing, so its elem is all that tells one from another).
 * False means not certain: a difference, more NaN keys than the room
 * holds, or out of memory. */
bool orc_pairs_match_model(orc_model *m, orc_valtype kt, orc_valtype et,
                           const orc_pair *pairs, size_t n,
                           orc_match_room *room);

#endif
