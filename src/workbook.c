/*
 * The workbook model: what every reader fills and every consumer reads.
 * It owns the sheet list, the number formats and their date classes,
 * sorted grids, and the rendering of cell values. It knows no file
 * format; workbook_open.c recognises a file and hands it to its reader.
 */
#include "reader.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

void
fp_workbook_free(struct fp_workbook *wb)
{
	size_t i;

	if (!wb)
		return;
	if (wb->be && wb->be->free)
		wb->be->free(wb);
	for (i = 0; i < wb->nsheets; i++) {
		free(wb->sheets[i].name);
		free(wb->sheets[i].merges);
		free(wb->sheets[i].widths);
		free(wb->sheets[i].hidrows);
		fp_sheet_clear_looks(&wb->sheets[i]);
		free(wb->sheets[i].looks.cells);
		free(wb->sheets[i].looks.rows);
		free(wb->sheets[i].looks.formulas);
	}
	free(wb->sheets);
	for (i = 0; i < wb->nfonts; i++)
		free(wb->fonts[i].name);
	free(wb->fonts);
	free(wb->xfs);
	for (i = 0; i < wb->nnames; i++) {
		free(wb->names[i].name);
		free(wb->names[i].formula);
	}
	free(wb->names);
	for (i = 0; i < wb->nformats; i++)
		free(wb->formats[i].code);
	free(wb->formats);
	if (wb->mapped)
		munmap(wb->map, wb->mapsize);
	else
		free(wb->map);
	free(wb);
}

size_t
fp_workbook_nsheets(const struct fp_workbook *wb)
{
	return wb->nsheets;
}

const struct fp_sheet_info *
fp_workbook_sheet(const struct fp_workbook *wb, size_t i)
{
	struct fp_sheet *sh;

	if (i >= wb->nsheets)
		return NULL;
	sh = &wb->sheets[i];
	sh->info.name = sh->name;
	sh->info.merges = sh->merges;
	sh->info.nmerges = sh->nmerges;
	sh->info.widths = sh->widths;
	sh->info.nwidths = sh->nwidths;
	sh->info.hidden_rows = sh->hidrows;
	sh->info.nhidden_rows = sh->nhidrows;
	sh->info.looks = wb->keep_looks && sh->scanned ? &sh->looks : NULL;
	sh->info.dimcols = sh->dimcols;
	return &sh->info;
}

int
fp_workbook_date1904(const struct fp_workbook *wb)
{
	return wb->date1904;
}

const char *
fp_workbook_kind(const struct fp_workbook *wb)
{
	return wb->kind;
}

/* Excel's built-in number formats, where they do not vary by locale. */
static const char *const builtin_formats[] = {
	[0] = "General", [1] = "0", [2] = "0.00", [3] = "#,##0",
	[4] = "#,##0.00", [9] = "0%", [10] = "0.00%", [11] = "0.00E+00",
	[12] = "# ?/?", [13] = "# ?\?/?\?", [14] = "yyyy-mm-dd",
	[15] = "d-mmm-yy", [16] = "d-mmm", [17] = "mmm-yy",
	[18] = "h:mm AM/PM", [19] = "h:mm:ss AM/PM", [20] = "h:mm",
	[21] = "h:mm:ss", [22] = "yyyy-mm-dd h:mm", [37] = "#,##0 ;(#,##0)",
	[38] = "#,##0 ;[Red](#,##0)", [39] = "#,##0.00;(#,##0.00)",
	[40] = "#,##0.00;[Red](#,##0.00)", [45] = "mm:ss",
	[46] = "[h]:mm:ss", [47] = "mm:ss.0", [48] = "##0.0E+0", [49] = "@",
};

const char *
fp_workbook_format(const struct fp_workbook *wb, uint32_t fmt)
{
	if (fmt < wb->nformats && wb->formats[fmt].code)
		return wb->formats[fmt].code;
	if (fmt < sizeof builtin_formats / sizeof builtin_formats[0] &&
	    builtin_formats[fmt])
		return builtin_formats[fmt];
	switch (fp_wb_format_class(wb, fmt)) {
	case FP_FMT_ELAPSED:
		return "[h]:mm:ss";
	case FP_FMT_DATE:
		return "yyyy-mm-dd";
	case FP_FMT_DATETIME:
		return "yyyy-mm-dd hh:mm:ss";
	case FP_FMT_TIME:
		return "hh:mm:ss";
	default:
		return "General";
	}
}

