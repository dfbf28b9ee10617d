/*
 * A libFuzzer target for the formula decompiler: the input's first byte
 * picks the BIFF version and how many of the bytes after it are tokens;
 * the rest is the record's extra data (array constants). Every 3-D
 * reference and name resolves, so the decoder goes as deep as it can.
 * It prints nothing; the sanitizers report what goes wrong.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "formula.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
sheets(void *ctx, int ixti, int tab1, int tab2, struct fp_buf *out)
{
	(void)ctx;
	(void)tab2;
	if (ixti % 3 == 1)
		return 0;
	if (ixti % 3 == 2)
		return -1;
	fp_formula_sheet(out, tab1 & 1 ? "Sheet 1" : "Sheet1");
	return 1;
}

static int
names(void *ctx, int ext, int ixti, unsigned idx, struct fp_buf *out)
{
	(void)ctx;
	(void)ixti;
	if (idx & 1)
		return 0;
	fp_buf_adds(out, ext ? "_xlfn.IFERROR" : "Rate");
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int versions[] = { 2, 3, 4, 5, 8, 8, 8, 8 };
	struct fp_fmla_env env = { 8, 5, 3, NULL, sheets, names, NULL };
	struct fp_buf b = FP_BUF_INIT;
	struct fp_diag d;
	uint32_t r, c;
	size_t n;

	if (size < 1)
		return 0;
	env.biff = versions[data[0] & 7];
	n = size - 1;
	if (data[0] >> 3)
		n = n * (data[0] >> 3) / 32;
	fp_formula_text(&env, data + 1, n, data + 1 + n, size - 1 - n, &b, &d);
	fp_formula_ref(env.biff, data + 1, n, &r, &c);
	fp_buf_release(&b);
	return 0;
}
