/*
 * Unit tests for rules.c as a stream: records told apart by form, dept,
 * year, record and file; a repeated fact is one fact; a second form of a
 * record is a record of its own; each record checked with its form's
 * mapping; the lines and CSV a finding becomes. The rules themselves are
 * tested as data in tests/mapping/rules.test.
 */
#include "testutil.h"

#include "mapping.h"
#include "rules.h"

static const char *const map_a =
    "form a\nsheet number 1\n"
    "table t fields 表\n"
    "  field dept text\n    label D\n"
    "  field year integer\n    label Y\n"
    "  field x number 甲\n    label X\n"
    "rule error t.x <= 10\n"
    "rule error unique\n";

static const char *const map_b =
    "form b\nsheet number 1\n"
    "table t fields\n"
    "  field x number\n    label X\n"
    "rule warning t.x >= 100\n"
    "messages\n  warning 警告\n";

struct sink {
	struct fp_mapping *ma, *mb;
	char text[4096];
	size_t n;
	size_t records;
};

static const struct fp_mapping *
resolve(void *ctx, const char *form, struct fp_diag *d)
{
	struct sink *s = ctx;

	if (!strcmp(form, "a"))
		return s->ma;
	if (!strcmp(form, "b"))
		return s->mb;
	fp_diag(d, FP_EMAPPING, "no form '%s'", form);
	return NULL;
}

static void
collect(void *ctx, const struct fp_finding *f)
{
	struct sink *s = ctx;
	struct fp_buf b = FP_BUF_INIT;

	fp_finding_line(&b, f);
	s->n += (size_t)snprintf(s->text + s->n, sizeof s->text - s->n, "%s",
	    b.s);
	fp_buf_release(&b);
}

static void
count(void *ctx, const struct fp_mapping *m, const struct fp_who *who,
    const struct fp_rec_fact *facts, size_t n, size_t errors,
    size_t warnings)
{
	struct sink *s = ctx;

	(void)m;
	(void)facts;
	s->records++;
	s->n += (size_t)snprintf(s->text + s->n, sizeof s->text - s->n,
	    "[%s %s %s: %zu facts, %zu E, %zu W]\n", who->form, who->dept,
	    who->file, n, errors, warnings);
}

static struct fp_mapping *
parse(const char *text)
{
	struct fp_mapping *m = NULL;
	struct fp_diag d;

	if (fp_mapping_parse("t.map", text, strlen(text), &m, &d) != FP_OK)
		fail_msg("%s", d.msg);
	return m;
}

/* Runs facts "form,dept,file,field,value[@CELL]" (table t, year 2021). */
static const char *
run(const char *const *facts, enum fp_err *last)
{
	static struct sink s;
	struct fp_checker *c;
	struct fp_diag d;
	size_t i;

	memset(&s, 0, sizeof s);
	s.ma = parse(map_a);
	s.mb = parse(map_b);
	c = fp_checker_new(resolve, &s, collect, &s);
	fp_checker_on_record(c, count);
	*last = FP_OK;
	for (i = 0; facts[i] && !*last; i++) {
		char buf[256], *f[5], *p = buf;
		struct fp_canon_fact cf;
		int k;

		snprintf(buf, sizeof buf, "%s", facts[i]);
		for (k = 0; k < 5; k++) {
			f[k] = p;
			p = strchr(p, ',');
			if (p)
				*p++ = '\0';
			else
				p = buf + strlen(buf);
		}
		/* "value@CELL" gives a fact its cell (S!B1 by default). */
		p = strchr(f[4], '@');
		if (p)
			*p++ = '\0';
		memset(&cf, 0, sizeof cf);
		cf.form = f[0];
		cf.dept = f[1];
		cf.year = "2021";
		cf.record = "";
		cf.table = "t";
		cf.row = "";
		cf.field = f[3];
		cf.value = f[4];
		cf.source = p ? p : "S!B1";
		cf.file = f[2];
		*last = fp_checker_add(c, &cf, &d);
	}
	fp_checker_finish(c);
	fp_checker_free(c);
	fp_mapping_free(s.ma);
	fp_mapping_free(s.mb);
	return s.text;
}

