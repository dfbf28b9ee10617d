/*
 * What rules.c (a record's facts and the rules over them) gives
 * rules_units.c (the units rule: a total against its rows, a nested
 * table's levels, a list's group subtotals) and rules_expr.c (the
 * expression rule), and nothing else includes.
 */
#ifndef FP_RULES_INT_H
#define FP_RULES_INT_H

#include "rules.h"

struct gfact {
	char *table, *row, *field, *value, *source;
	int nan_said;		/* "not a number" (or date) reported already */
	signed char isnum;	/* value read as a number: 1, not one: -1,
				   not read yet: 0 */
	double num;
};

/* A table's distinct rows in the record, in the order they came. */
struct trows {
	const char *table;
	const char **rows;
	size_t n, cap;
};

struct fp_checker {
	fp_resolve_fn resolve;
	void *rctx;
	fp_finding_fn fn;
	void *ctx;
	fp_record_fn on_record;
	fp_unknown_fn on_unknown;
	char **unknown;			/* "form\037table\037field" said */
	size_t nunknown, capunknown;
	/* The record in hand. */
	const struct fp_mapping *m;
	char *who[5];			/* form, dept, year, record, file */
	struct gfact *f;
	size_t n, cap;
	size_t *slots;			/* facts by table/row/field */
	size_t nslots;
	struct trows *tr;		/* rows by table */
	size_t ntr, captr;
	size_t *rowslots;		/* (table, row) pairs seen */
	size_t nrowslots;
	/* Records done, for unique: "form\037dept\037year\037record". */
	char **seen;
	size_t nseen, capseen;
	size_t count[2];
	struct fp_buf msg, tmp, a, b;
	struct fp_buf shown;		/* a row as messages show it */
};

/* The fact at table/row/field in the record, or NULL. */
struct gfact *fp_fact(const struct fp_checker *c, const char *t,
    const char *r, const char *f);
/* The rows of table t in the record, in the order they came. */
const struct trows *fp_trows(const struct fp_checker *c, const char *t);
/* A fact's value as a number (a plain decimal) into *x; 0 if none. */
int fp_fact_number(struct gfact *g, double *x);
/* Reports, once, that the fact is not the number rule r needs. */
void fp_not_number(struct fp_checker *c, const struct fp_rule *r,
    struct gfact *g);
/*
 * Reports, once, that the fact is not of its type: kind FP_MSG_NUMBER
 * (not a number) or FP_MSG_DATE (a date field's value that is no date).
 */
void fp_not_of_type(struct fp_checker *c, const struct fp_rule *r,
    struct gfact *g, enum fp_msg kind);
/*
 * The number at table/row/field into *x: 0 if blank. 0 (reported once)
 * if the value is there but not a number.
 */
int fp_value_or_zero(struct fp_checker *c, const struct fp_rule *r,
    const char *t, const char *row, const char *f, double *x);
/* Reports that total (the fact g, or blank) is not sum; kind sum or units. */
void fp_mismatch(struct fp_checker *c, const struct fp_rule *r,
    enum fp_msg kind, const char *t, const char *row, const char *f,
    const struct gfact *g, double total, double sum);
/* 1 if row of table t is a list's row named by a code: no item of it. */
int fp_coded_in_list(const struct fp_checker *c, const char *t,
    const char *row);
/*
 * 1 if rule r's sums over table's rows take row: its filters hold. outer
 * is the row the rule checks (for a filter naming it: where
 * payments.fund = funds.name), NULL if none.
 */
int fp_aggregate_takes(struct fp_checker *c, const struct fp_rule *r,
    const char *table, const char *row, const char *outer);
/*
 * 1 if a condition of rule r that chooses the rows of table its sums take
 * reads a field none of the table's rows has (where detail.type = ...
 * on a form with no type column): which rows it means cannot be told.
 */
int fp_aggregate_blind(const struct fp_checker *c, const struct fp_rule *r,
    const char *table);

/* 1 if table t has row r in the record. */
int fp_has_row(const struct fp_checker *c, const char *t, const char *r);
/*
 * 1 if rule r applies to row (NULL: the record) of the table it checks:
 * every condition under it holds there, but those that choose the rows
 * of an aggregate.
 */
int fp_rule_applies(struct fp_checker *c, const struct fp_rule *r,
    const char *row);

/* Appends x, rounded to 1e-6, in shortest form. */
void fp_put_num(struct fp_buf *b, double x);
/*
 * Appends x to as many decimals as tell it from other and from 0, two at
 * least, six at most, and never more than x has (3443.73, not 3443.733835).
 */
void fp_put_apart(struct fp_buf *b, double x, double other);
/*
 * How a message shows a fact's value: a code field's code by its SHOWN
 * word (no as 否), any other value as it is. Borrows from the mapping.
 */
const char *fp_value_shown(const struct fp_mapping *m, const char *table,
    const char *field, const char *value);
/* 1 if the mapping gives table's field the type type. */
int fp_field_is(const struct fp_mapping *m, const char *table,
    const char *field, enum fp_type type);
/* A difference: two decimals, as money is read, unless it is smaller. */
void fp_put_diff(struct fp_buf *b, double x);
/*
 * The labels of table/row/field, as messages show a fact (row or field
 * NULL or "": none).
 */
void fp_put_what(struct fp_buf *b, struct fp_checker *c, const char *table,
    const char *row, const char *field);

/* The words of one message, {name} by name, filled in as it is used. */
struct fp_words {
	const char *name[12];
	const char *value[12];
	size_t n;
};
/* Adds a word; name and value are borrowed until the message is filled. */
void fp_word(struct fp_words *w, const char *name, const char *value);
/* Fills a template into c->msg: {name} becomes the word's value. */
void fp_fill(struct fp_checker *c, const char *tmpl, const struct fp_words *w);
/* The template of rule r's message of kind k: its own, or the mapping's. */
const char *fp_template(const struct fp_checker *c, const struct fp_rule *r,
    enum fp_msg k);
/* Reports c->msg as rule r's finding at table/row/field, from source. */
void fp_report(struct fp_checker *c, const struct fp_rule *r,
    const char *table, const char *row, const char *field,
    const char *source);

/* The units rule r over the record (rules_units.c). */
void fp_rule_units(struct fp_checker *c, const struct fp_rule *r);
/* The expression rule r over the record (rules_expr.c). */
void fp_rule_expr(struct fp_checker *c, const struct fp_rule *r);

#endif
