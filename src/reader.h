/*
 * The readers' side of the workbook model (workbook.h): the workbook
 * object they fill, its sheet list and number formats, and the
 * classification of formats as dates. Only workbook.c, workbook_open.c
 * and the readers include this; formats.h lists the readers.
 */
#ifndef FP_READER_H
#define FP_READER_H

#include "workbook.h"

struct fp_backend {
	const char *name;
	enum fp_err (*scan)(struct fp_workbook *wb, size_t i, fp_cell_fn fn,
	    void *ctx, int *stopped, struct fp_diag *d);
	void (*free)(struct fp_workbook *wb);
};

/* fp_workbook_formula, from a reader that keeps formula tokens. */
typedef enum fp_err (*fp_formula_fn)(const struct fp_workbook *wb, size_t i,
    const struct fp_formula *f, uint32_t row, uint32_t col,
    struct fp_buf *out, struct fp_diag *d);

struct fp_sheet {
	struct fp_sheet_info info;
	char *name;
	struct fp_range *merges;
	size_t nmerges, capmerges;
	struct fp_colwidth *widths;
	size_t nwidths, capwidths;
	struct fp_rowspan *hidrows;
	size_t nhidrows, caphidrows;
	uint32_t dimcols;	/* the width the sheet declares, 0 if none */
	uint64_t copies;	/* cells its last scan gave by repetition */
	uint64_t copytext;	/* and bytes of their text */
	uint64_t text;		/* bytes of text its last scan gave */
	uint64_t pos;		/* reader's own: where the sheet starts */
	int scanned;
	size_t unsaved;		/* formulas with no saved value, last scan */
	struct fp_sheet_looks looks;	/* with wb->keep_looks */
	size_t capcells, caprows, capformulas;
};

/* How a number format shows a number. */
enum fp_fmt_class {
	FP_FMT_NUMBER = 0,
	FP_FMT_DATE,
	FP_FMT_DATETIME,
	FP_FMT_TIME,
	FP_FMT_ELAPSED,		/* [h]:mm:ss, [mm]:ss: a duration */
};

struct fp_format {
	char *code;		/* NULL if the key is not defined */
	uint8_t cls;		/* enum fp_fmt_class */
	uint8_t percent;	/* the code shows the number times 100, with % */
	uint8_t words;		/* it may write words around the number */
	int8_t scale[2];	/* it shows a number, a negative one, over 10^ */
	uint8_t pad;		/* the digits it pads an integer to, or 0 */
};

struct fp_workbook {
	const struct fp_backend *be;
	void *priv;
	char kind[32];
	int date1904;
	struct fp_sheet *sheets;
	size_t nsheets, capsheets;
	struct fp_format *formats;	/* indexed by format key */
	size_t nformats;
	unsigned char *map;		/* the file's bytes, owned here */
	size_t mapsize;
	int mapped;			/* 1 if map is an mmap, 0 if malloc */
	int keep_looks;			/* gather each sheet's looks when scanned */
	fp_formula_fn formula;		/* NULL if the reader keeps no tokens */
	struct fp_font *fonts;		/* looks: fonts, cell formats, palette */
	size_t nfonts, capfonts;
	struct fp_xf *xfs;
	size_t nxfs, capxfs;
	uint32_t palette[56];		/* RGB of colours 8 to 63 the file
					   sets, with bit 24 set */
	struct fp_defname *names;
	size_t nnames, capnames;
	unsigned lost[FP_LOST_KINDS];	/* workbook-wide: macros, chart sheets */
	int summary;			/* one formpipe merge wrote */
	/* The copies of the sheets together, and their text (FP_MAX_COPIES). */
	uint64_t copies, copytext;
	uint64_t text;			/* the sheets' text together */
};

/*
 * The most cells a workbook's sheets may give together by repetition
 * beyond those the file writes (an .ods row or cell repeated with a
 * value), and the most bytes of text those copies may hold. The count is
 * the workbook's, not a sheet's: a file of many sheets repeating as much
 * as one may gets no more. A sheet scanned again counts afresh.
 */
#define FP_MAX_COPIES 16000000u
#define FP_MAX_COPY_TEXT (256u << 20)

/*
 * Counts cells more copies, with bytes of text, for sheet sh. Returns 1
 * if they take the workbook's sheets together past FP_MAX_COPIES or
 * FP_MAX_COPY_TEXT, else 0.
 */
int fp_wb_add_copies(struct fp_workbook *wb, struct fp_sheet *sh,
    uint64_t cells, uint64_t bytes);

