/* dict and Namespace: containers in the tree, their entries values named
 * by their keys (pykey.h), read and written through the store. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pycmp.h"
#include "pyconv.h"
#include "pydict.h"
#include "pykey.h"
#include "pyops.h"
#include "pyreply.h"
#include "pyrepr.h"

/* ---- entries ---- */

/* The entry for key: 1 and *c, 0 when missing, or -1 after replying
 * (an unhashable key is Python's TypeError). */
static int find(struct pycall *x, struct mgr_obj *o, const struct mgr_pyval *key,
		struct mgr_obj **c)
{
	int r = pykey_find(o, key, c);

	if (r == -EINVAL)
		pyops_unhashable(x, key);
	else if (r < 0)
		pycall_fail(x, r);
	return r < 0 ? -1 : r;
}

/* Reply to a failure to store a value. */
static int store_failed(struct pycall *x, int r)
{
	if (r == -EFBIG)
		return pycall_raise(x, "builtins", "MemoryError",
				    "a value of more than %u bytes is more than mgrd keeps",
				    MGR_DATUM_MAX);
	if (r == -ENAMETOOLONG)
		return pycall_traceback(x, "OSError", "the dict is nested too deeply in the tree");
	return pycall_fail(x, r);
}

/* o[key] = value; -errno (nothing replied). */
static int put_entry(struct pycall *x, struct mgr_obj *o, const struct mgr_pyval *key,
		     const struct mgr_pyval *value)
{
	struct mgr_store *s = x->ps->srv->store;
	struct mgr_buf name = MGR_BUF_INIT;
	struct mgr_pyval *stored = NULL;
	struct mgr_datum *d;
	struct mgr_obj *c;
	bool pair;
	int r = pykey_find(o, key, &c);

	if (r < 0)
		return r;
	pyops_mark_refs(x, value);
	if (r == 1 && c->type == MGR_VALUE) {
		/* The entry keeps the key that made it, as Python does. */
		if (pykey_is_pair(c) && (r = pykey_key(x->a, c, &stored)) < 0)
			return r;
		r = pykey_datum(stored, value, &d);
		if (!r)
			mgr_value_set(s, c, d);
		return r;
	}
	/* An object made in the tree under that name gives way. */
	if (r == 1)
		mgr_obj_delete(s, c, true);
	r = pykey_name(o, key, &name, &pair);
	if (!r)
		r = pykey_datum(pair ? key : NULL, value, &d);
	if (!r) {
		r = mgr_obj_new(s, o, name.data, name.len, MGR_VALUE, &c);
		if (r < 0) {
			mgr_datum_free(d);
		} else {
			c->u.value = d;
			mgr_store_changed(s, c, MGR_CHANGE_CREATE);
		}
	}
	mgr_buf_release(&name);
	return r;
}

static struct mgr_pyval *pair_of(struct pycall *x, struct mgr_pyval *k, struct mgr_pyval *v)
{
	struct mgr_pyval *items[2] = { k, v };

	return mgr_pyval_tuple(x->a, 2, items);
}

/* ---- dict ---- */

static struct mgr_pyval *arg0(struct pycall *x)
{
	return x->args->u.seq.items[0];
}

static int d_len(struct pycall *x)
{
	return pycall_no_args(x) ? pycall_return_int(x, (int64_t)mgr_obj_nchildren(x->o)) : 0;
}

static int d_getitem(struct pycall *x)
{
	static const char *const names[] = { "key" };
	struct mgr_pyval *a[1], *v;
	struct mgr_obj *c;
	int r;

	if (!pycall_args(x, "__getitem__", names, 1, 1, a))
		return 0;
	r = find(x, x->o, a[0], &c);
	if (r < 0)
		return 0;
	if (!r)
		return pycall_key_error(x, a[0]);
	r = pyops_entry_value(x, c, &v);
	return r < 0 ? pycall_fail(x, r) : pycall_return(x, v);
}

static int d_setitem(struct pycall *x)
{
	static const char *const names[] = { "key", "value" };
	struct mgr_pyval *a[2];
	int r;

	if (!pycall_args(x, "__setitem__", names, 2, 2, a))
		return 0;
	r = put_entry(x, x->o, a[0], a[1]);
	if (r == -EINVAL)
		return pyops_unhashable(x, a[0]);
	return r < 0 ? store_failed(x, r) : pycall_return_none(x);
}

