/*
 * Group rows of a keyed table (mapping_apply_int.h): a row enumerated at
 * an outer level (二、局属二级机构) over rows enumerated at an inner one
 * ((一)第一中学, (二)第二中学), whose amounts are their sum, is their
 * subtotal, not a unit of its own: counted with them, the units would
 * add up to more than the table's total. Where its amounts are not the
 * sum, it stays a row, for check to show what does not add up. Rows no
 * code names under an item a code names, the first saying so (其中：上级
 * 补助资金, 县级配套资金 under 当年财政拨款), whose amounts are its own,
 * are its breakdown: no source of their own.
 */
#include "mapping_apply_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

struct grow {
	int level;		/* its enumerator's, 0 if it has none */
	enum fp_grow kind;
	int of_which;		/* its key cell starts 其中 */
	int sub;		/* its key cell ends 小计 */
	uint32_t row;		/* on the sheet */
	size_t from, to;	/* its facts in the record */
};

struct fp_groups {
	const struct fp_table *t;
	struct grow *v;
	size_t n, cap;
};

/* 1 if p starts with one or more Chinese numerals; *end past them. */
static int
han_numerals(const char *p, const char **end)
{
	static const char *const digit[] = {
		"\xe4\xb8\x80", "\xe4\xba\x8c", "\xe4\xb8\x89",	/* 一 二 三 */
		"\xe5\x9b\x9b", "\xe4\xba\x94", "\xe5\x85\xad",	/* 四 五 六 */
		"\xe4\xb8\x83", "\xe5\x85\xab", "\xe4\xb9\x9d",	/* 七 八 九 */
		"\xe5\x8d\x81",					/* 十 */
	};
	size_t i;
	int any = 0;

	for (;;) {
		for (i = 0; i < sizeof digit / sizeof digit[0]; i++)
			if (!strncmp(p, digit[i], 3))
				break;
		if (i == sizeof digit / sizeof digit[0])
			break;
		p += 3;
		any = 1;
	}
	*end = p;
	return any;
}

/*
 * The level of the enumerator a key (label form, brackets in ASCII)
 * starts with: 一、 1, (一) 2, 1、 or 1. 3, (1) 4, ① 5; 0 for none.
 */
static int
enum_level(const char *k)
{
	static const char dun[] = "\xe3\x80\x81";	/* 、 */
	const char *p;

	if (!k)
		return 0;
	if (han_numerals(k, &p) && (!strncmp(p, dun, 3) || *p == '.'))
		return 1;
	if (*k == '(' && han_numerals(k + 1, &p) && *p == ')')
		return 2;
	for (p = k; *p >= '0' && *p <= '9'; p++)
		;
	if (p > k && p - k <= 3 && (!strncmp(p, dun, 3) || *p == '.'))
		return 3;
	if (*k == '(' && k[1] >= '0' && k[1] <= '9') {
		for (p = k + 1; *p >= '0' && *p <= '9'; p++)
			;
		if (*p == ')')
			return 4;
	}
	/* ① to ⑳: U+2460 to U+2473. */
	if ((unsigned char)k[0] == 0xe2 && (unsigned char)k[1] == 0x91 &&
	    (unsigned char)k[2] >= 0xa0 && (unsigned char)k[2] <= 0xb3)
		return 5;
	return 0;
}

struct fp_groups *
fp_groups_new(const struct fp_table *t)
{
	struct fp_groups *g = fp_xcalloc(1, sizeof *g);

	g->t = t;
	return g;
}

void
fp_groups_free(struct fp_groups *g)
{
	if (!g)
		return;
	free(g->v);
	free(g);
}

/* 1 if s ends with end. */
static int
ends_with(const char *s, const char *end)
{
	size_t n = strlen(s), m = strlen(end);

	return n >= m && !strcmp(s + n - m, end);
}

void
fp_groups_row(struct fp_groups *g, const struct fp_fcell *kc,
    enum fp_grow kind, uint32_t row, size_t from, size_t to)
{
	int coded = kind != FP_GROW_UNIT;

