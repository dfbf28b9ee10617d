/*
 * A keyed or list table of a mapping found on a form (mapping_apply_int.h):
 * its header by a label (read by mapping_header.c, which names its
 * columns and finds each field's), then the rows that follow until a row
 * holding a label the mapping knows, a stop label, or (keyed) a blank
 * row; and what a row gives: its key, its cells (filled down, merged),
 * its heading's code, with hidden rows told by the table's total.
 */
#include "mapping_apply_int.h"

#include <stdlib.h>
#include <string.h>

#include "normalize.h"

/*
 * 1 if row r reads as a row of the table: numbers in two of its columns
 * that hold numbers (money, integer, number, score), or in its one such
 * column. A title or a header has none, and a footer (审核人 | 电话,
 * 填表日期 | 2022) one.
 */
static int
row_has_amounts(const struct fp_table *t, const struct fp_fsheet *s,
    uint32_t r, const int64_t *col)
{
	const struct fp_fcell *c;
	size_t i, ncols = 0, nnums = 0;
	double x;

	for (i = 0; i < t->nfields; i++) {
		if (col[i] < 0 || !fp_type_numeric(t->fields[i].type))
			continue;
		ncols++;
		if ((c = fp_fsheet_at(s, r, (uint32_t)col[i])) &&
		    (c->type == FP_CELL_NUMBER || (c->type == FP_CELL_TEXT &&
		    fp_parse_number(c->text, c->len, &x))))
			nnums++;
	}
	return nnums > 0 && nnums >= (ncols < 2 ? ncols : 2);
}

/*
 * key (a label form) with its brackets as the cell writes them: full
 * width where the text has those and no others (县水土保持站（二级机构）),
 * for the unit's name as the department wrote it.
 */
static char *
key_as_written(const char *key, const char *text)
{
	struct fp_buf b = FP_BUF_INIT;
	int open = strstr(text, "\xef\xbc\x88") && !strchr(text, '(');
	int close = strstr(text, "\xef\xbc\x89") && !strchr(text, ')');

	if (!(open && strchr(key, '(')) && !(close && strchr(key, ')')))
		return fp_xstrdup(key);
	for (; *key; key++) {
		if (*key == '(' && open)
			fp_buf_adds(&b, "\xef\xbc\x88");
		else if (*key == ')' && close)
			fp_buf_adds(&b, "\xef\xbc\x89");
		else
			fp_buf_addc(&b, *key);
	}
	return fp_buf_detach(&b);
}

/* The key of a keyed table's row: a row code, or the key without its enumerator. */
static char *
row_key(const struct fp_table *t, const struct fp_fcell *kc)
{
	const char *s = kc->label ? kc->label : kc->text, *stripped = s;
	regmatch_t mt;
	size_t i;

	if (t->has_strip && !fp_regexec(&t->strip_re, s, 1, &mt, 0) &&
	    mt.rm_so == 0 && mt.rm_eo > 0 && s[mt.rm_eo])
		stripped = s + mt.rm_eo;
	for (i = 0; i < t->nrows; i++)
		if (fp_labels_match(&t->rows[i].alts, s) ||
		    fp_labels_match(&t->rows[i].alts, stripped) ||
		    (kc->base && fp_labels_match(&t->rows[i].alts, kc->base)))
			return fp_xstrdup(t->rows[i].canon);
	return kc->label ? key_as_written(stripped, kc->text) :
	    fp_xstrdup(stripped);
}

/*
 * 1 if key, row_key's of kc, is a row code with braces (row {level1}_sub
 * 小计 = 小计), to be keyed by its group; a unit whose name has a brace
 * is keyed by its name.
 */
static int
is_template(const struct fp_table *t, const struct fp_fcell *kc,
    const char *key)
{
	return strchr(key, '{') && fp_apply_is_row_code(t, kc);
}

/*
 * 1 if row r holds nothing in the table's columns but 0 in those of
 * numbers (a number 0, or text that reads as 0: 0.00); the key cell kc
 * aside.
 */
static int
row_all_zero(const struct fp_table *t, const struct fp_fsheet *s,
    uint32_t r, const int64_t *col, const struct fp_fcell *kc)
{
	const struct fp_fcell *c;
	size_t i;
	double x;

	for (i = 0; i < t->nfields; i++) {
		if (col[i] < 0 || !(c = fp_fsheet_at(s, r, (uint32_t)col[i])) ||
		    c == kc || c->type == FP_CELL_EMPTY)
			continue;
		if (!fp_type_numeric(t->fields[i].type) ||
		    (c->type == FP_CELL_NUMBER ? c->num != 0 :
		    c->type != FP_CELL_TEXT || !fp_parse_number(c->text,
		    c->len, &x) || x != 0))
			return 0;
	}
	return 1;
}

/* 1 if the key cell is the table's enumerator alone (2、, （三）). */
static int
only_enumerator(const struct fp_table *t, const struct fp_fcell *kc)
{
	const char *s = kc->label ? kc->label : kc->text;
	regmatch_t mt;

	return t->has_strip && !fp_regexec(&t->strip_re, s, 1, &mt, 0) &&
	    mt.rm_so == 0 && mt.rm_eo > 0 && !s[mt.rm_eo];
}

/* 1 if the key cell starts with the table's enumerator (a unit row). */
static int
enumerated(const struct fp_table *t, const struct fp_fcell *kc)
{
	regmatch_t mt;

	return kc && kc->label && t->has_strip &&
	    !fp_regexec(&t->strip_re, kc->label, 1, &mt, 0) && mt.rm_so == 0;
}

/* 1 if a cell of row r in columns lo..hi holds a label the mapping knows. */
static int
known_in(const struct fp_mapping *m, const struct fp_fsheet *s, uint32_t r,
    uint32_t lo, uint32_t hi)
{
	size_t k;

	for (k = s->rowstart[r]; r < s->nrows && k < s->rowstart[r + 1]; k++)
		if (s->cells[k].col >= lo && s->cells[k].col <= hi &&
		    fp_apply_cell_is_known(m, &s->cells[k]))
			return 1;
	return 0;
}

/*
 * 1 if row r repeats, cell for cell, a row above row top: the print
 * titles pasted in again where a page broke (填报单位：某局 over the
 * table's header once more), no end of the table.
 */
static int
repeats_above(const struct fp_fsheet *s, uint32_t r, uint32_t top)
{
	size_t n = s->rowstart[r + 1] - s->rowstart[r], k;
	uint32_t q;


	for (q = 0; q < top && q < r; q++) {
		const struct fp_fcell *x = &s->cells[s->rowstart[q]];
		const struct fp_fcell *y = &s->cells[s->rowstart[r]];

		if (s->rowstart[q + 1] - s->rowstart[q] != n)
			continue;
		for (k = 0; k < n; k++)
			if (x[k].col != y[k].col || x[k].type != y[k].type ||
			    x[k].len != y[k].len ||
			    memcmp(x[k].text, y[k].text, x[k].len))
				break;
		if (k == n)
			return 1;
	}
	return 0;
}

