/* The server's loop and its public face (server.h): one thread, one
 * epoll set, every connection a session on one store. */
#include "server.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include <openssl/crypto.h>

#include "accept.h"
#include "conn.h"
#include "hello.h"
#include "intake.h"
#include "json.h"
#include "log.h"
#include "spin.h"
#include "subs.h"

#define EVENTS_MAX 64
#define TRIM_STEP ((uint64_t)32 << 20)
#define GATHER_MAX_NS 1000000u
#define RING_ENTRIES 256
/* read_ahead queues at most a turn's events without submitting. */
_Static_assert(EVENTS_MAX <= RING_ENTRIES, "a turn's reads fit the ring");

/* The store's changes: to subscribers, then to the second protocol. */
static void store_hook(void *arg, struct mgr_obj *o, enum mgr_change what)
{
	struct mgr_server *srv = arg;

	subs_hook(srv, o, what);
	if (srv->py.change)
		srv->py.change(srv->py.arg, o, (int)what);
}

int mgr_server_new(const struct mgr_server_opts *opts, struct mgr_server **out,
		   char *err, size_t errlen)
{
	struct mgr_server *srv;
	int r = -ENOMEM;

	srv = calloc(1, sizeof(*srv));
	if (!srv)
		goto err_msg;
	srv->epfd = srv->stop.fd = srv->spare_fd = srv->ring.fd = -1;
	srv->no_ring = opts->no_io_uring;
	mgr_dlist_init(&srv->listeners);
	mgr_dlist_init(&srv->conns);
	mgr_dlist_init(&srv->dead);
	mgr_dlist_init(&srv->touched);
	mgr_dlist_init(&srv->preauth);
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
	mgr_store_set_hook(srv->store, store_hook, srv);
	mgr_store_set_limit(srv->store, opts->max_memory);
	srv->epfd = epoll_create1(EPOLL_CLOEXEC);
	srv->stop = (struct srv_handle){ .kind = SRV_H_STOP };
	srv->stop.fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (srv->epfd < 0 || srv->stop.fd < 0 || srv_watch(srv, &srv->stop, EPOLLIN) < 0) {
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
			conn_subs_drop(c);
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
	conn_free_dead(srv);
	listeners_close(srv);
	/* The protocol's objects go before the store, which tells it of
	 * every object it destroys. */
	if (srv->py.free)
		srv->py.free(srv->py.arg);
	memset(&srv->py, 0, sizeof(srv->py));
	mgr_engine_free(srv->store);
	ring_close(&srv->ring);
	if (srv->out)
		yajl_gen_free(srv->out);
	if (srv->gen)
		yajl_gen_free(srv->gen);
	mgr_buf_release(&srv->path);
	free(srv->subbuckets);
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

void mgr_server_set_journal(struct mgr_server *srv, const struct mgr_server_journal *j)
{
	if (j)
		srv->journal = *j;
	else
		memset(&srv->journal, 0, sizeof(srv->journal));
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

	r = hello_open(srv, in_fd, out_fd, false, "stdio", &c);
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
	r = srv_watch(srv, &c->in, EPOLLIN);
	if (r < 0) {
		snprintf(err, errlen, "cannot wait for input on descriptor %d: %s",
			 in_fd, strerror(-r));
		goto err_kill;
	}
	c->last = true;
	return 0;
err_kill:
	conn_kill(c);
	conn_free_dead(srv);
	return r;
}

int mgr_server_listen(struct mgr_server *srv, const struct mgr_addr *a, int flags,
		      char *err, size_t errlen)
{
	return listeners_open(srv, a, flags & MGR_LISTEN_AUTH, flags & MGR_LISTEN_PRIVATE_DIR,
			      flags & MGR_LISTEN_PYTHON,
			      err, errlen);
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
	struct srv_handle *h = ev->data.ptr;
	struct conn *c;
	uint64_t count;
	ssize_t n;

	switch (h->kind) {
	case SRV_H_STOP:
		n = read(h->fd, &count, sizeof(count));
		(void)n;
		srv->stopping = true;
		break;
	case SRV_H_LISTENER:
		listener_accept(srv, mgr_container_of(h, struct listener, h));
		break;
	case SRV_H_CONN_IN:
		c = mgr_container_of(h, struct conn, in);
		if (c->dead)
			break;
		if ((ev->events & (EPOLLIN | EPOLLHUP | EPOLLERR)) && !c->in_eof) {
			conn_heard(c);
			if (c->py)
				srv->py.read(c);
			else
				intake_read(c);
			/* Its replies go out after the events its requests
			 * caused: a subscriber has an event in its socket
			 * before anyone is told of the change. */
			if (!mgr_dlist_empty(&c->touch_link)) {
				mgr_dlist_remove(&c->touch_link);
				conn_touch(c);
			}
		}
		if (c->one_fd && (ev->events & (EPOLLOUT | EPOLLHUP | EPOLLERR)))
			conn_touch(c);
		break;
	case SRV_H_CONN_OUT:
		c = mgr_container_of(h, struct conn, out);
		if (!c->dead)
			conn_touch(c);
		break;
	}
}

/* Read the connections among evs that have input through the ring, all
 * in one system call, before any of them is handled; conn_read takes what
 * each read returned.  A connection part way through a frame is left to
 * its own read, which knows how much more to ask for, and a single one to
 * read() as well. */
static void read_ahead(struct mgr_server *srv, struct epoll_event *evs, int n)
{
	struct io_uring_cqe cqe;
	struct conn *c;
	unsigned count = 0;
	int i, err;

	for (i = 0; i < n; i++) {
		struct srv_handle *h = evs[i].data.ptr;

		if (h->kind != SRV_H_CONN_IN || !(evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
			continue;
		c = mgr_container_of(h, struct conn, in);
		if (c->dead || c->in_eof || c->rbuf.len || !c->one_fd || !c->is_socket ||
		    mgr_buf_reserve(&c->rbuf, CONN_READ_CHUNK) < 0)
			continue;
		ring_queue(&srv->ring, IORING_OP_RECV, c->in.fd, c->rbuf.data, CONN_READ_CHUNK,
			   (uintptr_t)c);
		count++;
	}
	if (count < 2) {
		ring_unqueue(&srv->ring);
		return;
	}
	err = ring_submit(&srv->ring);
	while (ring_reap(&srv->ring, &cqe)) {
		c = (struct conn *)(uintptr_t)cqe.user_data;
		c->ahead = true;
		c->ahead_n = cqe.res;
	}
	if (err < 0)
		srv_ring_lost(srv, err);
}

/* The ring is made by the thread that runs the loop, after mgrd --detach
 * forked: it serves one thread only. */
static void ring_start(struct mgr_server *srv)
{
	int r;

	if (srv->no_ring || srv->ring.fd >= 0)
		return;
	r = ring_open(&srv->ring, RING_ENTRIES);
	if (r < 0)
		mgr_log(MGR_LOG_DEBUG, "io_uring: %s; a system call for each read and write",
			strerror(-r));
	else
		mgr_log(MGR_LOG_DEBUG, "io_uring: a turn's reads and writes in batches");
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

/* Close the connections that have not authenticated in time.  They are
 * in the order they came, so only the oldest need looking at. */
static void sweep_handshakes(struct mgr_server *srv, uint64_t now)
{
	static struct mgr_log_limit limit;
	struct conn *c;

	while ((c = mgr_dlist_first(&srv->preauth, struct conn, preauth_link)) &&
	       c->hello_by <= now) {
		mgr_log_limited(&limit, MGR_LOG_WARN, "connection %llu (%s) closed: not authenticated within %d s",
				(unsigned long long)c->sess.id, c->peer, MGR_HANDSHAKE_TIMEOUT);
		conn_fail(c, MGR_LOG_DEBUG, "not authenticated in time");
	}
}

/* The loop's wait: until the earliest deadline of a parked call, a
 * keepalive or a handshake, in ms, or -1 for none. */
static int loop_timeout(struct mgr_server *srv)
{
	uint64_t next = mgr_waits_next_deadline(srv->store), now;
	struct conn *c = mgr_dlist_first(&srv->preauth, struct conn, preauth_link);

	if (srv->ka_next && (!next || srv->ka_next < next))
		next = srv->ka_next;
	if (c && (!next || c->hello_by < next))
		next = c->hello_by;
	if (!next)
		return -1;
	now = mgr_now_ms();
	return next <= now ? 0 : next - now > INT_MAX ? INT_MAX : (int)(next - now);
}

static int round_timeout(struct mgr_server *srv)
{
	int t = loop_timeout(srv), j;

	if (!srv->journal.timeout)
		return t;
	j = srv->journal.timeout(srv->journal.arg);
	return j < 0 ? t : t < 0 || j < t ? j : t;
}

/* Give memory back to the system once much has been freed: glibc keeps
 * freed memory for the process, so a list deleted after a burst would
 * otherwise leave the manager that much bigger for good.  A drop of
 * TRIM_STEP bytes in what the store holds, or in frames in transit, is
 * or in large buffers freed, is worth the trim's walk of the heap. */
static void trim_heap(struct mgr_server *srv)
{
	uint64_t held = mgr_store_bytes(srv->store) + srv->intake_used;

	if (held > srv->trim_mark)
		srv->trim_mark = held;
	if (srv->trim_mark - held + srv->buf_freed >= TRIM_STEP) {
		malloc_trim(0);
		srv->trim_mark = held;
		srv->buf_freed = 0;
	}
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

/* Wait up to ns for events; polls where the kernel has no epoll_pwait2
 * (before Linux 5.11). */
static int wait_ns(struct mgr_server *srv, struct epoll_event *evs, uint64_t ns)
{
	struct timespec ts = { .tv_sec = (time_t)(ns / 1000000000u),
			       .tv_nsec = (long)(ns % 1000000000u) };
	int n = epoll_pwait2(srv->epfd, evs, EVENTS_MAX, &ts, NULL);

	if (n < 0 && errno == ENOSYS)
		n = epoll_wait(srv->epfd, evs, EVENTS_MAX, 0);
	return n < 0 ? 0 : n;
}

/* Under --fsync always a round's replies wait for its flush; the clients
 * the last flush answered are still sending their next requests when the
 * round begins, and those that miss it wait for this flush and the next.
 * Left alone, the clients settle into groups, each waiting for the other
 * groups' flushes too.  So before the flush the loop waits for those
 * clients to be heard from again, for at most half a flush: the requests
 * already in wait that much longer, those that come save a whole flush.
 * One client is never kept waiting, and where the clients keep missing
 * the wait (more of them than the cores can run at once), the loop skips
 * it for a while as it does its polling (spin.h). */
static void gather(struct mgr_server *srv, struct epoll_event *evs)
{
	uint64_t until, now;
	int n, i;

	if (!srv->awaited || !srv->journal.settled || srv->journal.settled(srv->journal.arg) ||
	    !mgr_spin_begin(&srv->gather))
		return;
	now = mgr_spin_now();
	until = now + (srv->flush_ns / 2 < GATHER_MAX_NS ? srv->flush_ns / 2 : GATHER_MAX_NS);
	while (srv->awaited && now < until) {
		n = wait_ns(srv, evs, until - now);
		for (i = 0; i < n; i++)
			dispatch(srv, &evs[i]);
		now = mgr_spin_now();
	}
	mgr_spin_end(&srv->gather, !srv->awaited);
}

/* Write and flush the round's changes; the clients whose replies waited
 * for the flush are the ones gather() waits for next. */
static void commit(struct mgr_server *srv)
{
	struct mgr_dlist *pos, *tmp;
	bool held = srv->journal.settled && !srv->journal.settled(srv->journal.arg);
	uint64_t t0 = held ? mgr_spin_now() : 0, took;

	srv->journal.commit(srv->journal.arg);
	if (!held)
		return;
	took = mgr_spin_now() - t0;
	srv->flush_ns = srv->flush_ns ? (srv->flush_ns * 7 + took) / 8 : took;
	srv->flushes++;
	srv->awaited = 0;
	mgr_dlist_for_each(pos, tmp, &srv->touched)
		conn_served(mgr_container_of(pos, struct conn, touch_link));
}

int mgr_server_run(struct mgr_server *srv, char *err, size_t errlen)
{
	struct epoll_event evs[EVENTS_MAX];
	struct mgr_spin spin = { 0 };
	bool worked = false;
	uint64_t now;
	int n, i, r = 0;

	ring_start(srv);
	/* Connections made before the loop (the hello to a stdio session)
	 * get their first output and epoll interest here. */
	conn_settle_all(srv);
	conn_free_dead(srv);
	while (!srv->stopping && !srv->done) {
		n = wait_events(srv, evs, round_timeout(srv), worked ? &spin : NULL);
		worked = n > 0;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			snprintf(err, errlen, "epoll_wait: %s", strerror(-r));
			break;
		}
		/* With a journal, the replies of the round wait for its commit
		 * below, one write and one fsync for all of them, from its first
		 * change on.  With the ring they all wait for the end of the
		 * round, to go out in one system call; without, the replies of
		 * each event go out at once. */
		if (srv->ring.fd >= 0 && n > 1)
			read_ahead(srv, evs, n);
		for (i = 0; i < n; i++) {
			dispatch(srv, &evs[i]);
			if (srv->ring.fd < 0 && (!srv->journal.commit ||
			    (srv->journal.settled && srv->journal.settled(srv->journal.arg))))
				conn_settle_all(srv);
		}
		gather(srv, evs);
		now = mgr_now_ms();
		mgr_waits_expire(srv->store, now);
		if (srv->py.turn)
			srv->py.turn(srv->py.arg);
		if (srv->ka_next && srv->ka_next <= now)
			sweep_keepalive(srv, now);
		sweep_handshakes(srv, now);
		conn_close_overflowed(srv);
		if (srv->journal.commit)
			commit(srv);
		conn_settle_all(srv);
		conn_free_dead(srv);
		trim_heap(srv);
	}
	if (srv->stopping)
		mgr_log(MGR_LOG_INFO, "stopping");
	listeners_close(srv);
	return r;
}
