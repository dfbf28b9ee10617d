/* Unit tests for csvio.c: quoting on output, records and lines on input. */
#include "testutil.h"

#include "csvio.h"

static void
expect_field(const char *in, const char *want)
{
	struct fp_buf b = FP_BUF_INIT;

	fp_csv_field(&b, in, strlen(in));
	assert_string_equal(b.s, want);
	fp_buf_release(&b);
}

static void
test_field_quoted_only_when_needed(void **state)
{
	(void)state;
	expect_field("plain", "plain");
	expect_field("中文", "中文");
	expect_field("", "");
	expect_field("a,b", "\"a,b\"");
	expect_field("say \"hi\"", "\"say \"\"hi\"\"\"");
	expect_field("two\nlines", "\"two\nlines\"");
	expect_field("cr\r", "\"cr\r\"");
	expect_field(" padded ", " padded ");
}

/* A reader over a string, through a memory stream. */
static struct fp_csv_reader *
reader_on(const char *text, FILE **f)
{
	*f = fmemopen((void *)text, strlen(text), "r");
	assert_non_null(*f);
	return fp_csv_reader_new(*f, "test.csv");
}

static void
test_reader_records_and_lines(void **state)
{
	const char *text = "a,b\n\"x\ny\",2\r\n\n3,\"q\"\"\"\n";
	struct fp_csv_reader *r;
	struct fp_csv_row row;
	struct fp_diag d;
	FILE *f;

	(void)state;
	r = reader_on(text, &f);
	assert_int_equal(fp_csv_next(r, &row, &d), 1);
	assert_int_equal(row.n, 2);
	assert_int_equal(row.line, 1);
	assert_string_equal(row.f[1], "b");
	assert_int_equal(fp_csv_next(r, &row, &d), 1);
	assert_int_equal(row.line, 2);
	assert_string_equal(row.f[0], "x\ny");
	assert_int_equal(fp_csv_next(r, &row, &d), 1);
	assert_int_equal(row.line, 5);
	assert_string_equal(row.f[1], "q\"");
	assert_int_equal(fp_csv_next(r, &row, &d), 0);
	fp_csv_reader_free(r);
	fclose(f);
}

static void
test_reader_last_line_without_newline(void **state)
{
	struct fp_csv_reader *r;
	struct fp_csv_row row;
	struct fp_diag d;
	FILE *f;

	(void)state;
	r = reader_on("h\nlast,one", &f);
	assert_int_equal(fp_csv_next(r, &row, &d), 1);
	assert_int_equal(fp_csv_next(r, &row, &d), 1);
	assert_int_equal(row.n, 2);
	assert_string_equal(row.f[1], "one");
	assert_int_equal(fp_csv_next(r, &row, &d), 0);
	fp_csv_reader_free(r);
	fclose(f);
}

static void
test_reader_unbalanced_quote_names_line(void **state)
{
	struct fp_csv_reader *r;
	struct fp_csv_row row;
	struct fp_diag d;
	FILE *f;

	(void)state;
	r = reader_on("h\nok\n\"open,\nmore\n", &f);
	assert_int_equal(fp_csv_next(r, &row, &d), 1);
	assert_int_equal(fp_csv_next(r, &row, &d), 1);
	assert_int_equal(fp_csv_next(r, &row, &d), -1);
	assert_string_equal(d.msg,
	    "3: a quoted field is never closed (unbalanced quote)");
	fp_csv_reader_free(r);
	fclose(f);
}

static void
test_reader_tee_copies_bytes(void **state)
{
	const char *text = "a,\"b\"\r\nc,d\n";
	struct fp_csv_reader *r;
	struct fp_csv_row row;
	struct fp_diag d;
	char *out = NULL;
	size_t outlen = 0;
	FILE *f, *t;

	(void)state;
	t = open_memstream(&out, &outlen);
	r = reader_on(text, &f);
	fp_csv_reader_tee(r, t);
	while (fp_csv_next(r, &row, &d) == 1)
		;
	fclose(t);
	assert_int_equal(outlen, strlen(text));
	assert_memory_equal(out, text, outlen);
	free(out);
	fp_csv_reader_free(r);
	fclose(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_field_quoted_only_when_needed),
		cmocka_unit_test(test_reader_records_and_lines),
		cmocka_unit_test(test_reader_last_line_without_newline),
		cmocka_unit_test(test_reader_unbalanced_quote_names_line),
		cmocka_unit_test(test_reader_tee_copies_bytes),
	};

	return cmocka_run_group_tests_name("csvio", tests, NULL, NULL);
}
