/*
 * What fp_fmt_num is checked against: the same layout rules over digits
 * found the slow way, printf's "%.*e" at 1, 2, ... 17 significant digits
 * until strtod reads the text back as the same double; and a generator
 * of doubles to check. Shared by tests/test_numfmt.c (a sample, under
 * make check) and tests/numfmt_check.c (the long run, make numfmt-check).
 */
#ifndef FP_NUMFMT_REF_H
#define FP_NUMFMT_REF_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* fp_fmt_num's rules, with printf and strtod for the digits. */
static inline size_t
ref_fmt_num(char *buf, double x)
{
	char e[40], dig[24];
	double ax;
	int neg, prec, k, ndig = 0, exp10, i;
	size_t n = 0;

	if (isnan(x))
		return (size_t)snprintf(buf, FP_NUM_MAX, "NaN");
	if (isinf(x))
		return (size_t)snprintf(buf, FP_NUM_MAX, x < 0 ? "-inf" : "inf");
	if (x == 0)
		return (size_t)snprintf(buf, FP_NUM_MAX, "0");
	neg = x < 0;
	ax = neg ? -x : x;
	if (ax < 9007199254740992.0 && ax == floor(ax))
		return (size_t)snprintf(buf, FP_NUM_MAX, "%s%.0f",
		    neg ? "-" : "", ax);
	for (prec = 1; prec <= 17; prec++) {
		snprintf(e, sizeof e, "%.*e", prec - 1, ax);
		if (strtod(e, NULL) == ax)
			break;
	}
	for (k = 0; e[k] && e[k] != 'e'; k++)
		if (e[k] >= '0' && e[k] <= '9')
			dig[ndig++] = e[k];
	exp10 = atoi(e + k + 1);
	while (ndig > 1 && dig[ndig - 1] == '0')
		ndig--;
	if (neg)
		buf[n++] = '-';
	if (!(ax >= 1e-5 && ax < 1e15)) {
		buf[n++] = dig[0];
		if (ndig > 1) {
			buf[n++] = '.';
			for (i = 1; i < ndig; i++)
				buf[n++] = dig[i];
		}
		n += (size_t)snprintf(buf + n, FP_NUM_MAX - n, "e%c%02d",
		    exp10 < 0 ? '-' : '+', exp10 < 0 ? -exp10 : exp10);
		return n;
	}
	if (exp10 < 0) {
		buf[n++] = '0';
		buf[n++] = '.';
		for (i = -1; i > exp10; i--)
			buf[n++] = '0';
		for (i = 0; i < ndig; i++)
			buf[n++] = dig[i];
	} else {
		for (i = 0; i <= exp10; i++)
			buf[n++] = i < ndig ? dig[i] : '0';
		if (ndig > exp10 + 1) {
			buf[n++] = '.';
			for (i = exp10 + 1; i < ndig; i++)
				buf[n++] = dig[i];
		}
	}
	buf[n] = '\0';
	return n;
}

/* xorshift64*: a fixed sequence of 64-bit numbers from a seed. */
static inline uint64_t
ref_next(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545F4914F6CDD1DULL;
}

/*
 * The i-th double to check: by turns any finite double (random bits),
 * a decimal of up to 17 digits with up to 17 places (as ledgers hold),
 * a double in [0, 1), and a power of two or a neighbour of one.
 */
static inline double
ref_double(uint64_t *state, uint64_t i)
{
	uint64_t r = ref_next(state);
	double x;

	switch (i % 4) {
	case 0:
		do {
			memcpy(&x, &r, sizeof x);
			r = ref_next(state);
		} while (!isfinite(x));
		return x;
	case 1: {
		static const double p10[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5,
		    1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
		    1e16, 1e17 };
		uint64_t digits = r % 100000000000000000ULL;

		digits >>= ref_next(state) % 48;
		return (double)digits / p10[ref_next(state) % 18];
	}
	case 2:
		return (double)(r >> 11) / 9007199254740992.0;
	default: {
		int e = (int)(r % 2046) - 1022;
		uint64_t bits;

		x = ldexp(1.0, e);
		memcpy(&bits, &x, sizeof bits);
		bits += (uint64_t)((int)(ref_next(state) % 5) - 2);
		memcpy(&x, &bits, sizeof x);
		return x;
	}
	}
}

#endif
