/*
 * What a number format shows for a number when it writes words around
 * it: a year typed as 2022 under "（"0"年度）" is seen as （2022年度）, an
 * amount under #,##0.00"万元" as 1,234.50万元. The mapping matches its
 * patterns against that text; the value stays the number.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reader.h"
#include "workbook.h"

/*
 * The length of the section of a format code at p: up to its ';' (not
 * one quoted, escaped or in brackets) or the code's end.
 */
static size_t
section_len(const char *p)
{
	size_t n;
	int quoted = 0, depth = 0;

	for (n = 0; p[n]; n++) {
		char c = p[n];

		if (quoted)
			quoted = c != '"';
		else if (c == '"')
			quoted = 1;
		else if ((c == '\\' || c == '_' || c == '*') && p[n + 1])
			n++;
		else if (c == '[')
			depth++;
		else if (c == ']')
			depth -= depth > 0;
		else if (!depth && c == ';')
			break;
	}
	return n;
}

/*
 * The section of code that shows x (positive;negative;zero;text), as a
 * pointer into code and its length; *neg is set if x is shown without
 * its sign because the section says how a negative number looks.
 */
static const char *
section(const char *code, double x, size_t *len, int *neg)
{
	const char *sec[3] = { code, NULL, NULL };
	size_t n = 1, want = 0, k;

	while (n < 3 && sec[n - 1][k = section_len(sec[n - 1])]) {
		sec[n] = sec[n - 1] + k + 1;
		n++;
	}
	*neg = 0;
	if (x < 0 && n >= 2) {
		want = 1;
		*neg = 1;
	} else if (x == 0 && n >= 3) {
		want = 2;
	}
	*len = section_len(sec[want]);
	return sec[want];
}

/* 1 if the n bytes at s hold a letter, a digit or a character past ASCII. */
static int
wordy(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80 ||
		    (s[i] >= '0' && s[i] <= '9') ||
		    ((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'z'))
			return 1;
	return 0;
}

/* Appends n bytes of s to buf (size bytes) at *at; 0 if they do not fit. */
static int
put(char *buf, size_t size, size_t *at, const char *s, size_t n)
{
	if (*at + n >= size)
		return 0;
	memcpy(buf + *at, s, n);
	*at += n;
	buf[*at] = '\0';
	return 1;
}

/* Digit j of d, of which the first keep are kept; 0 elsewhere. */
static char
digit(const char *d, int keep, int j)
{
	return j >= 0 && j < keep && j <= 15 ? d[j] : '0';
}

/*
 * x (less than 10^15 in size) with the decimals given, as Excel shows it:
 * its 15 significant digits rounded half away from zero (1.005 with two
 * decimals is 1.01, 3.25 with one 3.3), into num (64 bytes). Returns the
 * length.
 */
static int
decimal(char *num, double x, int decimals)
{
	char e[32], d[17];
	int exp10, keep, i, j, n = 0, nonzero = 0;

	snprintf(e, sizeof e, "%.14e", fabs(x));
	/*
	 * d[0] is room for a carry, d[1..15] the digits: digit j stands for
	 * 10^(exp10 - j), so that the point comes after d[exp10].
	 */
	d[0] = '0';
	d[1] = e[0];
	memcpy(d + 2, e + 2, 14);
	d[16] = '\0';
	exp10 = atoi(e + 17) + 1;
	keep = exp10 + decimals + 1;
	if (keep >= 1 && keep <= 15 && d[keep] >= '5')
		for (i = keep - 1; i >= 0 && ++d[i] > '9'; i--)
			d[i] = '0';
	if (x < 0)
		num[n++] = '-';
	if (exp10 < 0)
		num[n++] = '0';
	for (j = 0; j <= exp10; j++) {
		char c = digit(d, keep, j);

		if (n == (x < 0) && c == '0' && j < exp10)
			continue;
		num[n++] = c;
	}
	if (decimals)
		num[n++] = '.';
	for (j = exp10 + 1; j <= exp10 + decimals; j++)
		num[n++] = digit(d, keep, j);
	num[n] = '\0';
	for (i = 0; i < n; i++)
		nonzero |= num[i] >= '1' && num[i] <= '9';
	if (x < 0 && !nonzero) {
		/* -0.001 shown with two decimals is 0.00. */
		memmove(num, num + 1, (size_t)n);
		n--;
	}
	return n;
}

/*
 * The number as a run of placeholders p..p+n shows it: the decimals of
 * its 0, # and ? after the point (no more than 15), thousands grouped
 * where a comma stands between placeholders, times 100 with a %.
 */
static int
put_number(char *buf, size_t size, size_t *at, double x, const char *p,
    size_t n)
{
	char num[64], out[96];
	size_t i, o = 0, digits;
	int point = 0, decimals = 0, group = 0, percent = 0, len;
	const char *dot;

	for (i = 0; i < n; i++) {
		if (p[i] == '.')
			point = 1;
		else if (p[i] == '%')
			percent = 1;
		else if (p[i] == ',' && i + 1 < n && strchr("0#?", p[i + 1]))
			group = !point;
		else if (point && strchr("0#?", p[i]) && decimals < 15)
			decimals++;
	}
	if (percent)
		x *= 100;
	if (!(fabs(x) < 1e15))
		return 0;
	len = decimal(num, x, decimals);
	dot = strchr(num, '.');
	digits = dot ? (size_t)(dot - num) : (size_t)len;
	for (i = 0; i < (size_t)len; i++) {
		out[o++] = num[i];
		if (group && i + 1 < digits && num[i] != '-' &&
		    (digits - i - 1) % 3 == 0)
			out[o++] = ',';
	}
	if (percent)
		out[o++] = '%';
	return put(buf, size, at, out, o);
}

