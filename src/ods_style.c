/*
 * The styles of an OpenDocument spreadsheet (ods_int.h): read from
 * styles.xml and content.xml's automatic styles as the parse meets them,
 * kept in one array, sorted once the first table begins, and looked up
 * by family and name.
 */
#include "ods_int.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const struct fp_xml_ns fp_ods_nss[] = {
	{ "urn:oasis:names:tc:opendocument:xmlns:office:1.0", NS_OFFICE },
	{ "urn:oasis:names:tc:opendocument:xmlns:table:1.0", NS_TABLE },
	{ "urn:oasis:names:tc:opendocument:xmlns:text:1.0", NS_TEXT },
	{ "urn:oasis:names:tc:opendocument:xmlns:style:1.0", NS_STYLE },
	{ "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0",
	    NS_FO },
	{ "urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0",
	    NS_CALCEXT },
	{ "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0", NS_MANIFEST },
	{ "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0", NS_DRAW },
	{ "urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0", NS_NUMBER },
	{ "http://www.gnumeric.org/odf-extension/1.0", NS_GNM },
};
const size_t fp_ods_nns = sizeof fp_ods_nss / sizeof fp_ods_nss[0];

static int
style_cmp(const void *a, const void *b)
{
	const struct style *x = a, *y = b;

	if (x->family != y->family)
		return x->family - y->family;
	return strcmp(x->name, y->name);
}

/* Sorts the styles for lookup, once: no more are added after. */
static void
sort_styles(struct styles *s)
{
	if (!s->sorted) {
		if (s->n)
			qsort(s->v, s->n, sizeof *s->v, style_cmp);
		s->sorted = 1;
	}
}

/*
 * The styles are sorted at the first lookup, when the first table
 * begins, after every style of styles.xml and every automatic style of
 * content.xml.
 */
const struct style *
fp_ods_style_find(struct styles *s, const char *name, int family)
{
	struct style key;

	if (!name || !s->n)
		return NULL;
	sort_styles(s);
	key.name = (char *)name;
	key.family = family;
	return bsearch(&key, s->v, s->n, sizeof *s->v, style_cmp);
}

/*
 * A length ("2.258cm", "0.889in", "64pt", "22.58mm") as a column width
 * in characters of the default font, as LibreOffice converts them when it
 * saves an .ods as .xlsx: 7 points a character (0.389in is 4 characters,
 * 3.889in is 40).
 */
static double
width_chars(const char *s)
{
	char *end;
	double v = strtod(s, &end), pt;

	if (end == s || !(v > 0))
		return 0;
	if (!strcmp(end, "cm"))
		pt = v / 2.54 * 72;
	else if (!strcmp(end, "mm"))
		pt = v / 25.4 * 72;
	else if (!strcmp(end, "in"))
		pt = v * 72;
	else if (!strcmp(end, "pt"))
		pt = v;
	else if (!strcmp(end, "pc"))
		pt = v * 12;
	else
		return 0;
	return floor(pt / 7 * 100 + 0.5) / 100;
}

static struct style *
add_style(struct styles *s, const char *name, int family)
{
	struct style *st;

	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 16;
		s->v = fp_xreallocarray(s->v, s->cap, sizeof *s->v);
	}
	st = &s->v[s->n++];
	memset(st, 0, sizeof *st);
	st->name = fp_xstrdup(name);
	st->family = family;
	return st;
}

/* A code longer than any format Excel takes is none. */
static void
too_long(struct style *st)
{
	if (st->code.len > 255) {
		st->code_bad = 1;
		fp_buf_release(&st->code);
	}
}

/*
 * An element of number style st as a piece of its format code: the
 * number's placeholders (#,##0.00; 000000000 for nine digits at least;
 * a comma for each thousand it is divided by, display-factor 1000), a
 * number:text's words (quoted, as they come), an embedded-text's where
 * it goes among the digits; an exponent or a fraction makes it no code.
 */
