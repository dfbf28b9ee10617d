/*
 * The mapping language: a plain-text description of a form (which sheet,
 * which labels, tables and columns, field names and types, code lists,
 * value aliases, the Chinese labels of the summary workbook, and the
 * rules check applies). fp_mapping_load parses one; fp_mapping_apply
 * turns a filled form into canonical facts with it. mappings/README.md
 * is the language's manual.
 *
 * The parsed mapping is plain data, read by rules.c and xlsx.c too.
 */
#ifndef FP_MAPPING_H
#define FP_MAPPING_H

#include <regex.h>
#include <stddef.h>

#include "form.h"
#include "util.h"

enum fp_type {
	FP_T_TEXT,
	FP_T_MONEY,
	FP_T_INTEGER,
	FP_T_SCORE,
	FP_T_PHONE,
	FP_T_DATE,
	FP_T_GRADE,
	FP_T_CODE,
};

enum fp_take {
	FP_TAKE_COLON,		/* the text after a colon in the label's cell */
	FP_TAKE_RIGHT,		/* the next non-empty cell to the right */
	FP_TAKE_BELOW,		/* the next non-empty cell below */
	FP_TAKE_PARAGRAPHS,	/* every cell below, joined by line feeds */
};

/* A list of labels in label form; an entry may hold '*' wildcards. */
struct fp_labels {
	char **v;
	size_t n;
};

/* A canonical value and the labels that stand for it (value or code). */
struct fp_alias {
	char *canon;
	char *display;		/* code: how the summary workbook shows it */
	struct fp_labels alts;
};

/* A field of a fields table, or a column of a keyed or list table. */
struct fp_field {
	char *name;
	enum fp_type type;
	char *cn;			/* its label in the summary workbook */
	struct fp_labels labels;	/* labels that find it */
	enum fp_take take[4];
	size_t ntake;
	char *pattern;			/* fields: a regular expression instead */
	regex_t re;
	int has_re;
	struct fp_alias *values;	/* grade and text: value aliases */
	size_t nvalues;
	struct fp_alias *codes;		/* code: code lists */
	size_t ncodes;
	int at_offset;			/* list: column = header label + offset */
	int fill_down, fill_left;
	int any_sheet;
	int line;
};

enum fp_table_kind {
	FP_TABLE_FIELDS,	/* single facts found by their labels */
	FP_TABLE_KEYED,		/* unit rows by money columns */
	FP_TABLE_LIST,		/* numbered rows under a header */
};

struct fp_table {
	char *name;
	enum fp_table_kind kind;
	char *cn;			/* sheet name in the summary workbook */
	char *rowlabel;			/* column title for the row (机构, 序号) */
	struct fp_labels header;	/* a label of the header row */
	struct fp_labels key;		/* keyed: the key column's header */
	char *strip;			/* keyed: enumerator removed from keys */
	regex_t strip_re;
	int has_strip;
	struct fp_labels total;		/* keyed: the summary row's key */
	struct fp_labels stop;		/* a row with one of these ends it */
	struct fp_labels skip;		/* keyed: header words naming no column */
	struct fp_field *fields;
	size_t nfields;
	int line;
};

/* A reference to facts: table, row (NULL for any), field ("*" for all). */
struct fp_ref {
	char *table;
	char *row;
	char *field;
};

enum fp_rule_kind {
	FP_RULE_SUM,		/* a field = the sum of others, each row */
	FP_RULE_UNITS,		/* the total row = the sum of the unit rows */
	FP_RULE_MIN,		/* facts >= a bound */
	FP_RULE_REQUIRED,	/* facts that must be there */
	FP_RULE_RANGE,		/* facts within [lo, hi] */
	FP_RULE_BAND,		/* a code agrees with a number's band */
	FP_RULE_UNIQUE,		/* a dept and year once per stream */
	FP_RULE_COMPARE,	/* one fact <=, <, >=, > or = another */
	FP_RULE_PATTERN,	/* a fact matches a regular expression */
};

enum fp_severity {
	FP_SEV_ERROR,
	FP_SEV_WARNING,
};

struct fp_band {
	char *code;
	double lo;		/* -HUGE_VAL for the last, open band */
};

