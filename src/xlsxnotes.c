/*
 * Comments' parts (xlsxnotes.h), written from the store of comments
 * byte for byte as libxlsxwriter 1.1 writes them, each box placed as
 * its _worksheet_position_object_pixels does.
 */
#include "xlsxnotes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ROW_MAX 1048576u
#define COL_MAX 16384u
#define NOTE_WIDTH 256		/* 128 pixels, x_scale 2 */
#define NOTE_HEIGHT 111		/* 74 pixels, y_scale 1.5 */

uint32_t
fp_notes_next_id(struct fp_store *n, uint32_t sheet, uint32_t data_id)
{
	struct fp_store_walk w;
	size_t count = fp_store_count(n, sheet);

	if (fp_store_start(&w, n, sheet) == 0)
		count = w.count;
	fp_store_end(&w);
	return data_id + (uint32_t)((1024 + count) / 1024);
}

int
fp_notes_comments(struct fp_store *n, uint32_t sheet, fp_store_put put,
    void *ctx)
{
	struct fp_store_walk w;
	struct fp_buf b = FP_BUF_INIT;
	int r, rc = -1;

	if (fp_store_start(&w, n, sheet))
		return -1;
	fp_buf_adds(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\" "
	    "standalone=\"yes\"?>\n<comments xmlns=\"http://schemas."
	    "openxmlformats.org/spreadsheetml/2006/main\"><authors><author>"
	    "</author><author>formpipe</author></authors><commentList>");
	while ((r = fp_store_next(&w)) == 1) {
		fp_buf_adds(&b, "<comment ref=\"");
		fp_store_cellref(&b, w.row, w.col);
		fp_buf_adds(&b, "\" authorId=\"1\"><text><r><rPr><sz val=\"8\"/>"
		    "<color indexed=\"81\"/><rFont val=\"Tahoma\"/>"
		    "<family val=\"2\"/></rPr><t>");
		fp_store_escape(&b, w.data, w.len, 0);
		fp_buf_adds(&b, "</t></r></text></comment>");
		if (fp_store_flush(&b, put, ctx, 0))
			goto out;
	}
	if (r < 0)
		goto out;
	fp_buf_adds(&b, "</commentList></comments>");
	rc = fp_store_flush(&b, put, ctx, 1);
out:
	fp_store_end(&w);
	fp_buf_release(&b);
	return rc;
}

/* Sheet geometry, with running sums for the offsets of a cell. */
struct geom {
	const struct fp_note_grid *g;
	uint32_t *colsum;	/* pixels left of column c, c <= ncols */
	uint32_t *rowsum;	/* over rows[0..k-1]: their px less row_px */
};

static uint32_t
size_col(const struct geom *q, uint32_t c)
{
	return c < q->g->ncols ? q->g->col_px[c] : q->g->def_col_px;
}

