/*
 * formpipe map: filled forms to canonical facts, by a mapping. Many
 * workbooks go through in one process, one at a time (memory does not
 * grow with their number), into one stream with one header. Without
 * files, standard input is read: a cell stream (formpipe read --cells)
 * or a workbook.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd.h"
#include "csvio.h"
#include "form.h"
#include "mapping.h"
#include "opts.h"

static const char usage_text[] =
    "usage: formpipe map -m MAPPING [--set dept=NAME] [--set year=N] "
    "[FILE.xls...]\n"
    "\n"
    "Turns filled forms into canonical facts (dept,year,table,row,field,\n"
    "value,source) as MAPPING describes them, all files into one CSV stream.\n"
    "Without FILE, standard input is read: a cell stream from\n"
    "'formpipe read --cells', or a workbook. --set overrides the department\n"
    "or year the form gives. A form that cannot be read or is not the\n"
    "mapping's form is reported; the others still go through (exit 2).\n";

#define CELL_HEADER "sheet,row,col,type,value"

static enum fp_cell_type
type_named(const char *s)
{
	static const char *const names[] = {
		"empty", "number", "text", "date", "datetime", "time", "bool",
		"error",
	};
	size_t i;

	for (i = 1; i < sizeof names / sizeof names[0]; i++)
		if (!strcmp(s, names[i]))
			return (enum fp_cell_type)i;
	return FP_CELL_EMPTY;
}

/* Reads a cell stream from f into a new form; NULL with a message. */
static struct fp_form *
form_from_cells(FILE *f, const char *name)
{
	struct fp_csv_reader *r = fp_csv_reader_new(f, name);
	struct fp_form *form = fp_form_new();
	struct fp_csv_row row;
	struct fp_diag d;
	int rc, first = 1;

	while ((rc = fp_csv_next(r, &row, &d)) == 1) {
		enum fp_cell_type t;
		char *end1, *end2;
		long rr, cc;

		if (first) {
			first = 0;
			if (row.n != 5 || strcmp(row.f[0], "sheet") ||
			    strcmp(row.f[4], "value")) {
				fp_cli_error("map", "%s:%zu: not a cell stream (its "
				    "header is not '" CELL_HEADER "')", name,
				    row.line);
				goto fail;
			}
			continue;
		}
		if (row.n != 5) {
			fp_cli_error("map", "%s:%zu: %zu fields, expected 5", name,
			    row.line, row.n);
			goto fail;
		}
		rr = strtol(row.f[1], &end1, 10);
		cc = strtol(row.f[2], &end2, 10);
		t = type_named(row.f[3]);
		if (*end1 || *end2 || rr < 1 || cc < 1 || rr > 1048576 ||
		    cc > 16384 || t == FP_CELL_EMPTY) {
			fp_cli_error("map", "%s:%zu: not a cell (row, column or "
			    "type is wrong)", name, row.line);
			goto fail;
		}
		fp_form_add(form, row.f[0], (uint32_t)rr - 1, (uint32_t)cc - 1,
		    t, row.f[4], row.len[4]);
	}
	if (rc < 0) {
		fp_cli_error("map", "%s:%s", name, d.msg);
		goto fail;
	}
	if (first) {
		fp_cli_error("map", "%s: empty input", name);
		goto fail;
	}
	fp_csv_reader_free(r);
	fp_form_seal(form);
	return form;
fail:
	fp_csv_reader_free(r);
	fp_form_free(form);
	return NULL;
}

/*
 * The header goes out with the first form's facts, so that input nobody
 * could map leaves nothing on stdout.
 */
static int header_done;

static void
header(struct fp_out *out)
{
	if (!header_done)
		fp_buf_adds(&out->b, FP_CANON_HEADER "\n");
	header_done = 1;
}

/* Maps one form and writes its facts. Returns 0 or 2 (message printed). */
static int
map_form(const struct fp_mapping *m, struct fp_form *form, const char *name,
    const char *dept, const char *year, struct fp_out *out)
{
	struct fp_facts facts;
	struct fp_diag d;
	size_t i;

	if (fp_mapping_apply(m, form, dept, year, &facts, &d) != FP_OK) {
		fp_cli_error("map", "%s: %s", name, d.msg);
		return 2;
	}
	header(out);
	for (i = 0; i < facts.n; i++) {
		fp_fact_line(&out->b, facts.dept, facts.year, &facts.v[i]);
		fp_out_maybe_flush(out);
	}
	fp_facts_release(&facts);
	return 0;
}

