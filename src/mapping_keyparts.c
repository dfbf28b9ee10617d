/*
 * A keyed table's key written in parts, a column each: the subject code
 * of a final-accounts table as 类 | 款 | 项 (208 | 05 | 05) under a
 * header cell 科目编码 merged across the three, where another copy of
 * the form writes 2080505 in one column. The row's key is its parts
 * written together; a blank part left of a written one is the rows
 * above's (a 款 row under its 类 row, only 05 in it).
 */
#include "mapping_apply_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Longest part kept: subject codes have three, seven digits in all. */
#define MAX_PART 32
/* Most parts a key is written in (类 | 款 | 项 are three). */
#define MAX_PARTS 8

/* The digits of a part cell into buf (NUL-ended); 1 if it is one. */
static int
part_digits(const struct fp_fcell *c, char *buf)
{
	size_t i, n = 0;

	if (c->type == FP_CELL_NUMBER) {
		if (c->num < 0 || c->num >= 1e15 || c->num != floor(c->num))
			return 0;
		snprintf(buf, MAX_PART, "%.0f", c->num);
		return 1;
	}
	if (c->type != FP_CELL_TEXT || !c->label)
		return 0;
	for (i = 0; c->label[i]; i++) {
		if (c->label[i] < '0' || c->label[i] > '9' ||
		    n + 1 >= MAX_PART)
			return 0;
		buf[n++] = c->label[i];
	}
	buf[n] = '\0';
	return n > 0;
}

/*
 * 1 if a cell of row h (under the key's header cell, in header rows to
 * D - 1) names column c.
 */
static int
named_below(const struct fp_fsheet *s, uint32_t h, uint32_t D, uint32_t c)
{
	const struct fp_fcell *n;
	uint32_t r;

	for (r = h + 1; r < D; r++)
		if ((n = fp_fsheet_at(s, r, c)) && n->label && *n->label)
			return 1;
	return 0;
}

/* The range a header cell of rows R..D - 1 labelled as the key is merged across. */
static const struct fp_range *
key_group(const struct fp_table *t, const struct fp_fsheet *s, uint32_t R,
    uint32_t D, size_t *from)
{
	for (; *from < s->rowstart[D]; ++*from) {
		const struct fp_fcell *g = &s->cells[*from];
		const struct fp_range *m;

		if (g->row >= R && fp_apply_cell_matches(&t->key, g) &&
		    (m = fp_apply_wide_merge(s, g->row, g->row + 1, g->col)) &&
		    m->c1 == g->col && m->c2 - m->c1 < MAX_PARTS)
			return m;
	}
	return NULL;
}

/*
 * 1 if one of the 20 rows under row D writes digits in one of columns
 * lo..hi: a code's part (208 under 类).
 */
static int
digits_below(const struct fp_fsheet *s, uint32_t D, uint32_t lo, uint32_t hi)
{
	const struct fp_fcell *p;
	char buf[MAX_PART];
	uint32_t r, c;

	for (r = D + 1; r < s->nrows && r <= D + 20; r++)
		for (c = lo; c <= hi; c++)
			if ((p = fp_fsheet_at(s, r, c)) && part_digits(p, buf))
				return 1;
	return 0;
}

/*
 * 1 if each column a cell of rows R..D - 1 names outside lo..hi is
 * merged down into row D (决算数 over 类 | 款 | 项 and its own blank):
 * the row is the header's, whatever it writes.
 */
static int
others_merged_down(const struct fp_fsheet *s, uint32_t R, uint32_t D,
    uint32_t lo, uint32_t hi)
{
	size_t k, j;

	for (k = s->rowstart[R]; k < s->rowstart[D]; k++) {
		const struct fp_fcell *c = &s->cells[k];

		if (c->col >= lo && c->col <= hi)
			continue;
		for (j = 0; j < s->nmerges; j++)
			if (s->merges[j].r1 < D && s->merges[j].r2 >= D &&
			    s->merges[j].c1 <= c->col &&
			    s->merges[j].c2 >= c->col)
				break;
		if (j == s->nmerges)
			return 0;
	}
	return 1;
}

