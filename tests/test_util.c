/* Unit tests for util.c: number and date rendering, buffers, UTF-8. */
#include "testutil.h"

#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

/*
 * Under AddressSanitizer, an allocation it cannot make returns NULL, as
 * malloc's does, rather than stopping the test: what fp_xmalloc meets
 * when memory runs out.
 */
const char *__asan_default_options(void);
const char *
__asan_default_options(void)
{
	return "allocator_may_return_null=1";
}

static void
note_cleanup(void)
{
	fputs("cleaned ", stderr);
}

/*
 * Memory running out: the cleanup runs, the message names the command
 * and the input, and the process exits with status 2 (not abort's 134).
 */
static void
test_oom_names_the_input_and_exits_2(void **state)
{
	int fds[2], status;
	char buf[1024];
	size_t got;
	ssize_t n;
	pid_t pid;

	(void)state;
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(fds[1], 2);
		close(fds[0]);
		fp_oom_cleanup(note_cleanup);
		fp_oom_context("map", "big.ods");
		(void)fp_xmalloc(SIZE_MAX / 4);
		_exit(0);
	}
	close(fds[1]);
	/* All of it: AddressSanitizer may warn first. */
	for (got = 0; got < sizeof buf - 1 && (n = read(fds[0], buf + got,
	    sizeof buf - 1 - got)) > 0; got += (size_t)n)
		;
	close(fds[0]);
	buf[got] = '\0';
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 2);
	assert_non_null(strstr(buf, "cleaned formpipe map: big.ods: out of "
	    "memory ("));
	assert_non_null(strstr(buf, "bytes more): too big to read\n"));
}

static void
expect_num(double x, const char *want)
{
	char buf[FP_NUM_MAX];
	size_t n = fp_fmt_num(buf, x);

	assert_string_equal(buf, want);
	assert_int_equal(n, strlen(want));
	/* Whatever is printed must read back as the same double. */
	if (x == x)
		assert_true(strtod(buf, NULL) == x);
}

static void
test_fmt_num_integers(void **state)
{
	(void)state;
	expect_num(0, "0");
	expect_num(-0.0, "0");
	expect_num(70, "70");
	expect_num(-3, "-3");
	expect_num(13712345678.0, "13712345678");
	expect_num(123456789012345.0, "123456789012345");
	expect_num(9007199254740991.0, "9007199254740991");
}

static void
test_fmt_num_decimals(void **state)
{
	(void)state;
	expect_num(0.1, "0.1");
	expect_num(1207.9276, "1207.9276");
	expect_num(-0.5, "-0.5");
	expect_num(2.5, "2.5");
	expect_num(0.00001, "0.00001");
	expect_num(0.1 + 0.2, "0.30000000000000004");
	expect_num(1311.2927000000002, "1311.2927000000002");
	expect_num(1.0 / 3, "0.3333333333333333");
	expect_num(123456.789, "123456.789");
}

static void
test_fmt_num_exponents(void **state)
{
	(void)state;
	expect_num(1e20, "1e+20");
	expect_num(1e16, "1e+16");
	expect_num(1e-7, "1e-07");
	expect_num(-2.5e-9, "-2.5e-09");
	expect_num(1.7976931348623157e308, "1.7976931348623157e+308");
}

static void
expect_date(double serial, int d1904, enum fp_date_kind k, const char *want)
{
	char buf[FP_NUM_MAX];
	size_t n = fp_fmt_date(buf, serial, d1904, k);

	buf[n] = '\0';
	assert_string_equal(buf, want);
}

static void
test_fmt_date_1900(void **state)
{
	(void)state;
	expect_date(44635, 0, FP_DATE_DATE, "2022-03-15");
	expect_date(1, 0, FP_DATE_DATE, "1900-01-01");
	expect_date(59, 0, FP_DATE_DATE, "1900-02-28");
	expect_date(61, 0, FP_DATE_DATE, "1900-03-01");
	expect_date(73051, 0, FP_DATE_DATE, "2100-01-01");
	expect_date(91156, 0, FP_DATE_DATE, "2149-07-28");
	expect_date(2958465, 0, FP_DATE_DATE, "9999-12-31");
}

static void
test_fmt_date_1904(void **state)
{
	(void)state;
	expect_date(0, 1, FP_DATE_DATE, "1904-01-01");
	expect_date(43173, 1, FP_DATE_DATE, "2022-03-15");
}

