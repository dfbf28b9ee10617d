/*
 * What makes a parsed mapping whole: defaults for what the text left out
 * (a column found by its own label, `take colon right`, the English
 * messages and workbook labels), the placeholders of each field's type,
 * every reference checked against the tables and fields it names, and
 * the set of labels that mark a place on the form.
 */
#include "mapping_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "normalize.h"

/* The messages a mapping that says nothing of them gets. */
static const char *const default_msgs[FP_NMSGS] = {
	[FP_MSG_SUM] = "{what} {value} \xe2\x89\xa0 sum of parts {expected} "
	    "(difference {diff})",
	[FP_MSG_UNITS] = "{what} {value} \xe2\x89\xa0 sum of units {expected} "
	    "(difference {diff})",
	[FP_MSG_MIN] = "{what} {value} < {low}",
	[FP_MSG_REQUIRED] = "{what} is missing",
	[FP_MSG_RANGE] = "{what} {value} is outside {low}..{high}",
	[FP_MSG_BAND] = "{what} {value} does not agree with {other} {number} "
	    "(it is {expected})",
	[FP_MSG_UNIQUE] = "{who} appears more than once",
	[FP_MSG_EXPR] = "{what} {value} {fails} {rhs} (difference {diff})",
	[FP_MSG_PATTERN] = "{what} '{value}' is not {expected}",
	[FP_MSG_CHOICE] = "{what} '{value}' is not one of {expected}",
	[FP_MSG_NUMBER] = "{what} '{value}' is not a number",
	[FP_MSG_DATE] = "{what} '{value}' is not a date",
	[FP_MSG_MEETS] = "{what} {value} does not meet {other} {expected}",
	[FP_MSG_LISTED] = "{what} '{value}' is none of {other}",
	[FP_MSG_ERROR] = "error",
	[FP_MSG_WARNING] = "warning",
	[FP_MSG_BLANK] = "blank",
};

const struct fp_table *
fp_mapping_table(const struct fp_mapping *m, const char *name)
{
	size_t i;

	for (i = 0; i < m->ntables; i++)
		if (!strcmp(m->tables[i].name, name))
			return &m->tables[i];
	return NULL;
}

const struct fp_field *
fp_table_field(const struct fp_table *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->nfields; i++)
		if (!strcmp(t->fields[i].name, name))
			return &t->fields[i];
	return NULL;
}

int
fp_table_has_money(const struct fp_table *t)
{
	size_t i;

	for (i = 0; i < t->nfields; i++)
		if (t->fields[i].type == FP_T_MONEY)
			return 1;
	return 0;
}

const char *
fp_field_shown(const struct fp_field *f, const char *value)
{
	size_t i;

	for (i = 0; f && f->type == FP_T_CODE && i < f->ncodes; i++)
		if (!strcmp(f->codes[i].canon, value))
			return f->codes[i].display;
	return value;
}

const struct fp_field *
fp_mapping_ref_field(const struct fp_mapping *m, const struct fp_ref *r)
{
	const struct fp_table *t = fp_mapping_table(m, r->table);

	return t ? fp_table_field(t, r->field) : NULL;
}

const char *
fp_table_row_label(const struct fp_table *t, const char *row)
{
	size_t i;

	for (i = 0; i < t->nrows; i++)
		if (!strcmp(t->rows[i].canon, row))
			return t->rows[i].display;
	return row;
}

int
fp_labels_match(const struct fp_labels *ls, const char *label)
{
	size_t i;

	if (!label)
		return 0;
	for (i = 0; i < ls->n; i++)
		if (strchr(ls->v[i], '*') ? fp_glob(ls->v[i], label) :
		    !strcmp(ls->v[i], label))
			return 1;
	return 0;
}

/*
 * A row named in a reference must be one the table can have: a fields
 * table has none, a list table's are 1, 2, …, and a keyed table that
 * gives its rows codes has those (a typo in a code would be a blank row
 * on every form); one whose rows are its units, with a total, any.
 */
/*
 * 1 if row is what row code code of table t makes: the code itself, or
 * one its {FIELD} filled with one of FIELD's codes (decision_sub of
 * {level1}_sub).
 */
static const struct fp_alias *
code_in(const struct fp_table *t, const char *code, const char *row)
{
	const char *open = strchr(code, '{'), *close;
	const struct fp_field *f = NULL;
	size_t pre, post, n, i;

	if (!open || !(close = strchr(open, '}')))
		return NULL;
	pre = (size_t)(open - code);
	post = strlen(close + 1);
	n = strlen(row);
	if (n < pre + post || strncmp(row, code, pre) ||
	    strcmp(row + n - post, close + 1))
		return NULL;
	for (i = 0; i < t->nfields; i++)
		if (strlen(t->fields[i].name) == (size_t)(close - open - 1) &&
		    !strncmp(t->fields[i].name, open + 1,
		    (size_t)(close - open - 1)))
			f = &t->fields[i];
	for (i = 0; f && i < f->ncodes; i++)
		if (strlen(f->codes[i].canon) == n - pre - post &&
		    !strncmp(f->codes[i].canon, row + pre, n - pre - post))
			return &f->codes[i];
	return NULL;
}