static int d_delitem(struct pycall *x)
{
	static const char *const names[] = { "key" };
	struct mgr_pyval *a[1];
	struct mgr_obj *c;
	int r;

	if (!pycall_args(x, "__delitem__", names, 1, 1, a))
		return 0;
	r = find(x, x->o, a[0], &c);
	if (r < 0)
		return 0;
	if (!r)
		return pycall_key_error(x, a[0]);
	mgr_obj_delete(x->ps->srv->store, c, true);
	return pycall_return_none(x);
}

static int d_contains(struct pycall *x)
{
	static const char *const names[] = { "key" };
	struct mgr_pyval *a[1];
	struct mgr_obj *c;
	int r;

	if (!pycall_args(x, "__contains__", names, 1, 1, a))
		return 0;
	r = find(x, x->o, a[0], &c);
	return r < 0 ? 0 : pycall_return_bool(x, r == 1);
}

/* The (key[, default]) of get and pop, and the entry for key: 1 and *c,
 * 0 when missing, -1 after replying. */
static int key_default(struct pycall *x, const char *fname, struct mgr_pyval **a,
		       struct mgr_obj **c)
{
	static const char *const names[] = { "key", "default" };

	if (x->kwds->u.seq.len) {
		pycall_type_error(x, "%s() takes no keyword arguments", fname);
		return -1;
	}
	if (!pycall_args(x, fname, names, 1, 2, a))
		return -1;
	return find(x, x->o, a[0], c);
}

static int d_get(struct pycall *x)
{
	struct mgr_pyval *a[2], *v;
	struct mgr_obj *c;
	int r = key_default(x, "get", a, &c);

	if (r < 0)
		return 0;
	if (!r)
		return pycall_return(x, a[1] ? a[1] : mgr_pyval_none());
	r = pyops_entry_value(x, c, &v);
	return r < 0 ? pycall_fail(x, r) : pycall_return(x, v);
}

static int d_pop(struct pycall *x)
{
	struct mgr_pyval *a[2], *v;
	struct mgr_obj *c;
	int r = key_default(x, "pop", a, &c);

	if (r < 0)
		return 0;
	if (!r)
		return a[1] ? pycall_return(x, a[1]) : pycall_key_error(x, a[0]);
	r = pyops_entry_value(x, c, &v);
	if (r < 0)
		return pycall_fail(x, r);
	mgr_obj_delete(x->ps->srv->store, c, true);
	return pycall_return(x, v);
}

static int d_popitem(struct pycall *x)
{
	struct mgr_obj *c = mgr_obj_last_child(x->o);
	struct mgr_pyval *k, *v;
	int r;

	if (!pycall_no_args(x))
		return 0;
	if (!c)
		return pycall_raise(x, "builtins", "KeyError", "popitem(): dictionary is empty");
	r = pykey_key(x->a, c, &k);
	if (!r)
		r = pyops_entry_value(x, c, &v);
	if (r < 0)
		return pycall_fail(x, r);
	mgr_obj_delete(x->ps->srv->store, c, true);
	return pycall_return(x, pair_of(x, k, v));
}

static int d_setdefault(struct pycall *x)
{
	static const char *const names[] = { "key", "default" };
	struct mgr_pyval *a[2], *v;
	struct mgr_obj *c;
	int r;

	if (x->kwds->u.seq.len)
		return pycall_type_error(x, "setdefault() takes no keyword arguments");
	if (!pycall_args(x, "setdefault", names, 1, 2, a))
		return 0;
	r = find(x, x->o, a[0], &c);
	if (r < 0)
		return 0;
	if (r) {
		r = pyops_entry_value(x, c, &v);
		return r < 0 ? pycall_fail(x, r) : pycall_return(x, v);
	}
	v = a[1] ? a[1] : mgr_pyval_none();
	r = put_entry(x, x->o, a[0], v);
	return r < 0 ? store_failed(x, r) : pycall_return(x, v);
}

/* The pairs of a mapping argument: a dict, one of our dicts or
 * Namespaces by proxy, or what Python's dict() takes for one. */
