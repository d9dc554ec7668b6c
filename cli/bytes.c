/* What the subcommands share: explain's and compile's arguments
 * ([--target T] IN [-o OUT]), reading or writing a whole file, where "-"
 * is standard input or output, and loading a trace. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "trace.h"

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

int fz_read_whole(const char *path, uint8_t **data, size_t *len)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	if (f == NULL) {
		fprintf(stderr, "%s: cannot read: %s\n", path, strerror(errno));
		return ORC_MALFORMED;
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
	int saved = errno;
	bool bad = ferror(f);
	if (f != stdin)
		fclose(f);
	if (buf == NULL || bad) {
		free(buf);
		if (bad && saved == EISDIR) {
			fprintf(stderr, "%s: cannot read: %s\n", path, strerror(saved));
			return ORC_MALFORMED;
		}
		return fz_env_error(path, "cannot read: %s",
		                    buf ? strerror(saved) : "out of memory");
	}
	*data = buf;
	*len = n;
	return 0;
}

int fz_write_whole(const char *path, const void *data, size_t len)
{
	bool to_stdout = path == NULL || !strcmp(path, "-");
	FILE *f = to_stdout ? stdout : fopen(path, "wb");
	if (f == NULL) {
		fprintf(stderr, "%s: cannot write: %s\n", path, strerror(errno));
		return ORC_MALFORMED;
	}
	bool ok = fwrite(data, 1, len, f) == len;
	ok = (to_stdout ? fflush(f) : fclose(f)) == 0 && ok;
	if (!ok)
		return fz_env_error(to_stdout ? "<stdout>" : path, "cannot write: %s",
		                    strerror(errno));
	return 0;
}

/* The whole of path for a program of that name, *p left empty. */
static int read_for(const char *path, fz_program *p, uint8_t **data,
                    size_t *len)
{
	fz_program_init(p, path);
	return fz_read_whole(path, data, len);
}

int fz_load_trace(const char *path, fz_program *p)
{
	fz_error err;
	if (strcmp(path, "-") != 0) {
		if (fz_trace_parse_file(path, p, &err) == 0)
			return 0;
		return fz_report_error(&err);
	}
	uint8_t *text;
	size_t len;
	int rc = read_for(path, p, &text, &len);
	if (rc != 0)
		return rc;
	rc = fz_trace_parse(path, (const char *)text, len, p, &err);
	free(text);
	return rc == 0 ? 0 : fz_report_error(&err);
}

int fz_load_input(const char *path, enum fz_target t, fz_program *p)
{
	uint8_t *bytes;
	size_t len;
	int rc = read_for(path, p, &bytes, &len);
	if (rc != 0)
		return rc;
	rc = fz_decode(t, bytes, len, p);
	free(bytes);
	p->file = path;
	if (rc == -1)
		return fz_env_error(path, "out of memory decoding");
	if (rc != 0) {
		fprintf(stderr, "%s: the decoder made a program it could not "
		        "finish (a bug of the decoder's)\n", path);
		return ORC_FAILED;
	}
	return 0;
}
