/* The server's insides, shared by its modules: the server's state, the
 * descriptors its epoll set reports on, and small helpers for the
 * generators that build every frame it sends.
 *
 * The modules, bottom up: srv (this, and the epoll set), conn (a
 * connection's output and life), hello (the greeting and the key
 * exchange), subs (subscriptions and change events), intake (reading
 * frames and running requests), accept (listeners) and server (the loop
 * and the public API, server.h).  Each includes only those below it. */
#ifndef MGR_SRV_H
#define MGR_SRV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yajl/yajl_gen.h>

#include "buf.h"
#include "dlist.h"
#include "engine.h"

enum srv_handle_kind {
	SRV_H_STOP,
	SRV_H_LISTENER,
	SRV_H_CONN_IN,
	SRV_H_CONN_OUT,
};

/* What epoll reports on: each registered descriptor has one. */
struct srv_handle {
	enum srv_handle_kind kind;
	int fd;
	uint32_t mask;
	bool watched;
};

struct mgr_server {
	struct mgr_store *store;
	int epfd;
	struct srv_handle stop;	/* an eventfd */
	int spare_fd;		/* given up to refuse a connection at EMFILE */
	bool stopping;
	bool done;
	bool overflow;		/* some connection was cut off */
	struct mgr_dlist listeners;
	struct mgr_dlist conns;
	struct mgr_dlist dead;
	struct mgr_dlist touched; /* conns to flush and settle */
	struct mgr_dlist subs;	/* struct conn_sub.srv_link */
	unsigned char *key;
	size_t keylen;
	size_t max_frame;
	uint64_t next_conn;
	uint64_t next_sub;
	/* No keepalive session can have expired before this (ms, 0 for
	 * none): the loop sweeps them then. */
	uint64_t ka_next;
	/* The request being run, whose changes' events tell its own
	 * connection which request made them. */
	struct conn *cause;
	uint64_t cause_id;
	yajl_gen out;		/* an operation's result */
	yajl_gen gen;		/* the frame being built */
	struct mgr_buf path;	/* an event's path */
};

/* Watch h for the events in mask (EPOLLIN, EPOLLOUT).  0 or -errno. */
int srv_watch(struct mgr_server *srv, struct srv_handle *h, uint32_t mask);
void srv_unwatch(struct mgr_server *srv, struct srv_handle *h);
/* Watch h for mask, or take it out of the set when mask is 0; a failure
 * is logged. */
void srv_watch_or_not(struct mgr_server *srv, struct srv_handle *h, uint32_t mask);

/* Clear g for the next message. */
void srv_gen_reset(yajl_gen g);
/* A yajl_gen status as 0 or -EINVAL. */
int srv_gen_ok(yajl_gen_status s);

#endif
