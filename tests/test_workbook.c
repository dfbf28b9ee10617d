/*
 * Unit tests for the workbook interface and formpipe's own BIFF reader:
 * the fixtures' cells, types, merged ranges and formats, refusals of bad
 * files, and hand-built BIFF8 streams for the cases no writer makes on
 * purpose (cells out of order, strings split across CONTINUE records,
 * truncated sheets, dangling shared-string references).
 */
#include "testutil.h"

#include <unistd.h>

#include "workbook.h"
#include "reader.h"

static struct fp_workbook *
open_ok(const char *path)
{
	struct fp_workbook *wb = NULL;
	struct fp_diag d;

	if (fp_workbook_open(path, &wb, &d) != FP_OK)
		fail_msg("%s: %s", path, d.msg);
	return wb;
}

/* Renders the cell at A1-style row/col (0-based) of sheet i as type:value. */
static char *
cell_at(struct fp_workbook *wb, size_t sheet, uint32_t r, uint32_t c)
{
	static char out[4096];
	struct fp_grid g;
	struct fp_diag d;
	const struct fp_cell *cell;
	char buf[FP_NUM_MAX];
	const char *v;
	size_t len;

	assert_int_equal(fp_grid_load(wb, sheet, &g, &d), FP_OK);
	cell = fp_grid_at(&g, r, c);
	if (!cell) {
		strcpy(out, "empty");
	} else {
		v = fp_cell_render(cell, fp_workbook_date1904(wb), buf, &len);
		snprintf(out, sizeof out, "%s:%.*s",
		    fp_cell_type_name((enum fp_cell_type)cell->type), (int)len, v);
	}
	fp_grid_release(&g);
	return out;
}

static void
test_numbers_fixture_values_and_types(void **state)
{
	struct fp_workbook *wb = open_ok("fixtures/numbers.xls");

	(void)state;
	assert_string_equal(fp_workbook_kind(wb), "BIFF8");
	assert_string_equal(fp_workbook_sheet(wb, 0)->name, "numbers");
	assert_string_equal(cell_at(wb, 0, 0, 0), "number:0.1");
	assert_string_equal(cell_at(wb, 0, 0, 1), "number:1207.9276");
	assert_string_equal(cell_at(wb, 0, 0, 3), "number:1e+20");
	assert_string_equal(cell_at(wb, 0, 0, 4), "number:13712345678");
	assert_string_equal(cell_at(wb, 0, 2, 2), "empty");
	assert_string_equal(cell_at(wb, 0, 3, 0), "text:中文");
	assert_string_equal(cell_at(wb, 0, 3, 4), "text:say \"hi\"");
	assert_string_equal(cell_at(wb, 0, 4, 1), "text:line1\r\nline2");
	fp_workbook_free(wb);
}

static void
test_dates_fixture_types(void **state)
{
	struct fp_workbook *wb = open_ok("fixtures/dates.xls");
	struct fp_grid g;
	struct fp_diag d;
	uint32_t r;

	(void)state;
	assert_int_equal(fp_workbook_date1904(wb), 0);
	/* Column C holds, as text, what column B must render as. */
	assert_int_equal(fp_grid_load(wb, 0, &g, &d), FP_OK);
	for (r = 1; r < g.nrows; r++) {
		const struct fp_cell *b = fp_grid_at(&g, r, 1);
		const struct fp_cell *c = fp_grid_at(&g, r, 2);
		char buf[FP_NUM_MAX];
		size_t len;
		const char *v;

		if (!b || !c)
			continue;
		v = fp_cell_render(b, 0, buf, &len);
		if (len != c->len || memcmp(v, c->v.text, len) != 0)
			fail_msg("row %u: got %.*s, want %s", r + 1, (int)len, v,
			    c->v.text);
	}
	fp_grid_release(&g);
	assert_string_equal(cell_at(wb, 0, 1, 1), "date:2022-03-15");
	assert_string_equal(cell_at(wb, 0, 3, 1), "datetime:2022-03-15 08:30:00");
	assert_string_equal(cell_at(wb, 0, 4, 1), "time:08:30:00");
	fp_workbook_free(wb);
}

static void
test_dates1904_fixture(void **state)
{
	struct fp_workbook *wb = open_ok("fixtures/dates1904.xls");

	(void)state;
	assert_int_equal(fp_workbook_date1904(wb), 1);
	assert_string_equal(cell_at(wb, 0, 1, 1), "date:2022-03-15");
	assert_string_equal(cell_at(wb, 0, 5, 1), "date:2150-06-01");
	fp_workbook_free(wb);
}

