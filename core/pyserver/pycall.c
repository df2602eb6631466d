#include "pycall.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "json.h"
#include "pydict.h"
#include "pyframe.h"
#include "pyrepr.h"
#include "pyreply.h"

/* ---- replies ---- */

/* Queue the frame that write makes; a reply that cannot be built
 * becomes a #TRACEBACK saying why, as CPython's does. */
static int reply(struct pycall *x, const char *kind, const struct mgr_pyval *payload)
{
	struct conn *c = x->pc->c;
	char why[160];
	size_t start;
	int r;

	x->replied = true;
	if (!conn_takes_output(c))
		return 0;
	r = mgr_pyframe_begin(&c->wbuf, &start);
	if (!r)
		r = mgr_pyreply(&c->wbuf, kind, payload);
	if (!r)
		r = mgr_pyframe_end(&c->wbuf, start);
	else
		c->wbuf.len = start;
	if (r == -ELOOP || r == -E2BIG) {
		snprintf(why, sizeof(why), "Traceback (most recent call last):\n"
			 "RecursionError: the reply to %s cannot be pickled (%s)\n",
			 x->method ? x->method : "the request", strerror(-r));
		r = mgr_pyframe_begin(&c->wbuf, &start);
		if (!r)
			r = mgr_pyreply_text(&c->wbuf, MGR_PYREPLY_UNSERIALIZABLE, why, strlen(why));
		if (!r)
			r = mgr_pyframe_end(&c->wbuf, start);
		else
			c->wbuf.len = start;
	}
	conn_queued(c, r);
	/* Queue items in the reply are known to be given once it is out. */
	if (!r && !mgr_dlist_empty(&c->sess.given))
		mgr_session_sent(&c->sess, x->req_id, c->frames_out);
	return 0;
}

int pycall_return(struct pycall *x, const struct mgr_pyval *v)
{
	return reply(x, MGR_PYREPLY_RETURN, v);
}

int pycall_return_none(struct pycall *x)
{
	return pycall_return(x, mgr_pyval_none());
}

int pycall_return_bool(struct pycall *x, bool b)
{
	return pycall_return(x, mgr_pyval_bool(b));
}

int pycall_return_int(struct pycall *x, int64_t i)
{
	struct mgr_pyval v = { .kind = MGR_PYVAL_INT };

	v.u.i.small = i;
	return pycall_return(x, &v);
}

int pycall_fail(struct pycall *x, int err)
{
	return pycall_traceback(x, err == -ENOMEM ? "MemoryError" : "RuntimeError", "%s",
				strerror(-err));
}

int pycall_raise_args(struct pycall *x, const char *module, const char *name,
		      struct mgr_pyval *args)
{
	struct mgr_pyval *exc;
	struct mgr_buf text = MGR_BUF_INIT;

	if (x->traceback) {
		/* str() of the exception: its one argument's, or the tuple's
		 * repr; a KeyError shows its key's repr. */
		if (args && args->u.seq.len == 1 && strcmp(name, "KeyError"))
			mgr_pyrepr_str(&text, args->u.seq.items[0]);
		else if (args && args->u.seq.len == 1)
			mgr_pyrepr(&text, args->u.seq.items[0]);
		else if (args && args->u.seq.len)
			mgr_pyrepr(&text, args);
		pycall_traceback(x, name, "%.*s", (int)text.len, text.data ? text.data : "");
		mgr_buf_release(&text);
		return 0;
	}
	exc = mgr_pyreply_exception(x->a, module, name, args);

	return exc ? reply(x, MGR_PYREPLY_ERROR, exc) : pycall_fail(x, -ENOMEM);
}

int pycall_raise(struct pycall *x, const char *module, const char *name, const char *fmt, ...)
{
	struct mgr_pyval *msg, *args;
	char text[512];
	va_list ap;

	if (!fmt)
		return pycall_raise_args(x, module, name, NULL);
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	msg = mgr_pyval_cstr(x->a, text);
	args = msg ? mgr_pyval_tuple(x->a, 1, &msg) : NULL;
	return args ? pycall_raise_args(x, module, name, args) : pycall_fail(x, -ENOMEM);
}

int pycall_key_error(struct pycall *x, struct mgr_pyval *key)
{
	struct mgr_pyval *args = mgr_pyval_tuple(x->a, 1, &key);

	return args ? pycall_raise_args(x, "builtins", "KeyError", args) : pycall_fail(x, -ENOMEM);
}

