/*
 * Applying a mapping to a form. The form's sheet is found by a label, a
 * name or a position (or every sheet with the label is a form of its
 * own; mapping_sheets.c chooses among them); on it each table of the
 * mapping is found in turn:
 *
 *  - a fields table, field by field: the first cell carrying one of the
 *    field's labels (or matching its pattern), and the value where the
 *    field's `take` says: after the colon, the Nth cell right, left,
 *    below or above, the cell on the label's row under a column header,
 *    or the paragraphs under a heading;
 *  - a keyed or list table by a label of its header: the header runs
 *    down while its rows name columns (headers over several rows); each
 *    column is named by the lowest label over it; a column is found by
 *    its header, or N columns from one; rows follow until a row holding
 *    a label the mapping knows, a stop label, or (keyed) a blank row.
 *
 * Every step leaves a note, for map --explain.
 */
#include "mapping_apply.h"
#include "mapping_apply_int.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "normalize.h"


/* ---- Notes ----------------------------------------------------------- */

void
fp_apply_note(struct apply *a, int warn, const char *fmt, ...)
{
	struct fp_mapped *o = a->out;
	struct fp_buf b = FP_BUF_INIT;
	va_list ap;
	char tmp[1024];

	if (!warn && !a->o->explain)
		return;
	va_start(ap, fmt);
	vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (o->nrecs > 1 || a->m->every_sheet || a->many)
		fp_buf_printf(&b, "%s: ", a->form->sheets[a->sheet].name);
	fp_buf_adds(&b, tmp);
	o->notes = fp_xreallocarray(o->notes, o->nnotes + 1, sizeof *o->notes);
	o->notes[o->nnotes].warn = warn;
	o->notes[o->nnotes].text = fp_buf_detach(&b);
	o->nnotes++;
}

/* "SHEET!B4" of a cell, in a buffer that lives until the next call. */
const char *
fp_apply_ref(struct apply *a, const struct fp_fsheet *s,
    const struct fp_fcell *c)
{
	fp_buf_reset(&a->tmp);
	fp_fcell_ref(&a->tmp, s, c);
	return a->tmp.s;
}

/* Row r of a sheet as a person counts it (a band's rows are the sheet's). */
uint32_t
fp_apply_row_no(const struct fp_fsheet *s, uint32_t r)
{
	const char *name;

	return fp_fsheet_place(s, r, &name) + 1;
}

/* The labels of ls as 'A' or 'B', for notes, into b. */
const char *
fp_apply_labels_text(struct fp_buf *b, const struct fp_labels *ls)
{
	size_t i;

	fp_buf_reset(b);
	for (i = 0; i < ls->n && i < 4; i++)
		fp_buf_printf(b, "%s'%s'", i ? " or " : "", ls->v[i]);
	if (ls->n > 4)
		fp_buf_adds(b, " ...");
	return b->s ? b->s : "";
}

/* ---- Labels on the form ---------------------------------------------- */

/* 1 if label (label form) is one the mapping knows. */
static int
is_known(const struct fp_mapping *m, const char *label)
{
	size_t h, mask = m->nknown_hash - 1, i;

	if (!label || !*label)
		return 0;
	for (h = fp_hash_slot(fp_hash(FP_HASH_INIT, label), mask);
	    m->known_hash[h]; h = (h + 1) & mask)
		if (!strcmp(m->known_hash[h], label))
			return 1;
	for (i = 0; i < m->known_globs.n; i++)
		if (fp_glob(m->known_globs.v[i], label))
			return 1;
	return 0;
}

int
fp_apply_cell_is_known(const struct fp_mapping *m, const struct fp_fcell *c)
{
	return c->label && (is_known(m, c->label) ||
	    (c->base && is_known(m, c->base)) ||
	    (c->prefix && !c->after && is_known(m, c->prefix)) ||
	    (c->pbase && !c->after && is_known(m, c->pbase)));
}

/*
 * 1 if c can be no field's value: a label the mapping knows, or such a
 * label with its own value after a colon ("联系电话：0731-1234567"), or
 * the form's statement of its unit (金额单位：万元).
 */
static int
cell_is_taken(const struct fp_mapping *m, const struct fp_fcell *c)
{
	return fp_apply_cell_is_known(m, c) || (c->label && c->after &&
	    ((c->prefix && is_known(m, c->prefix)) ||
	    (c->pbase && is_known(m, c->pbase)))) ||
	    c->unit_kind == FP_UNIT_LINE;
}

/* 1 if some cell of row r holds a label the mapping knows. */
int
fp_apply_row_is_known(const struct fp_mapping *m, const struct fp_fsheet *s,
    uint32_t r)
{
	size_t k;

	if (r >= s->nrows)
		return 0;
	for (k = s->rowstart[r]; k < s->rowstart[r + 1]; k++)
		if (fp_apply_cell_is_known(m, &s->cells[k]))
			return 1;
	return 0;
}

/*
 * 1 if row r starts with a known label and its value after a colon, as
 * a form's footer does (填表人：周敏): no row of a table.
 */
int
fp_apply_row_starts_with_pair(const struct fp_mapping *m,
    const struct fp_fsheet *s,
    uint32_t r)
{
	const struct fp_fcell *c;

	if (r >= s->nrows || s->rowstart[r] == s->rowstart[r + 1])
		return 0;
	c = &s->cells[s->rowstart[r]];
	return c->after && ((c->prefix && is_known(m, c->prefix)) ||
	    (c->pbase && is_known(m, c->pbase)));
}

/*
 * The first cell of row r holding a known label, or else its first cell
 * if that is a known label with its value (a footer); NULL if none.
 */
const struct fp_fcell *
fp_apply_known_in_row(const struct fp_mapping *m, const struct fp_fsheet *s,
    uint32_t r)
{
	size_t k;

	if (r >= s->nrows)
		return NULL;
	for (k = s->rowstart[r]; k < s->rowstart[r + 1]; k++)
		if (fp_apply_cell_is_known(m, &s->cells[k]))
			return &s->cells[k];
	return fp_apply_row_starts_with_pair(m, s, r) ?
	    &s->cells[s->rowstart[r]] :
	    NULL;
}

int
fp_apply_row_is_blank(const struct fp_fsheet *s, uint32_t r)
{
	return r >= s->nrows || s->rowstart[r] == s->rowstart[r + 1];
}

/* 1 if the cell's label, or its label without a note in brackets, is one of ls. */
int
fp_apply_cell_matches(const struct fp_labels *ls, const struct fp_fcell *c)
{
	return fp_labels_match(ls, c->label) || fp_labels_match(ls, c->base);
}

/*
 * The first cell (row order) of a sheet with one of these labels (with
 * colons, by the label before a colon too).
 */
static const struct fp_fcell *
find_first_in(const struct fp_fsheet *s, const struct fp_labels *ls,
    int colons)
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
			int kind;

			for (kind = 0; kind < 4; kind++) {
				const struct fp_fcell *hit;

				if (!colons && (kind == FP_KEY_PREFIX ||
				    kind == FP_KEY_PBASE))
					continue;
				hit = fp_fsheet_find(s, ls->v[i],
				    (enum fp_key)kind,
				    &idx);
				if (hit && (!c || hit < c))
					c = hit;
			}
		}
		if (c && (!best || c < best))
			best = c;
	}
	return best;
}

/* The first cell (row order) of a sheet with one of these labels. */
const struct fp_fcell *
fp_apply_find_first(const struct fp_fsheet *s, const struct fp_labels *ls)
{
	return find_first_in(s, ls, 0);
}

/* The same, by the label before a colon too (名称：X). */
const struct fp_fcell *
fp_apply_find_label(const struct fp_fsheet *s, const struct fp_labels *ls)
{
	return find_first_in(s, ls, 1);
}

/*
 * The cell of an after, before or beneath label: the first with one of
 * the labels, else the first with one and its value after a colon
 * (中期资金总额：900); not a 联系人：李四 above the title before a
 * 联系人 below it.
 */
static const struct fp_fcell *
fence_label(const struct fp_fsheet *s, const struct fp_labels *ls)
{
	const struct fp_fcell *c = find_first_in(s, ls, 0);

	return c ? c : find_first_in(s, ls, 1);
}

/* ---- Values ---------------------------------------------------------- */

/* A fact of the record, cited at source, at pos of the form's sheet. */
static void
push_fact(struct apply *a, const char *table, const char *row,
    const char *field, const char *value, const char *source, size_t sheet,
    uint32_t pos)
{
	struct fp_record *o = a->rec;
	struct fp_fact *f;

	if (o->n == o->cap) {
		o->cap = o->cap ? o->cap * 2 : 64;
		o->v = fp_xreallocarray(o->v, o->cap, sizeof *o->v);
	}
	f = &o->v[o->n++];
	f->table = fp_xstrdup(table);
	f->row = fp_xstrdup(row);
	f->field = fp_xstrdup(field);
	f->value = fp_xstrdup(value);
	f->source = fp_xstrdup(source);
	f->sheet = sheet;
	f->pos = pos;
	f->seq = a->seq++;
}

