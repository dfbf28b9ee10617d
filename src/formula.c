/*
 * The formula decompiler (formula.h): reads a BIFF token array in
 * reverse Polish order onto a stack of texts, each with the precedence of
 * its outermost operator, so an operator puts parentheses only where the
 * tokens did (tParen) or where the tree needs them. Owns the token layout
 * of each BIFF version and Excel's built-in function table (function
 * numbers and fixed argument counts as the file format documents them).
 */
#include "formula.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workbook.h"

/*
 * Built-in functions by number; argc -1 for a variable count. Two have
 * the name .xlsx knows them by: 204 USDOLLAR is DOLLAR, 215 DBCS is JIS.
 */
static const struct {
	const char *name;
	signed char argc;
} ftab[] = {
	[0] = { "COUNT", -1 },
	[1] = { "IF", -1 },
	[2] = { "ISNA", 1 },
	[3] = { "ISERROR", 1 },
	[4] = { "SUM", -1 },
	[5] = { "AVERAGE", -1 },
	[6] = { "MIN", -1 },
	[7] = { "MAX", -1 },
	[8] = { "ROW", -1 },
	[9] = { "COLUMN", -1 },
	[10] = { "NA", 0 },
	[11] = { "NPV", -1 },
	[12] = { "STDEV", -1 },
	[13] = { "DOLLAR", -1 },
	[14] = { "FIXED", -1 },
	[15] = { "SIN", 1 },
	[16] = { "COS", 1 },
	[17] = { "TAN", 1 },
	[18] = { "ATAN", 1 },
	[19] = { "PI", 0 },
	[20] = { "SQRT", 1 },
	[21] = { "EXP", 1 },
	[22] = { "LN", 1 },
	[23] = { "LOG10", 1 },
	[24] = { "ABS", 1 },
	[25] = { "INT", 1 },
	[26] = { "SIGN", 1 },
	[27] = { "ROUND", 2 },
	[28] = { "LOOKUP", -1 },
	[29] = { "INDEX", -1 },
	[30] = { "REPT", 2 },
	[31] = { "MID", 3 },
	[32] = { "LEN", 1 },
	[33] = { "VALUE", 1 },
	[34] = { "TRUE", 0 },
	[35] = { "FALSE", 0 },
	[36] = { "AND", -1 },
	[37] = { "OR", -1 },
	[38] = { "NOT", 1 },
	[39] = { "MOD", 2 },
	[40] = { "DCOUNT", 3 },
	[41] = { "DSUM", 3 },
	[42] = { "DAVERAGE", 3 },
	[43] = { "DMIN", 3 },
	[44] = { "DMAX", 3 },
	[45] = { "DSTDEV", 3 },
	[46] = { "VAR", -1 },
	[47] = { "DVAR", 3 },
	[48] = { "TEXT", 2 },
	[49] = { "LINEST", -1 },
	[50] = { "TREND", -1 },
	[51] = { "LOGEST", -1 },
	[52] = { "GROWTH", -1 },
	[56] = { "PV", -1 },
	[57] = { "FV", -1 },
	[58] = { "NPER", -1 },
	[59] = { "PMT", -1 },
	[60] = { "RATE", -1 },
	[61] = { "MIRR", 3 },
	[62] = { "IRR", -1 },
	[63] = { "RAND", 0 },
	[64] = { "MATCH", -1 },
	[65] = { "DATE", 3 },
	[66] = { "TIME", 3 },
	[67] = { "DAY", 1 },
	[68] = { "MONTH", 1 },
	[69] = { "YEAR", 1 },
	[70] = { "WEEKDAY", -1 },
	[71] = { "HOUR", 1 },
	[72] = { "MINUTE", 1 },
	[73] = { "SECOND", 1 },
	[74] = { "NOW", 0 },
	[75] = { "AREAS", 1 },
	[76] = { "ROWS", 1 },
	[77] = { "COLUMNS", 1 },
	[78] = { "OFFSET", -1 },
	[82] = { "SEARCH", -1 },
	[83] = { "TRANSPOSE", 1 },
	[86] = { "TYPE", 1 },
	[92] = { "SERIESSUM", 4 },
	[97] = { "ATAN2", 2 },
	[98] = { "ASIN", 1 },
	[99] = { "ACOS", 1 },
	[100] = { "CHOOSE", -1 },
	[101] = { "HLOOKUP", -1 },
	[102] = { "VLOOKUP", -1 },
	[105] = { "ISREF", 1 },
	[109] = { "LOG", -1 },
	[111] = { "CHAR", 1 },
	[112] = { "LOWER", 1 },
	[113] = { "UPPER", 1 },
	[114] = { "PROPER", 1 },
	[115] = { "LEFT", -1 },
	[116] = { "RIGHT", -1 },
	[117] = { "EXACT", 2 },
	[118] = { "TRIM", 1 },
	[119] = { "REPLACE", 4 },
	[120] = { "SUBSTITUTE", -1 },
	[121] = { "CODE", 1 },
	[124] = { "FIND", -1 },
	[125] = { "CELL", -1 },
	[126] = { "ISERR", 1 },
	[127] = { "ISTEXT", 1 },
	[128] = { "ISNUMBER", 1 },
	[129] = { "ISBLANK", 1 },
	[130] = { "T", 1 },
	[131] = { "N", 1 },
	[140] = { "DATEVALUE", 1 },
	[141] = { "TIMEVALUE", 1 },
	[142] = { "SLN", 3 },
	[143] = { "SYD", 4 },
	[144] = { "DDB", -1 },
	[148] = { "INDIRECT", -1 },
	[162] = { "CLEAN", 1 },
	[163] = { "MDETERM", 1 },
	[164] = { "MINVERSE", 1 },
	[165] = { "MMULT", 2 },
	[167] = { "IPMT", -1 },
	[168] = { "PPMT", -1 },
	[169] = { "COUNTA", -1 },
	[183] = { "PRODUCT", -1 },
	[184] = { "FACT", 1 },
	[189] = { "DPRODUCT", 3 },
	[190] = { "ISNONTEXT", 1 },
	[193] = { "STDEVP", -1 },
	[194] = { "VARP", -1 },
	[195] = { "DSTDEVP", 3 },
	[196] = { "DVARP", 3 },
	[197] = { "TRUNC", -1 },
	[198] = { "ISLOGICAL", 1 },
	[199] = { "DCOUNTA", 3 },
	[204] = { "DOLLAR", -1 },
	[205] = { "FINDB", -1 },
	[206] = { "SEARCHB", -1 },
	[207] = { "REPLACEB", 4 },
	[208] = { "LEFTB", -1 },
	[209] = { "RIGHTB", -1 },
	[210] = { "MIDB", 3 },
	[211] = { "LENB", 1 },
	[212] = { "ROUNDUP", 2 },
	[213] = { "ROUNDDOWN", 2 },
	[214] = { "ASC", 1 },
	[215] = { "JIS", 1 },
	[216] = { "RANK", -1 },
	[219] = { "ADDRESS", -1 },
	[220] = { "DAYS360", -1 },
	[221] = { "TODAY", 0 },
	[222] = { "VDB", -1 },
	[227] = { "MEDIAN", -1 },
	[228] = { "SUMPRODUCT", -1 },
	[229] = { "SINH", 1 },
	[230] = { "COSH", 1 },
	[231] = { "TANH", 1 },
	[232] = { "ASINH", 1 },
	[233] = { "ACOSH", 1 },
	[234] = { "ATANH", 1 },
	[235] = { "DGET", 3 },
	[244] = { "INFO", 1 },
	[247] = { "DB", -1 },
	[252] = { "FREQUENCY", 2 },
	[261] = { "ERROR.TYPE", 1 },
	[269] = { "AVEDEV", -1 },
	[270] = { "BETADIST", -1 },
	[271] = { "GAMMALN", 1 },
	[272] = { "BETAINV", -1 },
	[273] = { "BINOMDIST", 4 },
	[274] = { "CHIDIST", 2 },
	[275] = { "CHIINV", 2 },
	[276] = { "COMBIN", 2 },
	[277] = { "CONFIDENCE", 3 },
	[278] = { "CRITBINOM", 3 },
	[279] = { "EVEN", 1 },
	[280] = { "EXPONDIST", 3 },
	[281] = { "FDIST", 3 },
	[282] = { "FINV", 3 },
	[283] = { "FISHER", 1 },
	[284] = { "FISHERINV", 1 },
	[285] = { "FLOOR", 2 },
	[286] = { "GAMMADIST", 4 },
	[287] = { "GAMMAINV", 3 },
	[288] = { "CEILING", 2 },
	[289] = { "HYPGEOMDIST", 4 },
	[290] = { "LOGNORMDIST", 3 },
	[291] = { "LOGINV", 3 },
	[292] = { "NEGBINOMDIST", 3 },
	[293] = { "NORMDIST", 4 },
	[294] = { "NORMSDIST", 1 },
	[295] = { "NORMINV", 3 },
	[296] = { "NORMSINV", 1 },
	[297] = { "STANDARDIZE", 3 },
	[298] = { "ODD", 1 },
	[299] = { "PERMUT", 2 },
	[300] = { "POISSON", 3 },
	[301] = { "TDIST", 3 },
	[302] = { "WEIBULL", 4 },
	[303] = { "SUMXMY2", 2 },
	[304] = { "SUMX2MY2", 2 },
	[305] = { "SUMX2PY2", 2 },
	[306] = { "CHITEST", 2 },
	[307] = { "CORREL", 2 },
	[308] = { "COVAR", 2 },
	[309] = { "FORECAST", 3 },
	[310] = { "FTEST", 2 },
	[311] = { "INTERCEPT", 2 },
	[312] = { "PEARSON", 2 },
	[313] = { "RSQ", 2 },
	[314] = { "STEYX", 2 },
	[315] = { "SLOPE", 2 },
	[316] = { "TTEST", 4 },
	[317] = { "PROB", -1 },
	[318] = { "DEVSQ", -1 },
	[319] = { "GEOMEAN", -1 },
	[320] = { "HARMEAN", -1 },
	[321] = { "SUMSQ", -1 },
	[322] = { "KURT", -1 },
	[323] = { "SKEW", -1 },
	[324] = { "ZTEST", -1 },
	[325] = { "LARGE", 2 },
	[326] = { "SMALL", 2 },
	[327] = { "QUARTILE", 2 },
	[328] = { "PERCENTILE", 2 },
	[329] = { "PERCENTRANK", -1 },
	[330] = { "MODE", -1 },
	[331] = { "TRIMMEAN", 2 },
	[332] = { "TINV", 2 },
	[336] = { "CONCATENATE", -1 },
	[337] = { "POWER", 2 },
	[342] = { "RADIANS", 1 },
	[343] = { "DEGREES", 1 },
	[344] = { "SUBTOTAL", -1 },
	[345] = { "SUMIF", -1 },
	[346] = { "COUNTIF", 2 },
	[347] = { "COUNTBLANK", 1 },
	[350] = { "ISPMT", 4 },
	[351] = { "DATEDIF", 3 },
	[352] = { "DATESTRING", 1 },
	[353] = { "NUMBERSTRING", 2 },
	[354] = { "ROMAN", -1 },
	[358] = { "GETPIVOTDATA", 2 },
	[359] = { "HYPERLINK", -1 },
	[360] = { "PHONETIC", 1 },
	[361] = { "AVERAGEA", -1 },
	[362] = { "MAXA", -1 },
	[363] = { "MINA", -1 },
	[364] = { "STDEVPA", -1 },
	[365] = { "VARPA", -1 },
	[366] = { "STDEVA", -1 },
	[367] = { "VARA", -1 },
	[368] = { "BAHTTEXT", 1 },
	[369] = { "THAIDAYOFWEEK", 1 },
	[370] = { "THAIDIGIT", 1 },
	[371] = { "THAIMONTHOFYEAR", 1 },
	[372] = { "THAINUMSOUND", 1 },
	[373] = { "THAINUMSTRING", 1 },
	[374] = { "THAISTRINGLENGTH", 1 },
	[375] = { "ISTHAIDIGIT", 1 },
	[376] = { "ROUNDBAHTDOWN", 1 },
	[377] = { "ROUNDBAHTUP", 1 },
	[378] = { "THAIYEAR", 1 },
	[379] = { "RTD", -1 },
};

