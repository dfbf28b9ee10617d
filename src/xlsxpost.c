/*
 * Post-processing of a written .xlsx (xlsxpost.h). libxlsxwriter prints
 * numbers with "%.16G", so 0.30000000000000004 comes back 0.3; it has no
 * option to write more digits, and no way to set the default font; and
 * it keeps every comment and hyperlink in memory until it closes, so
 * they are added here from disk. The zip it wrote is copied entry by
 * entry: unchanged entries as their compressed bytes; a worksheet with
 * numbers to correct or hyperlinks, and the styles and workbook parts,
 * decompressed, edited in one pass and compressed again, a sheet's
 * hyperlinks streamed from disk into it where libxlsxwriter writes them.
 * A sheet's comments were given to libxlsxwriter but its first, so that
 * it wrote the sheet's legacyDrawing, relationships, content types and
 * the comments' font itself; its comments and vmlDrawing parts are
 * replaced here by the whole ones, streamed from disk. The file is the
 * one libxlsxwriter would have written.
 */
#include "xlsxpost.h"
#include "outfile.h"
#include "xlsxlinks.h"
#include "xlsxstore.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <minizip/unzip.h>
#include <minizip/zip.h>

static int
fix_cmp(const void *a, const void *b)
{
	const struct fp_numfix *x = a, *y = b;

	if (x->sheet != y->sheet)
		return x->sheet < y->sheet ? -1 : 1;
	if (x->row != y->row)
		return x->row < y->row ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	/* Equal cells stay in the order written: the last one counts. */
	return x < y ? -1 : x > y;
}

/* The row and column of an A1 reference at p; 0 if it is none. */
static int
parse_ref(const char *p, const char *end, uint32_t *row, uint32_t *col)
{
	uint32_t c = 0, r = 0;
	int nc = 0, nr = 0;

	while (p < end && *p >= 'A' && *p <= 'Z' && nc < 4) {
		c = c * 26 + (uint32_t)(*p++ - 'A' + 1);
		nc++;
	}
	while (p < end && *p >= '0' && *p <= '9' && nr < 8) {
		r = r * 10 + (uint32_t)(*p++ - '0');
		nr++;
	}
	if (!nc || !nr || r == 0 || p >= end || *p != '"')
		return 0;
	*row = r - 1;
	*col = c - 1;
	return 1;
}

/* Where the n bytes at p first hold s (of len bytes), or NULL. */
static const char *
find(const char *p, const char *end, const char *s, size_t len)
{
	for (; p + len <= end; p++)
		if (!memcmp(p, s, len))
			return p;
	return NULL;
}

/*
 * The cell starting at c (up to end) written again with f's type and
 * value, and its formula unless f drops it; appended to out. Returns
 * where the cell ended, or NULL (nothing appended) if it is not a cell
 * libxlsxwriter writes: <c r=".." ..>[<f ..>..</f>]<v>..</v></c>.
 */
static const char *
retype_cell(const char *c, const char *end, const struct fp_numfix *f,
    struct fp_buf *out)
{
	const char *tag = find(c, end, ">", 1), *ce, *fs, *fe, *a;

	if (!tag || tag[-1] == '/' || !(ce = find(tag, end, "</c>", 4)))
		return NULL;
	/* The start tag without its t attribute. */
	a = find(c, tag, " t=\"", 4);
	if (a) {
		const char *q = find(a + 4, tag, "\"", 1);

		if (!q)
			return NULL;
		fp_buf_add(out, c, (size_t)(a - c));
		fp_buf_add(out, q + 1, (size_t)(tag - q - 1));
	} else {
		fp_buf_add(out, c, (size_t)(tag - c));
	}
	fp_buf_printf(out, " t=\"%s\">", f->type == 'b' ? "b" :
	    f->type == 'e' ? "e" : "str");
	fs = find(tag, ce, "<f", 2);
	fe = fs ? find(fs, ce, "</f>", 4) : NULL;
	if (fe && !f->drop)
		fp_buf_add(out, fs, (size_t)(fe + 4 - fs));
	fp_buf_adds(out, "<v>");
	fp_store_escape(out, f->str ? f->str : f->text,
	    strlen(f->str ? f->str : f->text), 0);
	fp_buf_adds(out, "</v></c>");
	return ce + 4;
}

