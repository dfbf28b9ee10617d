/*
 * The long check of fp_fmt_num: COUNT doubles of every kind (numfmt_ref.h)
 * from SEED, each printed by fp_fmt_num and by printf and strtod found the
 * slow way, and the texts compared. Prints every difference (the first
 * 20) and a closing "N passed, N failed"; exits 1 on any difference.
 *
 * usage: numfmt_check [COUNT [SEED]]     (make numfmt-check)
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "numfmt_ref.h"
#include "util.h"

int
main(int argc, char **argv)
{
	uint64_t count = argc > 1 ? strtoull(argv[1], NULL, 10) : 100000000;
	uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 10) : 1;
	uint64_t state = seed * 0x9E3779B97F4A7C15ULL + 1, i, bad = 0;
	char got[FP_NUM_MAX], want[FP_NUM_MAX];
	clock_t t0 = clock();

	for (i = 0; i < count; i++) {
		double x = ref_double(&state, i);

		fp_fmt_num(got, x);
		ref_fmt_num(want, x);
		if (strcmp(got, want) != 0 && bad++ < 20)
			printf("%a: fp_fmt_num %s, printf %s\n", x, got, want);
	}
	fprintf(stderr, "numfmt_check: %" PRIu64 " doubles from seed %"
	    PRIu64 " in %.1f s of CPU\n", count, seed,
	    (double)(clock() - t0) / CLOCKS_PER_SEC);
	printf("%" PRIu64 " passed, %" PRIu64 " failed\n", count - bad, bad);
	return bad != 0;
}
