/*
 * formpipe's reader for OpenDocument spreadsheets (.ods), as LibreOffice
 * and others write them.
 *
 * The cells are in one part, content.xml. Opening parses it once, as
 * zip.c inflates it, for the tables' names and order and for the
 * automatic styles that say which tables are hidden and how wide the
 * columns are, after styles.xml for the named styles (ods_style.c). The
 * data style a cell's style leads to says what a number shows as (a
 * date, a time of day, TRUE or FALSE), as a number format does in .xls
 * and .xlsx. Scanning a sheet parses the part again to the end of that
 * table, where the parse is suspended: a scan of a later sheet goes on
 * from there, so reading every sheet in order parses the part once. Each
 * row's cells go to the callback when the row closes:
 * cells carry their value in attributes by type (float, percentage,
 * currency, date, time, boolean, string), text is the cell's paragraphs
 * joined by line feeds; notes and the shapes anchored in a cell are not
 * its text. Repeated rows and columns are never materialised
 * while empty, which is how LibreOffice writes the rest of a sheet (a row
 * repeated a million times); a repeated cell or row with a value gives
 * its copies, within Excel's grid and a bound on the copies the workbook's
 * sheets may expand to together. Spanned cells become merged ranges. The tables LibreOffice
 * keeps as caches of other files' sheets (named 'URL'#Sheet) are not
 * sheets, as LibreOffice itself does not show them as sheets.
 */
#include "formats.h"
#include "ods_int.h"
#include "xml.h"
#include "zip.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ROWS 1048576u
#define MAX_COLS 16384u
/* Spaces one cell may get from text:s: Excel's most characters a cell. */
#define MAX_CELL_SPACES 32767u
/* The format keys of percentages with 1, 3, 4, ... decimals (0.0%). */
#define PERCENT_KEY 200u
/* The keys of number styles that write words around the number, on. */
#define WORDS_KEY 1000u

struct scanparse;

struct ods {
	struct fp_zip *z;
	struct styles styles;
	/*
	 * The parse of content.xml, suspended after a table: a scan of that
	 * table's successor (or of a later one) goes on from there, so that
	 * scanning every sheet in order parses the part once.
	 */
	struct fp_xml_pausable *pausable;
	struct scanparse *scan;	/* its state */
	size_t next;		/* the table after the one it stopped at */
};

/* A count attribute (number-rows-repeated ...): 1 if absent or bad. */
static uint64_t
count_attr(struct fp_xml *x, const char **attrs, const char *local)
{
	const char *v = fp_xml_attr(x, attrs, NS_TABLE, local);
	unsigned long long k;
	char *end;

	if (!v)
		return 1;
	errno = 0;
	k = strtoull(v, &end, 10);
	if (end == v || *end || errno || k == 0)
		return 1;
	return k > 0xFFFFFFFFull ? 0xFFFFFFFFull : k;
}

/*
 * 1 if a table of this name is LibreOffice's cache of a sheet in another
 * file, 'URL'#Sheet: a quote, a URL scheme and its colon, the URL, then
 * a quote and # right before a sheet name that is not empty. LibreOffice
 * tells them from sheets by the name alone, and so does this.
 */
static int
is_link_cache(const char *name)
{
	const char *p = name, *hash;

	if (!name || *p++ != '\'')
		return 0;
	if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
		return 0;
	while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
	    (*p >= '0' && *p <= '9') || *p == '+' || *p == '-' || *p == '.')
		p++;
	if (*p != ':')
		return 0;
	hash = strchr(p, '#');
	return hash && hash[-1] == '\'' && hash - 1 > p && hash[1] != '\0';
}

/* Opening: the styles and the tables' names. */
struct openparse {
	struct fp_workbook *wb;
	struct ods *o;
	struct fp_xml *x;
	int depth_table;	/* tables open (a table in a cell nests) */
};

static void
open_start(void *ctx, int ns, const char *local, const char **attrs)
{
	struct openparse *p = ctx;
	struct ods *o = p->o;
	const char *v;

	fp_ods_styles_start(&o->styles, p->x, ns, local, attrs);
	if (ns == NS_TABLE && !strcmp(local, "table")) {
		const struct style *st;

		if (p->depth_table++ > 0)
			return;
		v = fp_xml_attr(p->x, attrs, NS_TABLE, "name");
		if (is_link_cache(v))
			return;
		st = fp_ods_style_find(&o->styles, fp_xml_attr(p->x, attrs,
		    NS_TABLE, "style-name"), ST_TABLE);
		fp_wb_add_sheet(p->wb, v ? v : "", st && st->hidden);
	}
}

static void
open_end(void *ctx, int ns, const char *local)
{
	struct openparse *p = ctx;

	fp_ods_styles_end(&p->o->styles, ns, local);
	if (ns == NS_TABLE && !strcmp(local, "table") && p->depth_table)
		p->depth_table--;
}

static void
open_text(void *ctx, const char *s, size_t len)
{
	struct openparse *p = ctx;

	fp_ods_styles_text(&p->o->styles, s, len);
}

/* Columns first to last take this default cell style. */
struct colstyle {
	uint64_t first, last;
	char *name;
};

