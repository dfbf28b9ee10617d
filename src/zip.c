/*
 * The zip container over minizip (the zlib project's contrib, which
 * libxlsxwriter already brings): minizip finds the central directory,
 * walks the entries and inflates them through zlib; this file gives it
 * the file's bytes from memory instead of a FILE, indexes the parts by
 * name once, and counts what they inflate to against zip bombs. It owns
 * no XML: parts leave here as bytes.
 *
 * The count is the file's, not a reader's: a clone reading the shared
 * strings in another thread adds to the count of the zip it was cloned
 * from, so that two parts inflated side by side cannot each stay under
 * the limit that both together pass.
 *
 * A large part is inflated by a second thread while the caller's
 * callback (the XML parser) works on the pieces already inflated: the
 * two take turns over a ring of NPIECES buffers, so inflating costs the
 * caller no time on a machine with a core to spare, and memory stays at
 * the ring's size.
 */
#include "zip.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <minizip/unzip.h>

/* The file in memory, as minizip's I/O callbacks see it. */
struct mem {
	const unsigned char *data;
	size_t size;
	size_t pos;
};

struct part {
	char *name;
	char *key;		/* name in lower case, for lookups */
	ZPOS64_T offset;	/* minizip's handle on the entry */
};

/* Parts at least this large are inflated by a second thread. */
#define THREAD_MIN (1u << 20)
#define NPIECES 4
#define PIECE (1u << 18)

/* The ring between the inflating thread and the caller. */
struct ring {
	pthread_mutex_t mu;
	pthread_cond_t filled, emptied;
	char *buf[NPIECES];
	size_t len[NPIECES];
	size_t head, count;	/* the oldest filled piece, and how many */
	int done;		/* the inflater has finished: rc says how */
	int rc;			/* unzReadCurrentFile's last result */
	int stop;		/* the caller wants no more */
	int bomb;		/* the inflater stopped at the bomb limit */
};

struct fp_zip {
	struct mem mem;
	unzFile uf;
	struct part *parts;	/* in the zip's order */
	size_t nparts;
	size_t *sorted;		/* parts by key */
	/*
	 * Bytes inflated from every part so far, by this reader and its
	 * clones: its own count, or the count of the zip it was cloned from.
	 */
	_Atomic uint64_t own_inflated;
	_Atomic uint64_t *inflated;
	void *ring;		/* the ring of the part being inflated */
	int clone;		/* parts, sorted and inflated are z's, not its own */
	char buf[65536];
};

static voidpf ZCALLBACK
mem_open(voidpf opaque, const void *name, int mode)
{
	struct mem *m = opaque;

	(void)name;
	(void)mode;
	m->pos = 0;
	return m;
}

static uLong ZCALLBACK
mem_read(voidpf opaque, voidpf stream, void *buf, uLong size)
{
	struct mem *m = stream;
	size_t n = m->size - m->pos;

	(void)opaque;
	if (n > size)
		n = size;
	memcpy(buf, m->data + m->pos, n);
	m->pos += n;
	return (uLong)n;
}

static uLong ZCALLBACK
mem_write(voidpf opaque, voidpf stream, const void *buf, uLong size)
{
	(void)opaque;
	(void)stream;
	(void)buf;
	(void)size;
	return 0;
}

static ZPOS64_T ZCALLBACK
mem_tell(voidpf opaque, voidpf stream)
{
	struct mem *m = stream;

	(void)opaque;
	return m->pos;
}

static long ZCALLBACK
mem_seek(voidpf opaque, voidpf stream, ZPOS64_T off, int origin)
{
	struct mem *m = stream;
	uint64_t base;

	(void)opaque;
	switch (origin) {
	case ZLIB_FILEFUNC_SEEK_SET: base = 0; break;
	case ZLIB_FILEFUNC_SEEK_CUR: base = m->pos; break;
	case ZLIB_FILEFUNC_SEEK_END: base = m->size; break;
	default: return -1;
	}
	if (off > m->size || base + off > m->size)
		return -1;
	m->pos = (size_t)(base + off);
	return 0;
}

static int ZCALLBACK
mem_close(voidpf opaque, voidpf stream)
{
	(void)opaque;
	(void)stream;
	return 0;
}

static int ZCALLBACK
mem_error(voidpf opaque, voidpf stream)
{
	(void)opaque;
	(void)stream;
	return 0;
}

