/*
 * The units rule: a table's total row against the sum of its other rows
 * (a list's numbered items, not its coded rows); in a nested table,
 * each row over others against the rows right under it; in a list with
 * a brace row code (row {method}_sub 小计), each group's subtotal
 * against the group's items. A rule's where leaves rows out of the sums.
 */
#include "rules_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/*
 * The total row of one field against the sum of the other rows: in a
 * list, of its numbered rows (the items, not a subtotal row's code).
 */
static void
units_field(struct fp_checker *c, const struct fp_rule *r,
    const struct trows *tr, const char *t, const char *f)
{
	const struct gfact *g = fp_fact(c, t, FP_ROW_TOTAL, f);
	double total, sum = 0, x;
	size_t i;
	int ok = 1, any = 0;

	if (!fp_value_or_zero(c, r, t, FP_ROW_TOTAL, f, &total))
		return;
	for (i = 0; i < tr->n; i++) {
		struct gfact *u;

		if (!strcmp(tr->rows[i], FP_ROW_TOTAL) ||
		    fp_coded_in_list(c, t, tr->rows[i]) ||
		    !fp_aggregate_takes(c, r, t, tr->rows[i], NULL))
			continue;
		u = fp_fact(c, t, tr->rows[i], f);
		if (!u)
			continue;
		any = 1;
		if (!fp_fact_number(u, &x)) {
			fp_not_number(c, r, u);
			ok = 0;
			continue;
		}
		sum += x;
	}
	if (ok && (g || any) && fabs(total - sum) > r->tolerance + 1e-9)
		fp_mismatch(c, r, FP_MSG_UNITS, t, FP_ROW_TOTAL, f, g, total,
		    sum);
}

/*
 * Each row's place in a nested table: the index in tr of the row whose
 * key is the longest that starts its own (201 for 20101, where the
 * table has no 2010 row), SIZE_MAX for a top row and for the total row.
 * In the keys sorted, a key's prefixes come before it and every key
 * between a prefix and the key starts with the prefix, so a stack of
 * the keys each starting the next holds every row's parent when its
 * turn comes: linear in the keys' length after the sort.
 */
static size_t *
nest_parents(const struct trows *tr)
{
	struct fp_strix *by = fp_xreallocarray(NULL, tr->n + 1, sizeof *by);
	struct stacked {
		const char *key;
		size_t len, i;
	} *stack = fp_xreallocarray(NULL, tr->n + 1, sizeof *stack);
	size_t *up = fp_xcalloc(tr->n + 1, sizeof *up), n = 0, i, d;

	for (i = 0; i < tr->n; i++) {
		by[i].s = tr->rows[i];
		by[i].i = i;
		up[i] = SIZE_MAX;
	}
	qsort(by, tr->n, sizeof *by, fp_strix_cmp);
	for (i = 0; i < tr->n; i++) {
		const char *key = by[i].s;

		if (!strcmp(key, FP_ROW_TOTAL))
			continue;
		while (n && strncmp(stack[n - 1].key, key, stack[n - 1].len))
			n--;
		/*
		 * Those left start this key: its parent is the longest not
		 * empty, not the key again, not ending inside a character.
		 */
		for (d = n; d; d--) {
			unsigned char next = key[stack[d - 1].len];

			if (stack[d - 1].len && next && (next & 0xc0) != 0x80)
				break;
		}
		if (d)
			up[by[i].i] = stack[d - 1].i;
		stack[n].key = key;
		stack[n].len = strlen(key);
		stack[n++].i = by[i].i;
	}
	free(stack);
	free(by);
	return up;
}

/*
 * A nested table's field: each row over others equals the sum of the
 * rows right under it (201 of 20101 and 20102, each of its 项 rows), and
 * the total row, where the table has one, the sum of the top rows.
 */
static void
nested_field(struct fp_checker *c, const struct fp_rule *r,
    const struct trows *tr, const size_t *up, int has_total, const char *t,
    const char *f)
{
	double *sum = fp_xcalloc(tr->n + 1, sizeof *sum), top = 0, x;
	/* Per row: 1 if rows are under it, 2 if one is not a number. */
	unsigned char *under = fp_xcalloc(tr->n + 1, 1);
	int anytop = 0, badtop = 0;
	size_t i;

	for (i = 0; i < tr->n; i++) {
		struct gfact *u;
		int ok;

		if (!strcmp(tr->rows[i], FP_ROW_TOTAL) ||
		    !fp_aggregate_takes(c, r, t, tr->rows[i], NULL) ||
		    !(u = fp_fact(c, t, tr->rows[i], f)))
			continue;
		if (!(ok = fp_fact_number(u, &x)))
			fp_not_number(c, r, u);
		if (up[i] == SIZE_MAX) {
			top += ok ? x : 0;
			anytop = 1;
			badtop |= !ok;
		} else {
			sum[up[i]] += ok ? x : 0;
			under[up[i]] |= ok ? 1 : 3;
		}
	}
	for (i = 0; i < tr->n; i++) {
		const struct gfact *g = fp_fact(c, t, tr->rows[i], f);

		if (under[i] == 1 && fp_value_or_zero(c, r, t, tr->rows[i], f,
		    &x) && fabs(x - sum[i]) > r->tolerance + 1e-9)
			fp_mismatch(c, r, FP_MSG_UNITS, t, tr->rows[i], f, g, x,
			    sum[i]);
	}
	if (has_total && !badtop && fp_value_or_zero(c, r, t, FP_ROW_TOTAL, f,
	    &x)) {
		const struct gfact *g = fp_fact(c, t, FP_ROW_TOTAL, f);

		if ((g || anytop) && fabs(x - top) > r->tolerance + 1e-9)
			fp_mismatch(c, r, FP_MSG_UNITS, t, FP_ROW_TOTAL, f, g,
			    x, top);
	}
	free(sum);
	free(under);
}

/* A group's sum since its last subtotal. */
struct group {
	double sum;
	int any, bad;
	int seen;		/* a subtotal of it met */
	const char *above;	/* its subtotal over the items to come */
};

/* The group of the len bytes at code, by the codes' index ix, or NULL. */
static struct group *
group_of(const struct fp_strix *ix, struct group *g, size_t n,
    const char *code, size_t len)
{
	const struct fp_strix *hit = fp_strix_find(ix, n, code, len);

	return hit ? &g[hit->i] : NULL;
}

/*
 * The length of key's group's code in a brace row code's key, prefix
 * plen and suffix suffix around it (open_sub, open_sub（2）: 4), or 0.
 */
static size_t
group_len(const char *key, size_t plen, const char *suffix)
{
	size_t len = strlen(key), slen = strlen(suffix), n;

	/* A subtotal met again (open_sub（2）): its count taken off. */
	if (len >= 5 && !strcmp(key + len - 3, "\xef\xbc\x89")) {
		for (n = len - 3; n > 0 && key[n - 1] >= '0' &&
		    key[n - 1] <= '9'; n--)
			;
		if (n >= 3 && n < len - 3 &&
		    !strncmp(key + n - 3, "\xef\xbc\x88", 3))
			len = n - 3;
	}
	if (len <= plen + slen || strncmp(key + len - slen, suffix, slen))
		return 0;
	return len - plen - slen;
}

/* Row key's field f against the group's sum; the sum starts again. */
static void
subtotal(struct fp_checker *c, const struct fp_rule *r, const char *t,
    const char *key, const char *f, struct group *in)
{
	const struct gfact *of = fp_fact(c, t, key, f);
	double sub;

	if (!in->bad && fp_value_or_zero(c, r, t, key, f, &sub) &&
	    (of || in->any) && fabs(sub - in->sum) > r->tolerance + 1e-9)
		fp_mismatch(c, r, FP_MSG_UNITS, t, key, f, of, sub, in->sum);
	in->sum = 0;
	in->any = in->bad = 0;
}

/*
 * A list's subtotals by a brace row code (row {method}_sub 小计): each
 * row keyed open_sub equals the sum of field f over the items above it
 * whose method is open, since open's last subtotal. The rows are walked
 * in the form's order, each group's sum found by bisection among the
 * codes of the field (fp_strix): n log n.
 */
static void
group_field(struct fp_checker *c, const struct fp_rule *r,
    const struct fp_table *tab, const struct trows *tr, const char *code,
    const char *f)
{
	const char *open = strchr(code, '{'), *close = strchr(code, '}');
	const struct fp_field *by;
	struct fp_strix *ix;
	struct group *g;
	size_t plen, ng, i, len, k;
	char *name;

	if (!open || !close || close < open)
		return;
	plen = (size_t)(open - code);
	name = fp_xstrndup(open + 1, (size_t)(close - open - 1));
	by = fp_table_field(tab, name);
	if (!by || !by->ncodes) {
		free(name);
		return;
	}
	ng = by->ncodes;
	g = fp_xcalloc(ng + 1, sizeof *g);
	ix = fp_xcalloc(ng + 1, sizeof *ix);
	for (k = 0; k < ng; k++) {
		ix[k].s = by->codes[k].canon;
		ix[k].i = k;
	}
	qsort(ix, ng, sizeof *ix, fp_strix_cmp);
	for (i = 0; i < tr->n; i++) {
		const char *key = tr->rows[i];
		const struct gfact *of;
		struct gfact *u;
		struct group *in;
		double x;

		if (!strcmp(key, FP_ROW_TOTAL) ||
		    !fp_aggregate_takes(c, r, tab->name, key, NULL))
			continue;
		if (!fp_coded_in_list(c, tab->name, key)) {
			/* An item: into its group's sum. */
			if (!(of = fp_fact(c, tab->name, key, name)) ||
			    !(in = group_of(ix, g, ng, of->value,
			    strlen(of->value))) ||
			    !(u = fp_fact(c, tab->name, key, f)))
				continue;
			in->any = 1;
			if (!fp_fact_number(u, &x)) {
				fp_not_number(c, r, u);
				in->bad = 1;
			} else {
				in->sum += x;
			}
			continue;
		}
		/*
		 * A subtotal: under its items, their sum, which starts again
		 * after it; over them (the group's first row), the sum of the
		 * items to come, up to its next subtotal or the end.
		 */
		if (strncmp(key, code, plen) || !(len = group_len(key, plen,
		    close + 1)) || !(in = group_of(ix, g, ng, key + plen,
		    len)))
			continue;
		if (!in->seen++ && !in->any) {
			in->above = key;
			continue;
		}
		subtotal(c, r, tab->name, in->above ? in->above : key, f, in);
		if (in->above)
			in->above = key;
	}
	for (k = 0; k < ng; k++)
		if (g[k].above)
			subtotal(c, r, tab->name, g[k].above, f, &g[k]);
	free(ix);
	free(g);
	free(name);
}

/*
 * One field of a table: a nested table's levels; else the total against
 * the rows, and a list's subtotals against their groups' items.
 */
static void
units_of(struct fp_checker *c, const struct fp_rule *r,
    const struct fp_table *tab, const struct trows *tr, const size_t *up,
    int has_total, const char *f)
{
	size_t i;

	if (up) {
		nested_field(c, r, tr, up, has_total, tab->name, f);
		return;
	}
	if (has_total)
		units_field(c, r, tr, tab->name, f);
	for (i = 0; tab->kind == FP_TABLE_LIST && i < tab->nrows; i++)
		if (strchr(tab->rows[i].canon, '{'))
			group_field(c, r, tab, tr, tab->rows[i].canon, f);
}

void
fp_rule_units(struct fp_checker *c, const struct fp_rule *r)
{
	size_t k, i;

	for (k = 0; k < r->nrefs; k++) {
		const struct fp_ref *ref = &r->refs[k];
		const struct fp_table *tab = fp_mapping_table(c->m, ref->table);
		const struct trows *tr = fp_trows(c, ref->table);
		size_t *up = NULL;
		int has_total = 0;

		if (!tab || tr->n < 2)
			continue;
		for (i = 0; i < tr->n; i++)
			has_total |= !strcmp(tr->rows[i], FP_ROW_TOTAL);
		if (tab->nested)
			up = nest_parents(tr);
		for (i = 0; i < tab->nfields; i++)
			if (!strcmp(ref->field, "*") ?
			    fp_rule_adds(r, tab, &tab->fields[i]) :
			    !strcmp(ref->field, tab->fields[i].name))
				units_of(c, r, tab, tr, up, has_total,
				    tab->fields[i].name);
		free(up);
	}
}
