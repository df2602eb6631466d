/* The I/O thread's work on one link: reading and handling replies,
 * writing the output queue, the keepalive's chores; and, with
 * MGR_CLIENT_RECONNECT, taking a broken link down.  client.c runs the
 * thread and makes the new links. */
#ifndef MGR_THREAD_H
#define MGR_THREAD_H

#include <stdbool.h>

#include "cli.h"

/* Serve the link until it ends; returns why (-errno). */
int thread_serve(struct mgr_client *c);
/* The link broke (err): fail the calls in flight with -ENOTCONN, refuse
 * new ones, drop the old link and what was queued for it, and tell
 * on_link.  False when the client is closing instead, and the end is for
 * pending_lost. */
bool thread_link_down(struct mgr_client *c, int err);

#endif
