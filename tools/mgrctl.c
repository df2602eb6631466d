/* mgrctl: the command-line client of a manager.
 *
 * One invocation is one session: whatever it acquires is given back when it
 * exits, so "mgrctl lock" and "mgrctl batch" are the ways to hold something
 * across several steps.  The commands are rows of a table that name the op
 * they send, the positional arguments they take and how the result is
 * shown; only commands that are more than one request have handlers of
 * their own. */

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "auth.h"
#include "buf.h"
#include "client.h"
#include "json.h"
#include "proto.h"
#include "path.h"

/* Exit statuses. */
enum {
	ST_OK = 0,
	ST_ERR = 1,
	ST_USAGE = 2,
	ST_TIMEOUT = 3,
};

enum opt_id {
	O_JSON, O_TIMEOUT, O_OWNER, O_BYTES, O_STRING,
	O_CONNECT, O_AUTHKEY, O_KEEPALIVE, O_SSH, O_HELP,
	O_LONG, O_RECURSIVE, O_REVERSE, O_NOWAIT, O_WAIT, O_COUNT,
	O_SHALLOW, O_EXIST_OK, O_TYPECODE, O_SIZE,
};

#define OPT(id) (1u << (id))
/* Options that may follow any command as well as precede it. */
#define OPTS_COMMON (OPT(O_JSON) | OPT(O_TIMEOUT) | OPT(O_OWNER) | OPT(O_BYTES) | OPT(O_STRING))
/* The connection is made once per session, so these only precede the
 * command. */
#define OPTS_MAIN (OPTS_COMMON | OPT(O_CONNECT) | OPT(O_AUTHKEY) | OPT(O_KEEPALIVE) | \
		   OPT(O_SSH) | OPT(O_HELP))

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

struct opts {
	bool json, bytes, string, nowait, long_list, recursive, reverse;
	bool shallow, exist_ok, help;
	bool has_timeout, has_owner, has_size, has_keepalive;
	double timeout;
	uint64_t keepalive;
	uint64_t owner, count, size;
	const char *typecode;
	const char *addr, *keyfile;
};

struct sess {
	struct opts defaults;	/* the options given before the command */
	/* -o: how an ssh: address connects.  Its strings point into
	 * ssh_args, the copies of the arguments of -o. */
	struct mgr_ssh_opts ssh;
	const char **ssh_options;	/* NULL-terminated, or NULL */
	size_t nssh_options;
	char **ssh_args;
	size_t nssh_args;
	struct mgr_client *client;
	unsigned lineno;	/* the batch line being run; 0 outside batch */
	bool in_batch;
	int closed;		/* -errno once the connection has ended */
	/* A running watch: which subscription, how many events were shown. */
	bool watching;
	bool watch_json;
	uint64_t sub, seen, limit;
};

struct cmd;
typedef int (*cmd_fn)(struct sess *s, const struct cmd *cmd, const struct opts *o,
		      int argc, char **argv);

/* How a result is shown without --json. */
enum out {
	OUT_NONE,	/* nothing: the exit status says it */
	OUT_PRINT,	/* a value: strings raw, data as "get" shows them */
	OUT_TRUE,	/* nothing, but false is exit status 3 */
	OUT_JSON,	/* JSON, even without --json */
	OUT_NAMED,	/* NAME<TAB>JSON */
	OUT_STAT,	/* key: value lines */
};

enum {
	CMD_WAITS = 1,		/* sends "block" and "timeout" */
	CMD_COMMAND = 2,	/* PATH then a command line to run */
};

/* Positional arguments of a generic command, one letter each:
 *   P  path (required)     p  path, the root when absent
 *   V  a value: "value" or "bytes"
 *   i  integer "index"     n  integer "n"
 *   s  integer "start"     e  integer "stop"
 *   S  INDEX or START:STOP t  string "to"
 * and '[' makes the arguments after it optional. */
struct cmd {
	const char *name;	/* NULL for a heading in the help */
	const char *args;
	const char *help;
	const char *more;	/* more lines for "mgrctl help NAME", or NULL */
	cmd_fn fn;
	const char *op;		/* the op sent (generic commands) */
	const char *spec;	/* positional arguments (generic commands) */
	unsigned opts;		/* options beyond OPTS_COMMON */
	int flags;
	enum out out;
	int min, max;		/* positional count of special commands; -1: any */
};

static int run_words(struct sess *s, int argc, char **argv);

/* Messages.  Every failure is one line on stderr; inside batch it names
 * the line. */

/* The wire's name of an errno value (ENOTSUP, not glibc's EOPNOTSUPP),
 * else the C library's. */
static const char *errname(int err)
{
	const char *name;

	if (err < 0)
		err = -err;
	name = mgr_errno_name(err);
	if (strcmp(name, "EIO") || err == EIO)
		return name;
	name = strerrorname_np(err);
	return name ? name : "EIO";
}

/* One write for the whole line, so that the messages of mgrctls that
 * share a terminal do not interleave. */
static void vwarn_named(struct sess *s, const char *name, const char *fmt, va_list ap)
{
	char line[1024];
	size_t n;

	n = snprintf(line, sizeof(line), "mgrctl: ");
	if (s && s->lineno)
		n += snprintf(line + n, sizeof(line) - n, "line %u: ", s->lineno);
	if (n < sizeof(line))
		n += vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	if (name && n < sizeof(line))
		n += snprintf(line + n, sizeof(line) - n, " (%s)", name);
	if (n >= sizeof(line) - 1)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	fflush(stdout);
	if (write(2, line, n) < 0)
		return;
}

