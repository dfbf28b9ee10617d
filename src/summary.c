/*
 * The summary workbook, laid out from the mapping: its workbook section
 * for the overview and findings, its keyed and list tables for a sheet
 * each, their fields' types for how values are stored (money with the
 * money format, counts and scores as numbers, dates as dates, the rest as
 * text) and their labels for the headers.
 */
#include "summary.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "normalize.h"
#include "xls.h"
#include "xlsx.h"

/* A sheet for one keyed or list table. */
struct tsheet {
	const struct fp_table *t;
	size_t sheet;
	uint32_t row;		/* next row to write */
};

struct fp_summary {
	const struct fp_mapping *m;
	struct fp_xlsx *x;
	size_t overview, findings;
	struct tsheet *ts;
	size_t nts;
	uint32_t orow, frow;	/* next overview and findings rows */
	double *sums;		/* per overview column, for the total row */
	int *summed;		/* 1 if the column gets a SUM */
	size_t ncols;		/* overview columns */
	int has_record;		/* table sheets show the record */
	uint32_t first;		/* the first field's column on table sheets */
	int st_head, st_money, st_number, st_date, st_text, st_total,
	    st_total_money, st_total_number;
	struct fp_buf tmp;
};

static const struct fp_field *
ref_field(const struct fp_mapping *m, const struct fp_ref *r)
{
	const struct fp_table *t = fp_mapping_table(m, r->table);

	return t ? fp_table_field(t, r->field) : NULL;
}


struct fp_summary *
fp_summary_new(const struct fp_mapping *m, const char *path,
    struct fp_diag *d)
{
	const struct fp_book *b = &m->book;
	struct fp_summary *s;
	struct fp_style st;
	uint32_t c;
	size_t i, k;

	s = fp_xcalloc(1, sizeof *s);
	s->m = m;
	s->has_record = m->record.table != NULL;
	s->first = 2 + (uint32_t)s->has_record;
	s->x = fp_xlsx_new(path, 1, d);
	if (!s->x) {
		free(s);
		return NULL;
	}
	/* Every cell boxed, as a table handed up should be. */
	memset(&st, 0, sizeof st);
	st.boxed = 1;
	st.bold = 1;
	st.heading = 1;
	st.numfmt = "";
	s->st_head = fp_xlsx_style(s->x, &st);
	st.heading = 0;
	s->st_total = fp_xlsx_style(s->x, &st);
	st.numfmt = b->money_format;
	s->st_total_money = fp_xlsx_style(s->x, &st);
	st.numfmt = b->number_format;
	s->st_total_number = fp_xlsx_style(s->x, &st);
	st.bold = 0;
	s->st_number = fp_xlsx_style(s->x, &st);
	st.numfmt = b->money_format;
	s->st_money = fp_xlsx_style(s->x, &st);
	st.numfmt = b->date_format;
	s->st_date = fp_xlsx_style(s->x, &st);
	st.numfmt = "";
	s->st_text = fp_xlsx_style(s->x, &st);

	/* The overview: the shown facts, then the counts of findings. */
	s->overview = fp_xlsx_sheet(s->x, b->overview);
	s->ncols = b->nshow + 2;
	s->sums = fp_xcalloc(s->ncols, sizeof *s->sums);
	s->summed = fp_xcalloc(s->ncols, sizeof *s->summed);
	for (i = 0; i < b->nshow; i++) {
		const struct fp_field *f = ref_field(m, &b->show[i].ref);

		fp_xlsx_text(s->x, s->overview, 0, (uint32_t)i, b->show[i].label,
		    s->st_head);
		/* Money and counts add up; a year or a score does not. */
		s->summed[i] = f && (f->type == FP_T_MONEY ||
		    (f->type == FP_T_INTEGER && !(m->year.table &&
		    !strcmp(b->show[i].ref.table, m->year.table) &&
		    !strcmp(b->show[i].ref.field, m->year.field))));
	}
	fp_xlsx_text(s->x, s->overview, 0, (uint32_t)b->nshow, b->errors_label,
	    s->st_head);
	fp_xlsx_text(s->x, s->overview, 0, (uint32_t)b->nshow + 1,
	    b->warnings_label, s->st_head);
	s->summed[b->nshow] = s->summed[b->nshow + 1] = 1;
	s->orow = 1;

