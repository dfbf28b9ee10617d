/*
 * Numbers as the shortest decimal text that reads back as the same double.
 * fp_fmt_num (util.h) lays the digits out; this is where they are found.
 */
#ifndef FP_NUMFMT_H
#define FP_NUMFMT_H

#include <stdint.h>

/*
 * The shortest decimal that reads back (round to nearest, ties to even)
 * as x, which must be finite and greater than 0: x is *digits times
 * 10^*exp10, *digits having no trailing zero and at most 17 digits. Of
 * two decimals as short, the nearer to x; of two as near, the even one.
 * A power of two has an interval twice as wide above it as below; there
 * the decimal is the correctly rounded one of the fewest digits that
 * reads back, as printf's "%.*e" and strtod find it, so that every double
 * prints as printf would print it at its shortest.
 */
void fp_num_shortest(double x, uint64_t *digits, int *exp10);

#endif
