/*
 * Opening a workbook: reads the file (by mmap where it can), recognises
 * its kind from its content, never its name, and hands it to the reader
 * for that kind: biff.c (over cfb.c) for BIFF2 to BIFF8, or xls_freexl.c
 * when the open options ask for freexl; ooxml.c for .xlsx and .xlsm and
 * ods.c for .ods, both in a zip (zip.c). What is no workbook is named for
 * what it is. The only file that knows every reader.
 */
#include "formats.h"
#include "zip.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static const unsigned char ole_magic[8] = {
	0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1
};

/* The most a pipe is read for one workbook: more than any form holds. */
#define FP_PIPE_MAX (1 << 30)

/* Reads the whole file into wb->map, by mmap where the file allows it. */
static enum fp_err
load_file(struct fp_workbook *wb, const char *path, struct fp_diag *d)
{
	struct stat st;
	size_t cap = 0, len = 0;
	unsigned char *buf = NULL;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return fp_diag(d, FP_EOPEN, "%s", strerror(errno));
	if (fstat(fd, &st) != 0) {
		close(fd);
		return fp_diag(d, FP_EOPEN, "%s", strerror(errno));
	}
	if (S_ISDIR(st.st_mode)) {
		close(fd);
		return fp_diag(d, FP_EOPEN, "is a directory");
	}
	/* /dev/zero and the like would be read without end. */
	if (fp_endless_device(&st)) {
		close(fd);
		return fp_diag(d, FP_EOPEN, "is a device, not a workbook's file");
	}
	if (S_ISREG(st.st_mode) && st.st_size > 0) {
		void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE,
		    fd, 0);

		if (m != MAP_FAILED) {
			close(fd);
			wb->map = m;
			wb->mapsize = (size_t)st.st_size;
			wb->mapped = 1;
			return FP_OK;
		}
	}
	for (;;) {
		if (len == cap) {
			/* Room for one byte past the most, to see it is more. */
			cap = cap ? cap * 2 : 65536;
			if (cap > (size_t)FP_PIPE_MAX + 1)
				cap = (size_t)FP_PIPE_MAX + 1;
			buf = fp_xrealloc(buf, cap);
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			free(buf);
			close(fd);
			return fp_diag(d, FP_EOPEN, "%s", strerror(e));
		}
		if (n == 0)
			break;
		len += (size_t)n;
		/* A pipe that does not end is no workbook. */
		if (len > FP_PIPE_MAX) {
			free(buf);
			close(fd);
			return fp_diag(d, FP_EFORMAT, "more than %d MiB and no end: "
			    "not a workbook", FP_PIPE_MAX >> 20);
		}
	}
	close(fd);
	wb->map = buf;
	wb->mapsize = len;
	wb->mapped = 0;
	return FP_OK;
}

/* Says what a file that is no workbook looks like, for the message. */
static enum fp_err
not_a_workbook(const unsigned char *p, size_t n, struct fp_diag *d)
{
	size_t i, text = 0;

	if (n >= 8 && memcmp(p, "\211PNG\r\n\032\n", 8) == 0)
		return fp_diag(d, FP_EFORMAT,
		    "not an Excel workbook (a PNG image)");
	if (n >= 3 && memcmp(p, "%PDF", n < 4 ? n : 4) == 0)
		return fp_diag(d, FP_EFORMAT,
		    "not an Excel workbook (a PDF document)");
	for (i = 0; i < n && i < 512; i++)
		if (p[i] == '\t' || p[i] == '\n' || p[i] == '\r' ||
		    (p[i] >= 0x20 && p[i] != 0x7F))
			text++;
	if (text == i) {
		for (i = 0; i < n && (p[i] == ' ' || p[i] == '\t' ||
		    p[i] == '\r' || p[i] == '\n' || p[i] == 0xEF ||
		    p[i] == 0xBB || p[i] == 0xBF); i++)
			;
		if (i < n && p[i] == '<')
			return fp_diag(d, FP_EFORMAT, "not a binary Excel "
			    "workbook (HTML or XML text saved as .xls)");
		return fp_diag(d, FP_EFORMAT,
		    "not an Excel workbook (plain text)");
	}
	return fp_diag(d, FP_EFORMAT, "not an Excel workbook");
}

/*
 * A zip file: an OpenDocument spreadsheet if its mimetype part says so
 * (or, without one, if it has content.xml and a manifest), an Office
 * Open XML package if it has a content types part or relationships, and
 * otherwise named for what it is.
 */
