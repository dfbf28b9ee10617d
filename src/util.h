/*
 * Shared helpers: error codes and diagnostics, allocation that cannot fail
 * silently, growable byte buffers, the number and date renderings every
 * filter prints, and a little UTF-8.
 */
#ifndef FP_UTIL_H
#define FP_UTIL_H

#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

enum fp_err {
	FP_OK = 0,
	FP_EOPEN,	/* the file cannot be opened or read */
	FP_EEMPTY,	/* the file is empty */
	FP_EFORMAT,	/* not a workbook of a kind formpipe reads */
	FP_ETRUNC,	/* the workbook ends early */
	FP_ECORRUPT,	/* the workbook's structure is broken */
	FP_EENCRYPTED,	/* the workbook is password-protected */
	FP_ENOSHEET,	/* no such sheet */
	FP_ECSV,	/* malformed CSV */
	FP_EMAPPING,	/* an error in a mapping file */
	FP_ENOMATCH,	/* a form does not match its mapping */
	FP_EWRITE,	/* output could not be written */
	FP_EUSAGE,	/* bad arguments */
	FP_ENOMEM,	/* a library ran out of memory */
};

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

/*
 * The room of a diagnostic: a whole path, as long as a path can be, and
 * the words around it (what went wrong, a line, a cell).
 */
#define FP_DIAG_MAX (PATH_MAX + 1024)

/* A diagnostic: what went wrong, in words for the user. */
struct fp_diag {
	char msg[FP_DIAG_MAX];
};

/*
 * Fills the diagnostic (which may be NULL) with the formatted message and
 * returns err, so a module can write `return fp_diag(d, FP_ETRUNC, ...)`.
 * A message longer than the room is cut at the end of a UTF-8 character.
 * The arguments may include d->msg, the message before, to add to it.
 */
