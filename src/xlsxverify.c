/* Reading a written .xlsx back (xlsxverify.h). */
#include "xlsxverify.h"
#include "zip.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* 1 if the part's name says it is XML. */
static int
is_xml_part(const char *name)
{
	static const char *const ends[] = { ".xml", ".rels", ".vml" };
	size_t n = strlen(name), i;

	for (i = 0; i < sizeof ends / sizeof *ends; i++) {
		size_t k = strlen(ends[i]);

		if (n >= k && !strcmp(name + n - k, ends[i]))
			return 1;
	}
	return 0;
}

/*
 * The first and last bytes of a part, as it is inflated: enough for the
 * name of its root element and whether the part ends by closing it.
 */
struct ends {
	char head[512], tail[512];
	size_t nhead, ntail;
};

static int
keep_ends(void *ctx, const char *p, size_t n)
{
	struct ends *e = ctx;
	size_t k;

	k = n < sizeof e->head - e->nhead ? n : sizeof e->head - e->nhead;
	memcpy(e->head + e->nhead, p, k);
	e->nhead += k;
	if (n >= sizeof e->tail) {
		memcpy(e->tail, p + n - sizeof e->tail, sizeof e->tail);
		e->ntail = sizeof e->tail;
	} else {
		k = e->ntail + n > sizeof e->tail ?
		    e->ntail + n - sizeof e->tail : 0;
		memmove(e->tail, e->tail + k, e->ntail - k);
		memcpy(e->tail + e->ntail - k, p, n);
		e->ntail += n - k;
	}
	return 0;
}

/*
 * 1 if the part ends where its root element does: with "</root>", or
 * with "/>" when the root is a single empty tag. Parsing each part whole
 * would find a cut in the middle too, but costs half again the time of
 * a large convert; a temporary file that could not be written to its
 * end is cut at the end.
 */
static int
whole(const struct ends *e)
{
	const char *h = e->head, *hend = e->head + e->nhead, *name, *q;
	size_t nlen, t = e->ntail;

	for (;;) {
		h = memchr(h, '<', (size_t)(hend - h));
		if (!h || hend - h < 2)
			return 0;
		if (h[1] != '?' && h[1] != '!')
			break;
		h++;
	}
	name = ++h;
	while (h < hend && !strchr(" \t\r\n/>", *h))
		h++;
	nlen = (size_t)(h - name);
	if (h == hend || nlen == 0)
		return 0;
	while (t && strchr(" \t\r\n", e->tail[t - 1]))
		t--;
	q = memchr(h, '>', (size_t)(hend - h));
	if (q && q[-1] == '/')
		return t >= 2 && !memcmp(e->tail + t - 2, "/>", 2);
	return t >= nlen + 3 && e->tail[t - 1] == '>' &&
	    !memcmp(e->tail + t - nlen - 1, name, nlen) &&
	    !memcmp(e->tail + t - nlen - 3, "</", 2);
}

/* Why the workbook is broken, with where to look for room. */
static enum fp_err
broken(struct fp_diag *d, const char *why)
{
	const char *tmpdir = getenv("TMPDIR");

	return fp_diag(d, FP_EWRITE, "the workbook came out broken (%s); "
	    "is the temporary folder %s full?", why,
	    tmpdir && *tmpdir ? tmpdir : "/tmp");
}

enum fp_err
fp_xlsx_verify(const char *path, struct fp_diag *d)
{
	struct fp_diag pd = { "" };
	struct ends e;
	char why[FP_DIAG_MAX];
	struct fp_zip *z = NULL;
	struct stat st;
	void *map;
	enum fp_err err = FP_OK;
	size_t i;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0 || fstat(fd, &st) != 0) {
		err = fp_diag(d, FP_EWRITE, "cannot read the workbook back: "
		    "%s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return err;
	}
	if (st.st_size <= 0) {
		close(fd);
		return broken(d, "it is empty");
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return fp_diag(d, FP_EWRITE, "cannot read the workbook back: "
		    "%s", strerror(errno));
	if (fp_zip_open(map, (size_t)st.st_size, &z, &pd) != FP_OK) {
		err = broken(d, pd.msg);
		goto out;
	}
	for (i = 0; i < fp_zip_count(z) && !err; i++) {
		const char *name = fp_zip_name(z, i);

		if (!is_xml_part(name))
			continue;
		memset(&e, 0, sizeof e);
		if (fp_zip_read(z, name, keep_ends, &e, &pd) != FP_OK)
			err = broken(d, pd.msg);
		else if (!whole(&e)) {
			snprintf(why, sizeof why, "%s is cut short", name);
			err = broken(d, why);
		}
	}
	fp_zip_free(z);
out:
	munmap(map, (size_t)st.st_size);
	return err;
}
