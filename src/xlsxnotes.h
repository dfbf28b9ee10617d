/*
 * The parts of an .xlsx's comments, written from a store of them
 * (xlsxstore.h: an item's bytes are its text) as libxlsxwriter 1.1
 * would have written them for worksheet_write_comment_opt (author
 * "formpipe", x_scale 2, y_scale 1.5): xl/commentsN.xml and
 * xl/drawings/vmlDrawingN.vml. Keeping comments out of libxlsxwriter,
 * which holds every one in memory until the workbook is closed, keeps
 * a workbook of many findings in no more memory than one of few.
 */
#ifndef FP_XLSXNOTES_H
#define FP_XLSXNOTES_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"
#include "xlsxstore.h"

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
};

/*
 * Writes sheet's vmlDrawing part through put: its shapes numbered from
 * data_id (see fp_notes_next_id), placed on grid g, in the order of
 * the store's walk. Returns 0 or -1 (a read or put failed). n is grouped.
 */
int fp_notes_vml(struct fp_store *n, uint32_t sheet, uint32_t data_id,
    const struct fp_note_grid *g, fp_store_put put, void *ctx);
/* Writes sheet's comments part, in the same order. 0 or -1. */
int fp_notes_comments(struct fp_store *n, uint32_t sheet, fp_store_put put,
    void *ctx);
/*
 * The data id of the vmlDrawing after sheet's, whose own is data_id:
 * one more for each block of 1024 shapes begun.
 */
uint32_t fp_notes_next_id(struct fp_store *n, uint32_t sheet,
    uint32_t data_id);

#endif
