/*
 * The record spool: records serialised into an anonymous temporary file
 * (gone when the process ends, however it ends), each a block of
 * NUL-terminated strings and counts; in memory an index of each record's
 * key, offset and length. Reading a record back is one seek and one read
 * into a buffer its strings then point into.
 */
#include "spool.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct entry {
	char *key;
	uint64_t off;
	size_t len;
	size_t seq;
};

struct held {
	enum fp_severity severity;
	char *s[6];		/* table, row, field, rule, message, source */
};

struct fp_spool {
	FILE *f;
	uint64_t end;
	struct entry *v;
	size_t n, cap;
	struct held *held;	/* the findings of the record being gathered */
	size_t nheld, capheld;
	struct fp_buf out;	/* a record being written */
	char *in;		/* a record read back */
	size_t incap;
	struct fp_rec_fact *facts;
	size_t capfacts;
	struct fp_spool_finding *findings;
	size_t capfindings;
};

struct fp_spool *
fp_spool_new(struct fp_diag *d)
{
	struct fp_spool *s;
	FILE *f = tmpfile();

	if (!f) {
		fp_diag(d, FP_EWRITE, "cannot make a temporary file: %s",
		    strerror(errno));
		return NULL;
	}
	s = fp_xcalloc(1, sizeof *s);
	s->f = f;
	return s;
}

static void
drop_held(struct fp_spool *s)
{
	size_t i, k;

	for (i = 0; i < s->nheld; i++)
		for (k = 0; k < 6; k++)
			free(s->held[i].s[k]);
	s->nheld = 0;
}

void
fp_spool_free(struct fp_spool *s)
{
	size_t i;

	if (!s)
		return;
	if (s->f)
		fclose(s->f);
	for (i = 0; i < s->n; i++)
		free(s->v[i].key);
	free(s->v);
	drop_held(s);
	free(s->held);
	fp_buf_release(&s->out);
	free(s->in);
	free(s->facts);
	free(s->findings);
	free(s);
}

void
fp_spool_finding(struct fp_spool *s, const struct fp_finding *f)
{
	struct held *h;

	if (s->nheld == s->capheld) {
		s->capheld = s->capheld ? s->capheld * 2 : 16;
		s->held = fp_xreallocarray(s->held, s->capheld, sizeof *s->held);
	}
	h = &s->held[s->nheld++];
	h->severity = f->severity;
	h->s[0] = fp_xstrdup(f->table);
	h->s[1] = fp_xstrdup(f->row);
	h->s[2] = fp_xstrdup(f->field);
	h->s[3] = fp_xstrdup(f->rule);
	h->s[4] = fp_xstrdup(f->message);
	h->s[5] = fp_xstrdup(f->source);
}

static void
put_u32(struct fp_buf *b, size_t v)
{
	unsigned char p[4] = {
		(unsigned char)v, (unsigned char)(v >> 8),
		(unsigned char)(v >> 16), (unsigned char)(v >> 24),
	};

	fp_buf_add(b, p, 4);
}

static void
put_str(struct fp_buf *b, const char *s)
{
	fp_buf_add(b, s, strlen(s) + 1);
}

enum fp_err
fp_spool_put(struct fp_spool *s, const char *key, const struct fp_who *who,
    const struct fp_rec_fact *facts, size_t n, size_t errors,
    size_t warnings, struct fp_diag *d)
{
	struct fp_buf *b = &s->out;
	struct entry *e;
	size_t i, k;

	fp_buf_reset(b);
	put_str(b, who->form);
	put_str(b, who->dept);
	put_str(b, who->year);
	put_str(b, who->record);
	put_str(b, who->file);
	put_u32(b, errors);
	put_u32(b, warnings);
	put_u32(b, n);
	for (i = 0; i < n; i++) {
		put_str(b, facts[i].table);
		put_str(b, facts[i].row);
		put_str(b, facts[i].field);
		put_str(b, facts[i].value);
		put_str(b, facts[i].source);
	}
	put_u32(b, s->nheld);
	for (i = 0; i < s->nheld; i++) {
		fp_buf_addc(b, (char)s->held[i].severity);
		for (k = 0; k < 6; k++)
			put_str(b, s->held[i].s[k]);
	}
	drop_held(s);
	if (fseeko(s->f, (off_t)s->end, SEEK_SET) != 0 ||
	    fwrite(b->s, 1, b->len, s->f) != b->len)
		return fp_diag(d, FP_EWRITE, "cannot write a temporary file: %s",
		    strerror(errno ? errno : EIO));
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->v = fp_xreallocarray(s->v, s->cap, sizeof *s->v);
	}
	e = &s->v[s->n];
	e->key = fp_xstrdup(key);
	e->off = s->end;
	e->len = b->len;
	e->seq = s->n++;
	s->end += b->len;
	return FP_OK;
}

