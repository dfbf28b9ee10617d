/*
 * The rules of a mapping, evaluated one department at a time. A
 * department's facts sit in a small hash table keyed by table, row and
 * field; each rule looks up what it needs. Blank money cells count as 0
 * in sums; a value that should be a number and is not is a finding of
 * its own. Numbers in messages are rounded to 1e-6 so that float noise
 * in a sum (1207.9276000000001) does not show.
 */
#include "rules.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct gfact {
	char *table, *row, *field, *value, *source;
	int nan_said;		/* "not a number" reported already */
};

struct fp_checker {
	const struct fp_mapping *m;
	fp_finding_fn fn;
	void *ctx;
	char *dept, *year;
	struct gfact *f;
	size_t n, cap;
	size_t *slots;			/* index of facts by table/row/field */
	size_t nslots;
	char **seen;			/* "dept\037year" of departments done */
	size_t nseen, capseen;
	size_t count[2];
	struct fp_buf msg, tmp;
	fp_dept_fn on_dept;
};

/* The hash of a fact's table, row and field, each closed by a separator. */
static uint64_t
hash3(const char *a, const char *b, const char *c)
{
	uint64_t h = fp_hash(FP_HASH_INIT, a);

	h = fp_hash(h, "\037");
	h = fp_hash(h, b);
	h = fp_hash(h, "\037");
	return fp_hash(fp_hash(h, c), "\037");
}

struct fp_checker *
fp_checker_new(const struct fp_mapping *m, fp_finding_fn fn, void *ctx)
{
	struct fp_checker *c = fp_xcalloc(1, sizeof *c);

	c->m = m;
	c->fn = fn;
	c->ctx = ctx;
	c->nslots = 256;
	c->slots = fp_xcalloc(c->nslots, sizeof *c->slots);
	c->capseen = 64;
	c->seen = fp_xcalloc(c->capseen, sizeof *c->seen);
	return c;
}

/* The fact at table/row/field, or NULL. */
static const struct gfact *
lookup(const struct fp_checker *c, const char *t, const char *r, const char *f)
{
	size_t mask = c->nslots - 1, h = (size_t)hash3(t, r, f) & mask;

	for (;; h = (h + 1) & mask) {
		size_t v = c->slots[h];
		const struct gfact *g;

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
	size_t h = (size_t)hash3(c->f[i].table, c->f[i].row, c->f[i].field) &
	    mask;

	while (c->slots[h])
		h = (h + 1) & mask;
	c->slots[h] = i + 1;
}

static void
clear_group(struct fp_checker *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		free(c->f[i].table);
		free(c->f[i].row);
		free(c->f[i].field);
		free(c->f[i].value);
		free(c->f[i].source);
	}
	c->n = 0;
	memset(c->slots, 0, c->nslots * sizeof *c->slots);
	free(c->dept);
	free(c->year);
	c->dept = c->year = NULL;
}

static void
report(struct fp_checker *c, const struct fp_rule *r, const char *table,
    const char *row, const char *field, const char *source)
{
	static const char *const kinds[] = {
		"sum", "units", "min", "required", "range", "band", "unique",
		"compare", "pattern",
	};
	struct fp_finding f;

	f.severity = r->severity;
	f.dept = c->dept ? c->dept : "";
	f.year = c->year ? c->year : "";
	f.table = table;
	f.row = row;
	f.field = field;
	f.rule = kinds[r->kind];
	f.message = c->msg.s ? c->msg.s : "";
	f.source = source ? source : "";
	f.rule_line = r->line;
	c->count[r->severity]++;
	c->fn(c->ctx, &f);
}

/* A fact's value as a number; 0 if it is not one. */
static int
number(const struct gfact *g, double *x)
{
	char *end;

	if (!g || !*g->value)
		return 0;
	*x = strtod(g->value, &end);
	return *end == '\0' && isfinite(*x);
}

/* Appends x, rounded to 1e-6, in shortest form. */
static void
put_num(struct fp_buf *b, double x)
{
	char buf[FP_NUM_MAX];

	if (fabs(x) < 1e9)
		x = nearbyint(x * 1e6) / 1e6;
	if (x == 0)
		x = 0;	/* no "-0" */
	fp_buf_add(b, buf, fp_fmt_num(buf, x));
}

static void
not_a_number(struct fp_checker *c, const struct fp_rule *r,
    const struct gfact *cg)
{
	struct gfact *g = (struct gfact *)cg;

	if (g->nan_said)
		return;
	g->nan_said = 1;
	fp_buf_reset(&c->msg);
	fp_buf_printf(&c->msg, "'%s' is not a number", g->value);
	report(c, r, g->table, g->row, g->field, g->source);
}

