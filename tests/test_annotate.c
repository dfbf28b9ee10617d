/* Unit tests for annotate.c: the findings report, sources, matching. */
#include "testutil.h"

#include <unistd.h>

#include "annotate.h"

static void
expect_source(const char *src, int ok, const char *sheet, uint32_t row,
    uint32_t col)
{
	char s[64];
	uint32_t r = 99, c = 99;

	assert_int_equal(fp_annotate_source(src, s, sizeof s, &r, &c), ok);
	if (!ok)
		return;
	assert_string_equal(s, sheet);
	assert_int_equal(r, row);
	assert_int_equal(c, col);
}

static void
test_annotate_source_cells(void **state)
{
	(void)state;
	expect_source("自评表!B14", 1, "自评表", 13, 1);
	expect_source("'My sheet'!$C$3", 1, "My sheet", 2, 2);
	expect_source("'it''s'!AA10", 1, "it's", 9, 26);
	expect_source("Sheet1!b2", 1, "Sheet1", 1, 1);
	expect_source("", 0, NULL, 0, 0);
	expect_source("B14", 0, NULL, 0, 0);
	expect_source("自评表!", 0, NULL, 0, 0);
	expect_source("自评表!B", 0, NULL, 0, 0);
	expect_source("自评表!B0", 0, NULL, 0, 0);
	expect_source("自评表!B14:C15", 0, NULL, 0, 0);
}

/* Writes text to a temporary file and returns its name (static). */
static const char *
temp_file(const char *text)
{
	static char path[64];
	FILE *f;

	snprintf(path, sizeof path, "%s/test_annotate.%d.csv",
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (int)getpid());
	f = fopen(path, "wb");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static void
test_findings_read_new_header(void **state)
{
	struct fp_findings f;
	struct fp_diag d;
	const char *p = temp_file("\xEF\xBB\xBFseverity,form,dept,year,record,"
	    "table,row,field,rule,message,source,file\n"
	    "error,perf-self-eval,局,2021,,income,total,total,sum,"
	    "\"a, b\",自评表!B14,forms/a.xls\n");

	(void)state;
	assert_int_equal(fp_findings_read(p, &f, &d), FP_OK);
	assert_int_equal(f.n, 1);
	assert_true(f.has_file);
	assert_string_equal(f.v[0].severity, "error");
	assert_string_equal(f.v[0].message, "a, b");
	assert_string_equal(f.v[0].source, "自评表!B14");
	assert_true(fp_findings_match(&f, 0, "forms/a.xls"));
	assert_true(fp_findings_match(&f, 0, "other/dir/a.xls"));
	assert_false(fp_findings_match(&f, 0, "forms/b.xls"));
	fp_findings_release(&f);
	unlink(p);
}

static void
test_findings_read_old_header(void **state)
{
	struct fp_findings f;
	struct fp_diag d;
	const char *p = temp_file("severity,dept,year,table,row,field,rule,"
	    "message,source\nwarning,局,2021,info,,phone,pattern,m,\n");

	(void)state;
	assert_int_equal(fp_findings_read(p, &f, &d), FP_OK);
	assert_int_equal(f.n, 1);
	assert_false(f.has_file);
	assert_string_equal(f.v[0].file, "");
	assert_string_equal(f.v[0].source, "");
	assert_true(fp_findings_match(&f, 0, "any.xls"));
	fp_findings_release(&f);
	unlink(p);
}

static void
test_findings_read_refuses_other_csv(void **state)
{
	struct fp_findings f;
	struct fp_diag d;
	const char *p = temp_file("form,dept,year,record,table,row,field,value,"
	    "source,file\n");

	(void)state;
	assert_int_equal(fp_findings_read(p, &f, &d), FP_ECSV);
	assert_non_null(strstr(d.msg, "not a findings report"));
	unlink(p);
	p = temp_file("severity,message,source\n\"open,x\n");
	assert_int_equal(fp_findings_read(p, &f, &d), FP_ECSV);
	unlink(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_annotate_source_cells),
		cmocka_unit_test(test_findings_read_new_header),
		cmocka_unit_test(test_findings_read_old_header),
		cmocka_unit_test(test_findings_read_refuses_other_csv),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
