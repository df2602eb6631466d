/* The typeids a Python client creates (SyncManager's, python-wire/SPEC.md
 * §3.9) and what each makes in the tree, under PYSERVE_DIR; any other
 * typeid names an object of the tree by its path. */
#include "pytypes.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "path.h"
#include "pyconv.h"
#include "pyops.h"

/* The create arguments after the typeid, bound to names as fname's. */
static bool bind(struct pycall *x, const char *fname, const char *const *names, size_t nreq,
		 size_t n, struct mgr_pyval **out)
{
	struct mgr_pyval *rest, *saved = x->args;
	bool ok;

	rest = mgr_pyval_tuple(x->a, saved->u.seq.len - 1, saved->u.seq.items + 1);
	if (!rest) {
		pycall_fail(x, -ENOMEM);
		return false;
	}
	x->args = rest;
	ok = pycall_args(x, fname, names, nreq, n, out);
	x->args = saved;
	return ok;
}

/* Make an object of engine type tname for typeid; members for the
 * engine's create are added by add (may be NULL).  The new entry, or
 * NULL after replying. */
static struct pyent *make(struct pycall *x, const char *typeid, const char *tname,
			  int (*add)(struct pycall *x, void *arg), void *arg)
{
	struct pyent *e;
	yajl_val res;
	char *path;
	int r;

	r = pyops_new_path(x, typeid);
	path = r ? NULL : strdup(x->ps->path.data);
	if (!path) {
		pycall_fail(x, r ? r : -ENOMEM);
		return NULL;
	}
	r = pycall_req(x, "create", path);
	if (!r)
		r = mgr_json_kv_str(pycall_gen(x), "type", tname);
	if (!r && add)
		r = add(x, arg);
	if (x->replied) {
		free(path);
		return NULL;
	}
	if (!r)
		r = pycall_run(x, &res);
	if (r < 0) {
		pycall_traceback(x, r == -EFBIG ? "MemoryError" : "ValueError", "%s",
				 x->errbuf[0] ? x->errbuf : strerror(-r));
		free(path);
		return NULL;
	}
	yajl_tree_free(res);
	r = pyops_adopt(x, path, typeid, &e);
	free(path);
	if (r < 0) {
		pycall_fail(x, r);
		return NULL;
	}
	return e;
}

/* Undo make after an argument was refused (the reply is out). */
static void unmake(struct pycall *x, struct pyent *e)
{
	if (e->obj)
		mgr_obj_delete(x->ps->srv->store, e->obj, true);
	pyreg_drop(x->ps->reg, e);
}

static int add_maxsize(struct pycall *x, void *arg)
{
	int64_t n = *(int64_t *)arg;

	return mgr_json_kv_i64(pycall_gen(x), "maxsize", n < 0 ? 0 : n);
}

static int add_value(struct pycall *x, void *arg)
{
	const char *key = "value";
	int64_t n = *(int64_t *)arg;

	return mgr_json_kv_i64(pycall_gen(x), key, n);
}

static int add_datum(struct pycall *x, void *arg)
{
	int r = pyconv_gen_members(pycall_gen(x), arg);

	if (r == -EFBIG)
		pycall_raise(x, "builtins", "MemoryError", "the value is larger than mgrd keeps");
	return r;
}

struct barrier_args {
	int64_t parties;
	bool has_timeout;
	double timeout;
};

static int add_barrier(struct pycall *x, void *arg)
{
	struct barrier_args *b = arg;
	int r = mgr_json_kv_i64(pycall_gen(x), "parties", b->parties);

	if (!r && b->has_timeout)
		r = mgr_json_kv_double(pycall_gen(x), "timeout", b->timeout);
	return r;
}

/* An int argument (absent: dflt); false after replying TypeError. */
static bool int_arg(struct pycall *x, const struct mgr_pyval *v, int64_t dflt, int64_t *out)
{
	*out = dflt;
	if (!v)
		return true;
	if ((v->kind != MGR_PYVAL_INT && v->kind != MGR_PYVAL_BOOL) ||
	    mgr_pyval_get_int(v, out) < 0) {
		pycall_type_error(x, "'%s' object cannot be interpreted as an integer",
				  mgr_pyval_type_name(v));
		return false;
	}
	return true;
}

static struct pyent *c_dict(struct pycall *x, const char *typeid, bool ns)
{
	struct mgr_pyval *other = NULL;
	struct pyent *e;

