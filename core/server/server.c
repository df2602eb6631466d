#include "server.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/crypto.h>

#include "addr.h"
#include "auth.h"
#include "frame.h"
#include "json.h"
#include "dlist.h"
#include "listen.h"
#include "log.h"
#include "engine.h"
#include "path.h"
#include "spin.h"
#include "wait.h"

/* A client that leaves this much output unread is cut off: its replies
 * and events would otherwise grow without bound. */
#define WBUF_MAX ((size_t)64 << 20)
/* Above this much pending output a connection's requests are not read, so
 * a client that sends faster than it reads is slowed down rather than cut
 * off; only events and late replies can then push it to WBUF_MAX. */
#define WBUF_HIGH ((size_t)4 << 20)
/* A buffer that grew for one large message is given back when empty. */
#define BUF_KEEP ((size_t)1 << 20)
#define READ_CHUNK ((size_t)64 << 10)
#define READ_MAX ((size_t)4 << 20)
/* Before authentication the only frame expected is the response. */
#define EVENTS_MAX 64
/* A session that asked for keepalives of S seconds ends when nothing has
 * come from it for this many times S. */

enum handle_kind {
	H_STOP,
	H_LISTENER,
	H_CONN_IN,
	H_CONN_OUT,
};

/* What epoll reports on: each registered descriptor has one. */
struct handle {
	enum handle_kind kind;
	int fd;
	uint32_t mask;
	bool watched;
};

struct listener {
	struct handle h;
	struct mgr_dlist link;
	bool auth;
	struct mgr_listen_sock s;
};

/* A connection's life: it serves requests until it is closing (end of
 * file, an error, a protocol violation); then its session has ended and
 * it only writes out what was queued, and reads and drops input until the
 * peer hangs up.  Once both directions are done it is dead, and freed
 * after the current batch of events, which may still point at it. */
struct conn {
	struct handle in, out;	/* out is unused when one_fd */
	struct mgr_dlist link;	/* in srv->conns, or srv->dead once dead */
	struct mgr_dlist touch_link;
	struct mgr_server *srv;
	struct mgr_session sess;
	struct mgr_dlist subs;	/* struct sub.conn_link */
	struct mgr_buf rbuf, wbuf;
	int in_flags, out_flags; /* file flags to restore at the end, or -1 */
	bool one_fd;
	bool is_socket;
	bool last;		/* the loop ends with this session */
	bool authed;
	bool closing;
	bool overflow;		/* cut off from inside a callback; close soon */
	bool in_eof;
	bool out_done;
	bool dead;
	uint64_t frames_out;	/* frames queued so far, hello included */
	uint64_t ka_ms;		/* keepalive: silence that ends it, or 0 */
	uint64_t last_recv;	/* keepalive: ms when input last came */
	char challenge[MGR_CHALLENGE_HEX + 1];
	char peer[128];
};

struct sub {
	struct mgr_dlist conn_link;
	struct mgr_dlist srv_link;
	struct conn *c;
	uint64_t id;
	bool recursive;
	size_t len;
	char path[];		/* canonical escaped form, "" for the root */
};

struct mgr_server {
	struct mgr_store *store;
	int epfd;
	struct handle stop;	/* an eventfd */
	int spare_fd;		/* given up to refuse a connection at EMFILE */
	bool stopping;
	bool done;
	bool overflow;		/* some connection was cut off */
	struct mgr_dlist listeners;
	struct mgr_dlist conns;
	struct mgr_dlist dead;
	struct mgr_dlist touched; /* conns to flush and settle */
	struct mgr_dlist subs;	/* struct sub.srv_link */
	unsigned char *key;
	size_t keylen;
	size_t max_frame;
	uint64_t next_conn;
	uint64_t next_sub;
	/* No keepalive session can have expired before this (ms, 0 for
	 * none): the loop sweeps them then. */
	uint64_t ka_next;
	yajl_gen out;		/* an operation's result */
	yajl_gen gen;		/* the frame being built */
	struct mgr_buf path;	/* an event's path */
};

static void gen_reset(yajl_gen g)
{
	yajl_gen_clear(g);
	yajl_gen_reset(g, NULL);
}

static int gen_ok(yajl_gen_status s)
{
	return s == yajl_gen_status_ok ? 0 : -EINVAL;
}

/* ---- epoll bookkeeping ---- */

static int watch(struct mgr_server *srv, struct handle *h, uint32_t mask)
{
	struct epoll_event ev = { .events = mask, .data.ptr = h };

	if (h->watched && h->mask == mask)
		return 0;
	if (epoll_ctl(srv->epfd, h->watched ? EPOLL_CTL_MOD : EPOLL_CTL_ADD,
		      h->fd, &ev) < 0)
		return -errno;
	h->watched = true;
	h->mask = mask;
	return 0;
}

static void unwatch(struct mgr_server *srv, struct handle *h)
{
	if (!h->watched)
		return;
	epoll_ctl(srv->epfd, EPOLL_CTL_DEL, h->fd, NULL);
	h->watched = false;
}

/* A descriptor with nothing to wait for is taken out of the set rather
 * than left with an empty mask: a pipe whose peer is gone reports
 * EPOLLHUP or EPOLLERR whatever the mask, and would spin the loop. */
static void watch_or_not(struct mgr_server *srv, struct handle *h, uint32_t mask)
{
	int r;

	if (!mask) {
		unwatch(srv, h);
		return;
	}
	r = watch(srv, h, mask);
	if (r < 0)
		mgr_log(MGR_LOG_ERROR, "epoll_ctl: %s", strerror(-r));
}

/* ---- connections: output ---- */

static void touch(struct conn *c)
{
	if (mgr_dlist_empty(&c->touch_link))
		mgr_dlist_append(&c->srv->touched, &c->touch_link);
}

/* Queue the message in g (which is reset whatever happens).  This runs
 * inside operations too (a parked call completing, an event), where the
 * connection must not be closed: a client over WBUF_MAX is only marked,
 * and settled later from the loop.  -EMSGSIZE when the message is over
 * the frame limit, so that the caller can answer with an error. */
