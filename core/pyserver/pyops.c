/* What the methods of every kind of object share (pyops.h). */
#include "pyops.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "path.h"
#include "pycmp.h"
#include "pyconv.h"
#include "pydict.h"
#include "pykey.h"
#include "pymap.h"
#include "pyrepr.h"
#include "pyreply.h"

const struct pytype *pyops_type(const struct pyent *e, const struct mgr_obj *o)
{
	switch (o->type) {
	case MGR_NAMESPACE:
		return &pyops_namespace;
	case MGR_DICT:
		return &pyops_dict;
	case MGR_LIST:
		return e && e->kind == PYENT_ITER ? &pyops_iter : &pyops_list;
	case MGR_VALUE:
		return &pyops_value;
	case MGR_ARRAY:
		return &pyops_array;
	case MGR_QUEUE:
		return &pyops_queue;
	case MGR_LOCK:
		return &pyops_lock;
	case MGR_RLOCK:
		return &pyops_rlock;
	case MGR_SEMAPHORE:
		return &pyops_sem;
	case MGR_BSEMAPHORE:
		return &pyops_bsem;
	case MGR_EVENT:
		return &pyops_event;
	case MGR_CONDITION:
		return &pyops_cond;
	default:
		return &pyops_barrier;
	}
}

struct mgr_pyval *pyops_exposed(struct mgr_pyarena *a, const struct pytype *t)
{
	struct mgr_pyval *tup = mgr_pyval_new(a, MGR_PYVAL_TUPLE, 8), *s;
	const struct pymethod *m;

	for (m = t->methods; tup && m->name; m++) {
		s = mgr_pyval_cstr(a, m->name);
		if (!s || mgr_pyval_append(a, tup, s) < 0)
			return NULL;
	}
	return tup;
}

struct pyent *pyops_hold(struct pycall *x, struct mgr_obj *o)
{
	struct pyreg *reg = x->ps->reg;
	struct pyent *e = pyreg_of(reg, o);

	if (e)
		return e;
	if (pycall_path(x->ps, o) < 0)
		return NULL;
	/* An ident whose object went away names this one now: the same
	 * path, as Python's named objects are found by name. */
	e = pyreg_get(reg, x->ps->path.data, x->ps->path.len);
	if (e) {
		pyreg_bind(reg, e, o);
		return e;
	}
	if (pyreg_add(reg, x->ps->path.data, o, pyops_type(NULL, o)->typeid, &e) < 0)
		return NULL;
	return e;
}

static struct mgr_pyval *global(struct mgr_pyarena *a, const char *module, const char *name)
{
	return mgr_pyval_global(a, module, strlen(module), name, strlen(name));
}

struct mgr_pyval *pyops_proxy_ref(struct pycall *x, struct mgr_obj *o)
{
	struct pyent *e = pyops_hold(x, o);
	const struct pytype *t;
	struct mgr_pyval *parts[4], *kwds, *k, *args;

	if (!e)
		return NULL;
	t = pyops_type(e, o);
	kwds = mgr_pyval_new(x->a, MGR_PYVAL_DICT, 1);
	if (!kwds)
		return NULL;
	/* Proxies that take their methods from the server (AutoProxy) are
	 * told them, as CPython pickles them. */
	if (!strcmp(t->proxy, "AutoProxy")) {
		k = mgr_pyval_cstr(x->a, "exposed");
		if (!k || mgr_pydict_set(x->a, kwds, k, pyops_exposed(x->a, t)) < 0)
			return NULL;
	}
	parts[0] = global(x->a, "multiprocessing.managers", t->proxy);
	parts[1] = pycall_token(x, e->typeid, e->ident);
	parts[2] = mgr_pyval_cstr(x->a, "pickle");
	parts[3] = kwds;
	if (!parts[0] || !parts[1] || !parts[2])
		return NULL;
	args = mgr_pyval_tuple(x->a, 4, parts);
	return args ? mgr_pyval_object(x->a, MGR_PYVAL_REDUCE,
				       global(x->a, "multiprocessing.managers", "RebuildProxy"),
				       args, NULL) : NULL;
}

int pyops_entry_value(struct pycall *x, struct mgr_obj *child, struct mgr_pyval **out)
{
	if (child->type == MGR_VALUE)
		return pykey_value(x->a, child, out);
	*out = pyops_proxy_ref(x, child);
	return *out ? 0 : -ENOMEM;
}

