/*
 * formpipe check: the mapping's rules over canonical facts. The facts
 * pass through to stdout byte for byte, so check can sit in the middle of
 * a pipe; findings go to stderr, one a line in the mapping's words, and
 * with --report to a CSV file. Each record is checked with the mapping
 * its form column names (or with -m's). Exit 1 if an error was found
 * (with --strict, a warning too).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cmd.h"
#include "mapping.h"
#include "canon.h"
#include "opts.h"
#include "outfile.h"
#include "rules.h"

static const char usage_text[] =
    "usage: formpipe check [-m MAPPING] [--report FILE [--bom] [--excel-safe]]\n"
    "                      [--strict] [FILE...]\n"
    "\n"
    "Checks canonical facts (from formpipe map) against the rules of each\n"
    "fact's form (its form column names a shipped mapping), or of MAPPING\n"
    "(a path or a shipped mapping's name). The facts are copied to\n"
    "standard output unchanged; each finding goes to standard error, and\n"
    "with --report to FILE as CSV (" FP_FINDINGS_HEADER ");\n"
    "--bom starts it with the byte-order mark Excel on Windows needs to\n"
    "read UTF-8; --excel-safe starts each of its fields that begins with\n"
    "= + - @, a tab or a carriage return with an apostrophe, for a\n"
    "spreadsheet to show rather than run. Exit 1 if an error was found\n"
    "(--strict: or a warning), 0 if not, 2 if the input cannot be read.\n";

struct ctx {
	FILE *report;		/* the report being written, or NULL */
	int report_err;		/* errno of its first failed write */
	int excel_safe;
	struct fp_buf csv;
	struct fp_buf line;
	const char *input;	/* the facts being read, for messages */
};

static void
on_unknown(void *arg, const struct fp_mapping *m,
    const struct fp_canon_fact *f)
{
	struct ctx *c = arg;

	fp_cli_unknown_fact("check", m, f, fp_cli_name(c->input));
}

static void
on_finding(void *arg, const struct fp_finding *f)
{
	struct ctx *c = arg;

	fp_buf_reset(&c->line);
	fp_buf_adds(&c->line, "formpipe check: ");
	fp_finding_line(&c->line, f);
	fputs(c->line.s, stderr);
	if (!c->report || c->report_err)
		return;
	/* Each finding goes to the report as it comes: memory stays flat. */
	fp_buf_reset(&c->csv);
	fp_finding_csv(&c->csv, f);
	if (c->excel_safe) {
		fp_buf_reset(&c->line);
		fp_cli_csv_excel_safe(&c->line, c->csv.s, c->csv.len);
		fp_buf_reset(&c->csv);
		fp_buf_add(&c->csv, c->line.s, c->line.len);
	}
	if (fwrite(c->csv.s, 1, c->csv.len, c->report) != c->csv.len)
		c->report_err = errno ? errno : EIO;
}

/* Starts the report in the output's private place: BOM and header. */
static int
start_report(struct ctx *c, struct fp_outfile *o, int bom)
{
	c->report = fopen(fp_outfile_path(o), "w");
	if (!c->report || (bom && fputs("\xef\xbb\xbf", c->report) < 0) ||
	    fputs(FP_FINDINGS_HEADER "\n", c->report) < 0) {
		fp_cli_error("check", "%s: %s", fp_outfile_name(o),
		    strerror(errno));
		return 2;
	}
	return 0;
}

/* Finishes the report and puts it in place; on any error, drops it. */
static int
finish_report(struct ctx *c, struct fp_outfile *o)
{
	FILE *f = c->report;

	c->report = NULL;
	if (fclose(f) != 0 && !c->report_err)
		c->report_err = errno ? errno : EIO;
	if (c->report_err) {
		fp_cli_error("check", "%s: %s", fp_outfile_name(o),
		    strerror(c->report_err));
		fp_outfile_abort(o);
		return 2;
	}
	return fp_cli_commit("check", o);
}

