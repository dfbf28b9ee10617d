/*
 * The mapping language's parser: one statement a line, dispatched by its
 * first word through a keyword table that says where each statement may
 * stand (at the top, in a table, in a field or column, after a rule, in
 * the workbook or messages section). Indentation only helps the reader:
 * a statement that belongs further out closes the blocks it leaves. One
 * function per statement, and one per rule kind.
 */
#include "mapping_int.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "normalize.h"

enum fp_err
fp_perr(struct parser *p, const char *fmt, ...)
{
	char msg[FP_DIAG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return fp_diag(p->d, FP_EMAPPING, "%s:%d: %s", p->name, p->l.no, msg);
}

void
fp_labels_add(struct fp_labels *ls, const char *raw)
{
	struct fp_buf b = FP_BUF_INIT;

	fp_norm_label(&b, raw, strlen(raw));
	ls->v = fp_xreallocarray(ls->v, ls->n + 1, sizeof *ls->v);
	ls->v[ls->n++] = b.s ? fp_buf_detach(&b) : fp_xstrdup("");
}

void
fp_labels_free(struct fp_labels *ls)
{
	size_t i;

	for (i = 0; i < ls->n; i++)
		free(ls->v[i]);
	free(ls->v);
	ls->v = NULL;
	ls->n = 0;
}

void
fp_labels_copy(struct fp_labels *dst, const struct fp_labels *src)
{
	size_t i;

	for (i = 0; i < src->n; i++) {
		dst->v = fp_xreallocarray(dst->v, dst->n + 1, sizeof *dst->v);
		dst->v[dst->n++] = fp_xstrdup(src->v[i]);
	}
}

size_t
fp_read_labels(struct parser *p, size_t from, struct fp_labels *ls,
    int (*stop)(const struct tok *t))
{
	struct fp_buf cur = FP_BUF_INIT;
	size_t i;
	int any = 0;

	for (i = from; i < p->l.n; i++) {
		struct tok *t = &p->l.t[i];

		if (stop && !t->quoted && stop(t))
			break;
		if (fp_tok_is(t, "|")) {
			if (any)
				fp_labels_add(ls, cur.s);
			fp_buf_reset(&cur);
			any = 0;
			continue;
		}
		/* Words between bars join: label form has no spaces anyway. */
		fp_buf_adds(&cur, t->s);
		any = 1;
	}
	if (any)
		fp_labels_add(ls, cur.s);
	fp_buf_release(&cur);
	return i;
}

/* ---- Small readers ------------------------------------------------- */

static const char *const type_names[FP_NTYPES] = {
	"text", "money", "integer", "number", "score", "phone", "date",
	"grade", "code",
};

const char *
fp_type_name(enum fp_type t)
{
	return (unsigned)t < FP_NTYPES ? type_names[t] : NULL;
}

int
fp_type_numeric(enum fp_type t)
{
	return t == FP_T_MONEY || t == FP_T_INTEGER || t == FP_T_NUMBER ||
	    t == FP_T_SCORE;
}

static int
parse_type(const char *s, enum fp_type *t)
{
	size_t i;

	for (i = 0; i < FP_NTYPES; i++)
		if (!strcmp(s, type_names[i])) {
			*t = (enum fp_type)i;
			return 1;
		}
	return 0;
}

/*
 * How many nodes regcomp makes of an extended regular expression, roughly:
 * glibc copies what a repetition repeats ("x+" is "xx*", "x{3,5}" five x),
 * so a repetition of a repetition multiplies, and "a+++...+" doubles with
 * every "+"; and the epsilon closures of optional parts ("x{0,3000}")
 * grow as the square of their count (74 MB for 3,000, 790 MB for
 * 10,000). Counted before regcomp is asked, so that such a pattern is
 * refused instead of taking gigabytes. Refused too, because glibc takes
 * time cubic in their size over them (23 s for "(a|b?){0,300}", minutes
 * for an empty alternative "||" repeated a few hundred times): a part
 * that can match nothing, repeated more than once; and a back-reference
 * ("\\1"), which POSIX leaves out of extended expressions and glibc
 * matches in exponential time. The count saturates at PATTERN_CAP.
 */
#define PATTERN_MOST 2000
#define PATTERN_CAP 1000000000ULL

/* What the counting found, beyond the count. */
struct re_scan {
	int backref;		/* a back-reference */
	int nullrep;		/* a repetition of what can match nothing */
};

static unsigned long long re_alt(const char **s, int depth,
    struct re_scan *sc, int *nullable);

static unsigned long long
re_mul(unsigned long long a, unsigned long long b)
{
	return b && a > PATTERN_CAP / b ? PATTERN_CAP : a * b;
}

/*
 * A repetition's factor, past it; 0 if *s is not one. *min0 is set when
 * it allows no occurrence, *many when it allows more than one.
 */
static unsigned long long
re_repeat(const char **s, int *min0, int *many)
{
	const char *q = *s;
	unsigned long long m = 0, n;

	*min0 = *many = 0;
	if (*q == '*' || *q == '?') {
		*s = q + 1;
		*min0 = 1;
		*many = *q == '*';
		return 1;
	}
	if (*q == '+') {
		*s = q + 1;
		*many = 1;
		return 2;
	}
	if (*q != '{' || q[1] < '0' || q[1] > '9')
		return 0;
	for (q++; *q >= '0' && *q <= '9'; q++)
		m = m < PATTERN_CAP ? m * 10 + (unsigned)(*q - '0') : m;
	n = m ? m : 1;
	*many = m > 1;
	if (*q == ',') {
		n = m + 1;
		*many = 1;		/* no upper bound */
		if (q[1] >= '0' && q[1] <= '9') {
			for (n = 0, q++; *q >= '0' && *q <= '9'; q++)
				n = n < PATTERN_CAP ? n * 10 +
				    (unsigned)(*q - '0') : n;
			*many = n > 1;
		} else {
			q++;
		}
	}
	if (*q == '}')
		q++;
	*s = q;
	*min0 = m == 0;
	return n ? n : 1;
}

/* One atom's count; *nullable when it can match the empty string. */
static unsigned long long
re_atom(const char **s, int depth, struct re_scan *sc, int *nullable)
{
	const char *q = *s;
	unsigned long long n = 1;

	*nullable = 0;
	if (*q == '(') {
		q++;
		n = depth < 100 ? re_alt(&q, depth + 1, sc, nullable) :
		    PATTERN_CAP;
		if (*q == ')')
			q++;
	} else if (*q == '[') {
		q++;
		if (*q == '^')
			q++;
		if (*q == ']')
			q++;
		while (*q && *q != ']') {
			if (q[0] == '[' && (q[1] == ':' || q[1] == '.' ||
			    q[1] == '=')) {
				const char *e = strstr(q + 2, "]");

				q = e ? e + 1 : q + strlen(q);
			} else {
				q++;
			}
		}
		if (*q)
			q++;
	} else if (*q == '\\' && q[1]) {
		if (q[1] >= '1' && q[1] <= '9')
			sc->backref = 1;
		/* Word boundaries and buffer ends match no character. */
		*nullable = strchr("bB<>`'", q[1]) != NULL;
		q += 2;
	} else if (*q) {
		*nullable = *q == '^' || *q == '$';
		q++;
	}
	*s = q;
	return n;
}

/* Alternatives up to ")" or the end; *nullable if one can match nothing. */
static unsigned long long
re_alt(const char **s, int depth, struct re_scan *sc, int *nullable)
{
	unsigned long long total = 0, branch = 0;
	int empty = 1;		/* every piece of the branch so far nullable */

	*nullable = 0;
	while (**s && **s != ')') {
		unsigned long long piece, f;
		int pnull, min0, many;

		if (**s == '|') {
			total += branch;
			*nullable |= empty;
			branch = 0;
			empty = 1;
			(*s)++;
			continue;
		}
		piece = re_atom(s, depth, sc, &pnull);
		while ((f = re_repeat(s, &min0, &many)) != 0) {
			if (pnull && many)
				sc->nullrep = 1;
			piece = re_mul(piece, f);
			pnull |= min0;
		}
		empty &= pnull;
		branch = branch + piece < PATTERN_CAP ? branch + piece :
		    PATTERN_CAP;
	}
	total += branch;
	*nullable |= empty;
	return total < PATTERN_CAP ? total : PATTERN_CAP;
}

static enum fp_err
compile(struct parser *p, regex_t *re, const char *pattern)
{
	const char *q = pattern;
	unsigned long long size = 0;
	struct re_scan sc = { 0, 0 };
	int rc, nullable;

	/* A stray ")" ends the count early: regcomp says what is wrong. */
	while (*q && size < PATTERN_CAP) {
		size += re_alt(&q, 0, &sc, &nullable);
		if (*q == ')')
			q++;
	}
	if (sc.backref)
		return fp_perr(p, "pattern \"%s\": a back-reference (\\1 to "
		    "\\9) is not part of extended regular expressions",
		    pattern);
	if (sc.nullrep)
		return fp_perr(p, "pattern \"%s\": a repeated part can match "
		    "nothing (an empty alternative, or one all optional); "
		    "write it so that each repetition matches something",
		    pattern);
	if (size > PATTERN_MOST)
		return fp_perr(p, "pattern \"%s\" is too big: its repetitions "
		    "make over %d parts", pattern, PATTERN_MOST);
	rc = fp_regcomp(re, pattern, REG_EXTENDED);

	if (rc) {
		char msg[200];

		regerror(rc, re, msg, sizeof msg);
		return fp_perr(p, "bad pattern \"%s\": %s", pattern, msg);
	}
	return FP_OK;
}

/* A finite number written plainly (no hex, no inf or nan words). */
static int
parse_number(const char *s, double *x)
{
	char *end;

	if (!*s || strpbrk(s, "xXnNiI"))
		return 0;
	errno = 0;
	*x = strtod(s, &end);
	return !*end && !errno && isfinite(*x);
}

/* A whole number within lo..hi. */
static int
parse_int(const char *s, long lo, long hi, long *v)
{
	char *end;

	if (!*s || (*s != '-' && *s != '+' && (*s < '0' || *s > '9')))
		return 0;
	errno = 0;
	*v = strtol(s, &end, 10);
	return !*end && !errno && *v >= lo && *v <= hi;
}

static enum fp_err
need(struct parser *p, size_t n, const char *what)
{
	if (p->l.n < n)
		return fp_perr(p, "'%s' needs %s", p->l.t[0].s, what);
	return FP_OK;
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
	return b.s ? fp_buf_detach(&b) : fp_xstrdup("");
}

static void
set_str(char **dst, char *v)
{
	free(*dst);
	*dst = v;
}

static enum fp_err
parse_ref(struct parser *p, const char *s, struct fp_ref *r)
{
	if (!fp_ref_parse(s, strlen(s), r))
		return fp_perr(p, "'%s' is not a reference (TABLE.FIELD, "
		    "TABLE[ROW].FIELD or TABLE.*)", s);
	return FP_OK;
}

/*
 * "+ N", "- N", "+N" or "-N" at tokens i.. to the end: a column offset.
 * Returns 1 and sets *off if the tokens from i are one, 0 if there is
 * none at i, -1 (error reported) if it is malformed.
 */
static int
read_offset(struct parser *p, size_t i, int *off, enum fp_err *err)
{
	const char *num;
	long k;
	int sign;

	if (i >= p->l.n)
		return 0;
	if (fp_tok_is(&p->l.t[i], "+") || fp_tok_is(&p->l.t[i], "-")) {
		sign = p->l.t[i].s[0] == '-' ? -1 : 1;
		if (i + 2 != p->l.n) {
			*err = fp_perr(p, "a column offset is '+ N' or '- N' at "
			    "the end of the line");
			return -1;
		}
		num = p->l.t[i + 1].s;
	} else if ((p->l.t[i].s[0] == '+' || p->l.t[i].s[0] == '-') &&
	    !p->l.t[i].quoted && i + 1 == p->l.n) {
		sign = p->l.t[i].s[0] == '-' ? -1 : 1;
		num = p->l.t[i].s + 1;
	} else {
		return 0;
	}
	if (!parse_int(num, 0, 255, &k) || *num == '-' || *num == '+') {
		*err = fp_perr(p, "'%s' is not a column offset (0 to 255)", num);
		return -1;
	}
	*off = sign * (int)k;
	return 1;
}

/* A token that starts a column offset: "+", "-", "+N", "-N". */
static int
is_offset_tok(const struct tok *t)
{
	return t->s[0] == '+' || (t->s[0] == '-' && (!t->s[1] ||
	    (t->s[1] >= '0' && t->s[1] <= '9')));
}

/* LABELS [+|- N] from token 1: labels and a column offset. */
static enum fp_err
read_place(struct parser *p, struct fp_labels *ls, int *off)
{
	enum fp_err err = FP_OK;
	size_t i;

	fp_labels_free(ls);
	*off = 0;
	i = fp_read_labels(p, 1, ls, is_offset_tok);
	if (ls->n == 0)
		return fp_perr(p, "'%s' needs a header label", p->l.t[0].s);
	if (i < p->l.n && read_offset(p, i, off, &err) <= 0)
		return err ? err : fp_perr(p, "unexpected '%s'", p->l.t[i].s);
	return FP_OK;
}

/* ---- The form's own statements ------------------------------------- */

static enum fp_err
kw_form(struct parser *p)
{
	enum fp_err err;

	if ((err = need(p, 2, "a name")))
		return err;
	set_str(&p->m->name, fp_xstrdup(p->l.t[1].s));
	set_str(&p->m->title, p->l.n > 2 ? join(p, 2, p->l.n) : NULL);
	return FP_OK;
}

static enum fp_err
kw_sheet(struct parser *p)
{
	struct fp_mapping *m = p->m;
	const char *how;
	long k;

	if (p->l.n < 3)
		return fp_perr(p, "'%s' needs 'containing LABEL', 'named NAME' "
		    "or 'number N'", p->l.t[0].s);
	m->every_sheet = !strcmp(p->l.t[0].s, "sheets");
	how = p->l.t[1].s;
	fp_labels_free(&m->sheet_labels);
	if (!strcmp(how, "containing")) {
		m->sheet_by = FP_SHEET_CONTAINING;
		fp_read_labels(p, 2, &m->sheet_labels, NULL);
	} else if (!strcmp(how, "named") && !m->every_sheet) {
		m->sheet_by = FP_SHEET_NAMED;
		set_str(&m->sheet_name, join(p, 2, p->l.n));
	} else if (!strcmp(how, "number") && !m->every_sheet) {
		if (p->l.n != 3 || !parse_int(p->l.t[2].s, 1, 65535, &k))
			return fp_perr(p, "'%s' is not a sheet number (1 to "
			    "65535)", p->l.t[2].s);
		m->sheet_by = FP_SHEET_NUMBER;
		m->sheet_number = (int)k;
	} else {
		return fp_perr(p, m->every_sheet ? "'sheets' needs 'containing "
		    "LABEL'" : "'sheet' needs 'containing LABEL', 'named NAME' "
		    "or 'number N'");
	}
	return FP_OK;
}

/* dept REF, year REF, record REF: the facts naming them. */
static enum fp_err
kw_who(struct parser *p)
{
	const char *kw = p->l.t[0].s;
	struct fp_ref *r = !strcmp(kw, "dept") ? &p->m->dept :
	    !strcmp(kw, "year") ? &p->m->year : &p->m->record;

	if (p->l.n != 2)
		return fp_perr(p, "'%s' needs one reference, TABLE.FIELD", kw);
	fp_ref_release(r);
	if (parse_ref(p, p->l.t[1].s, r))
		return FP_EMAPPING;
	if (r->row || !strcmp(r->field, "*"))
		return fp_perr(p, "'%s' names one field, TABLE.FIELD", kw);
	return FP_OK;
}

/* continued LABELS: the sheets that go on with the form's sheet. */
static enum fp_err
kw_continued(struct parser *p)
{
	if (p->l.n < 2)
		return fp_perr(p, "'continued' needs the labels of a sheet "
		    "that continues the form");
	fp_labels_free(&p->m->continued);
	fp_read_labels(p, 1, &p->m->continued, NULL);
	return FP_OK;
}

static enum fp_err
kw_tolerance(struct parser *p)
{
	if (p->l.n != 2 || !parse_number(p->l.t[1].s, &p->m->tolerance) ||
	    p->m->tolerance < 0)
		return fp_perr(p, "'tolerance' needs a number >= 0");
	return FP_OK;
}

/* empty TYPE... = LABELS (the form's), or empty = LABELS (a field's). */
static enum fp_err
kw_empty(struct parser *p)
{
	enum fp_type t;
	size_t i;
	int types[FP_NTYPES] = { 0 };

	for (i = 1; i < p->l.n && !fp_tok_is(&p->l.t[i], "="); i++) {
		if (p->field)
			return fp_perr(p, "a field's 'empty' is '= LABEL | "
			    "LABEL', for itself");
		if (!parse_type(p->l.t[i].s, &t))
			return fp_perr(p, "unknown type '%s' in 'empty'",
			    p->l.t[i].s);
		types[t] = 1;
	}
	if (i + 1 >= p->l.n)
		return fp_perr(p, p->field ? "'empty' needs = LABEL | LABEL ..." :
		    "'empty' needs TYPE ... = LABEL | LABEL ...");
	if (p->field) {
		fp_read_labels(p, i + 1, &p->field->empty, NULL);
		return FP_OK;
	}
	if (i == 1)
		return fp_perr(p, "'empty' needs the types it is for, e.g. "
		    "'empty money integer = - | /'");
	for (t = 0; t < FP_NTYPES; t++)
		if (types[t])
			fp_read_labels(p, i + 1, &p->m->empty[t], NULL);
	return FP_OK;
}

static enum fp_err
kw_defaults(struct parser *p)
{
	if (p->l.n != 2)
		return fp_perr(p, "'defaults' needs a table kind");
	if (!strcmp(p->l.t[1].s, "keyed"))
		p->deftable = &p->defaults[FP_TABLE_KEYED];
	else if (!strcmp(p->l.t[1].s, "list"))
		p->deftable = &p->defaults[FP_TABLE_LIST];
	else
		return fp_perr(p, "'defaults' is for keyed or list tables, not "
		    "'%s'", p->l.t[1].s);
	p->ctx = CTX_DEFAULTS;
	return FP_OK;
}

static enum fp_err
kw_section(struct parser *p)
{
	if (p->l.n != 1)
		return fp_perr(p, "'%s' starts a section; its settings go on "
		    "the lines below", p->l.t[0].s);
	p->ctx = !strcmp(p->l.t[0].s, "workbook") ? CTX_BOOK : CTX_MESSAGES;
	return FP_OK;
}

/* ---- Tables -------------------------------------------------------- */

static enum fp_err
kw_table(struct parser *p)
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
			return fp_perr(p, "table '%s' is described twice (line "
			    "%d)", p->l.t[1].s, m->tables[i].line);
	m->tables = fp_xreallocarray(m->tables, m->ntables + 1,
	    sizeof *m->tables);
	t = &m->tables[m->ntables++];
	memset(t, 0, sizeof *t);
	t->name = fp_xstrdup(p->l.t[1].s);
	t->line = p->l.no;
	p->table = t;
	p->ctx = CTX_TABLE;
	if (!strcmp(p->l.t[2].s, "fields"))
		t->kind = FP_TABLE_FIELDS;
	else if (!strcmp(p->l.t[2].s, "keyed"))
		t->kind = FP_TABLE_KEYED;
	else if (!strcmp(p->l.t[2].s, "list"))
		t->kind = FP_TABLE_LIST;
	else
		return fp_perr(p, "unknown table kind '%s' (expected fields, "
		    "keyed or list)", p->l.t[2].s);
	for (i = 3; i < p->l.n; i++) {
		if (fp_tok_is(&p->l.t[i], "row")) {
			if (i + 1 >= p->l.n)
				return fp_perr(p, "'row' needs the title of the "
				    "row column");
			set_str(&t->rowlabel, fp_xstrdup(p->l.t[++i].s));
		} else if (!t->cn) {
			t->cn = fp_xstrdup(p->l.t[i].s);
		} else {
			return fp_perr(p, "unexpected '%s' after the table's "
			    "label", p->l.t[i].s);
		}
	}
	if (!t->cn)
		t->cn = fp_xstrdup(t->name);
	/* What a defaults block said for this kind of table. */
	def = &p->defaults[t->kind];
	fp_labels_copy(&t->key, &def->key);
	t->key_offset = def->key_offset;
	fp_labels_copy(&t->stop, &def->stop);
	fp_labels_copy(&t->omit, &def->omit);
	fp_labels_copy(&t->skip, &def->skip);
	for (i = 0; i < def->nrows; i++) {
		struct fp_alias *a;

		t->rows = fp_xreallocarray(t->rows, t->nrows + 1,
		    sizeof *t->rows);
		a = &t->rows[t->nrows++];
		a->canon = fp_xstrdup(def->rows[i].canon);
		a->display = fp_xstrdup(def->rows[i].display);
		memset(&a->alts, 0, sizeof a->alts);
		fp_labels_copy(&a->alts, &def->rows[i].alts);
	}
	if (def->strip) {
		t->strip = fp_xstrdup(def->strip);
		if ((err = compile(p, &t->strip_re, t->strip)))
			return err;
		t->has_strip = 1;
	}
	return FP_OK;
}

