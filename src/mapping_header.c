/*
 * A keyed or list table's header (mapping_apply_int.h): the rows it runs
 * down over from its label (a header over several rows, a row of groups,
 * of units, of column numbers, the names again in English or going on);
 * each column named by the lowest label over it; the column of each field
 * (by its header, N columns from one, or under a group), of its choices,
 * of the table's key; and the unit its amounts are stated in.
 */
#include "mapping_apply_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "normalize.h"

/* How many rows a table's header may take. */
#define MAX_HEADER_ROWS 5

int
fp_apply_names_column(const struct fp_table *t, const struct fp_fcell *c,
    const struct fp_labels *ls)
{
	if (fp_apply_cell_matches(ls, c))
		return 1;
	if (c->prefix && c->after && (fp_labels_match(&t->skip, c->prefix))) {
		struct fp_buf b = FP_BUF_INIT;
		int yes;

		fp_norm_label(&b, c->after, strlen(c->after));
		yes = b.s && fp_labels_match(ls, b.s);
		fp_buf_release(&b);
		return yes;
	}
	return 0;
}

/* 1 if a cell of row r names one of the table's columns, its key or a skip word. */
static int
row_is_header(const struct fp_table *t, const struct fp_fsheet *s, uint32_t r)
{
	size_t k, i;

	for (k = s->rowstart[r]; k < s->rowstart[r + 1]; k++) {
		const struct fp_fcell *c = &s->cells[k];

		if (!c->label)
			continue;
		if (fp_apply_cell_matches(&t->skip, c) ||
		    fp_apply_cell_matches(&t->key, c))
			return 1;
		for (i = 0; i < t->nfields; i++)
			if (fp_apply_names_column(t, c, &t->fields[i].labels))
				return 1;
	}
	return 0;
}

/*
 * 1 if a cell of row r is a group of one of the table's columns (中期指标
 * over 三级指标 | 指标值): the header's row over the columns' names.
 */
static int
row_of_groups(const struct fp_table *t, const struct fp_fsheet *s,
    uint32_t r)
{
	size_t k, i;

	for (k = s->rowstart[r]; k < s->rowstart[r + 1]; k++)
		for (i = 0; s->cells[k].label && i < t->nfields; i++)
			if (t->fields[i].group.n &&
			    fp_apply_cell_matches(&t->fields[i].group,
			    &s->cells[k]))
				return 1;
	return 0;
}

/* 1 if a cell holds a number, typed as one or as text (1,205.40). */
static int
holds_number(const struct fp_fcell *c)
{
	double x;

	return c->type == FP_CELL_NUMBER || (c->type == FP_CELL_TEXT &&
	    fp_parse_number(c->text, c->len, &x));
}

/*
 * 1 if row r holds two numbers or more: a row of the table (合计 first
 * under the header, 合计 also a column's name), never its header.
 */
static int
row_of_numbers(const struct fp_fsheet *s, uint32_t r)
{
	size_t k, n = 0;

	for (k = s->rowstart[r]; k < s->rowstart[r + 1] && n < 2; k++)
		n += holds_number(&s->cells[k]);
	return n >= 2;
}

/* 1 if a range merged from row r runs down into the row under it. */
static int
merged_down_into(const struct fp_fsheet *s, uint32_t r)
{
	size_t m;

	for (m = 0; m < s->nmerges; m++)
		if (s->merges[m].r1 == r && s->merges[m].r2 > r)
			return 1;
	return 0;
}

/* 1 if row r holds words and nothing else: no number, not blank. */
static int
row_of_words(const struct fp_fsheet *s, uint32_t r)
{
	size_t k;
	double x;

	if (fp_apply_row_is_blank(s, r))
		return 0;
	for (k = s->rowstart[r]; k < s->rowstart[r + 1]; k++) {
		const struct fp_fcell *c = &s->cells[k];

		if (c->type != FP_CELL_TEXT || !c->label ||
		    fp_parse_number(c->text, c->len, &x))
			return 0;
	}
	return 1;
}

/*
 * 1 if a cell is a note in brackets alone (（万元）, （%）) or a money
 * unit alone (元, 千元), as a units row under a header has them.
 */
static int
is_note(const struct fp_fcell *c)
{
	return c->type == FP_CELL_TEXT && c->label && ((c->label[0] == '(' &&
	    c->label[strlen(c->label) - 1] == ')') ||
	    c->unit_kind == FP_UNIT_WORD);
}

/*
 * 1 if row r holds notes and nothing else: the units row under a header
 * (（万元） | （%）, or 元 | 元).
 */
static int
row_of_notes(const struct fp_fsheet *s, uint32_t r)
{
	size_t k;

	if (fp_apply_row_is_blank(s, r))
		return 0;
	for (k = s->rowstart[r]; k < s->rowstart[r + 1]; k++)
		if (!is_note(&s->cells[k]))
			return 0;
	return 1;
}

