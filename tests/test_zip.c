/*
 * Unit tests for the zip container (zip.c): parts found by name without
 * regard to case, parts inflated whole or in pieces, and the messages for
 * a truncated zip, a part too large, a missing part and a zip bomb.
 */
#include "testutil.h"

#include "zip.h"

static struct fp_zip *
zip_of(const char *path, char **buf)
{
	struct fp_zip *z = NULL;
	struct fp_diag d;
	size_t n;

	*buf = test_slurp(path, &n);
	assert_non_null(*buf);
	if (fp_zip_open((unsigned char *)*buf, n, &z, &d) != FP_OK)
		fail_msg("%s: %s", path, d.msg);
	return z;
}

static void
test_zip_parts_by_name_any_case(void **state)
{
	char *buf, *part;
	struct fp_zip *z = zip_of("fixtures/openpyxl.xlsx", &buf);
	struct fp_diag d;
	size_t len;

	(void)state;
	assert_true(fp_zip_has(z, "XL/Workbook.xml"));
	assert_false(fp_zip_has(z, "xl/workbook.bin"));
	assert_int_equal(fp_zip_count(z), 14);
	assert_int_equal(fp_zip_read_all(z, "xl/workbook.xml", 1 << 20, &part,
	    &len, &d), FP_OK);
	assert_int_equal(strlen(part), len);
	assert_non_null(strstr(part, "name=\"第三页\""));
	free(part);
	assert_int_equal(fp_zip_read_all(z, "xl/workbook.xml", 10, &part,
	    &len, &d), FP_ECORRUPT);
	assert_string_equal(d.msg, "xl/workbook.xml is larger than 10 bytes");
	assert_int_equal(fp_zip_read_all(z, "xl/nothing.xml", 10, &part, &len,
	    &d), FP_ENOSHEET);
	fp_zip_free(z);
	free(buf);
}

static void
test_zip_truncated_refused(void **state)
{
	struct fp_zip *z = NULL;
	struct fp_diag d;
	size_t n;
	char *buf = test_slurp("fixtures/bad/truncated.xlsx", &n);

	(void)state;
	assert_int_equal(fp_zip_open((unsigned char *)buf, n, &z, &d),
	    FP_ETRUNC);
	assert_null(z);
	assert_non_null(strstr(d.msg, "central directory"));
	free(buf);
}

static int
count(void *ctx, const char *p, size_t n)
{
	(void)p;
	*(size_t *)ctx += n;
	return 0;
}

static void
test_zip_bomb_stopped_at_the_floor(void **state)
{
	char *buf, name[64];
	struct fp_zip *z = zip_of("fixtures/bad/bomb.xlsx", &buf);
	struct fp_diag d;
	enum fp_err err = FP_OK;
	size_t total = 0;
	int i;

	(void)state;
	for (i = 0; i < 40 && !err; i++) {
		snprintf(name, sizeof name, "xl/worksheets/s%02d.xml", i);
		err = fp_zip_read(z, name, count, &total, &d);
	}
	assert_int_equal(err, FP_ECORRUPT);
	assert_non_null(strstr(d.msg, "a zip bomb"));
	/* It stopped soon after the floor, not at the 1 GiB it promises. */
	assert_true(total <= FP_ZIP_BOMB_FLOOR + (24u << 20));
	fp_zip_free(z);
	free(buf);
}

static int
stop_at_once(void *ctx, const char *p, size_t n)
{
	(void)p;
	*(size_t *)ctx += n;
	return 1;
}

static void
test_zip_large_part_stops_when_asked(void **state)
{
	char *buf, *part;
	struct fp_zip *z = zip_of("fixtures/bad/bomb.xlsx", &buf);
	struct fp_diag d;
	size_t got = 0, len;

	(void)state;
	/* A 24 MiB part, inflated by the second thread: one piece, then stop. */
	assert_int_equal(fp_zip_read(z, "xl/worksheets/s00.xml", stop_at_once,
	    &got, &d), FP_OK);
	assert_true(got > 0 && got <= (1u << 18));
	/* The zip reads on after a stop. */
	assert_int_equal(fp_zip_read_all(z, "xl/workbook.xml", 1 << 20, &part,
	    &len, &d), FP_OK);
	assert_non_null(strstr(part, "<sheets>"));
	free(part);
	fp_zip_free(z);
	free(buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zip_parts_by_name_any_case),
		cmocka_unit_test(test_zip_truncated_refused),
		cmocka_unit_test(test_zip_bomb_stopped_at_the_floor),
		cmocka_unit_test(test_zip_large_part_stops_when_asked),
	};

	return cmocka_run_group_tests_name("zip", tests, NULL, NULL);
}