struct fp_sheet *
fp_wb_add_sheet(struct fp_workbook *wb, const char *name, int hidden)
{
	struct fp_sheet *sh;

	if (wb->nsheets == wb->capsheets) {
		wb->capsheets = wb->capsheets ? wb->capsheets * 2 : 8;
		wb->sheets = fp_xreallocarray(wb->sheets, wb->capsheets,
		    sizeof *wb->sheets);
	}
	sh = &wb->sheets[wb->nsheets++];
	memset(sh, 0, sizeof *sh);
	sh->name = fp_xstrdup(name);
	sh->info.hidden = hidden;
	sh->info.visibility = hidden;
	fp_sheet_clear_looks(sh);
	return sh;
}

void
fp_wb_clear_formats(struct fp_workbook *wb)
{
	size_t i;

	for (i = 0; i < wb->nformats; i++) {
		free(wb->formats[i].code);
		wb->formats[i].code = NULL;
		wb->formats[i].cls = FP_FMT_NUMBER;
	}
}

/*
 * 1 + the decimals it always shows if the first section of a format
 * code (the one for positive numbers) has a % outside quoted text,
 * brackets and escaped characters (0.00% gives 3, 0.0#% 2: a # or ? shows
 * a digit only where the value has one); 0 if not.
 */
static int
shows_percent(const char *code)
{
	int quoted = 0, depth = 0, point = 0, places = 0;
	const char *p;

	for (p = code; *p; p++) {
		if (quoted) {
			quoted = *p != '"';
		} else if (*p == '"') {
			quoted = 1;
		} else if ((*p == '\\' || *p == '_' || *p == '*') && p[1]) {
			p++;
		} else if (*p == '[') {
			depth++;
		} else if (*p == ']') {
			depth -= depth > 0;
		} else if (!depth && *p == ';') {
			return 0;
		} else if (!depth && *p == '%') {
			return 1 + (places < 15 ? places : 15);
		} else if (!depth && *p == '.') {
			point = 1;
		} else if (!depth && point && *p == '0') {
			places++;
		}
	}
	return 0;
}

void
fp_wb_set_format(struct fp_workbook *wb, uint32_t key, const char *code)
{
	if (key > 0xFFFF)
		return;
	if (key >= wb->nformats) {
		size_t n = key + 1;

		wb->formats = fp_xreallocarray(wb->formats, n,
		    sizeof *wb->formats);
		memset(wb->formats + wb->nformats, 0,
		    (n - wb->nformats) * sizeof *wb->formats);
		wb->nformats = n;
	}
	free(wb->formats[key].code);
	wb->formats[key].code = fp_xstrdup(code);
	wb->formats[key].percent = (uint8_t)shows_percent(code);
	wb->formats[key].cls = (uint8_t)fp_fmt_classify(code);
	wb->formats[key].words = wb->formats[key].cls == FP_FMT_NUMBER &&
	    fp_fmt_has_words(code);
	if (wb->formats[key].cls == FP_FMT_NUMBER) {
		int pad, ignored;

		wb->formats[key].scale[1] = (int8_t)fp_fmt_scale(code, -1,
		    &ignored);
		wb->formats[key].scale[0] = (int8_t)fp_fmt_scale(code, 1, &pad);
		wb->formats[key].pad = (uint8_t)pad;
	}
}

int
fp_workbook_scale(const struct fp_workbook *wb, uint32_t key, double x,
    int *pad)
{
	*pad = 0;
	if (key >= wb->nformats || !wb->formats[key].code)
		return 0;
	*pad = wb->formats[key].pad;
	return wb->formats[key].scale[x < 0];
}

/* The class of a built-in format key (xlrd's table of standard codes). */
static enum fp_fmt_class
builtin_class(uint32_t key)
{
	if ((key >= 14 && key <= 17) || (key >= 27 && key <= 31) ||
	    key == 36 || (key >= 50 && key <= 54) || key == 57 ||
	    key == 58 || (key >= 71 && key <= 81))
		return FP_FMT_DATE;
	if (key == 46)
		return FP_FMT_ELAPSED;
	if ((key >= 18 && key <= 21) || (key >= 32 && key <= 35) ||
	    key == 45 || key == 47 || key == 55 || key == 56)
		return FP_FMT_TIME;
	if (key == 22)
		return FP_FMT_DATETIME;
	return FP_FMT_NUMBER;
}

