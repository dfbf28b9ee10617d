/*
 * Normalisation of labels and of values by type: what the mapping
 * compares labels with, and what a fact's value becomes (SPEC.md's
 * "Value normalisation").
 */
#ifndef FP_NORMALIZE_H
#define FP_NORMALIZE_H

#include "util.h"

/* A value as a form holds it: a number (or date serial) or text. */
struct fp_value {
	int is_number;		/* num is set */
	int is_date;		/* num is a date serial */
	int date1904;
	int percent;		/* num shown as num * 100 %: 1 + its decimals */
	int pad;		/* an integer shown with zeros to this many digits */
	double num;
	const char *text;	/* text cells, or NULL */
	size_t len;
};

/*
 * Appends the label form of s to out: every white space character (ASCII,
 * U+3000, line breaks, no-break space) removed, full-width ASCII forms
 * folded to ASCII (so full- and half-width brackets and colons are alike),
 * and trailing colons dropped.
 */
void fp_norm_label(struct fp_buf *out, const char *s, size_t n);

/*
 * Appends s trimmed of spaces, U+3000 and line breaks at both ends, with
 * CRLF and lone CR made LF.
 */
void fp_norm_text(struct fp_buf *out, const char *s, size_t n);

/*
 * Each of these appends the normalised value to out and returns 1, or
 * returns 0 (out unchanged) if the value is not of the type. Placeholders
 * (a dash, a slash, 无) are the mapping's to declare, not these
 * functions': to them, such text is simply not a number.
 */
/* Money in 万元: "1,207.93", "1207.93万元", full-width digits; 元 / 10000. */
int fp_norm_money(struct fp_buf *out, const struct fp_value *v);
/*
 * Money in 万元 where an amount with no unit of its own is in the unit of
 * power exp of 万元 (-4 for 元, as fp_money_unit gives).
 */
int fp_norm_money_in(struct fp_buf *out, const struct fp_value *v, int exp);
/* How a label states the unit of amounts (fp_money_unit). */
enum {
	FP_UNIT_NOTE = 1,	/* a note in brackets at its end: 合计（元） */
	FP_UNIT_LINE = 2,	/* 单位： with the unit: 金额单位：元 */
	FP_UNIT_WORD = 3,	/* the unit alone, as in a units row: 元 */
};

/*
 * Whether a label (fp_norm_label's form) states the unit of amounts:
 * FP_UNIT_LINE for "单位:" with a money unit ("金额单位:元", "(单位:人民币
 * 万元)"), FP_UNIT_NOTE for a note in brackets that is one at its end
 * ("年度收入情况(元)", "(万元)"), else 0 (a bare "元" states none: see
 * fp_money_unit_word). *exp is the unit's power of ten
 * in 万元: 元 is -4, 千元 -1, 万元 0, 百万元 2, 亿元 4.
 */
int fp_money_unit(const char *label, int *exp);
/*
 * 1 if a label is a money unit and nothing else ("元", "千元"), as a units
 * row under a header has them (元 | 元), *exp its power of ten in 万元;
 * else 0. Alone in a cell elsewhere it states no unit (fp_money_unit).
 */
int fp_money_unit_word(const char *label, int *exp);
/*
 * 1 if what a number's format shows (fp_norm_label's form) ends with a
 * money unit after the number ("58,000.00元" from #,##0.00"元"), *exp its
 * power of ten in 万元; else 0.
 */
int fp_money_unit_shown(const char *shown, int *exp);
/* The name of the money unit of power exp of 万元: -4 gives "元". */
const char *fp_money_unit_name(int exp);
/* An integer count: "70", "70人". */
int fp_norm_integer(struct fp_buf *out, const struct fp_value *v);
/* Any number: "96.5", "96.5%" gives 96.5. */
int fp_norm_number(struct fp_buf *out, const struct fp_value *v);
/* A score: "98", "98%", "98分", "98.5". */
int fp_norm_score(struct fp_buf *out, const struct fp_value *v);
/* A phone number: text as written (trimmed); a number as its digits. */
int fp_norm_phone(struct fp_buf *out, const struct fp_value *v);
/* A date: a date cell, "2022年3月15日", "2022-03-15", "2022/3/15", "2022.3.15". */
int fp_norm_date(struct fp_buf *out, const struct fp_value *v);
/*
 * The choice ticked in a line of them: "☑优秀 □良好 □中 □差", "优秀□ 良好☑",
 * "优秀（ ）良好（√）" give the word beside the one ticked mark (☑ ☒ ✓ ✔ √
 * ■ ● ◉ ▣; □ ☐ ○ ◯ are not ticked). 0 if there is not exactly one.
 */
int fp_norm_choice(struct fp_buf *out, const struct fp_value *v);
/* 1 if s[0..n) holds a box or a tick of a line of choices (□, ☑, √, …). */
int fp_has_choice_mark(const char *s, size_t n);
/* 1 if s[0..n) holds a tick (√, ✓, ☑, ●, …), not only boxes. */
int fp_has_tick(const char *s, size_t n);
/*
 * Text, trimmed (fp_norm_text); a number as its shortest text, and one in
 * a percent format as the percentage it shows (0.98 under 0% is "98%").
 */
int fp_norm_plain(struct fp_buf *out, const struct fp_value *v);
/* The same, but a date as read shows it (2023-06-30), not its serial. */
int fp_norm_shown(struct fp_buf *out, const struct fp_value *v);
/*
 * A short text's line breaks typed to wrap a name in its cell
 * (汨罗市<LF>民政局, Alt+Enter in a narrow cell) taken out of out from
 * start: where the text holds at most 40 characters and each break
 * stands between two Han ideographs. A longer text, or a break after
 * punctuation (1、…；<LF>2、…), keeps its lines.
 */
void fp_norm_unwrap(struct fp_buf *out, size_t start);

/*
 * Parses a number from text after folding full-width forms and dropping
 * thousands separators and spaces: "1,207.93" and "１２０７．９３" give
 * 1207.93. The whole text must be the number. Returns 1 and sets *x.
 */
int fp_parse_number(const char *s, size_t n, double *x);

/*
 * 1 if s (NUL-terminated) matches the glob pattern, where '*' stands for
 * any run of characters and everything else matches itself.
 */
int fp_glob(const char *pattern, const char *s);

#endif
