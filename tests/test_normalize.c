/* Unit tests for normalize.c: label forms and values by type. */
#include "testutil.h"

#include "normalize.h"

static void
expect_label(const char *in, const char *want)
{
	struct fp_buf b = FP_BUF_INIT;

	fp_norm_label(&b, in, strlen(in));
	assert_string_equal(b.s ? b.s : "", want);
	fp_buf_release(&b);
}

static void
test_norm_label_spaces_colons_brackets(void **state)
{
	(void)state;
	expect_label("联 系 人", "联系人");
	expect_label("联\xe3\x80\x80系\xe3\x80\x80人\xe3\x80\x80：", "联系人");
	expect_label("人员编制:", "人员编制");
	expect_label("年度主要\n工作内容", "年度主要工作内容");
	expect_label("填报单位（盖章）", "填报单位(盖章)");
	expect_label("三公经费\r\n合计", "三公经费合计");
	expect_label("  ", "");
	expect_label("Ｔｏｔａｌ Ａ", "TotalA");
	/* CJK beside spaces, folded forms and broken sequences. */
	expect_label("收\xe3\x80\x80入（万元）：", "收入(万元)");
	expect_label("合计\xe4\xb8", "合计\xef\xbf\xbd\xef\xbf\xbd");
	expect_label("\xe4\x41\x42中", "\xef\xbf\xbd" "AB中");
}

/*
 * Traditional characters as simplified, but those GB2312 has (乾 of 乾坤,
 * 於 the surname); beyond the Basic Plane too (U+2005E as U+2003E).
 */
static void
test_norm_label_traditional(void **state)
{
	(void)state;
	expect_label("聯繫人", "联系人");
	expect_label("項目名稱：", "项目名称");
	expect_label("局機關及二級機構匯總", "局机关及二级机构汇总");
	expect_label("部門整體支出績效自評表", "部门整体支出绩效自评表");
	expect_label("乾坤於", "乾坤於");
	expect_label("\xf0\xa0\x81\x9e", "\xf0\xa0\x80\xbe");
	expect_label("联系人", "联系人");
}

/* Bytes that are not UTF-8 become U+FFFD, three bytes each: a label
 * longer than its text. */
static void
test_norm_label_grows_past_its_text(void **state)
{
	char in[81], want[161];

	(void)state;
	memset(in, '\xff', 40);
	memset(in + 40, 'a', 40);
	in[80] = '\0';
	for (int i = 0; i < 40; i++)
		memcpy(want + 3 * i, "\xef\xbf\xbd", 3);
	memset(want + 120, 'a', 40);
	want[160] = '\0';
	expect_label(in, want);
}

static void
expect_text(const char *in, const char *want)
{
	struct fp_buf b = FP_BUF_INIT;

	fp_norm_text(&b, in, strlen(in));
	assert_string_equal(b.s ? b.s : "", want);
	fp_buf_release(&b);
}

static void
test_norm_text_trims_and_makes_lf(void **state)
{
	(void)state;
	expect_text("  a b  ", "a b");
	expect_text("\xe3\x80\x80正文\xe3\x80\x80\n", "正文");
	expect_text("line1\r\nline2\rline3", "line1\nline2\nline3");
	expect_text("\n\n", "");
}

typedef int (*normfn)(struct fp_buf *, const struct fp_value *);

static void
expect_text_value(normfn fn, const char *in, const char *want)
{
	struct fp_buf b = FP_BUF_INIT;
	struct fp_value v;
	int ok;

	memset(&v, 0, sizeof v);
	v.text = in;
	v.len = strlen(in);
	ok = fn(&b, &v);
	if (!want) {
		assert_false(ok);
	} else {
		assert_true(ok);
		assert_string_equal(b.s, want);
	}
	fp_buf_release(&b);
}

static void
expect_number_value(normfn fn, double x, int is_date, const char *want)
{
	struct fp_buf b = FP_BUF_INIT;
	struct fp_value v;

	memset(&v, 0, sizeof v);
	v.is_number = 1;
	v.is_date = is_date;
	v.num = x;
	assert_true(fn(&b, &v));
	assert_string_equal(b.s, want);
	fp_buf_release(&b);
}