int
cmd_check(int argc, char **argv)
{
	const char *report = NULL, *mname = NULL;
	struct fp_outfile *of = NULL;
	struct fp_cli_mappings ms;
	struct fp_checker *chk = NULL;
	struct ctx c;
	const char **files;
	int nfiles, strict = 0, bom = 0, excel_safe = 0, copy_err = 0, rc, i;
	const struct fp_opt options[] = {
		FP_OPT_STRING('m', "mapping", &mname, "MAPPING"),
		FP_OPT_STRING(0, "report", &report, "FILE"),
		FP_OPT_BOOL(0, "bom", &bom),
		FP_OPT_BOOL(0, "excel-safe", &excel_safe),
		FP_OPT_BOOL(0, "strict", &strict),
		FP_OPT_END(),
	};

	rc = fp_cli_options("check", options, usage_text, &argc, argv);
	if (rc != FP_CLI_GO_ON)
		return rc;
	rc = 0;
	nfiles = argc;
	if (fp_cli_stdout_is_input("check", (const char *const *)argv,
	    argc))
		return 2;
	if (nfiles == 0 && fp_cli_stdin_wanted("check", "canonical facts"))
		return 2;
	if (report && !strcmp(report, "-")) {
		fp_cli_error("check", "--report: standard output carries the "
		    "facts; give the report a file's name");
		return 2;
	}
	memset(&ms, 0, sizeof ms);
	memset(&c, 0, sizeof c);
	files = fp_xcalloc((size_t)argc + 1, sizeof *files);
	for (i = 0; i < argc; i++)
		files[i] = argv[i];
	if (report && !(of = fp_cli_outfile("check", report, files, nfiles))) {
		rc = 2;
		goto done;
	}
	/* /dev/stdout, /proc/self/fd/1: where the facts go. */
	if (of && fp_outfile_is_stdout(of)) {
		fp_cli_error("check", "--report %s: is standard output, which "
		    "carries the facts; give the report a file's name", report);
		fp_outfile_abort(of);
		of = NULL;
		rc = 2;
		goto done;
	}
	if (mname && !(ms.fixed = fp_cli_load_mapping("check", mname))) {
		rc = 2;
		goto done;
	}
	if (of && start_report(&c, of, bom)) {
		rc = 2;
		goto done;
	}
	c.excel_safe = excel_safe;
	chk = fp_checker_new(fp_cli_resolve, &ms, on_finding, &c);
	fp_checker_on_unknown(chk, on_unknown);
	if (nfiles == 0)
		files[nfiles++] = "-";
	for (i = 0; i < nfiles && !rc; i++) {
		c.input = files[i];
		if (fp_cli_feed_facts("check", files[i], chk, stdout,
		    &copy_err))
			rc = 2;
	}
	/* After a bad line the message about it is the last word. */
	if (!rc)
		fp_checker_finish(chk);
	/*
	 * The first write that failed says why: once stdio has dropped what
	 * it could not write, flushing finds nothing to fail on (EIO).
	 */
	if (fp_fshut(stdout) != 0 || copy_err) {
		fp_cli_error("check", "<stdout>: write error: %s",
		    strerror(copy_err ? copy_err : errno));
		rc = 2;
	}
	if (of && rc) {
		/* The facts could not all be read: no report, the old one kept. */
		fclose(c.report);
		c.report = NULL;
	} else if (of) {
		if (finish_report(&c, of))
			rc = 2;
		of = NULL;
	}
	if (!rc && (fp_checker_count(chk, FP_SEV_ERROR) ||
	    (strict && fp_checker_count(chk, FP_SEV_WARNING))))
		rc = 1;
done:
	if (c.report)
		fclose(c.report);
	fp_outfile_abort(of);
	fp_checker_free(chk);
	fp_buf_release(&c.csv);
	fp_buf_release(&c.line);
	fp_cli_mappings_release(&ms);
	free(files);
	return rc;
}