/* The table a table setting goes to: the table, or the defaults. */
static struct fp_table *
setting_table(struct parser *p)
{
	p->field = NULL;
	if (p->ctx == CTX_DEFAULTS)
		return p->deftable;
	p->ctx = CTX_TABLE;
	return p->table;
}

static enum fp_err
kw_header(struct parser *p)
{
	struct fp_table *t = setting_table(p);
	enum fp_err err;

	if ((err = need(p, 2, "a label")))
		return err;
	if (t->kind == FP_TABLE_FIELDS && p->ctx != CTX_DEFAULTS)
		return fp_perr(p, "'header' belongs to a keyed or list table");
	if (p->ctx != CTX_DEFAULTS && t->nfields)
		return fp_perr(p, "'header' is the table's and comes before its "
		    "columns; a column's own header is 'at'");
	fp_read_labels(p, 1, &t->header, NULL);
	return FP_OK;
}

static enum fp_err
kw_key(struct parser *p)
{
	struct fp_table *t = setting_table(p);

	if (p->ctx != CTX_DEFAULTS && t->kind != FP_TABLE_KEYED)
		return fp_perr(p, "'key' belongs to a keyed table");
	return read_place(p, &t->key, &t->key_offset);
}

/* total LABELS (the row code "total"), or row CODE [SHOWN] = LABELS. */
static enum fp_err
kw_row(struct parser *p)
{
	struct fp_table *t = setting_table(p);
	struct fp_alias *a;
	const char *code, *shown = NULL;
	size_t first, i;

	if (p->ctx != CTX_DEFAULTS && t->kind == FP_TABLE_FIELDS)
		return fp_perr(p, "'%s' belongs to a keyed or list table",
		    p->l.t[0].s);
	if (!strcmp(p->l.t[0].s, "total")) {
		if (p->l.n < 2)
			return fp_perr(p, "'total' needs a label");
		code = FP_ROW_TOTAL;
		first = 1;
	} else {
		if (p->l.n >= 4 && fp_tok_is(&p->l.t[2], "="))
			first = 3;
		else if (p->l.n >= 5 && fp_tok_is(&p->l.t[3], "="))
			first = 4, shown = p->l.t[2].s;
		else
			return fp_perr(p, "'row' needs CODE [LABEL] = LABEL | "
			    "LABEL ...");
		code = p->l.t[1].s;
		if (t->kind == FP_TABLE_LIST && code[strspn(code,
		    "0123456789")] == '\0')
			return fp_perr(p, "a list's row code '%s' is a number, "
			    "as its items are: name it in words", code);
	}
	for (i = 0; i < t->nrows; i++)
		if (!strcmp(t->rows[i].canon, code))
			break;
	if (i == t->nrows) {
		t->rows = fp_xreallocarray(t->rows, t->nrows + 1,
		    sizeof *t->rows);
		memset(&t->rows[t->nrows], 0, sizeof *t->rows);
		t->rows[t->nrows++].canon = fp_xstrdup(code);
	}
	a = &t->rows[i];
	/* A table's own 'total' replaces what a defaults block said. */
	fp_labels_free(&a->alts);
	fp_read_labels(p, first, &a->alts, NULL);
	set_str(&a->display, fp_xstrdup(shown ? shown : p->l.t[first].s));
	return FP_OK;
}

