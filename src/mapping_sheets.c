/*
 * Which sheets of a workbook are a mapping's forms (mapping_apply_int.h):
 * the sheet named or numbered, or those with the form's label; of several,
 * with `every sheet`, each that names its record (a blank template, a
 * cover, a list of the forms, last year's hidden copy passed over), else
 * the fullest one (a later year before an earlier). And the visible
 * sheets with a table's header but not the form's label, said not to be
 * read.
 */
#include "mapping_apply_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "normalize.h"
#include "util.h"

/*
 * The sheets that may hold forms: the one named or numbered, or each that
 * has the label (of which, but for every_sheet, one is kept).
 */
size_t
fp_apply_find_sheets(const struct fp_mapping *m, const struct fp_form *form,
    size_t *v)
{
	size_t i, n = 0;

	switch (m->sheet_by) {
	case FP_SHEET_NAMED:
		for (i = 0; i < form->nsheets; i++)
			if (!strcmp(form->sheets[i].name, m->sheet_name)) {
				v[n++] = i;
				break;
			}
		break;
	case FP_SHEET_NUMBER:
		if ((size_t)m->sheet_number <= form->nsheets)
			v[n++] = (size_t)m->sheet_number - 1;
		break;
	case FP_SHEET_CONTAINING:
		for (i = 0; i < form->nsheets; i++)
			if (fp_apply_find_label(&form->sheets[i],
			    &m->sheet_labels))
				v[n++] = i;
		break;
	}
	return n;
}

const char *
fp_apply_sheet_how(const struct fp_mapping *m, struct fp_buf *b)
{
	fp_buf_reset(b);
	if (m->sheet_by == FP_SHEET_NAMED)
		fp_buf_printf(b, "no sheet named '%s'", m->sheet_name);
	else if (m->sheet_by == FP_SHEET_NUMBER)
		fp_buf_printf(b, "no sheet %d", m->sheet_number);
	else
		fp_buf_printf(b, "no sheet has a cell '%s'",
		    m->sheet_labels.v[0]);
	return b->s;
}

/*
 * Keeps, of the notes, those of the sheets kept (keep[i] for the record
 * of sheet i, whose notes start at notes_at[i]), and all with --explain.
 */
static void
drop_notes(struct apply *a, const size_t *notes_at, const char *keep)
{
	struct fp_mapped *o = a->out;
	size_t i = 0, k, w = 0;

	if (a->o->explain)
		return;
	for (k = 0; k < o->nnotes; k++) {
		while (i + 1 < o->nrecs && k >= notes_at[i + 1])
			i++;
		if (keep[i])
			o->notes[w++] = o->notes[k];
		else
			free(o->notes[k].text);
	}
	o->nnotes = w;
}

/*
 * fullest[i]: of the visible sheets with record i's name, the one with
 * the most values (the first of those), SIZE_MAX if none; found by
 * sorting the records by name, not by comparing each with each. Names
 * go by their label form: a draft's 项目(一期) is the 项目（一期） of the
 * final form.
 */
static size_t *
fullest_by_record(const struct apply *a, const size_t *sheets)
{
	const struct fp_mapped *o = a->out;
	struct fp_strix *v = fp_xcalloc(o->nrecs + 1, sizeof *v);
	size_t *fullest = fp_xcalloc(o->nrecs + 1, sizeof *fullest);
	struct fp_arena names = FP_ARENA_INIT;
	struct fp_buf b = FP_BUF_INIT;
	size_t i, j, k, best;

	for (i = 0; i < o->nrecs; i++) {
		fp_buf_reset(&b);
		fp_norm_label(&b, o->recs[i].record, strlen(o->recs[i].record));
		v[i].s = fp_arena_strndup(&names, b.s ? b.s : "", b.len);
		v[i].i = i;
	}
	fp_buf_release(&b);
	qsort(v, o->nrecs, sizeof *v, fp_strix_cmp);
	for (i = 0; i < o->nrecs; i = j) {
		best = SIZE_MAX;
		for (j = i; j < o->nrecs && !strcmp(v[j].s, v[i].s); j++) {
			k = v[j].i;
			if (!a->form->sheets[sheets[k]].hidden && (best ==
			    SIZE_MAX || o->recs[k].n > o->recs[best].n))
				best = k;
		}
		for (k = i; k < j; k++)
			fullest[v[k].i] = best;
	}
	free(v);
	fp_arena_release(&names);
	return fullest;
}

