/*
 * The mapping language: a plain-text description of a form (which sheet,
 * which labels, tables and columns, field names and types, row codes,
 * code lists, value aliases and placeholders, the record that tells forms
 * apart, the rules check applies with their messages, and the labels of
 * the summary workbook). mappings/README.md is the language's manual.
 *
 * The parsed mapping is plain data: mapping_parse.c (over the tokens of
 * mapping_lex.c) fills it and mapping_check.c completes and checks it;
 * mapping_apply.c turns a form into facts with it (mapping_stack.c cutting
 * a sheet of stacked forms into bands), rules.c checks facts
 * with it, summary.c lays out the summary workbook from it.
 */
#ifndef FP_MAPPING_H
#define FP_MAPPING_H

#include "utf8re.h"
#include <stddef.h>

#include "expr.h"
#include "util.h"

enum fp_type {
	FP_T_TEXT,
	FP_T_MONEY,
	FP_T_INTEGER,
	FP_T_NUMBER,
	FP_T_SCORE,
	FP_T_PHONE,
	FP_T_DATE,
	FP_T_GRADE,
	FP_T_CODE,
	FP_NTYPES
};

/* The type's name in a mapping ("money"); NULL past the end. */
const char *fp_type_name(enum fp_type t);
/* 1 if facts of the type are numbers (money, integer, number, score). */
int fp_type_numeric(enum fp_type t);

/* Where a field's value sits, from the cell of its label. */
enum fp_way {
	FP_WAY_COLON,		/* the text after a colon in the label's cell */
	FP_WAY_RIGHT,		/* the Nth non-empty cell to the right */
	FP_WAY_LEFT,		/* ... to the left */
	FP_WAY_BELOW,		/* the Nth non-empty cell below */
	FP_WAY_ABOVE,		/* ... above */
	FP_WAY_UNDER,		/* on the label's row, under a column header */
	FP_WAY_PARAGRAPHS,	/* every cell below, joined by line feeds */
};

/* A list of labels in label form; an entry may hold '*' wildcards. */
struct fp_labels {
	char **v;
	size_t n;
};

struct fp_take {
	enum fp_way way;
	unsigned n;			/* right, left, below, above: the Nth */
	struct fp_labels under;		/* under: the column's header */
};

/*
 * A canonical value and the labels that stand for it: a value alias
 * (value), a code (code), or a row code of a keyed table (row, total).
 * display is how the summary workbook and messages show a code.
 */
struct fp_alias {
	char *canon;
	char *display;
	struct fp_labels alts;
};

/* A field of a fields table, or a column of a keyed or list table. */
/* The groups of a field's pattern at most: the value is the first that matched. */
#define FP_PATTERN_GROUPS 63

/* A pattern a field's value is read by, after its first. */
struct fp_pattern {
	char *src;
	regex_t re;
};

struct fp_field {
	char *name;
	enum fp_type type;
	char *cn;			/* its label in messages and the workbook */
	struct fp_labels labels;	/* fields: labels that find it;
					   columns: the header over it */
	int offset;			/* columns: N columns right (or left) */
	struct fp_take *take;		/* fields: where the value is */
	size_t ntake;
	char *pattern;			/* fields: a regular expression instead */
	regex_t re;
	int has_re;
	/*
	 * Fields: the patterns of its later `pattern` lines, each tried on
	 * the sheet where those before it match no cell.
	 */
	struct fp_pattern *more;
	size_t nmore;
	struct fp_alias *values;	/* value aliases */
	size_t nvalues;
	struct fp_alias *codes;		/* code lists */
	size_t ncodes;
	struct fp_labels empty;		/* placeholders that give no fact */
	struct fp_labels after;		/* fields: only below a cell with one */
	struct fp_labels before;	/* fields: only above a cell with one */
	struct fp_labels beneath;	/* fields: only in its column, below */
	struct fp_labels group;		/* columns: under a group with one */
	char *strip;			/* fields: what the value goes without */
	regex_t strip_re;
	int has_strip;
	int fill_down, fill_left;	/* columns of lists */
	int heading;			/* columns: the code of the heading above */
	int any_sheet;			/* fields: look on every sheet */
	int required;			/* say so when the form lacks it */
	int line;
};

