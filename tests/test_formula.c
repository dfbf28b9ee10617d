/* Unit tests for formula.c: token bytes in, A1 formula text out. */
#include "testutil.h"

#include "formula.h"

/* Sheets 0..2 of a test workbook; ixti k is sheet k, 9 is deleted. */
static int
sheets(void *ctx, int ixti, int tab1, int tab2, struct fp_buf *out)
{
	static const char *const names[] = { "Sheet1", "My Data", "收入" };

	(void)ctx;
	if (ixti == 9)
		return 0;
	if (ixti == 7)
		return -1;
	if (tab1 >= 0) {
		fp_formula_sheet(out, names[tab1]);
		if (tab2 != tab1) {
			fp_buf_addc(out, ':');
			fp_formula_sheet(out, names[tab2]);
		}
		return 1;
	}
	if (ixti < 0 || ixti > 2)
		return -1;
	fp_formula_sheet(out, names[ixti]);
	return 1;
}

static int
names(void *ctx, int ext, int ixti, unsigned idx, struct fp_buf *out)
{
	(void)ctx;
	(void)ixti;
	if (ext && idx == 1) {
		fp_buf_adds(out, "_xlfn.IFERROR");
		return 1;
	}
	if (!ext && idx == 2) {
		fp_buf_adds(out, "Rate");
		return 1;
	}
	return 0;
}

static char *
text_of(int biff, uint32_t row, uint32_t col, const unsigned char *p,
    size_t n, const unsigned char *x, size_t nx)
{
	struct fp_fmla_env env = { biff, row, col, NULL, sheets, names, NULL };
	struct fp_buf b = FP_BUF_INIT;
	struct fp_diag d;

	if (fp_formula_text(&env, p, n, x, nx, &b, &d) != FP_OK) {
		fp_buf_release(&b);
		return NULL;
	}
	if (!b.s)
		fp_buf_addc(&b, '\0');
	return fp_buf_detach(&b);
}

static void
expect8(const unsigned char *p, size_t n, const char *want)
{
	char *s = text_of(8, 0, 0, p, n, NULL, 0);

	assert_non_null(s);
	assert_string_equal(s, want);
	free(s);
}

static void
test_formula_text_sum_of_area(void **state)
{
	/* SUM(C14:G14): tAreaR, tFuncVarV with one argument, function 4. */
	static const unsigned char t[] = {
		0x25, 13, 0, 13, 0, 2, 0xC0, 6, 0xC0, 0x42, 1, 4, 0,
	};

	(void)state;
	expect8(t, sizeof t, "SUM(C14:G14)");
}

static void
test_formula_text_absolute_refs(void **state)
{
	/* $B$3+C$4-$D5 */
	static const unsigned char t[] = {
		0x44, 2, 0, 1, 0x00, 0x44, 3, 0, 2, 0x40, 0x03,
		0x44, 4, 0, 3, 0x80, 0x04,
	};

	(void)state;
	expect8(t, sizeof t, "$B$3+C$4-$D5");
}

static void
test_formula_text_whole_columns_and_rows(void **state)
{
	/* SUM(H:H) over rows 1 to 65536; SUM($2:$3) over columns A to IV. */
	static const unsigned char cols[] = {
		0x25, 0, 0, 0xFF, 0xFF, 7, 0xC0, 7, 0xC0, 0x42, 1, 4, 0,
	};
	static const unsigned char rows[] = {
		0x25, 1, 0, 2, 0, 0, 0x40, 0xFF, 0x40, 0x42, 1, 4, 0,
	};

	(void)state;
	expect8(cols, sizeof cols, "SUM(H:H)");
	expect8(rows, sizeof rows, "SUM($2:$3)");
}

static void
test_formula_text_precedence(void **state)
{
	/* (A1+B1)*2 with its tParen; A1-(B1-C1) and (A1+B1)*C1 without. */
	static const unsigned char paren[] = {
		0x44, 0, 0, 0, 0xC0, 0x44, 0, 0, 1, 0xC0, 0x03, 0x15,
		0x1E, 2, 0, 0x05,
	};
	static const unsigned char right[] = {
		0x44, 0, 0, 0, 0xC0, 0x44, 0, 0, 1, 0xC0, 0x44, 0, 0, 2, 0xC0,
		0x04, 0x04,
	};
	static const unsigned char left[] = {
		0x44, 0, 0, 0, 0xC0, 0x44, 0, 0, 1, 0xC0, 0x03,
		0x44, 0, 0, 2, 0xC0, 0x05,
	};
	/* -A1^2, 50%, A1&"x", A1<>1 */
	static const unsigned char unary[] = {
		0x44, 0, 0, 0, 0xC0, 0x13, 0x1E, 2, 0, 0x07,
	};
	static const unsigned char pct[] = { 0x1E, 50, 0, 0x14 };
	static const unsigned char cmp[] = {
		0x44, 0, 0, 0, 0xC0, 0x17, 1, 0, 'x', 0x08, 0x1E, 1, 0, 0x0E,
	};

	(void)state;
	expect8(paren, sizeof paren, "(A1+B1)*2");
	expect8(right, sizeof right, "A1-(B1-C1)");
	expect8(left, sizeof left, "(A1+B1)*C1");
	expect8(unary, sizeof unary, "-A1^2");
	expect8(pct, sizeof pct, "50%");
	expect8(cmp, sizeof cmp, "A1&\"x\"<>1");
}

