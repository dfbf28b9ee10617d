/*
 * The floor under reading an .xls into CSV: the least any reader must do,
 * with formpipe's own compound-file reader (cfb.c) and number printer
 * (fp_fmt_num) and nothing else. It maps the file, takes the Workbook
 * stream, and walks the first sheet's records once: each number cell (NUMBER, RK,
 * MULRK) is printed, each shared-string cell is printed as its index in
 * the table (cheaper than any text), commas and line ends are put where
 * the cells fall, and the CSV is written to standard output. Nothing is
 * checked past the record lengths, no format or date is looked at, the
 * shared-string table is not read, and the grid is not padded: a real
 * reader can only be slower.
 *
 * usage: xls_floor FILE.xls
 * Exits 0, or 2 with a message if the file cannot be read.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cfb.h"
#include "util.h"

/* The CSV so far, written out in blocks. */
struct out {
	char buf[1 << 16];
	size_t len;
	uint32_t row, col;
};

static void
flush(struct out *o)
{
	if (fwrite(o->buf, 1, o->len, stdout) != o->len) {
		perror("xls_floor: write");
		exit(2);
	}
	o->len = 0;
}

/* Puts one byte, writing the block out when it is full. */
static void
put(struct out *o, char c)
{
	if (o->len == sizeof o->buf)
		flush(o);
	o->buf[o->len++] = c;
}

/*
 * Puts the commas and line ends before a cell at row, col, and leaves
 * room for the number after them.
 */
static void
place(struct out *o, uint32_t row, uint32_t col)
{
	for (; o->row < row; o->row++, o->col = 0)
		put(o, '\n');
	for (; o->col < col; o->col++)
		put(o, ',');
	if (sizeof o->buf - o->len < FP_NUM_MAX)
		flush(o);
}

static void
number(struct out *o, uint32_t row, uint32_t col, double x)
{
	place(o, row, col);
	o->len += fp_fmt_num(o->buf + o->len, x);
}

static double
rk_value(uint32_t rk)
{
	double x;

	if (rk & 2) {
		x = (double)((int32_t)rk >> 2);
	} else {
		uint64_t u = (uint64_t)(rk & 0xFFFFFFFCu) << 32;

		memcpy(&x, &u, sizeof x);
	}
	return (rk & 1) ? x / 100 : x;
}

int
main(int argc, char **argv)
{
	static const char *const names[] = { "Workbook", "Book", NULL };
	static struct out o;
	const unsigned char *s;
	unsigned char *m;
	struct fp_diag d;
	struct stat st;
	size_t n, pos;
	int fd, owned, found, bofs = 0, depth = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: xls_floor FILE.xls\n");
		return 2;
	}
	fd = open(argv[1], O_RDONLY);
	if (fd < 0 || fstat(fd, &st) != 0 || st.st_size == 0) {
		fprintf(stderr, "xls_floor: %s: cannot read\n", argv[1]);
		return 2;
	}
	m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (m == MAP_FAILED || fp_cfb_stream(m, (size_t)st.st_size, names, &s,
	    &n, &owned, &found, &d) != FP_OK) {
		fprintf(stderr, "xls_floor: %s: no workbook stream\n", argv[1]);
		return 2;
	}
	for (pos = 0; n - pos >= 4; ) {
		unsigned type = fp_rd16(s + pos), len = fp_rd16(s + pos + 2);
		const unsigned char *p = s + pos + 4;
		unsigned k;

		if (n - pos - 4 < len)
			break;
		pos += 4 + (size_t)len;
		/* The globals, then the first sheet, to its own end. */
		if (type == 0x0809 && ++bofs >= 2)
			depth++;
		if (type == 0x000A && depth && --depth == 0)
			break;
		if (depth != 1)
			continue;
		switch (type) {
		case 0x0203:	/* NUMBER */
			if (len >= 14) {
				uint64_t u = fp_rd32(p + 6) |
				    (uint64_t)fp_rd32(p + 10) << 32;
				double x;

				memcpy(&x, &u, sizeof x);
				number(&o, fp_rd16(p), fp_rd16(p + 2), x);
			}
			break;
		case 0x027E:	/* RK */
			if (len >= 10)
				number(&o, fp_rd16(p), fp_rd16(p + 2),
				    rk_value(fp_rd32(p + 6)));
			break;
		case 0x00BD:	/* MULRK */
			for (k = 0; len >= 6 && k < (len - 6u) / 6; k++)
				number(&o, fp_rd16(p), fp_rd16(p + 2) + k,
				    rk_value(fp_rd32(p + 6 + 6 * k)));
			break;
		case 0x00FD:	/* LABELSST */
			if (len >= 10)
				number(&o, fp_rd16(p), fp_rd16(p + 2),
				    fp_rd32(p + 6));
			break;
		default:
			break;
		}
	}
	put(&o, '\n');
	flush(&o);
	if (owned)
		free((void *)s);
	return fflush(stdout) == 0 ? 0 : 2;
}
