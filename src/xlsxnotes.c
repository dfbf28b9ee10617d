/*
 * Comments on disk (xlsxnotes.h). A comment is a record of four 32-bit
 * numbers (sheet, row, column, length of the text) and its text, in the
 * first temporary file in the order written. A sheet keeps its count,
 * its bytes and whether its cells came in increasing order. Grouping
 * copies each record with pwrite into its sheet's region of a second
 * file, the regions laid out from the byte counts: linear time, no
 * memory per comment. A sheet whose cells came out of order (never so
 * for merge, which writes rows in order) is sorted in memory when it is
 * written, as libxlsxwriter's tree of comments would order it.
 *
 * The parts are written byte for byte as libxlsxwriter 1.1 writes them,
 * and each box is placed as its _worksheet_position_object_pixels does.
 */
#include "xlsxnotes.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ROW_MAX 1048576u
#define COL_MAX 16384u
#define HEAD 16			/* a record's four numbers */
#define NOTE_WIDTH 256		/* 128 pixels, x_scale 2 */
#define NOTE_HEIGHT 111		/* 74 pixels, y_scale 1.5 */

struct nsheet {
	uint64_t count, bytes;
	uint64_t at;		/* its region in the grouped file */
	uint32_t lastrow, lastcol;
	int unordered;
};

struct fp_notes {
	FILE *f;		/* as written */
	FILE *g;		/* grouped by sheet */
	struct nsheet *sheets;
	size_t nsheets;
};

/* A comment of an unordered sheet, for sorting. */
struct nref {
	uint32_t row, col;
	uint64_t seq, off;
};

struct fp_notes *
fp_notes_new(struct fp_diag *d)
{
	struct fp_notes *n;
	FILE *f = tmpfile();

	if (!f) {
		fp_diag(d, FP_EWRITE, "cannot make a temporary file: %s",
		    strerror(errno));
		return NULL;
	}
	n = fp_xcalloc(1, sizeof *n);
	n->f = f;
	return n;
}

void
fp_notes_free(struct fp_notes *n)
{
	if (!n)
		return;
	if (n->f)
		fclose(n->f);
	if (n->g)
		fclose(n->g);
	free(n->sheets);
	free(n);
}

enum fp_err
fp_notes_add(struct fp_notes *n, uint32_t sheet, uint32_t row, uint32_t col,
    const char *text, struct fp_diag *d)
{
	size_t len = strlen(text);
	uint32_t head[4];
	struct nsheet *s;

	if (sheet >= n->nsheets) {
		size_t k = (size_t)sheet + 1;

		n->sheets = fp_xreallocarray(n->sheets, k, sizeof *n->sheets);
		memset(n->sheets + n->nsheets, 0, (k - n->nsheets) *
		    sizeof *n->sheets);
		n->nsheets = k;
	}
	s = &n->sheets[sheet];
	if (s->count && (row < s->lastrow || (row == s->lastrow &&
	    col <= s->lastcol)))
		s->unordered = 1;
	s->lastrow = row;
	s->lastcol = col;
	head[0] = sheet;
	head[1] = row;
	head[2] = col;
	head[3] = (uint32_t)len;
	if (fwrite(head, sizeof head, 1, n->f) != 1 ||
	    fwrite(text, 1, len, n->f) != len)
		return fp_diag(d, FP_EWRITE, "cannot write a temporary file: %s",
		    strerror(errno));
	s->count++;
	s->bytes += HEAD + len;
	return FP_OK;
}

size_t
fp_notes_count(const struct fp_notes *n, uint32_t sheet)
{
	return sheet < n->nsheets ? (size_t)n->sheets[sheet].count : 0;
}

/* Reads exactly len bytes at off of f; 0, or -1. */
static int
read_at(FILE *f, void *p, size_t len, uint64_t off)
{
	char *b = p;

	while (len > 0) {
		ssize_t r = pread(fileno(f), b, len, (off_t)off);

		if (r <= 0) {
			if (r < 0 && errno == EINTR)
				continue;
			return -1;
		}
		b += r;
		len -= (size_t)r;
		off += (uint64_t)r;
	}
	return 0;
}

/* Writes len bytes at off of f; 0, or -1. */
static int
write_at(FILE *f, const void *p, size_t len, uint64_t off)
{
	const char *b = p;

	while (len > 0) {
		ssize_t r = pwrite(fileno(f), b, len, (off_t)off);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		b += r;
		len -= (size_t)r;
		off += (uint64_t)r;
	}
	return 0;
}