/* A cell of the row in hand, kept until the row closes. */
struct rcell {
	struct fp_cell c;
	size_t text;		/* offset of its text in the row's buffer */
};

struct scanparse {
	struct fp_workbook *wb;
	struct ods *o;
	struct fp_sheet *sh;
	size_t want;		/* the table wanted */
	struct fp_xml *x;
	struct fp_diag *d;
	fp_cell_fn fn;
	void *ctx;
	int stop;
	int done;		/* the table wanted has ended */
	size_t ntables;		/* top-level tables begun */
	int depth_table, in_want;
	double null_days;	/* the null date's serial (table:null-date) */
	uint64_t row, col, colw;	/* next row, next column, next column width */
	uint64_t rows_rep;	/* repetitions of the row in hand */
	size_t spaces;		/* spaces text:s gave the cell in hand */
	/* The cell in hand. */
	int in_cell, covered, paras;
	int in_para;		/* text:p or text:h elements open in it */
	int aside;		/* inside a note or a shape: not the cell's text */
	uint64_t cols_rep, rspan, cspan;
	char vtype;		/* 'f' number, 'p' percentage, 'd' date, 't' time,
				   'b', 's', 'e' error, 'n' none (no value) */
	int formula;
	double num;
	int num_ok, has_time, day_zero;
	char *strval;		/* office:string-value */
	struct fp_buf text;
	int kind;		/* what its data style shows it as: DS_ */
	int places;		/* a percentage's decimals, as its style shows */
	uint32_t words;		/* the format key of its words, scale or zeros, or 0 */
	int truth;		/* its formula is TRUE() or FALSE() */
	/* The columns' default cell styles, and the row's. */
	struct colstyle *colstyles;
	size_t ncolstyles, capcolstyles;
	char *rowstyle;
	struct fp_buf lastname;	/* the cell style looked up last, */
	const struct style *lastdata;	/* and its data style */
	/* The row in hand. */
	struct rcell *cells;
	size_t ncells, capcells;
	struct fp_buf rowtext;
};

static void
beyond(struct scanparse *p, const char *what)
{
	fp_diag(p->d, FP_ECORRUPT, "corrupt workbook (sheet \"%s\" in "
	    "content.xml at line %lu %s)", p->sh->name, fp_xml_line(p->x), what);
	fp_xml_stop(p->x, FP_ECORRUPT);
}

/*
 * A duration as long as the span of Excel's dates (to 9999-12-31) is the
 * longest a cell can mean: past it, PT99999999999999999999H is no time.
 */
#define MAX_DURATION_DAYS 2958466.0

/*
 * "PT36H00M00S", "P1DT2H", "-PT1H": a duration in days; 0 if none, or
 * one longer than MAX_DURATION_DAYS.
 */
static int
duration_days(const char *s, double *out)
{
	double days = 0, v = 0;
	int neg = 0, time = 0;
	const char *end;

	if (*s == '-') {
		neg = 1;
		s++;
	}
	if (*s++ != 'P')
		return 0;
	while (*s) {
		if (*s == 'T') {
			time = 1;
			s++;
			continue;
		}
		if (*s == '+' || *s == '-')
			return 0;
		end = fp_parse_decimal(s, &v);
		if (!end)
			return 0;
		switch (*end) {
		case 'Y': days += v * 365; break;	/* not in spreadsheets */
		case 'D': days += v; break;
		case 'H': days += v / 24; break;
		case 'M': days += time ? v / 1440 : v * 30; break;
		case 'S': days += v / 86400; break;
		default: return 0;
		}
		s = end + 1;
		if (!(days <= MAX_DURATION_DAYS))
			return 0;
	}
	*out = neg ? -days : days;
	return 1;
}

/*
 * "2014-02-19" or "2014-02-19T14:30:00[.5]" as a 1900-system serial. The
 * day 1899-12-30 is LibreOffice's day zero, on which it puts a time of
 * day with no date: its serial is the time alone, under 1, and *day_zero
 * says so.
 */
static int
date_serial(const char *s, double *out, int *has_time, int *day_zero)
{
	int y, mo, d, h = 0, mi = 0, n = 0;
	double se = 0, secs;
	int64_t cy;
	unsigned cm, cd;

	*has_time = 0;
	*day_zero = 0;
	if (sscanf(s, "%d-%d-%d%n", &y, &mo, &d, &n) != 3 || mo < 1 ||
	    mo > 12 || d < 1 || d > 31 || y < 0 || y > 9999)
		return 0;
	/* A day the month has: 2022-02-30 is none. */
	fp_civil_from_days(fp_days_from_civil(y, (unsigned)mo, (unsigned)d),
	    &cy, &cm, &cd);
	if (cd != (unsigned)d)
		return 0;
	if (s[n] == 'T' && sscanf(s + n + 1, "%d:%d:%lf", &h, &mi, &se) >= 2) {
		/* As .xlsx reads a time: no 25:00, no seconds of nan. */
		if (h < 0 || h > 24 || mi < 0 || mi > 59 || !(se >= 0) ||
		    se >= 61)
			return 0;
		*has_time = h || mi || se > 0;
	}
	secs = h * 3600.0 + mi * 60.0 + se;
	*day_zero = y == 1899 && mo == 12 && d == 30 && secs < 86400;
	if (*day_zero)
		*out = secs / 86400.0;
	else
		*out = fp_serial_from_civil(y, (unsigned)mo, (unsigned)d, secs);
	return 1;
}

