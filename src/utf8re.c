/*
 * Regular expressions over UTF-8 text (utf8re.h): the calls run with the
 * thread's locale switched to C.UTF-8 for their length, which leaves the
 * rest of the program, and the numbers it prints, in its own locale.
 */
#include "utf8re.h"

#include <locale.h>

/* The UTF-8 locale, made once; (locale_t)0 where there is none. */
static locale_t
utf8(void)
{
	static locale_t loc;
	static int tried;

	if (!tried) {
		tried = 1;
		loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	}
	return loc;
}

int
fp_regcomp(regex_t *re, const char *pattern, int flags)
{
	locale_t loc = utf8(), old = loc ? uselocale(loc) : (locale_t)0;
	int rc = regcomp(re, pattern, flags);

	if (loc)
		uselocale(old);
	return rc;
}

int
fp_regexec(const regex_t *re, const char *s, size_t nmatch, regmatch_t *m,
    int flags)
{
	locale_t loc = utf8(), old = loc ? uselocale(loc) : (locale_t)0;
	int rc = regexec(re, s, nmatch, m, flags);

	if (loc)
		uselocale(old);
	return rc;
}