/* 1 if cell c says "the same as above": 〃, ″, ", 同上. */
static int
is_ditto(const struct fp_fcell *c)
{
	static const char *const ditto[] = {
		"\xe3\x80\x83", "\xe2\x80\xb3", "\"", "\xe5\x90\x8c\xe4\xb8\x8a",
	};
	size_t i;

	for (i = 0; c->label && i < sizeof ditto / sizeof ditto[0]; i++)
		if (!strcmp(c->label, ditto[i]))
			return 1;
	return 0;
}

/* 1 if a key cell is one of the table's row codes. */
int
fp_apply_is_row_code(const struct fp_table *t, const struct fp_fcell *kc)
{
	char *key;
	size_t i;
	int yes = 0;

	if (!kc->label || !t->nrows)
		return 0;
	key = row_key(t, kc);
	for (i = 0; i < t->nrows && !yes; i++)
		yes = !strcmp(key, t->rows[i].canon);
	free(key);
	return yes;
}

/* The next row at or after k not yet given a cell (nx: a skip list). */
static uint32_t
next_open(uint32_t *nx, uint32_t k)
{
	uint32_t r = k;

	while (nx[r] != r)
		r = nx[r];
	while (nx[k] != r) {		/* shorten the path walked */
		uint32_t up = nx[k];

		nx[k] = r;
		k = up;
	}
	return r;
}

/*
 * What a column shows through merged ranges in rows from..s->nrows - 1:
 * for each row whose cell in the column is covered by a range that
 * starts elsewhere (a category merged across the 一级 and 二级 columns),
 * the range's top-left cell; NULL elsewhere. NULL if the sheet has no
 * range over the column. A range from above row from, a header's cell
 * merged down into the rows (备注 over its first row), shows nothing in
 * them: a column's name is no value of it. Each row is given once
 * however the ranges overlap, so the work is the ranges plus the rows.
 */
static const struct fp_fcell **
merged_column(const struct fp_fsheet *s, int64_t col, uint32_t from)
{
	const struct fp_fcell **v = NULL, *tl;
	uint32_t n = s->nrows > from ? s->nrows - from : 0, *nx = NULL, r, k;
	size_t m;

	for (m = 0; m < s->nmerges; m++) {
		const struct fp_range *g = &s->merges[m];
		uint32_t lo = g->r1 > from ? g->r1 - from : 0;
		uint32_t hi = g->r2 - from;	/* last row, if g->r2 >= from */

		if (col < g->c1 || col > g->c2 || g->r1 < from || lo >= n ||
		    !(tl = fp_fsheet_at(s, g->r1, g->c1)))
			continue;
		if (hi >= n)
			hi = n - 1;
		if (!v) {
			v = fp_xcalloc(n, sizeof *v);
			nx = fp_xcalloc((size_t)n + 1, sizeof *nx);
			for (k = 0; k <= n; k++)
				nx[k] = k;
		}
		for (r = next_open(nx, lo); r <= hi; r = next_open(nx, r)) {
			if (r + from != g->r1 || col != g->c1)
				v[r] = tl;
			nx[r] = r + 1;
		}
	}
	free(nx);
	return v;
}

int
fp_apply_past_rows(const struct fp_mapping *m, const struct fp_table *t,
    const struct fp_fsheet *s, uint32_t r)
{
	size_t k;

	for (k = s->rowstart[r]; t && k < s->rowstart[r + 1]; k++)
		if (fp_apply_is_row_code(t, &s->cells[k]))
			return 0;
	return fp_apply_row_is_known(m, s, r);
}

/*
 * The key cell of row r: its cell in the key column; else, in a blank one,
 * what a merged range over it shows (合计 merged across 序号 and the
 * name); but a row code right of one that is none, in a column none of
 * the table's columns (col) takes (其中 merged down the key column, each
 * source of funds named right of it); else a row code
 * in another cell of the row (合计 in the 序号 column, or in the name's
 * beside a key column of codes). Those are looked for in the table's
 * half of the row, columns lo to hi (not the other half's 总计 of a
 * two-sided table).
 */
static const struct fp_fcell *
key_cell(const struct fp_table *t, const struct fp_fsheet *s, uint32_t r,
    int64_t keycol, const struct fp_fcell *const *merged, uint32_t D,
    const int64_t *col, uint32_t lo, uint32_t hi)
{
	const struct fp_fcell *kc = fp_fsheet_at(s, r, (uint32_t)keycol);
	size_t k, i;

	if (!kc && merged && r >= D)
		kc = merged[r - D];
	/* 其中 merged down the key column, each source's name right of it. */
	if (kc && t->nrows && !fp_apply_is_row_code(t, kc))
		for (k = s->rowstart[r]; k < s->rowstart[r + 1]; k++) {
			const struct fp_fcell *c = &s->cells[k];

			for (i = 0; i < t->nfields && col[i] != c->col; i++)
				;
			if (c->col > keycol && c->col <= hi &&
			    i == t->nfields && fp_apply_is_row_code(t, c))
				return c;
		}
	if (kc)
		return kc;
	for (k = s->rowstart[r]; k < s->rowstart[r + 1]; k++)
		if (s->cells[k].col >= lo && s->cells[k].col <= hi &&
		    fp_apply_is_row_code(t, &s->cells[k]))
			return &s->cells[k];
	return NULL;
}

/*
 * 1 if c is a label that places another keyed or list table (its
 * header's): that table starts here. A column's label is not, as an
 * indicator may be named 公用经费 like a column of the money tables.
 */
static int
places_a_table(const struct fp_mapping *m, const struct fp_table *t,
    const struct fp_fcell *c)
{
	size_t i;

	for (i = 0; i < m->ntables; i++)
		if (&m->tables[i] != t &&
		    m->tables[i].kind != FP_TABLE_FIELDS &&
		    fp_apply_cell_matches(&m->tables[i].header, c))
			return 1;
	return 0;
}

/* 1 if a cell of row r carries one of the labels. */
static int
row_matches(const struct fp_labels *ls, const struct fp_fsheet *s,
    uint32_t r)
{
	size_t k;

	if (!ls->n || r >= s->nrows)
		return 0;
	for (k = s->rowstart[r]; k < s->rowstart[r + 1]; k++)
		if (fp_apply_cell_matches(ls, &s->cells[k]))
			return 1;
	return 0;
}