/*
 * The kind of the cell beginning, from its own style, else the row's
 * default, else its column's. The last name looked up is remembered, as
 * a column of numbers mostly has one style.
 */
static int
cell_kind(struct scanparse *p, const char **attrs, double x)
{
	const char *name = fp_xml_attr(p->x, attrs, NS_TABLE, "style-name");
	const struct style *st;
	size_t i;

	if (!name)
		name = p->rowstyle;
	for (i = 0; !name && i < p->ncolstyles; i++)
		if (p->col >= p->colstyles[i].first &&
		    p->col <= p->colstyles[i].last)
			name = p->colstyles[i].name;
	if (!name)
		return DS_NONE;
	if (!p->lastname.s || strcmp(name, p->lastname.s)) {
		fp_buf_reset(&p->lastname);
		fp_buf_adds(&p->lastname, name);
		p->lastdata = fp_ods_style_data(&p->o->styles, name);
	}
	p->places = p->lastdata ? p->lastdata->places : 2;
	st = fp_ods_style_for(&p->o->styles, p->lastdata, x);
	p->words = st ? st->fmt : 0;
	return st ? st->kind : DS_NONE;
}

/*
 * The format key of a percentage with places decimals: Excel's built-in
 * 0% or 0.00%, else one the workbook is given (0.0%).
 */
static uint32_t
percent_format(struct scanparse *p, int places)
{
	char code[24] = "0";
	int i;

	if (places == 0 || places == 2)
		return places ? 10 : 9;
	if (places > 0) {
		strcat(code, ".");
		for (i = 0; i < places; i++)
			strcat(code, "0");
	}
	strcat(code, "%");
	if (!fp_workbook_percent(p->wb, PERCENT_KEY + (uint32_t)places))
		fp_wb_set_format(p->wb, PERCENT_KEY + (uint32_t)places, code);
	return PERCENT_KEY + (uint32_t)places;
}

/*
 * 1 for the formula =TRUE() or =FALSE() (after a namespace prefix such as
 * of:), as Calc keeps a TRUE or FALSE it imports from another program:
 * its result is a number, 1 or 0, that Calc shows as TRUE or FALSE.
 */
static int
is_truth(const char *formula)
{
	const char *eq = strchr(formula, '=');

	return eq && (!strcmp(eq + 1, "TRUE()") || !strcmp(eq + 1, "FALSE()"));
}

static void
cell_begin(struct scanparse *p, int covered, const char **attrs)
{
	const char *t, *v;

	p->in_cell = 1;
	p->covered = covered;
	p->paras = p->in_para = 0;
	p->spaces = 0;
	p->aside = 0;
	p->cols_rep = count_attr(p->x, attrs, "number-columns-repeated");
	p->cspan = covered ? 1 : count_attr(p->x, attrs,
	    "number-columns-spanned");
	p->rspan = covered ? 1 : count_attr(p->x, attrs,
	    "number-rows-spanned");
	v = fp_xml_attr(p->x, attrs, NS_TABLE, "formula");
	p->formula = v != NULL;
	p->truth = v && is_truth(v);
	p->num_ok = 0;
	p->has_time = 0;
	p->day_zero = 0;
	p->vtype = 0;
	p->kind = DS_NONE;
	p->words = 0;
	p->places = 2;
	free(p->strval);
	p->strval = NULL;
	fp_buf_reset(&p->text);
	t = fp_xml_attr(p->x, attrs, NS_OFFICE, "value-type");
	v = fp_xml_attr(p->x, attrs, NS_CALCEXT, "value-type");
	if (v && !strcmp(v, "error")) {
		p->vtype = 'e';
		return;
	}
	/* gnumeric's error: a string value, the error in its own attribute. */
	v = fp_xml_attr(p->x, attrs, NS_GNM, "error-value");
	if (v) {
		p->vtype = 'e';
		p->strval = fp_xstrdup(v);
		return;
	}
	if (!t) {
		/*
		 * A formula with no value type at all has no value (an empty
		 * result); its paragraphs are only what the format shows.
		 */
		if (p->formula && !v)
			p->vtype = 'n';
		return;
	}
	if (!strcmp(t, "float") || !strcmp(t, "percentage") ||
	    !strcmp(t, "currency")) {
		int k;

		p->vtype = t[0] == 'p' ? 'p' : 'f';
		v = fp_xml_attr(p->x, attrs, NS_OFFICE, "value");
		k = v ? fp_parse_value(v, &p->num) : 0;
		/*
		 * A value that is not finite (LibreOffice writes the NaN or
		 * the infinity an .xls held as office:value="NaN" or "INF")
		 * is #NUM!, as in the .xls; one that is no decimal (0x1p3) is
		 * the text the cell shows, as one that is no number at all.
		 */
		if (k < 0 && !isfinite(p->num)) {
			p->vtype = 'e';
			p->strval = fp_xstrdup(fp_error_text(FP_ERROR_NUM));
			return;
		}
		p->num_ok = k > 0;
		if (t[0] != 'c' && p->num_ok)
			p->kind = cell_kind(p, attrs, p->num);
		/* A percentage's style says only its decimals. */
		if (t[0] == 'p' && p->kind != DS_PERCENT)
			p->kind = DS_NONE;
	} else if (!strcmp(t, "date")) {
		p->vtype = 'd';
		v = fp_xml_attr(p->x, attrs, NS_OFFICE, "date-value");
		p->num_ok = v && date_serial(v, &p->num, &p->has_time,
		    &p->day_zero);
		if (p->num_ok)
			p->kind = cell_kind(p, attrs, p->num);
	} else if (!strcmp(t, "time")) {
		p->vtype = 't';
		v = fp_xml_attr(p->x, attrs, NS_OFFICE, "time-value");
		p->num_ok = v && duration_days(v, &p->num);
		if (p->num_ok)
			p->kind = cell_kind(p, attrs, p->num);
	} else if (!strcmp(t, "boolean")) {
		p->vtype = 'b';
		v = fp_xml_attr(p->x, attrs, NS_OFFICE, "boolean-value");
		p->num = v && (!strcmp(v, "true") || !strcmp(v, "1"));
		p->num_ok = v != NULL;
	} else if (!strcmp(t, "string")) {
		p->vtype = 's';
		v = fp_xml_attr(p->x, attrs, NS_OFFICE, "string-value");
		if (v)
			p->strval = fp_xstrdup(v);
		/*
		 * A formula's string that is an Excel error, from a writer
		 * that says no more (gnumeric, for an error a formula gives;
		 * LibreOffice says calcext:value-type, seen above), is the
		 * error.
		 */
		if (v && p->formula && !fp_xml_attr(p->x, attrs, NS_CALCEXT,
		    "value-type") && fp_error_code(v) != 0xFF)
			p->vtype = 'e';
	}
}

