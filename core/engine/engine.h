/* The object engine: the manager's state and everything that changes it.
 *
 * This room holds the store (the tree of named objects, store.h), one
 * module per type or family of types (value, list, array, dict and
 * namespace, queue, the synchronisation types in sync, with slice and
 * elem for what sequences and typed values share, content for a value's
 * bytes by range and stage for contents put in place at once), the
 * operations valid on every object (tree), the call record they all work
 * on (call.h) and the sessions, parked calls and holds (wait.h).  It includes the wire
 * room and nothing else: no sockets, no threads, no printing.  One thread
 * owns it (mgrd's loop); nothing here locks.
 *
 * This header is the way in: a request becomes a call and runs here. */
#ifndef MGR_ENGINE_H
#define MGR_ENGINE_H

#include "call.h"
#include "store.h"
#include "wait.h"

/* A store with an empty root namespace and the bookkeeping of parked
 * calls: what the server serves and the engine's tests run against.
 * NULL on ENOMEM.  Free with mgr_engine_free, which destroys every object
 * (cancelling their parked calls). */
struct mgr_store *mgr_engine_new(void);
void mgr_engine_free(struct mgr_store *s);

/* Run c: find the op, resolve "path", check the type, call it.  Returns as
 * the operation does; unknown op is -ENOSYS, wrong type -ENOTSUP, bad or
 * missing arguments -EINVAL, each with a message in c->err. */
int mgr_engine_exec(struct mgr_call *c);

#endif
