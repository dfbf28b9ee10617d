/*
 * Rows a sheet hides inside a keyed table (mapping_apply_int.h): whether
 * they are the table's. A hidden unit is one merged away but not deleted,
 * and the department's own total says whether it still counts: where
 * the total row is the sum of the units shown, and not with the hidden
 * ones, the hidden rows are left out; else they are read.
 */
#include "mapping_apply_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

struct fp_hidden {
	const struct fp_table *t;
	double *total, *shown, *hidden;	/* per field of t */
	unsigned char *has_total;
	struct span {
		size_t from, to;
	} *spans;			/* the hidden rows' facts */
	size_t nspans;
};

struct fp_hidden *
fp_hidden_new(const struct fp_table *t)
{
	struct fp_hidden *h = fp_xcalloc(1, sizeof *h);

	h->t = t;
	h->total = fp_xcalloc(t->nfields + 1, sizeof *h->total);
	h->shown = fp_xcalloc(t->nfields + 1, sizeof *h->shown);
	h->hidden = fp_xcalloc(t->nfields + 1, sizeof *h->hidden);
	h->has_total = fp_xcalloc(t->nfields + 1, 1);
	return h;
}

void
fp_hidden_free(struct fp_hidden *h)
{
	if (!h)
		return;
	free(h->total);
	free(h->shown);
	free(h->hidden);
	free(h->has_total);
	free(h->spans);
	free(h);
}

/* The index of the table's field name if it holds numbers, else -1. */
static int
number_field(const struct fp_table *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->nfields; i++)
		if (!strcmp(t->fields[i].name, name))
			return fp_type_numeric(t->fields[i].type) ? (int)i : -1;
	return -1;
}

void
fp_hidden_row(struct fp_hidden *h, const struct fp_record *rec, size_t from,
    enum fp_hidden_kind kind)
{
	size_t k;

	if (kind == FP_HROW_OTHER)
		return;
	for (k = from; k < rec->n; k++) {
		int i = number_field(h->t, rec->v[k].field);
		double x;

		if (i < 0 || !fp_parse_number(rec->v[k].value,
		    strlen(rec->v[k].value), &x))
			continue;
		if (kind == FP_HROW_TOTAL) {
			h->total[i] = x;
			h->has_total[i] = 1;
		} else if (kind == FP_HROW_UNIT) {
			h->shown[i] += x;
		} else {
			h->hidden[i] += x;
		}
	}
	if (kind == FP_HROW_HIDDEN && rec->n > from) {
		h->spans = fp_xreallocarray(h->spans, h->nspans + 1,
		    sizeof *h->spans);
		h->spans[h->nspans].from = from;
		h->spans[h->nspans++].to = rec->n;
	}
}

/*
 * 1 if the hidden units are not the table's: for every field with a
 * total that adds up either way, the total is the sum of the units shown
 * (within tol), and for one at least it is not with the hidden ones. A
 * field whose total is neither sum (a rate, 98.92 over 100 | 93.33)
 * says nothing.
 */
static int
left_out(const struct fp_hidden *h, double tol)
{
	size_t i;
	int any = 0, differs = 0;

	for (i = 0; i < h->t->nfields; i++) {
		int shown, all;

		if (!h->has_total[i])
			continue;
		shown = fabs(h->total[i] - h->shown[i]) <= tol;
		all = fabs(h->total[i] - h->shown[i] - h->hidden[i]) <= tol;
		if (!shown && !all)
			continue;
		any = 1;
		if (!shown)
			return 0;
		if (!all)
			differs = 1;
	}
	return any && differs;
}

int
fp_hidden_drop(struct fp_hidden *h, struct fp_record *rec, double tol)
{
	size_t k, s, w;

	if (!h->nspans || !left_out(h, tol))
		return 0;
	/* Each span's facts go; those after it move up. */
	w = h->spans[0].from;
	for (s = 0; s < h->nspans; s++) {
		size_t next = s + 1 < h->nspans ? h->spans[s + 1].from : rec->n;

		for (k = h->spans[s].from; k < h->spans[s].to; k++)
			fp_fact_release(&rec->v[k]);
		memmove(rec->v + w, rec->v + h->spans[s].to,
		    (next - h->spans[s].to) * sizeof *rec->v);
		w += next - h->spans[s].to;
	}
	rec->n = w;
	return 1;
}
