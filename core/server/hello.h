/* The greeting: a connection starts with the manager's hello, which
 * asks listeners' clients for the key; the client's one frame before
 * authentication is its response, checked here, and the manager's own
 * response proves to the client that it holds the key too (see
 * mgrfs(7)). */
#ifndef MGR_HELLO_H
#define MGR_HELLO_H

#include <stdbool.h>
#include <yajl/yajl_tree.h>

#include "conn.h"

/* A connection over in_fd and out_fd (taken over, closed on failure too),
 * greeted with the hello, with a challenge when auth.  0 and *out, or
 * -errno. */
int hello_open(struct mgr_server *srv, int in_fd, int out_fd, bool auth, const char *peer,
	       struct conn **out);

/* The one message expected before authentication (msg is NULL when the
 * frame was not even a JSON object): authenticates c, or closes it. */
void hello_auth(struct conn *c, yajl_val msg);

#endif
