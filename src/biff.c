/*
 * formpipe's own reader for BIFF5, BIFF7 and BIFF8 workbooks (Excel 5.0
 * to 2003, and what LibreOffice, WPS and others save in those formats),
 * and for the older BIFF2, BIFF3 and BIFF4 (Excel 2.x to 4.0: worksheet
 * files, and the BIFF4W workbook, whose sheets each carry their own number
 * formats and cell formats).
 *
 * The Workbook (or Book) stream is taken from the compound file by cfb.c.
 * Opening reads the workbook globals: sheets, code page, date system,
 * the shared string table, number formats and cell formats (XF). Each
 * sheet is then read on demand by fp_sheet_scan, record by record, and
 * its cells handed out as they come: numbers, RK and MULRK numbers, text
 * from the shared strings or inline, formula results with the STRING
 * record that follows, booleans and errors. Nested substreams (charts
 * embedded in a sheet) are skipped. Every read is checked against the
 * record's length; nothing is allocated from a size the file declares.
 */
#include "cfb.h"
#include "formats.h"

#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>

enum {
	R_DIMENSIONS2 = 0x0000,	/* BIFF2 */
	R_INTEGER2 = 0x0002,	/* BIFF2 cell records, with 3 attribute bytes */
	R_NUMBER2 = 0x0003,
	R_LABEL2 = 0x0004,
	R_BOOLERR2 = 0x0005,
	R_STRING2 = 0x0007,
	R_FORMAT2 = 0x001E,	/* BIFF2 and BIFF3 */
	R_XF2 = 0x0043,
	R_IXFE = 0x0044,	/* BIFF2: the XF of the next cells */
	R_SHEETHDR = 0x008F,	/* BIFF4W: a sheet follows */
	R_XF3 = 0x0243,
	R_XF4 = 0x0443,
	R_BOF2 = 0x0009,
	R_BOF3 = 0x0209,
	R_BOF4 = 0x0409,
	R_FORMULA = 0x0006,
	R_FORMULA3 = 0x0206,	/* BIFF3 and BIFF4 formula records, which */
	R_FORMULA4 = 0x0406,	/* some writers put in BIFF8 files too */
	R_EOF = 0x000A,
	R_DATEMODE = 0x0022,
	R_FILEPASS = 0x002F,
	R_CONTINUE = 0x003C,
	R_CODEPAGE = 0x0042,
	R_COLINFO = 0x007D,
	R_BOUNDSHEET = 0x0085,
	R_MULRK = 0x00BD,
	R_RSTRING = 0x00D6,
	R_XF = 0x00E0,
	R_MERGEDCELLS = 0x00E5,
	R_SST = 0x00FC,
	R_LABELSST = 0x00FD,
	R_DIMENSIONS = 0x0200,
	R_NUMBER = 0x0203,
	R_LABEL = 0x0204,
	R_BOOLERR = 0x0205,
	R_STRING = 0x0207,
	R_ARRAY = 0x0221,
	R_TABLE = 0x0236,
	R_RK = 0x027E,
	R_FORMAT = 0x041E,
	R_SHRFMLA = 0x04BC,
	R_BOF = 0x0809,
};

struct biff {
	const unsigned char *s;		/* the workbook stream */
	size_t n;
	unsigned char *owned;		/* s, if it had to be copied */
	int v8;				/* 1 for BIFF8, 0 for BIFF2 to BIFF7 */
	int ver;			/* 2, 3, 4, 5 or 8 */
	size_t nfmt;			/* BIFF2-4: FORMAT records so far */
	int ixfe;			/* BIFF2: the XF an IXFE record gave */
	unsigned codepage;
	iconv_t cd;			/* code page to UTF-8, BIFF5 text */
	int cd_open;
	char *sst;			/* shared strings, NUL-separated */
	uint32_t *sst_off, *sst_len;
	size_t nsst;
	uint16_t *xf_fmt;		/* format key of each XF */
	size_t nxf, capxf;
	size_t *ends;			/* where each sheet's records must end */
	struct fp_buf tmp;		/* scratch text */
	struct fp_buf pending;		/* a formula's string result */
};

static double
rd64f(const unsigned char *p)
{
	uint64_t u = 0;
	double x;
	int i;

	for (i = 7; i >= 0; i--)
		u = u << 8 | p[i];
	memcpy(&x, &u, sizeof x);
	return x;
}

static double
rk_value(uint32_t rk)
{
	double x;

	if (rk & 2) {
		int32_t i = (int32_t)rk;

		x = (double)(i >> 2);
	} else {
		uint64_t u = (uint64_t)(rk & 0xFFFFFFFCu) << 32;

		memcpy(&x, &u, sizeof x);
	}
	return (rk & 1) ? x / 100 : x;
}

static int
is_bof(uint16_t type)
{
	return type == R_BOF || type == R_BOF2 || type == R_BOF3 ||
	    type == R_BOF4;
}

/* One record: its type, its data, and where the next one starts. */
struct rec {
	uint16_t type;
	const unsigned char *p;
	size_t len;
	size_t next;
};

