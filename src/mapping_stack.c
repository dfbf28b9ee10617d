/*
 * Forms stacked on one sheet (a second project's form under the first):
 * where the sheet is cut into bands, each read as a sheet of its own by
 * a mapping of one form a sheet, and whether the cut is kept. The entry
 * of mapping_apply.h, over mapping_apply.c's one pass.
 */
#include "mapping_apply.h"
#include "mapping_apply_int.h"

#include <stdlib.h>
#include <string.h>

/* Cuts by sheet, then row. */
static int
cut_cmp(const void *x, const void *y)
{
	const struct fp_cut *a = x, *b = y;

	if (a->sheet != b->sheet)
		return a->sheet < b->sheet ? -1 : 1;
	return a->row < b->row ? -1 : a->row > b->row;
}

/* At most this many of the first form's title lines are compared. */
#define MAX_TITLE_PAIRS 32

/*
 * The labels of the pairs (填报单位：交通局) that start rows top to name
 * of s, the first form's title, in v (at most MAX_TITLE_PAIRS); their
 * number.
 */
static size_t
title_pairs(const struct fp_fsheet *s, uint32_t top, uint32_t name,
    const char **v)
{
	size_t n = 0;
	uint32_t r;

	for (r = top; r < name && n < MAX_TITLE_PAIRS; r++) {
		const struct fp_fcell *c;

		if (fp_apply_row_is_blank(s, r))
			continue;
		c = &s->cells[s->rowstart[r]];
		if (c->after && c->prefix)
			v[n++] = c->prefix;
	}
	return n;
}

/*
 * 1 if row r starts with a pair whose label starts a line of the first
 * form's title (its pairs in v, n of them): a line of the later form's
 * title, not a footer of the form before (填表人：甲).
 */
static int
in_title(const struct fp_fsheet *s, uint32_t r, const char *const *v,
    size_t n)
{
	const struct fp_fcell *c;
	size_t i;

	if (fp_apply_row_is_blank(s, r))
		return 0;
	c = &s->cells[s->rowstart[r]];
	for (i = 0; c->after && c->prefix && i < n; i++)
		if (!strcmp(v[i], c->prefix))
			return 1;
	return 0;
}

/*
 * Where forms stacked on a sheet part, from the rows of their names (the
 * first form's first, in v, n of them, sorted): each later form starts
 * as far above its name as the first form's name is below the sheet's
 * first row (its title and year line), but not above the nearest row
 * that closes the form before it (fp_apply_ends_a_form; a pair that
 * starts a line of the first form's title does not) nor, where the first
 * form has no blank row above its name, above a blank row. Turns v into the
 * cuts: the first form's row goes, and each row the next band starts at
 * takes its place.
 */
static size_t
stack_cuts(const struct fp_mapping *m, const struct fp_form *form,
    struct fp_cut *v, size_t n)
{
	size_t i = 0, k = 0, j;

	while (i < n) {
		const struct fp_fsheet *s = &form->sheets[v[i].sheet];
		uint32_t top = s->ncells ? s->cells[0].row : 0, r;
		uint32_t h = v[i].row - top, prev = v[i].row;
		int gaps = 0;

		const char *pairs[MAX_TITLE_PAIRS];
		size_t npairs = title_pairs(s, top, v[i].row, pairs);

		for (r = top; r < v[i].row; r++)
			gaps |= fp_apply_row_is_blank(s, r);
		for (j = i + 1; j < n && v[j].sheet == v[i].sheet; j++) {
			uint32_t name = v[j].row;
			uint32_t cut = name > prev + h ? name - h : prev + 1;

			if (name == prev)
				continue;
			for (r = name; r > cut; r--)
				if ((!gaps &&
				    fp_apply_row_is_blank(s, r - 1)) ||
				    (fp_apply_ends_a_form(m, s, r - 1) &&
				    !in_title(s, r - 1, pairs, npairs))) {
					cut = r;
					break;
				}
			v[k].sheet = v[j].sheet;
			v[k++].row = cut;
			prev = name;
		}
		i = j;
	}
	return k;
}

/*
 * 1 if every record of a cut form is a form: a quarter of the values of
 * the fullest at least, not a name over nothing (a column headed by the
 * record's label further down, 项目名称 | 完成情况).
 */
static int
all_forms(const struct fp_mapped *o)
{
	size_t i, most = 0;

	for (i = 0; i < o->nrecs; i++)
		if (o->recs[i].n > most)
			most = o->recs[i].n;
	for (i = 0; i < o->nrecs; i++)
		if (o->recs[i].n * 4 < most)
			return 0;
	return 1;
}

/* For --explain: b's text as the first of o's notes (b is emptied). */
static void
first_note(struct fp_mapped *o, struct fp_buf *b)
{
	o->notes = fp_xreallocarray(o->notes, o->nnotes + 1, sizeof *o->notes);
	memmove(o->notes + 1, o->notes, o->nnotes * sizeof *o->notes);
	o->nnotes++;
	o->notes[0].warn = 0;
	o->notes[0].text = fp_buf_detach(b);
}