static int
row_of_code(const struct fp_table *t, const char *code, const char *row)
{
	return !strcmp(code, row) || code_in(t, code, row);
}

const char *
fp_table_row_shown(const struct fp_table *t, const char *row,
    struct fp_buf *b)
{
	const struct fp_alias *a;
	const char *label = fp_table_row_label(t, row);
	size_t i;

	if (label != row)
		return label;
	for (i = 0; i < t->nrows; i++)
		if ((a = code_in(t, t->rows[i].canon, row))) {
			fp_buf_reset(b);
			fp_buf_printf(b, "%s %s", a->display,
			    t->rows[i].display);
			return b->s;
		}
	return row;
}

/* A row code's {FIELD} must name a code column of its table, once. */
static enum fp_err
check_templates(struct parser *p, const struct fp_table *t)
{
	const char *code, *open, *close;
	size_t i, k;

	for (i = 0; i < t->nrows; i++) {
		code = t->rows[i].canon;
		if (!(open = strchr(code, '{')) && !strchr(code, '}'))
			continue;
		close = open ? strchr(open, '}') : NULL;
		for (k = 0; close && k < t->nfields; k++)
			if (strlen(t->fields[k].name) == (size_t)(close -
			    open - 1) && !strncmp(t->fields[k].name, open + 1,
			    (size_t)(close - open - 1)))
				break;
		if (!close || strchr(close + 1, '{') || k == t->nfields ||
		    t->fields[k].type != FP_T_CODE)
			return fp_perr(p, "table '%s': row code '%s' names no "
			    "code column in braces (row {level1}_sub 小计 = "
			    "小计)", t->name, code);
	}
	return FP_OK;
}

static enum fp_err
check_row(struct parser *p, const struct fp_table *t, const char *row)
{
	struct fp_buf b = FP_BUF_INIT;
	enum fp_err err;
	size_t i;

	switch (t->kind) {
	case FP_TABLE_FIELDS:
		return fp_perr(p, "table '%s' is a fields table: it has no "
		    "rows to name ('%s')", t->name, row);
	case FP_TABLE_LIST:
		i = strspn(row, "0123456789");
		if (i && !row[i] && row[0] != '0')
			return FP_OK;
		for (i = 0; i < t->nrows; i++) {
			if (row_of_code(t, t->rows[i].canon, row)) {
				fp_buf_release(&b);
				return FP_OK;
			}
			fp_buf_printf(&b, ", %s", t->rows[i].canon);
		}
		err = fp_perr(p, "table '%s' is a list: its rows are 1, 2, "
		    "…%s, not '%s'", t->name, b.s ? b.s : "", row);
		fp_buf_release(&b);
		return err;
	case FP_TABLE_KEYED:
		break;
	}
	/* Rows keyed by their units' names, and a total: any name. */
	if (t->nrows == 0 || (t->nrows == 1 && !strcmp(t->rows[0].canon,
	    "total")))
		return FP_OK;
	for (i = 0; i < t->nrows; i++)
		if (row_of_code(t, t->rows[i].canon, row))
			return FP_OK;
	for (i = 0; i < t->nrows; i++)
		fp_buf_printf(&b, "%s%s", i ? ", " : "", t->rows[i].canon);
	err = fp_perr(p, "table '%s' has no row '%s' (its rows: %s)",
	    t->name, row, b.s);
	fp_buf_release(&b);
	return err;
}

/* A reference must name a table and a field of it (or * if star_ok). */
static enum fp_err
check_ref(struct parser *p, const struct fp_ref *r, int star_ok)
{
	const struct fp_table *t = fp_mapping_table(p->m, r->table);

	if (!t)
		return fp_perr(p, "no table '%s'", r->table);
	if (!strcmp(r->field, "*")) {
		if (!star_ok)
			return fp_perr(p, "'%s.*' names many fields; name one",
			    r->table);
		return FP_OK;
	}
	if (!fp_table_field(t, r->field) && !strcmp(r->field, "row"))
		return fp_perr(p, "table '%s' has no field 'row' (a row's "
		    "key is %s.row only in a rule's where)", r->table,
		    r->table);
	if (!fp_table_field(t, r->field))
		return fp_perr(p, "table '%s' has no field '%s'", r->table,
		    r->field);
	return r->row ? check_row(p, t, r->row) : FP_OK;
}

struct walk_ctx {
	struct parser *p;
	enum fp_err err;
};

static void
walk_ref(void *arg, const struct fp_ref *r, int inside)
{
	struct walk_ctx *w = arg;

	(void)inside;
	if (!w->err)
		w->err = check_ref(w->p, r, 0);
}

