/*
 * The summary workbook that merge writes: an overview sheet of one row
 * per department and year (the mapping's chosen facts, counts of errors
 * and warnings, a total row of SUM formulas carrying their values), a
 * sheet per keyed or list table, a sheet of every finding, and a bar
 * chart. Sheet names, labels and column order come from the mapping.
 * Departments are written as they come, row after row (libxlsxwriter's
 * constant memory mode), so memory does not grow with their number.
 */
#ifndef FP_SUMMARY_H
#define FP_SUMMARY_H

#include "mapping.h"
#include "rules.h"

struct fp_summary;

/* Starts the workbook for path; NULL with d filled on failure. */
struct fp_summary *fp_summary_new(const struct fp_mapping *m,
    const char *path, struct fp_diag *d);
/* A finding, for the findings sheet. */
void fp_summary_finding(struct fp_summary *s, const struct fp_finding *f);
/* A record's facts and its counts of findings. */
void fp_summary_record(struct fp_summary *s, const struct fp_who *who,
    const struct fp_rec_fact *facts, size_t n, size_t errors,
    size_t warnings);
/* How many records so far. */
size_t fp_summary_count(const struct fp_summary *s);
/* Writes the total row and the chart and puts the file in place. */
enum fp_err fp_summary_close(struct fp_summary *s, struct fp_diag *d);
/* Gives up, leaving no file behind. */
void fp_summary_abort(struct fp_summary *s);

#endif
