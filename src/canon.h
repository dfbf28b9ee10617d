/*
 * The canonical CSV that map writes and check and merge read: the header
 * form,dept,year,record,table,row,field,value,source,file and one fact a
 * line. Reading checks the header, skips a repeated header (files simply
 * concatenated), and names the file and line of anything malformed:
 * a wrong field count, text that is not UTF-8, a NUL byte.
 */
#ifndef FP_CANON_H
#define FP_CANON_H

#include <stdio.h>

#include "csvio.h"
#include "util.h"

/* The canonical CSV header, without its line feed. */
#define FP_CANON_HEADER "form,dept,year,record,table,row,field,value,source,file"
#define FP_CANON_NCOLS 10

/*
 * A fact: the ten fields, and as read the line it was on and whether it
 * is the first after a header (the start of a file, or of another file
 * concatenated to it).
 */
struct fp_canon_fact {
	const char *form, *dept, *year, *record, *table, *row, *field, *value,
	    *source, *file;
	size_t line;
	int first;
};

/* Appends one canonical line (with its line feed) to b. */
void fp_canon_write(struct fp_buf *b, const struct fp_canon_fact *f);

struct fp_canon_reader;

/*
 * Reads canonical facts from f, named name in messages. With passthrough,
 * the bytes read are kept until fp_canon_tee says where to copy them.
 */
struct fp_canon_reader *fp_canon_reader_new(FILE *f, const char *name,
    int passthrough);
void fp_canon_reader_free(struct fp_canon_reader *r);

/*
 * Reads and checks the header. Returns 1 if it is the canonical one, 0
 * for an empty input, -1 with d filled ("LINE: ...") otherwise.
 */
int fp_canon_header(struct fp_canon_reader *r, struct fp_diag *d);
/*
 * Copies the input, byte for byte, to tee from here on (the header
 * included, if it was read and not yet copied). A copy that does not end
 * with a line feed gets one, so the next file's facts start a line.
 */
void fp_canon_tee(struct fp_canon_reader *r, FILE *tee);
/* 0, or the errno of the first write of the copy that failed. */
int fp_canon_tee_failed(const struct fp_canon_reader *r);
/*
 * The next fact into f (valid until the next call): 1, 0 at the end, -1
 * with d filled ("LINE: ...").
 */
int fp_canon_next(struct fp_canon_reader *r, struct fp_canon_fact *f,
    struct fp_diag *d);

#endif
