/* The op-level reducer behind `gomap minimize` and ci/triage.sh.
 *
 * A failing program is made smaller while it keeps failing the same way:
 * "the same way" is the verdict's check id (oracle/verdict.h), so a
 * reduction never wanders from a content.missing to some other bug.
 *
 * Two layers:
 *  - fz_ddmin, delta debugging over a list of element indices with a
 *    caller's predicate.  It knows nothing about maps, so it is tested on
 *    synthetic predicates ("fails iff elements 3 and 17 are both there").
 *  - fz_reduce_program, which runs fz_ddmin over a program's operations
 *    (the predicate rebuilds the program from the kept operations and runs
 *    it with orc_exec), then tries cheap simplifications of the values:
 *    smaller iter-next and fail-alloc counts, no hint, Go's hash, the
 *    default hashkey, seed 1, small integer keys and elems.
 *
 * Everything is deterministic: the same program and check id always give
 * the same result (budgets count tests, not seconds). */
#ifndef FZ_REDUCE_H
#define FZ_REDUCE_H

#include <stdbool.h>
#include <stddef.h>

#include "exec.h"
#include "program.h"

/* The predicate: true when the configuration idx[0..*n) (ascending element
 * indices) is still "interesting" (fails the same way).  It may drop
 * elements that the configuration made meaningless (an iter-next whose
 * iter-start was removed) by rewriting idx and *n; the engine then adopts
 * the shorter list. */
typedef bool (*fz_ddmin_test)(void *ctx, size_t *idx, size_t *n);

typedef struct fz_ddmin_stats {
	size_t tests;      /* predicate calls */
	bool out_of_tests; /* stopped by max_tests: maybe not 1-minimal */
} fz_ddmin_stats;

/* Reduces idx[0..n) (ascending; the whole list must satisfy `test`) and
 * returns the new length.  Chunks of n/2, n/4, ... 1 elements are removed
 * where the rest stays interesting, sweeping left to right; the last
 * level repeats until nothing more goes, so unless max_tests (0 = no
 * limit) ran out the result is 1-minimal: removing any single element
 * makes it uninteresting.  Zeller's ddmin also tests each chunk alone;
 * here that is left out, because a slice of a map program almost never
 * fails without the operations that built the map before it. */
size_t fz_ddmin(size_t *idx, size_t n, fz_ddmin_test test, void *ctx,
                size_t max_tests, fz_ddmin_stats *st);

typedef struct fz_reduce_opts {
	const orc_exec_opts *exec; /* how candidates run (out is ignored) */
	/* Optional (NULL: none): a second way to run each candidate, which
	 * must then fail with check id also_check as well.  Runs that check
	 * the structure at different cadences may name different checks for
	 * one bug; gomap minimize keeps both the fuzz target's and `gomap
	 * replay`'s. */
	const orc_exec_opts *also_exec;
	const char *also_check;
	size_t max_tests;          /* 0: 200000 */
	bool keep_values;          /* skip the value simplifications */
} fz_reduce_opts;

typedef struct fz_reduce_stats {
	size_t ops_before, ops_after;
	size_t tests;       /* orc_exec runs */
	bool out_of_tests;
	orc_verdict verdict; /* the reduced program's verdict */
} fz_reduce_stats;

/* Reduces p, which must fail with check id `check` under o->exec (and
 * with o->also_check under o->also_exec), into
 * *out (initialised here; free with fz_program_free).  Returns 0; -1 when
 * p does not fail with that check (out is then empty), or out of memory. */
int fz_reduce_program(const fz_program *p, const char *check,
                      const fz_reduce_opts *o, fz_program *out,
                      fz_reduce_stats *st);

#endif
