/*
 * The rules of a mapping, evaluated one record at a time. A record's
 * facts sit in a hash table keyed by table, row and field, with each
 * table's rows in order beside it; each rule looks up what it needs, one
 * evaluator per kind of rule. Blank cells count as 0 in sums; a value
 * that should be a number and is not is a finding of its own. Messages
 * are the mapping's templates filled with the labels of the facts and
 * the numbers involved, rounded to 1e-6 so that float noise in a sum
 * (1207.9276000000001) does not show.
 */
#include "rules.h"
#include "rules_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "annotate.h"
#include "csvio.h"
#include "normalize.h"

/* ---- The record's facts ---------------------------------------------- */

static uint64_t
hash3(const char *a, const char *b, const char *c)
{
	uint64_t h = fp_hash(FP_HASH_INIT, a);

	h = fp_hash(fp_hash(h, "\037"), b);
	h = fp_hash(fp_hash(h, "\037"), c ? c : "");
	return fp_hash(h, "\037");
}

struct fp_checker *
fp_checker_new(fp_resolve_fn resolve, void *rctx, fp_finding_fn fn, void *ctx)
{
	struct fp_checker *c = fp_xcalloc(1, sizeof *c);

	c->resolve = resolve;
	c->rctx = rctx;
	c->fn = fn;
	c->ctx = ctx;
	c->nslots = 256;
	c->slots = fp_xcalloc(c->nslots, sizeof *c->slots);
	c->capseen = 64;
	c->seen = fp_xcalloc(c->capseen, sizeof *c->seen);
	return c;
}

/* The fact at table/row/field, or NULL. */
struct gfact *
fp_fact(const struct fp_checker *c, const char *t, const char *r, const char *f)
{
	size_t mask = c->nslots - 1, h = fp_hash_slot(hash3(t, r, f), mask);

	for (;; h = (h + 1) & mask) {
		size_t v = c->slots[h];
		struct gfact *g;

		if (!v)
			return NULL;
		g = &c->f[v - 1];
		if (!strcmp(g->table, t) && !strcmp(g->row, r) &&
		    !strcmp(g->field, f))
			return g;
	}
}

static void
index_put(struct fp_checker *c, size_t i)
{
	size_t mask = c->nslots - 1;
	size_t h = fp_hash_slot(hash3(c->f[i].table, c->f[i].row,
	    c->f[i].field), mask);

	while (c->slots[h])
		h = (h + 1) & mask;
	c->slots[h] = i + 1;
}

/* Builds each table's list of rows, in the order the facts came. */
static void
index_rows(struct fp_checker *c)
{
	size_t i, k, mask;

	c->nrowslots = 64;
	while (c->nrowslots < c->n * 2)
		c->nrowslots *= 2;
	c->rowslots = fp_xcalloc(c->nrowslots, sizeof *c->rowslots);
	mask = c->nrowslots - 1;
	for (i = 0; i < c->n; i++) {
		const struct gfact *g = &c->f[i];
		size_t h = fp_hash_slot(hash3(g->table, g->row, NULL), mask);
		struct trows *t = NULL;
		int dup = 0;

		for (; c->rowslots[h]; h = (h + 1) & mask) {
			const struct gfact *o = &c->f[c->rowslots[h] - 1];

			if (!strcmp(o->table, g->table) &&
			    !strcmp(o->row, g->row)) {
				dup = 1;
				break;
			}
		}
		if (dup)
			continue;
		c->rowslots[h] = i + 1;
		for (k = 0; k < c->ntr; k++)
			if (!strcmp(c->tr[k].table, g->table)) {
				t = &c->tr[k];
				break;
			}
		if (!t) {
			if (c->ntr == c->captr) {
				c->captr = c->captr ? c->captr * 2 : 16;
				c->tr = fp_xreallocarray(c->tr, c->captr,
				    sizeof *c->tr);
			}
			t = &c->tr[c->ntr++];
			memset(t, 0, sizeof *t);
			t->table = g->table;
		}
		if (t->n == t->cap) {
			t->cap = t->cap ? t->cap * 2 : 16;
			t->rows = fp_xreallocarray(t->rows, t->cap,
			    sizeof *t->rows);
		}
		t->rows[t->n++] = g->row;
	}
}

/* 1 if table t has row r in the record. */
int
fp_has_row(const struct fp_checker *c, const char *t, const char *r)
{
	size_t mask = c->nrowslots - 1;
	size_t h = fp_hash_slot(hash3(t, r, NULL), mask);

	for (; c->rowslots[h]; h = (h + 1) & mask) {
		const struct gfact *o = &c->f[c->rowslots[h] - 1];

		if (!strcmp(o->table, t) && !strcmp(o->row, r))
			return 1;
	}
	return 0;
}

/* The rows of table t in the record (none if it has no facts). */
const struct trows *
fp_trows(const struct fp_checker *c, const char *t)
{
	static const struct trows none;
	size_t k;

	for (k = 0; k < c->ntr; k++)
		if (!strcmp(c->tr[k].table, t))
			return &c->tr[k];
	return &none;
}

static void
clear_record(struct fp_checker *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		free(c->f[i].table);	/* one block holds the five strings */
	c->n = 0;
	memset(c->slots, 0, c->nslots * sizeof *c->slots);
	for (i = 0; i < c->ntr; i++)
		free(c->tr[i].rows);
	c->ntr = 0;
	free(c->rowslots);
	c->rowslots = NULL;
	for (i = 0; i < 5; i++) {
		free(c->who[i]);
		c->who[i] = NULL;
	}
	c->m = NULL;
}

/* ---- Words ----------------------------------------------------------- */

/* Appends x, rounded to 1e-6, in shortest form. */
void
fp_put_num(struct fp_buf *b, double x)
{
	char buf[FP_NUM_MAX];

	if (fabs(x) < 1e9)
		x = nearbyint(x * 1e6) / 1e6;
	if (x == 0)
		x = 0;	/* no "-0" */
	fp_buf_add(b, buf, fp_fmt_num(buf, x));
}

/*
 * Appends x to as many decimals as tell it from other and from 0, two at
 * least, six at most, and never more than x has: 3443.73 beside 3438.73,
 * not 3443.733835; 0.0004 beside 0.0002; 12 stays 12.
 */
void
fp_put_apart(struct fp_buf *b, double x, double other)
{
	double scale = 100;
	int d;

	if (fabs(x) >= 1e9) {
		fp_put_num(b, x);
		return;
	}
	for (d = 2; d < 6 && (nearbyint(x * scale) == nearbyint(other *
	    scale) || (x != 0 && nearbyint(x * scale) == 0)); d++)
		scale *= 10;
	fp_put_num(b, nearbyint(x * scale) / scale);
}