	if (ns && x->args->u.seq.len > 1) {
		pycall_type_error(x, "Namespace() takes no positional arguments");
		return NULL;
	}
	if (!ns && x->args->u.seq.len > 2) {
		pycall_type_error(x, "dict expected at most 1 argument, got %zu",
				  x->args->u.seq.len - 1);
		return NULL;
	}
	if (x->args->u.seq.len == 2)
		other = x->args->u.seq.items[1];
	e = make(x, typeid, ns ? "namespace" : "dict", NULL, NULL);
	if (!e)
		return NULL;
	if (other || x->kwds->u.seq.len) {
		pyops_dict_update(x, e->obj, other, x->kwds);
		if (x->replied) {
			unmake(x, e);
			return NULL;
		}
	}
	return e;
}

static struct pyent *c_list(struct pycall *x, const char *typeid)
{
	static const char *const names[] = { "iterable" };
	struct mgr_pyval *a[1], *items = NULL;
	struct pyent *e;
	int r;

	if (x->kwds->u.seq.len) {
		pycall_type_error(x, "list() takes no keyword arguments");
		return NULL;
	}
	if (!bind(x, "list", names, 0, 1, a))
		return NULL;
	if (a[0]) {
		r = pyconv_iterate(x->a, a[0], &items);
		if (r == -ENOTSUP) {
			pycall_type_error(x, "'%s' object is not iterable", mgr_pyval_type_name(a[0]));
			return NULL;
		}
		if (r < 0) {
			pycall_fail(x, r);
			return NULL;
		}
	}
	e = make(x, typeid, "list", NULL, NULL);
	if (!e || !items || !items->u.seq.len)
		return e;
	r = pycall_path(x->ps, e->obj);
	if (!r)
		r = pyops_list_fill(x, e->obj, items);
	if (r < 0) {
		if (!x->replied)
			pycall_fail(x, r);
		unmake(x, e);
		return NULL;
	}
	return e;
}

static struct pyent *c_value(struct pycall *x, const char *typeid)
{
	static const char *const names[] = { "typecode", "value", "lock" };
	struct mgr_pyval *a[3];
	struct pyent *e;
	int r;

	if (!bind(x, "Value", names, 2, 3, a))
		return NULL;
	e = make(x, typeid, "value", add_datum, a[1]);
	if (!e)
		return NULL;
	e->kind = PYENT_VALUE;
	r = pyconv_datum(a[0], &e->typecode);
	if (r < 0) {
		pycall_fail(x, r);
		unmake(x, e);
		return NULL;
	}
	return e;
}

static struct pyent *c_queue(struct pycall *x, const char *typeid)
{
	static const char *const names[] = { "maxsize" };
	struct mgr_pyval *a[1];
	int64_t n;

	if (!bind(x, "Queue", names, 0, 1, a) || !int_arg(x, a[0], 0, &n))
		return NULL;
	return make(x, typeid, "queue", add_maxsize, &n);
}

static struct pyent *c_sem(struct pycall *x, const char *typeid, const char *tname)
{
	static const char *const names[] = { "value" };
	struct mgr_pyval *a[1];
	int64_t n;

	if (!bind(x, typeid, names, 0, 1, a) || !int_arg(x, a[0], 1, &n))
		return NULL;
	if (n < 0) {
		pycall_value_error(x, "semaphore initial value must be >= 0");
		return NULL;
	}
	return make(x, typeid, tname, add_value, &n);
}

static struct pyent *c_plain(struct pycall *x, const char *typeid, const char *tname)
{
	if (!bind(x, typeid, NULL, 0, 0, NULL))
		return NULL;
	return make(x, typeid, tname, NULL, NULL);
}

static struct pyent *c_condition(struct pycall *x, const char *typeid)
{
	static const char *const names[] = { "lock" };
	struct mgr_pyval *a[1];
	struct pyent *e, *lock = NULL;

	if (!bind(x, "Condition", names, 0, 1, a))
		return NULL;
	if (a[0] && a[0]->kind != MGR_PYVAL_NONE) {
		lock = pyops_proxy_target(x, a[0]);
		if (!lock) {
			pycall_type_error(x, "mgrd's Condition takes a Lock or RLock of this manager");
			return NULL;
		}
	}
	e = make(x, typeid, "condition", NULL, NULL);
	if (e && lock) {
		e->kind = PYENT_COND_LOCK;
		e->lock_ident = strdup(lock->ident);
	}
	return e;
}