/* 1 if s is one character. */
static int
one_char(const char *s)
{
	size_t n = strlen(s);
	uint32_t cp;

	return n && fp_utf8_decode(s, n, &cp) == n;
}

/* 1 if s is two characters or fewer: a word like 栏次, 行次, not a name. */
static int
short_word(const char *s)
{
	size_t n = strlen(s), k;
	uint32_t cp;

	k = n ? fp_utf8_decode(s, n, &cp) : 0;
	return k && (k == n || fp_utf8_decode(s + k, n - k, &cp) == n - k);
}

/*
 * 1 if c numbers its column with how the column adds up (1=2+5, 2=3+4),
 * *x its number.
 */
static int
numbered_sum(const struct fp_fcell *c, double *x)
{
	const char *p = c->label;
	long v = 0;

	if (c->type != FP_CELL_TEXT || !p || *p < '1' || *p > '9')
		return 0;
	for (; *p >= '0' && *p <= '9' && v < 1000; p++)
		v = v * 10 + (*p - '0');
	if (*p++ != '=' || !*p)
		return 0;
	for (; *p; p++)
		if (!strchr("0123456789+-*/=()", *p))
			return 0;
	*x = (double)v;
	return 1;
}

/*
 * 1 if the next row after r that is not blank goes on counting in column
 * col with 2 (1 | 2 | 3 over 2 | 4 | 6 is a 序号 column's first row), or
 * there is none (1 | 2 | 3 alone is a list's one row).
 */
static int
counts_on(const struct fp_fsheet *s, uint32_t r, uint32_t col)
{
	const struct fp_fcell *c;
	double x;

	while (++r < s->nrows && fp_apply_row_is_blank(s, r))
		;
	if (r >= s->nrows)
		return 1;
	if (!(c = fp_fsheet_at(s, r, col)))
		return 0;
	if (c->type == FP_CELL_NUMBER)
		return c->num == 2;
	return c->type == FP_CELL_TEXT && fp_parse_number(c->text, c->len,
	    &x) && x == 2;
}

/*
 * 1 if row r numbers the columns (栏次 | 甲 | 乙 | 1 | 2 | 3, or 栏次 | 1 |
 * 栏次 | 2 over two halves): whole numbers from 1, two or more, each one
 * more than the one before, after a word of two characters at most in
 * its first cell (栏次, 行次; 局机关 | 1 | 2 | 3 is a unit's row) (a number
 * may say how its column adds up: 1=2+5 | 2=3+4 | 3); besides them
 * only that word again and words of one character (甲, 乙). Without the
 * word, three numbers or more and nothing else (1 | 2 | 3 | 4), where the
 * row under it does not count on (2 | 4 | 6: a 序号's first row). Such a
 * row names no column.
 */
int
fp_header_numbering_row(const struct fp_table *t, const struct fp_fsheet *s,
    uint32_t r)
{
	const struct fp_fcell *first;
	size_t k, n = 0;
	int word = 1;
	double x;

	if (fp_apply_row_is_blank(s, r))
		return 0;
	first = &s->cells[s->rowstart[r]];
	if (first->type != FP_CELL_TEXT || !first->label ||
	    fp_parse_number(first->text, first->len, &x)) {
		word = 0;
		k = s->rowstart[r];
	} else if (!short_word(first->label) ||
	    (t && fp_apply_is_row_code(t, first))) {
		return 0;	/* 局机关 | 1 | 2 | 3, 合计 | 1 | 2: a row */
	} else {
		k = s->rowstart[r] + 1;
	}
	for (; k < s->rowstart[r + 1]; k++) {
		const struct fp_fcell *c = &s->cells[k];

		if (c->type == FP_CELL_NUMBER || numbered_sum(c, &x) ||
		    (c->type == FP_CELL_TEXT && fp_parse_number(c->text, c->len,
		    &x))) {
			if (c->type == FP_CELL_NUMBER)
				x = c->num;
			if (x != (double)(n + 1))
				return 0;
			n++;
		} else if (!word || c->type != FP_CELL_TEXT || !c->label ||
		    (strcmp(c->label, first->label) && !one_char(c->label))) {
			return 0;
		}
	}
	if (!word && counts_on(s, r, first->col))
		return 0;
	return n >= (word ? 2u : 3u);
}

/* 1 if the labels of a and b, one after the other, are one of ls. */
static int
joined_matches(const struct fp_labels *ls, const struct fp_fcell *a,
    const struct fp_fcell *b)
{
	struct fp_buf j = FP_BUF_INIT;
	int yes;

	fp_buf_printf(&j, "%s%s", a->label, b->label);
	yes = fp_labels_match(ls, j.s);
	fp_buf_release(&j);
	return yes;
}

/* 1 if column col is named one of ls, by its name or with its rest. */
static int
column_named(const struct fp_table *t, const struct fp_column *col,
    const struct fp_labels *ls)
{
	return fp_apply_names_column(t, col->name, ls) || (col->more &&
	    joined_matches(ls, col->name, col->more));
}