	/* A sheet per keyed or list table. */
	for (i = 0; i < m->ntables; i++) {
		const struct fp_table *t = &m->tables[i];
		struct tsheet *ts;

		if (t->kind == FP_TABLE_FIELDS)
			continue;
		s->ts = fp_xreallocarray(s->ts, s->nts + 1, sizeof *s->ts);
		ts = &s->ts[s->nts++];
		ts->t = t;
		ts->sheet = fp_xlsx_sheet(s->x, t->cn);
		fp_xlsx_text(s->x, ts->sheet, 0, 0, b->dept_label, s->st_head);
		fp_xlsx_text(s->x, ts->sheet, 0, 1, b->year_label, s->st_head);
		c = 2;
		if (s->has_record)
			fp_xlsx_text(s->x, ts->sheet, 0, c++, b->record_label,
			    s->st_head);
		fp_xlsx_text(s->x, ts->sheet, 0, c++, t->rowlabel, s->st_head);
		for (k = 0; k < t->nfields; k++, c++)
			fp_xlsx_text(s->x, ts->sheet, 0, c, t->fields[k].cn,
			    s->st_head);
		ts->row = 1;
	}

	/* The findings. */
	s->findings = fp_xlsx_sheet(s->x, b->findings);
	for (k = 0; k < FP_NFINDING_COLS; k++)
		fp_xlsx_text(s->x, s->findings, 0, (uint32_t)k,
		    b->finding_labels[k], s->st_head);
	s->frow = 1;
	return s;
}

/* Writes a fact's value as its field's type wants it stored. */
static void
put_value(struct fp_summary *s, size_t sheet, uint32_t row, uint32_t col,
    const struct fp_field *f, const char *value, double *num)
{
	double x;

	if (num)
		*num = 0;
	if (f && fp_type_numeric(f->type)) {
		if (fp_parse_number(value, strlen(value), &x)) {
			fp_xlsx_number(s->x, sheet, row, col, x,
			    f->type == FP_T_MONEY ? s->st_money : s->st_number);
			if (num)
				*num = x;
			return;
		}
	} else if (f && f->type == FP_T_CODE) {
		size_t i;

		for (i = 0; i < f->ncodes; i++)
			if (f->codes[i].display && !strcmp(f->codes[i].canon, value)) {
				value = f->codes[i].display;
				break;
			}
	} else if (f && f->type == FP_T_DATE) {
		int y, mo, dd;
		char tail;

		if (sscanf(value, "%4d-%2d-%2d%c", &y, &mo, &dd, &tail) == 3 &&
		    mo >= 1 && mo <= 12 && dd >= 1 && dd <= 31) {
			fp_xlsx_date(s->x, sheet, row, col,
			    fp_serial_from_civil(y, (unsigned)mo, (unsigned)dd, 0),
			    s->st_date);
			return;
		}
	}
	fp_xlsx_text(s->x, sheet, row, col, value, s->st_text);
}

/* A whole number (a year, a row number) as a number if it is one. */
static void
put_count(struct fp_summary *s, size_t sheet, uint32_t row, uint32_t col,
    const char *v)
{
	char *end;
	long y = strtol(v, &end, 10);

	if (*v && !*end)
		fp_xlsx_number(s->x, sheet, row, col, (double)y, s->st_number);
	else if (*v)
		fp_xlsx_text(s->x, sheet, row, col, v, s->st_text);
}

/* A row key as people read it: a row code by its label. */
static const char *
row_label(const struct fp_table *t, const char *row)
{
	return t ? fp_table_row_label(t, row) : row;
}