static int conn_send(struct conn *c, yajl_gen g)
{
	int r;

	if (c->closing || c->overflow) {
		gen_reset(g);
		return 0;
	}
	r = mgr_frame_append_gen(&c->wbuf, g);
	if (r == -EMSGSIZE)
		return r;
	if (r == 0)
		c->frames_out++;
	if (r < 0 || c->wbuf.len > WBUF_MAX) {
		if (r < 0)
			mgr_log(MGR_LOG_ERROR, "connection %llu (%s): out of memory for its replies",
				(unsigned long long)c->sess.id, c->peer);
		else
			mgr_log(MGR_LOG_WARN, "connection %llu (%s) does not read its replies: more than %zu MiB unread, disconnecting",
				(unsigned long long)c->sess.id, c->peer, WBUF_MAX >> 20);
		c->overflow = true;
		c->srv->overflow = true;
		mgr_buf_release(&c->wbuf);
	}
	touch(c);
	return 0;
}

static int gen_reply_head(yajl_gen g, const uint64_t *id)
{
	if (gen_ok(yajl_gen_map_open(g)) < 0 || mgr_json_gen_cstr(g, "id") < 0)
		return -EINVAL;
	if (id)
		return mgr_json_gen_u64(g, *id);
	return gen_ok(yajl_gen_null(g));
}

static int gen_error(yajl_gen g, const uint64_t *id, int err, const char *msg)
{
	if (gen_reply_head(g, id) < 0 ||
	    mgr_json_kv_str(g, "error", mgr_errno_name(err)) < 0 ||
	    mgr_json_kv_str(g, "message", msg) < 0)
		return -EINVAL;
	return gen_ok(yajl_gen_map_close(g));
}

/* {"id":N or null,"error":"ENAME","message":msg} */
static void reply_error(struct conn *c, const uint64_t *id, int err, const char *msg)
{
	yajl_gen g = c->srv->gen;

	if (gen_error(g, id, err, msg) < 0) {
		/* The message is not valid UTF-8: a path it quotes was cut
		 * short inside a character.  The errno's text still says
		 * what went wrong. */
		gen_reset(g);
		gen_error(g, id, err, strerror(-err));
	}
	conn_send(c, g);
}

/* {"id":N,"result":<result>} with result already JSON text. */
static void reply_result(struct conn *c, uint64_t id, const char *result, size_t len)
{
	yajl_gen g = c->srv->gen;
	uint64_t before = c->frames_out;

	if (len == 0) {
		reply_error(c, &id, -EIO, "the operation gave no result");
		return;
	}
	if (gen_reply_head(g, &id) < 0 || mgr_json_gen_cstr(g, "result") < 0 ||
	    mgr_json_gen_raw(g, result, len) < 0 || gen_ok(yajl_gen_map_close(g)) < 0) {
		gen_reset(g);
		reply_error(c, &id, -ENOMEM, "cannot build the reply");
		return;
	}
	if (conn_send(c, g) == -EMSGSIZE)
		reply_error(c, &id, -EMSGSIZE, "the reply is larger than the 16 MiB frame limit");
	else if (c->frames_out != before && !mgr_dlist_empty(&c->sess.given))
		mgr_session_sent(&c->sess, id, c->frames_out);
}

/* The session's complete function: the outcome of a parked call. */
static void conn_complete(struct mgr_session *sess, uint64_t req_id, int err,
			  const char *msg, const char *result, size_t len)
{
	struct conn *c = sess->data;

	if (err)
		reply_error(c, &req_id, err, msg ? msg : strerror(-err));
	else
		reply_result(c, req_id, result, len);
}

/* ---- connections: life cycle ---- */

static void sub_free(struct sub *s)
{
	mgr_dlist_remove(&s->conn_link);
	mgr_dlist_remove(&s->srv_link);
	free(s);
}

static void conn_drop_subs(struct conn *c)
{
	struct mgr_dlist *pos, *tmp;

	mgr_dlist_for_each(pos, tmp, &c->subs)
		sub_free(mgr_container_of(pos, struct sub, conn_link));
}

/* Stop serving c: end its session, which cancels its parked calls and
 * gives what it held to the next waiters.  Never called from inside an
 * operation, where the store is in the middle of a change. */
static void conn_close(struct conn *c, enum mgr_log_level level, const char *why)
{
	if (c->closing)
		return;
	mgr_log(level, "connection %llu (%s) closed: %s",
		(unsigned long long)c->sess.id, c->peer, why);
	c->closing = true;
	conn_drop_subs(c);
	mgr_session_end(c->srv->store, &c->sess);
	touch(c);
}

/* A broken link is news for a session that asked for keepalives (a
 * remote client that reconnects); for others it is how clients go. */
static enum mgr_log_level link_level(const struct conn *c)
{
	return c->ka_ms ? MGR_LOG_WARN : MGR_LOG_DEBUG;
}

/* Close with nothing more to read or write: the descriptor is broken. */
static void conn_fail(struct conn *c, enum mgr_log_level level, const char *why)
{
	conn_close(c, level, why);
	c->in_eof = c->out_done = true;
	mgr_buf_release(&c->wbuf);
}

static void conn_kill(struct conn *c)
{
	struct mgr_server *srv = c->srv;

	c->dead = true;
	unwatch(srv, &c->in);
	if (!c->one_fd)
		unwatch(srv, &c->out);
	mgr_dlist_remove(&c->touch_link);
	mgr_dlist_remove(&c->link);
	mgr_dlist_append(&srv->dead, &c->link);
}

static void conn_free(struct conn *c)
{
	if (c->in_flags >= 0)
		fcntl(c->in.fd, F_SETFL, c->in_flags);
	if (c->out_flags >= 0)
		fcntl(c->out.fd, F_SETFL, c->out_flags);
	close(c->in.fd);
	if (!c->one_fd)
		close(c->out.fd);
	if (c->last)
		c->srv->done = true;
	conn_drop_subs(c);
	mgr_dlist_remove(&c->touch_link);
	mgr_dlist_remove(&c->link);
	mgr_buf_release(&c->rbuf);
	mgr_buf_release(&c->wbuf);
	free(c);
}