/*
 * 1 if row r only goes on with the names of the columns over it
 * (偏差原因分析 over 及改进措施): each of its cells is words, under a
 * column's name, that make with it one of the table's column labels.
 * Then each is its column's rest.
 */
static int
continues_header(const struct fp_table *t, const struct fp_fsheet *s,
    uint32_t r, struct fp_column *cols, uint32_t ncols)
{
	size_t k, i;

	if (r >= s->nrows || s->rowstart[r] == s->rowstart[r + 1])
		return 0;
	for (k = s->rowstart[r]; k < s->rowstart[r + 1]; k++) {
		const struct fp_fcell *c = &s->cells[k];
		int found = 0;

		if (!c->label || c->type != FP_CELL_TEXT || c->col >= ncols ||
		    !cols[c->col].name)
			return 0;
		for (i = 0; i < t->nfields && !found; i++)
			found = joined_matches(&t->fields[i].labels,
			    cols[c->col].name, c);
		if (!found)
			return 0;
	}
	for (k = s->rowstart[r]; k < s->rowstart[r + 1]; k++)
		cols[s->cells[k].col].more = &s->cells[k];
	return 1;
}

/*
 * 1 if a cell of the header has one of the labels as a group: over other
 * columns' names, or merged across columns; not a column's own name alone
 * (group 项目支出 where 项目支出 names its one column asks nothing).
 */
static int
header_has_group(const struct fp_header *h, const struct fp_labels *ls)
{
	const struct fp_fsheet *s = h->s;
	size_t k;

	for (k = s->rowstart[h->top]; k < s->rowstart[h->end]; k++) {
		const struct fp_fcell *g = &s->cells[k];

		if (fp_apply_cell_matches(ls, g) && (g->col >= h->ncols ||
		    h->cols[g->col].name != g ||
		    fp_apply_wide_merge(s, g->row, g->row + 1, g->col)))
			return 1;
	}
	return 0;
}

/*
 * 1 if header cell k, of row r, stands over column c as a group: merged
 * across c, or not merged, starting at or left of c with no other cell
 * of its row between.
 */
static int
spans_column(const struct fp_fsheet *s, uint32_t r, size_t k, uint32_t c)
{
	const struct fp_fcell *g = &s->cells[k];
	uint32_t last = UINT32_MAX;
	size_t m;

	if (g->col > c)
		return 0;
	for (m = 0; m < s->nmerges; m++)
		if (s->merges[m].r1 == r && s->merges[m].c1 == g->col) {
			last = s->merges[m].c2;
			break;
		}
	if (m == s->nmerges && k + 1 < s->rowstart[r + 1])
		last = s->cells[k + 1].col - 1;
	return c <= last;
}

/*
 * 1 if column c, named in row nrow, stands under a group of the header
 * with one of the labels (中期指标 | | | 年度指标 over 二级指标 |
 * 三级指标 | 指标值 twice).
 */
static int
under_group(const struct fp_header *h, uint32_t nrow, uint32_t c,
    const struct fp_labels *ls)
{
	const struct fp_fsheet *s = h->s;
	uint32_t r;
	size_t k;

	for (r = h->top; r < nrow; r++)
		for (k = s->rowstart[r]; k < s->rowstart[r + 1]; k++)
			if (fp_apply_cell_matches(ls, &s->cells[k]) &&
			    spans_column(s, r, k, c))
				return 1;
	return 0;
}

/* What a group over columns says of their year. */
enum { YEAR_NONE, YEAR_THIS, YEAR_OTHER };

/*
 * 1 if the word w (本年) stands at p and is a year's, not the start of
 * an amount's name (上年结转, 本年结余).
 */
static int
year_word(const char *p, const char *w)
{
	size_t n = strlen(w);

	return !strncmp(p, w, n) && strncmp(p + n, "结", strlen("结"));
}

/*
 * What group cell g says of the year of the columns under it: this
 * year's, naming year (the form's, 0 if unknown) or 本年, 当年
 * (2023年（本年数）); another's, naming another year or 上年
 * (2022年（上年数）); else nothing.
 */
static int
group_year(const struct fp_fcell *g, long year)
{
	const char *p = g->label, *l;
	int yes = 0, no = 0, digits = 0;

	if (!p)
		return YEAR_NONE;
	for (l = p; *l; l++) {
		if (*l >= '0' && *l <= '9') {
			digits++;
			continue;
		}
		if (digits == 4 && year > 0 && !strncmp(l, "年", strlen("年"))) {
			if (strtol(l - 4, NULL, 10) == year)
				yes = 1;
			else
				no = 1;
		}
		digits = 0;
	}
	if (yes || no)
		return yes ? YEAR_THIS : YEAR_OTHER;
	for (l = p; *l; l++) {
		yes |= year_word(l, "本年") || year_word(l, "当年");
		no |= year_word(l, "上年");
	}
	return yes == no ? YEAR_NONE : yes ? YEAR_THIS : YEAR_OTHER;
}

