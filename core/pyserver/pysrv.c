#include "pysrv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pyops.h"
#include "pyrepr.h"
#include "pyreply.h"
#include "pytypes.h"

/* The ident argument of incref, decref: NULL after replying. */
static const struct mgr_pyval *ident_arg(struct pycall *x)
{
	const struct mgr_pyval *id;

	if (x->args->u.seq.len != 1) {
		pycall_traceback(x, "TypeError", "%s() takes 2 positional arguments but %zu were given",
				 x->method, x->args->u.seq.len + 1);
		return NULL;
	}
	id = x->args->u.seq.items[0];
	if (id->kind != MGR_PYVAL_STR) {
		pycall_traceback(x, "KeyError", "%s", mgr_pyval_type_name(id));
		return NULL;
	}
	return id;
}

static int f_incref(struct pycall *x)
{
	const struct mgr_pyval *id = ident_arg(x);
	struct pyent *e;

	if (!id)
		return 0;
	e = pyreg_get(x->ps->reg, (const char *)id->u.s.data, id->u.s.len);
	if (!e || (!e->refs && !e->internal && !e->obj))
		return pycall_traceback(x, "KeyError", "'%.*s'", (int)id->u.s.len,
					(const char *)id->u.s.data);
	e->refs++;
	return pycall_return_none(x);
}

/* An entry no proxy holds any more: an object Python made goes from the
 * tree, unless a stored value names it (CPython keeps those too). */
static void release(struct pycall *x, struct pyent *e)
{
	struct mgr_obj *o = e->obj;

	if (e->internal)
		return;
	if (e->owned && o)
		mgr_obj_delete(x->ps->srv->store, o, true);
	pyreg_drop(x->ps->reg, e);
}

static int f_decref(struct pycall *x)
{
	const struct mgr_pyval *id = ident_arg(x);
	struct pyent *e;

	if (!id)
		return 0;
	e = pyreg_get(x->ps->reg, (const char *)id->u.s.data, id->u.s.len);
	if (e && !e->refs && e->internal)
		return pycall_return_none(x);
	if (!e)
		return pycall_traceback(x, "KeyError", "'%.*s'", (int)id->u.s.len,
					(const char *)id->u.s.data);
	if (e->refs <= 0)
		return pycall_traceback(x, "AssertionError", "Id=%s (%s) has refcount %lld, not 1+",
					e->ident, e->typeid, (long long)e->refs);
	if (--e->refs == 0)
		release(x, e);
	return pycall_return_none(x);
}

static int f_create(struct pycall *x)
{
	struct mgr_pyval *items[2], *exposed;
	struct pyent *e;

	x->traceback = true;
	if (pytypes_create(x, &e) < 0 || x->replied)
		return 0;
	exposed = pyops_exposed(x->a, pyops_type(e, e->obj));
	items[0] = mgr_pyval_cstr(x->a, e->ident);
	items[1] = exposed;
	if (!items[0] || !items[1])
		return pycall_fail(x, -ENOMEM);
	return pycall_return(x, mgr_pyval_tuple(x->a, 2, items));
}

static int f_get_methods(struct pycall *x)
{
	const struct mgr_pyval *tok, *state, *id;
	struct pyent *e;

	x->traceback = true;
	tok = x->args->u.seq.len == 1 ? x->args->u.seq.items[0] : NULL;
	if (!tok || !mgr_pyval_is_object_of(tok, "multiprocessing.managers", "Token"))
		return pycall_traceback(x, "TypeError", "get_methods() takes a Token");
	state = tok->u.obj.state;
	if (!state || state->kind != MGR_PYVAL_TUPLE || state->u.seq.len != 3 ||
	    (id = state->u.seq.items[2])->kind != MGR_PYVAL_STR)
		return pycall_traceback(x, "TypeError", "get_methods() takes a Token");
	e = pyreg_get(x->ps->reg, (const char *)id->u.s.data, id->u.s.len);
	if (!e || !e->obj)
		return pycall_traceback(x, "KeyError", "'%.*s'", (int)id->u.s.len,
					(const char *)id->u.s.data);
	return pycall_return(x, pyops_exposed(x->a, pyops_type(e, e->obj)));
}

struct info {
	struct mgr_buf text;
	int r;
};