/*
 * 1 if row r, which holds a known label, is still one of the table's
 * rows (first is its first, D its header's end): a merged cell of one of
 * its columns runs into r from a row of the table (成本指标 over its
 * indicators, left of the label), or each known label is a column's
 * value with a value before it in the row and two more of its columns,
 * and none places another table (an indicator named 资金总额 or
 * 服务对象满意度). A row that starts with the label (合计, 评价人员)
 * or holds a stop label ends the table.
 */
static int
row_goes_on(const struct fp_mapping *m, const struct fp_table *t,
    const struct fp_fsheet *s, uint32_t r, const int64_t *col,
    const struct fp_fcell ***merged, uint32_t D, uint32_t first)
{
	const struct fp_fcell *kn = fp_apply_known_in_row(m, s, r);
	size_t i, k, nvals = 0;
	int before = 0;

	if (!kn)
		return 0;
	if (row_matches(&t->stop, s, r))
		return 0;
	/* A merged cell left of the label runs into the row from above. */
	for (i = 0; i < t->nfields; i++)
		if (merged[i] && col[i] < (int64_t)kn->col &&
		    merged[i][r - D] && merged[i][r - D]->row >= first &&
		    merged[i][r - D]->row < r)
			return 1;
	for (k = s->rowstart[r]; k < s->rowstart[r + 1]; k++) {
		const struct fp_fcell *c = &s->cells[k];
		int ours = 0;

		for (i = 0; i < t->nfields && !ours; i++)
			ours = col[i] == (int64_t)c->col;
		if (fp_apply_cell_is_known(m, c) && (!ours || !before ||
		    places_a_table(m, t, c)))
			return 0;
		before = 1;
		nvals += ours;
	}
	return nvals >= 3;
}

/*
 * 1 if row r is a heading (一、货物类 over its items): one of its first
 * two cells is one of a heading column's codes; sect[i] is then that
 * cell, for column i.
 */
static int
heading_row(const struct fp_table *t, const struct fp_fsheet *s,
    uint32_t r, const struct fp_fcell **sect)
{
	size_t i, j, k;
	int any = 0;

	for (i = 0; i < t->nfields; i++) {
		const struct fp_field *f = &t->fields[i];

		if (!f->heading)
			continue;
		for (k = s->rowstart[r]; k < s->rowstart[r + 1] &&
		    k < s->rowstart[r] + 2; k++) {
			const struct fp_fcell *c = &s->cells[k];

			for (j = 0; c->label && j < f->ncodes; j++)
				if (fp_apply_cell_matches(&f->codes[j].alts, c))
					break;
			if (c->label && j < f->ncodes) {
				sect[i] = c;
				any = 1;
				break;
			}
		}
	}
	return any;
}

/* The keys a keyed table's rows have had so far, each with its count. */
struct seen {
	char **keys;
	unsigned *count;
	size_t n, cap;		/* cap: 0 or a power of two */
};

static size_t
seen_slot(const struct seen *sn, const char *key)
{
	size_t h = fp_hash_slot(fp_hash(FP_HASH_INIT, key), sn->cap - 1);

	while (sn->keys[h] && strcmp(sn->keys[h], key))
		h = (h + 1) & (sn->cap - 1);
	return h;
}

/* How many rows had key before this one (0 for the first). */
static unsigned
seen_before(struct seen *sn, const char *key)
{
	size_t h, k;

	if (sn->n * 2 >= sn->cap) {
		struct seen big = { NULL, NULL, sn->n, sn->cap ? sn->cap * 2 :
		    64 };

		big.keys = fp_xcalloc(big.cap, sizeof *big.keys);
		big.count = fp_xcalloc(big.cap, sizeof *big.count);
		for (k = 0; k < sn->cap; k++) {
			if (!sn->keys[k])
				continue;
			h = seen_slot(&big, sn->keys[k]);
			big.keys[h] = sn->keys[k];
			big.count[h] = sn->count[k];
		}
		free(sn->keys);
		free(sn->count);
		*sn = big;
	}
	h = seen_slot(sn, key);
	if (!sn->keys[h]) {
		sn->keys[h] = fp_xstrdup(key);
		sn->n++;
	}
	return sn->count[h]++;
}

static void
seen_free(struct seen *sn)
{
	size_t k;

	for (k = 0; k < sn->cap; k++)
		free(sn->keys[k]);
	free(sn->keys);
	free(sn->count);
}

/*
 * A row of a keyed table named as an earlier one (办公设备 under 货物类
 * and again under 服务类), or coded as one (小计 after each group), is a
 * row of its own: its key gets the count in brackets (办公设备（2）,
 * sub（2）), with a warning; two rows' facts under one key would be one
 * row's twice.
 */
static char *
key_again(struct apply *a, const struct fp_table *t, const struct fp_fsheet *s,
    uint32_t r, struct seen *sn, char *key)
{
	struct fp_buf b = FP_BUF_INIT;
	unsigned before;

	if (!(before = seen_before(sn, key)))
		return key;
	fp_buf_printf(&b, "%s\xef\xbc\x88%u\xef\xbc\x89", key, before + 1);
	fp_apply_note(a, 1,
	    "%s: '%s' again at row %u of sheet '%s': read as '%s'",
	    t->name, key, fp_apply_row_no(s, r), s->name, b.s);
	free(key);
	return fp_buf_detach(&b);
}

/*
 * A list's row named by one of its row codes in its first or second cell
 * (合计 under the items, 一、货物类 over its own with their subtotal):
 * that cell, else NULL.
 */
static const struct fp_fcell *
list_code(const struct fp_table *t, const struct fp_fsheet *s, uint32_t r)
{
	size_t k;

	if (!t->nrows)
		return NULL;
	for (k = s->rowstart[r]; k < s->rowstart[r + 1] &&
	    k < s->rowstart[r] + 2; k++)
		if (fp_apply_is_row_code(t, &s->cells[k]))
			return &s->cells[k];
	return NULL;
}

/*
 * 1 if row r of a list is a heading between its rows: one cell, merged
 * across the columns of two of its fields or more (（二）特邀专家 over a
 * second block of evaluators). merged[i] is what field i's column shows
 * through merged ranges from row D on (merged_column), so the cost is
 * the fields'.
 */
static int
section_row(const struct fp_table *t, const struct fp_fsheet *s, uint32_t r,
    const int64_t *col, const struct fp_fcell ***merged, uint32_t D)
{
	const struct fp_fcell *c;
	size_t i, n = 0, across = 0;

	if (s->rowstart[r + 1] - s->rowstart[r] != 1)
		return 0;
	c = &s->cells[s->rowstart[r]];
	for (i = 0; i < t->nfields; i++) {
		if (col[i] == (int64_t)c->col)
			n++;
		else if (merged[i] && merged[i][r - D] == c)
			n++, across++;
	}
	return n >= 2 && across > 0;
}