static void
test_fmt_date_times(void **state)
{
	(void)state;
	expect_date(44635.3541666667, 0, FP_DATE_DATETIME, "2022-03-15 08:30:00");
	expect_date(0.3541666667, 0, FP_DATE_TIME, "08:30:00");
	/* Rounding to the second carries into the next day. */
	expect_date(44635.9999999, 0, FP_DATE_DATETIME, "2022-03-16 00:00:00");
}

static void
test_fmt_date_not_a_date(void **state)
{
	char buf[FP_NUM_MAX];

	(void)state;
	assert_int_equal(fp_fmt_date(buf, -1, 0, FP_DATE_DATE), 0);
	assert_int_equal(fp_fmt_date(buf, 2958466, 0, FP_DATE_DATE), 0);
}

static void
test_serial_from_civil_roundtrip(void **state)
{
	(void)state;
	assert_true(fp_serial_from_civil(2022, 3, 15, 0) == 44635);
	assert_true(fp_serial_from_civil(1900, 1, 1, 0) == 1);
	assert_true(fp_serial_from_civil(1900, 3, 1, 0) == 61);
	assert_true(fp_serial_from_civil(2022, 3, 15, 43200) == 44635.5);
}

/* What fp_parse_value makes of s: 1 and the number, 0 or -1. */
static void
expect_parsed(const char *s, int want, double num)
{
	double x = -12345;

	assert_int_equal(fp_parse_value(s, &x), want);
	if (want == 1)
		assert_true(x == num);
}

static void
test_parse_value_decimals(void **state)
{
	(void)state;
	expect_parsed("1207.9276", 1, 1207.9276);
	expect_parsed("-3", 1, -3);
	expect_parsed("+2.5E+3", 1, 2500);
	expect_parsed(".5", 1, 0.5);
	expect_parsed("5.", 1, 5);
	expect_parsed("1e-7", 1, 1e-7);
	expect_parsed(" 2 ", 1, 2);
	expect_parsed("\n\t13712345678\r\n", 1, 13712345678.0);
	/* Below the smallest double: rounded to 0, as Excel would. */
	expect_parsed("1e-999", 1, 0);
}

static void
test_parse_value_not_finite_decimals(void **state)
{
	(void)state;
	expect_parsed("nan", -1, 0);
	expect_parsed("NaN", -1, 0);
	expect_parsed("-nan(123)", -1, 0);
	expect_parsed("inf", -1, 0);
	expect_parsed("-Infinity", -1, 0);
	expect_parsed("1e999", -1, 0);
	expect_parsed("-1e999", -1, 0);
	expect_parsed("0x10", -1, 0);
	expect_parsed("0x1p3", -1, 0);
	expect_parsed(" 0X1A ", -1, 0);
}

/*
 * Of those, a NaN and an infinity (1e999 is one to C) come back not
 * finite, which the readers make #NUM!; a hexadecimal number is finite.
 */
static void
test_parse_value_says_what_is_not_finite(void **state)
{
	static const char *const inf[] = {
		"nan", "NaN", "-nan(123)", "INF", "-INF", "-Infinity", "1e999",
		"-1e999",
	};
	double x;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof inf / sizeof inf[0]; i++) {
		x = 0;
		assert_int_equal(fp_parse_value(inf[i], &x), -1);
		assert_false(isfinite(x));
	}
	assert_int_equal(fp_parse_value(" 0x10 ", &x), -1);
	assert_true(x == 16);
}

static void
test_parse_value_text(void **state)
{
	(void)state;
	expect_parsed("", 0, 0);
	expect_parsed("   ", 0, 0);
	expect_parsed("abc", 0, 0);
	expect_parsed("1abc", 0, 0);
	expect_parsed("1,207.93", 0, 0);
	expect_parsed("1 2", 0, 0);
	expect_parsed(".", 0, 0);
	expect_parsed("-", 0, 0);
	expect_parsed("0x", 0, 0);
	expect_parsed("1e", 0, 0);
	expect_parsed("nano", 0, 0);
}

static void
test_parse_decimal_stops_at_its_end(void **state)
{
	double x = 0;
	const char *s = "36H00M";

	(void)state;
	assert_ptr_equal(fp_parse_decimal(s, &x), s + 2);
	assert_true(x == 36);
	assert_null(fp_parse_decimal("0x10H", &x));
	assert_null(fp_parse_decimal("infH", &x));
	assert_null(fp_parse_decimal("H", &x));
}

