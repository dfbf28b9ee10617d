/*
 * A workbook written as .xlsx, as faithfully as libxlsxwriter allows:
 * every sheet in order with its visibility, cell values and types,
 * formulas decompiled from the file's tokens with their saved results,
 * the cells' looks (fonts, fills, borders, alignment, number formats),
 * merged ranges, column widths, row heights, hidden rows and columns,
 * frozen panes, page setup, print areas and titles, and defined names.
 * What it cannot carry (charts, images, comments, validation,
 * conditional formats, macros) is counted for the caller to name.
 * annotate uses it too, to mark cells and add a sheet in front.
 */
#ifndef FP_CONVERT_H
#define FP_CONVERT_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"
#include "workbook.h"
#include "xlsx.h"

/* A cell to mark: filled, and carrying a comment if text is not NULL. */
struct fp_mark {
	size_t sheet;		/* fp_workbook_sheet index */
	uint32_t row, col;
	const char *text;
	int warning;		/* a warning's mark, not an error's */
};

/* A sheet of text put in front of the workbook's own. */
struct fp_front {
	const char *name;
	const char *const *cells;	/* nrows x ncols, row by row; NULL empty */
	size_t nrows, ncols;
	const double *widths;		/* ncols column widths, or NULL */
};

struct fp_convert_opts {
	const struct fp_mark *marks;	/* in any order */
	size_t nmarks;
	long mark_fill;			/* RGB fill of a marked cell */
	long warning_fill;		/* of one with warnings alone; 0 the same */
	const struct fp_front *front;	/* NULL for none */
};

/* What a conversion wrote and what it could not carry. */
struct fp_convert_report {
	size_t formulas;	/* written as formulas */
	size_t kept;		/* kept as their values: could not be read */
	char why[256];		/* why the first of those could not */
	size_t names_dropped;	/* defined names that could not be written */
	size_t merges_dropped;	/* merged ranges overlapping, or too many */
	size_t cut;		/* texts and comments cut to 32,767 characters */
	char cut_at[FP_CUT_AT_MAX];	/* where the first is */
	unsigned lost[FP_LOST_KINDS];
};

/* The words for what is lost, for messages: "charts", "images", ... */
const char *fp_convert_lost_name(enum fp_lost k);

/*
 * Writes wb to path as .xlsx (a temporary file beside it, renamed into
 * place). opt may be NULL. Fills rep. Returns FP_OK, or an error with d
 * filled (a sheet that cannot be read, a write that failed); path is
 * then left as it was.
 */
enum fp_err fp_convert(struct fp_workbook *wb, const char *path,
    const struct fp_convert_opts *opt, struct fp_convert_report *rep,
    struct fp_diag *d);

#endif
