/*
 * formpipe: legacy .xls forms to checked summary workbooks, as a set of
 * Unix filters. This file is the command table and nothing else.
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"

static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *what;
} commands[] = {
	{ "read", cmd_read, "legacy .xls to a CSV grid or a cell stream" },
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
	fprintf(f, "\n'formpipe COMMAND --help' describes a command.\n"
	    "The county pipeline:\n"
	    "  formpipe map -m mappings/perf-self-eval.map forms/*.xls \\\n"
	    "    | formpipe check | formpipe merge -o county.xlsx\n");
}

int
main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "formpipe: '%s' is not a command\n", argv[1]);
	usage(stderr);
	return 2;
}