static int mapping_pairs(struct pycall *x, const struct mgr_pyval *m, struct mgr_pyval **out)
{
	struct pyent *e = pyops_proxy_target(x, m);

	if (m->kind == MGR_PYVAL_DICT) {
		*out = (struct mgr_pyval *)m;
		return 1;
	}
	if (e && e->obj && (e->obj->type == MGR_DICT || e->obj->type == MGR_NAMESPACE))
		return pyops_dict_value(x, e->obj, out) < 0 ? -ENOMEM : 1;
	if (m->kind == MGR_PYVAL_OBJECT && m->u.obj.dictitems &&
	    !mgr_pyval_is_global(m->u.obj.func, "builtins", "list")) {
		const struct mgr_pyval *di = m->u.obj.dictitems;
		struct mgr_pyval *d = mgr_pyval_new(x->a, MGR_PYVAL_DICT, di->u.seq.len / 2);
		size_t i;
		int r = d ? 0 : -ENOMEM;

		for (i = 0; !r && i + 1 < di->u.seq.len; i += 2)
			r = mgr_pydict_set(x->a, d, di->u.seq.items[i], di->u.seq.items[i + 1]);
		*out = d;
		return r < 0 ? r : 1;
	}
	return 0;
}

int pyops_dict_update(struct pycall *x, struct mgr_obj *o, const struct mgr_pyval *other,
		      const struct mgr_pyval *kwds)
{
	struct mgr_pyval *pairs, *seq, *kv, *key = NULL;
	size_t i;
	int r = 0;

	if (other) {
		r = mapping_pairs(x, other, &pairs);
		if (r < 0)
			return pycall_fail(x, r);
		if (r) {
			for (i = 0; i < pairs->u.seq.len && r >= 0; i++) {
				key = MGR_PYDICT_KEY(pairs, i);
				r = put_entry(x, o, key, MGR_PYDICT_VALUE(pairs, i));
			}
		} else {
			r = pyconv_iterate(x->a, other, &seq);
			if (r == -ENOTSUP)
				return pycall_type_error(x, "'%s' object is not iterable",
							 mgr_pyval_type_name(other));
			for (i = 0; r >= 0 && i < seq->u.seq.len; i++) {
				r = pyconv_iterate(x->a, seq->u.seq.items[i], &kv);
				if (r == -ENOTSUP)
					return pycall_type_error(x, "cannot convert dictionary update sequence element #%zu to a sequence",
								 i);
				if (r >= 0 && kv->u.seq.len != 2)
					return pycall_value_error(x, "dictionary update sequence element #%zu has length %zu; 2 is required",
								  i, kv->u.seq.len);
				if (r >= 0) {
					key = kv->u.seq.items[0];
					r = put_entry(x, o, key, kv->u.seq.items[1]);
				}
			}
		}
	}
	for (i = 0; kwds && r >= 0 && i < kwds->u.seq.len; i++)
		r = put_entry(x, o, MGR_PYDICT_KEY(kwds, i), MGR_PYDICT_VALUE(kwds, i));
	if (r == -EINVAL && key)
		return pyops_unhashable(x, key);
	return r < 0 ? store_failed(x, r) : 0;
}

static int d_update(struct pycall *x)
{
	size_t n = x->args->u.seq.len;

	if (n > 1)
		return pycall_type_error(x, "update expected at most 1 argument, got %zu", n);
	pyops_dict_update(x, x->o, n ? arg0(x) : NULL, x->kwds);
	return x->replied ? 0 : pycall_return_none(x);
}

static int d_clear(struct pycall *x)
{
	struct mgr_obj *c;

	if (!pycall_no_args(x))
		return 0;
	while ((c = mgr_obj_last_child(x->o)))
		mgr_obj_delete(x->ps->srv->store, c, true);
	return pycall_return_none(x);
}

/* keys(), values() and items() as lists: CPython sends its views as
 * builtins.list, which is a list to the client. */
enum { KEYS, VALUES, ITEMS };

static int listing(struct pycall *x, int what)
{
	struct mgr_pyval *l, *k = NULL, *v = NULL;
	struct mgr_obj *c;
	int r = 0;

	if (!pycall_no_args(x))
		return 0;
	l = mgr_pyval_new(x->a, MGR_PYVAL_LIST, mgr_obj_nchildren(x->o));
	if (!l)
		return pycall_fail(x, -ENOMEM);
	for (c = mgr_obj_first_child(x->o); c && !r; c = c->next) {
		if (what != VALUES)
			r = pykey_key(x->a, c, &k);
		if (!r && what != KEYS)
			r = pyops_entry_value(x, c, &v);
		if (!r)
			r = mgr_pyval_append(x->a, l, what == KEYS ? k : what == VALUES ? v :
					     pair_of(x, k, v));
	}
	return r < 0 ? pycall_fail(x, r) : pycall_return(x, l);
}