static void
test_norm_money_forms(void **state)
{
	(void)state;
	expect_text_value(fp_norm_money, "1,207.93", "1207.93");
	expect_text_value(fp_norm_money, "1207.93万元", "1207.93");
	expect_text_value(fp_norm_money, " 1207.93 ", "1207.93");
	expect_text_value(fp_norm_money, "１２０７．９３", "1207.93");
	expect_text_value(fp_norm_money, "12079276元", "1207.9276");
	expect_text_value(fp_norm_money, "-5.8029", "-5.8029");
	/* An accountant's negative, the minus sign U+2212, a full-width one. */
	expect_text_value(fp_norm_money, "(3.38)", "-3.38");
	expect_text_value(fp_norm_money, "（1,234.56）", "-1234.56");
	expect_text_value(fp_norm_money, "\xe2\x88\x92" "1.29", "-1.29");
	expect_text_value(fp_norm_money, "－12.50", "-12.5");
	expect_text_value(fp_norm_money, "(-3.38)", NULL);
	/* △ before an amount: a decrease, the accountant's minus. */
	expect_text_value(fp_norm_money, "\xe2\x96\xb3" "3.2156", "-3.2156");
	expect_text_value(fp_norm_money, "\xe2\x96\xb3" "35000元", "-3.5");
	expect_text_value(fp_norm_money, "\xe2\x96\xb3", NULL);
	expect_text_value(fp_norm_money, "\xe2\x96\xb3" "-3", NULL);
	/* A remark in brackets after the amount; a unit in brackets. */
	expect_text_value(fp_norm_money, "219.2843（含追加）", "219.2843");
	expect_text_value(fp_norm_money, "12079276（元）", "1207.9276");
	expect_text_value(fp_norm_money, "(3.38)万元", "-3.38");
	expect_text_value(fp_norm_money, "100万元（含追加）", "100");
	expect_text_value(fp_norm_money, "1000000元（含追加）", "100");
	expect_text_value(fp_norm_money, "（含追加）", NULL);
	expect_text_value(fp_norm_money, "约1200（估）", NULL);
	expect_text_value(fp_norm_money, "0", "0");
	expect_text_value(fp_norm_money, "-", NULL);
	expect_text_value(fp_norm_money, "无", NULL);
	expect_text_value(fp_norm_money, "待定", NULL);
	expect_number_value(fp_norm_money, 1311.2927000000002, 0, "1311.2927");
	expect_number_value(fp_norm_money, 70, 0, "70");
}

static void
test_norm_integer_and_score(void **state)
{
	(void)state;
	expect_text_value(fp_norm_integer, "70人", "70");
	expect_text_value(fp_norm_integer, "70", "70");
	expect_number_value(fp_norm_integer, 195, 0, "195");
	/* Any unit word of one to four Han characters after the number. */
	expect_text_value(fp_norm_integer, "2024年", "2024");
	expect_text_value(fp_norm_integer, "5项", "5");
	expect_text_value(fp_norm_integer, "12000人次", "12000");
	expect_text_value(fp_norm_integer, "３个", "3");
	expect_text_value(fp_norm_integer, "1200平方公里", "1200");
	expect_text_value(fp_norm_integer, "2024年度执行情况", NULL);
	expect_text_value(fp_norm_integer, "2022年3月15日", NULL);
	expect_text_value(fp_norm_integer, "约70人", NULL);
	expect_text_value(fp_norm_integer, "一百人", NULL);
	/* Chinese digits written one by one are a number; words are not. */
	expect_text_value(fp_norm_integer, "二〇二一", "2021");
	expect_text_value(fp_norm_integer, "二○二三年", "2023");
	expect_text_value(fp_norm_integer, "二零二四年度", "2024");
	expect_text_value(fp_norm_integer, "二零二四", "2024");
	expect_text_value(fp_norm_integer, "三", "3");
	expect_text_value(fp_norm_integer, "三人", NULL);
	expect_text_value(fp_norm_integer, "一般", NULL);
	expect_text_value(fp_norm_integer, "一致", NULL);
	expect_text_value(fp_norm_integer, "十二人", NULL);
	expect_text_value(fp_norm_integer, "三千米", NULL);
	expect_text_value(fp_norm_integer, "一年半", NULL);
	/* Words that change the number are no units. */
	expect_text_value(fp_norm_integer, "1.2万人", NULL);
	expect_text_value(fp_norm_integer, "120人以上", NULL);
	expect_text_value(fp_norm_integer, "120人左右", NULL);
	expect_text_value(fp_norm_integer, "3千米", NULL);
	expect_text_value(fp_norm_integer, "30余人", NULL);
	expect_text_value(fp_norm_integer, "10萬人", NULL);
	expect_text_value(fp_norm_integer, "3億", NULL);
	expect_text_value(fp_norm_integer, "3仟", NULL);
	expect_text_value(fp_norm_integer, "1年半", NULL);
	expect_text_value(fp_norm_integer, "10倍", NULL);
	expect_text_value(fp_norm_integer, "3成", NULL);
	expect_text_value(fp_norm_integer, "10来人", NULL);
	expect_text_value(fp_norm_integer, "5人一组", NULL);
	expect_text_value(fp_norm_integer, "无人", NULL);
	expect_text_value(fp_norm_number, "12.5公里", "12.5");
	/* A formula's binary noise, to 14 significant digits. */
	expect_number_value(fp_norm_score, 14.594999999999999, 0, "14.595");
	expect_number_value(fp_norm_number, 9.399999999999999, 0, "9.4");
	expect_number_value(fp_norm_integer, 2021.0000000000002, 0, "2021");
	expect_number_value(fp_norm_number, 0.1 + 0.2, 0, "0.3");
	expect_number_value(fp_norm_number, 123456789012345.6, 0,
	    "123456789012346");
	/* A result pasted as a value: noise in its 15th digit goes. */
	expect_number_value(fp_norm_number, 80.6300000000003, 0, "80.63");
	expect_number_value(fp_norm_score, 88.4600000000003, 0, "88.46");
	expect_text_value(fp_norm_number, "96.5%", "96.5");
	/* Brackets round a number are no sign but in money: （2021）. */
	expect_text_value(fp_norm_number, "(12.5)", NULL);
	expect_text_value(fp_norm_integer, "（2021）", NULL);
	expect_text_value(fp_norm_number, "\xe2\x88\x92" "3%", "-3");
	expect_text_value(fp_norm_number, "96.5%以上", NULL);
	expect_text_value(fp_norm_score, "98分", "98");
	expect_text_value(fp_norm_score, "98公里", NULL);
	expect_text_value(fp_norm_score, "98%", "98");
	expect_text_value(fp_norm_score, "98分", "98");
	expect_text_value(fp_norm_score, "78.1分", "78.1");
	expect_text_value(fp_norm_score, "98.5", "98.5");
	expect_text_value(fp_norm_score, "优秀", NULL);
}