#define NFUNCS (sizeof ftab / sizeof ftab[0])

/* Precedence of an operand's outermost operator; higher binds tighter. */
enum {
	P_CMP = 10,
	P_CONCAT = 20,
	P_ADD = 30,
	P_MUL = 40,
	P_POW = 50,
	P_PERCENT = 60,
	P_UNARY = 70,
	P_UNION = 80,
	P_ISECT = 85,
	P_RANGE = 90,
	P_LEAF = 100,
};

struct item {
	char *s;
	size_t len;
	int prec;
};

struct stack {
	struct item *v;
	size_t n, cap;
};

static void
push(struct stack *st, char *s, size_t len, int prec)
{
	if (st->n == st->cap) {
		st->cap = st->cap ? st->cap * 2 : 16;
		st->v = fp_xreallocarray(st->v, st->cap, sizeof *st->v);
	}
	st->v[st->n].s = s;
	st->v[st->n].len = len;
	st->v[st->n].prec = prec;
	st->n++;
}

static void
push_buf(struct stack *st, struct fp_buf *b, int prec)
{
	size_t len = b->len;

	if (!b->s)
		fp_buf_addc(b, '\0');
	push(st, fp_buf_detach(b), len, prec);
}

/* Appends an operand, in parentheses if it binds looser than min. */
static void
add_operand(struct fp_buf *b, const struct item *it, int min)
{
	if (it->prec < min) {
		fp_buf_addc(b, '(');
		fp_buf_add(b, it->s, it->len);
		fp_buf_addc(b, ')');
	} else {
		fp_buf_add(b, it->s, it->len);
	}
}

