/*
 * What every subcommand does alike: open a workbook from a path or from
 * standard input, buffer its output, and make sure the output arrived.
 * Messages go to stderr as "formpipe CMD: FILE: message".
 */
#ifndef FP_CLI_H
#define FP_CLI_H

#include <stdio.h>

#include "util.h"
#include "xls.h"

/* Prints "formpipe CMD: " and the formatted message, with a newline. */
void fp_cli_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Opens the workbook at path, or standard input for "-" or NULL (freexl
 * needs a file: stdin is copied to a temporary file, removed at once).
 * On failure prints the message and returns NULL.
 */
struct fp_workbook *fp_cli_open_workbook(const char *cmd, const char *path);

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
 * The path of a mapping given by path or by the bare name of a shipped
 * one (perf-self-eval): NAME.map in each folder FORMPIPE_MAPPINGS lists
 * (colon-separated), in a mappings folder beside the binary (a build
 * tree), in ../share/formpipe/mappings from it (where make install puts
 * them, for any PREFIX), else in the data folder the build was
 * configured with. Returns a path the caller frees, or NULL.
 */
char *fp_cli_find_mapping(const char *name);

struct fp_mapping;

/* Finds and loads a mapping by path or name; NULL with the message printed. */
struct fp_mapping *fp_cli_load_mapping(const char *cmd, const char *name);

/*
 * The mappings of the forms a stream of facts names, loaded once each:
 * fixed (from -m) serves every form if set.
 */
struct fp_cli_mappings {
	struct fp_mapping *fixed;
	struct fp_mapping **v;
	size_t n;
};

/*
 * A checker's fp_resolve_fn over a struct fp_cli_mappings: the mapping
 * of a form by its name, loaded the first time.
 */
const struct fp_mapping *fp_cli_resolve(void *ms, const char *form,
    struct fp_diag *d);
void fp_cli_mappings_release(struct fp_cli_mappings *ms);

struct fp_canon_fact;

/*
 * Warns that fact f (read from name) names a table or field its form's
 * mapping m does not have: no rule and no summary knows it.
 */
void fp_cli_unknown_fact(const char *cmd, const struct fp_mapping *m,
    const struct fp_canon_fact *f, const char *name);

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
