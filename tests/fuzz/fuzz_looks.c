/*
 * A libFuzzer target for what convert reads beyond values: opens the
 * input as a workbook from memory with looks asked for, loads every
 * sheet, decompiles every formula record (a shared one for each cell of
 * its range's first row), and touches every font, cell format, row,
 * defined name, page setup and window. It prints nothing; the sanitizers
 * report what goes wrong.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "workbook.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile uint32_t sink;

static void
touch_sheet(struct fp_workbook *wb, size_t i)
{
	const struct fp_sheet_info *si = fp_workbook_sheet(wb, i);
	const struct fp_sheet_looks *l;
	struct fp_buf b = FP_BUF_INIT;
	struct fp_diag d;
	size_t k;

	if (!si || !si->looks)
		return;
	l = si->looks;
	for (k = 0; k < l->ncells; k++)
		sink += l->cells[k].xf;
	for (k = 0; k < l->nrows; k++)
		sink += (uint32_t)l->rows[k].height + l->rows[k].hidden;
	for (k = 0; k < l->nformulas; k++) {
		const struct fp_formula *f = &l->formulas[k];

		fp_buf_reset(&b);
		fp_workbook_formula(wb, i, f, f->row, f->col, &b, &d);
		if (f->kind == FP_FORMULA_SHARED && f->col2 > f->col) {
			fp_buf_reset(&b);
			fp_workbook_formula(wb, i, f, f->row, f->col2, &b, &d);
		}
		sink += (uint32_t)b.len;
	}
	if (l->page.header)
		sink += (unsigned char)l->page.header[0];
	if (l->page.footer)
		sink += (unsigned char)l->page.footer[0];
	sink += l->win.frow + l->win.fcol + (uint32_t)l->page.scale;
	fp_buf_release(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fp_workbook *wb;
	struct fp_diag d;
	struct fp_grid g;
	const struct fp_font *fonts;
	const struct fp_xf *xfs;
	const struct fp_defname *names;
	size_t i, n;

	if (fp_workbook_open_buffer(data, size, &wb, &d) != FP_OK)
		return 0;
	fp_workbook_keep_looks(wb);
	fonts = fp_workbook_fonts(wb, &n);
	for (i = 0; i < n; i++)
		sink += fonts[i].height + (fonts[i].name ?
		    (unsigned char)fonts[i].name[0] : 0);
	xfs = fp_workbook_xfs(wb, &n);
	for (i = 0; i < n; i++)
		sink += xfs[i].font + (uint32_t)fp_workbook_color(wb, xfs[i].fg);
	names = fp_workbook_names(wb, &n);
	for (i = 0; i < n; i++)
		sink += (uint32_t)strlen(names[i].name) + (uint32_t)names[i].nareas +
		    (names[i].formula ? (uint32_t)strlen(names[i].formula) : 0);
	for (i = 0; i < fp_workbook_nsheets(wb); i++) {
		if (fp_grid_load(wb, i, &g, &d) != FP_OK)
			continue;
		touch_sheet(wb, i);
		fp_grid_release(&g);
	}
	fp_workbook_free(wb);
	return 0;
}
