/*
 * Labels and values, normalised. Labels lose their white space (U+3000
 * and line breaks too), full-width ASCII forms and trailing colons, so
 * that "联　系　人：" and "联系人" compare equal. Values become what
 * SPEC.md says a fact of their type holds: money in 万元 as a shortest
 * number, counts, scores, phone digits, ISO dates, trimmed text.
 */
#include "normalize.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uninorm.h>

/* 1 for the characters labels and trimming treat as white space. */
static int
is_space(uint32_t cp)
{
	return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' ||
	    cp == '\v' || cp == '\f' || cp == 0xA0 || cp == 0x3000 ||
	    (cp >= 0x2000 && cp <= 0x200B) || cp == 0xFEFF;
}

/*
 * 1 for the characters that show nothing and join or break nothing a
 * reader sees: the soft hyphen, zero-width joiners and marks, the word
 * joiner. Labels and numbers pass over them (人员\u00AD编制 is 人员编制).
 */
static int
is_invisible(uint32_t cp)
{
	return cp == 0xAD || (cp >= 0x200C && cp <= 0x200F) ||
	    (cp >= 0x2060 && cp <= 0x2064) || cp == 0x180E;
}

/* The characters trimmed from both ends of text. */
static int
is_trim(uint32_t cp)
{
	return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' ||
	    cp == 0x3000 || cp == 0xA0;
}

#include "t2s_table.h"

/*
 * The simplified character a traditional one reads as in a label (聯 as
 * 联, 項 as 项: a form filled in traditional characters), else cp.
 */
static uint32_t
t2s(uint32_t cp)
{
	size_t lo = 0, hi = T2S_NPAIRS;

	if (cp >= 0x4000 && cp < 0xA000 &&
	    !(t2s_bits[(cp - 0x4000) >> 3] >> ((cp - 0x4000) & 7) & 1))
		return cp;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t2s_pairs[mid][0] < cp)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < T2S_NPAIRS && t2s_pairs[lo][0] == cp ? t2s_pairs[lo][1] :
	    cp;
}

/*
 * Full-width ASCII forms (U+FF01..U+FF5E) as ASCII; a Kangxi or CJK
 * supplement radical (U+2E80..U+2FDF: ⼈ for 人, as text copied out of a
 * PDF has them) or a CJK compatibility ideograph (U+F900..U+FAFF) as the
 * ideograph it stands for, where Unicode gives one; a traditional
 * ideograph as its simplified one (t2s).
 */
static uint32_t
fold(uint32_t cp)
{
	ucs4_t d[UC_DECOMPOSITION_MAX_LENGTH];
	int tag;

	if (cp >= 0xFF01 && cp <= 0xFF5E)
		return cp - 0xFEE0;
	if (((cp >= 0x2E80 && cp <= 0x2FDF) || (cp >= 0xF900 &&
	    cp <= 0xFAFF)) && uc_decomposition(cp, &tag, d) == 1)
		return t2s(d[0]);
	if ((cp >= 0x3400 && cp <= 0x4DBF) || cp >= 0x20000)
		return t2s(cp);
	return cp;
}

void
fp_norm_label(struct fp_buf *out, const char *s, size_t n)
{
	size_t i = 0, start = out->len;
	uint32_t cp;

	/* As long as the text, mostly: one allocation. */
	fp_buf_grow(out, n);
	while (i < n) {
		size_t k;

		if ((unsigned char)s[i] < 0x80) {
			if (out->len + 1 >= out->cap)	/* after U+FFFDs */
				fp_buf_grow(out, n - i);
			if (!is_space((unsigned char)s[i]))
				out->s[out->len++] = s[i];
			i++;
			continue;
		}
		/*
		 * U+4000 to U+9FFF, most CJK: no space, and folded only if
		 * traditional (its bit in t2s_bits).
		 */
		if ((unsigned char)s[i] >= 0xE4 && (unsigned char)s[i] <= 0xE9 &&
		    i + 2 < n && ((unsigned char)s[i + 1] & 0xC0) == 0x80 &&
		    ((unsigned char)s[i + 2] & 0xC0) == 0x80) {
			uint32_t at = ((uint32_t)(s[i] & 0x0F) << 12 |
			    (uint32_t)(s[i + 1] & 0x3F) << 6 |
			    (uint32_t)(s[i + 2] & 0x3F)) - 0x4000;

			if (out->len + 3 >= out->cap)	/* after U+FFFDs */
				fp_buf_grow(out, n - i);
			if (t2s_bits[at >> 3] >> (at & 7) & 1) {
				fp_utf8_put(out, t2s(at + 0x4000));
			} else {
				memcpy(out->s + out->len, s + i, 3);
				out->len += 3;
			}
			i += 3;
			continue;
		}
		k = fp_utf8_decode(s + i, n - i, &cp);
		if (k == 0)
			break;
		i += k;
		if (is_space(cp) || is_invisible(cp))
			continue;
		fp_utf8_put(out, fold(cp));
	}
	while (out->len > start && out->s[out->len - 1] == ':')
		out->len--;
	if (out->s)
		out->s[out->len] = '\0';
}