/*
 * A piece of a worksheet's XML, ending where a cell starts or at the end,
 * with the values of the fixed cells replaced; *fp..fend are this
 * sheet's fixes still to come, sorted (*fp moves on). Appends to out.
 */
static void
fix_sheet(const char *xml, size_t n, const struct fp_numfix **fp,
    const struct fp_numfix *fend, struct fp_buf *out)
{
	const char *p = xml, *end = xml + n;
	const struct fp_numfix *f = *fp;

	while (f < fend) {
		const char *c = NULL, *q;
		uint32_t row, col;

		/* The next cell start. */
		for (q = p; q + 6 < end; q++)
			if (q[0] == '<' && q[1] == 'c' && q[2] == ' ' &&
			    q[3] == 'r' && q[4] == '=' && q[5] == '"') {
				c = q;
				break;
			}
		if (!c || !parse_ref(c + 6, end, &row, &col))
			break;
		while (f < fend && (f->row < row || (f->row == row &&
		    f->col < col)))
			f++;
		/* The last fix of one cell wins. */
		while (f + 1 < fend && f[1].row == f->row && f[1].col == f->col)
			f++;
		if (f < fend && f->row == row && f->col == col && f->type) {
			const char *after;

			fp_buf_add(out, p, (size_t)(c - p));
			after = retype_cell(c, end, f, out);
			f++;
			if (after) {
				p = after;
				continue;
			}
			p = c;
		} else if (f < fend && f->row == row && f->col == col) {
			const char *v = NULL, *ve = NULL, *ce;

			for (ce = c; ce + 3 < end; ce++) {
				if (!v && ce[0] == '<' && ce[1] == 'v' && ce[2] == '>')
					v = ce + 3;
				if (v && !ve && ce[0] == '<' && ce[1] == '/' &&
				    ce[2] == 'v')
					ve = ce;
				if ((ce[0] == '<' && ce[1] == '/' && ce[2] == 'c' &&
				    ce[3] == '>') || (ce[0] == '/' && ce[1] == '>' &&
				    !v))
					break;
			}
			f++;
			if (v && ve) {
				fp_buf_add(out, p, (size_t)(v - p));
				fp_buf_adds(out, f[-1].text);
				p = ve;
				continue;
			}
		}
		fp_buf_add(out, p, (size_t)(c + 6 - p));
		p = c + 6;
	}
	fp_buf_add(out, p, (size_t)(end - p));
	*fp = f;
}

/* Where the last cell of the n bytes at xml starts; 0 if none does. */
static size_t
last_cell(const char *xml, size_t n)
{
	size_t i;

	for (i = n; i-- > 6;)
		if (!memcmp(xml + i - 6, "<c r=\"", 6))
			return i - 6;
	return 0;
}

/* Writes out the edited piece; 0 on success. */
static int
put(zipFile zf, struct fp_buf *out)
{
	int r = out->len ? zipWriteInFileInZip(zf, out->s, (unsigned)out->len) :
	    ZIP_OK;

	fp_buf_reset(out);
	return r != ZIP_OK;
}

/* styles.xml with its first font, the default one, replaced. */
static void
fix_styles(const char *xml, size_t n, const char *font, double size,
    struct fp_buf *out)
{
	const char *fonts = NULL, *a = NULL, *z = NULL, *p, *end = xml + n;

	for (p = xml; p + 7 < end && !fonts; p++)
		if (!memcmp(p, "<fonts ", 7))
			fonts = p;
	for (p = fonts; p && p + 6 < end && !a; p++)
		if (!memcmp(p, "<font>", 6))
			a = p;
	for (p = a; p && p + 7 <= end && !z; p++)
		if (!memcmp(p, "</font>", 7))
			z = p + 7;
	if (!z) {
		fp_buf_add(out, xml, n);
		return;
	}
	fp_buf_add(out, xml, (size_t)(a - xml));
	fp_buf_printf(out, "<font><sz val=\"%g\"/><name val=\"", size);
	fp_store_escape(out, font, strlen(font), 1);
	fp_buf_adds(out, "\"/></font>");
	fp_buf_add(out, z, (size_t)(end - z));
}