/* Reads the record at pos; 0 at the end of the stream or if cut short. */
static int
rec_at(const struct biff *b, size_t pos, struct rec *r)
{
	size_t len;

	if (pos > b->n || b->n - pos < 4)
		return 0;
	r->type = fp_rd16(b->s + pos);
	len = fp_rd16(b->s + pos + 2);
	if (b->n - pos - 4 < len)
		return 0;
	r->p = b->s + pos + 4;
	r->len = len;
	r->next = pos + 4 + len;
	return 1;
}

/*
 * A reader over a record's data that carries on into the CONTINUE
 * records after it, as the shared string table and long strings do.
 */
struct cont {
	const struct biff *b;
	const unsigned char *p;
	size_t len, off;
	size_t next;		/* stream position after the current piece */
};

static void
cont_init(struct cont *c, const struct biff *b, const struct rec *r)
{
	c->b = b;
	c->p = r->p;
	c->len = r->len;
	c->off = 0;
	c->next = r->next;
}

/* Moves to the next CONTINUE record; 0 if there is none. */
static int
cont_advance(struct cont *c)
{
	struct rec r;

	if (!rec_at(c->b, c->next, &r) || r.type != R_CONTINUE)
		return 0;
	c->p = r.p;
	c->len = r.len;
	c->off = 0;
	c->next = r.next;
	return 1;
}

/* Bytes left in the current piece, moving on if it is used up. */
static size_t
cont_avail(struct cont *c)
{
	while (c->off >= c->len)
		if (!cont_advance(c))
			return 0;
	return c->len - c->off;
}

/* Reads n bytes (n <= 8) that may straddle pieces; 0 if they run out. */
static int
cont_read(struct cont *c, unsigned char *out, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!cont_avail(c))
			return 0;
		out[i] = c->p[c->off++];
	}
	return 1;
}

/* Skips n bytes across pieces; 0 if they run out. */
static int
cont_skip(struct cont *c, size_t n)
{
	while (n) {
		size_t a = cont_avail(c), k;

		if (!a)
			return 0;
		k = a < n ? a : n;
		c->off += k;
		n -= k;
	}
	return 1;
}

/* Appends n UTF-16LE or Latin-1 characters at p to out as UTF-8. */
static void
put_chars(struct fp_buf *out, const unsigned char *p, size_t n, int wide,
    uint32_t *hi_surrogate)
{
	size_t i;

	if (!wide) {
		/* A high surrogate the previous piece left unpaired stays marked. */
		if (*hi_surrogate)
			fp_utf8_put(out, 0xFFFD);
		fp_buf_grow(out, n * 2);
		for (i = 0; i < n; i++) {
			unsigned char ch = p[i];

			if (ch < 0x80) {
				out->s[out->len++] = (char)ch;
			} else {
				out->s[out->len++] = (char)(0xC0 | (ch >> 6));
				out->s[out->len++] = (char)(0x80 | (ch & 0x3F));
			}
		}
		out->s[out->len] = '\0';
		*hi_surrogate = 0;
		return;
	}
	/*
	 * Three bytes a character, and three for the U+FFFD of a high
	 * surrogate left unpaired at the end of the previous piece.
	 */
	fp_buf_grow(out, n * 3 + 3);
	for (i = 0; i < n; i++) {
		uint32_t u = fp_rd16(p + 2 * i);

		if (*hi_surrogate) {
			if (u >= 0xDC00 && u <= 0xDFFF) {
				fp_utf8_put(out, 0x10000 +
				    ((*hi_surrogate - 0xD800) << 10) + (u - 0xDC00));
				*hi_surrogate = 0;
				continue;
			}
			fp_utf8_put(out, 0xFFFD);
			*hi_surrogate = 0;
		}
		if (u >= 0xD800 && u <= 0xDBFF) {
			*hi_surrogate = u;
			continue;
		}
		if (u < 0x80) {
			out->s[out->len++] = (char)u;
			out->s[out->len] = '\0';
		} else {
			fp_utf8_put(out, u);
		}
	}
}

/*
 * Reads a BIFF8 unicode string of cch characters whose option byte has
 * just been read, from c into out: the characters may continue into
 * CONTINUE records, each of which starts with a fresh option byte; rich
 * text runs and phonetic data after the characters are skipped.
 * Returns 0 if the data runs out.
 */
static int
read_uni_body(struct cont *c, size_t cch, unsigned char opt, struct fp_buf *out)
{
	unsigned char h[4];
	size_t runs = 0, ext = 0;
	uint32_t hi = 0;

	if (opt & 0x08) {
		if (!cont_read(c, h, 2))
			return 0;
		runs = fp_rd16(h);
	}
	if (opt & 0x04) {
		if (!cont_read(c, h, 4))
			return 0;
		ext = fp_rd32(h);
	}
	while (cch) {
		size_t a = c->off < c->len ? c->len - c->off : 0;
		size_t unit = (opt & 1) ? 2 : 1, k;

		if (a < unit) {
			/* The characters go on in a CONTINUE, after an option byte. */
			if (!cont_advance(c) || c->len == 0)
				return 0;
			opt = c->p[c->off++];
			continue;
		}
		k = a / unit;
		if (k > cch)
			k = cch;
		put_chars(out, c->p + c->off, k, opt & 1, &hi);
		c->off += k * unit;
		cch -= k;
	}
	if (hi)
		fp_utf8_put(out, 0xFFFD);
	return cont_skip(c, runs * 4) && cont_skip(c, ext);
}

