/*
 * What mapping_apply.c (one pass of a mapping over a form) gives
 * mapping_table.c (its keyed and list tables), mapping_layout.c (how
 * such a table is laid out beyond a header over it), mapping_stack.c
 * (forms stacked on a sheet, cut into bands), mapping_hidden.c,
 * mapping_header.c (a table's header) and mapping_sheets.c (which
 * sheets are forms), and nothing else includes.
 */
#ifndef FP_MAPPING_APPLY_INT_H
#define FP_MAPPING_APPLY_INT_H

#include "mapping_apply.h"

/* One pass of a mapping over a form, as the pass's parts share it. */
struct apply {
	const struct fp_mapping *m;
	const struct fp_form *form;
	const struct fp_apply_opts *o;
	size_t sheet;			/* the form's sheet */
	size_t lone;			/* + 1: a sheet of its own a table of
					   the form was read on, or 0 */
	struct fp_record *rec;
	struct fp_mapped *out;
	size_t seq;
	int many;			/* several sheets are tried */
	int probe;			/* take values, keep no facts */
	size_t grids;			/* required keyed or list tables found */
	int uncoded;			/* the last value matched none of its codes */
	int listed;			/* the last value was one of its values */
	int lines;			/* the value is lines joined: keep them */
	/*
	 * Forms stacked on a sheet: the row of each one's name (the first
	 * form's, then each later one's with another value), by sheet.
	 */
	struct fp_cut *stacked;
	size_t nstacked, capstacked;
	struct fp_buf tmp, val;
	struct fp_buf stripped;		/* a value without its strip's match */
};

