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
 * A cell's whole look, for a converted workbook: what an .xlsx cell
 * format holds. Colours are RGB, -1 for automatic; alignment, border and
 * pattern codes are Excel's (the same in .xls and .xlsx).
 */
struct fp_look {
	const char *font;	/* NULL or "" for the default */
	double size;		/* points, 0 for the default */
	int bold, italic, strike;
	int underline;		/* 0 none, 1 single, 2 double, 3 single and
				   4 double accounting */
	int script;		/* 0, 1 superscript, 2 subscript */
	long color;
	const char *numfmt;	/* NULL or "" for General */
	int numfmt_id;		/* > 0: Excel's built-in format of that
				   number instead (14: the reader's date) */
	int halign;		/* 0 general, 1 left ... 7 distributed */
	int valign;		/* 0 top, 1 centre, 2 bottom, 3 justify, 4 distributed */
	int wrap, shrink, indent;
	int rotation;		/* -90 to 90 degrees, 270 stacked */
	int border[4];		/* left, right, top, bottom: 0 none ... 13 */
	long border_color[4];
	int pattern;		/* 0 none, 1 solid ... 18 */
	long fg, bg;
	int unlocked, hidden;
};

/* Page setup for fp_xlsx_page; -1 (or <0) leaves a field as it is. */
struct fp_xlsx_page {
	int landscape, paper, scale, fitw, fith;
	double margin[4];	/* left, right, top, bottom, inches */
	double mheader, mfooter;
	const char *header, *footer;
	int hcenter, vcenter, gridlines;
};

/*
 * Starts a workbook to be written to path, a file in a folder nobody
 * else can write (outfile.h: fp_outfile_path), which the caller puts in
 * place once fp_xlsx_close succeeds. constant_memory writes rows as they
 * come (each sheet's rows must then be written in order, and merged
 * ranges are not available). keywords (NULL: none) go in its document
 * properties. NULL with a message in d on failure.
 */
struct fp_xlsx *fp_xlsx_new(const char *path, int constant_memory,
    const char *keywords, struct fp_diag *d);

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

/*
 * Hides a sheet, the first one too: when the workbook is closed the
 * sheet shown first is the active one if it is visible, else the first
 * visible sheet. _very: hidden so that only a macro can show it.
 */
void fp_xlsx_hide(struct fp_xlsx *x, size_t sheet);
void fp_xlsx_hide_very(struct fp_xlsx *x, size_t sheet);
/* Makes a sheet the one shown when the workbook opens. */
void fp_xlsx_activate(struct fp_xlsx *x, size_t sheet);

/*
 * A style id for a whole look: one cell format for each distinct look,
 * however often it is asked for.
 */
int fp_xlsx_look(struct fp_xlsx *x, const struct fp_look *lk);

/* Columns keep the widths they are given; the others stay default. */
void fp_xlsx_no_autofit(struct fp_xlsx *x);

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
/* An error value, "#DIV/0!" and the like (no formula). */
void fp_xlsx_error(struct fp_xlsx *x, size_t sheet, uint32_t row, uint32_t col,
    const char *err, int style);
/* A formula with the value it computes, for viewers that never recalculate. */
void fp_xlsx_formula(struct fp_xlsx *x, size_t sheet, uint32_t row,
    uint32_t col, const char *formula, double value, int style);
/*
 * A formula with a result of another type: text (str), a boolean (num 0
 * or 1) or an error (str, "#N/A"). type is 's', 'b' or 'e'.
 */
void fp_xlsx_formula_typed(struct fp_xlsx *x, size_t sheet, uint32_t row,
    uint32_t col, const char *formula, int type, double num, const char *str,
    int style);
/*
 * An array formula over r1..r2, c1..c2, its first cell's value given:
 * type 'n' (a number, num), 'b' (a boolean, num 0 or 1), 'e' (an error,
 * str) or 's' (text, str). The other cells' values are written as values.
 */
void fp_xlsx_array_formula(struct fp_xlsx *x, size_t sheet, uint32_t r1,
    uint32_t c1, uint32_t r2, uint32_t c2, const char *formula, int type,
    double num, const char *str, int style);
/*
 * A comment on a cell, shown when the mouse is over it; cut, and counted
 * by fp_xlsx_cut, past 32,767 characters as a cell's text is.
 */
void fp_xlsx_comment(struct fp_xlsx *x, size_t sheet, uint32_t row,
    uint32_t col, const char *text);
/*
 * Defines a workbook name (sheet >= 0: local to that sheet) as formula
 * (no '='). Returns 0, or -1 if libxlsxwriter refuses it (the workbook
 * is still written).
 */
