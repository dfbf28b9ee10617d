/*
 * Unit tests for XML parts (xml.c): elements matched by namespace URI
 * whatever their prefix, attributes with and without a namespace, a
 * callback stopping the parse, and the refusal of a DTD and of malformed
 * XML with the part and line named.
 */
#include "testutil.h"

#include "xml.h"
#include "zip.h"

enum { NS_MAIN = 1, NS_R };

static const struct fp_xml_ns nss[] = {
	{ "http://schemas.openxmlformats.org/spreadsheetml/2006/main", NS_MAIN },
	{ "http://purl.oclc.org/ooxml/spreadsheetml/main", NS_MAIN },
	{ "http://purl.oclc.org/ooxml/officeDocument/relationships", NS_R },
};

struct seen {
	struct fp_xml *x;
	int sheets, elements, stop_at;
	char first[64], rid[16];
};

static void
on_start(void *ctx, int ns, const char *local, const char **attrs)
{
	struct seen *s = ctx;
	const char *v;

	s->elements++;
	if (s->stop_at && s->elements == s->stop_at)
		fp_xml_stop(s->x, FP_OK);
	if (ns != NS_MAIN || strcmp(local, "sheet"))
		return;
	if (s->sheets++ == 0) {
		v = fp_xml_attr(s->x, attrs, 0, "name");
		snprintf(s->first, sizeof s->first, "%s", v ? v : "");
		v = fp_xml_attr(s->x, attrs, NS_R, "id");
		snprintf(s->rid, sizeof s->rid, "%s", v ? v : "");
	}
}

static enum fp_err
parse(const char *path, const char *part, struct seen *s, struct fp_diag *d)
{
	static const struct fp_xml_handlers h = { on_start, NULL, NULL };
	struct fp_zip *z = NULL;
	enum fp_err err;
	size_t n;
	char *buf = test_slurp(path, &n);

	assert_non_null(buf);
	assert_int_equal(fp_zip_open((unsigned char *)buf, n, &z, d), FP_OK);
	err = fp_xml_parse_part(z, part, nss, sizeof nss / sizeof nss[0], &h, s,
	    &s->x, d);
	fp_zip_free(z);
	free(buf);
	return err;
}

static void
test_xml_prefixed_strict_names_by_uri(void **state)
{
	struct seen s;
	struct fp_diag d;

	(void)state;
	memset(&s, 0, sizeof s);
	assert_int_equal(parse("fixtures/strict.xlsx", "xl/workbook.xml", &s,
	    &d), FP_OK);
	assert_int_equal(s.sheets, 6);
	assert_string_equal(s.first, "cases");
	assert_string_equal(s.rid, "rId1");
}

static void
test_xml_callback_stops_cleanly(void **state)
{
	struct seen s;
	struct fp_diag d;

	(void)state;
	memset(&s, 0, sizeof s);
	s.stop_at = 2;
	assert_int_equal(parse("fixtures/openpyxl.xlsx", "xl/workbook.xml", &s,
	    &d), FP_OK);
	assert_int_equal(s.elements, 2);
	assert_int_equal(s.sheets, 0);
}

static void
test_xml_dtd_and_malformed_refused(void **state)
{
	struct seen s;
	struct fp_diag d;

	(void)state;
	memset(&s, 0, sizeof s);
	assert_int_equal(parse("fixtures/bad/dtd.xlsx",
	    "xl/worksheets/sheet1.xml", &s, &d), FP_ECORRUPT);
	assert_string_equal(d.msg, "refused: xl/worksheets/sheet1.xml has a "
	    "document type declaration (DTD) at line 2, which no workbook has "
	    "and which could expand entities without end");
	assert_int_equal(s.elements, 0);
	memset(&s, 0, sizeof s);
	assert_int_equal(parse("fixtures/bad/malformed.xlsx",
	    "xl/worksheets/sheet1.xml", &s, &d), FP_ECORRUPT);
	assert_string_equal(d.msg, "malformed XML in xl/worksheets/sheet1.xml "
	    "at line 5: unclosed token");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xml_prefixed_strict_names_by_uri),
		cmocka_unit_test(test_xml_callback_stops_cleanly),
		cmocka_unit_test(test_xml_dtd_and_malformed_refused),
	};

	return cmocka_run_group_tests_name("xml", tests, NULL, NULL);
}