/*
 * The Excel error code of an error cell's text: Excel's own texts, and
 * LibreOffice's (Err:502, #MACRO?) as LibreOffice maps them when it saves
 * .xls or .xlsx: #N/A for those Excel has no code for.
 */
static unsigned
error_code(const char *s)
{
	static const struct { long lo; unsigned code; } los[] = {
		{ 502, 0x0F }, { 503, 0x24 }, { 504, 0x0F }, { 508, 0x0F },
		{ 509, 0x0F }, { 510, 0x0F }, { 511, 0x0F }, { 519, 0x0F },
		{ 521, 0x00 }, { 522, 0x0F }, { 524, 0x17 }, { 525, 0x1D },
		{ 530, 0x1D }, { 531, 0x1D }, { 532, 0x07 },
	};
	size_t i;
	long lo;
	char *end;

	if (!strcmp(s, "#ADDIN?") || !strcmp(s, "#MACRO?"))
		return 0x1D;
	if (strncmp(s, "Err:", 4) || s[4] < '0' || s[4] > '9')
		return fp_error_code(s);
	errno = 0;
	lo = strtol(s + 4, &end, 10);
	if (*end || errno)
		return 0xFF;
	for (i = 0; i < sizeof los / sizeof los[0]; i++)
		if (los[i].lo == lo)
			return los[i].code;
	return 0x2A;
}

