/*
 * Forms as grids of labelled cells. Every text cell gets its label form
 * (normalize.c) and, if it holds a colon with text after it, the label
 * form of the part before; both go into a per-sheet hash index, so that
 * finding a label is one lookup, not a search of the sheet.
 */
#include "form.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct fp_form *
fp_form_new(void)
{
	return fp_xcalloc(1, sizeof(struct fp_form));
}

/* Puts sheet i in the index by name (which has room). */
static void
index_sheet(struct fp_form *f, size_t i)
{
	size_t k = fp_hash_slot(fp_hash(FP_HASH_INIT, f->sheets[i].name),
	    f->mask);

	while (f->byname[k])
		k = (k + 1) & f->mask;
	f->byname[k] = i + 1;
}

/*
 * The sheet of a cell stream's cell, made at the end if new: the last
 * one (the stream goes sheet by sheet), else looked up by name in an
 * index kept at most half full, so that a stream of many sheets costs
 * what its cells do.
 */
static struct fp_fsheet *
sheet_named(struct fp_form *f, const char *name)
{
	size_t i, k;

	if (f->nsheets && !strcmp(f->sheets[f->nsheets - 1].name, name))
		return &f->sheets[f->nsheets - 1];
	if ((f->nsheets + 1) * 2 > f->mask + 1 || !f->byname) {
		free(f->byname);
		f->mask = f->mask ? f->mask * 2 + 1 : 15;
		while ((f->nsheets + 1) * 2 > f->mask + 1)
			f->mask = f->mask * 2 + 1;
		f->byname = fp_xcalloc(f->mask + 1, sizeof *f->byname);
		f->nindexed = 0;
	}
	for (; f->nindexed < f->nsheets; f->nindexed++)
		index_sheet(f, f->nindexed);
	for (k = fp_hash_slot(fp_hash(FP_HASH_INIT, name), f->mask);
	    (i = f->byname[k]) != 0; k = (k + 1) & f->mask)
		if (!strcmp(f->sheets[i - 1].name, name))
			return &f->sheets[i - 1];
	if (f->nsheets == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 4;
		f->sheets = fp_xreallocarray(f->sheets, f->cap, sizeof *f->sheets);
	}
	memset(&f->sheets[f->nsheets], 0, sizeof f->sheets[0]);
	f->sheets[f->nsheets].name = fp_xstrdup(name);
	return &f->sheets[f->nsheets++];
}

/* Finds the first ':' or '：' in s; returns its offset and width, or 0. */
static size_t
colon_at(const char *s, size_t n, size_t *width)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == ':') {
			*width = 1;
			return i + 1;
		}
		if (i + 3 <= n && !memcmp(s + i, "\xef\xbc\x9a", 3)) {
			*width = 3;
			return i + 1;
		}
	}
	return 0;
}

/*
 * FP_UNIT_LINE if a line of the text, one of several, states the unit of
 * amounts with 单位： (金额单位：元 over 机构名称 in a table's corner
 * cell, split by a diagonal), *exp its power of ten in 万元; else 0. The
 * cell's label runs its lines together, so the unit is not at its end.
 */
static int
unit_line(struct fp_buf *b, const char *text, size_t len, int *exp)
{
	const char *p = text, *end = text + len, *nl;
	int e;

	if (!memchr(text, '\n', len))
		return 0;
	for (; p < end; p = nl + 1) {
		if (!(nl = memchr(p, '\n', (size_t)(end - p))))
			nl = end;
		fp_buf_reset(b);
		fp_norm_label(b, p, (size_t)(nl - p));
		if (b->s && fp_money_unit(b->s, &e) == FP_UNIT_LINE) {
			*exp = e;
			return FP_UNIT_LINE;
		}
	}
	return 0;
}

/*
 * Where a label ends that white space parts from its value in the cell,
 * no colon between them (联系人　　王丽): a run of two spaces or more
 * (U+3000, ASCII) after two to ten ideographs with none between them
 * (not 联　系　人, nor 姓　　名, a label spaced out), and before no note
 * in brackets; its offset as
 * colon_at gives it, *width the run's, or 0.
 */
static size_t
spaced_at(const char *s, size_t n, size_t *width)
{
	size_t i = 0, chars = 0, run, k;
	uint32_t cp;

	while (i < n && s[i] != ' ' && (i + 3 > n ||
	    memcmp(s + i, "\xe3\x80\x80", 3))) {
		/* Ideographs alone: no （一） or 1、 before a unit's name. */
		if (!(k = fp_utf8_decode(s + i, n - i, &cp)) ||
		    cp < 0x4e00 || cp > 0x9fff)
			return 0;
		i += k;
		chars++;
	}
	if (chars < 2 || chars > 10)
		return 0;
	for (k = i, run = 0; k < n; run++)
		if (s[k] == ' ')
			k++;
		else if (k + 3 <= n && !memcmp(s + k, "\xe3\x80\x80", 3))
			k += 3;
		else
			break;
	/* Not a note after the label: 联系人  （签字）. */
	if (run < 2 || k >= n || s[k] == '(' || s[k] == '[' ||
	    (k + 3 <= n && (!memcmp(s + k, "\xef\xbc\x88", 3) ||
	    !memcmp(s + k, "\xe3\x80\x90", 3))))
		return 0;
	*width = k - i;
	return i + 1;
}

/*
 * The length of label without a trailing "(...)" note, or 0 if it has
 * none (or is nothing but one).
 */