static int d_keys(struct pycall *x)
{
	return listing(x, KEYS);
}

static int d_values(struct pycall *x)
{
	return listing(x, VALUES);
}

static int d_items(struct pycall *x)
{
	return listing(x, ITEMS);
}

static int d_copy(struct pycall *x)
{
	struct mgr_pyval *d;
	int r;

	if (!pycall_no_args(x))
		return 0;
	r = pyops_dict_value(x, x->o, &d);
	return r < 0 ? pycall_fail(x, r) : pycall_return(x, d);
}

/* iter(d): for SyncManager's dict an Iterator proxy, as CPython's server
 * makes one (#PROXY); a dict reached by name is an AutoProxy, whose
 * client may not know the Iterator typeid, so it gets an iterator over
 * the keys as they are now. */
static int d_iter(struct pycall *x)
{
	struct mgr_pyval *keys, *exposed;
	struct pyent *it;
	struct mgr_obj *c;
	int r = 0;

	if (!pycall_no_args(x))
		return 0;
	if (x->ent && !strcmp(x->ent->typeid, "dict")) {
		r = pyops_make_iter(x, x->o, &it);
		if (r < 0)
			return pycall_traceback(x, "RuntimeError", "cannot make the iterator: %s",
						x->errbuf);
		exposed = pyops_exposed(x->a, &pyops_iter);
		return exposed ? pycall_proxy(x, exposed, "Iterator", it->ident) :
		       pycall_fail(x, -ENOMEM);
	}
	keys = mgr_pyval_new(x->a, MGR_PYVAL_LIST, mgr_obj_nchildren(x->o));
	for (c = mgr_obj_first_child(x->o); keys && c && !r; c = c->next) {
		struct mgr_pyval *k;

		r = pykey_key(x->a, c, &k);
		if (!r)
			r = mgr_pyval_append(x->a, keys, k);
	}
	if (!keys || r < 0)
		return pycall_fail(x, -ENOMEM);
	return pycall_return(x, mgr_pyreply_call(x->a, "iter", keys));
}

static int d_reversed(struct pycall *x)
{
	struct mgr_pyval *keys, *k;
	struct mgr_obj *c;
	int r = 0;

	if (!pycall_no_args(x))
		return 0;
	keys = mgr_pyval_new(x->a, MGR_PYVAL_LIST, mgr_obj_nchildren(x->o));
	for (c = mgr_obj_last_child(x->o); keys && c && !r; c = c->prev) {
		r = pykey_key(x->a, c, &k);
		if (!r)
			r = mgr_pyval_append(x->a, keys, k);
	}
	if (!keys || r < 0)
		return pycall_fail(x, -ENOMEM);
	return pycall_return(x, mgr_pyreply_call(x->a, "iter", keys));
}

/* d | other and other | d (3.14): new plain dicts. */
static int merged(struct pycall *x, bool self_first)
{
	static const char *const names[] = { "other" };
	struct mgr_pyval *a[1], *mine, *theirs, *out, *first, *second;
	size_t i;
	int r;

	if (!pycall_args(x, x->method, names, 1, 1, a))
		return 0;
	/* Anything but a dict: NotImplemented, as dict's own operators. */
	if (a[0]->kind != MGR_PYVAL_DICT)
		return pycall_return(x, mgr_pyval_global(x->a, "builtins", 8, "NotImplemented", 14));
	theirs = a[0];
	r = pyops_dict_value(x, x->o, &mine);
	out = mgr_pyval_new(x->a, MGR_PYVAL_DICT, 0);
	if (r < 0 || !out)
		return pycall_fail(x, -ENOMEM);
	first = self_first ? mine : theirs;
	second = self_first ? theirs : mine;
	for (i = 0; !r && i < first->u.seq.len; i++)
		r = mgr_pydict_set(x->a, out, MGR_PYDICT_KEY(first, i), MGR_PYDICT_VALUE(first, i));
	for (i = 0; !r && i < second->u.seq.len; i++)
		r = mgr_pydict_set(x->a, out, MGR_PYDICT_KEY(second, i), MGR_PYDICT_VALUE(second, i));
	return r < 0 ? pycall_fail(x, r) : pycall_return(x, out);
}

