/*
 * A filled form as the mapping sees it: its sheets, each a grid of cells
 * in row order with the label form of every text cell, and an index from
 * labels to the cells that carry them. Built from a workbook, or from a
 * cell stream (formpipe read --cells) read back from CSV.
 */
#ifndef FP_FORM_H
#define FP_FORM_H

#include <stddef.h>
#include <stdint.h>

#include "normalize.h"
#include "util.h"
#include "workbook.h"

struct fp_fcell {
	uint32_t row;
	uint32_t col;
	uint8_t type;		/* enum fp_cell_type */
	uint8_t percent;	/* shown as a percentage: 1 + its decimals */
	uint8_t unit_kind;	/* how it states a unit of amounts (FP_UNIT_*) */
	int8_t unit_exp;	/* that unit's power of ten in 万元 */
	/*
	 * A number's format shows it over 10^scale (0!.0000: 4180000 as
	 * 418.0000); pad, the digits it pads an integer to (000000000).
	 */
	int8_t scale;
	uint8_t pad;
	double num;		/* numbers and date serials */
	char *text;		/* text as written; other types rendered */
	size_t len;
	char *label;		/* label form of the whole text */
	/*
	 * A number's: label form of what its number format shows where it
	 * writes words around it (（2022年度）), else NULL.
	 */
	char *shown;
	char *prefix;		/* label form of the text before a colon */
	char *after;		/* the text after that colon, NULL if none */
	int spaced;		/* that "colon" is two spaces or more */
	/*
	 * The label and the prefix without a trailing note in brackets
	 * ("人员编制(人)" is found as 人员编制 too), NULL if there is none.
	 */
	char *base;
	char *pbase;
	size_t next[4];		/* next cell with the same key of each kind */
};

/* The keys a cell is found by: FP_KEY_PREFIX and FP_KEY_PBASE are colon ones. */
enum fp_key {
	FP_KEY_LABEL = 0,
	FP_KEY_PREFIX = 1,
	FP_KEY_BASE = 2,
	FP_KEY_PBASE = 3,
};

/*
 * A further "label：value" pair in the text after a cell's colon (填表人：
 * 周敏　　联系电话：0730-5456789　　填报日期：2024年3月12日): the words
 * before each later colon, back to the white space before them. Whether
 * a pair is one is the mapping's to say, by knowing its label.
 */
struct fp_fpart {
	size_t cell;		/* the cell it is in */
	const char *label;	/* label form of the words before its colon */
	const char *wide;	/* of them back to a wide gap (联 系 电 话), or NULL */
	size_t at, wide_at;	/* where label and wide start in the cell's after */
	size_t value;		/* where its value starts in the cell's after */
};

/* A pair's label or wide label, and the pair (an index into parts). */
struct fp_partkey {
	const char *label;
	size_t part;
};

/*
 * Rows of another sheet joined below a sheet's own (fp_form_join): from
 * row from on, they are sheet name's rows from its row base on.
 */
struct fp_join {
	uint32_t from;
	uint32_t base;
	char *name;
};

struct fp_fsheet {
	char *name;
	int hidden;		/* the workbook hides it */
	int band;		/* a band of a cut sheet: that sheet's number + 1 */
	uint32_t row_base;	/* a band: the sheet's row its row 0 is */
	/*
	 * A block read across (fp_form_transpose): its row r, column c is
	 * the sheet's row row_base + c, column r.
	 */
	int transposed;
	struct fp_join *joins;		/* sheets continuing it, rows rising */
	size_t njoins;
	struct fp_range *merges;	/* its merged ranges */
	size_t nmerges;
	struct fp_rowspan *hidden_rows;	/* the rows it hides, as read */
	size_t nhidden_rows;
	uint8_t *row_hidden;	/* by fp_form_seal: nrows flags, or NULL */
	/* The columns it hides, first to last column as r1 to r2. */
	struct fp_rowspan *hidden_cols;
	size_t nhidden_cols;
	uint8_t *col_hidden;	/* by fp_form_seal: ncol_flags flags, or NULL */
	uint32_t ncol_flags;
	struct fp_fcell *cells;
	size_t ncells, cap;
	uint32_t nrows;
	size_t *rowstart;	/* nrows + 1 offsets into cells */
	/*
	 * unit_from[r]: the cell whose unit holds for what starts at row r
	 * (an index into cells), SIZE_MAX if none: the last above it that is
	 * a 单位：元 cell, or a title alone in its row with a unit in
	 * brackets (年度收入情况（元）). nrows + 1 of them.
	 */
	size_t *unit_from;
	struct fp_fpart *parts;	/* by cell, then place in it */
	size_t nparts, partcap;
	struct fp_partkey *part_keys;	/* the pairs by label, then place */
	size_t npart_keys;
	/* Open-addressing index from the cells' keys to the cells. */
	size_t *slots;
	size_t nslots;
};

struct fp_form {
	struct fp_fsheet *sheets;
	size_t nsheets, cap;
	/* The sheets by name, for a cell stream: index + 1, 0 free. */
	size_t *byname, mask, nindexed;
	int date1904;
	struct fp_arena strings;	/* the cells' strings */
	struct fp_buf scratch;		/* label forms as they are made */
};

