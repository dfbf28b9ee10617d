/*
 * Unit tests for the Office Open XML reader (ooxml.c) behind the workbook
 * interface: the sheets the relationships give, in order, with their
 * visibility; cells typed as the .xls reader types them; merged ranges,
 * column widths and the declared width gathered by a scan; the 1904 date
 * system; the looks of styles.xml, with the theme's colours, and of a
 * sheet, for convert; and the messages for what is broken.
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

/* The cell at row r, column c (from 0) of sheet i as "type:value". */
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
test_ooxml_sheets_in_workbook_order_with_visibility(void **state)
{
	static const char *const names[] = {
		"cases", "merged", "第三页", "repeat", "hidden", "veryhidden",
	};
	struct fp_workbook *wb = open_ok("fixtures/openpyxl.xlsx");
	size_t i;

	(void)state;
	assert_string_equal(fp_workbook_kind(wb), "OOXML");
	assert_int_equal(fp_workbook_nsheets(wb), 6);
	for (i = 0; i < 6; i++) {
		assert_string_equal(fp_workbook_sheet(wb, i)->name, names[i]);
		assert_int_equal(fp_workbook_sheet(wb, i)->hidden, i >= 4);
	}
	fp_workbook_free(wb);
}

static void
test_ooxml_cells_typed_like_xls(void **state)
{
	struct fp_workbook *wb = open_ok("fixtures/openpyxl.xlsx");

	(void)state;
	assert_string_equal(cell_at(wb, 0, 4, 1), "number:13712345678");
	assert_string_equal(cell_at(wb, 0, 11, 1), "text:cr\r\nlf");
	assert_string_equal(cell_at(wb, 0, 15, 1), "bool:TRUE");
	assert_string_equal(cell_at(wb, 0, 18, 1), "error:#DIV/0!");
	assert_string_equal(cell_at(wb, 0, 20, 1), "date:2022-03-15");
	assert_string_equal(cell_at(wb, 0, 24, 1),
	    "datetime:2014-02-19 14:30:00");
	assert_string_equal(cell_at(wb, 0, 25, 1), "time:36:00:00");
	/* A formula openpyxl saved without a result has no value. */
	assert_string_equal(cell_at(wb, 0, 30, 1), "empty");
	fp_workbook_free(wb);
}

static void
test_ooxml_number_formats_from_styles(void **state)
{
	struct fp_workbook *wb = open_ok("fixtures/openpyxl.xlsx");
	struct fp_grid g;
	struct fp_diag d;
	const struct fp_cell *c;

	(void)state;
	assert_int_equal(fp_grid_load(wb, 0, &g, &d), FP_OK);
	c = fp_grid_at(&g, 25, 1);
	assert_non_null(c);
	assert_string_equal(fp_workbook_format(wb, c->fmt), "[h]:mm:ss");
	c = fp_grid_at(&g, 21, 1);
	assert_non_null(c);
	assert_string_equal(fp_workbook_format(wb, c->fmt),
	    "yyyy\"年\"m\"月\"d\"日\"");
	fp_grid_release(&g);
	fp_workbook_free(wb);
}

static void
test_ooxml_merges_widths_and_declared_width(void **state)
{
	struct fp_workbook *wb = open_ok("fixtures/openpyxl.xlsx");
	const struct fp_sheet_info *si;
	struct fp_grid g;
	struct fp_diag d;

	(void)state;
	assert_int_equal(fp_grid_load(wb, 1, &g, &d), FP_OK);
	fp_grid_release(&g);
	si = fp_workbook_sheet(wb, 1);
	assert_int_equal(si->nmerges, 2);
	assert_int_equal(si->merges[0].r1, 0);
	assert_int_equal(si->merges[0].r2, 0);
	assert_int_equal(si->merges[0].c1, 1);
	assert_int_equal(si->merges[0].c2, 3);
	assert_int_equal(si->merges[1].r1, 2);
	assert_int_equal(si->merges[1].r2, 4);
	assert_int_equal(si->merges[1].c1, 1);
	assert_int_equal(si->merges[1].c2, 1);
	assert_int_equal(si->nwidths, 4);
	assert_int_equal(si->widths[2].c1, 2);
	assert_true(si->widths[2].width > 20.4 && si->widths[2].width < 20.6);
	assert_int_equal(si->widths[3].c1, 4);
	assert_int_equal(si->widths[3].hidden, 1);
	assert_int_equal(si->dimcols, 4);
	fp_workbook_free(wb);
}

