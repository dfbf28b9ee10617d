/*
 * .xlsx out, over libxlsxwriter. Owns the workbook, its sheets and
 * styles, and fits column widths to what was written. It writes where it
 * is told: putting the file in place is outfile.c's. Comments and
 * hyperlinks wait on disk (xlsxstore.h) and go into the file when it is
 * closed (xlsxpost.h). The first error libxlsxwriter reports is kept and
 * given back by fp_xlsx_close.
 */
#include "xlsx.h"

#include <dlfcn.h>
#include <errno.h>
#include <malloc.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <xlsxwriter.h>

/*
 * libxlsxwriter is loaded when the first workbook is started, not when
 * formpipe starts: it brings libcrypto, whose relocation was most of the
 * start-up of every command, also of those that never write .xlsx. Each
 * function of it called here is listed once below and once among the
 * #defines that follow, which send the calls through the table.
 */
#ifndef FP_LXW_SONAME
#define FP_LXW_SONAME "libxlsxwriter.so"
#endif

#define LXW_FUNCS(X) \
	X(chart_add_series) \
	X(chart_axis_set_reverse) \
	X(chart_legend_set_position) \
	X(chart_series_set_categories) \
	X(chart_series_set_labels) \
	X(chart_series_set_name) \
	X(chart_series_set_values) \
	X(chart_title_set_name) \
	X(format_set_align) \
	X(format_set_bg_color) \
	X(format_set_bold) \
	X(format_set_border) \
	X(format_set_border_color) \
	X(format_set_bottom) \
	X(format_set_bottom_color) \
	X(format_set_fg_color) \
	X(format_set_font_color) \
	X(format_set_font_name) \
	X(format_set_font_script) \
	X(format_set_font_size) \
	X(format_set_font_strikeout) \
	X(format_set_hidden) \
	X(format_set_indent) \
	X(format_set_italic) \
	X(format_set_left) \
	X(format_set_left_color) \
	X(format_set_num_format) \
	X(format_set_num_format_index) \
	X(format_set_pattern) \
	X(format_set_right) \
	X(format_set_right_color) \
	X(format_set_rotation) \
	X(format_set_shrink) \
	X(format_set_text_wrap) \
	X(format_set_top) \
	X(format_set_top_color) \
	X(format_set_underline) \
	X(format_set_unlocked) \
	X(lxw_strerror) \
	X(lxw_worksheet_find_row) \
	X(lxw_workbook_free) \
	X(workbook_add_chart) \
	X(workbook_add_format) \
	X(workbook_add_worksheet) \
	X(workbook_close) \
	X(workbook_define_name) \
	X(workbook_new_opt) \
	X(workbook_set_properties) \
	X(worksheet_activate) \
	X(worksheet_autofilter) \
	X(worksheet_center_horizontally) \
	X(worksheet_center_vertically) \
	X(worksheet_fit_to_pages) \
	X(worksheet_freeze_panes) \
	X(worksheet_freeze_panes_opt) \
	X(worksheet_gridlines) \
	X(worksheet_hide) \
	X(worksheet_insert_chart_opt) \
	X(worksheet_merge_range) \
	X(worksheet_print_area) \
	X(worksheet_repeat_columns) \
	X(worksheet_repeat_rows) \
	X(worksheet_set_column) \
	X(worksheet_set_column_opt) \
	X(worksheet_set_default_row) \
	X(worksheet_set_first_sheet) \
	X(worksheet_set_footer_opt) \
	X(worksheet_set_header_opt) \
	X(worksheet_set_landscape) \
	X(worksheet_set_margins) \
	X(worksheet_set_paper) \
	X(worksheet_set_portrait) \
	X(worksheet_set_print_scale) \
	X(worksheet_set_row_opt) \
	X(worksheet_set_zoom) \
	X(worksheet_write_array_formula_num) \
	X(worksheet_write_blank) \
	X(worksheet_write_boolean) \
	X(worksheet_write_comment_opt) \
	X(worksheet_write_formula_num) \
	X(worksheet_write_formula_str) \
	X(worksheet_write_number) \
	X(worksheet_write_string)

static struct {
#define LXW_MEMBER(f) __typeof__(&f) f;
	LXW_FUNCS(LXW_MEMBER)
#undef LXW_MEMBER
} lxw;
static void *lxw_lib;

