/* What `gomap explain` and `gomap compile` share: their arguments
 * ([--target T] IN [-o OUT]) and reading or writing a whole file, where
 * "-" is standard input or output. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int fz_parse_bytes_args(const char *sub, const char *usage, int argc,
                        char **argv, fz_bytes_args *a)
{
	static const char accepted[] = "accepted: --target ops|iter|faults, -o FILE";
	*a = (fz_bytes_args){.target = FZ_TARGET_OPS};
	bool only_operands = false;
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		bool has_value = i + 1 < argc;
		if (only_operands || !strcmp(arg, "-") || arg[0] != '-') {
			if (a->in)
				return fz_usage_error(sub, usage, "more than one input ('%s' and '%s')",
				                      a->in, arg);
			a->in = arg;
		} else if (!strcmp(arg, "--")) {
			only_operands = true;
		} else if (!strcmp(arg, "--target") && has_value) {
			if (!fz_target_parse(argv[++i], &a->target))
				return fz_usage_error(sub, usage, "unknown target '%s' (%s)",
				                      argv[i], accepted);
		} else if (!strcmp(arg, "-o") && has_value) {
			a->out = argv[++i];
		} else if (!strcmp(arg, "--target") || !strcmp(arg, "-o")) {
			return fz_usage_error(sub, usage, "'%s' needs a value (%s)",
			                      arg, accepted);
		} else {
			return fz_usage_error(sub, usage, "unknown option '%s' (%s)",
			                      arg, accepted);
		}
	}
	if (!a->in)
		return fz_usage_error(sub, usage, "no input given");
	return 0;
}

uint8_t *fz_read_whole(const char *path, size_t *len)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	if (f == NULL) {
		fprintf(stderr, "%s: cannot read: %s\n", path, strerror(errno));
		return NULL;
	}
	size_t cap = 4096, n = 0;
	uint8_t *buf = malloc(cap);
	for (size_t got; buf && (got = fread(buf + n, 1, cap - n, f)) > 0;) {
		n += got;
		if (n == cap) {
			uint8_t *b = realloc(buf, cap *= 2);
			if (b == NULL)
				free(buf);
			buf = b;
		}
	}
	bool bad = ferror(f);
	if (f != stdin)
		fclose(f);
	if (buf == NULL || bad) {
		fprintf(stderr, "%s: cannot read: %s\n", path,
		        buf ? "read error" : "out of memory");
		free(buf);
		return NULL;
	}
	*len = n;
	return buf;
}

int fz_write_whole(const char *path, const void *data, size_t len)
{
	bool to_stdout = path == NULL || !strcmp(path, "-");
	FILE *f = to_stdout ? stdout : fopen(path, "wb");
	if (f == NULL) {
		fprintf(stderr, "%s: cannot write: %s\n", path, strerror(errno));
		return -1;
	}
	bool ok = fwrite(data, 1, len, f) == len;
	ok = (to_stdout ? fflush(f) : fclose(f)) == 0 && ok;
	if (!ok) {
		fprintf(stderr, "%s: cannot write: %s\n", to_stdout ? "<stdout>" : path,
		        strerror(errno));
		return -1;
	}
	return 0;
}