/* strip's expression, the line's one quoted argument, into src and re. */
static enum fp_err
set_strip(struct parser *p, char **src, regex_t *re, int *has)
{
	if (p->l.n != 2)
		return fp_perr(p, "'strip' needs one quoted regular expression");
	if (*has)
		regfree(re);
	*has = 0;
	set_str(src, fp_xstrdup(p->l.t[1].s));
	if (compile(p, re, *src))
		return FP_EMAPPING;
	*has = 1;
	return FP_OK;
}

static enum fp_err
kw_strip(struct parser *p)
{
	struct fp_table *t = setting_table(p);

	if (p->ctx != CTX_DEFAULTS && t->kind == FP_TABLE_LIST)
		return fp_perr(p, "'strip' belongs to a keyed table, or to a "
		    "field or a list's column: a list's rows have no keys "
		    "(under a column, it strips that column's values)");
	return set_strip(p, &t->strip, &t->strip_re, &t->has_strip);
}

/*
 * strip REGEX under a field of a fields table, or a list's column: its
 * value without the first match (a seal's note, 某局（盖章）; a task's
 * 1、); under a keyed table's column, the table's own strip, as before
 * the columns.
 */
static enum fp_err
kw_field_strip(struct parser *p)
{
	struct fp_field *f = p->field;

	if (p->table->kind == FP_TABLE_KEYED)
		return kw_strip(p);
	return set_strip(p, &f->strip, &f->strip_re, &f->has_strip);
}

/* show FIELD: messages and the workbook show a list's rows by a field. */
static enum fp_err
kw_show(struct parser *p)
{
	struct fp_table *t = setting_table(p);

	if (t->kind != FP_TABLE_LIST)
		return fp_perr(p, "'show' belongs to a list table (or the "
		    "workbook section)");
	if (p->l.n != 2)
		return fp_perr(p, "'show' needs the name of one of the table's "
		    "columns");
	set_str(&t->show, fp_xstrdup(p->l.t[1].s));
	return FP_OK;
}

static enum fp_err
kw_stop_skip(struct parser *p)
{
	struct fp_table *t = setting_table(p);
	enum fp_err err;

	if ((err = need(p, 2, "a label")))
		return err;
	fp_read_labels(p, 1, !strcmp(p->l.t[0].s, "stop") ? &t->stop :
	    !strcmp(p->l.t[0].s, "omit") ? &t->omit : &t->skip, NULL);
	return FP_OK;
}

/* required: the table (just after its line) or the field must be found. */
static enum fp_err
kw_required(struct parser *p)
{
	if (p->l.n != 1)
		return fp_perr(p, "'required' takes nothing more (a rule is "
		    "'rule error required REF ...')");
	if (p->field)
		p->field->required = 1;
	else
		p->table->required = 1;
	return FP_OK;
}

static enum fp_err
kw_field(struct parser *p)
{
	struct fp_table *t = p->table;
	struct fp_field *f;
	int column = !strcmp(p->l.t[0].s, "column");
	size_t i;

	if (column && t->kind == FP_TABLE_FIELDS)
		return fp_perr(p, "a fields table has 'field' lines, not "
		    "'column'");
	if (!column && t->kind != FP_TABLE_FIELDS)
		return fp_perr(p, "a %s table has 'column' lines, not 'field'",
		    t->kind == FP_TABLE_KEYED ? "keyed" : "list");
	if (p->l.n < 3)
		return fp_perr(p, "'%s' needs a name and a type", p->l.t[0].s);
	for (i = 0; i < t->nfields; i++)
		if (!strcmp(t->fields[i].name, p->l.t[1].s))
			return fp_perr(p, "'%s' is in table '%s' twice",
			    p->l.t[1].s, t->name);
	t->fields = fp_xreallocarray(t->fields, t->nfields + 1,
	    sizeof *t->fields);
	f = &t->fields[t->nfields++];
	memset(f, 0, sizeof *f);
	f->name = fp_xstrdup(p->l.t[1].s);
	f->line = p->l.no;
	p->field = f;
	p->placed_line = 0;
	p->ctx = CTX_FIELD;
	if (!parse_type(p->l.t[2].s, &f->type))
		return fp_perr(p, "unknown type '%s' (expected text, money, "
		    "integer, number, score, phone, date, grade or code)",
		    p->l.t[2].s);
	f->cn = p->l.n > 3 ? join(p, 3, p->l.n) : fp_xstrdup(f->name);
	return FP_OK;
}

/* ---- Fields and columns -------------------------------------------- */

/*
 * A field or column says where it is once: a second 'label' or 'at' line
 * would replace the first, where its writer meant another alternative.
 */
static enum fp_err
placed_once(struct parser *p)
{
	if (p->placed_line)
		return fp_perr(p, "'%s' again for '%s', which line %d placed: "
		    "give every alternative on one line, 'A | B'",
		    p->l.t[0].s, p->field->name, p->placed_line);
	p->placed_line = p->l.no;
	return FP_OK;
}

static enum fp_err
kw_label(struct parser *p)
{
	struct fp_field *f = p->field;
	enum fp_err err;

	if ((err = placed_once(p)))
		return err;
	if (p->table->kind != FP_TABLE_FIELDS)
		return read_place(p, &f->labels, &f->offset);
	if ((err = need(p, 2, "at least one label")))
		return err;
	fp_labels_free(&f->labels);
	fp_read_labels(p, 1, &f->labels, NULL);
	return FP_OK;
}

static enum fp_err
kw_at(struct parser *p)
{
	enum fp_err err;

	if (p->table->kind == FP_TABLE_FIELDS)
		return fp_perr(p, "'at' belongs to a column of a keyed or list "
		    "table (a field says 'take')");
	if ((err = placed_once(p)))
		return err;
	return read_place(p, &p->field->labels, &p->field->offset);
}

static const char *const way_names[] = {
	"colon", "right", "left", "below", "above", "under", "paragraphs",
};
#define NWAYS (sizeof way_names / sizeof way_names[0])

static int
is_way(const struct tok *t)
{
	size_t k;

	for (k = 0; k < NWAYS; k++)
		if (!strcmp(t->s, way_names[k]))
			return 1;
	return 0;
}

/* take WAY [N | LABELS] WAY ...: tried in order until one gives a value. */
static enum fp_err
kw_take(struct parser *p)
{
	struct fp_field *f = p->field;
	size_t i, k;

	if (p->table->kind != FP_TABLE_FIELDS)
		return fp_perr(p, "'take' belongs to a field of a fields table");
	if (p->l.n < 2)
		return fp_perr(p, "'take' needs colon, right, left, below, "
		    "above, under or paragraphs");
	for (k = 0; k < f->ntake; k++)
		fp_labels_free(&f->take[k].under);
	f->ntake = 0;
	for (i = 1; i < p->l.n;) {
		struct fp_take *tk;
		long n;

		for (k = 0; k < NWAYS; k++)
			if (fp_tok_is(&p->l.t[i], way_names[k]))
				break;
		if (k == NWAYS)
			return fp_perr(p, "unknown way to take a value '%s' "
			    "(expected colon, right, left, below, above, under "
			    "or paragraphs)", p->l.t[i].s);
		f->take = fp_xreallocarray(f->take, f->ntake + 1,
		    sizeof *f->take);
		tk = &f->take[f->ntake++];
		memset(tk, 0, sizeof *tk);
		tk->way = (enum fp_way)k;
		tk->n = 1;
		i++;
		if (tk->way == FP_WAY_UNDER) {
			i = fp_read_labels(p, i, &tk->under, is_way);
			if (tk->under.n == 0)
				return fp_perr(p, "'under' needs the label of a "
				    "column's header");
		} else if (i < p->l.n && p->l.t[i].s[0] >= '0' &&
		    p->l.t[i].s[0] <= '9') {
			if (tk->way == FP_WAY_COLON ||
			    tk->way == FP_WAY_PARAGRAPHS)
				return fp_perr(p, "'%s' takes no number",
				    way_names[k]);
			if (!parse_int(p->l.t[i].s, 1, 255, &n))
				return fp_perr(p, "'%s' is not a count of cells "
				    "(1 to 255)", p->l.t[i].s);
			tk->n = (unsigned)n;
			i++;
		}
	}
	return FP_OK;
}

