/*
 * A reader for the OLE2 compound file container (MS-CFB, versions 3 and
 * 4), enough to take one named stream out of a file held in memory.
 *
 * Written here rather than taken from libgsf: formpipe needs one stream
 * out of a read-only buffer, and libgsf would bring GLib and GObject into
 * a tool that otherwise has four small dependencies. Every sector number
 * is checked against the file size, every chain against loops (a sector
 * is visited once) and against sectors another stream holds within its
 * size, and the fuzz target in tests/fuzz exercises it.
 */
#include "cfb.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define FREESECT 0xFFFFFFFFu
#define ENDOFCHAIN 0xFFFFFFFEu
#define NOSTREAM 0xFFFFFFFFu

struct cfb {
	const unsigned char *data;
	size_t size;
	unsigned shift;		/* sector size is 1 << shift */
	size_t ssz;
	size_t nsect;		/* sectors present in the file (last may be short) */
	uint32_t *fat;
	size_t nfat;
	uint32_t *minifat;
	size_t nminifat;
	unsigned char *dir;	/* the directory stream */
	size_t ndir;		/* entries */
	unsigned char *mini;	/* the mini stream */
	size_t minisize;
	uint32_t cutoff;
	unsigned char *used;	/* sectors already claimed by a chain */
};

/* The bytes of sector s and how many are present (a last sector may be short). */
static const unsigned char *
sector(const struct cfb *c, uint32_t s, size_t *avail)
{
	size_t off;

	if (s >= c->nsect)
		return NULL;
	off = ((size_t)s + 1) << c->shift;
	*avail = c->size - off < c->ssz ? c->size - off : c->ssz;
	return c->data + off;
}

/*
 * Claims sector s for one structure. A sector that two structures claim
 * (a stream overlapping the directory, say) means the file is damaged;
 * xlrd refuses such files too. Returns 0 if s was claimed before.
 */
static int
claim(struct cfb *c, uint32_t s)
{
	if (s >= c->nsect)
		return 1;
	if (c->used[s / 8] & (1u << (s % 8)))
		return 0;
	c->used[s / 8] |= (unsigned char)(1u << (s % 8));
	return 1;
}

/*
 * Follows the chain from start in table (n entries) and copies up to want
 * bytes (SIZE_MAX: the whole chain) of the sectors into a new buffer.
 * unit is the sector size; mini chains read from the mini stream.
 * If contiguous is not NULL and the chain's sectors lie in order in the
 * file, no copy is made: *contiguous points into the file instead.
 */
static enum fp_err
read_chain(struct cfb *c, const uint32_t *table, size_t n,
    uint32_t start, size_t want, int mini, unsigned char **out,
    size_t *outlen, const unsigned char **contiguous, const char *what,
    struct fp_diag *d)
{
	unsigned char *buf = NULL, *seen;
	size_t len = 0, cap = 0, unit = mini ? 64 : c->ssz;
	size_t steps = 0, maxsteps = mini ? c->minisize / 64 + 1 : c->nsect + 1;
	uint32_t s = start, first = start;
	int inorder = 1;
	enum fp_err err = FP_OK;

