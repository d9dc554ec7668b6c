/* Systematic fault injection (oracle/sweep.h) and the executor's plan
 * behind it (oracle/exec.h, orc_alloc_plan). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "sweep.h"
#include "trace.h"

static fz_program parse(const char *text)
{
	fz_program p;
	fz_error err;
	if (fz_trace_parse("t.trace", text, strlen(text), &p, &err) != 0) {
		fprintf(stderr, "%s\n", err.text);
		abort();
	}
	return p;
}

/* Nine puts into a map made without a hint: the header, the first
 * bucket, and at the ninth the array of the growth 0 -> 1. */
static const char NINE_PUTS[] =
	"map u64 u64 seed=1\n"
	"put 1 1\nput 2 2\nput 3 3\nput 4 4\nput 5 5\n"
	"put 6 6\nput 7 7\nput 8 8\nput 9 9\nlen\n";

GM_TEST(sweep__fails_each_allocation_once)
{
	fz_program p = parse(NINE_PUTS);
	orc_sweep_opts o = {.exec = {.honour_paths = true}};
	orc_sweep_stats s = {0};
	orc_verdict v;
	orc_sweep_failure at;
	GM_EXPECT_EQ_U(orc_sweep(&p, &o, &s, &v, &at), ORC_AGREED);
	GM_EXPECT_EQ_U(s.ops, 10);
	GM_EXPECT(s.allocs >= 3);
	GM_EXPECT_EQ_U(s.injected, s.allocs);
	GM_EXPECT_EQ_U(s.failed_at[GOMAP_SITE_HEADER], 1);
	GM_EXPECT_EQ_U(s.failed_at[GOMAP_SITE_FIRST_BUCKET], 1);
	GM_EXPECT_EQ_U(s.failed_at[GOMAP_SITE_GROW_ARRAY], 1);
	uint64_t failed = 0;
	for (int i = 0; i < GOMAP_SITE_COUNT; i++) {
		GM_EXPECT_EQ_U(s.failed_at[i], s.seen_at[i]);
		failed += s.failed_at[i];
	}
	GM_EXPECT_EQ_U(failed, s.allocs);
	fz_program_free(&p);
}

GM_TEST(sweep__a_bound_caps_the_failing_runs)
{
	fz_program p = parse(NINE_PUTS);
	for (uint64_t pick = 0; pick < 4; pick++) {
		orc_sweep_opts o = {.exec = {.honour_paths = true},
		                    .max_failures = 2, .pick = pick};
		orc_sweep_stats s = {0};
		orc_verdict v;
		orc_sweep_failure at;
		GM_EXPECT_EQ_U(orc_sweep(&p, &o, &s, &v, &at), ORC_AGREED);
		GM_EXPECT_EQ_U(s.injected, 2);
		uint64_t failed = 0;
		for (int i = 0; i < GOMAP_SITE_COUNT; i++)
			failed += s.failed_at[i];
		GM_EXPECT_EQ_U(failed, 2);
	}
	fz_program_free(&p);
}

/* Thirty puts under one hash: the header, the first bucket, and an
 * overflow bucket for every eighth key after that (the growth 0 -> 1 and
 * 1 -> 2 make arrays of their own, each once). */
static const char CROWDED_PUTS[] =
	"map u64 u64 seed=1 hash=collide\n"
	"put 1 1\nput 2 2\nput 3 3\nput 4 4\nput 5 5\nput 6 6\nput 7 7\n"
	"put 8 8\nput 9 9\nput 10 10\nput 11 11\nput 12 12\nput 13 13\n"
	"put 14 14\nput 15 15\nput 16 16\nput 17 17\nput 18 18\nput 19 19\n"
	"put 20 20\nput 21 21\nput 22 22\nput 23 23\nput 24 24\nput 25 25\n"
	"put 26 26\nput 27 27\nput 28 28\nput 29 29\nput 30 30\nlen\n";

/* Every allocation of p failed in turn: what a full sweep saw. */
static orc_sweep_stats full_sweep(const fz_program *p)
{
	orc_sweep_opts all = {.exec = {.honour_paths = true}};
	orc_sweep_stats seen = {0};
	orc_verdict v;
	orc_sweep_failure at;
	GM_EXPECT_EQ_U(orc_sweep(p, &all, &seen, &v, &at), ORC_AGREED);
	return seen;
}

/* With a bound of one failing run, the sites take turns: as many picks as
 * the counting run saw sites fail each site once, however few of the
 * program's allocations it made. */
GM_TEST(sweep__a_bound_of_one_gives_every_site_a_turn)
{
	fz_program p = parse(CROWDED_PUTS);
	orc_sweep_stats seen = full_sweep(&p);
	orc_verdict v;
	orc_sweep_failure at;
	int nsites = 0;
	for (int i = 0; i < GOMAP_SITE_COUNT; i++)
		nsites += seen.seen_at[i] != 0;
	GM_EXPECT(nsites >= 3);
	orc_sweep_stats s = {0};
	for (int pick = 0; pick < nsites; pick++) {
		orc_sweep_opts one = {.exec = {.honour_paths = true},
		                      .max_failures = 1, .pick = (uint64_t)pick};
		GM_EXPECT_EQ_U(orc_sweep(&p, &one, &s, &v, &at), ORC_AGREED);
	}
	GM_EXPECT_EQ_U(s.injected, nsites);
	for (int i = 0; i < GOMAP_SITE_COUNT; i++)
		GM_EXPECT_EQ_U(s.failed_at[i], seen.seen_at[i] != 0);
	fz_program_free(&p);
}

