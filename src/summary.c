/*
 * The summary workbook, laid out from the mapping's workbook section and
 * its tables: titles and the unit line from templates, the overview's
 * columns, the order of records, the words of the findings sheet; field
 * types decide how values are stored (money with the money format,
 * counts and scores as numbers, dates as dates, codes by their labels,
 * the rest as text). Records are spooled as they come and written at
 * the end, in order, year by year; each sheet is written row by row.
 */
#include "summary.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "collate.h"
#include "normalize.h"
#include "spool.h"
#include "workbook.h"
#include "xlsx.h"

/* Excel's last row (0-based) a sheet can have. */
#define LAST_ROW 1048575u

/* Colours of the report. */
#define GREY 0xD9D9D9L
#define SUMMARY_FILL 0xDDEBF7L
#define FAULT_FILL 0xFFC7CEL
#define WARNING_FILL 0xFFEB9CL
#define FAULT_TEXT 0x9C0006L
#define WARNING_TEXT 0x9C5700L

/* The kinds of value a cell holds, for its style. */
/* How a value is stored and shown: K_COUNT a whole number, as written. */
enum kind { K_TEXT, K_NUMBER, K_MONEY, K_DATE, K_COUNT, NKINDS };
/* How a row of a table looks: a plain row, a summary row, the total. */
enum look { L_PLAIN, L_SUMMARY, L_FAULT, L_WARNING, L_TOTAL, NLOOKS };

/* A sheet written row by row. */
struct out {
	size_t sheet;
	uint32_t row;		/* the next row */
	uint32_t first;		/* the first row under the column headers */
	uint32_t ncols;
	int money;		/* it shows money: the unit line */
	int weights;		/* a hidden column of weights after the last */
};

/*
 * A record's line of the overview chart: its value, and the record's
 * place in the spool, from which its name is read back when the chart
 * is written (a name held per record would grow with the records).
 */
struct bar {
	size_t rec;
	double value;
	size_t seq;
};

/*
 * What a year's sheets will hold, counted as the records come, so that a
 * sheet too long for a workbook is said before anything is written.
 */
struct ycount {
	char *year;
	size_t records;
	size_t *rows;			/* by table, as write_table makes them */
};

/* One year's sheets. */
struct year {
	char *year;
	struct out ov;			/* the overview */
	struct out *ts;			/* each keyed or list table's */
	double *sums;			/* overview columns' totals */
	/* Each table's: a row named by no code came (a unit's name). */
	unsigned char *units;
	struct bar *bars;
	size_t nbars, capbars;
};

struct fp_summary {
	const struct fp_mapping *m;
	const struct fp_book *b;
	struct fp_xlsx *x;
	char *path, *title;
	struct fp_spool *spool;
	size_t count;
	/* Laid out at close. */
	const struct fp_table **tables;	/* the keyed and list tables */
	size_t ntables;
	struct year *years;
	size_t nyears;
	char *years_text;
	struct out fs;			/* the findings */
	int has_record;
	size_t ncols;			/* overview columns, before the link */
	int st_title, st_unit, st_head, st_link, st[NLOOKS][NKINDS];
	int st_error, st_warning;
	struct fp_buf key, tmp;
	struct fp_buf shown;		/* a row as the workbook shows it */
	size_t *order;			/* findings of a record, sorted */
	size_t caporder;
	size_t ncut;			/* texts cut, once closed */
	char cut_at[FP_CUT_AT_MAX];	/* where the first is */
	struct ycount *counts;
	size_t ncounts;
	size_t nfindings;
	struct rowfact *rf;		/* a record's facts, to count rows */
	size_t caprf;
};

struct fp_summary *
fp_summary_new(const struct fp_mapping *m, const char *path,
    const char *title, struct fp_diag *d)
{
	struct fp_summary *s = fp_xcalloc(1, sizeof *s);

	s->spool = fp_spool_new(d);
	if (!s->spool) {
		free(s);
		return NULL;
	}
	s->m = m;
	s->b = &m->book;
	s->path = fp_xstrdup(path);
	s->title = fp_xstrdup(title ? title : "");
	s->has_record = m->record.table != NULL;
	return s;
}

void
fp_summary_finding(struct fp_summary *s, const struct fp_finding *f)
{
	s->nfindings++;
	fp_spool_finding(s->spool, f);
}

/*
 * A fact by its row: i its place among the record's facts, first that of
 * its row's first fact (or its table's number, to count rows).
 */
struct rowfact {
	const char *row;
	size_t first, i;
};

/* By row, then by place. */
static int
by_row(const void *a, const void *b)
{
	const struct rowfact *x = a, *y = b;
	int c = strcmp(x->row, y->row);

	return c ? c : (x->i > y->i) - (x->i < y->i);
}

/* By the row's first place (or table), then by place. */
static int
by_first(const void *a, const void *b)
{
	const struct rowfact *x = a, *y = b;

	if (x->first != y->first)
		return (x->first > y->first) - (x->first < y->first);
	return (x->i > y->i) - (x->i < y->i);
}

/* By table, then by row. */
static int
by_first_row(const void *a, const void *b)
{
	const struct rowfact *x = a, *y = b;

	if (x->first != y->first)
		return (x->first > y->first) - (x->first < y->first);
	return strcmp(x->row, y->row);
}

/*
 * Counts the record and its rows of each table for its year: a row for
 * each row key of the table's facts, as write_table writes.
 */
static void
count_rows(struct fp_summary *s, const char *year,
    const struct fp_rec_fact *facts, size_t n)
{
	const struct fp_mapping *m = s->m;
	struct ycount *c = NULL;
	size_t i, nrf = 0;

	for (i = 0; i < s->ncounts && !c; i++)
		if (!strcmp(s->counts[i].year, year))
			c = &s->counts[i];
	if (!c) {
		s->counts = fp_xreallocarray(s->counts, s->ncounts + 1,
		    sizeof *s->counts);
		c = &s->counts[s->ncounts++];
		c->year = fp_xstrdup(year);
		c->records = 0;
		c->rows = fp_xcalloc(m->ntables + 1, sizeof *c->rows);
	}
	c->records++;
	if (n > s->caprf) {
		s->caprf = n;
		s->rf = fp_xreallocarray(s->rf, n, sizeof *s->rf);
	}
	for (i = 0; i < n; i++) {
		const struct fp_table *t = fp_mapping_table(m, facts[i].table);

		if (!t)
			continue;
		s->rf[nrf].row = facts[i].row;
		s->rf[nrf].first = (size_t)(t - m->tables);
		s->rf[nrf++].i = i;
	}
	if (nrf > 1)
		qsort(s->rf, nrf, sizeof *s->rf, by_first_row);
	for (i = 0; i < nrf; i++)
		if (!i || s->rf[i].first != s->rf[i - 1].first ||
		    strcmp(s->rf[i].row, s->rf[i - 1].row))
			c->rows[s->rf[i].first]++;
}

