#include "pyconn.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "pydec.h"
#include "pyframe.h"
#include "pysrv.h"

/* The largest request a Python client may send: the pickle decoder's own
 * bound on its input. */
#define REQUEST_MAX MGR_PYDEC_INPUT_MAX

static void pyconn_free(struct pyconn *pc)
{
	if (!pc)
		return;
	if (pc->pending)
		pycall_free(pc->pending);
	mgr_dlist_remove(&pc->resume_link);
	mgr_pyauth_server_release(&pc->auth);
	mgr_pyarena_free(pc->arena);
	free(pc);
}

/* The address a Token names, as the client gave it to its manager: a
 * path str for unix:PATH, a (host, port) tuple for tcp:HOST:PORT. */
static struct mgr_pyval *listener_address(struct mgr_pyarena *a, const char *name)
{
	struct mgr_pyval *items[2];
	const char *host, *colon;
	size_t hlen;

	if (!strncmp(name, "unix:", 5))
		return mgr_pyval_cstr(a, name + 5);
	host = strncmp(name, "tcp:", 4) ? name : name + 4;
	colon = strrchr(host, ':');
	if (!colon)
		return mgr_pyval_cstr(a, host);
	hlen = (size_t)(colon - host);
	if (hlen >= 2 && host[0] == '[' && host[hlen - 1] == ']') {
		host++;
		hlen -= 2;
	}
	items[0] = mgr_pyval_str(a, host, hlen);
	items[1] = mgr_pyval_int(a, strtoll(colon + 1, NULL, 10));
	return items[0] && items[1] ? mgr_pyval_tuple(a, 2, items) : NULL;
}

int pyconn_open(void *arg, struct conn *c, const char *listener)
{
	struct pyserve *ps = arg;
	struct pyconn *pc = calloc(1, sizeof(*pc));
	int r;

	if (!pc)
		return -ENOMEM;
	mgr_dlist_init(&pc->resume_link);
	pc->c = c;
	pc->ps = ps;
	pc->tcp = !strncmp(listener, "tcp:", 4);
	pc->arena = mgr_pyarena_new();
	pc->address = pc->arena ? listener_address(pc->arena, listener) : NULL;
	if (!pc->address) {
		pyconn_free(pc);
		return -ENOMEM;
	}
	r = mgr_pyauth_server_init(&pc->auth, ps->key, ps->keylen, false, &c->wbuf);
	if (r < 0) {
		pyconn_free(pc);
		return r;
	}
	c->py = pc;
	c->py_free = pyconn_free;
	c->sess.complete = pycall_complete;
	conn_queued(c, 0);
	return 0;
}

/* One request's frame: decode it and run it.  The connection's state
 * says what may come: the first request is a server function, or
 * accept_connection and then methods. */
static void request(struct pyconn *pc, const unsigned char *payload, size_t len)
{
	struct pycall *x = calloc(1, sizeof(*x));
	struct mgr_server *srv = pc->c->srv;
	struct mgr_pyval *req = NULL, *ident;
	const char *msg = NULL;
	char why[256];
	bool persistent = false;
	int r;

	if (!x || !(x->a = mgr_pyarena_new())) {
		free(x);
		conn_close(pc->c, MGR_LOG_ERROR, "out of memory for a Python request");
		return;
	}
	x->ps = pc->ps;
	x->pc = pc;
	r = mgr_pydec_decode(x->a, payload, len, NULL, &req, why, sizeof(why));
	if (r == 0 && (req->kind != MGR_PYVAL_TUPLE || req->u.seq.len != 4 ||
		       req->u.seq.items[1]->kind != MGR_PYVAL_STR ||
		       req->u.seq.items[2]->kind != MGR_PYVAL_TUPLE ||
		       req->u.seq.items[3]->kind != MGR_PYVAL_DICT)) {
		snprintf(why, sizeof(why), "a request is (ident, name, args tuple, kwds dict)");
		r = -EBADMSG;
	}
	if (r < 0) {
		/* The frame was whole: the loop goes on, as CPython's. */
		pycall_traceback(x, r == -ENOMEM ? "MemoryError" : "pickle.UnpicklingError",
				 "%s", why);
		if (pc->state == PYCONN_FIRST)
			pc->state = PYCONN_DONE;
		pycall_free(x);
		return;
	}
	ident = req->u.seq.items[0];
	x->method = (const char *)req->u.seq.items[1]->u.s.data;
	x->args = req->u.seq.items[2];
	x->kwds = req->u.seq.items[3];
	/* As a native request: a data directory with no room to journal
	 * what it may change refuses it before it changes anything.  Its
	 * reply, as every reply, goes out after the round's commit. */
	if (srv->journal.admit && srv->journal.admit(srv->journal.arg, x->method, len, &msg) < 0) {
		pycall_traceback(x, "OSError", "[Errno %d] %s", ENOSPC, msg);
		if (pc->state == PYCONN_FIRST)
			pc->state = PYCONN_DONE;
		pycall_free(x);
		return;
	}
	if (pc->state == PYCONN_FIRST) {
		if (ident->kind != MGR_PYVAL_NONE)
			pycall_traceback(x, "AssertionError",
					 "a connection starts with a server function, ident None");
		else
			pysrv_function(x, &persistent);
		pc->state = persistent ? PYCONN_SERVE : PYCONN_DONE;
		pycall_free(x);
		return;
	}
	r = pysrv_method(x, ident);
	if (r == PYCALL_PARKED)
		return;
	if (!x->replied)
		pycall_traceback(x, "SystemError", "mgrd gave no answer to %s", x->method);
	pycall_free(x);
}

