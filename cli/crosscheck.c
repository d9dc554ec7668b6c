/* gomap crosscheck [--target ops|iter|faults] INPUT|DIR...
 *
 * Runs every input on the port, the model and Go's runtime map, comparing
 * with Go after every operation: the whole structure (what `dump` prints)
 * and every iteration's order, as `gomap replay --dump-each` and
 * `gocheck --dump-each` would be compared, in one process.  A NAME.trace
 * is a text trace (without seed=, seed 0, as `gomap compile` takes it);
 * any other file is a binary fuzz input, decoded for --target (default
 * ops); a directory stands for the files in it.  Used by the PR gate and
 * at the end of a campaign on every corpus input (ci/go-crosscheck.sh).
 *
 * Only a build with Go in the loop (GOMAP_GO_IN_LOOP: presets fuzz-go,
 * afl-go) can do this.  Exit 0: every input agreed; 1: some did not (one
 * verdict line each on stderr); 2: usage, an unreadable input, or a build
 * without Go. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "exec.h"
#include "trace.h"

static const char USAGE[] = "[--target ops|iter|faults] INPUT|DIR...";

typedef struct tally {
	enum fz_target target;
	size_t agreed, differed, malformed, unreadable;
} tally;

/* Structure checks, and so the comparison with Go, after every operation. */
static const orc_exec_opts every_op = {.honour_paths = true,
                                       .check_all_below = SIZE_MAX};

static bool is_trace(const char *path)
{
	size_t n = strlen(path);
	return n > 6 && strcmp(path + n - 6, ".trace") == 0;
}

/* The program of one input; false (counted) when it cannot be read. */
static bool load(const char *path, tally *t, fz_program *p)
{
	fz_error err;
	if (is_trace(path)) {
		if (fz_trace_parse_file(path, p, &err) != 0) {
			t->malformed++; /* a parser test, or not a trace at all */
			return false;
		}
		if (!p->hdr.has_seed)
			p->hdr.has_seed = true; /* seed 0, as gomap compile */
		return true;
	}
	size_t len;
	uint8_t *bytes;
	if (fz_read_whole(path, &bytes, &len) != 0) {
		t->unreadable++;
		return false;
	}
	int rc = fz_decode(t->target, bytes, len, p);
	free(bytes);
	if (rc != 0) {
		fprintf(stderr, "%s: out of memory while decoding\n", path);
		fz_program_free(p);
		t->unreadable++;
		return false;
	}
	return true;
}

static void check_file(const char *path, tally *t)
{
	fz_program p;
	if (!load(path, t, &p))
		return;
	orc_verdict v;
	int rc = orc_exec(&p, &every_op, &v);
	if (rc == 1)
		orc_verdict_print(&v, path, stderr);
	*(rc == 0 ? &t->agreed : rc == 1 ? &t->differed : &t->malformed) += 1;
	fz_program_free(&p);
}

static void check_path(const char *path, tally *t)
{
	struct stat st;
	if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
		check_file(path, t);
		return;
	}
	DIR *d = opendir(path);
	if (d == NULL) {
		perror(path);
		t->unreadable++;
		return;
	}
	for (struct dirent *e; (e = readdir(d)) != NULL;) {
		if (e->d_name[0] == '.')
			continue;
		size_t len = strlen(path) + strlen(e->d_name) + 2;
		char *file = malloc(len);
		if (file == NULL)
			abort();
		snprintf(file, len, "%s/%s", path, e->d_name);
		check_file(file, t);
		free(file);
	}
	closedir(d);
}

int fz_cmd_crosscheck(int argc, char **argv)
{
	tally t = {.target = FZ_TARGET_OPS};
	int first = 1;
	for (; first < argc && argv[first][0] == '-'; first++) {
		if (!strcmp(argv[first], "--target") && first + 1 < argc) {
			if (!fz_target_parse(argv[++first], &t.target))
				return fz_usage_error("crosscheck", USAGE, "unknown target '%s' "
				                      "(accepted: ops, iter, faults)", argv[first]);
		} else {
			return fz_usage_error("crosscheck", USAGE, "unknown option '%s' "
			                      "(accepted: --target T)", argv[first]);
		}
	}
	if (first >= argc)
		return fz_usage_error("crosscheck", USAGE, "no input given");
#if !GOMAP_GO_IN_LOOP
	fprintf(stderr, "gomap crosscheck: this gomap was built without Go's runtime "
	        "map in the loop; use a build of preset fuzz-go or afl-go "
	        "(build-fuzz-go/gomap)\n");
	return 2;
#endif
	for (int i = first; i < argc; i++)
		check_path(argv[i], &t);
	fprintf(stderr, "gomap crosscheck: %zu inputs agree with Go's runtime map, "
	        "%zu do not; %zu malformed (not run), %zu unreadable\n",
	        t.agreed, t.differed, t.malformed, t.unreadable);
	if (t.differed)
		return 1;
	return t.unreadable ? 2 : 0;
}