static void conn_flush(struct conn *c)
{
	ssize_t n;

	while (c->wbuf.len) {
		if (c->is_socket)
			n = send(c->out.fd, c->wbuf.data, c->wbuf.len, MSG_NOSIGNAL);
		else
			n = write(c->out.fd, c->wbuf.data, c->wbuf.len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (n < 0) {
			char why[128];

			snprintf(why, sizeof(why), "write failed: %s", strerror(errno));
			conn_fail(c, link_level(c), why);
			return;
		}
		mgr_buf_consume(&c->wbuf, n);
	}
	if (c->wbuf.cap > BUF_KEEP && c->wbuf.len == 0)
		mgr_buf_release(&c->wbuf);
}

/* Bring c's state and its epoll interest up to date after anything
 * happened to it. */
static void conn_settle(struct conn *c)
{
	uint32_t in = 0, out = 0;

	if (c->dead)
		return;
	if (c->closing && !c->out_done && c->wbuf.len == 0) {
		/* Everything queued is out: tell the peer, and wait for it
		 * to hang up so that closing does not reset the connection
		 * under data it has not read yet. */
		if (c->is_socket)
			shutdown(c->out.fd, SHUT_WR);
		c->out_done = true;
	}
	if (c->closing && c->in_eof && c->out_done) {
		conn_kill(c);
		return;
	}
	if (!c->in_eof && (c->closing || c->wbuf.len < WBUF_HIGH))
		in = EPOLLIN;
	if (!c->out_done && c->wbuf.len)
		out = EPOLLOUT;
	if (c->one_fd) {
		watch_or_not(c->srv, &c->in, in | out);
	} else {
		watch_or_not(c->srv, &c->in, in);
		watch_or_not(c->srv, &c->out, out);
	}
}

/* End the sessions of connections cut off for not reading, as soon as
 * the operation that overflowed them is over: their parked calls must not
 * take more (a queue item, a lock) that they would never see. */
static void close_overflowed(struct mgr_server *srv)
{
	struct mgr_dlist *pos, *tmp;

	if (!srv->overflow)
		return;
	srv->overflow = false;
	mgr_dlist_for_each(pos, tmp, &srv->touched) {
		struct conn *c = mgr_container_of(pos, struct conn, touch_link);

		if (c->overflow && !c->closing)
			conn_fail(c, MGR_LOG_DEBUG, "too much output unread");
	}
}

static void settle_all(struct mgr_server *srv)
{
	struct conn *c;

	while ((c = mgr_dlist_first(&srv->touched, struct conn, touch_link))) {
		mgr_dlist_remove(&c->touch_link);
		if (c->overflow && !c->closing)
			conn_fail(c, MGR_LOG_DEBUG, "too much output unread");
		if (!c->dead && !c->out_done && c->wbuf.len)
			conn_flush(c);
		conn_settle(c);
	}
}

static void free_dead(struct mgr_server *srv)
{
	struct conn *c;

	while ((c = mgr_dlist_first(&srv->dead, struct conn, link)))
		conn_free(c);
}

static int send_hello(struct conn *c, bool auth)
{
	yajl_gen g = c->srv->gen;
	int r;

	if (auth) {
		r = mgr_auth_challenge(c->challenge);
		if (r < 0)
			return r;
	}
	if (gen_ok(yajl_gen_map_open(g)) < 0 ||
	    mgr_json_kv_str(g, "hello", "mgrd") < 0 ||
	    mgr_json_kv_u64(g, "protocol", 1) < 0 ||
	    (auth && (mgr_json_kv_str(g, "auth", "hmac-sha256") < 0 ||
		      mgr_json_kv_str(g, "challenge", c->challenge) < 0)) ||
	    gen_ok(yajl_gen_map_close(g)) < 0) {
		gen_reset(g);
		return -ENOMEM;
	}
	return conn_send(c, g);
}

/* A connection over in_fd and out_fd (the same for a socket), owned from
 * here on: closed on failure too. */
static int conn_new(struct mgr_server *srv, int in_fd, int out_fd, bool auth,
		    const char *peer, struct conn **out)
{
	struct stat st;
	struct conn *c;
	int r;

	c = calloc(1, sizeof(*c));
	if (!c) {
		r = -ENOMEM;
		goto err_close;
	}
	c->srv = srv;
	c->in = (struct handle){ .kind = H_CONN_IN, .fd = in_fd };
	c->out = (struct handle){ .kind = H_CONN_OUT, .fd = out_fd };
	c->one_fd = in_fd == out_fd;
	c->is_socket = fstat(out_fd, &st) == 0 && S_ISSOCK(st.st_mode);
	c->in_flags = c->out_flags = -1;
	c->authed = !auth;
	mgr_dlist_init(&c->touch_link);
	mgr_dlist_init(&c->subs);
	mgr_buf_init(&c->rbuf);
	mgr_buf_init(&c->wbuf);
	mgr_session_init(&c->sess, ++srv->next_conn);
	c->sess.complete = conn_complete;
	c->sess.data = c;
	snprintf(c->peer, sizeof(c->peer), "%s", peer);
	mgr_dlist_append(&srv->conns, &c->link);
	r = send_hello(c, auth);
	if (r < 0) {
		/* Nothing was served: no session to end, nothing to say. */
		conn_free(c);
		return r;
	}
	mgr_log(MGR_LOG_DEBUG, "connection %llu (%s) opened",
		(unsigned long long)c->sess.id, c->peer);
	*out = c;
	return 0;
err_close:
	close(in_fd);
	if (out_fd != in_fd)
		close(out_fd);
	return r;
}

/* ---- requests ---- */

static bool is_hex(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
		      (s[i] >= 'A' && s[i] <= 'F')))
			return false;
	return s[len] == '\0';
}