/*
 * The numeric value of table/row/field: 0 if blank. Returns 0 (and
 * reports it, once per rule) if the value is there but not a number.
 */
static int
value_or_zero(struct fp_checker *c, const struct fp_rule *r, const char *t,
    const char *row, const char *f, double *x)
{
	const struct gfact *g = lookup(c, t, row, f);

	*x = 0;
	if (!g)
		return 1;
	if (number(g, x))
		return 1;
	not_a_number(c, r, g);
	return 0;
}

/* The distinct rows of a table among the department's facts, in order. */
static size_t
table_rows(const struct fp_checker *c, const char *t, const char ***rows)
{
	size_t i, k, n = 0;

	*rows = fp_xcalloc(c->n ? c->n : 1, sizeof **rows);
	for (i = 0; i < c->n; i++) {
		if (strcmp(c->f[i].table, t))
			continue;
		for (k = 0; k < n; k++)
			if (!strcmp((*rows)[k], c->f[i].row))
				break;
		if (k == n)
			(*rows)[n++] = c->f[i].row;
	}
	return n;
}

static void
rule_sum(struct fp_checker *c, const struct fp_rule *r)
{
	const char **rows;
	size_t n = table_rows(c, r->table, &rows), i, k;
	double tol = c->m->tolerance + 1e-9;

	for (i = 0; i < n; i++) {
		double lhs, sum = 0, x;
		const struct gfact *g = lookup(c, r->table, rows[i], r->lhs);
		int ok = 1, any = 0;

		if (!value_or_zero(c, r, r->table, rows[i], r->lhs, &lhs))
			continue;
		for (k = 0; k < r->nparts; k++) {
			if (!value_or_zero(c, r, r->table, rows[i], r->parts[k],
			    &x))
				ok = 0;
			any |= lookup(c, r->table, rows[i], r->parts[k]) != NULL;
			sum += x;
		}
		if (!ok || (!g && !any))
			continue;
		if (fabs(lhs - sum) > tol) {
			fp_buf_reset(&c->msg);
			if (g)
				fp_buf_adds(&c->msg, g->value);
			else
				fp_buf_adds(&c->msg, "blank");
			fp_buf_adds(&c->msg, " != sum of parts ");
			put_num(&c->msg, sum);
			report(c, r, r->table, rows[i], r->lhs, g ? g->source : "");
		}
	}
	free(rows);
}

static void
rule_units(struct fp_checker *c, const struct fp_rule *r)
{
	size_t ti, i, k, n;
	double tol = c->m->tolerance + 1e-9;

	for (ti = 0; ti < r->ntables; ti++) {
		const char *t = r->tables[ti], **rows;
		const struct fp_table *tab = fp_mapping_table(c->m, t);
		int has_total = 0, units = 0;

		n = table_rows(c, t, &rows);
		for (i = 0; i < n; i++) {
			if (!strcmp(rows[i], FP_ROW_TOTAL))
				has_total = 1;
			else
				units++;
		}
		if (!has_total || !units || !tab) {
			free(rows);
			continue;
		}
		for (k = 0; k < tab->nfields; k++) {
			const char *f = tab->fields[k].name;
			const struct gfact *g = lookup(c, t, FP_ROW_TOTAL, f);
			double total, sum = 0, x;
			int ok = 1, any = 0;

			if (!value_or_zero(c, r, t, FP_ROW_TOTAL, f, &total))
				continue;
			for (i = 0; i < n; i++) {
				const struct gfact *u;

				if (!strcmp(rows[i], FP_ROW_TOTAL))
					continue;
				u = lookup(c, t, rows[i], f);
				if (!u)
					continue;
				any = 1;
				if (!number(u, &x)) {
					ok = 0;	/* the sum rule says so */
					continue;
				}
				sum += x;
			}
			if (!ok || (!g && !any))
				continue;
			if (fabs(total - sum) > tol) {
				fp_buf_reset(&c->msg);
				fp_buf_adds(&c->msg, g ? g->value : "blank");
				fp_buf_adds(&c->msg, " != sum of units ");
				put_num(&c->msg, sum);
				report(c, r, t, FP_ROW_TOTAL, f, g ? g->source : "");
			}
		}
		free(rows);
	}
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

static void
rule_bounds(struct fp_checker *c, const struct fp_rule *r)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		const struct gfact *g = &c->f[i];
		double x;

		if (!in_refs(r->refs, r->nrefs, g) ||
		    in_refs(r->except, r->nexcept, g))
			continue;
		if (!number(g, &x)) {
			not_a_number(c, r, g);
			continue;
		}
		fp_buf_reset(&c->msg);
		if (r->kind == FP_RULE_MIN && x < r->lo) {
			fp_buf_printf(&c->msg, "%s < ", g->value);
			put_num(&c->msg, r->lo);
		} else if (r->kind == FP_RULE_RANGE && (x < r->lo || x > r->hi)) {
			fp_buf_printf(&c->msg, "%s is outside ", g->value);
			put_num(&c->msg, r->lo);
			fp_buf_adds(&c->msg, "..");
			put_num(&c->msg, r->hi);
		} else {
			continue;
		}
		report(c, r, g->table, g->row, g->field, g->source);
	}
}

