/* The registry of what Python clients hold: every object a Python proxy
 * names, by its ident (the id in the proxy's Token) and by the object,
 * with the count of proxies that Python's incref and decref keep
 * (python-wire/SPEC.md §3.8) and what Python knows of the object that the
 * tree does not (a Value's typecode, an Iterator's dict...).
 *
 * An ident is the object's path in the tree when it was first held, so
 * that a Python user who prints proxy._token.id sees where it is.  The
 * registry follows the tree: an object deleted there leaves its entry
 * with no object (its proxies then fail), one renamed keeps its entry. */
#ifndef MGR_PYREG_H
#define MGR_PYREG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "datum.h"
#include "store.h"

/* What Python sees in an object beyond its type in the tree. */
enum pyent_kind {
	PYENT_PLAIN,
	PYENT_VALUE,		/* a Value: typecode */
	PYENT_ARRAY,		/* an Array: array_tc */
	PYENT_ITER,		/* an Iterator over a dict's keys (a list) */
	PYENT_COND_LOCK,	/* a Condition around the Lock lock_ident */
};

struct pyent {
	char *ident;
	struct mgr_obj *obj;		/* NULL once gone from the tree */
	char *typeid;			/* what made it: "dict", "Queue", "get_queue" */
	int64_t refs;			/* proxies, as incref and decref count them */
	bool internal;			/* a stored value holds a proxy to it: kept */
	bool owned;			/* made by a Python create: deleted at no refs */
	enum pyent_kind kind;
	struct mgr_datum *typecode;	/* Value: Python's typecode, any value */
	char array_tc;			/* Array: Python's typecode */
	char *src_ident;		/* Iterator: the dict */
	uint64_t src_size;		/* Iterator: the dict's size when made */
	bool exhausted;			/* Iterator: ended by a change of size */
	char *lock_ident;		/* Condition: its Lock */
	bool shut;			/* Queue: shut down (3.13) */
	struct pyent *id_next, *obj_next;
};

struct pyreg;

struct pyreg *pyreg_new(void);
/* Free the registry and its entries (not the objects). NULL is fine. */
void pyreg_free(struct pyreg *r);

/* The entry of an ident (len bytes), or of an object; NULL when none. */
struct pyent *pyreg_get(struct pyreg *r, const char *ident, size_t len);
struct pyent *pyreg_of(struct pyreg *r, const struct mgr_obj *o);
/* A new entry for o under ident (copied), with no refs: 0 and *out, or
 * -ENOMEM.  The caller made sure neither is registered. */
int pyreg_add(struct pyreg *r, const char *ident, struct mgr_obj *o, const char *typeid,
	      struct pyent **out);
/* Point e at another object (or none). */
void pyreg_bind(struct pyreg *r, struct pyent *e, struct mgr_obj *o);
/* Forget e and free it. */
void pyreg_drop(struct pyreg *r, struct pyent *e);
/* The store changed o (the server's store hook passes every change on). */
void pyreg_hook(struct pyreg *r, struct mgr_obj *o, enum mgr_change what);
/* Entries with refs, as CPython's number_of_objects counts them. */
size_t pyreg_held(const struct pyreg *r);
/* Call fn for every entry, in no order; fn must not add or drop. */
void pyreg_each(struct pyreg *r, void (*fn)(void *arg, struct pyent *e), void *arg);

#endif
