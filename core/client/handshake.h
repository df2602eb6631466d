/* The handshake: the manager's hello and, when it asks, the key exchange
 * in both directions (see mgrfs(7)). */
#ifndef MGR_HANDSHAKE_H
#define MGR_HANDSHAKE_H

#include "cli.h"

/* Take the manager's hello within hello_ms and, when it asks,
 * authenticate.  Given a key, insist: a manager that does not ask for it
 * is refused with -EACCES before anything is sent.  0, or -errno with a
 * message in *msg (malloc'd). */
int handshake_run(struct mgr_client *c, const struct mgr_client_opts *opts,
		  const char *name, unsigned hello_ms, char **msg);

#endif
