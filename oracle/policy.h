/* Go's policy, checked from outside the core.
 *
 * The invariants I1..I10 say the core's structure is consistent; a map can
 * satisfy all of them and still not be Go's (grow one insert late, keep
 * its seed after emptying, evacuate too slowly).  The policy invariants
 * P1..P6 of docs/design.md ("Policy invariants") say it is Go's: when a
 * growth starts and of which kind, which old buckets a write evacuates
 * and where nevacuate stops, when the hash seed changes, how many random
 * draws an operation takes and how noverflow counts.  Each rule is stated
 * here again in Go's own arithmetic, never by calling the core's.
 *
 * The executor wraps every map operation:
 *
 *     orc_policy_begin(&op, ...)   header view before
 *     orc_policy_plan(&op, ...)    Go's growWork, when the key's hash matters
 *     ... the operation runs on the core ...
 *     orc_policy_end(&pol, &op, ...)   the view after, against the rules
 *
 * and orc_policy_audit() at the invariant checker's cadence recounts the
 * evacuated old buckets, which no single operation can see cheaply.
 */
#ifndef ORC_POLICY_H
#define ORC_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gomap.h"

enum orc_policy_kind {
	ORC_POLICY_READ,       /* a lookup: hashes the key, changes nothing */
	ORC_POLICY_ITER_START, /* mapiterinit: draws its start */
	ORC_POLICY_ITER_STEP,  /* mapiternext: neither draws nor changes */
	ORC_POLICY_ASSIGN,
	ORC_POLICY_DELETE,
	ORC_POLICY_CLEAR,
};

/* One growWork as Go runs it: the old buckets that must be evacuated
 * afterwards and where nevacuate stops. */
typedef struct orc_growwork {
	bool planned;
	uintptr_t evacuated[2]; /* buckets this growWork evacuates itself */
	unsigned n;
	uintptr_t nevacuate;    /* its value afterwards, if the growth goes on */
	bool finishes;          /* the growth ends within this growWork */
} orc_growwork;

/* One operation, as seen before it runs. */
typedef struct orc_policy_op {
	enum orc_policy_kind kind;
	bool key_is_nan;
	uint64_t hash; /* the key's hash under hash0 before the operation */
	gomap_growth_view before;
	orc_growwork work; /* planned when Go runs growWork first */
} orc_policy_op;

/* What the checks carry from one operation to the next. */
typedef struct orc_policy {
	const void *growth_array; /* the new array of the growth tracked, or NULL */
	size_t evacuated;         /* its old buckets evacuated, by Go's rules */
	bool synced;              /* false: recount at the next audit */
	size_t nan_live;          /* NaN keys in the map: each may draw once when
	                           * a doubling growth moves it.  Counted by the
	                           * caller at every NaN insert, even one whose
	                           * checks are skipped (orc_policy_lost) */
} orc_policy;

/* A broken rule: its check id ("policy.grow", ...) and what was expected
 * against what was seen. */
typedef struct orc_policy_finding {
	const char *check;
	char expected[160];
	char seen[160];
} orc_policy_finding;

/* Records the map before an operation of this kind.  Returns whether
 * Go's rules for it depend on the key's hash (a growWork under way, or a
 * growth this insert starts); the caller then hands the hash to
 * orc_policy_plan before the operation runs. */
bool orc_policy_begin(orc_policy_op *op, const gomap *m,
                      enum orc_policy_kind kind, bool key_is_nan);

/* `key_hash` is the key's hash in this operation: the key type's hash
 * under the current hash0, or orc_policy_hash_next for a NaN, whose hash
 * mixes in the operation's first random draw. */
void orc_policy_plan(orc_policy_op *op, const gomap *m, uint64_t key_hash);

/* Checks the operation that began with op, which completed (not ENOMEM,
 * not fatal).  Returns false and fills *f when a rule is broken. */
bool orc_policy_end(orc_policy *pol, const orc_policy_op *op, const gomap *m,
                    orc_policy_finding *f);

/* The operation's checks were skipped (a re-entrant inner operation ran
 * inside it): forget what cannot be followed. */
void orc_policy_lost(orc_policy *pol);

/* Recounts the evacuated old buckets against what the operations since the
 * growth started evacuated by Go's rules.  Linear in the old array. */
bool orc_policy_audit(orc_policy *pol, const gomap *m, orc_policy_finding *f);

/* P2: the B that make(map, hint) gives, for buckets of bucketsize bytes. */
uint8_t orc_policy_hint_B(int64_t hint, size_t bucketsize);

/* P2 and P4 at make: B from the hint, and exactly one draw (hash0). */
bool orc_policy_make(const gomap *m, int64_t hint, size_t bucketsize,
                     uint64_t seed, orc_policy_finding *f);

/* The hash `kt` gives key in m's next operation, whose first random draw
 * it takes if it draws (a NaN's hash does); m itself does not draw.
 * False when the scratch map this needs cannot be allocated. */
bool orc_policy_hash_next(const gomap_keytype *kt, const void *key,
                          const gomap *m, uint64_t *hash);

/* How many draws of Go's generator lead from state `from` to `to`. */
uint64_t orc_policy_draws(uint64_t from, uint64_t to);

#endif