int
fp_workbook_percent(const struct fp_workbook *wb, uint32_t key)
{
	if (key < wb->nformats && wb->formats[key].code)
		return wb->formats[key].percent;
	return key == 9 ? 1 : key == 10 ? 3 : 0;
}

enum fp_fmt_class
fp_wb_format_class(const struct fp_workbook *wb, uint32_t key)
{
	if (key < wb->nformats && wb->formats[key].code)
		return (enum fp_fmt_class)wb->formats[key].cls;
	return builtin_class(key);
}

enum fp_fmt_class
fp_fmt_classify(const char *code)
{
	char red[256];
	size_t n = 0, i;
	int state = 0, depth = 0, date = 0, time = 0, num = 0;
	int last_hour = 0, elapsed = 0, only_hms = 0, letters = 0;
	const char *p;

	/*
	 * Reduce the code the way xlrd does: drop quoted text, the character
	 * after a backslash, underscore or asterisk, the separators
	 * "$-+/(): ", and anything in square brackets ([Red], [$-804]).
	 */
	for (p = code; *p && n < sizeof red - 1; p++) {
		char c = *p;

		if (state == 1) {
			if (c == '"')
				state = 0;
			continue;
		}
		if (state == 2) {
			state = 0;
			continue;
		}
		if (c == '"') {
			state = 1;
		} else if (c == '\\' || c == '_' || c == '*') {
			state = 2;
		} else if (c == '[') {
			if (!depth)
				only_hms = 1, letters = 0;
			depth++;
		} else if (c == ']') {
			/* [h], [mm], [ss]: an elapsed time, not a colour. */
			if (depth == 1 && only_hms && letters)
				elapsed = 1;
			if (depth)
				depth--;
		} else if (depth) {
			if (strchr("hHmMsS", c))
				letters++;
			else
				only_hms = 0;
			continue;
		} else if (!strchr("$-+/(): ", c)) {
			red[n++] = c;
		}
	}
	red[n] = '\0';
	/*
	 * aaa and aaaa, the weekday (二, 星期二) in Chinese Excel, are ddd;
	 * LibreOffice writes them AAA and AAAA.
	 */
	for (i = 0; i + 2 < n; i++)
		if ((red[i] | 0x20) == 'a' && (red[i + 1] | 0x20) == 'a' &&
		    (red[i + 2] | 0x20) == 'a')
			for (; i < n && (red[i] | 0x20) == 'a'; i++)
				red[i] = 'd';
	if (elapsed && !strpbrk(red, "yYdD"))
		return FP_FMT_ELAPSED;
	if (!strcmp(red, "General") || !strcmp(red, "GENERAL") ||
	    !strcmp(red, "general") || !strcmp(red, "@") ||
	    !strcmp(red, "0.00E00") || !strcmp(red, "##0.0E0"))
		return FP_FMT_NUMBER;
	/* Date or number: xlrd counts every character alike. */
	for (i = 0; i < n; i++) {
		if (strchr("yYmMdDhHsS", red[i]))
			date++;
		else if (red[i] == '0' || red[i] == '#' || red[i] == '?')
			num++;
	}
	if (date == 0 || num >= date)
		return FP_FMT_NUMBER;
	/* Which parts it shows: an m after an h or before an s is minutes. */
	date = 0;
	for (i = 0; i < n; i++) {
		switch (red[i]) {
		case 'y': case 'Y': case 'd': case 'D':
			date++;
			last_hour = 0;
			break;
		case 'h': case 'H':
			time++;
			last_hour = 1;
			break;
		case 's': case 'S':
			time++;
			break;
		case 'm': case 'M': {
			size_t j = i;
			int minute = last_hour;

			while (j < n && (red[j] == 'm' || red[j] == 'M'))
				j++;
			for (; j < n && !minute; j++) {
				char c = red[j];

				if (c == 's' || c == 'S')
					minute = 1;
				if (strchr("yYdDhHmM", c))
					break;
			}
			if (minute)
				time++;
			else
				date++;
			while (i + 1 < n && (red[i + 1] == 'm' ||
			    red[i + 1] == 'M'))
				i++;
			break;
		}
		default:
			break;
		}
	}
	if (date && time)
		return FP_FMT_DATETIME;
	return date ? FP_FMT_DATE : FP_FMT_TIME;
}

