/*
 * annotate (annotate.h): reads the findings report, matches findings to
 * forms, and turns a form's findings into marks on its cells (convert.c
 * writes them) or lines of a front sheet.
 */
#include "annotate.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convert.h"
#include "csvio.h"
#include "mapping.h"

/* A light red that reads as "look here" on screen and on paper. */
#define MARK_FILL 0xFFC7CE
#define WARNING_FILL 0xFFEB9C

/* The report's columns formpipe reads, in struct fp_finding_row order. */
static const char *const columns[] = {
	"severity", "dept", "year", "table", "row", "field", "rule", "message",
	"source", "file", "form", "record",
};
#define NCOLS (sizeof columns / sizeof columns[0])

enum fp_err
fp_findings_read(const char *path, struct fp_findings *f, struct fp_diag *d)
{
	struct fp_csv_reader *r = NULL;
	struct fp_csv_row row;
	struct fp_buf text = FP_BUF_INIT;
	size_t *offs = NULL, cap = 0, i, k;
	long at[NCOLS];
	const char *why;
	FILE *in;
	enum fp_err err = FP_OK;
	size_t ncols = 0;
	enum fp_csv_text bad;
	int got, header = 1;

	memset(f, 0, sizeof *f);
	if (!strcmp(path, "-")) {
		in = stdin;
		path = "<stdin>";
	} else if (!(in = fp_open_text(path, &why))) {
		return fp_diag(d, FP_EOPEN, "%s: %s", path, why);
	}
	r = fp_csv_reader_new(in, path);
	for (k = 0; k < NCOLS; k++)
		at[k] = -1;
	/* Text first, pointers once it is whole. */
	fp_buf_addc(&text, '\0');
	while ((got = fp_csv_next(r, &row, d)) == 1) {
		if (header) {
			header = 0;
			for (i = 0; i < row.n; i++) {
				const char *name = row.f[i];

				/* A byte-order mark before the first name. */
				if (i == 0 && !strncmp(name, "\xEF\xBB\xBF", 3))
					name += 3;
				for (k = 0; k < NCOLS; k++)
					if (!strcmp(name, columns[k]) && at[k] < 0)
						at[k] = (long)i;
			}
			if (at[7] < 0 || at[8] < 0) {
				err = fp_diag(d, FP_ECSV, "%s:%zu: not a findings "
				    "report (no message or source column)", path,
				    row.line);
				goto out;
			}
			f->has_file = at[9] >= 0;
			ncols = row.n;
			continue;
		}
		/* A row cut short or run on, a NUL, another encoding. */
		if (row.n != ncols) {
			err = fp_diag(d, FP_ECSV, "%s:%zu: %zu fields, expected "
			    "%zu (as its header)", path, row.line, row.n, ncols);
			goto out;
		}
		if ((bad = fp_csv_row_text(&row, row.n, &i)) != FP_CSV_TEXT) {
			err = fp_diag(d, FP_ECSV, "%s:%zu: %s", path, row.line,
			    bad == FP_CSV_NUL ? "a NUL byte: not a findings "
			    "report" : "not UTF-8 text (was the file saved in "
			    "another encoding?)");
			goto out;
		}
		if (f->n == cap) {
			cap = cap ? cap * 2 : 64;
			offs = fp_xreallocarray(offs, cap * NCOLS, sizeof *offs);
		}
		for (k = 0; k < NCOLS; k++) {
			if (at[k] < 0 || (size_t)at[k] >= row.n) {
				offs[f->n * NCOLS + k] = 0;
				continue;
			}
			offs[f->n * NCOLS + k] = text.len;
			fp_buf_add(&text, row.f[at[k]], row.len[at[k]]);
			fp_buf_addc(&text, '\0');
		}
		f->n++;
	}
	if (got < 0) {
		/* fp_diag may quote the message it replaces. */
		err = fp_diag(d, FP_ECSV, "%s:%s", path, d->msg);
		goto out;
	}
	if (header) {
		err = fp_diag(d, FP_ECSV, "%s: empty, not a findings report",
		    path);
		goto out;
	}
	f->text = fp_buf_detach(&text);
	f->v = fp_xcalloc(f->n ? f->n : 1, sizeof *f->v);
	for (i = 0; i < f->n; i++) {
		char **dst = &f->v[i].severity;

		for (k = 0; k < NCOLS; k++)
			dst[k] = f->text + offs[i * NCOLS + k];
	}
out:
	free(offs);
	fp_buf_release(&text);
	fp_csv_reader_free(r);
	if (in != stdin)
		fclose(in);
	if (err) {
		free(f->text);
		free(f->v);
		memset(f, 0, sizeof *f);
	}
	return err;
}

