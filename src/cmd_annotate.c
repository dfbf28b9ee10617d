/*
 * formpipe annotate: gives each department its form back, marked. Reads
 * the findings report, and for each form with findings writes it as
 * DIR/NAME.xlsx (annotate.c and convert.c do the work), each cell at
 * fault filled and commented, findings without a cell on a sheet in
 * front. Forms without findings are skipped and counted. Each file is
 * written through outfile.c and put in place whole.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "annotate.h"
#include "cli.h"
#include "cmd.h"
#include "opts.h"
#include "outfile.h"

static const char usage_text[] =
    "usage: formpipe annotate FINDINGS.csv [-d DIR] [-m MAPPING] FORM...\n"
    "\n"
    "For each FORM with findings in FINDINGS.csv (the report of formpipe\n"
    "check --report, - for standard input; matched by its file column, as\n"
    "given or by base name), writes DIR/NAME.xlsx (NAME: the form's file\n"
    "name without its extension; DIR: the current directory by default,\n"
    "made if it is not there): the form converted as formpipe convert\n"
    "does, each cell at fault filled and carrying the findings' messages\n"
    "as a comment, and the findings that name no cell listed on a sheet\n"
    "in front, in the words of the form's mapping (the one the report's\n"
    "form column names, or MAPPING: a path or a shipped mapping's name).\n"
    "Forms without findings are skipped. A report without a file column\n"
    "can annotate one form only.\n";

struct args {
	const char *findings;
	const char *dir;
	const char *mapping;
	const char **forms;
	int nforms;
};

/* Reads the options; returns FP_CLI_GO_ON to go on, else the exit status. */
static int
parse_args(int argc, char **argv, struct args *a)
{
	const struct fp_opt options[] = {
		FP_OPT_STRING('d', "dir", &a->dir, "DIR"),
		FP_OPT_STRING('m', "mapping", &a->mapping, "MAPPING"),
		FP_OPT_END(),
	};
	int rc, i;

	memset(a, 0, sizeof *a);
	a->dir = ".";
	rc = fp_cli_options("annotate", options, usage_text, &argc, argv);
	if (rc != FP_CLI_GO_ON)
		return rc;
	if (argc < 2) {
		fp_cli_error("annotate", argc ? "which forms? name them after "
		    "the findings report" : "give the findings report and the "
		    "forms it came from");
		fputs(usage_text, stderr);
		return 2;
	}
	a->findings = argv[0];
	a->forms = (const char **)argv + 1;
	a->nforms = argc - 1;
	for (i = 0; i < a->nforms && !strcmp(a->findings, "-"); i++)
		if (!strcmp(a->forms[i], "-")) {
			fp_cli_error("annotate", "standard input cannot be both "
			    "the findings report and a form");
			return 2;
		}
	return FP_CLI_GO_ON;
}

/* The findings report's name in messages. */
static const char *
report_name(const struct args *a)
{
	return strcmp(a->findings, "-") ? a->findings : "<stdin>";
}

/* DIR/NAME.xlsx for the form at path. */
static char *
out_path(const char *dir, const char *path)
{
	struct fp_buf b = FP_BUF_INIT;
	const char *base = fp_basename(path), *dot = strrchr(base, '.');
	size_t n = dot && dot != base ? (size_t)(dot - base) : strlen(base);

	fp_buf_adds(&b, dir);
	if (b.len && b.s[b.len - 1] != '/')
		fp_buf_addc(&b, '/');
	fp_buf_add(&b, base, n);
	fp_buf_adds(&b, ".xlsx");
	return fp_buf_detach(&b);
}

struct named {
	char *out;
	int form;
};

static int
named_cmp(const void *x, const void *y)
{
	const struct named *a = x, *b = y;
	int c = strcmp(a->out, b->out);

	return c ? c : a->form - b->form;
}

/*
 * 1 (said) if two forms would be written as one DIR/NAME.xlsx (a.xls and
 * a.xlsx, or two folders' a.xls): the second would replace the first.
 */
static int
names_clash(const struct args *a)
{
	struct named *v = fp_xcalloc((size_t)a->nforms + 1, sizeof *v);
	int i, clash = 0;

	for (i = 0; i < a->nforms; i++) {
		v[i].out = out_path(a->dir, a->forms[i]);
		v[i].form = i;
	}
	qsort(v, (size_t)a->nforms, sizeof *v, named_cmp);
	for (i = 1; i < a->nforms && !clash; i++)
		if (!strcmp(v[i - 1].out, v[i].out)) {
			fp_cli_error("annotate", "%s and %s would both be written "
			    "as %s: annotate them in separate runs, with "
			    "another -d", a->forms[v[i - 1].form],
			    a->forms[v[i].form], v[i].out);
			clash = 1;
		}
	for (i = 0; i < a->nforms; i++)
		free(v[i].out);
	free(v);
	return clash;
}

/*
 * The mapping whose words a form's front sheet speaks: -m's, or the one
 * its findings' form names; NULL (the report's own words) if it has none
 * or it cannot be loaded, which is said once (*said).
 */
static const struct fp_mapping *
words_of(struct fp_cli_mappings *ms, const struct fp_finding_row *fr,
    int *said)
{
	const struct fp_mapping *m;
	struct fp_diag d;

	if (ms->fixed)
		return ms->fixed;
	if (!fr->form || !*fr->form)
		return NULL;
	m = fp_cli_resolve(ms, fr->form, &d);
	if (!m && !*said) {
		fp_cli_error("annotate", "warning: %s; the sheet in front "
		    "keeps the report's words", d.msg);
		*said = 1;
	}
	return m;
}

