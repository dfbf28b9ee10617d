/*
 * formpipe convert: a legacy workbook as .xlsx. Every sheet under its own
 * name and in its order; every cell with its type (numbers as numbers in
 * their number format, dates as dates, text as text, booleans and
 * errors); merged ranges and column widths as the reader gives them.
 * Written beside the target and renamed into place.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd.h"
#include "workbook.h"
#include "xlsx.h"

static const char usage_text[] =
    "usage: formpipe convert IN.xls OUT.xlsx\n"
    "\n"
    "Writes the legacy Excel workbook IN.xls (- for standard input) as\n"
    "OUT.xlsx: every sheet, cell types, number formats, merged ranges and\n"
    "column widths kept.\n";

/* A style for a number format, made once per format. */
static int
numstyle(struct fp_xlsx *x, const char *numfmt)
{
	struct fp_style st;

	memset(&st, 0, sizeof st);
	st.numfmt = !strcmp(numfmt, "General") ? "" : numfmt;
	return fp_xlsx_style(x, &st);
}

static int
convert(struct fp_workbook *wb, const char *in, const char *out)
{
	struct fp_xlsx *x;
	struct fp_diag d;
	size_t i, k, n = fp_workbook_nsheets(wb);
	struct fp_grid *grids;
	int merges = 0, d1904 = fp_workbook_date1904(wb);
	int datestyle, dtstyle, timestyle;

	/* Read every sheet first: merged ranges decide how to write. */
	grids = fp_xcalloc(n, sizeof *grids);
	for (i = 0; i < n; i++) {
		if (fp_grid_load(wb, i, &grids[i], &d) != FP_OK) {
			fp_cli_error("convert", "%s: %s", in, d.msg);
			for (k = 0; k < i; k++)
				fp_grid_release(&grids[k]);
			free(grids);
			return 2;
		}
		merges += fp_workbook_sheet(wb, i)->nmerges > 0;
	}
	/* Constant memory cannot merge; a workbook with merges is small. */
	x = fp_xlsx_new(out, merges == 0, &d);
	if (!x) {
		fp_cli_error("convert", "%s", d.msg);
		for (i = 0; i < n; i++)
			fp_grid_release(&grids[i]);
		free(grids);
		return 2;
	}
	datestyle = numstyle(x, "yyyy-mm-dd");
	dtstyle = numstyle(x, "yyyy-mm-dd hh:mm:ss");
	timestyle = numstyle(x, "hh:mm:ss");
	for (i = 0; i < n; i++) {
		const struct fp_sheet_info *si = fp_workbook_sheet(wb, i);
		size_t sh = fp_xlsx_sheet(x, si->name);
		struct fp_grid *g = &grids[i];

		if (si->hidden)
			fp_xlsx_hide(x, sh);
		for (k = 0; k < si->nwidths; k++)
			fp_xlsx_width(x, sh, si->widths[k].c1, si->widths[k].c2,
			    si->widths[k].hidden ? 0 : si->widths[k].width);
		for (k = 0; k < g->ncells; k++) {
			const struct fp_cell *c = &g->cells[k];
			const char *nf = fp_workbook_format(wb, c->fmt);
			double serial = c->v.num + (d1904 && c->v.num >= 1 ? 1462 : 0);
			char num[FP_NUM_MAX];
			size_t len;

			switch ((enum fp_cell_type)c->type) {
			case FP_CELL_TEXT:
				fp_xlsx_text(x, sh, c->row, c->col, c->v.text,
				    numstyle(x, nf));
				break;
			case FP_CELL_NUMBER:
				fp_xlsx_number(x, sh, c->row, c->col, c->v.num,
				    numstyle(x, nf));
				break;
			case FP_CELL_DATE:
			case FP_CELL_DATETIME:
			case FP_CELL_TIME:
				/* Its own date format if it has one, else ISO. */
				fp_xlsx_date(x, sh, c->row, c->col, serial,
				    c->fmt ? numstyle(x, nf) :
				    c->type == FP_CELL_DATE ? datestyle :
				    c->type == FP_CELL_TIME ? timestyle : dtstyle);
				break;
			case FP_CELL_BOOL:
				fp_xlsx_bool(x, sh, c->row, c->col, c->v.num != 0,
				    -1);
				break;
			case FP_CELL_ERROR:
				fp_xlsx_error(x, sh, c->row, c->col,
				    fp_cell_render(c, d1904, num, &len), -1);
				break;
			case FP_CELL_EMPTY:
				break;
			}
		}
		for (k = 0; k < si->nmerges; k++)
			fp_xlsx_merge(x, sh, si->merges[k].r1, si->merges[k].c1,
			    si->merges[k].r2, si->merges[k].c2);
		fp_grid_release(g);
	}
	free(grids);
	if (fp_xlsx_close(x, &d) != FP_OK) {
		fp_cli_error("convert", "%s", d.msg);
		return 2;
	}
	return 0;
}

int
cmd_convert(int argc, char **argv)
{
	const char *args[2];
	struct fp_workbook *wb;
	int n = 0, i, rc;

	for (i = 1; i < argc; i++) {
		if (fp_cli_is_help(argv[i])) {
			fputs(usage_text, stdout);
			return 0;
		}
		if (argv[i][0] == '-' && argv[i][1]) {
			fp_cli_error("convert", "unknown option '%s'", argv[i]);
			fputs(usage_text, stderr);
			return 2;
		}
		if (n == 2) {
			fp_cli_error("convert", "one workbook in, one out");
			fputs(usage_text, stderr);
			return 2;
		}
		args[n++] = argv[i];
	}
	if (n != 2) {
		fputs(usage_text, stderr);
		return 2;
	}
	wb = fp_cli_open_workbook("convert", args[0]);
	if (!wb)
		return 2;
	rc = convert(wb, fp_cli_name(args[0]), args[1]);
	fp_workbook_free(wb);
	return rc;
}
