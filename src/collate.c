/*
 * Keys that sort values as a person expects a column sorted: numbers by
 * value, words by GB18030 bytes (pinyin, for the common characters).
 */
#include "collate.h"

#include <iconv.h>
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "normalize.h"

/* Where each kind sorts: numbers, then words, then blanks. */
#define KEY_NUMBER '\001'
#define KEY_WORD '\002'
#define KEY_BLANK '\003'

/* s as GB18030 into b; 0 (b as it was) if it has no such form. */
static int
to_gb18030(struct fp_buf *b, const char *s)
{
	iconv_t cd = iconv_open("GB18030", "UTF-8");
	size_t n = strlen(s), room = 4 * n + 4, start = b->len, left = room;
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

void
fp_collate_key(struct fp_buf *b, const char *s)
{
	double x;
	uint64_t u;

	if (!*s) {
		fp_buf_addc(b, KEY_BLANK);
		return;
	}
	if (fp_parse_number(s, strlen(s), &x) && isfinite(x)) {
		/*
		 * The double's bits as an unsigned number that orders as
		 * the values do: a negative's all flipped, a positive's
		 * sign bit set; then as 16 hex digits, which sort as it.
		 */
		memcpy(&u, &x, sizeof u);
		u = u >> 63 ? ~u : u | UINT64_C(1) << 63;
		fp_buf_addc(b, KEY_NUMBER);
		fp_buf_printf(b, "%016" PRIx64, u);
		return;
	}
	fp_buf_addc(b, KEY_WORD);
	if (!to_gb18030(b, s))
		fp_buf_adds(b, s);
}
