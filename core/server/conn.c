#include "conn.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "frame.h"
#include "json.h"

/* A client that leaves this much output unread is cut off: its replies
 * and events would otherwise grow without bound. */
#define WBUF_MAX ((size_t)64 << 20)
/* Above this much pending output a connection's requests are not read, so
 * a client that sends faster than it reads is slowed down rather than cut
 * off; only events and late replies can then push it to WBUF_MAX. */
#define WBUF_HIGH ((size_t)4 << 20)

void conn_touch(struct conn *c)
{
	if (mgr_dlist_empty(&c->touch_link))
		mgr_dlist_append(&c->srv->touched, &c->touch_link);
}

void conn_heard(struct conn *c)
{
	struct mgr_server *srv = c->srv;

	if (c->served_by && c->served_by == srv->flushes) {
		srv->awaited--;
		c->served_by = 0;
	}
	c->heard_by = srv->flushes + 1;
}

void conn_served(struct conn *c)
{
	struct mgr_server *srv = c->srv;

	if (c->heard_by == srv->flushes && !c->closing) {
		c->served_by = srv->flushes;
		srv->awaited++;
	}
}

bool conn_takes_output(const struct conn *c)
{
	return !c->closing && !c->overflow;
}

size_t conn_read(struct conn *c, size_t want)
{
	char why[128];
	ssize_t n;

	if (c->ahead) {
		/* Read into the room read_ahead made. */
		c->ahead = false;
		n = c->ahead_n;
	} else if (mgr_buf_reserve(&c->rbuf, want) < 0) {
		conn_fail(c, MGR_LOG_ERROR, "out of memory for its requests");
		return 0;
	} else {
		n = read(c->in.fd, c->rbuf.data + c->rbuf.len, want);
		if (n < 0)
			n = -errno;
	}
	if (n < 0) {
		if (n == -EAGAIN || n == -EINTR)
			return 0;
		snprintf(why, sizeof(why), "read failed: %s", strerror((int)-n));
		conn_fail(c, conn_link_level(c), why);
		return 0;
	}
	conn_touch(c);
	if (c->ka_ms)
		c->last_recv = mgr_now_ms();
	if (n == 0) {
		/* A peer that closed cleanly read what it wanted, unless it
		 * acknowledges what it reads: then what it did not is back
		 * in its queue when the session ends. */
		if (!c->acking)
			mgr_session_ack(&c->sess, UINT64_MAX);
		c->in_eof = true;
		conn_close(c, MGR_LOG_DEBUG, "end of file");
		return 0;
	}
	/* A closing connection's input is read only to be dropped. */
	if (c->closing)
		return 0;
	/* A client that says nothing of what it reads (one that asked for
	 * neither keepalive nor acknowledgements) is taken to have read
	 * every reply written before this input of its came: so a client
	 * that waits for each reply before its next request loses nothing
	 * and keeps nothing in the manager for long. */
	if (!c->acking && !c->ka_ms && !c->wbuf.len && !c->overflow &&
	    !mgr_dlist_empty(&c->sess.given))
		mgr_session_ack(&c->sess, c->frames_out);
	c->rbuf.len += (size_t)n;
	return (size_t)n;
}

int conn_send(struct conn *c, yajl_gen g)
{
	int r;

	if (c->closing || c->overflow) {
		srv_gen_reset(g);
		return 0;
	}
	r = mgr_frame_append_gen(&c->wbuf, g);
	if (r == -EMSGSIZE)
		return r;
	conn_queued(c, r);
	return 0;
}

void conn_queued(struct conn *c, int r)
{
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
	conn_touch(c);
}

static int gen_reply_head(yajl_gen g, const uint64_t *id)
{
	if (srv_gen_ok(yajl_gen_map_open(g)) < 0 || mgr_json_gen_cstr(g, "id") < 0)
		return -EINVAL;
	if (id)
		return mgr_json_gen_u64(g, *id);
	return srv_gen_ok(yajl_gen_null(g));
}

static int gen_error(yajl_gen g, const uint64_t *id, int err, const char *msg)
{
	if (gen_reply_head(g, id) < 0 ||
	    mgr_json_kv_str(g, "error", mgr_errno_name(err)) < 0 ||
	    mgr_json_kv_str(g, "message", msg) < 0)
		return -EINVAL;
	return srv_gen_ok(yajl_gen_map_close(g));
}