/*
 * The text section code..code+n shows for x: 0 where it shows no words,
 * or shows x as no plain decimal (an exponent, a fraction, text).
 */
static size_t
shown(const char *code, size_t n, double x, char *buf, size_t size)
{
	size_t at = 0, i = 0;
	int words = 0, done = 0;

	buf[0] = '\0';
	while (i < n) {
		char c = code[i];

		if (c == '"') {
			size_t j = i + 1;

			while (j < n && code[j] != '"')
				j++;
			words |= wordy(code + i + 1, j - i - 1);
			if (!put(buf, size, &at, code + i + 1, j - i - 1))
				return 0;
			i = j + 1;
		} else if (c == '\\' && i + 1 < n) {
			/* One character, however many bytes it takes. */
			size_t j = i + 2;

			while (j < n && ((unsigned char)code[j] & 0xC0) == 0x80)
				j++;
			words |= wordy(code + i + 1, j - i - 1);
			if (!put(buf, size, &at, code + i + 1, j - i - 1))
				return 0;
			i = j;
		} else if ((c == '_' || c == '*') && i + 1 < n) {
			i += 2;
			while (i < n && ((unsigned char)code[i] & 0xC0) == 0x80)
				i++;
		} else if (c == '[') {
			while (i < n && code[i] != ']')
				i++;
			i++;
		} else if (strchr("0#?.,%", c)) {
			size_t j = i;

			while (j < n && strchr("0#?.,%", code[j]))
				j++;
			if (j < n && (code[j] == '/' || code[j] == 'E' ||
			    code[j] == 'e'))
				return 0;
			if (!done && !put_number(buf, size, &at, x, code + i,
			    j - i))
				return 0;
			done = 1;
			i = j;
		} else if ((unsigned char)c >= 0x80) {
			words = 1;
			if (!put(buf, size, &at, code + i, 1))
				return 0;
			i++;
		} else if (strchr("$-+():/! ^&'~{}<>=", c)) {
			if (!put(buf, size, &at, code + i, 1))
				return 0;
			i++;
		} else {
			/* A letter: a date, General, @ or an exponent. */
			return 0;
		}
	}
	return words && done ? at : 0;
}

size_t
fp_fmt_shown(const char *code, double x, char *buf, size_t size)
{
	const char *sec;
	size_t n;
	int neg;

	if (size == 0 || !isfinite(x))
		return 0;
	sec = section(code, x, &n, &neg);
	return shown(sec, n, neg ? -x : x, buf, size);
}

size_t
fp_workbook_shown(const struct fp_workbook *wb, uint32_t fmt, double x,
    char *buf, size_t size)
{
	if (fmt >= wb->nformats || !wb->formats[fmt].code ||
	    !wb->formats[fmt].words)
		return 0;
	return fp_fmt_shown(wb->formats[fmt].code, x, buf, size);
}

int
fp_fmt_has_words(const char *code)
{
	const char *p;
	int depth = 0;

	for (p = code; *p; p++) {
		if (*p == '[')
			depth++;
		else if (*p == ']')
			depth -= depth > 0;
		else if (!depth && (*p == '"' || *p == '\\' ||
		    (unsigned char)*p >= 0x80))
			return 1;
	}
	return 0;
}

/*
 * How the section of code that shows x scales it: a comma after the last
 * digit placeholder divides by 1,000 (#,##0.00, in thousands), a decimal
 * point written as text between placeholders with no real one moves it
 * (0!.0000 shows 4180000 as 418.0000, 元 as 万元; two such points are a
 * date typed as a number, 0000"."00"."00). Returns the power of ten
 * divided by; *pad is the digits a code of zeros alone pads an integer to
 * (000000000 shows 1003002 as 001003002).
 */
int
fp_fmt_scale(const char *code, double x, int *pad)
{
	size_t n, i;
	int places = 0, zeros = 1, point = 0, lit = -1, commas = 0;
	int plain = 1, pct = 0, lits = 0, neg;

	*pad = 0;
	code = section(code, x, &n, &neg);
	for (i = 0; i < n; i++) {
		char c = code[i];

		if (c == '"') {
			size_t j = i + 1;

			while (j < n && code[j] != '"')
				j++;
			if (j == i + 2 && code[i + 1] == '.' && places &&
			    lits++ == 0)
				lit = places;
			plain = 0;
			i = j;
		} else if ((c == '\\' || c == '!') && i + 1 < n) {
			if (code[i + 1] == '.' && places && lits++ == 0)
				lit = places;
			plain = 0;
			i++;
			while (i + 1 < n &&
			    ((unsigned char)code[i + 1] & 0xC0) == 0x80)
				i++;
		} else if ((c == '_' || c == '*') && i + 1 < n) {
			plain = 0;
			i++;
		} else if (c == '[') {
			while (i < n && code[i] != ']')
				i++;
			plain = 0;
		} else if (c == '0' || c == '#' || c == '?') {
			places++;
			commas = 0;
			zeros &= c == '0';
		} else if (c == '.') {
			point = 1;
		} else if (c == ',') {
			commas += places > 0;
			plain = 0;
		} else if (c == '%') {
			pct = 1;
		} else if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    c == '/' || c == '@') {
			return 0;	/* a date, General, text, an exponent */
		} else {
			plain = 0;
		}
	}
	if (pct)
		return 0;
	if (plain && zeros && !point && places >= 2)
		*pad = places;
	return 3 * commas + (lits == 1 && !point ? places - lit : 0);
}