enum fp_cell_type
fp_date_type(enum fp_fmt_class cls, double x, int date1904)
{
	double secs;

	if (cls == FP_FMT_NUMBER || !(x >= 0) || x >= 2958466.0)
		return FP_CELL_NUMBER;
	if (cls == FP_FMT_ELAPSED || (x < 1 && (!date1904 ||
	    cls == FP_FMT_TIME)))
		return FP_CELL_TIME;
	if (cls != FP_FMT_DATE)
		return FP_CELL_DATETIME;
	/* A date format on a value with a time of day: keep the time. */
	secs = round((x - floor(x)) * 86400.0);
	return secs == 0 || secs == 86400 ? FP_CELL_DATE : FP_CELL_DATETIME;
}

void
fp_sheet_add_merge(struct fp_sheet *sh, uint32_t r1, uint32_t r2,
    uint16_t c1, uint16_t c2)
{
	if (r2 < r1 || c2 < c1 || (r1 == r2 && c1 == c2))
		return;
	if (sh->nmerges == sh->capmerges) {
		sh->capmerges = sh->capmerges ? sh->capmerges * 2 : 16;
		sh->merges = fp_xreallocarray(sh->merges, sh->capmerges,
		    sizeof *sh->merges);
	}
	sh->merges[sh->nmerges].r1 = r1;
	sh->merges[sh->nmerges].r2 = r2;
	sh->merges[sh->nmerges].c1 = c1;
	sh->merges[sh->nmerges].c2 = c2;
	sh->nmerges++;
}

void
fp_sheet_add_width(struct fp_sheet *sh, uint16_t c1, uint16_t c2,
    double width, int hidden)
{
	if (c2 < c1)
		return;
	if (sh->nwidths == sh->capwidths) {
		sh->capwidths = sh->capwidths ? sh->capwidths * 2 : 16;
		sh->widths = fp_xreallocarray(sh->widths, sh->capwidths,
		    sizeof *sh->widths);
	}
	sh->widths[sh->nwidths].c1 = c1;
	sh->widths[sh->nwidths].c2 = c2;
	sh->widths[sh->nwidths].width = width;
	sh->widths[sh->nwidths].hidden = hidden;
	sh->widths[sh->nwidths].xf = 0;
	sh->nwidths++;
}

void
fp_sheet_hide_rows(struct fp_sheet *sh, uint32_t r1, uint32_t r2)
{
	struct fp_rowspan *last = sh->nhidrows ?
	    &sh->hidrows[sh->nhidrows - 1] : NULL;

	if (r2 < r1)
		return;
	if (last && last->r2 + 1 == r1) {
		last->r2 = r2;
		return;
	}
	if (sh->nhidrows == sh->caphidrows) {
		sh->caphidrows = sh->caphidrows ? sh->caphidrows * 2 : 16;
		sh->hidrows = fp_xreallocarray(sh->hidrows, sh->caphidrows,
		    sizeof *sh->hidrows);
	}
	sh->hidrows[sh->nhidrows].r1 = r1;
	sh->hidrows[sh->nhidrows].r2 = r2;
	sh->nhidrows++;
}

void
fp_sheet_show_rows(struct fp_sheet *sh, uint32_t r1, uint32_t r2)
{
	struct fp_rowspan *v;
	size_t i, n = 0;

	if (r2 < r1 || !sh->nhidrows)
		return;
	/* A span around r1..r2 becomes two: at most twice as many. */
	v = fp_xreallocarray(NULL, sh->nhidrows, 2 * sizeof *v);
	for (i = 0; i < sh->nhidrows; i++) {
		struct fp_rowspan h = sh->hidrows[i];

		if (h.r2 < r1 || h.r1 > r2) {
			v[n++] = h;
			continue;
		}
		if (h.r1 < r1) {
			v[n].r1 = h.r1;
			v[n++].r2 = r1 - 1;
		}
		if (h.r2 > r2) {
			v[n].r1 = r2 + 1;
			v[n++].r2 = h.r2;
		}
	}
	free(sh->hidrows);
	sh->hidrows = v;
	sh->nhidrows = n;
	sh->caphidrows = 2 * i;
}

enum fp_err
fp_sheet_too_much_text(const struct fp_sheet *sh, uint32_t row, uint32_t col,
    struct fp_diag *d)
{
	char name[8];

	fp_colname(col, name);
	return fp_diag(d, FP_ECORRUPT, "too much text (cell %s!%s%u takes the "
	    "text of the workbook's cells past %u MiB, more than %u times the "
	    "file's size: a shared string or a repeated cell copied too "
	    "often)", sh->name, name, row + 1, FP_MAX_TEXT >> 20,
	    FP_MAX_TEXT_RATIO);
}

