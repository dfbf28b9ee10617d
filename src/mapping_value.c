/*
 * A field's value by its type (mapping_apply_int.h): what a mapping's
 * strip leaves of it, without a mark ending a sentence after it,
 * normalised by normalize.c, then made canonical by its `value` and
 * `code` lines; a grade said in a sentence, and choices listed in
 * instructions, told apart by the values they name.
 */
#include "mapping_apply_int.h"

#include <stdlib.h>
#include <string.h>

#include "normalize.h"
#include "utf8re.h"

/*
 * The value without the first match of the field's strip (some text of
 * it, the rest trimmed), in *to, whose text is a->stripped's; v if none.
 */
static const struct fp_value *
strip_value(struct apply *a, const struct fp_field *f,
    const struct fp_value *v, struct fp_value *to)
{
	struct fp_buf b = FP_BUF_INIT;
	regmatch_t mt;
	char *s = fp_xstrndup(v->text, v->len);

	if (fp_regexec(&f->strip_re, s, 1, &mt, 0) || mt.rm_eo <= mt.rm_so) {
		free(s);
		return v;
	}
	fp_buf_add(&b, s, (size_t)mt.rm_so);
	fp_buf_adds(&b, s + mt.rm_eo);
	fp_buf_reset(&a->stripped);
	fp_norm_text(&a->stripped, b.s ? b.s : "", b.len);
	fp_buf_release(&b);
	free(s);
	*to = *v;
	to->text = a->stripped.s ? a->stripped.s : "";
	to->len = a->stripped.len;
	return to;
}

/* The characters of UTF-8 text s. */
static size_t
nchars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* Where in a value one of a field's values is named: its bytes lo..hi. */
struct named_at {
	size_t value, lo, hi, chars;
};

/* 1 if hit h lies inside a longer one of another value (合格 in 不合格). */
static int
inside_longer(const struct named_at *h, const struct named_at *all, size_t n)
{
	size_t k;

	for (k = 0; k < n; k++)
		if (all[k].value != h->value && all[k].lo <= h->lo &&
		    all[k].hi >= h->hi && all[k].hi - all[k].lo > h->hi - h->lo)
			return 1;
	return 0;
}

/*
 * How many of the field's values or codes label (a value in label form)
 * names: *any by any word of theirs, *wide by words of two characters or
 * more; a word inside a longer one of another value names nothing (不合
 * 格（58分） names 不合格 alone). The value named by a wide word where
 * it is the one named, else SIZE_MAX. At most 64 places are looked at.
 */
static size_t
count_named(const struct fp_field *f, const char *label, size_t *any,
    size_t *wide)
{
	const struct fp_alias *v = f->ncodes ? f->codes : f->values;
	size_t n = f->ncodes ? f->ncodes : f->nvalues, i, j, k, nat = 0;
	size_t sole = SIZE_MAX;
	struct named_at at[64];
	unsigned char kept[64];

	*any = *wide = 0;
	for (i = 0; i < n; i++)
		for (j = 0; j < v[i].alts.n; j++) {
			const char *w = v[i].alts.v[j], *p;

			if (!*w || strchr(w, '*'))
				continue;
			for (p = label; nat < 64 && (p = strstr(p, w)); p++) {
				at[nat].value = i;
				at[nat].lo = (size_t)(p - label);
				at[nat].hi = at[nat].lo + strlen(w);
				at[nat++].chars = nchars(w);
			}
		}
	/* Each value counted once, by any of its words and by a wide one. */
	for (k = 0; k < nat; k++) {
		int again = 0, wide_again = 0;

		kept[k] = !inside_longer(&at[k], at, nat);
		if (!kept[k])
			continue;
		for (j = 0; j < k; j++)
			if (kept[j] && at[j].value == at[k].value) {
				again = 1;
				wide_again |= at[j].chars >= 2;
			}
		*any += !again;
		if (at[k].chars >= 2) {
			*wide += !wide_again;
			sole = at[k].value;
		}
	}
	return *any == 1 && *wide == 1 ? sole : SIZE_MAX;
}

