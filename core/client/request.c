/* The call API of client.h: a call made and waited for, a call
 * cancelled, and without the I/O thread, the caller's own reading of
 * replies (mgr_client_dispatch). */
#include "client.h"

#include <errno.h>
#include <poll.h>
#include <string.h>

#include "cli.h"
#include "io.h"
#include "json.h"
#include "keepalive.h"
#include "pending.h"

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
			n = io_read_some(c);
			if (n) {
				mgr_spin_end(&c->spin, true);
				return n;
			}
		} while (mgr_spin_now() < until);
		mgr_spin_end(&c->spin, false);
	}
	if (c->ka_ms) {
		r = ka_duty(c);
		if (r < 0)
			return r;
		/* The ping may have read a reply along with its own send. */
		if (c->closed || c->rpos < c->rbuf.len)
			return 0;
	}
	/* poll(), not a blocking recv(): a thread asleep in recv() on a
	 * local socket is woken each time the peer reads what this end sent
	 * (room is made in the socket's buffer), one asleep in poll() for
	 * POLLIN only when something comes. */
	r = poll(&pfd, 1, c->ka_ms ? cli_ms_until(c->ka_due) : -1);
	if (r < 0 && errno != EINTR)
		return -errno;
	return r > 0 ? io_read_some(c) : 0;
}

/* Without the I/O thread: read and handle frames until p is done. */
static void wait_here(struct mgr_client *c, struct pending *p)
{
	ssize_t n;
	int r;

	while (!p->done) {
		r = io_process(c);
		if (r < 0) {
			pending_lost(c, r);
			continue;
		}
		if (p->done)
			break;
		n = read_next(c);
		if (n < 0)
			pending_lost(c, n);
	}
	/* The reply goes to the caller only once the manager may forget
	 * an item it carries. */
	if (c->need_ack && !c->closed)
		ka_send_ack(c);
}

int mgr_client_call(struct mgr_client *c, struct mgr_req *r, struct mgr_reply *out)
{
	struct pending p = { .sync = true };
	pthread_cond_t cond;
	int err;

	memset(out, 0, sizeof(*out));
	if (c->threaded) {
		/* The I/O thread would be waiting for itself. */
		if (cli_on_io_thread(c))
			return -EDEADLK;
		pthread_cond_init(&cond, NULL);
		p.cond = &cond;
	}
	err = io_send_req(c, r, &p, NULL);
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
		r = io_process(c);
		if (r < 0) {
			pending_lost(c, r);
			break;
		}
		/* A read that left room in rbuf took all the socket had: one
		 * more would find nothing (a system call is dear in a VM).  A
		 * bounded number of reads, so that a busy connection cannot
		 * keep the caller here forever. */
		if (drained || reads++ == 16)
			break;
		n = io_read_some(c);
		if (n < 0)
			pending_lost(c, n);
		if (n <= 0)
			break;
		drained = c->rbuf.len < c->rbuf.cap;
	}
	if (c->ka_ms && !c->closed) {
		r = ka_duty(c);
		if (r < 0)
			pending_lost(c, r);
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
	return cli_ms_until(c->ka_due);
}