static size_t
note_at(const char *label)
{
	size_t n = strlen(label), depth = 0, i;

	if (n < 3 || label[n - 1] != ')')
		return 0;
	for (i = n; i-- > 0;) {
		if (label[i] == ')')
			depth++;
		else if (label[i] == '(' && --depth == 0)
			break;
	}
	if (i == (size_t)-1 || depth)
		return 0;
	return i;
}

size_t
fp_label_enumerator(const char *label)
{
	/* 一 二 三 四 五 六 七 八 九 十 */
	static const uint32_t han[] = {
		0x4E00, 0x4E8C, 0x4E09, 0x56DB, 0x4E94, 0x516D, 0x4E03,
		0x516B, 0x4E5D, 0x5341,
	};
	const char *p = label;
	int paren = *p == '(', n = 0, is_han;
	uint32_t cp;
	size_t k, i;

	if ((k = fp_utf8_decode(p, strlen(p), &cp)) && cp >= 0x2460 &&
	    cp <= 0x2473)
		return p[k] ? k : 0;	/* ① to ⑳ */
	p += paren;
	for (; n < 3; n++, p += k) {
		k = fp_utf8_decode(p, strlen(p), &cp);
		for (i = 0, is_han = 0; i < sizeof han / sizeof han[0]; i++)
			is_han |= cp == han[i];
		if (!k || !((cp >= '0' && cp <= '9') || is_han))
			break;
	}
	if (!n)
		return 0;
	if (paren ? *p != ')' : !(*p == '.' || *p == ')' ||
	    !strncmp(p, "\xe3\x80\x81", 3)))
		return 0;
	p += !paren && *p != '.' && *p != ')' ? 3 : 1;
	if (!*p || (*p >= '0' && *p <= '9'))
		return 0;
	return (size_t)(p - label);
}

/*
 * The label as its words alone, or NULL if that is the label: without a
 * trailing note in brackets (人员编制(人)), an enumerator in front
 * ((一)联系人, 1.项目名称) or an English line after it (联系人Contact,
 * 三级指标Level3: its line break gone in label form).
 */
/*
 * The length of s (n bytes) without an English line at its end: a run of
 * ASCII letters (two or more), digits and . , ' & / - after a character
 * of another script or a closing bracket; n if there is none.
 */
static size_t
without_english(const char *s, size_t n)
{
	size_t k, letters = 0;

	for (k = n; k > 0; k--) {
		char ch = s[k - 1];

		if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z'))
			letters++;
		else if (!(ch >= '0' && ch <= '9') && !strchr(".,'&/-", ch))
			break;
	}
	if (letters < 2 || k == 0 ||
	    ((unsigned char)s[k - 1] < 0x80 && s[k - 1] != ')'))
		return n;
	return k;
}

/*
 * The length of the marks a label carries (a required field's * or ※, a
 * ▲ or ★ drawing the eye, a 。 or ？ typed after it) at the end of s (n
 * bytes), or at its start with at_start (not 。).
 */
static size_t
required_mark(const char *s, size_t n, int at_start)
{
	/* ※ ▲ △ ★ ☆ ◆ ◇ anywhere; 。 at the end only (the last). */
	static const char marks[][4] = {
		"\xe2\x80\xbb", "\xe2\x96\xb2", "\xe2\x96\xb3", "\xe2\x98\x85",
		"\xe2\x98\x86", "\xe2\x97\x86", "\xe2\x97\x87", "\xe3\x80\x82",
	};
	size_t nmarks = sizeof marks / sizeof marks[0] - (at_start ? 1 : 0);
	size_t k = 0, i;

	for (;;) {
		/* The mark's first byte: at s + k, or 3 bytes before s + n - k. */
		const char *at = k + 3 > n ? NULL : at_start ? s + k :
		    s + n - k - 3;
		char last = k < n ? (at_start ? s[k] : s[n - k - 1]) : '\0';

		if (last == '*' || (!at_start && last == '?')) {
			k++;
			continue;
		}
		for (i = 0; at && i < nmarks; i++)
			if (!memcmp(at, marks[i], 3))
				break;
		if (!at || i == nmarks)
			return k;
		k += 3;
	}
}

static char *
bare_label(struct fp_form *f, const char *label)
{
	char *s = fp_xstrdup(label), *bare;
	size_t n = strlen(s), e, was, k;

	/*
	 * 人员编制(人)Staff(persons): the English, then the note, then the
	 * marks (联系人*, 项目名称※, 收入合计▲, 联系人。), till none.
	 */
	do {
		was = n;
		n = without_english(s, n);
		s[n] = '\0';
		if ((k = note_at(s)) > 0) {
			n = k;
			s[n] = '\0';
		}
		n -= required_mark(s, n, 0);
		s[n] = '\0';
	} while (n < was && n > 0);
	/* *项目名称: the mark, then an enumerator, in front. */
	k = required_mark(s, n, 1);
	e = k + fp_label_enumerator(s + k);
	bare = n > e && (e > 0 || strcmp(s, label)) ?
	    fp_arena_strndup(&f->strings, s + e, n - e) : NULL;
	free(s);
	return bare;
}

static void
add_cell(struct fp_form *f, struct fp_fsheet *s, uint32_t row, uint32_t col,
    enum fp_cell_type type, double num, const char *text, size_t len)
{
	struct fp_arena *a = &f->strings;
	struct fp_buf *b = &f->scratch;
	struct fp_fcell *c;

