/*
 * A libFuzzer target for the zip and XML readers (zip.c, xml.c, ooxml.c,
 * ods.c). An input that starts with "PK" is opened as it is, a zip file
 * whose bytes the fuzzer mutates. Any other input is a list of parts,
 * each introduced by a line "--- NAME" and running to the next such line
 * or the end: they are packed here into a zip of stored (uncompressed)
 * entries, so that mutations reach the XML instead of breaking the
 * deflate stream or a checksum. Then, as fuzz_xls does, every sheet is
 * loaded as a grid and every cell rendered; it prints nothing, and the
 * sanitizers report what goes wrong. tests/fuzz/unpack-seeds turns
 * workbooks into the list form.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "workbook.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct out {
	unsigned char *p;
	size_t n, cap;
};

static void
put(struct out *o, const void *p, size_t n)
{
	if (n == 0)
		return;
	if (o->n + n > o->cap) {
		o->cap = (o->n + n) * 2 + 256;
		o->p = realloc(o->p, o->cap);
		if (!o->p)
			abort();
	}
	memcpy(o->p + o->n, p, n);
	o->n += n;
}

static void
put16(struct out *o, unsigned v)
{
	unsigned char b[2] = { (unsigned char)v, (unsigned char)(v >> 8) };

	put(o, b, 2);
}

static void
put32(struct out *o, uint32_t v)
{
	put16(o, v & 0xFFFF);
	put16(o, v >> 16);
}

struct entry {
	const uint8_t *name, *data;
	size_t namelen, len;
	uint32_t off, crc;
};

/* Packs the "--- NAME" parts of data into a zip of stored entries. */
static void
pack(const uint8_t *data, size_t size, struct out *zip)
{
	struct entry e[64];
	size_t n = 0, i, pos = 0;
	struct out cd = { NULL, 0, 0 };
	uint32_t cdoff;

	while (pos + 4 <= size && n < 64) {
		const uint8_t *line = data + pos, *nl, *next;
		size_t end;

		if (memcmp(line, "--- ", 4) != 0)
			break;
		nl = memchr(line, '\n', size - pos);
		if (!nl)
			break;
		e[n].name = line + 4;
		e[n].namelen = (size_t)(nl - line) - 4;
		e[n].data = nl + 1;
		for (end = (size_t)(nl + 1 - data); end < size; end++)
			if (data[end] == '\n' && end + 5 <= size &&
			    memcmp(data + end + 1, "--- ", 4) == 0)
				break;
		next = data + end;
		e[n].len = (size_t)(next - e[n].data);
		pos = end < size ? end + 1 : size;
		if (e[n].namelen > 0 && e[n].namelen < 256)
			n++;
	}
	for (i = 0; i < n; i++) {
		e[i].off = (uint32_t)zip->n;
		e[i].crc = (uint32_t)crc32(0, e[i].data, (uInt)e[i].len);
		put32(zip, 0x04034b50);
		put16(zip, 20);
		put16(zip, 0);
		put16(zip, 0);		/* stored */
		put32(zip, 0);
		put32(zip, e[i].crc);
		put32(zip, (uint32_t)e[i].len);
		put32(zip, (uint32_t)e[i].len);
		put16(zip, (unsigned)e[i].namelen);
		put16(zip, 0);
		put(zip, e[i].name, e[i].namelen);
		put(zip, e[i].data, e[i].len);
	}
	cdoff = (uint32_t)zip->n;
	for (i = 0; i < n; i++) {
		put32(&cd, 0x02014b50);
		put16(&cd, 20);
		put16(&cd, 20);
		put16(&cd, 0);
		put16(&cd, 0);
		put32(&cd, 0);
		put32(&cd, e[i].crc);
		put32(&cd, (uint32_t)e[i].len);
		put32(&cd, (uint32_t)e[i].len);
		put16(&cd, (unsigned)e[i].namelen);
		put16(&cd, 0);
		put16(&cd, 0);
		put16(&cd, 0);
		put16(&cd, 0);
		put32(&cd, 0);
		put32(&cd, e[i].off);
		put(&cd, e[i].name, e[i].namelen);
	}
	put(zip, cd.p, cd.n);
	put32(zip, 0x06054b50);
	put16(zip, 0);
	put16(zip, 0);
	put16(zip, (unsigned)n);
	put16(zip, (unsigned)n);
	put32(zip, (uint32_t)cd.n);
	put32(zip, cdoff);
	put16(zip, 0);
	free(cd.p);
}

static void
read_all(const unsigned char *data, size_t size)
{
	struct fp_workbook *wb = NULL;
	struct fp_diag d;
	size_t i, k, n;
	int date1904;

	if (fp_workbook_open_buffer(data, size, &wb, &d) != FP_OK)
		return;
	date1904 = fp_workbook_date1904(wb);
	n = fp_workbook_nsheets(wb);
	for (i = 0; i < n; i++) {
		const struct fp_sheet_info *si;
		struct fp_grid g;
		volatile size_t sink = 0;

		if (fp_grid_load(wb, i, &g, &d) != FP_OK)
			continue;
		for (k = 0; k < g.ncells; k++) {
			char buf[FP_NUM_MAX];
			const char *v;
			size_t len;

			v = fp_cell_render(&g.cells[k], date1904, buf, &len);
			if (len)
				sink += (unsigned char)v[len - 1];
			(void)fp_workbook_format(wb, g.cells[k].fmt);
			if (fp_grid_at(&g, g.cells[k].row, g.cells[k].col) ==
			    NULL)
				__builtin_trap();
		}
		si = fp_workbook_sheet(wb, i);
		for (k = 0; k < si->nmerges; k++)
			sink += si->merges[k].r2 + si->merges[k].c2;
		for (k = 0; k < si->nwidths; k++)
			sink += si->widths[k].c2;
		(void)sink;
		fp_grid_release(&g);
	}
	fp_workbook_free(wb);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct out zip = { NULL, 0, 0 };

	if (size >= 2 && data[0] == 'P' && data[1] == 'K') {
		read_all(data, size);
		return 0;
	}
	pack(data, size, &zip);
	read_all(zip.p, zip.n);
	free(zip.p);
	return 0;
}