static int fail_named(struct sess *s, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail_named(struct sess *s, const char *name, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn_named(s, name, fmt, ap);
	va_end(ap);
	return ST_ERR;
}

/* err is an errno value of either sign. */
static int fail(struct sess *s, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(struct sess *s, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn_named(s, errname(err), fmt, ap);
	va_end(ap);
	return ST_ERR;
}

static int usage_err(struct sess *s, const struct cmd *cmd, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int usage_err(struct sess *s, const struct cmd *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn_named(s, NULL, fmt, ap);
	va_end(ap);
	if (cmd)
		fprintf(stderr, "usage: mgrctl %s%s%s\n", cmd->name, *cmd->args ? " " : "",
			cmd->args);
	else
		fputs("Try 'mgrctl --help'.\n", stderr);
	return ST_USAGE;
}

/* Help. */

static void print_opt(FILE *f, const struct optdef *d)
{
	char left[64];

	snprintf(left, sizeof(left), "%s%c%s--%s%s%s", d->shortname ? "-" : " ",
		 d->shortname ? d->shortname : ' ', d->shortname ? ", " : "  ",
		 d->longname, d->arg ? " " : "", d->arg ? d->arg : "");
	fprintf(f, "  %-26s %s\n", left, d->help);
}

static void print_opts(FILE *f, unsigned mask)
{
	size_t i;

	for (i = 0; i < NOPTDEFS; i++)
		if (mask & OPT(optdefs[i].id))
			print_opt(f, &optdefs[i]);
}

/* Argument parsing. */

static int parse_i64(const char *s, size_t len, int64_t *out)
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

static int parse_u64(const char *s, uint64_t *out)
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

static int parse_seconds(const char *s, double *out)
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
		return fail(s, ENOMEM, "out of memory");
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
				return usage_err(s, NULL, "-o %s: empty value", item);
			/* The first value counts, as it does for ssh's own
			 * options. */
			if (item[0] == 's' && !s->ssh.command)
				s->ssh.command = v;
			else if (item[0] == 'm' && !s->ssh.mgrd)
				s->ssh.mgrd = v;
		} else if (*item) {
			if (mgr_ssh_option_check(item, &why) < 0)
				return usage_err(s, NULL, "-o %s: %s", item, why);
			grown_opts = realloc(s->ssh_options,
					     (s->nssh_options + 2) * sizeof(*grown_opts));
			if (!grown_opts)
				return fail(s, ENOMEM, "out of memory");
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
		if (parse_u64(val, &o->keepalive) < 0 || o->keepalive > MGR_KEEPALIVE_MAX)
			return usage_err(s, cmd, "bad keepalive: '%s' (0 to %d seconds)", val,
					 MGR_KEEPALIVE_MAX);
		o->has_keepalive = true;
		break;
	case O_SSH: return add_ssh_opts(s, val);
	case O_TIMEOUT:
	case O_WAIT:
		if (parse_seconds(val, &o->timeout) < 0)
			return usage_err(s, cmd, "bad number of seconds: '%s'", val);
		o->has_timeout = true;
		break;
	case O_OWNER:
		if (parse_u64(val, &o->owner) < 0)
			return usage_err(s, cmd, "bad owner: '%s'", val);
		o->has_owner = true;
		break;
	case O_COUNT:
		if (parse_u64(val, &o->count) < 0 || o->count == 0)
			return usage_err(s, cmd, "bad count: '%s'", val);
		break;
	case O_SIZE:
		if (parse_u64(val, &o->size) < 0)
			return usage_err(s, cmd, "bad size: '%s'", val);
		o->has_size = true;
		break;
	case O_TYPECODE:
		if (strlen(val) != 1)
			return usage_err(s, cmd, "a typecode is one letter: '%s'", val);
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
		return usage_err(s, cmd, "option '%.*s' goes before the command", (int)len, what);
	return usage_err(s, cmd, "unknown option '%.*s'", (int)len, what);
}

/* Parse argv's options allowed by mask into o and collect the rest in pos
 * (NULL-terminated, room for argc + 1).  Once rest_after positionals are
 * collected (-1: never), the next word that is not an option, and all
 * after it, are taken verbatim: a command and its arguments. */
static int parse_opts(struct sess *s, const struct cmd *cmd, unsigned mask, int argc,
		      char **argv, struct opts *o, char **pos, int *npos, int rest_after)
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
					return usage_err(s, cmd, "option '--%s' needs %s",
							 d->longname, d->arg);
			} else if (eq) {
				return usage_err(s, cmd, "option '--%s' takes no argument",
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
					return usage_err(s, cmd, "option '-%c' needs %s", *a, d->arg);
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

/* The positional counts a spec allows. */
static void spec_counts(const char *spec, int *min, int *max)
{
	bool optional = false;

	*min = *max = 0;
	for (; *spec; spec++) {
		if (*spec == '[') {
			optional = true;
			continue;
		}
		(*max)++;
		if (!optional && *spec != 'p')
			(*min)++;
	}
}

/* Talking to the manager. */

static void on_event(void *arg, yajl_val ev);

static void on_close(void *arg, int err)
{
	struct sess *s = arg;

	s->closed = err ? err : -ECONNRESET;
}

static const char *sess_addr(const struct sess *s)
{
	return s->defaults.addr ? s->defaults.addr : getenv("MGRFS_ADDR");
}

/* The keepalive interval the session asks for. */
static unsigned sess_keepalive(const struct sess *s)
{
	const char *addr = sess_addr(s);

	if (s->defaults.has_keepalive)
		return s->defaults.keepalive;
	if (addr && (strncmp(addr, "tcp:", 4) == 0 || strncmp(addr, "ssh:", 4) == 0))
		return MGR_KEEPALIVE_REMOTE;
	return 0;
}

/* Wait until fd is ready for events, answering the manager's keepalive
 * meanwhile, which the client does only when asked.  Once the connection
 * is gone this only waits for fd.  0 or -errno. */
static int serve_until(struct sess *s, int fd, short events)
{
	struct pollfd pfd[2] = {
		{ .fd = fd, .events = events },
		{ .fd = s->client && !s->closed ? mgr_client_fd(s->client) : -1, .events = POLLIN },
	};
	int r;

	for (;;) {
		r = poll(pfd, 2, pfd[1].fd >= 0 ? mgr_client_timeout(s->client) : -1);
		if (r < 0 && errno != EINTR)
			return -errno;
		if (r > 0 && pfd[0].revents)
			return 0;
		if (pfd[1].fd >= 0 && mgr_client_dispatch(s->client) < 0)
			pfd[1].fd = -1;
	}
}

/* Connect on first use, so that help and usage errors never need a
 * manager. */
static int sess_connect(struct sess *s)
{
	struct mgr_client_opts co = {
		.ssh = &s->ssh,
		.on_event = on_event,
		.on_close = on_close,
		.arg = s,
		.keepalive = sess_keepalive(s),
	};
	const char *addr = sess_addr(s);
	const char *keyfile = s->defaults.keyfile ? s->defaults.keyfile
						  : getenv("MGRFS_AUTHKEY_FILE");
	const char *kerr;
	char *err = NULL, *key = NULL;
	size_t keylen = 0;
	int r, fl, fd;

	if (s->client)
		return ST_OK;
	if (s->nssh_args && (!addr || strncmp(addr, "ssh:", 4)))
		return usage_err(s, NULL, "-o is for ssh: addresses, not %s",
				 addr && *addr ? addr : "the default socket");
	if (keyfile && *keyfile) {
		r = mgr_auth_read_key(keyfile, &key, &keylen, &kerr);
		if (r < 0)
			return fail(s, r, "%s: %s", keyfile, kerr);
	}
	co.authkey = key;
	co.authkey_len = keylen;
	r = mgr_client_connect(addr && *addr ? addr : NULL, &co, &s->client, &err);
	/* The key is needed for the handshake only. */
	if (key) {
		explicit_bzero(key, keylen);
		free(key);
	}
	if (r < 0) {
		fail(s, r, "%s", err ? err : strerror(-r));
		free(err);
		return ST_ERR;
	}
	/* Commands run by "lock" and "wait-for" must not keep the connection
	 * open: when mgrctl dies, its session has to end so the manager gives
	 * back what it held. */
	fd = mgr_client_fd(s->client);
	fl = fcntl(fd, F_GETFD);
	if (fl >= 0)
		fcntl(fd, F_SETFD, fl | FD_CLOEXEC);
	return ST_OK;
}

static int req_begin(struct sess *s, const struct opts *o, struct mgr_req *r,
		     const char *op, const char *path)
{
	int err = mgr_req_init(r, op, path);

	if (err < 0)
		return fail(s, err, "cannot encode the request (is the path valid UTF-8?)");
	if (o->has_owner && mgr_json_kv_u64(r->g, "owner", o->owner) < 0) {
		mgr_req_release(r);
		return fail(s, ENOMEM, "out of memory");
	}
	return ST_OK;
}

/* Send r (which the caller still releases) and wait for its reply.  ST_OK
 * with *rep to release, or an exit status after saying why; a timeout or a
 * would-block is status 3 and is not reported. */
static int call(struct sess *s, struct mgr_req *r, struct mgr_reply *rep)
{
	const char *name = NULL;
	int err, st;

	memset(rep, 0, sizeof(*rep));
	st = sess_connect(s);
	if (st)
		return st;
	err = mgr_client_call(s->client, r, rep);
	if (err < 0)
		return fail(s, err, "lost the connection to the manager: %s", strerror(-err));
	if (!rep->err)
		return ST_OK;
	if (rep->err == -ETIMEDOUT || rep->err == -EAGAIN) {
		st = ST_TIMEOUT;
	} else {
		if (mgr_json_get_str(rep->msg, "error", &name) < 0)
			name = errname(rep->err);
		st = fail_named(s, name, "%s", rep->message ? rep->message : strerror(-rep->err));
	}
	mgr_reply_release(rep);
	return st;
}

static int add_wait_args(struct sess *s, const struct opts *o, yajl_gen g, double deadline)
{
	int err = 0;

	if (o->nowait)
		err = mgr_json_kv_bool(g, "block", false);
	if (!err && deadline > 0) {
		struct timespec ts;
		double left;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		left = deadline - (ts.tv_sec + ts.tv_nsec / 1e9);
		err = mgr_json_kv_double(g, "timeout", left > 0 ? left : 0);
	} else if (!err && o->has_timeout) {
		err = mgr_json_kv_double(g, "timeout", o->timeout);
	}
	return err < 0 ? fail(s, err, "out of memory") : ST_OK;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The deadline of a wait that starts now, or 0 for none. */
static double deadline_of(const struct opts *o)
{
	return o->has_timeout ? now_s() + o->timeout + 1e-9 : 0;
}

/* Send op on path with the waiting arguments ("timeout" what is left before
 * deadline when deadline is set) and, when n >= 0, member "n". */
static int call_op(struct sess *s, const struct opts *o, const char *op, const char *path,
		   double deadline, int64_t n, struct mgr_reply *rep)
{
	struct mgr_req r;
	int st;

	st = req_begin(s, o, &r, op, path);
	if (st)
		return st;
	st = add_wait_args(s, o, r.g, deadline);
	if (!st && n >= 0 && mgr_json_kv_i64(r.g, "n", n) < 0)
		st = fail(s, ENOMEM, "out of memory");
	if (!st)
		st = call(s, &r, rep);
	mgr_req_release(&r);
	return st;
}

/* The type of the object at path, into type (size len). */
static int stat_type(struct sess *s, const struct opts *o, const char *path, char *type,
		     size_t len)
{
	struct mgr_reply rep;
	const char *t = "";
	struct opts plain = *o;
	int st;

	plain.nowait = false;
	plain.has_timeout = false;
	st = call_op(s, &plain, "stat", path, 0, -1, &rep);
	if (st)
		return st;
	mgr_json_get_str(rep.result, "type", &t);
	snprintf(type, len, "%s", t);
	mgr_reply_release(&rep);
	return ST_OK;
}

/* Values on the command line. */

static int read_all(struct sess *s, int fd, struct mgr_buf *b)
{
	char chunk[65536];
	ssize_t n;

	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n == 0)
			return ST_OK;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return fail(s, errno, "reading standard input: %s", strerror(errno));
		}
		if (mgr_buf_append(b, chunk, n) < 0)
			return fail(s, ENOMEM, "out of memory");
	}
}

/* Emit text as a JSON value: what it parses as, else (or with --string)
 * the string itself. */
static int gen_text(struct sess *s, const struct opts *o, yajl_gen g, const char *text,
		    size_t len)
{
	yajl_val v;
	char err[128];
	int r;

	if (!o->string && mgr_json_parse(text, len, &v, err, sizeof(err)) == 0) {
		r = mgr_json_gen_tree(g, v);
		yajl_tree_free(v);
	} else {
		r = mgr_json_gen_strn(g, text, len);
	}
	if (r < 0)
		return fail(s, EILSEQ, "a value must be valid UTF-8 (use --bytes for other data)");
	return ST_OK;
}

/* Add "value" or "bytes" for a command-line argument; "-" reads standard
 * input, less one trailing newline unless it is taken as bytes. */
static int add_datum(struct sess *s, const struct opts *o, yajl_gen g, const char *arg)
{
	struct mgr_buf in = MGR_BUF_INIT, b64 = MGR_BUF_INIT;
	const char *data = arg;
	size_t len = strlen(arg);
	int st = ST_OK;

	if (!strcmp(arg, "-")) {
		if (s->in_batch)
			return usage_err(s, NULL, "'-' cannot be used in batch: standard input is the batch");
		st = read_all(s, 0, &in);
		if (st)
			goto out;
		data = in.data ? in.data : "";
		len = in.len;
		if (!o->bytes && len && data[len - 1] == '\n')
			len--;
	}
	if (o->bytes) {
		if (mgr_base64_encode(data, len, &b64) < 0 ||
		    mgr_json_gen_cstr(g, "bytes") < 0 ||
		    mgr_json_gen_strn(g, b64.data ? b64.data : "", b64.len) < 0)
			st = fail(s, ENOMEM, "out of memory");
	} else if (mgr_json_gen_cstr(g, "value") < 0) {
		st = fail(s, ENOMEM, "out of memory");
	} else {
		st = gen_text(s, o, g, data, len);
	}
out:
	mgr_buf_release(&b64);
	mgr_buf_release(&in);
	return st;
}

/* One item of an array: its JSON, or for put_many a datum object. */
static int gen_item(struct sess *s, const struct cmd *cmd, const struct opts *o, yajl_gen g,
		    const char *text, size_t len)
{
	bool datum = cmd->op && !strcmp(cmd->op, "put_many");
	int st;

	if (datum && (yajl_gen_map_open(g) != yajl_gen_status_ok ||
		      mgr_json_gen_cstr(g, "value") < 0))
		return fail(s, ENOMEM, "out of memory");
	st = gen_text(s, o, g, text, len);
	if (!st && datum && yajl_gen_map_close(g) != yajl_gen_status_ok)
		st = fail(s, ENOMEM, "out of memory");
	return st;
}

/* Emit a JSON array of items: the arguments, or the lines of standard input
 * for a single "-". */
static int gen_item_array(struct sess *s, const struct cmd *cmd, const struct opts *o,
			  yajl_gen g, int argc, char **argv)
{
	struct mgr_buf in = MGR_BUF_INIT;
	int i, st = ST_OK;

	if (o->bytes)
		return usage_err(s, cmd, "items are JSON or strings; give bytes one at a time "
				 "(append or put with --bytes)");
	if (yajl_gen_array_open(g) != yajl_gen_status_ok)
		return fail(s, ENOMEM, "out of memory");
	if (argc == 1 && !strcmp(argv[0], "-")) {
		size_t at = 0;

		if (s->in_batch)
			return usage_err(s, cmd, "'-' cannot be used in batch: standard input is the batch");
		st = read_all(s, 0, &in);
		while (!st && at < in.len) {
			char *nl = memchr(in.data + at, '\n', in.len - at);
			size_t end = nl ? (size_t)(nl - in.data) : in.len;

			st = gen_item(s, cmd, o, g, in.data + at, end - at);
			at = end + 1;
		}
	} else {
		for (i = 0; !st && i < argc; i++)
			st = gen_item(s, cmd, o, g, argv[i], strlen(argv[i]));
	}
	if (!st && yajl_gen_array_close(g) != yajl_gen_status_ok)
		st = fail(s, ENOMEM, "out of memory");
	mgr_buf_release(&in);
	return st;
}

/* Emit a JSON object of named values: one JSON object argument, or
 * KEY=VALUE arguments. */
static int gen_item_object(struct sess *s, const struct cmd *cmd, const struct opts *o,
			   yajl_gen g, int argc, char **argv)
{
	yajl_val v;
	char err[128];
	int i, st = ST_OK;

	if (argc == 1 && mgr_json_parse(argv[0], strlen(argv[0]), &v, err, sizeof(err)) == 0) {
		if (!YAJL_IS_OBJECT(v))
			st = usage_err(s, cmd, "expected a JSON object or KEY=VALUE arguments");
		else if (mgr_json_gen_tree(g, v) < 0)
			st = fail(s, ENOMEM, "out of memory");
		yajl_tree_free(v);
		return st;
	}
	if (yajl_gen_map_open(g) != yajl_gen_status_ok)
		return fail(s, ENOMEM, "out of memory");
	for (i = 0; !st && i < argc; i++) {
		const char *eq = strchr(argv[i], '=');

		if (!eq || eq == argv[i])
			return usage_err(s, cmd, "expected KEY=VALUE: '%s'", argv[i]);
		if (mgr_json_gen_strn(g, argv[i], eq - argv[i]) < 0)
			return fail(s, EILSEQ, "a key must be valid UTF-8");
		st = gen_text(s, o, g, eq + 1, strlen(eq + 1));
	}
	if (!st && yajl_gen_map_close(g) != yajl_gen_status_ok)
		st = fail(s, ENOMEM, "out of memory");
	return st;
}

/* Output. */

static void put_json(yajl_val v)
{
	yajl_gen g = mgr_json_gen_new();
	const unsigned char *buf;
	size_t len;

	if (g && mgr_json_gen_tree(g, v) == 0 &&
	    yajl_gen_get_buf(g, &buf, &len) == yajl_gen_status_ok)
		fwrite(buf, 1, len, stdout);
	if (g)
		yajl_gen_free(g);
}

static void print_json(yajl_val v)
{
	put_json(v);
	putchar('\n');
}

/* The dump form of a tagged item: {"$bytes": "..."} or {"$type": "..."}. */
static void put_tagged(const char *tag, const char *text)
{
	yajl_gen g = mgr_json_gen_new();
	const unsigned char *buf;
	size_t len;

	if (g && yajl_gen_map_open(g) == yajl_gen_status_ok &&
	    mgr_json_kv_str(g, tag, text) == 0 &&
	    yajl_gen_map_close(g) == yajl_gen_status_ok &&
	    yajl_gen_get_buf(g, &buf, &len) == yajl_gen_status_ok)
		fwrite(buf, 1, len, stdout);
	if (g)
		yajl_gen_free(g);
}

/* A datum object: a string raw, other JSON compact, bytes exactly as they
 * are (followed by a newline only as an item of several). */
static void print_datum(yajl_val d, bool item)
{
	yajl_val v = mgr_json_get(d, "value"), b = mgr_json_get(d, "bytes");

	if (b && YAJL_IS_STRING(b)) {
		struct mgr_buf raw = MGR_BUF_INIT;
		const char *t = b->u.string;

		if (mgr_base64_decode(t, strlen(t), &raw) == 0 && raw.len)
			fwrite(raw.data, 1, raw.len, stdout);
		mgr_buf_release(&raw);
		if (item)
			putchar('\n');
	} else if (v && YAJL_IS_STRING(v)) {
		fputs(v->u.string, stdout);
		putchar('\n');
	} else if (v) {
		print_json(v);
	}
}

static void print_result(yajl_val res)
{
	yajl_val items;
	size_t i;

	if (YAJL_IS_STRING(res)) {
		puts(res->u.string);
	} else if (mgr_json_get(res, "value") || mgr_json_get(res, "bytes")) {
		print_datum(res, false);
	} else if ((items = mgr_json_get(res, "items")) && YAJL_IS_ARRAY(items)) {
		/* List items come as data, array items as plain numbers or
		 * one-character strings. */
		for (i = 0; i < items->u.array.len; i++) {
			yajl_val it = items->u.array.values[i];

			if (YAJL_IS_OBJECT(it))
				print_datum(it, true);
			else if (YAJL_IS_STRING(it))
				puts(it->u.string);
			else
				print_json(it);
		}
	} else {
		print_json(res);
	}
}

static void put_name(const char *name)
{
	struct mgr_buf b = MGR_BUF_INIT;

	if (mgr_name_escape(name, strlen(name), &b) == 0)
		fwrite(b.data, 1, b.len, stdout);
	else
		fputs(name, stdout);
	mgr_buf_release(&b);
}

/* NAME<TAB>JSON, with bytes and non-value objects in dump's tagged form. */
static void print_named(yajl_val it)
{
	const char *name = "", *type = "", *b64;
	yajl_val v = mgr_json_get(it, "value");

	mgr_json_get_str(it, "name", &name);
	put_name(name);
	putchar('\t');
	if (v)
		put_json(v);
	else if (mgr_json_get_str(it, "bytes", &b64) == 0)
		put_tagged("$bytes", b64);
	else if (mgr_json_get_str(it, "type", &type) == 0)
		put_tagged("$type", type);
	putchar('\n');
}

static void print_items(yajl_val res)
{
	yajl_val items = mgr_json_get(res, "items");
	size_t i;

	if (!items || !YAJL_IS_ARRAY(items)) {
		print_json(res);
		return;
	}
	for (i = 0; i < items->u.array.len; i++)
		print_named(items->u.array.values[i]);
}

static void print_ls(yajl_val res, bool long_list)
{
	yajl_val entries = mgr_json_get(res, "entries");
	size_t i;

	if (!entries || !YAJL_IS_ARRAY(entries)) {
		print_json(res);
		return;
	}
	for (i = 0; i < entries->u.array.len; i++) {
		yajl_val e = entries->u.array.values[i];
		const char *name = "", *type = "";
		uint64_t version = 0, size = 0;

		mgr_json_get_str(e, "name", &name);
		if (long_list) {
			mgr_json_get_str(e, "type", &type);
			mgr_json_get_u64(e, "version", &version);
			mgr_json_get_u64(e, "size", &size);
			printf("%-10s %10" PRIu64 " %8" PRIu64 " ", type, version, size);
		}
		put_name(name);
		putchar('\n');
	}
}

static void print_stat(yajl_val res)
{
	size_t i;

	if (!YAJL_IS_OBJECT(res)) {
		print_json(res);
		return;
	}
	for (i = 0; i < res->u.object.len; i++) {
		yajl_val v = res->u.object.values[i];

		printf("%s: ", res->u.object.keys[i]);
		if (YAJL_IS_STRING(v))
			puts(v->u.string);
		else
			print_json(v);
	}
}

static int show(const struct opts *o, enum out out, yajl_val res)
{
	if (o->json || out == OUT_JSON) {
		print_json(res);
	} else {
		switch (out) {
		case OUT_PRINT: print_result(res); break;
		case OUT_NAMED: print_named(res); break;
		case OUT_STAT: print_stat(res); break;
		default: break;
		}
	}
	return out == OUT_TRUE && YAJL_IS_FALSE(res) ? ST_TIMEOUT : ST_OK;
}

/* Finish a request built with status st: send it unless building failed,
 * release it, and print its result as out says. */
static int call_show(struct sess *s, const struct opts *o, struct mgr_req *r, int st,
		     enum out out)
{
	struct mgr_reply rep;

	if (!st)
		st = call(s, r, &rep);
	mgr_req_release(r);
	if (st)
		return st;
	st = show(o, out, rep.result);
	mgr_reply_release(&rep);
	return st;
}

/* A false result is a wait that ended without its condition, a number (a
 * barrier's index) is printed. */
static int show_wait(const struct opts *o, yajl_val res)
{
	return show(o, YAJL_IS_TRUE(res) || YAJL_IS_FALSE(res) ? OUT_TRUE : OUT_PRINT, res);
}

/* Generic commands: one request built from the spec. */

/* START:STOP[:STEP], each part optional, as Python writes a slice. */
static int add_slice(struct sess *s, const struct cmd *cmd, yajl_gen g, const char *arg)
{
	static const char *const keys[] = { "start", "stop", "step" };
	const char *p = arg, *end;
	bool any = false;
	int64_t v;
	int i, err = 0;

	for (i = 0; i < 3 && !err; i++) {
		end = strchr(p, ':');
		if (!end)
			end = p + strlen(p);
		if (end > p) {
			if (parse_i64(p, end - p, &v) < 0)
				return usage_err(s, cmd, "bad slice: '%s'", arg);
			err = mgr_json_kv_i64(g, keys[i], v);
			any = true;
		}
		if (!*end)
			break;
		p = end + 1;
	}
	if (i == 3)
		return usage_err(s, cmd, "bad slice: '%s'", arg);
	/* ':' alone is the whole sequence, as Python's [:]. */
	if (!err && !any && (mgr_json_gen_cstr(g, "start") < 0 ||
			     yajl_gen_null(g) != yajl_gen_status_ok))
		err = -ENOMEM;
	return err < 0 ? fail(s, ENOMEM, "out of memory") : ST_OK;
}

static int add_arg(struct sess *s, const struct cmd *cmd, const struct opts *o, yajl_gen g,
		   char kind, const char *arg)
{
	const char *member = NULL;
	int64_t v;
	int err = 0;

	switch (kind) {
	case 'V':
		return add_datum(s, o, g, arg);
	case 't':
		err = mgr_json_kv_str(g, "to", arg);
		break;
	case 'i': member = "index"; break;
	case 'n': member = "n"; break;
	case 's': member = "start"; break;
	case 'e': member = "stop"; break;
	case 'S':
		if (!strchr(arg, ':')) {
			member = "index";
			break;
		}
		return add_slice(s, cmd, g, arg);
	}
	if (member) {
		if (parse_i64(arg, strlen(arg), &v) < 0)
			return usage_err(s, cmd, "not an integer: '%s'", arg);
		err = mgr_json_kv_i64(g, member, v);
	}
	return err < 0 ? fail(s, err, "out of memory") : ST_OK;
}

static int cmd_generic(struct sess *s, const struct cmd *cmd, const struct opts *o,
		       int argc, char **argv)
{
	const char *spec = cmd->spec, *path = NULL;
	struct mgr_req r;
	int i = 0, st;

	if (*spec == 'P' || *spec == 'p') {
		path = argc ? argv[i++] : "";
		spec++;
	}
	st = req_begin(s, o, &r, cmd->op, path);
	if (st)
		return st;
	for (; *spec && i < argc && !st; spec++)
		if (*spec != '[')
			st = add_arg(s, cmd, o, r.g, *spec, argv[i++]);
	if (!st && (cmd->flags & CMD_WAITS))
		st = add_wait_args(s, o, r.g, 0);
	if (!st && o->reverse && mgr_json_kv_bool(r.g, "reverse", true) < 0)
		st = fail(s, ENOMEM, "out of memory");
	return call_show(s, o, &r, st, cmd->out);
}

/* Commands of their own. */

/* setitem of an index is generic; of a slice, the items after it replace
 * the slice's (as Python's l[1:3] = [...]; '-': lines of standard
 * input). */
static int cmd_setitem(struct sess *s, const struct cmd *cmd, const struct opts *o,
		       int argc, char **argv)
{
	struct mgr_req r;
	int st;

	if (!strchr(argv[1], ':')) {
		struct cmd one = *cmd;

		if (argc != 3)
			return usage_err(s, cmd, "an index is given one value");
		one.spec = "PiV";
		return cmd_generic(s, &one, o, argc, argv);
	}
	st = req_begin(s, o, &r, cmd->op, argv[0]);
	if (st)
		return st;
	st = add_slice(s, cmd, r.g, argv[1]);
	if (!st && mgr_json_gen_cstr(r.g, "items") < 0)
		st = fail(s, ENOMEM, "out of memory");
	if (!st)
		st = gen_item_array(s, cmd, o, r.g, argc - 2, argv + 2);
	return call_show(s, o, &r, st, OUT_NONE);
}

/* ls and items of a container of any size: the manager answers in pages,
 * and each next one is asked for after the last name received.  What comes
 * is printed at once; --json gathers it into one object. */
static int cmd_pages(struct sess *s, const struct cmd *cmd, const struct opts *o, int argc,
		     char **argv)
{
	bool items = !strcmp(cmd->op, "items");
	const char *member = items ? "items" : "entries";
	yajl_gen all = NULL;
	const unsigned char *buf;
	struct mgr_reply rep;
	struct mgr_req r;
	char *after = NULL;
	const char *last;
	yajl_val ents;
	size_t len, i;
	int st = ST_OK;

	if (o->json && (!(all = mgr_json_gen_new()) || mgr_json_map_open(all) < 0 ||
			mgr_json_gen_cstr(all, member) < 0 || mgr_json_array_open(all) < 0))
		st = fail(s, ENOMEM, "out of memory");
	while (!st) {
		st = req_begin(s, o, &r, cmd->op, argc ? argv[0] : "");
		if (st)
			break;
		if (after && mgr_json_kv_str(r.g, "after", after) < 0)
			st = fail(s, ENOMEM, "out of memory");
		if (!st)
			st = call(s, &r, &rep);
		mgr_req_release(&r);
		if (st)
			break;
		ents = mgr_json_get(rep.result, member);
		if (!YAJL_IS_ARRAY(ents)) {
			mgr_reply_release(&rep);
			st = fail(s, EPROTO, "the manager's answer has no %s", member);
			break;
		}
		if (all)
			for (i = 0; i < ents->u.array.len; i++)
				mgr_json_gen_tree(all, ents->u.array.values[i]);
		else if (items)
			print_items(rep.result);
		else
			print_ls(rep.result, o->long_list);
		free(after);
		after = NULL;
		if (YAJL_IS_TRUE(mgr_json_get(rep.result, "more")) && ents->u.array.len) {
			if (mgr_json_get_str(ents->u.array.values[ents->u.array.len - 1], "name",
					     &last) < 0)
				st = fail(s, EPROTO, "the manager's answer has a nameless entry");
			else if (!(after = strdup(last)))
				st = fail(s, ENOMEM, "out of memory");
		}
		mgr_reply_release(&rep);
		if (!after)
			break;
	}
	if (!st && all && mgr_json_array_close(all) == 0 && mgr_json_map_close(all) == 0 &&
	    yajl_gen_get_buf(all, &buf, &len) == yajl_gen_status_ok) {
		fwrite(buf, 1, len, stdout);
		putchar('\n');
	}
	if (all)
		yajl_gen_free(all);
	free(after);
	return st;
}

/* What the arguments after new's PATH are, by type. */
enum newargs {
	NA_ITEMS_OBJECT,	/* [JSON-OBJECT | KEY=VALUE...] */
	NA_DATUM,		/* [VALUE] */
	NA_ITEMS_ARRAY,		/* [ITEM... | -] */
	NA_MAXSIZE,		/* [MAXSIZE] */
	NA_VALUE,		/* [COUNTER] */
	NA_NONE,
	NA_BARRIER,		/* PARTIES [TIMEOUT] */
};

static const struct newtype {
	const char *name;	/* as typed, in any case */
	const char *wire;
	enum newargs args;
	int min, max;		/* arguments after PATH; -1: any */
} newtypes[] = {
	{ "namespace", "namespace", NA_ITEMS_OBJECT, 0, -1 },
	{ "dict", "dict", NA_ITEMS_OBJECT, 0, -1 },
	{ "value", "value", NA_DATUM, 0, 1 },
	{ "list", "list", NA_ITEMS_ARRAY, 0, -1 },
	{ "array", "array", NA_ITEMS_ARRAY, 0, -1 },
	{ "queue", "queue", NA_MAXSIZE, 0, 1 },
	{ "joinablequeue", "queue", NA_MAXSIZE, 0, 1 },
	{ "lock", "lock", NA_NONE, 0, 0 },
	{ "rlock", "rlock", NA_NONE, 0, 0 },
	{ "semaphore", "semaphore", NA_VALUE, 0, 1 },
	{ "bsemaphore", "bsemaphore", NA_VALUE, 0, 1 },
	{ "boundedsemaphore", "bsemaphore", NA_VALUE, 0, 1 },
	{ "event", "event", NA_NONE, 0, 0 },
	{ "condition", "condition", NA_NONE, 0, 0 },
	{ "barrier", "barrier", NA_BARRIER, 1, 2 },
};

/* Add the members of create that the n arguments after PATH give. */
static int gen_type_args(struct sess *s, const struct cmd *cmd, const struct opts *o,
			 yajl_gen g, const struct newtype *t, int n, char **argv)
{
	double secs = 0;
	uint64_t u = 0;
	int err = 0;

	if (!n)
		return ST_OK;
	switch (t->args) {
	case NA_ITEMS_OBJECT:
		if (mgr_json_gen_cstr(g, "items") < 0)
			return fail(s, ENOMEM, "out of memory");
		return gen_item_object(s, cmd, o, g, n, argv);
	case NA_ITEMS_ARRAY:
		if (mgr_json_gen_cstr(g, "items") < 0)
			return fail(s, ENOMEM, "out of memory");
		return gen_item_array(s, cmd, o, g, n, argv);
	case NA_DATUM:
		return add_datum(s, o, g, argv[0]);
	case NA_MAXSIZE:
	case NA_VALUE:
		if (parse_u64(argv[0], &u) < 0)
			return usage_err(s, cmd, "not a count: '%s'", argv[0]);
		err = mgr_json_kv_u64(g, t->args == NA_MAXSIZE ? "maxsize" : "value", u);
		break;
	case NA_BARRIER:
		if (parse_u64(argv[0], &u) < 0 || (n > 1 && parse_seconds(argv[1], &secs) < 0))
			return usage_err(s, cmd, "a barrier takes PARTIES [TIMEOUT]");
		err = mgr_json_kv_u64(g, "parties", u);
		if (!err && n > 1)
			err = mgr_json_kv_double(g, "timeout", secs);
		break;
	case NA_NONE:
		break;
	}
	return err < 0 ? fail(s, err, "out of memory") : ST_OK;
}

static int cmd_new(struct sess *s, const struct cmd *cmd, const struct opts *o,
		   int argc, char **argv)
{
	const struct newtype *t = NULL;
	struct mgr_req r;
	bool array;
	size_t i;
	int n = argc - 2, st, err;

	for (i = 0; i < sizeof(newtypes) / sizeof(newtypes[0]); i++)
		if (!strcasecmp(argv[0], newtypes[i].name))
			t = &newtypes[i];
	if (!t)
		return usage_err(s, cmd, "unknown type '%s' (namespace dict value list array queue lock rlock semaphore bsemaphore event condition barrier)",
				 argv[0]);
	array = !strcmp(t->wire, "array");
	if (n < t->min || (t->max >= 0 && n > t->max))
		return usage_err(s, cmd, "wrong number of arguments for a %s", t->wire);
	if (o->typecode && !array && strcmp(t->wire, "value"))
		return usage_err(s, cmd, "--typecode is for a value or an array");
	if (o->has_size && !array)
		return usage_err(s, cmd, "--size is for an array");
	if (array && (!o->typecode || (o->has_size && n)))
		return usage_err(s, cmd, "an array needs --typecode, and items or --size");

	st = req_begin(s, o, &r, "create", argv[1]);
	if (st)
		return st;
	err = mgr_json_kv_str(r.g, "type", t->wire);
	if (!err && o->exist_ok)
		err = mgr_json_kv_bool(r.g, "exist_ok", true);
	if (!err && o->typecode)
		err = mgr_json_kv_str(r.g, "typecode", o->typecode);
	if (!err && o->has_size)
		err = mgr_json_kv_u64(r.g, "size", o->size);
	if (err < 0)
		st = fail(s, err, "out of memory");
	/* The manager wants the items of an array even when there are none. */
	if (!st && array && !n && !o->has_size &&
	    (mgr_json_gen_cstr(r.g, "items") < 0 || yajl_gen_array_open(r.g) != yajl_gen_status_ok ||
	     yajl_gen_array_close(r.g) != yajl_gen_status_ok))
		st = fail(s, ENOMEM, "out of memory");
	if (!st)
		st = gen_type_args(s, cmd, o, r.g, t, n, argv + 2);
	return call_show(s, o, &r, st, OUT_NONE);
}

static int cmd_rm(struct sess *s, const struct cmd *cmd, const struct opts *o,
		  int argc, char **argv)
{
	struct mgr_req r;
	int i, st = ST_OK;

	for (i = 0; i < argc && !st; i++) {
		st = req_begin(s, o, &r, "delete", argv[i]);
		if (st)
			break;
		if (o->recursive && mgr_json_kv_bool(r.g, "recursive", true) < 0)
			st = fail(s, ENOMEM, "out of memory");
		st = call_show(s, o, &r, st, OUT_NONE);
	}
	return st;
}

/* update PATH {JSON} and extend PATH ITEMS: a request with "items". */
static int cmd_items_arg(struct sess *s, const struct cmd *cmd, const struct opts *o,
			 int argc, char **argv)
{
	struct mgr_req r;
	int st;

	st = req_begin(s, o, &r, cmd->op, argv[0]);
	if (st)
		return st;
	if (mgr_json_gen_cstr(r.g, "items") < 0)
		st = fail(s, ENOMEM, "out of memory");
	else if (!strcmp(cmd->op, "update"))
		st = gen_item_object(s, cmd, o, r.g, argc - 1, argv + 1);
	else
		st = gen_item_array(s, cmd, o, r.g, argc - 1, argv + 1);
	return call_show(s, o, &r, st, cmd->out);
}

/* A Condition is used under its own lock: mgrctl takes it (again, if a
 * batch already holds it: the lock is reentrant), runs op, and gives it
 * back.  The acquire, op and release share one deadline.  *result gets
 * op's result in a reply the caller releases. */
static int cond_op(struct sess *s, const struct opts *o, const char *op, const char *path,
		   int64_t n, struct mgr_reply *result)
{
	struct mgr_reply rep;
	struct opts plain = *o;
	double deadline = deadline_of(o);
	int st, rst;

	st = call_op(s, o, "acquire", path, deadline, -1, &rep);
	if (st)
		return st;
	st = YAJL_IS_FALSE(rep.result) ? ST_TIMEOUT : ST_OK;
	mgr_reply_release(&rep);
	if (st)
		return st;
	st = call_op(s, o, op, path, deadline, n, result);
	plain.nowait = false;
	plain.has_timeout = false;
	rst = call_op(s, &plain, "release", path, 0, -1, &rep);
	if (!rst)
		mgr_reply_release(&rep);
	else if (!st)
		mgr_reply_release(result);
	return st ? st : rst;
}

static int cmd_wait(struct sess *s, const struct cmd *cmd, const struct opts *o,
		    int argc, char **argv)
{
	struct mgr_reply rep;
	char type[32];
	int st;

	st = stat_type(s, o, argv[0], type, sizeof(type));
	if (st)
		return st;
	if (!strcmp(type, "condition"))
		st = cond_op(s, o, "wait", argv[0], -1, &rep);
	else
		st = call_op(s, o, "wait", argv[0], deadline_of(o), -1, &rep);
	if (st)
		return st;
	st = show_wait(o, rep.result);
	mgr_reply_release(&rep);
	return st;
}

static int cmd_notify(struct sess *s, const struct cmd *cmd, const struct opts *o,
		      int argc, char **argv)
{
	struct mgr_reply rep;
	char type[32];
	int64_t n = -1;
	int st;

	if (argc > 1 && (parse_i64(argv[1], strlen(argv[1]), &n) < 0 || n < 0))
		return usage_err(s, cmd, "not a count: '%s'", argv[1]);
	st = stat_type(s, o, argv[0], type, sizeof(type));
	if (st)
		return st;
	/* Anything else gets the manager's answer to the bare op. */
	if (!strcmp(type, "condition"))
		st = cond_op(s, o, cmd->op, argv[0], n, &rep);
	else
		st = call_op(s, o, cmd->op, argv[0], 0, n, &rep);
	if (st)
		return st;
	st = show(o, OUT_NONE, rep.result);
	mgr_reply_release(&rep);
	return st;
}

/* Running a command while holding something. */

static volatile sig_atomic_t child_pid;
static const int forwarded[] = { SIGINT, SIGTERM, SIGHUP };
#define NFORWARDED (sizeof(forwarded) / sizeof(forwarded[0]))

static void forward_signal(int sig, siginfo_t *si, void *uc)
{
	int saved = errno;

	/* A signal typed at the terminal already reaches the whole foreground
	 * process group, the command included; passing it on would deliver
	 * it twice. */
	if (child_pid > 0 && si->si_code != SI_KERNEL)
		kill(child_pid, sig);
	errno = saved;
}

/* Run argv to its end, passing on SIGINT, SIGTERM and SIGHUP.  Returns its
 * exit status (128 + N when killed by signal N), 126 or 127 when it could
 * not be run (said on stderr), or -1 when no process could be made. */
static int run_command(struct sess *s, char **argv)
{
	struct sigaction sa, old[NFORWARDED];
	sigset_t block, prev;
	int pipefd[2], status, child_errno, st;
	size_t i;
	ssize_t n;
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	/* A close-on-exec pipe tells an exec failure from a command that
	 * ran and exited 127: wait-for must not loop on a typo. */
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		fail(s, errno, "pipe: %s", strerror(errno));
		return -1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = forward_signal;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigemptyset(&block);
	for (i = 0; i < NFORWARDED; i++)
		sigaddset(&block, forwarded[i]);
	sigprocmask(SIG_BLOCK, &block, &prev);
	/* A signal that mgrctl was started to ignore (as "&" does with
	 * SIGINT) stays ignored, for the command too. */
	for (i = 0; i < NFORWARDED; i++)
		if (sigaction(forwarded[i], NULL, &old[i]) == 0 && old[i].sa_handler != SIG_IGN)
			sigaction(forwarded[i], &sa, NULL);
	pid = fork();
	if (pid == 0) {
		for (i = 0; i < NFORWARDED; i++)
			sigaction(forwarded[i], &old[i], NULL);
		sigprocmask(SIG_SETMASK, &prev, NULL);
		close(pipefd[0]);
		/* Inside batch, standard input holds the lines still to
		 * come: the command must not eat them. */
		if (s->in_batch) {
			int null = open("/dev/null", O_RDONLY);

			if (null < 0 || (null != 0 && dup2(null, 0) < 0))
				_exit(126);
			if (null != 0)
				close(null);
		}
		execvp(argv[0], argv);
		child_errno = errno;
		if (write(pipefd[1], &child_errno, sizeof(child_errno)) < 0)
			_exit(127);
		_exit(child_errno == ENOENT ? 127 : 126);
	}
	child_pid = pid > 0 ? pid : 0;
	sigprocmask(SIG_SETMASK, &prev, NULL);
	close(pipefd[1]);
	if (pid < 0) {
		fail(s, errno, "fork: %s", strerror(errno));
		st = -1;
		goto out;
	}
	do
		n = read(pipefd[0], &child_errno, sizeof(child_errno));
	while (n < 0 && errno == EINTR);
	/* What the command runs under (a lock) is kept only while the
	 * session answers the manager's keepalive. */
	if (n == 0 && s->client && mgr_client_timeout(s->client) >= 0) {
		int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);

		if (pidfd >= 0) {
			serve_until(s, pidfd, POLLIN);
			close(pidfd);
		}
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			fail(s, errno, "waitpid: %s", strerror(errno));
			st = -1;
			goto out;
		}
	}
	if (n == sizeof(child_errno)) {
		fail(s, child_errno, "%s: %s", argv[0], strerror(child_errno));
		st = child_errno == ENOENT ? 127 : 126;
	} else {
		st = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	}
