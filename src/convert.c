/*
 * The converter (convert.h): reads every sheet with its looks (so it
 * knows whether the workbook can be written row by row, in constant
 * memory), then writes each through xlsx.c. A cell's look is made once
 * per cell format (XF) and once per marked variant of it, so the .xlsx
 * gets one format per distinct look. Cells come from three sorted lists
 * merged in one pass: the cell records' formats (empty cells too), the
 * values, and the marks. Formulas are decompiled by formula.c through
 * the workbook (which knows the sheets and names they refer to).
 */
#include "convert.h"

#include <stdlib.h>
#include <string.h>

#include "formula.h"
#include "xlsx.h"

const char *
fp_convert_lost_name(enum fp_lost k)
{
	static const char *const names[FP_LOST_KINDS] = {
		"charts", "images", "comments", "data validations",
		"conditional formats", "hyperlinks", "autofilters",
		"macros", "drawing objects",
	};

	return (size_t)k < FP_LOST_KINDS ? names[k] : "?";
}

/* A cell record's format and its place in the file, to sort them stably. */
struct xfat {
	struct fp_cellxf c;
	uint32_t seq;
};

static int
xfat_cmp(const void *a, const void *b)
{
	const struct xfat *x = a, *y = b;

	if (x->c.row != y->c.row)
		return x->c.row < y->c.row ? -1 : 1;
	if (x->c.col != y->c.col)
		return x->c.col < y->c.col ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* 1 if (r1, c1) comes before (r2, c2). */
static int
before(uint32_t r1, uint32_t c1, uint32_t r2, uint32_t c2)
{
	return r1 < r2 || (r1 == r2 && c1 < c2);
}

static int
fmla_cmp(const void *a, const void *b)
{
	const struct fp_formula *x = *(const struct fp_formula *const *)a;
	const struct fp_formula *y = *(const struct fp_formula *const *)b;

	if (x->row != y->row)
		return x->row < y->row ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return x < y ? -1 : x > y;
}

/* How a cell is marked: not, for an error, for warnings alone. */
enum mark { MARK_NONE, MARK_ERROR, MARK_WARNING, NMARKS };

struct conv {
	struct fp_workbook *wb;
	struct fp_xlsx *x;
	const struct fp_convert_opts *opt;
	struct fp_convert_report *rep;
	const struct fp_font *fonts;
	size_t nfonts;
	const struct fp_xf *xfs;
	size_t nxfs;
	int *xfstyle;		/* each XF's style by mark (enum mark); -2 unmade */
	int d1904;
	unsigned autofilters;	/* carried over */
	size_t shown;		/* the sheet the workbook shows first */
	struct fp_buf text;
};

/*
 * A colour of a cell format: its RGB if the file gives one, else the
 * palette's; a fill's system colours are black (64) and white (65).
 */
static long
xf_color(const struct conv *cv, uint32_t rgb, unsigned idx, int fill)
{
	if (rgb & 0x1000000)
		return (long)(rgb & 0xFFFFFF);
	if (fill && idx == 64)
		return 0x000000;
	if (fill && idx == 65)
		return 0xFFFFFF;
	return fp_workbook_color(cv->wb, idx);
}

/* The default look: every colour automatic, text at the bottom. */
static void
look_init(struct fp_look *lk)
{
	int k;

	memset(lk, 0, sizeof *lk);
	lk->color = lk->fg = lk->bg = -1;
	for (k = 0; k < 4; k++)
		lk->border_color[k] = -1;
	lk->valign = 2;
}

/* The fill of a mark: an error's, or a warning's. */
static long
mark_fill(const struct conv *cv, enum mark mark)
{
	return mark == MARK_WARNING && cv->opt->warning_fill > 0 ?
	    cv->opt->warning_fill : cv->opt->mark_fill;
}

/* The look of XF xf, filled for a marked cell if mark. */
static int
xf_style(struct conv *cv, size_t xf, enum mark mark)
{
	struct fp_look lk;
	const struct fp_xf *x;
	int *slot;
	int k;

	if (xf >= cv->nxfs) {
		if (!mark)
			return -1;
		xf = cv->nxfs;	/* the marked default look */
	}
	slot = &cv->xfstyle[NMARKS * xf + mark];
	if (*slot != -2)
		return *slot;
	look_init(&lk);
	if (xf < cv->nxfs) {
		x = &cv->xfs[xf];
		if (x->font < cv->nfonts) {
			const struct fp_font *f = &cv->fonts[x->font];

			lk.font = f->name;
			lk.size = f->height / 20.0;
			lk.bold = f->weight >= 600;
			lk.italic = f->italic;
			lk.strike = f->strike;
			lk.underline = f->underline == 0x21 ? 3 :
			    f->underline == 0x22 ? 4 : f->underline <= 2 ?
			    f->underline : 0;
			lk.script = f->script;
			lk.color = xf_color(cv, x->rgb_font, f->color, 0);
		}
		lk.numfmt = fp_workbook_format(cv->wb, x->fmt);
		/*
		 * Excel's built-in formats whose look the reading program
		 * decides (14, its short date) stay built-in.
		 */
		if ((x->fmt >= 1 && x->fmt <= 4) || (x->fmt >= 9 &&
		    x->fmt <= 22) || (x->fmt >= 37 && x->fmt <= 40) ||
		    (x->fmt >= 45 && x->fmt <= 49))
			lk.numfmt_id = (int)x->fmt;
		lk.halign = x->halign;
		lk.valign = x->valign;
		lk.wrap = x->wrap;
		lk.shrink = x->shrink;
		lk.indent = x->indent;
		lk.rotation = x->rotation == 255 ? 270 : x->rotation <= 90 ?
		    x->rotation : x->rotation <= 180 ? 90 - x->rotation : 0;
		for (k = 0; k < 4; k++) {
			lk.border[k] = x->border[k];
			lk.border_color[k] = xf_color(cv, x->rgb_border[k],
			    x->border_color[k], 0);
		}
		lk.pattern = x->pattern;
		lk.fg = xf_color(cv, x->rgb_fg, x->fg, 1);
		lk.bg = xf_color(cv, x->rgb_bg, x->bg, 1);
		lk.unlocked = !x->locked;
		lk.hidden = x->hidden;
	}
	if (mark) {
		lk.pattern = 1;
		lk.fg = mark_fill(cv, mark);
		lk.bg = -1;
	}
	*slot = fp_xlsx_look(cv->x, &lk);
	return *slot;
}

/*
 * The look of a value whose reader knows no cell formats: its number
 * format (ISO for a date without one; a duration of a day or more
 * elapsed, [h]:mm:ss, for hh:mm:ss would wrap it), filled if it is
 * marked.
 */
static int
plain_style(struct conv *cv, const struct fp_cell *c, enum mark mark)
{
	struct fp_look lk;
	const char *nf = fp_workbook_format(cv->wb, c->fmt);

	if ((c->type == FP_CELL_DATE || c->type == FP_CELL_DATETIME ||
	    c->type == FP_CELL_TIME) && !c->fmt)
		nf = c->type == FP_CELL_DATE ? "yyyy-mm-dd" :
		    c->type != FP_CELL_TIME ? "yyyy-mm-dd hh:mm:ss" :
		    c->v.num >= 1 ? "[h]:mm:ss" : "hh:mm:ss";
	look_init(&lk);
	lk.numfmt = strcmp(nf, "General") ? nf : NULL;
	if (mark) {
		lk.pattern = 1;
		lk.fg = mark_fill(cv, mark);
	}
	if (!lk.numfmt && !mark)
		return -1;
	return fp_xlsx_look(cv->x, &lk);
}

/*
 * A date serial of either system, as the 1900 system writes it: a date
 * moves by the 1,462 days between the systems' first days; a time (a
 * time of day, or a duration under [h]:mm) stays.
 */
static double
serial(const struct conv *cv, const struct fp_cell *c, double v)
{
	return v + (cv->d1904 && c->type != FP_CELL_TIME ? 1462 : 0);
}

/* Writes a value as it is, without its formula. */
static void
put_value(struct conv *cv, size_t sh, const struct fp_cell *c, int style)
{
	char num[FP_NUM_MAX];
	size_t len;

	switch ((enum fp_cell_type)c->type) {
	case FP_CELL_TEXT:
		fp_xlsx_text(cv->x, sh, c->row, c->col, c->v.text, style);
		break;
	case FP_CELL_NUMBER:
		fp_xlsx_number(cv->x, sh, c->row, c->col, c->v.num, style);
		break;
	case FP_CELL_DATE:
	case FP_CELL_DATETIME:
	case FP_CELL_TIME:
		fp_xlsx_date(cv->x, sh, c->row, c->col, serial(cv, c, c->v.num),
		    style);
		break;
	case FP_CELL_BOOL:
		fp_xlsx_bool(cv->x, sh, c->row, c->col, c->v.num != 0, style);
		break;
	case FP_CELL_ERROR:
		fp_xlsx_error(cv->x, sh, c->row, c->col,
		    fp_cell_render(c, cv->d1904, num, &len), style);
		break;
	case FP_CELL_EMPTY:
		break;
	}
}

/*
 * The sheet's formula records: cells' and definitions', sorted; and the
 * definitions again, for the anchors that are not a range's first cell.
 */
struct fmlas {
	const struct fp_formula **v;
	size_t n;
	const struct fp_formula **defs;
	size_t ndefs;
	struct memo *memo;	/* anchors looked up, by hash */
	size_t nmemo;
};

struct memo {
	uint64_t key;		/* row << 16 | column, + 1: 0 is unused */
	size_t def;		/* index in defs + 1, 0 for none */
};

static const struct fp_formula *
find_fmla(const struct fmlas *fm, uint32_t row, uint32_t col, int def)
{
	size_t lo = 0, hi = fm->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct fp_formula *f = fm->v[mid];

		if (f->row < row || (f->row == row && f->col < col))
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < fm->n && fm->v[lo]->row == row && fm->v[lo]->col == col;
	    lo++) {
		const struct fp_formula *f = fm->v[lo];

		if (def ? f->kind != FP_FORMULA_CELL : f->kind == FP_FORMULA_CELL) {
			/* The last record of a cell counts. */
			while (!def && lo + 1 < fm->n && fm->v[lo + 1]->row == row &&
			    fm->v[lo + 1]->col == col &&
			    fm->v[lo + 1]->kind == FP_FORMULA_CELL)
				f = fm->v[++lo];
			return f;
		}
	}
	return NULL;
}

