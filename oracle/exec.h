/* The lockstep executor: runs one program on the core and on the reference
 * model together and says, after every operation, whether they agree and
 * whether the core's structure is sound.  The only code that sees both.
 *
 *     program ─ exec ┬─ core  (gomap_*)      ┐
 *                    └─ model (orc_*)        ┴─ compare + gomap_check ─ verdict
 */
#ifndef ORC_EXEC_H
#define ORC_EXEC_H

#include <stdio.h>

#include "gomap.h"

#include "program.h"
#include "verdict.h"

/* One allocation the core asked for: during which top-level operation
 * (its index; ORC_MAKE_OP for the map's make) and at which site. */
typedef struct orc_alloc_rec {
	size_t op;
	enum gomap_alloc_site site;
} orc_alloc_rec;

#define ORC_MAKE_OP SIZE_MAX

/* Systematic fault injection (oracle/sweep.h drives it).  With a plan,
 * the program's own fail-alloc records are ignored unless keep_fail_alloc
 * is set; every allocation is appended to recs when `record` is set; and
 * when fail_nth is not 0, allocation fail_nth (from 1) of operation
 * fail_op fails, the re-entrant inner operations it runs counting with
 * it. */
typedef struct orc_alloc_plan {
	size_t fail_op;
	uint64_t fail_nth;
	bool record;
	bool keep_fail_alloc;
	orc_alloc_rec *recs; /* grown with realloc; the caller frees it */
	size_t nrecs, cap;
	bool injected;       /* out: the planned failure happened */
} orc_alloc_plan;

typedef struct orc_exec_opts {
	FILE *out;          /* the trace's printed lines; NULL prints nothing */
	bool dump_each;     /* a dump block after every operation */
	/* gomap_check after every operation while the map holds at most this
	 * many entries, then on a cadence that keeps the total cost linear;
	 * always at the end.  0 means the default (256). */
	size_t check_all_below;
	/* On the cadence, a check runs once the operations since the last one
	 * reach 1/check_divisor of the entries plus buckets it walks, so each
	 * operation pays for check_divisor units of walk.  0 means the default
	 * (16): replay checks 16 times as often as fuzzing, which trades a
	 * little latency in noticing for speed (target_common.c).  At 64 the
	 * checks were 40% of replaying 10^6 puts and gets. */
	size_t check_divisor;
	/* Call the generic and fast entry points as the program says (true),
	 * or force the generic path everywhere (false is for tests). */
	bool honour_paths;
	/* Also check the model's own structure (uthash's HASH_FSCK) after
	 * every change to it and at the end: each change then costs a walk of
	 * the whole model, so a run is quadratic.  Tests and
	 * `gomap replay --paranoid` only. */
	bool paranoid;
	/* When set, called with the operations run so far and the program's
	 * length every ORC_PROGRESS_EVERY operations (so never for a short
	 * program). */
	void (*progress)(void *ctx, size_t done, size_t total);
	void *progress_ctx;
	/* Fault injection by plan instead of the program's fail-alloc
	 * records; NULL for a plain run. */
	orc_alloc_plan *plan;
} orc_exec_opts;

#define ORC_PROGRESS_EVERY 65536

/* Runs p (its header must carry a seed).  Returns an orc_status:
 * ORC_AGREED when core and model agreed on everything and every invariant
 * held, ORC_FAILED on a failure, ORC_MALFORMED when the program cannot run
 * (v->malformed), ORC_ENVIRONMENT when the machine failed the run
 * (v->environment: the real allocator returned NULL outside an injected
 * fail-alloc, or the output could not be written); *v says which. */
int orc_exec(const fz_program *p, const orc_exec_opts *opts, orc_verdict *v);

#endif