	*out = NULL;
	*outlen = 0;
	if (contiguous)
		*contiguous = NULL;
	seen = fp_xcalloc(n ? (n + 7) / 8 : 1, 1);
	while (s != ENDOFCHAIN && len < want) {
		const unsigned char *p;
		size_t avail, take;

		if (s == FREESECT && len > 0)
			break;	/* a chain ended with a free mark: take it as ended */
		if (s >= n || ++steps > maxsteps) {
			if (!mini && s < 0xFFFFFFFAu && s >= c->nsect) {
				err = fp_diag(d, FP_ETRUNC, "truncated workbook "
				    "(the %s continues at sector %u, past the end "
				    "of the file)", what, s);
			} else {
				err = fp_diag(d, FP_ECORRUPT, "corrupt compound "
				    "file (bad sector %u in the %s chain)", s,
				    what);
			}
			goto out;
		}
		if (seen[s / 8] & (1u << (s % 8))) {
			err = fp_diag(d, FP_ECORRUPT, "corrupt compound file "
			    "(the %s chain loops at sector %u)", what, s);
			goto out;
		}
		seen[s / 8] |= (unsigned char)(1u << (s % 8));
		if (!mini && !claim(c, s)) {
			err = fp_diag(d, FP_ECORRUPT, "corrupt compound file "
			    "(sector %u of the %s also belongs to another "
			    "stream)", s, what);
			goto out;
		}
		if (mini) {
			size_t off = (size_t)s * 64;

			if (off >= c->minisize) {
				err = fp_diag(d, FP_ECORRUPT, "corrupt compound "
				    "file (mini sector %u past the mini stream)",
				    s);
				goto out;
			}
			p = c->mini + off;
			avail = c->minisize - off < 64 ? c->minisize - off : 64;
		} else {
			p = sector(c, s, &avail);
			if (!p) {
				err = fp_diag(d, FP_ETRUNC, "truncated workbook "
				    "(the %s continues at sector %u, past the end "
				    "of the file)", what, s);
				goto out;
			}
		}
		if (s != first + (uint32_t)(len / unit))
			inorder = 0;
		take = want - len < unit ? want - len : unit;
		if (take > avail) {
			if (want != SIZE_MAX) {
				err = fp_diag(d, FP_ETRUNC, "truncated workbook "
				    "(the %s ends inside sector %u)", what, s);
				goto out;
			}
			take = avail;
		}
		if (!contiguous || !inorder || mini) {
			if (contiguous && !mini && buf == NULL && len > 0) {
				/* Was contiguous so far: copy what came before. */
				const unsigned char *base;
				size_t a;

				base = sector(c, first, &a);
				cap = len * 2 + unit;
				buf = fp_xmalloc(cap);
				memcpy(buf, base, len);
			}
			if (len + take > cap) {
				cap = cap ? cap * 2 : unit * 8;
				while (cap < len + take)
					cap *= 2;
				buf = fp_xrealloc(buf, cap);
			}
			memcpy(buf + len, p, take);
		}
		len += take;
		s = table[s];
	}
	/*
	 * Sectors the chain lists past the stream's size are not the
	 * stream's: some writers leave the root entry's chain running on
	 * over other streams' sectors, and LibreOffice, gnumeric and catdoc
	 * read such files. They are neither claimed nor followed.
	 */
	if (contiguous && inorder && !mini && len > 0) {
		size_t a;

		*contiguous = sector(c, first, &a);
		free(buf);
		buf = NULL;
	}
	*out = buf;
	*outlen = len;
out:
	free(seen);
	if (err)
		free(buf);
	return err;
}

static void
cfb_release(struct cfb *c)
{
	free(c->fat);
	free(c->minifat);
	free(c->dir);
	free(c->mini);
	free(c->used);
}

static enum fp_err
cfb_init(struct cfb *c, const unsigned char *data, size_t size,
    struct fp_diag *d)
{
	uint32_t nfatsect, difat, ndifat, dirstart, mfstart, nminifat;
	uint32_t *fatsects = NULL;
	size_t nfs = 0, capfs = 0, i, per;
	unsigned shift;
	unsigned char *raw = NULL;
	size_t rawlen;
	enum fp_err err = FP_OK;

	memset(c, 0, sizeof *c);
	c->data = data;
	c->size = size;
	if (size < 512)
		return fp_diag(d, FP_ETRUNC, "truncated workbook (%zu bytes, "
		    "less than a compound file header)", size);
	if (fp_rd16(data + 28) != 0xFFFE)
		return fp_diag(d, FP_ECORRUPT,
		    "corrupt compound file (bad byte order mark)");
	shift = fp_rd16(data + 30);
	if (shift != 9 && shift != 12) {
		/* Some writers leave nonsense here; 512-byte sectors it is. */
		shift = 9;
	}
	c->shift = shift;
	c->ssz = (size_t)1 << shift;
	/* The header fills sector -1; the last sector may be short. */
	c->nsect = size > c->ssz ? (size - 1) / c->ssz : 0;
	nfatsect = fp_rd32(data + 44);
	dirstart = fp_rd32(data + 48);
	c->cutoff = fp_rd32(data + 56);
	if (c->cutoff == 0 || c->cutoff > 0x100000)
		c->cutoff = 4096;
	c->used = fp_xcalloc(c->nsect / 8 + 1, 1);
	mfstart = fp_rd32(data + 60);
	nminifat = fp_rd32(data + 64);
	difat = fp_rd32(data + 68);
	ndifat = fp_rd32(data + 72);
	per = c->ssz / 4;