static int
map_workbook(const struct fp_mapping *m, const char *path, const char *dept,
    const char *year, struct fp_out *out)
{
	struct fp_workbook *wb = fp_cli_open_workbook("map", path);
	struct fp_form *form;
	struct fp_diag d;
	int rc;

	if (!wb)
		return 2;
	form = fp_form_from_workbook(wb, &d);
	fp_workbook_free(wb);
	if (!form) {
		fp_cli_error("map", "%s: %s", fp_cli_name(path), d.msg);
		return 2;
	}
	rc = map_form(m, form, fp_cli_name(path), dept, year, out);
	fp_form_free(form);
	return rc;
}

/* Standard input: a cell stream if it starts with the header, else a workbook. */
static int
map_stdin(const struct fp_mapping *m, const char *dept, const char *year,
    struct fp_out *out)
{
	struct fp_form *form;
	int c, rc;

	c = getc(stdin);
	if (c == EOF) {
		fp_cli_error("map", "<stdin>: empty input");
		return 2;
	}
	ungetc(c, stdin);
	if (c != 's')
		return map_workbook(m, "-", dept, year, out);
	form = form_from_cells(stdin, "<stdin>");
	if (!form)
		return 2;
	rc = map_form(m, form, "<stdin>", dept, year, out);
	fp_form_free(form);
	return rc;
}

/* --set dept=NAME or --set year=N. */
struct overrides {
	const char *dept, *year;
};

static enum fp_err
set_override(void *value, const char *arg, struct fp_diag *d)
{
	struct overrides *o = value;
	const char *v = arg + 5;

	if (!strncmp(arg, "dept=", 5) && *v) {
		o->dept = v;
		return FP_OK;
	}
	if (!strncmp(arg, "year=", 5) && *v) {
		if (strspn(v, "0123456789") != strlen(v) || strlen(v) > 4)
			return fp_diag(d, FP_EUSAGE, "the year is a number "
			    "like 2021, not '%s'", v);
		o->year = v;
		return FP_OK;
	}
	return fp_diag(d, FP_EUSAGE, "takes dept=NAME or year=N, not '%s'",
	    arg);
}

int
cmd_map(int argc, char **argv)
{
	const char *mpath = NULL, *dept, *year;
	struct overrides set = { NULL, NULL };
	struct fp_mapping *m = NULL;
	struct fp_out out;
	struct fp_diag d;
	char **files;
	int nfiles, i, rc;
	const struct fp_opt options[] = {
		FP_OPT_STRING('m', "mapping", &mpath, "MAPPING"),
		FP_OPT_CALLBACK(0, "set", &set, "dept=NAME or year=N",
		    set_override),
		FP_OPT_END(),
	};

	rc = fp_cli_options("map", options, usage_text, &argc, argv);
	if (rc != FP_CLI_GO_ON)
		return rc;
	rc = 0;
	files = argv;
	nfiles = argc;
	dept = set.dept;
	year = set.year;
	if (!mpath) {
		fp_cli_error("map", "which form? give its mapping with -m");
		fputs(usage_text, stderr);
		return 2;
	}
	if (nfiles == 0 && fp_cli_stdin_wanted("map",
	    "a workbook or a cell stream"))
		return 2;
	if (fp_mapping_load(mpath, &m, &d) != FP_OK) {
		fp_cli_error("map", "%s", d.msg);
		return 2;
	}
	fp_out_init(&out, stdout);
	header_done = 0;
	if (nfiles == 0) {
		rc = map_stdin(m, dept, year, &out);
	} else {
		for (i = 0; i < nfiles; i++) {
			int r = strcmp(files[i], "-") ?
			    map_workbook(m, files[i], dept, year, &out) :
			    map_stdin(m, dept, year, &out);

			if (r)
				rc = r;
		}
	}
	fp_mapping_free(m);
	if (!rc)
		header(&out);	/* forms without a single fact */
	if (fp_out_finish(&out, "map"))
		rc = 2;
	return rc;
}