void
fp_formula_cell(struct fp_buf *out, uint32_t row, uint32_t col, int rowabs,
    int colabs)
{
	char name[8];

	fp_colname(col, name);
	fp_buf_printf(out, "%s%s%s%u", colabs ? "$" : "", name,
	    rowabs ? "$" : "", row + 1);
}

void
fp_formula_sheet(struct fp_buf *out, const char *name)
{
	const char *p;
	int plain = *name != '\0';

	/* A plain word: letters, digits, '_' and '.', not starting with a digit. */
	for (p = name; *p && plain; p++) {
		unsigned char c = (unsigned char)*p;

		if (!(c >= 0x80 || (c >= 'A' && c <= 'Z') || (c >= 'a' &&
		    c <= 'z') || c == '_' || c == '.' || (c >= '0' && c <= '9')))
			plain = 0;
	}
	if (plain && name[0] >= '0' && name[0] <= '9')
		plain = 0;
	if (plain) {
		/* Not something a formula would read as a cell: A1, R1C1, XFD1. */
		size_t letters = strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "abcdefghijklmnopqrstuvwxyz");

		if (letters > 0 && letters <= 3 && name[letters] &&
		    strspn(name + letters, "0123456789") ==
		    strlen(name + letters))
			plain = 0;
		if ((name[0] == 'R' || name[0] == 'r' || name[0] == 'C' ||
		    name[0] == 'c') && strspn(name + 1, "0123456789RrCc") ==
		    strlen(name + 1))
			plain = 0;
		if (!strcmp(name, "TRUE") || !strcmp(name, "FALSE"))
			plain = 0;
	}
	if (plain) {
		fp_buf_adds(out, name);
		return;
	}
	fp_buf_addc(out, '\'');
	for (p = name; *p; p++) {
		if (*p == '\'')
			fp_buf_addc(out, '\'');
		fp_buf_addc(out, *p);
	}
	fp_buf_addc(out, '\'');
}

