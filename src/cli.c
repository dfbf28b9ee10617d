/*
 * Shared command-line plumbing: workbook input (with stdin spooled to a
 * temporary file), buffered output with write errors caught, messages.
 */
#include "cli.h"

#include "canon.h"
#include "csvio.h"
#include "mapping.h"
#include "opts.h"
#include "outfile.h"
#include "rules.h"

#include <sys/stat.h>

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

void
fp_cli_warn_cut(const char *cmd, const char *what, size_t n, const char *at)
{
	if (n == 1)
		fp_cli_error(cmd, "warning: %sa text longer than a cell holds "
		    "(32,767 characters) was cut, at %s", what, at);
	else if (n)
		fp_cli_error(cmd, "warning: %s%zu texts longer than a cell "
		    "holds (32,767 characters) were cut, the first at %s", what,
		    n, at);
}

int
fp_cli_report(const char *cmd, const char *where, enum fp_err err,
    const struct fp_diag *d)
{
	const char *msg = d && d->msg[0] ? d->msg : fp_strerror(err);

	if (where)
		fp_cli_error(cmd, "%s: %s", where, msg);
	else
		fp_cli_error(cmd, "%s", msg);
	return 2;
}

const char *
fp_cli_name(const char *path)
{
	return !path || !strcmp(path, "-") ? "<stdin>" : path;
}

/* Copies stdin to a new temporary file; returns its path or NULL. */
/* The most standard input is read for one workbook, as for a pipe named. */
#define FP_STDIN_MAX (1 << 30)