int pycall_traceback(struct pycall *x, const char *name, const char *fmt, ...)
{
	struct mgr_buf text = MGR_BUF_INIT;
	struct conn *c = x->pc->c;
	char line[1024];
	size_t start;
	va_list ap;
	int r, n;

	x->replied = true;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* What CPython's format_exc() looks like, so that a RemoteError
	 * reads as a Python user expects. */
	n = snprintf(NULL, 0, "Traceback (most recent call last):\n  File \"mgrd\", in %s\n%s: %s\n",
		     x->method ? x->method : "request", name, line);
	r = mgr_buf_reserve(&text, (size_t)n + 1);
	if (!r) {
		snprintf(text.data, (size_t)n + 1,
			 "Traceback (most recent call last):\n  File \"mgrd\", in %s\n%s: %s\n",
			 x->method ? x->method : "request", name, line);
		text.len = (size_t)n;
	}
	if (!r && conn_takes_output(c)) {
		r = mgr_pyframe_begin(&c->wbuf, &start);
		if (!r)
			r = mgr_pyreply_text(&c->wbuf, MGR_PYREPLY_TRACEBACK, text.data, text.len);
		if (!r)
			r = mgr_pyframe_end(&c->wbuf, start);
		else
			c->wbuf.len = start;
		conn_queued(c, r);
	}
	mgr_buf_release(&text);
	return 0;
}

int pycall_unserializable(struct pycall *x, const char *what)
{
	char text[512];

	snprintf(text, sizeof(text), "Traceback (most recent call last):\n"
		 "  File \"mgrd\", in %s\nTypeError: cannot pickle %s\n",
		 x->method ? x->method : "request", what);
	return reply(x, MGR_PYREPLY_UNSERIALIZABLE, mgr_pyval_cstr(x->a, text));
}

struct mgr_pyval *pycall_token(struct pycall *x, const char *typeid, const char *ident)
{
	return mgr_pyreply_token(x->a, typeid, x->pc->address, ident);
}

int pycall_proxy(struct pycall *x, struct mgr_pyval *exposed, const char *typeid,
		 const char *ident)
{
	struct mgr_pyval *items[2] = { exposed, pycall_token(x, typeid, ident) };
	struct mgr_pyval *pair;

	if (!items[0] || !items[1])
		return pycall_fail(x, -ENOMEM);
	pair = mgr_pyval_tuple(x->a, 2, items);
	return pair ? reply(x, MGR_PYREPLY_PROXY, pair) : pycall_fail(x, -ENOMEM);
}

/* ---- arguments ---- */

bool pycall_args(struct pycall *x, const char *fname, const char *const *names, size_t nreq,
		 size_t n, struct mgr_pyval **out)
{
	const struct mgr_pyval *kw = x->kwds;
	size_t given = x->args->u.seq.len, i, j;

	for (i = 0; i < n; i++)
		out[i] = i < given ? x->args->u.seq.items[i] : NULL;
	if (given > n) {
		pycall_type_error(x, "%s() takes %s %zu positional argument%s but %zu were given",
				  fname, nreq == n ? "exactly" : "at most", n, n == 1 ? "" : "s",
				  given);
		return false;
	}
	for (j = 0; kw && j < kw->u.seq.len; j++) {
		const struct mgr_pyval *k = MGR_PYDICT_KEY(kw, j);

		for (i = 0; i < n; i++)
			if (k->kind == MGR_PYVAL_STR && mgr_pyval_is_str(k, names[i]))
				break;
		if (i == n) {
			pycall_type_error(x, "%s() got an unexpected keyword argument '%.*s'", fname,
					  k->kind == MGR_PYVAL_STR ? (int)k->u.s.len : 1,
					  k->kind == MGR_PYVAL_STR ? (const char *)k->u.s.data : "?");
			return false;
		}
		if (out[i]) {
			pycall_type_error(x, "%s() got multiple values for argument '%s'", fname,
					  names[i]);
			return false;
		}
		out[i] = MGR_PYDICT_VALUE(kw, j);
	}
	for (i = 0; i < nreq; i++) {
		if (!out[i]) {
			pycall_type_error(x, "%s() missing required argument '%s' (pos %zu)", fname,
					  names[i], i + 1);
			return false;
		}
	}
	return true;
}

bool pycall_no_args(struct pycall *x)
{
	return pycall_args(x, x->method, NULL, 0, 0, NULL);
}

/* ---- the engine ---- */

int pycall_path(struct pyserve *ps, const struct mgr_obj *o)
{
	int r;

	ps->path.len = 0;
	r = mgr_obj_path(o, &ps->path);
	if (!r)
		r = mgr_buf_append(&ps->path, "", 1);
	if (!r)
		ps->path.len--;
	return r;
}

yajl_gen pycall_gen(struct pycall *x)
{
	return x->ps->gen;
}

int pycall_req(struct pycall *x, const char *op, const char *path)
{
	yajl_gen g = x->ps->gen;
	int r;

	srv_gen_reset(g);
	if (!path) {
		r = pycall_path(x->ps, x->o);
		if (r < 0)
			return r;
		path = x->ps->path.data;
	}
	r = mgr_json_map_open(g);
	if (!r)
		r = mgr_json_kv_str(g, "op", op);
	if (!r)
		r = mgr_json_kv_str(g, "path", path);
	return r;
}