/* Converts n bytes of code page text at p to UTF-8, appending to out. */
static void
put_codepage(struct biff *b, struct fp_buf *out, const unsigned char *p,
    size_t n)
{
	size_t i;
	int ascii = 1;

	for (i = 0; i < n && ascii; i++)
		ascii = p[i] < 0x80;
	if (ascii) {
		fp_buf_add(out, p, n);
		return;
	}
	if (!b->cd_open) {
		const char *enc;
		char name[32];

		switch (b->codepage) {
		case 10000: case 32768: enc = "MACINTOSH"; break;
		case 10006: enc = "MACGREEK"; break;
		case 10007: enc = "MAC-CYRILLIC"; break;
		case 10029: enc = "MAC-CENTRALEUROPE"; break;
		case 10079: enc = "MAC-IS"; break;
		case 10081: enc = "MAC-TURKISH"; break;
		case 0: case 1200: case 32769: case 367: enc = "CP1252"; break;
		default:
			snprintf(name, sizeof name, "CP%u", b->codepage);
			enc = name;
			break;
		}
		b->cd = iconv_open("UTF-8", enc);
		if (b->cd == (iconv_t)-1)
			b->cd = iconv_open("UTF-8", "CP1252");
		b->cd_open = 1;
	}
	if (b->cd == (iconv_t)-1) {
		for (i = 0; i < n; i++)
			fp_utf8_put(out, p[i]);
		return;
	}
	{
		char *in = (char *)p;
		size_t inleft = n;

		iconv(b->cd, NULL, NULL, NULL, NULL);
		while (inleft) {
			char *o;
			size_t oleft, r;

			fp_buf_grow(out, inleft * 4 + 8);
			o = out->s + out->len;
			oleft = out->cap - out->len - 1;
			r = iconv(b->cd, &in, &inleft, &o, &oleft);
			/* A code page that holds back a character hands it over now. */
			if (r != (size_t)-1 && !inleft)
				r = iconv(b->cd, NULL, NULL, &o, &oleft);
			out->len = (size_t)(o - out->s);
			out->s[out->len] = '\0';
			if (r == (size_t)-1) {
				if (errno == E2BIG)
					continue;
				/* An invalid or cut-short sequence: mark, skip a byte. */
				fp_utf8_put(out, 0xFFFD);
				in++;
				inleft--;
				iconv(b->cd, NULL, NULL, NULL, NULL);
			}
		}
	}
}

/*
 * Reads a string at p (len bytes available) as BIFF writes it in a cell
 * or format record: BIFF8 as a unicode string with a lenbytes-long
 * character count, BIFF5 as code page bytes with a lenbytes-long byte
 * count. Appends UTF-8 to out; returns 0 if the record is too short.
 */
static int
read_str(struct biff *b, const unsigned char *p, size_t len, int lenbytes,
    struct fp_buf *out)
{
	size_t cch, pos = (size_t)lenbytes;

	if (len < (size_t)lenbytes)
		return 0;
	cch = lenbytes == 1 ? p[0] : fp_rd16(p);
	if (!b->v8) {
		if (cch > len - pos)
			cch = len - pos;	/* what is there, like Excel */
		put_codepage(b, out, p + pos, cch);
		return 1;
	} else {
		struct cont c;
		struct rec r;
		unsigned char opt;

		if (len <= pos)
			return cch == 0;
		opt = p[pos++];
		r.type = 0;
		r.p = p + pos;
		r.len = len - pos;
		r.next = b->n;		/* no continuation for in-record strings */
		cont_init(&c, b, &r);
		if (!read_uni_body(&c, cch, opt, out)) {
			/* Keep what was read of a string cut short. */
			return out->len > 0;
		}
		return 1;
	}
}

/*
 * Reads the shared string table, whose strings run on into CONTINUEs.
 * Returns 0 if the table holds fewer strings than it says.
 */