/*
 * What the groups over column c say of its year: the lowest that says
 * anything (2023年 over 上年数 | 本年数: the lower).
 */
static int
column_year(const struct fp_header *h, uint32_t c)
{
	const struct fp_fsheet *s = h->s;
	uint32_t r;
	size_t k;
	int y, said = YEAR_NONE;

	for (r = h->top; r < h->cols[c].name->row; r++)
		for (k = s->rowstart[r]; k < s->rowstart[r + 1]; k++)
			if (spans_column(s, r, k, c) &&
			    (y = group_year(&s->cells[k], h->year)))
				said = y;
	return said;
}

/*
 * 1 if column c, left of a keyed table's key column key, lies in the
 * other half of a two-sided table: a column named as the key column is
 * at or left of it (项目 | 行次 | 金额 | 项目 | 金额: the 行次 of 收入,
 * not of 支出, which has none). A 序号 left of the key is the table's.
 */
static int
other_half(const struct fp_table *t, const struct fp_column *cols, uint32_t c,
    uint32_t key)
{
	const struct fp_fcell *kn = cols[key].name;
	uint32_t k;

	if (t->kind != FP_TABLE_KEYED || !kn || !kn->label)
		return 0;
	for (k = 0; k <= c; k++)
		if (cols[k].name && cols[k].name->label &&
		    !strcmp(cols[k].name->label, kn->label))
			return 1;
	return 0;
}

int
fp_header_other_year(const struct fp_header *h, int64_t c)
{
	return c >= 0 && c < h->ncols && h->cols[c].name &&
	    column_year(h, (uint32_t)c) == YEAR_OTHER;
}

int
fp_header_this_year(const struct fp_header *h, int64_t c)
{
	return c >= 0 && c < h->ncols && h->cols[c].name &&
	    column_year(h, (uint32_t)c) == YEAR_THIS;
}

/*
 * 1 if column c may be a field's: named one of ls, not claimed by an
 * earlier field (see find_column), under one of group where the header
 * has such a group, and not in the other half of a two-sided table.
 */
static int
column_fits(const struct fp_table *t, const struct fp_header *h,
    struct fp_column *cols, uint32_t c, const struct fp_labels *ls,
    const struct fp_labels *group, int grouped, int off, int claim,
    uint32_t from)
{
	return cols[c].name && !(cols[c].claimed && off == 0 &&
	    !(claim < 0 && cols[c].claimed_code)) &&
	    column_named(t, &cols[c], ls) && !(grouped &&
	    !under_group(h, cols[c].name->row, c, group)) &&
	    !(c < from && other_half(t, cols, c, from));
}

/*
 * The column of a field (or the key): the first column from column from
 * on, then from the left, whose name is one of ls, not claimed by an
 * earlier field, moved by off. -1 if none. A keyed table's columns are
 * looked for from its key column on first: the amounts of the right half
 * of a two-sided table (收入 | 金额 | 支出 | 金额) are its expenditure's,
 * and a column named as the key's header is the key column itself; then
 * left of it, but in the other half.
 * Where the header has a group labelled one of group (a column's
 * `group`), only a column under such a group is. claim: 1 to claim the
 * column, 0 not to, -1 not to and to take one a code column claimed.
 * Else a column under a group naming another year (2022年（上年数）,
 * last year's kept left of this year's) gives way to a later one under a
 * group naming this year (2023年（本年数）), *passed set to it; else -1.
 */
static int64_t
find_column(const struct fp_table *t, const struct fp_header *h,
    struct fp_column *cols, uint32_t ncols, const struct fp_labels *ls,
    const struct fp_labels *group, int off, int claim, uint32_t from,
    int64_t *passed)
{
	uint32_t i, c;
	int64_t hid = -1;
	int grouped = group && group->n && header_has_group(h, group);

	if (passed)
		*passed = -1;
	for (i = 0; i < ncols; i++) {
		c = from + i < ncols ? from + i : from + i - ncols;
		if (!column_fits(t, h, cols, c, ls, group, grouped, off, claim,
		    from))
			continue;
		/* Last year's column, hidden beside this year's: not it. */
		if (fp_fsheet_col_hidden(h->s, c)) {
			if (hid < 0)
				hid = c;
			continue;
		}
		hid = c;
		break;
	}
	if (hid >= 0 && i < ncols && !grouped &&
	    column_year(h, (uint32_t)hid) == YEAR_OTHER)
		for (i++; i < ncols; i++) {
			c = from + i < ncols ? from + i : from + i - ncols;
			if (column_fits(t, h, cols, c, ls, group, grouped,
			    off, claim, from) && !fp_fsheet_col_hidden(h->s,
			    c) && column_year(h, c) == YEAR_THIS) {
				if (passed)
					*passed = hid;
				hid = c;
				break;
			}
		}
	if (hid < 0 || hid + off < 0)
		return -1;
	if (claim > 0 && off == 0)
		cols[hid].claimed = 1;
	return hid + off;
}