/* Keeps the cell that just closed, and its copies, for the row's end. */
static void
cell_end(struct scanparse *p)
{
	struct fp_cell c;
	const char *text = NULL;
	size_t tlen = 0, off = 0;
	uint64_t k;
	enum fp_fmt_class cls;
	double days;

	p->in_cell = 0;
	memset(&c, 0, sizeof c);
	c.formula = (uint8_t)p->formula;
	/*
	 * A number, date or time whose value cannot be read (office:value
	 * "abc", a date-value 2022-13-45, a time-value of 10^20 hours) is
	 * the text the cell shows, as .xlsx keeps a date it cannot read.
	 */
	if ((p->vtype == 'f' || p->vtype == 'p' || p->vtype == 'd' ||
	    p->vtype == 't') && !p->num_ok)
		p->vtype = 's';
	switch (p->vtype) {
	case 'p':
		/* A percentage, with the decimals its style shows. */
		c.fmt = percent_format(p, p->kind == DS_PERCENT ? p->places :
		    2);
		/* FALLTHROUGH */
	case 'f':
		/* A float in a percentage style, as gnumeric writes one. */
		if (p->kind == DS_PERCENT)
			c.fmt = percent_format(p, p->places);
		else if (p->kind == DS_NUMBER && p->vtype == 'f')
			c.fmt = p->words;
		/* A number shown as TRUE or FALSE, or as a date, is one. */
		/* A date counts from the null date; a time of day does not. */
		cls = fp_ods_kind_class(p->kind, FP_FMT_NUMBER);
		days = cls == FP_FMT_DATE || cls == FP_FMT_DATETIME ?
		    p->null_days : 0;
		c.type = (p->kind == DS_BOOL || p->truth) && (p->num == 0 ||
		    p->num == 1) ? FP_CELL_BOOL :
		    (uint8_t)fp_date_type(cls, p->num + days, 0);
		c.v.num = p->num;
		if (c.type == FP_CELL_DATE || c.type == FP_CELL_DATETIME)
			c.v.num += days;
		break;
	case 'd':
		/*
		 * A time of day on day zero; before 1900 (no serial can say
		 * it) a number; 1899-12-31, serial 0, a date; else as its
		 * data style would make the serial, as in .xls.
		 */
		if (p->day_zero)
			c.type = FP_CELL_TIME;
		else if (p->num < 0)
			c.type = FP_CELL_NUMBER;
		else if (p->num < 1)
			c.type = p->has_time ? FP_CELL_DATETIME : FP_CELL_DATE;
		else
			c.type = (uint8_t)fp_date_type(fp_ods_kind_class(
			    p->kind, p->has_time ? FP_FMT_DATETIME :
			    FP_FMT_DATE), p->num, 0);
		c.v.num = p->num;
		break;
	case 't':
		/*
		 * A day or more under a clock's style (h:mm, which wraps at
		 * 24 hours) is a date and time, its days from the null date
		 * the serial (a date-time in an h:mm cell, as LibreOffice and
		 * Gnumeric save one); under an elapsed style ([h]:mm), or
		 * none, a duration.
		 */
		c.type = p->num < 0 ? FP_CELL_NUMBER : p->num >= 1 &&
		    p->kind == DS_TIME ? FP_CELL_DATETIME : FP_CELL_TIME;
		c.v.num = p->num + (c.type == FP_CELL_DATETIME ?
		    p->null_days : 0);
		break;
	case 'b':
		c.type = p->num_ok ? FP_CELL_BOOL : FP_CELL_EMPTY;
		c.v.num = p->num;
		break;
	case 'e':
		fp_cell_set_error(&c, error_code(p->strval ? p->strval :
		    p->text.s ? p->text.s : ""));
		break;
	case 'n':
		break;
	default:
		/* A string, or text in a cell that says no type. */
		text = p->strval ? p->strval : p->text.s ? p->text.s : "";
		tlen = strlen(text);
		c.type = tlen ? FP_CELL_TEXT : FP_CELL_EMPTY;
		break;
	}
	if (p->covered || c.type == FP_CELL_EMPTY) {
		if (!p->covered && (p->cspan > 1 || p->rspan > 1))
			goto merge;
		p->col += p->cols_rep;
		return;
	}
merge:
	if (p->col + p->cols_rep > MAX_COLS) {
		if (c.type != FP_CELL_EMPTY) {
			beyond(p, "repeats a cell past column XFD, beyond "
			    "Excel's grid");
			return;
		}
	}
	if (p->cols_rep > 1 && c.type != FP_CELL_EMPTY &&
	    fp_wb_add_copies(p->wb, p->sh, p->cols_rep - 1,
	    (p->cols_rep - 1) * (uint64_t)tlen)) {
		beyond(p, "repeats its cells into more than 16 million "
		    "copies or 256 MiB of text, counting those of the "
		    "sheets read before it");
		return;
	}
	if (c.type == FP_CELL_TEXT) {
		off = p->rowtext.len;
		fp_buf_add(&p->rowtext, text, tlen);
		fp_buf_addc(&p->rowtext, '\0');
		c.len = (uint32_t)tlen;
	}
	for (k = 0; k < p->cols_rep && p->col + k < MAX_COLS; k++) {
		uint32_t col = (uint32_t)(p->col + k);

		if (p->cspan > 1 || p->rspan > 1)
			fp_sheet_add_merge(p->sh, (uint32_t)p->row,
			    (uint32_t)(p->row + p->rspan - 1 < MAX_ROWS ?
			    p->row + p->rspan - 1 : MAX_ROWS - 1), (uint16_t)col,
			    (uint16_t)(col + p->cspan - 1 < MAX_COLS ?
			    col + p->cspan - 1 : MAX_COLS - 1));
		if (c.type == FP_CELL_EMPTY)
			continue;
		if (p->ncells == p->capcells) {
			p->capcells = p->capcells ? p->capcells * 2 : 64;
			p->cells = fp_xreallocarray(p->cells, p->capcells,
			    sizeof *p->cells);
		}
		p->cells[p->ncells].c = c;
		p->cells[p->ncells].c.col = (uint16_t)col;
		p->cells[p->ncells].text = off;
		p->ncells++;
	}
	p->col += p->cols_rep;
}

/* The row that just closed: its cells, as many times as it repeats. */
static void
row_end(struct scanparse *p)
{
	uint64_t k;
	size_t i;

	if (p->ncells) {
		if (p->row + p->rows_rep > MAX_ROWS) {
			beyond(p, "has a row past row 1048576, beyond Excel's "
			    "grid");
			return;
		}
		if (p->rows_rep > 1 && fp_wb_add_copies(p->wb, p->sh,
		    (p->rows_rep - 1) * p->ncells,
		    (p->rows_rep - 1) * p->rowtext.len)) {
			beyond(p, "repeats its rows into more than 16 million "
			    "copies of cells or 256 MiB of text, counting those "
			    "of the sheets read before it");
			return;
		}
		for (k = 0; k < p->rows_rep && !p->stop; k++) {
			for (i = 0; i < p->ncells && !p->stop; i++) {
				struct fp_cell c = p->cells[i].c;

				c.row = (uint32_t)(p->row + k);
				if (c.type == FP_CELL_TEXT) {
					c.v.text = p->rowtext.s +
					    p->cells[i].text;
					if (fp_sheet_add_text(p->wb, p->sh,
					    c.len)) {
						fp_sheet_too_much_text(p->sh,
						    c.row, c.col, p->d);
						fp_xml_stop(p->x, FP_ECORRUPT);
						return;
					}
				}
				p->stop = p->fn(p->ctx, &c);
			}
		}
		if (p->stop) {
			fp_xml_stop(p->x, FP_OK);
			return;
		}
	}
	p->row += p->rows_rep;
	p->ncells = 0;
	fp_buf_reset(&p->rowtext);
}