struct fp_rule {
	enum fp_rule_kind kind;
	enum fp_severity severity;
	int line;
	char *table;			/* sum */
	char *lhs;			/* sum: the total field */
	char **parts;			/* sum: the fields it is the sum of */
	size_t nparts;
	char **tables;			/* units */
	size_t ntables;
	struct fp_ref *refs;		/* min, required, range, pattern */
	size_t nrefs;
	struct fp_ref *except;		/* min */
	size_t nexcept;
	double lo, hi;			/* min (lo), range */
	struct fp_ref a, b;		/* compare; band: a the code, b the number */
	char op[3];			/* compare: "<=", "<", ">=", ">", "=" */
	struct fp_band *bands;		/* band */
	size_t nbands;
	char *pattern;			/* pattern */
	char *what;			/* pattern: what a value should be */
	regex_t re;
	int has_re;
};

/* A column of the summary workbook's overview: a fact and its label. */
struct fp_show {
	struct fp_ref ref;
	char *label;
	int line;
};

/* How the summary workbook looks (the mapping's workbook section). */
struct fp_book {
	char *overview;			/* the overview sheet's name */
	char *total_label;		/* its last row's label */
	struct fp_show *show;		/* its columns */
	size_t nshow;
	char *errors_label;		/* columns counting findings */
	char *warnings_label;
	char *dept_label;		/* table sheets' first columns */
	char *year_label;
	char *findings;			/* the findings sheet's name */
	char *finding_labels[9];	/* its columns */
	struct fp_ref chart;		/* a bar chart of this fact by department */
	char *chart_title;
	int has_chart;
	int chart_line;
	char *money_format;		/* number formats */
	char *number_format;
	char *date_format;
};

struct fp_mapping {
	char *path;
	char *name;			/* the form's short name */
	char *title;			/* its title */
	struct fp_labels sheet_labels;	/* the form is on the first sheet with one */
	char *sheet_name;		/* ... or the sheet of this name */
	int sheet_number;		/* ... or at this position (from 1) */
	double tolerance;
	struct fp_table *tables;
	size_t ntables;
	struct fp_rule *rules;
	size_t nrules;
	struct fp_book book;
	/* Every label that marks a place on the form, for stopping at. */
	struct fp_labels known;
	char **known_hash;		/* open-addressing set of exact labels */
	size_t nknown_hash;
};

/*
 * Reads the mapping at path. On failure returns an error with d holding
 * "PATH:LINE: what is wrong" (or "PATH: ..." for a file that cannot be
 * read). The caller frees the result with fp_mapping_free.
 */
enum fp_err fp_mapping_load(const char *path, struct fp_mapping **out,
    struct fp_diag *d);
/* The same from text in memory; name stands for the path in messages. */
enum fp_err fp_mapping_parse(const char *name, const char *text,
    struct fp_mapping **out, struct fp_diag *d);
void fp_mapping_free(struct fp_mapping *m);

/* The table and field of these names, or NULL. */
const struct fp_table *fp_mapping_table(const struct fp_mapping *m,
    const char *name);
const struct fp_field *fp_table_field(const struct fp_table *t,
    const char *name);

/* One canonical fact. */
struct fp_fact {
	char *table;
	char *row;
	char *field;
	char *value;
	char *source;
	/* Where it sits on the form, for putting facts in form order. */
	size_t sheet;
	uint32_t pos;
	size_t seq;
};

/* A form's facts, with the department and year they belong to. */
struct fp_facts {
	char *dept;
	char *year;
	struct fp_fact *v;
	size_t n, cap;
};

void fp_facts_release(struct fp_facts *f);

/*
 * Maps a form: finds its sheet, every field and table, and fills out with
 * its facts in form order. set_dept and set_year, if not NULL, override
 * what the form says. Returns FP_ENOMATCH with d filled if the form is
 * not this mapping's form (its sheet cannot be found).
 */
enum fp_err fp_mapping_apply(const struct fp_mapping *m,
    const struct fp_form *form, const char *set_dept, const char *set_year,
    struct fp_facts *out, struct fp_diag *d);

/*
 * The language's fixed names: a keyed table's summary row is keyed
 * "total", and the fields named "dept" and "year" (of a fields table)
 * give every fact its dept and year columns.
 */
#define FP_ROW_TOTAL "total"
#define FP_FIELD_DEPT "dept"
#define FP_FIELD_YEAR "year"

/* The canonical CSV header, without its line feed. */
#define FP_CANON_HEADER "dept,year,table,row,field,value,source"

/* Appends one canonical line (with its line feed) to b. */
void fp_fact_line(struct fp_buf *b, const char *dept, const char *year,
    const struct fp_fact *f);

#endif
