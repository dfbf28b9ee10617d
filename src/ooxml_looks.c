/*
 * The looks of an Office Open XML workbook (ooxml_looks.h): styles.xml's
 * fonts, fills, borders and cell formats into the workbook's fonts and
 * XFs, and a sheet's page setup, window, rows and default sizes into its
 * fp_sheet_looks, with BIFF's codes where the model has them, so convert
 * writes an .xlsx from an .xlsx as it does from an .xls.
 *
 * Colours: an RGB ("FFRRGGBB") goes to the XF's rgb_* fields, bit 24
 * set; an indexed colour is a palette index (and <indexedColors> sets the
 * palette); a theme colour is the RGB the theme part gives it, read
 * first, and goes to rgb_* too. A tint lightens or darkens a theme or RGB
 * colour as Excel does; an indexed colour's tint is not applied. A theme
 * colour the theme does not give (no theme part, an index past its
 * twelve) is automatic, and a fill in one is dropped. Gradient fills and
 * diagonal borders are not read: the model has neither.
 */
#include "ooxml_looks.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The lists of styleSheet that hold looks. */
enum { SECT_NONE, SECT_FONTS, SECT_FILLS, SECT_BORDERS, SECT_XFS,
	SECT_PALETTE };

/* A fill, until a cell format names it. */
struct fp_oxfill {
	uint8_t pattern;
	uint8_t unknown;	/* in a theme colour not known: not kept */
	uint16_t fg, bg;
	uint32_t rgb_fg, rgb_bg;
};

/* A border, until a cell format names it. */
struct fp_oxborder {
	uint8_t style[4];
	uint16_t color[4];
	uint32_t rgb[4];
};

/* Index of name in names (n of them), or -1. */
static int
lookup(const char *name, const char *const *names, int n)
{
	int k;

	if (!name)
		return -1;
	for (k = 0; k < n; k++)
		if (!strcmp(name, names[k]))
			return k;
	return -1;
}

/* BIFF's fill patterns, 0 to 18, by their OOXML names. */
static const char *const patterns[] = {
	"none", "solid", "mediumGray", "darkGray", "lightGray",
	"darkHorizontal", "darkVertical", "darkDown", "darkUp", "darkGrid",
	"darkTrellis", "lightHorizontal", "lightVertical", "lightDown",
	"lightUp", "lightGrid", "lightTrellis", "gray125", "gray0625",
};

/* BIFF's border line styles, 0 to 13. */
static const char *const lines[] = {
	"none", "thin", "medium", "dashed", "dotted", "thick", "double",
	"hair", "mediumDashed", "dashDot", "mediumDashDot", "dashDotDot",
	"mediumDashDotDot", "slantDashDot",
};

static const char *const haligns[] = {
	"general", "left", "center", "right", "fill", "justify",
	"centerContinuous", "distributed",
};

static const char *const valigns[] = {
	"top", "center", "bottom", "justify", "distributed",
};

#define NELEM(a) ((int)(sizeof (a) / sizeof (a)[0]))

/* A boolean attribute: absent gives dflt, "1" or "true" true. */
static int
flag(struct fp_xml *x, const char **attrs, const char *name, int dflt)
{
	const char *v = fp_xml_attr(x, attrs, 0, name);

	if (!v)
		return dflt;
	return !strcmp(v, "1") || !strcmp(v, "true");
}

/* An unsigned attribute no larger than max, or -1. */
static long
number(struct fp_xml *x, const char **attrs, const char *name,
    unsigned long max)
{
	const char *v = fp_xml_attr(x, attrs, 0, name);
	unsigned long k;
	char *end;

	if (!v || !(*v >= '0' && *v <= '9'))
		return -1;
	k = strtoul(v, &end, 10);
	if (*end || k > max)
		return -1;
	return (long)k;
}

/* A measure attribute (points, inches), finite and not negative, or -1. */
static double
measure(struct fp_xml *x, const char **attrs, const char *name)
{
	const char *v = fp_xml_attr(x, attrs, 0, name);
	double d;
	char *end;

	if (!v)
		return -1;
	d = strtod(v, &end);
	if (end == v || *end || !isfinite(d) || d < 0 || d > 1e6)
		return -1;
	return d;
}

