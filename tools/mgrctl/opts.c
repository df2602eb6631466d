/* Options: one table for every option of every command, each command
 * naming the ones it takes beyond the common ones, so that parsing, the
 * help and the hint "goes before the command" all come from the same rows.
 * Numbers on the command line are read here too. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mgrctl.h"
#include "proto.h"

struct optdef {
	enum opt_id id;
	char shortname;		/* 0 for none */
	const char *longname;
	const char *arg;	/* the argument's name in help, NULL for a flag */
	const char *help;
};

static const struct optdef optdefs[] = {
	{ O_CONNECT, 'c', "connect", "ADDR",
	  "the manager (unix:PATH, tcp:HOST:PORT, ssh:HOST[:ADDR], exec:CMD)" },
	{ O_AUTHKEY, 0, "authkey-file", "FILE", "read the authentication key from FILE" },
	{ O_KEEPALIVE, 0, "keepalive", "SECONDS",
	  "ping every SECONDS, 0 for never (default 10 over tcp: and ssh:, else 0)" },
	{ O_SSH, 'o', "option", "KEY=VALUE",
	  "ssh: options: ssh_command=, port=, mgrd=, any of ssh's" },
	{ O_JSON, 0, "json", NULL, "print the result as one line of JSON" },
	{ O_TIMEOUT, 0, "timeout", "SECONDS", "give up a wait after SECONDS (exit status 3)" },
	{ O_OWNER, 0, "owner", "N", "act as owner N within the session" },
	{ O_BYTES, 0, "bytes", NULL, "send the value as raw bytes" },
	{ O_STRING, 0, "string", NULL, "send the value as a string even if it is JSON" },
	{ O_HELP, 'h', "help", NULL, "show this help" },
	{ O_LONG, 'l', "long", NULL, "show type, version, size and name" },
	{ O_RECURSIVE, 'r', "recursive", NULL, "delete containers and all they hold" },
	{ O_REVERSE, 'r', "reverse", NULL, "sort in descending order" },
	{ O_NOWAIT, 'n', "nowait", NULL, "never wait: exit with status 3 instead" },
	{ O_WAIT, 'w', "wait", "SECONDS", "the same as --timeout" },
	{ O_COUNT, 0, "count", "N", "exit after N events" },
	{ O_SHALLOW, 0, "no-recursive", NULL, "only changes to PATH itself" },
	{ O_EXIST_OK, 'p', "exist-ok", NULL, "an existing object of the same type is no error" },
	{ O_TYPECODE, 't', "typecode", "C", "element type: one of b B h H i I l L q Q f d u c" },
	{ O_SIZE, 0, "size", "N", "an array of N zeros" },
};

#define NOPTDEFS (sizeof(optdefs) / sizeof(optdefs[0]))

/* Help. */

static void print_opt(FILE *f, const struct optdef *d)
{
	char left[64];

	snprintf(left, sizeof(left), "%s%c%s--%s%s%s", d->shortname ? "-" : " ",
		 d->shortname ? d->shortname : ' ', d->shortname ? ", " : "  ",
		 d->longname, d->arg ? " " : "", d->arg ? d->arg : "");
	fprintf(f, "  %-26s %s\n", left, d->help);
}

void opts_print(FILE *f, unsigned mask)
{
	size_t i;

	for (i = 0; i < NOPTDEFS; i++)
		if (mask & OPT(optdefs[i].id))
			print_opt(f, &optdefs[i]);
}

/* Argument parsing. */

int opts_parse_i64(const char *s, size_t len, int64_t *out)
{
	char buf[32], *end;
	long long v;

	if (len == 0 || len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	errno = 0;
	v = strtoll(buf, &end, 10);
	if (errno || *end || isspace((unsigned char)buf[0]))
		return -EINVAL;
	*out = v;
	return 0;
}

int opts_parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end)
		return -EINVAL;
	*out = v;
	return 0;
}

