/*
 * What mapping_apply.c (one pass of a mapping over a form) gives
 * mapping_stack.c (forms stacked on a sheet, cut into bands), and nothing
 * else includes.
 */
#ifndef FP_MAPPING_APPLY_INT_H
#define FP_MAPPING_APPLY_INT_H

#include "mapping_apply.h"

/*
 * Maps the form once, as fp_mapping_apply does without cutting; *stacked
 * gets the rows of the names of forms stacked on a sheet (*nstacked of
 * them: each sheet's first form's, then each later one's), for the
 * caller to free.
 */
enum fp_err fp_apply_once(const struct fp_mapping *m,
    const struct fp_form *form, const struct fp_apply_opts *opts,
    struct fp_mapped *out, struct fp_diag *d, struct fp_cut **stacked,
    size_t *nstacked);

/*
 * 1 if row r closes a form above a later one's title: a row of a table
 * (two numbers, or a label of a keyed or list table's header, key, stop
 * or columns) or a footer (填表人：王芳).
 */
int fp_apply_ends_a_form(const struct fp_mapping *m,
    const struct fp_fsheet *s, uint32_t r);

/* Frees a fact's strings. */
void fp_fact_release(struct fp_fact *f);

/*
 * The rows a sheet hides inside a keyed table, told from the table's
 * own total (mapping_hidden.c). Each row's facts, as the table reads
 * them, are given by kind: the total row, a unit row shown, a unit row
 * hidden, or another (a coded row).
 */
enum fp_hidden_kind {
	FP_HROW_OTHER,
	FP_HROW_TOTAL,
	FP_HROW_UNIT,
	FP_HROW_HIDDEN,
};
struct fp_hidden;
struct fp_hidden *fp_hidden_new(const struct fp_table *t);
/* The facts rec->v[from..rec->n) are the row's, of that kind. */
void fp_hidden_row(struct fp_hidden *h, const struct fp_record *rec,
    size_t from, enum fp_hidden_kind kind);
/*
 * 1 if the hidden units are not the table's: for every field the total
 * row has, it is the sum of the units shown (within tol), and for one at
 * least not with the hidden ones. Their facts are then taken out of rec.
 */
int fp_hidden_drop(struct fp_hidden *h, struct fp_record *rec, double tol);
void fp_hidden_free(struct fp_hidden *h);

#endif
