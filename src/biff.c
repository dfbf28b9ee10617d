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
#include "formula.h"

#include <errno.h>
#include <iconv.h>
#include <math.h>
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
	size_t globals_end;		/* the byte after the globals' EOF */
	struct fp_buf tmp;		/* scratch text */
	struct fp_buf pending;		/* a formula's string result */
	/* What formulas refer to, and the looks (biff_looks_global). */
	struct tab *tabs;		/* every BOUNDSHEET, charts too */
	size_t ntabs, captabs;
	struct xti *xti;		/* BIFF8 EXTERNSHEET */
	size_t nxti;
	struct book *books;		/* SUPBOOK (BIFF8), EXTERNSHEET (BIFF5) */
	size_t nbooks, capbooks;
	char **extnames;		/* EXTERNNAME text, in file order */
	size_t nextnames, capextnames;
	struct namerec *namerecs;	/* NAME records' tokens */
	size_t nnamerecs, capnamerecs;
	size_t nfontrecs;		/* FONT records so far */
};

/* A sheet as BOUNDSHEET lists it, and the fp_sheet it became (or -1). */
struct tab {
	char *name;
	long sheet;
};

struct xti {
	uint16_t book, first, last;
};

/* An external book: this workbook itself, an add-in, or another file. */
enum { BOOK_SELF, BOOK_ADDIN, BOOK_OTHER };

struct book {
	int kind;
	size_t first_name, nnames;	/* its EXTERNNAMEs in extnames */
};

struct namerec {
	const unsigned char *rgce, *extra;
	uint32_t len, nextra;
};

static double
rd64f(const unsigned char *p)
{
	uint64_t u = fp_rd32(p) | (uint64_t)fp_rd32(p + 4) << 32;
	double x;

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
static inline int
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
		} else if (u < 0x800) {
			out->s[out->len++] = (char)(0xC0 | (u >> 6));
			out->s[out->len++] = (char)(0x80 | (u & 0x3F));
		} else if (u < 0xDC00 || u > 0xDFFF) {
			out->s[out->len++] = (char)(0xE0 | (u >> 12));
			out->s[out->len++] = (char)(0x80 | ((u >> 6) & 0x3F));
			out->s[out->len++] = (char)(0x80 | (u & 0x3F));
		} else {
			fp_utf8_put(out, u);	/* a lone low surrogate */
		}
	}
	out->s[out->len] = '\0';
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

/*
 * Whether a text under code page 1200 is UTF-16LE: Gnumeric gives BIFF5
 * that code page (keeping a BIFF8 workbook's in BIFF7), and writes a
 * text of ASCII as its bytes, any other as UTF-16LE. So UTF-16 where a
 * byte is none of an ASCII text's (NUL, the high byte of every ASCII
 * character; a control; over 127), or where every pair of bytes is a
 * CJK ideograph and the bytes are no word (中, 2D 4E, would be "-N") or
 * the ideographs are all of GB2312, the common ones (单位 would be
 * "USMO", 海 "wm"; "name" stays, its 慮敭 being none): of the short
 * words of ASCII in lower case, "id", "no", "file" and "note" are taken
 * for ideographs, of the words of the forms none for ASCII.
 */
static int
utf16_text(const unsigned char *p, size_t n)
{
	struct fp_buf b = FP_BUF_INIT;
	size_t i;
	int common;

	for (i = 0; i < n; i++)
		if (p[i] >= 0x80 || (p[i] < 0x20 && p[i] != '\t' &&
		    p[i] != '\n' && p[i] != '\r'))
			return 1;
	if (n == 0 || n % 2)
		return 0;
	for (i = 0; i < n; i += 2)
		if (p[i + 1] < 0x4E)
			return 0;
	for (i = 0; i < n; i++)
		if (!((p[i] | 0x20) >= 'a' && (p[i] | 0x20) <= 'z') &&
		    !(p[i] >= '0' && p[i] <= '9') && p[i] != ' ')
			return 1;
	common = fp_recode(&b, "GB2312", "UTF-16LE", (const char *)p, n);
	fp_buf_release(&b);
	return common;
}

/*
 * Converts n bytes of code page text at p to UTF-8, appending to out.
 */
static void
put_codepage(struct biff *b, struct fp_buf *out, const unsigned char *p,
    size_t n)
{
	size_t i;
	int ascii = b->codepage != 1200 || !utf16_text(p, n);

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
		case 1200: enc = "UTF-16LE"; break;
		case 0: case 32769: case 367: enc = "CP1252"; break;
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
	size_t i;

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
	for (i = 0; i < b->ntabs; i++)
		free(b->tabs[i].name);
	free(b->tabs);
	free(b->xti);
	free(b->books);
	for (i = 0; i < b->nextnames; i++)
		free(b->extnames[i]);
	free(b->extnames);
	free(b->namerecs);
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
	c->type = (uint8_t)fp_date_type(cls, x, wb->date1904);
	/* A NaN or an infinity (Apache POI's 49761.xls), shown #NUM!. */
	if (!isfinite(x))
		fp_cell_set_error(c, FP_ERROR_NUM);
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
	struct fp_sheet *sh;
	struct fp_diag *d;
	enum fp_err err;	/* the text of the cells is too much */
};

/* Stops the scan at a cell whose text is too much for the workbook. */
static int
too_much_text(struct scan *sc, const struct fp_cell *c)
{
	sc->err = fp_sheet_too_much_text(sc->sh, c->row, c->col, sc->d);
	return sc->stop = 1;
}

static inline int
emit(struct scan *sc, struct fp_cell *c)
{
	if (c->type == FP_CELL_TEXT) {
		if (c->len == 0)
			return 0;
		if (fp_sheet_add_text(sc->wb, sc->sh, c->len))
			return too_much_text(sc, c);
	}
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
			c.type = FP_CELL_BOOL;
			c.v.num = p[7];
			if (p[8])
				fp_cell_set_error(&c, p[7]);
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
			c.type = FP_CELL_BOOL;
			c.v.num = p[9];
			if (p[7] == 2)
				fp_cell_set_error(&c, p[9]);
			emit(sc, &c);
		}
		break;
	default:
		break;
	}
	return 1;
}

