#include "thread.h"

#include <errno.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "io.h"
#include "keepalive.h"
#include "pending.h"

int thread_serve(struct mgr_client *c)
{
	struct pollfd pfd[2] = {
		{ .fd = c->fd },
		{ .fd = c->wake_fd, .events = POLLIN },
	};
	eventfd_t ignored;
	int r, timeout;
	ssize_t n;

	for (;;) {
		r = io_process(c);
		if (r < 0)
			return r;
		timeout = -1;
		if (c->ka_ms) {
			r = ka_duty(c);
			if (r < 0)
				return r;
			timeout = cli_ms_until(c->ka_due);
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
			n = io_read_some(c);
			if (n < 0)
				return n;
		}
		if (pfd[0].revents & POLLOUT) {
			pthread_mutex_lock(&c->wlock);
			r = io_flush_some(c);
			pthread_mutex_unlock(&c->wlock);
			if (r < 0)
				return r;
		}
	}
}

bool thread_link_down(struct mgr_client *c, int err)
{
	struct pending *list, *p;

	pthread_mutex_lock(&c->lock);
	if (c->closing) {
		pthread_mutex_unlock(&c->lock);
		return false;
	}
	c->down = true;
	c->server_err = 0;
	list = pending_take_all(c);
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
		cli_reap(c->pid, NULL);
		c->pid = 0;
	}
	while ((p = list)) {
		struct mgr_reply r = { .err = -ENOTCONN };

		list = p->next;
		pending_complete(c, p, &r);
	}
	if (c->opts.on_link)
		c->opts.on_link(c->opts.arg, err);
	return true;
}
