/*
 * Output files, written safely: every command that writes a file (merge's
 * workbook, check's report, convert's workbook) writes it into a private
 * folder (mode 0700) made beside the target, then renames it into place,
 * so that a failed or interrupted command leaves the old file as it was
 * and nobody else can swap what is written for a link. The temporaries
 * of the process (these folders, and the spool of standard input) are
 * removed when SIGINT, SIGTERM or SIGHUP ends it.
 *
 * How a name is taken:
 * - "-": standard output (not a terminal); the file is written privately
 *   and copied there when committed.
 * - an existing regular file: replaced, keeping its permissions.
 * - a symbolic link: followed; the file it names is replaced (atomically,
 *   beside itself) and the link stays.
 * - a name that does not exist yet: created, with the permissions a new
 *   file gets (0666 less the umask).
 * - a device, a pipe, a folder, a link to nothing: refused, except the
 *   file already open as standard output (/dev/stdout), which is written
 *   as for "-".
 * - the file open as standard error (/dev/stderr with 2>log): refused,
 *   whatever it is; the messages written to it would go with it.
 */
#ifndef FP_OUTFILE_H
#define FP_OUTFILE_H

#include "util.h"

struct fp_outfile;

/*
 * Starts the output named path: checks what it names, makes the private
 * folder. Returns the new output, or NULL with d saying why (path
 * untouched).
 */
struct fp_outfile *fp_outfile_new(const char *path, struct fp_diag *d);

/*
 * 1 if the output is the same file (device and inode, whatever the
 * names) as the input at path ("-" or NULL: standard input), else 0.
 */
int fp_outfile_is_input(const struct fp_outfile *o, const char *path);

/* The path to write the output's bytes to (in the private folder). */
const char *fp_outfile_path(const struct fp_outfile *o);

/* The output's name as the user gave it, for messages. */
const char *fp_outfile_name(const struct fp_outfile *o);
/* 1 if the output goes to standard output (-, /dev/stdout). */
int fp_outfile_is_stdout(const struct fp_outfile *o);

/*
 * Puts what was written at fp_outfile_path in place: renames it over the
 * target, or copies it to standard output. Returns FP_OK, or FP_EWRITE
 * with d filled (the target untouched). Frees o either way.
 */
enum fp_err fp_outfile_commit(struct fp_outfile *o, struct fp_diag *d);

/* Gives up: removes what was written and frees o (NULL does nothing). */
void fp_outfile_abort(struct fp_outfile *o);

/*
 * The process's temporaries, removed if a signal ends it: a file or a
 * folder (empty, or holding files registered before it). register keeps
 * a copy of path; forget drops it once the caller has removed it.
 * Returns 0, or -1 when too many are registered (the path is then simply
 * not removed on a signal).
 */
int fp_temp_register(const char *path, int is_dir);
/*
 * mkstemp, registering the file made with no moment at which a signal
 * would leave it behind. Returns the descriptor, or -1 with errno.
 */
int fp_temp_mkstemp(char *template);
void fp_temp_forget(const char *path);

#endif
