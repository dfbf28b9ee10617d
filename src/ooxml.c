/*
 * formpipe's reader for Office Open XML workbooks (.xlsx, .xlsm, .xltx;
 * transitional and strict), as Excel, WPS, LibreOffice, gnumeric,
 * openpyxl and libxlsxwriter write them.
 *
 * Opening follows the package's relationships, never guessing a part's
 * name: _rels/.rels gives the workbook part, its own relationships give
 * the sheets, the shared strings, the styles and the theme. The workbook
 * part gives the sheets' names, order and visibility and the date system;
 * styles give the cell formats' number formats (built-in and custom), so
 * dates are typed as the .xls reader types them. The shared strings are
 * kept in memory, their rich-text runs joined and phonetic runs left out;
 * a thread of their own parses them while the sheets are read, a cell
 * waiting only for the string it names.
 * Each sheet is then parsed on demand by fp_sheet_scan, streaming, as
 * zip.c inflates it: cells go to the callback as their </c> closes, with
 * their merged ranges and column widths gathered on the way. Elements
 * are matched by namespace URI and local name (xml.c), so any prefix and
 * strict OOXML's namespaces read alike. What the cells look like (fonts,
 * fills, borders, alignment, rows, page setup, window) is read on the way
 * by ooxml_looks.c, which these handlers feed: styles.xml's at open, after
 * the theme whose colours they name, a sheet's when fp_workbook_keep_looks
 * asked.
 */
#include "formats.h"
#include "ooxml_looks.h"
#include "xml.h"
#include "zip.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* Excel's grid. */
#define MAX_ROWS 1048576u
#define MAX_COLS 16384u

enum {
	NS_MAIN = 1,	/* spreadsheetml */
	NS_R,		/* relationship ids in the parts */
	NS_PKG,		/* package relationships (.rels) */
	NS_A,		/* DrawingML, the theme's */
};

static const struct fp_xml_ns nss[] = {
	{ "http://schemas.openxmlformats.org/spreadsheetml/2006/main", NS_MAIN },
	{ "http://purl.oclc.org/ooxml/spreadsheetml/main", NS_MAIN },
	{ "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
	    NS_R },
	{ "http://purl.oclc.org/ooxml/officeDocument/relationships", NS_R },
	{ "http://schemas.openxmlformats.org/package/2006/relationships",
	    NS_PKG },
	{ "http://schemas.openxmlformats.org/drawingml/2006/main", NS_A },
	{ "http://purl.oclc.org/ooxml/drawingml/main", NS_A },
};
#define NNS (sizeof nss / sizeof nss[0])

/* A relationship's type is one of these bases and a last segment. */
static const char *const rel_bases[] = {
	"http://schemas.openxmlformats.org/officeDocument/2006/relationships/",
	"http://purl.oclc.org/ooxml/officeDocument/relationships/",
};

struct rel {
	char *id;
	char *type;	/* the last segment: "worksheet", "styles", ... */
	char *target;	/* the part's name in the zip */
};

struct rels {
	struct rel *v;
	size_t n, cap;
	const char *base;	/* the folder targets are relative to */
	struct fp_xml *x;
};

/*
 * The shared strings, filled by their own thread (or, if none can be
 * made, before the sheets are read) and read by the sheets' scans. Strings
 * are published one by one, n counting them (an entry below n is whole); a string once published
 * never moves: its text is in blocks never reallocated, its entry in a
 * chunk of the index never reallocated either. A scan that needs a string
 * not yet published waits on mu and more.
 */
#define SST_CHUNK 65536u	/* entries in a chunk of the index */
#define SST_CHUNKS 32768u	/* chunks: 2^31 strings */
#define SST_BLOCK (1u << 20)	/* bytes of text in a block */

struct sstent {
	const char *s;
	uint32_t len;
};

struct sst {
	pthread_mutex_t mu;
	pthread_cond_t more;
	struct sstent *chunks[SST_CHUNKS];
	atomic_size_t n;	/* strings published */
	atomic_int waiting;	/* a scan waits for a string */
	atomic_size_t want;	/* and wakes when n reaches this */
	int done;		/* the parse has ended, how: */
	enum fp_err err;
	struct fp_diag diag;
	int cancel;		/* the workbook is being freed */
	pthread_t t;
	int threaded;
	struct fp_zip *z;	/* the parse's own reader of the zip */
	char *part;
	/* The thread's own: text blocks and the string being parsed. */
	char **blocks;
	size_t nblocks, used;
	struct fp_buf cur;
	int in_si, in_t, in_rph;
	struct fp_xml *x;
};

struct ooxml {
	struct fp_zip *z;
	char **parts;		/* each sheet's part */
	size_t nparts;
	struct sst *sst;	/* NULL: no shared strings */
};

/* A part name's folder, with its slash ("xl/" for "xl/workbook.xml"). */
static char *
folder(const char *part)
{
	const char *slash = strrchr(part, '/');

	return fp_xstrndup(part, slash ? (size_t)(slash - part) + 1 : 0);
}

/*
 * The part a relationship's target names: relative to base, or from the
 * package's root if it starts with a slash; "." and ".." resolved.
 */
static char *
resolve(const char *base, const char *target)
{
	struct fp_buf b = FP_BUF_INIT;
	char *out, *w, *seg, *save = NULL;
	size_t len;

	if (target[0] == '/')
		fp_buf_adds(&b, target + 1);
	else {
		fp_buf_adds(&b, base);
		fp_buf_adds(&b, target);
	}
	out = fp_buf_detach(&b);
	/* Resolve segment by segment, writing over the same string. */
	w = out;
	for (seg = strtok_r(out, "/", &save); seg;
	    seg = strtok_r(NULL, "/", &save)) {
		if (!strcmp(seg, "."))
			continue;
		if (!strcmp(seg, "..")) {
			while (w > out && w[-1] == '/')
				w--;
			while (w > out && w[-1] != '/')
				w--;
			continue;
		}
		len = strlen(seg);
		if (w != out && w[-1] != '/')
			*w++ = '/';
		memmove(w, seg, len);
		w += len;
	}
	*w = '\0';
	return out;
}

static const char *
rel_type_name(const char *type)
{
	size_t i, n;

	for (i = 0; i < sizeof rel_bases / sizeof rel_bases[0]; i++) {
		n = strlen(rel_bases[i]);
		if (!strncmp(type, rel_bases[i], n))
			return type + n;
	}
	return "";
}