/*
 * The most cells a workbook's sheets hold together for a form: a form has
 * hundreds, a ledger a million; past this, memory would run out first.
 */
#define FP_FORM_MAX_CELLS 4000000

/*
 * Reads every sheet of wb into a new form. Returns NULL with d filled if
 * a sheet cannot be read.
 */
struct fp_form *fp_form_from_workbook(struct fp_workbook *wb, struct fp_diag *d);

/* An empty form, to be filled with fp_form_add and sealed with fp_form_seal. */
struct fp_form *fp_form_new(void);
/*
 * Adds a cell to the named sheet (created at the end if new). type is a
 * cell type; text is the value as the cell stream prints it. Returns the
 * sheet's index.
 */
size_t fp_form_add(struct fp_form *f, const char *sheet, uint32_t row,
    uint32_t col, enum fp_cell_type type, const char *text, size_t len);
/* Sorts the cells and builds the indexes; call once after adding. */
void fp_form_seal(struct fp_form *f);
void fp_form_free(struct fp_form *f);

/* Where a sheet is cut: the rows from row on go to the next band. */
struct fp_cut {
	size_t sheet;
	uint32_t row;
};

/*
 * A copy of src in which each sheet named in cuts (by sheet, then row,
 * rows rising) is cut into bands, sheets of its name one after another,
 * each holding its rows from one cut to the next (counted from its first,
 * row_base saying where that is on the sheet, so cells are cited where
 * they are): forms stacked on one sheet, each read as a sheet of its own.
 * The copy's cells keep src's strings: src must outlive it.
 */
struct fp_form *fp_form_cut(const struct fp_form *src,
    const struct fp_cut *cuts, size_t n);

/*
 * A copy of src in which each sheet i with to[i] != SIZE_MAX is no sheet
 * of its own but goes on below sheet to[i] (to[i] < i), after its last
 * row and any sheet joined there before, its first skip[i] rows (its
 * heading) left out: a form continued on sheets of its own (续表), read
 * as one sheet. Cells are cited where they are. The copy's cells keep
 * src's strings: src must outlive it.
 */
struct fp_form *fp_form_join(const struct fp_form *src, const size_t *to,
    const uint32_t *skip);

/*
 * The sheet and row (from 0) that row r of s is on: a band's, a joined
 * sheet's, its own.
 */
uint32_t fp_fsheet_place(const struct fp_fsheet *s, uint32_t r,
    const char **name);

/*
 * A form of one sheet: rows top..bot of sheet si of src read across, its
 * columns as rows (a table whose columns' names stand down its side,
 * 年初预算数 over 全年预算数, with its rows' keys across the top). Its
 * cells are cited where they are on src's sheet. The copy's cells keep
 * src's strings: src must outlive it.
 */
struct fp_form *fp_form_transpose(const struct fp_form *src, size_t si,
    uint32_t top, uint32_t bot);

/*
 * The length of an enumerator at the start of label (fp_norm_label's
 * form): 1、 2. 3) (4) 一、 (二) ① before more words; 0 if there is none
 * (1.5 is a number, not an enumerator).
 */
size_t fp_label_enumerator(const char *label);

/* 1 if the sheet hides row r. */
int fp_fsheet_row_hidden(const struct fp_fsheet *s, uint32_t r);
/* 1 if the sheet hides column c. */
int fp_fsheet_col_hidden(const struct fp_fsheet *s, uint32_t c);
/* The cell at (row, col) of a sheet, or NULL. */
const struct fp_fcell *fp_fsheet_at(const struct fp_fsheet *s, uint32_t row,
    uint32_t col);
/* The pairs whose label or wide label is label: *n of them, in place order. */
const struct fp_partkey *fp_fsheet_find_parts(const struct fp_fsheet *s,
    const char *label, size_t *n);
/* The pairs in cell i's text after its colon: *n of them, or NULL. */
const struct fp_fpart *fp_fsheet_parts(const struct fp_fsheet *s, size_t i,
    size_t *n);
/* A cell's key of a kind, or NULL. */
const char *fp_fcell_key(const struct fp_fcell *c, enum fp_key kind);
/*
 * The first cell (row order) whose key of this kind equals label; NULL if
 * none. *idx identifies the cell and the kind, for fp_fsheet_next.
 */
const struct fp_fcell *fp_fsheet_find(const struct fp_fsheet *s,
    const char *label, enum fp_key kind, size_t *idx);
/* The next cell after idx with the same key, or NULL. */
const struct fp_fcell *fp_fsheet_next(const struct fp_fsheet *s, size_t *idx);

/* The value of a cell as normalisers take it. */
void fp_fcell_value(const struct fp_fcell *c, int date1904,
    struct fp_value *v);

/* "SHEET!B13" for a cell, into b. */
void fp_fcell_ref(struct fp_buf *b, const struct fp_fsheet *s,
    const struct fp_fcell *c);

#endif