static void
test_ooxml_date1904(void **state)
{
	struct fp_workbook *wb = open_ok("fixtures/openpyxl-1904.xlsx");

	(void)state;
	assert_int_equal(fp_workbook_date1904(wb), 1);
	assert_string_equal(cell_at(wb, 0, 2, 1), "date:1904-01-02");
	assert_string_equal(cell_at(wb, 0, 5, 1), "time:36:00:00");
	fp_workbook_free(wb);
}

static void
test_ooxml_shared_rich_and_formula_results(void **state)
{
	struct fp_workbook *wb = open_ok("fixtures/xlsxwriter.xlsx");
	struct fp_grid g;
	struct fp_diag d;

	(void)state;
	assert_string_equal(cell_at(wb, 0, 1, 1), "text:中文本");
	assert_string_equal(cell_at(wb, 0, 3, 1), "text:ab");
	assert_string_equal(cell_at(wb, 0, 7, 1), "text:a\001b");
	assert_string_equal(cell_at(wb, 0, 8, 1), "text:_x0041_");
	assert_int_equal(fp_grid_load(wb, 0, &g, &d), FP_OK);
	assert_int_equal(fp_grid_at(&g, 2, 1)->formula, 1);
	assert_int_equal(fp_grid_at(&g, 11, 1)->formula, 0);
	fp_grid_release(&g);
	fp_workbook_free(wb);
}

static void
test_ooxml_strict_prefixed_and_without_refs_read_alike(void **state)
{
	struct fp_workbook *a = open_ok("fixtures/openpyxl.xlsx");
	struct fp_workbook *b = open_ok("fixtures/strict.xlsx");
	struct fp_workbook *c = open_ok("fixtures/no-refs.xlsx");
	size_t i;

	(void)state;
	assert_int_equal(fp_workbook_nsheets(b), fp_workbook_nsheets(a));
	for (i = 0; i < fp_workbook_nsheets(a); i++) {
		struct fp_grid ga, gb, gc;
		struct fp_diag d;
		size_t k;

		assert_int_equal(fp_grid_load(a, i, &ga, &d), FP_OK);
		assert_int_equal(fp_grid_load(b, i, &gb, &d), FP_OK);
		assert_int_equal(fp_grid_load(c, i, &gc, &d), FP_OK);
		assert_int_equal(gb.ncells, ga.ncells);
		assert_int_equal(gc.ncells, ga.ncells);
		for (k = 0; k < ga.ncells; k++) {
			assert_int_equal(gb.cells[k].row, ga.cells[k].row);
			assert_int_equal(gb.cells[k].col, ga.cells[k].col);
			assert_int_equal(gc.cells[k].row, ga.cells[k].row);
			assert_int_equal(gc.cells[k].col, ga.cells[k].col);
			assert_int_equal(gc.cells[k].type, ga.cells[k].type);
		}
		fp_grid_release(&ga);
		fp_grid_release(&gb);
		fp_grid_release(&gc);
	}
	assert_int_equal(fp_workbook_sheet(b, 5)->hidden, 1);
	fp_workbook_free(a);
	fp_workbook_free(b);
	fp_workbook_free(c);
}

