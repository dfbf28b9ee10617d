/*
 * Internal hyperlinks on disk (xlsxlinks.h). A link is a store item
 * whose bytes are its location, a NUL, and its display text.
 * libxlsxwriter copies an attribute's value into a buffer of 2,080
 * bytes, so it keeps at most the first 2,079; then it escapes &, <, >,
 * " and newline. The same is done here.
 */
#include "xlsxlinks.h"

#include <string.h>

#define ATTR_MAX 2079		/* libxlsxwriter's LXW_MAX_ATTRIBUTE_LENGTH - 1 */

enum fp_err
fp_links_add(struct fp_store *st, uint32_t sheet, uint32_t row, uint32_t col,
    const char *location, const char *display, struct fp_diag *d)
{
	struct fp_buf b = FP_BUF_INIT;
	enum fp_err err;

	fp_buf_add(&b, location, strlen(location) + 1);
	fp_buf_adds(&b, display);
	err = fp_store_add(st, sheet, row, col, b.s, b.len, d);
	fp_buf_release(&b);
	return err;
}

/* An attribute name="value" with value as libxlsxwriter writes it. */
static void
attr(struct fp_buf *b, const char *name, const char *v, size_t len)
{
	fp_buf_printf(b, " %s=\"", name);
	fp_store_escape(b, v, len > ATTR_MAX ? ATTR_MAX : len, 1);
	fp_buf_addc(b, '"');
}

int
fp_links_xml(struct fp_store *st, uint32_t sheet, fp_store_put put, void *ctx)
{
	struct fp_store_walk w;
	struct fp_buf b = FP_BUF_INIT;
	int r, rc = -1;

	if (fp_store_start(&w, st, sheet))
		goto out;
	if (w.count == 0) {
		rc = 0;
		goto out;
	}
	fp_buf_adds(&b, "<hyperlinks>");
	while ((r = fp_store_next(&w)) == 1) {
		size_t loc = strlen(w.data);

		fp_buf_adds(&b, "<hyperlink ref=\"");
		fp_store_cellref(&b, w.row, w.col);
		fp_buf_addc(&b, '"');
		attr(&b, "location", w.data, loc);
		if (loc < w.len)
			attr(&b, "display", w.data + loc + 1, w.len - loc - 1);
		fp_buf_adds(&b, "/>");
		if (fp_store_flush(&b, put, ctx, 0))
			goto out;
	}
	if (r < 0)
		goto out;
	fp_buf_adds(&b, "</hyperlinks>");
	rc = fp_store_flush(&b, put, ctx, 1);
out:
	fp_store_end(&w);
	fp_buf_release(&b);
	return rc;
}