out:
	child_pid = 0;
	for (i = 0; i < NFORWARDED; i++)
		sigaction(forwarded[i], &old[i], NULL);
	close(pipefd[0]);
	return st;
}

/* Give back what lock or wait-for took; a failure is reported but the
 * command's status stands. */
static int release_after(struct sess *s, const struct opts *o, const char *path)
{
	struct mgr_reply rep;
	struct opts plain = *o;
	int st;

	plain.nowait = false;
	plain.has_timeout = false;
	st = call_op(s, &plain, "release", path, 0, -1, &rep);
	if (!st)
		mgr_reply_release(&rep);
	return st;
}

static int cmd_lock(struct sess *s, const struct cmd *cmd, const struct opts *o,
		    int argc, char **argv)
{
	struct mgr_reply rep;
	int st;

	st = call_op(s, o, "acquire", argv[0], deadline_of(o), -1, &rep);
	if (st)
		return st;
	st = YAJL_IS_FALSE(rep.result) ? ST_TIMEOUT : ST_OK;
	mgr_reply_release(&rep);
	if (st)
		return st;
	st = run_command(s, argv + 1);
	release_after(s, o, argv[0]);
	return st < 0 ? ST_ERR : st;
}

/* Condition.wait_for with "COMMAND exits 0" as the predicate: evaluated
 * under the condition's lock, first at once and again after each
 * notification, until it holds or the timeout is spent. */