/* The fact a reference names among a record's facts (row-less if none). */
static const struct fp_rec_fact *
find(const struct fp_rec_fact *facts, size_t n, const struct fp_ref *r)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(facts[i].table, r->table) &&
		    !strcmp(facts[i].field, r->field) &&
		    (r->row ? !strcmp(facts[i].row, r->row) : !*facts[i].row))
			return &facts[i];
	return NULL;
}

enum fp_err
fp_summary_record(struct fp_summary *s, const struct fp_who *who,
    const struct fp_rec_fact *facts, size_t n, size_t errors,
    size_t warnings, struct fp_diag *d)
{
	const struct fp_book *b = s->b;
	size_t i;

	/* Sorted by year, then by the order's facts, then as they came. */
	fp_buf_reset(&s->key);
	fp_buf_adds(&s->key, who->year);
	for (i = 0; i < b->norder; i++) {
		const struct fp_rec_fact *f = find(facts, n, &b->order[i]);

		fp_buf_addc(&s->key, '\037');
		fp_collate_key(&s->key, f ? f->value : "");
	}
	s->count++;
	count_rows(s, who->year, facts, n);
	return fp_spool_put(s->spool, s->key.s, who, facts, n, errors,
	    warnings, d);
}

size_t
fp_summary_count(const struct fp_summary *s)
{
	return s->count;
}

const char *
fp_summary_years(const struct fp_summary *s)
{
	return s->years_text;
}

size_t
fp_summary_cut(const struct fp_summary *s, const char **at)
{
	*at = s->x ? fp_xlsx_first_cut(s->x) : s->cut_at;
	return s->x ? fp_xlsx_cut(s->x) : s->ncut;
}

/* ---- Styles ---------------------------------------------------------- */

static void
look_init(struct fp_look *lk)
{
	int k;

	memset(lk, 0, sizeof *lk);
	lk->color = -1;
	lk->valign = 1;
	lk->fg = lk->bg = -1;
	for (k = 0; k < 4; k++) {
		lk->border[k] = 1;	/* thin, all round */
		lk->border_color[k] = -1;
	}
}

static void
make_styles(struct fp_summary *s)
{
	const struct fp_book *b = s->b;
	const char *formats[NKINDS] = {
		"", b->number_format, b->money_format, b->date_format, "",
	};
	struct fp_look lk;
	int l, k;

	look_init(&lk);
	memset(lk.border, 0, sizeof lk.border);
	lk.bold = 1;
	lk.size = 14;
	lk.halign = 6;		/* centred across the columns */
	s->st_title = fp_xlsx_look(s->x, &lk);
	lk.bold = 0;
	lk.size = 0;
	lk.halign = 3;		/* right */
	s->st_unit = fp_xlsx_look(s->x, &lk);
	look_init(&lk);
	lk.bold = 1;
	lk.halign = 2;
	lk.wrap = 1;
	lk.pattern = 1;
	lk.fg = GREY;
	s->st_head = fp_xlsx_look(s->x, &lk);
	for (l = 0; l < NLOOKS; l++)
		for (k = 0; k < NKINDS; k++) {
			look_init(&lk);
			lk.numfmt = formats[k];
			lk.wrap = k == K_TEXT && l != L_TOTAL;
			if (l == L_SUMMARY || l == L_TOTAL)
				lk.bold = 1;
			if (l == L_SUMMARY) {
				lk.pattern = 1;
				lk.fg = SUMMARY_FILL;
			} else if (l == L_FAULT) {
				lk.pattern = 1;
				lk.fg = FAULT_FILL;
				lk.color = FAULT_TEXT;
			} else if (l == L_WARNING) {
				lk.pattern = 1;
				lk.fg = WARNING_FILL;
				lk.color = WARNING_TEXT;
			} else if (l == L_TOTAL) {
				lk.border[2] = 6;	/* double, above */
			}
			s->st[l][k] = fp_xlsx_look(s->x, &lk);
		}
	look_init(&lk);
	lk.color = 0x0563C1L;
	lk.underline = 1;
	s->st_link = fp_xlsx_look(s->x, &lk);
	lk.underline = 0;
	lk.bold = 1;
	lk.color = FAULT_TEXT;
	s->st_error = fp_xlsx_look(s->x, &lk);
	lk.color = WARNING_TEXT;
	s->st_warning = fp_xlsx_look(s->x, &lk);
}

/* ---- Values ---------------------------------------------------------- */

static enum kind
kind_of(const struct fp_field *f)
{
	if (!f)
		return K_TEXT;
	if (f->type == FP_T_MONEY)
		return K_MONEY;
	if (f->type == FP_T_INTEGER)
		return K_COUNT;
	if (fp_type_numeric(f->type))
		return K_NUMBER;
	if (f->type == FP_T_DATE)
		return K_DATE;
	return K_TEXT;
}

/* The kind of a number a field sums or charts: money, whole, or other. */
static enum kind
number_kind(const struct fp_field *f)
{
	enum kind k = kind_of(f);

	return k == K_MONEY || k == K_COUNT ? k : K_NUMBER;
}

/*
 * Writes a fact's value as its field's type wants it stored, in look l;
 * its number in *num (0 if none).
 */
static void
put_value(struct fp_summary *s, size_t sheet, uint32_t row, uint32_t col,
    const struct fp_field *f, const char *value, enum look l, double *num)
{
	enum kind k = kind_of(f);
	double x;

	if (num)
		*num = 0;
	if ((k == K_MONEY || k == K_NUMBER || k == K_COUNT) &&
	    fp_parse_number(value, strlen(value), &x)) {
		fp_xlsx_number(s->x, sheet, row, col, x, s->st[l][k]);
		if (num)
			*num = x;
		return;
	}
	if (k == K_DATE) {
		int y, mo, dd;
		char tail;

		if (sscanf(value, "%4d-%2d-%2d%c", &y, &mo, &dd, &tail) == 3 &&
		    mo >= 1 && mo <= 12 && dd >= 1 && dd <= 31) {
			fp_xlsx_date(s->x, sheet, row, col,
			    fp_serial_from_civil(y, (unsigned)mo, (unsigned)dd, 0),
			    s->st[l][k]);
			return;
		}
	}
	fp_xlsx_text(s->x, sheet, row, col, fp_field_shown(f, value),
	    s->st[l][K_TEXT]);
}

