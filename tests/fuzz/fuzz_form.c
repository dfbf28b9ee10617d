/*
 * A libFuzzer target for applying mappings to forms, as `formpipe map`
 * does: the input is a form as CSV, one line a row and one field a cell
 * (a number where the whole text is one, else text); a line whose first
 * field starts with "=== " begins a sheet of that name. The form is
 * mapped by the two shipped mappings and tests/fuzz/rules.map, loaded
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

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const paths[] = {
	"mappings/perf-self-eval.map", "mappings/project-self-eval.map",
	"tests/fuzz/rules.map",
};
#define NMAPS (sizeof paths / sizeof paths[0])
static struct fp_mapping *mappings[NMAPS];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct fp_diag d;
	size_t i;

	(void)argc;
	(void)argv;
	for (i = 0; i < NMAPS; i++)
		if (fp_mapping_load(paths[i], &mappings[i], &d)) {
			fprintf(stderr, "fuzz_form: %s\n", d.msg);
			exit(2);
		}
	return 0;
}

/* The grid in data as a sealed form; NULL if its CSV is broken. */
static struct fp_form *
form_of(FILE *in)
{
	struct fp_csv_reader *r = fp_csv_reader_new(in, "fuzz.csv");
	struct fp_form *form = fp_form_new();
	struct fp_csv_row row;
	struct fp_diag d;
	char sheet[64] = "Sheet1";
	uint32_t rr = 0;
	size_t i;
	double x;
	int rc;

	while ((rc = fp_csv_next(r, &row, &d)) == 1 && rr < 5000) {
		if (row.n && !strncmp(row.f[0], "=== ", 4)) {
			snprintf(sheet, sizeof sheet, "%s", row.f[0] + 4);
			rr = 0;
			continue;
		}
		for (i = 0; i < row.n && i < 200; i++)
			if (row.len[i])
				fp_form_add(form, sheet, rr, (uint32_t)i,
				    fp_parse_number(row.f[i], row.len[i], &x) ?
				    FP_CELL_NUMBER : FP_CELL_TEXT, row.f[i],
				    row.len[i]);
		rr++;
	}
	fp_csv_reader_free(r);
	if (rc < 0) {
		fp_form_free(form);
		return NULL;
	}
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
