/*
 * Shared command-line plumbing: workbook input (with stdin spooled to a
 * temporary file), buffered output with write errors caught, messages.
 */
#include "cli.h"

#include "canon.h"
#include "rules.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void
fp_cli_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "formpipe %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

const char *
fp_cli_name(const char *path)
{
	return !path || !strcmp(path, "-") ? "<stdin>" : path;
}

/* Copies stdin to a new temporary file; returns its path or NULL. */
static char *
spool_stdin(const char *cmd)
{
	const char *dir = getenv("TMPDIR");
	char *path;
	char buf[65536];
	size_t n;
	int fd;

	if (!dir || !*dir)
		dir = "/tmp";
	path = fp_xmalloc(strlen(dir) + 32);
	sprintf(path, "%s/formpipe-stdin-XXXXXX", dir);
	fd = mkstemp(path);
	if (fd < 0) {
		fp_cli_error(cmd, "<stdin>: cannot make a temporary file in "
		    "%s: %s", dir, strerror(errno));
		free(path);
		return NULL;
	}
	while ((n = fread(buf, 1, sizeof buf, stdin)) > 0) {
		size_t off = 0;

		while (off < n) {
			ssize_t w = write(fd, buf + off, n - off);

			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				fp_cli_error(cmd, "<stdin>: cannot spool to %s: %s",
				    dir, strerror(errno));
				close(fd);
				unlink(path);
				free(path);
				return NULL;
			}
			off += (size_t)w;
		}
	}
	if (ferror(stdin)) {
		fp_cli_error(cmd, "<stdin>: %s", strerror(errno));
		close(fd);
		unlink(path);
		free(path);
		return NULL;
	}
	close(fd);
	return path;
}

struct fp_workbook *
fp_cli_open_workbook(const char *cmd, const char *path)
{
	return fp_cli_open_workbook_opts(cmd, path, NULL);
}

struct fp_workbook *
fp_cli_open_workbook_opts(const char *cmd, const char *path,
    const struct fp_open_opts *opts)
{
	struct fp_workbook *wb = NULL;
	struct fp_diag d;
	char *tmp = NULL;
	enum fp_err err;

	if (!path || !strcmp(path, "-")) {
		tmp = spool_stdin(cmd);
		if (!tmp)
			return NULL;
	}
	err = fp_workbook_open_opts(tmp ? tmp : path, opts, &wb, &d);
	if (tmp) {
		unlink(tmp);
		free(tmp);
	}
	if (err) {
		fp_cli_error(cmd, "%s: %s", fp_cli_name(path), d.msg);
		return NULL;
	}
	return wb;
}

void
fp_out_init(struct fp_out *o, FILE *f)
{
	o->f = f;
	fp_buf_init(&o->b);
	o->err = 0;
}

void
fp_out_maybe_flush(struct fp_out *o)
{
	if (o->b.len < 65536)
		return;
	if (!o->err && fwrite(o->b.s, 1, o->b.len, o->f) != o->b.len)
		o->err = errno ? errno : EIO;
	fp_buf_reset(&o->b);
}

int
fp_out_finish(struct fp_out *o, const char *cmd)
{
	int rc = 0;

	if (o->b.len && !o->err &&
	    fwrite(o->b.s, 1, o->b.len, o->f) != o->b.len)
		o->err = errno ? errno : EIO;
	fp_buf_release(&o->b);
	if (fp_fshut(o->f) != 0 && !o->err)
		o->err = errno ? errno : EIO;
	if (o->err) {
		fp_cli_error(cmd, "<stdout>: write error: %s", strerror(o->err));
		rc = 2;
	}
	return rc;
}

#define DEFAULT_MAPPING "perf-self-eval.map"

#ifndef FP_DATADIR
#define FP_DATADIR "/usr/local/share/formpipe"
#endif

char *
fp_cli_default_mapping(void)
{
	char exe[4096], *slash, *path;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);

	if (n > 0) {
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			path = fp_xmalloc(strlen(exe) + 80);
			sprintf(path, "%s/mappings/" DEFAULT_MAPPING, exe);
			if (access(path, R_OK) == 0)
				return path;
			/* An installed binary: PREFIX/bin beside PREFIX/share. */
			sprintf(path, "%s/../share/formpipe/mappings/"
			    DEFAULT_MAPPING, exe);
			if (access(path, R_OK) == 0)
				return path;
			/* A sanitized build in build/san: the tree is two up. */
			sprintf(path, "%s/../../mappings/" DEFAULT_MAPPING, exe);
			if (access(path, R_OK) == 0)
				return path;
			free(path);
		}
	}
	return fp_xstrdup(FP_DATADIR "/mappings/" DEFAULT_MAPPING);
}

char *
fp_cli_temp_beside(const char *cmd, const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t dirlen = slash ? (size_t)(slash - path) + 1 : 0;
	char *tmp = fp_xmalloc(dirlen + strlen(fp_basename(path)) + 32);
	int fd;

	memcpy(tmp, path, dirlen);
	sprintf(tmp + dirlen, ".%s.XXXXXX", fp_basename(path));
	fd = fp_mkstemp_public(tmp);
	if (fd < 0) {
		fp_cli_error(cmd, "%s: cannot write there: %s", path,
		    strerror(errno));
		free(tmp);
		return NULL;
	}
	close(fd);
	return tmp;
}

int
fp_cli_feed_facts(const char *cmd, const char *path, struct fp_checker *chk,
    FILE *passthrough)
{
	const char *name = fp_cli_name(path);
	FILE *f = stdin;
	struct fp_canon_reader *r;
	struct fp_canon_fact fact;
	struct fp_diag d;
	int rc = 0, got;

	if (path && strcmp(path, "-")) {
		f = fopen(path, "r");
		if (!f) {
			fp_cli_error(cmd, "%s: %s", path, strerror(errno));
			return 2;
		}
	}
	r = fp_canon_reader_new(f, name, passthrough != NULL);
	got = fp_canon_header(r, &d);
	if (got <= 0) {
		if (got == 0)
			fp_cli_error(cmd, "%s: empty input, not canonical facts",
			    name);
		else
			fp_cli_error(cmd, "%s:%s", name, d.msg);
		rc = 2;
		goto out;
	}
	if (passthrough)
		fp_canon_tee(r, passthrough);
	while ((got = fp_canon_next(r, &fact, &d)) == 1)
		fp_checker_add(chk, fact.dept, fact.year, fact.table, fact.row,
		    fact.field, fact.value, fact.source);
	if (got < 0) {
		fp_cli_error(cmd, "%s:%s", name, d.msg);
		rc = 2;
	}
	if (fp_canon_tee_failed(r))
		rc = 2;
out:
	fp_canon_reader_free(r);
	if (f != stdin)
		fclose(f);
	return rc;
}

int
fp_cli_is_help(const char *arg)
{
	return !strcmp(arg, "-h") || !strcmp(arg, "--help");
}