/*
 * How many lines a wrapped text takes in a column as wide as the widest
 * xlsx.c fits (60 characters): its line breaks, and its long lines.
 */
static unsigned
lines_of(const char *text)
{
	unsigned n = 0;
	const char *p = text, *nl;

	do {
		char *line;
		double w;

		nl = strchr(p, '\n');
		line = nl ? fp_xstrndup(p, (size_t)(nl - p)) : fp_xstrdup(p);
		w = fp_display_width(line);
		n += w <= 56 ? 1 : (unsigned)ceil(w / 56);
		free(line);
		p = nl ? nl + 1 : NULL;
	} while (p);
	return n;
}

/* Sets a row's height for its tallest text (lines of 15 points). */
static void
row_height(struct fp_summary *s, size_t sheet, uint32_t row, unsigned lines)
{
	if (lines > 1)
		fp_xlsx_row(s->x, sheet, row, 15.0 * (lines > 20 ? 20 : lines), 0,
		    -1);
}

/* A whole number (a year, a list's row) as a number if it is one. */
static void
put_count(struct fp_summary *s, size_t sheet, uint32_t row, uint32_t col,
    const char *v, enum look l)
{
	char *end;
	long y = strtol(v, &end, 10);

	if (*v && !*end)
		fp_xlsx_number(s->x, sheet, row, col, (double)y,
		    s->st[l][K_COUNT]);
	else
		fp_xlsx_text(s->x, sheet, row, col, v, s->st[l][K_TEXT]);
}

/* ---- Sheets ---------------------------------------------------------- */

/* The title of a sheet: the mapping's template filled. */
static const char *
title_of(struct fp_summary *s, const char *sheet, const char *year)
{
	const char *p;

	fp_buf_reset(&s->tmp);
	for (p = s->b->title; *p; p++) {
		static const char *const names[] = {
			"{title}", "{year}", "{form}", "{sheet}",
		};
		const char *v[4] = {
			s->title, year, s->m->title ? s->m->title : s->m->name,
			sheet,
		};
		size_t i;

		for (i = 0; i < 4; i++)
			if (!strncmp(p, names[i], strlen(names[i])))
				break;
		if (i == 4) {
			fp_buf_addc(&s->tmp, *p);
			continue;
		}
		fp_buf_adds(&s->tmp, v[i]);
		p += strlen(names[i]) - 1;
	}
	/* No leading space when {title} is not given. */
	p = s->tmp.s ? s->tmp.s : "";
	while (*p == ' ')
		p++;
	return p;
}

/* A sheet's name: its label, and the year when there are several. */
static size_t
make_sheet(struct fp_summary *s, const char *label, const char *year)
{
	fp_buf_reset(&s->tmp);
	fp_buf_adds(&s->tmp, label);
	if (s->nyears > 1) {
		fp_buf_addc(&s->tmp, ' ');
		fp_buf_adds(&s->tmp, year);
	}
	return fp_xlsx_sheet(s->x, s->tmp.s);
}

/* Title, unit line and column headers: rows 0, 1 and 2. */
static void
heading(struct fp_summary *s, struct out *o, const char *label,
    const char *year, const char *const *heads, uint32_t n)
{
	uint32_t c;

	o->ncols = n;
	fp_xlsx_heading(s->x, o->sheet, 0, n, title_of(s, label, year),
	    s->st_title, 24);
	if (o->money && *s->b->unit) {
		fp_xlsx_heading(s->x, o->sheet, 1, n, "", s->st_unit, 0);
		fp_xlsx_text(s->x, o->sheet, 1, n - 1, s->b->unit, s->st_unit);
	}
	for (c = 0; c < n; c++)
		fp_xlsx_text(s->x, o->sheet, 2, c, heads[c], s->st_head);
	o->first = o->row = 3;
}

/* Lays a sheet out for print once written; last is its last table row. */
static void
finish(struct fp_summary *s, const struct out *o, uint32_t last)
{
	struct fp_xlsx_report r;

	r.header_last = o->first - 1;
	r.last_row = last;
	r.last_col = o->ncols ? o->ncols - 1 : 0;
	/* The weights in the filter too, for a sort to move them along. */
	r.filter_col = r.last_col + (o->weights ? 1 : 0);
	r.footer = s->b->footer;
	fp_xlsx_report(s->x, o->sheet, &r);
}

/* 1 if the record shows money on the overview. */
static int
overview_money(const struct fp_summary *s)
{
	size_t i;

	for (i = 0; i < s->b->nshow; i++) {
		const struct fp_field *f = fp_mapping_ref_field(s->m,
		    &s->b->show[i].ref);

		if (f && f->type == FP_T_MONEY)
			return 1;
	}
	return 0;
}

/* 1 if an overview column adds up: money and counts, not a year or a score. */
static int
summed(const struct fp_summary *s, size_t i)
{
	const struct fp_ref *r = &s->b->show[i].ref;
	const struct fp_field *f = fp_mapping_ref_field(s->m, r);
	const struct fp_ref *y = &s->m->year;

	if (!f)
		return 0;
	if (f->type == FP_T_MONEY)
		return 1;
	return f->type == FP_T_INTEGER && !(y->table &&
	    !strcmp(r->table, y->table) && !strcmp(r->field, y->field));
}

