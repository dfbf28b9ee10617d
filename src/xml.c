/*
 * XML parts over expat: an expat parser is fed each piece of a part as
 * zip.c inflates it, and its element and attribute names are turned into
 * the reader's namespace numbers and local names through the xmlns
 * bindings in scope. This file owns the parser, the bindings and the
 * refusal of DTDs, entity declarations and elements nested deeper than
 * MAX_DEPTH; what the elements mean is the readers' (ooxml.c, ods.c).
 */
#include "xml.h"

#include <stdlib.h>
#include <string.h>

#include <expat.h>

/*
 * Elements open at once, at most. Workbook parts nest a dozen deep; each
 * open element costs expat some 150 bytes, so nine million of them in a
 * 63 KB zip would take 1.4 GB.
 */
#define MAX_DEPTH 1000u

/* A prefix bound to a namespace by an xmlns attribute, while in scope. */
struct binding {
	char *prefix;		/* "" for the default namespace */
	size_t len;
	int id;			/* the reader's number for the URI, 0 if none */
	unsigned depth;		/* of the element that declared it */
};

struct fp_xml {
	XML_Parser p;
	const struct fp_xml_ns *nss;
	size_t nns;
	const struct fp_xml_handlers *h;
	void *ctx;
	const char *part;
	struct fp_diag *d;
	enum fp_err err;	/* what stopped the parse */
	int stopped;
	struct binding *b;	/* the bindings in scope, innermost last */
	size_t nb, capb;
	unsigned depth;		/* elements open */
	/* The prefix resolved last, while no binding comes or goes. */
	int cached;
	char cache[16];
	size_t cachelen;
	int cacheid;
};

/*
 * Namespaces are resolved here, not by expat: the parser runs without
 * namespace processing, and the xmlns attributes it reports are kept as
 * a stack of bindings. That spares expat building "URI local" names for
 * every element, and this file comparing them: the prefix of nearly
 * every element is the one before's, a few bytes long.
 */
static void
bind(struct fp_xml *x, const char *prefix, const char *uri)
{
	struct binding *b;
	size_t i;

	if (x->nb == x->capb) {
		x->capb = x->capb ? x->capb * 2 : 16;
		x->b = fp_xreallocarray(x->b, x->capb, sizeof *x->b);
	}
	b = &x->b[x->nb++];
	b->prefix = fp_xstrdup(prefix);
	b->len = strlen(prefix);
	b->depth = x->depth;
	b->id = 0;
	for (i = 0; i < x->nns; i++)
		if (!strcmp(x->nss[i].uri, uri)) {
			b->id = x->nss[i].id;
			break;
		}
	x->cached = 0;
}

/* Forgets the bindings the element now closing declared. */
static void
unbind(struct fp_xml *x)
{
	while (x->nb && x->b[x->nb - 1].depth == x->depth) {
		free(x->b[--x->nb].prefix);
		x->cached = 0;
	}
}

/* The number of the namespace the n-byte prefix is bound to, or 0. */
static int
resolve(struct fp_xml *x, const char *prefix, size_t n)
{
	size_t i;
	int id = 0;

	if (x->cached && n == x->cachelen && !memcmp(prefix, x->cache, n))
		return x->cacheid;
	for (i = x->nb; i-- > 0;) {
		if (x->b[i].len == n && !memcmp(x->b[i].prefix, prefix, n)) {
			id = x->b[i].id;
			break;
		}
	}
	if (n < sizeof x->cache) {
		memcpy(x->cache, prefix, n);
		x->cachelen = n;
		x->cacheid = id;
		x->cached = 1;
	}
	return id;
}

/* Splits "prefix:local" (or "local") into a namespace number and local. */
static const char *
split(struct fp_xml *x, const char *name, int *ns)
{
	const char *colon = strchr(name, ':');

	if (!colon) {
		*ns = resolve(x, "", 0);
		return name;
	}
	*ns = resolve(x, name, (size_t)(colon - name));
	return colon + 1;
}

