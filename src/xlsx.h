/*
 * Writing .xlsx workbooks, over libxlsxwriter (the only file that
 * includes xlsxwriter.h). A thin layer: sheets, typed cells, styles made
 * from a few properties, column widths (fitted to what was written unless
 * set), frozen header rows, autofilters, merged ranges and bar charts.
 * The file is written to a temporary name beside its target and renamed
 * into place on success, so a failure leaves an existing file as it was;
 * the creation time is fixed, so the same input gives the same bytes.
 */
#ifndef FP_XLSX_H
#define FP_XLSX_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

struct fp_xlsx;

/* A style: bold or not, a number format ("" for none), a table look. */
struct fp_style {
	int bold;
	const char *numfmt;
	int boxed;		/* thin borders all round */
	int heading;		/* grey fill, centred, wrapped */
};

/*
 * Starts a workbook to be written to path, a file in a folder nobody
 * else can write (outfile.h: fp_outfile_path), which the caller puts in
 * place once fp_xlsx_close succeeds. constant_memory writes rows as they
 * come (each sheet's rows must then be written in order, and merged
 * ranges are not available). NULL with a message in d on failure.
 */
struct fp_xlsx *fp_xlsx_new(const char *path, int constant_memory,
    struct fp_diag *d);

/*
 * 1 if a workbook of n sheets can be written in constant memory, where
 * every sheet keeps a file open until the end, within the limit on open
 * files (raising the soft limit if need be); 0 if it must be written
 * without constant memory. A sheet past the limit in constant memory is
 * not made, and fp_xlsx_close says so.
 */
int fp_xlsx_sheets_fit(size_t n);

/*
 * Adds a sheet named name, made valid by one rule for every sheet
 * formpipe writes: at most 31 characters, none of []:*?/\ or control
 * characters (each becomes '_'), no apostrophe first or last, not empty
 * ("Sheet"), and unlike every earlier sheet's name as Excel compares them,
 * without regard to case ("Other", then "OTHER (2)"). Returns its index.
 * A sheet that could not be made (see fp_xlsx_sheets_fit) has an index
 * too: writing to it does nothing, and fp_xlsx_close fails.
 */
size_t fp_xlsx_sheet(struct fp_xlsx *x, const char *name);

/* Hides a sheet (not the first). */
void fp_xlsx_hide(struct fp_xlsx *x, size_t sheet);

/* A style id for these properties (made once, then reused). */
int fp_xlsx_style(struct fp_xlsx *x, const struct fp_style *st);

/* Cell writers; style -1 for none. */
void fp_xlsx_text(struct fp_xlsx *x, size_t sheet, uint32_t row, uint32_t col,
    const char *s, int style);
void fp_xlsx_number(struct fp_xlsx *x, size_t sheet, uint32_t row,
    uint32_t col, double v, int style);
/* An empty cell that still shows its style (borders). */
void fp_xlsx_blank(struct fp_xlsx *x, size_t sheet, uint32_t row, uint32_t col,
    int style);
/* A date serial of the 1900 system (give it a date style). */
void fp_xlsx_date(struct fp_xlsx *x, size_t sheet, uint32_t row, uint32_t col,
    double serial, int style);
void fp_xlsx_bool(struct fp_xlsx *x, size_t sheet, uint32_t row, uint32_t col,
    int v, int style);
/* An error value, "#DIV/0!" and the like. */
void fp_xlsx_error(struct fp_xlsx *x, size_t sheet, uint32_t row, uint32_t col,
    const char *err, int style);
/* A formula with the value it computes, for viewers that never recalculate. */
void fp_xlsx_formula(struct fp_xlsx *x, size_t sheet, uint32_t row,
    uint32_t col, const char *formula, double value, int style);
/* A merged range, its top-left cell's text given (not in constant memory). */
void fp_xlsx_merge(struct fp_xlsx *x, size_t sheet, uint32_t r1, uint32_t c1,
    uint32_t r2, uint32_t c2);

/* Sets the width of columns c1..c2 (in characters); 0 hides them. */
void fp_xlsx_width(struct fp_xlsx *x, size_t sheet, uint32_t c1, uint32_t c2,
    double width);
/* Freezes the first row and puts an autofilter over rows 0..last, cols 0..lastcol. */
void fp_xlsx_header_row(struct fp_xlsx *x, size_t sheet, uint32_t lastrow,
    uint32_t lastcol);
/*
 * Prints the sheet as a report: A4 landscape, one page wide, its first
 * row repeated on every page.
 */
void fp_xlsx_print_setup(struct fp_xlsx *x, size_t sheet);
/*
 * A bar chart on sheet, at (row, col): the values in column valcol of
 * rows r1..r2 of data sheet dsheet, labelled by column catcol.
 */
void fp_xlsx_bar_chart(struct fp_xlsx *x, size_t sheet, uint32_t row,
    uint32_t col, const char *title, size_t dsheet, uint32_t r1, uint32_t r2,
    uint32_t catcol, uint32_t valcol);

/*
 * Finishes the workbook, writing it to its path. Returns FP_OK, or an
 * error with d filled (what was written at path is removed). Frees x
 * either way.
 */
enum fp_err fp_xlsx_close(struct fp_xlsx *x, struct fp_diag *d);
/* Gives up: removes what was written at path and frees x. */
void fp_xlsx_abort(struct fp_xlsx *x);

/* The width text takes on screen: CJK characters count two. */
double fp_display_width(const char *s);

#endif