static void
test_buf_grows_and_detaches(void **state)
{
	struct fp_buf b = FP_BUF_INIT;
	char *s;
	int i;

	(void)state;
	for (i = 0; i < 1000; i++)
		fp_buf_adds(&b, "ab");
	fp_buf_printf(&b, "%d", 42);
	assert_int_equal(b.len, 2002);
	assert_string_equal(b.s + 2000, "42");
	s = fp_buf_detach(&b);
	assert_null(b.s);
	assert_int_equal(strlen(s), 2002);
	free(s);
	/* Room made and not written to is still a string, the one it was. */
	fp_buf_grow(&b, 100);
	assert_string_equal(b.s, "");
	fp_buf_adds(&b, "xy");
	fp_buf_grow(&b, 5000);
	assert_string_equal(b.s, "xy");
	fp_buf_release(&b);
}

static void
test_utf8_decode_rejects_invalid(void **state)
{
	uint32_t cp;

	(void)state;
	assert_int_equal(fp_utf8_decode("\xe4\xb8\xad", 3, &cp), 3);
	assert_int_equal(cp, 0x4E2D);
	assert_int_equal(fp_utf8_decode("\xe4\xb8", 2, &cp), 1);
	assert_int_equal(cp, 0xFFFD);
	assert_int_equal(fp_utf8_decode("\xc0\x80", 2, &cp), 1);
	assert_int_equal(cp, 0xFFFD);
	assert_true(fp_utf8_valid("中文 ok", strlen("中文 ok")));
	assert_true(fp_utf8_valid("\xf0\x9f\x98\x80", 4));	/* U+1F600 */
	assert_false(fp_utf8_valid("\xff", 1));
	assert_false(fp_utf8_valid("\xc0\x80", 2));		/* overlong NUL */
	assert_false(fp_utf8_valid("\xe0\x80\xaf", 3));	/* overlong '/' */
	assert_false(fp_utf8_valid("\xed\xa0\x80", 3));	/* a surrogate */
	assert_false(fp_utf8_valid("\xf4\x90\x80\x80", 4));	/* past U+10FFFF */
	assert_false(fp_utf8_valid("\xe4\xb8", 2));		/* cut short */
	assert_false(fp_utf8_valid("\xb2\xe2", 2));		/* GBK 测 */
	/* Past a run of ASCII read eight bytes at a time, and inside one. */
	assert_true(fp_utf8_valid("abcdefghijklmnop中", 19));
	assert_false(fp_utf8_valid("abcdefghijklmnopq\xff", 18));
	assert_false(fp_utf8_valid("abcdefgh\xffijklmnopq", 18));
	assert_false(fp_utf8_valid("a\xb2\xe2" "bcdefghijklmn", 16));
	/* Three-byte forms past the shortcut's leads, and cut short. */
	assert_true(fp_utf8_valid("\xe1\x80\x80\xec\xbf\xbf\xee\x80\x80"
	    "\xef\xbf\xbf", 12));
	assert_false(fp_utf8_valid("\xe1\x80", 2));
	assert_false(fp_utf8_valid("\xef\xbf\x41", 3));
	assert_false(fp_utf8_valid("\xe1\xc0\x80", 3));
	/* The length bounds the check, not a NUL. */
	assert_true(fp_utf8_valid("abcdefghijk\xff", 11));
}

/* Strings of an arena stay whole and apart, small, empty and larger than
 * a chunk, until it is released. */
static void
test_arena_keeps_strings_apart(void **state)
{
	struct fp_arena a = FP_ARENA_INIT;
	char *s[2000], big[40000];

	(void)state;
	memset(big, 'x', sizeof big);
	for (int i = 0; i < 2000; i++) {
		char t[16];
		int n = snprintf(t, sizeof t, "s%d", i);

		s[i] = i == 1000 ? fp_arena_strndup(&a, big, sizeof big) :
		    fp_arena_strndup(&a, t, (size_t)n);
	}
	assert_string_equal(fp_arena_strndup(&a, "", 0), "");
	assert_string_equal(s[0], "s0");
	assert_string_equal(s[1999], "s1999");
	assert_int_equal(strlen(s[1000]), sizeof big);
	assert_string_equal(s[1001], "s1001");
	assert_string_equal(fp_arena_strndup(&a, "ab\0cd", 5) + 3, "cd");
	fp_arena_release(&a);
	assert_null(a.chunks);
	assert_string_equal(fp_arena_strndup(&a, "again", 5), "again");
	fp_arena_release(&a);
}