enum fp_err fp_diag(struct fp_diag *d, enum fp_err err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A short description of an error code; never NULL. */
const char *fp_strerror(enum fp_err err);

/*
 * Allocation: where memory runs out, these run the cleanup given to
 * fp_oom_cleanup (the temporaries of outfile.h), say so naming the
 * command and the input it was reading (fp_oom_context), and exit with
 * status 2, as for any input that cannot be read.
 */
void fp_oom_context(const char *cmd, const char *input);
void fp_oom_cleanup(void (*fn)(void));
void *fp_xmalloc(size_t n);
void *fp_xcalloc(size_t n, size_t size);
void *fp_xrealloc(void *p, size_t n);
void *fp_xreallocarray(void *p, size_t n, size_t size);
char *fp_xstrdup(const char *s);
char *fp_xstrndup(const char *s, size_t n);

/* A growable byte buffer, always NUL-terminated after its len bytes. */
struct fp_buf {
	char *s;
	size_t len;
	size_t cap;
};

#define FP_BUF_INIT { NULL, 0, 0 }

void fp_buf_init(struct fp_buf *b);
void fp_buf_release(struct fp_buf *b);
void fp_buf_reset(struct fp_buf *b);
/* The growing behind fp_buf_grow, when the room is short. */
void fp_buf_enlarge(struct fp_buf *b, size_t extra);
void fp_buf_adds(struct fp_buf *b, const char *s);

/*
 * Makes room for extra more bytes and the NUL after them; the buffer is
 * a string still. Inline, as are the appends below, for they are called
 * for every field and every byte of output, and mostly find the room
 * already there.
 */
static inline void
fp_buf_grow(struct fp_buf *b, size_t extra)
{
	if (extra >= b->cap - b->len)
		fp_buf_enlarge(b, extra);
}

/* Appends n bytes, or one. */
static inline void
fp_buf_add(struct fp_buf *b, const void *p, size_t n)
{
	fp_buf_grow(b, n);
	if (n)
		memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static inline void
fp_buf_addc(struct fp_buf *b, char c)
{
	fp_buf_grow(b, 1);
	b->s[b->len++] = c;
	b->s[b->len] = '\0';
}
void fp_buf_printf(struct fp_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Takes the buffer's string; the buffer is left empty. Caller frees. */
char *fp_buf_detach(struct fp_buf *b);

/*
 * An arena of strings freed all at once: for the many small strings of
 * one form, which would otherwise cost a malloc and a free each.
 */
struct fp_arena_chunk;
struct fp_arena {
	struct fp_arena_chunk *chunks;
	char *p;		/* free space in the newest chunk */
	size_t left;
};
#define FP_ARENA_INIT { NULL, NULL, 0 }

/* A NUL-terminated copy of the n bytes at s, living as long as a. */
char *fp_arena_strndup(struct fp_arena *a, const char *s, size_t n);
/* Frees every string of a; a is empty again. */
void fp_arena_release(struct fp_arena *a);

/*
 * FNV-1a over a string, continuing from h (start with FP_HASH_INIT): the
 * hash of the project's open-addressing tables.
 */
#define FP_HASH_INIT 1469598103934665603ULL
uint64_t fp_hash(uint64_t h, const char *s);
/*
 * A hash's slot in a table of mask + 1 slots (a power of two). FNV-1a's
 * low bits barely change between keys such as "u1", "u2", ...: they are
 * mixed with the high ones first (MurmurHash3's finaliser), or linear
 * probing runs long.
 */
size_t fp_hash_slot(uint64_t h, size_t mask);

/*
 * A string and the place of what it names, for an index of strings
 * sorted by fp_strix_cmp (by string, then by place) and searched by
 * fp_strix_find. s is borrowed.
 */
struct fp_strix {
	const char *s;
	size_t i;
};
int fp_strix_cmp(const void *x, const void *y);
/* The first of the n sorted whose string is the len bytes at s, or NULL. */
const struct fp_strix *fp_strix_find(const struct fp_strix *v, size_t n,
    const char *s, size_t len);

/* Little-endian integers from a byte buffer (BIFF and the compound file). */
static inline uint16_t
fp_rd16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t
fp_rd32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

/* Room a rendered number or date needs, terminating NUL included. */
#define FP_NUM_MAX 40

/*
 * Writes the shortest text that reads back as exactly x: integers without
 * a fraction ("70"), large integers as digits ("13712345678"), exponent
 * form only at or beyond 1e15 (for non-integers) or below 1e-5.
 * Returns the length written to buf, which holds FP_NUM_MAX bytes.
 */
size_t fp_fmt_num(char *buf, double x);

/*
 * Reads the finite decimal number at the start of s: an optional sign,
 * digits with an optional point (1, 1.5, .5, 5.), an optional exponent
 * (1e-7, 2.5E+3), as XML Schema writes a double and as every spreadsheet
 * writes a cell's value. Sets *out and returns the end of the number, or
 * returns NULL if s does not start with one, or with one that is not
 * finite (1e999). NaN, infinity and hexadecimal (0x10, 0x1p3), which C's
 * strtod reads too, are no decimal numbers.
 */
const char *fp_parse_decimal(const char *s, double *out);

/*
 * Reads a cell's value s, between XML white space, as a number: 1 if it
 * is a finite decimal (*out set); -1 if it is a number of another kind
 * that no .xlsx can hold as a number (NaN, infinity, a hexadecimal
 * number, a decimal out of a double's range), *out set to what C's
 * strtod reads, a NaN or an infinity for those that are not finite;
 * 0 if it is no number at all (text).
 */
int fp_parse_value(const char *s, double *out);

/* Which parts of a date serial a rendering shows. */
enum fp_date_kind {
	FP_DATE_DATE,		/* 2022-03-15 */
	FP_DATE_DATETIME,	/* 2022-03-15 08:30:00 */
	FP_DATE_TIME,		/* 08:30:00 */
};

/*
 * Renders an Excel date serial in ISO 8601 into buf (FP_NUM_MAX bytes),
 * for the 1900 (date1904 == 0) or 1904 date system, rounding to the
 * nearest second. Returns the length, or 0 if the serial is no date
 * (negative, or past 9999-12-31).
 */
size_t fp_fmt_date(char *buf, double serial, int date1904, enum fp_date_kind kind);

/* Days since 1970-01-01 of a civil date, and back (proleptic Gregorian). */
int64_t fp_days_from_civil(int64_t y, unsigned m, unsigned d);
void fp_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d);

/*
 * The ten characters at s read as a date, YYYY-MM-DD, into days since
 * 1970-01-01: 1 if they are one, 0 if they are not of that shape (a NUL
 * ends them), -1 if they are but name no day (2023-02-30).
 */
int fp_iso_day(const char *s, int64_t *day);
/*
 * Appends a day (days since 1970-01-01) as YYYY-MM-DD; 0, and nothing
 * appended, if its year is not 0 to 9999.
 */
int fp_buf_iso_day(struct fp_buf *b, int64_t day);

/*
 * The Excel serial (1900 date system) of a civil date, or of a date and a
 * time of day in seconds.
 */
double fp_serial_from_civil(int64_t y, unsigned m, unsigned d, double seconds);

/*
 * Decodes one UTF-8 character at s (n bytes available) into *cp and
 * returns its length; an invalid byte decodes as U+FFFD with length 1.
 */
size_t fp_utf8_decode(const char *s, size_t n, uint32_t *cp);
/*
 * 1 if st is a device that would be read without end or not at all (a
 * terminal, /dev/zero): not /dev/null, which is empty.
 */
int fp_endless_device(const struct stat *st);

/* Appends the UTF-8 encoding of cp to b. */
void fp_utf8_put(struct fp_buf *b, uint32_t cp);
/*
 * Appends a file's name to b as UTF-8 text, for a CSV column: as it is
 * when it is UTF-8; else each part between slashes as it is when it is
 * UTF-8, else read as GB18030 (a name from a Chinese Windows, 汇总.xls in
 * GBK), or where it is neither, each byte that is no character as U+FFFD.
 */
void fp_utf8_name(struct fp_buf *b, const char *name);
/* 1 if the n bytes at s are valid UTF-8. */
int fp_utf8_valid(const char *s, size_t n);
/*
 * 1 if the n bytes at s start with U+FFFE or U+FFFF, characters XML
 * cannot hold (a writer puts U+FFFD in their place).
 */
static inline int
fp_utf8_nonchar(const char *s, size_t n)
{
	return n >= 3 && (unsigned char)s[0] == 0xEF &&
	    (unsigned char)s[1] == 0xBF && ((unsigned char)s[2] & 0xFE) == 0xBE;
}

/*
 * Flushes f and reports whether everything written to it arrived:
 * returns 0 on success, or -1 with errno describing the failure. After
 * an earlier write failed, stdio keeps only that one did: errno is then
 * EIO, and the writer that saw the failure knows better why.
 */
int fp_fshut(FILE *f);

/* The basename of a path, for messages. */
const char *fp_basename(const char *path);

/*
 * Appends n bytes of s, text in encoding from, as encoding to (iconv's
 * names) to b; 0, b as it was, if they are not text of from or have no
 * form in to. Every character takes at most four bytes in to.
 */
int fp_recode(struct fp_buf *b, const char *to, const char *from,
    const char *s, size_t n);

/*
 * Opens path to read text from, as fopen does; NULL with *why set if it
 * cannot: strerror's words, or "is a directory" for a folder (which
 * fopen opens, its first read then failing as if at line 1).
 */
FILE *fp_open_text(const char *path, const char **why);

#endif