static void XMLCALL
on_start(void *ud, const XML_Char *name, const XML_Char **attrs)
{
	struct fp_xml *x = ud;
	const char **a;
	const char *local;
	int ns;

	x->depth++;
	if (x->depth > MAX_DEPTH) {
		if (!x->stopped) {
			fp_diag(x->d, FP_ECORRUPT, "malformed XML in %s at line "
			    "%lu: elements nested more than %u deep", x->part,
			    fp_xml_line(x), MAX_DEPTH);
			fp_xml_stop(x, FP_ECORRUPT);
		}
		return;
	}
	for (a = attrs; *a; a += 2)
		if (a[0][0] == 'x' && !strncmp(a[0], "xmlns", 5) &&
		    (a[0][5] == '\0' || a[0][5] == ':'))
			bind(x, a[0][5] ? a[0] + 6 : "", a[1]);
	if (x->stopped || !x->h->start)
		return;
	local = split(x, name, &ns);
	x->h->start(x->ctx, ns, local, attrs);
}

static void XMLCALL
on_end(void *ud, const XML_Char *name)
{
	struct fp_xml *x = ud;
	const char *local;
	int ns;

	if (!x->stopped && x->h->end) {
		local = split(x, name, &ns);
		x->h->end(x->ctx, ns, local);
	}
	unbind(x);
	x->depth--;
}

static void XMLCALL
on_text(void *ud, const XML_Char *s, int len)
{
	struct fp_xml *x = ud;

	if (x->stopped || !x->h->text || len <= 0)
		return;
	x->h->text(x->ctx, s, (size_t)len);
}

static void XMLCALL
on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
    const XML_Char *pubid, int has_internal_subset)
{
	struct fp_xml *x = ud;

	(void)name;
	(void)sysid;
	(void)pubid;
	(void)has_internal_subset;
	fp_diag(x->d, FP_ECORRUPT, "refused: %s has a document type "
	    "declaration (DTD) at line %lu, which no workbook has and which "
	    "could expand entities without end", x->part, fp_xml_line(x));
	fp_xml_stop(x, FP_ECORRUPT);
}

static void XMLCALL
on_entity(void *ud, const XML_Char *name, int is_param,
    const XML_Char *value, int value_length, const XML_Char *base,
    const XML_Char *sysid, const XML_Char *pubid, const XML_Char *notation)
{
	struct fp_xml *x = ud;

	(void)name;
	(void)is_param;
	(void)value;
	(void)value_length;
	(void)base;
	(void)sysid;
	(void)pubid;
	(void)notation;
	fp_diag(x->d, FP_ECORRUPT, "refused: %s declares an XML entity at "
	    "line %lu", x->part, fp_xml_line(x));
	fp_xml_stop(x, FP_ECORRUPT);
}

void
fp_xml_stop(struct fp_xml *x, enum fp_err err)
{
	if (x->stopped)
		return;
	x->stopped = 1;
	x->err = err;
	XML_StopParser(x->p, XML_FALSE);
}

unsigned long
fp_xml_line(const struct fp_xml *x)
{
	return (unsigned long)XML_GetCurrentLineNumber(x->p);
}

const char *
fp_xml_attr(struct fp_xml *x, const char **attrs, int ns, const char *local)
{
	size_t i;

	for (i = 0; attrs[i]; i += 2) {
		const char *name = attrs[i], *colon = strchr(name, ':');

		/* An attribute without a prefix is in no namespace. */
		if (!colon) {
			if (ns == 0 && strcmp(name, local) == 0)
				return attrs[i + 1];
			continue;
		}
		if (ns != 0 && strcmp(colon + 1, local) == 0 &&
		    resolve(x, name, (size_t)(colon - name)) == ns)
			return attrs[i + 1];
	}
	return NULL;
}

/* Fills d with expat's complaint about the part, and returns the error. */
static enum fp_err
malformed(struct fp_xml *x)
{
	enum XML_Error e = XML_GetErrorCode(x->p);

	return fp_diag(x->d, FP_ECORRUPT, "malformed XML in %s at line %lu: "
	    "%s", x->part, fp_xml_line(x), XML_ErrorString(e));
}

