/* Go's own runtime map as a second oracle, inside the lockstep executor.
 *
 * In a build with GOMAP_GO_IN_LOOP (presets fuzz-go and afl-go), orc_exec
 * runs every program on Go 1.19's runtime map too (gocheck/lib.go, linked
 * in as a C archive) and compares what the two maps show:
 *
 *   go.dump  the whole structure, what `dump` prints (header and every
 *            bucket), at each of the executor's structure checks and at
 *            the end;
 *   go.iter  every iteration's order: an `iter` as the map yields it
 *            (unsorted), and each `iter-next` step.
 *
 * The executor reports the port's side as the program runs (the calls
 * below); at the end orc_go_judge sends Go the program with a `dump` after
 * each check and fails the verdict at the first line where Go's output
 * differs, with Go's line as expected and the port's as seen.
 *
 * What Go cannot follow raises no alarm.  The comparison ends before the
 * first `reenter` (which is also before any fatal error: only a reentrant
 * operation raises one), `fail-alloc` lines are dropped, and an operation
 * the port failed with ENOMEM is left out of Go's program: the port then
 * leaves the map and its random stream exactly as they were
 * (docs/design.md, "Allocation failure"; the executor's enomem.changed
 * checks it), which is what Go shows by not running it.
 *
 * Without GOMAP_GO_IN_LOOP each call is an empty inline function. */
#ifndef ORC_GO_ORACLE_H
#define ORC_GO_ORACLE_H

#include <stdbool.h>
#include <stddef.h>

#include "gomap.h"
#include "model.h"
#include "program.h"
#include "verdict.h"

#if GOMAP_GO_IN_LOOP

typedef struct orc_go_mark orc_go_mark;

typedef struct orc_go_log {
	const fz_program *p;
	size_t stop;            /* the first operation Go cannot follow */
	bool skip_op;           /* the running operation failed with ENOMEM */
	bool dumped_last;       /* a dump follows the last operation sent */
	gomap_textbuf program;  /* what Go runs, encoded (go_wire.h) */
	gomap_textbuf port;     /* what the port showed, line by line */
	orc_go_mark *marks;     /* where each block of port lines starts */
	size_t nmarks, cap;
} orc_go_log;

/* Starts the log of a run of p, on the map the executor just made. */
void orc_go_begin(orc_go_log *g, const fz_program *p);
/* Top-level operation `index` ended; `checked`: the executor checked the
 * map's structure after it, so its dump is compared. */
void orc_go_after_op(orc_go_log *g, const gomap *m, size_t index, bool checked);
/* The running operation failed with ENOMEM: Go does not run it. */
void orc_go_enomem(orc_go_log *g);
/* Operation `index` (an `iter`) yielded pairs[0..n), in that order. */
void orc_go_iterated(orc_go_log *g, size_t index, const orc_pair *pairs,
                     size_t n);
/* Operation `index` stepped iterator `it`: onto key/elem, or past the end
 * (key NULL). */
void orc_go_stepped(orc_go_log *g, size_t index, int it, const void *key,
                    const void *elem);
/* The run is over: unless *v has failed already, runs Go and records a
 * difference in *v.  Frees the log. */
void orc_go_judge(orc_go_log *g, const gomap *m, orc_verdict *v);

#else

typedef struct orc_go_log {
	char unused;
} orc_go_log;

static inline void orc_go_begin(orc_go_log *g, const fz_program *p)
{
	(void)g, (void)p;
}
static inline void orc_go_after_op(orc_go_log *g, const gomap *m,
                                   size_t index, bool checked)
{
	(void)g, (void)m, (void)index, (void)checked;
}
static inline void orc_go_enomem(orc_go_log *g) { (void)g; }
static inline void orc_go_iterated(orc_go_log *g, size_t index,
                                   const orc_pair *pairs, size_t n)
{
	(void)g, (void)index, (void)pairs, (void)n;
}
static inline void orc_go_stepped(orc_go_log *g, size_t index, int it,
                                  const void *key, const void *elem)
{
	(void)g, (void)index, (void)it, (void)key, (void)elem;
}
static inline void orc_go_judge(orc_go_log *g, const gomap *m, orc_verdict *v)
{
	(void)g, (void)m, (void)v;
}

#endif
#endif