enum fp_err
fp_notes_group(struct fp_notes *n, struct fp_diag *d)
{
	uint64_t *cur = fp_xcalloc(n->nsheets ? n->nsheets : 1, sizeof *cur);
	uint64_t at = 0, off = 0, total;
	struct fp_buf rec = FP_BUF_INIT;
	enum fp_err err = FP_OK;
	size_t i;

	for (i = 0; i < n->nsheets; i++) {
		n->sheets[i].at = cur[i] = at;
		at += n->sheets[i].bytes;
	}
	total = at;
	if (fflush(n->f) != 0 || !(n->g = tmpfile())) {
		err = fp_diag(d, FP_EWRITE, "cannot write a temporary file: %s",
		    strerror(errno));
		goto out;
	}
	while (off < total) {
		uint32_t head[4];

		if (read_at(n->f, head, sizeof head, off))
			goto bad;
		fp_buf_reset(&rec);
		fp_buf_grow(&rec, HEAD + head[3]);
		memcpy(rec.s, head, HEAD);
		if (head[0] >= n->nsheets ||
		    read_at(n->f, rec.s + HEAD, head[3], off + HEAD) ||
		    write_at(n->g, rec.s, HEAD + head[3], cur[head[0]]))
			goto bad;
		cur[head[0]] += HEAD + head[3];
		off += HEAD + head[3];
	}
	goto out;
bad:
	err = fp_diag(d, FP_EWRITE, "cannot read back a temporary file: %s",
	    errno ? strerror(errno) : "short read");
out:
	free(cur);
	fp_buf_release(&rec);
	return err;
}

