/*
 * Unit tests for rules.c: each kind of rule on facts that pass it and on
 * facts that fail it, and the grouping of facts into departments.
 */
#include "testutil.h"

#include "mapping.h"
#include "rules.h"

static const char *const map_text =
    "form t\n"
    "sheet containing X\n"
    "tolerance 0.01\n"
    "table info fields\n"
    "  field dept text\n    label D\n"
    "  field year integer\n    label Y\n"
    "  field quota integer\n    label Q\n"
    "  field actual integer\n    label A\n"
    "  field phone phone\n    label P\n"
    "  field score score\n    label S\n"
    "  field grade grade\n    label G\n"
    "table money keyed\n"
    "  header H\n  key K\n"
    "  column total money\n  column a money\n  column b money\n"
    "  column bal money\n"
    "rule error sum money total = a + b\n"
    "rule error units money\n"
    "rule error min 0 money.* except money.bal\n"
    "rule error required info.dept money[total].total\n"
    "rule error range 0 100 info.score\n"
    "rule error band info.grade by info.score 优秀 90 | 良好 80 | 中 60 | 差\n"
    "rule error unique\n"
    "rule warning compare info.actual <= info.quota\n"
    "rule warning pattern info.phone \"^1[0-9]{10}$\" \"a mobile number\"\n";

struct sink {
	char text[4096];
	size_t n;
};

static void
collect(void *ctx, const struct fp_finding *f)
{
	struct sink *s = ctx;

	s->n += (size_t)snprintf(s->text + s->n, sizeof s->text - s->n,
	    "%s %s %s[%s].%s: %s (%s)\n",
	    f->severity == FP_SEV_ERROR ? "E" : "W", f->rule, f->table, f->row,
	    f->field, f->message, f->source);
}

/* Runs the rules over facts "table,row,field,value" (dept D, year 2021). */
static const char *
run(const char *const *facts)
{
	static struct sink s;
	struct fp_mapping *m = NULL;
	struct fp_checker *c;
	struct fp_diag d;
	size_t i;

	memset(&s, 0, sizeof s);
	if (fp_mapping_parse("t.map", map_text, &m, &d) != FP_OK)
		fail_msg("%s", d.msg);
	c = fp_checker_new(m, collect, &s);
	for (i = 0; facts[i]; i++) {
		char buf[256], *f[4], *p = buf;
		int k;

		snprintf(buf, sizeof buf, "%s", facts[i]);
		for (k = 0; k < 4; k++) {
			f[k] = p;
			p = strchr(p, ',');
			if (p)
				*p++ = '\0';
			else
				p = buf + strlen(buf);
		}
		fp_checker_add(c, "部门", "2021", f[0], f[1], f[2], f[3], "S!A1");
	}
	fp_checker_finish(c);
	fp_checker_free(c);
	fp_mapping_free(m);
	return s.text;
}

/* A department that passes every rule, and changes that break one. */
#define GOOD \
	"info,,dept,部门", "info,,year,2021", "info,,quota,10", \
	"info,,actual,9", "info,,phone,13712345678", "info,,score,95", \
	"info,,grade,优秀", "money,total,total,10.005", "money,total,a,7", \
	"money,total,b,3", "money,局,total,10", "money,局,a,7", "money,局,b,3"

static void
test_all_rules_pass(void **state)
{
	const char *f[] = { GOOD, "money,局,bal,-4", "money,total,bal,-4", NULL };

	(void)state;
	assert_string_equal(run(f), "");
}

static void
test_sum_fails_beyond_tolerance(void **state)
{
	const char *f[] = { GOOD, "money,二,total,1.02", "money,二,a,1", NULL };

	(void)state;
	assert_string_equal(run(f),
	    "E sum money[二].total: 1.02 != sum of parts 1 (S!A1)\n"
	    "E units money[total].total: 10.005 != sum of units 11.02 (S!A1)\n"
	    "E units money[total].a: 7 != sum of units 8 (S!A1)\n");
}

static void
test_min_and_not_a_number(void **state)
{
	const char *f[] = { GOOD, "money,二,a,-1", "money,二,b,待定",
	    "money,二,total,-1", NULL };

	(void)state;
	assert_string_equal(run(f),
	    "E sum money[二].b: '待定' is not a number (S!A1)\n"
	    "E units money[total].total: 10.005 != sum of units 9 (S!A1)\n"
	    "E units money[total].a: 7 != sum of units 6 (S!A1)\n"
	    "E min money[二].a: -1 < 0 (S!A1)\n"
	    "E min money[二].total: -1 < 0 (S!A1)\n");
}

static void
test_required_missing(void **state)
{
	const char *f[] = { "info,,year,2021", "money,局,total,1",
	    "money,局,a,1", NULL };

	(void)state;
	assert_string_equal(run(f),
	    "E required info[].dept: missing ()\n"
	    "E required money[total].total: missing ()\n");
}

static void
test_range_and_band(void **state)
{
	const char *f1[] = { "info,,dept,部门", "money,total,total,0",
	    "info,,score,78.3", "info,,grade,良好", NULL };
	const char *f2[] = { "info,,dept,部门", "money,total,total,0",
	    "info,,score,101", "info,,grade,甲", NULL };

	(void)state;
	assert_string_equal(run(f1),
	    "E band info[].grade: 良好 does not match score 78.3 (中) (S!A1)\n");
	assert_string_equal(run(f2),
	    "E range info[].score: 101 is outside 0..100 (S!A1)\n"
	    "E band info[].grade: '甲' is not one of 优秀, 良好, 中, 差 (S!A1)\n");
}

static void
test_compare_and_pattern_warn(void **state)
{
	const char *f[] = { "info,,dept,部门", "money,total,total,0",
	    "info,,quota,5", "info,,actual,7", "info,,phone,137xxxxxxxx", NULL };

	(void)state;
	assert_string_equal(run(f),
	    "W compare info[].actual: 7 is not <= info.quota 5 (S!A1)\n"
	    "W pattern info[].phone: '137xxxxxxxx' is not a mobile number "
	    "(S!A1)\n");
}

static void
test_unique_second_form_of_a_department(void **state)
{
	/* The same facts twice: a second form of the same department. */
	const char *f[] = { "info,,dept,部门", "money,total,total,0",
	    "info,,dept,部门", "money,total,total,0", NULL };

	(void)state;
	assert_string_equal(run(f),
	    "E unique info[].dept: 部门 2021 appears more than once (S!A1)\n");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_rules_pass),
		cmocka_unit_test(test_sum_fails_beyond_tolerance),
		cmocka_unit_test(test_min_and_not_a_number),
		cmocka_unit_test(test_required_missing),
		cmocka_unit_test(test_range_and_band),
		cmocka_unit_test(test_compare_and_pattern_warn),
		cmocka_unit_test(test_unique_second_form_of_a_department),
	};

	return cmocka_run_group_tests_name("rules", tests, NULL, NULL);
}
