/*
 * The zip container of .xlsx and .ods workbooks, read from memory: which
 * parts it holds, and each part inflated as a stream of pieces. The only
 * interface to minizip, which zip.c alone includes.
 *
 * Inflated bytes are counted against the file's size: a workbook whose
 * parts inflate past FP_ZIP_BOMB_FLOOR bytes and more than
 * FP_ZIP_BOMB_RATIO times the size of the whole file is refused as a zip
 * bomb, however many parts it spreads them over and however many readers
 * (fp_zip_clone) inflate them.
 */
#ifndef FP_ZIP_H
#define FP_ZIP_H

#include <stddef.h>

#include "util.h"

#define FP_ZIP_BOMB_FLOOR (64u << 20)
#define FP_ZIP_BOMB_RATIO 256u

struct fp_zip;

/*
 * Opens the zip file data[0..size), which must outlive it, and indexes
 * its parts. On success *out owns the index (fp_zip_free); on failure it
 * is NULL and d says what is wrong (a truncated or damaged zip file, or
 * one holding two parts of a name, compared without case).
 */
enum fp_err fp_zip_open(const unsigned char *data, size_t size,
    struct fp_zip **out, struct fp_diag *d);
void fp_zip_free(struct fp_zip *z);

/*
 * A second reader of z's file, for another thread: parts can be read
 * through it while z reads others. What it inflates counts against zip
 * bombs together with what z and z's other clones inflate (one budget
 * for the file); it inflates in its caller's thread, and must be freed
 * (fp_zip_free) before z.
 */
enum fp_err fp_zip_clone(struct fp_zip *z, struct fp_zip **out,
    struct fp_diag *d);

/* 1 if the zip holds a part of this name (compared without case). */
int fp_zip_has(const struct fp_zip *z, const char *name);

/* The number of parts, and the name of part i (in the zip's order). */
size_t fp_zip_count(const struct fp_zip *z);
const char *fp_zip_name(const struct fp_zip *z, size_t i);

/*
 * Inflates the part name and hands it to fn in pieces, in order. fn
 * returns 0 to go on, anything else to stop (fp_zip_read then returns
 * FP_OK). Returns FP_ENOSHEET if there is no such part, or an error with
 * d saying what is wrong: damaged or encrypted data, a checksum that
 * does not match, a zip bomb.
 */
typedef int (*fp_zip_fn)(void *ctx, const char *p, size_t n);
enum fp_err fp_zip_read(struct fp_zip *z, const char *name, fp_zip_fn fn,
    void *ctx, struct fp_diag *d);

/*
 * A part read piece by piece at the caller's pace, for a parse that stops
 * and goes on later. While a stream is open, no other part of z may be
 * read. fp_zip_stream_read fills up to cap bytes of buf and sets *n (0 at
 * the part's end); it counts against zip bombs as fp_zip_read does.
 */
struct fp_zip_stream;
enum fp_err fp_zip_stream_open(struct fp_zip *z, const char *name,
    struct fp_zip_stream **out, struct fp_diag *d);
enum fp_err fp_zip_stream_read(struct fp_zip_stream *st, char *buf,
    size_t cap, size_t *n, struct fp_diag *d);
void fp_zip_stream_close(struct fp_zip_stream *st);

/*
 * Inflates the part name whole into *out (NUL-terminated, the caller
 * frees) if it is at most max bytes; a larger part is an FP_ECORRUPT
 * error. Returns as fp_zip_read.
 */
enum fp_err fp_zip_read_all(struct fp_zip *z, const char *name, size_t max,
    char **out, size_t *len, struct fp_diag *d);

#endif