	if (s->ncells == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 8;
		s->cells = fp_xreallocarray(s->cells, s->cap, sizeof *s->cells);
	}
	c = &s->cells[s->ncells++];
	memset(c, 0, sizeof *c);
	c->row = row;
	c->col = col;
	c->type = (uint8_t)type;
	c->num = num;
	c->text = fp_arena_strndup(a, text, len);
	c->len = len;
	if (type == FP_CELL_TEXT) {
		size_t at, w = 0;
		int exp = 0;

		fp_buf_reset(b);
		fp_norm_label(b, text, len);
		c->label = fp_arena_strndup(a, b->s ? b->s : "", b->len);
		c->base = bare_label(f, c->label);
		c->unit_kind = (uint8_t)(fp_money_unit_word(c->label, &exp) ?
		    FP_UNIT_WORD : fp_money_unit(c->label, &exp));
		if (!(at = colon_at(text, len, &w)))
			c->spaced = (at = spaced_at(text, len, &w)) != 0;
		if (at) {
			size_t k = at - 1 + w;

			fp_buf_reset(b);
			fp_norm_label(b, text, at - 1);
			c->prefix = fp_arena_strndup(a, b->s ? b->s : "",
			    b->len);
			c->pbase = bare_label(f, c->prefix);
			/* 年度资金总额（元）：25000 states its own unit. */
			if (!c->unit_kind)
				c->unit_kind = (uint8_t)fp_money_unit(c->prefix,
				    &exp);
			if (k < len) {
				fp_buf_reset(b);
				fp_norm_text(b, text + k, len - k);
				if (b->len)
					c->after = fp_arena_strndup(a, b->s,
					    b->len);
			}
		}
		if (!c->unit_kind)
			c->unit_kind = (uint8_t)unit_line(b, text, len, &exp);
		c->unit_exp = (int8_t)exp;
	}
}

/*
 * What a number's format adds: a percentage, a scale, zeros before it,
 * words around it.
 */
static void
number_looks(struct fp_form *f, struct fp_fcell *c,
    const struct fp_workbook *wb, uint32_t fmt)
{
	char shown[256];
	size_t n;
	int pad;

	c->percent = (uint8_t)fp_workbook_percent(wb, fmt);
	c->scale = (int8_t)fp_workbook_scale(wb, fmt, c->num, &pad);
	c->pad = (uint8_t)pad;
	if ((n = fp_workbook_shown(wb, fmt, c->num, shown, sizeof shown))) {
		fp_buf_reset(&f->scratch);
		fp_norm_label(&f->scratch, shown, n);
		if (f->scratch.len)
			c->shown = fp_arena_strndup(&f->strings,
			    f->scratch.s, f->scratch.len);
	}
}

size_t
fp_form_add(struct fp_form *f, const char *sheet, uint32_t row, uint32_t col,
    enum fp_cell_type type, const char *text, size_t len)
{
	struct fp_fsheet *s = sheet_named(f, sheet);
	double num = NAN;

	if (type == FP_CELL_NUMBER && !fp_parse_number(text, len, &num))
		type = FP_CELL_TEXT;
	add_cell(f, s, row, col, type, num, text, len);
	return (size_t)(s - f->sheets);
}

static int
cell_cmp(const void *a, const void *b)
{
	const struct fp_fcell *x = a, *y = b;

	if (x->row != y->row)
		return x->row < y->row ? -1 : 1;
	return x->col < y->col ? -1 : x->col > y->col;
}

const char *
fp_fcell_key(const struct fp_fcell *c, enum fp_key kind)
{
	switch (kind) {
	case FP_KEY_LABEL:
		return c->label;
	case FP_KEY_PREFIX:
		return c->prefix;
	case FP_KEY_BASE:
		return c->base;
	case FP_KEY_PBASE:
		return c->pbase;
	}
	return NULL;
}

/*
 * Puts cell i into the index under its key of the given kind. Cells come
 * in row order, so a chain grows at its end: tail[h] is the last cell of
 * the chain whose head sits in slot h, and appending costs one step
 * however many cells share the key (a sheet of 260,000 "x" cells).
 */
static void
index_put(struct fp_fsheet *s, size_t *tail, size_t i, enum fp_key kind)
{
	const char *key = fp_fcell_key(&s->cells[i], kind);
	size_t mask = s->nslots - 1;
	size_t h = fp_hash_slot(fp_hash(FP_HASH_INIT, key), mask);

	for (;; h = (h + 1) & mask) {
		size_t v = s->slots[h];

		if (v == 0) {
			s->slots[h] = (i << 2 | (size_t)kind) + 1;
			tail[h] = i;
			return;
		}
		v--;
		if ((v & 3) != (size_t)kind ||
		    strcmp(fp_fcell_key(&s->cells[v >> 2], kind), key))
			continue;
		/* Append to the chain of this key, keeping row order. */
		s->cells[tail[h]].next[kind] = i;
		tail[h] = i;
		return;
	}
}

/*
 * Fills s->unit_from: going down the sheet, the last statement of a unit
 * holds until the next: a 单位：元 cell anywhere, or a title alone in its
 * row with the unit in brackets (二、资产情况（元）). A note in a row of
 * several cells (a header's 合计（千元）, a units row, a field's 年度资金
 * 总额（元）) is that cell's own.
 */
static void
units_by_row(struct fp_fsheet *s)
{
	size_t cur = SIZE_MAX, k, a, b;
	uint32_t r;

	s->unit_from = fp_xcalloc((size_t)s->nrows + 1, sizeof *s->unit_from);
	for (r = 0; r < s->nrows; r++) {
		s->unit_from[r] = cur;
		a = s->rowstart[r];
		b = s->rowstart[r + 1];
		for (k = a; k < b; k++)
			if (s->cells[k].unit_kind == FP_UNIT_LINE ||
			    (s->cells[k].unit_kind == FP_UNIT_NOTE && b - a == 1))
				cur = k;
	}
	s->unit_from[s->nrows] = cur;
}

