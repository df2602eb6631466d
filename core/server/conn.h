/* A connection: one client's session, its buffers and its place in the
 * epoll set; the replies and events queued for it, written out as the
 * peer takes them; its subscriptions; and its life from opening to being
 * freed.  What it reads is for intake.c. */
#ifndef MGR_CONN_H
#define MGR_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <yajl/yajl_gen.h>

#include "auth.h"
#include "buf.h"
#include "dlist.h"
#include "log.h"
#include "srv.h"

/* A buffer that grew for one large message is given back when empty. */
#define CONN_BUF_KEEP ((size_t)1 << 20)
/* A read asks for CONN_READ_CHUNK bytes, and for the rest of a large
 * frame up to CONN_READ_MAX at once. */
#define CONN_READ_CHUNK ((size_t)64 << 10)
#define CONN_READ_MAX ((size_t)4 << 20)

/* A connection's life: it serves requests until it is closing (end of
 * file, an error, a protocol violation); then its session has ended and
 * it only writes out what was queued, and reads and drops input until the
 * peer hangs up.  Once both directions are done it is dead, and freed
 * after the current batch of events, which may still point at it. */
struct conn {
	struct srv_handle in, out;	/* out is unused when one_fd */
	struct mgr_dlist link;	/* in srv->conns, or srv->dead once dead */
	struct mgr_dlist touch_link;
	struct mgr_dlist preauth_link;	/* in srv->preauth until authenticated */
	struct mgr_server *srv;
	struct mgr_session sess;
	struct mgr_dlist subs;	/* struct conn_sub.conn_link */
	size_t nsubs;
	struct mgr_buf rbuf, wbuf;
	int in_flags, out_flags; /* file flags to restore at the end, or -1 */
	bool one_fd;
	bool is_socket;
	bool last;		/* the loop ends with this session */
	bool authed;
	bool closing;
	bool overflow;		/* cut off from inside a callback; close soon */
	bool in_eof;
	bool out_done;
	bool dead;
	/* The loop's ring (ring.h) read this connection's input ahead of
	 * its turn: what the read returned, bytes or -errno, which
	 * conn_read takes; and a write's failure, which conn_settle_all
	 * acts on. */
	bool ahead;
	ssize_t ahead_n;
	int write_err;
	/* The client has sent an acknowledgement: it acknowledges what it
	 * reads, and what it did not acknowledge when its session ends, by
	 * any end, goes back to its queue (see intake.c). */
	bool acking;
	/* Flushes of the journal (srv->flushes) for gather() in server.c:
	 * the one its last input came before, and the one that answered it
	 * while it has not been heard from since (else 0). */
	uint64_t heard_by, served_by;
	uint64_t frames_out;	/* frames queued so far, hello included */
	uint64_t ka_ms;		/* keepalive: silence that ends it, or 0 */
	uint64_t last_recv;	/* keepalive: ms when input last came */
	uint64_t hello_by;	/* ms by which it must have authenticated */
	size_t intake_held;	/* bytes of srv->intake_used that are its */
	char challenge[MGR_CHALLENGE_HEX + 1];
	char peer[128];
	/* A connection from a Python listener: its own state (pycall.h),
	 * freed with it by py_free; NULL for mgrfs's protocol. */
	struct pyconn *py;
	void (*py_free)(struct pyconn *py);
};

/* A subscription: changes at path (and below it when recursive) go to
 * the connection as events (subs.c). */
struct conn_sub {
	struct mgr_dlist conn_link;
	struct mgr_dlist srv_link;
	struct conn *c;
	uint64_t id;
	bool recursive;
	uint32_t hash;		/* of path, by srv_hash_step */
	size_t len;
	char path[];		/* canonical escaped form, "" for the root */
};

/* A connection over in_fd and out_fd (the same for a socket), owned from
 * here on: closed on failure too.  Not yet greeted (hello.c does that)
 * nor watched (conn_settle does). */
