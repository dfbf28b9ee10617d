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
#include "rules.h"

static const char usage_text[] =
    "usage: formpipe check [-m MAPPING] [--report FILE [--bom]] [--strict] "
    "[FILE...]\n"
    "\n"
    "Checks canonical facts (from formpipe map) against the rules of each\n"
    "fact's form (its form column names a shipped mapping), or of MAPPING\n"
    "(a path or a shipped mapping's name). The facts are copied to\n"
    "standard output unchanged; each finding goes to standard error, and\n"
    "with --report to FILE as CSV (" FP_FINDINGS_HEADER ");\n"
    "--bom starts it with the byte-order mark Excel on Windows needs to\n"
    "read UTF-8. Exit 1 if an error was found (--strict: or a warning), 0\n"
    "if not, 2 if the input cannot be read.\n";

struct ctx {
	struct fp_buf report;
	int want_report;
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
	if (c->want_report)
		fp_finding_csv(&c->report, f);
}

/* Writes the report through a temporary file renamed into place. */
static int
write_report(const char *path, const struct fp_buf *b, int bom)
{
	char *tmp = fp_cli_temp_beside("check", path);
	FILE *f;
	int ok;

	if (!tmp)
		return 2;
	f = fopen(tmp, "w");
	ok = f && (!bom || fputs("\xef\xbb\xbf", f) >= 0) &&
	    fputs(FP_FINDINGS_HEADER "\n", f) >= 0 &&
	    (b->len == 0 || fwrite(b->s, 1, b->len, f) == b->len);
	if (f && fclose(f) != 0)
		ok = 0;
	if (!ok || rename(tmp, path) != 0) {
		fp_cli_error("check", "%s: %s", path, strerror(errno));
		unlink(tmp);
		free(tmp);
		return 2;
	}
	free(tmp);
	return 0;
}

int
cmd_check(int argc, char **argv)
{
	const char *report = NULL, *mname = NULL;
	struct fp_cli_mappings ms;
	struct fp_checker *chk = NULL;
	struct ctx c;
	const char **files;
	int nfiles = 0, strict = 0, bom = 0, rc = 0, i;

	memset(&ms, 0, sizeof ms);
	memset(&c, 0, sizeof c);
	files = fp_xcalloc((size_t)argc + 1, sizeof *files);
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (fp_cli_is_help(a)) {
			fputs(usage_text, stdout);
			goto done;
		} else if (!strcmp(a, "-m") || !strcmp(a, "--mapping")) {
			if (++i >= argc)
				goto usage;
			mname = argv[i];
		} else if (!strcmp(a, "--report")) {
			if (++i >= argc)
				goto usage;
			report = argv[i];
		} else if (!strcmp(a, "--bom")) {
			bom = 1;
		} else if (!strcmp(a, "--strict")) {
			strict = 1;
		} else if (a[0] == '-' && a[1]) {
			fp_cli_error("check", "unknown option '%s'", a);
			goto usage;
		} else {
			files[nfiles++] = a;
		}
	}
	if (mname && !(ms.fixed = fp_cli_load_mapping("check", mname))) {
		rc = 2;
		goto done;
	}
	c.want_report = report != NULL;
	chk = fp_checker_new(fp_cli_resolve, &ms, on_finding, &c);
	fp_checker_on_unknown(chk, on_unknown);
	if (nfiles == 0)
		files[nfiles++] = "-";
	for (i = 0; i < nfiles && !rc; i++) {
		c.input = files[i];
		if (fp_cli_feed_facts("check", files[i], chk, stdout))
			rc = 2;
	}
	fp_checker_finish(chk);
	if (fp_fshut(stdout) != 0) {
		fp_cli_error("check", "<stdout>: write error: %s",
		    strerror(errno));
		rc = 2;
	}
	if (report && write_report(report, &c.report, bom))
		rc = 2;
	if (!rc && (fp_checker_count(chk, FP_SEV_ERROR) ||
	    (strict && fp_checker_count(chk, FP_SEV_WARNING))))
		rc = 1;
done:
	fp_checker_free(chk);
	fp_buf_release(&c.report);
	fp_buf_release(&c.line);
	fp_cli_mappings_release(&ms);
	free(files);
	return rc;
usage:
	fputs(usage_text, stderr);
	free(files);
	return 2;
}