/* 1 if the mapping gives table's field the type type. */
int
fp_field_is(const struct fp_mapping *m, const char *table, const char *field,
    enum fp_type type)
{
	const struct fp_table *t = fp_mapping_table(m, table);
	const struct fp_field *f = t && field ? fp_table_field(t, field) : NULL;

	return f && f->type == type;
}

const char *
fp_value_shown(const struct fp_mapping *m, const char *table,
    const char *field, const char *value)
{
	const struct fp_table *t = fp_mapping_table(m, table);

	return fp_field_shown(t && field ? fp_table_field(t, field) : NULL,
	    value);
}

/* A difference: two decimals, as money is read, unless it is smaller. */
void
fp_put_diff(struct fp_buf *b, double x)
{
	if (fabs(x) >= 0.005 && fabs(x) < 1e15)
		fp_buf_printf(b, "%.2f", x);
	else
		fp_put_num(b, x);
}

/*
 * The labels of table/row/field, as messages show a fact: a row code by
 * its label, a row of a table that shows its rows by a field by that
 * field's value in the record.
 */
void
fp_put_what(struct fp_buf *b, struct fp_checker *c, const char *table,
    const char *row, const char *field)
{
	const struct fp_table *t = fp_mapping_table(c->m, table);
	const struct fp_field *f = t && field ? fp_table_field(t, field) : NULL;

	fp_buf_adds(b, t ? t->cn : table);
	if (row && *row) {
		const struct gfact *g = t && t->show ?
		    fp_fact(c, table, row, t->show) : NULL;

		fp_buf_addc(b, ' ');
		fp_buf_adds(b, g && *g->value ? g->value : t ?
		    fp_table_row_shown(t, row, &c->shown) : row);
	}
	if (field && *field && strcmp(field, "*")) {
		fp_buf_addc(b, ' ');
		fp_buf_adds(b, f ? f->cn : field);
	}
}

void
fp_word(struct fp_words *w, const char *name, const char *value)
{
	w->name[w->n] = name;
	w->value[w->n++] = value;
}

/* Fills a template into c->msg: {name} becomes the word's value. */
void
fp_fill(struct fp_checker *c, const char *tmpl, const struct fp_words *w)
{
	const char *p;

	fp_buf_reset(&c->msg);
	for (p = tmpl; *p; p++) {
		const char *close;
		size_t i;

		if (*p != '{' || !(close = strchr(p, '}'))) {
			fp_buf_addc(&c->msg, *p);
			continue;
		}
		for (i = 0; i < w->n; i++)
			if (strlen(w->name[i]) == (size_t)(close - p - 1) &&
			    !memcmp(w->name[i], p + 1, (size_t)(close - p - 1)))
				break;
		if (i == w->n) {
			fp_buf_addc(&c->msg, *p);
			continue;
		}
		fp_buf_adds(&c->msg, w->value[i]);
		p = close;
	}
	if (!c->msg.s)
		fp_buf_adds(&c->msg, "");
}

const char *
fp_template(const struct fp_checker *c, const struct fp_rule *r, enum fp_msg k)
{
	return r->message && k != FP_MSG_NUMBER && k != FP_MSG_DATE ?
	    r->message : c->m->msgs[k];
}

void
fp_report(struct fp_checker *c, const struct fp_rule *r, const char *table,
    const char *row, const char *field, const char *source)
{
	struct fp_finding f;

	f.severity = r->severity;
	f.m = c->m;
	f.who.form = c->who[0];
	f.who.dept = c->who[1];
	f.who.year = c->who[2];
	f.who.record = c->who[3];
	f.who.file = c->who[4];
	f.table = table;
	f.row = row ? row : "";
	f.field = field ? field : "";
	f.rule = fp_rule_kind_name(r->kind);
	f.message = c->msg.s ? c->msg.s : "";
	f.source = source ? source : "";
	f.rule_line = r->line;
	c->count[r->severity]++;
	c->fn(c->ctx, &f);
}

/* ---- Numbers --------------------------------------------------------- */

/* A fact's value as a number: a plain decimal, nothing else. */
int
fp_fact_number(struct gfact *g, double *x)
{
	if (!g)
		return 0;
	/* Read once: every rule that names the fact asks again. */
	if (!g->isnum)
		g->isnum = *g->value && fp_parse_number(g->value,
		    strlen(g->value), &g->num) ? 1 : -1;
	*x = g->num;
	return g->isnum > 0;
}

void
fp_not_number(struct fp_checker *c, const struct fp_rule *r, struct gfact *g)
{
	fp_not_of_type(c, r, g, FP_MSG_NUMBER);
}

void
fp_not_of_type(struct fp_checker *c, const struct fp_rule *r, struct gfact *g,
    enum fp_msg kind)
{
	struct fp_words w = { { 0 }, { 0 }, 0 };

	if (g->nan_said)
		return;
	g->nan_said = 1;
	fp_buf_reset(&c->a);
	fp_put_what(&c->a, c, g->table, g->row, g->field);
	fp_word(&w, "what", c->a.s);
	fp_word(&w, "value", fp_value_shown(c->m, g->table, g->field,
		    g->value));
	fp_fill(c, fp_template(c, r, kind), &w);
	fp_report(c, r, g->table, g->row, g->field, g->source);
}

/*
 * The numeric value of table/row/field into *x: 0 if blank. Returns 0
 * (and reports it, once) if the value is there but not a number.
 */
int
fp_value_or_zero(struct fp_checker *c, const struct fp_rule *r, const char *t,
    const char *row, const char *f, double *x)
{
	struct gfact *g = fp_fact(c, t, row, f);

	*x = 0;
	if (!g || fp_fact_number(g, x))
		return 1;
	fp_not_number(c, r, g);
	return 0;
}