/*
 * The shared or array formula a tExp anchored at (row, col) belongs to:
 * the one whose range starts there, else the one whose range holds it
 * (Excel anchors a shared formula at the first cell that used it, which
 * need not be its range's first). Each anchor is looked up once.
 */
static const struct fp_formula *
find_def(struct fmlas *fm, uint32_t row, uint32_t col)
{
	const struct fp_formula *f = find_fmla(fm, row, col, 1);
	uint64_t key = ((uint64_t)row << 16 | col) + 1;
	size_t h, k;

	if (f || !fm->ndefs)
		return f;
	if (!fm->memo) {
		for (fm->nmemo = 64; fm->nmemo < 4 * fm->ndefs; fm->nmemo *= 2)
			;
		fm->memo = fp_xcalloc(fm->nmemo, sizeof *fm->memo);
	}
	h = (size_t)(key * 0x9E3779B97F4A7C15ULL >> 40) & (fm->nmemo - 1);
	for (k = 0; k < fm->nmemo && fm->memo[h].key; k++) {
		if (fm->memo[h].key == key)
			return fm->memo[h].def ? fm->defs[fm->memo[h].def - 1] :
			    NULL;
		h = (h + 1) & (fm->nmemo - 1);
	}
	for (k = 0; k < fm->ndefs; k++) {
		const struct fp_formula *d = fm->defs[k];

		if (d->row <= row && row <= d->row2 && d->col <= col &&
		    col <= d->col2)
			break;
	}
	/* A full table stops remembering; the answer is the same. */
	if (!fm->memo[h].key) {
		fm->memo[h].key = key;
		fm->memo[h].def = k < fm->ndefs ? k + 1 : 0;
	}
	return k < fm->ndefs ? fm->defs[k] : NULL;
}

