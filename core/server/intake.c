#include "intake.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "frame.h"
#include "hello.h"
#include "json.h"
#include "subs.h"

static int op_ping(struct conn *c, struct mgr_call *call)
{
	return mgr_json_gen_cstr(call->out, "pong");
}

static int op_keepalive(struct conn *c, struct mgr_call *call)
{
	struct mgr_server *srv = c->srv;
	uint64_t s, expiry;

	if (mgr_json_get_u64(call->args, "interval", &s) < 0 || s < 1 || s > MGR_KEEPALIVE_MAX)
		return mgr_call_err(call, -EINVAL,
				    "keepalive needs \"interval\", whole seconds from 1 to %d",
				    MGR_KEEPALIVE_MAX);
	c->ka_ms = s * 1000 * MGR_KEEPALIVE_MISSES;
	c->last_recv = call->now;
	expiry = c->last_recv + c->ka_ms;
	if (!srv->ka_next || expiry < srv->ka_next)
		srv->ka_next = expiry;
	mgr_log(MGR_LOG_DEBUG, "connection %llu (%s): keepalive every %llu s",
		(unsigned long long)c->sess.id, c->peer, (unsigned long long)s);
	return srv_gen_ok(yajl_gen_bool(call->out, 1));
}

static int op_cancel(struct conn *c, struct mgr_call *call)
{
	struct mgr_waiter *w;
	uint64_t target;

	if (mgr_json_get_u64(call->args, "target", &target) < 0)
		return mgr_call_err(call, -EINVAL,
				    "cancel needs \"target\", the id of a parked call");
	w = mgr_waiter_find(&c->sess, target);
	/* The cancelled call's own reply (ECANCELED) goes out first. */
	if (w)
		mgr_waiter_abort(call->store, w, -ECANCELED);
	return srv_gen_ok(yajl_gen_bool(call->out, w != NULL));
}

/* A consistent copy of the whole store, written by the manager to "file"
 * (an absolute path on its host). */
static int op_snapshot(struct conn *c, struct mgr_call *call)
{
	struct mgr_server *srv = c->srv;
	const char *file;
	int r;

	if (mgr_json_get_str(call->args, "file", &file) < 0)
		return mgr_call_err(call, -EINVAL, "snapshot needs \"file\", an absolute path");
	if (!srv->journal.snapshot)
		return mgr_call_err(call, -ENOTSUP, "this manager cannot write snapshots");
	r = srv->journal.snapshot(srv->journal.arg, file, call->errbuf, sizeof(call->errbuf));
	if (r < 0) {
		call->err = call->errbuf;
		return r;
	}
	return srv_gen_ok(yajl_gen_bool(call->out, 1));
}

/* Operations on the session rather than on an object. */
static const struct {
	const char *name;
	int (*fn)(struct conn *c, struct mgr_call *call);
} server_ops[] = {
	{ "ping", op_ping },
	{ "keepalive", op_keepalive },
	{ "cancel", op_cancel },
	{ "subscribe", subs_subscribe },
	{ "unsubscribe", subs_unsubscribe },
	{ "snapshot", op_snapshot },
};

static void request(struct conn *c, yajl_val msg, size_t size)
{
	struct mgr_server *srv = c->srv;
	const unsigned char *res;
	struct mgr_call call;
	const char *op = "";
	size_t i, len;
	uint64_t id, seq;
	yajl_val ack;
	int r;

	/* "ack":N, alone ({"ack":N}, one-way) or in a request: the client
	 * has read our first N frames, and will say so of what it reads
	 * from now on. */
	ack = mgr_json_get(msg, "ack");
	r = mgr_json_get_u64(msg, "id", &id);
	if (ack && mgr_json_get_u64(msg, "ack", &seq) < 0) {
		conn_reply_error(c, r == 0 ? &id : NULL, -EINVAL,
				 "\"ack\" must be an unsigned integer");
		return;
	}
	if (ack) {
		c->acking = true;
		mgr_session_ack(&c->sess, seq);
		if (r == -ENOENT)
			return;
	}
	if (r < 0) {
		conn_reply_error(c, NULL, -EINVAL, r == -ENOENT ? "a request needs an \"id\"" :
			    "\"id\" must be an unsigned integer");
		return;
	}
	memset(&call, 0, sizeof(call));
	call.store = srv->store;
	call.sess = &c->sess;
	call.id = id;
	call.now = mgr_now_ms();
	call.args = msg;
	call.size = size;
	call.out = srv->out;
	srv_gen_reset(srv->out);
	/* A missing or mistyped "op" is for mgr_engine_exec to report. */
	mgr_json_get_str(msg, "op", &op);
	for (i = 0; i < sizeof(server_ops) / sizeof(server_ops[0]); i++)
		if (strcmp(op, server_ops[i].name) == 0)
			break;
	if (i < sizeof(server_ops) / sizeof(server_ops[0])) {
		r = server_ops[i].fn(c, &call);
	} else if (srv->journal.admit && (r = srv->journal.admit(srv->journal.arg, op, size, &call.err)) < 0) {
		;
	} else {
		srv->cause = c;
		srv->cause_id = id;
		r = mgr_engine_exec(&call);
		srv->cause = NULL;
	}
	if (r == MGR_PARKED)
		goto out;
	if (r < 0) {
		conn_reply_error(c, &id, r, call.err ? call.err : strerror(-r));
		goto out;
	}
	yajl_gen_get_buf(srv->out, &res, &len);
	conn_reply_result(c, id, (const char *)res, len);
out:
	srv_gen_reset(srv->out);
}

