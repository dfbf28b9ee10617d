/*
 * Unit tests for the OpenDocument reader (ods.c) behind the workbook
 * interface: tables and their visibility, values by type (durations
 * included), text from paragraphs, spaces, tabs and line breaks, spans
 * as merged ranges, column widths, repeated rows and cells, and the
 * refusals of repetition beyond reason.
 */
#include "testutil.h"

#include "workbook.h"

static struct fp_workbook *
open_ok(const char *path)
{
	struct fp_workbook *wb = NULL;
	struct fp_diag d;

	if (fp_workbook_open(path, &wb, &d) != FP_OK)
		fail_msg("%s: %s", path, d.msg);
	return wb;
}

static char *
cell_at(struct fp_workbook *wb, size_t i, uint32_t r, uint32_t c)
{
	static char out[256];
	struct fp_grid g;
	struct fp_diag d;
	const struct fp_cell *cell;
	char buf[FP_NUM_MAX];
	const char *v;
	size_t len;

	assert_int_equal(fp_grid_load(wb, i, &g, &d), FP_OK);
	cell = fp_grid_at(&g, r, c);
	if (!cell) {
		strcpy(out, "empty");
	} else {
		v = fp_cell_render(cell, fp_workbook_date1904(wb), buf, &len);
		snprintf(out, sizeof out, "%s:%.*s",
		    fp_cell_type_name((enum fp_cell_type)cell->type), (int)len,
		    v);
	}
	fp_grid_release(&g);
	return out;
}

static void
test_ods_tables_and_hidden_ones(void **state)
{
	struct fp_workbook *wb = open_ok("fixtures/libreoffice.ods");

	(void)state;
	assert_string_equal(fp_workbook_kind(wb), "ODS");
	assert_int_equal(fp_workbook_nsheets(wb), 6);
	assert_string_equal(fp_workbook_sheet(wb, 2)->name, "第三页");
	assert_int_equal(fp_workbook_sheet(wb, 3)->hidden, 0);
	assert_int_equal(fp_workbook_sheet(wb, 4)->hidden, 1);
	assert_int_equal(fp_workbook_sheet(wb, 5)->hidden, 1);
	fp_workbook_free(wb);
}

static void
test_ods_values_by_type_and_text(void **state)
{
	struct fp_workbook *wb = open_ok("fixtures/libreoffice.ods");

	(void)state;
	assert_string_equal(cell_at(wb, 0, 4, 1), "number:13712345678");
	assert_string_equal(cell_at(wb, 0, 10, 1), "text:line1\nline2");
	assert_string_equal(cell_at(wb, 0, 12, 1), "text:a\tb");
	assert_string_equal(cell_at(wb, 0, 13, 1), "text:two  spaces   three");
	assert_string_equal(cell_at(wb, 0, 14, 1), "text:  padded  ");
	assert_string_equal(cell_at(wb, 0, 18, 1), "error:#DIV/0!");
	assert_string_equal(cell_at(wb, 0, 24, 1),
	    "datetime:2014-02-19 14:30:00");
	assert_string_equal(cell_at(wb, 0, 23, 1), "time:08:30:00");
	assert_string_equal(cell_at(wb, 0, 25, 1), "time:36:00:00");
	assert_string_equal(cell_at(wb, 0, 28, 1), "number:0.96");
	/* Calc computed and saved the formula openpyxl left without one. */
	assert_string_equal(cell_at(wb, 0, 30, 1), "number:3");
	fp_workbook_free(wb);
}

static void
test_ods_booleans_from_gnumeric(void **state)
{
	struct fp_workbook *wb = open_ok("fixtures/gnumeric.ods");

	(void)state;
	assert_string_equal(cell_at(wb, 0, 15, 1), "bool:TRUE");
	assert_string_equal(cell_at(wb, 0, 16, 1), "bool:FALSE");
	fp_workbook_free(wb);
}

