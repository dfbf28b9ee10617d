/*
 * What the two halves of the Office Open XML reader share: ooxml.c reads
 * the package, the values and the number formats; ooxml_looks.c what the
 * cells look like, into the workbook model's looks (workbook.h), as
 * biff.c does for .xls. The workbook's fonts, fills, borders and cell
 * formats come from styles.xml, read at open; a sheet's page setup,
 * window, row heights and default sizes from its part, read by a scan
 * with fp_workbook_keep_looks. Both are fed by ooxml.c's parse handlers,
 * element by element, for elements of spreadsheetml's namespace only;
 * nothing is held whole. The theme part's colours, which styles.xml
 * names by index, are fed the same way (DrawingML's namespace) before
 * styles.xml. An index the file gives (a font, fill, border, cell format
 * or theme colour) that is out of range is ignored.
 */
#ifndef FP_OOXML_LOOKS_H
#define FP_OOXML_LOOKS_H

#include <stddef.h>
#include <stdint.h>

#include "reader.h"
#include "xml.h"

struct fp_oxfill;
struct fp_oxborder;

/* The styles part's parse, as far as looks go. */
struct fp_oxstyles {
	struct fp_workbook *wb;
	int sect;			/* the list of styleSheet being read */
	int side;			/* the border side being read, or -1 */
	int font_named, font_sized;	/* the font being read gives them */
	int in_xf;			/* within a <cellXfs> <xf> */
	size_t ncolors;			/* <indexedColors> entries so far */
	uint32_t *font_rgb;		/* each font's RGB colour, bit 24 if set */
	size_t capfont_rgb;
	struct fp_oxfill *fills;
	size_t nfills, capfills;
	struct fp_oxborder *borders;
	size_t nborders, capborders;
	uint32_t theme[12];		/* the theme's colours, bit 24 if given */
	int scheme;			/* 1 in the first <clrScheme>, 2 past it */
	int slot;			/* the theme colour being read, or -1 */
};

/*
 * Readies s to gather the looks of styles.xml into wb; fp_oxstyles_release
 * frees what it holds (wb keeps the fonts and cell formats).
 */
void fp_oxstyles_init(struct fp_oxstyles *s, struct fp_workbook *wb);
void fp_oxstyles_release(struct fp_oxstyles *s);

/*
 * An element of styles.xml opens or closes. Each cell format of
 * <cellXfs> becomes one of wb's (fp_wb_add_xf), its number format the
 * numFmtId it gives, so cell format k of the file is wb's XF k.
 */
void fp_oxstyles_start(struct fp_oxstyles *s, struct fp_xml *x,
    const char *local, const char **attrs);
void fp_oxstyles_end(struct fp_oxstyles *s, const char *local);

/*
 * An element of the theme part opens or closes, before styles.xml is
 * fed: the first <clrScheme> gives the colours styles.xml names by theme
 * index (0 lt1, 1 dk1, 2 lt2, 3 dk2, 4 to 9 accent1 to accent6, 10 hlink,
 * 11 folHlink), each an <srgbClr> or a <sysClr>'s lastClr. A colour it
 * does not give, or gives in another form, is not known: a colour in
 * styles.xml that names it is automatic.
 */
void fp_oxtheme_start(struct fp_oxstyles *s, struct fp_xml *x,
    const char *local, const char **attrs);
void fp_oxtheme_end(struct fp_oxstyles *s, const char *local);
/* Forgets the theme's colours read so far (a theme part that is broken). */
void fp_oxtheme_forget(struct fp_oxstyles *s);

/* A sheet's parse, as far as looks go. */
struct fp_oxsheet {
	struct fp_sheet *sh;
	int views;		/* <sheetView>s met; only the first counts */
	int in_view;
	int hf;			/* 1 in <oddHeader>, 2 in <oddFooter>, else 0 */
	struct fp_buf text;
};

/*
 * Readies s to gather sheet sh's looks (its looks already cleared, as
 * fp_sheet_scan does); fp_oxsheet_finish completes them once the part is
 * read and frees what s holds.
 */
void fp_oxsheet_init(struct fp_oxsheet *s, struct fp_sheet *sh);
void fp_oxsheet_finish(struct fp_oxsheet *s);

/*
 * An element of the sheet's part opens or closes, or text comes: page
 * setup, margins, print options, header and footer, window, default
 * sizes. Cells and columns are ooxml.c's, which reads them anyway.
 */
void fp_oxsheet_start(struct fp_oxsheet *s, struct fp_xml *x,
    const char *local, const char **attrs);
void fp_oxsheet_end(struct fp_oxsheet *s, const char *local);
void fp_oxsheet_text(struct fp_oxsheet *s, const char *text, size_t len);

/*
 * A <row> of row number row (from 0): its height, visibility and cell
 * format, kept if it sets any. nxfs is the count of the workbook's XFs.
 */
void fp_oxsheet_row(struct fp_oxsheet *s, struct fp_xml *x, uint32_t row,
    const char **attrs, size_t nxfs);

/*
 * An XF index an attribute gives (a cell's s, a column's style), or -1 if
 * v is NULL, not a number or not below nxfs (and 65536).
 */
long fp_oxlooks_xf(const char *v, size_t nxfs);

#endif
