/*
 * The shortest decimal text of a double, and fp_fmt_num's layout of it.
 *
 * The digits are found as in Giulietti's "The Schubfach way to render
 * doubles" (2020): a double x = c 2^q has the rounding interval
 * [(c - 1/2) 2^q, (c + 1/2) 2^q] (narrower below a power of two). With
 * k = floor(log10(2^q)), the interval is narrower than 10^(k+1), so it
 * holds at most one multiple of 10^(k+1) and at most a few of 10^k: the
 * shortest decimal is one of s 10^k, (s + 1) 10^k, where s = floor(x /
 * 10^k), or one of their neighbours that are multiples of 10^(k+1). The
 * scaled values 4 x / 10^k and the interval's ends come from one 128-bit
 * approximation of 10^-k (numfmt_table.h, made by tests/tools/numfmt-
 * table), rounded so that comparisons against the candidates stay exact.
 *
 * Owns nothing; no allocation, no locale, no libc number conversion but
 * for powers of two (see fp_num_shortest).
 */
#include "numfmt.h"
#include "util.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "numfmt_table.h"

__extension__ typedef unsigned __int128 u128;

#define MASK63 0x7FFFFFFFFFFFFFFFULL
#define C_MIN (1ULL << 52)	/* the hidden bit: c of a normal double */
#define Q_MIN (-1074)		/* q of the subnormals */

/* floor(q log10(2)), for |q| <= 1700 or so. */
static int
flog10pow2(int q)
{
	return (int)(((int64_t)q * 661971961083LL) >> 41);
}

/* floor(e log2(10)). */
static int
flog2pow10(int e)
{
	return (int)(((int64_t)e * 913124641741LL) >> 38);
}

/*
 * floor(g cp / 2^127) for g = g1 2^63 + g0, with its lowest bit set when
 * the product had more bits below (so that it never compares equal to a
 * candidate it is not).
 */
static uint64_t
rop(uint64_t g1, uint64_t g0, uint64_t cp)
{
	uint64_t x1 = (uint64_t)(((u128)g0 * cp) >> 64);
	u128 y = (u128)g1 * cp;
	uint64_t y0 = (uint64_t)y, y1 = (uint64_t)(y >> 64);
	uint64_t z = (y0 >> 1) + x1;
	uint64_t vbp = y1 + (z >> 63);

	return vbp | (((z & MASK63) + MASK63) >> 63);
}

/*
 * The fewest correctly rounded digits that read back, by printf and
 * strtod: for powers of two, whose interval is lopsided.
 */
static void
printf_shortest(double x, uint64_t *digits, int *exp10)
{
	char e[40];
	uint64_t v = 0;
	int prec, k, n = 0;

	for (prec = 1; prec <= 17; prec++) {
		snprintf(e, sizeof e, "%.*e", prec - 1, x);
		if (strtod(e, NULL) == x)
			break;
	}
	for (k = 0; e[k] && e[k] != 'e'; k++) {
		if (e[k] >= '0' && e[k] <= '9') {
			v = v * 10 + (uint64_t)(e[k] - '0');
			n++;
		}
	}
	*digits = v;
	*exp10 = atoi(e + k + 1) - (n - 1);
}

void
fp_num_shortest(double x, uint64_t *digits, int *exp10)
{
	uint64_t bits, c, cb, cbl, cbr, vb, vbl, vbr, s, t, g1, g0;
	int bq, q, k, h, out, uin, win;

	memcpy(&bits, &x, sizeof bits);
	bq = (int)(bits >> 52) & 0x7FF;
	c = bits & (C_MIN - 1);
	if (bq != 0) {
		q = bq - 1075;
		c |= C_MIN;
	} else {
		q = Q_MIN;
	}
	if ((c == C_MIN && q != Q_MIN) || c < 3) {
		/*
		 * Powers of two, and the two smallest subnormals (which the
		 * table's range cannot scale: 5e-324 has one digit).
		 */
		printf_shortest(x, digits, exp10);
		goto strip;
	}
	out = (int)(c & 1);
	cb = c << 2;
	cbr = cb + 2;
	cbl = cb - 2;
	k = flog10pow2(q);
	h = q + flog2pow10(-k) + 2;
	g1 = numfmt_g[-k - NUMFMT_E_MIN][0];
	g0 = numfmt_g[-k - NUMFMT_E_MIN][1];
	vb = rop(g1, g0, cb << h);
	vbl = rop(g1, g0, cbl << h);
	vbr = rop(g1, g0, cbr << h);
	s = vb >> 2;
	{
		/* One digit fewer: the multiples of 10^(k+1) around x. */
		uint64_t sp10 = s / 10 * 10, tp10 = sp10 + 10;
		int upin = sp10 && vbl + (uint64_t)out <= sp10 << 2;
		int wpin = (tp10 << 2) + (uint64_t)out <= vbr;

		if (upin != wpin) {
			*digits = upin ? sp10 : tp10;
			*exp10 = k;
			goto strip;
		}
	}
	t = s + 1;
	uin = vbl + (uint64_t)out <= s << 2;
	win = (t << 2) + (uint64_t)out <= vbr;
	if (uin != win) {
		*digits = uin ? s : t;
	} else {
		/* Both read back: the nearer, or the even one of a tie. */
		uint64_t mid = (s + t) << 1;

		*digits = vb < mid || (vb == mid && (s & 1) == 0) ? s : t;
	}
	*exp10 = k;
strip:
	while (*digits >= 10 && *digits % 10 == 0) {
		*digits /= 10;
		++*exp10;
	}
}