enum fp_table_kind {
	FP_TABLE_FIELDS,	/* single facts found by their labels */
	FP_TABLE_KEYED,		/* rows named by a key column */
	FP_TABLE_LIST,		/* numbered rows under a header */
};

struct fp_table {
	char *name;
	enum fp_table_kind kind;
	char *cn;			/* its label: sheet name, messages */
	char *rowlabel;			/* title of the row column (机构, 序号) */
	struct fp_labels header;	/* a label of the (first) header row */
	struct fp_labels key;		/* keyed: the key column's header */
	int key_offset;			/* ... or N columns from it */
	char *strip;			/* keyed: enumerator removed from keys */
	regex_t strip_re;
	int has_strip;
	struct fp_alias *rows;		/* keyed: row codes (total is one) */
	size_t nrows;
	struct fp_labels stop;		/* a row with one of these ends it */
	struct fp_labels omit;		/* a row with one of these is none */
	struct fp_labels skip;		/* header words naming no column */
	struct fp_field *fields;
	size_t nfields;
	char *show;			/* list: the field that shows a row */
	int any_sheet;			/* keyed, list: on any sheet */
	struct fp_labels on_sheet;	/* ... with a cell labelled one */
	char *sheet_name;		/* ... of this name (NULL: any) */
	int nested;			/* keyed: 201 over 20101 over 2010101 */
	int required;
	int line;
};

enum fp_rule_kind {
	FP_RULE_SUM,		/* a field = the sum of others, each row */
	FP_RULE_UNITS,		/* the total row = the sum of the other rows */
	FP_RULE_MIN,		/* facts >= a bound */
	FP_RULE_REQUIRED,	/* facts that must be there */
	FP_RULE_RANGE,		/* facts within [lo, hi] */
	FP_RULE_BAND,		/* a code agrees with a number's band */
	FP_RULE_UNIQUE,		/* a record once per stream */
	FP_RULE_EXPR,		/* an expression compared with another */
	FP_RULE_PATTERN,	/* a fact matches a regular expression */
	FP_RULE_MEETS,		/* a value meets a target as written (≥95%) */
	FP_RULE_LISTED,		/* a value is one of another column's */
	FP_NRULES
};

/* The kind's name in a mapping and in the findings ("sum", "expr"). */
const char *fp_rule_kind_name(enum fp_rule_kind k);

enum fp_severity {
	FP_SEV_ERROR,
	FP_SEV_WARNING,
};

struct fp_band {
	char *code;
	double lo;		/* -HUGE_VAL for the last, open band */
};

/*
 * A condition under a rule (where REF OP VALUE | VALUE ...): the rule is
 * checked on the rows where it holds. A reference to a keyed or list
 * table without a row is read in the row being checked (per_row); any
 * other names one fact of the record.
 */
enum fp_cond_op {
	FP_COND_IS,		/* = : one of the words */
	FP_COND_NOT,		/* != : none of them */
	FP_COND_LT,		/* < <= > >= : against a number */
	FP_COND_LE,
	FP_COND_GT,
	FP_COND_GE,
	FP_COND_MATCH,		/* ~ : matches a regular expression */
	FP_COND_NOMATCH,	/* !~ */
	FP_COND_MEETS,		/* meets REF: the target REF writes (≥95%) */
	FP_COND_MISSES,		/* misses REF */
};

struct fp_cond {
	struct fp_ref ref;
	enum fp_cond_op op;
	char **words;			/* IS, NOT: the values ("" blank) */
	size_t nwords;
	double num;			/* LT .. GE */
	regex_t re;			/* MATCH, NOMATCH */
	int has_re;
	/*
	 * MEETS, MISSES; IS, NOT where by_ref: the one value is a reference
	 * (where payments.fund = funds.name), set by the mapping's checks.
	 */
	struct fp_ref target;
	int by_ref;
	int target_is_key;		/* target is T.row: the row's key */
	/*
	 * Set by the mapping's checks: ref's field is "row", which the table
	 * has no field of: the row's own key (its code, or its key as
	 * written), not a fact.
	 */
	int is_key;
	int per_row;			/* set by the mapping's checks */
	int target_per_row;
	/*
	 * Set by the mapping's checks: a filter's target is read in the row
	 * the rule checks, not in the row the aggregate takes (the fund a
	 * sum of payments is checked against).
	 */
	int target_outer;
	/*
	 * Set by the mapping's checks: read in the rows of a table the rule
	 * does not go through but aggregates, it chooses the rows sum,
	 * count, min and max of that table take.
	 */
	int filters;
	int line;
};