/*
 * Looks and formulas, for convert. The workbook globals give fonts,
 * cell formats, the palette, defined names and what 3-D references and
 * external names point at (biff_looks_global); each sheet, when the
 * caller asked for looks, gives every cell record's format (empty cells
 * too), row heights, formula tokens, the window and the page setup, and
 * counts what convert cannot carry (biff_looks_sheet).
 */
enum {
	R_FONT = 0x0031,
	R_FONT34 = 0x0231,
	R_PALETTE = 0x0092,
	R_NAME = 0x0018,
	R_EXTERNSHEET = 0x0017,
	R_SUPBOOK = 0x01AE,
	R_EXTERNNAME = 0x0023,
	R_OBJPROJ = 0x00D3,
	R_BLANK = 0x0201,
	R_MULBLANK = 0x00BE,
	R_ROW = 0x0208,
	R_DEFAULTROWHEIGHT = 0x0225,
	R_DEFCOLWIDTH = 0x0055,
	R_STANDARDWIDTH = 0x0099,
	R_WINDOW2 = 0x023E,
	R_PANE = 0x0041,
	R_SCL = 0x00A0,
	R_SETUP = 0x00A1,
	R_WSBOOL = 0x0081,
	R_LEFTMARGIN = 0x0026,
	R_RIGHTMARGIN = 0x0027,
	R_TOPMARGIN = 0x0028,
	R_BOTTOMMARGIN = 0x0029,
	R_HEADER = 0x0014,
	R_FOOTER = 0x0015,
	R_HCENTER = 0x0083,
	R_VCENTER = 0x0084,
	R_PRINTGRIDLINES = 0x002B,
	R_NOTE = 0x001C,
	R_OBJ = 0x005D,
	R_DV = 0x01BE,
	R_CONDFMT = 0x01B0,
	R_HLINK = 0x01B8,
	R_AUTOFILTERINFO = 0x009D,
	R_FILTERMODE = 0x009B,
	R_ARRAY2 = 0x0021,
	R_XFEXT = 0x087D,
};

/* The names of Excel's built-in names, by code. */
static const char *const builtin_names[] = {
	"Consolidate_Area", "Auto_Open", "Auto_Close", "Extract", "Database",
	"Criteria", "Print_Area", "Print_Titles", "Recorder", "Data_Form",
	"Auto_Activate", "Auto_Deactivate", "Sheet_Title", "_FilterDatabase",
};

/* A sheet name as a formula writes it: Sheet1, 'My sheet', Sheet1:Sheet3. */
static void
sheet_span(struct fp_buf *out, const char *a, const char *z)
{
	struct fp_buf t = FP_BUF_INIT;
	int quoted;

	fp_formula_sheet(&t, a);
	quoted = t.s[0] == '\'';
	if (z && strcmp(a, z)) {
		fp_buf_reset(&t);
		fp_formula_sheet(&t, z);
		quoted |= t.s[0] == '\'';
		if (quoted) {
			const char *p;

			fp_buf_addc(out, '\'');
			for (p = a; *p; p++) {
				if (*p == '\'')
					fp_buf_addc(out, '\'');
				fp_buf_addc(out, *p);
			}
			fp_buf_addc(out, ':');
			for (p = z; *p; p++) {
				if (*p == '\'')
					fp_buf_addc(out, '\'');
				fp_buf_addc(out, *p);
			}
			fp_buf_addc(out, '\'');
		} else {
			fp_buf_adds(out, a);
			fp_buf_addc(out, ':');
			fp_buf_adds(out, z);
		}
	} else {
		fp_buf_add(out, t.s, t.len);
	}
	fp_buf_release(&t);
}

/* What the formula callbacks see: the workbook, and the formula's sheet. */
struct fctx {
	const struct fp_workbook *wb;
	long sheet;		/* fp_sheet index, -1 for a defined name */
};

static int
env_sheets(void *ctx, int ixti, int tab1, int tab2, struct fp_buf *out)
{
	const struct fp_workbook *wb = ((const struct fctx *)ctx)->wb;
	const struct biff *b = wb->priv;

	if (b->v8) {
		const struct xti *x;

		if (ixti < 0 || (size_t)ixti >= b->nxti)
			return -1;
		x = &b->xti[ixti];
		if (x->book >= b->nbooks || b->books[x->book].kind != BOOK_SELF)
			return -1;
		if (x->first == 0xFFFF || x->last == 0xFFFF)
			return 0;
		tab1 = x->first;
		tab2 = x->last;
	} else if (ixti > 0) {
		return -1;
	}
	if (tab1 == -1 || tab2 == -1)
		return 0;
	if (tab1 < 0 || tab2 < 0 || (size_t)tab1 >= b->ntabs ||
	    (size_t)tab2 >= b->ntabs)
		return -1;
	sheet_span(out, b->tabs[tab1].name, b->tabs[tab2].name);
	return 1;
}