/* Loads libxlsxwriter once. Returns FP_OK, or FP_EWRITE with d filled. */
static enum fp_err
lxw_load(struct fp_diag *d)
{
	void *lib, *sym;

	if (lxw_lib)
		return FP_OK;
	lib = dlopen(FP_LXW_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!lib)
		return fp_diag(d, FP_EWRITE, "cannot load libxlsxwriter: %s",
		    dlerror());
#define LXW_RESOLVE(f) \
	if (!(sym = dlsym(lib, #f))) { \
		fp_diag(d, FP_EWRITE, "libxlsxwriter (" FP_LXW_SONAME ") " \
		    "has no %s", #f); \
		dlclose(lib); \
		return FP_EWRITE; \
	} \
	memcpy(&lxw.f, &sym, sizeof sym);
	LXW_FUNCS(LXW_RESOLVE)
#undef LXW_RESOLVE
	lxw_lib = lib;
	return FP_OK;
}

#define chart_add_series (*lxw.chart_add_series)
#define chart_axis_set_reverse (*lxw.chart_axis_set_reverse)
#define chart_legend_set_position (*lxw.chart_legend_set_position)
#define chart_series_set_categories (*lxw.chart_series_set_categories)
#define chart_series_set_labels (*lxw.chart_series_set_labels)
#define chart_series_set_name (*lxw.chart_series_set_name)
#define chart_series_set_values (*lxw.chart_series_set_values)
#define chart_title_set_name (*lxw.chart_title_set_name)
#define format_set_align (*lxw.format_set_align)
#define format_set_bg_color (*lxw.format_set_bg_color)
#define format_set_bold (*lxw.format_set_bold)
#define format_set_border (*lxw.format_set_border)
#define format_set_border_color (*lxw.format_set_border_color)
#define format_set_bottom (*lxw.format_set_bottom)
#define format_set_bottom_color (*lxw.format_set_bottom_color)
#define format_set_fg_color (*lxw.format_set_fg_color)
#define format_set_font_color (*lxw.format_set_font_color)
#define format_set_font_name (*lxw.format_set_font_name)
#define format_set_font_script (*lxw.format_set_font_script)
#define format_set_font_size (*lxw.format_set_font_size)
#define format_set_font_strikeout (*lxw.format_set_font_strikeout)
#define format_set_hidden (*lxw.format_set_hidden)
#define format_set_indent (*lxw.format_set_indent)
#define format_set_italic (*lxw.format_set_italic)
#define format_set_left (*lxw.format_set_left)
#define format_set_left_color (*lxw.format_set_left_color)
#define format_set_num_format (*lxw.format_set_num_format)
#define format_set_num_format_index (*lxw.format_set_num_format_index)
#define format_set_pattern (*lxw.format_set_pattern)
#define format_set_right (*lxw.format_set_right)
#define format_set_right_color (*lxw.format_set_right_color)
#define format_set_rotation (*lxw.format_set_rotation)
#define format_set_shrink (*lxw.format_set_shrink)
#define format_set_text_wrap (*lxw.format_set_text_wrap)
#define format_set_top (*lxw.format_set_top)
#define format_set_top_color (*lxw.format_set_top_color)
#define format_set_underline (*lxw.format_set_underline)
#define format_set_unlocked (*lxw.format_set_unlocked)
#define lxw_strerror (*lxw.lxw_strerror)
#define lxw_worksheet_find_row (*lxw.lxw_worksheet_find_row)
#define lxw_workbook_free (*lxw.lxw_workbook_free)
#define workbook_add_chart (*lxw.workbook_add_chart)
#define workbook_add_format (*lxw.workbook_add_format)
#define workbook_add_worksheet (*lxw.workbook_add_worksheet)
#define workbook_close (*lxw.workbook_close)
#define workbook_define_name (*lxw.workbook_define_name)
#define workbook_new_opt (*lxw.workbook_new_opt)
#define workbook_set_properties (*lxw.workbook_set_properties)
#define worksheet_activate (*lxw.worksheet_activate)
#define worksheet_autofilter (*lxw.worksheet_autofilter)
#define worksheet_center_horizontally (*lxw.worksheet_center_horizontally)
#define worksheet_center_vertically (*lxw.worksheet_center_vertically)
#define worksheet_fit_to_pages (*lxw.worksheet_fit_to_pages)
#define worksheet_freeze_panes (*lxw.worksheet_freeze_panes)
#define worksheet_freeze_panes_opt (*lxw.worksheet_freeze_panes_opt)
#define worksheet_gridlines (*lxw.worksheet_gridlines)
#define worksheet_hide (*lxw.worksheet_hide)
#define worksheet_insert_chart_opt (*lxw.worksheet_insert_chart_opt)
#define worksheet_merge_range (*lxw.worksheet_merge_range)
#define worksheet_print_area (*lxw.worksheet_print_area)
#define worksheet_repeat_columns (*lxw.worksheet_repeat_columns)
#define worksheet_repeat_rows (*lxw.worksheet_repeat_rows)
#define worksheet_set_column (*lxw.worksheet_set_column)
#define worksheet_set_column_opt (*lxw.worksheet_set_column_opt)
#define worksheet_set_default_row (*lxw.worksheet_set_default_row)
#define worksheet_set_first_sheet (*lxw.worksheet_set_first_sheet)
#define worksheet_set_footer_opt (*lxw.worksheet_set_footer_opt)
#define worksheet_set_header_opt (*lxw.worksheet_set_header_opt)
#define worksheet_set_landscape (*lxw.worksheet_set_landscape)
#define worksheet_set_margins (*lxw.worksheet_set_margins)
#define worksheet_set_paper (*lxw.worksheet_set_paper)
#define worksheet_set_portrait (*lxw.worksheet_set_portrait)
#define worksheet_set_print_scale (*lxw.worksheet_set_print_scale)
#define worksheet_set_row_opt (*lxw.worksheet_set_row_opt)
#define worksheet_set_zoom (*lxw.worksheet_set_zoom)
#define worksheet_write_array_formula_num (*lxw.worksheet_write_array_formula_num)
#define worksheet_write_blank (*lxw.worksheet_write_blank)
#define worksheet_write_boolean (*lxw.worksheet_write_boolean)
#define worksheet_write_comment_opt (*lxw.worksheet_write_comment_opt)
#define worksheet_write_formula_num (*lxw.worksheet_write_formula_num)
#define worksheet_write_formula_str (*lxw.worksheet_write_formula_str)
#define worksheet_write_number (*lxw.worksheet_write_number)
#define worksheet_write_string (*lxw.worksheet_write_string)

#include "workbook.h"
#include "xlsxlinks.h"
#include "xlsxnotes.h"
#include "xlsxpost.h"
#include "xlsxstore.h"
#include "xlsxverify.h"

/* 2000-01-01T00:00:00Z: a fixed creation time, so output is reproducible. */
#define FIXED_CREATED 946684800

/* Excel's limit on a cell's text, in characters. */
#define MAX_CELL_CHARS 32767

struct xsheet {
	lxw_worksheet *ws;
	char *name;
	double *autow;		/* widest entry per column */
	uint8_t *fixed;		/* width set by the caller */
	size_t ncols;
	int hidden;		/* 1 hidden, 2 very hidden */
	uint32_t nlinks;	/* hyperlinks written on it */
};

struct xstyle {
	struct fp_style st;
	char *numfmt;
	lxw_format *fmt;
	char *key;		/* a look's, for fp_xlsx_look; NULL otherwise */
};

struct fp_xlsx {
	lxw_workbook *wb;
	char *path;
	struct xsheet *sheets;
	size_t nsheets;
	struct xstyle *styles;
	size_t nstyles;
	int constant_memory;
	lxw_error err;
	char errwhere[128];
	char errmsg[FP_DIAG_MAX];	/* what went wrong, when more than err says */
	int no_autofit;
	long active;		/* the sheet to show first, -1 the first */
	int *slots;		/* looks by key hash: style index + 1, 0 empty */
	size_t nslots, nlooks;
	struct fp_numfix *fixes;	/* numbers %.16G would round */
	size_t nfixes, capfixes;
	char *font;		/* the default font, NULL for libxlsxwriter's */
	double fontsize;
	size_t ncut;		/* texts cut to Excel's longest */
	char cut_at[FP_CUT_AT_MAX];	/* the first's place */
	struct fp_store *notes;	/* comments, on disk until close */
	struct fp_store *links;	/* hyperlinks, the same */
};

static void
note(struct fp_xlsx *x, lxw_error e, const char *where)
{
	if (e != LXW_NO_ERROR && x->err == LXW_NO_ERROR) {
		x->err = e;
		snprintf(x->errwhere, sizeof x->errwhere, "%s", where);
	}
}

struct fp_xlsx *
fp_xlsx_new(const char *path, int constant_memory, const char *keywords,
    struct fp_diag *d)
{
	struct fp_xlsx *x;
	lxw_workbook_options opt;
	lxw_doc_properties props;
	const char *tmpdir = getenv("TMPDIR");

	if (lxw_load(d) != FP_OK)
		return NULL;
	x = fp_xcalloc(1, sizeof *x);
	x->active = -1;
	x->path = fp_xstrdup(path);
	memset(&opt, 0, sizeof opt);
	x->constant_memory = constant_memory != 0;
	/*
	 * In constant memory libxlsxwriter callocs a row of 16,384 cell
	 * pointers (128 KiB) for each sheet and touches a few. glibc's
	 * threshold for mapping a block rises as blocks are freed, and past
	 * it calloc clears reused heap, so each sheet's row came to cost its
	 * whole 128 KiB (9 MB for the 71 sheets of 10,000 forms over ten
	 * years); a fixed threshold keeps such blocks mapped, their untouched
	 * pages unpaid.
	 */
#ifdef M_MMAP_THRESHOLD
	if (constant_memory)
		mallopt(M_MMAP_THRESHOLD, 64 * 1024);
#endif
	opt.constant_memory = constant_memory ? LXW_TRUE : LXW_FALSE;
	opt.tmpdir = (char *)(tmpdir && *tmpdir ? tmpdir : NULL);
	opt.use_zip64 = LXW_TRUE;
	x->wb = workbook_new_opt(x->path, &opt);
	if (!x->wb) {
		fp_diag(d, FP_EWRITE, "cannot start the workbook");
		free(x->path);
		free(x);
		return NULL;
	}
	memset(&props, 0, sizeof props);
	props.created = FIXED_CREATED;
	props.keywords = (char *)keywords;
	note(x, workbook_set_properties(x->wb, &props), "properties");
	return x;
}

/* Counts UTF-8 characters of s, and where the limit-th one starts. */
static size_t
utf8_cut(const char *s, size_t limit)
{
	size_t i = 0, chars = 0;

	while (s[i]) {
		if (((unsigned char)s[i] & 0xC0) != 0x80) {
			if (chars == limit)
				return i;
			chars++;
		}
		i++;
	}
	return i;
}

/* Excel's longest sheet name, in UTF-16 units. */
#define SHEET_NAME_MAX 31

/*
 * A character as Excel compares sheet names, without regard to case: the
 * capitals of ASCII, Latin-1, Greek, Cyrillic and the full-width forms
 * fold to their small letters.
 */
static uint32_t
fold(uint32_t c)
{
	if ((c >= 'A' && c <= 'Z') || (c >= 0xC0 && c <= 0xDE && c != 0xD7) ||
	    (c >= 0x391 && c <= 0x3AB && c != 0x3A2) ||
	    (c >= 0x410 && c <= 0x42F))
		return c + 0x20;
	if (c >= 0x400 && c <= 0x40F)
		return c + 0x50;
	if (c >= 0xFF21 && c <= 0xFF3A)
		return c + 0x20;
	return c;
}

/* 1 if sheet names a and b are the same to Excel. */
static int
same_name(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b), i = 0, j = 0;

	while (i < na && j < nb) {
		uint32_t ca, cb;

		i += fp_utf8_decode(a + i, na - i, &ca);
		j += fp_utf8_decode(b + j, nb - j, &cb);
		if (fold(ca) != fold(cb))
			return 0;
	}
	return i == na && j == nb;
}

static int
name_taken(const struct fp_xlsx *x, const char *name)
{
	size_t i;

	for (i = 0; i < x->nsheets; i++)
		if (same_name(x->sheets[i].name, name))
			return 1;
	return 0;
}

/*
 * The valid sheet name nearest to name, at most max UTF-16 units long,
 * into b: no []:*?/\ or control characters (each becomes '_'), no
 * apostrophe first or last, not blank, not Excel's reserved "History".
 */
static void
clean_name(struct fp_buf *b, const char *name, size_t max)
{
	size_t n = strlen(name), i = 0, units = 0;

	fp_buf_reset(b);
	while (i < n) {
		uint32_t c;
		size_t k = fp_utf8_decode(name + i, n - i, &c);
		size_t w = c >= 0x10000 ? 2 : 1;

		i += k ? k : 1;
		if (units + w > max)
			break;
		units += w;
		if (c < 0x20 || c == 0x7F || (c < 0x80 && strchr("[]:*?/\\",
		    (int)c)))
			c = '_';
		fp_utf8_put(b, c);
	}
	if (b->len && b->s[0] == '\'')
		b->s[0] = '_';
	if (b->len && b->s[b->len - 1] == '\'')
		b->s[b->len - 1] = '_';
	if (!b->len || same_name(b->s, "History"))
		fp_buf_adds(b, b->len ? "_" : "Sheet");
}

/*
 * The name a new sheet gets for the name asked: valid (clean_name) and
 * unlike every sheet's so far as Excel compares them, "name (2)",
 * "name (3)" and so on after the first. Returns it; the caller frees.
 */
static char *
sheet_name(const struct fp_xlsx *x, const char *name)
{
	struct fp_buf b = FP_BUF_INIT;
	size_t n;

	clean_name(&b, name, SHEET_NAME_MAX);
	for (n = 2; name_taken(x, b.s); n++) {
		char suffix[24];

		snprintf(suffix, sizeof suffix, " (%zu)", n);
		clean_name(&b, name, SHEET_NAME_MAX - strlen(suffix));
		fp_buf_adds(&b, suffix);
	}
	return fp_buf_detach(&b);
}

/*
 * In constant memory libxlsxwriter keeps a file open for every sheet
 * until the workbook is closed: makes room for n sheets under the limit
 * on open files, raising the soft limit toward the hard one if need be.
 * Returns 0, or -1 with the limit in *limit.
 */
static int
room_for_sheets(size_t n, unsigned long *limit)
{
	struct rlimit rl;
	rlim_t need = (rlim_t)n + 32;	/* stdio, inputs, the zip at close */

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return 0;
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= need)
		return 0;
	if (rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= need) {
		rl.rlim_cur = rl.rlim_max == RLIM_INFINITY ||
		    rl.rlim_max >= need * 2 ? need * 2 : rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) == 0)
			return 0;
	}
	*limit = (unsigned long)rl.rlim_max;
	return -1;
}

