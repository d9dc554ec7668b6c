/* gomap minimize [--target ops|iter|faults|trace-file] [--trace]
 *                [-o OUT.trace] [--bytes-out OUT.bin] [--max-tests N]
 *                [--keep-values] INPUT
 *
 * Turns one failing input into the smallest readable trace that still
 * fails the same check (reduce.h).  INPUT is a binary fuzz input, decoded
 * for --target (default ops), or a text trace (a .trace name, --trace or
 * --target trace-file).  A trace's candidates run as `gomap replay` runs
 * it.  A binary input's run both as its fuzz target runs them and as
 * `gomap replay` does, and keep failing with each one's check id: the
 * target checks the map's structure less often, so the two may name
 * different checks for one bug (triage de-duplicates by the target's).
 *
 * The exit status says what INPUT does (cli.h): 1: it fails; the trace is
 * written (and the bytes, when the encoder can express the program) and
 * was replayed to fail the same check, else it is removed and the
 * message says why; 0: it agrees, nothing to minimize; 2: usage,
 * unreadable or malformed input; 3: the environment failed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "decode.h"
#include "exec.h"
#include "reduce.h"
#include "target_common.h"
#include "trace.h"

static const char USAGE[] =
	"[--target ops|iter|faults|trace-file] [--trace] [-o OUT.trace]\n"
	"       [--bytes-out OUT.bin] [--max-tests N] [--keep-values] INPUT";

static const char ACCEPTED[] =
	"accepted: --target ops|iter|faults|trace-file, --trace, -o FILE, "
	"--bytes-out FILE, --max-tests N, --keep-values, --help";

static const char HELP[] =
	"Turns one failing input into the smallest readable trace that still\n"
	"fails the same check.  INPUT is a binary fuzz input, decoded for\n"
	"--target (default ops), or a text trace (a .trace name, --trace or\n"
	"--target trace-file).  The trace goes to OUT.trace (default: next to\n"
	"INPUT, NAME.min.trace) and is replayed to confirm it fails the same\n"
	"check; with --bytes-out, also the bytes a fuzz target fails on.\n"
	"\n"
	"  --max-tests N   stop after N candidate runs\n"
	"  --keep-values   remove operations only, never simplify values\n";

typedef struct minimize_args {
	const char *input, *out, *bytes_out;
	bool text;               /* INPUT is a trace */
	bool have_target;
	enum fz_target target;   /* the binary format's target */
	size_t max_tests;
	bool keep_values;
} minimize_args;

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int parse_args(int argc, char **argv, minimize_args *a)
{
	memset(a, 0, sizeof *a);
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		bool has_value = i + 1 < argc;
		if (!strcmp(arg, "--target") && has_value) {
			const char *t = argv[++i];
			if (!strcmp(t, "trace-file") || !strcmp(t, "trace"))
				a->text = true;
			else if (fz_target_parse(t, &a->target))
				a->have_target = true;
			else
				return fz_usage_error("minimize", USAGE,
				                      "unknown target '%s' (accepted: ops, iter, faults, trace-file)", t);
		} else if (!strcmp(arg, "--trace")) {
			a->text = true;
		} else if (!strcmp(arg, "-o") && has_value) {
			a->out = argv[++i];
		} else if (!strcmp(arg, "--bytes-out") && has_value) {
			a->bytes_out = argv[++i];
		} else if (!strcmp(arg, "--max-tests") && has_value) {
			char *end;
			a->max_tests = strtoull(argv[++i], &end, 10);
			if (*end != '\0' || a->max_tests == 0)
				return fz_usage_error("minimize", USAGE,
				                      "--max-tests wants a positive number, not '%s'", argv[i]);
		} else if (!strcmp(arg, "--keep-values")) {
			a->keep_values = true;
		} else if (arg[0] == '-' && arg[1] != '\0') {
			return fz_usage_error("minimize", USAGE, "unknown option '%s' or missing value (%s)",
			                      arg, ACCEPTED);
		} else if (a->input) {
			return fz_usage_error("minimize", USAGE, "one INPUT only ('%s' and '%s')",
			                      a->input, arg);
		} else {
			a->input = arg;
		}
	}
	if (a->input == NULL)
		return fz_usage_error("minimize", USAGE, "no INPUT given");
	if (ends_with(a->input, ".trace"))
		a->text = true; /* --target then names the bytes' target */
	return 0;
}