static int
env_name(void *ctx, int ext, int ixti, unsigned idx, struct fp_buf *out)
{
	const struct fctx *fc = ctx;
	const struct fp_workbook *wb = fc->wb;
	const struct biff *b = wb->priv;
	const struct book *bk;

	if (ext) {
		if (b->v8) {
			if (ixti < 0 || (size_t)ixti >= b->nxti ||
			    b->xti[ixti].book >= b->nbooks)
				return 0;
			bk = &b->books[b->xti[ixti].book];
		} else {
			size_t k = (size_t)(ixti < 0 ? -ixti : ixti);

			if (k < 1 || k > b->nbooks)
				return 0;
			bk = &b->books[k - 1];
		}
		if (bk->kind == BOOK_SELF && b->v8 && bk->nnames == 0) {
			/* A name of this workbook; of one sheet if it says so. */
			const struct xti *x = &b->xti[ixti];

			if (x->first < b->ntabs && x->first == x->last) {
				fp_formula_sheet(out, b->tabs[x->first].name);
				fp_buf_addc(out, '!');
			}
			ext = 0;
		}
		else if (bk->kind == BOOK_OTHER)
			return 0;	/* another workbook's name, or a DDE link */
		else if (idx < 1 || idx > bk->nnames)
			return 0;
		else {
			fp_buf_adds(out, b->extnames[bk->first_name + idx - 1]);
			return 1;
		}
	}
	if (idx < 1 || idx > wb->nnames)
		return 0;
	/* Another sheet's own name goes with that sheet's. */
	if (wb->names[idx - 1].sheet >= 0 && wb->names[idx - 1].sheet !=
	    fc->sheet && !out->len) {
		fp_formula_sheet(out, wb->sheets[wb->names[idx - 1].sheet].name);
		fp_buf_addc(out, '!');
	}
	if (wb->names[idx - 1].builtin >= 0)
		fp_buf_adds(out, "_xlnm.");
	fp_buf_adds(out, wb->names[idx - 1].name);
	return 1;
}

static void
env_text(void *ctx, const unsigned char *p, size_t n, struct fp_buf *out)
{
	const struct fp_workbook *wb = ((const struct fctx *)ctx)->wb;

	put_codepage(wb->priv, out, p, n);
}

static void
set_env(struct fctx *fc, struct fp_fmla_env *env, uint32_t row, uint32_t col)
{
	const struct biff *b = fc->wb->priv;

	memset(env, 0, sizeof *env);
	env->biff = b->ver;
	env->row = row;
	env->col = col;
	env->ctx = fc;
	env->sheets = env_sheets;
	env->name = env_name;
	env->text = env_text;
}

static enum fp_err
biff_formula(const struct fp_workbook *wb, size_t i, const struct fp_formula *f,
    uint32_t row, uint32_t col, struct fp_buf *out, struct fp_diag *d)
{
	struct fp_fmla_env env;
	struct fctx fc = { wb, (long)i };

	if (f->kind == FP_FORMULA_TABLE)
		return fp_diag(d, FP_ECORRUPT, "a what-if table");
	set_env(&fc, &env, row, col);
	return fp_formula_text(&env, f->rgce, f->len, f->extra, f->nextra, out,
	    d);
}

/* The ranges a name's tokens list, if they are nothing else. */
static void
name_areas(const struct biff *b, struct fp_defname *dn, const unsigned char *p,
    size_t n)
{
	size_t pos = 0;

	dn->nareas = 0;
	while (pos < n) {
		unsigned op = p[pos], base = op >= 0x20 ? 0x20 | (op & 0x1F) : op;
		size_t need = base == 0x3B ? (b->v8 ? 10 : 20) :
		    base == 0x3A ? (b->v8 ? 6 : 17) : base == 0x29 ?
		    (b->v8 ? 2 : 2) : 0;
		const unsigned char *q = p + pos + 1;
		struct fp_range *a;

		if (op == 0x10 || op == 0x15) {
			pos++;
			continue;
		}
		if (op >= 0x80 || (base != 0x3A && base != 0x3B && base != 0x29) ||
		    n - pos - 1 < need)
			goto none;
		pos += 1 + need;
		if (base == 0x29)
			continue;
		if (dn->nareas == 2)
			goto none;
		a = &dn->area[dn->nareas++];
		q += b->v8 ? 2 : 14;
		if (base == 0x3A) {
			a->r1 = a->r2 = b->v8 ? fp_rd16(q) : fp_rd16(q) & 0x3FFF;
			a->c1 = a->c2 = b->v8 ? fp_rd16(q + 2) & 0xFF : q[2];
		} else if (b->v8) {
			a->r1 = fp_rd16(q);
			a->r2 = fp_rd16(q + 2);
			a->c1 = fp_rd16(q + 4) & 0xFF;
			a->c2 = fp_rd16(q + 6) & 0xFF;
		} else {
			a->r1 = fp_rd16(q) & 0x3FFF;
			a->r2 = fp_rd16(q + 2) & 0x3FFF;
			a->c1 = q[4];
			a->c2 = q[5];
		}
	}
	return;
none:
	dn->nareas = 0;
}

/* Gives every defined name its text, once the globals are read. */
static void
resolve_names(struct fp_workbook *wb, struct biff *b)
{
	struct fp_fmla_env env;
	struct fctx fc = { wb, -1 };
	struct fp_buf t = FP_BUF_INIT;
	struct fp_diag d;
	size_t i;

	set_env(&fc, &env, 0, 0);
	for (i = 0; i < wb->nnames && i < b->nnamerecs; i++) {
		struct fp_defname *dn = &wb->names[i];
		const struct namerec *nr = &b->namerecs[i];

		fp_buf_reset(&t);
		if (nr->len && fp_formula_text(&env, nr->rgce, nr->len, nr->extra,
		    nr->nextra, &t, &d) == FP_OK)
			dn->formula = fp_xstrndup(t.s ? t.s : "", t.len);
		name_areas(b, dn, nr->rgce, nr->len);
	}
	fp_buf_release(&t);
}

static void
add_extname(struct biff *b, const char *name)
{
	if (!b->nbooks)
		return;
	if (b->nextnames == b->capextnames) {
		b->capextnames = b->capextnames ? b->capextnames * 2 : 16;
		b->extnames = fp_xreallocarray(b->extnames, b->capextnames,
		    sizeof *b->extnames);
	}
	b->extnames[b->nextnames++] = fp_xstrdup(name);
	b->books[b->nbooks - 1].nnames++;
}