/*
 * The place among the form's sheets of s, for the facts' order; a sheet
 * of a table read across, which is none of them, the form's own.
 */
static size_t
sheet_of(const struct apply *a, const struct fp_fsheet *s)
{
	uintptr_t p = (uintptr_t)s, lo = (uintptr_t)a->form->sheets;

	if (p >= lo && p < lo + a->form->nsheets * sizeof *s)
		return (size_t)(p - lo) / sizeof *s;
	return a->sheet;
}

static void
add_fact(struct apply *a, const char *table, const char *row,
    const char *field, const char *value, const struct fp_fsheet *s,
    const struct fp_fcell *src, uint32_t pos)
{
	int uncoded = a->uncoded;

	a->uncoded = 0;
	if (a->probe)
		return;
	/* A word the codes do not know is kept, and said. */
	if (uncoded)
		fp_apply_note(a, 1,
		    "%s%s%s%s.%s: '%s' at %s is none of its codes: kept as "
		    "written", table, *row ? "[" : "", row, *row ? "]" : "",
		    field, value, fp_apply_ref(a, s, src));
	push_fact(a, table, row, field, value, fp_apply_ref(a, s, src),
	    sheet_of(a, s), pos);
}

/*
 * The last row of the block text value vc of label c stands in, where
 * the form writes it a line a row: the label merged down beside its
 * lines (年度总体目标 over three rows, a goal in each right of it), or,
 * for a value under its label, a cell left of both merged down past the
 * value (年度总体目标 beside 预期目标 and the lines under it). vc->row
 * where there is none.
 */
static uint32_t
block_end(const struct fp_fsheet *s, const struct fp_fcell *c,
    const struct fp_fcell *vc)
{
	uint32_t end = vc->row;
	size_t k;

	for (k = 0; k < s->nmerges; k++) {
		const struct fp_range *m = &s->merges[k];

		if (vc->row == c->row && m->r1 == c->row && m->c1 == c->col &&
		    m->r2 > end)
			end = m->r2;
		else if (vc->row > c->row && m->c2 < c->col &&
		    m->r1 <= c->row && m->r2 > end)
			end = m->r2;
	}
	return end;
}

/*
 * A text written a line a row: vc and the cells under it, in its column,
 * to the end of its block (block_end), joined by line feeds as one fact
 * cited at vc. 1 if there were lines to join and it gave a fact.
 */
static int
take_lines(struct apply *a, const struct fp_table *t,
    const struct fp_field *f, const struct fp_fsheet *s,
    const struct fp_fcell *c, const struct fp_fcell *vc)
{
	struct fp_buf b = FP_BUF_INIT;
	struct fp_value v;
	uint32_t r, end;
	int lines = 0, got = 0;

	if (f->type != FP_T_TEXT || vc->type != FP_CELL_TEXT ||
	    (end = block_end(s, c, vc)) == vc->row)
		return 0;
	fp_buf_add(&b, vc->text, vc->len);
	for (r = vc->row + 1; r <= end && r < s->nrows; r++) {
		const struct fp_fcell *line = fp_fsheet_at(s, r, vc->col);

		if (!line || !line->len || line->type != FP_CELL_TEXT)
			continue;
		if (cell_is_taken(a->m, line))
			break;
		fp_buf_addc(&b, '\n');
		fp_buf_add(&b, line->text, line->len);
		lines++;
	}
	if (lines) {
		fp_fcell_value(vc, a->form->date1904, &v);
		v.text = b.s;
		v.len = b.len;
		a->lines = 1;
		got = fp_apply_field_value(a, f, &v, 0);
		a->lines = 0;
		if (got)
			add_fact(a, t->name, "", f->name, a->val.s, s, vc,
			    vc->row);
	}
	fp_buf_release(&b);
	return got;
}

/*
 * A cell's value as the field's fact; 1 if there was one. exp: the power
 * of ten in 万元 of the unit its amounts are in, if the form states one.
 */
/*
 * A date written in cells of its own: 2024 | 年 | 3 | 月 | 9 | 日 from c
 * on, the year a plain number, into *b as 2024年3月9日. 1 if it is one.
 */
static int
date_in_parts(const struct fp_fsheet *s, const struct fp_fcell *c,
    struct fp_buf *b)
{
	static const char *const words[] = { "年", "月", "日" };
	size_t k = (size_t)(c - s->cells), end = s->rowstart[c->row + 1], w;
	char num[FP_NUM_MAX];

	if (c->type != FP_CELL_NUMBER || c->num != floor(c->num) ||
	    c->num < 1900 || c->num > 2100)
		return 0;
	for (w = 0; w < 3 && k + 2 * w + 2 <= end; w++) {
		const struct fp_fcell *n = &s->cells[k + 2 * w];
		const struct fp_fcell *u = &s->cells[k + 2 * w + 1];

		if (n->type != FP_CELL_NUMBER || !u->label ||
		    strcmp(u->label, words[w]))
			break;
		fp_fmt_num(num, n->num);
		fp_buf_printf(b, "%s%s", num, words[w]);
	}
	if (w < 2) {
		fp_buf_reset(b);
		return 0;
	}
	return 1;
}

/*
 * A line of choices a cell each (□优秀 | ☑良好 | □中 | □差): where c
 * holds a choice with no tick, it and the cells after it in its row that
 * hold choices, into *b as one line. 1 if it is one.
 */
static int
choices_in_cells(const struct fp_fsheet *s, const struct fp_fcell *c,
    struct fp_buf *b)
{
	size_t k = (size_t)(c - s->cells), end = s->rowstart[c->row + 1];
	struct fp_value one;
	struct fp_buf tmp = FP_BUF_INIT;
	int alone;

	if (c->type != FP_CELL_TEXT || !fp_has_choice_mark(c->text, c->len))
		return 0;
	memset(&one, 0, sizeof one);
	one.text = c->text;
	one.len = c->len;
	alone = fp_norm_choice(&tmp, &one);
	fp_buf_release(&tmp);
	if (alone || k + 1 >= end)
		return 0;
	for (; k < end && s->cells[k].type == FP_CELL_TEXT &&
	    fp_has_choice_mark(s->cells[k].text, s->cells[k].len); k++)
		fp_buf_printf(b, "%s%.*s", b->len ? " " : "",
		    (int)s->cells[k].len, s->cells[k].text);
	return 1;
}

int
fp_apply_take_cell(struct apply *a, const struct fp_table *t,
    const struct fp_field *f,
    const char *row, const struct fp_fsheet *s, const struct fp_fcell *c,
    uint32_t pos, int exp)
{
	struct fp_buf parts = FP_BUF_INIT;
	struct fp_value v;
	int got;

	fp_fcell_value(c, a->form->date1904, &v);
	/* 58000 shown as 58,000.00元 by its format is in 元. */
	if (f->type == FP_T_MONEY && c->type == FP_CELL_NUMBER)
		(void)fp_money_unit_shown(c->shown, &exp);
	if ((f->type == FP_T_DATE && date_in_parts(s, c, &parts)) ||
	    (f->type == FP_T_GRADE && choices_in_cells(s, c, &parts))) {
		v.is_number = v.is_date = 0;
		v.text = parts.s;
		v.len = parts.len;
	}
	got = fp_apply_field_value(a, f, &v, exp);
	if (got)
		add_fact(a, t->name, row, f->name, a->val.s, s, c, pos);
	fp_buf_release(&parts);
	return got;
}

int
fp_apply_take_choices(struct apply *a, const struct fp_table *t,
    const struct fp_field *f, const char *row, const struct fp_fsheet *s,
    uint32_t r, uint32_t lo, uint32_t hi,
    const struct fp_fcell *const *names)
{
	struct fp_buf line = FP_BUF_INIT;
	const struct fp_fcell *ticked = NULL;
	struct fp_value v;
	uint32_t c;
	int got = 0;

	for (c = lo; c <= hi; c++) {
		const struct fp_fcell *cell = fp_fsheet_at(s, r, c);
		int tick = cell && cell->type == FP_CELL_TEXT &&
		    fp_has_tick(cell->text, cell->len);

		if (!names[c])
			continue;
		if (tick && !ticked)
			ticked = cell;
		/* ☑确定能 □有可能 □完全不可能: a line of choices. */
		fp_buf_printf(&line, "%s%s%.*s", line.len ? " " : "",
		    tick ? "\xe2\x98\x91" : "\xe2\x96\xa1",
		    (int)names[c]->len, names[c]->text);
	}
	if (ticked) {
		memset(&v, 0, sizeof v);
		v.text = line.s;
		v.len = line.len;
		got = fp_apply_field_value(a, f, &v, 0);
		if (got)
			add_fact(a, t->name, row, f->name, a->val.s, s, ticked,
			    r);
	}
	fp_buf_release(&line);
	return got;
}