/* Fonts, fills, borders and alignment of styles.xml, as the model's. */
static void
test_ooxml_looks_fonts_and_cell_formats(void **state)
{
	struct fp_workbook *wb = open_ok("fixtures/xlsx-looks.xlsx");
	const struct fp_font *f;
	const struct fp_xf *x;
	size_t nf, nx;

	(void)state;
	f = fp_workbook_fonts(wb, &nf);
	x = fp_workbook_xfs(wb, &nx);
	assert_int_equal(nf, 9);
	assert_int_equal(nx, 14);
	assert_string_equal(f[0].name, "Calibri");
	assert_int_equal(f[0].height, 220);
	/* A1: SimSun 14 pt bold, single underline, red as ARGB. */
	assert_int_equal(x[1].font, 1);
	assert_string_equal(f[1].name, "SimSun");
	assert_int_equal(f[1].height, 280);
	assert_int_equal(f[1].weight, 700);
	assert_int_equal(f[1].underline, 1);
	assert_int_equal(x[1].rgb_font, 0x1FF0000);
	/* B2: Arial 9 pt italic on solid yellow. */
	assert_string_equal(f[x[2].font].name, "Arial");
	assert_int_equal(f[x[2].font].height, 180);
	assert_int_equal(f[x[2].font].italic, 1);
	assert_int_equal(x[2].pattern, 1);
	assert_int_equal(x[2].rgb_fg, 0x1FFFF00);
	/* C3: thin, medium, dashed and double lines, each its colour. */
	assert_int_equal(x[3].border[FP_LEFT], 1);
	assert_int_equal(x[3].border[FP_RIGHT], 2);
	assert_int_equal(x[3].border[FP_TOP], 3);
	assert_int_equal(x[3].border[FP_BOTTOM], 6);
	assert_int_equal(x[3].rgb_border[FP_LEFT], 0x10000FF);
	assert_int_equal(x[3].rgb_border[FP_RIGHT], 0x100FF00);
	assert_int_equal(x[3].rgb_border[FP_TOP], 0x1FF0000);
	assert_int_equal(x[3].rgb_border[FP_BOTTOM], 0x1808080);
	assert_int_equal(x[3].pattern, 0);
	/* D4 centred both ways and wrapped; E5 left, turned, indented. */
	assert_int_equal(x[4].halign, 2);
	assert_int_equal(x[4].valign, 1);
	assert_int_equal(x[4].wrap, 1);
	assert_int_equal(x[5].halign, 1);
	assert_int_equal(x[5].valign, 2);
	assert_int_equal(x[5].rotation, 90);
	assert_int_equal(x[5].indent, 2);
	/* F6: #,##0.00 (built-in 4), struck out in the default font. */
	assert_int_equal(x[6].fmt, 4);
	assert_int_equal(f[x[6].font].strike, 1);
	assert_string_equal(f[x[6].font].name, "Calibri");
	assert_int_equal(f[x[6].font].height, 220);
	assert_int_equal(x[6].locked, 1);
	fp_workbook_free(wb);
}

/*
 * Colours of the theme, with their tints, as RGB. The fixture's theme is
 * its own, not Office's; its dk1 and lt1 are system colours, given by
 * their lastClr.
 */
static void
test_ooxml_looks_theme_colours(void **state)
{
	struct fp_workbook *wb = open_ok("fixtures/xlsx-looks.xlsx");
	const struct fp_xf *x;
	size_t nx;

	(void)state;
	x = fp_workbook_xfs(wb, &nx);
	assert_int_equal(nx, 14);
	/* The default font is in dk1, 1A1A2E. */
	assert_int_equal(x[0].rgb_font, 0x11A1A2E);
	/* H9: accent1, 2E8B57, lightened 60%. */
	assert_int_equal(x[8].pattern, 1);
	assert_int_equal(x[8].rgb_fg, 0x19DDFBA);
	/* I10: accent2 on accent4, untinted. */
	assert_int_equal(x[9].rgb_font, 0x1C71585);
	assert_int_equal(x[9].rgb_fg, 0x14169E1);
	/* J11: dk1 lightened 35% on lt1, FFFDF5, darkened 15%. */
	assert_int_equal(x[10].rgb_font, 0x1515190);
	assert_int_equal(x[10].rgb_fg, 0x1FFEEAA);
	/*
	 * K12: accent1 darkened 25%, lt2 (F0E6D2) darkened 50%, hlink; and
	 * an RGB's tint, 808080 lightened 40%.
	 */
	assert_int_equal(x[11].rgb_border[FP_LEFT], 0x1236841);
	assert_int_equal(x[11].rgb_border[FP_RIGHT], 0x1A98338);
	assert_int_equal(x[11].rgb_border[FP_TOP], 0x10B61A4);
	assert_int_equal(x[11].rgb_border[FP_BOTTOM], 0x1B3B3B3);
	/* L13: theme colours 12 and 13, no theme's: automatic, no fill. */
	assert_int_equal(x[12].rgb_font, 0);
	assert_int_equal(x[12].pattern, 0);
	/*
	 * M14: folHlink (7B2D8E) lightened 40%; darkGrid in dk2 on accent3
	 * (8A6D3B) lightened 80%.
	 */
	assert_int_equal(x[13].rgb_font, 0x1BD6CD0);
	assert_int_equal(x[13].pattern, 9);
	assert_int_equal(x[13].rgb_fg, 0x12B3A55);
	assert_int_equal(x[13].rgb_bg, 0x1ECE3D3);
	fp_workbook_free(wb);
}