int
fp_keyparts_row(const struct fp_table *t, const struct fp_fsheet *s,
    uint32_t R, uint32_t D)
{
	const struct fp_range *m;
	size_t from = s->rowstart[R], k;

	if (!t->key.n || D >= s->nrows || s->rowstart[D + 1] -
	    s->rowstart[D] < 2)
		return 0;
	/*
	 * Names of parts, not a row of names (在职人员 | 行政编 under
	 * 人员类别 merged across both, its count blank): none is one of the
	 * table's row codes, and rows under them write a code's digits, or
	 * the header's other columns are merged down beside them.
	 */
	while ((m = key_group(t, s, R, D, &from))) {
		for (k = s->rowstart[D]; k < s->rowstart[D + 1]; k++)
			if (s->cells[k].col < m->c1 ||
			    s->cells[k].col > m->c2 || !s->cells[k].label ||
			    s->cells[k].type != FP_CELL_TEXT ||
			    fp_apply_is_row_code(t, &s->cells[k]))
				break;
		if (k == s->rowstart[D + 1] && (digits_below(s, D, m->c1,
		    m->c2) || others_merged_down(s, R, D, m->c1, m->c2)))
			return 1;
		from++;
	}
	return 0;
}

int
fp_keyparts_find(const struct fp_mapping *m, const struct fp_table *t,
    const struct fp_fsheet *s, uint32_t R, uint32_t D, struct fp_keyparts *kp)
{
	const struct fp_range *g;
	uint32_t r, c, n;
	size_t from = s->rowstart[R];

	memset(kp, 0, sizeof *kp);
	if (!t->key.n)
		return 0;
	for (; (g = key_group(t, s, R, D, &from)); from++) {
		for (c = g->c1; c <= g->c2 && named_below(s, g->r2, D, c); c++)
			;
		if (c <= g->c2)
			continue;
		kp->lo = g->c1;
		kp->hi = g->c2;
		break;
	}
	if (kp->hi <= kp->lo)
		return 0;
	/*
	 * A part typed as a number lost its zeros, and one typed short is
	 * short of them: as wide as its column's longest written as text
	 * in the table's code rows.
	 */
	n = kp->hi - kp->lo + 1;
	kp->last = fp_xcalloc(n, sizeof *kp->last);
	kp->width = fp_xcalloc(n, sizeof *kp->width);
	for (r = D; r < s->nrows && !fp_apply_past_rows(m, t, s, r); r++) {
		unsigned w[MAX_PARTS] = { 0 };
		int code = 1;

		for (c = kp->lo; c <= kp->hi && code; c++) {
			const struct fp_fcell *p = fp_fsheet_at(s, r, c);
			char buf[MAX_PART];

			if (!p || (p->type == FP_CELL_TEXT && (!p->label ||
			    !*p->label)))
				continue;
			code = part_digits(p, buf);
			if (code && p->type == FP_CELL_TEXT)
				w[c - kp->lo] = (unsigned)strlen(buf);
		}
		/* Only rows whose parts are all digits: a code's. */
		for (c = 0; code && c < n; c++)
			if (w[c] > kp->width[c])
				kp->width[c] = w[c];
	}
	return 1;
}

char *
fp_keyparts_key(struct fp_keyparts *kp, const struct fp_fsheet *s,
    uint32_t r, const struct fp_fcell **first)
{
	struct fp_buf b = FP_BUF_INIT;
	char part[MAX_PARTS][MAX_PART];
	int written[MAX_PARTS];
	uint32_t c, n = kp->hi - kp->lo + 1, j = 0, i;
	int any = 0;

	*first = NULL;
	for (c = kp->lo; c <= kp->hi; c++) {
		const struct fp_fcell *p = fp_fsheet_at(s, r, c);

		i = c - kp->lo;
		written[i] = p && (p->type != FP_CELL_TEXT || (p->label &&
		    *p->label));
		if (!written[i])
			continue;
		if (!part_digits(p, part[i]))
			return NULL;	/* 合计 over the parts: no code */
		while (strlen(part[i]) < kp->width[i]) {
			memmove(part[i] + 1, part[i], strlen(part[i]) + 1);
			part[i][0] = '0';
		}
		if (!*first)
			*first = p;
		j = i;
		any = 1;
	}
	if (!any)
		return NULL;
	for (i = 0; i < n; i++) {
		if (i > j) {
			free(kp->last[i]);
			kp->last[i] = NULL;
			continue;
		}
		if (written[i]) {
			free(kp->last[i]);
			kp->last[i] = fp_xstrdup(part[i]);
		}
		if (kp->last[i])
			fp_buf_adds(&b, kp->last[i]);
	}
	return fp_buf_detach(&b);
}

void
fp_keyparts_release(struct fp_keyparts *kp)
{
	uint32_t i;

	for (i = 0; kp->last && i <= kp->hi - kp->lo; i++)
		free(kp->last[i]);
	free(kp->last);
	free(kp->width);
	memset(kp, 0, sizeof *kp);
}
