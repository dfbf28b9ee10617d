/*
 * The command-line options of every subcommand, parsed by one table-driven
 * parser (in the way git's parse-options serves every builtin). A command
 * declares its options as a table, one line an option, each naming the
 * variable it sets; the parser takes --opt=VAL, --opt VAL, -oVAL, -o VAL,
 * bundled flags (-qv), "--" ending the options, and options before, after
 * or between the operands. "-" alone is an operand (standard input).
 */
#ifndef FP_OPTS_H
#define FP_OPTS_H

#include "util.h"

enum fp_opt_type {
	FP_OPT_END = 0,		/* ends a table */
	FP_OPT_BOOL,		/* sets *(int *)value to 1 */
	FP_OPT_STRING,		/* sets *(const char **)value to the argument */
	FP_OPT_CALLBACK,	/* calls fn with the argument */
};

struct fp_opt {
	enum fp_opt_type type;
	char sname;		/* 'm' for -m; 0 for none */
	const char *lname;	/* "mapping" for --mapping; NULL for none */
	void *value;		/* what the option sets, or fn's context */
	const char *argname;	/* what its argument is, for messages */
	/*
	 * FP_OPT_CALLBACK: takes the argument; returns FP_OK, or FP_EUSAGE
	 * with d saying what is wrong with it.
	 */
	enum fp_err (*fn)(void *value, const char *arg, struct fp_diag *d);
};

#define FP_OPT_BOOL(s, l, v) { FP_OPT_BOOL, (s), (l), (v), NULL, NULL }
#define FP_OPT_STRING(s, l, v, a) { FP_OPT_STRING, (s), (l), (v), (a), NULL }
#define FP_OPT_CALLBACK(s, l, v, a, f) \
	{ FP_OPT_CALLBACK, (s), (l), (v), (a), (f) }
#define FP_OPT_END() { FP_OPT_END, 0, NULL, NULL, NULL, NULL }

/* What fp_opts_parse found besides the options' values. */
struct fp_opts_out {
	int nargs;	/* the operands, now argv[0..nargs) */
	int help;	/* -h or --help was given */
	int unknown;	/* the error is an option the table does not have */
};

/*
 * Parses argv[1..argc) (argv[0] is the command's name) against the table
 * opts. The operands are moved, in their order, to argv[0..out->nargs);
 * argv is reordered, never freed. -h and --help set out->help (unless
 * the table names them) and parsing goes on. Returns FP_OK, or FP_EUSAGE
 * with d saying what is wrong: an unknown option or an argument given to
 * a flag (out->unknown set), a missing argument, or what a callback
 * refused.
 */
enum fp_err fp_opts_parse(const struct fp_opt *opts, int argc, char **argv,
    struct fp_opts_out *out, struct fp_diag *d);

#endif
