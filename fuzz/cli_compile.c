/* gomap compile [--target ops|iter|faults] TRACE -o OUT
 *
 * Turns a text trace into a binary fuzz input for a target (fuzz/encode.c)
 * that the target's fuzzer decodes to exactly that program: how seed
 * corpora are made from readable traces.  TRACE "-" reads standard input;
 * OUT "-" writes standard output.  A trace without seed= gets seed 0 (said
 * on stderr).
 *
 * Exit 0: written; 1: the trace is well formed but the format cannot
 * express it for this target (FILE:LINE: why, and which other targets
 * could), or OUT cannot be written; 2: usage, or TRACE cannot be read or
 * is malformed (FILE:LINE: message). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "trace.h"

static const char USAGE[] = "[--target ops|iter|faults] TRACE -o OUT";

static int parse(const char *path, fz_program *p, fz_error *err)
{
	if (strcmp(path, "-") != 0)
		return fz_trace_parse_file(path, p, err);
	size_t len;
	uint8_t *text = fz_read_whole(path, &len);
	if (text == NULL) {
		fz_program_init(p, path);
		fz_error_set(err, path, 0, "cannot read standard input");
		return -1;
	}
	int rc = fz_trace_parse(path, (const char *)text, len, p, err);
	free(text);
	return rc;
}

/* After a refusal: the targets whose format can express p, if any. */
static void suggest_targets(const fz_program *p, enum fz_target refused)
{
	char list[64] = "";
	for (int t = 0; t < FZ_TARGETS; t++) {
		uint8_t *bytes;
		size_t len;
		fz_error err;
		if (t == (int)refused || fz_encode((enum fz_target)t, p, &bytes, &len, &err) != 0)
			continue;
		free(bytes);
		snprintf(list + strlen(list), sizeof list - strlen(list), "%s--target %s",
		         list[0] ? ", " : "", fz_target_name((enum fz_target)t));
	}
	if (list[0])
		fprintf(stderr, "(it can be compiled with %s)\n", list);
}

int fz_cmd_compile(int argc, char **argv)
{
	fz_bytes_args a;
	if (fz_parse_bytes_args("compile", USAGE, argc, argv, &a) != 0)
		return 2;
	if (a.out == NULL)
		return fz_usage_error("compile", USAGE,
		                      "no output given (-o FILE; '-o -' writes standard output)");
	fz_program p;
	fz_error err;
	if (parse(a.in, &p, &err) != 0) {
		fprintf(stderr, "%s\n", err.text);
		return 2;
	}
	if (!p.hdr.has_seed)
		fprintf(stderr, "%s: no seed= in the header; the input carries seed 0\n", a.in);
	uint8_t *bytes;
	size_t len;
	int rc = 0;
	if (fz_encode(a.target, &p, &bytes, &len, &err) != 0) {
		fprintf(stderr, "%s\n", err.text);
		suggest_targets(&p, a.target);
		rc = 1;
	} else {
		rc = fz_write_whole(a.out, bytes, len) != 0;
		free(bytes);
	}
	fz_program_free(&p);
	return rc;
}