/* Serve the complete frames in c's read buffer, until one parks. */
static void frames(struct conn *c)
{
	static struct mgr_log_limit limit;
	struct pyconn *pc = c->py;
	const unsigned char *payload;
	const char *why;
	size_t off = 0, plen, used;
	uint64_t max;
	int r;

	while (!c->closing && !pc->pending && pc->state != PYCONN_DONE) {
		max = pc->state == PYCONN_AUTH ? MGR_PYFRAME_HANDSHAKE_MAX : REQUEST_MAX;
		r = mgr_pyframe_next(c->rbuf.data + off, c->rbuf.len - off, max, &payload, &plen,
				     &used);
		if (r == 0)
			break;
		if (r < 0) {
			conn_close(c, MGR_LOG_INFO, r == -EMSGSIZE ?
				   "a Python frame over the size limit" : "a malformed Python frame");
			break;
		}
		off += used;
		if (pc->state == PYCONN_AUTH) {
			r = mgr_pyauth_server_feed(&pc->auth, payload, plen, &c->wbuf);
			conn_queued(c, r < 0 && r != -EACCES && r != -EPROTO ? r : 0);
			if (r == 1) {
				pc->state = PYCONN_FIRST;
				mgr_pyauth_server_release(&pc->auth);
				c->authed = true;
				conn_preauth_leave(c);
			} else if (r < 0) {
				why = r == -EACCES ? "failed the authkey challenge" :
				      "broke the handshake";
				mgr_log_limited(&limit, MGR_LOG_WARN, "authentication failed from %s: a Python client %s",
						c->peer, why);
				conn_close(c, MGR_LOG_DEBUG, why);
			}
			continue;
		}
		request(pc, payload, plen);
		conn_close_overflowed(c->srv);
	}
	if (c->closing)
		c->rbuf.len = 0;
	else
		mgr_buf_consume(&c->rbuf, off);
	/* A one-shot connection is answered: it ends once that is out. */
	if (pc->state == PYCONN_DONE && !c->closing)
		conn_close(c, MGR_LOG_DEBUG, "one-shot request answered");
	if (c->rbuf.len == 0 && c->rbuf.cap > CONN_READ_CHUNK * 4)
		mgr_buf_release(&c->rbuf);
}

void pyconn_read(struct conn *c)
{
	size_t want = CONN_READ_CHUNK, rest, hdr = MGR_PYFRAME_HDR_SMALL;

	/* The rest of a large frame is read in larger steps. */
	if (!c->closing && c->rbuf.len >= hdr) {
		const unsigned char *p = (const unsigned char *)c->rbuf.data;
		uint64_t flen = ((uint64_t)p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3];

		if (flen < REQUEST_MAX && hdr + flen > c->rbuf.len) {
			rest = hdr + flen - c->rbuf.len;
			if (rest > want)
				want = rest < CONN_READ_MAX ? rest : CONN_READ_MAX;
		}
	}
	if (!conn_read(c, want))
		return;
	/* A client waits for each answer; one that keeps sending while its
	 * call waits is not one, and is not buffered without end. */
	if (c->py->pending && c->rbuf.len > REQUEST_MAX + MGR_PYFRAME_HDR_LARGE) {
		conn_close(c, MGR_LOG_INFO, "a Python client sent too much while its call waited");
		return;
	}
	/* CPython's client writes its handshake answers and requests in
	 * small pieces, and Nagle holds back each second piece until the
	 * first is acknowledged: acknowledge at once (the kernel leaves
	 * quick-ack mode by itself, so it is asked for after each read). */
	if (c->py->tcp) {
		int one = 1;

		setsockopt(c->in.fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one));
	}
	frames(c);
}

void pyconn_turn(void *arg)
{
	struct pyserve *ps = arg;
	struct pyconn *pc;

	while ((pc = mgr_dlist_first(&ps->resume, struct pyconn, resume_link))) {
		mgr_dlist_remove(&pc->resume_link);
		if (pc->pending && pc->pending->answered)
			pycall_finish(pc->pending);
		conn_touch(pc->c);
		/* What the client sent meanwhile is served now. */
		if (!pc->pending && !pc->c->closing)
			frames(pc->c);
	}
}
