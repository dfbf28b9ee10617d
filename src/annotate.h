/*
 * A department's form given back with its findings on it: the findings
 * report of check read by its column names (the header with `file` and
 * the older one without), the findings of one form picked out, and the
 * form converted (convert.c) with each cell at fault filled and carrying
 * the findings' messages as a comment, and the findings that name no cell
 * listed on a sheet in front.
 */
#ifndef FP_ANNOTATE_H
#define FP_ANNOTATE_H

#include <stddef.h>

#include "util.h"
#include "workbook.h"
#include "xlsx.h"

struct fp_mapping;

/* One finding of the report; fields absent from its header are "". */
struct fp_finding_row {
	char *severity, *dept, *year, *table, *row, *field, *rule, *message;
	char *source, *file, *form, *record;
};

struct fp_findings {
	struct fp_finding_row *v;
	size_t n;
	int has_file;		/* 1 if the report has a file column */
	char *text;		/* storage of the fields */
};

/*
 * Reads a findings report (CSV, header by column names; `message` and
 * `source` are needed) from path, or from standard input if it is "-".
 * Returns FP_OK, or FP_ECSV with d saying which line is wrong.
 * fp_findings_release frees it.
 */
enum fp_err fp_findings_read(const char *path, struct fp_findings *f,
    struct fp_diag *d);
void fp_findings_release(struct fp_findings *f);

/*
 * Whether finding k belongs to the form at path, path as map writes it in
 * the file column (fp_utf8_name): its file is path or has the same base
 * name. Without a file column every finding
 * belongs to every form (the caller gives one form).
 */
int fp_findings_match(const struct fp_findings *f, size_t k, const char *path);

/* What an annotation did. */
struct fp_annotate_report {
	size_t marked;		/* cells filled and commented */
	size_t listed;		/* findings on the front sheet */
	size_t kept;		/* formulas kept as values */
	size_t cut;		/* texts and comments cut to 32,767 characters */
	char cut_at[FP_CUT_AT_MAX];	/* where the first is */
	size_t unplaced;	/* findings on a cell the form has not */
	const char *first_unplaced;	/* its source, in the findings */
};

/*
 * Writes wb, the form at form_path, to out as .xlsx with the findings
 * whose indexes are in which[0..n) on it. The sheet in front, of the
 * findings that name no cell, speaks m's words (its findings sheet's
 * name and labels, severities, tables, rows and fields) if m is given,
 * else the report's. Returns FP_OK, or an error with d filled (out is
 * then left as it was).
 */
enum fp_err fp_annotate(struct fp_workbook *wb, const struct fp_findings *f,
    const size_t *which, size_t n, const struct fp_mapping *m,
    const char *out, struct fp_annotate_report *rep, struct fp_diag *d);

/*
 * Reads a source such as "自评表!B14" or "'My sheet'!$C$3" into the sheet
 * name (into sheet, NUL-terminated, truncated to size) and the 0-based
 * row and column. Returns 1, or 0 if it names no cell.
 */
int fp_annotate_source(const char *src, char *sheet, size_t size,
    uint32_t *row, uint32_t *col);

#endif
