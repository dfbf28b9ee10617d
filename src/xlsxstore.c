/*
 * Items of cells on disk (xlsxstore.h). An item is a record of four
 * 32-bit numbers (sheet, row, column, length of its bytes) and its
 * bytes, in the first temporary file in the order written. A sheet keeps
 * its count, its bytes and whether its cells came in increasing order.
 * Grouping copies each record with pwrite into its sheet's region of a
 * second file, the regions laid out from the byte counts: linear time,
 * no memory per item. A sheet whose cells came out of order (never so
 * for merge, which writes rows in order) is sorted in memory when it is
 * walked, as libxlsxwriter's trees of comments and hyperlinks order it.
 */
#include "xlsxstore.h"
#include "workbook.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define HEAD 16			/* a record's four numbers */

struct ssheet {
	uint64_t count, bytes;
	uint64_t at;		/* its region in the grouped file */
	uint32_t lastrow, lastcol;
	int unordered;
};

struct fp_store {
	FILE *f;		/* as written */
	FILE *g;		/* grouped by sheet */
	struct ssheet *sheets;
	size_t nsheets;
};

/* An item of an unordered sheet, for sorting. */
struct sref {
	uint32_t row, col;
	uint64_t seq, off;
};

struct fp_store *
fp_store_new(struct fp_diag *d)
{
	struct fp_store *st;
	FILE *f = tmpfile();

	if (!f) {
		fp_diag(d, FP_EWRITE, "cannot make a temporary file: %s",
		    strerror(errno));
		return NULL;
	}
	st = fp_xcalloc(1, sizeof *st);
	st->f = f;
	return st;
}

void
fp_store_free(struct fp_store *st)
{
	if (!st)
		return;
	if (st->f)
		fclose(st->f);
	if (st->g)
		fclose(st->g);
	free(st->sheets);
	free(st);
}

enum fp_err
fp_store_add(struct fp_store *st, uint32_t sheet, uint32_t row, uint32_t col,
    const void *data, size_t len, struct fp_diag *d)
{
	uint32_t head[4];
	struct ssheet *s;

	if (sheet >= st->nsheets) {
		size_t k = (size_t)sheet + 1;

		st->sheets = fp_xreallocarray(st->sheets, k, sizeof *st->sheets);
		memset(st->sheets + st->nsheets, 0, (k - st->nsheets) *
		    sizeof *st->sheets);
		st->nsheets = k;
	}
	s = &st->sheets[sheet];
	if (s->count && (row < s->lastrow || (row == s->lastrow &&
	    col <= s->lastcol)))
		s->unordered = 1;
	s->lastrow = row;
	s->lastcol = col;
	head[0] = sheet;
	head[1] = row;
	head[2] = col;
	head[3] = (uint32_t)len;
	if (fwrite(head, sizeof head, 1, st->f) != 1 ||
	    fwrite(data, 1, len, st->f) != len)
		return fp_diag(d, FP_EWRITE, "cannot write a temporary file: %s",
		    strerror(errno));
	s->count++;
	s->bytes += HEAD + len;
	return FP_OK;
}