enum fp_err
fp_sheet_scan(struct fp_workbook *wb, size_t i, fp_cell_fn fn, void *ctx,
    int *stopped, struct fp_diag *d)
{
	struct fp_sheet *sh;
	enum fp_err err;

	if (stopped)
		*stopped = 0;
	if (i >= wb->nsheets)
		return fp_diag(d, FP_ENOSHEET, "no sheet %zu", i + 1);
	sh = &wb->sheets[i];
	/* Merges, widths and hidden rows are gathered afresh on every scan. */
	sh->nmerges = 0;
	sh->nwidths = 0;
	sh->nhidrows = 0;
	fp_sheet_clear_looks(sh);
	sh->dimcols = 0;
	/* Its copies and text, counted again by this scan. */
	wb->copies -= sh->copies;
	wb->copytext -= sh->copytext;
	wb->text -= sh->text;
	sh->copies = sh->copytext = sh->text = 0;
	err = wb->be->scan(wb, i, fn, ctx, stopped, d);
	if (!err)
		sh->scanned = 1;
	return err;
}

int
fp_wb_add_copies(struct fp_workbook *wb, struct fp_sheet *sh, uint64_t cells,
    uint64_t bytes)
{
	sh->copies += cells;
	sh->copytext += bytes;
	wb->copies += cells;
	wb->copytext += bytes;
	return wb->copies > FP_MAX_COPIES || wb->copytext > FP_MAX_COPY_TEXT;
}

struct grid_load {
	struct fp_grid *g;
	size_t cap;
	size_t max;		/* the most cells taken (SIZE_MAX: any) */
	struct fp_buf text;
	int sorted;
};

static int
grid_add(void *ctx, const struct fp_cell *c)
{
	struct grid_load *gl = ctx;
	struct fp_grid *g = gl->g;
	struct fp_cell *nc;

	if (g->ncells == gl->max)
		return 1;
	if (g->ncells == gl->cap) {
		gl->cap = gl->cap ? gl->cap * 2 : 256;
		g->cells = fp_xreallocarray(g->cells, gl->cap, sizeof *g->cells);
	}
	if (g->ncells) {
		const struct fp_cell *p = &g->cells[g->ncells - 1];

		if (p->row > c->row || (p->row == c->row && p->col >= c->col))
			gl->sorted = 0;
	}
	nc = &g->cells[g->ncells++];
	*nc = *c;
	if (c->type == FP_CELL_TEXT || c->type == FP_CELL_ERROR) {
		/* Keep the offset for now; pointers are set once text is whole. */
		nc->v.num = (double)gl->text.len;
		fp_buf_add(&gl->text, c->v.text, c->len);
		fp_buf_addc(&gl->text, '\0');
	}
	return 0;
}

static int
cell_cmp(const void *a, const void *b)
{
	const struct fp_cell *x = a, *y = b;

	if (x->row != y->row)
		return x->row < y->row ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	/* Equal places: keep file order, so the later cell wins below. */
	return x < y ? -1 : x > y;
}

enum fp_err
fp_grid_load(struct fp_workbook *wb, size_t i, struct fp_grid *g,
    struct fp_diag *d)
{
	return fp_grid_load_max(wb, i, g, SIZE_MAX, NULL, d);
}