static struct pyent *c_barrier(struct pycall *x, const char *typeid)
{
	static const char *const names[] = { "parties", "action", "timeout" };
	struct barrier_args b = { 0 };
	struct mgr_pyval *a[3];

	if (!bind(x, "Barrier", names, 1, 3, a) || !int_arg(x, a[0], 0, &b.parties))
		return NULL;
	if (a[1] && a[1]->kind != MGR_PYVAL_NONE) {
		pycall_type_error(x, "mgrd cannot run a Barrier's action: it runs no Python code");
		return NULL;
	}
	if (!pyops_timeout(x, a[2], &b.has_timeout, &b.timeout))
		return NULL;
	if (b.parties < 1) {
		pycall_value_error(x, "parties must be >= 1");
		return NULL;
	}
	return make(x, typeid, "barrier", add_barrier, &b);
}

/* A typeid that is no SyncManager's: the object at that path. */
static struct pyent *c_named(struct pycall *x, const char *typeid, size_t len)
{
	struct mgr_path parsed;
	struct mgr_obj *o;
	struct pyent *e;
	const char *why;
	int r;

	r = mgr_path_parse(typeid, len, &parsed, &why);
	if (r == 0) {
		r = mgr_store_lookup(x->ps->srv->store, &parsed, &o);
		mgr_path_release(&parsed);
	}
	if (r < 0 || o == mgr_store_root(x->ps->srv->store)) {
		pycall_traceback(x, "KeyError", "'%.*s' (mgrd: no object at that path in the tree; "
				 "make it first, e.g. mgrctl new queue %.*s)", (int)len, typeid,
				 (int)len, typeid);
		return NULL;
	}
	e = pyops_hold(x, o);
	if (!e) {
		pycall_fail(x, -ENOMEM);
		return NULL;
	}
	free(e->typeid);
	e->typeid = strndup(typeid, len);
	if (!e->typeid)
		e->typeid = strdup("?");
	return e;
}

int pytypes_create(struct pycall *x, struct pyent **out)
{
	const struct mgr_pyval *tv = x->args->u.seq.len ? x->args->u.seq.items[0] : NULL;
	const char *t;
	struct pyent *e;

	*out = NULL;
	if (!tv || tv->kind != MGR_PYVAL_STR)
		return pycall_traceback(x, "TypeError", "create() needs a typeid, a str");
	t = (const char *)tv->u.s.data;
	if (strlen(t) != tv->u.s.len)
		return pycall_traceback(x, "KeyError", "a typeid with a NUL");
	if (!strcmp(t, "dict"))
		e = c_dict(x, t, false);
	else if (!strcmp(t, "Namespace"))
		e = c_dict(x, t, true);
	else if (!strcmp(t, "list"))
		e = c_list(x, t);
	else if (!strcmp(t, "Value"))
		e = c_value(x, t);
	else if (!strcmp(t, "Array"))
		e = pyops_array_create(x, t);
	else if (!strcmp(t, "Queue") || !strcmp(t, "JoinableQueue"))
		e = c_queue(x, t);
	else if (!strcmp(t, "Lock"))
		e = c_plain(x, t, "lock");
	else if (!strcmp(t, "RLock"))
		e = c_plain(x, t, "rlock");
	else if (!strcmp(t, "Event"))
		e = c_plain(x, t, "event");
	else if (!strcmp(t, "Semaphore"))
		e = c_sem(x, t, "semaphore");
	else if (!strcmp(t, "BoundedSemaphore"))
		e = c_sem(x, t, "bsemaphore");
	else if (!strcmp(t, "Condition"))
		e = c_condition(x, t);
	else if (!strcmp(t, "Barrier"))
		e = c_barrier(x, t);
	else if (!strcmp(t, "Pool") || !strcmp(t, "AsyncResult") || !strcmp(t, "Iterator"))
		return pycall_traceback(x, "NotImplementedError", "%s: mgrd runs no Python code, so "
					"it cannot host a %s (use multiprocessing.Pool in the "
					"client)", t, t);
	else
		e = c_named(x, t, tv->u.s.len);
	if (!e)
		return x->replied ? 0 : pycall_fail(x, -ENOMEM);
	/* create counts one reference, the proxy's own incref another. */
	if (!e->owned || e->refs == 0)
		e->refs++;
	*out = e;
	return 0;
}
