/*
 * Shared helpers: diagnostics, allocation, buffers, the one place
 * dates are turned into text (numbers: numfmt.c), and the one reading
 * of the number text the .xlsx and .ods readers find in cells.
 */
#include "util.h"

#include <errno.h>
#include <iconv.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * Ends the n bytes at s (a cut text) before a UTF-8 character they hold
 * only the start of: a message printed whole to the last character.
 */
static void
utf8_cut_whole(char *s, size_t n)
{
	size_t i = n, need;
	unsigned char lead;

	while (i > 0 && n - i < 3 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
		i--;
	if (i == 0)
		return;
	lead = (unsigned char)s[i - 1];
	need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
	if (need > n - (i - 1))
		s[i - 1] = '\0';
}

enum fp_err
fp_diag(struct fp_diag *d, enum fp_err err, const char *fmt, ...)
{
	char msg[sizeof d->msg];
	va_list ap;
	int n;

	if (d) {
		/* Written aside first: the message may quote the one before. */
		va_start(ap, fmt);
		n = vsnprintf(msg, sizeof msg, fmt, ap);
		va_end(ap);
		if (n < 0)
			msg[0] = '\0';
		else if (n >= (int)sizeof msg)
			utf8_cut_whole(msg, sizeof msg - 1);
		memcpy(d->msg, msg, strlen(msg) + 1);
	}
	return err;
}

const char *
fp_strerror(enum fp_err err)
{
	static const char *const names[] = {
		[FP_OK] = "no error",
		[FP_EOPEN] = "cannot read file",
		[FP_EEMPTY] = "empty file",
		[FP_EFORMAT] = "not an Excel workbook",
		[FP_ETRUNC] = "truncated workbook",
		[FP_ECORRUPT] = "corrupt workbook",
		[FP_EENCRYPTED] = "password-protected workbook",
		[FP_ENOSHEET] = "no such sheet",
		[FP_ECSV] = "malformed CSV",
		[FP_EMAPPING] = "error in mapping",
		[FP_ENOMATCH] = "form does not match the mapping",
		[FP_EWRITE] = "write error",
		[FP_EUSAGE] = "bad usage",
		[FP_ENOMEM] = "out of memory",
	};

	if ((size_t)err < sizeof names / sizeof names[0] && names[err])
		return names[err];
	return "unknown error";
}

static const char *oom_cmd, *oom_input;
static void (*oom_clean)(void);

void
fp_oom_context(const char *cmd, const char *input)
{
	oom_cmd = cmd;
	oom_input = input;
}

void
fp_oom_cleanup(void (*fn)(void))
{
	oom_clean = fn;
}

static void
oom(size_t n)
{
	if (oom_clean)
		oom_clean();
	if (oom_cmd && oom_input)
		fprintf(stderr, "formpipe %s: %s: out of memory (%zu bytes "
		    "more): too big to read\n", oom_cmd, oom_input, n);
	else
		fprintf(stderr, "formpipe: out of memory (%zu bytes more)\n",
		    n);
	exit(2);
}

void *
fp_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		oom(n);
	return p;
}

void *
fp_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		oom(n * size);
	return p;
}

void *
fp_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		oom(n);
	return q;
}

void *
fp_xreallocarray(void *p, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		oom(SIZE_MAX);
	return fp_xrealloc(p, n * size);
}

char *
fp_xstrdup(const char *s)
{
	return fp_xstrndup(s, strlen(s));
}

