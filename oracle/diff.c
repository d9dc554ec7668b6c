/* Verdicts: recording and printing the first disagreement. */
#include "verdict.h"

#include <stdio.h>
#include <string.h>

static void copy(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
}

void orc_verdict_fail(orc_verdict *v, const char *check, const char *expected,
                      const char *seen)
{
	if (v->failed)
		return;
	v->failed = true;
	copy(v->check, sizeof v->check, check);
	copy(v->expected, sizeof v->expected, expected);
	copy(v->seen, sizeof v->seen, seen);
}

void orc_verdict_print(const orc_verdict *v, const char *file, void *stream)
{
	FILE *out = stream;
	if (v->environment) {
		fprintf(out, "%s:%u: %s: environment failure, not a map bug: %s "
		        "(at %s)\n", file ? file : "<program>", v->line, v->check,
		        v->seen, v->op[0] ? v->op : "the end of the program");
		return;
	}
	fprintf(out, "%s:%u: %s: %s: expected %s, saw %s\n",
	        file ? file : "<program>", v->line, v->check,
	        v->op[0] ? v->op : "(end of program)", v->expected, v->seen);
}

void orc_verdict_print_signature(const orc_verdict *v, void *stream)
{
	if (!v->failed || v->malformed || v->environment)
		return;
	fprintf(stream, "signature: %s%s%s\n", v->check,
	        v->signature[0] ? " " : "", v->signature);
}
