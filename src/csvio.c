/*
 * CSV in and out over libcsv. The reader feeds libcsv a line at a time
 * and hands records out one by one, keeping the line each starts on; it
 * can copy the bytes it consumes to a second stream, which is how check
 * passes its input through unchanged while reading it. A line with no
 * quote and no CR that starts a record, as nearly every line of a facts
 * stream does, is split here instead, as libcsv would split it: its
 * byte-by-byte states were a quarter of check's time.
 */
#include "csvio.h"

#include <csv.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The bytes that make a field quoted. */
static const unsigned char quoted[256] = {
	['\n'] = 1, ['\r'] = 1, ['"'] = 1, [','] = 1,
};

/*
 * Eight bytes at a time, the bytes below '-' (0x2D), where all four that
 * make a field quoted are: a word with none of them is passed at once.
 * Subtracting 0x2D from every byte sets a top bit the byte did not have
 * only if some byte of the word is below 0x2D (the lowest such byte sets
 * its own; a borrow from it may set the next one's too), so the test
 * says exactly whether the word has one, not which byte.
 */
#define ONES 0x0101010101010101u

static size_t
plain_words(const char *s, size_t n)
{
	size_t i;
	uint64_t w;

	for (i = 0; i + 8 <= n; i += 8) {
		memcpy(&w, s + i, 8);
		if ((w - ONES * 0x2D) & ~w & ONES * 0x80)
			break;
	}
	return i;
}

void
fp_csv_field(struct fp_buf *b, const char *s, size_t n)
{
	size_t i, need;

	for (i = plain_words(s, n); i < n && !quoted[(unsigned char)s[i]]; i++)
		continue;
	if (i == n) {
		fp_buf_add(b, s, n);
		return;
	}
	need = 2 * n + 2;
	fp_buf_grow(b, need);
	b->len += csv_write(b->s + b->len, need, s, n);
	b->s[b->len] = '\0';
}

struct qrow {
	size_t line;
	size_t first;		/* index of its first field */
	size_t nf;
	size_t end;		/* the input's bytes to the end of its line */
};

struct fp_csv_reader {
	FILE *f;
	const char *name;
	FILE *tee;
	int tee_err;			/* errno of the first failed copy, or 0 */
	int tee_last;			/* the last byte copied, -1 if none */
	/*
	 * The copy holds back the bytes of a record until the next one is
	 * asked for, so that a record refused is not passed on: pend holds
	 * the input's bytes from offset pend_at, fed those to offset fed;
	 * a record handed out ends at handed (its line's end, chunk_end
	 * while its line is parsed).
	 */
	struct fp_buf pend;
	size_t pend_at, fed, chunk_end, handed;
	int hold;			/* keep consumed bytes for a later tee */
	struct fp_buf held;
	struct csv_parser p;
	char buf[65536];
	size_t bpos, blen;
	int eof, done;
	struct fp_buf data;		/* field bytes, each NUL-terminated */
	size_t *foff, *flen;
	size_t nf, capf;
	struct qrow *q;
	size_t nq, qhead, capq;
	size_t line;			/* line of the next byte fed */
	int mid;			/* libcsv is inside a record */
	int quotes;			/* odd: inside a quoted field */
	size_t rec_line;		/* line the record being read starts on */
	size_t rec_first;		/* its first field */
	int in_record;
	size_t mid_line;		/* line the unfinished record starts on */
	size_t mid_bytes;		/* its bytes fed so far */
	int sniffed;			/* the input's first bytes looked at */
	char **outf;
	size_t *outlen;
	size_t capout;
};