int conn_new(struct mgr_server *srv, int in_fd, int out_fd, bool auth, const char *peer,
	     struct conn **out);

/* Queue the message in g (which is reset whatever happens).  This runs
 * inside operations too (a parked call completing, an event), where the
 * connection must not be closed: a client over its output limit is only
 * marked, and settled later from the loop.  -EMSGSIZE when the message is
 * over the frame limit, so that the caller can answer with an error. */
int conn_send(struct conn *c, yajl_gen g);
/* For writers of frames other than JSON ones (Python's): whether c takes
 * output now, and, after appending a frame to c->wbuf (r 0) or failing
 * to (r -ENOMEM), the accounting conn_send does for its own. */
bool conn_takes_output(const struct conn *c);
void conn_queued(struct conn *c, int r);
/* {"id":N or null,"error":"ENAME","message":msg} */
void conn_reply_error(struct conn *c, const uint64_t *id, int err, const char *msg);
/* {"id":N,"result":<result>} with result already JSON text. */
void conn_reply_result(struct conn *c, uint64_t id, const char *result, size_t len);

/* Read what c's peer sent, up to want bytes more, into c->rbuf: the
 * number read, or 0 when there is nothing to serve (nothing came yet, or
 * the read failed, or the peer closed, or c is closing: c is then closed
 * or failed as it must be). */
size_t conn_read(struct conn *c, size_t want);

/* Something happened to c: flush and settle it in this turn of the loop. */
void conn_touch(struct conn *c);
/* c sent something (or is gone); its replies waited for the flush
 * just made: see gather() in server.c. */
void conn_heard(struct conn *c);
void conn_served(struct conn *c);
/* Stop serving c: end its session, which cancels its parked calls and
 * gives what it held to the next waiters.  Never called from inside an
 * operation, where the store is in the middle of a change. */
void conn_close(struct conn *c, enum mgr_log_level level, const char *why);
/* Close with nothing more to read or write: the descriptor is broken. */
void conn_fail(struct conn *c, enum mgr_log_level level, const char *why);
/* How loudly to log a broken link of c. */
enum mgr_log_level conn_link_level(const struct conn *c);
/* c has authenticated, or is closing: it no longer counts against
 * MGR_PREAUTH_MAX nor has a handshake deadline. */
void conn_preauth_leave(struct conn *c);
/* c's frame in transit now takes bytes of MGR_INTAKE_BUDGET (0: none):
 * -ENOMEM, and nothing changes, when the budget cannot give them. */
int conn_intake_hold(struct conn *c, size_t bytes);
/* Take c out of service at once: it is freed with the dead. */
void conn_kill(struct conn *c);
void conn_free(struct conn *c);
/* Write out what c's peer takes now. */
void conn_flush(struct conn *c);

/* End the sessions of connections cut off for not reading, as soon as
 * the operation that overflowed them is over: their parked calls must not
 * take more (a queue item, a lock) that they would never see. */
void conn_close_overflowed(struct mgr_server *srv);
/* Flush and settle every touched connection. */
void conn_settle_all(struct mgr_server *srv);
/* Free the connections that died in this turn of the loop. */
void conn_free_dead(struct mgr_server *srv);

/* Subscribe c to path (canonical, len bytes): 0 and *out, -ENOSPC when
 * c has MGR_SUBS_MAX already, or -ENOMEM. */
int conn_sub_add(struct conn *c, const char *path, size_t len, bool recursive,
		 struct conn_sub **out);
/* The list of subscriptions whose path hashes to hash, or NULL when there
 * are none at all. */
struct mgr_dlist *conn_sub_bucket(struct mgr_server *srv, uint32_t hash);
/* Drop c's subscription id; -ENOENT when it has none such. */
int conn_sub_remove(struct conn *c, uint64_t id);
/* Drop all of c's subscriptions. */
void conn_subs_drop(struct conn *c);

#endif
