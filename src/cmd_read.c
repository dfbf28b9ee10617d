/*
 * formpipe read: a workbook (.xls, .xlsx, .ods) as a CSV grid (one sheet)
 * or as the cell stream (every sheet). Each sheet is read once: the
 * output is held (in memory, then in a temporary file) until every sheet
 * it takes has been read whole, so that a workbook refused at its last
 * sheet writes nothing, and a grid's width is known; lines padded to the
 * width the sheet declared need no change when it was right, and a claim
 * that would cost more padding than the cells' own output is dropped.
 * Sheets whose cells do not come in row order, which few do, are read
 * again and sorted.
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
 * The output, held until every sheet it takes has been read whole: a
 * later sheet may turn out bad, and nothing is written for a workbook
 * that cannot be read; a grid's width is known only at the sheet's end;
 * the cells may turn out not to be in row order. Up to HOLD_MAX bytes
 * stay in memory; more go to a temporary file, so memory stays flat
 * however long the output. Where that file cannot be written, the
 * output goes straight to standard output instead (direct), once every
 * sheet is known to read.
 */
#define HOLD_MAX (1u << 20)

/*
 * A grid may have GRID_FLOOR places (rows times columns), and past that
 * GRID_RATIO for each of its cells: more are almost all empty fields
 * (two cells at A1 and XFD1048576 would make 17 GB of commas), and
 * read --cells writes the cells alone. The most of a real sheet here,
 * POI's 51535.xls, has 65,536 rows by 256 columns for 4 cells.
 */
#define GRID_FLOOR (1u << 26)
#define GRID_RATIO 256u

struct held {
	struct fp_buf b;	/* the latest part */
	FILE *spill;		/* the parts before it, or NULL */
	uint64_t spilled;	/* their bytes */
	struct fp_out *direct;	/* not held but written there, or NULL */
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
	/*
	 * Grid: the bytes held for the sheet start at start; claimed of
	 * them pad lines past the cells seen, to the width the sheet
	 * declares. Once that is more than the cells' own, the claim is
	 * dropped: lines are padded to the cells' width, and re-padded.
	 */
	uint64_t start, claimed;
	int dropped;
	uint64_t ncells;	/* grid: the cells so far (or all) */
	int sparse;		/* grid: too many places for them so far */
};

/* 1 if a grid of rows by cols for ncells cells has too many places. */
static int
too_sparse(uint64_t rows, uint64_t cols, uint64_t ncells)
{
	uint64_t places = rows * cols;

	return places > GRID_FLOOR && places / GRID_RATIO > ncells;
}

/*
 * Moves the held bytes to the temporary file (or, direct, to standard
 * output). Returns 1 if they could not be written.
 */
static int
hold_spill(struct held *h)
{
	if (h->direct) {
		struct fp_out *o = h->direct;

		if (!o->err && fwrite(h->b.s, 1, h->b.len, o->f) != h->b.len)
			o->err = errno ? errno : EIO;
		fp_buf_reset(&h->b);
		return o->err != 0;
	}
	if (h->failed)
		return 1;
	if (!h->spill)
		h->spill = tmpfile();
	if (!h->spill || fwrite(h->b.s, 1, h->b.len, h->spill) != h->b.len) {
		h->failed = 1;
		return 1;
	}
	h->spilled += h->b.len;
	fp_buf_reset(&h->b);
	return 0;
}

/* Spills the held bytes once they are many; 1 if they cannot be kept. */
static inline int
hold_check(struct held *h)
{
	return h->b.len < HOLD_MAX ? 0 : hold_spill(h);
}

/* Where the held output ends, to go back to with hold_rewind. */
static uint64_t
hold_mark(const struct held *h)
{
	return h->spilled + h->b.len;
}