static enum fp_err
kw_pattern(struct parser *p)
{
	struct fp_field *f = p->field;

	if (p->table->kind != FP_TABLE_FIELDS)
		return fp_perr(p, "'pattern' belongs to a field of a fields "
		    "table");
	const char *src;
	regex_t *re;

	if (p->l.n != 2)
		return fp_perr(p, "'pattern' needs one quoted regular "
		    "expression");
	src = p->l.t[1].s;
	if (!f->has_re) {
		set_str(&f->pattern, fp_xstrdup(src));
		if (compile(p, &f->re, f->pattern))
			return FP_EMAPPING;
		f->has_re = 1;
		re = &f->re;
	} else {
		/* A later pattern, tried where those before match nothing. */
		struct fp_pattern *pt;

		f->more = fp_xreallocarray(f->more, f->nmore + 1,
		    sizeof *f->more);
		pt = &f->more[f->nmore];
		if (compile(p, &pt->re, src))
			return FP_EMAPPING;
		pt->src = fp_xstrdup(src);
		f->nmore++;
		re = &pt->re;
	}
	if (re->re_nsub > FP_PATTERN_GROUPS)
		return fp_perr(p, "pattern \"%s\" has %zu groups: the value "
		    "is the first that matched of at most %d", src,
		    re->re_nsub, FP_PATTERN_GROUPS);
	return FP_OK;
}

/* after LABELS: the field's label is looked for below a cell with one. */
static enum fp_err
kw_after(struct parser *p)
{
	enum fp_err err;

	if (p->table->kind != FP_TABLE_FIELDS)
		return fp_perr(p, "'%s' belongs to a field of a fields table",
		    p->l.t[0].s);
	if ((err = need(p, 2, "a label")))
		return err;
	fp_read_labels(p, 1, !strcmp(p->l.t[0].s, "after") ?
	    &p->field->after : &p->field->before, NULL);
	return FP_OK;
}

/*
 * beneath LABELS: the field's label is looked for in the column of a cell
 * with one, below it (年度资金总额's 其中：财政拨款 beside 中期资金总额's).
 */
static enum fp_err
kw_beneath(struct parser *p)
{
	enum fp_err err;

	if (p->table->kind != FP_TABLE_FIELDS)
		return fp_perr(p, "'beneath' belongs to a field of a fields "
		    "table");
	if ((err = need(p, 2, "a label")))
		return err;
	fp_read_labels(p, 1, &p->field->beneath, NULL);
	return FP_OK;
}

/*
 * group LABELS: the column is looked for under a group of the header with
 * one (指标值 under 年度指标, not under 中期指标).
 */
static enum fp_err
kw_group(struct parser *p)
{
	enum fp_err err;

	if (p->table->kind == FP_TABLE_FIELDS)
		return fp_perr(p, "'group' belongs to a column of a keyed or "
		    "list table");
	if ((err = need(p, 2, "a label")))
		return err;
	fp_read_labels(p, 1, &p->field->group, NULL);
	return FP_OK;
}

static enum fp_err
kw_field_sheet(struct parser *p)
{
	if (p->l.n != 2 || strcmp(p->l.t[1].s, "any"))
		return fp_perr(p, "a field's 'sheet' can only be 'any'");
	if (p->table->kind != FP_TABLE_FIELDS)
		return fp_perr(p, "a %s table's 'sheet any' comes before its "
		    "columns", p->table->kind == FP_TABLE_KEYED ? "keyed" :
		    "list");
	p->field->any_sheet = 1;
	return FP_OK;
}

/*
 * sheet any, of a keyed or list table: its header may be on any sheet;
 * sheet containing LABEL, on the first with a cell so labelled (the
 * form's first); sheet named NAME, on that sheet.
 */
static enum fp_err
kw_table_sheet(struct parser *p)
{
	struct fp_table *t = p->table;
	const char *how = p->l.n > 1 ? p->l.t[1].s : "";

	if (!(p->l.n == 2 && !strcmp(how, "any")) && !(p->l.n > 2 &&
	    (!strcmp(how, "containing") || !strcmp(how, "named"))))
		return fp_perr(p, "a table's 'sheet' needs 'any', "
		    "'containing LABEL' or 'named NAME'");
	if (t->kind == FP_TABLE_FIELDS)
		return fp_perr(p, "a fields table's 'sheet any' goes under each "
		    "field");
	t->any_sheet = 1;
	fp_labels_free(&t->on_sheet);
	set_str(&t->sheet_name, NULL);
	if (!strcmp(how, "containing"))
		fp_read_labels(p, 2, &t->on_sheet, NULL);
	else if (!strcmp(how, "named"))
		set_str(&t->sheet_name, join(p, 2, p->l.n));
	return FP_OK;
}

/* nested: a keyed table's rows over the rows whose keys extend theirs. */
static enum fp_err
kw_nested(struct parser *p)
{
	if (p->l.n != 1)
		return fp_perr(p, "'nested' takes nothing after it");
	if (p->table->kind != FP_TABLE_KEYED)
		return fp_perr(p, "'nested' belongs to a keyed table");
	p->table->nested = 1;
	return FP_OK;
}

/* value CANON = ALIAS | ALIAS, or code CODE [SHOWN] = LABEL | LABEL */
static enum fp_err
kw_alias(struct parser *p)
{
	struct fp_field *f = p->field;
	int code = !strcmp(p->l.t[0].s, "code");
	struct fp_alias **v, *a;
	size_t *n, eq = 2;

	if (code && f->type != FP_T_CODE)
		return fp_perr(p, "'code' lists belong to fields of type code");
	if (code && p->l.n >= 5 && !fp_tok_is(&p->l.t[2], "=") &&
	    fp_tok_is(&p->l.t[3], "="))
		eq = 3;
	if (p->l.n < eq + 2 || !fp_tok_is(&p->l.t[eq], "="))
		return fp_perr(p, code ? "'code' needs CODE [LABEL] = LABEL | "
		    "LABEL ..." : "'value' needs VALUE = LABEL | LABEL ...");
	v = code ? &f->codes : &f->values;
	n = code ? &f->ncodes : &f->nvalues;
	*v = fp_xreallocarray(*v, *n + 1, sizeof **v);
	a = &(*v)[(*n)++];
	memset(a, 0, sizeof *a);
	a->canon = fp_xstrdup(p->l.t[1].s);
	a->display = fp_xstrdup(eq == 3 ? p->l.t[2].s : p->l.t[1].s);
	fp_read_labels(p, eq + 1, &a->alts, NULL);
	if (!code)	/* the canonical value stands for itself too */
		fp_labels_add(&a->alts, p->l.t[1].s);
	return FP_OK;
}

static enum fp_err
kw_fill(struct parser *p)
{
	struct fp_field *f = p->field;

	if (p->table->kind == FP_TABLE_FIELDS)
		return fp_perr(p, "'fill' belongs to a column of a keyed or "
		    "list table");
	if (p->l.n == 2 && !strcmp(p->l.t[1].s, "down"))
		f->fill_down = 1;
	else if (p->l.n == 2 && !strcmp(p->l.t[1].s, "left"))
		f->fill_left = 1;
	else
		return fp_perr(p, "'fill' needs 'down' or 'left'");
	return FP_OK;
}

/*
 * heading: the column is no column of the sheet but the code of the
 * nearest heading row above (一、货物类 over its items).
 */
static enum fp_err
kw_heading(struct parser *p)
{
	if (p->table->kind == FP_TABLE_FIELDS)
		return fp_perr(p, "'heading' belongs to a column of a keyed or "
		    "list table");
	if (p->l.n != 1)
		return fp_perr(p, "'heading' takes nothing after it");
	if (p->field->type != FP_T_CODE)
		return fp_perr(p, "'heading' belongs to a column of type code: "
		    "its codes are the headings");
	p->field->heading = 1;
	return FP_OK;
}

/* ---- Rules ----------------------------------------------------------- */

static struct fp_ref *
refs_push(struct fp_ref **v, size_t *n)
{
	*v = fp_xreallocarray(*v, *n + 1, sizeof **v);
	memset(&(*v)[*n], 0, sizeof **v);
	return &(*v)[(*n)++];
}

/* References from token i to the end (or to "except" for min). */
static enum fp_err
rule_refs(struct parser *p, struct fp_rule *r, size_t i, int except_ok)
{
	int exc = 0;

	if (i >= p->l.n)
		return fp_perr(p, "'%s' needs references", p->l.t[2].s);
	for (; i < p->l.n; i++) {
		if (except_ok && fp_tok_is(&p->l.t[i], "except")) {
			exc = 1;
			continue;
		}
		if (parse_ref(p, p->l.t[i].s, exc ? refs_push(&r->except,
		    &r->nexcept) : refs_push(&r->refs, &r->nrefs)))
			return FP_EMAPPING;
	}
	return FP_OK;
}

/* except TABLE.FIELD ... at token i, to the end: fields a rule leaves out. */
static enum fp_err
rule_except(struct parser *p, struct fp_rule *r, size_t i)
{
	if (i + 1 >= p->l.n)
		return fp_perr(p, "'except' needs the fields it leaves out, "
		    "TABLE.FIELD ...");
	for (i++; i < p->l.n; i++) {
		struct fp_ref *ref = refs_push(&r->except, &r->nexcept);

		if (parse_ref(p, p->l.t[i].s, ref))
			return FP_EMAPPING;
		if (ref->row || !strcmp(ref->field, "*"))
			return fp_perr(p, "'except' names fields, TABLE.FIELD: "
			    "not '%s'", p->l.t[i].s);
	}
	return FP_OK;
}

/*
 * TABLE[ROW] at token i, of sum by rows: sets the table and the total's
 * row. 0 if the token is no such thing.
 */
static int
table_row(struct parser *p, size_t i, struct fp_rule *r)
{
	const char *s = p->l.t[i].s, *open = strchr(s, '[');
	size_t n = strlen(s);

	if (p->l.t[i].quoted || !open || open == s || n < 3 ||
	    s[n - 1] != ']' || open + 2 >= s + n || strchr(open + 1, '[') ||
	    strchr(open + 1, ']') != s + n - 1)
		return 0;
	r->table = fp_xstrndup(s, (size_t)(open - s));
	r->lhs = fp_xstrndup(open + 1, (size_t)(s + n - 2 - open));
	return 1;
}

/*
 * sum TABLE LHS = A + B + ..., fields of each row; or sum TABLE[ROW] =
 * A + B + ... [except TABLE.FIELD ...], rows, in each number field.
 */
