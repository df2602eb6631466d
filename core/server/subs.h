/* Subscriptions: a client asks to hear of changes at a path (and below
 * it), and every change the store reports becomes an event frame to each
 * subscription that covers it. */
#ifndef MGR_SUBS_H
#define MGR_SUBS_H

#include "conn.h"
#include "engine.h"

/* The session-level ops "subscribe" and "unsubscribe" of c.  As an
 * engine operation: 0 with the result in call->out, or -errno with
 * mgr_call_err. */
int subs_subscribe(struct conn *c, struct mgr_call *call);
int subs_unsubscribe(struct conn *c, struct mgr_call *call);

/* The store's hook (arg is the server): every change goes to each
 * subscription that covers it.  Runs inside operations, so it only queues
 * output. */
void subs_hook(void *arg, struct mgr_obj *o, enum mgr_change what);

#endif
