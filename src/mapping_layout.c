/*
 * How a keyed or list table is laid out, beyond a header over its
 * columns (mapping_table.c): its rows' codes, a code column's choices a
 * column each under a merged header (确定能 | 有可能 | 完全不可能), and a
 * table written across, its columns' names down its side.
 */
#include "mapping_apply_int.h"

#include <stdlib.h>
#include <string.h>

#include "normalize.h"

/* 1 if cell c is one of the codes of a code field f (or of any, f NULL). */
int
fp_apply_is_code_of(const struct fp_table *t, const struct fp_field *f,
    const struct fp_fcell *c)
{
	size_t i, j;

	if (!c || !c->label || c->type != FP_CELL_TEXT)
		return 0;
	for (i = 0; i < t->nfields; i++) {
		const struct fp_field *g = &t->fields[i];

		if ((f && g != f) || g->type != FP_T_CODE)
			continue;
		for (j = 0; j < g->ncodes; j++)
			if (fp_apply_cell_matches(&g->codes[j].alts, c))
				return 1;
	}
	return 0;
}

/* The range merged across columns from (r, c), r in rows lo..hi - 1; or NULL. */
const struct fp_range *
fp_apply_wide_merge(const struct fp_fsheet *s, uint32_t lo, uint32_t hi,
    uint32_t c)
{
	size_t m;

	for (m = 0; m < s->nmerges; m++) {
		const struct fp_range *g = &s->merges[m];

		if (g->r1 >= lo && g->r1 < hi && g->c1 < g->c2 && g->c1 <= c &&
		    g->c2 >= c)
			return g;
	}
	return NULL;
}

/*
 * 1 if row D, under header rows R..D - 1, names the choices of a code
 * column a cell each: each of its cells is one of a code field's codes,
 * under a header cell merged across columns (确定能 | 有可能 | 完全不可能
 * under 全年预计完成情况).
 */
int
fp_apply_row_of_choices(const struct fp_table *t, const struct fp_fsheet *s,
    uint32_t R, uint32_t D)
{
	size_t k;

	if (D >= s->nrows || s->rowstart[D] == s->rowstart[D + 1])
		return 0;
	for (k = s->rowstart[D]; k < s->rowstart[D + 1]; k++)
		if (!fp_apply_is_code_of(t, NULL, &s->cells[k]) ||
		    !fp_apply_wide_merge(s, R, D, s->cells[k].col))
			return 0;
	return 1;
}

/* 1 if a cell of row r in columns lo..hi holds a tick. */
int
fp_apply_choice_ticked(const struct fp_fsheet *s, uint32_t r, uint32_t lo,
    uint32_t hi)
{
	uint32_t c;

	for (c = lo; c <= hi; c++) {
		const struct fp_fcell *x = fp_fsheet_at(s, r, c);

		if (x && x->type == FP_CELL_TEXT && fp_has_tick(x->text, x->len))
			return 1;
	}
	return 0;
}

/* The number of the table's fields a label of cell c names, or 0. */
static size_t
field_named(const struct fp_table *t, const struct fp_fcell *c)
{
	size_t i;

	if (!c || !c->label)
		return 0;
	for (i = 0; i < t->nfields; i++)
		if (!t->fields[i].heading &&
		    fp_apply_names_column(t, c, &t->fields[i].labels))
			return i + 1;
	return 0;
}

/* The most rows a table read across may have its columns' names down. */
#define MAX_ACROSS 64

/*
 * 1 if the table at anchor is written across: the names of more of its
 * columns stand down the anchor's column, one a row (年初预算数 over
 * 全年预算数 over 全年执行数; 姓名 over 职务 over 单位), than across its
 * header (the anchor's row, and the row under it right of the anchor),
 * two at least. *top and *bot are then the rows of the block: those
 * names' rows and, for a keyed table, the row above them where it holds
 * row codes (the sources of funds across the top).
 */
int
fp_apply_written_across(const struct fp_table *t, const struct fp_fsheet *s,
    const struct fp_fcell *anchor, uint32_t *top, uint32_t *bot)
{
	unsigned char *down = fp_xcalloc(t->nfields + 1, 1);
	unsigned char *across = fp_xcalloc(t->nfields + 1, 1);
	size_t k, ndown = 0, nacross = 0, f;
	uint32_t r = anchor->row, c = anchor->col;

	*top = *bot = r;
	while (*top > 0 && r - *top < MAX_ACROSS &&
	    field_named(t, fp_fsheet_at(s, *top - 1, c)))
		--*top;
	while (*bot + 1 < s->nrows && *bot - *top < MAX_ACROSS &&
	    field_named(t, fp_fsheet_at(s, *bot + 1, c)))
		++*bot;
	for (r = *top; r <= *bot; r++)
		if ((f = field_named(t, fp_fsheet_at(s, r, c))) && !down[f]++)
			ndown++;
	for (r = anchor->row; r <= anchor->row + 1 && r < s->nrows; r++)
		for (k = s->rowstart[r]; k < s->rowstart[r + 1]; k++)
			if ((r == anchor->row || s->cells[k].col != c) &&
			    (f = field_named(t, &s->cells[k])) && !across[f]++)
				nacross++;
	free(down);
	free(across);
	if (ndown < 2 || ndown <= nacross)
		return 0;
	if (t->kind == FP_TABLE_KEYED && *top > 0)
		for (k = s->rowstart[*top - 1]; k < s->rowstart[*top]; k++)
			if (s->cells[k].col > c &&
			    fp_apply_is_row_code(t, &s->cells[k])) {
				--*top;
				break;
			}
	return 1;
}