static int
ref_cmp(const void *a, const void *b)
{
	const struct nref *x = a, *y = b;

	if (x->row != y->row)
		return x->row < y->row ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/*
 * The comments of an unordered sheet by row and column, one per cell
 * (the last written); their number in *count. The caller frees.
 */
static struct nref *
sorted(struct fp_notes *n, const struct nsheet *s, size_t *count)
{
	struct nref *v = fp_xreallocarray(NULL, s->count ? s->count : 1,
	    sizeof *v);
	uint64_t off = s->at, end = s->at + s->bytes;
	size_t k = 0, i, j;

	while (off < end && k < s->count) {
		uint32_t head[4];

		if (read_at(n->g, head, sizeof head, off)) {
			free(v);
			return NULL;
		}
		v[k].row = head[1];
		v[k].col = head[2];
		v[k].seq = k;
		v[k].off = off;
		k++;
		off += HEAD + head[3];
	}
	qsort(v, k, sizeof *v, ref_cmp);
	for (i = j = 0; i < k; i++) {
		if (i + 1 < k && v[i + 1].row == v[i].row &&
		    v[i + 1].col == v[i].col)
			continue;
		v[j++] = v[i];
	}
	*count = j;
	return v;
}

/* A walk over a sheet's comments in the order they are written out. */
struct walk {
	struct fp_notes *n;
	const struct nsheet *s;
	struct nref *refs;	/* unordered sheets: the order; else NULL */
	size_t count, i;
	uint64_t off;
	uint32_t row, col;
	struct fp_buf text;
};

static int
walk_start(struct walk *w, struct fp_notes *n, uint32_t sheet)
{
	memset(w, 0, sizeof *w);
	w->n = n;
	w->s = &n->sheets[sheet];
	w->off = w->s->at;
	w->count = (size_t)w->s->count;
	if (w->s->unordered && !(w->refs = sorted(n, w->s, &w->count)))
		return -1;
	return 0;
}

/* The next comment into w->row, w->col, w->text: 1, 0 at the end, -1. */
static int
walk_next(struct walk *w)
{
	uint32_t head[4];
	uint64_t off = w->refs ? w->refs[w->i].off : w->off;

	if (w->i >= w->count)
		return 0;
	if (read_at(w->n->g, head, sizeof head, off))
		return -1;
	fp_buf_reset(&w->text);
	fp_buf_grow(&w->text, (size_t)head[3] + 1);
	if (read_at(w->n->g, w->text.s, head[3], off + HEAD))
		return -1;
	w->text.len = head[3];
	w->text.s[w->text.len] = '\0';
	w->row = head[1];
	w->col = head[2];
	w->off = off + HEAD + head[3];
	w->i++;
	return 1;
}

static void
walk_end(struct walk *w)
{
	free(w->refs);
	fp_buf_release(&w->text);
}

uint32_t
fp_notes_next_id(const struct fp_notes *n, uint32_t sheet, uint32_t data_id)
{
	const struct nsheet *s = &n->sheets[sheet];
	size_t count = (size_t)s->count;
	struct nref *v = NULL;

	if (s->unordered && (v = sorted((struct fp_notes *)n, s, &count)))
		free(v);
	return data_id + (uint32_t)((1024 + count) / 1024);
}

/* Text as XML character data: &, < and > escaped, as libxlsxwriter does. */
static void
escape(struct fp_buf *b, const char *s, size_t len)
{
	size_t i, from = 0;

	for (i = 0; i < len; i++) {
		const char *e = s[i] == '&' ? "&amp;" : s[i] == '<' ? "&lt;" :
		    s[i] == '>' ? "&gt;" : NULL;

		if (!e)
			continue;
		fp_buf_add(b, s + from, i - from);
		fp_buf_adds(b, e);
		from = i + 1;
	}
	fp_buf_add(b, s + from, len - from);
}

/* The A1 name of a cell. */
static void
cell_name(struct fp_buf *b, uint32_t row, uint32_t col)
{
	char letters[8];
	size_t k = 0;

	col++;
	while (col > 0) {
		letters[k++] = (char)('A' + (col - 1) % 26);
		col = (col - 1) / 26;
	}
	while (k > 0)
		fp_buf_addc(b, letters[--k]);
	fp_buf_printf(b, "%u", row + 1);
}

/* Flushes b through put once it is large, or when last; 0 or -1. */
static int
flush(struct fp_buf *b, fp_notes_put put, void *ctx, int last)
{
	int r = 0;

	if (b->len && (last || b->len >= (1 << 16)))
		r = put(ctx, b->s, b->len);
	if (last || b->len >= (1 << 16))
		fp_buf_reset(b);
	return r;
}

int
fp_notes_comments(struct fp_notes *n, uint32_t sheet, fp_notes_put put,
    void *ctx)
{
	struct walk w;
	struct fp_buf b = FP_BUF_INIT;
	int r, rc = -1;

	if (walk_start(&w, n, sheet))
		return -1;
	fp_buf_adds(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\" "
	    "standalone=\"yes\"?>\n<comments xmlns=\"http://schemas."
	    "openxmlformats.org/spreadsheetml/2006/main\"><authors><author>"
	    "</author><author>formpipe</author></authors><commentList>");
	while ((r = walk_next(&w)) == 1) {
		fp_buf_adds(&b, "<comment ref=\"");
		cell_name(&b, w.row, w.col);
		fp_buf_adds(&b, "\" authorId=\"1\"><text><r><rPr><sz val=\"8\"/>"
		    "<color indexed=\"81\"/><rFont val=\"Tahoma\"/>"
		    "<family val=\"2\"/></rPr><t>");
		escape(&b, w.text.s, w.text.len);
		fp_buf_adds(&b, "</t></r></text></comment>");
		if (flush(&b, put, ctx, 0))
			goto out;
	}
	if (r < 0)
		goto out;
	fp_buf_adds(&b, "</commentList></comments>");
	rc = flush(&b, put, ctx, 1);
out:
	walk_end(&w);
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
fp_notes_vml(struct fp_notes *n, uint32_t sheet, uint32_t data_id,
    const struct fp_note_grid *g, fp_notes_put put, void *ctx)
{
	struct walk w;
	struct geom q;
	struct fp_buf b = FP_BUF_INIT;
	size_t k, z = 0;
	int r, rc = -1;

	if (walk_start(&w, n, sheet))
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
	while ((r = walk_next(&w)) == 1) {
		z++;
		vml_shape(&b, &q, w.row, w.col, data_id * 1024 + (uint32_t)z, z);
		if (flush(&b, put, ctx, 0))
			goto out;
	}
	if (r < 0)
		goto out;
	fp_buf_adds(&b, "</xml>");
	rc = flush(&b, put, ctx, 1);
out:
	walk_end(&w);
	free(q.colsum);
	free(q.rowsum);
	fp_buf_release(&b);
	return rc;
}
