#include "accept.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hello.h"
#include "log.h"

static void listener_free(struct mgr_server *srv, struct listener *l)
{
	srv_unwatch(srv, &l->h);
	mgr_listen_close(&l->s);
	mgr_dlist_remove(&l->link);
	free(l);
}

void listeners_close(struct mgr_server *srv)
{
	struct listener *l;

	while ((l = mgr_dlist_first(&srv->listeners, struct listener, link)))
		listener_free(srv, l);
}

/* Serve the listening socket s (taken over, closed on failure too). */
static int listener_add(struct mgr_server *srv, struct mgr_listen_sock *s, bool auth,
			bool python, char *err, size_t errlen)
{
	struct listener *l = calloc(1, sizeof(*l));
	int r;

	if (!l) {
		mgr_listen_close(s);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	l->s = *s;
	l->h = (struct srv_handle){ .kind = SRV_H_LISTENER, .fd = s->fd };
	l->auth = auth;
	l->python = python;
	if (python) {
		char name[sizeof(l->s.name)];
		size_t n = strnlen(l->s.name, sizeof(name) - 8);

		memcpy(name, "python+", 7);
		memcpy(name + 7, l->s.name, n);
		name[7 + n] = '\0';
		memcpy(l->s.name, name, sizeof(name));
	}
	mgr_dlist_append(&srv->listeners, &l->link);
	r = srv_watch(srv, &l->h, EPOLLIN);
	if (r < 0) {
		snprintf(err, errlen, "epoll_ctl: %s", strerror(-r));
		listener_free(srv, l);
		return r;
	}
	mgr_log(MGR_LOG_INFO, "listening on %s%s", l->s.name,
		auth || python ? " (authkey required)" : "");
	return 0;
}

static int listen_tcp(struct mgr_server *srv, const struct mgr_addr *a, bool python,
		      char *err, size_t errlen)
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
		r = listener_add(srv, &socks[i], true, python, err, errlen);
	/* On failure the sockets not yet handed over are closed here, and
	 * those that were stay until mgr_server_free. */
	while (i < n)
		mgr_listen_close(&socks[i++]);
	free(socks);
	return r;
}

int listeners_open(struct mgr_server *srv, const struct mgr_addr *a, bool auth,
		   bool private_dir, bool python, char *err, size_t errlen)
{
	struct mgr_listen_sock s;
	int r;

	if (python && !srv->py.open) {
		snprintf(err, errlen, "this server does not speak Python's protocol");
		return -EINVAL;
	}

	if (auth && !srv->key) {
		snprintf(err, errlen, "a listener that asks for a key needs one (--authkey-file)");
		return -EINVAL;
	}
	switch (a->kind) {
	case MGR_ADDR_UNIX:
		r = mgr_listen_unix(a->path, private_dir, &s, err, errlen);
		if (r < 0)
			return r;
		return listener_add(srv, &s, auth, python, err, errlen);
	case MGR_ADDR_TCP:
		return listen_tcp(srv, a, python, err, errlen);
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

/* Make room for one more connection waiting to authenticate by closing
 * the oldest, once MGR_PREAUTH_MAX wait: a real client answers the
 * challenge at once, so what has waited longest is the likeliest to be
 * idle, and a flood pushes out only its own. */
static void preauth_make_room(struct mgr_server *srv)
{
	static struct mgr_log_limit limit;
	struct conn *c;

	while (srv->npreauth >= MGR_PREAUTH_MAX) {
		c = mgr_dlist_first(&srv->preauth, struct conn, preauth_link);
		mgr_log_limited(&limit, MGR_LOG_WARN, "%d connections wait to authenticate: closed the oldest, from %s",
				MGR_PREAUTH_MAX, c->peer);
		conn_fail(c, MGR_LOG_DEBUG, "pushed out by newer connections waiting to authenticate");
	}
}

/* A connection on a Python listener: no hello, the protocol greets. */
static void python_open(struct mgr_server *srv, struct listener *l, int fd, const char *peer)
{
	struct conn *c;
	int r = conn_new(srv, fd, fd, true, peer, &c);

	if (r == 0) {
		r = srv->py.open(srv->py.arg, c, l->s.name + 7);
		if (r < 0)
			conn_free(c);
		else
			conn_touch(c);
	}
	if (r < 0)
		mgr_log(MGR_LOG_ERROR, "cannot serve a Python connection from %s: %s", peer,
			strerror(-r));
}

void listener_accept(struct mgr_server *srv, struct listener *l)
{
	static struct mgr_log_limit nofd_limit, accept_limit;
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
				mgr_log_limited(&nofd_limit, MGR_LOG_WARN, "out of file descriptors: refused a connection on %s",
						l->s.name);
				continue;
			}
			if (errno != EAGAIN)
				mgr_log_limited(&accept_limit, MGR_LOG_WARN, "accept on %s: %s",
						l->s.name, strerror(errno));
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
		if (l->auth || l->python)
			preauth_make_room(srv);
		if (l->python) {
			python_open(srv, l, fd, peer);
			continue;
		}
		if (hello_open(srv, fd, fd, l->auth, peer, &c) < 0)
			mgr_log(MGR_LOG_ERROR, "cannot serve a connection from %s", peer);
	}
}