struct pyent *pyops_proxy_target(struct pycall *x, const struct mgr_pyval *v)
{
	const struct mgr_pyval *token, *state, *id;

	if (!mgr_pyval_is_object_of(v, "multiprocessing.managers", "RebuildProxy") ||
	    !v->u.obj.args || v->u.obj.args->kind != MGR_PYVAL_TUPLE ||
	    v->u.obj.args->u.seq.len != 4)
		return NULL;
	token = v->u.obj.args->u.seq.items[1];
	if (!mgr_pyval_is_object_of(token, "multiprocessing.managers", "Token"))
		return NULL;
	state = token->u.obj.state;
	if (!state || state->kind != MGR_PYVAL_TUPLE || state->u.seq.len != 3)
		return NULL;
	id = state->u.seq.items[2];
	if (id->kind != MGR_PYVAL_STR)
		return NULL;
	return pyreg_get(x->ps->reg, (const char *)id->u.s.data, id->u.s.len);
}

static void mark(struct pycall *x, const struct mgr_pyval *v, struct mgr_pymap *seen, int depth)
{
	const struct mgr_pyval_obj *o = &v->u.obj;
	struct pyent *e;
	int added;
	size_t i, n;

	if (depth > MGR_PYVAL_DEPTH_MAX)
		return;
	switch (v->kind) {
	case MGR_PYVAL_TUPLE:
	case MGR_PYVAL_LIST:
	case MGR_PYVAL_SET:
	case MGR_PYVAL_FROZENSET:
	case MGR_PYVAL_DICT:
		if (!mgr_pymap_slot(seen, v, &added) || !added)
			return;
		n = v->kind == MGR_PYVAL_DICT ? 2 * v->u.seq.len : v->u.seq.len;
		for (i = 0; i < n; i++)
			mark(x, v->u.seq.items[i], seen, depth + 1);
		return;
	case MGR_PYVAL_OBJECT:
		if (!mgr_pymap_slot(seen, v, &added) || !added)
			return;
		e = pyops_proxy_target(x, v);
		if (e) {
			e->internal = true;
			return;
		}
		if (o->args)
			mark(x, o->args, seen, depth + 1);
		if (o->listitems)
			mark(x, o->listitems, seen, depth + 1);
		if (o->dictitems)
			mark(x, o->dictitems, seen, depth + 1);
		if (o->state)
			mark(x, o->state, seen, depth + 1);
		return;
	default:
		return;
	}
}

void pyops_mark_refs(struct pycall *x, const struct mgr_pyval *v)
{
	struct mgr_pymap seen = MGR_PYMAP_INIT;

	if (v->kind < MGR_PYVAL_TUPLE)
		return;
	mark(x, v, &seen, 0);
	mgr_pymap_release(&seen);
}

int pyops_unhashable(struct pycall *x, const struct mgr_pyval *key)
{
	return pycall_type_error(x, "unhashable type: '%s'", mgr_pyval_type_name(key));
}

int pyops_repr_value(struct mgr_buf *out, const struct mgr_pyval *v)
{
	return mgr_pyrepr(out, v);
}

int pyops_reply_text(struct pycall *x, const struct mgr_buf *text)
{
	struct mgr_pyval *s = mgr_pyval_str(x->a, text->data ? text->data : "", text->len);

	return s ? pycall_return(x, s) : pycall_fail(x, -ENOMEM);
}

int pyops_default_repr(struct pycall *x, const char *cls, struct mgr_buf *out)
{
	char text[160];
	int n = snprintf(text, sizeof(text), "<%s object at %p>", cls, (void *)x->o);

	return mgr_buf_append(out, text, (size_t)n);
}

bool pyops_timeout(struct pycall *x, const struct mgr_pyval *v, bool *has, double *secs)
{
	int64_t i;

	*has = false;
	*secs = 0;
	if (!v || v->kind == MGR_PYVAL_NONE)
		return true;
	*has = true;
	if (v->kind == MGR_PYVAL_FLOAT) {
		*secs = v->u.f;
		return true;
	}
	if (v->kind == MGR_PYVAL_INT || v->kind == MGR_PYVAL_BOOL) {
		*secs = mgr_pyval_get_int(v, &i) == 0 ? (double)i :
			v->u.i.small < 0 ? -HUGE_VAL : HUGE_VAL;
		return true;
	}
	pycall_type_error(x, "'%s' object cannot be interpreted as a number",
			  mgr_pyval_type_name(v));
	return false;
}

