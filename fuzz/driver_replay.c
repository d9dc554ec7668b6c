/* A plain main() for any fuzz target: runs LLVMFuzzerTestOneInput once on
 * every file given (a directory: on every file in it, sorted), never
 * fuzzes.  Built always, as fuzz_<target>_replay, so the seed corpora and
 * every crash ever found run as ordinary CTest tests with any compiler. */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "target_common.h"

/* The machine failed before the input ran: not a finding either (as in
 * target_common.c), exit status 3. */
static void environment_failed(const char *path, const char *what)
{
	fprintf(stderr, "%s: environment failure, not a finding: %s\n", path, what);
	exit(3);
}

/* A path that does not name an input is bad usage (exit 2); any other
 * failure to open or read one is the machine's (exit 3).  Never 1, which
 * says a finding. */
static int unreadable(const char *path)
{
	int err = errno;
	if (err != ENOENT && err != ENOTDIR && err != ENAMETOOLONG)
		environment_failed(path, strerror(err));
	fprintf(stderr, "%s: %s\n", path, strerror(err));
	return 2;
}

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return unreadable(path);
	size_t cap = 1 << 16, n = 0;
	uint8_t *buf = malloc(cap);
	for (size_t got; buf && (got = fread(buf + n, 1, cap - n, f)) > 0;) {
		n += got;
		if (n == cap) {
			uint8_t *bigger = realloc(buf, cap *= 2);
			if (bigger == NULL)
				free(buf);
			buf = bigger;
		}
	}
	bool bad = ferror(f);
	fclose(f);
	if (buf == NULL || bad)
		environment_failed(path, buf ? "cannot read" : "out of memory");
	/* an exact-size copy, so ASan sees reads past the end */
	uint8_t *exact = malloc(n ? n : 1);
	if (exact == NULL)
		environment_failed(path, "out of memory");
	memcpy(exact, buf, n);
	free(buf);
	LLVMFuzzerTestOneInput(exact, n);
	free(exact);
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_path(const char *path, size_t *count)
{
	struct stat st;
	if (stat(path, &st) != 0)
		return unreadable(path);
	if (!S_ISDIR(st.st_mode)) {
		++*count;
		return run_file(path);
	}
	DIR *dir = opendir(path);
	if (dir == NULL)
		return unreadable(path);
	char **names = NULL;
	size_t n = 0;
	for (struct dirent *e; (e = readdir(dir)) != NULL;) {
		if (e->d_name[0] == '.')
			continue;
		char **more = realloc(names, (n + 1) * sizeof *names);
		size_t len = strlen(path) + strlen(e->d_name) + 2;
		char *name = more ? malloc(len) : NULL;
		if (name == NULL)
			environment_failed(path, "out of memory listing the directory");
		names = more;
		names[n] = name;
		snprintf(names[n++], len, "%s/%s", path, e->d_name);
	}
	closedir(dir);
	qsort(names, n, sizeof *names, by_name);
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		int one = run_path(names[i], count);
		rc = one > rc ? one : rc;
		free(names[i]);
	}
	free(names);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
		return 2;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		printf("usage: %s FILE|DIR...\n\n"
		       "Runs the fuzz target once on every file given (a directory: on\n"
		       "every file in it, sorted); never fuzzes.  Flags starting with '-'\n"
		       "(libFuzzer's) are ignored.  A failure aborts with the verdict and\n"
		       "the program as a trace on stderr.  Exit 0: every input passed;\n"
		       "2: a path names no file; 3: the environment failed (out of\n"
		       "memory, a file that cannot be read), not a finding.\n", argv[0]);
		return 0;
	}
	size_t count = 0;
	int rc = 0;
	for (int i = 1; i < argc; i++) {
		if (argv[i][0] == '-')
			continue; /* libFuzzer-style flags are ignored */
		int one = run_path(argv[i], &count);
		rc = one > rc ? one : rc;
	}
	fprintf(stderr, "%s: ran %zu inputs\n", argv[0], count);
	return rc;
}
