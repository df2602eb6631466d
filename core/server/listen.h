/* Listening sockets for the server: a unix socket made safely (missing
 * directories private, no moment with loose permissions, a stale socket
 * replaced, a live manager left alone), or TCP sockets on every address
 * of a host. */
#ifndef MGR_LISTEN_H
#define MGR_LISTEN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>

struct mgr_listen_sock {
	int fd;			/* listening, non-blocking, close-on-exec */
	char *path;		/* unix: the socket file, absolute; else NULL */
	dev_t dev;		/* the file's identity, so that only the file */
	ino_t ino;		/* made here is ever removed */
	char name[160];		/* "unix:PATH" or "tcp:HOST:PORT" as bound */
};

/* Listen on a unix socket at path.  Missing directories are made with mode
 * 0700 and the socket gets mode 0600.  With private_dir the directory must
 * also be owned by this user and closed to others (-EACCES).  A socket a
 * manager answers on is -EADDRINUSE, a stale one is replaced, another kind
 * of file is -EEXIST.  0 and *out, or -errno with a message in err. */
int mgr_listen_unix(const char *path, bool private_dir, struct mgr_listen_sock *out,
		    char *err, size_t errlen);

/* Listen on every address host resolves to (NULL, "" or "*": every
 * interface) at port.  0 with *out a malloc'd array of *n sockets, or
 * -errno with a message in err and nothing left open. */
int mgr_listen_tcp(const char *host, const char *port, struct mgr_listen_sock **out,
		   size_t *n, char *err, size_t errlen);

/* Close s, and remove its socket file if it is still the one made. */
void mgr_listen_close(struct mgr_listen_sock *s);

/* A socket address as text: "192.0.2.1:80", "[2001:db8::1]:80". */
void mgr_sockaddr_name(const struct sockaddr *sa, socklen_t len, char *out, size_t outlen);

#endif
