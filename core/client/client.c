/* libmgr's client: requests go out as frames with a fresh id; replies come
 * back in any order and are matched to their calls through a table keyed
 * by id.
 *
 * One mutex (lock) guards the table and the connection state; another
 * (wlock) makes each frame's write whole.  Callbacks never run with either
 * held, so a callback may call into the client again.  The read buffer
 * belongs to whoever reads: the I/O thread with MGR_CLIENT_THREAD, else the
 * caller of the moment.
 *
 * With MGR_CLIENT_THREAD the I/O thread is the only reader, and mgrd stops
 * reading a connection whose replies back up until they are read.  Were
 * the I/O thread to block in send(), or wait for wlock held by a thread
 * blocked there, nobody would read and nothing would ever move again.  So
 * frames are queued in wbuf and written without blocking; what the socket
 * does not take at once, the I/O thread writes as it drains, between
 * reads.
 *
 * Keepalive (see mgrfs(7)): whoever reads also pings, acknowledges and
 * watches the silence, so a blocking call polls with a timeout rather
 * than sleeping in recv().  With MGR_CLIENT_RECONNECT the I/O thread opens
 * each new link as a separate unthreaded client, which runs the whole
 * handshake, and then takes over its descriptor. */
#include "client.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <openssl/crypto.h>

#include "addr.h"
#include "auth.h"
#include "buf.h"
#include "frame.h"
#include "json.h"
#include "proto.h"
#include "spin.h"

/* How long a manager may take to greet us and to answer the key exchange. */
#define HELLO_TIMEOUT_MS 30000
/* Room made before each read: many small replies fit in one read(). */
#define READ_CHUNK 65536
/* How long an exec: child gets to exit after its socket closes, and again
 * after SIGTERM, before it is killed. */
#define REAP_GRACE_MS 2000
/* With the I/O thread: how much output may wait before other threads
 * sending more wait for it to drain.  The I/O thread never waits (it would
 * wait for itself): its frames go in whatever the queue holds. */
#define WQUEUE_MAX ((size_t)4 << 20)
/* Keepalive: the link is dead after this many intervals of silence (the
 * manager counts the same), and intervals are 1 s to an hour. */
/* Reconnecting: the first attempt after RELINK_MIN_MS, the pause doubling
 * up to RELINK_MAX_MS; a manager gets RELINK_HELLO_MS to greet us. */
#define RELINK_MIN_MS 100
#define RELINK_MAX_MS 5000
#define RELINK_HELLO_MS 10000

/* One outstanding call.  An async call's record is allocated and freed on
 * completion; a sync call's lives on its caller's stack. */
struct pending {
	uint64_t id;
	struct pending *next;		/* hash chain, or a list of failed calls */
	mgr_reply_fn cb;		/* async: may be NULL to drop the reply */
	void *arg;
	bool sync;
	bool done;			/* sync: completed */
	int err;			/* sync: the connection failed */
	pthread_cond_t *cond;		/* sync with the I/O thread */
	struct mgr_reply reply;		/* sync: the reply */
};

struct mgr_client {
	int fd;
	pid_t pid;			/* exec: the command, else 0 */
	bool threaded;
	struct mgr_client_opts opts;

	pthread_mutex_t lock;
	uint64_t next_id;
	struct pending **table;		/* nbuckets chains, indexed by id */
	size_t nbuckets, count;
	bool closed;			/* no more calls: close_err says why */
	bool closing;			/* mgr_client_free is under way */
	int close_err;
	int server_err;			/* a reply with "id": null named this */

	pthread_mutex_t wlock;
	struct mgr_buf wbuf;		/* the frame being sent; threaded: the
					 * output queue, unsent from wpos on */
	size_t wpos;
	pthread_cond_t wspace;		/* the queue has room, or is empty */
	int werr;			/* threaded: writing failed or the
					 * connection is over */
	int wake_fd;			/* eventfd: output for the I/O thread */
	int stop_fd;			/* eventfd: mgr_client_free has begun */
	int cancel_fd;			/* a link attempt's: its owner's stop_fd
					 * (not ours to close), or -1 */

	struct mgr_buf rbuf;		/* frames read, from rpos on */
	size_t rpos;
	struct mgr_spin spin;		/* blocking calls without the thread */

	pthread_t thread;
	bool thread_started;

	/* Keepalive, all in ms; 0 ka_ms for none.  last_sent is written by
	 * senders under wlock, the rest belongs to the reader. */
	uint64_t ka_ms;
	uint64_t last_sent, last_recv, last_ping;
	uint64_t ka_due;		/* the next keepalive duty */
	uint64_t frames_in;		/* frames read on this link */
	bool need_ack;			/* replies read since the last ack */
	yajl_gen ackgen;

	/* Reconnecting (under lock, and wlock for link_gen): the link is
	 * down, and a new link has a new generation, so that a request
	 * admitted on the old link never goes out on the new one. */
	bool down;
	uint64_t link_gen;
	pthread_cond_t link_cond;	/* the link is back, or closing */
	struct mgr_addr addr;		/* where to connect again */
	char *name;
	void *key;			/* a copy of the key, or NULL */
	size_t keylen;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Set *msg to a formatted message (NULL if there is no memory for it). */
static void __attribute__((format(printf, 2, 3))) set_msg(char **msg, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(msg, fmt, ap) < 0)
		*msg = NULL;
	va_end(ap);
}

void mgr_reply_release(struct mgr_reply *r)
{
	if (r->msg)
		yajl_tree_free(r->msg);
	memset(r, 0, sizeof(*r));
}