/* The theme's colours, by the index styles.xml gives. */
static const char *const scheme_colors[] = {
	"lt1", "dk1", "lt2", "dk2", "accent1", "accent2", "accent3",
	"accent4", "accent5", "accent6", "hlink", "folHlink",
};

/* An "AARRGGBB" or "RRGGBB" colour as the model's RGB, or 0 if it is none. */
static uint32_t
argb(const char *v)
{
	size_t n = v ? strlen(v) : 0;
	unsigned long k;
	char *end;

	if (n != 8 && n != 6)
		return 0;
	k = strtoul(v, &end, 16);
	if (*end || end != v + n)
		return 0;
	return 0x1000000 | (uint32_t)(k & 0xFFFFFF);
}

/* A colour's tint, from -1 (black) to 1 (white); 0 if none or odd. */
static double
tint(struct fp_xml *x, const char **attrs)
{
	const char *v = fp_xml_attr(x, attrs, 0, "tint");
	double d;
	char *end;

	if (!v)
		return 0;
	d = strtod(v, &end);
	if (end == v || *end || !(d >= -1 && d <= 1))
		return 0;
	return d;
}

/*
 * The model's RGB rgb with tint t, as Excel applies one: in HLS, the
 * lightness L becomes L * (1 + t) for a t below 0, L * (1 - t) + t above,
 * and hue and saturation stay. So each channel keeps its place between
 * the lowest and the highest, whose spread is the saturation times
 * 1 - |2L - 1|: that spread is rescaled, with no hue worked out.
 */
static uint32_t
tinted(uint32_t rgb, double t)
{
	double c[3], lo, hi, l, nl, spread, nspread, v;
	uint32_t out = 0x1000000;
	int i;

	if (t == 0)
		return rgb;
	for (i = 0; i < 3; i++)
		c[i] = (double)((rgb >> (16 - 8 * i)) & 0xFF) / 255;
	lo = fmin(c[0], fmin(c[1], c[2]));
	hi = fmax(c[0], fmax(c[1], c[2]));
	l = (lo + hi) / 2;
	nl = t < 0 ? l * (1 + t) : l * (1 - t) + t;
	spread = hi - lo;
	/* A grey has no spread; any other colour's L is inside 0 to 1. */
	nspread = spread > 0 ?
	    spread * (1 - fabs(2 * nl - 1)) / (1 - fabs(2 * l - 1)) : 0;
	for (i = 0; i < 3; i++) {
		v = nl - nspread / 2;
		if (spread > 0)
			v += (c[i] - lo) / spread * nspread;
		v = fmin(fmax(v, 0), 1);
		out |= (uint32_t)lround(v * 255) << (16 - 8 * i);
	}
	return out;
}

/*
 * A colour element (<color>, <fgColor>, <bgColor>): an RGB, or a theme
 * colour the theme gives, into *rgb, with its tint; an indexed colour (0
 * to 63, or 64 and 65 the system's) into *idx. A theme colour the theme
 * gives wins over an RGB beside it, as in Excel. Auto, or a theme colour
 * not known, leaves both as they are: automatic.
 * Returns 0 if the element names a theme colour not known and nothing
 * else, 1 otherwise.
 */
static int
color(struct fp_oxstyles *s, struct fp_xml *x, const char **attrs,
    uint32_t *rgb, uint16_t *idx)
{
	const char *v = fp_xml_attr(x, attrs, 0, "rgb");
	long k = number(x, attrs, "theme", NELEM(s->theme) - 1);

	if (k >= 0 && s->theme[k]) {
		*rgb = tinted(s->theme[k], tint(x, attrs));
		return 1;
	}
	if (v) {
		*rgb = argb(v);
		if (*rgb)
			*rgb = tinted(*rgb, tint(x, attrs));
		return 1;
	}
	k = number(x, attrs, "indexed", 65);
	if (k >= 0) {
		*idx = (uint16_t)k;
		return 1;
	}
	return !fp_xml_attr(x, attrs, 0, "theme");
}

void
fp_oxstyles_init(struct fp_oxstyles *s, struct fp_workbook *wb)
{
	memset(s, 0, sizeof *s);
	s->wb = wb;
	s->side = -1;
	s->slot = -1;
}