static int cmd_wait_for(struct sess *s, const struct cmd *cmd, const struct opts *o,
			int argc, char **argv)
{
	struct mgr_reply rep;
	double deadline = deadline_of(o);
	char type[32];
	int st, rc;

	st = stat_type(s, o, argv[0], type, sizeof(type));
	if (st)
		return st;
	if (strcmp(type, "condition"))
		return fail(s, ENOTSUP, "%s is not a condition (its type is %s)", argv[0], type);
	st = call_op(s, o, "acquire", argv[0], deadline, -1, &rep);
	if (st)
		return st;
	st = YAJL_IS_FALSE(rep.result) ? ST_TIMEOUT : ST_OK;
	mgr_reply_release(&rep);
	if (st)
		return st;
	for (;;) {
		rc = run_command(s, argv + 1);
		if (rc == 0) {
			st = ST_OK;
			break;
		}
		if (rc < 0 || rc == 126 || rc == 127) {
			st = ST_ERR;
			break;
		}
		if (deadline && now_s() >= deadline) {
			st = ST_TIMEOUT;
			break;
		}
		/* A wait that times out is not the end: the predicate is
		 * asked once more, as Python does. */
		st = call_op(s, o, "wait", argv[0], deadline, -1, &rep);
		if (st == ST_ERR)
			break;
		if (!st)
			mgr_reply_release(&rep);
	}
	if (release_after(s, o, argv[0]) && !st)
		st = ST_ERR;
	return st;
}