static void
add_book(struct biff *b, int kind)
{
	if (b->nbooks == b->capbooks) {
		b->capbooks = b->capbooks ? b->capbooks * 2 : 8;
		b->books = fp_xreallocarray(b->books, b->capbooks,
		    sizeof *b->books);
	}
	b->books[b->nbooks].kind = kind;
	b->books[b->nbooks].first_name = b->nextnames;
	b->books[b->nbooks].nnames = 0;
	b->nbooks++;
}

/* Remembers a BOUNDSHEET entry, whatever kind of sheet it is. */
static void
add_tab(struct fp_workbook *wb, struct biff *b, const char *name, long sheet)
{
	if (b->ntabs == b->captabs) {
		b->captabs = b->captabs ? b->captabs * 2 : 8;
		b->tabs = fp_xreallocarray(b->tabs, b->captabs, sizeof *b->tabs);
	}
	b->tabs[b->ntabs].name = fp_xstrdup(name);
	b->tabs[b->ntabs].sheet = sheet;
	b->ntabs++;
	(void)wb;
}

/*
 * A BOUNDSHEET entry, whatever its kind: a sheet formulas can name, its
 * visibility, and a chart sheet or macro module convert cannot carry.
 */
static void
biff_looks_tab(struct fp_workbook *wb, struct biff *b, const struct rec *r,
    size_t nbefore)
{
	long sheet = -1;

	if (r->len < 7)
		return;
	if (wb->nsheets > nbefore) {
		sheet = (long)nbefore;
		wb->sheets[nbefore].info.visibility = r->p[4] & 3;
		wb->sheets[nbefore].info.hidden = (r->p[4] & 3) != 0;
	}
	if (r->p[5] == 2)
		wb->lost[FP_LOST_CHART]++;
	else if (r->p[5] == 6)
		wb->lost[FP_LOST_MACRO]++;
	fp_buf_reset(&b->tmp);
	read_str(b, r->p + 6, r->len - 6, 1, &b->tmp);
	add_tab(wb, b, b->tmp.s ? b->tmp.s : "", sheet);
}

/* A BIFF5/8 XF record's looks. */
static void
looks_xf(struct fp_workbook *wb, struct biff *b, const unsigned char *p,
    size_t len)
{
	struct fp_xf *x;

	if (len < (b->v8 ? 20u : 16u))
		return;
	x = fp_wb_add_xf(wb);
	x->font = fp_rd16(p);
	x->fmt = fp_rd16(p + 2);
	x->locked = fp_rd16(p + 4) & 1;
	x->hidden = (fp_rd16(p + 4) >> 1) & 1;
	x->halign = p[6] & 7;
	x->wrap = (p[6] >> 3) & 1;
	x->valign = (p[6] >> 4) & 7;
	if (b->v8) {
		uint32_t b1 = fp_rd32(p + 10), b2 = fp_rd32(p + 14);
		uint16_t fill = fp_rd16(p + 18);

		x->rotation = p[7];
		x->indent = p[8] & 0x0F;
		x->shrink = (p[8] >> 4) & 1;
		x->border[FP_LEFT] = b1 & 0x0F;
		x->border[FP_RIGHT] = (b1 >> 4) & 0x0F;
		x->border[FP_TOP] = (b1 >> 8) & 0x0F;
		x->border[FP_BOTTOM] = (b1 >> 12) & 0x0F;
		x->border_color[FP_LEFT] = (b1 >> 16) & 0x7F;
		x->border_color[FP_RIGHT] = (b1 >> 23) & 0x7F;
		x->border_color[FP_TOP] = b2 & 0x7F;
		x->border_color[FP_BOTTOM] = (b2 >> 7) & 0x7F;
		x->pattern = (b2 >> 26) & 0x3F;
		x->fg = fill & 0x7F;
		x->bg = (fill >> 7) & 0x7F;
	} else {
		uint32_t fill = fp_rd32(p + 8), bd = fp_rd32(p + 12);
		unsigned orient = p[7] & 3;

		x->rotation = orient == 1 ? 255 : orient == 2 ? 90 :
		    orient == 3 ? 180 : 0;
		x->fg = fill & 0x7F;
		x->bg = (fill >> 7) & 0x7F;
		x->pattern = (fill >> 16) & 0x3F;
		x->border[FP_BOTTOM] = (fill >> 22) & 7;
		x->border_color[FP_BOTTOM] = (fill >> 25) & 0x7F;
		x->border[FP_TOP] = bd & 7;
		x->border[FP_LEFT] = (bd >> 3) & 7;
		x->border[FP_RIGHT] = (bd >> 6) & 7;
		x->border_color[FP_TOP] = (bd >> 9) & 0x7F;
		x->border_color[FP_LEFT] = (bd >> 16) & 0x7F;
		x->border_color[FP_RIGHT] = (bd >> 23) & 0x7F;
	}
}

/*
 * An XFEXT record: the RGB colours Excel 2007 and later give a cell
 * format beside its palette indexes. After a 12-byte frame header, 2
 * reserved bytes, the XF's index, 2 reserved bytes and the count of
 * properties; each property is its type, its size (header included) and
 * its data; a colour's data is its kind (2: RGB), a tint, the value
 * (R, G, B, A) and 8 unused bytes. Theme and indexed colours are left
 * to the palette.
 */
static void
looks_xfext(struct fp_workbook *wb, const unsigned char *p, size_t len)
{
	size_t pos = 20, k, n, ixfe;

	if (len < 20)
		return;
	ixfe = fp_rd16(p + 14);
	n = fp_rd16(p + 18);
	if (ixfe >= wb->nxfs)
		return;
	for (k = 0; k < n && len - pos >= 4; k++) {
		unsigned type = fp_rd16(p + pos), cb = fp_rd16(p + pos + 2);
		const unsigned char *q = p + pos + 4;
		struct fp_xf *x = &wb->xfs[ixfe];
		uint32_t *dst = NULL;

		if (cb < 4 || cb > len - pos)
			break;
		switch (type) {
		case 4: dst = &x->rgb_fg; break;
		case 5: dst = &x->rgb_bg; break;
		case 7: dst = &x->rgb_border[FP_TOP]; break;
		case 8: dst = &x->rgb_border[FP_BOTTOM]; break;
		case 9: dst = &x->rgb_border[FP_LEFT]; break;
		case 10: dst = &x->rgb_border[FP_RIGHT]; break;
		case 13: dst = &x->rgb_font; break;
		default: break;
		}
		if (dst && cb >= 4 + 8 && fp_rd16(q) == 2)
			*dst = 0x1000000 | (uint32_t)q[4] << 16 |
			    (uint32_t)q[5] << 8 | q[6];
		pos += cb;
	}
}

