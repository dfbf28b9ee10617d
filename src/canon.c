/*
 * The canonical CSV, read and written in one place: a checked header,
 * then facts with the line each sits on; and the line a fact is written
 * as.
 */
#include "canon.h"

#include <stdlib.h>
#include <string.h>

static const char *const header[FP_CANON_NCOLS] = {
	"form", "dept", "year", "record", "table", "row", "field", "value",
	"source", "file",
};

/* The header before form, record and file were columns. */
#define OLD_HEADER "dept,year,table,row,field,value,source"

struct fp_canon_reader {
	struct fp_csv_reader *csv;
	int after_header;	/* the next fact follows a header */
};

void
fp_canon_write(struct fp_buf *b, const struct fp_canon_fact *f)
{
	const char *v[FP_CANON_NCOLS] = {
		f->form, f->dept, f->year, f->record, f->table, f->row,
		f->field, f->value, f->source, f->file,
	};
	size_t i;

	for (i = 0; i < FP_CANON_NCOLS; i++) {
		if (i)
			fp_buf_addc(b, ',');
		fp_csv_field(b, v[i], strlen(v[i]));
	}
	fp_buf_addc(b, '\n');
}

struct fp_canon_reader *
fp_canon_reader_new(FILE *f, const char *name, int passthrough)
{
	struct fp_canon_reader *r = fp_xcalloc(1, sizeof *r);

	r->csv = fp_csv_reader_new(f, name);
	if (passthrough)
		fp_csv_reader_hold(r->csv);
	return r;
}

void
fp_canon_reader_free(struct fp_canon_reader *r)
{
	if (!r)
		return;
	fp_csv_reader_free(r->csv);
	free(r);
}

static int
is_header(const struct fp_csv_row *row)
{
	size_t i;

	if (row->n != FP_CANON_NCOLS)
		return 0;
	for (i = 0; i < FP_CANON_NCOLS; i++) {
		const char *f = row->f[i];
		size_t n = row->len[i];

		/* A byte-order mark, as Excel saves "CSV UTF-8", before form. */
		if (i == 0 && n >= 3 && !memcmp(f, "\xef\xbb\xbf", 3))
			f += 3, n -= 3;
		/* The whole field: "dept\0" is no dept. */
		if (n != strlen(header[i]) || memcmp(f, header[i], n))
			return 0;
	}
	return 1;
}

static int
is_old_header(const struct fp_csv_row *row)
{
	return row->n == 7 && !strcmp(row->f[0], "dept") &&
	    !strcmp(row->f[6], "source");
}

int
fp_canon_header(struct fp_canon_reader *r, struct fp_diag *d)
{
	struct fp_csv_row row;
	int rc = fp_csv_next(r->csv, &row, d);

	if (rc <= 0)
		return rc;
	if (is_old_header(&row))
		return fp_diag(d, FP_ECSV, "%zu: facts in the older form ("
		    OLD_HEADER "); map the forms again", row.line), -1;
	if (!is_header(&row))
		return fp_diag(d, FP_ECSV, "%zu: not canonical facts (the first "
		    "line must be '" FP_CANON_HEADER "')", row.line), -1;
	r->after_header = 1;
	return 1;
}

void
fp_canon_tee(struct fp_canon_reader *r, FILE *tee)
{
	fp_csv_reader_tee(r->csv, tee);
}

int
fp_canon_tee_failed(const struct fp_canon_reader *r)
{
	return fp_csv_tee_failed(r->csv);
}

int
fp_canon_next(struct fp_canon_reader *r, struct fp_canon_fact *f,
    struct fp_diag *d)
{
	struct fp_csv_row row;
	size_t i;
	int rc;

	for (;;) {
		rc = fp_csv_next(r->csv, &row, d);
		if (rc <= 0)
			return rc;
		if (is_header(&row)) {
			r->after_header = 1;	/* another file's header */
			continue;
		}
		if (row.n != FP_CANON_NCOLS)
			return fp_diag(d, FP_ECSV, "%zu: %zu fields, expected %d ("
			    FP_CANON_HEADER ")", row.line, row.n,
			    FP_CANON_NCOLS), -1;
		break;
	}
	switch (fp_csv_row_text(&row, FP_CANON_NCOLS, &i)) {
	case FP_CSV_NUL:
		return fp_diag(d, FP_ECSV, "%zu: a NUL byte in the %s field",
		    row.line, header[i]), -1;
	case FP_CSV_NOT_UTF8:
		return fp_diag(d, FP_ECSV, "%zu: the %s field is not UTF-8 text "
		    "(was the file saved in another encoding?)", row.line,
		    header[i]), -1;
	default:
		break;
	}
	f->form = row.f[0];
	f->dept = row.f[1];
	f->year = row.f[2];
	f->record = row.f[3];
	f->table = row.f[4];
	f->row = row.f[5];
	f->field = row.f[6];
	f->value = row.f[7];
	f->source = row.f[8];
	f->file = row.f[9];
	f->line = row.line;
	f->first = r->after_header;
	r->after_header = 0;
	return 1;
}