/* A little-endian IEEE double. */
static double
rd_double(const unsigned char *p)
{
	uint64_t u = 0;
	double v;
	int i;

	for (i = 7; i >= 0; i--)
		u = u << 8 | p[i];
	memcpy(&v, &u, sizeof v);
	return v;
}

/* The state of one decompilation. */
struct dc {
	const struct fp_fmla_env *env;
	const unsigned char *p;	/* the tokens */
	size_t n, pos;
	const unsigned char *x;	/* the extra data after them */
	size_t nx, xpos;
	struct stack st;
	struct fp_buf b;	/* scratch */
	struct fp_diag *d;
	int v8;
};

static enum fp_err
bad(struct dc *c, const char *what)
{
	return fp_diag(c->d, FP_ECORRUPT, "formula token 0x%02X at byte %zu: "
	    "%s", c->pos < c->n ? c->p[c->pos] : 0, c->pos, what);
}

/* 1 if len bytes after the token byte are there. */
static int
have(const struct dc *c, size_t len)
{
	return c->n - c->pos > len;
}

/*
 * A cell of a reference: the row and column fields as the version stores
 * them, made absolute (rel: offsets from the formula's cell).
 */
static void
cell_addr(const struct dc *c, const unsigned char *q, int rel, uint32_t *row,
    uint32_t *col, int *rowrel, int *colrel)
{
	if (c->v8) {
		uint32_t rf = fp_rd16(q), cf = fp_rd16(q + 2);

		*rowrel = (cf & 0x8000) != 0;
		*colrel = (cf & 0x4000) != 0;
		*row = rf;
		*col = cf & 0xFF;
		if (rel && *rowrel)
			*row = (c->env->row + (uint32_t)(int16_t)rf) & 0xFFFF;
		if (rel && *colrel)
			*col = (c->env->col + (uint32_t)(int8_t)(cf & 0xFF)) &
			    0xFF;
	} else {
		uint32_t rf = fp_rd16(q), cf = q[2];

		*rowrel = (rf & 0x8000) != 0;
		*colrel = (rf & 0x4000) != 0;
		*row = rf & 0x3FFF;
		*col = cf;
		if (rel && *rowrel) {
			int32_t off = (int32_t)(rf & 0x3FFF);

			if (off & 0x2000)
				off -= 0x4000;
			*row = (uint32_t)((int32_t)c->env->row + off) & 0x3FFF;
		}
		if (rel && *colrel)
			*col = (c->env->col + (uint32_t)(int8_t)cf) & 0xFF;
	}
}

/* Appends one cell reference read at q. */
static void
add_ref(struct dc *c, struct fp_buf *b, const unsigned char *q, int rel)
{
	uint32_t row, col;
	int rr, cr;

	cell_addr(c, q, rel, &row, &col, &rr, &cr);
	fp_formula_cell(b, row, col, !rr, !cr);
}

/* Appends an area read at q: rows first, then columns. */
static void
add_area(struct dc *c, struct fp_buf *b, const unsigned char *q, int rel)
{
	unsigned char a[4], z[4];
	uint32_t r1, c1, r2, c2;
	int rr1, cr1, rr2, cr2;

	if (c->v8) {
		memcpy(a, q, 2);
		memcpy(a + 2, q + 4, 2);
		memcpy(z, q + 2, 2);
		memcpy(z + 2, q + 6, 2);
	} else {
		memcpy(a, q, 2);
		a[2] = q[4];
		memcpy(z, q + 2, 2);
		z[2] = q[5];
	}
	cell_addr(c, a, rel, &r1, &c1, &rr1, &cr1);
	cell_addr(c, z, rel, &r2, &c2, &rr2, &cr2);
	if (r1 == 0 && r2 == (c->v8 ? 0xFFFFu : 0x3FFFu)) {
		/* Whole columns, as Excel writes them: A:A, $B:$C. */
		char n1[8], n2[8];

		fp_colname(c1, n1);
		fp_colname(c2, n2);
		fp_buf_printf(b, "%s%s:%s%s", cr1 ? "" : "$", n1, cr2 ? "" : "$",
		    n2);
		return;
	}
	if (c1 == 0 && c2 == 0xFF) {
		/* Whole rows: 1:1, $2:$3. */
		fp_buf_printf(b, "%s%u:%s%u", rr1 ? "" : "$", r1 + 1,
		    rr2 ? "" : "$", r2 + 1);
		return;
	}
	fp_formula_cell(b, r1, c1, !rr1, !cr1);
	fp_buf_addc(b, ':');
	fp_formula_cell(b, r2, c2, !rr2, !cr2);
}