/* --explain's note of where a money field's unit, not 万元, came from. */
void
fp_apply_unit_note(struct apply *a, const struct fp_table *t,
    const struct fp_field *f,
    const struct fp_fsheet *s, const struct fp_fcell *u)
{
	char where[64];

	if (!a->o->explain || !u || !u->unit_exp)
		return;
	snprintf(where, sizeof where, "%s", fp_apply_ref(a, s, u));
	fp_apply_note(a, 0, "%s.%s: amounts in %s, as '%s' at %s says", t->name,
	    f->name, fp_money_unit_name(u->unit_exp), u->label, where);
}

/*
 * The cell that states the unit of the amounts of a field labelled by c:
 * the label itself (年度资金总额（元）, or with its value after a colon),
 * else a label merged down the side over c's row (项目资金（元） over
 * 中期资金总额 and its parts), else what the form states for its row (a
 * 单位：元 line above it or in it, a title with a unit: fp_fsheet's
 * unit_from). NULL if none (万元).
 */
static const struct fp_fcell *
label_unit(const struct fp_fsheet *s, const struct fp_fcell *c)
{
	size_t k = s->unit_from[c->row + 1], m;

	if (c->unit_kind)
		return c;
	for (m = 0; m < s->nmerges; m++) {
		const struct fp_range *g = &s->merges[m];
		const struct fp_fcell *b;

		if (g->c2 >= c->col || g->r1 > c->row || g->r2 < c->row ||
		    g->r1 == g->r2)
			continue;
		b = fp_fsheet_at(s, g->r1, g->c1);
		if (b && b->unit_kind)
			return b;
	}
	return k == SIZE_MAX ? NULL : &s->cells[k];
}

/* The power of ten in 万元 of a money field's amounts (label_unit). */
static int
field_unit(const struct fp_field *f, const struct fp_fsheet *s,
    const struct fp_fcell *c)
{
	const struct fp_fcell *u;

	if (f->type != FP_T_MONEY || !(u = label_unit(s, c)))
		return 0;
	return u->unit_exp;
}

/* ---- Fields ---------------------------------------------------------- */

/*
 * 1 if row r is the header again in English (Unit | Total income |
 * Carry-over under 机构名称 | 收入合计 | 上年结转): two text cells or
 * more, each of ASCII alone with a letter in it.
 */
int
fp_apply_row_in_english(const struct fp_fsheet *s, uint32_t r)
{
	size_t k, n = 0, i;

	if (r >= s->nrows)
		return 0;
	for (k = s->rowstart[r]; k < s->rowstart[r + 1]; k++) {
		const struct fp_fcell *c = &s->cells[k];
		int letter = 0;

		if (c->type != FP_CELL_TEXT)
			return 0;
		for (i = 0; i < c->len; i++) {
			if ((unsigned char)c->text[i] >= 0x80)
				return 0;
			letter |= isalpha((unsigned char)c->text[i]) != 0;
		}
		if (!letter)
			return 0;
		n++;
	}
	return n >= 2;
}

/*
 * The nth non-empty cell from c along its row (dc = +1 or -1) or column
 * (dr), stopping at a cell (row or column) of a label the mapping knows,
 * alone or with its value after a colon; with shown, counting only those
 * the sheet shows.
 */
static const struct fp_fcell *
step_over(const struct fp_mapping *m, const struct fp_fsheet *s,
    const struct fp_fcell *c, int dr, int dc, unsigned n, int shown)
{
	const struct fp_fcell *v = NULL;
	int64_t r = c->row;

	if (dc) {
		size_t k = (size_t)(c - s->cells);

		while (n > 0) {
			if (dc > 0 ? k + 1 >= s->rowstart[c->row + 1] :
			    k <= s->rowstart[c->row])
				return NULL;
			k = dc > 0 ? k + 1 : k - 1;
			v = &s->cells[k];
			if (cell_is_taken(m, v))
				return NULL;
			if (!shown || !fp_fsheet_col_hidden(s, v->col))
				n--;
		}
		return v;
	}
	while (n > 0) {
		r += dr;
		if (r < 0 || r >= s->nrows)
			return NULL;
		v = fp_fsheet_at(s, (uint32_t)r, c->col);
		/* The labels again in English (Expected goals) are none. */
		if (v && fp_apply_row_in_english(s, (uint32_t)r))
			v = NULL;
		else if (v) {
			if (cell_is_taken(m, v))
				return NULL;
			if (!shown || !fp_fsheet_row_hidden(s, (uint32_t)r))
				n--;
		} else if (fp_apply_row_is_known(m, s, (uint32_t)r)) {
			return NULL;
		}
	}
	return v;
}

/*
 * The nth non-empty cell as step_over finds it, counting those the
 * sheet shows (last year's value, in a hidden column between this
 * year's and its label, is not it); else counting hidden ones too.
 */
static const struct fp_fcell *
step(const struct fp_mapping *m, const struct fp_fsheet *s,
    const struct fp_fcell *c, int dr, int dc, unsigned n)
{
	const struct fp_fcell *v = step_over(m, s, c, dr, dc, n, 1);

	return v ? v : step_over(m, s, c, dr, dc, n, 0);
}

/*
 * 1 if header cell v is a better one for label c than head: in a nearer
 * row above c, or in the same row nearer to c's right (a value is right
 * of its label: 金额 of the right half of 项目 | 金额 | 项目 | 金额),
 * else nearer to its left.
 */
static int
nearer_head(const struct fp_fcell *c, const struct fp_fcell *v,
    const struct fp_fcell *head)
{
	uint64_t dv, dh;

	if (!head || v->row != head->row)
		return !head || v->row > head->row;
	dv = v->col > c->col ? v->col - c->col : ((uint64_t)1 << 32) +
	    (c->col - v->col);
	dh = head->col > c->col ? head->col - c->col : ((uint64_t)1 << 32) +
	    (c->col - head->col);
	return dv < dh;
}

/*
 * 1 if the sheet hides header cell v: its column, or every column of a
 * range merged across from it.
 */
static int
head_hidden(const struct fp_fsheet *s, const struct fp_fcell *v)
{
	const struct fp_range *g = fp_apply_wide_merge(s, v->row, v->row + 1,
	    v->col);
	uint32_t c, last = g ? g->c2 : v->col;

	for (c = v->col; c <= last; c++)
		if (!fp_fsheet_col_hidden(s, c))
			return 0;
	return 1;
}

/*
 * nearer_head, but a header the sheet shows before one it hides (last
 * year's 得分 in a hidden column beside this year's).
 */
static int
better_head(const struct fp_fsheet *s, const struct fp_fcell *c,
    const struct fp_fcell *v, const struct fp_fcell *head)
{
	int vh = head_hidden(s, v);

	if (head && vh != head_hidden(s, head))
		return !vh;
	return nearer_head(c, v, head);
}

/*
 * The cell on c's row under the nearest cell above it that carries one
 * of the labels (a column's header; one the sheet shows, if there is),
 * or what a range merged over that cell shows (a 偏差原因 merged down
 * the rows of a block), or NULL; *headp gets the header.
 */
static const struct fp_fcell *
under(const struct fp_mapping *m, const struct fp_fsheet *s,
    const struct fp_fcell *c, const struct fp_labels *ls,
    const struct fp_fcell **headp)
{
	const struct fp_fcell *head = NULL, *v;
	size_t i, idx;
	int kind;

	for (i = 0; i < ls->n; i++) {
		if (strchr(ls->v[i], '*')) {
			size_t k;

			for (k = 0; k < s->rowstart[c->row]; k++)
				if (s->cells[k].label &&
				    fp_glob(ls->v[i], s->cells[k].label) &&
				    better_head(s, c, &s->cells[k], head))
					head = &s->cells[k];
			continue;
		}
		for (kind = FP_KEY_LABEL; kind <= FP_KEY_BASE; kind += 2)
			for (v = fp_fsheet_find(s, ls->v[i], (enum fp_key)kind,
			    &idx); v && v->row < c->row;
			    v = fp_fsheet_next(s, &idx))
				if (better_head(s, c, v, head))
					head = v;
	}
	*headp = head;
	if (!head)
		return NULL;
	v = fp_fsheet_at(s, c->row, head->col);
	/* A blank cell inside a merged range shows the range's value. */
	for (i = 0; !v && i < s->nmerges; i++) {
		const struct fp_range *g = &s->merges[i];

		if (g->r1 <= c->row && g->r2 >= c->row && g->c1 <= head->col &&
		    g->c2 >= head->col && g->r1 > head->row)
			v = fp_fsheet_at(s, g->r1, g->c1);
	}
	return v && v != c && !cell_is_taken(m, v) ? v : NULL;
}

