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