/* 1 if a reference is read in the row being checked: a keyed or list table's, without a row. */
static int
row_wise_ref(const struct fp_mapping *m, const struct fp_ref *r)
{
	const struct fp_table *t = fp_mapping_table(m, r->table);

	return t && !r->row && t->kind != FP_TABLE_FIELDS;
}

/* 1 if rule r is checked row by row through table t's rows. */
static int
goes_through(const struct fp_rule *r, const char *t)
{
	struct fp_row_tables rt = { { 0 }, 0 };
	size_t k;

	switch (r->kind) {
	case FP_RULE_SUM:
		return !strcmp(r->table, t);
	case FP_RULE_MEETS:
	case FP_RULE_LISTED:
		return !r->a.row && !strcmp(r->a.table, t);
	case FP_RULE_EXPR:
		fp_expr_row_tables(r->left, &rt);
		fp_expr_row_tables(r->right, &rt);
		for (k = 0; k < rt.n; k++)
			if (!strcmp(rt.t[k], t))
				return 1;
		return 0;
	case FP_RULE_MIN:
	case FP_RULE_RANGE:
	case FP_RULE_PATTERN:
	case FP_RULE_REQUIRED:
		for (k = 0; k < r->nrefs; k++)
			if (strcmp(r->refs[k].table, t) || r->refs[k].row ||
			    (r->kind == FP_RULE_REQUIRED &&
			    !strcmp(r->refs[k].field, "*")))
				return 0;
		return r->nrefs > 0;
	default:
		return 0;
	}
}

/*
 * Makes *word its alias's canonical value where it is one of v's: the
 * value itself, how it is shown, or one of its labels. 1 if it is.
 */
static int
to_alias(const struct fp_alias *v, size_t n, char **word)
{
	struct fp_buf lab = FP_BUF_INIT;
	size_t i;

	fp_norm_label(&lab, *word, strlen(*word));
	for (i = 0; i < n; i++)
		if (!strcmp(v[i].canon, *word) || !strcmp(v[i].display, *word) ||
		    fp_labels_match(&v[i].alts, lab.s ? lab.s : ""))
			break;
	fp_buf_release(&lab);
	if (i == n)
		return 0;
	free(*word);
	*word = fp_xstrdup(v[i].canon);
	return 1;
}

/*
 * A band rule's words, where its field lists its values (or codes): each
 * one of them, made its canonical word (良 for 良好 = 良 | 良好(*), or
 * no form could ever agree.
 */
static enum fp_err
check_band_words(struct parser *p, struct fp_rule *r)
{
	const struct fp_table *t = fp_mapping_table(p->m, r->a.table);
	const struct fp_field *f = t ? fp_table_field(t, r->a.field) : NULL;
	const struct fp_alias *v;
	struct fp_buf all = FP_BUF_INIT;
	enum fp_err err;
	size_t i, n;

	if (!f)
		return FP_OK;
	v = f->ncodes ? f->codes : f->values;
	n = f->ncodes ? f->ncodes : f->nvalues;
	for (i = 0; n && i < r->nbands; i++) {
		size_t k;

		if (to_alias(v, n, &r->bands[i].code))
			continue;
		for (k = 0; k < n; k++)
			fp_buf_printf(&all, "%s%s", k ? ", " : "", v[k].canon);
		err = fp_perr(p, "'%s' is none of %s's values (%s)",
		    r->bands[i].code, f->name, all.s);
		fp_buf_release(&all);
		return err;
	}
	return FP_OK;
}

/*
 * A value of a code field, in the words of its code list: the code
 * itself, or one of the labels that stand for it (满意度指标 for
 * satisfaction). A word that is none of them can never hold.
 */
static enum fp_err
check_code_word(struct parser *p, const struct fp_field *f, char **word)
{
	struct fp_buf all = FP_BUF_INIT;
	enum fp_err err;
	size_t i;

	if (!f->ncodes || !**word || to_alias(f->codes, f->ncodes, word))
		return FP_OK;
	for (i = 0; i < f->ncodes; i++)
		fp_buf_printf(&all, "%s%s", i ? ", " : "", f->codes[i].canon);
	err = fp_perr(p, "'%s' is none of %s's codes (%s)", *word, f->name,
	    all.s);
	fp_buf_release(&all);
	return err;
}

struct aggregated {
	const char *table;
	int found;
};

static void
find_aggregated(void *arg, const struct fp_ref *r, int inside)
{
	struct aggregated *a = arg;

	if (inside && !r->row && !strcmp(r->table, a->table))
		a->found = 1;
}

/*
 * 1 if an expression rule takes sum, count, min or max of table t's rows,
 * or a listed rule looks for its value in them.
 */
static int
aggregates(const struct fp_rule *r, const char *t)
{
	struct aggregated a = { t, 0 };

	if (r->kind == FP_RULE_LISTED)
		return !r->b.row && !strcmp(r->b.table, t);
	if (r->kind != FP_RULE_EXPR)
		return 0;
	fp_expr_walk(r->left, find_aggregated, &a);
	fp_expr_walk(r->right, find_aggregated, &a);
	return a.found;
}

