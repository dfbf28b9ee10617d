/*
 * The workbook model: a workbook of sheets, each a stream of typed cells
 * with its merged ranges, column widths and number formats, whatever
 * format the file came in.
 *
 * Readers fill it (reader.h is their side): biff.c over cfb.c for every
 * format from BIFF2 to BIFF8 (Excel 2.x to 2003, and what LibreOffice
 * and WPS write), freexl (xls_freexl.c) for BIFF2 to BIFF4 when the open
 * options ask for it, to compare, ooxml.c for .xlsx and .xlsm, and ods.c
 * for .ods. workbook_open.c decides which reader opens a file from its
 * content; nothing that reads a workbook through this header knows which
 * did. Error codes are BIFF's whatever the format.
 */
#ifndef FP_WORKBOOK_H
#define FP_WORKBOOK_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

enum fp_cell_type {
	FP_CELL_EMPTY = 0,
	FP_CELL_NUMBER,
	FP_CELL_TEXT,
	FP_CELL_DATE,
	FP_CELL_DATETIME,
	FP_CELL_TIME,
	FP_CELL_BOOL,
	FP_CELL_ERROR,
};

/* An error's text is shorter than this: Excel's longest, #GETTING_DATA, is 13. */
#define FP_ERROR_MAX 32

/*
 * One cell. Rows and columns count from 0. A number, a date serial (of
 * the workbook's date system) or a boolean (0 or 1) is in num; text is
 * UTF-8 in text/len, and so is an error, as the workbook gives it
 * ("#DIV/0!", "#N/A", and the later "#SPILL!", shorter than
 * FP_ERROR_MAX). fmt indexes the workbook's number formats (0 is General).
 * A cell handed to a callback lives until the callback returns; a cell of
 * an fp_grid lives as long as the grid.
 */
struct fp_cell {
	uint32_t row;
	uint16_t col;
	uint8_t type;		/* enum fp_cell_type */
	uint8_t formula;	/* 1 if the value is a formula's saved result */
	uint32_t fmt;
	uint32_t len;
	union {
		double num;
		const char *text;
	} v;
};

/* A merged range, rows and columns from 0, both ends included. */
struct fp_range {
	uint32_t r1, r2;
	uint16_t c1, c2;
};

/* Rows r1 to r2, the first and the last. */
struct fp_rowspan {
	uint32_t r1, r2;
};

/* A column width, in characters of the default font, for columns c1..c2. */
struct fp_colwidth {
	uint16_t c1, c2;
	double width;
	int hidden;
	uint16_t xf;		/* the columns' cell format (looks) */
};

/*
 * Looks: what a cell looks like, for convert. A reader that knows none
 * leaves them empty and every cell gets the default look. Colours are
 * palette indexes (fp_workbook_color turns them into RGB).
 */
struct fp_font {
	char *name;		/* UTF-8 */
	uint16_t height;	/* in twips (1/20 point) */
	uint16_t weight;	/* 400 normal, 700 bold */
	uint16_t color;
	uint8_t italic, strike;
	uint8_t underline;	/* 0 none, 1 single, 2 double, 0x21, 0x22 accounting */
	uint8_t script;		/* 0 none, 1 superscript, 2 subscript */
};

/* Sides of a border, in the order of fp_xf's arrays. */
enum { FP_LEFT, FP_RIGHT, FP_TOP, FP_BOTTOM };

/* A cell format (XF record). */
struct fp_xf {
	uint16_t font;		/* index into the fonts */
	uint32_t fmt;		/* number format key */
	uint8_t halign;		/* 0 general, 1 left, 2 centre, 3 right, 4 fill, 5 justify, 6 centre across, 7 distributed */
	uint8_t valign;		/* 0 top, 1 centre, 2 bottom, 3 justify, 4 distributed */
	uint8_t wrap, shrink, indent;
	uint8_t rotation;	/* 0-90 up, 91-180 down, 255 stacked */
	uint8_t locked, hidden;
	uint8_t border[4];	/* line style by side, 0 none ... 13 */
	uint16_t border_color[4];
	uint8_t pattern;	/* fill pattern: 0 none, 1 solid, 2-18 */
	uint16_t fg, bg;	/* fill colours */
	/*
	 * Colours given as RGB instead (Excel 2007 and later write them in
	 * XFEXT records beside the palette's): bit 24 set if given.
	 */
	uint32_t rgb_fg, rgb_bg, rgb_border[4], rgb_font;
};

/* A cell record's format, empty cells included. */
struct fp_cellxf {
	uint32_t row;
	uint16_t col;
	uint16_t xf;
};