static void
rule_required(struct fp_checker *c, const struct fp_rule *r)
{
	size_t i, k;

	for (i = 0; i < r->nrefs; i++) {
		const struct fp_ref *ref = &r->refs[i];
		int found = 0;

		for (k = 0; k < c->n && !found; k++)
			found = ref_matches(ref, &c->f[k]) && *c->f[k].value;
		if (found)
			continue;
		fp_buf_reset(&c->msg);
		fp_buf_adds(&c->msg, "missing");
		report(c, r, ref->table, ref->row ? ref->row : "",
		    strcmp(ref->field, "*") ? ref->field : "", "");
	}
}

/* The one fact a reference names (the first that matches), or NULL. */
static const struct gfact *
ref_fact(const struct fp_checker *c, const struct fp_ref *ref)
{
	size_t i;

	if (ref->row)
		return lookup(c, ref->table, ref->row, ref->field);
	for (i = 0; i < c->n; i++)
		if (ref_matches(ref, &c->f[i]))
			return &c->f[i];
	return NULL;
}

static void
rule_band(struct fp_checker *c, const struct fp_rule *r)
{
	const struct gfact *code = ref_fact(c, &r->a), *num = ref_fact(c, &r->b);
	const char *want = NULL;
	double x;
	size_t i;
	int known = 0;

	if (!code || !num)
		return;
	if (!number(num, &x))
		return;	/* the range rule on the number says so */
	for (i = 0; i < r->nbands; i++)
		if (!strcmp(r->bands[i].code, code->value))
			known = 1;
	for (i = 0; i < r->nbands && !want; i++)
		if (x >= r->bands[i].lo)
			want = r->bands[i].code;
	fp_buf_reset(&c->msg);
	if (!known) {
		fp_buf_printf(&c->msg, "'%s' is not one of ", code->value);
		for (i = 0; i < r->nbands; i++)
			fp_buf_printf(&c->msg, "%s%s", i ? ", " : "",
			    r->bands[i].code);
	} else if (want && strcmp(want, code->value)) {
		fp_buf_printf(&c->msg, "%s does not match %s %s (%s)",
		    code->value, r->b.field, num->value, want);
	} else {
		return;
	}
	report(c, r, code->table, code->row, code->field, code->source);
}

static void
rule_compare(struct fp_checker *c, const struct fp_rule *r)
{
	const struct gfact *a = ref_fact(c, &r->a), *b = ref_fact(c, &r->b);
	double x, y;
	int ok;

	if (!a || !b || !number(a, &x) || !number(b, &y))
		return;
	if (!strcmp(r->op, "<="))
		ok = x <= y + 1e-9;
	else if (!strcmp(r->op, "<"))
		ok = x < y;
	else if (!strcmp(r->op, ">="))
		ok = x + 1e-9 >= y;
	else if (!strcmp(r->op, ">"))
		ok = x > y;
	else
		ok = fabs(x - y) <= c->m->tolerance + 1e-9;
	if (ok)
		return;
	fp_buf_reset(&c->msg);
	fp_buf_printf(&c->msg, "%s is not %s %s", a->value, r->op, r->b.table);
	if (r->b.row)
		fp_buf_printf(&c->msg, "[%s]", r->b.row);
	fp_buf_printf(&c->msg, ".%s %s", r->b.field, b->value);
	report(c, r, a->table, a->row, a->field, a->source);
}

static void
rule_pattern(struct fp_checker *c, const struct fp_rule *r)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		const struct gfact *g = &c->f[i];

		if (!in_refs(r->refs, r->nrefs, g))
			continue;
		if (!regexec(&r->re, g->value, 0, NULL, 0))
			continue;
		fp_buf_reset(&c->msg);
		if (r->what)
			fp_buf_printf(&c->msg, "'%s' is not %s", g->value,
			    r->what);
		else
			fp_buf_printf(&c->msg, "'%s' does not match \"%s\"",
			    g->value, r->pattern);
		report(c, r, g->table, g->row, g->field, g->source);
	}
}