/* Forgets what was held after mark. Returns 1 if it cannot. */
static int
hold_rewind(struct held *h, uint64_t mark)
{
	if (mark >= h->spilled) {
		h->b.len = (size_t)(mark - h->spilled);
		if (h->b.s)
			h->b.s[h->b.len] = '\0';
		return 0;
	}
	fp_buf_reset(&h->b);
	if (fseeko(h->spill, (off_t)mark, SEEK_SET) != 0) {
		h->failed = 1;
		return 1;
	}
	h->spilled = mark;
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

/*
 * Grid: a line was padded past the cells seen to the width the sheet
 * declares. A claim whose padding comes to more than 1 MiB and more
 * than the rest of the sheet's output (a <dimension> of A1:XFD1048576
 * over one column) is dropped, so that a wrong one costs no more than
 * the cells do.
 */
static void
claim(struct printer *p, uint32_t fields)
{
	uint64_t held = hold_mark(p->h) - p->start;

	p->claimed += fields;
	if (p->claimed > HOLD_MAX && p->claimed > held - p->claimed) {
		p->ncols = p->width;
		p->dropped = 1;
	}
}

/* Grid: ends the current line, padding it to p->ncols fields. */
static void
end_line(struct printer *p)
{
	struct fp_buf *b = &p->h->b;

	while (p->col + 1 < p->ncols) {
		fp_buf_addc(b, ',');
		p->col++;
	}
	fp_buf_addc(b, '\n');
	p->row++;
	p->col = 0;
	if (p->ncols > p->width && !p->dropped)
		claim(p, p->ncols - p->width);
}

/*
 * Grid: the empty lines up to row, held as they come, never gathered in
 * one piece however many. Returns 1 if the held output cannot be kept.
 */
static int
empty_lines(struct printer *p, uint32_t row)
{
	while (p->row < row) {
		p->col = 0;
		end_line(p);
		if (hold_check(p->h))
			return 1;
	}
	return 0;
}

/*
 * Holds one cell's output: a line of the cell stream, or a grid field
 * with the lines and fields before it. Returns 1 if the held output
 * cannot be kept.
 */
static int
put_cell(struct printer *p, const struct fp_cell *c)
{
	struct fp_buf *b = &p->h->b;
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
		return hold_check(p->h);
	}
	if (c->row > p->row || !p->started) {
		/* A new row: is the grid to it too sparse for the cells? */
		if (p->started)
			end_line(p);
		p->started = 1;
		if (too_sparse((uint64_t)c->row + 1, p->width, p->ncells)) {
			p->sparse = 1;
			return 1;
		}
		if (p->row < c->row && empty_lines(p, c->row))
			return 1;
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
	} else {
		/* Rendered where it goes. */
		fp_buf_grow(b, FP_NUM_MAX);
		fp_cell_render(c, p->date1904, b->s + b->len, &len);
		b->len += len;
	}
	return hold_check(p->h);
}

/*
 * The scan's callback: holds each cell's output. Stops the scan (to read
 * the sheet sorted instead) at a cell out of row order, at one that
 * takes the grid past the places its cells so far may have (all of them
 * may have more), or if the held output cannot be kept.
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
	p->ncells++;
	if ((uint32_t)c->col + 1 > p->width) {
		p->width = (uint32_t)c->col + 1;
		if (p->dropped)
			p->ncols = p->width;
		if (!p->cells && too_sparse((uint64_t)c->row + 1, p->width,
		    p->ncells)) {
			p->sparse = 1;
			return 1;
		}
	}
	return put_cell(p, c);
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
	uint64_t left = h->spilled;
	size_t n;

	if (h->spill) {
		rewind(h->spill);
		while (left && !out->err && (n = fread(buf, 1, left <
		    sizeof buf ? (size_t)left : sizeof buf, h->spill)) > 0) {
			left -= n;
			if (width) {
				repad(out, buf, n, width, &quoted, &commas);
			} else {
				fp_buf_add(&out->b, buf, n);
				fp_out_maybe_flush(out);
			}
		}
		if ((ferror(h->spill) || left) && !out->err)
			out->err = EIO;
	}
	if (width)
		repad(out, h->b.s, h->b.len, width, &quoted, &commas);
	else
		fp_buf_add(&out->b, h->b.s, h->b.len);
	fp_out_maybe_flush(out);
}

/* Starts a printer of sheet i (its quoted name in *name, for cells). */
static void
printer_init(struct printer *p, struct held *h, struct fp_workbook *wb,
    size_t i, int cells, const struct fp_buf *name)
{
	memset(p, 0, sizeof *p);
	p->h = h;
	p->wb = wb;
	p->sheetno = i;
	p->cells = cells;
	p->date1904 = fp_workbook_date1904(wb);
	p->sheet = name->s ? name->s : "";
	p->sheetlen = name->len;
}

/*
 * Holds sheet i, as a grid or as cells, read sorted: loaded whole, in
 * memory in proportion to its cells. FP_OK, with h->failed set if the
 * held output could not be kept; or an error with d filled, nothing
 * held for the sheet.
 */
static enum fp_err
hold_sorted(struct fp_workbook *wb, size_t i, int cells, struct held *h,
    const struct fp_buf *name, struct fp_diag *d)
{
	struct printer p;
	struct fp_grid g;
	enum fp_err err;
	size_t k;

	err = fp_grid_load(wb, i, &g, d);
	if (err)
		return err;
	if (!cells && too_sparse(g.nrows, g.ncols, g.ncells)) {
		char col[8];

		fp_colname(g.ncols - 1, col);
		err = fp_diag(d, FP_EUSAGE, "sheet '%s' would be a grid of %u "
		    "rows by %u columns, to %s%u, for %zu cells: read --cells "
		    "writes only the cells", fp_workbook_sheet(wb, i)->name,
		    g.nrows, g.ncols, col, g.nrows, g.ncells);
		fp_grid_release(&g);
		return err;
	}
	printer_init(&p, h, wb, i, cells, name);
	/* Its width is the cells': no line needs re-padding. */
	p.ncols = p.width = g.ncols;
	/* And their number is known: no grid so far is too sparse. */
	p.ncells = g.ncells;
	for (k = 0; k < g.ncells; k++)
		if (put_cell(&p, &g.cells[k]))
			break;
	if (!cells && p.started && k == g.ncells) {
		end_line(&p);
		hold_check(h);
	}
	fp_grid_release(&g);
	return FP_OK;
}

