/*
 * formpipe read: a legacy workbook as a CSV grid (one sheet) or as the
 * cell stream (every sheet). Sheets whose cells come in row order, as
 * nearly all do, are written as they are read; others are sorted first.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd.h"
#include "csvio.h"
#include "workbook.h"

static const char usage_text[] =
    "usage: formpipe read [--sheet N|NAME] FILE.xls\n"
    "       formpipe read --cells FILE.xls\n"
    "\n"
    "Writes one sheet of a legacy Excel workbook (.xls, Excel 2.x to 2003)\n"
    "as CSV: row N of the sheet is line N, every line as wide as the sheet's\n"
    "used range. --sheet picks the sheet by position (from 1) or name; the\n"
    "first is the default. --cells writes every sheet as a cell stream,\n"
    "one line per non-empty cell: sheet,row,col,type,value.\n"
    "Without FILE, or with -, the workbook is read from standard input.\n";

struct pass1 {
	uint32_t nrows, ncols;
	uint32_t lastrow, lastcol;
	int any, sorted;
};

static int
measure(void *ctx, const struct fp_cell *c)
{
	struct pass1 *p = ctx;

	if (p->any && (c->row < p->lastrow ||
	    (c->row == p->lastrow && c->col <= p->lastcol)))
		p->sorted = 0;
	p->any = 1;
	p->lastrow = c->row;
	p->lastcol = c->col;
	if (c->row + 1 > p->nrows)
		p->nrows = c->row + 1;
	if ((uint32_t)c->col + 1 > p->ncols)
		p->ncols = (uint32_t)c->col + 1;
	return 0;
}

struct printer {
	struct fp_out *out;
	int cells;		/* cell stream, else grid */
	int date1904;
	const char *sheet;	/* cell stream: the sheet's name, quoted */
	size_t sheetlen;
	uint32_t ncols;
	uint32_t row, col;	/* grid: next place to write */
	int started;
};

/* Grid: ends the current line, padding it to the sheet's width. */
static void
end_line(struct printer *p)
{
	struct fp_buf *b = &p->out->b;

	while (p->col + 1 < p->ncols) {
		fp_buf_addc(b, ',');
		p->col++;
	}
	fp_buf_addc(b, '\n');
	p->row++;
	p->col = 0;
	fp_out_maybe_flush(p->out);
}

static int
print_cell(void *ctx, const struct fp_cell *c)
{
	struct printer *p = ctx;
	struct fp_buf *b = &p->out->b;
	char num[FP_NUM_MAX];
	const char *v;
	size_t len;

	v = fp_cell_render(c, p->date1904, num, &len);
	if (p->cells) {
		fp_buf_add(b, p->sheet, p->sheetlen);
		fp_buf_grow(b, 64);
		b->len += (size_t)snprintf(b->s + b->len, 64, ",%u,%u,%s,",
		    (unsigned)c->row + 1, (unsigned)c->col + 1,
		    fp_cell_type_name((enum fp_cell_type)c->type));
		if (c->type == FP_CELL_TEXT)
			fp_csv_field(b, v, len);
		else
			fp_buf_add(b, v, len);
		fp_buf_addc(b, '\n');
		fp_out_maybe_flush(p->out);
		return p->out->err != 0;
	}
	if (p->started && c->row > p->row)
		end_line(p);
	p->started = 1;
	while (p->row < c->row) {
		p->col = 0;
		end_line(p);
	}
	while (p->col < c->col) {
		fp_buf_addc(b, ',');
		p->col++;
	}
	if (c->type == FP_CELL_TEXT)
		fp_csv_field(b, v, len);
	else
		fp_buf_add(b, v, len);
	return p->out->err != 0;
}

/* Writes sheet i, as a grid or as cells. Returns 0 or 2 (message printed). */
static int
print_sheet(struct fp_workbook *wb, size_t i, int cells, const char *file,
    struct fp_out *out)
{
	struct pass1 m = { 0, 0, 0, 0, 0, 1 };
	struct printer p;
	struct fp_diag d;
	struct fp_buf name = FP_BUF_INIT;
	enum fp_err err;
	int rc = 0;

	memset(&p, 0, sizeof p);
	p.out = out;
	p.cells = cells;
	p.date1904 = fp_workbook_date1904(wb);
	fp_csv_field(&name, fp_workbook_sheet(wb, i)->name,
	    strlen(fp_workbook_sheet(wb, i)->name));
	p.sheet = name.s ? name.s : "";
	p.sheetlen = name.len;

