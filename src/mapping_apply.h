/*
 * Applying a mapping to a filled form: the form's sheet (or each of its
 * sheets, for a mapping that takes one form per sheet) becomes a record
 * of canonical facts, with notes that say where each table and field was
 * found or why not (map --explain, and the warnings for what a mapping
 * requires and a form lacks).
 */
#ifndef FP_MAPPING_APPLY_H
#define FP_MAPPING_APPLY_H

#include <stddef.h>
#include <stdint.h>

#include "form.h"
#include "mapping.h"

/* One canonical fact of a record. */
struct fp_fact {
	char *table;
	char *row;
	char *field;
	char *value;
	char *source;
	/* Where it sits on the form, for putting facts in form order. */
	size_t sheet;
	uint32_t pos;
	size_t seq;
};

/* One form's facts: dept, year and record are never NULL. */
struct fp_record {
	char *dept;
	char *year;
	char *record;
	size_t sheet;		/* the form's sheet it was read from */
	struct fp_fact *v;
	size_t n, cap;
};

/* A note on how the form was read; warn is set for what --explain need not ask for. */
struct fp_note {
	int warn;
	char *text;
};

/* What mapping one workbook gives. */
struct fp_mapped {
	struct fp_record *recs;
	size_t nrecs;
	struct fp_note *notes;
	size_t nnotes;
};

struct fp_apply_opts {
	const char *set_dept;	/* overrides what the form says, or NULL */
	const char *set_year;
	int explain;		/* 1: a note for everything found or not */
};

/*
 * Maps a form: finds its sheet or sheets, every field and table, and
 * fills out with a record per sheet, its facts in form order, and the
 * notes. Returns FP_ENOMATCH with d filled if the form is not this
 * mapping's form (no sheet, or not one fact on it); out is then still
 * filled with the notes. The caller frees out with fp_mapped_release.
 */
enum fp_err fp_mapping_apply(const struct fp_mapping *m,
    const struct fp_form *form, const struct fp_apply_opts *opts,
    struct fp_mapped *out, struct fp_diag *d);
void fp_mapped_release(struct fp_mapped *out);

#endif
