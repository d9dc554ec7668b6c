/* The `gomap` command: one subcommand per file (cli_*.c).
 *
 * Every subcommand exits with an orc_status (verdict.h), one meaning each:
 * 0 agreed, 1 a divergence or broken invariant, 2 malformed input or bad
 * usage, 3 the environment failed.  fz_exit_status_help is the table. */
#ifndef FZ_CLI_H
#define FZ_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode.h"
#include "verdict.h"

int fz_cmd_replay(int argc, char **argv);
int fz_cmd_explain(int argc, char **argv);
int fz_cmd_compile(int argc, char **argv);
int fz_cmd_minimize(int argc, char **argv);
int fz_cmd_crosscheck(int argc, char **argv);

/* How the command was invoked (argv[0]), for printing replay commands. */
extern const char *fz_argv0;

/* The exit statuses, as `gomap --help` and every subcommand's --help
 * print them (README.md has the same table). */
extern const char fz_exit_status_help[];

/* Whether argv[1..argc-1] asks for help (-h or --help before any "--"). */
bool fz_help_asked(int argc, char **argv);
/* Prints "usage: gomap SUB USAGE", then text and the exit statuses, to
 * standard output; returns 0. */
int fz_help(const char *sub, const char *usage, const char *text);

/* Prints "gomap SUB: message" and the usage line to stderr; returns 2. */
int fz_usage_error(const char *sub, const char *usage, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Prints "WHO: environment failure: message" to stderr; returns 3. */
int fz_env_error(const char *who, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Prints err's text to stderr; returns 3 when the machine failed
 * (err->environment), else 2. */
int fz_report_error(const fz_error *err);

/* The arguments explain and compile share (bytes.c):
 * [--target ops|iter|faults] IN [-o OUT]. */
typedef struct fz_bytes_args {
	enum fz_target target; /* ops unless given */
	const char *in;
	const char *out;       /* NULL unless given */
} fz_bytes_args;
/* Parses argv[1..argc-1]; returns 0, or 2 after a usage error. */
int fz_parse_bytes_args(const char *sub, const char *usage, int argc,
                        char **argv, fz_bytes_args *a);
/* A whole file ("-" is standard input) into *data, malloc'd.  Returns 0,
 * or after saying why on stderr 2 (it cannot be opened) or 3 (a read
 * error, out of memory). */
int fz_read_whole(const char *path, uint8_t **data, size_t *len);
/* Writes a whole file (NULL or "-" is standard output).  Returns 0, or
 * after saying why on stderr 2 (it cannot be created) or 3 (a write
 * error). */
int fz_write_whole(const char *path, const void *data, size_t len);
/* Parses the trace at path ("-" is standard input) into *p.  Returns 0,
 * or after printing the error an exit status (2, or 3 when the machine
 * failed); *p is then empty. */
int fz_load_trace(const char *path, fz_program *p);
/* Reads the fuzz input at path ("-" is standard input) and decodes it for
 * target t into *p.  Returns 0, or after saying why an exit status; free
 * *p with fz_program_free either way. */
int fz_load_input(const char *path, enum fz_target t, fz_program *p);

#endif