static enum fp_err
rule_sum(struct parser *p, struct fp_rule *r)
{
	const char *how;
	size_t i, from;

	r->by_rows = p->l.n > 3 && table_row(p, 3, r);
	if (!r->by_rows && p->l.n > 3 && strchr(p->l.t[3].s, '['))
		return fp_perr(p, "'sum' needs TABLE[ROW] = ROW + ROW ...: "
		    "'%s' is no TABLE[ROW]", p->l.t[3].s);
	from = r->by_rows ? 5 : 6;
	how = r->by_rows ? "TABLE[ROW] = ROW + ROW ..." :
	    "TABLE FIELD = FIELD + FIELD ...";
	if (p->l.n < from + 1 || !fp_tok_is(&p->l.t[from - 1], "="))
		return fp_perr(p, "'sum' needs %s", how);
	if (!r->by_rows) {
		r->table = fp_xstrdup(p->l.t[3].s);
		r->lhs = fp_xstrdup(p->l.t[4].s);
	}
	/* A part, then a + before each other one, up to except. */
	for (i = from; i < p->l.n; i++) {
		const char *t = p->l.t[i].s;
		const char *part = r->by_rows ? "a row" : "a field";
		size_t k;

		if (r->by_rows && (i - from) % 2 &&
		    fp_tok_is(&p->l.t[i], "except"))
			return rule_except(p, r, i);
		if ((i - from) % 2 != (size_t)fp_tok_is(&p->l.t[i], "+"))
			return fp_perr(p, "'sum' needs %s: '%s' where %s "
			    "should be", how, t, (i - from) % 2 ? "'+'" : part);
		if ((i - from) % 2 && (i + 1 == p->l.n ||
		    fp_tok_is(&p->l.t[i + 1], "except")))
			return fp_perr(p, "'sum' needs %s: %s after the last "
			    "'+'", how, part);
		if ((i - from) % 2)
			continue;
		if (!strcmp(t, r->lhs))
			return fp_perr(p, "'sum': %s is the total, not one of "
			    "its parts", t);
		for (k = 0; k < r->nparts; k++)
			if (!strcmp(r->parts[k], t))
				return fp_perr(p, "'sum': %s is a part twice", t);
		r->parts = fp_xreallocarray(r->parts, r->nparts + 1,
		    sizeof *r->parts);
		r->parts[r->nparts++] = fp_xstrdup(t);
	}
	return FP_OK;
}

/*
 * units TABLE ... or units TABLE.FIELD ...: a table's fields, or some;
 * except TABLE.FIELD ...: but not these.
 */
static enum fp_err
rule_units(struct parser *p, struct fp_rule *r)
{
	size_t i;

	if (p->l.n < 4)
		return fp_perr(p, "'units' needs the tables (or TABLE.FIELD) it "
		    "checks");
	for (i = 3; i < p->l.n; i++) {
		struct fp_ref *ref;

		if (fp_tok_is(&p->l.t[i], "except"))
			return i == 3 ? fp_perr(p, "'units' needs the tables "
			    "(or TABLE.FIELD) it checks before 'except'") :
			    rule_except(p, r, i);
		ref = refs_push(&r->refs, &r->nrefs);
		if (!strchr(p->l.t[i].s, '.')) {
			ref->table = fp_xstrdup(p->l.t[i].s);
			ref->field = fp_xstrdup("*");
		} else if (parse_ref(p, p->l.t[i].s, ref)) {
			return FP_EMAPPING;
		} else if (ref->row) {
			return fp_perr(p, "'units' compares rows; name fields as "
			    "TABLE.FIELD");
		}
	}
	return FP_OK;
}

static enum fp_err
rule_min(struct parser *p, struct fp_rule *r)
{
	if (p->l.n < 5 || !parse_number(p->l.t[3].s, &r->lo))
		return fp_perr(p, "'min' needs a bound and references");
	return rule_refs(p, r, 4, 1);
}

static enum fp_err
rule_range(struct parser *p, struct fp_rule *r)
{
	if (p->l.n < 6 || !parse_number(p->l.t[3].s, &r->lo) ||
	    !parse_number(p->l.t[4].s, &r->hi))
		return fp_perr(p, "'range' needs LOW HIGH (numbers) and "
		    "references");
	if (r->lo > r->hi)
		return fp_perr(p, "'range' %s %s is empty", p->l.t[3].s,
		    p->l.t[4].s);
	return rule_refs(p, r, 5, 0);
}

static enum fp_err
rule_required(struct parser *p, struct fp_rule *r)
{
	return rule_refs(p, r, 3, 0);
}

static enum fp_err
rule_pattern(struct parser *p, struct fp_rule *r)
{
	if (p->l.n != 5 && p->l.n != 6)
		return fp_perr(p, "'pattern' needs a reference, a quoted regular "
		    "expression and, if you like, what a value should be");
	r->pattern = fp_xstrdup(p->l.t[4].s);
	if (p->l.n == 6)
		r->what = fp_xstrdup(p->l.t[5].s);
	if (compile(p, &r->re, r->pattern))
		return FP_EMAPPING;
	r->has_re = 1;
	return parse_ref(p, p->l.t[3].s, refs_push(&r->refs, &r->nrefs));
}

/* band CODEREF by NUMREF C1 N1 | C2 N2 | ... | CLAST */
static enum fp_err
rule_band(struct parser *p, struct fp_rule *r)
{
	size_t i;

	if (p->l.n < 7 || strcmp(p->l.t[4].s, "by"))
		return fp_perr(p, "'band' needs CODE by NUMBER BAND N | BAND N | "
		    "... | BAND");
	if (parse_ref(p, p->l.t[3].s, &r->a) || parse_ref(p, p->l.t[5].s,
	    &r->b))
		return FP_EMAPPING;
	for (i = 6; i < p->l.n; i++) {
		struct fp_band *b;

		if (fp_tok_is(&p->l.t[i], "|"))
			continue;
		r->bands = fp_xreallocarray(r->bands, r->nbands + 1,
		    sizeof *r->bands);
		b = &r->bands[r->nbands++];
		b->code = fp_xstrdup(p->l.t[i].s);
		b->lo = -HUGE_VAL;
		if (i + 1 < p->l.n && !fp_tok_is(&p->l.t[i + 1], "|")) {
			if (!parse_number(p->l.t[i + 1].s, &b->lo))
				return fp_perr(p, "'%s' is not a number",
				    p->l.t[i + 1].s);
			if (r->nbands > 1 && b->lo >= r->bands[r->nbands - 2].lo)
				return fp_perr(p, "bands go from the highest "
				    "bound down");
			i++;
		} else if (i + 1 < p->l.n) {
			return fp_perr(p, "only the last band may have no lower "
			    "bound");
		}
	}
	return FP_OK;
}

/* meets VALUE TARGET: the value meets the target the form writes. */
static enum fp_err
rule_meets(struct parser *p, struct fp_rule *r)
{
	if (p->l.n != 5)
		return fp_perr(p, "'meets' needs a value and its target (meets "
		    "indicator.actual indicator.target)");
	if (parse_ref(p, p->l.t[3].s, &r->a) || parse_ref(p, p->l.t[4].s,
	    &r->b))
		return FP_EMAPPING;
	return FP_OK;
}

/* listed VALUE in LIST: the value is one of the list's (another column's). */
static enum fp_err
rule_listed(struct parser *p, struct fp_rule *r)
{
	if (p->l.n != 6 || !fp_tok_is(&p->l.t[4], "in"))
		return fp_perr(p, "'listed' needs a value and the column it is "
		    "one of (listed payments.fund in funds.name)");
	if (parse_ref(p, p->l.t[3].s, &r->a) || parse_ref(p, p->l.t[5].s,
	    &r->b))
		return FP_EMAPPING;
	return FP_OK;
}

static enum fp_err
rule_unique(struct parser *p, struct fp_rule *r)
{
	(void)r;
	if (p->l.n != 3)
		return fp_perr(p, "'unique' takes nothing more");
	return FP_OK;
}

/*
 * EXPR CMP EXPR [within N], read from the line's text at token first
 * (compare A OP B is the same).
 */