/*
 * Flags for 0..len - 1, 1 where one of the n spans covers it; NULL where
 * none starts in it. Spans may overlap, by the thousand: each adds one
 * at its start and takes one off past its end, and one running sum
 * flags them all, in spans plus len.
 */
static unsigned char *
flag_spans(const struct fp_rowspan *h, size_t n, uint32_t len)
{
	int64_t *d = NULL, on = 0;
	unsigned char *flags;
	size_t k;
	uint32_t i;

	for (k = 0; k < n; k++) {
		if (h[k].r1 >= len || h[k].r2 < h[k].r1)
			continue;
		if (!d)
			d = fp_xcalloc((size_t)len + 1, sizeof *d);
		d[h[k].r1]++;
		d[h[k].r2 < len ? h[k].r2 + 1 : len]--;
	}
	if (!d)
		return NULL;
	flags = fp_xcalloc(len, 1);
	for (i = 0; i < len; i++) {
		on += d[i];
		flags[i] = on != 0;
	}
	free(d);
	return flags;
}

/* Flags the rows with cells that the sheet hides: rows plus spans. */
static void
hidden_by_row(struct fp_fsheet *s)
{
	free(s->row_hidden);
	s->row_hidden = flag_spans(s->hidden_rows, s->nhidden_rows, s->nrows);
}

/* Flags the columns with cells that the sheet hides. */
static void
hidden_by_col(struct fp_fsheet *s)
{
	uint32_t ncols = 0;
	size_t k;

	free(s->col_hidden);
	s->col_hidden = NULL;
	s->ncol_flags = 0;
	if (!s->nhidden_cols)
		return;
	for (k = 0; k < s->ncells; k++)
		if (s->cells[k].col >= ncols)
			ncols = s->cells[k].col + 1;
	s->col_hidden = flag_spans(s->hidden_cols, s->nhidden_cols, ncols);
	s->ncol_flags = ncols;
}

/* The columns the sheet hides, from its widths. */
static void
hidden_cols(struct fp_fsheet *s, const struct fp_sheet_info *si)
{
	size_t k, n = 0;

	for (k = 0; k < si->nwidths; k++)
		n += si->widths[k].hidden != 0;
	if (!n)
		return;
	s->hidden_cols = fp_xreallocarray(NULL, n, sizeof *s->hidden_cols);
	for (k = 0; k < si->nwidths; k++) {
		if (!si->widths[k].hidden)
			continue;
		s->hidden_cols[s->nhidden_cols].r1 = si->widths[k].c1;
		s->hidden_cols[s->nhidden_cols].r2 = si->widths[k].c2;
		s->nhidden_cols++;
	}
}

