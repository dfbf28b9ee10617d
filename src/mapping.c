/*
 * The mapping language: parsing (a line at a time, keywords first, every
 * error with its line) and applying a mapping to a form.
 *
 * Applying finds the form's sheet, then each table in the mapping's
 * order: single fields by their labels (the text after a colon, the next
 * cell to the right or below, or the paragraphs under a heading), keyed
 * tables by a header label (multi-row headers: a column is named by the
 * lowest label over it that is not 其中), and list tables by a header
 * row, with fill-down and code lists. A table ends at a row holding any
 * label the mapping knows (another table's header, a field's label, a
 * stop label), or, for keyed tables, at a blank row.
 */
#include "mapping.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "csvio.h"
#include "normalize.h"

/* ---- Tokens -------------------------------------------------------- */

struct tok {
	char *s;
	int quoted;
};

struct line {
	struct tok *t;
	size_t n, cap;
	int no;
};

static void
line_release(struct line *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->t[i].s);
	l->n = 0;
}

static void
line_push(struct line *l, const char *s, size_t n, int quoted)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->t = fp_xreallocarray(l->t, l->cap, sizeof *l->t);
	}
	l->t[l->n].s = fp_xstrndup(s, n);
	l->t[l->n].quoted = quoted;
	l->n++;
}

/* Operators stand alone: | = + and the comparisons. */
static size_t
op_len(const char *p)
{
	if ((p[0] == '<' || p[0] == '>' || p[0] == '!') && p[1] == '=')
		return 2;
	if (strchr("|=+<>", p[0]) && p[0])
		return 1;
	return 0;
}

/* Splits one line into tokens; returns 0 with *err set on a bad quote. */
static int
tokenize(struct line *l, const char *s, size_t n, const char **err)
{
	size_t i = 0;
	struct fp_buf b = FP_BUF_INIT;

	while (i < n) {
		size_t k;

		if (s[i] == ' ' || s[i] == '\t' || s[i] == '\r') {
			i++;
			continue;
		}
		if (s[i] == '#')
			break;
		if (s[i] == '"') {
			fp_buf_reset(&b);
			for (i++; i < n && s[i] != '"'; i++) {
				if (s[i] == '\\' && i + 1 < n)
					i++;
				fp_buf_addc(&b, s[i]);
			}
			if (i >= n) {
				*err = "a quoted string is not closed";
				fp_buf_release(&b);
				return 0;
			}
			i++;
			line_push(l, b.s ? b.s : "", b.len, 1);
			continue;
		}
		if ((k = op_len(s + i)) > 0) {
			line_push(l, s + i, k, 0);
			i += k;
			continue;
		}
		k = i;
		while (i < n && s[i] != ' ' && s[i] != '\t' && s[i] != '\r' &&
		    s[i] != '#' && s[i] != '"' && !op_len(s + i))
			i++;
		line_push(l, s + k, i - k, 0);
	}
	fp_buf_release(&b);
	return 1;
}

static int
is_op(const struct tok *t, const char *op)
{
	return !t->quoted && !strcmp(t->s, op);
}

/* ---- The parser ---------------------------------------------------- */

struct parser {
	struct fp_mapping *m;
	const char *name;
	struct line l;
	struct fp_diag *d;
	struct fp_table *table;		/* the table being described */
	struct fp_field *field;		/* the field or column being described */
	struct fp_table defaults[3];	/* per table kind */
	struct fp_table *deftable;	/* inside a defaults block */
	int in_book;			/* inside the workbook section */
};

