/*
 * Streaming XML over expat, for the parts of .xlsx and .ods workbooks:
 * a part is parsed as it is inflated (zip.h), its elements handed to the
 * reader's callbacks as they close and open, and never held whole. The
 * only interface to expat, which xml.c alone includes.
 *
 * Names are matched by namespace, not prefix: the reader gives a table of
 * namespace URIs, each with a small number of its choosing (several URIs
 * may share one, as transitional and strict OOXML do), and callbacks get
 * that number (0 for a namespace not in the table, or none) and the local
 * name. An attribute without a prefix is in no namespace (number 0). A document type declaration or an entity declaration stops the
 * parse with an error: workbooks have none, and refusing them is what
 * keeps entity expansion (a billion laughs) out. So do elements nested
 * more than a thousand deep, which no workbook has either, and which
 * would cost expat memory for every level open.
 */
#ifndef FP_XML_H
#define FP_XML_H

#include <stddef.h>

#include "util.h"
#include "zip.h"

struct fp_xml;

/* A namespace the reader knows: its URI and the number it goes by. */
struct fp_xml_ns {
	const char *uri;
	int id;
};

/*
 * The callbacks. attrs is expat's NULL-terminated list of names and
 * values; read it with fp_xml_attr. text gets character data in pieces
 * (not NUL-terminated) wherever it occurs; the reader keeps what it
 * wants. Any callback may call fp_xml_stop.
 */
struct fp_xml_handlers {
	void (*start)(void *ctx, int ns, const char *local,
	    const char **attrs);
	void (*end)(void *ctx, int ns, const char *local);
	void (*text)(void *ctx, const char *s, size_t len);
};

/*
 * Parses the part name of z, calling h's callbacks with ctx, namespaces
 * numbered by the table nss (nns entries). Returns FP_OK when the part
 * was read to its end or a callback stopped it with FP_OK; the error a
 * callback gave to fp_xml_stop (its message already in *d); or an error
 * with d naming the part and line: malformed XML (elements nested too
 * deep among it), a DTD, an entity, or what fp_zip_read reports. x is handed to ctx through *xp before the
 * parse starts, so callbacks can stop it.
 */
enum fp_err fp_xml_parse_part(struct fp_zip *z, const char *name,
    const struct fp_xml_ns *nss, size_t nns, const struct fp_xml_handlers *h,
    void *ctx, struct fp_xml **xp, struct fp_diag *d);

/*
 * Stops the parse in progress after the current callback. err is FP_OK
 * for a clean stop (the reader has what it wanted), or the error the
 * parse returns, whose message the reader has put in the diagnostic it
 * passed to fp_xml_parse_part.
 */
void fp_xml_stop(struct fp_xml *x, enum fp_err err);

/*
 * A parse that a callback can suspend (fp_xml_suspend) and a later call
 * resume where it stopped, the part inflated only as far as the parse
 * has gone: a reader can hand out one table at a time without parsing
 * what came before it again. fp_xml_pausable_run parses until a callback
 * suspends the parse (FP_OK, *ended 0), the part ends (FP_OK, *ended 1),
 * or an error (as fp_xml_parse_part, in *d; the parse is then of no
 * more use).
 * fp_xml_pausable_xml gives the parser callbacks need. While such a parse is
 * open no other part of z may be read.
 */
struct fp_xml_pausable;
enum fp_err fp_xml_pausable_open(struct fp_zip *z, const char *name,
    const struct fp_xml_ns *nss, size_t nns, const struct fp_xml_handlers *h,
    void *ctx, struct fp_xml_pausable **out, struct fp_diag *d);
enum fp_err fp_xml_pausable_run(struct fp_xml_pausable *s, int *ended,
    struct fp_diag *d);
struct fp_xml *fp_xml_pausable_xml(struct fp_xml_pausable *s);
void fp_xml_pausable_free(struct fp_xml_pausable *s);
void fp_xml_suspend(struct fp_xml *x);

/* The line of the part being parsed, for messages. */
unsigned long fp_xml_line(const struct fp_xml *x);

/*
 * The value of the attribute ns:local in attrs (ns 0: an attribute
 * without a namespace), or NULL. An attribute without a namespace has
 * its plain name in attrs, so a reader in a hurry may read those itself.
 */
const char *fp_xml_attr(struct fp_xml *x, const char **attrs, int ns,
    const char *local);

#endif
