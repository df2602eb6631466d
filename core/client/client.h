/* The client room: what a program needs to be a manager's client, and
 * nothing of the manager itself.  It builds on the wire room alone
 * (addresses, frames, JSON, authentication), so that mgrctl, mgrfs and
 * any other client link the wire and this room only.  This header is the
 * room's public face; cli.h lists the modules behind it.
 *
 * libmgr's client: one connection to a manager, many calls in flight.
 *
 * Without MGR_CLIENT_THREAD the client is driven by whoever calls it: a
 * blocking call reads replies until its own arrives, running callbacks of
 * other calls and events as they come (mgrctl, the benchmark).  With
 * MGR_CLIENT_THREAD an I/O thread reads and runs callbacks, and any thread
 * may call (mgrfs).
 *
 * With a keepalive interval S the client asks the manager to end the
 * session after 3*S seconds of silence, pings it so that it never has to,
 * acknowledges the frames it reads (queue items lost with the link go back
 * to their queues) and itself gives up on a link silent for 3*S seconds.
 * With MGR_CLIENT_RECONNECT the I/O thread then connects again. */
#ifndef MGR_CLIENT_H
#define MGR_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

struct mgr_client;

struct mgr_reply {
	int err;		/* 0, or -errno named by the reply's "error" */
	const char *message;	/* the error's message, or NULL */
	yajl_val result;	/* the "result" member on success */
	yajl_val msg;		/* the whole reply; owned by the reply */
};

/* Free what a reply owns (NULL-safe on a zeroed reply). */
void mgr_reply_release(struct mgr_reply *r);

enum {
	MGR_CLIENT_THREAD = 1,
	/* With MGR_CLIENT_THREAD: when the link breaks (an error, the end of
	 * the stream, or the keepalive's silence), the calls in flight fail
	 * with -ENOTCONN, and so does every new call at once while the link
	 * is down; the I/O thread connects to the same address again (hello,
	 * authentication, keepalive) after 0.1 s, then at intervals doubling
	 * to 5 s, until it succeeds or mgr_client_free.  on_link hears both
	 * ends of the outage; on_close never runs. */
	MGR_CLIENT_RECONNECT = 2,
	/* With MGR_CLIENT_RECONNECT: a call made while the link is down
	 * waits until it is back instead of failing with -ENOTCONN. */
	MGR_CLIENT_WAIT_LINK = 4,
	/* Without the I/O thread: callbacks and events run only inside
	 * mgr_client_dispatch and mgr_client_call, never inside
	 * mgr_client_call_async or mgr_client_cancel, so that an event loop
	 * may send while it holds locks its callbacks take.  Such a loop
	 * calls mgr_client_dispatch after each batch of sends: a reply read
	 * while a request was written waits in the client, not the socket. */
	MGR_CLIENT_DEFER = 8,
};

struct mgr_client_opts {
	int flags;
	/* The key the manager must prove it holds (one that does not ask
	 * for it is refused), or NULL for a manager without a key. */
	const void *authkey;
	size_t authkey_len;
	const struct mgr_ssh_opts *ssh;	/* for ssh: addresses; NULL: defaults */
	/* A change notification ({"event": ...}); the tree is freed after. */
	void (*on_event)(void *arg, yajl_val event);
	/* The connection ended; err is -errno (-ECONNRESET, -EPIPE, ...).
	 * Runs once, after the calls in flight have failed; not when
	 * mgr_client_free closes the connection. */
	void (*on_close)(void *arg, int err);
	/* With MGR_CLIENT_RECONNECT, on the I/O thread: err < 0 (-ETIMEDOUT
	 * for a silent link, -ECONNRESET, -EPIPE, ...) when the link went
	 * down, after the calls in flight failed; 0 when it is back.  Back
	 * is a new session: its subscriptions, holds and parked calls are
	 * gone, and the callback may subscribe again with
	 * mgr_client_call_async (mgr_client_call would be -EDEADLK). */
	void (*on_link)(void *arg, int err);
	void *arg;
	/* Keepalive interval in seconds, 1 to 3600, or 0 for none. */
	unsigned keepalive;
};

/* Connect to addr ("unix:PATH", "tcp:HOST:PORT", "exec:COMMAND", or NULL
 * for the default socket) and complete the hello, when asked the
 * authentication, and the keepalive request.  0 and *out, or -errno and a
 * message in *err that the caller frees.  The key is copied when
 * MGR_CLIENT_RECONNECT needs it again, else not kept. */
int mgr_client_connect(const char *addr, const struct mgr_client_opts *opts,
		       struct mgr_client **out, char **err);
/* Close the connection: calls still in flight fail with -ECONNABORTED,
 * and so do calls waiting for the link (MGR_CLIENT_WAIT_LINK). */
void mgr_client_free(struct mgr_client *c);

/* A request under construction: an open JSON object with "op" and, when
 * path is not NULL, "path".  Add members to r->g (mgr_json_kv_* from
 * json.h); the client adds "id" and closes it. */
struct mgr_req {
	yajl_gen g;
};
int mgr_req_init(struct mgr_req *r, const char *op, const char *path);
void mgr_req_release(struct mgr_req *r);

/* Send r and wait for its reply.  Returns 0 with the reply in *out (its err
 * may be non-zero: that is the manager's answer), or -errno when the
 * connection failed.  The caller releases *out.  Without MGR_CLIENT_THREAD
 * other calls' callbacks and events may run inside it; with it, a callback
 * (on the I/O thread) gets -EDEADLK. */
int mgr_client_call(struct mgr_client *c, struct mgr_req *r, struct mgr_reply *out);

/* Called once per async call with its reply (or a connection error in
 * reply->err).  The reply is released after the callback returns unless
 * the callback takes it over by zeroing reply->msg. */
typedef void (*mgr_reply_fn)(void *arg, struct mgr_reply *reply);

/* Send r; cb runs later (on the I/O thread with MGR_CLIENT_THREAD), or
 * never when it is NULL (the reply is dropped).  The request id is stored
 * in *id, when id is not NULL, before the request is sent.  0 or -errno;
 * on -errno cb never runs. */
int mgr_client_call_async(struct mgr_client *c, struct mgr_req *r,
			  mgr_reply_fn cb, void *arg, uint64_t *id);
/* Ask the manager to cancel call id; its reply then comes with -ECANCELED
 * unless it had already been answered. */
int mgr_client_cancel(struct mgr_client *c, uint64_t id);

/* Without MGR_CLIENT_THREAD: the descriptor to poll, and a call that reads
 * what is available and runs callbacks, never blocking.  0 or -errno.
 * With a keepalive the caller's poll must also end after
 * mgr_client_timeout milliseconds (-1: no limit), and dispatch then pings
 * or declares the link dead (-ETIMEDOUT). */
int mgr_client_fd(const struct mgr_client *c);
int mgr_client_dispatch(struct mgr_client *c);
/* Without MGR_CLIENT_THREAD: whether bytes read while sending wait in the
 * client, where polling the descriptor would not find them. */
bool mgr_client_pending(const struct mgr_client *c);
int mgr_client_timeout(const struct mgr_client *c);

#endif
