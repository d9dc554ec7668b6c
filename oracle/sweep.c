/* Systematic fault injection (see sweep.h). */
#include "sweep.h"

#include <stdlib.h>

/* Allocation j's place within its operation: 1 for its first. */
static uint64_t nth_in_op(const orc_alloc_rec *recs, size_t j)
{
	size_t first = j;
	while (first > 0 && recs[first - 1].op == recs[j].op)
		first--;
	return j - first + 1;
}

/* One run with allocation j of the counting run failing; *at says which. */
static int inject(const fz_program *p, const orc_sweep_opts *o,
                  const orc_alloc_plan *counted, size_t j,
                  orc_sweep_stats *s, orc_verdict *v, orc_sweep_failure *at)
{
	const orc_alloc_rec *rec = &counted->recs[j];
	uint64_t nth = nth_in_op(counted->recs, j);
	*at = (orc_sweep_failure){rec->op, nth, rec->site, false};
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

/* How many of k bounded failing runs each site gets (k below the count's
 * total): one at a time, the sites the counting run saw take turns from
 * the one `pick` chooses, and a site drops out once each of its
 * allocations has a run.  Sites, not allocations, take turns so that a
 * site seen once in a whole program (a delete's reserve mid-growth) is
 * as likely to fail as the first bucket of every put: spread over the
 * allocations alone, one failing run reached it about once in as many
 * inputs as the program had allocations. */
static void share_out(const size_t count[], size_t k, uint64_t pick,
                      size_t quota[])
{
	int seen = 0;
	for (int s = 0; s < GOMAP_SITE_COUNT; s++) {
		quota[s] = 0;
		seen += count[s] != 0;
	}
	int s = 0;
	for (int skip = (int)(pick % (uint64_t)seen); count[s] == 0 || skip-- > 0;)
		s++;
	for (size_t given = 0; given < k; s = (s + 1) % GOMAP_SITE_COUNT) {
		if (quota[s] < count[s]) {
			quota[s]++;
			given++;
		}
	}
}

/* The failing runs of one site with quota q of its c allocations: the
 * r-th fails allocation r * c / q + an offset below c / q that `pick`
 * turns, so that they spread evenly over the site's allocations and
 * programs with the same count do not all fail the same ones. */
static int sweep_site(const fz_program *p, const orc_sweep_opts *o,
                      const orc_alloc_plan *counted, int site, size_t c,
                      size_t q, orc_sweep_stats *s, orc_verdict *v,
                      orc_sweep_failure *at)
{
	size_t off = (size_t)(o->pick / GOMAP_SITE_COUNT % (c / q));
	size_t seen = 0, r = 0;
	for (size_t j = 0; j < counted->nrecs && r < q; j++) {
		const orc_alloc_rec *rec = &counted->recs[j];
		if ((int)rec->site != site || seen++ != r * c / q + off)
			continue;
		r++;
		int rc = inject(p, o, counted, j, s, v, at);
		if (rc != ORC_AGREED)
			return rc;
	}
	return ORC_AGREED;
}

int orc_sweep_from(const fz_program *p, const orc_sweep_opts *o,
                   const orc_alloc_plan *counted, orc_sweep_stats *s,
                   orc_verdict *v, orc_sweep_failure *at)
{
	size_t n = counted->nrecs;
	int rc = ORC_AGREED;
	if (o->max_failures == 0 || o->max_failures >= n) {
		for (size_t j = 0; j < n && rc == ORC_AGREED; j++)
			rc = inject(p, o, counted, j, s, v, at);
		return rc;
	}
	size_t count[GOMAP_SITE_COUNT] = {0}, quota[GOMAP_SITE_COUNT];
	for (size_t j = 0; j < n; j++)
		count[counted->recs[j].site]++;
	share_out(count, o->max_failures, o->pick, quota);
	for (int site = 0; site < GOMAP_SITE_COUNT && rc == ORC_AGREED; site++)
		if (quota[site] != 0)
			rc = sweep_site(p, o, counted, site, count[site],
			                quota[site], s, v, at);
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