/* watch: events arrive through on_event while the loop dispatches. */

static void on_event(void *arg, yajl_val ev)
{
	struct sess *s = arg;
	const char *what = "", *type = "", *path = "";
	uint64_t sub, version = 0;

	if (!s->watching || mgr_json_get_u64(ev, "sub", &sub) < 0 || sub != s->sub)
		return;
	if (s->limit && s->seen >= s->limit)
		return;
	s->seen++;
	if (s->watch_json) {
		print_json(ev);
	} else {
		mgr_json_get_str(ev, "what", &what);
		mgr_json_get_str(ev, "type", &type);
		mgr_json_get_str(ev, "path", &path);
		mgr_json_get_u64(ev, "version", &version);
		/* The root's path is empty: "/" names it as well and keeps the
		 * line's last field non-empty. */
		printf("%s %s %" PRIu64 " %s\n", what, type, version, *path ? path : "/");
	}
	fflush(stdout);
}

static int watch_loop(struct sess *s, const struct opts *o)
{
	struct pollfd pfd = { .fd = mgr_client_fd(s->client), .events = POLLIN };
	double deadline = deadline_of(o);
	int err, ms, ka;

	for (;;) {
		/* Frames read along with the subscribe reply are handled
		 * here too, before any wait. */
		err = mgr_client_dispatch(s->client);
		if (err < 0 || s->closed)
			return fail(s, err < 0 ? err : s->closed,
				    "the connection to the manager ended");
		if (s->limit && s->seen >= s->limit)
			return ST_OK;
		ms = -1;
		if (deadline) {
			double left = deadline - now_s();

			if (left <= 0)
				return s->limit ? ST_TIMEOUT : ST_OK;
			/* Rounded up, so that the wait does not end early. */
			ms = left > 1e6 ? 1000000000 : (int)(left * 1000) + 1;
		}
		ka = mgr_client_timeout(s->client);
		if (ka >= 0 && (ms < 0 || ka < ms))
			ms = ka;
		if (poll(&pfd, 1, ms) < 0 && errno != EINTR)
			return fail(s, errno, "poll: %s", strerror(errno));
	}
}