static void
number_look(struct styles *s, struct style *st, struct fp_xml *x,
    const char *local, const char **attrs)
{
	const char *v;
	long places, digits, factor;

	if (st->code_bad)
		return;
	if (!strcmp(local, "text")) {
		s->in_text = 1;
	} else if (!strcmp(local, "number")) {
		s->in_number = 1;
		s->run = st->code.len;
		v = fp_xml_attr(x, attrs, NS_NUMBER, "min-integer-digits");
		digits = v ? strtol(v, NULL, 10) : 1;
		digits = digits < 1 ? 1 : digits > 15 ? 15 : digits;
		v = fp_xml_attr(x, attrs, NS_NUMBER, "grouping");
		if (v && !strcmp(v, "true"))
			fp_buf_adds(&st->code, "#,##");
		for (; digits > 0; digits--)
			fp_buf_addc(&st->code, '0');
		v = fp_xml_attr(x, attrs, NS_NUMBER, "decimal-places");
		places = v ? strtol(v, NULL, 10) : 0;
		if (places > 0)
			fp_buf_addc(&st->code, '.');
		for (; places > 0 && places <= 15; places--)
			fp_buf_addc(&st->code, '0');
		v = fp_xml_attr(x, attrs, NS_NUMBER, "display-factor");
		for (factor = v ? strtol(v, NULL, 10) : 1; factor > 1 &&
		    factor % 1000 == 0; factor /= 1000)
			fp_buf_addc(&st->code, ',');
		if (factor != 1)
			st->code_bad = 1;
	} else if (!strcmp(local, "embedded-text")) {
		/* Among the digits of the number:number it is in. */
		v = fp_xml_attr(x, attrs, NS_NUMBER, "position");
		places = v ? strtol(v, NULL, 10) : -1;
		if (!s->in_number || s->run > st->code.len || places < 0 ||
		    (size_t)places >= st->code.len - s->run ||
		    strchr(st->code.s + s->run, '.'))
			st->code_bad = 1;
		else
			s->embed = (int)places + 1;
	} else if (strcmp(local, "fill-character")) {
		st->code_bad = 1;
	}
	too_long(st);
}

/* An embedded-text's text, quoted, among the number's digits. */
static void
embed_text(struct styles *s, struct style *st, const char *text,
    size_t len)
{
	struct fp_buf b = FP_BUF_INIT;
	size_t at = st->code.len - (size_t)(s->embed - 1), i;

	fp_buf_add(&b, st->code.s, at);
	fp_buf_addc(&b, '"');
	for (i = 0; i < len; i++)
		if (text[i] != '"')
			fp_buf_addc(&b, text[i]);
	fp_buf_addc(&b, '"');
	fp_buf_adds(&b, st->code.s + at);
	fp_buf_release(&st->code);
	st->code = b;
	too_long(st);
}

/*
 * A data style's element: what its values show as. A date style with an
 * hour, minute, second or AM/PM shows a date and time; a time style that
 * does not wrap its hours at 24 ([HH]:MM:SS) shows a duration.
 */
static void
data_style(struct styles *s, struct fp_xml *x, const char *local,
    const char **attrs)
{
	static const struct { const char *local; int kind; } kinds[] = {
		{ "number-style", DS_NUMBER }, { "currency-style", DS_NUMBER },
		{ "percentage-style", DS_PERCENT }, { "text-style", DS_NUMBER },
		{ "boolean-style", DS_BOOL }, { "date-style", DS_DATE },
		{ "time-style", DS_TIME },
	};
	const char *name, *v;
	size_t i;

	if (s->data) {
		number_look(s, s->data, x, local, attrs);
		if (s->data->kind == DS_PERCENT && !strcmp(local, "number") &&
		    (v = fp_xml_attr(x, attrs, NS_NUMBER, "decimal-places"))) {
			long places = strtol(v, NULL, 10);

			s->data->places = places < 0 ? 0 : places > 15 ? 15 :
			    (int)places;
		}
		if (s->data->kind == DS_DATE && (!strcmp(local, "hours") ||
		    !strcmp(local, "minutes") || !strcmp(local, "seconds") ||
		    !strcmp(local, "am-pm")))
			s->data->kind = DS_DATETIME;
		return;
	}
	name = fp_xml_attr(x, attrs, NS_STYLE, "name");
	if (!name || s->sorted)
		return;
	for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		if (strcmp(local, kinds[i].local))
			continue;
		s->data = add_style(s, name, ST_DATA);
		s->data->kind = kinds[i].kind;
		/* Only a number style's look is made a code. */
		s->data->code_bad = i != 0;
		v = fp_xml_attr(x, attrs, NS_NUMBER, "truncate-on-overflow");
		if (s->data->kind == DS_TIME && v && !strcmp(v, "false"))
			s->data->kind = DS_ELAPSED;
		return;
	}
}