/* Makes every sheet in its order: overviews, tables, findings. */
static void
make_sheets(struct fp_summary *s)
{
	const struct fp_book *b = s->b;
	const char **heads;
	char *year;
	size_t y, t, i, n;

	s->ncols = b->nshow + 2;
	heads = fp_xcalloc(s->ncols + 1 + FP_NFINDING_COLS + 64,
	    sizeof *heads);
	for (y = 0; y < s->nyears; y++) {
		struct out *o = &s->years[y].ov;

		o->sheet = make_sheet(s, b->overview, s->years[y].year);
		o->money = overview_money(s);
		for (i = 0; i < b->nshow; i++)
			heads[i] = b->show[i].label;
		heads[b->nshow] = b->errors_label;
		heads[b->nshow + 1] = b->warnings_label;
		heads[b->nshow + 2] = b->findings;
		heading(s, o, b->overview, s->years[y].year, heads,
		    (uint32_t)s->ncols + 1);
		s->years[y].sums = fp_xcalloc(s->ncols, sizeof(double));
		s->years[y].ts = fp_xcalloc(s->ntables ? s->ntables : 1,
		    sizeof *s->years[y].ts);
		s->years[y].units = fp_xcalloc(s->ntables + 1, 1);
	}
	for (t = 0; t < s->ntables; t++) {
		const struct fp_table *tab = s->tables[t];

		for (y = 0; y < s->nyears; y++) {
			struct out *o = &s->years[y].ts[t];

			n = 0;
			heads[n++] = b->dept_label;
			heads[n++] = b->year_label;
			if (s->has_record)
				heads[n++] = b->record_label;
			heads[n++] = tab->rowlabel;
			for (i = 0; i < tab->nfields && n < 60; i++)
				heads[n++] = tab->fields[i].cn;
			o->sheet = make_sheet(s, tab->cn, s->years[y].year);
			o->money = fp_table_has_money(tab);
			heading(s, o, tab->cn, s->years[y].year, heads,
			    (uint32_t)n);
			/* Which rows the total counts (counted), hidden. */
			fp_xlsx_columns(s->x, o->sheet, (uint32_t)n,
			    (uint32_t)n, 0, 1, -1);
			o->weights = 1;
		}
	}
	n = 0;
	for (i = 0; i < FP_NFINDING_COLS; i++)
		if (i != 3 || s->has_record)
			heads[n++] = b->finding_labels[i];
	s->fs.sheet = fp_xlsx_sheet(s->x, b->findings);
	fp_buf_reset(&s->key);
	if (s->nyears)
		fp_buf_adds(&s->key, s->years[0].year);
	if (s->nyears > 1)
		fp_buf_printf(&s->key, "-%s", s->years[s->nyears - 1].year);
	year = fp_buf_detach(&s->key);
	heading(s, &s->fs, b->findings, year ? year : "", heads, (uint32_t)n);
	free(year);
	free(heads);
}

/* ---- Records --------------------------------------------------------- */

struct rec {
	struct fp_spool_record r;
	size_t *order;		/* findings sorted by table, row, field */
};

static int
finding_cmp3(const struct fp_spool_finding *a, const char *t, const char *r,
    const char *f)
{
	int c = strcmp(a->table, t);

	if (c)
		return c;
	if ((c = strcmp(a->row, r)))
		return c;
	return strcmp(a->field, f);
}

static const struct fp_spool_finding *sort_base;

static int
order_cmp(const void *x, const void *y)
{
	const struct fp_spool_finding *a = &sort_base[*(const size_t *)x];
	const struct fp_spool_finding *b = &sort_base[*(const size_t *)y];
	int c = finding_cmp3(a, b->table, b->row, b->field);

	if (c)
		return c;
	return *(const size_t *)x < *(const size_t *)y ? -1 : 1;
}

/*
 * The messages of the record's findings on table/row/field, one a line,
 * into s->tmp. Returns the look of the cell at fault: L_FAULT for an
 * error, L_WARNING for warnings alone, else dflt.
 */