/* Counts a formula kept as its value, remembering the first reason. */
static void
kept(struct conv *cv, size_t sh, uint32_t row, uint32_t col, const char *why)
{
	char name[8];

	if (!cv->rep->kept++) {
		fp_colname(col, name);
		snprintf(cv->rep->why, sizeof cv->rep->why, "%s!%s%u: %s",
		    fp_workbook_sheet(cv->wb, sh)->name, name, row + 1, why);
	}
}

/*
 * Writes a formula cell: its formula decompiled, with its saved result
 * c (NULL: an empty text result); the value alone if it cannot be read.
 */
static void
put_formula(struct conv *cv, size_t sh, struct fmlas *fm, uint32_t row,
    uint32_t col, const struct fp_cell *c, int style)
{
	const struct fp_formula *f = find_fmla(fm, row, col, 0), *def;
	const char *str;
	struct fp_diag d;
	int type;
	uint32_t ar, ac;
	int array = 0;
	enum fp_fmla_ref ref;
	double num = c ? c->v.num : 0;

	if (!f) {
		if (c)
			put_value(cv, sh, c, style);
		return;
	}
	def = f;
	/* tExp and tTbl are one byte shorter in BIFF2 ("BIFF2"), alike after. */
	ref = fp_formula_ref(!strcmp(fp_workbook_kind(cv->wb), "BIFF2") ? 2 : 8,
	    f->rgce, f->len, &ar, &ac);
	if (ref == FP_FMLA_TABLE) {
		kept(cv, sh, row, col, "a what-if table");
		goto value;
	}
	if (ref == FP_FMLA_EXP) {
		def = find_def(fm, ar, ac);
		if (!def || def->kind == FP_FORMULA_TABLE) {
			kept(cv, sh, row, col, def ? "a what-if table" :
			    "a shared formula the sheet does not hold");
			goto value;
		}
		if (def->kind == FP_FORMULA_ARRAY) {
			if (row != def->row || col != def->col) {
				/* Part of an array written at its first cell. */
				if (c)
					put_value(cv, sh, c, style);
				return;
			}
			array = 1;
		}
	}
	fp_buf_reset(&cv->text);
	if (fp_workbook_formula(cv->wb, sh, def, row, col, &cv->text, &d) !=
	    FP_OK) {
		kept(cv, sh, row, col, d.msg);
		goto value;
	}
	cv->rep->formulas++;
	if (c && (c->type == FP_CELL_DATE || c->type == FP_CELL_DATETIME ||
	    c->type == FP_CELL_TIME))
		num = serial(cv, c, num);
	/* The saved result's type: text ('s'), a boolean, an error, a number. */
	type = !c || c->type == FP_CELL_TEXT ? 's' : c->type == FP_CELL_BOOL ?
	    'b' : c->type == FP_CELL_ERROR ? 'e' : 'n';
	str = type == 's' || type == 'e' ? (c ? c->v.text : "") : NULL;
	if (array)
		fp_xlsx_array_formula(cv->x, sh, def->row, def->col, def->row2,
		    def->col2, cv->text.s, type, num, str, style);
	else if (type == 'n')
		fp_xlsx_formula(cv->x, sh, row, col, cv->text.s, num, style);
	else
		fp_xlsx_formula_typed(cv->x, sh, row, col, cv->text.s, type,
		    num, str, style);
	return;
value:
	if (c)
		put_value(cv, sh, c, style);
}

/*
 * A header or footer as .xlsx readers expect it: text before any &L, &C
 * or &R is centred, as Excel shows it, so it gets its &C.
 */
static const char *
section(struct fp_buf *b, const char *hf)
{
	const char *p;

	if (!hf || !*hf)
		return NULL;
	if (!(hf[0] == '&' && (hf[1] == 'L' || hf[1] == 'C' || hf[1] == 'R' ||
	    hf[1] == 'l' || hf[1] == 'c' || hf[1] == 'r')))
		fp_buf_adds(b, "&C");
	/*
	 * Without its picture, which is not carried over, a picture's
	 * placeholder &G goes too (libxlsxwriter refuses one without it).
	 */
	for (p = hf; *p; p++) {
		if (p[0] == '&' && p[1] == '&') {
			fp_buf_add(b, p, 2);
			p++;
		} else if (p[0] == '&' && (p[1] == 'G' || p[1] == 'g')) {
			p++;
		} else {
			fp_buf_addc(b, *p);
		}
	}
	return b->s ? b->s : "";
}