/*
 * The paragraphs of s from its k0-th cell on, joined; returns the first,
 * the source.
 */
static const struct fp_fcell *
paragraphs_from(struct apply *a, const struct fp_table *t,
    const struct fp_field *f, const struct fp_fsheet *s, size_t k0)
{
	struct fp_buf para = FP_BUF_INIT;
	const struct fp_fcell *first = NULL;
	size_t k;

	for (k = k0; k < s->ncells; k++) {
		const struct fp_fcell *pc = &s->cells[k];
		size_t before = para.len;

		if (para.len)
			fp_buf_addc(&para, '\n');
		fp_norm_text(&para, pc->text, pc->len);
		if (para.len == before + (before ? 1 : 0)) {
			para.len = before;
			if (para.s)
				para.s[before] = '\0';
			continue;
		}
		if (!first)
			first = pc;
	}
	if (first)
		add_fact(a, t->name, "", f->name, para.s, s, first, first->row);
	fp_buf_release(&para);
	return first;
}

/* The paragraphs under c's row, joined; returns the first, the source. */
static const struct fp_fcell *
take_paragraphs(struct apply *a, const struct fp_table *t,
    const struct fp_field *f, const struct fp_fsheet *s,
    const struct fp_fcell *c)
{
	return paragraphs_from(a, t, f, s, s->rowstart[c->row + 1]);
}

/*
 * A report on a sheet of its own with no heading: where no cell has the
 * label of a field taken by paragraphs, another sheet named by one of its
 * labels (评价报告) gives all its text. 1 if one did.
 */
static int
sheet_paragraphs(struct apply *a, const struct fp_table *t,
    const struct fp_field *f)
{
	struct fp_buf lab = FP_BUF_INIT;
	const struct fp_fcell *got = NULL;
	size_t i;

	for (i = 0; i < f->ntake && f->take[i].way != FP_WAY_PARAGRAPHS; i++)
		;
	if (i == f->ntake)
		return 0;
	for (i = 0; i < a->form->nsheets && !got; i++) {
		const struct fp_fsheet *s = &a->form->sheets[i];

		if (i == a->sheet)
			continue;
		fp_buf_reset(&lab);
		fp_norm_label(&lab, s->name, strlen(s->name));
		if (lab.s && fp_labels_match(&f->labels, lab.s) &&
		    (got = paragraphs_from(a, t, f, s, 0)))
			fp_apply_note(a, 0,
			    "%s.%s: no cell labelled %s; sheet '%s', "
			    "named so, gives its text from %s", t->name,
			    f->name, fp_apply_labels_text(&a->val, &f->labels),
			    s->name, fp_apply_ref(a, s, got));
	}
	fp_buf_release(&lab);
	return got != NULL;
}

/*
 * 1 if part p of a cell's text after its colon is a pair set apart by a
 * wide gap that ends the value before it, though no field knows its
 * label: any pair after a value as short as a name (某局<spaces>填报时间：
 * 2024年1月24日), not after a text's sentences; after anything, a unit
 * line (填报单位：某局<spaces>金额单位：万元).
 */
static int
pair_after_gap(const char *after, const struct fp_fpart *p)
{
	struct fp_buf line = FP_BUF_INIT;
	int exp, unit;

	if (p->at < 2 || !((after[p->at - 1] == ' ' &&
	    after[p->at - 2] == ' ') || after[p->at - 1] == '\t' ||
	    (p->at >= 3 && !memcmp(after + p->at - 3, "\xe3\x80\x80", 3))))
		return 0;
	if (p->at <= 90)
		return 1;
	fp_buf_printf(&line, "%s:", p->label);
	fp_norm_label(&line, after + p->value, strlen(after + p->value));
	unit = fp_money_unit(line.s, &exp) == FP_UNIT_LINE;
	fp_buf_release(&line);
	return unit;
}

/*
 * Where the value from offset from of cell c's text after its colon ends,
 * looking at the sheet's pairs from the k-th on:
 * at the next pair whose label the mapping knows (填表人：周敏　　联系电话：
 * 0730-5456789), or at the text's end.
 */
static size_t
pair_end_from(const struct fp_mapping *m, const struct fp_fsheet *s,
    size_t k, const struct fp_fcell *c, size_t from)
{
	size_t ci = (size_t)(c - s->cells);

	for (; k < s->nparts && s->parts[k].cell == ci; k++) {
		const struct fp_fpart *p = &s->parts[k];

		if (p->at < from)
			continue;
		if (p->wide && p->wide_at >= from && is_known(m, p->wide))
			return p->wide_at;
		if (is_known(m, p->label) || pair_after_gap(c->after, p))
			return p->at;
	}
	return strlen(c->after);
}

/* The same, from the cell's first pair. */
static size_t
pair_end(const struct fp_mapping *m, const struct fp_fsheet *s,
    const struct fp_fcell *c, size_t from)
{
	size_t n = 0;
	const struct fp_fpart *p = fp_fsheet_parts(s, (size_t)(c - s->cells),
	    &n);

	return pair_end_from(m, s, p ? (size_t)(p - s->parts) : s->nparts, c,
	    from);
}

/*
 * Tries the field's ways of taking a value from its label's cell c
 * (found by the part before a colon if by_prefix). Returns the cell the
 * value came from, or NULL.
 */
static const struct fp_fcell *
take_value(struct apply *a, const struct fp_table *t, const struct fp_field *f,
    const struct fp_fsheet *s, const struct fp_fcell *c, int by_prefix)
{
	size_t i;

	for (i = 0; i < f->ntake; i++) {
		const struct fp_take *tk = &f->take[i];
		const struct fp_fcell *vc = NULL, *head = NULL;
		struct fp_value v;

		if (tk->way == FP_WAY_COLON) {
			if (!by_prefix || !c->after)
				continue;
			memset(&v, 0, sizeof v);
			v.text = c->after;
			v.len = pair_end(a->m, s, c, 0);
			if (fp_apply_field_value(a, f, &v, field_unit(f, s, c))) {
				add_fact(a, t->name, "", f->name, a->val.s, s,
				    c,
				    c->row);
				return c;
			}
			continue;
		}
		/* A label with its value after the colon has no other. */
		if (by_prefix && c->after)
			continue;
		switch (tk->way) {
		case FP_WAY_RIGHT:
			vc = step(a->m, s, c, 0, 1, tk->n);
			break;
		case FP_WAY_LEFT:
			vc = step(a->m, s, c, 0, -1, tk->n);
			break;
		case FP_WAY_BELOW:
			vc = step(a->m, s, c, 1, 0, tk->n);
			break;
		case FP_WAY_ABOVE:
			vc = step(a->m, s, c, -1, 0, tk->n);
			break;
		case FP_WAY_UNDER:
			vc = under(a->m, s, c, &tk->under, &head);
			break;
		case FP_WAY_PARAGRAPHS:
			if ((vc = take_paragraphs(a, t, f, s, c)))
				return vc;
			continue;
		default:
			continue;
		}
		if (vc && (tk->way == FP_WAY_RIGHT || tk->way == FP_WAY_BELOW) &&
		    take_lines(a, t, f, s, c, vc))
			return vc;
		if (vc && fp_apply_take_cell(a, t, f, "", s, vc, vc->row,
		    head && head->unit_kind && f->type == FP_T_MONEY ?
		    head->unit_exp : field_unit(f, s, c)))
			return vc;
	}
	return NULL;
}

/* Appends x to the array *v of *n (room for *cap), growing it by half. */
static void
push(size_t **v, size_t *n, size_t *cap, size_t x)
{
	if (*n == *cap) {
		*cap = *cap ? *cap + *cap / 2 : 8;
		*v = fp_xreallocarray(*v, *cap, sizeof **v);
	}
	(*v)[(*n)++] = x;
}

static int
idx_cmp(const void *x, const void *y)
{
	size_t a = *(const size_t *)x, b = *(const size_t *)y;

	return a < b ? -1 : a > b;
}

/*
 * The slots a pattern's match fills: the whole match and its groups (a
 * pattern of many alternatives, a year in a title, a line, a period, has
 * a group in each).
 */
#define MAX_GROUPS (FP_PATTERN_GROUPS + 1)