void
fp_oxstyles_release(struct fp_oxstyles *s)
{
	free(s->font_rgb);
	free(s->fills);
	free(s->borders);
	memset(s, 0, sizeof *s);
	s->side = -1;
	s->slot = -1;
}

/* A child of <font>: the last font's looks. */
static void
font_part(struct fp_oxstyles *s, struct fp_xml *x, const char *local,
    const char **attrs)
{
	struct fp_workbook *wb = s->wb;
	struct fp_font *f = &wb->fonts[wb->nfonts - 1];
	const char *v = fp_xml_attr(x, attrs, 0, "val");

	if (!strcmp(local, "name") && v) {
		free(f->name);
		f->name = fp_xstrdup(v);
		s->font_named = 1;
	} else if (!strcmp(local, "sz")) {
		double pt = measure(x, attrs, "val");

		if (pt > 0 && pt <= 409) {
			f->height = (uint16_t)lround(pt * 20);
			s->font_sized = 1;
		}
	} else if (!strcmp(local, "b")) {
		f->weight = flag(x, attrs, "val", 1) ? 700 : 400;
	} else if (!strcmp(local, "i")) {
		f->italic = (uint8_t)flag(x, attrs, "val", 1);
	} else if (!strcmp(local, "strike")) {
		f->strike = (uint8_t)flag(x, attrs, "val", 1);
	} else if (!strcmp(local, "u")) {
		f->underline = !v || !strcmp(v, "single") ? 1 :
		    !strcmp(v, "double") ? 2 : !strcmp(v, "singleAccounting") ?
		    0x21 : !strcmp(v, "doubleAccounting") ? 0x22 : 0;
	} else if (!strcmp(local, "vertAlign") && v) {
		f->script = !strcmp(v, "superscript") ? 1 :
		    !strcmp(v, "subscript") ? 2 : 0;
	} else if (!strcmp(local, "color")) {
		color(s, x, attrs, &s->font_rgb[wb->nfonts - 1], &f->color);
	}
}

/* A <cellXfs> <xf>: a cell format of the workbook, with what it names. */
static void
cell_format(struct fp_oxstyles *s, struct fp_xml *x, const char **attrs)
{
	struct fp_workbook *wb = s->wb;
	struct fp_xf *xf = fp_wb_add_xf(wb);
	const char *v;
	long k;
	int side;

	/* The number format, read as the values' reader always has. */
	v = fp_xml_attr(x, attrs, 0, "numFmtId");
	xf->fmt = v ? (uint32_t)strtoul(v, NULL, 10) : 0;
	k = number(x, attrs, "fontId", UINT16_MAX);
	if (k >= 0 && (size_t)k < wb->nfonts) {
		xf->font = (uint16_t)k;
		xf->rgb_font = s->font_rgb[k];
	}
	k = number(x, attrs, "fillId", UINT32_MAX);
	if (k >= 0 && (size_t)k < s->nfills && !s->fills[k].unknown) {
		const struct fp_oxfill *f = &s->fills[k];

		xf->pattern = f->pattern;
		xf->fg = f->fg;
		xf->bg = f->bg;
		xf->rgb_fg = f->rgb_fg;
		xf->rgb_bg = f->rgb_bg;
	}
	k = number(x, attrs, "borderId", UINT32_MAX);
	if (k >= 0 && (size_t)k < s->nborders) {
		const struct fp_oxborder *b = &s->borders[k];

		for (side = 0; side < 4; side++) {
			xf->border[side] = b->style[side];
			xf->border_color[side] = b->color[side];
			xf->rgb_border[side] = b->rgb[side];
		}
	}
}

