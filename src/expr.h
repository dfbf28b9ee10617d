/*
 * References to facts and the expressions of rules: their syntax tree,
 * the parser that builds one from a rule's text, and the rendering that
 * shows one in a message with the mapping's labels. rules.c evaluates
 * them over a record's facts.
 */
#ifndef FP_EXPR_H
#define FP_EXPR_H

#include <stddef.h>

#include "util.h"

/*
 * A reference to facts: TABLE.FIELD (every row), TABLE[ROW].FIELD, or
 * TABLE.* (every field). row is NULL for every row.
 */
struct fp_ref {
	char *table;
	char *row;
	char *field;
};

/* Parses "TABLE.FIELD", "TABLE[ROW].FIELD" or "TABLE.*" into r. */
int fp_ref_parse(const char *s, size_t n, struct fp_ref *r);
void fp_ref_release(struct fp_ref *r);
/* A copy of r (for a NULL row too). */
void fp_ref_copy(struct fp_ref *dst, const struct fp_ref *src);

enum fp_cmp {
	FP_CMP_EQ,
	FP_CMP_NE,
	FP_CMP_LT,
	FP_CMP_LE,
	FP_CMP_GT,
	FP_CMP_GE,
};

/* "=", "≠", "<", "≤", ">", "≥"; and the comparison that fails it. */
const char *fp_cmp_symbol(enum fp_cmp c);
enum fp_cmp fp_cmp_negate(enum fp_cmp c);

enum fp_expr_kind {
	FP_E_NUM,
	FP_E_REF,
	FP_E_NEG,
	FP_E_ADD,
	FP_E_SUB,
	FP_E_MUL,
	FP_E_DIV,
	FP_E_CALL,
};

enum fp_func {
	FP_FN_SUM,	/* the sum of a reference's facts over rows, or of args */
	FP_FN_COUNT,	/* how many facts a reference names */
	FP_FN_MIN,
	FP_FN_MAX,
	FP_FN_ABS,
	FP_FN_ROUND,	/* round(x, digits) */
	FP_FN_YEAR,	/* year(date), month(date), day(date): a number */
	FP_FN_MONTH,
	FP_FN_DAY,
	FP_FN_DATE,	/* date(year, month, day): a day */
};

struct fp_expr {
	enum fp_expr_kind kind;
	double num;			/* FP_E_NUM */
	int date;			/* FP_E_NUM: num is a day (2024-03-01) */
	struct fp_ref ref;		/* FP_E_REF */
	enum fp_func fn;		/* FP_E_CALL */
	struct fp_expr **args;		/* FP_E_CALL: arguments; else a, b */
	size_t nargs;
};

/*
 * Parses one arithmetic expression from s (n bytes): numbers,
 * references, + - * / with the usual precedence, unary minus, brackets
 * and the functions sum, count, min, max, abs, round, year, month, day
 * and date. Stops at a
 * comparison operator, the word "within", or the end; *used is how many
 * bytes it took. Returns NULL with err filled on a syntax error.
 */
struct fp_expr *fp_expr_parse(const char *s, size_t n, size_t *used,
    char *err, size_t errlen);
void fp_expr_free(struct fp_expr *e);

/*
 * Reads a comparison operator at s: = == != ≠ < <= ≤ > >= ≥. Returns its
 * length (0 if there is none) and sets *c.
 */
size_t fp_cmp_parse(const char *s, size_t n, enum fp_cmp *c);

/* 1 if a function aggregates a reference over rows (sum, count, min, max of one reference). */
int fp_expr_aggregates(const struct fp_expr *call);

/* Calls fn for every reference of e, with inside set within an aggregate. */
typedef void (*fp_ref_fn)(void *ctx, const struct fp_ref *r, int inside);
void fp_expr_walk(const struct fp_expr *e, fp_ref_fn fn, void *ctx);

/*
 * The tables a rule goes through row by row: those its expressions name
 * without a row, outside aggregates; each once, the first 16.
 */
struct fp_row_tables {
	const char *t[16];
	size_t n;
};
/* Adds the tables of e to rt (which may hold another side's already). */
void fp_expr_row_tables(const struct fp_expr *e, struct fp_row_tables *rt);

/*
 * Appends e to b in words: each reference as label(ctx, ref, inside, b),
 * inside set within an aggregate; numbers in shortest form, × and ÷ for
 * * and /.
 */
typedef void (*fp_label_fn)(void *ctx, const struct fp_ref *r, int inside,
    struct fp_buf *b);
void fp_expr_render(const struct fp_expr *e, fp_label_fn label, void *ctx,
    struct fp_buf *b);

#endif
