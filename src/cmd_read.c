/*
 * formpipe read: a workbook (.xls, .xlsx, .ods) as a CSV grid (one sheet)
 * or as the cell stream (every sheet). Each sheet is read once: its
 * output is held (in memory, then in a temporary file) until the sheet
 * ends, when the grid's width is known; lines padded to the width the
 * sheet declared need no change when it was right. Sheets whose cells do
 * not come in row order, which few do, are read again and sorted.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd.h"
#include "csvio.h"
#include "opts.h"
#include "workbook.h"

static const char usage_text[] =
    "usage: formpipe read [--sheet N|NAME] FILE\n"
    "       formpipe read --cells FILE\n"
    "\n"
    "Writes one sheet of a workbook (.xls from Excel 2.x to 2003, .xlsx,\n"
    ".xlsm or .ods, recognised by content) as CSV: row N of the sheet is\n"
    "line N, every line as wide as the sheet's used range. --sheet picks\n"
    "the sheet by position (from 1) or name; the first is the default.\n"
    "--cells writes every sheet as a cell stream, one line per non-empty\n"
    "cell: sheet,row,col,type,value.\n"
    "Without FILE, or with -, the workbook is read from standard input.\n";

/*
 * A sheet's output, held until the sheet has been read whole: the grid's
 * width is known only then, and the cells may turn out not to be in row
 * order. Up to HOLD_MAX bytes stay in memory; more go to a temporary
 * file, so memory stays flat however long the sheet.
 */
#define HOLD_MAX (1u << 20)

struct held {
	struct fp_buf b;	/* the latest part */
	FILE *spill;		/* the parts before it, or NULL */
	int failed;		/* the temporary file could not be written */
};

struct printer {
	struct held *h;
	struct fp_workbook *wb;
	size_t sheetno;
	int cells;		/* cell stream, else grid */
	int date1904;
	const char *sheet;	/* cell stream: the sheet's name, quoted */
	size_t sheetlen;
	uint32_t ncols;		/* grid: the width lines are padded to */
	uint32_t row, col;	/* grid: next place to write */
	uint32_t width;		/* last column seen + 1 */
	uint32_t lastrow, lastcol;
	int started, any, unsorted;
};

/* Moves the held bytes to the temporary file once they are many. */
static int
hold_check(struct held *h)
{
	if (h->b.len < HOLD_MAX)
		return 0;
	if (!h->spill)
		h->spill = tmpfile();
	if (!h->spill || fwrite(h->b.s, 1, h->b.len, h->spill) != h->b.len) {
		h->failed = 1;
		return 1;
	}
	fp_buf_reset(&h->b);
	return 0;
}

static void
hold_release(struct held *h)
{
	fp_buf_release(&h->b);
	if (h->spill)
		fclose(h->spill);
	memset(h, 0, sizeof *h);
}

/* Grid: ends the current line, padding it to p->ncols fields. */
static void
end_line(struct printer *p, struct fp_buf *b)
{
	while (p->col + 1 < p->ncols) {
		fp_buf_addc(b, ',');
		p->col++;
	}
	fp_buf_addc(b, '\n');
	p->row++;
	p->col = 0;
}

/* Writes one cell to b: a line of the cell stream, or a grid field. */
static void
put_cell(struct printer *p, struct fp_buf *b, const struct fp_cell *c)
{
	char num[FP_NUM_MAX];
	const char *v;
	size_t len;

	if (p->cells) {
		v = fp_cell_render(c, p->date1904, num, &len);
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
		return;
	}
	if (p->started && c->row > p->row)
		end_line(p, b);
	p->started = 1;
	while (p->row < c->row) {
		p->col = 0;
		end_line(p, b);
	}
	if (p->col < c->col) {
		/* Mostly one comma: a loop, not a call. */
		fp_buf_grow(b, c->col - p->col);
		while (p->col < c->col) {
			b->s[b->len++] = ',';
			p->col++;
		}
		b->s[b->len] = '\0';
	}
	if (c->type == FP_CELL_TEXT) {
		v = fp_cell_render(c, p->date1904, num, &len);
		fp_csv_field(b, v, len);
	} else if (c->type == FP_CELL_ERROR) {
		/* As it is: an error's text needs no quotes. */
		v = fp_cell_render(c, p->date1904, num, &len);
		fp_buf_add(b, v, len);
	} else {
		/* Rendered where it goes. */
		fp_buf_grow(b, FP_NUM_MAX);
		fp_cell_render(c, p->date1904, b->s + b->len, &len);
		b->len += len;
	}
}

/*
 * The scan's callback: holds each cell's output. Stops the scan (to read
 * the sheet sorted instead) at a cell out of row order, or if the held
 * output cannot be kept.
 */
static int
hold_cell(void *ctx, const struct fp_cell *c)
{
	struct printer *p = ctx;

	if (p->any && (c->row < p->lastrow ||
	    (c->row == p->lastrow && c->col <= p->lastcol))) {
		p->unsorted = 1;
		return 1;
	}
	if (!p->any && !p->cells)
		/* The width the sheet declares: right, lines need no redoing. */
		p->ncols = fp_workbook_sheet(p->wb, p->sheetno)->dimcols;
	p->any = 1;
	p->lastrow = c->row;
	p->lastcol = c->col;
	if ((uint32_t)c->col + 1 > p->width)
		p->width = (uint32_t)c->col + 1;
	put_cell(p, &p->h->b, c);
	return hold_check(p->h);
}

