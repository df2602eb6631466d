/* Calls in flight: the table that matches replies to their calls by id,
 * a call's completion, and the end of the connection, which fails every
 * call still waiting. */
#ifndef MGR_PENDING_H
#define MGR_PENDING_H

#include "cli.h"

/* Record p under p->id.  0 or -ENOMEM.  Under c->lock. */
int pending_add(struct mgr_client *c, struct pending *p);
/* Take the call with id out of the table, or NULL.  Under c->lock. */
struct pending *pending_take(struct mgr_client *c, uint64_t id);
/* Empty the table into a list linked through next.  Under c->lock. */
struct pending *pending_take_all(struct mgr_client *c);
/* Complete p with reply r (which it then owns). */
void pending_complete(struct mgr_client *c, struct pending *p, struct mgr_reply *r);
/* The connection is over: every outstanding call fails with err and,
 * unless mgr_client_free asked for it, on_close runs.  Runs once. */
void pending_lost(struct mgr_client *c, int err);
/* A frame from the manager (taken over): a reply goes to its call, an
 * event to on_event. */
void pending_handle(struct mgr_client *c, yajl_val msg);

#endif
