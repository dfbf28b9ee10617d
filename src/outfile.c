/*
 * Output files and the process's temporaries. Owns the private folder an
 * output is written in until it is renamed into place, and the table of
 * paths a signal handler removes before the process dies of that signal.
 * The handler calls only unlink, rmdir, sigaction and raise, which are
 * async-signal-safe; the table is changed with those signals blocked.
 */
#include "outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* --- temporaries removed on a signal --- */

#define MAX_TEMPS 16

static struct {
	char *path;
	int is_dir;
} temps[MAX_TEMPS];
static volatile sig_atomic_t ntemps;
static int handlers_set;

static const int caught[] = {
	SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGQUIT, SIGALRM, SIGUSR1, SIGUSR2,
};

static void
remove_temps(void)
{
	sig_atomic_t i;

	/* Newest first: a folder's files go before the folder. */
	for (i = ntemps; i > 0; i--) {
		if (!temps[i - 1].path)
			continue;
		if (temps[i - 1].is_dir)
			rmdir(temps[i - 1].path);
		else
			unlink(temps[i - 1].path);
	}
}

static void
on_signal(int sig)
{
	struct sigaction sa;

	remove_temps();
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
	raise(sig);
}

/* Installs the handler, leaving alone a signal the process ignores. */
static void
set_handlers(void)
{
	struct sigaction sa, old;
	size_t i;

	if (handlers_set)
		return;
	handlers_set = 1;
	fp_oom_cleanup(remove_temps);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof caught / sizeof caught[0]; i++)
		sigaddset(&sa.sa_mask, caught[i]);
	for (i = 0; i < sizeof caught / sizeof caught[0]; i++) {
		if (sigaction(caught[i], NULL, &old) == 0 &&
		    old.sa_handler == SIG_IGN)
			continue;
		sigaction(caught[i], &sa, NULL);
	}
	/*
	 * Past the file size limit (ulimit -f) a write fails with EFBIG,
	 * said and cleaned up as a full disk is, rather than killing the
	 * process with its temporaries left.
	 */
	sa.sa_handler = SIG_IGN;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGXFSZ, &sa, NULL);
}

static void
block(sigset_t *old)
{
	sigset_t set;
	size_t i;

	sigemptyset(&set);
	for (i = 0; i < sizeof caught / sizeof caught[0]; i++)
		sigaddset(&set, caught[i]);
	sigprocmask(SIG_BLOCK, &set, old);
}