/* Reports that total (the fact, or blank) is not sum; kind is sum or units. */
void
fp_mismatch(struct fp_checker *c, const struct fp_rule *r, enum fp_msg kind,
    const char *t, const char *row, const char *f, const struct gfact *g,
    double total, double sum)
{
	struct fp_words w = { { 0 }, { 0 }, 0 };
	char *what, *value, *expected;
	int money;

	fp_buf_reset(&c->a);
	fp_put_what(&c->a, c, t, row, f);
	what = fp_xstrdup(c->a.s);
	/* Money from a form in 元 is 万元 to six decimals: shown as read. */
	money = fp_field_is(c->m, t, f, FP_T_MONEY);
	fp_buf_reset(&c->a);
	if (g && money)
		fp_put_apart(&c->a, total, sum);
	else if (g)
		fp_put_num(&c->a, total);
	else
		fp_buf_adds(&c->a, c->m->msgs[FP_MSG_BLANK]);
	value = fp_xstrdup(c->a.s);
	fp_buf_reset(&c->a);
	if (money)
		fp_put_apart(&c->a, sum, total);
	else
		fp_put_num(&c->a, sum);
	expected = fp_xstrdup(c->a.s);
	fp_buf_reset(&c->a);
	fp_put_diff(&c->a, total - sum);
	fp_word(&w, "what", what);
	fp_word(&w, "value", value);
	fp_word(&w, "expected", expected);
	fp_word(&w, "diff", c->a.s);
	fp_fill(c, fp_template(c, r, kind), &w);
	fp_report(c, r, t, row, f, g ? g->source : "");
	free(what);
	free(value);
	free(expected);
}

/* ---- Targets ---------------------------------------------------------- */

/*
 * A number as a form writes a value or a target: 96%, 3次, 12.5公里,
 * 1,200 give 96, 3, 12.5 and 1200; as money, an amount in 万元 (50万元,
 * 5000元). 0 if it is none.
 */
static int
written_number(const char *s, int money, double *x)
{
	struct fp_buf b = FP_BUF_INIT;
	struct fp_value v;
	int ok;

	memset(&v, 0, sizeof v);
	v.text = s;
	v.len = strlen(s);
	ok = (money ? fp_norm_money(&b, &v) : fp_norm_number(&b, &v)) &&
	    fp_parse_number(b.s, b.len, x);
	fp_buf_release(&b);
	return ok;
}

/*
 * A target as a form writes it: a comparison (≥ >= ≧ ＞＝, ≤ <= ≦ ＜＝, >
 * ＞, < ＜, = ＝; ≥ where none is written: 100% is reached at 100%) and a
 * number (≥95%, ≤30天, 3次), or money with money. 0 if it has no number
 * (按期完成, ≤预算).
 */
static int
parse_target(const char *s, int money, enum fp_cmp *cmp, double *x)
{
	static const struct {
		const char *op;
		enum fp_cmp cmp;
	} ops[] = {
		{ "\xe2\x89\xa5", FP_CMP_GE }, { ">=", FP_CMP_GE },
		{ "\xe2\x89\xa7", FP_CMP_GE },
		{ "\xef\xbc\x9e\xef\xbc\x9d", FP_CMP_GE },
		{ "\xe2\x89\xa4", FP_CMP_LE }, { "<=", FP_CMP_LE },
		{ "\xe2\x89\xa6", FP_CMP_LE },
		{ "\xef\xbc\x9c\xef\xbc\x9d", FP_CMP_LE },
		{ "\xef\xbc\x9e", FP_CMP_GT }, { ">", FP_CMP_GT },
		{ "\xef\xbc\x9c", FP_CMP_LT }, { "<", FP_CMP_LT },
		{ "\xef\xbc\x9d", FP_CMP_EQ }, { "=", FP_CMP_EQ },
	};
	size_t i, n;

	while (*s == ' ')
		s++;
	*cmp = FP_CMP_GE;
	for (i = 0; i < sizeof ops / sizeof ops[0]; i++) {
		n = strlen(ops[i].op);
		if (!strncmp(s, ops[i].op, n)) {
			*cmp = ops[i].cmp;
			s += n;
			break;
		}
	}
	return written_number(s, money, x);
}

/*
 * 1 if value meets target, 0 if it misses it, -1 if either is no number
 * (a target in words, 按期完成; a value in words, 已完成). Both are read
 * as numbers, or else both as money (＜50万元 against 60).
 */
static int
meets(const struct gfact *value, const struct gfact *target)
{
	enum fp_cmp cmp;
	double x, t;
	int money;

	if (!value || !target)
		return -1;
	for (money = 0; money < 2; money++)
		if (parse_target(target->value, money, &cmp, &t) &&
		    written_number(value->value, money, &x))
			break;
	if (money == 2)
		return -1;
	switch (cmp) {
	case FP_CMP_GE:
		return x >= t - 1e-9;
	case FP_CMP_LE:
		return x <= t + 1e-9;
	case FP_CMP_GT:
		return x > t;
	case FP_CMP_LT:
		return x < t;
	default:
		return fabs(x - t) <= 1e-9;
	}
}

/* ---- Conditions --------------------------------------------------------- */

/* 1 if the fact's value is the word: the same text, or the same number. */
static int
is_word(struct gfact *g, const char *word)
{
	double x, y;

	if (!g)
		return !*word;
	if (!strcmp(g->value, word))
		return 1;
	return *word && fp_fact_number(g, &x) &&
	    fp_parse_number(word, strlen(word), &y) && fabs(x - y) <= 1e-9;
}

/*
 * 1 if condition w holds in row (NULL: of the record as a whole); outer
 * is the row the rule checks where row is one an aggregate takes.
 */
static int
cond_holds(struct fp_checker *c, const struct fp_cond *w, const char *row,
    const char *outer)
{
	struct gfact *g, key;
	size_t i;
	double x;

	if (w->is_key) {
		/* The row's own key, as if a fact. */
		memset(&key, 0, sizeof key);
		key.value = (char *)(row ? row : "");
		g = &key;
	} else {
		g = fp_fact(c, w->ref.table, w->ref.row ? w->ref.row :
		    w->per_row ? row : "", w->ref.field);
	}

	if (w->by_ref) {
		/*
		 * = funds.name: the same as that fact, or (funds.row) as the
		 * key of the row it is read in; a blank is none.
		 */
		const char *in = w->target.row ? w->target.row :
		    w->target_outer ? outer : w->target_per_row ? row : "";
		struct gfact *o = in && !w->target_is_key ? fp_fact(c,
		    w->target.table, in, w->target.field) : NULL;
		const char *v = w->target_is_key ? in : o ? o->value : NULL;
		const struct fp_table *kt;
		int same;

		if (!g || !v || !*v)
			return 0;
		same = is_word(g, v);
		/* A coded row (fiscal) by its label too (财政拨款). */
		if (!same && w->target_is_key && (kt = fp_mapping_table(c->m,
		    w->target.table)))
			same = is_word(g, fp_table_row_label(kt, v));
		return same == (w->op == FP_COND_IS);
	}
	switch (w->op) {
	case FP_COND_IS:
	case FP_COND_NOT:
		for (i = 0; i < w->nwords; i++)
			if (is_word(g, w->words[i]))
				return w->op == FP_COND_IS;
		return w->op == FP_COND_NOT;
	case FP_COND_MATCH:
	case FP_COND_NOMATCH:
		return (fp_regexec(&w->re, g ? g->value : "", 0, NULL, 0) == 0) ==
		    (w->op == FP_COND_MATCH);
	case FP_COND_MEETS:
	case FP_COND_MISSES:
		return meets(g, fp_fact(c, w->target.table, w->target.row ?
		    w->target.row : w->target_per_row ? row : "",
		    w->target.field)) == (w->op == FP_COND_MEETS);
	default:
		if (!fp_fact_number(g, &x))
			return 0;
		return w->op == FP_COND_LT ? x < w->num : w->op == FP_COND_LE ?
		    x <= w->num : w->op == FP_COND_GT ? x > w->num : x >= w->num;
	}
}

