/* gomap: the command-line entry point.  `gomap SUBCOMMAND ...`. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{"replay", fz_cmd_replay, "run text traces on the core and the oracle"},
	{"explain", fz_cmd_explain, "print a binary fuzz input as a text trace"},
	{"compile", fz_cmd_compile, "turn a text trace into a binary fuzz input"},
	{"minimize", fz_cmd_minimize, "shrink a failing input to a small trace that fails the same check"},
	{"crosscheck", fz_cmd_crosscheck, "run inputs on Go's runtime map too, comparing after every operation"},
};

int fz_usage_error(const char *sub, const char *usage, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "gomap %s: ", sub);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nusage: gomap %s %s\n", sub, usage);
	return 2;
}

static int usage(FILE *out)
{
	fprintf(out, "usage: gomap COMMAND [ARGS...]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	return out == stdout ? 0 : 2;
}

const char *fz_argv0 = "gomap";

int main(int argc, char **argv)
{
	fz_argv0 = argv[0];
	if (argc < 2)
		return usage(stderr);
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help"))
		return usage(stdout);
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "gomap: unknown command '%s'\n", argv[1]);
	return usage(stderr);
}