/* The table of outstanding calls.  Ids are handed out in sequence, so the
 * low bits of an id spread the calls evenly over the buckets. */
static int table_add(struct mgr_client *c, struct pending *p)
{
	struct pending **t, *q;
	size_t i, n;

	if (c->count >= c->nbuckets) {
		n = c->nbuckets ? 2 * c->nbuckets : 64;
		t = calloc(n, sizeof(*t));
		if (!t)
			return -ENOMEM;
		for (i = 0; i < c->nbuckets; i++) {
			while ((q = c->table[i])) {
				c->table[i] = q->next;
				q->next = t[q->id & (n - 1)];
				t[q->id & (n - 1)] = q;
			}
		}
		free(c->table);
		c->table = t;
		c->nbuckets = n;
	}
	i = p->id & (c->nbuckets - 1);
	p->next = c->table[i];
	c->table[i] = p;
	c->count++;
	return 0;
}

static struct pending *table_take(struct mgr_client *c, uint64_t id)
{
	struct pending **pp, *p;

	if (!c->nbuckets)
		return NULL;
	for (pp = &c->table[id & (c->nbuckets - 1)]; *pp; pp = &(*pp)->next) {
		if ((*pp)->id == id) {
			p = *pp;
			*pp = p->next;
			c->count--;
			return p;
		}
	}
	return NULL;
}

/* Empty the table into a list linked through next. */
static struct pending *table_take_all(struct mgr_client *c)
{
	struct pending *list = NULL, *p;
	size_t i;

	for (i = 0; i < c->nbuckets; i++) {
		while ((p = c->table[i])) {
			c->table[i] = p->next;
			p->next = list;
			list = p;
		}
	}
	c->count = 0;
	return list;
}

/* Complete p with reply r (which it then owns). */
static void complete(struct mgr_client *c, struct pending *p, struct mgr_reply *r)
{
	if (p->sync) {
		/* The waiter may return as soon as the lock is dropped, and
		 * p is on its stack: nothing touches p after the unlock. */
		pthread_mutex_lock(&c->lock);
		p->reply = *r;
		p->err = r->msg ? 0 : r->err;
		p->done = true;
		if (p->cond)
			pthread_cond_signal(p->cond);
		pthread_mutex_unlock(&c->lock);
		return;
	}
	if (p->cb)
		p->cb(p->arg, r);
	mgr_reply_release(r);
	free(p);
}

/* The connection is over: every outstanding call fails with err and, unless
 * mgr_client_free asked for it, on_close runs.  Runs once. */
static void connection_lost(struct mgr_client *c, int err)
{
	struct pending *list, *p;
	bool notify;

	pthread_mutex_lock(&c->lock);
	if (c->closed) {
		pthread_mutex_unlock(&c->lock);
		return;
	}
	if (c->closing)
		err = -ECONNABORTED;
	else if (c->server_err)
		err = c->server_err;
	c->closed = true;
	c->close_err = err;
	notify = !c->closing;
	list = table_take_all(c);
	pthread_mutex_unlock(&c->lock);

	/* Writers blocked on a dead peer fail now, and an exec: command sees
	 * the end of its input. */
	shutdown(c->fd, SHUT_RDWR);
	pthread_mutex_lock(&c->wlock);
	if (!c->werr)
		c->werr = err;
	pthread_cond_broadcast(&c->wspace);
	pthread_mutex_unlock(&c->wlock);
	while ((p = list)) {
		struct mgr_reply r = { .err = err };

		list = p->next;
		complete(c, p, &r);
	}
	if (notify && c->opts.on_close)
		c->opts.on_close(c->opts.arg, err);
}

/* The errno a reply's "error" names, always negative. */
static int reply_errno(const char *name)
{
	int e = mgr_errno_from_name(name);

	if (e > 0)
		e = -e;
	return e ? e : -EIO;
}

static void handle_frame(struct mgr_client *c, yajl_val msg)
{
	struct mgr_reply r = { .msg = msg };
	yajl_val idv = mgr_json_get(msg, "id");
	const char *name = NULL;
	struct pending *p;
	uint64_t id;

	if (!idv) {
		if (mgr_json_get(msg, "event") && c->opts.on_event)
			c->opts.on_event(c->opts.arg, msg);
		goto drop;
	}
	if (YAJL_IS_NULL(idv)) {
		/* The manager could not tell which request this answers
		 * (a frame too big or not JSON): it is about the connection,
		 * and if the manager hangs up next, this is why. */
		if (mgr_json_get_str(msg, "error", &name) == 0) {
			pthread_mutex_lock(&c->lock);
			c->server_err = reply_errno(name);
			pthread_mutex_unlock(&c->lock);
		}
		goto drop;
	}
	if (mgr_json_get_u64(msg, "id", &id) < 0)
		goto drop;
	/* A reply may carry a queue item that the manager keeps until it
	 * hears that the reply arrived. */
	if (c->ka_ms)
		c->need_ack = true;
	pthread_mutex_lock(&c->lock);
	p = table_take(c, id);
	pthread_mutex_unlock(&c->lock);
	if (!p)
		goto drop;
	if (mgr_json_get_str(msg, "error", &name) == 0) {
		r.err = reply_errno(name);
		mgr_json_get_str(msg, "message", &r.message);
	} else {
		r.result = mgr_json_get(msg, "result");
	}
	complete(c, p, &r);
	return;
drop:
	yajl_tree_free(msg);
}

/* Read what the socket has into rbuf: the number of bytes, 0 when a
 * non-blocking read found nothing, or -errno (-ECONNRESET at the end). */
