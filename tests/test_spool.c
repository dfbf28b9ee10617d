/*
 * Unit tests for spool.c: records written, sorted by key (the order they
 * came within a key) and read back whole, findings and all.
 */
#include "testutil.h"

#include "spool.h"

static void
put(struct fp_spool *s, const char *key, const char *dept, const char *value,
    const char *finding)
{
	struct fp_who who = { "f", dept, "2021", "", "a.xls" };
	struct fp_rec_fact fact = { "t", "", "x", value, "S!B2" };
	struct fp_diag d;

	if (finding) {
		struct fp_finding f;

		memset(&f, 0, sizeof f);
		f.severity = FP_SEV_WARNING;
		f.table = "t";
		f.row = "";
		f.field = "x";
		f.rule = "expr";
		f.message = finding;
		f.source = "S!B2";
		fp_spool_finding(s, &f);
	}
	assert_int_equal(fp_spool_put(s, key, &who, &fact, 1, 0, finding != NULL,
	    &d), FP_OK);
}

static void
test_spool_sorts_and_reads_back(void **state)
{
	struct fp_diag d;
	struct fp_spool *s = fp_spool_new(&d);
	struct fp_spool_record r;

	(void)state;
	assert_non_null(s);
	put(s, "b", "乙", "2", NULL);
	put(s, "a", "甲", "1", "太大");
	put(s, "b", "丙", "3", NULL);
	fp_spool_sort(s);
	assert_int_equal(fp_spool_count(s), 3);
	assert_string_equal(fp_spool_key(s, 0), "a");
	assert_int_equal(fp_spool_get(s, 0, &r, &d), FP_OK);
	assert_string_equal(r.who.dept, "甲");
	assert_string_equal(r.who.file, "a.xls");
	assert_int_equal(r.nfacts, 1);
	assert_string_equal(r.facts[0].value, "1");
	assert_int_equal(r.nfindings, 1);
	assert_string_equal(r.findings[0].message, "太大");
	assert_int_equal(r.findings[0].severity, FP_SEV_WARNING);
	assert_int_equal(r.warnings, 1);
	/* Within a key, the order they came. */
	assert_int_equal(fp_spool_get(s, 1, &r, &d), FP_OK);
	assert_string_equal(r.who.dept, "乙");
	assert_int_equal(r.nfindings, 0);
	assert_int_equal(fp_spool_get(s, 2, &r, &d), FP_OK);
	assert_string_equal(r.who.dept, "丙");
	fp_spool_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spool_sorts_and_reads_back),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
