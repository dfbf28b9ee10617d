/*
 * Corrections to an .xlsx libxlsxwriter has written, made in its zip
 * before the file is renamed into place: numbers written exactly where
 * libxlsxwriter rounds them to 16 significant digits, the workbook's
 * default font, very hidden sheets, the comments kept out of
 * libxlsxwriter (xlsxnotes.h) added with their parts, and the hyperlinks
 * kept out of it (xlsxlinks.h) added to their sheets. The only file
 * that includes minizip.
 */
#ifndef FP_XLSXPOST_H
#define FP_XLSXPOST_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"
#include "xlsxnotes.h"

/*
 * A cell of sheet (0-based, in the order sheets were added) and its
 * value's text: a number libxlsxwriter would round (type 0), or a value
 * of a type it cannot write: type 'b' (a boolean, "1" or "0"), 'e' (an
 * error, "#N/A") or 's' (a formula's text result), the cell's type made
 * that, and with drop its formula taken off (a value alone). str, where
 * not NULL, is the text instead of text (which it outgrew), owned.
 */
struct fp_numfix {
	uint32_t sheet, row, col;
	char text[FP_NUM_MAX];
	char type;
	char drop;
	char *str;
};

/* What to correct. */
struct fp_xlsx_fixes {
	struct fp_numfix *nums;		/* sorted here */
	size_t nnums;
	const char *font;		/* the default font, or NULL */
	double fontsize;		/* points */
	const uint8_t *very_hidden;	/* per sheet, 1: very hidden; or NULL */
	size_t nsheets;
	struct fp_store *notes;		/* comments, grouped; or NULL */
	const struct fp_note_grid *grids;	/* per sheet with comments */
	struct fp_store *links;		/* internal hyperlinks, grouped; or NULL */
};

/*
 * Rewrites the .xlsx at path in place: each cell in fx->nums gets its
 * value's text (and type), the default font becomes fx->font, the sheets marked
 * in fx->very_hidden (which libxlsxwriter writes hidden) very hidden,
 * and each sheet with comments in fx->notes gets its comments and
 * vmlDrawing parts, their relationships, its legacyDrawing and their
 * content types, and each sheet with hyperlinks in fx->links its
 * <hyperlinks> element, where and as libxlsxwriter would have written
 * them.
 * Other parts are copied as they are. Returns FP_OK, or FP_EWRITE with d
 * saying why, without a name: the caller names the output, not path
 * (which is then left as it was, or removed if the rename failed).
 */
enum fp_err fp_xlsx_post(const char *path, struct fp_xlsx_fixes *fx,
    struct fp_diag *d);

#endif
