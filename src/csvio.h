/*
 * CSV in and out, over libcsv (the only file that includes csv.h).
 *
 * Out: RFC 4180 fields, quoted only when they must be. In: a record at a
 * time from a stream, each with the line it starts on, strict about
 * quotes, so that a malformed file is refused with its line number.
 */
#ifndef FP_CSVIO_H
#define FP_CSVIO_H

#include <stdio.h>

#include "util.h"

/* Appends s (n bytes) to b as one CSV field, quoted only if needed. */
void fp_csv_field(struct fp_buf *b, const char *s, size_t n);

/* One record: n fields, each NUL-terminated, with their lengths. */
struct fp_csv_row {
	char **f;
	size_t *len;
	size_t n;
	size_t line;		/* the line the record starts on, from 1 */
};

struct fp_csv_reader;

/* The longest record read (a cell holds at most 32,767 characters). */
#define FP_CSV_RECORD_MAX (16 << 20)

/*
 * Reads CSV from f, named name in messages. With a tee, every byte read
 * is also written to it, unchanged, as it is consumed.
 */
struct fp_csv_reader *fp_csv_reader_new(FILE *f, const char *name);
void fp_csv_reader_free(struct fp_csv_reader *r);
void fp_csv_reader_tee(struct fp_csv_reader *r, FILE *tee);
/*
 * Keeps the bytes consumed from now on, until fp_csv_reader_tee writes
 * them out and copies the rest as it comes: so a header can be checked
 * before anything is passed on.
 */
void fp_csv_reader_hold(struct fp_csv_reader *r);

/*
 * Reads the next record into *row (valid until the next call). Returns 1
 * for a record, 0 at the end of the input, or -1 with d filled as
 * "LINE: what is wrong" (a quote left open, a record longer than
 * FP_CSV_RECORD_MAX, a workbook given for CSV, a read error). Empty
 * lines are skipped.
 */
int fp_csv_next(struct fp_csv_reader *r, struct fp_csv_row *row,
    struct fp_diag *d);

/* What the first of a row's fields that is no text holds, if one does. */
enum fp_csv_text {
	FP_CSV_TEXT,		/* every field is UTF-8 text */
	FP_CSV_NUL,		/* a NUL byte */
	FP_CSV_NOT_UTF8,	/* bytes that are no UTF-8 */
};
/* Checks fields 0..n - 1 of row (n at most row->n); *at the one at fault. */
enum fp_csv_text fp_csv_row_text(const struct fp_csv_row *row, size_t n,
    size_t *at);

/*
 * 0, or the errno of the first write to the tee that failed (a full disk,
 * a closed pipe): the stream keeps only that one did, and a later flush
 * has nothing left to fail on.
 */
int fp_csv_tee_failed(const struct fp_csv_reader *r);

#endif