static enum fp_err
open_zip(struct fp_workbook *wb, struct fp_diag *d)
{
	static const char ods_type[] =
	    "application/vnd.oasis.opendocument.spreadsheet";
	static const char od_type[] = "application/vnd.oasis.opendocument.";
	struct fp_zip *z;
	char *mime = NULL;
	size_t len;
	enum fp_err err;

	err = fp_zip_open(wb->map, wb->mapsize, &z, d);
	if (err)
		return err;
	if (fp_zip_has(z, "mimetype") &&
	    fp_zip_read_all(z, "mimetype", 256, &mime, &len, NULL) == FP_OK) {
		if (!strncmp(mime, ods_type, sizeof ods_type - 1))
			goto ods;
		if (!strncmp(mime, od_type, sizeof od_type - 1)) {
			err = fp_diag(d, FP_EFORMAT, "not a workbook (an "
			    "OpenDocument %.40s document, not a spreadsheet)",
			    mime + sizeof od_type - 1);
			goto out;
		}
	}
	if (fp_zip_has(z, "[Content_Types].xml") || fp_zip_has(z, "_rels/.rels")) {
		free(mime);
		return fp_ooxml_open(wb, z, d);
	}
	if (fp_zip_has(z, "content.xml") && fp_zip_has(z, "META-INF/manifest.xml"))
		goto ods;
	if (fp_zip_has(z, "Index/Document.iwa") || fp_zip_has(z, "Index.zip") ||
	    fp_zip_has(z, "index.xml.gz"))
		err = fp_diag(d, FP_EFORMAT, "an Apple Numbers document, which "
		    "formpipe cannot read (export it from Numbers as .xlsx)");
	else
		err = fp_diag(d, FP_EFORMAT, "a zip file that is not a workbook "
		    "(no Office Open XML or OpenDocument parts in it)");
out:
	free(mime);
	fp_zip_free(z);
	return err;
ods:
	free(mime);
	return fp_ods_open(wb, z, d);
}

/* Hands the bytes in wb->map to the reader for their kind. */
static enum fp_err
dispatch(struct fp_workbook *wb, const char *path,
    const struct fp_open_opts *opts, struct fp_diag *d)
{
	const unsigned char *p = wb->map;
	size_t n = wb->mapsize;
	enum fp_err err;

	if (n == 0)
		return fp_diag(d, FP_EEMPTY, "empty file");
	if (n >= 8 && memcmp(p, ole_magic, 8) == 0) {
		err = fp_biff_open(wb, p, n, d);
	} else if (n >= 4 && p[0] == 0x09 && p[1] == 0x08) {
		/* A bare BIFF5 or BIFF8 stream, no compound file around it. */
		err = fp_biff_open(wb, p, n, d);
	} else if (n >= 4 && p[0] == 0x09 &&
	    (p[1] == 0x00 || p[1] == 0x02 || p[1] == 0x04)) {
		/*
		 * BIFF2, BIFF3 or BIFF4. formpipe's reader gives formula results,
		 * booleans and errors, which freexl does not; the open options
		 * may ask for freexl instead, to compare the two.
		 */
		if (opts && opts->freexl && path)
			err = fp_freexl_open(wb, path, d);
		else
			err = fp_biff_open(wb, p, n, d);
	} else if (n >= 4 && (memcmp(p, "PK\003\004", 4) == 0 ||
	    memcmp(p, "PK\005\006", 4) == 0)) {
		err = open_zip(wb, d);
	} else if (n < 4 && memcmp(p, "PK\003\004", n) == 0) {
		err = fp_diag(d, FP_ETRUNC, "truncated zip file (%zu bytes)", n);
	} else if (n < 8 && memcmp(p, ole_magic, n) == 0) {
		err = fp_diag(d, FP_ETRUNC, "truncated workbook (%zu bytes)", n);
	} else {
		err = not_a_workbook(p, n, d);
	}
	if (!err && wb->nsheets == 0)
		err = fp_diag(d, FP_ENOSHEET, "no worksheets in the workbook "
		    "(only charts or macros)");
	return err;
}

enum fp_err
fp_workbook_open(const char *path, struct fp_workbook **out,
    struct fp_diag *d)
{
	return fp_workbook_open_opts(path, NULL, out, d);
}

enum fp_err
fp_workbook_open_opts(const char *path, const struct fp_open_opts *opts,
    struct fp_workbook **out, struct fp_diag *d)
{
	struct fp_workbook *wb;
	enum fp_err err;

	*out = NULL;
	wb = fp_xcalloc(1, sizeof *wb);
	err = load_file(wb, path, d);
	if (!err)
		err = dispatch(wb, path, opts, d);
	if (err) {
		fp_workbook_free(wb);
		return err;
	}
	*out = wb;
	return FP_OK;
}

enum fp_err
fp_workbook_open_buffer(const void *data, size_t n, struct fp_workbook **out,
    struct fp_diag *d)
{
	struct fp_workbook *wb;
	enum fp_err err;

	*out = NULL;
	wb = fp_xcalloc(1, sizeof *wb);
	wb->map = fp_xmalloc(n);
	if (n)
		memcpy(wb->map, data, n);
	wb->mapsize = n;
	err = dispatch(wb, NULL, NULL, d);
	if (err) {
		fp_workbook_free(wb);
		return err;
	}
	*out = wb;
	return FP_OK;
}

