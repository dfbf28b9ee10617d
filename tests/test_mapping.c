/*
 * Unit tests for the mapping's parsed form: what mapping_parse.c and
 * mapping_check.c make of a text (defaults, placeholders per type, row
 * codes, references resolved), and mapping_apply.c over a form built
 * cell by cell. The language's behaviour on forms is tested as data in
 * the cases of tests/mapping.
 */
#include "testutil.h"

#include "form.h"
#include "mapping.h"
#include "mapping_apply.h"

static struct fp_mapping *
parse(const char *text)
{
	struct fp_mapping *m = NULL;
	struct fp_diag d;

	if (fp_mapping_parse("t.map", text, strlen(text), &m, &d) != FP_OK)
		fail_msg("%s", d.msg);
	return m;
}

static void
test_defaults_filled_in(void **state)
{
	struct fp_mapping *m = parse(
	    "form demo 示例表\n"
	    "sheet containing 联系人\n"
	    "empty money = — | /\n"
	    "table info fields\n"
	    "  field dept text\n    label 单位\n"
	    "  field year integer\n    label 年度\n"
	    "table t keyed 收入\n"
	    "  header 合计\n  key 机构\n  total 汇总 | 合计\n"
	    "  row fiscal 财政拨款 = 其中：财政拨款\n"
	    "  column total money 合计\n"
	    "rule error t.total >= 0\n");
	const struct fp_table *t = fp_mapping_table(m, "t");

	(void)state;
	assert_string_equal(m->name, "demo");
	assert_string_equal(m->title, "示例表");
	/* dept and year: the fields so named. */
	assert_string_equal(m->dept.table, "info");
	assert_string_equal(m->year.field, "year");
	assert_null(m->record.table);
	/* A column is found by its own label; placeholders of its type. */
	assert_int_equal(t->fields[0].labels.n, 1);
	assert_string_equal(t->fields[0].labels.v[0], "合计");
	assert_int_equal(t->fields[0].empty.n, 2);
	assert_string_equal(t->fields[0].empty.v[0], "—");
	/* Row codes, total among them, shown by their labels. */
	assert_string_equal(fp_table_row_label(t, "total"), "汇总");
	assert_string_equal(fp_table_row_label(t, "fiscal"), "财政拨款");
	assert_string_equal(fp_table_row_label(t, "局机关"), "局机关");
	/* Labels in label form: full-width colon made half-width. */
	assert_string_equal(t->rows[1].alts.v[0], "其中:财政拨款");
	/* A rule's tolerance is the mapping's unless it says one. */
	assert_true(m->rules[0].tolerance == 0.01);
	assert_string_equal(m->msgs[FP_MSG_ERROR], "error");
	fp_mapping_free(m);
}

static void
test_defaults_block_and_own_total(void **state)
{
	struct fp_mapping *m = parse(
	    "form demo\nsheet number 1\n"
	    "defaults keyed\n  key 机构名称\n  total 汇总\n  skip 其中\n"
	    "table a keyed\n  header A\n  column x money\n"
	    "table b keyed\n  header B\n  total 合计\n  column y money\n");

	(void)state;
	assert_string_equal(fp_mapping_table(m, "a")->key.v[0], "机构名称");
	assert_string_equal(fp_table_row_label(fp_mapping_table(m, "a"),
	    "total"), "汇总");
	/* A table's own total replaces the defaults'. */
	assert_string_equal(fp_table_row_label(fp_mapping_table(m, "b"),
	    "total"), "合计");
	assert_int_equal(fp_mapping_table(m, "b")->rows[0].alts.n, 1);
	fp_mapping_free(m);
}

static void
test_apply_gives_records_and_notes(void **state)
{
	struct fp_mapping *m = parse(
	    "form p\nsheets containing 项目名称\nrecord p.name\n"
	    "table p fields\n"
	    "  field name text\n    label 项目名称\n"
	    "  field dept text\n    label 主管部门\n    required\n");
	struct fp_form *f = fp_form_new();
	struct fp_apply_opts o = { NULL, NULL, 0 };
	struct fp_mapped out;
	struct fp_diag d;

	(void)state;
	fp_form_add(f, "一", 0, 0, FP_CELL_TEXT, "项目名称", strlen("项目名称"));
	fp_form_add(f, "一", 0, 1, FP_CELL_TEXT, "修路", strlen("修路"));
	fp_form_add(f, "二", 0, 0, FP_CELL_TEXT, "项目名称", strlen("项目名称"));
	fp_form_add(f, "二", 0, 1, FP_CELL_TEXT, "建桥", strlen("建桥"));
	fp_form_seal(f);
	assert_int_equal(fp_mapping_apply(m, f, &o, &out, &d), FP_OK);
	assert_int_equal(out.nrecs, 2);
	assert_string_equal(out.recs[0].record, "修路");
	assert_string_equal(out.recs[1].record, "建桥");
	assert_string_equal(out.recs[1].v[0].source, "二!B1");
	/* The required dept is missing on both sheets: a warning each. */
	assert_int_equal(out.nnotes, 2);
	assert_true(out.notes[0].warn);
	assert_string_equal(out.notes[0].text,
	    "一: p.dept (required): no cell labelled '主管部门'");
	fp_mapped_release(&out);
	fp_form_free(f);
	fp_mapping_free(m);
}

static void
test_apply_refuses_another_form(void **state)
{
	struct fp_mapping *m = parse(
	    "form demo\nsheet containing 联系人\n"
	    "table info fields\n  field x text\n    label 联系人\n");
	struct fp_form *f = fp_form_new();
	struct fp_mapped out;
	struct fp_diag d;

	(void)state;
	fp_form_add(f, "S", 0, 0, FP_CELL_TEXT, "项目名称", strlen("项目名称"));
	fp_form_seal(f);
	assert_int_equal(fp_mapping_apply(m, f, NULL, &out, &d), FP_ENOMATCH);
	assert_string_equal(d.msg,
	    "not a demo form: no sheet has a cell '联系人'");
	assert_int_equal(out.nrecs, 0);
	fp_mapped_release(&out);
	fp_form_free(f);
	fp_mapping_free(m);
}

static void
test_shipped_mappings_parse(void **state)
{
	const char *paths[] = {
		"mappings/perf-self-eval.map", "mappings/project-self-eval.map",
		"mappings/ledger.map",
	};
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		struct fp_mapping *m = NULL;
		struct fp_diag d;

		if (fp_mapping_load(paths[i], &m, &d) != FP_OK)
			fail_msg("%s", d.msg);
		assert_non_null(m->name);
		fp_mapping_free(m);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_filled_in),
		cmocka_unit_test(test_defaults_block_and_own_total),
		cmocka_unit_test(test_apply_gives_records_and_notes),
		cmocka_unit_test(test_apply_refuses_another_form),
		cmocka_unit_test(test_shipped_mappings_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