/*
 * Of a workbook of forms a sheet each, if some sheets name their record:
 * a sheet without the name and with fewer than half the values of the
 * fullest named one (a blank template, a cover) is no form, nor is a
 * hidden one; a hidden sheet with the record of a visible one is last
 * year's copy, and a visible one with less than half the values of
 * another of its record is a cover (项目名称：… over the form). Each is
 * passed over with a note, and its warnings go with it (--explain keeps
 * them). A hidden sheet with a record of its own is kept, with a note
 * that it is hidden. A visible sheet without the name but as full as a
 * form is a form whose name is missing: kept, for check to say so.
 */
void
fp_apply_drop_unnamed(struct apply *a, const size_t *sheets, const size_t *notes_at,
    const size_t *grids)
{
	struct fp_mapped *o = a->out;
	size_t i, k, named = 0, most = 0, *fullest, withgrids = 0;
	char *keep, *list;

	for (i = 0; i < o->nrecs; i++)
		if (*o->recs[i].record) {
			named++;
			if (o->recs[i].n > most)
				most = o->recs[i].n;
		}
	if (!named)
		return;
	for (i = 0; i < o->nrecs; i++)
		withgrids += grids[i] > 0;
	keep = fp_xcalloc(o->nrecs, 1);
	list = fp_xcalloc(o->nrecs, 1);
	fullest = fullest_by_record(a, sheets);
	for (i = 0; i < o->nrecs; i++) {
		int hidden = a->form->sheets[sheets[i]].hidden;
		size_t f = fullest[i];

		if (!*o->recs[i].record)
			keep[i] = !hidden && o->recs[i].n * 2 >= most;
		else if (hidden)
			keep[i] = f == SIZE_MAX;
		else
			keep[i] = o->recs[i].n * 2 >= o->recs[f].n;
		/*
		 * None of the required tables, where other sheets have
		 * them, and less than half the values of the fullest: a
		 * list of the workbook's projects (目录), its header taken
		 * for a name.
		 */
		if (keep[i] && *o->recs[i].record && !grids[i] && withgrids &&
		    o->recs[i].n * 2 < most)
			keep[i] = 0, list[i] = 1;
	}
	drop_notes(a, notes_at, keep);
	for (i = k = 0; i < o->nrecs; i++) {
		struct fp_record *rec = &o->recs[i];

		a->sheet = sheets[i];
		if (keep[i] && !*rec->record)
			fp_apply_note(a, 1,
			    "no %s.%s on this sheet, though it holds a "
			    "form's values: mapped without it",
			    a->m->record.table, a->m->record.field);
		if (keep[i] && *rec->record &&
		    a->form->sheets[sheets[i]].hidden)
			fp_apply_note(a, 1,
			    "hidden, and no visible sheet has its %s.%s "
			    "'%s': mapped, though it may be an old form kept "
			    "out of sight", a->m->record.table,
			    a->m->record.field, rec->record);
		if (keep[i]) {
			o->recs[k++] = *rec;
			continue;
		}
		if (list[i])
			fp_apply_note(a, 1,
			    "none of the form's required tables, which "
			    "other sheets have: not a form (notes on filling "
			    "it in, or a list of forms), passed over");
		else if (*rec->record && a->form->sheets[sheets[i]].hidden)
			fp_apply_note(a, 1,
			    "hidden, beside sheet '%s' of the same %s.%s:"
			    " a copy of the form passed over",
			    a->form->sheets[sheets[fullest[i]]].name,
			    a->m->record.table, a->m->record.field);
		else if (*rec->record)
			fp_apply_note(a, 1,
			    "fewer than half the values of sheet '%s' of "
			    "the same %s.%s: a cover, not a form, passed over",
			    a->form->sheets[sheets[fullest[i]]].name,
			    a->m->record.table, a->m->record.field);
		else
			fp_apply_note(a, 1,
			    "%sno %s.%s on this sheet: not a form, passed "
			    "over", a->form->sheets[sheets[i]].hidden ?
			    "hidden, and " : "", a->m->record.table,
			    a->m->record.field);
		fp_apply_record_release(rec);
	}
	o->nrecs = k;
	free(keep);
	free(list);
	free(fullest);
}

/*
 * 1 if two records name departments, not the same one (教育局 and
 * 汨罗市教育局, one written shorter, are the same).
 */
static int
other_dept(const struct fp_record *x, const struct fp_record *y)
{
	return x->dept && y->dept && *x->dept && *y->dept &&
	    !strstr(x->dept, y->dept) && !strstr(y->dept, x->dept);
}