/* For --explain, first: where each sheet of stacked forms was cut. */
static void
say_cuts(struct fp_mapped *o, const struct fp_form *form,
    const struct fp_cut *v, size_t n)
{
	struct fp_buf b = FP_BUF_INIT;
	size_t i, k;

	for (i = 0; i < n; i = k) {
		fp_buf_printf(&b, "%sforms one under another on sheet '%s': "
		    "each read on its own, cut before row", i ? "; " : "",
		    form->sheets[v[i].sheet].name);
		for (k = i; k < n && v[k].sheet == v[i].sheet; k++)
			fp_buf_printf(&b, "%s %u", k > i ? "," : "",
			    v[k].row + 1);
	}
	first_note(o, &b);
}

/*
 * Whether sheet s continues a form (m's continued): 0 if not; else 1
 * plus the rows of its heading, up to its first row with a cell that
 * holds one of the labels (项目支出绩效自评表（续表）), or none where
 * only its name is one.
 */
static uint32_t
continues(const struct fp_mapping *m, const struct fp_fsheet *s)
{
	struct fp_buf b = FP_BUF_INIT;
	uint32_t r;
	size_t k;
	int named;

	for (r = 0; r < s->nrows; r++) {
		for (k = s->rowstart[r]; k < s->rowstart[r + 1]; k++)
			if (s->cells[k].label &&
			    fp_labels_match(&m->continued, s->cells[k].label))
				return 1 + r + 1;
		if (s->rowstart[r] < s->rowstart[r + 1])
			break;
	}
	fp_norm_label(&b, s->name, strlen(s->name));
	named = b.s && fp_labels_match(&m->continued, b.s);
	fp_buf_release(&b);
	return named ? 1 : 0;
}

/*
 * The form with each sheet that continues a form's sheet joined below
 * it: a visible sheet right after that sheet (or after one continuing
 * it) without the form's label, that continues(). NULL if none does.
 */
static struct fp_form *
join_continued(const struct fp_mapping *m, const struct fp_form *form,
    struct fp_buf *said)
{
	size_t *to, *v, i, n, joined = 0, form_at = SIZE_MAX;
	uint32_t *skip, heading;
	char *is_form;
	struct fp_form *out = NULL;

	if (!m->continued.n || form->nsheets < 2)
		return NULL;
	v = fp_xcalloc(form->nsheets, sizeof *v);
	to = fp_xcalloc(form->nsheets, sizeof *to);
	is_form = fp_xcalloc(form->nsheets, 1);
	skip = fp_xcalloc(form->nsheets, sizeof *skip);
	n = fp_apply_find_sheets(m, form, v);
	for (i = 0; i < n; i++)
		is_form[v[i]] = 1;
	for (i = 0; i < form->nsheets; i++) {
		const struct fp_fsheet *s = &form->sheets[i];

		to[i] = SIZE_MAX;
		if (is_form[i]) {
			form_at = i;
		} else if (form_at != SIZE_MAX && !s->hidden && s->ncells &&
		    (to[i - 1] != SIZE_MAX || i - 1 == form_at) &&
		    (heading = continues(m, s)) != 0) {
			to[i] = form_at;
			skip[i] = heading - 1;
			joined++;
			fp_buf_printf(said, "%ssheet '%s' continues sheet '%s': "
			    "read below its last row", said->len ? "; " : "",
			    s->name, form->sheets[form_at].name);
		} else {
			form_at = SIZE_MAX;
		}
	}
	if (joined)
		out = fp_form_join(form, to, skip);
	free(v);
	free(to);
	free(skip);
	free(is_form);
	return out;
}


/* Maps form, cutting a sheet where forms are stacked on it. */
static enum fp_err
apply_cut(const struct fp_mapping *m, const struct fp_form *form,
    const struct fp_apply_opts *opts, struct fp_mapped *out,
    struct fp_diag *d)
{
	struct fp_cut *stacked, *again;
	struct fp_mapped banded;
	struct fp_diag bd;
	struct fp_form *cut;
	size_t n, nagain;
	enum fp_err err, berr;

	err = fp_apply_once(m, form, opts, out, d, &stacked, &n);
	if (!n) {
		free(stacked);
		return err;
	}
	/* Forms stacked on a sheet: each in its band, if that gives more. */
	qsort(stacked, n, sizeof *stacked, cut_cmp);
	n = stack_cuts(m, form, stacked, n);
	cut = fp_form_cut(form, stacked, n);
	berr = fp_apply_once(m, cut, opts, &banded, &bd, &again, &nagain);
	free(again);
	fp_form_free(cut);
	if (banded.nrecs <= out->nrecs || !all_forms(&banded)) {
		fp_mapped_release(&banded);
		free(stacked);
		return err;
	}
	fp_mapped_release(out);
	*out = banded;
	*d = bd;
	if (opts && opts->explain)
		say_cuts(out, form, stacked, n);
	free(stacked);
	return berr;
}

enum fp_err
fp_mapping_apply(const struct fp_mapping *m, const struct fp_form *form,
    const struct fp_apply_opts *opts, struct fp_mapped *out,
    struct fp_diag *d)
{
	struct fp_buf said = FP_BUF_INIT;
	struct fp_form *joined = join_continued(m, form, &said);
	enum fp_err err;

	err = apply_cut(m, joined ? joined : form, opts, out, d);
	if (joined && opts && opts->explain)
		first_note(out, &said);
	fp_buf_release(&said);
	fp_form_free(joined);
	return err;
}