/* Loads INPUT into *p; returns 0 or an exit status. */
static int load(const minimize_args *a, fz_program *p)
{
	if (a->text) {
		int rc = fz_load_trace(a->input, p);
		if (rc != 0)
			return rc;
		if (!p->hdr.has_seed) {
			/* the minimized trace must replay the same run, so it
			 * gets the seed the failure was seen with */
			p->hdr.seed = 0;
			p->hdr.has_seed = true;
			fprintf(stderr, "gomap minimize: %s has no seed=; using seed=0\n",
			        a->input);
		}
		return 0;
	}
	return fz_load_input(a->input, a->target, p);
}

/* OUT.trace when not given: next to INPUT, "NAME.min.trace". */
static char *default_out(const char *input)
{
	size_t n = strlen(input);
	if (ends_with(input, ".trace"))
		n -= strlen(".trace");
	char *out = malloc(n + sizeof ".min.trace");
	if (out) {
		memcpy(out, input, n);
		strcpy(out + n, ".min.trace");
	}
	return out;
}

/* Returns 0, or an exit status after saying why. */
static int write_trace(const char *path, const fz_program *p,
                       const minimize_args *a, const fz_reduce_stats *st,
                       const char *replay_check)
{
	gomap_textbuf tb = {0};
	fz_trace_print(p, &tb);
	gomap_textbuf head = {0};
	gomap_textbuf_printf(&head, "# gomap minimize %s: fails check %s\n"
	                     "# %zu of %zu operations kept\n%s",
	                     a->input, replay_check, st->ops_after, st->ops_before,
	                     fz_textbuf_cstr(&tb));
	int rc = tb.oom || head.oom
	                 ? fz_env_error(path, "out of memory printing the trace")
	                 : fz_write_whole(path, head.data, head.len);
	gomap_textbuf_free(&tb);
	gomap_textbuf_free(&head);
	return rc;
}

static bool fails_with(const fz_program *p, const orc_exec_opts *opts,
                       const char *check, orc_verdict *v)
{
	return orc_exec(p, opts, v) == 1 && strcmp(v->check, check) == 0;
}

static const orc_exec_opts replay_opts = {.out = NULL, .honour_paths = true};

/* The trace as it was written, parsed back and run as `gomap replay` runs
 * it: a literal that does not survive the text would make a reproducer
 * that reproduces nothing. */
static bool trace_reproduces(const char *path, const char *check)
{
	const orc_exec_opts *opts = &replay_opts;
	fz_program q;
	fz_error err;
	if (fz_trace_parse_file(path, &q, &err) != 0) {
		fprintf(stderr, "%s\n", err.text);
		return false;
	}
	orc_verdict v;
	bool same = fails_with(&q, opts, check, &v);
	if (!same) {
		fprintf(stderr, "gomap minimize: %s ", path);
		if (v.failed)
			orc_verdict_print(&v, path, stderr);
		else
			fprintf(stderr, "passes\n");
	}
	fz_program_free(&q);
	return same;
}

/* Encodes p for the first target that can express it (the given one, else
 * ops, iter, faults), writes the bytes and checks they decode to a program
 * the fuzz target fails (with `check`, unless NULL).  Returns the target
 * used, or -1. */
static int write_bytes(const minimize_args *a, const fz_program *p,
                       const char *check)
{
	const orc_exec_opts *opts = &fz_target_exec_opts;
	fz_error err = {0};
	for (int t = 0; t < FZ_TARGETS; t++) {
		enum fz_target target = a->have_target ? a->target : (enum fz_target)t;
		uint8_t *bytes;
		size_t len;
		if (fz_encode(target, p, &bytes, &len, &err) == 0) {
			fz_program q;
			orc_verdict v;
			bool same = fz_decode(target, bytes, len, &q) == 0 &&
			            (check ? fails_with(&q, opts, check, &v)
			                   : orc_exec(&q, opts, &v) == 1);
			fz_program_free(&q);
			FILE *f = same ? fopen(a->bytes_out, "wb") : NULL;
			bool ok = f && fwrite(bytes, 1, len, f) == len;
			if (f && fclose(f) != 0)
				ok = false;
			free(bytes);
			if (!same)
				fprintf(stderr, "gomap minimize: the %s encoding does not fail "
				        "the same way; no bytes written\n", fz_target_name(target));
			else if (!ok)
				perror(a->bytes_out);
			return same && ok ? (int)target : -1;
		}
		if (a->have_target)
			break;
	}
	fprintf(stderr, "gomap minimize: no bytes written: %s\n", err.text);
	return -1;
}