static void
test_merged_ranges_exposed(void **state)
{
	struct fp_workbook *wb = open_ok("fixtures/merged.xls");
	const struct fp_sheet_info *si;
	struct fp_grid g;
	struct fp_diag d;
	size_t k;
	int title = 0, category = 0;

	(void)state;
	assert_int_equal(fp_grid_load(wb, 0, &g, &d), FP_OK);
	fp_grid_release(&g);
	si = fp_workbook_sheet(wb, 0);
	for (k = 0; k < si->nmerges; k++) {
		const struct fp_range *m = &si->merges[k];

		if (m->r1 == 0 && m->r2 == 0 && m->c1 == 1 && m->c2 == 6)
			title = 1;
		if (m->r1 == 3 && m->r2 == 6 && m->c1 == 1 && m->c2 == 1)
			category = 1;
	}
	assert_true(title);
	assert_true(category);
	assert_true(si->nwidths > 0);
	fp_workbook_free(wb);
}

static void
test_sheets_names_hidden_and_empty(void **state)
{
	struct fp_workbook *wb = open_ok("fixtures/sheets.xls");
	struct fp_grid g;
	struct fp_diag d;

	(void)state;
	assert_int_equal(fp_workbook_nsheets(wb), 4);
	assert_string_equal(fp_workbook_sheet(wb, 1)->name, "empty");
	assert_string_equal(fp_workbook_sheet(wb, 2)->name, "第三页");
	assert_false(fp_workbook_sheet(wb, 0)->hidden);
	assert_true(fp_workbook_sheet(wb, 3)->hidden);
	assert_int_equal(fp_grid_load(wb, 1, &g, &d), FP_OK);
	assert_int_equal(g.ncells, 0);
	fp_grid_release(&g);
	fp_workbook_free(wb);
}

static void
test_formula_results(void **state)
{
	struct fp_workbook *wb = open_ok("fixtures/formulas.xls");
	struct fp_grid g;
	struct fp_diag d;
	uint32_t r;
	int checked = 0;

	(void)state;
	/* Column F holds "type:value" for the formula in column E. */
	assert_int_equal(fp_grid_load(wb, 0, &g, &d), FP_OK);
	for (r = 1; r < g.nrows; r++) {
		const struct fp_cell *e = fp_grid_at(&g, r, 4);
		const struct fp_cell *f = fp_grid_at(&g, r, 5);
		char buf[FP_NUM_MAX], got[512];
		size_t len;
		const char *v;

		if (!f)
			continue;
		if (!e) {
			/* An empty text result is no cell at all. */
			assert_string_equal(f->v.text, "text:");
			continue;
		}
		v = fp_cell_render(e, 0, buf, &len);
		snprintf(got, sizeof got, "%s:%.*s",
		    fp_cell_type_name((enum fp_cell_type)e->type), (int)len, v);
		assert_string_equal(got, f->v.text);
		checked++;
	}
	assert_true(checked >= 7);
	fp_grid_release(&g);
	fp_workbook_free(wb);
}

static void
test_literal_booleans_and_errors(void **state)
{
	struct fp_workbook *wb = open_ok("fixtures/literals.xls");

	(void)state;
	assert_string_equal(cell_at(wb, 0, 1, 1), "bool:TRUE");
	assert_string_equal(cell_at(wb, 0, 2, 1), "bool:FALSE");
	assert_string_equal(cell_at(wb, 0, 4, 1), "error:#DIV/0!");
	fp_workbook_free(wb);
}

/* Every code fp_error_text names comes back from its text; others do not. */
static void
test_error_texts_and_codes(void **state)
{
	unsigned code;

	(void)state;
	for (code = 0; code < 0x100; code++) {
		const char *t = fp_error_text(code);

		if (strcmp(t, "#ERROR!"))
			assert_int_equal(fp_error_code(t), code);
	}
	assert_int_equal(fp_error_code("#DIV/0!"), 0x07);
	assert_int_equal(fp_error_code("#GETTING_DATA"), 0x2B);
	assert_int_equal(fp_error_code("#ERROR!"), 0xFF);
	assert_int_equal(fp_error_code("#div/0!"), 0xFF);
	assert_int_equal(fp_error_code(""), 0xFF);
}

