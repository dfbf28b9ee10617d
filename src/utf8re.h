/*
 * Regular expressions over UTF-8 text, for the mapping's patterns: POSIX
 * extended ones, compiled and matched in a UTF-8 locale, so that `?`, `*`
 * and brackets take a character (`年度?`, `[一二三]`), not a byte,
 * whatever the locale the program runs in. Where the system has no UTF-8
 * locale, they work on bytes, as regcomp does in the C locale.
 */
#ifndef FP_UTF8RE_H
#define FP_UTF8RE_H

#include <regex.h>
#include <stddef.h>

/* regcomp and regexec, in the UTF-8 locale. */
int fp_regcomp(regex_t *re, const char *pattern, int flags);
int fp_regexec(const regex_t *re, const char *s, size_t nmatch,
    regmatch_t *m, int flags);

#endif