/* x in a percent format showing places decimals, normalised by fn. */
static void
expect_percent_places(normfn fn, double x, int places, const char *want)
{
	struct fp_buf b = FP_BUF_INIT;
	struct fp_value v;

	memset(&v, 0, sizeof v);
	v.is_number = 1;
	v.percent = 1 + places;
	v.num = x;
	assert_true(fn(&b, &v));
	assert_string_equal(b.s, want);
	fp_buf_release(&b);
}

static void
expect_percent_value(normfn fn, double x, const char *want)
{
	expect_percent_places(fn, x, 0, want);
}

/* A number cell in a percent format counts as what it shows. */
static void
test_norm_percent_cells(void **state)
{
	(void)state;
	expect_percent_value(fp_norm_number, 0.9357, "93.57");
	expect_percent_value(fp_norm_number, 0.941, "94.1");
	expect_percent_value(fp_norm_number, 1.0, "100");
	expect_percent_value(fp_norm_number, -0.0525, "-5.25");
	expect_percent_value(fp_norm_score, 0.98, "98");
	expect_percent_value(fp_norm_score, 0.985, "98.5");
	/* Money and counts keep the number: a percent format on them is a slip. */
	expect_percent_value(fp_norm_money, 0.5, "0.5");
	expect_percent_value(fp_norm_integer, 2, "2");
	expect_number_value(fp_norm_number, 0.9357, 0, "0.9357");
	/* Text shows the percentage, with its sign. */
	expect_percent_value(fp_norm_plain, 0.98, "98%");
	expect_percent_value(fp_norm_plain, 0.9357, "93.57%");
	/* As many decimals as its format shows, and more where it has them. */
	expect_percent_places(fp_norm_plain, 0.93, 2, "93.00%");
	expect_percent_places(fp_norm_plain, 0.965, 2, "96.50%");
	expect_percent_places(fp_norm_plain, 0.965, 1, "96.5%");
	expect_percent_places(fp_norm_plain, 0.93125, 1, "93.125%");
	expect_percent_places(fp_norm_plain, 1, 2, "100.00%");
	expect_percent_places(fp_norm_number, 0.93, 2, "93");
	expect_number_value(fp_norm_plain, 0.98, 0, "0.98");
}

static void
test_norm_phone(void **state)
{
	(void)state;
	expect_number_value(fp_norm_phone, 13712345678.0, 0, "13712345678");
	expect_text_value(fp_norm_phone, " 0730-6079096 ", "0730-6079096");
	expect_text_value(fp_norm_phone, "137xxxxxxxx", "137xxxxxxxx");
}

