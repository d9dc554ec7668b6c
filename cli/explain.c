/* gomap explain [--target ops|iter|faults] INPUT [-o OUT]
 *
 * Decodes a binary fuzz input the way the target's fuzzer does
 * (fuzz/decode.h) and prints the program as a canonical text trace, to
 * standard output or OUT: what `gomap replay` runs and `gomap compile`
 * turns back into bytes.  INPUT "-" reads standard input.  Every byte
 * string is a valid input, so explain only fails on its arguments or on
 * the machine.  Exit (cli.h) 0: printed; 2: usage, or INPUT cannot be
 * read or OUT created; 3: out of memory or an I/O error. */
#include <stdio.h>

#include "cli.h"
#include "trace.h"

static const char USAGE[] = "[--target ops|iter|faults] INPUT [-o OUT]";

static const char HELP[] =
	"Decodes a binary fuzz input as the target's fuzzer does (default\n"
	"target: ops; the same bytes mean different programs to different\n"
	"targets) and prints the program as a canonical text trace on stdout,\n"
	"or into OUT: what `gomap replay` runs and `gomap compile` turns back\n"
	"into bytes.  INPUT '-' reads standard input.\n";

int fz_cmd_explain(int argc, char **argv)
{
	if (fz_help_asked(argc, argv))
		return fz_help("explain", USAGE, HELP);
	fz_bytes_args a;
	if (fz_parse_bytes_args("explain", USAGE, argc, argv, &a) != 0)
		return ORC_MALFORMED;
	fz_program p;
	int rc = fz_load_input(a.in, a.target, &p);
	if (rc != 0) {
		fz_program_free(&p);
		return rc;
	}
	gomap_textbuf text = {0};
	fz_trace_print(&p, &text);
	fz_program_free(&p);
	const char *t = fz_textbuf_cstr(&text);
	if (text.oom)
		rc = fz_env_error(a.in, "out of memory printing the trace");
	else
		rc = fz_write_whole(a.out, t, text.len);
	gomap_textbuf_free(&text);
	return rc;
}
