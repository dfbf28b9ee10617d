/*
 * Corrections to an .xlsx libxlsxwriter has written, made in its zip
 * before the file is renamed into place: numbers written exactly where
 * libxlsxwriter rounds them to 16 significant digits, and the workbook's
 * default font. The only file that includes minizip.
 */
#ifndef FP_XLSXPOST_H
#define FP_XLSXPOST_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

/* A cell of sheet (0-based, in the order sheets were added) and its number. */
struct fp_numfix {
	uint32_t sheet, row, col;
	char text[FP_NUM_MAX];
};

/*
 * Rewrites the .xlsx at path in place: each cell in fixes (sorted here)
 * gets its value's text, and font, if not NULL, becomes the default font
 * at size points. Other parts are copied as they are. Returns FP_OK, or
 * FP_EWRITE with d filled (path is then left as it was, or removed if
 * the rename failed).
 */
enum fp_err fp_xlsx_post(const char *path, struct fp_numfix *fixes,
    size_t nfixes, const char *font, double size, struct fp_diag *d);

#endif
