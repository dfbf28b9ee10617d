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

#endif