/*
 * 1 if the rule is checked in this row (NULL: the record as a whole):
 * every condition under it holds there, but those that choose the rows
 * of an aggregate.
 */
int
fp_rule_applies(struct fp_checker *c, const struct fp_rule *r, const char *row)
{
	size_t i;

	for (i = 0; i < r->nwhere; i++)
		if (!r->where[i].filters && !cond_holds(c, &r->where[i], row,
		    NULL))
			return 0;
	return 1;
}

int
fp_aggregate_takes(struct fp_checker *c, const struct fp_rule *r,
    const char *table, const char *row, const char *outer)
{
	size_t i;

	for (i = 0; i < r->nwhere; i++)
		if (r->where[i].filters &&
		    !strcmp(r->where[i].ref.table, table) &&
		    !cond_holds(c, &r->where[i], row, outer))
			return 0;
	return 1;
}

int
fp_aggregate_blind(const struct fp_checker *c, const struct fp_rule *r,
    const char *table)
{
	const struct trows *tr = fp_trows(c, table);
	size_t i, k;

	for (i = 0; i < r->nwhere; i++) {
		const struct fp_cond *w = &r->where[i];

		if (!w->filters || w->is_key || w->ref.row ||
		    strcmp(w->ref.table, table))
			continue;
		for (k = 0; k < tr->n; k++)
			if (fp_fact(c, table, tr->rows[k], w->ref.field))
				break;
		if (k == tr->n)
			return 1;
	}
	return 0;
}

/*
 * 1 if the conditions that name facts of the record alone hold (none
 * read in the row being checked, by its reference or its target's).
 */
static int
record_applies(struct fp_checker *c, const struct fp_rule *r)
{
	size_t i;

	for (i = 0; i < r->nwhere; i++)
		if (!r->where[i].per_row && !r->where[i].target_per_row &&
		    !cond_holds(c, &r->where[i], NULL, NULL))
			return 0;
	return 1;
}

/* ---- One evaluator per kind of rule ---------------------------------- */

/*
 * One total against the sum of its parts, within the tolerance (a blank
 * counts 0; nothing to say where all are blank): of sum T F = A + B, in
 * row, field F against fields A, B; of sum T[ROW] = A + B, in field,
 * row ROW against rows A, B.
 */
static void
sum_one(struct fp_checker *c, const struct fp_rule *r, const char *row,
    const char *field)
{
	const char *trow = r->by_rows ? r->lhs : row;
	const char *tfield = r->by_rows ? field : r->lhs;
	const struct gfact *g = fp_fact(c, r->table, trow, tfield);
	double lhs, sum = 0, x;
	int ok = 1, any = 0;
	size_t k;

	if (!fp_value_or_zero(c, r, r->table, trow, tfield, &lhs))
		return;
	for (k = 0; k < r->nparts; k++) {
		const char *prow = r->by_rows ? r->parts[k] : row;
		const char *pfield = r->by_rows ? field : r->parts[k];

		if (!fp_value_or_zero(c, r, r->table, prow, pfield, &x))
			ok = 0;
		any |= fp_fact(c, r->table, prow, pfield) != NULL;
		sum += x;
	}
	if (ok && (g || any) && fabs(lhs - sum) > r->tolerance + 1e-9)
		fp_mismatch(c, r, FP_MSG_SUM, r->table, trow, tfield, g, lhs,
		    sum);
}

/*
 * sum T F = A + B ...: in every row of T the rule applies to; sum T[ROW]
 * = A + B ...: in each number field of T it does not leave out.
 */
static void
rule_sum(struct fp_checker *c, const struct fp_rule *r)
{
	const struct fp_table *t = fp_mapping_table(c->m, r->table);
	const struct trows *tr;
	size_t i;

	if (!r->by_rows) {
		tr = fp_trows(c, r->table);
		for (i = 0; i < tr->n; i++)
			if (fp_rule_applies(c, r, tr->rows[i]))
				sum_one(c, r, tr->rows[i], NULL);
		return;
	}
	if (!t || !fp_rule_applies(c, r, r->lhs))
		return;
	for (i = 0; i < t->nfields; i++)
		if (fp_rule_adds(r, t, &t->fields[i]))
			sum_one(c, r, NULL, t->fields[i].name);
}

/*
 * 1 if row of table t is a list's row named by a code (合计, a subtotal),
 * not numbered: no item of it.
 */
int
fp_coded_in_list(const struct fp_checker *c, const char *t, const char *row)
{
	const struct fp_table *tab = fp_mapping_table(c->m, t);

	return tab && tab->kind == FP_TABLE_LIST &&
	    row[strspn(row, "0123456789")];
}

/* 1 if the fact matches the reference (row NULL: any row; field "*"). */
static int
ref_matches(const struct fp_ref *ref, const struct gfact *g)
{
	return !strcmp(ref->table, g->table) &&
	    (!ref->row || !strcmp(ref->row, g->row)) &&
	    (!strcmp(ref->field, "*") || !strcmp(ref->field, g->field));
}

static int
in_refs(const struct fp_ref *refs, size_t n, const struct gfact *g)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (ref_matches(&refs[i], g))
			return 1;
	return 0;
}

/* min and range. */
/*
 * 1 if fact g is of a field that holds numbers (money, integer, number,
 * score), or of one the mapping does not know: what T.* reaches of a
 * bound (a text field among T's is no amount).
 */