/*
 * A theme that gives colours oddly: those it gives well are kept, the
 * others are automatic and a fill in one is dropped, not made black. The
 * second colour scheme, which gives all of them, is not the theme's.
 */
static void
test_ooxml_looks_theme_colours_odd(void **state)
{
	struct fp_workbook *wb = open_ok("fixtures/xlsx-odd-theme.xlsx");
	const struct fp_xf *x;
	size_t nx;

	(void)state;
	x = fp_workbook_xfs(wb, &nx);
	assert_int_equal(nx, 14);
	/* dk1, a system colour without lastClr. */
	assert_int_equal(x[0].rgb_font, 0);
	/* accent1, five digits. */
	assert_int_equal(x[8].pattern, 0);
	assert_int_equal(x[11].rgb_border[FP_LEFT], 0);
	/* accent2, an scrgbClr, on accent4 as it should be. */
	assert_int_equal(x[9].rgb_font, 0);
	assert_int_equal(x[9].pattern, 1);
	assert_int_equal(x[9].rgb_fg, 0x14169E1);
	/* lt1, seven digits; lt2, "zzzzzz"; hlink in lower case. */
	assert_int_equal(x[10].pattern, 0);
	assert_int_equal(x[11].rgb_border[FP_RIGHT], 0);
	assert_int_equal(x[11].rgb_border[FP_TOP], 0x10B61A4);
	assert_int_equal(x[11].rgb_border[FP_BOTTOM], 0x1B3B3B3);
	/* folHlink as it should be; dk2, not given, drops M14's fill. */
	assert_int_equal(x[13].rgb_font, 0x1BD6CD0);
	assert_int_equal(x[13].pattern, 0);
	fp_workbook_free(wb);
}

/*
 * A theme part cut off mid-tag costs its colours, not the workbook: it
 * opens, its cells read, and a fill in a theme colour is dropped as with
 * no theme.
 */
static void
test_ooxml_broken_theme_opens(void **state)
{
	struct fp_workbook *wb = open_ok("fixtures/bad/malformed-theme.xlsx");
	struct fp_grid g;
	struct fp_diag d;

	(void)state;
	assert_int_equal(fp_grid_load(wb, 0, &g, &d), FP_OK);
	assert_true(g.ncells > 0);
	fp_grid_release(&g);
	fp_workbook_free(wb);
}

/* A sheet's cell formats, rows, page setup and window, with keep_looks. */
static void
test_ooxml_looks_of_a_sheet(void **state)
{
	struct fp_workbook *wb = open_ok("fixtures/xlsx-looks.xlsx");
	const struct fp_sheet_looks *l;
	struct fp_grid g;
	struct fp_diag d;
	size_t k;

	(void)state;
	assert_int_equal(fp_grid_load(wb, 1, &g, &d), FP_OK);
	fp_grid_release(&g);
	assert_null(fp_workbook_sheet(wb, 1)->looks);
	fp_workbook_keep_looks(wb);
	assert_int_equal(fp_grid_load(wb, 1, &g, &d), FP_OK);
	fp_grid_release(&g);
	l = fp_workbook_sheet(wb, 1)->looks;
	assert_non_null(l);
	/*
	 * A1 to G7 name their formats, G7 without a value; A8 names none;
	 * H9 to M14 name the rest.
	 */
	assert_int_equal(l->ncells, 13);
	for (k = 0; k < 13; k++) {
		assert_int_equal(l->cells[k].row, k < 7 ? k : k + 1);
		assert_int_equal(l->cells[k].col, k);
		assert_int_equal(l->cells[k].xf, k + 1);
	}
	assert_int_equal(l->nrows, 2);
	assert_int_equal(l->rows[0].row, 5);
	assert_true(l->rows[0].height == 30);
	assert_int_equal(l->rows[0].custom, 1);
	assert_int_equal(l->rows[0].hidden, 0);
	assert_int_equal(l->rows[1].row, 7);
	assert_int_equal(l->rows[1].hidden, 1);
	assert_int_equal(l->page.landscape, 1);
	assert_int_equal(l->page.paper, 9);
	assert_int_equal(l->page.fit, 1);
	assert_int_equal(l->page.fitw, 1);
	assert_int_equal(l->page.fith, 0);
	assert_true(l->page.margin[FP_LEFT] == 0.5);
	assert_true(l->page.margin[FP_BOTTOM] == 0.8);
	assert_true(l->page.mheader == 0.5);
	assert_string_equal(l->page.header, "&CPage &P");
	assert_string_equal(l->page.footer, "&L&F");
	assert_int_equal(l->page.hcenter, 1);
	assert_int_equal(l->page.vcenter, 0);
	assert_int_equal(l->win.frozen, 1);
	assert_int_equal(l->win.frow, 1);
	assert_int_equal(l->win.fcol, 1);
	assert_int_equal(l->win.selected, 1);
	assert_int_equal(l->win.hide_grid, 1);
	assert_int_equal(l->win.zoom, 85);
	assert_true(l->defheight == 15);
	/* The first sheet: not selected, nothing set. */
	assert_int_equal(fp_grid_load(wb, 0, &g, &d), FP_OK);
	fp_grid_release(&g);
	l = fp_workbook_sheet(wb, 0)->looks;
	assert_int_equal(l->win.selected, 0);
	assert_int_equal(l->win.frozen, 0);
	assert_int_equal(l->page.landscape, -1);
	assert_null(l->page.header);
	fp_workbook_free(wb);
}