int
fp_temp_register(const char *path, int is_dir)
{
	sigset_t old;
	int rc = -1;

	set_handlers();
	block(&old);
	if (ntemps < MAX_TEMPS) {
		temps[ntemps].path = fp_xstrdup(path);
		temps[ntemps].is_dir = is_dir;
		ntemps++;
		rc = 0;
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	return rc;
}

int
fp_temp_mkstemp(char *template)
{
	sigset_t old;
	int fd;

	set_handlers();
	block(&old);
	fd = mkstemp(template);
	if (fd >= 0)
		fp_temp_register(template, 0);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return fd;
}

void
fp_temp_forget(const char *path)
{
	sigset_t old;
	sig_atomic_t i;

	block(&old);
	for (i = ntemps; i > 0; i--) {
		if (temps[i - 1].path && !strcmp(temps[i - 1].path, path)) {
			free(temps[i - 1].path);
			temps[i - 1].path = NULL;
			break;
		}
	}
	while (ntemps > 0 && !temps[ntemps - 1].path)
		ntemps--;
	sigprocmask(SIG_SETMASK, &old, NULL);
}

/* --- output files --- */

struct fp_outfile {
	char *name;		/* as given */
	char *target;		/* the file replaced; NULL for stdout */
	char *dir;		/* the private folder */
	char *tmp;		/* what is written, in dir */
	int exists;		/* target exists: its identity and mode */
	dev_t dev;
	ino_t ino;
	mode_t mode;
	uid_t uid;
	gid_t gid;
};

static void
outfile_free(struct fp_outfile *o)
{
	free(o->name);
	free(o->target);
	free(o->dir);
	free(o->tmp);
	free(o);
}

/*
 * Makes the private folder: "DIR/.formpipe-XXXXXX", mode 0700, and names
 * the file written in it "out". A short fixed name, not the target's:
 * a target's name may be as long as a name can be (NAME_MAX), and then
 * one a suffix is added to (the .xlsx rewrite's) would be too long.
 */
static int
make_dir(struct fp_outfile *o, const char *in, size_t inlen)
{
	o->dir = fp_xmalloc(inlen + 32);
	memcpy(o->dir, in, inlen);
	strcpy(o->dir + inlen, inlen ? "/.formpipe-XXXXXX" :
	    ".formpipe-XXXXXX");
	{
		sigset_t old;
		char *made;

		set_handlers();
		block(&old);
		made = mkdtemp(o->dir);
		if (made)
			fp_temp_register(o->dir, 1);
		sigprocmask(SIG_SETMASK, &old, NULL);
		if (!made)
			return -1;
	}
	o->tmp = fp_xmalloc(strlen(o->dir) + sizeof "/out");
	sprintf(o->tmp, "%s/out", o->dir);
	fp_temp_register(o->tmp, 0);
	return 0;
}

struct fp_outfile *
fp_outfile_new(const char *path, struct fp_diag *d)
{
	struct fp_outfile *o = fp_xcalloc(1, sizeof *o);
	struct stat ls, st, out;
	const char *slash, *base;
	int to_stdout = !strcmp(path, "-");

	o->name = fp_xstrdup(to_stdout ? "<stdout>" : path);
	if (!to_stdout && lstat(path, &ls) == 0) {
		if (stat(path, &st) != 0) {
			fp_diag(d, FP_EWRITE, "%s: a symbolic link to nothing "
			    "(%s); give the file's own name", path,
			    strerror(errno));
			goto fail;
		}
		if (fstat(STDOUT_FILENO, &out) == 0 && out.st_dev == st.st_dev &&
		    out.st_ino == st.st_ino) {
			/* /dev/stdout and the like: the file open as stdout. */
			to_stdout = 1;
		} else if (fstat(STDERR_FILENO, &out) == 0 &&
		    out.st_dev == st.st_dev && out.st_ino == st.st_ino) {
			/* 2>log --report /dev/stderr: the log is not replaced. */
			fp_diag(d, FP_EWRITE, "%s: the file standard error goes "
			    "to (its messages would be lost); give another "
			    "name", path);
			goto fail;
		} else if (!S_ISREG(st.st_mode)) {
			fp_diag(d, FP_EWRITE, "%s: not a regular file; give a "
			    "file's name, or - for standard output", path);
			goto fail;
		} else {
			o->exists = 1;
			o->dev = st.st_dev;
			o->ino = st.st_ino;
			o->mode = st.st_mode & 07777;
			o->uid = st.st_uid;
			o->gid = st.st_gid;
			o->target = S_ISLNK(ls.st_mode) ? realpath(path, NULL) :
			    fp_xstrdup(path);
			if (!o->target) {
				fp_diag(d, FP_EWRITE, "%s: %s", path,
				    strerror(errno));
				goto fail;
			}
		}
	} else if (!to_stdout && errno != ENOENT) {
		fp_diag(d, FP_EWRITE, "%s: %s", path, strerror(errno));
		goto fail;
	} else if (!to_stdout) {
		o->target = fp_xstrdup(path);
	}
	if (to_stdout) {
		const char *tmpdir = getenv("TMPDIR");

		if (isatty(STDOUT_FILENO)) {
			fp_diag(d, FP_EWRITE, "standard output is a terminal; "
			    "give a file's name, or pipe the output on");
			goto fail;
		}
		if (!tmpdir || !*tmpdir)
			tmpdir = "/tmp";
		if (make_dir(o, tmpdir, strlen(tmpdir)) != 0) {
			fp_diag(d, FP_EWRITE, "cannot make a temporary folder "
			    "in %s: %s", tmpdir, strerror(errno));
			goto fail;
		}
		return o;
	}
	if (!o->exists) {
		mode_t mask = umask(0);

		umask(mask);
		o->mode = 0666 & ~mask;
	}
	slash = strrchr(o->target, '/');
	base = slash ? slash + 1 : o->target;
	if (!*base) {
		fp_diag(d, FP_EWRITE, "%s: not a file's name", path);
		goto fail;
	}
	if (make_dir(o, o->target, slash ? (size_t)(slash - o->target) +
	    (slash == o->target) : 0) != 0) {
		fp_diag(d, FP_EWRITE, "cannot write in the folder of %s: %s",
		    path, strerror(errno));
		goto fail;
	}
	return o;
fail:
	outfile_free(o);
	return NULL;
}

int
fp_outfile_is_input(const struct fp_outfile *o, const char *path)
{
	struct stat st;
	int r;

	if (!o->exists)
		return 0;
	r = !path || !strcmp(path, "-") ? fstat(STDIN_FILENO, &st) :
	    stat(path, &st);
	return r == 0 && st.st_dev == o->dev && st.st_ino == o->ino;
}

const char *
fp_outfile_path(const struct fp_outfile *o)
{
	return o->tmp;
}

const char *
fp_outfile_name(const struct fp_outfile *o)
{
	return o->name;
}

int
fp_outfile_is_stdout(const struct fp_outfile *o)
{
	return o->target == NULL;
}

/* Removes the private folder and what is in it. */
static void
remove_private(struct fp_outfile *o)
{
	unlink(o->tmp);
	fp_temp_forget(o->tmp);
	rmdir(o->dir);
	fp_temp_forget(o->dir);
}

/* Copies the written file to standard output. */
static enum fp_err
copy_to_stdout(struct fp_outfile *o, struct fp_diag *d)
{
	char buf[65536];
	ssize_t n;
	int fd = open(o->tmp, O_RDONLY);

	if (fd < 0)
		return fp_diag(d, FP_EWRITE, "%s: %s", o->name, strerror(errno));
	while ((n = read(fd, buf, sizeof buf)) != 0) {
		ssize_t off = 0;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		while (off < n) {
			ssize_t w = write(STDOUT_FILENO, buf + off,
			    (size_t)(n - off));

			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				close(fd);
				return fp_diag(d, FP_EWRITE, "%s: write error: "
				    "%s", o->name, strerror(errno));
			}
			off += w;
		}
	}
	if (n < 0) {
		close(fd);
		return fp_diag(d, FP_EWRITE, "%s: %s", o->name, strerror(errno));
	}
	close(fd);
	return FP_OK;
}