/* Records the department as seen; 0 if it was seen before. */
static int
first_time(struct fp_checker *c)
{
	size_t mask, h;

	fp_buf_reset(&c->tmp);
	fp_buf_printf(&c->tmp, "%s\037%s", c->dept, c->year);
	if (c->nseen * 2 >= c->capseen) {
		char **old = c->seen;
		size_t oldcap = c->capseen, i;

		c->capseen *= 2;
		c->seen = fp_xcalloc(c->capseen, sizeof *c->seen);
		for (i = 0; i < oldcap; i++) {
			if (!old[i])
				continue;
			for (h = (size_t)fp_hash(FP_HASH_INIT, old[i]) & (c->capseen - 1);
			    c->seen[h]; h = (h + 1) & (c->capseen - 1))
				;
			c->seen[h] = old[i];
		}
		free(old);
	}
	mask = c->capseen - 1;
	for (h = (size_t)fp_hash(FP_HASH_INIT, c->tmp.s) & mask; c->seen[h]; h = (h + 1) & mask)
		if (!strcmp(c->seen[h], c->tmp.s))
			return 0;
	c->seen[h] = fp_xstrdup(c->tmp.s);
	c->nseen++;
	return 1;
}

static void
rule_unique(struct fp_checker *c, const struct fp_rule *r, int first)
{
	const struct gfact *g;
	size_t i;

	if (first)
		return;
	/* Name the department's first fact: where it says who it is. */
	g = c->n ? &c->f[0] : NULL;
	for (i = 0; i < c->n; i++)
		if (!*c->f[i].row) {
			g = &c->f[i];
			break;
		}
	fp_buf_reset(&c->msg);
	fp_buf_printf(&c->msg, "%s %s appears more than once", c->dept,
	    c->year);
	report(c, r, g ? g->table : "", g ? g->row : "", g ? g->field : "",
	    g ? g->source : "");
}

/* Evaluates every rule over the department in hand, then forgets it. */
static void
evaluate(struct fp_checker *c)
{
	size_t i, errors = c->count[FP_SEV_ERROR];
	size_t warnings = c->count[FP_SEV_WARNING];
	int first;

	if (!c->n)
		return;
	first = first_time(c);
	for (i = 0; i < c->m->nrules; i++) {
		const struct fp_rule *r = &c->m->rules[i];

		switch (r->kind) {
		case FP_RULE_SUM:
			rule_sum(c, r);
			break;
		case FP_RULE_UNITS:
			rule_units(c, r);
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
		case FP_RULE_COMPARE:
			rule_compare(c, r);
			break;
		case FP_RULE_PATTERN:
			rule_pattern(c, r);
			break;
		}
	}
	if (c->on_dept) {
		struct fp_dept_fact *v = fp_xreallocarray(NULL, c->n, sizeof *v);

		for (i = 0; i < c->n; i++) {
			v[i].table = c->f[i].table;
			v[i].row = c->f[i].row;
			v[i].field = c->f[i].field;
			v[i].value = c->f[i].value;
			v[i].source = c->f[i].source;
		}
		c->on_dept(c->ctx, c->dept, c->year, v, c->n,
		    c->count[FP_SEV_ERROR] - errors,
		    c->count[FP_SEV_WARNING] - warnings);
		free(v);
	}
	clear_group(c);
}

void
fp_checker_add(struct fp_checker *c, const char *dept, const char *year,
    const char *table, const char *row, const char *field, const char *value,
    const char *source)
{
	struct gfact *g;

	if (c->n && (strcmp(c->dept, dept) || strcmp(c->year, year) ||
	    lookup(c, table, row, field)))
		evaluate(c);
	if (!c->n) {
		c->dept = fp_xstrdup(dept);
		c->year = fp_xstrdup(year);
	}
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
	g->table = fp_xstrdup(table);
	g->row = fp_xstrdup(row);
	g->field = fp_xstrdup(field);
	g->value = fp_xstrdup(value);
	g->source = fp_xstrdup(source);
	g->nan_said = 0;
	index_put(c, c->n);
	c->n++;
}

void
fp_checker_on_dept(struct fp_checker *c, fp_dept_fn fn)
{
	c->on_dept = fn;
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
	clear_group(c);
	free(c->f);
	free(c->slots);
	for (i = 0; i < c->capseen; i++)
		free(c->seen[i]);
	free(c->seen);
	fp_buf_release(&c->msg);
	fp_buf_release(&c->tmp);
	free(c);
}