/*
 * An error's text is # and letters, digits and _ / ! ? . after it: the
 * later versions' (#SPILL!) are, text with a comma or a space is not.
 */
static void
test_fp_error_is_text_later_errors(void **state)
{
	(void)state;
	assert_true(fp_error_is_text("#N/A"));
	assert_true(fp_error_is_text("#DIV/0!"));
	assert_true(fp_error_is_text("#SPILL!"));
	assert_true(fp_error_is_text("#GETTING_DATA"));
	assert_true(fp_error_is_text("#NAME?"));
	assert_false(fp_error_is_text(""));
	assert_false(fp_error_is_text("#"));
	assert_false(fp_error_is_text("N/A"));
	assert_false(fp_error_is_text("#a,b"));
	assert_false(fp_error_is_text("#N A"));
	assert_false(fp_error_is_text("#\"abc\""));
	/* One character short of FP_ERROR_MAX is the longest. */
	assert_true(fp_error_is_text("#AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));
	assert_false(fp_error_is_text("#AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));
}

static void
test_biff5_gbk_text(void **state)
{
	struct fp_workbook *wb = open_ok("fixtures/gbk-biff5.xls");

	(void)state;
	assert_string_equal(fp_workbook_kind(wb), "BIFF5");
	assert_string_equal(fp_workbook_sheet(wb, 0)->name, "收支表");
	assert_string_equal(cell_at(wb, 0, 0, 0), "text:2021年度部门整体支出绩效自评表");
	assert_string_equal(cell_at(wb, 0, 4, 1), "number:1207.9276");
	assert_string_equal(cell_at(wb, 0, 5, 1), "number:-411.294");
	assert_string_equal(cell_at(wb, 0, 6, 1), "date:2022-03-15");
	fp_workbook_free(wb);
}

static void
test_old_biff_worksheets(void **state)
{
	static const char *const files[] = {
		"fixtures/biff2.xls", "fixtures/biff3.xls", "fixtures/biff4.xls",
	};
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		struct fp_workbook *wb = open_ok(files[i]);

		assert_int_equal(fp_workbook_nsheets(wb), 1);
		assert_string_equal(fp_workbook_sheet(wb, 0)->name, "Sheet 1");
		assert_string_equal(cell_at(wb, 0, 0, 0), "number:70");
		assert_string_equal(cell_at(wb, 0, 1, 0), "text:café crème!");
		assert_string_equal(cell_at(wb, 0, 1, 1), "bool:TRUE");
		assert_string_equal(cell_at(wb, 0, 1, 2), "error:#DIV/0!");
		assert_string_equal(cell_at(wb, 0, 2, 0), "date:2022-03-15");
		/* Formula results: a number, and text from a STRING record. */
		assert_string_equal(cell_at(wb, 0, 3, 0), "number:1277.9276");
		assert_string_equal(cell_at(wb, 0, 3, 1), "text:total");
		fp_workbook_free(wb);
	}
}

static void
test_biff2_ixfe_gives_the_format(void **state)
{
	struct fp_workbook *wb = open_ok("fixtures/biff2.xls");

	(void)state;
	assert_string_equal(fp_workbook_kind(wb), "BIFF2");
	assert_string_equal(cell_at(wb, 0, 4, 0), "date:2022-03-16");
	fp_workbook_free(wb);
}

static void
test_biff4w_workbook_sheets(void **state)
{
	struct fp_workbook *wb = open_ok("fixtures/biff4w.xlw");

	(void)state;
	assert_string_equal(fp_workbook_kind(wb), "BIFF4W");
	assert_int_equal(fp_workbook_nsheets(wb), 2);
	assert_string_equal(fp_workbook_sheet(wb, 0)->name, "first");
	assert_string_equal(fp_workbook_sheet(wb, 1)->name, "second");
	assert_string_equal(cell_at(wb, 1, 2, 0), "date:2022-03-15");
	assert_string_equal(cell_at(wb, 1, 3, 1), "text:total");
	fp_workbook_free(wb);
}

static void
expect_refused(const char *path, enum fp_err want, const char *msg)
{
	struct fp_workbook *wb = (struct fp_workbook *)1;
	struct fp_diag d;

	assert_int_equal(fp_workbook_open(path, &wb, &d), want);
	assert_null(wb);
	if (!strstr(d.msg, msg))
		fail_msg("%s: message \"%s\" lacks \"%s\"", path, d.msg, msg);
}

static void
test_bad_files_refused(void **state)
{
	(void)state;
	expect_refused("fixtures/bad/empty.xls", FP_EEMPTY, "empty file");
	expect_refused("fixtures/bad/png.xls", FP_EFORMAT, "PNG");
	expect_refused("fixtures/bad/garbage.xls", FP_EFORMAT,
	    "not an Excel workbook");
	expect_refused("fixtures/bad/truncated.xls", FP_ETRUNC, "truncated");
	expect_refused("fixtures/bad/password.xls", FP_EENCRYPTED,
	    "password-protected");
	expect_refused("fixtures/bad/ole-no-workbook.xls", FP_EFORMAT,
	    "without a Workbook stream");
	expect_refused("fixtures/no-such-file.xls", FP_EOPEN,
	    "No such file");
}

/*
 * A bare BIFF8 stream built record by record: workbook globals with one
 * sheet, then the sheet's records.
 */
struct stream {
	unsigned char b[1 << 16];
	size_t n;
};

static void
rec(struct stream *s, unsigned type, const void *data, size_t len)
{
	s->b[s->n++] = (unsigned char)type;
	s->b[s->n++] = (unsigned char)(type >> 8);
	s->b[s->n++] = (unsigned char)len;
	s->b[s->n++] = (unsigned char)(len >> 8);
	memcpy(s->b + s->n, data, len);
	s->n += len;
}

static void
put16(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

static void
put32(unsigned char *p, uint32_t v)
{
	put16(p, v & 0xFFFF);
	put16(p + 2, v >> 16);
}

/* Globals (BOF, the given SST bytes if any, BOUNDSHEET, EOF); sheet BOF. */
static size_t
begin(struct stream *s, const void *sst, size_t sstlen)
{
	unsigned char bof[16] = { 0 }, bs[12] = { 0 };
	size_t bspos;

	s->n = 0;
	put16(bof, 0x0600);
	put16(bof + 2, 0x0005);
	rec(s, 0x0809, bof, sizeof bof);
	if (sst)
		rec(s, 0x00FC, sst, sstlen);
	bspos = s->n + 4;
	bs[6] = 4;	/* name length */
	bs[7] = 0;	/* compressed */
	memcpy(bs + 8, "Test", 4);
	rec(s, 0x0085, bs, sizeof bs);
	rec(s, 0x000A, "", 0);
	put32(s->b + bspos, (uint32_t)s->n);
	put16(bof + 2, 0x0010);
	rec(s, 0x0809, bof, sizeof bof);
	return bspos;
}

static void
number(struct stream *s, unsigned r, unsigned c, double x)
{
	unsigned char p[14] = { 0 };

	put16(p, r);
	put16(p + 2, c);
	memcpy(p + 6, &x, 8);
	rec(s, 0x0203, p, sizeof p);
}

static struct fp_workbook *
open_stream(const struct stream *s, enum fp_err want, struct fp_diag *d)
{
	char path[] = "/tmp/formpipe-test-XXXXXX";
	struct fp_workbook *wb = NULL;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, s->b, s->n), (ssize_t)s->n);
	close(fd);
	assert_int_equal(fp_workbook_open(path, &wb, d), want);
	unlink(path);
	return wb;
}

static void
test_grid_sorts_cells_and_last_wins(void **state)
{
	static struct stream s;
	struct fp_workbook *wb;
	struct fp_grid g;
	struct fp_diag d;

	(void)state;
	begin(&s, NULL, 0);
	number(&s, 2, 1, 3);
	number(&s, 0, 0, 1);
	number(&s, 2, 1, 4);	/* the same place again: this one counts */
	number(&s, 0, 2, 2);
	rec(&s, 0x000A, "", 0);
	wb = open_stream(&s, FP_OK, &d);
	assert_int_equal(fp_grid_load(wb, 0, &g, &d), FP_OK);
	assert_int_equal(g.ncells, 3);
	assert_int_equal(g.nrows, 3);
	assert_int_equal(g.ncols, 3);
	assert_true(g.cells[0].row == 0 && g.cells[0].col == 0);
	assert_true(g.cells[1].row == 0 && g.cells[1].col == 2);
	assert_true(fp_grid_at(&g, 2, 1)->v.num == 4);
	fp_grid_release(&g);
	fp_workbook_free(wb);
}

static void
test_sst_string_split_across_continue(void **state)
{
	static struct stream s;
	unsigned char sst[8 + 3 + 2], cont[1 + 4], lsst[10] = { 0 };
	struct fp_workbook *wb;
	struct fp_diag d;
	size_t at;

	(void)state;
	/* One string of 4 characters: "ab" compressed, then "中文" wide. */
	put32(sst, 1);
	put32(sst + 4, 1);
	put16(sst + 8, 4);
	sst[10] = 0;
	memcpy(sst + 11, "ab", 2);
	cont[0] = 1;
	put16(cont + 1, 0x4E2D);
	put16(cont + 3, 0x6587);
	s.n = 0;
	begin(&s, sst, sizeof sst);
	/* Slip the CONTINUE in after the SST: rebuild with it in place. */
	{
		static struct stream t;
		unsigned char bof[16] = { 0 }, bs[12] = { 0 };

		t.n = 0;
		put16(bof, 0x0600);
		put16(bof + 2, 0x0005);
		rec(&t, 0x0809, bof, sizeof bof);
		rec(&t, 0x00FC, sst, sizeof sst);
		rec(&t, 0x003C, cont, sizeof cont);
		at = t.n + 4;
		bs[6] = 4;
		memcpy(bs + 8, "Test", 4);
		rec(&t, 0x0085, bs, sizeof bs);
		rec(&t, 0x000A, "", 0);
		put32(t.b + at, (uint32_t)t.n);
		put16(bof + 2, 0x0010);
		rec(&t, 0x0809, bof, sizeof bof);
		put32(lsst + 6, 0);
		rec(&t, 0x00FD, lsst, sizeof lsst);
		rec(&t, 0x000A, "", 0);
		wb = open_stream(&t, FP_OK, &d);
	}
	assert_string_equal(cell_at(wb, 0, 0, 0), "text:ab中文");
	fp_workbook_free(wb);
}

static void
test_truncated_sheet_refused(void **state)
{
	static struct stream s;
	struct fp_workbook *wb;
	struct fp_grid g;
	struct fp_diag d;

	(void)state;
	begin(&s, NULL, 0);
	number(&s, 0, 0, 1);
	s.n -= 3;	/* cut the last record short, and no EOF */
	wb = open_stream(&s, FP_OK, &d);
	assert_int_equal(fp_grid_load(wb, 0, &g, &d), FP_ETRUNC);
	assert_non_null(strstr(d.msg, "sheet \"Test\""));
	fp_workbook_free(wb);
}

static void
test_dangling_shared_string_refused(void **state)
{
	static struct stream s;
	unsigned char lsst[10] = { 0 };
	struct fp_workbook *wb;
	struct fp_grid g;
	struct fp_diag d;

	(void)state;
	begin(&s, NULL, 0);
	put16(lsst, 4);
	put16(lsst + 2, 1);
	put32(lsst + 6, 7);
	rec(&s, 0x00FD, lsst, sizeof lsst);
	rec(&s, 0x000A, "", 0);
	wb = open_stream(&s, FP_OK, &d);
	assert_int_equal(fp_grid_load(wb, 0, &g, &d), FP_ECORRUPT);
	assert_string_equal(d.msg, "corrupt workbook (cell Test!B5 refers to "
	    "shared string 7 of 0)");
	fp_workbook_free(wb);
}

static void
test_far_cell_costs_no_declared_size(void **state)
{
	static struct stream s;
	unsigned char dim[14] = { 0 };
	struct fp_workbook *wb;
	struct fp_grid g;
	struct fp_diag d;

	(void)state;
	begin(&s, NULL, 0);
	put32(dim + 4, 65536);	/* the sheet says it is 65536 x 256 */
	put16(dim + 10, 256);
	rec(&s, 0x0200, dim, sizeof dim);
	number(&s, 65535, 255, 5);
	rec(&s, 0x000A, "", 0);
	wb = open_stream(&s, FP_OK, &d);
	assert_int_equal(fp_grid_load(wb, 0, &g, &d), FP_OK);
	assert_int_equal(g.ncells, 1);
	assert_string_equal(cell_at(wb, 0, 65535, 255), "number:5");
	fp_grid_release(&g);
	fp_workbook_free(wb);
}

/* A bare BIFF5 stream in a code page, one sheet with one LABEL cell. */
static void
test_biff5_code_page_text_whole(void **state)
{
	static struct stream s;
	unsigned char bof[8] = { 0 }, cp[2], bs[11] = { 0 }, lab[6 + 2 + 3];
	struct fp_workbook *wb;
	struct fp_diag d;
	size_t at;

	(void)state;
	s.n = 0;
	put16(bof, 0x0500);
	put16(bof + 2, 0x0005);
	rec(&s, 0x0809, bof, sizeof bof);
	/* Code page 1255 holds a character back until it sees the next. */
	put16(cp, 1255);
	rec(&s, 0x0042, cp, sizeof cp);
	at = s.n + 4;
	bs[6] = 4;
	memcpy(bs + 7, "Test", 4);
	rec(&s, 0x0085, bs, sizeof bs);
	rec(&s, 0x000A, "", 0);
	put32(s.b + at, (uint32_t)s.n);
	put16(bof + 2, 0x0010);
	rec(&s, 0x0809, bof, sizeof bof);
	memset(lab, 0, sizeof lab);
	put16(lab + 6, 3);
	memcpy(lab + 8, "\xe0\xe1\xe2", 3);	/* אבג */
	rec(&s, 0x0204, lab, sizeof lab);
	rec(&s, 0x000A, "", 0);
	wb = open_stream(&s, FP_OK, &d);
	assert_string_equal(cell_at(wb, 0, 0, 0), "text:\xd7\x90\xd7\x91\xd7\x92");
	fp_workbook_free(wb);
}

static void
test_date_type_keeps_time_and_durations(void **state)
{
	struct fp_cell c;
	char buf[FP_NUM_MAX];
	size_t len;

	(void)state;
	/* 2014-02-19 14:30 under a date-only format keeps its time. */
	assert_int_equal(fp_date_type(FP_FMT_DATE, 41689.604166666664, 0),
	    FP_CELL_DATETIME);
	assert_int_equal(fp_date_type(FP_FMT_DATE, 41689.0, 0), FP_CELL_DATE);
	/* 1.5 under [h]:mm:ss is 36 hours; under hh:mm:ss, a date and time. */
	assert_int_equal(fp_date_type(FP_FMT_ELAPSED, 1.5, 0), FP_CELL_TIME);
	assert_int_equal(fp_date_type(FP_FMT_TIME, 1.5, 0), FP_CELL_DATETIME);
	/*
	 * Under 1, a time of day; but in the 1904 date system 0 is
	 * 1904-01-01 under a date format, and 0.5 its noon.
	 */
	assert_int_equal(fp_date_type(FP_FMT_DATE, 0.0, 0), FP_CELL_TIME);
	assert_int_equal(fp_date_type(FP_FMT_DATE, 0.0, 1), FP_CELL_DATE);
	assert_int_equal(fp_date_type(FP_FMT_DATETIME, 0.5, 1),
	    FP_CELL_DATETIME);
	assert_int_equal(fp_date_type(FP_FMT_TIME, 0.5, 1), FP_CELL_TIME);
	memset(&c, 0, sizeof c);
	c.type = FP_CELL_TIME;
	c.v.num = 1.5;
	assert_string_equal(fp_cell_render(&c, 0, buf, &len), "36:00:00");
	c.v.num = 0.25;
	assert_string_equal(fp_cell_render(&c, 0, buf, &len), "06:00:00");
}

static void
test_format_classes(void **state)
{
	(void)state;
	assert_int_equal(fp_fmt_classify("yyyy-mm-dd"), FP_FMT_DATE);
	assert_int_equal(fp_fmt_classify("yyyy\"年\"m\"月\"d\"日\""), FP_FMT_DATE);
	assert_int_equal(fp_fmt_classify("yyyy-mm-dd hh:mm:ss"),
	    FP_FMT_DATETIME);
	assert_int_equal(fp_fmt_classify("hh:mm:ss"), FP_FMT_TIME);
	assert_int_equal(fp_fmt_classify("[h]:mm:ss"), FP_FMT_ELAPSED);
	assert_int_equal(fp_fmt_classify("[mm]:ss"), FP_FMT_ELAPSED);
	assert_int_equal(fp_fmt_classify("[Red]hh:mm"), FP_FMT_TIME);
	assert_int_equal(fp_fmt_classify("[$-804]yyyy\"年\"m\"月\""),
	    FP_FMT_DATE);
	assert_int_equal(fp_fmt_classify("mm:ss"), FP_FMT_TIME);
	assert_int_equal(fp_fmt_classify("#,##0.00_);[Red](#,##0.00)"),
	    FP_FMT_NUMBER);
	assert_int_equal(fp_fmt_classify("0.00\"d\""), FP_FMT_NUMBER);
	assert_int_equal(fp_fmt_classify("General"), FP_FMT_NUMBER);
	assert_int_equal(fp_fmt_classify("@"), FP_FMT_NUMBER);
	/* The weekday of Chinese Excel, and AM/PM, which is no date. */
	assert_int_equal(fp_fmt_classify("aaaa"), FP_FMT_DATE);
	assert_int_equal(fp_fmt_classify("[$-804]aaa"), FP_FMT_DATE);
	assert_int_equal(fp_fmt_classify("[$-804]AAAA"), FP_FMT_DATE);
	assert_int_equal(fp_fmt_classify("0.00\"aaa\""), FP_FMT_NUMBER);
	assert_int_equal(fp_fmt_classify("h:mm AM/PM"), FP_FMT_TIME);
}

/* How a format scales the number it shows, and the zeros it pads with. */
static void
test_format_scale(void **state)
{
	static const struct { const char *code; int scale, pad; } cases[] = {
		{ "0!.0000", 4, 0 }, { "0\\.0000", 4, 0 },
		{ "0\".\"0000", 4, 0 }, { "#,##0!.00", 2, 0 },
		{ "#,##0,", 3, 0 }, { "0.00,,\"百万\"", 6, 0 },
		{ "#,##0.00", 0, 0 }, { "0.0000", 0, 0 },
		{ "000000000", 0, 9 }, { "00", 0, 2 }, { "0", 0, 0 },
		{ "000.00", 0, 0 }, { "\"No.\"000", 0, 0 },
		{ "0.00%", 0, 0 }, { "yyyy.mm", 0, 0 }, { "General", 0, 0 },
		{ "0!.0000;-0!.0000", 4, 0 },
		/* A date typed as a number: two points, no scale. */
		{ "0000\\.00\\.00", 0, 0 }, { "0000\".\"00\".\"00", 0, 0 },
	};
	size_t i;
	int pad;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		assert_int_equal(fp_fmt_scale(cases[i].code, 1, &pad),
		    cases[i].scale);
		assert_int_equal(pad, cases[i].pad);
	}
	/* A negative number by the section that shows it. */
	assert_int_equal(fp_fmt_scale("#,##0,;-#,##0", -5, &pad), 0);
	assert_int_equal(fp_fmt_scale("#,##0_);(#,##0,)", -5, &pad), 3);
	assert_int_equal(fp_fmt_scale("#,##0_);(#,##0,)", 5, &pad), 0);
	assert_int_equal(fp_fmt_scale("0!.0000", -5, &pad), 4);
}

/*
 * What a format that writes words around a number shows for it (a
 * mapping's patterns see a number so): Excel's section for the sign, its
 * rounding (15 digits, half away from zero), grouping and percent; none
 * for a format of no words or a number shown otherwise than as a decimal.
 */
static void
test_format_shown(void **state)
{
	static const struct { const char *code; double x; const char *shown; }
	    cases[] = {
		{ "\"（\"0\"年度）\"", 2022, "（2022年度）" },
		{ "#,##0.00\"万元\"", 1234.5, "1,234.50万元" },
		{ "#,##0.00\"万元\"", 1234567.891, "1,234,567.89万元" },
		{ "#,##0.00\"万元\"", -1234.5, "-1,234.50万元" },
		{ "0.0\"分\";\"扣\"0.0\"分\"", -3.25, "扣3.3分" },
		{ "0.0\"分\";\"扣\"0.0\"分\"", 3.25, "3.3分" },
		{ "0.00\"元\"", 1.005, "1.01元" },
		{ "0.00\"元\"", 999.995, "1000.00元" },
		{ "0.00\"元\"", 0.006, "0.01元" },
		{ "0.00\"元\"", 0.0006, "0.00元" },
		{ "0.00\"元\"", -0.001, "0.00元" },
		{ "0\"分\"", 0.5, "1分" },
		{ "0\"分\"", 0.4, "0分" },
		{ "0\"分\"", -0.5, "-1分" },
		{ "0.0%\"完成\"", 0.9357, "93.6%完成" },
		{ "[Red]0\"人\"", 12, "12人" },
		{ "_(0\"元\"_)", 5, "5元" },
		{ "0\\年", 2022, "2022年" },
		{ "0\"人\";-0\"人\";\"无\"", 0, "" },	/* no number shown */
		{ "0.00", 5, "" },			/* no words */
		{ "0.00\" \"", 5, "" },			/* a space is none */
		{ "0.00E+00\"x\"", 5, "" },		/* an exponent */
		{ "# ?/?\"斤\"", 0.5, "" },		/* a fraction */
		{ "yyyy\"年\"", 45000, "" },		/* a date */
		{ "0\"元\"", 1e15, "" },		/* past 15 digits */
	};
	char buf[64];
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		n = fp_fmt_shown(cases[i].code, cases[i].x, buf, sizeof buf);
		if (n != strlen(cases[i].shown) || (n && strcmp(buf,
		    cases[i].shown)))
			fail_msg("%s on %g: \"%.*s\", not \"%s\"",
			    cases[i].code, cases[i].x, (int)n, buf,
			    cases[i].shown);
	}
	/* What does not fit is none. */
	assert_int_equal(fp_fmt_shown("0\"万元\"", 12345, buf, 8), 0);
}