/*
 * The column a table's key is looked for from: the last named as the key
 * at or left of column at (the table's header cell's), else the first.
 */
static uint32_t
key_near(const struct fp_table *t, const struct fp_column *cols,
    uint32_t ncols, uint32_t at)
{
	uint32_t c;

	for (c = at < ncols ? at + 1 : ncols; c-- > 0;)
		if (cols[c].name && column_named(t, &cols[c], &t->key))
			return c;
	return 0;
}

/*
 * The columns lo..hi of a keyed table's half of the sheet: between the
 * columns named as its key column is, left and right of it (项目 | 金额 |
 * 项目 | 金额: 0..1 for the left half's key in 0, 2.. for the right's).
 */
void
fp_header_half(const struct fp_header *h, int64_t keycol, uint32_t *lo,
    uint32_t *hi)
{
	const struct fp_column *cols = h->cols;
	uint32_t ncols = h->ncols, c;
	const struct fp_fcell *kn;

	*lo = 0;
	*hi = UINT32_MAX;
	if (keycol < 0 || keycol >= ncols || !(kn = cols[keycol].name) ||
	    !kn->label)
		return;
	for (c = 0; c < ncols; c++) {
		if (c == keycol || !cols[c].name || !cols[c].name->label ||
		    strcmp(cols[c].name->label, kn->label))
			continue;
		if (c < keycol)
			*lo = c + 1;
		else if (c - 1 < *hi)
			*hi = c - 1;
	}
}

/*
 * A code field's columns of choices: a header cell labelled as the
 * field, merged across columns each named one of its codes in the
 * header row under it (a √ in the one that holds). 1 with *lo..*hi.
 */
int
fp_header_choices(const struct fp_table *t, const struct fp_field *f,
    const struct fp_header *h, uint32_t *lo, uint32_t *hi)
{
	const struct fp_fsheet *s = h->s;
	const struct fp_column *cols = h->cols;
	uint32_t ncols = h->ncols, r, c;
	size_t k;

	if (f->heading || f->type != FP_T_CODE || !f->ncodes)
		return 0;
	for (r = h->top; r < h->end; r++)
		for (k = s->rowstart[r]; k < s->rowstart[r + 1]; k++) {
			const struct fp_fcell *g = &s->cells[k];
			const struct fp_range *m;

			if (!fp_apply_cell_matches(&f->labels, g) ||
			    !(m = fp_apply_wide_merge(s, r, r + 1, g->col)) ||
			    m->c1 != g->col || m->c2 >= ncols)
				continue;
			for (c = m->c1; c <= m->c2; c++)
				if (cols[c].name && cols[c].name->row > r &&
				    fp_apply_is_code_of(t, f, cols[c].name)) {
					*lo = m->c1;
					*hi = m->c2;
					return 1;
				}
		}
	return 0;
}

/*
 * The key column of a keyed table with row codes: the leftmost column,
 * in the rows under the header, of a cell that is one of them (where the
 * form names its rows, whatever heads that column), at or right of
 * column from (where the table's header cell is: 支出 over the right
 * half of a two-sided table, whose halves both end in 总计), else the
 * column left of it with the most such cells, the nearest of those (the
 * right half's names, not the left half's 总计, where the header cell is
 * over an amount; 201 and 205 under 科目编码, not 合计 under 科目名称).
 * -1 if none is.
 */
static int64_t
code_column(const struct fp_mapping *m, const struct fp_table *t,
    const struct fp_fsheet *s, uint32_t D, uint32_t from)
{
	int64_t best = -1, right = -1;
	size_t *count = fp_xcalloc((size_t)from + 1, sizeof *count), k;
	uint32_t r, c;

	for (r = D; r < s->nrows; r++) {
		int coded = 0;

		for (k = s->rowstart[r]; k < s->rowstart[r + 1]; k++) {
			c = s->cells[k].col;
			if (!fp_apply_is_row_code(t, &s->cells[k]))
				continue;
			if (c < from)
				count[c]++;
			if (c >= from && (right < 0 || c < right))
				right = c;
			coded = 1;
		}
		/* The rows end at a label the mapping knows, not their own. */
		if (!coded && fp_apply_row_is_known(m, s, r))
			break;
	}
	for (c = 0; c < from; c++)
		if (count[c] && (best < 0 || count[c] >= count[best]))
			best = c;
	free(count);
	return right >= 0 ? right : best;
}

/* 1 if c is a placeholder of one of t's fields (— for an amount): no name. */
static int
placeholder(const struct fp_table *t, const struct fp_fcell *c)
{
	size_t i;

	for (i = 0; t && i < t->nfields; i++)
		if (fp_labels_match(&t->fields[i].empty, c->label))
			return 1;
	return 0;
}

/*
 * 1 if column col holds numbers (with names set, names: text that is no
 * number) in the first rows under a header, from row D. The rows end,
 * as code_column's do, at a label the mapping knows that is not one of
 * table t's row codes (t NULL: none is): what the form says under the
 * table (年度总体目标 under a 序号 column) is not the column's.
 */
