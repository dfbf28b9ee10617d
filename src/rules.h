/*
 * Rule evaluation over canonical facts, as a stream: facts go in one at a
 * time, and each record's findings come out once its facts are all in.
 * A record is one form: the facts of one form, department, year, record
 * and file in a row. Only one record's facts are held (plus the set of
 * records seen, for the rule that each appears once), so checking ten
 * thousand forms takes no more memory than checking ten. Each record is
 * checked with its own form's mapping. check and merge both use this, so
 * they find the same things.
 */
#ifndef FP_RULES_H
#define FP_RULES_H

#include <stddef.h>

#include "canon.h"
#include "mapping.h"

/* Who a record is: every string lives as long as the record's callback. */
struct fp_who {
	const char *form, *dept, *year, *record, *file;
};

/* A finding; its strings live until the callback returns. */
struct fp_finding {
	enum fp_severity severity;
	const struct fp_mapping *m;	/* the record's mapping */
	struct fp_who who;
	const char *table;
	const char *row;
	const char *field;
	const char *rule;	/* the rule's kind: sum, units, min, expr, ... */
	const char *message;	/* in the mapping's words */
	const char *source;	/* the cell of the value at fault, or "" */
	int rule_line;		/* the rule's line in the mapping */
};

typedef void (*fp_finding_fn)(void *ctx, const struct fp_finding *f);

/* A record's fact, as handed to an fp_record_fn. */
struct fp_rec_fact {
	const char *table, *row, *field, *value, *source;
};

/*
 * Called once a record's rules are evaluated, with its mapping, its
 * facts (in the order they came, a repeated one once) and how many
 * errors and warnings it has. Everything lives until it returns.
 */
typedef void (*fp_record_fn)(void *ctx, const struct fp_mapping *m,
    const struct fp_who *who, const struct fp_rec_fact *facts, size_t n,
    size_t errors, size_t warnings);

/*
 * Gives the mapping of a form by its name (the facts' form column), or
 * NULL with d filled. The mapping must live as long as the checker.
 */
typedef const struct fp_mapping *(*fp_resolve_fn)(void *ctx,
    const char *form, struct fp_diag *d);

struct fp_checker;

/* A checker reporting findings to fn; mappings come from resolve. */
struct fp_checker *fp_checker_new(fp_resolve_fn resolve, void *rctx,
    fp_finding_fn fn, void *ctx);
/*
 * Adds a fact. A fact of another record than the one before, the first
 * fact after a header (another file's facts), or one the record already
 * has with another value or from another cell, or its first fact again
 * (a second form) closes the record: its rules are evaluated and its
 * findings reported. A line repeated (value and cell the same) is the
 * same fact. Returns FP_OK, or the error of a form whose mapping cannot
 * be had (d filled).
 */
enum fp_err fp_checker_add(struct fp_checker *c,
    const struct fp_canon_fact *f, struct fp_diag *d);
/*
 * Called the first time a form's facts name a table, or a field of it,
 * that the form's mapping does not have: such facts are kept but no rule
 * and no summary knows them.
 */
typedef void (*fp_unknown_fn)(void *ctx, const struct fp_mapping *m,
    const struct fp_canon_fact *f);
void fp_checker_on_unknown(struct fp_checker *c, fp_unknown_fn fn);

/* Asks for each record, once evaluated, to be handed to fn (with ctx). */
void fp_checker_on_record(struct fp_checker *c, fp_record_fn fn);
/* Evaluates the last record. */
void fp_checker_finish(struct fp_checker *c);
void fp_checker_free(struct fp_checker *c);

/* Findings reported so far, by severity. */
size_t fp_checker_count(const struct fp_checker *c, enum fp_severity sev);

/*
 * How a finding reads on stderr after "formpipe check: ": FILE: DEPT
 * YEAR RECORD: SEVERITY: MESSAGE (SOURCE), the severity in the mapping's
 * words. Appends it, with its line feed, to b.
 */
void fp_finding_line(struct fp_buf *b, const struct fp_finding *f);

/* The findings CSV header, without its line feed. */
#define FP_FINDINGS_HEADER "severity,form,dept,year,record,table,row," \
    "field,rule,message,source,file"
/* Appends a finding as a line of the findings CSV to b. */
void fp_finding_csv(struct fp_buf *b, const struct fp_finding *f);

#endif
