/*
 * formpipe merge: canonical facts of many departments into one summary
 * workbook. The facts stream through the same rule checker check uses,
 * whose findings fill the findings sheet; each department is written as
 * soon as its facts are in. The workbook is written beside its target and
 * renamed into place: a merge that fails leaves an existing file as it was.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cmd.h"
#include "mapping.h"
#include "opts.h"
#include "outfile.h"
#include "rules.h"
#include "summary.h"

static const char usage_text[] =
    "usage: formpipe merge -o OUT.xlsx [-m MAPPING] [-q] [FILE...]\n"
    "\n"
    "Writes one summary workbook from canonical facts (formpipe map's\n"
    "output) of any number of departments: an overview with a row per\n"
    "department and year and a total row, a sheet per table, every\n"
    "finding of the mapping's rules with its source cell, and a chart.\n"
    "Without FILE, standard input is read. MAPPING is\n"
    "mappings/perf-self-eval.map by default. On a terminal a progress line\n"
    "shows on standard error; -q silences it.\n";

struct ctx {
	struct fp_summary *s;
	int progress;
};

static void
on_finding(void *arg, const struct fp_finding *f)
{
	struct ctx *c = arg;

	fp_summary_finding(c->s, f);
}

static void
on_dept(void *arg, const char *dept, const char *year,
    const struct fp_dept_fact *facts, size_t n, size_t errors,
    size_t warnings)
{
	struct ctx *c = arg;
	size_t k;

	fp_summary_dept(c->s, dept, year, facts, n, errors, warnings);
	k = fp_summary_count(c->s);
	if (c->progress && k % 100 == 0)
		fprintf(stderr, "\rformpipe merge: %zu departments", k);
}

int
cmd_merge(int argc, char **argv)
{
	const char *out = NULL, *mapping = NULL, **files;
	struct fp_outfile *of = NULL;
	char *mpath = NULL;
	struct fp_mapping *m = NULL;
	struct fp_checker *chk = NULL;
	struct fp_diag d;
	struct ctx c;
	int nfiles, quiet = 0, rc, i;
	const struct fp_opt options[] = {
		FP_OPT_STRING('o', "output", &out, "OUT.xlsx"),
		FP_OPT_STRING('m', "mapping", &mapping, "MAPPING"),
		FP_OPT_BOOL('q', "quiet", &quiet),
		FP_OPT_END(),
	};

	rc = fp_cli_options("merge", options, usage_text, &argc, argv);
	if (rc != FP_CLI_GO_ON)
		return rc;
	rc = 0;
	if (!out) {
		fp_cli_error("merge", "where to? give the workbook's name with -o");
		fputs(usage_text, stderr);
		return 2;
	}
	nfiles = argc;
	if (nfiles == 0 && fp_cli_stdin_wanted("merge", "canonical facts"))
		return 2;
	files = fp_xcalloc((size_t)argc + 1, sizeof *files);
	for (i = 0; i < argc; i++)
		files[i] = argv[i];
	mpath = mapping ? fp_xstrdup(mapping) : fp_cli_default_mapping();
	if (fp_mapping_load(mpath, &m, &d) != FP_OK) {
		fp_cli_error("merge", "%s", d.msg);
		rc = 2;
		goto done;
	}
	memset(&c, 0, sizeof c);
	c.progress = !quiet && isatty(STDERR_FILENO);
	of = fp_cli_outfile("merge", out, files, nfiles);
	if (!of) {
		rc = 2;
		goto done;
	}
	c.s = fp_summary_new(m, fp_outfile_path(of), &d);
	if (!c.s) {
		fp_cli_error("merge", "%s: %s", out, d.msg);
		rc = 2;
		goto done;
	}
	chk = fp_checker_new(m, on_finding, &c);
	fp_checker_on_dept(chk, on_dept);
	if (nfiles == 0)
		files[nfiles++] = "-";
	for (i = 0; i < nfiles; i++)
		if (fp_cli_feed_facts("merge", files[i], chk, NULL))
			rc = 2;
	fp_checker_finish(chk);
	if (c.progress)
		fprintf(stderr, "\rformpipe merge: %zu departments\n",
		    fp_summary_count(c.s));
	if (rc) {
		/* Unreadable input: no workbook, an existing one untouched. */
		fp_summary_abort(c.s);
	} else if (fp_summary_close(c.s, &d) != FP_OK) {
		fp_cli_error("merge", "%s: %s", out, d.msg);
		rc = 2;
	} else {
		rc = fp_cli_commit("merge", of);
		of = NULL;
	}
done:
	fp_outfile_abort(of);
	fp_checker_free(chk);
	fp_mapping_free(m);
	free(mpath);
	free(files);
	return rc;
}