/*
 * An element in a cell whose text is not the cell's: a note, or a shape
 * anchored in the cell (a line, a frame with a picture and its
 * description, a text box, a group of them).
 */
static int
is_aside(int ns, const char *local)
{
	return ns == NS_DRAW || (ns == NS_OFFICE && !strcmp(local, "annotation"));
}

/* Columns first to last take the default cell style name. */
static void
add_colstyle(struct scanparse *p, uint64_t first, uint64_t last,
    const char *name)
{
	if (p->ncolstyles == p->capcolstyles) {
		p->capcolstyles = p->capcolstyles ? p->capcolstyles * 2 : 16;
		p->colstyles = fp_xreallocarray(p->colstyles, p->capcolstyles,
		    sizeof *p->colstyles);
	}
	p->colstyles[p->ncolstyles].first = first;
	p->colstyles[p->ncolstyles].last = last;
	p->colstyles[p->ncolstyles].name = fp_xstrdup(name);
	p->ncolstyles++;
}

/* Forgets the columns' and the row's default cell styles. */
static void
clear_cellstyles(struct scanparse *p)
{
	size_t i;

	for (i = 0; i < p->ncolstyles; i++)
		free(p->colstyles[i].name);
	p->ncolstyles = 0;
	free(p->rowstyle);
	p->rowstyle = NULL;
}

/*
 * The day a number shown as a date counts from: 1899-12-30 unless the
 * document says another (1904-01-01 for a workbook of the 1904 system,
 * which Gnumeric writes 1904-1-1). Kept as its days after 1899-12-30,
 * added to such a number to make it the serial every reader here gives.
 */
static void
null_date(struct scanparse *p, const char *v)
{
	int y, mo, d, n = 0;
	int64_t cy;
	unsigned cm, cd;

	if (!v || sscanf(v, "%d-%d-%d%n", &y, &mo, &d, &n) != 3 || v[n] ||
	    y < 1899 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31)
		return;
	fp_civil_from_days(fp_days_from_civil(y, (unsigned)mo, (unsigned)d),
	    &cy, &cm, &cd);
	/* None before 1899-12-30: no serial could say its days. */
	if (cd == (unsigned)d && fp_days_from_civil(y, (unsigned)mo,
	    (unsigned)d) >= fp_days_from_civil(1899, 12, 30))
		p->null_days = (double)(fp_days_from_civil(y, (unsigned)mo,
		    (unsigned)d) - fp_days_from_civil(1899, 12, 30));
}