/*
 * The globals records that looks and formulas need. Called for every
 * record of the globals, before the reader's own handling.
 */
static void
biff_looks_global(struct fp_workbook *wb, struct biff *b, const struct rec *r)
{
	const unsigned char *p = r->p;
	size_t len = r->len;

	switch (r->type) {
	case R_FONT:
	case R_FONT34: {
		struct fp_font *f;

		if (b->ver < 5 || len < 15)
			break;
		/* Font 4 does not exist: the fifth record is font 5. */
		if (++b->nfontrecs == 5)
			fp_wb_add_font(wb, "Arial");
		fp_buf_reset(&b->tmp);
		read_str(b, p + 14, len - 14, 1, &b->tmp);
		f = fp_wb_add_font(wb, b->tmp.s ? b->tmp.s : "");
		f->height = fp_rd16(p);
		f->italic = (fp_rd16(p + 2) >> 1) & 1;
		f->strike = (fp_rd16(p + 2) >> 3) & 1;
		f->color = fp_rd16(p + 4);
		f->weight = fp_rd16(p + 6);
		f->script = (uint8_t)fp_rd16(p + 8);
		f->underline = p[10];
		break;
	}
	case R_XF:
		if (b->ver >= 5)
			looks_xf(wb, b, p, len);
		break;
	case R_PALETTE: {
		size_t k, n;

		if (len < 2)
			break;
		n = fp_rd16(p);
		for (k = 0; k < n && 2 + 4 * k + 4 <= len; k++) {
			const unsigned char *q = p + 2 + 4 * k;

			fp_wb_set_color(wb, (unsigned)(8 + k),
			    (uint32_t)q[0] << 16 | (uint32_t)q[1] << 8 | q[2]);
		}
		break;
	}
	case R_NAME: {
		struct fp_defname *dn;
		struct namerec *nr;
		size_t cch, cce, off;
		unsigned flags;

		if (b->ver < 5 || len < 14)
			break;
		flags = fp_rd16(p);
		cch = p[3];
		cce = fp_rd16(p + 4);
		fp_buf_reset(&b->tmp);
		off = 14;
		if (b->v8) {
			size_t k;
			int wide;

			if (len < 15)
				break;
			wide = p[14] & 1;
			off = 15;
			if ((len - off) / (wide ? 2 : 1) < cch)
				break;
			for (k = 0; k < cch; k++)
				fp_utf8_put(&b->tmp, wide ? fp_rd16(p + off + 2 * k) :
				    p[off + k]);
			off += cch * (wide ? 2 : 1);
		} else {
			if (len - off < cch)
				break;
			put_codepage(b, &b->tmp, p + off, cch);
			off += cch;
		}
		if ((flags & 0x20) && b->tmp.len >= 1 &&
		    (unsigned char)b->tmp.s[0] < sizeof builtin_names /
		    sizeof builtin_names[0]) {
			unsigned code = (unsigned char)b->tmp.s[0];

			dn = fp_wb_add_name(wb, builtin_names[code]);
			dn->builtin = (int)code;
		} else {
			dn = fp_wb_add_name(wb, b->tmp.s ? b->tmp.s : "");
		}
		dn->hidden = flags & 1;
		{
			unsigned itab = fp_rd16(p + 8);

			if (itab >= 1 && itab <= b->ntabs)
				dn->sheet = (int)b->tabs[itab - 1].sheet;
			else if (itab >= 1)
				dn->sheet = -2;
		}
		if (b->nnamerecs == b->capnamerecs) {
			b->capnamerecs = b->capnamerecs ? b->capnamerecs * 2 : 8;
			b->namerecs = fp_xreallocarray(b->namerecs,
			    b->capnamerecs, sizeof *b->namerecs);
		}
		while (b->nnamerecs < wb->nnames - 1) {
			memset(&b->namerecs[b->nnamerecs], 0,
			    sizeof b->namerecs[0]);
			b->nnamerecs++;
		}
		nr = &b->namerecs[b->nnamerecs++];
		memset(nr, 0, sizeof *nr);
		if (len - off >= cce) {
			nr->rgce = p + off;
			nr->len = (uint32_t)cce;
			nr->extra = p + off + cce;
			nr->nextra = (uint32_t)(len - off - cce);
		}
		break;
	}
	case R_SUPBOOK:
		if (!b->v8 || len < 4)
			break;
		add_book(b, fp_rd16(p + 2) == 0x0401 ? BOOK_SELF :
		    fp_rd16(p + 2) == 0x3A01 ? BOOK_ADDIN : BOOK_OTHER);
		break;
	case R_EXTERNSHEET:
		if (b->v8) {
			size_t k, n;

			if (len < 2 || b->xti)
				break;
			n = fp_rd16(p);
			if (n > (len - 2) / 6)
				n = (len - 2) / 6;
			b->xti = fp_xreallocarray(NULL, n ? n : 1, sizeof *b->xti);
			for (k = 0; k < n; k++) {
				b->xti[k].book = fp_rd16(p + 2 + 6 * k);
				b->xti[k].first = fp_rd16(p + 4 + 6 * k);
				b->xti[k].last = fp_rd16(p + 6 + 6 * k);
			}
			b->nxti = n;
		} else if (len >= 2) {
			/* 0x02, 0x03, 0x04: this workbook; else another file. */
			add_book(b, p[1] >= 2 && p[1] <= 4 ? BOOK_SELF :
			    p[1] == 0x3A ? BOOK_ADDIN : BOOK_OTHER);
		}
		break;
	case R_EXTERNNAME:
		if (len < 7)
			break;
		fp_buf_reset(&b->tmp);
		read_str(b, p + 6, len - 6, 1, &b->tmp);
		add_extname(b, b->tmp.s ? b->tmp.s : "");
		break;
	case R_OBJPROJ:
		wb->lost[FP_LOST_MACRO]++;
		break;
	case R_XFEXT:
		looks_xfext(wb, p, len);
		break;
	default:
		break;
	}
}