static int
read_sst(struct biff *b, const struct rec *r)
{
	struct cont c;
	struct fp_buf text;
	unsigned char h[8];
	size_t unique, i, cap;

	cont_init(&c, b, r);
	if (!cont_read(&c, h, 8))
		return 0;
	unique = fp_rd32(h + 4);
	/* Never trust the count for allocation: grow as strings arrive. */
	cap = unique < 4096 ? unique : 4096;
	fp_buf_init(&text);
	b->sst_off = fp_xreallocarray(NULL, cap ? cap : 1, sizeof *b->sst_off);
	b->sst_len = fp_xreallocarray(NULL, cap ? cap : 1, sizeof *b->sst_len);
	for (i = 0; i < unique; i++) {
		unsigned char opt;
		size_t start = text.len, cch;

		if (!cont_read(&c, h, 2))
			break;
		cch = fp_rd16(h);
		if (!cont_read(&c, &opt, 1))
			break;
		if (!read_uni_body(&c, cch, opt, &text))
			break;
		if (b->nsst == cap) {
			cap = cap ? cap * 2 : 64;
			b->sst_off = fp_xreallocarray(b->sst_off, cap,
			    sizeof *b->sst_off);
			b->sst_len = fp_xreallocarray(b->sst_len, cap,
			    sizeof *b->sst_len);
		}
		b->sst_off[b->nsst] = (uint32_t)start;
		b->sst_len[b->nsst] = (uint32_t)(text.len - start);
		b->nsst++;
		fp_buf_addc(&text, '\0');
	}
	b->sst = fp_buf_detach(&text);
	return b->nsst == unique;
}

static void
biff_free(struct fp_workbook *wb)
{
	struct biff *b = wb->priv;

	if (!b)
		return;
	if (b->cd_open && b->cd != (iconv_t)-1)
		iconv_close(b->cd);
	free(b->owned);
	free(b->sst);
	free(b->sst_off);
	free(b->sst_len);
	free(b->xf_fmt);
	free(b->ends);
	fp_buf_release(&b->tmp);
	fp_buf_release(&b->pending);
	free(b);
	wb->priv = NULL;
}

/* The cell type and format key of a number in a cell with this XF. */
static void
number_cell(struct fp_workbook *wb, const struct biff *b, unsigned xf,
    double x, struct fp_cell *c)
{
	uint32_t key = xf < b->nxf ? b->xf_fmt[xf] : 0;
	enum fp_fmt_class cls = fp_wb_format_class(wb, key);

	/* Before BIFF5 a key is the FORMAT record's place, not a built-in. */
	if (b->ver < 5 && !(key < wb->nformats && wb->formats[key].code))
		cls = FP_FMT_NUMBER;
	c->fmt = key;
	c->v.num = x;
	c->type = (uint8_t)fp_date_type(cls, x);
}

/* The XF of a BIFF2 cell: its attributes', or an IXFE record's for 63. */
static unsigned
xf2(const struct biff *b, const unsigned char *attr)
{
	unsigned xf = attr[0] & 0x3F;

	if (xf == 0x3F && b->ixfe >= 0)
		xf = (unsigned)b->ixfe;
	return xf;
}

/* A cell format record of the sheet in hand (BIFF2-4 keep them there). */
static void
add_xf(struct biff *b, uint16_t fmt)
{
	if (b->nxf == b->capxf) {
		b->capxf = b->capxf ? b->capxf * 2 : 64;
		b->xf_fmt = fp_xreallocarray(b->xf_fmt, b->capxf,
		    sizeof *b->xf_fmt);
	}
	b->xf_fmt[b->nxf++] = fmt;
}

struct scan {
	struct fp_workbook *wb;
	struct biff *b;
	fp_cell_fn fn;
	void *ctx;
	int stop;
};

static int
emit(struct scan *sc, struct fp_cell *c)
{
	if (c->type == FP_CELL_TEXT && c->len == 0)
		return 0;
	sc->stop = sc->fn(sc->ctx, c);
	return sc->stop;
}

/*
 * The records only BIFF2 to BIFF4 sheets have: their formats, and the
 * BIFF2 cells with three attribute bytes. Returns 1 if r was one.
 */
static int
old_record(struct fp_workbook *wb, struct biff *b, const struct rec *r,
    struct scan *sc, struct fp_cell *pend, int *have_pending)
{
	const unsigned char *p = r->p;
	struct fp_cell c;
	unsigned xf;