/*
 * 1 if record i is of a later year than record j, -1 if of an earlier
 * one, 0 if either has none or they are alike; each with half the
 * other's values at least (not a blank template with a year in it).
 */
static int
later_year(const struct fp_mapped *o, size_t i, size_t j)
{
	const struct fp_record *x = &o->recs[i], *y = &o->recs[j];
	double yi, yj;

	if (!fp_parse_number(x->year, strlen(x->year), &yi) ||
	    !fp_parse_number(y->year, strlen(y->year), &yj) || yi == yj ||
	    x->n * 2 < y->n || y->n * 2 < x->n)
		return 0;
	return yi > yj ? 1 : -1;
}

/*
 * 1 if record i makes a better form than record best: a visible sheet
 * with values before a hidden one (last year's form kept out of sight),
 * then a later year (last year's copy kept beside this year's), then
 * more values.
 */
static int
fuller(const struct apply *a, const size_t *sheets, size_t i, size_t best)
{
	const struct fp_mapped *o = a->out;
	int vi = !a->form->sheets[sheets[i]].hidden && o->recs[i].n > 0;
	int vb = !a->form->sheets[sheets[best]].hidden && o->recs[best].n > 0;
	int later = later_year(o, i, best);

	if (vi != vb)
		return vi;
	if (later)
		return later > 0;
	return o->recs[i].n > o->recs[best].n;
}

/* How sheet i, passed over, stands beside the one kept, best. */
static const char *
how_full(const struct apply *a, const struct fp_mapped *o,
    const size_t *sheets, size_t i, size_t best)
{
	if (a->form->sheets[sheets[i]].hidden &&
	    !a->form->sheets[sheets[best]].hidden)
		return "hidden, beside";
	return o->recs[i].n < o->recs[best].n ? "fewer values than" :
	    "as many values as";
}

/*
 * Of several sheets with the form's label, one form: the visible sheet
 * with the most facts (the first of those), so that a blank copy of the
 * template in front of the filled one, or a hidden one, is passed over,
 * with a note. The warnings of the sheets passed over go with them;
 * --explain keeps every note.
 */
void
fp_apply_keep_fullest(struct apply *a, const size_t *sheets, const size_t *notes_at)
{
	struct fp_mapped *o = a->out;
	size_t i, k, best = 0;

	for (i = 1; i < o->nrecs; i++)
		if (fuller(a, sheets, i, best))
			best = i;
	if (!a->o->explain) {
		size_t from = notes_at[best], to = best + 1 < o->nrecs ?
		    notes_at[best + 1] : o->nnotes;

		for (k = 0; k < o->nnotes; k++)
			if (k < from || k >= to)
				free(o->notes[k].text);
		if (to > from)
			memmove(o->notes, o->notes + from, (to - from) *
			    sizeof *o->notes);
		o->nnotes = to - from;
	}
	for (i = 0; i < o->nrecs; i++) {
		if (i == best)
			continue;
		a->sheet = sheets[i];
		if (later_year(o, i, best) < 0 &&
		    !(a->form->sheets[sheets[i]].hidden &&
		    !a->form->sheets[sheets[best]].hidden))
			fp_apply_note(a, 1,
			    "a form of %s, earlier than sheet '%s' (%s): "
			    "passed over", o->recs[i].year,
			    a->form->sheets[sheets[best]].name,
			    o->recs[best].year);
		else if (other_dept(&o->recs[i], &o->recs[best]))
			fp_apply_note(a, 1,
			    "%s sheet '%s' (%s): a form of %s passed over "
			    "(where each sheet is a department's form, "
			    "'sheets containing' maps them all)",
			    how_full(a, o, sheets, i, best),
			    a->form->sheets[sheets[best]].name,
			    o->recs[best].dept, o->recs[i].dept);
		else
			fp_apply_note(a, 1,
			    "%s sheet '%s': a copy of the form passed "
			    "over", how_full(a, o, sheets, i, best),
			    a->form->sheets[sheets[best]].name);
		fp_apply_record_release(&o->recs[i]);
	}
	o->recs[0] = o->recs[best];
	o->nrecs = 1;
}

/* Marks in used the sheet a source (SHEET!B4) names, by the names' index. */
static void
mark_used(const struct fp_strix *by, size_t n, const char *source,
    unsigned char *used)
{
	const char *bang = strrchr(source, '!');
	const struct fp_strix *hit;

	if (bang && (hit = fp_strix_find(by, n, source, (size_t)(bang -
	    source))))
		used[hit->i] = 1;
}

