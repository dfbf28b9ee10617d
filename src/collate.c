/*
 * Keys that sort values as a person expects a column sorted: numbers by
 * value, words by GB18030 bytes (pinyin, for the common characters).
 */
#include "collate.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "normalize.h"

/* Where each kind sorts: numbers, then words, then blanks. */
#define KEY_NUMBER '\001'
#define KEY_WORD '\002'
#define KEY_BLANK '\003'

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
	if (!fp_recode(b, "GB18030", "UTF-8", s, strlen(s)))
		fp_buf_adds(b, s);
}