/* The width of the white space at t + i (a space, U+3000, NBSP), or 0. */
static size_t
gap_at(const char *t, size_t i)
{
	if (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r')
		return 1;
	if (!strncmp(t + i, "\xe3\x80\x80", 3))
		return 3;
	if (!strncmp(t + i, "\xc2\xa0", 2))
		return 2;
	return 0;
}

/* The start of the UTF-8 character before offset i (> 0) of t. */
static size_t
char_before(const char *t, size_t i)
{
	do
		i--;
	while (i > 0 && ((unsigned char)t[i] & 0xc0) == 0x80);
	return i;
}

/*
 * The start of the words before offset q of t, back to white space or
 * t's start (填表人：　　联系电话：… has no first value): q if none,
 * SIZE_MAX if they run past PART_LABEL_MAX bytes.
 */
#define PART_LABEL_MAX 48

static size_t
words_before(const char *t, size_t q)
{
	size_t j = q, p;

	while (j > 0 && !gap_at(t, p = char_before(t, j))) {
		j = p;
		if (q - j > PART_LABEL_MAX)
			return SIZE_MAX;
	}
	return j;
}

static const char *
part_label(struct fp_form *f, const char *t, size_t from, size_t to)
{
	fp_buf_reset(&f->scratch);
	fp_norm_label(&f->scratch, t + from, to - from);
	return f->scratch.len ? fp_arena_strndup(&f->strings, f->scratch.s,
	    f->scratch.len) : NULL;
}

/*
 * Adds the pairs after cell i's colon: each later colon with words before
 * it back to white space (label), and back over single spaces to a wider
 * gap (wide: 联 系 电 话). The first pair's value is what comes before.
 */
static void
find_parts(struct fp_form *f, struct fp_fsheet *s, size_t i)
{
	const char *t = s->cells[i].after;
	size_t q, w, j, k, p;

	for (q = 0; t[q]; q += w) {
		w = 1;
		if (t[q] != ':' && strncmp(t + q, "\xef\xbc\x9a", 3))
			continue;
		if (t[q] != ':')
			w = 3;
		if ((j = words_before(t, q)) == SIZE_MAX || j == q)
			continue;
		/* Back over single spaces between words: 联 系 电 话. */
		for (k = j; k > 0 && t[p = char_before(t, k)] == ' ' &&
		    p > 0 && !gap_at(t, char_before(t, p)) &&
		    (p = words_before(t, p)) != SIZE_MAX && q - p <=
		    PART_LABEL_MAX; k = p)
			;
		if (s->nparts == s->partcap) {
			s->partcap = s->partcap ? s->partcap * 2 : 8;
			s->parts = fp_xreallocarray(s->parts, s->partcap,
			    sizeof *s->parts);
		}
		s->parts[s->nparts].cell = i;
		s->parts[s->nparts].label = part_label(f, t, j, q);
		s->parts[s->nparts].at = j;
		s->parts[s->nparts].wide = k < j ? part_label(f, t, k, q) : NULL;
		s->parts[s->nparts].wide_at = k;
		s->parts[s->nparts].value = q + w;
		if (s->parts[s->nparts].label)
			s->nparts++;
	}
}

static int
part_key_cmp(const void *a, const void *b)
{
	const struct fp_partkey *x = a, *y = b;
	int c = strcmp(x->label, y->label);

	return c ? c : x->part < y->part ? -1 : x->part > y->part;
}

/* Indexes the pairs by their labels, wide ones too, in sheet order. */
static void
index_parts(struct fp_fsheet *s)
{
	size_t i, n = 0;

	s->part_keys = fp_xcalloc(2 * s->nparts + 1, sizeof *s->part_keys);
	for (i = 0; i < s->nparts; i++) {
		s->part_keys[n].label = s->parts[i].label;
		s->part_keys[n++].part = i;
		if (s->parts[i].wide) {
			s->part_keys[n].label = s->parts[i].wide;
			s->part_keys[n++].part = i;
		}
	}
	s->npart_keys = n;
	qsort(s->part_keys, n, sizeof *s->part_keys, part_key_cmp);
}

static void
seal_sheet(struct fp_form *f, struct fp_fsheet *s)
{
	size_t i, k, n = 0, *tail;
	uint32_t r;

	/* Readers give cells in row order mostly: sort only if not. */
	for (i = 1; i < s->ncells; i++)
		if (cell_cmp(&s->cells[i - 1], &s->cells[i]) > 0) {
			qsort(s->cells, s->ncells, sizeof *s->cells, cell_cmp);
			break;
		}
	s->nrows = s->ncells ? s->cells[s->ncells - 1].row + 1 : 0;
	s->rowstart = fp_xcalloc((size_t)s->nrows + 1, sizeof *s->rowstart);
	for (k = 0, r = 0; r <= s->nrows; r++) {
		while (k < s->ncells && s->cells[k].row < r)
			k++;
		s->rowstart[r] = k;
	}
	for (i = 0; i < s->ncells; i++) {
		for (k = 0; k < 4; k++) {
			s->cells[i].next[k] = SIZE_MAX;
			n += fp_fcell_key(&s->cells[i], (enum fp_key)k) != NULL;
		}
	}
	units_by_row(s);
	hidden_by_row(s);
	hidden_by_col(s);
	for (i = 0; i < s->ncells; i++)
		if (s->cells[i].after)
			find_parts(f, s, i);
	index_parts(s);
	s->nslots = 16;
	while (s->nslots < n * 2)
		s->nslots *= 2;
	s->slots = fp_xcalloc(s->nslots, sizeof *s->slots);
	tail = fp_xcalloc(s->nslots, sizeof *tail);
	for (i = 0; i < s->ncells; i++)
		for (k = 0; k < 4; k++)
			if (fp_fcell_key(&s->cells[i], (enum fp_key)k))
				index_put(s, tail, i, (enum fp_key)k);
	free(tail);
}

void
fp_form_seal(struct fp_form *f)
{
	size_t i;

	for (i = 0; i < f->nsheets; i++)
		seal_sheet(f, &f->sheets[i]);
}

struct fp_form *
fp_form_from_workbook(struct fp_workbook *wb, struct fp_diag *d)
{
	struct fp_form *f = fp_form_new();
	size_t i, k, n = fp_workbook_nsheets(wb), total = 0;

	f->date1904 = fp_workbook_date1904(wb);
	for (i = 0; i < n; i++) {
		struct fp_grid g;
		struct fp_fsheet *s;
		int over;

		if (fp_grid_load_max(wb, i, &g, FP_FORM_MAX_CELLS - total,
		    &over, d) != FP_OK || over) {
			if (over)
				fp_diag(d, FP_ENOMATCH, "sheet '%s' brings the "
				    "workbook past %d cells: too many for a "
				    "form (read and convert take it)",
				    fp_workbook_sheet(wb, i)->name,
				    FP_FORM_MAX_CELLS);
			fp_form_free(f);
			return NULL;
		}
		total += g.ncells;
		/* Sheets keep their own names, even two alike. */
		if (f->nsheets == f->cap) {
			f->cap = f->cap ? f->cap * 2 : 4;
			f->sheets = fp_xreallocarray(f->sheets, f->cap,
			    sizeof *f->sheets);
		}
		s = &f->sheets[f->nsheets++];
		memset(s, 0, sizeof *s);
		s->name = fp_xstrdup(fp_workbook_sheet(wb, i)->name);
		s->hidden = fp_workbook_sheet(wb, i)->hidden;
		s->nmerges = fp_workbook_sheet(wb, i)->nmerges;
		s->merges = fp_xcalloc(s->nmerges + 1, sizeof *s->merges);
		if (s->nmerges)
			memcpy(s->merges, fp_workbook_sheet(wb, i)->merges,
			    s->nmerges * sizeof *s->merges);
		s->nhidden_rows = fp_workbook_sheet(wb, i)->nhidden_rows;
		if (s->nhidden_rows) {
			s->hidden_rows = fp_xcalloc(s->nhidden_rows,
			    sizeof *s->hidden_rows);
			memcpy(s->hidden_rows,
			    fp_workbook_sheet(wb, i)->hidden_rows,
			    s->nhidden_rows * sizeof *s->hidden_rows);
		}
		hidden_cols(s, fp_workbook_sheet(wb, i));
		for (k = 0; k < g.ncells; k++) {
			const struct fp_cell *c = &g.cells[k];
			char buf[FP_NUM_MAX];
			size_t len;
			const char *v = fp_cell_render(c, f->date1904, buf, &len);

			add_cell(f, s, c->row, c->col, (enum fp_cell_type)c->type,
			    c->type == FP_CELL_TEXT || c->type == FP_CELL_ERROR ?
			    NAN : c->v.num, v, len);
			if (c->type == FP_CELL_NUMBER)
				number_looks(f, &s->cells[s->ncells - 1], wb,
				    c->fmt);
		}
		fp_grid_release(&g);
	}
	fp_form_seal(f);
	return f;
}

/*
 * 1 if rows r1..r2 meet the band lo..hi - 1, and then makes them the
 * band's, counted from lo (a range from above it starts at its top).
 */
static int
in_band(uint32_t *r1, uint32_t *r2, uint32_t lo, uint32_t hi)
{
	if (*r2 < lo || *r1 >= hi)
		return 0;
	*r1 = *r1 > lo ? *r1 - lo : 0;
	*r2 -= lo;
	return 1;
}

/*
 * Rows *r1..*r2 within top..bot, counted from top: 0 if none of them
 * is, else 1 with them cut to those.
 */
static int
clip_rows(uint32_t *r1, uint32_t *r2, uint32_t top, uint32_t bot)
{
	if (*r2 < top || *r1 > bot)
		return 0;
	*r1 = *r1 > top ? *r1 - top : 0;
	*r2 = (*r2 < bot ? *r2 : bot) - top;
	return 1;
}

/*
 * A copy of sheet src holding its rows lo..hi - 1 only, counted from lo
 * (row_base keeps where they are on the sheet), not yet sealed: a band
 * takes memory for its own rows, however far down the sheet.
 */
static struct fp_fsheet *
copy_rows(struct fp_form *f, const struct fp_fsheet *src, uint32_t lo,
    uint32_t hi, int band)
{
	struct fp_fsheet *s;
	size_t k;

	lo = lo < src->nrows ? lo : src->nrows;
	hi = hi < src->nrows ? hi : src->nrows;
	if (f->nsheets == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 4;
		f->sheets = fp_xreallocarray(f->sheets, f->cap, sizeof *f->sheets);
	}
	s = &f->sheets[f->nsheets++];
	memset(s, 0, sizeof *s);
	s->name = fp_xstrdup(src->name);
	s->hidden = src->hidden;
	s->band = band;
	s->row_base = src->row_base + lo;
	s->merges = fp_xcalloc(src->nmerges + 1, sizeof *s->merges);
	for (k = 0; k < src->nmerges; k++) {
		s->merges[s->nmerges] = src->merges[k];
		s->nmerges += in_band(&s->merges[s->nmerges].r1,
		    &s->merges[s->nmerges].r2, lo, hi);
	}
	s->hidden_rows = fp_xcalloc(src->nhidden_rows + 1,
	    sizeof *s->hidden_rows);
	for (k = 0; k < src->nhidden_rows; k++) {
		s->hidden_rows[s->nhidden_rows] = src->hidden_rows[k];
		s->nhidden_rows += in_band(&s->hidden_rows[s->nhidden_rows].r1,
		    &s->hidden_rows[s->nhidden_rows].r2, lo, hi);
	}
	if (src->nhidden_cols) {
		s->hidden_cols = fp_xreallocarray(NULL, src->nhidden_cols,
		    sizeof *s->hidden_cols);
		memcpy(s->hidden_cols, src->hidden_cols,
		    src->nhidden_cols * sizeof *s->hidden_cols);
		s->nhidden_cols = src->nhidden_cols;
	}
	s->joins = fp_xcalloc(src->njoins + 1, sizeof *s->joins);
	for (k = 0; k < src->njoins; k++) {
		struct fp_join j = src->joins[k];

		if (j.from >= hi)
			break;
		if (j.from < lo) {
			j.base += lo - j.from;
			j.from = 0;
		} else {
			j.from -= lo;
		}
		/* A later join from the band's first row takes this one's. */
		if (s->njoins && s->joins[s->njoins - 1].from == j.from)
			s->njoins--;
		s->joins[s->njoins] = j;
		s->joins[s->njoins++].name = fp_xstrdup(j.name);
	}
	s->ncells = s->cap = src->rowstart[hi] - src->rowstart[lo];
	s->cells = fp_xcalloc(s->ncells + 1, sizeof *s->cells);
	for (k = 0; k < s->ncells; k++) {
		s->cells[k] = src->cells[src->rowstart[lo] + k];
		s->cells[k].row -= lo;
	}
	return s;
}

/* The same, sealed. */
static void
copy_band(struct fp_form *f, const struct fp_fsheet *src, uint32_t lo,
    uint32_t hi, int band)
{
	seal_sheet(f, copy_rows(f, src, lo, hi, band));
}

/*
 * 1 if rows r1..r2 of a sheet meet its rows from skip on, and then makes
 * them rows of the sheet it is joined to from its row at; 0 for rows
 * wholly in its first skip (its heading: a title merged across), which
 * are left out.
 */
static int
moved_below(uint32_t *r1, uint32_t *r2, uint32_t skip, uint32_t at)
{
	if (!in_band(r1, r2, skip, UINT32_MAX))
		return 0;
	*r1 += at;
	*r2 += at;
	return 1;
}

/*
 * Appends to s, from its row at on, the rows of from after its first
 * skip (its heading).
 */
static void
join_rows(struct fp_fsheet *s, const struct fp_fsheet *from, uint32_t at,
    uint32_t skip)
{
	size_t k, n;

	skip = skip < from->nrows ? skip : from->nrows;
	n = from->ncells - from->rowstart[skip];
	s->joins = fp_xreallocarray(s->joins, s->njoins + 1, sizeof *s->joins);
	s->joins[s->njoins].from = at;
	s->joins[s->njoins].base = from->row_base + skip;
	s->joins[s->njoins++].name = fp_xstrdup(from->name);
	s->cells = fp_xreallocarray(s->cells, s->ncells + n + 1,
	    sizeof *s->cells);
	for (k = from->rowstart[skip]; k < from->ncells; k++) {
		s->cells[s->ncells] = from->cells[k];
		s->cells[s->ncells++].row += at - skip;
	}
	s->cap = s->ncells;
	s->merges = fp_xreallocarray(s->merges, s->nmerges + from->nmerges + 1,
	    sizeof *s->merges);
	for (k = 0; k < from->nmerges; k++) {
		s->merges[s->nmerges] = from->merges[k];
		s->nmerges += moved_below(&s->merges[s->nmerges].r1,
		    &s->merges[s->nmerges].r2, skip, at);
	}
	s->hidden_rows = fp_xreallocarray(s->hidden_rows,
	    s->nhidden_rows + from->nhidden_rows + 1, sizeof *s->hidden_rows);
	for (k = 0; k < from->nhidden_rows; k++) {
		s->hidden_rows[s->nhidden_rows] = from->hidden_rows[k];
		s->nhidden_rows += moved_below(
		    &s->hidden_rows[s->nhidden_rows].r1,
		    &s->hidden_rows[s->nhidden_rows].r2, skip, at);
	}
}

struct fp_form *
fp_form_join(const struct fp_form *src, const size_t *to,
    const uint32_t *skip)
{
	struct fp_form *f = fp_form_new();
	size_t i, j;

	f->date1904 = src->date1904;
	for (i = 0; i < src->nsheets; i++) {
		struct fp_fsheet *s;

		if (to[i] != SIZE_MAX)
			continue;
		s = copy_rows(f, &src->sheets[i], 0, UINT32_MAX,
		    src->sheets[i].band);
		for (j = i + 1; j < src->nsheets; j++)
			if (to[j] == i)
				join_rows(s, &src->sheets[j], s->ncells ?
				    s->cells[s->ncells - 1].row + 1 : 0,
				    skip[j]);
		seal_sheet(f, s);
	}
	return f;
}

struct fp_form *
fp_form_cut(const struct fp_form *src, const struct fp_cut *cuts, size_t n)
{
	struct fp_form *f = fp_form_new();
	size_t i, k = 0;

	f->date1904 = src->date1904;
	for (i = 0; i < src->nsheets; i++) {
		uint32_t lo = 0;

		if (k == n || cuts[k].sheet != i) {
			copy_band(f, &src->sheets[i], 0, UINT32_MAX,
			    src->sheets[i].band);
			continue;
		}
		for (; k < n && cuts[k].sheet == i; k++) {
			copy_band(f, &src->sheets[i], lo, cuts[k].row, (int)i + 1);
			lo = cuts[k].row;
		}
		copy_band(f, &src->sheets[i], lo, UINT32_MAX, (int)i + 1);
	}
	return f;
}

struct fp_form *
fp_form_transpose(const struct fp_form *src, size_t si, uint32_t top,
    uint32_t bot)
{
	const struct fp_fsheet *from = &src->sheets[si];
	struct fp_form *f = fp_form_new();
	struct fp_fsheet *s;
	size_t k, n;

	f->date1904 = src->date1904;
	bot = bot < from->nrows ? bot : from->nrows - 1;
	f->cap = 1;
	f->sheets = fp_xcalloc(1, sizeof *f->sheets);
	s = &f->sheets[f->nsheets++];
	s->name = fp_xstrdup(from->name);
	s->hidden = from->hidden;
	s->band = from->band;
	s->row_base = from->row_base + top;
	s->transposed = 1;
	s->merges = fp_xcalloc(from->nmerges + 1, sizeof *s->merges);
	for (k = 0; k < from->nmerges; k++) {
		struct fp_range g = from->merges[k];

		if (!clip_rows(&g.r1, &g.r2, top, bot))
			continue;
		s->merges[s->nmerges].r1 = g.c1;
		s->merges[s->nmerges].r2 = g.c2;
		s->merges[s->nmerges].c1 = (uint16_t)g.r1;
		s->merges[s->nmerges].c2 = (uint16_t)g.r2;
		s->nmerges++;
	}
	/* Its hidden rows are hidden columns now, its hidden columns rows. */
	s->hidden_cols = fp_xcalloc(from->nhidden_rows + 1,
	    sizeof *s->hidden_cols);
	for (k = 0; k < from->nhidden_rows; k++) {
		struct fp_rowspan h = from->hidden_rows[k];

		if (!clip_rows(&h.r1, &h.r2, top, bot))
			continue;
		s->hidden_cols[s->nhidden_cols++] = h;
	}
	s->hidden_rows = fp_xcalloc(from->nhidden_cols + 1,
	    sizeof *s->hidden_rows);
	for (k = 0; k < from->nhidden_cols; k++)
		s->hidden_rows[s->nhidden_rows++] = from->hidden_cols[k];
	n = from->rowstart[bot + 1] - from->rowstart[top];
	s->ncells = s->cap = n;
	s->cells = fp_xcalloc(n + 1, sizeof *s->cells);
	for (k = 0; k < n; k++) {
		const struct fp_fcell *c = &from->cells[from->rowstart[top] + k];

		s->cells[k] = *c;
		s->cells[k].row = c->col;
		s->cells[k].col = c->row - top;
	}
	seal_sheet(f, s);
	return f;
}

void
fp_form_free(struct fp_form *f)
{
	size_t i, k;

	if (!f)
		return;
	for (i = 0; i < f->nsheets; i++) {
		struct fp_fsheet *s = &f->sheets[i];

		free(s->cells);
		free(s->rowstart);
		free(s->slots);
		free(s->unit_from);
		free(s->parts);
		free(s->part_keys);
		free(s->merges);
		free(s->hidden_rows);
		free(s->row_hidden);
		free(s->hidden_cols);
		free(s->col_hidden);
		for (k = 0; k < s->njoins; k++)
			free(s->joins[k].name);
		free(s->joins);
		free(s->name);
	}
	free(f->sheets);
	free(f->byname);
	fp_arena_release(&f->strings);
	fp_buf_release(&f->scratch);
	free(f);
}

int
fp_fsheet_row_hidden(const struct fp_fsheet *s, uint32_t r)
{
	return s->row_hidden && r < s->nrows && s->row_hidden[r];
}

int
fp_fsheet_col_hidden(const struct fp_fsheet *s, uint32_t c)
{
	return s->col_hidden && c < s->ncol_flags && s->col_hidden[c];
}

const struct fp_fcell *
fp_fsheet_at(const struct fp_fsheet *s, uint32_t row, uint32_t col)
{
	size_t lo, hi;

	if (row >= s->nrows)
		return NULL;
	lo = s->rowstart[row];
	hi = s->rowstart[row + 1];
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->cells[mid].col == col)
			return &s->cells[mid];
		if (s->cells[mid].col < col)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct fp_fcell *
fp_fsheet_find(const struct fp_fsheet *s, const char *label, enum fp_key kind,
    size_t *idx)
{
	size_t mask, h;

	if (!s->nslots)
		return NULL;
	mask = s->nslots - 1;
	for (h = fp_hash_slot(fp_hash(FP_HASH_INIT, label), mask);;
	    h = (h + 1) & mask) {
		size_t v = s->slots[h];
		const struct fp_fcell *c;

		if (v == 0)
			return NULL;
		v--;
		if ((v & 3) != (size_t)kind)
			continue;
		c = &s->cells[v >> 2];
		if (!strcmp(fp_fcell_key(c, kind), label)) {
			*idx = v;
			return c;
		}
	}
}

const struct fp_partkey *
fp_fsheet_find_parts(const struct fp_fsheet *s, const char *label, size_t *n)
{
	size_t lo = 0, hi = s->npart_keys, e;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(s->part_keys[mid].label, label) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (e = lo; e < s->npart_keys && !strcmp(s->part_keys[e].label,
	    label); e++)
		;
	*n = e - lo;
	return *n ? &s->part_keys[lo] : NULL;
}

const struct fp_fpart *
fp_fsheet_parts(const struct fp_fsheet *s, size_t i, size_t *n)
{
	size_t lo = 0, hi = s->nparts, e;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->parts[mid].cell < i)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (e = lo; e < s->nparts && s->parts[e].cell == i; e++)
		;
	*n = e - lo;
	return *n ? &s->parts[lo] : NULL;
}