/* 1 if r is a units rule over table t: its where picks the rows it adds. */
static int
adds_rows(const struct fp_rule *r, const char *t)
{
	size_t k;

	for (k = 0; r->kind == FP_RULE_UNITS && k < r->nrefs; k++)
		if (!strcmp(r->refs[k].table, t))
			return 1;
	return 0;
}

static enum fp_err
not_through(struct parser *p, const struct fp_ref *r)
{
	return fp_perr(p, "'where %s.%s' is read row by row, but the rule "
	    "neither goes through the rows of '%s' nor adds them up (units, or "
	    "sum, count, min or max) (name a row: %s[ROW].%s)",
	    r->table, r->field, r->table, r->table, r->field);
}

/*
 * 1 if a condition names the row's own key: T.row, of a keyed or list
 * table with no field named row.
 */
static int
names_key(const struct fp_mapping *m, const struct fp_ref *r)
{
	const struct fp_table *t = fp_mapping_table(m, r->table);

	return t && t->kind != FP_TABLE_FIELDS && !strcmp(r->field, "row") &&
	    !fp_table_field(t, "row");
}

/*
 * A rule's conditions: each names a field, or the row's key; one read
 * in the row being checked needs a rule that goes through that table's
 * rows.
 */
static enum fp_err
check_where(struct parser *p, struct fp_rule *r)
{
	enum fp_err err;
	size_t i, k;

	for (i = 0; i < r->nwhere; i++) {
		struct fp_cond *c = &r->where[i];
		const struct fp_table *t;
		const struct fp_field *f;

		p->l.no = c->line;
		c->is_key = names_key(p->m, &c->ref);
		if (c->is_key && c->ref.row)
			return fp_perr(p, "'%s.row' is the key of the row being "
			    "checked: name no row", c->ref.table);
		if (c->is_key && (c->op == FP_COND_MEETS ||
		    c->op == FP_COND_MISSES))
			return fp_perr(p, "a row's key meets no target");
		if (!c->is_key && (err = check_ref(p, &c->ref, 0)))
			return err;
		t = fp_mapping_table(p->m, c->ref.table);
		f = fp_table_field(t, c->ref.field);
		c->per_row = row_wise_ref(p->m, &c->ref);
		c->filters = c->per_row && !goes_through(r, t->name) &&
		    (aggregates(r, t->name) || adds_rows(r, t->name));
		if (c->per_row && !c->filters && !goes_through(r, t->name))
			return not_through(p, &c->ref);
		/* = funds.name: a reference, where the mapping has its table. */
		c->by_ref = (c->op == FP_COND_IS || c->op == FP_COND_NOT) &&
		    c->target.table && fp_mapping_table(p->m, c->target.table);
		if (!c->by_ref && c->op != FP_COND_MEETS &&
		    c->op != FP_COND_MISSES)
			fp_ref_release(&c->target);
		c->target_is_key = c->by_ref && names_key(p->m, &c->target);
		if (c->target_is_key && c->target.row)
			return fp_perr(p, "'%s.row' is the key of a row: name no "
			    "row", c->target.table);
		if (c->by_ref || c->op == FP_COND_MEETS ||
		    c->op == FP_COND_MISSES) {
			if (!c->target_is_key &&
			    (err = check_ref(p, &c->target, 0)))
				return err;
			c->target_per_row = row_wise_ref(p->m, &c->target);
			/*
			 * A filter reads its target in the same row, or a
			 * reference in the row an expression rule checks
			 * (the fund whose payments it adds up).
			 */
			c->target_outer = c->by_ref && c->filters &&
			    c->target_per_row && r->kind == FP_RULE_EXPR &&
			    strcmp(c->target.table, t->name) &&
			    goes_through(r, c->target.table);
			if (c->target_per_row && !c->target_outer &&
			    (c->filters ? strcmp(c->target.table, t->name) :
			    !goes_through(r, c->target.table)))
				return not_through(p, &c->target);
		}
		for (k = 0; k < c->nwords && !c->by_ref; k++)
			if (c->is_key)
				/* A row code's label (本年收入合计) is its code. */
				(void)to_alias(t->rows, t->nrows, &c->words[k]);
			else if ((err = check_code_word(p, f, &c->words[k])))
				return err;
	}
	return FP_OK;
}

/*
 * An expression going through the rows of a list and of another keyed
 * or list table: the rows would be matched by their keys, and a list's
 * are its items' numbers, each list in its own order (payment 1 against
 * fund 1), so that is refused.
 */