/*
 * A condition of the data style being read, "value()>=0": kept if it is
 * of that form, with the style it applies.
 */
static void
data_map(struct styles *s, struct fp_xml *x, const char **attrs)
{
	const char *c = fp_xml_attr(x, attrs, NS_STYLE, "condition");
	const char *to = fp_xml_attr(x, attrs, NS_STYLE, "apply-style-name");
	struct dmap *m;
	size_t n;
	char *end;

	if (!c || !to || s->data->nmaps == 3 || strncmp(c, "value()", 7))
		return;
	c += 7;
	n = strspn(c, "<>=!");
	if (n < 1 || n > 2)
		return;
	m = &s->data->maps[s->data->nmaps];
	memcpy(m->op, c, n);
	m->op[n] = '\0';
	m->num = strtod(c + n, &end);
	if (end == c + n || *end)
		return;
	m->target = fp_xstrdup(to);
	s->data->nmaps++;
}

/* A style:style of a family kept: its name, and a cell style's links. */
static void
named_style(struct styles *s, struct fp_xml *x, const char **attrs)
{
	const char *fam = fp_xml_attr(x, attrs, NS_STYLE, "family");
	const char *name = fp_xml_attr(x, attrs, NS_STYLE, "name");
	const char *v;
	int family;

	s->cur = NULL;
	if (!fam || !name || s->sorted)
		return;
	if (!strcmp(fam, "table"))
		family = ST_TABLE;
	else if (!strcmp(fam, "table-column"))
		family = ST_COLUMN;
	else if (!strcmp(fam, "table-cell"))
		family = ST_CELL;
	else
		return;
	s->cur = add_style(s, name, family);
	if (family == ST_CELL) {
		v = fp_xml_attr(x, attrs, NS_STYLE, "parent-style-name");
		s->cur->parent = v ? fp_xstrdup(v) : NULL;
		v = fp_xml_attr(x, attrs, NS_STYLE, "data-style-name");
		s->cur->data = v ? fp_xstrdup(v) : NULL;
	}
}

void
fp_ods_styles_start(struct styles *s, struct fp_xml *x, int ns,
    const char *local, const char **attrs)
{
	const char *v;

	if (ns == NS_NUMBER) {
		data_style(s, x, local, attrs);
	} else if (ns != NS_STYLE) {
		return;
	} else if (s->data && !strcmp(local, "map")) {
		data_map(s, x, attrs);
	} else if (!strcmp(local, "style")) {
		named_style(s, x, attrs);
	} else if (s->cur && !strcmp(local, "table-properties")) {
		v = fp_xml_attr(x, attrs, NS_TABLE, "display");
		s->cur->hidden = v && !strcmp(v, "false");
	} else if (s->cur && !strcmp(local, "table-column-properties")) {
		v = fp_xml_attr(x, attrs, NS_STYLE, "column-width");
		if (v)
			s->cur->width = width_chars(v);
	}
}

void
fp_ods_styles_end(struct styles *s, int ns, const char *local)
{
	size_t n = strlen(local);

	if (ns == NS_NUMBER && !strcmp(local, "text"))
		s->in_text = 0;
	if (ns == NS_NUMBER && !strcmp(local, "embedded-text"))
		s->embed = 0;
	if (ns == NS_NUMBER && !strcmp(local, "number"))
		s->in_number = 0;
	if (ns == NS_STYLE && !strcmp(local, "style"))
		s->cur = NULL;
	else if (ns == NS_NUMBER && s->data && n > 6 &&
	    !strcmp(local + n - 6, "-style")) {
		s->data = NULL;	/* data styles do not nest */
		s->in_number = s->embed = 0;
	}
}

void
fp_ods_styles_text(struct styles *s, const char *text, size_t len)
{
	size_t i;

	if (!s->data || s->data->code_bad || !len)
		return;
	if (s->embed) {
		embed_text(s, s->data, text, len);
		return;
	}
	if (!s->in_text)
		return;
	/* Quoted; a quote mark itself cannot be, and is left out. */
	fp_buf_addc(&s->data->code, '"');
	for (i = 0; i < len; i++)
		if (text[i] != '"' && s->data->code.len <= 255)
			fp_buf_addc(&s->data->code, text[i]);
	fp_buf_addc(&s->data->code, '"');
	too_long(s->data);
}