void conn_reply_error(struct conn *c, const uint64_t *id, int err, const char *msg)
{
	yajl_gen g = c->srv->gen;

	if (gen_error(g, id, err, msg) < 0) {
		/* The message is not valid UTF-8: a path it quotes was cut
		 * short inside a character.  The errno's text still says
		 * what went wrong. */
		srv_gen_reset(g);
		gen_error(g, id, err, strerror(-err));
	}
	conn_send(c, g);
}

void conn_reply_result(struct conn *c, uint64_t id, const char *result, size_t len)
{
	yajl_gen g = c->srv->gen;
	uint64_t before = c->frames_out;

	if (len == 0) {
		conn_reply_error(c, &id, -EIO, "the operation gave no result");
		return;
	}
	if (gen_reply_head(g, &id) < 0 || mgr_json_gen_cstr(g, "result") < 0 ||
	    mgr_json_gen_raw(g, result, len) < 0 || srv_gen_ok(yajl_gen_map_close(g)) < 0) {
		srv_gen_reset(g);
		conn_reply_error(c, &id, -ENOMEM, "cannot build the reply");
		return;
	}
	if (conn_send(c, g) == -EMSGSIZE)
		conn_reply_error(c, &id, -EMSGSIZE, "the reply is larger than the 16 MiB frame limit");
	else if (c->frames_out != before && !mgr_dlist_empty(&c->sess.given))
		mgr_session_sent(&c->sess, id, c->frames_out);
}

/* The session's complete function: the outcome of a parked call. */
static void conn_complete(struct mgr_session *sess, uint64_t req_id, int err,
			  const char *msg, const char *result, size_t len)
{
	struct conn *c = sess->data;

	if (err)
		conn_reply_error(c, &req_id, err, msg ? msg : strerror(-err));
	else
		conn_reply_result(c, req_id, result, len);
}

static void sub_free(struct conn_sub *s)
{
	mgr_dlist_remove(&s->conn_link);
	mgr_dlist_remove(&s->srv_link);
	s->c->nsubs--;
	s->c->srv->nsubs--;
	free(s);
}

void conn_subs_drop(struct conn *c)
{
	struct mgr_dlist *pos, *tmp;

	mgr_dlist_for_each(pos, tmp, &c->subs)
		sub_free(mgr_container_of(pos, struct conn_sub, conn_link));
}

void conn_preauth_leave(struct conn *c)
{
	if (mgr_dlist_empty(&c->preauth_link))
		return;
	mgr_dlist_remove(&c->preauth_link);
	c->srv->npreauth--;
}

int conn_intake_hold(struct conn *c, size_t bytes)
{
	struct mgr_server *srv = c->srv;

	if (bytes > c->intake_held && bytes - c->intake_held > MGR_INTAKE_BUDGET - srv->intake_used)
		return -ENOMEM;
	srv->intake_used = srv->intake_used - c->intake_held + bytes;
	c->intake_held = bytes;
	return 0;
}

void conn_close(struct conn *c, enum mgr_log_level level, const char *why)
{
	if (c->closing)
		return;
	mgr_log(level, "connection %llu (%s) closed: %s",
		(unsigned long long)c->sess.id, c->peer, why);
	c->closing = true;
	conn_preauth_leave(c);
	/* What it sends from now on is dropped unread. */
	conn_intake_hold(c, 0);
	conn_subs_drop(c);
	mgr_session_end(c->srv->store, &c->sess);
	conn_touch(c);
}

/* A broken link is news for a session that asked for keepalives (a
 * remote client that reconnects); for others it is how clients go. */
enum mgr_log_level conn_link_level(const struct conn *c)
{
	return c->ka_ms ? MGR_LOG_WARN : MGR_LOG_DEBUG;
}

void conn_fail(struct conn *c, enum mgr_log_level level, const char *why)
{
	conn_close(c, level, why);
	c->in_eof = c->out_done = true;
	mgr_buf_release(&c->wbuf);
}

void conn_kill(struct conn *c)
{
	struct mgr_server *srv = c->srv;

	c->dead = true;
	srv_unwatch(srv, &c->in);
	if (!c->one_fd)
		srv_unwatch(srv, &c->out);
	mgr_dlist_remove(&c->touch_link);
	mgr_dlist_remove(&c->link);
	mgr_dlist_append(&srv->dead, &c->link);
}