static enum fp_err
check_row_tables(struct parser *p, const struct fp_rule *r)
{
	struct fp_row_tables rt = { { 0 }, 0 };
	const char *list = NULL, *other = NULL;
	size_t k;

	fp_expr_row_tables(r->left, &rt);
	fp_expr_row_tables(r->right, &rt);
	for (k = 0; k < rt.n; k++) {
		const struct fp_table *t = fp_mapping_table(p->m, rt.t[k]);

		if (!t || t->kind == FP_TABLE_FIELDS)
			continue;
		if (t->kind == FP_TABLE_LIST && !list)
			list = t->name;
		else if (!other)
			other = t->name;
	}
	if (!list || !other)
		return FP_OK;
	return fp_perr(p, "'%s' is a list, its rows numbered in its own "
	    "order: the rule would match them by number with the rows of '%s'. "
	    "Name a row (%s[1].FIELD), or take sum, count, min or max of one, "
	    "its rows picked by a where (where %s.FIELD = %s.FIELD)", list,
	    other, list, list, other);
}

/*
 * Whether e's value is a day: a date field, a date written in the rule,
 * date(), a day plus or minus days, the earliest or latest of days.
 */
static int
is_day(const struct fp_mapping *m, const struct fp_expr *e)
{
	const struct fp_field *f;

	switch (e->kind) {
	case FP_E_NUM:
		return e->date;
	case FP_E_REF:
		f = fp_mapping_ref_field(m, &e->ref);
		return f && f->type == FP_T_DATE;
	case FP_E_ADD:
		return is_day(m, e->args[0]) || is_day(m, e->args[1]);
	case FP_E_SUB:
		return is_day(m, e->args[0]) && !is_day(m, e->args[1]);
	case FP_E_CALL:
		return e->fn == FP_FN_DATE || ((e->fn == FP_FN_MIN ||
		    e->fn == FP_FN_MAX) && is_day(m, e->args[0]));
	default:
		return 0;
	}
}

/* year(), month() and day() take a day; date() takes numbers. */
static enum fp_err
check_days(struct parser *p, const struct fp_expr *e)
{
	enum fp_err err;
	size_t i;

	if (e->kind == FP_E_CALL && (e->fn == FP_FN_YEAR ||
	    e->fn == FP_FN_MONTH || e->fn == FP_FN_DAY) &&
	    !is_day(p->m, e->args[0]))
		return fp_perr(p, "%s() takes a date: a date field, a date "
		    "written 2024-03-01, or date(YEAR, MONTH, DAY)",
		    e->fn == FP_FN_YEAR ? "year" : e->fn == FP_FN_MONTH ?
		    "month" : "day");
	if (e->kind == FP_E_CALL && e->fn == FP_FN_DATE)
		for (i = 0; i < e->nargs; i++)
			if (is_day(p->m, e->args[i]))
				return fp_perr(p, "date() takes a year, a month "
				    "and a day as numbers, not a date");
	for (i = 0; i < e->nargs; i++)
		if ((err = check_days(p, e->args[i])))
			return err;
	return FP_OK;
}

/* The fields a units or sum rule leaves out: each of a table it adds. */
static enum fp_err
check_except(struct parser *p, const struct fp_rule *r)
{
	enum fp_err err;
	size_t k, i;

	for (k = 0; k < r->nexcept; k++) {
		const struct fp_ref *x = &r->except[k];
		int ours = r->by_rows && !strcmp(x->table, r->table);

		if ((err = check_ref(p, x, 0)))
			return err;
		if (!fp_type_numeric(fp_table_field(fp_mapping_table(p->m,
		    x->table), x->field)->type))
			return fp_perr(p, "'except %s.%s': a %s field, which the "
			    "rule does not add", x->table, x->field,
			    fp_type_name(fp_table_field(fp_mapping_table(p->m,
			    x->table), x->field)->type));
		for (i = 0; !ours && i < r->nrefs; i++)
			ours = !strcmp(r->refs[i].table, x->table) &&
			    !strcmp(r->refs[i].field, "*");
		if (!ours)
			return fp_perr(p, "'except %s.%s': the rule adds no "
			    "field of '%s' but those it names", x->table,
			    x->field, x->table);
	}
	return FP_OK;
}

/*
 * A units or sum rule that adds every number field of table t but those
 * it leaves out adds one at least: what names the rule, for the message.
 */
static enum fp_err
adds_a_field(struct parser *p, const struct fp_rule *r,
    const struct fp_table *t, const char *what)
{
	size_t k;

	for (k = 0; k < t->nfields; k++)
		if (fp_rule_adds(r, t, &t->fields[k]))
			return FP_OK;
	return fp_perr(p, "'%s' adds the money, integer, number and score "
	    "fields of '%s', and it has none%s", what, t->name,
	    r->nexcept ? " but those it leaves out" : "");
}

/*
 * sum T[ROW] = ROW + ROW ...: rows of a keyed or list table, added in
 * its number fields, one of them at least not left out.
 */