/* Appends a string constant, in quotes, from an 8-bit or BIFF8 string. */
static enum fp_err
add_string(struct dc *c, struct fp_buf *b, const unsigned char *q, size_t avail,
    size_t *used, int lenbytes)
{
	struct fp_buf t = FP_BUF_INIT;
	size_t cch, i, k = (size_t)lenbytes;

	if (avail < k)
		return bad(c, "string cut short");
	cch = lenbytes == 1 ? q[0] : fp_rd16(q);
	if (c->v8) {
		unsigned wide;

		if (avail < k + 1)
			return bad(c, "string cut short");
		wide = q[k] & 1;
		k++;
		if ((avail - k) / (wide ? 2 : 1) < cch)
			return bad(c, "string cut short");
		for (i = 0; i < cch; i++) {
			uint32_t u = wide ? fp_rd16(q + k + 2 * i) : q[k + i];

			if (u >= 0xD800 && u <= 0xDBFF && wide && i + 1 < cch) {
				uint32_t lo = fp_rd16(q + k + 2 * i + 2);

				if (lo >= 0xDC00 && lo <= 0xDFFF) {
					u = 0x10000 + ((u - 0xD800) << 10) +
					    (lo - 0xDC00);
					i++;
				}
			}
			if (u >= 0xD800 && u <= 0xDFFF)
				u = 0xFFFD;
			fp_utf8_put(&t, u);
		}
		k += cch * (wide ? 2 : 1);
	} else {
		if (avail - k < cch)
			return bad(c, "string cut short");
		if (c->env->text)
			c->env->text(c->env->ctx, q + k, cch, &t);
		else
			for (i = 0; i < cch; i++)
				fp_utf8_put(&t, q[k + i]);
		k += cch;
	}
	fp_buf_addc(b, '"');
	for (i = 0; i < t.len; i++) {
		if (t.s[i] == '"')
			fp_buf_addc(b, '"');
		fp_buf_addc(b, t.s[i]);
	}
	fp_buf_addc(b, '"');
	fp_buf_release(&t);
	*used = k;
	return FP_OK;
}

/* Reads an array constant's values from the extra data: {1,2;3,4}. */
static enum fp_err
array_const(struct dc *c, struct fp_buf *b)
{
	size_t cols, rows, r, k, used;
	const unsigned char *x = c->x;
	enum fp_err err;

	if (c->nx - c->xpos < 3)
		return bad(c, "array constant without its values");
	cols = (size_t)x[c->xpos] + 1;
	rows = (size_t)fp_rd16(x + c->xpos + 1) + 1;
	if (!c->v8 && cols == 257)
		cols = 256;
	c->xpos += 3;
	fp_buf_addc(b, '{');
	for (r = 0; r < rows; r++) {
		if (r)
			fp_buf_addc(b, ';');
		for (k = 0; k < cols; k++) {
			const unsigned char *q = x + c->xpos;
			size_t avail = c->nx - c->xpos;
			char num[FP_NUM_MAX];

			if (k)
				fp_buf_addc(b, ',');
			if (avail < 1)
				return bad(c, "array constant cut short");
			switch (q[0]) {
			case 0x00:	/* empty */
			case 0x01:	/* number */
			case 0x04:	/* boolean */
			case 0x10:	/* error */
				if (avail < 9)
					return bad(c, "array constant cut short");
				if (q[0] == 0x01) {
					double v = rd_double(q + 1);

					if (v != v || v - v != 0)
						return bad(c, "a number that is "
						    "no number");
					fp_fmt_num(num, v);
					fp_buf_adds(b, num);
				} else if (q[0] == 0x04) {
					fp_buf_adds(b, q[1] ? "TRUE" : "FALSE");
				} else if (q[0] == 0x10) {
					fp_buf_adds(b, fp_error_text(q[1]));
				}
				c->xpos += 9;
				break;
			case 0x02:	/* string */
				err = add_string(c, b, q + 1, avail - 1, &used,
				    c->v8 ? 2 : 1);
				if (err)
					return err;
				c->xpos += 1 + used;
				break;
			default:
				return bad(c, "unknown value in an array constant");
			}
		}
	}
	fp_buf_addc(b, '}');
	return FP_OK;
}

/* Pops the top n items into a function call's text. */
static void
call(struct dc *c, const char *name, size_t nargs)
{
	struct fp_buf *b = &c->b;
	size_t i, first = c->st.n - nargs;

	fp_buf_reset(b);
	fp_buf_adds(b, name);
	fp_buf_addc(b, '(');
	for (i = first; i < c->st.n; i++) {
		if (i > first)
			fp_buf_addc(b, ',');
		/* A union inside an argument list needs its parentheses. */
		add_operand(b, &c->st.v[i], c->st.v[i].prec == P_UNION ?
		    P_UNION + 1 : 0);
		free(c->st.v[i].s);
	}
	fp_buf_addc(b, ')');
	c->st.n = first;
	push_buf(&c->st, b, P_LEAF);
}