/* 1 if a column only says what kind of row its row is: a code, or filled. */
static int
kind_column(const struct fp_field *f)
{
	return f->type == FP_T_CODE || f->fill_down || f->fill_left ||
	    f->heading;
}

/*
 * 1 if the facts of a list's row, from from on, are all of columns that
 * say what kind of row it is (经济效益指标 | 无 | — | —: a category the
 * department has no indicator in), where the list has other columns.
 */
static int
only_kinds(const struct fp_table *t, const struct fp_record *rec,
    size_t from)
{
	size_t i;
	int others = 0;

	for (i = 0; i < t->nfields; i++)
		others |= !kind_column(&t->fields[i]);
	if (!others || from >= rec->n)
		return 0;
	for (i = from; i < rec->n; i++) {
		const struct fp_field *f = fp_table_field(t, rec->v[i].field);

		if (!f || !kind_column(f))
			return 0;
	}
	return 1;
}

/*
 * The key of row r, coded by a template (row {level1}_sub 小计 = 小计):
 * its group's code in it, counted again where the group has one already;
 * the row's facts from from on take it. tmpl is freed.
 */
static char *
group_key(struct apply *a, const struct fp_table *t,
    const struct fp_fsheet *s, uint32_t r, struct seen *sn, char *tmpl,
    size_t from, char *const *last)
{
	char *key = key_again(a, t, s, r, sn, fp_groups_key(t, tmpl, a->rec,
	    from, last));
	size_t k;

	for (k = from; k < a->rec->n; k++) {
		free(a->rec->v[k].row);
		a->rec->v[k].row = fp_xstrdup(key);
	}
	free(tmpl);
	return key;
}

/* The warning for n hidden rows of a table, from row first: what became of them. */
static void
say_hidden(struct apply *a, const struct fp_table *t,
    const struct fp_fsheet *s, size_t n, uint32_t first, const char *what)
{
	if (n == 1)
		fp_apply_note(a, 1, "%s: row %u of sheet '%s' is hidden: %s",
		    t->name,
		    fp_apply_row_no(s, first), s->name, what);
	else
		fp_apply_note(a, 1,
		    "%s: %zu rows of sheet '%s' are hidden, from row "
		    "%u: %s", t->name, n, s->name, fp_apply_row_no(s, first),
		    what);
}

/* A field's choices, a column each, a tick in one. */
struct choice {
	uint32_t lo, hi;
	int on;
};

/* A table being read off its sheet: where, its columns, what was read. */
struct grid {
	struct apply *a;
	const struct fp_table *t;
	const struct fp_fsheet *s;
	size_t si;			/* the sheet's index in the form */
	const struct fp_fcell *anchor;	/* the header's label */
	struct fp_form *across;		/* the table transposed, if it is */
	struct fp_header hdr;
	int64_t keycol;			/* keyed: the key's column */
	const struct fp_fcell **mkey;	/* merged cells of the key column */
	uint32_t half_lo, half_hi;	/* the key's half of a two-sided table */
	struct fp_keyparts kp;		/* a key written in parts (类|款|项) */
	int64_t *col;			/* each field's column, -1 none */
	int64_t *passed;		/* the column it passed over, -1 none */
	int *exp;			/* each money field's unit exponent */
	struct choice *choice;
	const struct fp_fcell **names;	/* the choices' names by column */
	const struct fp_fcell ***merged;	/* each column's merged cells */
	const struct fp_fcell **last;	/* each column's last value */
	const struct fp_fcell **sect;	/* the heading over the rows */
	char **lastcode;		/* the last group code of each field */
	struct seen seen;
	struct fp_hidden *hid;
	struct fp_groups *grp;
	/* What was read. */
	size_t nrows, n;		/* rows, and a list's items numbered */
	uint32_t first, lastrow;
	size_t nhidden, nrepeats, nleft;
	uint32_t hidden1, repeat1, left1, repeated;
	uint32_t end;			/* the row of a known label that ends it */
};

/*
 * Finds the table's header label, on the sheets the table may be on.
 * 0, said, if it is not there.
 */
static int
grid_find(struct grid *g)
{
	struct apply *a = g->a;
	const struct fp_table *t = g->t;
	size_t o = 0;
	uint32_t first = 0, last = 0;

	while (!g->anchor && fp_apply_next_sheet(a, t->any_sheet, &o, &g->si)) {
		g->s = &a->form->sheets[g->si];
		/* sheet containing, sheet named: on that sheet alone. */
		if ((t->on_sheet.n && !fp_apply_find_first(g->s,
		    &t->on_sheet)) || (t->sheet_name && strcmp(g->s->name,
		    t->sheet_name)))
			continue;
		g->anchor = fp_apply_find_first(g->s, &t->header);
		if (t->on_sheet.n || t->sheet_name)
			break;
	}
	if (!g->anchor) {
		struct fp_buf where = FP_BUF_INIT;

		if (t->on_sheet.n)
			fp_buf_printf(&where, " on the sheet with a cell %s",
			    fp_apply_labels_text(&a->val, &t->on_sheet));
		else if (t->sheet_name)
			fp_buf_printf(&where, " on a sheet named '%s'",
			    t->sheet_name);
		else if (t->any_sheet)
			fp_buf_adds(&where, " on any sheet");
		fp_apply_note(a, t->required, "%s%s: no cell labelled %s%s",
		    t->name, t->required ? " (required)" : "",
		    fp_apply_labels_text(&a->val, &t->header),
		    where.s ? where.s : "");
		fp_buf_release(&where);
		return 0;
	}
	if (g->si != a->sheet && g->s->hidden)
		fp_apply_note(a, 1,
		    "%s: read on sheet '%s', which the workbook hides",
		    t->name, g->s->name);
	else if (g->si + 1 == a->lone)
		fp_apply_note(a, 0, "%s: not on the form's sheet; read on sheet "
		    "'%s', of its own", t->name, g->s->name);
	if (fp_apply_written_across(t, g->s, g->anchor, &first, &last)) {
		fp_apply_note(a, 0, "%s: its columns' names stand down from %s: "
		    "read across", t->name, fp_apply_ref(a, g->s, g->anchor));
		g->across = fp_form_transpose(a->form, g->si, first, last);
		g->s = &g->across->sheets[0];
		g->anchor = fp_fsheet_at(g->s, g->anchor->col,
		    g->anchor->row - first);
	}
	return 1;
}

/*
 * Says so of each field whose column stands under a group naming another
 * year (2022年, 上年数) where another field's stands under one naming
 * this year: the table's facts would be of two years. Not of a field
 * with a group of its own: the mapping asks for that year's.
 */