static void
scan_start(void *ctx, int ns, const char *local, const char **attrs)
{
	struct scanparse *p = ctx;

	if (ns == NS_TABLE && !strcmp(local, "table")) {
		/* A link cache is not a sheet, and is not counted as one. */
		if (p->depth_table++ == 0)
			p->in_want = !is_link_cache(fp_xml_attr(p->x, attrs,
			    NS_TABLE, "name")) && p->ntables++ == p->want;
		return;
	}
	if (ns == NS_TABLE && !strcmp(local, "null-date") && !p->depth_table) {
		null_date(p, fp_xml_attr(p->x, attrs, NS_TABLE, "date-value"));
		return;
	}
	if (p->in_want && p->in_cell && is_aside(ns, local)) {
		p->aside++;
		return;
	}
	if (!p->in_want || p->depth_table != 1) {
		/* Text of a table inside a cell still belongs to the cell. */
		if (p->in_cell && !p->aside && ns == NS_TEXT)
			goto text;
		return;
	}
	if (ns == NS_TABLE) {
		if (!strcmp(local, "table-row")) {
			const char *v = fp_xml_attr(p->x, attrs, NS_TABLE,
			    "default-cell-style-name");
			const char *vis = fp_xml_attr(p->x, attrs, NS_TABLE,
			    "visibility");

			p->rows_rep = count_attr(p->x, attrs,
			    "number-rows-repeated");
			/*
			 * collapse: hidden; filter: out of view of a filter,
			 * the sheet's rows all the same (fp_sheet_show_rows).
			 */
			if (vis && strcmp(vis, "visible") &&
			    strcmp(vis, "filter") && p->row < MAX_ROWS)
				fp_sheet_hide_rows(p->sh, (uint32_t)p->row,
				    (uint32_t)(p->row + p->rows_rep - 1 <
				    MAX_ROWS ? p->row + p->rows_rep - 1 :
				    MAX_ROWS - 1));
			p->col = 0;
			p->ncells = 0;
			free(p->rowstyle);
			p->rowstyle = v ? fp_xstrdup(v) : NULL;
		} else if (!strcmp(local, "table-cell")) {
			cell_begin(p, 0, attrs);
		} else if (!strcmp(local, "covered-table-cell")) {
			cell_begin(p, 1, attrs);
		} else if (!strcmp(local, "table-column")) {
			uint64_t n = count_attr(p->x, attrs,
			    "number-columns-repeated");
			const struct style *st = fp_ods_style_find(
			    &p->o->styles, fp_xml_attr(p->x, attrs, NS_TABLE,
			    "style-name"), ST_COLUMN);
			const char *vis = fp_xml_attr(p->x, attrs, NS_TABLE,
			    "visibility");
			int hidden = vis && strcmp(vis, "visible");
			const char *def = fp_xml_attr(p->x, attrs, NS_TABLE,
			    "default-cell-style-name");

			if (p->colw < MAX_COLS && ((st && st->width > 0) ||
			    hidden)) {
				uint64_t last = p->colw + n - 1;

				fp_sheet_add_width(p->sh, (uint16_t)p->colw,
				    (uint16_t)(last < MAX_COLS ? last :
				    MAX_COLS - 1), st ? st->width : 0, hidden);
			}
			if (def && p->colw < MAX_COLS)
				add_colstyle(p, p->colw, p->colw + n - 1, def);
			p->colw += n;
		}
		return;
	}
	if (!p->in_cell || p->aside || ns != NS_TEXT)
		return;
text:
	if (!strcmp(local, "p") || !strcmp(local, "h")) {
		if (p->paras++)
			fp_buf_addc(&p->text, '\n');
		p->in_para++;
	} else if (!strcmp(local, "s")) {
		const char *c = fp_xml_attr(p->x, attrs, NS_TEXT, "c");
		unsigned long n = c ? strtoul(c, NULL, 10) : 1;

		if (n > MAX_CELL_SPACES - p->spaces) {
			beyond(p, "gives a cell more than 32,767 spaces "
			    "(text:s)");
			return;
		}
		p->spaces += n;
		while (n--)
			fp_buf_addc(&p->text, ' ');
	} else if (!strcmp(local, "tab")) {
		fp_buf_addc(&p->text, '\t');
	} else if (!strcmp(local, "line-break")) {
		fp_buf_addc(&p->text, '\n');
	}
}

static void
scan_end(void *ctx, int ns, const char *local)
{
	struct scanparse *p = ctx;

	if (ns == NS_TABLE && !strcmp(local, "table")) {
		if (p->depth_table && --p->depth_table == 0 && p->in_want) {
			p->in_want = 0;
			p->done = 1;
			fp_xml_suspend(p->x);	/* the table is read */
		}
		return;
	}
	if (p->in_want && p->aside && is_aside(ns, local)) {
		p->aside--;
		return;
	}
	/* A paragraph of the cell's text closes, as scan_start opened it. */
	if (p->in_cell && !p->aside && p->in_para && ns == NS_TEXT &&
	    (!strcmp(local, "p") || !strcmp(local, "h"))) {
		p->in_para--;
		return;
	}
	if (!p->in_want || p->depth_table != 1)
		return;
	if (ns == NS_TABLE) {
		if (!strcmp(local, "table-cell") ||
		    !strcmp(local, "covered-table-cell")) {
			if (p->in_cell)
				cell_end(p);
		} else if (!strcmp(local, "table-row")) {
			row_end(p);
		}
	}
}

/*
 * Text in the cell's paragraphs is its text; the white space an indented
 * content.xml puts between them and around them is not.
 */
static void
scan_text(void *ctx, const char *s, size_t len)
{
	struct scanparse *p = ctx;

	if (p->in_want && p->in_cell && !p->aside && p->in_para)
		fp_buf_add(&p->text, s, len);
}

static const struct fp_xml_handlers scan_handlers = {
	scan_start, scan_end, scan_text,
};

/* Forgets the suspended parse: the next scan starts from the top. */
static void
end_pausable(struct ods *o)
{
	fp_xml_pausable_free(o->pausable);
	o->pausable = NULL;
	if (o->scan) {
		clear_cellstyles(o->scan);
		free(o->scan->colstyles);
		fp_buf_release(&o->scan->lastname);
		free(o->scan->strval);
		free(o->scan->cells);
		fp_buf_release(&o->scan->text);
		fp_buf_release(&o->scan->rowtext);
		free(o->scan);
		o->scan = NULL;
	}
}

