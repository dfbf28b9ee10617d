/*
 * Expressions of rules: a recursive-descent parser over the rule's text
 * (expr := term (+|- term)*, term := unary (*|/ unary)*, unary := -unary
 * | primary, primary := number | reference | function(args) | (expr)),
 * the tree it builds, and the rendering of a tree in a message.
 */
#include "expr.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const char *const func_names[] = {
	"sum", "count", "min", "max", "abs", "round", "year", "month", "day",
	"date",
};

/* How many values each function takes: 0 for one reference or any. */
static const size_t func_args[] = {
	[FP_FN_ABS] = 1, [FP_FN_ROUND] = 2, [FP_FN_YEAR] = 1,
	[FP_FN_MONTH] = 1, [FP_FN_DAY] = 1, [FP_FN_DATE] = 3,
};

int
fp_ref_parse(const char *s, size_t n, struct fp_ref *r)
{
	const char *br = memchr(s, '[', n), *dot;
	size_t tlen;

	memset(r, 0, sizeof *r);
	if (br) {
		const char *close = memchr(br, ']', n - (size_t)(br - s));

		if (!close || close + 1 >= s + n || close[1] != '.' ||
		    br == s || close == br + 1)
			return 0;
		tlen = (size_t)(br - s);
		dot = close + 1;
		if (memchr(s, '.', tlen))
			return 0;
	} else {
		dot = memchr(s, '.', n);
		if (!dot || dot == s)
			return 0;
		tlen = (size_t)(dot - s);
	}
	if (dot + 1 >= s + n || memchr(dot + 1, '.', n - (size_t)(dot + 1 - s)))
		return 0;
	r->table = fp_xstrndup(s, tlen);
	if (br)
		r->row = fp_xstrndup(br + 1, (size_t)(dot - 1 - br - 1));
	r->field = fp_xstrndup(dot + 1, n - (size_t)(dot + 1 - s));
	return 1;
}

void
fp_ref_release(struct fp_ref *r)
{
	free(r->table);
	free(r->row);
	free(r->field);
	memset(r, 0, sizeof *r);
}

void
fp_ref_copy(struct fp_ref *dst, const struct fp_ref *src)
{
	dst->table = src->table ? fp_xstrdup(src->table) : NULL;
	dst->row = src->row ? fp_xstrdup(src->row) : NULL;
	dst->field = src->field ? fp_xstrdup(src->field) : NULL;
}

const char *
fp_cmp_symbol(enum fp_cmp c)
{
	static const char *const sym[] = {
		"=", "\xe2\x89\xa0", "<", "\xe2\x89\xa4", ">", "\xe2\x89\xa5",
	};

	return sym[c];
}

enum fp_cmp
fp_cmp_negate(enum fp_cmp c)
{
	static const enum fp_cmp neg[] = {
		FP_CMP_NE, FP_CMP_EQ, FP_CMP_GE, FP_CMP_GT, FP_CMP_LE, FP_CMP_LT,
	};

	return neg[c];
}

size_t
fp_cmp_parse(const char *s, size_t n, enum fp_cmp *c)
{
	static const struct {
		const char *text;
		enum fp_cmp c;
	} ops[] = {
		{ "==", FP_CMP_EQ }, { "!=", FP_CMP_NE }, { "<>", FP_CMP_NE },
		{ "<=", FP_CMP_LE }, { ">=", FP_CMP_GE },
		{ "\xe2\x89\xa0", FP_CMP_NE }, { "\xe2\x89\xa4", FP_CMP_LE },
		{ "\xe2\x89\xa5", FP_CMP_GE },
		{ "=", FP_CMP_EQ }, { "<", FP_CMP_LT }, { ">", FP_CMP_GT },
	};
	size_t i;

	for (i = 0; i < sizeof ops / sizeof ops[0]; i++) {
		size_t k = strlen(ops[i].text);

		if (k <= n && !memcmp(s, ops[i].text, k)) {
			*c = ops[i].c;
			return k;
		}
	}
	return 0;
}

/* ---- The parser ---------------------------------------------------- */

struct eparser {
	const char *s;
	size_t n, i;
	char *err;
	size_t errlen;
	int failed;
	int depth;		/* brackets, calls and signs open */
	size_t ops;		/* operators so far */
};

/*
 * Bounds on an expression, so that the recursion that parses, evaluates
 * and frees its tree stays shallow whatever a mapping holds: a rule is a
 * line a person reads, far below either.
 */
#define MAX_NEST 32
#define MAX_OPS 500