void
fp_norm_text(struct fp_buf *out, const char *s, size_t n)
{
	size_t a = 0, b = n, i;
	uint32_t cp;

	/* Trim the front. */
	while (a < b) {
		size_t k = fp_utf8_decode(s + a, b - a, &cp);

		if (!k || !is_trim(cp))
			break;
		a += k;
	}
	/* Trim the back, a character at a time. */
	while (b > a) {
		size_t j = b - 1;

		while (j > a && ((unsigned char)s[j] & 0xC0) == 0x80)
			j--;
		fp_utf8_decode(s + j, b - j, &cp);
		if (!is_trim(cp))
			break;
		b = j;
	}
	fp_buf_grow(out, b - a);
	for (i = a; i < b; i++) {
		if (s[i] == '\r') {
			fp_buf_addc(out, '\n');
			if (i + 1 < b && s[i + 1] == '\n')
				i++;
		} else {
			out->s[out->len++] = s[i];
		}
	}
	out->s[out->len] = '\0';
}

/*
 * Copies the text folded for number parsing: full-width forms as ASCII,
 * white space and thousands separators gone, an apostrophe in front
 * too. Returns the length.
 */
static size_t
numeric_form(const char *s, size_t n, char *buf, size_t cap)
{
	size_t i = 0, m = 0;
	uint32_t cp;

	/* '41: the apostrophe Excel takes as "text", typed in before it. */
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i < n && s[i] == '\'')
		i++;
	while (i < n && m + 4 < cap) {
		size_t k = fp_utf8_decode(s + i, n - i, &cp);

		if (!k)
			break;
		i += k;
		cp = fold(cp);
		if (is_space(cp) || is_invisible(cp) || cp == ',')
			continue;
		if (cp == 0x3002)	/* 。 typed for a point */
			cp = '.';
		if (cp == 0x3007)	/* 〇 typed for a nought */
			cp = '0';
		if (cp == 0x2212)	/* − the minus sign */
			cp = '-';
		if (cp < 0x80) {
			buf[m++] = (char)cp;
		} else if (cp < 0x800) {
			buf[m++] = (char)(0xC0 | (cp >> 6));
			buf[m++] = (char)(0x80 | (cp & 0x3F));
		} else if (cp < 0x10000) {
			buf[m++] = (char)(0xE0 | (cp >> 12));
			buf[m++] = (char)(0x80 | ((cp >> 6) & 0x3F));
			buf[m++] = (char)(0x80 | (cp & 0x3F));
		}
	}
	buf[m] = '\0';
	return m;
}

/* Parses buf (ASCII sign, digits, point, exponent) as a whole number. */
static int
parse_plain(const char *buf, double *x)
{
	const char *p;
	char *end;

	if (!*buf)
		return 0;
	for (p = buf; *p; p++)
		if (!strchr("0123456789+-.eE", *p))
			return 0;
	if (!strpbrk(buf, "0123456789"))
		return 0;
	*x = strtod(buf, &end);
	return *end == '\0' && isfinite(*x);
}

int
fp_parse_number(const char *s, size_t n, double *x)
{
	char buf[256];
	size_t i;

	/*
	 * Text of nothing but ASCII digits, signs, points and exponents, as
	 * facts mostly are, is its own numeric form.
	 */
	for (i = 0; i < n && i < sizeof buf - 1; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || s[i] == '.' ||
		    s[i] == '-' || s[i] == '+' || s[i] == 'e' || s[i] == 'E'))
			break;
	if (i == n) {
		memcpy(buf, s, n);
		buf[n] = '\0';
	} else {
		numeric_form(s, n, buf, sizeof buf);
	}
	return parse_plain(buf, x);
}

/* Removes suffix from buf (length *m) if it ends with it; 1 if it did. */
static int
strip_suffix(char *buf, size_t *m, const char *suffix)
{
	size_t k = strlen(suffix);

	if (*m < k || memcmp(buf + *m - k, suffix, k) != 0)
		return 0;
	*m -= k;
	buf[*m] = '\0';
	return 1;
}

/*
 * An accountant's negative, "(3.38)" (brackets folded to ASCII) or
 * "△3.38" for -3.38: buf (length *m) rewritten with a sign; 1 if it was
 * one.
 */
static int
accounting_negative(char *buf, size_t *m)
{
	static const char delta[] = "\xe2\x96\xb3";	/* △ */

	if (*m > 3 && !memcmp(buf, delta, 3) && buf[3] != '-' &&
	    buf[3] != '+') {
		buf[0] = '-';
		memmove(buf + 1, buf + 3, *m - 2);
		*m -= 2;
		return 1;
	}
	if (*m < 3 || buf[0] != '(' || buf[*m - 1] != ')' ||
	    buf[1] == '-' || buf[1] == '+')
		return 0;
	buf[0] = '-';
	buf[--*m] = '\0';
	return 1;
}