void conn_free(struct conn *c)
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
	conn_preauth_leave(c);
	conn_heard(c);
	conn_intake_hold(c, 0);
	if (c->py)
		c->py_free(c->py);
	conn_subs_drop(c);
	mgr_dlist_remove(&c->touch_link);
	mgr_dlist_remove(&c->link);
	mgr_buf_release(&c->rbuf);
	mgr_buf_release(&c->wbuf);
	free(c);
}

static void write_failed(struct conn *c, int err)
{
	char why[128];

	snprintf(why, sizeof(why), "write failed: %s", strerror(-err));
	conn_fail(c, conn_link_level(c), why);
}

void conn_flush(struct conn *c)
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
			write_failed(c, -errno);
			return;
		}
		mgr_buf_consume(&c->wbuf, n);
	}
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
	if (c->wbuf.cap > CONN_BUF_KEEP && c->wbuf.len == 0) {
		c->srv->buf_freed += c->wbuf.cap;
		mgr_buf_release(&c->wbuf);
	}
	if (!c->in_eof && (c->closing || c->wbuf.len < WBUF_HIGH))
		in = EPOLLIN;
	if (!c->out_done && c->wbuf.len)
		out = EPOLLOUT;
	if (c->one_fd) {
		srv_watch_or_not(c->srv, &c->in, in | out);
	} else {
		srv_watch_or_not(c->srv, &c->in, in);
		srv_watch_or_not(c->srv, &c->out, out);
	}
}

void conn_close_overflowed(struct mgr_server *srv)
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

/* Take in the ring's completed sends: what each wrote is off its buffer,
 * a failure is noted for conn_settle_all (failing a connection ends its
 * session, which may queue replies to others: not while reaping). */
static int reap_sends(struct mgr_server *srv)
{
	struct io_uring_cqe cqe;
	struct conn *c;
	int err = ring_submit(&srv->ring);

	while (ring_reap(&srv->ring, &cqe)) {
		c = (struct conn *)(uintptr_t)cqe.user_data;
		if (cqe.res >= 0)
			mgr_buf_consume(&c->wbuf, (size_t)cqe.res);
		else if (cqe.res != -EAGAIN && cqe.res != -EINTR)
			c->write_err = cqe.res;
	}
	return err;
}

/* Write the touched connections' output through the ring, many sends
 * to a system call; what a socket did not take waits for EPOLLOUT as
 * after send().  A single send is made by send() itself. */
static void send_ring(struct mgr_server *srv)
{
	struct mgr_dlist *pos, *tmp;
	unsigned n = 0;
	int err = 0;

	mgr_dlist_for_each(pos, tmp, &srv->touched) {
		struct conn *c = mgr_container_of(pos, struct conn, touch_link);

		if (c->dead || c->out_done || !c->wbuf.len || !c->is_socket)
			continue;
		if (!ring_queue(&srv->ring, IORING_OP_SEND, c->out.fd, c->wbuf.data,
				c->wbuf.len, (uintptr_t)c)) {
			err = reap_sends(srv);
			if (err < 0)
				break;
			ring_queue(&srv->ring, IORING_OP_SEND, c->out.fd, c->wbuf.data,
				   c->wbuf.len, (uintptr_t)c);
		}
		n++;
	}
	if (err == 0 && n < 2)
		ring_unqueue(&srv->ring);
	else if (err == 0)
		err = reap_sends(srv);
	if (err < 0)
		srv_ring_lost(srv, err);
}

void conn_settle_all(struct mgr_server *srv)
{
	struct conn *c;

	if (srv->ring.fd >= 0)
		send_ring(srv);
	while ((c = mgr_dlist_first(&srv->touched, struct conn, touch_link))) {
		mgr_dlist_remove(&c->touch_link);
		if (c->overflow && !c->closing)
			conn_fail(c, MGR_LOG_DEBUG, "too much output unread");
		if (c->write_err && !c->dead) {
			write_failed(c, c->write_err);
			c->write_err = 0;
		}
		if (!c->dead && !c->out_done && c->wbuf.len)
			conn_flush(c);
		conn_settle(c);
	}
}

void conn_free_dead(struct mgr_server *srv)
{
	struct conn *c;

	while ((c = mgr_dlist_first(&srv->dead, struct conn, link)))
		conn_free(c);
}

int conn_new(struct mgr_server *srv, int in_fd, int out_fd, bool auth, const char *peer,
	     struct conn **out)
{
	struct stat st;
	struct conn *c;