static enum look
faults(struct fp_summary *s, const struct fp_spool_record *r,
    const char *t, const char *row, const char *f, enum look dflt)
{
	size_t lo = 0, hi = r->nfindings;
	enum look l = dflt;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (finding_cmp3(&r->findings[s->order[mid]], t, row, f) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	fp_buf_reset(&s->tmp);
	for (; lo < r->nfindings && !finding_cmp3(&r->findings[s->order[lo]],
	    t, row, f); lo++) {
		const struct fp_spool_finding *g = &r->findings[s->order[lo]];

		if (s->tmp.len)
			fp_buf_addc(&s->tmp, '\n');
		fp_buf_adds(&s->tmp, g->message);
		if (g->severity == FP_SEV_ERROR)
			l = L_FAULT;
		else if (l != L_FAULT)
			l = L_WARNING;
	}
	return l;
}

/* The record's findings, on the findings sheet; the row of the first. */
static uint32_t
write_findings(struct fp_summary *s, const struct fp_spool_record *r)
{
	const struct fp_book *b = s->b;
	uint32_t first = s->fs.row;
	size_t i;

	for (i = 0; i < r->nfindings && s->fs.row <= LAST_ROW; i++) {
		const struct fp_spool_finding *f = &r->findings[i];
		const struct fp_table *t = fp_mapping_table(s->m, f->table);
		const struct fp_field *fld = t ? fp_table_field(t, f->field) :
		    NULL;
		size_t sh = s->fs.sheet;
		uint32_t row = s->fs.row++, c = 0;
		int err = f->severity == FP_SEV_ERROR;

		row_height(s, sh, row, lines_of(f->message));
		fp_xlsx_text(s->x, sh, row, c++, s->m->msgs[err ?
		    FP_MSG_ERROR : FP_MSG_WARNING], err ? s->st_error :
		    s->st_warning);
		fp_xlsx_text(s->x, sh, row, c++, r->who.dept,
		    s->st[L_PLAIN][K_TEXT]);
		put_count(s, sh, row, c++, r->who.year, L_PLAIN);
		if (s->has_record)
			fp_xlsx_text(s->x, sh, row, c++, r->who.record,
			    s->st[L_PLAIN][K_TEXT]);
		fp_xlsx_text(s->x, sh, row, c++, t ? t->cn : f->table,
		    s->st[L_PLAIN][K_TEXT]);
		fp_xlsx_text(s->x, sh, row, c++, t ? fp_table_row_shown(t,
		    f->row, &s->shown) : f->row, s->st[L_PLAIN][K_TEXT]);
		fp_xlsx_text(s->x, sh, row, c++, fld ? fld->cn : f->field,
		    s->st[L_PLAIN][K_TEXT]);
		fp_xlsx_text(s->x, sh, row, c++, f->message,
		    s->st[L_PLAIN][K_TEXT]);
		fp_xlsx_text(s->x, sh, row, c++, r->who.file,
		    s->st[L_PLAIN][K_TEXT]);
		fp_xlsx_text(s->x, sh, row, c++, f->source,
		    s->st[L_PLAIN][K_TEXT]);
	}
	(void)b;
	return first;
}

/* The record's row on its year's overview. */
static void
write_overview(struct fp_summary *s, struct year *y,
    const struct fp_spool_record *r, size_t rec, uint32_t frow)
{
	const struct fp_book *b = s->b;
	struct out *o = &y->ov;
	uint32_t row = o->row++;
	size_t i;

	for (i = 0; i < b->nshow; i++) {
		const struct fp_ref *ref = &b->show[i].ref;
		const struct fp_rec_fact *f = find(r->facts, r->nfacts, ref);
		/* A fact at fault, or missing, is marked as on its table. */
		enum look l = faults(s, r, ref->table, ref->row ? ref->row :
		    "", ref->field, L_PLAIN);
		int bad = l != L_PLAIN;
		double x;

		if (!f) {
			fp_xlsx_blank(s->x, o->sheet, row, (uint32_t)i,
			    s->st[l][K_TEXT]);
		} else {
			put_value(s, o->sheet, row, (uint32_t)i,
			    fp_mapping_ref_field(s->m, ref), f->value, l, &x);
			y->sums[i] += x;
		}
		if (bad)
			fp_xlsx_comment(s->x, o->sheet, row, (uint32_t)i,
			    s->tmp.s);
	}
	fp_xlsx_number(s->x, o->sheet, row, (uint32_t)b->nshow,
	    (double)r->errors, s->st[r->errors ? L_FAULT : L_PLAIN][K_COUNT]);
	fp_xlsx_number(s->x, o->sheet, row, (uint32_t)b->nshow + 1,
	    (double)r->warnings, s->st[r->warnings ? L_WARNING :
	    L_PLAIN][K_COUNT]);
	y->sums[b->nshow] += (double)r->errors;
	y->sums[b->nshow + 1] += (double)r->warnings;
	if (r->nfindings) {
		char cell[32];

		fp_buf_reset(&s->key);
		fp_buf_printf(&s->key, "'%s'!A", b->findings);
		snprintf(cell, sizeof cell, "%u", frow + 1);
		fp_buf_adds(&s->key, cell);
		fp_xlsx_url(s->x, o->sheet, row, (uint32_t)s->ncols, s->key.s,
		    b->link_label, s->st_link);
	} else {
		fp_xlsx_blank(s->x, o->sheet, row, (uint32_t)s->ncols,
		    s->st[L_PLAIN][K_TEXT]);
	}
	/* The chart's bar: the fact by department (and record). */
	if (b->has_chart) {
		const struct fp_rec_fact *f = find(r->facts, r->nfacts, &b->chart);
		struct bar *bar;
		double x;

		if (f && fp_parse_number(f->value, strlen(f->value), &x)) {
			if (y->nbars == y->capbars) {
				y->capbars = y->capbars ? y->capbars * 2 : 64;
				y->bars = fp_xreallocarray(y->bars, y->capbars,
				    sizeof *y->bars);
			}
			bar = &y->bars[y->nbars];
			bar->rec = rec;
			bar->value = x;
			bar->seq = y->nbars++;
		}
	}
}

/* 1 if key is one of the table's row codes. */
static int
is_code(const struct fp_table *t, const char *key)
{
	size_t i;

	for (i = 0; i < t->nrows; i++)
		if (!strcmp(t->rows[i].canon, key))
			return 1;
	return 0;
}

/*
 * Whether a record has rows of table t but its summary row, named by no
 * code (codes 0) or any: a department's units (1、局机关) beside it.
 */
static int
has_units(const struct fp_table *t, const struct fp_spool_record *r,
    int codes)
{
	size_t i;

	for (i = 0; i < r->nfacts; i++)
		if (!strcmp(r->facts[i].table, t->name) &&
		    strcmp(r->facts[i].row, FP_ROW_TOTAL) &&
		    (codes || !is_code(t, r->facts[i].row)))
			return 1;
	return 0;
}

/*
 * Whether table t holds items in a year (its units, the years' units
 * flag): a list, a nested table, or one whose every row came by a code
 * (资金: fiscal, carryover, a subtotal among them), whose rows adding
 * means nothing; else it holds units.
 */
static int
items_table(const struct fp_table *t, int units)
{
	return t->kind == FP_TABLE_LIST || t->nested || (t->nrows > 0 &&
	    !units);
}

/*
 * Whether a row counts in its table's total row, each department once:
 * its units, or its summary row where it gave none (a department of one
 * unit fills that row alone); in a table of items, the summary rows
 * alone. Written in a hidden column the total's formula multiplies by.
 */
static int
counted(const char *key, int items, int units)
{
	if (!strcmp(key, FP_ROW_TOTAL))
		return items || !units;
	return !items;
}

/* One row of a table's sheet, with its cells at fault marked. */
static void
write_row(struct fp_summary *s, struct out *o, const struct fp_table *t,
    const struct fp_spool_record *r, const char *key,
    const char *const *vals, int weight)
{
	uint32_t row, c = 0;
	enum look base = !strcmp(key, FP_ROW_TOTAL) ? L_SUMMARY : L_PLAIN;
	unsigned lines = 1;
	size_t k;

	if (o->row > LAST_ROW)
		return;
	row = o->row++;
	for (k = 0; k < t->nfields; k++)
		if (vals[k] && kind_of(&t->fields[k]) == K_TEXT) {
			unsigned n = lines_of(vals[k]);

			if (n > lines)
				lines = n;
		}
	row_height(s, o->sheet, row, lines);
	fp_xlsx_text(s->x, o->sheet, row, c++, r->who.dept, s->st[base][K_TEXT]);
	put_count(s, o->sheet, row, c++, r->who.year, base);
	if (s->has_record)
		fp_xlsx_text(s->x, o->sheet, row, c++, r->who.record,
		    s->st[base][K_TEXT]);
	if (t->kind == FP_TABLE_LIST && !key[strspn(key, "0123456789")])
		put_count(s, o->sheet, row, c++, key, base);
	else
		fp_xlsx_text(s->x, o->sheet, row, c++, fp_table_row_shown(t,
		    key, &s->shown), s->st[base][K_TEXT]);
	for (k = 0; k < t->nfields; k++, c++) {
		const struct fp_field *f = &t->fields[k];
		enum look l = faults(s, r, t->name, key, f->name, base);
		int bad = l != base;

		if (vals[k])
			put_value(s, o->sheet, row, c, f, vals[k], l, NULL);
		else
			fp_xlsx_blank(s->x, o->sheet, row, c,
			    s->st[l][kind_of(f)]);
		/* In constant memory a comment goes with its row. */
		if (bad)
			fp_xlsx_comment(s->x, o->sheet, row, c, s->tmp.s);
	}
	fp_xlsx_number(s->x, o->sheet, row, c, weight, -1);
}

/*
 * A record's rows of one table, in the order the form has them: a row's
 * facts together where its first came, wherever the others are in the
 * stream (a CSV sorted or put together by hand).
 */
static void
write_table(struct fp_summary *s, struct out *o, const struct fp_table *t,
    const struct fp_spool_record *r, int items)
{
	const char **vals = fp_xcalloc(t->nfields + 1, sizeof *vals);
	struct rowfact *rf = fp_xcalloc(r->nfacts + 1, sizeof *rf);
	size_t i, n = 0;
	int units = has_units(t, r, 1);

	for (i = 0; i < r->nfacts; i++)
		if (!strcmp(r->facts[i].table, t->name)) {
			rf[n].row = r->facts[i].row;
			rf[n++].i = i;
		}
	if (n > 1)
		qsort(rf, n, sizeof *rf, by_row);
	for (i = 0; i < n; i++)
		rf[i].first = i && !strcmp(rf[i].row, rf[i - 1].row) ?
		    rf[i - 1].first : rf[i].i;
	if (n > 1)
		qsort(rf, n, sizeof *rf, by_first);
	for (i = 0; i < n; i++) {
		const struct fp_rec_fact *fc = &r->facts[rf[i].i];
		const struct fp_field *f = fp_table_field(t, fc->field);

		if (f)
			vals[f - t->fields] = fc->value;
		if (i + 1 == n || rf[i + 1].first != rf[i].first) {
			write_row(s, o, t, r, fc->row, vals,
			    counted(fc->row, items, units));
			memset(vals, 0, t->nfields * sizeof *vals);
		}
	}
	free(rf);
	free(vals);
}

/* ---- A year's closing rows ------------------------------------------- */

static int
bar_cmp(const void *x, const void *y)
{
	const struct bar *a = x, *b = y;

	if (a->value != b->value)
		return a->value > b->value ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/*
 * The overview's total row, its chart's data sorted, and the chart. The
 * records' names are read back from the spool, so the record read last
 * is read again before it is used. Returns FP_OK or the spool's error
 * with d filled.
 */
static enum fp_err
close_overview(struct fp_summary *s, struct year *y, struct fp_diag *d)
{
	const struct fp_book *b = s->b;
	struct out *o = &y->ov;
	uint32_t last = o->row - 1, row, i, vcol;
	const char *vlabel;

	/*
	 * Laid out while its last row is the one being written: constant
	 * memory puts no filter over rows already gone.
	 */
	finish(s, o, last);
	if (o->row > o->first) {
		row = o->row++;
		fp_xlsx_text(s->x, o->sheet, row, 0, b->total_label,
		    s->st[L_TOTAL][K_TEXT]);
		for (i = 1; i < s->ncols + 1; i++) {
			char col[8], formula[64];
			/* A shown field's kind; the findings' counts after. */
			enum kind k = i < b->nshow ? number_kind(
			    fp_mapping_ref_field(s->m, &b->show[i].ref)) :
			    K_COUNT;

			if (i >= s->ncols || (i < b->nshow && !summed(s, i))) {
				fp_xlsx_blank(s->x, o->sheet, row, i,
				    s->st[L_TOTAL][K_TEXT]);
				continue;
			}
			fp_colname(i, col);
			snprintf(formula, sizeof formula, "=SUM(%s%u:%s%u)", col,
			    o->first + 1, col, last + 1);
			fp_xlsx_formula(s->x, o->sheet, row, i, formula,
			    nearbyint(y->sums[i] * 1e6) / 1e6,
			    s->st[L_TOTAL][k]);
		}
	}
	if (!b->has_chart || y->nbars == 0)
		return FP_OK;
	/* The chart's data, largest first, and the chart beside it. */
	qsort(y->bars, y->nbars, sizeof *y->bars, bar_cmp);
	/* Headed as the overview's column of the fact, if it shows it. */
	vcol = 1;
	vlabel = b->chart_title;
	for (i = 0; i < b->nshow; i++)
		if (!strcmp(b->show[i].ref.table, b->chart.table) &&
		    !strcmp(b->show[i].ref.field, b->chart.field) &&
		    !strcmp(b->show[i].ref.row ? b->show[i].ref.row : "",
		    b->chart.row ? b->chart.row : "")) {
			vlabel = b->show[i].label;
			break;
		}
	o->row += 2;
	row = o->row;
	/* Headed 部门, or 部门 项目 where the bars are records. */
	fp_buf_reset(&s->key);
	fp_buf_adds(&s->key, b->dept_label);
	if (s->has_record) {
		fp_buf_addc(&s->key, ' ');
		fp_buf_adds(&s->key, b->record_label);
	}
	fp_xlsx_text(s->x, o->sheet, o->row, 0, s->key.s, s->st_head);
	fp_xlsx_text(s->x, o->sheet, o->row++, vcol, vlabel, s->st_head);
	for (i = 0; i < y->nbars; i++) {
		const struct fp_field *f = fp_mapping_ref_field(s->m, &b->chart);
		struct fp_spool_record r;
		enum fp_err err;

		if ((err = fp_spool_get(s->spool, y->bars[i].rec, &r, d)))
			return err;
		fp_buf_reset(&s->key);
		fp_buf_adds(&s->key, r.who.dept);
		if (*r.who.record) {
			if (*r.who.dept)
				fp_buf_addc(&s->key, ' ');
			fp_buf_adds(&s->key, r.who.record);
		}
		fp_xlsx_text(s->x, o->sheet, o->row, 0, s->key.s,
		    s->st[L_PLAIN][K_TEXT]);
		fp_xlsx_number(s->x, o->sheet, o->row++, vcol, y->bars[i].value,
		    s->st[L_PLAIN][number_kind(f)]);
	}
	fp_xlsx_bar_chart(s->x, o->sheet, row, vcol + 2, b->chart_title,
	    o->sheet, row + 1, o->row - 1, 0, vcol);
	/* The next year's bars start afresh. */
	free(y->bars);
	y->bars = NULL;
	y->nbars = y->capbars = 0;
	return FP_OK;
}

/*
 * A keyed or list table's sums for its total row, in one year: of the
 * rows counted (counted), and which fields any of them gave; and whether
 * a row named by no code of the table came (a unit's name).
 */
struct tsum {
	double *sums;
	unsigned char *given;
};

/*
 * A keyed or list table's total row, of the rows a filter shows
 * (SUBTOTAL 109), as a formula that carries its value: the sum of the
 * rows counted (counted), each department once. A table whose every row
 * came by a code (资金: fiscal, carryover, a subtotal among them) holds
 * items, and adding different items means nothing, as does adding the
 * rows of a nested table (201 and its 20101 again) or of a list (its
 * subtotals with its items): its total is the sum of the departments'
 * summary rows, and it has none without a summary code; a field no
 * summary row gives (a count of vehicles on the 车辆 row alone) has no
 * total, rather than a 0.
 */
static void
close_table(struct fp_summary *s, struct out *o, const struct fp_table *t,
    const struct tsum *ts, int items)
{
	uint32_t key = 2 + (uint32_t)s->has_record, last = o->row - 1, row, c;
	char fc[8];
	size_t k;

	finish(s, o, last);
	if (o->row == o->first || o->row > LAST_ROW ||
	    (items && !is_code(t, FP_ROW_TOTAL)))
		return;
	row = o->row++;
	fp_xlsx_text(s->x, o->sheet, row, 0, s->b->total_label,
	    s->st[L_TOTAL][K_TEXT]);
	for (c = 1; c <= key; c++)
		fp_xlsx_blank(s->x, o->sheet, row, c, s->st[L_TOTAL][K_TEXT]);
	fp_colname(key + 1 + (uint32_t)t->nfields, fc);
	for (k = 0; k < t->nfields; k++) {
		const struct fp_field *f = &t->fields[k];
		char vc[8];
		uint32_t col = key + 1 + (uint32_t)k;

		/* Money and counts add up; a score or a rate does not. */
		if ((kind_of(f) != K_MONEY && kind_of(f) != K_COUNT) ||
		    (items && !ts->given[k])) {
			fp_xlsx_blank(s->x, o->sheet, row, col,
			    s->st[L_TOTAL][K_TEXT]);
			continue;
		}
		fp_colname(col, vc);
		fp_buf_reset(&s->tmp);
		fp_buf_printf(&s->tmp, "=SUMPRODUCT(SUBTOTAL(109,OFFSET(%s%u,"
		    "ROW(%s%u:%s%u)-ROW(%s%u),0)),%s%u:%s%u)", vc,
		    o->first + 1, vc, o->first + 1, vc, last + 1, vc,
		    o->first + 1, fc, o->first + 1, fc, last + 1);
		fp_xlsx_formula(s->x, o->sheet, row, col, s->tmp.s,
		    nearbyint(ts->sums[k] * 1e6) / 1e6,
		    s->st[L_TOTAL][kind_of(f)]);
	}
}

/* Adds a record's rows of table t that count to the table's sums. */
static void
add_sums(const struct fp_table *t, const struct fp_spool_record *r,
    struct tsum *ts, int items)
{
	int units = has_units(t, r, 1);
	size_t i;

	for (i = 0; i < r->nfacts; i++) {
		const struct fp_rec_fact *f = &r->facts[i];
		const struct fp_field *fld;
		double x;

		if (strcmp(f->table, t->name) || !counted(f->row, items, units))
			continue;
		fld = fp_table_field(t, f->field);
		if (fld && fp_parse_number(f->value, strlen(f->value), &x)) {
			ts->sums[fld - t->fields] += x;
			ts->given[fld - t->fields] = 1;
		}
	}
}

/* ---- Closing ----------------------------------------------------------- */

static size_t key_year(const struct fp_spool *sp, size_t i, const char **year);

/*
 * Which tables hold units in each year (a row named by no code came), to
 * know before its rows are written which of them its total counts: a
 * pass over the records first.
 */
static enum fp_err
find_units(struct fp_summary *s, struct fp_diag *d)
{
	size_t i, t, y = 0, n = fp_spool_count(s->spool);
	enum fp_err err;

	for (i = 0; i < n && s->ntables; i++) {
		struct fp_spool_record r;
		const char *yk;
		size_t len = key_year(s->spool, i, &yk);

		while (strlen(s->years[y].year) != len ||
		    strncmp(s->years[y].year, yk, len))
			y++;
		if ((err = fp_spool_get(s->spool, i, &r, d)) != FP_OK)
			return err;
		for (t = 0; t < s->ntables; t++)
			if (has_units(s->tables[t], &r, 0))
				s->years[y].units[t] = 1;
	}
	return FP_OK;
}

/* The year of the i-th record in order: its key up to the first \037. */
static size_t
key_year(const struct fp_spool *sp, size_t i, const char **year)
{
	const char *k = fp_spool_key(sp, i), *sep = strchr(k, '\037');

	*year = k;
	return sep ? (size_t)(sep - k) : strlen(k);
}

static void
find_years(struct fp_summary *s)
{
	size_t i, n = fp_spool_count(s->spool);
	struct fp_buf b = FP_BUF_INIT;

	for (i = 0; i < n; i++) {
		const char *y;
		size_t len = key_year(s->spool, i, &y);

		if (s->nyears && strlen(s->years[s->nyears - 1].year) == len &&
		    !strncmp(s->years[s->nyears - 1].year, y, len))
			continue;
		s->years = fp_xreallocarray(s->years, s->nyears + 1,
		    sizeof *s->years);
		memset(&s->years[s->nyears], 0, sizeof *s->years);
		s->years[s->nyears++].year = fp_xstrndup(y, len);
		fp_buf_printf(&b, "%s%s", s->nyears > 1 ? ", " : "",
		    s->years[s->nyears - 1].year);
	}
	if (s->nyears > 1)
		s->years_text = fp_buf_detach(&b);
	fp_buf_release(&b);
}

/*
 * Refuses, before a sheet is made, a summary with a sheet longer than a
 * workbook holds (3 heading rows, the rows, and a total row; on an
 * overview also the chart's rows under it).
 */
static enum fp_err
check_fits(struct fp_summary *s, struct fp_diag *d)
{
	const struct fp_mapping *m = s->m;
	uint64_t need, most = (uint64_t)LAST_ROW + 1;
	size_t i, k;

	need = 3 + (uint64_t)s->nfindings;
	if (need > most)
		return fp_diag(d, FP_EWRITE, "the sheet '%s' would need "
		    "%llu rows for %zu findings, and a sheet holds %llu: "
		    "merge fewer forms at a time", s->b->findings,
		    (unsigned long long)need, s->nfindings,
		    (unsigned long long)most);
	for (i = 0; i < s->ncounts; i++) {
		const struct ycount *c = &s->counts[i];

		need = 3 + (uint64_t)c->records + 1 +
		    (s->b->has_chart ? 3 + (uint64_t)c->records : 0);
		if (need > most)
			return fp_diag(d, FP_EWRITE, "the sheet '%s' of %s "
			    "would need %llu rows for %zu records, and a sheet "
			    "holds %llu: merge fewer forms at a time",
			    s->b->overview, c->year, (unsigned long long)need,
			    c->records, (unsigned long long)most);
		for (k = 0; k < m->ntables; k++) {
			need = 3 + (uint64_t)c->rows[k] + 1;
			if (m->tables[k].kind != FP_TABLE_FIELDS && need > most)
				return fp_diag(d, FP_EWRITE, "the sheet "
				    "'%s' of %s would need %llu rows, and a "
				    "sheet holds %llu: merge fewer forms at a "
				    "time", m->tables[k].cn, c->year,
				    (unsigned long long)need,
				    (unsigned long long)most);
		}
	}
	return FP_OK;
}

enum fp_err
fp_summary_close(struct fp_summary *s, struct fp_diag *d)
{
	const struct fp_mapping *m = s->m;
	struct tsum *tsums = NULL;
	size_t i, t, y = 0, n;
	enum fp_err err = FP_OK;

	if ((err = check_fits(s, d)) != FP_OK)
		return err;
	fp_spool_sort(s->spool);
	find_years(s);
	for (i = 0; i < m->ntables; i++)
		if (m->tables[i].kind != FP_TABLE_FIELDS) {
			s->tables = fp_xreallocarray(s->tables, s->ntables + 1,
			    sizeof *s->tables);
			s->tables[s->ntables++] = &m->tables[i];
		}
	s->x = fp_xlsx_new(s->path, fp_xlsx_sheets_fit(s->nyears *
	    (s->ntables + 1) + 1), FP_SUMMARY_KEYWORDS, d);
	if (!s->x)
		return FP_EWRITE;
	make_styles(s);
	make_sheets(s);
	if ((err = find_units(s, d)) != FP_OK)
		goto out;
	tsums = fp_xcalloc(s->ntables + 1, sizeof *tsums);
	for (t = 0; t < s->ntables; t++) {
		tsums[t].sums = fp_xcalloc(s->tables[t]->nfields + 1,
		    sizeof(double));
		tsums[t].given = fp_xcalloc(s->tables[t]->nfields + 1, 1);
	}
	n = fp_spool_count(s->spool);
	for (i = 0; i < n; i++) {
		struct fp_spool_record r;
		const char *yk;
		size_t len = key_year(s->spool, i, &yk);
		uint32_t frow;

		/* A new year: close the one before. */
		if (strlen(s->years[y].year) != len ||
		    strncmp(s->years[y].year, yk, len)) {
			if ((err = close_overview(s, &s->years[y], d)) != FP_OK)
				goto out;
			for (t = 0; t < s->ntables; t++) {
				close_table(s, &s->years[y].ts[t], s->tables[t],
				    &tsums[t], items_table(s->tables[t],
				    s->years[y].units[t]));
				memset(tsums[t].sums, 0, s->tables[t]->nfields *
				    sizeof(double));
				memset(tsums[t].given, 0, s->tables[t]->nfields);
			}
			y++;
		}
		if ((err = fp_spool_get(s->spool, i, &r, d)) != FP_OK)
			goto out;
		if (r.nfindings > s->caporder) {
			s->caporder = r.nfindings;
			s->order = fp_xreallocarray(s->order, s->caporder,
			    sizeof *s->order);
		}
		for (t = 0; t < r.nfindings; t++)
			s->order[t] = t;
		sort_base = r.findings;
		if (r.nfindings > 1)
			qsort(s->order, r.nfindings, sizeof *s->order, order_cmp);
		frow = write_findings(s, &r);
		write_overview(s, &s->years[y], &r, i, frow);
		for (t = 0; t < s->ntables; t++) {
			int items = items_table(s->tables[t],
			    s->years[y].units[t]);

			write_table(s, &s->years[y].ts[t], s->tables[t], &r,
			    items);
			add_sums(s->tables[t], &r, &tsums[t], items);
		}
	}
	if (s->nyears) {
		if ((err = close_overview(s, &s->years[y], d)) != FP_OK)
			goto out;
		for (t = 0; t < s->ntables; t++)
			close_table(s, &s->years[y].ts[t], s->tables[t],
			    &tsums[t], items_table(s->tables[t],
			    s->years[y].units[t]));
	}
	finish(s, &s->fs, s->fs.row - 1);
	s->ncut = fp_xlsx_cut(s->x);
	memcpy(s->cut_at, fp_xlsx_first_cut(s->x), sizeof s->cut_at);
	err = fp_xlsx_close(s->x, d);
	s->x = NULL;
out:
	for (t = 0; t < s->ntables && tsums; t++) {
		free(tsums[t].sums);
		free(tsums[t].given);
	}
	free(tsums);
	if (s->x) {
		fp_xlsx_abort(s->x);
		s->x = NULL;
	}
	return err;
}

void
fp_summary_free(struct fp_summary *s)
{
	size_t i;

	if (!s)
		return;
	fp_xlsx_abort(s->x);
	fp_spool_free(s->spool);
	for (i = 0; i < s->nyears; i++) {
		free(s->years[i].year);
		free(s->years[i].ts);
		free(s->years[i].units);
		free(s->years[i].sums);
		free(s->years[i].bars);
	}
	free(s->years);
	free(s->years_text);
	free(s->tables);
	free(s->path);
	free(s->title);
	free(s->order);
	for (i = 0; i < s->ncounts; i++) {
		free(s->counts[i].year);
		free(s->counts[i].rows);
	}
	free(s->counts);
	free(s->rf);
	fp_buf_release(&s->key);
	fp_buf_release(&s->tmp);
	fp_buf_release(&s->shown);
	free(s);
}
