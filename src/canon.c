/*
 * Reading the canonical CSV: a checked header, then facts with the line
 * each sits on.
 */
#include "canon.h"

#include <stdlib.h>
#include <string.h>

#include "mapping.h"

static const char *const header[] = {
	"dept", "year", "table", "row", "field", "value", "source",
};

struct fp_canon_reader {
	struct fp_csv_reader *csv;
};

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

	if (row->n != 7)
		return 0;
	for (i = 0; i < 7; i++)
		if (strcmp(row->f[i], header[i]))
			return 0;
	return 1;
}

int
fp_canon_header(struct fp_canon_reader *r, struct fp_diag *d)
{
	struct fp_csv_row row;
	int rc = fp_csv_next(r->csv, &row, d);

	if (rc <= 0)
		return rc;
	if (!is_header(&row))
		return fp_diag(d, FP_ECSV, "%zu: not canonical facts (the first "
		    "line must be '" FP_CANON_HEADER "')", row.line), -1;
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
	int rc;

	for (;;) {
		rc = fp_csv_next(r->csv, &row, d);
		if (rc <= 0)
			return rc;
		if (is_header(&row))
			continue;	/* another file's header */
		if (row.n != 7)
			return fp_diag(d, FP_ECSV, "%zu: %zu fields, expected 7 ("
			    FP_CANON_HEADER ")", row.line, row.n), -1;
		break;
	}
	f->dept = row.f[0];
	f->year = row.f[1];
	f->table = row.f[2];
	f->row = row.f[3];
	f->field = row.f[4];
	f->value = row.f[5];
	f->source = row.f[6];
	f->line = row.line;
	return 1;
}
