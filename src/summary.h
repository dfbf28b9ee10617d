/*
 * The summary workbook that merge writes, a report a bureau director can
 * print: for each year, an overview of one row per record (the mapping's
 * chosen facts, counts of errors and warnings with a link to them, a
 * total row of SUM formulas carrying their values, and a chart of one
 * fact sorted, with its values on the bars); a sheet per keyed or list
 * table, each department's summary row standing out and kept out of the
 * totals, every cell at fault filled and commented; a sheet of every
 * finding in the mapping's words with its file and cell. Every sheet
 * has a title, the unit where money shows, and prints A4 landscape one
 * page wide with its headings repeated and numbered pages.
 *
 * Records go to a spool (spool.c) as they come, and are written at the
 * end in the mapping's order, year by year, each sheet row by row
 * (libxlsxwriter's constant memory): memory grows with the number of
 * records by a few dozen bytes each, not with their facts.
 */
#ifndef FP_SUMMARY_H
#define FP_SUMMARY_H

#include "mapping.h"
#include "rules.h"

struct fp_summary;

/*
 * Starts the summary of records of mapping m for path (a file in a
 * private folder, outfile.c's). title is the county or bureau the titles
 * name (--title), or NULL. NULL with d filled on failure.
 */
struct fp_summary *fp_summary_new(const struct fp_mapping *m,
    const char *path, const char *title, struct fp_diag *d);
/* A finding, of the record whose facts come next. */
void fp_summary_finding(struct fp_summary *s, const struct fp_finding *f);
/* A record's facts and its counts of findings. FP_OK, or d filled. */
enum fp_err fp_summary_record(struct fp_summary *s, const struct fp_who *who,
    const struct fp_rec_fact *facts, size_t n, size_t errors,
    size_t warnings, struct fp_diag *d);
/* How many records so far. */
size_t fp_summary_count(const struct fp_summary *s);
/*
 * The years of the records, when there are several: a string the
 * summary owns ("2021, 2022"), or NULL for one year or none. Valid after
 * fp_summary_close has sorted them, until fp_summary_free.
 */
const char *fp_summary_years(const struct fp_summary *s);
/* How many texts were cut to Excel's longest cell. */
size_t fp_summary_cut(const struct fp_summary *s, const char **at);
/*
 * Writes the workbook out. Returns FP_OK, or an error with d filled (no
 * workbook). s is kept for fp_summary_years; free it with
 * fp_summary_free.
 */
enum fp_err fp_summary_close(struct fp_summary *s, struct fp_diag *d);
/* Frees s; before fp_summary_close, gives up, leaving no file behind. */
void fp_summary_free(struct fp_summary *s);

#endif