/* Of a match's slots, the first group that matched, or the whole match. */
static const regmatch_t *
first_group(const regmatch_t *mt)
{
	size_t i;

	for (i = 1; i < MAX_GROUPS && mt[i].rm_so < 0; i++)
		;
	return i < MAX_GROUPS ? &mt[i] : &mt[0];
}

/*
 * Where on a sheet a field's label (or pattern) may be: below row after,
 * above row before (a pattern's), in columns incol..lastcol; -1 (before:
 * INT64_MAX) where not bounded.
 */
struct fence {
	int64_t after, before, incol, lastcol;
};

static int
in_fence(const struct fence *fn, const struct fp_fcell *c)
{
	return (int64_t)c->row > fn->after && (int64_t)c->row < fn->before &&
	    (fn->incol < 0 || ((int64_t)c->col >= fn->incol &&
	    (int64_t)c->col <= fn->lastcol));
}

/* The field's i-th pattern (0 its first, up to nmore). */
static const regex_t *
field_re(const struct fp_field *f, size_t i)
{
	return i ? &f->more[i - 1].re : &f->re;
}

/*
 * What a pattern sees of a number cell k with no words around it: where
 * the cell right of it goes on with 年 (2022 | 年度部门整体支出绩效自评表,
 * a title's year typed in a cell of its own), the whole number and that
 * cell's label joined, into *b; else NULL.
 */
static const char *
number_joined(const struct fp_fsheet *s, size_t k, struct fp_buf *b)
{
	const struct fp_fcell *c = &s->cells[k], *n = c + 1;
	size_t i;

	if (c->type != FP_CELL_NUMBER || !c->text || !c->len ||
	    k + 1 >= s->ncells || n->row != c->row || n->col != c->col + 1 ||
	    !n->label || strncmp(n->label, "年", strlen("年")))
		return NULL;
	for (i = 0; i < c->len; i++)
		if (c->text[i] < '0' || c->text[i] > '9')
			return NULL;
	fp_buf_reset(b);
	fp_buf_add(b, c->text, c->len);
	fp_buf_adds(b, n->label);
	return b->s;
}

/* A value by the pattern re, as apply_pattern gives one. */
static int
apply_one_pattern(struct apply *a, const struct fp_table *t,
    const struct fp_field *f, const struct fp_fsheet *s,
    const struct fence *fn, const regex_t *re)
{
	regmatch_t mt[MAX_GROUPS];
	struct fp_buf joined = FP_BUF_INIT;
	size_t k;

	for (k = 0; k < s->ncells; k++) {
		const struct fp_fcell *c = &s->cells[k];
		struct fp_value v;
		const char *l = c->label ? c->label : c->shown ? c->shown :
		    number_joined(s, k, &joined);
		const regmatch_t *g;
		char *cap;
		int got;

		if (!l || !in_fence(fn, c) ||
		    fp_regexec(re, l, MAX_GROUPS, mt, 0))
			continue;
		g = first_group(mt);
		cap = fp_xstrndup(l + g->rm_so,
		    (size_t)(g->rm_eo - g->rm_so));
		memset(&v, 0, sizeof v);
		v.text = cap;
		v.len = strlen(cap);
		got = fp_apply_field_value(a, f, &v, field_unit(f, s, c));
		if (got)
			add_fact(a, t->name, "", f->name, a->val.s, s, c,
			    c->row);
		fp_apply_note(a, 0, "%s.%s: pattern matches %s%s", t->name,
		    f->name,
		    fp_apply_ref(a, s, c), got ? "" :
		    ", but it gives no value");
		if (got && field_unit(f, s, c))
			fp_apply_unit_note(a, t, f, s, label_unit(s, c));
		free(cap);
		fp_buf_release(&joined);
		return 1;
	}
	fp_buf_release(&joined);
	return 0;
}

/*
 * A field found by regular expressions over the cells' label forms.
 * A value by the field's patterns: the first cell (in row order) inside
 * the fence whose label matches the first pattern, else the second, ….
 * 1 if one matched.
 */
static int
apply_pattern(struct apply *a, const struct fp_table *t,
    const struct fp_field *f, const struct fp_fsheet *s,
    const struct fence *fn)
{
	size_t i;

	for (i = 0; i <= f->nmore; i++)
		if (apply_one_pattern(a, t, f, s, fn, field_re(f, i)))
			return 1;
	return 0;
}

/* The value of the first row-less fact a reference names, or NULL. */
static struct fp_fact *
named(struct fp_record *rec, const struct fp_ref *r)
{
	size_t i;

	if (!r->table)
		return NULL;
	for (i = 0; i < rec->n; i++)
		if (!*rec->v[i].row && !strcmp(rec->v[i].table, r->table) &&
		    !strcmp(rec->v[i].field, r->field))
			return &rec->v[i];
	return NULL;
}

long
fp_apply_form_year(struct apply *a)
{
	const struct fp_fact *y = named(a->rec, &a->m->year);
	const char *v = a->o->set_year ? a->o->set_year : y ? y->value : NULL;
	double x;

	if (!v || !fp_parse_number(v, strlen(v), &x) || x < 1000 || x > 9999)
		return 0;
	return (long)x;
}

/*
 * A label split over two cells (实施 | 单位 side by side, 年度主要 over
 * 工作内容): a cell whose label starts one of the field's labels (none
 * with '*'), and the next cell of its row (at most a column between) or
 * the cell under it holding the rest. The value is taken from the
 * second cell of a row's pair, from the first of a column's (its value
 * merged down beside both), else the second. 1 if it gave one.
 */
static int
apply_split(struct apply *a, const struct fp_table *t,
    const struct fp_field *f, const struct fp_fsheet *s,
    const struct fence *fn)
{
	size_t k, i;

	for (k = 0; k < s->ncells; k++) {
		const struct fp_fcell *c = &s->cells[k], *next, *below, *vc;
		char where[64], where2[64];
		size_t n;

		if (!c->label || !*c->label || !in_fence(fn, c))
			continue;
		n = strlen(c->label);
		next = k + 1 < s->rowstart[c->row + 1] &&
		    s->cells[k + 1].col <= c->col + 2 && s->cells[k + 1].label ?
		    &s->cells[k + 1] : NULL;
		below = fp_fsheet_at(s, c->row + 1, c->col);
		if (below && !below->label)
			below = NULL;
		for (i = 0; i < f->labels.n; i++) {
			const char *lab = f->labels.v[i], *rest = lab + n;
			const struct fp_fcell *two = NULL;

			if (strchr(lab, '*') || strncmp(lab, c->label, n) ||
			    !*rest)
				continue;
			if (next && !strcmp(rest, next->label)) {
				two = next;
				vc = take_value(a, t, f, s, next, 0);
			} else if (below && !strcmp(rest, below->label)) {
				two = below;
				if (!(vc = take_value(a, t, f, s, c, 0)))
					vc = take_value(a, t, f, s, below, 0);
			} else {
				continue;
			}
			if (!vc)
				continue;
			snprintf(where, sizeof where, "%s", fp_apply_ref(a, s,
			    c));
			snprintf(where2, sizeof where2, "%s", fp_apply_ref(a, s,
			    two));
			fp_apply_note(a, 0,
			    "%s.%s: '%s' at %s and '%s' at %s, one label "
			    "over two cells, value at %s", t->name, f->name,
			    c->label, where, two->label, where2,
			    fp_apply_ref(a, s, vc));
			return 1;
		}
	}
	return 0;
}

/*
 * Forms stacked on a sheet are one department's, of one year: a later
 * form that names no department or year (2023年度项目支出绩效自评表
 * over the first form only) takes the form's above it, cited where it
 * is. 1 if it did.
 */
static int
from_form_above(struct apply *a, const struct fp_table *t,
    const struct fp_field *f)
{
	const struct fp_fsheet *s = &a->form->sheets[a->sheet];
	struct fp_record *above = a->rec - 1;
	const struct fp_ref *key = NULL;
	struct fp_fact *v;

	if (!strcmp(f->name, a->m->dept.field ? a->m->dept.field : "") &&
	    !strcmp(t->name, a->m->dept.table))
		key = &a->m->dept;
	else if (!strcmp(f->name, a->m->year.field ? a->m->year.field : "") &&
	    !strcmp(t->name, a->m->year.table))
		key = &a->m->year;
	if (!key || !s->band || a->probe || a->rec == a->out->recs ||
	    a->form->sheets[above->sheet].band != s->band)
		return 0;
	v = named(above, key);
	if (!v)
		return 0;
	push_fact(a, v->table, "", v->field, v->value, v->source, a->sheet, 0);
	fp_apply_note(a, 0,
	    "%s.%s: none on this form; the form above it on the "
	    "sheet gives %s at %s", t->name, f->name, v->value, v->source);
	return 1;
}