/*
 * Holds sheet i, as a grid or as cells, after what h holds, in one pass
 * over the sheet. A sheet whose cells are not in row order (rare) is read
 * again whole and sorted. A grid whose lines need re-padding gives the
 * width they take in *width (0: none). FP_OK, with h->failed set if the
 * held output could not be kept; or an error with d filled.
 */
static enum fp_err
hold_sheet(struct fp_workbook *wb, size_t i, int cells, struct held *h,
    uint32_t *width, struct fp_diag *d)
{
	struct printer p;
	struct fp_buf name = FP_BUF_INIT;
	uint64_t mark = hold_mark(h);
	enum fp_err err;
	int stopped = 0;

	*width = 0;
	fp_csv_field(&name, fp_workbook_sheet(wb, i)->name,
	    strlen(fp_workbook_sheet(wb, i)->name));
	printer_init(&p, h, wb, i, cells, &name);
	p.start = mark;
	err = fp_sheet_scan(wb, i, hold_cell, &p, &stopped, d);
	if (err || h->failed)
		goto out;
	if (stopped && (p.unsorted || p.sparse)) {
		if (!hold_rewind(h, mark))
			err = hold_sorted(wb, i, cells, h, &name, d);
		goto out;
	}
	if (!p.any)
		goto out;
	if (!cells) {
		end_line(&p);
		hold_check(h);
		if (p.width != p.ncols || p.dropped)
			*width = p.width;
	}
out:
	fp_buf_release(&name);
	return err;
}

/* A scan's callback that keeps nothing: the sheet is only read. */
static int
skip_cell(void *ctx, const struct fp_cell *c)
{
	(void)ctx;
	(void)c;
	return 0;
}

/*
 * Where the output cannot be held: writes sheets first to last straight
 * to out, each loaded sorted, once every sheet from check on (those not
 * yet read whole) is known to read. FP_OK, or an error with d filled and
 * nothing written.
 */
static enum fp_err
write_direct(struct fp_workbook *wb, size_t first, size_t last, size_t check,
    int cells, struct fp_out *out, struct fp_diag *d)
{
	struct held h;
	enum fp_err err = FP_OK;
	size_t k;

	for (k = check; k <= last; k++) {
		err = fp_sheet_scan(wb, k, skip_cell, NULL, NULL, d);
		if (err)
			return err;
	}
	memset(&h, 0, sizeof h);
	fp_buf_init(&h.b);
	h.direct = out;
	if (cells)
		fp_buf_adds(&h.b, "sheet,row,col,type,value\n");
	for (k = first; k <= last && !err && !out->err; k++) {
		struct fp_buf name = FP_BUF_INIT;

		fp_csv_field(&name, fp_workbook_sheet(wb, k)->name,
		    strlen(fp_workbook_sheet(wb, k)->name));
		err = hold_sorted(wb, k, cells, &h, &name, d);
		fp_buf_release(&name);
	}
	if (!err)
		commit(&h, out, 0);
	hold_release(&h);
	return err;
}

/*
 * Writes sheets first to last to out: every sheet as cells, or one as a
 * grid. Nothing is written unless every one of them reads. Returns 0, or
 * 2 with the message printed.
 */
static int
print_sheets(struct fp_workbook *wb, size_t first, size_t last, int cells,
    const char *file, struct fp_out *out)
{
	struct held h;
	struct fp_diag d = { "" };
	enum fp_err err = FP_OK;
	uint32_t width = 0;
	size_t k;

	memset(&h, 0, sizeof h);
	fp_buf_init(&h.b);
	if (cells)
		fp_buf_adds(&h.b, "sheet,row,col,type,value\n");
	for (k = first; k <= last && !err && !h.failed; k++)
		err = hold_sheet(wb, k, cells, &h, &width, &d);
	if (!err && h.failed) {
		/* The temporary file cannot be written: no holding. */
		hold_release(&h);
		err = write_direct(wb, first, last, cells ? k - 1 : last + 1,
		    cells, out, &d);
	} else if (!err) {
		commit(&h, out, width);
	}
	hold_release(&h);
	return err ? fp_cli_report("read", file, err, &d) : 0;
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
		if (fp_workbook_nsheets(wb))
			rc = print_sheets(wb, 0, fp_workbook_nsheets(wb) - 1, 1,
			    fp_cli_name(file), &out);
		else
			fp_buf_adds(&out.b, "sheet,row,col,type,value\n");
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
			rc = print_sheets(wb, (size_t)k, (size_t)k, 0,
			    fp_cli_name(file), &out);
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