/* A row's height and visibility (ROW records). */
struct fp_rowinfo {
	uint32_t row;
	double height;		/* points; 0 if the default */
	uint8_t hidden, custom;
	uint8_t has_xf;
	uint16_t xf;
};

/* What a formula record holds, kept as the file's tokens. */
enum fp_formula_kind {
	FP_FORMULA_CELL = 0,	/* a cell's own formula (maybe a tExp) */
	FP_FORMULA_SHARED,	/* a shared formula over a range */
	FP_FORMULA_ARRAY,	/* an array formula over a range */
	FP_FORMULA_TABLE,	/* a what-if table over a range */
};

struct fp_formula {
	uint32_t row, row2;	/* the cell, or the range */
	uint16_t col, col2;
	uint8_t kind;		/* enum fp_formula_kind */
	const unsigned char *rgce;	/* tokens, owned by the workbook */
	uint32_t len;
	const unsigned char *extra;	/* data after them (array constants) */
	uint32_t nextra;
};

/* Page setup; a field the file does not set is -1. */
struct fp_page {
	int landscape;		/* 1 landscape, 0 portrait, -1 unset */
	int paper;		/* Excel's paper code */
	int scale;		/* percent */
	int fit;		/* 1 if fit to pages, with fitw by fith */
	int fitw, fith;
	double margin[4];	/* left, right, top, bottom, inches; <0 unset */
	double mheader, mfooter;
	char *header, *footer;	/* Excel's header codes, UTF-8; NULL if none */
	int hcenter, vcenter, gridlines;
};

/* A sheet's window: frozen panes and what shows. */
struct fp_window {
	int frozen;		/* 1 if frozen at (frow, fcol) */
	uint32_t frow, fcol;	/* rows above and columns left of the split */
	uint32_t toprow, leftcol;	/* the first visible in the lower right pane */
	int selected;		/* 1 if the sheet is selected (active) */
	int hide_grid;
	int zoom;		/* percent, 0 if not set */
};

/* What a sheet holds that convert cannot carry, counted by kind. */
enum fp_lost {
	FP_LOST_CHART = 0,
	FP_LOST_IMAGE,
	FP_LOST_COMMENT,
	FP_LOST_VALIDATION,
	FP_LOST_CONDFMT,
	FP_LOST_HYPERLINK,
	FP_LOST_AUTOFILTER,
	FP_LOST_MACRO,
	FP_LOST_OBJECT,
	FP_LOST_KINDS,
};

/* A sheet's looks and formulas, gathered when fp_workbook_keep_looks asked. */
struct fp_sheet_looks {
	struct fp_cellxf *cells;	/* in file order */
	size_t ncells;
	struct fp_rowinfo *rows;
	size_t nrows;
	struct fp_formula *formulas;	/* in file order */
	size_t nformulas;
	struct fp_window win;
	struct fp_page page;
	double defwidth;	/* default column width in characters, 0 unset */
	double defheight;	/* default row height in points, 0 unset */
	unsigned lost[FP_LOST_KINDS];
};

/* A defined name of the workbook. */
struct fp_defname {
	char *name;		/* UTF-8; a built-in's is Excel's (Print_Area) */
	int builtin;		/* the built-in code (6 Print_Area, 7 Print_Titles), or -1 */
	int sheet;		/* the sheet (fp_workbook_sheet index) it belongs to, or -1 */
	int hidden;
	char *formula;		/* its A1 text, NULL if it could not be read */
	struct fp_range area[2];	/* the ranges it names, if only ranges */
	int nareas;
};

struct fp_workbook;

/* What the workbook says about one sheet. */
struct fp_sheet_info {
	const char *name;		/* UTF-8 */
	int hidden;
	const struct fp_range *merges;	/* filled by fp_sheet_scan */
	size_t nmerges;
	const struct fp_colwidth *widths; /* filled by fp_sheet_scan */
	size_t nwidths;
	/* The rows the sheet hides, in file order: filled by fp_sheet_scan. */
	const struct fp_rowspan *hidden_rows;
	size_t nhidden_rows;
	int visibility;			/* 0 visible, 1 hidden, 2 very hidden */
	const struct fp_sheet_looks *looks;	/* filled by fp_sheet_scan with
						   fp_workbook_keep_looks */
	/*
	 * The width (last column + 1) the sheet declares before its cells
	 * (BIFF DIMENSIONS, an .xlsx <dimension>), 0 if it declares none:
	 * known from the first cell of a scan on. A hint only: writers get
	 * it wrong, so it can be larger or smaller than the cells are.
	 */
	uint32_t dimcols;
};