static void
year_mixed(struct grid *g)
{
	const struct fp_table *t = g->t;
	size_t i;
	int mixed = 0;
	char c[8];

	for (i = 0; i < t->nfields && !mixed; i++)
		mixed = fp_header_this_year(&g->hdr, g->col[i]);
	for (i = 0; mixed && !g->s->transposed && i < t->nfields; i++)
		if (!t->fields[i].group.n &&
		    fp_header_other_year(&g->hdr, g->col[i])) {
			fp_colname((uint32_t)g->col[i], c);
			fp_apply_note(g->a, 1, "%s.%s: column %s stands under "
			    "another year's group than this year's columns",
			    t->name, t->fields[i].name, c);
		}
}

/*
 * Reads the header under the label: the key's column (keyed; -1, said,
 * if there is none), each field's column, choices and unit.
 */
static int
grid_columns(struct grid *g)
{
	struct apply *a = g->a;
	const struct fp_table *t = g->t;
	const struct fp_fsheet *s = g->s;
	uint32_t D, r;
	size_t i;
	int unnamed = 0;
	char num[32];

	fp_header_read(t, s, g->anchor, &g->hdr);
	g->hdr.year = fp_apply_form_year(a);
	D = g->hdr.end;
	if (t->kind == FP_TABLE_KEYED) {
		g->keycol = fp_header_key_column(a->m, t, &g->hdr,
		    g->anchor->col, &g->kp, &unnamed);
		if (unnamed && g->keycol >= 0)
			fp_apply_note(a, 0, "%s: no cell of the header (rows "
			    "%u-%u) is labelled %s: the key is in column %s, "
			    "which holds the rows' codes", t->name,
			    fp_apply_row_no(s, g->hdr.top),
			    fp_apply_row_no(s, D - 1),
			    fp_apply_labels_text(&a->val, &t->key),
			    (fp_colname((uint32_t)g->keycol, num), num));
		if (g->keycol < 0) {
			fp_apply_note(a, 1,
			    "%s: header at %s, but no key column (%s%s%s"
			    "holding its rows' codes)", t->name,
			    fp_apply_ref(a, s, g->anchor), t->key.n ?
			    "headed " : "none ", t->key.n ?
			    fp_apply_labels_text(&a->val, &t->key) : "",
			    t->key.n ? ", or " : "");
			return -1;
		}
		/* A column that names the key's header may take it too. */
		g->mkey = merged_column(s, g->keycol, D);
		fp_header_half(&g->hdr, g->keycol, &g->half_lo, &g->half_hi);
	}
	g->col = fp_xcalloc(t->nfields, sizeof *g->col);
	g->passed = fp_xcalloc(t->nfields, sizeof *g->passed);
	g->lastcode = fp_xcalloc(t->nfields + 1, sizeof *g->lastcode);
	g->choice = fp_xcalloc(t->nfields, sizeof *g->choice);
	g->names = fp_xcalloc(g->hdr.ncols + 1, sizeof *g->names);
	g->exp = fp_xcalloc(t->nfields, sizeof *g->exp);
	g->last = fp_xcalloc(t->nfields, sizeof *g->last);
	g->merged = fp_xcalloc(t->nfields, sizeof *g->merged);
	for (i = 0; i < t->nfields; i++) {
		const struct fp_field *f = &t->fields[i];
		struct choice *ch = &g->choice[i];
		const struct fp_fcell *u;

		g->col[i] = fp_header_field_column(t, &g->hdr, f,
		    g->keycol >= 0 && (uint32_t)g->keycol < g->hdr.ncols ?
		    (uint32_t)g->keycol : 0, &g->passed[i]);
		/* Its choices a column each, a √ in one. */
		if (g->col[i] < 0 && fp_header_choices(t, f, &g->hdr, &ch->lo,
		    &ch->hi)) {
			ch->on = 1;
			for (r = ch->lo; r <= ch->hi; r++)
				g->names[r] = g->hdr.cols[r].name;
		}
		if (g->col[i] >= 0)
			g->merged[i] = merged_column(s, g->col[i], D);
		if (g->col[i] < 0 || f->type != FP_T_MONEY ||
		    !(u = fp_header_unit(a->m, t, &g->hdr, g->col[i])) ||
		    !u->unit_exp)
			continue;
		g->exp[i] = u->unit_exp;
		fp_apply_unit_note(a, t, f, s, u);
	}
	year_mixed(g);
	if (t->kind == FP_TABLE_KEYED) {
		g->hid = fp_hidden_new(t);
		g->grp = fp_groups_new(t);
	}
	for (i = 0; i < t->nfields; i++)
		if (t->fields[i].heading && !g->sect)
			g->sect = fp_xcalloc(t->nfields, sizeof *g->sect);
	return 0;
}

/*
 * The first row after the header that may be the table's: blank rows
 * between are no end, nor is a row the mapping omits, nor one row
 * numbering the columns (栏次 | 1 | 2, 1 | 2 | 3) set apart by a blank
 * one.
 */
static uint32_t
grid_start(const struct grid *g)
{
	const struct fp_table *t = g->t;
	const struct fp_fsheet *s = g->s;
	uint32_t r;
	int numbered = 0;

	for (r = g->hdr.end; r < s->nrows && (fp_apply_row_is_blank(s, r) ||
	    (row_matches(&t->omit, s, r) && !row_matches(&t->stop, s, r)) ||
	    (!numbered && (numbered = fp_header_numbering_row(t, s, r)))); r++)
		;
	return r;
}

/*
 * At the blank row r of a keyed table: the row before the next that is
 * the table's (into *r), 1, or 0 if the blank row ends the table. It goes
 * on to one of its coded rows (合计 in its key column or on a row of
 * amounts, though a column's label too: not in the next table's header),
 * or, where no label the mapping knows is there, a unit row (its key
 * with the enumerator) or a key, not a label with its value after a
 * colon, on a row of amounts (row_has_amounts).
 */
static int
blank_goes_on(const struct grid *g, uint32_t *r)
{
	const struct fp_table *t = g->t;
	const struct fp_fsheet *s = g->s;
	const struct fp_fcell *kc;
	uint32_t r2 = *r + 1;
	int known;

	while (r2 < s->nrows && fp_apply_row_is_blank(s, r2))
		r2++;
	kc = r2 < s->nrows ? key_cell(t, s, r2, g->keycol, g->mkey,
	    g->hdr.end, g->col, g->half_lo, g->half_hi) : NULL;
	known = known_in(g->a->m, s, r2, g->half_lo, g->half_hi);
	if (kc && ((fp_apply_is_row_code(t, kc) && (kc->col == g->keycol ||
	    !known || row_has_amounts(t, s, r2, g->col))) || (!known &&
	    (enumerated(t, kc) || ((!kc->after || kc->spaced) &&
	    row_has_amounts(t, s, r2, g->col)))))) {
		*r = r2 - 1;
		return 1;
	}
	return 0;
}