/* The index of the first listed row at or past row. */
static size_t
row_index(const struct fp_note_grid *g, uint32_t row)
{
	size_t lo = 0, hi = g->nrows;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (g->rows[mid].row < row)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static uint32_t
size_row(const struct geom *q, uint32_t r)
{
	size_t k = row_index(q->g, r);

	return k < q->g->nrows && q->g->rows[k].row == r ? q->g->rows[k].px :
	    q->g->row_px;
}

/* Pixels above row r, as libxlsxwriter adds them (modulo 2^32). */
static uint32_t
rows_above(const struct geom *q, uint32_t r)
{
	const struct fp_note_grid *g = q->g;

	if (!g->row_changed)
		return g->def_row_px * r;
	return g->row_px * r + q->rowsum[row_index(g, r)];
}

static uint32_t
cols_left(const struct geom *q, uint32_t c)
{
	const struct fp_note_grid *g = q->g;

	if (!g->col_changed)
		return g->def_col_px * c;
	if (c <= g->ncols)
		return q->colsum[c];
	return q->colsum[g->ncols] + (c - (uint32_t)g->ncols) * g->def_col_px;
}

/* A comment box's place: the eight numbers of its anchor, and where. */
struct place {
	uint32_t col1, x1, row1, y1, col2, x2, row2, y2;
	uint32_t x_abs, y_abs;
};

/*
 * Where libxlsxwriter puts the box of a comment on (row, col): one column
 * right and a row up, offset 15 and 10 pixels (other cells at the edges
 * of the sheet), NOTE_WIDTH by NOTE_HEIGHT pixels.
 */
static void
position(const struct geom *q, uint32_t row, uint32_t col, struct place *p)
{
	uint32_t c, r, ce, re;
	int32_t x1, y1;
	double width = NOTE_WIDTH, height = NOTE_HEIGHT;

	y1 = row == 0 ? 2 : row >= ROW_MAX - 3 ? (row == ROW_MAX - 1 ? 14 : 16) :
	    10;
	x1 = col >= COL_MAX - 3 ? 49 : 15;
	r = row == 0 ? 0 : row == ROW_MAX - 3 ? ROW_MAX - 7 :
	    row == ROW_MAX - 2 ? ROW_MAX - 6 : row == ROW_MAX - 1 ?
	    ROW_MAX - 5 : row - 1;
	c = col == COL_MAX - 3 ? COL_MAX - 6 : col == COL_MAX - 2 ?
	    COL_MAX - 5 : col == COL_MAX - 1 ? COL_MAX - 4 : col + 1;
	p->x_abs = cols_left(q, c) + (uint32_t)x1;
	p->y_abs = rows_above(q, r) + (uint32_t)y1;
	while ((int64_t)x1 >= (int64_t)size_col(q, c)) {
		x1 -= (int32_t)size_col(q, c);
		c++;
	}
	while ((int64_t)y1 >= (int64_t)size_row(q, r)) {
		y1 -= (int32_t)size_row(q, r);
		r++;
	}
	ce = c;
	re = r;
	if (size_col(q, c) > 0)
		width += x1;
	if (size_row(q, r) > 0)
		height += y1;
	while (width >= size_col(q, ce) && ce < COL_MAX) {
		width -= size_col(q, ce);
		ce++;
	}
	while (height >= size_row(q, re) && re < ROW_MAX) {
		height -= size_row(q, re);
		re++;
	}
	p->col1 = c;
	p->x1 = (uint32_t)x1;
	p->row1 = r;
	p->y1 = (uint32_t)y1;
	p->col2 = ce;
	p->x2 = (uint32_t)width;
	p->row2 = re;
	p->y2 = (uint32_t)height;
}

static void
geom_init(struct geom *q, const struct fp_note_grid *g)
{
	size_t i;

	q->g = g;
	q->colsum = fp_xcalloc(g->ncols + 1, sizeof *q->colsum);
	for (i = 0; i < g->ncols; i++)
		q->colsum[i + 1] = q->colsum[i] + g->col_px[i];
	q->rowsum = fp_xcalloc(g->nrows + 1, sizeof *q->rowsum);
	for (i = 0; i < g->nrows; i++)
		q->rowsum[i + 1] = q->rowsum[i] + g->rows[i].px - g->row_px;
}

/* A shape of the vmlDrawing part. */
static void
vml_shape(struct fp_buf *b, const struct geom *q, uint32_t row, uint32_t col,
    uint32_t id, size_t z)
{
	struct place p;

	position(q, row, col, &p);
	fp_buf_printf(b, "<v:shape id=\"_x0000_s%u\" type=\"#_x0000_t202\" "
	    "style=\"position:absolute;margin-left:%.16gpt;margin-top:%.16gpt;"
	    "width:%.16gpt;height:%.16gpt;z-index:%zu;visibility:hidden\" "
	    "fillcolor=\"#ffffe1\" o:insetmode=\"auto\"><v:fill "
	    "color2=\"#ffffe1\"/><v:shadow on=\"t\" color=\"black\" "
	    "obscured=\"t\"/><v:path o:connecttype=\"none\"/><v:textbox "
	    "style=\"mso-direction-alt:auto\"><div style=\"text-align:left\">"
	    "</div></v:textbox><x:ClientData ObjectType=\"Note\">"
	    "<x:MoveWithCells/><x:SizeWithCells/><x:Anchor>%u, %u, %u, %u, "
	    "%u, %u, %u, %u</x:Anchor><x:AutoFill>False</x:AutoFill>"
	    "<x:Row>%u</x:Row><x:Column>%u</x:Column></x:ClientData>"
	    "</v:shape>", id, p.x_abs * 0.75, p.y_abs * 0.75,
	    NOTE_WIDTH * 0.75, NOTE_HEIGHT * 0.75, z, p.col1, p.x1, p.row1,
	    p.y1, p.col2, p.x2, p.row2, p.y2, row, col);
}

int
fp_notes_vml(struct fp_store *n, uint32_t sheet, uint32_t data_id,
    const struct fp_note_grid *g, fp_store_put put, void *ctx)
{
	struct fp_store_walk w;
	struct geom q;
	struct fp_buf b = FP_BUF_INIT;
	size_t k, z = 0;
	int r, rc = -1;

	if (fp_store_start(&w, n, sheet))
		return -1;
	geom_init(&q, g);
	fp_buf_adds(&b, "<xml xmlns:v=\"urn:schemas-microsoft-com:vml\" "
	    "xmlns:o=\"urn:schemas-microsoft-com:office:office\" "
	    "xmlns:x=\"urn:schemas-microsoft-com:office:excel\">"
	    "<o:shapelayout v:ext=\"edit\"><o:idmap v:ext=\"edit\" data=\"");
	/* One id for each block of 1024 shapes begun. */
	for (k = 0; k <= w.count / 1024; k++)
		fp_buf_printf(&b, "%s%u", k ? "," : "", data_id + (uint32_t)k);
	fp_buf_adds(&b, "\"/></o:shapelayout><v:shapetype id=\"_x0000_t202\" "
	    "coordsize=\"21600,21600\" o:spt=\"202\" "
	    "path=\"m,l,21600r21600,l21600,xe\"><v:stroke joinstyle=\"miter\"/>"
	    "<v:path gradientshapeok=\"t\" o:connecttype=\"rect\"/>"
	    "</v:shapetype>");
	while ((r = fp_store_next(&w)) == 1) {
		z++;
		vml_shape(&b, &q, w.row, w.col, data_id * 1024 + (uint32_t)z, z);
		if (fp_store_flush(&b, put, ctx, 0))
			goto out;
	}
	if (r < 0)
		goto out;
	fp_buf_adds(&b, "</xml>");
	rc = fp_store_flush(&b, put, ctx, 1);
out:
	fp_store_end(&w);
	free(q.colsum);
	free(q.rowsum);
	fp_buf_release(&b);
	return rc;
}