/* Run the request built in ps->gen: the engine's return. */
static int run(struct pycall *x, struct mgr_call *call, yajl_val *args)
{
	struct mgr_server *srv = x->ps->srv;
	const unsigned char *text;
	char why[128];
	size_t len;
	int r;

	*args = NULL;
	if (mgr_json_map_close(x->ps->gen) < 0)
		return -EINVAL;
	yajl_gen_get_buf(x->ps->gen, &text, &len);
	r = mgr_json_parse((const char *)text, len, args, why, sizeof(why));
	srv_gen_reset(x->ps->gen);
	if (r < 0) {
		snprintf(x->errbuf, sizeof(x->errbuf), "%s", why);
		return r;
	}
	memset(call, 0, sizeof(*call));
	call->store = srv->store;
	call->sess = &x->pc->c->sess;
	call->id = x->req_id = ++x->pc->next_req;
	call->now = mgr_now_ms();
	call->args = *args;
	call->out = srv->out;
	srv_gen_reset(srv->out);
	return mgr_engine_exec(call);
}

/* The result the engine wrote for call, as a tree. */
static int result_tree(struct pycall *x, yajl_val *result)
{
	const unsigned char *text;
	char why[128];
	size_t len;
	int r;

	yajl_gen_get_buf(x->ps->srv->out, &text, &len);
	r = mgr_json_parse((const char *)text, len, result, why, sizeof(why));
	srv_gen_reset(x->ps->srv->out);
	return r < 0 ? -EPROTO : 0;
}

static void take_err(struct pycall *x, const struct mgr_call *call, int r)
{
	snprintf(x->errbuf, sizeof(x->errbuf), "%s", call->err ? call->err : strerror(-r));
}

int pycall_run(struct pycall *x, yajl_val *result)
{
	struct mgr_call call;
	yajl_val args;
	int r = run(x, &call, &args);

	*result = NULL;
	if (r == MGR_PARKED) {
		/* Only ops that never wait come here. */
		mgr_waiter_abort(x->ps->srv->store, mgr_waiter_find(call.sess, call.id),
				 -ECANCELED);
		r = -EAGAIN;
	}
	if (r < 0)
		take_err(x, &call, r);
	else
		r = result_tree(x, result);
	yajl_tree_free(args);
	return r;
}

int pycall_exec(struct pycall *x, pycall_done_fn done)
{
	struct mgr_call call;
	yajl_val args, result = NULL;
	int r = run(x, &call, &args);

	yajl_tree_free(args);
	x->done = done;
	if (r == MGR_PARKED) {
		x->pc->pending = x;
		return PYCALL_PARKED;
	}
	if (r < 0) {
		take_err(x, &call, r);
		return done(x, r, x->errbuf, NULL);
	}
	r = result_tree(x, &result);
	if (r < 0)
		return pycall_fail(x, r);
	r = done(x, 0, NULL, result);
	yajl_tree_free(result);
	return r;
}

void pycall_complete(struct mgr_session *sess, uint64_t req_id, int err, const char *msg,
		     const char *result, size_t len)
{
	struct conn *c = sess->data;
	struct pyconn *pc = c->py;
	struct pycall *x = pc ? pc->pending : NULL;
	struct pyserve *ps;

	if (!x || x->req_id != req_id || x->answered)
		return;
	x->answered = true;
	x->err = err;
	if (msg)
		x->msg = strdup(msg);
	if (!err && len) {
		x->result = malloc(len);
		if (x->result)
			memcpy(x->result, result, len);
		x->result_len = len;
		if (!x->result)
			x->err = -ENOMEM;
	}
	/* Finished from the loop: inside the engine no other call may run. */
	ps = x->ps;
	if (mgr_dlist_empty(&pc->resume_link))
		mgr_dlist_append(&ps->resume, &pc->resume_link);
}

void pycall_finish(struct pycall *x)
{
	struct pyconn *pc = x->pc;
	yajl_val result = NULL;
	char why[128];
	int r = x->err;

	pc->pending = NULL;
	x->answered = false;
	/* The object may have gone while the call waited. */
	if (x->ident) {
		x->ent = pyreg_get(x->ps->reg, x->ident, strlen(x->ident));
		x->o = x->ent ? x->ent->obj : NULL;
	}
	if (!r && x->result &&
	    mgr_json_parse(x->result, x->result_len, &result, why, sizeof(why)) < 0)
		r = -EPROTO;
	free(x->result);
	x->result = NULL;
	if (x->msg)
		snprintf(x->errbuf, sizeof(x->errbuf), "%s", x->msg);
	else
		snprintf(x->errbuf, sizeof(x->errbuf), "%s", r ? strerror(-r) : "");
	free(x->msg);
	x->msg = NULL;
	r = x->done(x, r, r ? x->errbuf : NULL, result);
	yajl_tree_free(result);
	if (r != PYCALL_PARKED)
		pycall_free(x);
}

void pycall_free(struct pycall *x)
{
	if (!x)
		return;
	if (x->pc && x->pc->pending == x)
		x->pc->pending = NULL;
	free(x->result);
	free(x->msg);
	free(x->ident);
	mgr_pyarena_free(x->a);
	free(x);
}