static void
rels_start(void *ctx, int ns, const char *local, const char **attrs)
{
	struct rels *r = ctx;
	const char *id, *type, *target, *mode;

	if (ns != NS_PKG || strcmp(local, "Relationship"))
		return;
	id = fp_xml_attr(r->x, attrs, 0, "Id");
	type = fp_xml_attr(r->x, attrs, 0, "Type");
	target = fp_xml_attr(r->x, attrs, 0, "Target");
	mode = fp_xml_attr(r->x, attrs, 0, "TargetMode");
	if (!id || !type || !target || (mode && !strcmp(mode, "External")))
		return;
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 16;
		r->v = fp_xreallocarray(r->v, r->cap, sizeof *r->v);
	}
	r->v[r->n].id = fp_xstrdup(id);
	r->v[r->n].type = fp_xstrdup(rel_type_name(type));
	r->v[r->n].target = resolve(r->base, target);
	r->n++;
}

static void
rels_release(struct rels *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		free(r->v[i].id);
		free(r->v[i].type);
		free(r->v[i].target);
	}
	free(r->v);
	memset(r, 0, sizeof *r);
}

/*
 * Reads the relationships of part (NULL: the package's own, _rels/.rels)
 * into r. A part without relationships has none: FP_OK, r empty.
 */
static enum fp_err
read_rels(struct fp_zip *z, const char *part, struct rels *r,
    struct fp_diag *d)
{
	static const struct fp_xml_handlers h = { rels_start, NULL, NULL };
	char *base = part ? folder(part) : fp_xstrdup("");
	char *name;
	enum fp_err err = FP_OK;

	memset(r, 0, sizeof *r);
	if (part) {
		const char *slash = strrchr(part, '/');
		struct fp_buf b = FP_BUF_INIT;

		fp_buf_adds(&b, base);
		fp_buf_adds(&b, "_rels/");
		fp_buf_adds(&b, slash ? slash + 1 : part);
		fp_buf_adds(&b, ".rels");
		name = fp_buf_detach(&b);
	} else {
		name = fp_xstrdup("_rels/.rels");
	}
	r->base = base;
	if (fp_zip_has(z, name))
		err = fp_xml_parse_part(z, name, nss, NNS, &h, r, &r->x, d);
	r->base = NULL;
	free(name);
	free(base);
	return err;
}

static const struct rel *
rel_by_type(const struct rels *r, const char *type)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (!strcmp(r->v[i].type, type))
			return &r->v[i];
	return NULL;
}

static int
rel_cmp(const void *a, const void *b)
{
	return strcmp(((const struct rel *)a)->id, ((const struct rel *)b)->id);
}

/* The relationship with this id; r must have been sorted by rel_cmp. */
static const struct rel *
rel_by_id(const struct rels *r, const char *id)
{
	struct rel key;

	key.id = (char *)id;
	return r->n ? bsearch(&key, r->v, r->n, sizeof *r->v, rel_cmp) : NULL;
}

/*
 * Text as OOXML stores it, with the characters XML cannot hold written
 * _xHHHH_ (a CR is _x000D_, an underscore before such a pattern
 * _x005F_): decoded in place, UTF-16 pairs joined. Returns the new length.
 */
static size_t
unescape(char *s, size_t n)
{
	size_t r = 0, w = 0;
	uint32_t hi = 0;

	if (!memchr(s, '_', n))
		return n;
	while (r < n) {
		unsigned v = 0;
		size_t k;

		if (s[r] == '_' && r + 7 <= n && s[r + 1] == 'x' &&
		    s[r + 6] == '_') {
			for (k = 2; k < 6; k++) {
				char c = s[r + k];

				if (c >= '0' && c <= '9')
					v = v * 16 + (unsigned)(c - '0');
				else if (c >= 'a' && c <= 'f')
					v = v * 16 + (unsigned)(c - 'a' + 10);
				else if (c >= 'A' && c <= 'F')
					v = v * 16 + (unsigned)(c - 'A' + 10);
				else
					break;
			}
			if (k == 6) {
				struct fp_buf b = FP_BUF_INIT;
				uint32_t cp = v;

				r += 7;
				if (v >= 0xD800 && v <= 0xDBFF) {
					hi = v;
					continue;
				}
				if (v >= 0xDC00 && v <= 0xDFFF && hi)
					cp = 0x10000 + ((hi - 0xD800) << 10) +
					    (v - 0xDC00);
				else if (v >= 0xD800 && v <= 0xDFFF)
					cp = 0xFFFD;
				hi = 0;
				fp_utf8_put(&b, cp);
				memcpy(s + w, b.s, b.len);
				w += b.len;
				fp_buf_release(&b);
				continue;
			}
		}
		hi = 0;
		s[w++] = s[r++];
	}
	s[w] = '\0';
	return w;
}

/* The workbook part: date system and sheets. */
struct wbparse {
	struct fp_workbook *wb;
	struct ooxml *o;
	const char *part;
	const struct rels *rels;
	struct fp_xml *x;
	struct fp_diag *d;
	int in_sheets;
	int rooted;		/* the part's root element has been seen */
};

