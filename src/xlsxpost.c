/*
 * Post-processing of a written .xlsx (xlsxpost.h). libxlsxwriter prints
 * numbers with "%.16G", so 0.30000000000000004 comes back 0.3; it has no
 * option to write more digits, and no way to set the default font; and
 * it keeps every comment and hyperlink in memory until it closes, so
 * they are added here from disk. The zip it wrote is copied entry by
 * entry: unchanged entries as their compressed bytes, a worksheet with
 * numbers to correct, comments or hyperlinks, the styles, workbook and
 * content types parts and a sheet's relationships decompressed, edited
 * in one pass and compressed again; a sheet's hyperlinks are streamed
 * from disk into it where libxlsxwriter writes them, and the comments'
 * parts are written where it puts them in the zip (after the drawings;
 * a sheet's relationships in sheet order), so that the file is the one
 * it would have written.
 */
#include "xlsxpost.h"
#include "xlsxlinks.h"

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
		if (f < fend && f->row == row && f->col == col) {
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
	for (p = font; *p; p++) {
		switch (*p) {
		case '&': fp_buf_adds(out, "&amp;"); break;
		case '<': fp_buf_adds(out, "&lt;"); break;
		case '>': fp_buf_adds(out, "&gt;"); break;
		case '"': fp_buf_adds(out, "&quot;"); break;
		default: fp_buf_addc(out, *p); break;
		}
	}
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

/* The sheet of "xl/worksheets/_rels/sheetN.xml.rels", or -1. */
static long
rels_number(const char *name)
{
	return part_number(name, "xl/worksheets/_rels/sheet", ".xml.rels");
}

#define REL "http://schemas.openxmlformats.org/officeDocument/2006/" \
	"relationships/"
#define CT "application/vnd.openxmlformats-officedocument."

/* Where the comments stand while the zip is copied. */
struct notes {
	const struct fp_xlsx_fixes *fx;
	uint32_t *num;		/* per sheet: N of its parts, 0: none */
	uint32_t nparts;
	int parts_done;		/* vmlDrawing and comments parts written */
	size_t rels_next;	/* the first sheet whose relationships may
				   still be due */
	int rels_zone;		/* past styles.xml: sheets' relationships */
};

static void
notes_init(struct notes *st, const struct fp_xlsx_fixes *fx)
{
	size_t k;

	memset(st, 0, sizeof *st);
	st->fx = fx;
	if (!fx->notes)
		return;
	st->num = fp_xcalloc(fx->nsheets ? fx->nsheets : 1, sizeof *st->num);
	for (k = 0; k < fx->nsheets; k++)
		if (fp_store_count(fx->notes, (uint32_t)k))
			st->num[k] = ++st->nparts;
}

/* N of sheet k's comments parts, 0 if it has none. */
static uint32_t
notes_of(const struct notes *st, long k)
{
	return st->num && k >= 0 && (size_t)k < st->fx->nsheets ?
	    st->num[k] : 0;
}

/* [Content_Types].xml with the types of the comments' parts. */
static void
fix_types(const char *xml, size_t n, const struct notes *st,
    struct fp_buf *out)
{
	const char *p, *end = xml + n, *def = NULL, *ovr = NULL;
	uint32_t k;

	for (p = xml; p + 8 <= end; p++) {
		if (p + 9 <= end && !memcmp(p, "<Default ", 9)) {
			for (def = p; def < end && *def != '>'; def++)
				;
			def = def < end ? def + 1 : NULL;
		}
		if (!ovr && (!memcmp(p, "</Types>", 8) || (p + 42 <= end &&
		    !memcmp(p, "<Override PartName=\"/xl/sharedStrings.xml\"",
		    42))))
			ovr = p;
	}
	if (!def || !ovr || ovr < def) {
		fp_buf_add(out, xml, n);
		return;
	}
	fp_buf_add(out, xml, (size_t)(def - xml));
	fp_buf_adds(out, "<Default Extension=\"vml\" ContentType=\"" CT
	    "vmlDrawing\"/>");
	fp_buf_add(out, def, (size_t)(ovr - def));
	for (k = 1; k <= st->nparts; k++)
		fp_buf_printf(out, "<Override PartName=\"/xl/comments%u.xml\" "
		    "ContentType=\"" CT "spreadsheetml.comments+xml\"/>", k);
	fp_buf_add(out, ovr, (size_t)(end - ovr));
}

/*
 * styles.xml with the font of comments last among the fonts, as
 * libxlsxwriter adds it to a workbook with comments.
 */
static void
add_note_font(const char *xml, size_t n, struct fp_buf *out)
{
	const char *p, *end = xml + n, *cnt = NULL, *z = NULL;
	char *e;
	long k = 0;

	for (p = xml; p + 14 <= end && !cnt; p++)
		if (!memcmp(p, "<fonts count=\"", 14))
			cnt = p + 14;
	for (p = cnt; p && p + 8 <= end && !z; p++)
		if (!memcmp(p, "</fonts>", 8))
			z = p;
	if (z)
		k = strtol(cnt, &e, 10);
	if (!z || e == cnt || *e != '"') {
		fp_buf_add(out, xml, n);
		return;
	}
	fp_buf_add(out, xml, (size_t)(cnt - xml));
	fp_buf_printf(out, "%ld", k + 1);
	fp_buf_add(out, e, (size_t)(z - e));
	fp_buf_adds(out, "<font><sz val=\"8\"/><color indexed=\"81\"/>"
	    "<name val=\"Tahoma\"/><family val=\"2\"/></font>");
	fp_buf_add(out, z, (size_t)(end - z));
}

/* The relationships of comments part N, numbered from rId first. */
static void
notes_rels(struct fp_buf *out, uint32_t num, unsigned first)
{
	fp_buf_printf(out, "<Relationship Id=\"rId%u\" Type=\"" REL
	    "vmlDrawing\" Target=\"../drawings/vmlDrawing%u.vml\"/>"
	    "<Relationship Id=\"rId%u\" Type=\"" REL "comments\" "
	    "Target=\"../comments%u.xml\"/>", first, num, first + 1, num);
}

/* A sheet's relationships with those of its comments added. */
static void
fix_rels(const char *xml, size_t n, uint32_t num, unsigned nrels,
    struct fp_buf *out)
{
	const char *p, *end = xml + n, *z = NULL;

	for (p = xml; p + 16 <= end; p++)
		if (!memcmp(p, "</Relationships>", 16))
			z = p;
	if (!z) {
		fp_buf_add(out, xml, n);
		return;
	}
	fp_buf_add(out, xml, (size_t)(z - xml));
	notes_rels(out, num, nrels + 1);
	fp_buf_add(out, z, (size_t)(end - z));
}

/* The end of a sheet's XML, with its legacyDrawing before </worksheet>. */
static void
fix_tail(struct fp_buf *out, unsigned nrels)
{
	const char *z = NULL, *p;
	struct fp_buf t = FP_BUF_INIT;

	for (p = out->s; p && p + 12 <= out->s + out->len; p++)
		if (!memcmp(p, "</worksheet>", 12))
			z = p;
	if (!z)
		return;
	fp_buf_add(&t, out->s, (size_t)(z - out->s));
	fp_buf_printf(&t, "<legacyDrawing r:id=\"rId%u\"/>", nrels + 1);
	fp_buf_add(&t, z, (size_t)(out->s + out->len - z));
	fp_buf_reset(out);
	fp_buf_add(out, t.s, t.len);
	fp_buf_release(&t);
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
 * The vmlDrawing parts, then the comments parts, of every sheet with
 * comments in sheet order; the shapes of each vmlDrawing numbered from
 * its data id, 1 for the first, one more for each 1024 shapes after.
 */
static int
add_parts(zipFile zf, struct notes *st, const zip_fileinfo *zi)
{
	const struct fp_xlsx_fixes *fx = st->fx;
	char name[64];
	uint32_t id = 1;
	size_t k;

	st->parts_done = 1;
	for (k = 0; k < fx->nsheets; k++) {
		if (!st->num[k])
			continue;
		snprintf(name, sizeof name, "xl/drawings/vmlDrawing%u.vml",
		    st->num[k]);
		if (open_entry(zf, name, zi) || fp_notes_vml(fx->notes,
		    (uint32_t)k, id, &fx->grids[k], zput, zf) ||
		    zipCloseFileInZip(zf) != ZIP_OK)
			return -1;
		id = fp_notes_next_id(fx->notes, (uint32_t)k, id);
	}
	for (k = 0; k < fx->nsheets; k++) {
		if (!st->num[k])
			continue;
		snprintf(name, sizeof name, "xl/comments%u.xml", st->num[k]);
		if (open_entry(zf, name, zi) || fp_notes_comments(fx->notes,
		    (uint32_t)k, zput, zf) || zipCloseFileInZip(zf) != ZIP_OK)
			return -1;
	}
	return 0;
}

/*
 * The relationships of the sheets before sheet upto that have comments
 * and none of their own (libxlsxwriter writes them in sheet order).
 */
static int
add_rels(zipFile zf, struct notes *st, size_t upto, const zip_fileinfo *zi)
{
	struct fp_buf b = FP_BUF_INIT;
	char name[64];
	int rc = 0;

	for (; st->num && st->rels_next < upto && !rc; st->rels_next++) {
		size_t k = st->rels_next;

		if (!st->num[k])
			continue;
		snprintf(name, sizeof name, "xl/worksheets/_rels/sheet%zu.xml.rels",
		    k + 1);
		fp_buf_reset(&b);
		fp_buf_adds(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\" "
		    "standalone=\"yes\"?>\n<Relationships xmlns=\"http://"
		    "schemas.openxmlformats.org/package/2006/relationships\">");
		notes_rels(&b, st->num[k], st->fx->grids[k].nrels + 1);
		fp_buf_adds(&b, "</Relationships>");
		rc = open_entry(zf, name, zi) || zput(zf, b.s, b.len) ||
		    zipCloseFileInZip(zf) != ZIP_OK ? -1 : 0;
	}
	fp_buf_release(&b);
	return rc;
}

/* 1 if name is a part libxlsxwriter writes after the comments parts. */
static int
after_comments(const char *name)
{
	return !strncmp(name, "xl/theme/", 9) || !strncmp(name, "xl/tables/",
	    10) || !strcmp(name, "xl/sharedStrings.xml") ||
	    !strcmp(name, "xl/styles.xml") || !strncmp(name, "docProps/", 9) ||
	    !strncmp(name, "xl/worksheets/_rels/", 20);
}

/*
 * Adds what is due before entry name: the comments parts, and the
 * relationships of sheets that had none. 0, or -1.
 */
static int
notes_before(zipFile zf, struct notes *st, const char *name,
    const zip_fileinfo *zi)
{
	long rk = rels_number(name);

	if (!st->num)
		return 0;
	if (!st->parts_done && after_comments(name) && add_parts(zf, st, zi))
		return -1;
	if (rk >= 0) {
		if (add_rels(zf, st, (size_t)rk, zi))
			return -1;
		if ((size_t)rk >= st->rels_next)
			st->rels_next = (size_t)rk + 1;
		return 0;
	}
	return st->rels_zone ? add_rels(zf, st, st->fx->nsheets, zi) : 0;
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
	tmp = fp_xmalloc(strlen(path) + 8);
	sprintf(tmp, "%s.post", path);
	buf = fp_xmalloc(bufsize);
	uz = unzOpen64(path);
	zf = uz ? zipOpen64(tmp, APPEND_STATUS_CREATE) : NULL;
	if (!uz || !zf) {
		err = fp_diag(d, FP_EWRITE, "%s: cannot rewrite the workbook",
		    path);
		goto out;
	}
	for (r = unzGoToFirstFile(uz); r == UNZ_OK; r = unzGoToNextFile(uz)) {
		unz_file_info64 fi;
		char name[256];
		int method, level, edit, raw;
		long sheet, rels;
		const struct fp_numfix *f = NULL, *fend = NULL;

		if (unzGetCurrentFileInfo64(uz, &fi, name, sizeof name, NULL, 0,
		    NULL, 0) != UNZ_OK)
			break;
		sheet = sheet_number(name);
		rels = rels_number(name);
		memset(&zi, 0, sizeof zi);
		zi.dosDate = fi.dosDate;
		zi.internal_fa = fi.internal_fa;
		zi.external_fa = fi.external_fa;
		if (notes_before(zf, &st, name, &zi))
			goto bad;
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
		edit = (f && f < fend) || ((font || st.num) &&
		    !strcmp(name, "xl/styles.xml")) ||
		    (very && !strcmp(name, "xl/workbook.xml")) ||
		    notes_of(&st, sheet) || notes_of(&st, rels) ||
		    (sheet >= 0 && fp_store_count(fx->links, (uint32_t)sheet)) ||
		    (st.num && !strcmp(name, "[Content_Types].xml"));
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
				if (notes_of(&st, sheet))
					fix_tail(&out, fx->grids[sheet].nrels);
				if (fp_store_count(fx->links, (uint32_t)sheet) &&
				    put_links(zf, fx->links, (uint32_t)sheet, &out))
					goto bad;
			} else if (rels >= 0) {
				fix_rels(data.s ? data.s : "", data.len,
				    notes_of(&st, rels), fx->grids[rels].nrels, &out);
			} else if (!strcmp(name, "[Content_Types].xml")) {
				fix_types(data.s ? data.s : "", data.len, &st, &out);
			} else if (!strcmp(name, "xl/workbook.xml"))
				fix_workbook(data.s ? data.s : "", data.len, fx,
				    &out);
			else if (font)
				fix_styles(data.s ? data.s : "", data.len, font,
				    size, &out);
			else
				fp_buf_add(&out, data.s ? data.s : "", data.len);
			if (st.num && !strcmp(name, "xl/styles.xml")) {
				fp_buf_reset(&data);
				add_note_font(out.s, out.len, &data);
				fp_buf_reset(&out);
				fp_buf_add(&out, data.s, data.len);
			}
			if (put(zf, &out) || zipCloseFileInZip(zf) != ZIP_OK)
				goto bad;
		} else if (zipCloseFileInZipRaw64(zf, fi.uncompressed_size,
		    fi.crc) != ZIP_OK) {
			goto bad;
		}
		if (!strcmp(name, "xl/styles.xml"))
			st.rels_zone = 1;
		continue;
bad:
		r = UNZ_BADZIPFILE;
		break;
	}
	/* Whatever is still due goes last. */
	if (r == UNZ_END_OF_LIST_OF_FILE && st.num && ((!st.parts_done &&
	    add_parts(zf, &st, &zi)) || add_rels(zf, &st, fx->nsheets, &zi)))
		r = UNZ_BADZIPFILE;
	if (r != UNZ_END_OF_LIST_OF_FILE) {
		err = fp_diag(d, FP_EWRITE, "%s: cannot rewrite the workbook",
		    path);
		goto out;
	}
	if (zipClose(zf, NULL) != ZIP_OK) {
		zf = NULL;
		err = fp_diag(d, FP_EWRITE, "%s: %s", path, strerror(errno));
		goto out;
	}
	zf = NULL;
	if (rename(tmp, path) != 0)
		err = fp_diag(d, FP_EWRITE, "%s: %s", path, strerror(errno));
out:
	if (zf)
		zipClose(zf, NULL);
	if (uz)
		unzClose(uz);
	if (err)
		unlink(tmp);
	free(tmp);
	free(buf);
	free(st.num);
	fp_buf_release(&data);
	fp_buf_release(&out);
	return err;
}