size_t
fp_spool_count(const struct fp_spool *s)
{
	return s->n;
}

static int
entry_cmp(const void *x, const void *y)
{
	const struct entry *a = x, *b = y;
	int c = strcmp(a->key, b->key);

	if (c)
		return c;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

void
fp_spool_sort(struct fp_spool *s)
{
	if (s->n > 1)
		qsort(s->v, s->n, sizeof *s->v, entry_cmp);
}

const char *
fp_spool_key(const struct fp_spool *s, size_t i)
{
	return s->v[i].key;
}

/* Reads a string at *p (within end); NULL if the record is cut short. */
static const char *
get_str(const char **p, const char *end)
{
	const char *s = *p, *z = memchr(s, '\0', (size_t)(end - s));

	if (!z)
		return NULL;
	*p = z + 1;
	return s;
}

static int
get_u32(const char **p, const char *end, size_t *v)
{
	const unsigned char *u = (const unsigned char *)*p;

	if (end - *p < 4)
		return 0;
	*v = (size_t)u[0] | (size_t)u[1] << 8 | (size_t)u[2] << 16 |
	    (size_t)u[3] << 24;
	*p += 4;
	return 1;
}

enum fp_err
fp_spool_get(struct fp_spool *s, size_t i, struct fp_spool_record *r,
    struct fp_diag *d)
{
	const struct entry *e = &s->v[i];
	const char *p, *end;
	size_t k, j;
	const char **who[5];

	if (e->len > s->incap) {
		s->incap = e->len;
		s->in = fp_xrealloc(s->in, s->incap);
	}
	if (fseeko(s->f, (off_t)e->off, SEEK_SET) != 0 ||
	    fread(s->in, 1, e->len, s->f) != e->len)
		return fp_diag(d, FP_EOPEN, "cannot read a temporary file back: "
		    "%s", strerror(errno ? errno : EIO));
	p = s->in;
	end = s->in + e->len;
	memset(r, 0, sizeof *r);
	who[0] = &r->who.form;
	who[1] = &r->who.dept;
	who[2] = &r->who.year;
	who[3] = &r->who.record;
	who[4] = &r->who.file;
	for (k = 0; k < 5; k++)
		if (!(*who[k] = get_str(&p, end)))
			goto short_read;
	if (!get_u32(&p, end, &r->errors) || !get_u32(&p, end, &r->warnings) ||
	    !get_u32(&p, end, &r->nfacts))
		goto short_read;
	if (r->nfacts > s->capfacts) {
		s->capfacts = r->nfacts;
		s->facts = fp_xreallocarray(s->facts, s->capfacts,
		    sizeof *s->facts);
	}
	r->facts = s->facts;
	for (k = 0; k < r->nfacts; k++) {
		struct fp_rec_fact *f = &s->facts[k];

		if (!(f->table = get_str(&p, end)) ||
		    !(f->row = get_str(&p, end)) ||
		    !(f->field = get_str(&p, end)) ||
		    !(f->value = get_str(&p, end)) ||
		    !(f->source = get_str(&p, end)))
			goto short_read;
	}
	if (!get_u32(&p, end, &r->nfindings))
		goto short_read;
	if (r->nfindings > s->capfindings) {
		s->capfindings = r->nfindings;
		s->findings = fp_xreallocarray(s->findings, s->capfindings,
		    sizeof *s->findings);
	}
	r->findings = s->findings;
	for (k = 0; k < r->nfindings; k++) {
		struct fp_spool_finding *f = &s->findings[k];
		const char **v[6] = {
			&f->table, &f->row, &f->field, &f->rule, &f->message,
			&f->source,
		};

		if (p >= end)
			goto short_read;
		f->severity = (enum fp_severity)*p++;
		for (j = 0; j < 6; j++)
			if (!(*v[j] = get_str(&p, end)))
				goto short_read;
	}
	return FP_OK;
short_read:
	return fp_diag(d, FP_EOPEN, "a temporary file was changed while in "
	    "use");
}
