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

const char fz_exit_status_help[] =
	"exit status, the same for every command:\n"
	"  0  agreed: core and model agreed and every invariant held\n"
	"     (explain, compile: done)\n"
	"  1  a divergence between core and model, a broken invariant or a\n"
	"     difference from Go (minimize: the input fails, and the trace\n"
	"     written fails the same check)\n"
	"  2  malformed input or bad usage: a malformed trace, an unknown\n"
	"     option, a file that cannot be opened, a trace the target's byte\n"
	"     format cannot express\n"
	"  3  the environment failed, not the map: out of memory outside an\n"
	"     armed fail-alloc (a hint too large to allocate included), or an\n"
	"     I/O error; the message says \"environment failure\"\n";

int fz_usage_error(const char *sub, const char *usage, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "gomap %s: ", sub);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nusage: gomap %s %s\n", sub, usage);
	return ORC_MALFORMED;
}

int fz_env_error(const char *who, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: environment failure: ", who);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return ORC_ENVIRONMENT;
}

int fz_report_error(const fz_error *err)
{
	fprintf(stderr, "%s\n", err->text);
	return err->environment ? ORC_ENVIRONMENT : ORC_MALFORMED;
}

bool fz_help_asked(int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return true;
	return false;
}

int fz_help(const char *sub, const char *usage, const char *text)
{
	printf("usage: gomap %s %s\n\n%s\n%s", sub, usage, text,
	       fz_exit_status_help);
	return fflush(stdout) == 0 ? ORC_AGREED : ORC_ENVIRONMENT;
}

static int usage(FILE *out)
{
	fprintf(out, "usage: gomap COMMAND [ARGS...]   (gomap COMMAND --help for "
	        "each)\n\ncommands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	if (out != stdout)
		return ORC_MALFORMED;
	printf("\n%s", fz_exit_status_help);
	return fflush(stdout) == 0 ? ORC_AGREED : ORC_ENVIRONMENT;
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
