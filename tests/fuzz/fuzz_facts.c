/*
 * A libFuzzer target for the canonical facts as `formpipe check` reads
 * them: the input is a facts CSV, read and checked against the shipped
 * perf-self-eval mapping (loaded once from mappings/, so the target runs
 * from the top of the source tree), every rule evaluated on what came.
 * It prints nothing; the sanitizers report what goes wrong.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "canon.h"
#include "mapping.h"
#include "rules.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct fp_mapping *mapping;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct fp_diag d;

	(void)argc;
	(void)argv;
	if (fp_mapping_load("mappings/perf-self-eval.map", &mapping, &d)) {
		fprintf(stderr, "fuzz_facts: %s\n", d.msg);
		exit(2);
	}
	return 0;
}

static const struct fp_mapping *
resolve(void *ctx, const char *form, struct fp_diag *d)
{
	(void)ctx;
	(void)form;
	(void)d;
	return mapping;
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
