/*
 * What an .xlsx being written attaches to its cells outside the cells
 * (comments, hyperlinks), kept on disk: each item is appended to an
 * anonymous temporary file as it comes, and only a few counters per
 * sheet stay in memory, so a workbook with many of them costs no more
 * memory than one with few. Once all are added they are grouped by
 * sheet (a counting sort into a second temporary file) and read back
 * sheet by sheet in the order libxlsxwriter keeps its own: by row, then
 * column, the last item on a cell replacing the earlier. xlsxnotes.c
 * and xlsxlinks.c write them out as libxlsxwriter would have.
 */
#ifndef FP_XLSXSTORE_H
#define FP_XLSXSTORE_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

struct fp_store;

/* A sink for a part's bytes: 0, or -1 when they cannot be written. */
typedef int (*fp_store_put)(void *ctx, const char *s, size_t n);

/* An empty store in a temporary file; NULL with d filled if none. */
struct fp_store *fp_store_new(struct fp_diag *d);
/* Removes the temporary files and frees st (NULL does nothing). */
void fp_store_free(struct fp_store *st);

/*
 * Appends the len bytes at data as an item on (row, col) of sheet.
 * Returns FP_OK, or FP_EWRITE with d filled when the temporary file
 * cannot be written.
 */
enum fp_err fp_store_add(struct fp_store *st, uint32_t sheet, uint32_t row,
    uint32_t col, const void *data, size_t len, struct fp_diag *d);

/* How many items were added to sheet (one cell may count twice). */
size_t fp_store_count(const struct fp_store *st, uint32_t sheet);

/*
 * Groups the items by sheet, once all are added. Returns FP_OK, or
 * FP_EWRITE with d filled.
 */
enum fp_err fp_store_group(struct fp_store *st, struct fp_diag *d);

/*
 * A walk over a grouped sheet's items, one per cell, by row and column.
 * After fp_store_next gives 1, row, col and the len bytes at data (and
 * a NUL after them) are the item's until the next call.
 */
struct fp_store_walk {
	uint32_t row, col;
	const char *data;
	size_t len;
	size_t count;		/* the items to walk: cells with one */
	/* The walk's own. */
	struct fp_store *st;
	void *refs;
	size_t i;
	uint64_t off;
	struct fp_buf buf;
};

/* Starts w over sheet's items: 0, or -1 (a read failed). */
int fp_store_start(struct fp_store_walk *w, struct fp_store *st,
    uint32_t sheet);
/* The next item into w: 1, 0 at the end, -1 when a read failed. */
int fp_store_next(struct fp_store_walk *w);
/* Frees what the walk holds; after a failed start too. */
void fp_store_end(struct fp_store_walk *w);

/* Appends the A1 name of (row, col) to b. */
void fp_store_cellref(struct fp_buf *b, uint32_t row, uint32_t col);
/*
 * Appends the len bytes at s escaped as libxlsxwriter escapes XML: &, <
 * and > in text; with attr, " and line feeds too, for an attribute; a
 * control character but tab and line ends as _x000B_, and U+FFFE and
 * U+FFFF, which XML cannot hold, as U+FFFD; in text, the underscore of
 * a literal _xHHHH_ as _x005F_, as Excel writes it.
 */
void fp_store_escape(struct fp_buf *b, const char *s, size_t len, int attr);

/* 1 if s (n bytes) begins _xHHHH_, which OOXML text takes for U+HHHH. */
int fp_store_x_pattern(const char *s, size_t n);
/*
 * Passes b to put once it holds 64 KiB, or when last, and empties it
 * then. Returns what put did, 0 if nothing was passed.
 */
int fp_store_flush(struct fp_buf *b, fp_store_put put, void *ctx, int last);

#endif
