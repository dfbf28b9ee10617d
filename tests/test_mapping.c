/*
 * Unit tests for the mapping language: parse errors with their lines,
 * and applying mappings to small forms built cell by cell.
 */
#include "testutil.h"

#include "form.h"
#include "mapping.h"

static void
expect_parse_error(const char *text, const char *want)
{
	struct fp_mapping *m = (struct fp_mapping *)1;
	struct fp_diag d;

	assert_int_equal(fp_mapping_parse("t.map", text, &m, &d), FP_EMAPPING);
	assert_null(m);
	assert_string_equal(d.msg, want);
}

static void
test_parse_errors_name_file_and_line(void **state)
{
	(void)state;
	expect_parse_error("form f\nsheet containing A\ntable t fields\n"
	    "  field x mony\n",
	    "t.map:4: unknown type 'mony' (expected text, money, integer, "
	    "score, phone, date, grade or code)");
	expect_parse_error("form f\nsheet containing A\nbogus 1\n",
	    "t.map:3: unknown keyword 'bogus'");
	expect_parse_error("form f\nsheet containing A\ntable t keyed\n"
	    "  key K\n  column a money\n",
	    "t.map:3: table 't' needs a 'header' label");
	expect_parse_error("form f\nsheet containing A\ntable t fields\n"
	    "  field x text\n    pattern \"(\"\n",
	    "t.map:5: bad pattern \"(\": Unmatched ( or \\(");
	expect_parse_error("form f\nsheet containing A\ntable t fields\n"
	    "  field x text\n    label X\nrule error range 0 1 t.y\n",
	    "t.map:6: table 't' has no field 'y'");
	expect_parse_error("form f\nsheet containing A\ntable t fields\n"
	    "  field x text\n    label \"X\n",
	    "t.map:5: a quoted string is not closed");
	expect_parse_error("form f\ntable t fields\n  field x text\n    label X\n",
	    "t.map:1: the mapping does not say which sheet holds the form "
	    "('sheet containing LABEL')");
}

static const char *const basic_map =
    "form demo\n"
    "sheet containing 联系人\n"
    "table info fields\n"
    "  field dept text\n"
    "    label 填报单位\n"
    "  field year integer\n"
    "    pattern \"^([0-9]{4})年度\"\n"
    "  field contact text\n"
    "    label 联系人\n"
    "  field phone phone\n"
    "    label 联络电话\n"
    "  field goal text\n"
    "    label 预期目标\n"
    "    take below\n"
    "table report fields\n"
    "  field text text\n"
    "    label *报告*\n"
    "    take paragraphs\n"
    "    sheet any\n";

static struct fp_mapping *
parse_ok(const char *text)
{
	struct fp_mapping *m = NULL;
	struct fp_diag d;

	if (fp_mapping_parse("t.map", text, &m, &d) != FP_OK)
		fail_msg("%s", d.msg);
	return m;
}

static void
add(struct fp_form *f, const char *sheet, const char *ref,
    enum fp_cell_type t, const char *text)
{
	uint32_t col = (uint32_t)(ref[0] - 'A');
	uint32_t row = (uint32_t)atoi(ref + 1) - 1;

	fp_form_add(f, sheet, row, col, t, text, strlen(text));
}

/* The facts as "table,row,field=value@source" lines, joined. */
static char *
facts_text(const struct fp_facts *o)
{
	static char out[8192];
	size_t i, n = 0;

	out[0] = '\0';
	n += (size_t)snprintf(out + n, sizeof out - n, "[%s/%s]", o->dept,
	    o->year);
	for (i = 0; i < o->n; i++)
		n += (size_t)snprintf(out + n, sizeof out - n, " %s,%s,%s=%s@%s",
		    o->v[i].table, o->v[i].row, o->v[i].field, o->v[i].value,
		    o->v[i].source);
	return out;
}