	c = calloc(1, sizeof(*c));
	if (!c) {
		close(in_fd);
		if (out_fd != in_fd)
			close(out_fd);
		return -ENOMEM;
	}
	c->srv = srv;
	c->in = (struct srv_handle){ .kind = SRV_H_CONN_IN, .fd = in_fd };
	c->out = (struct srv_handle){ .kind = SRV_H_CONN_OUT, .fd = out_fd };
	c->one_fd = in_fd == out_fd;
	c->is_socket = fstat(out_fd, &st) == 0 && S_ISSOCK(st.st_mode);
	c->in_flags = c->out_flags = -1;
	c->authed = !auth;
	mgr_dlist_init(&c->touch_link);
	mgr_dlist_init(&c->preauth_link);
	mgr_dlist_init(&c->subs);
	mgr_buf_init(&c->rbuf);
	mgr_buf_init(&c->wbuf);
	mgr_session_init(&c->sess, ++srv->next_conn);
	c->sess.complete = conn_complete;
	c->sess.data = c;
	/* Every session keeps what it was handed until it is known to have
	 * arrived, so that an item in a reply that its reader never read
	 * can go back (see intake.c for when that is known). */
	c->sess.keep_given = true;
	snprintf(c->peer, sizeof(c->peer), "%s", peer);
	mgr_dlist_append(&srv->conns, &c->link);
	if (auth) {
		c->hello_by = mgr_now_ms() + MGR_HANDSHAKE_TIMEOUT * 1000;
		mgr_dlist_append(&srv->preauth, &c->preauth_link);
		srv->npreauth++;
	}
	*out = c;
	return 0;
}

struct mgr_dlist *conn_sub_bucket(struct mgr_server *srv, uint32_t hash)
{
	if (!srv->nsubbuckets)
		return NULL;
	return &srv->subbuckets[srv_hash_final(hash) & (srv->nsubbuckets - 1)];
}

/* More buckets for more subscriptions, so that matching a change looks at
 * few that do not match.  A table that cannot grow only gets longer
 * chains; only the first one must be made. */
static int subs_grow(struct mgr_server *srv)
{
	struct mgr_dlist *b, *pos, *tmp;
	size_t n, i;

	if (srv->nsubs < srv->nsubbuckets)
		return 0;
	n = srv->nsubbuckets ? 2 * srv->nsubbuckets : 64;
	b = malloc(n * sizeof(*b));
	if (!b)
		return srv->nsubbuckets ? 0 : -ENOMEM;
	for (i = 0; i < n; i++)
		mgr_dlist_init(&b[i]);
	for (i = 0; i < srv->nsubbuckets; i++) {
		mgr_dlist_for_each(pos, tmp, &srv->subbuckets[i]) {
			struct conn_sub *s = mgr_container_of(pos, struct conn_sub, srv_link);

			mgr_dlist_remove(pos);
			mgr_dlist_append(&b[srv_hash_final(s->hash) & (n - 1)], pos);
		}
	}
	free(srv->subbuckets);
	srv->subbuckets = b;
	srv->nsubbuckets = n;
	return 0;
}

int conn_sub_add(struct conn *c, const char *path, size_t len, bool recursive,
		 struct conn_sub **out)
{
	struct mgr_server *srv = c->srv;
	uint32_t hash = SRV_HASH_INIT;
	struct conn_sub *s;
	size_t i;

	if (c->nsubs >= MGR_SUBS_MAX)
		return -ENOSPC;
	if (subs_grow(srv) < 0)
		return -ENOMEM;
	s = malloc(sizeof(*s) + len + 1);
	if (!s)
		return -ENOMEM;
	for (i = 0; i < len; i++)
		hash = srv_hash_step(hash, (unsigned char)path[i]);
	s->c = c;
	s->id = ++srv->next_sub;
	s->recursive = recursive;
	s->hash = hash;
	s->len = len;
	if (len)
		memcpy(s->path, path, len);
	s->path[len] = '\0';
	mgr_dlist_append(&c->subs, &s->conn_link);
	mgr_dlist_append(conn_sub_bucket(srv, hash), &s->srv_link);
	c->nsubs++;
	srv->nsubs++;
	*out = s;
	return 0;
}

int conn_sub_remove(struct conn *c, uint64_t id)
{
	struct mgr_dlist *pos, *tmp;

	mgr_dlist_for_each(pos, tmp, &c->subs) {
		struct conn_sub *s = mgr_container_of(pos, struct conn_sub, conn_link);

		if (s->id == id) {
			sub_free(s);
			return 0;
		}
	}
	return -ENOENT;
}