static int
annotate(const struct args *a)
{
	struct fp_cli_mappings ms;
	struct fp_findings f;
	struct fp_diag d;
	struct stat st;
	struct fp_buf fname = FP_BUF_INIT;
	size_t *which = NULL, *used = NULL, k, skipped = 0, unmatched = 0;
	int i, rc = 0, said = 0, made = 0, written = 0;

	memset(&ms, 0, sizeof ms);
	if (names_clash(a))
		return 2;
	if (a->mapping && !(ms.fixed = fp_cli_load_mapping("annotate",
	    a->mapping)))
		return 2;
	if (fp_findings_read(a->findings, &f, &d) != FP_OK) {
		fp_cli_error("annotate", "%s", d.msg);
		fp_cli_mappings_release(&ms);
		return 2;
	}
	if (!f.has_file && a->nforms > 1) {
		fp_cli_error("annotate", "%s: the report has no file column; "
		    "give one form at a time", report_name(a));
		fp_findings_release(&f);
		fp_cli_mappings_release(&ms);
		return 2;
	}
	/* The folder is made if it is not there (its parent must be). */
	if (stat(a->dir, &st) != 0 && errno == ENOENT &&
	    !(made = mkdir(a->dir, 0777) == 0)) {
		fp_cli_error("annotate", "%s: cannot make the folder: %s",
		    a->dir, strerror(errno));
		fp_findings_release(&f);
		fp_cli_mappings_release(&ms);
		return 2;
	}
	if (stat(a->dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		fp_cli_error("annotate", "%s: %s", a->dir, stat(a->dir, &st) ?
		    strerror(errno) : "not a directory");
		fp_findings_release(&f);
		fp_cli_mappings_release(&ms);
		return 2;
	}
	which = fp_xcalloc(f.n ? f.n : 1, sizeof *which);
	used = fp_xcalloc(f.n ? f.n : 1, sizeof *used);
	for (i = 0; i < a->nforms; i++) {
		const char *form = a->forms[i];
		const char *inputs[2] = { form, a->findings };
		struct fp_annotate_report rep;
		struct fp_outfile *of;
		const struct fp_mapping *m;
		struct fp_workbook *wb;
		size_t n = 0;
		enum fp_err err;
		char *out;

		/* The file column holds the name as map wrote it: UTF-8. */
		fp_buf_reset(&fname);
		fp_utf8_name(&fname, form);
		for (k = 0; k < f.n; k++)
			if (fp_findings_match(&f, k, fname.s)) {
				which[n++] = k;
				used[k] = 1;
			}
		if (n == 0) {
			/* A form that is not there is said, findings or not. */
			if (strcmp(form, "-") && (stat(form, &st) != 0 ||
			    S_ISDIR(st.st_mode))) {
				fp_cli_error("annotate", "%s: %s", form,
				    stat(form, &st) != 0 ? strerror(errno) :
				    "is a directory");
				rc = 2;
				continue;
			}
			skipped++;
			continue;
		}
		wb = fp_cli_open_workbook("annotate", form);
		if (!wb) {
			rc = 2;
			continue;
		}
		m = words_of(&ms, &f.v[which[0]], &said);
		out = out_path(a->dir, form);
		of = fp_cli_outfile("annotate", out, inputs, 2);
		if (!of) {
			rc = 2;
		} else if ((err = fp_annotate(wb, &f, which, n, m,
		    fp_outfile_path(of), &rep, &d)) != FP_OK) {
			/* A form that cannot be read, or a workbook not written. */
			fp_cli_error("annotate", "%s: %s", err == FP_EWRITE ?
			    out : form, d.msg);
			fp_outfile_abort(of);
			rc = 2;
		} else {
			if (rep.kept)
				fp_cli_error("annotate", "%s: %zu formula%s kept "
				    "as %s (could not be read)", form, rep.kept,
				    rep.kept == 1 ? "" : "s", rep.kept == 1 ?
				    "its value" : "values");
			if (rep.unplaced)
				fp_cli_error("annotate", "warning: %s: %zu "
				    "finding%s on a cell the form has not "
				    "(%s%s): listed in front; was the report "
				    "made from this form?", form, rep.unplaced,
				    rep.unplaced == 1 ? "" : "s",
				    rep.unplaced == 1 ? "" : "the first: ",
				    rep.first_unplaced);
			fp_buf_reset(&fname);
			fp_buf_printf(&fname, "%s: ", out);
			fp_cli_warn_cut("annotate", fname.s, rep.cut, rep.cut_at);
			if (fp_cli_commit("annotate", of))
				rc = 2;
			else
				written++;
		}
		free(out);
		fp_workbook_free(wb);
	}
	/* A folder made for nothing is not left behind. */
	if (made && !written)
		(void)rmdir(a->dir);
	for (k = 0; k < f.n; k++)
		unmatched += !used[k];
	if (skipped)
		fp_cli_error("annotate", "%zu form%s without findings skipped",
		    skipped, skipped == 1 ? "" : "s");
	if (unmatched)
		fp_cli_error("annotate", "%s: %zu finding%s for forms not given",
		    report_name(a), unmatched, unmatched == 1 ? "" : "s");
	free(which);
	free(used);
	fp_buf_release(&fname);
	fp_findings_release(&f);
	fp_cli_mappings_release(&ms);
	return rc;
}

int
cmd_annotate(int argc, char **argv)
{
	struct args a;
	int rc = parse_args(argc, argv, &a);

	if (rc == FP_CLI_GO_ON)
		rc = annotate(&a);
	return rc;
}