static void info_line(void *arg, struct pyent *e)
{
	struct info *in = arg;
	char line[600];
	int n;

	if (e->refs <= 0 || in->r)
		return;
	n = snprintf(line, sizeof(line), "  %s:       refcount=%lld\n    %s\n", e->ident,
		     (long long)e->refs, e->typeid);
	in->r = mgr_buf_append(&in->text, line, (size_t)n < sizeof(line) ? (size_t)n :
			       sizeof(line) - 1);
}

static int f_debug_info(struct pycall *x)
{
	struct info in = { MGR_BUF_INIT, 0 };
	int r;

	pyreg_each(x->ps->reg, info_line, &in);
	r = in.r ? pycall_fail(x, in.r) : pyops_reply_text(x, &in.text);
	mgr_buf_release(&in.text);
	return r;
}

int pysrv_function(struct pycall *x, bool *persistent)
{
	const char *m = x->method;

	*persistent = false;
	x->traceback = true;
	if (!strcmp(m, "dummy"))
		return pycall_return_none(x);
	if (!strcmp(m, "accept_connection")) {
		const struct mgr_pyval *name = x->args->u.seq.len ? x->args->u.seq.items[0] : NULL;

		if (name && name->kind == MGR_PYVAL_STR)
			snprintf(x->pc->name, sizeof(x->pc->name), "%.*s", (int)name->u.s.len,
				 (const char *)name->u.s.data);
		*persistent = true;
		return pycall_return_none(x);
	}
	if (!strcmp(m, "create"))
		return f_create(x);
	if (!strcmp(m, "incref"))
		return f_incref(x);
	if (!strcmp(m, "decref"))
		return f_decref(x);
	if (!strcmp(m, "get_methods"))
		return f_get_methods(x);
	if (!strcmp(m, "number_of_objects"))
		return pycall_return_int(x, (int64_t)pyreg_held(x->ps->reg));
	if (!strcmp(m, "debug_info"))
		return f_debug_info(x);
	if (!strcmp(m, "shutdown"))
		return pycall_traceback(x, "PermissionError", "mgrd is not stopped by its Python "
					"clients: stop it as any daemon (mgrd(8))");
	return pycall_traceback(x, "AssertionError", "'%s' unrecognized", m);
}

/* ---- serve_client ---- */

static int fallback(struct pycall *x, const struct pytype *t)
{
	struct mgr_buf text = MGR_BUF_INIT;
	struct mgr_pyval *exposed;
	int r;

	if (!strcmp(x->method, "__repr__") || !strcmp(x->method, "__str__")) {
		r = t->repr ? t->repr(x, &text) : pyops_default_repr(x, t->name, &text);
		r = r < 0 ? pycall_fail(x, r) : pyops_reply_text(x, &text);
		mgr_buf_release(&text);
		return r;
	}
	if (!strcmp(x->method, "#GETVALUE")) {
		if (t->getvalue)
			return t->getvalue(x);
		return pycall_unserializable(x, t->name);
	}
	exposed = pyops_exposed(x->a, t);
	if (exposed)
		mgr_pyrepr(&text, exposed);
	pycall_traceback(x, "AttributeError", "method '%s' of %s object is not in exposed=%.*s",
			 x->method, t->name, (int)text.len, text.data ? text.data : "()");
	mgr_buf_release(&text);
	return 0;
}

int pysrv_method(struct pycall *x, const struct mgr_pyval *ident)
{
	const struct pymethod *m;
	const struct pytype *t;
	struct pyent *e;

	if (ident->kind != MGR_PYVAL_STR)
		return pycall_traceback(x, "KeyError", "%s", mgr_pyval_type_name(ident));
	e = pyreg_get(x->ps->reg, (const char *)ident->u.s.data, ident->u.s.len);
	if (!e)
		return pycall_traceback(x, "KeyError", "'%.*s'", (int)ident->u.s.len,
					(const char *)ident->u.s.data);
	if (!e->obj)
		return pycall_traceback(x, "ReferenceError", "the object '%s' is gone from the tree",
					e->ident);
	x->ent = e;
	x->o = e->obj;
	x->ident = strdup(e->ident);
	if (!x->ident)
		return pycall_fail(x, -ENOMEM);
	t = pyops_type(e, e->obj);
	for (m = t->methods; m->name; m++)
		if (!strcmp(m->name, x->method))
			return m->fn(x);
	return fallback(x, t);
}