/*
 * A pattern's last resort: the name of the form's sheet (2022年度自评表,
 * the year nowhere else). The fact is cited at the sheet's first cell,
 * and a warning says where it came from. 1 if it gave a value.
 */
static int
pattern_in_name(struct apply *a, const struct fp_table *t,
    const struct fp_field *f)
{
	const struct fp_fsheet *s = &a->form->sheets[a->sheet];
	struct fp_buf lab = FP_BUF_INIT;
	struct fp_value v;
	regmatch_t mt[MAX_GROUPS];
	size_t i;
	int got = 0;

	fp_norm_label(&lab, s->name, strlen(s->name));
	for (i = 0; i <= f->nmore && !got; i++)
		if (s->ncells && lab.s && !fp_regexec(field_re(f, i), lab.s,
		    MAX_GROUPS, mt, 0)) {
			const regmatch_t *g = first_group(mt);

			memset(&v, 0, sizeof v);
			v.text = lab.s + g->rm_so;
			v.len = (size_t)(g->rm_eo - g->rm_so);
			got = fp_apply_field_value(a, f, &v, 0);
		}
	if (got) {
		add_fact(a, t->name, "", f->name, a->val.s, s, &s->cells[0],
		    s->cells[0].row);
		fp_apply_note(a, 1,
		    "%s.%s: no cell gives it; taken from the sheet's "
		    "name '%s' (cited at %s)", t->name, f->name, s->name,
		    fp_apply_ref(a, s, &s->cells[0]));
	}
	fp_buf_release(&lab);
	return got;
}

static void
stack_push(struct apply *a, size_t sheet, uint32_t row)
{
	if (a->nstacked == a->capstacked) {
		a->capstacked = a->capstacked ? a->capstacked * 2 : 8;
		a->stacked = fp_xreallocarray(a->stacked, a->capstacked,
		    sizeof *a->stacked);
	}
	a->stacked[a->nstacked].sheet = sheet;
	a->stacked[a->nstacked++].row = row;
}

/*
 * For the field that names the record: a later cell of the sheet with its
 * label in the same column and another value (a second project's
 * 项目名称 under the first) is a second form. A mapping of a form a sheet reads each in a band of
 * its own (the rows are kept in a->stacked); any other says it is not
 * read. cand[k] gave the value.
 */
static void
second_form(struct apply *a, const struct fp_table *t,
    const struct fp_field *f, const struct fp_fsheet *s, const size_t *cand,
    size_t ncand, size_t k, const struct fence *fn)
{
	const struct fp_ref *rec = &a->m->record;
	size_t sheet = (size_t)(s - a->form->sheets), first_at = a->nstacked;
	uint32_t col = s->cells[cand[k] >> 2].col;
	char *last, where[64];

	if (!rec->field || strcmp(rec->table, t->name) ||
	    strcmp(rec->field, f->name))
		return;
	last = fp_xstrdup(a->val.s);
	a->probe = 1;
	stack_push(a, sheet, s->cells[cand[k] >> 2].row);
	for (k++; k < ncand; k++) {
		const struct fp_fcell *c = &s->cells[cand[k] >> 2];

		if (cand[k] >> 2 == cand[k - 1] >> 2 ||
		    !in_fence(fn, c) || fp_fsheet_row_hidden(s, c->row) ||
		    c->row == a->stacked[a->nstacked - 1].row ||
		    c->col != col ||
		    !take_value(a, t, f, s, c, (int)(cand[k] & 1)) ||
		    !strcmp(a->val.s, last))
			continue;
		if (a->nstacked == first_at + 1) {
			snprintf(where, sizeof where, "%s", fp_apply_ref(a, s,
			    c));
			fp_apply_note(a, 1,
			    "%s.%s: '%s' again at %s with another value, "
			    "%s: a second form on the sheet, not read (a form "
			    "a sheet)", t->name, f->name, c->label, where,
			    a->val.s);
		}
		if (!a->m->every_sheet)
			break;
		stack_push(a, sheet, c->row);
		free(last);
		last = fp_xstrdup(a->val.s);
	}
	/* One form on the sheet: nothing to cut. */
	if (a->nstacked == first_at + 1)
		a->nstacked = first_at;
	a->probe = 0;
	free(last);
}

/*
 * The sheets 'sheet any' looks on, one a call: the form's own, then the
 * other visible sheets in order, then the hidden ones (a hidden copy of
 * the template holds stale values). Without it, the form's own, then the
 * sheet of its own a table of the form was read on. *o starts at 0; 0
 * when done.
 */
int
fp_apply_next_sheet(const struct apply *a, int any, size_t *o, size_t *si)
{
	size_t n = a->form->nsheets;

	if (*o == 0) {
		*si = a->sheet;
		*o = 1;
		return 1;
	}
	if (!any && *o == 1 && a->lone) {
		*si = a->lone - 1;
		*o = 2;
		return 1;
	}
	for (; any && *o <= 2 * n; ++*o) {
		size_t i = (*o - 1) % n;
		int hidden_pass = *o > n;

		if (i != a->sheet &&
		    !a->form->sheets[i].hidden == !hidden_pass &&
		    !(a->form->sheets[i].band && a->form->sheets[i].band ==
		    a->form->sheets[a->sheet].band)) {
			*si = i;
			++*o;
			return 1;
		}
	}
	return 0;
}

/* 1 if the field takes a value after its label's colon. */
static int
takes_colon(const struct fp_field *f)
{
	size_t i;

	for (i = 0; i < f->ntake; i++)
		if (f->take[i].way == FP_WAY_COLON)
			return 1;
	return 0;
}

/* Takes the value of the sheet's k-th pair for the field; 1 if it gave one. */
static int
take_part(struct apply *a, const struct fp_table *t, const struct fp_field *f,
    const struct fp_fsheet *s, size_t k)
{
	const struct fp_fpart *p = &s->parts[k];
	const struct fp_fcell *c = &s->cells[p->cell];
	size_t end = pair_end_from(a->m, s, k + 1, c, p->value);
	struct fp_value v;

	memset(&v, 0, sizeof v);
	v.text = c->after + p->value;
	v.len = end - p->value;
	if (!fp_apply_field_value(a, f, &v, field_unit(f, s, c)))
		return 0;
	add_fact(a, t->name, "", f->name, a->val.s, s, c, c->row);
	fp_apply_note(a, 0,
	    "%s.%s: '%s' inside the text of %s, value after its colon",
	    t->name, f->name, p->label, fp_apply_ref(a, s, c));
	return 1;
}

/*
 * Finds the field's label as a later pair of a cell's text after its
 * colon (联系电话 in 填表人：周敏　　联系电话：0730-5456789) within the
 * fence, and takes its value up to the
 * next pair the mapping knows.
 * Returns 1 if it took one.
 */
static int
apply_part(struct apply *a, const struct fp_table *t, const struct fp_field *f,
    const struct fp_fsheet *s, const struct fence *fn)
{
	size_t *cand = NULL, ncand = 0, cap = 0, i, k, n;
	int got = 0;

	if (!s->nparts || !takes_colon(f))
		return 0;
	/* The pairs with one of the labels, by the index or by glob. */
	for (i = 0; i < f->labels.n; i++) {
		const char *lab = f->labels.v[i];
		const struct fp_partkey *pk;

		if (strchr(lab, '*')) {
			for (k = 0; k < s->nparts; k++)
				if (fp_glob(lab, s->parts[k].label) ||
				    (s->parts[k].wide &&
				    fp_glob(lab, s->parts[k].wide))) {
					push(&cand, &ncand, &cap, k);
				}
			continue;
		}
		for (pk = fp_fsheet_find_parts(s, lab, &n), k = 0; k < n; k++)
			push(&cand, &ncand, &cap, pk[k].part);
	}
	if (ncand > 1)
		qsort(cand, ncand, sizeof *cand, idx_cmp);
	for (k = 0; k < ncand && !got; k++) {
		const struct fp_fpart *p = &s->parts[cand[k]];
		const struct fp_fcell *c = &s->cells[p->cell];

		if ((k && cand[k] == cand[k - 1]) || !in_fence(fn, c))
			continue;
		got = take_part(a, t, f, s, cand[k]);
	}
	free(cand);
	return got;
}


/*
 * 1 if cell c is a line of a table of contents: alone in its row under a
 * cell 目录, each row between them one cell (a cover's 二、评价报告综述
 * is no heading). 目录 is any document's word, not a form's label.
 */
static int
in_contents(const struct fp_fsheet *s, const struct fp_fcell *c)
{
	uint32_t r;

	if (s->rowstart[c->row + 1] - s->rowstart[c->row] != 1)
		return 0;
	for (r = c->row; r-- > 0 && c->row - r <= 40;) {
		size_t k = s->rowstart[r];

		if (s->rowstart[r + 1] - k != 1 || !s->cells[k].label)
			return 0;
		if (!strcmp(s->cells[k].label, "\xe7\x9b\xae\xe5\xbd\x95"))
			return 1;	/* 目录 */
	}
	return 0;
}