/* The looks of cell records: every cell's format, empty ones included. */
static void
looks_cell(struct fp_sheet *sh, struct biff *b, const struct rec *r)
{
	const unsigned char *p = r->p;
	size_t k, n;

	switch (r->type) {
	case R_NUMBER: case R_RK: case R_LABELSST: case R_LABEL:
	case R_RSTRING: case R_BOOLERR: case R_FORMULA: case R_FORMULA3:
	case R_FORMULA4: case R_BLANK: case 0x0202 /* INTEGER, BIFF3-4 */:
		if (b->ver == 2 && r->type <= R_STRING2) {
			if (r->len >= 7)
				fp_sheet_add_cellxf(sh, fp_rd16(p), fp_rd16(p + 2),
				    (uint16_t)xf2(b, p + 4));
		} else if (r->len >= 6) {
			fp_sheet_add_cellxf(sh, fp_rd16(p), fp_rd16(p + 2),
			    fp_rd16(p + 4));
		}
		break;
	case 0x0001:	/* BIFF2 BLANK */
	case R_INTEGER2: case R_NUMBER2: case R_LABEL2: case R_BOOLERR2:
		if (b->ver == 2 && r->len >= 7)
			fp_sheet_add_cellxf(sh, fp_rd16(p), fp_rd16(p + 2),
			    (uint16_t)xf2(b, p + 4));
		break;
	case R_MULRK:
		if (r->len < 6)
			break;
		n = (r->len - 6) / 6;
		for (k = 0; k < n; k++)
			fp_sheet_add_cellxf(sh, fp_rd16(p), (uint16_t)(fp_rd16(p + 2)
			    + k), fp_rd16(p + 4 + 6 * k));
		break;
	case R_MULBLANK:
		if (r->len < 6)
			break;
		n = (r->len - 6) / 2;
		for (k = 0; k < n; k++)
			fp_sheet_add_cellxf(sh, fp_rd16(p), (uint16_t)(fp_rd16(p + 2)
			    + k), fp_rd16(p + 4 + 2 * k));
		break;
	default:
		break;
	}
}

/* A formula record's tokens: at off, their count in cce bytes at coff. */
static void
looks_formula(struct fp_sheet *sh, const struct rec *r, int kind,
    size_t coff, int cbytes, size_t off)
{
	struct fp_formula *f;
	size_t cce;

	if (r->len < off || r->len < coff + (size_t)cbytes)
		return;
	cce = cbytes == 1 ? r->p[coff] : fp_rd16(r->p + coff);
	if (r->len - off < cce)
		return;
	f = fp_sheet_add_formula(sh);
	f->kind = (uint8_t)kind;
	f->rgce = r->p + off;
	f->len = (uint32_t)cce;
	f->extra = r->p + off + cce;
	f->nextra = (uint32_t)(r->len - off - cce);
	if (kind == FP_FORMULA_CELL) {
		f->row = f->row2 = fp_rd16(r->p);
		f->col = f->col2 = fp_rd16(r->p + 2);
	} else {
		f->row = fp_rd16(r->p);
		f->row2 = fp_rd16(r->p + 2);
		f->col = r->p[4];
		f->col2 = r->p[5];
	}
}

/* Forgets the fonts and cell formats an old sheet's last scan gave. */
static void
biff_old_looks_reset(struct fp_workbook *wb, struct biff *b)
{
	size_t i;

	for (i = 0; i < wb->nfonts; i++)
		free(wb->fonts[i].name);
	wb->nfonts = 0;
	wb->nxfs = 0;
	b->nfontrecs = 0;
}

/*
 * The fonts and cell formats of a BIFF3 or BIFF4 worksheet file, which
 * keeps them with its one sheet. (A BIFF4W workbook's sheets each bring
 * their own, and BIFF2's cells carry theirs in their attributes: neither
 * is read, and their cells get the default look.)
 */
static void
looks_old(struct fp_workbook *wb, struct biff *b, const struct rec *r)
{
	const unsigned char *p = r->p;
	size_t len = r->len;
	struct fp_xf *x;
	uint32_t bd;

	if (wb->nsheets != 1 || b->ver < 3)
		return;
	switch (r->type) {
	case R_FONT34: {
		struct fp_font *f;

		if (len < 7)
			break;
		if (++b->nfontrecs == 5)
			fp_wb_add_font(wb, "Arial");
		fp_buf_reset(&b->tmp);
		read_str(b, p + 6, len - 6, 1, &b->tmp);
		f = fp_wb_add_font(wb, b->tmp.s ? b->tmp.s : "");
		f->height = fp_rd16(p);
		f->weight = fp_rd16(p + 2) & 1 ? 700 : 400;
		f->italic = (fp_rd16(p + 2) >> 1) & 1;
		f->underline = (fp_rd16(p + 2) >> 2) & 1;
		f->strike = (fp_rd16(p + 2) >> 3) & 1;
		f->color = fp_rd16(p + 4);
		break;
	}
	case R_XF3:
	case R_XF4:
		if (len < 12)
			break;
		x = fp_wb_add_xf(wb);
		x->font = p[0];
		x->fmt = p[1];
		if (r->type == R_XF3) {
			x->halign = p[4] & 7;
			x->wrap = (p[4] >> 3) & 1;
		} else {
			x->halign = p[4] & 7;
			x->wrap = (p[4] >> 3) & 1;
			x->valign = (p[4] >> 4) & 3;
		}
		x->pattern = fp_rd16(p + 6) & 0x3F;
		x->fg = (fp_rd16(p + 6) >> 6) & 0x1F;
		x->bg = (fp_rd16(p + 6) >> 11) & 0x1F;
		bd = fp_rd32(p + 8);
		x->border[FP_TOP] = bd & 7;
		x->border_color[FP_TOP] = (bd >> 3) & 0x1F;
		x->border[FP_LEFT] = (bd >> 8) & 7;
		x->border_color[FP_LEFT] = (bd >> 11) & 0x1F;
		x->border[FP_BOTTOM] = (bd >> 16) & 7;
		x->border_color[FP_BOTTOM] = (bd >> 19) & 0x1F;
		x->border[FP_RIGHT] = (bd >> 24) & 7;
		x->border_color[FP_RIGHT] = (bd >> 27) & 0x1F;
		break;
	case R_PALETTE:
		biff_looks_global(wb, b, r);
		break;
	default:
		break;
	}
}