/*
 * The rows of a sheet with a look of their own, in order: those the file
 * describes (height, format, hidden), and those its reader only says are
 * hidden (an .ods's), up to the last with cells.
 */
struct rowcur {
	const struct fp_rowinfo *const *rows;
	size_t nrows, next;
	const struct fp_rowspan *spans;
	size_t nspans, span;
	uint32_t at;		/* the first row of the spans not yet written */
	uint32_t end;		/* the row after the last with cells */
	const struct fp_mark *const *marks;	/* the sheet's, by row */
	size_t nmarks, mark;	/* and the first in a row not yet written */
};

/*
 * 1 if a mark is in row r, the rows asked in order (the marks are by
 * row): each mark is passed once.
 */
static int
marked_row(struct rowcur *rc, uint32_t r)
{
	while (rc->mark < rc->nmarks && rc->marks[rc->mark]->row < r)
		rc->mark++;
	return rc->mark < rc->nmarks && rc->marks[rc->mark]->row == r;
}

/* The columns with a mark in them, as flags: NULL if none. */
static uint8_t *
marked_cols(const struct rowcur *rc)
{
	uint8_t *m;
	size_t k;

	if (!rc->nmarks)
		return NULL;
	m = fp_xcalloc(16384, 1);
	for (k = 0; k < rc->nmarks; k++)
		if (rc->marks[k]->col < 16384)
			m[rc->marks[k]->col] = 1;
	return m;
}

/* Column widths, rows, window, page setup of a sheet. */
static void
put_layout(struct conv *cv, size_t sh, size_t i, const struct fp_grid *g,
    const struct rowcur *rc)
{
	const struct fp_sheet_info *si = fp_workbook_sheet(cv->wb, i);
	const struct fp_sheet_looks *l = si->looks;
	struct fp_xlsx_page pg;
	struct fp_buf hdr = FP_BUF_INIT, ftr = FP_BUF_INIT;
	uint32_t c, lastcol = g->ncols;
	size_t k;
	uint8_t *set, *mcols = marked_cols(rc);

	/* Widths include Excel's padding of about 5/7 of a character. */
	for (k = 0; k < si->nwidths; k++) {
		const struct fp_colwidth *w = &si->widths[k];
		double chars = w->width > 1 ? w->width - 5.0 / 7 : w->width;
		int st = l && w->xf ? xf_style(cv, w->xf, 0) : -1, shown;

		/* A hidden column with a mark in it is shown, as a row is. */
		if (w->hidden && mcols) {
			for (c = w->c1; c <= w->c2 && c < 16384 && !mcols[c];
			    c++)
				;
			shown = c <= w->c2 && c < 16384;
		} else {
			shown = 0;
		}
		if (shown)
			for (c = w->c1; c <= w->c2 && c < 16384; c++)
				fp_xlsx_columns(cv->x, sh, c, c, chars,
				    !mcols[c], st);
		else
			fp_xlsx_columns(cv->x, sh, w->c1, w->c2, chars,
			    w->hidden, st);
		if ((uint32_t)w->c2 + 1 > lastcol && w->c2 < 256)
			lastcol = (uint32_t)w->c2 + 1;
	}
	free(mcols);
	if (!l)
		return;
	/* As far as the sheet's cells, empty ones with a look too, go. */
	for (k = 0; k < l->ncells; k++)
		if ((uint32_t)l->cells[k].col + 1 > lastcol &&
		    l->cells[k].col < 16384)
			lastcol = (uint32_t)l->cells[k].col + 1;
	for (k = 0; k < si->nmerges; k++)
		if ((uint32_t)si->merges[k].c2 + 1 > lastcol &&
		    si->merges[k].c2 < 16384)
			lastcol = (uint32_t)si->merges[k].c2 + 1;
	/* A default width other than Excel's, for columns without their own. */
	if (l->defwidth > 0 && (l->defwidth < 7.9 || l->defwidth > 8.1) &&
	    lastcol) {
		set = fp_xcalloc(lastcol, 1);
		for (k = 0; k < si->nwidths; k++)
			for (c = si->widths[k].c1; c <= si->widths[k].c2 &&
			    c < lastcol; c++)
				set[c] = 1;
		for (c = 0; c < lastcol; c++)
			if (!set[c])
				fp_xlsx_columns(cv->x, sh, c, c, l->defwidth + 0.43,
				    0, -1);
		free(set);
	}
	if (l->defheight > 0)
		fp_xlsx_default_row(cv->x, sh, l->defheight);
	if (l->win.frozen && (l->win.frow || l->win.fcol))
		fp_xlsx_freeze(cv->x, sh, l->win.frow, l->win.fcol,
		    l->win.toprow, l->win.leftcol);
	fp_xlsx_view(cv->x, sh, l->win.zoom, l->win.hide_grid);
	memset(&pg, 0, sizeof pg);
	pg.landscape = l->page.landscape;
	/* Without a paper of its own a sheet prints on the printer's. */
	pg.paper = l->page.paper;
	pg.scale = l->page.fit ? -1 : l->page.scale;
	pg.fitw = l->page.fit ? l->page.fitw : -1;
	pg.fith = l->page.fit ? l->page.fith : -1;
	for (k = 0; k < 4; k++)
		pg.margin[k] = l->page.margin[k];
	/*
	 * A margin the file leaves unset is the .xls default, which is not
	 * the .xlsx one (0.7 and 0.75 inches).
	 */
	{
		static const double def[4] = { 0.75, 0.75, 1, 1 };

		for (k = 0; k < 4; k++)
			if (pg.margin[k] < 0)
				pg.margin[k] = def[k];
	}
	pg.mheader = l->page.mheader;
	pg.mfooter = l->page.mfooter;
	pg.header = section(&hdr, l->page.header);
	pg.footer = section(&ftr, l->page.footer);
	pg.hcenter = l->page.hcenter;
	pg.vcenter = l->page.vcenter;
	pg.gridlines = l->page.gridlines;
	fp_xlsx_page(cv->x, sh, &pg);
	fp_buf_release(&hdr);
	fp_buf_release(&ftr);
	for (k = 0; k < FP_LOST_KINDS; k++)
		cv->rep->lost[k] += l->lost[k];
}