/*
 * A note in brackets after an amount, "219.28(含追加)": cut from buf
 * (length *m); returns the note's words (in buf, past the cut), or NULL
 * if there is none (nothing before the bracket is no amount with a note).
 */
static const char *
cut_note(char *buf, size_t *m)
{
	char *open;

	if (*m < 3 || buf[*m - 1] != ')' || !(open = strrchr(buf, '(')) ||
	    open == buf)
		return NULL;
	buf[*m - 1] = '\0';
	*open = '\0';
	*m = (size_t)(open - buf);
	return open + 1;
}

/* 1 if the text says there is nothing: blank, a dash, a slash, 无. */
static int
says_nothing(const char *buf)
{
	static const char *const none[] = {
		"", "-", "--", "/", "\\", "\xe2\x80\x94", "\xe2\x80\x94\xe2\x80\x94",
		"\xe6\x97\xa0", "\xe2\x80\x93",
	};
	size_t i;

	for (i = 0; i < sizeof none / sizeof none[0]; i++)
		if (!strcmp(buf, none[i]))
			return 1;
	return 0;
}

static void
put_num(struct fp_buf *out, double x)
{
	char buf[FP_NUM_MAX];
	size_t n = fp_fmt_num(buf, x);

	fp_buf_add(out, buf, n);
}

/*
 * The money units, by their power of ten in 万元: 元 is 10^-4 万元. The
 * longer words first, so that 万元 is not taken for 元.
 */
static const struct {
	const char *word;
	int exp;
} money_units[] = {
	{ "\xe7\x99\xbe\xe4\xb8\x87\xe5\x85\x83", 2 },	/* 百万元 */
	{ "\xe4\xb8\x87\xe5\x85\x83", 0 },			/* 万元 */
	{ "\xe5\x8d\x83\xe5\x85\x83", -1 },			/* 千元 */
	{ "\xe4\xba\xbf\xe5\x85\x83", 4 },			/* 亿元 */
	{ "\xe4\xb8\x87", 0 },				/* 万 */
	{ "\xe5\x85\x83", -4 },				/* 元 */
};

#define NUNITS (sizeof money_units / sizeof money_units[0])

/* x, in the unit of power exp of 万元, in 万元 (exact powers of ten). */
static double
in_wan(double x, int exp)
{
	double p = 1;
	int k;

	for (k = exp < 0 ? -exp : exp; k > 0; k--)
		p *= 10;
	return exp < 0 ? x / p : x * p;
}

/* 1 if the text at p ends a unit word: the end, a bracket, a comma, 、. */
static int
ends_unit(const char *p)
{
	return *p == '\0' || *p == ')' || *p == '(' || *p == ',' ||
	    *p == ';' || !strncmp(p, "\xe3\x80\x81", 3);
}

int
fp_money_unit(const char *label, int *exp)
{
	static const char unit[] = "\xe5\x8d\x95\xe4\xbd\x8d:";	/* 单位: */
	static const char rmb[] = "\xe4\xba\xba\xe6\xb0\x91\xe5\xb8\x81";
	size_t n = label ? strlen(label) : 0, i, k;
	const char *p;

	if (!n)
		return 0;
	/* "金额单位:元", "(单位:人民币万元)", "单位:元(保留两位小数)". */
	for (p = strstr(label, unit); p; p = strstr(p + 1, unit)) {
		p += strlen(unit);
		if (!strncmp(p, rmb, strlen(rmb)))	/* 人民币 */
			p += strlen(rmb);
		for (i = 0; i < sizeof money_units / sizeof money_units[0]; i++) {
			k = strlen(money_units[i].word);
			if (!strncmp(p, money_units[i].word, k) &&
			    ends_unit(p + k)) {
				*exp = money_units[i].exp;
				return FP_UNIT_LINE;
			}
		}
	}
	/* "…(元)": a note in brackets that is the unit and nothing else. */
	if (label[n - 1] == ')')
		for (i = 0; i < sizeof money_units / sizeof money_units[0]; i++) {
			k = strlen(money_units[i].word);
			if (n >= k + 2 && label[n - k - 2] == '(' &&
			    !memcmp(label + n - k - 1, money_units[i].word, k)) {
				*exp = money_units[i].exp;
				return FP_UNIT_NOTE;
			}
		}
	return 0;
}

int
fp_money_unit_word(const char *label, int *exp)
{
	size_t i;

	for (i = 0; label && i < NUNITS; i++)
		if (!strcmp(label, money_units[i].word)) {
			*exp = money_units[i].exp;
			return 1;
		}
	return 0;
}