static void
wb_start(void *ctx, int ns, const char *local, const char **attrs)
{
	struct wbparse *p = ctx;
	const char *v, *name, *id, *state;
	const struct rel *rel;

	/* The package's main part pointing elsewhere (at its own .rels). */
	if (!p->rooted) {
		p->rooted = 1;
		if (ns != NS_MAIN || strcmp(local, "workbook")) {
			fp_diag(p->d, FP_ECORRUPT, "corrupt workbook (the "
			    "package's main part, %s, is not a workbook (<%s>))",
			    p->part, local);
			fp_xml_stop(p->x, FP_ECORRUPT);
			return;
		}
	}
	if (ns != NS_MAIN)
		return;
	if (!strcmp(local, "workbookPr")) {
		v = fp_xml_attr(p->x, attrs, 0, "date1904");
		p->wb->date1904 = v && (!strcmp(v, "1") || !strcmp(v, "true"));
		return;
	}
	if (strcmp(local, "sheet"))
		return;
	name = fp_xml_attr(p->x, attrs, 0, "name");
	id = fp_xml_attr(p->x, attrs, NS_R, "id");
	state = fp_xml_attr(p->x, attrs, 0, "state");
	if (!name)
		name = "";
	rel = id ? rel_by_id(p->rels, id) : NULL;
	if (!rel) {
		fp_diag(p->d, FP_ECORRUPT, "corrupt workbook (sheet \"%s\" "
		    "names no part the workbook's relationships give)", name);
		fp_xml_stop(p->x, FP_ECORRUPT);
		return;
	}
	/* Chart sheets and dialog sheets have no cells. */
	if (strcmp(rel->type, "worksheet"))
		return;
	if (!fp_zip_has(p->o->z, rel->target)) {
		fp_diag(p->d, FP_ECORRUPT, "corrupt workbook (sheet \"%s\" is "
		    "in %s, which the file does not have)", name, rel->target);
		fp_xml_stop(p->x, FP_ECORRUPT);
		return;
	}
	fp_wb_add_sheet(p->wb, name, state && (!strcmp(state, "hidden") ||
	    !strcmp(state, "veryHidden")));
	p->o->parts = fp_xreallocarray(p->o->parts, p->o->nparts + 1,
	    sizeof *p->o->parts);
	p->o->parts[p->o->nparts++] = fp_xstrdup(rel->target);
}

/*
 * Styles: custom number formats here; fonts, fills, borders and the cell
 * formats (each with its number format: wb's XF k is the file's k) in
 * ooxml_looks.c, as are the theme's colours, parsed first with the same
 * context. Only <numFmts> right under <styleSheet> gives the cells'
 * formats: a <numFmt> of a conditional format's style (<dxfs>, and
 * x14's in <extLst>) may reuse a cell format's id, and is not it.
 */
struct stparse {
	struct fp_workbook *wb;
	struct fp_xml *x;
	struct fp_oxstyles looks;
	unsigned depth;		/* elements open, <styleSheet> the first */
	int in_numfmts;		/* within styleSheet's own <numFmts> */
};

static void
st_start(void *ctx, int ns, const char *local, const char **attrs)
{
	struct stparse *p = ctx;
	const char *id, *code;

	p->depth++;
	if (ns != NS_MAIN)
		return;
	if (!strcmp(local, "numFmts")) {
		p->in_numfmts = p->depth == 2;
		return;
	}
	if (!strcmp(local, "numFmt")) {
		id = fp_xml_attr(p->x, attrs, 0, "numFmtId");
		code = fp_xml_attr(p->x, attrs, 0, "formatCode");
		if (p->in_numfmts && p->depth == 3 && id && code)
			fp_wb_set_format(p->wb, (uint32_t)strtoul(id, NULL, 10),
			    code);
		return;
	}
	fp_oxstyles_start(&p->looks, p->x, local, attrs);
}

static void
st_end(void *ctx, int ns, const char *local)
{
	struct stparse *p = ctx;

	p->depth--;
	if (ns != NS_MAIN)
		return;
	if (!strcmp(local, "numFmts"))
		p->in_numfmts = 0;
	else
		fp_oxstyles_end(&p->looks, local);
}

static void
th_start(void *ctx, int ns, const char *local, const char **attrs)
{
	struct stparse *p = ctx;

	if (ns == NS_A)
		fp_oxtheme_start(&p->looks, p->x, local, attrs);
}

static void
th_end(void *ctx, int ns, const char *local)
{
	struct stparse *p = ctx;

	if (ns == NS_A)
		fp_oxtheme_end(&p->looks, local);
}

/* Shared strings: each <si>'s text runs, without phonetic runs. */
static void
ss_start(void *ctx, int ns, const char *local, const char **attrs)
{
	struct sst *t = ctx;

	(void)attrs;
	if (ns != NS_MAIN)
		return;
	if (!strcmp(local, "si")) {
		t->in_si = 1;
		fp_buf_reset(&t->cur);
	} else if (!strcmp(local, "t")) {
		t->in_t = 1;
	} else if (!strcmp(local, "rPh")) {
		t->in_rph = 1;
	}
}

/* Copies the string just parsed where it will stay, and publishes it. */
static void
sst_publish(struct sst *t)
{
	size_t len = t->cur.len, k = t->n;
	char *dst;

	len = unescape(t->cur.s ? t->cur.s : (char *)"", len);
	if (!t->nblocks || t->used + len + 1 > SST_BLOCK) {
		size_t size = len + 1 > SST_BLOCK ? len + 1 : SST_BLOCK;

		t->blocks = fp_xreallocarray(t->blocks, t->nblocks + 1,
		    sizeof *t->blocks);
		t->blocks[t->nblocks++] = fp_xmalloc(size);
		t->used = 0;
	}
	dst = t->blocks[t->nblocks - 1] + t->used;
	if (len)
		memcpy(dst, t->cur.s, len);
	dst[len] = '\0';
	t->used += len + 1;
	if (k / SST_CHUNK >= SST_CHUNKS) {
		fp_diag(&t->diag, FP_ECORRUPT, "corrupt workbook (more than "
		    "2^31 shared strings)");
		fp_xml_stop(t->x, FP_ECORRUPT);
		return;
	}
	if (!t->chunks[k / SST_CHUNK])
		t->chunks[k / SST_CHUNK] = fp_xreallocarray(NULL, SST_CHUNK,
		    sizeof **t->chunks);
	t->chunks[k / SST_CHUNK][k % SST_CHUNK].s = dst;
	t->chunks[k / SST_CHUNK][k % SST_CHUNK].len = (uint32_t)len;
	/*
	 * Sequentially consistent, as the scan's store of waiting and load of
	 * n are: either it sees this string, or this sees it waiting.
	 */
	atomic_store(&t->n, k + 1);
	/* Whenever a scan waits, and every 4096 strings: news, and a stop. */
	if ((atomic_load(&t->waiting) && k + 1 >= atomic_load(&t->want)) ||
	    (k & 4095) == 0) {
		pthread_mutex_lock(&t->mu);
		pthread_cond_broadcast(&t->more);
		if (t->cancel)
			fp_xml_stop(t->x, FP_OK);
		pthread_mutex_unlock(&t->mu);
	}
}