static void
test_apply_fields_colon_right_below_pattern(void **state)
{
	struct fp_mapping *m = parse_ok(basic_map);
	struct fp_form *f = fp_form_new();
	struct fp_facts o;
	struct fp_diag d;

	(void)state;
	add(f, "表", "A1", FP_CELL_TEXT, "2021年度部门整体支出绩效自评表");
	add(f, "表", "A2", FP_CELL_TEXT, "填报单位（盖章）：湘阴县应急管理局");
	add(f, "表", "A4", FP_CELL_TEXT, "联 系 人：");
	add(f, "表", "E4", FP_CELL_TEXT, "联络电话");
	add(f, "表", "F4", FP_CELL_NUMBER, "13712345678");
	add(f, "表", "B6", FP_CELL_TEXT, "预期目标");
	add(f, "表", "B8", FP_CELL_TEXT, " 目标一 ");
	add(f, "报告", "A1", FP_CELL_TEXT, "五、评价报告综述");
	add(f, "报告", "A2", FP_CELL_TEXT, "第一段");
	add(f, "报告", "A4", FP_CELL_TEXT, "\xe3\x80\x80第二段");
	fp_form_seal(f);
	assert_int_equal(fp_mapping_apply(m, f, NULL, NULL, &o, &d), FP_OK);
	/* No contact: the cell right of 联系人 is the label 联络电话. */
	assert_string_equal(facts_text(&o), "[湘阴县应急管理局/2021] "
	    "info,,dept=湘阴县应急管理局@表!A2 info,,year=2021@表!A1 "
	    "info,,phone=13712345678@表!F4 info,,goal=目标一@表!B8 "
	    "report,,text=第一段\n第二段@报告!A2");
	fp_facts_release(&o);
	assert_int_equal(fp_mapping_apply(m, f, "别的局", "2020", &o, &d), FP_OK);
	assert_string_equal(o.dept, "别的局");
	assert_string_equal(o.v[0].value, "别的局");
	assert_string_equal(o.year, "2020");
	fp_facts_release(&o);
	fp_form_free(f);
	fp_mapping_free(m);
}

static void
test_apply_refuses_another_form(void **state)
{
	struct fp_mapping *m = parse_ok(basic_map);
	struct fp_form *f = fp_form_new();
	struct fp_facts o;
	struct fp_diag d;

	(void)state;
	add(f, "Sheet1", "A1", FP_CELL_TEXT, "something else");
	fp_form_seal(f);
	assert_int_equal(fp_mapping_apply(m, f, NULL, NULL, &o, &d),
	    FP_ENOMATCH);
	assert_string_equal(d.msg, "not a demo form: no sheet has a cell '联系人'");
	fp_form_free(f);
	fp_mapping_free(m);
}

static const char *const keyed_map =
    "form demo\n"
    "sheet containing 机构名称\n"
    "table income keyed 收入 row 机构\n"
    "  header 收入合计\n"
    "  key 机构名称\n"
    "  strip \"^[0-9]+、\"\n"
    "  skip 其中\n"
    "  total 汇总\n"
    "  column total money 收入合计\n"
    "  column basic money 基本支出\n"
    "  column personnel money 人员支出\n"
    "table after fields\n"
    "  field x text\n"
    "    label 下一节\n";

static void
test_apply_keyed_multirow_header_and_rows(void **state)
{
	struct fp_mapping *m = parse_ok(keyed_map);
	struct fp_form *f = fp_form_new();
	struct fp_facts o;
	struct fp_diag d;

	(void)state;
	add(f, "S", "B2", FP_CELL_TEXT, "机构名称");
	add(f, "S", "C2", FP_CELL_TEXT, "收入合计");
	add(f, "S", "D2", FP_CELL_TEXT, "其中：");
	add(f, "S", "D3", FP_CELL_TEXT, "基本支出");
	add(f, "S", "E3", FP_CELL_TEXT, "其中：");
	add(f, "S", "E4", FP_CELL_TEXT, "人员支出");
	add(f, "S", "B5", FP_CELL_TEXT, "汇总");
	add(f, "S", "C5", FP_CELL_TEXT, "1,207.93");
	add(f, "S", "D5", FP_CELL_NUMBER, "0");
	add(f, "S", "B6", FP_CELL_TEXT, "1、局机关");
	add(f, "S", "C6", FP_CELL_TEXT, "１２０７．９３");
	add(f, "S", "E6", FP_CELL_TEXT, "12079300元");
	add(f, "S", "B7", FP_CELL_TEXT, "2、二级机构1");
	/* A blank row, then another unit: the table goes on. */
	add(f, "S", "B9", FP_CELL_TEXT, "3、中心");
	add(f, "S", "C9", FP_CELL_NUMBER, "5");
	/* A blank row, then something else: the table ends. */
	add(f, "S", "B11", FP_CELL_TEXT, "备注");
	add(f, "S", "C11", FP_CELL_NUMBER, "99");
	fp_form_seal(f);
	assert_int_equal(fp_mapping_apply(m, f, NULL, NULL, &o, &d), FP_OK);
	assert_string_equal(facts_text(&o), "[/] "
	    "income,total,total=1207.93@S!C5 income,total,basic=0@S!D5 "
	    "income,局机关,total=1207.93@S!C6 "
	    "income,局机关,personnel=1207.93@S!E6 "
	    "income,中心,total=5@S!C9");
	fp_facts_release(&o);
	fp_form_free(f);
	fp_mapping_free(m);
}

