/*
 * A libFuzzer target for applying mappings to forms, as `formpipe map`
 * does: the input is a form as CSV, one line a row and one field a cell
 * (a number where the whole text is one, else text); a line whose first
 * field starts with "=== " begins a sheet of that name ("=== NAME hidden"
 * a hidden one), a line "!merge,R1,C1,R2,C2" merges a range of the
 * sheet, "!hide,R1,R2" hides its rows R1 to R2 and "!hidecol,C1,C2" its
 * columns C1 to C2 (rows and columns from 0). The form is
 * mapped by the mappings shipped_maps.h names, loaded
 * once (so the target runs from the top of the source tree), with
 * --explain's notes: labels, tables, units, sheets and records on any
 * grid. It prints nothing; the sanitizers report what goes wrong.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvio.h"
#include "form.h"
#include "mapping.h"
#include "mapping_apply.h"

#include "shipped_maps.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_maps_load("fuzz_form");
	return 0;
}

/* What the grid says of a sheet besides its cells. */
struct extra {
	char name[64];
	int hidden;
	struct fp_range *merges;
	size_t nmerges;
	struct fp_rowspan *hid, *hidcols;
	size_t nhid, nhidcols;
};

/* Reads "!merge,R1,C1,R2,C2" into a range of ex; 0 if it is not one. */
static int
add_merge(struct extra *ex, const struct fp_csv_row *row)
{
	long v[4];
	size_t i;
	char *end;

	if (row->n != 5 || strcmp(row->f[0], "!merge") || ex->nmerges >= 64)
		return 0;
	for (i = 0; i < 4; i++) {
		v[i] = strtol(row->f[i + 1], &end, 10);
		if (*end || v[i] < 0 || v[i] > (i % 2 ? 16383 : 6000))
			return 0;
	}
	/* Taken as the readers take them: no reversed or one-cell range. */
	if (v[2] < v[0] || v[3] < v[1] || (v[0] == v[2] && v[1] == v[3]))
		return 1;
	ex->merges = fp_xreallocarray(ex->merges, ex->nmerges + 1,
	    sizeof *ex->merges);
	ex->merges[ex->nmerges].r1 = (uint32_t)v[0];
	ex->merges[ex->nmerges].c1 = (uint16_t)v[1];
	ex->merges[ex->nmerges].r2 = (uint32_t)v[2];
	ex->merges[ex->nmerges].c2 = (uint16_t)v[3];
	ex->nmerges++;
	return 1;
}

/*
 * Reads "!hide,R1,R2" into rows of ex hidden, "!hidecol,C1,C2" into its
 * columns hidden; 0 if it is neither.
 */
static int
add_hide(struct extra *ex, const struct fp_csv_row *row)
{
	int cols = row->n == 3 && !strcmp(row->f[0], "!hidecol");
	struct fp_rowspan **v = cols ? &ex->hidcols : &ex->hid;
	size_t *n = cols ? &ex->nhidcols : &ex->nhid, i;
	long x[2];
	char *end;

	if (row->n != 3 || (!cols && strcmp(row->f[0], "!hide")) || *n >= 64)
		return 0;
	for (i = 0; i < 2; i++) {
		x[i] = strtol(row->f[i + 1], &end, 10);
		if (*end || x[i] < 0 || x[i] > (cols ? 16383 : 1048575))
			return 0;
	}
	*v = fp_xreallocarray(*v, *n + 1, sizeof **v);
	(*v)[*n].r1 = (uint32_t)x[0];
	(*v)[*n].r2 = (uint32_t)x[1];
	++*n;
	return 1;
}

/* The grid in data as a sealed form; NULL if its CSV is broken. */
static struct fp_form *
form_of(FILE *in)
{
	struct fp_csv_reader *r = fp_csv_reader_new(in, "fuzz.csv");
	struct fp_form *form = fp_form_new();
	struct extra ex[8];
	struct fp_csv_row row;
	struct fp_diag d;
	size_t i, k, nex = 1, cur = 0, len;
	uint32_t rr = 0;
	double x;
	int rc;

	memset(ex, 0, sizeof ex);
	snprintf(ex[0].name, sizeof ex[0].name, "Sheet1");
	while ((rc = fp_csv_next(r, &row, &d)) == 1 && rr < 5000) {
		if (row.n && !strncmp(row.f[0], "=== ", 4) && nex < 8) {
			cur = nex++;
			snprintf(ex[cur].name, sizeof ex[cur].name, "%s",
			    row.f[0] + 4);
			len = strlen(ex[cur].name);
			if (len > 7 && !strcmp(ex[cur].name + len - 7, " hidden")) {
				ex[cur].name[len - 7] = '\0';
				ex[cur].hidden = 1;
			}
			rr = 0;
			continue;
		}
		if (add_merge(&ex[cur], &row) || add_hide(&ex[cur], &row))
			continue;
		for (i = 0; i < row.n && i < 200; i++)
			if (row.len[i])
				fp_form_add(form, ex[cur].name, rr, (uint32_t)i,
				    fp_parse_number(row.f[i], row.len[i], &x) ?
				    FP_CELL_NUMBER : FP_CELL_TEXT, row.f[i],
				    row.len[i]);
		rr++;
	}
	fp_csv_reader_free(r);
	if (rc < 0) {
		fp_form_free(form);
		form = NULL;
	}
	/* Hidden flags, rows and merges go to the sheets of those names. */
	for (k = 0; k < nex; k++) {
		for (i = 0; form && i < form->nsheets; i++) {
			struct fp_fsheet *s = &form->sheets[i];

			if (strcmp(s->name, ex[k].name))
				continue;
			s->hidden = ex[k].hidden;
			if (ex[k].nmerges) {
				free(s->merges);
				s->merges = ex[k].merges;
				s->nmerges = ex[k].nmerges;
				ex[k].merges = NULL;
			}
			free(s->hidden_rows);	/* a sheet named twice */
			s->hidden_rows = ex[k].hid;
			s->nhidden_rows = ex[k].nhid;
			ex[k].hid = NULL;
			free(s->hidden_cols);
			s->hidden_cols = ex[k].hidcols;
			s->nhidden_cols = ex[k].nhidcols;
			ex[k].hidcols = NULL;
			break;
		}
		free(ex[k].merges);
		free(ex[k].hid);
		free(ex[k].hidcols);
	}
	if (form)
		fp_form_seal(form);
	return form;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct fp_apply_opts opts = { NULL, NULL, 1 };
	struct fp_form *form;
	struct fp_mapped out;
	struct fp_diag d;
	FILE *in;
	size_t i;

	if (size == 0)
		return 0;
	in = fmemopen((void *)(uintptr_t)data, size, "r");
	if (!in)
		return 0;
	form = form_of(in);
	fclose(in);
	if (!form)
		return 0;
	for (i = 0; i < NMAPS; i++) {
		d.msg[0] = '\0';
		if (fp_mapping_apply(mappings[i], form, &opts, &out, &d) !=
		    FP_OK && d.msg[0] == '\0')
			abort();	/* refused without a word */
		fp_mapped_release(&out);
	}
	fp_form_free(form);
	return 0;
}
