/* A Python client's connection (python-wire/SPEC.md §1, §2, §3.1): its
 * frames, the handshake both ways, then either one request answered and
 * the connection closed (the server functions), or accept_connection and
 * serve_client's loop, one request at a time; a request that waits stays
 * parked with the connection, which reads no further until it ends. */
#ifndef MGR_PYCONN_H
#define MGR_PYCONN_H

#include "pycall.h"

/* The hooks the server calls (srv.h, struct srv_proto); arg is the
 * struct pyserve. */
int pyconn_open(void *arg, struct conn *c, const char *listener);
void pyconn_read(struct conn *c);
void pyconn_turn(void *arg);

#endif