/* How to open a workbook; all zero is the default. */
struct fp_open_opts {
	int freexl;	/* read BIFF2 to BIFF4 with freexl, to compare */
};

/*
 * Opens the workbook at path. On success *out owns it (fp_workbook_free);
 * on failure *out is NULL and d says what is wrong with the file.
 * fp_workbook_open_opts does the same with options (NULL: the default).
 */
enum fp_err fp_workbook_open(const char *path, struct fp_workbook **out,
    struct fp_diag *d);
enum fp_err fp_workbook_open_opts(const char *path,
    const struct fp_open_opts *opts, struct fp_workbook **out,
    struct fp_diag *d);
void fp_workbook_free(struct fp_workbook *wb);

/*
 * The same for a workbook already in memory (n bytes at data, copied),
 * with the default options.
 */
enum fp_err fp_workbook_open_buffer(const void *data, size_t n,
    struct fp_workbook **out, struct fp_diag *d);

size_t fp_workbook_nsheets(const struct fp_workbook *wb);
/* The sheet's name and layout; merges and widths once it was scanned. */
const struct fp_sheet_info *fp_workbook_sheet(const struct fp_workbook *wb,
    size_t i);
int fp_workbook_date1904(const struct fp_workbook *wb);
/* Which reader opened the file and what it is, e.g. "BIFF8". */
const char *fp_workbook_kind(const struct fp_workbook *wb);
/* The number format string of a cell's fmt; "General" for 0. */
const char *fp_workbook_format(const struct fp_workbook *wb, uint32_t fmt);
/*
 * Nonzero if format fmt shows a number as a percentage (0.9357 as
 * 93.57%): a code with a % outside quotes and brackets, or built-in 9 or
 * 10; then 1 + the decimals it shows (0.00% gives 3).
 */
int fp_workbook_percent(const struct fp_workbook *wb, uint32_t fmt);
/* How format fmt scales a number it shows (fp_fmt_scale, reader.h). */
int fp_workbook_scale(const struct fp_workbook *wb, uint32_t fmt, double x,
    int *pad);
/*
 * What format fmt shows for the number x where it writes words around
 * it: 2022 under "（"0"年度）" is （2022年度）, 1234.5 under
 * #,##0.00"万元" is 1,234.50万元 (the section for x's sign, quoted and
 * escaped text, the decimals and grouping the placeholders ask). Writes
 * it to buf (size bytes) and returns its length; 0 where the format
 * writes no words or shows x otherwise than as a decimal (a date, an
 * exponent, a fraction), or the text does not fit.
 */
size_t fp_workbook_shown(const struct fp_workbook *wb, uint32_t fmt,
    double x, char *buf, size_t size);

/*
 * Asks the scans that follow to gather each sheet's looks and formulas
 * (fp_sheet_info's looks), which cost memory in proportion to the cells.
 */
void fp_workbook_keep_looks(struct fp_workbook *wb);

/* The workbook's fonts and cell formats; none if the reader knows none. */
const struct fp_font *fp_workbook_fonts(const struct fp_workbook *wb,
    size_t *n);
const struct fp_xf *fp_workbook_xfs(const struct fp_workbook *wb, size_t *n);
/* The RGB of palette colour idx, or -1 for automatic or system colours. */
long fp_workbook_color(const struct fp_workbook *wb, unsigned idx);
/* The workbook's defined names. */
const struct fp_defname *fp_workbook_names(const struct fp_workbook *wb,
    size_t *n);
/*
 * The keywords of the summary workbook formpipe merge writes, in its
 * document properties, by which map tells it from a form.
 */
#define FP_SUMMARY_KEYWORDS "formpipe merge summary"
/* 1 if the workbook is a summary formpipe merge wrote. */
int fp_workbook_is_summary(const struct fp_workbook *wb);

/* What the workbook holds that convert cannot carry (macros, chart sheets). */
const unsigned *fp_workbook_lost(const struct fp_workbook *wb);

/*
 * The A1 text (no '=') of formula f as it reads in cell (row, col) of
 * sheet i: for a shared formula, the cell of the range it is read for.
 * Appends to out; FP_OK, or an error with d saying why it cannot be read.
 */
enum fp_err fp_workbook_formula(const struct fp_workbook *wb, size_t i,
    const struct fp_formula *f, uint32_t row, uint32_t col,
    struct fp_buf *out, struct fp_diag *d);