enum fp_err
fp_grid_load_max(struct fp_workbook *wb, size_t i, struct fp_grid *g,
    size_t max, int *over, struct fp_diag *d)
{
	struct grid_load gl;
	enum fp_err err;
	size_t k, w, r;
	int stopped = 0;

	memset(g, 0, sizeof *g);
	memset(&gl, 0, sizeof gl);
	gl.g = g;
	gl.max = max;
	gl.sorted = 1;
	fp_buf_init(&gl.text);
	if (over)
		*over = 0;
	err = fp_sheet_scan(wb, i, grid_add, &gl, &stopped, d);
	if (err || stopped) {
		free(g->cells);
		fp_buf_release(&gl.text);
		memset(g, 0, sizeof *g);
		if (over)
			*over = stopped != 0;
		return err;
	}
	if (!gl.sorted && g->ncells > 1) {
		qsort(g->cells, g->ncells, sizeof *g->cells, cell_cmp);
		/* Of cells at one place, the last written wins. */
		for (k = 0, w = 0; k < g->ncells; k++) {
			if (w && g->cells[w - 1].row == g->cells[k].row &&
			    g->cells[w - 1].col == g->cells[k].col)
				w--;
			g->cells[w++] = g->cells[k];
		}
		g->ncells = w;
	}
	g->text = fp_buf_detach(&gl.text);
	for (k = 0; k < g->ncells; k++) {
		struct fp_cell *c = &g->cells[k];

		if (c->type == FP_CELL_TEXT || c->type == FP_CELL_ERROR)
			c->v.text = g->text + (size_t)c->v.num;
		if (c->row + 1 > g->nrows)
			g->nrows = c->row + 1;
		if ((uint32_t)c->col + 1 > g->ncols)
			g->ncols = (uint32_t)c->col + 1;
	}
	g->rowstart = fp_xcalloc((size_t)g->nrows + 1, sizeof *g->rowstart);
	for (k = 0, r = 0; r <= g->nrows; r++) {
		while (k < g->ncells && g->cells[k].row < r)
			k++;
		g->rowstart[r] = k;
	}
	return FP_OK;
}

void
fp_grid_release(struct fp_grid *g)
{
	if (!g)
		return;
	free(g->cells);
	free(g->rowstart);
	free(g->text);
	memset(g, 0, sizeof *g);
}

