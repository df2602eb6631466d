/* The methods of every kind of object as Python clients call them,
 * mapped onto the engine (python-wire/SPEC.md §3.9): one table per kind
 * (pyops_dict.c: dict and Namespace; pyops_list.c: list and Iterator;
 * pyops_data.c: Value and Array; pyops_queue.c; pyops_sync.c: the locks,
 * Condition, Event and Barrier), and what they share (pyops.c).
 *
 * A method gets its call (pycall.h) with the object resolved and replies,
 * as Python's object would, with a result or the exception Python raises,
 * or parks an engine call that replies when it ends. */
#ifndef MGR_PYOPS_H
#define MGR_PYOPS_H

#include <stdbool.h>

#include "buf.h"
#include "pycall.h"

struct pymethod {
	const char *name;
	int (*fn)(struct pycall *x);
};

/* What Python sees in one kind of object. */
struct pytype {
	const char *name;		/* Python's class, as messages name it */
	const char *proxy;		/* the proxy class that takes it */
	const char *typeid;		/* SyncManager's typeid for it */
	const struct pymethod *methods;	/* the exposed ones, NULL-terminated */
	/* Append repr(object); NULL: "<module.Class object at 0x...>". */
	int (*repr)(struct pycall *x, struct mgr_buf *out);
	/* Reply to #GETVALUE with a copy of the object; NULL: it cannot be
	 * pickled (#UNSERIALIZABLE, as a lock cannot). */
	int (*getvalue)(struct pycall *x);
};

extern const struct pytype pyops_dict, pyops_namespace, pyops_list, pyops_iter, pyops_value,
	pyops_array, pyops_queue, pyops_lock, pyops_rlock, pyops_sem, pyops_bsem, pyops_cond,
	pyops_event, pyops_barrier;

/* The kind of object o is to Python (e may be NULL). */
const struct pytype *pyops_type(const struct pyent *e, const struct mgr_obj *o);
/* The exposed names of t as a tuple of str in arena a. */
struct mgr_pyval *pyops_exposed(struct mgr_pyarena *a, const struct pytype *t);

/* ---- shared by the methods ---- */

/* The registry entry for o, made (with no refs) when o has none: NULL
 * when out of memory. */
struct pyent *pyops_hold(struct pycall *x, struct mgr_obj *o);
/* What Python gets for an object that is not a value (one made in the
 * tree inside a dict): a proxy to it, RebuildProxy(Class, Token, ...). */
struct mgr_pyval *pyops_proxy_ref(struct pycall *x, struct mgr_obj *o);
/* The value an entry of a dict or Namespace holds, for Python. */
int pyops_entry_value(struct pycall *x, struct mgr_obj *child, struct mgr_pyval **out);
/* The object a proxy inside a value names, when it is one of ours. */
struct pyent *pyops_proxy_target(struct pycall *x, const struct mgr_pyval *v);
/* A value is about to be stored: every proxy in it to one of our objects
 * keeps that object (CPython's id_to_local_proxy_obj, never undone). */
void pyops_mark_refs(struct pycall *x, const struct mgr_pyval *v);
/* Reply TypeError("unhashable type: 'T'") for key. */
int pyops_unhashable(struct pycall *x, const struct mgr_pyval *key);
/* Append Python's repr of v; 0 or -errno. */
int pyops_repr_value(struct mgr_buf *out, const struct mgr_pyval *v);
/* Reply a value as its repr or str (the fallbacks). */
int pyops_reply_text(struct pycall *x, const struct mgr_buf *text);
/* "<module.Class object at 0x...>" with the object's address. */
int pyops_default_repr(struct pycall *x, const char *cls, struct mgr_buf *out);

/* A timeout argument: NULL or None is none (*has false), else seconds.
 * false after replying TypeError for what is not a number. */
bool pyops_timeout(struct pycall *x, const struct mgr_pyval *v, bool *has, double *secs);
/* Python's truth of a blocking argument (NULL: the default). */
bool pyops_truth(const struct mgr_pyval *v, bool dflt);
/* Write "block" and "timeout" into the engine request. */
int pyops_gen_wait(struct pycall *x, bool block, bool has_timeout, double secs);

/* The dict a dict object or Namespace holds, as a Python dict. */
int pyops_dict_value(struct pycall *x, struct mgr_obj *o, struct mgr_pyval **out);
/* dict.update(other, **kwds) on a dict object or Namespace o: 0, after
 * replying with Python's exception when it fails. */
int pyops_dict_update(struct pycall *x, struct mgr_obj *o, const struct mgr_pyval *other,
		      const struct mgr_pyval *kwds);
/* The items of a list object, as a Python list. */
int pyops_list_value(struct pycall *x, struct mgr_obj *o, struct mgr_pyval **out);
/* A free path for an object Python makes, PYSERVE_DIR/TYPEID-N, in
 * x->ps->path (NUL-terminated), the folder made when missing: 0 or
 * -errno. */
int pyops_new_path(struct pycall *x, const char *typeid);
/* Register the object just made at path as made by Python: deleted from
 * the tree when its last proxy goes; its create counts one ref. */
int pyops_adopt(struct pycall *x, const char *path, const char *typeid, struct pyent **out);
/* Append the items of Python list items to list object o: 0, or -errno
 * (nothing replied). */
int pyops_list_fill(struct pycall *x, struct mgr_obj *o, const struct mgr_pyval *items);
/* create('Array', typecode, sequence, lock=...): the new entry, or NULL
 * after replying. */
struct pyent *pyops_array_create(struct pycall *x, const char *typeid);
/* A dict's keys as an Iterator object: its entry for #PROXY. */
int pyops_make_iter(struct pycall *x, struct mgr_obj *dict, struct pyent **out);

#endif