struct fp_rule {
	enum fp_rule_kind kind;
	enum fp_severity severity;
	int line;
	char *message;			/* its own message template, or NULL */
	char *table;			/* sum */
	char *lhs;			/* sum: the total field (row) */
	char **parts;			/* sum: the fields (rows) it adds */
	size_t nparts;
	/*
	 * sum T[ROW] = ROW + ROW ...: lhs and parts are rows of T, added
	 * up in each of its number fields but the except ones.
	 */
	int by_rows;
	struct fp_ref *refs;		/* min, required, range, pattern, units */
	size_t nrefs;
	struct fp_ref *except;		/* min, range, units, sum by rows */
	size_t nexcept;
	double lo, hi;			/* min (lo), range */
	struct fp_ref a, b;		/* band: a the code, b the number;
					   meets: a the value, b the target;
					   listed: a the value, b the list */
	int list_keys;			/* listed: b is T.row, the keys */
	struct fp_band *bands;		/* band */
	size_t nbands;
	char *pattern;			/* pattern */
	char *what;			/* pattern: what a value should be */
	regex_t re;
	int has_re;
	struct fp_expr *left, *right;	/* expr */
	enum fp_cmp cmp;
	double tolerance;		/* expr, sum, units: this rule's */
	struct fp_cond *where;		/* checked where all of these hold */
	size_t nwhere;
};

/*
 * The words of messages: severities, and a template per kind of finding
 * with {placeholders} (mappings/README.md lists them).
 */
enum fp_msg {
	FP_MSG_SUM,
	FP_MSG_UNITS,
	FP_MSG_MIN,
	FP_MSG_REQUIRED,
	FP_MSG_RANGE,
	FP_MSG_BAND,
	FP_MSG_UNIQUE,
	FP_MSG_EXPR,
	FP_MSG_PATTERN,
	FP_MSG_CHOICE,		/* band: a code that is none of the bands */
	FP_MSG_NUMBER,		/* a value a rule needs as a number */
	FP_MSG_DATE,		/* a date field's value that is no date */
	FP_MSG_MEETS,		/* a value that misses its target */
	FP_MSG_LISTED,		/* a value that is none of a column's */
	FP_MSG_ERROR,		/* the word for error */
	FP_MSG_WARNING,		/* the word for warning */
	FP_MSG_BLANK,		/* the word for a blank value */
	FP_NMSGS
};

/* The keyword of a message in the messages section ("sum", "error"). */
const char *fp_msg_name(enum fp_msg k);

/* A column of the summary workbook's overview: a fact and its label. */
struct fp_show {
	struct fp_ref ref;
	char *label;
	int line;
};

/*
 * The findings sheet's columns: severity, dept, year, record (shown
 * when the form has one), table, row, field, message, file, cell.
 */
#define FP_NFINDING_COLS 10

/* How the summary workbook looks (the mapping's workbook section). */
struct fp_book {
	char *title;			/* each sheet's title, a template */
	char *unit;			/* the line under it where money shows */
	char *footer;			/* each page's footer */
	struct fp_ref *order;		/* records in the order of these facts */
	size_t norder;
	int order_line;
	char *link_label;		/* the text of a link to findings */
	char *overview;			/* the overview sheet's name */
	char *total_label;		/* its last row's label */
	struct fp_show *show;		/* its columns */
	size_t nshow;
	char *errors_label;		/* columns counting findings */
	char *warnings_label;
	char *dept_label;		/* table sheets' first columns */
	char *year_label;
	char *record_label;
	char *findings;			/* the findings sheet's name */
	char *finding_labels[FP_NFINDING_COLS];	/* its columns */
	struct fp_ref chart;		/* a bar chart of this fact by record */
	char *chart_title;
	int has_chart;
	int chart_line;
	char *money_format;		/* number formats */
	char *number_format;
	char *date_format;
};