static int
numeric_field(const struct fp_checker *c, const struct gfact *g)
{
	const struct fp_table *t = fp_mapping_table(c->m, g->table);
	const struct fp_field *f = t ? fp_table_field(t, g->field) : NULL;

	return !f || fp_type_numeric(f->type);
}

static void
rule_bounds(struct fp_checker *c, const struct fp_rule *r)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		struct gfact *g = &c->f[i];
		struct fp_words w = { { 0 }, { 0 }, 0 };
		char lo[FP_NUM_MAX], hi[FP_NUM_MAX];
		double x;

		if (!in_refs(r->refs, r->nrefs, g) ||
		    in_refs(r->except, r->nexcept, g) ||
		    !fp_rule_applies(c, r, g->row) || !numeric_field(c, g))
			continue;
		if (!fp_fact_number(g, &x)) {
			fp_not_number(c, r, g);
			continue;
		}
		if (r->kind == FP_RULE_MIN ? x >= r->lo :
		    x >= r->lo && x <= r->hi)
			continue;
		fp_buf_reset(&c->a);
		fp_put_what(&c->a, c, g->table, g->row, g->field);
		fp_fmt_num(lo, r->lo);
		fp_fmt_num(hi, r->hi);
		fp_word(&w, "what", c->a.s);
		fp_word(&w, "value", fp_value_shown(c->m, g->table, g->field,
		    g->value));
		fp_word(&w, "low", lo);
		fp_word(&w, "high", hi);
		fp_fill(c, fp_template(c, r, r->kind == FP_RULE_MIN ? FP_MSG_MIN :
		    FP_MSG_RANGE), &w);
		fp_report(c, r, g->table, g->row, g->field, g->source);
	}
}

/* Reports that table/row/field (field "*": any) is missing, at source. */
static void
missing(struct fp_checker *c, const struct fp_rule *r, const char *table,
    const char *row, const char *field, const char *source)
{
	struct fp_words w = { { 0 }, { 0 }, 0 };

	fp_buf_reset(&c->a);
	fp_put_what(&c->a, c, table, row, field);
	fp_word(&w, "what", c->a.s);
	fp_fill(c, fp_template(c, r, FP_MSG_REQUIRED), &w);
	fp_report(c, r, table, row, strcmp(field, "*") ? field : "", source);
}

/* A cell a fact cites, as annotate reads it. */
struct place {
	char sheet[256];
	uint32_t row, col;
};

static int
place_of(const struct gfact *g, struct place *p)
{
	return g && *g->source && fp_annotate_source(g->source, p->sheet,
	    sizeof p->sheet, &p->row, &p->col);
}

/*
 * The blank cell where field of row would be, into b (empty if it cannot
 * be told): the column a fact of the field has in another row (col), on
 * the row a fact of the row has; a table read across the other way
 * round. Told by a third fact: the other row's fact of the field the row
 * has, in line with both. Of the row's facts, the one farthest down (or
 * across) is its own: one above it was merged, filled or copied down
 * (a kind merged over three indicators, 〃).
 */
static const char *
blank_cell(struct fp_checker *c, const char *table, const char *row,
    const struct gfact *col, struct fp_buf *b)
{
	const struct fp_table *t = c->m ? fp_mapping_table(c->m, table) : NULL;
	const struct gfact *sib, *other;
	struct place ps, pc, po;
	char name[8];
	uint32_t r = 0, k = 0, far = 0;
	size_t i;
	int found = 0;

	fp_buf_reset(b);
	fp_buf_adds(b, "");
	if (!col || !place_of(col, &pc))
		return b->s;
	for (i = 0; t && i < t->nfields; i++) {
		sib = fp_fact(c, table, row, t->fields[i].name);
		other = sib ? fp_fact(c, table, col->row, sib->field) : NULL;
		if (!place_of(sib, &ps) || strcmp(ps.sheet, pc.sheet) ||
		    !place_of(other, &po) || strcmp(po.sheet, ps.sheet) ||
		    !strcmp(sib->source, other->source))
			continue;
		if (po.col == ps.col && po.row == pc.row) {
			if (found && ps.row <= far)
				continue;
			r = ps.row;
			k = pc.col;
			far = ps.row;
		} else if (po.row == ps.row && po.col == pc.col) {
			if (found && ps.col <= far)
				continue;
			r = pc.row;
			k = ps.col;
			far = ps.col;
		} else {
			continue;
		}
		found = 1;
	}
	if (found) {
		fp_colname(k, name);
		fp_buf_printf(b, "%s!%s%u", pc.sheet, name, r + 1);
	}
	return b->s;
}

/* 1 if a condition of the rule is read in the row being checked. */
static int
row_wise(const struct fp_rule *r)
{
	size_t i;

	for (i = 0; i < r->nwhere; i++)
		if (r->where[i].per_row || r->where[i].target_per_row)
			return 1;
	return 0;
}

static void
rule_required(struct fp_checker *c, const struct fp_rule *r)
{
	size_t i, k;

	for (i = 0; i < r->nrefs; i++) {
		const struct fp_ref *ref = &r->refs[i];
		const struct trows *tr = fp_trows(c, ref->table);
		int found = 0;

		/* A field of a table's rows: every row must have it. */
		if (!ref->row && strcmp(ref->field, "*") && tr->n &&
		    *tr->rows[0]) {
			const struct gfact *col = NULL;

			/* Where the field stands, from a row that has it. */
			for (k = 0; k < tr->n && !col; k++) {
				const struct gfact *g = fp_fact(c, ref->table,
				    tr->rows[k], ref->field);

				if (g && *g->value && *g->source)
					col = g;
			}
			for (k = 0; k < tr->n; k++) {
				const struct gfact *g = fp_fact(c, ref->table,
				    tr->rows[k], ref->field);

				/* A list's coded rows sum its items. */
				if (!fp_rule_applies(c, r, tr->rows[k]) ||
				    (fp_coded_in_list(c, ref->table,
				    tr->rows[k])))
					continue;
				if (!g || !*g->value)
					missing(c, r, ref->table, tr->rows[k],
					    ref->field, blank_cell(c,
					    ref->table, tr->rows[k], col,
					    &c->b));
			}
			continue;
		}
		/* Rows in question, and none there: nothing is missing. */
		if (row_wise(r))
			continue;
		for (k = 0; k < c->n && !found; k++)
			found = ref_matches(ref, &c->f[k]) && *c->f[k].value;
		if (!found)
			missing(c, r, ref->table, ref->row, ref->field, "");
	}
}