/* A child of a <cellXfs> <xf>: its alignment or protection. */
static void
cell_format_part(struct fp_oxstyles *s, struct fp_xml *x, const char *local,
    const char **attrs)
{
	struct fp_xf *xf = &s->wb->xfs[s->wb->nxfs - 1];
	long k;
	int a;

	if (!strcmp(local, "alignment")) {
		a = lookup(fp_xml_attr(x, attrs, 0, "horizontal"), haligns,
		    NELEM(haligns));
		if (a >= 0)
			xf->halign = (uint8_t)a;
		a = lookup(fp_xml_attr(x, attrs, 0, "vertical"), valigns,
		    NELEM(valigns));
		if (a >= 0)
			xf->valign = (uint8_t)a;
		xf->wrap = (uint8_t)flag(x, attrs, "wrapText", 0);
		xf->shrink = (uint8_t)flag(x, attrs, "shrinkToFit", 0);
		k = number(x, attrs, "indent", 255);
		if (k >= 0)
			xf->indent = (uint8_t)k;
		/* 0 to 90 up, 91 to 180 down, 255 stacked: BIFF8's too. */
		k = number(x, attrs, "textRotation", 255);
		if (k >= 0 && (k <= 180 || k == 255))
			xf->rotation = (uint8_t)k;
	} else if (!strcmp(local, "protection")) {
		xf->locked = (uint8_t)flag(x, attrs, "locked", 1);
		xf->hidden = (uint8_t)flag(x, attrs, "hidden", 0);
	}
}

/* A border's side element: its index in fp_xf's arrays, or -1. */
static int
border_side(const char *local)
{
	if (!strcmp(local, "left") || !strcmp(local, "start"))
		return FP_LEFT;
	if (!strcmp(local, "right") || !strcmp(local, "end"))
		return FP_RIGHT;
	if (!strcmp(local, "top"))
		return FP_TOP;
	if (!strcmp(local, "bottom"))
		return FP_BOTTOM;
	return -1;
}

void
fp_oxstyles_start(struct fp_oxstyles *s, struct fp_xml *x, const char *local,
    const char **attrs)
{
	struct fp_workbook *wb = s->wb;

	switch (s->sect) {
	case SECT_NONE:
		s->sect = !strcmp(local, "fonts") ? SECT_FONTS :
		    !strcmp(local, "fills") ? SECT_FILLS :
		    !strcmp(local, "borders") ? SECT_BORDERS :
		    !strcmp(local, "cellXfs") ? SECT_XFS :
		    !strcmp(local, "indexedColors") ? SECT_PALETTE : SECT_NONE;
		break;
	case SECT_FONTS:
		if (!strcmp(local, "font")) {
			fp_wb_add_font(wb, "");
			if (wb->nfonts > s->capfont_rgb) {
				s->capfont_rgb = wb->capfonts;
				s->font_rgb = fp_xreallocarray(s->font_rgb,
				    s->capfont_rgb, sizeof *s->font_rgb);
			}
			s->font_rgb[wb->nfonts - 1] = 0;
			s->font_named = s->font_sized = 0;
		} else if (wb->nfonts > 0) {
			font_part(s, x, local, attrs);
		}
		break;
	case SECT_FILLS:
		if (!strcmp(local, "fill")) {
			struct fp_oxfill *f;

			if (s->nfills == s->capfills) {
				s->capfills = s->capfills ? s->capfills * 2 : 16;
				s->fills = fp_xreallocarray(s->fills, s->capfills,
				    sizeof *s->fills);
			}
			f = &s->fills[s->nfills++];
			memset(f, 0, sizeof *f);
			f->fg = 64;	/* the system's, as fp_wb_add_xf has */
			f->bg = 65;
		} else if (s->nfills == 0) {
			break;
		} else if (!strcmp(local, "patternFill")) {
			/* A gradient fill is left out: the model has none. */
			int k = lookup(fp_xml_attr(x, attrs, 0, "patternType"),
			    patterns, NELEM(patterns));

			s->fills[s->nfills - 1].pattern = (uint8_t)(k > 0 ? k : 0);
		} else if (!strcmp(local, "fgColor")) {
			struct fp_oxfill *f = &s->fills[s->nfills - 1];

			/*
			 * A theme colour not known would come out automatic,
			 * which a solid fill shows black: the fill is dropped
			 * instead.
			 */
			if (!color(s, x, attrs, &f->rgb_fg, &f->fg))
				f->unknown = 1;
		} else if (!strcmp(local, "bgColor")) {
			color(s, x, attrs, &s->fills[s->nfills - 1].rgb_bg,
			    &s->fills[s->nfills - 1].bg);
		}
		break;
	case SECT_BORDERS:
		if (!strcmp(local, "border")) {
			struct fp_oxborder *b;
			int k;

			if (s->nborders == s->capborders) {
				s->capborders = s->capborders ?
				    s->capborders * 2 : 16;
				s->borders = fp_xreallocarray(s->borders,
				    s->capborders, sizeof *s->borders);
			}
			b = &s->borders[s->nborders++];
			memset(b, 0, sizeof *b);
			for (k = 0; k < 4; k++)
				b->color[k] = 64;	/* automatic */
			s->side = -1;
		} else if (s->nborders == 0) {
			break;
		} else if (!strcmp(local, "color")) {
			if (s->side >= 0)
				color(s, x, attrs,
				    &s->borders[s->nborders - 1].rgb[s->side],
				    &s->borders[s->nborders - 1].color[s->side]);
		} else {
			int k = lookup(fp_xml_attr(x, attrs, 0, "style"), lines,
			    NELEM(lines));

			/* Diagonals are left out: the model has none. */
			s->side = border_side(local);
			if (s->side >= 0)
				s->borders[s->nborders - 1].style[s->side] =
				    (uint8_t)(k > 0 ? k : 0);
		}
		break;
	case SECT_XFS:
		if (!strcmp(local, "xf")) {
			cell_format(s, x, attrs);
			s->in_xf = 1;
		} else if (s->in_xf) {
			cell_format_part(s, x, local, attrs);
		}
		break;
	case SECT_PALETTE:
		if (!strcmp(local, "rgbColor")) {
			uint32_t rgb = argb(fp_xml_attr(x, attrs, 0, "rgb"));

			/* Colours 0 to 7 are fixed; 8 to 63 the file's. */
			if (rgb && s->ncolors >= 8 && s->ncolors < 64)
				fp_wb_set_color(wb, (unsigned)s->ncolors, rgb);
			s->ncolors++;
		}
		break;
	default:
		break;
	}
}