static void send_simple(struct conn *c, const char *k1, const char *v1,
			const char *k2, const char *v2, bool welcome)
{
	yajl_gen g = c->srv->gen;

	if (gen_ok(yajl_gen_map_open(g)) < 0 ||
	    (welcome && mgr_json_kv_bool(g, "welcome", true) < 0) ||
	    (k1 && mgr_json_kv_str(g, k1, v1) < 0) ||
	    (k2 && mgr_json_kv_str(g, k2, v2) < 0) ||
	    gen_ok(yajl_gen_map_close(g)) < 0) {
		gen_reset(g);
		return;
	}
	conn_send(c, g);
}

/* The one message expected before authentication (msg is NULL when the
 * frame was not even a JSON object). */
static void conn_auth(struct conn *c, yajl_val msg)
{
	struct mgr_server *srv = c->srv;
	char mine[MGR_RESPONSE_HEX + 1];
	const char *resp, *theirs;
	uint64_t id;

	if (msg && !mgr_json_get(msg, "response") && mgr_json_get_u64(msg, "id", &id) == 0) {
		/* A request too early: refused under its own id, so that a
		 * client waiting for that reply learns why. */
		mgr_log(MGR_LOG_WARN, "authentication failed from %s: a request came first",
			c->peer);
		reply_error(c, &id, -EACCES, "authentication required");
		conn_close(c, MGR_LOG_DEBUG, "a request before authentication");
		return;
	}
	if (!msg || mgr_json_get_str(msg, "response", &resp) < 0 ||
	    mgr_json_get_str(msg, "challenge", &theirs) < 0 ||
	    !is_hex(theirs, MGR_CHALLENGE_HEX) ||
	    !mgr_auth_check(srv->key, srv->keylen, MGR_AUTH_CLIENT, c->challenge, resp)) {
		mgr_log(MGR_LOG_WARN, "authentication failed from %s", c->peer);
		send_simple(c, "error", "EACCES", "message", "authentication failed", false);
		conn_close(c, MGR_LOG_DEBUG, "authentication failed");
		return;
	}
	if (mgr_auth_respond(srv->key, srv->keylen, MGR_AUTH_SERVER, theirs, mine) < 0) {
		send_simple(c, "error", "EIO", "message", "cannot compute the response", false);
		conn_close(c, MGR_LOG_ERROR, "cannot compute the authentication response");
		return;
	}
	send_simple(c, "response", mine, NULL, NULL, true);
	c->authed = true;
	mgr_log(MGR_LOG_DEBUG, "connection %llu (%s) authenticated",
		(unsigned long long)c->sess.id, c->peer);
}

static int op_ping(struct conn *c, struct mgr_call *call)
{
	return mgr_json_gen_cstr(call->out, "pong");
}

static int op_keepalive(struct conn *c, struct mgr_call *call)
{
	struct mgr_server *srv = c->srv;
	uint64_t s, expiry;

	if (mgr_json_get_u64(call->args, "interval", &s) < 0 || s < 1 || s > MGR_KEEPALIVE_MAX)
		return mgr_call_err(call, -EINVAL,
				    "keepalive needs \"interval\", whole seconds from 1 to %d",
				    MGR_KEEPALIVE_MAX);
	c->ka_ms = s * 1000 * MGR_KEEPALIVE_MISSES;
	c->last_recv = call->now;
	/* From now on the client acknowledges what it reads. */
	c->sess.keep_given = true;
	expiry = c->last_recv + c->ka_ms;
	if (!srv->ka_next || expiry < srv->ka_next)
		srv->ka_next = expiry;
	mgr_log(MGR_LOG_DEBUG, "connection %llu (%s): keepalive every %llu s",
		(unsigned long long)c->sess.id, c->peer, (unsigned long long)s);
	return gen_ok(yajl_gen_bool(call->out, 1));
}

static int op_cancel(struct conn *c, struct mgr_call *call)
{
	struct mgr_waiter *w;
	uint64_t target;

	if (mgr_json_get_u64(call->args, "target", &target) < 0)
		return mgr_call_err(call, -EINVAL,
				    "cancel needs \"target\", the id of a parked call");
	w = mgr_waiter_find(&c->sess, target);
	/* The cancelled call's own reply (ECANCELED) goes out first. */
	if (w)
		mgr_waiter_abort(call->store, w, -ECANCELED);
	return gen_ok(yajl_gen_bool(call->out, w != NULL));
}

static int op_subscribe(struct conn *c, struct mgr_call *call)
{
	struct mgr_server *srv = c->srv;
	struct mgr_buf canon = MGR_BUF_INIT;
	const char *text = "", *why;
	bool recursive = true;
	struct mgr_path p;
	struct sub *s;
	size_t i;
	int r;

	if (mgr_json_get_str(call->args, "path", &text) == -EINVAL)
		return mgr_call_err(call, -EINVAL, "\"path\" must be a string");
	if (mgr_json_get_bool(call->args, "recursive", &recursive) == -EINVAL)
		return mgr_call_err(call, -EINVAL, "\"recursive\" must be true or false");
	r = mgr_path_parse(text, strlen(text), &p, &why);
	if (r < 0)
		return mgr_call_err(call, r, "%s", why);
	/* Paths are matched in the form mgr_obj_path gives, so a
	 * subscription spelled "/a/%62" matches changes to "a/b". */
	for (i = 0; i < p.n && r == 0; i++) {
		if (i)
			r = mgr_buf_append(&canon, "/", 1);
		if (r == 0)
			r = mgr_name_escape(p.names[i].s, p.names[i].len, &canon);
	}
	mgr_path_release(&p);
	s = r == 0 ? malloc(sizeof(*s) + canon.len + 1) : NULL;
	if (!s) {
		mgr_buf_release(&canon);
		return mgr_call_err(call, -ENOMEM, "out of memory");
	}
	s->c = c;
	s->id = ++srv->next_sub;
	s->recursive = recursive;
	s->len = canon.len;
	if (canon.len)
		memcpy(s->path, canon.data, canon.len);
	s->path[canon.len] = '\0';
	mgr_buf_release(&canon);
	mgr_dlist_append(&c->subs, &s->conn_link);
	mgr_dlist_append(&srv->subs, &s->srv_link);
	if (gen_ok(yajl_gen_map_open(call->out)) < 0 ||
	    mgr_json_kv_u64(call->out, "sub", s->id) < 0)
		return mgr_call_err(call, -ENOMEM, "out of memory");
	return gen_ok(yajl_gen_map_close(call->out));
}