/* A sheet's records that looks and formulas need. */
static void
biff_looks_sheet(struct fp_workbook *wb, struct biff *b, struct fp_sheet *sh,
    const struct rec *r)
{
	struct fp_sheet_looks *l = &sh->looks;
	const unsigned char *p = r->p;
	size_t len = r->len;

	if (b->ver < 5)
		looks_old(wb, b, r);
	looks_cell(sh, b, r);
	switch (r->type) {
	case R_FORMULA:
		if (b->ver == 2)
			looks_formula(sh, r, FP_FORMULA_CELL, 16, 1, 17);
		else
			looks_formula(sh, r, FP_FORMULA_CELL, 20, 2, 22);
		break;
	case R_FORMULA3:
	case R_FORMULA4:
		/* Some writers give a BIFF8 formula the BIFF4 record type. */
		if (b->ver >= 5)
			looks_formula(sh, r, FP_FORMULA_CELL, 20, 2, 22);
		else
			looks_formula(sh, r, FP_FORMULA_CELL, 16, 2, 18);
		break;
	case R_SHRFMLA:
		looks_formula(sh, r, FP_FORMULA_SHARED, 8, 2, 10);
		break;
	case R_ARRAY:
		if (b->ver >= 5)
			looks_formula(sh, r, FP_FORMULA_ARRAY, 12, 2, 14);
		else
			looks_formula(sh, r, FP_FORMULA_ARRAY, 8, 2, 10);
		break;
	case R_ARRAY2:
		if (b->ver == 2)
			looks_formula(sh, r, FP_FORMULA_ARRAY, 7, 1, 8);
		break;
	case R_TABLE:
		if (len >= 6) {
			struct fp_formula *f = fp_sheet_add_formula(sh);

			f->kind = FP_FORMULA_TABLE;
			f->row = fp_rd16(p);
			f->row2 = fp_rd16(p + 2);
			f->col = p[4];
			f->col2 = p[5];
		}
		break;
	case R_ROW:
		if (len >= 16) {
			struct fp_rowinfo *ri = fp_sheet_add_row(sh, fp_rd16(p));
			unsigned h = fp_rd16(p + 6), fl = fp_rd16(p + 12);

			ri->height = (h & 0x7FFF) / 20.0;
			ri->hidden = (fl & 0x20) != 0;
			ri->custom = (fl & 0x40) != 0 || (b->ver < 5 &&
			    !(h & 0x8000));
			ri->has_xf = (fl & 0x80) != 0;
			ri->xf = fp_rd16(p + 14) & 0x0FFF;
		}
		break;
	case R_DEFAULTROWHEIGHT:
		if (len >= 4)
			l->defheight = fp_rd16(p + 2) / 20.0;
		break;
	case R_DEFCOLWIDTH:
		if (len >= 2 && l->defwidth == 0)
			l->defwidth = fp_rd16(p);
		break;
	case R_STANDARDWIDTH:
		if (len >= 2)
			l->defwidth = fp_rd16(p) / 256.0;
		break;
	case R_WINDOW2:
		if (len >= 6 && b->ver >= 5) {
			unsigned fl = fp_rd16(p);

			l->win.frozen = (fl & 0x0008) != 0;
			l->win.hide_grid = !(fl & 0x0002);
			l->win.selected = (fl & 0x0200) != 0;
		}
		break;
	case R_PANE:
		if (len >= 8) {
			l->win.fcol = fp_rd16(p);
			l->win.frow = fp_rd16(p + 2);
			l->win.toprow = fp_rd16(p + 4);
			l->win.leftcol = fp_rd16(p + 6);
		}
		break;
	case R_SCL:
		if (len >= 4 && fp_rd16(p + 2))
			l->win.zoom = fp_rd16(p) * 100 / fp_rd16(p + 2);
		break;
	case R_SETUP:
		if (len >= 12) {
			unsigned fl = fp_rd16(p + 10);

			if (!(fl & 0x04)) {
				l->page.paper = fp_rd16(p);
				l->page.scale = fp_rd16(p + 2);
				if (!(fl & 0x40))
					l->page.landscape = !(fl & 0x02);
			}
			l->page.fitw = fp_rd16(p + 6);
			l->page.fith = fp_rd16(p + 8);
			if (len >= 32) {
				l->page.mheader = rd64f(p + 16);
				l->page.mfooter = rd64f(p + 24);
			}
		}
		break;
	case R_WSBOOL:
		if (len >= 2)
			l->page.fit = (fp_rd16(p) & 0x0100) != 0;
		break;
	case R_LEFTMARGIN: case R_RIGHTMARGIN: case R_TOPMARGIN:
	case R_BOTTOMMARGIN:
		if (len >= 8)
			l->page.margin[r->type - R_LEFTMARGIN] = rd64f(p);
		break;
	case R_HEADER:
	case R_FOOTER:
		if (len > 0) {
			char **dst = r->type == R_HEADER ? &l->page.header :
			    &l->page.footer;

			fp_buf_reset(&b->tmp);
			if (read_str(b, p, len, b->v8 ? 2 : 1, &b->tmp)) {
				free(*dst);
				*dst = fp_xstrndup(b->tmp.s ? b->tmp.s : "",
				    b->tmp.len);
			}
		}
		break;
	case R_HCENTER:
		if (len >= 2)
			l->page.hcenter = fp_rd16(p) != 0;
		break;
	case R_VCENTER:
		if (len >= 2)
			l->page.vcenter = fp_rd16(p) != 0;
		break;
	case R_PRINTGRIDLINES:
		if (len >= 2)
			l->page.gridlines = fp_rd16(p) != 0;
		break;
	case R_NOTE:
		l->lost[FP_LOST_COMMENT]++;
		break;
	case R_OBJ: {
		unsigned ot = 0;

		if (b->v8 && len >= 6 && fp_rd16(p) == 0x15)
			ot = fp_rd16(p + 4);
		else if (!b->v8 && len >= 6)
			ot = fp_rd16(p + 4);
		if (ot == 5)
			l->lost[FP_LOST_CHART]++;
		else if (ot == 8)
			l->lost[FP_LOST_IMAGE]++;
		else if (ot != 0x19 && ot != 6 && ot != 0x14)
			/* Not a comment's box, nor an autofilter's drop-down. */
			l->lost[FP_LOST_OBJECT]++;
		break;
	}
	case R_DV:
		l->lost[FP_LOST_VALIDATION]++;
		break;
	case R_CONDFMT:
		l->lost[FP_LOST_CONDFMT]++;
		break;
	case R_HLINK:
		l->lost[FP_LOST_HYPERLINK]++;
		break;
	case R_AUTOFILTERINFO:
		l->lost[FP_LOST_AUTOFILTER]++;
		break;
	default:
		break;
	}
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

/*
 * Shows the rows of sheet i its filter hides: those under the header of
 * its autofilter's range, the sheet's _FilterDatabase name.
 */
static void
show_filtered(struct fp_workbook *wb, size_t i)
{
	size_t k;

	for (k = 0; k < wb->nnames; k++) {
		const struct fp_defname *dn = &wb->names[k];

		if (dn->builtin == 13 && dn->sheet == (int)i &&
		    dn->nareas == 1) {
			fp_sheet_show_rows(&wb->sheets[i], dn->area[0].r1 + 1,
			    dn->area[0].r2);
			return;
		}
	}
}

static enum fp_err
biff_scan(struct fp_workbook *wb, size_t i, fp_cell_fn fn, void *ctx,
    int *stopped, struct fp_diag *d)
{
	struct biff *b = wb->priv;
	struct fp_sheet *sh = &wb->sheets[i];
	struct scan sc = { wb, b, fn, ctx, 0, &wb->sheets[i], d, FP_OK };
	int filtered = 0;
	struct rec r;
	size_t pos = (size_t)sh->pos, end = b->ends[i];
	int depth = 0, have_pending = 0;
	struct fp_cell pend;
	enum fp_err err = FP_OK;

	memset(&pend, 0, sizeof pend);
	/* A sheet's BOF is its own, not the globals' (at 0) nor past the end. */
	if (pos < b->globals_end || !rec_at(b, pos, &r) || !is_bof(r.type))
		return fp_diag(d, FP_ECORRUPT, "corrupt workbook (sheet \"%s\" "
		    "does not start where the workbook says)", sh->name);
	if (b->ver < 5) {
		/* An old sheet brings its own number and cell formats. */
		fp_wb_clear_formats(wb);
		b->nxf = 0;
		b->nfmt = 0;
		b->ixfe = -1;
		if (wb->keep_looks)
			biff_old_looks_reset(wb, b);
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
		if (wb->keep_looks)
			biff_looks_sheet(wb, b, sh, &r);
		if (r.type == R_ROW && r.len >= 16 && (fp_rd16(p + 12) & 0x20))
			fp_sheet_hide_rows(sh, fp_rd16(p), fp_rd16(p));
		/*
		 * A filter in force (FILTERMODE, Excel's), or an autofilter
		 * at all (AUTOFILTERINFO: LibreOffice saves a filtered sheet
		 * with no FILTERMODE).
		 */
		if (r.type == R_FILTERMODE || r.type == R_AUTOFILTERINFO)
			filtered = 1;
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
			c.type = FP_CELL_BOOL;
			c.v.num = p[6];
			if (p[7])
				fp_cell_set_error(&c, p[6]);
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
				c.type = FP_CELL_BOOL;
				c.v.num = p[8];
				if (p[6] == 2)
					fp_cell_set_error(&c, p[8]);
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
			if (sh->nwidths)
				sh->widths[sh->nwidths - 1].xf = fp_rd16(p + 6);
			break;
		default:
			break;
		}
		if (sc.stop)
			break;
	}
out:
	if (sc.err && !err) {
		err = sc.err;
		sc.stop = 0;
	}
	if (filtered)
		show_filtered(wb, i);
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
	size_t nbefore;

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
		if (r.type == R_EOF) {
			b->globals_end = pos;
			break;
		}
		if (common_global(wb, b, &r, &err, d)) {
			if (err)
				goto out;
			continue;
		}
		biff_looks_global(wb, b, &r);
		nbefore = wb->nsheets;
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
		if (r.type == R_BOUNDSHEET)
			biff_looks_tab(wb, b, &r, nbefore);
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
	resolve_names(wb, b);
	wb->formula = biff_formula;
	if (!wb->lost[FP_LOST_MACRO] && size >= 8 && data[0] == 0xD0 &&
	    fp_cfb_has(data, size, "_VBA_PROJECT_CUR"))
		wb->lost[FP_LOST_MACRO]++;
	return FP_OK;
}
