/*
 * Keys that sort values as a person expects a column sorted: numbers by
 * value, words in the order a spreadsheet sorts Chinese.
 */
#ifndef FP_COLLATE_H
#define FP_COLLATE_H

#include "util.h"

/*
 * Appends to b a key for the value s, to be compared with strcmp against
 * another's: a number (as fp_parse_number reads it) by its value, before
 * any word; a word by its GB18030 bytes, which put GB2312's common
 * characters in pinyin order (县财政局, 县公安局, 县交通运输局, 县教育局),
 * as Excel and WPS sort Chinese, the rarer ones after them by radical;
 * a blank after everything. The key holds no NUL and no byte 0x1F
 * that s does not, so keys can be joined with \037.
 */
void fp_collate_key(struct fp_buf *b, const char *s);

#endif