int fz_cmd_minimize(int argc, char **argv)
{
	if (fz_help_asked(argc, argv))
		return fz_help("minimize", USAGE, HELP);
	minimize_args a;
	int rc = parse_args(argc, argv, &a);
	if (rc != 0)
		return rc;
	fz_program p;
	fz_program_init(&p, a.input);
	if ((rc = load(&a, &p)) != 0) {
		fz_program_free(&p);
		return rc;
	}

	/* A binary input fails first of all as its fuzz target saw it fail;
	 * every input must also fail as `gomap replay` runs it. */
	orc_verdict vt, vr;
	int rt = a.text ? ORC_AGREED : orc_exec(&p, &fz_target_exec_opts, &vt);
	int rr = orc_exec(&p, &replay_opts, &vr);
	int worst = rt > rr ? rt : rr;
	if (worst != ORC_FAILED) {
		/* malformed, or the machine failed: nothing known; or it agrees */
		if (worst != ORC_AGREED)
			orc_verdict_print(rt == worst ? &vt : &vr, a.input, stderr);
		else
			fprintf(stderr, "gomap minimize: %s does not fail: core and model "
			        "agree and every invariant holds; nothing to minimize\n",
			        a.input);
		fz_program_free(&p);
		return worst;
	}
	if (rr != ORC_FAILED) {
		fprintf(stderr, "gomap minimize: %s fails as the fuzz target runs it, "
		        "but not under gomap replay's cadence; no trace written\n",
		        a.input);
		fz_program_free(&p);
		return ORC_FAILED;
	}
	bool as_target = rt == 1;
	char check[sizeof vr.check], replay_check[sizeof vr.check];
	snprintf(check, sizeof check, "%s", as_target ? vt.check : vr.check);
	snprintf(replay_check, sizeof replay_check, "%s", vr.check);
	printf("check: %s\n", check);
	orc_verdict_print(as_target ? &vt : &vr, a.input, stdout);
	if (strcmp(check, replay_check) != 0)
		printf("gomap replay names it %s (it checks the map's structure more often)\n",
		       replay_check);
	fflush(stdout);

	fz_reduce_opts ro = {.exec = as_target ? &fz_target_exec_opts : &replay_opts,
	                     .also_exec = as_target ? &replay_opts : NULL,
	                     .also_check = as_target ? replay_check : NULL,
	                     .max_tests = a.max_tests, .keep_values = a.keep_values};
	fz_program min;
	fz_reduce_stats st;
	if (fz_reduce_program(&p, check, &ro, &min, &st) != 0) {
		fz_program_free(&p);
		return fz_env_error("gomap minimize", "out of memory while reducing");
	}
	printf("ops: %zu -> %zu (%zu test runs%s)\n", st.ops_before, st.ops_after,
	       st.tests, st.out_of_tests ? ", stopped at --max-tests" : "");

	/* Holding both check ids can keep operations that only steer which
	 * check fires first.  The bytes keep both (so the target still names
	 * the finding as triage filed it); the trace, which people read and
	 * replay, is reduced once more with replay's check alone. */
	fz_program shown = min;
	bool twice = as_target && strcmp(check, replay_check) != 0;
	if (twice) {
		fz_reduce_opts ro2 = {.exec = &replay_opts, .max_tests = a.max_tests,
		                      .keep_values = a.keep_values};
		fz_reduce_stats st2;
		if (fz_reduce_program(&min, replay_check, &ro2, &shown, &st2) != 0) {
			fz_program_free(&shown);
			shown = min;
			twice = false;
		} else {
			printf("ops: %zu -> %zu for the trace, replay's check alone "
			       "(%zu test runs)\n", st2.ops_before, st2.ops_after, st2.tests);
			st.ops_after = st2.ops_after;
		}
	}

	char *owned = a.out ? NULL : default_out(a.input);
	const char *out = a.out ? a.out : owned;
	rc = out ? write_trace(out, &shown, &a, &st, replay_check)
	         : fz_env_error("gomap minimize", "out of memory naming the trace");
	if (rc != 0) {
		/* said why; the trace cannot be had here */
	} else if (!trace_reproduces(out, replay_check)) {
		/* a reproducer that reproduces nothing must not be kept */
		remove(out);
		fprintf(stderr, "gomap minimize: %s did not fail %s when replayed; "
		        "removed it, keep the input instead\n", out, replay_check);
	} else {
		printf("trace: %s\n", out);
		if (a.bytes_out) {
			int t = write_bytes(&a, &min, as_target ? check : NULL);
			if (t >= 0)
				printf("bytes: %s (target %s; replay: fuzz_%s_replay %s)\n",
				       a.bytes_out, fz_target_name((enum fz_target)t),
				       fz_target_name((enum fz_target)t), a.bytes_out);
		}
		printf("replay: %s replay %s\n", fz_argv0, out);
	}
	if (rc == 0)
		rc = ORC_FAILED; /* what the input does */
	free(owned);
	if (twice)
		fz_program_free(&shown);
	fz_program_free(&min);
	fz_program_free(&p);
	return rc;
}
