/*
 * Unit tests for expr.c: references, the parser's precedence and its
 * errors, and the rendering of an expression in words.
 */
#include "testutil.h"

#include "expr.h"

static void
test_ref_parse_forms(void **state)
{
	struct fp_ref r;

	(void)state;
	assert_true(fp_ref_parse("income.total", 12, &r));
	assert_string_equal(r.table, "income");
	assert_null(r.row);
	assert_string_equal(r.field, "total");
	fp_ref_release(&r);
	assert_true(fp_ref_parse("income[局机关].total", strlen(
	    "income[局机关].total"), &r));
	assert_string_equal(r.row, "局机关");
	fp_ref_release(&r);
	assert_true(fp_ref_parse("t[a.b].c", 8, &r));
	assert_string_equal(r.row, "a.b");
	assert_string_equal(r.field, "c");
	fp_ref_release(&r);
	assert_false(fp_ref_parse("income", 6, &r));
	assert_false(fp_ref_parse(".total", 6, &r));
	assert_false(fp_ref_parse("t[].x", 5, &r));
	assert_false(fp_ref_parse("a.b.c", 5, &r));
}

/* Renders with each reference as TABLE[ROW].FIELD, to see the tree. */
static void
plain(void *ctx, const struct fp_ref *r, int inside, struct fp_buf *b)
{
	(void)ctx;
	fp_buf_printf(b, "%s%s%s%s.%s", inside ? "@" : "", r->table,
	    r->row ? "|" : "", r->row ? r->row : "", r->field);
}

static void
expect_render(const char *src, const char *want, size_t want_used)
{
	char err[200];
	size_t used = 0;
	struct fp_expr *e = fp_expr_parse(src, strlen(src), &used, err,
	    sizeof err);
	struct fp_buf b = FP_BUF_INIT;

	if (!e)
		fail_msg("%s: %s", src, err);
	fp_expr_render(e, plain, NULL, &b);
	assert_string_equal(b.s, want);
	assert_int_equal(used, want_used);
	fp_buf_release(&b);
	fp_expr_free(e);
}

static void
test_parse_precedence_and_render(void **state)
{
	(void)state;
	expect_render("a.x / b.y * 100", "a.x ÷ b.y × 100", 15);
	expect_render("a.x-(b.y-c.z)", "a.x - (b.y - c.z)", 13);
	expect_render("(a.x-b.y)-c.z", "a.x - b.y - c.z", 13);
	expect_render("a.x + b.y * c.z", "a.x + b.y × c.z", 15);
	expect_render("(a.x + b.y) * c.z", "(a.x + b.y) × c.z", 17);
	expect_render("-a.x + 2", "-a.x + 2", 8);
	expect_render("f[total].s + sum(i.s) = t.s",
	    "f|total.s + sum(@i.s)", 22);
	expect_render("round(a.x, 2) <= 3", "round(a.x, 2)", 14);
	expect_render("t.x within 0.1", "t.x", 4);
}

static void
expect_error(const char *src, const char *want)
{
	char err[200];
	size_t used;

	assert_null(fp_expr_parse(src, strlen(src), &used, err, sizeof err));
	assert_string_equal(err, want);
}

static void
test_parse_errors(void **state)
{
	(void)state;
	expect_error("(a.x + 1", "a '(' is not closed");
	expect_error("a.x +", "an expression ends too soon");
	expect_error("avg(a.x)",
	    "unknown function 'avg' (expected sum, count, min, max, abs, "
	    "round, year, month, day or date)");
	expect_error("abs(a.x, b.y)", "abs() takes one value");
	expect_error("year(a.x, 1)", "year() takes one date");
	expect_error("date(2024, 1)", "date() takes a year, a month and a day");
	expect_error("count(1)", "count() takes one reference");
	expect_error("total", "'total' is not a reference (TABLE.FIELD or "
	    "TABLE[ROW].FIELD)");
	expect_error("0x10", "'0x10' is not a number");
}

static void
test_cmp_parse_and_negate(void **state)
{
	enum fp_cmp c;

	(void)state;
	assert_int_equal(fp_cmp_parse("<= 3", 4, &c), 2);
	assert_int_equal(c, FP_CMP_LE);
	assert_int_equal(fp_cmp_parse("≥", strlen("≥"), &c), 3);
	assert_int_equal(c, FP_CMP_GE);
	assert_int_equal(fp_cmp_parse("== 1", 4, &c), 2);
	assert_int_equal(c, FP_CMP_EQ);
	assert_int_equal(fp_cmp_parse("+", 1, &c), 0);
	assert_string_equal(fp_cmp_symbol(fp_cmp_negate(FP_CMP_LE)), ">");
	assert_string_equal(fp_cmp_symbol(fp_cmp_negate(FP_CMP_EQ)), "≠");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ref_parse_forms),
		cmocka_unit_test(test_parse_precedence_and_render),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_cmp_parse_and_negate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
