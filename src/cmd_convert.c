/*
 * formpipe convert: a workbook as .xlsx (convert.c does the work). This
 * file reads the arguments, opens the workbook, and names on stderr what
 * the conversion could not carry: formulas kept as their values, charts,
 * images, macros and the like. The workbook is written through
 * outfile.c, in a private folder beside the target, and renamed into
 * place.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd.h"
#include "convert.h"
#include "opts.h"
#include "outfile.h"
#include "workbook.h"

static const char usage_text[] =
    "usage: formpipe convert IN.xls OUT.xlsx\n"
    "\n"
    "Writes the Excel workbook IN.xls (- for standard input) as OUT.xlsx:\n"
    "every sheet and its visibility, values and types, formulas with their\n"
    "results, number formats, fonts, fills, borders, alignment, merged\n"
    "ranges, column widths, row heights, frozen panes and page setup.\n"
    "What cannot be carried (charts, images, comments, macros) is named\n"
    "on standard error.\n";

/* Names on stderr what the conversion could not carry; it still succeeded. */
static void
report(const char *in, const struct fp_convert_report *rep)
{
	struct fp_buf b = FP_BUF_INIT;
	size_t k;

	if (rep->kept)
		fp_cli_error("convert", "%s: %zu formula%s kept as %s (could "
		    "not be read; the first: %s)", in, rep->kept,
		    rep->kept == 1 ? "" : "s", rep->kept == 1 ? "its value" :
		    "values", rep->why);
	for (k = 0; k < FP_LOST_KINDS; k++) {
		if (!rep->lost[k])
			continue;
		fp_buf_printf(&b, "%s%s (%u)", b.len ? ", " : "",
		    fp_convert_lost_name((enum fp_lost)k), rep->lost[k]);
	}
	if (rep->names_dropped)
		fp_buf_printf(&b, "%sdefined names (%zu)", b.len ? ", " : "",
		    rep->names_dropped);
	if (rep->merges_dropped)
		fp_buf_printf(&b, "%smerged ranges overlapping others or past "
		    "1,000,000 cells together (%zu)", b.len ? ", " : "",
		    rep->merges_dropped);
	if (b.len)
		fp_cli_error("convert", "%s: not carried over: %s", in, b.s);
	fp_buf_reset(&b);
	fp_buf_printf(&b, "%s: ", in);
	fp_cli_warn_cut("convert", b.s, rep->cut, rep->cut_at);
	fp_buf_release(&b);
}

static int
convert(struct fp_workbook *wb, const char *in, const char *out,
    const char *path)
{
	struct fp_convert_report rep;
	struct fp_diag d = { "" };
	enum fp_err err = fp_convert(wb, path, NULL, &rep, &d);

	/* A fault of the workbook read is the input's; of the write, the output's. */
	if (err != FP_OK) {
		fp_cli_error("convert", "%s: %s", err == FP_EWRITE ||
		    err == FP_ENOMEM ? out : in, d.msg);
		return 2;
	}
	report(in, &rep);
	return 0;
}

int
cmd_convert(int argc, char **argv)
{
	const char *args[2];
	struct fp_outfile *of;
	struct fp_workbook *wb;
	int rc;
	const struct fp_opt options[] = {
		FP_OPT_END(),
	};

	rc = fp_cli_options("convert", options, usage_text, &argc, argv);
	if (rc != FP_CLI_GO_ON)
		return rc;
	if (argc > 2)
		fp_cli_error("convert", "one workbook in, one out");
	if (argc != 2) {
		fputs(usage_text, stderr);
		return 2;
	}
	args[0] = argv[0];
	args[1] = argv[1];
	of = fp_cli_outfile("convert", args[1], args, 1);
	if (!of)
		return 2;
	wb = fp_cli_open_workbook("convert", args[0]);
	if (!wb) {
		fp_outfile_abort(of);
		return 2;
	}
	rc = convert(wb, fp_cli_name(args[0]), args[1], fp_outfile_path(of));
	if (!rc)
		fp_cli_say_unsaved("convert", args[0], wb);
	fp_workbook_free(wb);
	if (rc) {
		fp_outfile_abort(of);
		return rc;
	}
	return fp_cli_commit("convert", of);
}
