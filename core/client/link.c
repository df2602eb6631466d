/* Connecting, reconnecting and closing a client: each link is opened
 * (connect, hello, key, keepalive) before the client uses it, and with
 * MGR_CLIENT_RECONNECT the I/O thread opens each new link as a separate
 * unthreaded client, which runs the whole handshake, and then takes over
 * its descriptor. */
#include "client.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <openssl/crypto.h>

#include "cli.h"
#include "handshake.h"
#include "json.h"
#include "keepalive.h"
#include "pending.h"
#include "proto.h"
#include "thread.h"

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
		cli_set_msg(msg, "keepalive interval %u is over %d seconds", s, MGR_KEEPALIVE_MAX);
		return -EINVAL;
	}
	c->ackgen = mgr_json_gen_new();
	if (!c->ackgen)
		return -ENOMEM;
	c->ka_ms = (uint64_t)s * 1000;
	c->last_sent = c->last_recv = c->last_ping = cli_now_ms();
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
		cli_set_msg(msg, "%s: keepalive: %s", name,
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
	r = handshake_run(c, opts, name, hello_ms, msg);
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
		cli_reap(c->pid, &status);
		c->pid = 0;
		if (*msg && WIFEXITED(status) && WEXITSTATUS(status)) {
			char *m = *msg;

			cli_set_msg(msg, "%s (the command exited with status %d)",
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
	r = client_open(t, &c->addr, c->name, &o, CLI_RELINK_HELLO_MS, &msg);
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
	__atomic_store_n(&c->frames_in, t->frames_in, __ATOMIC_RELAXED);
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
	unsigned pause = CLI_RELINK_MIN_MS;
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
		pause = pause * 2 < CLI_RELINK_MAX_MS ? pause * 2 : CLI_RELINK_MAX_MS;
	}
}

/* The I/O thread: serve the link; with MGR_CLIENT_RECONNECT, when it
 * breaks, make a new one, until mgr_client_free. */
static void *io_main(void *arg)
{
	struct mgr_client *c = arg;
	int r;

	for (;;) {
		r = thread_serve(c);
		if (!(c->opts.flags & MGR_CLIENT_RECONNECT) || !thread_link_down(c, r))
			break;
		r = relink(c);
		if (r < 0)
			break;
		if (c->opts.on_link)
			c->opts.on_link(c->opts.arg, 0);
	}
	pending_lost(c, r);
	return NULL;
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
			cli_set_msg(&msg, "%s: %s", addr, why);
			goto fail;
		}
	}
	if (asprintf(&name, "%s%s", addr ? "" : "unix:", addr ? addr : a.path) < 0) {
		name = NULL;
		r = -ENOMEM;
		goto fail;
	}
	if (opts && (opts->flags & MGR_CLIENT_RECONNECT) && !(opts->flags & MGR_CLIENT_THREAD)) {
		cli_set_msg(&msg, "reconnecting needs the client's I/O thread");
		r = -EINVAL;
		goto fail;
	}

	r = -ENOMEM;
	c = client_alloc();
	if (!c)
		goto fail;
	r = client_open(c, &a, name, opts, CLI_HELLO_TIMEOUT_MS, &msg);
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
		cli_set_msg(&msg, "%s: %s", name ? name : addr ? addr : "default socket",
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
	bool up;

	if (!c)
		return;
	pthread_mutex_lock(&c->lock);
	c->closing = true;
	up = !c->closed && !c->down && c->fd >= 0;
	/* Calls waiting for the link give up. */
	pthread_cond_broadcast(&c->link_cond);
	pthread_mutex_unlock(&c->lock);
	/* A client that was handed data says, as it closes, what arrived;
	 * the manager puts back what did not.  One that is killed says
	 * nothing, and gets nothing it did not read counted as read. */
	if (up && __atomic_load_n(&c->acking, __ATOMIC_RELAXED))
		ka_send_last_ack(c);
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
		pending_lost(c, -ECONNABORTED);
	if (c->fd >= 0)
		close(c->fd);
	if (c->wake_fd >= 0)
		close(c->wake_fd);
	if (c->stop_fd >= 0)
		close(c->stop_fd);
	if (c->pid > 0)
		cli_reap(c->pid, NULL);
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