static char *
lower(const char *s)
{
	char *k = fp_xstrdup(s), *p;

	for (p = k; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return k;
}

static const struct fp_zip *sort_zip;

static int
key_cmp(const void *a, const void *b)
{
	const struct part *x = &sort_zip->parts[*(const size_t *)a];
	const struct part *y = &sort_zip->parts[*(const size_t *)b];

	return strcmp(x->key, y->key);
}

/*
 * Refuses a zip that holds two parts of one name, as parts are looked up
 * (without regard to case): which of them a reader takes is a guess
 * (openpyxl takes the last; find() takes whichever its search meets), so
 * the workbook is not one thing. z->sorted must be sorted by key.
 */
static enum fp_err
check_unique(const struct fp_zip *z, struct fp_diag *d)
{
	size_t k;

	for (k = 1; k < z->nparts; k++) {
		size_t i = z->sorted[k - 1], j = z->sorted[k];

		if (strcmp(z->parts[i].key, z->parts[j].key))
			continue;
		if (j < i) {
			size_t t = i;

			i = j;
			j = t;
		}
		if (!strcmp(z->parts[i].name, z->parts[j].name))
			return fp_diag(d, FP_ECORRUPT, "damaged zip file (two "
			    "parts named %s)", z->parts[i].name);
		return fp_diag(d, FP_ECORRUPT, "damaged zip file (two parts "
		    "named %s and %s, which differ only in case)",
		    z->parts[i].name, z->parts[j].name);
	}
	return FP_OK;
}

/* A new zip over data[0..size), its minizip handle open. */
static struct fp_zip *
zip_new(const unsigned char *data, size_t size)
{
	zlib_filefunc64_def io;
	struct fp_zip *z;

	z = fp_xcalloc(1, sizeof *z);
	z->mem.data = data;
	z->mem.size = size;
	memset(&io, 0, sizeof io);
	io.zopen64_file = mem_open;
	io.zread_file = mem_read;
	io.zwrite_file = mem_write;
	io.ztell64_file = mem_tell;
	io.zseek64_file = mem_seek;
	io.zclose_file = mem_close;
	io.zerror_file = mem_error;
	io.opaque = &z->mem;
	z->uf = unzOpen2_64("", &io);
	atomic_init(&z->own_inflated, 0);
	z->inflated = &z->own_inflated;
	return z;
}

enum fp_err
fp_zip_clone(struct fp_zip *z, struct fp_zip **out, struct fp_diag *d)
{
	struct fp_zip *c = zip_new(z->mem.data, z->mem.size);

	*out = NULL;
	c->clone = 1;
	if (!c->uf) {
		fp_zip_free(c);
		return fp_diag(d, FP_ECORRUPT, "damaged zip file (it cannot "
		    "be opened twice)");
	}
	c->parts = z->parts;
	c->nparts = z->nparts;
	c->sorted = z->sorted;
	c->inflated = z->inflated;
	*out = c;
	return FP_OK;
}

enum fp_err
fp_zip_open(const unsigned char *data, size_t size, struct fp_zip **out,
    struct fp_diag *d)
{
	struct fp_zip *z;
	unz_global_info64 gi;
	size_t cap = 0;
	enum fp_err err = FP_OK;
	int rc;

	*out = NULL;
	z = zip_new(data, size);
	if (!z->uf || unzGetGlobalInfo64(z->uf, &gi) != UNZ_OK) {
		err = fp_diag(d, FP_ETRUNC, "truncated or damaged zip file (its "
		    "central directory, at the end of the file, is missing or "
		    "unreadable)");
		goto out;
	}
	for (rc = unzGoToFirstFile(z->uf); rc == UNZ_OK;
	    rc = unzGoToNextFile(z->uf)) {
		unz_file_info64 fi;
		char name[1024];

		if (unzGetCurrentFileInfo64(z->uf, &fi, name, sizeof name, NULL,
		    0, NULL, 0) != UNZ_OK) {
			rc = UNZ_BADZIPFILE;
			break;
		}
		if (fi.size_filename >= sizeof name)
			continue;	/* no workbook part has such a name */
		if (z->nparts == cap) {
			cap = cap ? cap * 2 : 32;
			z->parts = fp_xreallocarray(z->parts, cap,
			    sizeof *z->parts);
		}
		z->parts[z->nparts].name = fp_xstrdup(name);
		z->parts[z->nparts].key = lower(name);
		z->parts[z->nparts].offset = unzGetOffset64(z->uf);
		z->nparts++;
	}
	if (rc != UNZ_END_OF_LIST_OF_FILE) {
		err = fp_diag(d, FP_ECORRUPT, "damaged zip file (its central "
		    "directory cannot be read after %zu entries)", z->nparts);
		goto out;
	}
	z->sorted = fp_xreallocarray(NULL, z->nparts ? z->nparts : 1,
	    sizeof *z->sorted);
	for (cap = 0; cap < z->nparts; cap++)
		z->sorted[cap] = cap;
	sort_zip = z;
	qsort(z->sorted, z->nparts, sizeof *z->sorted, key_cmp);
	sort_zip = NULL;
	err = check_unique(z, d);
out:
	if (err) {
		fp_zip_free(z);
		return err;
	}
	*out = z;
	return FP_OK;
}

void
fp_zip_free(struct fp_zip *z)
{
	size_t i;

	if (!z)
		return;
	if (z->uf)
		unzClose(z->uf);
	for (i = 0; i < z->nparts && !z->clone; i++) {
		free(z->parts[i].name);
		free(z->parts[i].key);
	}
	if (!z->clone) {
		free(z->parts);
		free(z->sorted);
	}
	free(z);
}

/* The part called name (without regard to case), or NULL. */
static const struct part *
find(const struct fp_zip *z, const char *name)
{
	char *key = lower(name);
	size_t lo = 0, hi = z->nparts;
	const struct part *found = NULL;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct part *p = &z->parts[z->sorted[mid]];
		int c = strcmp(p->key, key);

		if (c == 0) {
			found = p;
			break;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	free(key);
	return found;
}

int
fp_zip_has(const struct fp_zip *z, const char *name)
{
	return find(z, name) != NULL;
}

size_t
fp_zip_count(const struct fp_zip *z)
{
	return z->nparts;
}

const char *
fp_zip_name(const struct fp_zip *z, size_t i)
{
	return i < z->nparts ? z->parts[i].name : NULL;
}

/*
 * Counts n more bytes inflated from the file, by whichever of its readers,
 * and returns 1 if that makes the workbook a zip bomb.
 */
static int
count_bomb(struct fp_zip *z, unsigned n)
{
	uint64_t total = atomic_fetch_add(z->inflated, n) + n;

	return total > FP_ZIP_BOMB_FLOOR &&
	    total / FP_ZIP_BOMB_RATIO > z->mem.size;
}

/* The inflating thread: fills the ring until the part ends or must stop. */
static void *
inflater(void *arg)
{
	struct fp_zip *z = arg;
	struct ring *r = (struct ring *)z->ring;
	int rc = 0;

	for (;;) {
		size_t slot;

		pthread_mutex_lock(&r->mu);
		while (r->count == NPIECES && !r->stop)
			pthread_cond_wait(&r->emptied, &r->mu);
		if (r->stop) {
			pthread_mutex_unlock(&r->mu);
			break;
		}
		slot = (r->head + r->count) % NPIECES;
		pthread_mutex_unlock(&r->mu);
		rc = unzReadCurrentFile(z->uf, r->buf[slot], PIECE);
		if (rc <= 0)
			break;
		pthread_mutex_lock(&r->mu);
		r->len[slot] = (size_t)rc;
		r->count++;
		if (count_bomb(z, (unsigned)rc))
			r->bomb = 1;
		pthread_cond_signal(&r->filled);
		pthread_mutex_unlock(&r->mu);
		if (r->bomb)
			break;
	}
	pthread_mutex_lock(&r->mu);
	r->rc = rc;
	r->done = 1;
	pthread_cond_signal(&r->filled);
	pthread_mutex_unlock(&r->mu);
	return NULL;
}

/*
 * Inflates the open entry through the ring, handing each piece to fn in
 * the caller's thread. Returns unzReadCurrentFile's last result (0 at the
 * end), and sets *stop if fn stopped and *bomb at the bomb limit. Falls
 * back to inflating in the caller's thread if no thread can be made.
 */
static int
read_threaded(struct fp_zip *z, fp_zip_fn fn, void *ctx, int *stop,
    int *bomb)
{
	struct ring r;
	pthread_t t;
	size_t k;
	int rc, threaded = 1;

	memset(&r, 0, sizeof r);
	pthread_mutex_init(&r.mu, NULL);
	pthread_cond_init(&r.filled, NULL);
	pthread_cond_init(&r.emptied, NULL);
	for (k = 0; k < NPIECES; k++)
		r.buf[k] = fp_xmalloc(PIECE);
	z->ring = &r;
	if (pthread_create(&t, NULL, inflater, z) != 0) {
		threaded = 0;	/* the caller inflates, below */
		r.done = 1;
	}
	for (;;) {
		size_t slot;

		pthread_mutex_lock(&r.mu);
		while (r.count == 0 && !r.done)
			pthread_cond_wait(&r.filled, &r.mu);
		if (r.count == 0) {
			pthread_mutex_unlock(&r.mu);
			break;
		}
		slot = r.head;
		pthread_mutex_unlock(&r.mu);
		if (!*stop && fn(ctx, r.buf[slot], r.len[slot]))
			*stop = 1;
		pthread_mutex_lock(&r.mu);
		r.head = (r.head + 1) % NPIECES;
		r.count--;
		if (*stop)
			r.stop = 1;
		pthread_cond_signal(&r.emptied);
		pthread_mutex_unlock(&r.mu);
		if (*stop)
			break;
	}
	if (!threaded) {
		while ((rc = unzReadCurrentFile(z->uf, r.buf[0], PIECE)) > 0) {
			if (count_bomb(z, (unsigned)rc)) {
				r.bomb = 1;
				break;
			}
			if (fn(ctx, r.buf[0], (size_t)rc)) {
				*stop = 1;
				break;
			}
		}
		r.rc = rc > 0 ? 0 : rc;
	} else {
		pthread_join(t, NULL);
	}
	rc = r.rc;
	*bomb = r.bomb;
	z->ring = NULL;
	for (k = 0; k < NPIECES; k++)
		free(r.buf[k]);
	pthread_cond_destroy(&r.filled);
	pthread_cond_destroy(&r.emptied);
	pthread_mutex_destroy(&r.mu);
	return rc;
}

/* Inflates the open entry in the caller's thread, as read_threaded. */
static int
read_inline(struct fp_zip *z, fp_zip_fn fn, void *ctx, int *stop, int *bomb)
{
	int rc;

	while ((rc = unzReadCurrentFile(z->uf, z->buf, sizeof z->buf)) > 0) {
		if (count_bomb(z, (unsigned)rc)) {
			*bomb = 1;
			return 0;
		}
		if (fn(ctx, z->buf, (size_t)rc)) {
			*stop = 1;
			return 0;
		}
	}
	return rc;
}

/*
 * Makes the part p minizip's current entry, opened for reading, after
 * checking it is one zip.c can inflate.
 */
static enum fp_err
open_entry(struct fp_zip *z, const struct part *p, unz_file_info64 *fi,
    struct fp_diag *d)
{
	if (unzSetOffset64(z->uf, p->offset) != UNZ_OK ||
	    unzGetCurrentFileInfo64(z->uf, fi, NULL, 0, NULL, 0, NULL, 0) !=
	    UNZ_OK)
		return fp_diag(d, FP_ECORRUPT, "damaged zip file (the entry of "
		    "%s cannot be read)", p->name);
	if (fi->flag & 1)
		return fp_diag(d, FP_EENCRYPTED, "password-protected zip file "
		    "(%s is encrypted)", p->name);
	if (fi->compression_method != 0 &&
	    fi->compression_method != Z_DEFLATED)
		return fp_diag(d, FP_EFORMAT, "%s is compressed with zip method "
		    "%lu, which formpipe cannot inflate (only stored and "
		    "deflated parts)", p->name,
		    (unsigned long)fi->compression_method);
	if (unzOpenCurrentFile(z->uf) != UNZ_OK)
		return fp_diag(d, FP_ECORRUPT, "damaged zip file (%s cannot be "
		    "opened)", p->name);
	return FP_OK;
}

/* The message for how inflating p ended, if it ended badly. */
static enum fp_err
read_error(const struct fp_zip *z, const struct part *p, int rc, int bomb,
    struct fp_diag *d)
{
	if (bomb)
		return fp_diag(d, FP_ECORRUPT, "a zip bomb (%s inflates past "
		    "%llu MiB, more than %u times the file's size)", p->name,
		    (unsigned long long)(atomic_load(z->inflated) >> 20),
		    FP_ZIP_BOMB_RATIO);
	if (rc < 0)
		return fp_diag(d, rc == UNZ_ERRNO || z->mem.pos >= z->mem.size ?
		    FP_ETRUNC : FP_ECORRUPT, "%s (the data of %s %s)",
		    rc == Z_DATA_ERROR ? "damaged zip file" :
		    "truncated or damaged zip file", p->name,
		    rc == Z_DATA_ERROR ? "does not inflate" : "ends early");
	return FP_OK;
}

/* Closes the current entry; its checksum is checked if it was read whole. */
static enum fp_err
close_entry(struct fp_zip *z, const struct part *p, int whole,
    struct fp_diag *d)
{
	if (unzCloseCurrentFile(z->uf) == UNZ_CRCERROR && whole)
		return fp_diag(d, FP_ECORRUPT, "damaged zip file (the checksum "
		    "of %s does not match its data)", p->name);
	return FP_OK;
}

enum fp_err
fp_zip_read(struct fp_zip *z, const char *name, fp_zip_fn fn, void *ctx,
    struct fp_diag *d)
{
	const struct part *p = find(z, name);
	unz_file_info64 fi;
	enum fp_err err, cerr;
	int rc, stop = 0, bomb = 0;

	if (!p)
		return fp_diag(d, FP_ENOSHEET, "no part %s", name);
	err = open_entry(z, p, &fi, d);
	if (err)
		return err;
	/* The size the entry declares only chooses how to inflate it. */
	if (fi.uncompressed_size >= THREAD_MIN && !z->clone)
		rc = read_threaded(z, fn, ctx, &stop, &bomb);
	else
		rc = read_inline(z, fn, ctx, &stop, &bomb);
	err = stop ? FP_OK : read_error(z, p, rc, bomb, d);
	cerr = close_entry(z, p, !err && !stop, d);
	return err ? err : cerr;
}

struct fp_zip_stream {
	struct fp_zip *z;
	const struct part *p;
	int ended;
};

enum fp_err
fp_zip_stream_open(struct fp_zip *z, const char *name,
    struct fp_zip_stream **out, struct fp_diag *d)
{
	const struct part *p = find(z, name);
	unz_file_info64 fi;
	enum fp_err err;

	*out = NULL;
	if (!p)
		return fp_diag(d, FP_ENOSHEET, "no part %s", name);
	err = open_entry(z, p, &fi, d);
	if (err)
		return err;
	*out = fp_xcalloc(1, sizeof **out);
	(*out)->z = z;
	(*out)->p = p;
	return FP_OK;
}

enum fp_err
fp_zip_stream_read(struct fp_zip_stream *st, char *buf, size_t cap,
    size_t *n, struct fp_diag *d)
{
	struct fp_zip *z = st->z;
	enum fp_err err;
	int rc;

	*n = 0;
	if (st->ended)
		return FP_OK;
	rc = unzReadCurrentFile(z->uf, buf, cap > (1u << 30) ? 1u << 30 :
	    (unsigned)cap);
	if (rc > 0) {
		if (count_bomb(z, (unsigned)rc))
			return read_error(z, st->p, 0, 1, d);
		*n = (size_t)rc;
		return FP_OK;
	}
	err = read_error(z, st->p, rc, 0, d);
	if (err)
		return err;
	/* The part is read whole: its checksum must agree. */
	st->ended = 1;
	err = close_entry(z, st->p, 1, d);
	st->p = NULL;
	return err;
}

void
fp_zip_stream_close(struct fp_zip_stream *st)
{
	if (!st)
		return;
	if (st->p)
		unzCloseCurrentFile(st->z->uf);
	free(st);
}

struct whole {
	struct fp_buf b;
	size_t max;
	int over;
};

static int
add_whole(void *ctx, const char *p, size_t n)
{
	struct whole *w = ctx;

	if (w->b.len + n > w->max) {
		w->over = 1;
		return 1;
	}
	fp_buf_add(&w->b, p, n);
	return 0;
}

enum fp_err
fp_zip_read_all(struct fp_zip *z, const char *name, size_t max, char **out,
    size_t *len, struct fp_diag *d)
{
	struct whole w;
	enum fp_err err;

	*out = NULL;
	*len = 0;
	fp_buf_init(&w.b);
	w.max = max;
	w.over = 0;
	err = fp_zip_read(z, name, add_whole, &w, d);
	if (!err && w.over)
		err = fp_diag(d, FP_ECORRUPT, "%s is larger than %zu bytes",
		    name, max);
	if (err) {
		fp_buf_release(&w.b);
		return err;
	}
	*len = w.b.len;
	*out = fp_buf_detach(&w.b);
	if (!*out)
		*out = fp_xstrdup("");
	return FP_OK;
}
