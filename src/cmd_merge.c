/*
 * formpipe merge: canonical facts of many forms into one summary
 * workbook (summary.c lays it out). The facts stream through the same
 * rule checker check uses, whose findings fill the findings sheet. The
 * workbook is written through outfile.c and renamed into place: a merge
 * that fails leaves an existing file as it was. On a terminal a progress
 * line counts the forms, cleared before any other message.
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
#include "summary.h"

static const char usage_text[] =
    "usage: formpipe merge -o OUT.xlsx [-m MAPPING] [--title NAME] [-q] "
    "[FILE...]\n"
    "\n"
    "Writes one summary workbook from canonical facts (formpipe map's\n"
    "output) of any number of forms, a report to print: for each year an\n"
    "overview with a row per form, a total row and a chart; a sheet per\n"
    "table, each department's summary row marked and kept out of the\n"
    "totals, the cells at fault filled and commented; every finding with\n"
    "its file and cell. Titles name NAME (the county or bureau). Without\n"
    "FILE, standard input is read. The layout comes from the facts' form's\n"
    "mapping, or MAPPING (a path or a shipped mapping's name). On a\n"
    "terminal a progress line shows on standard error; -q silences it.\n";

struct ctx {
	struct fp_cli_mappings ms;
	const char *out;
	struct fp_outfile *of;		/* where the workbook is written */
	struct fp_summary *s;
	const struct fp_mapping *m;	/* the summary's */
	const char *title;		/* --title */
	int progress;			/* a progress line shows */
	int shown;			/* ... and is on the terminal now */
	int failed;			/* the workbook could not be started */
	const char *input;		/* the facts being read, for messages */
};

/* Clears the progress line before another message goes out. */
static void
clear_progress(struct ctx *c)
{
	if (c->shown)
		fputs("\r\033[K", stderr);
	c->shown = 0;
}

static void
on_unknown(void *arg, const struct fp_mapping *m,
    const struct fp_canon_fact *f)
{
	struct ctx *c = arg;

	clear_progress(c);
	fp_cli_unknown_fact("merge", m, f, fp_cli_name(c->input));
}

/*
 * The mapping of a form, and the summary laid out from the first one.
 * One summary holds one form's records.
 */
static const struct fp_mapping *
resolve(void *arg, const char *form, struct fp_diag *d)
{
	struct ctx *c = arg;
	const struct fp_mapping *m;

	if (c->failed)
		return NULL;
	m = fp_cli_resolve(&c->ms, form, d);
	if (!m)
		return NULL;
	if (!c->s) {
		c->s = fp_summary_new(m, fp_outfile_path(c->of), c->title, d);
		if (!c->s) {
			/* Not the input's fault: said without its line. */
			clear_progress(c);
			fp_cli_error("merge", "%s: %s", c->out, d->msg);
			d->msg[0] = '\0';
			c->failed = 1;
			return NULL;
		}
		c->m = m;
	} else if (m != c->m) {
		fp_diag(d, FP_EUSAGE, "facts of form '%s' after facts of form "
		    "'%s': merge each form into its own workbook", m->name,
		    c->m->name);
		return NULL;
	}
	return m;
}

static void
on_finding(void *arg, const struct fp_finding *f)
{
	struct ctx *c = arg;

	fp_summary_finding(c->s, f);
}

static void
on_record(void *arg, const struct fp_mapping *m, const struct fp_who *who,
    const struct fp_rec_fact *facts, size_t n, size_t errors,
    size_t warnings)
{
	struct ctx *c = arg;
	size_t k;

	struct fp_diag d;

	(void)m;
	if (c->failed)
		return;
	if (fp_summary_record(c->s, who, facts, n, errors, warnings, &d) !=
	    FP_OK) {
		clear_progress(c);
		fp_cli_error("merge", "%s", d.msg);
		c->failed = 1;
		return;
	}
	k = fp_summary_count(c->s);
	if (c->progress && k % 100 == 0) {
		fprintf(stderr, "\r\033[Kformpipe merge: %zu forms", k);
		c->shown = 1;
	}
}

/* The warnings on a workbook made: facts of several years, texts cut. */
static void
say_closed(const struct ctx *c)
{
	struct fp_buf what = FP_BUF_INIT;
	const char *at;
	size_t ncut = fp_summary_cut(c->s, &at);

	if (fp_summary_years(c->s))
		fp_cli_error("merge", "warning: the facts are of several years "
		    "(%s): an overview for each, never added together",
		    fp_summary_years(c->s));
	fp_buf_printf(&what, "%s: ", c->out);
	fp_cli_warn_cut("merge", what.s, ncut, at);
	fp_buf_release(&what);
}

int
cmd_merge(int argc, char **argv)
{
	const char *mname = NULL, **files;
	struct fp_checker *chk = NULL;
	struct fp_diag d;
	struct ctx c;
	int nfiles, quiet = 0, rc, i;
	const struct fp_opt options[] = {
		FP_OPT_STRING('o', "output", &c.out, "OUT.xlsx"),
		FP_OPT_STRING('m', "mapping", &mname, "MAPPING"),
		FP_OPT_STRING(0, "title", &c.title, "NAME"),
		FP_OPT_BOOL('q', "quiet", &quiet),
		FP_OPT_END(),
	};

	memset(&c, 0, sizeof c);
	rc = fp_cli_options("merge", options, usage_text, &argc, argv);
	if (rc != FP_CLI_GO_ON)
		return rc;
	rc = 0;
	if (!c.out) {
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
	c.of = fp_cli_outfile("merge", c.out, files, nfiles);
	if (!c.of) {
		rc = 2;
		goto done;
	}
	if (mname && !(c.ms.fixed = fp_cli_load_mapping("merge", mname))) {
		rc = 2;
		goto done;
	}
	c.progress = !quiet && isatty(STDERR_FILENO);
	chk = fp_checker_new(resolve, &c, on_finding, &c);
	fp_checker_on_record(chk, on_record);
	fp_checker_on_unknown(chk, on_unknown);
	if (nfiles == 0)
		files[nfiles++] = "-";
	for (i = 0; i < nfiles && !rc; i++) {
		c.input = files[i];
		if (fp_cli_feed_facts("merge", files[i], chk, NULL, NULL))
			rc = 2;
	}
	if (!rc)
		fp_checker_finish(chk);
	if (c.failed)
		rc = 2;
	clear_progress(&c);
	if (!rc && !c.s) {
		fp_cli_error("merge", "%s: no facts to merge", nfiles == 1 ?
		    fp_cli_name(files[0]) : "the input");
		rc = 2;
	}
	if (rc) {
		/* Unreadable input: no workbook, an existing one untouched. */
	} else if (fp_summary_close(c.s, &d) != FP_OK) {
		fp_cli_error("merge", "%s: %s", c.out, d.msg);
		rc = 2;
	} else {
		say_closed(&c);
		rc = fp_cli_commit("merge", c.of);
		c.of = NULL;
	}
done:
	fp_summary_free(c.s);
	fp_outfile_abort(c.of);
	fp_checker_free(chk);
	fp_cli_mappings_release(&c.ms);
	free(files);
	return rc;
}