static void
ss_end(void *ctx, int ns, const char *local)
{
	struct sst *t = ctx;

	if (ns != NS_MAIN)
		return;
	if (!strcmp(local, "t")) {
		t->in_t = 0;
	} else if (!strcmp(local, "rPh")) {
		t->in_rph = 0;
	} else if (!strcmp(local, "si") && t->in_si) {
		t->in_si = 0;
		sst_publish(t);
	}
}

static void
ss_text(void *ctx, const char *s, size_t len)
{
	struct sst *t = ctx;

	if (t->in_si && t->in_t && !t->in_rph)
		fp_buf_add(&t->cur, s, len);
}

/* Parses the shared strings; in their thread, or before the sheets. */
static void *
sst_parse(void *arg)
{
	static const struct fp_xml_handlers h = { ss_start, ss_end, ss_text };
	struct sst *t = arg;
	enum fp_err err;

	err = fp_xml_parse_part(t->z, t->part, nss, NNS, &h, t, &t->x,
	    &t->diag);
	fp_buf_release(&t->cur);
	pthread_mutex_lock(&t->mu);
	t->err = err;
	t->done = 1;
	pthread_cond_broadcast(&t->more);
	pthread_mutex_unlock(&t->mu);
	return NULL;
}

/* Starts parsing the shared strings in part, in a thread if one can be. */
static enum fp_err
sst_start(struct ooxml *o, const char *part, struct fp_diag *d)
{
	struct sst *t = fp_xcalloc(1, sizeof *t);
	enum fp_err err;

	pthread_mutex_init(&t->mu, NULL);
	pthread_cond_init(&t->more, NULL);
	fp_buf_init(&t->cur);
	t->part = fp_xstrdup(part);
	o->sst = t;
	err = fp_zip_clone(o->z, &t->z, d);
	if (err) {
		t->done = 1;
		return err;
	}
	t->threaded = pthread_create(&t->t, NULL, sst_parse, t) == 0;
	if (!t->threaded)
		sst_parse(t);
	return FP_OK;
}

/*
 * Shared string k, waiting for its thread to get that far. Returns 0 if
 * there is no string k: the parse ended before it (with t->err if it
 * failed).
 */
static int
sst_get(struct sst *t, size_t k, const char **s, uint32_t *len)
{
	if (k >= atomic_load_explicit(&t->n, memory_order_acquire)) {
		pthread_mutex_lock(&t->mu);
		/*
		 * Woken 1024 strings on, not at each: a scan that has caught
		 * up would otherwise sleep and wake for every string.
		 */
		atomic_store(&t->want, k + 1024);
		atomic_store(&t->waiting, 1);
		while (k >= atomic_load(&t->n) && !t->done)
			pthread_cond_wait(&t->more, &t->mu);
		atomic_store(&t->waiting, 0);
		pthread_mutex_unlock(&t->mu);
		if (k >= atomic_load(&t->n))
			return 0;
	}
	*s = t->chunks[k / SST_CHUNK][k % SST_CHUNK].s;
	*len = t->chunks[k / SST_CHUNK][k % SST_CHUNK].len;
	return 1;
}

/*
 * How many shared strings there are, waiting for their parse to end; it
 * has then ended, and t->err says how.
 */
static size_t
sst_total(struct sst *t)
{
	pthread_mutex_lock(&t->mu);
	while (!t->done)
		pthread_cond_wait(&t->more, &t->mu);
	pthread_mutex_unlock(&t->mu);
	return atomic_load(&t->n);
}

static void
sst_free(struct sst *t)
{
	size_t i;

	if (!t)
		return;
	if (t->threaded) {
		pthread_mutex_lock(&t->mu);
		t->cancel = 1;
		pthread_mutex_unlock(&t->mu);
		pthread_join(t->t, NULL);
	}
	fp_zip_free(t->z);
	for (i = 0; i < SST_CHUNKS && t->chunks[i]; i++)
		free(t->chunks[i]);
	for (i = 0; i < t->nblocks; i++)
		free(t->blocks[i]);
	free(t->blocks);
	fp_buf_release(&t->cur);
	free(t->part);
	pthread_cond_destroy(&t->more);
	pthread_mutex_destroy(&t->mu);
	free(t);
}

/*
 * Parses an A1 reference ("B5", "XFD1048576") into a 0-based row and
 * column. Returns 1 if it is one within Excel's grid, 0 if not; *beyond
 * is set for a well-formed reference past the grid.
 */
static int
parse_ref(const char *s, uint32_t *row, uint32_t *col, int *beyond)
{
	uint64_t c = 0, r = 0;
	const char *p = s;

	*beyond = 0;
	while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z')) {
		c = c * 26 + (uint64_t)((*p | 0x20) - 'a' + 1);
		if (c > MAX_COLS * 27ULL)
			c = MAX_COLS * 27ULL;
		p++;
	}
	if (p == s || !(*p >= '1' && *p <= '9'))
		return 0;
	while (*p >= '0' && *p <= '9') {
		r = r * 10 + (uint64_t)(*p - '0');
		if (r > MAX_ROWS * 10ULL)
			r = MAX_ROWS * 10ULL;
		p++;
	}
	if (*p)
		return 0;
	if (c > MAX_COLS || r > MAX_ROWS) {
		*beyond = 1;
		return 0;
	}
	*row = (uint32_t)(r - 1);
	*col = (uint32_t)(c - 1);
	return 1;
}

/* "A1:B2" (or "A1") into a range; 0 if it is none. */
static int
parse_range(const char *s, uint32_t *r1, uint32_t *c1, uint32_t *r2,
    uint32_t *c2)
{
	char a[32];
	const char *colon = strchr(s, ':');
	size_t n = colon ? (size_t)(colon - s) : strlen(s);
	int beyond;

	if (n == 0 || n >= sizeof a)
		return 0;
	memcpy(a, s, n);
	a[n] = '\0';
	if (!parse_ref(a, r1, c1, &beyond))
		return 0;
	if (!colon) {
		*r2 = *r1;
		*c2 = *c1;
		return 1;
	}
	return parse_ref(colon + 1, r2, c2, &beyond);
}

/*
 * An ISO 8601 date, date and time, or time ("2014-02-19",
 * "2014-02-19T14:30:00Z", "14:30:00") as a serial of the 1900 system.
 * Returns 0 if it is none; *has_date and *has_time say what it had.
 */