/*
 * The most bytes of text a workbook's cells may hold together, whatever
 * format: past FP_MAX_TEXT and FP_MAX_TEXT_RATIO times the file's size,
 * the scan that gets there is refused. A cell referring to a shared
 * string, as often as it is referred to, or repeated, copies its text;
 * 83 KB of .xlsx, a string of 32,767 characters and a million cells
 * naming it, would be 98 GB. A sheet scanned again counts afresh.
 * Readers count as they give each cell (reader.h: fp_sheet_add_text).
 */
#define FP_MAX_TEXT (256u << 20)
#define FP_MAX_TEXT_RATIO 64u

/*
 * Calls fn for every non-empty cell of sheet i in the order the file
 * holds them (usually rows then columns; fp_grid sorts). fn returns 0 to
 * go on; any other value stops the scan and is returned in *stopped if
 * stopped is not NULL. Returns FP_OK, or an error with d filled (among
 * them a sheet whose text takes the workbook's past FP_MAX_TEXT).
 */
typedef int (*fp_cell_fn)(void *ctx, const struct fp_cell *c);
enum fp_err fp_sheet_scan(struct fp_workbook *wb, size_t i, fp_cell_fn fn,
    void *ctx, int *stopped, struct fp_diag *d);

/*
 * A whole sheet in memory, cells sorted by row then column, with an
 * index from rows to their cells. Memory is proportional to the cells
 * present, whatever size the sheet declares.
 */
struct fp_grid {
	struct fp_cell *cells;
	size_t ncells;
	uint32_t nrows;		/* last non-empty row + 1 */
	uint32_t ncols;		/* last non-empty column + 1 */
	size_t *rowstart;	/* nrows + 1 offsets into cells */
	char *text;		/* storage for the cells' text */
};

/* Loads sheet i into g (fp_grid_release frees it). */
enum fp_err fp_grid_load(struct fp_workbook *wb, size_t i, struct fp_grid *g,
    struct fp_diag *d);
/*
 * The same, but a sheet of more than max cells (SIZE_MAX: any) is not
 * loaded: *over is set and FP_OK returned with g empty.
 */
enum fp_err fp_grid_load_max(struct fp_workbook *wb, size_t i,
    struct fp_grid *g, size_t max, int *over, struct fp_diag *d);
void fp_grid_release(struct fp_grid *g);
/* The cell at row r, column c, or NULL if it is empty. */
const struct fp_cell *fp_grid_at(const struct fp_grid *g, uint32_t r,
    uint32_t c);

/*
 * Renders a cell's value as the cell stream and grid print it (numbers
 * shortest, dates ISO 8601, booleans TRUE/FALSE, errors #DIV/0!...).
 * Text and errors are returned as they are; other values are written to
 * buf (FP_NUM_MAX bytes). Returns a pointer to the text and its length
 * in *len.
 */
const char *fp_cell_render(const struct fp_cell *c, int date1904, char *buf,
    size_t *len);

/* The cell stream's name of a cell type: "number", "text", "date", ... */
const char *fp_cell_type_name(enum fp_cell_type t);

/*
 * How many formula cells of the sheets scanned so far have no saved value
 * (a workbook a program wrote and nothing ever calculated): they read as
 * blank.
 */
size_t fp_workbook_unsaved(const struct fp_workbook *wb);

/* The text of a BIFF error code: "#DIV/0!", "#N/A", ... */
const char *fp_error_text(unsigned code);

/* Makes c the error of this BIFF code, its text fp_error_text's. */
void fp_cell_set_error(struct fp_cell *c, unsigned code);

/*
 * #NUM!'s code. A number that is not finite (a NaN, an infinity, a
 * decimal past a double's range), which no cell holds as a number, is
 * read as this error by every reader: Excel shows #NUM! for such a
 * number in an .xls, and an .xlsx can hold the error, not the number.
 */
#define FP_ERROR_NUM 0x24u

/*
 * 1 if text reads as an error value: # and one to FP_ERROR_MAX - 2
 * letters, digits and _ / ! ? . after it, as Excel's are ("#N/A",
 * "#DIV/0!", "#GETTING_DATA", and those of versions that came after
 * BIFF, which has no code for them: "#SPILL!", "#CALC!", "#BUSY!"...).
 */
int fp_error_is_text(const char *text);

/*
 * The BIFF error code of an error's text, the inverse of fp_error_text:
 * "#DIV/0!" gives 0x07. Returns 0xFF, which fp_error_text writes as
 * "#ERROR!", for a text that is none of Excel's.
 */
unsigned fp_error_code(const char *text);

/* Column letters of a 0-based column index ("A", "AA") into buf[8]. */
void fp_colname(uint32_t col, char *buf);

#endif
