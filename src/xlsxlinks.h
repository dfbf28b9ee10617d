/*
 * The internal hyperlinks of an .xlsx being written, kept on disk in a
 * store (xlsxstore.h) rather than in libxlsxwriter, which holds every
 * hyperlink in memory until its sheet is closed; when the workbook is
 * closed each sheet's <hyperlinks> element is written from the store
 * byte for byte as libxlsxwriter 1.1 writes it for links made with
 * worksheet_write_url_opt on "internal:" locations with no tooltip.
 * Such links need no relationships.
 */
#ifndef FP_XLSXLINKS_H
#define FP_XLSXLINKS_H

#include <stdint.h>

#include "util.h"
#include "xlsxstore.h"

/*
 * Adds to st a link on (row, col) of sheet to location ("'Sheet'!A5"),
 * shown as display: the attributes libxlsxwriter would write for it.
 * Returns FP_OK, or FP_EWRITE with d filled.
 */
enum fp_err fp_links_add(struct fp_store *st, uint32_t sheet, uint32_t row,
    uint32_t col, const char *location, const char *display,
    struct fp_diag *d);

/*
 * Writes sheet's <hyperlinks> element through put, its links by row and
 * column, the last one on a cell replacing the earlier; nothing if sheet
 * has none. st is grouped. Returns 0, or -1 (a read or put failed).
 */
int fp_links_xml(struct fp_store *st, uint32_t sheet, fp_store_put put,
    void *ctx);

#endif