static void
test_formula_text_strings_and_constants(void **state)
{
	/* "say ""hi""", a wide string, TRUE, #N/A, 1.5, a missing argument. */
	static const unsigned char quote[] = {
		0x17, 8, 0, 's', 'a', 'y', ' ', '"', 'h', 'i', '"',
	};
	static const unsigned char wide[] = { 0x17, 2, 1, 0x36, 0x65, 0x65, 0x51 };
	static const unsigned char consts[] = {
		0x1D, 1, 0x1C, 0x2A, 0x1F, 0, 0, 0, 0, 0, 0, 0xF8, 0x3F,
		0x16, 0x42, 4, 1, 0,
	};

	(void)state;
	expect8(quote, sizeof quote, "\"say \"\"hi\"\"\"");
	expect8(wide, sizeof wide, "\"收入\"");
	expect8(consts, sizeof consts, "IF(TRUE,#N/A,1.5,)");
}

static void
test_formula_text_attr(void **state)
{
	/*
	 * IF(A1>0,"y","n") with tAttrIf and tAttrSkip, a space, and
	 * tAttrSum over B1:B9.
	 */
	static const unsigned char iff[] = {
		0x44, 0, 0, 0, 0xC0, 0x1E, 0, 0, 0x0D,
		0x19, 0x02, 8, 0,
		0x17, 1, 0, 'y', 0x19, 0x08, 7, 0,
		0x19, 0x40, 0, 1,
		0x17, 1, 0, 'n', 0x19, 0x08, 3, 0, 0x42, 3, 1, 0,
	};
	static const unsigned char sum[] = {
		0x25, 0, 0, 8, 0, 1, 0xC0, 1, 0xC0, 0x19, 0x10, 0, 0,
	};
	/* CHOOSE(2,"a","b") with its jump table of three. */
	static const unsigned char choose[] = {
		0x1E, 2, 0, 0x19, 0x04, 2, 0, 8, 0, 16, 0, 24, 0,
		0x17, 1, 0, 'a', 0x19, 0x08, 9, 0,
		0x17, 1, 0, 'b', 0x19, 0x08, 3, 0, 0x42, 3, 100, 0,
	};

	(void)state;
	expect8(iff, sizeof iff, "IF(A1>0,\"y\",\"n\")");
	expect8(sum, sizeof sum, "SUM(B1:B9)");
	expect8(choose, sizeof choose, "CHOOSE(2,\"a\",\"b\")");
}

static void
test_formula_text_fixed_functions(void **state)
{
	/* ROUND(A1,2) by tFunc 27; NOW() by tFunc 74. */
	static const unsigned char round[] = {
		0x44, 0, 0, 0, 0xC0, 0x1E, 2, 0, 0x41, 27, 0,
	};
	static const unsigned char now[] = { 0x41, 74, 0 };

	/* A number as Excel shows it in a formula: 15 digits, 1E+20. */
	static const unsigned char nums[] = {
		0x1F, 0x94, 0x18, 0x04, 0x56, 0x0E, 0x2D, 0xD2, 0x3F,
		0x1F, 0, 0, 0, 0, 0, 0, 0, 0, 0x03,
	};
	static const unsigned char big[] = {
		0x1F, 0x40, 0x8C, 0xB5, 0x78, 0x1D, 0xAF, 0x15, 0x44,
	};

	static const unsigned char small[] = {
		0x1F, 0x14, 0xF5, 0x9B, 0xEC, 0x13, 0xFE, 0xE4, 0x3E,
	};

	(void)state;
	expect8(small, sizeof small, "0.00001001");
	expect8(nums, sizeof nums, "0.284+0");
	expect8(big, sizeof big, "1E+20");
	expect8(round, sizeof round, "ROUND(A1,2)");
	expect8(now, sizeof now, "NOW()");
}