int opts_parse_seconds(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v < 0)
		return -EINVAL;
	*out = v;
	return 0;
}

/* A word starting with '-' is an option unless it is "-" (standard input)
 * or a negative number (an index or a value). */
static bool is_option(const char *a)
{
	return a[0] == '-' && a[1] && !isdigit((unsigned char)a[1]) && a[1] != '.';
}

/* -o KEY=VALUE[,KEY=VALUE]...: a comma within a value is written "\\,",
 * as mount options are.  ssh_command= and mgrd= are ours, the rest go to
 * ssh. */
static int add_ssh_opts(struct sess *s, const char *val)
{
	const char **grown_opts;
	char *copy, **grown, *item, *r, *w;
	const char *why;
	bool last;

	copy = strdup(val);
	grown = realloc(s->ssh_args, (s->nssh_args + 1) * sizeof(*grown));
	if (!copy || !grown) {
		free(copy);
		if (grown)
			s->ssh_args = grown;
		return sess_fail(s, ENOMEM, "out of memory");
	}
	s->ssh_args = grown;
	s->ssh_args[s->nssh_args++] = copy;
	for (item = r = w = copy;; r++) {
		if (*r == '\\' && r[1] == ',') {
			*w++ = *++r;
			continue;
		}
		if (*r != ',' && *r != '\0') {
			*w++ = *r;
			continue;
		}
		last = *r == '\0';
		*w = '\0';
		if (!strncmp(item, "ssh_command=", 12) || !strncmp(item, "mgrd=", 5)) {
			const char *v = strchr(item, '=') + 1;

			if (!v[strspn(v, " \t")])
				return sess_usage_err(s, NULL, "-o %s: empty value", item);
			/* The first value counts, as it does for ssh's own
			 * options. */
			if (item[0] == 's' && !s->ssh.command)
				s->ssh.command = v;
			else if (item[0] == 'm' && !s->ssh.mgrd)
				s->ssh.mgrd = v;
		} else if (*item) {
			if (mgr_ssh_option_check(item, &why) < 0)
				return sess_usage_err(s, NULL, "-o %s: %s", item, why);
			grown_opts = realloc(s->ssh_options,
					     (s->nssh_options + 2) * sizeof(*grown_opts));
			if (!grown_opts)
				return sess_fail(s, ENOMEM, "out of memory");
			s->ssh_options = grown_opts;
			s->ssh_options[s->nssh_options++] = item;
			s->ssh_options[s->nssh_options] = NULL;
			s->ssh.options = s->ssh_options;
		}
		if (last)
			return ST_OK;
		item = w = r + 1;
	}
}

static int apply_opt(struct sess *s, const struct cmd *cmd, struct opts *o,
		     const struct optdef *d, const char *val)
{
	switch (d->id) {
	case O_JSON: o->json = true; break;
	case O_BYTES: o->bytes = true; break;
	case O_STRING: o->string = true; break;
	case O_HELP: o->help = true; break;
	case O_LONG: o->long_list = true; break;
	case O_RECURSIVE: o->recursive = true; break;
	case O_REVERSE: o->reverse = true; break;
	case O_NOWAIT: o->nowait = true; break;
	case O_SHALLOW: o->shallow = true; break;
	case O_EXIST_OK: o->exist_ok = true; break;
	case O_CONNECT: o->addr = val; break;
	case O_AUTHKEY: o->keyfile = val; break;
	case O_KEEPALIVE:
		if (opts_parse_u64(val, &o->keepalive) < 0 || o->keepalive > MGR_KEEPALIVE_MAX)
			return sess_usage_err(s, cmd, "bad keepalive: '%s' (0 to %d seconds)", val,
					      MGR_KEEPALIVE_MAX);
		o->has_keepalive = true;
		break;
	case O_SSH: return add_ssh_opts(s, val);
	case O_TIMEOUT:
	case O_WAIT:
		if (opts_parse_seconds(val, &o->timeout) < 0)
			return sess_usage_err(s, cmd, "bad number of seconds: '%s'", val);
		o->has_timeout = true;
		break;
	case O_OWNER:
		if (opts_parse_u64(val, &o->owner) < 0)
			return sess_usage_err(s, cmd, "bad owner: '%s'", val);
		o->has_owner = true;
		break;
	case O_COUNT:
		if (opts_parse_u64(val, &o->count) < 0 || o->count == 0)
			return sess_usage_err(s, cmd, "bad count: '%s'", val);
		break;
	case O_SIZE:
		if (opts_parse_u64(val, &o->size) < 0)
			return sess_usage_err(s, cmd, "bad size: '%s'", val);
		o->has_size = true;
		break;
	case O_TYPECODE:
		if (strlen(val) != 1)
			return sess_usage_err(s, cmd, "a typecode is one letter: '%s'", val);
		o->typecode = val;
		break;
	}
	return ST_OK;
}