static int d_or(struct pycall *x)
{
	return merged(x, true);
}

static int d_ror(struct pycall *x)
{
	return merged(x, false);
}

static int d_ior(struct pycall *x)
{
	static const char *const names[] = { "other" };
	struct mgr_pyval *a[1], *d;
	int r;

	if (!pycall_args(x, "__ior__", names, 1, 1, a))
		return 0;
	pyops_dict_update(x, x->o, a[0], NULL);
	if (x->replied)
		return 0;
	r = pyops_dict_value(x, x->o, &d);
	return r < 0 ? pycall_fail(x, r) : pycall_return(x, d);
}

static int d_fromkeys(struct pycall *x)
{
	static const char *const names[] = { "iterable", "value" };
	struct mgr_pyval *a[2], *keys, *d;
	size_t i;
	int r;

	if (!pycall_args(x, "fromkeys", names, 1, 2, a))
		return 0;
	r = pyconv_iterate(x->a, a[0], &keys);
	if (r == -ENOTSUP)
		return pycall_type_error(x, "'%s' object is not iterable", mgr_pyval_type_name(a[0]));
	d = mgr_pyval_new(x->a, MGR_PYVAL_DICT, 0);
	for (i = 0; d && r >= 0 && i < keys->u.seq.len; i++)
		r = mgr_pydict_set(x->a, d, keys->u.seq.items[i], a[1] ? a[1] : mgr_pyval_none());
	if (r == -EINVAL)
		return pyops_unhashable(x, keys->u.seq.items[i - 1]);
	return !d || r < 0 ? pycall_fail(x, -ENOMEM) : pycall_return(x, d);
}

static int d_repr(struct pycall *x, struct mgr_buf *out)
{
	struct mgr_pyval *d;
	int r = pyops_dict_value(x, x->o, &d);

	return r < 0 ? r : mgr_pyrepr(out, d);
}

static int d_getvalue(struct pycall *x)
{
	struct mgr_pyval *d;
	int r = pyops_dict_value(x, x->o, &d);

	return r < 0 ? pycall_fail(x, r) : pycall_return(x, d);
}

static const struct pymethod dict_methods[] = {
	{ "__contains__", d_contains }, { "__delitem__", d_delitem },
	{ "__getitem__", d_getitem }, { "__iter__", d_iter }, { "__len__", d_len },
	{ "__setitem__", d_setitem }, { "clear", d_clear }, { "copy", d_copy }, { "get", d_get },
	{ "items", d_items }, { "keys", d_keys }, { "pop", d_pop }, { "popitem", d_popitem },
	{ "setdefault", d_setdefault }, { "update", d_update }, { "values", d_values },
	{ "__ior__", d_ior }, { "__or__", d_or }, { "__ror__", d_ror },
	{ "__reversed__", d_reversed }, { "fromkeys", d_fromkeys },
	{ NULL, NULL },
};

const struct pytype pyops_dict = {
	.name = "dict", .proxy = "DictProxy", .typeid = "dict", .methods = dict_methods,
	.repr = d_repr, .getvalue = d_getvalue,
};

/* ---- Namespace ---- */

/* The attribute name argument: false after replying TypeError. */
static bool attr_name(struct pycall *x, const char *fname, size_t nargs, struct mgr_pyval **a)
{
	static const char *const names[] = { "name", "value" };

	if (!pycall_args(x, fname, names, nargs, nargs, a))
		return false;
	if (a[0]->kind != MGR_PYVAL_STR) {
		pycall_type_error(x, "attribute name must be string, not '%s'",
				  mgr_pyval_type_name(a[0]));
		return false;
	}
	return true;
}

static int no_attr(struct pycall *x, const struct mgr_pyval *name)
{
	return pycall_raise(x, "builtins", "AttributeError",
			    "'Namespace' object has no attribute '%.*s'", (int)name->u.s.len,
			    (const char *)name->u.s.data);
}