static int
iso_serial(const char *s, double *out, int *has_date, int *has_time)
{
	int y = 0, mo = 0, d = 0, h = 0, mi = 0, n = 0;
	double se = 0;
	const char *t = s;

	*has_date = *has_time = 0;
	if (sscanf(s, "%d-%d-%d%n", &y, &mo, &d, &n) == 3 && n >= 8) {
		int64_t cy;
		unsigned cm, cd;

		if (mo < 1 || mo > 12 || d < 1 || d > 31 || y < 0 || y > 9999)
			return 0;
		/* A day the month has: 2022-02-30 is none. */
		fp_civil_from_days(fp_days_from_civil(y, (unsigned)mo,
		    (unsigned)d), &cy, &cm, &cd);
		if (cd != (unsigned)d)
			return 0;
		*has_date = 1;
		t = s + n;
		if (*t == 'T' || *t == ' ')
			t++;
		else
			t = NULL;
	}
	if (t && *t) {
		n = 0;
		if (sscanf(t, "%d:%d:%lf%n", &h, &mi, &se, &n) < 2)
			return 0;
		if (h < 0 || h > 24 || mi < 0 || mi > 59 || !(se >= 0) ||
		    se >= 61)
			return 0;
		*has_time = h || mi || se > 0;
	}
	if (!*has_date && !t)
		return 0;
	*out = (*has_date ? fp_serial_from_civil(y, (unsigned)mo, (unsigned)d,
	    0) : 0) + (h * 3600.0 + mi * 60.0 + se) / 86400.0;
	if (!*has_date && *out >= 1)
		*out -= floor(*out);
	return 1;
}

/* A sheet being scanned. */
struct shparse {
	struct fp_workbook *wb;
	struct ooxml *o;
	struct fp_sheet *sh;
	const char *part;
	struct fp_xml *x;
	struct fp_diag *d;
	fp_cell_fn fn;
	void *ctx;
	int stop;
	int rooted;		/* the part's root element has been seen */
	uint32_t row, nextcol;	/* the row in hand, its next column */
	int rows_seen;
	uint32_t crow, ccol, cxf;
	char ctype;		/* 'n', 's', 'b', 'e', 'd', 'S' (str), 'i' */
	int in_c, in_v, in_is, in_t, in_rph, have_v, have_f;
	struct fp_buf v;
	size_t unsaved;		/* formulas with no saved value */
	int looks;		/* gather the sheet's looks, in lk */
	struct fp_oxsheet lk;
	int filtered;		/* <sheetPr filterMode="1">, or a filterColumn */
	uint32_t af1, af2;	/* the rows of its <autoFilter>, if any */
	int in_af;
};

/* Stops the scan with a message about the cell in hand. */
static void
cell_error(struct shparse *p, const char *what)
{
	char col[8];

	fp_colname(p->ccol, col);
	fp_diag(p->d, FP_ECORRUPT, "corrupt workbook (cell %s!%s%u in %s %s)",
	    p->sh->name, col, p->crow + 1, p->part, what);
	fp_xml_stop(p->x, FP_ECORRUPT);
}

/*
 * Stops the scan at an element ("a cell") whose own attribute is bad
 * ("reference": r="C0"), named with its line and the text: the cell in
 * hand, which cell_error names, is the one before.
 */
static void
bad_attr(struct shparse *p, const char *elem, const char *what,
    const char *text)
{
	size_t n = strlen(text);

	fp_diag(p->d, FP_ECORRUPT, "corrupt workbook (%s of sheet \"%s\" in "
	    "%s at line %lu has a bad %s, \"%.*s%s\")", elem, p->sh->name,
	    p->part, fp_xml_line(p->x), what, (int)(n < 24 ? n : 24), text,
	    n > 24 ? "..." : "");
	fp_xml_stop(p->x, FP_ECORRUPT);
}

static void
beyond_grid(struct shparse *p, const char *ref)
{
	fp_diag(p->d, FP_ECORRUPT, "corrupt workbook (a cell of sheet \"%s\" "
	    "in %s at line %lu, %s, lies beyond Excel's grid of 1,048,576 "
	    "rows and 16,384 columns)", p->sh->name, p->part, fp_xml_line(p->x),
	    ref);
	fp_xml_stop(p->x, FP_ECORRUPT);
}