static int
mark_cmp(const void *a, const void *b)
{
	const struct fp_mark *x = *(const struct fp_mark *const *)a;
	const struct fp_mark *y = *(const struct fp_mark *const *)b;

	if (x->sheet != y->sheet)
		return x->sheet < y->sheet ? -1 : 1;
	if (x->row != y->row)
		return x->row < y->row ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	return x < y ? -1 : x > y;
}

/* The most cells a sheet's merged ranges cover together. */
#define MAX_MERGED_CELLS 1000000

/* The cells of a merged range, or 0 for a range upside down. */
static uint64_t
merge_area(const struct fp_range *m)
{
	if (m->r2 < m->r1 || m->c2 < m->c1)
		return 0;
	return (uint64_t)(m->r2 - m->r1 + 1) * (uint64_t)(m->c2 - m->c1 + 1);
}

/*
 * 1 if the set (open addressing, mask + 1 slots, 0 empty) holds cell key;
 * else, if add, it does now.
 */
static int
covered(uint64_t *set, size_t mask, uint64_t key, int add)
{
	size_t h = (size_t)((key + 1) * 0x9E3779B97F4A7C15ULL >> 17) & mask;

	for (; set[h]; h = (h + 1) & mask)
		if (set[h] == key + 1)
			return 1;
	if (add)
		set[h] = key + 1;
	return 0;
}

/*
 * The sheet's merged ranges, while they cover MAX_MERGED_CELLS cells at
 * most together and none overlaps one before it: Excel repairs a file
 * with overlapping ranges, and libxlsxwriter visits every cell of a
 * range (A1:XFD1048576 took 33 s). The others are counted as not
 * carried over.
 */
static void
put_merges(struct conv *cv, size_t sh, const struct fp_range *m, size_t n)
{
	uint64_t total = 0, *set;
	size_t k, slots = 16, mask;

	for (k = 0; k < n; k++) {
		uint64_t a = merge_area(&m[k]);

		if (a && total + a <= MAX_MERGED_CELLS)
			total += a;
	}
	while (slots < total * 2)
		slots *= 2;
	mask = slots - 1;
	set = fp_xcalloc(slots, sizeof *set);
	for (k = 0, total = 0; k < n; k++) {
		uint64_t a = merge_area(&m[k]), r, c;
		int clash = 0;

		if (!a || total + a > MAX_MERGED_CELLS) {
			cv->rep->merges_dropped++;
			continue;
		}
		for (r = m[k].r1; r <= m[k].r2 && !clash; r++)
			for (c = m[k].c1; c <= m[k].c2 && !clash; c++)
				clash = covered(set, mask, r << 16 | c, 0);
		if (clash) {
			cv->rep->merges_dropped++;
			continue;
		}
		for (r = m[k].r1; r <= m[k].r2; r++)
			for (c = m[k].c1; c <= m[k].c2; c++)
				(void)covered(set, mask, r << 16 | c, 1);
		total += a;
		fp_xlsx_merge(cv->x, sh, m[k].r1, m[k].c1, m[k].r2, m[k].c2);
	}
	free(set);
}

/* Writes sheet i: its cells merged from formats, values and marks. */
static int
row_cmp(const void *a, const void *b)
{
	const struct fp_rowinfo *x = *(const struct fp_rowinfo *const *)a;
	const struct fp_rowinfo *y = *(const struct fp_rowinfo *const *)b;

	if (x->row != y->row)
		return x->row < y->row ? -1 : 1;
	return x < y ? -1 : x > y;
}

/* The next row hidden by a span, from rc->at on; UINT32_MAX if none. */
static uint32_t
next_hidden(struct rowcur *rc)
{
	while (rc->span < rc->nspans && rc->spans[rc->span].r2 < rc->at)
		rc->span++;
	if (rc->span == rc->nspans || rc->at >= rc->end)
		return UINT32_MAX;
	if (rc->at < rc->spans[rc->span].r1)
		rc->at = rc->spans[rc->span].r1;
	return rc->at < rc->end ? rc->at : UINT32_MAX;
}

/*
 * Writes the heights, looks and hiding of the rows up to row (all for
 * UINT32_MAX), before their cells: libxlsxwriter writing rows as they
 * come needs them first. A row hidden with a mark in it is shown, for
 * the department to see what is wrong.
 */