static int
column_holds(const struct fp_mapping *m, const struct fp_table *t,
    const struct fp_fsheet *s, uint32_t col, uint32_t D, int names)
{
	const struct fp_fcell *c;
	uint32_t r;
	double x;
	int num;

	for (r = D; r < s->nrows && r < D + 20; r++) {
		if (fp_apply_past_rows(m, t, s, r))
			break;
		if (!(c = fp_fsheet_at(s, r, col)))
			continue;
		num = c->type == FP_CELL_NUMBER || (c->type == FP_CELL_TEXT &&
		    fp_parse_number(c->text, c->len, &x));
		if (names ? c->type == FP_CELL_TEXT && c->label && *c->label &&
		    !num && !placeholder(t, c) : num)
			return 1;
	}
	return 0;
}

/*
 * 1 if the numbers in column col from row D name the rows: codes of three
 * digits or more (subject codes 201, 2010101), not a 序号 column's counts
 * (1, 2, 4, with a row taken out), in a column none of the table's
 * columns is named as (an amount's). The rows end, as column_holds'
 * do, at a label the mapping knows that is none of t's row codes.
 */
static int
codes_rows(const struct fp_mapping *m, const struct fp_table *t,
    const struct fp_fsheet *s, const struct fp_column *cols, uint32_t ncols,
    uint32_t col, uint32_t D)
{
	const struct fp_fcell *c;
	uint32_t r;
	double x;
	size_t i;
	int seen = 0;

	for (i = 0; col < ncols && i < t->nfields; i++)
		if (cols[col].name && column_named(t, &cols[col],
		    &t->fields[i].labels))
			return 0;
	for (r = D; r < s->nrows && r < D + 20; r++) {
		if (fp_apply_past_rows(m, t, s, r))
			break;
		if (!(c = fp_fsheet_at(s, r, col)))
			continue;
		if (!(c->type == FP_CELL_NUMBER ? (x = c->num, 1) :
		    c->type == FP_CELL_TEXT && fp_parse_number(c->text, c->len,
		    &x)))
			continue;
		if (x < 100 || x != floor(x))
			return 0;
		seen++;
	}
	return seen > 0;
}

/*
 * The cell that states the unit of the amounts of column col of a table
 * whose header is rows R to D - 1, where the form states one: the
 * column's own header cells, the lowest first (收入合计（元）, a units
 * row, a group 预算金额（元） merged across it); else the header's, a 单位：元 in it or a unit over a column of
 * words, not amounts (项目资金（元） on the key's side); else what the
 * form states above the header (a 单位：元 line, a section's title 年度
 * 收入情况（元）). NULL if none (万元).
 */
const struct fp_fcell *
fp_header_unit(const struct fp_mapping *m, const struct fp_table *t,
    const struct fp_header *h, int64_t col)
{
	const struct fp_fsheet *s = h->s;
	uint32_t R = h->top, D = h->end, r;
	const struct fp_fcell *c;
	size_t k;

	for (r = D; r-- > R;) {
		c = fp_fsheet_at(s, r, (uint32_t)col);
		/* A header cell merged across the column is its own too. */
		for (k = 0; !c && k < s->nmerges; k++) {
			const struct fp_range *g = &s->merges[k];

			if (g->r1 <= r && g->r2 >= r && g->r1 >= R &&
			    g->c1 <= col && g->c2 >= col)
				c = fp_fsheet_at(s, g->r1, g->c1);
		}
		if (c && c->unit_kind)
			return c;
	}
	for (k = s->rowstart[R]; k < s->rowstart[D]; k++) {
		c = &s->cells[k];
		if (c->unit_kind == FP_UNIT_LINE || (c->unit_kind ==
		    FP_UNIT_NOTE && !column_holds(m, t, s, c->col, D, 0)))
			return c;
	}
	k = s->unit_from[R];
	return k == SIZE_MAX ? NULL : &s->cells[k];
}

/*
 * 1 if cell c, of a row under the header h, is words of the header:
 * those of a header cell in its column, or its own column's name.
 */
static int
header_words(const struct fp_table *t, const struct fp_header *h,
    const int64_t *col, const struct fp_fcell *c)
{
	const struct fp_fcell *hc;
	uint32_t r;
	size_t i;

	for (r = h->top; r < h->end; r++)
		if ((hc = fp_fsheet_at(h->s, r, c->col)) && hc->label &&
		    !strcmp(hc->label, c->label))
			return 1;
	for (i = 0; i < t->nfields; i++)
		if (col[i] == (int64_t)c->col &&
		    fp_apply_names_column(t, c, &t->fields[i].labels))
			return 1;
	return fp_apply_cell_matches(&t->key, c);
}

/*
 * 1 if row r repeats a row of the table's header, as a table printed
 * over two pages does: two or more of its cells, and each, are words of
 * the header (机构名称 | 收入合计 | 其中： over 上年结转 | 公共财政拨款).
 */
