/* The text trace: text -> program with precise errors, and program ->
 * canonical text (docs/trace-format.md: the fixed core and the
 * extensions).  The library never exits: every failure comes back as an
 * fz_error whose text is "FILE:LINE: message". */
#ifndef FZ_TRACE_H
#define FZ_TRACE_H

#include <stddef.h>

#include "program.h"

/* Parses `len` bytes of trace text.  `file` (borrowed; kept in out->file)
 * names the text in errors.  On success returns 0 and *out is a finished
 * program (free it with fz_program_free); on failure returns -1, fills
 * *err and leaves *out empty. */
int fz_trace_parse(const char *file, const char *text, size_t len,
                   fz_program *out, fz_error *err);

/* The same for a file; an unreadable file is "PATH:0: cannot read: ...". */
int fz_trace_parse_file(const char *path, fz_program *out, fz_error *err);

/* The canonical text: the header line, then one line per operation, each
 * ending in '\n'.  Comments and blank lines are not kept.  Parsing the
 * result gives back an equal program, and printing that the same text. */
void fz_trace_print(const fz_program *p, gomap_textbuf *out);

#endif