/* A binary operator over the top two items. */
static void
binary(struct dc *c, const char *op, int prec)
{
	struct fp_buf *b = &c->b;
	struct item *l = &c->st.v[c->st.n - 2], *r = &c->st.v[c->st.n - 1];

	fp_buf_reset(b);
	add_operand(b, l, prec);
	fp_buf_adds(b, op);
	add_operand(b, r, prec + 1);
	free(l->s);
	free(r->s);
	c->st.n -= 2;
	push_buf(&c->st, b, prec);
}

/* The sheet prefix of a 3-D reference, "Sheet1!"; -1 external, 0 deleted. */
static int
sheet_prefix(struct dc *c, struct fp_buf *b, int ixti, int tab1, int tab2)
{
	int r;

	if (!c->env->sheets)
		return -1;
	r = c->env->sheets(c->env->ctx, ixti, tab1, tab2, b);
	if (r == 1)
		fp_buf_addc(b, '!');
	return r;
}

/* Sizes of the data after each operand token (0x20 to 0x3F), per version. */
static size_t
operand_size(const struct dc *c, unsigned base)
{
	int v = c->env->biff;

	switch (base) {
	case 0x20: return 7;					/* tArray */
	case 0x21: return v >= 4 ? 2 : 1;			/* tFunc */
	case 0x22: return v >= 4 ? 3 : 2;			/* tFuncVar */
	case 0x23: return v == 8 ? 4 : v == 5 ? 14 : v == 2 ? 7 : 10; /* tName */
	case 0x24: case 0x2A: case 0x2C: return v == 8 ? 4 : 3;	/* tRef */
	case 0x25: case 0x2B: case 0x2D: return v == 8 ? 8 : 6;	/* tArea */
	case 0x26: case 0x27: case 0x28:			/* tMem* */
		return v == 2 ? 4 : 6;
	case 0x29: case 0x2E: case 0x2F: return v <= 3 ? 1 : 2;	/* tMemFunc */
	case 0x39: return v == 8 ? 6 : 24;			/* tNameX */
	case 0x3A: case 0x3C: return v == 8 ? 6 : 17;		/* tRef3d */
	case 0x3B: case 0x3D: return v == 8 ? 10 : 20;		/* tArea3d */
	default: return (size_t)-1;
	}
}

/* One operand token (0x20 to 0x7F) at c->pos; advances past it. */
static enum fp_err
operand(struct dc *c, unsigned base)
{
	const unsigned char *q;
	struct fp_buf *b = &c->b;
	size_t size = operand_size(c, base);
	enum fp_err err;
	int r;

	if (size == (size_t)-1)
		return bad(c, "a token formpipe does not read");
	if (base >= 0x39 && c->env->biff < 5)
		return bad(c, "a token formpipe does not read");
	if (!have(c, size))
		return bad(c, "tokens cut short");
	q = c->p + c->pos + 1;
	fp_buf_reset(b);
	switch (base) {
	case 0x20:	/* tArray */
		err = array_const(c, b);
		if (err)
			return err;
		break;
	case 0x21:	/* tFunc */
	case 0x22: {	/* tFuncVar */
		unsigned idx, nargs;

		if (base == 0x21) {
			idx = c->env->biff >= 4 ? fp_rd16(q) : q[0];
			nargs = idx < NFUNCS && ftab[idx].name &&
			    ftab[idx].argc >= 0 ? (unsigned)ftab[idx].argc : 0;
			if (idx >= NFUNCS || !ftab[idx].name ||
			    ftab[idx].argc < 0)
				return bad(c, "a function formpipe does not know");
		} else {
			nargs = q[0] & 0x7F;
			idx = c->env->biff >= 4 ? fp_rd16(q + 1) : q[1];
			/* A macro command's number, of another table. */
			if (idx & 0x8000)
				return bad(c, "a macro command");
		}
		if (nargs > c->st.n)
			return bad(c, "a function with too few arguments");
		if (idx == 255 && base == 0x22) {
			/* A function from an add-in or newer Excel: its name first. */
			struct item fn;
			char *name;

			if (nargs == 0)
				return bad(c, "an add-in function without its name");
			fn = c->st.v[c->st.n - nargs];
			name = fn.s;
			memmove(&c->st.v[c->st.n - nargs],
			    &c->st.v[c->st.n - nargs + 1],
			    (nargs - 1) * sizeof *c->st.v);
			c->st.n--;
			call(c, name, nargs - 1);
			free(name);
		} else {
			if (idx >= NFUNCS || !ftab[idx].name)
				return bad(c, "a function formpipe does not know");
			call(c, ftab[idx].name, nargs);
		}
		c->pos += 1 + size;
		return FP_OK;
	}
	case 0x23:	/* tName */
		if (!c->env->name || !c->env->name(c->env->ctx, 0, 0, fp_rd16(q), b))
			return bad(c, "a name the workbook does not define");
		break;
	case 0x24:	/* tRef */
	case 0x2C:	/* tRefN */
		add_ref(c, b, q, base == 0x2C);
		break;
	case 0x25:	/* tArea */
	case 0x2D:	/* tAreaN */
		add_area(c, b, q, base == 0x2D);
		break;
	case 0x2A:	/* tRefErr */
	case 0x2B:	/* tAreaErr */
		fp_buf_adds(b, "#REF!");
		break;
	case 0x26: case 0x27: case 0x28:	/* tMemArea, tMemErr, tMemNoMem */
		if (base == 0x26 && c->v8) {
			/* Its cell ranges, in the extra data. */
			size_t cnt;

			if (c->nx - c->xpos < 2)
				return bad(c, "tokens cut short");
			cnt = fp_rd16(c->x + c->xpos);
			if ((c->nx - c->xpos - 2) / 8 < cnt)
				return bad(c, "tokens cut short");
			c->xpos += 2 + cnt * 8;
		}
		c->pos += 1 + size;
		return FP_OK;
	case 0x29: case 0x2E: case 0x2F:	/* tMemFunc, tMemAreaN, ... */
		c->pos += 1 + size;
		return FP_OK;
	case 0x39:	/* tNameX */
		if (!c->env->name || !c->env->name(c->env->ctx, 1,
		    c->v8 ? (int)fp_rd16(q) : (int)(int16_t)fp_rd16(q),
		    c->v8 ? fp_rd16(q + 2) : fp_rd16(q + 10), b))
			return bad(c, "an external name formpipe cannot write");
		break;
	case 0x3A: case 0x3B: case 0x3C: case 0x3D: {	/* 3-D */
		int ixti = c->v8 ? (int)fp_rd16(q) : (int)(int16_t)fp_rd16(q);
		int tab1 = c->v8 ? -1 : (int)(int16_t)fp_rd16(q + 10);
		int tab2 = c->v8 ? -1 : (int)(int16_t)fp_rd16(q + 12);
		const unsigned char *a = q + (c->v8 ? 2 : 14);

		r = sheet_prefix(c, b, ixti, tab1, tab2);
		if (r < 0)
			return bad(c, "a reference to another workbook");
		if (r == 0 || base >= 0x3C) {
			fp_buf_reset(b);
			fp_buf_adds(b, "#REF!");
		} else if (base == 0x3A) {
			add_ref(c, b, a, 0);
		} else {
			add_area(c, b, a, 0);
		}
		break;
	}
	default:
		return bad(c, "a token formpipe does not read");
	}
	push_buf(&c->st, b, P_LEAF);
	c->pos += 1 + size;
	return FP_OK;
}

