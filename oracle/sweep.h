/* Systematic fault injection, as SQLite and Lua test their allocators:
 * run a program once, counting the allocations each operation makes,
 * then once per allocation with exactly that one failing.  Each failing
 * run is checked by the executor as any run with a fail-alloc is: the
 * operation reports ENOMEM, its dump is byte-equal to before, the
 * invariants hold, and the rest of the program agrees with the model
 * (docs/design.md, "Allocation failure" and "Allocation sites"). */
#ifndef ORC_SWEEP_H
#define ORC_SWEEP_H

#include "exec.h"

typedef struct orc_sweep_opts {
	orc_exec_opts exec; /* how each run goes; its plan is the sweep's */
	/* At most this many injected failures, 0 meaning every allocation.
	 * Fewer than the allocations: the sites seen take turns, from one
	 * `pick` chooses, and each site's share is spread evenly over its
	 * allocations from an offset `pick` turns (sweep.c). */
	size_t max_failures;
	uint64_t pick;
	/* Keep the program's own fail-alloc records in every run (the
	 * faults fuzz target, whose plain run is the counting run); else
	 * they are ignored, and each run fails exactly one allocation. */
	bool keep_fail_alloc;
} orc_sweep_opts;

/* What sweeps saw; orc_sweep adds to it, so one total can cover many
 * programs. */
typedef struct orc_sweep_stats {
	uint64_t ops;      /* operations of the programs */
	uint64_t allocs;   /* allocations of their counting runs */
	uint64_t injected; /* runs with one allocation failing */
	uint64_t seen_at[GOMAP_SITE_COUNT];
	uint64_t failed_at[GOMAP_SITE_COUNT];
} orc_sweep_stats;

/* The injected failure a failing run had: allocation nth (from 1) of
 * operation op (ORC_MAKE_OP: the make), at site. */
typedef struct orc_sweep_failure {
	size_t op;
	uint64_t nth;
	enum gomap_alloc_site site;
	bool counting; /* no: the counting run itself failed */
} orc_sweep_failure;

/* Sweeps p (its header must carry a seed).  Returns the first run's
 * orc_status that is not ORC_AGREED, with its verdict in *v and in *at
 * the failure it had injected, or ORC_AGREED. */
int orc_sweep(const fz_program *p, const orc_sweep_opts *o,
              orc_sweep_stats *s, orc_verdict *v, orc_sweep_failure *at);

/* The failing runs only, after a counting run the caller made: an
 * orc_exec of p with a plan that recorded (counted->record), agreed,
 * and kept fail-alloc records as o->keep_fail_alloc says. */
int orc_sweep_from(const fz_program *p, const orc_sweep_opts *o,
                   const orc_alloc_plan *counted, orc_sweep_stats *s,
                   orc_verdict *v, orc_sweep_failure *at);

#endif