/*
 * 1 if label (a value in label form, with no box to tick) names several
 * of the field's values or codes: the choices listed, as instructions do
 * (评价等次：优秀（90分及以上）、良好（80-89分）…), not one chosen.
 * Several means two named by words of two characters or more, or three
 * by any.
 */
static int
names_choices(const struct fp_field *f, const char *label)
{
	size_t any, wide;

	count_named(f, label, &any, &wide);
	return wide >= 2 || any >= 3;
}

/*
 * The value without the mark that ends a sentence after it (93分。,
 * 0730-7621234；, 2022年1月9日。): a number, date or grade is the words
 * before it. *to shares v's text.
 */
static const struct fp_value *
sentence_end_off(const struct fp_value *v, struct fp_value *to)
{
	static const char *const mark[] = {
		"\xe3\x80\x82", "\xef\xbc\x9b", "\xef\xbc\x8c",	/* 。；， */
		"\xe3\x80\x81", ";", ",", " ",			/* 、 */
	};
	size_t n = v->len, i, k;

	do {
		k = n;
		for (i = 0; i < sizeof mark / sizeof mark[0]; i++) {
			size_t m = strlen(mark[i]);

			if (n > m && !memcmp(v->text + n - m, mark[i], m))
				n -= m;
		}
	} while (n != k);
	if (n == v->len)
		return v;
	*to = *v;
	to->len = n;
	return to;
}

/* A number, phone or date by the field's type into out; 0 if not one. */
static int
typed(struct fp_buf *out, const struct fp_field *f, const struct fp_value *v,
    int exp)
{
	switch (f->type) {
	case FP_T_MONEY:
		return fp_norm_money_in(out, v, exp);
	case FP_T_INTEGER:
		return fp_norm_integer(out, v);
	case FP_T_NUMBER:
		return fp_norm_number(out, v);
	case FP_T_SCORE:
		return fp_norm_score(out, v);
	case FP_T_PHONE:
		return fp_norm_phone(out, v);
	case FP_T_DATE:
		return fp_norm_date(out, v);
	default:
		return 0;
	}
}

/*
 * 1 if words name field f: one of its labels, or the end of one, of two
 * ideographs or more (得分 of 自评得分, 日期 of 填报日期).
 */
static int
names_field(const struct fp_field *f, const char *words, size_t n)
{
	size_t i, len;

	if (n < 6)	/* two ideographs */
		return 0;
	for (i = 0; i < f->labels.n; i++) {
		len = strlen(f->labels.v[i]);
		if (len >= n && !memcmp(f->labels.v[i] + len - n, words, n))
			return 1;
	}
	return 0;
}

/*
 * The value after words and a colon that start it (得分：92, 自评得分:
 * 92分), where the words name the field (not 满分：10 or 其中：100 under
 * an amount). NULL if it has none. *to shares v's text.
 */
static const struct fp_value *
words_off(const struct fp_field *f, const struct fp_value *v,
    struct fp_value *to)
{
	struct fp_buf w = FP_BUF_INIT;
	size_t i, k;
	int named;

	if (v->is_number)
		return NULL;
	for (i = 0; i < v->len && i < 64; i++) {
		k = v->text[i] == ':' ? 1 : i + 3 <= v->len &&
		    !memcmp(v->text + i, "\xef\xbc\x9a", 3) ? 3 : 0;
		if (!k)
			continue;
		if (!i || i + k >= v->len)
			return NULL;
		fp_norm_label(&w, v->text, i);
		named = w.s && names_field(f, w.s, w.len);
		fp_buf_release(&w);
		if (!named)
			return NULL;
		*to = *v;
		to->text = v->text + i + k;
		to->len = v->len - i - k;
		return to;
	}
	return NULL;
}

/*
 * The field's code whose words are label (label form) or whose code is
 * written (as), or f->ncodes if none is.
 */