/* 1 if a list's row r has something in one of the table's columns. */
static int
list_row_has_cells(const struct grid *g, uint32_t r)
{
	size_t i;

	for (i = 0; i < g->t->nfields; i++)
		if ((g->col[i] >= 0 && fp_fsheet_at(g->s, r,
		    (uint32_t)g->col[i])) || (g->choice[i].on &&
		    fp_apply_choice_ticked(g->s, r, g->choice[i].lo,
		    g->choice[i].hi)))
			return 1;
	return 0;
}

/*
 * The unit statement (单位：万元) of row r, where the row holds nothing
 * else in the table's columns but its key (三公经费情况 | … | 单位：万元:
 * the next table's title over the last column of this one's), else NULL.
 * A unit statement is no amount, so the row is none of the table's.
 */
static const struct fp_fcell *
only_units(const struct grid *g, uint32_t r, const struct fp_fcell *kc)
{
	const struct fp_fsheet *s = g->s;
	const struct fp_fcell *u = NULL;
	size_t i, k;

	for (k = s->rowstart[r]; k < s->rowstart[r + 1]; k++) {
		const struct fp_fcell *c = &s->cells[k];

		if (c == kc || (g->keycol >= 0 && c->col == g->keycol))
			continue;
		for (i = 0; i < g->t->nfields && g->col[i] != c->col &&
		    !(g->choice[i].on && c->col >= g->choice[i].lo &&
		    c->col <= g->choice[i].hi); i++)
			;
		if (i == g->t->nfields)
			continue;
		if (c->unit_kind != FP_UNIT_LINE)
			return NULL;
		u = c;
	}
	return u;
}

/* Takes each field's cell of row r, the row keyed key. */
static void
take_cells(struct grid *g, uint32_t r, const struct fp_fcell *kc,
    const char *key, int tmpl)
{
	struct apply *a = g->a;
	const struct fp_table *t = g->t;
	const struct fp_fsheet *s = g->s;
	uint32_t D = g->hdr.end;
	size_t i;

	for (i = 0; i < t->nfields; i++) {
		const struct fp_field *f = &t->fields[i];
		const struct fp_fcell *cell, *own, *m;

		if (g->choice[i].on) {
			fp_apply_take_choices(a, t, f, key, s, r,
			    g->choice[i].lo, g->choice[i].hi, g->names);
			continue;
		}
		own = g->col[i] >= 0 ? fp_fsheet_at(s, r,
		    (uint32_t)g->col[i]) : NULL;
		/*
		 * A blank cell in a merged range shows the range's: words for
		 * each row it covers, written in the column (a unit merged
		 * down over its evaluators), an amount only where the column
		 * fills (it is one amount, not one a row), as are words from
		 * another column (一、货物类 merged across a row).
		 */
		m = g->merged[i] ? g->merged[i][r - D] : NULL;
		if (!own && m && (f->fill_down || f->fill_left ||
		    (!fp_type_numeric(f->type) &&
		    m->col == (uint32_t)g->col[i])))
			own = m;
		cell = own;
		/* 〃 or 同上 under a value: that value, cited there. */
		if (own && g->last[i] && is_ditto(own)) {
			cell = g->last[i];
			own = NULL;
		}
		/*
		 * 小计 or 合计 in a code column names its row, no code of the
		 * column's: a group's subtotal takes the group filled down to
		 * it, the others nothing.
		 */
		if (own && own == kc && f->type == FP_T_CODE &&
		    !fp_apply_is_code_of(t, f, own) &&
		    fp_apply_is_row_code(t, kc)) {
			if (!tmpl)
				continue;
			cell = own = NULL;
		}
		/*
		 * A list's 合计 or 小计 in its name's column is the row's
		 * code, no name (required asks none of it); so is a keyed
		 * table's 合计 read there as its total's key.
		 */
		if (own && own == kc && f->type != FP_T_CODE &&
		    !fp_type_numeric(f->type) && (t->kind == FP_TABLE_LIST ?
		    fp_apply_is_row_code(t, kc) : !strcmp(key, FP_ROW_TOTAL)))
			continue;
		if (!cell && f->fill_left && g->col[i] > 0)
			cell = fp_fsheet_at(s, r, (uint32_t)g->col[i] - 1);
		/* The total is of no group: nothing fills down to it. */
		if (!cell && f->fill_down && strcmp(key, FP_ROW_TOTAL))
			cell = g->last[i];
		if (own)
			g->last[i] = own;
		if (cell)
			fp_apply_take_cell(a, t, f, key, s, cell, r, g->exp[i]);
	}
	/* The rows under a heading take its code; the total, none. */
	for (i = 0; g->sect && strcmp(key, FP_ROW_TOTAL) && i < t->nfields;
	    i++)
		if (t->fields[i].heading && g->sect[i])
			fp_apply_take_cell(a, t, &t->fields[i], key, s,
			    g->sect[i], r, 0);
}

/*
 * The key of row r, whose key cell is kc (NULL: none), or NULL if the
 * row is passed over; *tmpl set if it is a brace-coded group's subtotal.
 * joined is a key written in parts, taken.
 */
static char *
row_key_of(struct grid *g, uint32_t r, const struct fp_fcell *kc,
    char *joined, int *tmpl)
{
	struct apply *a = g->a;
	const struct fp_table *t = g->t;
	const struct fp_fsheet *s = g->s;
	char *key, num[32];
	size_t i;

	*tmpl = 0;
	if (t->kind == FP_TABLE_KEYED) {
		if (!kc)
			return NULL;
		/*
		 * A template's spare row, its enumerator and no name, 0 in
		 * every amount and nothing else: no unit. With an amount or
		 * a word it is one, named as written, for the total to tell.
		 */
		if (!joined && only_enumerator(t, kc) &&
		    row_all_zero(t, s, r, g->col, kc)) {
			fp_apply_note(a, 0, "%s: row %u is only its enumerator "
			    "'%s' with no amount: a spare row, passed over",
			    t->name, fp_apply_row_no(s, r), kc->text);
			return NULL;
		}
		key = joined ? joined : row_key(t, kc);
		*tmpl = is_template(t, kc, key);
		return *tmpl ? key : key_again(a, t, s, r, &g->seen, key);
	}
	free(joined);
	if (!kc && section_row(t, s, r, g->col, g->merged, g->hdr.end)) {
		fp_apply_note(a, 0, "%s: row %u is a heading across its "
		    "columns: passed over", t->name, fp_apply_row_no(s, r));
		return NULL;
	}
	if (!list_row_has_cells(g, r))
		return NULL;
	/*
	 * A row hidden in a list is not on the form: passed over, its cells
	 * still above the next for fill down.
	 */
	if (fp_fsheet_row_hidden(s, r)) {
		const struct fp_fcell *own;

		if (!g->nleft++)
			g->left1 = r;
		for (i = 0; i < t->nfields; i++)
			if (g->col[i] >= 0 && (own = fp_fsheet_at(s, r,
			    (uint32_t)g->col[i])))
				g->last[i] = own;
		return NULL;
	}
	if (kc) {
		key = row_key(t, kc);
		*tmpl = is_template(t, kc, key);
		return *tmpl ? key : key_again(a, t, s, r, &g->seen, key);
	}
	snprintf(num, sizeof num, "%zu", ++g->n);
	return fp_xstrdup(num);
}

