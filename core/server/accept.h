/* Listeners: the server's listening sockets (made by listen.c), and each
 * connection they accept turned into a greeted connection.
 * mgr_server_listen (server.h) is defined here. */
#ifndef MGR_ACCEPT_H
#define MGR_ACCEPT_H

#include <stdbool.h>

#include "dlist.h"
#include "listen.h"
#include "srv.h"

struct listener {
	struct srv_handle h;
	struct mgr_dlist link;	/* in srv->listeners */
	bool auth;
	struct mgr_listen_sock s;
};

/* Accept what l has waiting, a few at a time. */
void listener_accept(struct mgr_server *srv, struct listener *l);
/* Close every listener and remove its socket file. */
void listeners_close(struct mgr_server *srv);

#endif
