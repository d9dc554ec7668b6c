/* Shared glue of the fuzz targets (see target_common.h). */
#include "target_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exec.h"
#include "sweep.h"
#include "trace.h"

static void report(const fz_program *p, const orc_verdict *v, const char *why)
{
	fprintf(stderr, "==== gomap fuzz failure: %s\n", why);
	if (v) {
		orc_verdict_print(v, "<input>", stderr);
		orc_verdict_print_signature(v, stderr);
	}
	gomap_textbuf tb = {0};
	fz_trace_print(p, &tb);
	fprintf(stderr, "==== the program as a trace (gomap replay FILE):\n%s====\n",
	        fz_textbuf_cstr(&tb));
	gomap_textbuf_free(&tb);
	abort();
}

/* The machine failed, not the map: malloc returned NULL outside an armed
 * fail-alloc, or output failed.  Not a finding, so no crash: a line on
 * stderr and exit status 3 without running atexit handlers, so that
 * libFuzzer does not report "fuzz target exited" and no engine saves the
 * input (fuzz/README.md, "Environment failures"). */
static void environment_failed(const orc_verdict *v)
{
	fprintf(stderr, "==== gomap fuzz: environment failure, not a finding\n");
	if (v)
		orc_verdict_print(v, "<input>", stderr);
	else
		fprintf(stderr, "<input>:0: environment.nomem: out of memory decoding\n");
	_exit(ORC_ENVIRONMENT);
}

/* gomap_check whenever the ops since the last check reach what a check
 * walks (entries plus buckets), so checking costs at most one unit of
 * walk per op, about what the operations themselves walk, and always at
 * the end.  On a map of a few entries that is still every op or two.  A
 * full check per op, 64 units per op (replay's default once), or 4 units
 * dominated the run (callgrind, perf: at 4 units, a quarter of the
 * executor's time).  A broken invariant mostly stays broken, and the model
 * comparison on every read and at the end catches what it hides, so this
 * cadence still reports it, a few ops later: bench/mutants.sh --no-seeds
 * --runs 5 found every mutant in every run, in about as many executions
 * as at 4 units per op. */
const orc_exec_opts fz_target_exec_opts = {
	.out = NULL, .honour_paths = true, .check_all_below = 1, .check_divisor = 1};

/* One program for the process: each input is decoded into the memory the
 * last one used.  It is emptied at the end of the run rather than the
 * start of the next, so that each run frees what it allocated beyond the
 * kept memory: libFuzzer runs an input again, looking for a leak,
 * whenever a run mallocs more than it frees. */
static fz_program program;

static const char *what_failed(int rc, const orc_verdict *v)
{
	if (rc == ORC_MALFORMED)
		return "the decoder made a malformed program";
	return strncmp(v->check, "go.", 3) == 0
	               ? "the port and Go's runtime map disagree"
	               : "core and model disagree";
}

/* Decodes and runs the input (with plan, when not NULL); returns the
 * program, which agreed. */
static fz_program *run_decoded(enum fz_target t, const uint8_t *data,
                               size_t size, orc_alloc_plan *plan)
{
	fz_program *p = &program;
	if (p->file == NULL) /* first input: still all zero bytes */
		fz_program_init(p, "<input>");
	int decoded = fz_decode_into(t, data, size, p);
	if (decoded == -1)
		environment_failed(NULL);
	if (decoded != 0)
		report(p, NULL, "the decoder made a program it could not finish");
	orc_verdict v;
	orc_exec_opts o = fz_target_exec_opts;
	o.plan = plan;
	int rc = orc_exec(p, &o, &v);
	if (rc == ORC_ENVIRONMENT)
		environment_failed(&v);
	if (rc != 0)
		report(p, &v, what_failed(rc, &v));
	return p;
}

void fz_run_input(enum fz_target t, const uint8_t *data, size_t size)
{
	fz_program *p = run_decoded(t, data, size, NULL);
	fz_program_reset(p, "<input>");
}

/* FNV-1a of the input: where the sweep's evenly spread failures start. */
static uint64_t input_hash(const uint8_t *data, size_t size)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < size; i++)
		h = (h ^ data[i]) * 0x100000001b3ULL;
	return h;
}

static void report_injection(const fz_program *p, const orc_verdict *v,
                             int rc, const orc_sweep_failure *at)
{
	/* the trace below fails under `gomap replay --fail-each-alloc` */
	if (at->counting)
		fprintf(stderr, "==== fault-injection sweep, its counting run (the "
		        "program's fail-alloc records ignored)\n");
	else if (at->op == ORC_MAKE_OP)
		fprintf(stderr, "==== fault-injection sweep: allocation %llu of the "
		        "make failing (%s)\n", (unsigned long long)at->nth,
		        gomap_alloc_site_name(at->site));
	else
		fprintf(stderr, "==== fault-injection sweep: allocation %llu of "
		        "operation %zu failing (%s)\n", (unsigned long long)at->nth,
		        at->op, gomap_alloc_site_name(at->site));
	report(p, v, what_failed(rc, v));
}

void fz_run_input_swept(enum fz_target t, const uint8_t *data, size_t size,
                        size_t max_failures, unsigned every)
{
	/* the plain run is the sweep's counting run: it keeps the program's
	 * fail-alloc records, and so do the failing runs; its log's memory
	 * is kept for the process, as the program's is */
	static orc_alloc_plan count;
	count = (orc_alloc_plan){.record = true, .keep_fail_alloc = true,
	                         .recs = count.recs, .cap = count.cap};
	uint64_t hash = input_hash(data, size);
	fz_program *p = run_decoded(t, data, size, &count);
	if (every == 0 || (hash >> 32) % every != 0) {
		fz_program_reset(p, "<input>");
		return;
	}
	orc_sweep_opts o = {.exec = fz_target_exec_opts,
	                    .max_failures = max_failures, .pick = hash,
	                    .keep_fail_alloc = true};
	orc_sweep_stats s = {0};
	orc_verdict v;
	orc_sweep_failure at;
	int rc = orc_sweep_from(p, &o, &count, &s, &v, &at);
	if (rc == ORC_ENVIRONMENT)
		environment_failed(&v);
	if (rc != 0)
		report_injection(p, &v, rc, &at);
	fz_program_reset(p, "<input>");
}
