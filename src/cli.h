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
 * Warns that n texts (cells, comments) of the workbook written as what
 * ("OUT.xlsx: ") were cut to the 32,767 characters a cell holds, the
 * first at at ("Sheet!C5"); nothing if n is 0.
 */
void fp_cli_warn_cut(const char *cmd, const char *what, size_t n,
    const char *at);

/*
 * Opens the workbook at path, or standard input for "-" or NULL (freexl
 * needs a file: stdin is copied to a temporary file, removed at once).
 * On failure prints the message and returns NULL.
 */
struct fp_workbook *fp_cli_open_workbook(const char *cmd, const char *path);
/*
 * Warns, once the workbook at path has been read, of its formulas with no
 * saved value, which read as blank.
 */
void fp_cli_say_unsaved(const char *cmd, const char *path,
    const struct fp_workbook *wb);
/* The same with open options (NULL: the default). */
struct fp_workbook *fp_cli_open_workbook_opts(const char *cmd,
    const char *path, const struct fp_open_opts *opts);

/*
 * Prints what a module reported: "formpipe CMD: WHERE: message", the
 * message being d's, or fp_strerror(err) when the module left d empty
 * (WHERE and its colon left out when NULL). Returns 2, the exit status.
 */
int fp_cli_report(const char *cmd, const char *where, enum fp_err err,
    const struct fp_diag *d);

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
 * Appends to b the CSV record line (n bytes, as csvio.c's fp_csv_field
 * writes fields, ending in a line feed) guarded for spreadsheets: each
 * field starting with '=', '+', '-', '@', a tab or a carriage return gets
 * a leading apostrophe, so that Excel or LibreOffice opening the CSV
 * shows the text rather than run it as a formula (=HYPERLINK(...),
 * =cmd|...). The bytes are no longer the facts' own: for CSV meant for a
 * spreadsheet only.
 */
void fp_cli_csv_excel_safe(struct fp_buf *b, const char *line, size_t n);

struct fp_outfile;

/*
 * Starts the output file path (outfile.h), refusing it when it is the
 * same file as one of the n inputs (n == 0: standard input), so nothing
 * is read that the output would destroy. Returns the output, or NULL with
 * the message printed.
 */
struct fp_outfile *fp_cli_outfile(const char *cmd, const char *path,
    const char *const *inputs, int n);

/*
 * Puts the output in place (fp_outfile_commit). Returns 0, or 2 with the
 * message printed. Frees o.
 */
int fp_cli_commit(const char *cmd, struct fp_outfile *o);

struct fp_checker;

/*
 * Reads the canonical facts at path ("-" or NULL: stdin) into the checker.
 * With passthrough, the input is copied there unchanged, from its header
 * on, once that header is known to be canonical. Returns 0, or 2 with the
 * message printed (a wrong header, a malformed line). A copy that fails
 * returns 2 too, saying nothing, with *copy_err set to the first failed
 * write's errno unless it holds one already: the command says once what
 * became of its output.
 */
int fp_cli_feed_facts(const char *cmd, const char *path,
    struct fp_checker *chk, FILE *passthrough, int *copy_err);

struct fp_opt;

/* What fp_cli_options returns when the command is to go on. */
#define FP_CLI_GO_ON (-1)

/*
 * Parses the command's options (opts.h) from argv, argv[0] being the
 * command's name. On --help prints usage to stdout and returns 0; on a
 * bad option prints "formpipe CMD: what is wrong" to stderr (and the
 * usage, for an option the command does not have) and returns 2: the
 * command returns that status. Otherwise returns
 * FP_CLI_GO_ON with the operands in argv[0..*argc).
 */
int fp_cli_options(const char *cmd, const struct fp_opt *opts,
    const char *usage, int *argc, char **argv);

/*
 * Standard input as a command's only input: when it is a terminal (no
 * file given, nothing piped in), prints "formpipe CMD: reading WHAT from
 * standard input; give a file, or pipe one in" and returns 2, rather than
 * wait for what nobody will type. Returns 0 when stdin is not a terminal.
 */
int fp_cli_stdin_wanted(const char *cmd, const char *what);

/*
 * Standard output appended to one of the inputs (formpipe check f.csv >>
 * f.csv would read what it writes, without end): prints "formpipe CMD:
 * FILE: is also standard output; ..." and returns 2; else 0. n inputs
 * (none: standard input).
 */
int fp_cli_stdout_is_input(const char *cmd, const char *const *inputs,
    int n);

#endif