	memset(&c, 0, sizeof c);
	switch (r->type) {
	case R_FORMAT2:
	case R_FORMAT:
		fp_buf_reset(&b->tmp);
		if (r->type == R_FORMAT ? r->len >= 3 &&
		    read_str(b, p + 2, r->len - 2, 1, &b->tmp) :
		    read_str(b, p, r->len, 1, &b->tmp))
			fp_wb_set_format(wb, (uint32_t)b->nfmt,
			    b->tmp.s ? b->tmp.s : "");
		b->nfmt++;
		return 1;
	case R_XF2:
		if (r->len >= 3)
			add_xf(b, p[2] & 0x3F);
		return 1;
	case R_XF3:
	case R_XF4:
		if (r->len >= 2)
			add_xf(b, p[1]);
		return 1;
	case R_IXFE:
		if (r->len >= 2)
			b->ixfe = fp_rd16(p);
		return 1;
	default:
		break;
	}
	if (b->ver != 2 || r->type < R_INTEGER2 || r->type > R_STRING2)
		return 0;
	/* BIFF2 cells: row, column, three attribute bytes, the value. */
	if (r->type == R_STRING2) {
		if (*have_pending) {
			*have_pending = 0;
			fp_buf_reset(&b->pending);
			read_str(b, p, r->len, 1, &b->pending);
			pend->type = FP_CELL_TEXT;
			pend->v.text = b->pending.s ? b->pending.s : "";
			pend->len = (uint32_t)b->pending.len;
			emit(sc, pend);
		}
		return 1;
	}
	if (r->len < 8)
		return 1;
	c.row = fp_rd16(p);
	c.col = fp_rd16(p + 2);
	xf = xf2(b, p + 4);
	switch (r->type) {
	case R_INTEGER2:
		if (r->len >= 9) {
			number_cell(wb, b, xf, fp_rd16(p + 7), &c);
			emit(sc, &c);
		}
		break;
	case R_NUMBER2:
		if (r->len >= 15) {
			number_cell(wb, b, xf, rd64f(p + 7), &c);
			emit(sc, &c);
		}
		break;
	case R_LABEL2:
		fp_buf_reset(&b->tmp);
		if (read_str(b, p + 7, r->len - 7, 1, &b->tmp)) {
			c.type = FP_CELL_TEXT;
			c.v.text = b->tmp.s ? b->tmp.s : "";
			c.len = (uint32_t)b->tmp.len;
			emit(sc, &c);
		}
		break;
	case R_BOOLERR2:
		if (r->len >= 9) {
			c.type = p[8] ? FP_CELL_ERROR : FP_CELL_BOOL;
			c.v.num = p[7];
			emit(sc, &c);
		}
		break;
	case R_FORMULA:
		if (r->len < 15)
			break;
		c.formula = 1;
		if (fp_rd16(p + 13) != 0xFFFF) {
			number_cell(wb, b, xf, rd64f(p + 7), &c);
			c.formula = 1;
			emit(sc, &c);
		} else if (p[7] == 0) {
			*pend = c;
			pend->fmt = xf < b->nxf ? b->xf_fmt[xf] : 0;
			*have_pending = 1;
		} else if (p[7] == 1 || p[7] == 2) {
			c.type = p[7] == 1 ? FP_CELL_BOOL : FP_CELL_ERROR;
			c.v.num = p[9];
			emit(sc, &c);
		}
		break;
	default:
		break;
	}
	return 1;
}

/*
 * The width a sheet's DIMENSIONS record declares (its last column + 1),
 * which read uses as a hint: row numbers take 4 bytes in BIFF8, 2 before.
 */
static void
set_dimcols(struct fp_sheet *sh, const struct biff *b, const struct rec *r)
{
	size_t at = b->v8 && r->type == R_DIMENSIONS ? 10 : 6;

	if (r->len >= at + 2)
		sh->dimcols = fp_rd16(r->p + at);
}

