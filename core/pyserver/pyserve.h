/* The Python room's way in (python-wire/SPEC.md): mgrd speaks Python's
 * own manager protocol on its python+unix: and python+tcp: listeners, so
 * that an unmodified multiprocessing program reaches the same objects as
 * mgrctl and mgrfs (mgrfs(7), "Python clients"; mgrd(8)).
 *
 * The room, bottom up: pyconv, pykey, pyreg, pycall (pycall.h says what
 * each does), the methods of each kind of object (pyops*.c), pytypes (the
 * typeids and what create makes of them), pyserve (this: the server
 * functions and serve_client's dispatch) and pyconn (a connection:
 * frames, the handshake, one-shot and persistent connections). */
#ifndef MGR_PYSERVE_H
#define MGR_PYSERVE_H

#include <stddef.h>

#include "server.h"

/* Teach srv Python's protocol, with the key its clients must know
 * (copied): its listeners may then be opened with MGR_LISTEN_PYTHON.
 * Once per server (a second call only changes the key).  0, or -errno
 * with a message in err. */
int mgr_pyserve_attach(struct mgr_server *srv, const void *key, size_t keylen, char *err,
		       size_t errlen);

/* The default manager's Python key at path: read when it is there (and
 * private), else made (32 random bytes as 64 hex digits, mode 0600, no
 * newline) so that the next start finds the same.  0 and *key (malloc'd)
 * with *len, or -errno with a message in err. */
int mgr_pyserve_key_file(const char *path, char **key, size_t *len, char *err, size_t errlen);

#endif