static void
sh_start(void *ctx, int ns, const char *local, const char **attrs)
{
	struct shparse *p = ctx;
	const char *v;

	/*
	 * A worksheet's relationship pointing at another part (the shared
	 * strings, the styles, the workbook) would read as a sheet of no
	 * cells.
	 */
	if (!p->rooted) {
		p->rooted = 1;
		if (ns != NS_MAIN || strcmp(local, "worksheet")) {
			fp_diag(p->d, FP_ECORRUPT, "corrupt workbook (sheet "
			    "\"%s\": %s is not a worksheet (<%s>))",
			    p->sh->name, p->part, local);
			fp_xml_stop(p->x, FP_ECORRUPT);
			return;
		}
	}
	if (ns != NS_MAIN)
		return;
	if (p->looks)
		fp_oxsheet_start(&p->lk, p->x, local, attrs);
	switch (local[0]) {
	case 'a':
		if (!strcmp(local, "autoFilter")) {
			uint32_t c1, c2;

			v = fp_xml_attr(p->x, attrs, 0, "ref");
			p->in_af = v && parse_range(v, &p->af1, &c1, &p->af2,
			    &c2) && p->af2 >= p->af1;
		}
		break;
	case 's':
		if (!strcmp(local, "sheetPr")) {
			v = fp_xml_attr(p->x, attrs, 0, "filterMode");
			p->filtered |= v && (!strcmp(v, "1") ||
			    !strcmp(v, "true"));
		}
		break;
	case 'c':
		if (local[1] == '\0') {
			const char *ref = NULL, *st = NULL, *ty = NULL, **a;
			uint32_t r, c;
			int beyond;

			/* r, s and t, plain names: read without fp_xml_attr. */
			for (a = attrs; *a; a += 2) {
				if (a[0][0] == '\0' || a[0][1] != '\0')
					continue;
				if (a[0][0] == 'r')
					ref = a[1];
				else if (a[0][0] == 's')
					st = a[1];
				else if (a[0][0] == 't')
					ty = a[1];
			}
			v = ref;
			if (v) {
				if (!parse_ref(v, &r, &c, &beyond)) {
					if (beyond)
						beyond_grid(p, v);
					else
						bad_attr(p, "a cell",
						    "reference", v);
					return;
				}
				/* A cell names its row; trust it over <row>. */
				p->crow = r;
				p->ccol = c;
			} else {
				if (p->nextcol >= MAX_COLS) {
					beyond_grid(p, "past column XFD");
					return;
				}
				p->crow = p->row;
				p->ccol = p->nextcol;
			}
			p->nextcol = p->ccol + 1;
			p->cxf = st ? (uint32_t)strtoul(st, NULL, 10) : 0;
			/* Its look, value or none: an empty cell has one too. */
			if (p->looks && st) {
				long xf = fp_oxlooks_xf(st, p->wb->nxfs);

				if (xf >= 0)
					fp_sheet_add_cellxf(p->sh, p->crow,
					    (uint16_t)p->ccol, (uint16_t)xf);
			}
			v = ty;
			p->ctype = !v ? 'n' : !strcmp(v, "str") ? 'S' :
			    !strcmp(v, "inlineStr") ? 'i' : v[0];
			p->in_c = 1;
			p->have_v = p->have_f = 0;
			fp_buf_reset(&p->v);
		} else if (!strcmp(local, "col")) {
			const char *mn = fp_xml_attr(p->x, attrs, 0, "min");
			const char *mx = fp_xml_attr(p->x, attrs, 0, "max");
			const char *w = fp_xml_attr(p->x, attrs, 0, "width");
			const char *h = fp_xml_attr(p->x, attrs, 0, "hidden");
			unsigned long a = mn ? strtoul(mn, NULL, 10) : 0;
			unsigned long b = mx ? strtoul(mx, NULL, 10) : a;

			if (a >= 1 && a <= MAX_COLS && b >= a) {
				if (b > MAX_COLS)
					b = MAX_COLS;
				fp_sheet_add_width(p->sh, (uint16_t)(a - 1),
				    (uint16_t)(b - 1), w ? strtod(w, NULL) : 0,
				    h && (!strcmp(h, "1") || !strcmp(h, "true")));
				if (p->looks) {
					long xf = fp_oxlooks_xf(fp_xml_attr(p->x,
					    attrs, 0, "style"), p->wb->nxfs);

					if (xf >= 0)
						p->sh->widths[p->sh->nwidths -
						    1].xf = (uint16_t)xf;
				}
			}
		}
		break;
	case 'v':
		if (p->in_c && local[1] == '\0') {
			p->in_v = 1;
			p->have_v = 1;
			fp_buf_reset(&p->v);
		}
		break;
	case 'f':
		if (p->in_c && local[1] == '\0')
			p->have_f = 1;
		else if (p->in_af && !strcmp(local, "filterColumn"))
			p->filtered = 1;
		break;
	case 'i':
		if (p->in_c && !strcmp(local, "is")) {
			p->in_is = 1;
			fp_buf_reset(&p->v);
		}
		break;
	case 't':
		if (p->in_is && local[1] == '\0')
			p->in_t = 1;
		break;
	case 'r':
		if (!strcmp(local, "row")) {
			uint32_t r = p->rows_seen ? p->row + 1 : 0;

			v = fp_xml_attr(p->x, attrs, 0, "r");
			if (v) {
				char *end;
				unsigned long k;

				errno = 0;
				k = strtoul(v, &end, 10);
				if (k == 0 || *end || errno) {
					bad_attr(p, "a row", "number", v);
					return;
				}
				if (k > MAX_ROWS) {
					beyond_grid(p, v);
					return;
				}
				r = (uint32_t)(k - 1);
			} else if (r >= MAX_ROWS) {
				beyond_grid(p, "past row 1048576");
				return;
			}
			p->row = r;
			p->rows_seen = 1;
			p->nextcol = 0;
			v = fp_xml_attr(p->x, attrs, 0, "hidden");
			if (v && (!strcmp(v, "1") || !strcmp(v, "true")))
				fp_sheet_hide_rows(p->sh, r, r);
			if (p->looks)
				fp_oxsheet_row(&p->lk, p->x, r, attrs,
				    p->wb->nxfs);
		} else if (p->in_is && !strcmp(local, "rPh")) {
			p->in_rph = 1;
		}
		break;
	case 'd':
		if (!strcmp(local, "dimension")) {
			uint32_t r1, c1, r2, c2;

			v = fp_xml_attr(p->x, attrs, 0, "ref");
			if (v && parse_range(v, &r1, &c1, &r2, &c2) && c2 >= c1)
				p->sh->dimcols = c2 + 1;
		}
		break;
	case 'm':
		if (!strcmp(local, "mergeCell")) {
			uint32_t r1, c1, r2, c2;

			v = fp_xml_attr(p->x, attrs, 0, "ref");
			if (v && parse_range(v, &r1, &c1, &r2, &c2))
				fp_sheet_add_merge(p->sh, r1, r2, (uint16_t)c1,
				    (uint16_t)c2);
		}
		break;
	default:
		break;
	}
}

static int
xml_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * The cell's <v> without the white space an indented sheet puts around
 * it (<v> 1 </v>), as Excel, LibreOffice and openpyxl read a number, a
 * boolean, an error, a date or a shared string's index: cut in place,
 * its length in *len. A formula's text result (t="str") and an inline
 * string are text, whose spaces are the cell's, and are not given here.
 */
static char *
trimmed_value(struct fp_buf *v, size_t *len)
{
	char *s = v->s ? v->s : (char *)"";
	size_t n = v->len;

	while (n && xml_space(s[n - 1]))
		n--;
	s[n] = '\0';
	while (n && xml_space(*s)) {
		s++;
		n--;
	}
	*len = n;
	return s;
}