static int ns_getattr(struct pycall *x)
{
	struct mgr_pyval *a[1], *v;
	struct mgr_obj *c;
	int r;

	if (!attr_name(x, "__getattribute__", 1, a))
		return 0;
	r = find(x, x->o, a[0], &c);
	if (r < 0)
		return 0;
	if (!r)
		return no_attr(x, a[0]);
	r = pyops_entry_value(x, c, &v);
	return r < 0 ? pycall_fail(x, r) : pycall_return(x, v);
}

static int ns_setattr(struct pycall *x)
{
	struct mgr_pyval *a[2];
	int r;

	if (!attr_name(x, "__setattr__", 2, a))
		return 0;
	r = put_entry(x, x->o, a[0], a[1]);
	return r < 0 ? store_failed(x, r) : pycall_return_none(x);
}

static int ns_delattr(struct pycall *x)
{
	struct mgr_pyval *a[1];
	struct mgr_obj *c;
	int r;

	if (!attr_name(x, "__delattr__", 1, a))
		return 0;
	r = find(x, x->o, a[0], &c);
	if (r < 0)
		return 0;
	if (!r)
		return no_attr(x, a[0]);
	mgr_obj_delete(x->ps->srv->store, c, true);
	return pycall_return_none(x);
}

/* "Namespace(a=1, b='two')": attributes not starting with '_', as
 * name=repr(value) sorted, as managers.Namespace prints itself. */
static int ns_repr(struct pycall *x, struct mgr_buf *out)
{
	struct mgr_buf *parts = NULL, tmp;
	struct mgr_pyval *k, *v;
	struct mgr_obj *c;
	size_t n = 0, cap = mgr_obj_nchildren(x->o), i, j;
	int r = 0;

	parts = calloc(cap ? cap : 1, sizeof(*parts));
	if (!parts)
		return -ENOMEM;
	for (c = mgr_obj_first_child(x->o); c && !r; c = c->next) {
		r = pykey_key(x->a, c, &k);
		if (r || k->kind != MGR_PYVAL_STR || (k->u.s.len && k->u.s.data[0] == '_'))
			continue;
		r = pyops_entry_value(x, c, &v);
		mgr_buf_init(&parts[n]);
		if (!r)
			r = mgr_buf_append(&parts[n], k->u.s.data, k->u.s.len);
		if (!r)
			r = mgr_buf_append(&parts[n], "=", 1);
		if (!r)
			r = mgr_pyrepr(&parts[n], v);
		n++;
	}
	/* Sorted as Python sorts str: by code point, which UTF-8 keeps. */
	for (i = 1; i < n; i++) {
		for (j = i; j > 0; j--) {
			size_t la = parts[j - 1].len, lb = parts[j].len;
			int cmp = memcmp(parts[j - 1].data, parts[j].data, la < lb ? la : lb);

			if (cmp < 0 || (cmp == 0 && la <= lb))
				break;
			tmp = parts[j - 1];
			parts[j - 1] = parts[j];
			parts[j] = tmp;
		}
	}
	if (!r)
		r = mgr_buf_append(out, "Namespace(", 10);
	for (i = 0; i < n && !r; i++) {
		if (i)
			r = mgr_buf_append(out, ", ", 2);
		if (!r)
			r = mgr_buf_append(out, parts[i].data, parts[i].len);
	}
	if (!r)
		r = mgr_buf_append(out, ")", 1);
	for (i = 0; i < n; i++)
		mgr_buf_release(&parts[i]);
	free(parts);
	return r;
}

static int ns_getvalue(struct pycall *x)
{
	struct mgr_pyval *state, *obj;
	int r = pyops_dict_value(x, x->o, &state);

	if (r < 0)
		return pycall_fail(x, r);
	obj = mgr_pyreply_namespace(x->a, state);
	return obj ? pycall_return(x, obj) : pycall_fail(x, -ENOMEM);
}

static const struct pymethod namespace_methods[] = {
	{ "__getattribute__", ns_getattr }, { "__setattr__", ns_setattr },
	{ "__delattr__", ns_delattr },
	{ NULL, NULL },
};

const struct pytype pyops_namespace = {
	.name = "Namespace", .proxy = "NamespaceProxy", .typeid = "Namespace",
	.methods = namespace_methods, .repr = ns_repr, .getvalue = ns_getvalue,
};