static int cmd_watch(struct sess *s, const struct cmd *cmd, const struct opts *o,
		     int argc, char **argv)
{
	struct mgr_reply rep;
	struct mgr_req r;
	const char *path = argc ? argv[0] : "";
	int st;

	st = req_begin(s, o, &r, "subscribe", path);
	if (st)
		return st;
	if (o->shallow && mgr_json_kv_bool(r.g, "recursive", false) < 0)
		st = fail(s, ENOMEM, "out of memory");
	if (!st)
		st = call(s, &r, &rep);
	mgr_req_release(&r);
	if (st)
		return st;
	if (mgr_json_get_u64(rep.result, "sub", &s->sub) < 0) {
		mgr_reply_release(&rep);
		return fail(s, EBADMSG, "the manager's reply to subscribe has no \"sub\"");
	}
	mgr_reply_release(&rep);
	s->watching = true;
	s->watch_json = o->json;
	s->seen = 0;
	s->limit = o->count;
	st = watch_loop(s, o);
	s->watching = false;
	/* Later lines of a batch should not pay for events nobody reads. */
	if (s->in_batch && !s->closed && req_begin(s, o, &r, "unsubscribe", NULL) == ST_OK) {
		if (mgr_json_kv_u64(r.g, "sub", s->sub) == 0 && call(s, &r, &rep) == ST_OK)
			mgr_reply_release(&rep);
		mgr_req_release(&r);
	}
	return st;
}