/* How the form's sheet is found. */
enum fp_sheet_by {
	FP_SHEET_CONTAINING,	/* the first sheet with one of the labels */
	FP_SHEET_NAMED,
	FP_SHEET_NUMBER,
};

struct fp_mapping {
	char *path;
	char *name;			/* the form's short name, facts' form */
	char *title;			/* its title */
	enum fp_sheet_by sheet_by;
	struct fp_labels sheet_labels;
	char *sheet_name;
	int sheet_number;		/* from 1 */
	int every_sheet;		/* each sheet that matches is a form */
	/* A sheet so named or headed continues the form's sheet before it. */
	struct fp_labels continued;
	struct fp_ref dept, year, record; /* the facts naming them */
	double tolerance;
	struct fp_labels empty[FP_NTYPES]; /* placeholders by type */
	struct fp_table *tables;
	size_t ntables;
	struct fp_rule *rules;
	size_t nrules;
	char *msgs[FP_NMSGS];
	struct fp_book book;
	/* Every label that marks a place on the form, for stopping at. */
	struct fp_labels known;
	char **known_hash;		/* open-addressing set of exact labels */
	size_t nknown_hash;
	struct fp_labels known_globs;	/* the known labels with a '*' */
};

/*
 * Reads the mapping at path. On failure returns FP_EMAPPING with d
 * holding "PATH:LINE: what is wrong" (or "PATH: ..." for a file that
 * cannot be read). The caller frees the result with fp_mapping_free.
 */
enum fp_err fp_mapping_load(const char *path, struct fp_mapping **out,
    struct fp_diag *d);
/*
 * The same from n bytes of text in memory; name stands for the path in
 * messages.
 */
enum fp_err fp_mapping_parse(const char *name, const char *text, size_t n,
    struct fp_mapping **out, struct fp_diag *d);
void fp_mapping_free(struct fp_mapping *m);

/* The table and field of these names, or NULL. */
const struct fp_table *fp_mapping_table(const struct fp_mapping *m,
    const char *name);
const struct fp_field *fp_table_field(const struct fp_table *t,
    const char *name);
/* 1 if table t has a money field. */
int fp_table_has_money(const struct fp_table *t);
/*
 * 1 if a rule that adds table t's number fields (units T, sum T[ROW])
 * adds field f: money, integer, number or score, and not after except.
 */
int fp_rule_adds(const struct fp_rule *r, const struct fp_table *t,
    const struct fp_field *f);
/*
 * How a value of field f shows in messages and the workbook: a code by
 * its SHOWN word (no as 否), any other value as it is. f may be NULL.
 */
const char *fp_field_shown(const struct fp_field *f, const char *value);
/* The field a reference names, or NULL (for "*" or an unknown name). */
const struct fp_field *fp_mapping_ref_field(const struct fp_mapping *m,
    const struct fp_ref *r);
/*
 * How messages and the summary workbook show a row key of table t: a
 * row code's display label ("total" as 局机关及二级机构汇总), else the
 * key itself. Never NULL.
 */
const char *fp_table_row_label(const struct fp_table *t, const char *row);
/*
 * The same, and a row a code with a {FIELD} makes by that field's code's
 * label and the code's SHOWN (provincial_sub of `row {level}_sub 小计`:
 * 省级资金 小计), written into b. Never NULL; lives as long as t and b.
 */
const char *fp_table_row_shown(const struct fp_table *t, const char *row,
    struct fp_buf *b);

/* 1 if label (in label form) is one of ls, '*' standing for any run. */
int fp_labels_match(const struct fp_labels *ls, const char *label);

/*
 * The language's fixed names: a keyed table's summary row is keyed
 * "total", and without dept and year statements the fields named "dept"
 * and "year" give every fact its dept and year.
 */
#define FP_ROW_TOTAL "total"
#define FP_FIELD_DEPT "dept"
#define FP_FIELD_YEAR "year"

#endif