static ssize_t read_some(struct mgr_client *c, bool block)
{
	struct mgr_buf *b = &c->rbuf;
	ssize_t n;
	int r;

	if (c->rpos == b->len) {
		b->len = c->rpos = 0;
	} else if (c->rpos && b->cap - b->len < READ_CHUNK) {
		mgr_buf_consume(b, c->rpos);
		c->rpos = 0;
	}
	r = mgr_buf_reserve(b, READ_CHUNK);
	if (r < 0)
		return r;
	do
		n = recv(c->fd, b->data + b->len, b->cap - b->len, block ? 0 : MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
	if (n == 0)
		return -ECONNRESET;
	b->len += n;
	if (c->ka_ms)
		c->last_recv = now_ms();
	return n;
}

/* Take one complete frame off rbuf: 1 and *msg, 0 when none is complete,
 * or -errno when the stream is broken. */
static int next_frame(struct mgr_client *c, yajl_val *msg)
{
	const char *payload;
	size_t plen, consumed;
	char why[128];
	int r;

	r = mgr_frame_next(c->rbuf.data + c->rpos, c->rbuf.len - c->rpos, MGR_FRAME_MAX,
			   &payload, &plen, &consumed);
	if (r <= 0)
		return r;
	r = mgr_frame_decode(payload, plen, msg, why, sizeof(why));
	c->rpos += consumed;
	c->frames_in++;
	return r < 0 ? r : 1;
}

/* Handle every complete frame in rbuf.  A handler may read more into rbuf
 * (a callback making a call), so nothing here holds a pointer into it
 * across one. */
static int process_frames(struct mgr_client *c)
{
	yajl_val msg;
	int r;

	while ((r = next_frame(c, &msg)) > 0)
		handle_frame(c, msg);
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
	now = now_ms();
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
			n = read_some(c, false);
			if (n < 0)
				return n;
		}
	}
	return 0;
}

static bool on_io_thread(const struct mgr_client *c)
{
	return pthread_equal(pthread_self(), c->thread);
}

/* With the I/O thread, under wlock: write what the socket takes of the
 * queue now.  0, or -errno when the connection failed. */
static int flush_some(struct mgr_client *c)
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
		if (c->wbuf.cap > WQUEUE_MAX)
			mgr_buf_release(&c->wbuf);
	} else if (c->wpos > c->wbuf.len - c->wpos) {
		mgr_buf_consume(&c->wbuf, c->wpos);
		c->wpos = 0;
	}
	/* Waiters: senders for room, mgr_client_free for an empty queue. */
	after = c->wbuf.len - c->wpos;
	if (!after || (before >= WQUEUE_MAX && after < WQUEUE_MAX))
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

	if (!on_io_thread(c))
		while (!c->werr && c->wbuf.len - c->wpos >= WQUEUE_MAX)
			pthread_cond_wait(&c->wspace, &c->wlock);
	if (c->werr)
		return c->werr;
	was_empty = c->wpos == c->wbuf.len;
	r = mgr_frame_append(&c->wbuf, json, len);
	if (r < 0 || !was_empty)
		return r;	/* the I/O thread already writes the queue */
	r = flush_some(c);
	if (r < 0) {
		/* The stream is broken: the I/O thread notices the shutdown
		 * and fails the calls in flight. */
		c->werr = r;
		shutdown(c->fd, SHUT_RDWR);
		return r;
	}
	/* An I/O thread asleep in poll() must learn that there is output;
	 * the I/O thread itself looks at the queue before it polls. */
	if (c->wpos < c->wbuf.len && !on_io_thread(c))
		eventfd_write(c->wake_fd, 1);
	return 0;
}

/* Send what g generated as one frame on link generation gen. */
static int send_gen_on(struct mgr_client *c, yajl_gen g, uint64_t gen)
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
		c->last_sent = now_ms();
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
		connection_lost(c, r);
	return r;
}

/* Send on the current link: for the reader, which is the only one to
 * change links. */
static int send_gen(struct mgr_client *c, yajl_gen g)
{
	return send_gen_on(c, g, c->link_gen);
}

/* Give r an id, record p under it and send r.  0: p is outstanding or
 * already completed.  -errno: p was never recorded or is withdrawn. */