static void frame(struct conn *c, const char *payload, size_t plen)
{
	char why[256];
	yajl_val msg;
	uint64_t id;
	int r;

	r = mgr_frame_decode(payload, plen, &msg, why, sizeof(why));
	if (!c->authed)
		hello_auth(c, r < 0 ? NULL : msg);
	else if (r == -EINVAL && mgr_frame_id(payload, plen, &id) == 0)
		/* A request refused for what it holds: its client waits for
		 * the answer under its id. */
		conn_reply_error(c, &id, r, why);
	else if (r < 0)
		conn_reply_error(c, NULL, r, why);
	else
		request(c, msg, plen);
	if (r == 0)
		yajl_tree_free(msg);
}

/* A frame larger than one read holds its size of MGR_INTAKE_BUDGET
 * while it comes in, so that connections sending large frames at once
 * cannot make the manager hold more than the budget for them.  One that
 * the budget cannot take is refused, and its connection closed, since
 * the stream cannot go on without reading it. */
static void hold_budget(struct conn *c)
{
	static struct mgr_log_limit limit;
	size_t need = 0;
	char why[200];

	if (!c->closing && c->rbuf.len >= MGR_FRAME_HDR &&
	    mgr_frame_len(c->rbuf.data) > CONN_READ_CHUNK)
		need = MGR_FRAME_HDR + mgr_frame_len(c->rbuf.data);
	if (conn_intake_hold(c, need) == 0)
		return;
	snprintf(why, sizeof(why), "a frame of %zu bytes does not fit in what is left of the %zu MiB for requests in transit; try again",
		 need - MGR_FRAME_HDR, MGR_INTAKE_BUDGET >> 20);
	mgr_log_limited(&limit, MGR_LOG_WARN, "connection %llu (%s) closed: %s",
			(unsigned long long)c->sess.id, c->peer, why);
	conn_reply_error(c, NULL, -ENOMEM, why);
	conn_close(c, MGR_LOG_DEBUG, why);
	c->rbuf.len = 0;
}

/* Run every complete frame in the read buffer. */
static void intake_frames(struct conn *c)
{
	size_t off = 0, plen, used, max;
	const char *payload;
	char why[160];
	int r;

	while (!c->closing) {
		max = c->authed ? c->srv->max_frame : MGR_PREAUTH_FRAME_MAX;
		r = mgr_frame_next(c->rbuf.data + off, c->rbuf.len - off, max,
				   &payload, &plen, &used);
		if (r == 0)
			break;
		if (r < 0) {
			/* After a bad length nothing that follows can be
			 * trusted to be a frame boundary. */
			snprintf(why, sizeof(why), "a frame of %zu bytes is outside 1..%zu",
				 mgr_frame_len(c->rbuf.data + off), max);
			conn_reply_error(c, NULL, -EMSGSIZE, why);
			conn_close(c, MGR_LOG_INFO, why);
			break;
		}
		off += used;
		frame(c, payload, plen);
		conn_close_overflowed(c->srv);
	}
	if (c->closing)
		c->rbuf.len = 0;
	else
		mgr_buf_consume(&c->rbuf, off);
	hold_budget(c);
	if (c->rbuf.len == 0 && c->rbuf.cap > CONN_BUF_KEEP) {
		c->srv->buf_freed += c->rbuf.cap;
		mgr_buf_release(&c->rbuf);
	}
}

void intake_read(struct conn *c)
{
	size_t want = CONN_READ_CHUNK, rest;

	/* The rest of a large frame is read in larger steps. */
	if (!c->closing && c->rbuf.len >= MGR_FRAME_HDR) {
		rest = MGR_FRAME_HDR + mgr_frame_len(c->rbuf.data) - c->rbuf.len;
		if (rest > want)
			want = rest < CONN_READ_MAX ? rest : CONN_READ_MAX;
	}
	if (conn_read(c, want))
		intake_frames(c);
}