void
fp_findings_release(struct fp_findings *f)
{
	if (!f)
		return;
	free(f->v);
	free(f->text);
	memset(f, 0, sizeof *f);
}

int
fp_findings_match(const struct fp_findings *f, size_t k, const char *path)
{
	const char *file = f->v[k].file;

	if (!f->has_file)
		return 1;
	if (!*file)
		return 0;
	return !strcmp(file, path) || !strcmp(fp_basename(file),
	    fp_basename(path));
}

int
fp_annotate_source(const char *src, char *sheet, size_t size, uint32_t *row,
    uint32_t *col)
{
	const char *bang = strrchr(src, '!'), *p;
	uint32_t c = 0, r = 0;
	size_t n = 0;
	int nc = 0, nr = 0;

	if (!bang || bang == src || size == 0)
		return 0;
	/* The sheet: as it is, or in quotes with a quote doubled. */
	if (src[0] == '\'' && bang - src >= 2 && bang[-1] == '\'') {
		for (p = src + 1; p < bang - 1 && n + 1 < size; p++) {
			if (*p == '\'' && p + 1 < bang - 1 && p[1] == '\'')
				p++;
			sheet[n++] = *p;
		}
	} else {
		for (p = src; p < bang && n + 1 < size; p++)
			sheet[n++] = *p;
	}
	sheet[n] = '\0';
	p = bang + 1;
	if (*p == '$')
		p++;
	for (; ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z')) &&
	    nc < 3; p++, nc++)
		c = c * 26 + (uint32_t)((*p & ~0x20) - 'A' + 1);
	if (*p == '$')
		p++;
	for (; *p >= '0' && *p <= '9' && nr < 7; p++, nr++)
		r = r * 10 + (uint32_t)(*p - '0');
	if (!nc || !nr || r == 0 || *p)
		return 0;
	*row = r - 1;
	*col = c - 1;
	return 1;
}

/* The sheet of wb named name, or -1. */
static long
find_sheet(const struct fp_workbook *wb, const char *name)
{
	size_t i, n = fp_workbook_nsheets(wb);

	for (i = 0; i < n; i++)
		if (!strcmp(fp_workbook_sheet(wb, i)->name, name))
			return (long)i;
	return -1;
}

/*
 * The front sheet's cells for finding fr: in m's words if m is given
 * (severity, table, row, field, message: five cells), else as the report
 * has them (with the rule: six); with rec, its record second (which
 * project of a workbook of several). A row's label is made in a.
 */
static void
front_row(const struct fp_finding_row *fr, const struct fp_mapping *m,
    int rec, const char **cells, struct fp_arena *a)
{
	const struct fp_table *t;
	const struct fp_field *fld;

	*cells++ = !m ? fr->severity : !strcmp(fr->severity, "error") ?
	    m->msgs[FP_MSG_ERROR] : !strcmp(fr->severity, "warning") ?
	    m->msgs[FP_MSG_WARNING] : fr->severity;
	if (rec)
		*cells++ = fr->record;
	if (!m) {
		cells[0] = fr->table;
		cells[1] = fr->row;
		cells[2] = fr->field;
		cells[3] = fr->rule;
		cells[4] = fr->message;
		return;
	}
	t = fp_mapping_table(m, fr->table);
	fld = t ? fp_table_field(t, fr->field) : NULL;
	cells[0] = t ? t->cn : fr->table;
	if (t && *fr->row) {
		struct fp_buf b = FP_BUF_INIT;
		const char *shown = fp_table_row_shown(t, fr->row, &b);

		cells[1] = fp_arena_strndup(a, shown, strlen(shown));
		fp_buf_release(&b);
	} else {
		cells[1] = fr->row;
	}
	cells[2] = fld ? fld->cn : fr->field;
	cells[3] = fr->message;
}