bool pyops_truth(const struct mgr_pyval *v, bool dflt)
{
	if (!v)
		return dflt;
	switch (v->kind) {
	case MGR_PYVAL_NONE:
		return false;
	case MGR_PYVAL_BOOL:
		return v->u.b;
	case MGR_PYVAL_INT:
		return v->u.i.big || v->u.i.small;
	case MGR_PYVAL_FLOAT:
		return v->u.f != 0;
	case MGR_PYVAL_STR:
	case MGR_PYVAL_BYTES:
	case MGR_PYVAL_BYTEARRAY:
		return v->u.s.len;
	case MGR_PYVAL_TUPLE:
	case MGR_PYVAL_LIST:
	case MGR_PYVAL_DICT:
	case MGR_PYVAL_SET:
	case MGR_PYVAL_FROZENSET:
		return v->u.seq.len;
	default:
		return true;
	}
}

int pyops_gen_wait(struct pycall *x, bool block, bool has_timeout, double secs)
{
	yajl_gen g = pycall_gen(x);
	int r = mgr_json_kv_bool(g, "block", block);

	if (!r && has_timeout)
		r = mgr_json_kv_double(g, "timeout", secs > 1e12 ? 1e12 : secs);
	return r;
}

int pyops_dict_value(struct pycall *x, struct mgr_obj *o, struct mgr_pyval **out)
{
	struct mgr_pyval *d = mgr_pyval_new(x->a, MGR_PYVAL_DICT, mgr_obj_nchildren(o));
	struct mgr_pyval *k, *v;
	struct mgr_obj *c;
	int r = d ? 0 : -ENOMEM;

	for (c = mgr_obj_first_child(o); c && !r; c = c->next) {
		r = pykey_key(x->a, c, &k);
		if (!r)
			r = pyops_entry_value(x, c, &v);
		if (!r)
			r = mgr_pydict_set(x->a, d, k, v);
	}
	*out = d;
	return r;
}

int pyops_new_path(struct pycall *x, const char *typeid)
{
	struct mgr_obj *dir = mgr_obj_child(mgr_store_root(x->ps->srv->store), PYSERVE_DIR,
					    strlen(PYSERVE_DIR));
	struct mgr_buf *p = &x->ps->path;
	yajl_val res;
	char name[96];
	int r, n;

	if (!dir || dir->type != MGR_NAMESPACE) {
		r = pycall_req(x, "create", PYSERVE_DIR);
		if (!r)
			r = mgr_json_kv_str(pycall_gen(x), "type", "namespace");
		if (!r)
			r = mgr_json_kv_bool(pycall_gen(x), "exist_ok", true);
		if (!r)
			r = pycall_run(x, &res);
		if (r < 0)
			return r;
		yajl_tree_free(res);
		dir = mgr_obj_child(mgr_store_root(x->ps->srv->store), PYSERVE_DIR,
				    strlen(PYSERVE_DIR));
		if (!dir)
			return -ENOENT;
	}
	do {
		n = snprintf(name, sizeof(name), "%s-%llu", typeid,
			     (unsigned long long)++x->ps->next_name);
	} while (mgr_obj_child(dir, name, (size_t)n));
	p->len = 0;
	r = mgr_buf_append(p, PYSERVE_DIR "/", strlen(PYSERVE_DIR) + 1);
	if (!r)
		r = mgr_name_escape(name, (size_t)n, p);
	if (!r)
		r = mgr_buf_append(p, "", 1);
	if (!r)
		p->len--;
	return r;
}

int pyops_adopt(struct pycall *x, const char *path, const char *typeid, struct pyent **out)
{
	struct mgr_path parsed;
	struct mgr_obj *o;
	const char *why;
	char *ident = strdup(path);
	int r;

	if (!ident)
		return -ENOMEM;
	r = mgr_path_parse(ident, strlen(ident), &parsed, &why);
	if (r < 0)
		goto out;
	r = mgr_store_lookup(x->ps->srv->store, &parsed, &o);
	mgr_path_release(&parsed);
	if (r < 0)
		goto out;
	r = pyreg_add(x->ps->reg, ident, o, typeid, out);
	if (!r) {
		(*out)->owned = true;
		(*out)->refs = 1;
	}
out:
	free(ident);
	return r;
}