static void
test_formula_text_shared_relative(void **state)
{
	/*
	 * A shared formula's tRefN and tAreaN, read for cell E6 (row 5,
	 * column 4): one row up and two columns left; an absolute row $1
	 * kept, one row down and one column left.
	 */
	static const unsigned char t[] = {
		0x4C, 0xFF, 0xFF, 0xFE, 0xC0,
		0x2D, 0, 0, 1, 0, 0xFE, 0x40, 0xFF, 0xC0, 0x03,
	};
	char *s = text_of(8, 5, 4, t, sizeof t, NULL, 0);

	(void)state;
	assert_non_null(s);
	assert_string_equal(s, "C5+C$1:D7");
	free(s);
}

static void
test_formula_text_3d_and_names(void **state)
{
	/* Sheet1!A1+'My Data'!B2:C3+收入!$A$1, #REF! for a deleted sheet. */
	static const unsigned char t[] = {
		0x5A, 0, 0, 0, 0, 0, 0xC0,
		0x3B, 1, 0, 1, 0, 2, 0, 1, 0xC0, 2, 0xC0, 0x03,
		0x5A, 2, 0, 0, 0, 0, 0, 0x03,
		0x5A, 9, 0, 0, 0, 0, 0, 0x03,
	};
	/* _xlfn.IFERROR(A1/Rate,0): tNameX, then tFuncVar 255. */
	static const unsigned char addin[] = {
		0x59, 0, 0, 1, 0, 0, 0,
		0x44, 0, 0, 0, 0xC0, 0x43, 2, 0, 0, 0, 0x06, 0x1E, 0, 0,
		0x42, 3, 0xFF, 0,
	};

	(void)state;
	expect8(t, sizeof t, "Sheet1!A1+'My Data'!B2:C3+收入!$A$1+#REF!");
	expect8(addin, sizeof addin, "_xlfn.IFERROR(A1/Rate,0)");
}

static void
test_formula_text_array_constant(void **state)
{
	/* {1,"ab";TRUE,#DIV/0!} from the extra data. */
	static const unsigned char t[] = { 0x60, 0, 0, 0, 0, 0, 0, 0 };
	static const unsigned char x[] = {
		1, 1, 0,
		0x01, 0, 0, 0, 0, 0, 0, 0xF0, 0x3F,
		0x02, 2, 0, 0, 'a', 'b',
		0x04, 1, 0, 0, 0, 0, 0, 0, 0,
		0x10, 0x07, 0, 0, 0, 0, 0, 0, 0,
	};
	char *s = text_of(8, 0, 0, t, sizeof t, x, sizeof x);

	(void)state;
	assert_non_null(s);
	assert_string_equal(s, "{1,\"ab\";TRUE,#DIV/0!}");
	free(s);
}

static void
test_formula_text_array_constant_nan(void **state)
{
	/* {NaN}: no formula can hold it, so none is written. */
	static const unsigned char t[] = { 0x60, 0, 0, 0, 0, 0, 0, 0 };
	static const unsigned char x[] = {
		0, 0, 0,
		0x01, 0, 0, 0, 0, 0, 0, 0xF8, 0x7F,
	};

	(void)state;
	assert_null(text_of(8, 0, 0, t, sizeof t, x, sizeof x));
}

static void
test_formula_text_biff5(void **state)
{
	/*
	 * BIFF5: tRef with the flags in the row (B2, $C$3), a byte string,
	 * and a 3-D reference to sheets 0 to 2 by their indexes.
	 */
	static const unsigned char t[] = {
		0x44, 1, 0xC0, 1, 0x44, 2, 0x00, 2, 0x03,
		0x17, 2, 'o', 'k', 0x08,
		0x5A, 0xFF, 0xFF, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0,
		0, 0xC0, 0, 0x08,
	};
	char *s = text_of(5, 0, 0, t, sizeof t, NULL, 0);

	(void)state;
	assert_non_null(s);
	assert_string_equal(s, "B2+$C$3&\"ok\"&Sheet1:收入!A1");
	free(s);
}

static void
test_formula_text_biff2_functions(void **state)
{
	/* BIFF2: tFuncVar with a one-byte number, tFunc too: SUM(A1:A2)+PI() */
	static const unsigned char t[] = {
		0x25, 0, 0xC0, 1, 0xC0, 0, 0, 0x42, 1, 4, 0x41, 19, 0x03,
	};
	char *s = text_of(2, 0, 0, t, sizeof t, NULL, 0);

	(void)state;
	assert_non_null(s);
	assert_string_equal(s, "SUM(A1:A2)+PI()");
	free(s);
}

