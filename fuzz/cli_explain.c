/* gomap explain [--target ops|iter|faults] INPUT [-o OUT]
 *
 * Decodes a binary fuzz input the way the target's fuzzer does
 * (fuzz/decode.h) and prints the program as a canonical text trace, to
 * standard output or OUT: what `gomap replay` runs and `gomap compile`
 * turns back into bytes.  INPUT "-" reads standard input.  Every byte
 * string is a valid input, so explain only fails on its arguments or on
 * I/O.  Exit 0: printed; 1: out of memory or OUT cannot be written; 2:
 * usage, or INPUT cannot be read. */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "trace.h"

static const char USAGE[] = "[--target ops|iter|faults] INPUT [-o OUT]";

int fz_cmd_explain(int argc, char **argv)
{
	fz_bytes_args a;
	if (fz_parse_bytes_args("explain", USAGE, argc, argv, &a) != 0)
		return 2;
	size_t len;
	uint8_t *bytes = fz_read_whole(a.in, &len);
	if (bytes == NULL)
		return 2;
	fz_program p;
	int rc = fz_decode(a.target, bytes, len, &p);
	free(bytes);
	if (rc != 0) {
		fprintf(stderr, "%s: out of memory while decoding\n", a.in);
		fz_program_free(&p);
		return 1;
	}
	gomap_textbuf text = {0};
	fz_trace_print(&p, &text);
	fz_program_free(&p);
	const char *t = fz_textbuf_cstr(&text);
	if (text.oom) {
		fprintf(stderr, "%s: out of memory\n", a.in);
		rc = 1;
	} else {
		rc = fz_write_whole(a.out, t, text.len) != 0;
	}
	gomap_textbuf_free(&text);
	return rc;
}