static void
put_rows(struct conv *cv, size_t sh, struct rowcur *rc, uint32_t row)
{
	for (;;) {
		const struct fp_rowinfo *r = NULL;
		uint32_t h = next_hidden(rc), at;
		int hidden;

		/* Of one row's records the last counts. */
		while (rc->next + 1 < rc->nrows &&
		    rc->rows[rc->next + 1]->row == rc->rows[rc->next]->row)
			rc->next++;
		if (rc->next < rc->nrows)
			r = rc->rows[rc->next];
		at = r && r->row < h ? r->row : h;
		if (at == UINT32_MAX || at > row)
			return;
		hidden = at == h || (r && r->row == at && r->hidden);
		if (hidden && marked_row(rc, at))
			hidden = 0;
		if (r && r->row == at) {
			fp_xlsx_row(cv->x, sh, at, r->height, hidden,
			    r->has_xf ? xf_style(cv, r->xf, 0) : -1);
			rc->next++;
		} else {
			fp_xlsx_row(cv->x, sh, at, 0, hidden, -1);
		}
		if (at == h)
			rc->at = at + 1;
	}
}

/*
 * The sheet's autofilter, from its _FilterDatabase name, set before its
 * rows are written. Its drop-downs are carried over, not its criteria.
 */
static void
put_autofilter(struct conv *cv, size_t i, size_t sh)
{
	const struct fp_defname *names;
	size_t n, k;

	names = fp_workbook_names(cv->wb, &n);
	for (k = 0; k < n; k++) {
		const struct fp_defname *dn = &names[k];

		if (dn->builtin != 13 || dn->sheet != (int)i || dn->nareas != 1)
			continue;
		if (fp_xlsx_autofilter(cv->x, sh, dn->area[0].r1, dn->area[0].c1,
		    dn->area[0].r2, dn->area[0].c2) == 0)
			cv->autofilters++;
		return;
	}
}

/* Writes sheet i, whose grid g is loaded (and released here). */
static enum fp_err
put_sheet(struct conv *cv, size_t i, struct fp_grid *gp,
    const struct fp_mark *const *marks, size_t nmarks)
{
	const struct fp_sheet_info *si;
	const struct fp_sheet_looks *l;
	struct fp_grid g = *gp;
	struct xfat *sorted = NULL;
	struct fmlas fm;
	struct fp_buf note = FP_BUF_INIT;
	const struct fp_rowinfo **rows = NULL;
	struct rowcur rc;
	size_t k, sh, nxf = 0, ix = 0, ig = 0, im = 0;

	memset(&fm, 0, sizeof fm);
	si = fp_workbook_sheet(cv->wb, i);
	l = si->looks;
	sh = fp_xlsx_sheet(cv->x, si->name);
	if (si->visibility == 2) {
		fp_xlsx_hide_very(cv->x, sh);
	} else if (si->hidden) {
		fp_xlsx_hide(cv->x, sh);
	}
	if (l && l->win.selected && !cv->opt->front) {
		fp_xlsx_activate(cv->x, sh);
		cv->shown = i;
	}
	put_autofilter(cv, i, sh);
	/* The cell records' formats, sorted if the file has them out of order. */
	if (l && l->ncells) {
		for (k = 1; k < l->ncells; k++)
			if (!before(l->cells[k - 1].row, l->cells[k - 1].col,
			    l->cells[k].row, l->cells[k].col))
				break;
		if (k < l->ncells) {
			sorted = fp_xreallocarray(NULL, l->ncells, sizeof *sorted);
			for (k = 0; k < l->ncells; k++) {
				sorted[k].c = l->cells[k];
				sorted[k].seq = (uint32_t)k;
			}
			qsort(sorted, l->ncells, sizeof *sorted, xfat_cmp);
		}
		nxf = l->ncells;
	}
	if (l && l->nformulas) {
		fm.v = fp_xreallocarray(NULL, l->nformulas, sizeof *fm.v);
		for (k = 0; k < l->nformulas; k++)
			fm.v[k] = &l->formulas[k];
		fm.n = l->nformulas;
		qsort(fm.v, fm.n, sizeof *fm.v, fmla_cmp);
		fm.defs = fp_xreallocarray(NULL, l->nformulas, sizeof *fm.defs);
		for (k = 0; k < l->nformulas; k++)
			if (l->formulas[k].kind != FP_FORMULA_CELL)
				fm.defs[fm.ndefs++] = &l->formulas[k];
	}
	memset(&rc, 0, sizeof rc);
	if (l && l->nrows) {
		rows = fp_xreallocarray(NULL, l->nrows, sizeof *rows);
		for (k = 0; k < l->nrows; k++)
			rows[k] = &l->rows[k];
		rc.nrows = l->nrows;
		qsort(rows, rc.nrows, sizeof *rows, row_cmp);
	}
	rc.rows = rows;
	rc.spans = si->hidden_rows;
	rc.nspans = si->nhidden_rows;
	rc.end = g.nrows;
	rc.marks = marks;
	rc.nmarks = nmarks;
	/* The formats, the values and the marks, merged in one pass. */
	for (;;) {
		const struct fp_cellxf *cx = NULL;
		const struct fp_cell *c = NULL;
		uint32_t row = UINT32_MAX, col = UINT32_MAX;
		enum mark mark = MARK_NONE;
		int style;

		if (ix < nxf) {
			const struct fp_cellxf *x = sorted ? &sorted[ix].c :
			    &l->cells[ix];

			row = x->row;
			col = x->col;
		}
		if (ig < g.ncells && before(g.cells[ig].row, g.cells[ig].col, row,
		    col)) {
			row = g.cells[ig].row;
			col = g.cells[ig].col;
		}
		if (im < nmarks && before(marks[im]->row, marks[im]->col, row,
		    col)) {
			row = marks[im]->row;
			col = marks[im]->col;
		}
		if (row == UINT32_MAX)
			break;
		for (; ix < nxf; ix++) {
			const struct fp_cellxf *x = sorted ? &sorted[ix].c :
			    &l->cells[ix];

			if (x->row != row || x->col != col)
				break;
			cx = x;
		}
		if (ig < g.ncells && g.cells[ig].row == row &&
		    g.cells[ig].col == col)
			c = &g.cells[ig++];
		put_rows(cv, sh, &rc, row);
		fp_buf_reset(&note);
		for (; im < nmarks && marks[im]->row == row &&
		    marks[im]->col == col; im++) {
			if (mark != MARK_ERROR)
				mark = marks[im]->warning ? MARK_WARNING :
				    MARK_ERROR;
			if (marks[im]->text && *marks[im]->text) {
				if (note.len)
					fp_buf_addc(&note, '\n');
				fp_buf_adds(&note, marks[im]->text);
			}
		}
		/*
		 * The cell format's look; a reader that knows no cell formats
		 * gives the value's number format, and a mark its fill.
		 */
		if (cx && cx->xf < cv->nxfs)
			style = xf_style(cv, cx->xf, mark);
		else if (c)
			style = plain_style(cv, c, mark);
		else
			style = xf_style(cv, (size_t)-1, mark);
		if ((c && c->formula) || (!c && cx && fm.n &&
		    find_fmla(&fm, row, col, 0)))
			put_formula(cv, sh, &fm, row, col, c, style);
		else if (c)
			put_value(cv, sh, c, style);
		else if (style >= 0)
			fp_xlsx_blank(cv->x, sh, row, col, style);
		if (note.len)
			fp_xlsx_comment(cv->x, sh, row, col, note.s);
	}
	put_rows(cv, sh, &rc, UINT32_MAX);
	put_merges(cv, sh, si->merges, si->nmerges);
	put_layout(cv, sh, i, &g, &rc);
	free(sorted);
	free(fm.v);
	free(fm.defs);
	free(fm.memo);
	free(rows);
	fp_buf_release(&note);
	fp_grid_release(gp);
	return FP_OK;
}