const struct fp_cell *
fp_grid_at(const struct fp_grid *g, uint32_t r, uint32_t c)
{
	size_t lo, hi;

	if (r >= g->nrows)
		return NULL;
	lo = g->rowstart[r];
	hi = g->rowstart[r + 1];
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (g->cells[mid].col == c)
			return &g->cells[mid];
		if (g->cells[mid].col < c)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

size_t
fp_workbook_unsaved(const struct fp_workbook *wb)
{
	size_t i, n = 0;

	for (i = 0; i < wb->nsheets; i++)
		n += wb->sheets[i].unsaved;
	return n;
}

const char *
fp_error_text(unsigned code)
{
	switch (code) {
	case 0x00: return "#NULL!";
	case 0x07: return "#DIV/0!";
	case 0x0F: return "#VALUE!";
	case 0x17: return "#REF!";
	case 0x1D: return "#NAME?";
	case 0x24: return "#NUM!";
	case 0x2A: return "#N/A";
	case 0x2B: return "#GETTING_DATA";
	default: return "#ERROR!";
	}
}

void
fp_cell_set_error(struct fp_cell *c, unsigned code)
{
	c->type = FP_CELL_ERROR;
	c->v.text = fp_error_text(code);
	c->len = (uint32_t)strlen(c->v.text);
}

int
fp_error_is_text(const char *text)
{
	size_t n;

	if (text[0] != '#')
		return 0;
	for (n = 1; text[n]; n++) {
		char ch = text[n];

		if (n >= FP_ERROR_MAX - 1 || !((ch >= 'A' && ch <= 'Z') ||
		    (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
		    strchr("_/!?.", ch)))
			return 0;
	}
	return n > 1;
}

unsigned
fp_error_code(const char *text)
{
	static const unsigned char codes[] = {
		0x00, 0x07, 0x0F, 0x17, 0x1D, 0x24, 0x2A, 0x2B,
	};
	size_t i;

	for (i = 0; i < sizeof codes; i++)
		if (!strcmp(text, fp_error_text(codes[i])))
			return codes[i];
	return 0xFF;
}

/* A duration of a day or more as hours:minutes:seconds ("36:00:00"). */
static size_t
render_duration(char *buf, double x)
{
	long long secs;

	if (!(x >= 0) || x >= 2958466.0)
		return 0;
	secs = llround(x * 86400.0);
	return (size_t)snprintf(buf, FP_NUM_MAX, "%02lld:%02d:%02d",
	    secs / 3600, (int)(secs / 60 % 60), (int)(secs % 60));
}

const char *
fp_cell_render(const struct fp_cell *c, int date1904, char *buf, size_t *len)
{
	size_t n = 0;

	switch ((enum fp_cell_type)c->type) {
	case FP_CELL_TEXT:
	case FP_CELL_ERROR:
		*len = c->len;
		return c->v.text;
	case FP_CELL_DATE:
		n = fp_fmt_date(buf, c->v.num, date1904, FP_DATE_DATE);
		break;
	case FP_CELL_DATETIME:
		n = fp_fmt_date(buf, c->v.num, date1904, FP_DATE_DATETIME);
		break;
	case FP_CELL_TIME:
		n = c->v.num < 1 ?
		    fp_fmt_date(buf, c->v.num, date1904, FP_DATE_TIME) :
		    render_duration(buf, c->v.num);
		break;
	case FP_CELL_BOOL:
		n = (size_t)snprintf(buf, FP_NUM_MAX, "%s",
		    c->v.num != 0 ? "TRUE" : "FALSE");
		break;
	case FP_CELL_NUMBER:
		n = fp_fmt_num(buf, c->v.num);
		break;
	case FP_CELL_EMPTY:
		break;
	}
	if (n == 0 && c->type != FP_CELL_EMPTY)
		n = fp_fmt_num(buf, c->v.num);
	buf[n] = '\0';
	*len = n;
	return buf;
}

const char *
fp_cell_type_name(enum fp_cell_type t)
{
	static const char *const names[] = {
		"empty", "number", "text", "date", "datetime", "time", "bool",
		"error",
	};

	return (size_t)t < sizeof names / sizeof names[0] ? names[t] : "?";
}

void
fp_colname(uint32_t col, char *buf)
{
	char tmp[8];
	size_t n = 0, i;

	col++;
	while (col && n < sizeof tmp) {
		col--;
		tmp[n++] = (char)('A' + col % 26);
		col /= 26;
	}
	for (i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	buf[n] = '\0';
}

/* Excel's default palette, colours 8 to 63 (0 to 7 repeat 8 to 15). */
static const uint32_t default_palette[56] = {
	0x000000, 0xFFFFFF, 0xFF0000, 0x00FF00, 0x0000FF, 0xFFFF00, 0xFF00FF,
	0x00FFFF, 0x800000, 0x008000, 0x000080, 0x808000, 0x800080, 0x008080,
	0xC0C0C0, 0x808080, 0x9999FF, 0x993366, 0xFFFFCC, 0xCCFFFF, 0x660066,
	0xFF8080, 0x0066CC, 0xCCCCFF, 0x000080, 0xFF00FF, 0xFFFF00, 0x00FFFF,
	0x800080, 0x800000, 0x008080, 0x0000FF, 0x00CCFF, 0xCCFFFF, 0xCCFFCC,
	0xFFFF99, 0x99CCFF, 0xFF99CC, 0xCC99FF, 0xFFCC99, 0x3366FF, 0x33CCCC,
	0x99CC00, 0xFFCC00, 0xFF9900, 0xFF6600, 0x666699, 0x969696, 0x003366,
	0x339966, 0x003300, 0x333300, 0x993300, 0x993366, 0x333399, 0x333333,
};

void
fp_workbook_keep_looks(struct fp_workbook *wb)
{
	wb->keep_looks = 1;
}

const struct fp_font *
fp_workbook_fonts(const struct fp_workbook *wb, size_t *n)
{
	*n = wb->nfonts;
	return wb->fonts;
}

const struct fp_xf *
fp_workbook_xfs(const struct fp_workbook *wb, size_t *n)
{
	*n = wb->nxfs;
	return wb->xfs;
}

long
fp_workbook_color(const struct fp_workbook *wb, unsigned idx)
{
	if (idx < 8)
		return (long)default_palette[idx];
	if (idx < 64)
		return (long)(wb->palette[idx - 8] & 0x1000000 ?
		    wb->palette[idx - 8] & 0xFFFFFF : default_palette[idx - 8]);
	return -1;
}

void
fp_wb_set_color(struct fp_workbook *wb, unsigned idx, uint32_t rgb)
{
	if (idx >= 8 && idx < 64)
		wb->palette[idx - 8] = 0x1000000 | (rgb & 0xFFFFFF);
}

const struct fp_defname *
fp_workbook_names(const struct fp_workbook *wb, size_t *n)
{
	*n = wb->nnames;
	return wb->names;
}

const unsigned *
fp_workbook_lost(const struct fp_workbook *wb)
{
	return wb->lost;
}

enum fp_err
fp_workbook_formula(const struct fp_workbook *wb, size_t i,
    const struct fp_formula *f, uint32_t row, uint32_t col,
    struct fp_buf *out, struct fp_diag *d)
{
	if (!wb->formula)
		return fp_diag(d, FP_EFORMAT, "formulas are not kept by the "
		    "%s reader", wb->be ? wb->be->name : "");
	return wb->formula(wb, i, f, row, col, out, d);
}

struct fp_font *
fp_wb_add_font(struct fp_workbook *wb, const char *name)
{
	struct fp_font *f;

	if (wb->nfonts == wb->capfonts) {
		wb->capfonts = wb->capfonts ? wb->capfonts * 2 : 16;
		wb->fonts = fp_xreallocarray(wb->fonts, wb->capfonts,
		    sizeof *wb->fonts);
	}
	f = &wb->fonts[wb->nfonts++];
	memset(f, 0, sizeof *f);
	f->name = fp_xstrdup(name);
	f->height = 200;
	f->weight = 400;
	f->color = 0x7FFF;
	return f;
}

struct fp_xf *
fp_wb_add_xf(struct fp_workbook *wb)
{
	struct fp_xf *x;

	if (wb->nxfs == wb->capxfs) {
		wb->capxfs = wb->capxfs ? wb->capxfs * 2 : 32;
		wb->xfs = fp_xreallocarray(wb->xfs, wb->capxfs, sizeof *wb->xfs);
	}
	x = &wb->xfs[wb->nxfs++];
	memset(x, 0, sizeof *x);
	x->valign = 2;
	x->locked = 1;
	x->fg = 64;
	x->bg = 65;
	return x;
}

struct fp_defname *
fp_wb_add_name(struct fp_workbook *wb, const char *name)
{
	struct fp_defname *n;

	if (wb->nnames == wb->capnames) {
		wb->capnames = wb->capnames ? wb->capnames * 2 : 8;
		wb->names = fp_xreallocarray(wb->names, wb->capnames,
		    sizeof *wb->names);
	}
	n = &wb->names[wb->nnames++];
	memset(n, 0, sizeof *n);
	n->name = fp_xstrdup(name);
	n->builtin = -1;
	n->sheet = -1;
	return n;
}

void
fp_sheet_add_cellxf(struct fp_sheet *sh, uint32_t row, uint16_t col,
    uint16_t xf)
{
	struct fp_sheet_looks *l = &sh->looks;

	if (l->ncells == sh->capcells) {
		sh->capcells = sh->capcells ? sh->capcells * 2 : 256;
		l->cells = fp_xreallocarray(l->cells, sh->capcells,
		    sizeof *l->cells);
	}
	l->cells[l->ncells].row = row;
	l->cells[l->ncells].col = col;
	l->cells[l->ncells].xf = xf;
	l->ncells++;
}

struct fp_rowinfo *
fp_sheet_add_row(struct fp_sheet *sh, uint32_t row)
{
	struct fp_sheet_looks *l = &sh->looks;
	struct fp_rowinfo *r;

	if (l->nrows == sh->caprows) {
		sh->caprows = sh->caprows ? sh->caprows * 2 : 64;
		l->rows = fp_xreallocarray(l->rows, sh->caprows, sizeof *l->rows);
	}
	r = &l->rows[l->nrows++];
	memset(r, 0, sizeof *r);
	r->row = row;
	return r;
}

struct fp_formula *
fp_sheet_add_formula(struct fp_sheet *sh)
{
	struct fp_sheet_looks *l = &sh->looks;
	struct fp_formula *f;

	if (l->nformulas == sh->capformulas) {
		sh->capformulas = sh->capformulas ? sh->capformulas * 2 : 64;
		l->formulas = fp_xreallocarray(l->formulas, sh->capformulas,
		    sizeof *l->formulas);
	}
	f = &l->formulas[l->nformulas++];
	memset(f, 0, sizeof *f);
	return f;
}

void
fp_sheet_clear_looks(struct fp_sheet *sh)
{
	struct fp_sheet_looks *l = &sh->looks;
	size_t k;

	l->ncells = 0;
	l->nrows = 0;
	l->nformulas = 0;
	free(l->page.header);
	free(l->page.footer);
	memset(&l->win, 0, sizeof l->win);
	memset(&l->page, 0, sizeof l->page);
	l->page.landscape = l->page.paper = l->page.scale = -1;
	l->page.fitw = l->page.fith = -1;
	for (k = 0; k < 4; k++)
		l->page.margin[k] = -1;
	l->page.mheader = l->page.mfooter = -1;
	l->defwidth = l->defheight = 0;
	memset(l->lost, 0, sizeof l->lost);
}

int
fp_workbook_is_summary(const struct fp_workbook *wb)
{
	return wb->summary;
}