/* workbook.xml with the k-th sheet's state "veryHidden" where marked. */
static void
fix_workbook(const char *xml, size_t n, const struct fp_xlsx_fixes *fx,
    struct fp_buf *out)
{
	const char *p = xml, *end = xml + n, *q;
	size_t k = 0;

	for (q = xml; q + 7 < end; q++) {
		const char *e, *st;

		if (memcmp(q, "<sheet ", 7))
			continue;
		for (e = q; e < end && *e != '>'; e++)
			;
		if (k < fx->nsheets && fx->very_hidden[k]) {
			for (st = q; st + 14 <= e; st++)
				if (!memcmp(st, "state=\"hidden\"", 14))
					break;
			if (st + 14 <= e) {
				fp_buf_add(out, p, (size_t)(st - p));
				fp_buf_adds(out, "state=\"veryHidden\"");
				p = st + 14;
			}
		}
		k++;
		q = e;
	}
	fp_buf_add(out, p, (size_t)(end - p));
}

/* The 0-based k of a name pre, k + 1, suf; or -1. */
static long
part_number(const char *name, const char *pre, const char *suf)
{
	char *e;
	long k;

	if (strncmp(name, pre, strlen(pre)) || !isdigit((unsigned char)
	    name[strlen(pre)]))
		return -1;
	k = strtol(name + strlen(pre), &e, 10);
	return strcmp(e, suf) || k < 1 ? -1 : k - 1;
}

/* The sheet number of "xl/worksheets/sheetN.xml", or -1. */
static long
sheet_number(const char *name)
{
	return part_number(name, "xl/worksheets/sheet", ".xml");
}

/*
 * The comments parts: the N-th sheet with comments has
 * xl/commentsN.xml and xl/drawings/vmlDrawingN.vml, its shapes numbered
 * from its data id, 1 for the first, one more for each 1024 shapes after.
 */
struct notes {
	const struct fp_xlsx_fixes *fx;
	size_t *sheet;		/* by N - 1: the sheet */
	uint32_t *id;		/* by N - 1: the data id */
	uint32_t nparts;
};

static void
notes_init(struct notes *st, const struct fp_xlsx_fixes *fx)
{
	uint32_t id = 1;
	size_t k;

	memset(st, 0, sizeof *st);
	st->fx = fx;
	if (!fx->notes || !fx->nsheets)
		return;
	st->sheet = fp_xreallocarray(NULL, fx->nsheets, sizeof *st->sheet);
	st->id = fp_xreallocarray(NULL, fx->nsheets, sizeof *st->id);
	for (k = 0; k < fx->nsheets; k++)
		if (fp_store_count(fx->notes, (uint32_t)k)) {
			st->sheet[st->nparts] = k;
			st->id[st->nparts++] = id;
			id = fp_notes_next_id(fx->notes, (uint32_t)k, id);
		}
}

static void
notes_release(struct notes *st)
{
	free(st->sheet);
	free(st->id);
}

/* A part's bytes into the entry open in the zip. */
static int
zput(void *ctx, const char *s, size_t n)
{
	return zipWriteInFileInZip(ctx, s, (unsigned)n) == ZIP_OK ? 0 : -1;
}

/*
 * Where a sheet's <hyperlinks> element goes in the n bytes at xml, its
 * end: before the first element libxlsxwriter writes after it, that is
 * printOptions, or else pageMargins, which it always writes. No cell
 * text can hold a '<'. (size_t)-1 if neither is there.
 */
static size_t
links_at(const char *xml, size_t n)
{
	static const char *const next[] = { "<printOptions ", "<pageMargins " };
	size_t i, k;

	for (k = 0; k < sizeof next / sizeof *next; k++) {
		size_t len = strlen(next[k]);

		for (i = 0; i + len <= n; i++)
			if (!memcmp(xml + i, next[k], len))
				return i;
	}
	return (size_t)-1;
}

/*
 * Writes the end of sheet k's XML in out up to where its hyperlinks go,
 * then them, streamed from the store; out keeps the rest. 0, or -1.
 */
