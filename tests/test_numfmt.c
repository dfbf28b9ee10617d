/*
 * Unit tests for numfmt.c: the shortest digits, and fp_fmt_num's text for
 * a sample of doubles of every kind against printf and strtod found the
 * slow way (tests/numfmt_ref.h). make numfmt-check runs many millions.
 */
#include "testutil.h"

#include "numfmt.h"
#include "numfmt_ref.h"
#include "util.h"

static void
expect_shortest(double x, uint64_t digits, int exp10)
{
	uint64_t d;
	int e;

	fp_num_shortest(x, &d, &e);
	assert_int_equal(d, digits);
	assert_int_equal(e, exp10);
}

static void
test_num_shortest_examples(void **state)
{
	(void)state;
	expect_shortest(0.1, 1, -1);
	expect_shortest(0.0317826794817836, 317826794817836ULL, -16);
	expect_shortest(1207.9276, 12079276, -4);
	expect_shortest(0.1 + 0.2, 30000000000000004ULL, -17);
	expect_shortest(5e-324, 5, -324);
	expect_shortest(1.7976931348623157e308, 17976931348623157ULL, 292);
	expect_shortest(1e23, 1, 23);
	expect_shortest(9007199254740993.0, 9007199254740992ULL, 0);
}

static void
test_fmt_num_ledger_values(void **state)
{
	char buf[FP_NUM_MAX];

	(void)state;
	fp_fmt_num(buf, 0.0317826794817836);
	assert_string_equal(buf, "0.0317826794817836");
	fp_fmt_num(buf, -1311.2927000000002);
	assert_string_equal(buf, "-1311.2927000000002");
	fp_fmt_num(buf, 2.2250738585072014e-308);
	assert_string_equal(buf, "2.2250738585072014e-308");
	fp_fmt_num(buf, 1e15 + 0.5);
	assert_string_equal(buf, "1.0000000000000005e+15");
	fp_fmt_num(buf, 999999999999999.9);
	assert_string_equal(buf, "999999999999999.9");
}

/* Powers of two, whose interval is lopsided, as printf prints them. */
static void
test_fmt_num_powers_of_two(void **state)
{
	char got[FP_NUM_MAX], want[FP_NUM_MAX];
	int e;

	(void)state;
	for (e = -1074; e <= 1023; e++) {
		double x = ldexp(1.0, e);

		fp_fmt_num(got, x);
		ref_fmt_num(want, x);
		assert_string_equal(got, want);
	}
}

/* The subnormals of the smallest significands, and the first normals. */
static void
test_fmt_num_small_subnormals(void **state)
{
	char got[FP_NUM_MAX], want[FP_NUM_MAX];
	uint64_t bits;
	double x;

	(void)state;
	for (bits = 1; bits < 20000; bits++) {
		memcpy(&x, &bits, sizeof x);
		fp_fmt_num(got, x);
		ref_fmt_num(want, x);
		assert_string_equal(got, want);
	}
	for (bits = 1ULL << 52; bits < (1ULL << 52) + 20000; bits++) {
		memcpy(&x, &bits, sizeof x);
		fp_fmt_num(got, x);
		ref_fmt_num(want, x);
		assert_string_equal(got, want);
	}
}

static void
test_fmt_num_random_sample(void **state)
{
	char got[FP_NUM_MAX], want[FP_NUM_MAX];
	uint64_t seed = 0x9E3779B97F4A7C15ULL, i;

	(void)state;
	for (i = 0; i < 200000; i++) {
		double x = ref_double(&seed, i);
		size_t n = fp_fmt_num(got, x);

		ref_fmt_num(want, x);
		if (strcmp(got, want) != 0)
			fail_msg("%.17g: got %s, want %s", x, got, want);
		assert_int_equal(n, strlen(want));
	}
}

/*
 * Amounts of one to four places, the neighbouring doubles of each (which
 * read back as no short text), and amounts about 2^38, where the short
 * way ends: as printf and strtod find them.
 */
static void
test_fmt_num_few_places(void **state)
{
	static const double p10[] = { 10, 100, 1000, 10000 };
	char got[FP_NUM_MAX], want[FP_NUM_MAX];
	uint64_t seed = 12345, i;

	(void)state;
	for (i = 0; i < 120000; i++) {
		uint64_t r = ref_next(&seed);
		int k = (int)(i % 4);
		double top = i % 3 ? 1e7 : 2.8e11;
		double x = (double)(r % (uint64_t)(top * p10[k])) / p10[k];
		double xs[3];

		xs[0] = x;
		xs[1] = nextafter(x, 0);
		xs[2] = nextafter(x, INFINITY);
		for (int j = 0; j < 3; j++) {
			fp_fmt_num(got, xs[j]);
			ref_fmt_num(want, xs[j]);
			if (strcmp(got, want) != 0)
				fail_msg("%a: got %s, want %s", xs[j], got, want);
		}
	}
	fp_fmt_num(got, 274877906943.9999);
	assert_string_equal(got, "274877906943.9999");
	fp_fmt_num(got, -0.0001);
	assert_string_equal(got, "-0.0001");
	fp_fmt_num(got, 678936.16);
	assert_string_equal(got, "678936.16");
	fp_fmt_num(got, 0.30000000000000004);
	assert_string_equal(got, "0.30000000000000004");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_num_shortest_examples),
		cmocka_unit_test(test_fmt_num_ledger_values),
		cmocka_unit_test(test_fmt_num_powers_of_two),
		cmocka_unit_test(test_fmt_num_small_subnormals),
		cmocka_unit_test(test_fmt_num_random_sample),
		cmocka_unit_test(test_fmt_num_few_places),
	};

	return cmocka_run_group_tests_name("numfmt", tests, NULL, NULL);
}