static enum fp_err
check_sum_rows(struct parser *p, const struct fp_rule *r,
    const struct fp_table *t)
{
	char what[160];
	enum fp_err err;
	size_t k;

	if (t->kind == FP_TABLE_FIELDS)
		return fp_perr(p, "table '%s' is a fields table: it has no rows "
		    "to add ('sum %s FIELD = FIELD + ...' adds fields)",
		    t->name, t->name);
	if ((err = check_row(p, t, r->lhs)))
		return err;
	for (k = 0; k < r->nparts; k++)
		if ((err = check_row(p, t, r->parts[k])))
			return err;
	if ((err = check_except(p, r)))
		return err;
	snprintf(what, sizeof what, "sum %s[%s]", r->table, r->lhs);
	return adds_a_field(p, r, t, what);
}

static enum fp_err
check_rule_refs(struct parser *p, struct fp_rule *r)
{
	const struct fp_table *t;
	struct walk_ctx w;
	enum fp_err err;
	size_t k;

	p->l.no = r->line;
	if (r->tolerance < 0)
		r->tolerance = p->m->tolerance;
	switch (r->kind) {
	case FP_RULE_SUM:
		t = fp_mapping_table(p->m, r->table);
		if (!t)
			return fp_perr(p, "no table '%s'", r->table);
		if (r->by_rows)
			return check_sum_rows(p, r, t);
		if (!fp_table_field(t, r->lhs))
			return fp_perr(p, "table '%s' has no field '%s'",
			    r->table, r->lhs);
		for (k = 0; k < r->nparts; k++)
			if (!fp_table_field(t, r->parts[k]))
				return fp_perr(p, "table '%s' has no field '%s'",
				    r->table, r->parts[k]);
		return FP_OK;
	case FP_RULE_UNITS:
		for (k = 0; k < r->nrefs; k++) {
			if ((err = check_ref(p, &r->refs[k], 1)))
				return err;
			t = fp_mapping_table(p->m, r->refs[k].table);
			if (t->kind == FP_TABLE_FIELDS)
				return fp_perr(p, "'units' checks keyed and list "
				    "tables; '%s' is neither", t->name);
		}
		if ((err = check_except(p, r)))
			return err;
		for (k = 0; k < r->nrefs; k++)
			if (!strcmp(r->refs[k].field, "*") && (err = adds_a_field(p,
			    r, fp_mapping_table(p->m, r->refs[k].table),
			    "units")))
				return err;
		return FP_OK;
	case FP_RULE_BAND:
		if ((err = check_ref(p, &r->a, 0)) ||
		    (err = check_ref(p, &r->b, 0)))
			return err;
		return check_band_words(p, r);
	case FP_RULE_LISTED:
		/* listed unit.name in income.row: the keys of its rows. */
		r->list_keys = names_key(p->m, &r->b);
		if (r->list_keys && r->b.row)
			return fp_perr(p, "'%s.row' is the keys of its rows: name "
			    "no row", r->b.table);
		if (r->list_keys && fp_mapping_table(p->m, r->b.table)->kind ==
		    FP_TABLE_LIST)
			return fp_perr(p, "'%s.row' of a list is its items' "
			    "numbers: name one of its columns", r->b.table);
		return (err = check_ref(p, &r->a, 0)) ? err : r->list_keys ?
		    FP_OK : check_ref(p, &r->b, 0);
	case FP_RULE_MEETS:
		if ((err = check_ref(p, &r->a, 0)) ||
		    (err = check_ref(p, &r->b, 0)))
			return err;
		if (row_wise_ref(p->m, &r->b) && (r->a.row ||
		    strcmp(r->a.table, r->b.table)))
			return fp_perr(p, "'meets' reads %s.%s in the row of %s: "
			    "name a row, or a field of the same table", r->b.table,
			    r->b.field, r->a.table);
		return FP_OK;
	case FP_RULE_EXPR:
		w.p = p;
		w.err = FP_OK;
		fp_expr_walk(r->left, walk_ref, &w);
		fp_expr_walk(r->right, walk_ref, &w);
		if (w.err)
			return w.err;
		if ((err = check_days(p, r->left)) ||
		    (err = check_days(p, r->right)))
			return err;
		return check_row_tables(p, r);
	default:
		for (k = 0; k < r->nrefs; k++)
			if ((err = check_ref(p, &r->refs[k], 1)))
				return err;
		for (k = 0; k < r->nexcept; k++)
			if ((err = check_ref(p, &r->except[k], 1)))
				return err;
		return FP_OK;
	}
}

/*
 * A field a rule reads as a number (sum, units, min, range) must be one:
 * money, integer, number or score, not text a department's every row
 * would be blamed for.
 */
static enum fp_err
need_number(struct parser *p, const struct fp_rule *r, const char *table,
    const char *field)
{
	const struct fp_table *t = fp_mapping_table(p->m, table);
	const struct fp_field *f = t ? fp_table_field(t, field) : NULL;

	if (!f || fp_type_numeric(f->type))
		return FP_OK;
	return fp_perr(p, "'%s' reads numbers, and %s.%s is %s",
	    fp_rule_kind_name(r->kind), table, field, fp_type_name(f->type));
}