void
fp_summary_finding(struct fp_summary *s, const struct fp_finding *f)
{
	const struct fp_book *b = &s->m->book;
	const struct fp_table *t = fp_mapping_table(s->m, f->table);
	const struct fp_field *fld = t ? fp_table_field(t, f->field) : NULL;
	const char *cols[FP_NFINDING_COLS];
	uint32_t k;

	cols[0] = f->severity == FP_SEV_ERROR ? b->errors_label :
	    b->warnings_label;
	cols[1] = f->who.dept;
	cols[2] = f->who.year;
	cols[3] = t ? t->cn : f->table;
	cols[4] = row_label(t, f->row);
	cols[5] = fld ? fld->cn : f->field;
	cols[6] = f->rule;
	cols[7] = f->message;
	cols[8] = f->source;
	for (k = 0; k < FP_NFINDING_COLS; k++) {
		if (!*cols[k])
			fp_xlsx_blank(s->x, s->findings, s->frow, k, s->st_text);
		else if (k == 2)
			put_count(s, s->findings, s->frow, k, cols[k]);
		else
			fp_xlsx_text(s->x, s->findings, s->frow, k, cols[k],
			    s->st_text);
	}
	s->frow++;
}

/* The fact a reference names among a record's facts, or NULL. */
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

/* One row of a table's sheet: department, year, record, key, fields. */
static void
put_row(struct fp_summary *s, struct tsheet *ts, const struct fp_who *who,
    const char *key, const char *const *vals)
{
	const struct fp_table *t = ts->t;
	uint32_t c = s->first;
	size_t k;

	fp_xlsx_text(s->x, ts->sheet, ts->row, 0, who->dept, s->st_text);
	put_count(s, ts->sheet, ts->row, 1, who->year);
	if (s->has_record)
		fp_xlsx_text(s->x, ts->sheet, ts->row, 2, who->record,
		    s->st_text);
	if (t->kind == FP_TABLE_LIST)
		put_count(s, ts->sheet, ts->row, c, key);
	else
		fp_xlsx_text(s->x, ts->sheet, ts->row, c, row_label(t, key),
		    s->st_text);
	for (k = 0; k < t->nfields; k++) {
		if (vals[k])
			put_value(s, ts->sheet, ts->row, c + 1 + (uint32_t)k,
			    &t->fields[k], vals[k], NULL);
		else
			fp_xlsx_blank(s->x, ts->sheet, ts->row,
			    c + 1 + (uint32_t)k, s->st_text);
	}
	ts->row++;
}

void
fp_summary_record(struct fp_summary *s, const struct fp_who *who,
    const struct fp_rec_fact *facts, size_t n, size_t errors,
    size_t warnings)
{
	const struct fp_book *b = &s->m->book;
	size_t i, t;

	/* The overview row, every column boxed even where blank. */
	for (i = 0; i < b->nshow; i++) {
		const struct fp_rec_fact *f = find(facts, n, &b->show[i].ref);
		double x;

		if (!f) {
			fp_xlsx_blank(s->x, s->overview, s->orow, (uint32_t)i,
			    s->st_text);
			continue;
		}
		put_value(s, s->overview, s->orow, (uint32_t)i,
		    ref_field(s->m, &b->show[i].ref), f->value, &x);
		s->sums[i] += x;
	}
	fp_xlsx_number(s->x, s->overview, s->orow, (uint32_t)b->nshow,
	    (double)errors, s->st_number);
	fp_xlsx_number(s->x, s->overview, s->orow, (uint32_t)b->nshow + 1,
	    (double)warnings, s->st_number);
	s->sums[b->nshow] += (double)errors;
	s->sums[b->nshow + 1] += (double)warnings;
	s->orow++;

	/* Each table's rows, in the order the form has them. */
	for (t = 0; t < s->nts; t++) {
		struct tsheet *ts = &s->ts[t];
		const struct fp_table *tab = ts->t;
		const char **vals = fp_xcalloc(tab->nfields, sizeof *vals);
		const char *cur = NULL;

		for (i = 0; i <= n; i++) {
			const struct fp_field *f = NULL;

			if (i < n && strcmp(facts[i].table, tab->name))
				continue;
			if (cur && (i == n || strcmp(cur, facts[i].row))) {
				put_row(s, ts, who, cur, vals);
				memset(vals, 0, tab->nfields * sizeof *vals);
			}
			if (i == n)
				break;
			cur = facts[i].row;
			f = fp_table_field(tab, facts[i].field);
			if (f)
				vals[f - tab->fields] = facts[i].value;
		}
		free(vals);
	}
}