/* Reads row r as the table's, keyed key; frees key. */
static void
grid_row(struct grid *g, uint32_t r, const struct fp_fcell *kc, char *key,
    int tmpl)
{
	struct apply *a = g->a;
	const struct fp_table *t = g->t;
	const struct fp_fsheet *s = g->s;
	uint32_t was_first = g->first, was_last = g->lastrow;
	size_t was_hidden = g->nhidden;
	size_t from = a->rec->n, notes_from = a->out->nnotes;

	if (!g->nrows++)
		g->first = r;
	g->lastrow = r;
	if (fp_fsheet_row_hidden(s, r) && !g->nhidden++)
		g->hidden1 = r;
	take_cells(g, r, kc, key, tmpl);
	/* 小计 under a group: keyed by the group's code. */
	if (tmpl)
		key = group_key(a, t, s, r, &g->seen, key, from, g->lastcode);
	fp_groups_last(t, a->rec, from, g->lastcode);
	/* A category with no indicator under it is no row. */
	if (t->kind == FP_TABLE_LIST && !kc && only_kinds(t, a->rec, from)) {
		/* What its cells said is said of no row. */
		while (a->out->nnotes > notes_from)
			free(a->out->notes[--a->out->nnotes].text);
		fp_apply_note(a, 0, "%s: row %u gives only what kind of row it "
		    "would be: passed over", t->name, fp_apply_row_no(s, r));
		while (a->rec->n > from)
			fp_fact_release(&a->rec->v[--a->rec->n]);
		g->n--;
		g->nrows--;
		g->first = was_first;
		g->lastrow = was_last;
		g->nhidden = was_hidden;
		free(key);
		return;
	}
	if (g->hid)
		fp_hidden_row(g->hid, a->rec, from, !strcmp(key,
		    FP_ROW_TOTAL) ? FP_HROW_TOTAL : tmpl ? FP_HROW_OTHER :
		    fp_fsheet_row_hidden(s, r) ? FP_HROW_HIDDEN :
		    FP_HROW_UNIT);
	if (g->grp)
		fp_groups_row(g->grp, kc, !fp_apply_is_row_code(t, kc) ?
		    FP_GROW_UNIT : !strcmp(key, FP_ROW_TOTAL) || tmpl ?
		    FP_GROW_OTHER : FP_GROW_ITEM, r, from, a->rec->n);
	free(key);
}

/* Reads the rows under the header until the table ends. */
static void
grid_rows(struct grid *g)
{
	struct apply *a = g->a;
	const struct fp_table *t = g->t;
	const struct fp_fsheet *s = g->s;
	const struct fp_fcell *kc, *part1, *u;
	char *joined, *key;
	uint32_t r;
	int tmpl;

	for (r = grid_start(g); r < s->nrows; r++) {
		if (fp_apply_row_is_blank(s, r)) {
			if (t->kind == FP_TABLE_LIST)
				continue;
			if (blank_goes_on(g, &r))
				continue;
			break;
		}
		/* A row the mapping omits (小计 between categories), not a stop. */
		if (row_matches(&t->omit, s, r) && !row_matches(&t->stop, s, r))
			continue;
		/*
		 * The header again, on the next printed page, and the titles
		 * over it (a known label of the form's, a row above again):
		 * passed over.
		 */
		if (g->nrows && (fp_header_repeated(t, &g->hdr, r, g->col) ||
		    (r == g->repeated + 1 &&
		    fp_header_numbering_row(t, s, r)) ||
		    ((known_in(a->m, s, r, 0, UINT32_MAX) ||
		    fp_apply_row_starts_with_pair(a->m, s, r)) &&
		    repeats_above(s, r, g->hdr.top)))) {
			if (!g->nrepeats++)
				g->repeat1 = r;
			g->repeated = r;
			continue;
		}
		kc = t->kind == FP_TABLE_KEYED ? key_cell(t, s, r, g->keycol,
		    g->mkey, g->hdr.end, g->col, g->half_lo, g->half_hi) :
		    list_code(t, s, r);
		/* 208 | 05 | 05 under 类 | 款 | 项: the key 2080505. */
		joined = NULL;
		if (g->kp.hi > g->kp.lo && (joined = fp_keyparts_key(&g->kp,
		    s, r, &part1)))
			kc = part1;
		/* A heading over rows: a row of the table if coded. */
		if (g->sect && heading_row(t, s, r, g->sect) &&
		    !(kc && fp_apply_is_row_code(t, kc))) {
			free(joined);
			continue;
		}
		/*
		 * A known label ends the table, as does a footer (填表人：王芳),
		 * but not on one of its own rows, nor one in the other half
		 * of a two-sided table. The first row may be one of its own
		 * too (an indicator named 预算执行率 first in the list): with
		 * no row above it, nothing runs into it from one.
		 */
		if (!(kc && fp_apply_is_row_code(t, kc)) &&
		    ((known_in(a->m, s, r, g->half_lo, g->half_hi) &&
		    !row_goes_on(a->m, t, s, r, g->col, g->merged, g->hdr.end,
		    g->nrows ? g->first : r)) ||
		    fp_apply_row_starts_with_pair(a->m, s, r))) {
			free(joined);
			g->end = r;
			break;
		}
		if ((u = only_units(g, r, kc)) != NULL) {
			fp_apply_note(a, 0, "%s: row %u holds no amount but "
			    "'%s', a unit statement: passed over", t->name,
			    fp_apply_row_no(s, r), u->text);
			free(joined);
			continue;
		}
		if ((key = row_key_of(g, r, kc, joined, &tmpl)) != NULL)
			grid_row(g, r, kc, key, tmpl);
	}
}

