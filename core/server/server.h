/* The server room: the manager's side of every connection.  One thread,
 * one epoll loop, every connection a session on one store.  Requests are
 * decoded here, run by the engine (mgr_engine_exec), and answered in the
 * order they finish; subscriptions and the session-level ops (ping,
 * keepalive, cancel, subscribe, unsubscribe) live here too.  The room
 * builds on the wire and the engine, never on the client; srv.h lists its
 * modules.  See mgrfs(7) for the protocol and mgrd(8) for the program. */
#ifndef MGR_SERVER_H
#define MGR_SERVER_H

#include <stddef.h>

#include "addr.h"
#include "journal.h"
#include "store.h"

struct mgr_server;

struct mgr_server_opts {
	/* Largest frame a client may send once authenticated; 0 means
	 * MGR_FRAME_MAX, larger values are clamped to it. */
	size_t max_frame;
	/* Bytes of data the store may hold (see mgr_store_set_limit); 0 for
	 * no limit. */
	unsigned long long max_memory;
	/* The key listeners with MGR_LISTEN_AUTH ask for (copied), or NULL. */
	const void *authkey;
	size_t authkey_len;
	/* Read and write with a system call each, without trying io_uring
	 * (ring.h). */
	bool no_io_uring;
};

/* A server with an empty store and no listeners.  0 and *out, or -errno
 * with a message in err. */
int mgr_server_new(const struct mgr_server_opts *opts, struct mgr_server **out,
		   char *err, size_t errlen);
/* End every session (releasing what it held), write out what the peers
 * will take at once, close every descriptor (removing socket files of
 * listeners still open) and free the store.  NULL is fine. */
void mgr_server_free(struct mgr_server *srv);

void mgr_server_set_journal(struct mgr_server *srv, const struct mgr_server_journal *j);

/* The store the server serves; owned by the server. */
struct mgr_store *mgr_server_store(struct mgr_server *srv);

enum {
	/* Clients of this listener must answer the key challenge first.
	 * TCP listeners always do, and need a key. */
	MGR_LISTEN_AUTH = 1,
	/* The socket's directory belongs to mgrfs alone (the default
	 * socket's): it must be owned by this user and closed to others,
	 * else listening is refused. */
	MGR_LISTEN_PRIVATE_DIR = 2,
	/* Python's own manager protocol (python-wire/SPEC.md), served by
	 * core/pyserver once mgr_pyserve_attach installed it; always with
	 * the key. */
	MGR_LISTEN_PYTHON = 4,
};

/* Listen on a unix or TCP address (other kinds are -EINVAL).
 *
 * unix: missing directories are made with mode 0700 and the socket gets
 * mode 0600.  An existing socket file that a live manager answers on is
 * -EADDRINUSE ("already running"); a stale one is replaced; any other
 * file there is -EEXIST.  The socket file is removed when the server
 * stops, unless something else has replaced it meanwhile.
 *
 * tcp: every address HOST resolves to is bound (an empty HOST or "*" is
 * every interface); without a key this is -EINVAL.
 *
 * 0, or -errno with a message in err; nothing is left open on failure. */
int mgr_server_listen(struct mgr_server *srv, const struct mgr_addr *a, int flags,
		      char *err, size_t errlen);

/* Serve one session over in_fd (requests) and out_fd (replies), which may
 * be the same socket; the server owns them from now on and closes them,
 * on failure too.  It needs no key.  mgr_server_run returns once this
 * session ends. */
int mgr_server_serve_fds(struct mgr_server *srv, int in_fd, int out_fd,
			 char *err, size_t errlen);

/* Run the loop until mgr_server_stop is called or the session given to
 * mgr_server_serve_fds ends.  Listeners are then closed and their socket
 * files removed; sessions stay until mgr_server_free.  0, or -errno with a
 * message in err when the loop itself fails. */
int mgr_server_run(struct mgr_server *srv, char *err, size_t errlen);

/* Ask the loop to stop.  Async-signal-safe: it only writes to an
 * eventfd, so a SIGTERM handler may call it. */
void mgr_server_stop(struct mgr_server *srv);

#endif