int
fp_money_unit_shown(const char *shown, int *exp)
{
	size_t i, k, n = shown ? strlen(shown) : 0;

	for (i = 0; i < NUNITS; i++) {
		k = strlen(money_units[i].word);
		if (n > k && !memcmp(shown + n - k, money_units[i].word, k) &&
		    shown[n - k - 1] >= '0' && shown[n - k - 1] <= '9') {
			*exp = money_units[i].exp;
			return 1;
		}
	}
	return 0;
}

const char *
fp_money_unit_name(int exp)
{
	size_t i;

	for (i = 0; i < sizeof money_units / sizeof money_units[0]; i++)
		if (money_units[i].exp == exp)
			return money_units[i].word;
	return "?";
}

int
fp_norm_money_in(struct fp_buf *out, const struct fp_value *v, int exp)
{
	char buf[256];
	const char *note;
	size_t m, i;
	double x;

	if (v->is_number) {
		x = in_wan(v->num, exp);
	} else {
		m = numeric_form(v->text, v->len, buf, sizeof buf);
		if (says_nothing(buf))
			return 0;
		if (!strncmp(buf, "\xef\xbf\xa5", 3) || !strncmp(buf, "\xc2\xa5", 2))
			memmove(buf, buf + (buf[0] == '\xef' ? 3 : 2),
			    m - (buf[0] == '\xef' ? 3 : 2) + 1);
		m = strlen(buf);
		/*
		 * A unit written after the amount is its own, in brackets
		 * too (1207.93（万元）); another note in brackets is a
		 * remark on the amount (219.28（含追加）).
		 */
		note = cut_note(buf, &m);
		for (i = 0; note && i < NUNITS; i++)
			if (!strcmp(note, money_units[i].word)) {
				exp = money_units[i].exp;
				break;
			}
		if (!note || i == NUNITS)
			for (i = 0; i < NUNITS; i++)
				if (strip_suffix(buf, &m, money_units[i].word)) {
					exp = money_units[i].exp;
					break;
				}
		accounting_negative(buf, &m);
		if (!parse_plain(buf, &x))
			return 0;
		x = in_wan(x, exp);
	}
	/* Money is kept to 0.01 元 (1e-6 万元): formula noise goes away. */
	if (fabs(x) < 1e9)
		x = nearbyint(x * 1e6) / 1e6;
	put_num(out, x);
	return 1;
}

int
fp_norm_money(struct fp_buf *out, const struct fp_value *v)
{
	return fp_norm_money_in(out, v, 0);
}

/*
 * x as a person would write it: rounded to 14 significant digits, one
 * short of the 15 a spreadsheet keeps, so that a formula's
 * 14.594999999999999 is 14.595 and the noise a pasted result carries in
 * its 15th digit (80.6300000000003) goes away; a number of 14 digits or
 * more before its point keeps 15 (123456789012345.6 is 123456789012346).
 */
static double
shown(double x)
{
	char buf[64];
	double y;

	if (!isfinite(x))
		return x;
	snprintf(buf, sizeof buf, fabs(x) < 1e13 ? "%.14g" : "%.15g", x);
	return parse_plain(buf, &y) ? y : x;
}

/* x times 100 as a person would write it: 0.9357 gives 93.57. */
static double
hundredfold(double x)
{
	return shown(x * 100);
}

/*
 * Removes a unit word from the end of buf (length *m): one to four Han
 * characters (人, 项, 人次, 平方米) after something else. A word with a
 * character that changes the number is no unit: a numeral or multiple
 * (万人, 千米, 萬, 億, 仟), a part or multiple (年半, 倍, 成), or a bound
 * (以上, 左右, 多, 余, 来, 几, 约, 近, 超, 不到, 至). 1 if it did.
 */
static int
strip_unit_word(char *buf, size_t *m)
{
	/*
	 * 〇 一 二 三 四 五 六 七 八 九 十 百 千 万 亿, 零 壹 贰 叁 肆 伍 陆
	 * 柒 捌 玖 拾 佰 仟 萬 億 貳 參 陸 兩 两, 半 倍 成, 以 上 下 左 右 多
	 * 余 餘 来 來 几 幾 约 約 近 超 不 至
	 */
	static const uint32_t changes[] = {
		0x3007, 0x4E00, 0x4E8C, 0x4E09, 0x56DB, 0x4E94, 0x516D,
		0x4E03, 0x516B, 0x4E5D, 0x5341, 0x767E, 0x5343, 0x4E07,
		0x4EBF, 0x96F6, 0x58F9, 0x8D30, 0x53C1, 0x8086, 0x4F0D,
		0x9646, 0x67D2, 0x634C, 0x7396, 0x62FE, 0x4F70, 0x4EDF,
		0x842C, 0x5104, 0x8CB3, 0x53C3, 0x9678, 0x5169, 0x4E24,
		0x534A, 0x500D, 0x6210, 0x4EE5, 0x4E0A, 0x4E0B, 0x5DE6,
		0x53F3, 0x591A, 0x4F59, 0x9918, 0x6765, 0x4F86, 0x51E0,
		0x5E7E, 0x7EA6, 0x7D04, 0x8FD1, 0x8D85, 0x4E0D, 0x81F3,
	};
	size_t k = *m, n = 0, i;
	uint32_t cp;

	while (n < 4 && k >= 3 && fp_utf8_decode(buf + k - 3, 3, &cp) == 3 &&
	    cp >= 0x4E00 && cp <= 0x9FFF) {
		for (i = 0; i < sizeof changes / sizeof changes[0]; i++)
			if (cp == changes[i])
				return 0;
		k -= 3;
		n++;
	}
	if (!n || !k)
		return 0;
	*m = k;
	buf[k] = '\0';
	return 1;
}

