/* The `gomap` command: one subcommand per file (cli_*.c). */
#ifndef FZ_CLI_H
#define FZ_CLI_H

int fz_cmd_replay(int argc, char **argv);

/* Prints "gomap SUB: message" and the usage line to stderr; returns 2. */
int fz_usage_error(const char *sub, const char *usage, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