static const struct optdef *find_opt(unsigned mask, char shortname, const char *longname,
				     size_t len)
{
	size_t i;

	for (i = 0; i < NOPTDEFS; i++) {
		const struct optdef *d = &optdefs[i];

		if (!(mask & OPT(d->id)))
			continue;
		if (longname ? strlen(d->longname) == len && !strncmp(d->longname, longname, len)
			     : d->shortname == shortname)
			return d;
	}
	return NULL;
}

static int unknown_opt(struct sess *s, const struct cmd *cmd, const char *what, size_t len)
{
	if (cmd && find_opt(OPTS_MAIN, what[1] != '-' ? what[1] : 0,
			    what[1] == '-' ? what + 2 : NULL, len - 2))
		return sess_usage_err(s, cmd, "option '%.*s' goes before the command", (int)len,
				      what);
	return sess_usage_err(s, cmd, "unknown option '%.*s'", (int)len, what);
}

int opts_parse(struct sess *s, const struct cmd *cmd, unsigned mask, int argc, char **argv,
	       struct opts *o, char **pos, int *npos, int rest_after)
{
	const struct optdef *d;
	const char *a, *val;
	int i, st;

	*npos = 0;
	for (i = 0; i < argc; i++) {
		a = argv[i];
		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if (!is_option(a)) {
			if (rest_after >= 0 && *npos >= rest_after)
				break;
			pos[(*npos)++] = (char *)a;
			continue;
		}
		if (a[1] == '-') {
			const char *eq = strchr(a, '=');
			size_t len = eq ? (size_t)(eq - a - 2) : strlen(a + 2);

			d = find_opt(mask, 0, a + 2, len);
			if (!d)
				return unknown_opt(s, cmd, a, len + 2);
			val = NULL;
			if (d->arg) {
				val = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
				if (!val)
					return sess_usage_err(s, cmd, "option '--%s' needs %s",
							      d->longname, d->arg);
			} else if (eq) {
				return sess_usage_err(s, cmd, "option '--%s' takes no argument",
						      d->longname);
			}
			st = apply_opt(s, cmd, o, d, val);
			if (st)
				return st;
			continue;
		}
		for (a++; *a; a++) {
			char flag[3] = { '-', *a, '\0' };

			d = find_opt(mask, *a, NULL, 0);
			if (!d)
				return unknown_opt(s, cmd, flag, 2);
			val = NULL;
			if (d->arg) {
				val = a[1] ? a + 1 : (i + 1 < argc ? argv[++i] : NULL);
				if (!val)
					return sess_usage_err(s, cmd, "option '-%c' needs %s", *a,
							      d->arg);
			}
			st = apply_opt(s, cmd, o, d, val);
			if (st)
				return st;
			if (val)
				break;
		}
	}
	while (i < argc)
		pos[(*npos)++] = argv[i++];
	pos[*npos] = NULL;
	return ST_OK;
}