	err = fp_sheet_scan(wb, i, measure, &m, NULL, &d);
	if (err)
		goto fail;
	p.ncols = m.ncols;
	if (!m.any)
		goto out;
	if (m.sorted) {
		err = fp_sheet_scan(wb, i, print_cell, &p, NULL, &d);
		if (err)
			goto fail;
	} else {
		struct fp_grid g;
		size_t k;

		err = fp_grid_load(wb, i, &g, &d);
		if (err)
			goto fail;
		for (k = 0; k < g.ncells && !out->err; k++)
			print_cell(&p, &g.cells[k]);
		fp_grid_release(&g);
	}
	if (!cells && p.started)
		end_line(&p);
	goto out;
fail:
	fp_cli_error("read", "%s: %s", file, d.msg);
	rc = 2;
out:
	fp_buf_release(&name);
	return rc;
}

/* Finds the sheet a --sheet argument names: a position from 1, or a name. */
static long
find_sheet(const struct fp_workbook *wb, const char *arg)
{
	size_t i, n = fp_workbook_nsheets(wb);
	char *end;
	long k;

	for (i = 0; i < n; i++)
		if (!strcmp(fp_workbook_sheet(wb, i)->name, arg))
			return (long)i;
	k = strtol(arg, &end, 10);
	if (*arg && !*end && k >= 1 && (size_t)k <= n)
		return k - 1;
	return -1;
}

int
cmd_read(int argc, char **argv)
{
	const char *sheet = NULL, *file = NULL;
	struct fp_workbook *wb = NULL;
	struct fp_open_opts opts;
	const char *reader;
	struct fp_out out;
	int cells = 0, rc = 0, i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (fp_cli_is_help(a)) {
			fputs(usage_text, stdout);
			return 0;
		} else if (!strcmp(a, "--cells")) {
			cells = 1;
		} else if (!strcmp(a, "--sheet") || !strcmp(a, "-s")) {
			if (++i >= argc) {
				fp_cli_error("read", "--sheet needs a number or "
				    "a name");
				return 2;
			}
			sheet = argv[i];
		} else if (!strncmp(a, "--sheet=", 8)) {
			sheet = a + 8;
		} else if (a[0] == '-' && a[1]) {
			fp_cli_error("read", "unknown option '%s'", a);
			fputs(usage_text, stderr);
			return 2;
		} else if (file) {
			fp_cli_error("read", "one workbook at a time ('%s' and "
			    "'%s')", file, a);
			return 2;
		} else {
			file = a;
		}
	}
	if (cells && sheet) {
		fp_cli_error("read", "--cells writes every sheet; drop --sheet");
		return 2;
	}
	/* FORMPIPE_READER=freexl reads BIFF2 to BIFF4 with freexl, to compare. */
	memset(&opts, 0, sizeof opts);
	reader = getenv("FORMPIPE_READER");
	opts.freexl = reader && !strcmp(reader, "freexl");
	wb = fp_cli_open_workbook_opts("read", file, &opts);
	if (!wb)
		return 2;
	fp_out_init(&out, stdout);
	if (cells) {
		size_t k, n = fp_workbook_nsheets(wb);

		fp_buf_adds(&out.b, "sheet,row,col,type,value\n");
		for (k = 0; k < n && !rc && !out.err; k++)
			rc = print_sheet(wb, k, 1, fp_cli_name(file), &out);
	} else {
		long k = 0;

		if (sheet) {
			k = find_sheet(wb, sheet);
			if (k < 0) {
				fp_cli_error("read", "%s: no sheet '%s' (the "
				    "workbook has %zu)", fp_cli_name(file), sheet,
				    fp_workbook_nsheets(wb));
				rc = 2;
			}
		} else if (fp_workbook_nsheets(wb) == 0) {
			fp_cli_error("read", "%s: the workbook has no sheets",
			    fp_cli_name(file));
			rc = 2;
		}
		if (!rc)
			rc = print_sheet(wb, (size_t)k, 0, fp_cli_name(file),
			    &out);
	}
	fp_workbook_free(wb);
	if (rc) {
		/* Nothing on stdout for an input that cannot be read. */
		fp_buf_release(&out.b);
		fflush(stdout);
		return rc;
	}
	return fp_out_finish(&out, "read");
}