static void
test_norm_date_forms(void **state)
{
	(void)state;
	expect_text_value(fp_norm_date, "2022年3月15日", "2022-03-15");
	expect_text_value(fp_norm_date, "2022-03-15", "2022-03-15");
	expect_text_value(fp_norm_date, "2022/3/15", "2022-03-15");
	expect_text_value(fp_norm_date, "2022.3.15", "2022-03-15");
	expect_text_value(fp_norm_date, "２０２２年３月１５日", "2022-03-15");
	expect_text_value(fp_norm_date, "2022-03-15 08:30:00", "2022-03-15");
	expect_text_value(fp_norm_date, "2022-02-30", NULL);
	expect_text_value(fp_norm_date, "2022年3月", NULL);
	/* Chinese numerals: the year digit by digit, month and day with 十. */
	expect_text_value(fp_norm_date, "二〇二四年一月二日", "2024-01-02");
	/* 元月 is January. */
	expect_text_value(fp_norm_date, "2023年元月18日", "2023-01-18");
	expect_text_value(fp_norm_date, "元月18日", NULL);
	expect_text_value(fp_norm_date, "二〇二四年十二月三十一日",
	    "2024-12-31");
	expect_text_value(fp_norm_date, "二○二四年十月十日", "2024-10-10");
	expect_text_value(fp_norm_date, "2024年二月二十日", "2024-02-20");
	expect_text_value(fp_norm_date, "二零二四年二月二十九日", "2024-02-29");
	expect_text_value(fp_norm_date, "二〇二三年二月二十九日", NULL);
	expect_text_value(fp_norm_date, "二〇二四年十三月一日", NULL);
	expect_text_value(fp_norm_date, "二〇二四年一百月一日", NULL);
	expect_text_value(fp_norm_date, "二〇二四年一月", NULL);
	expect_number_value(fp_norm_date, 44635, 1, "2022-03-15");
	expect_number_value(fp_norm_date, 20220315, 0, "2022-03-15");
}

static void
test_parse_number_whole_text_only(void **state)
{
	double x;

	(void)state;
	assert_true(fp_parse_number("1,207.93", 8, &x));
	assert_true(x == 1207.93);
	assert_false(fp_parse_number("12abc", 5, &x));
	assert_false(fp_parse_number("", 0, &x));
	assert_false(fp_parse_number("nan", 3, &x));
	/* strtod's other words are no numbers a person writes either. */
	assert_false(fp_parse_number("0x1p4", 5, &x));
	assert_false(fp_parse_number("0x10", 4, &x));
	assert_false(fp_parse_number("inf", 3, &x));
	assert_false(fp_parse_number("-infinity", 9, &x));
	assert_false(fp_parse_number("1e400", 5, &x));
	assert_true(fp_parse_number("1e3", 3, &x));
	assert_true(x == 1000);
}

static void
test_norm_choice(void **state)
{
	(void)state;
	expect_text_value(fp_norm_choice, "☑优秀 □良好 □中 □差", "优秀");
	expect_text_value(fp_norm_choice, "□优秀　☑ 良好　□中　□差", "良好");
	expect_text_value(fp_norm_choice, "优秀□ 良好☑ 中□ 差□", "良好");
	expect_text_value(fp_norm_choice, "优秀（ ）良好（√）中（ ）", "良好");
	expect_text_value(fp_norm_choice, "优秀（√）良好（ ）", "优秀");
	expect_text_value(fp_norm_choice, "评价等次：■良好", "良好");
	expect_text_value(fp_norm_choice, "优秀☒", "优秀");
	/* None ticked, two ticked, a mark alone, no marks: no choice. */
	expect_text_value(fp_norm_choice, "□优秀 □良好", NULL);
	expect_text_value(fp_norm_choice, "☑优秀 ☑良好", NULL);
	expect_text_value(fp_norm_choice, "√", NULL);
	expect_text_value(fp_norm_choice, "良好", NULL);
	expect_text_value(fp_norm_choice, "", NULL);
}

static void
test_glob(void **state)
{
	(void)state;
	assert_true(fp_glob("*满意度*", "社会公众或服务对象满意度"));
	assert_true(fp_glob("产出目标*", "产出目标(部门工作实绩)"));
	assert_false(fp_glob("产出目标*", "效益目标"));
	assert_true(fp_glob("a*b*c", "axxbyyc"));
	assert_false(fp_glob("abc", "abcd"));
}