/* tAttr at c->pos: only tAttrSum changes the text; the rest is skipped. */
static enum fp_err
attr(struct dc *c)
{
	size_t dlen = c->env->biff == 2 ? 1 : 2, size;
	unsigned type;

	if (!have(c, 1 + dlen))
		return bad(c, "tokens cut short");
	type = c->p[c->pos + 1];
	size = 1 + dlen;
	if (type & 0x04) {
		/* tAttrChoose: a jump table of count + 1 offsets. */
		size_t cnt = dlen == 1 ? c->p[c->pos + 2] :
		    fp_rd16(c->p + c->pos + 2);

		size += (cnt + 1) * dlen;
		if (!have(c, size))
			return bad(c, "tokens cut short");
	}
	if (type & 0x10) {
		if (c->st.n < 1)
			return bad(c, "a sum without its argument");
		call(c, "SUM", 1);
	}
	c->pos += 1 + size;
	return FP_OK;
}

static const struct {
	const char *text;
	int prec;
} binops[] = {
	[0x03] = { "+", P_ADD }, [0x04] = { "-", P_ADD },
	[0x05] = { "*", P_MUL }, [0x06] = { "/", P_MUL },
	[0x07] = { "^", P_POW }, [0x08] = { "&", P_CONCAT },
	[0x09] = { "<", P_CMP }, [0x0A] = { "<=", P_CMP },
	[0x0B] = { "=", P_CMP }, [0x0C] = { ">=", P_CMP },
	[0x0D] = { ">", P_CMP }, [0x0E] = { "<>", P_CMP },
	[0x0F] = { " ", P_ISECT }, [0x10] = { ",", P_UNION },
	[0x11] = { ":", P_RANGE },
};