int
fp_xlsx_sheets_fit(size_t n)
{
	unsigned long limit;

	return room_for_sheets(n, &limit) == 0;
}

size_t
fp_xlsx_sheet(struct fp_xlsx *x, const char *name)
{
	struct xsheet *s;
	unsigned long limit;

	x->sheets = fp_xreallocarray(x->sheets, x->nsheets + 1,
	    sizeof *x->sheets);
	s = &x->sheets[x->nsheets];
	memset(s, 0, sizeof *s);
	s->name = sheet_name(x, name);
	if (x->constant_memory && room_for_sheets(x->nsheets + 1, &limit)) {
		/* No sheet: every write to it is skipped, close says why. */
		snprintf(x->errmsg, sizeof x->errmsg, "%zu sheets need more "
		    "open files than the limit allows (ulimit -n %lu)",
		    x->nsheets + 1, limit);
		note(x, LXW_ERROR_CREATING_TMPFILE, s->name);
	} else {
		s->ws = workbook_add_worksheet(x->wb, s->name);
		if (!s->ws)
			note(x, LXW_ERROR_MEMORY_MALLOC_FAILED, s->name);
	}
	return x->nsheets++;
}

/* The sheet's worksheet, or NULL when it could not be made. */
static lxw_worksheet *
ws(const struct fp_xlsx *x, size_t sheet)
{
	return sheet < x->nsheets ? x->sheets[sheet].ws : NULL;
}

void
fp_xlsx_hide(struct fp_xlsx *x, size_t sheet)
{
	if (!ws(x, sheet))
		return;

	if (sheet < x->nsheets)
		x->sheets[sheet].hidden = 1;
}

void
fp_xlsx_hide_very(struct fp_xlsx *x, size_t sheet)
{
	if (!ws(x, sheet))
		return;

	/* libxlsxwriter knows one kind of hidden sheet: see post. */
	if (sheet < x->nsheets)
		x->sheets[sheet].hidden = 2;
}

void
fp_xlsx_activate(struct fp_xlsx *x, size_t sheet)
{
	if (!ws(x, sheet))
		return;

	x->active = (long)sheet;
}

void
fp_xlsx_no_autofit(struct fp_xlsx *x)
{
	x->no_autofit = 1;
}

void
fp_xlsx_default_font(struct fp_xlsx *x, const char *name, double size)
{
	free(x->font);
	x->font = fp_xstrdup(name);
	x->fontsize = size;
}

/* The significant digits of a number's text: "0.00120" has 2, "1e+20" 1. */
static int
significant_digits(const char *s)
{
	int n = 0, zeros = 0, started = 0;

	for (; *s && *s != 'e' && *s != 'E'; s++) {
		if (*s < '0' || *s > '9')
			continue;
		if (*s == '0') {
			zeros += started;
			continue;
		}
		n += zeros + 1;
		zeros = 0;
		started = 1;
	}
	return n;
}

/* A new correction of a cell, to be made after libxlsxwriter has written. */
static struct fp_numfix *
add_fix(struct fp_xlsx *x, size_t sheet, uint32_t row, uint32_t col)
{
	struct fp_numfix *f;

	if (x->nfixes == x->capfixes) {
		x->capfixes = x->capfixes ? x->capfixes * 2 : 64;
		x->fixes = fp_xreallocarray(x->fixes, x->capfixes,
		    sizeof *x->fixes);
	}
	f = &x->fixes[x->nfixes++];
	memset(f, 0, sizeof *f);
	f->sheet = (uint32_t)sheet;
	f->row = row;
	f->col = col;
	return f;
}

/*
 * Remembers a value of a type libxlsxwriter cannot give a cell (a
 * boolean or an error result, an array formula's text result) to be
 * written afterwards: type and text as struct fp_numfix has them.
 */
static void
retype(struct fp_xlsx *x, size_t sheet, uint32_t row, uint32_t col, int type,
    const char *text, int drop)
{
	struct fp_numfix *f = add_fix(x, sheet, row, col);

	f->type = (char)type;
	f->drop = (char)drop;
	if (strlen(text) < sizeof f->text)
		memcpy(f->text, text, strlen(text) + 1);
	else
		f->str = fp_xstrdup(text);
}

/*
 * Remembers a number libxlsxwriter would write with 16 significant
 * digits only (it prints %.16G), to be written exactly afterwards.
 */
static void
exact(struct fp_xlsx *x, size_t sheet, uint32_t row, uint32_t col, double v)
{
	char buf[48], shortest[FP_NUM_MAX];

	if (v != v || v - v != 0)
		return;
	/*
	 * A number whose shortest text has 15 significant digits or fewer
	 * (most: amounts, counts) survives %.16G; only the others are
	 * printed and read back to see.
	 */
	fp_fmt_num(shortest, v);
	if (significant_digits(shortest) <= 15)
		return;
	snprintf(buf, sizeof buf, "%.16G", v);
	if (strtod(buf, NULL) == v)
		return;
	memcpy(add_fix(x, sheet, row, col)->text, shortest, FP_NUM_MAX);
}

/* The key a look is deduplicated by: every field, as text. */
static void
look_key(struct fp_buf *b, const struct fp_look *lk)
{
	fp_buf_printf(b, "%s|%g|%d%d%d%d%d|%ld|%s|%d|%d%d%d%d%d|%d|%d,%d,%d,%d|"
	    "%ld,%ld,%ld,%ld|%d|%ld|%ld|%d%d", lk->font ? lk->font : "",
	    lk->size, lk->bold, lk->italic, lk->strike, lk->underline,
	    lk->script, lk->color, lk->numfmt ? lk->numfmt : "",
	    lk->numfmt_id, lk->halign,
	    lk->valign, lk->wrap, lk->shrink, lk->indent, lk->rotation,
	    lk->border[0], lk->border[1], lk->border[2], lk->border[3],
	    lk->border_color[0], lk->border_color[1], lk->border_color[2],
	    lk->border_color[3], lk->pattern, lk->fg, lk->bg, lk->unlocked,
	    lk->hidden);
}