int
fp_header_repeated(const struct fp_table *t, const struct fp_header *h,
    uint32_t r, const int64_t *col)
{
	const struct fp_fsheet *s = h->s;
	size_t k, named = 0;

	for (k = s->rowstart[r]; k < s->rowstart[r + 1]; k++) {
		const struct fp_fcell *c = &s->cells[k];

		if (c->type == FP_CELL_TEXT && (!c->label || !*c->label))
			continue;
		if (!c->label || !header_words(t, h, col, c))
			return 0;
		named++;
	}
	return named >= 2;
}

/*
 * Where a header of rows R..D - 1 ends, with the rows the table's own
 * header cell is merged down into: 收入合计 merged over three rows beside
 * 支出合计, whose third row names expenditure's columns alone (人员支出 |
 * 公用支出), is income's header over all three. Not another column's
 * merge (a 备注 merged down beside a one-row header, over the rows of
 * the table), and not past a row that holds a number.
 */
static uint32_t
merged_header_end(const struct fp_fsheet *s, const struct fp_fcell *anchor,
    uint32_t R, uint32_t D)
{
	uint32_t end = D, r;
	size_t m, k;

	for (m = 0; m < s->nmerges; m++) {
		const struct fp_range *g = &s->merges[m];

		if (g->r1 == anchor->row && g->c1 == anchor->col &&
		    g->r2 >= end && g->r2 < R + MAX_HEADER_ROWS)
			end = g->r2 + 1;
	}
	for (r = D; r < end && r < s->nrows; r++)
		for (k = s->rowstart[r]; k < s->rowstart[r + 1]; k++)
			if (holds_number(&s->cells[k]))
				return r;
	return end < s->nrows ? end : s->nrows;
}

void
fp_header_read(const struct fp_table *t, const struct fp_fsheet *s,
    const struct fp_fcell *anchor, struct fp_header *h)
{
	uint32_t R = anchor->row, D, r, ncols = 0;
	struct fp_column *cols;
	size_t k;

	/*
	 * Columns named in the row above, merged down beside the header
	 * cell (一级指标 | 二级指标 over two rows, 三级指标 in the second),
	 * or a row of the columns' groups (中期指标 | 年度指标 over
	 * 三级指标 | 指标值 twice): that row is the header's first.
	 */
	while (R > 0 && anchor->row - R < MAX_HEADER_ROWS - 1 &&
	    ((row_is_header(t, s, R - 1) && merged_down_into(s, R - 1)) ||
	    row_of_groups(t, s, R - 1)))
		R--;
	/*
	 * The header runs down while its rows name columns, or are a row of
	 * groups over columns (基本支出 | 项目支出) with such a row under it,
	 * or a row of units (（万元） | （%）).
	 */
	for (D = R + 1; D < s->nrows && D < R + MAX_HEADER_ROWS; D++)
		if ((!row_is_header(t, s, D) && !row_of_notes(s, D) &&
		    !fp_header_numbering_row(t, s, D) &&
		    !fp_apply_row_in_english(s, D) &&
		    !fp_apply_row_of_choices(t, s, R, D) &&
		    !fp_keyparts_row(t, s, R, D) &&
		    !(D + 1 < s->nrows &&
		    D + 1 < R + MAX_HEADER_ROWS && row_of_words(s, D) &&
		    row_is_header(t, s, D + 1))) ||
		    (row_of_numbers(s, D) && !fp_header_numbering_row(t, s, D)))
			break;
	D = merged_header_end(s, anchor, R, D);
	for (k = s->rowstart[R]; k < s->rowstart[D]; k++)
		if (s->cells[k].col + 1 > ncols)
			ncols = s->cells[k].col + 1;
	cols = fp_xcalloc(ncols + 1, sizeof *cols);
	for (r = R; r < D; r++) {
		if (r > R && (fp_header_numbering_row(t, s, r) ||
		    fp_apply_row_in_english(s, r)))
			continue;
		for (k = s->rowstart[r]; k < s->rowstart[r + 1]; k++) {
			const struct fp_fcell *c = &s->cells[k];

			if (c->label && !fp_apply_cell_matches(&t->skip, c) &&
			    !is_note(c))
				cols[c->col].name = c;
		}
	}
	/* A row that only goes on with the columns' names is the header's. */
	if (continues_header(t, s, D, cols, ncols))
		D++;
	h->s = s;
	h->top = R;
	h->end = D;
	h->cols = cols;
	h->ncols = ncols;
	h->year = 0;
}

void
fp_header_release(struct fp_header *h)
{
	free(h->cols);
	h->cols = NULL;
	h->ncols = 0;
}

/*
 * The column a header cell labelled as the table's key names, moved by
 * its offset, where the lowest label over that column is another (人员类别
 * merged across two columns over a row the header took in): the nearest
 * at or left of column at, else the first. -1 if no cell is labelled so.
 */