/* One token at c->pos. */
static enum fp_err
token(struct dc *c)
{
	unsigned op = c->p[c->pos];
	struct fp_buf *b = &c->b;
	char num[FP_NUM_MAX];
	enum fp_err err;
	size_t used;

	if (op >= 0x80)
		return bad(c, "a token formpipe does not read");
	if (op >= 0x20)
		return operand(c, 0x20 | (op & 0x1F));
	switch (op) {
	case 0x01:	/* tExp */
	case 0x02:	/* tTbl */
		return bad(c, "a shared formula's part inside a formula");
	case 0x03: case 0x04: case 0x05: case 0x06: case 0x07: case 0x08:
	case 0x09: case 0x0A: case 0x0B: case 0x0C: case 0x0D: case 0x0E:
	case 0x0F: case 0x10: case 0x11:
		if (c->st.n < 2)
			return bad(c, "an operator without its operands");
		binary(c, binops[op].text, binops[op].prec);
		c->pos++;
		return FP_OK;
	case 0x12:	/* tUplus */
	case 0x13:	/* tUminus */
	case 0x14:	/* tPercent */
	case 0x15: {	/* tParen */
		struct item *it;

		if (c->st.n < 1)
			return bad(c, "an operator without its operand");
		it = &c->st.v[c->st.n - 1];
		fp_buf_reset(b);
		if (op == 0x15) {
			fp_buf_addc(b, '(');
			fp_buf_add(b, it->s, it->len);
			fp_buf_addc(b, ')');
		} else if (op == 0x14) {
			add_operand(b, it, P_PERCENT);
			fp_buf_addc(b, '%');
		} else {
			fp_buf_addc(b, op == 0x12 ? '+' : '-');
			add_operand(b, it, P_UNARY);
		}
		free(it->s);
		c->st.n--;
		push_buf(&c->st, b, op == 0x15 ? P_LEAF : op == 0x14 ?
		    P_PERCENT : P_UNARY);
		c->pos++;
		return FP_OK;
	}
	case 0x16:	/* tMissArg */
		fp_buf_reset(b);
		push_buf(&c->st, b, P_LEAF);
		c->pos++;
		return FP_OK;
	case 0x17:	/* tStr */
		fp_buf_reset(b);
		err = add_string(c, b, c->p + c->pos + 1, c->n - c->pos - 1,
		    &used, 1);
		if (err)
			return err;
		push_buf(&c->st, b, P_LEAF);
		c->pos += 1 + used;
		return FP_OK;
	case 0x19:	/* tAttr */
		return attr(c);
	case 0x1C:	/* tErr */
	case 0x1D:	/* tBool */
		if (!have(c, 1))
			return bad(c, "tokens cut short");
		fp_buf_reset(b);
		if (op == 0x1C)
			fp_buf_adds(b, fp_error_text(c->p[c->pos + 1]));
		else
			fp_buf_adds(b, c->p[c->pos + 1] ? "TRUE" : "FALSE");
		push_buf(&c->st, b, P_LEAF);
		c->pos += 2;
		return FP_OK;
	case 0x1E:	/* tInt */
		if (!have(c, 2))
			return bad(c, "tokens cut short");
		fp_buf_reset(b);
		fp_buf_printf(b, "%u", (unsigned)fp_rd16(c->p + c->pos + 1));
		push_buf(&c->st, b, P_LEAF);
		c->pos += 3;
		return FP_OK;
	case 0x1F: {	/* tNum */
		double v;

		if (!have(c, 8))
			return bad(c, "tokens cut short");
		v = rd_double(c->p + c->pos + 1);
		if (v != v || v - v != 0)
			return bad(c, "a number that is no number");
		/*
		 * As Excel shows a formula's number: 15 significant digits,
		 * and a small one written out (0.00001001, not 1.001E-05).
		 */
		fp_buf_reset(b);
		snprintf(num, sizeof num, "%.15G", v);
		if (v != 0 && v > -1e-4 && v < 1e-4 && (v > 1e-10 ||
		    v < -1e-10)) {
			char *e = strchr(num, 'E');
			int exp = e ? atoi(e + 1) : 0;
			size_t len;

			if (exp < 0) {
				snprintf(num, sizeof num, "%.*f", 14 - exp, v);
				len = strlen(num);
				while (len && num[len - 1] == '0')
					num[--len] = '\0';
			}
		}
		fp_buf_adds(b, num);
		push_buf(&c->st, b, v < 0 ? P_UNARY : P_LEAF);
		c->pos += 9;
		return FP_OK;
	}
	default:	/* tExtended, tSheet, tEndSheet, unknown */
		return bad(c, "a token formpipe does not read");
	}
}

enum fp_err
fp_formula_text(const struct fp_fmla_env *env, const unsigned char *rgce,
    size_t n, const unsigned char *extra, size_t nextra, struct fp_buf *out,
    struct fp_diag *d)
{
	struct dc c;
	enum fp_err err = FP_OK;
	size_t i;

	memset(&c, 0, sizeof c);
	c.env = env;
	c.p = rgce;
	c.n = n;
	c.x = extra;
	c.nx = extra ? nextra : 0;
	c.d = d;
	c.v8 = env->biff >= 8;
	fp_buf_init(&c.b);
	if (n == 0) {
		err = fp_diag(d, FP_ECORRUPT, "a formula without tokens");
		goto out;
	}
	while (c.pos < c.n) {
		err = token(&c);
		if (err)
			goto out;
	}
	if (c.st.n != 1) {
		err = fp_diag(d, FP_ECORRUPT, "formula tokens leave %zu "
		    "operands, not one", c.st.n);
		goto out;
	}
	fp_buf_add(out, c.st.v[0].s, c.st.v[0].len);
out:
	for (i = 0; i < c.st.n; i++)
		free(c.st.v[i].s);
	free(c.st.v);
	fp_buf_release(&c.b);
	return err;
}

enum fp_fmla_ref
fp_formula_ref(int biff, const unsigned char *rgce, size_t n, uint32_t *row,
    uint32_t *col)
{
	size_t need = biff == 2 ? 4 : 5;

	if (n < need || (rgce[0] != 0x01 && rgce[0] != 0x02))
		return FP_FMLA_OWN;
	*row = fp_rd16(rgce + 1);
	*col = biff == 2 ? rgce[3] : fp_rd16(rgce + 3);
	return rgce[0] == 0x01 ? FP_FMLA_EXP : FP_FMLA_TABLE;
}