	/* The FAT's own sectors: 109 in the header, then the DIFAT chain. */
	for (i = 0; i < 109; i++) {
		uint32_t s = fp_rd32(data + 76 + 4 * i);

		if (s == FREESECT || s == ENDOFCHAIN)
			continue;
		if (s > 0x7FFFFFFFu) {
			err = fp_diag(d, FP_ECORRUPT, "corrupt compound file "
			    "(invalid FAT sector number %u)", s);
			goto out;
		}
		if (nfs == capfs) {
			capfs = capfs ? capfs * 2 : 128;
			fatsects = fp_xreallocarray(fatsects, capfs, sizeof *fatsects);
		}
		fatsects[nfs++] = s;
	}
	{
		uint32_t s = difat;
		size_t steps = 0;

		while (s != ENDOFCHAIN && s != FREESECT && ndifat) {
			const unsigned char *p;
			size_t avail, k;

			if (++steps > c->nsect + 1 || steps > ndifat) {
				break;
			}
			p = sector(c, s, &avail);
			if (p && !claim(c, s)) {
				err = fp_diag(d, FP_ECORRUPT, "corrupt compound "
				    "file (the FAT index loops at sector %u)", s);
				goto out;
			}
			if (!p || avail < c->ssz) {
				err = fp_diag(d, FP_ETRUNC, "truncated workbook "
				    "(the FAT index continues at sector %u, past "
				    "the end of the file)", s);
				goto out;
			}
			for (k = 0; k + 1 < per; k++) {
				uint32_t f = fp_rd32(p + 4 * k);

				if (f == FREESECT || f == ENDOFCHAIN)
					continue;
				if (f > 0x7FFFFFFFu) {
					err = fp_diag(d, FP_ECORRUPT, "corrupt "
					    "compound file (invalid FAT sector "
					    "number %u)", f);
					goto out;
				}
				if (nfs == capfs) {
					capfs = capfs ? capfs * 2 : 128;
					fatsects = fp_xreallocarray(fatsects, capfs,
					    sizeof *fatsects);
				}
				fatsects[nfs++] = f;
			}
			s = fp_rd32(p + 4 * (per - 1));
		}
	}
	(void)nfatsect;
	if (nfs == 0) {
		err = fp_diag(d, FP_ECORRUPT, "corrupt compound file (no FAT)");
		goto out;
	}
	/*
	 * Entries for sectors past the end of the file can only lead out of
	 * it: the FAT holds no more entries than the file has sectors, however
	 * many FAT sectors the file lists.
	 */
	c->nfat = nfs * per < c->nsect ? nfs * per : c->nsect;
	c->fat = fp_xreallocarray(NULL, c->nfat, sizeof *c->fat);
	for (i = 0; i < nfs; i++) {
		const unsigned char *p;
		size_t avail, k;

		p = sector(c, fatsects[i], &avail);
		if (p && !claim(c, fatsects[i])) {
			err = fp_diag(d, FP_ECORRUPT, "corrupt compound file "
			    "(FAT sector %u listed twice)", fatsects[i]);
			goto out;
		}
		for (k = 0; k < per && i * per + k < c->nfat; k++)
			c->fat[i * per + k] = p && 4 * k + 4 <= avail ?
			    fp_rd32(p + 4 * k) : FREESECT;
	}

	/* The directory. */
	err = read_chain(c, c->fat, c->nfat, dirstart, SIZE_MAX, 0, &raw,
	    &rawlen, NULL, "directory", d);
	if (err)
		goto out;
	c->dir = raw;
	raw = NULL;
	c->ndir = rawlen / 128;
	if (c->ndir == 0 || c->dir[66] != 5) {
		err = fp_diag(d, FP_ECORRUPT,
		    "corrupt compound file (no root directory entry)");
		goto out;
	}

	/* The mini FAT and the mini stream, which the root entry holds. */
	if (nminifat && mfstart != ENDOFCHAIN && mfstart != FREESECT) {
		err = read_chain(c, c->fat, c->nfat, mfstart, SIZE_MAX, 0, &raw,
		    &rawlen, NULL, "mini FAT", d);
		if (err)
			goto out;
		c->nminifat = rawlen / 4;
		c->minifat = fp_xreallocarray(NULL, c->nminifat ? c->nminifat : 1,
		    sizeof *c->minifat);
		for (i = 0; i < c->nminifat; i++)
			c->minifat[i] = fp_rd32(raw + 4 * i);
		free(raw);
		raw = NULL;
	}
	{
		uint32_t rs = fp_rd32(c->dir + 116);
		size_t rsize = fp_rd32(c->dir + 120);

		if (rsize && rs != ENDOFCHAIN && rs != FREESECT) {
			err = read_chain(c, c->fat, c->nfat, rs, rsize, 0,
			    &c->mini, &c->minisize, NULL, "mini stream", d);
			if (err) {
				/* A broken mini stream only matters if used. */
				free(c->mini);
				c->mini = NULL;
				c->minisize = 0;
				err = FP_OK;
			}
		}
	}
out:
	free(fatsects);
	free(raw);
	if (err)
		cfb_release(c);
	return err;
}