/* Print areas and titles, and the workbook's own names. */
static void
put_names(struct conv *cv, size_t first)
{
	const struct fp_defname *names;
	size_t n, k;
	int a;

	names = fp_workbook_names(cv->wb, &n);
	for (k = 0; k < n; k++) {
		const struct fp_defname *dn = &names[k];
		size_t sh = (size_t)dn->sheet + first;

		if (dn->sheet == -2)
			continue;
		if (dn->builtin == 6 && dn->sheet >= 0 && dn->nareas >= 1) {
			fp_xlsx_print_area(cv->x, sh, dn->area[0].r1,
			    dn->area[0].c1, dn->area[0].r2, dn->area[0].c2);
			continue;
		}
		if (dn->builtin == 7 && dn->sheet >= 0) {
			for (a = 0; a < dn->nareas; a++) {
				const struct fp_range *r = &dn->area[a];

				if (r->c1 == 0 && r->c2 >= 255)
					fp_xlsx_repeat(cv->x, sh, 1, r->r1, r->r2);
				else if (r->r1 == 0 && r->r2 >= 16383)
					fp_xlsx_repeat(cv->x, sh, 0, r->c1, r->c2);
			}
			continue;
		}
		if (dn->builtin >= 0 || !strncmp(dn->name, "_xlfn.", 6))
			continue;
		if (!dn->formula || fp_xlsx_define_name(cv->x,
		    dn->sheet >= 0 ? (int)sh : -1, dn->name, dn->formula) != 0)
			cv->rep->names_dropped++;
	}
}

/*
 * The sheet annotate puts in front: text in rows, the first row bold,
 * cells at the top, the last column (the messages) wrapped, printed one
 * page wide.
 */
static void
put_front(struct conv *cv, const struct fp_front *fr)
{
	struct fp_xlsx_page pg;
	struct fp_look lk;
	size_t sh = fp_xlsx_sheet(cv->x, fr->name), r, c;
	int bold, top, wrap;

	memset(&lk, 0, sizeof lk);
	lk.color = lk.fg = lk.bg = -1;
	for (c = 0; c < 4; c++)
		lk.border_color[c] = -1;
	lk.valign = 0;		/* top */
	top = fp_xlsx_look(cv->x, &lk);
	lk.wrap = 1;
	wrap = fp_xlsx_look(cv->x, &lk);
	lk.wrap = 0;
	lk.bold = 1;
	bold = fp_xlsx_look(cv->x, &lk);
	for (r = 0; r < fr->nrows; r++)
		for (c = 0; c < fr->ncols; c++) {
			const char *t = fr->cells[r * fr->ncols + c];

			if (t && *t)
				fp_xlsx_text(cv->x, sh, (uint32_t)r,
				    (uint32_t)c, t, r == 0 ? bold :
				    c + 1 == fr->ncols ? wrap : top);
		}
	for (c = 0; fr->widths && c < fr->ncols; c++)
		fp_xlsx_columns(cv->x, sh, (uint32_t)c, (uint32_t)c, fr->widths[c],
		    0, -1);
	memset(&pg, 0, sizeof pg);
	pg.landscape = pg.paper = pg.scale = -1;
	pg.fitw = 1;
	pg.fith = 0;
	for (c = 0; c < 4; c++)
		pg.margin[c] = -1;
	fp_xlsx_page(cv->x, sh, &pg);
	fp_xlsx_activate(cv->x, sh);
}