/*
 * Warns of each visible sheet, of none of the form's and read for none of
 * its tables, that has the header of a table read on the form's sheet
 * alone but not the form's label: a
 * table continued on a sheet of its own (续表), or a form without it, is
 * not read, and the department should know. sheets: the form's, n.
 */
void
fp_apply_unread_sheets(struct apply *a, const size_t *sheets, size_t n)
{
	const struct fp_mapping *m = a->m;
	const struct fp_mapped *o = a->out;
	size_t i, k, t, keep = a->sheet;
	unsigned char *used;
	struct fp_strix *by;
	int many = a->many;

	if (m->sheet_by != FP_SHEET_CONTAINING)
		return;
	/* The form's sheets, and those a fact's source names. */
	used = fp_xcalloc(a->form->nsheets + 1, 1);
	by = fp_xreallocarray(NULL, a->form->nsheets + 1, sizeof *by);
	for (i = 0; i < a->form->nsheets; i++) {
		by[i].s = a->form->sheets[i].name;
		by[i].i = i;
	}
	qsort(by, a->form->nsheets, sizeof *by, fp_strix_cmp);
	for (k = 0; k < n; k++)
		used[sheets[k]] = 1;
	for (k = 0; k < o->nrecs; k++)
		for (t = 0; t < o->recs[k].n; t++)
			mark_used(by, a->form->nsheets, o->recs[k].v[t].source,
			    used);
	for (i = 0; i < a->form->nsheets; i++) {
		const struct fp_fsheet *s = &a->form->sheets[i];

		if (used[i] || s->hidden || s->band)
			continue;
		for (t = 0; t < m->ntables; t++) {
			const struct fp_table *tab = &m->tables[t];

			if (tab->kind == FP_TABLE_FIELDS || tab->any_sheet ||
			    !fp_apply_find_first(s, &tab->header))
				continue;
			a->sheet = i;
			a->many = 1;	/* the note names the sheet */
			fp_apply_note(a, 1, "has %s's header %s but no cell "
			    "%s: not read (a table continued there wants the "
			    "form's label)", tab->name,
			    fp_apply_labels_text(&a->val, &tab->header),
			    fp_apply_labels_text(&a->tmp, &m->sheet_labels));
			break;
		}
	}
	a->sheet = keep;
	a->many = many;
	free(used);
	free(by);
}


/* 1 if sheet s holds two numbers at least: values, not a guide's words. */
static int
has_numbers(const struct fp_fsheet *s)
{
	size_t k, n = 0;

	for (k = 0; k < s->ncells && n < 2; k++)
		n += s->cells[k].type == FP_CELL_NUMBER;
	return n >= 2;
}

/*
 * The sheet a keyed or list table the form's sheet has not at all is on,
 * + 1, or 0: the one visible sheet with its header, some numbers and no
 * form's label, its columns' names across (a project's 绩效指标 after its
 * 基本情况). Not where a visible sheet but the form's has the form's label
 * (another form's table, maybe), nor a guide (填表说明) naming the labels
 * down a column with words beside them, nor where two sheets could be it.
 * Its fields the form's sheet has not are looked for there too, whatever
 * the order of the tables.
 */
size_t
fp_apply_lone_sheet(const struct apply *a)
{
	const struct fp_mapping *m = a->m;
	const struct fp_form *form = a->form;
	size_t t, i, at = 0;
	uint32_t top, bot;

	if (m->sheet_by != FP_SHEET_CONTAINING)
		return 0;
	for (i = 0; i < form->nsheets; i++)
		if (i != a->sheet && !form->sheets[i].hidden &&
		    !form->sheets[i].band &&
		    fp_apply_find_first(&form->sheets[i], &m->sheet_labels))
			return 0;
	for (t = 0; t < m->ntables; t++) {
		const struct fp_table *tab = &m->tables[t];

		if (tab->kind == FP_TABLE_FIELDS || tab->any_sheet ||
		    tab->on_sheet.n || tab->sheet_name ||
		    fp_apply_find_first(&form->sheets[a->sheet], &tab->header))
			continue;
		for (i = 0; i < form->nsheets; i++) {
			const struct fp_fsheet *s = &form->sheets[i];
			const struct fp_fcell *c;

			if (i == a->sheet || s->hidden || s->band ||
			    !(c = fp_apply_find_first(s, &tab->header)) ||
			    !has_numbers(s) ||
			    fp_apply_written_across(tab, s, c, &top, &bot))
				continue;
			if (at && at != i + 1)
				return 0;
			at = i + 1;
		}
	}
	return at;
}
