/* Sort keys: numbers by value before words, words by pinyin, blanks last. */
#include "testutil.h"

#include <string.h>

#include "collate.h"

/* The key of s, in a buffer the caller releases. */
static char *
key(const char *s)
{
	struct fp_buf b = FP_BUF_INIT;

	fp_collate_key(&b, s);
	return b.s;
}

/* Each of v[] sorts before the next. */
static void
in_order(const char *const *v, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i++) {
		char *a = key(v[i]), *b = key(v[i + 1]);

		if (strcmp(a, b) >= 0)
			fail_msg("'%s' does not sort before '%s'", v[i], v[i + 1]);
		free(a);
		free(b);
	}
}

static void
test_numbers_by_value(void **state)
{
	static const char *const v[] = {
		"-1e300", "-1,200.5", "-2", "-0.5", "0", "0.25", "9", "10",
		"１２０７．９３", "1e300",
	};

	(void)state;
	in_order(v, sizeof v / sizeof v[0]);
}

static void
test_words_by_pinyin_after_numbers(void **state)
{
	static const char *const v[] = {
		"99999", "ABC", "县财政局", "县公安局", "县交通运输局", "县教育局",
		"县住房和城乡建设局", "",
	};

	(void)state;
	in_order(v, sizeof v / sizeof v[0]);
}

static void
test_key_never_holds_the_separator(void **state)
{
	static const char *const v[] = { "", "0", "-3.5", "县公安局", "𠀀",
	    "a\xff" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof v / sizeof v[0]; i++) {
		char *k = key(v[i]);

		assert_null(strchr(k, '\037'));
		assert_true(strlen(k) >= 1);
		free(k);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_numbers_by_value),
		cmocka_unit_test(test_words_by_pinyin_after_numbers),
		cmocka_unit_test(test_key_never_holds_the_separator),
	};

	return cmocka_run_group_tests_name("collate", tests, NULL, NULL);
}