static int op_unsubscribe(struct conn *c, struct mgr_call *call)
{
	struct mgr_dlist *pos, *tmp;
	uint64_t id;

	if (mgr_json_get_u64(call->args, "sub", &id) < 0)
		return mgr_call_err(call, -EINVAL,
				    "unsubscribe needs \"sub\", a subscription number");
	mgr_dlist_for_each(pos, tmp, &c->subs) {
		struct sub *s = mgr_container_of(pos, struct sub, conn_link);

		if (s->id == id) {
			sub_free(s);
			return gen_ok(yajl_gen_bool(call->out, 1));
		}
	}
	return mgr_call_err(call, -ENOENT, "no such subscription: %llu",
			    (unsigned long long)id);
}

/* Operations on the session rather than on an object. */
static const struct {
	const char *name;
	int (*fn)(struct conn *c, struct mgr_call *call);
} server_ops[] = {
	{ "ping", op_ping },
	{ "keepalive", op_keepalive },
	{ "cancel", op_cancel },
	{ "subscribe", op_subscribe },
	{ "unsubscribe", op_unsubscribe },
};

static void conn_request(struct conn *c, yajl_val msg)
{
	struct mgr_server *srv = c->srv;
	const unsigned char *res;
	struct mgr_call call;
	const char *op = "";
	size_t i, len;
	uint64_t id;
	yajl_val ack;
	int r;

	/* {"ack":N}: the client has read our first N frames.  One-way. */
	ack = mgr_json_get(msg, "ack");
	if (ack && !mgr_json_get(msg, "id")) {
		if (mgr_json_get_u64(msg, "ack", &id) < 0)
			reply_error(c, NULL, -EINVAL, "\"ack\" must be an unsigned integer");
		else
			mgr_session_ack(&c->sess, id);
		return;
	}
	r = mgr_json_get_u64(msg, "id", &id);
	if (r < 0) {
		reply_error(c, NULL, -EINVAL, r == -ENOENT ? "a request needs an \"id\"" :
			    "\"id\" must be an unsigned integer");
		return;
	}
	memset(&call, 0, sizeof(call));
	call.store = srv->store;
	call.sess = &c->sess;
	call.id = id;
	call.now = mgr_now_ms();
	call.args = msg;
	call.out = srv->out;
	gen_reset(srv->out);
	/* A missing or mistyped "op" is for mgr_engine_exec to report. */
	mgr_json_get_str(msg, "op", &op);
	for (i = 0; i < sizeof(server_ops) / sizeof(server_ops[0]); i++)
		if (strcmp(op, server_ops[i].name) == 0)
			break;
	if (i < sizeof(server_ops) / sizeof(server_ops[0]))
		r = server_ops[i].fn(c, &call);
	else
		r = mgr_engine_exec(&call);
	if (r == MGR_PARKED)
		goto out;
	if (r < 0) {
		reply_error(c, &id, r, call.err ? call.err : strerror(-r));
		goto out;
	}
	yajl_gen_get_buf(srv->out, &res, &len);
	reply_result(c, id, (const char *)res, len);
out:
	gen_reset(srv->out);
}

static void conn_frame(struct conn *c, const char *payload, size_t plen)
{
	char why[256];
	yajl_val msg;
	int r;

	r = mgr_frame_decode(payload, plen, &msg, why, sizeof(why));
	if (!c->authed)
		conn_auth(c, r < 0 ? NULL : msg);
	else if (r < 0)
		reply_error(c, NULL, r, why);
	else
		conn_request(c, msg);
	if (r == 0)
		yajl_tree_free(msg);
}

static size_t frame_len(const char *hdr)
{
	const unsigned char *p = (const unsigned char *)hdr;

	return (size_t)p[0] << 24 | (size_t)p[1] << 16 | (size_t)p[2] << 8 | p[3];
}

/* Run every complete frame in the read buffer. */
static void conn_frames(struct conn *c)
{
	size_t off = 0, plen, used, max;
	const char *payload;
	char why[160];
	int r;

	while (!c->closing) {
		max = c->authed ? c->srv->max_frame : MGR_PREAUTH_FRAME_MAX;
		r = mgr_frame_next(c->rbuf.data + off, c->rbuf.len - off, max,
				   &payload, &plen, &used);
		if (r == 0)
			break;
		if (r < 0) {
			/* After a bad length nothing that follows can be
			 * trusted to be a frame boundary. */
			snprintf(why, sizeof(why), "a frame of %zu bytes is outside 1..%zu",
				 frame_len(c->rbuf.data + off), max);
			reply_error(c, NULL, -EMSGSIZE, why);
			conn_close(c, MGR_LOG_INFO, why);
			break;
		}
		off += used;
		conn_frame(c, payload, plen);
		close_overflowed(c->srv);
	}
	if (c->closing)
		c->rbuf.len = 0;
	else
		mgr_buf_consume(&c->rbuf, off);
	if (c->rbuf.len == 0 && c->rbuf.cap > BUF_KEEP)
		mgr_buf_release(&c->rbuf);
}

static void conn_read(struct conn *c)
{
	size_t want = READ_CHUNK, rest;
	char why[128];
	ssize_t n;

	/* The rest of a large frame is read in larger steps. */
	if (!c->closing && c->rbuf.len >= MGR_FRAME_HDR) {
		rest = MGR_FRAME_HDR + frame_len(c->rbuf.data) - c->rbuf.len;
		if (rest > want)
			want = rest < READ_MAX ? rest : READ_MAX;
	}
	if (mgr_buf_reserve(&c->rbuf, want) < 0) {
		conn_fail(c, MGR_LOG_ERROR, "out of memory for its requests");
		return;
	}
	n = read(c->in.fd, c->rbuf.data + c->rbuf.len, want);
	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return;
		snprintf(why, sizeof(why), "read failed: %s", strerror(errno));
		conn_fail(c, link_level(c), why);
		return;
	}
	touch(c);
	if (c->ka_ms)
		c->last_recv = mgr_now_ms();
	if (n == 0) {
		/* A peer that closed cleanly read what it wanted: what it
		 * was given stays given. */
		mgr_session_ack(&c->sess, UINT64_MAX);
		c->in_eof = true;
		conn_close(c, MGR_LOG_DEBUG, "end of file");
		return;
	}
	/* A closing connection's input is read only to be dropped. */
	if (c->closing)
		return;
	c->rbuf.len += n;
	conn_frames(c);
}