static enum fp_err
biff_scan(struct fp_workbook *wb, size_t i, fp_cell_fn fn, void *ctx,
    int *stopped, struct fp_diag *d)
{
	struct biff *b = wb->priv;
	struct fp_sheet *sh = &wb->sheets[i];
	struct scan sc = { wb, b, fn, ctx, 0 };
	struct rec r;
	size_t pos = (size_t)sh->pos, end = b->ends[i];
	int depth = 0, have_pending = 0;
	struct fp_cell pend;
	enum fp_err err = FP_OK;

	memset(&pend, 0, sizeof pend);
	if (!rec_at(b, pos, &r) || !is_bof(r.type))
		return fp_diag(d, FP_ECORRUPT, "corrupt workbook (sheet \"%s\" "
		    "does not start where the workbook says)", sh->name);
	if (b->ver < 5) {
		/* An old sheet brings its own number and cell formats. */
		fp_wb_clear_formats(wb);
		b->nxf = 0;
		b->nfmt = 0;
		b->ixfe = -1;
	}
	if (end == pos)
		return fp_diag(d, FP_ECORRUPT, "corrupt workbook (sheet \"%s\" "
		    "starts where another sheet does)", sh->name);
	for (;;) {
		struct fp_cell c;
		const unsigned char *p;

		if (pos >= end && end < b->n) {
			err = fp_diag(d, FP_ECORRUPT, "corrupt workbook (sheet "
			    "\"%s\" runs into the next sheet at byte %zu without "
			    "its end record)", sh->name, end);
			goto out;
		}
		if (!rec_at(b, pos, &r)) {
			err = fp_diag(d, FP_ETRUNC, "truncated workbook (sheet "
			    "\"%s\" ends at byte %zu without its end record)",
			    sh->name, pos);
			goto out;
		}
		p = r.p;
		pos = r.next;
		if (is_bof(r.type)) {
			depth++;
			continue;
		}
		if (r.type == R_EOF) {
			if (--depth <= 0)
				break;
			continue;
		}
		if (depth != 1)
			continue;
		if (have_pending && r.type != R_STRING && r.type != R_SHRFMLA &&
		    r.type != R_ARRAY && r.type != R_TABLE &&
		    r.type != R_CONTINUE && r.type != R_STRING2)
			have_pending = 0;
		if (r.type == R_DIMENSIONS || (r.type == R_DIMENSIONS2 &&
		    b->ver == 2)) {
			set_dimcols(sh, b, &r);
			continue;
		}
		if (b->ver < 5 && old_record(wb, b, &r, &sc, &pend,
		    &have_pending)) {
			if (sc.stop)
				break;
			continue;
		}
		memset(&c, 0, sizeof c);
		if (r.len >= 6) {
			c.row = fp_rd16(p);
			c.col = fp_rd16(p + 2);
		}
		switch (r.type) {
		case R_NUMBER:
			if (r.len < 14)
				break;
			number_cell(wb, b, fp_rd16(p + 4), rd64f(p + 6), &c);
			emit(&sc, &c);
			break;
		case R_RK:
			if (r.len < 10)
				break;
			number_cell(wb, b, fp_rd16(p + 4), rk_value(fp_rd32(p + 6)), &c);
			emit(&sc, &c);
			break;
		case R_MULRK: {
			size_t k, n;

			if (r.len < 6)
				break;
			n = (r.len - 6) / 6;
			for (k = 0; k < n && !sc.stop; k++) {
				const unsigned char *q = p + 4 + 6 * k;

				c.col = (uint16_t)(fp_rd16(p + 2) + k);
				number_cell(wb, b, fp_rd16(q), rk_value(fp_rd32(q + 2)),
				    &c);
				emit(&sc, &c);
			}
			break;
		}
		case R_LABELSST: {
			uint32_t k;

			if (r.len < 10)
				break;
			k = fp_rd32(p + 6);
			if (k >= b->nsst) {
				char col[8];

				fp_colname(c.col, col);
				err = fp_diag(d, FP_ECORRUPT, "corrupt workbook "
				    "(cell %s!%s%u refers to shared string %u of "
				    "%zu)", sh->name, col, c.row + 1, k, b->nsst);
				goto out;
			}
			c.type = FP_CELL_TEXT;
			c.fmt = fp_rd16(p + 4) < b->nxf ? b->xf_fmt[fp_rd16(p + 4)] : 0;
			c.v.text = b->sst + b->sst_off[k];
			c.len = b->sst_len[k];
			emit(&sc, &c);
			break;
		}
		case R_LABEL:
		case R_RSTRING:
			if (r.len < 8)
				break;
			fp_buf_reset(&b->tmp);
			if (!read_str(b, p + 6, r.len - 6, 2, &b->tmp))
				break;
			c.type = FP_CELL_TEXT;
			c.fmt = fp_rd16(p + 4) < b->nxf ? b->xf_fmt[fp_rd16(p + 4)] : 0;
			c.v.text = b->tmp.s ? b->tmp.s : "";
			c.len = (uint32_t)b->tmp.len;
			emit(&sc, &c);
			break;
		case R_BOOLERR:
			if (r.len < 8)
				break;
			c.type = p[7] ? FP_CELL_ERROR : FP_CELL_BOOL;
			c.v.num = p[6];
			emit(&sc, &c);
			break;
		case R_FORMULA:
		case R_FORMULA3:
		case R_FORMULA4:
			/* The result is what is read; BIFF3 and 4 records are shorter. */
			if (r.len < 14)
				break;
			c.formula = 1;
			if (fp_rd16(p + 12) != 0xFFFF) {
				number_cell(wb, b, fp_rd16(p + 4), rd64f(p + 6), &c);
				c.formula = 1;
				emit(&sc, &c);
			} else if (p[6] == 0) {
				pend = c;
				pend.fmt = fp_rd16(p + 4) < b->nxf ?
				    b->xf_fmt[fp_rd16(p + 4)] : 0;
				have_pending = 1;
			} else if (p[6] == 1 || p[6] == 2) {
				c.type = p[6] == 1 ? FP_CELL_BOOL : FP_CELL_ERROR;
				c.v.num = p[8];
				emit(&sc, &c);
			}
			break;
		case R_STRING:
			if (!have_pending)
				break;
			have_pending = 0;
			fp_buf_reset(&b->pending);
			if (b->v8) {
				struct cont cc;
				unsigned char h[3];

				cont_init(&cc, b, &r);
				if (cont_read(&cc, h, 3))
					read_uni_body(&cc, fp_rd16(h), h[2],
					    &b->pending);
			} else {
				read_str(b, p, r.len, 2, &b->pending);
			}
			pend.type = FP_CELL_TEXT;
			pend.v.text = b->pending.s ? b->pending.s : "";
			pend.len = (uint32_t)b->pending.len;
			emit(&sc, &pend);
			break;
		case R_MERGEDCELLS: {
			size_t k, n;

			if (r.len < 2)
				break;
			n = fp_rd16(p);
			for (k = 0; k < n && 2 + 8 * k + 8 <= r.len; k++) {
				const unsigned char *q = p + 2 + 8 * k;

				fp_sheet_add_merge(sh, fp_rd16(q), fp_rd16(q + 2),
				    fp_rd16(q + 4), fp_rd16(q + 6));
			}
			break;
		}
		case R_COLINFO:
			if (r.len < 10)
				break;
			fp_sheet_add_width(sh, fp_rd16(p), fp_rd16(p + 2),
			    fp_rd16(p + 4) / 256.0, fp_rd16(p + 8) & 1);
			break;
		default:
			break;
		}
		if (sc.stop)
			break;
	}
out:
	if (stopped)
		*stopped = sc.stop;
	return err;
}