/* buf (length m) as a number with one of the unit suffixes, or words. */
static int
unit_number(char *buf, size_t m, const char *const *units, int words,
    double *x)
{
	size_t i;

	for (i = 0; units[i]; i++)
		if (strip_suffix(buf, &m, units[i]))
			return parse_plain(buf, x);
	if (parse_plain(buf, x))
		return 1;
	return words && strip_unit_word(buf, &m) && parse_plain(buf, x);
}

/*
 * A number that may carry one of the unit suffixes given, or with words,
 * any unit word, and after it a remark in brackets (45（含借调1人）,
 * 98（经复核）); with of_total, it may be written over the total it is
 * out of (18/20, 65/100); a number cell to the 15 digits it shows. With
 * shown_pct, a number cell formatted as a percentage counts as what it
 * shows: 0.9357 under 0.00% is 93.57, as "93.57%" written as text would be.
 */
static int
number_with_units(const struct fp_value *v, const char *const *units,
    int words, int shown_pct, int of_total, double *x)
{
	char buf[256];
	char *slash;
	size_t m;
	double total;

	if (v->is_number) {
		*x = shown_pct && v->percent ? hundredfold(v->num) :
		    shown(v->num);
		return 1;
	}
	m = numeric_form(v->text, v->len, buf, sizeof buf);
	if (says_nothing(buf))
		return 0;
	if (unit_number(buf, m, units, words, x))
		return 1;
	if (cut_note(buf, &m) && unit_number(buf, m, units, words, x))
		return 1;
	if (!of_total || !(slash = strchr(buf, '/')) || slash == buf)
		return 0;
	*slash = '\0';
	return unit_number(slash + 1, strlen(slash + 1), units, 0, &total) &&
	    total > 0 && unit_number(buf, (size_t)(slash - buf), units, 0, x);
}

/* The digit a Chinese numeral 〇 ○ 零 一 … 九 stands for; -1 if cp is none. */
static int
han_digit(uint32_t cp)
{
	/* 〇 一 二 三 四 五 六 七 八 九, then ○ and 零 for 〇. */
	static const uint32_t digit[] = {
		0x3007, 0x4e00, 0x4e8c, 0x4e09, 0x56db, 0x4e94, 0x516d, 0x4e03,
		0x516b, 0x4e5d, 0x25cb, 0x96f6,
	};
	size_t d;

	for (d = 0; d < sizeof digit / sizeof digit[0]; d++)
		if (digit[d] == cp)
			return d < 10 ? (int)d : 0;
	return -1;
}

/*
 * The text with its leading Chinese digits, written one by one (二〇二一
 * for 2021; 〇 ○ 零 一 … 九), made ASCII, into b: 1 if there are two or
 * more, or one and nothing else (三), else 0. A word that starts with one
 * (一般, 一致) is no number, nor a number in words (一百, 十二).
 */
static int
ascii_digits(struct fp_buf *b, const char *s, size_t n)
{
	size_t i = 0, k, nd = 0;
	uint32_t cp;
	int d;

	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	for (; i < n; i += k) {
		k = fp_utf8_decode(s + i, n - i, &cp);
		if ((d = han_digit(cp)) < 0)
			break;
		fp_buf_addc(b, (char)('0' + d));
		nd++;
	}
	fp_buf_add(b, s + i, n - i);
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return nd > 1 || (nd == 1 && i == n);
}

int
fp_norm_integer(struct fp_buf *out, const struct fp_value *v)
{
	static const char *const units[] = { NULL };
	struct fp_buf b = FP_BUF_INIT;
	struct fp_value w;
	double x;
	int ok;

	ok = number_with_units(v, units, 1, 0, 0, &x);
	if (!ok && !v->is_number && ascii_digits(&b, v->text, v->len)) {
		w = *v;
		w.text = b.s;
		w.len = b.len;
		ok = number_with_units(&w, units, 1, 0, 0, &x);
	}
	fp_buf_release(&b);
	if (!ok)
		return 0;
	put_num(out, x);
	return 1;
}

int
fp_norm_number(struct fp_buf *out, const struct fp_value *v)
{
	static const char *const units[] = { "%", NULL };
	double x;

	if (!number_with_units(v, units, 1, 1, 0, &x))
		return 0;
	put_num(out, x);
	return 1;
}

