/* gomap replay [--dump-each] [--quiet] [--paranoid] TRACE...
 * gomap replay --fail-each-alloc [--max-failures N] TRACE...
 * Runs each trace on the core and the reference oracle in lockstep and
 * prints its observations (trace-format.md); or sweeps it, failing each
 * of its allocations in turn (oracle/sweep.h), and prints a summary.  The exit status is the worst
 * of the traces' (cli.h): 0 all agreed; 1 a divergence or broken
 * invariant (one line on stderr); 2 malformed input (FILE:LINE: message);
 * 3 the environment failed. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "exec.h"
#include "sweep.h"
#include "trace.h"

static const char USAGE[] =
	"[--dump-each] [--quiet] [--paranoid] TRACE... ('-' reads stdin)\n"
	"       gomap replay --fail-each-alloc [--max-failures N] [--paranoid] "
	"TRACE...";

static const char HELP[] =
	"Runs each text trace (docs/trace-format.md) on the core and on the\n"
	"reference model in lockstep, prints the trace's observations on\n"
	"stdout, and checks the map's structure (docs/design.md, I1..I10)\n"
	"after every operation while the map is small, then on a cadence\n"
	"that keeps the cost linear, and at the end.  A trace without seed=\n"
	"gets one from the system, printed on stderr.  On a failure one line\n"
	"on stderr names the line, the check, what was expected and what was\n"
	"seen.  While a long trace runs, its progress is shown on stderr when\n"
	"stderr is a terminal and stdout is not (or with --quiet).\n"
	"\n"
	"  --dump-each  print the map's structure dump after every operation\n"
	"  --quiet      print no observations\n"
	"  --paranoid   also check the map's structure after every operation\n"
	"               and uthash's own after every change to the model:\n"
	"               quadratic, for small traces and debugging the oracle\n"
	"\n"
	"  --fail-each-alloc\n"
	"               systematic fault injection: run each trace once\n"
	"               counting the allocations of every operation (the\n"
	"               trace's own fail-alloc records are ignored), then once\n"
	"               per allocation with exactly that one failing; each\n"
	"               run must see the operation report ENOMEM, the map's\n"
	"               dump unchanged, the invariants hold and the rest of\n"
	"               the trace agree with the model.  Prints no\n"
	"               observations; on stdout one line per core allocation\n"
	"               site (seen, failed) and a summary line.  A failing run\n"
	"               is named on stderr by the allocation it failed.\n"
	"  --max-failures N\n"
	"               at most N failing runs per trace, spread evenly over\n"
	"               its allocations (default: every allocation)\n";

/* A trace without seed= gets one from the system, printed so the run can
 * be repeated (trace-format.md, header). */
static uint64_t pick_seed(void)
{
	uint64_t s = 0;
	FILE *f = fopen("/dev/urandom", "rb");
	if (f) {
		if (fread(&s, sizeof s, 1, f) != 1)
			s = 0;
		fclose(f);
	}
	return s ? s : 0x2545f4914f6cdd1dULL;
}

/* Progress of one trace on a terminal: "\rFILE: N of M operations (P%)",
 * rewritten in place and erased at the end. */
typedef struct progress {
	const char *path;
	bool shown;
} progress;

static void show_progress(void *ctx, size_t done, size_t total)
{
	progress *pr = ctx;
	fprintf(stderr, "\rgomap replay: %s: %zu of %zu operations (%zu%%)\033[K",
	        pr->path, done, total, total ? done * 100 / total : 100);
	pr->shown = true;
}

static int replay_one(const char *path, orc_exec_opts *opts)
{
	fz_program p;
	int rc = fz_load_trace(path, &p);
	if (rc != 0)
		return rc;
	if (!p.hdr.has_seed) {
		p.hdr.seed = pick_seed();
		p.hdr.has_seed = true;
		fprintf(stderr, "%s: seed=%llu\n", path,
		        (unsigned long long)p.hdr.seed);
	}
	progress pr = {.path = path};
	opts->progress_ctx = &pr;
	orc_verdict v;
	fflush(opts->out);
	rc = orc_exec(&p, opts, &v);
	if (pr.shown)
		fputs("\r\033[K", stderr);
	/* Observations that did not all reach stdout are no agreement. */
	bool unwritten = opts->out && (fflush(opts->out) != 0 || ferror(opts->out));
	if (rc != ORC_AGREED) {
		orc_verdict_print(&v, path, stderr);
		orc_verdict_print_signature(&v, stderr);
	}
	else if (unwritten)
		rc = fz_env_error(path, "cannot write the observations to "
		                  "standard output: %s", strerror(errno));
	if (unwritten)
		clearerr(opts->out);
	fz_program_free(&p);
	return rc;
}

/* ---- --fail-each-alloc ------------------------------------------------ */

static void print_injection(const char *path, const fz_program *p,
                            const orc_sweep_failure *at)
{
	if (at->counting) {
		fprintf(stderr, "%s: the counting run (no failure injected):\n",
		        path);
		return;
	}
	uint32_t line = at->op == ORC_MAKE_OP ? p->header_line
	                                      : p->ops[at->op].line;
	fprintf(stderr, "%s:%u: with allocation %llu of %s failing (%s):\n",
	        path, (unsigned)line, (unsigned long long)at->nth,
	        at->op == ORC_MAKE_OP ? "the make" : "the operation",
	        gomap_alloc_site_name(at->site));
}