static const struct fp_backend biff_backend = {
	"biff", biff_scan, biff_free,
};

/*
 * The records every version's globals have alike: the password (refused),
 * the code page, the date system. Returns 1 if r was one of them; sets
 * *err for a password-protected workbook.
 */
static int
common_global(struct fp_workbook *wb, struct biff *b, const struct rec *r,
    enum fp_err *err, struct fp_diag *d)
{
	switch (r->type) {
	case R_FILEPASS:
		*err = fp_diag(d, FP_EENCRYPTED, "password-protected workbook "
		    "(remove the password in Excel or LibreOffice and save it "
		    "again)");
		return 1;
	case R_CODEPAGE:
		if (r->len >= 2)
			b->codepage = fp_rd16(r->p);
		return 1;
	case R_DATEMODE:
		if (r->len >= 2)
			wb->date1904 = fp_rd16(r->p) == 1;
		return 1;
	default:
		return 0;
	}
}

/*
 * The start of a BIFF2, BIFF3 or BIFF4 file, whose BOF is first: a
 * worksheet file is one sheet (it has no name: "Sheet 1", as xlrd calls
 * it); a BIFF4W workbook lists its sheets, each after a SHEETHDR record
 * inside the workbook's own BOF ... EOF. Code page, date system and
 * password come before the first cell or sheet.
 */
static enum fp_err
read_old_globals(struct fp_workbook *wb, struct biff *b, const struct rec *bof,
    struct fp_diag *d)
{
	struct fp_buf name = FP_BUF_INIT;
	struct rec r;
	size_t pos = bof->next;
	int ver = bof->type == R_BOF2 ? 2 : bof->type == R_BOF3 ? 3 : 4;
	int workbook = bof->len >= 4 && fp_rd16(bof->p + 2) == 0x0100;
	enum fp_err err = FP_OK;

	b->ver = ver;
	b->v8 = 0;
	snprintf(wb->kind, sizeof wb->kind, "BIFF%d%s", ver, workbook ? "W" : "");
	if (!workbook) {
		struct fp_sheet *sh = fp_wb_add_sheet(wb, "Sheet 1", 0);

		sh->pos = 0;
	}
	while (rec_at(b, pos, &r) && r.type != R_EOF) {
		pos = r.next;
		if (common_global(wb, b, &r, &err, d)) {
			if (err)
				goto out;
			continue;
		}
		switch (r.type) {
		case R_SHEETHDR: {
			uint32_t len;

			if (!workbook || r.len < 5)
				break;
			len = fp_rd32(r.p);
			fp_buf_reset(&name);
			read_str(b, r.p + 4, r.len - 4, 1, &name);
			fp_wb_add_sheet(wb, name.s ? name.s : "", 0)->pos = pos;
			/* Over the sheet, to the next SHEETHDR. */
			pos = len <= b->n - pos ? pos + len : b->n;
			break;
		}
		default:
			break;
		}
	}
out:
	fp_buf_release(&name);
	return err;
}

