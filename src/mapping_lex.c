/*
 * The mapping language's tokens: a line is words separated by spaces;
 * `|`, `=`, `+` and the comparisons stand alone; a word with spaces or
 * one of those characters in it goes in double quotes (`\"` and `\\`
 * inside them); `#` starts a comment. Each token remembers where it
 * started, so that a rule's expression can be read from the line's text.
 */
#include "mapping_int.h"

#include <stdlib.h>
#include <string.h>

void
fp_lex_release(struct line *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->t[i].s);
	l->n = 0;
}

static void
push(struct line *l, const char *s, size_t n, int quoted, size_t off)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->t = fp_xreallocarray(l->t, l->cap, sizeof *l->t);
	}
	l->t[l->n].s = fp_xstrndup(s, n);
	l->t[l->n].quoted = quoted;
	l->t[l->n].off = off;
	l->n++;
}

/* The length of an operator at p: | = + and the comparisons. */
static size_t
op_len(const char *p, size_t n)
{
	if (n >= 2 && (p[0] == '<' || p[0] == '>' || p[0] == '!' ||
	    p[0] == '=') && p[1] == '=')
		return 2;
	if (n >= 1 && strchr("|=+<>", p[0]) && p[0])
		return 1;
	return 0;
}

static int
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

int
fp_lex_line(struct line *l, const char *s, size_t n, const char **err)
{
	struct fp_buf b = FP_BUF_INIT;
	size_t i = 0;

	l->text = s;
	l->len = n;
	while (i < n) {
		size_t k;

		if (is_blank(s[i])) {
			i++;
			continue;
		}
		if (s[i] == '#') {
			l->len = i;
			break;
		}
		if (s[i] == '"') {
			size_t start = i;

			fp_buf_reset(&b);
			for (i++; i < n && s[i] != '"'; i++) {
				if (s[i] == '\\' && i + 1 < n)
					i++;
				fp_buf_addc(&b, s[i]);
			}
			if (i >= n) {
				*err = "a quoted string is not closed";
				fp_buf_release(&b);
				return 0;
			}
			i++;
			push(l, b.s ? b.s : "", b.len, 1, start);
			continue;
		}
		if ((k = op_len(s + i, n - i)) > 0) {
			push(l, s + i, k, 0, i);
			i += k;
			continue;
		}
		k = i;
		while (i < n && !is_blank(s[i]) && s[i] != '#' && s[i] != '"' &&
		    !op_len(s + i, n - i))
			i++;
		push(l, s + k, i - k, 0, k);
	}
	fp_buf_release(&b);
	return 1;
}

int
fp_tok_is(const struct tok *t, const char *op)
{
	return !t->quoted && !strcmp(t->s, op);
}