static int sweep_one(const char *path, const orc_sweep_opts *o,
                     orc_sweep_stats *s)
{
	fz_program p;
	int rc = fz_load_trace(path, &p);
	if (rc != 0)
		return rc;
	if (!p.hdr.has_seed) {
		p.hdr.seed = pick_seed();
		p.hdr.has_seed = true;
		fprintf(stderr, "%s: seed=%llu\n", path,
		        (unsigned long long)p.hdr.seed);
	}
	orc_verdict v;
	orc_sweep_failure at;
	rc = orc_sweep(&p, o, s, &v, &at);
	if (rc != ORC_AGREED) {
		print_injection(path, &p, &at);
		orc_verdict_print(&v, path, stderr);
	}
	fz_program_free(&p);
	return rc;
}

static void print_sweep_stats(const orc_sweep_stats *s, int ntraces)
{
	int never = 0;
	for (int i = 0; i < GOMAP_SITE_COUNT; i++) {
		printf("site %-40s seen %10llu  failed %8llu\n",
		       gomap_alloc_site_name((enum gomap_alloc_site)i),
		       (unsigned long long)s->seen_at[i],
		       (unsigned long long)s->failed_at[i]);
		never += s->failed_at[i] == 0;
	}
	printf("gomap replay --fail-each-alloc: %d traces, %llu operations, "
	       "%llu allocations seen, %llu failures injected, %d of %d sites "
	       "failed at least once\n", ntraces, (unsigned long long)s->ops,
	       (unsigned long long)s->allocs, (unsigned long long)s->injected,
	       GOMAP_SITE_COUNT - never, GOMAP_SITE_COUNT);
}

static int sweep_all(int argc, char **argv, const orc_sweep_opts *o)
{
	orc_sweep_stats s = {0};
	int status = ORC_AGREED;
	for (int i = 0; i < argc; i++) {
		int rc = sweep_one(argv[i], o, &s);
		if (rc > status)
			status = rc;
	}
	print_sweep_stats(&s, argc);
	if (fflush(stdout) != 0 || ferror(stdout))
		return fz_env_error("gomap replay", "cannot write the summary "
		                    "to standard output: %s", strerror(errno));
	return status;
}

/* N of --max-failures: a whole number from 1. */
static bool parse_count(const char *text, size_t *n)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(text, &end, 10);
	if (errno || end == text || *end || v == 0 || text[0] == '-')
		return false;
	*n = (size_t)v;
	return true;
}

int fz_cmd_replay(int argc, char **argv)
{
	if (fz_help_asked(argc, argv))
		return fz_help("replay", USAGE, HELP);
	orc_exec_opts opts = {.out = stdout, .honour_paths = true};
	bool sweep = false;
	size_t max_failures = 0;
	int first = 1;
	for (; first < argc && argv[first][0] == '-' && argv[first][1]; first++) {
		if (!strcmp(argv[first], "--dump-each"))
			opts.dump_each = true;
		else if (!strcmp(argv[first], "--quiet"))
			opts.out = NULL;
		else if (!strcmp(argv[first], "--paranoid"))
			opts.paranoid = true;
		else if (!strcmp(argv[first], "--fail-each-alloc"))
			sweep = true;
		else if (!strcmp(argv[first], "--max-failures")) {
			if (first + 1 >= argc ||
			    !parse_count(argv[first + 1], &max_failures))
				return fz_usage_error("replay", USAGE, "--max-failures "
				                      "takes a whole number from 1");
			first++;
		}
		else if (!strcmp(argv[first], "--"))
			{ first++; break; }
		else
			return fz_usage_error("replay", USAGE, "unknown option '%s' "
			                      "(accepted: --dump-each, --quiet, "
			                      "--paranoid, --fail-each-alloc, "
			                      "--max-failures N, --help)", argv[first]);
	}
	if (first >= argc)
		return fz_usage_error("replay", USAGE, "no trace given");
	if (opts.paranoid)
		opts.check_all_below = SIZE_MAX; /* gomap_check after every op */
	if (max_failures && !sweep)
		return fz_usage_error("replay", USAGE, "--max-failures goes with "
		                      "--fail-each-alloc");
	if (sweep && opts.dump_each)
		return fz_usage_error("replay", USAGE, "--fail-each-alloc prints "
		                      "no observations, so no --dump-each");
	if (sweep) {
		opts.out = NULL;
		orc_sweep_opts so = {.exec = opts, .max_failures = max_failures};
		return sweep_all(argc - first, argv + first, &so);
	}
	/* Progress on a terminal, unless the observations scroll there too. */
	if (isatty(STDERR_FILENO) && (opts.out == NULL || !isatty(STDOUT_FILENO)))
		opts.progress = show_progress;
	/* The worst trace's status; the numbers rank them: an environment
	 * failure says least about the map, a failure most. */
	int status = ORC_AGREED;
	for (int i = first; i < argc; i++) {
		int rc = replay_one(argv[i], &opts);
		if (rc > status)
			status = rc;
	}
	return status;
}