/* 1 if directory entry e's UTF-16 name equals the ASCII name, any case. */
static int
name_is(const unsigned char *e, const char *name)
{
	size_t nb = fp_rd16(e + 64), i, n = strlen(name);

	if (nb < 2 || nb > 64 || (nb - 2) / 2 != n)
		return 0;
	for (i = 0; i < n; i++) {
		uint16_t ch = fp_rd16(e + 2 * i);
		char a = (char)(ch < 128 ? ch : 0), b = name[i];

		if (ch >= 128)
			return 0;
		if (a >= 'A' && a <= 'Z')
			a = (char)(a - 'A' + 'a');
		if (b >= 'A' && b <= 'Z')
			b = (char)(b - 'A' + 'a');
		if (a != b)
			return 0;
	}
	return 1;
}

/*
 * Finds the child of the root storage with this name: the root's children
 * form a tree through their left and right sibling links.
 */
static long
find_child(const struct cfb *c, const char *name)
{
	uint32_t stack[64];
	size_t sp = 0, visits = 0;
	uint32_t s = fp_rd32(c->dir + 76);

	if (s < c->ndir)
		stack[sp++] = s;
	while (sp) {
		const unsigned char *e;

		s = stack[--sp];
		if (s >= c->ndir || ++visits > c->ndir)
			break;
		e = c->dir + (size_t)s * 128;
		if (name_is(e, name))
			return (long)s;
		if (fp_rd32(e + 68) < c->ndir && sp < 64)
			stack[sp++] = fp_rd32(e + 68);
		if (fp_rd32(e + 72) < c->ndir && sp < 64)
			stack[sp++] = fp_rd32(e + 72);
	}
	return -1;
}

enum fp_err
fp_cfb_stream(const unsigned char *data, size_t size,
    const char *const *names, const unsigned char **out, size_t *outlen,
    int *owned, int *found, struct fp_diag *d)
{
	struct cfb c;
	enum fp_err err;
	long idx = -1;
	int k;

	*out = NULL;
	*outlen = 0;
	*owned = 0;
	*found = -1;
	err = cfb_init(&c, data, size, d);
	if (err)
		return err;
	for (k = 0; names[k]; k++) {
		idx = find_child(&c, names[k]);
		if (idx >= 0 && c.dir[(size_t)idx * 128 + 66] == 2)
			break;
		idx = -1;
	}
	if (idx < 0) {
		err = FP_ENOSHEET;
		goto out;
	}
	{
		const unsigned char *e = c.dir + (size_t)idx * 128;
		uint32_t start = fp_rd32(e + 116);
		size_t ssize = fp_rd32(e + 120);
		unsigned char *buf = NULL;
		const unsigned char *contig = NULL;
		size_t len = 0;

		*found = k;
		if (ssize == 0) {
			*out = (const unsigned char *)"";
			goto out;
		}
		if (ssize < c.cutoff) {
			if (!c.mini) {
				err = fp_diag(d, FP_ECORRUPT, "corrupt compound "
				    "file (the mini stream is missing)");
				goto out;
			}
			err = read_chain(&c, c.minifat, c.nminifat, start, ssize,
			    1, &buf, &len, NULL, names[k], d);
		} else {
			err = read_chain(&c, c.fat, c.nfat, start, ssize, 0,
			    &buf, &len, &contig, names[k], d);
		}
		if (err)
			goto out;
		if (contig) {
			*out = contig;
		} else {
			*out = buf;
			*owned = 1;
		}
		*outlen = len;
	}
out:
	cfb_release(&c);
	return err;
}

int
fp_cfb_has(const unsigned char *data, size_t size, const char *name)
{
	struct cfb c;
	size_t i;
	int has = 0;

	if (cfb_init(&c, data, size, NULL))
		return 0;
	for (i = 0; i < c.ndir && !has; i++)
		has = c.dir[i * 128 + 66] != 0 && name_is(c.dir + i * 128, name);
	cfb_release(&c);
	return has;
}