/* A new libxlsxwriter format for a look. */
static lxw_format *
look_format(struct fp_xlsx *x, const struct fp_look *lk)
{
	static const uint8_t valign[] = {
		LXW_ALIGN_VERTICAL_TOP, LXW_ALIGN_VERTICAL_CENTER,
		LXW_ALIGN_VERTICAL_BOTTOM, LXW_ALIGN_VERTICAL_JUSTIFY,
		LXW_ALIGN_VERTICAL_DISTRIBUTED,
	};
	lxw_format *f = workbook_add_format(x->wb);
	int k;

	if (!f)
		return NULL;
	if (lk->font && *lk->font)
		format_set_font_name(f, lk->font);
	if (lk->size > 0)
		format_set_font_size(f, lk->size);
	if (lk->bold)
		format_set_bold(f);
	if (lk->italic)
		format_set_italic(f);
	if (lk->strike)
		format_set_font_strikeout(f);
	if (lk->underline >= 1 && lk->underline <= 4)
		format_set_underline(f, (uint8_t)lk->underline);
	if (lk->script == 1 || lk->script == 2)
		format_set_font_script(f, (uint8_t)lk->script);
	if (lk->color >= 0)
		format_set_font_color(f, (lxw_color_t)lk->color);
	if (lk->numfmt_id > 0 && lk->numfmt_id < 164)
		format_set_num_format_index(f, (uint8_t)lk->numfmt_id);
	else if (lk->numfmt && *lk->numfmt && strcmp(lk->numfmt, "General"))
		format_set_num_format(f, lk->numfmt);
	if (lk->halign > 0 && lk->halign <= 7)
		format_set_align(f, (uint8_t)lk->halign);
	if (lk->valign >= 0 && lk->valign <= 4 && lk->valign != 2)
		format_set_align(f, valign[lk->valign]);
	if (lk->wrap)
		format_set_text_wrap(f);
	if (lk->shrink)
		format_set_shrink(f);
	if (lk->indent > 0)
		format_set_indent(f, (uint8_t)lk->indent);
	if (lk->rotation)
		format_set_rotation(f, (int16_t)lk->rotation);
	for (k = 0; k < 4; k++) {
		/* Loaded at run time: the table is made here, not static. */
		void (*const style_fn[4])(lxw_format *, uint8_t) = {
			format_set_left, format_set_right, format_set_top,
			format_set_bottom,
		};
		void (*const color_fn[4])(lxw_format *, lxw_color_t) = {
			format_set_left_color, format_set_right_color,
			format_set_top_color, format_set_bottom_color,
		};

		if (lk->border[k] <= 0 || lk->border[k] > 13)
			continue;
		style_fn[k](f, (uint8_t)lk->border[k]);
		if (lk->border_color[k] >= 0)
			color_fn[k](f, (lxw_color_t)lk->border_color[k]);
	}
	if (lk->pattern > 0 && lk->pattern <= 18) {
		format_set_pattern(f, (uint8_t)lk->pattern);
		if (lk->fg >= 0)
			format_set_fg_color(f, (lxw_color_t)lk->fg);
		if (lk->bg >= 0 && lk->pattern > 1)
			format_set_bg_color(f, (lxw_color_t)lk->bg);
	}
	if (lk->unlocked)
		format_set_unlocked(f);
	if (lk->hidden)
		format_set_hidden(f);
	return f;
}

int
fp_xlsx_look(struct fp_xlsx *x, const struct fp_look *lk)
{
	struct fp_buf key = FP_BUF_INIT;
	struct xstyle *s;
	size_t h, i;

	look_key(&key, lk);
	if (x->nlooks * 2 >= x->nslots) {
		size_t n = x->nslots ? x->nslots * 2 : 256;
		int *slots = fp_xcalloc(n, sizeof *slots);

		for (i = 0; i < x->nslots; i++) {
			int v = x->slots[i];

			if (!v)
				continue;
			h = fp_hash_slot(fp_hash(FP_HASH_INIT,
			    x->styles[v - 1].key), n - 1);
			while (slots[h])
				h = (h + 1) & (n - 1);
			slots[h] = v;
		}
		free(x->slots);
		x->slots = slots;
		x->nslots = n;
	}
	h = fp_hash_slot(fp_hash(FP_HASH_INIT, key.s), x->nslots - 1);
	while (x->slots[h]) {
		if (!strcmp(x->styles[x->slots[h] - 1].key, key.s)) {
			fp_buf_release(&key);
			return x->slots[h] - 1;
		}
		h = (h + 1) & (x->nslots - 1);
	}
	x->styles = fp_xreallocarray(x->styles, x->nstyles + 1,
	    sizeof *x->styles);
	s = &x->styles[x->nstyles];
	memset(s, 0, sizeof *s);
	s->numfmt = fp_xstrdup(lk->numfmt ? lk->numfmt : "");
	s->st.numfmt = s->numfmt;
	s->st.bold = lk->bold;
	s->key = fp_buf_detach(&key);
	s->fmt = look_format(x, lk);
	if (!s->fmt)
		note(x, LXW_ERROR_MEMORY_MALLOC_FAILED, "format");
	x->slots[h] = (int)x->nstyles + 1;
	x->nlooks++;
	return (int)x->nstyles++;
}

int
fp_xlsx_style(struct fp_xlsx *x, const struct fp_style *st)
{
	const char *nf = st->numfmt ? st->numfmt : "";
	struct xstyle *s;
	size_t i;

	for (i = 0; i < x->nstyles; i++)
		if (!x->styles[i].key && x->styles[i].st.bold == st->bold &&
		    x->styles[i].st.boxed == st->boxed &&
		    x->styles[i].st.heading == st->heading &&
		    !strcmp(x->styles[i].numfmt, nf))
			return (int)i;
	x->styles = fp_xreallocarray(x->styles, x->nstyles + 1,
	    sizeof *x->styles);
	s = &x->styles[x->nstyles];
	memset(s, 0, sizeof *s);
	s->st = *st;
	s->numfmt = fp_xstrdup(nf);
	s->st.numfmt = s->numfmt;
	s->fmt = workbook_add_format(x->wb);
	if (!s->fmt) {
		/* Cells of this style are written plain; close fails. */
		note(x, LXW_ERROR_MEMORY_MALLOC_FAILED, "format");
		return (int)x->nstyles++;
	}
	if (st->bold)
		format_set_bold(s->fmt);
	if (*nf)
		format_set_num_format(s->fmt, nf);
	format_set_align(s->fmt, LXW_ALIGN_VERTICAL_TOP);
	if (st->boxed) {
		format_set_border(s->fmt, LXW_BORDER_THIN);
		format_set_border_color(s->fmt, 0x808080);
	}
	if (st->heading) {
		format_set_bg_color(s->fmt, 0xD9E1F2);
		format_set_align(s->fmt, LXW_ALIGN_CENTER);
		format_set_align(s->fmt, LXW_ALIGN_VERTICAL_CENTER);
		format_set_text_wrap(s->fmt);
	}
	return (int)x->nstyles++;
}

static lxw_format *
fmt(struct fp_xlsx *x, int style)
{
	return style >= 0 && (size_t)style < x->nstyles ?
	    x->styles[style].fmt : NULL;
}