void
fp_oxstyles_end(struct fp_oxstyles *s, const char *local)
{
	struct fp_workbook *wb = s->wb;

	switch (s->sect) {
	case SECT_FONTS:
		if (!strcmp(local, "fonts")) {
			s->sect = SECT_NONE;
		} else if (!strcmp(local, "font") && wb->nfonts > 1) {
			/* Without a name or a size: the workbook's default. */
			struct fp_font *f = &wb->fonts[wb->nfonts - 1];

			if (!s->font_named) {
				free(f->name);
				f->name = fp_xstrdup(wb->fonts[0].name);
			}
			if (!s->font_sized)
				f->height = wb->fonts[0].height;
		}
		break;
	case SECT_FILLS:
		if (!strcmp(local, "fills"))
			s->sect = SECT_NONE;
		break;
	case SECT_BORDERS:
		if (!strcmp(local, "borders"))
			s->sect = SECT_NONE;
		else if (border_side(local) >= 0)
			s->side = -1;
		break;
	case SECT_XFS:
		if (!strcmp(local, "cellXfs"))
			s->sect = SECT_NONE;
		else if (!strcmp(local, "xf"))
			s->in_xf = 0;
		break;
	case SECT_PALETTE:
		if (!strcmp(local, "indexedColors"))
			s->sect = SECT_NONE;
		break;
	default:
		break;
	}
}

void
fp_oxtheme_start(struct fp_oxstyles *s, struct fp_xml *x, const char *local,
    const char **attrs)
{
	const char *v;
	int k;

	if (!strcmp(local, "clrScheme")) {
		if (s->scheme == 0)
			s->scheme = 1;
		return;
	}
	if (s->scheme != 1)
		return;
	k = lookup(local, scheme_colors, NELEM(scheme_colors));
	if (k >= 0) {
		s->slot = k;
		return;
	}
	/* A colour once given stays. */
	if (s->slot < 0 || s->theme[s->slot])
		return;
	if (!strcmp(local, "srgbClr"))
		v = fp_xml_attr(x, attrs, 0, "val");
	else if (!strcmp(local, "sysClr"))
		v = fp_xml_attr(x, attrs, 0, "lastClr");
	else
		return;
	s->theme[s->slot] = argb(v);
}

void
fp_oxtheme_forget(struct fp_oxstyles *s)
{
	memset(s->theme, 0, sizeof s->theme);
	s->scheme = 0;
	s->slot = -1;
}

