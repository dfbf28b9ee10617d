/*
 * Rule evaluation over canonical facts, as a stream: facts go in one at a
 * time, and each department's findings come out once its facts are all
 * in. Only one department's facts are held (plus the set of departments
 * seen, for the rule that each appears once), so checking ten thousand
 * forms takes no more memory than checking ten. check and merge both use
 * this, so they find the same things.
 */
#ifndef FP_RULES_H
#define FP_RULES_H

#include <stddef.h>

#include "mapping.h"

struct fp_finding {
	enum fp_severity severity;
	const char *dept;
	const char *year;
	const char *table;
	const char *row;
	const char *field;
	const char *rule;	/* the rule's kind: sum, units, min, ... */
	const char *message;	/* e.g. "1215.93 != sum of parts 1207.93" */
	const char *source;	/* the cell of the value at fault, or "" */
	int rule_line;		/* the rule's line in the mapping */
};

/* Called for each finding; the strings live until it returns. */
typedef void (*fp_finding_fn)(void *ctx, const struct fp_finding *f);

struct fp_checker;

/* A department's fact, as handed to an fp_dept_fn. */
struct fp_dept_fact {
	const char *table, *row, *field, *value, *source;
};

/*
 * Called once a department's rules are evaluated, with its facts (in the
 * order they came) and how many errors and warnings it has.
 */
typedef void (*fp_dept_fn)(void *ctx, const char *dept, const char *year,
    const struct fp_dept_fact *facts, size_t n, size_t errors,
    size_t warnings);

struct fp_checker *fp_checker_new(const struct fp_mapping *m,
    fp_finding_fn fn, void *ctx);
/*
 * Adds a fact. A fact of another department or year than the one before,
 * or one the department already has (a second form), closes the
 * department: its rules are evaluated and its findings reported.
 */
void fp_checker_add(struct fp_checker *c, const char *dept, const char *year,
    const char *table, const char *row, const char *field, const char *value,
    const char *source);
/* Asks for each department, once evaluated, to be handed to fn. */
void fp_checker_on_dept(struct fp_checker *c, fp_dept_fn fn);
/* Evaluates the last department. */
void fp_checker_finish(struct fp_checker *c);
void fp_checker_free(struct fp_checker *c);

/* Findings reported so far, by severity. */
size_t fp_checker_count(const struct fp_checker *c, enum fp_severity sev);

#endif
