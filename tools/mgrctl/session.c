/* The session: the one connection an invocation makes, made on first use,
 * the calls sent over it, and the messages that say why one failed.
 * Every failure is one line on stderr; inside batch it names the line. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "auth.h"
#include "json.h"
#include "mgrctl.h"
#include "proto.h"

/* Messages. */

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

int sess_fail_named(struct sess *s, const char *name, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn_named(s, name, fmt, ap);
	va_end(ap);
	return ST_ERR;
}

int sess_fail(struct sess *s, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn_named(s, errname(err), fmt, ap);
	va_end(ap);
	return ST_ERR;
}

int sess_usage_err(struct sess *s, const struct cmd *cmd, const char *fmt, ...)
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

/* Talking to the manager. */

static void on_close(void *arg, int err)
{
	struct sess *s = arg;

	s->closed = err ? err : -ECONNRESET;
}

static const char *sess_addr(const struct sess *s)
{
	return s->defaults.addr ? s->defaults.addr : getenv("MGRFS_ADDR");
}

unsigned sess_keepalive(const struct sess *s)
{
	const char *addr = sess_addr(s);

	if (s->defaults.has_keepalive)
		return s->defaults.keepalive;
	if (addr && (strncmp(addr, "tcp:", 4) == 0 || strncmp(addr, "ssh:", 4) == 0))
		return MGR_KEEPALIVE_REMOTE;
	return 0;
}

/* The client answers the manager's keepalive only when asked, so a wait
 * for anything else must dispatch it.  Once the connection is gone this
 * only waits for fd. */
int sess_serve_until(struct sess *s, int fd, short events)
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
		.on_event = cmd_watch_event,
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
		return sess_usage_err(s, NULL, "-o is for ssh: addresses, not %s",
				      addr && *addr ? addr : "the default socket");
	if (keyfile && *keyfile) {
		r = mgr_auth_read_key(keyfile, &key, &keylen, &kerr);
		if (r < 0)
			return sess_fail(s, r, "%s: %s", keyfile, kerr);
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
		sess_fail(s, r, "%s", err ? err : strerror(-r));
		free(err);
		return ST_ERR;
	}
	/* A command run by "wait-for" must not keep the connection open: when
	 * mgrctl dies, its session has to end so the manager gives back what
	 * it held.  "lock" hands the connection to its command on purpose
	 * (cmd_sync.c), so that the lock lives as long as the command. */
	fd = mgr_client_fd(s->client);
	fl = fcntl(fd, F_GETFD);
	if (fl >= 0)
		fcntl(fd, F_SETFD, fl | FD_CLOEXEC);
	return ST_OK;
}

int sess_req_begin(struct sess *s, const struct opts *o, struct mgr_req *r, const char *op,
		   const char *path)
{
	int err = mgr_req_init(r, op, path);

	if (err < 0)
		return sess_fail(s, err, "cannot encode the request (is the path valid UTF-8?)");
	if (o->has_owner && mgr_json_kv_u64(r->g, "owner", o->owner) < 0) {
		mgr_req_release(r);
		return sess_fail(s, ENOMEM, "out of memory");
	}
	return ST_OK;
}

int sess_send(struct sess *s, struct mgr_req *r, struct mgr_reply *rep)
{
	int err, st;

	memset(rep, 0, sizeof(*rep));
	st = sess_connect(s);
	if (st)
		return st;
	err = mgr_client_call(s->client, r, rep);
	if (err < 0)
		return sess_fail(s, err, "lost the connection to the manager: %s", strerror(-err));
	return ST_OK;
}

int sess_check(struct sess *s, const struct mgr_reply *rep)
{
	const char *name = NULL;

	if (!rep->err)
		return ST_OK;
	if (rep->err == -ETIMEDOUT || rep->err == -EAGAIN)
		return ST_TIMEOUT;
	if (mgr_json_get_str(rep->msg, "error", &name) < 0)
		name = errname(rep->err);
	return sess_fail_named(s, name, "%s", rep->message ? rep->message : strerror(-rep->err));
}

int sess_call(struct sess *s, struct mgr_req *r, struct mgr_reply *rep)
{
	int st = sess_send(s, r, rep);

	if (!st)
		st = sess_check(s, rep);
	if (st)
		mgr_reply_release(rep);
	return st;
}

int sess_call_op(struct sess *s, const struct opts *o, const char *op, const char *path,
		 double deadline, int64_t n, struct mgr_reply *rep)
{
	struct mgr_req r;
	int st;

	st = sess_req_begin(s, o, &r, op, path);
	if (st)
		return st;
	st = args_wait(s, o, r.g, deadline);
	if (!st && n >= 0 && mgr_json_kv_i64(r.g, "n", n) < 0)
		st = sess_fail(s, ENOMEM, "out of memory");
	if (!st)
		st = sess_call(s, &r, rep);
	mgr_req_release(&r);
	return st;
}

double sess_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

double sess_deadline(const struct opts *o)
{
	return o->has_timeout ? sess_now() + o->timeout + 1e-9 : 0;
}

/* o without its waiting options: for the calls around a wait (a stat
 * before it, a release after it) that must not give up early. */
static struct opts no_wait(const struct opts *o)
{
	struct opts plain = *o;

	plain.nowait = false;
	plain.has_timeout = false;
	return plain;
}

int sess_stat_type(struct sess *s, const struct opts *o, const char *path, char *type,
		   size_t len)
{
	struct mgr_reply rep;
	const char *t = "";
	struct opts plain = no_wait(o);
	int st;

	st = sess_call_op(s, &plain, "stat", path, 0, -1, &rep);
	if (st)
		return st;
	mgr_json_get_str(rep.result, "type", &t);
	snprintf(type, len, "%s", t);
	mgr_reply_release(&rep);
	return ST_OK;
}

int sess_acquire(struct sess *s, const struct opts *o, const char *path, double deadline)
{
	struct mgr_reply rep;
	int st;

	st = sess_call_op(s, o, "acquire", path, deadline, -1, &rep);
	if (st)
		return st;
	st = YAJL_IS_FALSE(rep.result) ? ST_TIMEOUT : ST_OK;
	mgr_reply_release(&rep);
	return st;
}

int sess_release(struct sess *s, const struct opts *o, const char *path)
{
	struct mgr_reply rep;
	struct opts plain = no_wait(o);
	int st;

	st = sess_call_op(s, &plain, "release", path, 0, -1, &rep);
	if (!st)
		mgr_reply_release(&rep);
	return st;
}
