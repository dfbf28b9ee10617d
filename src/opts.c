/*
 * One option parser for every subcommand: walks argv once, matching each
 * option against the command's table and setting what the entry names.
 * It owns nothing and prints nothing; what is wrong goes back in a
 * diagnostic for the command to print with its usage.
 */
#include "opts.h"

#include <string.h>

static const struct fp_opt *
find_short(const struct fp_opt *opts, char c)
{
	for (; opts->type != FP_OPT_END; opts++)
		if (opts->sname && opts->sname == c)
			return opts;
	return NULL;
}

static const struct fp_opt *
find_long(const struct fp_opt *opts, const char *name, size_t len)
{
	for (; opts->type != FP_OPT_END; opts++)
		if (opts->lname && strlen(opts->lname) == len &&
		    !memcmp(opts->lname, name, len))
			return opts;
	return NULL;
}

/* How an option is named in a message: "--mapping" or "-m". */
static const char *
shown(const struct fp_opt *o, char *buf)
{
	if (o->lname)
		return o->lname;
	buf[0] = o->sname;
	buf[1] = '\0';
	return buf;
}

static const char *
dashes(const struct fp_opt *o)
{
	return o->lname ? "--" : "-";
}

static enum fp_err needs_arg(const struct fp_opt *o, struct fp_diag *d);

/* Gives option o its argument (NULL for a flag). */
static enum fp_err
apply(const struct fp_opt *o, const char *arg, struct fp_diag *d)
{
	char nm[2];
	enum fp_err err;

	switch (o->type) {
	case FP_OPT_BOOL:
		*(int *)o->value = 1;
		return FP_OK;
	case FP_OPT_STRING:
		/* --mapping= or -m '': no file, no name. */
		if (!*arg)
			return needs_arg(o, d);
		*(const char **)o->value = arg;
		return FP_OK;
	case FP_OPT_CALLBACK:
		err = o->fn(o->value, arg, d);
		if (err != FP_OK && d) {
			char msg[sizeof d->msg];

			memcpy(msg, d->msg, sizeof msg);
			fp_diag(d, err, "%s%s %s", dashes(o), shown(o, nm),
			    msg);
		}
		return err;
	case FP_OPT_END:
		break;
	}
	return FP_OK;
}

static enum fp_err
needs_arg(const struct fp_opt *o, struct fp_diag *d)
{
	char nm[2];

	return fp_diag(d, FP_EUSAGE, "option '%s%s' needs a value (%s)",
	    dashes(o), shown(o, nm), o->argname ? o->argname : "an argument");
}

/* A long option at argv[*i] (past its "--"). */
static enum fp_err
parse_long(const struct fp_opt *opts, int argc, char **argv, int *i,
    struct fp_opts_out *out, struct fp_diag *d)
{
	const char *name = argv[*i] + 2, *eq = strchr(name, '=');
	size_t len = eq ? (size_t)(eq - name) : strlen(name);
	const struct fp_opt *o = find_long(opts, name, len);

	if (!o) {
		if (len == 4 && !memcmp(name, "help", 4) && !eq) {
			out->help = 1;
			return FP_OK;
		}
		out->unknown = 1;
		return fp_diag(d, FP_EUSAGE, "unknown option '--%.*s'",
		    (int)len, name);
	}
	if (o->type == FP_OPT_BOOL) {
		if (eq) {
			out->unknown = 1;
			return fp_diag(d, FP_EUSAGE, "option '--%s' takes no "
			    "value", o->lname);
		}
		return apply(o, NULL, d);
	}
	if (eq)
		return apply(o, eq + 1, d);
	if (*i + 1 >= argc)
		return needs_arg(o, d);
	return apply(o, argv[++*i], d);
}

/* One or more short options bundled at argv[*i] (past its "-"). */
static enum fp_err
parse_short(const struct fp_opt *opts, int argc, char **argv, int *i,
    struct fp_opts_out *out, struct fp_diag *d)
{
	const char *p = argv[*i] + 1;
	enum fp_err err;

	for (; *p; p++) {
		const struct fp_opt *o = find_short(opts, *p);

		if (!o) {
			if (*p == 'h') {
				out->help = 1;
				continue;
			}
			out->unknown = 1;
			/* The whole word when it is one unknown option. */
			if (p == argv[*i] + 1)
				return fp_diag(d, FP_EUSAGE, "unknown option "
				    "'%s'", argv[*i]);
			return fp_diag(d, FP_EUSAGE, "unknown option '-%c' "
			    "(in '%s')", *p, argv[*i]);
		}
		if (o->type == FP_OPT_BOOL) {
			err = apply(o, NULL, d);
			if (err)
				return err;
			continue;
		}
		/* The rest of the word is the value (-mFILE), else the next. */
		if (p[1])
			return apply(o, p + 1, d);
		if (*i + 1 >= argc) {
			return fp_diag(d, FP_EUSAGE, "option '-%c' needs a "
			    "value (%s)", *p, o->argname ? o->argname :
			    "an argument");
		}
		return apply(o, argv[++*i], d);
	}
	return FP_OK;
}

enum fp_err
fp_opts_parse(const struct fp_opt *opts, int argc, char **argv,
    struct fp_opts_out *out, struct fp_diag *d)
{
	enum fp_err err = FP_OK;
	int i, n = 0, only_operands = 0;

	memset(out, 0, sizeof *out);
	for (i = 1; i < argc; i++) {
		char *a = argv[i];

		if (only_operands || a[0] != '-' || !a[1]) {
			argv[n++] = a;
			continue;
		}
		if (!strcmp(a, "--")) {
			only_operands = 1;
			continue;
		}
		if (a[1] == '-')
			err = parse_long(opts, argc, argv, &i, out, d);
		else
			err = parse_short(opts, argc, argv, &i, out, d);
		if (err)
			break;
	}
	out->nargs = n;
	return err;
}
