/* gomap compile [--target ops|iter|faults] TRACE -o OUT
 *
 * Turns a text trace into a binary fuzz input for a target (fuzz/encode.c)
 * that the target's fuzzer decodes to exactly that program: how seed
 * corpora are made from readable traces.  TRACE "-" reads standard input;
 * OUT "-" writes standard output.  A trace without seed= gets seed 0 (said
 * on stderr).
 *
 * Exit (cli.h) 0: written; 2: usage, TRACE cannot be read or is
 * malformed (FILE:LINE: message), or the format cannot express it for
 * this target (FILE:LINE: why, and which other targets could); 3: out of
 * memory or an I/O error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "trace.h"

static const char USAGE[] = "[--target ops|iter|faults] TRACE -o OUT";

static const char HELP[] =
	"Turns a text trace into a binary fuzz input for a target (default:\n"
	"ops) that the target's fuzzer decodes to exactly that program: how\n"
	"seed corpora are made from readable traces.  TRACE '-' reads standard\n"
	"input; OUT '-' writes standard output.  A trace without seed= gets\n"
	"seed 0.  When the target's byte format cannot express the trace\n"
	"(fail-alloc and reenter exist only in faults, dump only in ops), it\n"
	"says which line and names the targets that could take it.\n";

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
	if (fz_help_asked(argc, argv))
		return fz_help("compile", USAGE, HELP);
	fz_bytes_args a;
	if (fz_parse_bytes_args("compile", USAGE, argc, argv, &a) != 0)
		return ORC_MALFORMED;
	if (a.out == NULL)
		return fz_usage_error("compile", USAGE,
		                      "no output given (-o FILE; '-o -' writes standard output)");
	fz_program p;
	int rc = fz_load_trace(a.in, &p);
	if (rc != 0)
		return rc;
	if (!p.hdr.has_seed)
		fprintf(stderr, "%s: no seed= in the header; the input carries seed 0\n", a.in);
	uint8_t *bytes;
	size_t len;
	fz_error err;
	if (fz_encode(a.target, &p, &bytes, &len, &err) != 0) {
		rc = fz_report_error(&err);
		if (!err.environment)
			suggest_targets(&p, a.target);
	} else {
		rc = fz_write_whole(a.out, bytes, len);
		free(bytes);
	}
	fz_program_free(&p);
	return rc;
}