static void
test_ods_spans_widths_and_covered_cells(void **state)
{
	struct fp_workbook *wb = open_ok("fixtures/libreoffice.ods");
	const struct fp_sheet_info *si;
	struct fp_grid g;
	struct fp_diag d;

	(void)state;
	assert_int_equal(fp_grid_load(wb, 1, &g, &d), FP_OK);
	/* Covered cells hold nothing: title, label and three rows of two. */
	assert_int_equal(g.ncells, 8);
	fp_grid_release(&g);
	si = fp_workbook_sheet(wb, 1);
	assert_int_equal(si->nmerges, 2);
	assert_int_equal(si->merges[0].c1, 1);
	assert_int_equal(si->merges[0].c2, 3);
	assert_int_equal(si->merges[1].r1, 2);
	assert_int_equal(si->merges[1].r2, 4);
	assert_true(si->nwidths >= 4);
	assert_int_equal(si->widths[0].c1, 0);
	assert_true(si->widths[0].width > 3.9 && si->widths[0].width < 4.1);
	assert_true(si->widths[2].width > 20.4 && si->widths[2].width < 20.6);
	assert_int_equal(si->widths[4].c1, 4);
	assert_int_equal(si->widths[4].hidden, 1);
	fp_workbook_free(wb);
}

static void
test_ods_repeated_rows_and_cells(void **state)
{
	struct fp_workbook *wb = open_ok("fixtures/repeated-rows.ods");
	struct fp_grid g;
	struct fp_diag d;

	(void)state;
	assert_int_equal(fp_grid_load(wb, 3, &g, &d), FP_OK);
	/* Three rows of two from one repeated row, four zeros, two more. */
	assert_int_equal(g.ncells, 12);
	assert_int_equal(g.nrows, 9);
	assert_non_null(fp_grid_at(&g, 2, 1));
	assert_non_null(fp_grid_at(&g, 4, 3));
	assert_null(fp_grid_at(&g, 4, 4));
	fp_grid_release(&g);
	fp_workbook_free(wb);
}

static void
test_ods_repetition_beyond_reason_refused(void **state)
{
	static const char *const cases[][2] = {
		{ "fixtures/bad/ods-columns.ods", "repeats a cell past column XFD" },
		{ "fixtures/bad/ods-copies.ods", "more than 16 million copies" },
		{ "fixtures/bad/password.ods", "password-protected" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		struct fp_workbook *wb = NULL;
		struct fp_grid g;
		struct fp_diag d;
		enum fp_err err = fp_workbook_open(cases[i][0], &wb, &d);

		if (!err) {
			err = fp_grid_load(wb, 0, &g, &d);
			if (!err)
				fp_grid_release(&g);
		}
		fp_workbook_free(wb);
		if (!err || !strstr(d.msg, cases[i][1]))
			fail_msg("%s: %s", cases[i][0], err ? d.msg : "read");
	}
}

/*
 * A percentage, by its value type or, as gnumeric writes one, a float in
 * a percentage data style, is a number shown as a percentage, which map
 * takes as what it shows (0.2 as 20), with its style's decimals (none for
 * 0%, Excel's 0.00% where no style says); a float in a number style is
 * not.
 */
static void
test_ods_percentages_by_value_type_or_style(void **state)
{
	struct fp_workbook *wb = open_ok("fixtures/calc-ways.ods");
	struct fp_grid g;
	struct fp_diag d;
	const struct fp_cell *c;
	static const int shows[] = { 1, 3, 0 };	/* 1 + decimals, or 0 */
	uint32_t col;

	(void)state;
	assert_string_equal(fp_workbook_sheet(wb, 5)->name, "styles");
	assert_int_equal(fp_grid_load(wb, 5, &g, &d), FP_OK);
	for (col = 0; col < 3; col++) {
		c = fp_grid_at(&g, 3, col);
		assert_non_null(c);
		assert_int_equal(c->type, FP_CELL_NUMBER);
		assert_int_equal(fp_workbook_percent(wb, c->fmt), shows[col]);
	}
	fp_grid_release(&g);
	fp_workbook_free(wb);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ods_tables_and_hidden_ones),
		cmocka_unit_test(test_ods_percentages_by_value_type_or_style),
		cmocka_unit_test(test_ods_values_by_type_and_text),
		cmocka_unit_test(test_ods_booleans_from_gnumeric),
		cmocka_unit_test(test_ods_spans_widths_and_covered_cells),
		cmocka_unit_test(test_ods_repeated_rows_and_cells),
		cmocka_unit_test(test_ods_repetition_beyond_reason_refused),
	};

	return cmocka_run_group_tests_name("ods", tests, NULL, NULL);
}