int
fp_norm_score(struct fp_buf *out, const struct fp_value *v)
{
	static const char *const units[] = {
		"%", "\xe5\x88\x86", NULL,	/* % 分 */
	};
	double x;

	if (!number_with_units(v, units, 0, 1, 1, &x))
		return 0;
	put_num(out, x);
	return 1;
}

int
fp_norm_phone(struct fp_buf *out, const struct fp_value *v)
{
	size_t start = out->len;

	if (v->is_number) {
		if (v->num >= 0 && v->num < 1e15 && v->num == floor(v->num))
			fp_buf_printf(out, "%.0f", v->num);
		else
			put_num(out, v->num);
		return 1;
	}
	fp_norm_text(out, v->text, v->len);
	/* '0731-1234567: the apostrophe Excel takes as "text", typed in. */
	if (out->len > start + 1 && out->s[start] == '\'' &&
	    out->s[start + 1] >= '0' && out->s[start + 1] <= '9') {
		memmove(out->s + start, out->s + start + 1, out->len - start);
		out->len--;
	}
	return out->len > start;
}

/* Appends y-m-d if it is a real calendar date. */
static int
put_ymd(struct fp_buf *out, long y, long m, long d)
{
	int64_t y2;
	unsigned m2, d2;

	if (y < 1000 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31)
		return 0;
	fp_civil_from_days(fp_days_from_civil(y, (unsigned)m, (unsigned)d),
	    &y2, &m2, &d2);
	if (y2 != y || (long)m2 != m || (long)d2 != d)
		return 0;
	fp_buf_printf(out, "%04ld-%02ld-%02ld", y, m, d);
	return 1;
}

/*
 * The text with its Chinese numerals made ASCII, into b: a run of digits
 * written one by one (二〇二四) is the digits, one with 十 in it the number
 * (十 10, 十二 12, 二十 20, 三十一 31). 1 if the text had any.
 */
static int
han_numerals(struct fp_buf *b, const char *s, size_t n)
{
	int run[8], nrun = 0, any = 0, ten, d;
	size_t i, k;
	uint32_t cp = 0;

	for (i = 0; i <= n; i += k) {
		k = i < n ? fp_utf8_decode(s + i, n - i, &cp) : 1;
		d = i == n ? -1 : cp == 0x5341 ? 10 : han_digit(cp);	/* 十 */
		if (d >= 0 && nrun < (int)(sizeof run / sizeof run[0])) {
			run[nrun++] = d;
			continue;
		}
		for (ten = 0; ten < nrun && run[ten] != 10; ten++)
			;
		if (ten < nrun && ten <= 1 && nrun - ten <= 2 &&
		    (ten == 0 || run[0] < 10) &&
		    (nrun - ten == 1 || run[nrun - 1] < 10))
			fp_buf_printf(b, "%d", (ten ? run[0] : 1) * 10 +
			    (nrun - ten == 2 ? run[nrun - 1] : 0));
		else
			for (d = 0; d < nrun; d++)
				fp_buf_addc(b, (char)('0' + run[d] % 10));
		any |= nrun > 0;
		nrun = 0;
		if (i < n)
			fp_buf_add(b, s + i, k);
	}
	return any;
}

/*
 * text as a date, appended to out: year, month and day, digits apart by
 * 年 月 - / . and an optional 日 or 号; a time of day after it
 * ("2022-03-15 08:30:00") is dropped.
 */
/*
 * 1 if p is the day of the week after a date and nothing else: 星期日,
 * 周三, 礼拜一, in brackets or not (spaces gone, brackets folded).
 */
static int
weekday(const char *p)
{
	static const char *const word[] = {
		"\xe6\x98\x9f\xe6\x9c\x9f",	/* 星期 */
		"\xe7\xa4\xbc\xe6\x8b\x9c",	/* 礼拜 */
		"\xe5\x91\xa8",			/* 周 */
	};
	static const char *const day[] = {
		"\xe4\xb8\x80", "\xe4\xba\x8c", "\xe4\xb8\x89",	/* 一 二 三 */
		"\xe5\x9b\x9b", "\xe4\xba\x94", "\xe5\x85\xad",	/* 四 五 六 */
		"\xe6\x97\xa5", "\xe5\xa4\xa9",			/* 日 天 */
	};
	int open = *p == '(';
	size_t i, j;

	p += open;
	for (i = 0; i < sizeof word / sizeof word[0]; i++)
		if (!strncmp(p, word[i], strlen(word[i])))
			break;
	if (i == sizeof word / sizeof word[0])
		return 0;
	p += strlen(word[i]);
	for (j = 0; j < sizeof day / sizeof day[0]; j++)
		if (!strncmp(p, day[j], 3))
			break;
	if (j == sizeof day / sizeof day[0])
		return 0;
	p += 3;
	return open ? !strcmp(p, ")") : !*p;
}