/*
 * Moves the labelled cells in rows the sheet hides after the others, in
 * order still: last year's contact, hidden above this year's, is not it.
 */
static void
shown_first(const struct fp_fsheet *s, size_t *cand, size_t ncand)
{
	size_t *hid, nhid = 0, k, n = 0;

	for (k = 0; k < ncand; k++)
		nhid += fp_fsheet_row_hidden(s, s->cells[cand[k] >> 2].row);
	if (!nhid || nhid == ncand)
		return;
	hid = fp_xreallocarray(NULL, nhid, sizeof *hid);
	nhid = 0;
	for (k = 0; k < ncand; k++) {
		if (fp_fsheet_row_hidden(s, s->cells[cand[k] >> 2].row))
			hid[nhid++] = cand[k];
		else
			cand[n++] = cand[k];
	}
	memcpy(cand + n, hid, nhid * sizeof *hid);
	free(hid);
}

/*
 * Of a grade or code field's labelled cells, the first whose value is one
 * of its values or codes (a 评价等次 note in a side column, before the
 * grade itself, names none); 0 if none is, or the field lists none.
 */
static size_t
first_listed(struct apply *a, const struct fp_table *t,
    const struct fp_field *f, const struct fp_fsheet *s, const size_t *cand,
    size_t ncand, const struct fence *fn)
{
	const struct fp_fcell *c = NULL, *vc = NULL, *other = NULL;
	char *was = NULL, where[64];
	size_t k;

	if ((f->type != FP_T_GRADE && f->type != FP_T_CODE) ||
	    (!f->nvalues && !f->ncodes) || ncand < 2)
		return 0;
	a->probe = 1;
	for (k = 0; k < ncand; k++) {
		c = &s->cells[cand[k] >> 2];
		if ((k && cand[k] >> 2 == cand[k - 1] >> 2) ||
		    !in_fence(fn, c) || in_contents(s, c) ||
		    !(vc = take_value(a, t, f, s, c, (int)(cand[k] & 1))))
			continue;
		if (a->listed)
			break;
		if (!other) {
			other = vc;
			was = fp_xstrdup(a->val.s);
		}
	}
	a->probe = 0;
	if (k == ncand || !other) {
		free(was);
		return 0;
	}
	snprintf(where, sizeof where, "%s", fp_apply_ref(a, s, other));
	fp_apply_note(a, 1, "%s.%s: '%s' at %s is none of its %s; read "
	    "'%s' at %s", t->name, f->name, was, where, f->ncodes ? "codes" :
	    "values", a->val.s, fp_apply_ref(a, s, vc));
	free(was);
	return k;
}

/*
 * The last column a beneath field's label may be in, under heading top:
 * top's own; for a group's heading, the last it is merged across, where
 * the heading has others beside it in its row and one of the labels
 * stands right under it (出国（境） | 国内公务接待 over 团组数 | 人次 |
 * 批次 | 人次). A title alone in its row keeps to its first column.
 */
static uint32_t
beneath_last_col(const struct fp_fsheet *s, const struct fp_fcell *top,
    const struct fp_labels *labels)
{
	const struct fp_range *wide = fp_apply_wide_merge(s, top->row,
	    top->row + 1, top->col);
	size_t k;
	int beside = 0;

	if (!wide || top->row + 1 >= s->nrows)
		return top->col;
	for (k = s->rowstart[top->row]; k < s->rowstart[top->row + 1]; k++)
		beside |= s->cells[k].col < wide->c1 ||
		    s->cells[k].col > wide->c2;
	for (k = s->rowstart[top->row + 1]; beside &&
	    k < s->rowstart[top->row + 2]; k++)
		if (s->cells[k].col >= wide->c1 && s->cells[k].col <= wide->c2 &&
		    s->cells[k].label &&
		    fp_apply_cell_matches(labels, &s->cells[k]))
			return wide->c2;
	return top->col;
}

/* Finds one field of a fields table, by pattern or by label. */
static void
apply_field(struct apply *a, const struct fp_table *t, const struct fp_field *f)
{
	const struct fp_form *form = a->form;
	size_t o = 0, si, nlabelled = 0;
	const struct fp_fcell *first = NULL;
	const struct fp_fsheet *firsts = NULL;

	while (fp_apply_next_sheet(a, f->any_sheet, &o, &si)) {
		const struct fp_fsheet *s = &form->sheets[si];
		size_t *cand = NULL, ncand = 0, cap = 0, k, i, listed;
		struct fence fn = { -1, INT64_MAX, -1, -1 }, pf;
		int64_t before = INT64_MAX;

		if (f->after.n) {
			const struct fp_fcell *fence = fence_label(s,
			    &f->after);

			if (!fence)
				continue;
			fn.after = fence->row;
		}
		/* before bounds the pattern alone: the form's head. */
		if (f->before.n) {
			const struct fp_fcell *fence = fence_label(s,
			    &f->before);

			if (fence)
				before = fence->row;
		}
		if (f->beneath.n) {
			const struct fp_fcell *top = fence_label(s,
			    &f->beneath);

			if (!top)
				continue;
			if ((int64_t)top->row > fn.after)
				fn.after = top->row;
			fn.incol = top->col;
			fn.lastcol = beneath_last_col(s, top, &f->labels);
		}
		/* Every cell carrying one of the labels, in row order. */
		for (i = 0; i < f->labels.n; i++) {
			const char *lab = f->labels.v[i];
			const struct fp_fcell *c;
			size_t idx;
			int by;

			if (strchr(lab, '*')) {
				for (k = 0; k < s->ncells; k++)
					if (s->cells[k].label &&
					    fp_glob(lab, s->cells[k].label)) {
						push(&cand, &ncand, &cap,
						    k << 2);
					}
				continue;
			}
			for (by = 0; by < 4; by++)
				for (c = fp_fsheet_find(s, lab, (enum fp_key)by,
				    &idx); c; c = fp_fsheet_next(s, &idx)) {
					push(&cand, &ncand, &cap, idx);
				}
		}
		if (ncand > 1)
			qsort(cand, ncand, sizeof *cand, idx_cmp);
		shown_first(s, cand, ncand);
		listed = first_listed(a, t, f, s, cand, ncand, &fn);
		for (k = 0; k < ncand; k++) {
			const struct fp_fcell *c = &s->cells[cand[k] >> 2], *vc;
			char where[64];

			if (k && cand[k] >> 2 == cand[k - 1] >> 2)
				continue;
			if (!in_fence(&fn, c) || in_contents(s, c))
				continue;
			nlabelled++;
			if (!first) {
				first = c;
				firsts = s;
			}
			if (k < listed)
				continue;
			vc = take_value(a, t, f, s, c, (int)(cand[k] & 1));
			if (vc) {
				snprintf(where, sizeof where, "%s",
				    fp_apply_ref(a, s, c));
				fp_apply_note(a, 0,
				    "%s.%s: '%s' at %s, value at %s",
				    t->name, f->name, c->label, where,
				    fp_apply_ref(a, s, vc));
				if (field_unit(f, s, c))
					fp_apply_unit_note(a, t, f, s,
					    label_unit(s, c));
				if (si != a->sheet && s->hidden)
					fp_apply_note(a, 1,
					    "%s.%s: read on sheet '%s', "
					    "which the workbook hides", t->name,
					    f->name, s->name);
				second_form(a, t, f, s, cand, ncand, k, &fn);
				free(cand);
				return;
			}
		}
		free(cand);
		if (f->labels.n && apply_part(a, t, f, s, &fn))
			return;
		if (f->labels.n && !nlabelled && apply_split(a, t, f, s, &fn))
			return;
		/* A pattern where the labels give nothing. */
		pf = fn;
		pf.before = before;
		if (f->has_re && apply_pattern(a, t, f, s, &pf))
			return;
	}
	if (f->has_re && !first && pattern_in_name(a, t, f))
		return;
	if (!first && from_form_above(a, t, f))
		return;
	if (!first && f->labels.n && f->any_sheet && sheet_paragraphs(a, t, f))
		return;
	if (f->has_re && !first) {
		fp_apply_note(a, f->required,
		    "%s.%s%s: no cell %s%s%smatches \"%s\"",
		    t->name, f->name, f->required ? " (required)" : "",
		    f->labels.n ? "labelled " : "", f->labels.n ?
		    fp_apply_labels_text(&a->val, &f->labels) : "",
		    f->labels.n ?
		    ", and no cell " : "", f->pattern);
	} else if (!first) {
		fp_apply_note(a, f->required, "%s.%s%s: no cell labelled %s",
		    t->name,
		    f->name, f->required ? " (required)" : "",
		    fp_apply_labels_text(&a->val, &f->labels));
	} else {
		fp_apply_note(a, f->required,
		    "%s.%s%s: '%s' at %s%s, but no value "
		    "where 'take' looks%s%s%s", t->name, f->name,
		    f->required ? " (required)" : "", first->label,
		    fp_apply_ref(a, firsts, first), nlabelled > 1 ?
		    " and elsewhere" : "",
		    f->has_re ? ", and no cell matches \"" : "",
		    f->has_re ? f->pattern : "", f->has_re ? "\"" : "");
	}
}