/* A bound below the allocations but above the sites: no allocation fails
 * twice, and a site with many allocations takes the runs the others have
 * no allocations left for. */
GM_TEST(sweep__a_bound_fails_distinct_allocations)
{
	fz_program p = parse(CROWDED_PUTS);
	orc_sweep_stats seen = full_sweep(&p);
	orc_verdict v;
	orc_sweep_failure at;
	GM_EXPECT(seen.allocs >= 6);
	for (uint64_t pick = 0; pick < 8; pick++) {
		orc_sweep_opts o = {.exec = {.honour_paths = true},
		                    .max_failures = seen.allocs - 1, .pick = pick};
		orc_sweep_stats s = {0};
		GM_EXPECT_EQ_U(orc_sweep(&p, &o, &s, &v, &at), ORC_AGREED);
		GM_EXPECT_EQ_U(s.injected, seen.allocs - 1);
		uint64_t short_by = 0;
		for (int i = 0; i < GOMAP_SITE_COUNT; i++) {
			GM_EXPECT(s.failed_at[i] <= seen.seen_at[i]);
			short_by += seen.seen_at[i] - s.failed_at[i];
		}
		GM_EXPECT_EQ_U(short_by, 1);
	}
	fz_program_free(&p);
}

/* The plan's log: which operation made each allocation, at which site;
 * the program's own fail-alloc does not fire under a plan. */
GM_TEST(exec_plan__records_each_allocation_and_ignores_fail_alloc)
{
	fz_program p = parse("map u64 u64 seed=2\n"
	                     "fail-alloc 1\nput 1 1\nget 1\n");
	orc_alloc_plan plan = {.record = true};
	orc_exec_opts o = {.honour_paths = true, .plan = &plan};
	orc_verdict v;
	GM_EXPECT_EQ_U(orc_exec(&p, &o, &v), ORC_AGREED);
	GM_EXPECT_EQ_U(plan.nrecs, 2);
	GM_EXPECT_EQ_U(plan.recs[0].op, ORC_MAKE_OP);
	GM_EXPECT_EQ_U(plan.recs[0].site, GOMAP_SITE_HEADER);
	GM_EXPECT_EQ_U(plan.recs[1].op, 1); /* the put */
	GM_EXPECT_EQ_U(plan.recs[1].site, GOMAP_SITE_FIRST_BUCKET);
	GM_EXPECT(!plan.injected);
	free(plan.recs);
	/* without a plan the fail-alloc fails the put */
	o.plan = NULL;
	o.out = tmpfile();
	GM_EXPECT_EQ_U(orc_exec(&p, &o, &v), ORC_AGREED);
	char line[64] = "";
	rewind(o.out);
	GM_EXPECT(fgets(line, sizeof line, o.out) != NULL);
	GM_EXPECT_STR(line, "put 1 1 -> enomem\n");
	fclose(o.out);
	fz_program_free(&p);
}

/* A failed make ends the run as agreed when it freed what it took. */
GM_TEST(exec_plan__a_failed_make_ends_the_run)
{
	fz_program p = parse("map u64 u64 hint=100 seed=2\nput 1 1\n");
	for (uint64_t nth = 1; nth <= 2; nth++) {
		orc_alloc_plan plan = {.fail_op = ORC_MAKE_OP, .fail_nth = nth};
		orc_exec_opts o = {.honour_paths = true, .plan = &plan};
		orc_verdict v;
		GM_EXPECT_EQ_U(orc_exec(&p, &o, &v), ORC_AGREED);
		GM_EXPECT(plan.injected);
	}
	fz_program_free(&p);
}

/* A plan for an allocation the operation does not make is the core
 * behaving unlike the counting run: a finding. */
GM_TEST(exec_plan__a_planned_failure_that_never_comes_is_reported)
{
	fz_program p = parse("map u64 u64 hint=100 seed=2\nput 1 1\nput 2 2\n");
	orc_alloc_plan plan = {.fail_op = 1, .fail_nth = 1};
	orc_exec_opts o = {.honour_paths = true, .plan = &plan};
	orc_verdict v;
	GM_EXPECT_EQ_U(orc_exec(&p, &o, &v), ORC_FAILED);
	GM_EXPECT_STR(v.check, "enomem.not-repeated");
	GM_EXPECT_EQ_U(v.op_index, 1);
	GM_EXPECT(!plan.injected);
	fz_program_free(&p);
}

/* The counting run's own failure is the sweep's answer, marked so. */
GM_TEST(sweep__a_failing_counting_run_is_reported_as_such)
{
	fz_program p = parse("map u64 u64 seed=3\nput 1 1\n"
	                     "expect-fatal concurrent map writes\n");
	orc_sweep_opts o = {.exec = {.honour_paths = true}};
	orc_sweep_stats s = {0};
	orc_verdict v;
	orc_sweep_failure at;
	GM_EXPECT_EQ_U(orc_sweep(&p, &o, &s, &v, &at), ORC_FAILED);
	GM_EXPECT(at.counting);
	GM_EXPECT_STR(v.check, "fatal.missing");
	GM_EXPECT_EQ_U(s.injected, 0);
	fz_program_free(&p);
}

GM_TEST_MAIN()
