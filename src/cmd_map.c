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
#include "canon.h"
#include "form.h"
#include "mapping_apply.h"
#include "opts.h"

static const char usage_text[] =
    "usage: formpipe map -m MAPPING [--set dept=NAME] [--set year=N] "
    "[--explain]\n"
    "                    [FILE...]\n"
    "\n"
    "Turns filled forms into canonical facts (form,dept,year,record,table,\n"
    "row,field,value,source,file) as MAPPING (a path, or the name of a\n"
    "shipped mapping: perf-self-eval, project-self-eval, ledger) describes\n"
    "them, all files into one CSV stream. Without FILE, standard input is\n"
    "read: a cell stream from 'formpipe read --cells', or a workbook.\n"
    "--set overrides the department or year the form gives. --explain says\n"
    "on standard error where each table and field was found, or why not.\n"
    "A form that cannot be read or is not the mapping's form is reported;\n"
    "the others still go through (exit 2).\n";

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

/* Where a cell stream gives a cell: its sheet, row, column and line. */
struct given {
	uint32_t sheet, row, col, line;
};

static int
given_cmp(const void *x, const void *y)
{
	const struct given *a = x, *b = y;

	if (a->sheet != b->sheet)
		return a->sheet < b->sheet ? -1 : 1;
	if (a->row != b->row)
		return a->row < b->row ? -1 : 1;
	if (a->col != b->col)
		return a->col < b->col ? -1 : 1;
	return a->line < b->line ? -1 : a->line > b->line;
}

/*
 * 0 if each cell of the stream is given once; else 1, said with the
 * line that gives one a second time and the line that gave it first.
 */
static int
given_twice(struct given *v, size_t n, const struct fp_form *form,
    const char *name)
{
	char col[8];
	size_t i;

	qsort(v, n, sizeof *v, given_cmp);
	for (i = 1; i < n; i++) {
		const struct given *a = &v[i - 1], *b = &v[i];

		if (a->sheet != b->sheet || a->row != b->row || a->col != b->col)
			continue;
		fp_colname(b->col, col);
		fp_cli_error("map", "%s:%lu: cell %s!%s%lu is given again (line "
		    "%lu gave it): a cell stream gives each cell once", name,
		    (unsigned long)b->line, form->sheets[b->sheet].name, col,
		    (unsigned long)b->row + 1, (unsigned long)a->line);
		return 1;
	}
	return 0;
}

/* Reads a cell stream from f into a new form; NULL with a message. */
static struct fp_form *
form_from_cells(FILE *f, const char *name)
{
	struct fp_csv_reader *r = fp_csv_reader_new(f, name);
	struct fp_form *form = fp_form_new();
	struct fp_csv_row row;
	struct fp_diag d;
	struct given *given = NULL;
	enum fp_csv_text bad;
	size_t i, ngiven = 0, cap = 0;
	int rc, first = 1;

	while ((rc = fp_csv_next(r, &row, &d)) == 1) {
		enum fp_cell_type t;
		char *end1, *end2;
		long rr, cc;
		double num;

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
		if ((bad = fp_csv_row_text(&row, 5, &i)) != FP_CSV_TEXT) {
			fp_cli_error("map", "%s:%zu: %s", name, row.line,
			    bad == FP_CSV_NUL ? "a NUL byte: not a cell stream" :
			    "not UTF-8 text (was the file saved in another "
			    "encoding?)");
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
		if (t == FP_CELL_NUMBER && !fp_parse_number(row.f[4],
		    row.len[4], &num)) {
			fp_cli_error("map", "%s:%zu: a number cell whose value, "
			    "'%s', is no number", name, row.line, row.f[4]);
			goto fail;
		}
		if (ngiven == cap) {
			cap = cap ? 2 * cap : 1024;
			given = fp_xreallocarray(given, cap, sizeof *given);
		}
		given[ngiven].sheet = (uint32_t)fp_form_add(form, row.f[0],
		    (uint32_t)rr - 1, (uint32_t)cc - 1, t, row.f[4],
		    row.len[4]);
		given[ngiven].row = (uint32_t)rr - 1;
		given[ngiven].col = (uint32_t)cc - 1;
		given[ngiven++].line = row.line > UINT32_MAX ? UINT32_MAX :
		    (uint32_t)row.line;
	}
	if (rc < 0) {
		fp_cli_error("map", "%s:%s", name, d.msg);
		goto fail;
	}
	if (first) {
		fp_cli_error("map", "%s: empty input", name);
		goto fail;
	}
	if (given_twice(given, ngiven, form, name))
		goto fail;
	free(given);
	fp_csv_reader_free(r);
	fp_form_seal(form);
	return form;
fail:
	free(given);
	fp_csv_reader_free(r);
	fp_form_free(form);
	return NULL;
}

struct run {
	const struct fp_mapping *m;
	struct fp_apply_opts opts;
	struct fp_out out;
	int header_done;	/* the header goes out with the first facts */
};

static void
header(struct run *run)
{
	if (!run->header_done)
		fp_buf_adds(&run->out.b, FP_CANON_HEADER "\n");
	run->header_done = 1;
}

/*
 * Maps one form (file is its name as given, - for stdin; name as
 * messages say it) and writes its facts. Returns 0 or 2 (message printed).
 */
static int
map_form(struct run *run, struct fp_form *form, const char *file,
    const char *name)
{
	struct fp_buf fname = FP_BUF_INIT;
	struct fp_mapped mapped;
	struct fp_canon_fact cf;
	struct fp_diag d;
	enum fp_err err;
	size_t i, k;

	err = fp_mapping_apply(run->m, form, &run->opts, &mapped, &d);
	for (i = 0; i < mapped.nnotes; i++)
		fp_cli_error("map", "%s: %s%s", name, mapped.notes[i].warn ?
		    "warning: " : "", mapped.notes[i].text);
	if (err != FP_OK) {
		fp_cli_error("map", "%s: %s", name, d.msg);
		fp_mapped_release(&mapped);
		return 2;
	}
	header(run);
	cf.form = run->m->name;
	/* The file column is text: a GBK name is made UTF-8. */
	fp_utf8_name(&fname, file);
	cf.file = fname.s;
	for (k = 0; k < mapped.nrecs; k++) {
		const struct fp_record *rec = &mapped.recs[k];

		cf.dept = rec->dept;
		cf.year = rec->year;
		cf.record = rec->record;
		for (i = 0; i < rec->n; i++) {
			cf.table = rec->v[i].table;
			cf.row = rec->v[i].row;
			cf.field = rec->v[i].field;
			cf.value = rec->v[i].value;
			cf.source = rec->v[i].source;
			fp_canon_write(&run->out.b, &cf);
			fp_out_maybe_flush(&run->out);
		}
	}
	fp_mapped_release(&mapped);
	fp_buf_release(&fname);
	return 0;
}

static int
map_workbook(struct run *run, const char *path)
{
	struct fp_workbook *wb = fp_cli_open_workbook("map", path);
	struct fp_form *form;
	struct fp_diag d;
	int rc;

	if (!wb)
		return 2;
	if (fp_workbook_is_summary(wb)) {
		fp_cli_error("map", "%s: not a form: a summary formpipe merge "
		    "wrote (its document properties say so)",
		    fp_cli_name(path));
		fp_workbook_free(wb);
		return 2;
	}
	form = fp_form_from_workbook(wb, &d);
	if (form)
		fp_cli_say_unsaved("map", path, wb);
	fp_workbook_free(wb);
	if (!form) {
		fp_cli_error("map", "%s: %s", fp_cli_name(path), d.msg);
		return 2;
	}
	rc = map_form(run, form, path ? path : "-", fp_cli_name(path));
	fp_form_free(form);
	return rc;
}

/* Standard input: a cell stream if it starts with the header, else a workbook. */
static int
map_stdin(struct run *run)
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
		return map_workbook(run, "-");
	form = form_from_cells(stdin, "<stdin>");
	if (!form)
		return 2;
	rc = map_form(run, form, "-", "<stdin>");
	fp_form_free(form);
	return rc;
}