static int64_t
key_label_column(const struct fp_table *t, const struct fp_header *h,
    uint32_t at)
{
	const struct fp_fsheet *s = h->s;
	const struct fp_fcell *first = NULL, *near = NULL, *c;
	int64_t col;
	size_t k;

	for (k = s->rowstart[h->top]; k < s->rowstart[h->end]; k++) {
		c = &s->cells[k];
		col = (int64_t)c->col + t->key_offset;
		if (!fp_apply_cell_matches(&t->key, c) || col < 0 ||
		    col >= (int64_t)h->ncols)
			continue;
		if (!first || c->col < first->col)
			first = c;
		if (c->col <= at && (!near || c->col > near->col))
			near = c;
	}
	if (near)
		first = near;
	return first ? (int64_t)first->col + t->key_offset : -1;
}

/* The merged range of s whose first cell is c and that spans columns. */
static const struct fp_range *
merged_across(const struct fp_fsheet *s, const struct fp_fcell *c)
{
	size_t k;

	for (k = 0; k < s->nmerges; k++)
		if (s->merges[k].r1 == c->row && s->merges[k].c1 == c->col &&
		    s->merges[k].c2 > c->col)
			return &s->merges[k];
	return NULL;
}

/*
 * The column that holds the names, of those under the key's header
 * merged across them (机构名称 over 001 | 局机关: the second): the one
 * with the most names in the rows under the header, the leftmost of
 * equals; a name merged across columns (the summary row's) counts for
 * none. col where the header is no merge.
 */
static int64_t
names_under(const struct fp_mapping *m, const struct fp_table *t,
    const struct fp_header *h, int64_t col)
{
	const struct fp_fsheet *s = h->s;
	const struct fp_fcell *hc = h->cols[col].name, *c;
	const struct fp_range *g = hc ? merged_across(s, hc) : NULL;
	size_t n, most = 0;
	int64_t best = col;
	uint32_t k, r;
	double x;

	for (k = g ? g->c1 : 0; g && k <= g->c2 && k < h->ncols; k++) {
		n = 0;
		for (r = h->end; r < s->nrows && r < h->end + 20; r++) {
			if (fp_apply_past_rows(m, t, s, r))
				break;
			if ((c = fp_fsheet_at(s, r, k)) &&
			    c->type == FP_CELL_TEXT && c->label && *c->label &&
			    !fp_parse_number(c->text, c->len, &x) &&
			    !placeholder(t, c) && !merged_across(s, c))
				n++;
		}
		if (n > most) {
			most = n;
			best = k;
		}
	}
	return best;
}

int64_t
fp_header_key_column(const struct fp_mapping *m, const struct fp_table *t,
    struct fp_header *h, uint32_t at, struct fp_keyparts *kp, int *unnamed)
{
	/*
	 * The column headed by key, where it holds names (not a 序号
	 * column under a merged header); else where the rows' codes
	 * are. Of several, the nearest at or left of the table's
	 * header cell: the right half's 项目 of 收入 | 项目 | 金额 over
	 * the left, 支出 | 项目 | 金额 over the right.
	 */
	int64_t named = t->key.n ? find_column(t, h, h->cols, h->ncols,
	    &t->key, NULL, t->key_offset, 0, key_near(t, h->cols, h->ncols,
	    at), NULL) : -1, keycol;

	if (named >= 0 && !t->key_offset)
		named = names_under(m, t, h, named);
	/* 人员类别 + 1 names one column: no key in parts. */
	memset(kp, 0, sizeof *kp);
	if (named < 0 && !t->key_offset && fp_keyparts_find(m, t, h->s,
	    h->top, h->end, kp))
		named = kp->lo;
	if (named < 0 && t->key.n)
		named = key_label_column(t, h, at);
	*unnamed = t->key.n && named < 0;
	keycol = named >= 0 && (kp->hi > kp->lo ||
	    column_holds(m, t, h->s, (uint32_t)named, h->end, 1) ||
	    codes_rows(m, t, h->s, h->cols, h->ncols, (uint32_t)named,
	    h->end)) ? named : code_column(m, t, h->s, h->end, at);
	return keycol < 0 ? named : keycol;
}

int64_t
fp_header_field_column(const struct fp_table *t, struct fp_header *h,
    const struct fp_field *f, uint32_t from, int64_t *passed)
{
	int64_t c;

	*passed = -1;
	if (f->heading)
		return -1;
	c = find_column(t, h, h->cols, h->ncols, &f->labels, &f->group,
	    f->offset, 1, from, passed);
	/*
	 * Two code columns may name one column of the form: its cells
	 * carry both codes (产出指标-数量指标 under 指标类别).
	 */
	if (c < 0 && f->type == FP_T_CODE)
		c = find_column(t, h, h->cols, h->ncols, &f->labels, &f->group,
		    f->offset, -1, from, passed);
	if (c >= 0 && f->type == FP_T_CODE && f->offset == 0)
		h->cols[c].claimed_code = 1;
	return c;
}