/*
 * If data style st is what negative numbers show in, another style taking
 * those from 0 up (Excel's second section, which shows them without their
 * sign): the name of that other style, else NULL.
 */
static const char *
negatives(const struct style *st)
{
	int i;

	for (i = 0; i < st->nmaps; i++)
		if ((!strcmp(st->maps[i].op, ">=") ||
		    !strcmp(st->maps[i].op, ">")) && st->maps[i].num == 0)
			return st->maps[i].target;
	return NULL;
}

void
fp_ods_styles_formats(struct styles *s, struct fp_workbook *wb,
    uint32_t first)
{
	uint32_t key = first;
	const char *pos;
	size_t i;

	sort_styles(s);
	for (i = 0; i < s->n && key <= 0xFFFF; i++) {
		struct style *st = &s->v[i];
		int pad;

		if (st->family != ST_DATA || st->code_bad || !st->code.len ||
		    (!fp_fmt_has_words(st->code.s) &&
		    !fp_fmt_scale(st->code.s, 1, &pad) && !pad))
			continue;
		st->fmt = key++;
		if ((pos = negatives(st))) {
			/* The code of both: 0.0"分";"扣"0.0"分". */
			const struct style *to = fp_ods_style_find(s, pos,
			    ST_DATA);
			char *code = fp_xstrdup(st->code.s);

			fp_buf_reset(&st->code);
			fp_buf_adds(&st->code, to && to != st && !to->code_bad &&
			    to->code.len && !strchr(to->code.s, ';') ?
			    to->code.s : "0");
			fp_buf_addc(&st->code, ';');
			fp_buf_adds(&st->code, code);
			free(code);
		}
		fp_wb_set_format(wb, st->fmt, st->code.s);
	}
}

const struct style *
fp_ods_style_data(struct styles *s, const char *name)
{
	const struct style *st;
	int up;

	for (up = 0; name && up < 8; up++) {
		st = fp_ods_style_find(s, name, ST_CELL);
		if (!st)
			break;
		if (st->data)
			return fp_ods_style_find(s, st->data, ST_DATA);
		name = st->parent;
	}
	return NULL;
}

static int
holds(const struct dmap *m, double x)
{
	if (!strcmp(m->op, ">"))
		return x > m->num;
	if (!strcmp(m->op, ">="))
		return x >= m->num;
	if (!strcmp(m->op, "<"))
		return x < m->num;
	if (!strcmp(m->op, "<="))
		return x <= m->num;
	if (!strcmp(m->op, "=") || !strcmp(m->op, "=="))
		return x == m->num;
	if (!strcmp(m->op, "!=") || !strcmp(m->op, "<>"))
		return x != m->num;
	return 0;
}

const struct style *
fp_ods_style_for(struct styles *s, const struct style *ds, double x)
{
	const struct style *to;
	int i;

	if (!ds)
		return NULL;
	for (i = 0; i < ds->nmaps; i++) {
		if (!holds(&ds->maps[i], x))
			continue;
		to = fp_ods_style_find(s, ds->maps[i].target, ST_DATA);
		return to ? to : ds;
	}
	return ds;
}

int
fp_ods_style_shows(struct styles *s, const struct style *ds, double x)
{
	const struct style *st = fp_ods_style_for(s, ds, x);

	return st ? st->kind : DS_NONE;
}

enum fp_fmt_class
fp_ods_kind_class(int kind, enum fp_fmt_class def)
{
	switch (kind) {
	case DS_DATE: return FP_FMT_DATE;
	case DS_DATETIME: return FP_FMT_DATETIME;
	case DS_TIME: return FP_FMT_TIME;
	case DS_ELAPSED: return FP_FMT_ELAPSED;
	default: return def;
	}
}

void
fp_ods_styles_release(struct styles *s)
{
	size_t i;
	int k;

	for (i = 0; i < s->n; i++) {
		free(s->v[i].name);
		free(s->v[i].parent);
		free(s->v[i].data);
		fp_buf_release(&s->v[i].code);
		for (k = 0; k < s->v[i].nmaps; k++)
			free(s->v[i].maps[k].target);
	}
	free(s->v);
	memset(s, 0, sizeof *s);
}