/* The one fact a reference names (the first that matches), or NULL. */
static struct gfact *
ref_fact(const struct fp_checker *c, const struct fp_ref *ref)
{
	size_t i;

	if (ref->row)
		return fp_fact(c, ref->table, ref->row, ref->field);
	for (i = 0; i < c->n; i++)
		if (ref_matches(ref, &c->f[i]))
			return &c->f[i];
	return NULL;
}

static void
rule_band(struct fp_checker *c, const struct fp_rule *r)
{
	struct gfact *code = ref_fact(c, &r->a), *num = ref_fact(c, &r->b);
	struct fp_words w = { { 0 }, { 0 }, 0 };
	const char *want = NULL;
	double x;
	size_t i;
	int known = 0;

	if (!code || !num)
		return;
	if (!fp_fact_number(num, &x)) {
		fp_not_number(c, r, num);
		return;
	}
	for (i = 0; i < r->nbands; i++)
		known |= !strcmp(r->bands[i].code, code->value);
	for (i = 0; i < r->nbands && !want; i++)
		if (x >= r->bands[i].lo)
			want = r->bands[i].code;
	if (known && (!want || !strcmp(want, code->value)))
		return;
	fp_buf_reset(&c->a);
	fp_put_what(&c->a, c, code->table, code->row, code->field);
	fp_buf_reset(&c->b);
	fp_put_what(&c->b, c, num->table, num->row, num->field);
	fp_buf_reset(&c->tmp);
	if (!known)
		for (i = 0; i < r->nbands; i++)
			fp_buf_printf(&c->tmp, "%s%s", i ? ", " : "",
			    fp_value_shown(c->m, code->table, code->field,
			    r->bands[i].code));
	else
		fp_buf_adds(&c->tmp, fp_value_shown(c->m, code->table,
		    code->field, want));
	fp_word(&w, "what", c->a.s);
	fp_word(&w, "value", fp_value_shown(c->m, code->table, code->field,
	    code->value));
	fp_word(&w, "other", c->b.s);
	fp_word(&w, "number", num->value);
	fp_word(&w, "expected", c->tmp.s);
	fp_fill(c, fp_template(c, r, known ? FP_MSG_BAND : FP_MSG_CHOICE), &w);
	fp_report(c, r, code->table, code->row, code->field, code->source);
}

/* meets: each value against its target, in its row (or the one named). */
static void
rule_meets(struct fp_checker *c, const struct fp_rule *r)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		struct gfact *g = &c->f[i], *target;
		struct fp_words w = { { 0 }, { 0 }, 0 };
		const struct fp_table *bt;

		if (!ref_matches(&r->a, g) || !fp_rule_applies(c, r, g->row))
			continue;
		bt = fp_mapping_table(c->m, r->b.table);
		target = fp_fact(c, r->b.table, r->b.row ? r->b.row :
		    bt && bt->kind != FP_TABLE_FIELDS ? g->row : "", r->b.field);
		if (meets(g, target) != 0)
			continue;
		fp_buf_reset(&c->a);
		fp_put_what(&c->a, c, g->table, g->row, g->field);
		fp_buf_reset(&c->b);
		fp_put_what(&c->b, c, target->table, target->row, target->field);
		fp_word(&w, "what", c->a.s);
		fp_word(&w, "value", fp_value_shown(c->m, g->table, g->field,
		    g->value));
		fp_word(&w, "other", c->b.s);
		fp_word(&w, "expected", target->value);
		fp_fill(c, fp_template(c, r, FP_MSG_MEETS), &w);
		fp_report(c, r, g->table, g->row, g->field, g->source);
	}
}

static int
num_cmp(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return (a > b) - (a < b);
}

/* 1 if x is one of the n sorted numbers v, within 1e-9. */
static int
in_numbers(const double *v, size_t n, double x)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (v[mid] < x - 1e-9)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && v[lo] <= x + 1e-9;
}

/*
 * listed: each value is one of the list's values (another column's, in
 * the rows its filters take, or one fact): the same text, or the same
 * number. The list is sorted once, so the work grows as the values and
 * the list do, each by a log. A list with no value says nothing.
 */
static void
rule_listed(struct fp_checker *c, const struct fp_rule *r)
{
	const struct fp_table *bt = fp_mapping_table(c->m, r->b.table);
	int rows = !r->b.row && bt && bt->kind != FP_TABLE_FIELDS;
	const struct trows *tr = rows ? fp_trows(c, r->b.table) : NULL;
	size_t i, n = 0, nnum = 0, most = tr ? tr->n : 1;
	struct fp_strix *v = fp_xcalloc(most + 1, sizeof *v);
	double *num = fp_xcalloc(most + 1, sizeof *num), x;

	for (i = 0; i < most; i++) {
		struct gfact *g;

		if (rows && (fp_coded_in_list(c, r->b.table, tr->rows[i]) ||
		    !fp_aggregate_takes(c, r, r->b.table, tr->rows[i], NULL)))
			continue;
		if (r->list_keys) {
			/* A unit's name, not a code (total). */
			if (!strcmp(fp_table_row_label(bt, tr->rows[i]),
			    tr->rows[i]))
				v[n++].s = tr->rows[i];
			continue;
		}
		g = fp_fact(c, r->b.table, rows ? tr->rows[i] : r->b.row ?
		    r->b.row : "", r->b.field);
		if (!g)
			continue;
		v[n++].s = g->value;
		if (fp_fact_number(g, &x))
			num[nnum++] = x;
	}
	for (i = 0; i < n; i++)
		v[i].i = i;
	qsort(v, n, sizeof *v, fp_strix_cmp);
	qsort(num, nnum, sizeof *num, num_cmp);
	for (i = 0; n && i < c->n; i++) {
		struct gfact *g = &c->f[i];
		struct fp_words w = { { 0 }, { 0 }, 0 };

		if (!ref_matches(&r->a, g) || !fp_rule_applies(c, r, g->row) ||
		    fp_strix_find(v, n, g->value, strlen(g->value)) ||
		    (fp_fact_number(g, &x) && in_numbers(num, nnum, x)))
			continue;
		fp_buf_reset(&c->a);
		fp_put_what(&c->a, c, g->table, g->row, g->field);
		fp_buf_reset(&c->b);
		fp_put_what(&c->b, c, r->b.table, r->b.row, r->list_keys ? NULL :
		    r->b.field);
		/* The keys by their column's header: 收入 单位名称. */
		if (r->list_keys && bt->key.n)
			fp_buf_printf(&c->b, " %s", bt->key.v[0]);
		fp_word(&w, "what", c->a.s);
		fp_word(&w, "value", fp_value_shown(c->m, g->table, g->field,
		    g->value));
		fp_word(&w, "other", c->b.s);
		fp_fill(c, fp_template(c, r, FP_MSG_LISTED), &w);
		fp_report(c, r, g->table, g->row, g->field, g->source);
	}
	free(v);
	free(num);
}

