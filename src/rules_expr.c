/*
 * The expression rule: two sides of arithmetic over a record's facts
 * (sum, count, min, max over a table's rows; round, abs), compared; each
 * row of the tables an expression names without a row is checked in
 * turn. A date is its day number, so that dates compare and a date minus
 * a date is days; a blank fact is nothing in + and -.
 */
#include "rules_int.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "normalize.h"

/*
 * A value of an expression: a number, or blank (no fact). A date
 * (2024-03-01, as the date type writes it) is its day number, and says
 * so, so that dates compare and a date minus a date is days.
 */
struct val {
	int blank;
	int date;		/* x is a day number */
	double x;
};

/* A date as the date type writes it, "2024-03-01", as its day number. */
static int
iso_day(const char *s, double *x)
{
	int64_t z;

	if (strlen(s) != 10 || fp_iso_day(s, &z) != 1)
		return 0;
	*x = (double)z;
	return 1;
}

/* Appends a value: a date as a date, else a number. */
static void
put_val(struct fp_buf *b, const struct val *v)
{
	if (v->date && v->x == floor(v->x) && fabs(v->x) < 1e8 &&
	    fp_buf_iso_day(b, (int64_t)v->x))
		return;
	fp_put_num(b, v->x);
}

/*
 * Appends a side's value: a number written in the rule, or a fact other
 * than money, as it is; money (万元 to six decimals from a form in 元) and
 * a value computed (已支出/下达×100) to as many decimals as tell it from
 * the other side's and from 0, two at least, six at most (71.02, not
 * 71.018277; -0.004, not 0).
 */
static void
put_side(struct fp_buf *b, const struct fp_mapping *m,
    const struct fp_expr *e, const struct val *v, const struct val *other)
{
	if (v->date || e->kind == FP_E_NUM || (e->kind == FP_E_REF &&
	    !fp_field_is(m, e->ref.table, e->ref.field, FP_T_MONEY)))
		put_val(b, v);
	else
		fp_put_apart(b, v->x, other->x);
}

/* What an evaluation failed on: a value not a number, a division by 0. */
enum { EV_OK = 0, EV_FAIL = -1 };

struct eval {
	struct fp_checker *c;
	const struct fp_rule *r;
	const char *row;		/* the row being evaluated */
};

static int eval(struct eval *ev, const struct fp_expr *e, struct val *v);

/* 1 if t is a fields table: its one row, the empty one, is the form's. */
static int
is_fields(const struct fp_checker *c, const char *t)
{
	const struct fp_table *tt = fp_mapping_table(c->m, t);

	return tt && tt->kind == FP_TABLE_FIELDS;
}

/*
 * The row a reference names in the row being evaluated: its own, the
 * fields table's one (info.cap in every item's row), or that row.
 */
static const char *
row_of(struct eval *ev, const struct fp_ref *ref)
{
	return ref->row ? ref->row : is_fields(ev->c, ref->table) ? "" :
	    ev->row;
}

/* The fact a reference names in the row being evaluated. */
static struct gfact *
ref_at(struct eval *ev, const struct fp_ref *ref)
{
	return fp_fact(ev->c, ref->table, row_of(ev, ref), ref->field);
}

/*
 * A fact's value: a number, or a date as its day. A date field's value
 * is a date or nothing: one kept as written (2019, 2019年11月) is
 * reported, at its own cell, as no date, whatever the other side is.
 */
static int
fact_val(struct eval *ev, struct gfact *g, struct val *v)
{
	int date_field;

	v->blank = !g;
	v->date = 0;
	v->x = 0;
	if (!g)
		return EV_OK;
	if (iso_day(g->value, &v->x)) {
		v->date = 1;
		return EV_OK;
	}
	date_field = fp_field_is(ev->c->m, g->table, g->field, FP_T_DATE);
	if (!date_field && fp_fact_number(g, &v->x))
		return EV_OK;
	fp_not_of_type(ev->c, ev->r, g, date_field ? FP_MSG_DATE :
	    FP_MSG_NUMBER);
	return EV_FAIL;
}