static int send_req(struct mgr_client *c, struct mgr_req *r, struct pending *p, uint64_t *idp)
{
	struct pending *q;
	uint64_t gen;
	int err;

	pthread_mutex_lock(&c->lock);
	while (c->down && !c->closing && (c->opts.flags & MGR_CLIENT_WAIT_LINK) &&
	       !on_io_thread(c))
		pthread_cond_wait(&c->link_cond, &c->lock);
	if (c->closed || c->down) {
		err = c->closed ? c->close_err : c->closing ? -ECONNABORTED : -ENOTCONN;
		pthread_mutex_unlock(&c->lock);
		return err;
	}
	p->id = ++c->next_id;
	gen = c->link_gen;
	err = table_add(c, p);
	pthread_mutex_unlock(&c->lock);
	if (err < 0)
		return err;
	if (idp)
		*idp = p->id;

	err = mgr_json_kv_u64(r->g, "id", p->id);
	if (err == 0 && yajl_gen_map_close(r->g) != yajl_gen_status_ok)
		err = -EINVAL;
	if (err == 0)
		err = send_gen_on(c, r->g, gen);
	if (err < 0) {
		pthread_mutex_lock(&c->lock);
		q = table_take(c, p->id);
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

/* {"ack":N}: every frame read so far has arrived.  By the reader. */
static int send_ack(struct mgr_client *c)
{
	int r = -ENOMEM;

	c->need_ack = false;
	if (yajl_gen_map_open(c->ackgen) == yajl_gen_status_ok &&
	    mgr_json_kv_u64(c->ackgen, "ack", c->frames_in) == 0 &&
	    yajl_gen_map_close(c->ackgen) == yajl_gen_status_ok)
		r = send_gen(c, c->ackgen);
	yajl_gen_clear(c->ackgen);
	yajl_gen_reset(c->ackgen, NULL);
	return r;
}

static int send_ping(struct mgr_client *c)
{
	struct mgr_req r;
	int err;

	err = mgr_req_init(&r, "ping", NULL);
	if (err == 0)
		err = mgr_client_call_async(c, &r, NULL, NULL, NULL);
	mgr_req_release(&r);
	return err;
}

/* The reader's keepalive chores: acknowledge what was read, ping when
 * nothing has been sent, or nothing received, for an interval, and give up
 * after MGR_KEEPALIVE_MISSES intervals of silence.  Sets c->ka_due to when
 * this is next needed.  0, or -errno when the link is dead. */
static int keepalive_duty(struct mgr_client *c)
{
	uint64_t now = now_ms(), sent, ka = c->ka_ms, due;
	int r;

	if (c->need_ack) {
		r = send_ack(c);
		if (r < 0)
			return r;
	}
	if (now >= c->last_recv + MGR_KEEPALIVE_MISSES * ka)
		return -ETIMEDOUT;
	pthread_mutex_lock(&c->wlock);
	sent = c->last_sent;
	pthread_mutex_unlock(&c->wlock);
	/* Pinging on a silent manager too gets an answer through, so that a
	 * client whose calls all wait is not taken for dead. */
	if (now >= sent + ka || (now >= c->last_recv + ka && now >= c->last_ping + ka)) {
		r = send_ping(c);
		if (r < 0)
			return r;
		c->last_ping = sent = now;
	}
	due = c->last_recv + MGR_KEEPALIVE_MISSES * ka;
	if (sent + ka < due)
		due = sent + ka;
	if (c->last_recv + ka > now && c->last_recv + ka < due)
		due = c->last_recv + ka;
	if (c->last_ping + ka > now && c->last_ping + ka < due)
		due = c->last_ping + ka;
	c->ka_due = due;
	return 0;
}

static int ms_until(uint64_t t)
{
	uint64_t now = now_ms();

	return t <= now ? 0 : t - now > INT_MAX ? INT_MAX : (int)(t - now);
}

/* Read what comes next, polling briefly before blocking (spin.h).  As
 * read_some; with a keepalive, 0 when its chores came first, -ETIMEDOUT
 * when the link is dead. */
static ssize_t read_next(struct mgr_client *c)
{
	struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
	uint64_t until;
	ssize_t n;
	int r;

	if (mgr_spin_begin(&c->spin)) {
		until = mgr_spin_now() + MGR_SPIN_NS;
		do {
			n = read_some(c, false);
			if (n) {
				mgr_spin_end(&c->spin, true);
				return n;
			}
		} while (mgr_spin_now() < until);
		mgr_spin_end(&c->spin, false);
	}
	if (!c->ka_ms)
		return read_some(c, true);
	r = keepalive_duty(c);
	if (r < 0)
		return r;
	/* The ping may have read a reply along with its own send. */
	if (c->closed || c->rpos < c->rbuf.len)
		return 0;
	r = poll(&pfd, 1, ms_until(c->ka_due));
	if (r < 0 && errno != EINTR)
		return -errno;
	return r > 0 ? read_some(c, false) : 0;
}

/* Without the I/O thread: read and handle frames until p is done. */
static void wait_here(struct mgr_client *c, struct pending *p)
{
	ssize_t n;
	int r;

	while (!p->done) {
		r = process_frames(c);
		if (r < 0) {
			connection_lost(c, r);
			continue;
		}
		if (p->done)
			break;
		n = read_next(c);
		if (n < 0)
			connection_lost(c, n);
	}
	/* The reply goes to the caller only once the manager may forget
	 * an item it carries. */
	if (c->need_ack && !c->closed)
		send_ack(c);
}

int mgr_client_call(struct mgr_client *c, struct mgr_req *r, struct mgr_reply *out)
{
	struct pending p = { .sync = true };
	pthread_cond_t cond;
	int err;

	memset(out, 0, sizeof(*out));
	if (c->threaded) {
		/* The I/O thread would be waiting for itself. */
		if (on_io_thread(c))
			return -EDEADLK;
		pthread_cond_init(&cond, NULL);
		p.cond = &cond;
	}
	err = send_req(c, r, &p, NULL);
	if (err < 0)
		goto out;
	if (c->threaded) {
		pthread_mutex_lock(&c->lock);
		while (!p.done)
			pthread_cond_wait(&cond, &c->lock);
		pthread_mutex_unlock(&c->lock);
	} else {
		wait_here(c, &p);
	}
	err = p.err;
	if (err == 0)
		*out = p.reply;
out:
	if (c->threaded)
		pthread_cond_destroy(&cond);
	return err;
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
	err = send_req(c, r, p, id);
	if (err < 0) {
		free(p);
		return err;
	}
	/* Replies read while the request was being written would not wake a
	 * caller polling the descriptor: handle them now. */
	if (!c->threaded && !(c->opts.flags & MGR_CLIENT_DEFER) && c->rpos < c->rbuf.len) {
		err = process_frames(c);
		if (err < 0)
			connection_lost(c, err);
	}
	return 0;
}

int mgr_client_cancel(struct mgr_client *c, uint64_t id)
{
	struct mgr_req r;
	int err;

	err = mgr_req_init(&r, "cancel", NULL);
	if (err < 0)
		return err;
	err = mgr_json_kv_u64(r.g, "target", id);
	/* The answer (true or false) matters less than the cancelled call's
	 * own reply, which follows; it is dropped. */
	if (err == 0)
		err = mgr_client_call_async(c, &r, NULL, NULL, NULL);
	mgr_req_release(&r);
	return err;
}

int mgr_client_fd(const struct mgr_client *c)
{
	return c->fd;
}

int mgr_client_dispatch(struct mgr_client *c)
{
	bool drained = false;
	ssize_t n;
	int r, reads = 0;

	if (c->threaded)
		return -EINVAL;
	while (!c->closed) {
		r = process_frames(c);
		if (r < 0) {
			connection_lost(c, r);
			break;
		}
		/* A read that left room in rbuf took all the socket had: one
		 * more would find nothing (a system call is dear in a VM).  A
		 * bounded number of reads, so that a busy connection cannot
		 * keep the caller here forever. */
		if (drained || reads++ == 16)
			break;
		n = read_some(c, false);
		if (n < 0)
			connection_lost(c, n);
		if (n <= 0)
			break;
		drained = c->rbuf.len < c->rbuf.cap;
	}
	if (c->ka_ms && !c->closed) {
		r = keepalive_duty(c);
		if (r < 0)
			connection_lost(c, r);
	}
	return c->closed ? c->close_err : 0;
}

bool mgr_client_pending(const struct mgr_client *c)
{
	return c->rpos < c->rbuf.len;
}

int mgr_client_timeout(const struct mgr_client *c)
{
	if (!c->ka_ms || c->threaded)
		return -1;
	return ms_until(c->ka_due);
}

static int relink(struct mgr_client *c);
static void reap(pid_t pid, int *status);

/* The I/O thread's work on one link: read and handle replies, and write
 * the output queue as the socket takes it.  Reading never waits for
 * writing, so the manager always gets its replies read and goes on reading
 * our requests.  Returns why the link ended. */
static int io_serve(struct mgr_client *c)
{
	struct pollfd pfd[2] = {
		{ .fd = c->fd },
		{ .fd = c->wake_fd, .events = POLLIN },
	};
	eventfd_t ignored;
	int r, timeout;
	ssize_t n;

	for (;;) {
		r = process_frames(c);
		if (r < 0)
			return r;
		timeout = -1;
		if (c->ka_ms) {
			r = keepalive_duty(c);
			if (r < 0)
				return r;
			timeout = ms_until(c->ka_due);
		}
		pthread_mutex_lock(&c->wlock);
		pfd[0].events = POLLIN | (c->wpos < c->wbuf.len ? POLLOUT : 0);
		pthread_mutex_unlock(&c->wlock);
		if (poll(pfd, 2, timeout) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (pfd[1].revents & POLLIN)
			eventfd_read(c->wake_fd, &ignored);
		/* Read first: what the manager said may explain a failed
		 * write. */
		if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			n = read_some(c, false);
			if (n < 0)
				return n;
		}
		if (pfd[0].revents & POLLOUT) {
			pthread_mutex_lock(&c->wlock);
			r = flush_some(c);
			pthread_mutex_unlock(&c->wlock);
			if (r < 0)
				return r;
		}
	}
}

/* With MGR_CLIENT_RECONNECT: the link broke (err).  Fail the calls in
 * flight with -ENOTCONN, refuse new ones, drop the old link and what was
 * queued for it, and tell on_link.  False when the client is closing
 * instead, and the end is for connection_lost. */
static bool link_down(struct mgr_client *c, int err)
{
	struct pending *list, *p;

	pthread_mutex_lock(&c->lock);
	if (c->closing) {
		pthread_mutex_unlock(&c->lock);
		return false;
	}
	c->down = true;
	c->server_err = 0;
	list = table_take_all(c);
	pthread_mutex_lock(&c->wlock);
	c->link_gen++;
	c->werr = -ENOTCONN;
	c->wbuf.len = c->wpos = 0;
	pthread_cond_broadcast(&c->wspace);
	close(c->fd);
	c->fd = -1;
	pthread_mutex_unlock(&c->wlock);
	pthread_mutex_unlock(&c->lock);

	c->rbuf.len = c->rpos = 0;
	c->frames_in = 0;
	c->need_ack = false;
	if (c->pid > 0) {
		reap(c->pid, NULL);
		c->pid = 0;
	}
	while ((p = list)) {
		struct mgr_reply r = { .err = -ENOTCONN };

		list = p->next;
		complete(c, p, &r);
	}
	if (c->opts.on_link)
		c->opts.on_link(c->opts.arg, err);
	return true;
}

/* The I/O thread: serve the link; with MGR_CLIENT_RECONNECT, when it
 * breaks, make a new one, until mgr_client_free. */
static void *io_main(void *arg)
{
	struct mgr_client *c = arg;
	int r;

	for (;;) {
		r = io_serve(c);
		if (!(c->opts.flags & MGR_CLIENT_RECONNECT) || !link_down(c, r))
			break;
		r = relink(c);
		if (r < 0)
			break;
		if (c->opts.on_link)
			c->opts.on_link(c->opts.arg, 0);
	}
	connection_lost(c, r);
	return NULL;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Wait for the exec: command to exit, hurrying it along if it does not:
 * closing its socket should end it, SIGTERM after a grace, SIGKILL after
 * another.  Its wait status goes to *status (when not NULL). */
static void reap(pid_t pid, int *status)
{
	unsigned waited, step;
	int i;
	pid_t r;

	for (i = 0; i < 2; i++) {
		if (i)
			kill(pid, SIGTERM);
		for (waited = 0, step = 1; waited < REAP_GRACE_MS; waited += step) {
			r = waitpid(pid, status, WNOHANG);
			if (r == pid || (r < 0 && errno != EINTR))
				return;
			sleep_ms(step);
			if (step < 64)
				step *= 2;
		}
	}
	kill(pid, SIGKILL);
	while (waitpid(pid, status, 0) < 0 && errno == EINTR)
		;
}

/* Read one frame within the handshake's time. */
static int read_frame_by(struct mgr_client *c, uint64_t deadline, yajl_val *msg)
{
	struct pollfd pfd[2] = {
		{ .fd = c->fd, .events = POLLIN },
		{ .fd = c->cancel_fd, .events = POLLIN },
	};
	uint64_t now;
	ssize_t n;
	int r;

	for (;;) {
		r = next_frame(c, msg);
		if (r)
			return r < 0 ? r : 0;
		now = now_ms();
		if (now >= deadline)
			return -ETIMEDOUT;
		r = poll(pfd, 2, (int)(deadline - now));
		if (r < 0 && errno != EINTR)
			return -errno;
		if (r <= 0)
			continue;
		if (pfd[1].revents)
			return -ECANCELED;
		n = read_some(c, false);
		if (n < 0)
			return n;
	}
}

static int send_hello_response(struct mgr_client *c, const char *response,
			       const char *challenge)
{
	yajl_gen g = mgr_json_gen_new();
	int err = -ENOMEM;

	if (!g)
		return err;
	err = -EINVAL;
	if (yajl_gen_map_open(g) != yajl_gen_status_ok ||
	    mgr_json_kv_str(g, "response", response) < 0 ||
	    mgr_json_kv_str(g, "challenge", challenge) < 0 ||
	    yajl_gen_map_close(g) != yajl_gen_status_ok)
		goto out;
	err = send_gen(c, g);
out:
	yajl_gen_free(g);
	return err;
}

/* Prove that we know the key and check that the manager does too. */
static int authenticate(struct mgr_client *c, const struct mgr_client_opts *opts,
			yajl_val hello, uint64_t deadline, const char *name, char **msg)
{
	const char *method = NULL, *challenge = NULL, *theirs = NULL, *text = NULL;
	char response[MGR_RESPONSE_HEX + 1], mine[MGR_CHALLENGE_HEX + 1];
	yajl_val welcome = NULL;
	bool ok = false;
	int err;

	if (mgr_json_get_str(hello, "auth", &method) < 0 || strcmp(method, "hmac-sha256") != 0) {
		set_msg(msg, "%s asks for an unknown authentication (%s)", name,
			method ? method : "?");
		return -EPROTO;
	}
	if (!opts || !opts->authkey) {
		set_msg(msg, "%s needs an authentication key", name);
		return -EACCES;
	}
	if (mgr_json_get_str(hello, "challenge", &challenge) < 0 ||
	    strlen(challenge) != MGR_CHALLENGE_HEX) {
		set_msg(msg, "%s sent a malformed challenge", name);
		return -EPROTO;
	}
	err = mgr_auth_respond(opts->authkey, opts->authkey_len, MGR_AUTH_CLIENT,
			       challenge, response);
	if (err == 0)
		err = mgr_auth_challenge(mine);
	if (err == 0)
		err = send_hello_response(c, response, mine);
	if (err == 0)
		err = read_frame_by(c, deadline, &welcome);
	if (err < 0) {
		set_msg(msg, "%s: authentication: %s", name, strerror(-err));
		return err;
	}
	if (mgr_json_get_str(welcome, "error", &text) == 0) {
		mgr_json_get_str(welcome, "message", &text);
		set_msg(msg, "%s: %s", name, text);
		err = -EACCES;
		goto out;
	}
	mgr_json_get_bool(welcome, "welcome", &ok);
	if (!ok || mgr_json_get_str(welcome, "response", &theirs) < 0 ||
	    !mgr_auth_check(opts->authkey, opts->authkey_len, MGR_AUTH_SERVER,
			    mine, theirs)) {
		set_msg(msg, "%s does not know the authentication key", name);
		err = -EACCES;
		goto out;
	}
	err = 0;
out:
	yajl_tree_free(welcome);
	return err;
}

/* Take the manager's hello and, when it asks, authenticate. */
static int handshake(struct mgr_client *c, const struct mgr_client_opts *opts,
		     const char *name, unsigned hello_ms, char **msg)
{
	uint64_t deadline = now_ms() + hello_ms;
	const char *who = NULL, *text = NULL;
	yajl_val hello = NULL;
	uint64_t proto = 0;
	int err;

	err = read_frame_by(c, deadline, &hello);
	if (err < 0) {
		text = err == -ECONNRESET ? "the connection closed before the manager's hello" :
		       err == -ETIMEDOUT ? "no hello from the manager" : strerror(-err);
		set_msg(msg, "%s: %s", name, text);
		return err;
	}
	if (mgr_json_get_str(hello, "hello", &who) < 0) {
		/* A manager that turns us away says why. */
		if (mgr_json_get_str(hello, "error", &text) == 0) {
			err = reply_errno(text);
			mgr_json_get_str(hello, "message", &text);
		} else {
			err = -EPROTO;
			text = "not a manager (no hello)";
		}
		set_msg(msg, "%s: %s", name, text);
		goto out;
	}
	mgr_json_get_u64(hello, "protocol", &proto);
	if (strcmp(who, "mgrd") != 0 || proto != 1) {
		err = -EPROTO;
		set_msg(msg, "%s speaks an unknown protocol (%s %llu)", name, who,
			(unsigned long long)proto);
		goto out;
	}
	if (mgr_json_get(hello, "auth"))
		err = authenticate(c, opts, hello, deadline, name, msg);
out:
	yajl_tree_free(hello);
	return err;
}

static int start_thread(struct mgr_client *c)
{
	sigset_t all, old;
	int err;

	c->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (c->wake_fd < 0)
		return -errno;
	/* A link attempt (with RECONNECT) watches it, so that freeing the
	 * client need not wait for a connect or a hello that may never
	 * come. */
	c->stop_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (c->stop_fd < 0)
		return -errno;
	/* Signals are for the program's own threads to take. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = -pthread_create(&c->thread, NULL, io_main, c);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err == 0)
		c->thread_started = true;
	return err;
}

static struct mgr_client *client_alloc(void)
{
	struct mgr_client *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->fd = -1;
	c->wake_fd = -1;
	c->stop_fd = -1;
	c->cancel_fd = -1;
	pthread_mutex_init(&c->lock, NULL);
	pthread_mutex_init(&c->wlock, NULL);
	pthread_cond_init(&c->wspace, NULL);
	pthread_cond_init(&c->link_cond, NULL);
	return c;
}

/* Ask the manager for keepalives of s seconds; from its answer on, the
 * reader keeps the link alive, which also bounds this call. */
static int start_keepalive(struct mgr_client *c, unsigned s, const char *name, char **msg)
{
	struct mgr_reply rep = { 0 };
	struct mgr_req r;
	int err;

	if (s > MGR_KEEPALIVE_MAX) {
		set_msg(msg, "keepalive interval %u is over %d seconds", s, MGR_KEEPALIVE_MAX);
		return -EINVAL;
	}
	c->ackgen = mgr_json_gen_new();
	if (!c->ackgen)
		return -ENOMEM;
	c->ka_ms = (uint64_t)s * 1000;
	c->last_sent = c->last_recv = c->last_ping = now_ms();
	err = mgr_req_init(&r, "keepalive", NULL);
	if (err == 0)
		err = mgr_json_kv_u64(r.g, "interval", s);
	if (err == 0)
		err = mgr_client_call(c, &r, &rep);
	mgr_req_release(&r);
	if (err == 0 && rep.err)
		err = rep.err;
	else if (err == 0 && !YAJL_IS_TRUE(rep.result))
		err = -EPROTO;
	if (err < 0)
		set_msg(msg, "%s: keepalive: %s", name,
			rep.message ? rep.message : strerror(-err));
	mgr_reply_release(&rep);
	return err;
}

/* Open c's link to a: connect, hello, authentication and keepalive, with
 * c not threaded yet.  On failure c->fd and c->pid are left for
 * open_failed. */
static int client_open(struct mgr_client *c, const struct mgr_addr *a, const char *name,
		       const struct mgr_client_opts *opts, unsigned hello_ms, char **msg)
{
	int r;

	r = mgr_addr_connect(a, opts ? opts->ssh : NULL, c->cancel_fd, &c->pid, msg);
	if (r < 0)
		return r;
	c->fd = r;
	if (a->kind == MGR_ADDR_TCP)
		mgr_tcp_keepalive(c->fd);
	r = handshake(c, opts, name, hello_ms, msg);
	if (r == 0 && opts && opts->keepalive)
		r = start_keepalive(c, opts->keepalive, name, msg);
	return r;
}

/* Close what client_open left open.  An exec: command that failed
 * usually says why on stderr; its exit status at least tells that it
 * ended. */
static void open_failed(struct mgr_client *c, char **msg)
{
	int status = 0;

	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	if (c->pid > 0) {
		reap(c->pid, &status);
		c->pid = 0;
		if (*msg && WIFEXITED(status) && WEXITSTATUS(status)) {
			char *m = *msg;

			set_msg(msg, "%s (the command exited with status %d)",
				m, WEXITSTATUS(status));
			if (*msg)
				free(m);
			else
				*msg = m;
		}
	}
}

/* One attempt at a new link, opened as a client of its own whose
 * descriptor c then takes over. */
static int relink_once(struct mgr_client *c)
{
	struct mgr_client_opts o = c->opts;
	struct mgr_client *t = client_alloc();
	struct mgr_buf b;
	char *msg = NULL;
	int r;

	if (!t)
		return -ENOMEM;
	t->cancel_fd = c->stop_fd;
	o.authkey = c->key;
	o.authkey_len = c->keylen;
	r = client_open(t, &c->addr, c->name, &o, RELINK_HELLO_MS, &msg);
	if (r < 0) {
		open_failed(t, &msg);
		goto out;
	}
	pthread_mutex_lock(&c->lock);
	pthread_mutex_lock(&c->wlock);
	c->fd = t->fd;
	c->pid = t->pid;
	t->fd = -1;
	t->pid = 0;
	c->werr = 0;
	c->last_sent = t->last_sent;
	c->down = false;
	pthread_cond_broadcast(&c->link_cond);
	pthread_mutex_unlock(&c->wlock);
	pthread_mutex_unlock(&c->lock);
	/* Anything read after the keepalive reply is the new link's. */
	b = c->rbuf;
	c->rbuf = t->rbuf;
	c->rpos = t->rpos;
	t->rbuf = b;
	c->frames_in = t->frames_in;
	c->need_ack = t->need_ack;
	c->last_recv = t->last_recv;
	c->last_ping = t->last_ping;
out:
	free(msg);
	mgr_client_free(t);
	return r;
}

/* Connect again with growing pauses until it works (0) or the client is
 * closing (-ECONNABORTED).  A pause ends early when mgr_client_free
 * wakes the I/O thread. */
static int relink(struct mgr_client *c)
{
	struct pollfd pfd = { .fd = c->wake_fd, .events = POLLIN };
	unsigned pause = RELINK_MIN_MS;
	eventfd_t ignored;
	bool closing;

	for (;;) {
		if (poll(&pfd, 1, pause) > 0)
			eventfd_read(c->wake_fd, &ignored);
		pthread_mutex_lock(&c->lock);
		closing = c->closing;
		pthread_mutex_unlock(&c->lock);
		if (closing)
			return -ECONNABORTED;
		if (relink_once(c) == 0)
			return 0;
		pause = pause * 2 < RELINK_MAX_MS ? pause * 2 : RELINK_MAX_MS;
	}
}

int mgr_client_connect(const char *addr, const struct mgr_client_opts *opts,
		       struct mgr_client **out, char **err)
{
	struct mgr_buf def = MGR_BUF_INIT;
	struct mgr_addr a = { 0 };
	struct mgr_client *c = NULL;
	const char *why = NULL;
	char *name = NULL, *msg = NULL;
	int r;

	*out = NULL;
	*err = NULL;
	if (!addr) {
		r = mgr_addr_default_socket(&def);
		if (r < 0)
			goto fail;
		a.kind = MGR_ADDR_UNIX;
		a.path = def.data;
		def.data = NULL;
	} else {
		r = mgr_addr_parse(addr, &a, &why);
		if (r < 0) {
			set_msg(&msg, "%s: %s", addr, why);
			goto fail;
		}
	}
	if (asprintf(&name, "%s%s", addr ? "" : "unix:", addr ? addr : a.path) < 0) {
		name = NULL;
		r = -ENOMEM;
		goto fail;
	}
	if (opts && (opts->flags & MGR_CLIENT_RECONNECT) && !(opts->flags & MGR_CLIENT_THREAD)) {
		set_msg(&msg, "reconnecting needs the client's I/O thread");
		r = -EINVAL;
		goto fail;
	}

	r = -ENOMEM;
	c = client_alloc();
	if (!c)
		goto fail;
	r = client_open(c, &a, name, opts, HELLO_TIMEOUT_MS, &msg);
	if (r < 0)
		goto fail;
	/* The callbacks start now: a failed connect never calls on_close.
	 * The key was for the handshake alone unless a new link will need
	 * it again: the caller's pointer is not kept. */
	if (opts) {
		c->opts = *opts;
		c->opts.authkey = NULL;
		c->opts.authkey_len = 0;
	}
	if (opts && (opts->flags & MGR_CLIENT_RECONNECT)) {
		if (opts->authkey) {
			r = -ENOMEM;
			c->key = malloc(opts->authkey_len ? opts->authkey_len : 1);
			if (!c->key)
				goto fail;
			memcpy(c->key, opts->authkey, opts->authkey_len);
			c->keylen = opts->authkey_len;
		}
		c->addr = a;
		memset(&a, 0, sizeof(a));
		c->name = name;
		name = NULL;
	}
	if (opts && (opts->flags & MGR_CLIENT_THREAD)) {
		c->threaded = true;
		r = start_thread(c);
		if (r < 0)
			goto fail;
	}
	*out = c;
	goto out;
fail:
	if (c) {
		open_failed(c, &msg);
		mgr_client_free(c);
	}
	if (!msg)
		set_msg(&msg, "%s: %s", name ? name : addr ? addr : "default socket",
			strerror(-r));
	*err = msg;
out:
	free(name);
	mgr_buf_release(&def);
	mgr_addr_release(&a);
	return r;
}

void mgr_client_free(struct mgr_client *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&c->lock);
	c->closing = true;
	/* Calls waiting for the link give up. */
	pthread_cond_broadcast(&c->link_cond);
	pthread_mutex_unlock(&c->lock);
	if (c->thread_started) {
		/* What was sent goes out before the connection closes, as
		 * when the sender's own write finished it; a manager that
		 * stopped reading gets a few seconds, not forever. */
		struct timespec until;

		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 5;
		pthread_mutex_lock(&c->wlock);
		while (!c->werr && c->wpos < c->wbuf.len)
			if (pthread_cond_timedwait(&c->wspace, &c->wlock, &until) == ETIMEDOUT)
				break;
		/* The I/O thread's read ends, and it fails what is left; one
		 * that is between links wakes from its pause. */
		if (c->fd >= 0)
			shutdown(c->fd, SHUT_RDWR);
		pthread_mutex_unlock(&c->wlock);
		eventfd_write(c->wake_fd, 1);
		eventfd_write(c->stop_fd, 1);
		pthread_join(c->thread, NULL);
	}
	if (c->fd >= 0)
		connection_lost(c, -ECONNABORTED);
	if (c->fd >= 0)
		close(c->fd);
	if (c->wake_fd >= 0)
		close(c->wake_fd);
	if (c->stop_fd >= 0)
		close(c->stop_fd);
	if (c->pid > 0)
		reap(c->pid, NULL);
	free(c->table);
	mgr_buf_release(&c->rbuf);
	mgr_buf_release(&c->wbuf);
	if (c->ackgen)
		yajl_gen_free(c->ackgen);
	if (c->key) {
		OPENSSL_cleanse(c->key, c->keylen);
		free(c->key);
	}
	mgr_addr_release(&c->addr);
	free(c->name);
	pthread_mutex_destroy(&c->lock);
	pthread_mutex_destroy(&c->wlock);
	pthread_cond_destroy(&c->wspace);
	pthread_cond_destroy(&c->link_cond);
	free(c);
}
