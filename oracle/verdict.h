/* A verdict: what the executor concluded about one run.  A failure names a
 * stable check id (what kind of disagreement: "get.value", "invariant.I4",
 * "iter.duplicate", ...), the operation and its line, and what was
 * expected against what was seen.  Its signature says where the check
 * fired (the operation, entry point, re-entrancy, map phase and key kind):
 * fuzz triage buckets findings by it (ci/triage.sh), the minimizer keeps a
 * candidate only if it fails the same check. */
#ifndef ORC_VERDICT_H
#define ORC_VERDICT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What a run concluded.  These are also the exit statuses of every
 * `gomap` subcommand (README.md, "Exit status"), one meaning each. */
enum orc_status {
	ORC_AGREED = 0,      /* core and model agreed, every invariant held */
	ORC_FAILED = 1,      /* a divergence, a broken invariant, a Go difference */
	ORC_MALFORMED = 2,   /* malformed input or bad usage */
	ORC_ENVIRONMENT = 3, /* the environment failed (the real allocator, I/O):
	                        nothing is known about the map */
};

typedef struct orc_verdict {
	bool failed;
	bool malformed;     /* the program cannot run as written (exit 2) */
	/* The run could not finish for a reason outside the map: malloc
	 * returned NULL with no fail-alloc armed for it, or output failed.
	 * check is "environment.nomem" or "environment.io".  Never a finding. */
	bool environment;
	char check[48];     /* stable check id */
	size_t op_index;    /* 0-based index of the operation, or nops at end */
	uint32_t line;      /* its trace line (0 for a binary program) */
	char op[256];       /* the operation in trace syntax */
	char expected[512];
	char seen[512];
	/* Where the check fired, as "op=NAME entry=fast|generic|- reenter=
	 * no|outer|inner phase=stable|growing-doubling|growing-same-size|none
	 * key=KIND" (the executor fills it; empty when no operation ran). */
	char signature[160];
} orc_verdict;

/* Records a failure (the first one wins). */
void orc_verdict_fail(orc_verdict *v, const char *check, const char *expected,
                      const char *seen);
/* One line: "FILE:LINE: CHECK: OP: expected E, saw S"; for an environment
 * failure "FILE:LINE: CHECK: environment failure, not a map bug: WHAT (at
 * OP)". */
void orc_verdict_print(const orc_verdict *v, const char *file, void *stream);
/* For a failure, the machine-readable line triage buckets by:
 * "signature: CHECK FIELDS" (FIELDS as in orc_verdict.signature); nothing
 * for an agreement, a malformed program or an environment failure. */
void orc_verdict_print_signature(const orc_verdict *v, void *stream);

#endif