size_t
fp_summary_count(const struct fp_summary *s)
{
	return s->orow - 1;
}

enum fp_err
fp_summary_close(struct fp_summary *s, struct fp_diag *d)
{
	const struct fp_book *b = &s->m->book;
	uint32_t last = s->orow - 1;
	size_t i;
	enum fp_err err;

	/*
	 * The filter covers the departments, not the total row: set it before
	 * that row is written (constant memory cannot go back to row 0 later).
	 */
	fp_xlsx_header_row(s->x, s->overview, last, (uint32_t)s->ncols - 1);
	/* The total row: SUM formulas that carry their values. */
	if (last >= 1) {
		fp_xlsx_text(s->x, s->overview, s->orow, 0, b->total_label,
		    s->st_total);
		for (i = 0; i < s->ncols; i++) {
			const struct fp_field *f = i < b->nshow ?
			    ref_field(s->m, &b->show[i].ref) : NULL;
			char col[8], formula[64];

			if (!s->summed[i] || i == 0)
				continue;
			fp_colname((uint32_t)i, col);
			snprintf(formula, sizeof formula, "=SUM(%s2:%s%u)", col,
			    col, last + 1);
			fp_xlsx_formula(s->x, s->overview, s->orow, (uint32_t)i,
			    formula, nearbyint(s->sums[i] * 1e6) / 1e6,
			    f && f->type == FP_T_MONEY ? s->st_total_money :
			    s->st_total_number);
		}
	}
	for (i = 0; i < s->nts; i++)
		fp_xlsx_header_row(s->x, s->ts[i].sheet, s->ts[i].row - 1,
		    (uint32_t)s->ts[i].t->nfields + s->first);
	fp_xlsx_header_row(s->x, s->findings, s->frow - 1,
	    FP_NFINDING_COLS - 1);
	fp_xlsx_print_setup(s->x, s->overview);
	for (i = 0; i < s->nts; i++)
		fp_xlsx_print_setup(s->x, s->ts[i].sheet);
	fp_xlsx_print_setup(s->x, s->findings);
	/* The chart: the chosen fact by department, beside the overview. */
	if (b->has_chart && last >= 1) {
		for (i = 0; i < b->nshow; i++) {
			const struct fp_ref *r = &b->show[i].ref;

			if (!strcmp(r->table, b->chart.table) &&
			    !strcmp(r->field, b->chart.field) &&
			    !strcmp(r->row ? r->row : "", b->chart.row ?
			    b->chart.row : ""))
				break;
		}
		/* Below the table, so the sheet prints one page wide. */
		if (i < b->nshow)
			fp_xlsx_bar_chart(s->x, s->overview, last + 3, 0,
			    b->chart_title, s->overview, 1, last, 0, (uint32_t)i);
	}
	err = fp_xlsx_close(s->x, d);
	s->x = NULL;
	fp_summary_abort(s);
	return err;
}

void
fp_summary_abort(struct fp_summary *s)
{
	if (!s)
		return;
	fp_xlsx_abort(s->x);
	free(s->ts);
	free(s->sums);
	free(s->summed);
	fp_buf_release(&s->tmp);
	free(s);
}