/* The cell whose </c> just closed, to the callback if it has a value. */
static void
end_cell(struct shparse *p)
{
	struct ooxml *o = p->o;
	struct fp_cell c;
	char *end, *s = NULL;
	size_t n = 0;
	uint32_t fmt = p->cxf < p->wb->nxfs ? p->wb->xfs[p->cxf].fmt : 0;

	memset(&c, 0, sizeof c);
	c.row = p->crow;
	c.col = (uint16_t)p->ccol;
	c.formula = (uint8_t)p->have_f;
	c.fmt = fmt;
	if (p->ctype == 'S') {
		s = p->v.s ? p->v.s : (char *)"";
		n = p->v.len;
	} else if (p->ctype != 'i') {
		s = trimmed_value(&p->v, &n);
	}
	if (p->ctype == 'i') {
		c.type = FP_CELL_TEXT;
		c.len = (uint32_t)unescape(p->v.s ? p->v.s : (char *)"",
		    p->v.len);
		c.v.text = p->v.s ? p->v.s : "";
	} else if (!p->have_v || (!n && p->ctype != 'S')) {
		/*
		 * A formatted empty cell, or a formula with no result. An
		 * empty <v> that is no string result is a formula never
		 * calculated (openpyxl writes them); no <v> at all is also
		 * how gnumeric writes a result of "", so it is not counted.
		 */
		p->unsaved += p->have_f && p->have_v;
		return;
	} else {
		switch (p->ctype) {
		case 's': {
			unsigned long k;
			const char *text = NULL;
			uint32_t len = 0;

			errno = 0;
			k = strtoul(s, &end, 10);
			if (end == s || *end || errno || !o->sst ||
			    !sst_get(o->sst, k, &text, &len)) {
				char what[96];
				size_t total = o->sst ? sst_total(o->sst) : 0;

				if (o->sst && o->sst->err) {
					fp_diag(p->d, o->sst->err, "%s",
					    o->sst->diag.msg);
					fp_xml_stop(p->x, o->sst->err);
					return;
				}
				snprintf(what, sizeof what, "refers to shared "
				    "string %.20s of %zu", s, total);
				cell_error(p, what);
				return;
			}
			c.type = FP_CELL_TEXT;
			c.v.text = text;
			c.len = len;
			break;
		}
		case 'S':
			c.type = FP_CELL_TEXT;
			c.len = (uint32_t)unescape(s, n);
			c.v.text = s;
			break;
		case 'b':
			c.type = FP_CELL_BOOL;
			c.v.num = !strcmp(s, "1") || !strcmp(s, "true");
			break;
		case 'e':
			/*
			 * Its text, Excel's own or one of a later version
			 * (#SPILL!, #CALC!), as openpyxl reads it; what is no
			 * error's text is none Excel has.
			 */
			if (fp_error_is_text(s)) {
				c.type = FP_CELL_ERROR;
				c.v.text = s;
				c.len = (uint32_t)n;
			} else {
				fp_cell_set_error(&c, 0xFF);
			}
			break;
		case 'd': {
			int hd, ht;
			double x;
			enum fp_fmt_class cls = fp_wb_format_class(p->wb, fmt);

			if (!iso_serial(s, &x, &hd, &ht)) {
				c.type = FP_CELL_TEXT;
				c.v.text = s;
				c.len = (uint32_t)n;
				break;
			}
			if (p->wb->date1904 && hd)
				x -= 1462;
			if (cls == FP_FMT_NUMBER)
				cls = !hd ? FP_FMT_TIME : ht ? FP_FMT_DATETIME :
				    FP_FMT_DATE;
			c.v.num = x;
			c.type = (uint8_t)fp_date_type(cls, x,
			    p->wb->date1904);
			break;
		}
		default: {
			double x;
			int num = fp_parse_value(s, &x);

			if (num < 0 && !isfinite(x)) {
				/* NaN, INF (LibreOffice's of an .xls), 1e999. */
				fp_cell_set_error(&c, FP_ERROR_NUM);
				break;
			}
			if (num < 0) {
				/* 0x10, 0x1p3: no spreadsheet writes one. */
				char what[96];

				snprintf(what, sizeof what, "holds \"%.*s\", not a "
				    "decimal number", (int)(n < 24 ? n : 24), s);
				cell_error(p, what);
				return;
			}
			if (!num) {
				/* Not a number after all: keep the text. */
				c.type = FP_CELL_TEXT;
				c.v.text = s;
				c.len = (uint32_t)n;
				break;
			}
			c.v.num = x;
			c.type = (uint8_t)fp_date_type(
			    fp_wb_format_class(p->wb, fmt), x,
			    p->wb->date1904);
			break;
		}
		}
	}
	if (c.type == FP_CELL_TEXT && (c.len == 0 ||
	    fp_sheet_add_text(p->wb, p->sh, c.len))) {
		if (c.len) {
			fp_sheet_too_much_text(p->sh, c.row, c.col, p->d);
			fp_xml_stop(p->x, FP_ECORRUPT);
		}
		return;
	}
	p->stop = p->fn(p->ctx, &c);
	if (p->stop)
		fp_xml_stop(p->x, FP_OK);
}

static void
sh_end(void *ctx, int ns, const char *local)
{
	struct shparse *p = ctx;

	if (ns != NS_MAIN)
		return;
	if (p->looks)
		fp_oxsheet_end(&p->lk, local);
	switch (local[0]) {
	case 'a':
		/* The rows a filter hides under its header are shown. */
		if (p->in_af && !strcmp(local, "autoFilter")) {
			p->in_af = 0;
			if (p->filtered)
				fp_sheet_show_rows(p->sh, p->af1 + 1, p->af2);
		}
		break;
	case 'c':
		if (local[1] == '\0' && p->in_c) {
			p->in_c = 0;
			end_cell(p);
			p->in_is = p->in_t = p->in_v = p->in_rph = 0;
		}
		break;
	case 'v':
		if (local[1] == '\0')
			p->in_v = 0;
		break;
	case 't':
		if (local[1] == '\0')
			p->in_t = 0;
		break;
	case 'i':
		if (!strcmp(local, "is"))
			p->in_is = 0;
		break;
	case 'r':
		if (!strcmp(local, "rPh"))
			p->in_rph = 0;
		break;
	default:
		break;
	}
}

static void
sh_text(void *ctx, const char *s, size_t len)
{
	struct shparse *p = ctx;

	if (p->in_v || (p->in_t && !p->in_rph))
		fp_buf_add(&p->v, s, len);
	else if (p->looks)
		fp_oxsheet_text(&p->lk, s, len);
}