int fp_xlsx_define_name(struct fp_xlsx *x, int sheet, const char *name,
    const char *formula);

/* A row's height (points, 0 the default), visibility and style (-1 none). */
void fp_xlsx_row(struct fp_xlsx *x, size_t sheet, uint32_t row, double height,
    int hidden, int style);
/* The height of rows that have none of their own. */
void fp_xlsx_default_row(struct fp_xlsx *x, size_t sheet, double height);
/* Columns c1..c2: width in characters, hidden, style (-1 none). */
void fp_xlsx_columns(struct fp_xlsx *x, size_t sheet, uint32_t c1,
    uint32_t c2, double width, int hidden, int style);
/* Freezes rows above row and columns left of col; top row and left column shown below and right. */
void fp_xlsx_freeze(struct fp_xlsx *x, size_t sheet, uint32_t row,
    uint32_t col, uint32_t toprow, uint32_t leftcol);
/* Zoom in percent; gridlines shown or not. */
void fp_xlsx_view(struct fp_xlsx *x, size_t sheet, int zoom, int hide_grid);
/* The page setup of a sheet. */
void fp_xlsx_page(struct fp_xlsx *x, size_t sheet, const struct fp_xlsx_page *pg);
/*
 * An autofilter's drop-downs over a range (its criteria are not kept),
 * before the sheet's rows are written. Returns 0, or -1 if libxlsxwriter
 * refuses the range (the workbook is still written, without it).
 */
int fp_xlsx_autofilter(struct fp_xlsx *x, size_t sheet, uint32_t r1,
    uint32_t c1, uint32_t r2, uint32_t c2);
/* The print area, and the rows and columns repeated on every page. */
void fp_xlsx_print_area(struct fp_xlsx *x, size_t sheet, uint32_t r1,
    uint32_t c1, uint32_t r2, uint32_t c2);
void fp_xlsx_repeat(struct fp_xlsx *x, size_t sheet, int rows, uint32_t first,
    uint32_t last);
/*
 * The font of cells that have no style (the workbook's default font),
 * name and size in points.
 */
void fp_xlsx_default_font(struct fp_xlsx *x, const char *name, double size);

/* A merged range, its top-left cell's text given (not in constant memory). */
void fp_xlsx_merge(struct fp_xlsx *x, size_t sheet, uint32_t r1, uint32_t c1,
    uint32_t r2, uint32_t c2);

/* Sets the width of columns c1..c2 (in characters); 0 hides them. */
void fp_xlsx_width(struct fp_xlsx *x, size_t sheet, uint32_t c1, uint32_t c2,
    double width);
/* How a sheet of a report prints: rows 0..header_last its heading. */
struct fp_xlsx_report {
	uint32_t header_last;	/* the last row of title and column headers */
	uint32_t last_row;	/* the last row of the table */
	uint32_t last_col;
	uint32_t filter_col;	/* the filter's last column, last_col or past */
	const char *footer;	/* page footer (&P the page, &N their number) */
};

/*
 * Lays a sheet out as a report: rows below its heading frozen, an
 * autofilter from its column headers down to last_row, printed A4
 * landscape one page wide with its heading on every page and the footer.
 */
void fp_xlsx_report(struct fp_xlsx *x, size_t sheet,
    const struct fp_xlsx_report *r);
/*
 * A heading across columns 0..ncols-1 of a row: text in the first, the
 * style (centred across the selection, say) on all of them; the row
 * height if height > 0. It does not widen the columns it spans.
 */
void fp_xlsx_heading(struct fp_xlsx *x, size_t sheet, uint32_t row,
    uint32_t ncols, const char *text, int style, double height);
/*
 * A link to a place in the workbook ("'Sheet'!A5"), showing text in the
 * style: libxlsxwriter's internal link, the only kind there is here
 * (external ones would need relationships). As libxlsxwriter does, a
 * '#' in location ends it, and what follows is the link's display text
 * (not the cell's).
 */
void fp_xlsx_url(struct fp_xlsx *x, size_t sheet, uint32_t row, uint32_t col,
    const char *location, const char *text, int style);
/* How many texts and comments were cut to 32,767 characters so far. */
size_t fp_xlsx_cut(const struct fp_xlsx *x);
/*
 * Where the first of them is, "Sheet!C5" or "a comment at Sheet!C5";
 * "" if none.
 */
#define FP_CUT_AT_MAX 192
const char *fp_xlsx_first_cut(const struct fp_xlsx *x);
/*
 * A bar chart on sheet, at (row, col): the values in column valcol of
 * rows r1..r2 of data sheet dsheet, labelled by column catcol, each bar
 * with its value, top to bottom in the order of the rows.
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