static void
rule_pattern(struct fp_checker *c, const struct fp_rule *r)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		const struct gfact *g = &c->f[i];
		struct fp_words w = { { 0 }, { 0 }, 0 };

		if (!in_refs(r->refs, r->nrefs, g) ||
		    !fp_regexec(&r->re, g->value, 0, NULL, 0) ||
		    !fp_rule_applies(c, r, g->row))
			continue;
		fp_buf_reset(&c->a);
		fp_put_what(&c->a, c, g->table, g->row, g->field);
		fp_buf_reset(&c->tmp);
		if (r->what)
			fp_buf_adds(&c->tmp, r->what);
		else
			fp_buf_printf(&c->tmp, "\"%s\"", r->pattern);
		fp_word(&w, "what", c->a.s);
		fp_word(&w, "value", fp_value_shown(c->m, g->table, g->field,
		    g->value));
		fp_word(&w, "expected", c->tmp.s);
		fp_fill(c, fp_template(c, r, FP_MSG_PATTERN), &w);
		fp_report(c, r, g->table, g->row, g->field, g->source);
	}
}

/*
 * Records the record as seen; 0 if it was seen before. Who it is goes by
 * the label form of its words: a name written with full-width brackets
 * once and half-width ones again, or with a space more, is the same.
 */
static int
first_time(struct fp_checker *c)
{
	size_t mask, h, w;

	fp_buf_reset(&c->tmp);
	for (w = 0; w < 4; w++) {
		if (w)
			fp_buf_addc(&c->tmp, '\037');
		fp_norm_label(&c->tmp, c->who[w], strlen(c->who[w]));
	}
	if (c->nseen * 2 >= c->capseen) {
		char **old = c->seen;
		size_t oldcap = c->capseen, i;

		c->capseen *= 2;
		c->seen = fp_xcalloc(c->capseen, sizeof *c->seen);
		for (i = 0; i < oldcap; i++) {
			if (!old[i])
				continue;
			for (h = fp_hash_slot(fp_hash(FP_HASH_INIT, old[i]),
			    c->capseen - 1); c->seen[h];
			    h = (h + 1) & (c->capseen - 1))
				;
			c->seen[h] = old[i];
		}
		free(old);
	}
	mask = c->capseen - 1;
	for (h = fp_hash_slot(fp_hash(FP_HASH_INIT, c->tmp.s), mask);
	    c->seen[h]; h = (h + 1) & mask)
		if (!strcmp(c->seen[h], c->tmp.s))
			return 0;
	c->seen[h] = fp_xstrdup(c->tmp.s);
	c->nseen++;
	return 1;
}

static void
rule_unique(struct fp_checker *c, const struct fp_rule *r, int first)
{
	struct fp_words w = { { 0 }, { 0 }, 0 };
	const struct gfact *g;
	size_t i;

	if (first)
		return;
	/* Name the record's first row-less fact: where it says who it is. */
	g = c->n ? &c->f[0] : NULL;
	for (i = 0; i < c->n; i++)
		if (!*c->f[i].row) {
			g = &c->f[i];
			break;
		}
	fp_buf_reset(&c->a);
	fp_buf_printf(&c->a, "%s %s%s%s", c->who[1], c->who[2],
	    *c->who[3] ? " " : "", c->who[3]);
	fp_word(&w, "who", c->a.s);
	fp_word(&w, "dept", c->who[1]);
	fp_word(&w, "year", c->who[2]);
	fp_word(&w, "record", c->who[3]);
	fp_fill(c, fp_template(c, r, FP_MSG_UNIQUE), &w);
	fp_report(c, r, g ? g->table : "", g ? g->row : "", g ? g->field : "",
	    g ? g->source : "");
}

/* ---- The stream -------------------------------------------------------- */

/* Evaluates every rule over the record in hand, then forgets it. */
static void
evaluate(struct fp_checker *c)
{
	size_t i, errors = c->count[FP_SEV_ERROR];
	size_t warnings = c->count[FP_SEV_WARNING];
	int first;

	if (!c->n) {
		clear_record(c);
		return;
	}
	index_rows(c);
	first = first_time(c);
	for (i = 0; i < c->m->nrules; i++) {
		const struct fp_rule *r = &c->m->rules[i];

		if (!record_applies(c, r))
			continue;
		switch (r->kind) {
		case FP_RULE_SUM:
			rule_sum(c, r);
			break;
		case FP_RULE_UNITS:
			fp_rule_units(c, r);
			break;
		case FP_RULE_MIN:
		case FP_RULE_RANGE:
			rule_bounds(c, r);
			break;
		case FP_RULE_REQUIRED:
			rule_required(c, r);
			break;
		case FP_RULE_BAND:
			rule_band(c, r);
			break;
		case FP_RULE_UNIQUE:
			rule_unique(c, r, first);
			break;
		case FP_RULE_EXPR:
			fp_rule_expr(c, r);
			break;
		case FP_RULE_PATTERN:
			rule_pattern(c, r);
			break;
		case FP_RULE_MEETS:
			rule_meets(c, r);
			break;
		case FP_RULE_LISTED:
			rule_listed(c, r);
			break;
		default:
			break;
		}
	}
	if (c->on_record) {
		struct fp_rec_fact *v = fp_xreallocarray(NULL, c->n, sizeof *v);
		struct fp_who who;

		for (i = 0; i < c->n; i++) {
			v[i].table = c->f[i].table;
			v[i].row = c->f[i].row;
			v[i].field = c->f[i].field;
			v[i].value = c->f[i].value;
			v[i].source = c->f[i].source;
		}
		who.form = c->who[0];
		who.dept = c->who[1];
		who.year = c->who[2];
		who.record = c->who[3];
		who.file = c->who[4];
		c->on_record(c->ctx, c->m, &who, v, c->n,
		    c->count[FP_SEV_ERROR] - errors,
		    c->count[FP_SEV_WARNING] - warnings);
		free(v);
	}
	clear_record(c);
}

/* 1 if the fact belongs to another record than the one in hand. */
static int
other_record(const struct fp_checker *c, const struct fp_canon_fact *f)
{
	return strcmp(c->who[0], f->form) || strcmp(c->who[1], f->dept) ||
	    strcmp(c->who[2], f->year) || strcmp(c->who[3], f->record) ||
	    strcmp(c->who[4], f->file);
}