static enum fp_err
ooxml_scan(struct fp_workbook *wb, size_t i, fp_cell_fn fn, void *ctx,
    int *stopped, struct fp_diag *d)
{
	static const struct fp_xml_handlers h = { sh_start, sh_end, sh_text };
	struct ooxml *o = wb->priv;
	struct shparse p;
	enum fp_err err;

	memset(&p, 0, sizeof p);
	p.wb = wb;
	p.o = o;
	p.sh = &wb->sheets[i];
	p.part = o->parts[i];
	p.d = d;
	p.fn = fn;
	p.ctx = ctx;
	fp_buf_init(&p.v);
	p.looks = wb->keep_looks;
	fp_oxsheet_init(&p.lk, p.sh);
	err = fp_xml_parse_part(o->z, o->parts[i], nss, NNS, &h, &p, &p.x, d);
	fp_oxsheet_finish(&p.lk);
	p.sh->unsaved = p.unsaved;
	fp_buf_release(&p.v);
	if (stopped)
		*stopped = p.stop;
	return err;
}

static void
ooxml_free(struct fp_workbook *wb)
{
	struct ooxml *o = wb->priv;
	size_t i;

	if (!o)
		return;
	sst_free(o->sst);	/* first: its reader borrows from o->z */
	fp_zip_free(o->z);
	for (i = 0; i < o->nparts; i++)
		free(o->parts[i]);
	free(o->parts);
	free(o);
	wb->priv = NULL;
}

static const struct fp_backend ooxml_backend = {
	"ooxml", ooxml_scan, ooxml_free,
};

/* What a package whose main part is no spreadsheet is, for the message. */
static enum fp_err
not_a_spreadsheet(struct fp_zip *z, const char *main, struct fp_diag *d)
{
	size_t n = main ? strlen(main) : 0;

	if (n > 4 && !strcmp(main + n - 4, ".bin"))
		return fp_diag(d, FP_EFORMAT, "an Excel binary workbook "
		    "(.xlsb), which formpipe cannot read (save it as .xlsx or "
		    ".xls)");
	if (fp_zip_has(z, "word/document.xml"))
		return fp_diag(d, FP_EFORMAT, "not a workbook (a Word "
		    "document, .docx)");
	if (fp_zip_has(z, "ppt/presentation.xml"))
		return fp_diag(d, FP_EFORMAT, "not a workbook (a PowerPoint "
		    "presentation, .pptx)");
	return fp_diag(d, FP_EFORMAT, "a zip file that is not a workbook (an "
	    "Office Open XML package without a workbook part)");
}

/*
 * 1 if the package's core properties (docProps/core.xml, where Excel,
 * LibreOffice and libxlsxwriter put them) carry the keywords of a
 * summary formpipe merge wrote. Properties that cannot be read say no.
 */
static int
merge_wrote(struct fp_zip *z)
{
	struct fp_diag d;
	char *xml = NULL;
	size_t n;
	int yes;

	if (!fp_zip_has(z, "docProps/core.xml") ||
	    fp_zip_read_all(z, "docProps/core.xml", 1 << 16, &xml, &n, &d))
		return 0;
	yes = strstr(xml, FP_SUMMARY_KEYWORDS) != NULL;
	free(xml);
	return yes;
}

enum fp_err
fp_ooxml_open(struct fp_workbook *wb, struct fp_zip *z, struct fp_diag *d)
{
	static const struct fp_xml_handlers wbh = { wb_start, NULL, NULL };
	static const struct fp_xml_handlers sth = { st_start, st_end, NULL };
	static const struct fp_xml_handlers thh = { th_start, th_end, NULL };
	struct ooxml *o;
	struct rels pkg, book;
	const struct rel *main, *rel;
	char *wbpart = NULL;
	enum fp_err err;

	memset(&book, 0, sizeof book);
	o = fp_xcalloc(1, sizeof *o);
	o->z = z;
	wb->be = &ooxml_backend;
	wb->priv = o;
	err = read_rels(z, NULL, &pkg, d);
	if (err)
		goto out;
	main = rel_by_type(&pkg, "officeDocument");
	if (main)
		wbpart = fp_xstrdup(main->target);
	else if (!pkg.n && fp_zip_has(z, "xl/workbook.xml"))
		wbpart = fp_xstrdup("xl/workbook.xml");	/* no .rels at all */
	if (!wbpart || !fp_zip_has(z, wbpart) ||
	    (strlen(wbpart) > 4 && !strcmp(wbpart + strlen(wbpart) - 4,
	    ".bin"))) {
		err = not_a_spreadsheet(z, wbpart, d);
		goto out;
	}
	snprintf(wb->kind, sizeof wb->kind, "OOXML");
	wb->summary = merge_wrote(z);
	err = read_rels(z, wbpart, &book, d);
	if (err)
		goto out;
	if (book.n)
		qsort(book.v, book.n, sizeof *book.v, rel_cmp);
	rel = rel_by_type(&book, "sharedStrings");
	if (rel && fp_zip_has(z, rel->target)) {
		err = sst_start(o, rel->target, d);
		if (err)
			goto out;
	}
	rel = rel_by_type(&book, "styles");
	if (rel && fp_zip_has(z, rel->target)) {
		const struct rel *theme = rel_by_type(&book, "theme");
		struct stparse sp;

		memset(&sp, 0, sizeof sp);
		sp.wb = wb;
		fp_oxstyles_init(&sp.looks, wb);
		/*
		 * The theme first: styles.xml names its colours. A theme
		 * that cannot be read costs its colours, not the workbook:
		 * they come out automatic, as with no theme.
		 */
		if (theme && fp_zip_has(z, theme->target) &&
		    fp_xml_parse_part(z, theme->target, nss, NNS, &thh, &sp,
		    &sp.x, d) != FP_OK) {
			fp_oxtheme_forget(&sp.looks);
			d->msg[0] = '\0';
		}
		err = fp_xml_parse_part(z, rel->target, nss, NNS, &sth, &sp,
		    &sp.x, d);
		fp_oxstyles_release(&sp.looks);
		if (err)
			goto out;
	}
	{
		struct wbparse wp;

		memset(&wp, 0, sizeof wp);
		wp.wb = wb;
		wp.o = o;
		wp.part = wbpart;
		wp.rels = &book;
		wp.d = d;
		err = fp_xml_parse_part(z, wbpart, nss, NNS, &wbh, &wp, &wp.x,
		    d);
	}
out:
	rels_release(&pkg);
	rels_release(&book);
	free(wbpart);
	return err;
}