size_t
fp_store_count(const struct fp_store *st, uint32_t sheet)
{
	return st && sheet < st->nsheets ? (size_t)st->sheets[sheet].count : 0;
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
fp_store_group(struct fp_store *st, struct fp_diag *d)
{
	uint64_t *cur = fp_xcalloc(st->nsheets ? st->nsheets : 1, sizeof *cur);
	uint64_t at = 0, off = 0, total;
	struct fp_buf rec = FP_BUF_INIT;
	enum fp_err err = FP_OK;
	size_t i;

	for (i = 0; i < st->nsheets; i++) {
		st->sheets[i].at = cur[i] = at;
		at += st->sheets[i].bytes;
	}
	total = at;
	if (fflush(st->f) != 0 || !(st->g = tmpfile())) {
		err = fp_diag(d, FP_EWRITE, "cannot write a temporary file: %s",
		    strerror(errno));
		goto out;
	}
	while (off < total) {
		uint32_t head[4];

		if (read_at(st->f, head, sizeof head, off))
			goto bad;
		fp_buf_reset(&rec);
		fp_buf_grow(&rec, HEAD + head[3]);
		memcpy(rec.s, head, HEAD);
		if (head[0] >= st->nsheets ||
		    read_at(st->f, rec.s + HEAD, head[3], off + HEAD) ||
		    write_at(st->g, rec.s, HEAD + head[3], cur[head[0]]))
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
	const struct sref *x = a, *y = b;

	if (x->row != y->row)
		return x->row < y->row ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/*
 * The items of an unordered sheet by row and column, one per cell (the
 * last written); their number in *count. The caller frees.
 */
static struct sref *
sorted(struct fp_store *st, const struct ssheet *s, size_t *count)
{
	struct sref *v = fp_xreallocarray(NULL, s->count ? s->count : 1,
	    sizeof *v);
	uint64_t off = s->at, end = s->at + s->bytes;
	size_t k = 0, i, j;

	while (off < end && k < s->count) {
		uint32_t head[4];

		if (read_at(st->g, head, sizeof head, off)) {
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

int
fp_store_start(struct fp_store_walk *w, struct fp_store *st, uint32_t sheet)
{
	const struct ssheet *s;

	memset(w, 0, sizeof *w);
	w->st = st;
	if (!st || sheet >= st->nsheets)
		return 0;
	s = &st->sheets[sheet];
	w->off = s->at;
	w->count = (size_t)s->count;
	if (s->unordered && !(w->refs = sorted(st, s, &w->count)))
		return -1;
	return 0;
}

int
fp_store_next(struct fp_store_walk *w)
{
	const struct sref *refs = w->refs;
	uint32_t head[4];
	uint64_t off;

	if (w->i >= w->count)
		return 0;
	off = refs ? refs[w->i].off : w->off;
	if (read_at(w->st->g, head, sizeof head, off))
		return -1;
	fp_buf_reset(&w->buf);
	fp_buf_grow(&w->buf, (size_t)head[3] + 1);
	if (read_at(w->st->g, w->buf.s, head[3], off + HEAD))
		return -1;
	w->buf.len = head[3];
	w->buf.s[w->buf.len] = '\0';
	w->data = w->buf.s;
	w->len = w->buf.len;
	w->row = head[1];
	w->col = head[2];
	w->off = off + HEAD + head[3];
	w->i++;
	return 1;
}

void
fp_store_end(struct fp_store_walk *w)
{
	free(w->refs);
	w->refs = NULL;
	fp_buf_release(&w->buf);
}

void
fp_store_cellref(struct fp_buf *b, uint32_t row, uint32_t col)
{
	char letters[8];

	fp_colname(col, letters);
	fp_buf_adds(b, letters);
	fp_buf_printf(b, "%u", row + 1);
}

int
fp_store_x_pattern(const char *s, size_t n)
{
	size_t k;

	if (n < 7 || s[1] != 'x' || s[6] != '_')
		return 0;
	for (k = 2; k < 6; k++)
		if (!isxdigit((unsigned char)s[k]))
			return 0;
	return 1;
}

void
fp_store_escape(struct fp_buf *b, const char *s, size_t len, int attr)
{
	size_t i, from = 0;

	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		const char *e = ch == '&' ? "&amp;" : ch == '<' ? "&lt;" :
		    ch == '>' ? "&gt;" : !attr ? NULL : ch == '"' ?
		    "&quot;" : ch == '\n' ? "&#xA;" : NULL;
		char ctl[8];
		size_t skip = 1;

		/*
		 * What XML cannot hold: a control character is written as
		 * Excel writes it (_x000B_), U+FFFE and U+FFFF as U+FFFD.
		 */
		if (!e && ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r') {
			snprintf(ctl, sizeof ctl, "_x%04X_", ch);
			e = ctl;
		} else if (!e && !attr && ch == '_' && fp_store_x_pattern(s + i,
		    len - i)) {
			/* A text's own _xHHHH_, which a reader would decode. */
			e = "_x005F_";
		} else if (!e && fp_utf8_nonchar(s + i, len - i)) {
			e = "\xef\xbf\xbd";
			skip = 3;
		}
		if (!e)
			continue;
		fp_buf_add(b, s + from, i - from);
		fp_buf_adds(b, e);
		from = i + skip;
		i += skip - 1;
	}
	fp_buf_add(b, s + from, len - from);
}

int
fp_store_flush(struct fp_buf *b, fp_store_put put, void *ctx, int last)
{
	int r = 0;

	if (b->len && (last || b->len >= (1 << 16)))
		r = put(ctx, b->s, b->len);
	if (last || b->len >= (1 << 16))
		fp_buf_reset(b);
	return r;
}