/* The fields a sum, units, min or range rule reads as numbers. */
static enum fp_err
check_numbers(struct parser *p, const struct fp_rule *r)
{
	enum fp_err err;
	size_t k;

	switch (r->kind) {
	case FP_RULE_SUM:
		if (r->by_rows)
			return FP_OK;
		if ((err = need_number(p, r, r->table, r->lhs)))
			return err;
		for (k = 0; k < r->nparts; k++)
			if ((err = need_number(p, r, r->table, r->parts[k])))
				return err;
		return FP_OK;
	case FP_RULE_UNITS:
	case FP_RULE_MIN:
	case FP_RULE_RANGE:
		for (k = 0; k < r->nrefs; k++)
			if (strcmp(r->refs[k].field, "*") && (err = need_number(p,
			    r, r->refs[k].table, r->refs[k].field)))
				return err;
		return FP_OK;
	default:
		return FP_OK;
	}
}

static enum fp_err
check_rule(struct parser *p, struct fp_rule *r)
{
	enum fp_err err;

	if ((err = check_rule_refs(p, r)) || (err = check_numbers(p, r)))
		return err;
	return check_where(p, r);
}

static struct fp_ref *
refs_push_book(struct fp_book *b)
{
	b->order = fp_xreallocarray(b->order, b->norder + 1, sizeof *b->order);
	memset(&b->order[b->norder], 0, sizeof *b->order);
	return &b->order[b->norder++];
}

/* The workbook section's references, and defaults for what it left out. */
static enum fp_err
check_book(struct parser *p)
{
	static const char *const flabels[FP_NFINDING_COLS] = {
		"severity", "dept", "year", "record", "table", "row", "field",
		"message", "file", "cell",
	};
	struct fp_book *b = &p->m->book;
	enum fp_err err;
	size_t i;

	for (i = 0; i < b->nshow; i++) {
		p->l.no = b->show[i].line;
		if ((err = check_ref(p, &b->show[i].ref, 0)))
			return err;
	}
	p->l.no = b->chart_line;
	if (b->has_chart && (err = check_ref(p, &b->chart, 0)))
		return err;
	p->l.no = b->order_line;
	for (i = 0; i < b->norder; i++)
		if ((err = check_ref(p, &b->order[i], 0)))
			return err;
	/* Without an order: by department, then by record. */
	if (!b->norder) {
		const struct fp_ref *by[2] = { &p->m->dept, &p->m->record };

		for (i = 0; i < 2; i++)
			if (by[i]->table)
				fp_ref_copy(refs_push_book(b), by[i]);
	}
#define DEF(f, v) if (!b->f) b->f = fp_xstrdup(v)
	DEF(title, "{title} {year} {form}: {sheet}");
	DEF(unit, "");
	DEF(footer, "Page &P of &N");
	DEF(link_label, "see");
	DEF(overview, "overview");
	DEF(total_label, "total");
	DEF(errors_label, "errors");
	DEF(warnings_label, "warnings");
	DEF(dept_label, "dept");
	DEF(year_label, "year");
	DEF(record_label, "record");
	DEF(findings, "findings");
	DEF(money_format, "#,##0.00");
	DEF(number_format, "General");
	DEF(date_format, "yyyy-mm-dd");
#undef DEF
	for (i = 0; i < FP_NFINDING_COLS; i++)
		if (!b->finding_labels[i])
			b->finding_labels[i] = fp_xstrdup(flabels[i]);
	return FP_OK;
}

/* dept, year and record: given, or the fields named dept and year. */
static enum fp_err
check_who(struct parser *p)
{
	struct fp_mapping *m = p->m;
	struct fp_ref *refs[3] = { &m->dept, &m->year, &m->record };
	int lines[3] = { p->dept_line, p->year_line, p->record_line };
	const char *names[2] = { FP_FIELD_DEPT, FP_FIELD_YEAR };
	enum fp_err err;
	size_t i, k;

	for (i = 0; i < 3; i++) {
		if (refs[i]->table) {
			p->l.no = lines[i];
			if ((err = check_ref(p, refs[i], 0)))
				return err;
			if (fp_mapping_table(m, refs[i]->table)->kind !=
			    FP_TABLE_FIELDS)
				return fp_perr(p, "'%s' names a field of a fields "
				    "table", i == 0 ? "dept" : i == 1 ? "year" :
				    "record");
			continue;
		}
		if (i == 2)
			continue;
		for (k = 0; k < m->ntables && !refs[i]->table; k++)
			if (m->tables[k].kind == FP_TABLE_FIELDS &&
			    fp_table_field(&m->tables[k], names[i])) {
				refs[i]->table = fp_xstrdup(m->tables[k].name);
				refs[i]->field = fp_xstrdup(names[i]);
			}
	}
	return FP_OK;
}