/* ---- subscriptions ---- */

static bool sub_matches(const struct sub *s, const char *path, size_t len)
{
	if (len == s->len)
		return len == 0 || memcmp(path, s->path, len) == 0;
	if (!s->recursive || len < s->len)
		return false;
	if (s->len == 0)
		return true;
	return path[s->len] == '/' && memcmp(path, s->path, s->len) == 0;
}

static const char *const whats[] = {
	[MGR_CHANGE_CREATE] = "create",
	[MGR_CHANGE_UPDATE] = "update",
	[MGR_CHANGE_DELETE] = "delete",
	/* Marked "moving": to a client that does not know the mark, a
	 * rename is what it always was, a delete and then a create. */
	[MGR_CHANGE_MOVE] = "delete",
};

static int gen_event(yajl_gen g, const struct sub *s, const struct mgr_buf *path,
		     enum mgr_change what, const struct mgr_obj *o)
{
	if (gen_ok(yajl_gen_map_open(g)) < 0 ||
	    mgr_json_kv_str(g, "event", "change") < 0 ||
	    mgr_json_kv_u64(g, "sub", s->id) < 0 ||
	    mgr_json_gen_cstr(g, "path") < 0 ||
	    mgr_json_gen_strn(g, path->data ? path->data : "", path->len) < 0 ||
	    mgr_json_kv_str(g, "what", whats[what]) < 0 ||
	    mgr_json_kv_str(g, "type", mgr_type_name(o->type)) < 0 ||
	    mgr_json_kv_u64(g, "version", o->version) < 0 ||
	    (what == MGR_CHANGE_MOVE && mgr_json_kv_bool(g, "moving", true) < 0))
		return -EINVAL;
	return gen_ok(yajl_gen_map_close(g));
}

/* The store's hook: every change goes to each subscription that covers
 * it.  Runs inside operations, so it only queues output. */
static void server_hook(void *arg, struct mgr_obj *o, enum mgr_change what)
{
	struct mgr_server *srv = arg;
	struct mgr_dlist *pos, *tmp;

	if (mgr_dlist_empty(&srv->subs))
		return;
	srv->path.len = 0;
	if (mgr_obj_path(o, &srv->path) < 0) {
		mgr_log(MGR_LOG_ERROR, "out of memory: a change event was lost");
		return;
	}
	mgr_dlist_for_each(pos, tmp, &srv->subs) {
		struct sub *s = mgr_container_of(pos, struct sub, srv_link);

		if (!sub_matches(s, srv->path.data, srv->path.len))
			continue;
		if (gen_event(srv->gen, s, &srv->path, what, o) < 0) {
			gen_reset(srv->gen);
			mgr_log(MGR_LOG_DEBUG, "no event for a change to a path that is not UTF-8");
			return;
		}
		conn_send(s->c, srv->gen);
	}
}

/* ---- listeners ---- */

static void listener_free(struct mgr_server *srv, struct listener *l)
{
	unwatch(srv, &l->h);
	mgr_listen_close(&l->s);
	mgr_dlist_remove(&l->link);
	free(l);
}

static void close_listeners(struct mgr_server *srv)
{
	struct listener *l;

	while ((l = mgr_dlist_first(&srv->listeners, struct listener, link)))
		listener_free(srv, l);
}

/* Serve the listening socket s (taken over, closed on failure too). */
static int listener_add(struct mgr_server *srv, struct mgr_listen_sock *s, bool auth,
			char *err, size_t errlen)
{
	struct listener *l = calloc(1, sizeof(*l));
	int r;

	if (!l) {
		mgr_listen_close(s);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	l->s = *s;
	l->h = (struct handle){ .kind = H_LISTENER, .fd = s->fd };
	l->auth = auth;
	mgr_dlist_append(&srv->listeners, &l->link);
	r = watch(srv, &l->h, EPOLLIN);
	if (r < 0) {
		snprintf(err, errlen, "epoll_ctl: %s", strerror(-r));
		listener_free(srv, l);
		return r;
	}
	mgr_log(MGR_LOG_INFO, "listening on %s%s", l->s.name,
		auth ? " (authkey required)" : "");
	return 0;
}

static int listen_tcp(struct mgr_server *srv, const struct mgr_addr *a, char *err,
		      size_t errlen)
{
	struct mgr_listen_sock *socks;
	size_t n, i;
	int r;

	if (!srv->key) {
		snprintf(err, errlen, "a TCP listener needs an authkey (--authkey-file)");
		return -EINVAL;
	}
	r = mgr_listen_tcp(a->host, a->port, &socks, &n, err, errlen);
	if (r < 0)
		return r;
	for (i = 0; i < n && r == 0; i++)
		r = listener_add(srv, &socks[i], true, err, errlen);
	/* On failure the sockets not yet handed over are closed here, and
	 * those that were stay until mgr_server_free. */
	while (i < n)
		mgr_listen_close(&socks[i++]);
	free(socks);
	return r;
}

int mgr_server_listen(struct mgr_server *srv, const struct mgr_addr *a, int flags,
		      char *err, size_t errlen)
{
	struct mgr_listen_sock s;
	int r;

	if ((flags & MGR_LISTEN_AUTH) && !srv->key) {
		snprintf(err, errlen, "a listener that asks for a key needs one (--authkey-file)");
		return -EINVAL;
	}
	switch (a->kind) {
	case MGR_ADDR_UNIX:
		r = mgr_listen_unix(a->path, flags & MGR_LISTEN_PRIVATE_DIR, &s, err, errlen);
		if (r < 0)
			return r;
		return listener_add(srv, &s, flags & MGR_LISTEN_AUTH, err, errlen);
	case MGR_ADDR_TCP:
		return listen_tcp(srv, a, err, errlen);
	default:
		snprintf(err, errlen, "a manager listens on unix: and tcp: addresses only");
		return -EINVAL;
	}
}

static void peer_name(int fd, char *out, size_t outlen)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	struct ucred cred;

	if (getpeername(fd, (struct sockaddr *)&ss, &len) < 0) {
		snprintf(out, outlen, "an unknown peer");
		return;
	}
	if (ss.ss_family != AF_UNIX) {
		mgr_sockaddr_name((struct sockaddr *)&ss, len, out, outlen);
		return;
	}
	len = sizeof(cred);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0)
		snprintf(out, outlen, "local pid %d uid %u", (int)cred.pid, (unsigned)cred.uid);
	else
		snprintf(out, outlen, "a local peer");
}