void
fp_oxtheme_end(struct fp_oxstyles *s, const char *local)
{
	if (s->scheme == 1 && !strcmp(local, "clrScheme"))
		s->scheme = 2;
	else if (lookup(local, scheme_colors, NELEM(scheme_colors)) >= 0)
		s->slot = -1;
}

long
fp_oxlooks_xf(const char *v, size_t nxfs)
{
	unsigned long k;
	char *end;

	if (!v || !(*v >= '0' && *v <= '9'))
		return -1;
	k = strtoul(v, &end, 10);
	if (*end || k >= nxfs || k > UINT16_MAX)
		return -1;
	return (long)k;
}

void
fp_oxsheet_init(struct fp_oxsheet *s, struct fp_sheet *sh)
{
	memset(s, 0, sizeof *s);
	s->sh = sh;
	fp_buf_init(&s->text);
}

void
fp_oxsheet_finish(struct fp_oxsheet *s)
{
	struct fp_page *pg = &s->sh->looks.page;

	/* Fit to pages without saying how many: one by one. */
	if (pg->fit && pg->fitw < 0)
		pg->fitw = 1;
	if (pg->fit && pg->fith < 0)
		pg->fith = 1;
	fp_buf_release(&s->text);
}

/* A top-left cell ("B2") as a row and column from 0; 0 if it is none. */
static int
cell_ref(const char *v, uint32_t *row, uint32_t *col)
{
	unsigned long c = 0, r = 0;

	if (!v)
		return 0;
	for (; (*v >= 'A' && *v <= 'Z') && c <= 16384; v++)
		c = c * 26 + (unsigned long)(*v - 'A' + 1);
	for (; (*v >= '0' && *v <= '9') && r <= 1048576; v++)
		r = r * 10 + (unsigned long)(*v - '0');
	if (*v || c < 1 || c > 16384 || r < 1 || r > 1048576)
		return 0;
	*row = (uint32_t)(r - 1);
	*col = (uint32_t)(c - 1);
	return 1;
}

/* The first <sheetView> and its <pane>. */
static void
window(struct fp_oxsheet *s, struct fp_xml *x, const char *local,
    const char **attrs)
{
	struct fp_window *w = &s->sh->looks.win;
	long k;

	if (!strcmp(local, "sheetView")) {
		s->in_view = ++s->views == 1;
		if (!s->in_view)
			return;
		w->selected = flag(x, attrs, "tabSelected", 0);
		w->hide_grid = !flag(x, attrs, "showGridLines", 1);
		k = number(x, attrs, "zoomScale", 400);
		if (k >= 10)
			w->zoom = (int)k;
	} else if (s->in_view && !strcmp(local, "pane")) {
		const char *st = fp_xml_attr(x, attrs, 0, "state");
		uint32_t r, c;

		/* A split that is not frozen is left out. */
		if (!st || (strcmp(st, "frozen") && strcmp(st, "frozenSplit")))
			return;
		k = number(x, attrs, "xSplit", 16383);
		w->fcol = k > 0 ? (uint32_t)k : 0;
		k = number(x, attrs, "ySplit", 1048575);
		w->frow = k > 0 ? (uint32_t)k : 0;
		w->frozen = w->frow || w->fcol;
		w->toprow = w->frow;
		w->leftcol = w->fcol;
		if (cell_ref(fp_xml_attr(x, attrs, 0, "topLeftCell"), &r, &c)) {
			w->toprow = r;
			w->leftcol = c;
		}
	}
}

