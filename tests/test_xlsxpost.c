/*
 * Unit tests for the rewrite of a written .xlsx (xlsxpost.c): what it says
 * when its file cannot be written.
 */
#include "testutil.h"

#include <errno.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include "xlsxpost.h"

/* Writes the n bytes at buf to path. */
static void
put_file(const char *path, const char *buf, size_t n)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

/*
 * A rewrite that cannot write its file whole (here for a limit on a
 * file's size; a full disk is the same) says why, in the system's words,
 * and not where: the caller names the output, not the file in its
 * private folder. The workbook stays as it was, alone.
 */
static void
test_xlsx_post_says_why_not_where(void **state)
{
	const char *tmpdir = getenv("TMPDIR");
	char dir[4096], path[4200], *buf, *after;
	struct fp_xlsx_fixes fx;
	struct rlimit old, small;
	struct fp_diag d;
	enum fp_err err;
	size_t n, m;
	void (*was)(int);

	(void)state;
	snprintf(dir, sizeof dir, "%s/formpipe-post-XXXXXX", tmpdir && *tmpdir ?
	    tmpdir : "/tmp");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/out", dir);
	buf = test_slurp("fixtures/xlsxwriter.xlsx", &n);
	assert_non_null(buf);
	put_file(path, buf, n);
	memset(&fx, 0, sizeof fx);
	fx.font = "宋体";
	fx.fontsize = 11;
	/* Past 1 KiB a write fails (EFBIG), and no signal ends the test. */
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	small = old;
	small.rlim_cur = 1024;
	was = signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	err = fp_xlsx_post(path, &fx, &d);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, was);
	assert_int_equal(err, FP_EWRITE);
	assert_string_equal(d.msg, strerror(EFBIG));
	after = test_slurp(path, &m);
	assert_non_null(after);
	assert_int_equal(m, n);
	assert_memory_equal(after, buf, n);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
	free(after);
	free(buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xlsx_post_says_why_not_where),
	};

	return cmocka_run_group_tests_name("xlsxpost", tests, NULL, NULL);
}
