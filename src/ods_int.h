/*
 * What the two halves of the OpenDocument reader share: ods.c reads the
 * tables and their cells, ods_style.c the styles they name. Those are a
 * table's (hidden or not), a column's (its width), a cell's (its parent
 * and its data style), and the data styles, which say what a number
 * shows as (a date, a time of day, a duration, TRUE or FALSE) and under
 * which conditions (style:map, Excel's format sections) another data
 * style applies instead, as a number format does in .xls and .xlsx. The
 * styles come from styles.xml and from content.xml's automatic styles,
 * through handlers that the parse reading the tables' names calls.
 */
#ifndef FP_ODS_INT_H
#define FP_ODS_INT_H

#include <stddef.h>

#include "reader.h"
#include "xml.h"

/* The OpenDocument namespaces, as the parser numbers them. */
enum {
	NS_OFFICE = 1,
	NS_TABLE,
	NS_TEXT,
	NS_STYLE,
	NS_FO,
	NS_CALCEXT,
	NS_MANIFEST,
	NS_DRAW,
	NS_NUMBER,
	NS_GNM,
};
extern const struct fp_xml_ns fp_ods_nss[];
extern const size_t fp_ods_nns;

/* The styles kept, by family. */
enum { ST_COLUMN, ST_TABLE, ST_CELL, ST_DATA };

/* What a data style shows a value as. */
enum {
	DS_NONE, DS_NUMBER, DS_PERCENT, DS_BOOL, DS_DATE, DS_DATETIME,
	DS_TIME, DS_ELAPSED,
};

/*
 * A data style's condition, style:map: value() compared with num, and
 * the data style it applies when true (Excel's sections, [>0]...).
 */
struct dmap {
	char op[3];		/* ">", ">=", "<", "<=", "=", "!=" */
	double num;
	char *target;
};

struct style {
	char *name;
	int family;		/* ST_ */
	int hidden;		/* a table's */
	double width;		/* a column's, in characters; 0 if not given */
	char *parent, *data;	/* a cell style's */
	int kind;		/* a data style's: DS_ */
	int places;		/* a percentage style's decimals */
	struct dmap maps[3];	/* and the styles it takes under conditions */
	int nmaps;
	/*
	 * A number style's look as a format code ("（"0"年度）"), and the
	 * workbook's key for it where it writes words (fp_fmt_has_words);
	 * NULL and 0 if it shows no plain decimal (an exponent, a fraction).
	 */
	struct fp_buf code;
	int code_bad;
	uint32_t fmt;
};

/* Every style of a document, and the state of reading them. */
struct styles {
	struct style *v;
	size_t n, cap;
	int sorted;		/* sorted for lookup: no more are added */
	struct style *cur;	/* the style being read */
	struct style *data;	/* the data style being read */
	int in_text;		/* in its number:text */
	/*
	 * In a number:embedded-text: 1 + the digits right of where its
	 * text goes (0!.0000 is a point 4 digits from the right); 0 if not.
	 */
	int embed;
	int in_number;		/* in a number:number */
	size_t run;		/* where its placeholders begin in the code */
};

/*
 * The handlers of the parse, x, for the elements about styles; others are
 * passed over. A style read after the first lookup is not kept.
 */
void fp_ods_styles_start(struct styles *s, struct fp_xml *x, int ns,
    const char *local, const char **attrs);
void fp_ods_styles_end(struct styles *s, int ns, const char *local);
void fp_ods_styles_text(struct styles *s, const char *text, size_t len);

/*
 * Gives every number style that writes words around its number, scales
 * it or pads it with zeros (fp_fmt_scale) a format key of the workbook,
 * from first on, with its code.
 */
void fp_ods_styles_formats(struct styles *s, struct fp_workbook *wb,
    uint32_t first);

/* The style of this name (NULL: none) in this family; NULL if none. */
const struct style *fp_ods_style_find(struct styles *s, const char *name,
    int family);

/*
 * The data style of the cell style of this name: its own, or its
 * parent's, up a few parents; NULL if none has one.
 */
const struct style *fp_ods_style_data(struct styles *s, const char *name);

/*
 * What the data style ds (NULL: none) shows x as, DS_: the kind of the
 * data style of its first condition x meets, else its own.
 */
int fp_ods_style_shows(struct styles *s, const struct style *ds, double x);
/* That data style itself (ds, or its condition's); NULL if none. */
const struct style *fp_ods_style_for(struct styles *s, const struct style *ds,
    double x);

/* The number format class of a kind that shows dates or times, else def. */
enum fp_fmt_class fp_ods_kind_class(int kind, enum fp_fmt_class def);

void fp_ods_styles_release(struct styles *s);

#endif
