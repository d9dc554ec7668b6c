/* The `gomap` command: one subcommand per file (cli_*.c). */
#ifndef FZ_CLI_H
#define FZ_CLI_H

#include <stddef.h>
#include <stdint.h>

#include "decode.h"

int fz_cmd_replay(int argc, char **argv);
int fz_cmd_explain(int argc, char **argv);
int fz_cmd_compile(int argc, char **argv);
int fz_cmd_minimize(int argc, char **argv);
int fz_cmd_crosscheck(int argc, char **argv);

/* How the command was invoked (argv[0]), for printing replay commands. */
extern const char *fz_argv0;

/* Prints "gomap SUB: message" and the usage line to stderr; returns 2. */
int fz_usage_error(const char *sub, const char *usage, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The arguments explain and compile share (cli_bytes.c):
 * [--target ops|iter|faults] IN [-o OUT]. */
typedef struct fz_bytes_args {
	enum fz_target target; /* ops unless given */
	const char *in;
	const char *out;       /* NULL unless given */
} fz_bytes_args;
/* Parses argv[1..argc-1]; returns 0, or 2 after a usage error. */
int fz_parse_bytes_args(const char *sub, const char *usage, int argc,
                        char **argv, fz_bytes_args *a);
/* A whole file ("-" is standard input), malloc'd; NULL after saying why
 * on stderr. */
uint8_t *fz_read_whole(const char *path, size_t *len);
/* Writes a whole file (NULL or "-" is standard output); 0, or -1 after
 * saying why on stderr. */
int fz_write_whole(const char *path, const void *data, size_t len);

#endif