/* 1 if s is a year: four digits. */
static int
is_year(const char *s)
{
	size_t i;

	for (i = 0; i < 4; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return s[4] == '\0';
}

/* --set dept=NAME or --set year=YYYY, into the run's options. */
static enum fp_err
set_override(void *value, const char *arg, struct fp_diag *d)
{
	struct run *run = value;

	if (!strncmp(arg, "dept=", 5) && arg[5]) {
		run->opts.set_dept = arg + 5;
		return FP_OK;
	}
	if (!strncmp(arg, "year=", 5) && is_year(arg + 5)) {
		run->opts.set_year = arg + 5;
		return FP_OK;
	}
	return fp_diag(d, FP_EUSAGE, "takes dept=NAME or year=YYYY, not '%s'",
	    arg);
}

int
cmd_map(int argc, char **argv)
{
	const char *mname = NULL;
	struct fp_mapping *m = NULL;
	struct run run;
	char **files;
	int nfiles, i, rc;
	const struct fp_opt options[] = {
		FP_OPT_STRING('m', "mapping", &mname, "MAPPING"),
		FP_OPT_BOOL(0, "explain", &run.opts.explain),
		FP_OPT_CALLBACK(0, "set", &run, "dept=NAME or year=YYYY",
		    set_override),
		FP_OPT_END(),
	};

	memset(&run, 0, sizeof run);
	rc = fp_cli_options("map", options, usage_text, &argc, argv);
	if (rc != FP_CLI_GO_ON)
		return rc;
	rc = 0;
	files = argv;
	nfiles = argc;
	if (!mname) {
		fp_cli_error("map", "which form? give its mapping with -m");
		fputs(usage_text, stderr);
		return 2;
	}
	if (nfiles == 0 && fp_cli_stdin_wanted("map",
	    "a workbook or a cell stream"))
		return 2;
	if (fp_cli_stdout_is_input("map", (const char *const *)files,
	    nfiles))
		return 2;
	m = fp_cli_load_mapping("map", mname);
	if (!m)
		return 2;
	run.m = m;
	fp_out_init(&run.out, stdout);
	if (nfiles == 0) {
		rc = map_stdin(&run);
	} else {
		for (i = 0; i < nfiles; i++) {
			int r = strcmp(files[i], "-") ?
			    map_workbook(&run, files[i]) : map_stdin(&run);

			if (r)
				rc = r;
		}
	}
	fp_mapping_free(m);
	if (fp_out_finish(&run.out, "map"))
		rc = 2;
	return rc;
}