static int
date_text(struct fp_buf *out, const char *text, size_t len)
{
	char buf[256], *p, *end;
	const char *colon = memchr(text, ':', len);
	size_t n = len;
	long part[3];
	int i;

	if (colon) {
		n = (size_t)(colon - text);
		while (n > 0 && text[n - 1] != ' ' && text[n - 1] != 'T')
			n--;
		if (n == 0)
			n = len;
	}
	numeric_form(text, n, buf, sizeof buf);
	/* 元月 is January: 2023年元月18日. */
	if ((p = strstr(buf, "\xe5\xb9\xb4\xe5\x85\x83\xe6\x9c\x88"))) {
		p[3] = '1';
		memmove(p + 4, p + 6, strlen(p + 6) + 1);
	}
	p = buf;
	for (i = 0; i < 3; i++) {
		if (*p < '0' || *p > '9')
			return 0;
		part[i] = strtol(p, &end, 10);
		p = end;
		if (i < 2) {
			if (*p == '-' || *p == '/' || *p == '.')
				p++;
			else if (!strncmp(p, "\xe5\xb9\xb4", 3) ||	/* 年 */
			    !strncmp(p, "\xe6\x9c\x88", 3))		/* 月 */
				p += 3;
			else
				return 0;
		}
	}
	if (!strncmp(p, "\xe6\x97\xa5", 3) || !strncmp(p, "\xe5\x8f\xb7", 3))
		p += 3;	/* 日 号 */
	if (*p && !weekday(p))
		return 0;
	return put_ymd(out, part[0], part[1], part[2]);
}

int
fp_norm_date(struct fp_buf *out, const struct fp_value *v)
{
	struct fp_buf b = FP_BUF_INIT;
	int ok;

	if (v->is_number) {
		char d[FP_NUM_MAX];
		size_t n;
		double x = v->num;

		/* 20220315 typed as a number. */
		if (!v->is_date && x >= 10000101 && x <= 99991231 &&
		    x == floor(x))
			return put_ymd(out, (long)(x / 10000),
			    (long)fmod(x / 100, 100), (long)fmod(x, 100));
		/*
		 * 2019 in a cell not formatted as a date is a year, no day:
		 * not day 2019 of 1900 (1905-07-11), so it is no date.
		 */
		if (x < 1 || (!v->is_date && x >= 1900 && x <= 2100 &&
		    x == floor(x)))
			return 0;
		n = fp_fmt_date(d, x, v->date1904, FP_DATE_DATE);
		if (!n)
			return 0;
		fp_buf_add(out, d, n);
		return 1;
	}
	/* 2022年3月15日, else 二〇二二年三月十五日 in Chinese numerals. */
	ok = date_text(out, v->text, v->len) ||
	    (han_numerals(&b, v->text, v->len) && date_text(out, b.s, b.len));
	fp_buf_release(&b);
	return ok;
}

/* What a code point is in a line of choices (☑优秀 □良好 □中 □差). */
enum choice_mark { C_WORD, C_SPACE, C_OPEN, C_CLOSE, C_BOX, C_TICK };

static enum choice_mark
choice_mark(uint32_t cp)
{
	switch (cp) {
	case 0x2611: case 0x2612: case 0x2713: case 0x2714:	/* ☑ ☒ ✓ ✔ */
	case 0x221a: case 0x25a0: case 0x25cf: case 0x25c9:	/* √ ■ ● ◉ */
	case 0x25a3:						/* ▣ */
		return C_TICK;
	case 0x25a1: case 0x2610: case 0x25cb: case 0x25ef:	/* □ ☐ ○ ◯ */
		return C_BOX;
	case '(': case 0xff08: case '[': case 0x3010:		/* ( （ [ 【 */
		return C_OPEN;
	case ')': case 0xff09: case ']': case 0x3011:
		return C_CLOSE;
	case ' ': case '\t': case '\n': case '\r': case 0x3000:
	case ':': case 0xff1a: case ',': case 0xff0c:	/* : ： , ， */
	case 0x3001: case ';': case 0xff1b:		/* 、 ; ； */
		return C_SPACE;
	default:
		return C_WORD;
	}
}

/* 1 if s[0..n) holds a tick, or with boxes too a box. */
static int
has_mark(const char *s, size_t n, int boxes)
{
	size_t i = 0, k;
	uint32_t cp;

	while (i < n && (k = fp_utf8_decode(s + i, n - i, &cp)) > 0) {
		enum choice_mark m = choice_mark(cp);

		if (m == C_TICK || (boxes && m == C_BOX))
			return 1;
		i += k;
	}
	return 0;
}

int
fp_has_choice_mark(const char *s, size_t n)
{
	return has_mark(s, n, 1);
}

int
fp_has_tick(const char *s, size_t n)
{
	return has_mark(s, n, 0);
}

