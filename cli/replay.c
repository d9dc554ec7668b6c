/* gomap replay [--dump-each] [--quiet] [--paranoid] TRACE...
 * Runs each trace on the core and the reference oracle in lockstep and
 * prints its observations (trace-format.md).  The exit status is the worst
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
#include "trace.h"

static const char USAGE[] =
	"[--dump-each] [--quiet] [--paranoid] TRACE... ('-' reads stdin)";

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
	"               quadratic, for small traces and debugging the oracle\n";

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

int fz_cmd_replay(int argc, char **argv)
{
	if (fz_help_asked(argc, argv))
		return fz_help("replay", USAGE, HELP);
	orc_exec_opts opts = {.out = stdout, .honour_paths = true};
	int first = 1;
	for (; first < argc && argv[first][0] == '-' && argv[first][1]; first++) {
		if (!strcmp(argv[first], "--dump-each"))
			opts.dump_each = true;
		else if (!strcmp(argv[first], "--quiet"))
			opts.out = NULL;
		else if (!strcmp(argv[first], "--paranoid"))
			opts.paranoid = true;
		else if (!strcmp(argv[first], "--"))
			{ first++; break; }
		else
			return fz_usage_error("replay", USAGE, "unknown option '%s' "
			                      "(accepted: --dump-each, --quiet, "
			                      "--paranoid, --help)", argv[first]);
	}
	if (first >= argc)
		return fz_usage_error("replay", USAGE, "no trace given");
	if (opts.paranoid)
		opts.check_all_below = SIZE_MAX; /* gomap_check after every op */
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