static int
put_links(zipFile zf, struct fp_store *links, uint32_t k, struct fp_buf *out)
{
	size_t at = links_at(out->s ? out->s : "", out->len);

	if (at == (size_t)-1 || (at && zput(zf, out->s, at)) ||
	    fp_links_xml(links, k, zput, zf))
		return -1;
	memmove(out->s, out->s + at, out->len - at);
	out->len -= at;
	return 0;
}

/* Opens a new entry name, compressed, dated as zi. 0, or -1. */
static int
open_entry(zipFile zf, const char *name, const zip_fileinfo *zi)
{
	return zipOpenNewFileInZip2_64(zf, name, zi, NULL, 0, NULL, 0, NULL,
	    Z_DEFLATED, 6, 0, 1) == ZIP_OK ? 0 : -1;
}

/*
 * If name is comments part N or vmlDrawing part N (xl/commentsN.xml,
 * xl/drawings/vmlDrawingN.vml), writes the whole part in its place,
 * dated as zi: 1 when done, 0 if name is no such part, -1 on failure.
 */
static int
replace_part(zipFile zf, const struct notes *st, const char *name,
    const zip_fileinfo *zi)
{
	const struct fp_xlsx_fixes *fx = st->fx;
	long n = part_number(name, "xl/comments", ".xml");
	int vml = 0;

	if (n < 0) {
		n = part_number(name, "xl/drawings/vmlDrawing", ".vml");
		vml = 1;
	}
	if (n < 0 || (uint32_t)n >= st->nparts)
		return 0;
	if (open_entry(zf, name, zi) || (vml ? fp_notes_vml(fx->notes,
	    (uint32_t)st->sheet[n], st->id[n], &fx->grids[st->sheet[n]], zput,
	    zf) : fp_notes_comments(fx->notes, (uint32_t)st->sheet[n], zput,
	    zf)) || zipCloseFileInZip(zf) != ZIP_OK)
		return -1;
	return 1;
}

/*
 * Why the rewrite failed, for a message after the output's name: errno's
 * words when a call set it (a full disk), else that it could not be.
 */
static enum fp_err
failed(struct fp_diag *d, int errnum)
{
	if (errnum)
		return fp_diag(d, FP_EWRITE, "%s", strerror(errnum));
	return fp_diag(d, FP_EWRITE, "cannot rewrite the workbook");
}