/* Opens path and loads every sheet; returns the first error's message. */
static char *
first_error(const char *path, enum fp_err *err)
{
	static struct fp_diag d;
	struct fp_workbook *wb = NULL;
	size_t i;

	*err = fp_workbook_open(path, &wb, &d);
	for (i = 0; !*err && i < fp_workbook_nsheets(wb); i++) {
		struct fp_grid g;

		*err = fp_grid_load(wb, i, &g, &d);
		if (!*err)
			fp_grid_release(&g);
	}
	fp_workbook_free(wb);
	return *err ? d.msg : NULL;
}

static void
test_ooxml_broken_files_say_what_is_wrong(void **state)
{
	static const struct {
		const char *path;
		enum fp_err err;
		const char *says;
	} cases[] = {
		{ "fixtures/bad/sst-range.xlsx", FP_ECORRUPT,
		    "cell results!A2 in xl/worksheets/sheet1.xml refers to "
		    "shared string 999 of 30" },
		{ "fixtures/bad/beyond-grid.xlsx", FP_ECORRUPT,
		    "XFE40, lies beyond Excel's grid" },
		{ "fixtures/bad/missing-sheet.xlsx", FP_ECORRUPT,
		    "sheet \"merged\" is in xl/worksheets/sheet2.xml, which the "
		    "file does not have" },
		{ "fixtures/bad/dtd.xlsx", FP_ECORRUPT,
		    "document type declaration" },
		{ "fixtures/bad/malformed.xlsx", FP_ECORRUPT,
		    "malformed XML in xl/worksheets/sheet1.xml at line 5" },
		{ "fixtures/bad/book.xlsb", FP_EFORMAT, ".xlsb" },
		{ "fixtures/bad/password.xlsx", FP_EENCRYPTED,
		    "password-protected" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		enum fp_err err;
		char *msg = first_error(cases[i].path, &err);

		if (err != cases[i].err || !msg || !strstr(msg, cases[i].says))
			fail_msg("%s: %d %s", cases[i].path, err,
			    msg ? msg : "(no error)");
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ooxml_sheets_in_workbook_order_with_visibility),
		cmocka_unit_test(test_ooxml_cells_typed_like_xls),
		cmocka_unit_test(test_ooxml_number_formats_from_styles),
		cmocka_unit_test(test_ooxml_merges_widths_and_declared_width),
		cmocka_unit_test(test_ooxml_date1904),
		cmocka_unit_test(test_ooxml_shared_rich_and_formula_results),
		cmocka_unit_test(test_ooxml_strict_prefixed_and_without_refs_read_alike),
		cmocka_unit_test(test_ooxml_looks_fonts_and_cell_formats),
		cmocka_unit_test(test_ooxml_looks_theme_colours),
		cmocka_unit_test(test_ooxml_looks_theme_colours_odd),
		cmocka_unit_test(test_ooxml_broken_theme_opens),
		cmocka_unit_test(test_ooxml_looks_of_a_sheet),
		cmocka_unit_test(test_ooxml_broken_files_say_what_is_wrong),
	};

	return cmocka_run_group_tests_name("ooxml", tests, NULL, NULL);
}
