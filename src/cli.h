/*
 * What every subcommand does alike: open a workbook from a path or from
 * standard input, buffer its output, and make sure the output arrived.
 * Messages go to stderr as "formpipe CMD: FILE: message".
 */
#ifndef FP_CLI_H
#define FP_CLI_H

#include <stdio.h>

#include "util.h"
#include "workbook.h"

/* Prints "formpipe CMD: " and the formatted message, with a newline. */
void fp_cli_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Opens the workbook at path, or standard input for "-" or NULL (freexl
 * needs a file: stdin is copied to a temporary file, removed at once).
 * On failure prints the message and returns NULL.
 */
struct fp_workbook *fp_cli_open_workbook(const char *cmd, const char *path);
/* The same with open options (NULL: the default). */
struct fp_workbook *fp_cli_open_workbook_opts(const char *cmd,
    const char *path, const struct fp_open_opts *opts);

/* The name of an input in messages: "<stdin>" for "-" or NULL. */
const char *fp_cli_name(const char *path);

/* An output stream written in large blocks, remembering a failure. */
struct fp_out {
	FILE *f;
	struct fp_buf b;
	int err;
};

void fp_out_init(struct fp_out *o, FILE *f);
/* Writes out the buffer once it is large; call after each record. */
void fp_out_maybe_flush(struct fp_out *o);
/*
 * Writes out everything and closes the account: returns 0, or prints
 * "formpipe CMD: <stdout>: write error: ..." and returns 2.
 */
int fp_out_finish(struct fp_out *o, const char *cmd);

/*
 * The mapping check and merge use without -m: perf-self-eval.map in a
 * mappings folder beside the binary (a build tree), else in
 * ../share/formpipe/mappings from it (where make install puts it, for any
 * PREFIX), else in the data folder the build was configured with.
 * Returns a path the caller frees.
 */
char *fp_cli_default_mapping(void);

/*
 * A temporary file beside path (same folder, so a rename replaces path
 * atomically): creates it and returns its name, or NULL with a message.
 * The caller renames it into place, or unlinks it on failure.
 */
char *fp_cli_temp_beside(const char *cmd, const char *path);

struct fp_checker;

/*
 * Reads the canonical facts at path ("-" or NULL: stdin) into the checker.
 * With passthrough, the input is copied there unchanged, from its header
 * on, once that header is known to be canonical. Returns 0, or 2 with the
 * message printed (a wrong header, a malformed line, a failed copy).
 */
int fp_cli_feed_facts(const char *cmd, const char *path,
    struct fp_checker *chk, FILE *passthrough);

/* 1 if arg is "-h" or "--help". */
int fp_cli_is_help(const char *arg);

#endif