/* Says how the table was read (with --explain) and what became of it. */
static void
grid_say(struct grid *g)
{
	struct apply *a = g->a;
	const struct fp_table *t = g->t;
	const struct fp_fsheet *s = g->s;
	struct fp_groups_said said;
	size_t i;
	char num[32], where[64];
	int dropped;

	if (g->nrepeats)
		fp_apply_note(a, 0, "%s: its header again at row %u%s, passed "
		    "over", t->name, fp_apply_row_no(s, g->repeat1),
		    g->nrepeats > 1 ? " and below" : "");
	/* What a person sees of the table leaves them out: say so. */
	dropped = g->hid && fp_hidden_drop(g->hid, a->rec,
	    a->m->tolerance + 1e-9);
	/* A subtotal of units is none (after no other drop). */
	if (g->grp && !dropped && fp_groups_drop(g->grp, a->rec,
	    a->m->tolerance + 1e-9, &said)) {
		if (said.groups)
			fp_apply_note(a, 0, "%s: row %u%s adds up the rows "
			    "under it: their subtotal, not a unit", t->name,
			    fp_apply_row_no(s, said.group1), said.groups > 1 ?
			    " and others" : "");
		if (said.subs)
			fp_apply_note(a, 0, "%s: row %u%s adds up the rows "
			    "above it: their subtotal, not a unit", t->name,
			    fp_apply_row_no(s, said.sub1), said.subs > 1 ?
			    " and others" : "");
		if (said.parts)
			fp_apply_note(a, 0, "%s: the rows under row %u%s add "
			    "up to it: its breakdown, no rows of their own",
			    t->name, fp_apply_row_no(s, said.part1),
			    said.parts > 1 ? " and others" : "");
	}
	if (g->nhidden)
		say_hidden(a, t, s, g->nhidden, g->hidden1, dropped ?
		    "left out, as the total row is the sum of the rows shown" :
		    g->nhidden == 1 ?
		    "read as one of the table's rows (hidden is not deleted)" :
		    "read as the table's rows (hidden is not deleted)");
	if (g->nleft)
		say_hidden(a, t, s, g->nleft, g->left1, g->nleft == 1 ?
		    "passed over, as not on the form (unhide it to count it)" :
		    "passed over, as not on the form (unhide them to count "
		    "them)");
	if (g->nrows && t->required)
		a->grids++;
	snprintf(where, sizeof where, "%s", fp_apply_ref(a, s, g->anchor));
	if (g->nrows && a->o->explain && s->transposed) {
		char c1[8], c2[8], key[32] = "";

		/* Its rows are the sheet's columns, its columns the rows. */
		fp_colname(g->first, c1);
		fp_colname(g->lastrow, c2);
		if (g->keycol >= 0)
			snprintf(key, sizeof key, ", key row %u",
			    s->row_base + (uint32_t)g->keycol + 1);
		fp_apply_note(a, 0, "%s: header '%s' at %s, read across%s, "
		    "%zu rows (columns %s-%s)", t->name, g->anchor->label,
		    where, key, g->nrows, c1, c2);
	} else if (g->nrows && a->o->explain) {
		const struct fp_fcell *kn;

		fp_apply_note(a, 0,
		    "%s: header '%s' at %s, header rows %u-%u%s%s, "
		    "%zu rows (%u-%u)", t->name, g->anchor->label, where,
		    fp_apply_row_no(s, g->hdr.top),
		    fp_apply_row_no(s, g->hdr.end - 1),
		    g->keycol >= 0 ? ", key column " : "", g->keycol >= 0 ?
		    (fp_colname((uint32_t)g->keycol, num), num) : "", g->nrows,
		    fp_apply_row_no(s, g->first),
		    fp_apply_row_no(s, g->lastrow));
		kn = g->end != UINT32_MAX ?
		    fp_apply_known_in_row(a->m, s, g->end) : NULL;
		if (kn)
			fp_apply_note(a, 0, "%s: ends at row %u, where '%s' is "
			    "a label the mapping knows", t->name,
			    fp_apply_row_no(s, g->end), kn->text);
	} else if (!g->nrows) {
		fp_apply_note(a, t->required, "%s%s: header '%s' at %s, header "
		    "rows %u-%u, but no rows under it", t->name, t->required ?
		    " (required)" : "", g->anchor->label, where,
		    fp_apply_row_no(s, g->hdr.top),
		    fp_apply_row_no(s, g->hdr.end - 1));
	}
	for (i = 0; i < t->nfields; i++) {
		const struct fp_field *f = &t->fields[i];
		const struct choice *ch = &g->choice[i];

		if (f->heading)
			continue;
		if (ch->on && a->o->explain) {
			char c1[8], c2[8];

			fp_colname(ch->lo, c1);
			fp_colname(ch->hi, c2);
			fp_apply_note(a, 0, "%s.%s: its choices in columns "
			    "%s-%s, a tick in one", t->name, f->name, c1, c2);
		} else if (ch->on) {
			continue;
		} else if (g->col[i] < 0) {
			fp_apply_note(a, f->required,
			    "%s.%s%s: no column headed %s", t->name, f->name,
			    f->required ? " (required)" : "",
			    fp_apply_labels_text(&a->val, &f->labels));
		} else if (a->o->explain) {
			if (s->transposed)
				snprintf(num, sizeof num, "%u", s->row_base +
				    (uint32_t)g->col[i] + 1);
			else
				fp_colname((uint32_t)g->col[i], num);
			if (g->passed[i] >= 0 && !s->transposed) {
				char by[8];

				fp_colname((uint32_t)g->passed[i], by);
				fp_apply_note(a, 0, "%s.%s: column %s, under "
				    "this year's group, not %s, named alike "
				    "under another year's", t->name, f->name,
				    num, by);
			} else
				fp_apply_note(a, 0, "%s.%s: %s %s", t->name,
				    f->name, s->transposed ? "row" : "column",
				    num);
		}
	}
}

static void
grid_release(struct grid *g)
{
	size_t i;

	for (i = 0; g->merged && i < g->t->nfields; i++)
		free(g->merged[i]);
	for (i = 0; g->lastcode && i < g->t->nfields; i++)
		free(g->lastcode[i]);
	fp_keyparts_release(&g->kp);
	free(g->choice);
	free(g->names);
	fp_form_free(g->across);
	free(g->sect);
	seen_free(&g->seen);
	fp_hidden_free(g->hid);
	fp_groups_free(g->grp);
	free(g->lastcode);
	free(g->mkey);
	free(g->merged);
	fp_header_release(&g->hdr);
	free(g->col);
	free(g->passed);
	free(g->exp);
	free(g->last);
}

void
fp_apply_grid(struct apply *a, const struct fp_table *t)
{
	struct grid g;

	memset(&g, 0, sizeof g);
	g.a = a;
	g.t = t;
	g.keycol = -1;
	g.half_hi = UINT32_MAX;
	g.end = UINT32_MAX;
	g.repeated = UINT32_MAX - 1;
	if (!grid_find(&g))
		return;
	if (grid_columns(&g) == 0) {
		grid_rows(&g);
		grid_say(&g);
	}
	grid_release(&g);
}
