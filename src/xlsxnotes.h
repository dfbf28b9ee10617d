/*
 * The comments of an .xlsx being written, kept on disk: each one is
 * appended to an anonymous temporary file as it comes, and only a few
 * counters per sheet stay in memory, so a workbook of many findings
 * costs no more memory than one of few. When the workbook is closed the
 * comments are grouped by sheet (a counting sort into a second temporary
 * file) and written out as the parts libxlsxwriter 1.1 would have
 * written for worksheet_write_comment_opt (author "formpipe", x_scale 2,
 * y_scale 1.5): xl/commentsN.xml and xl/drawings/vmlDrawingN.vml.
 */
#ifndef FP_XLSXNOTES_H
#define FP_XLSXNOTES_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

struct fp_notes;

/* A row whose height differs from the sheet's default, in pixels. */
struct fp_note_row {
	uint32_t row, px;
};

/*
 * What a comment's box is placed by: the sheet's column widths and row
 * heights in pixels, as libxlsxwriter sizes them when it closes.
 */
struct fp_note_grid {
	uint32_t *col_px;	/* columns 0..ncols-1; owned */
	size_t ncols;
	uint32_t def_col_px;	/* a column past ncols */
	int col_changed, row_changed;	/* 0: offsets from the defaults */
	uint32_t def_row_px;	/* the shortcut's row height */
	uint32_t row_px;	/* a row not in rows */
	struct fp_note_row *rows;	/* sorted by row; owned */
	size_t nrows;
	unsigned nrels;		/* the sheet's relationships before these */
};

/* A sink for a part's bytes: 0, or -1 when they cannot be written. */
typedef int (*fp_notes_put)(void *ctx, const char *s, size_t n);

/* An empty store in a temporary file; NULL with d filled if none. */
struct fp_notes *fp_notes_new(struct fp_diag *d);
/* Removes the temporary files and frees n (NULL does nothing). */
void fp_notes_free(struct fp_notes *n);

/*
 * Appends a comment on (row, col) of sheet. Returns FP_OK, or FP_EWRITE
 * with d filled when the temporary file cannot be written.
 */
enum fp_err fp_notes_add(struct fp_notes *n, uint32_t sheet, uint32_t row,
    uint32_t col, const char *text, struct fp_diag *d);

/* How many comments were added to sheet (one cell may count twice). */
size_t fp_notes_count(const struct fp_notes *n, uint32_t sheet);

/*
 * Groups the comments by sheet, once all are added. Returns FP_OK, or
 * FP_EWRITE with d filled.
 */
enum fp_err fp_notes_group(struct fp_notes *n, struct fp_diag *d);

/*
 * Writes sheet's vmlDrawing part through put: its shapes numbered from
 * data_id (see fp_notes_next_id), placed on grid g. In the order
 * libxlsxwriter writes them: by row, then column, the last comment of a
 * cell replacing the earlier. Returns 0 or -1 (a read or put failed).
 */
int fp_notes_vml(struct fp_notes *n, uint32_t sheet, uint32_t data_id,
    const struct fp_note_grid *g, fp_notes_put put, void *ctx);
/* Writes sheet's comments part, in the same order. 0 or -1. */
int fp_notes_comments(struct fp_notes *n, uint32_t sheet, fp_notes_put put,
    void *ctx);
/* The data id of the sheet after this one, which holds count comments. */
uint32_t fp_notes_next_id(const struct fp_notes *n, uint32_t sheet,
    uint32_t data_id);

#endif