char *
fp_xstrndup(const char *s, size_t n)
{
	char *p = fp_xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void
fp_buf_init(struct fp_buf *b)
{
	b->s = NULL;
	b->len = 0;
	b->cap = 0;
}

void
fp_buf_release(struct fp_buf *b)
{
	free(b->s);
	fp_buf_init(b);
}

void
fp_buf_reset(struct fp_buf *b)
{
	b->len = 0;
	if (b->s)
		b->s[0] = '\0';
}

void
fp_buf_enlarge(struct fp_buf *b, size_t extra)
{
	size_t need;

	if (extra > SIZE_MAX - b->len - 1)
		oom(SIZE_MAX);
	need = b->len + extra + 1;
	if (need <= b->cap)
		return;
	if (b->cap < 64)
		b->cap = 64;
	while (b->cap < need)
		b->cap = b->cap > SIZE_MAX / 2 ? need : b->cap * 2;
	b->s = fp_xrealloc(b->s, b->cap);
	/* Still a string, whether or not the caller writes to the room. */
	b->s[b->len] = '\0';
}

void
fp_buf_adds(struct fp_buf *b, const char *s)
{
	fp_buf_add(b, s, strlen(s));
}

void
fp_buf_printf(struct fp_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	fp_buf_grow(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

char *
fp_buf_detach(struct fp_buf *b)
{
	char *s = b->s ? b->s : fp_xstrdup("");

	fp_buf_init(b);
	return s;
}

struct fp_arena_chunk {
	struct fp_arena_chunk *next;
	char data[];
};

/* Chunks this large, or one string's own if it is larger. */
#define ARENA_CHUNK 16384

char *
fp_arena_strndup(struct fp_arena *a, const char *s, size_t n)
{
	char *d;

	if (n >= a->left) {
		size_t size = n + 1 > ARENA_CHUNK ? n + 1 : ARENA_CHUNK;
		struct fp_arena_chunk *c;

		if (size > SIZE_MAX - sizeof *c)
			oom(SIZE_MAX);
		c = fp_xmalloc(sizeof *c + size);
		c->next = a->chunks;
		a->chunks = c;
		a->p = c->data;
		a->left = size;
	}
	d = a->p;
	memcpy(d, s, n);
	d[n] = '\0';
	a->p += n + 1;
	a->left -= n + 1;
	return d;
}

void
fp_arena_release(struct fp_arena *a)
{
	while (a->chunks) {
		struct fp_arena_chunk *c = a->chunks;

		a->chunks = c->next;
		free(c);
	}
	a->p = NULL;
	a->left = 0;
}

uint64_t
fp_hash(uint64_t h, const char *s)
{
	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

size_t
fp_hash_slot(uint64_t h, size_t mask)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return (size_t)h & mask;
}

int
fp_strix_cmp(const void *x, const void *y)
{
	const struct fp_strix *p = x, *q = y;
	int c = strcmp(p->s, q->s);

	return c ? c : p->i < q->i ? -1 : p->i > q->i;
}

/* strcmp of s against the len bytes at t, as if those were a string. */
static int
cmp_len(const char *s, const char *t, size_t len)
{
	int c = strncmp(s, t, len);

	return c ? c : s[len] != '\0';
}

const struct fp_strix *
fp_strix_find(const struct fp_strix *v, size_t n, const char *s, size_t len)
{
	size_t lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (cmp_len(v[mid].s, s, len) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && !cmp_len(v[lo].s, s, len) ? &v[lo] : NULL;
}

/* The end of the run of decimal digits at s. */
static const char *
skip_digits(const char *s)
{
	while (*s >= '0' && *s <= '9')
		s++;
	return s;
}

/* 1 for the white space XML allows around a number. */
static int
xml_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

const char *
fp_parse_decimal(const char *s, double *out)
{
	const char *p = s, *q;
	char *end;
	double x;

	if (*p == '+' || *p == '-')
		p++;
	q = skip_digits(p);
	if (*q == '.') {
		const char *f = skip_digits(q + 1);

		if (q == p && f == q + 1)
			return NULL;	/* a point and no digit */
		q = f;
	} else if (q == p) {
		return NULL;
	}
	if (*q == 'e' || *q == 'E') {
		const char *e = q + 1;

		if (*e == '+' || *e == '-')
			e++;
		if (skip_digits(e) != e)
			q = skip_digits(e);
	}
	/*
	 * strtod turns the digits into the nearest double; it must read
	 * what was checked above, no more ("0x10" is checked as "0").
	 */
	x = strtod(s, &end);
	if (end != q || !isfinite(x))
		return NULL;
	*out = x;
	return q;
}

int
fp_parse_value(const char *s, double *out)
{
	const char *e;
	char *end;

	while (xml_space(*s))
		s++;
	e = fp_parse_decimal(s, out);
	while (e && xml_space(*e))
		e++;
	if (e && !*e)
		return 1;
	if (!*s)
		return 0;
	/* A number to C, then, but of a kind no workbook holds. */
	*out = strtod(s, &end);
	while (end != s && xml_space(*end))
		end++;
	return end != s && !*end ? -1 : 0;
}

int64_t
fp_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

void
fp_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

int
fp_iso_day(const char *s, int64_t *day)
{
	int64_t y, z;
	unsigned m, d, m2, d2;
	int i;

	for (i = 0; i < 10; i++)
		if (i == 4 || i == 7 ? s[i] != '-' : s[i] < '0' || s[i] > '9')
			return 0;
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
	    (s[3] - '0');
	m = (unsigned)((s[5] - '0') * 10 + (s[6] - '0'));
	d = (unsigned)((s[8] - '0') * 10 + (s[9] - '0'));
	if (m < 1 || m > 12 || d < 1 || d > 31)
		return -1;
	z = fp_days_from_civil(y, m, d);
	fp_civil_from_days(z, &y, &m2, &d2);
	if (m2 != m || d2 != d)
		return -1;
	*day = z;
	return 1;
}

int
fp_buf_iso_day(struct fp_buf *b, int64_t day)
{
	int64_t y;
	unsigned m, d;

	fp_civil_from_days(day, &y, &m, &d);
	if (y < 0 || y > 9999)
		return 0;
	fp_buf_printf(b, "%04d-%02u-%02u", (int)y, m, d);
	return 1;
}

/* 1899-12-30 and 1904-01-01 as days since 1970-01-01. */
#define EPOCH_1900 (-25569)
#define EPOCH_1904 (-24107)

double
fp_serial_from_civil(int64_t y, unsigned m, unsigned d, double seconds)
{
	int64_t days = fp_days_from_civil(y, m, d) - EPOCH_1900;

	/* Excel counts a 29 February 1900 that never was. */
	if (days < 61)
		days--;
	return (double)days + seconds / 86400.0;
}

size_t
fp_fmt_date(char *buf, double serial, int date1904, enum fp_date_kind kind)
{
	int64_t days, y, secs;
	unsigned m, d;
	size_t n = 0;
	int fake_leap = 0;

	if (!(serial >= 0) || serial >= 2958466.0)
		return 0;
	days = (int64_t)serial;
	secs = (int64_t)llround((serial - (double)days) * 86400.0);
	if (secs >= 86400) {
		secs -= 86400;
		days++;
	}
	if (kind != FP_DATE_TIME) {
		if (date1904) {
			days += EPOCH_1904;
		} else if (days == 60) {
			fake_leap = 1;
		} else {
			/* Serials before 1 March 1900 count from 31 December 1899. */
			days += EPOCH_1900 + (days < 61 ? 1 : 0);
		}
		if (fake_leap) {
			memcpy(buf, "1900-02-29", 10);
			n = 10;
		} else {
			fp_civil_from_days(days, &y, &m, &d);
			if (y > 9999)
				return 0;
			n = (size_t)snprintf(buf, FP_NUM_MAX, "%04d-%02u-%02u",
			    (int)y, m, d);
		}
		if (kind == FP_DATE_DATE)
			return n;
		buf[n++] = ' ';
	}
	n += (size_t)snprintf(buf + n, FP_NUM_MAX - n, "%02d:%02d:%02d",
	    (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
	return n;
}

size_t
fp_utf8_decode(const char *s, size_t n, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	uint32_t c;
	size_t len, i;

	if (n == 0) {
		*cp = 0xFFFD;
		return 0;
	}
	if (u[0] < 0x80) {
		*cp = u[0];
		return 1;
	}
	if ((u[0] & 0xE0) == 0xC0) {
		len = 2;
		c = u[0] & 0x1F;
	} else if ((u[0] & 0xF0) == 0xE0) {
		len = 3;
		c = u[0] & 0x0F;
	} else if ((u[0] & 0xF8) == 0xF0) {
		len = 4;
		c = u[0] & 0x07;
	} else {
		*cp = 0xFFFD;
		return 1;
	}
	if (len > n) {
		*cp = 0xFFFD;
		return 1;
	}
	for (i = 1; i < len; i++) {
		if ((u[i] & 0xC0) != 0x80) {
			*cp = 0xFFFD;
			return 1;
		}
		c = (c << 6) | (u[i] & 0x3F);
	}
	if ((len == 2 && c < 0x80) || (len == 3 && c < 0x800) ||
	    (len == 4 && (c < 0x10000 || c > 0x10FFFF)) ||
	    (c >= 0xD800 && c <= 0xDFFF)) {
		*cp = 0xFFFD;
		return 1;
	}
	*cp = c;
	return len;
}

void
fp_utf8_put(struct fp_buf *b, uint32_t cp)
{
	char t[4];

	if (cp >= 0xD800 && cp <= 0xDFFF)
		cp = 0xFFFD;
	if (cp < 0x80) {
		fp_buf_addc(b, (char)cp);
	} else if (cp < 0x800) {
		t[0] = (char)(0xC0 | (cp >> 6));
		t[1] = (char)(0x80 | (cp & 0x3F));
		fp_buf_add(b, t, 2);
	} else if (cp < 0x10000) {
		t[0] = (char)(0xE0 | (cp >> 12));
		t[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		t[2] = (char)(0x80 | (cp & 0x3F));
		fp_buf_add(b, t, 3);
	} else if (cp <= 0x10FFFF) {
		t[0] = (char)(0xF0 | (cp >> 18));
		t[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		t[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		t[3] = (char)(0x80 | (cp & 0x3F));
		fp_buf_add(b, t, 4);
	} else {
		fp_utf8_put(b, 0xFFFD);
	}
}

int
fp_utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;

	while (p < end) {
		unsigned char c = *p;
		size_t k;
		uint32_t cp;

		if (c < 0x80) {
			uint64_t w;

			/* ASCII eight bytes at a time. */
			for (p++; end - p >= 8; p += 8) {
				memcpy(&w, p, 8);
				if (w & 0x8080808080808080ULL)
					break;
			}
			continue;
		}
		/* Most CJK: three bytes with no overlong or surrogate form. */
		if (((c >= 0xE1 && c <= 0xEC) || c >= 0xEE) && c <= 0xEF &&
		    end - p >= 3 && (p[1] & 0xC0) == 0x80 &&
		    (p[2] & 0xC0) == 0x80) {
			p += 3;
			continue;
		}
		/* Lead byte: how many follow, and the least value it may code. */
		if (c >= 0xC2 && c <= 0xDF) {
			k = 1;
			cp = c & 0x1F;
		} else if (c >= 0xE0 && c <= 0xEF) {
			k = 2;
			cp = c & 0x0F;
		} else if (c >= 0xF0 && c <= 0xF4) {
			k = 3;
			cp = c & 0x07;
		} else {
			return 0;
		}
		if ((size_t)(end - p) <= k)
			return 0;
		for (size_t i = 1; i <= k; i++) {
			if ((p[i] & 0xC0) != 0x80)
				return 0;
			cp = cp << 6 | (p[i] & 0x3F);
		}
		/* Overlong forms, surrogates and past U+10FFFF are not UTF-8. */
		if ((k == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
		    (k == 3 && (cp < 0x10000 || cp > 0x10FFFF)))
			return 0;
		p += k + 1;
	}
	return 1;
}

int
fp_fshut(FILE *f)
{
	int e = 0;

	if (fflush(f) != 0)
		e = errno ? errno : EIO;
	if (ferror(f)) {
		if (!e)
			e = EIO;
	}
	if (e) {
		errno = e;
		return -1;
	}
	return 0;
}

FILE *
fp_open_text(const char *path, const char **why)
{
	FILE *f = fopen(path, "r");
	struct stat st;

	if (!f) {
		*why = strerror(errno);
		return NULL;
	}
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(f);
		*why = "is a directory";
		return NULL;
	}
	return f;
}

const char *
fp_basename(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

int
fp_recode(struct fp_buf *b, const char *to, const char *from, const char *s,
    size_t n)
{
	iconv_t cd = iconv_open(to, from);
	size_t room = 4 * n + 4, start = b->len, left = room;
	char *in = (char *)s, *out;
	int ok;

	if (cd == (iconv_t)-1)
		return 0;
	fp_buf_grow(b, room);
	out = b->s + b->len;
	ok = iconv(cd, &in, &n, &out, &left) != (size_t)-1 && n == 0;
	iconv_close(cd);
	b->len = ok ? start + room - left : start;
	b->s[b->len] = '\0';
	return ok;
}

/* One part of a path (between slashes) as UTF-8 text into b. */
static void
name_part(struct fp_buf *b, const char *s, size_t n)
{
	size_t i, k;
	uint32_t cp;

	if (fp_utf8_valid(s, n)) {
		fp_buf_add(b, s, n);
		return;
	}
	if (fp_recode(b, "UTF-8", "GB18030", s, n))
		return;
	for (i = 0; i < n; i += k) {
		k = fp_utf8_decode(s + i, n - i, &cp);
		fp_utf8_put(b, cp);
	}
}

void
fp_utf8_name(struct fp_buf *b, const char *name)
{
	const char *p = name, *slash;

	if (fp_utf8_valid(name, strlen(name))) {
		fp_buf_adds(b, name);
		return;
	}
	/* Each folder's name on its own: 湖南/汇总.xls, the one in GBK. */
	while ((slash = strchr(p, '/')) != NULL) {
		name_part(b, p, (size_t)(slash - p));
		fp_buf_addc(b, '/');
		p = slash + 1;
	}
	name_part(b, p, strlen(p));
}

int
fp_endless_device(const struct stat *st)
{
	struct stat null;

	if (!S_ISCHR(st->st_mode) && !S_ISBLK(st->st_mode))
		return 0;
	return !(S_ISCHR(st->st_mode) && stat("/dev/null", &null) == 0 &&
	    S_ISCHR(null.st_mode) && null.st_rdev == st->st_rdev);
}
