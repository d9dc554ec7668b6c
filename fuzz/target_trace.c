/* Fuzz target "trace": the text parser itself.  Any bytes go through
 * fz_trace_parse without crashing; when they parse, the canonical print
 * must parse again and print the same text. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "target_common.h"
#include "trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_program p, q;
	fz_error err;
	if (fz_trace_parse("<input>", (const char *)data, size, &p, &err) != 0)
		return 0;
	gomap_textbuf a = {0}, b = {0};
	fz_trace_print(&p, &a);
	const char *ta = fz_textbuf_cstr(&a);
	if (fz_trace_parse("<print>", ta, strlen(ta), &q, &err) != 0) {
		fprintf(stderr, "canonical text does not parse: %s\n%s", err.text, ta);
		abort();
	}
	fz_trace_print(&q, &b);
	if (strcmp(ta, fz_textbuf_cstr(&b)) != 0) {
		fprintf(stderr, "print/parse/print differs:\n%s----\n%s", ta,
		        fz_textbuf_cstr(&b));
		abort();
	}
	gomap_textbuf_free(&a);
	gomap_textbuf_free(&b);
	fz_program_free(&p);
	fz_program_free(&q);
	return 0;
}