	if (g->n == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 16;
		g->v = fp_xreallocarray(g->v, g->cap, sizeof *g->v);
	}
	g->v[g->n].level = coded || !kc ? 0 : enum_level(kc->label);
	g->v[g->n].kind = kind;
	g->v[g->n].sub = kind == FP_GROW_UNIT && kc && kc->label &&
	    ends_with(kc->label, "\xe5\xb0\x8f\xe8\xae\xa1");	/* 小计 */
	g->v[g->n].of_which = kc && kc->label &&
	    !strncmp(kc->label, "\xe5\x85\xb6\xe4\xb8\xad", 6);	/* 其中 */
	g->v[g->n].row = row;
	g->v[g->n].from = from;
	g->v[g->n++].to = to;
}

/* The amount of field f in row w's facts, in *x; 0 if it has none. */
static int
amount(const struct fp_record *rec, const struct grow *w, const char *f,
    double *x)
{
	size_t k;

	for (k = w->from; k < w->to; k++)
		if (!strcmp(rec->v[k].field, f))
			return fp_parse_number(rec->v[k].value,
			    strlen(rec->v[k].value), x);
	return 0;
}

/*
 * 1 if row i is the subtotal of the rows under it at the next inner
 * level, to the next row at its own level or an outer one: each amount
 * it has is theirs added up (within tol), one amount at least.
 */
static int
is_group(const struct fp_groups *g, const struct fp_record *rec, size_t i,
    double tol)
{
	const struct fp_table *t = g->t;
	size_t j, k, end;
	int inner, any = 0;

	if (!g->v[i].level || i + 1 >= g->n ||
	    g->v[i + 1].level <= g->v[i].level)
		return 0;
	inner = g->v[i + 1].level;
	for (end = i + 1; end < g->n && g->v[end].level > g->v[i].level;
	    end++)
		if (g->v[end].level < inner)
			inner = g->v[end].level;
	for (k = 0; k < t->nfields; k++) {
		double own, sum = 0, x;

		if (!fp_type_numeric(t->fields[k].type) ||
		    !amount(rec, &g->v[i], t->fields[k].name, &own))
			continue;
		for (j = i + 1; j < end; j++)
			if (g->v[j].level == inner && amount(rec, &g->v[j],
			    t->fields[k].name, &x))
				sum += x;
		if (fabs(own - sum) > tol)
			return 0;
		any = 1;
	}
	return any;
}

/*
 * The number of rows after item row i that are its breakdown: rows no
 * code names, up to the next row one does, the first saying so (其中：),
 * whose amounts (money, in a table with money) add up to each of its own
 * (within tol), one of them not 0. 0 if there are none or they do not
 * add up.
 */
static size_t
breakdown(const struct fp_groups *g, const struct fp_record *rec, size_t i,
    double tol)
{
	const struct fp_table *t = g->t;
	int money = fp_table_has_money(t), any = 0;
	size_t j, k, end;

	if (g->v[i].kind != FP_GROW_ITEM || i + 1 >= g->n ||
	    !g->v[i + 1].of_which)
		return 0;
	for (end = i + 1; end < g->n && g->v[end].kind == FP_GROW_UNIT; end++)
		;
	if (end == i + 1)
		return 0;
	for (k = 0; k < t->nfields; k++) {
		double own, sum = 0, x;

		if (!(money ? t->fields[k].type == FP_T_MONEY :
		    fp_type_numeric(t->fields[k].type)) ||
		    !amount(rec, &g->v[i], t->fields[k].name, &own))
			continue;
		for (j = i + 1; j < end; j++)
			if (amount(rec, &g->v[j], t->fields[k].name, &x))
				sum += x;
		if (fabs(own - sum) > tol)
			return 0;
		any |= own != 0;
	}
	return any ? end - i - 1 : 0;
}

/*
 * 1 if row i, a unit named 小计 (二级机构小计), adds up the units right
 * above it, one or more, back to the table's first or a row none is
 * (the total, a coded row, a group, another subtotal): each amount it
 * has their sum (within tol), one not 0.
 */
