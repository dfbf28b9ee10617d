/*
 * A libFuzzer target for the legacy workbook reader: opens the input as
 * a workbook from memory (cfb.c, biff.c, xls.c), loads every sheet as a
 * grid, renders every cell, and reads each sheet's merged ranges and
 * column widths. It prints nothing; the sanitizers report what goes wrong.
 */
#include <stddef.h>
#include <stdint.h>

#include "workbook.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Touches every merged range and column width of sheet i. */
static void
walk_layout(const struct fp_workbook *wb, size_t i)
{
	const struct fp_sheet_info *si;
	volatile uint32_t sink = 0;
	size_t k;

	si = fp_workbook_sheet(wb, i);
	if (si == NULL)
		return;
	sink += (uint32_t)si->hidden;
	if (si->name)
		sink += (unsigned char)si->name[0];
	for (k = 0; k < si->nmerges; k++)
		sink += si->merges[k].r1 + si->merges[k].r2 +
		    si->merges[k].c1 + si->merges[k].c2;
	for (k = 0; k < si->nwidths; k++)
		sink += si->widths[k].c1 + si->widths[k].c2 +
		    (uint32_t)si->widths[k].hidden +
		    (uint32_t)(si->widths[k].width > 0);
	(void)sink;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fp_workbook *wb = NULL;
	struct fp_diag d;
	size_t i, k, n;
	int date1904;

	if (fp_workbook_open_buffer(data, size, &wb, &d) != FP_OK)
		return 0;
	date1904 = fp_workbook_date1904(wb);
	(void)fp_workbook_kind(wb);
	n = fp_workbook_nsheets(wb);
	for (i = 0; i < n; i++) {
		struct fp_grid g;
		volatile size_t sink = 0;

		walk_layout(wb, i);
		if (fp_grid_load(wb, i, &g, &d) != FP_OK)
			continue;
		for (k = 0; k < g.ncells; k++) {
			char buf[FP_NUM_MAX];
			const char *v;
			size_t len;

			v = fp_cell_render(&g.cells[k], date1904, buf, &len);
			if (len)
				sink += (unsigned char)v[len - 1];
			(void)fp_workbook_format(wb, g.cells[k].fmt);
			(void)fp_cell_type_name(
			    (enum fp_cell_type)g.cells[k].type);
			if (fp_grid_at(&g, g.cells[k].row, g.cells[k].col) ==
			    NULL)
				__builtin_trap();
		}
		(void)sink;
		walk_layout(wb, i);
		fp_grid_release(&g);
	}
	fp_workbook_free(wb);
	return 0;
}