/* Says once per form, table and field that the mapping does not know it. */
static void
check_known(struct fp_checker *c, const struct fp_canon_fact *f)
{
	const struct fp_table *t = fp_mapping_table(c->m, f->table);
	size_t i;

	if (!c->on_unknown || (t && fp_table_field(t, f->field)))
		return;
	fp_buf_reset(&c->tmp);
	fp_buf_printf(&c->tmp, "%s\037%s\037%s", c->m->name, f->table,
	    t ? f->field : "");
	for (i = 0; i < c->nunknown; i++)
		if (!strcmp(c->unknown[i], c->tmp.s))
			return;
	if (c->nunknown == c->capunknown) {
		c->capunknown = c->capunknown ? c->capunknown * 2 : 8;
		c->unknown = fp_xreallocarray(c->unknown, c->capunknown,
		    sizeof *c->unknown);
	}
	c->unknown[c->nunknown++] = fp_xstrdup(c->tmp.s);
	c->on_unknown(c->ctx, c->m, f);
}

enum fp_err
fp_checker_add(struct fp_checker *c, const struct fp_canon_fact *f,
    struct fp_diag *d)
{
	const struct fp_mapping *next;
	struct gfact *g;
	int ends = 0;

	if (c->n) {
		if (f->first || other_record(c, f)) {
			ends = 1;
		} else if ((g = fp_fact(c, f->table, f->row, f->field))) {
			/*
			 * A line repeated is the same fact; the same fact from
			 * another cell, with another value, or the record's
			 * first fact again after others is a second form.
			 */
			if (!strcmp(g->value, f->value) &&
			    !strcmp(g->source, f->source) &&
			    (g != &c->f[0] || c->n == 1))
				return FP_OK;
			ends = 1;
		}
	}
	if (!c->n || ends) {
		/*
		 * The next record's mapping first: a fact of no known form
		 * stops the stream before the record it cut short is
		 * checked (its missing facts are not missing).
		 */
		if (!(next = c->resolve(c->rctx, f->form, d)))
			return FP_EMAPPING;
		if (ends)
			evaluate(c);
		clear_record(c);
		c->m = next;
		c->who[0] = fp_xstrdup(f->form);
		c->who[1] = fp_xstrdup(f->dept);
		c->who[2] = fp_xstrdup(f->year);
		c->who[3] = fp_xstrdup(f->record);
		c->who[4] = fp_xstrdup(f->file);
	}
	check_known(c, f);
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 128;
		c->f = fp_xreallocarray(c->f, c->cap, sizeof *c->f);
	}
	if ((c->n + 1) * 2 > c->nslots) {
		size_t i;

		c->nslots *= 2;
		free(c->slots);
		c->slots = fp_xcalloc(c->nslots, sizeof *c->slots);
		for (i = 0; i < c->n; i++)
			index_put(c, i);
	}
	g = &c->f[c->n];
	{
		const char *v[5] = { f->table, f->row, f->field, f->value,
		    f->source };
		size_t len[5], total = 0, k;
		char *p;

		for (k = 0; k < 5; k++)
			total += (len[k] = strlen(v[k])) + 1;
		p = fp_xmalloc(total);
		g->table = p;
		for (k = 0; k < 5; k++) {
			memcpy(p, v[k], len[k] + 1);
			if (k == 1)
				g->row = p;
			else if (k == 2)
				g->field = p;
			else if (k == 3)
				g->value = p;
			else if (k == 4)
				g->source = p;
			p += len[k] + 1;
		}
	}
	g->nan_said = 0;
	g->isnum = 0;
	index_put(c, c->n);
	c->n++;
	return FP_OK;
}

void
fp_checker_on_unknown(struct fp_checker *c, fp_unknown_fn fn)
{
	c->on_unknown = fn;
}

void
fp_checker_on_record(struct fp_checker *c, fp_record_fn fn)
{
	c->on_record = fn;
}

void
fp_checker_finish(struct fp_checker *c)
{
	evaluate(c);
}

size_t
fp_checker_count(const struct fp_checker *c, enum fp_severity sev)
{
	return c->count[sev];
}

void
fp_checker_free(struct fp_checker *c)
{
	size_t i;

	if (!c)
		return;
	clear_record(c);
	free(c->f);
	free(c->slots);
	free(c->tr);
	for (i = 0; i < c->capseen; i++)
		free(c->seen[i]);
	free(c->seen);
	for (i = 0; i < c->nunknown; i++)
		free(c->unknown[i]);
	free(c->unknown);
	fp_buf_release(&c->msg);
	fp_buf_release(&c->tmp);
	fp_buf_release(&c->shown);
	fp_buf_release(&c->a);
	fp_buf_release(&c->b);
	free(c);
}

static int
fp_ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), k = strlen(tail);

	return n >= k && !memcmp(s + n - k, tail, k);
}

void
fp_finding_line(struct fp_buf *b, const struct fp_finding *f)
{
	const char *sev = f->m->msgs[f->severity == FP_SEV_ERROR ?
	    FP_MSG_ERROR : FP_MSG_WARNING];
	const char *who[3] = { f->who.dept, f->who.year, f->who.record };
	size_t i, n = 0;

	if (*f->who.file)
		fp_buf_printf(b, "%s: ", f->who.file);
	for (i = 0; i < 3; i++)
		if (*who[i])
			fp_buf_printf(b, "%s%s", n++ ? " " : "", who[i]);
	fp_buf_printf(b, "%s%s: %s", n ? ": " : "", sev, f->message);
	/* A full-width bracket brings its own space. */
	if (*f->source)
		fp_buf_printf(b, "%s(%s)", fp_ends_with(f->message,
		    "\xef\xbc\x89") ? "" : " ", f->source);
	fp_buf_addc(b, '\n');
}

void
fp_finding_csv(struct fp_buf *b, const struct fp_finding *f)
{
	const char *v[] = {
		f->severity == FP_SEV_ERROR ? "error" : "warning",
		f->who.form, f->who.dept, f->who.year, f->who.record, f->table,
		f->row, f->field, f->rule, f->message, f->source, f->who.file,
	};
	size_t i;

	for (i = 0; i < sizeof v / sizeof v[0]; i++) {
		if (i)
			fp_buf_addc(b, ',');
		fp_csv_field(b, v[i], strlen(v[i]));
	}
	fp_buf_addc(b, '\n');
}
