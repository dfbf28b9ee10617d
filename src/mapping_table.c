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
 * range over the column. Each row is given once however the ranges
 * overlap, so the work is the ranges plus the rows.
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

		if (col < g->c1 || col > g->c2 || g->r2 < from || lo >= n ||
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

void
fp_apply_grid(struct apply *a, const struct fp_table *t)
{
	const struct fp_fsheet *s = NULL;
	const struct fp_fcell *anchor = NULL, *kc;
	size_t o = 0, si;
	const struct fp_fcell **last = NULL, ***merged = NULL, **mkey = NULL;
	struct fp_header hdr = { NULL, 0, 0, NULL, 0 };
	int64_t *col = NULL, keycol = -1;
	int *exp = NULL;
	uint32_t R, D, r, first = 0, lastrow = 0, hidden1 = 0;
	uint32_t end = UINT32_MAX, repeat1 = 0, left1 = 0, was_first, was_last;
	uint32_t repeated = UINT32_MAX - 1, group1 = 0, half_lo = 0;
	uint32_t half_hi = UINT32_MAX;
	size_t nrepeats = 0, nleft = 0, from;
	struct fp_hidden *hid = NULL;
	struct fp_groups *grp = NULL;
	char **lastcode = NULL;
	struct seen seen = { NULL, NULL, 0, 0 };
	const struct fp_fcell **sect = NULL;
	struct fp_form *across = NULL;
	struct { uint32_t lo, hi; int on; } *choice = NULL;
	const struct fp_fcell **names = NULL, *part1;
	struct fp_keyparts kp = { 0, 0, NULL, NULL };
	char *joined = NULL;
	int dropped, numbered = 0;
	size_t i, nrows = 0, n = 0, nhidden = 0, was_hidden, notes_from;
	size_t ngroups = 0;
	char num[32];

	while (!anchor && fp_apply_next_sheet(a, t->any_sheet, &o, &si)) {
		s = &a->form->sheets[si];
		/* sheet containing, sheet named: on that sheet alone. */
		if ((t->on_sheet.n && !fp_apply_find_first(s, &t->on_sheet)) ||
		    (t->sheet_name && strcmp(s->name, t->sheet_name)))
			continue;
		anchor = fp_apply_find_first(s, &t->header);
		if (t->on_sheet.n || t->sheet_name)
			break;
	}
	if (!anchor) {
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
		return;
	}
	if (si != a->sheet && s->hidden)
		fp_apply_note(a, 1,
		    "%s: read on sheet '%s', which the workbook hides",
		    t->name, s->name);
	if (fp_apply_written_across(t, s, anchor, &first, &lastrow)) {
		fp_apply_note(a, 0, "%s: its columns' names stand down from %s: "
		    "read across", t->name, fp_apply_ref(a, s, anchor));
		across = fp_form_transpose(a->form, si, first, lastrow);
		s = &across->sheets[0];
		anchor = fp_fsheet_at(s, anchor->col, anchor->row - first);
	}
	first = lastrow = 0;
	fp_header_read(t, s, anchor, &hdr);
	R = hdr.top;
	D = hdr.end;
	if (t->kind == FP_TABLE_KEYED) {
		keycol = fp_header_key_column(a->m, t, &hdr, anchor->col, &kp);
		if (keycol < 0) {
			fp_apply_note(a, 1,
			    "%s: header at %s, but no key column (%s%s%s"
			    "holding its rows' codes)", t->name,
			    fp_apply_ref(a, s, anchor), t->key.n ? "headed " :
			    "none ", t->key.n ? fp_apply_labels_text(&a->val,
			    &t->key) : "", t->key.n ? ", or " : "");
			goto out;
		}
		/* A column that names the key's header may take it too. */
		mkey = merged_column(s, keycol, D);
		fp_header_half(&hdr, keycol, &half_lo, &half_hi);
	}
	col = fp_xcalloc(t->nfields, sizeof *col);
	lastcode = fp_xcalloc(t->nfields + 1, sizeof *lastcode);
	choice = fp_xcalloc(t->nfields, sizeof *choice);
	names = fp_xcalloc(hdr.ncols + 1, sizeof *names);
	exp = fp_xcalloc(t->nfields, sizeof *exp);
	last = fp_xcalloc(t->nfields, sizeof *last);
	merged = fp_xcalloc(t->nfields, sizeof *merged);
	for (i = 0; i < t->nfields; i++) {
		const struct fp_field *f = &t->fields[i];
		const struct fp_fcell *u;

		col[i] = fp_header_field_column(t, &hdr, f, keycol >= 0 &&
		    (uint32_t)keycol < hdr.ncols ? (uint32_t)keycol : 0);
		/* Its choices a column each, a √ in one. */
		if (col[i] < 0 && fp_header_choices(t, f, &hdr, &choice[i].lo,
		    &choice[i].hi)) {
			choice[i].on = 1;
			for (r = choice[i].lo; r <= choice[i].hi; r++)
				names[r] = hdr.cols[r].name;
		}
		if (col[i] >= 0)
			merged[i] = merged_column(s, col[i], D);
		if (col[i] < 0 || f->type != FP_T_MONEY ||
		    !(u = fp_header_unit(a->m, t, &hdr, col[i])) ||
		    !u->unit_exp)
			continue;
		exp[i] = u->unit_exp;
		fp_apply_unit_note(a, t, f, s, u);
	}
	if (t->kind == FP_TABLE_KEYED) {
		hid = fp_hidden_new(t);
		grp = fp_groups_new(t);
	}
	for (i = 0; i < t->nfields; i++)
		if (t->fields[i].heading && !sect)
			sect = fp_xcalloc(t->nfields, sizeof *sect);
	/*
	 * Blank rows between the header and the first row are no end, nor
	 * is a row the mapping omits, nor one row numbering the columns
	 * (栏次 | 1 | 2, 1 | 2 | 3) set apart by a blank one.
	 */
	for (r = D; r < s->nrows && (fp_apply_row_is_blank(s, r) ||
	    (row_matches(&t->omit, s, r) && !row_matches(&t->stop, s, r)) ||
	    (!numbered && (numbered = fp_header_numbering_row(t, s, r)))); r++)
		;
	for (; r < s->nrows; r++) {
		const struct fp_fcell *cell, *own;
		char *key = NULL;
		int any = 0, tmpl = 0;

		free(joined);
		joined = NULL;
		if (fp_apply_row_is_blank(s, r)) {
			uint32_t r2 = r + 1;
			int known;

			if (t->kind == FP_TABLE_LIST)
				continue;
			/*
			 * A blank row ends the table, unless a row of it
			 * follows: one of its coded rows (合计 in its key
			 * column or on a row of amounts, though a column's
			 * label too: not in the next table's header), or, where no
			 * label the mapping knows is there, a unit row (its
			 * key with the enumerator) or a key, not a label with
			 * its value after a colon, on a row of amounts
			 * (row_has_amounts).
			 */
			while (r2 < s->nrows && fp_apply_row_is_blank(s, r2))
				r2++;
			kc = r2 < s->nrows ?
			    key_cell(t, s, r2, keycol, mkey, D, col, half_lo,
			    half_hi) : NULL;
			known = known_in(a->m, s, r2, half_lo, half_hi);
			if (kc && ((fp_apply_is_row_code(t, kc) &&
			    (kc->col == keycol || !known ||
			    row_has_amounts(t, s, r2, col))) || (!known &&
			    (enumerated(t, kc) || ((!kc->after || kc->spaced) &&
			    row_has_amounts(t, s, r2, col)))))) {
				r = r2 - 1;
				continue;
			}
			break;
		}
		/* A row the mapping omits (小计 between categories), not a stop. */
		if (row_matches(&t->omit, s, r) && !row_matches(&t->stop, s, r))
			continue;
		/* The header again, on the next printed page: passed over. */
		if (nrows && (fp_header_repeated(t, &hdr, r, col) ||
		    (r == repeated + 1 && fp_header_numbering_row(t, s, r)))) {
			if (!nrepeats++)
				repeat1 = r;
			repeated = r;
			continue;
		}
		kc = t->kind == FP_TABLE_KEYED ?
		    key_cell(t, s, r, keycol, mkey, D, col, half_lo, half_hi) :
		    list_code(t, s, r);
		/* 208 | 05 | 05 under 类 | 款 | 项: the key 2080505. */
		if (kp.hi > kp.lo && (joined = fp_keyparts_key(&kp, s, r,
		    &part1)))
			kc = part1;
		/* A heading over rows: a row of the table if coded. */
		if (sect && heading_row(t, s, r, sect) &&
		    !(kc && fp_apply_is_row_code(t, kc)))
			continue;
		/*
		 * A known label ends the table, as does a footer (填表人：王芳),
		 * but not on one of its own rows, nor one in the other half
		 * of a two-sided table.
		 */
		if (!(kc && fp_apply_is_row_code(t, kc)) &&
		    ((known_in(a->m, s, r, half_lo, half_hi) &&
		    !(nrows && row_goes_on(a->m, t, s, r, col, merged, D,
		    first))) || fp_apply_row_starts_with_pair(a->m, s, r))) {
			end = r;
			break;
		}
		if (t->kind == FP_TABLE_KEYED) {
			if (!kc)
				continue;
			key = joined ? joined : row_key(t, kc);
			tmpl = is_template(t, kc, key);
			if (!tmpl)
				key = key_again(a, t, s, r, &seen, key);
			joined = NULL;
		} else {
			if (!kc && section_row(t, s, r, col, merged, D)) {
				fp_apply_note(a, 0, "%s: row %u is a heading "
				    "across its columns: passed over", t->name,
				    fp_apply_row_no(s, r));
				continue;
			}
			for (i = 0; i < t->nfields && !any; i++)
				any = (col[i] >= 0 && fp_fsheet_at(s, r,
				    (uint32_t)col[i])) || (choice[i].on &&
				    fp_apply_choice_ticked(s, r, choice[i].lo,
				    choice[i].hi));
			if (!any)
				continue;
			/*
			 * A row hidden in a list is not on the form: passed
			 * over, its cells still above the next for fill down.
			 */
			if (fp_fsheet_row_hidden(s, r)) {
				if (!nleft++)
					left1 = r;
				for (i = 0; i < t->nfields; i++)
					if (col[i] >= 0 &&
					    (own = fp_fsheet_at(s,
					    r, (uint32_t)col[i])))
						last[i] = own;
				continue;
			}
			if (kc) {
				key = row_key(t, kc);
				tmpl = is_template(t, kc, key);
				if (!tmpl)
					key = key_again(a, t, s, r, &seen,
					    key);
			} else {
				snprintf(num, sizeof num, "%zu", ++n);
				key = fp_xstrdup(num);
			}
		}
		was_first = first;
		if (!nrows++)
			first = r;
		was_last = lastrow;
		lastrow = r;
		was_hidden = nhidden;
		if (fp_fsheet_row_hidden(s, r) && !nhidden++)
			hidden1 = r;
		from = a->rec->n;
		notes_from = a->out->nnotes;
		for (i = 0; i < t->nfields; i++) {
			const struct fp_field *f = &t->fields[i];

			if (choice[i].on) {
				fp_apply_take_choices(a, t, f, key, s, r,
				    choice[i].lo, choice[i].hi, names);
				continue;
			}
			own = col[i] >= 0 ? fp_fsheet_at(s, r,
			    (uint32_t)col[i]) :
			    NULL;
			/*
			 * A blank cell in a merged range shows the range's:
			 * words for each row it covers, written in the
			 * column (a unit merged down over its evaluators),
			 * an amount only where the column fills (it is one
			 * amount, not one a row), as are words from another
			 * column (一、货物类 merged across a row).
			 */
			if (!own && merged[i] && merged[i][r - D] &&
			    (f->fill_down || f->fill_left ||
			    (!fp_type_numeric(f->type) &&
			    merged[i][r - D]->col == (uint32_t)col[i])))
				own = merged[i][r - D];
			cell = own;
			/* 〃 or 同上 under a value: that value, cited there. */
			if (own && last[i] && is_ditto(own)) {
				cell = last[i];
				own = NULL;
			}
			/*
			 * 小计 or 合计 in a code column names its row, no code
			 * of the column's: a group's subtotal takes the group
			 * filled down to it, the others nothing.
			 */
			if (own && own == kc && f->type == FP_T_CODE &&
			    !fp_apply_is_code_of(t, f, own) &&
			    fp_apply_is_row_code(t, kc)) {
				if (!tmpl)
					continue;
				cell = own = NULL;
			}
			/*
			 * A list's 合计 or 小计 in its name's column is the
			 * row's code, no name (required asks none of it).
			 */
			if (own && own == kc && t->kind == FP_TABLE_LIST &&
			    f->type != FP_T_CODE && !fp_type_numeric(f->type) &&
			    fp_apply_is_row_code(t, kc))
				continue;
			if (!cell && f->fill_left && col[i] > 0)
				cell = fp_fsheet_at(s, r, (uint32_t)col[i] - 1);
			/* The total is of no group: nothing fills down to it. */
			if (!cell && f->fill_down && strcmp(key, FP_ROW_TOTAL))
				cell = last[i];
			if (own)
				last[i] = own;
			if (cell)
				fp_apply_take_cell(a, t, f, key, s, cell, r,
				    exp[i]);
		}
		/* The rows under a heading take its code; the total, none. */
		for (i = 0; sect && strcmp(key, FP_ROW_TOTAL) &&
		    i < t->nfields; i++)
			if (t->fields[i].heading && sect[i])
				fp_apply_take_cell(a, t, &t->fields[i], key, s,
				    sect[i],
				    r, 0);
		/* 小计 under a group: keyed by the group's code. */
		if (tmpl)
			key = group_key(a, t, s, r, &seen, key, from, lastcode);
		fp_groups_last(t, a->rec, from, lastcode);
		/* A category with no indicator under it is no row. */
		if (t->kind == FP_TABLE_LIST && !kc &&
		    only_kinds(t, a->rec, from)) {
			/* What its cells said is said of no row. */
			while (a->out->nnotes > notes_from)
				free(a->out->notes[--a->out->nnotes].text);
			fp_apply_note(a, 0, "%s: row %u gives only what kind of "
			    "row it would be: passed over", t->name,
			    fp_apply_row_no(s, r));
			while (a->rec->n > from)
				fp_fact_release(&a->rec->v[--a->rec->n]);
			n--;
			nrows--;
			first = was_first;
			lastrow = was_last;
			nhidden = was_hidden;
			free(key);
			continue;
		}
		if (hid)
			fp_hidden_row(hid, a->rec, from, !strcmp(key,
			    FP_ROW_TOTAL) ? FP_HROW_TOTAL : fp_apply_is_row_code(t, kc) ?
			    FP_HROW_OTHER : fp_fsheet_row_hidden(s, r) ?
			    FP_HROW_HIDDEN : FP_HROW_UNIT);
		if (grp)
			fp_groups_row(grp, kc, fp_apply_is_row_code(t, kc), r,
			    from, a->rec->n);
		free(key);
	}
	if (nrepeats)
		fp_apply_note(a, 0,
		    "%s: its header again at row %u%s, passed over",
		    t->name, fp_apply_row_no(s, repeat1), nrepeats > 1 ?
		    " and below" :
		    "");
	/* What a person sees of the table leaves them out: say so. */
	dropped = hid && fp_hidden_drop(hid, a->rec, a->m->tolerance + 1e-9);
	/* A subtotal of the units under it is none (after no other drop). */
	if (grp && !dropped && (ngroups = fp_groups_drop(grp, a->rec,
	    a->m->tolerance + 1e-9, &group1)))
		fp_apply_note(a, 0, "%s: row %u%s adds up the rows under it: "
		    "their subtotal, not a unit", t->name,
		    fp_apply_row_no(s, group1), ngroups > 1 ? " and others" :
		    "");
	if (nhidden)
		say_hidden(a, t, s, nhidden, hidden1, dropped ? "left out, as "
		    "the total row is the sum of the rows shown" :
		    nhidden == 1 ?
		    "read as one of the table's rows (hidden is not deleted)" :
		    "read as the table's rows (hidden is not deleted)");
	if (nleft)
		say_hidden(a, t, s, nleft, left1, nleft == 1 ? "passed over, "
		    "as not on the form (unhide it to count it)" : "passed "
		    "over, as not on the form (unhide them to count them)");
	if (nrows && t->required)
		a->grids++;
	if (nrows && a->o->explain && s->transposed) {
		char where[64], c1[8], c2[8], key[32] = "";

		/* Its rows are the sheet's columns, its columns the rows. */
		snprintf(where, sizeof where, "%s", fp_apply_ref(a, s, anchor));
		fp_colname(first, c1);
		fp_colname(lastrow, c2);
		if (keycol >= 0)
			snprintf(key, sizeof key, ", key row %u",
			    s->row_base + (uint32_t)keycol + 1);
		fp_apply_note(a, 0, "%s: header '%s' at %s, read across%s, "
		    "%zu rows (columns %s-%s)", t->name, anchor->label, where,
		    key, nrows, c1, c2);
	} else if (nrows && a->o->explain) {
		char where[64];

		snprintf(where, sizeof where, "%s", fp_apply_ref(a, s, anchor));
		fp_apply_note(a, 0,
		    "%s: header '%s' at %s, header rows %u-%u%s%s, "
		    "%zu rows (%u-%u)", t->name, anchor->label, where,
		    fp_apply_row_no(s, R), fp_apply_row_no(s, D - 1),
		    keycol >= 0 ?
		    ", key column " : "", keycol >= 0 ?
		    (fp_colname((uint32_t)keycol, num), num) : "", nrows,
		    fp_apply_row_no(s, first), fp_apply_row_no(s, lastrow));
		const struct fp_fcell *kn = end != UINT32_MAX ?
		    fp_apply_known_in_row(a->m, s, end) : NULL;

		if (kn)
			fp_apply_note(a, 0,
			    "%s: ends at row %u, where '%s' is a label "
			    "the mapping knows", t->name, fp_apply_row_no(s,
			    end),
			    kn->text);
	} else if (!nrows) {
		char where[64];

		snprintf(where, sizeof where, "%s", fp_apply_ref(a, s, anchor));
		fp_apply_note(a, t->required,
		    "%s%s: header '%s' at %s, header rows "
		    "%u-%u, but no rows under it", t->name, t->required ?
		    " (required)" : "", anchor->label, where, fp_apply_row_no(s,
		    R),
		    fp_apply_row_no(s, D - 1));
	}
	for (i = 0; i < t->nfields; i++) {
		const struct fp_field *f = &t->fields[i];

		if (f->heading)
			continue;
		if (choice[i].on && a->o->explain) {
			char c1[8], c2[8];

			fp_colname(choice[i].lo, c1);
			fp_colname(choice[i].hi, c2);
			fp_apply_note(a, 0, "%s.%s: its choices in columns "
			    "%s-%s, a tick in one", t->name, f->name, c1, c2);
		} else if (choice[i].on) {
			continue;
		} else if (col[i] < 0)
			fp_apply_note(a, f->required,
			    "%s.%s%s: no column headed %s",
			    t->name, f->name, f->required ? " (required)" : "",
			    fp_apply_labels_text(&a->val, &f->labels));
		else if (a->o->explain) {
			if (s->transposed)
				snprintf(num, sizeof num, "%u", s->row_base +
				    (uint32_t)col[i] + 1);
			else
				fp_colname((uint32_t)col[i], num);
			fp_apply_note(a, 0, "%s.%s: %s %s", t->name, f->name,
			    s->transposed ? "row" : "column", num);
		}
	}
	for (i = 0; merged && i < t->nfields; i++)
		free(merged[i]);
out:
	free(joined);
	fp_keyparts_release(&kp);
	free(choice);
	free(names);
	fp_form_free(across);
	free(sect);
	seen_free(&seen);
	fp_hidden_free(hid);
	fp_groups_free(grp);
	for (i = 0; lastcode && i < t->nfields; i++)
		free(lastcode[i]);
	free(lastcode);
	free(mkey);
	free(merged);
	fp_header_release(&hdr);
	free(col);
	free(exp);
	free(last);
}