/* batch: one session for many commands. */

/* Split line into words in place, with sh's quoting but no expansion:
 * '...' is literal, "..." keeps \" \\ \$ \` as escapes, a backslash
 * elsewhere quotes the next character, and # at the start of a word begins
 * a comment.  -EINVAL for an unterminated quote. */
static int split_words(char *line, char ***words, int *nwords, int *cap)
{
	char *r = line, *w = line, *start, **grown;

	*nwords = 0;
	for (;;) {
		while (*r && isspace((unsigned char)*r))
			r++;
		if (!*r || *r == '#')
			return 0;
		start = w;
		while (*r && !isspace((unsigned char)*r)) {
			if (*r == '\'') {
				for (r++; *r && *r != '\''; )
					*w++ = *r++;
				if (!*r++)
					return -EINVAL;
			} else if (*r == '"') {
				for (r++; *r && *r != '"'; ) {
					if (*r == '\\' && r[1] && strchr("\"\\$`", r[1]))
						r++;
					*w++ = *r++;
				}
				if (!*r++)
					return -EINVAL;
			} else {
				if (*r == '\\' && r[1])
					r++;
				*w++ = *r++;
			}
		}
		/* Step over the separator before terminating the word, since
		 * w may have caught up with r. */
		if (*r)
			r++;
		*w++ = '\0';
		if (*nwords + 1 >= *cap) {
			grown = realloc(*words, (*cap * 2 + 8) * sizeof(**words));
			if (!grown)
				return -ENOMEM;
			*words = grown;
			*cap = *cap * 2 + 8;
		}
		(*words)[(*nwords)++] = start;
	}
}

static int cmd_batch(struct sess *s, const struct cmd *cmd, const struct opts *o,
		     int argc, char **argv)
{
	struct opts saved = s->defaults;
	char *line = NULL, **words = NULL;
	size_t linecap = 0;
	int nwords, wordcap = 0, err, st = ST_OK;

	if (s->in_batch)
		return usage_err(s, cmd, "batch cannot run inside batch");
	s->in_batch = true;
	/* Options given to batch itself hold for every line. */
	s->defaults = *o;
	/* Between lines the session must answer the manager's keepalive, or
	 * what it holds is lost while the input pauses.  Input that stdio
	 * has buffered would not wake a poll, so there is none. */
	if (sess_keepalive(s))
		setvbuf(stdin, NULL, _IONBF, 0);
	for (;;) {
		if (s->client && sess_keepalive(s))
			serve_until(s, STDIN_FILENO, POLLIN);
		if (getline(&line, &linecap, stdin) < 0)
			break;
		s->lineno++;
		err = split_words(line, &words, &nwords, &wordcap);
		if (err == -EINVAL) {
			st = usage_err(s, NULL, "unterminated quote");
			break;
		}
		if (err < 0) {
			st = fail(s, err, "out of memory");
			break;
		}
		if (!nwords)
			continue;
		st = run_words(s, nwords, words);
		fflush(stdout);
		if (st)
			break;
	}
	s->defaults = saved;
	s->in_batch = false;
	s->lineno = 0;
	free(words);
	free(line);
	return st;
}

static int cmd_help(struct sess *s, const struct cmd *cmd, const struct opts *o,
		    int argc, char **argv);

#define GEN(nm, a, h, o, sp, ...) \
	{ .name = nm, .args = a, .help = h, .fn = cmd_generic, .op = o, .spec = sp, __VA_ARGS__ }
#define SECTION(h) { .help = h }

static const struct cmd cmds[] = {
	SECTION("Objects"),
	GEN("ping", "", "check that the manager answers (prints pong)", "ping", "",
	    .out = OUT_PRINT),
	{ .name = "ls", .args = "[-l] [PATH]", .help = "list a namespace or dict",
	  .fn = cmd_pages, .op = "ls", .opts = OPT(O_LONG), .min = 0, .max = 1 },
	{ .name = "keys", .args = "[-l] [PATH]", .help = "the same as ls",
	  .fn = cmd_pages, .op = "ls", .opts = OPT(O_LONG), .min = 0, .max = 1 },
	GEN("stat", "PATH", "type, version, size and state, one per line", "stat", "P",
	    .out = OUT_STAT),
	{ .name = "new", .args = "[-p] [-t C] [--size N] TYPE PATH [ARGS...]",
	  .help = "create an object (see 'mgrctl help new')", .fn = cmd_new,
	  .more = "TYPE and its ARGS:\n"
		  "  namespace, dict [JSON-OBJECT | KEY=VALUE...]\n"
		  "  value [VALUE]                  (-t C for a typed value)\n"
		  "  list [ITEM... | -]\n"
		  "  array -t C [ITEM... | --size N]\n"
		  "  queue [MAXSIZE]\n"
		  "  lock, rlock, event, condition\n"
		  "  semaphore, bsemaphore [VALUE]\n"
		  "  barrier PARTIES [TIMEOUT]\n",
	  .opts = OPT(O_EXIST_OK) | OPT(O_TYPECODE) | OPT(O_SIZE), .min = 2, .max = -1 },
	{ .name = "rm", .args = "[-r] PATH...", .help = "delete objects", .fn = cmd_rm,
	  .opts = OPT(O_RECURSIVE), .min = 1, .max = -1 },
	GEN("mv", "PATH NEWPATH", "rename, replacing what is at NEWPATH", "rename", "Pt"),
	GEN("dump", "[PATH]", "everything below PATH as JSON", "dump", "p", .out = OUT_JSON),
	{ .name = "watch", .args = "[--count N] [--no-recursive] [PATH]",
	  .help = "print a line per change below PATH", .fn = cmd_watch,
	  .opts = OPT(O_COUNT) | OPT(O_SHALLOW), .min = 0, .max = 1 },

	SECTION("Values (and lists, arrays and queues where it makes sense)"),
	GEN("get", "[-n] PATH", "print a value or items; take a queue's item",
	    "get", "P", .opts = OPT(O_NOWAIT), .flags = CMD_WAITS, .out = OUT_PRINT),
	GEN("set", "PATH VALUE", "set a value, or all items of a list or array",
	    "set", "PV"),
	GEN("setdefault", "PATH VALUE", "set unless it exists; print what is there",
	    "setdefault", "PV", .out = OUT_PRINT),
	GEN("pop", "PATH [INDEX]", "print and delete a value, or a list's item",
	    "pop", "P[i", .out = OUT_PRINT),

	SECTION("Namespaces and dicts"),
	{ .name = "items", .args = "PATH", .help = "NAME<TAB>VALUE for each child",
	  .fn = cmd_pages, .op = "items", .min = 1, .max = 1 },
	GEN("len", "PATH", "number of children, items, or queued items", "len", "P",
	    .out = OUT_PRINT),
	{ .name = "update", .args = "PATH JSON-OBJECT|KEY=VALUE...",
	  .help = "set several values at once", .fn = cmd_items_arg, .op = "update",
	  .min = 2, .max = -1 },
	GEN("clear", "PATH", "delete all children, or all items of a list", "clear", "P"),
	GEN("popitem", "PATH", "print and delete the newest value", "popitem",
	    "P", .out = OUT_NAMED),

	SECTION("Lists (and arrays: getitem, setitem)"),
	GEN("append", "PATH VALUE", "add an item at the end", "append", "PV"),
	{ .name = "extend", .args = "PATH ITEM...|-",
	  .help = "add items at the end ('-': lines of stdin)",
	  .fn = cmd_items_arg, .op = "extend", .min = 2, .max = -1 },
	GEN("insert", "PATH INDEX VALUE", "insert an item before INDEX", "insert", "PiV"),
	GEN("remove", "PATH VALUE", "remove the first item equal to VALUE", "remove", "PV"),
	GEN("index", "PATH VALUE [START [STOP]]", "position of the first item equal to VALUE",
	    "index", "PV[se", .out = OUT_PRINT),
	GEN("count", "PATH VALUE", "number of items equal to VALUE", "count", "PV",
	    .out = OUT_PRINT),
	GEN("reverse", "PATH", "reverse the items in place", "reverse", "P"),
	GEN("sort", "[-r] PATH", "sort the items in place", "sort", "P",
	    .opts = OPT(O_REVERSE)),
	GEN("getitem", "PATH INDEX|START:STOP[:STEP]",
	    "print an item, or a slice one item a line", "getitem", "PS", .out = OUT_PRINT),
	{ .name = "setitem", .args = "PATH INDEX VALUE | PATH START:STOP[:STEP] ITEM...|-",
	  .help = "replace an item, or a slice's items", .fn = cmd_setitem, .op = "setitem",
	  .min = 2, .max = -1 },
	GEN("delitem", "PATH INDEX|START:STOP[:STEP]", "delete an item or a slice", "delitem",
	    "PS"),
	GEN("contains", "PATH VALUE", "print whether an item equals VALUE", "contains", "PV",
	    .out = OUT_PRINT),
	GEN("imul", "PATH N", "repeat the items N times (list *= N)", "imul", "Pn"),

	SECTION("Queues"),
	GEN("put", "[-n] PATH VALUE", "add an item, waiting while the queue is full", "put", "PV",
	    .opts = OPT(O_NOWAIT), .flags = CMD_WAITS),
	{ .name = "put-many", .args = "PATH ITEM...|-",
	  .help = "add items while there is room; print how many ('-': lines of stdin)",
	  .fn = cmd_items_arg, .op = "put_many", .out = OUT_PRINT, .min = 2, .max = -1 },
	GEN("unget", "PATH VALUE", "put an item back at the head", "unget", "PV"),
	GEN("qsize", "PATH", "number of items", "qsize", "P", .out = OUT_PRINT),
	GEN("empty", "PATH", "print whether the queue is empty", "empty", "P", .out = OUT_PRINT),
	GEN("full", "PATH", "print whether the queue is full", "full", "P", .out = OUT_PRINT),
	GEN("task-done", "PATH", "mark one item taken by get as processed", "task_done", "P"),
	GEN("join", "PATH", "wait until every item put is marked done", "join", "P",
	    .flags = CMD_WAITS),

	SECTION("Locks, RLocks, semaphores and conditions"),
	GEN("acquire", "[-n] PATH", "hold until release or the session's end",
	    "acquire", "P", .opts = OPT(O_NOWAIT), .flags = CMD_WAITS, .out = OUT_TRUE),
	GEN("release", "PATH [N]", "release (N units of a semaphore)", "release", "P[n"),
	GEN("locked", "PATH", "print whether a lock is held", "locked", "P", .out = OUT_PRINT),
	GEN("value", "PATH", "print a semaphore's counter", "get_value", "P", .out = OUT_PRINT),
	{ .name = "lock", .args = "[-n] [-w SECONDS] PATH [--] COMMAND [ARGS...]",
	  .help = "run COMMAND holding a lock or semaphore unit", .fn = cmd_lock,
	  .opts = OPT(O_NOWAIT) | OPT(O_WAIT), .flags = CMD_COMMAND, .min = 2, .max = -1 },

	SECTION("Events, conditions and barriers"),
	GEN("event-set", "PATH", "set an event's flag, waking its waiters", "set", "P"),
	GEN("event-clear", "PATH", "clear an event's flag", "clear", "P"),
	GEN("is-set", "PATH", "print an event's flag", "is_set", "P", .out = OUT_PRINT),
	{ .name = "wait", .args = "PATH",
	  .help = "wait on an event, a condition or a barrier", .fn = cmd_wait,
	  .min = 1, .max = 1 },
	{ .name = "notify", .args = "PATH [N]", .help = "wake N (1) waiters of a condition",
	  .fn = cmd_notify, .op = "notify", .min = 1, .max = 2 },
	{ .name = "notify-all", .args = "PATH", .help = "wake every waiter of a condition",
	  .fn = cmd_notify, .op = "notify_all", .min = 1, .max = 1 },
	{ .name = "wait-for", .args = "PATH [--] COMMAND [ARGS...]",
	  .help = "wait on a condition until COMMAND exits 0", .fn = cmd_wait_for,
	  .flags = CMD_COMMAND, .min = 2, .max = -1 },
	GEN("abort", "PATH", "break a barrier", "abort", "P"),
	GEN("reset", "PATH", "make a barrier usable again", "reset", "P"),
	GEN("parties", "PATH", "print a barrier's number of parties", "parties", "P",
	    .out = OUT_PRINT),
	GEN("n-waiting", "PATH", "print how many wait at a barrier", "n_waiting", "P",
	    .out = OUT_PRINT),
	GEN("broken", "PATH", "print whether a barrier is broken", "broken", "P",
	    .out = OUT_PRINT),

	SECTION("Sessions"),
	{ .name = "batch", .args = "",
	  .help = "run stdin's lines as commands in one session",
	  .fn = cmd_batch, .min = 0, .max = 0 },
	{ .name = "help", .args = "[COMMAND]", .help = "show the help of a command",
	  .fn = cmd_help, .min = 0, .max = 1 },
	{ .help = NULL },
};