static enum fp_err
ods_scan(struct fp_workbook *wb, size_t i, fp_cell_fn fn, void *ctx,
    int *stopped, struct fp_diag *d)
{
	struct ods *o = wb->priv;
	struct scanparse *p;
	enum fp_err err;
	int ended = 0;

	if (stopped)
		*stopped = 0;
	if (o->pausable && i < o->next)
		end_pausable(o);
	if (!o->pausable) {
		p = o->scan = fp_xcalloc(1, sizeof *o->scan);
		p->wb = wb;
		p->o = o;
		fp_buf_init(&p->text);
		fp_buf_init(&p->rowtext);
		fp_buf_init(&p->lastname);
		err = fp_xml_pausable_open(o->z, "content.xml", fp_ods_nss,
		    fp_ods_nns, &scan_handlers, p, &o->pausable, d);
		if (err) {
			end_pausable(o);
			return err;
		}
		p->x = fp_xml_pausable_xml(o->pausable);
	}
	/* What belongs to one table starts afresh. */
	p = o->scan;
	p->sh = &wb->sheets[i];
	p->want = i;
	p->d = d;
	p->fn = fn;
	p->ctx = ctx;
	p->stop = p->done = 0;
	p->in_want = p->in_cell = p->in_para = p->aside = 0;
	p->row = p->col = p->colw = 0;
	p->ncells = 0;
	clear_cellstyles(p);
	fp_buf_reset(&p->rowtext);
	err = fp_xml_pausable_run(o->pausable, &ended, d);
	if (stopped)
		*stopped = p->stop;
	if (err || p->stop || ended || !p->done)
		end_pausable(o);
	else
		o->next = i + 1;
	return err;
}

static void
ods_free(struct fp_workbook *wb)
{
	struct ods *o = wb->priv;

	if (!o)
		return;
	end_pausable(o);
	fp_zip_free(o->z);
	fp_ods_styles_release(&o->styles);
	free(o);
	wb->priv = NULL;
}

static const struct fp_backend ods_backend = {
	"ods", ods_scan, ods_free,
};

/* The manifest: is content.xml encrypted? */
struct manparse {
	struct fp_xml *x;
	int in_content, encrypted;
};

static void
man_start(void *ctx, int ns, const char *local, const char **attrs)
{
	struct manparse *p = ctx;

	if (ns != NS_MANIFEST)
		return;
	if (!strcmp(local, "file-entry")) {
		const char *path = fp_xml_attr(p->x, attrs, NS_MANIFEST,
		    "full-path");

		p->in_content = path && !strcmp(path, "content.xml");
	} else if (!strcmp(local, "encryption-data") && p->in_content) {
		p->encrypted = 1;
	}
}

/*
 * 1 if the manifest says a part is encrypted. One that cannot be parsed
 * (malformed, or with a DTD, which the XML reader refuses, and which
 * OpenOffice.org and other writers put in the manifest) is looked
 * through as text for the element that says so, encryption-data: its
 * parts are then ciphertext, which would be called malformed XML.
 * Otherwise a manifest that cannot be read costs nothing: nothing else
 * is read from it.
 */
static int
manifest_encrypted(struct fp_zip *z)
{
	static const struct fp_xml_handlers mh = { man_start, NULL, NULL };
	struct manparse mp;
	struct fp_diag md;
	char *text = NULL;
	size_t n;
	int yes;

	memset(&mp, 0, sizeof mp);
	if (fp_xml_parse_part(z, "META-INF/manifest.xml", fp_ods_nss,
	    fp_ods_nns, &mh, &mp, &mp.x, &md) == FP_OK || mp.encrypted)
		return mp.encrypted;
	if (fp_zip_read_all(z, "META-INF/manifest.xml", 16u << 20, &text, &n,
	    &md) != FP_OK)
		return 0;
	yes = strstr(text, "encryption-data") != NULL;
	free(text);
	return yes;
}

enum fp_err
fp_ods_open(struct fp_workbook *wb, struct fp_zip *z, struct fp_diag *d)
{
	static const struct fp_xml_handlers oh = { open_start, open_end,
	    open_text };
	struct ods *o;
	struct openparse op;
	enum fp_err err;

	o = fp_xcalloc(1, sizeof *o);
	o->z = z;
	wb->be = &ods_backend;
	wb->priv = o;
	snprintf(wb->kind, sizeof wb->kind, "ODS");
	if (fp_zip_has(z, "META-INF/manifest.xml") && manifest_encrypted(z))
		return fp_diag(d, FP_EENCRYPTED, "password-protected workbook "
		    "(an encrypted .ods; remove the password in LibreOffice "
		    "and save it again)");
	if (!fp_zip_has(z, "content.xml"))
		return fp_diag(d, FP_ECORRUPT, "corrupt workbook (an "
		    "OpenDocument file without its content.xml)");
	memset(&op, 0, sizeof op);
	op.wb = wb;
	op.o = o;
	if (fp_zip_has(z, "styles.xml")) {
		/*
		 * Its named styles say which numbers are dates, booleans and
		 * percentages: without them such cells would read as plain
		 * numbers, silently. A styles.xml that cannot be read
		 * (malformed, a DTD) is refused, as content.xml would be.
		 */
		err = fp_xml_parse_part(z, "styles.xml", fp_ods_nss,
		    fp_ods_nns, &oh, &op, &op.x, d);
		if (err)
			return err;
		o->styles.cur = o->styles.data = NULL;
		op.depth_table = 0;
	}
	err = fp_xml_parse_part(z, "content.xml", fp_ods_nss, fp_ods_nns, &oh,
	    &op, &op.x, d);
	if (!err)
		fp_ods_styles_formats(&o->styles, wb, WORDS_KEY);
	return err;
}
