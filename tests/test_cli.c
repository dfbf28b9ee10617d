/* Unit tests for cli.c: what commands share (the spreadsheet guard). */
#include "testutil.h"

#include "cli.h"

static void
expect_safe(const char *line, const char *want)
{
	struct fp_buf b = FP_BUF_INIT;

	fp_cli_csv_excel_safe(&b, line, strlen(line));
	assert_string_equal(b.s, want);
	fp_buf_release(&b);
}

static void
test_cli_csv_excel_safe_guards_formulas(void **state)
{
	(void)state;
	expect_safe("error,=1+2,ok\n", "error,'=1+2,ok\n");
	expect_safe("+1,-5,@SUM(A1),x\n", "'+1,'-5,'@SUM(A1),x\n");
	expect_safe("\"=HYPERLINK(\"\"http://x\"\")\",b\n",
	    "\"'=HYPERLINK(\"\"http://x\"\")\",b\n");
}

static void
test_cli_csv_excel_safe_keeps_the_rest(void **state)
{
	(void)state;
	expect_safe("a,,c\n", "a,,c\n");
	expect_safe("a,b,\n", "a,b,\n");
	expect_safe("\"two\nlines\",\"a,b\",中文\n",
	    "\"two\nlines\",\"a,b\",中文\n");
	expect_safe("\"\ttab\",x=1\n", "'\ttab,x=1\n");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cli_csv_excel_safe_guards_formulas),
		cmocka_unit_test(test_cli_csv_excel_safe_keeps_the_rest),
	};

	return cmocka_run_group_tests_name("cli", tests, NULL, NULL);
}
