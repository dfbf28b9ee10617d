/*
 * A libFuzzer target for the canonical facts as `formpipe check` reads
 * them: the input is a facts CSV, read and checked against the mapping
 * its form column names: the two shipped ones, or tests/fuzz/rules.map
 * (form fuzz-rules: every kind of rule, dates in expressions), loaded
 * once (so the target runs from the top of the source tree); a form of
 * another name takes perf-self-eval. Every rule is evaluated on what
 * came.
 * It prints nothing; the sanitizers report what goes wrong.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canon.h"
#include "mapping.h"
#include "rules.h"

#include "shipped_maps.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_maps_load("fuzz_facts");
	return 0;
}

static const struct fp_mapping *
resolve(void *ctx, const char *form, struct fp_diag *d)
{
	size_t i;

	(void)ctx;
	(void)d;
	for (i = 0; i < NMAPS; i++)
		if (!strcmp(mappings[i]->name, form))
			return mappings[i];
	return mappings[0];
}

static void
finding(void *ctx, const struct fp_finding *f)
{
	struct fp_buf b = FP_BUF_INIT;

	(void)ctx;
	fp_finding_csv(&b, f);
	fp_finding_line(&b, f);
	fp_buf_release(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fp_canon_reader *r;
	struct fp_canon_fact f;
	struct fp_checker *c;
	struct fp_diag d;
	FILE *in;

	if (size == 0)
		return 0;
	in = fmemopen((void *)(uintptr_t)data, size, "r");
	if (!in)
		return 0;
	r = fp_canon_reader_new(in, "fuzz.csv", 0);
	c = fp_checker_new(resolve, NULL, finding, NULL);
	if (fp_canon_header(r, &d) == 1)
		while (fp_canon_next(r, &f, &d) == 1 &&
		    fp_checker_add(c, &f, &d) == FP_OK)
			;
	fp_checker_finish(c);
	fp_checker_free(c);
	fp_canon_reader_free(r);
	fclose(in);
	return 0;
}