static enum fp_err
rule_expr(struct parser *p, struct fp_rule *r, size_t first)
{
	const char *s = p->l.text + p->l.t[first].off;
	size_t n = p->l.len - p->l.t[first].off, used, k;
	char err[200];

	r->kind = FP_RULE_EXPR;
	r->left = fp_expr_parse(s, n, &used, err, sizeof err);
	if (!r->left)
		return fp_perr(p, "%s", err);
	s += used;
	n -= used;
	k = fp_cmp_parse(s, n, &r->cmp);
	if (!k)
		return fp_perr(p, "a rule compares two sides: EXPR = EXPR (or "
		    "<, <=, >, >=, !=)");
	s += k;
	n -= k;
	r->right = fp_expr_parse(s, n, &used, err, sizeof err);
	if (!r->right)
		return fp_perr(p, "%s", err);
	s += used;
	n -= used;
	if (n >= 6 && !memcmp(s, "within", 6)) {
		char buf[64];
		size_t i = 6;

		while (i < n && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (n - i == 0 || n - i >= sizeof buf)
			return fp_perr(p, "'within' needs a tolerance");
		memcpy(buf, s + i, n - i);
		buf[n - i] = '\0';
		while (n - i > 0 && (buf[n - i - 1] == ' ' ||
		    buf[n - i - 1] == '\t' || buf[n - i - 1] == '\r'))
			buf[--n - i] = '\0';
		if (!parse_number(buf, &r->tolerance) || r->tolerance < 0)
			return fp_perr(p, "'within %s': a tolerance is a number "
			    ">= 0", buf);
		return FP_OK;
	}
	if (n)
		return fp_perr(p, "unexpected '%.*s' after the rule", (int)n, s);
	r->tolerance = -1;	/* the mapping's */
	return FP_OK;
}

static const struct {
	const char *name;
	enum fp_err (*fn)(struct parser *, struct fp_rule *);
} rule_kinds[FP_NRULES] = {
	[FP_RULE_SUM] = { "sum", rule_sum },
	[FP_RULE_UNITS] = { "units", rule_units },
	[FP_RULE_MIN] = { "min", rule_min },
	[FP_RULE_REQUIRED] = { "required", rule_required },
	[FP_RULE_RANGE] = { "range", rule_range },
	[FP_RULE_BAND] = { "band", rule_band },
	[FP_RULE_UNIQUE] = { "unique", rule_unique },
	[FP_RULE_EXPR] = { "expr", NULL },
	[FP_RULE_PATTERN] = { "pattern", rule_pattern },
	[FP_RULE_MEETS] = { "meets", rule_meets },
	[FP_RULE_LISTED] = { "listed", rule_listed },
};

int
fp_rule_adds(const struct fp_rule *r, const struct fp_table *t,
    const struct fp_field *f)
{
	size_t i;

	if (!fp_type_numeric(f->type))
		return 0;
	for (i = 0; i < r->nexcept; i++)
		if (!strcmp(r->except[i].table, t->name) &&
		    !strcmp(r->except[i].field, f->name))
			return 0;
	return 1;
}

const char *
fp_rule_kind_name(enum fp_rule_kind k)
{
	return (unsigned)k < FP_NRULES ? rule_kinds[k].name : "";
}

static enum fp_err
kw_rule(struct parser *p)
{
	struct fp_mapping *m = p->m;
	struct fp_rule *r;
	const char *kind;
	size_t i;
	enum fp_err err;

	if ((err = need(p, 3, "a severity (error or warning) and what it "
	    "checks")))
		return err;
	m->rules = fp_xreallocarray(m->rules, m->nrules + 1, sizeof *m->rules);
	r = &m->rules[m->nrules++];
	memset(r, 0, sizeof *r);
	r->line = p->l.no;
	r->tolerance = -1;
	p->rule = r;
	p->ctx = CTX_RULE;
	if (!strcmp(p->l.t[1].s, "error"))
		r->severity = FP_SEV_ERROR;
	else if (!strcmp(p->l.t[1].s, "warning"))
		r->severity = FP_SEV_WARNING;
	else
		return fp_perr(p, "unknown severity '%s' (expected error or "
		    "warning)", p->l.t[1].s);
	for (i = 3; i < p->l.n; i++)
		if (fp_tok_is(&p->l.t[i], "where"))
			return fp_perr(p, "'where' goes on a line of its own under "
			    "the rule");
	kind = p->l.t[2].s;
	if (!strcmp(kind, "compare") || !strcmp(kind, "expr")) {
		if (p->l.n < 4)
			return fp_perr(p, "'%s' needs EXPR = EXPR", kind);
		return rule_expr(p, r, 3);
	}
	/* sum(...) is the function: the rule is an expression. */
	for (i = 0; i < FP_NRULES; i++)
		if (rule_kinds[i].fn && fp_tok_is(&p->l.t[2], rule_kinds[i].name)
		    && !(p->l.n > 3 && p->l.t[3].s[0] == '('))
			break;
	if (i == FP_NRULES)
		return rule_expr(p, r, 2);
	r->kind = (enum fp_rule_kind)i;
	return rule_kinds[i].fn(p, r);
}

/*
 * where REF OP VALUE | VALUE ...: the rule holds only where this does.
 * OP is = or != (one of the values, none of them), < <= > >= (a number),
 * ~ or !~ (a quoted regular expression).
 */
static enum fp_err
kw_where(struct parser *p)
{
	static const struct {
		const char *op;
		enum fp_cond_op c;
	} ops[] = {
		{ "=", FP_COND_IS }, { "==", FP_COND_IS },
		{ "!=", FP_COND_NOT }, { "\xe2\x89\xa0", FP_COND_NOT },
		{ "<", FP_COND_LT }, { "<=", FP_COND_LE },
		{ "\xe2\x89\xa4", FP_COND_LE }, { ">", FP_COND_GT },
		{ ">=", FP_COND_GE }, { "\xe2\x89\xa5", FP_COND_GE },
		{ "~", FP_COND_MATCH }, { "!~", FP_COND_NOMATCH },
		{ "meets", FP_COND_MEETS }, { "misses", FP_COND_MISSES },
	};
	struct fp_rule *r = p->rule;
	struct fp_cond *c;
	size_t i;

	if (p->l.n < 4)
		return fp_perr(p, "'where' needs REF OP VALUE (where "
		    "indicator.level2 = satisfaction)");
	r->where = fp_xreallocarray(r->where, r->nwhere + 1, sizeof *r->where);
	c = &r->where[r->nwhere++];
	memset(c, 0, sizeof *c);
	c->line = p->l.no;
	if (parse_ref(p, p->l.t[1].s, &c->ref))
		return FP_EMAPPING;
	for (i = 0; i < sizeof ops / sizeof ops[0]; i++)
		if (fp_tok_is(&p->l.t[2], ops[i].op))
			break;
	if (i == sizeof ops / sizeof ops[0])
		return fp_perr(p, "'where %s' needs a comparison (= != < <= > "
		    ">= ~ !~ meets misses), not '%s'", p->l.t[1].s, p->l.t[2].s);
	c->op = ops[i].c;
	switch (c->op) {
	case FP_COND_MEETS:
	case FP_COND_MISSES:
		if (p->l.n != 4)
			return fp_perr(p, "'where %s %s' needs the reference of a "
			    "target", p->l.t[1].s, p->l.t[2].s);
		return parse_ref(p, p->l.t[3].s, &c->target);
	case FP_COND_IS:
	case FP_COND_NOT:
		/*
		 * One word that reads as a reference (funds.name): the mapping's
		 * checks make it one where the mapping has its table.
		 */
		if (p->l.n == 4 && !p->l.t[3].quoted)
			(void)fp_ref_parse(p->l.t[3].s, strlen(p->l.t[3].s),
			    &c->target);
		for (i = 3; i < p->l.n; i++) {
			if (fp_tok_is(&p->l.t[i], "|"))
				continue;
			c->words = fp_xreallocarray(c->words, c->nwords + 1,
			    sizeof *c->words);
			c->words[c->nwords++] = fp_xstrdup(p->l.t[i].s);
		}
		if (!c->nwords)
			return fp_perr(p, "'where %s %s' needs a value",
			    p->l.t[1].s, p->l.t[2].s);
		return FP_OK;
	case FP_COND_MATCH:
	case FP_COND_NOMATCH:
		if (p->l.n != 4 || !p->l.t[3].quoted)
			return fp_perr(p, "'where %s %s' needs one quoted regular "
			    "expression", p->l.t[1].s, p->l.t[2].s);
		if (compile(p, &c->re, p->l.t[3].s))
			return FP_EMAPPING;
		c->has_re = 1;
		return FP_OK;
	default:
		if (p->l.n != 4 || !parse_number(p->l.t[3].s, &c->num))
			return fp_perr(p, "'where %s %s' needs a number",
			    p->l.t[1].s, p->l.t[2].s);
		return FP_OK;
	}
}

/* The words each message's template can use, as check fills them. */
static const char *const msg_words[FP_NMSGS] = {
	[FP_MSG_SUM] = "what value expected diff",
	[FP_MSG_UNITS] = "what value expected diff",
	[FP_MSG_MIN] = "what value low",
	[FP_MSG_REQUIRED] = "what",
	[FP_MSG_RANGE] = "what value low high",
	[FP_MSG_BAND] = "what value other number expected",
	[FP_MSG_UNIQUE] = "who dept year record",
	[FP_MSG_EXPR] = "what value fails op rhs expected diff",
	[FP_MSG_PATTERN] = "what value expected",
	[FP_MSG_CHOICE] = "what value other number expected",
	[FP_MSG_NUMBER] = "what value",
	[FP_MSG_DATE] = "what value",
	[FP_MSG_MEETS] = "what value other expected",
	[FP_MSG_LISTED] = "what value other",
	[FP_MSG_ERROR] = "",
	[FP_MSG_WARNING] = "",
	[FP_MSG_BLANK] = "",
};

/* The message a rule of each kind gives (a band's choice has its words). */
static const enum fp_msg rule_msg[FP_NRULES] = {
	[FP_RULE_SUM] = FP_MSG_SUM, [FP_RULE_UNITS] = FP_MSG_UNITS,
	[FP_RULE_MIN] = FP_MSG_MIN, [FP_RULE_REQUIRED] = FP_MSG_REQUIRED,
	[FP_RULE_RANGE] = FP_MSG_RANGE, [FP_RULE_BAND] = FP_MSG_BAND,
	[FP_RULE_UNIQUE] = FP_MSG_UNIQUE, [FP_RULE_EXPR] = FP_MSG_EXPR,
	[FP_RULE_PATTERN] = FP_MSG_PATTERN, [FP_RULE_MEETS] = FP_MSG_MEETS,
	[FP_RULE_LISTED] = FP_MSG_LISTED,
};

/* 1 if word (n bytes) is one of the space-separated words in list. */
static int
in_words(const char *list, const char *word, size_t n)
{
	const char *w = list;

	while (*w) {
		size_t k = strcspn(w, " ");

		if (k == n && !memcmp(w, word, n))
			return 1;
		w += k + (w[k] == ' ');
	}
	return 0;
}

static enum fp_err
no_word(struct parser *p, const char *name, size_t n, const char *whose,
    const char *words)
{
	struct fp_buf b = FP_BUF_INIT;
	const char *w;
	enum fp_err err;

	for (w = words; *w; w += strcspn(w, " "), w += *w == ' ')
		fp_buf_printf(&b, "%s{%.*s}", b.len ? " " : "",
		    (int)strcspn(w, " "), w);
	err = fp_perr(p, "'{%.*s}' is no word of %s (its words: %s)", (int)n,
	    name, whose, b.s);
	fp_buf_release(&b);
	return err;
}

/*
 * A template's {name}s (ASCII letters between braces; other braces are
 * text) must be words of its message k: one it has not would be printed
 * as it is written, in every finding.
 */
static enum fp_err
check_words(struct parser *p, const char *t, enum fp_msg k, const char *whose)
{
	const char *q;

	for (q = strchr(t, '{'); q; q = strchr(q + 1, '{')) {
		size_t n = 0;

		while (isalpha((unsigned char)q[1 + n]))
			n++;
		if (n == 0 || q[1 + n] != '}' || in_words(msg_words[k], q + 1, n))
			continue;
		if (!*msg_words[k])
			return fp_perr(p, "'{%.*s}' in %s: it has no words to "
			    "fill in", (int)n, q + 1, whose);
		return no_word(p, q + 1, n, whose, msg_words[k]);
	}
	return FP_OK;
}

static enum fp_err
kw_message(struct parser *p)
{
	char whose[64];

	if (p->l.n != 2)
		return fp_perr(p, "'message' needs one quoted template");
	if (p->rule->message)
		return fp_perr(p, "'message' again for the rule of line %d: a "
		    "rule has one", p->rule->line);
	snprintf(whose, sizeof whose, "%s %s rule's message",
	    strchr("aeiou", fp_rule_kind_name(p->rule->kind)[0]) ? "an" : "a",
	    fp_rule_kind_name(p->rule->kind));
	if (check_words(p, p->l.t[1].s, rule_msg[p->rule->kind], whose))
		return FP_EMAPPING;
	set_str(&p->rule->message, fp_xstrdup(p->l.t[1].s));
	return FP_OK;
}

/* ---- The workbook and messages sections ------------------------------ */

static enum fp_err
book_overview(struct parser *p)
{
	struct fp_book *b = &p->m->book;

	if (p->l.n < 2 || p->l.n > 3)
		return fp_perr(p, "'overview' needs the sheet's name and, if you "
		    "like, the label of its total row");
	set_str(&b->overview, fp_xstrdup(p->l.t[1].s));
	if (p->l.n == 3)
		set_str(&b->total_label, fp_xstrdup(p->l.t[2].s));
	return FP_OK;
}

static enum fp_err
book_show(struct parser *p)
{
	struct fp_book *b = &p->m->book;
	struct fp_show *sh;

	if (p->l.n < 3)
		return fp_perr(p, "'show' needs a reference and a label");
	b->show = fp_xreallocarray(b->show, b->nshow + 1, sizeof *b->show);
	sh = &b->show[b->nshow++];
	memset(sh, 0, sizeof *sh);
	sh->label = join(p, 2, p->l.n);
	sh->line = p->l.no;
	return parse_ref(p, p->l.t[1].s, &sh->ref);
}

static enum fp_err
book_label(struct parser *p)
{
	struct fp_book *b = &p->m->book;
	const char *kw = p->l.t[0].s;
	char **dst = !strcmp(kw, "errors") ? &b->errors_label :
	    !strcmp(kw, "warnings") ? &b->warnings_label :
	    !strcmp(kw, "dept") ? &b->dept_label :
	    !strcmp(kw, "year") ? &b->year_label : &b->record_label;

	if (p->l.n < 2)
		return fp_perr(p, "'%s' needs a label", kw);
	set_str(dst, join(p, 1, p->l.n));
	return FP_OK;
}

static enum fp_err
book_findings(struct parser *p)
{
	struct fp_book *b = &p->m->book;
	size_t i, k;

	if (p->l.n < 2)
		return fp_perr(p, "'findings' needs the sheet's name and %d "
		    "column labels", FP_NFINDING_COLS);
	set_str(&b->findings, fp_xstrdup(p->l.t[1].s));
	for (i = 2, k = 0; i < p->l.n; i++) {
		if (fp_tok_is(&p->l.t[i], "|"))
			continue;
		if (k == FP_NFINDING_COLS)
			return fp_perr(p, "'findings' takes %d column labels "
			    "(severity, department, year, record, table, row, "
			    "field, message, file, cell), not more",
			    FP_NFINDING_COLS);
		set_str(&b->finding_labels[k++], fp_xstrdup(p->l.t[i].s));
	}
	if (k != 0 && k != FP_NFINDING_COLS)
		return fp_perr(p, "'findings' takes %d column labels "
		    "(severity, department, year, record, table, row, field, "
		    "message, file, cell), not %zu: give record's though the "
		    "form has none", FP_NFINDING_COLS, k);
	return FP_OK;
}

static enum fp_err
book_chart(struct parser *p)
{
	struct fp_book *b = &p->m->book;

	if (p->l.n < 3)
		return fp_perr(p, "'chart' needs a reference and a title");
	fp_ref_release(&b->chart);
	set_str(&b->chart_title, join(p, 2, p->l.n));
	b->has_chart = 1;
	b->chart_line = p->l.no;
	return parse_ref(p, p->l.t[1].s, &b->chart);
}

/* title, unit, footer, link: a text (or template) of the workbook. */
static enum fp_err
book_text(struct parser *p)
{
	struct fp_book *b = &p->m->book;
	const char *kw = p->l.t[0].s;

	if (p->l.n < 2)
		return fp_perr(p, "'%s' needs a text", kw);
	set_str(!strcmp(kw, "title") ? &b->title : !strcmp(kw, "unit") ?
	    &b->unit : !strcmp(kw, "footer") ? &b->footer : &b->link_label,
	    join(p, 1, p->l.n));
	return FP_OK;
}

/* order REF ...: the records in the order of these facts. */
static enum fp_err
book_order(struct parser *p)
{
	struct fp_book *b = &p->m->book;
	size_t i;

	if (p->l.n < 2)
		return fp_perr(p, "'order' needs the facts to put records in "
		    "order by");
	for (i = 0; i < b->norder; i++)
		fp_ref_release(&b->order[i]);
	b->norder = 0;
	b->order_line = p->l.no;
	for (i = 1; i < p->l.n; i++)
		if (parse_ref(p, p->l.t[i].s, refs_push(&b->order, &b->norder)))
			return FP_EMAPPING;
	return FP_OK;
}

static enum fp_err
book_format(struct parser *p)
{
	struct fp_book *b = &p->m->book;
	const char *kw = p->l.t[0].s;

	if (p->l.n != 2)
		return fp_perr(p, "'%s' needs one quoted number format", kw);
	set_str(!strcmp(kw, "money") ? &b->money_format :
	    !strcmp(kw, "number") ? &b->number_format : &b->date_format,
	    fp_xstrdup(p->l.t[1].s));
	return FP_OK;
}

static const char *const msg_names[FP_NMSGS] = {
	[FP_MSG_SUM] = "sum", [FP_MSG_UNITS] = "units", [FP_MSG_MIN] = "min",
	[FP_MSG_REQUIRED] = "required", [FP_MSG_RANGE] = "range",
	[FP_MSG_BAND] = "band", [FP_MSG_UNIQUE] = "unique",
	[FP_MSG_EXPR] = "expr", [FP_MSG_PATTERN] = "pattern",
	[FP_MSG_CHOICE] = "choice", [FP_MSG_NUMBER] = "number",
	[FP_MSG_DATE] = "date",
	[FP_MSG_MEETS] = "meets", [FP_MSG_LISTED] = "listed",
	[FP_MSG_ERROR] = "error", [FP_MSG_WARNING] = "warning",
	[FP_MSG_BLANK] = "blank",
};

const char *
fp_msg_name(enum fp_msg k)
{
	return (unsigned)k < FP_NMSGS ? msg_names[k] : "";
}

static enum fp_err
kw_msg(struct parser *p)
{
	char whose[64];
	size_t i;

	for (i = 0; i < FP_NMSGS; i++)
		if (!strcmp(p->l.t[0].s, msg_names[i]))
			break;
	if (i == FP_NMSGS)
		return fp_perr(p, "unknown message '%s' (expected sum, units, "
		    "min, required, range, band, choice, unique, expr, pattern, "
		    "number, date, meets, listed, error, warning or blank)",
		    p->l.t[0].s);
	if (p->l.n != 2)
		return fp_perr(p, "'%s' needs one quoted template", p->l.t[0].s);
	snprintf(whose, sizeof whose, "the message '%s'", msg_names[i]);
	if (check_words(p, p->l.t[1].s, (enum fp_msg)i, whose))
		return FP_EMAPPING;
	set_str(&p->m->msgs[i], fp_xstrdup(p->l.t[1].s));
	return FP_OK;
}

/* ---- Dispatch -------------------------------------------------------- */

#define IN_TABLE (CTX_TABLE | CTX_FIELD)
#define TABLE_SETTING (IN_TABLE | CTX_DEFAULTS)

static const struct keyword {
	const char *word;
	unsigned where;		/* enum ctx bits */
	enum fp_err (*fn)(struct parser *);
	const char *belongs;	/* where it goes, for the message */
} keywords[] = {
	/* Sections first: their own words win inside them. */
	{ "overview", CTX_BOOK, book_overview, NULL },
	{ "show", CTX_BOOK, book_show, NULL },
	{ "errors", CTX_BOOK, book_label, NULL },
	{ "warnings", CTX_BOOK, book_label, NULL },
	{ "dept", CTX_BOOK, book_label, NULL },
	{ "year", CTX_BOOK, book_label, NULL },
	{ "record", CTX_BOOK, book_label, NULL },
	{ "findings", CTX_BOOK, book_findings, NULL },
	{ "chart", CTX_BOOK, book_chart, NULL },
	{ "money", CTX_BOOK, book_format, NULL },
	{ "number", CTX_BOOK, book_format, NULL },
	{ "date", CTX_BOOK, book_format, NULL },
	{ "title", CTX_BOOK, book_text, NULL },
	{ "unit", CTX_BOOK, book_text, NULL },
	{ "footer", CTX_BOOK, book_text, NULL },
	{ "link", CTX_BOOK, book_text, NULL },
	{ "order", CTX_BOOK, book_order, NULL },
	/* Fields and columns. */
	{ "label", CTX_FIELD, kw_label, "a field or column" },
	{ "at", CTX_FIELD, kw_at, "a column" },
	{ "take", CTX_FIELD, kw_take, "a field" },
	{ "pattern", CTX_FIELD, kw_pattern, "a field" },
	{ "sheet", CTX_FIELD, kw_field_sheet, NULL },
	{ "after", CTX_FIELD, kw_after, "a field" },
	{ "before", CTX_FIELD, kw_after, "a field" },
	{ "strip", CTX_FIELD, kw_field_strip, NULL },
	{ "beneath", CTX_FIELD, kw_beneath, "a field" },
	{ "group", CTX_FIELD, kw_group, "a column" },
	{ "value", CTX_FIELD, kw_alias, "a field or column" },
	{ "code", CTX_FIELD, kw_alias, "a field or column" },
	{ "fill", CTX_FIELD, kw_fill, "a column" },
	{ "heading", CTX_FIELD, kw_heading, "a column" },
	{ "empty", CTX_FIELD, kw_empty, NULL },
	{ "required", IN_TABLE, kw_required, "a table, field or column" },
	/* Tables. */
	{ "field", IN_TABLE, kw_field, "a table" },
	{ "column", IN_TABLE, kw_field, "a table" },
	{ "header", TABLE_SETTING, kw_header, "a table" },
	{ "key", TABLE_SETTING, kw_key, "a keyed table" },
	{ "total", TABLE_SETTING, kw_row, "a keyed or list table" },
	{ "row", TABLE_SETTING, kw_row, "a keyed or list table" },
	{ "strip", TABLE_SETTING, kw_strip, "a keyed table" },
	{ "stop", TABLE_SETTING, kw_stop_skip, "a table" },
	{ "skip", TABLE_SETTING, kw_stop_skip, "a table" },
	{ "omit", TABLE_SETTING, kw_stop_skip, "a table" },
	{ "show", IN_TABLE, kw_show, "a list table" },
	{ "sheet", CTX_TABLE, kw_table_sheet, NULL },
	{ "nested", CTX_TABLE, kw_nested, "a keyed table" },
	/* After a rule. */
	{ "message", CTX_RULE, kw_message, "a rule" },
	{ "where", CTX_RULE, kw_where, "a rule" },
	/* The form's own. */
	{ "form", CTX_TOP, kw_form, NULL },
	{ "sheet", CTX_TOP, kw_sheet, NULL },
	{ "sheets", CTX_TOP, kw_sheet, NULL },
	{ "dept", CTX_TOP, kw_who, NULL },
	{ "year", CTX_TOP, kw_who, NULL },
	{ "record", CTX_TOP, kw_who, NULL },
	{ "tolerance", CTX_TOP, kw_tolerance, NULL },
	{ "continued", CTX_TOP, kw_continued, NULL },
	{ "empty", CTX_TOP, kw_empty, NULL },
	{ "defaults", CTX_TOP, kw_defaults, NULL },
	{ "table", CTX_TOP, kw_table, NULL },
	{ "rule", CTX_TOP, kw_rule, NULL },
	{ "workbook", CTX_TOP, kw_section, NULL },
	{ "messages", CTX_TOP, kw_section, NULL },
};
#define NKEYWORDS (sizeof keywords / sizeof keywords[0])

/*
 * The line slot of a form's statement that says one thing for the whole
 * form, or NULL: given twice, the later would silently win.
 */
static int *
once_slot(struct parser *p, const char *kw)
{
	if (!strcmp(kw, "form"))
		return &p->form_line;
	if (!strcmp(kw, "sheet") || !strcmp(kw, "sheets"))
		return &p->sheet_line;
	if (!strcmp(kw, "dept"))
		return &p->dept_line;
	if (!strcmp(kw, "year"))
		return &p->year_line;
	if (!strcmp(kw, "record"))
		return &p->record_line;
	if (!strcmp(kw, "tolerance"))
		return &p->tolerance_line;
	if (!strcmp(kw, "continued"))
		return &p->continued_line;
	return NULL;
}

static enum fp_err
top_statement(struct parser *p, const struct keyword *k)
{
	int *line = once_slot(p, k->word);

	if (line && *line && line == &p->sheet_line)
		return fp_perr(p, "the form's sheet ('sheet' or 'sheets') is "
		    "given twice (line %d): the form has one; say it once",
		    *line);
	if (line && *line)
		return fp_perr(p, "'%s' is given twice (line %d): the form has "
		    "one; say it once", k->word, *line);
	if (line)
		*line = p->l.no;
	return k->fn(p);
}

/* The context a block's statement may close into: field, table, top. */
static enum ctx
outer(enum ctx c)
{
	return c == CTX_FIELD ? CTX_TABLE : CTX_TOP;
}

static enum fp_err
parse_line(struct parser *p)
{
	const char *kw = p->l.t[0].s;
	const struct keyword *belongs = NULL;
	enum ctx c;
	size_t i;

	if (p->l.t[0].quoted)
		return fp_perr(p, "a line starts with a keyword, not a quoted "
		    "string");
	/* In the messages section, every line but a top statement is one. */
	if (p->ctx == CTX_MESSAGES) {
		for (i = 0; i < NKEYWORDS; i++)
			if (keywords[i].word && !strcmp(keywords[i].word, kw) &&
			    (keywords[i].where & CTX_TOP))
				break;
		if (i == NKEYWORDS)
			return kw_msg(p);
	}
	/* The current block's words, then each enclosing block's. */
	for (c = p->ctx;; c = outer(c)) {
		for (i = 0; i < NKEYWORDS; i++) {
			const struct keyword *k = &keywords[i];

			if (!k->word || strcmp(k->word, kw))
				continue;
			if (!(k->where & c)) {
				if (k->belongs && !belongs)
					belongs = k;
				continue;
			}
			if (c != p->ctx) {
				p->ctx = c;
				if (c == CTX_TABLE)
					p->field = NULL;
				if (c == CTX_TOP) {
					p->field = NULL;
					p->table = NULL;
					p->rule = NULL;
				}
			}
			return c == CTX_TOP ? top_statement(p, k) : k->fn(p);
		}
		if (c == CTX_TOP)
			break;
	}
	if (belongs)
		return fp_perr(p, "'%s' belongs to %s", kw, belongs->belongs);
	return fp_perr(p, "unknown keyword '%s'", kw);
}

/* ---- Freeing --------------------------------------------------------- */

static void
aliases_free(struct fp_alias *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].canon);
		free(v[i].display);
		fp_labels_free(&v[i].alts);
	}
	free(v);
}