static void
fail(struct eparser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
fail(struct eparser *p, const char *fmt, ...)
{
	va_list ap;

	if (p->failed)
		return;
	p->failed = 1;
	va_start(ap, fmt);
	vsnprintf(p->err, p->errlen, fmt, ap);
	va_end(ap);
}

static void
skip_space(struct eparser *p)
{
	while (p->i < p->n && (p->s[p->i] == ' ' || p->s[p->i] == '\t' ||
	    p->s[p->i] == '\r'))
		p->i++;
}

/* A byte that ends a word: space, an operator, a bracket, a comma. */
static int
ends_word(const struct eparser *p, size_t i)
{
	enum fp_cmp c;
	char ch = p->s[i];

	if (strchr(" \t\r+-*/(),#", ch))
		return 1;
	return fp_cmp_parse(p->s + i, p->n - i, &c) > 0;
}

static struct fp_expr *
node(enum fp_expr_kind kind)
{
	struct fp_expr *e = fp_xcalloc(1, sizeof *e);

	e->kind = kind;
	return e;
}

static void
add_arg(struct fp_expr *e, struct fp_expr *a)
{
	e->args = fp_xreallocarray(e->args, e->nargs + 1, sizeof *e->args);
	e->args[e->nargs++] = a;
}

static struct fp_expr *
binary(enum fp_expr_kind kind, struct fp_expr *a, struct fp_expr *b)
{
	struct fp_expr *e = node(kind);

	add_arg(e, a);
	add_arg(e, b);
	return e;
}

static struct fp_expr *parse_sum(struct eparser *p);

/* Opens one level of nesting; 0 (and the parse failed) past MAX_NEST. */
static int
enter(struct eparser *p)
{
	if (++p->depth > MAX_NEST) {
		fail(p, "an expression nests deeper than %d brackets, calls "
		    "and signs", MAX_NEST);
		return 0;
	}
	return 1;
}

/* Counts an operator; 0 (and the parse failed) past MAX_OPS. */
static int
count_op(struct eparser *p)
{
	if (++p->ops > MAX_OPS) {
		fail(p, "an expression has more than %d operators", MAX_OPS);
		return 0;
	}
	return 1;
}

/*
 * A date constant at start, YYYY-MM-DD with no spaces, the year the word
 * read so far: read to its end as a node of its day. 0 if there is none
 * there (2024-1 is a subtraction); a date that is no day fails.
 */
static int
date_at(struct eparser *p, size_t start, struct fp_expr **e)
{
	const char *s = p->s + start;
	int64_t z = 0;
	int got;

	if (p->n - start < 10 || (p->n - start > 10 && isdigit((unsigned char)
	    s[10])))
		return 0;
	got = fp_iso_day(s, &z);
	if (!got)
		return 0;
	*e = node(FP_E_NUM);
	(*e)->date = 1;
	(*e)->num = (double)z;
	p->i = start + 10;
	if (got < 0)
		fail(p, "'%.10s' is no date", s);
	return 1;
}

/* A word: a number, a reference, or a function's name before '('. */
static struct fp_expr *
parse_primary(struct eparser *p)
{
	size_t start, end, i;
	struct fp_expr *e;

	skip_space(p);
	if (p->i >= p->n) {
		fail(p, "an expression ends too soon");
		return NULL;
	}
	if (p->s[p->i] == '(') {
		if (!enter(p))
			return NULL;
		p->i++;
		e = parse_sum(p);
		skip_space(p);
		if (!p->failed && (p->i >= p->n || p->s[p->i] != ')'))
			fail(p, "a '(' is not closed");
		p->i++;
		p->depth--;
		return e;
	}
	start = p->i;
	while (p->i < p->n) {
		if (p->s[p->i] == '[') {
			const char *close = memchr(p->s + p->i, ']', p->n - p->i);

			if (!close) {
				fail(p, "a '[' is not closed");
				return NULL;
			}
			p->i = (size_t)(close - p->s) + 1;
			continue;
		}
		if (ends_word(p, p->i))
			break;
		p->i++;
	}
	if (p->i == start) {
		fail(p, "'%c' where a number or a reference should be",
		    p->s[p->i]);
		return NULL;
	}
	/* A date, 2024-03-01: its day. */
	if (p->i - start == 4 && date_at(p, start, &e))
		return e;
	/* A number. */
	if ((p->s[start] >= '0' && p->s[start] <= '9') || p->s[start] == '.') {
		char buf[64], *stop;
		size_t len = p->i - start;

		e = node(FP_E_NUM);
		if (len >= sizeof buf) {
			fail(p, "'%.*s' is not a number", (int)len, p->s + start);
			return e;
		}
		memcpy(buf, p->s + start, len);
		buf[len] = '\0';
		errno = 0;
		e->num = strtod(buf, &stop);
		if (*stop || errno || !isfinite(e->num) ||
		    strpbrk(buf, "xXnN"))
			fail(p, "'%s' is not a number", buf);
		return e;
	}
	/* A function. */
	end = p->i;
	skip_space(p);
	if (p->i < p->n && p->s[p->i] == '(') {
		size_t len = end - start;

		e = node(FP_E_CALL);
		for (i = 0; i < sizeof func_names / sizeof func_names[0]; i++)
			if (strlen(func_names[i]) == len &&
			    !memcmp(func_names[i], p->s + start, len))
				break;
		if (i == sizeof func_names / sizeof func_names[0]) {
			fail(p, "unknown function '%.*s' (expected sum, count, "
			    "min, max, abs, round, year, month, day or date)",
			    (int)len, p->s + start);
			return e;
		}
		e->fn = (enum fp_func)i;
		if (!enter(p))
			return e;
		p->i++;
		skip_space(p);
		if (p->i < p->n && p->s[p->i] == ')') {
			p->i++;
		} else {
			for (;;) {
				add_arg(e, parse_sum(p));
				skip_space(p);
				if (p->failed)
					return e;
				if (p->i < p->n && p->s[p->i] == ',') {
					p->i++;
					continue;
				}
				if (p->i < p->n && p->s[p->i] == ')') {
					p->i++;
					break;
				}
				fail(p, "a function's '(' is not closed");
				return e;
			}
		}
		p->depth--;
		if (func_args[e->fn] ? e->nargs != func_args[e->fn] :
		    e->nargs == 0)
			fail(p, "%s() takes %s", func_names[e->fn],
			    e->fn == FP_FN_ABS ? "one value" :
			    e->fn == FP_FN_ROUND ? "a value and a number of "
			    "digits" : e->fn == FP_FN_DATE ? "a year, a month "
			    "and a day" : func_args[e->fn] == 1 ? "one date" :
			    "a reference or values");
		if (e->fn == FP_FN_COUNT && (e->nargs != 1 ||
		    e->args[0]->kind != FP_E_REF))
			fail(p, "count() takes one reference");
		return e;
	}
	e = node(FP_E_REF);
	if (!fp_ref_parse(p->s + start, end - start, &e->ref) ||
	    !strcmp(e->ref.field, "*"))
		fail(p, "'%.*s' is not a reference (TABLE.FIELD or "
		    "TABLE[ROW].FIELD)", (int)(end - start), p->s + start);
	return e;
}

static struct fp_expr *
parse_unary(struct eparser *p)
{
	skip_space(p);
	if (p->i < p->n && p->s[p->i] == '-') {
		struct fp_expr *e;

		if (!enter(p) || !count_op(p))
			return NULL;
		e = node(FP_E_NEG);
		p->i++;
		add_arg(e, parse_unary(p));
		p->depth--;
		return e;
	}
	if (p->i < p->n && p->s[p->i] == '+')
		p->i++;
	return parse_primary(p);
}

static struct fp_expr *
parse_term(struct eparser *p)
{
	struct fp_expr *e = parse_unary(p);

	for (;;) {
		skip_space(p);
		if (p->failed || p->i >= p->n)
			return e;
		if ((p->s[p->i] == '*' || p->s[p->i] == '/') && !count_op(p))
			return e;
		if (p->s[p->i] == '*') {
			p->i++;
			e = binary(FP_E_MUL, e, parse_unary(p));
		} else if (p->s[p->i] == '/') {
			p->i++;
			e = binary(FP_E_DIV, e, parse_unary(p));
		} else {
			return e;
		}
	}
}

static struct fp_expr *
parse_sum(struct eparser *p)
{
	struct fp_expr *e = parse_term(p);

	for (;;) {
		skip_space(p);
		if (p->failed || p->i >= p->n)
			return e;
		if ((p->s[p->i] == '+' || p->s[p->i] == '-') && !count_op(p))
			return e;
		if (p->s[p->i] == '+') {
			p->i++;
			e = binary(FP_E_ADD, e, parse_term(p));
		} else if (p->s[p->i] == '-') {
			p->i++;
			e = binary(FP_E_SUB, e, parse_term(p));
		} else {
			return e;
		}
	}
}

struct fp_expr *
fp_expr_parse(const char *s, size_t n, size_t *used, char *err, size_t errlen)
{
	struct eparser p;
	struct fp_expr *e;

	memset(&p, 0, sizeof p);
	p.s = s;
	p.n = n;
	p.err = err;
	p.errlen = errlen;
	e = parse_sum(&p);
	skip_space(&p);
	if (p.failed) {
		fp_expr_free(e);
		return NULL;
	}
	*used = p.i;
	return e;
}

void
fp_expr_free(struct fp_expr *e)
{
	size_t i;

	if (!e)
		return;
	for (i = 0; i < e->nargs; i++)
		fp_expr_free(e->args[i]);
	free(e->args);
	fp_ref_release(&e->ref);
	free(e);
}

int
fp_expr_aggregates(const struct fp_expr *e)
{
	return e->kind == FP_E_CALL && e->nargs == 1 &&
	    e->args[0]->kind == FP_E_REF && (e->fn == FP_FN_SUM ||
	    e->fn == FP_FN_COUNT || e->fn == FP_FN_MIN || e->fn == FP_FN_MAX);
}

static void
walk(const struct fp_expr *e, fp_ref_fn fn, void *ctx, int inside)
{
	size_t i;

	if (!e)
		return;
	if (e->kind == FP_E_REF) {
		fn(ctx, &e->ref, inside);
		return;
	}
	for (i = 0; i < e->nargs; i++)
		walk(e->args[i], fn, ctx, inside || fp_expr_aggregates(e));
}

void
fp_expr_walk(const struct fp_expr *e, fp_ref_fn fn, void *ctx)
{
	walk(e, fn, ctx, 0);
}

static void
add_row_table(void *arg, const struct fp_ref *r, int inside)
{
	struct fp_row_tables *rt = arg;
	size_t i;

	if (inside || r->row)
		return;
	for (i = 0; i < rt->n; i++)
		if (!strcmp(rt->t[i], r->table))
			return;
	if (rt->n < sizeof rt->t / sizeof rt->t[0])
		rt->t[rt->n++] = r->table;
}

void
fp_expr_row_tables(const struct fp_expr *e, struct fp_row_tables *rt)
{
	walk(e, add_row_table, rt, 0);
}

static int
precedence(const struct fp_expr *e)
{
	switch (e->kind) {
	case FP_E_ADD:
	case FP_E_SUB:
		return 1;
	case FP_E_MUL:
	case FP_E_DIV:
		return 2;
	case FP_E_NEG:
		return 3;
	default:
		return 4;
	}
}

static void
render(const struct fp_expr *e, fp_label_fn label, void *ctx,
    struct fp_buf *b, int outer, int right, int inside)
{
	static const char *const ops[] = {
		[FP_E_ADD] = " + ", [FP_E_SUB] = " - ",
		[FP_E_MUL] = " \xc3\x97 ", [FP_E_DIV] = " \xc3\xb7 ",
	};
	int prec = precedence(e);
	int paren = prec < outer || (right && prec == outer && prec < 3);
	char num[FP_NUM_MAX];
	size_t i;

	if (paren)
		fp_buf_addc(b, '(');
	switch (e->kind) {
	case FP_E_NUM:
		if (!e->date || !fp_buf_iso_day(b, (int64_t)e->num))
			fp_buf_add(b, num, fp_fmt_num(num, e->num));
		break;
	case FP_E_REF:
		label(ctx, &e->ref, inside, b);
		break;
	case FP_E_NEG:
		fp_buf_addc(b, '-');
		render(e->args[0], label, ctx, b, 3, 0, inside);
		break;
	case FP_E_CALL:
		fp_buf_adds(b, func_names[e->fn]);
		fp_buf_addc(b, '(');
		for (i = 0; i < e->nargs; i++) {
			if (i)
				fp_buf_adds(b, ", ");
			render(e->args[i], label, ctx, b, 0, 0,
			    inside || fp_expr_aggregates(e));
		}
		fp_buf_addc(b, ')');
		break;
	default:
		render(e->args[0], label, ctx, b, prec, 0, inside);
		fp_buf_adds(b, ops[e->kind]);
		render(e->args[1], label, ctx, b, prec, 1, inside);
		break;
	}
	if (paren)
		fp_buf_addc(b, ')');
}

void
fp_expr_render(const struct fp_expr *e, fp_label_fn label, void *ctx,
    struct fp_buf *b)
{
	render(e, label, ctx, b, 0, 0, 0);
}