double
fp_display_width(const char *s)
{
	double w = 0, best = 0;
	size_t i = 0, n = strlen(s);

	while (i < n) {
		uint32_t cp;
		size_t k = fp_utf8_decode(s + i, n - i, &cp);

		if (!k)
			break;
		i += k;
		if (cp == '\n') {
			if (w > best)
				best = w;
			w = 0;
			continue;
		}
		if ((cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
		    (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
		    (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
		    (cp >= 0xFFE0 && cp <= 0xFFE6) || cp >= 0x20000)
			w += 2;
		else
			w += 1;
	}
	return w > best ? w : best;
}

/* Remembers how wide column col of sheet needs to be. */
static void
fit(struct fp_xlsx *x, size_t sheet, uint32_t col, double w)
{
	struct xsheet *s = &x->sheets[sheet];

	if (col >= s->ncols) {
		size_t n = (size_t)col + 16;

		s->autow = fp_xreallocarray(s->autow, n, sizeof *s->autow);
		s->fixed = fp_xreallocarray(s->fixed, n, sizeof *s->fixed);
		memset(s->autow + s->ncols, 0, (n - s->ncols) * sizeof *s->autow);
		memset(s->fixed + s->ncols, 0, (n - s->ncols) * sizeof *s->fixed);
		s->ncols = n;
	}
	if (w > s->autow[col])
		s->autow[col] = w;
}

/* Counts a text or comment cut at (row, col), the first by its place. */
static void
count_cut(struct fp_xlsx *x, size_t sheet, uint32_t row, uint32_t col,
    const char *what)
{
	char name[8];

	if (x->ncut++)
		return;
	fp_colname(col, name);
	snprintf(x->cut_at, sizeof x->cut_at, "%s%s!%s%lu", what,
	    x->sheets[sheet].name, name, (unsigned long)row + 1);
}

/*
 * Text as a cell holds it: an underscore that begins _xHHHH_ written
 * _x005F_, as Excel writes it, for a reader takes _xHHHH_ for the
 * character HHHH (libxlsxwriter writes control characters so, but a
 * literal pattern as it is). NULL where the text has none.
 */
static char *
escape_x(const char *s)
{
	struct fp_buf b = FP_BUF_INIT;
	const char *p, *from = s;

	for (p = strstr(s, "_x"); p; p = strstr(p + 1, "_x")) {
		if (!fp_store_x_pattern(p, strnlen(p, 7)))
			continue;
		fp_buf_add(&b, from, (size_t)(p - from));
		fp_buf_adds(&b, "_x005F");
		from = p;
	}
	if (!b.s)
		return NULL;
	fp_buf_adds(&b, from);
	return fp_buf_detach(&b);
}

void
fp_xlsx_text(struct fp_xlsx *x, size_t sheet, uint32_t row, uint32_t col,
    const char *s, int style)
{
	size_t cut = utf8_cut(s, MAX_CELL_CHARS), i;
	char *t = NULL, *e;
	double width;

	if (!ws(x, sheet))
		return;
	if (s[cut]) {
		t = fp_xstrndup(s, cut);
		s = t;
		count_cut(x, sheet, row, col, "");
	}
	width = fp_display_width(s);
	if ((e = escape_x(s)) != NULL) {
		free(t);
		s = t = e;
		/*
		 * Longer by the escapes, cut again: what is left of one
		 * (_x005F_x00) still reads as the text's own (_x00).
		 */
		if (s[cut = utf8_cut(s, MAX_CELL_CHARS)]) {
			t[cut] = '\0';
			count_cut(x, sheet, row, col, "");
		}
	}
	/* U+FFFE and U+FFFF, which XML cannot hold, as U+FFFD. */
	for (i = 0; s[i]; i++)
		if (fp_utf8_nonchar(s + i, strnlen(s + i, 3))) {
			if (!t)
				s = t = fp_xstrdup(s);
			t[i + 2] = (char)0xBD;
		}
	note(x, worksheet_write_string(x->sheets[sheet].ws, row, (lxw_col_t)col,
	    s, fmt(x, style)), x->sheets[sheet].name);
	fit(x, sheet, col, width * (style >= 0 &&
	    x->styles[style].st.bold ? 1.1 : 1.0));
	free(t);
}

/* The width a number takes in a format: its digits, separators, unit. */
static double
number_width(struct fp_xlsx *x, double v, int style)
{
	char buf[FP_NUM_MAX];
	double w = (double)fp_fmt_num(buf, v);
	const char *nf = style >= 0 ? x->styles[style].numfmt : "";

	if (strchr(nf, ','))
		w += w / 3;
	if (strchr(nf, '"'))
		w += fp_display_width(strchr(nf, '"'));
	return w;
}

void
fp_xlsx_number(struct fp_xlsx *x, size_t sheet, uint32_t row, uint32_t col,
    double v, int style)
{
	if (!ws(x, sheet))
		return;
	/* NaN or infinity (an .xls may hold one): what Excel shows, #NUM!. */
	if (!isfinite(v)) {
		fp_xlsx_error(x, sheet, row, col, "#NUM!", style);
		return;
	}
	note(x, worksheet_write_number(x->sheets[sheet].ws, row, (lxw_col_t)col,
	    v, fmt(x, style)), x->sheets[sheet].name);
	exact(x, sheet, row, col, v);
	fit(x, sheet, col, number_width(x, v, style));
}

void
fp_xlsx_blank(struct fp_xlsx *x, size_t sheet, uint32_t row, uint32_t col,
    int style)
{
	if (!ws(x, sheet))
		return;
	note(x, worksheet_write_blank(x->sheets[sheet].ws, row, (lxw_col_t)col,
	    fmt(x, style)), x->sheets[sheet].name);
}

void
fp_xlsx_date(struct fp_xlsx *x, size_t sheet, uint32_t row, uint32_t col,
    double serial, int style)
{
	if (!ws(x, sheet))
		return;
	note(x, worksheet_write_number(x->sheets[sheet].ws, row, (lxw_col_t)col,
	    serial, fmt(x, style)), x->sheets[sheet].name);
	exact(x, sheet, row, col, serial);
	fit(x, sheet, col, serial == floor(serial) ? 10 : 19);
}

void
fp_xlsx_bool(struct fp_xlsx *x, size_t sheet, uint32_t row, uint32_t col,
    int v, int style)
{
	if (!ws(x, sheet))
		return;
	note(x, worksheet_write_boolean(x->sheets[sheet].ws, row, (lxw_col_t)col,
	    v, fmt(x, style)), x->sheets[sheet].name);
	fit(x, sheet, col, 5);
}

void
fp_xlsx_error(struct fp_xlsx *x, size_t sheet, uint32_t row, uint32_t col,
    const char *err, int style)
{
	struct fp_buf f = FP_BUF_INIT;

	if (!ws(x, sheet))
		return;
	/* Written as a formula's text result, made an error value afterwards. */
	fp_buf_addc(&f, '=');
	fp_buf_adds(&f, err);
	note(x, worksheet_write_formula_str(x->sheets[sheet].ws, row,
	    (lxw_col_t)col, f.s, fmt(x, style), err), x->sheets[sheet].name);
	fp_buf_release(&f);
	retype(x, sheet, row, col, 'e', err, 1);
	fit(x, sheet, col, (double)strlen(err));
}

void
fp_xlsx_formula(struct fp_xlsx *x, size_t sheet, uint32_t row, uint32_t col,
    const char *formula, double value, int style)
{
	if (!ws(x, sheet))
		return;
	if (!isfinite(value)) {
		fp_xlsx_formula_typed(x, sheet, row, col, formula, 'e', 0,
		    "#NUM!", style);
		return;
	}
	note(x, worksheet_write_formula_num(x->sheets[sheet].ws, row,
	    (lxw_col_t)col, formula, fmt(x, style), value),
	    x->sheets[sheet].name);
	exact(x, sheet, row, col, value);
	fit(x, sheet, col, number_width(x, value, style));
}

void
fp_xlsx_formula_typed(struct fp_xlsx *x, size_t sheet, uint32_t row,
    uint32_t col, const char *formula, int type, double num, const char *str,
    int style)
{
	lxw_worksheet *w = ws(x, sheet);
	char *e;

	if (!w)
		return;

	/* libxlsxwriter writes every such result as text (t="str"). */
	if (type == 'b')
		str = num != 0 ? "TRUE" : "FALSE";
	e = type == 's' && str ? escape_x(str) : NULL;
	note(x, worksheet_write_formula_str(w, row, (lxw_col_t)col, formula,
	    fmt(x, style), e ? e : str ? str : ""), x->sheets[sheet].name);
	free(e);
	if (type == 'b')
		retype(x, sheet, row, col, 'b', num != 0 ? "1" : "0", 0);
	else if (type == 'e')
		retype(x, sheet, row, col, 'e', str ? str : "#N/A", 0);
	if (type == 's' && str)
		fit(x, sheet, col, fp_display_width(str));
}

void
fp_xlsx_array_formula(struct fp_xlsx *x, size_t sheet, uint32_t r1,
    uint32_t c1, uint32_t r2, uint32_t c2, const char *formula, int type,
    double num, const char *str, int style)
{
	struct fp_buf b = FP_BUF_INIT;
	double value = type == 'n' && isfinite(num) ? num : 0;

	if (!ws(x, sheet))
		return;

	/* libxlsxwriter takes the braces off an array formula: give them. */
	fp_buf_printf(&b, "{=%s}", formula);
	note(x, worksheet_write_array_formula_num(x->sheets[sheet].ws, r1,
	    (lxw_col_t)c1, r2, (lxw_col_t)c2, b.s, fmt(x, style), value),
	    x->sheets[sheet].name);
	fp_buf_release(&b);
	/* It writes a number: any other result is given its type after. */
	if (type == 'n' && !isfinite(num))
		retype(x, sheet, r1, c1, 'e', "#NUM!", 0);
	else if (type == 'n')
		exact(x, sheet, r1, c1, value);
	else if (type == 'b')
		retype(x, sheet, r1, c1, 'b', num != 0 ? "1" : "0", 0);
	else
		retype(x, sheet, r1, c1, type, str ? str : "", 0);
}

/*
 * A comment goes to a temporary file, not to libxlsxwriter, which would
 * keep every one in memory until the workbook is closed; close writes
 * them into the workbook (xlsxnotes.h, xlsxpost.h). The checks are
 * libxlsxwriter's.
 */
void
fp_xlsx_comment(struct fp_xlsx *x, size_t sheet, uint32_t row, uint32_t col,
    const char *text)
{
	struct fp_diag d;
	const char *name;
	size_t cut = utf8_cut(text, MAX_CELL_CHARS);
	char *t = NULL;

	if (!ws(x, sheet))
		return;
	name = x->sheets[sheet].name;
	if (row >= LXW_ROW_MAX || col >= LXW_COL_MAX) {
		note(x, LXW_ERROR_WORKSHEET_INDEX_OUT_OF_RANGE, name);
		return;
	}
	/* Cut as a cell's text is (Excel holds no more in a comment). */
	if (text[cut]) {
		text = t = fp_xstrndup(text, cut);
		count_cut(x, sheet, row, col, "a comment at ");
	}
	memset(&d, 0, sizeof d);
	if (!x->notes && !(x->notes = fp_store_new(&d)))
		goto bad;
	if (fp_store_add(x->notes, (uint32_t)sheet, row, col, text,
	    strlen(text), &d) != FP_OK)
		goto bad;
	/*
	 * The first goes to libxlsxwriter too, so that the sheet gets from it
	 * all a sheet with comments has: only the two parts that list them
	 * are written again, whole (xlsxpost.h).
	 */
	if (fp_store_count(x->notes, (uint32_t)sheet) == 1) {
		lxw_comment_options opt;

		memset(&opt, 0, sizeof opt);
		opt.author = (char *)"formpipe";
		opt.x_scale = 2;
		opt.y_scale = 1.5;
		note(x, worksheet_write_comment_opt(x->sheets[sheet].ws, row,
		    (lxw_col_t)col, text, &opt), name);
	}
	free(t);
	return;
bad:
	free(t);
	if (x->err == LXW_NO_ERROR)
		memcpy(x->errmsg, d.msg, sizeof x->errmsg);
	note(x, LXW_ERROR_CREATING_TMPFILE, name);
}

int
fp_xlsx_define_name(struct fp_xlsx *x, int sheet, const char *name,
    const char *formula)
{
	struct fp_buf full = FP_BUF_INIT, f = FP_BUF_INIT;
	lxw_error e;

	if (sheet >= 0 && (size_t)sheet < x->nsheets) {
		fp_buf_printf(&full, "'%s'!", x->sheets[sheet].name);
	}
	fp_buf_adds(&full, name);
	fp_buf_addc(&f, '=');
	fp_buf_adds(&f, formula);
	e = workbook_define_name(x->wb, full.s, f.s);
	fp_buf_release(&full);
	fp_buf_release(&f);
	return e == LXW_NO_ERROR ? 0 : -1;
}

void
fp_xlsx_row(struct fp_xlsx *x, size_t sheet, uint32_t row, double height,
    int hidden, int style)
{
	lxw_row_col_options opt = { (uint8_t)(hidden != 0), 0, 0 };

	if (!ws(x, sheet))
		return;

	note(x, worksheet_set_row_opt(x->sheets[sheet].ws, row,
	    height > 0 ? height : LXW_DEF_ROW_HEIGHT, fmt(x, style), &opt),
	    x->sheets[sheet].name);
}

void
fp_xlsx_default_row(struct fp_xlsx *x, size_t sheet, double height)
{
	if (!ws(x, sheet))
		return;

	if (height > 0)
		worksheet_set_default_row(x->sheets[sheet].ws, height, LXW_FALSE);
}

void
fp_xlsx_columns(struct fp_xlsx *x, size_t sheet, uint32_t c1, uint32_t c2,
    double width, int hidden, int style)
{
	struct xsheet *s = &x->sheets[sheet];
	lxw_row_col_options opt = { (uint8_t)(hidden != 0), 0, 0 };
	uint32_t c;

	if (!ws(x, sheet))
		return;

	if (c2 > 16383)
		c2 = 16383;
	if (c1 > c2)
		return;
	fit(x, sheet, c2, 0);
	for (c = c1; c <= c2; c++)
		s->fixed[c] = 1;
	note(x, worksheet_set_column_opt(s->ws, (lxw_col_t)c1, (lxw_col_t)c2,
	    width > 0 ? width : LXW_DEF_COL_WIDTH, fmt(x, style), &opt),
	    s->name);
}

void
fp_xlsx_freeze(struct fp_xlsx *x, size_t sheet, uint32_t row, uint32_t col,
    uint32_t toprow, uint32_t leftcol)
{
	if (!ws(x, sheet))
		return;

	if (row > 1048575 || col > 16383)
		return;
	worksheet_freeze_panes_opt(x->sheets[sheet].ws, row, (lxw_col_t)col,
	    toprow > row ? toprow : row, (lxw_col_t)(leftcol > col ? leftcol :
	    col), 0);
}

void
fp_xlsx_view(struct fp_xlsx *x, size_t sheet, int zoom, int hide_grid)
{
	lxw_worksheet *w = ws(x, sheet);

	if (!w)
		return;

	if (zoom >= 10 && zoom <= 400 && zoom != 100)
		worksheet_set_zoom(w, (uint16_t)zoom);
	if (hide_grid)
		worksheet_gridlines(w, LXW_HIDE_ALL_GRIDLINES);
}

void
fp_xlsx_page(struct fp_xlsx *x, size_t sheet, const struct fp_xlsx_page *pg)
{
	lxw_worksheet *w = ws(x, sheet);
	lxw_header_footer_options hf;
	const char *name = x->sheets[sheet].name;

	if (!w)
		return;

	if (pg->landscape == 1)
		worksheet_set_landscape(w);
	else if (pg->landscape == 0)
		worksheet_set_portrait(w);
	if (pg->paper > 0 && pg->paper < 256)
		worksheet_set_paper(w, (uint8_t)pg->paper);
	if (pg->fitw >= 0 && pg->fith >= 0)
		worksheet_fit_to_pages(w, (uint16_t)pg->fitw,
		    (uint16_t)pg->fith);
	else if (pg->scale >= 10 && pg->scale <= 400)
		worksheet_set_print_scale(w, (uint16_t)pg->scale);
	if (pg->margin[0] >= 0 || pg->margin[1] >= 0 || pg->margin[2] >= 0 ||
	    pg->margin[3] >= 0)
		worksheet_set_margins(w, pg->margin[0], pg->margin[1],
		    pg->margin[2], pg->margin[3]);
	memset(&hf, 0, sizeof hf);
	if (pg->header && *pg->header && strlen(pg->header) <= 255) {
		hf.margin = pg->mheader > 0 ? pg->mheader : 0.3;
		note(x, worksheet_set_header_opt(w, pg->header, &hf), name);
	}
	if (pg->footer && *pg->footer && strlen(pg->footer) <= 255) {
		hf.margin = pg->mfooter > 0 ? pg->mfooter : 0.3;
		note(x, worksheet_set_footer_opt(w, pg->footer, &hf), name);
	}
	if (pg->hcenter > 0)
		worksheet_center_horizontally(w);
	if (pg->vcenter > 0)
		worksheet_center_vertically(w);
	if (pg->gridlines > 0)
		worksheet_gridlines(w, LXW_SHOW_PRINT_GRIDLINES);
}

int
fp_xlsx_autofilter(struct fp_xlsx *x, size_t sheet, uint32_t r1, uint32_t c1,
    uint32_t r2, uint32_t c2)
{
	if (!ws(x, sheet))
		return -1;

	return worksheet_autofilter(x->sheets[sheet].ws, r1, (lxw_col_t)c1, r2,
	    (lxw_col_t)c2) == LXW_NO_ERROR ? 0 : -1;
}

void
fp_xlsx_print_area(struct fp_xlsx *x, size_t sheet, uint32_t r1, uint32_t c1,
    uint32_t r2, uint32_t c2)
{
	worksheet_print_area(x->sheets[sheet].ws, r1, (lxw_col_t)c1, r2,
	    (lxw_col_t)c2);
}

void
fp_xlsx_repeat(struct fp_xlsx *x, size_t sheet, int rows, uint32_t first,
    uint32_t last)
{
	if (rows)
		worksheet_repeat_rows(x->sheets[sheet].ws, first, last);
	else
		worksheet_repeat_columns(x->sheets[sheet].ws, (lxw_col_t)first,
		    (lxw_col_t)last);
}

void
fp_xlsx_merge(struct fp_xlsx *x, size_t sheet, uint32_t r1, uint32_t c1,
    uint32_t r2, uint32_t c2)
{
	if (!ws(x, sheet))
		return;
	/*
	 * merge_range writes its own top-left cell: give it none, so the
	 * value already written there stays.
	 */
	note(x, worksheet_merge_range(x->sheets[sheet].ws, r1, (lxw_col_t)c1,
	    r2, (lxw_col_t)c2, NULL, NULL), x->sheets[sheet].name);
}

void
fp_xlsx_width(struct fp_xlsx *x, size_t sheet, uint32_t c1, uint32_t c2,
    double width)
{
	struct xsheet *s = &x->sheets[sheet];
	uint32_t c;
	lxw_row_col_options hide = { 1, 0, 0 };

	if (!ws(x, sheet))
		return;
	if (c2 > 16383)
		c2 = 16383;
	if (c1 > c2)
		return;
	fit(x, sheet, c2, 0);
	for (c = c1; c <= c2; c++)
		s->fixed[c] = 1;
	if (width <= 0)
		note(x, worksheet_set_column_opt(s->ws, (lxw_col_t)c1,
		    (lxw_col_t)c2, LXW_DEF_COL_WIDTH, NULL, &hide), s->name);
	else
		note(x, worksheet_set_column(s->ws, (lxw_col_t)c1,
		    (lxw_col_t)c2, width, NULL), s->name);
}

void
fp_xlsx_report(struct fp_xlsx *x, size_t sheet, const struct fp_xlsx_report *r)
{
	struct xsheet *s;
	lxw_worksheet *w = ws(x, sheet);
	lxw_header_footer_options hf;

	if (!w)
		return;
	s = &x->sheets[sheet];
	worksheet_freeze_panes(w, r->header_last + 1, 0);
	if (r->last_row > r->header_last)
		note(x, worksheet_autofilter(w, r->header_last, 0, r->last_row,
		    (lxw_col_t)(r->filter_col > r->last_col ? r->filter_col :
		    r->last_col)), s->name);
	worksheet_set_landscape(w);
	worksheet_set_paper(w, 9);	/* A4 */
	worksheet_fit_to_pages(w, 1, 0);
	worksheet_center_horizontally(w);
	note(x, worksheet_repeat_rows(w, 0, r->header_last), s->name);
	memset(&hf, 0, sizeof hf);
	if (r->footer && *r->footer) {
		struct fp_buf b = FP_BUF_INIT;

		/* Centred, unless it says where it goes. */
		if (!strstr(r->footer, "&L") && !strstr(r->footer, "&C") &&
		    !strstr(r->footer, "&R"))
			fp_buf_adds(&b, "&C");
		fp_buf_adds(&b, r->footer);
		note(x, worksheet_set_footer_opt(w, b.s, &hf), s->name);
		fp_buf_release(&b);
	}
}

void
fp_xlsx_heading(struct fp_xlsx *x, size_t sheet, uint32_t row, uint32_t ncols,
    const char *text, int style, double height)
{
	lxw_worksheet *w = ws(x, sheet);
	uint32_t c;
	char *e;

	if (!w)
		return;
	if (height > 0)
		note(x, worksheet_set_row_opt(w, row, height, fmt(x, style), NULL),
		    x->sheets[sheet].name);
	e = escape_x(text);
	note(x, worksheet_write_string(w, row, 0, e ? e : text,
	    fmt(x, style)), x->sheets[sheet].name);
	free(e);
	for (c = 1; c < ncols; c++)
		note(x, worksheet_write_blank(w, row, (lxw_col_t)c,
		    fmt(x, style)), x->sheets[sheet].name);
}

/*
 * The cell is written as worksheet_write_url_opt writes it, a string in
 * the link's style, but the link goes to a temporary file, not to
 * libxlsxwriter, which would keep every one in memory until the workbook
 * is closed; close writes them into their sheets (xlsxlinks.h). The
 * checks and the reading of the location are libxlsxwriter's.
 */
void
fp_xlsx_url(struct fp_xlsx *x, size_t sheet, uint32_t row, uint32_t col,
    const char *location, const char *text, int style)
{
	lxw_worksheet *w = ws(x, sheet);
	struct xsheet *s;
	struct fp_diag d;
	lxw_format *f;
	lxw_error e;
	const char *display = text;
	char *loc = NULL, *hash, *shown;

	if (!w)
		return;
	s = &x->sheets[sheet];
	if (s->nlinks > LXW_MAX_NUMBER_URLS) {
		note(x, LXW_ERROR_WORKSHEET_MAX_NUMBER_URLS_EXCEEDED, s->name);
		return;
	}
	if (row >= LXW_ROW_MAX || col >= LXW_COL_MAX) {
		note(x, LXW_ERROR_WORKSHEET_INDEX_OUT_OF_RANGE, s->name);
		return;
	}
	/* What follows a '#' libxlsxwriter takes for the link's display. */
	loc = fp_xstrdup(location);
	if ((hash = strchr(loc, '#')) != NULL) {
		*hash = '\0';
		display = hash + 1;
	}
	if (loc[utf8_cut(loc, w->max_url_length)]) {
		note(x, LXW_ERROR_WORKSHEET_MAX_URL_LENGTH_EXCEEDED, s->name);
		goto out;
	}
	f = fmt(x, style);
	shown = escape_x(text);
	e = worksheet_write_string(w, row, (lxw_col_t)col, shown ? shown : text,
	    f ? f : w->default_url_format);
	free(shown);
	note(x, e, s->name);
	fit(x, sheet, col, fp_display_width(text));
	if (e != LXW_NO_ERROR)
		goto out;
	memset(&d, 0, sizeof d);
	if ((x->links || (x->links = fp_store_new(&d))) &&
	    fp_links_add(x->links, (uint32_t)sheet, row, col, loc, display,
	    &d) == FP_OK) {
		s->nlinks++;
		goto out;
	}
	if (x->err == LXW_NO_ERROR)
		memcpy(x->errmsg, d.msg, sizeof x->errmsg);
	note(x, LXW_ERROR_CREATING_TMPFILE, s->name);
out:
	free(loc);
}

size_t
fp_xlsx_cut(const struct fp_xlsx *x)
{
	return x->ncut;
}

const char *
fp_xlsx_first_cut(const struct fp_xlsx *x)
{
	return x->cut_at;
}

void
fp_xlsx_bar_chart(struct fp_xlsx *x, size_t sheet, uint32_t row, uint32_t col,
    const char *title, size_t dsheet, uint32_t r1, uint32_t r2,
    uint32_t catcol, uint32_t valcol)
{
	lxw_chart *ch;
	lxw_chart_series *se;
	lxw_chart_options opt;
	const char *dname;

	if (!ws(x, sheet) || !ws(x, dsheet))
		return;
	dname = x->sheets[dsheet].name;
	ch = workbook_add_chart(x->wb, LXW_CHART_BAR);
	se = ch ? chart_add_series(ch, NULL, NULL) : NULL;
	if (!se) {
		/* The chart, if made, is freed with the workbook. */
		note(x, LXW_ERROR_MEMORY_MALLOC_FAILED, "chart");
		return;
	}
	chart_series_set_categories(se, dname, r1, (lxw_col_t)catcol, r2,
	    (lxw_col_t)catcol);
	chart_series_set_values(se, dname, r1, (lxw_col_t)valcol, r2,
	    (lxw_col_t)valcol);
	chart_series_set_name(se, title);
	chart_series_set_labels(se);
	chart_title_set_name(ch, title);
	chart_legend_set_position(ch, LXW_CHART_LEGEND_NONE);
	/* Bars top to bottom in the order of their rows. */
	chart_axis_set_reverse(ch->y_axis);
	memset(&opt, 0, sizeof opt);
	opt.x_scale = 1.5;
	/* Room for every department: about 10 bars to a default height. */
	opt.y_scale = (r2 - r1 + 1) > 10 ? (r2 - r1 + 1) / 10.0 : 1;
	if (opt.y_scale > 40)
		opt.y_scale = 40;
	note(x, worksheet_insert_chart_opt(x->sheets[sheet].ws, row,
	    (lxw_col_t)col, ch, &opt), "chart");
}

/* A column's width in pixels, as libxlsxwriter sizes it. */
static uint32_t
col_pixels(const lxw_col_options *o)
{
	if (o->hidden)
		return 0;
	if (o->width < 1.0)
		return (uint32_t)(o->width * (7.0 + 5.0) + 0.5);
	return (uint32_t)(o->width * 7.0 + 0.5) + 5;
}

/*
 * What the boxes of a sheet's comments are placed by, taken from its
 * worksheet before libxlsxwriter frees it: the widths of its columns
 * (the first width given over a column counts, as libxlsxwriter looks
 * them up) and, out of constant memory, the rows of another height.
 * In constant memory libxlsxwriter keeps no rows: every row is sized
 * by the default height.
 */
static void
grid_of(const struct fp_xlsx *x, const struct xsheet *s,
    struct fp_note_grid *g)
{
	const lxw_worksheet *w = s->ws;
	uint8_t *set;
	size_t i, c, cap = 0;
	lxw_row_t r;

	memset(g, 0, sizeof *g);
	for (i = 0; i < w->col_options_max; i++)
		if (w->col_options[i] && (size_t)w->col_options[i]->lastcol + 1 >
		    g->ncols)
			g->ncols = (size_t)w->col_options[i]->lastcol + 1;
	g->col_px = fp_xcalloc(g->ncols + 1, sizeof *g->col_px);
	set = fp_xcalloc(g->ncols + 1, 1);
	for (c = 0; c < g->ncols; c++)
		g->col_px[c] = w->default_col_pixels;
	for (i = 0; i < w->col_options_max; i++) {
		const lxw_col_options *o = w->col_options[i];

		for (c = o ? o->firstcol : 1; o && c <= o->lastcol; c++)
			if (!set[c]) {
				set[c] = 1;
				g->col_px[c] = col_pixels(o);
			}
	}
	free(set);
	g->def_col_px = w->default_col_pixels;
	g->col_changed = w->col_size_changed;
	g->row_changed = w->row_size_changed;
	g->def_row_px = w->default_row_pixels;
	g->row_px = (uint32_t)(w->default_row_height / 0.75);
	for (r = 0; !x->constant_memory && r <= w->dim_rowmax; r++) {
		lxw_row *row = lxw_worksheet_find_row((lxw_worksheet *)w, r);
		uint32_t px;

		if (!row)
			continue;
		px = row->hidden ? 0 : (uint32_t)(row->height / 0.75);
		if (px == g->row_px)
			continue;
		if (g->nrows == cap) {
			cap = cap ? cap * 2 : 64;
			g->rows = fp_xreallocarray(g->rows, cap, sizeof *g->rows);
		}
		g->rows[g->nrows].row = r;
		g->rows[g->nrows++].px = px;
	}
}

/* The grids of the sheets with comments, while their worksheets live. */
static struct fp_note_grid *
grids(const struct fp_xlsx *x)
{
	struct fp_note_grid *g;
	size_t i;

	if (!x->notes)
		return NULL;
	g = fp_xcalloc(x->nsheets ? x->nsheets : 1, sizeof *g);
	for (i = 0; i < x->nsheets; i++)
		if (x->sheets[i].ws && fp_store_count(x->notes, (uint32_t)i))
			grid_of(x, &x->sheets[i], &g[i]);
	return g;
}

static void
grids_free(struct fp_note_grid *g, size_t n)
{
	size_t i;

	for (i = 0; g && i < n; i++) {
		free(g[i].col_px);
		free(g[i].rows);
	}
	free(g);
}

/*
 * The corrections libxlsxwriter cannot make, the comments and the
 * hyperlinks, made in its zip.
 */
static enum fp_err
post(struct fp_xlsx *x, const struct fp_note_grid *g, struct fp_diag *d)
{
	struct fp_xlsx_fixes fx;
	uint8_t *very = fp_xcalloc(x->nsheets ? x->nsheets : 1, 1);
	size_t i;
	int any = 0;
	enum fp_err err = FP_OK;

	for (i = 0; i < x->nsheets; i++)
		any |= very[i] = x->sheets[i].hidden == 2;
	memset(&fx, 0, sizeof fx);
	fx.nums = x->fixes;
	fx.nnums = x->nfixes;
	fx.font = x->font;
	fx.fontsize = x->fontsize;
	fx.very_hidden = any ? very : NULL;
	fx.nsheets = x->nsheets;
	fx.notes = x->notes;
	fx.grids = g;
	fx.links = x->links;
	if (x->notes)
		err = fp_store_group(x->notes, d);
	if (!err && x->links)
		err = fp_store_group(x->links, d);
	if (!err && (x->nfixes || x->font || any || x->notes || x->links))
		err = fp_xlsx_post(x->path, &fx, d);
	free(very);
	return err;
}

/*
 * workbook_close, with libxlsxwriter kept quiet. It prints its errors to
 * stderr itself ("[ERROR][./src/packager.c:1541]: ...", then "[ERROR]
 * workbook_close(): ...") and has no option not to; a command says
 * what went wrong once, in its own words. glibc's stderr is a variable
 * a program may set (its manual, "Standard Streams"): it is /dev/null's
 * stream meanwhile. *errnum gets errno as libxlsxwriter leaves it, which
 * for the errors it reports with a "System error" is the failed call's.
 */
static lxw_error
close_quietly(lxw_workbook *wb, int *errnum)
{
	FILE *saved = stderr, *null = fopen("/dev/null", "w");
	lxw_error e;

	if (null)
		stderr = null;
	errno = 0;
	e = workbook_close(wb);
	*errnum = errno;
	stderr = saved;
	if (null)
		fclose(null);
	return e;
}

/* What workbook_close's error e means, with errnum, errno after it. */
static enum fp_err
close_error(lxw_error e, int errnum, struct fp_diag *d)
{
	switch (e) {
	case LXW_ERROR_CREATING_XLSX_FILE:
	case LXW_ERROR_CREATING_TMPFILE:
	case LXW_ERROR_ZIP_FILE_OPERATION:
	case LXW_ERROR_ZIP_PARAMETER_ERROR:
	case LXW_ERROR_ZIP_BAD_ZIP_FILE:
	case LXW_ERROR_ZIP_INTERNAL_ERROR:
		/* The errors libxlsxwriter says errno describes. */
		if (errnum)
			return fp_diag(d, FP_EWRITE, "%s", strerror(errnum));
		break;
	default:
		break;
	}
	return fp_diag(d, FP_EWRITE, "%s", lxw_strerror(e));
}

/*
 * Hides the sheets asked to be hidden and shows first the active sheet,
 * or the first visible one: libxlsxwriter cannot hide the sheet it shows.
 */
static void
show_sheets(struct fp_xlsx *x)
{
	size_t i, first = x->nsheets;

	for (i = 0; i < x->nsheets; i++)
		if (!x->sheets[i].hidden) {
			first = i;
			break;
		}
	if (first == x->nsheets) {
		/* Every sheet hidden: Excel refuses that; show the first. */
		if (x->nsheets)
			x->sheets[0].hidden = 0;
		first = 0;
	}
	if (x->active >= 0 && (size_t)x->active < x->nsheets &&
	    !x->sheets[x->active].hidden)
		first = (size_t)x->active;
	if (first < x->nsheets && (first > 0 || x->active >= 0) &&
	    x->sheets[first].ws) {
		worksheet_activate(x->sheets[first].ws);
		for (i = 0; i < x->nsheets; i++)
			if (!x->sheets[i].hidden && x->sheets[i].ws) {
				worksheet_set_first_sheet(x->sheets[i].ws);
				break;
			}
	}
	for (i = 0; i < x->nsheets; i++) {
		if (!x->sheets[i].hidden || !x->sheets[i].ws)
			continue;
		worksheet_hide(x->sheets[i].ws);
	}
}

static void
free_all(struct fp_xlsx *x)
{
	size_t i;

	for (i = 0; i < x->nsheets; i++) {
		free(x->sheets[i].name);
		free(x->sheets[i].autow);
		free(x->sheets[i].fixed);
	}
	free(x->sheets);
	for (i = 0; i < x->nstyles; i++) {
		free(x->styles[i].numfmt);
		free(x->styles[i].key);
	}
	free(x->styles);
	free(x->slots);
	for (i = 0; i < x->nfixes; i++)
		free(x->fixes[i].str);
	free(x->fixes);
	free(x->font);
	free(x->path);
	fp_store_free(x->notes);
	fp_store_free(x->links);
	free(x);
}

enum fp_err
fp_xlsx_close(struct fp_xlsx *x, struct fp_diag *d)
{
	enum fp_err err = FP_OK;
	struct fp_note_grid *g;
	lxw_error e;
	size_t i, c;
	int errnum;

	/* Columns the caller did not size fit their widest entry. */
	for (i = 0; i < x->nsheets; i++) {
		struct xsheet *s = &x->sheets[i];

		for (c = 0; c < s->ncols && s->ws && !x->no_autofit; c++) {
			double w = s->autow[c];

			if (s->fixed[c] || w <= 0)
				continue;
			w = w + 2 < 8 ? 8 : w + 2;
			if (w > 60)
				w = 60;
			note(x, worksheet_set_column(s->ws, (lxw_col_t)c,
			    (lxw_col_t)c, w, NULL), s->name);
		}
	}
	show_sheets(x);
	if (x->err != LXW_NO_ERROR) {
		if (*x->errmsg)
			err = fp_diag(d, FP_EWRITE, "%s", x->errmsg);
		else
			err = fp_diag(d, FP_EWRITE, "%s (%s)",
			    lxw_strerror(x->err), x->errwhere);
		lxw_workbook_free(x->wb);
		unlink(x->path);
		free_all(x);
		return err;
	}
	g = grids(x);
	e = close_quietly(x->wb, &errnum);
	if (e != LXW_NO_ERROR) {
		err = close_error(e, errnum, d);
		unlink(x->path);
	} else if ((err = post(x, g, d)) != FP_OK ||
	    (err = fp_xlsx_verify(x->path, d)) != FP_OK) {
		unlink(x->path);
	}
	grids_free(g, x->nsheets);
	free_all(x);
	return err;
}

void
fp_xlsx_abort(struct fp_xlsx *x)
{
	if (!x)
		return;
	lxw_workbook_free(x->wb);
	unlink(x->path);
	free_all(x);
}
