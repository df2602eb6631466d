#include "srv.h"

#include <errno.h>
#include <string.h>
#include <sys/epoll.h>

#include "log.h"

int srv_watch(struct mgr_server *srv, struct srv_handle *h, uint32_t mask)
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

void srv_unwatch(struct mgr_server *srv, struct srv_handle *h)
{
	if (!h->watched)
		return;
	epoll_ctl(srv->epfd, EPOLL_CTL_DEL, h->fd, NULL);
	h->watched = false;
}

/* A descriptor with nothing to wait for is taken out of the set rather
 * than left with an empty mask: a pipe whose peer is gone reports
 * EPOLLHUP or EPOLLERR whatever the mask, and would spin the loop. */
void srv_watch_or_not(struct mgr_server *srv, struct srv_handle *h, uint32_t mask)
{
	int r;

	if (!mask) {
		srv_unwatch(srv, h);
		return;
	}
	r = srv_watch(srv, h, mask);
	if (r < 0)
		mgr_log(MGR_LOG_ERROR, "epoll_ctl: %s", strerror(-r));
}

void srv_ring_lost(struct mgr_server *srv, int err)
{
	mgr_log(MGR_LOG_WARN, "io_uring: %s; reading and writing with a system call each from now on",
		strerror(-err));
	ring_close(&srv->ring);
}

void srv_gen_reset(yajl_gen g)
{
	yajl_gen_clear(g);
	yajl_gen_reset(g, NULL);
}

int srv_gen_ok(yajl_gen_status s)
{
	return s == yajl_gen_status_ok ? 0 : -EINVAL;
}