enum fp_err
fp_xlsx_post(const char *path, struct fp_xlsx_fixes *fx, struct fp_diag *d)
{
	struct fp_numfix *fixes = fx->nums;
	size_t nfixes = fx->nnums;
	const char *font = fx->font;
	double size = fx->fontsize;
	int very = 0;
	unzFile uz = NULL;
	zipFile zf = NULL;
	char *tmp = NULL, *buf = NULL;
	struct fp_buf data = FP_BUF_INIT, out = FP_BUF_INIT;
	struct notes st;
	zip_fileinfo zi;
	enum fp_err err = FP_OK;
	size_t bufsize = 1 << 16, k0;
	int r;

	if (nfixes)
		qsort(fixes, nfixes, sizeof *fixes, fix_cmp);
	for (k0 = 0; fx->very_hidden && k0 < fx->nsheets; k0++)
		very |= fx->very_hidden[k0];
	notes_init(&st, fx);
	memset(&zi, 0, sizeof zi);
	tmp = fp_xmalloc(strlen(path) + sizeof ".post");
	sprintf(tmp, "%s.post", path);
	/*
	 * A signal that ends the process removes it, as it does the file it
	 * replaces. Registered before the file is made: a signal in between
	 * finds nothing to remove.
	 */
	fp_temp_register(tmp, 0);
	buf = fp_xmalloc(bufsize);
	/* minizip says no more than that a call failed: errno says why. */
	errno = 0;
	uz = unzOpen64(path);
	zf = uz ? zipOpen64(tmp, APPEND_STATUS_CREATE) : NULL;
	if (!uz || !zf) {
		err = failed(d, errno);
		goto out;
	}
	for (r = unzGoToFirstFile(uz); r == UNZ_OK; r = unzGoToNextFile(uz)) {
		unz_file_info64 fi;
		char name[256];
		int method, level, edit, raw, rc;
		long sheet;
		const struct fp_numfix *f = NULL, *fend = NULL;

		if (unzGetCurrentFileInfo64(uz, &fi, name, sizeof name, NULL, 0,
		    NULL, 0) != UNZ_OK)
			break;
		sheet = sheet_number(name);
		memset(&zi, 0, sizeof zi);
		zi.dosDate = fi.dosDate;
		zi.internal_fa = fi.internal_fa;
		zi.external_fa = fi.external_fa;
		if ((rc = replace_part(zf, &st, name, &zi)) < 0)
			goto bad;
		if (rc)
			continue;
		if (sheet >= 0 && nfixes > 0) {
			size_t k;

			for (k = 0; k < nfixes && fixes[k].sheet < (uint32_t)sheet;
			    k++)
				;
			f = fixes + k;
			for (; k < nfixes && fixes[k].sheet == (uint32_t)sheet; k++)
				;
			fend = fixes + k;
		}
		edit = (f && f < fend) || (font &&
		    !strcmp(name, "xl/styles.xml")) ||
		    (very && !strcmp(name, "xl/workbook.xml")) ||
		    (sheet >= 0 && fp_store_count(fx->links, (uint32_t)sheet));
		raw = !edit;
		if (unzOpenCurrentFile2(uz, &method, &level, raw) != UNZ_OK)
			break;
		if (zipOpenNewFileInZip2_64(zf, name, &zi, NULL, 0, NULL, 0, NULL,
		    method, raw ? level : 6, raw, 1) != ZIP_OK) {
			unzCloseCurrentFile(uz);
			break;
		}
		fp_buf_reset(&data);
		for (;;) {
			int got = unzReadCurrentFile(uz, buf, (unsigned)bufsize);

			if (got < 0)
				goto bad;
			if (got == 0)
				break;
			if (!edit) {
				if (zipWriteInFileInZip(zf, buf, (unsigned)got) !=
				    ZIP_OK)
					goto bad;
				continue;
			}
			fp_buf_add(&data, buf, (size_t)got);
			/* A worksheet goes in pieces that end where a cell starts. */
			if (sheet >= 0 && data.len >= (1 << 16)) {
				size_t cut = last_cell(data.s, data.len);

				if (cut == 0)
					continue;
				fix_sheet(data.s, cut, &f, fend, &out);
				if (put(zf, &out))
					goto bad;
				memmove(data.s, data.s + cut, data.len - cut);
				data.len -= cut;
			}
		}
		if (unzCloseCurrentFile(uz) != UNZ_OK)
			goto bad;
		if (edit) {
			fp_buf_reset(&out);
			if (sheet >= 0) {
				fix_sheet(data.s ? data.s : "", data.len, &f, fend,
				    &out);
				if (fp_store_count(fx->links, (uint32_t)sheet) &&
				    put_links(zf, fx->links, (uint32_t)sheet, &out))
					goto bad;
			} else if (!strcmp(name, "xl/workbook.xml"))
				fix_workbook(data.s ? data.s : "", data.len, fx,
				    &out);
			else if (font)
				fix_styles(data.s ? data.s : "", data.len, font,
				    size, &out);
			else
				fp_buf_add(&out, data.s ? data.s : "", data.len);
			if (put(zf, &out) || zipCloseFileInZip(zf) != ZIP_OK)
				goto bad;
		} else if (zipCloseFileInZipRaw64(zf, fi.uncompressed_size,
		    fi.crc) != ZIP_OK) {
			goto bad;
		}
		continue;
bad:
		r = UNZ_BADZIPFILE;
		break;
	}
	if (r != UNZ_END_OF_LIST_OF_FILE) {
		err = failed(d, errno);
		goto out;
	}
	errno = 0;
	if (zipClose(zf, NULL) != ZIP_OK) {
		zf = NULL;
		err = failed(d, errno);
		goto out;
	}
	zf = NULL;
	if (rename(tmp, path) != 0)
		err = failed(d, errno);
out:
	if (zf)
		zipClose(zf, NULL);
	if (uz)
		unzClose(uz);
	if (err)
		unlink(tmp);
	fp_temp_forget(tmp);
	free(tmp);
	free(buf);
	notes_release(&st);
	fp_buf_release(&data);
	fp_buf_release(&out);
	return err;
}