static void
test_diag_formats_and_returns(void **state)
{
	struct fp_diag d;

	(void)state;
	assert_int_equal(fp_diag(&d, FP_ETRUNC, "sector %d", 7), FP_ETRUNC);
	assert_string_equal(d.msg, "sector 7");
	assert_int_equal(fp_diag(NULL, FP_EOPEN, "x"), FP_EOPEN);
	assert_string_equal(fp_strerror(FP_EENCRYPTED),
	    "password-protected workbook");
}

/* A path as long as a path can be, of three-byte characters: 报报报... */
static char *
long_path(size_t chars)
{
	char *p = malloc(chars * 3 + 1);
	size_t i;

	for (i = 0; i < chars; i++)
		memcpy(p + i * 3, "\xe6\x8a\xa5", 3);
	p[chars * 3] = '\0';
	return p;
}

static void
test_diag_holds_a_whole_path_and_why(void **state)
{
	char *path = long_path((PATH_MAX - 1) / 3);
	struct fp_buf want = FP_BUF_INIT;
	struct fp_diag d;

	(void)state;
	fp_buf_printf(&want, "%s: No space left on device", path);
	fp_diag(&d, FP_EWRITE, "%s: %s", path, "No space left on device");
	assert_string_equal(d.msg, want.s);
	fp_buf_release(&want);
	free(path);
}

static void
test_diag_cut_at_a_character(void **state)
{
	char *text = long_path(sizeof ((struct fp_diag *)0)->msg);
	size_t k;
	struct fp_diag d;

	(void)state;
	/* Each start, so that the room ends at each byte of a character. */
	for (k = 0; k < 3; k++) {
		fp_diag(&d, FP_EWRITE, "%.*s%s", (int)k, "ab", text);
		assert_true(fp_utf8_valid(d.msg, strlen(d.msg)));
		assert_true(strlen(d.msg) > sizeof d.msg - 4);
		assert_int_equal((strlen(d.msg) - k) % 3, 0);
	}
	free(text);
}

/*
 * A string index finds a string given by its first bytes only (open of
 * open_sub), the first of equal strings, and neither a longer string
 * nor a prefix of one.
 */
static void
test_strix_finds_whole_strings(void **state)
{
	struct fp_strix v[] = {
		{ "open", 2 }, { "inquiry", 0 }, { "open", 1 }, { "opening", 3 },
	};
	const struct fp_strix *hit;

	(void)state;
	qsort(v, 4, sizeof v[0], fp_strix_cmp);
	hit = fp_strix_find(v, 4, "open_sub", 4);
	assert_non_null(hit);
	assert_string_equal(hit->s, "open");
	assert_int_equal(hit->i, 1);
	hit = fp_strix_find(v, 4, "inquiry", 7);
	assert_non_null(hit);
	assert_int_equal(hit->i, 0);
	assert_null(fp_strix_find(v, 4, "ope", 3));
	assert_null(fp_strix_find(v, 4, "openings", 8));
	assert_null(fp_strix_find(v, 0, "open", 4));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fmt_num_integers),
		cmocka_unit_test(test_fmt_num_decimals),
		cmocka_unit_test(test_fmt_num_exponents),
		cmocka_unit_test(test_fmt_date_1900),
		cmocka_unit_test(test_fmt_date_1904),
		cmocka_unit_test(test_fmt_date_times),
		cmocka_unit_test(test_parse_value_decimals),
		cmocka_unit_test(test_parse_value_not_finite_decimals),
		cmocka_unit_test(test_parse_value_says_what_is_not_finite),
		cmocka_unit_test(test_parse_value_text),
		cmocka_unit_test(test_parse_decimal_stops_at_its_end),
		cmocka_unit_test(test_fmt_date_not_a_date),
		cmocka_unit_test(test_serial_from_civil_roundtrip),
		cmocka_unit_test(test_buf_grows_and_detaches),
		cmocka_unit_test(test_utf8_decode_rejects_invalid),
		cmocka_unit_test(test_arena_keeps_strings_apart),
		cmocka_unit_test(test_diag_formats_and_returns),
		cmocka_unit_test(test_diag_holds_a_whole_path_and_why),
		cmocka_unit_test(test_diag_cut_at_a_character),
		cmocka_unit_test(test_oom_names_the_input_and_exits_2),
		cmocka_unit_test(test_strix_finds_whole_strings),
	};

	return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}