/*
 * Counts len bytes of text a cell of sheet sh gives, as a reader hands
 * it on. Returns 1 if that takes the text of the workbook's cells past
 * FP_MAX_TEXT and FP_MAX_TEXT_RATIO times the file's size (workbook.h);
 * the reader then stops with fp_sheet_too_much_text's message for that
 * cell. BIFF, OOXML and ODS count every text cell; the freexl reader,
 * whose BIFF2 to BIFF4 files hold each cell's text in the cell, does not.
 */
static inline int
fp_sheet_add_text(struct fp_workbook *wb, struct fp_sheet *sh, uint32_t len)
{
	sh->text += len;
	wb->text += len;
	return wb->text > FP_MAX_TEXT &&
	    wb->text / FP_MAX_TEXT_RATIO > wb->mapsize;
}

/* Fills d for the cell (row, col) that fp_sheet_add_text found too much. */
enum fp_err fp_sheet_too_much_text(const struct fp_sheet *sh, uint32_t row,
    uint32_t col, struct fp_diag *d);

/* Appends a sheet; name is copied. Returns it. */
struct fp_sheet *fp_wb_add_sheet(struct fp_workbook *wb, const char *name,
    int hidden);
/* Forgets every format (a BIFF2-4 sheet brings its own). */
void fp_wb_clear_formats(struct fp_workbook *wb);
/* Defines format key as code, classifying it. */
void fp_wb_set_format(struct fp_workbook *wb, uint32_t key, const char *code);
/* The class of format key: a defined code's, else the built-in key's. */
enum fp_fmt_class fp_wb_format_class(const struct fp_workbook *wb,
    uint32_t key);
/* The class of a format code (the same rules as xlrd's, made exact). */
enum fp_fmt_class fp_fmt_classify(const char *code);
/*
 * 1 if a format code may write words around a number: quoted text, an
 * escaped character or one past ASCII outside brackets (fmt_shown.c).
 */
int fp_fmt_has_words(const char *code);
/*
 * How code scales the number x it shows: the power of ten it divides by
 * (#,##0, in thousands; 0!.0000, 元 shown as 万元), and in *pad the
 * digits a code of zeros alone pads an integer to (000000000).
 */
int fp_fmt_scale(const char *code, double x, int *pad);
/* What code shows for x, as fp_workbook_shown says (workbook.h). */
size_t fp_fmt_shown(const char *code, double x, char *buf, size_t size);
/*
 * The cell type a number with a format of class cls and value x gets.
 * A value with a time of day keeps it (datetime) even where the format
 * shows only the date, and one of a day or more under a time-only format
 * keeps its date; under an elapsed-time format it is a time (a duration).
 * A value under 1 is a time, but for a date format in a workbook of the
 * 1904 date system, where 0 is 1904-01-01.
 */
enum fp_cell_type fp_date_type(enum fp_fmt_class cls, double x,
    int date1904);

/* Looks, as a reader finds them. Each returns the new entry. */
struct fp_font *fp_wb_add_font(struct fp_workbook *wb, const char *name);
struct fp_xf *fp_wb_add_xf(struct fp_workbook *wb);
struct fp_defname *fp_wb_add_name(struct fp_workbook *wb, const char *name);
/* Sets palette colour idx (8 to 63) to rgb (PALETTE record). */
void fp_wb_set_color(struct fp_workbook *wb, unsigned idx, uint32_t rgb);
void fp_sheet_add_cellxf(struct fp_sheet *sh, uint32_t row, uint16_t col,
    uint16_t xf);
struct fp_rowinfo *fp_sheet_add_row(struct fp_sheet *sh, uint32_t row);
struct fp_formula *fp_sheet_add_formula(struct fp_sheet *sh);
/* Resets a sheet's looks before a scan gathers them again. */
void fp_sheet_clear_looks(struct fp_sheet *sh);

void fp_sheet_add_merge(struct fp_sheet *sh, uint32_t r1, uint32_t r2,
    uint16_t c1, uint16_t c2);
void fp_sheet_add_width(struct fp_sheet *sh, uint16_t c1, uint16_t c2,
    double width, int hidden);
/* Rows r1 to r2 are hidden (a span after the last one extends it). */
void fp_sheet_hide_rows(struct fp_sheet *sh, uint32_t r1, uint32_t r2);
/*
 * Shows rows r1 to r2 again: rows a filter hides (an autofilter's, a
 * filter saved with the sheet) are the form's rows all the same, only
 * out of view, where rows a user hid are not.
 */
void fp_sheet_show_rows(struct fp_sheet *sh, uint32_t r1, uint32_t r2);

#endif