static void
expect_unit(const char *text, int stated, int want)
{
	struct fp_buf b = FP_BUF_INIT;
	int exp = 99;

	fp_norm_label(&b, text, strlen(text));
	assert_int_equal(fp_money_unit(b.s ? b.s : "", &exp) != 0, stated);
	if (stated)
		assert_int_equal(exp, want);
	fp_buf_release(&b);
}

/* What states the unit of amounts, and what does not. */
static void
test_money_unit_statements(void **state)
{
	(void)state;
	expect_unit("年度收入情况（元）", 1, -4);
	expect_unit("年度收入情况（万元）", 1, 0);
	expect_unit("（元）", 1, -4);
	expect_unit("合计(千元)", 1, -1);
	expect_unit("金额单位：元", 1, -4);
	expect_unit("单位: 万元", 1, 0);
	expect_unit("（单位：亿元）", 1, 4);
	expect_unit("单位：百万元", 1, 2);
	expect_unit("单位：人民币元", 1, -4);
	expect_unit("金额单位：元（保留两位小数）", 1, -4);
	expect_unit("单位：万元，填报日期", 1, 0);
	expect_unit("填报单位：湘阴县应急管理局", 0, 0);
	expect_unit("单位：元宝山区", 0, 0);
	expect_unit("部门（单位）名称", 0, 0);
	expect_unit("人员编制（人）", 0, 0);
	expect_unit("1207.9276万元", 0, 0);
	expect_unit("（美元）", 0, 0);
	expect_unit("元", 0, 0);
	expect_unit("", 0, 0);
}

/* A money unit alone, as under each column of a units row. */
static void
test_money_unit_word_alone(void **state)
{
	int exp = 99;

	(void)state;
	assert_true(fp_money_unit_word("元", &exp));
	assert_int_equal(exp, -4);
	assert_true(fp_money_unit_word("万元", &exp));
	assert_int_equal(exp, 0);
	assert_true(fp_money_unit_word("千元", &exp));
	assert_int_equal(exp, -1);
	assert_false(fp_money_unit_word("(元)", &exp));
	assert_false(fp_money_unit_word("元宝山区", &exp));
	assert_false(fp_money_unit_word("美元", &exp));
	assert_false(fp_money_unit_word("", &exp));
}

/* Amounts with no unit of their own take the stated one; their own wins. */
static void
test_norm_money_in_a_stated_unit(void **state)
{
	struct fp_value v = { 0 };
	struct fp_buf b = FP_BUF_INIT;
	static const struct {
		const char *text;
		int exp;
		const char *want;
	} t[] = {
		{ "12079276", -4, "1207.9276" },
		{ "1,000,000", -4, "100" },
		{ "1207.93万元", -4, "1207.93" },
		{ "50000元", 0, "5" },
		{ "30", -1, "3" },
		{ "30千元", 0, "3" },
		{ "1.5亿元", 0, "15000" },
		{ "2", 4, "20000" },
		{ "2", 2, "200" },
		{ "0.01", -4, "1e-06" },
		{ "待定", -4, NULL },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		v.text = t[i].text;
		v.len = strlen(t[i].text);
		fp_buf_reset(&b);
		assert_int_equal(fp_norm_money_in(&b, &v, t[i].exp),
		    t[i].want != NULL);
		if (t[i].want)
			assert_string_equal(b.s, t[i].want);
	}
	v.text = NULL;
	v.len = 0;
	v.is_number = 1;
	v.num = 12079276;
	fp_buf_reset(&b);
	assert_true(fp_norm_money_in(&b, &v, -4));
	assert_string_equal(b.s, "1207.9276");
	fp_buf_release(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_norm_label_spaces_colons_brackets),
		cmocka_unit_test(test_norm_label_traditional),
		cmocka_unit_test(test_norm_label_grows_past_its_text),
		cmocka_unit_test(test_norm_text_trims_and_makes_lf),
		cmocka_unit_test(test_norm_money_forms),
		cmocka_unit_test(test_money_unit_statements),
		cmocka_unit_test(test_money_unit_word_alone),
		cmocka_unit_test(test_norm_money_in_a_stated_unit),
		cmocka_unit_test(test_norm_integer_and_score),
		cmocka_unit_test(test_norm_percent_cells),
		cmocka_unit_test(test_norm_phone),
		cmocka_unit_test(test_norm_date_forms),
		cmocka_unit_test(test_norm_choice),
		cmocka_unit_test(test_parse_number_whole_text_only),
		cmocka_unit_test(test_glob),
	};

	return cmocka_run_group_tests_name("normalize", tests, NULL, NULL);
}