static void
on_field(void *s, size_t len, void *data)
{
	struct fp_csv_reader *r = data;
	const char *p, *end;

	if (!r->in_record) {
		r->in_record = 1;
		r->rec_line = r->line;
		r->rec_first = r->nf;
	}
	if (r->nf == r->capf) {
		r->capf = r->capf ? r->capf * 2 : 64;
		r->foff = fp_xreallocarray(r->foff, r->capf, sizeof *r->foff);
		r->flen = fp_xreallocarray(r->flen, r->capf, sizeof *r->flen);
	}
	r->foff[r->nf] = r->data.len;
	r->flen[r->nf] = len;
	r->nf++;
	fp_buf_add(&r->data, s ? s : "", s ? len : 0);
	fp_buf_addc(&r->data, '\0');
	if (s)
		for (p = s, end = p + len;
		    (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++)
			r->line++;
}

static void
on_record(int c, void *data)
{
	struct fp_csv_reader *r = data;

	if (r->in_record) {
		if (r->nq == r->capq) {
			r->capq = r->capq ? r->capq * 2 : 8;
			r->q = fp_xreallocarray(r->q, r->capq, sizeof *r->q);
		}
		r->q[r->nq].line = r->rec_line;
		r->q[r->nq].first = r->rec_first;
		r->q[r->nq].nf = r->nf - r->rec_first;
		r->q[r->nq].end = r->chunk_end;
		r->nq++;
		r->in_record = 0;
	}
	if (c == '\n')
		r->line++;
}

struct fp_csv_reader *
fp_csv_reader_new(FILE *f, const char *name)
{
	struct fp_csv_reader *r = fp_xcalloc(1, sizeof *r);

	r->f = f;
	r->name = name;
	r->line = 1;
	fp_buf_init(&r->data);
	csv_init(&r->p, CSV_STRICT | CSV_STRICT_FINI | CSV_REPALL_NL);
	/*
	 * libcsv grows a field by this much at a time (128 bytes by
	 * default): a long text cell (a report's paragraphs) then costs
	 * thousands of copies where realloc cannot grow in place.
	 */
	csv_set_blk_size(&r->p, 64 * 1024);
	return r;
}

void
fp_csv_reader_free(struct fp_csv_reader *r)
{
	if (!r)
		return;
	csv_free(&r->p);
	fp_buf_release(&r->data);
	fp_buf_release(&r->held);
	fp_buf_release(&r->pend);
	free(r->foff);
	free(r->flen);
	free(r->q);
	free(r->outf);
	free(r->outlen);
	free(r);
}

void
fp_csv_reader_hold(struct fp_csv_reader *r)
{
	r->hold = 1;
}

void
fp_csv_reader_tee(struct fp_csv_reader *r, FILE *tee)
{
	r->tee = tee;
	r->tee_last = -1;
	if (r->held.len && fwrite(r->held.s, 1, r->held.len, tee) != r->held.len)
		r->tee_err = errno ? errno : EIO;
	if (r->held.len)
		r->tee_last = (unsigned char)r->held.s[r->held.len - 1];
	fp_buf_release(&r->held);
	r->hold = 0;
	r->pend_at = r->fed;
}

int
fp_csv_tee_failed(const struct fp_csv_reader *r)
{
	return r->tee_err;
}

/* Copies the bytes held back up to offset to (all: SIZE_MAX). */
static void
tee_flush(struct fp_csv_reader *r, size_t to)
{
	size_t n = to - r->pend_at;

	if (to < r->pend_at)
		return;
	if (n > r->pend.len)
		n = r->pend.len;
	if (!n)
		return;
	if (!r->tee_err && fwrite(r->pend.s, 1, n, r->tee) != n)
		r->tee_err = errno ? errno : EIO;
	r->tee_last = (unsigned char)r->pend.s[n - 1];
	memmove(r->pend.s, r->pend.s + n, r->pend.len - n);
	r->pend.len -= n;
	r->pend_at += n;
}

/* Drops the fields of records already handed out. */
static void
compact(struct fp_csv_reader *r)
{
	size_t keep, base, i;

	if (r->qhead < r->nq)
		return;
	r->nq = r->qhead = 0;
	if (!r->in_record) {
		r->nf = 0;
		fp_buf_reset(&r->data);
		return;
	}
	/* Move the half-read record's fields to the front. */
	keep = r->nf - r->rec_first;
	base = keep ? r->foff[r->rec_first] : r->data.len;
	memmove(r->data.s, r->data.s + base, r->data.len - base);
	r->data.len -= base;
	r->data.s[r->data.len] = '\0';
	for (i = 0; i < keep; i++) {
		r->foff[i] = r->foff[r->rec_first + i] - base;
		r->flen[i] = r->flen[r->rec_first + i];
	}
	r->nf = keep;
	r->rec_first = 0;
}

/* libcsv's white space, trimmed around a field that is not quoted. */
static int
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* One field of a plain line, trimmed as libcsv trims it. */
static void
plain_field(struct fp_csv_reader *r, const char *s, size_t n)
{
	while (n && is_blank(*s)) {
		s++;
		n--;
	}
	while (n && is_blank(s[n - 1]))
		n--;
	on_field((void *)s, n, r);
}

/*
 * A whole line s of n bytes, its last a line feed, with no quote and no
 * CR, fed while libcsv is between records: its fields go straight to
 * on_field, as libcsv would give them. A line of nothing but blanks is
 * no record, as with libcsv.
 */
static void
plain_line(struct fp_csv_reader *r, const char *s, size_t n)
{
	const char *end = s + n - 1, *p = s, *comma;
	const char *q;

	for (q = s; q < end && is_blank(*q); q++)
		continue;
	if (q < end) {
		while ((comma = memchr(p, ',', (size_t)(end - p))) != NULL) {
			plain_field(r, p, (size_t)(comma - p));
			p = comma + 1;
		}
		plain_field(r, p, (size_t)(end - p));
	}
	on_record('\n', r);
}

/*
 * Whether libcsv ends between records after the n bytes at s, given
 * where it was: outside a quoted field (an even count of quotes so far
 * in the record; strict parsing refuses a quote anywhere else) and past
 * a line end.
 */
static void
track(struct fp_csv_reader *r, const char *s, size_t n)
{
	const char *p = s, *end = s + n;

	while ((p = memchr(p, '"', (size_t)(end - p))) != NULL) {
		r->quotes ^= 1;
		p++;
	}
	r->mid = r->quotes || !n || (end[-1] != '\n' && end[-1] != '\r');
}

/*
 * "1: a workbook …" if the input starts as a workbook does (a zip: .xlsx
 * or .ods; a compound file: .xls), which libcsv would call a quote in
 * the wrong place, or read whole as one field.
 */
static int
sniff(struct fp_csv_reader *r, struct fp_diag *d)
{
	static const char zip[] = "PK\3\4", cfb[] = "\xD0\xCF\x11\xE0";

	r->sniffed = 1;
	if (r->blen >= 4 && !memcmp(r->buf, zip, 4))
		return fp_diag(d, FP_ECSV, "1: a workbook (a zip file: .xlsx "
		    "or .ods), not CSV text; formpipe map reads workbooks"), -1;
	if (r->blen >= 4 && !memcmp(r->buf, cfb, 4))
		return fp_diag(d, FP_ECSV, "1: a workbook (.xls), not CSV "
		    "text; formpipe map reads workbooks"), -1;
	return 0;
}

/* Feeds libcsv the next line of input; 0 at the end, -1 on error. */
static int
feed(struct fp_csv_reader *r, struct fp_diag *d)
{
	size_t n, got;
	char *nl;

	if (r->done)
		return 0;
	if (r->bpos == r->blen) {
		if (r->eof) {
			r->done = 1;
			r->chunk_end = r->fed;
			if (csv_fini(&r->p, on_field, on_record, r) != 0)
				return fp_diag(d, FP_ECSV, "%zu: a quoted field "
				    "is never closed (unbalanced quote)",
				    r->in_record ? r->rec_line : r->line), -1;
			return 1;
		}
		r->blen = fread(r->buf, 1, sizeof r->buf, r->f);
		r->bpos = 0;
		if (r->blen == 0) {
			if (ferror(r->f))
				return fp_diag(d, FP_EOPEN, "%zu: %s", r->line,
				    strerror(errno ? errno : EIO)), -1;
			r->eof = 1;
			return 1;
		}
		if (!r->sniffed && sniff(r, d) != 0)
			return -1;
	}
	nl = memchr(r->buf + r->bpos, '\n', r->blen - r->bpos);
	n = nl ? (size_t)(nl - (r->buf + r->bpos)) + 1 : r->blen - r->bpos;
	r->chunk_end = r->fed + n;
	if (nl && !r->mid && !memchr(r->buf + r->bpos, '"', n) &&
	    !memchr(r->buf + r->bpos, '\r', n)) {
		plain_line(r, r->buf + r->bpos, n);
		got = n;
	} else {
		if (!r->mid)
			r->mid_line = r->line;
		got = csv_parse(&r->p, r->buf + r->bpos, n, on_field,
		    on_record, r);
		track(r, r->buf + r->bpos, got);
		r->mid_bytes = r->mid ? r->mid_bytes + got : 0;
	}
	if (r->tee)
		fp_buf_add(&r->pend, r->buf + r->bpos, got);
	else if (r->hold)
		fp_buf_add(&r->held, r->buf + r->bpos, got);
	r->fed += got;
	r->bpos += got;
	if (got != n)
		return fp_diag(d, FP_ECSV, "%zu: %s (a quote inside an "
		    "unquoted field, or text after a closing quote)",
		    r->in_record ? r->rec_line : r->line,
		    csv_strerror(csv_error(&r->p))), -1;
	/* A stream with no line end (/dev/zero) is not read into memory. */
	if (r->mid_bytes > FP_CSV_RECORD_MAX)
		return fp_diag(d, FP_ECSV, "%zu: a record of more than %d MiB "
		    "(a quote left open, or not CSV text)", r->mid_line,
		    FP_CSV_RECORD_MAX >> 20), -1;
	return 1;
}

int
fp_csv_next(struct fp_csv_reader *r, struct fp_csv_row *row,
    struct fp_diag *d)
{
	struct qrow *q;
	size_t i;
	int rc;

	compact(r);
	/* The record handed out before was taken: pass it on. */
	if (r->tee)
		tee_flush(r, r->handed);
	while (r->qhead == r->nq) {
		rc = feed(r, d);
		if (rc < 0)
			return rc;
		if (rc == 0 && r->tee) {
			/* A copy that goes on with another file ends its line. */
			tee_flush(r, SIZE_MAX);
			if (!r->tee_err && r->tee_last >= 0 &&
			    r->tee_last != '\n' && fputc('\n', r->tee) == EOF)
				r->tee_err = errno ? errno : EIO;
		}
		if (rc == 0)
			return rc;
	}
	q = &r->q[r->qhead++];
	r->handed = q->end;
	if (q->nf > r->capout) {
		r->capout = q->nf;
		r->outf = fp_xreallocarray(r->outf, r->capout, sizeof *r->outf);
		r->outlen = fp_xreallocarray(r->outlen, r->capout,
		    sizeof *r->outlen);
	}
	for (i = 0; i < q->nf; i++) {
		r->outf[i] = r->data.s + r->foff[q->first + i];
		r->outlen[i] = r->flen[q->first + i];
	}
	row->f = r->outf;
	row->len = r->outlen;
	row->n = q->nf;
	row->line = q->line;
	return 1;
}

enum fp_csv_text
fp_csv_row_text(const struct fp_csv_row *row, size_t n, size_t *at)
{
	size_t i;

	for (i = 0; i < n && i < row->n; i++) {
		*at = i;
		if (strlen(row->f[i]) != row->len[i])
			return FP_CSV_NUL;
		if (!fp_utf8_valid(row->f[i], row->len[i]))
			return FP_CSV_NOT_UTF8;
	}
	return FP_CSV_TEXT;
}