const struct fp_fcell *
fp_fsheet_next(const struct fp_fsheet *s, size_t *idx)
{
	size_t kind = *idx & 3, n = s->cells[*idx >> 2].next[kind];

	if (n == SIZE_MAX)
		return NULL;
	*idx = n << 2 | kind;
	return &s->cells[n];
}

void
fp_fcell_value(const struct fp_fcell *c, int date1904, struct fp_value *v)
{
	memset(v, 0, sizeof *v);
	v->date1904 = date1904;
	v->text = c->text;
	v->len = c->len;
	if (isnan(c->num) || c->type == FP_CELL_TEXT ||
	    c->type == FP_CELL_BOOL || c->type == FP_CELL_ERROR)
		return;
	v->is_number = 1;
	v->percent = c->percent;
	v->pad = c->pad;
	/* As it shows: 4180000 under 0!.0000 is 418 of the 万元 heading it. */
	v->num = c->scale ? c->num / pow(10, c->scale) : c->num;
	v->is_date = c->type == FP_CELL_DATE || c->type == FP_CELL_DATETIME ||
	    c->type == FP_CELL_TIME;
}

uint32_t
fp_fsheet_place(const struct fp_fsheet *s, uint32_t r, const char **name)
{
	size_t i = s->njoins;

	while (i > 0 && r < s->joins[i - 1].from)
		i--;
	if (i > 0) {
		*name = s->joins[i - 1].name;
		return s->joins[i - 1].base + (r - s->joins[i - 1].from);
	}
	*name = s->name;
	return s->row_base + r;
}

void
fp_fcell_ref(struct fp_buf *b, const struct fp_fsheet *s,
    const struct fp_fcell *c)
{
	char col[8], num[12];
	size_t n = sizeof num;
	const char *name;
	uint32_t r = fp_fsheet_place(s, s->transposed ? c->col : c->row,
	    &name) + 1;

	/* Once per fact: built by hand, not by printf. */
	fp_colname(s->transposed ? c->row : c->col, col);
	do
		num[--n] = (char)('0' + r % 10);
	while ((r /= 10) != 0);
	fp_buf_adds(b, name);
	fp_buf_addc(b, '!');
	fp_buf_adds(b, col);
	fp_buf_add(b, num + n, sizeof num - n);
}
