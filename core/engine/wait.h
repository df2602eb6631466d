/* Sessions, parked calls and holds.
 *
 * A session is one client connection.  A call that must wait (a queue get on
 * an empty queue, a lock acquire) becomes a waiter: a small record linked
 * into the object it waits on, into its session and, when it has a
 * deadline, into a heap of deadlines.  No thread waits.  A hold records
 * that an owner within a session has a lock, RLock levels or semaphore
 * units, so that all of it goes back when the session ends. */
#ifndef MGR_WAIT_H
#define MGR_WAIT_H

#include <stdbool.h>
#include <stdint.h>
#include <yajl/yajl_gen.h>

#include "datum.h"
#include "dlist.h"

struct mgr_store;
struct mgr_obj;
struct mgr_call;
struct mgr_waits;

struct mgr_session {
	uint64_t id;
	struct mgr_dlist waiters;	/* struct mgr_waiter.sess_link */
	struct mgr_dlist holds;		/* struct mgr_hold.sess_link */
	/* Delivers the outcome of a parked call: err 0 with result (compact
	 * JSON text of the result value), or -errno with a message.  Set by
	 * whoever serves the session (the server, or a test). */
	void (*complete)(struct mgr_session *sess, uint64_t req_id, int err,
			 const char *msg, const char *result, size_t len);
	void *data;			/* the server's connection */
	/* Queue items handed out and not yet acknowledged (struct
	 * mgr_given.sess_link, oldest first).  Only a session that
	 * acknowledges what it reads (keepalive, see mgrfs(7)) sets
	 * keep_given; for the others an item is gone once handed out. */
	struct mgr_dlist given;
	bool keep_given;
	/* Contents being staged to replace values at once (struct
	 * mgr_stage.link, see stage.h), gone with the session. */
	struct mgr_dlist stages;
};

struct mgr_waiter;

/* Called when a wait ends before the type module completed it: reason is
 * -ETIMEDOUT (its deadline passed), -ECANCELED (the client cancelled it or
 * its session ended) or -ENOENT (the object is being destroyed).  The type
 * module undoes anything partial and either finishes the waiter
 * (mgr_waiter_done / mgr_waiter_fail) or parks it again. */
typedef void (*mgr_abort_fn)(struct mgr_store *s, struct mgr_waiter *w, int reason);

struct mgr_waiter {
	struct mgr_session *sess;
	uint64_t req_id;
	uint64_t owner;
	struct mgr_obj *obj;
	struct mgr_dlist obj_link;	/* in one of the object's wait queues */
	struct mgr_dlist sess_link;
	uint64_t deadline;		/* ms, monotonic; 0 for none */
	size_t heap_index;		/* position in the deadline heap */
	int kind;			/* type-specific */
	mgr_abort_fn abort;
	union {
		struct mgr_datum *item;	/* a queue put's item (owned) */
		int64_t n;
		uint64_t u;
	} arg;
	uint64_t arg2;			/* type-specific */
};

struct mgr_hold {
	struct mgr_obj *obj;
	struct mgr_session *sess;
	uint64_t owner;
	uint64_t count;			/* RLock levels, semaphore units, 1 */
	struct mgr_dlist obj_link;	/* in the object's list of holds */
	struct mgr_dlist sess_link;
};

/* A queue item handed to a session that keeps them, held until the client
 * acknowledges the frame that carried it, so that an item whose reply
 * died with the link can go back to its queue. */
struct mgr_given {
	struct mgr_store *store;	/* told when it goes (MGR_NOTE_GONE) */
	struct mgr_obj *obj;		/* the queue; NULL once it is deleted */
	struct mgr_session *sess;
	uint64_t req_id;		/* the get it answered */
	uint64_t seq;			/* the reply's frame number; 0 until sent */
	struct mgr_datum *item;		/* owned */
	struct mgr_dlist obj_link;	/* in the queue's list */
	struct mgr_dlist sess_link;
};

struct mgr_waits *mgr_waits_new(void);
void mgr_waits_free(struct mgr_waits *w);

void mgr_session_init(struct mgr_session *sess, uint64_t id);
/* The session ended: abort each of its waiters with -ECANCELED (no reply
 * goes out: complete is cleared first), put the items it was given and
 * did not acknowledge back at the heads of their queues, then drop each
 * hold through its type's drop_hold.  The last two may wake waiters of
 * other sessions. */
void mgr_session_end(struct mgr_store *s, struct mgr_session *sess);

/* The reply to req_id went out as the session's frame number seq: an item
 * it carries waits for that frame's acknowledgement. */
void mgr_session_sent(struct mgr_session *sess, uint64_t req_id, uint64_t seq);
/* The client has read every frame up to number seq: forget the items they
 * carried.  Items whose reply has not gone out yet stay. */
void mgr_session_ack(struct mgr_session *sess, uint64_t seq);
/* Unlink g from its session and queue and free it with its item. */
void mgr_given_free(struct mgr_given *g);

/* Park the call c on obj: a new waiter appended to queue (one of obj's
 * lists), to the session, and to the deadline heap when deadline != 0.
 * NULL on ENOMEM.  The caller returns MGR_PARKED. */
struct mgr_waiter *mgr_waiter_park(struct mgr_call *c, struct mgr_obj *obj,
				   struct mgr_dlist *queue, int kind,
				   uint64_t deadline, mgr_abort_fn abort);
/* Move a parked waiter to another of obj's queues (Condition: from waiting
 * for notify to waiting for the lock), optionally with a new deadline. */
void mgr_waiter_requeue(struct mgr_store *s, struct mgr_waiter *w,
			struct mgr_dlist *queue, uint64_t deadline);
/* A cleared generator for the waiter's result value. */
yajl_gen mgr_waiter_gen(struct mgr_store *s);
/* Finish w with the value in g (from mgr_waiter_gen), or with an error;
 * unlink it everywhere and free it (and arg.item if still set). */
void mgr_waiter_done(struct mgr_store *s, struct mgr_waiter *w, yajl_gen g);
void mgr_waiter_fail(struct mgr_store *s, struct mgr_waiter *w, int err, const char *msg);
/* Abort w with reason through its abort function. */
void mgr_waiter_abort(struct mgr_store *s, struct mgr_waiter *w, int reason);
/* Find a parked call of sess by request id, or NULL. */
struct mgr_waiter *mgr_waiter_find(struct mgr_session *sess, uint64_t req_id);

/* Abort with -ETIMEDOUT every waiter whose deadline is <= now. */
void mgr_waits_expire(struct mgr_store *s, uint64_t now);
/* Earliest deadline of any waiter, or 0 when none has one. */
uint64_t mgr_waits_next_deadline(struct mgr_store *s);

/* Holds of one object are kept in a list the type module owns. */
struct mgr_hold *mgr_hold_find(struct mgr_dlist *holds, const struct mgr_session *sess,
			       uint64_t owner);
/* A new hold with count 0, linked to the object's list and the session;
 * NULL on ENOMEM. */
struct mgr_hold *mgr_hold_new(struct mgr_dlist *holds, struct mgr_obj *obj,
			      struct mgr_session *sess, uint64_t owner);
void mgr_hold_free(struct mgr_hold *h);

/* Monotonic clock in milliseconds. */
uint64_t mgr_now_ms(void);

#endif