static size_t
code_of(const struct fp_field *f, const char *label, const char *as)
{
	size_t i;

	for (i = 0; i < f->ncodes; i++)
		if (fp_labels_match(&f->codes[i].alts, label) ||
		    !strcmp(f->codes[i].canon, as))
			break;
	return i;
}

/*
 * Normalises a value by the field's type into a->val. A placeholder the
 * mapping declares gives nothing; a value that is not of its type keeps
 * its text as written, so nothing is lost and check can say what is
 * wrong with it. Returns 0 if there is no value.
 */
int
fp_apply_field_value(struct apply *a, const struct fp_field *f,
    const struct fp_value *v, int exp)
{
	struct fp_buf *out = &a->val, lab = FP_BUF_INIT;
	struct fp_value stripped, ended, after;
	const struct fp_value *w;
	size_t i, any, wide, e;
	int ok;

	fp_buf_reset(out);
	a->uncoded = 0;
	a->listed = 0;
	if (f->has_strip && !v->is_number)
		v = strip_value(a, f, v, &stripped);
	if (f->type != FP_T_TEXT && !v->is_number)
		v = sentence_end_off(v, &ended);
	if (!v->is_number) {
		fp_norm_label(&lab, v->text, v->len);
		if (!lab.len || fp_labels_match(&f->empty, lab.s)) {
			fp_buf_release(&lab);
			return 0;
		}
	}
	switch (f->type) {
	case FP_T_MONEY:
	case FP_T_INTEGER:
	case FP_T_NUMBER:
	case FP_T_SCORE:
	case FP_T_PHONE:
	case FP_T_DATE:
		/* 得分：92 in the value's cell: the value after its words. */
		if (!(ok = typed(out, f, v, exp)) &&
		    (w = words_off(f, v, &after))) {
			fp_buf_reset(out);
			if ((ok = typed(out, f, w, exp)))
				v = w;
		}
		break;
	case FP_T_GRADE:
	case FP_T_CODE:
		if ((ok = fp_norm_choice(out, v)))
			break;
		if (!v->is_number && !fp_has_choice_mark(v->text, v->len) &&
		    names_choices(f, lab.s)) {
			fp_buf_release(&lab);
			return 0;
		}
		ok = fp_norm_plain(out, v);
		break;
	default:
		ok = fp_norm_shown(out, v);
		if (ok && !v->is_number)
			if (!a->lines)
				fp_norm_unwrap(out, 0);
		break;
	}
	if (!ok) {
		fp_buf_reset(out);
		if (v->is_number)
			fp_norm_shown(out, v);
		else
			fp_norm_text(out, v->text, v->len);
	}
	if (out->len && (f->nvalues || f->ncodes)) {
		fp_buf_reset(&lab);
		fp_norm_label(&lab, out->s, out->len);
		for (i = 0; i < f->nvalues; i++)
			if (fp_labels_match(&f->values[i].alts, lab.s)) {
				fp_buf_reset(out);
				fp_buf_adds(out, f->values[i].canon);
				a->listed = 1;
				break;
			}
		i = f->ncodes ? code_of(f, lab.s, out->s) : 0;
		/* 1.质量指标, a category numbered in its list: 质量指标. */
		if (i == f->ncodes && (e = fp_label_enumerator(lab.s)) > 0)
			i = code_of(f, lab.s + e, lab.s + e);
		if (i < f->ncodes) {
			fp_buf_reset(out);
			fp_buf_adds(out, f->codes[i].canon);
			a->listed = 1;
		}
		a->uncoded = f->ncodes > 0 && i == f->ncodes;
		/* A grade said in a sentence: 等次为“良好”. */
		if (!a->listed && f->type == FP_T_GRADE && f->nvalues &&
		    (i = count_named(f, lab.s, &any, &wide)) != SIZE_MAX) {
			fp_buf_reset(out);
			fp_buf_adds(out, f->values[i].canon);
			a->listed = 1;
		}
	}
	fp_buf_release(&lab);
	return out->len > 0;
}