static char *
spool_stdin(const char *cmd)
{
	const char *dir = getenv("TMPDIR");
	char *path;
	char buf[65536];
	size_t n, total = 0;
	struct stat st;
	int fd;

	/* /dev/zero and the like would be read without end. */
	if (fstat(STDIN_FILENO, &st) == 0 && fp_endless_device(&st)) {
		fp_cli_error(cmd, "<stdin>: %s", isatty(STDIN_FILENO) ?
		    "is a terminal; give a file, or pipe one in" :
		    "is a device, not a workbook's file");
		return NULL;
	}
	if (!dir || !*dir)
		dir = "/tmp";
	path = fp_xmalloc(strlen(dir) + 32);
	sprintf(path, "%s/formpipe-stdin-XXXXXX", dir);
	fd = fp_temp_mkstemp(path);
	if (fd < 0) {
		fp_cli_error(cmd, "<stdin>: cannot make a temporary file in "
		    "%s: %s", dir, strerror(errno));
		free(path);
		return NULL;
	}
	while ((n = fread(buf, 1, sizeof buf, stdin)) > 0) {
		size_t off = 0;

		/* A pipe that does not end is no workbook. */
		if ((total += n) > FP_STDIN_MAX) {
			fp_cli_error(cmd, "<stdin>: more than %d MiB and no end: "
			    "not a workbook", FP_STDIN_MAX >> 20);
			close(fd);
			unlink(path);
			fp_temp_forget(path);
			free(path);
			return NULL;
		}
		while (off < n) {
			ssize_t w = write(fd, buf + off, n - off);

			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				fp_cli_error(cmd, "<stdin>: cannot spool to %s: %s",
				    dir, strerror(errno));
				close(fd);
				unlink(path);
				fp_temp_forget(path);
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
		fp_temp_forget(path);
		free(path);
		return NULL;
	}
	close(fd);
	return path;
}

void
fp_cli_say_unsaved(const char *cmd, const char *path,
    const struct fp_workbook *wb)
{
	size_t n = fp_workbook_unsaved(wb);

	if (n)
		fp_cli_error(cmd, "%s: warning: %zu formula%s no saved value "
		    "(the file was never calculated) and read%s as blank; "
		    "open and save it in Excel, WPS or LibreOffice first",
		    fp_cli_name(path), n, n == 1 ? " has" : "s have",
		    n == 1 ? "s" : "");
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
	struct fp_diag d = { "" };
	char *tmp = NULL;
	enum fp_err err;

	if (!path || !strcmp(path, "-")) {
		tmp = spool_stdin(cmd);
		if (!tmp)
			return NULL;
	}
	fp_oom_context(cmd, fp_cli_name(path));
	err = fp_workbook_open_opts(tmp ? tmp : path, opts, &wb, &d);
	if (tmp) {
		unlink(tmp);
		fp_temp_forget(tmp);
		free(tmp);
	}
	if (err) {
		fp_cli_report(cmd, fp_cli_name(path), err, &d);
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

#ifndef FP_DATADIR
#define FP_DATADIR "/usr/local/share/formpipe"
#endif

/* path if it names a readable file, else NULL (path is freed). */
static char *
readable(char *path)
{
	if (access(path, R_OK) == 0)
		return path;
	free(path);
	return NULL;
}

static char *
in_dir(const char *dir, size_t dirlen, const char *name)
{
	char *path = fp_xmalloc(dirlen + strlen(name) + 8);

	sprintf(path, "%.*s/%s.map", (int)dirlen, dir, name);
	return readable(path);
}

char *
fp_cli_find_mapping(const char *name)
{
	const char *env = getenv("FORMPIPE_MAPPINGS"), *p;
	char exe[4096], *slash, *path;
	ssize_t n;

	/* A path, or a file name with its extension: as given. */
	if (strchr(name, '/') || (strlen(name) > 4 &&
	    !strcmp(name + strlen(name) - 4, ".map")) || !*name)
		return fp_xstrdup(name);
	/* The folders FORMPIPE_MAPPINGS lists, first. */
	for (p = env; p && *p;) {
		const char *colon = strchr(p, ':');
		size_t len = colon ? (size_t)(colon - p) : strlen(p);

		if (len && (path = in_dir(p, len, name)))
			return path;
		p = colon ? colon + 1 : p + len;
	}
	n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			char dir[4200];

			*slash = '\0';
			/* Beside the binary, as in a build tree. */
			snprintf(dir, sizeof dir, "%s/mappings", exe);
			if ((path = in_dir(dir, strlen(dir), name)))
				return path;
			/* An installed binary: PREFIX/bin beside PREFIX/share. */
			snprintf(dir, sizeof dir, "%s/../share/formpipe/mappings",
			    exe);
			if ((path = in_dir(dir, strlen(dir), name)))
				return path;
		}
	}
	path = in_dir(FP_DATADIR "/mappings", strlen(FP_DATADIR "/mappings"),
	    name);
	return path;
}

struct fp_mapping *
fp_cli_load_mapping(const char *cmd, const char *name)
{
	struct fp_mapping *m = NULL;
	struct fp_diag d;
	char *path = fp_cli_find_mapping(name);

	if (!path) {
		fp_cli_error(cmd, "no mapping '%s' (not a file, and not among "
		    "the shipped mappings; FORMPIPE_MAPPINGS names more "
		    "folders)", name);
		return NULL;
	}
	if (fp_mapping_load(path, &m, &d) != FP_OK)
		fp_cli_error(cmd, "%s", d.msg);
	free(path);
	return m;
}

const struct fp_mapping *
fp_cli_resolve(void *arg, const char *form, struct fp_diag *d)
{
	struct fp_cli_mappings *ms = arg;
	struct fp_mapping *m = NULL;
	enum fp_err err;
	char *path;
	size_t i;

	/* -m's mapping is for its own form's facts (or ones naming none). */
	if (ms->fixed) {
		if (!*form || !strcmp(form, ms->fixed->name))
			return ms->fixed;
		fp_diag(d, FP_EMAPPING, "facts of form '%s', but -m gives the "
		    "mapping of '%s'", form, ms->fixed->name);
		return NULL;
	}
	for (i = 0; i < ms->n; i++)
		if (!strcmp(ms->v[i]->name, form))
			return ms->v[i];
	if (!*form || strchr(form, '/')) {
		fp_diag(d, FP_EMAPPING, "the facts do not name their form; give "
		    "its mapping with -m");
		return NULL;
	}
	path = fp_cli_find_mapping(form);
	if (!path) {
		fp_diag(d, FP_EMAPPING, "form '%s': no mapping file '%s.map' "
		    "(give the mapping with -m, or name it after its form in "
		    "a folder FORMPIPE_MAPPINGS names)", form, form);
		return NULL;
	}
	err = fp_mapping_load(path, &m, d);
	free(path);
	if (err != FP_OK)
		return NULL;
	ms->v = fp_xreallocarray(ms->v, ms->n + 1, sizeof *ms->v);
	ms->v[ms->n++] = m;
	return m;
}

void
fp_cli_unknown_fact(const char *cmd, const struct fp_mapping *m,
    const struct fp_canon_fact *f, const char *name)
{
	const struct fp_table *t = fp_mapping_table(m, f->table);

	if (!t)
		fp_cli_error(cmd, "%s:%zu: warning: form '%s' has no table '%s'; "
		    "its facts are passed over", name, f->line, m->name, f->table);
	else
		fp_cli_error(cmd, "%s:%zu: warning: table '%s' of form '%s' has "
		    "no field '%s'; its facts are passed over", name, f->line,
		    f->table, m->name, f->field);
}

void
fp_cli_mappings_release(struct fp_cli_mappings *ms)
{
	size_t i;

	fp_mapping_free(ms->fixed);
	for (i = 0; i < ms->n; i++)
		fp_mapping_free(ms->v[i]);
	free(ms->v);
	memset(ms, 0, sizeof *ms);
}

/* One field, guarded: a leading apostrophe before = + - @ tab CR. */
static void
safe_field(struct fp_buf *b, const char *s, size_t n)
{
	if (n && strchr("=+-@\t\r", s[0])) {
		struct fp_buf t = FP_BUF_INIT;

		fp_buf_addc(&t, '\'');
		fp_buf_add(&t, s, n);
		fp_csv_field(b, t.s, t.len);
		fp_buf_release(&t);
		return;
	}
	fp_csv_field(b, s, n);
}

void
fp_cli_csv_excel_safe(struct fp_buf *b, const char *line, size_t n)
{
	struct fp_buf field = FP_BUF_INIT;
	size_t i = 0;

	while (i < n && line[i] != '\n') {
		fp_buf_reset(&field);
		if (line[i] == '"') {
			/* Quoted: up to the quote not doubled. */
			for (i++; i < n; i++) {
				if (line[i] == '"' && i + 1 < n && line[i + 1] == '"')
					fp_buf_addc(&field, line[i++]);
				else if (line[i] == '"')
					break;
				else
					fp_buf_addc(&field, line[i]);
			}
			i++;
		} else {
			for (; i < n && line[i] != ',' && line[i] != '\n'; i++)
				fp_buf_addc(&field, line[i]);
		}
		safe_field(b, field.s ? field.s : "", field.len);
		if (i < n && line[i] == ',') {
			fp_buf_addc(b, ',');
			i++;
			if (i == n || line[i] == '\n')
				fp_csv_field(b, "", 0);
		}
	}
	fp_buf_addc(b, '\n');
	fp_buf_release(&field);
}

int
fp_cli_stdout_is_input(const char *cmd, const char *const *inputs, int n)
{
	struct stat out, st;
	int i;

	if (fstat(STDOUT_FILENO, &out) != 0 || !S_ISREG(out.st_mode))
		return 0;
	for (i = 0; i < (n ? n : 1); i++) {
		const char *in = n ? inputs[i] : "-";
		int r = strcmp(in, "-") ? stat(in, &st) :
		    fstat(STDIN_FILENO, &st);

		if (r == 0 && st.st_dev == out.st_dev && st.st_ino == out.st_ino) {
			fp_cli_error(cmd, "%s: is also standard output, which "
			    "would grow as it is read; write the output "
			    "elsewhere", fp_cli_name(in));
			return 2;
		}
	}
	return 0;
}

struct fp_outfile *
fp_cli_outfile(const char *cmd, const char *path, const char *const *inputs,
    int n)
{
	struct fp_outfile *o;
	struct fp_diag d = { "" };
	int i;

	o = fp_outfile_new(path, &d);
	if (!o) {
		fp_cli_report(cmd, NULL, FP_EWRITE, &d);
		return NULL;
	}
	/* -o - or /dev/stdout appended to an input (merge f.csv >> f.csv). */
	if (fp_outfile_is_stdout(o) && fp_cli_stdout_is_input(cmd, inputs, n)) {
		fp_outfile_abort(o);
		return NULL;
	}
	for (i = 0; i < (n ? n : 1); i++) {
		const char *in = n ? inputs[i] : "-";

		if (fp_outfile_is_input(o, in)) {
			fp_cli_error(cmd, "%s: is also an input (%s); give the "
			    "output another name", path, fp_cli_name(in));
			fp_outfile_abort(o);
			return NULL;
		}
	}
	return o;
}

int
fp_cli_commit(const char *cmd, struct fp_outfile *o)
{
	struct fp_diag d = { "" };
	enum fp_err err = fp_outfile_commit(o, &d);

	return err == FP_OK ? 0 : fp_cli_report(cmd, NULL, err, &d);
}

int
fp_cli_feed_facts(const char *cmd, const char *path, struct fp_checker *chk,
    FILE *passthrough, int *copy_err)
{
	const char *name = fp_cli_name(path);
	FILE *f = stdin;
	struct fp_canon_reader *r;
	struct fp_canon_fact fact;
	struct fp_diag d;
	int rc = 0, got;

	d.msg[0] = '\0';
	if (path && strcmp(path, "-")) {
		const char *why;

		if (!(f = fp_open_text(path, &why))) {
			fp_cli_error(cmd, "%s: %s", path, why);
			return 2;
		}
	}
	fp_oom_context(cmd, name);
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
		if (fp_checker_add(chk, &fact, &d) != FP_OK) {
			/* An empty message was said already. */
			if (*d.msg)
				fp_cli_error(cmd, "%s:%zu: %s", name, fact.line,
				    d.msg);
			rc = 2;
			goto out;
		}
	if (got < 0) {
		fp_cli_error(cmd, "%s:%s", name, d.msg);
		rc = 2;
	}
	if (fp_canon_tee_failed(r)) {
		if (!*copy_err)
			*copy_err = fp_canon_tee_failed(r);
		rc = 2;
	}
out:
	fp_canon_reader_free(r);
	if (f != stdin)
		fclose(f);
	return rc;
}

int
fp_cli_options(const char *cmd, const struct fp_opt *opts, const char *usage,
    int *argc, char **argv)
{
	struct fp_opts_out out;
	struct fp_diag d;

	if (fp_opts_parse(opts, *argc, argv, &out, &d) != FP_OK) {
		fp_cli_error(cmd, "%s", d.msg);
		if (out.unknown)
			fputs(usage, stderr);
		return 2;
	}
	if (out.help) {
		fputs(usage, stdout);
		if (fp_fshut(stdout) == 0)
			return 0;
		fp_cli_error(cmd, "<stdout>: write error: %s", strerror(errno));
		return 2;
	}
	*argc = out.nargs;
	return FP_CLI_GO_ON;
}

int
fp_cli_stdin_wanted(const char *cmd, const char *what)
{
	if (!isatty(STDIN_FILENO))
		return 0;
	fp_cli_error(cmd, "reading %s from standard input; give a file, or "
	    "pipe one in", what);
	return 2;
}
