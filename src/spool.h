/*
 * A spool of records for the summary workbook: each record (who it is,
 * its facts, its findings) is written to a temporary file as it comes,
 * and only a small index stays in memory, so that the records can be
 * written out again in any order (by department, year by year) while
 * memory grows with the number of records by a few dozen bytes each,
 * not with their facts.
 */
#ifndef FP_SPOOL_H
#define FP_SPOOL_H

#include <stddef.h>

#include "rules.h"
#include "util.h"

/* A finding as the spool keeps it with its record. */
struct fp_spool_finding {
	enum fp_severity severity;
	const char *table, *row, *field, *rule, *message, *source;
};

/* A record read back: every string lives until the next read. */
struct fp_spool_record {
	struct fp_who who;
	struct fp_rec_fact *facts;
	size_t nfacts;
	struct fp_spool_finding *findings;
	size_t nfindings;
	size_t errors, warnings;
};

struct fp_spool;

/* A spool in a temporary file; NULL with d filled if none can be made. */
struct fp_spool *fp_spool_new(struct fp_diag *d);
void fp_spool_free(struct fp_spool *s);

/*
 * Adds a finding to the record being gathered (they come before their
 * record is complete). The strings are copied.
 */
void fp_spool_finding(struct fp_spool *s, const struct fp_finding *f);
/*
 * Writes a record, with the findings gathered since the last one, and
 * indexes it under key (copied; records are later read in key order,
 * then in the order they came). Returns FP_OK or FP_EWRITE with d filled.
 */
enum fp_err fp_spool_put(struct fp_spool *s, const char *key,
    const struct fp_who *who, const struct fp_rec_fact *facts, size_t n,
    size_t errors, size_t warnings, struct fp_diag *d);

/* How many records; and the i-th in key order once sorted. */
size_t fp_spool_count(const struct fp_spool *s);
/* Puts the records in key order (strcmp), the order they came within a key. */
void fp_spool_sort(struct fp_spool *s);
/* The key of the i-th record. */
const char *fp_spool_key(const struct fp_spool *s, size_t i);
/*
 * Reads the i-th record into r (its strings live until the next read).
 * Returns FP_OK or FP_EOPEN with d filled.
 */
enum fp_err fp_spool_get(struct fp_spool *s, size_t i,
    struct fp_spool_record *r, struct fp_diag *d);

#endif