static void
test_formula_text_refuses_what_it_cannot_write(void **state)
{
	/* Cut short, an unknown function, another workbook, two operands. */
	static const unsigned char cut[] = { 0x44, 0, 0 };
	static const unsigned char unknown[] = { 0x41, 0xFF, 0x01 };
	static const unsigned char ext[] = { 0x5A, 7, 0, 0, 0, 0, 0xC0 };
	static const unsigned char two[] = { 0x1E, 1, 0, 0x1E, 2, 0 };
	static const unsigned char op[] = { 0x1E, 1, 0, 0x03 };
	static const unsigned char arr[] = { 0x60, 0, 0, 0, 0, 0, 0, 0 };
	struct fp_fmla_env env = { 8, 0, 0, NULL, sheets, names, NULL };
	struct fp_buf b = FP_BUF_INIT;
	struct fp_diag d;

	(void)state;
	assert_int_equal(fp_formula_text(&env, cut, sizeof cut, NULL, 0, &b, &d),
	    FP_ECORRUPT);
	assert_int_equal(fp_formula_text(&env, unknown, sizeof unknown, NULL, 0,
	    &b, &d), FP_ECORRUPT);
	assert_int_equal(fp_formula_text(&env, ext, sizeof ext, NULL, 0, &b, &d),
	    FP_ECORRUPT);
	assert_string_equal(d.msg, "formula token 0x5A at byte 0: a reference "
	    "to another workbook");
	assert_int_equal(fp_formula_text(&env, two, sizeof two, NULL, 0, &b, &d),
	    FP_ECORRUPT);
	assert_int_equal(fp_formula_text(&env, op, sizeof op, NULL, 0, &b, &d),
	    FP_ECORRUPT);
	assert_int_equal(fp_formula_text(&env, arr, sizeof arr, NULL, 0, &b, &d),
	    FP_ECORRUPT);
	assert_int_equal(b.len, 0);
	fp_buf_release(&b);
}

static void
test_formula_ref_finds_anchor(void **state)
{
	static const unsigned char exp8[] = { 0x01, 4, 0, 2, 0 };
	static const unsigned char exp2[] = { 0x01, 4, 0, 2 };
	static const unsigned char tbl[] = { 0x02, 1, 0, 1, 0 };
	static const unsigned char own[] = { 0x1E, 1, 0 };
	uint32_t r = 0, c = 0;

	(void)state;
	assert_int_equal(fp_formula_ref(8, exp8, sizeof exp8, &r, &c),
	    FP_FMLA_EXP);
	assert_int_equal(r, 4);
	assert_int_equal(c, 2);
	assert_int_equal(fp_formula_ref(2, exp2, sizeof exp2, &r, &c),
	    FP_FMLA_EXP);
	assert_int_equal(fp_formula_ref(8, tbl, sizeof tbl, &r, &c),
	    FP_FMLA_TABLE);
	assert_int_equal(fp_formula_ref(8, own, sizeof own, &r, &c),
	    FP_FMLA_OWN);
}

static void
test_formula_sheet_quotes_when_needed(void **state)
{
	static const char *const cases[][2] = {
		{ "Sheet1", "Sheet1" }, { "My Data", "'My Data'" },
		{ "收入", "收入" }, { "A1", "'A1'" }, { "R1C1", "'R1C1'" },
		{ "it's", "'it''s'" }, { "2021", "'2021'" }, { "", "''" },
		{ "a-b", "'a-b'" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct fp_buf b = FP_BUF_INIT;

		fp_formula_sheet(&b, cases[i][0]);
		assert_string_equal(b.s, cases[i][1]);
		fp_buf_release(&b);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_formula_text_sum_of_area),
		cmocka_unit_test(test_formula_text_absolute_refs),
		cmocka_unit_test(test_formula_text_whole_columns_and_rows),
		cmocka_unit_test(test_formula_text_precedence),
		cmocka_unit_test(test_formula_text_strings_and_constants),
		cmocka_unit_test(test_formula_text_attr),
		cmocka_unit_test(test_formula_text_fixed_functions),
		cmocka_unit_test(test_formula_text_shared_relative),
		cmocka_unit_test(test_formula_text_3d_and_names),
		cmocka_unit_test(test_formula_text_array_constant),
		cmocka_unit_test(test_formula_text_array_constant_nan),
		cmocka_unit_test(test_formula_text_biff5),
		cmocka_unit_test(test_formula_text_biff2_functions),
		cmocka_unit_test(test_formula_text_refuses_what_it_cannot_write),
		cmocka_unit_test(test_formula_ref_finds_anchor),
		cmocka_unit_test(test_formula_sheet_quotes_when_needed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
