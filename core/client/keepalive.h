/* Keepalive (see mgrfs(7)): whoever reads also acknowledges the frames
 * read, pings when the link has been quiet, and gives up on a manager
 * silent for MGR_KEEPALIVE_MISSES intervals. */
#ifndef MGR_KEEPALIVE_H
#define MGR_KEEPALIVE_H

#include "cli.h"

/* {"ack":N}: every frame read so far has arrived.  By the reader. */
int ka_send_ack(struct mgr_client *c);
/* {"ack":N} from any thread (with a generator of its own), as the last
 * frame before mgr_client_free closes a link that is still up: a clean
 * end acknowledges what was read. */
int ka_send_last_ack(struct mgr_client *c);
/* The reader's keepalive chores: acknowledge what was read, ping when
 * nothing has been sent, or nothing received, for an interval, and give
 * up after MGR_KEEPALIVE_MISSES intervals of silence.  Sets c->ka_due to
 * when this is next needed.  0, or -errno when the link is dead. */
int ka_duty(struct mgr_client *c);

#endif