/* The first fact holding a date that an expression names. */
struct datefind {
	struct eval *ev;
	struct gfact *g;
};

static void
find_date(void *arg, const struct fp_ref *r, int inside)
{
	struct datefind *df = arg;
	const struct trows *tr = fp_trows(df->ev->c, r->table);
	struct gfact *g;
	double x;
	size_t i;

	if (df->g)
		return;
	if (r->row || !inside) {
		g = ref_at(df->ev, r);
		if (g && iso_day(g->value, &x))
			df->g = g;
		return;
	}
	for (i = 0; i < tr->n && !df->g; i++) {
		g = fp_fact(df->ev->c, r->table, tr->rows[i], r->field);
		if (g && iso_day(g->value, &x))
			df->g = g;
	}
}

/*
 * A date where a number must be (a date plus a date, times a number, in
 * a sum, against a number): reports the first date e names as not a
 * number, and fails.
 */
static int
date_misused(struct eval *ev, const struct fp_expr *e)
{
	struct datefind df = { ev, NULL };

	fp_expr_walk(e, find_date, &df);
	if (df.g)
		fp_not_number(ev->c, ev->r, df.g);
	return EV_FAIL;
}

/*
 * Folds one value into v, the sum, min or max (e's function) so far (v
 * blank: none yet). The earliest or the latest of dates is a date; a sum
 * of dates, or of dates and numbers, is no value.
 */
static int
fold(struct eval *ev, const struct fp_expr *e, struct val *v,
    const struct val *one)
{
	if ((one->date && e->fn == FP_FN_SUM) ||
	    (!v->blank && v->date != one->date))
		return date_misused(ev, e);
	v->date = one->date;
	if (v->blank)
		v->x = one->x;
	else if (e->fn == FP_FN_SUM)
		v->x += one->x;
	else if (e->fn == FP_FN_MIN)
		v->x = fmin(v->x, one->x);
	else
		v->x = fmax(v->x, one->x);
	v->blank = 0;
	return EV_OK;
}

/*
 * sum, count, min or max of a reference's facts over the table's rows (a
 * list's items: not its rows named by codes, a subtotal or the total).
 * The sum or count of no fact is 0 (but for a sum whose rows are chosen
 * by a field no row has: blank); the min or max of none is blank.
 */
static int
aggregate(struct eval *ev, const struct fp_expr *e, struct val *v)
{
	const struct fp_ref *ref = &e->args[0]->ref;
	const struct trows *tr = fp_trows(ev->c, ref->table);
	size_t i, n = ref->row ? 1 : tr->n;

	v->blank = 1;
	v->date = 0;
	v->x = 0;
	for (i = 0; i < n; i++) {
		struct gfact *g = fp_fact(ev->c, ref->table,
		    ref->row ? ref->row : tr->rows[i], ref->field);
		struct val one;

		if (!g || (!ref->row && (fp_coded_in_list(ev->c, ref->table,
		    tr->rows[i]) || !fp_aggregate_takes(ev->c, ev->r,
		    ref->table, tr->rows[i], ev->row))))
			continue;
		if (e->fn == FP_FN_COUNT) {
			v->blank = 0;
			v->x++;
			continue;
		}
		if (fact_val(ev, g, &one) || fold(ev, e, v, &one))
			return EV_FAIL;
	}
	if (e->fn == FP_FN_COUNT || (e->fn == FP_FN_SUM && v->blank &&
	    (ref->row || !fp_aggregate_blind(ev->c, ev->r, ref->table))))
		v->blank = 0;
	return EV_OK;
}

/*
 * year(d), month(d) or day(d): a number; of a blank, or of a day past
 * any calendar's (a date plus 1e300), blank.
 */