/* Reads the workbook globals: everything up to the first EOF. */
static enum fp_err
read_globals(struct fp_workbook *wb, struct biff *b, struct fp_diag *d)
{
	struct rec r;
	size_t pos = 0;
	uint16_t version, dt;
	struct fp_buf name = FP_BUF_INIT;
	enum fp_err err = FP_OK;

	if (!rec_at(b, 0, &r) || !is_bof(r.type) || r.len < 4)
		return fp_diag(d, FP_EFORMAT,
		    "not an Excel workbook (no BIFF header in its stream)");
	version = fp_rd16(r.p);
	dt = fp_rd16(r.p + 2);
	if (r.type != R_BOF)
		return read_old_globals(wb, b, &r, d);
	b->ver = 8;
	if (version == 0x0600)
		b->v8 = 1;
	else if (version == 0x0500)
		b->v8 = 0;
	if (!b->v8)
		b->ver = 5;
	snprintf(wb->kind, sizeof wb->kind, "%s", b->v8 ? "BIFF8" : "BIFF5");
	if (dt == 0x0010) {
		/* A stream that is one worksheet, without globals. */
		struct fp_sheet *sh = fp_wb_add_sheet(wb, "Sheet1", 0);

		sh->pos = 0;
		return FP_OK;
	}
	pos = r.next;
	for (;;) {
		const unsigned char *p;

		if (!rec_at(b, pos, &r)) {
			err = fp_diag(d, FP_ETRUNC, "truncated workbook (its "
			    "stream ends at byte %zu, inside the workbook "
			    "globals)", pos);
			goto out;
		}
		p = r.p;
		pos = r.next;
		if (r.type == R_EOF)
			break;
		if (common_global(wb, b, &r, &err, d)) {
			if (err)
				goto out;
			continue;
		}
		switch (r.type) {
		case R_SST:
			if (!b->sst && !read_sst(b, &r)) {
				err = fp_diag(d, FP_ECORRUPT, "corrupt workbook "
				    "(the shared string table ends after %zu of "
				    "the %u strings it declares)", b->nsst,
				    r.len >= 8 ? fp_rd32(p + 4) : 0);
				goto out;
			}
			break;
		case R_XF:
			if (r.len < 4)
				break;
			if (b->nxf == b->capxf) {
				b->capxf = b->capxf ? b->capxf * 2 : 64;
				b->xf_fmt = fp_xreallocarray(b->xf_fmt, b->capxf,
				    sizeof *b->xf_fmt);
			}
			b->xf_fmt[b->nxf++] = fp_rd16(p + 2);
			break;
		case R_FORMAT:
			if (r.len < 3)
				break;
			fp_buf_reset(&name);
			if (read_str(b, p + 2, r.len - 2, b->v8 ? 2 : 1, &name))
				fp_wb_set_format(wb, fp_rd16(p),
				    name.s ? name.s : "");
			break;
		case R_BOUNDSHEET: {
			uint32_t off;
			unsigned vis, type;
			struct fp_sheet *sh;

			if (r.len < 7)
				break;
			off = fp_rd32(p);
			vis = p[4];
			type = p[5];
			if (type != 0 && type != 1)
				break;	/* charts and VB modules have no cells */
			fp_buf_reset(&name);
			if (!read_str(b, p + 6, r.len - 6, 1, &name))
				break;
			sh = fp_wb_add_sheet(wb, name.s ? name.s : "", vis != 0);
			sh->pos = off;
			break;
		}
		default:
			break;
		}
	}
out:
	fp_buf_release(&name);
	return err;
}

struct sheet_start {
	uint64_t pos;
	size_t i;
};

static int
start_cmp(const void *a, const void *b)
{
	const struct sheet_start *x = a, *y = b;

	if (x->pos != y->pos)
		return x->pos < y->pos ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/*
 * Sets where each sheet's records must end: where the next sheet in the
 * stream starts, or at the stream's end. Sheets do not overlap, so
 * scanning every sheet reads the stream once however many sheets the
 * workbook lists; a sheet that starts where another does gets no room.
 */
static void
set_ends(struct fp_workbook *wb, struct biff *b)
{
	struct sheet_start *v;
	size_t k, n = wb->nsheets, next = b->n;

	v = fp_xreallocarray(NULL, n ? n : 1, sizeof *v);
	b->ends = fp_xreallocarray(NULL, n ? n : 1, sizeof *b->ends);
	for (k = 0; k < n; k++) {
		v[k].pos = wb->sheets[k].pos;
		v[k].i = k;
	}
	qsort(v, n, sizeof *v, start_cmp);
	for (k = n; k-- > 0;) {
		size_t pos = v[k].pos < b->n ? (size_t)v[k].pos : b->n;

		if (k > 0 && v[k - 1].pos == v[k].pos) {
			b->ends[v[k].i] = pos;
		} else {
			b->ends[v[k].i] = next;
			next = pos;
		}
	}
	free(v);
}

enum fp_err
fp_biff_open(struct fp_workbook *wb, const unsigned char *data, size_t size,
    struct fp_diag *d)
{
	static const char *const names[] = { "Workbook", "Book", NULL };
	struct biff *b;
	enum fp_err err;

	b = fp_xcalloc(1, sizeof *b);
	wb->be = &biff_backend;
	wb->priv = b;
	fp_buf_init(&b->tmp);
	fp_buf_init(&b->pending);
	if (size >= 8 && data[0] == 0xD0 && data[1] == 0xCF) {
		int owned = 0, found = -1;
		const unsigned char *s = NULL;
		size_t n = 0;

		err = fp_cfb_stream(data, size, names, &s, &n, &owned, &found, d);
		if (err == FP_ENOSHEET) {
			if (fp_cfb_has(data, size, "EncryptedPackage"))
				return fp_diag(d, FP_EENCRYPTED, "password-"
				    "protected workbook (an encrypted .xlsx; "
				    "remove the password and save it again)");
			if (fp_cfb_has(data, size, "WordDocument"))
				return fp_diag(d, FP_EFORMAT, "not an Excel "
				    "workbook (a Word document)");
			return fp_diag(d, FP_EFORMAT, "not an Excel workbook "
			    "(a compound file without a Workbook stream)");
		}
		if (err)
			return err;
		b->s = s;
		b->n = n;
		if (owned)
			b->owned = (unsigned char *)s;
	} else {
		b->s = data;
		b->n = size;
	}
	b->v8 = 1;
	err = read_globals(wb, b, d);
	if (err)
		return err;
	set_ends(wb, b);
	return FP_OK;
}