enum fp_err
fp_convert(struct fp_workbook *wb, const char *path,
    const struct fp_convert_opts *opt, struct fp_convert_report *rep,
    struct fp_diag *d)
{
	static const struct fp_convert_opts none;
	struct conv cv;
	const struct fp_mark **marks = NULL;
	struct fp_grid *grids = NULL;
	size_t i, k, m = 0, first, merges = 0;
	size_t nsheets = fp_workbook_nsheets(wb);
	enum fp_err err = FP_OK;
	const unsigned *lost;

	memset(rep, 0, sizeof *rep);
	memset(&cv, 0, sizeof cv);
	cv.wb = wb;
	cv.opt = opt ? opt : &none;
	cv.rep = rep;
	cv.d1904 = fp_workbook_date1904(wb);
	fp_workbook_keep_looks(wb);
	/*
	 * Every sheet read first: without merged ranges or comments the
	 * workbook is written row by row in constant memory.
	 */
	grids = fp_xcalloc(nsheets ? nsheets : 1, sizeof *grids);
	for (i = 0; i < nsheets; i++) {
		err = fp_grid_load(wb, i, &grids[i], d);
		if (err)
			goto out;
		/* A cell no .xlsx sheet has room for: a broken workbook's. */
		if (grids[i].nrows > 1048576 || grids[i].ncols > 16384) {
			int cols = grids[i].ncols > 16384;

			err = fp_diag(d, FP_ECORRUPT, "sheet '%s' runs to %s %u, "
			    "past the %s an .xlsx sheet holds",
			    fp_workbook_sheet(wb, i)->name, cols ? "column" :
			    "row", cols ? grids[i].ncols : grids[i].nrows, cols ?
			    "16384 columns" : "1048576 rows");
			goto out;
		}
		merges += fp_workbook_sheet(wb, i)->nmerges;
	}
	/* Fonts and cell formats once read: BIFF2-4 keep them in the sheet. */
	cv.fonts = fp_workbook_fonts(wb, &cv.nfonts);
	cv.xfs = fp_workbook_xfs(wb, &cv.nxfs);
	cv.xfstyle = fp_xreallocarray(NULL, NMARKS * (cv.nxfs + 1),
	    sizeof *cv.xfstyle);
	for (k = 0; k < NMARKS * (cv.nxfs + 1); k++)
		cv.xfstyle[k] = -2;
	cv.x = fp_xlsx_new(path, merges == 0 && cv.opt->nmarks == 0 &&
	    fp_xlsx_sheets_fit(nsheets), NULL, d);
	if (!cv.x) {
		err = FP_EWRITE;
		goto out;
	}
	fp_xlsx_no_autofit(cv.x);
	if (cv.nfonts > 0 && cv.fonts[0].name && *cv.fonts[0].name)
		fp_xlsx_default_font(cv.x, cv.fonts[0].name,
		    cv.fonts[0].height / 20.0);
	first = cv.opt->front ? 1 : 0;
	if (cv.opt->front)
		put_front(&cv, cv.opt->front);
	if (cv.opt->nmarks) {
		marks = fp_xreallocarray(NULL, cv.opt->nmarks, sizeof *marks);
		for (k = 0; k < cv.opt->nmarks; k++)
			marks[k] = &cv.opt->marks[k];
		qsort(marks, cv.opt->nmarks, sizeof *marks, mark_cmp);
	}
	for (i = 0; i < nsheets; i++) {
		size_t from = m;

		while (m < cv.opt->nmarks && marks[m]->sheet == i)
			m++;
		put_sheet(&cv, i, &grids[i], m > from ? marks + from : NULL,
		    m - from);
	}
	/*
	 * Marks with no sheet in front: the workbook opens on a sheet with
	 * some, if the one it shows has none (the second project's sheet).
	 */
	if (cv.opt->nmarks && !cv.opt->front) {
		for (k = 0; k < cv.opt->nmarks; k++)
			if (marks[k]->sheet == cv.shown)
				break;
		for (i = 0; k == cv.opt->nmarks && i < cv.opt->nmarks; i++)
			if (!fp_workbook_sheet(wb, marks[i]->sheet)->hidden) {
				fp_xlsx_activate(cv.x, marks[i]->sheet);
				break;
			}
	}
	put_names(&cv, first);
	lost = fp_workbook_lost(wb);
	for (k = 0; k < FP_LOST_KINDS; k++)
		rep->lost[k] += lost[k];
	rep->lost[FP_LOST_AUTOFILTER] -= cv.autofilters <
	    rep->lost[FP_LOST_AUTOFILTER] ? cv.autofilters :
	    rep->lost[FP_LOST_AUTOFILTER];
	rep->cut = fp_xlsx_cut(cv.x);
	memcpy(rep->cut_at, fp_xlsx_first_cut(cv.x), sizeof rep->cut_at);
	err = fp_xlsx_close(cv.x, d);
out:
	for (i = 0; grids && i < nsheets; i++)
		fp_grid_release(&grids[i]);
	free(grids);
	free(marks);
	free(cv.xfstyle);
	fp_buf_release(&cv.text);
	return err;
}