static int
feed(void *ctx, const char *p, size_t n)
{
	struct fp_xml *x = ctx;

	while (n) {
		int k = n > (1u << 30) ? 1 << 30 : (int)n;

		if (XML_Parse(x->p, p, k, 0) != XML_STATUS_OK) {
			if (!x->stopped) {
				x->err = malformed(x);
				x->stopped = 1;
			}
			return 1;
		}
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

/* Sets up x's parser and tables for the part name. */
static enum fp_err
xml_init(struct fp_xml *x, const char *name, const struct fp_xml_ns *nss,
    size_t nns, const struct fp_xml_handlers *h, void *ctx, struct fp_diag *d)
{
	memset(x, 0, sizeof *x);
	x->p = XML_ParserCreate("UTF-8");
	if (!x->p)
		return fp_diag(d, FP_ENOMEM, "out of memory for the XML parser");
	x->nss = nss;
	x->nns = nns;
	x->h = h;
	x->ctx = ctx;
	x->part = name;
	x->d = d;
	XML_SetUserData(x->p, x);
	XML_SetElementHandler(x->p, on_start, on_end);
	XML_SetCharacterDataHandler(x->p, on_text);
	XML_SetStartDoctypeDeclHandler(x->p, on_doctype);
	XML_SetEntityDeclHandler(x->p, on_entity);
	XML_SetParamEntityParsing(x->p, XML_PARAM_ENTITY_PARSING_NEVER);
	return FP_OK;
}

static void
xml_release(struct fp_xml *x)
{
	if (x->p)
		XML_ParserFree(x->p);
	while (x->nb)
		free(x->b[--x->nb].prefix);
	free(x->b);
}

enum fp_err
fp_xml_parse_part(struct fp_zip *z, const char *name,
    const struct fp_xml_ns *nss, size_t nns, const struct fp_xml_handlers *h,
    void *ctx, struct fp_xml **xp, struct fp_diag *d)
{
	struct fp_xml x;
	enum fp_err err;

	err = xml_init(&x, name, nss, nns, h, ctx, d);
	if (err)
		return err;
	if (xp)
		*xp = &x;
	err = fp_zip_read(z, name, feed, &x, d);
	if (!err && !x.stopped && XML_Parse(x.p, NULL, 0, 1) != XML_STATUS_OK) {
		if (!x.stopped)
			err = malformed(&x);
	}
	if (!err && x.stopped)
		err = x.err;
	if (xp)
		*xp = NULL;
	xml_release(&x);
	return err;
}

struct fp_xml_pausable {
	struct fp_xml x;
	struct fp_zip_stream *st;
	char *name;
	int ended;
};

enum fp_err
fp_xml_pausable_open(struct fp_zip *z, const char *name,
    const struct fp_xml_ns *nss, size_t nns, const struct fp_xml_handlers *h,
    void *ctx, struct fp_xml_pausable **out, struct fp_diag *d)
{
	struct fp_xml_pausable *s;
	enum fp_err err;

	*out = NULL;
	s = fp_xcalloc(1, sizeof *s);
	s->name = fp_xstrdup(name);
	err = xml_init(&s->x, s->name, nss, nns, h, ctx, d);
	if (!err)
		err = fp_zip_stream_open(z, name, &s->st, d);
	if (err) {
		fp_xml_pausable_free(s);
		return err;
	}
	*out = s;
	return FP_OK;
}

struct fp_xml *
fp_xml_pausable_xml(struct fp_xml_pausable *s)
{
	return &s->x;
}

void
fp_xml_suspend(struct fp_xml *x)
{
	XML_StopParser(x->p, XML_TRUE);
}

enum fp_err
fp_xml_pausable_run(struct fp_xml_pausable *s, int *ended, struct fp_diag *d)
{
	struct fp_xml *x = &s->x;
	enum XML_Status rs;
	enum fp_err err;

	*ended = 0;
	x->d = d;
	for (;;) {
		XML_ParsingStatus ps;

		XML_GetParsingStatus(x->p, &ps);
		if (ps.parsing == XML_SUSPENDED) {
			rs = XML_ResumeParser(x->p);
		} else if (s->ended) {
			*ended = 1;
			return FP_OK;
		} else {
			/* Inflate straight into expat's buffer, which it keeps. */
			void *buf = XML_GetBuffer(x->p, 65536);
			size_t n;

			if (!buf)
				return fp_diag(x->d, FP_ENOMEM, "out of memory "
				    "parsing %s", x->part);
			err = fp_zip_stream_read(s->st, buf, 65536, &n, x->d);
			if (err)
				return err;
			s->ended = n == 0;
			rs = XML_ParseBuffer(x->p, (int)n, s->ended);
		}
		if (rs == XML_STATUS_SUSPENDED)
			return FP_OK;
		if (rs == XML_STATUS_ERROR)
			return x->stopped ? x->err : malformed(x);
		if (x->stopped)
			return x->err;
	}
}

void
fp_xml_pausable_free(struct fp_xml_pausable *s)
{
	if (!s)
		return;
	xml_release(&s->x);
	fp_zip_stream_close(s->st);
	free(s->name);
	free(s);
}