int
fp_norm_choice(struct fp_buf *out, const struct fp_value *v)
{
	enum choice_mark *kind;
	size_t *at, n = 0, i, k, tick = 0, nticks = 0, lo, hi, last = 0;
	uint32_t cp;
	int before;

	if (v->is_number || !v->len)
		return 0;
	kind = fp_xcalloc(v->len + 1, sizeof *kind);
	at = fp_xcalloc(v->len + 1, sizeof *at);
	for (i = 0; i < v->len; i += k, n++) {
		k = fp_utf8_decode(v->text + i, v->len - i, &cp);
		at[n] = i;
		kind[n] = choice_mark(cp);
		if (kind[n] == C_TICK) {
			tick = n;
			nticks++;
		}
		if (kind[n] != C_SPACE && kind[n] != C_CLOSE)
			last = n;
	}
	at[n] = v->len;
	/*
	 * The word beside the one ticked mark: before it where the marks
	 * follow their words (优秀□ 良好☑) or it is in brackets (良好（√）),
	 * else after it.
	 */
	lo = tick;
	while (lo > 0 && kind[lo - 1] == C_SPACE)
		lo--;
	before = kind[last] >= C_BOX || (lo > 0 && kind[lo - 1] == C_OPEN);
	if (before) {
		while (lo > 0 && (kind[lo - 1] == C_SPACE ||
		    kind[lo - 1] == C_OPEN))
			lo--;
		hi = lo;
		while (lo > 0 && kind[lo - 1] == C_WORD)
			lo--;
	} else {
		lo = tick + 1;
		while (lo < n && kind[lo] == C_SPACE)
			lo++;
		for (hi = lo; hi < n && kind[hi] == C_WORD; hi++)
			;
	}
	if (nticks == 1 && hi > lo)
		fp_buf_add(out, v->text + at[lo], at[hi] - at[lo]);
	free(kind);
	free(at);
	return nticks == 1 && hi > lo;
}

int
fp_norm_plain(struct fp_buf *out, const struct fp_value *v)
{
	size_t start = out->len;

	if (v->is_number && v->percent) {
		/* 0.98 under 0% is 98%, 0.93 under 0.00% 93.00%. */
		size_t from = out->len, dot;

		put_num(out, hundredfold(v->num));
		dot = strcspn(out->s + from, ".e");
		if (!memchr(out->s + from, 'e', out->len - from)) {
			size_t have = from + dot < out->len ?
			    out->len - from - dot - 1 : 0;

			if (v->percent > 1 && !have)
				fp_buf_addc(out, '.');
			for (; have + 1 < (size_t)v->percent; have++)
				fp_buf_addc(out, '0');
		}
		fp_buf_addc(out, '%');
		return 1;
	}
	if (v->is_number && v->pad && v->num >= 0 && v->num < 1e15 &&
	    v->num == floor(v->num)) {
		/* 1003002 under 000000000 is 001003002, a code. */
		fp_buf_printf(out, "%0*.0f", v->pad, v->num);
		return 1;
	}
	if (v->is_number) {
		put_num(out, v->num);
		return 1;
	}
	fp_norm_text(out, v->text, v->len);
	return out->len > start;
}

int
fp_norm_shown(struct fp_buf *out, const struct fp_value *v)
{
	size_t start = out->len;

	if (!(v->is_date && v->text && v->len))
		return fp_norm_plain(out, v);
	fp_norm_text(out, v->text, v->len);
	return out->len > start;
}

/* 1 for a Han ideograph (CJK unified, extension A). */
static int
is_han(uint32_t cp)
{
	return (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x4E00 && cp <= 0x9FFF);
}

void
fp_norm_unwrap(struct fp_buf *out, size_t start)
{
	size_t i, k, n = 0, m;
	uint32_t cp, prev = 0;
	int breaks = 0;

	for (i = start; i < out->len; i += k, n++) {
		k = fp_utf8_decode(out->s + i, out->len - i, &cp);
		if (!k || n >= 40)
			return;
		if (cp == '\n') {
			uint32_t next = 0;

			if (!is_han(prev) || !fp_utf8_decode(out->s + i + 1,
			    out->len - i - 1, &next) || !is_han(next))
				return;
			breaks = 1;
		}
		prev = cp;
	}
	if (!breaks)
		return;
	for (i = m = start; i < out->len; i++)
		if (out->s[i] != '\n')
			out->s[m++] = out->s[i];
	out->len = m;
	out->s[m] = '\0';
}

int
fp_glob(const char *pat, const char *s)
{
	const char *star = NULL, *mark = NULL;

	while (*s) {
		if (*pat == '*') {
			star = pat++;
			mark = s;
		} else if (*pat == *s) {
			pat++;
			s++;
		} else if (star) {
			pat = star + 1;
			s = ++mark;
		} else {
			return 0;
		}
	}
	while (*pat == '*')
		pat++;
	return *pat == '\0';
}
