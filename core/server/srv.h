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
#include "journal.h"
#include "ring.h"
#include "spin.h"

enum srv_handle_kind {
	SRV_H_STOP,
	SRV_H_LISTENER,
	SRV_H_CONN_IN,
	SRV_H_CONN_OUT,
};

struct conn;
struct mgr_obj;

/* A second protocol served beside mgrfs's own (Python's, which the room
 * core/pyserver installs): the server hands it the connections of its
 * listeners and tells it of its loop and of the store's changes through
 * these, so that neither room includes the other back. */
struct srv_proto {
	void *arg;
	/* A connection accepted on one of its listeners (named as bound,
	 * "unix:PATH" or "tcp:HOST:PORT"): set c up and queue its first
	 * frames.  0, or -errno and the caller frees c. */
	int (*open)(void *arg, struct conn *c, const char *listener);
	/* c is readable (or hung up): read and serve what came. */
	void (*read)(struct conn *c);
	/* Once per turn of the loop, after the events: finish the calls
	 * that the engine answered meanwhile. */
	void (*turn)(void *arg);
	/* Every change of the store, after the server's own hook. */
	void (*change)(void *arg, struct mgr_obj *o, int what);
	/* The server is being freed, its connections already are. */
	void (*free)(void *arg);
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
	/* Connections not yet authenticated, oldest first, and how many. */
	struct mgr_dlist preauth;	/* struct conn.preauth_link */
	size_t npreauth;
	/* Subscriptions by path (subs.c): nsubbuckets lists (a power of
	 * two) of struct conn_sub.srv_link. */
	struct mgr_dlist *subbuckets;
	size_t nsubbuckets, nsubs;
	unsigned char *key;
	size_t keylen;
	size_t max_frame;
	/* Bytes of frames being received, over all connections, held from
	 * MGR_INTAKE_BUDGET (intake.c). */
	size_t intake_used;
	/* Stored bytes when the heap was last trimmed, or the most since:
	 * a big drop from it gives memory back to the system (server.c). */
	uint64_t trim_mark;
	uint64_t buf_freed;	/* bytes of large buffers freed since */
	uint64_t next_conn;
	uint64_t next_sub;
	/* No keepalive session can have expired before this (ms, 0 for
	 * none): the loop sweeps them then. */
	uint64_t ka_next;
	struct mgr_server_journal journal;
	/* Under --fsync always (server.c): the flushes that replies waited
	 * for so far, the time one takes (a moving average), and how many
	 * connections the last one answered have not been heard from since. */
	uint64_t flushes, flush_ns;
	size_t awaited;
	struct mgr_spin gather;
	/* The request being run, whose changes' events tell its own
	 * connection which request made them. */
	struct conn *cause;
	uint64_t cause_id;
	yajl_gen out;		/* an operation's result */
	yajl_gen gen;		/* the frame being built */
	struct mgr_buf path;	/* an event's path */
	struct srv_proto py;	/* all NULL when none is installed */
	/* The loop's reads and writes in batches (ring.h), once the loop
	 * runs; fd -1 for none, and no_ring when it is not to be tried. */
	struct ring ring;
	bool no_ring;
};

/* Watch h for the events in mask (EPOLLIN, EPOLLOUT).  0 or -errno. */
int srv_watch(struct mgr_server *srv, struct srv_handle *h, uint32_t mask);
void srv_unwatch(struct mgr_server *srv, struct srv_handle *h);
/* Watch h for mask, or take it out of the set when mask is 0; a failure
 * is logged. */
void srv_watch_or_not(struct mgr_server *srv, struct srv_handle *h, uint32_t mask);

/* The ring failed (err): the loop goes on with a system call for each
 * read and write. */
void srv_ring_lost(struct mgr_server *srv, int err);

/* FNV-1a over a subscription's path a byte at a time, so that matching
 * a change gets the hash of every prefix of its path on the way; the
 * final mix makes the low bits, which pick a bucket, depend on every
 * byte. */
#define SRV_HASH_INIT 2166136261u

static inline uint32_t srv_hash_step(uint32_t h, unsigned char c)
{
	return (h ^ c) * 16777619u;
}

static inline uint32_t srv_hash_final(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	return h;
}

/* Clear g for the next message. */
void srv_gen_reset(yajl_gen g);
/* A yajl_gen status as 0 or -EINVAL. */
int srv_gen_ok(yajl_gen_status s);

#endif