static void listener_accept(struct mgr_server *srv, struct listener *l)
{
	char peer[128];
	struct conn *c;
	int fd, one = 1, i;

	/* A few at a time, so that a flood of connections does not starve
	 * the clients already served. */
	for (i = 0; i < 16; i++) {
		fd = accept4(l->h.fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if ((errno == EMFILE || errno == ENFILE) && srv->spare_fd >= 0) {
				/* Without a descriptor to take it, the
				 * connection would stay in the backlog and
				 * wake the loop forever: take it with the
				 * spare one and hang up. */
				close(srv->spare_fd);
				fd = accept(l->h.fd, NULL, NULL);
				if (fd >= 0)
					close(fd);
				srv->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
				mgr_log(MGR_LOG_WARN, "out of file descriptors: refused a connection on %s",
					l->s.name);
				continue;
			}
			if (errno != EAGAIN)
				mgr_log(MGR_LOG_WARN, "accept on %s: %s", l->s.name, strerror(errno));
			return;
		}
		/* Replies are small and awaited: do not hold them back.
		 * TCP's keepalive ends a session whose peer vanished even
		 * if it never asked for ours. */
		if (!l->s.path) {
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
			mgr_tcp_keepalive(fd);
		}
		peer_name(fd, peer, sizeof(peer));
		if (conn_new(srv, fd, fd, l->auth, peer, &c) < 0)
			mgr_log(MGR_LOG_ERROR, "cannot serve a connection from %s", peer);
	}
}

/* ---- the server ---- */

int mgr_server_new(const struct mgr_server_opts *opts, struct mgr_server **out,
		   char *err, size_t errlen)
{
	struct mgr_server *srv;
	int r = -ENOMEM;

	srv = calloc(1, sizeof(*srv));
	if (!srv)
		goto err_msg;
	srv->epfd = srv->stop.fd = srv->spare_fd = -1;
	mgr_dlist_init(&srv->listeners);
	mgr_dlist_init(&srv->conns);
	mgr_dlist_init(&srv->dead);
	mgr_dlist_init(&srv->touched);
	mgr_dlist_init(&srv->subs);
	mgr_buf_init(&srv->path);
	srv->max_frame = opts->max_frame && opts->max_frame < MGR_FRAME_MAX ?
		opts->max_frame : MGR_FRAME_MAX;
	if (opts->authkey) {
		srv->key = malloc(opts->authkey_len ? opts->authkey_len : 1);
		if (!srv->key)
			goto err_free;
		memcpy(srv->key, opts->authkey, opts->authkey_len);
		srv->keylen = opts->authkey_len;
	}
	srv->store = mgr_engine_new();
	srv->out = mgr_json_gen_new();
	srv->gen = mgr_json_gen_new();
	if (!srv->store || !srv->out || !srv->gen)
		goto err_free;
	mgr_store_set_hook(srv->store, server_hook, srv);
	srv->epfd = epoll_create1(EPOLL_CLOEXEC);
	srv->stop = (struct handle){ .kind = H_STOP };
	srv->stop.fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (srv->epfd < 0 || srv->stop.fd < 0 || watch(srv, &srv->stop, EPOLLIN) < 0) {
		r = -errno;
		goto err_free;
	}
	srv->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	*out = srv;
	return 0;
err_free:
	mgr_server_free(srv);
err_msg:
	snprintf(err, errlen, "cannot set up the server: %s", strerror(-r));
	return r;
}

void mgr_server_free(struct mgr_server *srv)
{
	struct mgr_dlist *pos, *tmp;
	struct conn *c;

	if (!srv)
		return;
	/* End every session first: what one releases may complete a call
	 * of another, which must still be there to take the reply. */
	mgr_dlist_for_each(pos, tmp, &srv->conns) {
		c = mgr_container_of(pos, struct conn, link);
		if (!c->closing) {
			c->closing = true;
			conn_drop_subs(c);
			mgr_session_end(srv->store, &c->sess);
		}
	}
	/* Whatever is queued goes out if the peer takes it now. */
	mgr_dlist_for_each(pos, tmp, &srv->conns) {
		c = mgr_container_of(pos, struct conn, link);
		if (!c->out_done)
			conn_flush(c);
	}
	while ((c = mgr_dlist_first(&srv->conns, struct conn, link)))
		conn_free(c);
	free_dead(srv);
	close_listeners(srv);
	mgr_engine_free(srv->store);
	if (srv->out)
		yajl_gen_free(srv->out);
	if (srv->gen)
		yajl_gen_free(srv->gen);
	mgr_buf_release(&srv->path);
	if (srv->key) {
		OPENSSL_cleanse(srv->key, srv->keylen);
		free(srv->key);
	}
	if (srv->epfd >= 0)
		close(srv->epfd);
	if (srv->stop.fd >= 0)
		close(srv->stop.fd);
	if (srv->spare_fd >= 0)
		close(srv->spare_fd);
	free(srv);
}

struct mgr_store *mgr_server_store(struct mgr_server *srv)
{
	return srv->store;
}

static int set_nonblock(int fd, int *saved)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -errno;
	*saved = fl;
	return 0;
}