/*
 * Copies n bytes of grid lines, padded to the width the sheet declared,
 * to out with every line made exactly width fields wide: fields past it
 * are padding (empty), fields short of it are added. *quoted and *commas
 * carry the state of a line across pieces.
 */
static void
repad(struct fp_out *out, const char *s, size_t n, uint32_t width,
    int *quoted, uint32_t *commas)
{
	struct fp_buf *b = &out->b;
	size_t i;

	for (i = 0; i < n; i++) {
		char ch = s[i];

		if (*quoted) {
			*quoted = ch != '"';
		} else if (ch == '"') {
			*quoted = 1;
		} else if (ch == ',') {
			if (++*commas >= width)
				continue;
		} else if (ch == '\n') {
			while (*commas + 1 < width) {
				fp_buf_addc(b, ',');
				++*commas;
			}
			*commas = 0;
		}
		fp_buf_addc(b, ch);
		if (ch == '\n')
			fp_out_maybe_flush(out);
	}
}

/* Hands the held output to out, re-padded to width if it is not 0. */
static void
commit(struct held *h, struct fp_out *out, uint32_t width)
{
	char buf[65536];
	int quoted = 0;
	uint32_t commas = 0;
	size_t n;

	if (h->spill) {
		rewind(h->spill);
		while ((n = fread(buf, 1, sizeof buf, h->spill)) > 0) {
			if (width) {
				repad(out, buf, n, width, &quoted, &commas);
			} else {
				fp_buf_add(&out->b, buf, n);
				fp_out_maybe_flush(out);
			}
		}
		if (ferror(h->spill) && !out->err)
			out->err = EIO;
	}
	if (width)
		repad(out, h->b.s, h->b.len, width, &quoted, &commas);
	else
		fp_buf_add(&out->b, h->b.s, h->b.len);
	fp_out_maybe_flush(out);
}

/*
 * Writes sheet i, as a grid or as cells, in one pass over the sheet. A
 * sheet whose cells are not in row order (rare), or whose output cannot
 * be held, is read again whole and sorted. Returns 0 or 2 (message
 * printed).
 */
static int
print_sheet(struct fp_workbook *wb, size_t i, int cells, const char *file,
    struct fp_out *out)
{
	struct held h;
	struct printer p;
	struct fp_diag d = { "" };
	struct fp_buf name = FP_BUF_INIT;
	enum fp_err err;
	int rc = 0, stopped = 0;

	memset(&h, 0, sizeof h);
	fp_buf_init(&h.b);
	memset(&p, 0, sizeof p);
	p.h = &h;
	p.wb = wb;
	p.sheetno = i;
	p.cells = cells;
	p.date1904 = fp_workbook_date1904(wb);
	fp_csv_field(&name, fp_workbook_sheet(wb, i)->name,
	    strlen(fp_workbook_sheet(wb, i)->name));
	p.sheet = name.s ? name.s : "";
	p.sheetlen = name.len;

	err = fp_sheet_scan(wb, i, hold_cell, &p, &stopped, &d);
	if (err)
		goto fail;
	if (stopped && (p.unsorted || h.failed)) {
		struct fp_grid g;
		size_t k;

		hold_release(&h);
		err = fp_grid_load(wb, i, &g, &d);
		if (err)
			goto fail;
		memset(&p, 0, sizeof p);
		p.cells = cells;
		p.date1904 = fp_workbook_date1904(wb);
		p.sheet = name.s ? name.s : "";
		p.sheetlen = name.len;
		p.ncols = g.ncols;
		for (k = 0; k < g.ncells && !out->err; k++) {
			put_cell(&p, &out->b, &g.cells[k]);
			fp_out_maybe_flush(out);
		}
		if (!cells && p.started)
			end_line(&p, &out->b);
		fp_grid_release(&g);
		goto out;
	}
	if (!p.any)
		goto out;
	if (!cells)
		end_line(&p, &h.b);
	commit(&h, out, !cells && p.width != p.ncols ? p.width : 0);
	goto out;
fail:
	rc = fp_cli_report("read", file, err, &d);
out:
	hold_release(&h);
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
	int cells = 0, rc = 0;
	const struct fp_opt options[] = {
		FP_OPT_BOOL(0, "cells", &cells),
		FP_OPT_STRING('s', "sheet", &sheet, "N|NAME"),
		FP_OPT_END(),
	};

	rc = fp_cli_options("read", options, usage_text, &argc, argv);
	if (rc != FP_CLI_GO_ON)
		return rc;
	rc = 0;
	if (argc > 1) {
		fp_cli_error("read", "one workbook at a time ('%s' and "
		    "'%s')", argv[0], argv[1]);
		return 2;
	}
	file = argc ? argv[0] : NULL;
	if (cells && sheet) {
		fp_cli_error("read", "--cells writes every sheet; drop --sheet");
		return 2;
	}
	if (!file && fp_cli_stdin_wanted("read", "a workbook"))
		return 2;
	if (fp_cli_stdout_is_input("read", (const char *const *)argv,
	    argc))
		return 2;
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
	if (!rc)
		fp_cli_say_unsaved("read", file, wb);
	fp_workbook_free(wb);
	if (rc) {
		/* Nothing on stdout for an input that cannot be read. */
		fp_buf_release(&out.b);
		fflush(stdout);
		return rc;
	}
	return fp_out_finish(&out, "read");
}
