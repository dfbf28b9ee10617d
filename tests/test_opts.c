/* Unit tests for opts.c: the one option parser of every command. */
#include "testutil.h"

#include "opts.h"

struct parsed {
	const char *mapping, *out;
	int quiet, strict, nsets;
	const char *sets[4];
};

static enum fp_err
add_set(void *value, const char *arg, struct fp_diag *d)
{
	struct parsed *p = value;

	if (strchr(arg, '=') == NULL)
		return fp_diag(d, FP_EUSAGE, "takes NAME=VALUE, not '%s'", arg);
	if (p->nsets < 4)
		p->sets[p->nsets++] = arg;
	return FP_OK;
}

/* Parses the words of line (at most 16) into p; returns the error code. */
static enum fp_err
parse(const char *line, struct parsed *p, struct fp_opts_out *out,
    struct fp_diag *d, char **argv)
{
	static char buf[256];
	const struct fp_opt options[] = {
		FP_OPT_STRING('m', "mapping", &p->mapping, "MAPPING"),
		FP_OPT_STRING('o', "output", &p->out, "OUT.xlsx"),
		FP_OPT_BOOL('q', "quiet", &p->quiet),
		FP_OPT_BOOL(0, "strict", &p->strict),
		FP_OPT_CALLBACK(0, "set", p, "NAME=VALUE", add_set),
		FP_OPT_END(),
	};
	int argc = 0;
	char *w;

	memset(p, 0, sizeof *p);
	snprintf(buf, sizeof buf, "cmd %s", line);
	for (w = strtok(buf, " "); w && argc < 16; w = strtok(NULL, " "))
		argv[argc++] = w;
	return fp_opts_parse(options, argc, argv, out, d);
}

static void
test_opts_parse_value_forms(void **state)
{
	struct parsed p;
	struct fp_opts_out out;
	struct fp_diag d;
	char *argv[16];

	(void)state;
	assert_int_equal(parse("-m a.map x.xls", &p, &out, &d, argv), FP_OK);
	assert_string_equal(p.mapping, "a.map");
	assert_int_equal(parse("-mb.map", &p, &out, &d, argv), FP_OK);
	assert_string_equal(p.mapping, "b.map");
	assert_int_equal(parse("--mapping=c.map", &p, &out, &d, argv), FP_OK);
	assert_string_equal(p.mapping, "c.map");
	assert_int_equal(parse("--mapping d.map", &p, &out, &d, argv), FP_OK);
	assert_string_equal(p.mapping, "d.map");
	assert_int_equal(out.nargs, 0);
}

static void
test_opts_parse_bundles_and_operands(void **state)
{
	struct parsed p;
	struct fp_opts_out out;
	struct fp_diag d;
	char *argv[16];

	(void)state;
	assert_int_equal(parse("a.csv -qo out.xlsx - b.csv -- -c.csv --strict",
	    &p, &out, &d, argv), FP_OK);
	assert_int_equal(p.quiet, 1);
	assert_string_equal(p.out, "out.xlsx");
	assert_int_equal(p.strict, 0);
	assert_int_equal(out.nargs, 5);
	assert_string_equal(argv[0], "a.csv");
	assert_string_equal(argv[1], "-");
	assert_string_equal(argv[2], "b.csv");
	assert_string_equal(argv[3], "-c.csv");
	assert_string_equal(argv[4], "--strict");
}

static void
test_opts_parse_refuses(void **state)
{
	struct parsed p;
	struct fp_opts_out out;
	struct fp_diag d;
	char *argv[16];

	(void)state;
	assert_int_equal(parse("--bogus", &p, &out, &d, argv), FP_EUSAGE);
	assert_string_equal(d.msg, "unknown option '--bogus'");
	assert_int_equal(out.unknown, 1);
	assert_int_equal(parse("-qz", &p, &out, &d, argv), FP_EUSAGE);
	assert_string_equal(d.msg, "unknown option '-z' (in '-qz')");
	assert_int_equal(parse("x.csv -m", &p, &out, &d, argv), FP_EUSAGE);
	assert_string_equal(d.msg, "option '-m' needs a value (MAPPING)");
	assert_int_equal(out.unknown, 0);
	assert_int_equal(parse("--output", &p, &out, &d, argv), FP_EUSAGE);
	assert_string_equal(d.msg, "option '--output' needs a value (OUT.xlsx)");
	assert_int_equal(parse("--output= x.csv", &p, &out, &d, argv),
	    FP_EUSAGE);
	assert_string_equal(d.msg, "option '--output' needs a value (OUT.xlsx)");
	assert_int_equal(parse("--strict=yes", &p, &out, &d, argv), FP_EUSAGE);
	assert_string_equal(d.msg, "option '--strict' takes no value");
	assert_int_equal(parse("--set nothing", &p, &out, &d, argv), FP_EUSAGE);
	assert_string_equal(d.msg, "--set takes NAME=VALUE, not 'nothing'");
	assert_int_equal(out.unknown, 0);
}

static void
test_opts_parse_help_and_callbacks(void **state)
{
	struct parsed p;
	struct fp_opts_out out;
	struct fp_diag d;
	char *argv[16];

	(void)state;
	assert_int_equal(parse("--set a=1 --set=b=2 -h", &p, &out, &d, argv),
	    FP_OK);
	assert_int_equal(out.help, 1);
	assert_int_equal(p.nsets, 2);
	assert_string_equal(p.sets[0], "a=1");
	assert_string_equal(p.sets[1], "b=2");
	assert_int_equal(parse("--help", &p, &out, &d, argv), FP_OK);
	assert_int_equal(out.help, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_opts_parse_value_forms),
		cmocka_unit_test(test_opts_parse_bundles_and_operands),
		cmocka_unit_test(test_opts_parse_refuses),
		cmocka_unit_test(test_opts_parse_help_and_callbacks),
	};

	return cmocka_run_group_tests_name("opts", tests, NULL, NULL);
}