int mgr_server_serve_fds(struct mgr_server *srv, int in_fd, int out_fd,
			 char *err, size_t errlen)
{
	struct conn *c;
	int r;

	r = conn_new(srv, in_fd, out_fd, false, "stdio", &c);
	if (r < 0) {
		snprintf(err, errlen, "cannot serve over descriptors %d and %d: %s",
			 in_fd, out_fd, strerror(-r));
		return r;
	}
	/* The flags are shared with whoever else has these descriptors (a
	 * terminal, say), so they are put back at the end. */
	r = set_nonblock(in_fd, &c->in_flags);
	if (r == 0 && !c->one_fd)
		r = set_nonblock(out_fd, &c->out_flags);
	if (r < 0) {
		snprintf(err, errlen, "cannot serve over descriptors %d and %d: %s",
			 in_fd, out_fd, strerror(-r));
		goto err_kill;
	}
	/* Only a descriptor epoll can wait on will do: not a regular file. */
	r = watch(srv, &c->in, EPOLLIN);
	if (r < 0) {
		snprintf(err, errlen, "cannot wait for input on descriptor %d: %s",
			 in_fd, strerror(-r));
		goto err_kill;
	}
	c->last = true;
	return 0;
err_kill:
	conn_kill(c);
	free_dead(srv);
	return r;
}

void mgr_server_stop(struct mgr_server *srv)
{
	uint64_t one = 1;
	int saved = errno;
	ssize_t n;

	n = write(srv->stop.fd, &one, sizeof(one));
	(void)n;
	errno = saved;
}

static void dispatch(struct mgr_server *srv, struct epoll_event *ev)
{
	struct handle *h = ev->data.ptr;
	struct conn *c;
	uint64_t count;
	ssize_t n;

	switch (h->kind) {
	case H_STOP:
		n = read(h->fd, &count, sizeof(count));
		(void)n;
		srv->stopping = true;
		break;
	case H_LISTENER:
		listener_accept(srv, mgr_container_of(h, struct listener, h));
		break;
	case H_CONN_IN:
		c = mgr_container_of(h, struct conn, in);
		if (c->dead)
			break;
		if ((ev->events & (EPOLLIN | EPOLLHUP | EPOLLERR)) && !c->in_eof) {
			conn_read(c);
			/* Its replies go out after the events its requests
			 * caused: a subscriber has an event in its socket
			 * before anyone is told of the change. */
			if (!mgr_dlist_empty(&c->touch_link)) {
				mgr_dlist_remove(&c->touch_link);
				touch(c);
			}
		}
		if (c->one_fd && (ev->events & (EPOLLOUT | EPOLLHUP | EPOLLERR)))
			touch(c);
		break;
	case H_CONN_OUT:
		c = mgr_container_of(h, struct conn, out);
		if (!c->dead)
			touch(c);
		break;
	}
}

/* End the keepalive sessions that have been silent too long, and work out
 * when the next one could be. */
static void sweep_keepalive(struct mgr_server *srv, uint64_t now)
{
	struct mgr_dlist *pos, *tmp;
	uint64_t next = 0, expiry;
	char why[128];

	mgr_dlist_for_each(pos, tmp, &srv->conns) {
		struct conn *c = mgr_container_of(pos, struct conn, link);

		if (!c->ka_ms || c->closing)
			continue;
		expiry = c->last_recv + c->ka_ms;
		if (expiry <= now) {
			snprintf(why, sizeof(why),
				 "nothing received for %llu s (keepalive): the link is lost",
				 (unsigned long long)(now - c->last_recv) / 1000);
			conn_fail(c, MGR_LOG_WARN, why);
		} else if (!next || expiry < next) {
			next = expiry;
		}
	}
	srv->ka_next = next;
}

/* The loop's wait: until the earliest deadline of a parked call or a
 * keepalive, in ms, or -1 for none. */
static int loop_timeout(struct mgr_server *srv)
{
	uint64_t next = mgr_waits_next_deadline(srv->store), now;

	if (srv->ka_next && (!next || srv->ka_next < next))
		next = srv->ka_next;
	if (!next)
		return -1;
	now = mgr_now_ms();
	return next <= now ? 0 : next - now > INT_MAX ? INT_MAX : (int)(next - now);
}

/* Wait for events; right after work (spin not NULL) poll briefly first,
 * since a client's next request is often only microseconds away. */
static int wait_events(struct mgr_server *srv, struct epoll_event *evs, int timeout,
		       struct mgr_spin *spin)
{
	uint64_t until;
	int n;

	if (spin && mgr_spin_begin(spin)) {
		until = mgr_spin_now() + MGR_SPIN_NS;
		do
			n = epoll_wait(srv->epfd, evs, EVENTS_MAX, 0);
		while (n == 0 && mgr_spin_now() < until);
		mgr_spin_end(spin, n != 0);
		if (n)
			return n;
	}
	return epoll_wait(srv->epfd, evs, EVENTS_MAX, timeout);
}

int mgr_server_run(struct mgr_server *srv, char *err, size_t errlen)
{
	struct epoll_event evs[EVENTS_MAX];
	struct mgr_spin spin = { 0 };
	bool worked = false;
	uint64_t now;
	int n, i, r = 0;

	/* Connections made before the loop (the hello to a stdio session)
	 * get their first output and epoll interest here. */
	settle_all(srv);
	free_dead(srv);
	while (!srv->stopping && !srv->done) {
		n = wait_events(srv, evs, loop_timeout(srv), worked ? &spin : NULL);
		worked = n > 0;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			snprintf(err, errlen, "epoll_wait: %s", strerror(-r));
			break;
		}
		for (i = 0; i < n; i++) {
			dispatch(srv, &evs[i]);
			settle_all(srv);
		}
		now = mgr_now_ms();
		mgr_waits_expire(srv->store, now);
		if (srv->ka_next && srv->ka_next <= now)
			sweep_keepalive(srv, now);
		close_overflowed(srv);
		settle_all(srv);
		free_dead(srv);
	}
	if (srv->stopping)
		mgr_log(MGR_LOG_INFO, "stopping");
	close_listeners(srv);
	return r;
}