static int
is_subtotal(const struct fp_groups *g, const struct fp_record *rec,
    const unsigned char *drop, size_t i, double tol)
{
	const struct fp_table *t = g->t;
	double *sum;
	size_t j, k;
	int ok = 0;

	if (!g->v[i].sub || !i)
		return 0;
	sum = fp_xcalloc(t->nfields + 1, sizeof *sum);
	for (j = i; j-- > 0 && !ok;) {
		int any = 0, all = 1;

		if (g->v[j].kind != FP_GROW_UNIT || g->v[j].sub || drop[j])
			break;
		for (k = 0; k < t->nfields; k++) {
			double own, x;

			if (!fp_type_numeric(t->fields[k].type))
				continue;
			if (amount(rec, &g->v[j], t->fields[k].name, &x))
				sum[k] += x;
			if (!amount(rec, &g->v[i], t->fields[k].name, &own))
				continue;
			if (fabs(own - sum[k]) > tol)
				all = 0;
			any |= own != 0;
		}
		ok = all && any;
	}
	free(sum);
	return ok;
}

size_t
fp_groups_drop(struct fp_groups *g, struct fp_record *rec, double tol,
    struct fp_groups_said *said)
{
	unsigned char *drop;
	size_t i, k, w, gone = 0;

	memset(said, 0, sizeof *said);
	if (g->n < 2)
		return 0;
	drop = fp_xcalloc(g->n, 1);
	for (i = 0; i < g->n; i++)
		if ((drop[i] = (unsigned char)is_group(g, rec, i, tol)) &&
		    !said->groups++)
			said->group1 = g->v[i].row;
	for (i = 0; i < g->n; i++)
		if (!drop[i] && (drop[i] = (unsigned char)is_subtotal(g, rec,
		    drop, i, tol)) && !said->subs++)
			said->sub1 = g->v[i].row;
	for (gone = said->groups + said->subs, i = 0; i < g->n; i++) {
		size_t j, parts = drop[i] ? 0 : breakdown(g, rec, i, tol);

		for (j = i + 1; j <= i + parts; j++)
			drop[j] = 1;
		if (parts && !said->parts++)
			said->part1 = g->v[i].row;
		gone += parts;
		i += parts;
	}
	/* Their facts go; the others keep their order. */
	for (i = 0, w = k = 0; gone && k < rec->n; k++) {
		while (i < g->n && k >= g->v[i].to)
			i++;
		if (i < g->n && k >= g->v[i].from && drop[i])
			fp_fact_release(&rec->v[k]);
		else
			rec->v[w++] = rec->v[k];
	}
	if (gone)
		rec->n = w;
	free(drop);
	return gone;
}

/* The index of t's field named n chars of name, or t->nfields. */
static size_t
field_named_n(const struct fp_table *t, const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < t->nfields; i++)
		if (strlen(t->fields[i].name) == n &&
		    !strncmp(t->fields[i].name, name, n))
			break;
	return i;
}

/* 1 if value is one of code field f's codes. */
static int
is_code(const struct fp_field *f, const char *value)
{
	size_t i;

	for (i = 0; i < f->ncodes; i++)
		if (!strcmp(f->codes[i].canon, value))
			return 1;
	return 0;
}

void
fp_groups_last(const struct fp_table *t, const struct fp_record *rec,
    size_t from, char **last)
{
	size_t k, i;

	for (k = from; k < rec->n; k++) {
		i = field_named_n(t, rec->v[k].field, strlen(rec->v[k].field));
		if (i < t->nfields && t->fields[i].type == FP_T_CODE &&
		    is_code(&t->fields[i], rec->v[k].value)) {
			free(last[i]);
			last[i] = fp_xstrdup(rec->v[k].value);
		}
	}
}

char *
fp_groups_key(const struct fp_table *t, const char *tmpl,
    const struct fp_record *rec, size_t from, char *const *last)
{
	const char *open = strchr(tmpl, '{'), *close, *code = NULL;
	struct fp_buf b = FP_BUF_INIT;
	size_t i, k;

	close = open ? strchr(open, '}') : NULL;
	if (!close)
		return fp_xstrdup(tmpl);
	i = field_named_n(t, open + 1, (size_t)(close - open - 1));
	for (k = from; i < t->nfields && k < rec->n && !code; k++)
		if (!strcmp(rec->v[k].field, t->fields[i].name) &&
		    is_code(&t->fields[i], rec->v[k].value))
			code = rec->v[k].value;
	if (!code && i < t->nfields)
		code = last[i];
	fp_buf_add(&b, tmpl, (size_t)(open - tmpl));
	fp_buf_adds(&b, code ? code : "");
	fp_buf_adds(&b, close + 1);
	return fp_buf_detach(&b);
}