void
fp_field_release(struct fp_field *f)
{
	size_t i;

	free(f->name);
	free(f->cn);
	fp_labels_free(&f->labels);
	for (i = 0; i < f->ntake; i++)
		fp_labels_free(&f->take[i].under);
	free(f->take);
	free(f->pattern);
	if (f->has_re)
		regfree(&f->re);
	for (i = 0; i < f->nmore; i++) {
		regfree(&f->more[i].re);
		free(f->more[i].src);
	}
	free(f->more);
	aliases_free(f->values, f->nvalues);
	aliases_free(f->codes, f->ncodes);
	fp_labels_free(&f->empty);
	fp_labels_free(&f->after);
	fp_labels_free(&f->before);
	fp_labels_free(&f->beneath);
	fp_labels_free(&f->group);
	free(f->strip);
	if (f->has_strip)
		regfree(&f->strip_re);
}

void
fp_table_release(struct fp_table *t)
{
	size_t i;

	free(t->name);
	free(t->cn);
	free(t->rowlabel);
	free(t->show);
	fp_labels_free(&t->header);
	fp_labels_free(&t->key);
	fp_labels_free(&t->on_sheet);
	free(t->sheet_name);
	free(t->strip);
	if (t->has_strip)
		regfree(&t->strip_re);
	aliases_free(t->rows, t->nrows);
	fp_labels_free(&t->stop);
	fp_labels_free(&t->skip);
	fp_labels_free(&t->omit);
	for (i = 0; i < t->nfields; i++)
		fp_field_release(&t->fields[i]);
	free(t->fields);
}