/* Makes the written file durable, with the target's permissions. */
static enum fp_err
settle(struct fp_outfile *o, struct fp_diag *d)
{
	int fd = open(o->tmp, O_RDONLY);

	if (fd < 0)
		return fp_diag(d, FP_EWRITE, "%s: %s", o->name, strerror(errno));
	/* As root, the replacement keeps the old file's owner. */
	if (o->exists && geteuid() == 0 && fchown(fd, o->uid, o->gid) != 0) {
		close(fd);
		return fp_diag(d, FP_EWRITE, "%s: %s", o->name, strerror(errno));
	}
	if (fchmod(fd, o->mode) != 0 || fsync(fd) != 0) {
		close(fd);
		return fp_diag(d, FP_EWRITE, "%s: %s", o->name, strerror(errno));
	}
	close(fd);
	return FP_OK;
}

enum fp_err
fp_outfile_commit(struct fp_outfile *o, struct fp_diag *d)
{
	enum fp_err err;

	if (!o->target) {
		err = copy_to_stdout(o, d);
	} else {
		err = settle(o, d);
		if (err == FP_OK && rename(o->tmp, o->target) != 0)
			err = fp_diag(d, FP_EWRITE, "%s: %s", o->name,
			    strerror(errno));
	}
	remove_private(o);
	outfile_free(o);
	return err;
}

void
fp_outfile_abort(struct fp_outfile *o)
{
	if (!o)
		return;
	remove_private(o);
	outfile_free(o);
}
