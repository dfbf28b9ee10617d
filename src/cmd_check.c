/*
 * formpipe check: the mapping's rules over canonical facts. The facts
 * pass through to stdout byte for byte, so check can sit in the middle of
 * a pipe; findings go to stderr, one a line, and with --report to a CSV
 * file. Exit 1 if an error was found (with --strict, a warning too).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cmd.h"
#include "csvio.h"
#include "mapping.h"
#include "opts.h"
#include "outfile.h"
#include "rules.h"

static const char usage_text[] =
    "usage: formpipe check [-m MAPPING] [--report FILE] [--strict] "
    "[--excel-safe] [FILE...]\n"
    "\n"
    "Checks canonical facts (from formpipe map) against the rules of\n"
    "MAPPING (mappings/perf-self-eval.map by default). The facts are copied\n"
    "to standard output unchanged; each finding goes to standard error, and\n"
    "with --report to FILE as CSV (severity,dept,year,table,row,field,rule,\n"
    "message,source). --excel-safe starts each report field that begins\n"
    "with = + - @, a tab or a carriage return with an apostrophe, for a\n"
    "spreadsheet to show rather than run. Exit 1 if an error was found\n"
    "(--strict: or a warning), 0 if not, 2 if the input cannot be read.\n";

#define REPORT_HEADER "severity,dept,year,table,row,field,rule,message,source"

struct ctx {
	struct fp_buf report;
	int want_report;
	int excel_safe;
	struct fp_buf line;
};

static void
on_finding(void *arg, const struct fp_finding *f)
{
	struct ctx *c = arg;
	const char *sev = f->severity == FP_SEV_ERROR ? "error" : "warning";
	const char *cols[9];
	size_t i;

	fp_buf_reset(&c->line);
	fp_buf_printf(&c->line, "formpipe check: %s %s: %s: %s", f->dept,
	    f->year, sev, f->table);
	if (*f->row)
		fp_buf_printf(&c->line, "[%s]", f->row);
	if (*f->field)
		fp_buf_printf(&c->line, ".%s", f->field);
	fp_buf_printf(&c->line, " %s", f->message);
	if (*f->source)
		fp_buf_printf(&c->line, " (%s)", f->source);
	fp_buf_addc(&c->line, '\n');
	fputs(c->line.s, stderr);
	if (!c->want_report)
		return;
	cols[0] = sev;
	cols[1] = f->dept;
	cols[2] = f->year;
	cols[3] = f->table;
	cols[4] = f->row;
	cols[5] = f->field;
	cols[6] = f->rule;
	cols[7] = f->message;
	cols[8] = f->source;
	for (i = 0; i < 9; i++) {
		if (i)
			fp_buf_addc(&c->report, ',');
		if (c->excel_safe)
			fp_cli_csv_field_excel_safe(&c->report, cols[i],
			    strlen(cols[i]));
		else
			fp_csv_field(&c->report, cols[i], strlen(cols[i]));
	}
	fp_buf_addc(&c->report, '\n');
}

/* Writes the report where the output module says, then puts it in place. */
static int
write_report(struct fp_outfile *o, const struct fp_buf *b)
{
	FILE *f = fopen(fp_outfile_path(o), "w");
	int ok;

	ok = f && fputs(REPORT_HEADER "\n", f) >= 0 &&
	    (b->len == 0 || fwrite(b->s, 1, b->len, f) == b->len);
	if (f && fclose(f) != 0)
		ok = 0;
	if (!ok) {
		fp_cli_error("check", "%s: %s", fp_outfile_name(o),
		    strerror(errno));
		fp_outfile_abort(o);
		return 2;
	}
	return fp_cli_commit("check", o);
}

int
cmd_check(int argc, char **argv)
{
	const char *report = NULL, *mapping = NULL;
	struct fp_outfile *of = NULL;
	char *mpath = NULL;
	struct fp_mapping *m = NULL;
	struct fp_checker *chk;
	struct fp_diag d;
	struct ctx c;
	const char **files;
	int nfiles, strict = 0, excel_safe = 0, rc, i;
	const struct fp_opt options[] = {
		FP_OPT_STRING('m', "mapping", &mapping, "MAPPING"),
		FP_OPT_STRING(0, "report", &report, "FILE"),
		FP_OPT_BOOL(0, "strict", &strict),
		FP_OPT_BOOL(0, "excel-safe", &excel_safe),
		FP_OPT_END(),
	};

	rc = fp_cli_options("check", options, usage_text, &argc, argv);
	if (rc != FP_CLI_GO_ON)
		return rc;
	rc = 0;
	nfiles = argc;
	if (nfiles == 0 && fp_cli_stdin_wanted("check", "canonical facts"))
		return 2;
	files = fp_xcalloc((size_t)argc + 1, sizeof *files);
	for (i = 0; i < argc; i++)
		files[i] = argv[i];
	if (report && !strcmp(report, "-")) {
		fp_cli_error("check", "--report: standard output carries the "
		    "facts; give the report a file's name");
		free(files);
		return 2;
	}
	if (report && !(of = fp_cli_outfile("check", report, files, nfiles))) {
		free(files);
		return 2;
	}
	mpath = mapping ? fp_xstrdup(mapping) : fp_cli_default_mapping();
	if (fp_mapping_load(mpath, &m, &d) != FP_OK) {
		fp_cli_error("check", "%s", d.msg);
		rc = 2;
		goto done;
	}
	memset(&c, 0, sizeof c);
	c.want_report = report != NULL;
	c.excel_safe = excel_safe;
	chk = fp_checker_new(m, on_finding, &c);
	if (nfiles == 0)
		files[nfiles++] = "-";
	for (i = 0; i < nfiles; i++)
		if (fp_cli_feed_facts("check", files[i], chk, stdout))
			rc = 2;
	fp_checker_finish(chk);
	if (fp_fshut(stdout) != 0) {
		fp_cli_error("check", "<stdout>: write error: %s",
		    strerror(errno));
		rc = 2;
	}
	if (of && write_report(of, &c.report))
		rc = 2;
	of = NULL;
	if (!rc && (fp_checker_count(chk, FP_SEV_ERROR) ||
	    (strict && fp_checker_count(chk, FP_SEV_WARNING))))
		rc = 1;
	fp_checker_free(chk);
	fp_buf_release(&c.report);
	fp_buf_release(&c.line);
	fp_mapping_free(m);
done:
	fp_outfile_abort(of);
	free(mpath);
	free(files);
	return rc;
}