/* The pairs "00" to "99", for writing two digits at a time. */
static const char pairs[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233"
    "34353637383940414243444546474849505152535455565758596061626364656667"
    "6869707172737475767778798081828384858687888990919293949596979899";

/* 10^0 to 10^19, every power of ten a uint64_t holds. */
static const uint64_t pow10u[20] = {
	1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull,
	10000000ull, 100000000ull, 1000000000ull, 10000000000ull,
	100000000000ull, 1000000000000ull, 10000000000000ull,
	100000000000000ull, 1000000000000000ull, 10000000000000000ull,
	100000000000000000ull, 1000000000000000000ull,
	10000000000000000000ull,
};

/*
 * Writes the decimal digits of v to buf; returns their count. The count
 * is found first, so the digits go straight to their places, two at a
 * time from the last.
 */
static size_t
put_digits(char *buf, uint64_t v)
{
	size_t n = 1, i;

	while (n < 20 && v >= pow10u[n])
		n++;
	i = n;
	while (v >= 100) {
		i -= 2;
		memcpy(buf + i, pairs + 2 * (v % 100), 2);
		v /= 100;
	}
	if (v >= 10)
		memcpy(buf + i - 2, pairs + 2 * v, 2);
	else
		buf[i - 1] = (char)('0' + v);
	return n;
}

/*
 * Amounts have a few decimal places: a number of one to four places that
 * reads back exactly is found without the general search. Below 2^38
 * doubles are finer than 10^-4, so at most one number of k places reads
 * back as x: the one its k-place rounding gives, if dividing that by
 * 10^k gives x again (both exact below 2^53, the division rounded as
 * strtod rounds the text). The least such k is the shortest text, as
 * fewer digits could only be fewer places.
 */
#define FEW_MAX 274877906944.0	/* 2^38 */

/*
 * y rounded to an integer as nearbyint rounds it, for 0 <= y < 2^52:
 * adding 2^52 leaves no bits below the unit, so the sum is rounded there
 * (in the current rounding mode) and the difference is exact. Inline,
 * where nearbyint is a call on x86-64 without SSE4.1. Only where doubles
 * are computed as doubles: x87's wider registers (FLT_EVAL_METHOD 2)
 * would keep the fraction, so there it is nearbyint.
 */
static double
round_small(double y)
{
#if FLT_EVAL_METHOD == 0
	double t = y + 0x1p52;

	return t - 0x1p52;
#else
	return nearbyint(y);
#endif
}

/* k, with x's digits times 10^k in *m; or 0 past four places. */
static int
few_places(double x, uint64_t *m)
{
	static const double p10[] = { 10, 100, 1000, 10000 };
	int k;

	for (k = 0; k < 4; k++) {
		double d = round_small(x * p10[k]);

		if (d / p10[k] == x) {
			*m = (uint64_t)d;
			return k + 1;
		}
	}
	return 0;
}

size_t
fp_fmt_num(char *buf, double x)
{
	char dig[24];
	uint64_t digits;
	double ax;
	int neg, exp10, ndig, e, i;
	size_t n = 0;

	if (isnan(x))
		return (size_t)snprintf(buf, FP_NUM_MAX, "NaN");
	if (isinf(x))
		return (size_t)snprintf(buf, FP_NUM_MAX, x < 0 ? "-inf" : "inf");
	if (x == 0) {
		buf[0] = '0';
		buf[1] = '\0';
		return 1;
	}
	neg = x < 0;
	ax = neg ? -x : x;
	if (neg)
		buf[n++] = '-';
	if (ax < 9007199254740992.0 && (double)(int64_t)ax == ax) {
		n += put_digits(buf + n, (uint64_t)ax);
		buf[n] = '\0';
		return n;
	}
	if (ax < FEW_MAX && (i = few_places(ax, &digits)) > 0) {
		n += put_digits(buf + n, digits / pow10u[i]);
		buf[n++] = '.';
		for (e = i - 1; e >= 0; e--, digits /= 10)
			buf[n + (size_t)e] = (char)('0' + digits % 10);
		n += (size_t)i;
		buf[n] = '\0';
		return n;
	}
	fp_num_shortest(ax, &digits, &exp10);
	ndig = (int)put_digits(dig, digits);
	e = exp10 + ndig - 1;	/* x is d.ddd times 10^e */
	if (!(ax >= 1e-5 && ax < 1e15)) {
		buf[n++] = dig[0];
		if (ndig > 1) {
			buf[n++] = '.';
			memcpy(buf + n, dig + 1, (size_t)ndig - 1);
			n += (size_t)ndig - 1;
		}
		buf[n++] = 'e';
		buf[n++] = e < 0 ? '-' : '+';
		if (e < 0)
			e = -e;
		if (e >= 100)
			buf[n++] = (char)('0' + e / 100);
		memcpy(buf + n, pairs + 2 * (e % 100), 2);
		n += 2;
	} else if (e < 0) {
		buf[n++] = '0';
		buf[n++] = '.';
		for (i = -1; i > e; i--)
			buf[n++] = '0';
		memcpy(buf + n, dig, (size_t)ndig);
		n += (size_t)ndig;
	} else {
		for (i = 0; i <= e; i++)
			buf[n++] = i < ndig ? dig[i] : '0';
		if (ndig > e + 1) {
			buf[n++] = '.';
			memcpy(buf + n, dig + e + 1, (size_t)(ndig - e - 1));
			n += (size_t)(ndig - e - 1);
		}
	}
	buf[n] = '\0';
	return n;
}