static void
test_records_by_form_dept_and_file(void **state)
{
	const char *f[] = {
		"a,甲,f1,x,5", "a,甲,f1,dept,甲", "a,乙,f2,x,11", "b,,f3,x,5",
		NULL,
	};
	enum fp_err err;

	(void)state;
	assert_string_equal(run(f, &err),
	    "[a 甲 f1: 2 facts, 0 E, 0 W]\n"
	    "f2: 乙 2021: error: 表 甲 11 > 10 (difference 1.00) (S!B1)\n"
	    "[a 乙 f2: 1 facts, 1 E, 0 W]\n"
	    "f3: 2021: 警告: t x 5 < 100 (difference -95.00) (S!B1)\n"
	    "[b  f3: 1 facts, 0 E, 1 W]\n");
	assert_int_equal(err, FP_OK);
}

static void
test_repeated_fact_is_one_fact(void **state)
{
	const char *f[] = { "a,甲,f1,x,5", "a,甲,f1,x,5", "a,甲,f1,dept,甲", NULL };
	enum fp_err err;

	(void)state;
	assert_string_equal(run(f, &err), "[a 甲 f1: 2 facts, 0 E, 0 W]\n");
}

static void
test_second_form_is_a_record_of_its_own(void **state)
{
	const char *f[] = {
		"a,甲,f1,dept,甲", "a,甲,f1,x,5", "a,甲,f1,dept,甲",
		"a,甲,f1,x,6", NULL,
	};
	enum fp_err err;

	(void)state;
	/* The first fact again starts another form, so unique fires. */
	assert_string_equal(run(f, &err),
	    "[a 甲 f1: 2 facts, 0 E, 0 W]\n"
	    "f1: 甲 2021: error: 甲 2021 appears more than once (S!B1)\n"
	    "[a 甲 f1: 2 facts, 1 E, 0 W]\n");
}

static void
test_same_fact_from_another_cell_is_another_form(void **state)
{
	const char *f[] = {
		"a,甲,f1,dept,甲", "a,甲,f1,x,5", "a,甲,f1,x,5@S!C9", NULL,
	};
	enum fp_err err;

	(void)state;
	assert_string_equal(run(f, &err),
	    "[a 甲 f1: 2 facts, 0 E, 0 W]\n"
	    "f1: 甲 2021: error: 甲 2021 appears more than once (S!C9)\n"
	    "[a 甲 f1: 1 facts, 1 E, 0 W]\n");
}

static void
test_unknown_form_is_an_error(void **state)
{
	const char *f[] = { "a,甲,f1,x,5", "zz,甲,f1,x,5", NULL };
	enum fp_err err;

	(void)state;
	run(f, &err);
	assert_int_equal(err, FP_EMAPPING);
}

static void
test_finding_csv_quotes_fields(void **state)
{
	struct fp_mapping *m = parse(map_a);
	struct fp_finding f;
	struct fp_buf b = FP_BUF_INIT;

	(void)state;
	memset(&f, 0, sizeof f);
	f.severity = FP_SEV_WARNING;
	f.m = m;
	f.who.form = "a";
	f.who.dept = "甲,乙";
	f.who.year = "2021";
	f.who.record = "";
	f.who.file = "forms/x.xls";
	f.table = "t";
	f.row = "";
	f.field = "x";
	f.rule = "expr";
	f.message = "say \"hi\"";
	f.source = "S!B1";
	fp_finding_csv(&b, &f);
	assert_string_equal(b.s, "warning,a,\"甲,乙\",2021,,t,,x,expr,"
	    "\"say \"\"hi\"\"\",S!B1,forms/x.xls\n");
	fp_buf_release(&b);
	fp_mapping_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_records_by_form_dept_and_file),
		cmocka_unit_test(test_repeated_fact_is_one_fact),
		cmocka_unit_test(test_second_form_is_a_record_of_its_own),
		cmocka_unit_test(test_same_fact_from_another_cell_is_another_form),
		cmocka_unit_test(test_unknown_form_is_an_error),
		cmocka_unit_test(test_finding_csv_quotes_fields),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
