/*
 * What the three parts of the mapping parser share, and nothing else
 * includes: a line's tokens (mapping_lex.c), the parser's state and its
 * error function (mapping_parse.c), and the checks that complete a
 * parsed mapping (mapping_check.c).
 */
#ifndef FP_MAPPING_INT_H
#define FP_MAPPING_INT_H

#include "mapping.h"

/* A word of a line, or an operator (| = + < <= > >= !=), or a quoted string. */
struct tok {
	char *s;
	int quoted;
	size_t off;		/* where it starts in the line */
};

struct line {
	struct tok *t;
	size_t n, cap;
	int no;
	const char *text;	/* the line, without its line feed */
	size_t len;		/* up to a comment */
};

/*
 * Splits a line (n bytes at s) into tokens. Returns 0 with *err set if a
 * quoted string is not closed.
 */
int fp_lex_line(struct line *l, const char *s, size_t n, const char **err);
void fp_lex_release(struct line *l);
/* 1 if t is the unquoted operator or word op. */
int fp_tok_is(const struct tok *t, const char *op);

/* Where in the mapping the parser is, for the keywords a line may use. */
enum ctx {
	CTX_TOP = 1,		/* the form's own statements */
	CTX_TABLE = 2,		/* inside a table, before its fields */
	CTX_FIELD = 4,		/* inside a field or column */
	CTX_DEFAULTS = 8,	/* inside a defaults block */
	CTX_RULE = 16,		/* just after a rule */
	CTX_BOOK = 32,		/* the workbook section */
	CTX_MESSAGES = 64,	/* the messages section */
};

struct parser {
	struct fp_mapping *m;
	const char *name;
	struct line l;
	struct fp_diag *d;
	enum ctx ctx;
	struct fp_table *table;		/* the table being described */
	struct fp_field *field;		/* the field or column being described */
	int placed_line;		/* its 'label' or 'at' line, 0 if none */
	struct fp_rule *rule;		/* the rule just read */
	struct fp_table defaults[3];	/* per table kind */
	struct fp_table *deftable;	/* inside a defaults block */
	int dept_line, year_line, record_line;
	/* The line of each of the form's own statements given once. */
	int form_line, sheet_line, tolerance_line, continued_line;
};

enum fp_err fp_perr(struct parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Adds raw to ls in label form. */
void fp_labels_add(struct fp_labels *ls, const char *raw);
void fp_labels_free(struct fp_labels *ls);
void fp_labels_copy(struct fp_labels *dst, const struct fp_labels *src);
/*
 * Reads labels separated by '|' from token from to the end, or to the
 * first unquoted token for which stop returns 1. Returns the index after
 * them.
 */
size_t fp_read_labels(struct parser *p, size_t from, struct fp_labels *ls,
    int (*stop)(const struct tok *t));

void fp_field_release(struct fp_field *f);
void fp_table_release(struct fp_table *t);
void fp_rule_release(struct fp_rule *r);

/* Fills in what the text left to defaults and checks every reference. */
enum fp_err fp_mapping_check(struct parser *p);

#endif