static void usage(FILE *f)
{
	const struct cmd *c;
	char left[128];

	fputs("usage: mgrctl [-c ADDR] [--authkey-file FILE] [-o KEY=VALUE]... [--json]\n"
	      "              [--timeout SECONDS] [--owner N] [--bytes|--string]\n"
	      "              COMMAND [ARGS...]\n"
	      "\nOptions:\n", f);
	print_opts(f, OPTS_MAIN);
	for (c = cmds; c->help; c++) {
		if (!c->name) {
			fprintf(f, "\n%s:\n", c->help);
			continue;
		}
		snprintf(left, sizeof(left), "%s%s%s", c->name, *c->args ? " " : "", c->args);
		if (strlen(left) > 32)
			fprintf(f, "  %s\n  %-32s %s\n", left, "", c->help);
		else
			fprintf(f, "  %-32s %s\n", left, c->help);
	}
	fputs("\nA VALUE is taken as JSON if it parses as JSON, else as a string; '-' reads it\n"
	      "from standard input.  Each invocation is one session: what it holds is\n"
	      "released when it exits.  'mgrctl help COMMAND' shows a command's options.\n"
	      "Exit status: 0 done, 1 error, 2 usage, 3 timed out or would block.\n", f);
}

static void cmd_usage(FILE *f, const struct cmd *cmd)
{
	fprintf(f, "usage: mgrctl %s%s%s\n%s\n", cmd->name, *cmd->args ? " " : "", cmd->args,
		cmd->help);
	if (cmd->more)
		fprintf(f, "\n%s", cmd->more);
	if (cmd->opts) {
		fputs("\nOptions:\n", f);
		print_opts(f, cmd->opts);
	}
	fputs("\nOptions of every command:\n", f);
	print_opts(f, OPTS_COMMON);
}

static const struct cmd *find_cmd(const char *name)
{
	char norm[32];
	const struct cmd *c;
	size_t i;

	/* Python's method names work too: task_done is task-done. */
	for (i = 0; name[i] && i + 1 < sizeof(norm); i++)
		norm[i] = name[i] == '_' ? '-' : name[i];
	norm[i] = '\0';
	if (name[i])
		return NULL;
	for (c = cmds; c->help; c++)
		if (c->name && !strcmp(c->name, norm))
			return c;
	return NULL;
}

static int cmd_help(struct sess *s, const struct cmd *cmd, const struct opts *o,
		    int argc, char **argv)
{
	const struct cmd *c;

	if (!argc) {
		usage(stdout);
		return ST_OK;
	}
	c = find_cmd(argv[0]);
	if (!c)
		return usage_err(s, cmd, "unknown command '%s'", argv[0]);
	cmd_usage(stdout, c);
	return ST_OK;
}

/* Run one command line: argv[0] is the command. */
static int run_words(struct sess *s, int argc, char **argv)
{
	const struct cmd *cmd = find_cmd(argv[0]);
	struct opts o = s->defaults;
	char **pos;
	int npos, min, max, st;

	if (!cmd)
		return usage_err(s, NULL, "unknown command '%s'", argv[0]);
	pos = calloc(argc + 1, sizeof(*pos));
	if (!pos)
		return fail(s, ENOMEM, "out of memory");
	st = parse_opts(s, cmd, OPTS_COMMON | OPT(O_HELP) | cmd->opts, argc - 1, argv + 1, &o,
			pos, &npos, cmd->flags & CMD_COMMAND ? 1 : -1);
	if (st)
		goto out;
	if (o.help) {
		cmd_usage(stdout, cmd);
		goto out;
	}
	if (cmd->spec) {
		spec_counts(cmd->spec, &min, &max);
	} else {
		min = cmd->min;
		max = cmd->max;
	}
	if (npos < min || (max >= 0 && npos > max)) {
		st = usage_err(s, cmd, npos < min ? "missing arguments" : "too many arguments");
		goto out;
	}
	if (o.bytes && o.string) {
		st = usage_err(s, cmd, "--bytes and --string exclude each other");
		goto out;
	}
	st = cmd->fn(s, cmd, &o, npos, pos);
out:
	free(pos);
	return st;
}

int main(int argc, char **argv)
{
	struct sess s;
	char **pos;
	int npos, st;

	memset(&s, 0, sizeof(s));
	pos = calloc(argc + 1, sizeof(*pos));
	if (!pos)
		return fail(NULL, ENOMEM, "out of memory");
	st = parse_opts(&s, NULL, OPTS_MAIN, argc - 1, argv + 1, &s.defaults, pos, &npos, 0);
	if (st)
		goto out;
	if (s.defaults.help) {
		usage(stdout);
		goto out;
	}
	if (!npos) {
		st = usage_err(&s, NULL, "no command given");
		goto out;
	}
	st = run_words(&s, npos, pos);
out:
	mgr_client_free(s.client);
	free(pos);
	while (s.nssh_args)
		free(s.ssh_args[--s.nssh_args]);
	free(s.ssh_args);
	free(s.ssh_options);
	if (fflush(stdout) != 0 && !st)
		st = fail(NULL, errno, "writing standard output: %s", strerror(errno));
	return st;
}
