/*
 * What rules.c (a record's facts and the rules over them) gives
 * rules_units.c (the units rule: a total against its rows, a nested
 * table's levels, a list's group subtotals), and nothing else includes.
 */
#ifndef FP_RULES_INT_H
#define FP_RULES_INT_H

#include "rules.h"

struct gfact {
	char *table, *row, *field, *value, *source;
	int nan_said;		/* "not a number" reported already */
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

/* The units rule r over the record (rules_units.c). */
void fp_rule_units(struct fp_checker *c, const struct fp_rule *r);

#endif