/* <pageSetup>, <pageMargins>, <printOptions> and <pageSetUpPr>. */
static void
page(struct fp_oxsheet *s, struct fp_xml *x, const char *local,
    const char **attrs)
{
	struct fp_page *pg = &s->sh->looks.page;
	const char *v;
	long k;

	if (!strcmp(local, "pageSetup")) {
		v = fp_xml_attr(x, attrs, 0, "orientation");
		if (v && !strcmp(v, "landscape"))
			pg->landscape = 1;
		else if (v && !strcmp(v, "portrait"))
			pg->landscape = 0;
		k = number(x, attrs, "paperSize", 255);
		if (k > 0)
			pg->paper = (int)k;
		k = number(x, attrs, "scale", 400);
		if (k >= 10)
			pg->scale = (int)k;
		k = number(x, attrs, "fitToWidth", 32767);
		if (k >= 0)
			pg->fitw = (int)k;
		k = number(x, attrs, "fitToHeight", 32767);
		if (k >= 0)
			pg->fith = (int)k;
	} else if (!strcmp(local, "pageMargins")) {
		static const char *const sides[4] = {
			"left", "right", "top", "bottom",
		};
		int i;

		for (i = 0; i < 4; i++)
			pg->margin[i] = measure(x, attrs, sides[i]);
		pg->mheader = measure(x, attrs, "header");
		pg->mfooter = measure(x, attrs, "footer");
	} else if (!strcmp(local, "printOptions")) {
		pg->hcenter = flag(x, attrs, "horizontalCentered", 0);
		pg->vcenter = flag(x, attrs, "verticalCentered", 0);
		pg->gridlines = flag(x, attrs, "gridLines", 0);
	} else if (!strcmp(local, "pageSetUpPr")) {
		pg->fit = flag(x, attrs, "fitToPage", 0);
	}
}

void
fp_oxsheet_start(struct fp_oxsheet *s, struct fp_xml *x, const char *local,
    const char **attrs)
{
	struct fp_sheet_looks *l = &s->sh->looks;
	double d;

	switch (local[0]) {
	case 's':
		if (!strcmp(local, "sheetView")) {
			window(s, x, local, attrs);
		} else if (!strcmp(local, "sheetFormatPr")) {
			d = measure(x, attrs, "defaultRowHeight");
			if (d > 0 && d <= 409.5)
				l->defheight = d;
			/*
			 * The model's default width is BIFF's, without the
			 * padding that defaultColWidth includes.
			 */
			d = measure(x, attrs, "defaultColWidth");
			if (d > 1 && d <= 255)
				l->defwidth = d - 0.43;
			else if ((d = measure(x, attrs, "baseColWidth")) > 0 &&
			    d <= 255)
				l->defwidth = d;
		}
		break;
	case 'p':
		if (!strcmp(local, "pane"))
			window(s, x, local, attrs);
		else
			page(s, x, local, attrs);
		break;
	case 'o':
		if (!strcmp(local, "oddHeader") || !strcmp(local, "oddFooter")) {
			s->hf = local[3] == 'H' ? 1 : 2;
			fp_buf_reset(&s->text);
		}
		break;
	default:
		break;
	}
}

void
fp_oxsheet_end(struct fp_oxsheet *s, const char *local)
{
	struct fp_page *pg = &s->sh->looks.page;

	if (!strcmp(local, "sheetView")) {
		s->in_view = 0;
	} else if (s->hf && (!strcmp(local, "oddHeader") ||
	    !strcmp(local, "oddFooter"))) {
		char **dst = s->hf == 1 ? &pg->header : &pg->footer;

		if (s->text.len) {
			free(*dst);
			*dst = fp_xstrndup(s->text.s, s->text.len);
		}
		s->hf = 0;
	}
}

void
fp_oxsheet_text(struct fp_oxsheet *s, const char *text, size_t len)
{
	/* Excel caps a header at 255 characters; more is not kept. */
	if (s->hf && s->text.len < 4096)
		fp_buf_add(&s->text, text, len);
}

void
fp_oxsheet_row(struct fp_oxsheet *s, struct fp_xml *x, uint32_t row,
    const char **attrs, size_t nxfs)
{
	struct fp_rowinfo *ri;
	double ht = measure(x, attrs, "ht");
	int hidden = flag(x, attrs, "hidden", 0);
	long xf = flag(x, attrs, "customFormat", 0) ?
	    fp_oxlooks_xf(fp_xml_attr(x, attrs, 0, "s"), nxfs) : -1;

	if (ht > 409.5)
		ht = -1;
	if (ht < 0 && !hidden && xf < 0)
		return;
	ri = fp_sheet_add_row(s->sh, row);
	ri->height = ht > 0 ? ht : 0;
	ri->hidden = (uint8_t)hidden;
	ri->custom = (uint8_t)flag(x, attrs, "customHeight", 0);
	ri->has_xf = xf >= 0;
	ri->xf = xf >= 0 ? (uint16_t)xf : 0;
}
