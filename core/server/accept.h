/* Listeners: the server's listening sockets (made by listen.c), and each
 * connection they accept turned into a greeted connection. */
#ifndef MGR_ACCEPT_H
#define MGR_ACCEPT_H

#include <stdbool.h>

#include "addr.h"
#include "dlist.h"
#include "listen.h"
#include "srv.h"

struct listener {
	struct srv_handle h;
	struct mgr_dlist link;	/* in srv->listeners */
	bool auth;
	bool python;		/* srv->py's protocol, not mgrfs's */
	struct mgr_listen_sock s;
};

/* Listen on a (unix: or tcp:; TCP always asks for the key) as
 * mgr_server_listen says.  0, or -errno with a message in err. */
int listeners_open(struct mgr_server *srv, const struct mgr_addr *a, bool auth,
		   bool private_dir, bool python, char *err, size_t errlen);
/* Accept what l has waiting, a few at a time. */
void listener_accept(struct mgr_server *srv, struct listener *l);
/* Close every listener and remove its socket file. */
void listeners_close(struct mgr_server *srv);

#endif
