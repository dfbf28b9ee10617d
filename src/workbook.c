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
	}
	free(wb->sheets);
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
	wb->formats[key].cls = (uint8_t)fp_fmt_classify(code);
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
fp_date_type(enum fp_fmt_class cls, double x)
{
	double secs;

	if (cls == FP_FMT_NUMBER || !(x >= 0) || x >= 2958466.0)
		return FP_CELL_NUMBER;
	if (cls == FP_FMT_ELAPSED || x < 1)
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
	sh->nwidths++;
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
	/* Merges and widths are gathered afresh on every scan. */
	sh->nmerges = 0;
	sh->nwidths = 0;
	sh->dimcols = 0;
	err = wb->be->scan(wb, i, fn, ctx, stopped, d);
	if (!err)
		sh->scanned = 1;
	return err;
}

struct grid_load {
	struct fp_grid *g;
	size_t cap;
	struct fp_buf text;
	int sorted;
};

static int
grid_add(void *ctx, const struct fp_cell *c)
{
	struct grid_load *gl = ctx;
	struct fp_grid *g = gl->g;
	struct fp_cell *nc;

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
	if (c->type == FP_CELL_TEXT) {
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
	struct grid_load gl;
	enum fp_err err;
	size_t k, w, r;

	memset(g, 0, sizeof *g);
	memset(&gl, 0, sizeof gl);
	gl.g = g;
	gl.sorted = 1;
	fp_buf_init(&gl.text);
	err = fp_sheet_scan(wb, i, grid_add, &gl, NULL, d);
	if (err) {
		free(g->cells);
		fp_buf_release(&gl.text);
		memset(g, 0, sizeof *g);
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

		if (c->type == FP_CELL_TEXT)
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
	case FP_CELL_ERROR:
		n = (size_t)snprintf(buf, FP_NUM_MAX, "%s",
		    fp_error_text((unsigned)c->v.num));
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