/* Every table has what it needs to be found; fields get their defaults. */
static enum fp_err
check_tables(struct parser *p)
{
	struct fp_mapping *m = p->m;
	size_t i, k;

	if (m->ntables == 0) {
		p->l.no = 1;
		return fp_perr(p, "the mapping describes no table");
	}
	for (i = 0; i < m->ntables; i++) {
		struct fp_table *t = &m->tables[i];

		p->l.no = t->line;
		if (t->kind != FP_TABLE_FIELDS && t->header.n == 0)
			return fp_perr(p, "table '%s' needs a 'header' label",
			    t->name);
		if (t->kind == FP_TABLE_KEYED && t->key.n == 0 && t->nrows == 0)
			return fp_perr(p, "table '%s' needs a 'key' label (or row "
			    "codes, 'total' or 'row', to find its key column by)",
			    t->name);
		if (t->nfields == 0)
			return fp_perr(p, "table '%s' has no fields", t->name);
		if (check_templates(p, t))
			return FP_EMAPPING;
		for (k = 0; k < t->nfields; k++) {
			struct fp_field *f = &t->fields[k];

			p->l.no = f->line;
			if (f->has_re && f->ntake > 0 && f->labels.n == 0)
				return fp_perr(p, "field '%s' has a 'pattern', "
				    "which finds its cell and gives its value: "
				    "'take' goes with a 'label'", f->name);
			if (f->before.n && !f->has_re)
				return fp_perr(p, "field '%s': 'before' bounds a "
				    "'pattern', and the field has none", f->name);
			if (f->labels.n == 0 && !f->has_re) {
				if (t->kind == FP_TABLE_FIELDS)
					return fp_perr(p, "field '%s' needs a "
					    "'label' or a 'pattern'", f->name);
				/* A column is found by its own label. */
				fp_labels_add(&f->labels, f->cn);
			}
			if (t->kind == FP_TABLE_FIELDS && f->ntake == 0 &&
			    f->labels.n > 0) {
				f->take = fp_xcalloc(2, sizeof *f->take);
				f->take[0].way = FP_WAY_COLON;
				f->take[1].way = FP_WAY_RIGHT;
				f->take[1].n = 1;
				f->ntake = 2;
			}
			fp_labels_copy(&f->empty, &m->empty[f->type]);
		}
		if (t->show && !fp_table_field(t, t->show)) {
			p->l.no = t->line;
			return fp_perr(p, "table '%s' shows its rows by '%s', "
			    "which is none of its columns", t->name, t->show);
		}
		if (!t->rowlabel)
			t->rowlabel = fp_xstrdup(t->kind == FP_TABLE_LIST ?
			    "#" : "row");
	}
	if (!m->sheet_labels.n && !m->sheet_name && !m->sheet_number) {
		p->l.no = 1;
		return fp_perr(p, "the mapping does not say which sheet holds "
		    "the form ('sheet containing LABEL')");
	}
	if (!m->name) {
		p->l.no = 1;
		return fp_perr(p, "the mapping does not name its form ('form "
		    "NAME TITLE')");
	}
	return FP_OK;
}

static void
known_add(struct fp_mapping *m, const struct fp_labels *ls)
{
	size_t i;

	for (i = 0; i < ls->n; i++)
		fp_labels_add(strchr(ls->v[i], '*') ? &m->known_globs :
		    &m->known, ls->v[i]);
}

/* Gathers every label that marks a place on the form into a hash set. */
static void
build_known(struct fp_mapping *m)
{
	size_t i, k;

	for (i = 0; i < m->ntables; i++) {
		struct fp_table *t = &m->tables[i];

		known_add(m, &t->header);
		known_add(m, &t->key);
		known_add(m, &t->stop);
		for (k = 0; k < t->nfields; k++)
			known_add(m, &t->fields[k].labels);
	}
	m->nknown_hash = 64;
	while (m->nknown_hash < m->known.n * 2)
		m->nknown_hash *= 2;
	m->known_hash = fp_xcalloc(m->nknown_hash, sizeof *m->known_hash);
	for (i = 0; i < m->known.n; i++) {
		const char *s = m->known.v[i];
		size_t h, mask = m->nknown_hash - 1;

		for (h = fp_hash_slot(fp_hash(FP_HASH_INIT, s), mask);
		    m->known_hash[h]; h = (h + 1) & mask)
			if (!strcmp(m->known_hash[h], s))
				break;
		if (!m->known_hash[h])
			m->known_hash[h] = m->known.v[i];
	}
}

enum fp_err
fp_mapping_check(struct parser *p)
{
	struct fp_mapping *m = p->m;
	enum fp_err err;
	size_t i;

	if ((err = check_tables(p)) || (err = check_who(p)))
		return err;
	for (i = 0; i < m->nrules; i++)
		if ((err = check_rule(p, &m->rules[i])))
			return err;
	if ((err = check_book(p)))
		return err;
	for (i = 0; i < FP_NMSGS; i++)
		if (!m->msgs[i])
			m->msgs[i] = fp_xstrdup(default_msgs[i]);
	build_known(m);
	return FP_OK;
}