static enum fp_err
perr(struct parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static enum fp_err
perr(struct parser *p, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return fp_diag(p->d, FP_EMAPPING, "%s:%d: %s", p->name, p->l.no, msg);
}

static void
labels_add(struct fp_labels *ls, const char *raw)
{
	struct fp_buf b = FP_BUF_INIT;

	fp_norm_label(&b, raw, strlen(raw));
	ls->v = fp_xreallocarray(ls->v, ls->n + 1, sizeof *ls->v);
	ls->v[ls->n++] = fp_buf_detach(&b);
}

static void
labels_free(struct fp_labels *ls)
{
	size_t i;

	for (i = 0; i < ls->n; i++)
		free(ls->v[i]);
	free(ls->v);
	ls->v = NULL;
	ls->n = 0;
}

/*
 * Reads labels separated by '|' from token from to the end (or to a
 * token equal to until). Words between bars join into one label (label
 * form has no spaces anyway). Returns the index after them.
 */
static size_t
read_labels(struct parser *p, size_t from, struct fp_labels *ls,
    const char *until)
{
	struct fp_buf cur = FP_BUF_INIT;
	size_t i;
	int any = 0;

	for (i = from; i < p->l.n; i++) {
		struct tok *t = &p->l.t[i];

		if (until && is_op(t, until))
			break;
		if (is_op(t, "|")) {
			if (any)
				labels_add(ls, cur.s);
			fp_buf_reset(&cur);
			any = 0;
			continue;
		}
		fp_buf_adds(&cur, t->s);
		any = 1;
	}
	if (any)
		labels_add(ls, cur.s);
	fp_buf_release(&cur);
	return i;
}

static const char *const type_names[] = {
	"text", "money", "integer", "score", "phone", "date", "grade", "code",
};

static int
parse_type(const char *s, enum fp_type *t)
{
	size_t i;

	for (i = 0; i < sizeof type_names / sizeof type_names[0]; i++)
		if (!strcmp(s, type_names[i])) {
			*t = (enum fp_type)i;
			return 1;
		}
	return 0;
}

static enum fp_err
compile(struct parser *p, regex_t *re, const char *pattern)
{
	int rc = regcomp(re, pattern, REG_EXTENDED);

	if (rc) {
		char msg[200];

		regerror(rc, re, msg, sizeof msg);
		return perr(p, "bad pattern \"%s\": %s", pattern, msg);
	}
	return FP_OK;
}

static int
parse_double(const char *s, double *x)
{
	char *end;

	if (!strcmp(s, "-inf")) {
		*x = -HUGE_VAL;
		return 1;
	}
	errno = 0;
	*x = strtod(s, &end);
	return *s && !*end && !errno;
}

static enum fp_err
need(struct parser *p, size_t n, const char *what)
{
	if (p->l.n < n)
		return perr(p, "'%s' needs %s", p->l.t[0].s, what);
	return FP_OK;
}

static void
field_free(struct fp_field *f)
{
	size_t i;

	free(f->name);
	free(f->cn);
	labels_free(&f->labels);
	free(f->pattern);
	if (f->has_re)
		regfree(&f->re);
	for (i = 0; i < f->nvalues; i++) {
		free(f->values[i].canon);
		free(f->values[i].display);
		labels_free(&f->values[i].alts);
	}
	free(f->values);
	for (i = 0; i < f->ncodes; i++) {
		free(f->codes[i].canon);
		free(f->codes[i].display);
		labels_free(&f->codes[i].alts);
	}
	free(f->codes);
}

static void
table_free(struct fp_table *t)
{
	size_t i;

	free(t->name);
	free(t->cn);
	free(t->rowlabel);
	labels_free(&t->header);
	labels_free(&t->key);
	free(t->strip);
	if (t->has_strip)
		regfree(&t->strip_re);
	labels_free(&t->total);
	labels_free(&t->stop);
	labels_free(&t->skip);
	for (i = 0; i < t->nfields; i++)
		field_free(&t->fields[i]);
	free(t->fields);
}

static void
ref_free(struct fp_ref *r)
{
	free(r->table);
	free(r->row);
	free(r->field);
}

static void
rule_free(struct fp_rule *r)
{
	size_t i;

	free(r->table);
	free(r->lhs);
	for (i = 0; i < r->nparts; i++)
		free(r->parts[i]);
	free(r->parts);
	for (i = 0; i < r->ntables; i++)
		free(r->tables[i]);
	free(r->tables);
	for (i = 0; i < r->nrefs; i++)
		ref_free(&r->refs[i]);
	free(r->refs);
	for (i = 0; i < r->nexcept; i++)
		ref_free(&r->except[i]);
	free(r->except);
	ref_free(&r->a);
	ref_free(&r->b);
	for (i = 0; i < r->nbands; i++)
		free(r->bands[i].code);
	free(r->bands);
	free(r->pattern);
	free(r->what);
	if (r->has_re)
		regfree(&r->re);
}

static void
book_free(struct fp_book *b)
{
	size_t i;

	free(b->overview);
	free(b->total_label);
	for (i = 0; i < b->nshow; i++) {
		ref_free(&b->show[i].ref);
		free(b->show[i].label);
	}
	free(b->show);
	free(b->errors_label);
	free(b->warnings_label);
	free(b->dept_label);
	free(b->year_label);
	free(b->findings);
	for (i = 0; i < 9; i++)
		free(b->finding_labels[i]);
	ref_free(&b->chart);
	free(b->chart_title);
	free(b->money_format);
	free(b->number_format);
	free(b->date_format);
}

void
fp_mapping_free(struct fp_mapping *m)
{
	size_t i;

	if (!m)
		return;
	free(m->path);
	free(m->name);
	free(m->title);
	labels_free(&m->sheet_labels);
	free(m->sheet_name);
	for (i = 0; i < m->ntables; i++)
		table_free(&m->tables[i]);
	free(m->tables);
	for (i = 0; i < m->nrules; i++)
		rule_free(&m->rules[i]);
	free(m->rules);
	labels_free(&m->known);
	free(m->known_hash);
	book_free(&m->book);
	free(m);
}

/* Joins tokens from..to (exclusive) with single spaces. */
static char *
join(struct parser *p, size_t from, size_t to)
{
	struct fp_buf b = FP_BUF_INIT;
	size_t i;

	for (i = from; i < to && i < p->l.n; i++) {
		if (i > from)
			fp_buf_addc(&b, ' ');
		fp_buf_adds(&b, p->l.t[i].s);
	}
	return fp_buf_detach(&b);
}

static enum fp_err
parse_table(struct parser *p)
{
	struct fp_mapping *m = p->m;
	struct fp_table *t;
	const struct fp_table *def;
	size_t i;
	enum fp_err err;

	if ((err = need(p, 3, "a name and a kind (fields, keyed or list)")))
		return err;
	for (i = 0; i < m->ntables; i++)
		if (!strcmp(m->tables[i].name, p->l.t[1].s))
			return perr(p, "table '%s' is described twice (line %d)",
			    p->l.t[1].s, m->tables[i].line);
	m->tables = fp_xreallocarray(m->tables, m->ntables + 1,
	    sizeof *m->tables);
	t = &m->tables[m->ntables++];
	memset(t, 0, sizeof *t);
	t->name = fp_xstrdup(p->l.t[1].s);
	t->line = p->l.no;
	if (!strcmp(p->l.t[2].s, "fields"))
		t->kind = FP_TABLE_FIELDS;
	else if (!strcmp(p->l.t[2].s, "keyed"))
		t->kind = FP_TABLE_KEYED;
	else if (!strcmp(p->l.t[2].s, "list"))
		t->kind = FP_TABLE_LIST;
	else
		return perr(p, "unknown table kind '%s' (expected fields, keyed "
		    "or list)", p->l.t[2].s);
	for (i = 3; i < p->l.n; i++) {
		if (!strcmp(p->l.t[i].s, "row") && !p->l.t[i].quoted) {
			if (i + 1 >= p->l.n)
				return perr(p, "'row' needs the row column's title");
			t->rowlabel = fp_xstrdup(p->l.t[++i].s);
		} else if (!t->cn) {
			t->cn = fp_xstrdup(p->l.t[i].s);
		} else {
			return perr(p, "unexpected '%s' after the table's label",
			    p->l.t[i].s);
		}
	}
	if (!t->cn)
		t->cn = fp_xstrdup(t->name);
	/* What a defaults block said for this kind of table. */
	def = &p->defaults[t->kind];
	for (i = 0; i < def->key.n; i++)
		labels_add(&t->key, def->key.v[i]);
	for (i = 0; i < def->total.n; i++)
		labels_add(&t->total, def->total.v[i]);
	for (i = 0; i < def->stop.n; i++)
		labels_add(&t->stop, def->stop.v[i]);
	for (i = 0; i < def->skip.n; i++)
		labels_add(&t->skip, def->skip.v[i]);
	if (def->strip) {
		t->strip = fp_xstrdup(def->strip);
		if ((err = compile(p, &t->strip_re, t->strip)))
			return err;
		t->has_strip = 1;
	}
	p->table = t;
	p->field = NULL;
	p->deftable = NULL;
	return FP_OK;
}

static enum fp_err
parse_field(struct parser *p, int column)
{
	struct fp_table *t = p->table;
	struct fp_field *f;
	size_t i;

	if (!t)
		return perr(p, "'%s' outside a table", p->l.t[0].s);
	if (column && t->kind == FP_TABLE_FIELDS)
		return perr(p, "a fields table has 'field' lines, not 'column'");
	if (!column && t->kind != FP_TABLE_FIELDS)
		return perr(p, "a %s table has 'column' lines, not 'field'",
		    t->kind == FP_TABLE_KEYED ? "keyed" : "list");
	if (p->l.n < 3)
		return perr(p, "'%s' needs a name and a type", p->l.t[0].s);
	for (i = 0; i < t->nfields; i++)
		if (!strcmp(t->fields[i].name, p->l.t[1].s))
			return perr(p, "'%s' is in table '%s' twice", p->l.t[1].s,
			    t->name);
	t->fields = fp_xreallocarray(t->fields, t->nfields + 1,
	    sizeof *t->fields);
	f = &t->fields[t->nfields++];
	memset(f, 0, sizeof *f);
	f->name = fp_xstrdup(p->l.t[1].s);
	f->line = p->l.no;
	f->at_offset = 0;
	if (!parse_type(p->l.t[2].s, &f->type))
		return perr(p, "unknown type '%s' (expected text, money, integer, "
		    "score, phone, date, grade or code)", p->l.t[2].s);
	f->cn = p->l.n > 3 ? join(p, 3, p->l.n) : fp_xstrdup(f->name);
	p->field = f;
	return FP_OK;
}

static enum fp_err
parse_take(struct parser *p)
{
	static const char *const names[] = {
		"colon", "right", "below", "paragraphs",
	};
	struct fp_field *f = p->field;
	size_t i, k;

	if (!f || p->table->kind != FP_TABLE_FIELDS)
		return perr(p, "'take' belongs to a field");
	if (p->l.n < 2)
		return perr(p, "'take' needs colon, right, below or paragraphs");
	f->ntake = 0;
	for (i = 1; i < p->l.n; i++) {
		for (k = 0; k < 4; k++)
			if (!strcmp(p->l.t[i].s, names[k]))
				break;
		if (k == 4)
			return perr(p, "unknown way to take a value '%s' (expected "
			    "colon, right, below or paragraphs)", p->l.t[i].s);
		if (f->ntake == 4)
			return perr(p, "too many ways to take a value");
		f->take[f->ntake++] = (enum fp_take)k;
	}
	return FP_OK;
}

/* value CANON = ALIAS | ALIAS, or code CODE = LABEL | LABEL */
static enum fp_err
parse_alias(struct parser *p, int code)
{
	struct fp_field *f = p->field;
	struct fp_alias **v;
	size_t *n, eq = 2;

	if (!f)
		return perr(p, "'%s' belongs to a field or column", p->l.t[0].s);
	if (code && f->type != FP_T_CODE)
		return perr(p, "'code' lists belong to fields of type code");
	if (!code && f->type != FP_T_GRADE && f->type != FP_T_TEXT)
		return perr(p, "'value' aliases belong to fields of type grade "
		    "or text");
	/* code CODE [SHOWN] = ...: a code may say how to show it. */
	if (code && p->l.n >= 5 && !is_op(&p->l.t[2], "=") &&
	    is_op(&p->l.t[3], "="))
		eq = 3;
	if (p->l.n < eq + 2 || !is_op(&p->l.t[eq], "="))
		return perr(p, code ? "'code' needs CODE [LABEL] = LABEL | LABEL "
		    "..." : "'value' needs VALUE = LABEL | LABEL ...");
	v = code ? &f->codes : &f->values;
	n = code ? &f->ncodes : &f->nvalues;
	*v = fp_xreallocarray(*v, *n + 1, sizeof **v);
	memset(&(*v)[*n], 0, sizeof **v);
	(*v)[*n].canon = fp_xstrdup(p->l.t[1].s);
	if (eq == 3)
		(*v)[*n].display = fp_xstrdup(p->l.t[2].s);
	read_labels(p, eq + 1, &(*v)[*n].alts, NULL);
	if (!code)	/* the canonical value stands for itself too */
		labels_add(&(*v)[*n].alts, p->l.t[1].s);
	(*n)++;
	return FP_OK;
}

static enum fp_err
parse_at(struct parser *p)
{
	struct fp_field *f = p->field;
	size_t i;

	if (!f || p->table->kind != FP_TABLE_LIST)
		return perr(p, "'at' belongs to a column of a list table");
	if (p->l.n < 2)
		return perr(p, "'at' needs a header label");
	i = read_labels(p, 1, &f->labels, "+");
	if (i < p->l.n) {
		char *end;
		long k;

		if (i + 2 != p->l.n)
			return perr(p, "'at LABEL + N' needs one number after '+'");
		k = strtol(p->l.t[i + 1].s, &end, 10);
		if (*end || k < 0 || k > 50)
			return perr(p, "'%s' is not a column offset",
			    p->l.t[i + 1].s);
		f->at_offset = (int)k;
	}
	return FP_OK;
}

/* table.field, table[row].field, table.* */
static enum fp_err
parse_ref(struct parser *p, const char *s, struct fp_ref *r)
{
	const char *dot = strrchr(s, '.'), *br = strchr(s, '[');

	memset(r, 0, sizeof *r);
	if (!dot || dot == s || !dot[1])
		return perr(p, "'%s' is not a reference (TABLE.FIELD or "
		    "TABLE[ROW].FIELD)", s);
	if (br && br < dot) {
		const char *close = strchr(br, ']');

		if (!close || close + 1 != dot)
			return perr(p, "'%s': a row goes in brackets before the "
			    "field, TABLE[ROW].FIELD", s);
		r->table = fp_xstrndup(s, (size_t)(br - s));
		r->row = fp_xstrndup(br + 1, (size_t)(close - br - 1));
	} else {
		r->table = fp_xstrndup(s, (size_t)(dot - s));
	}
	r->field = fp_xstrdup(dot + 1);
	return FP_OK;
}

static struct fp_ref *
refs_push(struct fp_ref **v, size_t *n)
{
	*v = fp_xreallocarray(*v, *n + 1, sizeof **v);
	memset(&(*v)[*n], 0, sizeof **v);
	return &(*v)[(*n)++];
}

static enum fp_err
parse_rule(struct parser *p)
{
	struct fp_mapping *m = p->m;
	struct fp_rule *r;
	const char *kind;
	size_t i;
	enum fp_err err;

	if ((err = need(p, 3, "a severity (error or warning) and a kind")))
		return err;
	m->rules = fp_xreallocarray(m->rules, m->nrules + 1, sizeof *m->rules);
	r = &m->rules[m->nrules++];
	memset(r, 0, sizeof *r);
	r->line = p->l.no;
	if (!strcmp(p->l.t[1].s, "error"))
		r->severity = FP_SEV_ERROR;
	else if (!strcmp(p->l.t[1].s, "warning"))
		r->severity = FP_SEV_WARNING;
	else
		return perr(p, "unknown severity '%s' (expected error or warning)",
		    p->l.t[1].s);
	kind = p->l.t[2].s;
	p->table = NULL;
	p->field = NULL;
	if (!strcmp(kind, "sum")) {
		/* sum TABLE LHS = A + B + ... */
		r->kind = FP_RULE_SUM;
		if (p->l.n < 7 || !is_op(&p->l.t[5], "="))
			return perr(p, "'sum' needs TABLE FIELD = FIELD + FIELD ...");
		r->table = fp_xstrdup(p->l.t[3].s);
		r->lhs = fp_xstrdup(p->l.t[4].s);
		for (i = 6; i < p->l.n; i++) {
			if (is_op(&p->l.t[i], "+"))
				continue;
			r->parts = fp_xreallocarray(r->parts, r->nparts + 1,
			    sizeof *r->parts);
			r->parts[r->nparts++] = fp_xstrdup(p->l.t[i].s);
		}
	} else if (!strcmp(kind, "units")) {
		r->kind = FP_RULE_UNITS;
		if (p->l.n < 4)
			return perr(p, "'units' needs the tables it checks");
		for (i = 3; i < p->l.n; i++) {
			r->tables = fp_xreallocarray(r->tables, r->ntables + 1,
			    sizeof *r->tables);
			r->tables[r->ntables++] = fp_xstrdup(p->l.t[i].s);
		}
	} else if (!strcmp(kind, "min") || !strcmp(kind, "range") ||
	    !strcmp(kind, "required") || !strcmp(kind, "pattern")) {
		size_t first = 3;
		int exc = 0;

		if (!strcmp(kind, "min")) {
			r->kind = FP_RULE_MIN;
			if (p->l.n < 5 || !parse_double(p->l.t[3].s, &r->lo))
				return perr(p, "'min' needs a bound and references");
			first = 4;
		} else if (!strcmp(kind, "range")) {
			r->kind = FP_RULE_RANGE;
			if (p->l.n < 6 || !parse_double(p->l.t[3].s, &r->lo) ||
			    !parse_double(p->l.t[4].s, &r->hi))
				return perr(p, "'range' needs LOW HIGH and "
				    "references");
			first = 5;
		} else if (!strcmp(kind, "pattern")) {
			r->kind = FP_RULE_PATTERN;
			if (p->l.n != 5 && p->l.n != 6)
				return perr(p, "'pattern' needs a reference, a "
				    "quoted regular expression and, if you like, "
				    "what a value should be");
			r->pattern = fp_xstrdup(p->l.t[4].s);
			if (p->l.n == 6)
				r->what = fp_xstrdup(p->l.t[5].s);
			if ((err = compile(p, &r->re, r->pattern)))
				return err;
			r->has_re = 1;
			return parse_ref(p, p->l.t[3].s, refs_push(&r->refs,
			    &r->nrefs));
		} else {
			r->kind = FP_RULE_REQUIRED;
			if (p->l.n < 4)
				return perr(p, "'required' needs references");
		}
		for (i = first; i < p->l.n; i++) {
			if (!strcmp(p->l.t[i].s, "except") && r->kind == FP_RULE_MIN) {
				exc = 1;
				continue;
			}
			err = parse_ref(p, p->l.t[i].s, exc ?
			    refs_push(&r->except, &r->nexcept) :
			    refs_push(&r->refs, &r->nrefs));
			if (err)
				return err;
		}
	} else if (!strcmp(kind, "band")) {
		/* band CODEREF by NUMREF C1 N1 | C2 N2 | ... | CLAST */
		r->kind = FP_RULE_BAND;
		if (p->l.n < 7 || strcmp(p->l.t[4].s, "by"))
			return perr(p, "'band' needs CODE by NUMBER BAND N | BAND N "
			    "| ... | BAND");
		if ((err = parse_ref(p, p->l.t[3].s, &r->a)) ||
		    (err = parse_ref(p, p->l.t[5].s, &r->b)))
			return err;
		for (i = 6; i < p->l.n; i++) {
			struct fp_band *b;

			if (is_op(&p->l.t[i], "|"))
				continue;
			r->bands = fp_xreallocarray(r->bands, r->nbands + 1,
			    sizeof *r->bands);
			b = &r->bands[r->nbands++];
			b->code = fp_xstrdup(p->l.t[i].s);
			b->lo = -HUGE_VAL;
			if (i + 1 < p->l.n && !is_op(&p->l.t[i + 1], "|")) {
				if (!parse_double(p->l.t[i + 1].s, &b->lo))
					return perr(p, "'%s' is not a number",
					    p->l.t[i + 1].s);
				i++;
			} else if (i + 1 < p->l.n) {
				return perr(p, "only the last band may have no "
				    "lower bound");
			}
		}
	} else if (!strcmp(kind, "unique")) {
		r->kind = FP_RULE_UNIQUE;
		if (p->l.n != 3)
			return perr(p, "'unique' takes nothing more");
	} else if (!strcmp(kind, "compare")) {
		static const char *const ops[] = { "<=", "<", ">=", ">", "=" };

		r->kind = FP_RULE_COMPARE;
		if (p->l.n != 6)
			return perr(p, "'compare' needs REF OP REF");
		for (i = 0; i < 5; i++)
			if (is_op(&p->l.t[4], ops[i]))
				break;
		if (i == 5)
			return perr(p, "unknown comparison '%s' (expected <=, <, "
			    ">=, > or =)", p->l.t[4].s);
		snprintf(r->op, sizeof r->op, "%s", ops[i]);
		if ((err = parse_ref(p, p->l.t[3].s, &r->a)) ||
		    (err = parse_ref(p, p->l.t[5].s, &r->b)))
			return err;
	} else {
		return perr(p, "unknown rule kind '%s' (expected sum, units, min, "
		    "required, range, band, unique, compare or pattern)", kind);
	}
	return FP_OK;
}

/* Settings a table (or a defaults block) takes: header, key, strip, ... */
static enum fp_err
parse_table_setting(struct parser *p, const char *kw)
{
	struct fp_table *t = p->deftable ? p->deftable : p->table;
	enum fp_err err;

	if (!t)
		return perr(p, "'%s' outside a table", kw);
	if (p->l.n < 2)
		return perr(p, "'%s' needs a value", kw);
	if (!strcmp(kw, "header")) {
		read_labels(p, 1, &t->header, NULL);
	} else if (!strcmp(kw, "key")) {
		if (!p->deftable && t->kind != FP_TABLE_KEYED)
			return perr(p, "'key' belongs to a keyed table");
		labels_free(&t->key);
		read_labels(p, 1, &t->key, NULL);
	} else if (!strcmp(kw, "total")) {
		labels_free(&t->total);
		read_labels(p, 1, &t->total, NULL);
	} else if (!strcmp(kw, "stop")) {
		read_labels(p, 1, &t->stop, NULL);
	} else if (!strcmp(kw, "skip")) {
		read_labels(p, 1, &t->skip, NULL);
	} else if (!strcmp(kw, "strip")) {
		if (p->l.n != 2)
			return perr(p, "'strip' needs one quoted regular expression");
		if (t->has_strip) {
			regfree(&t->strip_re);
			t->has_strip = 0;
		}
		free(t->strip);
		t->strip = fp_xstrdup(p->l.t[1].s);
		if ((err = compile(p, &t->strip_re, t->strip)))
			return err;
		t->has_strip = 1;
	}
	p->field = NULL;
	return FP_OK;
}

static void
set_str(char **dst, char *v)
{
	free(*dst);
	*dst = v;
}

/* A line of the workbook section. */
static enum fp_err
parse_book(struct parser *p)
{
	struct fp_book *b = &p->m->book;
	const char *kw = p->l.t[0].s;
	enum fp_err err;
	size_t i, k;

	if (!strcmp(kw, "overview")) {
		if (p->l.n < 2 || p->l.n > 3)
			return perr(p, "'overview' needs the sheet's name and, if "
			    "you like, the label of its total row");
		set_str(&b->overview, fp_xstrdup(p->l.t[1].s));
		if (p->l.n == 3)
			set_str(&b->total_label, fp_xstrdup(p->l.t[2].s));
	} else if (!strcmp(kw, "show")) {
		struct fp_show *sh;

		if (p->l.n < 3)
			return perr(p, "'show' needs a reference and a label");
		b->show = fp_xreallocarray(b->show, b->nshow + 1,
		    sizeof *b->show);
		sh = &b->show[b->nshow++];
		memset(sh, 0, sizeof *sh);
		sh->label = join(p, 2, p->l.n);
		sh->line = p->l.no;
		if ((err = parse_ref(p, p->l.t[1].s, &sh->ref)))
			return err;
	} else if (!strcmp(kw, "errors") || !strcmp(kw, "warnings") ||
	    !strcmp(kw, "dept") || !strcmp(kw, "year")) {
		char **dst = !strcmp(kw, "errors") ? &b->errors_label :
		    !strcmp(kw, "warnings") ? &b->warnings_label :
		    !strcmp(kw, "dept") ? &b->dept_label : &b->year_label;

		if (p->l.n < 2)
			return perr(p, "'%s' needs a label", kw);
		set_str(dst, join(p, 1, p->l.n));
	} else if (!strcmp(kw, "findings")) {
		if (p->l.n < 2)
			return perr(p, "'findings' needs the sheet's name and nine "
			    "column labels");
		set_str(&b->findings, fp_xstrdup(p->l.t[1].s));
		for (i = 2, k = 0; i < p->l.n; i++) {
			if (is_op(&p->l.t[i], "|"))
				continue;
			if (k == 9)
				return perr(p, "'findings' has nine columns");
			set_str(&b->finding_labels[k++], fp_xstrdup(p->l.t[i].s));
		}
		if (k != 0 && k != 9)
			return perr(p, "'findings' has nine columns, not %zu", k);
	} else if (!strcmp(kw, "chart")) {
		if (p->l.n < 3)
			return perr(p, "'chart' needs a reference and a title");
		ref_free(&b->chart);
		if ((err = parse_ref(p, p->l.t[1].s, &b->chart)))
			return err;
		set_str(&b->chart_title, join(p, 2, p->l.n));
		b->has_chart = 1;
		b->chart_line = p->l.no;
	} else if (!strcmp(kw, "money") || !strcmp(kw, "number") ||
	    !strcmp(kw, "date")) {
		if (p->l.n != 2)
			return perr(p, "'%s' needs one quoted number format", kw);
		set_str(!strcmp(kw, "money") ? &b->money_format :
		    !strcmp(kw, "number") ? &b->number_format : &b->date_format,
		    fp_xstrdup(p->l.t[1].s));
	} else {
		return perr(p, "unknown keyword '%s' in the workbook section",
		    kw);
	}
	return FP_OK;
}

static enum fp_err
parse_line(struct parser *p)
{
	struct fp_mapping *m = p->m;
	const char *kw = p->l.t[0].s;
	struct fp_field *f = p->field;
	enum fp_err err;

	if (!strcmp(kw, "workbook")) {
		if (p->l.n != 1)
			return perr(p, "'workbook' starts a section; its settings "
			    "go on the lines below");
		p->in_book = 1;
		p->table = NULL;
		p->field = NULL;
		return FP_OK;
	}
	if (!strcmp(kw, "table") || !strcmp(kw, "rule") ||
	    !strcmp(kw, "defaults"))
		p->in_book = 0;
	if (p->in_book)
		return parse_book(p);
	if (!strcmp(kw, "form")) {
		if ((err = need(p, 2, "a name")))
			return err;
		free(m->name);
		free(m->title);
		m->name = fp_xstrdup(p->l.t[1].s);
		m->title = p->l.n > 2 ? join(p, 2, p->l.n) : NULL;
	} else if (!strcmp(kw, "sheet") && !p->field) {
		if ((err = need(p, 3, "'containing LABEL', 'named NAME' or "
		    "'number N'")))
			return err;
		if (!strcmp(p->l.t[1].s, "containing")) {
			read_labels(p, 2, &m->sheet_labels, NULL);
		} else if (!strcmp(p->l.t[1].s, "named")) {
			free(m->sheet_name);
			m->sheet_name = join(p, 2, p->l.n);
		} else if (!strcmp(p->l.t[1].s, "number")) {
			char *end;
			long k = strtol(p->l.t[2].s, &end, 10);

			if (*end || k < 1)
				return perr(p, "'%s' is not a sheet number",
				    p->l.t[2].s);
			m->sheet_number = (int)k;
		} else {
			return perr(p, "'sheet' needs 'containing LABEL', 'named "
			    "NAME' or 'number N'");
		}
	} else if (!strcmp(kw, "sheet")) {
		if (p->l.n != 2 || strcmp(p->l.t[1].s, "any"))
			return perr(p, "a field's 'sheet' can only be 'any'");
		f->any_sheet = 1;
	} else if (!strcmp(kw, "tolerance")) {
		if (p->l.n != 2 || !parse_double(p->l.t[1].s, &m->tolerance) ||
		    m->tolerance < 0)
			return perr(p, "'tolerance' needs a number >= 0");
	} else if (!strcmp(kw, "defaults")) {
		if (p->l.n != 2)
			return perr(p, "'defaults' needs a table kind");
		if (!strcmp(p->l.t[1].s, "keyed"))
			p->deftable = &p->defaults[FP_TABLE_KEYED];
		else if (!strcmp(p->l.t[1].s, "list"))
			p->deftable = &p->defaults[FP_TABLE_LIST];
		else
			return perr(p, "'defaults' is for keyed or list tables, "
			    "not '%s'", p->l.t[1].s);
		p->table = NULL;
		p->field = NULL;
	} else if (!strcmp(kw, "table")) {
		return parse_table(p);
	} else if (!strcmp(kw, "field")) {
		return parse_field(p, 0);
	} else if (!strcmp(kw, "column")) {
		return parse_field(p, 1);
	} else if (!strcmp(kw, "header") || !strcmp(kw, "key") ||
	    !strcmp(kw, "total") || !strcmp(kw, "stop") ||
	    !strcmp(kw, "strip") || !strcmp(kw, "skip")) {
		return parse_table_setting(p, kw);
	} else if (!strcmp(kw, "label")) {
		if (!f)
			return perr(p, "'label' belongs to a field or column");
		if (p->l.n < 2)
			return perr(p, "'label' needs at least one label");
		labels_free(&f->labels);
		read_labels(p, 1, &f->labels, NULL);
	} else if (!strcmp(kw, "take")) {
		return parse_take(p);
	} else if (!strcmp(kw, "pattern")) {
		if (!f || p->table->kind != FP_TABLE_FIELDS)
			return perr(p, "'pattern' belongs to a field");
		if (p->l.n != 2)
			return perr(p, "'pattern' needs one quoted regular "
			    "expression");
		free(f->pattern);
		f->pattern = fp_xstrdup(p->l.t[1].s);
		if (f->has_re)
			regfree(&f->re);
		f->has_re = 0;
		if ((err = compile(p, &f->re, f->pattern)))
			return err;
		f->has_re = 1;
	} else if (!strcmp(kw, "value")) {
		return parse_alias(p, 0);
	} else if (!strcmp(kw, "code")) {
		return parse_alias(p, 1);
	} else if (!strcmp(kw, "at")) {
		return parse_at(p);
	} else if (!strcmp(kw, "fill")) {
		if (!f || p->table->kind != FP_TABLE_LIST)
			return perr(p, "'fill' belongs to a column of a list table");
		if (p->l.n == 2 && !strcmp(p->l.t[1].s, "down"))
			f->fill_down = 1;
		else if (p->l.n == 2 && !strcmp(p->l.t[1].s, "left"))
			f->fill_left = 1;
		else
			return perr(p, "'fill' needs 'down' or 'left'");
	} else if (!strcmp(kw, "rule")) {
		return parse_rule(p);
	} else {
		return perr(p, "unknown keyword '%s'", kw);
	}
	return FP_OK;
}

/* A reference must name a table and a field of it (or *). */
static enum fp_err
check_ref(struct fp_mapping *m, struct parser *p, const struct fp_ref *r)
{
	const struct fp_table *t = fp_mapping_table(m, r->table);

	if (!t)
		return perr(p, "no table '%s'", r->table);
	if (strcmp(r->field, "*") && !fp_table_field(t, r->field))
		return perr(p, "table '%s' has no field '%s'", r->table,
		    r->field);
	return FP_OK;
}

static enum fp_err
check_rules(struct parser *p)
{
	struct fp_mapping *m = p->m;
	size_t i, k;
	enum fp_err err;

	for (i = 0; i < m->nrules; i++) {
		struct fp_rule *r = &m->rules[i];
		const struct fp_table *t;

		p->l.no = r->line;
		switch (r->kind) {
		case FP_RULE_SUM:
			t = fp_mapping_table(m, r->table);
			if (!t)
				return perr(p, "no table '%s'", r->table);
			if (!fp_table_field(t, r->lhs))
				return perr(p, "table '%s' has no field '%s'",
				    r->table, r->lhs);
			for (k = 0; k < r->nparts; k++)
				if (!fp_table_field(t, r->parts[k]))
					return perr(p, "table '%s' has no field "
					    "'%s'", r->table, r->parts[k]);
			break;
		case FP_RULE_UNITS:
			for (k = 0; k < r->ntables; k++) {
				t = fp_mapping_table(m, r->tables[k]);
				if (!t)
					return perr(p, "no table '%s'",
					    r->tables[k]);
				if (t->kind != FP_TABLE_KEYED)
					return perr(p, "'units' checks keyed tables; "
					    "'%s' is not one", r->tables[k]);
			}
			break;
		case FP_RULE_BAND:
		case FP_RULE_COMPARE:
			if ((err = check_ref(m, p, &r->a)) ||
			    (err = check_ref(m, p, &r->b)))
				return err;
			break;
		default:
			for (k = 0; k < r->nrefs; k++)
				if ((err = check_ref(m, p, &r->refs[k])))
					return err;
			for (k = 0; k < r->nexcept; k++)
				if ((err = check_ref(m, p, &r->except[k])))
					return err;
			break;
		}
	}
	return FP_OK;
}

/* The workbook section's references, and defaults for what it left out. */
static enum fp_err
check_book(struct parser *p)
{
	static const char *const flabels[9] = {
		"severity", "dept", "year", "table", "row", "field", "rule",
		"message", "source",
	};
	struct fp_book *b = &p->m->book;
	enum fp_err err;
	size_t i;

	for (i = 0; i < b->nshow; i++) {
		p->l.no = b->show[i].line;
		if ((err = check_ref(p->m, p, &b->show[i].ref)))
			return err;
	}
	p->l.no = b->chart_line;
	if (b->has_chart && (err = check_ref(p->m, p, &b->chart)))
		return err;
#define DEF(f, v) if (!b->f) b->f = fp_xstrdup(v)
	DEF(overview, "overview");
	DEF(total_label, "total");
	DEF(errors_label, "errors");
	DEF(warnings_label, "warnings");
	DEF(dept_label, "dept");
	DEF(year_label, "year");
	DEF(findings, "findings");
	DEF(money_format, "#,##0.00##");
	DEF(number_format, "General");
	DEF(date_format, "yyyy-mm-dd");
#undef DEF
	for (i = 0; i < 9; i++)
		if (!b->finding_labels[i])
			b->finding_labels[i] = fp_xstrdup(flabels[i]);
	return FP_OK;
}

/* Every table has what it needs to be found. */
static enum fp_err
check_tables(struct parser *p)
{
	struct fp_mapping *m = p->m;
	size_t i, k;

	if (m->ntables == 0) {
		p->l.no = 1;
		return perr(p, "the mapping describes no table");
	}
	for (i = 0; i < m->ntables; i++) {
		struct fp_table *t = &m->tables[i];

		p->l.no = t->line;
		if (t->kind != FP_TABLE_FIELDS && t->header.n == 0)
			return perr(p, "table '%s' needs a 'header' label",
			    t->name);
		if (t->kind == FP_TABLE_KEYED && t->key.n == 0)
			return perr(p, "table '%s' needs a 'key' label", t->name);
		if (t->nfields == 0)
			return perr(p, "table '%s' has no fields", t->name);
		for (k = 0; k < t->nfields; k++) {
			struct fp_field *f = &t->fields[k];

			p->l.no = f->line;
			if (f->labels.n == 0 && !f->has_re) {
				if (t->kind == FP_TABLE_FIELDS)
					return perr(p, "field '%s' needs a 'label' "
					    "or a 'pattern'", f->name);
				/* A column is found by its own label by default. */
				labels_add(&f->labels, f->cn);
			}
			if (t->kind == FP_TABLE_FIELDS && f->ntake == 0) {
				f->take[0] = FP_TAKE_COLON;
				f->take[1] = FP_TAKE_RIGHT;
				f->ntake = 2;
			}
		}
		if (!t->rowlabel)
			t->rowlabel = fp_xstrdup(t->kind == FP_TABLE_LIST ?
			    "#" : "row");
	}
	if (m->sheet_labels.n == 0 && !m->sheet_name && !m->sheet_number) {
		p->l.no = 1;
		return perr(p, "the mapping does not say which sheet holds the "
		    "form ('sheet containing LABEL')");
	}
	return FP_OK;
}

/* Gathers every label that marks a place on the form. */
static void
build_known(struct fp_mapping *m)
{
	size_t i, k, j, n = 0;

	for (i = 0; i < m->ntables; i++) {
		struct fp_table *t = &m->tables[i];

		for (k = 0; k < t->header.n; k++)
			labels_add(&m->known, t->header.v[k]);
		for (k = 0; k < t->key.n; k++)
			labels_add(&m->known, t->key.v[k]);
		for (k = 0; k < t->stop.n; k++)
			labels_add(&m->known, t->stop.v[k]);
		for (k = 0; k < t->nfields; k++)
			for (j = 0; j < t->fields[k].labels.n; j++)
				labels_add(&m->known, t->fields[k].labels.v[j]);
	}
	m->nknown_hash = 64;
	while (m->nknown_hash < m->known.n * 2)
		m->nknown_hash *= 2;
	m->known_hash = fp_xcalloc(m->nknown_hash, sizeof *m->known_hash);
	for (i = 0; i < m->known.n; i++) {
		const char *s = m->known.v[i];
		size_t h;

		if (strchr(s, '*'))
			continue;
		for (h = fp_hash(FP_HASH_INIT, s) & (m->nknown_hash - 1);
		    m->known_hash[h]; h = (h + 1) & (m->nknown_hash - 1))
			if (!strcmp(m->known_hash[h], s))
				break;
		if (!m->known_hash[h]) {
			m->known_hash[h] = m->known.v[i];
			n++;
		}
	}
}

enum fp_err
fp_mapping_parse(const char *name, const char *text, struct fp_mapping **out,
    struct fp_diag *d)
{
	struct parser p;
	const char *s = text, *e;
	enum fp_err err = FP_OK;
	int no = 0;
	size_t i;

	*out = NULL;
	memset(&p, 0, sizeof p);
	p.m = fp_xcalloc(1, sizeof *p.m);
	p.m->path = fp_xstrdup(name);
	p.m->tolerance = 0.01;
	p.name = name;
	p.d = d;
	while (*s) {
		const char *why = NULL;

		e = strchr(s, '\n');
		if (!e)
			e = s + strlen(s);
		p.l.no = ++no;
		line_release(&p.l);
		if (!fp_utf8_valid(s, (size_t)(e - s))) {
			err = perr(&p, "not UTF-8 text");
			break;
		}
		if (!tokenize(&p.l, s, (size_t)(e - s), &why)) {
			err = perr(&p, "%s", why);
			break;
		}
		if (p.l.n && (err = parse_line(&p)))
			break;
		s = *e ? e + 1 : e;
	}
	if (!err)
		err = check_tables(&p);
	if (!err)
		err = check_rules(&p);
	if (!err)
		err = check_book(&p);
	line_release(&p.l);
	free(p.l.t);
	for (i = 0; i < 3; i++)
		table_free(&p.defaults[i]);
	if (err) {
		fp_mapping_free(p.m);
		return err;
	}
	build_known(p.m);
	*out = p.m;
	return FP_OK;
}

enum fp_err
fp_mapping_load(const char *path, struct fp_mapping **out, struct fp_diag *d)
{
	struct fp_buf b = FP_BUF_INIT;
	char chunk[8192];
	size_t n;
	FILE *f;
	enum fp_err err;

	*out = NULL;
	f = fopen(path, "r");
	if (!f)
		return fp_diag(d, FP_EMAPPING, "%s: %s", path, strerror(errno));
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		fp_buf_add(&b, chunk, n);
	if (ferror(f)) {
		err = fp_diag(d, FP_EMAPPING, "%s: %s", path, strerror(errno));
		fclose(f);
		fp_buf_release(&b);
		return err;
	}
	fclose(f);
	if (memchr(b.s ? b.s : "", '\0', b.len)) {
		fp_buf_release(&b);
		return fp_diag(d, FP_EMAPPING, "%s: not a text file", path);
	}
	err = fp_mapping_parse(path, b.s ? b.s : "", out, d);
	fp_buf_release(&b);
	return err;
}

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

/* ---- Applying a mapping -------------------------------------------- */

struct apply {
	const struct fp_mapping *m;
	const struct fp_form *form;
	size_t sheet;			/* the form's sheet */
	struct fp_facts *out;
	size_t seq;
	struct fp_buf tmp;
};

/* 1 if label (label form) is one the mapping knows. */
static int
is_known(const struct fp_mapping *m, const char *label)
{
	size_t h, i;

	if (!label || !*label)
		return 0;
	for (h = fp_hash(FP_HASH_INIT, label) & (m->nknown_hash - 1); m->known_hash[h];
	    h = (h + 1) & (m->nknown_hash - 1))
		if (!strcmp(m->known_hash[h], label))
			return 1;
	for (i = 0; i < m->known.n; i++)
		if (strchr(m->known.v[i], '*') && fp_glob(m->known.v[i], label))
			return 1;
	return 0;
}

static int
cell_is_known(const struct fp_mapping *m, const struct fp_fcell *c)
{
	return c->label && (is_known(m, c->label) ||
	    (c->base && is_known(m, c->base)) ||
	    (c->prefix && !c->after && is_known(m, c->prefix)) ||
	    (c->pbase && !c->after && is_known(m, c->pbase)));
}

/* 1 if some cell of row r holds a label the mapping knows. */
static int
row_is_known(const struct fp_mapping *m, const struct fp_fsheet *s,
    uint32_t r)
{
	size_t k;

	if (r >= s->nrows)
		return 0;
	for (k = s->rowstart[r]; k < s->rowstart[r + 1]; k++)
		if (cell_is_known(m, &s->cells[k]))
			return 1;
	return 0;
}

static int
labels_match(const struct fp_labels *ls, const char *label)
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

/* 1 if the cell's label, or its label without a note in brackets, is one of ls. */
static int
cell_matches(const struct fp_labels *ls, const struct fp_fcell *c)
{
	return labels_match(ls, c->label) || labels_match(ls, c->base);
}

static void
add_fact(struct apply *a, const struct fp_table *t, const char *row,
    const char *field, const char *value, const struct fp_fsheet *s,
    size_t sheet, const struct fp_fcell *src, uint32_t pos)
{
	struct fp_facts *o = a->out;
	struct fp_fact *f;

	if (o->n == o->cap) {
		o->cap = o->cap ? o->cap * 2 : 64;
		o->v = fp_xreallocarray(o->v, o->cap, sizeof *o->v);
	}
	f = &o->v[o->n++];
	f->table = fp_xstrdup(t->name);
	f->row = fp_xstrdup(row);
	f->field = fp_xstrdup(field);
	f->value = fp_xstrdup(value);
	fp_buf_reset(&a->tmp);
	fp_fcell_ref(&a->tmp, s, src);
	f->source = fp_xstrdup(a->tmp.s);
	f->sheet = sheet;
	f->pos = pos;
	f->seq = a->seq++;
}

/*
 * Normalises a cell's value by the field's type into out. A value that
 * is not of its type keeps its text as written, so nothing is lost and
 * check can say what is wrong with it. Returns 0 if there is no value.
 */
static int
field_value(const struct fp_field *f, const struct fp_value *v,
    struct fp_buf *out)
{
	struct fp_buf lab = FP_BUF_INIT;
	size_t i;
	int ok = 0;

	fp_buf_reset(out);
	switch (f->type) {
	case FP_T_MONEY:
		ok = fp_norm_money(out, v);
		break;
	case FP_T_INTEGER:
		ok = fp_norm_integer(out, v);
		break;
	case FP_T_SCORE:
		ok = fp_norm_score(out, v);
		break;
	case FP_T_PHONE:
		ok = fp_norm_phone(out, v);
		break;
	case FP_T_DATE:
		ok = fp_norm_date(out, v);
		break;
	default:
		ok = fp_norm_plain(out, v);
		break;
	}
	if (!ok) {
		/* Not of its type: kept as written, unless it says "nothing". */
		fp_buf_reset(out);
		if (v->is_number)
			fp_norm_plain(out, v);
		else
			fp_norm_text(out, v->text, v->len);
		return out->len > 0 && (f->type == FP_T_TEXT ||
		    f->type == FP_T_PHONE || !fp_norm_is_nothing(out->s, out->len));
	}
	if (f->nvalues || f->ncodes) {
		fp_norm_label(&lab, out->s, out->len);
		for (i = 0; i < f->nvalues; i++)
			if (labels_match(&f->values[i].alts, lab.s)) {
				fp_buf_reset(out);
				fp_buf_adds(out, f->values[i].canon);
				break;
			}
		for (i = 0; i < f->ncodes; i++)
			if (labels_match(&f->codes[i].alts, lab.s)) {
				fp_buf_reset(out);
				fp_buf_adds(out, f->codes[i].canon);
				break;
			}
		fp_buf_release(&lab);
	}
	return out->len > 0;
}

/* The next cell right of c in its row, or NULL. */
static const struct fp_fcell *
right_of(const struct fp_fsheet *s, const struct fp_fcell *c)
{
	size_t k = (size_t)(c - s->cells) + 1;

	if (k < s->rowstart[c->row + 1])
		return &s->cells[k];
	return NULL;
}

/* The next cell below c in its column, not past a row of known labels. */
static const struct fp_fcell *
below(const struct fp_mapping *m, const struct fp_fsheet *s,
    const struct fp_fcell *c)
{
	uint32_t r;

	for (r = c->row + 1; r < s->nrows; r++) {
		const struct fp_fcell *b = fp_fsheet_at(s, r, c->col);

		if (b)
			return b;
		if (row_is_known(m, s, r))
			return NULL;
	}
	return NULL;
}

/*
 * Tries the field's ways of taking a value from the label cell c (found
 * by its whole label, or by the part before a colon if by_prefix).
 */
static int
take_value(struct apply *a, const struct fp_table *t, const struct fp_field *f,
    size_t si, const struct fp_fcell *c, int by_prefix)
{
	const struct fp_fsheet *s = &a->form->sheets[si];
	struct fp_buf val = FP_BUF_INIT;
	struct fp_value v;
	size_t i;
	int done = 0;

	for (i = 0; i < f->ntake && !done; i++) {
		const struct fp_fcell *vc = NULL;

		switch (f->take[i]) {
		case FP_TAKE_COLON:
			if (by_prefix && c->after) {
				memset(&v, 0, sizeof v);
				v.text = c->after;
				v.len = strlen(c->after);
				if (field_value(f, &v, &val)) {
					add_fact(a, t, "", f->name, val.s, s, si, c,
					    c->row);
					done = 1;
				}
			}
			break;
		case FP_TAKE_RIGHT:
			if (by_prefix && c->after)
				break;
			vc = right_of(s, c);
			break;
		case FP_TAKE_BELOW:
			if (by_prefix && c->after)
				break;
			vc = below(a->m, s, c);
			break;
		case FP_TAKE_PARAGRAPHS: {
			struct fp_buf para = FP_BUF_INIT;
			const struct fp_fcell *first = NULL;
			size_t k;

			for (k = s->rowstart[c->row + 1]; k < s->ncells; k++) {
				const struct fp_fcell *pc = &s->cells[k];
				size_t before = para.len;

				if (para.len)
					fp_buf_addc(&para, '\n');
				fp_norm_text(&para, pc->text, pc->len);
				if (para.len == before + (before ? 1 : 0)) {
					para.len = before;
					continue;
				}
				if (!first)
					first = pc;
			}
			if (first) {
				add_fact(a, t, "", f->name, para.s, s, si, first,
				    first->row);
				done = 1;
			}
			fp_buf_release(&para);
			break;
		}
		}
		if (vc && !cell_is_known(a->m, vc)) {
			fp_fcell_value(vc, a->form->date1904, &v);
			if (field_value(f, &v, &val)) {
				add_fact(a, t, "", f->name, val.s, s, si, vc,
				    vc->row);
				done = 1;
			}
		}
	}
	fp_buf_release(&val);
	return done;
}

static int
idx_cmp(const void *x, const void *y)
{
	size_t a = *(const size_t *)x, b = *(const size_t *)y;

	return a < b ? -1 : a > b;
}

/* Finds one single field, by pattern or by label. */
static void
apply_field(struct apply *a, const struct fp_table *t, const struct fp_field *f)
{
	const struct fp_form *form = a->form;
	size_t n = f->any_sheet ? form->nsheets : 1, o;

	for (o = 0; o < n; o++) {
		/* The form's sheet first, then the others in order. */
		size_t si = o == 0 ? a->sheet : (o <= a->sheet ? o - 1 : o);
		const struct fp_fsheet *s = &form->sheets[si];
		size_t *cand = NULL, ncand = 0, k, i;

		if (f->has_re) {
			regmatch_t mt[2];

			for (k = 0; k < s->ncells; k++) {
				const struct fp_fcell *c = &s->cells[k];
				struct fp_buf val = FP_BUF_INIT;
				struct fp_value v;
				char *cap;

				if (!c->label || regexec(&f->re, c->label, 2, mt, 0))
					continue;
				if (mt[1].rm_so >= 0)
					cap = fp_xstrndup(c->label + mt[1].rm_so,
					    (size_t)(mt[1].rm_eo - mt[1].rm_so));
				else
					cap = fp_xstrndup(c->label + mt[0].rm_so,
					    (size_t)(mt[0].rm_eo - mt[0].rm_so));
				memset(&v, 0, sizeof v);
				v.text = cap;
				v.len = strlen(cap);
				if (field_value(f, &v, &val))
					add_fact(a, t, "", f->name, val.s, s, si, c,
					    c->row);
				fp_buf_release(&val);
				free(cap);
				return;
			}
			continue;
		}
		/* Every cell carrying one of the labels, in row order. */
		for (i = 0; i < f->labels.n; i++) {
			const char *lab = f->labels.v[i];
			int by;

			if (strchr(lab, '*')) {
				for (k = 0; k < s->ncells; k++)
					if (s->cells[k].label &&
					    fp_glob(lab, s->cells[k].label)) {
						cand = fp_xreallocarray(cand, ncand + 1,
						    sizeof *cand);
						cand[ncand++] = k << 2;
					}
				continue;
			}
			for (by = 0; by < 4; by++) {
				size_t idx;
				const struct fp_fcell *c;

				for (c = fp_fsheet_find(s, lab, (enum fp_key)by,
				    &idx); c;
				    c = fp_fsheet_next(s, &idx)) {
					cand = fp_xreallocarray(cand, ncand + 1,
					    sizeof *cand);
					cand[ncand++] = idx;
				}
			}
		}
		if (ncand > 1)
			qsort(cand, ncand, sizeof *cand, idx_cmp);
		for (k = 0; k < ncand; k++) {
			if (k && cand[k] == cand[k - 1])
				continue;
			if (take_value(a, t, f, si, &s->cells[cand[k] >> 2],
			    (int)(cand[k] & 1))) {
				free(cand);
				return;
			}
		}
		free(cand);
	}
}

/* The first cell of the form's sheet with one of these labels. */
static const struct fp_fcell *
find_first(const struct fp_fsheet *s, const struct fp_labels *ls)
{
	const struct fp_fcell *best = NULL;
	size_t i, k;

	for (i = 0; i < ls->n; i++) {
		const struct fp_fcell *c = NULL;
		size_t idx;

		if (strchr(ls->v[i], '*')) {
			for (k = 0; k < s->ncells; k++)
				if (s->cells[k].label &&
				    fp_glob(ls->v[i], s->cells[k].label)) {
					c = &s->cells[k];
					break;
				}
		} else {
			c = fp_fsheet_find(s, ls->v[i], FP_KEY_LABEL, &idx);
			if (!c)
				c = fp_fsheet_find(s, ls->v[i], FP_KEY_BASE, &idx);
		}
		if (c && (!best || c < best))
			best = c;
	}
	return best;
}

/* The key of a keyed table's row: "total", or the unit without enumerator. */
static char *
row_key(const struct fp_table *t, const struct fp_fcell *kc)
{
	regmatch_t mt;
	const char *s = kc->label ? kc->label : kc->text;

	if (labels_match(&t->total, s))
		return fp_xstrdup(FP_ROW_TOTAL);
	if (t->has_strip && !regexec(&t->strip_re, s, 1, &mt, 0) &&
	    mt.rm_so == 0 && mt.rm_eo > 0 && s[mt.rm_eo])
		return fp_xstrdup(s + mt.rm_eo);
	return fp_xstrdup(s);
}

/* 1 if the key cell starts with the table's enumerator (a unit row). */
static int
enumerated(const struct fp_table *t, const struct fp_fcell *kc)
{
	regmatch_t mt;

	return kc && kc->label && t->has_strip &&
	    !regexec(&t->strip_re, kc->label, 1, &mt, 0) && mt.rm_so == 0;
}

static void
apply_keyed(struct apply *a, const struct fp_table *t)
{
	const struct fp_fsheet *s = &a->form->sheets[a->sheet];
	const struct fp_fcell *anchor = find_first(s, &t->header), *kc;
	uint32_t R, D, r, keycol, hdr, ncols = 0;
	int32_t *colfield;
	const struct fp_fcell **colcell;
	unsigned char *taken;
	struct fp_buf val = FP_BUF_INIT;
	size_t k, i;

	if (!anchor)
		return;
	R = anchor->row;
	/* The key column: headed by a key label in the header row. */
	keycol = s->cells[s->rowstart[R]].col;
	for (k = s->rowstart[R]; k < s->rowstart[R + 1]; k++)
		if (cell_matches(&t->key, &s->cells[k])) {
			keycol = s->cells[k].col;
			break;
		}
	/* Data start at the first row below with a key that is no header. */
	for (D = R + 1; D < s->nrows && D < R + 6; D++) {
		kc = fp_fsheet_at(s, D, keycol);
		if (kc && !cell_matches(&t->key, kc))
			break;
	}
	/*
	 * Name each column by the lowest header label over it, passing over
	 * the words that name no column (其中, "of which").
	 */
	for (k = s->rowstart[R]; k < s->rowstart[D < s->nrows ? D : s->nrows];
	    k++)
		if (s->cells[k].col + 1 > ncols)
			ncols = s->cells[k].col + 1;
	colfield = fp_xcalloc(ncols + 1, sizeof *colfield);
	colcell = fp_xcalloc(ncols + 1, sizeof *colcell);
	taken = fp_xcalloc(t->nfields + 1, 1);
	for (hdr = R; hdr < D && hdr < s->nrows; hdr++)
		for (k = s->rowstart[hdr]; k < s->rowstart[hdr + 1]; k++) {
			const struct fp_fcell *c = &s->cells[k];

			if (c->col == keycol || !c->label ||
			    cell_matches(&t->skip, c))
				continue;
			colcell[c->col] = c;
		}
	for (i = 0; i < ncols; i++) {
		colfield[i] = -1;
		if (!colcell[i])
			continue;
		for (k = 0; k < t->nfields; k++)
			if (!taken[k] && cell_matches(&t->fields[k].labels,
			    colcell[i])) {
				colfield[i] = (int32_t)k;
				taken[k] = 1;
				break;
			}
	}
	for (r = D; r < s->nrows; r++) {
		char *key;

		if (s->rowstart[r] == s->rowstart[r + 1]) {
			/* A blank row ends the table, unless a unit row follows. */
			uint32_t r2 = r + 1;

			while (r2 < s->nrows && s->rowstart[r2] == s->rowstart[r2 + 1])
				r2++;
			if (r2 < s->nrows && !row_is_known(a->m, s, r2) &&
			    enumerated(t, fp_fsheet_at(s, r2, keycol))) {
				r = r2 - 1;
				continue;
			}
			break;
		}
		if (row_is_known(a->m, s, r))
			break;
		kc = fp_fsheet_at(s, r, keycol);
		if (!kc)
			continue;
		key = row_key(t, kc);
		for (k = s->rowstart[r]; k < s->rowstart[r + 1]; k++) {
			const struct fp_fcell *c = &s->cells[k];
			const struct fp_field *f;
			struct fp_value v;

			if (c->col >= ncols || colfield[c->col] < 0)
				continue;
			f = &t->fields[colfield[c->col]];
			fp_fcell_value(c, a->form->date1904, &v);
			if (field_value(f, &v, &val))
				add_fact(a, t, key, f->name, val.s, s, a->sheet, c, r);
		}
		free(key);
	}
	free(colfield);
	free(colcell);
	free(taken);
	fp_buf_release(&val);
}

static void
apply_list(struct apply *a, const struct fp_table *t)
{
	const struct fp_fsheet *s = &a->form->sheets[a->sheet];
	const struct fp_fcell *anchor = find_first(s, &t->header);
	const struct fp_fcell **last;
	int64_t *col;
	struct fp_buf val = FP_BUF_INIT, num = FP_BUF_INIT;
	uint32_t R, r;
	size_t k, i, n = 0;

	if (!anchor)
		return;
	R = anchor->row;
	col = fp_xcalloc(t->nfields, sizeof *col);
	last = fp_xcalloc(t->nfields, sizeof *last);
	for (i = 0; i < t->nfields; i++) {
		col[i] = -1;
		for (k = s->rowstart[R]; k < s->rowstart[R + 1]; k++)
			if (cell_matches(&t->fields[i].labels, &s->cells[k])) {
				col[i] = (int64_t)s->cells[k].col +
				    t->fields[i].at_offset;
				break;
			}
	}
	for (r = R + 1; r < s->nrows; r++) {
		const struct fp_fcell *cell[64];
		int any = 0;

		if (s->rowstart[r] == s->rowstart[r + 1])
			continue;
		if (row_is_known(a->m, s, r))
			break;
		for (i = 0; i < t->nfields && i < 64; i++) {
			cell[i] = col[i] >= 0 ?
			    fp_fsheet_at(s, r, (uint32_t)col[i]) : NULL;
			if (cell[i])
				any = 1;
		}
		if (!any)
			continue;
		fp_buf_reset(&num);
		fp_buf_printf(&num, "%zu", ++n);
		for (i = 0; i < t->nfields && i < 64; i++) {
			const struct fp_field *f = &t->fields[i];
			const struct fp_fcell *c = cell[i];
			struct fp_value v;

			if (!c && f->fill_left && col[i] > 0)
				c = fp_fsheet_at(s, r, (uint32_t)col[i] - 1);
			if (!c && f->fill_down)
				c = last[i];
			if (cell[i])
				last[i] = cell[i];
			if (!c)
				continue;
			fp_fcell_value(c, a->form->date1904, &v);
			if (field_value(f, &v, &val))
				add_fact(a, t, num.s, f->name, val.s, s, a->sheet,
				    c, r);
		}
	}
	free(col);
	free(last);
	fp_buf_release(&val);
	fp_buf_release(&num);
}

/* Which sheet holds the form; -1 if none. */
static long
find_sheet(const struct fp_mapping *m, const struct fp_form *form)
{
	size_t i;

	if (m->sheet_name) {
		for (i = 0; i < form->nsheets; i++)
			if (!strcmp(form->sheets[i].name, m->sheet_name))
				return (long)i;
		return -1;
	}
	if (m->sheet_number)
		return (size_t)m->sheet_number <= form->nsheets ?
		    m->sheet_number - 1 : -1;
	for (i = 0; i < form->nsheets; i++)
		if (find_first(&form->sheets[i], &m->sheet_labels))
			return (long)i;
	return -1;
}

static int
fact_cmp(const void *x, const void *y)
{
	const struct fp_fact *a = x, *b = y;

	if (a->sheet != b->sheet)
		return a->sheet < b->sheet ? -1 : 1;
	if (a->pos != b->pos)
		return a->pos < b->pos ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static void
fact_free(struct fp_fact *f)
{
	free(f->table);
	free(f->row);
	free(f->field);
	free(f->value);
	free(f->source);
}

void
fp_facts_release(struct fp_facts *o)
{
	size_t i;

	for (i = 0; i < o->n; i++)
		fact_free(&o->v[i]);
	free(o->v);
	free(o->dept);
	free(o->year);
	memset(o, 0, sizeof *o);
}

enum fp_err
fp_mapping_apply(const struct fp_mapping *m, const struct fp_form *form,
    const char *set_dept, const char *set_year, struct fp_facts *out,
    struct fp_diag *d)
{
	struct apply a;
	long sheet;
	size_t i, k;

	memset(out, 0, sizeof *out);
	sheet = find_sheet(m, form);
	if (sheet < 0) {
		if (m->sheet_name)
			return fp_diag(d, FP_ENOMATCH, "not a %s form: no sheet "
			    "named '%s'", m->name ? m->name : "", m->sheet_name);
		if (m->sheet_number)
			return fp_diag(d, FP_ENOMATCH, "not a %s form: no sheet "
			    "%d", m->name ? m->name : "", m->sheet_number);
		return fp_diag(d, FP_ENOMATCH, "not a %s form: no sheet has a "
		    "cell '%s'", m->name ? m->name : "", m->sheet_labels.v[0]);
	}
	memset(&a, 0, sizeof a);
	a.m = m;
	a.form = form;
	a.sheet = (size_t)sheet;
	a.out = out;
	for (i = 0; i < m->ntables; i++) {
		const struct fp_table *t = &m->tables[i];

		switch (t->kind) {
		case FP_TABLE_FIELDS:
			for (k = 0; k < t->nfields; k++)
				apply_field(&a, t, &t->fields[k]);
			break;
		case FP_TABLE_KEYED:
			apply_keyed(&a, t);
			break;
		case FP_TABLE_LIST:
			apply_list(&a, t);
			break;
		}
	}
	fp_buf_release(&a.tmp);
	/* Department and year: the first table's dept and year fields. */
	for (i = 0; i < out->n; i++) {
		struct fp_fact *f = &out->v[i];

		if (!out->dept && !strcmp(f->field, FP_FIELD_DEPT) && !*f->row)
			out->dept = fp_xstrdup(f->value);
		if (!out->year && !strcmp(f->field, FP_FIELD_YEAR) && !*f->row)
			out->year = fp_xstrdup(f->value);
	}
	/* Form order, with dept and year first. */
	for (i = 0; i < out->n; i++) {
		struct fp_fact *f = &out->v[i];

		if (!*f->row && (!strcmp(f->field, FP_FIELD_DEPT) ||
		    !strcmp(f->field, FP_FIELD_YEAR))) {
			f->sheet = 0;
			f->pos = 0;
			f->seq = !strcmp(f->field, FP_FIELD_YEAR);
		} else {
			f->sheet = f->sheet + 1;
		}
	}
	qsort(out->v, out->n, sizeof *out->v, fact_cmp);
	if (set_dept) {
		free(out->dept);
		out->dept = fp_xstrdup(set_dept);
	}
	if (set_year) {
		free(out->year);
		out->year = fp_xstrdup(set_year);
	}
	for (i = 0; i < out->n; i++) {
		struct fp_fact *f = &out->v[i];

		if (set_dept && !*f->row && !strcmp(f->field, FP_FIELD_DEPT)) {
			free(f->value);
			f->value = fp_xstrdup(set_dept);
		}
		if (set_year && !*f->row && !strcmp(f->field, FP_FIELD_YEAR)) {
			free(f->value);
			f->value = fp_xstrdup(set_year);
		}
	}
	if (!out->dept)
		out->dept = fp_xstrdup("");
	if (!out->year)
		out->year = fp_xstrdup("");
	return FP_OK;
}

void
fp_fact_line(struct fp_buf *b, const char *dept, const char *year,
    const struct fp_fact *f)
{
	fp_csv_field(b, dept, strlen(dept));
	fp_buf_addc(b, ',');
	fp_csv_field(b, year, strlen(year));
	fp_buf_addc(b, ',');
	fp_csv_field(b, f->table, strlen(f->table));
	fp_buf_addc(b, ',');
	fp_csv_field(b, f->row, strlen(f->row));
	fp_buf_addc(b, ',');
	fp_csv_field(b, f->field, strlen(f->field));
	fp_buf_addc(b, ',');
	fp_csv_field(b, f->value, strlen(f->value));
	fp_buf_addc(b, ',');
	fp_csv_field(b, f->source, strlen(f->source));
	fp_buf_addc(b, '\n');
}
