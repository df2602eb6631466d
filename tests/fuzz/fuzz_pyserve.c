/* libFuzzer target: the manager's Python server (core/pyserver) as a
 * Python client meets it.  A real server with Python's protocol attached
 * gets one object of every SyncManager typeid made by create requests
 * (named python/dict-1, python/list-2 ... in that order, which the seeds
 * in tests/fuzz/pyserve/ use as idents), then the input, as the frames a
 * client sends on one connection: persistent (serve_client's requests)
 * when the first byte is even, else a first request that is a server
 * function.  Calls that wait are parked, every deadline then passes and
 * the loop's resume runs, and the server is freed with everything in it.
 * Built and run by tests/fuzz.sh. */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conn.h"
#include "engine.h"
#include "pycall.h"
#include "pyconn.h"
#include "pyenc.h"
#include "pyframe.h"
#include "pyserve.h"
#include "server.h"

#define INPUT_MAX ((size_t)64 << 10)

static const char *const typeids[] = {
	"dict", "list", "Namespace", "Value", "Array", "Queue", "JoinableQueue", "Lock", "RLock",
	"Semaphore", "BoundedSemaphore", "Condition", "Event", "Barrier",
};

/* A connection of srv over a socketpair, in state st; the peer's end in
 * *peer.  NULL when one cannot be had. */
static struct conn *connection(struct mgr_server *srv, enum pyconn_state st, int *peer)
{
	struct conn *c;
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) < 0)
		return NULL;
	if (conn_new(srv, sv[0], sv[0], true, "fuzz", &c) < 0) {
		close(sv[1]);
		return NULL;
	}
	if (pyconn_open(srv->py.arg, c, "unix:/fuzz") < 0) {
		conn_free(c);
		close(sv[1]);
		return NULL;
	}
	c->py->state = st;
	c->wbuf.len = 0;
	*peer = sv[1];
	return c;
}

/* Send bytes to c from its peer and let c read all of them. */
static void feed(struct conn *c, int peer, const void *p, size_t n)
{
	ssize_t w;

	while (n && !c->closing) {
		w = write(peer, p, n);
		if (w <= 0)
			break;
		p = (const char *)p + w;
		n -= (size_t)w;
		while (!c->closing && !c->in_eof) {
			size_t before = c->rbuf.len;
			char probe;

			pyconn_read(c);
			if (recv(c->in.fd, &probe, 1, MSG_PEEK | MSG_DONTWAIT) <= 0 &&
			    c->rbuf.len == before)
				break;
		}
		/* What it answered is thrown away. */
		c->wbuf.len = 0;
	}
}

/* create(typeid, *args) on a one-shot connection of its own. */
static void create(struct mgr_server *srv, const char *typeid)
{
	struct mgr_pyarena *a = mgr_pyarena_new();
	struct mgr_pyval *items[4], *args[3], *req;
	struct mgr_buf payload = MGR_BUF_INIT, frame = MGR_BUF_INIT;
	size_t nargs = 1;
	struct conn *c;
	int peer;

	if (!a)
		return;
	args[0] = mgr_pyval_cstr(a, typeid);
	if (!strcmp(typeid, "Value") || !strcmp(typeid, "Array")) {
		args[1] = mgr_pyval_cstr(a, "i");
		args[2] = !strcmp(typeid, "Value") ? mgr_pyval_int(a, 1) :
			  mgr_pyval_new(a, MGR_PYVAL_LIST, 0);
		if (args[2] && args[2]->kind == MGR_PYVAL_LIST)
			mgr_pyval_append(a, args[2], mgr_pyval_int(a, 7));
		nargs = 3;
	} else if (!strcmp(typeid, "Barrier")) {
		args[1] = mgr_pyval_int(a, 2);
		nargs = 2;
	}
	items[0] = mgr_pyval_none();
	items[1] = mgr_pyval_cstr(a, "create");
	items[2] = mgr_pyval_tuple(a, nargs, args);
	items[3] = mgr_pyval_new(a, MGR_PYVAL_DICT, 0);
	req = mgr_pyval_tuple(a, 4, items);
	if (req && mgr_pyenc_value(&payload, req) == 0 &&
	    mgr_pyframe_append(&frame, payload.data, payload.len) == 0 &&
	    (c = connection(srv, PYCONN_FIRST, &peer))) {
		feed(c, peer, frame.data, frame.len);
		close(peer);
	}
	mgr_buf_release(&payload);
	mgr_buf_release(&frame);
	mgr_pyarena_free(a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mgr_server_opts opts = { 0 };
	struct mgr_server *srv;
	struct conn *c;
	char err[256];
	size_t i;
	int peer;

	if (!size || size > INPUT_MAX)
		return 0;
	if (mgr_server_new(&opts, &srv, err, sizeof(err)) < 0)
		return 0;
	if (mgr_pyserve_attach(srv, "fuzzkeyfuzzkey", 14, err, sizeof(err)) < 0)
		goto out;
	for (i = 0; i < sizeof(typeids) / sizeof(typeids[0]); i++)
		create(srv, typeids[i]);
	c = connection(srv, data[0] & 1 ? PYCONN_FIRST : PYCONN_SERVE, &peer);
	if (!c)
		goto out;
	feed(c, peer, data + 1, size - 1);
	/* Every deadline passes; the parked calls are finished as the loop
	 * finishes them. */
	mgr_waits_expire(mgr_server_store(srv), UINT64_MAX);
	pyconn_turn(srv->py.arg);
	c->wbuf.len = 0;
	close(peer);
out:
	mgr_server_free(srv);
	return 0;
}