static int
date_part(struct eval *ev, const struct fp_expr *e, struct val *v)
{
	int64_t y;
	unsigned m, d;

	if (eval(ev, e->args[0], v))
		return EV_FAIL;
	if (v->blank)
		return EV_OK;
	if (!v->date)	/* the mapping's check lets no number in */
		return EV_FAIL;
	if (!(fabs(v->x) < 3e6)) {	/* no day of years 1 to 9999 */
		v->blank = 1;
		v->date = 0;
		return EV_OK;
	}
	fp_civil_from_days((int64_t)floor(v->x), &y, &m, &d);
	v->date = 0;
	v->x = e->fn == FP_FN_YEAR ? (double)y : e->fn == FP_FN_MONTH ? m : d;
	return EV_OK;
}

/*
 * date(y, m, d): the day, whole parts taken; a month past 12 or a day
 * past the month's end carries on as a spreadsheet's DATE does
 * (date(2024, 13, 1) is 2025-01-01, date(2025, 1, 0) 2024-12-31). A
 * blank part makes it blank; so does a year no calendar here reaches.
 */
static int
make_date(struct eval *ev, const struct fp_expr *e, struct val *v)
{
	struct val part[3];
	double y, m;
	size_t i;

	for (i = 0; i < 3; i++) {
		if (eval(ev, e->args[i], &part[i]))
			return EV_FAIL;
		if (part[i].date)
			return date_misused(ev, e);
	}
	v->blank = 1;
	v->date = 0;
	v->x = 0;
	for (i = 0; i < 3; i++)
		if (part[i].blank || fabs(part[i].x) > 1e6)
			return EV_OK;
	m = floor(part[1].x) - 1;
	y = floor(part[0].x) + floor(m / 12);
	m -= floor(m / 12) * 12;
	if (y < 1 || y > 9999)
		return EV_OK;
	v->blank = 0;
	v->date = 1;
	v->x = (double)fp_days_from_civil((int64_t)y, (unsigned)m + 1, 1) +
	    floor(part[2].x) - 1;
	return EV_OK;
}

static int
call(struct eval *ev, const struct fp_expr *e, struct val *v)
{
	struct val a, b;
	size_t i;

	if (fp_expr_aggregates(e))
		return aggregate(ev, e, v);
	if (e->fn == FP_FN_ROUND) {
		if (eval(ev, e->args[0], &a) || eval(ev, e->args[1], &b))
			return EV_FAIL;
		if (a.date || b.date)
			return date_misused(ev, e);
		*v = a;
		if (!a.blank && !b.blank && fabs(b.x) <= 15) {
			double k = pow(10, nearbyint(b.x));

			v->x = round(a.x * k) / k;
		}
		return EV_OK;
	}
	if (e->fn == FP_FN_ABS) {
		if (eval(ev, e->args[0], v))
			return EV_FAIL;
		if (v->date)
			return date_misused(ev, e);
		v->x = fabs(v->x);
		return EV_OK;
	}
	if (e->fn == FP_FN_YEAR || e->fn == FP_FN_MONTH ||
	    e->fn == FP_FN_DAY)
		return date_part(ev, e, v);
	if (e->fn == FP_FN_DATE)
		return make_date(ev, e, v);
	/* sum, min, max of several values: a blank one counts for nothing. */
	v->blank = 1;
	v->date = 0;
	v->x = 0;
	for (i = 0; i < e->nargs; i++) {
		if (eval(ev, e->args[i], &a))
			return EV_FAIL;
		if (!a.blank && fold(ev, e, v, &a))
			return EV_FAIL;
	}
	return EV_OK;
}

/*
 * Evaluates e in the row being evaluated. Blank is nothing in + and -
 * (blank + blank is blank), and makes * and / blank; x / 0 fails.
 */