static const char *const list_map =
    "form demo\n"
    "sheet containing 绩效目标\n"
    "table indicator list\n"
    "  header 绩效目标\n"
    "  stop 得分\n"
    "  column category code\n"
    "    at 评价内容\n"
    "    fill down\n"
    "    code output = 产出目标*\n"
    "    code satisfaction = *满意度*\n"
    "  column kind code\n"
    "    at 评价内容 + 1\n"
    "    fill left\n"
    "    code quality = 质量指标\n"
    "    code satisfaction = *满意度*\n"
    "  column target text\n"
    "    at 绩效目标\n";

static void
test_apply_list_fill_down_fill_left_codes(void **state)
{
	struct fp_mapping *m = parse_ok(list_map);
	struct fp_form *f = fp_form_new();
	struct fp_facts o;
	struct fp_diag d;

	(void)state;
	add(f, "S", "B1", FP_CELL_TEXT, "评价内容");
	add(f, "S", "D1", FP_CELL_TEXT, "绩效目标");
	add(f, "S", "B2", FP_CELL_TEXT, "产出目标\n（部门工作实绩）");
	add(f, "S", "C2", FP_CELL_TEXT, "质量指标");
	add(f, "S", "D2", FP_CELL_TEXT, "目标甲");
	add(f, "S", "C3", FP_CELL_TEXT, "新指标");
	add(f, "S", "D3", FP_CELL_TEXT, "目标乙");
	add(f, "S", "B5", FP_CELL_TEXT, "社会公众或服务对象满意度");
	add(f, "S", "D5", FP_CELL_TEXT, "满意");
	add(f, "S", "A6", FP_CELL_TEXT, "得分");
	add(f, "S", "B6", FP_CELL_TEXT, "98");
	fp_form_seal(f);
	assert_int_equal(fp_mapping_apply(m, f, NULL, NULL, &o, &d), FP_OK);
	assert_string_equal(facts_text(&o), "[/] "
	    "indicator,1,category=output@S!B2 indicator,1,kind=quality@S!C2 "
	    "indicator,1,target=目标甲@S!D2 "
	    "indicator,2,category=output@S!B2 indicator,2,kind=新指标@S!C3 "
	    "indicator,2,target=目标乙@S!D3 "
	    "indicator,3,category=satisfaction@S!B5 "
	    "indicator,3,kind=satisfaction@S!B5 indicator,3,target=满意@S!D5");
	fp_facts_release(&o);
	fp_form_free(f);
	fp_mapping_free(m);
}

static void
test_shipped_mapping_on_fixture_form(void **state)
{
	struct fp_mapping *m = NULL;
	struct fp_workbook *wb = NULL;
	struct fp_form *f;
	struct fp_facts o;
	struct fp_diag d;
	struct fp_buf got = FP_BUF_INIT;
	char *want;
	size_t i;

	(void)state;
	assert_int_equal(fp_mapping_load("mappings/perf-self-eval.map", &m, &d),
	    FP_OK);
	assert_int_equal(fp_workbook_open("fixtures/form-example.xls", &wb, &d),
	    FP_OK);
	f = fp_form_from_workbook(wb, &d);
	assert_non_null(f);
	assert_int_equal(fp_mapping_apply(m, f, NULL, NULL, &o, &d), FP_OK);
	fp_buf_adds(&got, FP_CANON_HEADER "\n");
	for (i = 0; i < o.n; i++)
		fp_fact_line(&got, o.dept, o.year, &o.v[i]);
	want = test_slurp("fixtures/form-example.expected.csv", NULL);
	assert_non_null(want);
	assert_string_equal(got.s, want);
	free(want);
	fp_buf_release(&got);
	fp_facts_release(&o);
	fp_form_free(f);
	fp_workbook_free(wb);
	fp_mapping_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_errors_name_file_and_line),
		cmocka_unit_test(test_apply_fields_colon_right_below_pattern),
		cmocka_unit_test(test_apply_refuses_another_form),
		cmocka_unit_test(test_apply_keyed_multirow_header_and_rows),
		cmocka_unit_test(test_apply_list_fill_down_fill_left_codes),
		cmocka_unit_test(test_shipped_mapping_on_fixture_form),
	};

	return cmocka_run_group_tests_name("mapping", tests, NULL, NULL);
}