/* ---- The form's sheets and records ----------------------------------- */

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

void
fp_fact_release(struct fp_fact *f)
{
	free(f->table);
	free(f->row);
	free(f->field);
	free(f->value);
	free(f->source);
}



/*
 * One unit, one key: rows whose keys differ only in the width of their
 * brackets (县救助站（二级机构） in one table, 县救助站(二级机构) in
 * another) take the first one's, so that rules match them across tables.
 */
static void
unify_keys(struct fp_record *rec)
{
	struct fp_buf b = FP_BUF_INIT;
	size_t nslots = 16, mask, i, h, *slots;
	char **folded;

	while (nslots < rec->n * 2)
		nslots *= 2;
	mask = nslots - 1;
	slots = fp_xcalloc(nslots, sizeof *slots);
	folded = fp_xcalloc(rec->n + 1, sizeof *folded);
	for (i = 0; i < rec->n; i++) {
		struct fp_fact *f = &rec->v[i];

		if (!strchr(f->row, '(') && !strstr(f->row, "\xef\xbc\x88"))
			continue;
		fp_buf_reset(&b);
		fp_norm_label(&b, f->row, strlen(f->row));
		folded[i] = fp_xstrdup(b.s ? b.s : "");
		for (h = fp_hash_slot(fp_hash(FP_HASH_INIT, folded[i]), mask);
		    slots[h]; h = (h + 1) & mask)
			if (!strcmp(folded[slots[h] - 1], folded[i]))
				break;
		if (!slots[h]) {
			slots[h] = i + 1;
		} else if (strcmp(rec->v[slots[h] - 1].row, f->row)) {
			free(f->row);
			f->row = fp_xstrdup(rec->v[slots[h] - 1].row);
		}
	}
	for (i = 0; i < rec->n; i++)
		free(folded[i]);
	free(folded);
	free(slots);
	fp_buf_release(&b);
}

/* dept, year and record from the facts (or --set), dept and year first. */
static void
finish_record(const struct fp_mapping *m, const struct fp_apply_opts *o,
    struct fp_record *rec)
{
	struct fp_fact *d = named(rec, &m->dept);
	struct fp_fact *y = named(rec, &m->year);
	struct fp_fact *r = named(rec, &m->record);
	size_t i;

	if (d && o->set_dept) {
		free(d->value);
		d->value = fp_xstrdup(o->set_dept);
	}
	if (y && o->set_year) {
		free(y->value);
		y->value = fp_xstrdup(o->set_year);
	}
	rec->dept = fp_xstrdup(o->set_dept ? o->set_dept : d ? d->value : "");
	rec->year = fp_xstrdup(o->set_year ? o->set_year : y ? y->value : "");
	rec->record = fp_xstrdup(r ? r->value : "");
	unify_keys(rec);
	for (i = 0; i < rec->n; i++)
		rec->v[i].sheet++;
	if (d) {
		d->sheet = 0;
		d->pos = 0;
		d->seq = 0;
	}
	if (y) {
		y->sheet = 0;
		y->pos = 0;
		y->seq = 1;
	}
	if (rec->n > 1)
		qsort(rec->v, rec->n, sizeof *rec->v, fact_cmp);
}

void
fp_apply_record_release(struct fp_record *rec)
{
	size_t k;

	for (k = 0; k < rec->n; k++)
		fp_fact_release(&rec->v[k]);
	free(rec->v);
	free(rec->dept);
	free(rec->year);
	free(rec->record);
}

void
fp_mapped_release(struct fp_mapped *o)
{
	size_t i;

	for (i = 0; i < o->nrecs; i++)
		fp_apply_record_release(&o->recs[i]);
	free(o->recs);
	for (i = 0; i < o->nnotes; i++)
		free(o->notes[i].text);
	free(o->notes);
	memset(o, 0, sizeof *o);
}

enum fp_err
fp_apply_once(const struct fp_mapping *m, const struct fp_form *form,
    const struct fp_apply_opts *opts, struct fp_mapped *out,
    struct fp_diag *d, struct fp_cut **stacked, size_t *nstacked)
{
	static const struct fp_apply_opts none;
	struct apply a;
	size_t *sheets, *notes_at, *grids, nsheets, si, i, k, nfacts = 0;
	enum fp_err err = FP_OK;

	memset(out, 0, sizeof *out);
	memset(&a, 0, sizeof a);
	a.m = m;
	a.form = form;
	a.o = opts ? opts : &none;
	a.out = out;
	sheets = fp_xcalloc(form->nsheets + 1, sizeof *sheets);
	notes_at = fp_xcalloc(form->nsheets + 1, sizeof *notes_at);
	grids = fp_xcalloc(form->nsheets + 1, sizeof *grids);
	nsheets = fp_apply_find_sheets(m, form, sheets);
	a.many = nsheets > 1 && !m->every_sheet;
	if (nsheets == 0) {
		err = fp_diag(d, FP_ENOMATCH, "not a %s form: %s", m->name,
		    fp_apply_sheet_how(m, &a.tmp));
		goto out;
	}
	out->recs = fp_xcalloc(nsheets, sizeof *out->recs);
	for (si = 0; si < nsheets; si++) {
		a.sheet = sheets[si];
		a.lone = fp_apply_lone_sheet(&a);
		notes_at[si] = out->nnotes;
		a.rec = &out->recs[out->nrecs++];
		a.rec->sheet = a.sheet;
		a.grids = 0;
		if (a.o->explain)
			fp_apply_note(&a, 0, "the form is on sheet '%s'",
			    form->sheets[a.sheet].name);
		for (i = 0; i < m->ntables; i++) {
			const struct fp_table *t = &m->tables[i];

			if (t->kind == FP_TABLE_FIELDS)
				for (k = 0; k < t->nfields; k++)
					apply_field(&a, t, &t->fields[k]);
			else
				fp_apply_grid(&a, t);
		}
		finish_record(m, a.o, a.rec);
		grids[si] = a.grids;
		nfacts += a.rec->n;
	}
	if (m->every_sheet && m->record.table)
		fp_apply_drop_unnamed(&a, sheets, notes_at, grids);
	else if (a.many)
		fp_apply_keep_fullest(&a, sheets, notes_at);
	if (nfacts == 0)
		err = fp_diag(d, FP_ENOMATCH,
		    "not a %s form: none of its tables "
		    "is on sheet '%s'", m->name, form->sheets[sheets[0]].name);
	else
		fp_apply_unread_sheets(&a, sheets, nsheets);
out:
	free(sheets);
	free(notes_at);
	free(grids);
	fp_buf_release(&a.tmp);
	fp_buf_release(&a.val);
	fp_buf_release(&a.stripped);
	*stacked = a.stacked;
	*nstacked = a.nstacked;
	return err;
}

/*
 * 1 if row r closes a form above a later one's title: a row of a table
 * (two numbers, or a label of a keyed or list table's header, key, stop
 * or columns) or a footer (填表人：王芳).
 */
int
fp_apply_ends_a_form(const struct fp_mapping *m, const struct fp_fsheet *s,
    uint32_t r)
{
	size_t k, i, j, nnum = 0;

	if (fp_apply_row_starts_with_pair(m, s, r))
		return 1;
	for (k = s->rowstart[r]; k < s->rowstart[r + 1]; k++) {
		const struct fp_fcell *c = &s->cells[k];

		if (c->type == FP_CELL_NUMBER && ++nnum >= 2)
			return 1;
		if (!c->label)
			continue;
		for (i = 0; i < m->ntables; i++) {
			const struct fp_table *t = &m->tables[i];

			if (t->kind == FP_TABLE_FIELDS)
				continue;
			if (fp_apply_cell_matches(&t->header, c) ||
			    fp_apply_cell_matches(&t->key, c) ||
			    fp_apply_cell_matches(&t->stop, c))
				return 1;
			for (j = 0; j < t->nfields; j++)
				if (fp_apply_cell_matches(&t->fields[j].labels,
				    c))
					return 1;
		}
	}
	return 0;
}