/*
 * Which formats show a number as a percentage (number fields take 0.9357
 * as 93.57), and with how many decimals: 1 + them.
 */
static void
test_percent_formats(void **state)
{
	static const struct { const char *code; int percent; } cases[] = {
		{ "0.00%", 3 },
		{ "0%;[Red]-0%", 1 },
		{ "#,##0.0\"\"%", 2 },
		{ "0.000%", 4 },
		{ "#,##0.##%", 1 },	/* # shows a digit where there is one */
		{ "0.0#%", 2 },
		{ "0.0?%", 2 },
		{ "0.00\"%\"", 0 },	/* a quoted % is text */
		{ "0.00\\%", 0 },	/* so is an escaped one */
		{ "[$%-804]0.00", 0 },	/* in brackets */
		{ "0.00;-0.00%", 0 },	/* only negatives */
		{ "General", 0 },
		{ "yyyy-mm-dd", 0 },
	};
	struct fp_workbook wb;
	size_t i;

	(void)state;
	memset(&wb, 0, sizeof wb);
	assert_int_equal(fp_workbook_percent(&wb, 9), 1);	/* 0% */
	assert_int_equal(fp_workbook_percent(&wb, 10), 3);	/* 0.00% */
	assert_false(fp_workbook_percent(&wb, 2));
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		fp_wb_set_format(&wb, 164, cases[i].code);
		if (fp_workbook_percent(&wb, 164) != cases[i].percent)
			fail_msg("%s: percent %d, not %d", cases[i].code,
			    fp_workbook_percent(&wb, 164), cases[i].percent);
	}
	fp_wb_set_format(&wb, 9, "0.00");	/* a file may redefine 9 */
	assert_false(fp_workbook_percent(&wb, 9));
	fp_wb_clear_formats(&wb);
	free(wb.formats);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_numbers_fixture_values_and_types),
		cmocka_unit_test(test_percent_formats),
		cmocka_unit_test(test_dates_fixture_types),
		cmocka_unit_test(test_dates1904_fixture),
		cmocka_unit_test(test_merged_ranges_exposed),
		cmocka_unit_test(test_sheets_names_hidden_and_empty),
		cmocka_unit_test(test_formula_results),
		cmocka_unit_test(test_literal_booleans_and_errors),
		cmocka_unit_test(test_error_texts_and_codes),
		cmocka_unit_test(test_fp_error_is_text_later_errors),
		cmocka_unit_test(test_biff5_gbk_text),
		cmocka_unit_test(test_old_biff_worksheets),
		cmocka_unit_test(test_biff2_ixfe_gives_the_format),
		cmocka_unit_test(test_biff4w_workbook_sheets),
		cmocka_unit_test(test_bad_files_refused),
		cmocka_unit_test(test_grid_sorts_cells_and_last_wins),
		cmocka_unit_test(test_sst_string_split_across_continue),
		cmocka_unit_test(test_truncated_sheet_refused),
		cmocka_unit_test(test_dangling_shared_string_refused),
		cmocka_unit_test(test_far_cell_costs_no_declared_size),
		cmocka_unit_test(test_biff5_code_page_text_whole),
		cmocka_unit_test(test_format_classes),
		cmocka_unit_test(test_format_scale),
		cmocka_unit_test(test_format_shown),
		cmocka_unit_test(test_date_type_keeps_time_and_durations),
	};

	return cmocka_run_group_tests_name("xls", tests, NULL, NULL);
}
