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

/*
 * One cell. Rows and columns count from 0. A number, a date serial (of
 * the workbook's date system), a boolean (0 or 1) or an error code (the
 * BIFF code: 0x07 #DIV/0!, 0x2A #N/A, ...) is in num; text is UTF-8 in
 * text/len. fmt indexes the workbook's number formats (0 is General).
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

/* A column width, in characters of the default font, for columns c1..c2. */
struct fp_colwidth {
	uint16_t c1, c2;
	double width;
	int hidden;
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
 * Calls fn for every non-empty cell of sheet i in the order the file
 * holds them (usually rows then columns; fp_grid sorts). fn returns 0 to
 * go on; any other value stops the scan and is returned in *stopped if
 * stopped is not NULL. Returns FP_OK, or an error with d filled.
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
void fp_grid_release(struct fp_grid *g);
/* The cell at row r, column c, or NULL if it is empty. */
const struct fp_cell *fp_grid_at(const struct fp_grid *g, uint32_t r,
    uint32_t c);

/*
 * Renders a cell's value as the cell stream and grid print it (numbers
 * shortest, dates ISO 8601, booleans TRUE/FALSE, errors #DIV/0!...).
 * Text is returned as is; other values are written to buf (FP_NUM_MAX
 * bytes). Returns a pointer to the text and its length in *len.
 */
const char *fp_cell_render(const struct fp_cell *c, int date1904, char *buf,
    size_t *len);

/* The cell stream's name of a cell type: "number", "text", "date", ... */
const char *fp_cell_type_name(enum fp_cell_type t);

/* The text of a BIFF error code: "#DIV/0!", "#N/A", ... */
const char *fp_error_text(unsigned code);

/* Column letters of a 0-based column index ("A", "AA") into buf[8]. */
void fp_colname(uint32_t col, char *buf);

#endif