void
fp_rule_release(struct fp_rule *r)
{
	size_t i;

	free(r->message);
	free(r->table);
	free(r->lhs);
	for (i = 0; i < r->nparts; i++)
		free(r->parts[i]);
	free(r->parts);
	for (i = 0; i < r->nrefs; i++)
		fp_ref_release(&r->refs[i]);
	free(r->refs);
	for (i = 0; i < r->nexcept; i++)
		fp_ref_release(&r->except[i]);
	free(r->except);
	fp_ref_release(&r->a);
	fp_ref_release(&r->b);
	for (i = 0; i < r->nbands; i++)
		free(r->bands[i].code);
	free(r->bands);
	free(r->pattern);
	free(r->what);
	if (r->has_re)
		regfree(&r->re);
	fp_expr_free(r->left);
	fp_expr_free(r->right);
	for (i = 0; i < r->nwhere; i++) {
		struct fp_cond *c = &r->where[i];
		size_t k;

		fp_ref_release(&c->ref);
		fp_ref_release(&c->target);
		for (k = 0; k < c->nwords; k++)
			free(c->words[k]);
		free(c->words);
		if (c->has_re)
			regfree(&c->re);
	}
	free(r->where);
}

static void
book_free(struct fp_book *b)
{
	size_t i;

	free(b->title);
	free(b->unit);
	free(b->footer);
	for (i = 0; i < b->norder; i++)
		fp_ref_release(&b->order[i]);
	free(b->order);
	free(b->link_label);
	free(b->overview);
	free(b->total_label);
	for (i = 0; i < b->nshow; i++) {
		fp_ref_release(&b->show[i].ref);
		free(b->show[i].label);
	}
	free(b->show);
	free(b->errors_label);
	free(b->warnings_label);
	free(b->dept_label);
	free(b->year_label);
	free(b->record_label);
	free(b->findings);
	for (i = 0; i < FP_NFINDING_COLS; i++)
		free(b->finding_labels[i]);
	fp_ref_release(&b->chart);
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
	fp_labels_free(&m->sheet_labels);
	fp_labels_free(&m->continued);
	free(m->sheet_name);
	fp_ref_release(&m->dept);
	fp_ref_release(&m->year);
	fp_ref_release(&m->record);
	for (i = 0; i < FP_NTYPES; i++)
		fp_labels_free(&m->empty[i]);
	for (i = 0; i < m->ntables; i++)
		fp_table_release(&m->tables[i]);
	free(m->tables);
	for (i = 0; i < m->nrules; i++)
		fp_rule_release(&m->rules[i]);
	free(m->rules);
	for (i = 0; i < FP_NMSGS; i++)
		free(m->msgs[i]);
	book_free(&m->book);
	fp_labels_free(&m->known);
	free(m->known_hash);
	fp_labels_free(&m->known_globs);
	free(m);
}

/* ---- The whole text -------------------------------------------------- */

#define MAX_MAPPING (4u << 20)

enum fp_err
fp_mapping_parse(const char *name, const char *text, size_t n,
    struct fp_mapping **out, struct fp_diag *d)
{
	struct parser p;
	const char *s = text, *end = text + n, *e;
	enum fp_err err = FP_OK;
	size_t i;

	*out = NULL;
	memset(&p, 0, sizeof p);
	p.m = fp_xcalloc(1, sizeof *p.m);
	p.m->path = fp_xstrdup(name);
	p.m->tolerance = 0.01;
	p.name = name;
	p.d = d;
	p.ctx = CTX_TOP;
	/* Windows Notepad saves UTF-8 with a byte-order mark. */
	if (n >= 3 && !memcmp(s, "\xef\xbb\xbf", 3))
		s += 3;
	while (s < end) {
		const char *why = NULL;

		e = memchr(s, '\n', (size_t)(end - s));
		if (!e)
			e = end;
		p.l.no++;
		fp_lex_release(&p.l);
		if (memchr(s, '\0', (size_t)(e - s))) {
			err = fp_perr(&p, "a NUL byte: not a text file");
			break;
		}
		if (!fp_utf8_valid(s, (size_t)(e - s))) {
			err = fp_perr(&p, "not UTF-8 text (save the mapping as "
			    "UTF-8)");
			break;
		}
		if (!fp_lex_line(&p.l, s, (size_t)(e - s), &why)) {
			err = fp_perr(&p, "%s", why);
			break;
		}
		if (p.l.n && (err = parse_line(&p)))
			break;
		s = e < end ? e + 1 : e;
	}
	if (!err)
		err = fp_mapping_check(&p);
	fp_lex_release(&p.l);
	free(p.l.t);
	for (i = 0; i < 3; i++)
		fp_table_release(&p.defaults[i]);
	if (err) {
		fp_mapping_free(p.m);
		return err;
	}
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
	enum fp_err err = FP_OK;

	*out = NULL;
	f = fopen(path, "r");
	if (!f)
		return fp_diag(d, FP_EMAPPING, "%s: %s", path, strerror(errno));
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		fp_buf_add(&b, chunk, n);
		if (b.len > MAX_MAPPING) {
			err = fp_diag(d, FP_EMAPPING, "%s: over %u MB: not a "
			    "mapping", path, MAX_MAPPING >> 20);
			goto out;
		}
	}
	if (ferror(f)) {
		err = fp_diag(d, FP_EMAPPING, "%s: %s", path, strerror(errno));
		goto out;
	}
	err = fp_mapping_parse(path, b.s ? b.s : "", b.len, out, d);
out:
	fclose(f);
	fp_buf_release(&b);
	return err;
}