static int
eval(struct eval *ev, const struct fp_expr *e, struct val *v)
{
	struct val a, b;

	switch (e->kind) {
	case FP_E_NUM:
		v->blank = 0;
		v->date = e->date;
		v->x = e->num;
		return EV_OK;
	case FP_E_REF:
		if (fact_val(ev, ref_at(ev, &e->ref), v))
			return EV_FAIL;
		if (v->blank)	/* a blank date field is a blank date */
			v->date = fp_field_is(ev->c->m, e->ref.table,
			    e->ref.field, FP_T_DATE);
		return EV_OK;
	case FP_E_NEG:
		if (eval(ev, e->args[0], v))
			return EV_FAIL;
		if (v->date)
			return date_misused(ev, e);
		v->x = -v->x;
		return EV_OK;
	case FP_E_CALL:
		return call(ev, e, v);
	default:
		break;
	}
	if (eval(ev, e->args[0], &a) || eval(ev, e->args[1], &b))
		return EV_FAIL;
	switch (e->kind) {
	case FP_E_ADD:
	case FP_E_SUB:
		/*
		 * A date plus or minus days is a date; a date minus one, days;
		 * with a date, a blank makes the result blank.
		 */
		if ((a.date || b.date) && (a.blank || b.blank)) {
			v->blank = 1;
			v->date = 0;
			v->x = 0;
			return EV_OK;
		}
		if (b.date && (e->kind == FP_E_ADD ? a.date : !a.date))
			return date_misused(ev, e);
		v->blank = a.blank && b.blank;
		v->x = e->kind == FP_E_ADD ? a.x + b.x : a.x - b.x;
		v->date = a.date != b.date;
		return EV_OK;
	case FP_E_MUL:
		if (a.date || b.date)
			return date_misused(ev, e);
		v->date = 0;
		v->blank = a.blank || b.blank;
		v->x = a.x * b.x;
		return EV_OK;
	default:
		if (a.date || b.date)
			return date_misused(ev, e);
		v->date = 0;
		v->blank = a.blank || b.blank;
		if (v->blank)
			return EV_OK;
		if (b.x == 0)
			return EV_FAIL;
		v->x = a.x / b.x;
		return EV_OK;
	}
}

/*
 * A side of an expression: the first reference outside aggregates, and
 * the first inside one.
 */
struct unbound {
	const struct fp_ref *first;
	const struct fp_ref *inner;
};

static void
collect_first(void *arg, const struct fp_ref *r, int inside)
{
	struct unbound *u = arg;

	if (!inside && !u->first)
		u->first = r;
	if (inside && !u->inner)
		u->inner = r;
}

/*
 * How a message shows a reference: by its labels in the row being
 * evaluated, or without a row inside an aggregate.
 */
static void
label_ref(void *arg, const struct fp_ref *r, int inside, struct fp_buf *b)
{
	struct eval *ev = arg;

	fp_put_what(b, ev->c, r->table, inside && !r->row ? NULL :
	    row_of(ev, r), r->field);
}

static int
holds(enum fp_cmp cmp, double l, double r, double tol)
{
	tol += 1e-9;
	switch (cmp) {
	case FP_CMP_EQ:
		return fabs(l - r) <= tol;
	case FP_CMP_NE:
		return fabs(l - r) > tol;
	case FP_CMP_LT:
		return l < r;
	case FP_CMP_LE:
		return l <= r + tol;
	case FP_CMP_GT:
		return l > r;
	default:
		return l + tol >= r;
	}
}

/* The fact a finding of an expression names: its left side's first. */
static struct gfact *
blame(struct eval *ev, const struct unbound *left, const struct unbound *right)
{
	struct gfact *g = NULL;

	if (left->first)
		g = ref_at(ev, left->first);
	if (!g && right->first)
		g = ref_at(ev, right->first);
	return g;
}