/* The form's year: given by --set, else as read so far; 0 if not known. */
long fp_apply_form_year(struct apply *a);
/* A note on how the form was read: a warning if warn, else for --explain. */
void fp_apply_note(struct apply *a, int warn, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* "SHEET!B4" of a cell, in a buffer that lives until the next call. */
const char *fp_apply_ref(struct apply *a, const struct fp_fsheet *s,
    const struct fp_fcell *c);
/* Row r of a sheet as a person counts it (a band's rows are the sheet's). */
uint32_t fp_apply_row_no(const struct fp_fsheet *s, uint32_t r);
/* The labels of ls as 'A' or 'B', for notes, into b. */
const char *fp_apply_labels_text(struct fp_buf *b, const struct fp_labels *ls);
/* 1 if the cell's label, or its label without a note, is one of ls. */
int fp_apply_cell_matches(const struct fp_labels *ls,
    const struct fp_fcell *c);
/* 1 if the cell holds a label the mapping knows. */
int fp_apply_cell_is_known(const struct fp_mapping *m,
    const struct fp_fcell *c);
/* The cell of row r with a label the mapping knows, or NULL. */
const struct fp_fcell *fp_apply_known_in_row(const struct fp_mapping *m,
    const struct fp_fsheet *s, uint32_t r);
/* 1 if row r starts with a known label and its value after a colon. */
int fp_apply_row_starts_with_pair(const struct fp_mapping *m,
    const struct fp_fsheet *s, uint32_t r);
int fp_apply_row_is_blank(const struct fp_fsheet *s, uint32_t r);
/* 1 if a cell of row r holds a label the mapping knows. */
int fp_apply_row_is_known(const struct fp_mapping *m,
    const struct fp_fsheet *s, uint32_t r);
/* 1 if row r is the labels again in English (Unit | Total income). */
int fp_apply_row_in_english(const struct fp_fsheet *s, uint32_t r);
/* The first cell, in row order, with one of the labels, or NULL. */
const struct fp_fcell *fp_apply_find_first(const struct fp_fsheet *s,
    const struct fp_labels *ls);
/* The same, by the label before a colon too (名称：X). */
const struct fp_fcell *fp_apply_find_label(const struct fp_fsheet *s,
    const struct fp_labels *ls);
/* The next sheet a table may be on (any: every sheet), in *si; 0 at the end. */
int fp_apply_next_sheet(const struct apply *a, int any, size_t *o,
    size_t *si);
/*
 * Normalises a value by field f's type into a->val (mapping_value.c):
 * 0 if there is none (a placeholder the mapping declares). a->listed
 * says whether it was one of the field's values or codes, a->uncoded
 * whether a code field's codes knew none of it.
 */
int fp_apply_field_value(struct apply *a, const struct fp_field *f,
    const struct fp_value *v, int exp);
/* Takes cell c's value as field f of row row; 1 if it gave a fact. */
int fp_apply_take_cell(struct apply *a, const struct fp_table *t,
    const struct fp_field *f, const char *row, const struct fp_fsheet *s,
    const struct fp_fcell *c, uint32_t pos, int exp);
/*
 * Takes as field f of row row the choice ticked in row r's cells of
 * columns lo..hi, each column named by names[c] (确定能 | 有可能 |
 * 完全不可能 under 全年预计完成情况, a √ under one), cited at the ticked
 * cell; 1 if it gave a fact. Several ticked are kept as the line of
 * choices they make.
 */
int fp_apply_take_choices(struct apply *a, const struct fp_table *t,
    const struct fp_field *f, const char *row, const struct fp_fsheet *s,
    uint32_t r, uint32_t lo, uint32_t hi,
    const struct fp_fcell *const *names);
/* --explain's note of where a money field's unit, not 万元, came from. */
void fp_apply_unit_note(struct apply *a, const struct fp_table *t,
    const struct fp_field *f, const struct fp_fsheet *s,
    const struct fp_fcell *u);
/*
 * 1 if cell c names a column labelled one of ls, "其中：X" as X where 其中
 * is one of t's skip words (mapping_header.c).
 */
int fp_apply_names_column(const struct fp_table *t, const struct fp_fcell *c,
    const struct fp_labels *ls);
/* Finds and reads a keyed or list table (mapping_table.c). */
void fp_apply_grid(struct apply *a, const struct fp_table *t);
/* 1 if a key cell is one of the keyed table's row codes (mapping_table.c). */
int fp_apply_is_row_code(const struct fp_table *t, const struct fp_fcell *kc);
/*
 * 1 if row r, under table t's header, is past its rows: it holds a label
 * the mapping knows and none of t's row codes (t NULL: none is), as what
 * the form says under the table does (联系电话, 年度总体目标).
 */
int fp_apply_past_rows(const struct fp_mapping *m, const struct fp_table *t,
    const struct fp_fsheet *s, uint32_t r);

/* mapping_layout.c: how a table is laid out beyond a header over it. */
/* 1 if cell c is one of the codes of code field f (of any, f NULL). */
int fp_apply_is_code_of(const struct fp_table *t, const struct fp_field *f,
    const struct fp_fcell *c);
/* The range merged across columns from (r, c), r in rows lo..hi - 1; or NULL. */
const struct fp_range *fp_apply_wide_merge(const struct fp_fsheet *s,
    uint32_t lo, uint32_t hi, uint32_t c);
/*
 * 1 if row D, under header rows R..D - 1, names a code column's choices
 * a cell each, under a header cell merged across them.
 */
int fp_apply_row_of_choices(const struct fp_table *t,
    const struct fp_fsheet *s, uint32_t R, uint32_t D);
/* 1 if a cell of row r in columns lo..hi holds a tick. */
int fp_apply_choice_ticked(const struct fp_fsheet *s, uint32_t r,
    uint32_t lo, uint32_t hi);
/*
 * 1 if the table at anchor is written across, its columns' names down
 * the anchor's column; *top..*bot are then the rows of the block.
 */
int fp_apply_written_across(const struct fp_table *t,
    const struct fp_fsheet *s, const struct fp_fcell *anchor, uint32_t *top,
    uint32_t *bot);

/*
 * mapping_keyparts.c: a key written in parts, a column each (类 | 款 | 项
 * under 科目编码 merged across them).
 */
struct fp_keyparts {
	uint32_t lo, hi;	/* its columns; none where hi <= lo */
	char **last;		/* each part as the rows above wrote it */
	unsigned *width;	/* each column's widest part written as text */
};
/*
 * 1 if a header cell of rows R..D - 1 labelled as the table's key is
 * merged across columns (at most eight) each named under it: *kp is
 * then those columns, for fp_keyparts_release.
 */
int fp_keyparts_find(const struct fp_mapping *m, const struct fp_table *t,
    const struct fp_fsheet *s, uint32_t R, uint32_t D, struct fp_keyparts *kp);
/*
 * 1 if row D names the parts under such a header cell of rows R..D - 1:
 * none of its cells is a row code, and a row under it writes digits or
 * the header's other columns are merged down into it.
 */
int fp_keyparts_row(const struct fp_table *t, const struct fp_fsheet *s,
    uint32_t R, uint32_t D);
/*
 * Row r's key, for the caller to free: its parts' digits written
 * together (a part typed as a number as wide as its column's), a blank
 * part left of a written one the rows above's; *first its first written
 * part cell. NULL where no part is written, or one is not digits (合计
 * over them). Rows are given in order, top down.
 */
char *fp_keyparts_key(struct fp_keyparts *kp, const struct fp_fsheet *s,
    uint32_t r, const struct fp_fcell **first);
/* Frees what fp_keyparts_find gave *kp. */
void fp_keyparts_release(struct fp_keyparts *kp);

/*
 * mapping_header.c: a keyed or list table's header, rows top to end
 * (exclusive) of its sheet, and what names each of its columns.
 */
struct fp_column {
	const struct fp_fcell *name;	/* the lowest label over it */
	const struct fp_fcell *more;	/* the rest of its name, under it */
	int claimed;
	int claimed_code;		/* by a code column */
};
struct fp_header {
	const struct fp_fsheet *s;
	uint32_t top, end;
	struct fp_column *cols;		/* ncols of them; borrowed cells */
	uint32_t ncols;
	long year;			/* the form's, 0 if not known */
};
/* Reads the header of a table from its label's cell, for fp_header_release. */
void fp_header_read(const struct fp_table *t, const struct fp_fsheet *s,
    const struct fp_fcell *anchor, struct fp_header *h);
void fp_header_release(struct fp_header *h);
/*
 * A keyed table's key column, or -1: headed by its key where that holds
 * names or codes, the nearest at or left of column at (the table's
 * label's); in parts (*kp, for fp_keyparts_release); else where its rows'
 * codes are. *unnamed is 1 where the table has a key label and no cell
 * of the header carries it.
 */
int64_t fp_header_key_column(const struct fp_mapping *m,
    const struct fp_table *t, struct fp_header *h, uint32_t at,
    struct fp_keyparts *kp, int *unnamed);
/*
 * The columns *lo..*hi of a two-sided table's half that key column
 * keycol is in (all where the table has one side).
 */
void fp_header_half(const struct fp_header *h, int64_t keycol, uint32_t *lo,
    uint32_t *hi);
/*
 * Field f's column, or -1, looked for from column from on (a keyed
 * table's key column) and then from the left; claimed, so that no later
 * field takes it. Of columns named alike, one under a group naming
 * another year than h->year (2022年（上年数）) gives way to one under a
 * group naming this year (2023年（本年数）, 本年): *passed set to it,
 * else -1.
 */
int64_t fp_header_field_column(const struct fp_table *t, struct fp_header *h,
    const struct fp_field *f, uint32_t from, int64_t *passed);
/*
 * 1 if column c stands under a group of the header naming another year
 * than h->year (or 上年); naming it (or 本年, 当年).
 */
int fp_header_other_year(const struct fp_header *h, int64_t c);
int fp_header_this_year(const struct fp_header *h, int64_t c);
/* 1 if code field f's choices are a column each, *lo..*hi, a tick in one. */
int fp_header_choices(const struct fp_table *t, const struct fp_field *f,
    const struct fp_header *h, uint32_t *lo, uint32_t *hi);
/* The cell stating the unit of column col's amounts, or NULL (万元). */
const struct fp_fcell *fp_header_unit(const struct fp_mapping *m,
    const struct fp_table *t, const struct fp_header *h, int64_t col);
/*
 * 1 if row r repeats a row of the header, as a table printed over two
 * pages does (col: each field's column).
 */
int fp_header_repeated(const struct fp_table *t, const struct fp_header *h,
    uint32_t r, const int64_t *col);
/* 1 if row r numbers the columns (栏次 | 1 | 2 | 3): it names none. */
int fp_header_numbering_row(const struct fp_table *t,
    const struct fp_fsheet *s, uint32_t r);

/*
 * Maps the form once, as fp_mapping_apply does without cutting; *stacked
 * gets the rows of the names of forms stacked on a sheet (*nstacked of
 * them: each sheet's first form's, then each later one's), for the
 * caller to free.
 */
enum fp_err fp_apply_once(const struct fp_mapping *m,
    const struct fp_form *form, const struct fp_apply_opts *opts,
    struct fp_mapped *out, struct fp_diag *d, struct fp_cut **stacked,
    size_t *nstacked);

/*
 * 1 if row r closes a form above a later one's title: a row of a table
 * (two numbers, or a label of a keyed or list table's header, key, stop
 * or columns) or a footer (填表人：王芳).
 */
int fp_apply_ends_a_form(const struct fp_mapping *m,
    const struct fp_fsheet *s, uint32_t r);

/* Frees a fact's strings. */
void fp_fact_release(struct fp_fact *f);
/* Frees a record's facts and strings. */
void fp_apply_record_release(struct fp_record *rec);

/*
 * The sheets of a workbook that are a mapping's forms (mapping_sheets.c).
 * fp_apply_find_sheets puts in v the indexes of the sheets that may hold
 * forms (the one named or numbered, or each with the form's label) and
 * gives their count; fp_apply_sheet_how says, into b, why there is none.
 * After each was mapped to a record, a->out's records (one per sheet of
 * sheets, in order; a record's notes start at notes_at[i]; grids[i] of
 * its required tables found): fp_apply_drop_unnamed keeps, with `every
 * sheet`, the records that are forms; fp_apply_keep_fullest keeps the one
 * form of several sheets; each passes the others over with a note.
 * fp_apply_unread_sheets warns of each other visible sheet with a table's
 * header but not the form's label. fp_apply_lone_sheet gives the sheet of
 * its own a table the form's sheet has not is on, + 1, or 0 (below).
 */
size_t fp_apply_find_sheets(const struct fp_mapping *m,
    const struct fp_form *form, size_t *v);
const char *fp_apply_sheet_how(const struct fp_mapping *m, struct fp_buf *b);
void fp_apply_drop_unnamed(struct apply *a, const size_t *sheets,
    const size_t *notes_at, const size_t *grids);
void fp_apply_keep_fullest(struct apply *a, const size_t *sheets,
    const size_t *notes_at);
void fp_apply_unread_sheets(struct apply *a, const size_t *sheets, size_t n);
size_t fp_apply_lone_sheet(const struct apply *a);

/*
 * The rows a sheet hides inside a keyed table, told from the table's
 * own total (mapping_hidden.c). Each row's facts, as the table reads
 * them, are given by kind: the total row, a unit row shown, a unit row
 * hidden, or another (a coded row).
 */
enum fp_hidden_kind {
	FP_HROW_OTHER,
	FP_HROW_TOTAL,
	FP_HROW_UNIT,
	FP_HROW_HIDDEN,
};
struct fp_hidden;
struct fp_hidden *fp_hidden_new(const struct fp_table *t);
/* The facts rec->v[from..rec->n) are the row's, of that kind. */
void fp_hidden_row(struct fp_hidden *h, const struct fp_record *rec,
    size_t from, enum fp_hidden_kind kind);
/*
 * 1 if the hidden units are not the table's: for every field the total
 * row has, it is the sum of the units shown (within tol), and for one at
 * least not with the hidden ones. Their facts are then taken out of rec.
 */
int fp_hidden_drop(struct fp_hidden *h, struct fp_record *rec, double tol);
void fp_hidden_free(struct fp_hidden *h);

/*
 * mapping_groups.c: a keyed table's group rows, an outer enumerator's
 * (二、局属二级机构) over inner ones' ((一)第一中学), their subtotal; a
 * unit named 小计 under the units it adds up; and
 * rows no code names under an item one does (其中：上级补助资金 under
 * 当年财政拨款), its breakdown.
 */
struct fp_groups;
/* What a row is to its groups: a unit, an item a code names, another. */
enum fp_grow { FP_GROW_UNIT, FP_GROW_ITEM, FP_GROW_OTHER };
struct fp_groups *fp_groups_new(const struct fp_table *t);
/*
 * The facts rec->v[from..to) are row's, its key cell kc (kind: a unit
 * by its key, an item by one of the table's codes, or the total or a
 * subtotal, never a group). Rows come in order.
 */
void fp_groups_row(struct fp_groups *g, const struct fp_fcell *kc,
    enum fp_grow kind, uint32_t row, size_t from, size_t to);
/* What fp_groups_drop took out: how many of each, the sheet row of the first. */
struct fp_groups_said {
	size_t groups, subs, parts;
	uint32_t group1, sub1, part1;
};
/*
 * Takes out of rec the facts of each group row whose amounts are the sum
 * of its inner rows' (within tol); of each unit named 小计 whose amounts
 * are the sum of units right above it; and of each item's breakdown: the
 * units under it, the first starting 其中, whose amounts (money, in a
 * table with money) add up to its own, one not 0 (said->parts counts the
 * items, part1 is the first item's row). Returns how many rows went.
 */
size_t fp_groups_drop(struct fp_groups *g, struct fp_record *rec, double tol,
    struct fp_groups_said *said);
void fp_groups_free(struct fp_groups *g);
/*
 * A row code may name a code column in braces (row {level1}_sub 小计 =
 * 小计): the key of a row it codes is the code that column gives the
 * row, else the last one it gave a row above (the group the subtotal
 * closes). fp_groups_last keeps, in last (one a field of t, freed by the
 * caller), each code column's last code from the row's facts from from
 * on; fp_groups_key makes the key of template tmpl, for the caller to
 * free.
 */
void fp_groups_last(const struct fp_table *t, const struct fp_record *rec,
    size_t from, char **last);
char *fp_groups_key(const struct fp_table *t, const char *tmpl,
    const struct fp_record *rec, size_t from, char *const *last);

#endif
