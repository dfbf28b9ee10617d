/* Unit tests for csvio.c: quoting on output, records and lines on input. */
#include "testutil.h"

#include <csv.h>
#include <stdlib.h>

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

/*
 * Each byte that makes a field quoted, and the bytes beside them, at
 * every place in fields of 0 to 24 bytes (the scan takes eight at a
 * time), among letters and bytes with the top bit set: quoted exactly
 * when one of the four is there, as libcsv writes it.
 */
static void
test_field_quotes_found_at_every_place(void **state)
{
	static const char probe[] = ",\"\n\r-+ !\x7f\x80\xff";
	char in[25], want[64];
	size_t n, at, k;

	(void)state;
	for (n = 1; n <= 24; n++) {
		for (at = 0; at < n; at++) {
			for (k = 0; k < sizeof probe - 1; k++) {
				struct fp_buf b = FP_BUF_INIT;
				size_t i, w;
				int q = strchr(",\"\n\r", probe[k]) != NULL;

				for (i = 0; i < n; i++)
					in[i] = i % 3 ? 'a' + (char)i : '\xe4';
				in[at] = probe[k];
				w = csv_write(want, sizeof want, in, n);
				fp_csv_field(&b, in, n);
				if (q) {
					assert_int_equal(b.len, w);
					assert_memory_equal(b.s, want, w);
				} else {
					assert_int_equal(b.len, n);
					assert_memory_equal(b.s, in, n);
				}
				fp_buf_release(&b);
			}
		}
	}
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

/*
 * libcsv over the whole text at once, with the reader's options: the
 * records as "[field|field]" lines, or NULL if it refuses the text.
 */
struct ref {
	struct fp_buf out;
	int in_record;
	size_t line;		/* counted as the reader counts */
};

static void
ref_field(void *s, size_t len, void *data)
{
	struct ref *r = data;

	if (!r->in_record)
		fp_buf_printf(&r->out, "%zu:", r->line);
	fp_buf_adds(&r->out, r->in_record ? "|" : "[");
	r->in_record = 1;
	fp_buf_add(&r->out, s ? s : "", s ? len : 0);
	for (size_t i = 0; s && i < len; i++)
		r->line += ((char *)s)[i] == '\n';
}

static void
ref_record(int c, void *data)
{
	struct ref *r = data;

	if (r->in_record)
		fp_buf_adds(&r->out, "]\n");
	r->in_record = 0;
	r->line += c == '\n';
}

static char *
libcsv_records(const char *text, size_t n)
{
	struct csv_parser p;
	struct ref r = { FP_BUF_INIT, 0, 1 };

	csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_REPALL_NL);
	if (csv_parse(&p, text, n, ref_field, ref_record, &r) != n ||
	    csv_fini(&p, ref_field, ref_record, &r) != 0) {
		csv_free(&p);
		fp_buf_release(&r.out);
		return NULL;
	}
	csv_free(&p);
	fp_buf_adds(&r.out, "");
	return fp_buf_detach(&r.out);
}

/* The reader's records of the same text, in the same form, or NULL. */
static char *
reader_records(const char *text, size_t n)
{
	FILE *f = fmemopen((void *)text, n, "r");
	struct fp_csv_reader *r;
	struct fp_buf out = FP_BUF_INIT;
	struct fp_csv_row row;
	struct fp_diag d;
	int rc;

	assert_non_null(f);
	r = fp_csv_reader_new(f, "test.csv");
	while ((rc = fp_csv_next(r, &row, &d)) == 1) {
		fp_buf_printf(&out, "%zu:", row.line);
		for (size_t i = 0; i < row.n; i++) {
			fp_buf_adds(&out, i ? "|" : "[");
			fp_buf_add(&out, row.f[i], row.len[i]);
		}
		fp_buf_adds(&out, "]\n");
	}
	fp_csv_reader_free(r);
	fclose(f);
	if (rc < 0) {
		fp_buf_release(&out);
		return NULL;
	}
	fp_buf_adds(&out, "");
	return fp_buf_detach(&out);
}

static void
expect_as_libcsv(const char *text, size_t n)
{
	char *want = libcsv_records(text, n), *got = reader_records(text, n);

	if (!want || !got) {
		if (want || got)
			fail_msg("%s refuses %.*s", want ? "the reader" :
			    "libcsv", (int)n, text);
	} else {
		assert_string_equal(got, want);
	}
	free(want);
	free(got);
}

/*
 * The reader splits plain lines itself: the same records as libcsv, on
 * blanks around fields, blank lines, trailing commas, quoted fields over
 * several lines before plain ones, CRs, and lines cut by its 64 KiB
 * buffer; then on 50,000 random texts of those bytes.
 */
static void
test_reader_splits_as_libcsv(void **state)
{
	static const char *const cases[] = {
		"a,b\n", " a , b \n", "\ta\t,\t\n", ",\n", ",,\n", "a,\n",
		"\n", "  \n", " \t \n\n\n", "a\nb\n", "x,\"y\nz\"\na,b\n",
		"\"a\"\"\",b\nc, d \n", "a,b\r\nc,d\r\n", "a\rb\nc\n",
		"a,b", " a \n b ", "\"q\"\n  ,x\n", "x\r", "x\r\n\r\ny\n",
		"a, \"b\" \nc\n", "a\0b,c\n",
	};
	static const char alphabet[] = "ab ,\t\n\"\r\xe4\xb8\xad";
	char text[64];
	struct fp_buf big = FP_BUF_INIT;
	unsigned seed = 1;

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		expect_as_libcsv(cases[i], i == sizeof cases / sizeof
		    cases[0] - 1 ? 6 : strlen(cases[i]));
	for (int k = 0; k < 50000; k++) {
		size_t n = (size_t)(rand_r(&seed) % (int)sizeof text);

		for (size_t i = 0; i < n; i++)
			text[i] = alphabet[rand_r(&seed) %
			    (int)(sizeof alphabet - 1)];
		expect_as_libcsv(text, n);
	}
	/* Lines across the buffer's end, plain and quoted. */
	for (int k = 0; big.len < 3 * 65536; k++)
		fp_buf_printf(&big, k % 7 ? " f%d , g%d,h\n" :
		    "\"q%d\n\",%d\n", k, k);
	expect_as_libcsv(big.s, big.len);
	fp_buf_release(&big);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_field_quoted_only_when_needed),
		cmocka_unit_test(test_field_quotes_found_at_every_place),
		cmocka_unit_test(test_reader_records_and_lines),
		cmocka_unit_test(test_reader_last_line_without_newline),
		cmocka_unit_test(test_reader_unbalanced_quote_names_line),
		cmocka_unit_test(test_reader_tee_copies_bytes),
		cmocka_unit_test(test_reader_splits_as_libcsv),
	};

	return cmocka_run_group_tests_name("csvio", tests, NULL, NULL);
}