static void
expr_row(struct eval *ev, const struct unbound *left,
    const struct unbound *right)
{
	struct fp_checker *c = ev->c;
	const struct fp_rule *r = ev->r;
	struct fp_words w = { { 0 }, { 0 }, 0 };
	struct val l, rv;
	struct gfact *g;
	char lv[FP_NUM_MAX + 8], rvs[FP_NUM_MAX + 8];
	const struct fp_ref *at;

	if (!fp_rule_applies(c, r, ev->row) || eval(ev, r->left, &l) ||
	    eval(ev, r->right, &rv))
		return;
	if (l.blank || rv.blank)
		return;
	if (l.date != rv.date) {
		/* A date against a number: the date is no number. */
		(void)date_misused(ev, l.date ? r->left : r->right);
		return;
	}
	/* sum(task.amount) <= income.total: the tasks', in no one row. */
	g = left->first || !left->inner ? blame(ev, left, right) : NULL;
	if (holds(r->cmp, l.x, rv.x, r->tolerance))
		return;
	fp_buf_reset(&c->a);
	fp_expr_render(r->left, label_ref, ev, &c->a);
	fp_buf_reset(&c->b);
	fp_expr_render(r->right, label_ref, ev, &c->b);
	fp_buf_reset(&c->tmp);
	put_side(&c->tmp, c->m, r->right, &rv, &l);
	snprintf(rvs, sizeof rvs, "%s", c->tmp.s);
	/* The right side's value after its words: "分值 15", "a + b = 9". */
	if (r->right->kind == FP_E_REF)
		fp_buf_printf(&c->b, " %s", rvs);
	else if (r->right->kind != FP_E_NUM)
		fp_buf_printf(&c->b, " = %s", rvs);
	fp_buf_reset(&c->tmp);
	put_side(&c->tmp, c->m, r->left, &l, &rv);
	snprintf(lv, sizeof lv, "%s", c->tmp.s);
	fp_buf_reset(&c->tmp);
	fp_put_diff(&c->tmp, l.x - rv.x);
	fp_word(&w, "what", c->a.s);
	fp_word(&w, "value", lv);
	fp_word(&w, "fails", fp_cmp_symbol(fp_cmp_negate(r->cmp)));
	fp_word(&w, "op", fp_cmp_symbol(r->cmp));
	fp_word(&w, "rhs", c->b.s);
	fp_word(&w, "expected", rvs);
	fp_word(&w, "diff", c->tmp.s);
	fp_fill(c, fp_template(c, r, FP_MSG_EXPR), &w);
	at = left->first ? left->first : left->inner ? NULL : right->first;
	if (g)
		fp_report(c, r, g->table, g->row, g->field, g->source);
	else if (at)
		fp_report(c, r, at->table, row_of(ev, at), at->field, "");
	else if ((at = left->inner ? left->inner : right->inner) != NULL)
		/* count(indicator.name) >= 1: the table, in no one row. */
		fp_report(c, r, at->table, at->row ? at->row : "", at->field, "");
	else
		fp_report(c, r, "", "", "", "");
}

/* Evaluates an expression rule for every row it names. */
void
fp_rule_expr(struct fp_checker *c, const struct fp_rule *r)
{
	struct unbound left = { NULL, NULL }, right = { NULL, NULL };
	struct fp_row_tables rt = { { 0 }, 0 };
	struct eval ev;
	size_t i, k, j;

	ev.c = c;
	ev.r = r;
	ev.row = "";
	fp_expr_walk(r->left, collect_first, &left);
	fp_expr_walk(r->right, collect_first, &right);
	fp_expr_row_tables(r->left, &rt);
	fp_expr_row_tables(r->right, &rt);
	/* A fields table's one row is read in every row of the others. */
	for (i = k = 0; i < rt.n; i++)
		if (!is_fields(c, rt.t[i]))
			rt.t[k++] = rt.t[i];
	rt.n = k;
	if (rt.n == 0) {
		expr_row(&ev, &left, &right);
		return;
	}
	/* Every row of the tables named without one, each once. */
	for (i = 0; i < rt.n; i++) {
		const struct trows *tr = fp_trows(c, rt.t[i]);

		for (k = 0; k < tr->n; k++) {
			int done = 0;

			for (j = 0; j < i && !done; j++)
				done = fp_has_row(c, rt.t[j], tr->rows[k]);
			if (done)
				continue;
			ev.row = tr->rows[k];
			expr_row(&ev, &left, &right);
		}
	}
}