enum fp_err
fp_annotate(struct fp_workbook *wb, const struct fp_findings *f,
    const size_t *which, size_t n, const struct fp_mapping *m,
    const char *out, struct fp_annotate_report *rep, struct fp_diag *d)
{
	static const char *const head[] = {
		"severity", "record", "table", "row", "field", "rule", "message",
	};
	static const double widths[] = { 10, 24, 14, 14, 16, 16, 80 };
	static const double widths_m[] = { 8, 24, 14, 14, 16, 60 };
	/* Of the mapping's findings sheet: severity, record, table, row,
	   field, message. */
	static const int pick[] = { 0, 3, 4, 5, 6, 7 };
	struct fp_convert_report crep;
	struct fp_convert_opts opt;
	struct fp_mark *marks;
	struct fp_front front;
	double width[7];
	const char **cells;
	struct fp_arena shown = FP_ARENA_INIT;	/* rows as shown */
	char sheet[256];
	size_t k, j, nmarks = 0, nrows = 1, nc;
	int rec = 0;
	enum fp_err err;

	memset(rep, 0, sizeof *rep);
	/* A record column where the findings name records (projects). */
	for (k = 0; k < n; k++)
		rec |= *f->v[which[k]].record != '\0';
	nc = (m ? 5 : 6) + (size_t)rec;
	marks = fp_xcalloc(n ? n : 1, sizeof *marks);
	cells = fp_xcalloc((n + 1) * 7, sizeof *cells);
	for (k = j = 0; k < (m ? 6u : 7u); k++) {
		if (k == 1 && !rec)
			continue;
		cells[j] = m ? m->book.finding_labels[pick[k]] : head[k];
		width[j++] = m ? widths_m[k] : widths[k];
	}
	for (k = 0; k < n; k++) {
		const struct fp_finding_row *fr = &f->v[which[k]];
		uint32_t row, col;
		long sh;

		if (fp_annotate_source(fr->source, sheet, sizeof sheet, &row,
		    &col) && (sh = find_sheet(wb, sheet)) >= 0 &&
		    row <= 1048575 && col <= 16383) {
			marks[nmarks].sheet = (size_t)sh;
			marks[nmarks].row = row;
			marks[nmarks].col = col;
			marks[nmarks].text = fr->message;
			marks[nmarks].warning = !strcmp(fr->severity,
			    "warning");
			nmarks++;
			continue;
		}
		/* A cell the form does not have: the report is of another. */
		if (*fr->source && !rep->unplaced++)
			rep->first_unplaced = fr->source;
		front_row(fr, m, rec, cells + nrows * nc, &shown);
		nrows++;
	}
	memset(&opt, 0, sizeof opt);
	opt.marks = marks;
	opt.nmarks = nmarks;
	opt.mark_fill = MARK_FILL;
	opt.warning_fill = WARNING_FILL;
	if (nrows > 1) {
		front.name = m ? m->book.findings : "findings";
		front.cells = cells;
		front.nrows = nrows;
		front.ncols = nc;
		front.widths = width;
		opt.front = &front;
	}
	err = fp_convert(wb, out, &opt, &crep, d);
	rep->marked = nmarks;
	rep->listed = nrows - 1;
	rep->kept = crep.kept;
	rep->cut = crep.cut;
	memcpy(rep->cut_at, crep.cut_at, sizeof rep->cut_at);
	free(marks);
	free(cells);
	fp_arena_release(&shown);
	return err;
}
