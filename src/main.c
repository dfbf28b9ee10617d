/*
 * formpipe: legacy .xls forms to checked summary workbooks, as a set of
 * Unix filters. This file is the command table and nothing else.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "util.h"

#ifndef FP_VERSION
#define FP_VERSION "unknown"
#endif

static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *what;
} commands[] = {
	{ "read", cmd_read, "a workbook to a CSV grid or a cell stream" },
	{ "map", cmd_map, "forms to canonical facts, by a mapping" },
	{ "check", cmd_check, "the mapping's rules over canonical facts" },
	{ "merge", cmd_merge, "canonical facts to one summary .xlsx" },
	{ "convert", cmd_convert, "a workbook to .xlsx, formulas and looks kept" },
	{ "annotate", cmd_annotate, "each form with its findings marked" },
};

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: formpipe COMMAND [OPTIONS] [FILE...]\n\n"
	    "commands:\n");
	for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].what);
	fprintf(f, "\n'formpipe help COMMAND' describes a command; "
	    "'formpipe --version' tells the version.\n"
	    "The county pipeline:\n"
	    "  formpipe map -m mappings/perf-self-eval.map forms/*.xls \\\n"
	    "    | formpipe check | formpipe merge -o county.xlsx\n");
}

/* The command called name, or -1. */
static int
command(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (!strcmp(name, commands[i].name))
			return (int)i;
	return -1;
}

/* 0 if what was printed arrived, else 2 with a message saying why not. */
static int
shut_stdout(void)
{
	if (fp_fshut(stdout) == 0)
		return 0;
	fprintf(stderr, "formpipe: <stdout>: write error: %s\n",
	    strerror(errno));
	return 2;
}

static int
version(void)
{
	printf("formpipe %s\n", FP_VERSION);
	return shut_stdout();
}

int
main(int argc, char **argv)
{
	int k;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V"))
		return version();
	if (!strcmp(argv[1], "help") && argc > 2) {
		/* formpipe help CMD is formpipe CMD --help. */
		char *args[3];

		k = command(argv[2]);
		if (k < 0) {
			fprintf(stderr, "formpipe: '%s' is not a command\n",
			    argv[2]);
			usage(stderr);
			return 2;
		}
		args[0] = argv[2];
		args[1] = "--help";
		args[2] = NULL;
		return commands[k].fn(2, args);
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return shut_stdout();
	}
	k = command(argv[1]);
	if (k >= 0) {
		/*
		 * Filters pass megabytes through: write them in 64 KiB
		 * blocks, not stdio's 4 KiB (a terminal stays line-buffered).
		 */
		static char outbuf[1 << 16];

		if (!isatty(STDOUT_FILENO))
			setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
		return commands[k].fn(argc - 1, argv + 1);
	}
	fprintf(stderr, "formpipe: '%s' is not a command\n", argv[1]);
	usage(stderr);
	return 2;
}
