#include "io.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

#include "frame.h"
#include "json.h"
#include "pending.h"

ssize_t io_read_some(struct mgr_client *c)
{
	struct mgr_buf *b = &c->rbuf;
	ssize_t n;
	int r;

	if (c->rpos == b->len) {
		b->len = c->rpos = 0;
	} else if (c->rpos && b->cap - b->len < CLI_READ_CHUNK) {
		mgr_buf_consume(b, c->rpos);
		c->rpos = 0;
	}
	r = mgr_buf_reserve(b, CLI_READ_CHUNK);
	if (r < 0)
		return r;
	do
		n = recv(c->fd, b->data + b->len, b->cap - b->len, MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
	if (n == 0)
		return -ECONNRESET;
	b->len += n;
	if (c->ka_ms)
		c->last_recv = cli_now_ms();
	return n;
}

int io_next_frame(struct mgr_client *c, yajl_val *msg)
{
	const char *payload;
	size_t plen, consumed;
	char why[128];
	int r;

	/* Nothing read yet: no buffer to point into (found by the fuzzer,
	 * which calls a NULL plus 0 what it is, undefined). */
	if (!c->rbuf.data)
		return 0;
	r = mgr_frame_next(c->rbuf.data + c->rpos, c->rbuf.len - c->rpos, MGR_FRAME_MAX,
			   &payload, &plen, &consumed);
	if (r <= 0)
		return r;
	r = mgr_frame_decode(payload, plen, msg, why, sizeof(why));
	c->rpos += consumed;
	__atomic_store_n(&c->frames_in, c->frames_in + 1, __ATOMIC_RELAXED);
	return r < 0 ? r : 1;
}

int io_process(struct mgr_client *c)
{
	yajl_val msg;
	int r;

	while ((r = io_next_frame(c, &msg)) > 0)
		pending_handle(c, msg);
	return r;
}

/* With a keepalive: ms until the manager's silence means the link is dead
 * (0: it is), else -1. */
static int silence_left(const struct mgr_client *c)
{
	uint64_t dead, now;

	if (!c->ka_ms)
		return -1;
	dead = c->last_recv + MGR_KEEPALIVE_MISSES * c->ka_ms;
	now = cli_now_ms();
	return now >= dead ? 0 : (int)(dead - now);
}

/* Without the I/O thread: write len bytes.  A full socket must not wedge
 * us while the manager waits for us to read its replies, so replies are
 * read into rbuf meanwhile (and handled by whoever reads next). */
static int send_all(struct mgr_client *c, const char *p, size_t len)
{
	struct pollfd pfd = { .fd = c->fd, .events = POLLIN | POLLOUT };
	ssize_t n;

	while (len) {
		n = send(c->fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n >= 0) {
			p += n;
			len -= n;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -errno;
		if (poll(&pfd, 1, silence_left(c)) < 0 && errno != EINTR)
			return -errno;
		if (silence_left(c) == 0)
			return -ETIMEDOUT;
		if (pfd.revents & POLLIN) {
			n = io_read_some(c);
			if (n < 0)
				return n;
		}
	}
	return 0;
}

int io_flush_some(struct mgr_client *c)
{
	size_t before = c->wbuf.len - c->wpos, after;
	ssize_t n;

	while (c->wpos < c->wbuf.len) {
		n = send(c->fd, c->wbuf.data + c->wpos, c->wbuf.len - c->wpos,
			 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n < 0)
			return -errno;
		c->wpos += n;
	}
	/* Move the rest to the front once it is the smaller part, so that
	 * a queue that never quite empties does not grow forever; a queue
	 * that grew past the limit gives its memory back once empty. */
	if (c->wpos == c->wbuf.len) {
		c->wbuf.len = c->wpos = 0;
		if (c->wbuf.cap > CLI_WQUEUE_MAX)
			mgr_buf_release(&c->wbuf);
	} else if (c->wpos > c->wbuf.len - c->wpos) {
		mgr_buf_consume(&c->wbuf, c->wpos);
		c->wpos = 0;
	}
	/* Waiters: senders for room, mgr_client_free for an empty queue. */
	after = c->wbuf.len - c->wpos;
	if (!after || (before >= CLI_WQUEUE_MAX && after < CLI_WQUEUE_MAX))
		pthread_cond_broadcast(&c->wspace);
	return 0;
}

/* With the I/O thread, under wlock: queue one frame and start writing it.
 * Nothing here waits on the socket: a thread other than the I/O thread may
 * wait for room in the queue, which releases wlock, and the I/O thread
 * makes the room. */
static int queue_frame(struct mgr_client *c, const char *json, size_t len)
{
	bool was_empty;
	int r;

	if (!cli_on_io_thread(c))
		while (!c->werr && c->wbuf.len - c->wpos >= CLI_WQUEUE_MAX)
			pthread_cond_wait(&c->wspace, &c->wlock);
	if (c->werr)
		return c->werr;
	was_empty = c->wpos == c->wbuf.len;
	r = mgr_frame_append(&c->wbuf, json, len);
	if (r < 0 || !was_empty)
		return r;	/* the I/O thread already writes the queue */
	r = io_flush_some(c);
	if (r < 0) {
		/* The stream is broken: the I/O thread notices the shutdown
		 * and fails the calls in flight. */
		c->werr = r;
		shutdown(c->fd, SHUT_RDWR);
		return r;
	}
	/* An I/O thread asleep in poll() must learn that there is output;
	 * the I/O thread itself looks at the queue before it polls. */
	if (c->wpos < c->wbuf.len && !cli_on_io_thread(c))
		eventfd_write(c->wake_fd, 1);
	return 0;
}

int io_send_gen_on(struct mgr_client *c, yajl_gen g, uint64_t gen)
{
	const unsigned char *json;
	size_t len;
	int r;

	if (yajl_gen_get_buf(g, &json, &len) != yajl_gen_status_ok)
		return -EINVAL;
	if (len > MGR_FRAME_MAX)
		return -EMSGSIZE;
	pthread_mutex_lock(&c->wlock);
	if (c->ka_ms)
		c->last_sent = cli_now_ms();
	if (c->threaded) {
		r = gen == c->link_gen ? queue_frame(c, (const char *)json, len) : -ENOTCONN;
		pthread_mutex_unlock(&c->wlock);
		return r;
	}
	c->wbuf.len = 0;
	r = mgr_frame_append(&c->wbuf, (const char *)json, len);
	if (r < 0) {
		pthread_mutex_unlock(&c->wlock);
		return r;
	}
	r = send_all(c, c->wbuf.data, c->wbuf.len);
	pthread_mutex_unlock(&c->wlock);
	/* A frame cut short leaves the stream unusable, and without the I/O
	 * thread nobody else would notice; a deferring caller notices at its
	 * next dispatch. */
	if (r < 0 && (c->opts.flags & MGR_CLIENT_DEFER))
		shutdown(c->fd, SHUT_RDWR);
	else if (r < 0)
		pending_lost(c, r);
	return r;
}

int io_send_gen(struct mgr_client *c, yajl_gen g)
{
	return io_send_gen_on(c, g, c->link_gen);
}

int io_send_req(struct mgr_client *c, struct mgr_req *r, struct pending *p, uint64_t *idp)
{
	struct pending *q;
	uint64_t gen;
	int err;

	pthread_mutex_lock(&c->lock);
	while (c->down && !c->closing && (c->opts.flags & MGR_CLIENT_WAIT_LINK) &&
	       !cli_on_io_thread(c))
		pthread_cond_wait(&c->link_cond, &c->lock);
	if (c->closed || c->down) {
		err = c->closed ? c->close_err : c->closing ? -ECONNABORTED : -ENOTCONN;
		pthread_mutex_unlock(&c->lock);
		return err;
	}
	p->id = ++c->next_id;
	gen = c->link_gen;
	err = pending_add(c, p);
	pthread_mutex_unlock(&c->lock);
	if (err < 0)
		return err;
	if (idp)
		*idp = p->id;

	err = mgr_json_kv_u64(r->g, "id", p->id);
	/* What has arrived since a queue item did, so that the manager may
	 * forget the items it sent: at no cost of a frame of its own. */
	if (err == 0 && __atomic_exchange_n(&c->ack_due, false, __ATOMIC_ACQUIRE))
		err = mgr_json_kv_u64(r->g, "ack", __atomic_load_n(&c->frames_in, __ATOMIC_RELAXED));
	if (err == 0 && yajl_gen_map_close(r->g) != yajl_gen_status_ok)
		err = -EINVAL;
	if (err == 0)
		err = io_send_gen_on(c, r->g, gen);
	if (err < 0) {
		pthread_mutex_lock(&c->lock);
		q = pending_take(c, p->id);
		pthread_mutex_unlock(&c->lock);
		/* Already completed by the connection's end: that stands. */
		if (!q)
			return 0;
	}
	return err;
}

int mgr_req_init(struct mgr_req *r, const char *op, const char *path)
{
	int err = -ENOMEM;

	r->g = mgr_json_gen_new();
	if (!r->g)
		return -ENOMEM;
	if (yajl_gen_map_open(r->g) != yajl_gen_status_ok)
		goto fail;
	err = mgr_json_kv_str(r->g, "op", op);
	if (err == 0 && path)
		err = mgr_json_kv_str(r->g, "path", path);
	if (err < 0)
		goto fail;
	return 0;
fail:
	mgr_req_release(r);
	return err;
}

void mgr_req_release(struct mgr_req *r)
{
	if (r->g)
		yajl_gen_free(r->g);
	r->g = NULL;
}

int mgr_client_call_async(struct mgr_client *c, struct mgr_req *r,
			  mgr_reply_fn cb, void *arg, uint64_t *id)
{
	struct pending *p;
	int err;

	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->cb = cb;
	p->arg = arg;
	err = io_send_req(c, r, p, id);
	if (err < 0) {
		free(p);
		return err;
	}
	/* Replies read while the request was being written would not wake a
	 * caller polling the descriptor: handle them now. */
	if (!c->threaded && !(c->opts.flags & MGR_CLIENT_DEFER) && c->rpos < c->rbuf.len) {
		err = io_process(c);
		if (err < 0)
			pending_lost(c, err);
	}
	return 0;
}
