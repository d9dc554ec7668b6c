/* Systematic fault injection (see sweep.h). */
#include "sweep.h"

#include <stdlib.h>

/* The allocation of the counting run that injection i of k fails: k
 * points spread evenly over n, turned by `pick` so that programs with the
 * same count do not all fail the same ones. */
static size_t chosen(size_t i, size_t k, size_t n, uint64_t pick)
{
	size_t even = (size_t)((unsigned __int128)i * n / k);
	return (size_t)((even + pick % n) % n);
}

/* Allocation j's place within its operation: 1 for its first. */
static uint64_t nth_in_op(const orc_alloc_rec *recs, size_t j)
{
	size_t first = j;
	while (first > 0 && recs[first - 1].op == recs[j].op)
		first--;
	return j - first + 1;
}

/* One run with allocation j of the counting run failing. */
static int inject(const fz_program *p, const orc_sweep_opts *o,
                  const orc_alloc_rec *rec, uint64_t nth,
                  orc_sweep_stats *s, orc_verdict *v)
{
	orc_alloc_plan plan = {.fail_op = rec->op, .fail_nth = nth,
	                       .keep_fail_alloc = o->keep_fail_alloc};
	orc_exec_opts eo = o->exec;
	eo.plan = &plan;
	int rc = orc_exec(p, &eo, v);
	s->injected++;
	if (plan.injected)
		s->failed_at[rec->site]++;
	return rc;
}

int orc_sweep_from(const fz_program *p, const orc_sweep_opts *o,
                   const orc_alloc_plan *counted, orc_sweep_stats *s,
                   orc_verdict *v, orc_sweep_failure *at)
{
	size_t n = counted->nrecs;
	size_t k = o->max_failures && o->max_failures < n ? o->max_failures : n;
	int rc = ORC_AGREED;
	for (size_t i = 0; i < k && rc == ORC_AGREED; i++) {
		size_t j = k == n ? i : chosen(i, k, n, o->pick);
		const orc_alloc_rec *rec = &counted->recs[j];
		uint64_t nth = nth_in_op(counted->recs, j);
		*at = (orc_sweep_failure){rec->op, nth, rec->site, false};
		rc = inject(p, o, rec, nth, s, v);
	}
	return rc;
}

int orc_sweep(const fz_program *p, const orc_sweep_opts *o,
              orc_sweep_stats *s, orc_verdict *v, orc_sweep_failure *at)
{
	orc_alloc_plan count = {.record = true,
	                        .keep_fail_alloc = o->keep_fail_alloc};
	orc_exec_opts eo = o->exec;
	eo.plan = &count;
	*at = (orc_sweep_failure){.counting = true};
	s->ops += p->nops;
	int rc = orc_exec(p, &eo, v);
	if (rc == ORC_AGREED) {
		s->allocs += count.nrecs;
		for (size_t j = 0; j < count.nrecs; j++)
			s->seen_at[count.recs[j].site]++;
		rc = orc_sweep_from(p, o, &count, s, v, at);
	}
	free(count.recs);
	return rc;
}
